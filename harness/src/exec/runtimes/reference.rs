//! The in-repo reference host: `wasi-conform-reference`'s preview1 ABI
//! registered on a wasmtime core linker, and its WASI 0.2 ABI on a component
//! linker. wasmtime only executes guest code here; every WASI call is
//! answered by the reference crate (never by wasmtime-wasi's host code).

use super::engine::{self, shared};
use super::{Invocation, Runtime};
use crate::model::abi::Abi;
use crate::model::case::{SERVED_HOST, ServedRequest};
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use crate::testsuite::http::{self, Message};
use std::sync::OnceLock;
use wasi_conform_reference::abi_p1::{self, Control, ValType};
use wasi_conform_reference::abi_p2::{self, P2, Served};
use wasi_conform_reference::host::{Config, ReferenceHost};
use wasi_conform_reference::memfs::MemFs;
use wasi_conform_reference::trace::Traced;
use wasmtime::component;
use wasmtime::{Extern, FuncType, Linker, Val};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi_http::p2::bindings::sync::Proxy;

/// The reference host.
pub struct Reference;

/// `proc_exit` (or `wasi:cli/exit`) unwinding out of the guest with its exit code.
pub use wasi_conform_reference::system::Exit;

/// The store data of a reference run: the traced host.
type Host = Traced<ReferenceHost>;

impl Runtime for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn version(&self) -> String {
        format!("{} (in-repo)", env!("CARGO_PKG_VERSION"))
    }

    fn abis(&self) -> &[Abi] {
        &[Abi::P1, Abi::P1Component, Abi::P2]
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        vec![(
            Abi::P3,
            "the in-repo reference host implements preview1 and WASI 0.2 \
             (harness/reference), not WASI 0.3"
                .to_string(),
        )]
    }

    fn in_memory(&self) -> bool {
        true
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let host = host(inv)?;
        let (status, host) = match inv.abi {
            Abi::P1 => run_module(inv, Traced::new(host))?,
            Abi::P1Component | Abi::P2 => run_component(inv, p2(inv, host))?,
            Abi::P3 => return Err(RunError::Unsupported("WASI 0.3".to_string())),
        };
        Ok(outcome(status, host.into_inner()))
    }

    /// In process: the request is made as the client would send it, the
    /// guest's `incoming-handler.handle` called once with it, and what it
    /// set on the outparam is the response (an error, or none set, is
    /// answered `500`; a body left unfinished is no response, as the
    /// connection would end mid-body).
    fn serve(
        &self,
        inv: &Invocation,
        request: &ServedRequest,
    ) -> Result<(RawOutcome, Option<Message>), RunError> {
        if inv.abi != Abi::P2 {
            return Err(RunError::Unsupported(format!(
                "the reference host serves WASI 0.2 `wasi:http/proxy` components, not {}",
                inv.abi
            )));
        }
        let mut host = p2(inv, host(inv)?);
        let headers = http::request_fields(SERVED_HOST, &request.wire_headers(), &request.body);
        let handles = host
            .serve_request(abi_p2::ServedRequest {
                method: request.method.clone(),
                target: request.path.clone(),
                headers,
                body: request.body.clone().into_bytes(),
            })
            .map_err(|e| RunError::Crash(format!("reference host: {e:?}")))?;
        let shared = shared();
        let component = shared.component(inv.wasm)?;
        let mut store = shared.store(host, inv.limits.timeout);
        let status = match component_linker(true)
            .instantiate(&mut store, &component)
            .and_then(|instance| Proxy::new(&mut store, &instance))
        {
            Err(err) => engine::instantiation_error(err)?,
            Ok(proxy) => match proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, handles.0, handles.1)
            {
                Ok(()) => Status::Exit(0),
                Err(err) => engine::run_error(err)?,
            },
        };
        let mut host = store.into_data();
        let response = response(host.served());
        Ok((outcome(status, host.into_system().into_inner()), response))
    }
}

/// The reference host of a run: its arguments, environment, stdin, the
/// fixture and the preopens.
fn host(inv: &Invocation) -> Result<ReferenceHost, RunError> {
    let fs = match inv.fixture {
        Some(fixture) => fixture.clone(),
        None => MemFs::load_dir(inv.sandbox_root).map_err(|e| {
            RunError::Harness(format!(
                "{}: cannot load the sandbox: {e}",
                inv.sandbox_root.display()
            ))
        })?,
    };
    let preopens = inv
        .preopens
        .iter()
        .map(|p| {
            let relative = p.host.strip_prefix(inv.sandbox_root).unwrap_or(&p.host);
            let relative = relative.to_string_lossy();
            (
                p.guest.clone(),
                if relative.is_empty() {
                    ".".into()
                } else {
                    relative.into_owned()
                },
            )
        })
        .collect();
    let config = Config {
        args: inv.argv.clone(),
        env: inv.env.to_vec(),
        stdin: inv.stdin.to_vec(),
        fs,
        preopens,
        seed: 0,
        output_cap: inv.limits.output_cap,
    };
    ReferenceHost::new(config).map_err(|e| RunError::Crash(format!("reference host: {e}")))
}

/// The WASI 0.2 layer on `host`; the network only for a `sockets` case, as
/// wasmtime's runner grants it.
fn p2(inv: &Invocation, host: ReferenceHost) -> P2<Host> {
    let mut p2 = P2::new(Traced::new(host));
    if inv.proposals.iter().any(|p| p == "sockets") {
        p2.grant_network();
    }
    p2
}

/// The outcome of a run that ended with `status`: what `host` holds.
fn outcome(status: Status, host: ReferenceHost) -> RawOutcome {
    RawOutcome {
        status,
        stdout: host.stdout().to_vec(),
        stderr: host.stderr().to_vec(),
        truncated: host.output_truncated(),
        fs: Some(host.snapshot()),
    }
}

/// The response a client gets for what a served guest answered.
fn response(served: Served) -> Option<Message> {
    let fields = |fields: Vec<(String, Vec<u8>)>| -> Vec<(String, String)> {
        fields
            .into_iter()
            .map(|(n, v)| {
                (
                    n.to_ascii_lowercase(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    };
    let message = |status: u16, headers, body, trailers| Message {
        start: vec!["HTTP/1.1".into(), status.to_string()],
        headers,
        body,
        trailers,
    };
    match served {
        Served::Response {
            complete: false, ..
        } => None,
        Served::Response {
            status,
            headers,
            body,
            trailers,
            complete: true,
        } => Some(message(
            status,
            fields(headers),
            body,
            fields(trailers.unwrap_or_default()),
        )),
        Served::Error | Served::NotSet => Some(message(500, Vec::new(), Vec::new(), Vec::new())),
    }
}

/// Runs a core module's `_start`; the host comes back with what it holds.
fn run_module(inv: &Invocation, host: Host) -> Result<(Status, Host), RunError> {
    let shared = shared();
    let module = shared.module(inv.wasm)?;
    let mut store = shared.store(host, inv.limits.timeout);
    let status = match linker().instantiate(&mut store, &module) {
        Err(err) => engine::instantiation_error(err)?,
        Ok(instance) => match instance.get_typed_func::<(), ()>(&mut store, "_start") {
            Err(e) => return Err(RunError::Unsupported(format!("no `_start` export: {e:?}"))),
            Ok(start) => match start.call(&mut store, ()) {
                Ok(()) => Status::Exit(0),
                Err(err) => engine::run_error(err)?,
            },
        },
    };
    Ok((status, store.into_data()))
}

/// Runs a component's `wasi:cli/run` (a p1 module wrapped by the adapter,
/// or a WASI 0.2 command); `run` returning `err` is exit status 1.
fn run_component(inv: &Invocation, host: P2<Host>) -> Result<(Status, Host), RunError> {
    let shared = shared();
    let component = shared.component(inv.wasm)?;
    let mut store = shared.store(host, inv.limits.timeout);
    let http = inv.proposals.iter().any(|p| p == "http");
    let status = match component_linker(http)
        .instantiate(&mut store, &component)
        .and_then(|instance| Command::new(&mut store, &instance))
    {
        Err(err) => engine::instantiation_error(err)?,
        Ok(command) => match command.wasi_cli_run().call_run(&mut store) {
            Ok(Ok(())) => Status::Exit(0),
            Ok(Err(())) => Status::Exit(1),
            Err(err) => engine::run_error(err)?,
        },
    };
    Ok((status, store.into_data().into_system()))
}

/// The component linker with every WASI 0.2 interface of the command
/// world, and wasi:http's client for a guest with the `http` proposal;
/// each built once.
fn component_linker(http: bool) -> &'static component::Linker<P2<Host>> {
    static COMMAND: OnceLock<component::Linker<P2<Host>>> = OnceLock::new();
    static HTTP: OnceLock<component::Linker<P2<Host>>> = OnceLock::new();
    let build = || {
        let mut linker = component::Linker::new(&shared().engine);
        abi_p2::add_to_linker(&mut linker).expect("each WASI 0.2 function is defined once");
        if http {
            abi_p2::add_http_to_linker(&mut linker)
                .expect("each wasi:http function is defined once");
        }
        linker
    };
    if http {
        HTTP.get_or_init(build)
    } else {
        COMMAND.get_or_init(build)
    }
}

/// The linker with all 46 preview1 functions, built once.
fn linker() -> &'static Linker<Host> {
    static LINKER: OnceLock<Linker<Host>> = OnceLock::new();
    LINKER.get_or_init(|| {
        let engine = &shared().engine;
        let mut linker = Linker::new(engine);
        for (index, function) in abi_p1::FUNCTIONS.iter().enumerate() {
            let ty = FuncType::new(
                engine,
                function.params.iter().map(wasm_type),
                function.results.iter().map(wasm_type),
            );
            linker
                .func_new(
                    "wasi_snapshot_preview1",
                    function.name,
                    ty,
                    move |mut caller, params, results| {
                        let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                            wasmtime::bail!("the guest exports no memory");
                        };
                        let (mem, host) = memory.data_and_store_mut(&mut caller);
                        let args: Vec<u64> = params.iter().map(raw_value).collect();
                        match abi_p1::call(host, mem, index, &args) {
                            Ok(errno) => {
                                if let Some(result) = results.first_mut() {
                                    *result = Val::I32(errno as i32);
                                }
                                Ok(())
                            }
                            Err(Control::Exit(code)) => Err(wasmtime::Error::new(Exit(code))),
                        }
                    },
                )
                .expect("each preview1 function is defined once");
        }
        linker
    })
}

fn wasm_type(ty: &ValType) -> wasmtime::ValType {
    match ty {
        ValType::I32 => wasmtime::ValType::I32,
        ValType::I64 => wasmtime::ValType::I64,
    }
}

fn raw_value(value: &Val) -> u64 {
    match value {
        Val::I32(v) => *v as u32 as u64,
        Val::I64(v) => *v as u64,
        _ => unreachable!("preview1 functions take only i32 and i64"),
    }
}
