//! `wasi:clocks`: monotonic and wall clock from the host's virtual clock,
//! which steps on every read; waiting advances it instead of sleeping.

use wasmtime::component::Resource;
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi::p2::bindings::clocks::{monotonic_clock, wall_clock};

use super::{P2, Pollable};
use crate::clock::RESOLUTION;
use crate::system::System;
use crate::types::{Clockid, Timestamp};

impl<S: System> P2<S> {
    /// Reads a clock (every read advances virtual time by one step).
    pub(super) fn read_clock(&mut self, id: Clockid) -> Timestamp {
        self.sys.clock_time_get(id, 0).unwrap_or_default()
    }

    fn subscribe_at(&mut self, when: Timestamp) -> wasmtime::Result<Resource<DynPollable>> {
        Ok(Resource::new_own(
            self.pollables.insert(Pollable::Instant(when))?,
        ))
    }
}

impl<S: System> monotonic_clock::Host for P2<S> {
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(self.read_clock(Clockid::Monotonic))
    }

    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(RESOLUTION)
    }

    fn subscribe_instant(&mut self, when: u64) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_at(when)
    }

    /// The duration counts from now: the read that learns "now" is one step.
    fn subscribe_duration(&mut self, when: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let now = self.read_clock(Clockid::Monotonic);
        self.subscribe_at(now.saturating_add(when))
    }
}

/// A preview1 timestamp (ns since the epoch) as a WASI 0.2 `datetime`.
pub(super) fn datetime(ns: Timestamp) -> wall_clock::Datetime {
    wall_clock::Datetime {
        seconds: ns / 1_000_000_000,
        nanoseconds: (ns % 1_000_000_000) as u32,
    }
}

impl<S: System> wall_clock::Host for P2<S> {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        Ok(datetime(self.read_clock(Clockid::Realtime)))
    }

    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        Ok(datetime(RESOLUTION))
    }
}
