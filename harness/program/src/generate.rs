//! Random programs (`arbitrary`): operands come from small tables so that
//! most calls are meaningful, and descriptor slots are fixed up to name a
//! slot that exists at that point of the program.

use crate::{
    Advice, Delta, Fd, Fdflags, Fstflags, INITIAL_SLOTS, Len, Off, Oflags, Op, Path, Program,
    Rights, Sub, Subs, Time, Whence,
};
use alloc::string::String;
use alloc::vec::Vec;
use arbitrary::{Arbitrary, Result, Unstructured};

/// The names paths are built from: fixture names (see the harness's fuzz
/// fixture), missing names, `.`, `..`, and names of 255 and 256 bytes.
pub const PATH_SEGMENTS: &[&str] = &[
    "a", "b", "d", "e", "l", "ld", "loop", "dang", "esc", "abs", "n", "m", ".", "..", "LONG255",
    "LONG256",
];

/// At most this many ops in a generated program.
pub const MAX_OPS: usize = 64;

fn segment(u: &mut Unstructured) -> Result<String> {
    Ok(match *u.choose(PATH_SEGMENTS)? {
        "LONG255" => "x".repeat(255),
        "LONG256" => "y".repeat(256),
        name => name.into(),
    })
}

impl<'a> Arbitrary<'a> for Path {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut path = String::new();
        if u.ratio(1, 12)? {
            path.push('/');
        }
        if u.ratio(1, 30)? {
            return Ok(Path(path));
        }
        let segments = 1 + u.choose_index(3)? * usize::from(u.ratio(1, 3)?);
        for i in 0..segments {
            if i > 0 {
                path.push('/');
            }
            path.push_str(&segment(u)?);
        }
        if u.ratio(1, 8)? {
            path.push('/');
        }
        Ok(Path(path))
    }
}

/// Mostly a value of `table`, sometimes anything.
fn from_table<'a, T: Copy + Arbitrary<'a>>(u: &mut Unstructured<'a>, table: &[T]) -> Result<T> {
    if u.ratio(1, 16)? {
        u.arbitrary()
    } else {
        u.choose(table).copied()
    }
}

/// Flags with mostly only their named bits set (an unknown bit is `inval`
/// at best and a trap on some runtimes, which ends the program).
macro_rules! mostly_named_bits {
    ($($ty:ident),*) => {$(
        impl<'a> Arbitrary<'a> for $ty {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                let raw = u.arbitrary()?;
                let named = (1 << $ty::NAMES.len()) - 1;
                Ok($ty(if u.ratio(1, 32)? { raw } else { raw & named }))
            }
        }
    )*};
}
mostly_named_bits!(Oflags, Fdflags, Fstflags);

/// Enums mostly in range, for the same reason.
macro_rules! mostly_named_values {
    ($($ty:ident),*) => {$(
        impl<'a> Arbitrary<'a> for $ty {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                let raw: u8 = u.arbitrary()?;
                Ok($ty(if u.ratio(1, 32)? { raw } else { raw % $ty::NAMES.len() as u8 }))
            }
        }
    )*};
}
mostly_named_values!(Whence, Advice);

impl<'a> Arbitrary<'a> for Rights {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(3, 4)? {
            return Ok(Rights(Rights::PRESETS[0].1));
        }
        let presets: Vec<u64> = Rights::PRESETS.iter().map(|(_, bits)| *bits).collect();
        from_table(u, &presets).map(Rights)
    }
}

impl<'a> Arbitrary<'a> for Len {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let n: u32 = from_table(u, &[0, 1, 3, 16, 100, 4096, 65537])?;
        Ok(Len(n % (crate::MAX_LEN + 1)))
    }
}

impl<'a> Arbitrary<'a> for Off {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let table = [
            0,
            1,
            5,
            100,
            4096,
            1 << 31,
            1 << 40,
            i64::MAX as u64,
            u64::MAX,
        ];
        from_table(u, &table).map(Off)
    }
}

impl<'a> Arbitrary<'a> for Delta {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let table = [0, 1, -1, 3, -3, 100, -100, 4096, i64::MAX, i64::MIN];
        from_table(u, &table).map(Delta)
    }
}

impl<'a> Arbitrary<'a> for Time {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let table = [0, 1, 1_000_000_000, 1_234_567_890_123_456_789, u64::MAX];
        from_table(u, &table).map(Time)
    }
}

impl<'a> Arbitrary<'a> for Subs {
    /// Either one clock or up to three fds, never both: which of several
    /// ready subscriptions a poll reports is up to the runtime.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1, 3)? {
            let ns = *u.choose(&[0, 1, 1000, 100_000])?;
            return Ok(Subs(alloc::vec![Sub::Clock(ns)]));
        }
        let count = u.int_in_range(1..=3)?;
        let subs = (0..count)
            .map(|_| {
                let fd = u.arbitrary()?;
                Ok(if u.arbitrary()? {
                    Sub::Read(fd)
                } else {
                    Sub::Write(fd)
                })
            })
            .collect::<Result<_>>()?;
        Ok(Subs(subs))
    }
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut ops: Vec<Op> = Vec::new();
        while ops.len() < MAX_OPS && !u.is_empty() {
            ops.push(u.arbitrary()?);
        }
        let mut program = Program { ops };
        program.fix_slots();
        Ok(program)
    }
}

impl Program {
    /// Points every descriptor operand at a slot that exists when the op
    /// runs: mostly files and directories opened earlier or the preopen,
    /// rarely an unbound slot. Never stdio: the trace is written on fd 1,
    /// and command runtimes are given files for stdio where the reference
    /// host has streams, so a seek, truncate or sync there measures the
    /// harness, not the runtime (the suite's stdio cases cover stdio).
    pub fn fix_slots(&mut self) {
        let mut slots = INITIAL_SLOTS;
        for op in &mut self.ops {
            op.visit_fds(&mut |fd: &mut Fd| *fd = pick_slot(fd.0, slots));
            if op.opens_fd() {
                slots += 1;
            }
        }
    }
}

fn pick_slot(raw: u8, slots: usize) -> Fd {
    let files = slots - 3;
    let slot = match raw {
        250.. => slots + (raw as usize - 250),
        _ => 3 + raw as usize % files,
    };
    Fd(slot.min(u8::MAX as usize) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) as u8
            })
            .collect()
    }

    #[test]
    fn generated_programs_round_trip_and_use_existing_slots_never_stdio() {
        for seed in 0..300 {
            let bytes = random_bytes(seed, 1024);
            let program = Program::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
            let text = program.to_text();
            assert_eq!(Program::parse(&text).unwrap(), program, "{text}");
            let mut slots = INITIAL_SLOTS;
            for op in &program.ops {
                let mut op = op.clone();
                op.visit_fds(&mut |fd: &mut Fd| {
                    assert!((3..slots + 6).contains(&(fd.0 as usize)), "{text}")
                });
                if op.opens_fd() {
                    slots += 1;
                }
            }
        }
    }
}
