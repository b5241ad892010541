//! Opening and stat'ing a path relative to a directory descriptor:
//! `path_open` with its flag and rights checks, `path_filestat_get` and
//! `path_filestat_set_times`.

use super::files::check_fstflags;
use super::{DIR_RIGHTS, Desc, FILE_RIGHTS, Object, ReferenceHost};
use crate::errno::Errno;
use crate::memfs::Node;
use crate::types::{Fd, Fdflags, Filestat, Fstflags, Lookupflags, Oflags, Rights, Timestamp};

impl ReferenceHost {
    pub(super) fn path_filestat_get(
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

    pub(super) fn path_filestat_set_times(
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn path_open(
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
        // excl without creat is ignored, as openat does (RATIONALE.md, "Why
        // does excl without creat open an existing file?").
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::{FOLLOW, NOFOLLOW, RW, create, host, open};
    use crate::types::Filetype;

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
}
