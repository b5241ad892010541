//! `wasi:random`: all three interfaces draw from the host's seeded
//! generator (`random_get`), so a run is reproducible (RATIONALE.md, "Why a
//! seeded SplitMix64 for random_get?").

use wasmtime_wasi::p2::bindings::random::{insecure, insecure_seed, random};

use super::{P2, trap};
use crate::system::System;

/// Bytes one call may ask for; more traps instead of exhausting host memory.
pub const MAX_RANDOM_BYTES: u64 = 64 << 20;

impl<S: System> P2<S> {
    fn random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_BYTES {
            return Err(trap(format!(
                "get-random-bytes({len}): the reference host gives at most {MAX_RANDOM_BYTES} bytes a call"
            )));
        }
        let mut buf = vec![0; len as usize];
        self.sys
            .random_get(&mut buf)
            .map_err(|e| trap(format!("random_get: {e}")))?;
        Ok(buf)
    }

    fn random_u64(&mut self) -> wasmtime::Result<u64> {
        let bytes = self.random_bytes(8)?;
        Ok(u64::from_le_bytes(bytes.try_into().unwrap_or_default()))
    }
}

impl<S: System> random::Host for P2<S> {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes(len)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64()
    }
}

impl<S: System> insecure::Host for P2<S> {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes(len)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64()
    }
}

impl<S: System> insecure_seed::Host for P2<S> {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok((self.random_u64()?, self.random_u64()?))
    }
}
