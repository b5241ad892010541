//! What the harness writes for people and tools: the run summary, JSON,
//! JUnit, certification reports (Markdown and HTML), the function matrix,
//! coverage, the comparison of a runtime's ABIs, and export to the wasi-testsuite format.

pub mod certificate;
pub mod coverage;
pub mod cross_abi;
pub mod export;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod p2_coverage;
pub mod summary;
pub mod wit_coverage;
