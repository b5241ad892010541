//! proxy: a `wasi:http/proxy` component. The harness serves it and sends
//! it a case's `request`, whose path picks the scenario. The
//! guest prints what it was given (only the `x-` request headers: the
//! others are the client's and the runtime's own) and answers; what the
//! client got back is the harness's to record.
use guest_support::p2::http::{self as h};
use guest_support::p2::streams;
use guest_support::{check, unknown_scenario};
use guests_p2::{expect_immutable, fields, show_body};
use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{ErrorCode, IncomingRequest, ResponseOutparam};

struct Proxy;

wasip2::http::proxy::export!(Proxy);

/// The length of the body `/big` answers with.
const BIG: usize = 100_000;

impl Guest for Proxy {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = h::incoming_path(&request, "$req").unwrap_or_default();
        let scenario = path.split('?').next().unwrap_or_default();
        match scenario {
            "/request" => {
                h::incoming_method(&request, "$req");
                // By name: the order of a request's fields is the host's.
                let hs = h::incoming_headers(&request, "$req");
                for name in ["x-one", "x-two"] {
                    for value in h::fields_get(&hs, "$req.headers", name) {
                        println!("header {name}: {:?}", String::from_utf8_lossy(&value));
                    }
                }
                drop(hs);
                respond(out, 200, &[("x-served", b"request")], b"ok\n", None);
            }
            "/target" => {
                h::incoming_scheme(&request, "$req");
                h::incoming_authority(&request, "$req");
                respond(out, 200, &[], b"ok\n", None);
            }
            "/echo" => {
                h::incoming_method(&request, "$req");
                let data = match h::incoming_consume(&request, "$req") {
                    Ok(body) => show_body(body),
                    Err(()) => Vec::new(),
                };
                let length = data.len().to_string();
                respond(out, 200, &[("x-length", length.as_bytes())], &data, None);
            }
            "/consume-twice" => {
                let first = h::incoming_consume(&request, "$req");
                check(
                    "incoming-request.consume: the first call succeeds",
                    first.is_ok(),
                );
                let second = h::incoming_consume(&request, "$req");
                check(
                    "incoming-request.consume: a second call is an error",
                    second.is_err(),
                );
                drop((first, second));
                respond(out, 200, &[], b"consumed\n", None);
            }
            "/headers-immutable" => {
                let hs = h::incoming_headers(&request, "$req");
                expect_immutable(&hs, "$req.headers");
                drop(hs);
                respond(out, 200, &[], b"checked\n", None);
            }
            // Declared in a `trailer` header, as HTTP/1.1 asks of a sender
            // (RFC 9110, section 6.6.2).
            "/trailers" => respond(
                out,
                200,
                &[("trailer", b"x-checksum, x-count")],
                b"with trailers\n",
                Some(&[("x-checksum", b"abc"), ("x-count", b"2")]),
            ),
            "/big" => {
                let data: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
                respond(out, 200, &[], &data, None);
            }
            "/error" => h::outparam_set(
                out,
                "$out",
                Err(ErrorCode::InternalError(Some("deliberate".into()))),
            ),
            "/never-set" => drop(out),
            _ => match scenario.strip_prefix("/status/").map(str::parse) {
                Some(Ok(status)) => respond(out, status, &[], b"", None),
                _ => {
                    unknown_scenario(scenario);
                    respond(out, 404, &[], b"", None);
                }
            },
        }
    }
}

/// Answers through `out`: a response with `status` and `headers`, set
/// before its body is written (as a streaming server does), then `data`
/// and the body finished, with `trailers` when given.
fn respond(
    out: ResponseOutparam,
    status: u16,
    headers: &[(&str, &[u8])],
    data: &[u8],
    trailers: Option<&[(&str, &[u8])]>,
) {
    let resp = h::response_new(fields(headers), "$resp");
    if status != 200 {
        let set = h::response_set_status_code(&resp, "$resp", status);
        check(
            "outgoing-response.set-status-code accepts a valid status",
            set.is_ok(),
        );
    }
    let body = h::response_out_body(&resp, "$resp");
    h::outparam_set(out, "$out", Ok((resp, "$resp")));
    let Ok(body) = body else { return };
    if let Ok(stream) = h::outgoing_body_write(&body, "$body") {
        let _ = streams::write_all(&stream, "$stream", data);
    }
    let finished = h::outgoing_body_finish(body, "$body", trailers.map(fields));
    check("outgoing-body.finish succeeds", finished.is_ok());
}

fn main() {
    unreachable!("the proxy guest is served through wasi:http/incoming-handler")
}
