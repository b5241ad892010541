//! stdio <scenario>: `wasi:cli@0.3.0` stdin, stdout and stderr as streams.
//! `echo` copies stdin to stdout and stderr through the 0.3 streams;
//! `out` writes a fixed text to stdout in two streams, one after the other;
//! the others read stdin in small pieces or again after its end, drop
//! stdin's stream unread, and write large, many-piece, empty and
//! interleaved output.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::cli::types::ErrorCode;
use guests_p3::wasi::cli::{stderr, stdin, stdout};
use guests_p3::wit_stream;
use wit_bindgen::{FutureReader, StreamReader, StreamResult, StreamWriter};

guests_p3::scenario_command!(scenario);

/// `stdout::write_via_stream` or `stderr::write_via_stream`.
type WriteViaStream = fn(StreamReader<u8>) -> FutureReader<Result<(), ErrorCode>>;

/// Writes `data` through a new stream handed to `write_via_stream`
/// (`stdout` or `stderr`), then drops the writable end and awaits the result.
async fn send(name: &str, data: &[u8], write_via_stream: WriteViaStream) {
    let (mut tx, done) = open(write_via_stream);
    let rest = tx.write_all(data.to_vec()).await;
    check(&fmt!("{name} takes every byte"), rest.is_empty());
    close(name, tx, done).await;
}

/// A new stream handed to `write_via_stream`: its writable end and the
/// function's result.
fn open(
    write_via_stream: WriteViaStream,
) -> (StreamWriter<u8>, FutureReader<Result<(), ErrorCode>>) {
    let (tx, rx) = wit_stream::new();
    (tx, write_via_stream(rx))
}

/// Drops the writable end `tx`, then checks that `done` is ok.
async fn close(name: &str, tx: StreamWriter<u8>, done: FutureReader<Result<(), ErrorCode>>) {
    drop(tx);
    let result = done.await;
    check_detail(
        &fmt!("{name} ends ok"),
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
}

/// 1 MiB of deterministic text: 64-byte lines of letters, each ending in '\n'
/// (the same bytes as the p1 and p2 stdio guests).
fn mib_pattern() -> Vec<u8> {
    (0..1usize << 20)
        .map(|i| {
            if i % 64 == 63 {
                b'\n'
            } else {
                b'a' + ((i / 64 + i % 64) % 26) as u8
            }
        })
        .collect()
}

/// The line `i` of the many-piece scenarios.
fn numbered_line(i: usize) -> Vec<u8> {
    fmt!("line {i}\n").into_bytes()
}

/// Reads all of stdin through one stream, `piece` bytes at most per read,
/// and checks that its future then resolves ok.
async fn read_stdin(piece: usize) -> Vec<u8> {
    let (mut rx, done) = stdin::read_via_stream();
    let mut input = Vec::new();
    loop {
        let (status, buf) = rx.read(Vec::with_capacity(piece)).await;
        match status {
            StreamResult::Complete(_) => input.extend(buf),
            StreamResult::Dropped | StreamResult::Cancelled => break,
        }
    }
    let result = done.await;
    check_detail(
        "stdin's future resolves ok at its end",
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
    input
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "echo" => {
            let input = read_stdin(4096).await;
            send("stdout write-via-stream", &input, stdout::write_via_stream).await;
            send("stderr write-via-stream", &input, stderr::write_via_stream).await;
        }
        "out" => {
            send("first stdout stream", b"one ", stdout::write_via_stream).await;
            send("second stdout stream", b"two\n", stdout::write_via_stream).await;
        }
        // Reads of at most 3 bytes: the host keeps what a read did not take.
        "small-reads" => {
            let input = read_stdin(3).await;
            send("stdout write-via-stream", &input, stdout::write_via_stream).await;
        }
        // A second stream after the first reached stdin's end: what it
        // yields is printed.
        "after-end" => {
            let first = read_stdin(4096).await;
            let (rx, done) = stdin::read_via_stream();
            let second = rx.collect().await;
            println!("first stream: {} bytes", first.len());
            println!("second stream: {} bytes", second.len());
            println!("second future: {:?}", done.await);
        }
        "drop-reader" => {
            let (rx, done) = stdin::read_via_stream();
            drop(rx);
            let result = done.await;
            check_detail(
                "stdin's future resolves ok once its stream is dropped",
                result.is_ok(),
                Some(&fmt!("{result:?}")),
            );
        }
        "stdout-mib" => send("stdout 1 MiB", &mib_pattern(), stdout::write_via_stream).await,
        "stderr-mib" => send("stderr 1 MiB", &mib_pattern(), stderr::write_via_stream).await,
        "empty-stream" => {
            let (tx, done) = open(stdout::write_via_stream);
            close("stdout stream dropped unwritten", tx, done).await;
        }
        // 1000 writes of one line each on one stdout stream.
        "many-writes" => {
            let (mut tx, done) = open(stdout::write_via_stream);
            let mut all_taken = true;
            for i in 0..1000 {
                all_taken &= tx.write_all(numbered_line(i)).await.is_empty();
            }
            check("every write takes every byte", all_taken);
            close("stdout stream of 1000 writes", tx, done).await;
        }
        // A stdout and a stderr stream open at once, written in turn.
        "interleaved" => {
            let (mut out, out_done) = open(stdout::write_via_stream);
            let (mut err, err_done) = open(stderr::write_via_stream);
            let mut all_taken = true;
            for i in 0..100 {
                all_taken &= out.write_all(numbered_line(i)).await.is_empty();
                all_taken &= err.write_all(numbered_line(i)).await.is_empty();
            }
            check("every write takes every byte", all_taken);
            close("stdout stream", out, out_done).await;
            close("stderr stream", err, err_done).await;
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
