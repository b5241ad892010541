//! `coverage`: per preview1 function, the cases that call it and the errnos
//! they reach (read from the blessed outcomes); per WASI 0.3 function, the
//! p3 cases that call it (their `calls`). Nothing is run.

use crate::layout::{Layout, write_atomic};
use crate::render::coverage::{Coverage, FunctionCoverage};
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
    p3_functions: &'a BTreeMap<String, usize>,
}

/// Prints both coverage tables, and writes `{"functions": {...},
/// "p3_functions": {...}}` to `json`.
pub fn coverage(layout: Layout, json: Option<&Path>) -> Result<u8> {
    let p1: Coverage = crate::render::coverage::coverage(&layout)?;
    let p3 = WitCoverage::of(&manifest::load_dir(&layout.cases)?)?;
    print!("{}\n{}", p1.table(), p3.table());
    if let Some(path) = json {
        let both = Json {
            functions: &p1.functions,
            p3_functions: &p3.functions,
        };
        write_atomic(path, &serde_json::to_vec_pretty(&both)?)?;
    }
    Ok(0)
}
