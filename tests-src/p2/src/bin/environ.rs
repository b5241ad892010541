//! environ: report the environment via `environment.get-environment`
//! (the trace lists the pairs sorted; see README).
use guest_support::{finish, p2};

fn main() {
    let _ = p2::get_environment();
    finish();
}
