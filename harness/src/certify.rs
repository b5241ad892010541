//! Certification reports: `reports/<runtime>-<version>/report.{json,md,html}`
//! for one runtime, and `reports/index.{md,html}`, the matrix of WASI
//! functions across the latest report of every runtime.
//!
//! Every view is built from the same [`Record`]s (the ones `run` prints and
//! writes as JSON and JUnit), each with the WASI functions its case calls
//! ([`Run::calls`], read from the blessed call trace). The Markdown and HTML
//! carry no date, so regenerating an unchanged report changes nothing but
//! `report.json`.

use crate::abi::Abi;
use crate::expected;
use crate::html;
use crate::layout::write_atomic;
use crate::report::Tally;
use crate::runner::Record;
use crate::verdict::Verdict;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use wasi_conform_reference::abi_p1::FUNCTIONS;

/// The harness that writes reports, as named in them.
pub const HARNESS: &str = concat!("wasi-conform ", env!("CARGO_PKG_VERSION"));

/// One runtime's certification: `report.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Certificate {
    /// The runtime's name (`wasi-conform runtimes`).
    pub runtime: String,
    /// Its exact version line.
    pub version: String,
    /// The harness that ran it ([`HARNESS`]).
    pub harness: String,
    /// When the report was written (RFC 3339, UTC).
    pub date: String,
    /// The ABIs the runtime runs.
    pub abis: Vec<Abi>,
    /// sha256 of every guest binary run, by `<guest>.<abi>`.
    pub guests: BTreeMap<String, String>,
    /// Every (case, ABI) run, in suite order.
    pub runs: Vec<Run>,
    /// The report's directory name under `reports/`.
    #[serde(skip)]
    pub dir: String,
}

/// One (case, ABI) run of a certification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// Verdict and evidence.
    #[serde(flatten)]
    pub record: Record,
    /// The WASI functions the case calls, from its blessed call trace: p1
    /// names (`fd_read`) or 0.2 `interface.function` names.
    pub calls: Vec<String>,
}

/// The WASI functions a blessed outcome body calls: the `call` of every
/// trace line, sorted and without repeats.
pub fn calls(body: &str) -> Vec<String> {
    let calls: BTreeSet<String> = expected::trace_lines(body)
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| entry["call"].as_str().map(str::to_string))
        .collect();
    calls.into_iter().collect()
}

/// Evidence kept per run in a report: at most this many lines ...
pub const EVIDENCE_LINES: usize = 200;
/// ... and about this many bytes.
pub const EVIDENCE_BYTES: usize = 16 << 10;

/// A run's evidence as reports keep it: the first [`EVIDENCE_LINES`] lines
/// (and [`EVIDENCE_BYTES`]) and a note of what was cut; `run` shows it all.
pub fn evidence(detail: &str) -> String {
    let mut kept = String::new();
    let mut lines = detail.lines();
    for line in lines.by_ref().take(EVIDENCE_LINES) {
        if kept.len() + line.len() > EVIDENCE_BYTES {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    if kept.len() >= detail.trim_end().len() {
        return detail.to_string();
    }
    let cut = detail.lines().count() - kept.lines().count();
    kept.push_str(&format!(
        "… {cut} more lines (`wasi-conform run` shows the whole evidence)\n"
    ));
    kept
}

/// The directory name of a runtime's report: `<runtime>-<version>` with
/// every run of characters other than `[A-Za-z0-9._]` made one `-` (the
/// runtime name is not repeated when the version line starts with it).
pub fn dir_name(runtime: &str, version: &str) -> String {
    let version = version
        .strip_prefix(runtime)
        .filter(|rest| rest.starts_with(' '))
        .unwrap_or(version);
    let mut name = String::new();
    for c in format!("{runtime}-{version}").chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let mut name: String = name.trim_end_matches('-').chars().take(80).collect();
    while name.ends_with('-') {
        name.pop();
    }
    name
}

impl Certificate {
    /// Writes `report.json`, `report.md` and `report.html` into
    /// `reports/<dir>/`, returning that directory.
    pub fn write(&self, reports: &Path) -> Result<std::path::PathBuf> {
        let dir = reports.join(&self.dir);
        write_atomic(&dir.join("report.json"), &serde_json::to_vec_pretty(self)?)?;
        self.write_views(reports)?;
        Ok(dir)
    }

    /// Writes `report.md` and `report.html` (everything but the JSON) into
    /// `reports/<dir>/`.
    pub fn write_views(&self, reports: &Path) -> Result<()> {
        let dir = reports.join(&self.dir);
        write_atomic(&dir.join("report.md"), self.markdown().as_bytes())?;
        let title = format!("WASI conformance: {}", self.runtime);
        write_atomic(
            &dir.join("report.html"),
            html::render(&title, std::slice::from_ref(self), "../").as_bytes(),
        )
    }

    /// Loads `report.json` from a report directory.
    pub fn load(dir: &Path) -> Result<Certificate> {
        let path = dir.join("report.json");
        let bytes =
            std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        let mut certificate: Certificate = serde_json::from_slice(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        certificate.dir = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(certificate)
    }

    /// The records of every run.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.runs.iter().map(|run| &run.record)
    }

    /// `report.md`: summary per area and ABI, a table per WASI function,
    /// then the evidence of every run that did not pass.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let all = Tally::of(self.records());
        let abis: Vec<&str> = self.abis.iter().map(|a| a.name()).collect();
        let _ = writeln!(md, "# WASI conformance: {}\n", self.runtime);
        let _ = writeln!(md, "- runtime: `{}`, {}", self.runtime, self.version);
        let _ = writeln!(md, "- harness: {}", self.harness);
        let _ = writeln!(md, "- ABIs: {}", abis.join(", "));
        let _ = writeln!(
            md,
            "- written by `wasi-conform certify --runtime {}`; the date and the sha256 of every guest are in `report.json`\n",
            self.runtime
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
        for record in self.records() {
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
            self.abis.iter().map(|&abi| {
                (
                    abi.name().to_string(),
                    Tally::of(self.records().filter(|r| r.abi == abi)),
                )
            }),
        );

        let matrix = Matrix::new(std::slice::from_ref(self));
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
        for record in self.records().filter(|r| r.verdict != Verdict::Pass) {
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
                        self.runtime
                    );
                }
                _ => {
                    let _ = writeln!(
                        md,
                        "Not recorded in `expected/runtimes/{}.toml` (recorded: {}).\n",
                        self.runtime, record.expected
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

/// Which family a WASI function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// WASI 0.2 interfaces (`interface.function`).
    Preview2,
}

/// The function × runtime matrix of a set of certificates.
pub struct Matrix<'a> {
    /// Rows in witx order for preview1, then 0.2 functions by name; only
    /// functions some case calls.
    pub rows: Vec<Row<'a>>,
    /// Preview1 functions no case calls.
    pub uncovered: Vec<&'static str>,
}

/// One function's row: per certificate, the runs of cases that call it.
pub struct Row<'a> {
    pub function: String,
    pub group: Group,
    /// Indexed like the certificates the matrix was built from.
    pub cells: Vec<Vec<&'a Run>>,
}

impl Row<'_> {
    /// The verdict counts of certificate `i`'s cell.
    pub fn tally(&self, i: usize) -> Tally {
        Tally::of(self.cells[i].iter().map(|run| &run.record))
    }
}

impl<'a> Matrix<'a> {
    /// The matrix of `certificates`, one column each.
    pub fn new(certificates: &'a [Certificate]) -> Matrix<'a> {
        let called: BTreeSet<&str> = certificates
            .iter()
            .flat_map(|c| &c.runs)
            .flat_map(|run| run.calls.iter().map(String::as_str))
            .collect();
        let p1: Vec<&'static str> = FUNCTIONS.iter().map(|f| f.name).collect();
        let names = p1
            .iter()
            .copied()
            .filter(|f| called.contains(f))
            .map(|f| (f, Group::Preview1))
            .chain(
                called
                    .iter()
                    .copied()
                    .filter(|f| !p1.contains(f))
                    .map(|f| (f, Group::Preview2)),
            );
        let rows = names
            .map(|(function, group)| Row {
                function: function.to_string(),
                group,
                cells: certificates
                    .iter()
                    .map(|c| {
                        c.runs
                            .iter()
                            .filter(|run| run.calls.iter().any(|f| f == function))
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        Matrix {
            rows,
            uncovered: p1.into_iter().filter(|f| !called.contains(f)).collect(),
        }
    }
}

/// The latest report (by date) of every runtime under `reports`, sorted by
/// runtime name.
pub fn load_latest(reports: &Path) -> Result<Vec<Certificate>> {
    let entries = std::fs::read_dir(reports)
        .with_context(|| format!("{}: cannot read", reports.display()))?;
    let mut latest: BTreeMap<String, Certificate> = BTreeMap::new();
    for entry in entries {
        let dir = entry?.path();
        if !dir.join("report.json").is_file() {
            continue;
        }
        let certificate = Certificate::load(&dir)?;
        match latest.get(&certificate.runtime) {
            Some(seen) if seen.date >= certificate.date => {}
            _ => {
                latest.insert(certificate.runtime.clone(), certificate);
            }
        }
    }
    if latest.is_empty() {
        bail!(
            "{}: no report.json (run `wasi-conform certify --runtime NAME` first)",
            reports.display()
        );
    }
    Ok(latest.into_values().collect())
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
pub fn index_markdown(certificates: &[Certificate]) -> String {
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

    #[test]
    fn calls_come_from_the_trace_section_only() {
        let body = "status: exit 0\n== trace\n{\"call\":\"fd_write\",\"errno\":\"ok\"}\n\
                    {\"check\":\"c\",\"ok\":true}\n{\"call\":\"args_get\"}\n{\"call\":\"fd_write\"}\n\
                    == stdout 20\n{\"call\":\"fd_read\"}\n";
        assert_eq!(calls(body), ["args_get", "fd_write"]);
    }

    #[test]
    fn evidence_is_cut_with_a_note() {
        assert_eq!(evidence("a\nb\n"), "a\nb\n");
        let long: String = (0..1000).map(|i| format!("+line {i}\n")).collect();
        let cut = evidence(&long);
        assert_eq!(cut.lines().count(), EVIDENCE_LINES + 1);
        assert!(cut.ends_with("… 800 more lines (`wasi-conform run` shows the whole evidence)\n"));
        let wide = "x".repeat(EVIDENCE_BYTES * 2);
        assert!(evidence(&wide).starts_with("… 1 more lines"));
    }

    #[test]
    fn dir_names_are_sanitised() {
        assert_eq!(
            dir_name(
                "wasmtime",
                "wasmtime 48.0.8 (embedded, wasmtime-wasi 48.0.8)"
            ),
            "wasmtime-48.0.8-embedded-wasmtime-wasi-48.0.8"
        );
        assert_eq!(dir_name("node", "v20.20.2"), "node-v20.20.2");
        assert_eq!(dir_name("x", "a/../b"), "x-a-..-b");
        assert!(dir_name("x", &"9".repeat(200)).len() <= 80);
    }
}
