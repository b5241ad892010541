//! Reads the exact versions of the embedded runtimes from the workspace's
//! Cargo.lock, so that what a report names is what was linked:
//! `env!("WASI_CONFORM_VERSION_WASMTIME")` and so on.

use std::path::Path;

/// The embedded runtime crates whose versions the harness reports.
const CRATES: [&str; 7] = [
    "wasmtime",
    "wasmtime-wasi",
    "wasmer",
    "wasmer-wasix",
    "wasmi",
    "wasmi_wasi",
    "wasmedge-sdk",
];

fn main() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock)
        .unwrap_or_else(|e| panic!("{}: cannot read: {e}", lock.display()));
    for name in CRATES {
        let versions: Vec<&str> = text
            .split("[[package]]")
            .filter(|package| package.contains(&format!("\nname = \"{name}\"\n")))
            .filter_map(|package| package.split("\nversion = \"").nth(1)?.split('"').next())
            .collect();
        let [version] = versions[..] else {
            panic!(
                "{}: expected one version of `{name}`, found {versions:?}",
                lock.display()
            );
        };
        let key = name.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=WASI_CONFORM_VERSION_{key}={version}");
    }
}
