//! `wasi-conform testsuite`: runs tests written in the WebAssembly/wasi-testsuite
//! format. A test is `X.wasm` with an optional `X.json` beside it:
//!
//! ```json
//! {"args": ["a"], "env": {"K": "v"}, "root": "fs-tests.dir",
//!  "exit_code": 0, "stdout": "...", "stderr": "..."}
//! ```
//!
//! `root` names a directory next to the test, preopened as `/`; `dirs` (the
//! suite's older form) lists directories next to the test, each preopened
//! under its own name. The fixture is copied into a fresh sandbox for every
//! run, so a test never changes its own directory. argv[0] is the file name
//! `X.wasm`; stdin is empty. A test is judged by its exit code and, when the
//! spec gives them, its exact stdout and stderr (the official runner
//! prefix-matches; see [`crate::judge::testsuite`]). Specs of the
//! operation-based form (`operations`, `servers`, ...) are recognised and
//! reported `unsupported`.

use crate::exec::executor;
use crate::exec::runtimes::{Limits, Runtime};
use crate::judge;
use crate::model::abi::Abi;
use crate::model::case::{Binding, Case};
use crate::model::record::Record;
use crate::model::verdict::{Judgement, Verdict};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The runtime `testsuite` uses when none is named.
pub const DEFAULT_RUNTIME: &str = "reference";

/// A test's `X.json`: every key optional.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// argv after argv[0].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The environment, in the order of the JSON object.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "ordered_map")]
    pub env: Vec<(String, String)>,
    /// Directories next to the test, each preopened under its own name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirs: Vec<String>,
    /// A directory next to the test, preopened as `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// The expected exit code.
    #[serde(default)]
    pub exit_code: i32,
    /// The expected stdout, exactly; not compared when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// The expected stderr, exactly; not compared when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// Operation-based form: the steps of the test (not run here).
    #[serde(default, skip_serializing)]
    pub operations: Option<serde_json::Value>,
    /// Operation-based form: WASI proposals the test needs (not run here).
    #[serde(default, skip_serializing)]
    pub proposals: Option<serde_json::Value>,
    /// Operation-based form: the world the test targets (not run here).
    #[serde(default, skip_serializing)]
    pub world: Option<serde_json::Value>,
    /// Operation-based form: HTTP servers the test talks to (not run here).
    #[serde(default, skip_serializing)]
    pub servers: Option<serde_json::Value>,
}

impl Spec {
    /// Reads and checks a test's JSON; `wasm_dir` holds the test's directories.
    pub fn parse(text: &str, path: &Path, wasm_dir: &Path) -> Result<Spec> {
        let spec: Spec =
            serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if spec.root.is_some() && !spec.dirs.is_empty() {
            bail!("{}: give `root` or `dirs`, not both", path.display());
        }
        for dir in spec.root.iter().chain(&spec.dirs) {
            let plain = !dir.is_empty()
                && Path::new(dir)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !plain {
                bail!(
                    "{}: directory `{dir}` must be a relative path without `.` or `..`",
                    path.display()
                );
            }
            if !wasm_dir.join(dir).is_dir() {
                bail!(
                    "{}: directory `{dir}` does not exist next to the test",
                    path.display()
                );
            }
        }
        Ok(spec)
    }

    /// What the spec expects of a run, for [`judge::testsuite::judge`].
    pub fn expected(&self) -> judge::testsuite::Expected<'_> {
        judge::testsuite::Expected {
            exit_code: self.exit_code,
            stdout: self.stdout.as_deref(),
            stderr: self.stderr.as_deref(),
        }
    }

    /// Why the spec cannot be run here, when it uses the operation-based form.
    pub fn operation_based(&self) -> Option<String> {
        let keys: Vec<&str> = [
            ("operations", &self.operations),
            ("proposals", &self.proposals),
            ("world", &self.world),
            ("servers", &self.servers),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_some())
        .map(|(key, _)| key)
        .collect();
        (!keys.is_empty()).then(|| {
            format!(
                "operation-based spec ({}): wasi-conform runs only run-and-wait tests",
                keys.join(", ")
            )
        })
    }
}

/// A JSON object as an ordered list of string pairs: the environment of a
/// test is passed in the order its file gives it.
mod ordered_map {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(pairs)
            }
        }
        d.deserialize_map(Pairs)
    }
}

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

    /// The ABI a runtime declaring `abis` runs this as; `None` to skip it.
    pub fn abi_on(self, abis: &[Abi]) -> Option<Abi> {
        let candidates: &[Abi] = match self {
            WasmKind::Module => &[Abi::P1],
            WasmKind::Component => &[Abi::P2, Abi::P1Component],
        };
        candidates.iter().copied().find(|abi| abis.contains(abi))
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
    pub spec: Spec,
}

impl Test {
    /// Loads `X.wasm` and `X.json` (if present); `binaries` maps the digest
    /// of every binary loaded so far to its first file.
    fn load(wasm: &Path, binaries: &mut HashMap<Vec<u8>, PathBuf>) -> Result<Test> {
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Spec::default(),
            Err(e) => bail!("{}: cannot read: {e}", json.display()),
        };
        Ok(Test {
            name: wasm.with_extension("").display().to_string(),
            wasm: wasm.to_owned(),
            binary,
            kind,
            spec,
        })
    }

    /// The test as a case the runner can execute as `abi`, its fixture
    /// taken from the test's directory ([`Test::fixtures`]).
    pub fn case(&self, abi: Abi) -> Case {
        let spec = &self.spec;
        let (fixture_dir, preopens): (Option<&str>, Vec<(&str, &str)>) =
            match (&spec.root, spec.dirs.as_slice()) {
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
        case.args = spec.args.clone();
        case.env = spec.env.clone();
        case.exit = spec.exit_code;
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
        for wasm in found {
            tests.push(Test::load(&wasm, &mut binaries)?);
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

/// Runs one test on one runtime in a fresh sandbox. An operation-based
/// spec is not run: it is `unsupported`, and expected to be.
pub fn record(test: &Test, runtime: &dyn Runtime, abi: Abi, limits: Limits) -> Result<Record> {
    let (judgement, reason) = match test.spec.operation_based() {
        Some(why) => (
            Judgement {
                verdict: Verdict::Unsupported,
                detail: why.clone(),
            },
            Some(why),
        ),
        None => {
            let case = test.case(abi);
            let run =
                executor::execute(test.fixtures(), &case, abi, runtime, &test.binary, limits)?;
            (judge::testsuite::judge(test.spec.expected(), &run), None)
        }
    };
    Ok(Record {
        case: test.name.clone(),
        abi,
        runtime: runtime.name().to_string(),
        expected: if reason.is_some() {
            Verdict::Unsupported
        } else {
            Verdict::Pass
        },
        verdict: judgement.verdict,
        // Judged as the official runner judges: by the test's own
        // expectations, which it holds to.
        tier: Some(Binding::Must),
        detail: judgement.detail,
        reason,
        recorded_evidence: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, dir: &Path) -> Result<Spec> {
        Spec::parse(text, &dir.join("t.json"), dir)
    }

    #[test]
    fn env_keeps_the_file_order_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let spec = parse(
            r#"{"env": {"Z": "1", "A": "2", "M": "3"}, "args": ["x"]}"#,
            dir.path(),
        )
        .unwrap();
        let keys: Vec<&str> = spec.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["Z", "A", "M"]);
        let written = serde_json::to_string(&spec).unwrap();
        assert_eq!(
            written,
            r#"{"args":["x"],"env":{"Z":"1","A":"2","M":"3"},"exit_code":0}"#
        );
        assert_eq!(parse(&written, dir.path()).unwrap(), spec);
    }

    #[test]
    fn bad_specs_are_one_line_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("fs.dir")).unwrap();
        assert!(parse(r#"{"root": "fs.dir"}"#, dir.path()).is_ok());
        for (text, needle) in [
            (r#"{"args": "a"}"#, "invalid type"),
            (r#"{"stdin": "x"}"#, "unknown field `stdin`"),
            (r#"{"args": ["#, "EOF"),
            (r#"{"root": "fs.dir", "dirs": ["fs.dir"]}"#, "not both"),
            (r#"{"dirs": ["../fs.dir"]}"#, "without `.` or `..`"),
            (
                r#"{"root": "missing.dir"}"#,
                "does not exist next to the test",
            ),
        ] {
            let err = format!("{:#}", parse(text, dir.path()).unwrap_err());
            assert!(
                err.contains("t.json: ") && err.contains(needle),
                "{text}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn operation_based_specs_say_which_keys() {
        let dir = tempfile::tempdir().unwrap();
        let spec = parse(
            r#"{"operations": [{"type": "run"}], "servers": []}"#,
            dir.path(),
        )
        .unwrap();
        let why = spec.operation_based().unwrap();
        assert!(why.contains("(operations, servers)"), "{why}");
        assert_eq!(Spec::default().operation_based(), None);
    }

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

        assert_eq!(WasmKind::Module.abi_on(&[Abi::P1]), Some(Abi::P1));
        assert_eq!(WasmKind::Component.abi_on(&[Abi::P1]), None);
        assert_eq!(WasmKind::Component.abi_on(&Abi::ALL), Some(Abi::P2));
        assert_eq!(
            WasmKind::Component.abi_on(&[Abi::P1, Abi::P1Component]),
            Some(Abi::P1Component)
        );
    }

    #[test]
    fn fixtures_become_a_case_with_preopens() {
        let test = |spec: Spec| Test {
            name: "dir/t".into(),
            wasm: "dir/t.wasm".into(),
            binary: "dir/t.wasm".into(),
            kind: WasmKind::Module,
            spec,
        };
        let root = test(Spec {
            root: Some("fs.dir".into()),
            args: vec!["a".into()],
            exit_code: 3,
            ..Spec::default()
        })
        .case(Abi::P1);
        assert_eq!(root.fixture_dir.as_deref(), Some("fs.dir"));
        assert_eq!(root.preopens, [("/".to_string(), ".".to_string())]);
        assert_eq!(
            (root.guest.as_str(), root.args.as_slice(), root.exit),
            ("t", &["a".to_string()][..], 3)
        );

        let one = test(Spec {
            dirs: vec!["a.dir".into()],
            ..Spec::default()
        })
        .case(Abi::P1);
        assert_eq!(one.fixture_dir.as_deref(), Some("a.dir"));
        assert_eq!(one.preopens, [("a.dir".to_string(), ".".to_string())]);

        let two = test(Spec {
            dirs: vec!["a".into(), "b".into()],
            ..Spec::default()
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
