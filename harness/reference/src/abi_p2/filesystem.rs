//! `wasi:filesystem`: descriptors are preview1 fds of the same host, opened
//! with `path_open`, so both ABIs share one filesystem model and one
//! sandbox (the host's path resolution); only the shapes change here
//! (RATIONALE.md, "How does WASI 0.2's filesystem map onto preview1?").

use std::collections::VecDeque;

use sha2::{Digest, Sha256};
use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::filesystem::preopens;
use wasmtime_wasi::p2::bindings::filesystem::types::ErrorCode;
use wasmtime_wasi::p2::bindings::sync::filesystem::types::{
    self, Advice, Descriptor as DescriptorRes, DescriptorFlags, DescriptorStat, DescriptorType,
    DirectoryEntry, DirectoryEntryStream, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, FsError};

use super::clocks::datetime;
use super::errors::{IoError, error_code, fs_error};
use super::{Descriptor, Input, Output, P2, Sink, Source};
use crate::errno::Errno;
use crate::host::{DIR_RIGHTS, FILE_RIGHTS};
use crate::system::System;
use crate::types::{
    self as p1, Dirent, Fd, Filestat, Filetype, Fstflags, Lookupflags, Oflags, Rights, Timestamp,
};

type FsResult<T> = Result<T, FsError>;

/// Bytes one `read` returns at most.
const READ_MAX: u64 = super::io::READ_MAX;
/// The buffer `read-directory` lists entries into, per `fd_readdir` call.
const READDIR_BUFFER: u32 = 64 << 10;

/// The flags a preopened directory has: it can be read and changed (the
/// suite's sandbox is writable).
fn preopen_flags() -> DescriptorFlags {
    DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY
}

fn lookup(flags: PathFlags) -> Lookupflags {
    if flags.contains(PathFlags::SYMLINK_FOLLOW) {
        Lookupflags::SYMLINK_FOLLOW
    } else {
        Lookupflags::EMPTY
    }
}

fn without(rights: Rights, removed: Rights) -> Rights {
    Rights(rights.0 & !removed.0)
}

/// The preview1 rights of a descriptor opened with `flags`: everything
/// except reading without `read` and writing or resizing without `write`
/// (which preview1 then refuses, and `error_code` reports as `bad-descriptor`).
fn rights(flags: DescriptorFlags) -> Rights {
    let mut r = FILE_RIGHTS | DIR_RIGHTS;
    if !flags.contains(DescriptorFlags::READ) {
        r = without(r, Rights::FD_READ);
    }
    if !flags.contains(DescriptorFlags::WRITE) {
        r = without(
            r,
            Rights::FD_WRITE | Rights::FD_ALLOCATE | Rights::FD_FILESTAT_SET_SIZE,
        );
    }
    r
}

fn descriptor_type(t: Filetype) -> DescriptorType {
    match t {
        Filetype::Unknown => DescriptorType::Unknown,
        Filetype::BlockDevice => DescriptorType::BlockDevice,
        Filetype::CharacterDevice => DescriptorType::CharacterDevice,
        Filetype::Directory => DescriptorType::Directory,
        Filetype::RegularFile => DescriptorType::RegularFile,
        Filetype::SocketDgram | Filetype::SocketStream => DescriptorType::Socket,
        Filetype::SymbolicLink => DescriptorType::SymbolicLink,
    }
}

fn stat(f: Filestat) -> DescriptorStat {
    DescriptorStat {
        type_: descriptor_type(f.filetype),
        link_count: f.nlink,
        size: f.size,
        data_access_timestamp: Some(datetime(f.atim)),
        data_modification_timestamp: Some(datetime(f.mtim)),
        status_change_timestamp: Some(datetime(f.ctim)),
    }
}

/// A `new-timestamp` as a preview1 timestamp and its two `fstflags`
/// (`set`, `now`). Nanoseconds of a second or more are `invalid`; a time
/// past 2554 (u64 nanoseconds) is `overflow`.
fn new_timestamp(t: NewTimestamp, set: Fstflags, now: Fstflags) -> FsResult<(Timestamp, Fstflags)> {
    match t {
        NewTimestamp::NoChange => Ok((0, Fstflags::EMPTY)),
        NewTimestamp::Now => Ok((0, now)),
        NewTimestamp::Timestamp(d) => {
            if d.nanoseconds >= 1_000_000_000 {
                return Err(ErrorCode::Invalid.into());
            }
            let ns = d
                .seconds
                .checked_mul(1_000_000_000)
                .and_then(|s| s.checked_add(d.nanoseconds.into()))
                .ok_or(ErrorCode::Overflow)?;
            Ok((ns, set))
        }
    }
}

fn times(a: NewTimestamp, m: NewTimestamp) -> FsResult<(Timestamp, Timestamp, Fstflags)> {
    let (atim, af) = new_timestamp(a, Fstflags::ATIM, Fstflags::ATIM_NOW)?;
    let (mtim, mf) = new_timestamp(m, Fstflags::MTIM, Fstflags::MTIM_NOW)?;
    Ok((atim, mtim, af | mf))
}

/// A hash of the identity, size and modification time (the WIT: "a hash of
/// the last-modification timestamp and file size, and may also include the
/// inode number, device number"), SHA-256 truncated to 128 bits.
fn metadata_hash(f: &Filestat) -> MetadataHashValue {
    let mut h = Sha256::new();
    for v in [f.dev, f.ino, f.size, f.mtim] {
        h.update(v.to_le_bytes());
    }
    let d = h.finalize();
    let half = |i: usize| u64::from_le_bytes(d[i..i + 8].try_into().unwrap_or_default());
    MetadataHashValue {
        lower: half(0),
        upper: half(8),
    }
}

/// Entries of one `fd_readdir` buffer that fit whole, without `.` and
/// `..`, and the cookie after the last.
fn decode_dirents(buf: &[u8], mut cookie: u64, out: &mut VecDeque<DirectoryEntry>) -> u64 {
    let mut at = 0;
    while let Some(header) = buf.get(at..at + Dirent::HEADER_SIZE) {
        let u64_at = |i: usize| u64::from_le_bytes(header[i..i + 8].try_into().unwrap_or_default());
        let namlen = u32::from_le_bytes(header[16..20].try_into().unwrap_or_default()) as usize;
        let start = at + Dirent::HEADER_SIZE;
        let Some(name) = buf.get(start..start + namlen) else {
            break;
        };
        if name != b"." && name != b".." {
            out.push_back(DirectoryEntry {
                type_: descriptor_type(
                    Filetype::from_wire(header[20].into()).unwrap_or(Filetype::Unknown),
                ),
                name: String::from_utf8_lossy(name).into_owned(),
            });
        }
        cookie = u64_at(0);
        at = start + namlen;
    }
    cookie
}

impl<S: System> P2<S> {
    /// The fd and flags of descriptor `rep`.
    fn descriptor(&self, d: &Resource<DescriptorRes>) -> FsResult<(Fd, DescriptorFlags)> {
        let desc = self.descriptors.get(d.rep()).map_err(FsError::trap)?;
        Ok((desc.fd, desc.flags))
    }

    fn fd(&self, d: &Resource<DescriptorRes>) -> FsResult<Fd> {
        self.descriptor(d).map(|(fd, _)| fd)
    }

    /// A directory descriptor that may change what it holds: without
    /// `mutate-directory` it is `read-only`, as the WIT says of `open-at`
    /// (RATIONALE.md, "How does WASI 0.2's filesystem map onto preview1?").
    /// A file is `not-directory` first, as preview1 answers it.
    fn mutable(&mut self, d: &Resource<DescriptorRes>) -> FsResult<Fd> {
        let (fd, flags) = self.descriptor(d)?;
        if flags.contains(DescriptorFlags::MUTATE_DIRECTORY) {
            Ok(fd)
        } else if self.filestat(fd)?.filetype != Filetype::Directory {
            Err(ErrorCode::NotDirectory.into())
        } else {
            Err(ErrorCode::ReadOnly.into())
        }
    }

    fn filestat(&mut self, fd: Fd) -> FsResult<Filestat> {
        self.sys.fd_filestat_get(fd).map_err(fs_error)
    }

    /// A stream's descriptor: it must not be a directory. Its flags are not
    /// checked here: the WIT says only that making the stream "May fail", so
    /// a stream the descriptor cannot serve fails at its first operation
    /// (`last-operation-failed` with `bad-descriptor`, as POSIX's `read` on a
    /// descriptor not open for reading).
    fn stream_parent(&mut self, d: &Resource<DescriptorRes>) -> FsResult<Fd> {
        let fd = self.fd(d)?;
        if self.filestat(fd)?.filetype == Filetype::Directory {
            return Err(ErrorCode::IsDirectory.into());
        }
        self.descriptors.adopt(d.rep()).map_err(FsError::trap)?;
        Ok(fd)
    }

    fn output_stream(
        &mut self,
        d: &Resource<DescriptorRes>,
        offset: Option<u64>,
    ) -> FsResult<Resource<DynOutputStream>> {
        let fd = self.stream_parent(d)?;
        let sink = Sink::File {
            fd,
            offset,
            parent: d.rep(),
        };
        let rep = self
            .outputs
            .insert(Output::new(sink))
            .map_err(FsError::trap)?;
        Ok(Resource::new_own(rep))
    }

    fn new_descriptor(&mut self, desc: Descriptor) -> wasmtime::Result<Resource<DescriptorRes>> {
        Ok(Resource::new_own(self.descriptors.insert(desc)?))
    }
}

impl<S: System> types::Host for P2<S> {
    /// `none` for a wasi:http body's error: "not all stream-related errors
    /// are filesystem-related errors".
    fn filesystem_error_code(
        &mut self,
        err: Resource<types::Error>,
    ) -> wasmtime::Result<Option<types::ErrorCode>> {
        Ok(match self.errors.get(err.rep())? {
            IoError::Errno(errno) => Some(error_code(*errno).into()),
            IoError::Http(_) => None,
        })
    }

    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<types::ErrorCode> {
        err.downcast().map(Into::into)
    }
}

impl<S: System> types::HostDescriptor for P2<S> {
    fn read_via_stream(
        &mut self,
        d: Resource<DescriptorRes>,
        offset: u64,
    ) -> FsResult<Resource<DynInputStream>> {
        let fd = self.stream_parent(&d)?;
        let input = Input::new(Source::File {
            fd,
            offset,
            parent: d.rep(),
        });
        let rep = self.inputs.insert(input).map_err(FsError::trap)?;
        Ok(Resource::new_own(rep))
    }

    fn write_via_stream(
        &mut self,
        d: Resource<DescriptorRes>,
        offset: u64,
    ) -> FsResult<Resource<DynOutputStream>> {
        self.output_stream(&d, Some(offset))
    }

    fn append_via_stream(
        &mut self,
        d: Resource<DescriptorRes>,
    ) -> FsResult<Resource<DynOutputStream>> {
        self.output_stream(&d, None)
    }

    fn advise(
        &mut self,
        d: Resource<DescriptorRes>,
        offset: u64,
        len: u64,
        advice: Advice,
    ) -> FsResult<()> {
        let advice = match advice {
            Advice::Normal => p1::Advice::Normal,
            Advice::Sequential => p1::Advice::Sequential,
            Advice::Random => p1::Advice::Random,
            Advice::WillNeed => p1::Advice::Willneed,
            Advice::DontNeed => p1::Advice::Dontneed,
            Advice::NoReuse => p1::Advice::Noreuse,
        };
        let fd = self.fd(&d)?;
        self.sys
            .fd_advise(fd, offset, len, advice)
            .map_err(fs_error)
    }

    fn sync_data(&mut self, d: Resource<DescriptorRes>) -> FsResult<()> {
        let fd = self.fd(&d)?;
        self.sys.fd_datasync(fd).map_err(fs_error)
    }

    fn get_flags(&mut self, d: Resource<DescriptorRes>) -> FsResult<DescriptorFlags> {
        self.descriptor(&d).map(|(_, flags)| flags)
    }

    fn get_type(&mut self, d: Resource<DescriptorRes>) -> FsResult<DescriptorType> {
        let fd = self.fd(&d)?;
        Ok(descriptor_type(self.filestat(fd)?.filetype))
    }

    fn set_size(&mut self, d: Resource<DescriptorRes>, size: u64) -> FsResult<()> {
        let fd = self.fd(&d)?;
        self.sys.fd_filestat_set_size(fd, size).map_err(fs_error)
    }

    fn set_times(
        &mut self,
        d: Resource<DescriptorRes>,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> FsResult<()> {
        let fd = self.fd(&d)?;
        let (atim, mtim, flags) = times(atim, mtim)?;
        self.sys
            .fd_filestat_set_times(fd, atim, mtim, flags)
            .map_err(fs_error)
    }

    /// The WIT's `bool` "indicates this read is at end of file": here, a
    /// read that returned fewer bytes than asked for (RATIONALE.md, "How
    /// does WASI 0.2's filesystem map onto preview1?").
    fn read(
        &mut self,
        d: Resource<DescriptorRes>,
        len: u64,
        offset: u64,
    ) -> FsResult<(Vec<u8>, bool)> {
        let fd = self.fd(&d)?;
        let len = len.min(READ_MAX);
        let data = self
            .sys
            .fd_pread(fd, len as usize, offset)
            .map_err(fs_error)?;
        let eof = (data.len() as u64) < len;
        Ok((data, eof))
    }

    fn write(&mut self, d: Resource<DescriptorRes>, buffer: Vec<u8>, offset: u64) -> FsResult<u64> {
        let fd = self.fd(&d)?;
        self.sys
            .fd_pwrite(fd, &[&buffer], offset)
            .map(u64::from)
            .map_err(fs_error)
    }

    /// The entries at the time of the call, in byte order of their names,
    /// without `.` and `..`.
    fn read_directory(
        &mut self,
        d: Resource<DescriptorRes>,
    ) -> FsResult<Resource<DirectoryEntryStream>> {
        let fd = self.fd(&d)?;
        let mut entries = VecDeque::new();
        let mut cookie = 0;
        loop {
            let buf = self
                .sys
                .fd_readdir(fd, READDIR_BUFFER, cookie)
                .map_err(fs_error)?;
            let next = decode_dirents(&buf, cookie, &mut entries);
            // Fewer bytes than the buffer holds: the end. No whole entry in a
            // full buffer cannot happen (names are far shorter).
            if buf.len() < READDIR_BUFFER as usize || next == cookie {
                break;
            }
            cookie = next;
        }
        let rep = self.dir_streams.insert(entries).map_err(FsError::trap)?;
        Ok(Resource::new_own(rep))
    }

    fn sync(&mut self, d: Resource<DescriptorRes>) -> FsResult<()> {
        let fd = self.fd(&d)?;
        self.sys.fd_sync(fd).map_err(fs_error)
    }

    fn create_directory_at(&mut self, d: Resource<DescriptorRes>, path: String) -> FsResult<()> {
        let fd = self.mutable(&d)?;
        self.sys.path_create_directory(fd, &path).map_err(fs_error)
    }

    fn stat(&mut self, d: Resource<DescriptorRes>) -> FsResult<DescriptorStat> {
        let fd = self.fd(&d)?;
        self.filestat(fd).map(stat)
    }

    fn stat_at(
        &mut self,
        d: Resource<DescriptorRes>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        let fd = self.fd(&d)?;
        self.sys
            .path_filestat_get(fd, lookup(flags), &path)
            .map(stat)
            .map_err(fs_error)
    }

    fn set_times_at(
        &mut self,
        d: Resource<DescriptorRes>,
        flags: PathFlags,
        path: String,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> FsResult<()> {
        // Without mutate-directory, "operations using the descriptor which
        // would ... modify the data or metadata of filesystem objects" are read-only.
        let fd = self.mutable(&d)?;
        let (atim, mtim, fst) = times(atim, mtim)?;
        self.sys
            .path_filestat_set_times(fd, lookup(flags), &path, atim, mtim, fst)
            .map_err(fs_error)
    }

    fn link_at(
        &mut self,
        d: Resource<DescriptorRes>,
        old_flags: PathFlags,
        old_path: String,
        new_d: Resource<DescriptorRes>,
        new_path: String,
    ) -> FsResult<()> {
        let fd = self.fd(&d)?;
        let new_fd = self.mutable(&new_d)?;
        self.sys
            .path_link(fd, lookup(old_flags), &old_path, new_fd, &new_path)
            .map_err(fs_error)
    }

    /// Creating, truncating or asking for `write` or `mutate-directory`
    /// needs a base with `mutate-directory` (the WIT: "fails with
    /// error-code::read-only"); the rest is preview1's `path_open`.
    fn open_at(
        &mut self,
        d: Resource<DescriptorRes>,
        path_flags: PathFlags,
        path: String,
        open_flags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<DescriptorRes>> {
        let changes = open_flags.intersects(OpenFlags::CREATE | OpenFlags::TRUNCATE)
            || flags.intersects(DescriptorFlags::WRITE | DescriptorFlags::MUTATE_DIRECTORY);
        let fd = if changes {
            self.mutable(&d)?
        } else {
            self.fd(&d)?
        };
        let mut oflags = Oflags::EMPTY;
        for (p2, p1) in [
            (OpenFlags::CREATE, Oflags::CREAT),
            (OpenFlags::DIRECTORY, Oflags::DIRECTORY),
            (OpenFlags::EXCLUSIVE, Oflags::EXCL),
            (OpenFlags::TRUNCATE, Oflags::TRUNC),
        ] {
            if open_flags.contains(p2) {
                oflags = oflags | p1;
            }
        }
        let inheriting = FILE_RIGHTS | DIR_RIGHTS;
        let new = self
            .sys
            .path_open(
                fd,
                lookup(path_flags),
                &path,
                oflags,
                rights(flags),
                inheriting,
                p1::Fdflags::EMPTY,
            )
            .map_err(fs_error)?;
        let desc = Descriptor {
            fd: new,
            flags,
            preopen: false,
        };
        self.new_descriptor(desc).map_err(FsError::trap)
    }

    fn readlink_at(&mut self, d: Resource<DescriptorRes>, path: String) -> FsResult<String> {
        let fd = self.fd(&d)?;
        let target = self
            .sys
            .path_readlink(fd, &path, u32::MAX)
            .map_err(fs_error)?;
        // The WIT: "If the contents contain an absolute or rooted path in the
        // underlying filesystem, this function fails with `error-code::not-permitted`."
        if target.starts_with(b"/") {
            return Err(ErrorCode::NotPermitted.into());
        }
        Ok(String::from_utf8_lossy(&target).into_owned())
    }

    fn remove_directory_at(&mut self, d: Resource<DescriptorRes>, path: String) -> FsResult<()> {
        let fd = self.mutable(&d)?;
        self.sys.path_remove_directory(fd, &path).map_err(fs_error)
    }

    fn rename_at(
        &mut self,
        d: Resource<DescriptorRes>,
        old_path: String,
        new_d: Resource<DescriptorRes>,
        new_path: String,
    ) -> FsResult<()> {
        let fd = self.mutable(&d)?;
        let new_fd = self.mutable(&new_d)?;
        self.sys
            .path_rename(fd, &old_path, new_fd, &new_path)
            .map_err(fs_error)
    }

    fn symlink_at(
        &mut self,
        d: Resource<DescriptorRes>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        let fd = self.mutable(&d)?;
        self.sys
            .path_symlink(&old_path, fd, &new_path)
            .map_err(fs_error)
    }

    fn unlink_file_at(&mut self, d: Resource<DescriptorRes>, path: String) -> FsResult<()> {
        let fd = self.mutable(&d)?;
        self.sys.path_unlink_file(fd, &path).map_err(fs_error)
    }

    /// Same device and inode; a descriptor that cannot be stat'ed is no object.
    fn is_same_object(
        &mut self,
        a: Resource<DescriptorRes>,
        b: Resource<DescriptorRes>,
    ) -> wasmtime::Result<bool> {
        let a = self.descriptors.get(a.rep())?.fd;
        let b = self.descriptors.get(b.rep())?.fd;
        Ok(
            match (self.sys.fd_filestat_get(a), self.sys.fd_filestat_get(b)) {
                (Ok(a), Ok(b)) => (a.dev, a.ino) == (b.dev, b.ino),
                _ => false,
            },
        )
    }

    fn metadata_hash(&mut self, d: Resource<DescriptorRes>) -> FsResult<MetadataHashValue> {
        let fd = self.fd(&d)?;
        Ok(metadata_hash(&self.filestat(fd)?))
    }

    fn metadata_hash_at(
        &mut self,
        d: Resource<DescriptorRes>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        let fd = self.fd(&d)?;
        let f = self
            .sys
            .path_filestat_get(fd, lookup(flags), &path)
            .map_err(fs_error)?;
        Ok(metadata_hash(&f))
    }

    fn drop(&mut self, d: Resource<DescriptorRes>) -> wasmtime::Result<()> {
        let desc = self.descriptors.remove(d.rep())?;
        if !desc.preopen {
            // A descriptor of ours is open until this drop; nothing else closes it.
            let _ = self.sys.fd_close(desc.fd);
        }
        Ok(())
    }
}

impl<S: System> types::HostDirectoryEntryStream for P2<S> {
    fn read_directory_entry(
        &mut self,
        s: Resource<DirectoryEntryStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let entries = self.dir_streams.get_mut(s.rep()).map_err(FsError::trap)?;
        Ok(entries.pop_front())
    }

    fn drop(&mut self, s: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
        self.dir_streams.remove(s.rep()).map(drop)
    }
}

impl<S: System> preopens::Host for P2<S> {
    /// The host's preopens, found as wasi-libc finds them: `fd_prestat_get`
    /// from fd 3 up to the first `badf`.
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<DescriptorRes>, String)>> {
        let mut dirs = Vec::new();
        for fd in 3..=Fd::MAX {
            let prestat = match self.sys.fd_prestat_get(fd) {
                Ok(p) => p,
                Err(Errno::Badf) => break,
                Err(_) => continue,
            };
            let Ok(name) = self.sys.fd_prestat_dir_name(fd, prestat.name_len) else {
                continue;
            };
            let desc = Descriptor {
                fd,
                flags: preopen_flags(),
                preopen: true,
            };
            dirs.push((
                self.new_descriptor(desc)?,
                String::from_utf8_lossy(&name).into_owned(),
            ));
        }
        Ok(dirs)
    }
}
