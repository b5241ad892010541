//! `coverage`: per preview1 function, the cases that call it and the errnos
//! they reach (read from the blessed outcomes); per WASI 0.2 function, the
//! p2 cases that call it (the names their traces carry); per WASI 0.3
//! function, the p3 cases that call it (their `calls`). Nothing is run.

use crate::layout::{Layout, write_atomic};
use crate::render::coverage::{Coverage, FunctionCoverage};
use crate::render::p2_coverage::P2Coverage;
use crate::render::wit_coverage::WitCoverage;
use crate::suite::manifest;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What `--json` writes.
#[derive(Serialize)]
struct Json<'a> {
    functions: &'a BTreeMap<&'static str, FunctionCoverage>,
    p2_functions: &'a BTreeMap<String, usize>,
    p3_functions: &'a BTreeMap<String, usize>,
}

/// Prints the three coverage tables, and writes `{"functions": {...},
/// "p2_functions": {...}, "p3_functions": {...}}` to `json`.
pub fn coverage(layout: Layout, json: Option<&Path>) -> Result<u8> {
    let p1: Coverage = crate::render::coverage::coverage(&layout)?;
    let cases = manifest::load_dir(&layout.cases)?;
    let p2 = P2Coverage::of(&layout, &cases)?;
    let p3 = WitCoverage::of(&cases)?;
    print!("{}\n{}\n{}", p1.table(), p2.table(), p3.table());
    if let Some(path) = json {
        let both = Json {
            functions: &p1.functions,
            p2_functions: &p2.functions,
            p3_functions: &p3.functions,
        };
        write_atomic(path, &serde_json::to_vec_pretty(&both)?)?;
    }
    Ok(0)
}
