//! Blessed reference outcomes: `expected/<case>.<abi>.out`, one per (case, ABI).
//!
//! The file is the rendered outcome: a comment header, then sections
//! `status`, `== trace`, `== stdout N`, `== stderr N`, `== fs`. Output up to
//! [`INLINE_LIMIT`] bytes of UTF-8 is stored verbatim (exactly N bytes after
//! the header line); larger or binary output is stored as its length and
//! sha256. Comparison renders the actual outcome the same way and diffs the
//! two texts, so what a reviewer reads is what is compared.

use crate::abi::Abi;
use crate::manifest::Case;
use crate::outcome::{Outcome, Status};
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Output longer than this is stored as a digest, not inline.
pub const INLINE_LIMIT: usize = 4096;
const EXTENSION: &str = "out";

/// The expected-file path of (case, abi) under `dir`.
pub fn path(dir: &Path, case: &Case, abi: Abi) -> PathBuf {
    dir.join(format!("{}.{}.{EXTENSION}", case.name, abi.name()))
}

/// The comparable body of an outcome: everything but the comment header.
///
/// Status and stderr of a trap are not compared (runtimes word traps
/// differently); see RATIONALE.md.
pub fn render_body(case: &Case, outcome: &Outcome) -> String {
    let mut out = format!("status: {}\n", outcome.status.summary());
    if outcome.truncated {
        out.push_str("output: truncated at the cap\n");
    }
    if let Err(escape) = &outcome.canary {
        out.push_str(&format!("sandbox escape: {escape}\n"));
    }
    out.push_str("== trace\n");
    for line in &outcome.trace {
        out.push_str(&normalise_errno(case, line));
        out.push('\n');
    }
    render_blob(&mut out, "stdout", &outcome.stdout);
    match outcome.status {
        Status::Exit(_) => render_blob(&mut out, "stderr", &outcome.stderr),
        Status::Trap(_) => out.push_str("== stderr (not compared after a trap)\n"),
    }
    out.push_str("== fs\n");
    out.push_str(&outcome.fs.to_text());
    out
}

/// The whole expected file for an outcome blessed from `oracle`.
pub fn render_file(case: &Case, abi: Abi, outcome: &Outcome, oracle: &str) -> String {
    format!(
        "# wasi-conform expected outcome: rewrite with `wasi-conform bless`, never by hand\n\
         # case: {}\n# abi: {}\n# blessed from: {oracle}\n{}",
        case.name,
        abi.name(),
        render_body(case, outcome)
    )
}

/// Reads an expected file and returns its body (header comments removed),
/// with allowed errnos normalised as [`render_body`] does.
pub fn read_body(case: &Case, path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "{}: missing expected outcome for `{}` (run `wasi-conform bless --case {}`)",
            path.display(),
            case.name,
            case.name
        )
    })?;
    let body: String = text
        .split_inclusive('\n')
        .skip_while(|line| line.starts_with('#'))
        .collect();
    if !body.starts_with("status: ") {
        bail!(
            "{}: not an expected-outcome file (no `status:` line)",
            path.display()
        );
    }
    // Allowed-errno normalisation applies to blessed traces too.
    let mut normalised = String::with_capacity(body.len());
    let mut in_trace = false;
    for line in body.split_inclusive('\n') {
        if line.starts_with("== ") {
            in_trace = line == "== trace\n";
            normalised.push_str(line);
        } else if in_trace {
            normalised.push_str(&normalise_errno(case, line.trim_end_matches('\n')));
            normalised.push('\n');
        } else {
            normalised.push_str(line);
        }
    }
    Ok(normalised)
}

/// The lines of the `== trace` section of an expected file or body: one
/// JSON object per call (`{"call":...}`) or guest check (`{"check":...}`).
pub fn trace_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .skip_while(|line| *line != "== trace")
        .skip(1)
        .take_while(|line| !line.starts_with("== "))
}

/// Finds expected files under `dir` that belong to no (case, ABI).
pub fn orphans(dir: &Path, cases: &[Case]) -> Vec<PathBuf> {
    let known: BTreeSet<PathBuf> = cases
        .iter()
        .flat_map(|case| case.abis.iter().map(|&abi| path(dir, case, abi)))
        .collect();
    let mut found = Vec::new();
    collect_out_files(dir, &mut found);
    found.retain(|p| !known.contains(p));
    found.sort();
    found
}

fn collect_out_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            collect_out_files(&path, found);
        } else if path.extension().is_some_and(|x| x == EXTENSION) {
            found.push(path);
        }
    }
}

fn render_blob(out: &mut String, name: &str, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text)
            if bytes.len() <= INLINE_LIMIT
                && !text.starts_with("== ")
                && !text.contains("\n== ") =>
        {
            out.push_str(&format!("== {name} {}\n{text}\n", bytes.len()));
        }
        _ => out.push_str(&format!(
            "== {name} {} sha256:{:x}\n",
            bytes.len(),
            Sha256::digest(bytes)
        )),
    }
}

/// Replaces an errno the case allows several values for by the allowed set,
/// so any member of the set compares equal (the raw trace keeps the choice).
fn normalise_errno(case: &Case, line: &str) -> String {
    if case.allowed_errnos.is_empty() {
        return line.to_string();
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
        return line.to_string();
    };
    let (Some(call), Some(errno)) = (value["call"].as_str(), value["errno"].as_str()) else {
        return line.to_string();
    };
    match case.allowed_errnos.get(call) {
        Some(allowed) if allowed.iter().any(|e| e == errno) => line.replace(
            &format!("\"errno\":\"{errno}\""),
            &format!("\"errno\":\"one of {}\"", allowed.join("|")),
        ),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::RawOutcome;
    use wasi_conform_reference::snapshot::Snapshot;

    fn case(allowed: &[(&str, &[&str])]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(
            &path,
            "[[case]]\nname = \"io/x\"\nguest = \"g\"\ndescription = \"d\"\nabis = [\"p1\"]\n",
        )
        .unwrap();
        let mut case = crate::manifest::load_file(&path).unwrap().remove(0);
        for (call, errnos) in allowed {
            case.allowed_errnos.insert(
                call.to_string(),
                errnos.iter().map(|e| e.to_string()).collect(),
            );
        }
        case
    }

    fn outcome(stdout: &[u8], stderr: &[u8]) -> Outcome {
        let raw = RawOutcome {
            status: Status::Exit(0),
            stdout: stdout.to_vec(),
            stderr: stderr.to_vec(),
            truncated: false,
            fs: None,
        };
        Outcome::new(raw, Snapshot::default(), Ok(()))
    }

    #[test]
    fn written_file_reads_back_as_the_same_body() {
        let case = case(&[]);
        let dir = tempfile::tempdir().unwrap();
        let out = outcome(b"@@wasi {\"call\":\"a\",\"errno\":\"ok\"}\nno newline", b"");
        let file = path(dir.path(), &case, Abi::P1);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, render_file(&case, Abi::P1, &out, "reference 0.1.0")).unwrap();
        assert_eq!(read_body(&case, &file).unwrap(), render_body(&case, &out));
        assert!(orphans(dir.path(), std::slice::from_ref(&case)).is_empty());
        std::fs::write(dir.path().join("io/old.p1.out"), "status: exit 0\n").unwrap();
        assert_eq!(
            orphans(dir.path(), &[case]),
            vec![dir.path().join("io/old.p1.out")]
        );
    }

    #[test]
    fn large_or_binary_output_is_a_digest() {
        let case = case(&[]);
        let body = render_body(&case, &outcome(&vec![b'x'; INLINE_LIMIT + 1], &[0xff]));
        assert!(
            body.contains(&format!("== stdout {} sha256:", INLINE_LIMIT + 1)),
            "{body}"
        );
        assert!(body.contains("== stderr 1 sha256:"), "{body}");
    }

    #[test]
    fn allowed_errnos_compare_equal() {
        let case = case(&[("path_open", &["notdir", "noent"])]);
        let a = render_body(
            &case,
            &outcome(
                b"@@wasi {\"call\":\"path_open\",\"errno\":\"notdir\"}\n",
                b"",
            ),
        );
        let b = render_body(
            &case,
            &outcome(
                b"@@wasi {\"call\":\"path_open\",\"errno\":\"noent\"}\n",
                b"",
            ),
        );
        let c = render_body(
            &case,
            &outcome(b"@@wasi {\"call\":\"path_open\",\"errno\":\"badf\"}\n", b""),
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_missing_file_names_the_bless_command() {
        let case = case(&[]);
        let err = read_body(&case, Path::new("/nonexistent/io/x.p1.out")).unwrap_err();
        assert!(format!("{err:#}").contains("wasi-conform bless --case io/x"));
    }
}
