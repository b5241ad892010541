//! fdstat <filetype|full>: `fd_fdstat_get` on fds 0, 1, 2.
//! `filetype` prints the file type only; `full` also prints flags and
//! rights, which legitimately differ between runtimes (so divergences show).
use guest_support::{check, finish, fmt, p1};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let detail = match scenario.as_str() {
        "filetype" => p1::FdstatDetail::Filetype,
        "full" => p1::FdstatDetail::Full,
        other => {
            guest_support::unknown_scenario(other);
            finish();
            return;
        }
    };
    for fd in 0..3 {
        let r = p1::fd_fdstat_get(fd, detail);
        check(&fmt!("fd_fdstat_get({fd}) succeeds"), r.is_ok());
    }
    finish();
}
