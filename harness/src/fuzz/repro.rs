//! Reproducer files: the program, the runtimes, each one's rendered
//! outcome and where they first differ.
//!
//! ```text
//! # wasi-conform fuzz reproducer ...
//! runtimes: reference, wasmtime
//! first differing op: 2
//! == program
//! path_open $3 follow "a" 0 all all 0
//! ...
//! == outcome reference
//! status: exit 0
//! == trace
//! ...
//! == diff
//! ...
//! ```
//!
//! Only the `runtimes:` line and the program are read back; the rest is
//! evidence for a person.

use super::{Divergence, Program, Run, compare, run_all};
use crate::commands::{self, Filter};
use crate::layout::{Layout, write_atomic};
use crate::runtimes::{Limits, Runtime};
use crate::verdict;
use anyhow::{Context, Result, bail};
use std::path::Path;

const PROGRAM: &str = "== program\n";
const OUTCOME: &str = "== outcome ";

/// The text of a reproducer.
pub fn render(program: &Program, runs: &[Run], divergence: &Divergence) -> String {
    let (a, b) = (&runs[divergence.pair.0], &runs[divergence.pair.1]);
    let names: Vec<&str> = runs.iter().map(|r| r.runtime.as_str()).collect();
    let first_op = match divergence.first_op {
        Some(i) => format!("{i} ({})", program.ops.get(i).map_or("?", |op| op.name())),
        None => "none (the traces agree; status, output or filesystem differ)".to_string(),
    };
    let mut out = format!(
        "# wasi-conform fuzz reproducer: replay with `wasi-conform run --repro FILE`,\n\
         # make it a case with `wasi-conform bless --from-repro FILE --name NAME`.\n\
         runtimes: {}\nfirst differing op: {first_op}\n{PROGRAM}{}",
        names.join(", "),
        program.to_text()
    );
    for run in runs {
        out.push_str(&format!("{OUTCOME}{}\n{}", run.runtime, run.body));
    }
    out.push_str(&format!("== diff {} vs {}\n", a.runtime, b.runtime));
    out.push_str(&verdict::diff(&a.body, &b.body));
    out
}

/// A reproducer read back: its runtimes and program.
#[derive(Debug)]
pub struct Repro {
    /// Runtime names, in order (a name may repeat).
    pub runtimes: Vec<String>,
    /// The program.
    pub program: Program,
}

/// Reads a reproducer; errors name the file.
pub fn read(path: &Path) -> Result<Repro> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read reproducer", path.display()))?;
    parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn parse(text: &str) -> Result<Repro> {
    let runtimes = text
        .lines()
        .find_map(|l| l.strip_prefix("runtimes: "))
        .context("no `runtimes:` line (not a reproducer?)")?
        .split(',')
        .map(|name| name.trim().to_string())
        .collect();
    let Some(start) = text.find(PROGRAM) else {
        bail!("no `{}` section", PROGRAM.trim_end());
    };
    let program = &text[start + PROGRAM.len()..];
    let program = program
        .find(&format!("\n{OUTCOME}"))
        .map_or(program, |end| &program[..end + 1]);
    let program = Program::parse(program).map_err(|e| anyhow::anyhow!("program: {e}"))?;
    Ok(Repro { runtimes, program })
}

/// `run --repro FILE`: replays a reproducer on its runtimes (or on
/// `runtimes` when not empty). Prints the outcomes and their diff while
/// they differ (exit 1), a one-line all-clear otherwise (exit 0).
pub fn replay(layout: &Layout, path: &Path, runtimes: &[String]) -> Result<u8> {
    let repro = read(path)?;
    let names = if runtimes.is_empty() {
        &repro.runtimes
    } else {
        runtimes
    };
    let (chosen, indexes) = super::campaign::select(layout, names)?;
    let order: Vec<&dyn Runtime> = indexes.iter().map(|&i| chosen[i].as_ref()).collect();
    let wasm = crate::guests::interp(layout)?;
    let runs = run_all(layout, &order, &wasm, &repro.program)?;
    match compare(&runs) {
        Some(divergence) => {
            print!("{}", render(&repro.program, &runs, &divergence));
            Ok(1)
        }
        None => {
            println!(
                "{}: no divergence: {} agree",
                path.display(),
                names.join(", ")
            );
            Ok(0)
        }
    }
}

/// The manifest reproducers are added to, under `tests-src/cases/`.
const MANIFEST: &str = "fuzz.toml";

/// `bless --from-repro FILE --name NAME`: appends case `fuzz/NAME` (the
/// interpreter with the program on stdin) to `tests-src/cases/fuzz.toml`
/// and blesses it from the reference host. The manifest is left as it was
/// when the case cannot be blessed.
pub fn bless(layout: &Layout, path: &Path, name: &str, limits: Limits) -> Result<u8> {
    let repro = read(path)?;
    let case_name = format!("fuzz/{name}");
    let manifest = layout.cases.join(MANIFEST);
    let before = match std::fs::read_to_string(&manifest) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# Cases made from fuzz reproducers (`wasi-conform bless --from-repro`).\n".to_string()
        }
        Err(e) => bail!("{}: cannot read: {e}", manifest.display()),
    };
    let description = format!(
        "fuzz reproducer {} ({})",
        path.file_name().unwrap_or_default().to_string_lossy(),
        repro.runtimes.join(" vs ")
    );
    let entry = super::case_toml(&case_name, &description, &repro.program.to_text());
    write_atomic(&manifest, format!("{before}\n{entry}").as_bytes())?;
    let filter = Filter {
        cases: vec![case_name.clone()],
        ..Filter::default()
    };
    let blessed = crate::manifest::load_dir(&layout.cases)
        .and_then(|_| commands::bless(layout.clone(), &filter, limits));
    if !matches!(blessed, Ok(0)) {
        write_atomic(&manifest, before.as_bytes())?;
        eprintln!(
            "wasi-conform: {}: case `{case_name}` not added",
            manifest.display()
        );
    } else {
        println!("added case {case_name} to {}", manifest.display());
    }
    blessed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_reproducer_reads_back() {
        let program = Program::parse("fd_tell $3\nfd_close $4\n").unwrap();
        let run = |name: &str, body: &str| Run {
            runtime: name.into(),
            body: body.into(),
            trace: vec![],
        };
        let runs = [
            run("reference", "status: exit 0\n"),
            run("node", "status: exit 1\n"),
        ];
        let divergence = Divergence {
            pair: (0, 1),
            first_op: Some(1),
        };
        let text = render(&program, &runs, &divergence);
        assert!(text.contains("first differing op: 1 (fd_close)"), "{text}");
        let repro = parse(&text).unwrap();
        assert_eq!(repro.runtimes, ["reference", "node"]);
        assert_eq!(repro.program, program);
        assert!(
            parse("runtimes: a\n")
                .unwrap_err()
                .to_string()
                .contains("program")
        );
    }
}
