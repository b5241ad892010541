//! The differential fuzzer: call programs ([`wasi_conform_program`]) run by
//! the interpreter guest (`tests-src/interp`) on several runtimes, their
//! outcomes compared after normalisation.
//!
//! A program runs as an ordinary case ([`case`]): the interpreter with the
//! program on stdin, in a fresh sandbox built from [`FIXTURE`]. Two runs
//! agree when their rendered bodies (the text of an expected file: status,
//! trace, stdout, stderr, filesystem) are equal, so what a reproducer shows
//! is exactly what was compared.
//!
//! - [`campaign`]: `wasi-conform fuzz`, programs on any runtimes.
//! - [`minimise`]: delta debugging over ops, then operands.
//! - [`repro`]: reproducer files, replayed by `run --repro` and turned into
//!   cases by `bless --from-repro`.
//! - [`targets`]: the logic of the libFuzzer targets in `fuzz/`.
//! - [`triage`]: which differences are findings, by the suite's rules.

pub mod campaign;
pub mod minimise;
pub mod repro;
pub mod targets;
pub mod triage;

use crate::exec::executor;
use crate::exec::runtimes::{Limits, Runtime};
use crate::judge::normalise;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::model::verdict::RunError;
use anyhow::Result;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
pub use wasi_conform_program::Program;

/// The sandbox every program starts in (the preopen, slot `$3`): files,
/// a directory, and symlinks that resolve, dangle, loop and escape.
/// `(path, kind, content or target)`.
pub const FIXTURE: &[(&str, &str, &str)] = &[
    ("a", "file", "hello\n"),
    ("b", "file", ""),
    ("d", "dir", ""),
    ("d/e", "file", "nested\n"),
    ("l", "symlink", "a"),
    ("ld", "symlink", "d"),
    ("loop", "symlink", "loop"),
    ("dang", "symlink", "missing"),
    ("esc", "symlink", "../canary.txt"),
    ("abs", "symlink", "/a"),
];

/// The guest path of the preopened sandbox.
pub const PREOPEN: &str = "/sandbox";

/// Limits of one fuzz run: programs are short, so a run taking seconds is
/// itself a finding.
pub const LIMITS: Limits = Limits {
    timeout: Duration::from_secs(10),
    known_timeout: Duration::from_secs(10),
    output_cap: 1 << 20,
};

/// Process-wide settings that make fuzz runs cheaper; call before any
/// thread starts. Sandboxes go to `/dev/shm` when it is a writable
/// directory (creating and removing ten entries per run on a disk
/// filesystem costs more than the run), and errors stop capturing
/// backtraces (wasmtime-wasi returns an error for every failing call, and
/// `RUST_BACKTRACE=1` makes each one walk the stack).
pub fn fast_settings() {
    let shm = Path::new("/dev/shm");
    if tempfile::tempdir_in(shm).is_ok() {
        let _ = tempfile::env::override_temp_dir(shm);
    }
    // SAFETY: called before the process has other threads.
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
}

/// The `[[case]]` table of a manifest entry running `program` (text form)
/// as case `name`.
pub fn case_toml(name: &str, description: &str, program: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "[[case]]\nname = {}\nguest = {}\ndescription = {}\nspec = \"wasi_snapshot_preview1.witx\"\nbinding = \"implementation-defined\"\nabis = [\"p1\", \"p1-component\"]\npreopens = [[{}, \".\"]]\nstdin = {}\n",
        quote(name),
        quote(crate::exec::guests::INTERP),
        quote(description),
        quote(PREOPEN),
        quote(program),
    );
    for (path, kind, value) in FIXTURE {
        out.push_str(&format!("[[case.fixture]]\npath = {}\n", quote(path)));
        match *kind {
            "dir" => out.push_str("dir = true\n"),
            _ => out.push_str(&format!("{kind} = {}\n", quote(value))),
        }
    }
    out
}

/// The case running `program` (it is never written to a manifest): one
/// case table parsed once, with the program as its stdin.
pub fn case(program: &Program) -> Case {
    #[derive(serde::Deserialize)]
    struct File {
        case: Vec<Case>,
    }
    static TEMPLATE: OnceLock<Case> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let text = case_toml("fuzz/program", "a fuzz program", "");
        let mut file: File = toml::from_str(&text).expect("the fuzz case table is valid");
        file.case.remove(0)
    });
    Case {
        stdin: program.to_text(),
        ..template.clone()
    }
}

/// One program's run on one runtime, rendered for comparison.
#[derive(Debug, Clone)]
pub struct Run {
    /// The runtime's name.
    pub runtime: String,
    /// The rendered outcome: an expected-file body, or the run error.
    pub body: String,
    /// The call trace (empty after a run error).
    pub trace: Vec<String>,
}

/// Runs `program` with the interpreter `wasm` on `runtime` in a fresh sandbox.
pub fn run(layout: &Layout, runtime: &dyn Runtime, wasm: &Path, program: &Program) -> Result<Run> {
    let case = case(program);
    let ran = executor::execute(&layout.fixtures, &case, Abi::P1, runtime, wasm, LIMITS)?;
    let (body, trace) = match ran {
        Ok(outcome) => (normalise::body(&case, &outcome), outcome.trace),
        Err(RunError::Unsupported(why)) => (format!("unsupported: {why}\n"), Vec::new()),
        Err(RunError::Crash(why)) => (format!("crash: {why}\n"), Vec::new()),
        Err(RunError::Timeout(_)) => ("timeout\n".to_string(), Vec::new()),
        Err(RunError::Harness(fault)) => unreachable!("execute returns harness faults: {fault}"),
    };
    Ok(Run {
        runtime: runtime.name().to_string(),
        body,
        trace,
    })
}

/// Where two runs of a program differ.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The indexes (in the runs) of the two runtimes that differ.
    pub pair: (usize, usize),
    /// The index of the first op whose trace line differs (`None` when the
    /// traces agree and the status, output or filesystem differ).
    pub first_op: Option<usize>,
    /// When the traces agree and the filesystems differ: the first op after
    /// which they differ ([`locate_fs_op`]; `None` until it has run).
    pub fs_op: Option<usize>,
}

/// The first run that differs from the first one, as a divergence from it.
pub fn compare(runs: &[Run]) -> Option<Divergence> {
    (1..runs.len()).find_map(|i| divergence(runs, 0, i))
}

/// How runs `a` and `b` differ, if they do.
pub fn divergence(runs: &[Run], a: usize, b: usize) -> Option<Divergence> {
    let (first, other) = (&runs[a], &runs[b]);
    if first.body == other.body {
        return None;
    }
    let first_op = first
        .trace
        .iter()
        .zip(&other.trace)
        .find(|(a, b)| a != b)
        .map(|(a, _)| a)
        .or_else(|| {
            let shorter = first.trace.len().min(other.trace.len());
            first.trace.get(shorter).or(other.trace.get(shorter))
        })
        .and_then(|line| op_index(line));
    Some(Divergence {
        pair: (a, b),
        first_op,
        fs_op: None,
    })
}

/// The filesystem section of a rendered body (empty after a run error).
fn fs_section(body: &str) -> &str {
    body.find("\n== fs").map_or("", |i| &body[i..])
}

/// Names the op behind a filesystem difference: when `divergence` has no
/// differing trace line and the filesystems of its two runs differ, runs
/// the program's shorter prefixes (its first op, its first two, ...) on both
/// runtimes and records the first prefix after which their filesystems
/// differ. Every runtime shows its filesystem this way, with no hook into
/// it; the reference host keeps its filesystem in memory, so its side costs
/// about a millisecond a prefix. Programs are minimised first, so they are
/// a few ops long.
pub fn locate_fs_op(
    layout: &Layout,
    runtimes: &[&dyn Runtime],
    wasm: &Path,
    program: &Program,
    runs: &[Run],
    divergence: &mut Divergence,
) -> Result<()> {
    let (a, b) = divergence.pair;
    if divergence.first_op.is_some()
        || program.ops.is_empty()
        || fs_section(&runs[a].body) == fs_section(&runs[b].body)
    {
        return Ok(());
    }
    // The whole program's runs are `runs`: only the shorter prefixes run.
    let last = program.ops.len() - 1;
    for end in 1..=last {
        let prefix = Program {
            ops: program.ops[..end].to_vec(),
        };
        let (left, right) = (
            run(layout, runtimes[a], wasm, &prefix)?,
            run(layout, runtimes[b], wasm, &prefix)?,
        );
        if fs_section(&left.body) != fs_section(&right.body) {
            divergence.fs_op = Some(end - 1);
            return Ok(());
        }
    }
    divergence.fs_op = Some(last);
    Ok(())
}

/// The `args.op` of an interpreter trace line.
fn op_index(line: &str) -> Option<usize> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    value["args"]["op"].as_u64().map(|n| n as usize)
}

/// Runs `program` on every runtime.
pub fn run_all(
    layout: &Layout,
    runtimes: &[&dyn Runtime],
    wasm: &Path,
    program: &Program,
) -> Result<Vec<Run>> {
    runtimes
        .iter()
        .map(|runtime| run(layout, *runtime, wasm, program))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::runtimes::{reference::Reference, wasmer::Wasmer};

    /// A difference only in the filesystem is named by the op after which
    /// it appears. wasmer 7.4.2's path_symlink returns ok and creates
    /// nothing (the suite's symlink/basic records it), so the third op of
    /// this program is where the filesystems part.
    #[test]
    fn a_filesystem_difference_names_its_op() {
        let layout = Layout::discover();
        let wasm = crate::exec::guests::interp(&layout).unwrap();
        let program = Program::parse(
            "path_open $3 follow \"b\" 0 all all 0\nfd_write $4 5 1\npath_symlink \"a\" $3 \"x\"\n",
        )
        .unwrap();
        let runtimes: [&dyn Runtime; 2] = [&Reference, &Wasmer];
        let runs = run_all(&layout, &runtimes, &wasm, &program).unwrap();
        let mut divergence = compare(&runs).expect("the filesystems differ");
        assert_eq!(divergence.first_op, None, "the traces agree");
        locate_fs_op(&layout, &runtimes, &wasm, &program, &runs, &mut divergence).unwrap();
        assert_eq!(divergence.fs_op, Some(2));
    }
}
