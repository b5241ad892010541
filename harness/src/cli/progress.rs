//! Progress of a long run on stderr: a bar with an ETA on a terminal, plain
//! lines (at most one every [`PLAIN_INTERVAL`], and one at the end) when
//! stderr is not a terminal or `CI=true`, so logs stay short and readable.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often plain mode prints a line.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(10);

/// Whether this is a CI run (`CI=true`, as GitHub Actions and most CI set it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Counts finished jobs out of a known total; shared by the worker threads.
pub struct Progress {
    total: u64,
    start: Instant,
    display: Display,
}

enum Display {
    Bar(ProgressBar),
    /// Jobs done and when the last line was printed.
    Plain(Mutex<(u64, Instant)>),
}

impl Progress {
    /// Progress over `total` jobs, drawn as a bar only on an interactive
    /// terminal outside CI.
    pub fn new(total: usize) -> Progress {
        let total = total as u64;
        let start = Instant::now();
        let display = if std::io::stderr().is_terminal() && !in_ci() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} {elapsed_precise} eta {eta} {wide_msg}",
                )
                .expect("a valid progress template"),
            );
            Display::Bar(bar)
        } else {
            Display::Plain(Mutex::new((0, start)))
        };
        Progress {
            total,
            start,
            display,
        }
    }

    /// Records one finished job, described by `what` (shown on the bar).
    pub fn finished(&self, what: &str) {
        match &self.display {
            Display::Bar(bar) => {
                bar.set_message(what.to_string());
                bar.inc(1);
            }
            Display::Plain(state) => {
                let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                state.0 += 1;
                if state.1.elapsed() >= PLAIN_INTERVAL {
                    state.1 = Instant::now();
                    eprintln!("{}", self.line(state.0));
                }
            }
        }
    }

    /// Clears the bar, or prints the final plain line.
    pub fn finish(self) {
        match &self.display {
            Display::Bar(bar) => bar.finish_and_clear(),
            Display::Plain(state) => {
                let done = state.lock().unwrap_or_else(|e| e.into_inner()).0;
                eprintln!("{}", self.line(done));
            }
        }
    }

    /// `[done/total] NN% elapsed Ns, eta Ns`.
    fn line(&self, done: u64) -> String {
        let elapsed = self.start.elapsed();
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        let eta = match done {
            0 => "?".to_string(),
            _ => {
                let left =
                    elapsed.mul_f64((self.total - done.min(self.total)) as f64 / done as f64);
                format!("{}s", left.as_secs())
            }
        };
        format!(
            "wasi-conform: [{done}/{}] {percent}% elapsed {}s, eta {eta}",
            self.total,
            elapsed.as_secs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_count_and_estimate() {
        let progress = Progress {
            total: 4,
            start: Instant::now(),
            display: Display::Plain(Mutex::new((0, Instant::now()))),
        };
        assert_eq!(progress.line(0), "wasi-conform: [0/4] 0% elapsed 0s, eta ?");
        assert_eq!(
            progress.line(4),
            "wasi-conform: [4/4] 100% elapsed 0s, eta 0s"
        );
    }
}
