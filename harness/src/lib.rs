//! wasi-conform: a WASI conformance suite and differential fuzzer.
//!
//! The folders are the stages of a run, each using only the ones listed
//! before it (harness/README.md, "Architecture"):
//!
//! - [`model`]: plain data: case, ABI, outcome, verdict, record;
//! - [`exec`]: guests, a fresh fixture per run, the runtimes, the pool;
//! - [`judge`]: normalisation and comparison: where a verdict is decided;
//! - [`baseline`]: blessed outcomes and per-runtime expectations;
//! - [`suite`]: the cases, the pairs a command selects, run and blessed;
//! - [`testsuite`]: tests in the WebAssembly/wasi-testsuite format;
//! - [`fuzz`]: generated call programs, divergences, reproducers;
//! - [`render`]: summaries, certification reports, HTML, JUnit, export;
//! - [`cli`]: the command line, the only layer that prints.

pub mod baseline;
pub mod cli;
pub mod exec;
pub mod fuzz;
pub mod judge;
pub mod layout;
pub mod model;
pub mod render;
pub mod suite;
pub mod testsuite;
