//! One fresh directory per (case, runtime): the fixture under `sandbox/`, canary
//! files beside it (outside every preopen), a snapshot after the run.

use crate::model::case::Case;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use wasi_conform_reference::memfs::{MemFs, Node};
use wasi_conform_reference::snapshot::Snapshot;

/// The content of every canary file; any change to it, or seeing it, is a
/// sandbox escape.
const CANARY_TEXT: &str = "canary: a guest must never see or change this file\n";

/// `Err` when the guest's output holds a canary's text (without its
/// newline, so a trace line's escaped copy counts too): it read a file
/// outside every preopen. Guests print what they read, so a read through
/// an escaping symlink shows here even when nothing was changed.
pub fn check_output(stdout: &[u8], stderr: &[u8]) -> Result<(), String> {
    let text = CANARY_TEXT.trim_end().as_bytes();
    let holds = |output: &[u8]| output.windows(text.len()).any(|window| window == text);
    match (holds(stdout), holds(stderr)) {
        (false, false) => Ok(()),
        (true, _) => Err("the guest read a canary (its text is on stdout)".into()),
        (_, true) => Err("the guest read a canary (its text is on stderr)".into()),
    }
}

/// Canary files, relative to the sandbox's top directory (the parent of `sandbox/`).
const CANARIES: [&str; 2] = ["canary.txt", "canary-dir/secret.txt"];

/// A temporary directory holding a case's fixture and its canaries.
pub struct Sandbox {
    dir: tempfile::TempDir,
    /// The host paths the fixture's absolute symlinks name, watched while
    /// the guest runs (see [`HostTargets`]).
    host_targets: Option<HostTargets>,
}

/// The host paths named by a fixture's absolute symlink targets (the fuzz
/// fixture's `abs -> /a`, a case's `out-abs-dir -> /`). A runtime that
/// resolves such a target on the host, not inside the preopen, reaches the
/// machine itself: what it does there is an escape no canary beside the
/// sandbox shows. While such a case runs, no other does (one lock for the
/// process), so a change there is this run's doing: a target created, a
/// file target changed, or a new entry in a directory target. What the
/// guest created is removed afterwards.
struct HostTargets {
    _alone: std::sync::MutexGuard<'static, ()>,
    /// (fixture path, host target, its state before the run).
    targets: Vec<(String, PathBuf, HostState)>,
}

/// What a host target is, compared before and after the run.
#[derive(PartialEq)]
enum HostState {
    Missing,
    /// A file or symlink: its size and modification time.
    File(u64, i64, i64),
    /// A directory: its entries.
    Dir(Vec<String>),
}

impl HostState {
    fn of(target: &Path) -> HostState {
        match fs::symlink_metadata(target) {
            Err(_) => HostState::Missing,
            Ok(meta) if meta.is_dir() => {
                let mut entries = list(target);
                entries.sort();
                HostState::Dir(entries)
            }
            Ok(meta) => HostState::File(meta.len(), meta.mtime(), meta.mtime_nsec()),
        }
    }
}

impl HostTargets {
    fn watch(case: &Case) -> Option<HostTargets> {
        static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let named: Vec<(String, PathBuf)> = case
            .fixture
            .iter()
            .filter_map(|entry| {
                let target = entry.symlink.as_deref().filter(|t| t.starts_with('/'))?;
                Some((entry.path.clone(), PathBuf::from(target)))
            })
            .collect();
        if named.is_empty() {
            return None;
        }
        let alone = ALONE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let targets = named
            .into_iter()
            .map(|(path, target)| {
                let before = HostState::of(&target);
                (path, target, before)
            })
            .collect();
        Some(HostTargets {
            _alone: alone,
            targets,
        })
    }

    /// `Err` naming the first change the guest made on the host through a
    /// target; what it created is removed.
    fn check(&self) -> Result<(), String> {
        let remove = |path: &Path| {
            let _ = fs::remove_dir_all(path).or_else(|_| fs::remove_file(path));
        };
        for (path, target, before) in &self.targets {
            let after = HostState::of(target);
            if after == *before {
                continue;
            }
            let through = format!("through the absolute symlink {path}");
            return Err(match (before, after) {
                (HostState::Missing, _) => {
                    remove(target);
                    format!(
                        "the guest created {} on the host, {through}",
                        target.display()
                    )
                }
                (HostState::Dir(old), HostState::Dir(new))
                    if new.iter().any(|e| !old.contains(e)) =>
                {
                    let created: Vec<&String> = new.iter().filter(|e| !old.contains(e)).collect();
                    for entry in &created {
                        remove(&target.join(entry));
                    }
                    format!(
                        "the guest changed the host directory {} (entries {created:?} appeared), {through}",
                        target.display()
                    )
                }
                _ => format!(
                    "the guest changed {} on the host, {through}",
                    target.display()
                ),
            });
        }
        Ok(())
    }
}

/// A preopened directory: the path the guest sees and the host directory.
#[derive(Debug, Clone)]
pub struct Preopen {
    pub guest: String,
    pub host: PathBuf,
}

impl Sandbox {
    /// Builds the fixture of `case` (from `fixtures_dir` and its inline entries)
    /// in a fresh temp dir and plants the canaries.
    pub fn create(case: &Case, fixtures_dir: &Path) -> Result<Sandbox> {
        let dir = tempfile::Builder::new().prefix("wasi-conform-").tempdir()?;
        let sandbox = Sandbox {
            dir,
            host_targets: HostTargets::watch(case),
        };
        let root = sandbox.root();
        fs::create_dir(&root)?;
        if let Some(name) = &case.fixture_dir {
            let src = fixtures_dir.join(name);
            copy_tree(&src, &root).with_context(|| fixture_dir_context(case, &src))?;
        }
        add_entries(case, &mut DiskTree(root))?;
        for canary in CANARIES {
            let path = sandbox.dir.path().join(canary);
            fs::create_dir_all(path.parent().expect("canary paths have a parent"))?;
            fs::write(path, CANARY_TEXT)?;
        }
        Ok(sandbox)
    }

    /// The directory holding the fixture; preopens are resolved inside it.
    /// It is named `sandbox`: a runtime that names a preopen by its host
    /// directory (WAMR 1.1.2) then shows the name the cases ask for.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("sandbox")
    }

    /// The filesystem left behind under `sandbox/`.
    pub fn snapshot(&self) -> Result<Snapshot> {
        Snapshot::of_dir(&self.root()).context("snapshot of the sandbox")
    }

    /// `Ok` when every canary is intact and nothing appeared beside `sandbox/`.
    pub fn check_canaries(&self) -> Result<(), String> {
        for canary in CANARIES {
            let path = self.dir.path().join(canary);
            // One read of a buffer longer than the text: a canary that grew
            // or shrank reads differently.
            let mut text = [0u8; CANARY_TEXT.len() + 1];
            match fs::File::open(&path).and_then(|mut f| f.read(&mut text)) {
                Ok(n) if &text[..n] == CANARY_TEXT.as_bytes() => {}
                Ok(_) => return Err(format!("canary {canary} was modified")),
                Err(e) => return Err(format!("canary {canary} is gone: {e}")),
            }
        }
        let expected = ["canary-dir", "canary.txt", "sandbox"];
        let mut found: Vec<String> = list(self.dir.path());
        found.sort();
        if found != expected {
            return Err(format!(
                "files appeared outside the sandbox root: {found:?}"
            ));
        }
        if list(&self.dir.path().join("canary-dir")) != ["secret.txt"] {
            return Err("files appeared in canary-dir".into());
        }
        match &self.host_targets {
            Some(targets) => targets.check(),
            None => Ok(()),
        }
    }
}

/// The same fixture as [`Sandbox::create`] builds on disk, as the reference
/// host's in-memory filesystem: a runtime that keeps its filesystem in
/// memory needs no directory, and has no canaries to reach.
pub fn in_memory(case: &Case, fixtures_dir: &Path) -> Result<MemFs> {
    let mut tree = match &case.fixture_dir {
        Some(name) => {
            let src = fixtures_dir.join(name);
            MemFs::load_dir(&src).with_context(|| fixture_dir_context(case, &src))?
        }
        None => MemFs::new(),
    };
    add_entries(case, &mut tree)?;
    Ok(tree)
}

/// The case's preopens mapped to host directories under `root`.
pub fn preopens(root: &Path, case: &Case) -> Vec<Preopen> {
    case.preopens
        .iter()
        .map(|(guest, dir)| Preopen {
            guest: guest.clone(),
            // `.` components dropped: the sandbox root is `ROOT`, not
            // `ROOT/.` (a runtime may name a preopen by its host path).
            host: root.join(dir).components().collect(),
        })
        .collect()
}

fn fixture_dir_context(case: &Case, src: &Path) -> String {
    format!(
        "{}: case `{}`: fixture_dir {}",
        case.source.display(),
        case.name,
        src.display()
    )
}

/// Where a fixture's inline entries are made: on disk or in memory.
trait Tree {
    fn dir(&mut self, path: &str) -> std::io::Result<()>;
    fn file(&mut self, path: &str, content: &str) -> std::io::Result<()>;
    fn symlink(&mut self, path: &str, target: &str) -> std::io::Result<()>;
    fn hard_link(&mut self, path: &str, existing: &str) -> std::io::Result<()>;
}

/// Makes the inline fixture entries of `case`, in order, in `tree`.
fn add_entries(case: &Case, tree: &mut impl Tree) -> Result<()> {
    for entry in &case.fixture {
        let path = entry.path.as_str();
        let made = if let Some(content) = &entry.file {
            tree.file(path, content)
        } else if entry.dir {
            tree.dir(path)
        } else if let Some(target) = &entry.symlink {
            tree.symlink(path, target)
        } else if let Some(existing) = &entry.hardlink {
            tree.hard_link(path, existing)
        } else {
            unreachable!("manifest validation guarantees one kind per fixture entry")
        };
        made.with_context(|| {
            format!(
                "{}: case `{}`: fixture entry `{}`",
                case.source.display(),
                case.name,
                entry.path
            )
        })?;
    }
    Ok(())
}

/// A fixture root on disk.
struct DiskTree(PathBuf);

impl DiskTree {
    /// `path` under the root, its parent directories created.
    fn place(&self, path: &str) -> std::io::Result<PathBuf> {
        let path = self.0.join(path);
        match path.parent() {
            Some(parent) if parent != self.0 => fs::create_dir_all(parent)?,
            _ => {}
        }
        Ok(path)
    }
}

impl Tree for DiskTree {
    fn dir(&mut self, path: &str) -> std::io::Result<()> {
        fs::create_dir_all(self.0.join(path))
    }
    fn file(&mut self, path: &str, content: &str) -> std::io::Result<()> {
        fs::write(self.place(path)?, content)
    }
    fn symlink(&mut self, path: &str, target: &str) -> std::io::Result<()> {
        std::os::unix::fs::symlink(target, self.place(path)?)
    }
    fn hard_link(&mut self, path: &str, existing: &str) -> std::io::Result<()> {
        fs::hard_link(self.0.join(existing), self.place(path)?)
    }
}

impl Tree for MemFs {
    fn dir(&mut self, path: &str) -> std::io::Result<()> {
        let dir = Node::Dir {
            entries: Default::default(),
            parent: MemFs::ROOT,
        };
        self.add(path, dir)
    }
    fn file(&mut self, path: &str, content: &str) -> std::io::Result<()> {
        self.add(path, Node::File(content.as_bytes().to_vec()))
    }
    fn symlink(&mut self, path: &str, target: &str) -> std::io::Result<()> {
        self.add(path, Node::Symlink(target.to_string()))
    }
    fn hard_link(&mut self, path: &str, existing: &str) -> std::io::Result<()> {
        self.add_link(path, existing)
    }
}

fn list(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Copies a directory tree, keeping symlinks as symlinks and files linked
/// to each other within the tree as hard links.
pub fn copy_tree(src: &Path, dst: &Path) -> std::io::Result<()> {
    copy_linked(src, dst, &mut HashMap::new())
}

/// [`copy_tree`], with the first copy of every multiply-linked file so far
/// by (device, inode).
fn copy_linked(
    src: &Path,
    dst: &Path,
    copied: &mut HashMap<(u64, u64), PathBuf>,
) -> std::io::Result<()> {
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &to)?;
        } else if kind.is_dir() {
            fs::create_dir(&to)?;
            copy_linked(&entry.path(), &to, copied)?;
        } else {
            let meta = entry.metadata()?;
            if meta.nlink() > 1 {
                match copied.entry((meta.dev(), meta.ino())) {
                    Entry::Occupied(first) => {
                        fs::hard_link(first.get(), &to)?;
                        continue;
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(to.clone());
                    }
                }
            }
            fs::copy(entry.path(), &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::FixtureEntry;

    fn case_with(fixture: Vec<FixtureEntry>) -> Case {
        let mut case = Case::new("fs/x", "g", "d", vec![crate::model::abi::Abi::P1]);
        case.fixture = fixture;
        case.preopens = vec![("/sandbox".into(), ".".into())];
        case
    }

    fn entry(path: &str) -> FixtureEntry {
        FixtureEntry {
            path: path.into(),
            file: None,
            dir: false,
            symlink: None,
            hardlink: None,
        }
    }

    #[test]
    fn builds_fixture_and_detects_canary_changes() {
        let case = case_with(vec![
            FixtureEntry {
                file: Some("hi".into()),
                ..entry("d/a.txt")
            },
            FixtureEntry {
                symlink: Some("../canary.txt".into()),
                ..entry("escape")
            },
            FixtureEntry {
                hardlink: Some("d/a.txt".into()),
                ..entry("b.txt")
            },
        ]);
        let sandbox = Sandbox::create(&case, Path::new("/nonexistent")).unwrap();
        let text = sandbox.snapshot().unwrap().to_text();
        assert!(text.contains("d/a.txt"), "{text}");
        assert!(text.contains("escape -> ../canary.txt"), "{text}");
        assert_eq!(
            preopens(&sandbox.root(), &case)[0].host,
            sandbox.root().join(".")
        );
        assert_eq!(sandbox.check_canaries(), Ok(()));

        fs::write(sandbox.root().join("escape"), "changed through the symlink").unwrap();
        assert!(sandbox.check_canaries().unwrap_err().contains("modified"));
    }

    /// A guest that creates the target of an absolute symlink on the host
    /// escaped; what it created is removed.
    #[test]
    fn creating_an_absolute_symlink_target_on_the_host_is_an_escape() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("a");
        let case = case_with(vec![FixtureEntry {
            symlink: Some(target.to_str().unwrap().into()),
            ..entry("abs")
        }]);
        let sandbox = Sandbox::create(&case, Path::new("/nonexistent")).unwrap();
        assert_eq!(sandbox.check_canaries(), Ok(()));
        fs::write(sandbox.root().join("abs"), "created through the symlink").unwrap();
        let escape = sandbox.check_canaries().unwrap_err();
        assert!(
            escape.contains("created") && escape.contains("absolute symlink abs"),
            "{escape}"
        );
        assert!(!target.exists(), "what the guest created is removed");
        // A sandbox with such a target holds the process's lock until it
        // is dropped.
        drop(sandbox);

        // A target that is an existing directory: a new entry in it.
        let case = case_with(vec![FixtureEntry {
            symlink: Some(outside.path().to_str().unwrap().into()),
            ..entry("abs-dir")
        }]);
        let sandbox = Sandbox::create(&case, Path::new("/nonexistent")).unwrap();
        assert_eq!(sandbox.check_canaries(), Ok(()));
        fs::write(
            sandbox.root().join("abs-dir/x"),
            "created through the symlink",
        )
        .unwrap();
        let escape = sandbox.check_canaries().unwrap_err();
        assert!(escape.contains("[\"x\"] appeared"), "{escape}");
        assert!(!outside.path().join("x").exists());
    }

    #[test]
    fn copies_keep_hard_links_and_symlinks() {
        let from = tempfile::tempdir().unwrap();
        fs::create_dir(from.path().join("d")).unwrap();
        fs::write(from.path().join("a"), "x").unwrap();
        fs::hard_link(from.path().join("a"), from.path().join("d/b")).unwrap();
        std::os::unix::fs::symlink("..", from.path().join("d/up")).unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), to.path()).unwrap();
        let a = fs::metadata(to.path().join("a")).unwrap();
        let b = fs::metadata(to.path().join("d/b")).unwrap();
        assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
        assert_eq!(
            fs::read_link(to.path().join("d/up")).unwrap(),
            Path::new("..")
        );
    }

    #[test]
    fn a_canary_in_the_output_is_an_escape() {
        assert_eq!(check_output(b"a.txt holds hello", b""), Ok(()));
        let read = br#"{"call":"fread","errno":"ok","ret":{"data":"canary: a guest must never see or change this file\n"}}"#;
        assert!(check_output(read, b"").unwrap_err().contains("on stdout"));
        assert!(
            check_output(b"", CANARY_TEXT.as_bytes())
                .unwrap_err()
                .contains("on stderr")
        );
    }

    #[test]
    fn a_file_beside_the_root_is_an_escape() {
        let sandbox = Sandbox::create(&case_with(vec![]), Path::new("/nonexistent")).unwrap();
        fs::write(sandbox.dir.path().join("new"), "x").unwrap();
        assert!(sandbox.check_canaries().unwrap_err().contains("outside"));
    }
}
