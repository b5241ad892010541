//! A record: the verdict of one (case, ABI, runtime) with what was expected
//! of it. Every summary, report, matrix and JUnit file is made of records.

use crate::model::abi::Abi;
use crate::model::case::Binding;
use crate::model::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// The verdict of one job, with what was expected of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub case: String,
    pub abi: Abi,
    pub runtime: String,
    pub verdict: Verdict,
    /// The case's tier: how binding what it checks is (`None` in a report
    /// written before cases had tiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Binding>,
    /// Evidence: the diff, the failed check, the crash message.
    pub detail: String,
    /// The verdict recorded in the runtime's expectation file (`pass` if none).
    pub expected: Verdict,
    /// The recorded reason, when the verdict is a known one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The difference the expectation entry was recorded with (its first
    /// differing line, [`fingerprint`]); the same verdict with another
    /// difference is unexpected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_evidence: Option<String>,
}

impl Record {
    /// Whether the verdict is what the expectation file says (or `pass`),
    /// with the same difference where the entry pins one. An escape is
    /// never as expected.
    pub fn as_expected(&self) -> bool {
        self.verdict == self.expected
            && self.verdict != Verdict::Escape
            && self
                .recorded_evidence
                .as_ref()
                .is_none_or(|pinned| *pinned == fingerprint(&self.detail))
    }

    /// Whether the verdict is as recorded but its difference is not.
    pub fn evidence_changed(&self) -> bool {
        self.verdict == self.expected && self.verdict != Verdict::Pass && !self.as_expected()
    }
}

#[cfg(test)]
impl Record {
    /// A record of case `io/x` as p1 on runtime `rt`, with no tier, reason
    /// or pinned evidence: what tests of the renderers and baselines start from.
    pub fn sample(verdict: Verdict, expected: Verdict, detail: &str) -> Record {
        Record {
            case: "io/x".into(),
            abi: Abi::P1,
            runtime: "rt".into(),
            verdict,
            tier: None,
            detail: detail.into(),
            expected,
            reason: None,
            recorded_evidence: None,
        }
    }
}

/// Whether `line` of a unified diff is a removed or added line (not the
/// `---`/`+++` header).
pub fn is_changed_line(line: &str) -> bool {
    (line.starts_with('-') || line.starts_with('+'))
        && !line.starts_with("---")
        && !line.starts_with("+++")
}

/// What pins a difference: the first line of the evidence that differs
/// (a `-`/`+` line of the diff, not its `---`/`+++` header), else its first
/// line; at most 300 characters.
pub fn fingerprint(detail: &str) -> String {
    let line = detail
        .lines()
        .find(|line| is_changed_line(line))
        .or_else(|| detail.lines().next())
        .unwrap_or("");
    line.chars().take(300).collect()
}

/// A runtime as it appears in a summary.
#[derive(Debug, Clone)]
pub struct RuntimeLine {
    pub name: String,
    pub version: String,
    /// (case × ABI) pairs skipped because the runtime does not run that ABI.
    pub skipped: usize,
    /// `Some(reason)` when the runtime could not run at all.
    pub unavailable: Option<String>,
    /// The version its expectation file was recorded with, when that is
    /// not this version.
    pub baseline_version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(verdict: Verdict, expected: Verdict, detail: &str, pinned: Option<&str>) -> Record {
        Record {
            case: "io/x".into(),
            abi: Abi::P1,
            runtime: "rt".into(),
            verdict,
            tier: Some(Binding::Should),
            detail: detail.into(),
            expected,
            reason: Some("r".into()),
            recorded_evidence: pinned.map(str::to_string),
        }
    }

    #[test]
    fn the_same_verdict_with_another_difference_is_unexpected() {
        let diff =
            |got: &str| format!("--- expected\n+++ actual\n@@ -1 +1 @@\n-errno ok\n+errno {got}\n");
        let pinned = fingerprint(&diff("badf"));
        assert_eq!(pinned, "-errno ok");
        let held = record(
            Verdict::Diverge,
            Verdict::Diverge,
            &diff("badf"),
            Some(&pinned),
        );
        assert!(held.as_expected());
        // The reference's line is the first changed one: pin what differs.
        let moved = "--- expected\n+++ actual\n@@ -1 +1 @@\n-errno inval\n+errno badf\n";
        let other = record(Verdict::Diverge, Verdict::Diverge, moved, Some(&pinned));
        assert!(!other.as_expected() && other.evidence_changed());
        // An escape is never as expected, even where it was recorded.
        assert!(!record(Verdict::Escape, Verdict::Escape, "sandbox escape", None).as_expected());
    }
}
