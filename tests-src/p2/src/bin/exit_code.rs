//! exit_code <N>: write a line to stdout, then `exit.exit-with-code(N)`.
//! A guest of its own: `exit-with-code` is `@since(0.2.12)`, and a host
//! without it could not link the guests that import it.
use guest_support::{check_detail, finish, fmt, p2};

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let Ok(code) = arg.parse::<u8>() else {
        check_detail(
            "exit code is a number 0..=255",
            false,
            Some(&fmt!("{arg:?}")),
        );
        finish();
        return;
    };
    let s = p2::get_stdout();
    let _ = p2::blocking_write_and_flush(&s, "stdout", b"before exit\n");
    drop(s);
    p2::exit_with_code(code);
}
