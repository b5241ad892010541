//! A plan: every selected pair on every runtime that runs its ABI, each job
//! executed, judged against its blessed outcome, and checked against the
//! runtime's expectation file into a [`Record`].

use super::{Prepared, Suite};
use crate::baseline::expectations::Expectations;
use crate::exec::executor;
use crate::exec::pool;
use crate::exec::runtimes::{self, Limits, Runtime};
use crate::judge;
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::model::record::{Record, RuntimeLine};
use crate::model::verdict::{Judgement, Verdict};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// One (case, ABI, runtime) to run.
pub struct Job<'a> {
    pub case: &'a Case,
    pub abi: Abi,
    pub runtime: &'a dyn Runtime,
    pub wasm: PathBuf,
    /// The blessed outcome body to compare with.
    pub expected_body: String,
}

impl Job<'_> {
    /// `runtime case abi`, as progress lines name a job.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.runtime.name(), self.case.name, self.abi)
    }
}

/// The jobs of a command, with the summary line of every runtime and the
/// baseline of every runtime that runs.
pub struct Plan<'a> {
    pub lines: Vec<RuntimeLine>,
    pub jobs: Vec<Job<'a>>,
    pub expectations: Vec<(String, Expectations)>,
}

/// What [`Plan::run`] produced.
pub struct Ran {
    pub lines: Vec<RuntimeLine>,
    pub records: Vec<Record>,
    /// The baseline of every runtime that ran.
    pub expectations: Vec<(String, Expectations)>,
}

impl Suite {
    /// Every selected pair on every available runtime that runs its ABI,
    /// with each runtime's expectation file (`for_update`: placeholders
    /// allowed).
    pub fn plan<'a>(
        &'a self,
        prepared: &Prepared,
        runtimes: &'a [Box<dyn Runtime>],
        for_update: bool,
    ) -> Result<Plan<'a>> {
        let mut lines = Vec::new();
        let mut jobs = Vec::new();
        let mut expectations = Vec::new();
        for runtime in runtimes {
            let mut line = runtimes::summary_line(runtime.as_ref(), 0);
            if line.unavailable.is_none() {
                let path = self.layout.expectations(runtime.name());
                let load = if for_update {
                    Expectations::load_for_update
                } else {
                    Expectations::load
                };
                let known = load(&path, &self.cases)?;
                line.baseline_version = known
                    .version
                    .clone()
                    .filter(|recorded| *recorded != line.version);
                expectations.push((runtime.name().to_string(), known));
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
                        line.skipped += 1;
                    }
                }
            }
            lines.push(line);
        }
        Ok(Plan {
            lines,
            jobs,
            expectations,
        })
    }
}

impl Plan<'_> {
    /// Runs every job on `threads` threads (fixtures from `fixtures`),
    /// calling `on_done` as each finishes; records in plan order.
    pub fn run(
        self,
        fixtures: &Path,
        threads: usize,
        limits: Limits,
        on_done: &(dyn Fn(&Job) + Sync),
    ) -> Result<Ran> {
        let records = pool::parallel(&self.jobs, threads, |job| {
            let record = record(fixtures, job, &self.expectations, limits);
            on_done(job);
            record
        })
        .into_iter()
        .collect::<Result<Vec<Record>>>()?;
        Ok(Ran {
            lines: self.lines,
            records,
            expectations: self.expectations,
        })
    }
}

/// Runs one job and judges it: its verdict, and what its runtime's
/// expectation file says of it.
fn record(
    fixtures: &Path,
    job: &Job,
    expectations: &[(String, Expectations)],
    limits: Limits,
) -> Result<Record> {
    let known = expectations
        .iter()
        .find(|(name, _)| name == job.runtime.name())
        .and_then(|(_, e)| e.get(&job.case.name, job.abi));
    let known_hang = known.is_some_and(|k| k.verdict == Verdict::Timeout)
        && limits.known_timeout < limits.timeout;
    let limits = Limits {
        timeout: if known_hang {
            limits.known_timeout
        } else {
            limits.timeout
        },
        ..limits
    };
    let run = executor::execute(fixtures, job.case, job.abi, job.runtime, &job.wasm, limits)?;
    let Judgement {
        verdict,
        mut detail,
    } = judge::judge(job.case, job.abi, &run, &job.expected_body);
    if known_hang && verdict == Verdict::Timeout {
        // On a line of its own: the first is the evidence an entry pins.
        detail.push_str(&format!(
            "\na recorded hang, checked again for {} s (--known-timeout)",
            limits.timeout.as_secs_f64()
        ));
    }
    Ok(Record {
        case: job.case.name.clone(),
        abi: job.abi,
        runtime: job.runtime.name().to_string(),
        verdict,
        tier: Some(job.case.binding),
        detail,
        expected: known.map_or(Verdict::Pass, |k| k.verdict),
        reason: known.map(|k| k.reason.clone()),
        recorded_evidence: known.and_then(|k| k.evidence.clone()),
    })
}
