//! wasmtime embedded with wasmtime-wasi: p1 modules, adapted and native
//! 0.2 components, 0.3 components (wasmtime-wasi's `p3`, as the wasmtime
//! CLI runs them with `-Sp3 -Wcomponent-model-async`, with wasi:http's 0.3
//! client for guests that need the `http` proposal), stdout/stderr captured
//! in memory. [`run_live`] runs a guest with the process's own stdio
//! instead, and serves a 0.3 `wasi:http/service` component over HTTP.

use super::engine::{self, shared};
use super::{Invocation, Runtime};
use crate::model::abi::{Abi, World};
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

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
        let mut builder = context(inv)?;
        builder
            .stdin(MemoryInputPipe::new(inv.stdin.to_vec()))
            .stdout(stdout.clone())
            .stderr(stderr.clone());
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

    /// `wasi-conform host` ([`run_live`]) with the invocation as arguments.
    fn live_command(&self, inv: &Invocation, world: World) -> Result<Vec<String>, String> {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
        let mut argv = vec![
            exe.display().to_string(),
            "host".into(),
            "--abi".into(),
            inv.abi.name().into(),
            "--argv0".into(),
            inv.argv[0].clone(),
            "--timeout".into(),
            inv.limits.timeout.as_secs().max(1).to_string(),
        ];
        if world == World::HttpService {
            argv.push("--http-service".into());
        }
        for preopen in inv.preopens {
            argv.push("--dir".into());
            argv.push(format!("{}::{}", preopen.host.display(), preopen.guest));
        }
        for (key, value) in inv.env {
            argv.push("--env".into());
            argv.push(format!("{key}={value}"));
        }
        for proposal in inv.proposals {
            argv.push("--proposal".into());
            argv.push(proposal.clone());
        }
        argv.push(inv.wasm.display().to_string());
        argv.push("--".into());
        argv.extend(inv.argv[1..].iter().cloned());
        Ok(argv)
    }

    fn link_error(&self, stderr: &str) -> Option<String> {
        engine::link_error(stderr)
    }
}

/// The WASI context of a run, but for its stdio: arguments, environment,
/// preopens, and the network when the guest needs the `sockets` proposal.
fn context(inv: &Invocation) -> Result<WasiCtxBuilder, RunError> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&inv.argv)
        .envs(inv.env)
        .allow_blocking_current_thread(true);
    // As the wasmtime CLI with `-S inherit-network,allow-ip-name-lookup`:
    // without the first, the 49 CLI denies even making a TCP or UDP socket
    // (`access-denied`); without the second, every name lookup fails.
    if inv.proposals.iter().any(|p| p == "sockets") {
        builder
            .inherit_network()
            .allow_tcp(true)
            .allow_udp(true)
            .allow_ip_name_lookup(true);
    }
    for preopen in inv.preopens {
        builder
            .preopened_dir(&preopen.host, &preopen.guest, FsPerms::ReadWrite)
            .map_err(|e| {
                RunError::Harness(format!("{}: cannot preopen: {e:?}", preopen.host.display()))
            })?;
    }
    Ok(builder)
}

/// Runs the guest of `inv` with this process's stdin, stdout and stderr
/// (`inv.stdin` is not used), or, for the `wasi:http/service` world, serves
/// it over HTTP until the process gets SIGINT ([`serve_p3`]): what
/// `wasi-conform host` does for `testsuite`'s live tests.
pub fn run_live(inv: &Invocation, world: World) -> Result<Status, RunError> {
    let mut builder = context(inv)?;
    builder.inherit_stdio();
    match (world, inv.abi) {
        (World::Command, Abi::P1) => run_module(inv, builder.build_p1()),
        (World::Command, Abi::P1Component | Abi::P2) => run_component(inv, builder.build()),
        (World::Command, Abi::P3) => run_p3_component(inv, builder.build()),
        (World::HttpService, Abi::P3) => serve_p3(inv, builder.build()),
        (World::HttpService, Abi::P2) => serve_p2(inv),
        (World::HttpService, abi) => Err(RunError::Unsupported(format!(
            "embedded wasmtime serves WASI 0.2 `wasi:http/proxy` and 0.3 \
             `wasi:http/service` components, not {abi}"
        ))),
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

/// A component's host state: wasmtime-wasi's context, wasi:http's, and
/// their resource table.
struct ComponentState {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl WasiHttpView for ComponentState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
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
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
    };
    let store = shared.store(state, inv.limits.timeout);
    Ok((component, linker, store))
}

/// A WASI 0.2 command's run; wasi:http's 0.2 client too when the guest
/// needs the `http` proposal (the CLI's `-Shttp`).
fn run_component(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    let http = inv.proposals.iter().any(|p| p == "http");
    let (component, linker, mut store) = component_run(inv, ctx, |linker| {
        wasmtime_wasi::p2::add_to_linker_sync(linker)?;
        if http {
            wasmtime_wasi_http::p2::add_only_http_to_linker_sync(linker)?;
        }
        Ok(())
    })?;
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

/// A WASI 0.3 component's run: wasmtime-wasi's 0.3 interfaces, and its 0.2
/// ones too, as the wasmtime CLI links them (Rust's standard library for
/// wasm32-wasip2 imports 0.2); wasi:http's 0.3 client when the guest needs
/// the `http` proposal (the CLI's `-Shttp`).
fn p3_component_run(
    inv: &Invocation,
    ctx: WasiCtx,
) -> Result<(Component, Linker<ComponentState>, Store<ComponentState>), RunError> {
    let http = inv.proposals.iter().any(|p| p == "http");
    component_run(inv, ctx, |linker| {
        wasmtime_wasi::p2::add_to_linker_async(linker)?;
        wasmtime_wasi::p3::add_to_linker(linker)?;
        if http {
            wasmtime_wasi_http::p3::add_to_linker(linker)?;
        }
        Ok(())
    })
}

/// A single-threaded tokio runtime: wasmtime's concurrent event loop runs
/// a 0.3 component on it.
fn tokio_runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Harness(format!("cannot start a tokio runtime: {e}")))
}

/// Runs a WASI 0.3 command: its `run` is async, so it runs in wasmtime's
/// concurrent event loop.
fn run_p3_component(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    let (component, linker, mut store) = p3_component_run(inv, ctx)?;
    tokio_runtime()?.block_on(async {
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

/// A request the HTTP server hands the guest, and where its response goes.
type Exchange = (
    hyper::Request<hyper::body::Incoming>,
    tokio::sync::oneshot::Sender<hyper::Response<GuestBody>>,
);

/// A response body as the guest streams it.
type GuestBody = http_body_util::combinators::UnsyncBoxBody<hyper::body::Bytes, std::io::Error>;

/// Serves a WASI 0.3 `wasi:http/service` component as `wasmtime serve`
/// does: on 127.0.0.1 at a free port, announced on stderr as `Serving HTTP
/// on http://ADDRESS/`, every request handled by one instance, until
/// SIGINT, which ends the process with status 0.
fn serve_p3(inv: &Invocation, ctx: WasiCtx) -> Result<Status, RunError> {
    use http_body_util::BodyExt;
    use wasmtime_wasi_http::p3::bindings::Service;
    use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;
    let (component, linker, mut store) = p3_component_run(inv, ctx)?;
    tokio_runtime()?.block_on(async {
        let service = match Service::instantiate_async(&mut store, &component, &linker).await {
            Ok(service) => service,
            Err(err) => return engine::instantiation_error(err),
        };
        let (address, mut incoming) = listen().await?;
        let serving = store.run_concurrent(async move |store| {
            while let Some((request, reply)) = incoming.recv().await {
                let request = absolute(request, &address)
                    .map(|body| body.map_err(|e| ErrorCode::InternalError(Some(e.to_string()))));
                let (request, _io) = wasmtime_wasi_http::p3::Request::from_http(
                    wasmtime_wasi_http::default_hooks(),
                    request,
                );
                let response = match service.handle(store, request).await? {
                    Ok(response) => guest_response(
                        store.with(|store| response.into_http(store, async { Ok(()) }))?,
                    ),
                    Err(code) => server_error(format!("{code:?}")),
                };
                let _ = reply.send(response);
            }
            wasmtime::Result::<()>::Ok(())
        });
        tokio::select! {
            _ = tokio::signal::ctrl_c() => Ok(Status::Exit(0)),
            served = serving => match served.and_then(|served| served) {
                Ok(()) => Ok(Status::Exit(0)),
                Err(err) => engine::run_error(err),
            },
        }
    })
}

/// Serves a WASI 0.2 `wasi:http/proxy` component as `wasmtime serve -Scli`
/// does: on 127.0.0.1 at a free port, announced on stderr as `Serving HTTP
/// on http://ADDRESS/`, each request handled by a fresh instance (its own
/// store and WASI context, with every 0.2 interface and wasi:http) while the
/// response streams to the client, until SIGINT, which ends the process
/// with status 0. An error set on the outparam, or none set, is answered
/// `500`.
fn serve_p2(inv: &Invocation) -> Result<Status, RunError> {
    use wasmtime_wasi_http::p2::bindings::ProxyPre;
    use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
    let shared = shared();
    let component = shared.component(inv.wasm)?;
    let mut linker = Linker::<ComponentState>::new(&shared.engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)
        .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker))
        .map_err(|e| RunError::Crash(format!("wasmtime-wasi linker: {e:?}")))?;
    let pre = match linker.instantiate_pre(&component).and_then(ProxyPre::new) {
        Ok(pre) => pre,
        Err(err) => return engine::instantiation_error(err),
    };
    tokio_runtime()?.block_on(async {
        let (address, mut incoming) = listen().await?;
        let serving = async {
            while let Some((request, reply)) = incoming.recv().await {
                let mut builder = context(inv)?;
                builder.inherit_stdio();
                let state = ComponentState {
                    ctx: builder.build(),
                    http: WasiHttpCtx::new(),
                    table: ResourceTable::new(),
                };
                let mut store = shared.store(state, inv.limits.timeout);
                let (sender, receiver) = tokio::sync::oneshot::channel();
                let request = absolute(request, &address);
                let mut http = store.data_mut().http();
                let handles = http
                    .new_incoming_request(Scheme::Http, request)
                    .and_then(|req| Ok((req, http.new_response_outparam(sender)?)));
                let (req, out) = match handles {
                    Ok(handles) => handles,
                    Err(err) => return engine::run_error(err),
                };
                let pre = pre.clone();
                tokio::spawn(async move {
                    let proxy = pre.instantiate_async(&mut store).await?;
                    proxy
                        .wasi_http_incoming_handler()
                        .call_handle(&mut store, req, out)
                        .await
                });
                let response = match receiver.await {
                    Ok(Ok(response)) => guest_response(response),
                    Ok(Err(_)) | Err(_) => server_error(String::new()),
                };
                let _ = reply.send(response);
            }
            Ok(Status::Exit(0))
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => Ok(Status::Exit(0)),
            served = serving => served,
        }
    })
}

/// `request` with an absolute URI, as `wasmtime serve` gives the guest: a
/// server reads only the path, so the scheme is `http` and the authority
/// the `Host` header's (else the server's `address`).
fn absolute<B>(request: hyper::Request<B>, address: &str) -> hyper::Request<B> {
    let (mut parts, body) = request.into_parts();
    let authority = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or(address)
        .to_string();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    if let Ok(uri) = hyper::Uri::builder()
        .scheme("http")
        .authority(authority)
        .path_and_query(path)
        .build()
    {
        parts.uri = uri;
    }
    hyper::Request::from_parts(parts, body)
}

/// Accepts HTTP/1 connections and hands each request to the guest's loop.
/// The guest's response as the server sends it: its body's errors made I/O errors.
fn guest_response<B>(response: hyper::Response<B>) -> hyper::Response<GuestBody>
where
    B: hyper::body::Body<Data = hyper::body::Bytes> + Send + 'static,
    B::Error: std::fmt::Debug,
{
    use http_body_util::BodyExt;
    response.map(|body| {
        body.map_err(|e| std::io::Error::other(format!("{e:?}")))
            .boxed_unsync()
    })
}

/// A `500` with `body`: what the server answers for a guest that gave no
/// response, or an error instead of one.
fn server_error(body: String) -> hyper::Response<GuestBody> {
    use http_body_util::BodyExt;
    let mut response = hyper::Response::new(
        http_body_util::Full::new(hyper::body::Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// Listens on 127.0.0.1 at a free port, says so on stderr as `wasmtime
/// serve` does (`Serving HTTP on http://ADDRESS/`), and accepts in the
/// background: the address, and the requests as they come.
async fn listen() -> Result<(String, tokio::sync::mpsc::UnboundedReceiver<Exchange>), RunError> {
    let harness = |what: &str, e: std::io::Error| RunError::Harness(format!("{what}: {e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| harness("cannot listen on 127.0.0.1", e))?;
    let address = listener
        .local_addr()
        .map_err(|e| harness("no local address", e))?;
    eprintln!("Serving HTTP on http://{address}/");
    let (exchanges, incoming) = tokio::sync::mpsc::unbounded_channel::<Exchange>();
    tokio::spawn(accept(listener, exchanges));
    Ok((address.to_string(), incoming))
}

async fn accept(
    listener: tokio::net::TcpListener,
    exchanges: tokio::sync::mpsc::UnboundedSender<Exchange>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let exchanges = exchanges.clone();
        tokio::spawn(async move {
            let handle = hyper::service::service_fn(move |request| {
                let exchanges = exchanges.clone();
                async move {
                    let (reply, response) = tokio::sync::oneshot::channel();
                    exchanges
                        .send((request, reply))
                        .map_err(|_| std::io::Error::other("the guest stopped serving"))?;
                    response
                        .await
                        .map_err(|_| std::io::Error::other("the guest gave no response"))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), handle)
                .await;
        });
    }
}
