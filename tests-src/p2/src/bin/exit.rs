//! exit <0|1>: write a line to stdout, then `exit.exit(ok)` for 0 and
//! `exit.exit(err)` for 1 (0.2 `exit` carries no code beyond ok/err).
use guest_support::{check_detail, finish, fmt, p2};

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let ok = match arg.as_str() {
        "0" => true,
        "1" => false,
        other => {
            check_detail("exit argument is 0 or 1", false, Some(&fmt!("{other:?}")));
            finish();
            return;
        }
    };
    let s = p2::get_stdout();
    let _ = p2::blocking_write_and_flush(&s, "stdout", b"before exit\n");
    drop(s);
    p2::exit(ok);
}
