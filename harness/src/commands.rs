//! The subcommands of `wasi-conform`. Each returns the process exit code:
//! 0 all as expected, 1 regressions (or cases that could not be blessed);
//! an `Err` is bad input or setup and exits 2.

use crate::abi::Abi;
use crate::certify::{self, Certificate, Run};
use crate::expectations::{Expectations, TODO_REASON};
use crate::expected;
use crate::guests::Guests;
use crate::html;
use crate::junit;
use crate::layout::{Layout, write_atomic};
use crate::manifest::{self, Case};
use crate::outcome::{Outcome, Status};
use crate::progress::in_ci;
use crate::report::{self, RuntimeLine};
use crate::runner::{self, Job, Record};
use crate::runtimes::{self, Limits, Runtime, command};
use crate::verdict::{self, RunError, Verdict};
use anyhow::{Context, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which (case, ABI) pairs a command works on.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Case-name globs (`args/*`); empty means every case.
    pub cases: Vec<String>,
    /// ABIs; empty means every ABI.
    pub abis: Vec<Abi>,
}

impl Filter {
    fn is_everything(&self) -> bool {
        self.cases.is_empty() && self.abis.is_empty()
    }
}

/// The loaded suite: layout, every case, and the selected (case, ABI) pairs.
struct Suite {
    layout: Layout,
    cases: Vec<Case>,
    selected: Vec<(usize, Abi)>,
}

impl Suite {
    fn load(layout: Layout, filter: &Filter) -> Result<Suite> {
        let cases = manifest::load_dir(&layout.cases)?;
        let globs = glob_set(&filter.cases)?;
        let mut selected = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            if !filter.cases.is_empty() && !globs.is_match(&case.name) {
                continue;
            }
            for &abi in &case.abis {
                if filter.abis.is_empty() || filter.abis.contains(&abi) {
                    selected.push((i, abi));
                }
            }
        }
        if selected.is_empty() {
            bail!("no case matches the given --case/--abi filter");
        }
        Ok(Suite {
            layout,
            cases,
            selected,
        })
    }

    fn pairs(&self) -> impl Iterator<Item = (&Case, Abi)> {
        self.selected.iter().map(|&(i, abi)| (&self.cases[i], abi))
    }

    fn abis(&self) -> BTreeSet<Abi> {
        self.selected.iter().map(|&(_, abi)| abi).collect()
    }

    /// An error when an expected file belongs to no case.
    fn check_orphans(&self) -> Result<()> {
        match expected::orphans(&self.layout.expected, &self.cases).first() {
            Some(orphan) => bail!(
                "{}: expected outcome of no case (remove it, or run `wasi-conform bless` to clean up)",
                orphan.display()
            ),
            None => Ok(()),
        }
    }

    /// The binary of every selected pair, each checked to exist.
    fn binaries(&self, guests: &Guests) -> Result<Vec<PathBuf>> {
        self.pairs()
            .map(|(case, abi)| {
                guests
                    .check(&self.layout, &case.guest, abi)
                    .with_context(|| format!("{}: case `{}`", case.source.display(), case.name))
            })
            .collect()
    }
}

fn glob_set(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder
            .add(Glob::new(pattern).with_context(|| format!("invalid --case glob `{pattern}`"))?);
    }
    Ok(builder.build()?)
}

/// `list`: one line per selected (case, ABI).
pub fn list(layout: Layout, filter: &Filter) -> Result<u8> {
    let suite = Suite::load(layout, filter)?;
    for (case, abi) in suite.pairs() {
        println!("{:<40} {:<13} {}", case.name, abi.name(), case.description);
    }
    Ok(0)
}

/// Options of `run`.
pub struct RunOptions {
    pub runtimes: Vec<String>,
    pub json: Option<PathBuf>,
    /// Also write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Rewrite each runtime's expectation file from this run's verdicts.
    pub update_expectations: bool,
    pub jobs: usize,
    /// Run every embedded runtime in worker processes.
    pub isolate: bool,
    pub limits: Limits,
}

/// What every run needs besides the suite: the blessed body and the binary
/// of each selected pair, in `Suite::pairs` order.
struct Prepared {
    bodies: Vec<String>,
    binaries: Vec<PathBuf>,
}

impl Suite {
    /// Reads the expected bodies and builds the guests of the selected pairs.
    fn prepare(&self) -> Result<Prepared> {
        let bodies = self
            .pairs()
            .map(|(case, abi)| {
                expected::read_body(case, &expected::path(&self.layout.expected, case, abi))
            })
            .collect::<Result<_>>()?;
        let guests = Guests::build(&self.layout, &self.abis())?;
        let binaries = self.binaries(&guests)?;
        Ok(Prepared { bodies, binaries })
    }

    /// Runs every selected pair on every available runtime that runs its
    /// ABI, judged against the blessed outcomes and each runtime's
    /// expectation file (`for_update`: placeholders allowed).
    fn run_on(
        &self,
        prepared: &Prepared,
        runtimes: &[Box<dyn Runtime>],
        for_update: bool,
        threads: usize,
        limits: Limits,
    ) -> Result<Ran> {
        let mut lines = Vec::new();
        let mut jobs = Vec::new();
        let mut expectations = Vec::new();
        for runtime in runtimes {
            let unavailable = runtime.availability().err();
            let mut skipped = 0;
            if unavailable.is_none() {
                let path = self.layout.expectations(runtime.name());
                let load = if for_update {
                    Expectations::load_for_update
                } else {
                    Expectations::load
                };
                expectations.push((runtime.name().to_string(), load(&path, &self.cases)?));
                for (((case, abi), wasm), body) in
                    self.pairs().zip(&prepared.binaries).zip(&prepared.bodies)
                {
                    if runtime.abis().contains(&abi) {
                        jobs.push(Job {
                            case,
                            abi,
                            runtime: runtime.as_ref(),
                            wasm: wasm.clone(),
                            expected_body: body.clone(),
                        });
                    } else {
                        skipped += 1;
                    }
                }
            }
            lines.push(RuntimeLine {
                name: runtime.name().to_string(),
                version: runtime.version(),
                skipped,
                unavailable,
            });
        }
        eprintln!(
            "wasi-conform: running {} jobs on {threads} thread(s)",
            jobs.len()
        );
        let records = runner::run_jobs(&self.layout, &jobs, &expectations, threads, limits)?;
        Ok(Ran {
            lines,
            records,
            expectations,
        })
    }
}

/// What [`Suite::run_on`] produced.
struct Ran {
    lines: Vec<RuntimeLine>,
    records: Vec<Record>,
    /// The baseline of every runtime that ran.
    expectations: Vec<(String, Expectations)>,
}

/// `run`: every selected pair on every named runtime, judged and summarised;
/// with `update_expectations`, the expectation files are rewritten from the
/// verdicts (exit 1 while an entry needs a reason).
pub fn run(layout: Layout, filter: &Filter, options: &RunOptions) -> Result<u8> {
    if options.update_expectations && in_ci() {
        bail!(
            "--update-expectations rewrites expected/runtimes/ and never runs in CI (CI=true is set)"
        );
    }
    let suite = Suite::load(layout, filter)?;
    suite.check_orphans()?;
    let names = if options.runtimes.is_empty() {
        runtimes::DEFAULT.iter().map(|s| s.to_string()).collect()
    } else {
        options.runtimes.clone()
    };
    let runtimes = runtimes::select_with(
        &names,
        &suite.layout.templates,
        &suite.layout.root,
        options.isolate,
    )?;
    let prepared = suite.prepare()?;
    let ran = suite.run_on(
        &prepared,
        &runtimes,
        options.update_expectations,
        options.jobs,
        options.limits,
    )?;
    let records = &ran.records;
    print!("{}", report::summary(&ran.lines, records));
    if let Some(path) = &options.json {
        report::write_json(path, records)?;
    }
    if let Some(path) = &options.junit {
        junit::write(path, records)?;
    }
    if ran.lines.iter().any(|l| l.unavailable.is_some()) {
        bail!("a requested runtime is not available (see the table above)");
    }
    if options.update_expectations {
        let mut todo = 0;
        for (name, known) in &ran.expectations {
            let path = suite.layout.expectations(name);
            let mine: Vec<&Record> = records.iter().filter(|r| &r.runtime == name).collect();
            let missing = known.update(&path, name, &mine)?;
            if missing > 0 {
                eprintln!(
                    "{}: {missing} entries need a reason: replace `{TODO_REASON}` before the next run",
                    path.display()
                );
            }
            todo += missing;
        }
        return Ok(if todo == 0 { 0 } else { 1 });
    }
    Ok(if records.iter().all(|r| r.as_expected()) {
        0
    } else {
        1
    })
}

/// `certify --runtime NAME`: every case on `name` with every ABI it runs;
/// writes `reports/<runtime>-<version>/report.{json,md,html}`. Exits 0 once
/// the report is written, whatever the verdicts (`run` is the gate).
pub fn certify(layout: Layout, name: &str, threads: usize, limits: Limits) -> Result<u8> {
    let suite = Suite::load(layout, &Filter::default())?;
    suite.check_orphans()?;
    let runtimes = runtimes::select(
        &[name.to_string()],
        &suite.layout.templates,
        &suite.layout.root,
    )?;
    let runtime = &runtimes[0];
    if let Err(why) = runtime.availability() {
        bail!("runtime `{name}` is not available here: {why} (try `wasi-conform setup {name}`)");
    }
    let prepared = suite.prepare()?;
    let ran = suite.run_on(&prepared, &runtimes, false, threads, limits)?;
    print!("{}", report::summary(&ran.lines, &ran.records));
    let mut guests = BTreeMap::new();
    let mut calls = BTreeMap::new();
    for (((case, abi), wasm), body) in suite.pairs().zip(&prepared.binaries).zip(&prepared.bodies) {
        calls.insert((case.name.as_str(), abi), certify::calls(body));
        if runtime.abis().contains(&abi) {
            let bytes =
                std::fs::read(wasm).with_context(|| format!("{}: cannot read", wasm.display()))?;
            guests.insert(
                format!("{}.{abi}", case.guest),
                format!("{:x}", Sha256::digest(&bytes)),
            );
        }
    }
    let version = runtime.version();
    let certificate = Certificate {
        runtime: name.to_string(),
        dir: certify::dir_name(name, &version),
        version,
        harness: certify::HARNESS.to_string(),
        date: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        abis: runtime.abis().to_vec(),
        guests,
        runs: ran
            .records
            .into_iter()
            .map(|mut record| Run {
                calls: calls
                    .get(&(record.case.as_str(), record.abi))
                    .cloned()
                    .unwrap_or_default(),
                record: {
                    record.detail = certify::evidence(&record.detail);
                    record
                },
            })
            .collect(),
    };
    let dir = certificate.write(&suite.layout.reports)?;
    println!(
        "wrote {}/report.{{json,md,html}}; `wasi-conform report` updates the matrix in {}/index.{{md,html}}",
        dir.display(),
        suite.layout.reports.display()
    );
    Ok(0)
}

/// `report`: merges the latest report of every runtime under `reports/`
/// into `reports/index.md` and `reports/index.html`, and renders each one's
/// `report.md` and `report.html` afresh from its `report.json`.
pub fn report(layout: Layout) -> Result<u8> {
    let certificates = certify::load_latest(&layout.reports)?;
    for certificate in &certificates {
        certificate.write_views(&layout.reports)?;
    }
    write_atomic(
        &layout.reports.join("index.md"),
        certify::index_markdown(&certificates).as_bytes(),
    )?;
    write_atomic(
        &layout.reports.join("index.html"),
        html::render("WASI compatibility matrix", &certificates, "").as_bytes(),
    )?;
    let names: Vec<&str> = certificates.iter().map(|c| c.runtime.as_str()).collect();
    println!(
        "wrote {}/index.{{md,html}}: {}",
        layout.reports.display(),
        names.join(", ")
    );
    Ok(0)
}

/// The run a pair's expected outcome is blessed from, and where it came
/// from. p1 runs on the reference host. An adapted p1 module is judged by
/// the reference host's run of the module itself, its exit status mapped
/// ([`Abi::exit_status`]): the adapter is meant to be transparent, so what
/// the module must do, the component must do too. p2 runs on embedded
/// wasmtime: the reference host runs no components yet.
fn oracle_run(
    suite: &Suite,
    guests: &Guests,
    case: &Case,
    abi: Abi,
    wasm: &Path,
    limits: Limits,
) -> Result<(Result<Outcome, RunError>, String)> {
    let reference = runtimes::reference::Reference;
    match abi {
        Abi::P1 => {
            let run = runner::execute(&suite.layout, case, abi, &reference, wasm, limits)?;
            Ok((run, format!("reference {}", reference.version())))
        }
        Abi::P1Component => {
            let module = guests.path(&case.guest, Abi::P1);
            let run = runner::execute(&suite.layout, case, Abi::P1, &reference, &module, limits)?;
            let run = run.map(|mut outcome| {
                if let Status::Exit(code) = outcome.status {
                    outcome.status = Status::Exit(abi.exit_status(code));
                }
                outcome
            });
            let source = format!(
                "reference {} running the p1 module (the adapter is transparent; exit status mapped)",
                reference.version()
            );
            Ok((run, source))
        }
        Abi::P2 => {
            let wasmtime = runtimes::wasmtime::Wasmtime;
            let run = runner::execute(&suite.layout, case, abi, &wasmtime, wasm, limits)?;
            let source = format!(
                "wasmtime {} (the reference host does not run components yet)",
                wasmtime.version()
            );
            Ok((run, source))
        }
    }
}

/// `bless`: rewrites the expected outcome of every selected pair from its
/// oracle; with no filter, also removes expected files of no case.
pub fn bless(layout: Layout, filter: &Filter, limits: Limits) -> Result<u8> {
    if in_ci() {
        bail!("bless rewrites expected/ and never runs in CI (CI=true is set)");
    }
    let suite = Suite::load(layout, filter)?;
    let guests = Guests::build(&suite.layout, &suite.abis())?;
    let binaries = suite.binaries(&guests)?;
    let mut refused = 0;
    let mut written = 0;
    for ((case, abi), wasm) in suite.pairs().zip(&binaries) {
        let (run, source) = oracle_run(&suite, &guests, case, abi, wasm, limits)?;
        let judged = match &run {
            Ok(outcome) => verdict::judge(case, abi, &run, &expected::render_body(case, outcome)),
            Err(_) => verdict::judge(case, abi, &run, ""),
        };
        let outcome = match (judged.verdict, run) {
            (Verdict::Pass, Ok(outcome)) => outcome,
            (verdict, _) => {
                eprintln!(
                    "not blessed: {} {} ({source}): {verdict}: {}",
                    case.name, abi, judged.detail
                );
                refused += 1;
                continue;
            }
        };
        let path = expected::path(&suite.layout.expected, case, abi);
        write_atomic(
            &path,
            expected::render_file(case, abi, &outcome, &source).as_bytes(),
        )?;
        written += 1;
    }
    if filter.is_everything() {
        for orphan in expected::orphans(&suite.layout.expected, &suite.cases) {
            std::fs::remove_file(&orphan)
                .with_context(|| format!("{}: cannot remove", orphan.display()))?;
            eprintln!("removed {} (no such case)", orphan.display());
        }
    }
    println!("blessed {written} expected outcomes; {refused} not blessed");
    Ok(if refused == 0 { 0 } else { 1 })
}

/// `runtimes`: every known runtime, available or not (and why).
pub fn list_runtimes(layout: Layout, json: bool) -> Result<u8> {
    let runtimes = runtimes::all(&layout.templates, &layout.root)?;
    let rows: Vec<serde_json::Value> = runtimes
        .iter()
        .map(|r| {
            let availability = r.availability();
            serde_json::json!({
                "name": r.name(),
                "available": availability.is_ok(),
                "version": if availability.is_ok() { Some(r.version()) } else { None },
                "abis": r.abis(),
                "reason": availability.err(),
            })
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    for row in &rows {
        let abis: Vec<&str> = row["abis"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        let state = match row["reason"].as_str() {
            None => format!("available  {}", row["version"].as_str().unwrap_or("")),
            Some(reason) => format!("missing    {reason}"),
        };
        println!(
            "{:<14} {:<26} {state}",
            row["name"].as_str().unwrap_or(""),
            abis.join(",")
        );
    }
    Ok(0)
}

/// `setup NAME`: installs a command runtime with its template's steps.
pub fn setup(layout: Layout, name: &str) -> Result<u8> {
    let templates = command::load_templates(&layout.templates, &layout.root)?;
    match templates.iter().find(|t| t.name == name) {
        Some(template) => {
            template.install()?;
            println!("{name}: installed ({})", template.version());
            Ok(0)
        }
        None => match runtimes::embedded().iter().find(|r| r.name() == name) {
            Some(embedded) => match embedded.availability() {
                Ok(()) => {
                    println!("{name}: embedded in wasi-conform, nothing to set up");
                    Ok(0)
                }
                Err(why) => bail!("{name}: embedded adapter, not available in this build: {why}"),
            },
            None => {
                let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
                bail!(
                    "unknown runtime `{name}` (command runtimes: {})",
                    names.join(", ")
                )
            }
        },
    }
}

/// `worker NAME`: serves runs of an embedded runtime until stdin closes.
pub fn worker(name: &str) -> Result<u8> {
    let runtime = runtimes::embedded()
        .into_iter()
        .find(|r| r.name() == name)
        .with_context(|| format!("unknown embedded runtime `{name}`"))?;
    runtimes::worker::serve(runtime.as_ref())?;
    Ok(0)
}
