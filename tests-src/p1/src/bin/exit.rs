//! exit <code>: write a line to stdout, then `proc_exit(code)`.
use guest_support::{check_detail, finish, fmt, p1};

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let Ok(code) = arg.parse::<u32>() else {
        check_detail(
            "exit code argument is a number",
            false,
            Some(&fmt!("{arg:?}")),
        );
        finish();
        return;
    };
    let _ = p1::fd_write(1, &[b"before exit\n"]);
    p1::proc_exit(code);
}
