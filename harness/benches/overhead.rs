//! The harness's per-case overhead against a bare runtime invocation.
//!
//! For one small guest (`args` as p1) it times, as medians over many runs:
//! - embedded wasmtime called directly (`Runtime::run` in a prepared
//!   directory) against the harness's full path (`runner::execute`: fresh
//!   sandbox with canaries, run, snapshot, canary check) plus judging;
//! - the wasmtime CLI started directly against the same through its command
//!   template (when `wasi-conform setup wasmtime-cli` has installed it).
//!
//! Run: `cargo bench -p wasi-conform --bench overhead` (after the guests
//! were built once by `wasi-conform run`).

use std::path::Path;
use std::time::{Duration, Instant};
use wasi_conform::abi::Abi;
use wasi_conform::expected;
use wasi_conform::guests::Guests;
use wasi_conform::layout::Layout;
use wasi_conform::manifest;
use wasi_conform::runner;
use wasi_conform::runtimes::{self, Invocation, Limits, Runtime};
use wasi_conform::verdict;

const RUNS: usize = 200;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm-up: compile caches, page cache
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let layout = Layout::discover();
    let cases = manifest::load_dir(&layout.cases).expect("case manifests load");
    let case = cases
        .iter()
        .find(|c| c.name == "args/several")
        .expect("the args/several case exists");
    let guests = Guests::build(&layout, &[Abi::P1].into_iter().collect()).expect("guests build");
    let wasm = guests
        .check(&layout, &case.guest, Abi::P1)
        .expect("the args guest is built");
    let body = expected::read_body(case, &expected::path(&layout.expected, case, Abi::P1))
        .expect("expected outcome");
    let embedded = runtimes::wasmtime::Wasmtime;
    let templates =
        runtimes::command::load_templates(&layout.templates, &layout.root).expect("templates load");
    let cli = templates
        .into_iter()
        .find(|t| t.name == "wasmtime-cli")
        .expect("the wasmtime-cli template exists");
    println!(
        "{:<14} {:>12} {:>12} {:>12} {:>8}",
        "runtime", "bare", "harness", "overhead", "ratio"
    );
    let runtimes: [&dyn Runtime; 2] = [&embedded, &cli];
    for runtime in runtimes {
        let bare = match runtime.name() {
            "wasmtime" => time(RUNS, || bare_embedded(&embedded, &wasm, &case.args)),
            _ => match cli.binary_path() {
                Ok(binary) => time(RUNS / 4, || bare_cli(&binary, &wasm, &case.args)),
                Err(why) => {
                    println!("{:<14} skipped: {why}", runtime.name());
                    continue;
                }
            },
        };
        let runs = if runtime.name() == "wasmtime" {
            RUNS
        } else {
            RUNS / 4
        };
        let harness = time(runs, || {
            let run = runner::execute(&layout, case, Abi::P1, runtime, &wasm, Limits::default())
                .expect("runs");
            let judged = verdict::judge(case, Abi::P1, &run, &body);
            assert_eq!(judged.verdict, verdict::Verdict::Pass, "{}", judged.detail);
        });
        let overhead = harness.saturating_sub(bare);
        println!(
            "{:<14} {:>10.2}ms {:>10.2}ms {:>10.2}ms {:>7.2}x",
            runtime.name(),
            bare.as_secs_f64() * 1e3,
            harness.as_secs_f64() * 1e3,
            overhead.as_secs_f64() * 1e3,
            harness.as_secs_f64() / bare.as_secs_f64()
        );
    }
}

/// The CLI started by hand: no sandbox, no snapshot, no judging.
fn bare_cli(binary: &Path, wasm: &Path, args: &[String]) {
    let status = std::process::Command::new(binary)
        .args(["run", "--argv0", "args.wasm"])
        .arg(wasm)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("the CLI starts");
    assert!(status.success());
}

/// One in-process run with no sandbox, snapshot or judging.
fn bare_embedded(runtime: &dyn Runtime, wasm: &Path, args: &[String]) {
    let dir = std::env::temp_dir();
    let mut argv = vec!["args.wasm".to_string()];
    argv.extend(args.iter().cloned());
    let invocation = Invocation {
        abi: Abi::P1,
        wasm,
        argv,
        env: &[],
        stdin: b"",
        sandbox_root: &dir,
        preopens: &[],
        fixture: None,
        limits: Limits::default(),
    };
    runtime.run(&invocation).expect("the guest runs");
}
