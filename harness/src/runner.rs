//! Running cases: one fresh sandbox per (case, ABI, runtime), jobs in
//! parallel, results in plan order whatever the scheduling.

use crate::abi::Abi;
use crate::expectations::Expectations;
use crate::layout::Layout;
use crate::manifest::Case;
use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::runtimes::{Invocation, Limits, Runtime};
use crate::sandbox::{self, Sandbox};
use crate::verdict::{self, Judgement, RunError, Verdict};
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One (case, ABI, runtime) to run.
pub struct Job<'a> {
    pub case: &'a Case,
    pub abi: Abi,
    pub runtime: &'a dyn Runtime,
    pub wasm: PathBuf,
    /// The blessed outcome body to compare with.
    pub expected_body: String,
}

/// The verdict of one job, with what was expected of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub case: String,
    pub abi: Abi,
    pub runtime: String,
    pub verdict: Verdict,
    /// Evidence: the diff, the failed check, the crash message.
    pub detail: String,
    /// The verdict recorded in the runtime's expectation file (`pass` if none).
    pub expected: Verdict,
    /// The recorded reason, when the verdict is a known one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Record {
    /// Whether the verdict is what the expectation file says (or `pass`).
    pub fn as_expected(&self) -> bool {
        self.verdict == self.expected
    }
}

/// Runs `job.wasm` on its runtime in a fresh sandbox and collects the outcome.
pub fn execute(
    layout: &Layout,
    case: &Case,
    abi: Abi,
    runtime: &dyn Runtime,
    wasm: &Path,
    limits: Limits,
) -> Result<Result<Outcome, RunError>> {
    // A runtime whose filesystem is in memory gets the fixture there and a
    // nominal root that is never created.
    let (sandbox, fixture, root) = if runtime.in_memory() {
        let fixture = sandbox::in_memory(case, &layout.fixtures)?;
        (None, Some(fixture), PathBuf::from("/"))
    } else {
        let sandbox = Sandbox::create(case, &layout.fixtures)?;
        let root = sandbox.root();
        (Some(sandbox), None, root)
    };
    let preopens = sandbox::preopens(&root, case);
    let mut argv = vec![format!("{}.wasm", case.guest)];
    argv.extend(case.args.iter().cloned());
    let invocation = Invocation {
        abi,
        wasm,
        argv,
        env: &case.env,
        stdin: case.stdin.as_bytes(),
        sandbox_root: &root,
        preopens: &preopens,
        fixture: fixture.as_ref(),
        limits,
    };
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| runtime.run(&invocation)))
        .unwrap_or_else(|panic| {
            Err(RunError::Crash(format!(
                "panic in the harness adapter: {}",
                panic_message(&panic)
            )))
        });
    let raw = match ran {
        Ok(raw) => raw,
        Err(err) => return Ok(Err(err)),
    };
    let mut raw = raw;
    let (fs, canaries) = match (raw.fs.take(), &sandbox) {
        (Some(fs), Some(sandbox)) => (fs, sandbox.check_canaries()),
        (None, Some(sandbox)) => (sandbox.snapshot()?, sandbox.check_canaries()),
        (Some(fs), None) => (fs, Ok(())),
        (None, None) => anyhow::bail!(
            "runtime `{}` keeps its filesystem in memory but reported none",
            runtime.name()
        ),
    };
    Ok(Ok(Outcome::new(raw, fs, canaries)))
}

/// Runs every job on `jobs` threads and returns their records in order.
/// Progress goes to stderr (see [`Progress`]).
pub fn run_jobs(
    layout: &Layout,
    jobs: &[Job],
    expectations: &[(String, Expectations)],
    threads: usize,
    limits: Limits,
) -> Result<Vec<Record>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Record>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let progress = Progress::new(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let record = run_job(layout, job, expectations, limits);
                    results.lock().unwrap()[i] = Some(record);
                    progress.finished(&format!(
                        "{} {} {}",
                        job.runtime.name(),
                        job.case.name,
                        job.abi
                    ));
                }
            });
        }
    });
    progress.finish();
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

fn run_job(
    layout: &Layout,
    job: &Job,
    expectations: &[(String, Expectations)],
    limits: Limits,
) -> Result<Record> {
    let run = execute(layout, job.case, job.abi, job.runtime, &job.wasm, limits)?;
    let Judgement { verdict, detail } = verdict::judge(job.case, job.abi, &run, &job.expected_body);
    let known = expectations
        .iter()
        .find(|(name, _)| name == job.runtime.name())
        .and_then(|(_, e)| e.get(&job.case.name, job.abi));
    Ok(Record {
        case: job.case.name.clone(),
        abi: job.abi,
        runtime: job.runtime.name().to_string(),
        verdict,
        detail,
        expected: known.map_or(Verdict::Pass, |k| k.verdict),
        reason: known.map(|k| k.reason.clone()),
    })
}

/// The message of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-string panic".into())
}
