//! The wasmtime engine shared by the embedded adapters (wasmtime itself and
//! the reference host, which runs guest code on wasmtime's core engine):
//! epoch-based timeouts, one compile per guest per process (and across
//! processes, through wasmtime's own compilation cache), and turning
//! wasmtime errors into statuses and verdicts.

use crate::model::outcome::Status;
use crate::model::verdict::RunError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use wasmtime::component::Component;
use wasmtime::{Cache, CacheConfig, Engine, Module, Store, Trap};

/// How often the epoch advances; timeouts are counted in these ticks.
const TICK: Duration = Duration::from_millis(10);

/// Where compiled guests are kept across processes, once
/// [`keep_compiled_guests_in`] was called (before the engine's first use).
static CACHE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Keeps compiled guests in `dir` across processes: wasmtime's cache keys
/// each entry by the module's bytes, wasmtime's version and the engine's
/// settings, so a rebuilt guest or another wasmtime never hits a stale
/// entry. Without it every process (a `run`, a worker, each `testsuite`
/// invocation) compiles every guest again.
pub fn keep_compiled_guests_in(dir: PathBuf) {
    let _ = CACHE_DIR.set(dir);
}

/// The process-wide engine with its compiled-guest caches.
pub struct Shared {
    pub engine: Engine,
    modules: Mutex<HashMap<PathBuf, Module>>,
    components: Mutex<HashMap<PathBuf, Component>>,
}

/// The shared engine; the first call starts the epoch ticker thread.
pub fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        // WASI 0.3 components (`Abi::P3`) use the component model's async.
        config.wasm_component_model_async(true);
        // The pooling allocator reuses instance slots: an instantiation then
        // costs no mmap or munmap (fuzz campaigns instantiate thousands of
        // times a second). Its default of 1000 concurrent memories only
        // reserves address space.
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::pooling());
        if let Some(dir) = CACHE_DIR.get() {
            let mut cache = CacheConfig::new();
            cache.with_directory(dir);
            // A cache that cannot start (an unwritable directory) only
            // costs compile time: every guest is then compiled per process.
            config.cache(Cache::new(cache).ok());
        }
        let engine = Engine::new(&config).expect("the default wasmtime config is valid");
        let ticker = engine.weak();
        std::thread::spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        });
        Shared {
            engine,
            modules: Mutex::default(),
            components: Mutex::default(),
        }
    })
}

impl Shared {
    /// The core module at `path`, compiled once per process.
    pub fn module(&self, path: &Path) -> Result<Module, RunError> {
        cached(&self.modules, path, |bytes| {
            Module::new(&self.engine, bytes)
        })
    }

    /// The component at `path`, compiled once per process.
    pub fn component(&self, path: &Path) -> Result<Component, RunError> {
        cached(&self.components, path, |bytes| {
            Component::new(&self.engine, bytes)
        })
    }

    /// A store whose guest traps with `Trap::Interrupt` after `timeout`.
    pub fn store<T: 'static>(&self, data: T, timeout: Duration) -> Store<T> {
        let mut store = Store::new(&self.engine, data);
        let ticks = timeout.as_millis().div_ceil(TICK.as_millis()) as u64 + 1;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        store
    }
}

/// The compiled form of the guest at `path`, compiled once per process and
/// kept in `cache` (shared by every embedded adapter); a compile error is
/// `unsupported` (the runtime cannot run this guest).
pub(super) fn cached<T: Clone, E: std::fmt::Debug>(
    cache: &Mutex<HashMap<PathBuf, T>>,
    path: &Path,
    compile: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, RunError> {
    if let Some(hit) = cache.lock().unwrap().get(path) {
        return Ok(hit.clone());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| RunError::Harness(format!("{}: cannot read: {e}", path.display())))?;
    let compiled = compile(&bytes)
        .map_err(|e| RunError::Unsupported(format!("compile {}: {e:?}", path.display())))?;
    cache
        .lock()
        .unwrap()
        .insert(path.to_owned(), compiled.clone());
    Ok(compiled)
}

/// What wasmtime says when a guest does not fit the host: a core module's
/// missing function, a component's missing or differently typed import, a
/// component without the export its world needs (another WASI version's
/// `wasi:cli/run`).
const LINK_ERRORS: [&str; 4] = [
    "unknown import",
    "has not been defined",
    "matching implementation was not found in the linker",
    "no exported instance named",
];

/// An error from instantiation: an import wasmtime cannot link is
/// `unsupported`, anything else is judged like an error from running the
/// guest.
pub fn instantiation_error(err: wasmtime::Error) -> Result<Status, RunError> {
    match link_error(&format!("{err:?}")) {
        Some(why) => Err(RunError::Unsupported(why)),
        None => run_error(err),
    }
}

/// The line of `message` (an error, or a run's stderr) that says wasmtime
/// could not link the guest, if one does.
pub fn link_error(message: &str) -> Option<String> {
    message
        .lines()
        .find(|line| LINK_ERRORS.iter().any(|e| line.contains(e)))
        .map(str::to_string)
}

/// An error from running the guest: an exit, a timeout or a trap.
pub fn run_error(err: wasmtime::Error) -> Result<Status, RunError> {
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Ok(Status::Exit(exit.0));
    }
    if let Some(exit) = err.downcast_ref::<super::reference::Exit>() {
        return Ok(Status::Exit(exit.0 as i32));
    }
    if let Some(Trap::Interrupt) = err.downcast_ref::<Trap>() {
        return Err(RunError::Timeout(String::new()));
    }
    Ok(Status::Trap(format!("{err:?}")))
}
