//! stdin: read the stdin stream to its end with `blocking-read` (4096 bytes
//! at a time, each traced; the end shows as the `closed` stream error) and
//! write what was read to stdout, so the case's stdout payload equals its stdin.
use guest_support::{check_detail, finish, fmt, p2};

fn main() {
    let input = p2::get_stdin();
    let mut data = Vec::new();
    loop {
        match p2::blocking_read(&input, "stdin", 4096) {
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(_) => break, // `closed` is end of stream; the trace shows which error
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
        let out = p2::get_stdout();
        let _ = p2::write_all(&out, "stdout", &data);
    }
    finish();
}
