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
    out.push_str(&normalise_trace(
        case,
        outcome.trace.iter().map(String::as_str),
    ));
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

/// The trace section's text: each line with its allowed errnos normalised
/// ([`normalise_errno`]), and descriptor numbers the runtime chose as
/// classes ([`FdClasses`]).
fn normalise_trace<'a>(case: &Case, lines: impl Iterator<Item = &'a str>) -> String {
    let mut fds = FdClasses::default();
    let mut out = String::new();
    for line in lines {
        out.push_str(&fds.normalise(&normalise_errno(case, line)));
        out.push('\n');
    }
    out
}

/// Descriptor numbers a runtime chose, renamed `new0`, `new1`, ...
///
/// Preview1 says what `path_open` and `sock_accept` return is a new
/// descriptor, not which number it gets: the reference host takes the lowest
/// free one, WasmEdge and WAMR draw them at random. So a number first seen
/// as the `fd` a call returned is written as a class, the lowest one no open
/// descriptor holds, everywhere it appears after (`fd`, `old_fd`, `new_fd`,
/// `to`, poll subscriptions), also once `fd_close` or `fd_renumber` closed
/// it. Numbers the guest chose (stdio, preopens, bad descriptors) stay as
/// they are. RATIONALE.md, "Why are returned descriptor numbers compared
/// as classes?".
#[derive(Default)]
struct FdClasses {
    /// Descriptor number -> class, for every number a call returned.
    class: std::collections::BTreeMap<u64, usize>,
    /// The numbers returned and not closed since.
    open: std::collections::BTreeSet<u64>,
}

impl FdClasses {
    /// The trace line with descriptor numbers of known classes replaced,
    /// after learning from it what it opened and closed.
    fn normalise(&mut self, line: &str) -> String {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            return line.to_string();
        };
        let ok = value["errno"] == "ok";
        match value["call"].as_str() {
            Some("path_open" | "sock_accept") if ok => {
                if let Some(fd) = value["ret"]["fd"].as_u64() {
                    let held: Vec<usize> = self.open.iter().map(|n| self.class[n]).collect();
                    let free = (0..).find(|c| !held.contains(c)).expect("a free class");
                    self.class.insert(fd, free);
                    self.open.insert(fd);
                }
            }
            Some("fd_close" | "fd_renumber") if ok => {
                if let Some(fd) = value["args"]["fd"].as_u64() {
                    self.open.remove(&fd);
                }
            }
            _ => {}
        }
        self.rename(line)
    }

    /// `line` with every `"fd":N` (and `old_fd`, `new_fd`, `to`) whose N
    /// has a class written as that class.
    fn rename(&self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(at) = FD_KEYS
            .iter()
            .filter_map(|key| rest.find(key).map(|i| (i, *key)))
            .min()
        {
            let (i, key) = at;
            let after = &rest[i + key.len()..];
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            out.push_str(&rest[..i + key.len()]);
            match after[..digits]
                .parse::<u64>()
                .ok()
                .and_then(|n| self.class.get(&n))
            {
                Some(class) => out.push_str(&format!("\"new{class}\"")),
                None => out.push_str(&after[..digits]),
            }
            rest = &after[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// The JSON keys whose number is a descriptor.
const FD_KEYS: [&str; 4] = ["\"fd\":", "\"old_fd\":", "\"new_fd\":", "\"to\":"];

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

    #[test]
    fn returned_descriptors_compare_as_classes() {
        let trace = |fds: [u64; 3]| {
            let [a, b, c] = fds;
            [
                format!(
                    r#"{{"call":"path_open","args":{{"fd":3,"path":"x"}},"errno":"ok","ret":{{"fd":{a}}}}}"#
                ),
                format!(
                    r#"{{"call":"path_open","args":{{"fd":3,"path":"y"}},"errno":"ok","ret":{{"fd":{b}}}}}"#
                ),
                format!(r#"{{"call":"fd_close","args":{{"fd":{a}}},"errno":"ok","ret":{{}}}}"#),
                format!(
                    r#"{{"call":"path_open","args":{{"fd":3,"path":"z"}},"errno":"ok","ret":{{"fd":{c}}}}}"#
                ),
                format!(
                    r#"{{"call":"fd_renumber","args":{{"fd":{c},"to":{b}}},"errno":"ok","ret":{{}}}}"#
                ),
                format!(r#"{{"call":"fd_read","args":{{"fd":{b},"iovs":[1]}},"errno":"ok"}}"#),
                format!(r#"{{"call":"fd_read","args":{{"fd":{c},"iovs":[1]}},"errno":"badf"}}"#),
            ]
        };
        let render =
            |lines: &[String]| normalise_trace(&case(&[]), lines.iter().map(String::as_str));
        let lowest = render(&trace([4, 5, 4]));
        assert_eq!(lowest, render(&trace([1234567, 99, 31337])));
        assert!(
            lowest.contains(r#""args":{"fd":"new0","to":"new1"}"#),
            "{lowest}"
        );
        assert!(
            lowest.contains(r#"{"call":"fd_read","args":{"fd":"new0","iovs":[1]},"errno":"badf"}"#),
            "{lowest}"
        );
        assert!(
            lowest.contains(r#""path":"x"},"errno":"ok","ret":{"fd":"new0"}"#),
            "{lowest}"
        );
        // A runtime that hands out the same number twice differs.
        assert_ne!(lowest, render(&trace([4, 5, 5])));
    }

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
