//! Witx names of errnos, flags, enums and rights, and the JSON forms trace lines give them.

use crate::{J, obj};
use alloc::string::String;
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
pub const RIGHTS_NAMES: [&str; 30] = [
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

pub(super) const FDFLAGS_NAMES: [&str; 5] = ["append", "dsync", "nonblock", "rsync", "sync"];

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

pub(super) fn errno_raw(code: i32) -> Errno {
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

pub(super) const ADVICE_NAMES: [&str; 6] = [
    "normal",
    "sequential",
    "random",
    "willneed",
    "dontneed",
    "noreuse",
];
pub(super) const WHENCE_NAMES: [&str; 3] = ["set", "cur", "end"];
pub(super) const OFLAGS_NAMES: [&str; 4] = ["creat", "directory", "excl", "trunc"];
pub(super) const LOOKUP_NAMES: [&str; 1] = ["symlink_follow"];
pub(super) const FSTFLAGS_NAMES: [&str; 4] = ["atim", "atim_now", "mtim", "mtim_now"];
pub(super) const RIFLAGS_NAMES: [&str; 2] = ["recv_peek", "recv_waitall"];
pub(super) const SDFLAGS_NAMES: [&str; 2] = ["rd", "wr"];
pub(super) const SUBCLOCK_NAMES: [&str; 1] = ["subscription_clock_abstime"];
pub(super) const EVENTTYPE_NAMES: [&str; 3] = ["clock", "fd_read", "fd_write"];
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

pub(super) fn enum_name(raw: u32, names: &[&str]) -> J {
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

/// fdflags in trace form: the names of the set flags.
pub fn fdflags_json(bits: u32) -> J {
    flag_names(bits as u64, &FDFLAGS_NAMES)
}
