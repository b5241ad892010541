//! random <scenario>: `wasi:random@0.3.0` random and insecure.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::random::{insecure, insecure_seed, random};

guests_p3::scenario_command!(scenario);

/// 1 MiB.
const MIB: u64 = 1 << 20;

/// Checks that one call of `get(max_len)` returns 1 to `max_len` bytes.
fn check_short_read(name: &str, max_len: u64, get: fn(u64) -> Vec<u8>) {
    let len = get(max_len).len() as u64;
    check_detail(
        &fmt!("{name}({max_len}) returns 1 to {max_len} bytes"),
        (1..=max_len).contains(&len),
        Some(&fmt!("{len} bytes")),
    );
}

/// Exactly `len` bytes of `get`, called in a loop as the text tells callers
/// to (each call returns at least 1 byte, so the loop ends).
fn exactly(len: usize, get: fn(u64) -> Vec<u8>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len {
        let chunk = get((len - bytes.len()) as u64);
        if chunk.is_empty() {
            break;
        }
        bytes.extend(chunk);
    }
    bytes
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "bytes" => check_short_read("get-random-bytes", 64, random::get_random_bytes),
        "zero" => {
            check(
                "get-random-bytes(0) is empty",
                random::get_random_bytes(0).is_empty(),
            );
        }
        "bytes-mib" => {
            check_short_read("get-random-bytes", MIB, random::get_random_bytes);
            check(
                "get-random-bytes called in a loop gives 1 MiB",
                exactly(MIB as usize, random::get_random_bytes).len() == MIB as usize,
            );
        }
        // Two draws of 256 bits: equal by chance once in 2^256.
        "bytes-fresh" => {
            let first = exactly(32, random::get_random_bytes);
            let second = exactly(32, random::get_random_bytes);
            check(
                "two 32-byte draws of get-random-bytes differ",
                first != second,
            );
        }
        // More than a guest's memory can hold: the host may return fewer
        // bytes, or trap.
        "bytes-huge" => check_short_read("get-random-bytes", u64::MAX, random::get_random_bytes),
        "u64" => {
            // Two equal draws of 64 random bits: odds of 2^-64.
            check(
                "two get-random-u64 differ",
                random::get_random_u64() != random::get_random_u64(),
            );
        }
        "insecure" => {
            check_short_read(
                "get-insecure-random-bytes",
                64,
                insecure::get_insecure_random_bytes,
            );
            check(
                "get-insecure-random-bytes(0) is empty",
                insecure::get_insecure_random_bytes(0).is_empty(),
            );
            let _ = insecure::get_insecure_random_u64();
        }
        "insecure-mib" => {
            check_short_read(
                "get-insecure-random-bytes",
                MIB,
                insecure::get_insecure_random_bytes,
            );
            check(
                "get-insecure-random-bytes called in a loop gives 1 MiB",
                exactly(MIB as usize, insecure::get_insecure_random_bytes).len() == MIB as usize,
            );
        }
        // Whether a second call gives the same value is the host's choice:
        // it is printed.
        "seed-twice" => {
            let same = insecure_seed::get_insecure_seed() == insecure_seed::get_insecure_seed();
            println!("two get-insecure-seed calls are equal: {same}");
        }
        // Its value is the host's choice ("may even be entirely
        // deterministic"): only that it returns is checked.
        "seed" => {
            let _ = insecure_seed::get_insecure_seed();
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
