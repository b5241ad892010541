//! `ReferenceHost`: the reference preview1 semantics over `MemFs`, a
//! descriptor table, in-memory stdio, the virtual clock and a seeded PRNG.
//!
//! Checks run in a fixed order: the descriptor exists (`badf`), it has a
//! type the call applies to (the POSIX errno for that mismatch), it holds
//! the rights the call needs (`notcapable`), then the arguments.

use std::collections::BTreeMap;
use std::io;

use crate::clock::{self, VirtualClock};
use crate::errno::Errno;
use crate::memfs::{MemFs, Node, Resolved};
use crate::rng::SplitMix64;
use crate::snapshot::Snapshot;
use crate::system::{Exit, System};
use crate::types::{
    Advice, Clockid, Dircookie, Dirent, Event, Eventrwflags, Eventtype, Fd, Fdflags, Fdstat,
    Filesize, Filestat, Filetype, Fstflags, Inode, Lookupflags, Oflags, Prestat, Riflags, Rights,
    Roflags, Sdflags, Siflags, Signal, Subclockflags, Subscription, SubscriptionKind, Timestamp,
    Whence,
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

    /// The preopen name of `fd`; `badf` for any other descriptor
    /// (RATIONALE.md, "Why `badf` from fd_prestat_get on a non-preopen?").
    fn preopen(&self, fd: Fd) -> Result<&str, Errno> {
        match &self.desc(fd)?.object {
            Object::Dir {
                preopen: Some(name),
                ..
            } => Ok(name),
            _ => Err(Errno::Badf),
        }
    }

    /// Stores `desc` under the lowest free number (RATIONALE.md, "Why may
    /// preopens be closed and renumbered?").
    fn insert_fd(&mut self, desc: Desc) -> Result<Fd, Errno> {
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        let fd = (0..)
            .zip(self.fds.keys())
            .find(|(i, fd)| i != *fd)
            .map_or(self.fds.len() as Fd, |(i, _)| i);
        self.fds.insert(fd, desc);
        Ok(fd)
    }

    /// Releases an unlinked file's content once no descriptor holds it.
    fn forget_if_unused(&mut self, ino: Inode) {
        let held = self
            .fds
            .values()
            .any(|d| matches!(d.object, Object::File { ino: i, .. } if i == ino));
        if !held {
            self.fs.forget(ino);
        }
    }

    /// Sets atim/mtim per `fst_flags`; both a value and `_now` for the
    /// same timestamp is `inval` (RATIONALE.md, "Why `inval` for ATIM with ATIM_NOW?").
    fn set_times(
        &mut self,
        ino: Inode,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<(), Errno> {
        let now = self.now();
        let data = self.fs.get_mut(ino);
        if flags.contains(Fstflags::ATIM_NOW) {
            data.atim = now;
        } else if flags.contains(Fstflags::ATIM) {
            data.atim = atim;
        }
        if flags.contains(Fstflags::MTIM_NOW) {
            data.mtim = now;
        } else if flags.contains(Fstflags::MTIM) {
            data.mtim = mtim;
        }
        data.ctim = now;
        Ok(())
    }

    /// A directory that was removed accepts no new entries (`noent`, as POSIX).
    fn check_alive(&self, dir: Inode) -> Result<(), Errno> {
        if self.fs.get(dir).nlink == 0 {
            Err(Errno::Noent)
        } else {
            Ok(())
        }
    }

    /// Adds a new entry `name -> ino` in `dir`, stamping the directory.
    fn add_entry(&mut self, dir: Inode, name: &str, ino: Inode) {
        let now = self.now();
        self.fs.insert_entry(dir, name, ino);
        self.fs.touch(dir, now);
        self.fs.get_mut(ino).ctim = now;
    }

    /// Resolves `path` for creating an entry: anything already there
    /// (even a dangling symlink, even with a trailing `/`) is `exist`
    /// (RATIONALE.md, "Why `exist` for mkdir, symlink and link onto any existing name?"). A trailing `/` on a new name is
    /// `noent` unless `dir_ok` (only directories may have one).
    fn resolve_new(&self, dir: Inode, path: &str, dir_ok: bool) -> Result<(Inode, String), Errno> {
        let trimmed = path.trim_end_matches('/');
        let trailing_slash = trimmed.len() < path.len() && !trimmed.is_empty();
        let r = self
            .fs
            .resolve(dir, if trailing_slash { trimmed } else { path }, false)?;
        match (r.ino, r.name) {
            (Some(_), _) | (_, None) => Err(Errno::Exist),
            (None, _) if trailing_slash && !dir_ok => Err(Errno::Noent),
            (None, Some(name)) => {
                self.check_alive(r.parent)?;
                Ok((r.parent, name))
            }
        }
    }

    /// Appends to stdout or stderr up to `output_cap`; reports the full length.
    fn write_stream(&mut self, stdout: bool, iovs: &[&[u8]]) -> u32 {
        let total: usize = iovs.iter().map(|b| b.len()).sum();
        let cap = self.output_cap;
        let out = if stdout {
            &mut self.stdout
        } else {
            &mut self.stderr
        };
        for buf in iovs {
            let room = cap.saturating_sub(out.len());
            out.extend_from_slice(&buf[..buf.len().min(room)]);
            self.truncated |= buf.len() > room;
        }
        total.min(u32::MAX as usize) as u32
    }

    /// Readiness of one fd subscription: (error, nbytes).
    fn fd_ready(&self, fd: Fd, read: bool) -> (Errno, Filesize) {
        let desc = match self.desc(fd) {
            Ok(d) => d,
            Err(e) => return (e, 0),
        };
        let needed = Rights::POLL_FD_READWRITE
            | if read {
                Rights::FD_READ
            } else {
                Rights::FD_WRITE
            };
        if let Err(e) = desc.require(needed) {
            return (e, 0);
        }
        match desc.object {
            Object::Stdin => (
                Errno::Success,
                (self.stdin.len() - self.stdin_pos) as Filesize,
            ),
            Object::File { ino, pos } if read => {
                (Errno::Success, self.fs.stat(ino).size.saturating_sub(pos))
            }
            _ => (Errno::Success, 0),
        }
    }
}

impl System for ReferenceHost {
    fn args_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(self.args.clone())
    }

    fn args_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        sizes(&self.args)
    }

    fn environ_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(self.env.clone())
    }

    fn environ_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        sizes(&self.env)
    }

    fn clock_res_get(&mut self, _id: Clockid) -> Result<Timestamp, Errno> {
        Ok(clock::RESOLUTION)
    }

    fn clock_time_get(&mut self, id: Clockid, _precision: Timestamp) -> Result<Timestamp, Errno> {
        Ok(self.clock.read(id))
    }

    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        _advice: Advice,
    ) -> Result<(), Errno> {
        self.file(fd, Rights::FD_ADVISE, Errno::Badf)?;
        // posix_fadvise: EINVAL for a negative (here: overflowing) range.
        offset
            .checked_add(len)
            .filter(|&e| e <= i64::MAX as u64)
            .ok_or(Errno::Inval)?;
        Ok(())
    }

    fn fd_allocate(&mut self, fd: Fd, offset: Filesize, len: Filesize) -> Result<(), Errno> {
        let ino = self.file(fd, Rights::FD_ALLOCATE, Errno::Badf)?;
        // posix_fallocate: EINVAL when len is 0, EFBIG past the maximum size.
        if len == 0 {
            return Err(Errno::Inval);
        }
        let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
        if end > self.fs.stat(ino).size {
            let now = self.now();
            self.fs.set_size(ino, end, now)?;
        }
        Ok(())
    }

    fn fd_close(&mut self, fd: Fd) -> Result<(), Errno> {
        let desc = self.fds.remove(&fd).ok_or(Errno::Badf)?;
        if let Object::File { ino, .. } = desc.object {
            self.forget_if_unused(ino);
        }
        Ok(())
    }

    fn fd_datasync(&mut self, fd: Fd) -> Result<(), Errno> {
        // fdatasync on a pipe or terminal: EINVAL.
        self.node(fd, Rights::FD_DATASYNC, Errno::Inval).map(drop)
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Errno> {
        let desc = self.desc(fd)?;
        Ok(Fdstat {
            filetype: desc.filetype(),
            flags: desc.flags,
            rights_base: desc.base,
            rights_inheriting: desc.inheriting,
        })
    }

    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<(), Errno> {
        let desc = self.desc_mut(fd)?;
        desc.require(Rights::FD_FDSTAT_SET_FLAGS)?;
        // Like fcntl(F_SETFL), only append and nonblock can change; asking
        // for a sync mode is `inval` (RATIONALE.md, "Why `inval` for sync flags in fd_fdstat_set_flags?").
        if flags.intersects(Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC) {
            return Err(Errno::Inval);
        }
        desc.flags = flags;
        Ok(())
    }

    fn fd_fdstat_set_rights(
        &mut self,
        fd: Fd,
        base: Rights,
        inheriting: Rights,
    ) -> Result<(), Errno> {
        let desc = self.desc_mut(fd)?;
        // witx: "can only be used to remove rights, and returns notcapable
        // if called in a way that would attempt to add rights".
        if !desc.base.contains(base) || !desc.inheriting.contains(inheriting) {
            return Err(Errno::Notcapable);
        }
        desc.base = base;
        desc.inheriting = inheriting;
        Ok(())
    }

    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Errno> {
        let desc = self.desc(fd)?;
        desc.require(Rights::FD_FILESTAT_GET)?;
        Ok(match desc.object {
            Object::File { ino, .. } | Object::Dir { ino, .. } => self.fs.stat(ino),
            _ => Filestat {
                dev: 0,
                ino: 0,
                filetype: Filetype::CharacterDevice,
                nlink: 1,
                size: 0,
                atim: 0,
                mtim: 0,
                ctim: 0,
            },
        })
    }

    fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Errno> {
        // ftruncate on a pipe or terminal: EINVAL.
        let ino = match self.file(fd, Rights::FD_FILESTAT_SET_SIZE, Errno::Badf) {
            Err(Errno::Spipe) => Err(Errno::Inval),
            other => other,
        }?;
        let now = self.now();
        self.fs.set_size(ino, size, now)
    }

    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<(), Errno> {
        check_fstflags(flags)?;
        let ino = self.node(fd, Rights::FD_FILESTAT_SET_TIMES, Errno::Badf)?;
        self.set_times(ino, atim, mtim, flags)
    }

    fn fd_pread(&mut self, fd: Fd, len: usize, offset: Filesize) -> Result<Vec<u8>, Errno> {
        // witx rights: fd_read with fd_seek grants fd_pread.
        let ino = self.file(fd, Rights::FD_READ | Rights::FD_SEEK, Errno::Isdir)?;
        Ok(self.fs.read_at(ino, offset, len))
    }

    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Errno> {
        let name = self.preopen(fd)?;
        Ok(Prestat {
            name_len: name.len() as u32,
        })
    }

    fn fd_prestat_dir_name(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, Errno> {
        let name = self.preopen(fd)?;
        // A buffer shorter than `pr_name_len` (RATIONALE.md, "Why `nametoolong` for a short prestat buffer?").
        if name.len() > len as usize {
            return Err(Errno::Nametoolong);
        }
        Ok(name.as_bytes().to_vec())
    }

    fn fd_pwrite(&mut self, fd: Fd, iovs: &[&[u8]], offset: Filesize) -> Result<u32, Errno> {
        // witx rights: fd_write with fd_seek grants fd_pwrite. The offset is
        // honoured even in append mode (RATIONALE.md, "Why does fd_pwrite ignore append mode?").
        let ino = self.file(fd, Rights::FD_WRITE | Rights::FD_SEEK, Errno::Badf)?;
        let now = self.now();
        Ok(self.fs.write_at(ino, offset, iovs, now)? as u32)
    }

    fn fd_read(&mut self, fd: Fd, len: usize) -> Result<Vec<u8>, Errno> {
        let desc = self.desc(fd)?;
        match desc.object {
            // read(2) on a directory: EISDIR.
            Object::Dir { .. } => return Err(Errno::Isdir),
            _ => desc.require(Rights::FD_READ)?,
        }
        match self.fds.get_mut(&fd).ok_or(Errno::Badf)?.object {
            Object::File { ino, ref mut pos } => {
                let at = *pos;
                let data = self.fs.read_at(ino, at, len);
                *pos = at + data.len() as u64;
                Ok(data)
            }
            Object::Stdin => {
                let n = len.min(self.stdin.len() - self.stdin_pos);
                let data = self.stdin[self.stdin_pos..self.stdin_pos + n].to_vec();
                self.stdin_pos += n;
                Ok(data)
            }
            _ => Err(Errno::Badf),
        }
    }

    fn fd_readdir(&mut self, fd: Fd, len: u32, cookie: Dircookie) -> Result<Vec<u8>, Errno> {
        let dir = self.dir(fd, Rights::FD_READDIR)?;
        let Node::Dir { entries, parent } = &self.fs.get(dir).node else {
            return Err(Errno::Notdir);
        };
        // `.` and `..` first, then names in byte order; cookie n resumes
        // after the n-th entry (RATIONALE.md, "Why list `.` and `..` in fd_readdir?").
        let dots = [(".", dir), ("..", *parent)];
        let all = dots
            .into_iter()
            .chain(entries.iter().map(|(n, &i)| (n.as_str(), i)));
        let mut out = Vec::new();
        for (i, (name, ino)) in all
            .enumerate()
            .skip(usize::try_from(cookie).unwrap_or(usize::MAX))
        {
            if out.len() >= len as usize {
                break;
            }
            let dirent = Dirent {
                next: i as u64 + 1,
                ino,
                filetype: self.fs.filetype(ino),
                name: name.to_string(),
            };
            dirent.encode_into(&mut out);
        }
        out.truncate(len as usize);
        Ok(out)
    }

    fn fd_renumber(&mut self, fd: Fd, to: Fd) -> Result<(), Errno> {
        if !self.fds.contains_key(&fd) || !self.fds.contains_key(&to) {
            return Err(Errno::Badf);
        }
        if fd != to {
            let desc = self.fds.remove(&fd).expect("checked above");
            let old = self.fds.insert(to, desc).expect("checked above");
            if let Object::File { ino, .. } = old.object {
                self.forget_if_unused(ino);
            }
        }
        Ok(())
    }

    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<Filesize, Errno> {
        let ino = self.file(fd, Rights::EMPTY, Errno::Badf)?;
        // witx rights: fd_seek, or fd_tell for a seek that keeps the offset.
        let base = self.desc(fd)?.base;
        let keeps_offset = offset == 0 && whence == Whence::Cur;
        let allowed =
            base.contains(Rights::FD_SEEK) || (keeps_offset && base.contains(Rights::FD_TELL));
        if !allowed {
            return Err(Errno::Notcapable);
        }
        let size = self.fs.stat(ino).size;
        let Object::File { pos, .. } = &mut self.desc_mut(fd)?.object else {
            return Err(Errno::Badf);
        };
        let base = match whence {
            Whence::Set => 0,
            Whence::Cur => *pos,
            Whence::End => size,
        };
        // lseek: EINVAL for a resulting negative offset.
        let new = base
            .checked_add_signed(offset)
            .filter(|&p| p <= i64::MAX as u64)
            .ok_or(Errno::Inval)?;
        *pos = new;
        Ok(new)
    }

    fn fd_sync(&mut self, fd: Fd) -> Result<(), Errno> {
        // fsync on a pipe or terminal: EINVAL.
        self.node(fd, Rights::FD_SYNC, Errno::Inval).map(drop)
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Errno> {
        self.fd_seek(fd, 0, Whence::Cur)
    }

    fn fd_write(&mut self, fd: Fd, iovs: &[&[u8]]) -> Result<u32, Errno> {
        let desc = self.desc(fd)?;
        match desc.object {
            // write(2) on a directory descriptor: EBADF (never open for writing).
            Object::Dir { .. } => return Err(Errno::Badf),
            _ => desc.require(Rights::FD_WRITE)?,
        }
        let append = desc.flags.contains(Fdflags::APPEND);
        match desc.object {
            Object::Stdout => Ok(self.write_stream(true, iovs)),
            Object::Stderr => Ok(self.write_stream(false, iovs)),
            Object::File { ino, pos } => {
                let at = if append { self.fs.stat(ino).size } else { pos };
                let now = self.now();
                let written = self.fs.write_at(ino, at, iovs, now)?;
                if let Object::File { pos, .. } = &mut self.desc_mut(fd)?.object {
                    *pos = at + written;
                }
                Ok(written as u32)
            }
            _ => Err(Errno::Badf),
        }
    }

    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        let dir = self.dir(fd, Rights::PATH_CREATE_DIRECTORY)?;
        let (parent, name) = self.resolve_new(dir, path, true)?;
        let now = self.now();
        let ino = self.fs.alloc(
            Node::Dir {
                entries: BTreeMap::new(),
                parent,
            },
            now,
        );
        self.add_entry(parent, &name, ino);
        Ok(())
    }

    fn path_filestat_get(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
    ) -> Result<Filestat, Errno> {
        let dir = self.dir(fd, Rights::PATH_FILESTAT_GET)?;
        let r = self
            .fs
            .resolve(dir, path, flags.contains(Lookupflags::SYMLINK_FOLLOW))?;
        Ok(self.fs.stat(r.ino.ok_or(Errno::Noent)?))
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
        check_fstflags(fst_flags)?;
        let dir = self.dir(fd, Rights::PATH_FILESTAT_SET_TIMES)?;
        let r = self
            .fs
            .resolve(dir, path, flags.contains(Lookupflags::SYMLINK_FOLLOW))?;
        self.set_times(r.ino.ok_or(Errno::Noent)?, atim, mtim, fst_flags)
    }

    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let old_dir = self.dir(old_fd, Rights::PATH_LINK_SOURCE)?;
        let new_dir = self.dir(new_fd, Rights::PATH_LINK_TARGET)?;
        let old = self.fs.resolve(
            old_dir,
            old_path,
            old_flags.contains(Lookupflags::SYMLINK_FOLLOW),
        )?;
        let ino = old.ino.ok_or(Errno::Noent)?;
        // link(2): EPERM when the source is a directory.
        if self.fs.is_dir(ino) {
            return Err(Errno::Perm);
        }
        let (parent, name) = self.resolve_new(new_dir, new_path, false)?;
        self.add_entry(parent, &name, ino);
        Ok(())
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
        let mut needed = Rights::PATH_OPEN;
        if oflags.contains(Oflags::CREAT) {
            needed = needed | Rights::PATH_CREATE_FILE;
        }
        if oflags.contains(Oflags::TRUNC) {
            needed = needed | Rights::PATH_FILESTAT_SET_SIZE;
        }
        let dir = self.dir(fd, needed)?;
        // The new descriptor's rights must be inheritable from `fd`; the
        // sync fdflags need the sync rights (witx `rights::fd_datasync`, `fd_sync`).
        let mut inherit = rights_base | rights_inheriting;
        if fdflags.contains(Fdflags::DSYNC) {
            inherit = inherit | Rights::FD_DATASYNC;
        }
        if fdflags.intersects(Fdflags::RSYNC | Fdflags::SYNC) {
            inherit = inherit | Rights::FD_SYNC;
        }
        if !self.desc(fd)?.inheriting.contains(inherit) {
            return Err(Errno::Notcapable);
        }
        let creat = oflags.contains(Oflags::CREAT);
        // open(2) with O_CREAT|O_DIRECTORY: EINVAL (RATIONALE.md, "Why `inval` for creat with directory?").
        if creat && oflags.contains(Oflags::DIRECTORY) {
            return Err(Errno::Inval);
        }
        let excl = creat && oflags.contains(Oflags::EXCL);
        // O_EXCL never follows a final symlink (open(2)).
        let follow = dirflags.contains(Lookupflags::SYMLINK_FOLLOW) && !excl;
        let r = self.fs.resolve(dir, path, follow)?;
        let ino = match r.ino {
            None if !creat => return Err(Errno::Noent),
            // open(2): O_CREAT on a path ending in `/` is EISDIR.
            None if r.trailing_slash => return Err(Errno::Isdir),
            None => {
                self.check_alive(r.parent)?;
                let now = self.now();
                let ino = self.fs.alloc(Node::File(Vec::new()), now);
                self.add_entry(
                    r.parent,
                    r.name.as_deref().expect("missing entries have names"),
                    ino,
                );
                ino
            }
            Some(_) if excl => return Err(Errno::Exist),
            Some(ino) => ino,
        };
        let object = match &self.fs.get(ino).node {
            // A final symlink that was not followed: O_NOFOLLOW gives ELOOP,
            // or ENOTDIR with O_DIRECTORY (RATIONALE.md, "Why `loop` after 40
            // symlinks, and for a final symlink path_open does not follow?").
            Node::Symlink(_) if oflags.contains(Oflags::DIRECTORY) => return Err(Errno::Notdir),
            Node::Symlink(_) => return Err(Errno::Loop),
            Node::Dir { .. } => {
                // open(2): EISDIR for a directory opened for writing,
                // truncation or creation (RATIONALE.md, "Why `isdir` when opening a directory for writing?").
                if creat || oflags.contains(Oflags::TRUNC) || rights_base.contains(Rights::FD_WRITE)
                {
                    return Err(Errno::Isdir);
                }
                Object::Dir { ino, preopen: None }
            }
            Node::File(_) if oflags.contains(Oflags::DIRECTORY) => return Err(Errno::Notdir),
            Node::File(_) => {
                if oflags.contains(Oflags::TRUNC) {
                    let now = self.now();
                    self.fs.set_size(ino, 0, now)?;
                }
                Object::File { ino, pos: 0 }
            }
        };
        // witx path_open: fewer rights only where they do not apply to the
        // type (RATIONALE.md, "Why these preopen rights, and why path_open
        // drops rights that do not apply?").
        let applicable = if matches!(object, Object::Dir { .. }) {
            DIR_RIGHTS
        } else {
            FILE_RIGHTS
        };
        self.insert_fd(Desc {
            object,
            flags: fdflags,
            base: rights_base & applicable,
            inheriting: rights_inheriting,
        })
    }

    fn path_readlink(&mut self, fd: Fd, path: &str, len: u32) -> Result<Vec<u8>, Errno> {
        let dir = self.dir(fd, Rights::PATH_READLINK)?;
        let r = self.fs.resolve(dir, path, false)?;
        match &self.fs.get(r.ino.ok_or(Errno::Noent)?).node {
            // readlink(2) truncates silently (RATIONALE.md, "Why does path_readlink truncate?").
            Node::Symlink(target) => {
                Ok(target.as_bytes()[..target.len().min(len as usize)].to_vec())
            }
            // readlink(2): EINVAL when the path is not a symlink.
            _ => Err(Errno::Inval),
        }
    }

    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        let dir = self.dir(fd, Rights::PATH_REMOVE_DIRECTORY)?;
        let r = self.fs.resolve(dir, path, false)?;
        // rmdir(2): EINVAL for a path ending in `.` (RATIONALE.md, "Why `inval` when a path ends in `.` or `..`?").
        let name = r.name.ok_or(Errno::Inval)?;
        let ino = r.ino.ok_or(Errno::Noent)?;
        match self.fs.entries(ino) {
            None => Err(Errno::Notdir),
            // witx: "Return errno::notempty if the directory is not empty."
            Some(entries) if !entries.is_empty() => Err(Errno::Notempty),
            Some(_) => {
                let now = self.now();
                self.fs.remove_entry(r.parent, &name);
                self.fs.touch(r.parent, now);
                Ok(())
            }
        }
    }

    fn path_rename(
        &mut self,
        fd: Fd,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let old_dir = self.dir(fd, Rights::PATH_RENAME_SOURCE)?;
        let new_dir = self.dir(new_fd, Rights::PATH_RENAME_TARGET)?;
        let old = self.fs.resolve(old_dir, old_path, false)?;
        let ino = old.ino.ok_or(Errno::Noent)?;
        let old_name = old.name.ok_or(Errno::Inval)?;
        let new = self.fs.resolve(new_dir, new_path, false)?;
        let new_name = new.name.ok_or(Errno::Inval)?;
        let moving_dir = self.fs.is_dir(ino);
        // rename(2): a trailing `/` on either path needs a directory source.
        if !moving_dir && (old.trailing_slash || new.trailing_slash) {
            return Err(Errno::Notdir);
        }
        match new.ino {
            // RATIONALE.md, "Why does renaming onto another link of the same file do nothing?"
            Some(target) if target == ino => return Ok(()),
            Some(target) if moving_dir && !self.fs.is_dir(target) => return Err(Errno::Notdir),
            Some(target) if !moving_dir && self.fs.is_dir(target) => return Err(Errno::Isdir),
            Some(target) if self.fs.entries(target).is_some_and(|e| !e.is_empty()) => {
                return Err(Errno::Notempty);
            }
            _ => {}
        }
        // rename(2): EINVAL when moving a directory into itself.
        if moving_dir && self.fs.is_ancestor(ino, new.parent) {
            return Err(Errno::Inval);
        }
        self.check_alive(new.parent)?;
        let now = self.now();
        if let Some(target) = new.ino {
            self.fs.remove_entry(new.parent, &new_name);
            self.forget_if_unused(target);
        }
        self.fs.remove_entry(old.parent, &old_name);
        self.fs.insert_entry(new.parent, &new_name, ino);
        self.fs.touch(old.parent, now);
        self.fs.touch(new.parent, now);
        self.fs.get_mut(ino).ctim = now;
        Ok(())
    }

    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<(), Errno> {
        let dir = self.dir(fd, Rights::PATH_SYMLINK)?;
        let (parent, name) = self.resolve_new(dir, new_path, false)?;
        // symlink(2): ENOENT for an empty target. An absolute target is
        // refused, as the official wasi-testsuite requires; any other target
        // is stored verbatim and checked when followed (RATIONALE.md, "Why
        // refuse absolute symlink targets but store escaping ones?").
        if old_path.is_empty() {
            return Err(Errno::Noent);
        }
        if old_path.starts_with('/') {
            return Err(Errno::Perm);
        }
        let now = self.now();
        let ino = self.fs.alloc(Node::Symlink(old_path.to_string()), now);
        self.add_entry(parent, &name, ino);
        Ok(())
    }

    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<(), Errno> {
        let dir = self.dir(fd, Rights::PATH_UNLINK_FILE)?;
        let r = self.fs.resolve(dir, path, false)?;
        let ino = r.ino.ok_or(Errno::Noent)?;
        // witx: "Return errno::isdir if the path refers to a directory."
        if self.fs.is_dir(ino) {
            return Err(Errno::Isdir);
        }
        let name = r.name.ok_or(Errno::Isdir)?;
        let now = self.now();
        self.fs.remove_entry(r.parent, &name);
        self.fs.touch(r.parent, now);
        self.fs.get_mut(ino).ctim = now;
        self.forget_if_unused(ino);
        Ok(())
    }

    fn poll_oneoff(&mut self, subscriptions: &[Subscription]) -> Result<Vec<Event>, Errno> {
        // No subscriptions would block forever (RATIONALE.md, "Why `inval` for poll_oneoff with nothing to wait for?").
        if subscriptions.is_empty() {
            return Err(Errno::Inval);
        }
        let now = self.clock.elapsed();
        let deadline = |kind: &SubscriptionKind| match *kind {
            SubscriptionKind::Clock {
                id, timeout, flags, ..
            } => Some(
                if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
                    self.clock.elapsed_at(id, timeout)
                } else {
                    now.saturating_add(timeout)
                },
            ),
            _ => None,
        };
        let deadlines: Vec<Option<Timestamp>> =
            subscriptions.iter().map(|s| deadline(&s.kind)).collect();
        let mut events: Vec<Event> = subscriptions
            .iter()
            .filter_map(|s| {
                let (read, fd) = match s.kind {
                    SubscriptionKind::FdRead(fd) => (true, fd),
                    SubscriptionKind::FdWrite(fd) => (false, fd),
                    SubscriptionKind::Clock { .. } => return None,
                };
                let (error, nbytes) = self.fd_ready(fd, read);
                let kind = if read {
                    Eventtype::FdRead
                } else {
                    Eventtype::FdWrite
                };
                Some(Event {
                    userdata: s.userdata,
                    error,
                    kind,
                    nbytes,
                    flags: Eventrwflags::EMPTY,
                })
            })
            .collect();
        // Descriptors in memory are always ready; time only passes when
        // nothing else is, to the earliest clock deadline (RATIONALE.md,
        // "Why does poll_oneoff advance virtual time instead of sleeping?").
        if events.is_empty() {
            let earliest = deadlines.iter().flatten().min().copied().unwrap_or(now);
            self.clock.advance_to(earliest);
        }
        let now = self.clock.elapsed();
        for (s, d) in subscriptions.iter().zip(&deadlines) {
            if d.is_some_and(|d| d <= now) {
                events.push(Event {
                    userdata: s.userdata,
                    error: Errno::Success,
                    kind: Eventtype::Clock,
                    nbytes: 0,
                    flags: Eventrwflags::EMPTY,
                });
            }
        }
        Ok(events)
    }

    /// Any code is handed on (RATIONALE.md, "Why any proc_exit code?").
    fn proc_exit(&mut self, rval: u32) -> Exit {
        Exit(rval)
    }

    fn proc_raise(&mut self, _sig: Signal) -> Result<(), Errno> {
        // Signals are not supported (RATIONALE.md, "Why `notsup` from proc_raise?").
        Err(Errno::Notsup)
    }

    fn sched_yield(&mut self) -> Result<(), Errno> {
        Ok(())
    }

    fn random_get(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.rng.fill(buf);
        Ok(())
    }

    fn sock_accept(&mut self, fd: Fd, _flags: Fdflags) -> Result<Fd, Errno> {
        self.not_a_socket(fd)
    }

    fn sock_recv(
        &mut self,
        fd: Fd,
        _len: usize,
        _flags: Riflags,
    ) -> Result<(Vec<u8>, Roflags), Errno> {
        self.not_a_socket(fd)
    }

    fn sock_send(&mut self, fd: Fd, _iovs: &[&[u8]], _flags: Siflags) -> Result<u32, Errno> {
        self.not_a_socket(fd)
    }

    fn sock_shutdown(&mut self, fd: Fd, _how: Sdflags) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }
}

impl ReferenceHost {
    /// There are no sockets: `badf` for a closed fd, `notsock` for an open
    /// one (RATIONALE.md, "Why `badf` or `notsock` from the sock functions?").
    fn not_a_socket<T>(&self, fd: Fd) -> Result<T, Errno> {
        self.desc(fd)?;
        Err(Errno::Notsock)
    }
}

/// (count, bytes including one `\0` each) for `*_sizes_get`.
fn sizes(items: &[Vec<u8>]) -> Result<(u32, u32), Errno> {
    let count = u32::try_from(items.len()).map_err(|_| Errno::Overflow)?;
    let bytes: usize = items.iter().map(|s| s.len() + 1).sum();
    Ok((count, u32::try_from(bytes).map_err(|_| Errno::Overflow)?))
}

/// `ATIM` with `ATIM_NOW` (or `MTIM` with `MTIM_NOW`) is `inval`, as
/// `utimensat` cannot express both.
fn check_fstflags(flags: Fstflags) -> Result<(), Errno> {
    if flags.contains(Fstflags::ATIM | Fstflags::ATIM_NOW)
        || flags.contains(Fstflags::MTIM | Fstflags::MTIM_NOW)
    {
        return Err(Errno::Inval);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Kind;

    const RW: Rights = FILE_RIGHTS;
    const FOLLOW: Lookupflags = Lookupflags::SYMLINK_FOLLOW;
    const NOFOLLOW: Lookupflags = Lookupflags::EMPTY;

    fn host() -> ReferenceHost {
        let config = Config {
            preopens: vec![("/sandbox".into(), ".".into())],
            output_cap: 1024,
            ..Config::default()
        };
        ReferenceHost::new(config).unwrap()
    }

    fn open(h: &mut ReferenceHost, path: &str, oflags: Oflags, base: Rights) -> Result<Fd, Errno> {
        h.path_open(3, FOLLOW, path, oflags, base, Rights::EMPTY, Fdflags::EMPTY)
    }

    fn create(h: &mut ReferenceHost, path: &str, content: &[u8]) {
        let fd = open(h, path, Oflags::CREAT, RW).unwrap();
        assert_eq!(h.fd_write(fd, &[content]), Ok(content.len() as u32));
        h.fd_close(fd).unwrap();
    }

    /// The names `fd_readdir` lists from `cookie` with a large buffer.
    fn names(h: &mut ReferenceHost, fd: Fd, cookie: u64) -> Vec<String> {
        let buf = h.fd_readdir(fd, 4096, cookie).unwrap();
        let mut out = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let len = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            out.push(String::from_utf8(buf[at + 24..at + 24 + len].to_vec()).unwrap());
            at += 24 + len;
        }
        out
    }

    #[test]
    fn file_io() {
        let mut h = host();
        let fd = open(&mut h, "f", Oflags::CREAT, RW).unwrap();
        assert_eq!(fd, 4);
        assert_eq!(h.fd_write(fd, &[b"hello", b" world"]), Ok(11));
        assert_eq!(h.fd_tell(fd), Ok(11));
        assert_eq!(h.fd_seek(fd, -5, Whence::End), Ok(6));
        assert_eq!(h.fd_read(fd, 100), Ok(b"world".to_vec()));
        assert_eq!(h.fd_seek(fd, -1, Whence::Set), Err(Errno::Inval));
        assert_eq!(h.fd_pread(fd, 4, 1), Ok(b"ello".to_vec()));
        assert_eq!(h.fd_pwrite(fd, &[b"J"], 0), Ok(1));
        assert_eq!(h.fd_tell(fd), Ok(11), "pwrite keeps the offset");
        // Writing past the end zero-fills the gap.
        assert_eq!(h.fd_pwrite(fd, &[b"!"], 13), Ok(1));
        assert_eq!(h.fd_pread(fd, 100, 10), Ok(b"d\0\0!".to_vec()));
        assert_eq!(h.fd_filestat_set_size(fd, 2), Ok(()));
        assert_eq!(h.fd_filestat_get(fd).unwrap().size, 2);
        assert_eq!(
            h.fd_filestat_set_size(fd, crate::memfs::MAX_FILE_SIZE + 1),
            Err(Errno::Fbig)
        );
        assert_eq!(h.fd_allocate(fd, 0, 10), Ok(()));
        assert_eq!(h.fd_filestat_get(fd).unwrap().size, 10);
        assert_eq!(h.fd_allocate(fd, 0, 0), Err(Errno::Inval));
        assert_eq!(h.fd_advise(fd, 0, 10, Advice::Random), Ok(()));
        assert_eq!(h.fd_sync(fd), Ok(()));
        assert_eq!(h.fd_datasync(fd), Ok(()));
        // Seeking/reading on the preopen directory and stdio.
        assert_eq!(h.fd_seek(3, 0, Whence::Set), Err(Errno::Badf));
        assert_eq!(h.fd_read(3, 1), Err(Errno::Isdir));
        assert_eq!(h.fd_write(3, &[b"x"]), Err(Errno::Badf));
        assert_eq!(h.fd_seek(1, 0, Whence::Cur), Err(Errno::Spipe));
        assert_eq!(h.fd_pwrite(1, &[b"x"], 0), Err(Errno::Spipe));
        assert_eq!(h.fd_sync(1), Err(Errno::Inval));
        assert_eq!(h.fd_close(fd), Ok(()));
        assert_eq!(h.fd_close(fd), Err(Errno::Badf));
    }

    #[test]
    fn append_mode() {
        let mut h = host();
        create(&mut h, "log", b"ab");
        let fd = h
            .path_open(
                3,
                FOLLOW,
                "log",
                Oflags::EMPTY,
                RW,
                Rights::EMPTY,
                Fdflags::APPEND,
            )
            .unwrap();
        assert_eq!(h.fd_write(fd, &[b"cd"]), Ok(2));
        assert_eq!(h.fd_tell(fd), Ok(4));
        assert_eq!(h.fd_pwrite(fd, &[b"X"], 0), Ok(1));
        assert_eq!(h.fd_pread(fd, 10, 0), Ok(b"Xbcd".to_vec()));
        assert_eq!(h.fd_fdstat_get(fd).unwrap().flags, Fdflags::APPEND);
        assert_eq!(h.fd_fdstat_set_flags(fd, Fdflags::EMPTY), Ok(()));
        assert_eq!(h.fd_fdstat_set_flags(fd, Fdflags::SYNC), Err(Errno::Inval));
        assert_eq!(h.fd_seek(fd, 0, Whence::Set), Ok(0));
        assert_eq!(h.fd_write(fd, &[b"Y"]), Ok(1));
        assert_eq!(h.fd_pread(fd, 10, 0), Ok(b"Ybcd".to_vec()));
    }

    #[test]
    fn open_flags() {
        let mut h = host();
        assert_eq!(
            open(&mut h, "missing", Oflags::EMPTY, RW),
            Err(Errno::Noent)
        );
        create(&mut h, "f", b"data");
        assert_eq!(
            open(&mut h, "f", Oflags::CREAT | Oflags::EXCL, RW),
            Err(Errno::Exist)
        );
        assert_eq!(open(&mut h, "f", Oflags::DIRECTORY, RW), Err(Errno::Notdir));
        assert_eq!(open(&mut h, "f/", Oflags::EMPTY, RW), Err(Errno::Notdir));
        assert_eq!(open(&mut h, "g/", Oflags::CREAT, RW), Err(Errno::Isdir));
        assert_eq!(
            open(&mut h, "g", Oflags::CREAT | Oflags::DIRECTORY, RW),
            Err(Errno::Inval)
        );
        let fd = open(&mut h, "f", Oflags::TRUNC, RW).unwrap();
        assert_eq!(h.fd_filestat_get(fd).unwrap().size, 0);
        h.path_create_directory(3, "d").unwrap();
        assert_eq!(open(&mut h, "d", Oflags::EMPTY, RW), Err(Errno::Isdir));
        assert_eq!(
            open(&mut h, "d", Oflags::CREAT, Rights::FD_READDIR),
            Err(Errno::Isdir)
        );
        assert_eq!(
            open(&mut h, "d", Oflags::TRUNC, Rights::FD_READ),
            Err(Errno::Isdir)
        );
        let d = open(
            &mut h,
            "d/",
            Oflags::DIRECTORY,
            Rights::FD_READ | Rights::FD_READDIR,
        )
        .unwrap();
        let st = h.fd_fdstat_get(d).unwrap();
        assert_eq!(st.filetype, Filetype::Directory);
        assert_eq!(
            st.rights_base,
            Rights::FD_READDIR,
            "fd_read does not apply to a directory"
        );
        // A file descriptor is no directory for path calls.
        assert_eq!(h.path_create_directory(fd, "x"), Err(Errno::Notdir));
        assert_eq!(h.path_create_directory(1, "x"), Err(Errno::Notdir));
        assert_eq!(h.path_create_directory(99, "x"), Err(Errno::Badf));
        assert_eq!(open(&mut h, "", Oflags::EMPTY, RW), Err(Errno::Noent));
        assert_eq!(
            open(&mut h, &"n".repeat(256), Oflags::CREAT, RW),
            Err(Errno::Nametoolong)
        );
    }

    #[test]
    fn sandbox_escapes_are_perm() {
        let mut h = host();
        h.path_create_directory(3, "d").unwrap();
        create(&mut h, "d/f", b"x");
        for path in ["..", "../x", "d/../..", "d/../../x", "/x", "/", "./../d"] {
            assert_eq!(
                h.path_filestat_get(3, FOLLOW, path),
                Err(Errno::Perm),
                "{path}"
            );
        }
        assert_eq!(
            h.path_filestat_get(3, FOLLOW, "d/..").unwrap().filetype,
            Filetype::Directory
        );
        assert_eq!(h.path_filestat_get(3, FOLLOW, "d/./f").unwrap().size, 1);
        // `..` cannot climb above a directory descriptor either.
        let d = open(&mut h, "d", Oflags::DIRECTORY, DIR_RIGHTS).unwrap();
        assert_eq!(h.path_filestat_get(d, FOLLOW, "../d"), Err(Errno::Perm));
        assert_eq!(h.path_filestat_get(d, FOLLOW, "f").unwrap().size, 1);
        // A guest cannot create an absolute symlink; one leading outside by
        // `..` is stored, and fails when followed.
        assert_eq!(h.path_symlink("/etc/passwd", 3, "abs"), Err(Errno::Perm));
        h.path_symlink("../../etc", 3, "d/up").unwrap();
        assert_eq!(h.path_filestat_get(3, FOLLOW, "d/up"), Err(Errno::Perm));
        assert_eq!(
            h.path_filestat_get(3, NOFOLLOW, "d/up").unwrap().filetype,
            Filetype::SymbolicLink
        );
        assert_eq!(open(&mut h, "d/up", Oflags::CREAT, RW), Err(Errno::Perm));
        // A symlink to `..` from a subdirectory stays inside.
        h.path_symlink("..", 3, "d/parent").unwrap();
        assert_eq!(
            h.path_filestat_get(3, FOLLOW, "d/parent/d/f").unwrap().size,
            1
        );
    }

    #[test]
    fn symlinks() {
        let mut h = host();
        create(&mut h, "target", b"abc");
        h.path_symlink("target", 3, "link").unwrap();
        h.path_symlink("loop2", 3, "loop1").unwrap();
        h.path_symlink("loop1", 3, "loop2").unwrap();
        h.path_symlink("missing", 3, "dangling").unwrap();
        assert_eq!(h.path_filestat_get(3, FOLLOW, "link").unwrap().size, 3);
        let st = h.path_filestat_get(3, NOFOLLOW, "link").unwrap();
        assert_eq!((st.filetype, st.size), (Filetype::SymbolicLink, 6));
        assert_eq!(h.path_filestat_get(3, FOLLOW, "loop1"), Err(Errno::Loop));
        assert_eq!(
            h.path_filestat_get(3, NOFOLLOW, "loop1/x"),
            Err(Errno::Loop)
        );
        assert_eq!(h.path_readlink(3, "link", 100), Ok(b"target".to_vec()));
        assert_eq!(h.path_readlink(3, "link", 3), Ok(b"tar".to_vec()));
        assert_eq!(h.path_readlink(3, "target", 100), Err(Errno::Inval));
        assert_eq!(h.path_readlink(3, "nothing", 100), Err(Errno::Noent));
        let nofollow = h.path_open(
            3,
            NOFOLLOW,
            "link",
            Oflags::EMPTY,
            RW,
            Rights::EMPTY,
            Fdflags::EMPTY,
        );
        assert_eq!(nofollow, Err(Errno::Loop));
        assert_eq!(h.path_symlink("x", 3, "link"), Err(Errno::Exist));
        assert_eq!(h.path_symlink("", 3, "empty"), Err(Errno::Noent));
        assert_eq!(open(&mut h, "link/", Oflags::EMPTY, RW), Err(Errno::Notdir));
        // Creating through a dangling symlink creates its target.
        let fd = open(&mut h, "dangling", Oflags::CREAT, RW).unwrap();
        h.fd_close(fd).unwrap();
        assert_eq!(h.snapshot().entries["missing"].kind, Kind::File);
        assert_eq!(
            open(&mut h, "dangling", Oflags::CREAT | Oflags::EXCL, RW),
            Err(Errno::Exist)
        );
        // Unlinking a symlink removes the link, not the target.
        h.path_unlink_file(3, "link").unwrap();
        assert!(h.snapshot().entries.contains_key("target"));
    }

    #[test]
    fn directories_and_unlink() {
        let mut h = host();
        h.path_create_directory(3, "d").unwrap();
        assert_eq!(h.path_create_directory(3, "d"), Err(Errno::Exist));
        assert_eq!(h.path_create_directory(3, "."), Err(Errno::Exist));
        assert_eq!(h.path_create_directory(3, "x/y"), Err(Errno::Noent));
        h.path_create_directory(3, "e/").unwrap();
        assert_eq!(h.path_create_directory(3, "e//"), Err(Errno::Exist));
        h.path_symlink("nowhere", 3, "dangling").unwrap();
        assert_eq!(h.path_create_directory(3, "dangling/"), Err(Errno::Exist));
        assert_eq!(h.path_symlink("x", 3, "new/"), Err(Errno::Noent));
        h.path_unlink_file(3, "dangling").unwrap();
        create(&mut h, "d/f", b"1");
        assert_eq!(h.path_unlink_file(3, "d"), Err(Errno::Isdir));
        assert_eq!(h.path_remove_directory(3, "d"), Err(Errno::Notempty));
        assert_eq!(h.path_remove_directory(3, "d/f"), Err(Errno::Notdir));
        assert_eq!(h.path_remove_directory(3, "."), Err(Errno::Inval));
        assert_eq!(h.path_unlink_file(3, "d/f/"), Err(Errno::Notdir));
        assert_eq!(h.path_unlink_file(3, "d/f"), Ok(()));
        assert_eq!(h.path_unlink_file(3, "d/f"), Err(Errno::Noent));
        assert_eq!(h.path_remove_directory(3, "d"), Ok(()));
        assert_eq!(h.path_remove_directory(3, "e/"), Ok(()));
        assert!(h.snapshot().entries.is_empty());
    }

    #[test]
    fn unlinked_open_file_stays_usable() {
        let mut h = host();
        let fd = open(&mut h, "tmp", Oflags::CREAT, RW).unwrap();
        h.fd_write(fd, &[b"keep"]).unwrap();
        h.path_unlink_file(3, "tmp").unwrap();
        assert_eq!(h.fd_filestat_get(fd).unwrap().nlink, 0);
        assert_eq!(h.fd_pread(fd, 10, 0), Ok(b"keep".to_vec()));
        h.fd_close(fd).unwrap();
    }

    #[test]
    fn links_and_renames() {
        let mut h = host();
        create(&mut h, "a", b"A");
        h.path_link(3, NOFOLLOW, "a", 3, "b").unwrap();
        let (sa, sb) = (
            h.path_filestat_get(3, NOFOLLOW, "a").unwrap(),
            h.path_filestat_get(3, NOFOLLOW, "b").unwrap(),
        );
        assert_eq!((sa.ino, sa.nlink), (sb.ino, 2));
        assert_eq!(h.path_link(3, NOFOLLOW, "a", 3, "b"), Err(Errno::Exist));
        assert_eq!(h.path_link(3, NOFOLLOW, ".", 3, "c"), Err(Errno::Perm));
        assert_eq!(h.path_link(3, NOFOLLOW, "zz", 3, "c"), Err(Errno::Noent));
        h.path_create_directory(3, "d").unwrap();
        h.path_create_directory(3, "d/sub").unwrap();
        assert_eq!(h.path_filestat_get(3, NOFOLLOW, "d").unwrap().nlink, 3);
        assert_eq!(h.path_rename(3, "a", 3, "d"), Err(Errno::Isdir));
        assert_eq!(h.path_rename(3, "d", 3, "a"), Err(Errno::Notdir));
        assert_eq!(h.path_rename(3, "d", 3, "d/sub/x"), Err(Errno::Inval));
        assert_eq!(h.path_rename(3, "a", 3, "a/"), Err(Errno::Notdir));
        assert_eq!(
            h.path_rename(3, "a", 3, "b"),
            Ok(()),
            "same inode: nothing happens"
        );
        assert_eq!(h.path_rename(3, "a", 3, "d/moved"), Ok(()));
        assert_eq!(h.path_filestat_get(3, NOFOLLOW, "b").unwrap().nlink, 2);
        h.path_create_directory(3, "empty").unwrap();
        assert_eq!(
            h.path_rename(3, "d", 3, "empty"),
            Ok(()),
            "over an empty directory"
        );
        assert_eq!(
            h.path_rename(3, "b", 3, "empty/moved"),
            Ok(()),
            "links to one inode: nothing happens"
        );
        create(&mut h, "c", b"C");
        assert_eq!(
            h.path_rename(3, "c", 3, "empty/moved"),
            Ok(()),
            "over a file"
        );
        let snap = h.snapshot();
        let keys: Vec<&str> = snap.entries.keys().map(String::as_str).collect();
        assert_eq!(keys, ["b", "empty", "empty/moved", "empty/sub"]);
        assert_eq!(snap.entries["empty/moved"].size, 1);
        assert_eq!(h.path_filestat_get(3, NOFOLLOW, "b").unwrap().nlink, 1);
    }

    #[test]
    fn readdir_cookies_and_small_buffers() {
        let mut h = host();
        create(&mut h, "b", b"");
        create(&mut h, "a", b"");
        h.path_create_directory(3, "c").unwrap();
        assert_eq!(names(&mut h, 3, 0), [".", "..", "a", "b", "c"]);
        assert_eq!(names(&mut h, 3, 3), ["b", "c"]);
        assert!(names(&mut h, 3, 99).is_empty());
        let full = h.fd_readdir(3, 4096, 0).unwrap();
        // A buffer that cuts the third entry keeps exactly its size.
        let cut = h.fd_readdir(3, 24 + 1 + 24 + 2 + 10, 0).unwrap();
        assert_eq!(cut.len(), 61);
        assert_eq!(cut[..], full[..61]);
        // d_next of the second entry (`..`) is 2; its d_type is directory.
        assert_eq!(u64::from_le_bytes(cut[25..33].try_into().unwrap()), 2);
        assert_eq!(cut[25 + 20], Filetype::Directory as u8);
        assert_eq!(h.fd_readdir(3, 0, 0), Ok(Vec::new()));
        let f = open(&mut h, "a", Oflags::EMPTY, Rights::FD_READ).unwrap();
        assert_eq!(h.fd_readdir(f, 100, 0), Err(Errno::Notdir));
    }

    #[test]
    fn rights_are_enforced() {
        let mut h = host();
        create(&mut h, "f", b"x");
        let ro = open(&mut h, "f", Oflags::EMPTY, Rights::FD_READ).unwrap();
        assert_eq!(h.fd_write(ro, &[b"y"]), Err(Errno::Notcapable));
        assert_eq!(h.fd_seek(ro, 0, Whence::Set), Err(Errno::Notcapable));
        assert_eq!(
            h.fd_pread(ro, 1, 0),
            Err(Errno::Notcapable),
            "pread needs fd_seek too"
        );
        assert_eq!(
            h.fd_fdstat_set_rights(ro, Rights::FD_READ | Rights::FD_WRITE, Rights::EMPTY),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            h.fd_fdstat_set_rights(ro, Rights::EMPTY, Rights::EMPTY),
            Ok(())
        );
        assert_eq!(h.fd_read(ro, 1), Err(Errno::Notcapable));
        // The tell right alone allows fd_tell.
        let t = open(&mut h, "f", Oflags::EMPTY, Rights::FD_TELL).unwrap();
        assert_eq!(h.fd_tell(t), Ok(0));
        assert_eq!(h.fd_seek(t, 1, Whence::Set), Err(Errno::Notcapable));
        // A directory whose rights were dropped can no longer open or create.
        let d = open(&mut h, ".", Oflags::DIRECTORY, Rights::PATH_OPEN).unwrap();
        let denied = h.path_open(
            d,
            FOLLOW,
            "f",
            Oflags::EMPTY,
            Rights::FD_READ,
            Rights::EMPTY,
            Fdflags::EMPTY,
        );
        assert_eq!(
            denied,
            Err(Errno::Notcapable),
            "fd_read is not inheritable from d"
        );
        assert_eq!(h.path_create_directory(d, "x"), Err(Errno::Notcapable));
        assert_eq!(h.fd_fdstat_set_rights(3, DIR_RIGHTS, Rights::EMPTY), Ok(()));
        assert_eq!(
            open(&mut h, "f", Oflags::EMPTY, Rights::FD_READ),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            h.fd_fdstat_set_rights(3, Rights::EMPTY, Rights::EMPTY),
            Ok(())
        );
        assert_eq!(h.path_filestat_get(3, FOLLOW, "f"), Err(Errno::Notcapable));
        assert_eq!(
            h.fd_fdstat_set_rights(3, Rights::PATH_OPEN, Rights::EMPTY),
            Err(Errno::Notcapable)
        );
    }

    #[test]
    fn set_times() {
        let mut h = host();
        create(&mut h, "f", b"");
        let both = Fstflags::ATIM | Fstflags::ATIM_NOW;
        assert_eq!(
            h.path_filestat_set_times(3, FOLLOW, "f", 1, 2, both),
            Err(Errno::Inval)
        );
        assert_eq!(
            h.path_filestat_set_times(3, FOLLOW, "f", 1, 2, Fstflags::MTIM | Fstflags::MTIM_NOW),
            Err(Errno::Inval)
        );
        h.path_filestat_set_times(3, FOLLOW, "f", 10, 20, Fstflags::ATIM | Fstflags::MTIM)
            .unwrap();
        let st = h.path_filestat_get(3, FOLLOW, "f").unwrap();
        assert_eq!((st.atim, st.mtim), (10, 20));
        h.fd_filestat_set_times(3, 0, 0, Fstflags::MTIM_NOW)
            .unwrap();
        let st = h.fd_filestat_get(3).unwrap();
        assert!(st.mtim > clock::REALTIME_START);
    }

    #[test]
    fn renumber_close_and_prestat() {
        let mut h = host();
        create(&mut h, "f", b"");
        let fd = open(&mut h, "f", Oflags::EMPTY, RW).unwrap();
        assert_eq!(h.fd_renumber(fd, 10), Err(Errno::Badf));
        assert_eq!(h.fd_renumber(fd, 3), Ok(()));
        assert_eq!(
            h.fd_prestat_get(3),
            Err(Errno::Badf),
            "the preopen was replaced"
        );
        assert_eq!(h.fd_fdstat_get(3).unwrap().filetype, Filetype::RegularFile);
        assert_eq!(h.fd_fdstat_get(fd), Err(Errno::Badf));
        assert_eq!(h.fd_renumber(3, 3), Ok(()));
        // The lowest free number is reused.
        assert_eq!(h.fd_close(1), Ok(()));
        assert_eq!(h.sock_shutdown(1, Sdflags::RD), Err(Errno::Badf));
        let fd = h.path_open(
            3,
            FOLLOW,
            "x",
            Oflags::EMPTY,
            RW,
            Rights::EMPTY,
            Fdflags::EMPTY,
        );
        assert_eq!(fd, Err(Errno::Notdir));
    }

    #[test]
    fn poll_advances_virtual_time() {
        let mut h = host();
        let t0 = h.clock_time_get(Clockid::Monotonic, 0).unwrap();
        let sleep = Subscription {
            userdata: 7,
            kind: SubscriptionKind::Clock {
                id: Clockid::Monotonic,
                timeout: 5_000_000_000,
                precision: 0,
                flags: Default::default(),
            },
        };
        let events = h.poll_oneoff(&[sleep]).unwrap();
        assert_eq!(
            (events.len(), events[0].userdata, events[0].kind),
            (1, 7, Eventtype::Clock)
        );
        assert!(h.clock_time_get(Clockid::Monotonic, 0).unwrap() >= t0 + 5_000_000_000);
        // A ready descriptor answers at once; the clock does not fire.
        let read = Subscription {
            userdata: 1,
            kind: SubscriptionKind::FdRead(0),
        };
        let events = h.poll_oneoff(&[sleep, read]).unwrap();
        assert_eq!(
            (events.len(), events[0].kind, events[0].error),
            (1, Eventtype::FdRead, Errno::Success)
        );
        let bad = Subscription {
            userdata: 2,
            kind: SubscriptionKind::FdWrite(0),
        };
        assert_eq!(h.poll_oneoff(&[bad]).unwrap()[0].error, Errno::Notcapable);
        assert_eq!(h.poll_oneoff(&[]), Err(Errno::Inval));
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
