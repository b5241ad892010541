//! The command line: every subcommand and its options (clap).

use crate::exec::runtimes::Limits;
use crate::model::abi::Abi;
use crate::suite::{Filter, Shard};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// WASI conformance suite and differential fuzzer.
///
/// Exit status: 0 when every verdict is as expected, 1 on regressions,
/// 2 on bad input or setup.
#[derive(Parser)]
#[command(name = "wasi-conform", version)]
pub struct Cli {
    /// The wasi-conform checkout (default: $WASI_CONFORM_ROOT, else the one
    /// this binary was built from).
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Lists the cases, one line per case and ABI.
    List(FilterArgs),
    /// Runs the cases on runtimes and judges every outcome.
    Run {
        #[command(flatten)]
        filter: FilterArgs,
        /// Runtimes to run on, comma-separated (default: reference,wasmtime).
        #[arg(long, value_delimiter = ',')]
        runtime: Vec<String>,
        /// Replay this fuzz reproducer instead of the cases (on its own
        /// runtimes, or on --runtime); exits 1 while they still diverge.
        #[arg(long, value_name = "FILE")]
        repro: Option<PathBuf>,
        /// Also write every verdict as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write JUnit XML to this file (a testcase per case, ABI and
        /// runtime; unexpected verdicts are failures).
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Rewrite expected/runtimes/<runtime>.toml from this run's verdicts:
        /// each entry gets a reason read from the runtime's own evidence and
        /// the difference it was recorded with; a reason a person wrote is
        /// kept while its difference stays the same (never in CI).
        #[arg(long)]
        update_expectations: bool,
        /// Parallel jobs (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run every embedded runtime in worker processes, so that a crash
        /// or hang is a verdict (wasmer and wasmi always run that way).
        #[arg(long)]
        isolate: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Serves runs of an embedded runtime over stdin/stdout (used by the
    /// harness itself for process isolation).
    #[command(hide = true)]
    Worker {
        /// The embedded runtime.
        name: String,
    },
    /// Runs one guest on embedded wasmtime with this process's stdin,
    /// stdout and stderr (used by `testsuite` for tests that talk to a
    /// running guest). A trap exits 134, a link error 3, a timeout 124.
    #[command(hide = true)]
    Host(HostOptions),
    /// Runs every case on one runtime and writes its certification report
    /// to reports/<runtime>-<version>/ (report.json, report.md, report.html).
    Certify {
        /// The runtime, as `wasi-conform runtimes` names it.
        #[arg(long)]
        runtime: String,
        /// Only part I of N of the cases (every N-th, from the I-th), written
        /// as shard-I-of-N.json in the report's directory; `report` merges
        /// the N parts into report.json once all are there.
        #[arg(long)]
        shard: Option<Shard>,
        /// Parallel jobs (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Merges the latest report of every runtime under reports/ into
    /// reports/index.md and reports/index.html.
    Report,
    /// Rewrites expected/ from the reference outcomes (never in CI).
    Bless {
        #[command(flatten)]
        filter: FilterArgs,
        /// Add this fuzz reproducer as case `fuzz/NAME` (in
        /// tests-src/cases/fuzz.toml) and bless it from the reference host.
        #[arg(long, value_name = "FILE", requires = "name")]
        from_repro: Option<PathBuf>,
        /// The new case's name after `fuzz/` (with --from-repro).
        #[arg(long, requires = "from_repro")]
        name: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Fuzzes runtimes against each other with generated call programs,
    /// judged by the suite's rules (expected/fuzz-triage.toml): differences
    /// WASI permits are not flagged, triaged kinds are counted with their
    /// case, each new kind is minimised into a reproducer under --out.
    /// Exits 1 when there is a new kind.
    Fuzz {
        /// Runtimes to compare, comma-separated; naming one twice checks
        /// that it is deterministic.
        #[arg(long, value_delimiter = ',', default_value = "reference,wasmtime")]
        runtime: Vec<String>,
        /// Stop after this long (90s, 10m, 2h).
        #[arg(long, conflicts_with = "iterations", value_parser = crate::fuzz::campaign::parse_duration)]
        time: Option<Duration>,
        /// Stop after this many programs (default 1000, unless --time).
        #[arg(long)]
        iterations: Option<usize>,
        /// Seed of the generated programs.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Parallel jobs (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Where reproducers are written (default: target/fuzz).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only programs I-1, I-1+N, ... of the seed: N machines share one
        /// campaign without running a program twice.
        #[arg(long)]
        shard: Option<Shard>,
    },
    /// Lists every known runtime: available or not, version, ABIs.
    Runtimes {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Installs a command runtime with its template's install steps.
    Setup {
        /// The runtime, as `wasi-conform runtimes` names it.
        name: String,
    },
    /// Runs tests in the WebAssembly/wasi-testsuite format as its official
    /// runner does: every X.wasm (with its optional X.json) under the
    /// directories, each run in a fresh copy of its fixture, judged by its
    /// operations (expected stdout/stderr as prefixes, the exit code).
    Testsuite {
        /// Directories searched recursively for tests.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Runtimes to run on, comma-separated (default: reference).
        #[arg(long, value_delimiter = ',')]
        runtime: Vec<String>,
        /// Also write every verdict as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Parallel jobs (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Stricter than the official runner: the expected stdout and stderr
        /// must be all the guest wrote, not only how it starts.
        #[arg(long)]
        exact_output: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Per preview1 function: how many cases call it and which errnos they
    /// reach, read from the blessed p1 outcomes (expected/**/*.p1.out, the
    /// reference host's traces); per WASI 0.2 function, how many p2 cases
    /// call it (a `calls` case's statements, another guest's blessed
    /// trace); per WASI 0.3 function, how many p3 cases call it (their
    /// manifests' `calls`); runs nothing.
    Coverage {
        /// Also write {"functions": {NAME: {"cases": N, "errnos": [...]}},
        /// "p2_functions": {NAME: N}, "p3_functions": {NAME: N}} to this
        /// file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Writes the p1 cases as tests in another format (wasi-testsuite:
    /// DIR/<case>/<guest>.wasm + .json, expectations from the reference host).
    Export {
        /// The format: wasi-testsuite.
        #[arg(long)]
        format: crate::render::export::Format,
        /// The directory to create (it must not exist, or be empty).
        dir: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Args)]
pub struct FilterArgs {
    /// Only cases whose name matches this glob (repeatable), e.g. 'args/*'.
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Only these ABIs, comma-separated: p1, p1-component, p2, p3.
    #[arg(long = "abi", value_delimiter = ',')]
    pub abis: Vec<Abi>,
    /// Only part I of N of the selected pairs (every N-th, from the I-th),
    /// e.g. 2/4: N machines or CI jobs share the work.
    #[arg(long)]
    pub shard: Option<Shard>,
}

#[derive(Args)]
pub struct LimitArgs {
    /// Seconds before a run becomes a `timeout`.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Seconds given instead to a run that the runtime's expectation file
    /// records as a `timeout`: a known hang is checked again, not waited
    /// out (at most --timeout; --known-timeout 30 waits them out).
    #[arg(long, default_value_t = 2.0)]
    pub known_timeout: f64,
    /// Bytes of stdout and of stderr kept per run; more is truncated.
    #[arg(long, default_value_t = 16 << 20)]
    pub output_cap: usize,
}

impl From<FilterArgs> for Filter {
    fn from(args: FilterArgs) -> Filter {
        Filter {
            cases: args.cases,
            abis: args.abis,
            shard: args.shard,
        }
    }
}

impl From<LimitArgs> for Limits {
    fn from(args: LimitArgs) -> Limits {
        Limits {
            timeout: Duration::from_secs_f64(args.timeout),
            known_timeout: Duration::from_secs_f64(args.known_timeout.min(args.timeout)),
            output_cap: args.output_cap,
        }
    }
}

/// The arguments of the hidden `host` command: one guest, as an
/// [`Invocation`](crate::exec::runtimes::Invocation) gives it.
#[derive(Args, Debug)]
pub struct HostOptions {
    /// The guest's ABI.
    #[arg(long)]
    pub abi: Abi,
    /// Serve the guest's `wasi:http/service` world over HTTP instead.
    #[arg(long)]
    pub http_service: bool,
    /// argv[0] of the guest.
    #[arg(long)]
    pub argv0: String,
    /// HOST::GUEST, a directory preopened under a name (repeatable).
    #[arg(long = "dir")]
    pub dirs: Vec<String>,
    /// KEY=VALUE, an environment variable (repeatable).
    #[arg(long = "env")]
    pub envs: Vec<String>,
    /// A WASI proposal the guest needs: sockets, http (repeatable).
    #[arg(long = "proposal")]
    pub proposals: Vec<String>,
    /// Seconds of guest execution before it is stopped.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// The guest binary.
    pub wasm: PathBuf,
    /// The guest's arguments after argv[0].
    #[arg(last = true)]
    pub args: Vec<String>,
}
