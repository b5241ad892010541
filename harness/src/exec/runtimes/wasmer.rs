//! wasmer embedded with wasmer-wasix (singlepass compiler): p1 modules.
//! wasmer cannot interrupt a running guest from outside, so it always runs
//! in a worker process (see `worker.rs`), where a hang becomes a `timeout`.

use super::engine::cached;
use super::{Invocation, Runtime};
use crate::model::abi::Abi;
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use wasmer_wasix::{Pipe, WasiEnv, WasiError, WasiRuntimeError, virtual_fs};

/// The embedded wasmer runtime.
pub struct Wasmer;

impl Runtime for Wasmer {
    fn name(&self) -> &str {
        "wasmer"
    }

    fn version(&self) -> String {
        format!(
            "{} (embedded, wasmer-wasix {}, singlepass)",
            env!("WASI_CONFORM_VERSION_WASMER"),
            env!("WASI_CONFORM_VERSION_WASMER_WASIX")
        )
    }

    fn abis(&self) -> &[Abi] {
        &[Abi::P1]
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        super::no_components(
            "embedded wasmer 7.4.2 has no component model (it compiles core `wasmer::Module`s \
             only), and wasmer-wasix 0.704.2 knows only wasi_unstable, wasi_snapshot_preview1, \
             wasix_32v1 and wasix_64v1 (its `WasiVersion`, src/utils/mod.rs): no WASI 0.2 or 0.3 host",
        )
    }

    fn needs_worker(&self) -> bool {
        true
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let _tokio = tokio().enter();
        let crash =
            |what: &str, e: &dyn std::fmt::Display| RunError::Crash(format!("wasmer: {what}: {e}"));
        let (engine, modules) = compiler();
        let module = cached(modules, inv.wasm, |bytes| {
            wasmer::Module::new(engine, bytes)
        })?;

        let (mut stdin_tx, stdin_rx) = Pipe::channel();
        stdin_tx
            .write_all(inv.stdin)
            .map_err(|e| crash("stdin", &e))?;
        stdin_tx.close();
        let (stdout_tx, mut stdout_rx) = Pipe::channel();
        let (stderr_tx, mut stderr_rx) = Pipe::channel();
        // The host filesystem, so that each preopen is the real sandbox
        // directory, preopened at fd 3, 4, ... in the case's order.
        let host_fs = virtual_fs::host_fs::FileSystem::new(tokio().handle().clone(), "/")
            .map_err(|e| crash("host fs", &e))?;
        let mut builder = WasiEnv::builder(&inv.argv[0])
            .args(&inv.argv[1..])
            .envs(inv.env.iter().cloned())
            .stdin(Box::new(stdin_rx))
            .stdout(Box::new(stdout_tx))
            .stderr(Box::new(stderr_tx))
            .fs(Arc::new(host_fs) as Arc<dyn virtual_fs::FileSystem + Send + Sync>)
            .engine(engine.clone());
        for preopen in inv.preopens {
            builder = builder
                .map_dir(&preopen.guest, &preopen.host)
                .map_err(|e| crash("preopen", &e))?;
        }
        let mut store = wasmer::Store::new(engine.clone());
        let status = match builder.instantiate(module, &mut store) {
            Err(err) => status_of(&anyhow::Error::new(err))?,
            Ok((instance, env)) => {
                let result = instance
                    .exports
                    .get_function("_start")
                    .map_err(|e| RunError::Unsupported(format!("no `_start` export: {e}")))?
                    .call(&mut store, &[]);
                let status = match result {
                    Ok(_) => Status::Exit(0),
                    Err(err) => status_of(&anyhow::Error::new(err))?,
                };
                // With an exit code, `on_exit` closes every descriptor and
                // waits for its writes to land (wasmer-wasix hands file
                // writes to tokio's blocking pool and `fd_write` returns
                // before they do), as the wasmer CLI does when a guest ends;
                // without one the fixture could be read before the last
                // writes reach it.
                let code = match status {
                    Status::Exit(code) => code,
                    Status::Trap(_) => 1,
                };
                env.on_exit(&mut store, Some(code.into()));
                status
            }
        };
        let (stdout, out_truncated) = drain(&mut stdout_rx, inv.limits.output_cap);
        let (stderr, err_truncated) = drain(&mut stderr_rx, inv.limits.output_cap);
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
fn compiler() -> &'static (wasmer::Engine, Mutex<HashMap<PathBuf, wasmer::Module>>) {
    static COMPILER: OnceLock<(wasmer::Engine, Mutex<HashMap<PathBuf, wasmer::Module>>)> =
        OnceLock::new();
    COMPILER.get_or_init(|| (wasmer::Engine::default(), Mutex::default()))
}

/// The tokio runtime wasmer-wasix needs, one per process.
fn tokio() -> &'static tokio::runtime::Runtime {
    static TOKIO: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    TOKIO.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime can be built")
    })
}

/// An exit code, a link error, or a trap, from wasmer's error chain.
fn status_of(err: &anyhow::Error) -> Result<Status, RunError> {
    for cause in err.chain() {
        if let Some(WasiError::Exit(code)) = cause.downcast_ref::<WasiError>() {
            return Ok(Status::Exit(code.raw()));
        }
        if let Some(runtime_error) = cause.downcast_ref::<WasiRuntimeError>() {
            if let Some(code) = runtime_error.as_exit_code() {
                return Ok(Status::Exit(code.raw()));
            }
        }
    }
    let message = format!("{err:#}");
    if message.contains("Error while importing") || message.contains("unknown import") {
        return Err(RunError::Unsupported(message));
    }
    Ok(Status::Trap(message))
}

/// Everything written to a pipe so far, up to `cap` bytes.
fn drain(pipe: &mut Pipe, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut chunk = vec![0u8; 64 << 10];
    while let Some(n) = pipe.try_read(&mut chunk).filter(|&n| n > 0) {
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
        truncated |= n > room;
    }
    (kept, truncated)
}
