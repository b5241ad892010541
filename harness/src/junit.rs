//! JUnit XML for CI (`run --junit FILE`): one `<testsuite>` per runtime,
//! one `<testcase>` per (case, ABI, runtime) with `classname` = runtime and
//! `name` = `case (abi)`.
//!
//! A testcase fails exactly when `run` counts the record as unexpected: a
//! verdict the runtime's expectation file does not record (the `<failure>`
//! carries the verdict and its evidence, the diff), or a recorded non-pass
//! verdict that now passes. A known, recorded verdict is a *passing*
//! testcase whose `<system-out>` gives the verdict and the recorded reason:
//! the baseline held, and CI dashboards should not count it as skipped
//! (it ran).

use crate::layout::write_atomic;
use crate::report;
use crate::runner::Record;
use crate::verdict::Verdict;
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
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            report::escape(runtime),
            mine.len(),
            mine.iter().filter(|r| !r.as_expected()).count()
        );
        for record in mine {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{} ({})\"",
                report::escape(runtime),
                report::escape(&record.case),
                record.abi
            );
            if record.as_expected() && record.verdict == Verdict::Pass {
                xml.push_str("/>\n");
                continue;
            }
            xml.push_str(">\n");
            if record.as_expected() {
                let _ = writeln!(
                    xml,
                    "      <system-out>known {}: {}</system-out>",
                    record.verdict,
                    report::escape(record.reason.as_deref().unwrap_or(""))
                );
            } else {
                let _ = writeln!(
                    xml,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    record.verdict,
                    report::escape(&report::unexpected(record)),
                    report::escape(&record.detail)
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
    use crate::abi::Abi;

    fn record(runtime: &str, verdict: Verdict, expected: Verdict) -> Record {
        Record {
            case: "io/x".into(),
            abi: Abi::P1,
            runtime: runtime.into(),
            verdict,
            detail: "-a <b>\n+c\u{1}".into(),
            expected,
            reason: (expected != Verdict::Pass).then(|| "bug & co".into()),
        }
    }

    #[test]
    fn unexpected_verdicts_fail_and_known_ones_pass_with_their_reason() {
        let xml = render(&[
            record("a", Verdict::Pass, Verdict::Pass),
            record("a", Verdict::Diverge, Verdict::Pass),
            record("b", Verdict::Fail, Verdict::Fail),
            record("b", Verdict::Pass, Verdict::Diverge),
        ]);
        assert!(
            xml.contains("<testsuites name=\"wasi-conform\" tests=\"4\" failures=\"2\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<testsuite name=\"a\" tests=\"2\" failures=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase classname=\"a\" name=\"io/x (p1)\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure type=\"diverge\" message=\"diverge\">-a &lt;b&gt;\n+c\u{FFFD}</failure>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<system-out>known fail: bug &amp; co</system-out>"),
            "{xml}"
        );
        assert!(
            xml.contains("message=\"now passes, but diverge is recorded"),
            "{xml}"
        );
    }
}
