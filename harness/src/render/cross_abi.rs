//! The same scenario through p1, the preview1 adapter and WASI 0.2 on one
//! runtime: which scenarios give different results.
//!
//! A p1 case runs as a core module (`p1`) and wrapped with the preview1
//! adapter (`p1-component`); `p2-fs/<name>` is the p1 filesystem case
//! `<name>` ported to WASI 0.2 (`p2`, tests-src/cases/p2-fs.toml). Each run
//! is judged against its own blessed outcome, so a scenario whose paths do
//! not all come to the same result behaves differently through them.
//! `fail` and `diverge` are the same result here: both differ from the
//! blessed outcome, and a p1 case and its 0.2 port may have other tiers.

use crate::baseline::reason;
use crate::model::abi::Abi;
use crate::model::record::Record;
use crate::model::verdict::Verdict;
use crate::render::certificate::Certificate;
use serde::{Deserialize, Serialize};

/// The three paths a scenario can take, in display order.
pub const PATHS: [Abi; 3] = [Abi::P1, Abi::P1Component, Abi::P2];

/// A difference is cut to this many characters (a call's arguments can be
/// a thousand iovec lengths); the run's evidence has it whole.
const DIFFERENCE_CHARS: usize = 200;

/// The prefix of a p1 filesystem scenario's native 0.2 case.
const P2_PORT: &str = "p2-fs/";

/// A scenario whose paths give different results on one runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// The p1 case name (`pread/iovecs`).
    pub scenario: String,
    /// Every path the runtime ran it on, in [`PATHS`] order.
    pub paths: Vec<Path>,
}

/// One path of a [`Scenario`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub abi: Abi,
    /// The case run (`p2-fs/pread/iovecs` for the 0.2 path).
    pub case: String,
    pub verdict: Verdict,
    /// The first difference from the blessed outcome, from the run's own
    /// evidence (`None` for a pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
}

/// A runtime's comparison of its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// How many scenarios ran on more than one path.
    pub paired: usize,
    /// Those whose paths give different results, in suite order.
    pub differing: Vec<Scenario>,
}

/// The comparison of `c`'s paths, or `None` when the runtime runs fewer
/// than two of the [`PATHS`].
pub fn compare(c: &Certificate) -> Option<Comparison> {
    if PATHS.iter().filter(|abi| c.abis.contains(abi)).count() < 2 {
        return None;
    }
    let mut scenarios: Vec<(&str, Vec<&Record>)> = Vec::new();
    for record in c.records() {
        let scenario = match record.abi {
            Abi::P1 | Abi::P1Component => record.case.as_str(),
            Abi::P2 => match record.case.strip_prefix(P2_PORT) {
                Some(scenario) => scenario,
                None => continue,
            },
            Abi::P3 => continue,
        };
        match scenarios.iter_mut().find(|(name, _)| *name == scenario) {
            Some((_, records)) => records.push(record),
            None => scenarios.push((scenario, vec![record])),
        }
    }
    scenarios.retain(|(_, records)| records.len() > 1);
    let paired = scenarios.len();
    let differing = scenarios
        .into_iter()
        .filter(|(_, records)| {
            let result = result(records[0].verdict);
            records.iter().any(|r| self::result(r.verdict) != result)
        })
        .map(|(scenario, mut records)| {
            records.sort_by_key(|r| r.abi);
            Scenario {
                scenario: scenario.to_string(),
                paths: records
                    .into_iter()
                    .map(|r| Path {
                        abi: r.abi,
                        case: r.case.clone(),
                        verdict: r.verdict,
                        difference: (r.verdict != Verdict::Pass)
                            .then(|| cut(reason::from_evidence(&c.runtime, r))),
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Comparison { paired, differing })
}

/// `text` cut to [`DIFFERENCE_CHARS`], with `…` where it was cut.
fn cut(text: String) -> String {
    if text.chars().count() <= DIFFERENCE_CHARS {
        return text;
    }
    let mut kept: String = text.chars().take(DIFFERENCE_CHARS).collect();
    kept.push('…');
    kept
}

/// A verdict as compared across paths: `fail` and `diverge` are one.
fn result(verdict: Verdict) -> Verdict {
    match verdict {
        Verdict::Fail => Verdict::Diverge,
        other => other,
    }
}

impl Scenario {
    /// The path through `abi`, if the runtime ran it.
    pub fn path(&self, abi: Abi) -> Option<&Path> {
        self.paths.iter().find(|p| p.abi == abi)
    }

    /// Every distinct difference with the paths that have it (p1 and the
    /// adapter often share one), in [`PATHS`] order.
    pub fn differences(&self) -> Vec<(Vec<Abi>, &str)> {
        let mut grouped: Vec<(Vec<Abi>, &str)> = Vec::new();
        for path in &self.paths {
            let Some(text) = path.difference.as_deref() else {
                continue;
            };
            match grouped.iter_mut().find(|(_, seen)| *seen == text) {
                Some((abis, _)) => abis.push(path.abi),
                None => grouped.push((vec![path.abi], text)),
            }
        }
        grouped
    }
}

/// The names of `abis`, for a line of differences: `p1, p1-component`.
pub fn names(abis: &[Abi]) -> String {
    abis.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
}

/// The comparison's introduction, shared by the Markdown and HTML views.
pub const INTRO: &str = "A p1 case runs as a core module (p1) and wrapped with the preview1 \
     adapter (runtime + preview1 adapter); `p2-fs/<name>` is the p1 filesystem case `<name>` \
     ported to WASI 0.2 (p2). Each run is judged against its own outcome blessed from the \
     reference host, so a scenario listed here gives this runtime a different result through \
     one path than through another: what differs on the adapter alone may be the adapter's. \
     `fail` and `diverge` count as one result (a p1 case and its 0.2 port may have other tiers).";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::Binding;
    use std::collections::BTreeMap;

    fn run(
        case: &str,
        abi: Abi,
        verdict: Verdict,
        detail: &str,
    ) -> crate::render::certificate::Run {
        crate::render::certificate::Run {
            record: Record {
                case: case.into(),
                abi,
                runtime: "rt".into(),
                verdict,
                tier: Some(Binding::Should),
                detail: detail.into(),
                expected: verdict,
                reason: None,
                recorded_evidence: None,
            },
            calls: Vec::new(),
        }
    }

    fn certificate(abis: Vec<Abi>, runs: Vec<crate::render::certificate::Run>) -> Certificate {
        Certificate {
            runtime: "rt".into(),
            version: "rt 1".into(),
            harness: "h".into(),
            date: "d".into(),
            abis,
            guests: BTreeMap::new(),
            toolchains: BTreeMap::new(),
            runs,
            dir: "rt-1".into(),
        }
    }

    #[test]
    fn scenarios_pair_by_name_and_only_different_results_are_listed() {
        let errno = "--- expected\n+++ actual\n@@ -2 +2 @@\n\
                     -{\"call\":\"descriptor.read\",\"args\":{\"self\":\"$d\"},\"errno\":\"is-directory\"}\n\
                     +{\"call\":\"descriptor.read\",\"args\":{\"self\":\"$d\"},\"errno\":\"ok\"}\n";
        let c = certificate(
            vec![Abi::P1, Abi::P1Component, Abi::P2, Abi::P3],
            vec![
                // The same result on all three paths (fail and diverge are one).
                run("read/same", Abi::P1, Verdict::Fail, "x"),
                run("read/same", Abi::P1Component, Verdict::Diverge, "x"),
                // Different through 0.2 only.
                run("read/directory", Abi::P1, Verdict::Pass, ""),
                run("read/directory", Abi::P1Component, Verdict::Pass, ""),
                // Only on one path: not paired.
                run("args/one", Abi::P1, Verdict::Diverge, "x"),
                // Different on the adapter.
                run("clock/bad", Abi::P1, Verdict::Pass, ""),
                run(
                    "clock/bad",
                    Abi::P1Component,
                    Verdict::Crash,
                    "wasm trap: unreachable",
                ),
                run("p2-fs/read/same", Abi::P2, Verdict::Diverge, "x"),
                run("p2-fs/read/directory", Abi::P2, Verdict::Diverge, errno),
                run("p2-descriptor/other", Abi::P2, Verdict::Fail, "x"),
                run("read/directory", Abi::P3, Verdict::Fail, "x"),
            ],
        );
        let Comparison { paired, differing } = compare(&c).unwrap();
        assert_eq!(paired, 3);
        let names: Vec<&str> = differing.iter().map(|s| s.scenario.as_str()).collect();
        assert_eq!(names, ["read/directory", "clock/bad"]);
        let directory = &differing[0];
        assert_eq!(
            directory.paths.iter().map(|p| p.abi).collect::<Vec<_>>(),
            PATHS
        );
        assert_eq!(directory.paths[2].case, "p2-fs/read/directory");
        assert_eq!(directory.paths[0].difference, None);
        assert_eq!(
            directory.paths[2].difference.as_deref(),
            Some("descriptor.read({\"self\":\"$d\"}): rt gives ok, the reference is-directory")
        );
        assert!(differing[1].path(Abi::P2).is_none());
        assert_eq!(
            differing[1].paths[1].difference.as_deref(),
            Some("crash: wasm trap: unreachable")
        );
    }

    #[test]
    fn a_difference_shared_by_two_paths_is_given_once_and_long_ones_are_cut() {
        let long = format!(
            "--- expected\n+++ actual\n@@ -2 +2 @@\n-{{\"call\":\"fd_write\",\"args\":{{\"iovs\":[{ones}]}},\"errno\":\"ok\"}}\n\
             +{{\"call\":\"fd_write\",\"args\":{{\"iovs\":[{ones}]}},\"errno\":\"badf\"}}\n",
            ones = vec!["1"; 200].join(",")
        );
        let c = certificate(
            vec![Abi::P1, Abi::P1Component, Abi::P2],
            vec![
                run("write/many", Abi::P1, Verdict::Diverge, &long),
                run("write/many", Abi::P1Component, Verdict::Diverge, &long),
                run("p2-fs/write/many", Abi::P2, Verdict::Pass, ""),
            ],
        );
        let differing = compare(&c).unwrap().differing;
        let differences = differing[0].differences();
        assert_eq!(differences.len(), 1);
        let (abis, text) = &differences[0];
        assert_eq!(names(abis), "p1, p1-component");
        assert!(text.starts_with("fd_write({\"iovs\":[1,1,"), "{text}");
        assert_eq!(text.chars().count(), DIFFERENCE_CHARS + 1);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn a_runtime_of_one_path_has_no_comparison() {
        let one = certificate(
            vec![Abi::P1, Abi::P3],
            vec![run("read/x", Abi::P1, Verdict::Pass, "")],
        );
        assert_eq!(compare(&one), None);
    }
}
