//! `fuzz`, `run --repro` and `bless --from-repro`: a fuzzing campaign,
//! replaying one of its reproducers, and turning one into a case.

use crate::exec::runtimes::{Limits, Runtime};
use crate::fuzz::campaign::{self, Options};
use crate::fuzz::{compare, locate_fs_op, repro, run_all};
use crate::layout::{Layout, write_atomic};
use crate::suite::Filter;
use anyhow::{Result, bail};
use std::path::Path;

/// `fuzz`: runs a campaign and lists what it found; exits 1 when it found
/// a new kind of divergence.
pub fn campaign(layout: &Layout, options: &Options) -> Result<u8> {
    crate::fuzz::fast_settings();
    eprintln!(
        "wasi-conform: fuzzing {} with seed {} on {} thread(s)",
        options.runtimes.join(", "),
        options.seed,
        options.jobs
    );
    let found = campaign::fuzz(layout, options)?;
    for (signature, (case, count)) in &found.triaged {
        println!("{count:>6} x {signature}  [triaged: {case}]");
    }
    for (signature, count) in &found.new {
        println!("{count:>6} x {signature}  [new]");
    }
    if !found.new.is_empty() {
        println!(
            "{} new kinds; reproducers in {}",
            found.new.len(),
            options.out.display()
        );
    }
    println!(
        "{} programs: {} flagged ({} new kinds, {} triaged kinds), {} differ only where WASI permits",
        found.done,
        found.programs,
        found.new.len(),
        found.triaged.len(),
        found.permitted
    );
    Ok(u8::from(!found.new.is_empty()))
}

/// `run --repro FILE`: replays a reproducer on its runtimes (or on
/// `runtimes` when not empty). Prints the outcomes and their diff while
/// they differ (exit 1), a one-line all-clear otherwise (exit 0).
pub fn replay(layout: &Layout, path: &Path, runtimes: &[String]) -> Result<u8> {
    let repro = repro::read(path)?;
    let names = if runtimes.is_empty() {
        &repro.runtimes
    } else {
        runtimes
    };
    let (chosen, indexes) = campaign::select(layout, names)?;
    let order: Vec<&dyn Runtime> = indexes.iter().map(|&i| chosen[i].as_ref()).collect();
    let wasm = crate::exec::guests::interp(layout)?;
    let runs = run_all(layout, &order, &wasm, &repro.program)?;
    match compare(&runs) {
        Some(mut divergence) => {
            locate_fs_op(
                layout,
                &order,
                &wasm,
                &repro.program,
                &runs,
                &mut divergence,
            )?;
            print!("{}", repro::render(&repro.program, &runs, &divergence));
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
    let repro = repro::read(path)?;
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
    let entry = crate::fuzz::case_toml(&case_name, &description, &repro.program.to_text());
    write_atomic(&manifest, format!("{before}\n{entry}").as_bytes())?;
    let filter = Filter {
        cases: vec![case_name.clone()],
        ..Filter::default()
    };
    let blessed = crate::suite::manifest::load_dir(&layout.cases)
        .and_then(|_| crate::suite::bless::bless(layout.clone(), &filter, limits))
        .map(|blessed| super::bless::print(&blessed));
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
