//! Judging a run: its own checks, then the blessed reference outcome. This
//! is where every verdict is decided ([`judge`] for suite cases,
//! [`testsuite::judge`] for wasi-testsuite tests); [`normalise`] is what
//! makes two outcomes comparable.

pub mod normalise;
pub mod testsuite;

use crate::model::abi::Abi;
use crate::model::case::{Binding, Case};
use crate::model::outcome::{Outcome, Status};
use crate::model::verdict::{Judgement, RunError, Verdict};

/// Judges a run of `case` as `abi` against the blessed body `expected_body`,
/// by the case's tier:
///
/// - an escape from the sandbox is `escape`, whatever the tier;
/// - a guest that says the host lacks what the case needs (a preopen under
///   the name the case asks for) is `unsupported`;
/// - a `must` case whose guest checks fail (or that exits otherwise) is
///   `fail`; a `robustness` case too, but only where the call it should have
///   refused changed the filesystem; a `robustness` case that traps passes
///   (a trap is an acceptable answer to an undefined value);
/// - any other difference from the blessed outcome is `diverge`: on the
///   tiers below `must` it is portability information, never a failure.
pub fn judge(
    case: &Case,
    abi: Abi,
    run: &Result<Outcome, RunError>,
    expected_body: &str,
) -> Judgement {
    let outcome = match run {
        Ok(outcome) => outcome,
        Err(err) => return run_error(err),
    };
    if let Err(escape) = &outcome.canary {
        return judgement(Verdict::Escape, format!("sandbox escape: {escape}"));
    }
    if let Some(why) = outcome.unsupported() {
        return judgement(
            Verdict::Unsupported,
            format!("the case cannot run here: {why}"),
        );
    }
    if let (Binding::Robustness, Status::Trap(message)) = (case.binding, &outcome.status) {
        return judgement(
            Verdict::Pass,
            format!(
                "trapped, an acceptable answer to an undefined value: {}",
                trap_summary(message)
            ),
        );
    }
    let mut problems = exit_problems(case.expected_exit(abi), outcome);
    for check in outcome.failed_checks() {
        problems.push(format!("guest check failed: {check}"));
    }
    let actual_body = normalise::body(case, outcome);
    let difference = (actual_body != expected_body).then(|| diff(expected_body, &actual_body));
    match (problems.is_empty(), difference) {
        (false, difference) => {
            let verdict = if breaks_requirement(case.binding, expected_body, &actual_body) {
                Verdict::Fail
            } else {
                Verdict::Diverge
            };
            problems.extend(difference);
            judgement(verdict, problems.join("\n"))
        }
        (true, Some(difference)) => judgement(Verdict::Diverge, difference),
        (true, None) => judgement(Verdict::Pass, String::new()),
    }
}

/// Whether a run that failed its own checks broke a requirement: any check
/// of a `must` case; on `robustness`, only a refusal that did not happen and
/// changed the filesystem instead (the `== fs` sections differ).
fn breaks_requirement(tier: Binding, expected_body: &str, actual_body: &str) -> bool {
    let fs = |body: &str| body.find("\n== fs\n").map(|at| body[at..].to_string());
    match tier {
        Binding::Must => true,
        Binding::Robustness => fs(expected_body) != fs(actual_body),
        Binding::Should | Binding::ImplementationDefined => false,
    }
}

/// The verdict of a run that produced no outcome.
pub fn run_error(err: &RunError) -> Judgement {
    match err {
        RunError::Unsupported(why) => judgement(Verdict::Unsupported, why.clone()),
        RunError::Crash(why) => judgement(Verdict::Crash, why.clone()),
        RunError::Timeout(last) if last.is_empty() => {
            judgement(Verdict::Timeout, "no exit within the timeout".into())
        }
        RunError::Timeout(last) => judgement(
            Verdict::Timeout,
            format!("no exit within the timeout; the last trace line before it: {last}"),
        ),
        // `exec::executor::execute` turns these into errors of the command.
        RunError::Harness(fault) => unreachable!("a harness fault reached judging: {fault}"),
    }
}

/// Empty when the run exited `want`; else what it did instead and, as
/// evidence, the end of its stderr.
pub fn exit_problems(want: i32, outcome: &Outcome) -> Vec<String> {
    if outcome.status == Status::Exit(want) {
        return Vec::new();
    }
    let got = match &outcome.status {
        Status::Exit(code) => format!("exit {code}"),
        Status::Trap(msg) => format!("trap: {}", trap_summary(msg)),
    };
    let mut problems = vec![format!("expected exit {want}, got {got}")];
    if !outcome.stderr.is_empty() {
        problems.push(format!("stderr: {}", excerpt(&outcome.stderr)));
    }
    problems
}

/// The end of a runtime's stderr, enough to see why it stopped.
fn excerpt(stderr: &[u8]) -> String {
    const LIMIT: usize = 600;
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim_end();
    let start = text.len().saturating_sub(LIMIT);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    let tail = &text[start..];
    if start > 0 {
        format!("…{tail}")
    } else {
        tail.to_string()
    }
}

/// A unified diff, expected (`-`) against actual (`+`).
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

fn judgement(verdict: Verdict, detail: String) -> Judgement {
    Judgement { verdict, detail }
}

/// The line of a trap message that says why: after wasmtime's generic
/// "error while executing at wasm backtrace:" and its frames, the last
/// `Caused by:` entry (its `N: ` numbering dropped); else the first line.
fn trap_summary(message: &str) -> &str {
    let Some(causes) = message.split("Caused by:").nth(1) else {
        return message.lines().next().unwrap_or("");
    };
    // With RUST_BACKTRACE set, the host's own backtrace follows the causes.
    let causes = causes.split("Stack backtrace:").next().unwrap_or(causes);
    let last = causes
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match last.split_once(": ") {
        Some((number, rest)) if number.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => last,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_trap_is_summarised_by_its_last_cause() {
        let wasmtime = "error while executing at wasm backtrace:\n    0: 0x1 - f\n\nCaused by:\n    0: outer\n    1: wasm trap: wasm `unreachable` instruction executed\n";
        assert_eq!(
            super::trap_summary(wasmtime),
            "wasm trap: wasm `unreachable` instruction executed"
        );
        assert_eq!(
            super::trap_summary("RuntimeError: unreachable\n  at x"),
            "RuntimeError: unreachable"
        );
        let with_backtrace = "error\n\nCaused by:\n    0: Invalid enum value Clockid\n\nStack backtrace:\n   0: clone3\n             at clone3.S:81\n";
        assert_eq!(
            super::trap_summary(with_backtrace),
            "Invalid enum value Clockid"
        );
    }

    use super::*;
    use crate::model::outcome::RawOutcome;
    use wasi_conform_reference::snapshot::Snapshot;

    fn case(exit: i32) -> Case {
        let mut case = Case::new("io/x", "g", "d", vec![Abi::P1, Abi::P2]);
        case.exit = exit;
        case
    }

    fn run(status: Status, stdout: &str) -> Result<Outcome, RunError> {
        let raw = RawOutcome {
            status,
            stdout: stdout.into(),
            stderr: vec![],
            truncated: false,
            fs: None,
        };
        Ok(Outcome::new(raw, Snapshot::default(), Ok(())))
    }

    #[test]
    fn pass_diverge_and_fail() {
        let case = case(7);
        let good = run(Status::Exit(7), "hi\n");
        let body = normalise::body(&case, good.as_ref().unwrap());
        assert_eq!(judge(&case, Abi::P1, &good, &body).verdict, Verdict::Pass);

        let other = judge(&case, Abi::P1, &run(Status::Exit(7), "ho\n"), &body);
        assert_eq!(other.verdict, Verdict::Diverge);
        insta::assert_snapshot!("divergence_diff", other.detail);

        let wrong_exit = judge(&case, Abi::P1, &run(Status::Exit(1), "hi\n"), &body);
        assert_eq!(wrong_exit.verdict, Verdict::Fail);
        let trap = judge(
            &case,
            Abi::P1,
            &run(Status::Trap("unreachable\nbacktrace".into()), ""),
            &body,
        );
        assert!(
            trap.detail
                .starts_with("expected exit 7, got trap: unreachable\n--- expected"),
            "{}",
            trap.detail
        );
    }

    #[test]
    fn components_expect_exit_1_for_a_nonzero_p1_exit() {
        let case = case(7);
        let run = run(Status::Exit(1), "");
        let body = normalise::body(&case, run.as_ref().unwrap());
        assert_eq!(judge(&case, Abi::P2, &run, &body).verdict, Verdict::Pass);
    }

    #[test]
    fn a_failed_check_fails_only_a_must_case_and_an_escape_is_an_escape() {
        let case = case(0);
        let checked = run(Status::Exit(0), "@@wasi {\"check\":\"c\",\"ok\":false}\n");
        let body = normalise::body(&case, checked.as_ref().unwrap());
        let judged = judge(&case, Abi::P1, &checked, &body);
        assert_eq!(judged.verdict, Verdict::Fail);
        assert_eq!(
            judged.detail,
            "guest check failed: {\"check\":\"c\",\"ok\":false}"
        );

        let mut escaped = run(Status::Exit(0), "").unwrap();
        escaped.canary = Err("canary canary.txt was modified".into());
        let judged = judge(&case, Abi::P1, &Ok(escaped), "");
        assert_eq!(
            (judged.verdict, judged.detail.starts_with("sandbox escape")),
            (Verdict::Escape, true)
        );

        for tier in [Binding::Should, Binding::ImplementationDefined] {
            let case = Case {
                binding: tier,
                ..case.clone()
            };
            let judged = judge(&case, Abi::P1, &checked, &body);
            assert_eq!(judged.verdict, Verdict::Diverge, "{tier:?}");
        }
    }

    #[test]
    fn robustness_accepts_a_trap_and_fails_only_a_change_of_state() {
        let case = Case {
            binding: Binding::Robustness,
            ..case(0)
        };
        let refused = run(Status::Exit(0), "@@wasi {\"check\":\"c\",\"ok\":true}\n").unwrap();
        let body = normalise::body(&case, &refused);
        let trapped = run(Status::Trap("unreachable".into()), "");
        assert_eq!(
            judge(&case, Abi::P1, &trapped, &body).verdict,
            Verdict::Pass
        );

        let accepted = run(Status::Exit(1), "@@wasi {\"check\":\"c\",\"ok\":false}\n");
        assert_eq!(
            judge(&case, Abi::P1, &accepted, &body).verdict,
            Verdict::Diverge
        );
        let mut changed = accepted.unwrap();
        changed.fs = Snapshot::from_text(
            "f new.txt 0 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
        )
        .unwrap();
        assert_eq!(
            judge(&case, Abi::P1, &Ok(changed), &body).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn a_wrong_exit_shows_the_end_of_stderr() {
        let case = case(0);
        let mut failed = run(Status::Exit(3), "").unwrap();
        failed.stderr = format!("{}\nError: boom", "x".repeat(2000)).into_bytes();
        let body = normalise::body(&case, &failed);
        let judged = judge(&case, Abi::P1, &Ok(failed), &body);
        assert!(
            judged
                .detail
                .starts_with("expected exit 0, got exit 3\nstderr: …"),
            "{}",
            judged.detail
        );
        assert!(
            judged.detail.ends_with("x\nError: boom"),
            "{}",
            judged.detail
        );
    }

    #[test]
    fn runtime_errors_become_their_verdicts() {
        let case = case(0);
        for (err, verdict) in [
            (
                RunError::Unsupported("unknown import".into()),
                Verdict::Unsupported,
            ),
            (RunError::Crash("SIGSEGV".into()), Verdict::Crash),
            (RunError::Timeout(String::new()), Verdict::Timeout),
        ] {
            assert_eq!(judge(&case, Abi::P1, &Err(err), "").verdict, verdict);
        }
    }
}
