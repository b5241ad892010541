//! A record: the verdict of one (case, ABI, runtime) with what was expected
//! of it. Every summary, report, matrix and JUnit file is made of records.

use crate::model::abi::Abi;
use crate::model::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// The verdict of one job, with what was expected of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub case: String,
    pub abi: Abi,
    pub runtime: String,
    pub verdict: Verdict,
    /// Evidence: the diff, the failed check, the crash message.
    pub detail: String,
    /// The verdict recorded in the runtime's expectation file (`pass` if none).
    pub expected: Verdict,
    /// The recorded reason, when the verdict is a known one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Record {
    /// Whether the verdict is what the expectation file says (or `pass`).
    pub fn as_expected(&self) -> bool {
        self.verdict == self.expected
    }
}

/// A runtime as it appears in a summary.
#[derive(Debug, Clone)]
pub struct RuntimeLine {
    pub name: String,
    pub version: String,
    /// (case × ABI) pairs skipped because the runtime does not run that ABI.
    pub skipped: usize,
    /// `Some(reason)` when the runtime could not run at all.
    pub unavailable: Option<String>,
}
