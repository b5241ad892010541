//! stdio <scenario>: `wasi:cli@0.3.0` stdin, stdout and stderr as streams.
//! `echo` copies stdin to stdout and stderr through the 0.3 streams;
//! `out` writes a fixed text to stdout in two streams, one after the other.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::cli::{stderr, stdin, stdout};
use guests_p3::wit_stream;

guests_p3::scenario_command!(scenario);

/// Writes `data` through a new stream handed to `write_via_stream`
/// (`stdout` or `stderr`), then drops the writable end and awaits the result.
async fn send<E: std::fmt::Debug + 'static>(
    name: &str,
    data: &[u8],
    write_via_stream: impl FnOnce(
        wit_bindgen::StreamReader<u8>,
    ) -> wit_bindgen::FutureReader<Result<(), E>>,
) {
    let (mut tx, rx) = wit_stream::new();
    let done = write_via_stream(rx);
    let rest = tx.write_all(data.to_vec()).await;
    drop(tx);
    check(&fmt!("{name} takes every byte"), rest.is_empty());
    let result = done.await;
    check_detail(
        &fmt!("{name} ends ok"),
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "echo" => {
            let (rx, done) = stdin::read_via_stream();
            let input = rx.collect().await;
            let result = done.await;
            check_detail(
                "stdin's future resolves ok at its end",
                result.is_ok(),
                Some(&fmt!("{result:?}")),
            );
            send("stdout write-via-stream", &input, stdout::write_via_stream).await;
            send("stderr write-via-stream", &input, stderr::write_via_stream).await;
        }
        "out" => {
            send("first stdout stream", b"one ", stdout::write_via_stream).await;
            send("second stdout stream", b"two\n", stdout::write_via_stream).await;
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
