//! Execution: guests built, a fresh fixture per run, the runtimes behind one
//! trait, and the thread pool that runs many of them.

pub mod c_guests;
pub mod executor;
pub mod fixture;
pub mod guests;
pub mod pool;
pub mod proxy;
pub mod prune;
pub mod runtimes;
pub mod wit_source;
