//! `wasi-conform testsuite`: runs tests written in the WebAssembly/wasi-testsuite
//! format as its official runner does. A test is `X.wasm` with an optional
//! `X.json` beside it ([`spec`]); a directory of tests may hold a
//! `manifest.json` (`name`, `version`), and a directory named after a WASI
//! version (`wasm32-wasip1`, `wasm32-wasip2`, `wasm32-wasip3`) holds tests of
//! that version, as upstream reads them.
//!
//! `root` names a directory next to the test, preopened as `/`; each of
//! `dirs` is preopened under its own name. The fixture is copied into a
//! fresh sandbox for every run, so a test never changes its own directory.
//! argv[0] is the file name `X.wasm`, which is what upstream's wasmtime
//! adapter gives the guest (the wasmtime CLI passes the base name of the
//! path the runner hands it). stdin is what the spec's `write` operations
//! write, then end-of-file. A spec that talks to the guest while it runs
//! (sockets, HTTP requests, signals, servers, the `wasi:http/service`
//! world) runs live ([`live`]).

pub(crate) mod http;
pub mod live;
pub mod spec;

use crate::exec::executor;
use crate::exec::runtimes::{Limits, Runtime};
use crate::judge::{self, testsuite::Reads};
use crate::model::abi::Abi;
use crate::model::case::{Binding, Case};
use crate::model::record::Record;
use crate::model::verdict::{Judgement, Verdict};
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use spec::{Spec, Step};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The runtime `testsuite` uses when none is named.
pub const DEFAULT_RUNTIME: &str = "reference";

/// What a `.wasm` file holds, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmKind {
    /// A core module (runs as `p1`).
    Module,
    /// A component (runs as `p2`, or `p1-component` where that is all a
    /// runtime declares).
    Component,
}

impl WasmKind {
    /// Reads the preamble: `\0asm`, then version 1 layer 0 for a core
    /// module, or a component's version with layer 1.
    pub fn of_header(bytes: &[u8]) -> Result<WasmKind, String> {
        match bytes {
            [0, b'a', b's', b'm', 1, 0, 0, 0, ..] => Ok(WasmKind::Module),
            [0, b'a', b's', b'm', _, _, 1, 0, ..] => Ok(WasmKind::Component),
            [0, b'a', b's', b'm', v0, v1, l0, l1, ..] => Err(format!(
                "unknown WebAssembly version {} layer {}",
                u16::from_le_bytes([*v0, *v1]),
                u16::from_le_bytes([*l0, *l1])
            )),
            _ => Err("not a WebAssembly binary (no `\\0asm` header)".into()),
        }
    }

    /// The ABIs a test of this kind and WASI `version` runs as, in order
    /// of preference: a module as `p1`; a component of a `wasm32-wasip3`
    /// suite as `p3`; any other component as `p2`, or `p1-component` where
    /// that is all a runtime declares.
    pub fn abis(self, version: WasiVersion) -> &'static [Abi] {
        match (self, version) {
            (WasmKind::Module, _) => &[Abi::P1],
            (WasmKind::Component, WasiVersion::P3) => &[Abi::P3],
            (WasmKind::Component, _) => &[Abi::P2, Abi::P1Component],
        }
    }
}

/// The WASI version a directory of tests targets (upstream's `WasiVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasiVersion {
    P1,
    P2,
    P3,
}

impl WasiVersion {
    fn named(name: &str) -> Option<WasiVersion> {
        match name {
            "wasm32-wasip1" => Some(WasiVersion::P1),
            "wasm32-wasip2" => Some(WasiVersion::P2),
            "wasm32-wasip3" => Some(WasiVersion::P3),
            _ => None,
        }
    }

    /// The version of the tests in `dir`, as upstream's `_read_manifest`
    /// tells it: `manifest.json`'s `version`, else the directory's name,
    /// else `wasm32-wasip1`. A manifest key other than `name` and
    /// `version` is an error, as upstream.
    pub fn of_dir(dir: &Path) -> Result<WasiVersion> {
        let by_name = dir
            .file_name()
            .and_then(|n| WasiVersion::named(&n.to_string_lossy()))
            .unwrap_or(WasiVersion::P1);
        let path = dir.join("manifest.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(by_name),
            Err(e) => bail!("{}: cannot read: {e}", path.display()),
        };
        let manifest: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut version = by_name;
        for (key, value) in &manifest {
            match (key.as_str(), value.as_str()) {
                ("name", Some(_)) => {}
                ("version", Some(v)) => {
                    version = WasiVersion::named(v).ok_or_else(|| {
                        anyhow::anyhow!("{}: unknown WASI version `{v}`", path.display())
                    })?
                }
                _ => bail!("{}: unexpected manifest option `{key}`", path.display()),
            }
        }
        Ok(version)
    }
}

/// One test found on disk.
#[derive(Debug, Clone)]
pub struct Test {
    /// The `.wasm` path as found under a directory given on the command
    /// line, without the extension.
    pub name: String,
    pub wasm: PathBuf,
    /// The file that is compiled and run: the first test file with the same
    /// bytes, so identical binaries are compiled once.
    pub binary: PathBuf,
    pub kind: WasmKind,
    /// The WASI version of the test's directory.
    pub version: WasiVersion,
    pub spec: Spec,
}

impl Test {
    /// Loads `X.wasm` and `X.json` (if present) of a directory of `version`;
    /// `binaries` maps the digest of every binary loaded so far to its
    /// first file.
    fn load(
        wasm: &Path,
        version: WasiVersion,
        binaries: &mut HashMap<Vec<u8>, PathBuf>,
    ) -> Result<Test> {
        let bytes =
            std::fs::read(wasm).with_context(|| format!("{}: cannot read", wasm.display()))?;
        let kind = WasmKind::of_header(&bytes)
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", wasm.display()))?;
        let binary = binaries
            .entry(Sha256::digest(&bytes).to_vec())
            .or_insert_with(|| wasm.to_owned())
            .clone();
        let json = wasm.with_extension("json");
        let spec = match std::fs::read_to_string(&json) {
            Ok(text) => Spec::parse(&text, &json, wasm.parent().unwrap_or(Path::new(".")))?,
            // Upstream's default configuration: run, then wait for exit 0.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Spec::of_legacy(spec::Legacy::default())
            }
            Err(e) => bail!("{}: cannot read: {e}", json.display()),
        };
        Ok(Test {
            name: wasm.with_extension("").display().to_string(),
            wasm: wasm.to_owned(),
            binary,
            kind,
            version,
            spec,
        })
    }

    /// The ABI a runtime declaring `abis` runs this test as; `None` to skip it.
    pub fn abi_on(&self, abis: &[Abi]) -> Option<Abi> {
        self.kind
            .abis(self.version)
            .iter()
            .copied()
            .find(|abi| abis.contains(abi))
    }

    /// The test as a case the runner can execute as `abi`, its fixture
    /// taken from the test's directory ([`Test::fixtures`]).
    pub fn case(&self, abi: Abi) -> Case {
        let run = &self.spec.run;
        let (fixture_dir, preopens): (Option<&str>, Vec<(&str, &str)>) =
            match (&run.root, run.dirs.as_slice()) {
                (Some(root), _) => (Some(root), vec![("/", ".")]),
                (None, []) => (None, vec![]),
                (None, [dir]) => (Some(dir), vec![(dir, ".")]),
                // Several directories: copy the test's directory, preopen each in it.
                (None, dirs) => (
                    Some("."),
                    dirs.iter().map(|d| (d.as_str(), d.as_str())).collect(),
                ),
            };
        let guest = self
            .wasm
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let description = format!("wasi-testsuite test {}", self.wasm.display());
        let mut case = Case::new(&self.name, &guest, &description, vec![abi]);
        case.args = run.args.clone();
        case.env = run.env.clone();
        case.stdin = self.spec.stdin();
        case.proposals = self.spec.proposals.clone();
        case.exit = self
            .spec
            .steps
            .iter()
            .find_map(|step| match step {
                Step::Wait { exit_code } => Some(*exit_code),
                _ => None,
            })
            .unwrap_or(0);
        case.fixture_dir = fixture_dir.map(str::to_string);
        case.preopens = preopens
            .into_iter()
            .map(|(guest, host)| (guest.to_string(), host.to_string()))
            .collect();
        case.source = self.wasm.with_extension("json");
        case
    }

    /// The directory the test's fixtures are in: its own.
    pub fn fixtures(&self) -> &Path {
        self.wasm.parent().unwrap_or(Path::new("."))
    }
}

/// Every test under `dirs` (recursively), sorted by path within each.
pub fn discover(dirs: &[PathBuf]) -> Result<Vec<Test>> {
    let mut tests = Vec::new();
    let mut binaries = HashMap::new();
    for dir in dirs {
        let mut found = Vec::new();
        collect_wasm(dir, &mut found)
            .with_context(|| format!("{}: cannot read the test directory", dir.display()))?;
        if found.is_empty() {
            bail!("{}: no tests (*.wasm) found", dir.display());
        }
        found.sort();
        let mut versions: HashMap<PathBuf, WasiVersion> = HashMap::new();
        for wasm in found {
            let suite = wasm.parent().unwrap_or(Path::new(".")).to_owned();
            let version = match versions.get(&suite) {
                Some(version) => *version,
                None => {
                    let version = WasiVersion::of_dir(&suite)?;
                    versions.insert(suite, version);
                    version
                }
            };
            tests.push(Test::load(&wasm, version, &mut binaries)?);
        }
    }
    Ok(tests)
}

fn collect_wasm(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // Symlinks are never followed: fixtures hold links to `..` and loops.
        if entry.file_type()?.is_dir() {
            collect_wasm(&path, found)?;
        } else if path.extension().is_some_and(|x| x == "wasm") {
            found.push(path);
        }
    }
    Ok(())
}

/// Runs one test on one runtime in a fresh sandbox, its reads matched as
/// `reads` says. A spec this runner cannot run is `unsupported`, with why;
/// like every verdict but `pass`, that is not as expected.
pub fn record(
    test: &Test,
    runtime: &dyn Runtime,
    abi: Abi,
    reads: Reads,
    limits: Limits,
) -> Result<Record> {
    let judgement = match &test.spec.unrunnable {
        Some(why) => Judgement {
            verdict: Verdict::Unsupported,
            detail: why.clone(),
        },
        None if test.spec.is_live() => live::judge(test, runtime, abi, reads, limits)?,
        None => {
            let case = test.case(abi);
            let run =
                executor::execute(test.fixtures(), &case, abi, runtime, &test.binary, limits)?;
            judge::testsuite::judge(&test.spec.steps, reads, &run)
        }
    };
    Ok(Record {
        case: test.name.clone(),
        abi,
        runtime: runtime.name().to_string(),
        expected: Verdict::Pass,
        verdict: judgement.verdict,
        // Judged as the official runner judges: by the test's own
        // expectations, which it holds to.
        tier: Some(Binding::Must),
        detail: judgement.detail,
        reason: None,
        recorded_evidence: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_tell_modules_from_components() {
        let module = b"\0asm\x01\0\0\0rest";
        let component = b"\0asm\x0d\0\x01\0";
        assert_eq!(WasmKind::of_header(module), Ok(WasmKind::Module));
        assert_eq!(WasmKind::of_header(component), Ok(WasmKind::Component));
        assert!(
            WasmKind::of_header(b"\0asm\x02\0\0\0")
                .unwrap_err()
                .contains("version 2")
        );
        assert!(
            WasmKind::of_header(b"(module)")
                .unwrap_err()
                .contains("not a WebAssembly")
        );
        assert!(WasmKind::of_header(b"\0as").is_err());

        assert_eq!(WasmKind::Module.abis(WasiVersion::P3), [Abi::P1]);
        assert_eq!(WasmKind::Component.abis(WasiVersion::P3), [Abi::P3]);
        assert_eq!(
            WasmKind::Component.abis(WasiVersion::P1),
            [Abi::P2, Abi::P1Component]
        );
    }

    #[test]
    fn the_version_comes_from_the_manifest_else_the_directory_name() {
        let dir = tempfile::tempdir().unwrap();
        let p3 = dir.path().join("wasm32-wasip3");
        std::fs::create_dir(&p3).unwrap();
        assert_eq!(WasiVersion::of_dir(&p3).unwrap(), WasiVersion::P3);
        assert_eq!(WasiVersion::of_dir(dir.path()).unwrap(), WasiVersion::P1);
        let manifest = dir.path().join("manifest.json");
        std::fs::write(&manifest, r#"{"name": "n", "version": "wasm32-wasip2"}"#).unwrap();
        assert_eq!(WasiVersion::of_dir(dir.path()).unwrap(), WasiVersion::P2);
        std::fs::write(&manifest, r#"{"name": "n", "extra": 1}"#).unwrap();
        let err = WasiVersion::of_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("manifest.json: unexpected manifest option `extra`"),
            "{err}"
        );
    }

    #[test]
    fn fixtures_become_a_case_with_preopens() {
        let test = |run: spec::Legacy| Test {
            name: "dir/t".into(),
            wasm: "dir/t.wasm".into(),
            binary: "dir/t.wasm".into(),
            kind: WasmKind::Module,
            version: WasiVersion::P1,
            spec: Spec::of_legacy(run),
        };
        let root = test(spec::Legacy {
            root: Some("fs.dir".into()),
            args: vec!["a".into()],
            exit_code: 3,
            ..spec::Legacy::default()
        })
        .case(Abi::P1);
        assert_eq!(root.fixture_dir.as_deref(), Some("fs.dir"));
        assert_eq!(root.preopens, [("/".to_string(), ".".to_string())]);
        assert_eq!(
            (root.guest.as_str(), root.args.as_slice(), root.exit),
            ("t", &["a".to_string()][..], 3)
        );

        let one = test(spec::Legacy {
            dirs: vec!["a.dir".into()],
            ..spec::Legacy::default()
        })
        .case(Abi::P1);
        assert_eq!(one.fixture_dir.as_deref(), Some("a.dir"));
        assert_eq!(one.preopens, [("a.dir".to_string(), ".".to_string())]);

        let two = test(spec::Legacy {
            dirs: vec!["a".into(), "b".into()],
            ..spec::Legacy::default()
        })
        .case(Abi::P1);
        assert_eq!(two.fixture_dir.as_deref(), Some("."));
        assert_eq!(two.preopens[1], ("b".to_string(), "b".to_string()));
    }

    #[test]
    fn identical_binaries_are_run_from_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let module = b"\0asm\x01\0\0\0";
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.wasm", "sub/a.wasm"] {
            std::fs::write(dir.path().join(name), module).unwrap();
        }
        std::fs::write(dir.path().join("c.wasm"), b"\0asm\x0d\0\x01\0").unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
        let tests = discover(&[dir.path().to_owned()]).unwrap();
        let names: Vec<String> = tests.iter().map(|t| t.name.clone()).collect();
        let top = dir.path().display();
        assert_eq!(
            names,
            [
                format!("{top}/b"),
                format!("{top}/c"),
                format!("{top}/sub/a")
            ]
        );
        assert_eq!(tests[2].binary, dir.path().join("b.wasm"));
        assert_eq!(tests[1].binary, tests[1].wasm);
        assert_eq!(tests[1].kind, WasmKind::Component);
    }
}
