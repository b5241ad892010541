//! The baseline a run is judged against: the blessed outcome of every
//! (case, ABI) and each runtime's recorded expectations.

pub mod expectations;
pub mod expected;
pub mod reason;
