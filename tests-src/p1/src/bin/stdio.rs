//! stdio <scenario>: `fd_write` to stdout (fd 1) and stderr (fd 2).
//! The bytes written are the case's expected stdout/stderr payload.
use guest_support::{check, check_detail, finish, fmt, p1};

/// 1 MiB of deterministic text: 64-byte lines of letters, each ending in '\n'.
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

fn write_all(fd: u32, data: &[u8], what: &str) {
    match p1::fd_write_all(fd, data) {
        Ok(n) => check_detail(
            &fmt!("all {} bytes written to {what}", data.len()),
            n == data.len(),
            Some(&fmt!("{n} written")),
        ),
        Err(_) => check(&fmt!("fd_write to {what} succeeds"), false),
    };
}

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "stdout-small" => write_all(1, b"hello, stdout\n", "stdout"),
        "stderr-small" => write_all(2, b"hello, stderr\n", "stderr"),
        "stdout-mib" => write_all(1, &mib_pattern(), "stdout"),
        "stderr-mib" => write_all(2, &mib_pattern(), "stderr"),
        "iovecs" => {
            // Several iovecs, some of length zero, in one call: the bytes
            // arrive in order. A runtime may write fewer bytes than asked
            // (like POSIX writev); the guest then writes the rest, so the
            // number of fd_write calls may differ between runtimes.
            let r = p1::fd_write_all_iovs(1, &[b"ab", b"", b"cd", b"", b"ef\n"]);
            check("all 7 bytes of 5 iovecs (2 empty) are written", r == Ok(7));
            // Only zero-length iovecs.
            let r = p1::fd_write(1, &[b"", b""]);
            check("write of two zero-length iovecs writes 0", r == Ok(0));
        }
        "empty" => {
            let r = p1::fd_write(1, &[]);
            check("fd_write with zero iovecs writes 0", r == Ok(0));
            let r = p1::fd_write(1, &[b""]);
            check("fd_write with one zero-length iovec writes 0", r == Ok(0));
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
