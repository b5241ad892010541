//! What the p2 `http` guest (the client side of wasi:http) and the `proxy`
//! guest (its server side) share: reading and printing bodies and fields,
//! and the checks on immutable fields.
use guest_support::p2::http as h;
use guest_support::p2::poll;
use guest_support::{check_detail, obj, trace};
use wasip2::http::types::{Fields, HeaderError, IncomingBody};
use wasip2::io::streams::{InputStream, StreamError};

/// `fields.from-list` of `pairs`, which must succeed.
pub fn fields(pairs: &[(&str, &[u8])]) -> Fields {
    let list: Vec<(String, Vec<u8>)> = pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect();
    match h::fields_from_list(&list) {
        Ok(f) => f,
        Err(e) => {
            check_detail(
                "fields.from-list succeeds",
                false,
                Some(h::header_error_name(&e)),
            );
            h::fields_new()
        }
    }
}

/// Waits for `p` (and drops it).
pub fn wait(p: wasip2::io::poll::Pollable) {
    poll::block(&p, "$p");
}

/// Reads `stream` to its end with `blocking-read` (untraced: how the bytes
/// come in chunks is the host's); one trace line for the whole.
pub fn read_all(stream: &InputStream) -> Vec<u8> {
    read_to_error(stream).0
}

/// [`read_all`], and the stream error that ended the reading.
pub fn read_to_error(stream: &InputStream) -> (Vec<u8>, StreamError) {
    let mut data = Vec::new();
    let end = loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(e) => break e,
        }
    };
    trace(
        "input-stream.blocking-read",
        obj! {"stream" => "$stream", "len" => "to-end"},
        Ok(obj! {"nread" => data.len(), "end" => guest_support::p2::stream_error_name(&end)}),
    );
    (data, end)
}

/// The 64-bit FNV-1a hash of `bytes`, printed for long bodies.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// Prints the `x-` fields, names lowercased, sorted.
pub fn print_x_fields(what: &str, entries: &[(String, Vec<u8>)]) {
    let mut x: Vec<(String, String)> = entries
        .iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .filter(|(n, _)| n.starts_with("x-"))
        .collect();
    x.sort();
    for (n, v) in x {
        println!("{what} {n}: {v:?}");
    }
}

/// A check that `got` failed with the `header-error` case `want`.
pub fn expect_error(what: &str, got: Result<(), HeaderError>, want: &str) {
    let name = got.as_ref().err().map(h::header_error_name);
    check_detail(what, name == Some(want), name);
}

/// Checks that `set`, `append` and `delete` on `f` fail with `immutable`.
pub fn expect_immutable(f: &Fields, label: &str) {
    expect_error(
        "fields.set on immutable fields is immutable",
        h::fields_set(f, label, "x-new", &[b"v".to_vec()]),
        "immutable",
    );
    expect_error(
        "fields.append on immutable fields is immutable",
        h::fields_append(f, label, "x-new", b"v"),
        "immutable",
    );
    expect_error(
        "fields.delete on immutable fields is immutable",
        h::fields_delete(f, label, "x-new"),
        "immutable",
    );
}

/// Reads `body` to its end and prints it (as text, or as length and FNV-1a
/// hash when long), then its `x-` trailers: the body's stream, `finish`,
/// and the trailers' future, each traced. Returns the bytes read.
pub fn show_body(body: IncomingBody) -> Vec<u8> {
    let mut data = Vec::new();
    if let Ok(stream) = h::incoming_body_stream(&body, "$body") {
        data = read_all(&stream);
        print_body(&data);
    }
    let fut = h::incoming_body_finish(body, "$body");
    wait(h::future_trailers_subscribe(&fut, "$trailers"));
    if let Some(Ok(Ok(Some(trailers)))) = h::future_trailers_get(&fut, "$trailers") {
        print_x_fields(
            "trailer",
            &h::fields_entries_prefixed(&trailers, "$trailers", "x-"),
        );
    }
    data
}

/// Prints `data` as text, or as its length and FNV-1a hash when long.
pub fn print_body(data: &[u8]) {
    if data.len() <= 256 {
        println!("body {:?}", String::from_utf8_lossy(data));
    } else {
        println!("body {} bytes fnv {:016x}", data.len(), fnv(data));
    }
}
