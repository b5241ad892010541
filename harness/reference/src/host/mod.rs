//! `ReferenceHost`: the reference preview1 semantics over `MemFs`, a
//! descriptor table, in-memory stdio, the virtual clock and a seeded PRNG.
//!
//! Checks run in a fixed order: the descriptor exists (`badf`), it has a
//! type the call applies to (the POSIX errno for that mismatch), it holds
//! the rights the call needs (`notcapable`), then the arguments.
//!
//! This file holds the host's state, its descriptor lookups and the `System`
//! impl, which hands each call to the method of the same name in the
//! submodule for its concern.

mod descriptors;
mod directories;
mod files;
mod paths;
mod poll;
mod process;
mod sockets;

use std::collections::BTreeMap;
use std::io;

use crate::clock::VirtualClock;
use crate::errno::Errno;
use crate::memfs::{MemFs, Resolved};
use crate::rng::SplitMix64;
use crate::snapshot::Snapshot;
use crate::system::{Exit, System};
use crate::types::{
    Advice, Clockid, Dircookie, Event, Fd, Fdflags, Fdstat, Filesize, Filestat, Filetype, Fstflags,
    Inode, Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal,
    Subscription, Timestamp, Whence,
};

/// How a run starts.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// argv, including argv[0].
    pub args: Vec<String>,
    /// Environment, each becoming `key=value`.
    pub env: Vec<(String, String)>,
    /// What fd 0 reads.
    pub stdin: Vec<u8>,
    /// The filesystem the run starts with ([`MemFs::load_dir`] loads a real
    /// directory; the default is an empty root).
    pub fs: MemFs,
    /// (guest path, directory relative to the root of `fs`, "." = root), as fds 3, 4, ...
    pub preopens: Vec<(String, String)>,
    /// Seed of `random_get`.
    pub seed: u64,
    /// Bytes kept of stdout and of stderr each; the rest is dropped.
    pub output_cap: usize,
}

/// Rights that apply to a regular file.
pub const FILE_RIGHTS: Rights = Rights(
    Rights::FD_DATASYNC.0
        | Rights::FD_READ.0
        | Rights::FD_SEEK.0
        | Rights::FD_FDSTAT_SET_FLAGS.0
        | Rights::FD_SYNC.0
        | Rights::FD_TELL.0
        | Rights::FD_WRITE.0
        | Rights::FD_ADVISE.0
        | Rights::FD_ALLOCATE.0
        | Rights::FD_FILESTAT_GET.0
        | Rights::FD_FILESTAT_SET_SIZE.0
        | Rights::FD_FILESTAT_SET_TIMES.0
        | Rights::POLL_FD_READWRITE.0,
);

/// Rights that apply to a directory.
pub const DIR_RIGHTS: Rights = Rights(
    Rights::FD_DATASYNC.0
        | Rights::FD_FDSTAT_SET_FLAGS.0
        | Rights::FD_SYNC.0
        | Rights::PATH_CREATE_DIRECTORY.0
        | Rights::PATH_CREATE_FILE.0
        | Rights::PATH_LINK_SOURCE.0
        | Rights::PATH_LINK_TARGET.0
        | Rights::PATH_OPEN.0
        | Rights::FD_READDIR.0
        | Rights::PATH_READLINK.0
        | Rights::PATH_RENAME_SOURCE.0
        | Rights::PATH_RENAME_TARGET.0
        | Rights::PATH_FILESTAT_GET.0
        | Rights::PATH_FILESTAT_SET_SIZE.0
        | Rights::PATH_FILESTAT_SET_TIMES.0
        | Rights::FD_FILESTAT_GET.0
        | Rights::FD_FILESTAT_SET_TIMES.0
        | Rights::PATH_SYMLINK.0
        | Rights::PATH_REMOVE_DIRECTORY.0
        | Rights::PATH_UNLINK_FILE.0,
);

/// Rights common to the stdio character devices (RATIONALE.md, "Why these stdio rights?").
const STDIO_RIGHTS: Rights =
    Rights(Rights::FD_FDSTAT_SET_FLAGS.0 | Rights::FD_FILESTAT_GET.0 | Rights::POLL_FD_READWRITE.0);

/// Open descriptors beyond this many give `mfile`.
pub const MAX_FDS: usize = 1 << 16;

/// What a descriptor refers to.
#[derive(Clone, Debug)]
enum Object {
    Stdin,
    Stdout,
    Stderr,
    File { ino: Inode, pos: u64 },
    Dir { ino: Inode, preopen: Option<String> },
}

/// An open descriptor.
#[derive(Clone, Debug)]
struct Desc {
    object: Object,
    flags: Fdflags,
    base: Rights,
    inheriting: Rights,
}

impl Desc {
    /// `notcapable` unless every right in `rights` is held (RATIONALE.md,
    /// "Why enforce rights with `notcapable`?").
    fn require(&self, rights: Rights) -> Result<(), Errno> {
        if self.base.contains(rights) {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }

    fn filetype(&self) -> Filetype {
        match self.object {
            Object::Stdin | Object::Stdout | Object::Stderr => Filetype::CharacterDevice,
            Object::File { .. } => Filetype::RegularFile,
            Object::Dir { .. } => Filetype::Directory,
        }
    }
}

/// The reference preview1 host.
pub struct ReferenceHost {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Vec<u8>,
    stdin_pos: usize,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    output_cap: usize,
    truncated: bool,
    clock: VirtualClock,
    rng: SplitMix64,
    fs: MemFs,
    fds: BTreeMap<Fd, Desc>,
}

impl ReferenceHost {
    /// Builds the host: opens stdio as fds 0-2 and the preopens from 3. A
    /// missing preopen directory is an error.
    pub fn new(config: Config) -> io::Result<Self> {
        let fs = config.fs;
        let stdio = |object, rights: Rights| Desc {
            object,
            flags: Fdflags::EMPTY,
            base: rights | STDIO_RIGHTS,
            inheriting: Rights::EMPTY,
        };
        let mut fds = BTreeMap::from([
            (0, stdio(Object::Stdin, Rights::FD_READ)),
            (1, stdio(Object::Stdout, Rights::FD_WRITE)),
            (2, stdio(Object::Stderr, Rights::FD_WRITE)),
        ]);
        for (i, (guest, dir)) in config.preopens.iter().enumerate() {
            let ino = match fs.resolve(MemFs::ROOT, dir, true) {
                Ok(Resolved { ino: Some(ino), .. }) if fs.is_dir(ino) => ino,
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("preopen {guest:?}: {dir:?} is not a directory under the root"),
                    ));
                }
            };
            let desc = Desc {
                object: Object::Dir {
                    ino,
                    preopen: Some(guest.clone()),
                },
                flags: Fdflags::EMPTY,
                base: DIR_RIGHTS,
                inheriting: DIR_RIGHTS | FILE_RIGHTS,
            };
            fds.insert(3 + i as Fd, desc);
        }
        Ok(ReferenceHost {
            args: config.args.into_iter().map(String::into_bytes).collect(),
            env: config
                .env
                .into_iter()
                .map(|(k, v)| format!("{k}={v}").into_bytes())
                .collect(),
            stdin: config.stdin,
            stdin_pos: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            output_cap: config.output_cap,
            truncated: false,
            clock: VirtualClock::default(),
            rng: SplitMix64::new(config.seed),
            fs,
            fds,
        })
    }

    /// What the guest wrote to fd 1 (up to the cap).
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    /// What the guest wrote to fd 2 (up to the cap).
    pub fn stderr(&self) -> &[u8] {
        &self.stderr
    }

    /// Whether stdout or stderr hit `output_cap` and lost bytes.
    pub fn output_truncated(&self) -> bool {
        self.truncated
    }

    /// The whole filesystem, from the root.
    pub fn snapshot(&self) -> Snapshot {
        self.fs.snapshot()
    }

    /// A timestamp for a filesystem change: reading realtime advances the
    /// clock (RATIONALE.md, "Why do filesystem timestamps come from the virtual clock?").
    fn now(&mut self) -> Timestamp {
        self.clock.read(Clockid::Realtime)
    }

    fn desc(&self, fd: Fd) -> Result<&Desc, Errno> {
        self.fds.get(&fd).ok_or(Errno::Badf)
    }

    fn desc_mut(&mut self, fd: Fd) -> Result<&mut Desc, Errno> {
        self.fds.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// A regular file's inode, checked for `rights`. A directory is
    /// `dir_errno`, a character device `spipe` (RATIONALE.md, "Why these
    /// errnos for calls on the wrong kind of descriptor?").
    fn file(&self, fd: Fd, rights: Rights, dir_errno: Errno) -> Result<Inode, Errno> {
        let desc = self.desc(fd)?;
        match desc.object {
            Object::File { ino, .. } => desc.require(rights).map(|()| ino),
            Object::Dir { .. } => Err(dir_errno),
            _ => Err(Errno::Spipe),
        }
    }

    /// A directory's inode, checked for `rights`; anything else is `notdir`
    /// (like `openat` with a non-directory fd).
    fn dir(&self, fd: Fd, rights: Rights) -> Result<Inode, Errno> {
        let desc = self.desc(fd)?;
        match desc.object {
            Object::Dir { ino, .. } => desc.require(rights).map(|()| ino),
            _ => Err(Errno::Notdir),
        }
    }

    /// The inode of a file or directory descriptor, checked for `rights`;
    /// stdio is `stdio_errno`.
    fn node(&self, fd: Fd, rights: Rights, stdio_errno: Errno) -> Result<Inode, Errno> {
        let desc = self.desc(fd)?;
        match desc.object {
            Object::File { ino, .. } | Object::Dir { ino, .. } => {
                desc.require(rights).map(|()| ino)
            }
            _ => Err(stdio_errno),
        }
    }
}

impl System for ReferenceHost {
    fn args_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        ReferenceHost::args_get(self)
    }

    fn args_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        ReferenceHost::args_sizes_get(self)
    }

    fn environ_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        ReferenceHost::environ_get(self)
    }

    fn environ_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        ReferenceHost::environ_sizes_get(self)
    }

    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp, Errno> {
        ReferenceHost::clock_res_get(self, id)
    }

    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp, Errno> {
        ReferenceHost::clock_time_get(self, id, precision)
    }

    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Errno> {
        ReferenceHost::fd_advise(self, fd, offset, len, advice)
    }

    fn fd_allocate(&mut self, fd: Fd, offset: Filesize, len: Filesize) -> Result<(), Errno> {
        ReferenceHost::fd_allocate(self, fd, offset, len)
    }

    fn fd_close(&mut self, fd: Fd) -> Result<(), Errno> {
        ReferenceHost::fd_close(self, fd)
    }

    fn fd_datasync(&mut self, fd: Fd) -> Result<(), Errno> {
        ReferenceHost::fd_datasync(self, fd)
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Errno> {
        ReferenceHost::fd_fdstat_get(self, fd)
    }

    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<(), Errno> {
        ReferenceHost::fd_fdstat_set_flags(self, fd, flags)
    }

    fn fd_fdstat_set_rights(
        &mut self,
        fd: Fd,
        base: Rights,
        inheriting: Rights,
    ) -> Result<(), Errno> {
        ReferenceHost::fd_fdstat_set_rights(self, fd, base, inheriting)
    }

    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Errno> {
        ReferenceHost::fd_filestat_get(self, fd)
    }

    fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Errno> {
        ReferenceHost::fd_filestat_set_size(self, fd, size)
    }

    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<(), Errno> {
        ReferenceHost::fd_filestat_set_times(self, fd, atim, mtim, flags)
    }

    fn fd_pread(&mut self, fd: Fd, len: usize, offset: Filesize) -> Result<Vec<u8>, Errno> {
        ReferenceHost::fd_pread(self, fd, len, offset)
    }

    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Errno> {
        ReferenceHost::fd_prestat_get(self, fd)
    }

    fn fd_prestat_dir_name(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, Errno> {
        ReferenceHost::fd_prestat_dir_name(self, fd, len)
    }

    fn fd_pwrite(&mut self, fd: Fd, iovs: &[&[u8]], offset: Filesize) -> Result<u32, Errno> {
        ReferenceHost::fd_pwrite(self, fd, iovs, offset)
    }

    fn fd_read(&mut self, fd: Fd, len: usize) -> Result<Vec<u8>, Errno> {
        ReferenceHost::fd_read(self, fd, len)
    }

    fn fd_readdir(&mut self, fd: Fd, len: u32, cookie: Dircookie) -> Result<Vec<u8>, Errno> {
        ReferenceHost::fd_readdir(self, fd, len, cookie)
    }

    fn fd_renumber(&mut self, fd: Fd, to: Fd) -> Result<(), Errno> {
        ReferenceHost::fd_renumber(self, fd, to)
    }

    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<Filesize, Errno> {
        ReferenceHost::fd_seek(self, fd, offset, whence)
    }

    fn fd_sync(&mut self, fd: Fd) -> Result<(), Errno> {
        ReferenceHost::fd_sync(self, fd)
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Errno> {
        ReferenceHost::fd_tell(self, fd)
    }

    fn fd_write(&mut self, fd: Fd, iovs: &[&[u8]]) -> Result<u32, Errno> {
        ReferenceHost::fd_write(self, fd, iovs)
    }

    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        ReferenceHost::path_create_directory(self, fd, path)
    }

    fn path_filestat_get(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
    ) -> Result<Filestat, Errno> {
        ReferenceHost::path_filestat_get(self, fd, flags, path)
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
        ReferenceHost::path_filestat_set_times(self, fd, flags, path, atim, mtim, fst_flags)
    }

    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        ReferenceHost::path_link(self, old_fd, old_flags, old_path, new_fd, new_path)
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
        ReferenceHost::path_open(
            self,
            fd,
            dirflags,
            path,
            oflags,
            rights_base,
            rights_inheriting,
            fdflags,
        )
    }

    fn path_readlink(&mut self, fd: Fd, path: &str, len: u32) -> Result<Vec<u8>, Errno> {
        ReferenceHost::path_readlink(self, fd, path, len)
    }

    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        ReferenceHost::path_remove_directory(self, fd, path)
    }

    fn path_rename(
        &mut self,
        fd: Fd,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        ReferenceHost::path_rename(self, fd, old_path, new_fd, new_path)
    }

    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<(), Errno> {
        ReferenceHost::path_symlink(self, old_path, fd, new_path)
    }

    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        ReferenceHost::path_unlink_file(self, fd, path)
    }

    fn poll_oneoff(&mut self, subscriptions: &[Subscription]) -> Result<Vec<Event>, Errno> {
        ReferenceHost::poll_oneoff(self, subscriptions)
    }

    fn proc_exit(&mut self, rval: u32) -> Exit {
        ReferenceHost::proc_exit(self, rval)
    }

    fn proc_raise(&mut self, sig: Signal) -> Result<(), Errno> {
        ReferenceHost::proc_raise(self, sig)
    }

    fn sched_yield(&mut self) -> Result<(), Errno> {
        ReferenceHost::sched_yield(self)
    }

    fn random_get(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        ReferenceHost::random_get(self, buf)
    }

    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd, Errno> {
        ReferenceHost::sock_accept(self, fd, flags)
    }

    fn sock_recv(
        &mut self,
        fd: Fd,
        len: usize,
        flags: Riflags,
    ) -> Result<(Vec<u8>, Roflags), Errno> {
        ReferenceHost::sock_recv(self, fd, len, flags)
    }

    fn sock_send(&mut self, fd: Fd, iovs: &[&[u8]], flags: Siflags) -> Result<u32, Errno> {
        ReferenceHost::sock_send(self, fd, iovs, flags)
    }

    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<(), Errno> {
        ReferenceHost::sock_shutdown(self, fd, how)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const RW: Rights = FILE_RIGHTS;
    pub(super) const FOLLOW: Lookupflags = Lookupflags::SYMLINK_FOLLOW;
    pub(super) const NOFOLLOW: Lookupflags = Lookupflags::EMPTY;

    pub(super) fn host() -> ReferenceHost {
        let config = Config {
            preopens: vec![("/sandbox".into(), ".".into())],
            output_cap: 1024,
            ..Config::default()
        };
        ReferenceHost::new(config).unwrap()
    }

    pub(super) fn open(
        h: &mut ReferenceHost,
        path: &str,
        oflags: Oflags,
        base: Rights,
    ) -> Result<Fd, Errno> {
        h.path_open(3, FOLLOW, path, oflags, base, Rights::EMPTY, Fdflags::EMPTY)
    }

    pub(super) fn create(h: &mut ReferenceHost, path: &str, content: &[u8]) {
        let fd = open(h, path, Oflags::CREAT, RW).unwrap();
        assert_eq!(h.fd_write(fd, &[content]), Ok(content.len() as u32));
        h.fd_close(fd).unwrap();
    }

    #[test]
    fn load_dir_and_preopen_subdir() {
        use std::os::unix::fs::symlink;
        let dir = std::env::temp_dir().join(format!("wasi-conform-host-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sandbox/sub")).unwrap();
        std::fs::write(dir.join("sandbox/a.txt"), b"hello").unwrap();
        std::fs::hard_link(dir.join("sandbox/a.txt"), dir.join("sandbox/sub/hard")).unwrap();
        symlink("../../canary", dir.join("sandbox/escape")).unwrap();
        std::fs::write(dir.join("canary"), b"secret").unwrap();
        let config = Config {
            fs: MemFs::load_dir(&dir).unwrap(),
            preopens: vec![("/sandbox".into(), "sandbox".into())],
            ..Config::default()
        };
        let mut h = ReferenceHost::new(config).unwrap();
        let expected = Snapshot::of_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(h.snapshot(), expected);
        let a = h.path_filestat_get(3, FOLLOW, "a.txt").unwrap();
        let hard = h.path_filestat_get(3, FOLLOW, "sub/hard").unwrap();
        assert_eq!((a.ino, a.nlink), (hard.ino, 2));
        assert_eq!(h.path_filestat_get(3, FOLLOW, "escape"), Err(Errno::Perm));
        assert_eq!(
            h.path_readlink(3, "escape", 64),
            Ok(b"../../canary".to_vec())
        );
        let bad = Config {
            preopens: vec![("/x".into(), "nope".into())],
            ..Config::default()
        };
        assert!(ReferenceHost::new(bad).is_err());
    }
}
