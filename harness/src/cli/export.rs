//! `export`: the p1 cases written as tests of another suite's format.

use crate::exec::runtimes::Limits;
use crate::layout::Layout;
use crate::render::export::Format;
use anyhow::Result;
use std::path::Path;

/// Exports the cases into `dir` and says what was written and skipped.
pub fn export(layout: Layout, format: Format, dir: &Path, limits: Limits) -> Result<u8> {
    let summary = crate::render::export::export(layout, format, dir, limits)?;
    println!(
        "exported {} of {} p1 cases to {} (wasi-testsuite format: <case>/<guest>.wasm + .json)",
        summary.exported,
        summary.cases,
        dir.display()
    );
    if summary.renamed > 0 {
        println!(
            "{} of them with their preopen renamed: `/name` is preopened as `/` \
             (the format's `root`)",
            summary.renamed
        );
    }
    let count: usize = summary.skipped.values().map(Vec::len).sum();
    if count > 0 {
        println!("skipped {count}:");
        for (why, names) in &summary.skipped {
            println!("  {} {why}: {}", names.len(), names.join(", "));
        }
    }
    Ok(0)
}
