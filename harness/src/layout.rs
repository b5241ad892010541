//! Where the suite's files live in the repository, and writing them safely.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The directories of a wasi-conform checkout.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
    /// Guest programs (their own cargo workspace).
    pub tests_src: PathBuf,
    /// Case manifests.
    pub cases: PathBuf,
    /// Fixture directories named by `fixture_dir`.
    pub fixtures: PathBuf,
    /// Blessed outcomes and per-runtime expectation files.
    pub expected: PathBuf,
    /// Command-runtime templates.
    pub templates: PathBuf,
    /// Build output: guests, installed command runtimes.
    pub target: PathBuf,
    /// Certification reports, one directory per runtime and version.
    pub reports: PathBuf,
}

impl Layout {
    /// The layout of the checkout at `root`.
    pub fn new(root: &Path) -> Layout {
        let tests_src = root.join("tests-src");
        Layout {
            root: root.to_owned(),
            cases: tests_src.join("cases"),
            fixtures: tests_src.join("fixtures"),
            tests_src,
            expected: root.join("expected"),
            templates: root.join("harness/runtimes"),
            target: root.join("target"),
            reports: root.join("reports"),
        }
    }

    /// `$WASI_CONFORM_ROOT`, else the checkout this binary was built from.
    pub fn discover() -> Layout {
        let root = std::env::var_os("WASI_CONFORM_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
        Layout::new(&root.canonicalize().unwrap_or(root))
    }

    /// The expectation file of a runtime.
    pub fn expectations(&self, runtime: &str) -> PathBuf {
        self.expected
            .join("runtimes")
            .join(format!("{runtime}.toml"))
    }

    /// The fuzzer's triage file: differences WASI permits, kinds already
    /// covered by cases.
    pub fn fuzz_triage(&self) -> PathBuf {
        self.expected.join("fuzz-triage.toml")
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// reader never sees a half-written file; creates parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let cannot = || format!("{}: cannot write", path.display());
    std::fs::create_dir_all(dir).with_context(cannot)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(cannot)?;
    std::io::Write::write_all(&mut tmp, bytes).with_context(cannot)?;
    // The temporary file is private (0600); the result is an ordinary file.
    use std::os::unix::fs::PermissionsExt;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    tmp.persist(path).with_context(cannot)?;
    Ok(())
}
