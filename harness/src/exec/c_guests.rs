//! The C guests of `tests-src/c/`: each `NAME.c` there, with the trace
//! writer in `tests-src/c/support/`, is compiled against wasi-libc into the
//! wasm32-wasip1 module of guest `c-NAME`.
//!
//! The compiler is `zig cc` from the PyPI package `ziglang` (pinned), which
//! bundles a recent wasi-libc and the wasm32 compiler-rt builtins, installs
//! with pip alone on a fresh machine, and is the same on every machine.
//! It is installed on first use into `target/tools/`, saying so; its build
//! cache goes there too.

use crate::layout::Layout;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Guests whose name starts with this are C programs: `c-NAME` is
/// `tests-src/c/NAME.c`.
pub const PREFIX: &str = "c-";

/// The pinned `ziglang` release from PyPI.
pub const ZIG_VERSION: &str = "0.17.1";

/// The C toolchain as reports name it.
pub fn toolchain() -> String {
    format!(
        "zig cc {ZIG_VERSION} (PyPI ziglang=={ZIG_VERSION}), its bundled wasi-libc, -target wasm32-wasi -O2"
    )
}

/// Whether `guest` is a C guest.
pub fn is_c(guest: &str) -> bool {
    guest.starts_with(PREFIX)
}

/// The source of C guest `guest`.
pub fn source(layout: &Layout, guest: &str) -> PathBuf {
    let name = guest.strip_prefix(PREFIX).unwrap_or(guest);
    c_dir(layout).join(format!("{name}.c"))
}

fn c_dir(layout: &Layout) -> PathBuf {
    layout.tests_src.join("c")
}

/// Runs `f` holding `target/tools/c-guests.lock`: harnesses started at
/// once (the tests start many) install and compile one at a time.
fn locked<T>(layout: &Layout, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let tools = layout.target.join("tools");
    std::fs::create_dir_all(&tools)
        .with_context(|| format!("{}: cannot create", tools.display()))?;
    let path = tools.join("c-guests.lock");
    let lock = std::fs::File::create(&path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    lock.lock()
        .with_context(|| format!("{}: cannot lock", path.display()))?;
    f()
}

/// The `zig` binary, installed into `target/tools/` first if missing.
pub fn zig(layout: &Layout) -> Result<PathBuf> {
    locked(layout, || install(layout))
}

fn install(layout: &Layout) -> Result<PathBuf> {
    let dir = layout
        .target
        .join("tools")
        .join(format!("ziglang-{ZIG_VERSION}"));
    let zig = dir.join("ziglang").join("zig");
    if zig.is_file() {
        return Ok(zig);
    }
    eprintln!(
        "wasi-conform: installing the C toolchain: python3 -m pip install --target {} ziglang=={ZIG_VERSION}",
        dir.display()
    );
    // Installed beside and renamed into place, so an interrupted install
    // is never taken for a toolchain.
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-deps", "--target"])
        .arg(&partial)
        .arg(format!("ziglang=={ZIG_VERSION}"))
        .output()
        .context("cannot run python3 -m pip to install the C toolchain (PyPI ziglang)")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = stderr
            .lines()
            .find(|l| l.starts_with("ERROR"))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("pip printed nothing");
        bail!("cannot install the C toolchain (pip install ziglang=={ZIG_VERSION}): {why}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir)
        .with_context(|| format!("{}: cannot move the toolchain into place", dir.display()))?;
    Ok(zig)
}

/// The files of `dir`, sorted.
fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?
    {
        let path = entry?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Compiles every C guest whose module is missing or older than its
/// sources into `out_dir` (`c-NAME.wasm`), two at a time.
pub fn build(layout: &Layout, zig: &Path, out_dir: &Path) -> Result<()> {
    locked(layout, || compile_stale(layout, zig, out_dir))
}

fn compile_stale(layout: &Layout, zig: &Path, out_dir: &Path) -> Result<()> {
    let dir = c_dir(layout);
    let support = dir.join("support");
    // Every guest is compiled with all of support/*.c and depends on every
    // file there.
    let shared = list(&support)?;
    let shared_sources: Vec<&PathBuf> = shared
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    let mut stale = Vec::new();
    for source in list(&dir)? {
        if source.extension().is_none_or(|x| x != "c") {
            continue;
        }
        let stem = source
            .file_stem()
            .expect("a .c file has a stem")
            .to_string_lossy();
        let module = out_dir.join(format!("{PREFIX}{stem}.wasm"));
        let mut inputs = vec![source.as_path(), zig];
        inputs.extend(shared.iter().map(PathBuf::as_path));
        if !inputs
            .iter()
            .all(|input| super::guests::is_newer(&module, input))
        {
            stale.push((source, module));
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    eprintln!(
        "wasi-conform: compiling {} C guests with {}",
        stale.len(),
        toolchain()
    );
    std::fs::create_dir_all(out_dir)?;
    let cache = layout.target.join("tools").join("zig-cache");
    let compile = |(source, module): &(PathBuf, PathBuf)| -> Result<()> {
        let partial = module.with_extension("wasm.partial");
        let output = Command::new(zig)
            .args([
                "cc",
                "-target",
                "wasm32-wasi",
                "-O2",
                "-s",
                "-Wall",
                "-Wextra",
                "-Werror",
            ])
            .arg("-I")
            .arg(&support)
            .arg("-o")
            .arg(&partial)
            .arg(source)
            .args(&shared_sources)
            .env("ZIG_GLOBAL_CACHE_DIR", &cache)
            .env("ZIG_LOCAL_CACHE_DIR", &cache)
            .output()
            .with_context(|| format!("{}: cannot run zig", zig.display()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            eprintln!("{stderr}");
            let first = stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("see zig's output");
            bail!("{}: does not compile: {first}", source.display());
        }
        std::fs::rename(&partial, module)
            .with_context(|| format!("{}: cannot write", module.display()))
    };
    // The first compile builds wasi-libc into the cache; the others wait on
    // its lock, so two threads are enough.
    let (even, odd): (Vec<_>, Vec<_>) = stale.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| odd.iter().try_for_each(|(_, job)| compile(job)));
        let mine = even.iter().try_for_each(|(_, job)| compile(job));
        mine.and(other.join().expect("a compile thread does not panic"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_guests_are_named_after_their_source() {
        let layout = Layout::new(Path::new("/repo"));
        assert!(is_c("c-files") && !is_c("calls"));
        assert_eq!(
            source(&layout, "c-files"),
            Path::new("/repo/tests-src/c/files.c")
        );
    }
}
