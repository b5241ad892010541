//! The `wasi-conform` binary end to end: the suite on the embedded runtimes,
//! and how it reacts to changed, missing and malformed input.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{copy_dir, repo, text, wasi_conform};

/// A checkout that shares everything with this one (guest sources, the
/// workspace and the build output) except `expected/`, a private copy.
fn checkout_with_own_expected() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo()).unwrap() {
        let name = entry.unwrap().file_name();
        if name != "expected" && name != ".git" {
            std::os::unix::fs::symlink(repo().join(&name), dir.path().join(&name)).unwrap();
        }
    }
    copy_dir(&repo().join("expected"), &dir.path().join("expected"));
    dir
}

fn assert_one_line_error(output: &Output, needle: &str) {
    let stderr = text(&output.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        last.starts_with("wasi-conform: error: ") && last.contains(needle),
        "{stderr}"
    );
}

#[test]
fn every_case_passes_on_the_embedded_runtimes() {
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = wasi_conform(&repo(), &["run", "--json", json.path().to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap();
    let runs = report["runs"].as_array().unwrap();
    let listed = text(&wasi_conform(&repo(), &["list"]).stdout);
    let pairs = listed.lines().count();
    let p3_pairs = listed
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("p3"))
        .count();
    assert!(pairs >= 30, "at least 30 case × ABI pairs, got {pairs}");
    // The reference host runs every ABI but p3; wasmtime runs every ABI.
    assert_eq!(runs.len(), pairs - p3_pairs + pairs);
    for run in runs {
        assert_eq!(run["verdict"], run["expected"], "{run}");
    }
    assert!(
        runs.iter().filter(|r| r["verdict"] == "pass").count() > pairs,
        "most runs pass"
    );
    // The C guests ran: a C toolchain that could not be installed would
    // leave them out (saying so on stderr), which must not pass unseen.
    let c_pairs: Vec<&str> = listed.lines().filter(|l| l.starts_with("libc-")).collect();
    let c_p1_pairs = c_pairs
        .iter()
        .filter(|l| l.split_whitespace().nth(1) == Some("p1"))
        .count();
    let c_runs = runs
        .iter()
        .filter(|r| r["case"].as_str().unwrap().starts_with("libc-"))
        .count();
    assert!(c_p1_pairs >= 100, "at least 100 C cases, got {c_p1_pairs}");
    // C cases are p1 and p1-component only: both runtimes run each.
    assert_eq!(c_runs, 2 * c_pairs.len(), "{}", text(&out.stderr));
}

#[test]
fn a_changed_expected_file_is_a_divergence_with_a_diff() {
    let checkout = checkout_with_own_expected();
    let file = checkout.path().join("expected/args/several.p1.out");
    let blessed = std::fs::read_to_string(&file).unwrap();
    let changed = blessed.replacen("\"errno\":\"ok\"", "\"errno\":\"inval\"", 1);
    assert_ne!(blessed, changed);
    std::fs::write(&file, changed).unwrap();

    let out = wasi_conform(
        checkout.path(),
        &["run", "--case", "args/several", "--abi", "p1"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("args/several p1 on reference: diverge"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-{\"call\":") && stdout.contains("\"errno\":\"inval\""),
        "{stdout}"
    );
}

#[test]
fn expected_files_and_cases_must_match() {
    let checkout = checkout_with_own_expected();
    let orphan = checkout.path().join("expected/args/gone.p1.out");
    std::fs::write(&orphan, "status: exit 0\n").unwrap();
    let out = wasi_conform(checkout.path(), &["run", "--case", "args/none"]);
    assert_one_line_error(
        &out,
        "expected/args/gone.p1.out: expected outcome of no case",
    );
    std::fs::remove_file(&orphan).unwrap();

    std::fs::remove_file(checkout.path().join("expected/args/none.p1.out")).unwrap();
    let out = wasi_conform(checkout.path(), &["run", "--case", "args/none"]);
    assert_one_line_error(&out, "wasi-conform bless --case args/none");
}

/// The last line of stderr, which must be the one-line error of an exit 2,
/// with `dir` written as `[DIR]`.
fn error_line(output: &Output, dir: &Path) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(last.starts_with("wasi-conform: error: "), "{stderr}");
    last.replace(dir.to_str().unwrap(), "[DIR]")
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_2() {
    let root = tempfile::tempdir().unwrap();
    let cases = root.path().join("tests-src/cases");
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::write(
        cases.join("broken.toml"),
        "[[case]]\nname = \"a/b\"\nguest = 3\n",
    )
    .unwrap();
    let in_ci = Command::new(env!("CARGO_BIN_EXE_wasi-conform"))
        .args(["--root", repo().to_str().unwrap(), "bless"])
        .env("CI", "true")
        .output()
        .unwrap();
    let errors = [
        wasi_conform(&repo(), &["run", "--runtime", "no-such-runtime"]),
        wasi_conform(&repo(), &["run", "--case", "no/such/*"]),
        wasi_conform(&repo(), &["run", "--runtime", "node", "--abi", "p2"]),
        wasi_conform(root.path(), &["list"]),
        in_ci,
    ]
    .iter()
    .map(|output| error_line(output, root.path()))
    .collect::<Vec<_>>()
    .join("\n");
    insta::assert_snapshot!(errors);
}

#[test]
fn an_escape_is_never_as_recorded() {
    // Node's node:wasi follows a guest's symlink out of the preopen: the
    // directory appears beside the sandbox root. Recorded as an ordinary
    // `fail`, it must still make the run exit 1, and an entry recording
    // the escape itself is refused.
    let checkout = checkout_with_own_expected();
    let node = checkout.path().join("expected/runtimes/node.toml");
    let entry = |verdict: &str| {
        format!(
            "[[known]]\ncase = \"sandbox/symlink-mkdir-through\"\nabi = \"p1\"\nverdict = \"{verdict}\"\nreason = \"r\"\n"
        )
    };
    let args = [
        "run",
        "--runtime",
        "node",
        "--case",
        "sandbox/symlink-mkdir-through",
    ];
    std::fs::write(&node, entry("fail")).unwrap();
    let out = wasi_conform(checkout.path(), &args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("on node: ESCAPE from the sandbox"),
        "{stdout}"
    );
    std::fs::write(&node, entry("escape")).unwrap();
    assert_one_line_error(
        &wasi_conform(checkout.path(), &args),
        "never recorded as known",
    );
}

#[test]
fn a_harness_fault_is_exit_2_naming_the_file_never_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // A reproducer that cannot be read.
    let repro = wasi_conform(&repo(), &["run", "--repro", &path("gone.repro")]);
    // A wasi-testsuite test whose .wasm cannot be read (a dangling link).
    let tests = dir.path().join("tests");
    std::fs::create_dir(&tests).unwrap();
    std::os::unix::fs::symlink("nowhere.wasm", tests.join("t.wasm")).unwrap();
    let testsuite = wasi_conform(&repo(), &["testsuite", &path("tests")]);
    // An output path that cannot be written: the run happens, then the
    // command stops with the file named, and writes nothing.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let json = wasi_conform(
        &repo(),
        &[
            "run",
            "--runtime",
            "reference",
            "--case",
            "args/none",
            "--abi",
            "p1",
            "--json",
            &path("file/run.json"),
        ],
    );
    assert!(
        text(&json.stdout).contains("reference"),
        "{}",
        text(&json.stdout)
    );
    let errors = [repro, testsuite, json]
        .iter()
        .map(|output| error_line(output, dir.path()))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(errors);
    // Only what the test made: `tests/` and `file`.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn runtimes_lists_embedded_and_command_runtimes() {
    let out = wasi_conform(&repo(), &["runtimes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for name in ["reference", "wasmtime", "wasmtime-cli", "node"] {
        assert!(names.contains(&name), "{names:?}");
    }
    for row in rows.as_array().unwrap() {
        assert_eq!(
            row["available"].as_bool().unwrap(),
            row["reason"].is_null(),
            "{row}"
        );
    }
}

/// The cases whose verdict on node depends on when its timers fire.
const NODE_SLEEPS: [&str; 3] = [
    "libc-time/nanosleep-10ms",
    "libc-time/usleep-10ms",
    "libc-time/clock-nanosleep-monotonic",
];

#[test]
fn command_runtimes_get_their_recorded_verdicts() {
    let setup = wasi_conform(&repo(), &["setup", "wasmtime-cli"]);
    assert_eq!(setup.status.code(), Some(0), "{}", text(&setup.stderr));
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = wasi_conform(
        &repo(),
        &[
            "run",
            "--runtime",
            "wasmtime-cli,node",
            // Two C cases hang on node (recorded): a short timeout keeps the test quick.
            "--timeout",
            "10",
            "--json",
            json.path().to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    // Node's node:wasi follows symlinks out of the preopen, relative ones
    // and an absolute one to the host's `/`: those escapes are never
    // recorded, so the run exits 1 on them, and on nothing else.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap();
    let unexpected: Vec<String> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|run| run["verdict"] != run["expected"] || run["verdict"] == "escape")
        // Node's sleeps now and then end early (libuv's timers read a
        // coarse clock): in about two runs of five one of the ten 10-ms
        // sleeps of these cases lasts 9.4 ms. A verdict that is a matter
        // of luck cannot be recorded (README.md, "Verdicts").
        .filter(|run| {
            !(run["runtime"] == "node" && NODE_SLEEPS.contains(&run["case"].as_str().unwrap_or("")))
        })
        .map(|run| format!("{} {} {}", run["runtime"], run["case"], run["verdict"]))
        .collect();
    assert_eq!(
        unexpected,
        [
            "\"node\" \"sandbox/symlink-absolute-dir\" \"escape\"",
            "\"node\" \"sandbox/symlink-mkdir-through\" \"escape\"",
            "\"node\" \"sandbox/symlink-unlink-through\" \"escape\"",
            "\"node\" \"sandbox/symlink-rename-through\" \"escape\"",
        ],
        "{stdout}"
    );
    for runtime in ["wasmtime-cli", "node"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{runtime} ")))
            .unwrap();
        assert!(!row.contains("not available"), "{row}");
    }
}

#[test]
fn worker_process_runtimes_get_their_recorded_verdicts() {
    // Five cases hang on wasmer (recorded): a short timeout keeps the test quick.
    let out = wasi_conform(
        &repo(),
        &["run", "--runtime", "wasmer,wasmi", "--timeout", "10"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    for runtime in ["wasmer", "wasmi"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{runtime} ")))
            .unwrap();
        assert!(!row.contains("not available"), "{row}");
    }
}

/// The embedded WasmEdge adapter (`--features wasmedge`, with the WasmEdge C
/// library installed): every case gets its recorded verdict. Two-preopen
/// cases can flip now and then (expected/runtimes/wasmedge.toml says why).
#[cfg(feature = "wasmedge")]
#[test]
fn wasmedge_gets_its_recorded_verdicts() {
    let out = wasi_conform(
        &repo(),
        &["run", "--runtime", "wasmedge", "--timeout", "12"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let row = stdout.lines().find(|l| l.starts_with("wasmedge ")).unwrap();
    assert!(!row.contains("not available"), "{row}");
}

/// Without the `wasmedge` cargo feature, `wasmedge` is still listed: never
/// available, with the reason, and a run on it is refused.
#[cfg(not(feature = "wasmedge"))]
#[test]
fn wasmedge_without_its_feature_is_listed_as_unavailable() {
    let out = wasi_conform(&repo(), &["runtimes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "wasmedge")
        .unwrap();
    assert_eq!(row["available"], false, "{row}");
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .starts_with("built without the `wasmedge` cargo feature"),
        "{row}"
    );
    let run = wasi_conform(
        &repo(),
        &["run", "--runtime", "wasmedge", "--case", "args/*"],
    );
    assert_ne!(run.status.code(), Some(0));
    assert!(text(&run.stdout).contains("wasmedge       not available: built without"));
}

#[test]
fn isolation_in_worker_processes_changes_no_verdict() {
    let args = [
        "run", "--case", "args/*", "--case", "exit/*", "--case", "stdio/*",
    ];
    let direct = wasi_conform(&repo(), &args);
    let isolated = wasi_conform(&repo(), &[&args[..], &["--isolate"]].concat());
    assert_eq!(
        isolated.status.code(),
        Some(0),
        "{}",
        text(&isolated.stderr)
    );
    assert_eq!(text(&direct.stdout), text(&isolated.stdout));
}
