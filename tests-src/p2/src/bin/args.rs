//! args: report the arguments via `environment.get-arguments`.
//! No scenario argument: every argument is data.
use guest_support::{finish, p2};

fn main() {
    let _ = p2::get_arguments();
    finish();
}
