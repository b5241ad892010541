//! stdin: read fd 0 to end of file with `fd_read` (4096-byte reads, each
//! traced) and write what was read to stdout, so the case's stdout payload
//! equals its stdin.
use guest_support::{check, check_detail, finish, fmt, p1};

fn main() {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match p1::fd_read(0, &mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n.min(buf.len())]),
            Err(_) => {
                check("fd_read on stdin succeeds", false);
                break;
            }
        }
        if data.len() > 1 << 20 {
            check_detail(
                "stdin ends within 1 MiB",
                false,
                Some(&fmt!("{} bytes", data.len())),
            );
            break;
        }
    }
    if !data.is_empty() {
        let _ = p1::fd_write_all(1, &data);
    }
    finish();
}
