//! The descriptor table: close, renumber, fdstat flags and rights, preopen
//! names, and the slot and lifetime bookkeeping the other calls share.

use super::{Desc, MAX_FDS, Object, ReferenceHost};
use crate::errno::Errno;
use crate::types::{Fd, Fdflags, Fdstat, Inode, Prestat, Rights};

impl ReferenceHost {
    pub(super) fn fd_close(&mut self, fd: Fd) -> Result<(), Errno> {
        let desc = self.fds.remove(&fd).ok_or(Errno::Badf)?;
        if let Object::File { ino, .. } = desc.object {
            self.forget_if_unused(ino);
        }
        Ok(())
    }

    pub(super) fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Errno> {
        let desc = self.desc(fd)?;
        Ok(Fdstat {
            filetype: desc.filetype(),
            flags: desc.flags,
            rights_base: desc.base,
            rights_inheriting: desc.inheriting,
        })
    }

    pub(super) fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<(), Errno> {
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

    pub(super) fn fd_fdstat_set_rights(
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

    pub(super) fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Errno> {
        let name = self.preopen(fd)?;
        Ok(Prestat {
            name_len: name.len() as u32,
        })
    }

    pub(super) fn fd_prestat_dir_name(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, Errno> {
        let name = self.preopen(fd)?;
        // A buffer shorter than `pr_name_len` (RATIONALE.md, "Why `nametoolong` for a short prestat buffer?").
        if name.len() > len as usize {
            return Err(Errno::Nametoolong);
        }
        Ok(name.as_bytes().to_vec())
    }

    pub(super) fn fd_renumber(&mut self, fd: Fd, to: Fd) -> Result<(), Errno> {
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
    pub(super) fn insert_fd(&mut self, desc: Desc) -> Result<Fd, Errno> {
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
    pub(super) fn forget_if_unused(&mut self, ino: Inode) {
        let held = self
            .fds
            .values()
            .any(|d| matches!(d.object, Object::File { ino: i, .. } if i == ino));
        if !held {
            self.fs.forget(ino);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::DIR_RIGHTS;
    use crate::host::tests::{FOLLOW, RW, create, host, open};
    use crate::types::{Filetype, Oflags, Sdflags, Whence};

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
}
