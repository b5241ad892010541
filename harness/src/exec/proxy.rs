//! Cases of the `wasi:http/proxy` world (a case with a `request`): the
//! runtime serves the guest's `incoming-handler`, the harness sends the
//! request as an HTTP client, and what the client got back is appended to
//! the run's program output, so runtimes are compared on what reached the
//! wire as well as on the guest's trace.

use crate::exec::runtimes::{Invocation, Runtime};
use crate::model::abi::World;
use crate::model::case::ServedRequest;
use crate::model::outcome::RawOutcome;
use crate::model::verdict::RunError;
use crate::testsuite::http::{Message, short_sha256, x_fields};
use crate::testsuite::live;

/// Serves the guest of `inv`, sends it `request`, and returns the run's
/// outcome with the client's view ([`client_view`]) after its stdout. Its
/// stderr is left out: a server's stderr is its log (the address it serves
/// on, the errors it answered for the guest), which the guest's own stderr
/// cannot be told apart from.
pub fn run(
    runtime: &dyn Runtime,
    inv: &Invocation,
    request: &ServedRequest,
) -> Result<RawOutcome, RunError> {
    let (mut raw, response) = runtime.serve(inv, request)?;
    raw.stderr.clear();
    raw.stdout
        .extend_from_slice(client_view(request, response.as_ref()).as_bytes());
    Ok(raw)
}

/// [`Runtime::serve`] for a runtime that serves in a process of its own:
/// its `wasi:http/service` command line ([`Runtime::live_command`]), run
/// and stopped by [`live::serve`].
pub fn serve_live<R: Runtime + ?Sized>(
    runtime: &R,
    inv: &Invocation,
    request: &ServedRequest,
) -> Result<(RawOutcome, Option<Message>), RunError> {
    let command = runtime
        .live_command(inv, World::HttpService)
        .map_err(RunError::Unsupported)?;
    live::serve(&command, inv.sandbox_root, inv.limits, request, |stderr| {
        runtime.link_error(stderr)
    })
}

/// What the client got for `request`, one line: the status, the `x-`
/// headers and trailers (the others are the runtime's own: `date`,
/// framing), and the body as text, or as its length and hash when long or
/// not UTF-8; only the status class for a `status_class` request; `no
/// response` when the connection ended without one.
pub fn client_view(request: &ServedRequest, response: Option<&Message>) -> String {
    let asked = format!("client sent {} {}", request.method, request.path);
    let Some(response) = response else {
        return format!("{asked}, got no response\n");
    };
    let status = response.start.get(1).map_or("", String::as_str);
    if request.status_class {
        let class = status.chars().next().unwrap_or('?');
        return format!("{asked}, got status {class}xx\n");
    }
    // Sorted: a server may reorder the fields it sends.
    let fields = |fields: &[(String, String)]| -> String {
        let mut x = x_fields(fields);
        x.sort();
        x.concat()
    };
    let body = match std::str::from_utf8(&response.body) {
        Ok(text) if text.len() <= 256 => format!("{text:?}"),
        _ => format!(
            "{} bytes sha256 {}",
            response.body.len(),
            short_sha256(&response.body)
        ),
    };
    format!(
        "{asked}, got status {status} headers:{} body {body} trailers:{}\n",
        fields(&response.headers),
        fields(&response.trailers),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(status_class: bool) -> ServedRequest {
        ServedRequest {
            method: "GET".into(),
            path: "/x?a=1".into(),
            headers: Vec::new(),
            body: String::new(),
            status_class,
        }
    }

    #[test]
    fn the_client_view_keeps_x_fields_sorted_and_a_long_body_hashed() {
        let response = Message {
            start: vec!["HTTP/1.1".into(), "200".into(), "OK".into()],
            headers: vec![
                ("x-b".into(), "2".into()),
                ("date".into(), "today".into()),
                ("x-a".into(), "1".into()),
            ],
            body: vec![b'z'; 300],
            trailers: vec![("x-t".into(), "t".into())],
        };
        assert_eq!(
            client_view(&request(false), Some(&response)),
            "client sent GET /x?a=1, got status 200 headers: x-a=\"1\" x-b=\"2\" \
             body 300 bytes sha256 7cf7dc7f99e7185a trailers: x-t=\"t\"\n"
        );
        assert_eq!(
            client_view(&request(true), Some(&response)),
            "client sent GET /x?a=1, got status 2xx\n"
        );
        assert_eq!(
            client_view(&request(false), None),
            "client sent GET /x?a=1, got no response\n"
        );
    }
}
