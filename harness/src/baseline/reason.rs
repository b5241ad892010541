//! Reasons of expectation entries, read from the runtime's own evidence:
//! the first call whose result differs (what this runtime gave, what the
//! reference gave), the guest check that failed, or the first line of a
//! crash. Nothing is cut and nothing is taken from another runtime.

use crate::model::abi::Abi;
use crate::model::record::{Record, is_changed_line};
use crate::model::verdict::Verdict;

/// Runtimes whose names a reason must not borrow (a reason of `wasmi` that
/// says "wasmtime gives notsup" describes another runtime's evidence).
const RUNTIMES: [&str; 17] = [
    "reference",
    "wasmtime",
    "wasmtime-cli",
    "wasmer",
    "wasmer-cli",
    "wasmi",
    "wasmedge",
    "wasmedge-cli",
    "wamr",
    "wamr-zig",
    "node",
    "deno",
    "bun",
    "jco",
    "pywasm",
    "runno",
    "browser-wasi-shim",
];

/// The reason for `record`'s verdict on `runtime`, from its own evidence.
pub fn from_evidence(runtime: &str, record: &Record) -> String {
    let detail = record.detail.as_str();
    let first = detail.lines().next().unwrap_or("").trim();
    match record.verdict {
        Verdict::Unsupported | Verdict::Crash | Verdict::Timeout | Verdict::Escape => {
            format!("{}: {first}", record.verdict)
        }
        Verdict::Pass => "passes".into(),
        Verdict::Fail | Verdict::Diverge => {
            let mut parts = Vec::new();
            if let Some(exit) = detail.lines().find(|l| l.starts_with("expected exit ")) {
                parts.push(exit.to_string());
                if let Some(last) = stderr_last_line(detail) {
                    parts.push(format!("its stderr ends `{last}`"));
                }
            }
            if let Some(check) = detail
                .lines()
                .find_map(|l| l.strip_prefix("guest check failed: "))
            {
                let name = serde_json::from_str::<serde_json::Value>(check)
                    .ok()
                    .and_then(|v| v["check"].as_str().map(str::to_string))
                    .unwrap_or_else(|| check.to_string());
                parts.push(format!("failed check `{name}`"));
            }
            // p3 outcomes are blessed from embedded wasmtime, not from the
            // reference host (README, "Expected outcomes").
            let blessed = match record.abi {
                Abi::P1 | Abi::P1Component | Abi::P2 => "the reference",
                Abi::P3 => "the blessed outcome",
            };
            if let Some(difference) = first_difference(runtime, blessed, detail) {
                parts.push(difference);
            }
            if parts.is_empty() {
                parts.push(first.to_string());
            }
            parts.join("; ")
        }
    }
}

/// The last line of the stderr excerpt in `detail` (the `stderr: ` lines
/// `judge` writes after an unexpected exit, before the diff), if any.
fn stderr_last_line(detail: &str) -> Option<&str> {
    let start = detail.find("\nstderr: ")? + 1;
    let excerpt = &detail[start + "stderr: ".len()..];
    let end = excerpt.find("\n--- expected").unwrap_or(excerpt.len());
    excerpt[..end]
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("guest check failed"))
}

/// The first changed pair of the diff in `detail`, as "call(args): RUNTIME
/// gives X, BLESSED Y" for trace lines, else the two lines; `blessed` names
/// where the expected outcome came from.
fn first_difference(runtime: &str, blessed: &str, detail: &str) -> Option<String> {
    let changed = |sign: char| {
        detail
            .lines()
            .skip_while(|l| !l.starts_with("@@"))
            .find(|l| l.starts_with(sign) && is_changed_line(l))
            .map(|l| &l[1..])
    };
    let (reference, actual) = (changed('-'), changed('+'));
    if reference.is_none() && actual.is_none() {
        return None;
    }
    let call = |line: &str| -> Option<(String, String)> {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let name = value["call"].as_str()?;
        let args = value.get("args").map(|a| a.to_string()).unwrap_or_default();
        let mut result = value["errno"].as_str().unwrap_or("no errno").to_string();
        if let Some(ret) = value.get("ret") {
            result.push_str(&format!(" {ret}"));
        }
        Some((format!("{name}({args})"), result))
    };
    Some(match (reference.and_then(call), actual.and_then(call)) {
        (Some((at, want)), Some((same, got))) if at == same => {
            format!("{at}: {runtime} gives {got}, {blessed} {want}")
        }
        _ => match (reference, actual) {
            (Some(want), Some(got)) => {
                format!("{runtime} has `{got}` where {blessed} has `{want}`")
            }
            (Some(want), None) => format!("{runtime} lacks `{want}`"),
            (None, Some(got)) => format!("only {runtime} has `{got}`"),
            (None, None) => unreachable!("checked above"),
        },
    })
}

/// What is wrong with `reason` as a reason of `runtime`'s entry: a
/// placeholder, a cut-off ending, or another runtime's behaviour.
pub fn problem(reason: &str, runtime: &str) -> Option<String> {
    let trimmed = reason.trim_end();
    if trimmed.is_empty() {
        return Some("empty".into());
    }
    if trimmed.ends_with('…') || trimmed.ends_with("...") {
        return Some("cut off".into());
    }
    // The generator of earlier sessions appended the case's citation cut
    // at a fixed length (`[must; typenames.w]`).
    if ["[must; ", "[should; ", "[implementation-defined; "]
        .iter()
        .any(|tier| reason.contains(tier))
    {
        return Some("carries a citation cut at a fixed length".into());
    }
    for other in RUNTIMES.iter().filter(|&&other| other != runtime) {
        for borrowed in [format!("{other} gives"), format!("as in {other}")] {
            if reason.contains(&borrowed) {
                return Some(format!("describes another runtime (`{borrowed}`)"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(verdict: Verdict, detail: &str) -> Record {
        Record::sample(verdict, Verdict::Pass, detail)
    }

    #[test]
    fn reasons_come_from_the_runtimes_own_evidence() {
        let diff = "guest check failed: {\"check\":\"path_open 3 a => noent\",\"ok\":false}\n\
            --- expected\n+++ actual\n@@ -1,3 +1,3 @@\n status: exit 0\n== trace\n\
            -{\"call\":\"path_open\",\"args\":{\"fd\":3},\"errno\":\"noent\"}\n\
            +{\"call\":\"path_open\",\"args\":{\"fd\":3},\"errno\":\"ok\",\"ret\":{\"fd\":\"new0\"}}\n";
        insta::assert_snapshot!(
            [
                from_evidence("rt", &record(Verdict::Fail, diff)),
                from_evidence(
                    "rt",
                    &record(
                        Verdict::Diverge,
                        "--- expected\n+++ actual\n@@ -9 +9 @@\n-f a.txt 1\n+f a.txt 2\n"
                    )
                ),
                from_evidence(
                    "rt",
                    &record(
                        Verdict::Unsupported,
                        "unknown import: `wasi_snapshot_preview1::sock_accept`\nmore"
                    )
                ),
            ]
            .join("\n")
        );
    }

    #[test]
    fn borrowed_or_cut_reasons_are_problems() {
        assert_eq!(problem("traps in fd_advise(fd=4)", "wasmi"), None);
        assert!(problem("as in wasmtime: traps", "wasmi").is_some());
        assert!(problem("fd_advise: wasmtime gives ok", "wasmi").is_some());
        assert_eq!(problem("fd_advise: wasmtime gives ok", "wasmtime"), None);
        assert!(problem("traps [must; typenames.w]", "wasmi").is_some());
        assert_eq!(problem("status outside of [0..126)", "wasmi"), None);
        assert!(problem("the run hangs…", "wasmi").is_some());
    }
}
