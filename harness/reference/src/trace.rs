//! A `System` decorator that records every call, like wasi-go's tracer:
//! `fd_write(1, [5]) => success`.

use crate::errno::Errno;
use crate::system::{Exit, System};
use crate::types::{
    Advice, Clockid, Dircookie, Event, Fd, Fdflags, Fdstat, Filesize, Filestat, Fstflags,
    Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal, Subscription,
    SubscriptionKind, Timestamp, Whence,
};

/// One recorded call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The witx function name.
    pub name: &'static str,
    /// The arguments, comma separated (paths quoted, buffers as their lengths).
    pub args: String,
    /// The errno the call returned (`Success` when it succeeded).
    pub result: Errno,
}

impl std::fmt::Display for CallRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({}) => {}", self.name, self.args, self.result)
    }
}

/// Wraps any `System`, delegating every call and recording it.
pub struct Traced<S: System> {
    inner: S,
    calls: Vec<CallRecord>,
}

impl<S: System> Traced<S> {
    /// Starts tracing `inner` with an empty record.
    pub fn new(inner: S) -> Self {
        Traced {
            inner,
            calls: Vec::new(),
        }
    }

    /// The calls so far, in order.
    pub fn calls(&self) -> &[CallRecord] {
        &self.calls
    }

    /// The wrapped system.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The wrapped system, mutably (calls made through it are not recorded).
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the system, dropping the record.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn record<T>(
        &mut self,
        name: &'static str,
        args: String,
        r: Result<T, Errno>,
    ) -> Result<T, Errno> {
        let result = match &r {
            Ok(_) => Errno::Success,
            Err(e) => *e,
        };
        self.calls.push(CallRecord { name, args, result });
        r
    }
}

fn lens(iovs: &[&[u8]]) -> String {
    let lens: Vec<String> = iovs.iter().map(|b| b.len().to_string()).collect();
    format!("[{}]", lens.join(", "))
}

fn subscriptions(subs: &[Subscription]) -> String {
    let items: Vec<String> = subs
        .iter()
        .map(|s| match s.kind {
            SubscriptionKind::Clock {
                id, timeout, flags, ..
            } => {
                format!("clock({id}, {timeout}, {flags})")
            }
            SubscriptionKind::FdRead(fd) => format!("fd_read({fd})"),
            SubscriptionKind::FdWrite(fd) => format!("fd_write({fd})"),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Delegates to `self.inner.$method(..)` and records `$name(args) => errno`.
macro_rules! traced {
    ($self:ident, $method:ident($($arg:expr),*), $fmt:literal $(, $farg:expr)*) => {{
        let args = format!($fmt $(, $farg)*);
        let r = $self.inner.$method($($arg),*);
        $self.record(stringify!($method), args, r)
    }};
}

impl<S: System> System for Traced<S> {
    fn args_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        traced!(self, args_get(), "")
    }
    fn args_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        traced!(self, args_sizes_get(), "")
    }
    fn environ_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        traced!(self, environ_get(), "")
    }
    fn environ_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        traced!(self, environ_sizes_get(), "")
    }
    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp, Errno> {
        traced!(self, clock_res_get(id), "{id}")
    }
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp, Errno> {
        traced!(self, clock_time_get(id, precision), "{id}, {precision}")
    }
    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Errno> {
        traced!(
            self,
            fd_advise(fd, offset, len, advice),
            "{fd}, {offset}, {len}, {advice}"
        )
    }
    fn fd_allocate(&mut self, fd: Fd, offset: Filesize, len: Filesize) -> Result<(), Errno> {
        traced!(self, fd_allocate(fd, offset, len), "{fd}, {offset}, {len}")
    }
    fn fd_close(&mut self, fd: Fd) -> Result<(), Errno> {
        traced!(self, fd_close(fd), "{fd}")
    }
    fn fd_datasync(&mut self, fd: Fd) -> Result<(), Errno> {
        traced!(self, fd_datasync(fd), "{fd}")
    }
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Errno> {
        traced!(self, fd_fdstat_get(fd), "{fd}")
    }
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<(), Errno> {
        traced!(self, fd_fdstat_set_flags(fd, flags), "{fd}, {flags}")
    }
    fn fd_fdstat_set_rights(
        &mut self,
        fd: Fd,
        base: Rights,
        inheriting: Rights,
    ) -> Result<(), Errno> {
        traced!(
            self,
            fd_fdstat_set_rights(fd, base, inheriting),
            "{fd}, {:#x}, {:#x}",
            base.0,
            inheriting.0
        )
    }
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Errno> {
        traced!(self, fd_filestat_get(fd), "{fd}")
    }
    fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Errno> {
        traced!(self, fd_filestat_set_size(fd, size), "{fd}, {size}")
    }
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<(), Errno> {
        traced!(
            self,
            fd_filestat_set_times(fd, atim, mtim, flags),
            "{fd}, {atim}, {mtim}, {flags}"
        )
    }
    fn fd_pread(&mut self, fd: Fd, len: usize, offset: Filesize) -> Result<Vec<u8>, Errno> {
        traced!(self, fd_pread(fd, len, offset), "{fd}, {len}, {offset}")
    }
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Errno> {
        traced!(self, fd_prestat_get(fd), "{fd}")
    }
    fn fd_prestat_dir_name(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, Errno> {
        traced!(self, fd_prestat_dir_name(fd, len), "{fd}, {len}")
    }
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[&[u8]], offset: Filesize) -> Result<u32, Errno> {
        traced!(
            self,
            fd_pwrite(fd, iovs, offset),
            "{fd}, {}, {offset}",
            lens(iovs)
        )
    }
    fn fd_read(&mut self, fd: Fd, len: usize) -> Result<Vec<u8>, Errno> {
        traced!(self, fd_read(fd, len), "{fd}, {len}")
    }
    fn fd_readdir(&mut self, fd: Fd, len: u32, cookie: Dircookie) -> Result<Vec<u8>, Errno> {
        traced!(self, fd_readdir(fd, len, cookie), "{fd}, {len}, {cookie}")
    }
    fn fd_renumber(&mut self, fd: Fd, to: Fd) -> Result<(), Errno> {
        traced!(self, fd_renumber(fd, to), "{fd}, {to}")
    }
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<Filesize, Errno> {
        traced!(
            self,
            fd_seek(fd, offset, whence),
            "{fd}, {offset}, {whence}"
        )
    }
    fn fd_sync(&mut self, fd: Fd) -> Result<(), Errno> {
        traced!(self, fd_sync(fd), "{fd}")
    }
    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Errno> {
        traced!(self, fd_tell(fd), "{fd}")
    }
    fn fd_write(&mut self, fd: Fd, iovs: &[&[u8]]) -> Result<u32, Errno> {
        traced!(self, fd_write(fd, iovs), "{fd}, {}", lens(iovs))
    }
    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        traced!(self, path_create_directory(fd, path), "{fd}, {path:?}")
    }
    fn path_filestat_get(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
    ) -> Result<Filestat, Errno> {
        traced!(
            self,
            path_filestat_get(fd, flags, path),
            "{fd}, {flags}, {path:?}"
        )
    }
    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<(), Errno> {
        traced!(
            self,
            path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags),
            "{fd}, {flags}, {path:?}, {atim}, {mtim}, {fst_flags}"
        )
    }
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        traced!(
            self,
            path_link(old_fd, old_flags, old_path, new_fd, new_path),
            "{old_fd}, {old_flags}, {old_path:?}, {new_fd}, {new_path:?}"
        )
    }
    fn path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd, Errno> {
        traced!(
            self,
            path_open(
                fd,
                dirflags,
                path,
                oflags,
                rights_base,
                rights_inheriting,
                fdflags
            ),
            "{fd}, {dirflags}, {path:?}, {oflags}, {:#x}, {:#x}, {fdflags}",
            rights_base.0,
            rights_inheriting.0
        )
    }
    fn path_readlink(&mut self, fd: Fd, path: &str, len: u32) -> Result<Vec<u8>, Errno> {
        traced!(self, path_readlink(fd, path, len), "{fd}, {path:?}, {len}")
    }
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        traced!(self, path_remove_directory(fd, path), "{fd}, {path:?}")
    }
    fn path_rename(
        &mut self,
        fd: Fd,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        traced!(
            self,
            path_rename(fd, old_path, new_fd, new_path),
            "{fd}, {old_path:?}, {new_fd}, {new_path:?}"
        )
    }
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<(), Errno> {
        traced!(
            self,
            path_symlink(old_path, fd, new_path),
            "{old_path:?}, {fd}, {new_path:?}"
        )
    }
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        traced!(self, path_unlink_file(fd, path), "{fd}, {path:?}")
    }
    fn poll_oneoff(&mut self, subs: &[Subscription]) -> Result<Vec<Event>, Errno> {
        traced!(self, poll_oneoff(subs), "{}", subscriptions(subs))
    }
    fn proc_exit(&mut self, rval: u32) -> Exit {
        let exit = self.inner.proc_exit(rval);
        self.calls.push(CallRecord {
            name: "proc_exit",
            args: rval.to_string(),
            result: Errno::Success,
        });
        exit
    }
    fn proc_raise(&mut self, sig: Signal) -> Result<(), Errno> {
        traced!(self, proc_raise(sig), "{sig}")
    }
    fn sched_yield(&mut self) -> Result<(), Errno> {
        traced!(self, sched_yield(), "")
    }
    fn random_get(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        let len = buf.len();
        traced!(self, random_get(buf), "{len}")
    }
    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd, Errno> {
        traced!(self, sock_accept(fd, flags), "{fd}, {flags}")
    }
    fn sock_recv(
        &mut self,
        fd: Fd,
        len: usize,
        flags: Riflags,
    ) -> Result<(Vec<u8>, Roflags), Errno> {
        traced!(self, sock_recv(fd, len, flags), "{fd}, {len}, {flags}")
    }
    fn sock_send(&mut self, fd: Fd, iovs: &[&[u8]], flags: Siflags) -> Result<u32, Errno> {
        traced!(
            self,
            sock_send(fd, iovs, flags),
            "{fd}, {}, {flags}",
            lens(iovs)
        )
    }
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<(), Errno> {
        traced!(self, sock_shutdown(fd, how), "{fd}, {how}")
    }
}
