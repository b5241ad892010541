//! args: report argc/argv via `args_sizes_get` + `args_get`.
//! No scenario argument: every argument is data.
use guest_support::{finish, p1};

fn main() {
    if let Ok((argc, size)) = p1::args_sizes_get() {
        let _ = p1::args_get(argc, size);
    }
    finish();
}
