//! `coverage`: per preview1 function, the cases that call it and the errnos
//! they reach (read from the blessed outcomes; nothing is run).

use crate::layout::{Layout, write_atomic};
use anyhow::Result;
use std::path::Path;

/// Prints the coverage table, and writes `{"functions": {...}}` to `json`.
pub fn coverage(layout: Layout, json: Option<&Path>) -> Result<u8> {
    let coverage = crate::render::coverage::coverage(&layout)?;
    print!("{}", coverage.table());
    if let Some(path) = json {
        write_atomic(path, &serde_json::to_vec_pretty(&coverage)?)?;
    }
    Ok(0)
}
