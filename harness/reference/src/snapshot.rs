//! The filesystem snapshot shared with the harness: a sorted map from path
//! to kind, size, content hash and symlink target; no timestamps or inodes.
//!
//! Text form, one line per entry (paths and targets escape space, `\` and
//! control characters as `\xHH`):
//! `f a/b.txt 12 sha256:ab12...`, `d a`, `l link -> target`; a real file
//! over [`HASH_LIMIT`] is `f big 1099511627776 unhashed`.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Real files larger than this are recorded by size alone (`unhashed`): a
/// host may make a sparse file of a terabyte, which no snapshot can read.
/// RATIONALE.md, "Why are files over 64 MiB not hashed?".
pub const HASH_LIMIT: u64 = 64 << 20;

/// The kind of a snapshot entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (`f`).
    File,
    /// A directory (`d`).
    Dir,
    /// A symbolic link (`l`).
    Symlink,
}

/// One file, directory or symlink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// File, directory or symlink.
    pub kind: Kind,
    /// Content length for files, target length for symlinks, 0 for directories.
    pub size: u64,
    /// Lowercase hex SHA-256 of the content, files only (`None` for a file
    /// over [`HASH_LIMIT`]).
    pub sha256: Option<String>,
    /// The target, symlinks only.
    pub target: Option<String>,
}

impl Entry {
    /// A file entry for `content`.
    pub fn file(content: &[u8]) -> Entry {
        Entry::hashed(content.len() as u64, Sha256::new_with_prefix(content))
    }

    /// A file entry for a real file: its content hashed as it is read, or
    /// only its size when it is over [`HASH_LIMIT`].
    pub fn of_file(path: &Path, size: u64) -> io::Result<Entry> {
        if size > HASH_LIMIT {
            return Ok(Entry {
                kind: Kind::File,
                size,
                sha256: None,
                target: None,
            });
        }
        let mut hasher = Sha256::new();
        let read = io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
        Ok(Entry::hashed(read, hasher))
    }

    fn hashed(size: u64, hasher: Sha256) -> Entry {
        let hex = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Entry {
            kind: Kind::File,
            size,
            sha256: Some(hex),
            target: None,
        }
    }

    /// A directory entry.
    pub fn dir() -> Entry {
        Entry {
            kind: Kind::Dir,
            size: 0,
            sha256: None,
            target: None,
        }
    }

    /// A symlink entry pointing at `target`.
    pub fn symlink(target: &str) -> Entry {
        Entry {
            kind: Kind::Symlink,
            size: target.len() as u64,
            sha256: None,
            target: Some(target.to_string()),
        }
    }
}

/// A whole tree: path relative to the root, `/`-separated, to entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Entries by relative path; the root itself is not listed.
    pub entries: BTreeMap<String, Entry>,
}

impl Snapshot {
    /// Snapshots a real directory without following symlinks. Entries that
    /// are neither files, directories nor symlinks are left out.
    pub fn of_dir(root: &Path) -> io::Result<Snapshot> {
        let mut snap = Snapshot::default();
        walk(root, "", &mut snap)?;
        Ok(snap)
    }

    /// One line per entry, sorted by path.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (path, e) in &self.entries {
            let path = escape(path);
            let line = match e.kind {
                Kind::File => match &e.sha256 {
                    Some(hash) => format!("f {path} {} sha256:{hash}", e.size),
                    None => format!("f {path} {} unhashed", e.size),
                },
                Kind::Dir => format!("d {path}"),
                Kind::Symlink => {
                    format!("l {path} -> {}", escape(e.target.as_deref().unwrap_or("")))
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// Parses `to_text` output back.
    pub fn from_text(text: &str) -> Result<Snapshot, String> {
        let mut snap = Snapshot::default();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = || format!("snapshot line {}: cannot parse {line:?}", n + 1);
            let words: Vec<&str> = line.split(' ').collect();
            let (path, entry) = match words.as_slice() {
                ["f", path, size, hash] => {
                    let size = size.parse().map_err(|_| bad())?;
                    let sha256 = match *hash {
                        "unhashed" => None,
                        _ => Some(hash.strip_prefix("sha256:").ok_or_else(bad)?.to_string()),
                    };
                    let entry = Entry {
                        kind: Kind::File,
                        size,
                        sha256,
                        target: None,
                    };
                    (path, entry)
                }
                ["d", path] => (path, Entry::dir()),
                ["l", path, "->", target] => {
                    (path, Entry::symlink(&unescape(target).ok_or_else(bad)?))
                }
                _ => return Err(bad()),
            };
            snap.entries.insert(unescape(path).ok_or_else(bad)?, entry);
        }
        Ok(snap)
    }
}

fn walk(dir: &Path, prefix: &str, snap: &mut Snapshot) -> io::Result<()> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let name = item.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        // The kind comes with the directory entry: only files need a stat.
        let ft = item.file_type()?;
        if ft.is_symlink() {
            let target = std::fs::read_link(item.path())?;
            snap.entries
                .insert(rel, Entry::symlink(&target.to_string_lossy()));
        } else if ft.is_dir() {
            snap.entries.insert(rel.clone(), Entry::dir());
            walk(&item.path(), &rel, snap)?;
        } else if ft.is_file() {
            let size = item.metadata()?.len();
            snap.entries
                .insert(rel, Entry::of_file(&item.path(), size)?);
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c == ' ' || c == '\\' || c.is_control() {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'\\' {
            let hex = std::str::from_utf8(tail.get(1..3)?).ok()?;
            if tail.first() != Some(&b'x') {
                return None;
            }
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[3..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let mut snap = Snapshot::default();
        snap.entries.insert("a".into(), Entry::dir());
        snap.entries
            .insert("a/b c.txt".into(), Entry::file(b"hello"));
        snap.entries
            .insert("l".into(), Entry::symlink("../out side"));
        let text = snap.to_text();
        assert_eq!(
            text,
            "d a\n\
             f a/b\\x20c.txt 5 sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n\
             l l -> ../out\\x20side\n"
        );
        assert_eq!(Snapshot::from_text(&text).unwrap(), snap);
        assert!(Snapshot::from_text("x y").is_err());
    }

    #[test]
    fn of_real_dir() {
        let dir = std::env::temp_dir().join(format!("wasi-conform-snap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/f"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("abs")).unwrap();
        let snap = Snapshot::of_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let keys: Vec<&str> = snap.entries.keys().map(String::as_str).collect();
        assert_eq!(keys, ["abs", "sub", "sub/f"]);
        assert_eq!(snap.entries["abs"].target.as_deref(), Some("/etc/passwd"));
        assert_eq!(snap.entries["sub/f"].size, 1);
    }

    #[test]
    fn a_sparse_terabyte_file_is_recorded_by_size() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("big")).unwrap();
        big.set_len(1 << 40).unwrap();
        std::fs::write(dir.path().join("small"), b"hello").unwrap();
        let snap = Snapshot::of_dir(dir.path()).unwrap();
        let text = snap.to_text();
        assert_eq!(
            text,
            "f big 1099511627776 unhashed\n\
             f small 5 sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n"
        );
        assert_eq!(Snapshot::from_text(&text).unwrap(), snap);
    }
}
