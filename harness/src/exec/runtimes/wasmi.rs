//! wasmi (an interpreter) embedded with wasmi_wasi: p1 modules. wasmi has no
//! way to interrupt a running guest, so it always runs in a worker process
//! (see `worker.rs`), where a hang becomes a `timeout`.

use super::capped::CappedBuffer;
use super::engine::cached;
use super::{Invocation, Runtime};
use crate::model::abi::Abi;
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};
use wasmi_wasi::{Dir, WasiCtx, WasiCtxBuilder, ambient_authority};

/// The embedded wasmi interpreter.
pub struct Wasmi;

impl Runtime for Wasmi {
    fn name(&self) -> &str {
        "wasmi"
    }

    fn version(&self) -> String {
        format!(
            "{} (embedded interpreter, wasmi_wasi {})",
            env!("WASI_CONFORM_VERSION_WASMI"),
            env!("WASI_CONFORM_VERSION_WASMI_WASI")
        )
    }

    fn abis(&self) -> &[Abi] {
        &[Abi::P1]
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        super::no_components(
            "wasmi 2.0.0 runs core modules only and wasmi_wasi 2.0.0 provides WASI preview1 \
             (its README: \"WASI (wasip1) support via the wasmi_wasi crate\"); component-model \
             support is the open issue wasmi-labs/wasmi#897",
        )
    }

    fn needs_worker(&self) -> bool {
        true
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let crash =
            |what: &str, e: &dyn std::fmt::Display| RunError::Crash(format!("wasmi: {what}: {e}"));
        let stdout = Arc::new(RwLock::new(CappedBuffer::new(inv.limits.output_cap)));
        let stderr = Arc::new(RwLock::new(CappedBuffer::new(inv.limits.output_cap)));
        let mut builder = WasiCtxBuilder::new();
        builder
            .args(&inv.argv)
            .map_err(|e| crash("args", &e))?
            .envs(inv.env)
            .map_err(|e| crash("env", &e))?
            .stdin(Box::new(ReadPipe::from(inv.stdin)))
            .stdout(Box::new(WritePipe::from_shared(stdout.clone())))
            .stderr(Box::new(WritePipe::from_shared(stderr.clone())));
        for preopen in inv.preopens {
            let dir = Dir::open_ambient_dir(&preopen.host, ambient_authority())
                .map_err(|e| crash("preopen", &e))?;
            builder
                .preopened_dir(dir, &preopen.guest)
                .map_err(|e| crash("preopen", &e))?;
        }
        let status = run_module(inv, builder.build())?;
        let (stdout, out_truncated) = stdout.read().unwrap().contents();
        let (stderr, err_truncated) = stderr.read().unwrap().contents();
        Ok(RawOutcome {
            status,
            stdout,
            stderr,
            truncated: out_truncated || err_truncated,
            fs: None,
        })
    }
}

/// The engine and its compiled guests, one per process.
fn compiler() -> &'static (wasmi::Engine, Mutex<HashMap<PathBuf, wasmi::Module>>) {
    static COMPILER: OnceLock<(wasmi::Engine, Mutex<HashMap<PathBuf, wasmi::Module>>)> =
        OnceLock::new();
    COMPILER.get_or_init(|| (wasmi::Engine::default(), Mutex::default()))
}

fn run_module(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    let (engine, modules) = compiler();
    let module = cached(modules, inv.wasm, |bytes| wasmi::Module::new(engine, bytes))?;
    let mut linker = wasmi::Linker::<WasiCtx>::new(engine);
    wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx)
        .map_err(|e| RunError::Crash(format!("wasmi_wasi linker: {e}")))?;
    let mut store = wasmi::Store::new(engine, ctx);
    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => {
            let message = e.to_string();
            return if message.contains("cannot find definition")
                || message.contains("unknown import")
            {
                Err(RunError::Unsupported(message))
            } else {
                Ok(Status::Trap(message))
            };
        }
    };
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .map_err(|e| RunError::Unsupported(format!("no `_start` export: {e}")))?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(Status::Exit(0)),
        Err(err) => match err.i32_exit_status() {
            Some(code) => Ok(Status::Exit(code)),
            None => Ok(Status::Trap(err.to_string())),
        },
    }
}
