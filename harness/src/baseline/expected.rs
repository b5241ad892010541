//! Blessed reference outcomes: `expected/<case>.<abi>.out`, one per (case, ABI).
//!
//! The file is a comment header (case, ABI, where the outcome was blessed
//! from) followed by the outcome's body as [`normalise::body`] renders it.
//! Comparison renders the actual outcome the same way and diffs the two
//! texts, so what a reviewer reads is what is compared.

use crate::judge::normalise::{self, normalise_trace, trace_lines};
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::model::outcome::Outcome;
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const EXTENSION: &str = "out";

/// The expected-file path of (case, abi) under `dir`.
pub fn path(dir: &Path, case: &Case, abi: Abi) -> PathBuf {
    dir.join(format!("{}.{}.{EXTENSION}", case.name, abi.name()))
}

/// The whole expected file for an outcome blessed from `oracle`.
pub fn render_file(case: &Case, abi: Abi, outcome: &Outcome, oracle: &str) -> String {
    format!(
        "# wasi-conform expected outcome: rewrite with `wasi-conform bless`, never by hand\n\
         # case: {}\n# abi: {}\n# blessed from: {oracle}\n{}",
        case.name,
        abi.name(),
        normalise::body(case, outcome)
    )
}

/// Reads an expected file and returns its body (header comments removed),
/// with allowed errnos normalised as [`normalise::body`] does.
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
    // The trace normalisation applies to blessed traces too.
    let trace: Vec<&str> = trace_lines(&body).collect();
    let start = body
        .find("== trace\n")
        .map_or(body.len(), |i| i + "== trace\n".len());
    let end = start + trace.iter().map(|line| line.len() + 1).sum::<usize>();
    Ok(format!(
        "{}{}{}",
        &body[..start],
        normalise_trace(case, trace.into_iter()),
        &body[end.min(body.len())..]
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::normalise::tests::{case, outcome};

    #[test]
    fn written_file_reads_back_as_the_same_body() {
        let case = case(&[]);
        let dir = tempfile::tempdir().unwrap();
        let out = outcome(b"@@wasi {\"call\":\"a\",\"errno\":\"ok\"}\nno newline", b"");
        let file = path(dir.path(), &case, Abi::P1);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, render_file(&case, Abi::P1, &out, "reference 0.1.0")).unwrap();
        assert_eq!(
            read_body(&case, &file).unwrap(),
            normalise::body(&case, &out)
        );
        assert!(orphans(dir.path(), std::slice::from_ref(&case)).is_empty());
        std::fs::write(dir.path().join("io/old.p1.out"), "status: exit 0\n").unwrap();
        assert_eq!(
            orphans(dir.path(), &[case]),
            vec![dir.path().join("io/old.p1.out")]
        );
    }

    #[test]
    fn a_missing_file_names_the_bless_command() {
        let case = case(&[]);
        let err = read_body(&case, Path::new("/nonexistent/io/x.p1.out")).unwrap_err();
        assert!(format!("{err:#}").contains("wasi-conform bless --case io/x"));
    }
}
