//! Traced wrappers around raw WASI 0.2 calls (the `wasip2` bindings).
//! Each wrapper makes exactly one call, prints its trace line, and returns
//! the raw result.
//!
//! Call names are the WIT names: `<resource>.<method>` for a resource's
//! methods (`output-stream.blocking-write-and-flush`, `descriptor.open-at`),
//! `<interface>.<function>` otherwise (`environment.get-arguments`,
//! `types.filesystem-error-code`); errors are the WIT `error-code` case
//! names, and for streams the `stream-error` case names `closed` /
//! `last-operation-failed`. A resource argument prints as the label the
//! caller gives (`"stdout"`, `"$f"`), since handles are not deterministic.
//!
//! wasi:cli, wasi:clocks and wasi:random are here; wasi:io, wasi:sockets and
//! wasi:filesystem in the submodules (the stdio helpers of `streams` also
//! re-exported here).

use crate::{J, check, obj, trace, trace_noreturn};
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input::TerminalInput,
    terminal_output::TerminalOutput, terminal_stderr, terminal_stdin, terminal_stdout,
};
use wasip2::clocks::{monotonic_clock, wall_clock};
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::random::{insecure, insecure_seed, random};

pub mod fs;
pub mod http;
pub mod poll;
pub mod sockets;
pub mod streams;

pub use streams::{blocking_read, blocking_write_and_flush, write_all};

/// Traces a call that returns a `result`: `ret` of the value on success,
/// `name` of the error otherwise; returns the result.
fn traced<T, E>(
    call: &str,
    args: J,
    r: Result<T, E>,
    name: fn(&E) -> &'static str,
    ret: impl FnOnce(&T) -> J,
) -> Result<T, E> {
    match &r {
        Ok(v) => trace(call, args, Ok(ret(v))),
        Err(e) => trace(call, args, Err(name(e))),
    }
    r
}

/// `blocking-write-and-flush` accepts at most this many bytes per call
/// (wasi:io/streams, `blocking-write-and-flush` doc).
pub const MAX_BLOCKING_WRITE: usize = 4096;

pub fn stream_error_name(e: &StreamError) -> &'static str {
    match e {
        StreamError::Closed => "closed",
        StreamError::LastOperationFailed(_) => "last-operation-failed",
    }
}

/// Untraced: write all of `bytes` to a fresh handle on stdout, in chunks of
/// at most 4096 bytes. Used for trace lines themselves; a line longer than
/// 4096 bytes therefore takes several writes. Errors are ignored.
pub fn write_stdout_raw(bytes: &[u8]) {
    let out = stdout::get_stdout();
    for chunk in bytes.chunks(MAX_BLOCKING_WRITE) {
        if out.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// wasi:cli
// ---------------------------------------------------------------------------

/// `environment.get-arguments` -> ret `{"args":[...]}`.
pub fn get_arguments() -> Vec<String> {
    let a = environment::get_arguments();
    trace(
        "environment.get-arguments",
        obj!(),
        Ok(obj! {"args" => a.clone()}),
    );
    a
}

/// `environment.get-environment` -> ret `{"env":[[k,v],...]}`, **sorted**
/// (by key, then value; the WIT leaves the order unspecified).
pub fn get_environment() -> Vec<(String, String)> {
    let e = environment::get_environment();
    let mut sorted = e.clone();
    sorted.sort();
    let list: Vec<J> = sorted
        .into_iter()
        .map(|(k, v)| J::Arr(alloc::vec![k.into(), v.into()]))
        .collect();
    trace(
        "environment.get-environment",
        obj!(),
        Ok(obj! {"env" => J::Arr(list)}),
    );
    e
}

/// `environment.initial-cwd` -> ret `{"cwd":string|null}`.
pub fn initial_cwd() -> Option<String> {
    let c = environment::initial_cwd();
    trace(
        "environment.initial-cwd",
        obj!(),
        Ok(obj! {"cwd" => c.clone()}),
    );
    c
}

/// `exit.exit(status)`: traced before the call, args `{"status":"ok"|"err"}`.
pub fn exit(ok: bool) -> ! {
    trace_noreturn(
        "exit.exit",
        obj! {"status" => if ok { "ok" } else { "err" }},
    );
    exit::exit(if ok { Ok(()) } else { Err(()) });
    check("exit.exit does not return", false);
    crate::finish();
    unreachable!()
}

/// `exit.exit-with-code(status-code)`: traced before the call, args
/// `{"status-code":n}`. A guest of its own calls it, since a host without
/// this `@since(0.2.12)` function cannot link a guest that imports it.
pub fn exit_with_code(code: u8) -> ! {
    trace_noreturn("exit.exit-with-code", obj! {"status-code" => code});
    exit::exit_with_code(code);
    check("exit.exit-with-code does not return", false);
    crate::finish();
    unreachable!()
}

/// `stdout.get-stdout`, ret `{}`.
pub fn get_stdout() -> OutputStream {
    let s = stdout::get_stdout();
    trace("stdout.get-stdout", obj!(), Ok(obj!()));
    s
}

/// `stderr.get-stderr`, ret `{}`.
pub fn get_stderr() -> OutputStream {
    let s = stderr::get_stderr();
    trace("stderr.get-stderr", obj!(), Ok(obj!()));
    s
}

/// `stdin.get-stdin`, ret `{}`.
pub fn get_stdin() -> InputStream {
    let s = stdin::get_stdin();
    trace("stdin.get-stdin", obj!(), Ok(obj!()));
    s
}

/// `terminal-stdin.get-terminal-stdin` -> ret `{"terminal":bool}`.
pub fn get_terminal_stdin() -> Option<TerminalInput> {
    let t = terminal_stdin::get_terminal_stdin();
    trace(
        "terminal-stdin.get-terminal-stdin",
        obj!(),
        Ok(obj! {"terminal" => t.is_some()}),
    );
    t
}

/// `terminal-stdout.get-terminal-stdout` -> ret `{"terminal":bool}`.
pub fn get_terminal_stdout() -> Option<TerminalOutput> {
    let t = terminal_stdout::get_terminal_stdout();
    trace(
        "terminal-stdout.get-terminal-stdout",
        obj!(),
        Ok(obj! {"terminal" => t.is_some()}),
    );
    t
}

/// `terminal-stderr.get-terminal-stderr` -> ret `{"terminal":bool}`.
pub fn get_terminal_stderr() -> Option<TerminalOutput> {
    let t = terminal_stderr::get_terminal_stderr();
    trace(
        "terminal-stderr.get-terminal-stderr",
        obj!(),
        Ok(obj! {"terminal" => t.is_some()}),
    );
    t
}

// ---------------------------------------------------------------------------
// wasi:clocks
// ---------------------------------------------------------------------------

/// `wall-clock.now`, ret `{}` (check the value instead).
pub fn wall_clock_now() -> wall_clock::Datetime {
    let d = wall_clock::now();
    trace("wall-clock.now", obj!(), Ok(obj!()));
    d
}

/// `wall-clock.resolution`, ret `{}`.
pub fn wall_clock_resolution() -> wall_clock::Datetime {
    let d = wall_clock::resolution();
    trace("wall-clock.resolution", obj!(), Ok(obj!()));
    d
}

/// `monotonic-clock.now`, ret `{}`.
pub fn monotonic_now() -> u64 {
    let t = monotonic_clock::now();
    trace("monotonic-clock.now", obj!(), Ok(obj!()));
    t
}

/// `monotonic-clock.resolution`, ret `{}`.
pub fn monotonic_resolution() -> u64 {
    let t = monotonic_clock::resolution();
    trace("monotonic-clock.resolution", obj!(), Ok(obj!()));
    t
}

/// `monotonic-clock.subscribe-instant(when)`: args `{"when":shown}` (the
/// caller says what to show: an instant itself is not deterministic), ret
/// `{}`.
pub fn subscribe_instant(when: u64, shown: J) -> Pollable {
    let p = monotonic_clock::subscribe_instant(when);
    trace(
        "monotonic-clock.subscribe-instant",
        obj! {"when" => shown},
        Ok(obj!()),
    );
    p
}

/// `monotonic-clock.subscribe-duration(when)`: args `{"when":ns}`, ret `{}`.
pub fn subscribe_duration(when: u64) -> Pollable {
    let p = monotonic_clock::subscribe_duration(when);
    trace(
        "monotonic-clock.subscribe-duration",
        obj! {"when" => when},
        Ok(obj!()),
    );
    p
}

// ---------------------------------------------------------------------------
// wasi:random
// ---------------------------------------------------------------------------

/// `random.get-random-bytes(len)`: args `{"len":n}`, ret `{"len":returned}`.
pub fn get_random_bytes(len: u64) -> Vec<u8> {
    let b = random::get_random_bytes(len);
    trace(
        "random.get-random-bytes",
        obj! {"len" => len},
        Ok(obj! {"len" => b.len()}),
    );
    b
}

/// `random.get-random-u64`, ret `{}`.
pub fn get_random_u64() -> u64 {
    let v = random::get_random_u64();
    trace("random.get-random-u64", obj!(), Ok(obj!()));
    v
}

/// `insecure.get-insecure-random-bytes(len)`: ret `{"len":returned}`.
pub fn get_insecure_random_bytes(len: u64) -> Vec<u8> {
    let b = insecure::get_insecure_random_bytes(len);
    trace(
        "insecure.get-insecure-random-bytes",
        obj! {"len" => len},
        Ok(obj! {"len" => b.len()}),
    );
    b
}

/// `insecure.get-insecure-random-u64`, ret `{}`.
pub fn get_insecure_random_u64() -> u64 {
    let v = insecure::get_insecure_random_u64();
    trace("insecure.get-insecure-random-u64", obj!(), Ok(obj!()));
    v
}

/// `insecure-seed.insecure-seed`, ret `{}`.
pub fn insecure_seed() -> (u64, u64) {
    let v = insecure_seed::insecure_seed();
    trace("insecure-seed.insecure-seed", obj!(), Ok(obj!()));
    v
}
