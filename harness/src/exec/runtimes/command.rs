//! Command adapters: any CLI runtime described by a TOML template in
//! `harness/runtimes/`, so a runtime can be certified without recompiling.
//!
//! In `command`, `preopen` and `env`, these placeholders are replaced:
//! `{binary}` (the resolved binary), `{wasm}`, `{argv0}`, `{root}` (the
//! repository), `{template_dir}`, in `preopen` `{guest}` and `{host}`, in `env`
//! `{key}` and `{value}`. An element that is exactly `{preopens}`, `{env}` or
//! `{args}` expands to the preopen flags, the env flags or the guest's
//! arguments, one that is exactly `{abi_flags}` to the template's flags for
//! the run's ABI, one that is exactly `{proposal_flags}` to its flags for
//! each WASI proposal the guest needs, and one that is exactly `{job}` to
//! the template's `job` (the arguments of one run). `binary` lists candidates: the first that exists
//! is used (a bare name is looked up on PATH).
//!
//! `http_serve`, expanded like `command`, serves a `wasi:http/service`
//! component for `testsuite`'s live tests ([`Runtime::live_command`]).
//!
//! A template with `serve` is run by long-lived workers (`served.rs`) that
//! are sent each run's `job`; `command` stays the way to run one case by
//! hand, and is used when a run's input is too large to hand a worker.

use super::pipes::Pipes;
use super::served::Servers;
use super::{Invocation, Runtime};
use crate::model::abi::{Abi, World};
use crate::model::outcome::{RawOutcome, Status, split_trace};
use crate::model::verdict::RunError;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

/// A command runtime: its template and where it was loaded from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Unique runtime name.
    pub name: String,
    /// One line: what runtime this is and where it comes from.
    pub description: String,
    /// ABIs the runtime runs.
    pub abis: Vec<Abi>,
    /// Candidate binaries, first existing wins.
    pub binary: Vec<String>,
    /// The command printing the version (first line kept).
    pub version: Vec<String>,
    /// The command running one guest.
    pub command: Vec<String>,
    /// The arguments of one run (`{job}` in `command`; what a worker is sent).
    #[serde(default)]
    pub job: Vec<String>,
    /// The command starting a worker that serves many runs (`served.rs`).
    #[serde(default)]
    pub serve: Vec<String>,
    /// The command serving a `wasi:http/service` component over HTTP on a
    /// loopback address it prints on stderr (`testsuite`'s live tests);
    /// placeholders as in `command`.
    #[serde(default)]
    pub http_serve: Vec<String>,
    /// Flags for one preopen.
    #[serde(default)]
    pub preopen: Vec<String>,
    /// Flags for one environment variable.
    #[serde(default)]
    pub env: Vec<String>,
    /// Flags for the runs of one ABI (`{abi_flags}`), e.g. what turns WASI
    /// 0.3 on.
    #[serde(default)]
    pub abi_flags: BTreeMap<Abi, Vec<String>>,
    /// Flags for each WASI proposal a run needs (`{proposal_flags}`,
    /// [`Invocation::proposals`]), e.g. what gives the guest the network.
    #[serde(default)]
    pub proposal_flags: BTreeMap<String, Vec<String>>,
    /// Exit codes meaning the guest trapped.
    #[serde(default)]
    pub trap_exit_codes: Vec<i32>,
    /// stderr substrings meaning the guest trapped, whatever the exit code
    /// (a runtime that exits 1 both for a trap and for `proc_exit(1)`).
    #[serde(default)]
    pub trap_stderr: Vec<String>,
    /// stderr substrings meaning a link error (the case is `unsupported`).
    #[serde(default)]
    pub unsupported_stderr: Vec<String>,
    /// The runtime refuses a module importing a function it lacks, even one
    /// never called: it gets each case's guest with only the imports the
    /// case calls ([`Runtime::prune_imports`]).
    #[serde(default)]
    pub prune_imports: bool,
    /// Why the runtime does not run each ABI missing from `abis`.
    #[serde(default)]
    pub not_run: BTreeMap<Abi, String>,
    /// Commands that install the runtime (`wasi-conform setup NAME`).
    #[serde(default)]
    pub install: Vec<Vec<String>>,
    #[serde(skip)]
    source: PathBuf,
    #[serde(skip)]
    repo_root: PathBuf,
    #[serde(skip)]
    version_line: OnceLock<String>,
    #[serde(skip)]
    servers: Servers,
}

/// Loads every `*.toml` template in `dir`, sorted by file name.
pub fn load_templates(dir: &Path, repo_root: &Path) -> Result<Vec<Template>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the runtime templates", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| Template::load(file, repo_root))
        .collect()
}

impl Template {
    /// Loads and checks one template.
    pub fn load(path: &Path, repo_root: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read runtime template", path.display()))?;
        let mut template: Template = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{}: {}", path.display(), e.message().replace('\n', " "))
        })?;
        if template.binary.is_empty() || template.command.is_empty() || template.version.is_empty()
        {
            bail!(
                "{}: `binary`, `version` and `command` must not be empty",
                path.display()
            );
        }
        let mentions = |args: &[String], what: &str| args.iter().any(|arg| arg.contains(what));
        if !mentions(&template.command, "{wasm}") && !mentions(&template.job, "{wasm}") {
            bail!(
                "{}: neither `command` nor `job` mentions {{wasm}}",
                path.display()
            );
        }
        if !template.job.is_empty() && !template.command.iter().any(|arg| arg == "{job}") {
            bail!(
                "{}: `job` is given but `command` has no {{job}}",
                path.display()
            );
        }
        if !template.serve.is_empty() && template.job.is_empty() {
            bail!(
                "{}: `serve` needs `job`, the arguments of one run",
                path.display()
            );
        }
        template.source = path.to_owned();
        template.repo_root = repo_root.to_owned();
        Ok(template)
    }

    /// Runs the template's install commands, echoing each, unless the
    /// runtime is already available.
    pub fn install(&self) -> Result<()> {
        if self.binary_path().is_ok() {
            return Ok(());
        }
        if self.install.is_empty() {
            bail!(
                "{}: runtime `{}` has no install steps",
                self.source.display(),
                self.name
            );
        }
        for step in &self.install {
            let argv: Vec<String> = step.iter().map(|arg| self.expand_static(arg)).collect();
            eprintln!("wasi-conform: setup {}: {}", self.name, argv.join(" "));
            let status = Command::new(&argv[0])
                .args(&argv[1..])
                .status()
                .with_context(|| format!("setup {}: cannot start `{}`", self.name, argv[0]))?;
            if !status.success() {
                bail!(
                    "setup {}: `{}` failed ({status})",
                    self.name,
                    argv.join(" ")
                );
            }
        }
        self.binary_path()
            .map(|_| ())
            .map_err(|why| anyhow::anyhow!("setup {}: the install steps ran, but {why}", self.name))
    }

    fn template_dir(&self) -> PathBuf {
        self.source.parent().unwrap_or(Path::new(".")).to_owned()
    }

    /// Replaces the placeholders that do not depend on an invocation.
    fn expand_static(&self, arg: &str) -> String {
        arg.replace("{root}", &self.repo_root.to_string_lossy())
            .replace("{template_dir}", &self.template_dir().to_string_lossy())
    }

    /// The first candidate binary that exists (looked up afresh: an install
    /// may have just added it).
    pub fn binary_path(&self) -> Result<PathBuf, String> {
        let candidates: Vec<String> = self.binary.iter().map(|b| self.expand_static(b)).collect();
        candidates
            .iter()
            .find_map(|candidate| find_executable(candidate))
            .ok_or_else(|| {
                format!(
                    "not installed: none of {} found (install with `wasi-conform setup {}`)",
                    candidates.join(", "),
                    self.name
                )
            })
    }

    /// Expands `args` (the template's `command`, `job` or `serve`) for one run.
    fn expand(&self, args: &[String], binary: &Path, inv: &Invocation) -> Vec<String> {
        let mut argv = Vec::new();
        for arg in args {
            match arg.as_str() {
                "{job}" => argv.extend(self.expand(&self.job, binary, inv)),
                "{preopens}" => {
                    for p in inv.preopens {
                        argv.extend(self.preopen.iter().map(|flag| {
                            flag.replace("{guest}", &p.guest)
                                .replace("{host}", &p.host.to_string_lossy())
                        }));
                    }
                }
                "{env}" => {
                    for (key, value) in inv.env {
                        argv.extend(
                            self.env
                                .iter()
                                .map(|flag| flag.replace("{key}", key).replace("{value}", value)),
                        );
                    }
                }
                "{args}" => argv.extend(inv.argv[1..].iter().cloned()),
                "{abi_flags}" => {
                    argv.extend(self.abi_flags.get(&inv.abi).into_iter().flatten().cloned())
                }
                "{proposal_flags}" => argv.extend(
                    inv.proposals
                        .iter()
                        .filter_map(|p| self.proposal_flags.get(p))
                        .flatten()
                        .cloned(),
                ),
                _ => argv.push(
                    self.expand_static(arg)
                        .replace("{binary}", &binary.to_string_lossy())
                        .replace("{wasm}", &inv.wasm.to_string_lossy())
                        .replace("{argv0}", &inv.argv[0]),
                ),
            }
        }
        argv
    }
}

impl Runtime for Template {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        self.version_line
            .get_or_init(|| {
                let Ok(binary) = self.binary_path() else {
                    return "not installed".into();
                };
                let argv: Vec<String> = self
                    .version
                    .iter()
                    .map(|arg| {
                        self.expand_static(arg)
                            .replace("{binary}", &binary.to_string_lossy())
                    })
                    .collect();
                match Command::new(&argv[0]).args(&argv[1..]).output() {
                    Ok(out) => String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                    Err(e) => format!("unknown ({e})"),
                }
            })
            .clone()
    }

    fn abis(&self) -> &[Abi] {
        &self.abis
    }

    fn availability(&self) -> Result<(), String> {
        self.binary_path().map(|_| ())
    }

    fn not_run(&self) -> Vec<(Abi, String)> {
        self.not_run
            .iter()
            .map(|(abi, why)| (*abi, why.clone()))
            .collect()
    }

    fn prune_imports(&self) -> bool {
        self.prune_imports
    }

    fn live_command(&self, inv: &Invocation, world: World) -> Result<Vec<String>, String> {
        let binary = self.binary_path()?;
        let args = match world {
            World::Command => &self.command,
            World::HttpService if self.http_serve.is_empty() => {
                return Err(format!(
                    "template {} gives no `http_serve` command: the runtime is not run serving \
                     a wasi:http handler (the wasi:http/proxy and wasi:http/service worlds)",
                    self.source
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                ));
            }
            World::HttpService => &self.http_serve,
        };
        Ok(self.expand(args, &binary, inv))
    }

    fn link_error(&self, stderr: &str) -> Option<String> {
        self.unsupported_stderr
            .iter()
            .find(|p| stderr.contains(p.as_str()))
            .map(|pattern| excerpt(stderr, pattern))
    }

    fn run(&self, inv: &Invocation) -> Result<RawOutcome, RunError> {
        let binary = self.binary_path().map_err(RunError::Unsupported)?;
        let served = if self.serve.is_empty() {
            None
        } else {
            self.servers.run(
                &self.expand(&self.serve, &binary, inv),
                inv.sandbox_root,
                &self.expand(&self.job, &binary, inv),
                inv.stdin,
                inv.limits.timeout,
                inv.limits.output_cap,
            )?
        };
        let (waited, stdout, stderr, truncated) = match served {
            Some(served) => served,
            None => self.spawn(&self.expand(&self.command, &binary, inv), inv)?,
        };
        self.outcome(waited, stdout, stderr, truncated)
    }
}

impl Template {
    /// Runs the runtime once as a process of its own.
    fn spawn(
        &self,
        argv: &[String],
        inv: &Invocation,
    ) -> Result<(Waited, Vec<u8>, Vec<u8>, bool), RunError> {
        let io_error = |e: std::io::Error| RunError::Harness(format!("stdio pipes: {e}"));
        // Pipes, as a user who runs the runtime in a shell pipeline or from
        // another program gets them (not terminals, not files).
        let (ends, pipes) = Pipes::start(inv.stdin, inv.limits.output_cap).map_err(io_error)?;
        let child = runtime_process(argv)
            .current_dir(inv.sandbox_root)
            .stdin(ends.stdin)
            .stdout(ends.stdout)
            .stderr(ends.stderr)
            .spawn()
            .map_err(|e| RunError::Harness(format!("{}: cannot start: {e}", argv[0])))?;
        let pid = child.id() as i32;
        let waited = wait(child, inv.limits.timeout, || pipes.over_cap());
        kill_group(pid);
        let (stdout, stderr, truncated) = pipes.finish();
        Ok((waited, stdout, stderr, truncated))
    }

    /// The outcome of a run that ended as `waited`, by the template's rules
    /// for traps and link errors.
    fn outcome(
        &self,
        waited: Waited,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
        truncated: bool,
    ) -> Result<RawOutcome, RunError> {
        let status = match waited {
            Waited::TimedOut => {
                let (trace, _) = split_trace(&stdout);
                return Err(RunError::Timeout(trace.last().cloned().unwrap_or_default()));
            }
            Waited::OverCap => {
                Status::Trap("output exceeded the cap; the runtime was stopped".into())
            }
            Waited::Lost(e) => {
                return Err(RunError::Crash(format!(
                    "waiting for the runtime failed: {e}"
                )));
            }
            Waited::Exited(status) => match (status.code(), status.signal()) {
                (Some(code), _) => Status::Exit(code),
                (None, Some(signal)) => {
                    return Err(RunError::Crash(format!("killed by signal {signal}")));
                }
                (None, None) => {
                    return Err(RunError::Crash(format!("unknown exit status {status}")));
                }
            },
        };
        let status = match status {
            Status::Exit(code) if code != 0 => {
                let text = String::from_utf8_lossy(&stderr);
                if let Some(why) = self.link_error(&text) {
                    return Err(RunError::Unsupported(why));
                }
                if self.trap_exit_codes.contains(&code)
                    || self.trap_stderr.iter().any(|p| text.contains(p.as_str()))
                {
                    Status::Trap(text.into_owned())
                } else {
                    Status::Exit(code)
                }
            }
            other => other,
        };
        Ok(RawOutcome {
            status,
            stdout,
            stderr,
            truncated,
            fs: None,
        })
    }
}

/// How waiting for a runtime ended.
pub(crate) enum Waited {
    Exited(std::process::ExitStatus),
    TimedOut,
    OverCap,
    /// `wait(2)` itself failed.
    Lost(String),
}

/// Waits for the child up to `timeout`, stopping it early when `over_cap()`.
/// A waiter thread blocks in `wait(2)`, so an exit is seen at once; the
/// loop wakes every few milliseconds only to check the cap and the deadline.
pub(crate) fn wait(child: Child, timeout: Duration, over_cap: impl Fn() -> bool) -> Waited {
    const CHECK: Duration = Duration::from_millis(2);
    let pid = child.id() as i32;
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut child = child;
        let _ = sender.send(child.wait());
    });
    let deadline = Instant::now() + timeout;
    loop {
        let stop = match receiver.recv_timeout(CHECK) {
            Ok(Ok(status)) => return Waited::Exited(status),
            Ok(Err(e)) => Waited::Lost(e.to_string()),
            Err(_) if over_cap() => Waited::OverCap,
            Err(_) if Instant::now() >= deadline => Waited::TimedOut,
            Err(_) => continue,
        };
        kill_group(pid);
        let _ = receiver.recv();
        return stop;
    }
}

/// The runtime's process for `argv` as every run gets it, spawned or
/// serving: an environment of only `PATH` and `HOME`, and a process group
/// of its own ([`kill_group`] stops it with whatever it started).
pub(crate) fn runtime_process(argv: &[String]) -> Command {
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .env_clear()
        .envs(
            ["PATH", "HOME"]
                .into_iter()
                .filter_map(|k| Some((k, std::env::var_os(k)?))),
        )
        .process_group(0);
    command
}

/// Kills the process group the runtime was started in (runner scripts may
/// have children of their own).
pub(crate) fn kill_group(pid: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is shared.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

fn find_executable(candidate: &str) -> Option<PathBuf> {
    let is_executable = |path: &Path| {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if candidate.contains('/') {
        let path = PathBuf::from(candidate);
        return is_executable(&path).then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(candidate))
        .find(|path| is_executable(path))
}

fn excerpt(text: &str, pattern: &str) -> String {
    text.lines()
        .find(|line| line.contains(pattern))
        .unwrap_or(pattern)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::runtimes::Limits;

    /// A template whose "runtime" is the shell script `body`.
    fn fake_runtime(dir: &Path, body: &str) -> Template {
        use std::os::unix::fs::PermissionsExt;
        let script = dir.join("runtime.sh");
        std::fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let toml = r#"
name = "fake"
description = "a shell script standing in for a runtime"
abis = ["p1"]
binary = ["{template_dir}/runtime.sh"]
version = ["echo", "fake 1.0"]
command = ["{binary}", "{wasm}", "{preopens}", "{args}"]
preopen = ["--dir={guest}"]
trap_exit_codes = [134]
trap_stderr = ["wasm backtrace"]
unsupported_stderr = ["unknown import"]
"#;
        std::fs::write(dir.join("fake.toml"), toml).unwrap();
        Template::load(&dir.join("fake.toml"), dir).unwrap()
    }

    fn run(body: &str, limits: Limits) -> Result<RawOutcome, RunError> {
        let dir = tempfile::tempdir().unwrap();
        let runtime = fake_runtime(dir.path(), body);
        let preopens = [crate::exec::fixture::Preopen {
            guest: "/sandbox".into(),
            host: dir.path().into(),
        }];
        let invocation = Invocation {
            abi: Abi::P1,
            wasm: Path::new("guest.wasm"),
            argv: vec!["guest.wasm".into(), "a b".into()],
            env: &[],
            stdin: b"input",
            sandbox_root: dir.path(),
            preopens: &preopens,
            proposals: &[],
            fixture: None,
            limits,
        };
        runtime.run(&invocation)
    }

    #[test]
    fn exit_status_output_and_arguments_are_passed_through() {
        let out = run(
            r#"cat; echo " $*"; echo err >&2; exit 3"#,
            Limits::default(),
        )
        .unwrap();
        assert_eq!(out.status, Status::Exit(3));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "input guest.wasm --dir=/sandbox a b\n"
        );
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn a_segfault_is_a_crash() {
        assert_eq!(
            run("kill -SEGV $$", Limits::default()).unwrap_err(),
            RunError::Crash("killed by signal 11".into())
        );
    }

    #[test]
    fn a_hang_is_a_timeout_and_is_killed_with_the_last_call_traced_as_evidence() {
        let limits = Limits {
            timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        let started = Instant::now();
        assert_eq!(
            run("sleep 30", limits).unwrap_err(),
            RunError::Timeout(String::new())
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let hang = "echo '@@wasi {\"call\":\"a\"}'; echo '@@wasi {\"call\":\"b\"}'; sleep 30";
        assert_eq!(
            run(hang, limits).unwrap_err(),
            RunError::Timeout("{\"call\":\"b\"}".into())
        );
    }

    #[test]
    fn a_flood_is_capped_and_stopped() {
        let limits = Limits {
            output_cap: 1 << 20,
            ..Limits::default()
        };
        let started = Instant::now();
        let out = run("head -c 1073741824 /dev/zero", limits).unwrap();
        assert!(out.truncated);
        assert_eq!(out.stdout.len(), 1 << 20);
        assert!(matches!(out.status, Status::Trap(_)));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn trap_codes_trap_messages_and_link_errors_are_recognised() {
        assert!(
            matches!(run("echo boom >&2; exit 134", Limits::default()).unwrap().status, Status::Trap(m) if m == "boom\n")
        );
        assert!(matches!(
            run(
                "echo 'error: wasm backtrace:' >&2; exit 1",
                Limits::default()
            )
            .unwrap()
            .status,
            Status::Trap(_)
        ));
        assert_eq!(
            run("echo other >&2; exit 1", Limits::default())
                .unwrap()
                .status,
            Status::Exit(1)
        );
        let err = run(
            "echo 'Error: unknown import: `wasi::x`' >&2; exit 1",
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            RunError::Unsupported("Error: unknown import: `wasi::x`".into())
        );
    }

    #[test]
    fn a_missing_binary_is_not_available() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = fake_runtime(dir.path(), "");
        std::fs::remove_file(dir.path().join("runtime.sh")).unwrap();
        let reason = runtime.availability().unwrap_err();
        assert!(
            reason.starts_with("not installed") && reason.contains("wasi-conform setup fake"),
            "{reason}"
        );
    }
}
