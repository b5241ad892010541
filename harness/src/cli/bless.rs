//! `bless`: rewrites expected outcomes from their oracles (never in CI).

use crate::cli::progress::in_ci;
use crate::exec::runtimes::Limits;
use crate::layout::Layout;
use crate::suite::Filter;
use crate::suite::bless::Blessed;
use anyhow::{Result, bail};

/// `bless`: rewrites the expected outcome of every selected pair; exits 1
/// when some could not be blessed.
pub fn bless(layout: Layout, filter: &Filter, limits: Limits) -> Result<u8> {
    if in_ci() {
        bail!("bless rewrites expected/ and never runs in CI (CI=true is set)");
    }
    let blessed = crate::suite::bless::bless(layout, filter, limits)?;
    Ok(print(&blessed))
}

/// Prints what a bless did and returns its exit code.
pub fn print(blessed: &Blessed) -> u8 {
    for refused in &blessed.refused {
        eprintln!("not blessed: {refused}");
    }
    for orphan in &blessed.removed {
        eprintln!("removed {} (no such case)", orphan.display());
    }
    println!(
        "blessed {} expected outcomes; {} not blessed",
        blessed.written,
        blessed.refused.len()
    );
    if blessed.refused.is_empty() { 0 } else { 1 }
}
