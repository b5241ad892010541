//! random <scenario>: `random_get`. Bytes are never printed.
use guest_support::{check, check_detail, finish, fmt, p1};

const SENTINEL: u8 = 0x5A;

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "zero" => {
            let mut buf = [SENTINEL; 1];
            let r = p1::random_get(&mut buf[..0]);
            check("random_get of 0 bytes succeeds", r.is_ok());
            check("random_get of 0 bytes writes nothing", buf[0] == SENTINEL);
        }
        "one" => {
            let mut buf = [SENTINEL; 2];
            let r = p1::random_get(&mut buf[..1]);
            check("random_get of 1 byte succeeds", r.is_ok());
            check(
                "random_get of 1 byte writes nothing past it",
                buf[1] == SENTINEL,
            );
        }
        "mib" => {
            const LEN: usize = 1 << 20;
            let mut buf = vec![0u8; LEN + 1];
            buf[LEN] = SENTINEL;
            let r = p1::random_get(&mut buf[..LEN]);
            check("random_get of 1 MiB succeeds", r.is_ok());
            check(
                "1 MiB of random bytes is not all zero",
                buf[..LEN].iter().any(|b| *b != 0),
            );
            let zero_pages = buf[..LEN]
                .chunks(4096)
                .filter(|c| c.iter().all(|b| *b == 0))
                .count();
            check_detail(
                "every 4 KiB of the 1 MiB has a non-zero byte (whole buffer filled)",
                zero_pages == 0,
                Some(&fmt!("{zero_pages} all-zero 4 KiB chunks")),
            );
            check(
                "random_get writes nothing past the buffer",
                buf[LEN] == SENTINEL,
            );
        }
        "distinct" => {
            let mut a = [0u8; 32];
            let mut b = [0u8; 32];
            let ra = p1::random_get(&mut a);
            let rb = p1::random_get(&mut b);
            check("random_get succeeds twice", ra.is_ok() && rb.is_ok());
            check("two 32-byte random_get results differ", a != b);
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
