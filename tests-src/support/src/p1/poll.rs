//! `poll_oneoff`: subscriptions built from raw values, events sorted by userdata.

use super::names::{
    EVENTTYPE_NAMES, SUBCLOCK_NAMES, clock_id_json, enum_name, errno_name, errno_raw, flag_names,
};
use super::preopen::fd_label;
use super::{raw, res, traced};
use crate::{J, check, obj};
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// One `poll_oneoff` subscription, with raw values so that undefined tags,
/// clock ids and flags can be passed.
#[derive(Clone, Copy, Debug)]
pub enum Sub {
    /// tag 0: (userdata, clock id, timeout, precision, subclockflags)
    Clock(u64, u32, u64, u64, u16),
    /// tag 1: (userdata, fd)
    Read(u64, u32),
    /// tag 2: (userdata, fd)
    Write(u64, u32),
    /// any other tag: (userdata, tag)
    Tag(u64, u8),
}

fn sub_json(s: &Sub) -> J {
    match *s {
        Sub::Clock(u, id, timeout, precision, flags) => obj! {
        "userdata" => u, "type" => "clock", "id" => clock_id_json(id), "timeout" => timeout,
        "precision" => precision, "flags" => flag_names(flags as u64, &SUBCLOCK_NAMES)},
        Sub::Read(u, fd) => obj! {"userdata" => u, "type" => "fd_read", "fd" => fd_label(fd)},
        Sub::Write(u, fd) => obj! {"userdata" => u, "type" => "fd_write", "fd" => fd_label(fd)},
        Sub::Tag(u, tag) => obj! {"userdata" => u, "type" => tag},
    }
}

/// One event of `poll_oneoff`.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub kind: u8,
    pub nbytes: u64,
    pub flags: u16,
}

/// `poll_oneoff(subs)`: args `{"subscriptions":[...]}`, ret
/// `{"nevents":n,"events":[{"userdata","type","error"}...]}` **sorted by
/// userdata** (the order of events is not specified); with `nbytes` also
/// each fd event's `nbytes` and `flags`.
pub fn poll_oneoff(subs: &[Sub], nbytes: bool) -> Result<Vec<Event>, Errno> {
    // 48-byte subscriptions, 32-byte events, 8-byte aligned.
    let mut input = vec![0u64; subs.len() * 6];
    for (i, s) in subs.iter().enumerate() {
        let w = &mut input[i * 6..i * 6 + 6];
        let (u, tag) = match *s {
            Sub::Clock(u, ..) => (u, 0u8),
            Sub::Read(u, _) => (u, 1),
            Sub::Write(u, _) => (u, 2),
            Sub::Tag(u, t) => (u, t),
        };
        w[0] = u;
        w[1] = tag as u64;
        match *s {
            Sub::Clock(_, id, timeout, precision, flags) => {
                w[2] = id as u64;
                w[3] = timeout;
                w[4] = precision;
                w[5] = flags as u64;
            }
            Sub::Read(_, fd) | Sub::Write(_, fd) => w[2] = fd as u64,
            Sub::Tag(..) => {}
        }
    }
    let mut output = vec![0u64; subs.len().max(1) * 4];
    let mut n = 0usize;
    let r = res(unsafe {
        raw::poll_oneoff(
            input.as_ptr() as i32,
            output.as_mut_ptr() as i32,
            subs.len() as i32,
            &mut n as *mut usize as i32,
        )
    })
    .map(|()| {
        let mut events: Vec<Event> = (0..n.min(subs.len()))
            .map(|i| {
                let w = &output[i * 4..i * 4 + 4];
                Event {
                    userdata: w[0],
                    error: (w[1] & 0xffff) as u16,
                    kind: ((w[1] >> 16) & 0xff) as u8,
                    nbytes: w[2],
                    flags: (w[3] & 0xffff) as u16,
                }
            })
            .collect();
        events.sort_by_key(|e| e.userdata);
        events
    });
    traced(
        "poll_oneoff",
        obj! {"subscriptions" => J::Arr(subs.iter().map(sub_json).collect())},
        &r,
        |events| {
            let list = events
                .iter()
                .map(|e| {
                    let mut j = obj! {"userdata" => e.userdata, "type" => enum_name(e.kind as u32, &EVENTTYPE_NAMES),
                                      "error" => errno_name(errno_raw(e.error as i32))};
                    if nbytes && e.kind != 0 {
                        j = j.with("nbytes", e.nbytes).with("flags", flag_names(e.flags as u64, &["fd_readwrite_hangup"]));
                    }
                    j
                })
                .collect();
            obj! {"nevents" => n, "events" => J::Arr(list)}
        },
    );
    if r.is_ok() {
        check(
            "poll_oneoff reports at most one event per subscription",
            n <= subs.len(),
        );
    }
    r
}
