//! WasmEdge embedded through wasmedge-sdk (the WasmEdge C library, its
//! interpreter): p1 modules, with WasmEdge's own WASI host. Built only with
//! the `wasmedge` cargo feature; without it `mod.rs` lists a stand-in that is
//! never available.
//!
//! Always in a worker process (see `worker.rs`): WasmEdge cannot stop a
//! running guest safely in-process (the SDK's timeout longjmps out of C++
//! frames), and its `proc_raise` raises the signal in the host process, so
//! only a worker makes a hang a `timeout` and a raised signal a `crash`.
//!
//! The SDK's WASI module always uses the process's fds 0, 1 and 2, which in
//! a worker carry its requests and replies; the C API's
//! `WasmEdge_ModuleInstanceCreateWASIWithFds` gives the guest files of its
//! own instead, as the command adapters do (WasmEdge never closes them).

use super::engine::cached;
use super::pipes::Pipes;
use super::{Invocation, Runtime};
use crate::model::abi::Abi;
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use std::collections::HashMap;
use std::ffi::{CString, c_char};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use wasmedge_sdk::error::{CoreCommonError, CoreError, CoreInstantiationError, WasmEdgeError};
use wasmedge_sdk::vm::SyncInst;
use wasmedge_sdk::{Module, Store, Vm};
use wasmedge_sys::{AsInstance, ffi};

/// The embedded WasmEdge runtime.
pub struct WasmEdge;

impl Runtime for WasmEdge {
    fn name(&self) -> &str {
        "wasmedge"
    }

    fn version(&self) -> String {
        format!(
            "{} (embedded interpreter, wasmedge-sdk {})",
            wasmedge_sdk::utils::CoreVersion::version_string(),
            env!("WASI_CONFORM_VERSION_WASMEDGE_SDK")
        )
    }

    fn abis(&self) -> &[Abi] {
        &[Abi::P1]
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        super::no_components(super::WASMEDGE_NO_COMPONENTS)
    }

    fn needs_worker(&self) -> bool {
        true
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let crash = |what: &str, e: &dyn std::fmt::Display| {
            RunError::Crash(format!("wasmedge: {what}: {e}"))
        };
        let module = cached(modules(), inv.wasm, |bytes| Module::from_bytes(None, bytes))?;
        // Pipes, as a command runtime gets them (see `pipes`).
        let (ends, pipes) = Pipes::start(inv.stdin, inv.limits.output_cap)
            .map_err(|e| RunError::Harness(format!("stdio pipes: {e}")))?;

        let args = c_strings(inv.argv.iter().cloned())?;
        let envs = c_strings(inv.env.iter().map(|(k, v)| format!("{k}={v}")))?;
        // WasmEdge's form is GUEST:HOST (a third `:readonly` field is a mode).
        let preopens = c_strings(
            inv.preopens
                .iter()
                .map(|p| format!("{}:{}", p.guest, p.host.display())),
        )?;
        let pointers = |strings: &[CString]| -> Vec<*const c_char> {
            strings.iter().map(|s| s.as_ptr()).collect()
        };
        let (p_args, p_envs, p_preopens) = (pointers(&args), pointers(&envs), pointers(&preopens));
        // SAFETY: every pointer array and the strings behind it outlive the
        // call (WasmEdge copies them); the three fds stay open until after the
        // module is deleted, and WasmEdge does not close fds it is given.
        let context = unsafe {
            ffi::WasmEdge_ModuleInstanceCreateWASIWithFds(
                p_args.as_ptr(),
                p_args.len() as u32,
                p_envs.as_ptr(),
                p_envs.len() as u32,
                p_preopens.as_ptr(),
                p_preopens.len() as u32,
                ends.stdin.as_raw_fd(),
                ends.stdout.as_raw_fd(),
                ends.stderr.as_raw_fd(),
            )
        };
        if context.is_null() {
            return Err(crash("WASI module", &"not created"));
        }
        let mut wasi = Wasi(context);
        let status = run_start(&mut wasi, module)?;
        drop(wasi);
        // The pipes end once the runtime's ends are closed.
        drop(ends);
        let (stdout, stderr, truncated) = pipes.finish();
        Ok(RawOutcome {
            status,
            stdout,
            stderr,
            truncated,
            fs: None,
        })
    }
}

/// The guests compiled (loaded and validated) so far, one cache per process.
fn modules() -> &'static Mutex<HashMap<PathBuf, Module>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Module>>> = OnceLock::new();
    MODULES.get_or_init(|| {
        // WasmEdge logs every trap and link error on the process's stderr;
        // the outcome carries them, so its log stays off.
        wasmedge_sdk::LogManager::log_off();
        Mutex::default()
    })
}

/// A WASI module instance made by the C API, owned (deleted on drop). The
/// SDK's own owner, `ImportObject::from_raw`, would also free the module's
/// name, which the module still owns.
struct Wasi(*mut ffi::WasmEdge_ModuleInstanceContext);

impl Drop for Wasi {
    fn drop(&mut self) {
        // SAFETY: the instance was created by the C API and is deleted once.
        unsafe { ffi::WasmEdge_ModuleInstanceDelete(self.0) }
    }
}

impl AsInstance for Wasi {
    unsafe fn as_ptr(&self) -> *const ffi::WasmEdge_ModuleInstanceContext {
        self.0
    }
}

impl SyncInst for Wasi {}

/// Instantiates `module` against the WASI module and runs `_start`.
fn run_start(wasi: &mut Wasi, module: Module) -> Result<Status, RunError> {
    let mut instances: HashMap<String, &mut dyn SyncInst> = HashMap::new();
    instances.insert("wasi_snapshot_preview1".into(), &mut *wasi);
    let store = Store::new(None, instances)
        .map_err(|e| RunError::Crash(format!("wasmedge: store: {e}")))?;
    let mut vm = Vm::new(store);
    let result = match vm.register_module(None, module) {
        Err(err) => match *err {
            WasmEdgeError::Core(CoreError::Instantiation(
                CoreInstantiationError::UnknownImport
                | CoreInstantiationError::IncompatibleImportType,
            )) => return Err(RunError::Unsupported(format!("wasmedge: {err}"))),
            _ => Err(err),
        },
        Ok(vm) => vm.run_func(None, "_start", []).map(drop),
    };
    drop(vm);
    // SAFETY: the WASI module instance is alive (owned by `wasi`).
    let exit_code = || unsafe { ffi::WasmEdge_ModuleInstanceWASIGetExitCode(wasi.0) };
    match result {
        Ok(()) => Ok(Status::Exit(exit_code() as i32)),
        Err(err) => match *err {
            WasmEdgeError::Core(CoreError::Common(CoreCommonError::Terminated)) => {
                Ok(Status::Exit(exit_code() as i32))
            }
            WasmEdgeError::Core(CoreError::Common(CoreCommonError::FuncNotFound)) => {
                Err(RunError::Unsupported(format!("no `_start` export: {err}")))
            }
            other => Ok(Status::Trap(format!("wasmedge: {other}"))),
        },
    }
}

/// `strings` as C strings; one with a NUL byte cannot be passed to WasmEdge.
fn c_strings(strings: impl Iterator<Item = String>) -> Result<Vec<CString>, RunError> {
    strings
        .map(|s| CString::new(s).map_err(|e| RunError::Unsupported(format!("wasmedge: {e}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::fixture::Preopen;
    use crate::exec::runtimes::Limits;
    use std::path::Path;

    /// Runs the WAT module `wat` once on WasmEdge, in this process.
    fn run(wat: &str, stdin: &[u8], preopens: &[Preopen]) -> Result<RawOutcome, RunError> {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("guest.wasm");
        std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
        let env = [("KEY".to_string(), "value".to_string())];
        WasmEdge.run(&Invocation {
            abi: Abi::P1,
            wasm: &wasm,
            argv: vec!["guest".into(), "one".into()],
            env: &env,
            stdin,
            sandbox_root: dir.path(),
            fixture: None,
            preopens,
            proposals: &[],
            limits: Limits {
                timeout: std::time::Duration::from_secs(10),
                output_cap: 8,
                ..Limits::default()
            },
        })
    }

    /// A guest that copies up to 64 bytes of stdin to stdout, then exits 7.
    const ECHO_EXIT_7: &str = r#"(module
        (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const 64))
            (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i32.store (i32.const 4) (i32.load (i32.const 8)))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $exit (i32.const 7))))"#;

    #[test]
    fn stdin_stdout_and_exit_code() {
        let out = run(ECHO_EXIT_7, b"hello", &[]).unwrap();
        assert_eq!(out.status, Status::Exit(7));
        assert_eq!(out.stdout, b"hello");
        assert!(!out.truncated);
    }

    #[test]
    fn output_is_capped() {
        let out = run(ECHO_EXIT_7, b"0123456789", &[]).unwrap();
        assert_eq!(out.stdout, b"01234567");
        assert!(out.truncated);
    }

    #[test]
    fn a_trap_is_a_trap() {
        let out = run(r#"(module (func (export "_start") unreachable))"#, b"", &[]).unwrap();
        assert!(matches!(out.status, Status::Trap(ref m) if m.contains("unreachable")));
    }

    #[test]
    fn a_missing_import_is_unsupported() {
        let wat = r#"(module (import "wasi_snapshot_preview1" "no_such_call" (func))
                             (func (export "_start")))"#;
        assert!(matches!(
            run(wat, b"", &[]),
            Err(RunError::Unsupported(ref m)) if m.contains("unknown import")
        ));
    }

    #[test]
    fn returning_from_start_is_exit_0_and_preopens_are_real_directories() {
        let host = tempfile::tempdir().unwrap();
        // path_create_directory(3, "made") in the preopen, then return.
        let wat = r#"(module
            (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "made")
            (func (export "_start")
                (if (call $mkdir (i32.const 3) (i32.const 16) (i32.const 4)) (then unreachable))))"#;
        let preopens = [Preopen {
            guest: "/sandbox".into(),
            host: host.path().to_owned(),
        }];
        let out = run(wat, b"", &preopens).unwrap();
        assert_eq!(out.status, Status::Exit(0));
        assert!(Path::new(&host.path().join("made")).is_dir());
    }
}
