//! Judging a wasi-testsuite test: the sandbox, the exit code, then stdout
//! and stderr byte for byte where the test's spec gives them.

use crate::judge::{diff, exit_problems, run_error};
use crate::model::outcome::Outcome;
use crate::model::verdict::{Judgement, RunError, Verdict};

/// Lines of a stdout or stderr diff shown for a failed test.
const DIFF_LINES: usize = 24;

/// Judges a run of a test: the sandbox, the exit code, then stdout and
/// stderr byte for byte where the spec gives them.
/// What a wasi-testsuite test expects of a run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expected<'a> {
    pub exit_code: i32,
    /// The exact stdout, when the test gives it.
    pub stdout: Option<&'a str>,
    /// The exact stderr, when the test gives it.
    pub stderr: Option<&'a str>,
}

pub fn judge(spec: Expected, run: &Result<Outcome, RunError>) -> Judgement {
    let outcome = match run {
        Ok(outcome) => outcome,
        Err(err) => return run_error(err),
    };
    if let Err(escape) = &outcome.canary {
        return Judgement {
            verdict: Verdict::Fail,
            detail: format!("sandbox escape: {escape}"),
        };
    }
    let mut problems = exit_problems(spec.exit_code, outcome);
    for (name, want, got) in [
        ("stdout", spec.stdout, &outcome.raw_stdout),
        ("stderr", spec.stderr, &outcome.stderr),
    ] {
        if let Some(want) = want.filter(|want| want.as_bytes() != got.as_slice()) {
            let diff = diff(want, &String::from_utf8_lossy(got));
            let mut lines: Vec<&str> = diff.lines().collect();
            let more = lines.len().saturating_sub(DIFF_LINES);
            lines.truncate(DIFF_LINES);
            problems.push(format!("{name} differs:\n{}", lines.join("\n")));
            if more > 0 {
                problems.push(format!("({more} more diff lines)"));
            }
        }
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

    #[test]
    fn judged_by_exit_code_and_exact_output() {
        let spec = Expected {
            stdout: Some("@@wasi {\"call\":\"x\"}\nhi\n"),
            exit_code: 2,
            ..Expected::default()
        };
        let good = outcome(Status::Exit(2), "@@wasi {\"call\":\"x\"}\nhi\n", "anything");
        assert_eq!(judge(spec, &good).verdict, Verdict::Pass);

        let bad = judge(spec, &outcome(Status::Exit(0), "hi\n", "oops"));
        assert_eq!(bad.verdict, Verdict::Fail);
        assert!(
            bad.detail
                .starts_with("expected exit 2, got exit 0\nstderr: oops\nstdout differs:\n"),
            "{}",
            bad.detail
        );
        assert!(bad.detail.contains("-@@wasi"), "{}", bad.detail);

        let stderr = Expected {
            stderr: Some("e"),
            ..Expected::default()
        };
        assert_eq!(
            judge(stderr, &outcome(Status::Exit(0), "", "e")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            judge(stderr, &outcome(Status::Exit(0), "", "f")).verdict,
            Verdict::Fail
        );

        let mut escaped = outcome(Status::Exit(0), "", "").unwrap();
        escaped.canary = Err("canary canary.txt was modified".into());
        assert!(
            judge(Expected::default(), &Ok(escaped))
                .detail
                .starts_with("sandbox escape")
        );
        assert_eq!(
            judge(Expected::default(), &Err(RunError::Timeout(String::new()))).verdict,
            Verdict::Timeout
        );
    }
}
