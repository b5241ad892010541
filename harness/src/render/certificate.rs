//! Certification reports: `reports/<runtime>-<version>/report.json` for
//! one runtime (the [`Certificate`]), its views `report.md` ([`markdown`])
//! and `report.html` ([`html`]), and loading the latest of every runtime.
//!
//! Every view is built from the same [`Record`]s (the ones `run` prints and
//! writes as JSON and JUnit), each with the WASI functions its case calls
//! ([`Run::calls`], read from the blessed call trace). The Markdown and HTML
//! carry no date, so regenerating an unchanged report changes nothing but
//! `report.json`. `report.json` also carries the comparison of the
//! runtime's p1, adapter and 0.2 paths ([`cross_abi`]), derived from its
//! runs each time it is written.

use crate::judge::normalise::trace_lines;
use crate::layout::write_atomic;
use crate::model::abi::Abi;
use crate::model::record::Record;
use crate::render::cross_abi::{self, Comparison};
use crate::render::{html, markdown};
use crate::suite::Shard;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
    /// What built the guests other than cargo, by language: `c` names the
    /// C toolchain and its wasi-libc (present when C guests ran).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub toolchains: BTreeMap<String, String>,
    /// Every (case, ABI) run, in suite order.
    pub runs: Vec<Run>,
    /// The report's directory name under `reports/`.
    #[serde(skip)]
    pub dir: String,
}

/// `report.json` as written: the certificate and what is derived from its
/// runs.
#[derive(Serialize)]
struct Written<'a> {
    #[serde(flatten)]
    certificate: &'a Certificate,
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_abi: Option<Comparison>,
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
    let calls: BTreeSet<String> = trace_lines(body)
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
    /// Writes `report.json` (with the comparison of its paths, derived from
    /// its runs), `report.md` and `report.html` into `reports/<dir>/`,
    /// returning that directory.
    pub fn write(&self, reports: &Path) -> Result<PathBuf> {
        let dir = reports.join(&self.dir);
        let written = Written {
            certificate: self,
            cross_abi: cross_abi::compare(self),
        };
        write_atomic(
            &dir.join("report.json"),
            &serde_json::to_vec_pretty(&written)?,
        )?;
        write_atomic(&dir.join("report.md"), markdown::report(self).as_bytes())?;
        write_atomic(&dir.join("report.html"), html::report(self).as_bytes())?;
        Ok(dir)
    }

    /// Loads `report.json` from a report directory.
    pub fn load(dir: &Path) -> Result<Certificate> {
        let mut certificate = Certificate::read(&dir.join("report.json"))?;
        certificate.dir = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(certificate)
    }

    /// Reads a certificate's JSON (`report.json` or a shard file); its
    /// `dir` is left for the caller to set.
    fn read(path: &Path) -> Result<Certificate> {
        let bytes =
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Writes this part of a certification as `reports/<dir>/shard-I-of-N.json`
    /// ([`merge_shards`] makes the report of all parts), returning the file.
    pub fn write_shard(&self, reports: &Path, shard: Shard) -> Result<PathBuf> {
        let path = reports.join(&self.dir).join(shard_file(shard));
        write_atomic(&path, &serde_json::to_vec_pretty(self)?)?;
        Ok(path)
    }

    /// Whether every run has its case's tier (a report written before cases
    /// had tiers has none).
    pub fn has_tiers(&self) -> bool {
        self.records().all(|r| r.tier.is_some())
    }

    /// The records of every run.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.runs.iter().map(|run| &run.record)
    }
}

/// The file part `shard` of a certification is written to, in its report
/// directory (`shard-I-of-N.json`).
pub fn shard_file(shard: Shard) -> String {
    format!("shard-{}-of-{}.json", shard.index, shard.count)
}

/// Merges, in every report directory under `reports` that holds shard
/// files, all N parts into its `report.json` (the runs in suite order:
/// `position` gives each case's place), then removes the parts. Returns the
/// directories merged. Parts of different counts, versions or runtimes, or
/// a missing part, are an error naming the directory and what is missing.
pub fn merge_shards(reports: &Path, position: impl Fn(&str) -> usize) -> Result<Vec<PathBuf>> {
    let mut merged = Vec::new();
    let entries = std::fs::read_dir(reports)
        .with_context(|| format!("{}: cannot read", reports.display()))?;
    for entry in entries {
        let dir = entry?.path();
        let mut parts: BTreeMap<Shard, PathBuf> = BTreeMap::new();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir)? {
            let path = file?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if let Some(shard) = name
                .strip_prefix("shard-")
                .and_then(|rest| rest.strip_suffix(".json"))
                .and_then(|rest| rest.replacen("-of-", "/", 1).parse::<Shard>().ok())
            {
                parts.insert(shard, path.clone());
            }
        }
        let Some(count) = parts.keys().next().map(|shard| shard.count) else {
            continue;
        };
        let missing: Vec<String> = (1..=count)
            .filter(|&index| !parts.contains_key(&Shard { index, count }))
            .map(|index| format!("{index}/{count}"))
            .collect();
        if !missing.is_empty() || parts.len() != count {
            bail!(
                "{}: shards {} are missing or of another count (run `certify --shard` for them)",
                dir.display(),
                if missing.is_empty() {
                    "of several counts".to_string()
                } else {
                    missing.join(", ")
                }
            );
        }
        let mut whole: Option<Certificate> = None;
        for path in parts.values() {
            let part = Certificate::read(path)?;
            match &mut whole {
                None => whole = Some(part),
                Some(whole) => {
                    if (&part.runtime, &part.version) != (&whole.runtime, &whole.version) {
                        bail!(
                            "{}: a part of {} {}, not of {} {}",
                            path.display(),
                            part.runtime,
                            part.version,
                            whole.runtime,
                            whole.version
                        );
                    }
                    whole.date = whole.date.clone().max(part.date);
                    whole.guests.extend(part.guests);
                    whole.toolchains.extend(part.toolchains);
                    whole.runs.extend(part.runs);
                }
            }
        }
        let mut whole = whole.expect("a complete set has at least one part");
        whole
            .runs
            .sort_by_key(|run| (position(&run.record.case), run.record.abi));
        whole.dir = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        whole.write(reports)?;
        for path in parts.values() {
            std::fs::remove_file(path)
                .with_context(|| format!("{}: cannot remove", path.display()))?;
        }
        merged.push(dir);
    }
    Ok(merged)
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::case::Binding;
    use crate::model::verdict::Verdict;

    /// A small certificate with one run of every verdict and of both
    /// function families, and one scenario (`fd/read`) that passes on p1
    /// and diverges as its 0.2 port, for the renderers' snapshot tests.
    pub(crate) fn sample(runtime: &str) -> Certificate {
        let run = |case: &str, abi: Abi, verdict: Verdict, expected: Verdict, calls: &[&str]| Run {
            record: Record {
                case: case.into(),
                abi,
                runtime: runtime.into(),
                verdict,
                tier: Some(if case.starts_with("fd/") {
                    Binding::Must
                } else {
                    Binding::Should
                }),
                detail: match verdict {
                    Verdict::Pass => String::new(),
                    Verdict::Unsupported => {
                        "unknown import: `wasi_snapshot_preview1::sock_accept`".into()
                    }
                    _ => format!("--- expected\n+++ actual\n@@ -1 +1 @@\n-{case} `a`\n+{case} <b>"),
                },
                expected,
                reason: (expected != Verdict::Pass).then(|| format!("{runtime} answers badf")),
                recorded_evidence: None,
            },
            calls: calls.iter().map(|c| c.to_string()).collect(),
        };
        Certificate {
            runtime: runtime.into(),
            version: format!("{runtime} 1.2.3 (embedded)"),
            harness: "wasi-conform 0.1.0".into(),
            date: "2026-11-30T00:00:00Z".into(),
            abis: vec![Abi::P1, Abi::P2],
            guests: BTreeMap::from([("calls.p1".into(), "00ff".into())]),
            toolchains: BTreeMap::new(),
            runs: vec![
                run(
                    "fd/read",
                    Abi::P1,
                    Verdict::Pass,
                    Verdict::Pass,
                    &["fd_read", "path_open"],
                ),
                run(
                    "fd/seek",
                    Abi::P1,
                    Verdict::Diverge,
                    Verdict::Diverge,
                    &["fd_seek"],
                ),
                run(
                    "fd/write",
                    Abi::P1,
                    Verdict::Fail,
                    Verdict::Pass,
                    &["fd_write"],
                ),
                run(
                    "proc/raise",
                    Abi::P1,
                    Verdict::Unsupported,
                    Verdict::Unsupported,
                    &["proc_raise"],
                ),
                run(
                    "p2-fs/fd/read",
                    Abi::P2,
                    Verdict::Diverge,
                    Verdict::Diverge,
                    &["descriptor.read"],
                ),
                run(
                    "clock/now",
                    Abi::P2,
                    Verdict::Crash,
                    Verdict::Pass,
                    &["monotonic-clock.now"],
                ),
                run(
                    "clock/wait",
                    Abi::P2,
                    Verdict::Timeout,
                    Verdict::Timeout,
                    &["poll.poll"],
                ),
            ],
            dir: dir_name(runtime, &format!("{runtime} 1.2.3 (embedded)")),
        }
    }

    #[test]
    fn shards_merge_into_one_report_in_suite_order_and_a_missing_one_is_named() {
        let reports = tempfile::tempdir().unwrap();
        let whole = sample("rt");
        let order: Vec<String> = whole.runs.iter().map(|r| r.record.case.clone()).collect();
        let position = |case: &str| order.iter().position(|c| c == case).unwrap();
        let part = |shard: Shard| Certificate {
            runs: whole
                .runs
                .iter()
                .enumerate()
                .filter(|(i, _)| shard.holds(*i))
                .map(|(_, run)| run.clone())
                .collect(),
            ..whole.clone()
        };
        let (first, second) = (Shard { index: 1, count: 2 }, Shard { index: 2, count: 2 });
        part(first).write_shard(reports.path(), first).unwrap();
        let missing = merge_shards(reports.path(), position)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("shards 2/2 are missing"), "{missing}");
        part(second).write_shard(reports.path(), second).unwrap();
        assert_eq!(merge_shards(reports.path(), position).unwrap().len(), 1);
        let dir = reports.path().join(&whole.dir);
        let merged = Certificate::load(&dir).unwrap();
        let cases: Vec<&str> = merged.runs.iter().map(|r| r.record.case.as_str()).collect();
        assert_eq!(cases, order);
        assert!(!dir.join(shard_file(first)).exists() && !dir.join(shard_file(second)).exists());
    }

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
