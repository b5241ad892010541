//! The function × runtime matrix: for every WASI function some case calls,
//! the runs of those cases on each runtime. Markdown and HTML both show it.

use crate::render::certificate::{Certificate, Run};
use crate::render::summary::Tally;
use std::collections::BTreeSet;
use wasi_conform_reference::abi_p1::FUNCTIONS;

/// Which family a WASI function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// WASI 0.2 interfaces (`interface.function`).
    Preview2,
    /// C library functions the C guests call (`fopen`): WASI reached
    /// through wasi-libc. Their names have no `.`, unlike 0.2 names.
    Libc,
}

impl Group {
    /// Every group, in the order reports show them.
    pub const ALL: [Group; 3] = [Group::Preview1, Group::Preview2, Group::Libc];

    /// The group's heading in reports.
    pub fn title(self) -> &'static str {
        match self {
            Group::Preview1 => "WASI preview1 functions",
            Group::Preview2 => "WASI 0.2 functions",
            Group::Libc => "C library functions, through wasi-libc",
        }
    }

    /// The group of a traced call name that is not a preview1 function.
    fn of_other(name: &str) -> Group {
        if name.contains('.') {
            Group::Preview2
        } else {
            Group::Libc
        }
    }
}

/// The function × runtime matrix of a set of certificates.
pub struct Matrix<'a> {
    /// Rows in witx order for preview1, then 0.2 functions by name, then
    /// C library functions by name; only functions some case calls.
    pub rows: Vec<Row<'a>>,
    /// Preview1 functions no case calls.
    pub uncovered: Vec<&'static str>,
}

/// One function's row: per certificate, the runs of cases that call it.
pub struct Row<'a> {
    pub function: String,
    pub group: Group,
    /// Indexed like the certificates the matrix was built from.
    pub cells: Vec<Vec<&'a Run>>,
}

impl Row<'_> {
    /// The verdict counts of certificate `i`'s cell.
    pub fn tally(&self, i: usize) -> Tally {
        Tally::of(self.cells[i].iter().map(|run| &run.record))
    }
}

impl<'a> Matrix<'a> {
    /// The matrix of `certificates`, one column each.
    pub fn new(certificates: &'a [Certificate]) -> Matrix<'a> {
        let called: BTreeSet<&str> = certificates
            .iter()
            .flat_map(|c| &c.runs)
            .flat_map(|run| run.calls.iter().map(String::as_str))
            .collect();
        let p1: Vec<&'static str> = FUNCTIONS.iter().map(|f| f.name).collect();
        let others: Vec<(&str, Group)> = called
            .iter()
            .copied()
            .filter(|f| !p1.contains(f))
            .map(|f| (f, Group::of_other(f)))
            .collect();
        let names = p1
            .iter()
            .copied()
            .filter(|f| called.contains(f))
            .map(|f| (f, Group::Preview1))
            .chain(
                others
                    .iter()
                    .copied()
                    .filter(|(_, g)| *g == Group::Preview2),
            )
            .chain(others.iter().copied().filter(|(_, g)| *g == Group::Libc));
        let rows = names
            .map(|(function, group)| Row {
                function: function.to_string(),
                group,
                cells: certificates
                    .iter()
                    .map(|c| {
                        c.runs
                            .iter()
                            .filter(|run| run.calls.iter().any(|f| f == function))
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        Matrix {
            rows,
            uncovered: p1.into_iter().filter(|f| !called.contains(f)).collect(),
        }
    }
}
