//! badfd <scenario>: calls on fd 99, which no runtime has open (only
//! 0, 1, 2 and the preopens are open at start, and the cases have none).
use guest_support::{check, finish, p1};

const BAD: u32 = 99;

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "write" => {
            let r = p1::fd_write(BAD, &[b"x\n"]);
            check("fd_write on an unopened fd fails", r.is_err());
        }
        "read" => {
            let mut buf = [0u8; 16];
            let r = p1::fd_read(BAD, &mut buf);
            check("fd_read on an unopened fd fails", r.is_err());
        }
        "fdstat" => {
            let r = p1::fd_fdstat_get(BAD, p1::FdstatDetail::Filetype);
            check("fd_fdstat_get on an unopened fd fails", r.is_err());
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
