//! The libFuzzer targets of `fuzz/` (their own workspace, which the root
//! build never compiles) build on the stable toolchain and run: built into
//! the root target dir, as README.md ("Fuzzing") says, they reuse the
//! harness's artefacts, and a few hundred inputs go through each.
//! (.clusterfuzzlite/ builds them with cargo-fuzz and a sanitizer instead.)

use std::path::Path;
use std::process::Command;

#[test]
fn the_fuzz_targets_build_on_stable_and_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = root.join("target");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(root.join("fuzz/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo starts");
    assert!(status.success(), "the fuzz targets do not build: {status}");
    for name in ["reference_abi", "reference_p2_abi", "diff_p1"] {
        let out = Command::new(target.join("release").join(name))
            // Full-length inputs from the first run (without coverage
            // instrumentation libFuzzer would not grow them), so programs run.
            .args(["-runs=300", "-seed=1", "-len_control=0", "-max_len=512"])
            .output()
            .expect("the fuzz target starts");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {}\n{stderr}", out.status);
        assert!(stderr.contains("Done 300 runs"), "{name}: {stderr}");
    }
}
