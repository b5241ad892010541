//! The runtimes a case runs on: one trait, one file per runtime.

mod capped;
pub mod command;
mod engine;
mod pipes;
pub use engine::keep_compiled_guests_in;
pub mod reference;
mod served;
#[cfg(feature = "wasmedge")]
pub mod wasmedge;
pub mod wasmer;
pub mod wasmi;
pub mod wasmtime;
pub mod worker;

use crate::exec::fixture::Preopen;
use crate::model::abi::{Abi, World};
use crate::model::case::ServedRequest;
use crate::model::outcome::RawOutcome;
use crate::model::record::RuntimeLine;
use crate::model::verdict::RunError;
use crate::testsuite::http::Message;
use anyhow::{Result, bail};
use std::path::Path;
use std::time::Duration;
use wasi_conform_reference::memfs::MemFs;

/// Limits every run is held to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time before the run becomes a `timeout`.
    pub timeout: Duration,
    /// The timeout instead, when at most `timeout`, of a run that its
    /// runtime's expectation file records as a `timeout`: a known hang is
    /// checked again, not waited out (`suite::plan` applies it).
    pub known_timeout: Duration,
    /// Bytes kept of stdout and of stderr each; the rest is dropped and the
    /// outcome marked truncated.
    pub output_cap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            known_timeout: Duration::from_secs(2),
            output_cap: 16 << 20,
        }
    }
}

/// Everything a runtime needs to run one guest once.
#[derive(Debug, Clone)]
pub struct Invocation<'a> {
    pub abi: Abi,
    /// The guest binary (core module for p1, component otherwise).
    pub wasm: &'a Path,
    /// argv including argv[0].
    pub argv: Vec<String>,
    pub env: &'a [(String, String)],
    pub stdin: &'a [u8],
    /// The sandbox root: the directory the fixture was built in.
    pub sandbox_root: &'a Path,
    pub preopens: &'a [Preopen],
    /// WASI proposals the guest needs ([`Case::proposals`](crate::model::case::Case::proposals)).
    pub proposals: &'a [String],
    /// The fixture, for a runtime that keeps its filesystem in memory
    /// ([`Runtime::in_memory`]): then `sandbox_root` is a nominal path,
    /// never created, that `preopens` are relative to. `None` for the
    /// others, whose fixture is on disk under `sandbox_root`.
    pub fixture: Option<&'a MemFs>,
    pub limits: Limits,
}

/// A WASI host the suite can run guests on.
pub trait Runtime: Send + Sync {
    /// Short unique name used on the command line and in expectation files.
    fn name(&self) -> &str;
    /// The runtime's exact version.
    fn version(&self) -> String;
    /// The ABIs this runtime runs; it is never asked to run others.
    fn abis(&self) -> &[Abi];
    /// Why the runtime does not run each ABI it lacks, from that runtime's
    /// own documentation or source (`runtimes` prints it).
    fn not_run(&self) -> Vec<(Abi, String)> {
        Vec::new()
    }
    /// `Err(reason)` when the runtime cannot run here (binary not installed).
    fn availability(&self) -> Result<(), String> {
        Ok(())
    }
    /// Whether runs must happen in a worker process: the runtime cannot be
    /// interrupted in-process, so only a worker makes a hang a `timeout`.
    fn needs_worker(&self) -> bool {
        false
    }
    /// Whether the runtime keeps its filesystem in memory: it is handed the
    /// fixture ([`Invocation::fixture`]) and reports the filesystem it
    /// leaves ([`RawOutcome::fs`]); no directory is made on disk for it.
    fn in_memory(&self) -> bool {
        false
    }
    /// Whether the runtime refuses a module that imports a preview1 function
    /// it lacks even when the function is never called. Such a runtime is
    /// given, for a case whose calls are listed
    /// ([`Case::called_imports`](crate::model::case::Case::called_imports)),
    /// the guest with every other preview1 import replaced by a function
    /// that traps: a missing function costs only the cases that call it.
    fn prune_imports(&self) -> bool {
        false
    }
    /// Runs one guest. Only `Err` for outcomes that are verdicts of their own.
    fn run(&self, invocation: &Invocation) -> Result<RawOutcome, RunError>;
    /// The command line of a process that runs the guest of `invocation`
    /// live, for a test that talks to it while it runs (`testsuite`'s live
    /// operations): stdin, stdout and stderr are the process's own, and a
    /// `world` of [`World::HttpService`] is served over HTTP.
    /// `invocation.stdin` is not used. `Err(why)` when the runtime cannot
    /// run guests so.
    fn live_command(&self, invocation: &Invocation, world: World) -> Result<Vec<String>, String> {
        let _ = (invocation, world);
        Err(format!(
            "`{}` runs a guest only to its end, with its input given up front",
            self.name()
        ))
    }
    /// Serves the guest of `inv` as a `wasi:http/proxy` component and sends
    /// it `request` as a client: the run's outcome, and the response the
    /// client got (`None`: none). By default in a process of the runtime's
    /// own ([`proxy::serve_live`](crate::exec::proxy::serve_live)).
    fn serve(
        &self,
        inv: &Invocation,
        request: &ServedRequest,
    ) -> Result<(RawOutcome, Option<Message>), RunError> {
        crate::exec::proxy::serve_live(self, inv, request)
    }
    /// What in the stderr of a live run says the runtime could not link the
    /// guest (the run is then `unsupported`).
    fn link_error(&self, stderr: &str) -> Option<String> {
        let _ = stderr;
        None
    }
}

/// The summary line of `runtime` in a run that skipped `skipped` pairs
/// (the ABIs it does not run); an unavailable runtime says why.
pub fn summary_line(runtime: &dyn Runtime, skipped: usize) -> RuntimeLine {
    RuntimeLine {
        name: runtime.name().to_string(),
        version: runtime.version(),
        skipped,
        unavailable: runtime.availability().err(),
        baseline_version: None,
    }
}

/// The runtimes `run` uses when none are named: the embedded ones.
pub const DEFAULT: [&str; 2] = ["reference", "wasmtime"];

/// The embedded adapters, run in this process (the worker side uses this).
pub fn embedded() -> Vec<Box<dyn Runtime>> {
    vec![
        Box::new(reference::Reference),
        Box::new(wasmtime::Wasmtime),
        Box::new(wasmer::Wasmer),
        Box::new(wasmi::Wasmi),
        Box::new(wasmedge::WasmEdge),
    ]
}

/// Every ABI `runtime` does not run, with the reason it gives (`None`
/// where it gives none).
pub fn missing_abis(runtime: &dyn Runtime) -> Vec<(Abi, Option<String>)> {
    let reasons = runtime.not_run();
    Abi::ALL
        .into_iter()
        .filter(|abi| !runtime.abis().contains(abi))
        .map(|abi| {
            let why = reasons
                .iter()
                .find(|(a, why)| *a == abi && !why.is_empty())
                .map(|(_, why)| why.clone());
            (abi, why)
        })
        .collect()
}

/// Why a runtime that runs only core modules runs no component ABI
/// (`p1-component`, `p2`, `p3`): `why`, for each.
fn no_components(why: &str) -> Vec<(Abi, String)> {
    [Abi::P1Component, Abi::P2, Abi::P3]
        .into_iter()
        .map(|abi| (abi, why.to_string()))
        .collect()
}

/// Why embedded WasmEdge runs no components, built or not.
const WASMEDGE_NO_COMPONENTS: &str = "WasmEdge 0.17.1 has no finished component model nor \
    WASI 0.2 host (tracking issue WasmEdge/WasmEdge#4236, \"Component Model Proposal and WASI \
    Preview 2\", is open; its completion PR WasmEdge/WasmEdge#5170 is unmerged) and no WASI 0.3 \
    host at all";

/// The embedded WasmEdge adapter in a build without the `wasmedge` cargo
/// feature: listed, never available, never run.
#[cfg(not(feature = "wasmedge"))]
mod wasmedge {
    use super::{Abi, Invocation, RawOutcome, RunError, Runtime};

    const NOT_BUILT: &str = "built without the `wasmedge` cargo feature \
        (needs the WasmEdge C library: see README, \"The embedded WasmEdge adapter\")";

    pub struct WasmEdge;

    impl Runtime for WasmEdge {
        fn name(&self) -> &str {
            "wasmedge"
        }

        fn version(&self) -> String {
            "not built".into()
        }

        fn abis(&self) -> &[Abi] {
            &[Abi::P1]
        }

        fn availability(&self) -> Result<(), String> {
            Err(NOT_BUILT.into())
        }

        fn not_run(&self) -> Vec<(Abi, String)> {
            super::no_components(super::WASMEDGE_NO_COMPONENTS)
        }

        fn run(&self, _: &Invocation) -> Result<RawOutcome, RunError> {
            Err(RunError::Unsupported(NOT_BUILT.into()))
        }
    }
}

/// Every known runtime: the embedded adapters (in worker processes where
/// they need one), then one per command template in `templates_dir`.
pub fn all(templates_dir: &Path, repo_root: &Path) -> Result<Vec<Box<dyn Runtime>>> {
    all_with(templates_dir, repo_root, false)
}

/// [`all`], with every embedded adapter in worker processes when `isolate`.
pub fn all_with(
    templates_dir: &Path,
    repo_root: &Path,
    isolate: bool,
) -> Result<Vec<Box<dyn Runtime>>> {
    let mut runtimes: Vec<Box<dyn Runtime>> = embedded()
        .into_iter()
        .map(|runtime| -> Box<dyn Runtime> {
            if isolate || runtime.needs_worker() {
                Box::new(worker::Isolated::new(runtime))
            } else {
                runtime
            }
        })
        .collect();
    for template in command::load_templates(templates_dir, repo_root)? {
        runtimes.push(Box::new(template));
    }
    Ok(runtimes)
}

/// The runtimes named in `names`, in that order; an unknown name is an error.
pub fn select(
    names: &[String],
    templates_dir: &Path,
    repo_root: &Path,
) -> Result<Vec<Box<dyn Runtime>>> {
    select_with(names, templates_dir, repo_root, false)
}

/// [`select`], with every embedded adapter in worker processes when `isolate`.
pub fn select_with(
    names: &[String],
    templates_dir: &Path,
    repo_root: &Path,
    isolate: bool,
) -> Result<Vec<Box<dyn Runtime>>> {
    let mut known = all_with(templates_dir, repo_root, isolate)?;
    let mut chosen = Vec::new();
    for name in names {
        match known.iter().position(|r| r.name() == name) {
            Some(i) => chosen.push(known.remove(i)),
            None if chosen.iter().any(|r: &Box<dyn Runtime>| r.name() == name) => {
                bail!("runtime `{name}` is named twice")
            }
            None => {
                let names: Vec<&str> = known.iter().map(|r| r.name()).collect();
                bail!("unknown runtime `{name}` (known: {})", names.join(", "))
            }
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `runtimes` says why for every ABI a runtime does not run.
    #[test]
    fn every_runtime_says_why_it_lacks_an_abi() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let runtimes = all(&root.join("harness/runtimes"), &root).unwrap();
        let mut silent = Vec::new();
        for runtime in &runtimes {
            for (abi, why) in missing_abis(runtime.as_ref()) {
                if why.is_none() {
                    silent.push(format!("{} {abi}", runtime.name()));
                }
            }
        }
        assert!(silent.is_empty(), "no reason given for: {silent:?}");
    }
}
