//! wasi-conform: a WASI conformance suite and differential fuzzer.
//!
//! Data flow (see DESIGN.md): case manifests ([`manifest`]) and guest binaries
//! ([`guests`]) become runs in fresh sandboxes ([`sandbox`]) on runtimes
//! ([`runtimes`]); each run's [`outcome`] is judged ([`verdict`]) against the
//! blessed reference outcome ([`expected`]) and the runtime's known verdicts
//! ([`expectations`]), and summarised ([`report`], [`junit`]) or written as
//! certification reports ([`certify`], [`html`]).

pub mod abi;
pub mod certify;
pub mod commands;
pub mod coverage;
pub mod expectations;
pub mod expected;
pub mod export;
pub mod fuzz;
pub mod guests;
pub mod html;
pub mod junit;
pub mod layout;
pub mod manifest;
pub mod outcome;
pub mod progress;
pub mod report;
pub mod runner;
pub mod runtimes;
pub mod sandbox;
pub mod testsuite;
pub mod verdict;
