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
    /// ret `{"filetype":name,"flags":[...]}` (no rights).
    Flags,
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
            FdstatDetail::Flags => obj! {"filetype" => ft, "flags" => fdflags_names(s.fs_flags)},
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

// ---------------------------------------------------------------------------
// Every other preview1 function. These wrappers take raw integers (flags,
// enums, rights) so that guests can pass values the witx does not define;
// the trace shows the witx names of defined values and numbers otherwise.
// ---------------------------------------------------------------------------

use wasi::wasi_snapshot_preview1 as raw;

fn res(code: i32) -> Result<(), Errno> {
    if code == 0 { Ok(()) } else { Err(errno_raw(code)) }
}

const ADVICE_NAMES: [&str; 6] = [
    "normal",
    "sequential",
    "random",
    "willneed",
    "dontneed",
    "noreuse",
];
const WHENCE_NAMES: [&str; 3] = ["set", "cur", "end"];
const OFLAGS_NAMES: [&str; 4] = ["creat", "directory", "excl", "trunc"];
const LOOKUP_NAMES: [&str; 1] = ["symlink_follow"];
const FSTFLAGS_NAMES: [&str; 4] = ["atim", "atim_now", "mtim", "mtim_now"];
const RIFLAGS_NAMES: [&str; 2] = ["recv_peek", "recv_waitall"];
const SDFLAGS_NAMES: [&str; 2] = ["rd", "wr"];
const SUBCLOCK_NAMES: [&str; 1] = ["subscription_clock_abstime"];
const EVENTTYPE_NAMES: [&str; 3] = ["clock", "fd_read", "fd_write"];
const SIGNAL_NAMES: [&str; 31] = [
    "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv",
    "usr2", "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu",
    "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys",
];

/// Every right the witx defines except the two socket rights: what a
/// preopened directory can hand on to files and directories.
pub const RIGHTS_ALL: u64 = (1 << 28) - 1;
/// wasi-libc's rights for `O_RDONLY`: everything but the writing rights.
pub const RIGHTS_READ: u64 = RIGHTS_ALL
    & !(wasi::RIGHTS_FD_DATASYNC
        | wasi::RIGHTS_FD_WRITE
        | wasi::RIGHTS_FD_ALLOCATE
        | wasi::RIGHTS_FD_FILESTAT_SET_SIZE);
/// wasi-libc's rights for `O_WRONLY`: everything but the reading rights.
pub const RIGHTS_WRITE: u64 = RIGHTS_ALL & !(wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_READDIR);

fn enum_name(raw: u32, names: &[&str]) -> J {
    match names.get(raw as usize) {
        Some(n) => J::from(*n),
        None => J::from(raw),
    }
}

/// A rights set in trace args: `"all"`, `"read"`, `"write"` for the sets
/// above, otherwise the list of right names.
pub fn rights_json(bits: u64) -> J {
    match bits {
        RIGHTS_ALL => J::from("all"),
        RIGHTS_READ => J::from("read"),
        RIGHTS_WRITE => J::from("write"),
        _ => rights_names(bits),
    }
}

pub fn signal_name(sig: u32) -> J {
    enum_name(sig, &SIGNAL_NAMES)
}

/// The deterministic part of a filestat: the type, and for non-directories
/// the size and link count (a directory's size and link count are the host
/// file system's business).
pub fn filestat_json(s: &wasi::Filestat) -> J {
    let mut j = obj! {"filetype" => filetype_name(s.filetype.raw())};
    if s.filetype != wasi::FILETYPE_DIRECTORY {
        j = j.with("size", s.size).with("nlink", s.nlink);
    }
    j
}

/// `fd_advise(fd, offset, len, advice)`, ret `{}`.
pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_advise(fd as i32, offset as i64, len as i64, advice as i32) });
    traced(
        "fd_advise",
        obj! {"fd" => fd, "offset" => offset, "len" => len, "advice" => enum_name(advice, &ADVICE_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_allocate(fd, offset, len)`, ret `{}`.
pub fn fd_allocate(fd: u32, offset: u64, len: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_allocate(fd as i32, offset as i64, len as i64) });
    traced("fd_allocate", obj! {"fd" => fd, "offset" => offset, "len" => len}, &r, |_| obj!());
    r
}

/// `fd_close(fd)`, ret `{}`.
pub fn fd_close(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_close(fd as i32) });
    traced("fd_close", obj! {"fd" => fd}, &r, |_| obj!());
    r
}

/// `fd_datasync(fd)`, ret `{}`.
pub fn fd_datasync(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_datasync(fd as i32) });
    traced("fd_datasync", obj! {"fd" => fd}, &r, |_| obj!());
    r
}

/// `fd_sync(fd)`, ret `{}`.
pub fn fd_sync(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_sync(fd as i32) });
    traced("fd_sync", obj! {"fd" => fd}, &r, |_| obj!());
    r
}

/// `fd_fdstat_set_flags(fd, flags)`, ret `{}`.
pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_fdstat_set_flags(fd as i32, flags as i32) });
    traced(
        "fd_fdstat_set_flags",
        obj! {"fd" => fd, "flags" => flag_names(flags as u64, &FDFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`, ret `{}`.
pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_fdstat_set_rights(fd as i32, base as i64, inheriting as i64) });
    traced(
        "fd_fdstat_set_rights",
        obj! {"fd" => fd, "rights_base" => rights_json(base), "rights_inheriting" => rights_json(inheriting)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_filestat_get(fd)`, ret [`filestat_json`].
pub fn fd_filestat_get(fd: u32) -> Result<wasi::Filestat, Errno> {
    let r = unsafe { wasi::fd_filestat_get(fd) };
    traced("fd_filestat_get", obj! {"fd" => fd}, &r, filestat_json);
    r
}

/// `fd_filestat_set_size(fd, size)`, ret `{}`.
pub fn fd_filestat_set_size(fd: u32, size: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_filestat_set_size(fd as i32, size as i64) });
    traced("fd_filestat_set_size", obj! {"fd" => fd, "size" => size}, &r, |_| obj!());
    r
}

/// `fd_filestat_set_times(fd, atim, mtim, fst_flags)`, ret `{}`.
pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::fd_filestat_set_times(fd as i32, atim as i64, mtim as i64, flags as i32)
    });
    traced(
        "fd_filestat_set_times",
        obj! {"fd" => fd, "atim" => atim, "mtim" => mtim, "fst_flags" => flag_names(flags as u64, &FSTFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

fn iovec_array(bufs: &mut [Vec<u8>]) -> Vec<wasi::Iovec> {
    bufs.iter_mut()
        .map(|b| wasi::Iovec {
            buf: b.as_mut_ptr(),
            buf_len: b.len(),
        })
        .collect()
}

fn ciovec_array(bufs: &[&[u8]]) -> Vec<wasi::Ciovec> {
    bufs.iter()
        .map(|b| wasi::Ciovec {
            buf: b.as_ptr(),
            buf_len: b.len(),
        })
        .collect()
}

/// Concatenates the first `n` bytes of `bufs`.
fn gather(bufs: &[Vec<u8>], mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for b in bufs {
        let k = n.min(b.len());
        out.extend_from_slice(&b[..k]);
        n -= k;
    }
    out
}

/// `fd_read(fd, iovs)` into buffers of the given lengths: args
/// `{"fd","iovs":[len,...]}`, ret `{"nread":n,"data":bytes}`.
pub fn fd_read_iovs(fd: u32, lens: &[usize]) -> Result<Vec<u8>, Errno> {
    let mut bufs: Vec<Vec<u8>> = lens.iter().map(|&l| vec![0u8; l]).collect();
    let iovs = iovec_array(&mut bufs);
    let r = unsafe { wasi::fd_read(fd, &iovs) }.map(|n| gather(&bufs, n));
    traced(
        "fd_read",
        obj! {"fd" => fd, "iovs" => lens.to_vec()},
        &r,
        |d| obj! {"nread" => d.len(), "data" => J::bytes(d)},
    );
    r
}

/// `fd_pread(fd, iovs, offset)`: ret `{"nread":n,"data":bytes}`.
pub fn fd_pread(fd: u32, lens: &[usize], offset: u64) -> Result<Vec<u8>, Errno> {
    let mut bufs: Vec<Vec<u8>> = lens.iter().map(|&l| vec![0u8; l]).collect();
    let iovs = iovec_array(&mut bufs);
    let r = unsafe { wasi::fd_pread(fd, &iovs, offset) }.map(|n| gather(&bufs, n));
    traced(
        "fd_pread",
        obj! {"fd" => fd, "iovs" => lens.to_vec(), "offset" => offset},
        &r,
        |d| obj! {"nread" => d.len(), "data" => J::bytes(d)},
    );
    r
}

/// `fd_pwrite(fd, iovs, offset)`: ret `{"nwritten":n}`.
pub fn fd_pwrite(fd: u32, iovs: &[&[u8]], offset: u64) -> Result<usize, Errno> {
    let c = ciovec_array(iovs);
    let r = unsafe { wasi::fd_pwrite(fd, &c, offset) };
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "fd_pwrite",
        obj! {"fd" => fd, "iovs" => lens, "offset" => offset},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// `fd_prestat_get(fd)`: ret `{"tag":"dir","name_len":n}`.
pub fn fd_prestat_get(fd: u32) -> Result<u32, Errno> {
    let mut out = [0u32; 2];
    let r = res(unsafe { raw::fd_prestat_get(fd as i32, out.as_mut_ptr() as i32) });
    let r = r.map(|()| out);
    traced("fd_prestat_get", obj! {"fd" => fd}, &r, |p| {
        let tag = p[0] & 0xff;
        obj! {"tag" => if tag == 0 { J::from("dir") } else { J::from(tag) }, "name_len" => p[1]}
    });
    r.map(|p| p[1])
}

/// `fd_prestat_dir_name(fd, len)` into a buffer of `len` bytes (plus a
/// sentinel byte, checked): ret `{"name":bytes}` (the first `len` bytes).
pub fn fd_prestat_dir_name(fd: u32, len: usize) -> Result<Vec<u8>, Errno> {
    const SENTINEL: u8 = 0xA5;
    let mut buf = vec![SENTINEL; len + 1];
    let r = res(unsafe { raw::fd_prestat_dir_name(fd as i32, buf.as_mut_ptr() as i32, len as i32) })
        .map(|()| buf[..len].to_vec());
    traced(
        "fd_prestat_dir_name",
        obj! {"fd" => fd, "len" => len},
        &r,
        |n| obj! {"name" => J::bytes(n)},
    );
    if r.is_ok() {
        check("fd_prestat_dir_name writes nothing past its buffer", buf[len] == SENTINEL);
    }
    r
}

/// One entry of an `fd_readdir` buffer.
#[derive(Clone, Debug)]
pub struct Dirent {
    pub next: u64,
    pub ino: u64,
    pub filetype: u8,
    pub name: Vec<u8>,
}

/// Splits an `fd_readdir` buffer into its complete entries; the bool says
/// whether bytes of an incomplete last entry follow.
pub fn parse_dirents(buf: &[u8]) -> (Vec<Dirent>, bool) {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        if buf.len() - at < 24 {
            return (out, true);
        }
        let u64_at = |o: usize| u64::from_le_bytes(buf[o..o + 8].try_into().unwrap());
        let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
        if buf.len() - at - 24 < namlen {
            return (out, true);
        }
        out.push(Dirent {
            next: u64_at(at),
            ino: u64_at(at + 8),
            filetype: buf[at + 20],
            name: buf[at + 24..at + 24 + namlen].to_vec(),
        });
        at += 24 + namlen;
    }
    (out, false)
}

fn dirent_json(d: &Dirent) -> J {
    obj! {"name" => J::bytes(&d.name), "type" => filetype_name(d.filetype)}
}

/// One raw `fd_readdir(fd, buf_len, cookie)`: args `{"fd","buf_len","cookie"}`
/// (the cookie as `cookie_json`, so a cookie the host chose can be shown by
/// name), ret `{"bufused":n,"entries":[{"name","type"},...],"partial":bool}`:
/// the complete entries in the order returned, and whether the buffer ends
/// in part of another one.
pub fn fd_readdir(fd: u32, buf_len: usize, cookie: u64, cookie_json: J) -> Result<(Vec<Dirent>, usize), Errno> {
    let mut buf = vec![0u8; buf_len];
    let r = unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), buf_len, cookie) };
    let r = r.map(|used| {
        let (entries, partial) = parse_dirents(&buf[..used.min(buf_len)]);
        (entries, used, partial)
    });
    traced(
        "fd_readdir",
        obj! {"fd" => fd, "buf_len" => buf_len, "cookie" => cookie_json},
        &r,
        |(e, used, partial)| {
            obj! {"bufused" => *used, "entries" => J::Arr(e.iter().map(dirent_json).collect()), "partial" => *partial}
        },
    );
    r.map(|(e, used, _)| (e, used))
}

/// The whole listing of a directory, read as wasi-libc's `readdir` does:
/// `fd_readdir` calls of `buf_len` bytes (doubled while not one entry
/// fits), each resuming at the `d_next` of the last complete entry, until
/// a call returns less than a full buffer. The calls are not traced one by
/// one (their number and cookies depend on the host's order); one line is:
/// call `fd_readdir`, args `{"fd","buf_len","all":true}`, ret
/// `{"entries":[{"name","type"},...]}` **sorted by name, without `.` and
/// `..`** (their presence is unspecified; a check says both or neither
/// appeared). Ends with a failed check after 1000 calls.
pub fn readdir_all(fd: u32, buf_len: usize) -> Result<Vec<Dirent>, Errno> {
    let mut all: Vec<Dirent> = Vec::new();
    let mut cookie = 0u64;
    let mut len = buf_len.max(1);
    let mut result = Ok(());
    let mut calls = 0;
    loop {
        calls += 1;
        if calls > 1000 {
            check("fd_readdir listing ends within 1000 calls", false);
            break;
        }
        let mut buf = vec![0u8; len];
        match unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), len, cookie) } {
            Err(e) => {
                result = Err(e);
                break;
            }
            Ok(used) => {
                let used = used.min(len);
                let (entries, _) = parse_dirents(&buf[..used]);
                if used < len {
                    all.extend(entries);
                    break;
                }
                match entries.last() {
                    None => len *= 2,
                    Some(last) => {
                        cookie = last.next;
                        all.extend(entries);
                    }
                }
            }
        }
    }
    let dots = all.iter().filter(|d| d.name == b"." || d.name == b"..").count();
    let mut names: Vec<Dirent> = all
        .into_iter()
        .filter(|d| d.name != b"." && d.name != b"..")
        .collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let r = result.map(|()| names);
    traced(
        "fd_readdir",
        obj! {"fd" => fd, "buf_len" => buf_len, "all" => true},
        &r,
        |e| obj! {"entries" => J::Arr(e.iter().map(dirent_json).collect())},
    );
    if r.is_ok() {
        check("fd_readdir lists both . and .. or neither", dots == 0 || dots == 2);
        let mut dup = false;
        if let Ok(v) = &r {
            for w in v.windows(2) {
                dup |= w[0].name == w[1].name;
            }
        }
        check("fd_readdir lists each name once", !dup);
    }
    r
}

/// `fd_renumber(fd, to)`, ret `{}`.
pub fn fd_renumber(fd: u32, to: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_renumber(fd as i32, to as i32) });
    traced("fd_renumber", obj! {"fd" => fd, "to" => to}, &r, |_| obj!());
    r
}

/// `fd_seek(fd, offset, whence)`: ret `{"offset":n}`.
pub fn fd_seek(fd: u32, offset: i64, whence: u32) -> Result<u64, Errno> {
    let mut out = 0u64;
    let r = res(unsafe {
        raw::fd_seek(fd as i32, offset, whence as i32, &mut out as *mut u64 as i32)
    })
    .map(|()| out);
    traced(
        "fd_seek",
        obj! {"fd" => fd, "offset" => offset, "whence" => enum_name(whence, &WHENCE_NAMES)},
        &r,
        |n| obj! {"offset" => *n},
    );
    r
}

/// `fd_tell(fd)`: ret `{"offset":n}`.
pub fn fd_tell(fd: u32) -> Result<u64, Errno> {
    let r = unsafe { wasi::fd_tell(fd) };
    traced("fd_tell", obj! {"fd" => fd}, &r, |n| obj! {"offset" => *n});
    r
}

/// `path_create_directory(fd, path)`, ret `{}`.
pub fn path_create_directory(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_create_directory(fd as i32, path.as_ptr() as i32, path.len() as i32)
    });
    traced(
        "path_create_directory",
        obj! {"fd" => fd, "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_filestat_get(fd, flags, path)`: ret [`filestat_json`].
pub fn path_filestat_get(fd: u32, flags: u32, path: &[u8]) -> Result<wasi::Filestat, Errno> {
    let mut out = core::mem::MaybeUninit::<wasi::Filestat>::zeroed();
    let r = res(unsafe {
        raw::path_filestat_get(
            fd as i32,
            flags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            out.as_mut_ptr() as i32,
        )
    })
    .map(|()| unsafe { out.assume_init() });
    traced(
        "path_filestat_get",
        obj! {"fd" => fd, "flags" => flag_names(flags as u64, &LOOKUP_NAMES), "path" => J::bytes(path)},
        &r,
        filestat_json,
    );
    r
}

/// `path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)`, ret `{}`.
pub fn path_filestat_set_times(
    fd: u32,
    flags: u32,
    path: &[u8],
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_filestat_set_times(
            fd as i32,
            flags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            atim as i64,
            mtim as i64,
            fst_flags as i32,
        )
    });
    traced(
        "path_filestat_set_times",
        obj! {"fd" => fd, "flags" => flag_names(flags as u64, &LOOKUP_NAMES), "path" => J::bytes(path),
              "atim" => atim, "mtim" => mtim, "fst_flags" => flag_names(fst_flags as u64, &FSTFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`, ret `{}`.
pub fn path_link(old_fd: u32, old_flags: u32, old_path: &[u8], new_fd: u32, new_path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_link(
            old_fd as i32,
            old_flags as i32,
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            new_fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_link",
        obj! {"old_fd" => old_fd, "old_flags" => flag_names(old_flags as u64, &LOOKUP_NAMES),
              "old_path" => J::bytes(old_path), "new_fd" => new_fd, "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting,
/// fdflags)`: ret `{"fd":n}`.
#[allow(clippy::too_many_arguments)]
pub fn path_open(
    fd: u32,
    dirflags: u32,
    path: &[u8],
    oflags: u32,
    base: u64,
    inheriting: u64,
    fdflags: u32,
) -> Result<u32, Errno> {
    let mut out = 0u32;
    let r = res(unsafe {
        raw::path_open(
            fd as i32,
            dirflags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            oflags as i32,
            base as i64,
            inheriting as i64,
            fdflags as i32,
            &mut out as *mut u32 as i32,
        )
    })
    .map(|()| out);
    traced(
        "path_open",
        obj! {"fd" => fd, "dirflags" => flag_names(dirflags as u64, &LOOKUP_NAMES), "path" => J::bytes(path),
              "oflags" => flag_names(oflags as u64, &OFLAGS_NAMES), "rights_base" => rights_json(base),
              "rights_inheriting" => rights_json(inheriting), "fdflags" => flag_names(fdflags as u64, &FDFLAGS_NAMES)},
        &r,
        |n| obj! {"fd" => *n},
    );
    r
}

/// `path_readlink(fd, path, buf_len)` into a buffer of `buf_len` bytes
/// (plus a checked sentinel): ret `{"bufused":n,"target":bytes}`.
pub fn path_readlink(fd: u32, path: &[u8], buf_len: usize) -> Result<Vec<u8>, Errno> {
    const SENTINEL: u8 = 0xA5;
    let mut buf = vec![SENTINEL; buf_len + 1];
    let mut used = 0usize;
    let r = res(unsafe {
        raw::path_readlink(
            fd as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            buf.as_mut_ptr() as i32,
            buf_len as i32,
            &mut used as *mut usize as i32,
        )
    })
    .map(|()| buf[..used.min(buf_len)].to_vec());
    traced(
        "path_readlink",
        obj! {"fd" => fd, "path" => J::bytes(path), "buf_len" => buf_len},
        &r,
        |t| obj! {"bufused" => used, "target" => J::bytes(t)},
    );
    if r.is_ok() {
        check("path_readlink bufused is at most buf_len", used <= buf_len);
        check("path_readlink writes nothing past its buffer", buf[buf_len] == SENTINEL);
    }
    r
}

/// `path_remove_directory(fd, path)`, ret `{}`.
pub fn path_remove_directory(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_remove_directory(fd as i32, path.as_ptr() as i32, path.len() as i32)
    });
    traced(
        "path_remove_directory",
        obj! {"fd" => fd, "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_rename(fd, old_path, new_fd, new_path)`, ret `{}`.
pub fn path_rename(fd: u32, old_path: &[u8], new_fd: u32, new_path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_rename(
            fd as i32,
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            new_fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_rename",
        obj! {"fd" => fd, "old_path" => J::bytes(old_path), "new_fd" => new_fd, "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_symlink(old_path, fd, new_path)`, ret `{}`.
pub fn path_symlink(old_path: &[u8], fd: u32, new_path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_symlink(
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_symlink",
        obj! {"old_path" => J::bytes(old_path), "fd" => fd, "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_unlink_file(fd, path)`, ret `{}`.
pub fn path_unlink_file(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_unlink_file(fd as i32, path.as_ptr() as i32, path.len() as i32)
    });
    traced(
        "path_unlink_file",
        obj! {"fd" => fd, "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}

/// One `poll_oneoff` subscription, with raw values so that undefined tags,
/// clock ids and flags can be passed.
#[derive(Clone, Copy, Debug)]
pub enum Sub {
    /// tag 0: (userdata, clock id, timeout, precision, subclockflags)
    Clock(u64, u32, u64, u64, u16),
    /// tag 1: (userdata, fd)
    Read(u64, u32),
    /// tag 2: (userdata, fd)
    Write(u64, u32),
    /// any other tag: (userdata, tag)
    Tag(u64, u8),
}

fn sub_json(s: &Sub) -> J {
    match *s {
        Sub::Clock(u, id, timeout, precision, flags) => obj! {
            "userdata" => u, "type" => "clock", "id" => clock_id_json(id), "timeout" => timeout,
            "precision" => precision, "flags" => flag_names(flags as u64, &SUBCLOCK_NAMES)},
        Sub::Read(u, fd) => obj! {"userdata" => u, "type" => "fd_read", "fd" => fd},
        Sub::Write(u, fd) => obj! {"userdata" => u, "type" => "fd_write", "fd" => fd},
        Sub::Tag(u, tag) => obj! {"userdata" => u, "type" => tag},
    }
}

/// One event of `poll_oneoff`.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub kind: u8,
    pub nbytes: u64,
    pub flags: u16,
}

/// `poll_oneoff(subs)`: args `{"subscriptions":[...]}`, ret
/// `{"nevents":n,"events":[{"userdata","type","error"}...]}` **sorted by
/// userdata** (the order of events is not specified); with `nbytes` also
/// each fd event's `nbytes` and `flags`.
pub fn poll_oneoff(subs: &[Sub], nbytes: bool) -> Result<Vec<Event>, Errno> {
    // 48-byte subscriptions, 32-byte events, 8-byte aligned.
    let mut input = vec![0u64; subs.len() * 6];
    for (i, s) in subs.iter().enumerate() {
        let w = &mut input[i * 6..i * 6 + 6];
        let (u, tag) = match *s {
            Sub::Clock(u, ..) => (u, 0u8),
            Sub::Read(u, _) => (u, 1),
            Sub::Write(u, _) => (u, 2),
            Sub::Tag(u, t) => (u, t),
        };
        w[0] = u;
        w[1] = tag as u64;
        match *s {
            Sub::Clock(_, id, timeout, precision, flags) => {
                w[2] = id as u64;
                w[3] = timeout;
                w[4] = precision;
                w[5] = flags as u64;
            }
            Sub::Read(_, fd) | Sub::Write(_, fd) => w[2] = fd as u64,
            Sub::Tag(..) => {}
        }
    }
    let mut output = vec![0u64; subs.len().max(1) * 4];
    let mut n = 0usize;
    let r = res(unsafe {
        raw::poll_oneoff(
            input.as_ptr() as i32,
            output.as_mut_ptr() as i32,
            subs.len() as i32,
            &mut n as *mut usize as i32,
        )
    })
    .map(|()| {
        let mut events: Vec<Event> = (0..n.min(subs.len()))
            .map(|i| {
                let w = &output[i * 4..i * 4 + 4];
                Event {
                    userdata: w[0],
                    error: (w[1] & 0xffff) as u16,
                    kind: ((w[1] >> 16) & 0xff) as u8,
                    nbytes: w[2],
                    flags: (w[3] & 0xffff) as u16,
                }
            })
            .collect();
        events.sort_by_key(|e| e.userdata);
        events
    });
    traced(
        "poll_oneoff",
        obj! {"subscriptions" => J::Arr(subs.iter().map(sub_json).collect())},
        &r,
        |events| {
            let list = events
                .iter()
                .map(|e| {
                    let mut j = obj! {"userdata" => e.userdata, "type" => enum_name(e.kind as u32, &EVENTTYPE_NAMES),
                                      "error" => errno_name(errno_raw(e.error as i32))};
                    if nbytes && e.kind != 0 {
                        j = j.with("nbytes", e.nbytes).with("flags", flag_names(e.flags as u64, &["fd_readwrite_hangup"]));
                    }
                    j
                })
                .collect();
            obj! {"nevents" => n, "events" => J::Arr(list)}
        },
    );
    if r.is_ok() {
        check("poll_oneoff reports at most one event per subscription", n <= subs.len());
    }
    r
}

/// `proc_raise(sig)`, ret `{}`.
pub fn proc_raise(sig: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::proc_raise(sig as i32) });
    traced("proc_raise", obj! {"sig" => signal_name(sig)}, &r, |_| obj!());
    r
}

/// `sock_accept(fd, flags)`: ret `{"fd":n}`.
pub fn sock_accept(fd: u32, flags: u32) -> Result<u32, Errno> {
    let mut out = 0u32;
    let r = res(unsafe { raw::sock_accept(fd as i32, flags as i32, &mut out as *mut u32 as i32) })
        .map(|()| out);
    traced(
        "sock_accept",
        obj! {"fd" => fd, "flags" => flag_names(flags as u64, &FDFLAGS_NAMES)},
        &r,
        |n| obj! {"fd" => *n},
    );
    r
}

/// `sock_recv(fd, [len], flags)`: ret `{"nread":n,"roflags":[...]}`.
pub fn sock_recv(fd: u32, len: usize, flags: u32) -> Result<usize, Errno> {
    let mut buf = vec![0u8; len];
    let iov = wasi::Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: len,
    };
    let mut nread = 0usize;
    let mut roflags = 0u16;
    let r = res(unsafe {
        raw::sock_recv(
            fd as i32,
            &iov as *const wasi::Iovec as i32,
            1,
            flags as i32,
            &mut nread as *mut usize as i32,
            &mut roflags as *mut u16 as i32,
        )
    })
    .map(|()| nread);
    traced(
        "sock_recv",
        obj! {"fd" => fd, "iovs" => vec![len], "flags" => flag_names(flags as u64, &RIFLAGS_NAMES)},
        &r,
        |n| obj! {"nread" => *n, "roflags" => flag_names(roflags as u64, &["recv_data_truncated"])},
    );
    r
}

/// `sock_send(fd, iovs, flags)`: ret `{"nwritten":n}`.
pub fn sock_send(fd: u32, iovs: &[&[u8]], flags: u32) -> Result<usize, Errno> {
    let c = ciovec_array(iovs);
    let mut n = 0usize;
    let r = res(unsafe {
        raw::sock_send(fd as i32, c.as_ptr() as i32, c.len() as i32, flags as i32, &mut n as *mut usize as i32)
    })
    .map(|()| n);
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "sock_send",
        obj! {"fd" => fd, "iovs" => lens, "flags" => flags},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// `sock_shutdown(fd, how)`, ret `{}`.
pub fn sock_shutdown(fd: u32, how: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::sock_shutdown(fd as i32, how as i32) });
    traced(
        "sock_shutdown",
        obj! {"fd" => fd, "how" => flag_names(how as u64, &SDFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// fdflags in trace form: the names of the set flags.
pub fn fdflags_json(bits: u32) -> J {
    flag_names(bits as u64, &FDFLAGS_NAMES)
}
