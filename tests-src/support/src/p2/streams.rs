//! wasi:io/streams and wasi:io/error. A stream argument prints as
//! `"stream"` (`"stdout"`, `"$in"`); counts the host chooses (the
//! `check-write` budget) are returned, not printed.

use super::{MAX_BLOCKING_WRITE, stream_error_name, traced};
use crate::{J, obj, trace};
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::io::error::Error;
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

fn streamed<T>(
    call: &str,
    args: J,
    r: Result<T, StreamError>,
    ret: impl FnOnce(&T) -> J,
) -> Result<T, StreamError> {
    traced(call, args, r, stream_error_name, ret)
}

/// `output-stream.blocking-write-and-flush`: args
/// `{"stream":label,"len":n}`, ret `{}`.
pub fn blocking_write_and_flush(
    s: &OutputStream,
    label: &str,
    data: &[u8],
) -> Result<(), StreamError> {
    streamed(
        "output-stream.blocking-write-and-flush",
        obj! {"stream" => label, "len" => data.len()},
        s.blocking_write_and_flush(data),
        |_| obj!(),
    )
}

/// Write all of `data` with one traced `blocking-write-and-flush` per 4096
/// bytes (the most one call may take). Stops at the first error.
pub fn write_all(s: &OutputStream, label: &str, data: &[u8]) -> Result<(), StreamError> {
    for chunk in data.chunks(MAX_BLOCKING_WRITE) {
        blocking_write_and_flush(s, label, chunk)?;
    }
    Ok(())
}

/// `input-stream.read(len)`: args `{"stream":label,"len":n}`, ret
/// `{"nread":n}`.
pub fn read(s: &InputStream, label: &str, len: u64) -> Result<Vec<u8>, StreamError> {
    streamed(
        "input-stream.read",
        obj! {"stream" => label, "len" => len},
        s.read(len),
        |v| obj! {"nread" => v.len()},
    )
}

/// `input-stream.blocking-read(len)`: args `{"stream":label,"len":n}`, ret
/// `{"nread":n}`.
pub fn blocking_read(s: &InputStream, label: &str, len: u64) -> Result<Vec<u8>, StreamError> {
    streamed(
        "input-stream.blocking-read",
        obj! {"stream" => label, "len" => len},
        s.blocking_read(len),
        |v| obj! {"nread" => v.len()},
    )
}

/// `input-stream.skip(len)`: ret `{"skipped":n}`.
pub fn skip(s: &InputStream, label: &str, len: u64) -> Result<u64, StreamError> {
    streamed(
        "input-stream.skip",
        obj! {"stream" => label, "len" => len},
        s.skip(len),
        |n| obj! {"skipped" => *n},
    )
}

/// `input-stream.blocking-skip(len)`: ret `{"skipped":n}`.
pub fn blocking_skip(s: &InputStream, label: &str, len: u64) -> Result<u64, StreamError> {
    streamed(
        "input-stream.blocking-skip",
        obj! {"stream" => label, "len" => len},
        s.blocking_skip(len),
        |n| obj! {"skipped" => *n},
    )
}

/// `input-stream.subscribe`, ret `{}`.
pub fn input_subscribe(s: &InputStream, label: &str) -> Pollable {
    let p = s.subscribe();
    trace(
        "input-stream.subscribe",
        obj! {"stream" => label},
        Ok(obj!()),
    );
    p
}

/// `output-stream.check-write`: ret `{}` (the budget is the host's choice).
pub fn check_write(s: &OutputStream, label: &str) -> Result<u64, StreamError> {
    streamed(
        "output-stream.check-write",
        obj! {"stream" => label},
        s.check_write(),
        |_| obj!(),
    )
}

/// `output-stream.write(contents)`: args `{"stream":label,"len":n}`.
pub fn write(s: &OutputStream, label: &str, data: &[u8]) -> Result<(), StreamError> {
    streamed(
        "output-stream.write",
        obj! {"stream" => label, "len" => data.len()},
        s.write(data),
        |_| obj!(),
    )
}

/// `output-stream.flush`.
pub fn flush(s: &OutputStream, label: &str) -> Result<(), StreamError> {
    streamed(
        "output-stream.flush",
        obj! {"stream" => label},
        s.flush(),
        |_| obj!(),
    )
}

/// `output-stream.blocking-flush`.
pub fn blocking_flush(s: &OutputStream, label: &str) -> Result<(), StreamError> {
    streamed(
        "output-stream.blocking-flush",
        obj! {"stream" => label},
        s.blocking_flush(),
        |_| obj!(),
    )
}

/// `output-stream.subscribe`, ret `{}`.
pub fn output_subscribe(s: &OutputStream, label: &str) -> Pollable {
    let p = s.subscribe();
    trace(
        "output-stream.subscribe",
        obj! {"stream" => label},
        Ok(obj!()),
    );
    p
}

/// `output-stream.write-zeroes(len)`.
pub fn write_zeroes(s: &OutputStream, label: &str, len: u64) -> Result<(), StreamError> {
    streamed(
        "output-stream.write-zeroes",
        obj! {"stream" => label, "len" => len},
        s.write_zeroes(len),
        |_| obj!(),
    )
}

/// `output-stream.blocking-write-zeroes-and-flush(len)`.
pub fn blocking_write_zeroes_and_flush(
    s: &OutputStream,
    label: &str,
    len: u64,
) -> Result<(), StreamError> {
    streamed(
        "output-stream.blocking-write-zeroes-and-flush",
        obj! {"stream" => label, "len" => len},
        s.blocking_write_zeroes_and_flush(len),
        |_| obj!(),
    )
}

/// `output-stream.splice(src, len)`: args `{"stream":label,"src":label,
/// "len":n}`, ret `{"nspliced":n}`.
pub fn splice(
    s: &OutputStream,
    label: &str,
    src: &InputStream,
    src_label: &str,
    len: u64,
) -> Result<u64, StreamError> {
    streamed(
        "output-stream.splice",
        obj! {"stream" => label, "src" => src_label, "len" => len},
        s.splice(src, len),
        |n| obj! {"nspliced" => *n},
    )
}

/// `output-stream.blocking-splice(src, len)`: as [`splice`].
pub fn blocking_splice(
    s: &OutputStream,
    label: &str,
    src: &InputStream,
    src_label: &str,
    len: u64,
) -> Result<u64, StreamError> {
    streamed(
        "output-stream.blocking-splice",
        obj! {"stream" => label, "src" => src_label, "len" => len},
        s.blocking_splice(src, len),
        |n| obj! {"nspliced" => *n},
    )
}

/// `error.to-debug-string`: args `{"self":label}`, ret `{}` (the text is
/// the host's own).
pub fn to_debug_string(e: &Error, label: &str) -> String {
    let text = e.to_debug_string();
    trace("error.to-debug-string", obj! {"self" => label}, Ok(obj!()));
    text
}
