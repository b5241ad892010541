//! What `run` prints and writes: the per-runtime summary table, the details
//! of every unexpected verdict, and the JSON record of all runs.

use crate::runner::Record;
use crate::verdict::Verdict;
use anyhow::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// A runtime as it appears in the summary.
pub struct RuntimeLine {
    pub name: String,
    pub version: String,
    /// (case × ABI) pairs skipped because the runtime does not run that ABI.
    pub skipped: usize,
    /// `Some(reason)` when the runtime could not run at all.
    pub unavailable: Option<String>,
}

/// The summary table, then every record that is not as expected.
pub fn summary(runtimes: &[RuntimeLine], records: &[Record]) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<14} {:<40}", "runtime", "version");
    for verdict in Verdict::ALL {
        let _ = write!(out, " {:>7}", short(verdict));
    }
    let _ = writeln!(out, " {:>7} {:>7} {:>10}", "skipped", "known", "unexpected");
    for runtime in runtimes {
        if let Some(reason) = &runtime.unavailable {
            let _ = writeln!(out, "{:<14} not available: {reason}", runtime.name);
            continue;
        }
        let mine: Vec<&Record> = records
            .iter()
            .filter(|r| r.runtime == runtime.name)
            .collect();
        let _ = write!(
            out,
            "{:<14} {:<40}",
            runtime.name,
            truncate(&runtime.version, 40)
        );
        for verdict in Verdict::ALL {
            let _ = write!(
                out,
                " {:>7}",
                mine.iter().filter(|r| r.verdict == verdict).count()
            );
        }
        let known = mine
            .iter()
            .filter(|r| r.verdict != Verdict::Pass && r.as_expected())
            .count();
        let unexpected = mine.iter().filter(|r| !r.as_expected()).count();
        let _ = writeln!(
            out,
            " {:>7} {:>7} {:>10}",
            runtime.skipped, known, unexpected
        );
    }
    for record in records.iter().filter(|r| !r.as_expected()) {
        let what = if record.verdict == Verdict::Pass {
            format!(
                "now passes, but {} is recorded: update the expectation file",
                record.expected
            )
        } else if record.expected == Verdict::Pass {
            record.verdict.to_string()
        } else {
            format!("{} (recorded: {})", record.verdict, record.expected)
        };
        let _ = writeln!(
            out,
            "\n{} {} on {}: {what}",
            record.case, record.abi, record.runtime
        );
        for line in record.detail.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

fn short(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Unsupported => "unsupp",
        other => other.name(),
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        text.chars().take(width - 1).chain(['…']).collect()
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    runs: &'a [Record],
}

/// Writes `{"runs": [...]}` to `path` atomically.
pub fn write_json(path: &Path, records: &[Record]) -> Result<()> {
    let json = serde_json::to_vec_pretty(&JsonReport { runs: records })?;
    crate::layout::write_atomic(path, &json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::Abi;

    fn record(verdict: Verdict, expected: Verdict) -> Record {
        Record {
            case: "io/x".into(),
            abi: Abi::P1,
            runtime: "rt".into(),
            verdict,
            detail: "-a\n+b".into(),
            expected,
            reason: None,
        }
    }

    #[test]
    fn counts_and_lists_unexpected_records() {
        let runtimes = [
            RuntimeLine {
                name: "rt".into(),
                version: "1.0".into(),
                skipped: 2,
                unavailable: None,
            },
            RuntimeLine {
                name: "gone".into(),
                version: String::new(),
                skipped: 0,
                unavailable: Some("not installed".into()),
            },
        ];
        let records = [
            record(Verdict::Pass, Verdict::Pass),
            record(Verdict::Diverge, Verdict::Diverge),
            record(Verdict::Diverge, Verdict::Pass),
            record(Verdict::Pass, Verdict::Fail),
        ];
        let text = summary(&runtimes, &records);
        let row = text.lines().find(|l| l.starts_with("rt ")).unwrap();
        let numbers: Vec<&str> = row.split_whitespace().skip(2).collect();
        assert_eq!(
            numbers,
            ["2", "0", "2", "0", "0", "0", "2", "1", "2"],
            "{text}"
        );
        assert!(
            text.contains("gone           not available: not installed"),
            "{text}"
        );
        assert!(
            text.contains("io/x p1 on rt: diverge\n    -a\n    +b"),
            "{text}"
        );
        assert!(text.contains("now passes, but fail is recorded"), "{text}");
    }
}
