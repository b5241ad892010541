//! Time: the virtual clocks, `poll_oneoff` (which advances them instead of
//! sleeping) and `sched_yield`.

use super::{Object, ReferenceHost};
use crate::clock;
use crate::errno::Errno;
use crate::types::{
    Clockid, Event, Eventrwflags, Eventtype, Fd, Filesize, Rights, Subclockflags, Subscription,
    SubscriptionKind, Timestamp,
};

impl ReferenceHost {
    pub(super) fn clock_res_get(&mut self, _id: Clockid) -> Result<Timestamp, Errno> {
        Ok(clock::RESOLUTION)
    }

    pub(super) fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Errno> {
        Ok(self.clock.read(id))
    }

    pub(super) fn poll_oneoff(
        &mut self,
        subscriptions: &[Subscription],
    ) -> Result<Vec<Event>, Errno> {
        // No subscriptions would block forever (RATIONALE.md, "Why `inval` for poll_oneoff with nothing to wait for?").
        if subscriptions.is_empty() {
            return Err(Errno::Inval);
        }
        let now = self.clock.elapsed();
        let deadline = |kind: &SubscriptionKind| match *kind {
            SubscriptionKind::Clock {
                id, timeout, flags, ..
            } => Some(
                if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
                    self.clock.elapsed_at(id, timeout)
                } else {
                    now.saturating_add(timeout)
                },
            ),
            _ => None,
        };
        let deadlines: Vec<Option<Timestamp>> =
            subscriptions.iter().map(|s| deadline(&s.kind)).collect();
        let mut events: Vec<Event> = subscriptions
            .iter()
            .filter_map(|s| {
                let (read, fd) = match s.kind {
                    SubscriptionKind::FdRead(fd) => (true, fd),
                    SubscriptionKind::FdWrite(fd) => (false, fd),
                    SubscriptionKind::Clock { .. } => return None,
                };
                let (error, nbytes) = self.fd_ready(fd, read);
                let kind = if read {
                    Eventtype::FdRead
                } else {
                    Eventtype::FdWrite
                };
                Some(Event {
                    userdata: s.userdata,
                    error,
                    kind,
                    nbytes,
                    flags: Eventrwflags::EMPTY,
                })
            })
            .collect();
        // Descriptors in memory are always ready; time only passes when
        // nothing else is, to the earliest clock deadline (RATIONALE.md,
        // "Why does poll_oneoff advance virtual time instead of sleeping?").
        if events.is_empty() {
            let earliest = deadlines.iter().flatten().min().copied().unwrap_or(now);
            self.clock.advance_to(earliest);
        }
        let now = self.clock.elapsed();
        for (s, d) in subscriptions.iter().zip(&deadlines) {
            if d.is_some_and(|d| d <= now) {
                events.push(Event {
                    userdata: s.userdata,
                    error: Errno::Success,
                    kind: Eventtype::Clock,
                    nbytes: 0,
                    flags: Eventrwflags::EMPTY,
                });
            }
        }
        Ok(events)
    }

    pub(super) fn sched_yield(&mut self) -> Result<(), Errno> {
        Ok(())
    }

    /// Readiness of one fd subscription: (error, nbytes).
    fn fd_ready(&self, fd: Fd, read: bool) -> (Errno, Filesize) {
        let desc = match self.desc(fd) {
            Ok(d) => d,
            Err(e) => return (e, 0),
        };
        let needed = Rights::POLL_FD_READWRITE
            | if read {
                Rights::FD_READ
            } else {
                Rights::FD_WRITE
            };
        if let Err(e) = desc.require(needed) {
            return (e, 0);
        }
        match desc.object {
            Object::Stdin => (
                Errno::Success,
                (self.stdin.len() - self.stdin_pos) as Filesize,
            ),
            Object::File { ino, pos } if read => {
                (Errno::Success, self.fs.stat(ino).size.saturating_sub(pos))
            }
            _ => (Errno::Success, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::host;
    use crate::types::Eventtype;

    #[test]
    fn poll_advances_virtual_time() {
        let mut h = host();
        let t0 = h.clock_time_get(Clockid::Monotonic, 0).unwrap();
        let sleep = Subscription {
            userdata: 7,
            kind: SubscriptionKind::Clock {
                id: Clockid::Monotonic,
                timeout: 5_000_000_000,
                precision: 0,
                flags: Default::default(),
            },
        };
        let events = h.poll_oneoff(&[sleep]).unwrap();
        assert_eq!(
            (events.len(), events[0].userdata, events[0].kind),
            (1, 7, Eventtype::Clock)
        );
        assert!(h.clock_time_get(Clockid::Monotonic, 0).unwrap() >= t0 + 5_000_000_000);
        // A ready descriptor answers at once; the clock does not fire.
        let read = Subscription {
            userdata: 1,
            kind: SubscriptionKind::FdRead(0),
        };
        let events = h.poll_oneoff(&[sleep, read]).unwrap();
        assert_eq!(
            (events.len(), events[0].kind, events[0].error),
            (1, Eventtype::FdRead, Errno::Success)
        );
        let bad = Subscription {
            userdata: 2,
            kind: SubscriptionKind::FdWrite(0),
        };
        assert_eq!(h.poll_oneoff(&[bad]).unwrap()[0].error, Errno::Notcapable);
        assert_eq!(h.poll_oneoff(&[]), Err(Errno::Inval));
    }
}
