//! `wasi-conform coverage` for WASI 0.2: per function of the 0.2 WIT
//! (wasi:cli, clocks, filesystem, io, random and sockets, as wasmtime-wasi
//! ships it, and wasi:http, as wasmtime-wasi-http ships it beside the same
//! files), how many p2 cases call it.
//!
//! Read from the names the guests' trace lines carry (`descriptor.open-at`,
//! `environment.get-arguments`: tests-src/README.md, "The call trace"),
//! each of which names one WIT function. A `calls` case's statements start
//! with the name of the call each traces, so its calls are read from its
//! manifest; another guest's from the trace of its blessed p2 outcome, if
//! it has one. Every p2 case also counts the export the runtime calls:
//! `wasi:cli/run.run` for a command, `wasi:http/incoming-handler.handle`
//! for a served case (one with a `request`). Nothing is run.

use crate::baseline::expected;
use crate::exec::wit_source;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::render::wit_coverage::{function_table, wasi_functions};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Statements of the p2 `calls` guest that call nothing.
const NOT_CALLS: [&str; 3] = ["check", "show", "drop"];

/// The function every command exports and the runtime calls.
const RUN: &str = "run.run";

/// The function a served guest exports and the runtime calls.
const HANDLE: &str = "incoming-handler.handle";

/// The p2 cases calling each function of the WASI 0.2 WIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P2Coverage {
    /// Every function by its full name, uncalled ones included: the number
    /// of cases.
    pub functions: BTreeMap<String, usize>,
    /// Trace name to full name.
    names: BTreeMap<String, String>,
}

impl P2Coverage {
    /// Every function of the WASI 0.2 WIT in `dir`, none called yet. Two
    /// functions with one trace name are an error.
    pub fn new(dir: &Path) -> Result<P2Coverage> {
        let mut names = BTreeMap::new();
        for function in wasi_functions(dir, 2)? {
            if let Some(other) = names.insert(function.trace_name.clone(), function.name.clone()) {
                bail!(
                    "`{other}` and `{}` have the same trace name `{}`",
                    function.name,
                    function.trace_name
                );
            }
        }
        let functions = names.values().map(|name| (name.clone(), 0)).collect();
        Ok(P2Coverage { functions, names })
    }

    /// Counts the p2 cases of `cases` against the 0.2 WIT of the
    /// wasmtime-wasi-http crate the harness is built with.
    pub fn of(layout: &Layout, cases: &[Case]) -> Result<P2Coverage> {
        let dir = wit_source::p2_wit_with_http()?;
        let mut coverage = P2Coverage::new(&dir)?;
        for case in cases.iter().filter(|case| case.abis.contains(&Abi::P2)) {
            let mut called = if case.guest == "calls" {
                statement_calls(case)
            } else {
                blessed_calls(layout, case)?
            };
            let export = if case.request.is_some() { HANDLE } else { RUN };
            called.insert(export.to_string());
            coverage
                .add(&called)
                .with_context(|| format!("{}: case `{}`", case.source.display(), case.name))?;
        }
        Ok(coverage)
    }

    /// Counts one case calling the functions with these trace names.
    pub fn add(&mut self, trace_names: &BTreeSet<String>) -> Result<()> {
        for trace_name in trace_names {
            let Some(name) = self.names.get(trace_name) else {
                bail!("calls `{trace_name}`, which names no function of the WASI 0.2 WIT");
            };
            *self.functions.get_mut(name).expect("every name is counted") += 1;
        }
        Ok(())
    }

    /// The table: one row per function, rows under [`FEW_CASES`](crate::render::wit_coverage::FEW_CASES) flagged.
    pub fn table(&self) -> String {
        function_table(
            &self.functions,
            "0.2",
            60,
            "the statements of the p2 `calls` cases and the traces of the other p2 cases' \
             blessed outcomes",
        )
    }
}

/// The calls a p2 `calls` case's statements make: their first words (after
/// a `when $NAME` guard).
fn statement_calls(case: &Case) -> BTreeSet<String> {
    case.args
        .iter()
        .filter_map(|statement| {
            let mut words = statement.split_whitespace();
            match words.next()? {
                "when" => words.nth(1),
                first => Some(first),
            }
        })
        .filter(|word| !NOT_CALLS.contains(word))
        .map(str::to_string)
        .collect()
}

/// The calls of the trace of `case`'s blessed p2 outcome; none if it has
/// none yet.
fn blessed_calls(layout: &Layout, case: &Case) -> Result<BTreeSet<String>> {
    let path = expected::path(&layout.expected, case, Abi::P2);
    if !path.is_file() {
        return Ok(BTreeSet::new());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    trace_calls(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The calls of the trace of a blessed outcome.
fn trace_calls(text: &str) -> Result<BTreeSet<String>, String> {
    let mut called = BTreeSet::new();
    for line in crate::judge::normalise::trace_lines(text) {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("trace line is not JSON ({e}): {line}"))?;
        if let Some(call) = value["call"].as_str() {
            called.insert(call.to_string());
        }
    }
    Ok(called)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::wit_coverage::FEW_CASES;
    use crate::suite::manifest;

    fn wit() -> std::path::PathBuf {
        wit_source::p2_wit_with_http().unwrap()
    }

    #[test]
    fn every_0_2_function_has_one_trace_name() {
        let coverage = P2Coverage::new(&wit()).unwrap();
        for (trace, name) in [
            (
                "descriptor.open-at",
                "wasi:filesystem/types.descriptor.open-at",
            ),
            (
                "environment.get-arguments",
                "wasi:cli/environment.get-arguments",
            ),
            (
                "types.filesystem-error-code",
                "wasi:filesystem/types.filesystem-error-code",
            ),
            (
                "output-stream.splice",
                "wasi:io/streams.output-stream.splice",
            ),
            (
                "tcp-socket.start-bind",
                "wasi:sockets/tcp.tcp-socket.start-bind",
            ),
            ("monotonic-clock.now", "wasi:clocks/monotonic-clock.now"),
            ("fields.constructor", "wasi:http/types.fields.constructor"),
            (
                "outgoing-handler.handle",
                "wasi:http/outgoing-handler.handle",
            ),
        ] {
            assert_eq!(coverage.names[trace], name);
        }
        assert!(coverage.functions.keys().all(|f| !f.contains('@')));
        assert!(
            !coverage
                .functions
                .contains_key("wasi:clocks/timezone.display")
        );
    }

    #[test]
    fn counts_cases_per_function_and_rejects_unknown_names() {
        let mut coverage = P2Coverage::new(&wit()).unwrap();
        let calls = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        coverage
            .add(&calls(&["descriptor.stat", "pollable.ready"]))
            .unwrap();
        coverage.add(&calls(&["descriptor.stat"])).unwrap();
        assert_eq!(
            coverage.functions["wasi:filesystem/types.descriptor.stat"],
            2
        );
        assert_eq!(coverage.functions["wasi:io/poll.pollable.ready"], 1);
        assert_eq!(coverage.functions["wasi:io/poll.poll"], 0);
        let err = coverage
            .add(&calls(&["descriptor.frobnicate"]))
            .unwrap_err();
        assert!(err.to_string().contains("`descriptor.frobnicate`"), "{err}");
        let trace = "status: exit 0\n== trace\n\
            {\"call\":\"environment.get-arguments\",\"args\":{},\"errno\":\"ok\",\"ret\":{}}\n\
            {\"check\":\"x\",\"ok\":true}\n== stdout 0\n";
        assert_eq!(
            trace_calls(trace).unwrap(),
            calls(&["environment.get-arguments"])
        );
    }

    /// Every statement of every p2 `calls` case names a 0.2 function.
    #[test]
    fn every_p2_case_calls_functions_of_the_wit() {
        let layout = Layout::discover();
        let cases = manifest::load_dir(&layout.cases).unwrap();
        let coverage = P2Coverage::of(&layout, &cases).unwrap();
        assert!(coverage.functions.values().any(|cases| *cases >= FEW_CASES));
    }
}
