//! Judging a wasi-testsuite test as the official runner does: the sandbox,
//! then each operation after `run` in order. A `read` takes as many
//! characters from its stream as the expected text has (upstream's
//! `do_read`), so the expected text is a prefix of what the guest wrote; a
//! `wait` compares the exit code.

use crate::judge::{diff, exit_problems, run_error};
use crate::model::outcome::Outcome;
use crate::model::verdict::{Judgement, RunError, Verdict};
use crate::testsuite::spec::{Step, Stream};

/// Lines of a stdout or stderr diff shown for a failed test.
const DIFF_LINES: usize = 24;

/// How a `read` is matched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// As upstream: the expected text is what the guest wrote first.
    #[default]
    Prefix,
    /// Stricter than upstream (`testsuite --exact-output`): the reads of a
    /// stream take all of it.
    Exact,
}

/// Judges a run of a test by its steps.
pub fn judge(steps: &[Step], reads: Reads, run: &Result<Outcome, RunError>) -> Judgement {
    let outcome = match run {
        Ok(outcome) => outcome,
        Err(err) => return run_error(err),
    };
    if let Err(escape) = &outcome.canary {
        return escaped(escape);
    }
    let text = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .chars()
            .collect::<Vec<char>>()
    };
    let mut streams = [
        (Stream::Stdout, text(&outcome.raw_stdout), 0usize),
        (Stream::Stderr, text(&outcome.stderr), 0usize),
    ];
    let mut problems = Vec::new();
    let mut waited = false;
    for step in steps {
        match step {
            // Written up front; the others never come here: a spec with
            // them runs live (`testsuite::live`).
            Step::Write { .. }
            | Step::Connect { .. }
            | Step::Send { .. }
            | Step::Recv { .. }
            | Step::Request(_)
            | Step::Kill { .. } => {}
            Step::Wait { exit_code } => {
                waited = true;
                problems.extend(exit_problems(*exit_code, outcome));
            }
            Step::Read { stream, payload } => {
                let (_, chars, at) = streams
                    .iter_mut()
                    .find(|(s, ..)| s == stream)
                    .expect("reads are of stdout or stderr");
                let want = payload.chars().count();
                let end = (*at + want).min(chars.len());
                let got: String = chars[*at..end].iter().collect();
                *at = end;
                if got != *payload {
                    problems.push(mismatch(*stream, payload, &got));
                }
            }
        }
    }
    if reads == Reads::Exact {
        for (stream, chars, at) in &streams {
            if reads_from(steps, *stream) && *at < chars.len() {
                let rest: String = chars[*at..].iter().collect();
                problems.push(mismatch(*stream, "", &rest));
            }
        }
    }
    if !waited {
        problems.push(NEVER_WAITS.into());
    }
    if outcome.truncated && !problems.is_empty() {
        problems.push("output was truncated at the cap".into());
    }
    Judgement {
        verdict: if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        detail: problems.join("\n"),
    }
}

/// The problem of a spec with no `wait`.
pub(crate) const NEVER_WAITS: &str =
    "the spec never waits for the guest: the official runner kills it and fails the test";

/// The judgement of a run that reached outside its sandbox.
pub(crate) fn escaped(escape: &str) -> Judgement {
    Judgement {
        verdict: Verdict::Fail,
        detail: format!("sandbox escape: {escape}"),
    }
}

/// Whether some step reads `stream` (with `--exact-output`, such a stream
/// must then hold nothing more).
pub(crate) fn reads_from(steps: &[Step], stream: Stream) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Read { stream: r, .. } if *r == stream))
}

/// A failed read: what was expected of the stream and what it held there.
pub(crate) fn mismatch(stream: Stream, want: &str, got: &str) -> String {
    let name = stream.name();
    let diff = diff(want, got);
    let mut lines: Vec<&str> = diff.lines().collect();
    let more = lines.len().saturating_sub(DIFF_LINES);
    lines.truncate(DIFF_LINES);
    let mut text = format!("{name} differs:\n{}", lines.join("\n"));
    if more > 0 {
        text.push_str(&format!("\n({more} more diff lines)"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::outcome::{RawOutcome, Status};
    use wasi_conform_reference::snapshot::Snapshot;

    fn outcome(status: Status, stdout: &str, stderr: &str) -> Result<Outcome, RunError> {
        let raw = RawOutcome {
            status,
            stdout: stdout.into(),
            stderr: stderr.into(),
            truncated: false,
            fs: None,
        };
        Ok(Outcome::new(raw, Snapshot::default(), Ok(())))
    }

    fn read(stream: Stream, payload: &str) -> Step {
        Step::Read {
            stream,
            payload: payload.into(),
        }
    }

    #[test]
    fn reads_are_prefixes_in_order_then_the_exit_code() {
        let steps = [
            read(Stream::Stdout, "@@wasi {\"call\":\"x\"}\n"),
            read(Stream::Stdout, "hi"),
            Step::Wait { exit_code: 2 },
        ];
        let good = outcome(
            Status::Exit(2),
            "@@wasi {\"call\":\"x\"}\nhi\nmore",
            "anything",
        );
        assert_eq!(judge(&steps, Reads::Prefix, &good).verdict, Verdict::Pass);
        let exact = judge(&steps, Reads::Exact, &good);
        assert_eq!(exact.verdict, Verdict::Fail);
        assert!(exact.detail.contains("\n+more"), "{}", exact.detail);

        let bad = judge(
            &steps,
            Reads::Prefix,
            &outcome(Status::Exit(0), "hi\n", "oops"),
        );
        assert_eq!(bad.verdict, Verdict::Fail);
        assert!(
            bad.detail.starts_with("stdout differs:\n") && bad.detail.contains("-@@wasi"),
            "{}",
            bad.detail
        );
        assert!(
            bad.detail
                .ends_with("expected exit 2, got exit 0\nstderr: oops"),
            "{}",
            bad.detail
        );

        // A short stream fails the read; characters, not bytes, are counted.
        let stderr = [read(Stream::Stderr, "é!"), Step::Wait { exit_code: 0 }];
        assert_eq!(
            judge(&stderr, Reads::Prefix, &outcome(Status::Exit(0), "", "é!?")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            judge(&stderr, Reads::Prefix, &outcome(Status::Exit(0), "", "é")).verdict,
            Verdict::Fail
        );
        let unwaited = judge(&[], Reads::Prefix, &outcome(Status::Exit(0), "", ""));
        assert!(
            unwaited.detail.contains("never waits"),
            "{}",
            unwaited.detail
        );

        let mut escaped = outcome(Status::Exit(0), "", "").unwrap();
        escaped.canary = Err("canary canary.txt was modified".into());
        assert!(
            judge(&steps, Reads::Prefix, &Ok(escaped))
                .detail
                .starts_with("sandbox escape")
        );
        assert_eq!(
            judge(
                &steps,
                Reads::Prefix,
                &Err(RunError::Timeout(String::new()))
            )
            .verdict,
            Verdict::Timeout
        );
    }
}
