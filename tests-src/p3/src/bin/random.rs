//! random <scenario>: `wasi:random@0.3.0` random and insecure.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::random::{insecure, insecure_seed, random};

guests_p3::scenario_command!(scenario);

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "bytes" => {
            let bytes = random::get_random_bytes(64);
            check_detail(
                "get-random-bytes(64) returns 1 to 64 bytes",
                (1..=64).contains(&bytes.len()),
                Some(&fmt!("{} bytes", bytes.len())),
            );
        }
        "zero" => {
            check(
                "get-random-bytes(0) is empty",
                random::get_random_bytes(0).is_empty(),
            );
        }
        "u64" => {
            // Two equal draws of 64 random bits: odds of 2^-64.
            check(
                "two get-random-u64 differ",
                random::get_random_u64() != random::get_random_u64(),
            );
        }
        "insecure" => {
            let bytes = insecure::get_insecure_random_bytes(64);
            check(
                "get-insecure-random-bytes(64) returns 1 to 64 bytes",
                (1..=64).contains(&bytes.len()),
            );
            check(
                "get-insecure-random-bytes(0) is empty",
                insecure::get_insecure_random_bytes(0).is_empty(),
            );
            let _ = insecure::get_insecure_random_u64();
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
