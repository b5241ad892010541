//! Normalisation: an outcome as the text that is compared (its "body"),
//! with what may legitimately differ between runtimes made equal: errnos
//! from a case's allowed set, descriptor numbers a runtime chose, large or
//! binary output as a digest.
//!
//! Status, trace, stdout, stderr and filesystem are sections of the body
//! (`status`, `== trace`, `== stdout N`, `== stderr N`, `== fs`); output up
//! to [`INLINE_LIMIT`] bytes of UTF-8 is kept verbatim, larger or binary
//! output as its length and sha256.

use crate::model::case::Case;
use crate::model::outcome::{Outcome, Status};
use sha2::{Digest, Sha256};

/// Output longer than this is stored as a digest, not inline.
pub const INLINE_LIMIT: usize = 4096;

/// The comparable body of an outcome: everything but the comment header.
///
/// Status and stderr of a trap are not compared (runtimes word traps
/// differently); see RATIONALE.md.
pub fn body(case: &Case, outcome: &Outcome) -> String {
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

/// The trace section's text: each line with its allowed errnos normalised
/// ([`normalise_errno`]), and descriptor numbers the runtime chose as
/// classes ([`FdClasses`]).
pub fn normalise_trace<'a>(case: &Case, lines: impl Iterator<Item = &'a str>) -> String {
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
pub(crate) mod tests {
    use super::*;
    use crate::model::abi::Abi;
    use crate::model::outcome::RawOutcome;
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

    pub(crate) fn case(allowed: &[(&str, &[&str])]) -> Case {
        let mut case = Case::new("io/x", "g", "d", vec![Abi::P1]);
        for (call, errnos) in allowed {
            case.allowed_errnos.insert(
                call.to_string(),
                errnos.iter().map(|e| e.to_string()).collect(),
            );
        }
        case
    }

    pub(crate) fn outcome(stdout: &[u8], stderr: &[u8]) -> Outcome {
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
    fn large_or_binary_output_is_a_digest() {
        let case = case(&[]);
        let body = body(&case, &outcome(&vec![b'x'; INLINE_LIMIT + 1], &[0xff]));
        assert!(
            body.contains(&format!("== stdout {} sha256:", INLINE_LIMIT + 1)),
            "{body}"
        );
        assert!(body.contains("== stderr 1 sha256:"), "{body}");
    }

    #[test]
    fn allowed_errnos_compare_equal() {
        let case = case(&[("path_open", &["notdir", "noent"])]);
        let a = body(
            &case,
            &outcome(
                b"@@wasi {\"call\":\"path_open\",\"errno\":\"notdir\"}\n",
                b"",
            ),
        );
        let b = body(
            &case,
            &outcome(
                b"@@wasi {\"call\":\"path_open\",\"errno\":\"noent\"}\n",
                b"",
            ),
        );
        let c = body(
            &case,
            &outcome(b"@@wasi {\"call\":\"path_open\",\"errno\":\"badf\"}\n", b""),
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
