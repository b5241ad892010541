//! The in-repo WASI preview1 reference host: one semantic core (`System`,
//! implemented by `ReferenceHost` over the in-memory `MemFs`), a tracing
//! decorator (`Traced`), and the only guest-memory code in `abi_p1`.

pub mod abi_p1;
pub mod clock;
pub mod errno;
pub mod host;
pub mod memfs;
pub mod rng;
pub mod snapshot;
pub mod system;
pub mod trace;
pub mod types;

#[cfg(test)]
mod nopanic;
