//! Guest-side support for wasi-conform.
//!
//! Every guest reports what its WASI calls did as *trace lines* on stdout:
//!
//! ```text
//! @@wasi {"call":"fd_write","args":{"fd":1,"iovs":[5]},"errno":"ok","ret":{"nwritten":5}}
//! @@wasi {"check":"monotonic clock never goes back","ok":true}
//! ```
//!
//! The format is specified in `tests-src/README.md`. This crate has no
//! dependencies besides the raw WASI bindings: a tiny JSON writer ([`J`]),
//! the trace/check emitters, and (behind the `p1` / `p2` features) traced
//! wrappers around raw WASI calls.
//!
//! Trace lines are written with a raw write to stdout (p1: `fd_write(1, ..)`,
//! p2: the `wasi:cli/stdout` stream), never through libstd, and are not
//! themselves traced.

#![no_std]

#[doc(hidden)]
pub extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

#[cfg(feature = "p1")]
pub mod p1;
#[cfg(feature = "p2")]
pub mod p2;
pub mod script;

#[cfg(all(feature = "p1", feature = "p2"))]
compile_error!("enable exactly one of the features `p1` and `p2`");

/// The marker that starts every trace line.
pub const MARKER: &str = "@@wasi ";

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// A JSON value, just enough for trace lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum J {
    Null,
    Bool(bool),
    /// Any integer; written in decimal.
    Int(i128),
    /// A UTF-8 string.
    Str(String),
    /// A byte string from the host. Valid UTF-8 is written as a JSON string;
    /// anything else as `{"hex":"<lowercase hex of every byte>"}`.
    Bytes(Vec<u8>),
    Arr(Vec<J>),
    /// An object; keys are written in the order given.
    Obj(Vec<(String, J)>),
}

impl J {
    /// An empty object `{}`.
    pub fn obj() -> J {
        J::Obj(Vec::new())
    }

    /// Builder: append `key: value` to an object (panics on a non-object).
    pub fn with(mut self, key: &str, value: impl Into<J>) -> J {
        match &mut self {
            J::Obj(v) => v.push((key.into(), value.into())),
            _ => panic!("J::with on a non-object"),
        }
        self
    }

    /// A byte string (see [`J::Bytes`]).
    pub fn bytes(b: &[u8]) -> J {
        J::Bytes(b.to_vec())
    }

    /// Serialise compactly (no whitespace).
    pub fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => push_int(out, *i),
            J::Str(s) => push_str(out, s),
            J::Bytes(b) => match core::str::from_utf8(b) {
                Ok(s) => push_str(out, s),
                Err(_) => {
                    out.push_str("{\"hex\":\"");
                    for byte in b {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        out.push(HEX[(byte >> 4) as usize] as char);
                        out.push(HEX[(byte & 15) as usize] as char);
                    }
                    out.push_str("\"}");
                }
            },
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

fn push_int(out: &mut String, i: i128) {
    if i < 0 {
        out.push('-');
    }
    let mut n = i.unsigned_abs();
    let mut digits = [0u8; 40];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in digits[..len].iter().rev() {
        out.push(*d as char);
    }
}

/// JSON string escaping: `"` and `\` are backslash-escaped; `\n`, `\r`, `\t`
/// use their short forms; every other control character (U+0000..U+001F and
/// U+007F) is written as `\u00XX`; everything else, including non-ASCII, is
/// written as raw UTF-8.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let v = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(v >> 4) as usize] as char);
                out.push(HEX[(v & 15) as usize] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for J {
            fn from(v: $t) -> J { J::Int(v as i128) }
        }
    )*};
}
from_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl From<bool> for J {
    fn from(v: bool) -> J {
        J::Bool(v)
    }
}
impl From<&str> for J {
    fn from(v: &str) -> J {
        J::Str(v.into())
    }
}
impl From<String> for J {
    fn from(v: String) -> J {
        J::Str(v)
    }
}
impl From<&String> for J {
    fn from(v: &String) -> J {
        J::Str(v.clone())
    }
}
impl<T: Into<J>> From<Vec<T>> for J {
    fn from(v: Vec<T>) -> J {
        J::Arr(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<J> + Clone> From<&[T]> for J {
    fn from(v: &[T]) -> J {
        J::Arr(v.iter().cloned().map(Into::into).collect())
    }
}
impl<T: Into<J>> From<Option<T>> for J {
    fn from(v: Option<T>) -> J {
        v.map_or(J::Null, Into::into)
    }
}

/// Build a JSON object: `obj! { "fd" => 1u32, "iovs" => vec![5usize] }`.
#[macro_export]
macro_rules! obj {
    () => { $crate::J::obj() };
    ($($k:literal => $v:expr),+ $(,)?) => {
        $crate::J::Obj($crate::alloc::vec![$(($crate::alloc::string::String::from($k), $crate::J::from($v))),+])
    };
}

// ---------------------------------------------------------------------------
// Trace lines and checks
// ---------------------------------------------------------------------------

static FAILED: AtomicBool = AtomicBool::new(false);

/// Write one complete line (already ending in `\n`) to stdout with raw WASI.
fn emit(line: &str) {
    #[cfg(feature = "p1")]
    p1::write_stdout_raw(line.as_bytes());
    #[cfg(feature = "p2")]
    p2::write_stdout_raw(line.as_bytes());
    #[cfg(not(any(feature = "p1", feature = "p2")))]
    let _ = line;
}

/// The text of a call trace line (without the marker and newline).
pub fn call_json(call: &str, args: &J, result: Result<&J, &str>) -> String {
    let mut s = String::from("{\"call\":");
    push_str(&mut s, call);
    s.push_str(",\"args\":");
    args.write(&mut s);
    s.push_str(",\"errno\":");
    match result {
        Ok(ret) => {
            push_str(&mut s, "ok");
            s.push_str(",\"ret\":");
            ret.write(&mut s);
        }
        Err(errno) => push_str(&mut s, errno),
    }
    s.push('}');
    s
}

/// Report one WASI call that returned. `result` is `Ok(ret)` on success
/// (`ret` is an object, `{}` when nothing deterministic is returned) or
/// `Err(errno name)`; on error no `ret` key is written.
pub fn trace(call: &str, args: J, result: Result<J, &str>) {
    let mut line = String::from(MARKER);
    line.push_str(&call_json(call, &args, result.as_ref().map_err(|e| *e)));
    line.push('\n');
    emit(&line);
}

/// Report a call that does not return (`proc_exit`, `exit.exit`): written
/// *before* the call, with no `errno` and no `ret`.
pub fn trace_noreturn(call: &str, args: J) {
    let mut line = String::from(MARKER);
    line.push_str("{\"call\":");
    push_str(&mut line, call);
    line.push_str(",\"args\":");
    args.write(&mut line);
    line.push_str("}\n");
    emit(&line);
}

/// Report a property the guest checked itself. A failed check makes
/// [`finish`] exit with status 1; the guest carries on. Returns `ok`.
pub fn check(name: &str, ok: bool) -> bool {
    check_detail(name, ok, None)
}

/// Like [`check`], with a `detail` string written when the check fails.
/// The detail must itself be deterministic for a correct runtime only in the
/// sense that it is never written when the check passes.
pub fn check_detail(name: &str, ok: bool, detail: Option<&str>) -> bool {
    write_check(name, ok, detail, false)
}

/// A failed check `known scenario`: the guest was given a scenario name
/// it does not have.
pub fn unknown_scenario(name: &str) {
    check_detail(
        "known scenario",
        false,
        Some(&fmt!("unknown scenario {name:?}")),
    );
}

/// A check of what the WASI text only points at (POSIX behaviour: tier
/// `should`). Its line carries `"tier":"should"` and a failure does not make
/// the guest fail: the harness reports it as a difference, never as a broken
/// requirement.
pub fn check_should(name: &str, ok: bool, detail: Option<&str>) -> bool {
    write_check(name, ok, detail, true)
}

fn write_check(name: &str, ok: bool, detail: Option<&str>, should: bool) -> bool {
    let mut line = String::from(MARKER);
    line.push_str("{\"check\":");
    push_str(&mut line, name);
    line.push_str(",\"ok\":");
    line.push_str(if ok { "true" } else { "false" });
    if should {
        line.push_str(",\"tier\":\"should\"");
    }
    if !ok {
        if let Some(d) = detail {
            line.push_str(",\"detail\":");
            push_str(&mut line, d);
        }
        if !should {
            FAILED.store(true, Ordering::Relaxed);
        }
    }
    line.push_str("}\n");
    emit(&line);
    ok
}

/// Says the case cannot run here (the host lacks something the case needs
/// that no WASI text requires of it, such as a preopen under the name the
/// case asks for): an `{"unsupported":WHY}` trace line, which the harness
/// judges `unsupported`; the guest then ends with status 1.
pub fn unsupported(why: &str) {
    let mut line = String::from(MARKER);
    line.push_str("{\"unsupported\":");
    push_str(&mut line, why);
    line.push_str("}\n");
    FAILED.store(true, Ordering::Relaxed);
    emit(&line);
}

/// Whether any check has failed so far.
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// End of a guest: exit with status 1 (p1 `proc_exit(1)`, p2
/// `exit(err)`) if any check failed, otherwise return normally so that the
/// program ends with status 0. These exits are not traced.
pub fn finish() {
    if failed() {
        #[cfg(feature = "p1")]
        unsafe {
            wasi::proc_exit(1)
        };
        #[cfg(feature = "p2")]
        wasip2::cli::exit::exit(Err(()));
    }
}

/// `format!` into a `String` (this crate is `no_std` + `alloc`).
#[macro_export]
macro_rules! fmt {
    ($($t:tt)*) => { $crate::alloc::format!($($t)*) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn escapes() {
        let j = J::Str("a\"b\\c\nd\u{1}é日".into());
        assert_eq!(j.to_json(), "\"a\\\"b\\\\c\\nd\\u0001é日\"");
        assert_eq!(J::bytes(&[0x61, 0xff]).to_json(), "{\"hex\":\"61ff\"}");
        assert_eq!(J::Int(-120).to_json(), "-120");
        assert_eq!(J::Int(0).to_json(), "0");
        assert_eq!(
            J::obj().with("a", vec![1u32, 2]).with("b", true).to_json(),
            "{\"a\":[1,2],\"b\":true}"
        );
    }
}
