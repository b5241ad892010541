//! The WASI documents the suite takes from its dependencies, never copies
//! into the repository: the witx and WIT files of the wasmtime-wasi crate
//! the harness is built with (and wasi:http's 0.2 WIT of wasmtime-wasi-http),
//! as cargo unpacked them into its registry. The
//! manifest tests read their doc comments (every `must` quote is verbatim
//! there); the p3 guests are built against its WASI 0.3 WIT.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The source directory of the wasmtime-wasi crate the harness is built
/// with, in cargo's registry (`$CARGO_HOME`, else `~/.cargo`).
pub fn wasmtime_wasi_source() -> Result<PathBuf> {
    registry_source("wasmtime-wasi")
}

/// The `wasi:http@0.2` WIT of the wasmtime-wasi-http crate the harness is
/// built with (the same version as wasmtime-wasi: both are pinned together).
pub fn wasi_http_wit() -> Result<PathBuf> {
    Ok(p2_wit_with_http()?.join("deps/http.wit"))
}

/// The WASI 0.2 WIT with wasi:http: wasmtime-wasi-http's `wit/`, whose
/// `deps/` hold wasmtime-wasi's 0.2 packages, the same files, and `wasi:http`.
pub fn p2_wit_with_http() -> Result<PathBuf> {
    Ok(registry_source("wasmtime-wasi-http")?.join("wit"))
}

/// The source directory of crate `name` at wasmtime-wasi's version.
fn registry_source(name: &str) -> Result<PathBuf> {
    let cargo_home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => Path::new(&std::env::var_os("HOME").context("neither CARGO_HOME nor HOME is set")?)
            .join(".cargo"),
    };
    let crate_dir = format!("{name}-{}", env!("WASI_CONFORM_VERSION_WASMTIME_WASI"));
    let registry = cargo_home.join("registry/src");
    std::fs::read_dir(&registry)
        .with_context(|| format!("{}: cannot read cargo's registry", registry.display()))?
        .filter_map(|index| Some(index.ok()?.path().join(&crate_dir)))
        .find(|dir| dir.is_dir())
        .with_context(|| {
            format!(
                "{}: no {crate_dir} (fetch it with `cargo fetch`)",
                registry.display()
            )
        })
}

/// wasmtime-wasi's WASI 0.3 WIT (`src/p3/wit`: the `wasi:*@0.3.0` packages
/// under `deps/`).
pub fn p3_wit() -> Result<PathBuf> {
    Ok(wasmtime_wasi_source()?.join("src/p3/wit"))
}

/// Copies the tree `from` to `to` unless `to` exists: into a temporary
/// directory beside it first, so a concurrent copy never sees half a tree.
pub fn copy_once(from: &Path, to: &Path) -> Result<()> {
    if to.is_dir() {
        return Ok(());
    }
    let parent = to.parent().unwrap_or(Path::new("."));
    let staging = tempfile::tempdir_in(parent)
        .with_context(|| format!("{}: cannot write", parent.display()))?;
    crate::exec::fixture::copy_tree(from, staging.path())
        .with_context(|| format!("{}: cannot copy", from.display()))?;
    match std::fs::rename(staging.keep(), to) {
        Ok(()) => Ok(()),
        // Another process put it there first.
        Err(_) if to.is_dir() => Ok(()),
        Err(e) => Err(e).with_context(|| format!("{}: cannot write", to.display())),
    }
}
