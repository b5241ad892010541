//! `wasi-conform testsuite`, `export` and `coverage` end to end: the sample
//! tests in `testsuite-samples/` (built from `.wat` here), an export of the
//! suite run back through `testsuite`, and the coverage of the blessed traces.

use std::path::Path;
use std::process::Output;

mod common;
use common::{repo, text};

/// `wasi-conform` on this checkout.
fn wasi_conform(args: &[&str]) -> Output {
    common::wasi_conform(&repo(), args)
}

/// A copy of `testsuite-samples/` with every `X.wat` built into `X.wasm`.
fn samples() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else if path.extension().is_some_and(|x| x == "wat") {
                let wasm = wat::parse_file(&path).unwrap();
                std::fs::write(target.with_extension("wasm"), wasm).unwrap();
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite-samples"),
        dir.path(),
    );
    dir
}

fn runs(json: &Path) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    report["runs"].as_array().unwrap().clone()
}

fn assert_one_line_error(output: &Output, needles: &[&str]) {
    let stderr = text(&output.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(last.starts_with("wasi-conform: error: "), "{stderr}");
    for needle in needles {
        assert!(last.contains(needle), "{needle}: {stderr}");
    }
}

#[test]
fn samples_pass_and_their_fixtures_stay_unchanged() {
    let dir = samples();
    let json = dir.path().join("report.json");
    let out = wasi_conform(&[
        "testsuite",
        dir.path().to_str().unwrap(),
        "--runtime",
        "reference,wasmtime",
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    // `live` cannot run on the reference host, and that is not as expected.
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("hello.json: unknown field `comment` (ignored)"),
        "{stderr}"
    );
    let runs = runs(&json);
    assert_eq!(runs.len(), 2 * 7, "{stdout}");
    for run in &runs {
        let name = run["case"].as_str().unwrap();
        let want = if name.ends_with("/live") && run["runtime"] == "reference" {
            "unsupported"
        } else {
            "pass"
        };
        assert_eq!(run["verdict"], want, "{run}");
        assert_eq!(run["expected"], "pass", "{run}");
    }
    assert!(
        stdout.contains("`reference` runs a guest only to its end"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "pass        reference      {}/fs_root",
            dir.path().display()
        )),
        "{stdout}"
    );
    // fs_root created new.txt in its sandbox, never in the fixture.
    let mut fixture: Vec<_> = std::fs::read_dir(dir.path().join("fixture.dir"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    fixture.sort();
    assert_eq!(fixture, ["data.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fixture.dir/data.txt")).unwrap(),
        "from the fixture\n"
    );
}

#[test]
fn a_failure_shows_a_diff_and_a_component_without_run_is_unsupported() {
    let dir = samples();
    std::fs::write(dir.path().join("hello.json"), r#"{"stdout": "goodbye\n"}"#).unwrap();
    std::fs::remove_file(dir.path().join("live.wasm")).unwrap();
    std::fs::write(
        dir.path().join("component.wasm"),
        wat::parse_str("(component)").unwrap(),
    )
    .unwrap();
    let out = wasi_conform(&["testsuite", dir.path().to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "fail        reference      {}/hello",
            dir.path().display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("stdout differs:")
            && stdout.contains("-goodbye")
            // As many characters as expected are read, as upstream reads.
            && stdout.contains("+hello, t\n"),
        "{stdout}"
    );
    // The reference host runs components too: one exporting no
    // `wasi:cli/run` is unsupported, naming what is missing.
    assert!(
        stdout.contains(&format!(
            "unsupported reference      {}/component",
            dir.path().display()
        )) && stdout.contains("no exported instance named `wasi:cli/run@0.2"),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("reference "))
        .unwrap();
    let numbers: Vec<&str> = row.split_whitespace().rev().take(3).collect();
    // unexpected, known, skipped (read from the end of the row)
    assert_eq!(numbers, ["2", "0", "0"], "{stdout}");
}

#[test]
fn bad_input_is_a_one_line_error_naming_the_file() {
    let out = wasi_conform(&["testsuite", "/nonexistent/tests"]);
    assert_one_line_error(
        &out,
        &["/nonexistent/tests: cannot read the test directory"],
    );

    let empty = tempfile::tempdir().unwrap();
    let out = wasi_conform(&["testsuite", empty.path().to_str().unwrap()]);
    assert_one_line_error(&out, &["no tests (*.wasm) found"]);

    let dir = samples();
    std::fs::write(dir.path().join("hello.json"), "{\"stdout\": ").unwrap();
    let out = wasi_conform(&["testsuite", dir.path().to_str().unwrap()]);
    assert_one_line_error(&out, &["hello.json: ", "EOF"]);

    let dir = samples();
    std::fs::write(dir.path().join("broken.wasm"), "(module)").unwrap();
    let out = wasi_conform(&["testsuite", dir.path().to_str().unwrap()]);
    assert_one_line_error(&out, &["broken.wasm: not a WebAssembly binary"]);

    let dir = samples();
    let out = wasi_conform(&[
        "testsuite",
        dir.path().to_str().unwrap(),
        "--runtime",
        "nope",
    ]);
    assert_one_line_error(&out, &["unknown runtime `nope`"]);
}

#[test]
fn export_output_runs_unchanged_through_wasi_conform_testsuite() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("export");
    let out = wasi_conform(&[
        "export",
        "--format",
        "wasi-testsuite",
        out_dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let exported: usize = stdout
        .strip_prefix("exported ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(exported >= 20, "{stdout}");
    // stdout is the guest's whole stdout, trace lines included.
    let args: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("args/several/args.json")).unwrap())
            .unwrap();
    assert_eq!(
        args["args"],
        serde_json::json!(["a", "b c", "--flag=value", "-x"])
    );
    assert!(
        args["stdout"]
            .as_str()
            .unwrap()
            .starts_with("@@wasi {\"call\":\"args_sizes_get\""),
        "{args}"
    );

    let json = dir.path().join("report.json");
    let out = wasi_conform(&[
        "testsuite",
        out_dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let report = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}\n{}",
        text(&out.stderr)
    );
    let runs = runs(&json);
    assert_eq!(runs.len(), exported, "{report}");
    assert!(runs.iter().all(|r| r["verdict"] == "pass"), "{report}");

    let again = wasi_conform(&[
        "export",
        "--format",
        "wasi-testsuite",
        out_dir.to_str().unwrap(),
    ]);
    assert_one_line_error(&again, &["exists and is not empty"]);
    let unknown = wasi_conform(&["export", "--format", "junit", out_dir.to_str().unwrap()]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown.stderr));
}

#[test]
fn coverage_lists_the_46_preview1_and_the_wasi_0_2_and_0_3_functions() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("coverage.json");
    let out = wasi_conform(&["coverage", "--json", json.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let coverage: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let functions = coverage["functions"].as_object().unwrap();
    assert_eq!(functions.len(), 46);
    assert_eq!(coverage.as_object().unwrap().len(), 3);
    // Every WASI 0.2 function of the WIT, from the p2 cases' trace names:
    // each filesystem and streams function in 3 cases or more, every other
    // one in one or more (exit-with-code's guest is counted from its blessed
    // trace, which it may not have yet), wasi:http's included.
    let p2 = coverage["p2_functions"].as_object().unwrap();
    assert!(p2.contains_key("wasi:sockets/tcp.tcp-socket.start-bind"));
    for (name, cases) in p2 {
        let cases = cases.as_u64().unwrap();
        if name.starts_with("wasi:filesystem/") || name.starts_with("wasi:io/streams.") {
            assert!(cases >= 3, "{name}: {cases}");
        } else if name != "wasi:cli/exit.exit-with-code" {
            assert!(cases >= 1, "{name}: {cases}");
        }
    }
    assert!(stdout.contains("WASI 0.2 functions called by at least one case"));
    // Every WASI 0.3 function of the WIT, from the p3 cases' `calls`.
    let p3 = coverage["p3_functions"].as_object().unwrap();
    assert!(p3.len() > 80, "{p3:?}");
    assert!(p3["wasi:sockets/types.tcp-socket.bind"].as_u64().unwrap() >= 3);
    assert!(stdout.contains("WASI 0.3 functions called by at least one case"));
    let fd_write = &functions["fd_write"];
    assert!(fd_write["cases"].as_u64().unwrap() >= 3, "{fd_write}");
    let errnos: Vec<&str> = fd_write["errnos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        errnos.contains(&"ok") && errnos.contains(&"badf"),
        "{errnos:?}"
    );
    assert!(errnos.is_sorted(), "{errnos:?}");
    for (name, function) in functions {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name}: {stdout}"));
        let few = function["cases"].as_u64().unwrap() < 3;
        assert_eq!(row.contains(" < "), few, "{row}");
    }
}
