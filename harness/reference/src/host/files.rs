//! Calls on an open file or stdio stream: read, write, seek, sync, size,
//! allocation, advice and timestamps.

use super::{Object, ReferenceHost};
use crate::errno::Errno;
use crate::types::{
    Advice, Fd, Fdflags, Filesize, Filestat, Filetype, Fstflags, Inode, Rights, Timestamp, Whence,
};

impl ReferenceHost {
    pub(super) fn fd_advise(
        &mut self,
        fd: Fd,
        _offset: Filesize,
        len: Filesize,
        _advice: Advice,
    ) -> Result<(), Errno> {
        self.file(fd, Rights::FD_ADVISE, Errno::Badf)?;
        // posix_fadvise: EINVAL when "the value of len is less than zero"
        // (here: over i64::MAX, negative as an off_t); no rule for the
        // offset or the end of the range (RATIONALE.md, "Why does fd_advise
        // refuse only a negative len?").
        if len > i64::MAX as u64 {
            return Err(Errno::Inval);
        }
        Ok(())
    }

    pub(super) fn fd_allocate(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
    ) -> Result<(), Errno> {
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

    pub(super) fn fd_datasync(&mut self, fd: Fd) -> Result<(), Errno> {
        // fdatasync on a pipe or terminal: EINVAL.
        self.node(fd, Rights::FD_DATASYNC, Errno::Inval).map(drop)
    }

    pub(super) fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Errno> {
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

    pub(super) fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Errno> {
        // ftruncate on a pipe or terminal: EINVAL.
        let ino = match self.file(fd, Rights::FD_FILESTAT_SET_SIZE, Errno::Badf) {
            Err(Errno::Spipe) => Err(Errno::Inval),
            other => other,
        }?;
        let size = as_off_t(size)?;
        let now = self.now();
        self.fs.set_size(ino, size, now)
    }

    pub(super) fn fd_filestat_set_times(
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

    pub(super) fn fd_pread(
        &mut self,
        fd: Fd,
        len: usize,
        offset: Filesize,
    ) -> Result<Vec<u8>, Errno> {
        // witx rights: fd_read with fd_seek grants fd_pread.
        let ino = self.file(fd, Rights::FD_READ | Rights::FD_SEEK, Errno::Isdir)?;
        let offset = as_off_t(offset)?;
        Ok(self.fs.read_at(ino, offset, len))
    }

    pub(super) fn fd_pwrite(
        &mut self,
        fd: Fd,
        iovs: &[&[u8]],
        offset: Filesize,
    ) -> Result<u32, Errno> {
        // witx rights: fd_write with fd_seek grants fd_pwrite. The offset is
        // honoured even in append mode (RATIONALE.md, "Why does fd_pwrite ignore append mode?").
        let ino = self.file(fd, Rights::FD_WRITE | Rights::FD_SEEK, Errno::Badf)?;
        let offset = as_off_t(offset)?;
        let now = self.now();
        Ok(self.fs.write_at(ino, offset, iovs, now)? as u32)
    }

    pub(super) fn fd_read(&mut self, fd: Fd, len: usize) -> Result<Vec<u8>, Errno> {
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

    pub(super) fn fd_seek(
        &mut self,
        fd: Fd,
        offset: i64,
        whence: Whence,
    ) -> Result<Filesize, Errno> {
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

    pub(super) fn fd_sync(&mut self, fd: Fd) -> Result<(), Errno> {
        // fsync on a pipe or terminal: EINVAL.
        self.node(fd, Rights::FD_SYNC, Errno::Inval).map(drop)
    }

    pub(super) fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Errno> {
        self.fd_seek(fd, 0, Whence::Cur)
    }

    pub(super) fn fd_write(&mut self, fd: Fd, iovs: &[&[u8]]) -> Result<u32, Errno> {
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

    /// Sets atim/mtim per `fst_flags`; both a value and `_now` for the
    /// same timestamp is `inval` (RATIONALE.md, "Why `inval` for ATIM with ATIM_NOW?").
    pub(super) fn set_times(
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
}

/// `ATIM` with `ATIM_NOW` (or `MTIM` with `MTIM_NOW`) is `inval`, as
/// `utimensat` cannot express both.
pub(super) fn check_fstflags(flags: Fstflags) -> Result<(), Errno> {
    if flags.contains(Fstflags::ATIM | Fstflags::ATIM_NOW)
        || flags.contains(Fstflags::MTIM | Fstflags::MTIM_NOW)
    {
        return Err(Errno::Inval);
    }
    Ok(())
}

/// An offset or size as POSIX's signed `off_t` holds it: pread, pwrite and
/// ftruncate fail with EINVAL for a negative one, which is what a u64
/// `filesize` over 2^63 - 1 becomes (RATIONALE.md, "Why is an offset over
/// 2^63 - 1 invalid?").
fn as_off_t(offset: Filesize) -> Result<Filesize, Errno> {
    if offset > i64::MAX as u64 {
        Err(Errno::Inval)
    } else {
        Ok(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use crate::host::tests::{FOLLOW, RW, create, host, open};
    use crate::types::Oflags;

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
        let beyond_off_t = i64::MAX as u64 + 1;
        assert_eq!(h.fd_pread(fd, 1, beyond_off_t), Err(Errno::Inval));
        assert_eq!(h.fd_pwrite(fd, &[b"!"], beyond_off_t), Err(Errno::Inval));
        assert_eq!(h.fd_filestat_set_size(fd, beyond_off_t), Err(Errno::Inval));
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
        // Only a negative len (as an off_t) is refused, not the range's end.
        assert_eq!(h.fd_advise(fd, i64::MAX as u64, 1, Advice::Normal), Ok(()));
        assert_eq!(h.fd_advise(fd, u64::MAX, 1, Advice::Normal), Ok(()));
        assert_eq!(
            h.fd_advise(fd, 0, u64::MAX, Advice::Normal),
            Err(Errno::Inval)
        );
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
}
