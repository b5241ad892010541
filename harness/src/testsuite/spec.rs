//! A wasi-testsuite test's `X.json`, read as the official runner
//! (WebAssembly/wasi-testsuite `test-runner/wasi_test_runner/test_case.py`)
//! reads it: either the legacy keys or the operation list.
//!
//! The legacy form (`args`, `env`, `root` or `dirs`, `exit_code`, `stdout`,
//! `stderr`) is, as upstream defines it, the operations `run`, `read`
//! stdout, `read` stderr, `wait`. Upstream's current runner knows `root`;
//! the runner of the branch with the prebuilt tests (`prod/testsuite-all`)
//! knows `dirs`, and those tests use it, so both are read. An unknown key is
//! a warning, as upstream; mixing the two forms is an error, as upstream.

use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Component, Path};

/// The legacy keys, as written by `export` and read here.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Legacy {
    /// argv after argv[0].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The environment, in the order of the JSON object.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "ordered_map")]
    pub env: Vec<(String, String)>,
    /// A directory next to the test, preopened as `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Directories next to the test, each preopened under its own name
    /// (the key of the runner on upstream's `prod/testsuite-all` branch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirs: Vec<String>,
    /// The expected exit code.
    #[serde(default)]
    pub exit_code: i32,
    /// The text stdout must start with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// The text stderr must start with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
}

/// The operation form's list, read from the text so that a `run`'s `env`
/// keeps its order.
#[derive(Deserialize)]
struct OperationList {
    #[serde(default)]
    operations: Option<Vec<Operation>>,
}

/// One operation: its `type` and the fields this runner reads (upstream's
/// others, such as a request's `method`, are not read).
#[derive(Deserialize)]
struct Operation {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    exit_code: Option<i32>,
    /// A `run`'s args, env and directories.
    #[serde(flatten)]
    run: Legacy,
}

/// Keys of the legacy form.
const LEGACY_KEYS: [&str; 7] = [
    "args",
    "env",
    "root",
    "dirs",
    "exit_code",
    "stdout",
    "stderr",
];
/// Keys of the operation form (upstream's `CONFIG_KEYS`, and `debug`,
/// which upstream reads too).
const OPERATION_KEYS: [&str; 5] = ["operations", "proposals", "world", "servers", "debug"];

/// The guest's output streams, as a `read` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    /// The name a `read` gives the stream.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// What the runner does after starting the guest, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Reads as many characters as `payload` has from `stream`; they must
    /// be `payload` (upstream's `do_read`).
    Read { stream: Stream, payload: String },
    /// Writes `payload` to the guest's stdin.
    Write { payload: String },
    /// Waits for the guest to exit with `exit_code`.
    Wait { exit_code: i32 },
}

/// A test's spec: how its guest is started, what happens after, and the
/// proposals it needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spec {
    /// args, env, `root`/`dirs` of the `run` (the legacy keys' run part).
    pub run: Legacy,
    /// The operations after `run`.
    pub steps: Vec<Step>,
    /// WASI proposals the test needs (`http`, `sockets`).
    pub proposals: Vec<String>,
    /// Why the test cannot be run by this runner: operations that need a
    /// live guest (`connect`, `send`, `recv`, `request`, `kill`, a second
    /// `run`), the `wasi:http/service` world, or HTTP `servers`.
    pub unrunnable: Option<String>,
    /// Unknown keys, warned about as upstream does.
    pub warnings: Vec<String>,
}

impl Spec {
    /// Reads and checks a test's JSON; `wasm_dir` holds the test's directories.
    pub fn parse(text: &str, path: &Path, wasm_dir: &Path) -> Result<Spec> {
        let fail = |problem: String| anyhow::anyhow!("{}: {problem}", path.display());
        let object: Map<String, Value> =
            serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        let is_operation_form = ["operations", "proposals", "servers"]
            .iter()
            .any(|key| object.get(*key).is_some_and(|v| !v.is_null()));
        let known: &[&str] = if is_operation_form {
            &OPERATION_KEYS
        } else {
            &LEGACY_KEYS
        };
        if is_operation_form && object.keys().any(|k| LEGACY_KEYS.contains(&k.as_str())) {
            return Err(fail("cannot mix the legacy keys and `operations`".into()));
        }
        let warnings = object
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .map(|key| format!("{}: unknown field `{key}` (ignored)", path.display()))
            .collect();
        // Typed from the text, not from `object`: a JSON map here is sorted,
        // and `env` keeps the file's order.
        let mut spec = if is_operation_form {
            let list: OperationList =
                serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
            Spec::of_operations(list.operations.unwrap_or_default(), &object).map_err(fail)?
        } else {
            let legacy: Legacy = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
            Spec::of_legacy(legacy)
        };
        spec.warnings = warnings;
        spec.check_dirs(wasm_dir).map_err(fail)?;
        Ok(spec)
    }

    /// The legacy form as upstream translates it: run, read stdout, read
    /// stderr, wait.
    pub fn of_legacy(legacy: Legacy) -> Spec {
        let mut steps = Vec::new();
        for (stream, expected) in [
            (Stream::Stdout, &legacy.stdout),
            (Stream::Stderr, &legacy.stderr),
        ] {
            if let Some(payload) = expected {
                steps.push(Step::Read {
                    stream,
                    payload: payload.clone(),
                });
            }
        }
        steps.push(Step::Wait {
            exit_code: legacy.exit_code,
        });
        Spec {
            run: Legacy {
                stdout: None,
                stderr: None,
                exit_code: 0,
                ..legacy
            },
            steps,
            ..Spec::default()
        }
    }

    fn of_operations(
        operations: Vec<Operation>,
        object: &Map<String, Value>,
    ) -> Result<Spec, String> {
        let mut spec = Spec::default();
        let mut needs_live_guest = Vec::new();
        let mut started = false;
        for op in operations {
            let kind = op.kind.as_str();
            match kind {
                "run" if !started => {
                    started = true;
                    spec.run = op.run;
                }
                "read" => {
                    let name = op.id.unwrap_or_else(|| "stdout".into());
                    let stream = [Stream::Stdout, Stream::Stderr]
                        .into_iter()
                        .find(|s| s.name() == name)
                        .ok_or_else(|| format!("`read` operation: no stream `{name}` to read"))?;
                    spec.steps.push(Step::Read {
                        stream,
                        payload: op.payload.unwrap_or_default(),
                    });
                }
                "write" => {
                    let name = op.id.unwrap_or_else(|| "write".into());
                    if name != "stdin" {
                        return Err(format!("`write` operation: no stream `{name}` to write"));
                    }
                    spec.steps.push(Step::Write {
                        payload: op.payload.unwrap_or_default(),
                    });
                }
                "wait" => spec.steps.push(Step::Wait {
                    exit_code: op.exit_code.unwrap_or(0),
                }),
                "run" | "connect" | "send" | "recv" | "request" | "kill" => {
                    let name = if kind == "run" {
                        "a second `run`".to_string()
                    } else {
                        format!("`{kind}`")
                    };
                    if !needs_live_guest.contains(&name) {
                        needs_live_guest.push(name);
                    }
                }
                other => return Err(format!("unsupported operation type `{other}`")),
            }
        }
        if let Some(proposals) = object.get("proposals").filter(|v| !v.is_null()) {
            for proposal in proposals.as_array().ok_or("`proposals` must be a list")? {
                match proposal.as_str() {
                    Some(p @ ("http" | "sockets")) => spec.proposals.push(p.to_string()),
                    _ => return Err(format!("unknown proposal {proposal}")),
                }
            }
        }
        // Upstream's `WasiWorld`: a command, or an HTTP service it sends
        // requests to.
        let service = match object.get("world").and_then(Value::as_str) {
            None | Some("wasi:cli/command") => false,
            Some("wasi:http/service") => true,
            Some(other) => return Err(format!("unknown WASI world `{other}`")),
        };
        let mut reasons = Vec::new();
        if !started {
            // Upstream runs nothing then, and passes the test.
            reasons.push("a `run` operation, which it lacks,".to_string());
        }
        if !needs_live_guest.is_empty() {
            reasons.push(format!(
                "operations that talk to the guest while it runs ({})",
                needs_live_guest.join(", ")
            ));
        }
        if service {
            reasons.push("the `wasi:http/service` world".to_string());
        }
        if object
            .get("servers")
            .is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()))
        {
            reasons.push("HTTP `servers`".to_string());
        }
        if !reasons.is_empty() {
            spec.unrunnable = Some(format!(
                "needs {}, which wasi-conform does not run yet (it runs a guest to its end, then judges)",
                reasons.join(" and ")
            ));
        }
        Ok(spec)
    }

    /// Checks `root`/`dirs`: plain relative names of directories next to the test.
    fn check_dirs(&self, wasm_dir: &Path) -> Result<(), String> {
        if self.run.root.is_some() && !self.run.dirs.is_empty() {
            return Err("give `root` or `dirs`, not both".into());
        }
        for dir in self.run.root.iter().chain(&self.run.dirs) {
            let plain = !dir.is_empty()
                && Path::new(dir)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !plain {
                return Err(format!(
                    "directory `{dir}` must be a relative path without `.` or `..`"
                ));
            }
            if !wasm_dir.join(dir).is_dir() {
                return Err(format!("directory `{dir}` does not exist next to the test"));
            }
        }
        Ok(())
    }

    /// The guest's stdin: every `write` before the first `wait`, in order.
    pub fn stdin(&self) -> String {
        self.steps
            .iter()
            .take_while(|step| !matches!(step, Step::Wait { .. }))
            .filter_map(|step| match step {
                Step::Write { payload } => Some(payload.as_str()),
                _ => None,
            })
            .collect()
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
        let keys: Vec<&str> = spec.run.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["Z", "A", "M"]);
        let written = serde_json::to_string(&spec.run).unwrap();
        assert_eq!(
            written,
            r#"{"args":["x"],"env":{"Z":"1","A":"2","M":"3"},"exit_code":0}"#
        );
        assert_eq!(parse(&written, dir.path()).unwrap().run, spec.run);
    }

    #[test]
    fn the_legacy_form_is_run_read_read_wait() {
        let dir = tempfile::tempdir().unwrap();
        let spec = parse(
            r#"{"stdout": "a", "stderr": "b", "exit_code": 3}"#,
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            spec.steps,
            [
                Step::Read {
                    stream: Stream::Stdout,
                    payload: "a".into()
                },
                Step::Read {
                    stream: Stream::Stderr,
                    payload: "b".into()
                },
                Step::Wait { exit_code: 3 },
            ]
        );
        assert_eq!(
            parse("{}", dir.path()).unwrap().steps,
            [Step::Wait { exit_code: 0 }]
        );
    }

    #[test]
    fn operations_read_write_and_wait_and_say_what_they_cannot_run() {
        let dir = tempfile::tempdir().unwrap();
        let spec = parse(
            r#"{"operations": [{"type": "run", "args": ["x"]},
                {"type": "write", "id": "stdin", "payload": "hi"},
                {"type": "read", "payload": "hi"},
                {"type": "read", "id": "stderr", "payload": "hi"},
                {"type": "wait", "exit_code": 1}]}"#,
            dir.path(),
        )
        .unwrap();
        assert_eq!(spec.run.args, ["x"]);
        assert_eq!(spec.stdin(), "hi");
        assert_eq!(spec.steps.len(), 4);
        assert_eq!(spec.unrunnable, None);

        let live = parse(
            r#"{"proposals": ["sockets"], "operations": [{"type": "run"},
                {"type": "connect", "id": "s"}, {"type": "send", "id": "s"}, {"type": "wait"}]}"#,
            dir.path(),
        )
        .unwrap();
        assert_eq!(live.proposals, ["sockets"]);
        let why = live.unrunnable.unwrap();
        assert!(why.contains("(`connect`, `send`)"), "{why}");

        let service = parse(
            r#"{"world": "wasi:http/service", "proposals": ["http"]}"#,
            dir.path(),
        )
        .unwrap();
        assert!(service.unrunnable.unwrap().contains("wasi:http/service"));
    }

    #[test]
    fn unknown_keys_are_warnings_and_bad_specs_one_line_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("fs.dir")).unwrap();
        let spec = parse(r#"{"root": "fs.dir", "stdin": "x"}"#, dir.path()).unwrap();
        assert_eq!(spec.warnings.len(), 1);
        assert!(spec.warnings[0].ends_with("t.json: unknown field `stdin` (ignored)"));
        for (text, needle) in [
            (r#"{"args": "a"}"#, "invalid type"),
            (r#"{"args": ["#, "EOF"),
            (r#"{"root": "fs.dir", "dirs": ["fs.dir"]}"#, "not both"),
            (r#"{"dirs": ["../fs.dir"]}"#, "without `.` or `..`"),
            (
                r#"{"root": "missing.dir"}"#,
                "does not exist next to the test",
            ),
            (
                r#"{"operations": [{"type": "run"}], "args": []}"#,
                "cannot mix",
            ),
            (
                r#"{"operations": [{"type": "jump"}]}"#,
                "unsupported operation type `jump`",
            ),
            (
                r#"{"operations": [], "world": "wasi:x/y"}"#,
                "unknown WASI world",
            ),
            (
                r#"{"operations": [{"type": "write", "id": "stdout"}]}"#,
                "no stream `stdout` to write",
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
}
