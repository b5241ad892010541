//! clocks <scenario>: `wall-clock` and `monotonic-clock`.
//! Values are never printed; properties are checked instead.
use guest_support::{check, check_detail, finish, fmt, p2};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "realtime" => {
            let d = p2::wall_clock_now();
            check("wall-clock now > 0", d.seconds > 0 || d.nanoseconds > 0);
            check(
                "wall-clock nanoseconds < 1e9",
                d.nanoseconds < 1_000_000_000,
            );
        }
        "monotonic" => {
            let a = p2::monotonic_now();
            let b = p2::monotonic_now();
            check("second monotonic read >= first", b >= a);
        }
        "resolution" => {
            let w = p2::wall_clock_resolution();
            check(
                "wall-clock resolution > 0",
                w.seconds > 0 || w.nanoseconds > 0,
            );
            check(
                "wall-clock resolution nanoseconds < 1e9",
                w.nanoseconds < 1_000_000_000,
            );
            let m = p2::monotonic_resolution();
            check("monotonic-clock resolution > 0", m > 0);
        }
        "monotonic-order" => {
            let mut prev = 0u64;
            let mut ok = true;
            let mut detail = String::new();
            for i in 0..100 {
                let t = p2::monotonic_now();
                if i > 0 && t < prev && ok {
                    ok = false;
                    detail = fmt!("read {i} went back by {} ns", prev - t);
                }
                prev = t;
            }
            check_detail(
                "monotonic clock never goes back over 100 reads",
                ok,
                Some(&detail),
            );
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}
