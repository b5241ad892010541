//! Traced wrappers around raw `wasi_snapshot_preview1` calls (the `wasi`
//! 0.11 crate). Each wrapper makes exactly one raw call, prints its trace
//! line, and returns the raw result.
//!
//! Names in trace lines are the witx names: function names
//! (`fd_write`), errno names (`badf`), clock ids (`realtime`), file types
//! (`character_device`), rights and fdflags (`fd_write`, `append`).

use crate::{J, check, check_detail, obj, trace, trace_noreturn};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// The witx name of every errno, by value (`typenames.witx`, `$errno`).
const ERRNO_NAMES: [&str; 77] = [
    "success",
    "2big",
    "acces",
    "addrinuse",
    "addrnotavail",
    "afnosupport",
    "again",
    "already",
    "badf",
    "badmsg",
    "busy",
    "canceled",
    "child",
    "connaborted",
    "connrefused",
    "connreset",
    "deadlk",
    "destaddrreq",
    "dom",
    "dquot",
    "exist",
    "fault",
    "fbig",
    "hostunreach",
    "idrm",
    "ilseq",
    "inprogress",
    "intr",
    "inval",
    "io",
    "isconn",
    "isdir",
    "loop",
    "mfile",
    "mlink",
    "msgsize",
    "multihop",
    "nametoolong",
    "netdown",
    "netreset",
    "netunreach",
    "nfile",
    "nobufs",
    "nodev",
    "noent",
    "noexec",
    "nolck",
    "nolink",
    "nomem",
    "nomsg",
    "noprotoopt",
    "nospc",
    "nosys",
    "notconn",
    "notdir",
    "notempty",
    "notrecoverable",
    "notsock",
    "notsup",
    "notty",
    "nxio",
    "overflow",
    "ownerdead",
    "perm",
    "pipe",
    "proto",
    "protonosupport",
    "prototype",
    "range",
    "rofs",
    "spipe",
    "srch",
    "stale",
    "timedout",
    "txtbsy",
    "xdev",
    "notcapable",
];

/// The witx name of `$rights` bit `i` (`typenames.witx`).
const RIGHTS_NAMES: [&str; 30] = [
    "fd_datasync",
    "fd_read",
    "fd_seek",
    "fd_fdstat_set_flags",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "fd_advise",
    "fd_allocate",
    "path_create_directory",
    "path_create_file",
    "path_link_source",
    "path_link_target",
    "path_open",
    "fd_readdir",
    "path_readlink",
    "path_rename_source",
    "path_rename_target",
    "path_filestat_get",
    "path_filestat_set_size",
    "path_filestat_set_times",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "path_symlink",
    "path_remove_directory",
    "path_unlink_file",
    "poll_fd_readwrite",
    "sock_shutdown",
    "sock_accept",
];

const FDFLAGS_NAMES: [&str; 5] = ["append", "dsync", "nonblock", "rsync", "sync"];

const FILETYPE_NAMES: [&str; 8] = [
    "unknown",
    "block_device",
    "character_device",
    "directory",
    "regular_file",
    "socket_dgram",
    "socket_stream",
    "symbolic_link",
];

const CLOCK_NAMES: [&str; 4] = [
    "realtime",
    "monotonic",
    "process_cputime_id",
    "thread_cputime_id",
];

/// Errno value -> witx name; unknown values become `"errno_<n>"`.
pub fn errno_name(e: Errno) -> String {
    let raw = e.raw() as usize;
    match ERRNO_NAMES.get(raw) {
        Some(n) => String::from(*n),
        None => crate::fmt!("errno_{raw}"),
    }
}

fn errno_raw(code: i32) -> Errno {
    // `Errno`'s field is private; go through a known constant's type.
    // SAFETY: Errno is #[repr(transparent)] over u16.
    unsafe { core::mem::transmute::<u16, Errno>(code as u16) }
}

/// Names of the bits set in `bits`, in bit order; unknown bits as `"bit<n>"`.
pub fn flag_names(bits: u64, names: &[&str]) -> J {
    let mut out = Vec::new();
    for i in 0..64 {
        if bits & (1u64 << i) != 0 {
            out.push(match names.get(i) {
                Some(n) => J::from(*n),
                None => J::from(crate::fmt!("bit{i}")),
            });
        }
    }
    J::Arr(out)
}

pub fn rights_names(bits: u64) -> J {
    flag_names(bits, &RIGHTS_NAMES)
}

pub fn fdflags_names(bits: u16) -> J {
    flag_names(bits as u64, &FDFLAGS_NAMES)
}

pub fn filetype_name(raw: u8) -> J {
    match FILETYPE_NAMES.get(raw as usize) {
        Some(n) => J::from(*n),
        None => J::from(raw),
    }
}

/// A clock id as it appears in trace args: the witx name, or the number.
pub fn clock_id_json(id: u32) -> J {
    match CLOCK_NAMES.get(id as usize) {
        Some(n) => J::from(*n),
        None => J::from(id),
    }
}

fn traced<T>(call: &str, args: J, r: &Result<T, Errno>, ret: impl FnOnce(&T) -> J) {
    match r {
        Ok(v) => trace(call, args, Ok(ret(v))),
        Err(e) => trace(call, args, Err(&errno_name(*e))),
    }
}

/// Untraced: write all of `bytes` to fd 1, looping on partial writes.
/// Used for trace lines themselves. Gives up silently on an error.
pub fn write_stdout_raw(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let iov = wasi::Ciovec {
            buf: bytes.as_ptr(),
            buf_len: bytes.len(),
        };
        match unsafe { wasi::fd_write(1, &[iov]) } {
            Ok(0) | Err(_) => return,
            Ok(n) => bytes = &bytes[n.min(bytes.len())..],
        }
    }
}

// ---------------------------------------------------------------------------
// args / environ
// ---------------------------------------------------------------------------

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
type PendingCheck = (String, bool, Option<String>);

fn report(checks: Vec<PendingCheck>) {
    for (name, ok, detail) in checks {
        check_detail(&name, ok, detail.as_deref());
    }
}

/// Shared by `args_get` / `environ_get`: allocate `count` pointers and a
/// `buf_size` buffer (both prefilled with a sentinel), call `f`, then check
/// the layout the witx doc implies: every pointer lies in the buffer, every
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
            checks.push((
                crate::fmt!("{what} pointer {i} points into the buffer"),
                false,
                None,
            ));
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
                checks.push((
                    crate::fmt!("{what} string {i} is NUL-terminated inside the buffer"),
                    false,
                    None,
                ));
                layout_ok = false;
                strings.push(buf[off..buf_size].to_vec());
            }
        }
    }
    if layout_ok {
        checks.push((
            crate::fmt!("{what} strings fill the buffer size reported by the sizes call"),
            total == buf_size,
            Some(crate::fmt!(
                "strings take {total} bytes, size was {buf_size}"
            )),
        ));
    }
    checks.push((
        crate::fmt!("{what} writes nothing past the buffer"),
        buf[buf_size] == SENTINEL,
        None,
    ));
    checks.push((
        crate::fmt!("{what} writes no more pointers than the sizes call reported"),
        ptrs[count].is_null(),
        None,
    ));
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

// ---------------------------------------------------------------------------
// clocks, random, sched, proc
// ---------------------------------------------------------------------------

/// `clock_res_get(id)` -> ret `{}` (the value is nondeterministic; check it).
/// Takes a raw id so that invalid ids can be passed.
pub fn clock_res_get(id: u32) -> Result<u64, Errno> {
    let mut out = 0u64;
    let code = unsafe {
        wasi::wasi_snapshot_preview1::clock_res_get(id as i32, &mut out as *mut u64 as i32)
    };
    let r = if code == 0 {
        Ok(out)
    } else {
        Err(errno_raw(code))
    };
    traced(
        "clock_res_get",
        obj! {"id" => clock_id_json(id)},
        &r,
        |_| obj!(),
    );
    r
}

/// `clock_time_get(id, precision)` -> ret `{}` (check the value instead).
pub fn clock_time_get(id: u32, precision: u64) -> Result<u64, Errno> {
    let mut out = 0u64;
    let code = unsafe {
        wasi::wasi_snapshot_preview1::clock_time_get(
            id as i32,
            precision as i64,
            &mut out as *mut u64 as i32,
        )
    };
    let r = if code == 0 {
        Ok(out)
    } else {
        Err(errno_raw(code))
    };
    traced(
        "clock_time_get",
        obj! {"id" => clock_id_json(id), "precision" => precision},
        &r,
        |_| obj!(),
    );
    r
}

/// `random_get(buf)`, args `{"len":n}`, ret `{}`.
pub fn random_get(buf: &mut [u8]) -> Result<(), Errno> {
    let r = unsafe { wasi::random_get(buf.as_mut_ptr(), buf.len()) };
    traced("random_get", obj! {"len" => buf.len()}, &r, |_| obj!());
    r
}

/// `sched_yield()`, ret `{}`.
pub fn sched_yield() -> Result<(), Errno> {
    let r = unsafe { wasi::sched_yield() };
    traced("sched_yield", obj!(), &r, |_| obj!());
    r
}

/// `proc_exit(rval)`: traced before the call (it does not return). If it
/// does return, a failed check is reported and the guest exits via
/// `finish()`.
pub fn proc_exit(rval: u32) -> ! {
    trace_noreturn("proc_exit", obj! {"rval" => rval});
    unsafe { wasi::proc_exit(rval) };
    check("proc_exit does not return", false);
    crate::finish();
    unreachable!()
}

// ---------------------------------------------------------------------------
// fds
// ---------------------------------------------------------------------------

/// `fd_write(fd, iovs)`: args `{"fd":fd,"iovs":[len,...]}`, ret `{"nwritten":n}`.
pub fn fd_write(fd: u32, iovs: &[&[u8]]) -> Result<usize, Errno> {
    let c: Vec<wasi::Ciovec> = iovs
        .iter()
        .map(|b| wasi::Ciovec {
            buf: b.as_ptr(),
            buf_len: b.len(),
        })
        .collect();
    let r = unsafe { wasi::fd_write(fd, &c) };
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "fd_write",
        obj! {"fd" => fd, "iovs" => lens},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// Write all of `data` to `fd` with one `fd_write` per attempt, each traced,
/// continuing after partial writes. Returns the total written; stops at the
/// first error or at a write of 0 bytes (reported as a failed check).
pub fn fd_write_all(fd: u32, data: &[u8]) -> Result<usize, Errno> {
    let mut done = 0;
    while done < data.len() {
        match fd_write(fd, &[&data[done..]])? {
            0 => {
                check("fd_write of a non-empty buffer makes progress", false);
                break;
            }
            n => done += n.min(data.len() - done),
        }
    }
    Ok(done)
}

/// Write all the bytes of `iovs` to `fd`, in order, continuing after
/// partial writes: each attempt is one traced `fd_write` of the iovecs not
/// yet (fully) written, the partly written one trimmed. fd_write may write
/// less than asked ("similar to `writev` in POSIX"), and runtimes differ
/// here (some write only the first non-empty iovec per call), so the number
/// of calls is runtime-dependent; the bytes that arrive are not.
/// Returns the total written; stops at the first error or a write of 0.
pub fn fd_write_all_iovs(fd: u32, iovs: &[&[u8]]) -> Result<usize, Errno> {
    let total: usize = iovs.iter().map(|b| b.len()).sum();
    let mut rest: Vec<&[u8]> = iovs.to_vec();
    let mut done = 0;
    loop {
        let n = fd_write(fd, &rest)?;
        done += n;
        if done >= total {
            return Ok(done);
        }
        if n == 0 {
            check("fd_write of a non-empty iovec array makes progress", false);
            return Ok(done);
        }
        // Drop what was written.
        let mut skip = n;
        let mut next = Vec::new();
        for b in rest {
            if skip >= b.len() {
                skip -= b.len();
            } else {
                next.push(&b[skip..]);
                skip = 0;
            }
        }
        rest = next;
    }
}

/// `fd_read(fd, [len])`: args `{"fd":fd,"iovs":[len]}`, ret `{"nread":n}`.
pub fn fd_read(fd: u32, buf: &mut [u8]) -> Result<usize, Errno> {
    let iov = wasi::Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: buf.len(),
    };
    let r = unsafe { wasi::fd_read(fd, &[iov]) };
    traced(
        "fd_read",
        obj! {"fd" => fd, "iovs" => vec![buf.len()]},
        &r,
        |n| obj! {"nread" => *n},
    );
    r
}

/// How much of an `fdstat` to print in the trace.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FdstatDetail {
    /// ret `{"filetype":name}`.
    Filetype,
    /// ret `{"filetype","flags","rights_base","rights_inheriting"}` with the
    /// flag/right names (witx) that are set.
    Full,
}

/// `fd_fdstat_get(fd)`.
pub fn fd_fdstat_get(fd: u32, detail: FdstatDetail) -> Result<wasi::Fdstat, Errno> {
    let r = unsafe { wasi::fd_fdstat_get(fd) };
    traced("fd_fdstat_get", obj! {"fd" => fd}, &r, |s| {
        let ft = filetype_name(s.fs_filetype.raw());
        match detail {
            FdstatDetail::Filetype => obj! {"filetype" => ft},
            FdstatDetail::Full => obj! {
                "filetype" => ft,
                "flags" => fdflags_names(s.fs_flags),
                "rights_base" => rights_names(s.fs_rights_base),
                "rights_inheriting" => rights_names(s.fs_rights_inheriting),
            },
        }
    });
    r
}
