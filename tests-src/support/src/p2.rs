//! Traced wrappers around raw WASI 0.2 calls (the `wasip2` bindings).
//!
//! Call names are `<interface>.<function>` with the WIT names
//! (`environment.get-arguments`, `output-stream.blocking-write-and-flush`);
//! errors are the WIT `error-code` case names, and for streams the
//! `stream-error` case names `closed` / `last-operation-failed`.

use crate::{J, check, obj, trace, trace_noreturn};
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::cli::{environment, exit, stderr, stdin, stdout};
use wasip2::clocks::{monotonic_clock, wall_clock};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::random::{insecure, insecure_seed, random};

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

// ---------------------------------------------------------------------------
// wasi:io/streams
// ---------------------------------------------------------------------------

/// `output-stream.blocking-write-and-flush`: args
/// `{"stream":label,"len":n}`, ret `{}`. `label` names the stream
/// (`"stdout"`, `"stderr"`), since resource handles are not deterministic.
pub fn blocking_write_and_flush(
    s: &OutputStream,
    label: &str,
    data: &[u8],
) -> Result<(), StreamError> {
    let r = s.blocking_write_and_flush(data);
    let args = obj! {"stream" => label, "len" => data.len()};
    match &r {
        Ok(()) => trace("output-stream.blocking-write-and-flush", args, Ok(obj!())),
        Err(e) => trace(
            "output-stream.blocking-write-and-flush",
            args,
            Err(stream_error_name(e)),
        ),
    }
    r
}

/// Write all of `data` with one traced `blocking-write-and-flush` per 4096
/// bytes (the most one call may take). Stops at the first error.
pub fn write_all(s: &OutputStream, label: &str, data: &[u8]) -> Result<(), StreamError> {
    for chunk in data.chunks(MAX_BLOCKING_WRITE) {
        blocking_write_and_flush(s, label, chunk)?;
    }
    Ok(())
}

/// `input-stream.blocking-read(len)`: args `{"stream":label,"len":n}`, ret
/// `{"nread":n}`.
pub fn blocking_read(s: &InputStream, label: &str, len: u64) -> Result<Vec<u8>, StreamError> {
    let r = s.blocking_read(len);
    let args = obj! {"stream" => label, "len" => len};
    match &r {
        Ok(v) => trace(
            "input-stream.blocking-read",
            args,
            Ok(obj! {"nread" => v.len()}),
        ),
        Err(e) => trace(
            "input-stream.blocking-read",
            args,
            Err(stream_error_name(e)),
        ),
    }
    r
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
