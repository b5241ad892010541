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

use super::{Divergence, Program, Run};
use anyhow::{Context, Result, bail};
use std::path::Path;

const PROGRAM: &str = "== program\n";
const OUTCOME: &str = "== outcome ";

/// The text of a reproducer.
pub fn render(program: &Program, runs: &[Run], divergence: &Divergence) -> String {
    let (a, b) = (&runs[divergence.pair.0], &runs[divergence.pair.1]);
    let names: Vec<&str> = runs.iter().map(|r| r.runtime.as_str()).collect();
    let op = |i: usize| format!("{i} ({})", program.ops.get(i).map_or("?", |op| op.name()));
    let first_op = match (divergence.first_op, divergence.fs_op) {
        (Some(i), _) => op(i),
        (None, Some(i)) => format!(
            "none (the traces agree); the filesystems first differ after op {}",
            op(i)
        ),
        (None, None) => "none (the traces agree; status, output or filesystem differ)".to_string(),
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
    out.push_str(&crate::judge::diff(&a.body, &b.body));
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
            fs_op: None,
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
