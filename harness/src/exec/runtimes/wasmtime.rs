//! wasmtime embedded with wasmtime-wasi: p1 modules, adapted and native
//! 0.2 components, 0.3 components (wasmtime-wasi's `p3`, as the wasmtime
//! CLI runs them with `-Sp3 -Wcomponent-model-async`), stdout/stderr
//! captured in memory.

use super::engine::{self, shared};
use super::{Invocation, Runtime};
use crate::model::abi::Abi;
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The message wasmtime-wasi traps with when a [`MemoryOutputPipe`] is full.
const CAP_TRAP: &str = "write beyond capacity of MemoryOutputPipe";

/// The embedded wasmtime runtime.
pub struct Wasmtime;

impl Runtime for Wasmtime {
    fn name(&self) -> &str {
        "wasmtime"
    }

    fn version(&self) -> String {
        format!(
            "{} (embedded, wasmtime-wasi {})",
            env!("WASI_CONFORM_VERSION_WASMTIME"),
            env!("WASI_CONFORM_VERSION_WASMTIME_WASI")
        )
    }

    fn abis(&self) -> &[Abi] {
        &Abi::ALL
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let stdout = MemoryOutputPipe::new(inv.limits.output_cap);
        let stderr = MemoryOutputPipe::new(inv.limits.output_cap);
        let mut builder = WasiCtxBuilder::new();
        builder
            .args(&inv.argv)
            .envs(inv.env)
            .stdin(MemoryInputPipe::new(inv.stdin.to_vec()))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_blocking_current_thread(true);
        // As the wasmtime CLI with `-S inherit-network`: without it, the
        // 49 CLI denies even making a TCP or UDP socket (`access-denied`).
        // `http` has no embedded linker here: such a guest is `unsupported`.
        if inv.proposals.iter().any(|p| p == "sockets") {
            builder.inherit_network().allow_tcp(true).allow_udp(true);
        }
        for preopen in inv.preopens {
            builder
                .preopened_dir(&preopen.host, &preopen.guest, FsPerms::ReadWrite)
                .map_err(|e| {
                    RunError::Harness(format!("{}: cannot preopen: {e:?}", preopen.host.display()))
                })?;
        }
        let status = match inv.abi {
            Abi::P1 => run_module(inv, builder.build_p1()),
            Abi::P1Component | Abi::P2 => run_component(inv, builder.build()),
            Abi::P3 => run_p3_component(inv, builder.build()),
        }?;
        let (stdout, stderr) = (stdout.contents().to_vec(), stderr.contents().to_vec());
        let truncated = matches!(&status, Status::Trap(msg) if msg.contains(CAP_TRAP));
        Ok(RawOutcome {
            status,
            stdout,
            stderr,
            truncated,
            fs: None,
        })
    }
}

/// The p1 linker with wasmtime-wasi's preview1 functions, built once (a
/// fuzz campaign instantiates thousands of times a second).
fn p1_linker() -> &'static wasmtime::Linker<wasmtime_wasi::p1::WasiP1Ctx> {
    static LINKER: std::sync::OnceLock<wasmtime::Linker<wasmtime_wasi::p1::WasiP1Ctx>> =
        std::sync::OnceLock::new();
    LINKER.get_or_init(|| {
        let mut linker = wasmtime::Linker::new(&shared().engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx)
            .expect("wasmtime-wasi defines each preview1 function once");
        linker
    })
}

fn run_module(inv: &Invocation, ctx: wasmtime_wasi::p1::WasiP1Ctx) -> Result<Status, RunError> {
    let shared = shared();
    let module = shared.module(inv.wasm)?;
    let mut store = shared.store(ctx, inv.limits.timeout);
    let instance = match p1_linker().instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(err) => return engine::instantiation_error(err),
    };
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|e| RunError::Unsupported(format!("no `_start` export: {e:?}")))?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(Status::Exit(0)),
        Err(err) => engine::run_error(err),
    }
}

/// wasmtime-wasi's 0.2 state: the context and its resource table.
struct ComponentState {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// What a component run needs: the compiled component, a linker that
/// `link` filled with wasmtime-wasi's interfaces, and a store holding `ctx`.
fn component_run(
    inv: &Invocation,
    ctx: WasiCtx,
    link: impl FnOnce(&mut Linker<ComponentState>) -> wasmtime::Result<()>,
) -> Result<(Component, Linker<ComponentState>, Store<ComponentState>), RunError> {
    let shared = shared();
    let component = shared.component(inv.wasm)?;
    let mut linker = Linker::new(&shared.engine);
    link(&mut linker).map_err(|e| RunError::Crash(format!("wasmtime-wasi linker: {e:?}")))?;
    let state = ComponentState {
        ctx,
        table: ResourceTable::new(),
    };
    let store = shared.store(state, inv.limits.timeout);
    Ok((component, linker, store))
}

fn run_component(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    let (component, linker, mut store) =
        component_run(inv, ctx, wasmtime_wasi::p2::add_to_linker_sync)?;
    let command = match wasmtime_wasi::p2::bindings::sync::Command::instantiate(
        &mut store, &component, &linker,
    ) {
        Ok(command) => command,
        Err(err) => return engine::instantiation_error(err),
    };
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(Status::Exit(0)),
        Ok(Err(())) => Ok(Status::Exit(1)),
        Err(err) => engine::run_error(err),
    }
}

/// Runs a WASI 0.3 command: its `run` is async, so it runs in wasmtime's
/// concurrent event loop on a single-threaded tokio runtime. 0.2 is linked
/// too, as the wasmtime CLI does: Rust's standard library for
/// wasm32-wasip2 imports it.
fn run_p3_component(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    let (component, linker, mut store) = component_run(inv, ctx, |linker| {
        wasmtime_wasi::p2::add_to_linker_async(linker)?;
        wasmtime_wasi::p3::add_to_linker(linker)
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Harness(format!("cannot start a tokio runtime: {e}")))?;
    runtime.block_on(async {
        let command = match wasmtime_wasi::p3::bindings::Command::instantiate_async(
            &mut store, &component, &linker,
        )
        .await
        {
            Ok(command) => command,
            Err(err) => return engine::instantiation_error(err),
        };
        let ran = store
            .run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await)
            .await;
        match ran.and_then(|run| run) {
            Ok(Ok(())) => Ok(Status::Exit(0)),
            Ok(Err(())) => Ok(Status::Exit(1)),
            Err(err) => engine::run_error(err),
        }
    })
}
