//! A test case: a guest program with its inputs and expectations, as a
//! manifest describes it (`suite::manifest` loads and validates them).

use crate::model::abi::Abi;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One test case: a guest program with its inputs and expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique name, `<area>/<slug>`.
    pub name: String,
    /// Guest program (a bin of `tests-src/p1` for p1 ABIs, of `tests-src/p2` for p2).
    pub guest: String,
    /// One line: what the case checks.
    pub description: String,
    /// The document section the case checks.
    #[serde(default)]
    pub spec: Option<String>,
    /// How binding the checked behaviour is: every manifest entry says.
    pub binding: Binding,
    /// For a `must` case: the sentence of the witx/WIT docs that requires
    /// the checked behaviour, verbatim (a test finds it in the spec text
    /// the dependency crates ship).
    #[serde(default)]
    pub quote: Option<String>,
    /// ABIs the case runs as.
    pub abis: Vec<Abi>,
    /// argv after argv[0] (argv[0] is always `<guest>.wasm`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment, in order.
    #[serde(default)]
    pub env: Vec<(String, String)>,
    /// Bytes on stdin.
    #[serde(default)]
    pub stdin: String,
    /// Gives `stdin` this many times over: the manifest loader expands it
    /// into `stdin` (and clears it), so a large stdin stays one line.
    #[serde(default)]
    pub stdin_repeat: Option<usize>,
    /// Exit status as a p1 module (components map non-zero to 1).
    #[serde(default)]
    pub exit: i32,
    /// A directory under `tests-src/fixtures/` copied into the sandbox first.
    #[serde(default)]
    pub fixture_dir: Option<String>,
    /// Entries created in the sandbox after `fixture_dir`.
    #[serde(default)]
    pub fixture: Vec<FixtureEntry>,
    /// Preopened directories: (guest path, directory relative to the sandbox root).
    #[serde(default)]
    pub preopens: Vec<(String, String)>,
    /// WASI proposals the guest needs beyond the command world, as
    /// wasi-testsuite names them: `sockets` (the host's network) and
    /// `http` (outgoing requests). A runtime that needs leave for them gets
    /// it (wasmtime's `-S inherit-network`, `-S http`).
    #[serde(default)]
    pub proposals: Vec<String>,
    /// A loopback server the harness starts for each run of the case and
    /// stops after it (`server = "http"`); what it saw of each request is
    /// appended to the run's program output, so runtimes are compared on it.
    #[serde(default)]
    pub server: Option<CaseServer>,
    /// A request the harness sends, as an HTTP client, to the guest served
    /// as a `wasi:http/proxy` component (its `incoming-handler`) instead of
    /// running it as a command; what the client got back is appended to the
    /// run's program output.
    #[serde(default)]
    pub request: Option<ServedRequest>,
    /// The WASI 0.3 functions a p3 case's scenario calls, as `coverage`
    /// names them (`wasi:sockets/types.tcp-socket.bind`); a p1 case's calls
    /// are read from its trace instead.
    #[serde(default)]
    pub calls: Vec<String>,
    /// Where the documents allow several errnos: call name -> the allowed set.
    #[serde(default)]
    pub allowed_errnos: BTreeMap<String, Vec<String>>,
    /// The manifest this case came from (not a manifest key).
    #[serde(skip)]
    pub source: PathBuf,
}

/// The servers a case can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseServer {
    /// HTTP/1.1, answering by path (`testsuite::http::CaseServer`); its
    /// address is `HTTP_SERVER` in the guest's environment.
    Http,
}

/// The host a served request names (its `Host` header, unless the case
/// gives one): the same on every run, whatever port the runtime serves on.
pub const SERVED_HOST: &str = "localhost";

/// A request a case sends to its served guest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedRequest {
    /// The method token (`GET`).
    pub method: String,
    /// The request target: path and query (`/request?a=1`).
    pub path: String,
    /// Header fields beyond those every request carries (`Host`, and the
    /// client's defaults: [`http::request_fields`](crate::testsuite::http::request_fields)).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    /// Record only the class of the response's status (`5xx`): for an
    /// error the runtime answers on the guest's behalf, whose headers and
    /// body are the runtime's own.
    #[serde(default)]
    pub status_class: bool,
}

impl ServedRequest {
    /// `Host: `[`SERVED_HOST`] (unless given), then the case's headers.
    pub fn wire_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if !self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            headers.push(("Host".to_string(), SERVED_HOST.to_string()));
        }
        headers.extend(self.headers.iter().cloned());
        headers
    }
}

/// How binding the behaviour a case checks is, as the cited document says.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Binding {
    /// The document requires it (a "must", an errno it names, a defined result).
    #[default]
    Must,
    /// The document recommends it, or it follows from "similar to POSIX".
    Should,
    /// The document leaves it open; the case records what each runtime chose.
    ImplementationDefined,
    /// Undefined enum values, stray flag bits, out-of-range arguments: a
    /// trap or an error are both fine; a crash, hang, escape or a silent
    /// success that changes state is not.
    Robustness,
}

impl Binding {
    /// Every tier, from the most binding.
    pub const ALL: [Binding; 4] = [
        Binding::Must,
        Binding::Should,
        Binding::ImplementationDefined,
        Binding::Robustness,
    ];

    /// The manifest spelling (`must`, `should`, `implementation-defined`).
    pub fn name(self) -> &'static str {
        match self {
            Binding::Must => "must",
            Binding::Should => "should",
            Binding::ImplementationDefined => "implementation-defined",
            Binding::Robustness => "robustness",
        }
    }
}

/// One file, directory, symlink or hard link of a case's fixture.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureEntry {
    /// Path relative to the sandbox root.
    pub path: String,
    /// A regular file with this content.
    #[serde(default)]
    pub file: Option<String>,
    /// A directory.
    #[serde(default)]
    pub dir: bool,
    /// A symlink with this target (written verbatim; may point anywhere).
    #[serde(default)]
    pub symlink: Option<String>,
    /// A hard link to this other fixture path.
    #[serde(default)]
    pub hardlink: Option<String>,
}

impl Case {
    /// A case with every optional key at its default: no arguments,
    /// environment, stdin, fixture or preopens, exit 0, tier `must`.
    pub fn new(name: &str, guest: &str, description: &str, abis: Vec<Abi>) -> Case {
        Case {
            name: name.to_string(),
            guest: guest.to_string(),
            description: description.to_string(),
            spec: None,
            binding: Binding::default(),
            quote: None,
            abis,
            args: Vec::new(),
            env: Vec::new(),
            stdin: String::new(),
            stdin_repeat: None,
            exit: 0,
            fixture_dir: None,
            fixture: Vec::new(),
            preopens: Vec::new(),
            proposals: Vec::new(),
            server: None,
            request: None,
            calls: Vec::new(),
            allowed_errnos: BTreeMap::new(),
            source: PathBuf::new(),
        }
    }

    /// The guest's argv: `<guest>.wasm`, then the case's arguments.
    pub fn argv(&self) -> Vec<String> {
        let mut argv = vec![format!("{}.wasm", self.guest)];
        argv.extend(self.args.iter().cloned());
        argv
    }

    /// The area: the part of the name before the first `/`.
    pub fn area(&self) -> &str {
        self.name.split('/').next().unwrap_or(&self.name)
    }

    /// The exit status expected under `abi`.
    pub fn expected_exit(&self, abi: Abi) -> i32 {
        abi.exit_status(self.exit)
    }

    /// The preview1 functions a `calls` case can reach: the first word of
    /// each statement (`readdir` is `fd_readdir`), and those the guest calls
    /// whatever the statements (reading its arguments, finding preopens,
    /// writing its trace, exiting). `None` for the other guests, whose calls
    /// are not listed.
    pub fn called_imports(&self) -> Option<BTreeSet<&str>> {
        const ALWAYS: [&str; 8] = [
            "args_get",
            "args_sizes_get",
            "environ_get",
            "environ_sizes_get",
            "fd_prestat_dir_name",
            "fd_prestat_get",
            "fd_write",
            "proc_exit",
        ];
        if self.guest != "calls" {
            return None;
        }
        let statements =
            self.args
                .iter()
                .filter_map(|statement| match statement.split_whitespace().next()? {
                    "readdir" => Some("fd_readdir"),
                    verb => Some(verb),
                });
        Some(ALWAYS.into_iter().chain(statements).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calls_case_reaches_its_statements_and_what_the_guest_always_calls() {
        let mut case = Case::new("x/y", "calls", "d", vec![Abi::P1]);
        case.args = vec![
            "path_open $sandbox f as f => ok".into(),
            "readdir $f".into(),
        ];
        let called = case.called_imports().unwrap();
        assert!(called.contains("path_open") && called.contains("fd_readdir"));
        assert!(called.contains("fd_prestat_get") && called.contains("proc_exit"));
        assert!(!called.contains("sock_accept") && !called.contains("readdir"));
        assert_eq!(
            Case::new("x/y", "stdio", "d", vec![Abi::P1]).called_imports(),
            None
        );
    }
}
