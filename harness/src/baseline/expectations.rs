//! Per-runtime expectation files, `expected/runtimes/<runtime>.toml`: the
//! verdicts a runtime is known to get, each with its reason and the
//! difference it was recorded with. A run is green when every verdict is
//! `pass` or exactly as recorded here, with the same difference. An escape
//! from the sandbox is never recorded.

use crate::baseline::reason;
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::model::record::{Record, fingerprint};
use crate::model::verdict::Verdict;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One known non-pass verdict.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub case: String,
    pub abi: Abi,
    pub verdict: Verdict,
    /// Why: a sentence, a bug link, or both, from this runtime's evidence.
    pub reason: String,
    /// The difference the verdict was recorded with ([`fingerprint`]); the
    /// same verdict with another difference is unexpected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    /// The runtime version the entries were recorded with.
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    known: Vec<Known>,
}

/// The recorded verdicts of one runtime, by (case, ABI).
#[derive(Debug, Default)]
pub struct Expectations {
    /// The runtime version they were recorded with, when the file says.
    pub version: Option<String>,
    known: BTreeMap<(String, Abi), Known>,
}

/// A placeholder a person may write while investigating an entry. It is not
/// a reason: [`Expectations::load`] refuses it until it is replaced (and
/// `run --update-expectations` reports the entries still holding it).
pub const TODO_REASON: &str = "TODO: explain";

impl Expectations {
    /// Loads `path` (a missing file means no known failures), checking that
    /// every entry names an existing (case, ABI), is not `pass`, and has a
    /// reason (not [`TODO_REASON`]).
    pub fn load(path: &Path, cases: &[Case]) -> Result<Expectations> {
        Expectations::parse(path, cases, false)
    }

    /// Like [`Expectations::load`], but accepts [`TODO_REASON`] entries: the
    /// baseline of a run that rewrites the file.
    pub fn load_for_update(path: &Path, cases: &[Case]) -> Result<Expectations> {
        Expectations::parse(path, cases, true)
    }

    fn parse(path: &Path, cases: &[Case], allow_todo: bool) -> Result<Expectations> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Expectations::default());
            }
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        let file: File = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{}: {}", path.display(), e.message().replace('\n', " "))
        })?;
        let mut known = BTreeMap::new();
        for entry in file.known {
            let where_ = format!("{}: `{}` ({})", path.display(), entry.case, entry.abi);
            match cases.iter().find(|c| c.name == entry.case) {
                None => bail!("{where_}: no such case"),
                Some(case) if !case.abis.contains(&entry.abi) => {
                    bail!("{where_}: the case does not run as {}", entry.abi)
                }
                Some(_) => {}
            }
            if entry.verdict == Verdict::Pass {
                bail!("{where_}: `pass` is never recorded; remove the entry");
            }
            if entry.verdict == Verdict::Escape {
                bail!(
                    "{where_}: an escape from the sandbox is a security finding and is never recorded as known; remove the entry"
                );
            }
            if entry.reason.trim().is_empty() {
                bail!("{where_}: an entry needs a reason");
            }
            if !allow_todo && entry.reason.starts_with(TODO_REASON) {
                bail!("{where_}: replace `{TODO_REASON}` with the reason for this verdict");
            }
            if known
                .insert((entry.case.clone(), entry.abi), entry)
                .is_some()
            {
                bail!("{where_}: recorded twice");
            }
        }
        Ok(Expectations {
            version: file.version,
            known,
        })
    }

    /// The recorded entry for (case, abi), if any.
    pub fn get(&self, case: &str, abi: Abi) -> Option<&Known> {
        self.known.get(&(case.to_string(), abi))
    }

    /// Rewrites the expectation file `path` of `runtime` (at `version`)
    /// from the verdicts of a run (`records`, all of that runtime): a pass
    /// removes the entry; an escape is never written (it stays unexpected);
    /// a verdict recorded with the same difference keeps its reason; any
    /// other non-pass verdict gets a reason read from its own evidence
    /// ([`reason::from_evidence`]) and its difference pinned. Entries of
    /// pairs that did not run stay, and so do the file's leading comments.
    /// Returns how many entries still need a reason.
    pub fn update(
        &self,
        path: &Path,
        runtime: &str,
        version: &str,
        records: &[&Record],
    ) -> Result<usize> {
        let mut known = self.known.clone();
        for record in records {
            let key = (record.case.clone(), record.abi);
            if matches!(record.verdict, Verdict::Pass | Verdict::Escape) {
                known.remove(&key);
                continue;
            }
            let evidence = fingerprint(&record.detail);
            let reason = match known.get(&key) {
                Some(old)
                    if old.verdict == record.verdict
                        && old.evidence.as_ref() == Some(&evidence)
                        && reason::problem(&old.reason, runtime).is_none() =>
                {
                    continue;
                }
                _ => reason::from_evidence(runtime, record),
            };
            let entry = Known {
                case: record.case.clone(),
                abi: record.abi,
                verdict: record.verdict,
                reason,
                evidence: Some(evidence),
            };
            known.insert(key, entry);
        }
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let mut text: String = old
            .split_inclusive('\n')
            .take_while(|line| line.starts_with('#'))
            .collect();
        if text.is_empty() {
            text = format!(
                "# Known verdicts of {runtime}, each with its reason from the runtime's own\n\
                 # evidence and the difference it was recorded with (written by\n\
                 # `wasi-conform run --update-expectations`; a person may sharpen a reason).\n"
            );
        }
        let string = |s: &str| toml::Value::String(s.to_string()).to_string();
        text.push_str(&format!("\nversion = {}\n", string(version)));
        for entry in known.values() {
            text.push_str(&format!(
                "\n[[known]]\ncase = {}\nabi = {}\nverdict = {}\nreason = {}\n",
                string(&entry.case),
                string(entry.abi.name()),
                string(entry.verdict.name()),
                string(&entry.reason)
            ));
            if let Some(evidence) = &entry.evidence {
                text.push_str(&format!("evidence = {}\n", string(evidence)));
            }
        }
        if text != old && !(old.is_empty() && known.is_empty()) {
            crate::layout::write_atomic(path, text.as_bytes())?;
        }
        Ok(known
            .values()
            .filter(|k| k.reason.starts_with(TODO_REASON))
            .count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases() -> Vec<Case> {
        vec![Case::new(
            "io/x",
            "g",
            "d",
            vec![crate::model::abi::Abi::P1],
        )]
    }

    fn load(text: &str) -> Result<Expectations> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rt.toml");
        std::fs::write(&path, text).unwrap();
        Expectations::load(&path, &cases())
    }

    #[test]
    fn loads_entries_and_rejects_bad_ones() {
        let ok = load("[[known]]\ncase = \"io/x\"\nabi = \"p1\"\nverdict = \"diverge\"\nreason = \"bug #1\"\n").unwrap();
        assert_eq!(ok.get("io/x", Abi::P1).unwrap().verdict, Verdict::Diverge);
        assert!(ok.get("io/x", Abi::P2).is_none());
        for (bad, needle) in [
            (
                "case = \"io/y\"\nabi = \"p1\"\nverdict = \"fail\"\nreason = \"r\"",
                "no such case",
            ),
            (
                "case = \"io/x\"\nabi = \"p2\"\nverdict = \"fail\"\nreason = \"r\"",
                "does not run as",
            ),
            (
                "case = \"io/x\"\nabi = \"p1\"\nverdict = \"pass\"\nreason = \"r\"",
                "never recorded",
            ),
            (
                "case = \"io/x\"\nabi = \"p1\"\nverdict = \"fail\"\nreason = \" \"",
                "needs a reason",
            ),
            (
                "case = \"io/x\"\nabi = \"p1\"\nverdict = \"flaky\"\nreason = \"r\"",
                "unknown variant",
            ),
        ] {
            let err = load(&format!("[[known]]\n{bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn update_pins_evidence_and_keeps_a_reason_while_the_difference_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rt.toml");
        std::fs::write(
            &path,
            "# header\n\n[[known]]\ncase = \"io/x\"\nabi = \"p1\"\nverdict = \"diverge\"\nreason = \"bug #1\"\n",
        )
        .unwrap();
        let record = |verdict, detail: &str| Record::sample(verdict, Verdict::Diverge, detail);
        let diff = "--- expected\n+++ actual\n@@ -1 +1 @@\n-status: exit 0\n+status: exit 3\n";
        let old = Expectations::load(&path, &cases()).unwrap();
        old.update(&path, "rt", "rt 1.0", &[&record(Verdict::Diverge, diff)])
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# header\n\nversion = \"rt 1.0\"\n"),
            "{text}"
        );
        let pinned = Expectations::load(&path, &cases()).unwrap();
        assert_eq!(pinned.version.as_deref(), Some("rt 1.0"));
        let entry = pinned.get("io/x", Abi::P1).unwrap();
        assert_eq!(entry.evidence.as_deref(), Some("-status: exit 0"));
        // The first record had no pinned evidence: its reason was rewritten
        // from its own evidence; with the same evidence it is kept.
        assert_ne!(entry.reason, "bug #1");
        let mut edited = text.replace(&entry.reason, "exits 3: a person's reason");
        std::fs::write(&path, &edited).unwrap();
        let held = Expectations::load(&path, &cases()).unwrap();
        held.update(&path, "rt", "rt 1.0", &[&record(Verdict::Diverge, diff)])
            .unwrap();
        edited = std::fs::read_to_string(&path).unwrap();
        assert!(edited.contains("exits 3: a person's reason"), "{edited}");

        // An escape is never written; a pass removes the entry.
        held.update(
            &path,
            "rt",
            "rt 1.0",
            &[&record(Verdict::Escape, "sandbox escape: x")],
        )
        .unwrap();
        assert!(
            Expectations::load(&path, &cases())
                .unwrap()
                .get("io/x", Abi::P1)
                .is_none()
        );
    }

    #[test]
    fn an_escape_is_never_recorded() {
        let err = load(
            "[[known]]\ncase = \"io/x\"\nabi = \"p1\"\nverdict = \"escape\"\nreason = \"r\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("never recorded as known"), "{err}");
    }

    #[test]
    fn a_missing_file_is_empty() {
        assert!(
            Expectations::load(Path::new("/nonexistent.toml"), &cases())
                .unwrap()
                .get("io/x", Abi::P1)
                .is_none()
        );
    }

    #[test]
    fn every_recorded_reason_is_the_runtimes_own_and_whole() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../expected/runtimes");
        let mut problems = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let runtime = path.file_stem().unwrap().to_string_lossy().into_owned();
            let file: File = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for known in file.known {
                if let Some(problem) = reason::problem(&known.reason, &runtime) {
                    problems.push(format!(
                        "{runtime}: {} ({}): {problem}",
                        known.case, known.abi
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
