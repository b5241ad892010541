//! Verdicts: what a run of a case on a runtime comes to, and why a run can
//! end without an outcome.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The verdict for one (case, ABI, runtime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything matches the expected outcome.
    Pass,
    /// A `must` case broken (wrong exit status or a failed guest check), or
    /// a `robustness` case that changed the filesystem where it should have
    /// refused.
    Fail,
    /// Differs from the blessed outcome (trace, output, status or
    /// filesystem); on a tier below `must`, also a failed guest check.
    Diverge,
    /// The runtime lacks an import the guest needs.
    Unsupported,
    /// The runtime itself crashed.
    Crash,
    /// The run did not finish within the timeout.
    Timeout,
    /// The guest reached outside its sandbox (a canary changed, or a file
    /// appeared beside the sandbox root): a security finding, never recorded
    /// as known.
    Escape,
}

impl Verdict {
    /// Every verdict, in summary-table order.
    pub const ALL: [Verdict; 7] = [
        Verdict::Escape,
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Diverge,
        Verdict::Unsupported,
        Verdict::Crash,
        Verdict::Timeout,
    ];

    /// The lowercase name used in reports and expectation files.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Diverge => "diverge",
            Verdict::Unsupported => "unsupported",
            Verdict::Crash => "crash",
            Verdict::Timeout => "timeout",
            Verdict::Escape => "escape",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a run could not produce an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// Link error: an import the runtime does not provide.
    Unsupported(String),
    /// The runtime crashed (signal, abort, panic).
    Crash(String),
    /// The run exceeded its timeout. The evidence: the last call the guest
    /// traced before it was stopped, empty when none was captured (an
    /// embedded runtime's output is lost with it).
    Timeout(String),
    /// A fault of the harness itself (a temporary file it could not make, a
    /// guest binary it could not read, a worker process it could not
    /// start): never a verdict on the runtime; the command stops with exit 2.
    Harness(String),
}

/// A verdict with its evidence.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Human-readable evidence: the failed check, the diff, the crash message.
    pub detail: String,
}
