//! Plain data that flows through a run: cases, ABIs, outcomes, verdicts and
//! records. No I/O happens here.

pub mod abi;
pub mod case;
pub mod outcome;
pub mod record;
pub mod verdict;
