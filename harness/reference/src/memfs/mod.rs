//! The in-memory filesystem: inodes (file, directory, symlink), hard links
//! sharing an inode, link counts, and timestamps the caller supplies from
//! the virtual clock. Path resolution inside a sandbox lives here too.
//!
//! Building a tree before a run (from a real directory, or entry by entry
//! for fixtures) is in `load`.

mod load;

use std::collections::BTreeMap;

use crate::clock;
use crate::errno::Errno;
use crate::snapshot::{Entry, Snapshot};
use crate::types::{Filestat, Filetype, Inode, Timestamp};

/// Device number reported for every inode.
pub const DEV: u64 = 1;
/// Longest name a directory entry may have (`NAME_MAX` on Linux).
pub const NAME_MAX: usize = 255;
/// Longest path accepted (`PATH_MAX` on Linux, including the `\0`).
pub const PATH_MAX: usize = 4095;
/// Symlinks followed in one resolution before `loop` (`MAXSYMLINKS` on Linux).
pub const MAX_SYMLINKS: usize = 40;
/// Largest file the guest may make; beyond is `fbig` (RATIONALE.md, "Why size limits?").
pub const MAX_FILE_SIZE: u64 = 16 << 20;
/// Total file content the guest may make; beyond is `nospc`.
pub const MAX_TOTAL_SIZE: u64 = 64 << 20;

/// What an inode holds.
#[derive(Clone, Debug)]
pub enum Node {
    /// A regular file's content.
    File(Vec<u8>),
    /// A directory.
    Dir {
        /// Entries by name.
        entries: BTreeMap<String, Inode>,
        /// The parent directory (itself for the root).
        parent: Inode,
    },
    /// A symlink's target, verbatim.
    Symlink(String),
}

/// An inode: content, link count, timestamps.
#[derive(Clone, Debug)]
pub struct InodeData {
    /// What the inode holds.
    pub node: Node,
    /// Directory entries naming this inode (files and symlinks); a
    /// directory reports 2 + subdirectories while linked, 0 once removed.
    pub nlink: u64,
    /// Last data access.
    pub atim: Timestamp,
    /// Last data modification.
    pub mtim: Timestamp,
    /// Last status change.
    pub ctim: Timestamp,
}

/// The whole tree. Inodes are never reused, so an open descriptor keeps
/// working on an unlinked inode.
#[derive(Clone, Debug)]
pub struct MemFs {
    inodes: Vec<InodeData>,
    /// Bytes of file content held, for `MAX_TOTAL_SIZE`.
    bytes: u64,
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

/// The outcome of resolving a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The directory holding the last component.
    pub parent: Inode,
    /// The last component, or `None` when the path ends in `.` or `..`.
    pub name: Option<String>,
    /// The inode found, if the last component exists.
    pub ino: Option<Inode>,
    /// The path ended with `/`: the result must be a directory.
    pub trailing_slash: bool,
}

impl MemFs {
    /// The root inode.
    pub const ROOT: Inode = 1;

    /// A filesystem holding an empty root directory, stamped with the
    /// virtual clock's start.
    pub fn new() -> MemFs {
        let now = clock::REALTIME_START;
        let mut fs = MemFs {
            inodes: Vec::new(),
            bytes: 0,
        };
        fs.alloc(
            Node::Dir {
                entries: BTreeMap::new(),
                parent: Self::ROOT,
            },
            now,
        );
        fs.inodes[0].nlink = 2;
        fs
    }

    /// Allocates an unlinked inode with the next number, never reused
    /// (RATIONALE.md, "Why inode numbers in load order?").
    pub fn alloc(&mut self, node: Node, now: Timestamp) -> Inode {
        if let Node::File(bytes) = &node {
            self.bytes += bytes.len() as u64;
        }
        self.inodes.push(InodeData {
            node,
            nlink: 0,
            atim: now,
            mtim: now,
            ctim: now,
        });
        self.inodes.len() as Inode
    }

    /// The inode `ino`. Panics on an inode this filesystem never allocated.
    pub fn get(&self, ino: Inode) -> &InodeData {
        &self.inodes[(ino - 1) as usize]
    }

    /// The inode `ino`, mutably.
    pub fn get_mut(&mut self, ino: Inode) -> &mut InodeData {
        &mut self.inodes[(ino - 1) as usize]
    }

    /// The entries of directory `dir` (empty for non-directories).
    pub fn entries(&self, dir: Inode) -> Option<&BTreeMap<String, Inode>> {
        match &self.get(dir).node {
            Node::Dir { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// Whether `ino` is a directory.
    pub fn is_dir(&self, ino: Inode) -> bool {
        matches!(self.get(ino).node, Node::Dir { .. })
    }

    /// The witx file type of `ino`.
    pub fn filetype(&self, ino: Inode) -> Filetype {
        match self.get(ino).node {
            Node::File(_) => Filetype::RegularFile,
            Node::Dir { .. } => Filetype::Directory,
            Node::Symlink(_) => Filetype::SymbolicLink,
        }
    }

    /// `filestat` of `ino`.
    pub fn stat(&self, ino: Inode) -> Filestat {
        let data = self.get(ino);
        let (size, nlink) = match &data.node {
            Node::File(bytes) => (bytes.len() as u64, data.nlink),
            Node::Symlink(target) => (target.len() as u64, data.nlink),
            Node::Dir { entries, .. } if data.nlink > 0 => {
                let subdirs = entries.values().filter(|&&i| self.is_dir(i)).count() as u64;
                (0, 2 + subdirs)
            }
            Node::Dir { .. } => (0, 0),
        };
        Filestat {
            dev: DEV,
            ino,
            filetype: self.filetype(ino),
            nlink,
            size,
            atim: data.atim,
            mtim: data.mtim,
            ctim: data.ctim,
        }
    }

    /// Adds `name -> ino` to directory `dir` and counts the link; the caller
    /// has checked that `name` is free. A moved directory gets `dir` as parent.
    pub fn insert_entry(&mut self, dir: Inode, name: &str, ino: Inode) {
        if let Node::Dir { entries, .. } = &mut self.get_mut(dir).node {
            entries.insert(name.to_string(), ino);
        }
        let child = self.get_mut(ino);
        child.nlink += 1;
        if let Node::Dir { parent, .. } = &mut child.node {
            *parent = dir;
            child.nlink = child.nlink.max(2);
        }
    }

    /// Removes `name` from directory `dir` and uncounts the link.
    pub fn remove_entry(&mut self, dir: Inode, name: &str) {
        let removed = match &mut self.get_mut(dir).node {
            Node::Dir { entries, .. } => entries.remove(name),
            _ => None,
        };
        if let Some(ino) = removed {
            let child = self.get_mut(ino);
            child.nlink = if matches!(child.node, Node::Dir { .. }) {
                0
            } else {
                child.nlink - 1
            };
        }
    }

    /// Up to `len` bytes of file `ino` from `offset` (empty past the end).
    pub fn read_at(&self, ino: Inode, offset: u64, len: usize) -> Vec<u8> {
        match &self.get(ino).node {
            Node::File(bytes) => {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let end = start + len.min(bytes.len() - start);
                bytes[start..end].to_vec()
            }
            _ => Vec::new(),
        }
    }

    /// Writes the buffers one after another into file `ino` from `offset`,
    /// zero-filling any gap, and returns the bytes written; stamps
    /// mtim/ctim with `now`. The size limits are checked on the total
    /// before anything is copied, so the buffers (which may overlap in guest
    /// memory) are never gathered into one allocation.
    pub fn write_at(
        &mut self,
        ino: Inode,
        offset: u64,
        bufs: &[&[u8]],
        now: Timestamp,
    ) -> Result<u64, Errno> {
        let total: u64 = bufs.iter().map(|b| b.len() as u64).sum();
        if total == 0 {
            return Ok(0);
        }
        let end = offset.checked_add(total).ok_or(Errno::Fbig)?;
        if end > self.stat(ino).size {
            self.set_size(ino, end, now)?;
        }
        if let Node::File(bytes) = &mut self.get_mut(ino).node {
            let mut at = offset as usize;
            for buf in bufs {
                bytes[at..at + buf.len()].copy_from_slice(buf);
                at += buf.len();
            }
        }
        self.touch(ino, now);
        Ok(total)
    }

    /// Resizes file `ino`, zero-filling growth; `fbig` past `MAX_FILE_SIZE`,
    /// `nospc` past `MAX_TOTAL_SIZE`.
    pub fn set_size(&mut self, ino: Inode, size: u64, now: Timestamp) -> Result<(), Errno> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::Fbig);
        }
        let old = self.stat(ino).size;
        let total = self.bytes - old + size;
        if size > old && total > MAX_TOTAL_SIZE {
            return Err(Errno::Nospc);
        }
        if let Node::File(bytes) = &mut self.get_mut(ino).node {
            bytes.resize(size as usize, 0);
            self.bytes = total;
        }
        self.touch(ino, now);
        Ok(())
    }

    /// Drops the content of an unlinked file nobody holds open.
    pub fn forget(&mut self, ino: Inode) {
        let size = self.stat(ino).size;
        let data = self.get_mut(ino);
        if let (0, Node::File(bytes)) = (data.nlink, &mut data.node) {
            *bytes = Vec::new();
            self.bytes -= size;
        }
    }

    /// Stamps a content change: mtim and ctim become `now`.
    pub fn touch(&mut self, ino: Inode, now: Timestamp) {
        let data = self.get_mut(ino);
        data.mtim = now;
        data.ctim = now;
    }

    /// Whether `ancestor` is `ino` or one of its parents.
    pub fn is_ancestor(&self, ancestor: Inode, mut ino: Inode) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.get(ino).node {
                Node::Dir { parent, .. } if parent != ino => ino = parent,
                _ => return false,
            }
        }
    }

    /// Resolves `path` relative to directory `start`, never leaving it:
    /// absolute paths, `..` above `start` and symlinks leading outside give
    /// `perm` (RATIONALE.md, "Why `perm` for a path escaping the sandbox?").
    /// Symlinks in the middle are always followed, the last one only if
    /// `follow` (or the path ends with `/`); more than `MAX_SYMLINKS` is `loop`.
    pub fn resolve(&self, start: Inode, path: &str, follow: bool) -> Result<Resolved, Errno> {
        if path.is_empty() {
            return Err(Errno::Noent);
        }
        if path.len() > PATH_MAX {
            return Err(Errno::Nametoolong);
        }
        if path.contains('\0') {
            return Err(Errno::Inval);
        }
        if path.starts_with('/') {
            return Err(Errno::Perm);
        }
        let mut stack = vec![start];
        // Components still to walk, last first.
        let mut todo: Vec<String> = Vec::new();
        push_components(&mut todo, path)?;
        let mut trailing_slash = path.ends_with('/');
        let mut symlinks = 0;
        loop {
            let Some(comp) = todo.pop() else {
                // The path ended in `.` or `..` (or `/` after them).
                let ino = *stack.last().expect("stack never empty");
                let parent = stack.len().checked_sub(2).map_or(ino, |i| stack[i]);
                return Ok(Resolved {
                    parent,
                    name: None,
                    ino: Some(ino),
                    trailing_slash,
                });
            };
            let dir = *stack.last().expect("stack never empty");
            match comp.as_str() {
                "." => continue,
                ".." => {
                    if stack.len() == 1 {
                        return Err(Errno::Perm);
                    }
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            let last = todo.is_empty();
            let entries = self.entries(dir).ok_or(Errno::Notdir)?;
            let found = entries.get(&comp).copied();
            match found.map(|i| &self.get(i).node) {
                Some(Node::Symlink(target)) if !last || follow || trailing_slash => {
                    symlinks += 1;
                    if symlinks > MAX_SYMLINKS {
                        return Err(Errno::Loop);
                    }
                    if target.starts_with('/') {
                        return Err(Errno::Perm);
                    }
                    if target.is_empty() {
                        return Err(Errno::Noent);
                    }
                    // The target's own trailing `/` counts only if it ends the path.
                    if last {
                        trailing_slash |= target.ends_with('/');
                    }
                    push_components(&mut todo, target)?;
                }
                Some(Node::Dir { .. }) if !last => stack.push(found.expect("found")),
                Some(_) if !last => return Err(Errno::Notdir),
                None if !last => return Err(Errno::Noent),
                _ => {
                    // RATIONALE.md, "Why `notdir` for a trailing slash on a non-directory?"
                    if trailing_slash && found.is_some_and(|i| !self.is_dir(i)) {
                        return Err(Errno::Notdir);
                    }
                    return Ok(Resolved {
                        parent: dir,
                        name: Some(comp),
                        ino: found,
                        trailing_slash,
                    });
                }
            }
        }
    }

    /// The snapshot of the whole tree (walked with an explicit stack: a
    /// guest can nest directories deeper than the host stack would allow).
    pub fn snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        let mut dirs = vec![(Self::ROOT, String::new())];
        while let Some((dir, prefix)) = dirs.pop() {
            for (name, &ino) in self.entries(dir).into_iter().flatten() {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                let entry = match &self.get(ino).node {
                    Node::File(bytes) => Entry::file(bytes),
                    Node::Symlink(target) => Entry::symlink(target),
                    Node::Dir { .. } => {
                        dirs.push((ino, path.clone()));
                        Entry::dir()
                    }
                };
                snap.entries.insert(path, entry);
            }
        }
        snap
    }
}

/// Pushes the components of `path` onto `todo` so that they pop in order;
/// a component longer than `NAME_MAX` is `nametoolong`.
fn push_components(todo: &mut Vec<String>, path: &str) -> Result<(), Errno> {
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if comps.iter().any(|c| c.len() > NAME_MAX) {
        return Err(Errno::Nametoolong);
    }
    todo.extend(comps.into_iter().rev().map(str::to_string));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// root: d/ (holding f and up -> ../../x), l -> d/f
    fn tree() -> (MemFs, Inode, Inode) {
        let mut fs = MemFs::new();
        let d = fs.alloc(
            Node::Dir {
                entries: BTreeMap::new(),
                parent: MemFs::ROOT,
            },
            0,
        );
        fs.insert_entry(MemFs::ROOT, "d", d);
        let f = fs.alloc(Node::File(b"abc".to_vec()), 0);
        fs.insert_entry(d, "f", f);
        let l = fs.alloc(Node::Symlink("d/f".into()), 0);
        fs.insert_entry(MemFs::ROOT, "l", l);
        let up = fs.alloc(Node::Symlink("../../x".into()), 0);
        fs.insert_entry(d, "up", up);
        (fs, d, f)
    }

    #[test]
    fn resolve_cases() {
        let (fs, d, f) = tree();
        let root = MemFs::ROOT;
        let found = |path, follow| fs.resolve(root, path, follow).map(|r| r.ino);
        assert_eq!(found("d/f", false), Ok(Some(f)));
        assert_eq!(found("l", true), Ok(Some(f)));
        assert_ne!(found("l", false), Ok(Some(f)));
        assert_eq!(found("d/./f", false), Ok(Some(f)));
        assert_eq!(found("d//f", false), Ok(Some(f)));
        assert_eq!(found("d/missing", false), Ok(None));
        assert_eq!(found("missing/f", false), Err(Errno::Noent));
        assert_eq!(found("d/f/x", false), Err(Errno::Notdir));
        assert_eq!(found("d/f/", false), Err(Errno::Notdir));
        assert_eq!(found("d/up", true), Err(Errno::Perm));
        assert_eq!(found("/d", false), Err(Errno::Perm));
        assert_eq!(found("", false), Err(Errno::Noent));
        assert_eq!(found("a\0b", false), Err(Errno::Inval));
        assert_eq!(found(&"x/".repeat(2048), false), Err(Errno::Nametoolong));
        let r = fs.resolve(root, "d/..", false).unwrap();
        assert_eq!((r.ino, r.name), (Some(root), None));
        let r = fs.resolve(root, "d/", false).unwrap();
        assert_eq!(
            (r.parent, r.name.as_deref(), r.ino, r.trailing_slash),
            (root, Some("d"), Some(d), true)
        );
        // From `d`, `..` is above the starting directory.
        assert_eq!(fs.resolve(d, "../d", false), Err(Errno::Perm));
    }

    #[test]
    fn link_counts_and_sizes() {
        let (mut fs, d, f) = tree();
        assert_eq!(fs.stat(MemFs::ROOT).nlink, 3);
        fs.insert_entry(MemFs::ROOT, "hard", f);
        assert_eq!(fs.stat(f).nlink, 2);
        fs.remove_entry(d, "f");
        fs.remove_entry(MemFs::ROOT, "hard");
        assert_eq!(fs.stat(f).nlink, 0);
        assert_eq!(fs.read_at(f, 1, 10), b"bc");
        fs.forget(f);
        assert_eq!(fs.stat(f).size, 0);
        fs.remove_entry(MemFs::ROOT, "d");
        assert_eq!(fs.stat(d).nlink, 0);
        assert!(fs.is_ancestor(MemFs::ROOT, MemFs::ROOT));
    }

    #[test]
    fn size_limits() {
        let (mut fs, _, f) = tree();
        assert_eq!(fs.set_size(f, MAX_FILE_SIZE + 1, 5), Err(Errno::Fbig));
        assert_eq!(fs.write_at(f, u64::MAX, &[b"x"], 5), Err(Errno::Fbig));
        assert_eq!(fs.write_at(f, 4, &[b"", b"y", b"z"], 5), Ok(2));
        assert_eq!(fs.read_at(f, 0, 10), b"abc\0yz");
        assert_eq!(fs.write_at(f, 5, &[b"x"], 5), Ok(1));
        assert_eq!(fs.read_at(f, 0, 10), b"abc\0yx");
        assert_eq!(fs.stat(f).mtim, 5);
        let mut big = Vec::new();
        for _ in 0..MAX_TOTAL_SIZE / MAX_FILE_SIZE {
            let g = fs.alloc(Node::File(Vec::new()), 0);
            big.push(fs.set_size(g, MAX_FILE_SIZE, 0));
        }
        assert_eq!(big.last(), Some(&Err(Errno::Nospc)));
    }
}
