//! The WASI 0.2 tokens of the `calls` guest: flag sets by their WIT names,
//! `advice`, and `new-timestamp` (the tokens both `calls` guests share are
//! in `guest_support::script`).

use crate::slots::Ctx;
use guest_support::fmt;
use guest_support::p2::fs::{ADVICE, DESCRIPTOR_FLAGS, OPEN_FLAGS, PATH_FLAGS};
use guest_support::script::{bad, enum_val, flags};
use wasip2::clocks::wall_clock::Datetime;
use wasip2::filesystem::types::{Advice, DescriptorFlags, NewTimestamp, OpenFlags, PathFlags};

/// A flag set of WIT names (`read,write`), `none`, or a number (undefined
/// bits included: the bindings pass them on as they are).
fn bits(tok: &str, names: &[&str]) -> u8 {
    let table: Vec<(&str, u64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, 1u64 << i))
        .collect();
    let v = flags(tok, &table);
    if v > u8::MAX as u64 {
        bad(&fmt!("flags {tok} do not fit in 8 bits"));
    }
    v as u8
}

pub(crate) fn path_flags(tok: &str) -> PathFlags {
    PathFlags::from_bits_retain(bits(tok, &PATH_FLAGS))
}

pub(crate) fn open_flags(tok: &str) -> OpenFlags {
    OpenFlags::from_bits_retain(bits(tok, &OPEN_FLAGS))
}

pub(crate) fn descriptor_flags(tok: &str) -> DescriptorFlags {
    DescriptorFlags::from_bits_retain(bits(tok, &DESCRIPTOR_FLAGS))
}

pub(crate) fn advice(tok: &str) -> Advice {
    match enum_val(tok, &ADVICE) {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => {
            bad(&fmt!("unknown advice {tok}"));
            Advice::Normal
        }
    }
}

/// `no-change`, `now`, `S:NS` (seconds and nanoseconds as given, also out
/// of range) or a number of nanoseconds (`$st.mtim`, `1000000000`).
pub(crate) fn timestamp(ctx: &Ctx, tok: &str) -> NewTimestamp {
    match tok {
        "no-change" => NewTimestamp::NoChange,
        "now" => NewTimestamp::Now,
        _ => NewTimestamp::Timestamp(match tok.split_once(':') {
            Some((s, ns)) => Datetime {
                seconds: ctx.num(s),
                nanoseconds: ctx.num(ns) as u32,
            },
            None => {
                let ns = ctx.num(tok);
                Datetime {
                    seconds: ns / 1_000_000_000,
                    nanoseconds: (ns % 1_000_000_000) as u32,
                }
            }
        }),
    }
}

/// A datetime as nanoseconds, for `$st.mtim` and `check`.
pub(crate) fn nanos(d: &Datetime) -> u64 {
    d.seconds
        .wrapping_mul(1_000_000_000)
        .wrapping_add(d.nanoseconds as u64)
}
