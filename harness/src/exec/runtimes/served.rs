//! Command runtimes served by long-lived processes. A template's `serve`
//! command starts a worker that runs one job at a time, each guest on a
//! fresh WASI instance with its own stdio, directory and arguments, so the
//! runtime's start-up (and its compile of a guest it has seen) is paid once
//! per worker instead of once per run. Jobs run exactly as the template's
//! `command` would run them: a worker that dies mid-job ends the run the way
//! the spawned runtime would have ended (its signal, its exit status), and a
//! hang or a flood kills it and the next job gets a new one.
//!
//! Protocol, one line at a time on the worker's stdin and stdout. The harness
//! sends a job, `{"cwd", "stdin", "stdout", "stderr", "args"}`: the directory
//! to run in, three FIFOs for the guest's stdio (pipes to the guest, as in a
//! spawned run) and the arguments the template's `job` expands to. The
//! worker opens the FIFOs, answers `opened`, runs the guest, closes them and
//! answers `exit N` (`N`: the exit status the spawned runtime would have
//! had), or `exit N retire` when it ends after this job (to shed what a
//! runtime leaks per instance, such as descriptors).

use super::command::{Waited, kill_group, runtime_process};
use super::pipes::Pipes;
use crate::model::verdict::RunError;
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often the harness looks at the output cap and the deadline while a
/// job runs (a reply is seen at once).
const CHECK: Duration = Duration::from_millis(2);

/// The idle workers of one runtime.
#[derive(Default)]
pub struct Servers {
    idle: Mutex<Vec<Server>>,
}

impl std::fmt::Debug for Servers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Servers")
    }
}

/// One worker process and the lines it has answered.
struct Server {
    child: Child,
    jobs: ChildStdin,
    replies: Receiver<String>,
}

/// One run, as a worker is asked for it.
#[derive(Serialize)]
struct Job<'a> {
    cwd: &'a Path,
    stdin: &'a Path,
    stdout: &'a Path,
    stderr: &'a Path,
    args: &'a [String],
}

/// What a served run left: how it ended, stdout, stderr, whether cut.
pub type Served = (Waited, Vec<u8>, Vec<u8>, bool);

impl Servers {
    /// Runs one job on an idle worker (or a new one started with `start`).
    /// `Ok(None)` when the input is too large for a FIFO to hold: the
    /// caller then spawns the runtime instead.
    pub fn run(
        &self,
        start: &[String],
        cwd: &Path,
        args: &[String],
        stdin: &[u8],
        timeout: Duration,
        cap: usize,
    ) -> Result<Option<Served>, RunError> {
        let harness = |what: &str, e: std::io::Error| RunError::Harness(format!("{what}: {e}"));
        // In the system's temporary directory: never in the sandbox, which
        // the guest sees.
        let dir = tempfile::Builder::new()
            .prefix("wasi-conform-stdio")
            .tempdir()
            .map_err(|e| harness("a directory for the stdio FIFOs", e))?;
        let Some((fifos, pipes)) =
            Pipes::through_fifos(dir.path(), stdin, cap).map_err(|e| harness("stdio FIFOs", e))?
        else {
            return Ok(None);
        };
        let job = Job {
            cwd,
            stdin: &fifos.stdin,
            stdout: &fifos.stdout,
            stderr: &fifos.stderr,
            args,
        };
        let mut line = serde_json::to_vec(&job).expect("jobs serialise");
        line.push(b'\n');
        let idle = self.idle.lock().expect("no thread panics holding it").pop();
        let mut server = match idle {
            Some(server) => server,
            None => Server::start(start)?,
        };
        let sent = server
            .jobs
            .write_all(&line)
            .and_then(|()| server.jobs.flush());
        let waited = match sent {
            Err(_) => Waited::Exited(server.end()),
            Ok(()) => self.wait(server, fifos.stdin_writer, &pipes, timeout, &start[0])?,
        };
        let (stdout, stderr, truncated) = pipes.finish();
        Ok(Some((waited, stdout, stderr, truncated)))
    }

    /// Waits for `server`'s answers to the job it was sent, up to `timeout`
    /// and the output cap of `pipes`; `stdin_writer` is dropped once the
    /// worker has opened its FIFOs. A worker that finished the job waits
    /// idle for the next, unless it retires.
    fn wait(
        &self,
        server: Server,
        stdin_writer: File,
        pipes: &Pipes,
        timeout: Duration,
        name: &str,
    ) -> Result<Waited, RunError> {
        let deadline = Instant::now() + timeout;
        let mut stdin_writer = Some(stdin_writer);
        loop {
            match server.replies.recv_timeout(CHECK) {
                Ok(reply) if reply == "opened" => drop(stdin_writer.take()),
                Ok(reply) => {
                    let Some((code, retire)) = parse_exit(&reply) else {
                        server.end();
                        return Err(RunError::Harness(format!(
                            "{name}: the worker answered {reply:?}, not `opened` or `exit N`"
                        )));
                    };
                    if retire {
                        server.end();
                    } else {
                        self.idle
                            .lock()
                            .expect("no thread panics holding it")
                            .push(server);
                    }
                    return Ok(Waited::Exited(ExitStatus::from_raw(code << 8)));
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(Waited::Exited(server.end())),
                Err(RecvTimeoutError::Timeout) if pipes.over_cap() => {
                    server.end();
                    return Ok(Waited::OverCap);
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() >= deadline => {
                    server.end();
                    return Ok(Waited::TimedOut);
                }
                Err(RecvTimeoutError::Timeout) => continue,
            }
        }
    }
}

/// `exit N` or `exit N retire`: the status and whether the worker ends.
fn parse_exit(reply: &str) -> Option<(i32, bool)> {
    let mut words = reply.strip_prefix("exit ")?.split(' ');
    let code = words.next()?.parse().ok()?;
    match (words.next(), words.next()) {
        (None, _) => Some((code, false)),
        (Some("retire"), None) => Some((code, true)),
        _ => None,
    }
}

impl Server {
    fn start(argv: &[String]) -> Result<Server, RunError> {
        let mut child = runtime_process(argv)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| RunError::Harness(format!("{}: cannot start: {e}", argv[0])))?;
        let jobs = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            jobs,
            replies,
        })
    }

    /// Stops the worker (and anything it started) and says how it ended.
    fn end(mut self) -> ExitStatus {
        kill_group(self.child.id() as i32);
        drop(self.jobs);
        self.child
            .wait()
            .unwrap_or_else(|_| ExitStatus::from_raw(libc::SIGKILL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker that is the shell script `body`, serving through `servers`.
    fn serve(servers: &Servers, body: &str, stdin: &[u8], timeout: Duration) -> Served {
        let start = ["sh".to_string(), "-c".into(), body.into()];
        servers
            .run(
                &start,
                &std::env::temp_dir(),
                &["a".into()],
                stdin,
                timeout,
                1 << 20,
            )
            .unwrap()
            .unwrap()
    }

    /// Serves jobs like a worker: reads a job, opens the FIFOs, echoes stdin
    /// and the job's arguments, then runs `then` and answers.
    fn worker(then: &str) -> String {
        format!(
            r#"while read -r job; do
  f() {{ printf '%s' "$job" | sed "s/.*\"$1\":\"\([^\"]*\)\".*/\1/"; }}
  exec 3<"$(f stdin)" 4>"$(f stdout)" 5>"$(f stderr)"
  echo opened
  cat <&3 >&4; echo "$job" | grep -o '"args":.*' >&4; echo err >&5
  exec 3<&- 4>&- 5>&-
  {then}
done"#
        )
    }

    #[test]
    fn jobs_are_served_by_one_worker_with_their_own_stdio() {
        let servers = Servers::default();
        let body = worker("echo \"exit 3\"");
        for input in [&b"one"[..], b"two"] {
            let (waited, stdout, stderr, truncated) =
                serve(&servers, &body, input, Duration::from_secs(10));
            assert!(matches!(waited, Waited::Exited(s) if s.code() == Some(3)));
            let expected = [input, b"\"args\":[\"a\"]}\n"].concat();
            assert_eq!(
                (stdout, stderr, truncated),
                (expected, b"err\n".to_vec(), false)
            );
        }
        assert_eq!(servers.idle.lock().unwrap().len(), 1, "the worker was kept");
    }

    #[test]
    fn a_retiring_worker_is_not_kept() {
        let servers = Servers::default();
        let (waited, ..) = serve(
            &servers,
            &worker("echo \"exit 0 retire\"; exit"),
            b"",
            Duration::from_secs(10),
        );
        assert!(matches!(waited, Waited::Exited(s) if s.success()));
        assert!(servers.idle.lock().unwrap().is_empty());
    }

    #[test]
    fn a_worker_killed_mid_job_ends_the_run_with_its_signal() {
        let servers = Servers::default();
        let (waited, stdout, ..) = serve(
            &servers,
            &worker("kill -SEGV $$"),
            b"x",
            Duration::from_secs(10),
        );
        assert!(matches!(waited, Waited::Exited(s) if s.signal() == Some(libc::SIGSEGV)));
        assert_eq!(&stdout[..1], b"x");
        assert!(servers.idle.lock().unwrap().is_empty());
    }

    #[test]
    fn a_worker_that_dies_before_opening_its_fifos_does_not_hang_the_run() {
        let servers = Servers::default();
        let (waited, stdout, ..) = serve(
            &servers,
            "read -r job; exit 7",
            b"",
            Duration::from_secs(10),
        );
        assert!(matches!(waited, Waited::Exited(s) if s.code() == Some(7)));
        assert!(stdout.is_empty());
    }

    #[test]
    fn a_hung_worker_is_a_timeout_and_is_replaced() {
        let servers = Servers::default();
        let started = Instant::now();
        let (waited, ..) = serve(
            &servers,
            &worker("sleep 60"),
            b"",
            Duration::from_millis(300),
        );
        assert!(matches!(waited, Waited::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(servers.idle.lock().unwrap().is_empty());
    }

    #[test]
    fn replies_are_parsed_strictly() {
        assert_eq!(parse_exit("exit 0"), Some((0, false)));
        assert_eq!(parse_exit("exit 134 retire"), Some((134, true)));
        assert_eq!(parse_exit("exit x"), None);
        assert_eq!(parse_exit("exit 1 later"), None);
        assert_eq!(parse_exit("@@wasi {}"), None);
    }
}
