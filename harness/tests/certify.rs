//! Certification reports, the merged matrix in a real headless Chromium, and
//! CI mode: JUnit XML and `--update-expectations` with a deliberately broken
//! runtime template (in a temporary checkout, never committed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{repo, text, wasi_conform};

fn show(out: &Output) -> String {
    format!("{}\n{}", text(&out.stdout), text(&out.stderr))
}

/// A checkout sharing everything with this one (guest sources, the harness,
/// build output, blessed outcomes) but its own `reports/`,
/// `expected/runtimes/` and runtime templates (`templates`: file name and
/// contents).
fn checkout(templates: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let link = |from: &Path, to: &Path| std::os::unix::fs::symlink(from, to).unwrap();
    for entry in std::fs::read_dir(repo()).unwrap() {
        let name = entry.unwrap().file_name();
        if ![".git", "expected", "harness", "reports"].contains(&name.to_str().unwrap()) {
            link(&repo().join(&name), &dir.path().join(&name));
        }
    }
    let expected = dir.path().join("expected");
    std::fs::create_dir_all(expected.join("runtimes")).unwrap();
    for entry in std::fs::read_dir(repo().join("expected")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "runtimes" {
            link(&entry.path(), &expected.join(entry.file_name()));
        }
    }
    let harness = dir.path().join("harness");
    let runtimes = harness.join("runtimes");
    std::fs::create_dir_all(&runtimes).unwrap();
    for entry in std::fs::read_dir(repo().join("harness")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "runtimes" {
            link(&entry.path(), &harness.join(entry.file_name()));
        }
    }
    for (name, contents) in templates {
        std::fs::write(runtimes.join(name), contents).unwrap();
    }
    dir
}

/// The wasmtime CLI template renamed `broken` (so no expectation file
/// applies), its command wrapped in `sh -c '... >/dev/null'`: every line of
/// stdout, the call trace included, is lost.
fn broken_template() -> (&'static str, String) {
    let setup = wasi_conform(&repo(), &["setup", "wasmtime-cli"]);
    assert_eq!(setup.status.code(), Some(0), "{}", show(&setup));
    let real = std::fs::read_to_string(repo().join("harness/runtimes/wasmtime-cli.toml")).unwrap();
    let broken = real
        .replacen("name = \"wasmtime-cli\"", "name = \"broken\"", 1)
        .replacen(
            "command = [\"{binary}\",",
            "command = [\"sh\", \"-c\", \"exec \\\"$0\\\" \\\"$@\\\" >/dev/null\", \"{binary}\",",
            1,
        );
    assert!(broken.contains("name = \"broken\"") && broken.contains(">/dev/null"));
    ("broken.toml", broken)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn a_runtime_that_drops_stdout_fails_in_junit_and_in_its_expectations() {
    let root = checkout(&[broken_template()]);
    let junit = root.path().join("junit.xml");
    let out = wasi_conform(
        root.path(),
        &[
            "run",
            "--runtime",
            "broken",
            "--case",
            "args/*",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let listed = text(&wasi_conform(root.path(), &["list", "--case", "args/*"]).stdout);
    let pairs = listed.lines().count();
    assert!(pairs >= 5, "{listed}");
    assert_eq!(
        count(&xml, "<testcase classname=\"broken\""),
        pairs,
        "{xml}"
    );
    assert_eq!(count(&xml, "<failure type=\"diverge\""), pairs, "{xml}");
    assert!(xml.contains("name=\"args/several (p1)\""), "{xml}");
    // The failure carries the diff: the lost trace lines are removed lines.
    assert!(
        xml.contains("\n-{&quot;call&quot;:&quot;args_sizes_get&quot;"),
        "{xml}"
    );

    // Recording the broken verdicts writes each entry with a reason read
    // from its own evidence and the difference it pins; the next run is
    // green and JUnit passes every known verdict with its reason.
    let out = wasi_conform(
        root.path(),
        &[
            "run",
            "--runtime",
            "broken",
            "--case",
            "args/*",
            "--update-expectations",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let recorded =
        std::fs::read_to_string(root.path().join("expected/runtimes/broken.toml")).unwrap();
    assert_eq!(count(&recorded, "\nevidence = "), pairs, "{recorded}");
    assert_eq!(count(&recorded, "\nreason = "), pairs, "{recorded}");
    assert!(!recorded.contains("TODO"), "{recorded}");
    let out = wasi_conform(
        root.path(),
        &[
            "run",
            "--runtime",
            "broken",
            "--case",
            "args/*",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(count(&xml, "<failure"), 0, "{xml}");
    assert_eq!(count(&xml, "<system-out>known diverge: "), pairs, "{xml}");

    let out = Command::new(env!("CARGO_BIN_EXE_wasi-conform"))
        .arg("--root")
        .arg(root.path())
        .args(["run", "--runtime", "broken", "--update-expectations"])
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("never runs in CI"),
        "{}",
        show(&out)
    );
}

#[test]
fn certify_and_report_write_a_matrix_that_renders_in_chromium() {
    let root = checkout(&[]);
    let out = wasi_conform(root.path(), &["certify", "--runtime", "reference"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let reports = root.path().join("reports");
    let dir = reports.join("reference-0.1.0-in-repo");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["runtime"], "reference");
    assert_eq!(json["version"], "0.1.0 (in-repo)");
    assert!(
        json["harness"]
            .as_str()
            .unwrap()
            .starts_with("wasi-conform ")
    );
    assert!(
        json["date"].as_str().unwrap().ends_with('Z'),
        "{}",
        json["date"]
    );
    let guests = json["guests"].as_object().unwrap();
    assert!(guests.contains_key("args.p1"), "{guests:?}");
    assert!(guests.values().all(|h| h.as_str().unwrap().len() == 64));
    let runs = json["runs"].as_array().unwrap();
    // Every ABI the reference host runs: p1, p1-component and p2.
    let listed = text(&wasi_conform(root.path(), &["list", "--abi", "p1,p1-component,p2"]).stdout);
    assert_eq!(runs.len(), listed.lines().count());
    let several = runs.iter().find(|r| r["case"] == "args/several").unwrap();
    assert_eq!(several["verdict"], "pass");
    assert_eq!(
        several["calls"],
        serde_json::json!(["args_get", "args_sizes_get"])
    );

    // The reference runs all three paths: its report compares them.
    let cross_abi = &json["cross_abi"];
    assert!(cross_abi["paired"].as_u64().unwrap() > 0, "{cross_abi}");
    assert!(cross_abi["differing"].is_array(), "{cross_abi}");

    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for needle in [
        "## Summary per WASI area",
        "| args |",
        "## Summary per ABI",
        "## The same scenario through p1, the adapter and 0.2",
        "## WASI preview1 functions",
        "| `args_get` |",
        "## Runs that did not pass",
    ] {
        assert!(md.contains(needle), "{needle}: {md}");
    }
    assert!(
        !md.contains(json["date"].as_str().unwrap()),
        "no date in the Markdown"
    );
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("href=\"../reference-0.1.0-in-repo/report.html\""));

    let out = wasi_conform(root.path(), &["report"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let index = std::fs::read_to_string(reports.join("index.md")).unwrap();
    assert!(index.contains("| function | reference |"), "{index}");
    assert!(
        index.contains("[report](reference-0.1.0-in-repo/report.md)"),
        "{index}"
    );
    let html = std::fs::read(reports.join("index.html")).unwrap();
    let again = wasi_conform(root.path(), &["report"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        html,
        std::fs::read(reports.join("index.html")).unwrap(),
        "reproducible"
    );
    let html = text(&html);
    assert!(html.contains("href=\"reference-0.1.0-in-repo/report.html\""));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );

    let Some(browser) = chromium() else { return };
    let page = format!("file://{}", reports.join("index.html").display());
    let (dom, log) = headless(&browser, &["--dump-dom", &page]);
    let consoled: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        consoled.is_empty(),
        "the page logged to the console: {consoled:?}"
    );
    assert!(!dom.contains("data-js-error=\""), "a script failed: {dom}");
    let cells: usize = dom
        .split("data-matrix-cells=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the page script did not run: {dom}"));
    assert!(cells >= 10, "{cells} matrix cells");
    assert!(dom.contains("<code>args_get</code>"), "{dom}");

    let png = root.path().join("matrix.png");
    let shot = format!("--screenshot={}", png.display());
    headless(&browser, &["--window-size=1280,1400", &shot, &page]);
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1400));
    // A blank page of that size compresses to about 8 KB; the matrix does not.
    assert!(
        bytes.len() > 40_000,
        "screenshot of {} bytes looks empty",
        bytes.len()
    );
}

/// Runs headless Chromium with a fresh profile; returns stdout and stderr.
fn headless(browser: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", show(&out));
    (text(&out.stdout), text(&out.stderr))
}

/// Chromium on PATH, else installed by `harness/scripts/install-chromium.sh`.
/// When that cannot install it, the test is skipped with a loud notice,
/// except under `CI=true`, where a missing browser is a failure.
fn chromium() -> Option<PathBuf> {
    let find = || {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| {
                std::env::split_paths(&std::env::var_os("PATH")?)
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
    };
    if let Some(found) = find() {
        return Some(found);
    }
    let script = repo().join("harness/scripts/install-chromium.sh");
    let installed = Command::new("sh").arg(&script).status();
    if let Some(found) = find() {
        return Some(found);
    }
    let why = format!(
        "no Chromium, and {} could not install it ({installed:?})",
        script.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!(
        "\n{bar}\nSKIPPED: the HTML report was not checked in a browser: {why}.\n\
         Run `sudo harness/scripts/install-chromium.sh` (Debian) or put chromium on PATH.\n{bar}\n",
        bar = "!".repeat(78)
    );
    None
}
