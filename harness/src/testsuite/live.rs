//! Tests that talk to the guest while it runs, as upstream's
//! `TestCaseRunner` does: the runtime is a process of its own
//! ([`Runtime::live_command`]) whose stdin, stdout and stderr the runner
//! holds; the spec's steps run in order against it (reads as they come,
//! TCP connections to the address the guest prints, HTTP requests to the
//! service the runtime serves, signals), and the first that fails ends the
//! test. The servers a spec asks for run while the guest does.

use super::Test;
use super::http::{self, Servers};
use super::spec::{Request, Step, Stream};
use crate::exec::fixture::{self, Sandbox};
use crate::exec::runtimes::command::{Waited, kill_group, runtime_process, wait};
use crate::exec::runtimes::{Invocation, Limits, Runtime};
use crate::judge::testsuite::{NEVER_WAITS, Reads, escaped, mismatch, reads_from};
use crate::model::abi::Abi;
use crate::model::case::ServedRequest;
use crate::model::outcome::{RawOutcome, Status};
use crate::model::verdict::RunError;
use crate::model::verdict::{Judgement, Verdict};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Output kept of the guest's stdout and stderr for the evidence.
const EVIDENCE_CHARS: usize = 2000;

/// Runs `test` live on `runtime` as `abi` and judges it.
pub fn judge(
    test: &Test,
    runtime: &dyn Runtime,
    abi: Abi,
    reads: Reads,
    limits: Limits,
) -> Result<Judgement> {
    let case = test.case(abi);
    let sandbox = Sandbox::create(&case, test.fixtures())?;
    let root = sandbox.root();
    let preopens = fixture::preopens(&root, &case);
    let servers =
        Servers::start(&test.spec.servers).context("cannot start the spec's HTTP servers")?;
    let mut env = case.env.clone();
    env.extend(servers.env.iter().cloned());
    let invocation = Invocation {
        abi,
        wasm: &test.binary,
        argv: case.argv(),
        env: &env,
        stdin: b"",
        sandbox_root: &root,
        preopens: &preopens,
        proposals: &case.proposals,
        fixture: None,
        limits,
    };
    let command = match runtime.live_command(&invocation, test.spec.world) {
        Ok(command) => command,
        Err(why) => {
            return Ok(Judgement {
                verdict: Verdict::Unsupported,
                detail: why,
            });
        }
    };
    let mut guest = Guest::start(&command, &root, limits)?;
    let ended = guest.steps(&test.spec.steps, reads);
    let judgement = guest.finish(ended, runtime);
    drop(servers);
    Ok(match sandbox.check_canaries() {
        Err(escape) => escaped(&escape),
        Ok(()) => judgement,
    })
}

/// How long stdout must stay quiet after the response before a served
/// guest is stopped: what a guest prints after `response-outparam.set`
/// (its body written, its last checks) is part of its outcome.
const SETTLE: Duration = Duration::from_millis(200);

/// Serves a guest with `command` (a runtime's `wasi:http/service` command
/// line, [`Runtime::live_command`]) in `root`, sends it `request` once the
/// runtime printed the address it serves on, and stops it: what the guest
/// printed, and the response (`None`: the client got none). A runtime that
/// never serves is `unsupported` when its stderr shows a link error, a
/// `timeout` while it still runs at the deadline, a crash when it ended;
/// one that does not answer within the timeout gives no response.
pub fn serve(
    command: &[String],
    root: &std::path::Path,
    limits: Limits,
    request: &ServedRequest,
    link_error: impl Fn(&str) -> Option<String>,
) -> Result<(RawOutcome, Option<http::Message>), RunError> {
    let mut guest =
        Guest::start(command, root, limits).map_err(|e| RunError::Harness(format!("{e:#}")))?;
    let deadline = Instant::now() + limits.timeout;
    let mut url = None;
    while url.is_none() && Instant::now() < deadline && !guest.stderr.ended() {
        url = service_url(&guest.stderr.line(deadline));
    }
    let response = url.as_deref().and_then(|url| {
        http::send(
            url,
            &request.method,
            &request.path,
            &request.wire_headers(),
            &request.body,
        )
        .ok()
    });
    if response.is_some() {
        guest.stdout.settle(SETTLE, deadline);
    }
    let alive = guest
        .child
        .as_mut()
        .is_some_and(|c| matches!(c.try_wait(), Ok(None)));
    let status = guest.stop();
    let (stdout, stderr) = (guest.stdout.all(), guest.stderr.all());
    if url.is_none() {
        if let Some(why) = link_error(&stderr) {
            return Err(RunError::Unsupported(why));
        }
        if alive {
            return Err(RunError::Timeout(format!(
                "the runtime printed no address to serve on within the timeout; stderr: {}",
                tail(&stderr)
            )));
        }
        return Err(RunError::Crash(format!(
            "the runtime never printed the address it serves on ({}); stderr: {}",
            command.join(" "),
            tail(&stderr)
        )));
    }
    let status = match (alive, status) {
        (true, _) | (false, None) => Status::Exit(0),
        (false, Some(code)) => Status::Exit(code),
    };
    Ok((
        RawOutcome {
            status,
            stdout: stdout.into_bytes(),
            stderr: stderr.into_bytes(),
            truncated: false,
            fs: None,
        },
        response,
    ))
}

/// The `http://` URL a runtime's line announces its service at, if any.
fn service_url(line: &str) -> Option<String> {
    line.find("http://").map(|at| {
        line[at..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

/// The last [`EVIDENCE_CHARS`] characters of `text`.
fn tail(text: &str) -> String {
    let skip = text.chars().count().saturating_sub(EVIDENCE_CHARS);
    let tail: String = text.chars().skip(skip).collect();
    format!("{}{tail}", if skip > 0 { "…" } else { "" })
}

/// Why the steps stopped early: the verdict and its evidence.
type Stopped = (Verdict, String);

/// The runtime's process and what the runner holds of it.
struct Guest {
    child: Option<Child>,
    pid: i32,
    stdin: Option<ChildStdin>,
    stdout: Output,
    stderr: Output,
    sockets: HashMap<String, TcpStream>,
    /// The service's URL, once read from stderr.
    service: Option<String>,
    limits: Limits,
    command: Vec<String>,
}

impl Guest {
    fn start(command: &[String], root: &std::path::Path, limits: Limits) -> Result<Guest> {
        let mut child = runtime_process(command)
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("{}: cannot start", command[0]))?;
        let stdout = Output::read(child.stdout.take().expect("piped"), limits.output_cap);
        let stderr = Output::read(child.stderr.take().expect("piped"), limits.output_cap);
        Ok(Guest {
            pid: child.id() as i32,
            stdin: child.stdin.take(),
            child: Some(child),
            stdout,
            stderr,
            sockets: HashMap::new(),
            service: None,
            limits,
            command: command.to_vec(),
        })
    }

    /// Runs the steps in order; `Err` at the first that fails.
    fn steps(&mut self, steps: &[Step], reads: Reads) -> Result<(), Stopped> {
        for step in steps {
            let deadline = Instant::now() + self.limits.timeout;
            match step {
                Step::Read { stream, payload } => {
                    let want = payload.chars().count();
                    let got = self.output(*stream).take_chars(want, deadline);
                    if got.chars().count() < want && !self.output(*stream).ended() {
                        return Err((
                            Verdict::Timeout,
                            format!(
                                "read {}: no {want} characters within the timeout",
                                stream.name()
                            ),
                        ));
                    }
                    if got != *payload {
                        return Err((Verdict::Fail, mismatch(*stream, payload, &got)));
                    }
                }
                Step::Write { payload } => {
                    let written = self
                        .stdin
                        .as_mut()
                        .map(|stdin| stdin.write_all(payload.as_bytes()));
                    if let Some(Err(e)) = written {
                        return Err((Verdict::Fail, format!("write stdin: {e}")));
                    }
                }
                Step::Wait { exit_code } => {
                    self.stdin = None;
                    let got = self.wait()?;
                    if got != *exit_code {
                        return Err((
                            Verdict::Fail,
                            format!("wait: expected exit {exit_code}, got {got}"),
                        ));
                    }
                }
                Step::Connect { id } => {
                    let line = self.stdout.line(deadline);
                    let address = line.trim();
                    let connected = match address.rsplit_once(':') {
                        Some((_, port))
                            if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) =>
                        {
                            TcpStream::connect(address)
                                .map_err(|e| format!("could not connect to {address}: {e}"))
                        }
                        _ => Err(format!(
                            "expected `<host>:<port>` on stdout, found {line:?}"
                        )),
                    };
                    let socket =
                        connected.map_err(|e| (Verdict::Fail, format!("connect {id}: {e}")))?;
                    let _ = socket.set_read_timeout(Some(self.limits.timeout));
                    self.sockets.insert(id.clone(), socket);
                }
                Step::Send { id, payload } => {
                    let socket = self
                        .sockets
                        .get_mut(id)
                        .expect("the spec connects a socket before use");
                    socket
                        .write_all(payload.as_bytes())
                        .map_err(|e| (Verdict::Fail, format!("send {id}: {e}")))?;
                }
                Step::Recv { id, payload } => {
                    let socket = self
                        .sockets
                        .get_mut(id)
                        .expect("the spec connects a socket before use");
                    // One recv(2) of at most the expected length, as upstream.
                    let mut buffer = vec![0; payload.len()];
                    let n = socket
                        .read(&mut buffer)
                        .map_err(|e| (Verdict::Fail, format!("recv {id}: {e}")))?;
                    let got = String::from_utf8_lossy(&buffer[..n]);
                    if got != *payload {
                        return Err((
                            Verdict::Fail,
                            format!("recv {id}: expected {payload:?}, got {got:?}"),
                        ));
                    }
                }
                Step::Request(request) => self.request(request, deadline)?,
                Step::Kill { signal } => {
                    // SAFETY: kill(2) on the runtime's own pid; no memory is shared.
                    unsafe {
                        libc::kill(self.pid, signal.number());
                    }
                }
            }
        }
        if self.child.is_some() {
            return Err((Verdict::Fail, NEVER_WAITS.into()));
        }
        if reads == Reads::Exact {
            for stream in [Stream::Stdout, Stream::Stderr] {
                if !reads_from(steps, stream) {
                    continue;
                }
                let rest = self.output(stream).rest();
                if !rest.is_empty() {
                    return Err((Verdict::Fail, mismatch(stream, "", &rest)));
                }
            }
        }
        Ok(())
    }

    /// Stops a served runtime: SIGINT, as a user stops a server, then its
    /// process group killed if it has not exited within a second. Its exit
    /// code (minus the signal), `None` when it was killed or already reaped.
    fn stop(&mut self) -> Option<i32> {
        let child = self.child.take()?;
        // SAFETY: kill(2) on the runtime's own pid; no memory is shared.
        unsafe {
            libc::kill(self.pid, libc::SIGINT);
        }
        let status = match wait(child, Duration::from_secs(1), || false) {
            Waited::Exited(status) => status.code(),
            Waited::TimedOut | Waited::OverCap | Waited::Lost(_) => None,
        };
        kill_group(self.pid);
        status
    }

    fn output(&self, stream: Stream) -> &Output {
        match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        }
    }

    /// Waits for the runtime to exit: its exit code, or minus the signal
    /// that ended it (as Python's `returncode`).
    fn wait(&mut self) -> Result<i32, Stopped> {
        let child = self.child.take().expect("one wait per run");
        match wait(child, self.limits.timeout, || false) {
            Waited::Exited(status) => Ok(status
                .code()
                .unwrap_or_else(|| -status.signal().unwrap_or(0))),
            Waited::TimedOut | Waited::OverCap => Err((
                Verdict::Timeout,
                "wait: the guest did not exit within the timeout".into(),
            )),
            Waited::Lost(e) => Err((
                Verdict::Crash,
                format!("waiting for the runtime failed: {e}"),
            )),
        }
    }

    /// Sends `request` to the service and checks the response as upstream's
    /// `do_request`: the status, each expected header, the whole body.
    fn request(&mut self, request: &Request, deadline: Instant) -> Result<(), Stopped> {
        let fail = |why: String| {
            (
                Verdict::Fail,
                format!("request {} {}: {why}", request.method, request.path),
            )
        };
        if self.service.is_none() {
            let line = self.stderr.line(deadline);
            let url = service_url(&line);
            self.service = Some(url.ok_or_else(|| {
                fail(format!(
                    "expected an `http://` URL in the first stderr line, got {:?}",
                    line.trim()
                ))
            })?);
        }
        let base = self.service.as_deref().expect("just set");
        let response = http::send(
            base,
            &request.method,
            &request.path,
            &request.headers,
            &request.body,
        )
        .map_err(fail)?;
        let want = &request.response;
        let status = response.start.get(1).cloned().unwrap_or_default();
        if status != want.status.to_string() {
            return Err(fail(format!(
                "expected status {}, got {status}",
                want.status
            )));
        }
        for (name, value) in &want.headers {
            match response.header(name) {
                None => return Err(fail(format!("the response lacks header {name}"))),
                Some(got) if got != *value => {
                    return Err(fail(format!("expected header {name}: {value}, got {got}")));
                }
                Some(_) => {}
            }
        }
        let body = String::from_utf8_lossy(&response.body);
        if body != want.body {
            return Err(fail(format!("expected body {:?}, got {body:?}", want.body)));
        }
        Ok(())
    }

    /// The judgement of a run whose steps `ended` so: the process (if it
    /// still runs) is killed; a failure names the command and shows the
    /// output; a failure with a link error on stderr is `unsupported`.
    fn finish(mut self, ended: Result<(), Stopped>, runtime: &dyn Runtime) -> Judgement {
        kill_group(self.pid);
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
        self.sockets.clear();
        let (verdict, problem) = match ended {
            Ok(()) => {
                return Judgement {
                    verdict: Verdict::Pass,
                    detail: String::new(),
                };
            }
            Err(stopped) => stopped,
        };
        let stdout = self.stdout.all();
        let stderr = self.stderr.all();
        if let Some(why) = runtime.link_error(&stderr) {
            return Judgement {
                verdict: Verdict::Unsupported,
                detail: why,
            };
        }
        let mut detail = format!("{problem}\ncommand: {}", self.command.join(" "));
        for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
            if !text.is_empty() {
                detail.push_str(&format!("\n{name}: {}", tail(&text)));
            }
        }
        Judgement { verdict, detail }
    }
}

/// One of the guest's output streams, read as it comes by a thread of its
/// own: the bytes so far, how far the steps have read, and whether it ended.
struct Output {
    shared: Arc<(Mutex<Buffer>, Condvar)>,
}

#[derive(Default)]
struct Buffer {
    bytes: Vec<u8>,
    /// Bytes the steps have consumed.
    at: usize,
    ended: bool,
}

impl Output {
    /// Reads `from` to its end; bytes beyond `cap` are dropped.
    fn read(mut from: impl Read + Send + 'static, cap: usize) -> Output {
        let shared = Arc::new((Mutex::new(Buffer::default()), Condvar::new()));
        let filling = shared.clone();
        std::thread::spawn(move || {
            let mut chunk = [0; 8192];
            loop {
                let n = from.read(&mut chunk).unwrap_or(0);
                let (buffer, changed) = &*filling;
                let mut buffer = buffer.lock().unwrap();
                if n == 0 {
                    buffer.ended = true;
                } else {
                    let room = cap.saturating_sub(buffer.bytes.len()).min(n);
                    buffer.bytes.extend_from_slice(&chunk[..room]);
                }
                changed.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        Output { shared }
    }

    /// Waits until `ready` finds an end in the unread bytes, the stream
    /// ends, or `deadline`; consumes and returns the text up to that end
    /// (all the unread text when none was found).
    fn take(&self, deadline: Instant, ready: impl Fn(&[u8]) -> Option<usize>) -> String {
        let (buffer, changed) = &*self.shared;
        let mut buffer = buffer.lock().unwrap();
        loop {
            let unread = &buffer.bytes[buffer.at..];
            let end = match ready(unread) {
                Some(end) => Some(end),
                None if buffer.ended => Some(unread.len()),
                None => None,
            };
            let now = Instant::now();
            let end = match end {
                Some(end) => end,
                None if now >= deadline => unread.len(),
                None => {
                    buffer = changed.wait_timeout(buffer, deadline - now).unwrap().0;
                    continue;
                }
            };
            let text = String::from_utf8_lossy(&unread[..end]).into_owned();
            buffer.at += end;
            return text;
        }
    }

    /// The next `n` characters (fewer if the stream ends or time runs out).
    fn take_chars(&self, n: usize, deadline: Instant) -> String {
        self.take(deadline, |bytes| chars_end(bytes, n))
    }

    /// The next line, with its newline.
    fn line(&self, deadline: Instant) -> String {
        self.take(deadline, |bytes| {
            bytes.iter().position(|&b| b == b'\n').map(|i| i + 1)
        })
    }

    fn ended(&self) -> bool {
        self.shared.0.lock().unwrap().ended
    }

    /// Everything not read yet, once the stream has ended.
    fn rest(&self) -> String {
        self.take(Instant::now() + Duration::from_secs(5), |_| None)
    }

    /// Everything the stream held, read or not.
    /// Waits until no byte has come for `quiet`, the stream ended, or `deadline`.
    fn settle(&self, quiet: Duration, deadline: Instant) {
        let (buffer, changed) = &*self.shared;
        let mut buffer = buffer.lock().unwrap();
        loop {
            let seen = buffer.bytes.len();
            let now = Instant::now();
            if buffer.ended || now >= deadline {
                return;
            }
            buffer = changed
                .wait_timeout(buffer, quiet.min(deadline - now))
                .unwrap()
                .0;
            if buffer.bytes.len() == seen && !buffer.ended {
                return;
            }
        }
    }

    fn all(&self) -> String {
        String::from_utf8_lossy(&self.shared.0.lock().unwrap().bytes).into_owned()
    }
}

/// The byte length of the first `n` UTF-8 characters of `bytes`, if they
/// are all there (an invalid byte counts as one character).
fn chars_end(bytes: &[u8], n: usize) -> Option<usize> {
    let mut at = 0;
    for _ in 0..n {
        let len = match bytes.get(at)? {
            b if *b < 0x80 => 1,
            b if *b >= 0xF0 => 4,
            b if *b >= 0xE0 => 3,
            b if *b >= 0xC0 => 2,
            _ => 1,
        };
        if at + len > bytes.len() {
            return None;
        }
        at += len;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_whole() {
        assert_eq!(chars_end(b"abc", 2), Some(2));
        assert_eq!(chars_end("é!".as_bytes(), 1), Some(2));
        assert_eq!(chars_end(&"é".as_bytes()[..1], 1), None);
        assert_eq!(chars_end(b"a", 2), None);
        assert_eq!(chars_end(b"", 0), Some(0));
    }

    #[test]
    fn reads_take_what_came_and_wait_for_the_rest() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let output = Output::read(reader, 1 << 20);
        writer.write_all(b"127.0.0.1:80\nhel").unwrap();
        let soon = || Instant::now() + Duration::from_secs(5);
        assert_eq!(output.line(soon()), "127.0.0.1:80\n");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            writer.write_all(b"lo!").unwrap();
        });
        assert_eq!(output.take_chars(5, soon()), "hello");
        assert_eq!(output.rest(), "!");
        assert!(output.ended());
        assert_eq!(output.all(), "127.0.0.1:80\nhello!");
    }
}
