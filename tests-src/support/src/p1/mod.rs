//! Traced wrappers around raw `wasi_snapshot_preview1` calls (the `wasi`
//! 0.11 crate). Each wrapper makes exactly one raw call, prints its trace
//! line, and returns the raw result.
//!
//! Names in trace lines are the witx names: function names
//! (`fd_write`), errno names (`badf`), clock ids (`realtime`), file types
//! (`character_device`), rights and fdflags (`fd_write`, `append`).
//!
//! Most wrappers take raw integers (flags, enums, rights) so that guests can
//! pass values the witx does not define; the trace shows the witx names of
//! defined values and numbers otherwise.
//!
//! A descriptor argument is printed with [`fd_label`]: a descriptor that was
//! a preopen at start-up shows as its name (`"$sandbox"`), any other as its
//! number, so traces do not depend on how a runtime numbers its preopens
//! (see [`preopens`]).
//!
//! The wrappers are grouped by concern in the submodules below and all
//! re-exported here, so callers use `p1::<name>` whatever file defines it.

use crate::{J, trace};
use wasi::Errno;
use wasi::wasi_snapshot_preview1 as raw;

mod dir;
mod env;
mod fd;
mod names;
mod path;
mod poll;
mod preopen;
mod proc;
mod sock;

pub use dir::{Dirent, fd_readdir, parse_dirents, readdir_all};
pub use env::{args_get, args_sizes_get, environ_get, environ_sizes_get};
pub use fd::{
    FdstatDetail, fd_advise, fd_allocate, fd_close, fd_datasync, fd_fdstat_get,
    fd_fdstat_set_flags, fd_fdstat_set_rights, fd_filestat_get, fd_filestat_set_size,
    fd_filestat_set_times, fd_pread, fd_prestat_dir_name, fd_prestat_get, fd_pwrite, fd_read,
    fd_read_iovs, fd_renumber, fd_seek, fd_sync, fd_tell, fd_write, fd_write_all,
    fd_write_all_iovs,
};
pub use names::{
    RIGHTS_ALL, RIGHTS_NAMES, RIGHTS_READ, RIGHTS_WRITE, clock_id_json, errno_name, fdflags_json,
    fdflags_names, filestat_json, filetype_name, flag_names, rights_json, rights_names,
    signal_name,
};
pub use path::{
    path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_open,
    path_readlink, path_remove_directory, path_rename, path_symlink, path_unlink_file,
};
pub use poll::{Event, Sub, poll_oneoff};
pub use preopen::{
    fd_label, preopen, preopen_label, preopen_named, preopens, preopens_summary, strip_prefixes,
};
pub use proc::{clock_res_get, clock_time_get, proc_exit, proc_raise, random_get, sched_yield};
pub use sock::{sock_accept, sock_recv, sock_send, sock_shutdown};

/// Prints the trace line of a call that returned `r`: `ret(value)` on
/// success, the errno's witx name on failure.
fn traced<T>(call: &str, args: J, r: &Result<T, Errno>, ret: impl FnOnce(&T) -> J) {
    match r {
        Ok(v) => trace(call, args, Ok(ret(v))),
        Err(e) => trace(call, args, Err(&errno_name(*e))),
    }
}

/// A raw call's return code as a result.
fn res(code: i32) -> Result<(), Errno> {
    if code == 0 {
        Ok(())
    } else {
        Err(names::errno_raw(code))
    }
}

/// Untraced: write all of `bytes` to fd 1, looping on partial writes.
/// Used for trace lines themselves. Waits out `again`; gives up silently
/// on any other error.
pub fn write_stdout_raw(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let iov = wasi::Ciovec {
            buf: bytes.as_ptr(),
            buf_len: bytes.len(),
        };
        match unsafe { wasi::fd_write(1, &[iov]) } {
            // A host whose stdout pipe is non-blocking (Node.js) answers
            // `again` while the pipe is full: the trace waits for the reader.
            Err(wasi::ERRNO_AGAIN) => {
                // SAFETY: sched_yield takes no arguments.
                let _ = unsafe { wasi::sched_yield() };
            }
            Ok(0) | Err(_) => return,
            Ok(n) => bytes = &bytes[n.min(bytes.len())..],
        }
    }
}
