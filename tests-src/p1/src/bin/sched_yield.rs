//! sched_yield: `sched_yield` succeeds (twice, to see it is repeatable).
use guest_support::{check, finish, p1};

fn main() {
    check("sched_yield succeeds", p1::sched_yield().is_ok());
    check("sched_yield succeeds again", p1::sched_yield().is_ok());
    finish();
}
