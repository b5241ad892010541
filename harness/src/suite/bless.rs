//! Blessing: the expected outcome of each selected pair, rewritten from the
//! run of its oracle, when that run passes its own checks.

use super::{Filter, Suite};
use crate::baseline::expected;
use crate::exec::executor;
use crate::exec::guests::Guests;
use crate::exec::runtimes::{self, Limits, Runtime};
use crate::judge::{self, normalise};
use crate::layout::{Layout, write_atomic};
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::model::outcome::{Outcome, Status};
use crate::model::verdict::{RunError, Verdict};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// What a bless did.
#[derive(Debug, Default)]
pub struct Blessed {
    /// Expected files written.
    pub written: usize,
    /// Pairs whose oracle run failed its own checks: one line each.
    pub refused: Vec<String>,
    /// Expected files of no case that were removed (unfiltered bless only).
    pub removed: Vec<PathBuf>,
}

/// Rewrites the expected outcome of every pair `filter` selects from its
/// oracle; with no filter, also removes expected files of no case.
pub fn bless(layout: Layout, filter: &Filter, limits: Limits) -> Result<Blessed> {
    let mut suite = Suite::load(layout, filter)?;
    let guests = suite.build_guests()?;
    let binaries = suite.binaries(&guests)?;
    let mut blessed = Blessed::default();
    for ((case, abi), wasm) in suite.pairs().zip(&binaries) {
        let (run, source) = oracle_run(&suite, &guests, case, abi, wasm, limits)?;
        let judged = match &run {
            Ok(outcome) => judge::judge(case, abi, &run, &normalise::body(case, outcome)),
            Err(_) => judge::judge(case, abi, &run, ""),
        };
        let outcome = match (judged.verdict, run) {
            (Verdict::Pass, Ok(outcome)) => outcome,
            (verdict, _) => {
                blessed.refused.push(format!(
                    "{} {} ({source}): {verdict}: {}",
                    case.name, abi, judged.detail
                ));
                continue;
            }
        };
        let path = expected::path(&suite.layout.expected, case, abi);
        write_atomic(
            &path,
            expected::render_file(case, abi, &outcome, &source).as_bytes(),
        )?;
        blessed.written += 1;
    }
    if filter.is_everything() {
        for orphan in expected::orphans(&suite.layout.expected, &suite.cases) {
            std::fs::remove_file(&orphan)
                .with_context(|| format!("{}: cannot remove", orphan.display()))?;
            blessed.removed.push(orphan);
        }
    }
    Ok(blessed)
}

/// The run a pair's expected outcome is blessed from, and where it came
/// from. p1 runs on the reference host. An adapted p1 module is judged by
/// the reference host's run of the module itself, its exit status mapped
/// ([`Abi::exit_status`]): the adapter is meant to be transparent, so what
/// the module must do, the component must do too. p2 runs on the reference
/// host's WASI 0.2 layer; p3 on embedded wasmtime, as the reference host
/// does not implement WASI 0.3.
fn oracle_run(
    suite: &Suite,
    guests: &Guests,
    case: &Case,
    abi: Abi,
    wasm: &Path,
    limits: Limits,
) -> Result<(Result<Outcome, RunError>, String)> {
    let reference = runtimes::reference::Reference;
    let fixtures = &suite.layout.fixtures;
    match abi {
        Abi::P1 | Abi::P2 => {
            let run = executor::execute(fixtures, case, abi, &reference, wasm, limits)?;
            Ok((run, format!("reference {}", reference.version())))
        }
        Abi::P1Component => {
            let module = guests.path(&case.guest, Abi::P1);
            let run = executor::execute(fixtures, case, Abi::P1, &reference, &module, limits)?;
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
        Abi::P3 => {
            let wasmtime = runtimes::wasmtime::Wasmtime;
            let run = executor::execute(fixtures, case, abi, &wasmtime, wasm, limits)?;
            let source = format!(
                "wasmtime {} (the reference host does not implement WASI 0.3)",
                wasmtime.version()
            );
            Ok((run, source))
        }
    }
}
