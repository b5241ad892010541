//! `wasi-conform fuzz`: generated programs on every named runtime, each
//! divergence minimised and written as a reproducer.
//!
//! Program `i` of seed `s` comes from the bytes of a SplitMix64 stream whose
//! start mixes `s` with a hash of `i`, so a campaign is the same whatever
//! `--jobs` says, and campaigns of nearby seeds share no program. With
//! `--shard I/N` a campaign runs programs `I-1`, `I-1+N`, ... of its seed.

use super::{
    Divergence, Program, Run, divergence, divergences, minimise::minimise, repro, run_all,
};
use crate::exec::pool;
use crate::exec::runtimes::{self, Runtime};
use crate::layout::{Layout, write_atomic};
use crate::suite::Shard;
use anyhow::{Result, bail};
use arbitrary::{Arbitrary, Unstructured};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wasi_conform_reference::rng::SplitMix64;

/// When a campaign stops.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// After this long.
    Time(Duration),
    /// After this many programs.
    Iterations(usize),
}

/// Options of `wasi-conform fuzz`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Runtime names, in order; a name may repeat (a determinism check).
    pub runtimes: Vec<String>,
    pub budget: Budget,
    pub seed: u64,
    pub jobs: usize,
    /// Where reproducers are written.
    pub out: PathBuf,
    /// Only this part of the seed's programs (the budget counts the part's).
    pub shard: Option<Shard>,
}

/// Parses `90s`, `10m`, `2h` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("`{text}`: the unit must be s, m or h")),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| Duration::from_secs_f64(n * scale))
        .ok_or_else(|| format!("`{text}` is not a duration like 90s, 10m or 2h"))
}

/// Program `index` of a campaign with `seed`. The stream starts at `seed`
/// xor a hash of `index` (SplitMix64's output for it, a bijection): with
/// `seed + index`, program `i` of seed `s + 1` was program `i + 1` of `s`.
pub fn program(seed: u64, index: u64) -> Program {
    let mut bytes = vec![0u8; 1024];
    let start = seed ^ SplitMix64::new(index).next_u64();
    SplitMix64::new(start).fill(&mut bytes);
    Program::arbitrary_take_rest(Unstructured::new(&bytes)).expect("any bytes make a program")
}

/// The named runtimes (each available and running p1 modules) and, per
/// name, its index among them: a repeated name shares one instance.
pub fn select(layout: &Layout, names: &[String]) -> Result<(Vec<Box<dyn Runtime>>, Vec<usize>)> {
    if names.len() < 2 {
        bail!(
            "--runtime needs at least two runtimes to compare (the same one twice checks determinism)"
        );
    }
    let mut unique: Vec<String> = Vec::new();
    let indexes = names
        .iter()
        .map(|name| match unique.iter().position(|u| u == name) {
            Some(i) => i,
            None => {
                unique.push(name.clone());
                unique.len() - 1
            }
        })
        .collect();
    let chosen = runtimes::select(&unique, &layout.templates, &layout.root)?;
    for runtime in &chosen {
        if let Err(why) = runtime.availability() {
            bail!("runtime `{}` is not available: {why}", runtime.name());
        }
        if !runtime.abis().contains(&crate::model::abi::Abi::P1) {
            bail!("runtime `{}` does not run p1 modules", runtime.name());
        }
    }
    Ok((chosen, indexes))
}

/// What a campaign found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Programs run.
    pub done: usize,
    /// Programs that diverged.
    pub programs: usize,
    /// Distinct divergences ([`signature`]) and how many programs showed each.
    pub distinct: BTreeMap<String, usize>,
    /// Reproducers written, one per distinct divergence.
    pub reproducers: Vec<PathBuf>,
}

/// Runs a campaign on the pool's threads; a live count goes to stderr on a
/// terminal, each new divergence is reported there as it is minimised.
pub fn fuzz(layout: &Layout, options: &Options) -> Result<Findings> {
    let (chosen, indexes) = select(layout, &options.runtimes)?;
    let runtimes: Vec<&dyn Runtime> = indexes.iter().map(|&i| chosen[i].as_ref()).collect();
    let wasm = crate::exec::guests::interp(layout)?;
    let started = Instant::now();
    let done = AtomicUsize::new(0);
    let found: Mutex<Findings> = Mutex::default();
    let failure: Mutex<Option<anyhow::Error>> = Mutex::default();
    let show_progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let more = |i: usize| {
        let budget_left = match options.budget {
            Budget::Iterations(n) => i < n,
            Budget::Time(limit) => started.elapsed() < limit,
        };
        budget_left && failure.lock().unwrap().is_none()
    };
    pool::each_index(options.jobs, more, |i| {
        let index = options.shard.map_or(i, |s| i * s.count + s.index - 1) as u64;
        if let Err(err) = one(layout, &runtimes, &wasm, options, index, &found) {
            failure.lock().unwrap().get_or_insert(err);
            return;
        }
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        if show_progress && finished % 16 == 0 {
            let seconds = started.elapsed().as_secs_f64();
            eprint!(
                "\r[{seconds:.0}s] {finished} programs, {} divergences, {:.0}/s\x1b[K",
                found.lock().unwrap().programs,
                finished as f64 / seconds.max(1e-3)
            );
        }
    });
    if show_progress {
        eprint!("\r\x1b[K");
    }
    if let Some(err) = failure.into_inner().unwrap() {
        return Err(err);
    }
    let mut found = found.into_inner().unwrap();
    found.done = done.into_inner();
    Ok(found)
}

/// Runs program `index`; minimises each runtime's divergence from the first
/// runtime that is new to the campaign and writes a reproducer for it.
fn one(
    layout: &Layout,
    runtimes: &[&dyn Runtime],
    wasm: &Path,
    options: &Options,
    index: u64,
    found: &Mutex<Findings>,
) -> Result<()> {
    let program = program(options.seed, index);
    let runs = run_all(layout, runtimes, wasm, &program)?;
    let mut new = Vec::new();
    {
        let mut found = found.lock().unwrap();
        let mut diverged = false;
        for divergence in divergences(&runs) {
            diverged = true;
            // A divergence seen before (same runtimes, same kind of
            // difference) is only counted: minimising it again would find
            // the same reproducer.
            let count = found
                .distinct
                .entry(signature(&runs, &divergence))
                .or_default();
            *count += 1;
            if *count == 1 {
                new.push(divergence);
            }
        }
        found.programs += usize::from(diverged);
    }
    for divergence in new {
        let (a, b) = divergence.pair;
        let path = options.out.join(format!(
            "seed{}-{index}-{}.repro",
            options.seed, runs[b].runtime
        ));
        reproduce(layout, runtimes, (a, b), wasm, &program, &path)?;
        found.lock().unwrap().reproducers.push(path);
    }
    Ok(())
}

/// Minimises `program` towards the divergence of runtimes `pair`, running
/// only those two, and writes the reproducer of the two.
fn reproduce(
    layout: &Layout,
    runtimes: &[&dyn Runtime],
    pair: (usize, usize),
    wasm: &Path,
    program: &Program,
    path: &Path,
) -> Result<()> {
    let two = [runtimes[pair.0], runtimes[pair.1]];
    // The same divergence: the same kind of difference ([`signature`]), so
    // a crash stays a crash and an errno stays that errno.
    let kind = |runs: &[Run]| divergence(runs, 0, 1).map(|d| signature(runs, &d));
    let Some(wanted) = kind(&run_all(layout, &two, wasm, program)?) else {
        eprintln!(
            "wasi-conform: {} diverged once, then not (flaky)",
            path.display()
        );
        return Ok(());
    };
    let minimal = minimise(program, |candidate| {
        Ok(kind(&run_all(layout, &two, wasm, candidate)?).as_ref() == Some(&wanted))
    })?;
    let runs = run_all(layout, &two, wasm, &minimal)?;
    let Some(found) = divergence(&runs, 0, 1) else {
        eprintln!(
            "wasi-conform: {} did not diverge again (flaky)",
            path.display()
        );
        return Ok(());
    };
    write_atomic(path, repro::render(&minimal, &runs, &found).as_bytes())?;
    eprintln!(
        "\rdivergence: {wanted} ({} ops after minimising) -> {}\x1b[K",
        minimal.ops.len(),
        path.display()
    );
    Ok(())
}

/// What makes a divergence the same as another: the two runtimes, and how
/// their outcomes first differ, reduced to its kind so that one reproducer
/// stands for every program showing it ([`difference_kind`]).
fn signature(runs: &[Run], divergence: &Divergence) -> String {
    let (a, b) = (&runs[divergence.pair.0], &runs[divergence.pair.1]);
    let (mut left, mut right) = (a.body.lines(), b.body.lines());
    let (l, r) = loop {
        match (left.next(), right.next()) {
            (Some(l), Some(r)) if l == r => continue,
            (l, r) => break (l.unwrap_or("(end)"), r.unwrap_or("(end)")),
        }
    };
    format!("{} vs {}: {}", a.runtime, b.runtime, difference_kind(l, r))
}

/// The kind of difference between two first differing lines: for trace
/// lines of one call, the call and both errnos (`path_open: noent | notdir`)
/// or the returned fields that differ; a trace that stops early, a status,
/// stdout or filesystem difference by its section.
fn difference_kind(left: &str, right: &str) -> String {
    let call = |line: &str| serde_json::from_str::<serde_json::Value>(line).ok();
    match (call(left), call(right)) {
        (Some(l), Some(r)) if l["call"] == r["call"] && l["call"].is_string() => {
            let name = l["call"].as_str().unwrap_or_default();
            if l["errno"] != r["errno"] {
                return format!("{name}: {} | {}", l["errno"], r["errno"]);
            }
            let fields = |v: &serde_json::Value| v["ret"].as_object().cloned().unwrap_or_default();
            let (lf, rf) = (fields(&l), fields(&r));
            let differing: Vec<&str> = lf
                .keys()
                .chain(rf.keys())
                .filter(|k| lf.get(*k) != rf.get(*k))
                .map(String::as_str)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            format!("{name}: {} differs", differing.join(", "))
        }
        (Some(l), _) if l["call"].is_string() && !right.starts_with('{') => {
            format!(
                "{} | {}",
                l["call"].as_str().unwrap_or_default(),
                section(right)
            )
        }
        (_, Some(r)) if r["call"].is_string() && !left.starts_with('{') => {
            format!(
                "{} | {}",
                section(left),
                r["call"].as_str().unwrap_or_default()
            )
        }
        _ => format!("{} | {}", section(left), section(right)),
    }
}

/// A body line reduced to what kind of line it is: `status: trap`, a
/// filesystem entry's kind and path, a section header.
fn section(line: &str) -> String {
    match line.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["status:", ..] => line.to_string(),
        [kind @ ("f" | "d" | "l"), path, ..] => format!("fs {kind} {path}"),
        ["==", name, ..] => format!("== {name}"),
        _ => line.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn divergences_are_grouped_by_kind() {
        let open = |errno: &str, op: usize| {
            format!(r#"{{"call":"path_open","args":{{"op":{op}}},"errno":"{errno}"}}"#)
        };
        assert_eq!(
            difference_kind(&open("noent", 3), &open("notdir", 7)),
            r#"path_open: "noent" | "notdir""#
        );
        let read = |data: &str| {
            format!(
                r#"{{"call":"fd_read","args":{{"op":1}},"errno":"ok","ret":{{"nread":1,"data":"{data}"}}}}"#
            )
        };
        assert_eq!(
            difference_kind(&read("00"), &read("01")),
            "fd_read: data differs"
        );
        assert_eq!(
            difference_kind(&open("ok", 1), "== stdout 0"),
            "path_open | == stdout"
        );
        assert_eq!(
            difference_kind("status: exit 0", "status: trap"),
            "status: exit 0 | status: trap"
        );
        assert_eq!(
            difference_kind("f a 6 sha256:1", "f a 7 sha256:2"),
            "fs f a | fs f a"
        );
    }

    #[test]
    fn programs_depend_only_on_seed_and_index_and_nearby_seeds_share_none() {
        assert_eq!(program(7, 3), program(7, 3));
        assert_ne!(program(7, 3), program(7, 4));
        let seed_8: Vec<Program> = (0..50).map(|i| program(8, i)).collect();
        for i in 0..50 {
            assert!(
                !seed_8.contains(&program(7, i)),
                "program {i} of seed 7 is one of seed 8"
            );
        }
    }

    /// The same runtime twice never diverges: the interpreter prints only
    /// deterministic values and every run starts from the same sandbox.
    #[test]
    fn no_false_alarms() {
        let layout = Layout::discover();
        for name in ["reference", "wasmtime"] {
            let dir = tempfile::tempdir().unwrap();
            let options = Options {
                runtimes: vec![name.into(), name.into()],
                budget: Budget::Iterations(150),
                seed: 1,
                jobs: 2,
                out: dir.path().to_owned(),
                shard: None,
            };
            assert_eq!(fuzz(&layout, &options).unwrap().programs, 0, "{name}");
        }
    }
}
