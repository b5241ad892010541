//! `wasi-conform coverage`: per preview1 function, how many cases call it and
//! which errnos they reach on the reference host.
//!
//! Computed from the blessed p1 outcomes (`expected/<case>.p1.out`), whose
//! traces are the reference host's own (each file's header must say it was
//! blessed from `reference`); nothing is run. An errno a case allows several
//! values for is counted as the blessed file records it (`one of a|b`).

use crate::baseline::expected;
use crate::exec::c_guests;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::suite::manifest;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wasi_conform_reference::abi_p1::FUNCTIONS;

/// Functions called by fewer cases than this are flagged.
pub const FEW_CASES: usize = 3;

/// The oracle every blessed p1 outcome must come from.
const ORACLE: &str = "reference";

/// What the cases reach of one function.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionCoverage {
    /// Cases whose trace calls the function at least once.
    pub cases: usize,
    /// Every errno those calls returned, `ok` included, sorted.
    pub errnos: BTreeSet<String>,
}

/// Coverage of all 46 preview1 functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every preview1 function by name, uncalled ones included.
    pub functions: BTreeMap<&'static str, FunctionCoverage>,
    /// How many blessed outcomes were read.
    #[serde(skip)]
    pub outcomes: usize,
}

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage {
            functions: FUNCTIONS
                .iter()
                .map(|f| (f.name, FunctionCoverage::default()))
                .collect(),
            outcomes: 0,
        }
    }
}

impl Coverage {
    /// Adds one case's blessed outcome file.
    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the blessed outcome", path.display()))?;
        self.add_text(&text)
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))
    }

    /// Adds one case's blessed outcome, given as the file's text.
    pub fn add_text(&mut self, text: &str) -> Result<(), String> {
        let oracle = text
            .lines()
            .take_while(|line| line.starts_with('#'))
            .find_map(|line| line.strip_prefix("# blessed from: "))
            .ok_or("no `# blessed from:` header line")?;
        if oracle.split_whitespace().next() != Some(ORACLE) {
            return Err(format!(
                "blessed from `{oracle}`, not from the reference host"
            ));
        }
        let trace = crate::judge::normalise::trace_lines(text);
        let mut called = BTreeSet::new();
        for line in trace {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("trace line is not JSON ({e}): {line}"))?;
            let Some(call) = value["call"].as_str() else {
                continue; // a guest's check line
            };
            let function = self
                .functions
                .get_mut(call)
                .ok_or_else(|| format!("trace calls `{call}`, which is no preview1 function"))?;
            if let Some(errno) = value["errno"].as_str() {
                function.errnos.insert(errno.to_string());
            }
            called.insert(call.to_string());
        }
        for call in called {
            self.functions
                .get_mut(call.as_str())
                .expect("checked above")
                .cases += 1;
        }
        self.outcomes += 1;
        Ok(())
    }

    /// The table: one row per function, rows under [`FEW_CASES`] flagged.
    pub fn table(&self) -> String {
        let mut out = format!("{:<24} {:>5}  errnos\n", "function", "cases");
        for (name, function) in &self.functions {
            let errnos: Vec<&str> = function.errnos.iter().map(String::as_str).collect();
            let errnos = if errnos.is_empty() {
                "-".to_string()
            } else {
                errnos.join(",")
            };
            let flag = if function.cases < FEW_CASES {
                "  <"
            } else {
                "   "
            };
            let _ = writeln!(out, "{name:<24} {:>5}{flag} {errnos}", function.cases);
        }
        let called = self.functions.values().filter(|f| f.cases > 0).count();
        let few = self
            .functions
            .values()
            .filter(|f| f.cases < FEW_CASES)
            .count();
        let _ = writeln!(
            out,
            "\n{called} of {} functions called by at least one case; {few} by fewer than \
             {FEW_CASES} (marked <); from {} blessed p1 outcomes of the reference host",
            self.functions.len(),
            self.outcomes
        );
        out
    }
}

/// The blessed p1 outcome file of every p1 case (each must exist), but
/// the C cases': their traces name libc calls, not preview1 functions.
fn blessed_files(layout: &Layout) -> Result<Vec<PathBuf>> {
    let cases = manifest::load_dir(&layout.cases)?;
    let mut files = Vec::new();
    for case in cases
        .iter()
        .filter(|case| case.abis.contains(&Abi::P1) && !c_guests::is_c(&case.guest))
    {
        let path = expected::path(&layout.expected, case, Abi::P1);
        if !path.is_file() {
            bail!(
                "{}: missing expected outcome for `{}` (run `wasi-conform bless --case {}`)",
                path.display(),
                case.name,
                case.name
            );
        }
        files.push(path);
    }
    Ok(files)
}

/// `coverage`: the coverage of every blessed p1 outcome.
pub fn coverage(layout: &Layout) -> Result<Coverage> {
    let mut coverage = Coverage::default();
    for file in blessed_files(layout)? {
        coverage.add_file(&file)?;
    }
    Ok(coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLESSED: &str = "# case: fd/x\n# abi: p1\n# blessed from: reference 0.1.0 (in-repo)\n\
        status: exit 0\n== trace\n\
        {\"call\":\"fd_read\",\"args\":{\"fd\":99},\"errno\":\"badf\"}\n\
        {\"check\":\"fails\",\"ok\":true}\n\
        {\"call\":\"fd_read\",\"args\":{\"fd\":0},\"errno\":\"ok\",\"ret\":{}}\n\
        {\"call\":\"proc_exit\",\"args\":{\"rval\":0}}\n\
        == stdout 12\n{\"call\":\"x\"}\n== stderr 0\n\n== fs\n";

    #[test]
    fn counts_cases_and_errnos_per_function() {
        let mut coverage = Coverage::default();
        coverage.add_text(BLESSED).unwrap();
        coverage
            .add_text(&BLESSED.replace("\"badf\"", "\"inval\""))
            .unwrap();
        assert_eq!(coverage.functions.len(), 46);
        let fd_read = &coverage.functions["fd_read"];
        assert_eq!(fd_read.cases, 2);
        assert_eq!(
            fd_read.errnos.iter().collect::<Vec<_>>(),
            ["badf", "inval", "ok"]
        );
        assert_eq!(coverage.functions["proc_exit"].cases, 2);
        assert!(coverage.functions["proc_exit"].errnos.is_empty());
        assert_eq!(coverage.functions["fd_write"], FunctionCoverage::default());

        let json = serde_json::to_value(&coverage).unwrap();
        assert_eq!(
            json["functions"]["fd_read"],
            serde_json::json!({"cases": 2, "errnos": ["badf", "inval", "ok"]})
        );
        assert_eq!(json.as_object().unwrap().len(), 1);

        insta::assert_snapshot!(coverage.table());
    }

    #[test]
    fn only_reference_outcomes_with_p1_calls_count() {
        let mut coverage = Coverage::default();
        let wasmtime = BLESSED.replace("reference 0.1.0", "wasmtime 48.0.8");
        assert!(
            coverage
                .add_text(&wasmtime)
                .unwrap_err()
                .contains("not from the reference host")
        );
        let unknown = BLESSED.replace("\"fd_read\"", "\"fd_frobnicate\"");
        assert!(
            coverage
                .add_text(&unknown)
                .unwrap_err()
                .contains("`fd_frobnicate`")
        );
        assert!(
            coverage
                .add_text("status: exit 0\n")
                .unwrap_err()
                .contains("header")
        );
    }
}
