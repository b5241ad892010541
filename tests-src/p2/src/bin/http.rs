//! http <scenario>: `wasi:http/types` and `wasi:http/outgoing-handler`
//! against the case's loopback server (`server = "http"`: its address in
//! `HTTP_SERVER`, a port nothing listens on in `HTTP_CLOSED`). The address
//! is never printed (its port changes from run to run); response bodies
//! print as text, or as length and FNV-1a hash when long, and only the
//! `x-` headers of a response print (the others are the host's own).
use guest_support::p2::http::{self as h, Timeout};
use guest_support::p2::streams;
use guest_support::{check, check_detail, check_should, finish};
use guests_p2::{
    expect_error, expect_immutable, fields, print_body, print_x_fields, read_all, read_to_error,
    show_body, wait,
};
use wasip2::http::types::{
    ErrorCode, Fields, IncomingResponse, Method, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "get" => show_exchange(Method::Get, "/status/200", None),
        "status-404" => show_exchange(Method::Get, "/status/404", None),
        "status-500" => show_exchange(Method::Get, "/status/500", None),
        "head" => show_exchange(Method::Head, "/status/200", None),
        "path-query" => show_exchange(Method::Get, "/echo?a=1&b=two", None),
        "big" => show_exchange(Method::Get, "/big", None),
        "trailers" => show_exchange(Method::Get, "/trailers", None),
        "short-body" => short_body(),
        "response-headers" => response_headers(),
        "methods" => {
            for m in [
                Method::Delete,
                Method::Options,
                Method::Patch,
                Method::Put,
                Method::Other("PURGE".into()),
            ] {
                show_exchange(m, "/echo", None);
            }
        }
        "post-body" => post(Method::Post, b"hello body", false),
        "put-trailers" => post(Method::Put, b"with trailers", true),
        "request-headers" => request_headers(),
        "fields-ops" => fields_ops(),
        "fields-case" => fields_case(),
        "fields-invalid" => fields_invalid(),
        "fields-forbidden" => fields_forbidden(),
        "fields-clone" => fields_clone(),
        "request-headers-immutable" => {
            let req = h::request_new(h::fields_new(), "$req");
            let hs = h::request_headers(&req, "$req");
            expect_immutable(&hs, "$req.headers");
        }
        "response-headers-immutable" => {
            if let Some(resp) = fetch(request(Method::Get, "/status/200"), None) {
                let hs = h::response_headers(&resp, "$resp");
                expect_immutable(&hs, "$resp.headers");
            }
        }
        "trailers-immutable" => trailers_immutable(),
        "request-defaults" => request_defaults(),
        "outgoing-response" => outgoing_response(),
        "request-setters" => request_setters(),
        "request-invalid" => request_invalid(),
        "body-twice" => {
            let req = h::request_new(h::fields_new(), "$req");
            let first = h::request_body(&req, "$req");
            check(
                "outgoing-request.body: the first call succeeds",
                first.is_ok(),
            );
            let second = h::request_body(&req, "$req");
            check(
                "outgoing-request.body: a second call fails",
                second.is_err(),
            );
        }
        "write-twice" => {
            let req = h::request_new(h::fields_new(), "$req");
            if let Ok(body) = h::request_body(&req, "$req") {
                let first = h::outgoing_body_write(&body, "$body");
                check(
                    "outgoing-body.write: the first call succeeds",
                    first.is_ok(),
                );
                let second = h::outgoing_body_write(&body, "$body");
                check("outgoing-body.write: a second call fails", second.is_err());
            }
        }
        "consume-twice" => {
            if let Some(resp) = fetch(request(Method::Get, "/status/200"), None) {
                let first = h::response_consume(&resp, "$resp");
                check(
                    "incoming-response.consume: the first call succeeds",
                    first.is_ok(),
                );
                let second = h::response_consume(&resp, "$resp");
                check(
                    "incoming-response.consume: a second call fails",
                    second.is_err(),
                );
            }
        }
        "stream-twice" => {
            if let Some(resp) = fetch(request(Method::Get, "/status/200"), None)
                && let Ok(body) = h::response_consume(&resp, "$resp")
            {
                let first = h::incoming_body_stream(&body, "$body");
                check(
                    "incoming-body.stream: the first call succeeds",
                    first.is_ok(),
                );
                let second = h::incoming_body_stream(&body, "$body");
                check("incoming-body.stream: a second call fails", second.is_err());
            }
        }
        "future-get-twice" => {
            let req = request(Method::Get, "/status/200");
            if let Ok(fut) = h::handle(req, "$req", None) {
                wait(h::future_response_subscribe(&fut, "$fut"));
                let first = h::future_response_get(&fut, "$fut");
                check(
                    "future-incoming-response.get: some(ok) once ready",
                    matches!(first, Some(Ok(_))),
                );
                let second = h::future_response_get(&fut, "$fut");
                check(
                    "future-incoming-response.get: some(err) on the next call",
                    matches!(second, Some(Err(()))),
                );
            }
        }
        "trailers-get-twice" => {
            if let Some(resp) = fetch(request(Method::Get, "/trailers"), None)
                && let Ok(body) = h::response_consume(&resp, "$resp")
            {
                if let Ok(stream) = h::incoming_body_stream(&body, "$body") {
                    read_all(&stream);
                }
                let fut = h::incoming_body_finish(body, "$body");
                wait(h::future_trailers_subscribe(&fut, "$trailers"));
                let first = h::future_trailers_get(&fut, "$trailers");
                check(
                    "future-trailers.get: some(ok) once ready",
                    matches!(first, Some(Ok(_))),
                );
                let second = h::future_trailers_get(&fut, "$trailers");
                check(
                    "future-trailers.get: some(err) on the next call",
                    matches!(second, Some(Err(()))),
                );
            }
        }
        "connection-refused" => {
            let req = h::request_new(h::fields_new(), "$req");
            let closed = std::env::var("HTTP_CLOSED").unwrap_or_default();
            let _ = h::request_set_scheme(&req, "$req", Some(&Scheme::Http));
            let _ = h::request_set_authority(&req, "$req", Some(&closed), "$closed");
            let _ = h::request_set_path(&req, "$req", Some("/"));
            let got = send(req, None);
            let code = got.as_ref().err().map(h::error_code_name);
            println!("error-code {code:?}");
            check_should(
                "a closed port is connection-refused",
                code == Some("connection-refused"),
                None,
            );
        }
        "options" => {
            let opts = h::options_new();
            for t in Timeout::ALL {
                h::options_timeout(&opts, t);
            }
            for t in Timeout::ALL {
                if h::options_set_timeout(&opts, t, Some(5_000_000_000)).is_ok() {
                    let d = h::options_timeout(&opts, t);
                    check(
                        "a timeout that was set reads back",
                        d == Some(5_000_000_000),
                    );
                }
            }
            // The options go with a request that then succeeds.
            show_response(fetch(request(Method::Get, "/status/200"), Some(opts)));
        }
        "first-byte-timeout" => {
            let opts = h::options_new();
            let set = h::options_set_timeout(&opts, Timeout::FirstByte, Some(100_000_000));
            if set.is_err() {
                println!("first-byte-timeout unsupported");
            } else {
                let got = send(request(Method::Get, "/slow"), Some(opts));
                let code = got.as_ref().err().map(h::error_code_name);
                println!("error-code {code:?}");
            }
        }
        "content-length-mismatch" => {
            let hs = fields(&[("content-length", b"10")]);
            let req = h::request_new(hs, "$req");
            set_target(&req, Method::Post, "/echo");
            if let Ok(body) = h::request_body(&req, "$req") {
                let fut = h::handle(req, "$req", None);
                if let Ok(out) = h::outgoing_body_write(&body, "$body") {
                    let _ = streams::blocking_write_and_flush(&out, "$out", b"abc");
                }
                let finished = h::outgoing_body_finish(body, "$body", None);
                check(
                    "outgoing-body.finish fails when fewer bytes than content-length were written",
                    finished.is_err(),
                );
                drop(fut);
            }
        }
        "body-dropped" => {
            let req = request(Method::Post, "/echo");
            if let Ok(body) = h::request_body(&req, "$req") {
                let fut = h::handle(req, "$req", None);
                if let Ok(out) = h::outgoing_body_write(&body, "$body") {
                    let _ = streams::blocking_write_and_flush(&out, "$out", b"partial");
                }
                // Dropped, not finished (untraced, as every drop).
                drop(body);
                if let Ok(fut) = fut {
                    wait(h::future_response_subscribe(&fut, "$fut"));
                    let got = h::future_response_get(&fut, "$fut");
                    let ok = matches!(got, Some(Ok(Err(_))));
                    check_should(
                        "a dropped (unfinished) body makes the request fail",
                        ok,
                        None,
                    );
                }
            }
        }
        "finish-with-stream" => {
            if let Some(resp) = fetch(request(Method::Get, "/status/200"), None)
                && let Ok(body) = h::response_consume(&resp, "$resp")
            {
                let _stream = h::incoming_body_stream(&body, "$body");
                // "This function will trap if the `input-stream` child is still alive."
                h::incoming_body_finish(body, "$body");
                check("incoming-body.finish traps while its stream lives", false);
            }
        }
        "no-authority" => {
            let req = h::request_new(h::fields_new(), "$req");
            let _ = h::request_set_scheme(&req, "$req", Some(&Scheme::Http));
            let _ = h::request_set_path(&req, "$req", Some("/"));
            let got = send(req, None);
            check(
                "an HTTP request without an authority is rejected",
                got.is_err(),
            );
            let code = got.as_ref().err().map(h::error_code_name);
            check_should(
                "the rejection is HTTP-request-URI-invalid",
                code == Some("HTTP-request-URI-invalid"),
                code,
            );
        }
        "other-scheme" => {
            let req = request(Method::Get, "/status/200");
            let set = h::request_set_scheme(&req, "$req", Some(&Scheme::Other("ftp".into())));
            if set.is_ok() {
                let got = send(req, None);
                let code = got.as_ref().err().map(h::error_code_name);
                println!("error-code {code:?}");
            }
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}

/// Sets method, scheme `HTTP`, the server's authority and `path`.
fn set_target(req: &OutgoingRequest, method: Method, path: &str) {
    let server = std::env::var("HTTP_SERVER").unwrap_or_default();
    let ok = h::request_set_method(req, "$req", &method).is_ok()
        & h::request_set_scheme(req, "$req", Some(&Scheme::Http)).is_ok()
        & h::request_set_authority(req, "$req", Some(&server), "$server").is_ok()
        & h::request_set_path(req, "$req", Some(path)).is_ok();
    check(
        "the request's method, scheme, authority and path are set",
        ok,
    );
}

/// A request without headers or body to `path` on the server.
fn request(method: Method, path: &str) -> OutgoingRequest {
    let req = h::request_new(h::fields_new(), "$req");
    set_target(&req, method, path);
    req
}

/// Sends `req` and waits for its response.
fn send(
    req: OutgoingRequest,
    options: Option<RequestOptions>,
) -> Result<IncomingResponse, ErrorCode> {
    let fut = h::handle(req, "$req", options)?;
    wait(h::future_response_subscribe(&fut, "$fut"));
    match h::future_response_get(&fut, "$fut") {
        Some(Ok(r)) => r,
        Some(Err(())) => {
            check(
                "future-incoming-response.get: the first get succeeds",
                false,
            );
            Err(ErrorCode::InternalError(None))
        }
        None => {
            check(
                "future-incoming-response.get: ready once its pollable is",
                false,
            );
            Err(ErrorCode::InternalError(None))
        }
    }
}

/// `send`, printing an error; `None` then.
fn fetch(req: OutgoingRequest, options: Option<RequestOptions>) -> Option<IncomingResponse> {
    match send(req, options) {
        Ok(r) => Some(r),
        Err(e) => {
            println!("error-code {}", h::error_code_name(&e));
            None
        }
    }
}

/// Prints a response: status, `x-` headers, body, trailers.
fn show_response(resp: Option<IncomingResponse>) {
    let Some(resp) = resp else { return };
    println!("status {}", h::response_status(&resp, "$resp"));
    let hs = h::response_headers(&resp, "$resp");
    print_x_fields(
        "header",
        &h::fields_entries_prefixed(&hs, "$resp.headers", "x-"),
    );
    drop(hs);
    let Ok(body) = h::response_consume(&resp, "$resp") else {
        return;
    };
    show_body(body);
}

/// A body the server cuts short (`/short`: a `content-length` of 10, 3
/// bytes, then the connection closes): how its stream ends, what
/// `types.http-error-code` makes of the stream's error, and the trailers.
fn short_body() {
    let Some(resp) = fetch(request(Method::Get, "/short"), None) else {
        return;
    };
    let Ok(body) = h::response_consume(&resp, "$resp") else {
        return;
    };
    if let Ok(stream) = h::incoming_body_stream(&body, "$body") {
        let (data, end) = read_to_error(&stream);
        print_body(&data);
        match end {
            StreamError::LastOperationFailed(e) => {
                h::http_error_code(&e, "$err");
            }
            StreamError::Closed => {
                check_should(
                    "a body cut short ends in last-operation-failed, not closed",
                    false,
                    None,
                );
            }
        }
    }
    let fut = h::incoming_body_finish(body, "$body");
    wait(h::future_trailers_subscribe(&fut, "$trailers"));
    h::future_trailers_get(&fut, "$trailers");
}

fn show_exchange(method: Method, path: &str, headers: Option<Fields>) {
    let req = h::request_new(headers.unwrap_or_else(h::fields_new), "$req");
    set_target(&req, method, path);
    show_response(fetch(req, None));
}

/// A body written through `outgoing-body.write`, finished with trailers or not.
fn post(method: Method, data: &[u8], with_trailers: bool) {
    let req = request(method, "/echo");
    let Ok(body) = h::request_body(&req, "$req") else {
        return;
    };
    let fut = h::handle(req, "$req", None);
    if let Ok(out) = h::outgoing_body_write(&body, "$body") {
        let _ = streams::blocking_write_and_flush(&out, "$out", data);
    }
    let trailers = with_trailers.then(|| fields(&[("x-trailer", b"t1")]));
    let finished = h::outgoing_body_finish(body, "$body", trailers);
    check("outgoing-body.finish succeeds", finished.is_ok());
    let Ok(fut) = fut else { return };
    wait(h::future_response_subscribe(&fut, "$fut"));
    match h::future_response_get(&fut, "$fut") {
        Some(Ok(Ok(resp))) => show_response(Some(resp)),
        Some(Ok(Err(e))) => println!("error-code {}", h::error_code_name(&e)),
        _ => {
            check("future-incoming-response.get: some(ok) once ready", false);
        }
    }
}

fn request_headers() {
    let hs = fields(&[("x-one", b"1"), ("x-two", b"a"), ("x-two", b"b")]);
    let _ = h::fields_append(&hs, "$h", "x-three", b"3");
    show_exchange(Method::Get, "/echo", Some(hs));
}

fn response_headers() {
    let Some(resp) = fetch(request(Method::Get, "/headers"), None) else {
        return;
    };
    let hs = h::response_headers(&resp, "$resp");
    let multi = h::fields_get(&hs, "$resp.headers", "x-multi");
    check(
        "fields.get: both values of a repeated header, in order",
        multi == [b"one".to_vec(), b"two".to_vec()],
    );
    let empty = h::fields_get(&hs, "$resp.headers", "x-empty");
    check(
        "fields.get: a present but empty header is one empty value",
        !empty.is_empty() && empty.iter().all(|v| v.is_empty()),
    );
    check(
        "fields.has: names are case-insensitive",
        h::fields_has(&hs, "$resp.headers", "X-CASE"),
    );
    let missing = h::fields_get(&hs, "$resp.headers", "x-missing");
    check(
        "fields.get: an absent name is an empty list",
        missing.is_empty(),
    );
}

fn fields_ops() {
    let f = fields(&[("x-a", b"1"), ("x-b", b"2")]);
    h::fields_append(&f, "$f", "x-a", b"3").ok();
    let a = h::fields_get(&f, "$f", "x-a");
    check(
        "fields.append keeps the existing value",
        a == [b"1".to_vec(), b"3".to_vec()],
    );
    h::fields_set(&f, "$f", "x-a", &[b"9".to_vec()]).ok();
    let a = h::fields_get(&f, "$f", "x-a");
    check(
        "fields.set clears the existing values",
        a == [b"9".to_vec()],
    );
    h::fields_delete(&f, "$f", "x-b").ok();
    check(
        "fields.delete removes the name",
        !h::fields_has(&f, "$f", "x-b"),
    );
    let again = h::fields_delete(&f, "$f", "x-b");
    check(
        "fields.delete of an absent name does nothing",
        again.is_ok(),
    );
    let entries = h::fields_entries(&f, "$f");
    check(
        "fields.entries lists what is left",
        entries == [("x-a".to_string(), b"9".to_vec())],
    );
    let empty = h::fields_new();
    check(
        "fields.constructor is empty",
        h::fields_entries(&empty, "$empty").is_empty(),
    );
    let bad = h::fields_get(&f, "$f", "bad name");
    check(
        "fields.get of an invalid name is an empty list",
        bad.is_empty(),
    );
    check(
        "fields.has of an invalid name is false",
        !h::fields_has(&f, "$f", "bad name"),
    );
}

fn fields_case() {
    let f = fields(&[("X-Mixed-Case", b"v")]);
    check(
        "fields.get: names compare case-insensitively",
        h::fields_get(&f, "$f", "x-mixed-case") == [b"v".to_vec()],
    );
    let entries = h::fields_entries(&f, "$f");
    let name = entries.first().map(|(n, _)| n.clone()).unwrap_or_default();
    check_should(
        "fields.entries: the original casing",
        name == "X-Mixed-Case",
        Some(&name),
    );
}

fn fields_invalid() {
    let got = h::fields_from_list(&[("bad name".into(), b"v".to_vec())]);
    let name = got.as_ref().err().map(h::header_error_name);
    check_detail(
        "fields.from-list: an invalid name is invalid-syntax",
        name == Some("invalid-syntax"),
        name,
    );
    let got = h::fields_from_list(&[("x-ok".into(), b"a\nb".to_vec())]);
    let name = got.as_ref().err().map(h::header_error_name);
    check_detail(
        "fields.from-list: a value with a newline is invalid-syntax",
        name == Some("invalid-syntax"),
        name,
    );
    let f = h::fields_new();
    expect_error(
        "fields.append: an invalid name is invalid-syntax",
        h::fields_append(&f, "$f", "bad:name", b"v"),
        "invalid-syntax",
    );
    expect_error(
        "fields.set: an invalid value is invalid-syntax",
        h::fields_set(&f, "$f", "x-ok", &[b"a\rb".to_vec()]),
        "invalid-syntax",
    );
    expect_error(
        "fields.delete: an invalid name is invalid-syntax",
        h::fields_delete(&f, "$f", "bad name"),
        "invalid-syntax",
    );
}

/// Which names are forbidden the WIT does not say: each result is shown.
fn fields_forbidden() {
    for name in [
        "connection",
        "host",
        "keep-alive",
        "transfer-encoding",
        "upgrade",
        "proxy-connection",
    ] {
        let f = h::fields_new();
        let got = h::fields_append(&f, "$f", name, b"x");
        let shown = got.as_ref().err().map(h::header_error_name);
        println!("append {name}: {}", shown.unwrap_or("ok"));
    }
}

fn fields_clone() {
    let f = fields(&[("x-a", b"1")]);
    let c = h::fields_clone(&f, "$f");
    h::fields_set(&f, "$f", "x-a", &[b"2".to_vec()]).ok();
    check(
        "fields.clone is a deep copy",
        h::fields_get(&c, "$clone", "x-a") == [b"1".to_vec()],
    );
    let r = h::fields_append(&c, "$clone", "x-b", b"3");
    check("fields.clone is mutable", r.is_ok());
}

fn trailers_immutable() {
    let Some(resp) = fetch(request(Method::Get, "/trailers"), None) else {
        return;
    };
    let Ok(body) = h::response_consume(&resp, "$resp") else {
        return;
    };
    if let Ok(stream) = h::incoming_body_stream(&body, "$body") {
        read_all(&stream);
    }
    let fut = h::incoming_body_finish(body, "$body");
    wait(h::future_trailers_subscribe(&fut, "$trailers"));
    match h::future_trailers_get(&fut, "$trailers") {
        Some(Ok(Ok(Some(t)))) => expect_immutable(&t, "$trailers"),
        _ => {
            check("future-trailers.get: the server's trailers", false);
        }
    }
}

fn request_defaults() {
    let req = h::request_new(h::fields_new(), "$req");
    let m = h::request_method(&req, "$req");
    check(
        "outgoing-request: the default method is GET",
        h::method_name(&m) == "get",
    );
    check(
        "outgoing-request: path-with-query is none",
        h::request_path(&req, "$req").is_none(),
    );
    check(
        "outgoing-request: scheme is none",
        h::request_scheme(&req, "$req").is_none(),
    );
    check(
        "outgoing-request: authority is none",
        h::request_authority(&req, "$req").is_none(),
    );
}

fn request_setters() {
    let req = h::request_new(h::fields_new(), "$req");
    let set = h::request_set_method(&req, "$req", &Method::Other("PURGE".into()));
    check("set-method: other(PURGE) is valid", set.is_ok());
    check(
        "method reads back",
        h::method_name(&h::request_method(&req, "$req")) == "PURGE",
    );
    h::request_set_path(&req, "$req", Some("/a/b?c=d")).ok();
    check(
        "path-with-query reads back",
        h::request_path(&req, "$req").as_deref() == Some("/a/b?c=d"),
    );
    h::request_set_scheme(&req, "$req", Some(&Scheme::Https)).ok();
    check(
        "scheme reads back",
        h::request_scheme(&req, "$req")
            .as_ref()
            .map(h::scheme_name)
            .as_deref()
            == Some("HTTPS"),
    );
    h::request_set_authority(&req, "$req", Some("example.com:8080"), "example.com:8080").ok();
    check(
        "authority reads back",
        h::request_authority(&req, "$req").as_deref() == Some("example.com:8080"),
    );
    h::request_set_path(&req, "$req", None).ok();
    check(
        "path-with-query back to none",
        h::request_path(&req, "$req").is_none(),
    );
    h::request_set_scheme(&req, "$req", None).ok();
    check(
        "scheme back to none",
        h::request_scheme(&req, "$req").is_none(),
    );
    h::request_set_authority(&req, "$req", None, "").ok();
    check(
        "authority back to none",
        h::request_authority(&req, "$req").is_none(),
    );
}

fn request_invalid() {
    let req = h::request_new(h::fields_new(), "$req");
    let bad = [
        (
            "set-method: an invalid method fails",
            h::request_set_method(&req, "$req", &Method::Other("BAD METHOD".into())),
        ),
        (
            "set-path-with-query: a path with a space fails",
            h::request_set_path(&req, "$req", Some("/a b")),
        ),
        (
            "set-scheme: an invalid scheme fails",
            h::request_set_scheme(&req, "$req", Some(&Scheme::Other("bad scheme".into()))),
        ),
        (
            "set-authority: an invalid authority fails",
            h::request_set_authority(&req, "$req", Some("bad authority"), "bad authority"),
        ),
    ];
    for (what, got) in bad {
        check(what, got.is_err());
    }
    let m = h::request_method(&req, "$req");
    check(
        "a failed set-method leaves the method",
        h::method_name(&m) == "get",
    );
    check(
        "a failed set-path-with-query leaves the path",
        h::request_path(&req, "$req").is_none(),
    );
}

/// An `outgoing-response` made in a command (no request to answer): its
/// default status, a valid and an invalid status, its immutable headers,
/// and `body` at most once.
fn outgoing_response() {
    let resp = h::response_new(fields(&[("x-a", b"1")]), "$resp");
    check(
        "outgoing-response: the default status-code is 200",
        h::response_status_code(&resp, "$resp") == 200,
    );
    check(
        "set-status-code(404) succeeds",
        h::response_set_status_code(&resp, "$resp", 404).is_ok(),
    );
    check(
        "status-code reads back 404",
        h::response_status_code(&resp, "$resp") == 404,
    );
    let bad = h::response_set_status_code(&resp, "$resp", 1000);
    check_should("set-status-code(1000) fails", bad.is_err(), None);
    let hs = h::response_out_headers(&resp, "$resp");
    check(
        "outgoing-response.headers holds the constructor's fields",
        h::fields_get(&hs, "$resp.headers", "x-a") == [b"1".to_vec()],
    );
    expect_immutable(&hs, "$resp.headers");
    let first = h::response_out_body(&resp, "$resp");
    check(
        "outgoing-response.body: the first call succeeds",
        first.is_ok(),
    );
    let second = h::response_out_body(&resp, "$resp");
    check(
        "outgoing-response.body: a second call fails",
        second.is_err(),
    );
}
