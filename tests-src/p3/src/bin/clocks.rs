//! clocks <scenario>: `wasi:clocks@0.3.0` monotonic-clock (including its
//! async waits) and system-clock. Values are never printed; properties are
//! checked instead. (`wasi:clocks/timezone` is `@unstable` in the 0.3 WIT:
//! the bindings leave it out.)
use guest_support::{check, check_detail, check_should, fmt};
use guests_p3::Stop;
use guests_p3::wasi::clocks::{monotonic_clock, system_clock};

/// 10 ms, in nanoseconds.
const WAIT: u64 = 10_000_000;

guests_p3::scenario_command!(scenario);

/// Awaits `wait`, a wait that is over at once, and checks that the clock did
/// not go back across it (a host that hangs instead times out).
async fn after_wait(name: &str, wait: impl Future<Output = ()>) {
    let before = monotonic_clock::now();
    wait.await;
    check(
        &fmt!("monotonic-clock now after {name} is not before the mark before it"),
        monotonic_clock::now() >= before,
    );
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "monotonic" => {
            let a = monotonic_clock::now();
            let b = monotonic_clock::now();
            check("second monotonic-clock now >= first", b >= a);
        }
        "wait-for" => {
            let before = monotonic_clock::now();
            monotonic_clock::wait_for(WAIT).await;
            let after = monotonic_clock::now();
            check_detail(
                "wait-for(10ms) returns after at least 10 ms",
                after - before >= WAIT,
                Some(&fmt!("{} ns", after - before)),
            );
        }
        "monotonic-many" => {
            let marks: Vec<u64> = (0..1000).map(|_| monotonic_clock::now()).collect();
            check(
                "1000 monotonic-clock now reads never decrease",
                marks.windows(2).all(|pair| pair[0] <= pair[1]),
            );
        }
        "wait-for-zero" => after_wait("wait-for(0)", monotonic_clock::wait_for(0)).await,
        "wait-until" => {
            let when = monotonic_clock::now() + WAIT;
            monotonic_clock::wait_until(when).await;
            check(
                "wait-until(mark) returns once the mark has occurred",
                monotonic_clock::now() >= when,
            );
        }
        "wait-until-past" => {
            // A mark that has already occurred: the wait is over at once.
            let when = monotonic_clock::now();
            monotonic_clock::wait_until(when).await;
            check(
                "wait-until of a past mark returns",
                monotonic_clock::now() >= when,
            );
        }
        // Mark 0 is at or before any mark the clock gives.
        "wait-until-zero" => after_wait("wait-until(0)", monotonic_clock::wait_until(0)).await,
        "resolution" => {
            check(
                "monotonic-clock get-resolution > 0",
                monotonic_clock::get_resolution() > 0,
            );
            check(
                "system-clock get-resolution > 0",
                system_clock::get_resolution() > 0,
            );
        }
        "system-now" => {
            let now = system_clock::now();
            // The epoch is 1970-01-01T00:00:00Z; that the host's clock is
            // set is a reasonable expectation, not a requirement.
            check_should(
                "system-clock now is after 2020",
                now.seconds > 1_577_836_800,
                None,
            );
            check(
                "system-clock nanoseconds < 1000000000",
                now.nanoseconds < 1_000_000_000,
            );
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
