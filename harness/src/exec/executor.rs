//! One run: a fresh fixture for (case, ABI, runtime), the guest run on the
//! runtime, and the outcome collected (exit status, output, trace, the
//! filesystem left behind, the canaries).

use crate::exec::fixture::{self, Sandbox};
use crate::exec::runtimes::{Invocation, Limits, Runtime};
use crate::exec::{proxy, prune};
use crate::layout::write_atomic;
use crate::model::abi::Abi;
use crate::model::case::{Case, CaseServer};
use crate::model::outcome::{Outcome, RawOutcome, Status};
use crate::model::verdict::RunError;
use crate::testsuite::http;
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

/// Runs `wasm` as `case` on `runtime` in a fresh sandbox built from the
/// case's fixture (`fixtures` holds its `fixture_dir`) and collects the
/// outcome. The inner `Err` is a verdict of its own (unsupported, crash,
/// timeout); the outer one a fault of the harness ([`RunError::Harness`]
/// included), which stops the command.
pub fn execute(
    fixtures: &Path,
    case: &Case,
    abi: Abi,
    runtime: &dyn Runtime,
    wasm: &Path,
    limits: Limits,
) -> Result<Result<Outcome, RunError>> {
    // A runtime whose filesystem is in memory gets the fixture there and a
    // nominal root that is never created.
    let (sandbox, memory, root) = if runtime.in_memory() {
        let memory = fixture::in_memory(case, fixtures)?;
        (None, Some(memory), PathBuf::from("/"))
    } else {
        let sandbox = Sandbox::create(case, fixtures)?;
        let root = sandbox.root();
        (Some(sandbox), None, root)
    };
    let preopens = fixture::preopens(&root, case);
    // A runtime that links every import at once gets only those the case calls.
    let pruned = match case.called_imports() {
        Some(keep) if runtime.prune_imports() && abi == Abi::P1 => Some(pruned_guest(wasm, &keep)?),
        _ => None,
    };
    let wasm = pruned.as_deref().unwrap_or(wasm);
    let server = match case.server {
        Some(CaseServer::Http) => Some(
            http::CaseServer::start().context("cannot start the case's loopback HTTP server")?,
        ),
        None => None,
    };
    let env: Vec<(String, String)> = case
        .env
        .iter()
        .chain(server.iter().flat_map(|s| &s.env))
        .cloned()
        .collect();
    let invocation = Invocation {
        abi,
        wasm,
        argv: case.argv(),
        env: &env,
        stdin: case.stdin.as_bytes(),
        sandbox_root: &root,
        preopens: &preopens,
        proposals: &case.proposals,
        fixture: memory.as_ref(),
        limits,
    };
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| match &case.request {
        Some(request) => proxy::run(runtime, &invocation, request),
        None => runtime.run(&invocation),
    }))
    .unwrap_or_else(|panic| {
        Err(RunError::Crash(format!(
            "panic in the harness adapter: {}",
            panic_message(&panic)
        )))
    });
    let mut raw = match ran {
        Ok(raw) => raw,
        Err(RunError::Harness(fault)) => bail!("{fault}"),
        // A run that ended without an outcome (a crash, a timeout) may still
        // have reached outside its sandbox, and left on the host what it
        // made there: the canaries and host targets are checked all the
        // same (which removes what it made), and an escape outranks the
        // crash.
        Err(err) => match &sandbox {
            Some(sandbox) => match sandbox.check_canaries() {
                Err(escape) => {
                    let raw = RawOutcome {
                        status: Status::Trap(format!("the run ended as {err:?}")),
                        stdout: Vec::new(),
                        stderr: Vec::new(),
                        truncated: false,
                        fs: None,
                    };
                    return Ok(Ok(Outcome::new(raw, sandbox.snapshot()?, Err(escape))));
                }
                Ok(()) => return Ok(Err(err)),
            },
            None => return Ok(Err(err)),
        },
    };
    if let Some(server) = server {
        raw.stdout.extend_from_slice(server.seen().as_bytes());
    }
    let (fs, canaries) = match (raw.fs.take(), &sandbox) {
        (Some(fs), Some(sandbox)) => (fs, sandbox.check_canaries()),
        (None, Some(sandbox)) => (sandbox.snapshot()?, sandbox.check_canaries()),
        (Some(fs), None) => (fs, Ok(())),
        (None, None) => bail!(
            "runtime `{}` keeps its filesystem in memory but reported none",
            runtime.name()
        ),
    };
    let canaries = canaries.and_then(|()| fixture::check_output(&raw.stdout, &raw.stderr));
    Ok(Ok(Outcome::new(raw, fs, canaries)))
}

/// The core module `wasm` with only the preview1 imports in `keep` (the
/// others trap if called), kept beside it under a name made from the
/// module's hash and `keep`: cases that call the same functions share one
/// file, which a runtime compiles once.
fn pruned_guest(wasm: &Path, keep: &BTreeSet<&str>) -> Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(wasm).with_context(|| format!("{}: cannot read", wasm.display()))?;
    let mut hash = Sha256::new();
    hash.update(&bytes);
    for name in keep {
        hash.update([0]);
        hash.update(name.as_bytes());
    }
    let hex = format!("{:x}", hash.finalize());
    let stem = wasm.file_stem().unwrap_or_default().to_string_lossy();
    let path = wasm.with_file_name(format!("{stem}.pruned-{}.wasm", &hex[..16]));
    if !path.exists() {
        let pruned = prune::keep_imports(&bytes, |name| keep.contains(name))
            .with_context(|| format!("{}: cannot prune its imports", wasm.display()))?;
        write_atomic(&path, &pruned)?;
    }
    Ok(path)
}

/// The message of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-string panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::runtimes::reference::Reference;
    use crate::exec::runtimes::wasmtime::Wasmtime;

    /// A runtime that writes over the canary beside the sandbox, then crashes.
    struct EscapeThenCrash;

    impl Runtime for EscapeThenCrash {
        fn name(&self) -> &str {
            "escape-then-crash"
        }
        fn version(&self) -> String {
            "0".into()
        }
        fn abis(&self) -> &[Abi] {
            &[Abi::P1]
        }
        fn run(&self, inv: &Invocation) -> Result<crate::model::outcome::RawOutcome, RunError> {
            std::fs::write(inv.sandbox_root.join("../canary.txt"), "gone").unwrap();
            Err(RunError::Crash("killed by signal 11".into()))
        }
    }

    #[test]
    fn an_escape_outranks_the_crash_that_ends_the_run() {
        let case = Case::new("io/x", "g", "d", vec![Abi::P1]);
        let ran = execute(
            Path::new("/nonexistent"),
            &case,
            Abi::P1,
            &EscapeThenCrash,
            Path::new("/nonexistent/g.wasm"),
            Limits::default(),
        )
        .unwrap();
        let outcome = ran.expect("an escape is an outcome, not the crash");
        assert_eq!(
            outcome.canary,
            Err("canary canary.txt was modified".to_string())
        );
        assert!(
            matches!(&outcome.status, Status::Trap(why) if why.contains("killed by signal 11"))
        );
    }

    #[test]
    fn an_unreadable_guest_is_a_harness_fault_not_a_verdict() {
        let case = Case::new("io/x", "g", "d", vec![Abi::P1]);
        let wasm = Path::new("/nonexistent/g.wasm");
        for runtime in [&Reference as &dyn Runtime, &Wasmtime] {
            let fixtures = Path::new("/nonexistent");
            let err = execute(fixtures, &case, Abi::P1, runtime, wasm, Limits::default())
                .expect_err(runtime.name());
            let message = format!("{err:#}");
            assert!(
                message.starts_with("/nonexistent/g.wasm: cannot read"),
                "{message}"
            );
        }
    }
}
