//! Virtual time: every clock read advances time by a fixed step, so runs
//! are deterministic and time is seen to pass (RATIONALE.md, "Why a
//! virtual clock that steps on every read?").

use crate::types::{Clockid, Timestamp};

/// Time added by every read, in nanoseconds (1 ms).
pub const STEP: Timestamp = 1_000_000;
/// The resolution every clock reports, in nanoseconds (1 µs).
pub const RESOLUTION: Timestamp = 1_000;
/// `realtime` at the start of a run: 2023-11-14T22:13:20Z.
pub const REALTIME_START: Timestamp = 1_700_000_000_000_000_000;

/// Elapsed virtual time since the start of the run; every clock derives from it.
#[derive(Clone, Debug, Default)]
pub struct VirtualClock {
    elapsed: Timestamp,
}

impl VirtualClock {
    /// Advances by `STEP` and reads clock `id`.
    pub fn read(&mut self, id: Clockid) -> Timestamp {
        self.elapsed = self.elapsed.saturating_add(STEP);
        self.value(id)
    }

    /// Reads clock `id` without advancing.
    pub fn value(&self, id: Clockid) -> Timestamp {
        match id {
            Clockid::Realtime => REALTIME_START.saturating_add(self.elapsed),
            // Monotonic and CPU time all count from the start of the run.
            Clockid::Monotonic | Clockid::ProcessCputimeId | Clockid::ThreadCputimeId => {
                self.elapsed
            }
        }
    }

    /// The elapsed time at which clock `id` shows `value` (saturating at 0).
    pub fn elapsed_at(&self, id: Clockid, value: Timestamp) -> Timestamp {
        match id {
            Clockid::Realtime => value.saturating_sub(REALTIME_START),
            _ => value,
        }
    }

    /// Elapsed time so far.
    pub fn elapsed(&self) -> Timestamp {
        self.elapsed
    }

    /// Moves time forward to `elapsed` (never backwards).
    pub fn advance_to(&mut self, elapsed: Timestamp) {
        self.elapsed = self.elapsed.max(elapsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_on_every_read() {
        let mut c = VirtualClock::default();
        assert_eq!(c.read(Clockid::Monotonic), STEP);
        assert_eq!(c.read(Clockid::Realtime), REALTIME_START + 2 * STEP);
        c.advance_to(10 * STEP);
        assert_eq!(c.value(Clockid::Monotonic), 10 * STEP);
        c.advance_to(0);
        assert_eq!(c.elapsed(), 10 * STEP);
    }
}
