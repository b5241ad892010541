//! The Markdown views: a runtime's `report.md` and the matrix of every
//! runtime in `reports/index.md`.

use crate::model::record::Record;
use crate::model::verdict::Verdict;
use crate::render::certificate::Certificate;
use crate::render::matrix::{Group, Matrix, Row};
use crate::render::summary::Tally;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `report.md`: summary per area and ABI, a table per WASI function, then
/// the evidence of every run that did not pass.
pub fn report(certificate: &Certificate) -> String {
    let c = certificate;
    let mut md = String::new();
    let all = Tally::of(c.records());
    let abis: Vec<&str> = c.abis.iter().map(|a| a.name()).collect();
    let _ = writeln!(md, "# WASI conformance: {}\n", c.runtime);
    let _ = writeln!(md, "- runtime: `{}`, {}", c.runtime, c.version);
    let _ = writeln!(md, "- harness: {}", c.harness);
    let _ = writeln!(md, "- ABIs: {}", abis.join(", "));
    let _ = writeln!(
        md,
        "- written by `wasi-conform certify --runtime {}`; the date and the sha256 of every guest are in `report.json`\n",
        c.runtime
    );
    let _ = writeln!(
        md,
        "**{} of {} runs pass ({}).**\n",
        all.count(Verdict::Pass),
        all.total(),
        all.pass_rate()
    );

    let _ = writeln!(md, "## Summary per WASI area\n");
    let mut areas: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in c.records() {
        areas.entry(area(&record.case)).or_default().push(record);
    }
    tally_table(
        &mut md,
        "area",
        areas
            .iter()
            .map(|(area, records)| (area.to_string(), Tally::of(records.iter().copied()))),
    );
    let _ = writeln!(md, "## Summary per ABI\n");
    tally_table(
        &mut md,
        "ABI",
        c.abis.iter().map(|&abi| {
            (
                abi.name().to_string(),
                Tally::of(c.records().filter(|r| r.abi == abi)),
            )
        }),
    );

    let matrix = Matrix::new(std::slice::from_ref(c));
    for (group, title) in [
        (Group::Preview1, "## WASI preview1 functions"),
        (Group::Preview2, "## WASI 0.2 functions"),
    ] {
        let rows: Vec<&Row> = matrix.rows.iter().filter(|r| r.group == group).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "{title}\n\nRuns of every case that calls the function (by its blessed call trace).\n"
        );
        tally_table(
            &mut md,
            "function",
            rows.iter()
                .map(|row| (format!("`{}`", row.function), row.tally(0))),
        );
    }
    if !matrix.uncovered.is_empty() {
        let names: Vec<String> = matrix.uncovered.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(
            md,
            "Preview1 functions no case calls yet: {}.\n",
            names.join(", ")
        );
    }

    let _ = writeln!(md, "## Runs that did not pass\n");
    let mut any = false;
    for record in c.records().filter(|r| r.verdict != Verdict::Pass) {
        any = true;
        let _ = writeln!(
            md,
            "### `{}` {}: {}\n",
            record.case, record.abi, record.verdict
        );
        match (&record.reason, record.as_expected()) {
            (Some(reason), true) => {
                let _ = writeln!(
                    md,
                    "Known (`expected/runtimes/{}.toml`): {reason}\n",
                    c.runtime
                );
            }
            _ => {
                let _ = writeln!(
                    md,
                    "Not recorded in `expected/runtimes/{}.toml` (recorded: {}).\n",
                    c.runtime, record.expected
                );
            }
        }
        // `certify` already cut the evidence ([`evidence`]).
        let fence = "`".repeat(longest_backtick_run(&record.detail).max(2) + 1);
        let _ = writeln!(md, "{fence}diff\n{}\n{fence}\n", record.detail.trim_end());
    }
    if !any {
        let _ = writeln!(md, "None.\n");
    }
    md
}

/// The WASI area of a case: its name up to the first `/`.
pub fn area(case: &str) -> &str {
    case.split('/').next().unwrap_or(case)
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A Markdown table: one row per (label, tally), a column per verdict.
fn tally_table(md: &mut String, label: &str, rows: impl Iterator<Item = (String, Tally)>) {
    let _ = write!(md, "| {label} | runs |");
    for verdict in Verdict::ALL {
        let _ = write!(md, " {verdict} |");
    }
    let _ = writeln!(md, " pass rate |");
    let _ = writeln!(md, "|---|---:|{}---:|", "---:|".repeat(Verdict::ALL.len()));
    for (name, tally) in rows {
        let _ = write!(md, "| {name} | {} |", tally.total());
        for verdict in Verdict::ALL {
            let _ = write!(md, " {} |", tally.count(verdict));
        }
        let _ = writeln!(md, " {} |", tally.pass_rate());
    }
    md.push('\n');
}

/// The symbol and word a matrix cell shows for its worst verdict.
fn mark(worst: Option<Verdict>) -> &'static str {
    match worst {
        None => "",
        Some(Verdict::Pass) => "✅",
        Some(Verdict::Diverge) => "⚠️",
        Some(Verdict::Unsupported) => "➖",
        Some(Verdict::Fail | Verdict::Crash | Verdict::Timeout) => "❌",
    }
}

/// `reports/index.md`: the runtimes, then the function × runtime matrix.
pub fn index(certificates: &[Certificate]) -> String {
    let mut md = String::from("# WASI compatibility matrix\n\n");
    let _ = writeln!(
        md,
        "The latest certification of every runtime under `reports/` \
         (`wasi-conform report` writes this file; `index.html` is the same matrix with every diff).\n"
    );
    let _ = writeln!(
        md,
        "| runtime | version | ABIs | runs | pass rate | report |"
    );
    let _ = writeln!(md, "|---|---|---|---:|---:|---|");
    for c in certificates {
        let tally = Tally::of(c.records());
        let abis: Vec<&str> = c.abis.iter().map(|a| a.name()).collect();
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | [report]({}/report.md) |",
            c.runtime,
            c.version.replace('|', "\\|"),
            abis.join(", "),
            tally.total(),
            tally.pass_rate(),
            c.dir
        );
    }
    let _ = writeln!(
        md,
        "\nEach cell: passing runs / runs of the cases calling the function; \
         ✅ all pass, ⚠️ a divergence, ❌ a failure, crash or timeout, ➖ unsupported.\n"
    );
    let matrix = Matrix::new(certificates);
    let _ = write!(md, "| function |");
    for c in certificates {
        let _ = write!(md, " {} |", c.runtime);
    }
    let _ = writeln!(md, "\n|---|{}", "---|".repeat(certificates.len()));
    for row in &matrix.rows {
        let _ = write!(md, "| `{}` |", row.function);
        for i in 0..certificates.len() {
            let tally = row.tally(i);
            match tally.total() {
                0 => md.push_str(" |"),
                total => {
                    let _ = write!(
                        md,
                        " {} {}/{total} |",
                        mark(tally.worst()),
                        tally.count(Verdict::Pass)
                    );
                }
            }
        }
        md.push('\n');
    }
    if !matrix.uncovered.is_empty() {
        let names: Vec<String> = matrix.uncovered.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(
            md,
            "\nPreview1 functions no case calls yet: {}.",
            names.join(", ")
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::certificate::tests::sample;

    #[test]
    fn a_runtime_report() {
        insta::assert_snapshot!(report(&sample("rt")));
    }

    #[test]
    fn the_matrix_of_every_runtime() {
        insta::assert_snapshot!(index(&[sample("rt"), sample("other")]));
    }
}
