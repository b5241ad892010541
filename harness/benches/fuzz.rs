//! Fuzzer throughput: executions per CPU-second of 32-op programs on one core,
//! for the reference host and embedded wasmtime (each run in a fresh
//! sandbox, as a campaign runs them).
//!
//! `cargo bench --bench fuzz` (`-- ROUNDS PROGRAMS [RUNTIME]` to change the
//! default 5 rounds of 200 programs, or to measure one runtime); prints the
//! median and range of the rounds.

use std::time::Instant;
use wasi_conform::fuzz::{self, Program, campaign};
use wasi_conform::layout::Layout;
use wasi_conform::runtimes::Runtime;
use wasi_conform::runtimes::reference::Reference;
use wasi_conform::runtimes::wasmtime::Wasmtime;

const OPS: usize = 32;

fn main() {
    fuzz::fast_settings();
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<usize> = words.iter().filter_map(|a| a.parse().ok()).collect();
    let only = words.iter().find(|a| a.parse::<usize>().is_err());
    let rounds = args.first().copied().unwrap_or(5);
    let count = args.get(1).copied().unwrap_or(200);
    let layout = Layout::discover();
    let wasm = wasi_conform::guests::interp(&layout).expect("the interpreter builds");
    let programs: Vec<Program> = (0..)
        .map(|i| campaign::program(0, i))
        .filter(|p| p.ops.len() >= OPS)
        .map(|mut p| {
            p.ops.truncate(OPS);
            p
        })
        .take(count)
        .collect();
    println!("{count} programs of {OPS} ops per round, {rounds} rounds, one thread");
    let runtimes: [&dyn Runtime; 2] = [&Reference, &Wasmtime];
    for runtime in runtimes {
        if only.is_some_and(|name| name != runtime.name()) {
            continue;
        }
        // Warm-up: compile the module, touch the caches.
        fuzz::run(&layout, runtime, &wasm, &programs[0]).expect("a run");
        let (mut cpu, mut wall): (Vec<f64>, Vec<f64>) = (0..rounds)
            .map(|_| {
                let (start, start_cpu) = (Instant::now(), thread_cpu_seconds());
                for program in &programs {
                    fuzz::run(&layout, runtime, &wasm, program).expect("a run");
                }
                let n = programs.len() as f64;
                (
                    n / (thread_cpu_seconds() - start_cpu),
                    n / start.elapsed().as_secs_f64(),
                )
            })
            .unzip();
        cpu.sort_by(f64::total_cmp);
        wall.sort_by(f64::total_cmp);
        println!(
            "{:<10} median {:>7.0} execs/s per core (per CPU-second; min {:.0}, max {:.0}); {:.0} per wall-clock second",
            runtime.name(),
            cpu[cpu.len() / 2],
            cpu[0],
            cpu[cpu.len() - 1],
            wall[wall.len() / 2],
        );
    }
}

/// CPU time (user and system) of the calling thread, which runs every
/// program: a shared, busy machine slows the wall clock, not this.
fn thread_cpu_seconds() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}
