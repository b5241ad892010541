//! `testsuite`: runs tests in the WebAssembly/wasi-testsuite format.

use crate::exec::pool;
use crate::exec::runtimes::{self, Limits, Runtime};
use crate::judge::testsuite::Reads;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::model::record::Record;
use crate::render::summary;
use crate::testsuite::{self, Test};
use anyhow::{Result, bail};
use std::path::PathBuf;

/// Options of `testsuite`.
pub struct Options {
    /// Directories searched (recursively) for tests.
    pub dirs: Vec<PathBuf>,
    /// Runtime names; empty means [`testsuite::DEFAULT_RUNTIME`].
    pub runtimes: Vec<String>,
    pub json: Option<PathBuf>,
    pub jobs: usize,
    /// How expected stdout and stderr are matched.
    pub reads: Reads,
    pub limits: Limits,
}

/// `testsuite`: every test on every runtime that runs its kind of binary;
/// one line per verdict, then the summary and the evidence of every failure.
pub fn run(layout: Layout, options: &Options) -> Result<u8> {
    let names = if options.runtimes.is_empty() {
        vec![testsuite::DEFAULT_RUNTIME.to_string()]
    } else {
        options.runtimes.clone()
    };
    let runtimes = runtimes::select(&names, &layout.templates, &layout.root)?;
    let tests = testsuite::discover(&options.dirs)?;
    for warning in tests.iter().flat_map(|test| &test.spec.warnings) {
        eprintln!("wasi-conform: warning: {warning}");
    }
    let mut lines = Vec::new();
    let mut jobs: Vec<(&Test, &dyn Runtime, Abi)> = Vec::new();
    for runtime in &runtimes {
        if let Err(reason) = runtime.availability() {
            bail!("runtime `{}` is not available: {reason}", runtime.name());
        }
        let before = jobs.len();
        jobs.extend(tests.iter().filter_map(|test| {
            let abi = test.abi_on(runtime.abis())?;
            Some((test, runtime.as_ref(), abi))
        }));
        lines.push(runtimes::summary_line(
            runtime.as_ref(),
            tests.len() - (jobs.len() - before),
        ));
    }
    if jobs.is_empty() {
        bail!(
            "nothing to run: no test under {} is of a kind {} runs",
            options
                .dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            names.join(", ")
        );
    }
    eprintln!(
        "wasi-conform: {} tests, {} runs on {} thread(s)",
        tests.len(),
        jobs.len(),
        options.jobs
    );
    let records = pool::parallel(&jobs, options.jobs, |&(test, runtime, abi)| {
        testsuite::record(test, runtime, abi, options.reads, options.limits)
    })
    .into_iter()
    .collect::<Result<Vec<Record>>>()?;
    for record in &records {
        println!(
            "{:<11} {:<14} {}",
            record.verdict.name(),
            record.runtime,
            record.case
        );
    }
    println!();
    print!("{}", summary::summary(&lines, &records));
    if let Some(path) = &options.json {
        summary::write_json(path, &records)?;
    }
    Ok(if records.iter().all(Record::as_expected) {
        0
    } else {
        1
    })
}
