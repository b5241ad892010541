//! The Markdown views: a runtime's `report.md` and the matrix of every
//! runtime in `reports/index.md`.

use crate::model::abi::Abi;
use crate::model::case::Binding;
use crate::model::record::Record;
use crate::model::verdict::Verdict;
use crate::render::certificate::Certificate;
use crate::render::cross_abi;
use crate::render::matrix::{Group, Matrix, Row};
use crate::render::summary::Tally;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `report.md`: summary per area and ABI, the scenarios whose p1, adapter
/// and 0.2 paths differ, a table per WASI function, what
/// the runtime does not support (one line per reason), then the evidence
/// of every other run that did not pass.
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
    let _ = writeln!(md, "**{}**\n", must_headline(c));
    escapes(&mut md, c);
    let _ = writeln!(md, "## Conformance by tier\n");
    let _ = writeln!(
        md,
        "Only a `must` case (the witx/WIT text states the requirement; the case quotes it) \
         can give `fail`. The other tiers are portability information: `should` (POSIX-like \
         behaviour the text points at), `implementation-defined` (left open: what this runtime \
         chose), `robustness` (undefined values: a trap or an error are both fine). \
         `unsupported` runs executed nothing and are counted apart.\n"
    );
    tier_table(&mut md, c);
    if c.abis.contains(&Abi::P3) {
        let abis = Abi::P3.name();
        let _ = writeln!(
            md,
            "{abis} outcomes are blessed from embedded wasmtime (the reference host does not implement WASI 0.3){}.\n",
            if c.runtime.starts_with("wasmtime") {
                format!(
                    ": this runtime's {abis} verdicts are self-judged, but for the guests' own checks"
                )
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        md,
        "All tiers together: {} of {} runs pass ({}).\n",
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

    cross_abi(&mut md, c);

    let matrix = Matrix::new(std::slice::from_ref(c));
    for group in Group::ALL {
        let rows: Vec<&Row> = matrix.rows.iter().filter(|r| r.group == group).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "## {}\n\nRuns of every case that calls the function (by its blessed call trace).\n",
            group.title()
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

    unsupported(&mut md, c);
    let _ = writeln!(md, "## Runs that did not pass\n");
    let mut any = false;
    for record in c
        .records()
        .filter(|r| !matches!(r.verdict, Verdict::Pass | Verdict::Unsupported))
    {
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

/// How an ABI is named in reports: an adapted module runs on the runtime
/// *and* the preview1 adapter, so what fails there may be the adapter's.
pub fn abi_label(abi: Abi) -> &'static str {
    match abi {
        Abi::P1 => "p1",
        Abi::P1Component => "runtime + preview1 adapter",
        Abi::P2 => "p2",
        Abi::P3 => "p3",
    }
}

/// "RUNTIME VERSION: N of M must runs pass (p1: a of b; ...)".
pub fn must_headline(c: &Certificate) -> String {
    if !c.has_tiers() {
        return format!(
            "{} {}: certified before cases had tiers, so no must-tier figure (re-certify it)",
            c.runtime, c.version
        );
    }
    let must = Tally::of(c.records().filter(|r| r.tier == Some(Binding::Must)));
    format!(
        "{} {}: {} must runs pass ({})",
        c.runtime,
        c.version,
        passing(&must),
        per_abi(c, Binding::Must).join("; ")
    )
}

/// The runs of `tier` that ran as `abi`, counted.
fn tier_tally(c: &Certificate, abi: Abi, tier: Binding) -> Tally {
    Tally::of(c.records().filter(|r| r.abi == abi && r.tier == Some(tier)))
}

/// "ABI: N of M" for every ABI of the certificate, runs of `tier` only.
fn per_abi(c: &Certificate, tier: Binding) -> Vec<String> {
    c.abis
        .iter()
        .map(|&abi| format!("{}: {}", abi_label(abi), passing(&tier_tally(c, abi, tier))))
        .collect()
}

/// "N of M" over the runs that executed (unsupported ones apart).
fn passing(t: &Tally) -> String {
    let ran = t.total() - t.count(Verdict::Unsupported);
    let mut text = format!("{} of {ran}", t.count(Verdict::Pass));
    if t.count(Verdict::Unsupported) > 0 {
        text.push_str(&format!(", {} unsupported", t.count(Verdict::Unsupported)));
    }
    text
}

/// The escapes of a certificate, first of all: security findings.
fn escapes(md: &mut String, c: &Certificate) {
    let escaped: Vec<&Record> = c
        .records()
        .filter(|r| r.verdict == Verdict::Escape)
        .collect();
    if escaped.is_empty() {
        return;
    }
    let _ = writeln!(md, "## 🚨 Security findings: sandbox escapes\n");
    for record in escaped {
        let _ = writeln!(
            md,
            "- `{}` ({}): {}",
            record.case,
            abi_label(record.abi),
            record.detail.lines().next().unwrap_or("")
        );
    }
    md.push('\n');
}

/// The `unsupported` runs, one line per reason (a missing function, a
/// feature the host does not implement): what the runtime lacks, not a
/// wall of identical entries.
fn unsupported(md: &mut String, c: &Certificate) {
    const SHOWN: usize = 8;
    let mut by_reason: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in c.records().filter(|r| r.verdict == Verdict::Unsupported) {
        let reason = record.detail.lines().next().unwrap_or("");
        by_reason.entry(reason).or_default().push(record);
    }
    if by_reason.is_empty() {
        return;
    }
    let _ = writeln!(md, "## What this runtime does not support\n");
    for (reason, records) in by_reason {
        let mut runs: Vec<String> = records
            .iter()
            .take(SHOWN)
            .map(|r| format!("`{}` {}", r.case, r.abi))
            .collect();
        if records.len() > SHOWN {
            runs.push(format!("and {} more", records.len() - SHOWN));
        }
        let unrecorded = records.iter().filter(|r| !r.as_expected()).count();
        let note = if unrecorded > 0 {
            format!(
                " ({unrecorded} not recorded in `expected/runtimes/{}.toml`)",
                c.runtime
            )
        } else {
            String::new()
        };
        let plural = if records.len() == 1 { "" } else { "s" };
        let _ = writeln!(
            md,
            "- {}: {} run{plural}{note}: {}",
            reason.trim(),
            records.len(),
            runs.join(", ")
        );
    }
    md.push('\n');
}

/// The scenarios that give different results through p1, the adapter and
/// 0.2 ([`cross_abi::compare`]), when the runtime runs more than one path.
fn cross_abi(md: &mut String, c: &Certificate) {
    let Some(comparison) = cross_abi::compare(c) else {
        return;
    };
    let _ = writeln!(md, "## The same scenario through p1, the adapter and 0.2\n");
    let _ = writeln!(
        md,
        "{} {} of the {} scenarios that ran on more than one path give different results.\n",
        cross_abi::INTRO,
        comparison.differing.len(),
        comparison.paired
    );
    if comparison.differing.is_empty() {
        return;
    }
    let _ = write!(md, "| scenario |");
    for abi in cross_abi::PATHS {
        let _ = write!(md, " {} |", abi_label(abi));
    }
    let _ = writeln!(md, " first difference |\n|---|{}---|", "---|".repeat(3));
    for scenario in &comparison.differing {
        let _ = write!(md, "| `{}` |", scenario.scenario);
        for abi in cross_abi::PATHS {
            match scenario.path(abi) {
                Some(path) => {
                    let _ = write!(md, " {} {} |", mark(Some(path.verdict)), path.verdict);
                }
                None => md.push_str(" — |"),
            }
        }
        let differences: Vec<String> = scenario
            .differences()
            .into_iter()
            .map(|(abis, text)| {
                let text = text.replace('|', "\\|");
                let fence = "`".repeat(longest_backtick_run(&text) + 1);
                format!("{}: {fence} {text} {fence}", cross_abi::names(&abis))
            })
            .collect();
        let _ = writeln!(md, " {} |", differences.join("<br>"));
    }
    md.push('\n');
}

/// One row per tier, one column per ABI: passing runs of the runs.
fn tier_table(md: &mut String, c: &Certificate) {
    let _ = write!(md, "| tier |");
    for &abi in &c.abis {
        let _ = write!(md, " {} |", abi_label(abi));
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(c.abis.len()));
    for tier in Binding::ALL {
        let _ = write!(md, "| {} |", tier.name());
        for &abi in &c.abis {
            let _ = write!(md, " {} |", passing(&tier_tally(c, abi, tier)));
        }
        md.push('\n');
    }
    md.push('\n');
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
        Some(Verdict::Escape) => "🚨",
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
    let escaped: Vec<String> = certificates
        .iter()
        .flat_map(|c| {
            c.records()
                .filter(|r| r.verdict == Verdict::Escape)
                .map(move |r| format!("`{}` {} ({})", c.runtime, r.case, abi_label(r.abi)))
        })
        .collect();
    if !escaped.is_empty() {
        let _ = writeln!(
            md,
            "🚨 **Sandbox escapes** (security findings): {}.\n",
            escaped.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "Passing runs of the runs that executed, per tier; only `must` cases (the text states \
         the requirement) can fail. `runtime + preview1 adapter` is the p1 module wrapped as a \
         component: what differs there may be the adapter's.\n"
    );
    let _ = write!(md, "| runtime | version |");
    for tier in Binding::ALL {
        let _ = write!(md, " {} |", tier.name());
    }
    let _ = writeln!(md, " report |");
    let _ = writeln!(md, "|---|---|{}---|", "---:|".repeat(Binding::ALL.len()));
    for c in certificates {
        let _ = write!(
            md,
            "| `{}` | {} |",
            c.runtime,
            c.version.replace('|', "\\|")
        );
        if !c.has_tiers() {
            let _ = writeln!(
                md,
                " certified before cases had tiers: re-certify |{} [report]({}/report.md) |",
                " |".repeat(Binding::ALL.len() - 1),
                c.dir
            );
            continue;
        }
        for tier in Binding::ALL {
            let _ = write!(md, " {} |", per_abi(c, tier).join("<br>"));
        }
        let _ = writeln!(md, " [report]({}/report.md) |", c.dir);
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
