//! Args and environment calls, with checks of the string-list layout they write.

use super::traced;
use crate::{J, check_detail, check_should, obj};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// `args_sizes_get` -> ret `{"argc":n,"argv_buf_size":n}`.
pub fn args_sizes_get() -> Result<(usize, usize), Errno> {
    let r = unsafe { wasi::args_sizes_get() };
    traced(
        "args_sizes_get",
        obj!(),
        &r,
        |(c, s)| obj! {"argc" => *c, "argv_buf_size" => *s},
    );
    r
}

/// `environ_sizes_get` -> ret `{"count":n,"buf_size":n}`.
pub fn environ_sizes_get() -> Result<(usize, usize), Errno> {
    let r = unsafe { wasi::environ_sizes_get() };
    traced(
        "environ_sizes_get",
        obj!(),
        &r,
        |(c, s)| obj! {"count" => *c, "buf_size" => *s},
    );
    r
}

/// A check decided during a call, reported after the call's trace line.
struct PendingCheck {
    name: String,
    ok: bool,
    detail: Option<String>,
    /// Only a `should` check: the witx implies it, it does not state it.
    should: bool,
}

fn report(checks: Vec<PendingCheck>) {
    for check in checks {
        if check.should {
            check_should(&check.name, check.ok, check.detail.as_deref());
        } else {
            check_detail(&check.name, check.ok, check.detail.as_deref());
        }
    }
}

/// Shared by `args_get` / `environ_get`: allocate `count` pointers and a
/// `buf_size` buffer (both prefilled with a sentinel), call `f`, then check
/// the layout the witx doc implies: every pointer lies in the buffer (a
/// `should` check: the text never says so, and an empty string may be
/// handed out anywhere), every
/// string is NUL-terminated inside it, the strings fill it exactly, and
/// nothing is written past either array. Returns the strings without their
/// NULs, and the checks (to be reported after the trace line).
fn get_string_list(
    what: &str,
    count: usize,
    buf_size: usize,
    f: impl FnOnce(*mut *mut u8, *mut u8) -> Result<(), Errno>,
) -> (Result<Vec<Vec<u8>>, Errno>, Vec<PendingCheck>) {
    const SENTINEL: u8 = 0xA5;
    // One extra slot / byte past the end so overruns are visible.
    let mut ptrs: Vec<*mut u8> = vec![core::ptr::null_mut(); count + 1];
    let mut buf: Vec<u8> = vec![SENTINEL; buf_size + 1];
    let base = buf.as_mut_ptr();
    if let Err(e) = f(ptrs.as_mut_ptr(), base) {
        return (Err(e), Vec::new());
    }

    let mut checks: Vec<PendingCheck> = Vec::new();
    let mut strings = Vec::with_capacity(count);
    let mut layout_ok = true;
    let mut total = 0usize;
    for (i, p) in ptrs[..count].iter().enumerate() {
        let off = (*p as usize).wrapping_sub(base as usize);
        if off >= buf_size {
            checks.push(PendingCheck {
                name: crate::fmt!("{what} pointer {i} points into the buffer"),
                ok: false,
                detail: None,
                should: true,
            });
            layout_ok = false;
            strings.push(Vec::new());
            continue;
        }
        match buf[off..buf_size].iter().position(|b| *b == 0) {
            Some(len) => {
                total += len + 1;
                strings.push(buf[off..off + len].to_vec());
            }
            None => {
                checks.push(PendingCheck {
                    name: crate::fmt!("{what} string {i} is NUL-terminated inside the buffer"),
                    ok: false,
                    detail: None,
                    should: false,
                });
                layout_ok = false;
                strings.push(buf[off..buf_size].to_vec());
            }
        }
    }
    if layout_ok {
        checks.push(PendingCheck {
            name: crate::fmt!("{what} strings fill the buffer size reported by the sizes call"),
            ok: total == buf_size,
            detail: Some(crate::fmt!(
                "strings take {total} bytes, size was {buf_size}"
            )),
            should: false,
        });
    }
    checks.push(PendingCheck {
        name: crate::fmt!("{what} writes nothing past the buffer"),
        ok: buf[buf_size] == SENTINEL,
        detail: None,
        should: false,
    });
    checks.push(PendingCheck {
        name: crate::fmt!("{what} writes no more pointers than the sizes call reported"),
        ok: ptrs[count].is_null(),
        detail: None,
        should: false,
    });
    (Ok(strings), checks)
}

/// `args_get` with buffers sized from a previous `args_sizes_get`
/// -> ret `{"argv":[...]}` (byte strings, see [`J::Bytes`]), plus layout checks.
pub fn args_get(argc: usize, buf_size: usize) -> Result<Vec<Vec<u8>>, Errno> {
    let (r, checks) = get_string_list("args_get", argc, buf_size, |a, b| unsafe {
        wasi::args_get(a, b)
    });
    traced("args_get", obj!(), &r, |v| {
        obj! {"argv" => J::Arr(v.iter().map(|s| J::bytes(s)).collect())}
    });
    report(checks);
    r
}

/// `environ_get` with buffers sized from a previous `environ_sizes_get`
/// -> ret `{"environ":[...]}`: the `KEY=VALUE` byte strings **sorted
/// bytewise** (the witx leaves the order unspecified), plus layout checks.
pub fn environ_get(count: usize, buf_size: usize) -> Result<Vec<Vec<u8>>, Errno> {
    let (r, checks) = get_string_list("environ_get", count, buf_size, |a, b| unsafe {
        wasi::environ_get(a, b)
    });
    traced("environ_get", obj!(), &r, |v| {
        let mut sorted = v.clone();
        sorted.sort();
        obj! {"environ" => J::Arr(sorted.iter().map(|s| J::bytes(s)).collect())}
    });
    report(checks);
    r
}
