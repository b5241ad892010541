//! random <scenario>: `wasi:random`. Bytes are never printed.
use guest_support::{check, check_detail, finish, fmt, p2};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "zero" => {
            let b = p2::get_random_bytes(0);
            check("get-random-bytes(0) returns 0 bytes", b.is_empty());
        }
        "one" => {
            let b = p2::get_random_bytes(1);
            check("get-random-bytes(1) returns 1 byte", b.len() == 1);
        }
        "mib" => {
            const LEN: usize = 1 << 20;
            let b = p2::get_random_bytes(LEN as u64);
            check("get-random-bytes(1 MiB) returns 1 MiB", b.len() == LEN);
            check(
                "1 MiB of random bytes is not all zero",
                b.iter().any(|x| *x != 0),
            );
            let zero_pages = b.chunks(4096).filter(|c| c.iter().all(|x| *x == 0)).count();
            check_detail(
                "every 4 KiB of the 1 MiB has a non-zero byte (whole buffer filled)",
                zero_pages == 0,
                Some(&fmt!("{zero_pages} all-zero 4 KiB chunks")),
            );
        }
        "distinct" => {
            let a = p2::get_random_bytes(32);
            let b = p2::get_random_bytes(32);
            check("two 32-byte get-random-bytes results differ", a != b);
            let x = p2::get_random_u64();
            let y = p2::get_random_u64();
            check("two get-random-u64 results differ", x != y);
        }
        "insecure" => {
            let b = p2::get_insecure_random_bytes(16);
            check(
                "get-insecure-random-bytes(16) returns 16 bytes",
                b.len() == 16,
            );
            let _ = p2::get_insecure_random_u64();
        }
        "insecure-seed" => {
            // "may even be entirely deterministic": only that it returns.
            let _ = p2::insecure_seed();
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
