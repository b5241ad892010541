//! Per-runtime expectation files, `expected/runtimes/<runtime>.toml`: the
//! verdicts a runtime is known to get, each with its reason. A run is green
//! when every verdict is `pass` or exactly as recorded here.

use crate::abi::Abi;
use crate::manifest::Case;
use crate::verdict::Verdict;
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
    /// Why: a sentence, a bug link, or both.
    pub reason: String,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    known: Vec<Known>,
}

/// The recorded verdicts of one runtime, by (case, ABI).
#[derive(Debug, Default)]
pub struct Expectations {
    known: BTreeMap<(String, Abi), Known>,
}

impl Expectations {
    /// Loads `path` (a missing file means no known failures), checking that
    /// every entry names an existing (case, ABI), is not `pass`, and has a reason.
    pub fn load(path: &Path, cases: &[Case]) -> Result<Expectations> {
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
            if entry.reason.trim().is_empty() {
                bail!("{where_}: an entry needs a reason");
            }
            if known
                .insert((entry.case.clone(), entry.abi), entry)
                .is_some()
            {
                bail!("{where_}: recorded twice");
            }
        }
        Ok(Expectations { known })
    }

    /// The recorded entry for (case, abi), if any.
    pub fn get(&self, case: &str, abi: Abi) -> Option<&Known> {
        self.known.get(&(case.to_string(), abi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases() -> Vec<Case> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(
            &path,
            "[[case]]\nname = \"io/x\"\nguest = \"g\"\ndescription = \"d\"\nabis = [\"p1\"]\n",
        )
        .unwrap();
        crate::manifest::load_file(&path).unwrap()
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
    fn a_missing_file_is_empty() {
        assert!(
            Expectations::load(Path::new("/nonexistent.toml"), &cases())
                .unwrap()
                .get("io/x", Abi::P1)
                .is_none()
        );
    }
}
