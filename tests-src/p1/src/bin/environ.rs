//! environ: report the environment via `environ_sizes_get` + `environ_get`
//! (the trace lists the entries sorted; see README).
use guest_support::{finish, p1};

fn main() {
    if let Ok((count, size)) = p1::environ_sizes_get() {
        let _ = p1::environ_get(count, size);
    }
    finish();
}
