//! stdio <scenario>: the `wasi:cli` stdout / stderr output streams.
//! The bytes written are the case's expected stdout/stderr payload.
use guest_support::{check, finish, p2};

/// 1 MiB of deterministic text: 64-byte lines of letters, each ending in '\n'
/// (the same bytes as the p1 guest).
fn mib_pattern() -> Vec<u8> {
    (0..1usize << 20)
        .map(|i| {
            if i % 64 == 63 {
                b'\n'
            } else {
                b'a' + ((i / 64 + i % 64) % 26) as u8
            }
        })
        .collect()
}

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "stdout-small" => {
            let s = p2::get_stdout();
            check(
                "write to stdout succeeds",
                p2::write_all(&s, "stdout", b"hello, stdout\n").is_ok(),
            );
        }
        "stderr-small" => {
            let s = p2::get_stderr();
            check(
                "write to stderr succeeds",
                p2::write_all(&s, "stderr", b"hello, stderr\n").is_ok(),
            );
        }
        "stdout-mib" => {
            let s = p2::get_stdout();
            check(
                "1 MiB to stdout succeeds",
                p2::write_all(&s, "stdout", &mib_pattern()).is_ok(),
            );
        }
        "stderr-mib" => {
            let s = p2::get_stderr();
            check(
                "1 MiB to stderr succeeds",
                p2::write_all(&s, "stderr", &mib_pattern()).is_ok(),
            );
        }
        "empty" => {
            let s = p2::get_stdout();
            let r = p2::blocking_write_and_flush(&s, "stdout", b"");
            check("a zero-length blocking-write-and-flush succeeds", r.is_ok());
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
