//! The suite: its cases (loaded from the manifests), the (case, ABI) pairs a
//! command selects, and running them through exec → judge → baseline into
//! records. `bless` writes the baseline they are judged against.

pub mod bless;
pub mod manifest;
mod plan;
mod shard;

pub use plan::{Plan, Ran};
pub use shard::Shard;

use crate::baseline::expected;
use crate::exec::c_guests;
use crate::exec::guests::Guests;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::model::case::Case;
use anyhow::{Context, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Which (case, ABI) pairs a command works on.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Case-name globs (`args/*`); empty means every case.
    pub cases: Vec<String>,
    /// ABIs; empty means every ABI.
    pub abis: Vec<Abi>,
    /// Only this part of the selected pairs.
    pub shard: Option<Shard>,
}

impl Filter {
    /// Whether the filter selects every pair.
    pub fn is_everything(&self) -> bool {
        self.cases.is_empty() && self.abis.is_empty() && self.shard.is_none()
    }
}

/// The loaded suite: layout, every case, and the selected (case, ABI) pairs.
pub struct Suite {
    pub layout: Layout,
    pub cases: Vec<Case>,
    selected: Vec<(usize, Abi)>,
}

/// What every run needs besides the suite: the blessed body and the binary
/// of each selected pair, in [`Suite::pairs`] order.
pub struct Prepared {
    pub bodies: Vec<String>,
    pub binaries: Vec<PathBuf>,
}

impl Suite {
    /// Loads every manifest and selects the pairs `filter` matches; an
    /// empty selection is an error.
    pub fn load(layout: Layout, filter: &Filter) -> Result<Suite> {
        let cases = manifest::load_dir(&layout.cases)?;
        let globs = glob_set(&filter.cases)?;
        let mut selected = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            if !filter.cases.is_empty() && !globs.is_match(&case.name) {
                continue;
            }
            for &abi in &case.abis {
                if filter.abis.is_empty() || filter.abis.contains(&abi) {
                    selected.push((i, abi));
                }
            }
        }
        if selected.is_empty() {
            bail!("no case matches the given --case/--abi filter");
        }
        if let Some(shard) = filter.shard {
            selected = selected
                .into_iter()
                .enumerate()
                .filter(|&(position, _)| shard.holds(position))
                .map(|(_, pair)| pair)
                .collect();
            if selected.is_empty() {
                bail!(
                    "shard {shard} holds none of the selected pairs (there are fewer than its index)"
                );
            }
        }
        Ok(Suite {
            layout,
            cases,
            selected,
        })
    }

    /// The selected pairs, in manifest order.
    pub fn pairs(&self) -> impl Iterator<Item = (&Case, Abi)> {
        self.selected.iter().map(|&(i, abi)| (&self.cases[i], abi))
    }

    /// The ABIs of the selected pairs.
    pub fn abis(&self) -> BTreeSet<Abi> {
        self.selected.iter().map(|&(_, abi)| abi).collect()
    }

    /// An error when an expected file belongs to no case.
    pub fn check_orphans(&self) -> Result<()> {
        match expected::orphans(&self.layout.expected, &self.cases).first() {
            Some(orphan) => bail!(
                "{}: expected outcome of no case (remove it, or run `wasi-conform bless` to clean up)",
                orphan.display()
            ),
            None => Ok(()),
        }
    }

    /// The binary of every selected pair, each checked to exist.
    pub fn binaries(&self, guests: &Guests) -> Result<Vec<PathBuf>> {
        self.pairs()
            .map(|(case, abi)| {
                guests
                    .check(&self.layout, &case.guest, abi)
                    .with_context(|| format!("{}: case `{}`", case.source.display(), case.name))
            })
            .collect()
    }

    /// Builds the guests of the selected pairs. When the C toolchain
    /// cannot be installed, the C cases are left out of the selection,
    /// saying so and why (an error when nothing else is selected).
    pub fn build_guests(&mut self) -> Result<Guests> {
        let c_pairs = self
            .pairs()
            .filter(|(case, _)| c_guests::is_c(&case.guest))
            .count();
        let zig = match c_pairs {
            0 => None,
            _ => match c_guests::zig(&self.layout) {
                Ok(zig) => Some(zig),
                Err(why) => {
                    eprintln!(
                        "wasi-conform: skipping {c_pairs} runs of C cases (unsupported here): {why:#}"
                    );
                    let cases = &self.cases;
                    self.selected
                        .retain(|&(i, _)| !c_guests::is_c(&cases[i].guest));
                    if self.selected.is_empty() {
                        bail!(
                            "only C cases are selected, and the C toolchain is not available: {why:#}"
                        );
                    }
                    None
                }
            },
        };
        Guests::build(&self.layout, &self.abis(), zig.as_deref())
    }

    /// Builds the guests of the selected pairs and reads their expected bodies.
    pub fn prepare(&mut self) -> Result<Prepared> {
        let guests = self.build_guests()?;
        let binaries = self.binaries(&guests)?;
        let bodies = self
            .pairs()
            .map(|(case, abi)| {
                expected::read_body(case, &expected::path(&self.layout.expected, case, abi))
            })
            .collect::<Result<_>>()?;
        Ok(Prepared { bodies, binaries })
    }
}

fn glob_set(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder
            .add(Glob::new(pattern).with_context(|| format!("invalid --case glob `{pattern}`"))?);
    }
    Ok(builder.build()?)
}
