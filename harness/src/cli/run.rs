//! `list` and `run`: the selected pairs, and running them on runtimes
//! against their blessed outcomes and recorded expectations.

use crate::baseline::expectations::TODO_REASON;
use crate::cli::progress::{Progress, in_ci};
use crate::exec::runtimes::{self, Limits, Runtime};
use crate::layout::Layout;
use crate::model::record::Record;
use crate::render::{junit, summary};
use crate::suite::{Filter, Prepared, Ran, Suite};
use anyhow::{Result, bail};
use std::path::PathBuf;

/// `list`: one line per selected (case, ABI).
pub fn list(layout: Layout, filter: &Filter) -> Result<u8> {
    let suite = Suite::load(layout, filter)?;
    for (case, abi) in suite.pairs() {
        println!("{:<40} {:<13} {}", case.name, abi.name(), case.description);
    }
    Ok(0)
}

/// Options of `run`.
pub struct Options {
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

/// Runs the suite's selected pairs on `runtimes` with a progress bar.
pub fn run_with_progress(
    suite: &Suite,
    prepared: &Prepared,
    runtimes: &[Box<dyn Runtime>],
    for_update: bool,
    threads: usize,
    limits: Limits,
) -> Result<Ran> {
    let plan = suite.plan(prepared, runtimes, for_update)?;
    if plan.jobs.is_empty() && plan.lines.iter().all(|l| l.unavailable.is_none()) {
        let abis: Vec<String> = suite.abis().iter().map(|a| a.to_string()).collect();
        let runs: Vec<String> = runtimes
            .iter()
            .map(|r| {
                let abis: Vec<&str> = r.abis().iter().map(|a| a.name()).collect();
                format!("{} runs {}", r.name(), abis.join(", "))
            })
            .collect();
        bail!(
            "nothing to run: the selected cases are {} and {}",
            abis.join(", "),
            runs.join("; ")
        );
    }
    eprintln!(
        "wasi-conform: running {} jobs on {threads} thread(s)",
        plan.jobs.len()
    );
    let progress = Progress::new(plan.jobs.len());
    let ran = plan.run(&suite.layout.fixtures, threads, limits, &|job| {
        progress.finished(&job.label())
    });
    progress.finish();
    ran
}

/// `run`: every selected pair on every named runtime, judged and summarised;
/// with `update_expectations`, the expectation files are rewritten from the
/// verdicts (exit 1 while an entry needs a reason).
pub fn run(layout: Layout, filter: &Filter, options: &Options) -> Result<u8> {
    if options.update_expectations && in_ci() {
        bail!(
            "--update-expectations rewrites expected/runtimes/ and never runs in CI (CI=true is set)"
        );
    }
    let mut suite = Suite::load(layout, filter)?;
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
    let ran = run_with_progress(
        &suite,
        &prepared,
        &runtimes,
        options.update_expectations,
        options.jobs,
        options.limits,
    )?;
    let records = &ran.records;
    print!("{}", summary::summary(&ran.lines, records));
    if let Some(path) = &options.json {
        summary::write_json(path, records)?;
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
            let version = ran
                .lines
                .iter()
                .find(|l| &l.name == name)
                .map_or(String::new(), |l| l.version.clone());
            let missing = known.update(&path, name, &version, &mine)?;
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
