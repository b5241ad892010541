//! Stdio for a runtime in another process as users get it: three pipes.
//! A thread feeds stdin and closes it; two threads drain stdout and stderr,
//! keeping at most a cap each and counting the rest, so a guest that floods
//! its output is stopped (the caller watches [`Pipes::over_cap`]) and never
//! blocks on a full pipe.
//!
//! A process that already runs (a served runtime, `served.rs`) cannot be
//! handed pipes: it is given named pipes (FIFOs) by path instead
//! ([`Pipes::through_fifos`]), which its guest sees just the same.

use std::fs::{File, OpenOptions};
use std::io::{PipeReader, PipeWriter, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The buffer asked for each output pipe: the most Linux gives a process
/// without privileges (`/proc/sys/fs/pipe-max-size`). A runtime that makes
/// its stdout non-blocking then does not see `EAGAIN` depending on how fast
/// the harness reads, only when a guest writes over 1 MiB faster than a
/// thread can drain it.
const OUTPUT_PIPE_SIZE: i32 = 1 << 20;
/// How long the readers get, after the runtime's process group was killed,
/// to see the end of their pipes (a process outside the group may still
/// hold one open; then what was read so far is kept).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// The runtime's ends of the three pipes (into `Stdio` for a child
/// process, raw fds for an embedded runtime). Drop them once the runtime is
/// done with them, or the readers never see the end of the output.
pub struct ChildEnds {
    pub stdin: PipeReader,
    pub stdout: PipeWriter,
    pub stderr: PipeWriter,
}

/// The harness's side: the threads feeding and draining the pipes.
pub struct Pipes {
    stdout: Drain,
    stderr: Drain,
    cap: u64,
    /// The output FIFOs, when the pipes are named ([`Pipes::through_fifos`]).
    fifos: Vec<PathBuf>,
}

/// Named pipes for a process that is already running: the paths it opens
/// and the harness's end of stdin.
pub struct Fifos {
    pub stdin: PathBuf,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    /// The harness's end of the stdin FIFO, holding the whole input. Drop it
    /// once the runtime has opened its end (the input stays buffered), so
    /// that the guest reads the end of the input after it; dropped earlier,
    /// the buffered input would be lost.
    pub stdin_writer: File,
}

/// One output pipe being drained: the bytes kept and the bytes seen.
struct Drain {
    kept: Arc<Mutex<Vec<u8>>>,
    seen: Arc<AtomicU64>,
    done: mpsc::Receiver<()>,
}

impl Pipes {
    /// Makes the pipes, starts the threads, and returns the child's ends.
    /// `stdin` is written whole and then closed; at most `cap` bytes of
    /// stdout and of stderr are kept.
    pub fn start(stdin: &[u8], cap: usize) -> std::io::Result<(ChildEnds, Pipes)> {
        let (stdin_reader, mut stdin_writer) = std::io::pipe()?;
        let input = stdin.to_vec();
        std::thread::spawn(move || {
            // A runtime that never reads its stdin may close it unread: the
            // write then fails with EPIPE. SIGPIPE is blocked in this thread
            // (a broken pipe signals the writing thread), so it cannot take
            // the harness down with it.
            // SAFETY: changes only this thread's signal mask.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGPIPE);
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            }
            let _ = stdin_writer.write_all(&input);
        });
        let (stdout_reader, stdout_writer) = output_pipe()?;
        let (stderr_reader, stderr_writer) = output_pipe()?;
        let cap = cap as u64;
        let ends = ChildEnds {
            stdin: stdin_reader,
            stdout: stdout_writer,
            stderr: stderr_writer,
        };
        let pipes = Pipes {
            stdout: Drain::start(stdout_reader, cap),
            stderr: Drain::start(stderr_reader, cap),
            cap,
            fifos: Vec::new(),
        };
        Ok((ends, pipes))
    }

    /// Makes the three FIFOs in `dir` and starts draining stdout and stderr.
    /// `stdin` is written into its FIFO at once; `Ok(None)` when it does not
    /// fit in the FIFO's buffer (the caller then runs the runtime another
    /// way).
    pub fn through_fifos(
        dir: &Path,
        stdin: &[u8],
        cap: usize,
    ) -> std::io::Result<Option<(Fifos, Pipes)>> {
        let [stdin_path, stdout_path, stderr_path] =
            ["stdin", "stdout", "stderr"].map(|name| dir.join(name));
        for path in [&stdin_path, &stdout_path, &stderr_path] {
            make_fifo(path)?;
        }
        // Read-write: opening never waits for a reader, and the input is
        // buffered before the runtime opens its end.
        let mut stdin_writer = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&stdin_path)?;
        if stdin.len() > enlarge(&stdin_writer) {
            return Ok(None);
        }
        stdin_writer.write_all(stdin)?;
        let cap = cap as u64;
        let pipes = Pipes {
            stdout: Drain::start(FifoReader::open(&stdout_path)?, cap),
            stderr: Drain::start(FifoReader::open(&stderr_path)?, cap),
            cap,
            fifos: vec![stdout_path.clone(), stderr_path.clone()],
        };
        let fifos = Fifos {
            stdin: stdin_path,
            stdout: stdout_path,
            stderr: stderr_path,
            stdin_writer,
        };
        Ok(Some((fifos, pipes)))
    }

    /// Whether stdout or stderr has received more than the cap.
    pub fn over_cap(&self) -> bool {
        self.stdout.seen() > self.cap || self.stderr.seen() > self.cap
    }

    /// Once the runtime is gone: stdout, stderr (each at most the cap) and
    /// whether either was cut.
    pub fn finish(self) -> (Vec<u8>, Vec<u8>, bool) {
        // A runtime that died before opening an output FIFO never ended it:
        // a writer that comes and goes does (it is harmless after the end).
        for fifo in &self.fifos {
            let _ = OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(fifo);
        }
        // Counted once the readers are done: the end of the output may
        // still have been on its way.
        let (stdout, stderr) = (self.stdout.finish(), self.stderr.finish());
        let truncated = self.over_cap();
        (stdout, stderr, truncated)
    }
}

impl Drain {
    fn start(mut reader: impl Read + Send + 'static, cap: u64) -> Drain {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(AtomicU64::new(0));
        let (done_sender, done) = mpsc::channel();
        let (thread_kept, thread_seen) = (kept.clone(), seen.clone());
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 64 << 10];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut kept = thread_kept.lock().expect("no reader panics holding it");
                let room = cap.saturating_sub(kept.len() as u64) as usize;
                kept.extend_from_slice(&chunk[..n.min(room)]);
                thread_seen.fetch_add(n as u64, Ordering::Relaxed);
            }
            let _ = done_sender.send(());
        });
        Drain { kept, seen, done }
    }

    fn seen(&self) -> u64 {
        self.seen.load(Ordering::Relaxed)
    }

    /// Waits for the reader (at most [`DRAIN_GRACE`]) and takes what it kept.
    fn finish(&self) -> Vec<u8> {
        let _ = self.done.recv_timeout(DRAIN_GRACE);
        std::mem::take(&mut *self.kept.lock().expect("no reader panics holding it"))
    }
}

/// The harness's end of an output FIFO, opened before any writer. A read
/// there would see the end of the output at once, so each read first waits
/// in poll(2), which reports a FIFO ended only once a writer has come and
/// gone.
struct FifoReader(File);

impl FifoReader {
    fn open(path: &Path) -> std::io::Result<FifoReader> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        // SAFETY: fcntl(2) on a descriptor this function owns; no memory is passed.
        unsafe {
            libc::fcntl(file.as_raw_fd(), libc::F_SETFL, 0);
        }
        enlarge(&file);
        Ok(FifoReader(file))
    }
}

impl Read for FifoReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut poll = libc::pollfd {
            fd: self.0.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: poll(2) on one pollfd that lives across the call.
        while unsafe { libc::poll(&mut poll, 1, -1) } < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
        self.0.read(buf)
    }
}

fn make_fifo(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: mkfifo(2) reads a NUL-terminated path that lives across the call.
    if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// A pipe for output, its buffer enlarged ([`enlarge`]).
fn output_pipe() -> std::io::Result<(PipeReader, PipeWriter)> {
    let (reader, writer) = std::io::pipe()?;
    enlarge(&writer);
    Ok((reader, writer))
}

/// Enlarges the buffer of the pipe or FIFO `end` to [`OUTPUT_PIPE_SIZE`]
/// where the kernel allows it (a smaller buffer is still a pipe), and
/// returns the size it has.
fn enlarge(end: &impl AsRawFd) -> usize {
    let fd = end.as_raw_fd();
    // SAFETY: fcntl(2) on a descriptor the caller holds; no memory is passed.
    let size = unsafe {
        match libc::fcntl(fd, libc::F_SETPIPE_SZ, OUTPUT_PIPE_SIZE) {
            -1 => libc::fcntl(fd, libc::F_GETPIPE_SZ),
            size => size,
        }
    };
    size.max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// Runs a shell that echoes stdin (`hello`) and `err` on the given
    /// stdio, and checks that they are pipes and that `pipes` kept the
    /// output up to its cap of 3 bytes.
    fn check_child(
        stdin: impl Into<Stdio>,
        stdout: impl Into<Stdio>,
        stderr: impl Into<Stdio>,
        pipes: Pipes,
    ) {
        let status = Command::new("sh")
            .args([
                "-c",
                "cat; echo err >&2; [ -p /dev/stdin ] && [ -p /dev/stdout ]",
            ])
            .stdin(stdin)
            .stdout(stdout)
            .stderr(stderr)
            .status()
            .unwrap();
        assert!(status.success(), "stdin and stdout are pipes");
        let (stdout, stderr, truncated) = pipes.finish();
        assert_eq!(
            (stdout.as_slice(), stderr.as_slice()),
            (&b"hel"[..], &b"err"[..])
        );
        assert!(truncated);
    }

    #[test]
    fn a_child_reads_stdin_and_its_output_is_kept_up_to_the_cap() {
        let (ends, pipes) = Pipes::start(b"hello", 3).unwrap();
        check_child(ends.stdin, ends.stdout, ends.stderr, pipes);
    }

    #[test]
    fn fifos_are_pipes_to_a_process_that_opens_them_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let (fifos, pipes) = Pipes::through_fifos(dir.path(), b"hello", 3)
            .unwrap()
            .unwrap();
        // The runtime's side, as a served worker opens it: stdin first.
        let stdin = File::open(&fifos.stdin).unwrap();
        drop(fifos.stdin_writer);
        let stdout = OpenOptions::new().write(true).open(&fifos.stdout).unwrap();
        let stderr = OpenOptions::new().write(true).open(&fifos.stderr).unwrap();
        check_child(stdin, stdout, stderr, pipes);
    }

    #[test]
    fn fifos_never_opened_end_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (_fifos, pipes) = Pipes::through_fifos(dir.path(), b"", 16).unwrap().unwrap();
        let started = std::time::Instant::now();
        assert_eq!(pipes.finish(), (vec![], vec![], false));
        assert!(started.elapsed() < DRAIN_GRACE);
    }

    #[test]
    fn input_larger_than_a_fifo_holds_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = vec![b'x'; 64 << 20];
        assert!(
            Pipes::through_fifos(dir.path(), &input, 16)
                .unwrap()
                .is_none()
        );
    }
}
