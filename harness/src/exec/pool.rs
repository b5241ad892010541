//! The one parallel executor: every command that runs many things (`run`,
//! `certify`, `testsuite`, `fuzz`) hands them to these threads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Calls `work(0)`, `work(1)`, ... on up to `threads` threads, each index
/// once, for as long as `more(index)` holds.
pub fn each_index(
    threads: usize,
    more: impl Fn(usize) -> bool + Sync,
    work: impl Fn(usize) + Sync,
) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if !more(i) {
                        break;
                    }
                    work(i);
                }
            });
        }
    });
}

/// Applies `work` to every item on up to `threads` threads; results in
/// item order whatever the scheduling.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    each_index(
        threads.clamp(1, items.len().max(1)),
        |i| i < items.len(),
        |i| {
            let result = work(&items[i]);
            results.lock().unwrap()[i] = Some(result);
        },
    );
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item was worked on"))
        .collect()
}

/// One job per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_keeps_the_item_order() {
        let items: Vec<u64> = (0..50).collect();
        let squares = parallel(&items, 4, |n| n * n);
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert!(parallel(&[] as &[u8], 4, |n| *n).is_empty());
    }

    #[test]
    fn each_index_stops_when_told() {
        let seen = Mutex::new(Vec::new());
        each_index(3, |i| i < 10, |i| seen.lock().unwrap().push(i));
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
}
