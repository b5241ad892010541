//! Building a `MemFs` before a run: `load_dir` from a real directory, and
//! `add`/`add_link` for fixtures, every inode stamped with the virtual clock's start.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

use super::{MemFs, Node};
use crate::clock;
use crate::types::{Inode, Timestamp};

impl MemFs {
    /// Loads a real directory: files, directories and symlinks verbatim
    /// (absolute or escaping targets too); hard links, detected by
    /// (dev, ino), share an inode. Every inode is stamped `now`. Other
    /// kinds (sockets, fifos, devices) are skipped.
    pub fn load_dir(dir: &Path) -> io::Result<MemFs> {
        let now = clock::REALTIME_START;
        let mut fs = MemFs::new();
        let mut seen = HashMap::new();
        fs.load_into(dir, Self::ROOT, now, &mut seen)?;
        Ok(fs)
    }

    fn load_into(
        &mut self,
        dir: &Path,
        into: Inode,
        now: Timestamp,
        seen: &mut HashMap<(u64, u64), Inode>,
    ) -> io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let mut items: Vec<_> = std::fs::read_dir(dir)?.collect::<io::Result<_>>()?;
        items.sort_by_key(|i| i.file_name());
        for item in items {
            let name = item.file_name().into_string().map_err(|n| {
                io::Error::new(io::ErrorKind::InvalidData, format!("non-UTF-8 name {n:?}"))
            })?;
            let path = item.path();
            let meta = std::fs::symlink_metadata(&path)?;
            let ft = meta.file_type();
            if ft.is_dir() {
                let sub = self.alloc(
                    Node::Dir {
                        entries: BTreeMap::new(),
                        parent: into,
                    },
                    now,
                );
                self.insert_entry(into, &name, sub);
                self.load_into(&path, sub, now, seen)?;
                continue;
            }
            let key = (meta.dev(), meta.ino());
            let ino = match seen.get(&key) {
                Some(&ino) if meta.nlink() > 1 => ino,
                _ if ft.is_symlink() => {
                    let target = std::fs::read_link(&path)?
                        .into_os_string()
                        .into_string()
                        .map_err(|t| {
                            io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!("non-UTF-8 target {t:?}"),
                            )
                        })?;
                    self.alloc(Node::Symlink(target), now)
                }
                _ if ft.is_file() => self.alloc(Node::File(std::fs::read(&path)?), now),
                _ => continue,
            };
            seen.insert(key, ino);
            self.insert_entry(into, &name, ino);
        }
        Ok(())
    }

    /// Adds `node` at `path` (relative, `/`-separated), creating missing
    /// parent directories as `create_dir_all` would; a directory where one
    /// already is is kept. For building fixtures, as [`MemFs::load_dir`]
    /// builds them from a real directory (every inode stamped with the
    /// virtual clock's start).
    pub fn add(&mut self, path: &str, node: Node) -> io::Result<()> {
        let (dir, name) = self.parent_of(path)?;
        match (self.child(dir, name), &node) {
            (Some(existing), Node::Dir { .. }) if self.is_dir(existing) => Ok(()),
            (Some(_), _) => Err(exists(path)),
            (None, _) => {
                let ino = self.alloc(node, clock::REALTIME_START);
                self.insert_entry(dir, name, ino);
                Ok(())
            }
        }
    }

    /// Adds a hard link at `path` to the file or symlink at `existing`
    /// (both relative, `/`-separated, symlinks not followed).
    pub fn add_link(&mut self, path: &str, existing: &str) -> io::Result<()> {
        let (from_dir, from_name) = self.parent_of(existing)?;
        let target = self
            .child(from_dir, from_name)
            .filter(|&ino| !self.is_dir(ino))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{existing}: no file to link to"),
                )
            })?;
        let (dir, name) = self.parent_of(path)?;
        if self.child(dir, name).is_some() {
            return Err(exists(path));
        }
        self.insert_entry(dir, name, target);
        Ok(())
    }

    /// The directory that holds the last component of `path` (created
    /// with its ancestors when missing), and that component.
    fn parent_of<'p>(&mut self, path: &'p str) -> io::Result<(Inode, &'p str)> {
        let mut parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        let name = parts.pop().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{path:?}: no name"))
        })?;
        let mut dir = Self::ROOT;
        for part in parts {
            dir = match self.child(dir, part) {
                Some(ino) if self.is_dir(ino) => ino,
                Some(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("{path}: {part} is not a directory"),
                    ));
                }
                None => {
                    let sub = self.alloc(
                        Node::Dir {
                            entries: BTreeMap::new(),
                            parent: dir,
                        },
                        clock::REALTIME_START,
                    );
                    self.insert_entry(dir, part, sub);
                    sub
                }
            };
        }
        Ok((dir, name))
    }

    /// The inode named `name` in directory `dir`.
    fn child(&self, dir: Inode, name: &str) -> Option<Inode> {
        self.entries(dir)?.get(name).copied()
    }
}

fn exists(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{path}: already exists"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_builds_what_load_dir_loads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("d/e")).unwrap();
        std::fs::write(dir.path().join("d/f"), b"abc").unwrap();
        std::fs::hard_link(dir.path().join("d/f"), dir.path().join("h")).unwrap();
        std::os::unix::fs::symlink("../x", dir.path().join("d/up")).unwrap();
        let loaded = MemFs::load_dir(dir.path()).unwrap();

        let mut built = MemFs::new();
        built.add("d/f", Node::File(b"abc".to_vec())).unwrap();
        built.add("d/up", Node::Symlink("../x".into())).unwrap();
        let empty_dir = || Node::Dir {
            entries: BTreeMap::new(),
            parent: MemFs::ROOT,
        };
        built.add("d/e", empty_dir()).unwrap();
        built.add("d", empty_dir()).unwrap();
        built.add_link("h", "d/f").unwrap();
        assert_eq!(built.snapshot(), loaded.snapshot());
        let (d, _) = built.parent_of("d/f").unwrap();
        let f = built.child(d, "f").unwrap();
        assert_eq!(built.get(f).nlink, 2);

        assert!(built.add("d/f", Node::File(Vec::new())).is_err());
        assert!(built.add("d/f/g", Node::File(Vec::new())).is_err());
        assert!(built.add_link("k", "d").is_err());
    }
}
