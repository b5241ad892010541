//! What `run` prints and writes: the per-runtime summary table, the details
//! of every unexpected verdict, and the JSON record of all runs.

use crate::model::record::{Record, RuntimeLine};
use crate::model::verdict::Verdict;
use anyhow::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// The summary table, then every record that is not as expected.
pub fn summary(runtimes: &[RuntimeLine], records: &[Record]) -> String {
    let mut out = String::new();
    for runtime in runtimes {
        if let Some(recorded) = &runtime.baseline_version {
            let _ = writeln!(
                out,
                "note: expected/runtimes/{}.toml was recorded with version `{recorded}`, this is `{}`: verdicts not as recorded may come from the new version",
                runtime.name, runtime.version
            );
        }
    }
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
        let tally = Tally::of(mine.iter().copied());
        for verdict in Verdict::ALL {
            let _ = write!(out, " {:>7}", tally.count(verdict));
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
    // Escapes first: they are security findings.
    let unexpected_records = records
        .iter()
        .filter(|r| !r.as_expected())
        .filter(|r| r.verdict == Verdict::Escape)
        .chain(
            records
                .iter()
                .filter(|r| !r.as_expected() && r.verdict != Verdict::Escape),
        );
    for record in unexpected_records {
        let _ = writeln!(
            out,
            "\n{} {} on {}: {}",
            record.case,
            record.abi,
            record.runtime,
            unexpected(record)
        );
        for line in record.detail.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// What is unexpected about a record: its verdict, the recorded one, or
/// that it now passes.
pub fn unexpected(record: &Record) -> String {
    if record.verdict == Verdict::Escape {
        "ESCAPE from the sandbox (a security finding; never recorded as known)".into()
    } else if record.evidence_changed() {
        format!(
            "{} as recorded, but with another difference (recorded: `{}`)",
            record.verdict,
            record.recorded_evidence.as_deref().unwrap_or("")
        )
    } else if record.verdict == Verdict::Pass {
        format!(
            "now passes, but {} is recorded: update the expectation file",
            record.expected
        )
    } else if record.expected == Verdict::Pass {
        record.verdict.to_string()
    } else {
        format!("{} (recorded: {})", record.verdict, record.expected)
    }
}

/// Verdict counts of a set of records: what every summary, table and matrix
/// cell shows. Indexed by the verdict's discriminant (the order of
/// [`Verdict::ALL`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally([usize; Verdict::ALL.len()]);

impl Tally {
    /// Counts the verdicts of `records`.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Tally {
        let mut tally = Tally::default();
        for record in records {
            tally.0[record.verdict as usize] += 1;
        }
        tally
    }

    /// How many records got `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.0[verdict as usize]
    }

    /// How many records there are.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// The pass rate as a percentage with one decimal, `-` when empty.
    pub fn pass_rate(&self) -> String {
        match self.total() {
            0 => "-".into(),
            total => format!(
                "{:.1}%",
                100.0 * self.count(Verdict::Pass) as f64 / total as f64
            ),
        }
    }

    /// The most serious verdict present (fail, crash and timeout before
    /// diverge, before unsupported, before pass); `None` when empty.
    pub fn worst(&self) -> Option<Verdict> {
        [
            Verdict::Escape,
            Verdict::Fail,
            Verdict::Crash,
            Verdict::Timeout,
            Verdict::Diverge,
            Verdict::Unsupported,
            Verdict::Pass,
        ]
        .into_iter()
        .find(|&v| self.count(v) > 0)
    }
}

/// Escapes text for XML and HTML content and double-quoted attributes;
/// characters XML 1.0 cannot hold (most control characters) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
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

    fn record(verdict: Verdict, expected: Verdict) -> Record {
        Record::sample(verdict, expected, "-a\n+b")
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}\n"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}\n"
        );
    }

    #[test]
    fn tally_counts_rates_and_the_worst_verdict() {
        let records = [
            record(Verdict::Pass, Verdict::Pass),
            record(Verdict::Unsupported, Verdict::Pass),
            record(Verdict::Diverge, Verdict::Pass),
            record(Verdict::Pass, Verdict::Pass),
        ];
        let tally = Tally::of(&records);
        assert_eq!((tally.total(), tally.count(Verdict::Pass)), (4, 2));
        assert_eq!(tally.pass_rate(), "50.0%");
        assert_eq!(tally.worst(), Some(Verdict::Diverge));
        assert_eq!(Tally::default().worst(), None);
        assert_eq!(Tally::default().pass_rate(), "-");
    }

    #[test]
    fn counts_and_lists_unexpected_records() {
        let runtimes = [
            RuntimeLine {
                name: "rt".into(),
                version: "1.0".into(),
                skipped: 2,
                unavailable: None,
                baseline_version: Some("0.9".into()),
            },
            RuntimeLine {
                name: "gone".into(),
                version: String::new(),
                skipped: 0,
                unavailable: Some("not installed".into()),
                baseline_version: None,
            },
        ];
        let records = [
            record(Verdict::Pass, Verdict::Pass),
            record(Verdict::Diverge, Verdict::Diverge),
            record(Verdict::Diverge, Verdict::Pass),
            record(Verdict::Pass, Verdict::Fail),
        ];
        let text = summary(&runtimes, &records);
        insta::assert_snapshot!(text);
    }
}
