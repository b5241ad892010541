//! Running an embedded runtime in a worker process (`wasi-conform worker
//! NAME`, the harness re-executing itself), so that a segfault or abort in
//! the runtime becomes a `crash` verdict and a hang a `timeout`, and the run
//! goes on. Workers are long-lived: each serves one request at a time over
//! its stdin/stdout, so a guest compiles once per worker, not once per run.
//!
//! Protocol, per request: one JSON line to the worker; back one JSON header
//! line, then exactly `stdout_len` + `stderr_len` raw output bytes.

use super::{Invocation, Limits, Runtime};
use crate::exec::fixture::Preopen;
use crate::model::abi::{Abi, World};
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;
use wasi_conform_reference::snapshot::Snapshot;

/// Time a worker gets beyond the run's own timeout (to start and compile).
const GRACE: Duration = Duration::from_secs(5);

/// A runtime whose runs happen in worker processes.
pub struct Isolated {
    runtime: Box<dyn Runtime>,
    program: Vec<OsString>,
    idle: Mutex<Vec<Worker>>,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

#[derive(Serialize, Deserialize)]
struct Request {
    abi: Abi,
    wasm: PathBuf,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
    sandbox_root: PathBuf,
    preopens: Vec<(String, PathBuf)>,
    proposals: Vec<String>,
    timeout_ms: u64,
    output_cap: usize,
}

#[derive(Serialize, Deserialize)]
enum Reply {
    Exit(i32),
    Trap(String),
    Unsupported(String),
    Crash(String),
    Timeout(String),
    Harness(String),
}

#[derive(Serialize, Deserialize)]
struct Header {
    reply: Reply,
    truncated: bool,
    /// The reference host's filesystem, as `Snapshot::to_text`.
    fs: Option<String>,
    stdout_len: usize,
    stderr_len: usize,
}

impl Isolated {
    /// `runtime` run by `wasi-conform worker <name>` processes.
    pub fn new(runtime: Box<dyn Runtime>) -> Isolated {
        let program = vec![
            worker_program().into_os_string(),
            "worker".into(),
            runtime.name().into(),
        ];
        Isolated::with_program(runtime, program)
    }

    /// `runtime` run by workers started with `program` (tests use stand-ins).
    pub fn with_program(runtime: Box<dyn Runtime>, program: Vec<OsString>) -> Isolated {
        Isolated {
            runtime,
            program,
            idle: Mutex::default(),
        }
    }

    fn spawn(&self) -> Result<Worker, RunError> {
        let mut child = Command::new(&self.program[0])
            .args(&self.program[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                RunError::Harness(format!(
                    "{}: cannot start a worker: {e}",
                    self.program[0].to_string_lossy()
                ))
            })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }
}

impl Runtime for Isolated {
    fn name(&self) -> &str {
        self.runtime.name()
    }

    fn version(&self) -> String {
        self.runtime.version()
    }

    fn abis(&self) -> &[Abi] {
        self.runtime.abis()
    }

    fn availability(&self) -> Result<(), String> {
        self.runtime.availability()
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        self.runtime.not_run()
    }

    fn live_command(&self, inv: &Invocation, world: World) -> Result<Vec<String>, String> {
        self.runtime.live_command(inv, world)
    }

    fn link_error(&self, stderr: &str) -> Option<String> {
        self.runtime.link_error(stderr)
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let idle = self.idle.lock().unwrap().pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => self.spawn()?,
        };
        let request = Request {
            proposals: inv.proposals.to_vec(),
            abi: inv.abi,
            wasm: inv.wasm.to_owned(),
            argv: inv.argv.clone(),
            env: inv.env.to_vec(),
            stdin: inv.stdin.to_vec(),
            sandbox_root: inv.sandbox_root.to_owned(),
            preopens: inv
                .preopens
                .iter()
                .map(|p| (p.guest.clone(), p.host.clone()))
                .collect(),
            timeout_ms: inv.limits.timeout.as_millis() as u64,
            output_cap: inv.limits.output_cap,
        };
        let mut line = serde_json::to_vec(&request).expect("requests serialise");
        line.push(b'\n');
        if worker
            .stdin
            .write_all(&line)
            .and_then(|()| worker.stdin.flush())
            .is_err()
        {
            return Err(died(worker));
        }
        // Read the reply on a helper thread so a hung worker can be killed.
        let (sender, receiver) = mpsc::channel();
        let mut stdout = worker.stdout;
        std::thread::spawn(move || {
            let reply = read_reply(&mut stdout);
            let _ = sender.send((reply, stdout));
        });
        match receiver.recv_timeout(inv.limits.timeout + GRACE) {
            Ok((Ok(outcome), stdout)) => {
                worker.stdout = stdout;
                self.idle.lock().unwrap().push(worker);
                outcome
            }
            Ok((Err(_), stdout)) => {
                worker.stdout = stdout;
                Err(died(worker))
            }
            Err(_) => {
                let _ = worker.child.kill();
                let _ = worker.child.wait();
                Err(RunError::Timeout(String::new()))
            }
        }
    }
}

/// The crash verdict for a worker that stopped answering: how it ended.
fn died(mut worker: Worker) -> RunError {
    let _ = worker.child.kill();
    match worker.child.wait() {
        Ok(status) => match (status.signal(), status.code()) {
            (Some(signal), _) => RunError::Crash(format!("killed by signal {signal}")),
            (None, Some(code)) => RunError::Crash(format!("the worker exited with {code} mid-run")),
            (None, None) => RunError::Crash(format!("the worker stopped: {status}")),
        },
        Err(e) => RunError::Crash(format!("the worker is gone: {e}")),
    }
}

fn read_reply(
    stdout: &mut BufReader<ChildStdout>,
) -> std::io::Result<Result<RawOutcome, RunError>> {
    let mut line = String::new();
    if stdout.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let header: Header = serde_json::from_str(&line).map_err(std::io::Error::other)?;
    let mut out = vec![0; header.stdout_len];
    stdout.read_exact(&mut out)?;
    let mut err = vec![0; header.stderr_len];
    stdout.read_exact(&mut err)?;
    let status = match header.reply {
        Reply::Exit(code) => Status::Exit(code),
        Reply::Trap(message) => Status::Trap(message),
        Reply::Unsupported(why) => return Ok(Err(RunError::Unsupported(why))),
        Reply::Crash(why) => return Ok(Err(RunError::Crash(why))),
        Reply::Timeout(last) => return Ok(Err(RunError::Timeout(last))),
        Reply::Harness(why) => return Ok(Err(RunError::Harness(why))),
    };
    let fs = match header.fs {
        Some(text) => Some(Snapshot::from_text(&text).map_err(std::io::Error::other)?),
        None => None,
    };
    Ok(Ok(RawOutcome {
        status,
        stdout: out,
        stderr: err,
        truncated: header.truncated,
        fs,
    }))
}

/// The worker side: serves requests from stdin until it closes.
pub fn serve(runtime: &dyn Runtime) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let request: Request = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
        let preopens: Vec<Preopen> = request
            .preopens
            .iter()
            .map(|(guest, host)| Preopen {
                guest: guest.clone(),
                host: host.clone(),
            })
            .collect();
        let invocation = Invocation {
            abi: request.abi,
            wasm: &request.wasm,
            argv: request.argv.clone(),
            env: &request.env,
            stdin: &request.stdin,
            sandbox_root: &request.sandbox_root,
            preopens: &preopens,
            proposals: &request.proposals,
            fixture: None,
            limits: Limits {
                timeout: Duration::from_millis(request.timeout_ms),
                output_cap: request.output_cap,
                ..Limits::default()
            },
        };
        let ran =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.run(&invocation)))
                .unwrap_or_else(|panic| {
                    Err(RunError::Crash(format!(
                        "panic in the runtime: {}",
                        crate::exec::executor::panic_message(&panic)
                    )))
                });
        let (header, out, err) = match ran {
            Ok(raw) => {
                let reply = match raw.status {
                    Status::Exit(code) => Reply::Exit(code),
                    Status::Trap(message) => Reply::Trap(message),
                };
                let fs = raw.fs.map(|fs| fs.to_text());
                let header = Header {
                    reply,
                    truncated: raw.truncated,
                    fs,
                    stdout_len: raw.stdout.len(),
                    stderr_len: raw.stderr.len(),
                };
                (header, raw.stdout, raw.stderr)
            }
            Err(error) => {
                let reply = match error {
                    RunError::Unsupported(why) => Reply::Unsupported(why),
                    RunError::Crash(why) => Reply::Crash(why),
                    RunError::Timeout(last) => Reply::Timeout(last),
                    RunError::Harness(why) => Reply::Harness(why),
                };
                (
                    Header {
                        reply,
                        truncated: false,
                        fs: None,
                        stdout_len: 0,
                        stderr_len: 0,
                    },
                    vec![],
                    vec![],
                )
            }
        };
        serde_json::to_writer(&mut stdout, &header).map_err(std::io::Error::other)?;
        stdout.write_all(b"\n")?;
        stdout.write_all(&out)?;
        stdout.write_all(&err)?;
        stdout.flush()?;
    }
    Ok(())
}

/// The `wasi-conform` binary: this executable, or (in the harness's own
/// test binaries) the one built beside them.
fn worker_program() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("wasi-conform"));
    if exe.file_stem().is_some_and(|stem| stem == "wasi-conform") {
        return exe;
    }
    let sibling = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("wasi-conform"));
    sibling.filter(|p| p.is_file()).unwrap_or(exe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::runtimes::wasmtime::Wasmtime;
    use std::time::Instant;

    /// Runs one invocation on a worker that is really the shell script `body`.
    fn run_on(body: &str, timeout: Duration) -> Result<RawOutcome, RunError> {
        let program = vec!["sh".into(), "-c".into(), body.into()];
        let isolated = Isolated::with_program(Box::new(Wasmtime), program);
        let dir = tempfile::tempdir().unwrap();
        let invocation = Invocation {
            abi: Abi::P1,
            wasm: Path::new("guest.wasm"),
            argv: vec!["guest.wasm".into()],
            env: &[],
            stdin: b"",
            sandbox_root: dir.path(),
            preopens: &[],
            proposals: &[],
            fixture: None,
            limits: Limits {
                timeout,
                output_cap: 1 << 20,
                ..Limits::default()
            },
        };
        isolated.run(&invocation)
    }

    #[test]
    fn a_worker_that_segfaults_is_a_crash() {
        assert_eq!(
            run_on("read line; kill -SEGV $$", Duration::from_secs(5)).unwrap_err(),
            RunError::Crash("killed by signal 11".into())
        );
    }

    #[test]
    fn a_worker_that_hangs_is_a_timeout() {
        let started = Instant::now();
        assert_eq!(
            run_on("read line; sleep 60", Duration::from_millis(100)).unwrap_err(),
            RunError::Timeout(String::new())
        );
        assert!(started.elapsed() < GRACE + Duration::from_secs(3));
    }

    #[test]
    fn a_reply_is_decoded() {
        let reply = r#"read line; printf '{"reply":{"Exit":3},"truncated":false,"fs":"f a 1 sha256:00\\n","stdout_len":2,"stderr_len":1}\nhie'"#;
        let out = run_on(reply, Duration::from_secs(5)).unwrap();
        assert_eq!(
            (out.status, out.stdout, out.stderr),
            (Status::Exit(3), b"hi".to_vec(), b"e".to_vec())
        );
        assert!(out.fs.is_some());
    }
}
