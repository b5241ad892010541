//! The preview1 tokens of the `calls` guest: iovecs, buffer lengths,
//! rights and the witx names of flags and enums (the tokens both `calls`
//! guests share are in `guest_support::script`).

use guest_support::fmt;
use guest_support::p1;
use guest_support::script::{bad, bytes, parse_num};

/// Data tokens for a write: each is one iovec; `TOKEN*K` repeats it K times.
pub(crate) fn iovecs(toks: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for t in toks {
        match t
            .rsplit_once('*')
            .and_then(|(d, k)| parse_num(k).map(|k| (d, k)))
        {
            Some((d, k)) => {
                for _ in 0..k {
                    out.push(bytes(d));
                }
            }
            None => out.push(bytes(t)),
        }
    }
    out
}

/// `4` or `2,0,3` or `1*16` (16 iovecs of 1 byte), or `none` (no iovecs).
pub(crate) fn lens(tok: &str) -> Vec<usize> {
    let mut out = Vec::new();
    if tok == "none" {
        return out;
    }
    for part in tok.split(',') {
        match part.split_once('*') {
            Some((l, k)) => {
                for _ in 0..parse_num(k).unwrap_or(0) {
                    out.push(parse_num(l).unwrap_or(0) as usize);
                }
            }
            None => out.push(parse_num(part).unwrap_or(0) as usize),
        }
    }
    out
}

pub(crate) const FDFLAGS: [(&str, u64); 5] = [
    ("append", 1),
    ("dsync", 2),
    ("nonblock", 4),
    ("rsync", 8),
    ("sync", 16),
];
pub(crate) const OFLAGS: [(&str, u64); 4] =
    [("creat", 1), ("directory", 2), ("excl", 4), ("trunc", 8)];
pub(crate) const FSTFLAGS: [(&str, u64); 4] =
    [("atim", 1), ("atim_now", 2), ("mtim", 4), ("mtim_now", 8)];
pub(crate) const LOOKUP: [(&str, u64); 3] = [("follow", 1), ("symlink_follow", 1), ("nofollow", 0)];
pub(crate) const SDFLAGS: [(&str, u64); 2] = [("rd", 1), ("wr", 2)];
pub(crate) const RIFLAGS: [(&str, u64); 2] = [("recv_peek", 1), ("recv_waitall", 2)];
pub(crate) const SUBCLOCK: [(&str, u64); 2] = [("abs", 1), ("rel", 0)];

/// `all`, `read`, `write`, `none`, a number, or right names joined by `,`
/// (`all-fd_write` removes one right from `all`).
pub(crate) fn rights(tok: &str) -> u64 {
    if let Some((base, minus)) = tok.split_once('-') {
        return rights(base) & !rights(minus);
    }
    match tok {
        "all" => p1::RIGHTS_ALL,
        "read" => p1::RIGHTS_READ,
        "write" => p1::RIGHTS_WRITE,
        "none" => 0,
        _ => {
            if let Some(n) = parse_num(tok) {
                return n;
            }
            let mut v = 0;
            for part in tok.split(',') {
                match p1::RIGHTS_NAMES.iter().position(|n| *n == part) {
                    Some(i) => v |= 1u64 << i,
                    None => bad(&fmt!("unknown right {part}")),
                }
            }
            v
        }
    }
}

pub(crate) const CLOCKS: [&str; 4] = [
    "realtime",
    "monotonic",
    "process_cputime_id",
    "thread_cputime_id",
];
pub(crate) const WHENCE: [&str; 3] = ["set", "cur", "end"];
pub(crate) const ADVICE: [&str; 6] = [
    "normal",
    "sequential",
    "random",
    "willneed",
    "dontneed",
    "noreuse",
];
pub(crate) const SIGNALS: [&str; 31] = [
    "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv",
    "usr2", "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu",
    "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys",
];
