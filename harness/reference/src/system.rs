//! The preview1 semantics as one Rust trait: one method per witx function,
//! Rust-typed arguments, no guest memory (that is `abi_p1`'s job).
//!
//! Flags and enums arrive already validated (unknown bits and values are
//! rejected with `inval` by the ABI layer). Buffers the guest hands in are
//! plain slices; buffers the guest wants filled come back as `Vec<u8>` no
//! longer than the length asked for, and the ABI layer scatters them.

use crate::errno::Errno;
use crate::types::{
    Advice, Clockid, Dircookie, Event, Fd, Fdflags, Fdstat, Filesize, Filestat, Fstflags,
    Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal, Subscription,
    Timestamp, Whence,
};

/// What `proc_exit` hands back: the ABI layer turns it into an exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit(pub u32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "proc_exit({})", self.0)
    }
}

/// An exit unwinds out of the guest as an error (the ABI layers return it).
impl std::error::Error for Exit {}

/// One method per preview1 function, in witx order. Object safe.
pub trait System {
    /// `args_get`: the arguments, each without its `\0` terminator.
    fn args_get(&mut self) -> Result<Vec<Vec<u8>>, Errno>;
    /// `args_sizes_get`: (number of arguments, bytes of argument data including the `\0`s).
    fn args_sizes_get(&mut self) -> Result<(u32, u32), Errno>;
    /// `environ_get`: `key=value` entries, each without its `\0` terminator.
    fn environ_get(&mut self) -> Result<Vec<Vec<u8>>, Errno>;
    /// `environ_sizes_get`: (number of entries, bytes of entry data including the `\0`s).
    fn environ_sizes_get(&mut self) -> Result<(u32, u32), Errno>;
    /// `clock_res_get`: non-zero for supported clocks, `inval` otherwise.
    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp, Errno>;
    /// `clock_time_get`: the time value of a clock (like `clock_gettime`).
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp, Errno>;
    /// `fd_advise`: file advisory information (like `posix_fadvise`).
    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Errno>;
    /// `fd_allocate`: force allocation of space (like `posix_fallocate`).
    fn fd_allocate(&mut self, fd: Fd, offset: Filesize, len: Filesize) -> Result<(), Errno>;
    /// `fd_close`: close a descriptor (like `close`).
    fn fd_close(&mut self, fd: Fd) -> Result<(), Errno>;
    /// `fd_datasync`: synchronize file data (like `fdatasync`).
    fn fd_datasync(&mut self, fd: Fd) -> Result<(), Errno>;
    /// `fd_fdstat_get`: descriptor attributes.
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Errno>;
    /// `fd_fdstat_set_flags`: adjust descriptor flags (like `fcntl(F_SETFL)`).
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<(), Errno>;
    /// `fd_fdstat_set_rights`: only removes rights; adding any is `notcapable`.
    fn fd_fdstat_set_rights(
        &mut self,
        fd: Fd,
        base: Rights,
        inheriting: Rights,
    ) -> Result<(), Errno>;
    /// `fd_filestat_get`: attributes of an open file.
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Errno>;
    /// `fd_filestat_set_size`: resize, zero-filling growth (like `ftruncate`).
    fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Errno>;
    /// `fd_filestat_set_times`: adjust timestamps (like `futimens`).
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<(), Errno>;
    /// `fd_pread`: read up to `len` bytes at `offset` without moving the offset (like `preadv`).
    fn fd_pread(&mut self, fd: Fd, len: usize, offset: Filesize) -> Result<Vec<u8>, Errno>;
    /// `fd_prestat_get`: description of a preopened descriptor.
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Errno>;
    /// `fd_prestat_dir_name`: the preopen's name, to fit a buffer of `len` bytes.
    fn fd_prestat_dir_name(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, Errno>;
    /// `fd_pwrite`: write at `offset` without moving the offset (like `pwritev`).
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[&[u8]], offset: Filesize) -> Result<u32, Errno>;
    /// `fd_read`: read up to `len` bytes (like `readv`).
    fn fd_read(&mut self, fd: Fd, len: usize) -> Result<Vec<u8>, Errno>;
    /// `fd_readdir`: `dirent`s with names from `cookie`, at most `len` bytes,
    /// the last entry possibly truncated; fewer than `len` bytes means the end.
    fn fd_readdir(&mut self, fd: Fd, len: u32, cookie: Dircookie) -> Result<Vec<u8>, Errno>;
    /// `fd_renumber`: atomically replace `to` by `fd`.
    fn fd_renumber(&mut self, fd: Fd, to: Fd) -> Result<(), Errno>;
    /// `fd_seek`: move the offset (like `lseek`).
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<Filesize, Errno>;
    /// `fd_sync`: synchronize data and metadata (like `fsync`).
    fn fd_sync(&mut self, fd: Fd) -> Result<(), Errno>;
    /// `fd_tell`: the current offset (like `lseek(fd, 0, SEEK_CUR)`).
    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Errno>;
    /// `fd_write`: write (like `writev`).
    fn fd_write(&mut self, fd: Fd, iovs: &[&[u8]]) -> Result<u32, Errno>;
    /// `path_create_directory`: like `mkdirat`.
    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno>;
    /// `path_filestat_get`: like `stat`.
    fn path_filestat_get(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
    ) -> Result<Filestat, Errno>;
    /// `path_filestat_set_times`: like `utimensat`.
    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<(), Errno>;
    /// `path_link`: create a hard link (like `linkat`).
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno>;
    /// `path_open`: open a file or directory (like `openat`).
    #[allow(clippy::too_many_arguments)]
    fn path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd, Errno>;
    /// `path_readlink`: a symlink's contents, at most `len` bytes (like `readlinkat`).
    fn path_readlink(&mut self, fd: Fd, path: &str, len: u32) -> Result<Vec<u8>, Errno>;
    /// `path_remove_directory`: `notempty` if not empty (like `unlinkat(AT_REMOVEDIR)`).
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno>;
    /// `path_rename`: like `renameat`.
    fn path_rename(
        &mut self,
        fd: Fd,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno>;
    /// `path_symlink`: create a symlink holding `old_path` (like `symlinkat`).
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<(), Errno>;
    /// `path_unlink_file`: `isdir` for a directory (like `unlinkat(fd, path, 0)`).
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<(), Errno>;
    /// `poll_oneoff`: wait for subscriptions; the events that occurred.
    fn poll_oneoff(&mut self, subscriptions: &[Subscription]) -> Result<Vec<Event>, Errno>;
    /// `proc_exit`: terminate normally with `rval`.
    fn proc_exit(&mut self, rval: u32) -> Exit;
    /// `proc_raise`: send a signal to the process (like `raise`).
    fn proc_raise(&mut self, sig: Signal) -> Result<(), Errno>;
    /// `sched_yield`: yield the thread.
    fn sched_yield(&mut self) -> Result<(), Errno>;
    /// `random_get`: fill `buf` with random bytes.
    fn random_get(&mut self, buf: &mut [u8]) -> Result<(), Errno>;
    /// `sock_accept`: accept a connection (like `accept`).
    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd, Errno>;
    /// `sock_recv`: receive up to `len` bytes (like `recv`).
    fn sock_recv(
        &mut self,
        fd: Fd,
        len: usize,
        flags: Riflags,
    ) -> Result<(Vec<u8>, Roflags), Errno>;
    /// `sock_send`: send (like `send`).
    fn sock_send(&mut self, fd: Fd, iovs: &[&[u8]], flags: Siflags) -> Result<u32, Errno>;
    /// `sock_shutdown`: shut down channels (like `shutdown`).
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<(), Errno>;
}
