//! `wasi-conform fuzz`: generated programs on every named runtime, each
//! divergence minimised and written as a reproducer.
//!
//! Program `i` of seed `s` comes from the bytes of a SplitMix64 stream whose
//! start mixes `s` with a hash of `i`, so a campaign is the same whatever
//! `--jobs` says, and campaigns of nearby seeds share no program. With
//! `--shard I/N` a campaign runs programs `I-1`, `I-1+N`, ... of its seed.

use super::triage::{Judgement, Triage};
use super::{Program, divergence, locate_fs_op, minimise::minimise, repro, run_all};
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
    /// Programs flagged: some runtime's run differs from the first one's
    /// where the WASI text does not allow it (new or triaged kinds).
    pub programs: usize,
    /// Programs whose runs differ only where the text allows it.
    pub permitted: usize,
    /// New kinds of divergence (`a vs b: kind`) and how many programs
    /// showed each.
    pub new: BTreeMap<String, usize>,
    /// Triaged kinds: the case that covers each, and how many programs
    /// showed it.
    pub triaged: BTreeMap<String, (String, usize)>,
    /// Reproducers written, one per new kind.
    pub reproducers: Vec<PathBuf>,
}

/// Runs a campaign on the pool's threads; a live count goes to stderr on a
/// terminal, each new divergence is reported there as it is minimised.
pub fn fuzz(layout: &Layout, options: &Options) -> Result<Findings> {
    let (chosen, indexes) = select(layout, &options.runtimes)?;
    let runtimes: Vec<&dyn Runtime> = indexes.iter().map(|&i| chosen[i].as_ref()).collect();
    let names: Vec<&str> = runtimes.iter().map(|r| r.name()).collect();
    let triage = Triage::load(&layout.fuzz_triage(), &names)?;
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
    let campaign = Campaign {
        layout,
        runtimes: &runtimes,
        triage: &triage,
        wasm: &wasm,
    };
    pool::each_index(options.jobs, more, |i| {
        let index = options.shard.map_or(i, |s| i * s.count + s.index - 1) as u64;
        if let Err(err) = campaign.one(options, index, &found) {
            failure.lock().unwrap().get_or_insert(err);
            return;
        }
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        if show_progress && finished % 16 == 0 {
            let seconds = started.elapsed().as_secs_f64();
            eprint!(
                "\r[{seconds:.0}s] {finished} programs, {} flagged, {:.0}/s\x1b[K",
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

/// What every program of a campaign is run and judged with.
pub(crate) struct Campaign<'a> {
    pub layout: &'a Layout,
    pub runtimes: &'a [&'a dyn Runtime],
    pub triage: &'a Triage,
    pub wasm: &'a Path,
}

impl Campaign<'_> {
    /// Runs program `index` and judges every runtime against the first;
    /// minimises each kind new to the campaign and writes its reproducer.
    fn one(&self, options: &Options, index: u64, found: &Mutex<Findings>) -> Result<()> {
        let program = self.triage.without_avoided(program(options.seed, index));
        let runs = run_all(self.layout, self.runtimes, self.wasm, &program)?;
        let mut new = Vec::new();
        {
            let mut found = found.lock().unwrap();
            let (mut flagged, mut permitted) = (false, false);
            for b in 1..runs.len() {
                let named =
                    |kind: &str| format!("{} vs {}: {kind}", runs[0].runtime, runs[b].runtime);
                match self.triage.judge(&program, &runs[0], &runs[b]) {
                    Judgement::Agree => {}
                    Judgement::Permitted => permitted = true,
                    Judgement::Triaged { kind, case } => {
                        flagged = true;
                        found.triaged.entry(named(&kind)).or_insert((case, 0)).1 += 1;
                    }
                    Judgement::New { kind } => {
                        flagged = true;
                        // A kind seen before is only counted: minimising it
                        // again would find the same reproducer.
                        let count = found.new.entry(named(&kind)).or_default();
                        *count += 1;
                        if *count == 1 {
                            new.push((b, kind));
                        }
                    }
                }
            }
            found.programs += usize::from(flagged);
            found.permitted += usize::from(permitted && !flagged);
        }
        for (b, kind) in new {
            let path = options.out.join(format!(
                "seed{}-{index}-{}.repro",
                options.seed, runs[b].runtime
            ));
            if self.reproduce(b, &kind, &program, &path)? {
                found.lock().unwrap().reproducers.push(path);
            }
        }
        Ok(())
    }

    /// Minimises `program` towards the new kind `wanted` of runtime `b`
    /// against the first, running only those two, and writes the
    /// reproducer of the two; false when the kind does not come back.
    pub fn reproduce(
        &self,
        b: usize,
        wanted: &str,
        program: &Program,
        path: &Path,
    ) -> Result<bool> {
        let two = [self.runtimes[0], self.runtimes[b]];
        // The same kind of difference, so a crash stays a crash and an errno
        // stays that errno.
        let shows = |candidate: &Program| -> Result<bool> {
            let runs = run_all(self.layout, &two, self.wasm, candidate)?;
            Ok(matches!(self.triage.judge(candidate, &runs[0], &runs[1]),
                Judgement::New { kind } if kind == wanted))
        };
        if !shows(program)? {
            eprintln!(
                "wasi-conform: {} diverged once, then not (flaky)",
                path.display()
            );
            return Ok(false);
        }
        let minimal = minimise(program, shows)?;
        let runs = run_all(self.layout, &two, self.wasm, &minimal)?;
        let Some(mut found) = divergence(&runs, 0, 1) else {
            eprintln!(
                "wasi-conform: {} did not diverge again (flaky)",
                path.display()
            );
            return Ok(false);
        };
        locate_fs_op(self.layout, &two, self.wasm, &minimal, &runs, &mut found)?;
        write_atomic(path, repro::render(&minimal, &runs, &found).as_bytes())?;
        eprintln!(
            "\rdivergence: {} vs {}: {wanted} ({} ops after minimising) -> {}\x1b[K",
            runs[0].runtime,
            runs[1].runtime,
            minimal.ops.len(),
            path.display()
        );
        Ok(true)
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
