//! JUnit XML for CI (`run --junit FILE`): one `<testsuite>` per runtime,
//! one `<testcase>` per (case, ABI, runtime) with `classname` = runtime and
//! `name` = `case (abi)`.
//!
//! A testcase fails exactly when `run` counts the record as unexpected: a
//! verdict the runtime's expectation file does not record (the `<failure>`
//! carries the verdict and its evidence, the diff), or a recorded non-pass
//! verdict that now passes. A known, recorded verdict is a *passing*
//! testcase whose `<system-out>` gives the verdict and the recorded reason:
//! the baseline held. A known `unsupported` is `<skipped>` (nothing ran), and
//! so never counts as a pass.

use crate::layout::write_atomic;
use crate::model::record::Record;
use crate::model::verdict::Verdict;
use crate::render::summary;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

/// The JUnit XML document for `records`, runtimes in order of appearance.
pub fn render(records: &[Record]) -> String {
    let mut runtimes: Vec<&str> = Vec::new();
    for record in records {
        if !runtimes.contains(&record.runtime.as_str()) {
            runtimes.push(&record.runtime);
        }
    }
    let failures = records.iter().filter(|r| !r.as_expected()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"wasi-conform\" tests=\"{}\" failures=\"{failures}\">",
        records.len()
    );
    for runtime in runtimes {
        let mine: Vec<&Record> = records.iter().filter(|r| r.runtime == runtime).collect();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            summary::escape(runtime),
            mine.len(),
            mine.iter().filter(|r| !r.as_expected()).count(),
            mine.iter()
                .filter(|r| r.as_expected() && r.verdict == Verdict::Unsupported)
                .count()
        );
        for record in mine {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{} ({})\"",
                summary::escape(runtime),
                summary::escape(&record.case),
                record.abi
            );
            if record.as_expected() && record.verdict == Verdict::Pass {
                xml.push_str("/>\n");
                continue;
            }
            xml.push_str(">\n");
            if record.as_expected() && record.verdict == Verdict::Unsupported {
                let _ = writeln!(
                    xml,
                    "      <skipped message=\"{}\"/>",
                    summary::escape(record.reason.as_deref().unwrap_or("unsupported"))
                );
            } else if record.as_expected() {
                let _ = writeln!(
                    xml,
                    "      <system-out>known {}: {}</system-out>",
                    record.verdict,
                    summary::escape(record.reason.as_deref().unwrap_or(""))
                );
            } else {
                let _ = writeln!(
                    xml,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    record.verdict,
                    summary::escape(&summary::unexpected(record)),
                    summary::escape(&record.detail)
                );
            }
            xml.push_str("    </testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Writes [`render`]`(records)` to `path` atomically.
pub fn write(path: &Path, records: &[Record]) -> Result<()> {
    write_atomic(path, render(records).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(runtime: &str, verdict: Verdict, expected: Verdict) -> Record {
        Record {
            runtime: runtime.into(),
            reason: (expected != Verdict::Pass).then(|| "bug & co".into()),
            ..Record::sample(verdict, expected, "-a <b>\n+c\u{1}")
        }
    }

    #[test]
    fn unexpected_verdicts_fail_and_known_ones_pass_with_their_reason() {
        let xml = render(&[
            record("a", Verdict::Pass, Verdict::Pass),
            record("a", Verdict::Diverge, Verdict::Pass),
            record("b", Verdict::Fail, Verdict::Fail),
            record("b", Verdict::Pass, Verdict::Diverge),
            record("b", Verdict::Unsupported, Verdict::Unsupported),
        ]);
        insta::assert_snapshot!(xml);
    }
}
