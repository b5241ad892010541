//! Building the guest programs of `tests-src/`: p1 bins for wasm32-wasip1,
//! each also wrapped into a component with the preview1 command adapter, p2
//! bins for wasm32-wasip2, and p3 bins for wasm32-wasip2 against the WASI
//! 0.3 WIT of wasmtime-wasi ([`wit_source::p3_wit`], copied to
//! `tests-src/p3/wit`, which git ignores); the C guests ([`c_guests`]) as wasm32-wasip1
//! modules, adapted the same way. Cargo caches the compiles; a C module or
//! an adapted component is rebuilt only when its inputs are newer.

use crate::exec::{c_guests, wit_source};
use crate::layout::Layout;
use crate::model::abi::Abi;
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fuzzer's interpreter (`tests-src/interp`): a p1 guest built with
/// the other p1 guests, run like any of them.
pub const INTERP: &str = "interp";

/// Builds the p1 guests and returns the interpreter's module.
pub fn interp(layout: &Layout) -> Result<PathBuf> {
    let guests = Guests::build(layout, &BTreeSet::from([Abi::P1]), None)?;
    guests.check(layout, INTERP, Abi::P1)
}

/// Built guest binaries.
pub struct Guests {
    dir: PathBuf,
}

/// The cargo package and target of the guests that run as `abi`.
fn package_and_target(abi: Abi) -> (&'static str, &'static str) {
    match abi {
        Abi::P1 | Abi::P1Component => ("guests-p1", "wasm32-wasip1"),
        Abi::P2 => ("guests-p2", "wasm32-wasip2"),
        Abi::P3 => ("guests-p3", "wasm32-wasip2"),
    }
}

/// Where cargo builds the guests of `package`: the p3 guests apart, as
/// their names are those of p2 guests for the same target.
fn target_dir(guests: &Path, package: &str) -> PathBuf {
    if package == "guests-p3" {
        guests.join("p3")
    } else {
        guests.to_path_buf()
    }
}

impl Guests {
    /// Builds what the given ABIs need, the C guests too with the C
    /// compiler `zig` ([`c_guests::zig`]), saying so on stderr, and returns
    /// where the binaries are.
    pub fn build(layout: &Layout, abis: &BTreeSet<Abi>, zig: Option<&Path>) -> Result<Guests> {
        let guests = Guests {
            dir: layout.target.join("guests"),
        };
        let builds: BTreeSet<_> = abis.iter().map(|&abi| package_and_target(abi)).collect();
        ensure_targets(builds.iter().map(|(_, target)| *target))?;
        for (package, target) in &builds {
            let mut packages = vec![*package];
            if *target == "wasm32-wasip1" {
                packages.push(INTERP);
            }
            if *package == "guests-p3" {
                wit_source::copy_once(&wit_source::p3_wit()?, &layout.tests_src.join("p3/wit"))?;
            }
            cargo_build(layout, &target_dir(&guests.dir, package), &packages, target)?;
        }
        let c_modules = guests.dir.join("c").join("wasm32-wasip1");
        if let Some(zig) = zig {
            c_guests::build(layout, zig, &c_modules)?;
        }
        if abis.contains(&Abi::P1Component) {
            guests.adapt_all(&guests.dir.join("wasm32-wasip1/release"))?;
            if zig.is_some() {
                guests.adapt_all(&c_modules)?;
            }
        }
        Ok(guests)
    }

    /// The binary of `guest` for `abi` (it may not exist: see [`Guests::check`]).
    pub fn path(&self, guest: &str, abi: Abi) -> PathBuf {
        let (package, target) = package_and_target(abi);
        match abi {
            Abi::P1Component => self.dir.join("p1-component").join(format!("{guest}.wasm")),
            _ if c_guests::is_c(guest) => self
                .dir
                .join("c")
                .join(target)
                .join(format!("{guest}.wasm")),
            Abi::P1 | Abi::P2 | Abi::P3 => target_dir(&self.dir, package)
                .join(target)
                .join("release")
                .join(format!("{guest}.wasm")),
        }
    }

    /// An error naming the program file when `guest` was not built for `abi`.
    pub fn check(&self, layout: &Layout, guest: &str, abi: Abi) -> Result<PathBuf> {
        let path = self.path(guest, abi);
        if !path.is_file() {
            let source = if c_guests::is_c(guest) {
                c_guests::source(layout, guest)
            } else {
                let (package, _) = package_and_target(abi);
                let dir = package.trim_start_matches("guests-");
                layout
                    .tests_src
                    .join(dir)
                    .join("src/bin")
                    .join(format!("{guest}.rs"))
            };
            bail!(
                "guest `{guest}` has no {abi} program (expected {})",
                source.display()
            );
        }
        Ok(path)
    }

    /// Wraps every p1 module of `modules` into a component whose module
    /// changed since.
    fn adapt_all(&self, modules: &Path) -> Result<()> {
        let out_dir = self.dir.join("p1-component");
        std::fs::create_dir_all(&out_dir)?;
        for entry in std::fs::read_dir(modules)? {
            let module = entry?.path();
            if module.extension().is_none_or(|x| x != "wasm") {
                continue;
            }
            let component = out_dir.join(module.file_name().expect("read_dir entries have names"));
            if is_newer(&component, &module) {
                continue;
            }
            adapt(&module, &component)?;
        }
        Ok(())
    }
}

/// Wraps a wasm32-wasip1 module into a component with the preview1 command adapter.
pub fn adapt(module: &Path, component: &Path) -> Result<()> {
    let bytes =
        std::fs::read(module).with_context(|| format!("{}: cannot read", module.display()))?;
    let encoded = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .and_then(|encoder| {
            encoder.adapter(
                "wasi_snapshot_preview1",
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )
        })
        .and_then(|encoder| encoder.validate(true).encode())
        .with_context(|| format!("{}: cannot adapt into a component", module.display()))?;
    crate::layout::write_atomic(component, &encoded)
}

/// Whether `a` exists and was modified no earlier than `b`.
pub fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

/// Adds missing wasm targets with `rustup target add`, saying so.
fn ensure_targets<'a>(targets: impl Iterator<Item = &'a str>) -> Result<()> {
    let wanted: Vec<&str> = targets.collect();
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let installed = match installed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        // No rustup: the toolchain manages its targets some other way; cargo will say.
        _ => return Ok(()),
    };
    let missing: Vec<&str> = wanted
        .into_iter()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "wasi-conform: adding missing wasm targets: rustup target add {}",
        missing.join(" ")
    );
    let status = Command::new("rustup")
        .arg("target")
        .arg("add")
        .args(&missing)
        .status()?;
    if !status.success() {
        bail!(
            "`rustup target add {}` failed ({status}); install the targets and retry",
            missing.join(" ")
        );
    }
    Ok(())
}

fn cargo_build(layout: &Layout, target_dir: &Path, packages: &[&str], target: &str) -> Result<()> {
    let package = packages.join(", ");
    eprintln!("wasi-conform: building guests {package} ({target})");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Resolved, so a checkout whose tests-src links to another's builds the
    // same workspace (cargo names path packages by where they are).
    let manifest = layout.tests_src.join("Cargo.toml");
    let manifest = std::fs::canonicalize(&manifest).unwrap_or(manifest);
    let output = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--target", target])
        .args(packages.iter().flat_map(|p| ["--package", p]))
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // Settings of an outer cargo (when run from `cargo test`) must not leak in.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .context("cannot run cargo to build the guests")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_error = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("see cargo's output");
        eprintln!("{stderr}");
        bail!("building {package} for {target} failed: {first_error}");
    }
    Ok(())
}
