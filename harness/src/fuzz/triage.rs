//! How the fuzzer judges two runs of a program, by the suite's rules.
//!
//! Two runs that differ are not always a finding. `expected/fuzz-triage.toml`
//! lists what the suite already knows:
//!
//! - `[[permitted]]`: differences the WASI text allows (the suite's case for
//!   that situation accepts both outcomes, or its tier is
//!   `implementation-defined`). They are not divergences at all.
//! - `[[triaged]]`: differences the suite already has a case for, with its
//!   verdict recorded for that runtime. They are counted, never minimised
//!   again.
//!
//! Besides the file, one rule is built in: a trap on an op with an operand
//! the witx does not define (an unnamed flag bit, an enum value out of
//! range) is permitted, where the other runtime returned an error or
//! trapped too (the `robustness` tier: what a host does with an undefined
//! value is not a requirement).
//!
//! [`Triage::judge`] walks the two traces op by op. A permitted difference
//! where both calls failed changed no state, so the walk goes on past it; a
//! permitted difference where one call succeeded may have (a slot filled on
//! one side only), so the rest of the program is not compared.

use super::{FIXTURE, Program, Run};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use wasi_conform_program::{INITIAL_SLOTS, Op, SANDBOX_SLOT, Sub};

/// The triage file, loaded.
#[derive(Debug, Default)]
pub struct Triage {
    permitted: Vec<Permitted>,
    triaged: Vec<Triaged>,
}

/// A difference the WASI text allows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Permitted {
    /// The witx functions it applies to.
    calls: Vec<String>,
    /// Any two different outcomes of this set (errno names, `ok`) are
    /// permitted; `any-error` stands for every errno but `ok`, `any` for
    /// every outcome.
    outcomes: Vec<String>,
    /// Only when the op is in one of these situations (always when empty).
    #[serde(default)]
    when: Vec<Situation>,
    /// The suite cases that accept these outcomes, or the RATIONALE.md
    /// question that records the choice.
    evidence: String,
}

/// A known difference, covered by a suite case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Triaged {
    /// The runtime compared with the first one.
    runtime: String,
    /// The kind of difference, as `wasi-conform fuzz` prints it after the
    /// runtimes (`fd_filestat_set_times: "ok" | "badf"`).
    kind: String,
    /// Only when the op is in one of these situations (always when empty).
    /// Generated programs leave out the ops of a triaged kind with
    /// situations ([`Triage::avoids`]), so a campaign does not find it again.
    #[serde(default)]
    when: Vec<Situation>,
    /// The calls whose ops show it, for a kind that names none (a
    /// `timeout`, a crash); by default the call the kind names.
    #[serde(default)]
    calls: Vec<String>,
    /// The suite case that shows it, with that runtime's verdict recorded.
    case: String,
}

impl Triaged {
    /// Whether `op` is one this kind shows on: its call, in one of the
    /// rule's situations.
    fn shows_on(&self, step: &Step) -> bool {
        let call = step.op.name();
        let named = if self.calls.is_empty() {
            self.kind.split(':').next() == Some(call)
        } else {
            self.calls.iter().any(|c| c == call)
        };
        named && Situation::any_holds(&self.when, step)
    }
}

/// An op of a program, with the slot the preopened sandbox is in when it
/// runs (`$3` until an `fd_renumber` moves it or a close or renumber onto
/// it takes it away), and whether its descriptor is in append mode.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub op: &'a Op,
    preopen: Option<usize>,
    /// The op's first descriptor has fdflags `append`: opened with it by a
    /// `path_open` of the program, or given it by `fd_fdstat_set_flags`.
    append: bool,
}

/// The ops of `program` as [`Step`]s, where `succeeded(i)` says whether op
/// `i` succeeded (a renumber or close that fails leaves the preopen where
/// it was; a `path_open` that fails fills its slot with nothing).
pub fn steps(program: &Program, succeeded: impl Fn(usize) -> bool) -> Vec<Step<'_>> {
    let mut preopen = Some(SANDBOX_SLOT);
    // The slots holding a descriptor in append mode, and the slot the
    // next `path_open` fills.
    let mut append: BTreeSet<usize> = BTreeSet::new();
    let mut next_slot = INITIAL_SLOTS;
    program
        .ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let first = op.first_fd().map(|fd| fd.0 as usize);
            let step = Step {
                op,
                preopen,
                append: !op.opens_fd() && first.is_some_and(|fd| append.contains(&fd)),
            };
            if let Op::PathOpen { fdflags, .. } = op {
                if succeeded(i) && fdflags.0 & APPEND != 0 {
                    append.insert(next_slot);
                }
                next_slot += 1;
            }
            match op {
                _ if !succeeded(i) => {}
                Op::FdFdstatSetFlags { fd, flags } => {
                    if flags.0 & APPEND != 0 {
                        append.insert(fd.0 as usize);
                    } else {
                        append.remove(&(fd.0 as usize));
                    }
                }
                Op::FdRenumber { fd, to } if fd != to => {
                    let moved = append.remove(&(fd.0 as usize));
                    append.remove(&(to.0 as usize));
                    if moved {
                        append.insert(to.0 as usize);
                    }
                }
                Op::FdClose { fd } => {
                    append.remove(&(fd.0 as usize));
                }
                _ => {}
            }
            match op {
                _ if !succeeded(i) => {}
                Op::FdRenumber { fd, to } if preopen == Some(fd.0 as usize) => {
                    preopen = Some(to.0 as usize)
                }
                Op::FdRenumber { to: fd, .. } | Op::FdClose { fd }
                    if preopen == Some(fd.0 as usize) =>
                {
                    preopen = None
                }
                _ => {}
            }
            step
        })
        .collect()
}

/// A situation an op can be in, read from its operands.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Situation {
    /// Its descriptor is the preopened sandbox (slot `$3`, or the slot a
    /// renumber moved it to).
    Preopen,
    /// Its fdflags ask for synchronised I/O (`dsync`, `rsync` or `sync`).
    SyncFdflags,
    /// `path_open` with oflags `directory` and `creat`, `excl` or `trunc`.
    DirectoryCombined,
    /// Its lookupflags have `symlink_follow` and it is `path_link`.
    LinkFollow,
    /// A path has a component over 255 bytes.
    LongName,
    /// A path is empty.
    EmptyPath,
    /// A path ends with `/`.
    TrailingSlash,
    /// A path is absolute or has a `.` or `..` component.
    DotOrAbsolute,
    /// A path goes through or names one of the sandbox's symlinks.
    Symlink,
    /// A path goes through one of the sandbox's regular files (`a/x`).
    ThroughFile,
    /// A lookup without `symlink_follow` of a path ending in `/` or `/.`.
    NofollowTrailing,
    /// A path names the symlink with an absolute target (`abs`), or
    /// `path_symlink` is given an absolute target.
    AbsoluteSymlink,
    /// `poll_oneoff` with a clock subscription of 0 ns.
    ClockZero,
    /// `poll_oneoff` with a read or write subscription on a descriptor.
    FdSubscription,
    /// A set_times call with `atim` and `atim_now`, or `mtim` and
    /// `mtim_now`, both set (witx: `inval`).
    TimeAndNow,
    /// An operand the witx does not define: an unnamed flag bit, an enum
    /// value out of range.
    UndefinedOperand,
    /// `path_open` with oflags `excl` and not `creat`.
    ExclWithoutCreat,
    /// `path_link` whose source names one of the sandbox's directories.
    LinkDirectory,
    /// `fd_write` or `fd_pwrite` of 0 bytes.
    ZeroLengthWrite,
    /// Its descriptor is in append mode (fdflags `append` from the
    /// program's `path_open` or `fd_fdstat_set_flags`).
    AppendMode,
}

impl Situation {
    fn holds(self, step: &Step) -> bool {
        let op = step.op;
        let paths = op.paths();
        let components = || paths.iter().flat_map(|p| p.split('/'));
        let symlink_named = |absolute: bool| {
            components().any(|c| {
                FIXTURE.iter().any(|(name, kind, target)| {
                    *name == c && *kind == "symlink" && (!absolute || target.starts_with('/'))
                })
            })
        };
        match self {
            Situation::Preopen => op
                .first_fd()
                .is_some_and(|fd| Some(fd.0 as usize) == step.preopen),
            Situation::SyncFdflags => matches!(op,
                Op::PathOpen { fdflags: flags, .. } | Op::FdFdstatSetFlags { flags, .. }
                    if flags.0 & SYNC_FDFLAGS != 0),
            Situation::DirectoryCombined => matches!(op,
                Op::PathOpen { oflags, .. } if oflags.0 & DIRECTORY != 0 && oflags.0 & !DIRECTORY != 0),
            Situation::LinkFollow => matches!(op, Op::PathLink { follow, .. } if follow.0),
            Situation::LongName => components().any(|c| c.len() > 255),
            Situation::EmptyPath => paths.iter().any(|p| p.is_empty()),
            Situation::TrailingSlash => paths.iter().any(|p| p.ends_with('/')),
            Situation::DotOrAbsolute => paths
                .iter()
                .any(|p| p.starts_with('/') || p.split('/').any(|c| c == "." || c == "..")),
            Situation::Symlink => symlink_named(false),
            Situation::ThroughFile => paths.iter().any(|p| {
                let mut parts: Vec<&str> = p.split('/').collect();
                parts.pop();
                parts.iter().any(|c| {
                    FIXTURE
                        .iter()
                        .any(|(name, kind, _)| name == c && *kind == "file")
                })
            }),
            Situation::NofollowTrailing => {
                let nofollow = matches!(op,
                    Op::PathFilestatGet { follow, .. } | Op::PathFilestatSetTimes { follow, .. }
                    | Op::PathOpen { follow, .. } | Op::PathLink { follow, .. } if !follow.0);
                nofollow
                    && paths
                        .first()
                        .is_some_and(|p| p.ends_with('/') || p.ends_with("/."))
            }
            Situation::AbsoluteSymlink => {
                symlink_named(true)
                    || matches!(op, Op::PathSymlink { target, .. } if target.0.starts_with('/'))
            }
            Situation::ClockZero => {
                matches!(op, Op::PollOneoff { subs } if subs.0.contains(&Sub::Clock(0)))
            }
            Situation::FdSubscription => matches!(op,
                Op::PollOneoff { subs } if subs.0.iter().any(|s| !matches!(s, Sub::Clock(_)))),
            Situation::TimeAndNow => matches!(op,
                Op::PathFilestatSetTimes { flags, .. } | Op::FdFilestatSetTimes { flags, .. }
                    if flags.0 & ATIM_BOTH == ATIM_BOTH || flags.0 & MTIM_BOTH == MTIM_BOTH),
            Situation::UndefinedOperand => op.has_undefined_operand(),
            Situation::ExclWithoutCreat => matches!(op,
                Op::PathOpen { oflags, .. } if oflags.0 & EXCL != 0 && oflags.0 & CREAT == 0),
            Situation::ZeroLengthWrite => matches!(op,
                Op::FdWrite { len, .. } | Op::FdPwrite { len, .. } if len.0 == 0),
            Situation::AppendMode => step.append,
            Situation::LinkDirectory => matches!(op,
                Op::PathLink { from, .. } if FIXTURE.iter().any(|(name, kind, _)|
                    *name == from.0.trim_end_matches('/') && *kind == "dir")),
        }
    }

    /// Whether `op` is in one of `situations` (true when there are none).
    fn any_holds(situations: &[Situation], step: &Step) -> bool {
        situations.is_empty() || situations.iter().any(|s| s.holds(step))
    }
}

/// `fdflags` dsync (bit 1), rsync (bit 3) and sync (bit 4).
const SYNC_FDFLAGS: u8 = 0b1_1010;
/// `fdflags` append (bit 0).
const APPEND: u8 = 0b1;
/// `oflags` creat (bit 0), directory (bit 1) and excl (bit 2).
const CREAT: u8 = 0b1;
const DIRECTORY: u8 = 0b10;
const EXCL: u8 = 0b100;
/// `fstflags` atim and atim_now (bits 0 and 1), mtim and mtim_now (bits 2
/// and 3).
const ATIM_BOTH: u8 = 0b0011;
const MTIM_BOTH: u8 = 0b1100;

/// What two runs of a program amount to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The same outcome.
    Agree,
    /// Different only where the WASI text allows it.
    Permitted,
    /// A difference the suite already has a case for.
    Triaged { kind: String, case: String },
    /// A difference nothing explains: a finding.
    New { kind: String },
}

impl Triage {
    /// Loads `path`, with the triaged kinds of `runtimes` (the runtimes of
    /// a campaign); every rule must name a call and carry its evidence.
    pub fn load(path: &Path, runtimes: &[&str]) -> Result<Triage> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            permitted: Vec<Permitted>,
            #[serde(default)]
            triaged: Vec<Triaged>,
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let file: File = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{}: {}", path.display(), e.message().replace('\n', " "))
        })?;
        for rule in &file.permitted {
            let wide = rule.outcomes.iter().any(|o| o.starts_with("any"));
            if rule.calls.is_empty()
                || (rule.outcomes.len() < 2 && !wide)
                || rule.evidence.trim().is_empty()
            {
                bail!(
                    "{}: a permitted rule needs its calls, two outcomes and its evidence (`{}`)",
                    path.display(),
                    rule.evidence
                );
            }
        }
        if let Some(rule) = file.triaged.iter().find(|r| r.case.trim().is_empty()) {
            bail!(
                "{}: the triaged kind `{}` needs the case that covers it",
                path.display(),
                rule.kind
            );
        }
        let triaged = file
            .triaged
            .into_iter()
            .filter(|rule| runtimes.contains(&rule.runtime.as_str()))
            .collect();
        Ok(Triage {
            permitted: file.permitted,
            triaged,
        })
    }

    /// Judges run `b` against run `a` of `program`.
    pub fn judge(&self, program: &Program, a: &Run, b: &Run) -> Judgement {
        if a.body == b.body {
            return Judgement::Agree;
        }
        // Trace lines that differ only where the text allows it, both calls
        // failing (no state changed): the comparison goes on past them.
        let ok: Vec<usize> = a
            .trace
            .iter()
            .filter_map(|line| call(line).filter(|c| c.errno == "ok")?.op)
            .collect();
        let steps = steps(program, |i| ok.contains(&i));
        let mut passed: Vec<(&str, &str)> = Vec::new();
        let mut traces_explained = true;
        for (left, right) in a.trace.iter().zip(&b.trace) {
            if left == right {
                continue;
            }
            let same_op = match (call(left), call(right)) {
                (Some(l), Some(r)) if l.name == r.name && l.op == r.op => {
                    l.op.and_then(|i| steps.get(i)).map(|step| (l, r, step))
                }
                _ => None,
            };
            let Some((l, r, step)) = same_op else {
                traces_explained = false;
                break;
            };
            if !self.permits(&l.name, &l.errno, &r.errno, step) {
                return self.finding(
                    &b.runtime,
                    difference_kind(left, right),
                    std::slice::from_ref(step),
                );
            }
            if l.errno == "ok" || r.errno == "ok" {
                // One call did something the other did not: what follows
                // is not comparable.
                return Judgement::Permitted;
            }
            passed.push((left, right));
        }
        if traces_explained && self.rest_permitted(program, a, b) {
            return Judgement::Permitted;
        }
        let kind = first_difference(&a.body, &b.body, &passed);
        self.finding(&b.runtime, kind, &steps)
    }

    /// Whether runs whose traces agree up to the shorter one's end (but for
    /// permitted lines) differ no further than the text allows: traces of
    /// one length and the same status, output and filesystem, or one run
    /// trapping at an op with an undefined operand that the other failed.
    fn rest_permitted(&self, program: &Program, a: &Run, b: &Run) -> bool {
        let shorter = a.trace.len().min(b.trace.len());
        if a.trace.len() == b.trace.len() {
            return outside_trace(&a.body) == outside_trace(&b.body);
        }
        let (stopped, went_on) = if a.trace.len() < b.trace.len() {
            (a, b)
        } else {
            (b, a)
        };
        let Some(next) = call(&went_on.trace[shorter]) else {
            return false;
        };
        let op = next.op.and_then(|i| program.ops.get(i));
        stopped.body.starts_with("status: trap")
            && op.is_some_and(Op::has_undefined_operand)
            && next.errno != "ok"
    }

    fn permits(&self, call: &str, left: &str, right: &str, step: &Step) -> bool {
        let allows = |outcomes: &[String], outcome: &str| {
            outcomes
                .iter()
                .any(|o| o == outcome || o == "any" || (o == "any-error" && outcome != "ok"))
        };
        self.permitted.iter().any(|rule| {
            rule.calls.iter().any(|c| c == call)
                && allows(&rule.outcomes, left)
                && allows(&rule.outcomes, right)
                && Situation::any_holds(&rule.when, step)
        })
    }

    /// `program` without the ops [`Triage::avoids`]. It has not run yet, so
    /// the preopen is taken to stay in `$3`: a generated renumber mostly
    /// names an empty slot and fails.
    pub fn without_avoided(&self, mut program: Program) -> Program {
        let avoided: Vec<bool> = steps(&program, |_| false)
            .iter()
            .map(|s| self.avoids(s))
            .collect();
        let mut avoided = avoided.into_iter();
        program.ops.retain(|_| !avoided.next().unwrap_or(false));
        program
    }

    /// Whether generated programs leave `op` out: it would show a triaged
    /// kind that has situations (on a runtime of the campaign). Such ops
    /// open no descriptor, so leaving them out renumbers no slot.
    pub fn avoids(&self, step: &Step) -> bool {
        self.triaged
            .iter()
            .any(|rule| !rule.when.is_empty() && !step.op.opens_fd() && rule.shows_on(step))
    }

    /// A difference of `kind` on `runtime`, coming from one of `ops` (the
    /// op whose trace lines differ, or every op of the program when the
    /// difference is in the status, output or files): triaged when the
    /// file lists it.
    fn finding(&self, runtime: &str, kind: String, steps: &[Step]) -> Judgement {
        let known = self.triaged.iter().find(|rule| {
            rule.runtime == runtime
                && rule.kind == kind
                && ((rule.when.is_empty() && rule.calls.is_empty())
                    || steps.iter().any(|step| rule.shows_on(step)))
        });
        match known {
            Some(rule) => Judgement::Triaged {
                kind,
                case: rule.case.clone(),
            },
            None => Judgement::New { kind },
        }
    }
}

/// A trace line's call, op index and errno.
struct Call {
    name: String,
    op: Option<usize>,
    errno: String,
}

fn call(line: &str) -> Option<Call> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(Call {
        name: value["call"].as_str()?.to_string(),
        op: value["args"]["op"].as_u64().map(|n| n as usize),
        errno: value["errno"].as_str()?.to_string(),
    })
}

/// A body without its trace: the status line (or the whole body of a
/// crash or timeout), and output and filesystem.
fn outside_trace(body: &str) -> (&str, &str) {
    let status = body
        .split_once("\n== trace")
        .map_or(body, |(status, _)| status);
    let rest = body.find("\n== stdout").map_or("", |i| &body[i..]);
    (status, rest)
}

/// The kind of the first difference between two bodies ([`difference_kind`]
/// of their first differing lines), past the line pairs in `passed`.
fn first_difference(a: &str, b: &str, passed: &[(&str, &str)]) -> String {
    let (mut left, mut right) = (a.lines(), b.lines());
    loop {
        match (left.next(), right.next()) {
            (Some(l), Some(r)) if l == r || passed.contains(&(l, r)) => continue,
            (l, r) => {
                return difference_kind(l.unwrap_or("(end)"), r.unwrap_or("(end)"));
            }
        }
    }
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

    fn run(runtime: &str, status: &str, trace: &[&str]) -> Run {
        let trace: Vec<String> = trace.iter().map(|l| l.to_string()).collect();
        Run {
            runtime: runtime.into(),
            body: format!(
                "status: {status}\n== trace\n{}\n== stdout 0\n",
                trace.join("\n")
            ),
            trace,
        }
    }

    fn line(call: &str, op: usize, errno: &str) -> String {
        format!(r#"{{"call":"{call}","args":{{"op":{op}}},"errno":"{errno}"}}"#)
    }

    /// A hang names no call: its rule's `calls` and `when` match it against
    /// the program's ops, and only a campaign with that runtime leaves
    /// those ops out.
    #[test]
    fn a_triaged_hang_matches_by_its_calls_and_only_for_its_runtime() {
        let path = crate::layout::Layout::discover().fuzz_triage();
        let program = Program::parse("fd_filestat_get $3\npoll_oneoff clock:0\n").unwrap();
        let reference = run("reference", "exit 0", &[]);
        let hang = Run {
            runtime: "wasmer".into(),
            body: "timeout\n".into(),
            trace: Vec::new(),
        };
        let with_wasmer = Triage::load(&path, &["reference", "wasmer"]).unwrap();
        assert_eq!(
            with_wasmer.judge(&program, &reference, &hang),
            Judgement::Triaged {
                kind: "status: exit 0 | timeout".into(),
                case: "poll/clock-zero-timeout".into()
            }
        );
        let steps = steps(&program, |_| true);
        assert!(with_wasmer.avoids(&steps[1]) && !with_wasmer.avoids(&steps[0]));
        let without = Triage::load(&path, &["reference", "wasmtime"]).unwrap();
        assert!(!without.avoids(&steps[1]));
        let other = Program::parse("poll_oneoff clock:5\n").unwrap();
        assert!(matches!(
            with_wasmer.judge(&other, &reference, &hang),
            Judgement::New { .. }
        ));
    }

    /// The preopen's situation follows it through a renumber, and ends
    /// where a renumber onto its slot takes it away.
    #[test]
    fn the_preopen_is_followed_through_renumbers() {
        let program = Program::parse(
            "path_open $3 follow \"a\" 0 all all 0\nfd_renumber $3 $4\nfd_sync $4\nfd_renumber $5 $4\nfd_sync $4\n",
        )
        .unwrap();
        let preopen = |ok: &dyn Fn(usize) -> bool| -> Vec<bool> {
            steps(&program, ok)
                .iter()
                .map(|step| Situation::Preopen.holds(step))
                .collect()
        };
        assert_eq!(preopen(&|_| true), [true, true, true, false, false]);
        // A renumber that failed moved nothing.
        assert_eq!(preopen(&|i| i != 1), [true, true, false, false, false]);
    }

    /// Append mode follows the descriptor: from its `path_open` or
    /// `fd_fdstat_set_flags`, through a renumber, until a close or flags
    /// without `append`; a `path_open` that failed opened nothing.
    #[test]
    fn append_mode_is_followed_from_open_and_set_flags() {
        let program = Program::parse(
            "path_open $3 follow \"a\" 0 all all append\n\
             fd_pwrite $4 1 0 18446744073709551615\n\
             path_open $3 follow \"b\" 0 all all 0\n\
             fd_pwrite $5 1 0 0\n\
             fd_fdstat_set_flags $5 append\n\
             fd_renumber $5 $6\n\
             fd_pwrite $6 1 0 0\n\
             fd_fdstat_set_flags $4 0\n\
             fd_pwrite $4 1 0 0\n\
             path_open $3 follow \"missing\" 0 all all append\n\
             fd_pwrite $7 1 0 0\n",
        )
        .unwrap();
        let append = |ok: &dyn Fn(usize) -> bool| -> Vec<usize> {
            steps(&program, ok)
                .iter()
                .enumerate()
                .filter(|(_, step)| {
                    step.op.name() == "fd_pwrite" && Situation::AppendMode.holds(step)
                })
                .map(|(i, _)| i)
                .collect()
        };
        assert_eq!(append(&|i| i != 9), [1, 6]);
        // A set_flags that failed changed nothing.
        assert_eq!(append(&|i| i != 7 && i != 9), [1, 6, 8]);
        // A pwrite on an append-mode descriptor may append (ok) where
        // another host answers inval for an offset over 2^63 - 1.
        let triage = Triage::load(&crate::layout::Layout::discover().fuzz_triage(), &[]).unwrap();
        let steps = steps(&program, |i| i != 9);
        assert!(triage.permits("fd_pwrite", "inval", "ok", &steps[1]));
        assert!(!triage.permits("fd_pwrite", "inval", "ok", &steps[3]));
    }

    /// The shipped file loads, and each kind of judgement comes out of it.
    #[test]
    fn judgements_follow_the_shipped_file() {
        let layout = crate::layout::Layout::discover();
        let triage = Triage::load(&layout.fuzz_triage(), &["wasmtime"]).unwrap();
        let program = Program::parse(
            "fd_read $3 10\nfd_filestat_set_times $3 0 0 mtim_now\nfd_tell $3\nfd_fdstat_set_flags $4 bit7\n",
        )
        .unwrap();
        let (read_isdir, read_badf) = (line("fd_read", 0, "isdir"), line("fd_read", 0, "badf"));
        let (tell_ok, tell_badf) = (line("fd_tell", 2, "ok"), line("fd_tell", 2, "spipe"));
        let reference = run("reference", "exit 0", &[&read_isdir, &tell_ok]);
        // Two errnos fd_read on a directory may give: permitted, and the
        // walk goes on past them to the next op.
        let permitted = run("wasmtime", "exit 0", &[&read_badf, &tell_ok]);
        assert_eq!(
            triage.judge(&program, &reference, &permitted),
            Judgement::Permitted
        );
        let later = run("wasmtime", "exit 0", &[&read_badf, &tell_badf]);
        assert_eq!(
            triage.judge(&program, &reference, &later),
            Judgement::New {
                kind: r#"fd_tell: "ok" | "spipe""#.into()
            }
        );
        // Past a permitted line, a status difference is a finding, named
        // by the status, not by the permitted line.
        let exit_1 = run("wasmtime", "exit 1", &[&read_badf, &tell_ok]);
        assert_eq!(
            triage.judge(&program, &reference, &exit_1),
            Judgement::New {
                kind: "status: exit 0 | status: exit 1".into()
            }
        );
        // A triaged kind in its situation names its case, and generation
        // leaves its op out.
        let times = |errno| line("fd_filestat_set_times", 1, errno);
        let (a, b) = (
            run("reference", "exit 0", &[&times("ok")]),
            run("wasmtime", "exit 0", &[&times("badf")]),
        );
        assert_eq!(
            triage.judge(&program, &a, &b),
            Judgement::Triaged {
                kind: r#"fd_filestat_set_times: "ok" | "badf""#.into(),
                case: "fuzz/times-preopen".into()
            }
        );
        let steps = steps(&program, |_| true);
        assert!(triage.avoids(&steps[1]) && !triage.avoids(&steps[0]));
        // A trap on an undefined flag bit where the other run failed the
        // call: permitted; on a defined operand it is new.
        let flags = line("fd_fdstat_set_flags", 3, "inval");
        let (a, b) = (
            run("reference", "exit 0", &[&flags]),
            run("wasmtime", "trap", &[]),
        );
        assert_eq!(triage.judge(&program, &a, &b), Judgement::Permitted);
        let tell = line("fd_tell", 2, "badf");
        let (a, b) = (
            run("reference", "exit 0", &[&tell]),
            run("wasmtime", "trap", &[]),
        );
        assert!(matches!(
            triage.judge(&program, &a, &b),
            Judgement::New { .. }
        ));
    }
}
