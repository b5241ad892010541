//! Fuzzer throughput: executions per second of 32-op programs on one core,
//! for the reference host and embedded wasmtime (each run in a fresh
//! sandbox, as a campaign runs them).
//!
//! `cargo bench --bench fuzz` (`-- ROUNDS PROGRAMS` to change the default
//! 5 rounds of 200 programs); prints the median and range of the rounds.

use std::time::Instant;
use wasi_conform::fuzz::{self, Program, campaign};
use wasi_conform::layout::Layout;
use wasi_conform::runtimes::Runtime;
use wasi_conform::runtimes::reference::Reference;
use wasi_conform::runtimes::wasmtime::Wasmtime;

const OPS: usize = 32;

fn main() {
    fuzz::fast_settings();
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
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
        // Warm-up: compile the module, touch the caches.
        fuzz::run(&layout, runtime, &wasm, &programs[0]).expect("a run");
        let mut rates: Vec<f64> = (0..rounds)
            .map(|_| {
                let start = Instant::now();
                for program in &programs {
                    fuzz::run(&layout, runtime, &wasm, program).expect("a run");
                }
                programs.len() as f64 / start.elapsed().as_secs_f64()
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!(
            "{:<10} median {:>7.0} execs/s per core (min {:.0}, max {:.0})",
            runtime.name(),
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1]
        );
    }
}
