//! What a run left behind: exit status, program output, call trace, filesystem.

use wasi_conform_reference::snapshot::Snapshot;

/// The marker that starts every call-trace line a guest prints on stdout.
pub const TRACE_MARKER: &[u8] = b"@@wasi ";

/// How the guest stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A normal exit (returning from `_start` is exit 0).
    Exit(i32),
    /// A trap; the message is evidence only, never compared.
    Trap(String),
}

impl Status {
    /// The form used in expected files and diffs (`exit 7`, `trap`).
    pub fn summary(&self) -> String {
        match self {
            Status::Exit(code) => format!("exit {code}"),
            Status::Trap(_) => "trap".to_string(),
        }
    }
}

/// The raw result of a run, before the harness splits the trace out.
#[derive(Debug, Clone)]
pub struct RawOutcome {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Whether stdout or stderr hit the output cap.
    pub truncated: bool,
    /// The filesystem, for runtimes that do not run on the real sandbox
    /// (the reference host's in-memory fs); `None` means snapshot the sandbox.
    pub fs: Option<Snapshot>,
}

/// A run as the harness compares it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    /// Program output: stdout with every trace line removed.
    pub stdout: Vec<u8>,
    /// stdout exactly as the guest wrote it, trace lines included.
    pub raw_stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The call trace: one JSON object per line, marker removed.
    pub trace: Vec<String>,
    pub fs: Snapshot,
    /// `Err` describes a sandbox escape (a canary touched).
    pub canary: Result<(), String>,
    pub truncated: bool,
}

impl Outcome {
    /// Splits the trace out of `raw.stdout` and attaches the filesystem state.
    pub fn new(raw: RawOutcome, fs: Snapshot, canary: Result<(), String>) -> Outcome {
        let (trace, stdout) = split_trace(&raw.stdout);
        Outcome {
            status: raw.status,
            stdout,
            raw_stdout: raw.stdout,
            stderr: raw.stderr,
            trace,
            fs,
            canary,
            truncated: raw.truncated,
        }
    }

    /// Why the guest says the case cannot run on this host (an
    /// `{"unsupported":WHY}` line: the host lacks something no WASI text
    /// requires of it, such as a preopen under the name the case asks for).
    pub fn unsupported(&self) -> Option<String> {
        self.trace
            .iter()
            .filter(|line| line.starts_with("{\"unsupported\""))
            .find_map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                value["unsupported"].as_str().map(str::to_string)
            })
    }

    /// The guest's own checks of requirements that failed
    /// (`{"check":...,"ok":false}` lines). A check with a `tier` below `must`
    /// (`"tier":"should"`) is not one: its line is part of the compared body,
    /// so its failure shows as a difference.
    pub fn failed_checks(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter(|line| {
                line.starts_with("{\"check\"")
                    && line.contains("\"ok\":false")
                    && !line.contains("\"tier\":")
            })
            .map(String::as_str)
            .collect()
    }
}

/// Removes every `@@wasi {...}\n` occurrence from `stdout`, even one glued to
/// preceding program output, and returns (trace lines, remaining output).
///
/// Trace JSON never holds a raw newline, so a trace line ends at the next `\n`
/// (or at the end of output, when a guest was cut off mid-line).
pub fn split_trace(stdout: &[u8]) -> (Vec<String>, Vec<u8>) {
    let mut trace = Vec::new();
    let mut output = Vec::with_capacity(stdout.len());
    let mut rest = stdout;
    while let Some(at) = find(rest, TRACE_MARKER) {
        output.extend_from_slice(&rest[..at]);
        let line_start = at + TRACE_MARKER.len();
        let line_end = rest[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |n| line_start + n);
        trace.push(String::from_utf8_lossy(&rest[line_start..line_end]).into_owned());
        rest = &rest[(line_end + 1).min(rest.len())..];
    }
    output.extend_from_slice(rest);
    (trace, output)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_lines_are_removed_even_when_glued_to_output() {
        let stdout =
            b"hello@@wasi {\"call\":\"fd_write\"}\nworld\n@@wasi {\"check\":\"x\",\"ok\":true}\n";
        let (trace, output) = split_trace(stdout);
        assert_eq!(
            trace,
            vec!["{\"call\":\"fd_write\"}", "{\"check\":\"x\",\"ok\":true}"]
        );
        assert_eq!(output, b"helloworld\n");
    }

    #[test]
    fn the_raw_stdout_keeps_the_trace() {
        let stdout = b"a@@wasi {\"call\":\"x\"}\nb".to_vec();
        let raw = RawOutcome {
            status: Status::Exit(0),
            stdout: stdout.clone(),
            stderr: vec![],
            truncated: false,
            fs: None,
        };
        let outcome = Outcome::new(raw, Snapshot::default(), Ok(()));
        assert_eq!(
            (outcome.stdout, outcome.raw_stdout),
            (b"ab".to_vec(), stdout)
        );
    }

    #[test]
    fn an_unterminated_trace_line_ends_the_output() {
        let (trace, output) = split_trace(b"a\n@@wasi {\"call\":\"x\"");
        assert_eq!(trace, vec!["{\"call\":\"x\""]);
        assert_eq!(output, b"a\n");
    }

    #[test]
    fn failed_checks_are_found_and_a_should_check_is_not_one() {
        let raw = RawOutcome {
            status: Status::Exit(1),
            stdout: concat!(
                "@@wasi {\"check\":\"a\",\"ok\":true}\n",
                "@@wasi {\"check\":\"b\",\"ok\":false}\n",
                "@@wasi {\"check\":\"c\",\"ok\":false,\"tier\":\"should\"}\n",
            )
            .as_bytes()
            .to_vec(),
            stderr: vec![],
            truncated: false,
            fs: None,
        };
        let outcome = Outcome::new(raw, Snapshot::default(), Ok(()));
        assert_eq!(
            outcome.failed_checks(),
            vec!["{\"check\":\"b\",\"ok\":false}"]
        );
    }
}
