//! The CLI layer: argument parsing, one module per subcommand, and all the
//! printing. Each subcommand returns the process exit code: 0 all as
//! expected, 1 regressions (or cases that could not be blessed); an `Err`
//! is bad input, setup or a fault of the harness, and exits 2 with one line
//! naming the file.

mod args;
mod bless;
mod certify;
mod coverage;
mod export;
mod fuzz;
pub mod progress;
mod run;
mod runtimes;
mod testsuite;

use crate::exec::pool::default_threads;
use crate::judge::testsuite::Reads;
use crate::layout::Layout;
use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// Runs `wasi-conform` with the process's arguments.
pub fn main() -> ExitCode {
    // Die quietly when the reader of stdout goes away (`wasi-conform list | head`).
    // SAFETY: restoring the default disposition of a signal touches no Rust state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let layout = cli
        .root
        .as_deref()
        .map(Layout::new)
        .unwrap_or_else(Layout::discover);
    if let Ok(cache) = std::path::absolute(layout.target.join("cache/wasmtime")) {
        crate::exec::runtimes::keep_compiled_guests_in(cache);
    }
    match dispatch(layout, cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("wasi-conform: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(layout: Layout, command: Command) -> anyhow::Result<u8> {
    match command {
        Command::List(filter) => run::list(layout, &filter.into()),
        Command::Run {
            repro: Some(file),
            runtime,
            ..
        } => fuzz::replay(&layout, &file, &runtime),
        Command::Run {
            repro: None,
            filter,
            runtime,
            json,
            junit,
            update_expectations,
            jobs,
            isolate,
            limits,
        } => {
            let options = run::Options {
                runtimes: runtime,
                json,
                junit,
                update_expectations,
                jobs: jobs.unwrap_or_else(default_threads),
                isolate,
                limits: limits.into(),
            };
            run::run(layout, &filter.into(), &options)
        }
        Command::Certify {
            runtime,
            shard,
            jobs,
            limits,
        } => certify::certify(
            layout,
            &runtime,
            shard,
            jobs.unwrap_or_else(default_threads),
            limits.into(),
        ),
        Command::Report => certify::report(layout),
        Command::Bless {
            from_repro: Some(file),
            name: Some(name),
            limits,
            ..
        } => fuzz::bless(&layout, &file, &name, limits.into()),
        Command::Bless { filter, limits, .. } => {
            bless::bless(layout, &filter.into(), limits.into())
        }
        Command::Fuzz {
            runtime,
            time,
            iterations,
            seed,
            jobs,
            out,
            shard,
        } => {
            use crate::fuzz::campaign::{Budget, Options};
            let budget = match (time, iterations) {
                (Some(time), _) => Budget::Time(time),
                (None, iterations) => Budget::Iterations(iterations.unwrap_or(1000)),
            };
            let options = Options {
                runtimes: runtime,
                budget,
                seed,
                jobs: jobs.unwrap_or_else(default_threads),
                out: out.unwrap_or_else(|| layout.target.join("fuzz")),
                shard,
            };
            fuzz::campaign(&layout, &options)
        }
        Command::Runtimes { json } => runtimes::list(layout, json),
        Command::Setup { name } => runtimes::setup(layout, &name),
        Command::Worker { name } => runtimes::worker(&name),
        Command::Host(options) => runtimes::host(&options),
        Command::Testsuite {
            dirs,
            runtime,
            json,
            jobs,
            exact_output,
            limits,
        } => testsuite::run(
            layout,
            &testsuite::Options {
                dirs,
                runtimes: runtime,
                json,
                jobs: jobs.unwrap_or_else(default_threads),
                reads: if exact_output {
                    Reads::Exact
                } else {
                    Reads::Prefix
                },
                limits: limits.into(),
            },
        ),
        Command::Coverage { json } => coverage::coverage(layout, json.as_deref()),
        Command::Export {
            format,
            dir,
            limits,
        } => export::export(layout, format, &dir, limits.into()),
    }
}
