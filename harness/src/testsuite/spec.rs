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

use crate::model::abi::World;
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

/// One operation: its `type` and the fields upstream reads for it.
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
    /// A `connect`'s protocol (upstream's `ProtocolType`; only `tcp` runs).
    #[serde(default)]
    protocol_type: Option<String>,
    /// A `kill`'s signal name, `SIGTERM` by default.
    #[serde(default)]
    signal: Option<String>,
    /// A `request`'s method, path, headers, body and expected response.
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default, with = "ordered_map")]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    response: Option<ExpectedResponse>,
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
    /// Reads the guest's next stdout line, `HOST:PORT`, and connects a TCP
    /// socket named `id` to it (upstream's `do_connect`).
    Connect { id: String },
    /// Sends `payload` on socket `id`.
    Send { id: String, payload: String },
    /// Receives as many bytes as `payload` has on socket `id` (one
    /// `recv`, as upstream); they must be `payload`.
    Recv { id: String, payload: String },
    /// Sends an HTTP request to the service the guest serves (its address is
    /// the first `http://` URL on the guest's stderr) and checks the response.
    Request(Request),
    /// Sends a signal to the runtime's process.
    Kill { signal: Signal },
}

/// The signals a `kill` may name (upstream takes any of Python's
/// `signal.Signals`; these are the ones that end or interrupt a process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hup,
    Int,
    Quit,
    Kill,
    Usr1,
    Usr2,
    Term,
}

impl Signal {
    const ALL: [(Signal, &'static str, i32); 7] = [
        (Signal::Hup, "SIGHUP", libc::SIGHUP),
        (Signal::Int, "SIGINT", libc::SIGINT),
        (Signal::Quit, "SIGQUIT", libc::SIGQUIT),
        (Signal::Kill, "SIGKILL", libc::SIGKILL),
        (Signal::Usr1, "SIGUSR1", libc::SIGUSR1),
        (Signal::Usr2, "SIGUSR2", libc::SIGUSR2),
        (Signal::Term, "SIGTERM", libc::SIGTERM),
    ];

    fn named(name: &str) -> Option<Signal> {
        Signal::ALL
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(s, ..)| *s)
    }

    /// The signal's number.
    pub fn number(self) -> i32 {
        Signal::ALL.iter().find(|(s, ..)| *s == self).unwrap().2
    }

    /// The signal's name, `SIGTERM`.
    pub fn name(self) -> &'static str {
        Signal::ALL.iter().find(|(s, ..)| *s == self).unwrap().1
    }
}

/// An HTTP request a `request` operation sends, and what must come back.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path, joined to the service's URL as upstream's `join_http_url`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub response: ExpectedResponse,
}

/// The response a `request` expects: its status, headers it must carry
/// (others may be there too) and its whole body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExpectedResponse {
    #[serde(default = "ok_status")]
    pub status: u16,
    #[serde(default, with = "ordered_map")]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

fn ok_status() -> u16 {
    200
}

/// An HTTP server the runner stands up for the guest's outgoing requests;
/// its address `127.0.0.1:PORT` reaches the guest as the environment
/// variable `HTTP_SERVER_<NAME>` (upstream's `Server`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub name: String,
    /// `listening` (the default) or `closed`: an address nothing listens on.
    #[serde(default)]
    pub kind: ServerKind,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

impl Server {
    /// The environment variable the guest finds the server's address in.
    pub fn env_var(&self) -> String {
        format!("HTTP_SERVER_{}", self.name.to_uppercase())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    #[default]
    Listening,
    Closed,
}

/// One route of a server: requests with this method and path get the
/// endpoint's answer; any other gets 404.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    #[serde(default = "get")]
    pub method: String,
    #[serde(default = "slash")]
    pub path: String,
    #[serde(default)]
    pub mode: EndpointMode,
    /// The answer of a `static` endpoint: a string is a 200 with that body.
    #[serde(default)]
    pub response: Option<EndpointResponse>,
}

fn get() -> String {
    "GET".into()
}

fn slash() -> String {
    "/".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointMode {
    /// Answers with the endpoint's `response`.
    #[default]
    Static,
    /// Answers 200 with the request's body.
    EchoBody,
    /// Answers 200 with the request's method, path, headers and trailers as
    /// response headers (`x-request-method`, `x-request-path`, `x-echo-*`,
    /// `x-trailer-*`).
    EchoHeaders,
}

/// A static endpoint's answer: a whole `body`, or `chunks` sent with the
/// chunked transfer coding and then `trailers`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum EndpointResponse {
    Body(String),
    Full {
        #[serde(default = "ok_status")]
        status: u16,
        #[serde(default, with = "ordered_map")]
        headers: Vec<(String, String)>,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        chunks: Option<Vec<String>>,
        #[serde(default, with = "ordered_map")]
        trailers: Vec<(String, String)>,
    },
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
    /// The world the guest targets.
    pub world: World,
    /// HTTP servers stood up for the guest while it runs.
    pub servers: Vec<Server>,
    /// Why the test cannot be run by this runner (no `run`, or a second one).
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
        let mut runs = 0;
        // Sockets a `connect` opened, which `send` and `recv` may name.
        let mut sockets: Vec<String> = Vec::new();
        for op in operations {
            let kind = op.kind.as_str();
            let socket = |id: &Option<String>| match id {
                Some(id) if sockets.contains(id) => Ok(id.clone()),
                Some(id) => Err(format!(
                    "`{kind}` operation: no socket `{id}` was connected"
                )),
                None => Err(format!("`{kind}` operation requires `id`")),
            };
            let step = match kind {
                "run" => {
                    runs += 1;
                    spec.run = op.run;
                    continue;
                }
                "read" => {
                    let name = op.id.unwrap_or_else(|| "stdout".into());
                    let stream = [Stream::Stdout, Stream::Stderr]
                        .into_iter()
                        .find(|s| s.name() == name)
                        .ok_or_else(|| format!("`read` operation: no stream `{name}` to read"))?;
                    Step::Read {
                        stream,
                        payload: op.payload.unwrap_or_default(),
                    }
                }
                "write" => {
                    let name = op.id.unwrap_or_else(|| "write".into());
                    if name != "stdin" {
                        return Err(format!("`write` operation: no stream `{name}` to write"));
                    }
                    Step::Write {
                        payload: op.payload.unwrap_or_default(),
                    }
                }
                "wait" => Step::Wait {
                    exit_code: op.exit_code.unwrap_or(0),
                },
                "connect" => {
                    let protocol = op.protocol_type.as_deref().unwrap_or("tcp");
                    if protocol != "tcp" {
                        return Err(format!("`connect` operation: {protocol} not supported"));
                    }
                    let id = op.id.unwrap_or_else(|| "server".into());
                    sockets.push(id.clone());
                    Step::Connect { id }
                }
                "send" => Step::Send {
                    id: socket(&op.id)?,
                    payload: op.payload.unwrap_or_default(),
                },
                "recv" => Step::Recv {
                    id: socket(&op.id)?,
                    payload: op.payload.unwrap_or_default(),
                },
                "request" => Step::Request(Request {
                    method: op.method.unwrap_or_else(get),
                    path: op.path.unwrap_or_else(slash),
                    headers: op.headers,
                    body: op.body.unwrap_or_default(),
                    response: op.response.unwrap_or(ExpectedResponse {
                        status: ok_status(),
                        headers: Vec::new(),
                        body: String::new(),
                    }),
                }),
                "kill" => {
                    let name = op.signal.as_deref().unwrap_or("SIGTERM");
                    Step::Kill {
                        signal: Signal::named(name)
                            .ok_or_else(|| format!("unknown signal name `{name}`"))?,
                    }
                }
                other => return Err(format!("unsupported operation type `{other}`")),
            };
            if runs == 0 {
                return Err(format!(
                    "`{kind}` operation before any `run`: no process running"
                ));
            }
            spec.steps.push(step);
        }
        if let Some(proposals) = object.get("proposals").filter(|v| !v.is_null()) {
            for proposal in proposals.as_array().ok_or("`proposals` must be a list")? {
                match proposal.as_str() {
                    Some(p @ ("http" | "sockets")) => spec.proposals.push(p.to_string()),
                    _ => return Err(format!("unknown proposal {proposal}")),
                }
            }
        }
        spec.world = match object.get("world").and_then(Value::as_str) {
            None | Some("wasi:cli/command") => World::Command,
            Some("wasi:http/service") => World::HttpService,
            Some(other) => return Err(format!("unknown WASI world `{other}`")),
        };
        if let Some(servers) = object.get("servers").filter(|v| !v.is_null()) {
            spec.servers =
                Vec::<Server>::deserialize(servers).map_err(|e| format!("`servers`: {e}"))?;
            check_servers(&spec.servers)?;
        }
        spec.unrunnable = match runs {
            // Upstream runs nothing then, and passes the test.
            0 => Some("needs a `run` operation, which it lacks".into()),
            1 => None,
            _ => Some("runs the guest twice, which wasi-conform does not do yet".into()),
        };
        Ok(spec)
    }

    /// Whether the guest must be talked to while it runs: it serves HTTP,
    /// the runner serves it, or an operation other than reading, writing
    /// and waiting.
    pub fn is_live(&self) -> bool {
        self.world == World::HttpService
            || !self.servers.is_empty()
            || self.steps.iter().any(|step| {
                !matches!(
                    step,
                    Step::Read { .. } | Step::Write { .. } | Step::Wait { .. }
                )
            })
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

/// The checks upstream's `Server`, `Endpoint` and `EndpointResponse` make.
fn check_servers(servers: &[Server]) -> Result<(), String> {
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    let mut names: Vec<String> = Vec::new();
    for server in servers {
        let name = &server.name;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "server name should be alphanumeric or `_`: `{name}`"
            ));
        }
        if names.contains(&name.to_uppercase()) {
            return Err(format!("duplicate server name `{name}`"));
        }
        names.push(name.to_uppercase());
        if server.kind == ServerKind::Closed && !server.endpoints.is_empty() {
            return Err(format!(
                "server `{name}` of kind `closed` takes no `endpoints`"
            ));
        }
        for endpoint in &server.endpoints {
            if !METHODS.contains(&endpoint.method.to_uppercase().as_str()) {
                return Err(format!("unknown endpoint method `{}`", endpoint.method));
            }
            match (&endpoint.mode, &endpoint.response) {
                (EndpointMode::Static, _) => {}
                (_, Some(_)) => {
                    return Err(format!(
                        "endpoint {} {}: an echo endpoint takes no `response`",
                        endpoint.method, endpoint.path
                    ));
                }
                (_, None) => {}
            }
            if let Some(EndpointResponse::Full {
                body,
                chunks,
                trailers,
                ..
            }) = &endpoint.response
            {
                if body.is_some() && chunks.is_some() {
                    return Err("an endpoint response takes `body` or `chunks`, not both".into());
                }
                if !trailers.is_empty() && chunks.is_none() {
                    return Err("endpoint response trailers require `chunks`".into());
                }
            }
        }
    }
    Ok(())
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
    fn operations_run_live_when_they_talk_to_the_guest() {
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

        assert!(!spec.is_live());

        let live = parse(
            r#"{"proposals": ["sockets"], "operations": [{"type": "run"},
                {"type": "connect", "id": "s"}, {"type": "send", "id": "s", "payload": "p"},
                {"type": "recv", "id": "s", "payload": "p"}, {"type": "wait"}]}"#,
            dir.path(),
        )
        .unwrap();
        assert_eq!(live.proposals, ["sockets"]);
        assert_eq!(live.unrunnable, None);
        assert!(live.is_live());
        assert_eq!(
            live.steps[1],
            Step::Send {
                id: "s".into(),
                payload: "p".into()
            }
        );

        let twice = parse(
            r#"{"operations": [{"type": "run"}, {"type": "wait"}, {"type": "run"}, {"type": "wait"}]}"#,
            dir.path(),
        )
        .unwrap();
        assert!(twice.unrunnable.unwrap().contains("twice"));
    }

    #[test]
    fn services_requests_servers_and_signals_are_read_as_upstream() {
        let dir = tempfile::tempdir().unwrap();
        let spec = parse(
            r#"{"proposals": ["http"], "world": "wasi:http/service",
                "servers": [{"name": "main", "endpoints": [
                    {"method": "GET", "path": "/c", "response": {"chunks": ["a"], "trailers": {"x": "1"}}},
                    {"path": "/s", "response": "text"},
                    {"method": "POST", "path": "/e", "mode": "echo-body"}]},
                    {"name": "gone", "kind": "closed"}],
                "operations": [{"type": "run"},
                    {"type": "request", "method": "POST", "path": "/echo", "body": "b",
                     "headers": {"x-a": "1"}, "response": {"status": 404, "headers": {"x-b": "2"}}},
                    {"type": "kill", "signal": "SIGINT"}, {"type": "wait"}]}"#,
            dir.path(),
        )
        .unwrap();
        assert_eq!(spec.world, World::HttpService);
        assert!(spec.is_live());
        assert_eq!(spec.servers.len(), 2);
        assert_eq!(spec.servers[0].env_var(), "HTTP_SERVER_MAIN");
        assert_eq!(spec.servers[1].kind, ServerKind::Closed);
        assert_eq!(spec.servers[0].endpoints[1].method, "GET");
        let Step::Request(request) = &spec.steps[0] else {
            panic!("{:?}", spec.steps[0])
        };
        assert_eq!(
            (request.method.as_str(), request.body.as_str()),
            ("POST", "b")
        );
        assert_eq!(request.response.status, 404);
        assert_eq!(request.response.body, "");
        assert_eq!(
            spec.steps[1],
            Step::Kill {
                signal: Signal::Int
            }
        );
        assert_eq!(Signal::Int.number(), libc::SIGINT);
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
                r#"{"operations": [{"type": "run"}, {"type": "write", "id": "stdout"}]}"#,
                "no stream `stdout` to write",
            ),
            (r#"{"operations": [{"type": "wait"}]}"#, "before any `run`"),
            (
                r#"{"operations": [{"type": "run"}, {"type": "send", "id": "s"}]}"#,
                "no socket `s` was connected",
            ),
            (
                r#"{"operations": [{"type": "run"}, {"type": "connect", "protocol_type": "udp"}]}"#,
                "udp not supported",
            ),
            (
                r#"{"operations": [{"type": "run"}, {"type": "kill", "signal": "SIGFOO"}]}"#,
                "unknown signal name `SIGFOO`",
            ),
            (r#"{"servers": [{"name": "a-b"}]}"#, "alphanumeric"),
            (
                r#"{"servers": [{"name": "a"}, {"name": "A"}]}"#,
                "duplicate server name",
            ),
            (
                r#"{"servers": [{"name": "a", "kind": "closed", "endpoints": [{}]}]}"#,
                "takes no `endpoints`",
            ),
            (
                r#"{"servers": [{"name": "a", "endpoints": [{"response": {"body": "x", "chunks": []}}]}]}"#,
                "not both",
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
