//! The HTTP/1.1 the harness speaks over loopback TCP: the servers a spec
//! stands up for the guest's outgoing requests (upstream's
//! `_EndpointServer`), the client a `request` operation sends with, and the
//! server a suite case with `server = "http"` sends its requests to
//! ([`CaseServer`]). One request per connection, `Connection: close`, as
//! upstream's server.

use super::spec::{Endpoint, EndpointMode, EndpointResponse, Server, ServerKind};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the client waits for the service to answer (upstream's 5 s).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a server waits for a request's bytes.
const SERVER_TIMEOUT: Duration = Duration::from_secs(10);

/// The servers of a spec, running until dropped.
pub struct Servers {
    /// `HTTP_SERVER_<NAME>` and `127.0.0.1:PORT`, for the guest's environment.
    pub env: Vec<(String, String)>,
    running: Vec<Running>,
}

/// A server on a loopback port answering each connection on a thread of
/// its own, until dropped.
struct Running {
    stop: Arc<AtomicBool>,
    address: String,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(
        listener: TcpListener,
        answer: impl Fn(TcpStream) + Clone + Send + 'static,
    ) -> std::io::Result<Running> {
        let address = listener.local_addr()?.to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let accepting = {
            let stop = stop.clone();
            std::thread::spawn(move || serve(listener, &stop, answer))
        };
        Ok(Running {
            stop,
            address,
            accepting: Some(accepting),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stop`.
        let _ = TcpStream::connect(&self.address);
        if let Some(thread) = self.accepting.take() {
            let _ = thread.join();
        }
    }
}

impl Servers {
    /// Starts every listening server on 127.0.0.1 with a port of its own;
    /// a `closed` one gets an address that was free a moment ago.
    pub fn start(servers: &[Server]) -> std::io::Result<Servers> {
        let mut started = Servers {
            env: Vec::new(),
            running: Vec::new(),
        };
        for server in servers {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            started
                .env
                .push((server.env_var(), listener.local_addr()?.to_string()));
            if server.kind == ServerKind::Closed {
                continue;
            }
            let endpoints = Arc::new(server.endpoints.clone());
            started
                .running
                .push(Running::start(listener, move |stream| {
                    let _ = answer(stream, &endpoints);
                })?);
        }
        Ok(started)
    }
}

fn serve(
    listener: TcpListener,
    stop: &AtomicBool,
    answer: impl Fn(TcpStream) + Clone + Send + 'static,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let answer = answer.clone();
        std::thread::spawn(move || answer(stream));
    }
}

/// The loopback server of a case with `server = "http"`: it answers by the
/// request's path and keeps, for the case's outcome, what it saw of each
/// request. The guest finds it in `HTTP_SERVER` (`127.0.0.1:PORT`), and in
/// `HTTP_CLOSED` an address nothing listens on.
pub struct CaseServer {
    /// `HTTP_SERVER` and `HTTP_CLOSED`, for the guest's environment.
    pub env: Vec<(String, String)>,
    seen: Arc<Mutex<Vec<String>>>,
    _running: Running,
}

/// How long `/slow` waits before it answers.
pub const SLOW: Duration = Duration::from_millis(1500);
/// The length of `/big`'s body.
pub const BIG: usize = 1 << 20;

impl CaseServer {
    /// Starts the server on an ephemeral port of 127.0.0.1.
    pub fn start() -> std::io::Result<CaseServer> {
        let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.to_string();
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?.to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let running = Running::start(listener, move |stream| {
            let _ = answer_case(stream, &log);
        })?;
        Ok(CaseServer {
            env: vec![
                ("HTTP_SERVER".to_string(), address),
                ("HTTP_CLOSED".to_string(), closed),
            ],
            seen,
            _running: running,
        })
    }

    /// What the server saw, one line per request, sorted (requests in flight
    /// at once arrive in any order); empty when none came.
    pub fn seen(&self) -> String {
        let mut lines = self.seen.lock().map(|l| l.clone()).unwrap_or_default();
        lines.sort();
        lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// What the server saw of `request`: method, target, the `x-` headers and
/// trailers the guest chose (other headers are the runtime's own: `host`
/// holds the port, `user-agent` its name), the body's length and hash.
fn seen_line(request: &Message) -> String {
    format!(
        "server saw: {} headers:{} body {} bytes sha256 {} trailers:{}",
        request.start.get(..2).unwrap_or_default().join(" "),
        x_fields(&request.headers).concat(),
        request.body.len(),
        short_sha256(&request.body),
        x_fields(&request.trailers).concat(),
    )
}

/// The `x-` fields of `fields` as an outcome line shows them, in order:
/// ` name="value"` each.
pub fn x_fields(fields: &[(String, String)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(n, _)| n.starts_with("x-"))
        .map(|(n, v)| format!(" {n}={v:?}"))
        .collect()
}

/// The first 16 hex digits of the SHA-256 of `bytes`, as an outcome line
/// shows a body.
pub fn short_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))[..16].to_string()
}

/// Answers one request by its path: `/status/N` (status N), `/echo` (the
/// body back, and each `x-` header as `x-echo-<name>`), `/trailers` (a
/// chunked body with trailers), `/headers` (a repeated header), `/short`
/// (a `content-length` of 10, 3 bytes, then the connection closes), `/slow`
/// (after [`SLOW`]), `/big` ([`BIG`] bytes); anything else `200 ok`.
fn answer_case(stream: TcpStream, seen: &Mutex<Vec<String>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(SERVER_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let request = Message::read(&mut reader, false, false)?;
    if let Ok(mut seen) = seen.lock() {
        seen.push(seen_line(&request));
    }
    let (method, target) = match request.start.as_slice() {
        [method, target, ..] => (method.as_str(), target.as_str()),
        _ => return Err(invalid("no request line")),
    };
    let path = target.split('?').next().unwrap_or(target);
    let head = method == "HEAD";
    let mut out = stream;
    let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
    if let Some(code) = path.strip_prefix("/status/") {
        let status = code.parse().unwrap_or(400);
        let body = format!("status {status}\n");
        return reply(&mut out, status, &[], Body::Whole(body.as_bytes()), head);
    }
    match path {
        "/echo" => {
            let mut echoed = vec![pair("x-method", method), pair("x-target", target)];
            for (name, value) in request.headers.iter().filter(|(n, _)| n.starts_with("x-")) {
                echoed.push((format!("x-echo-{name}"), value.clone()));
            }
            reply(&mut out, 200, &echoed, Body::Whole(&request.body), head)
        }
        "/trailers" => {
            let chunks = ["pay".to_string(), "load".to_string()];
            let trailers = [pair("x-checksum", "abc"), pair("x-count", "2")];
            reply(&mut out, 200, &[], Body::Chunked(&chunks, &trailers), head)
        }
        "/headers" => {
            let headers = [
                pair("x-multi", "one"),
                pair("x-multi", "two"),
                pair("x-empty", ""),
                pair("X-Case", "Mixed"),
            ];
            reply(&mut out, 200, &headers, Body::Whole(b"headers\n"), head)
        }
        "/short" => reply(&mut out, 200, &[], Body::CutShort(b"abc", 10), head),
        "/slow" => {
            std::thread::sleep(SLOW);
            reply(&mut out, 200, &[], Body::Whole(b"slow\n"), head)
        }
        "/big" => {
            let body: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
            reply(&mut out, 200, &[], Body::Whole(&body), head)
        }
        _ => reply(&mut out, 200, &[], Body::Whole(b"ok\n"), head),
    }
}

/// A request as a server reads it, or a response as the client reads it.
#[derive(Debug, Default)]
pub struct Message {
    /// The request line's method and target, or the status line's code.
    pub start: Vec<String>,
    /// Headers in order, names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Trailers after a chunked body, names lowercased.
    pub trailers: Vec<(String, String)>,
}

impl Message {
    /// The values of header `name`, joined with `, ` as Python's `requests`
    /// shows a repeated header.
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Reads a start line, headers and a body (by `Content-Length`, the
    /// chunked coding, or to the end when `body_to_end` and neither is given).
    fn read(
        reader: &mut impl BufRead,
        body_to_end: bool,
        no_body: bool,
    ) -> std::io::Result<Message> {
        let line = read_line(reader)?;
        let mut message = Message {
            start: line.split_whitespace().map(str::to_string).collect(),
            headers: read_fields(reader)?,
            ..Message::default()
        };
        if no_body {
            return Ok(message);
        }
        if message
            .header("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        {
            loop {
                let size = read_line(reader)?;
                let size = size.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size, 16).map_err(invalid)?;
                if size == 0 {
                    break;
                }
                let mut chunk = vec![0; size];
                reader.read_exact(&mut chunk)?;
                message.body.extend(chunk);
                read_line(reader)?;
            }
            message.trailers = read_fields(reader)?;
        } else if let Some(length) = message.header("content-length") {
            let length: usize = length.trim().parse().map_err(invalid)?;
            message.body = vec![0; length];
            reader.read_exact(&mut message.body)?;
        } else if body_to_end {
            reader.read_to_end(&mut message.body)?;
        }
        Ok(message)
    }
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

fn read_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Header or trailer lines up to the empty line.
fn read_fields(reader: &mut impl BufRead) -> std::io::Result<Vec<(String, String)>> {
    let mut fields = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            return Ok(fields);
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid("a field without `:`"))?;
        fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

/// Answers one request as upstream's `_EndpointRequestHandler._dispatch`.
fn answer(stream: TcpStream, endpoints: &[Endpoint]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(SERVER_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let request = Message::read(&mut reader, false, false)?;
    let (method, path) = match request.start.as_slice() {
        [method, path, ..] => (method.as_str(), path.as_str()),
        _ => return Err(invalid("no request line")),
    };
    let endpoint = endpoints
        .iter()
        .find(|e| e.method.eq_ignore_ascii_case(method) && e.path == path);
    let head = method == "HEAD";
    let mut out = stream;
    let Some(endpoint) = endpoint else {
        return reply(&mut out, 404, &[], Body::Whole(b""), head);
    };
    match endpoint.mode {
        EndpointMode::EchoBody => reply(&mut out, 200, &[], Body::Whole(&request.body), head),
        EndpointMode::EchoHeaders => {
            let mut echoed = vec![
                ("x-request-method".to_string(), method.to_string()),
                ("x-request-path".to_string(), path.to_string()),
            ];
            for (name, value) in &request.headers {
                echoed.push((format!("x-echo-{name}"), value.clone()));
            }
            for (name, value) in &request.trailers {
                echoed.push((format!("x-trailer-{name}"), value.clone()));
            }
            reply(&mut out, 200, &echoed, Body::Whole(b""), head)
        }
        EndpointMode::Static => match &endpoint.response {
            None => reply(&mut out, 200, &[], Body::Whole(b""), head),
            Some(EndpointResponse::Body(body)) => {
                reply(&mut out, 200, &[], Body::Whole(body.as_bytes()), head)
            }
            Some(EndpointResponse::Full {
                status,
                headers,
                body,
                chunks,
                trailers,
            }) => {
                let body = match chunks {
                    Some(chunks) => Body::Chunked(chunks, trailers),
                    None => Body::Whole(body.as_deref().unwrap_or("").as_bytes()),
                };
                reply(&mut out, *status, headers, body, head)
            }
        },
    }
}

enum Body<'a> {
    Whole(&'a [u8]),
    Chunked(&'a [String], &'a [(String, String)]),
    /// A `content-length` of the `usize`, and only these bytes before the
    /// connection closes.
    CutShort(&'a [u8], usize),
}

fn reply(
    out: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: Body,
    head: bool,
) -> std::io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    match &body {
        Body::Whole(bytes) => text.push_str(&format!("Content-Length: {}\r\n", bytes.len())),
        Body::CutShort(_, length) => text.push_str(&format!("Content-Length: {length}\r\n")),
        Body::Chunked(_, trailers) => {
            text.push_str("Transfer-Encoding: chunked\r\n");
            if !trailers.is_empty() {
                let names: Vec<&str> = trailers.iter().map(|(n, _)| n.as_str()).collect();
                text.push_str(&format!("Trailer: {}\r\n", names.join(", ")));
            }
        }
    }
    text.push_str("Connection: close\r\n\r\n");
    let mut bytes = text.into_bytes();
    if !head {
        match body {
            Body::Whole(body) | Body::CutShort(body, _) => bytes.extend_from_slice(body),
            Body::Chunked(chunks, trailers) => {
                for chunk in chunks {
                    bytes.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
                }
                bytes.extend_from_slice(b"0\r\n");
                for (name, value) in trailers {
                    bytes.extend(format!("{name}: {value}\r\n").into_bytes());
                }
                bytes.extend_from_slice(b"\r\n");
            }
        }
    }
    out.write_all(&bytes)?;
    out.flush()?;
    let _ = out.shutdown(Shutdown::Write);
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

/// The URL of `path` on the service at `base`, as upstream's `join_http_url`.
pub fn join(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    if path.starts_with('/') {
        format!("{base}{path}")
    } else {
        format!("{base}/{path}")
    }
}

/// The header fields a request carries on the wire: `Host` (`authority`,
/// unless `headers` gives one), those Python's `requests` sends by default
/// (unless `headers` gives them), `headers`, and a `Content-Length` when
/// there is a body.
pub fn request_fields(
    authority: &str,
    headers: &[(String, String)],
    body: &str,
) -> Vec<(String, String)> {
    let given = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let defaults = [
        ("Host", authority),
        ("User-Agent", "wasi-conform"),
        ("Accept-Encoding", "identity"),
        ("Accept", "*/*"),
        ("Connection", "close"),
    ];
    let mut fields: Vec<(String, String)> = defaults
        .iter()
        .filter(|(name, _)| !given(name))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    fields.extend(headers.iter().cloned());
    if !body.is_empty() {
        fields.push(("Content-Length".into(), body.len().to_string()));
    }
    fields
}

/// Sends a request to the service at `base` (`http://HOST:PORT/...`): its
/// `method`, `path` (joined to `base`), the [`request_fields`] of `headers`
/// and `body`; reads the whole response.
pub fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &str,
) -> Result<Message, String> {
    let url = join(base, path);
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {url}"))?;
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let stream =
        TcpStream::connect(authority).map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    let io = |e: std::io::Error| format!("{url}: {e}");
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    let mut text = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in request_fields(authority, headers, body) {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    let mut writer = &stream;
    writer.write_all(text.as_bytes()).map_err(io)?;
    let mut reader = BufReader::new(&stream);
    Message::read(&mut reader, true, method == "HEAD").map_err(|e| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            format!("timeout waiting for the response from {url}")
        }
        _ => io(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(
        method: &str,
        path: &str,
        mode: EndpointMode,
        response: Option<EndpointResponse>,
    ) -> Endpoint {
        Endpoint {
            method: method.into(),
            path: path.into(),
            mode,
            response,
        }
    }

    /// [`send`] with borrowed header pairs.
    fn fetch(
        base: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Message, String> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        send(base, method, path, &headers, body)
    }

    #[test]
    fn servers_answer_static_chunked_echo_and_404_and_closed_refuses() {
        let servers = Servers::start(&[
            Server {
                name: "main".into(),
                kind: ServerKind::Listening,
                endpoints: vec![
                    endpoint(
                        "GET",
                        "/",
                        EndpointMode::Static,
                        Some(EndpointResponse::Body("hi".into())),
                    ),
                    endpoint(
                        "GET",
                        "/t",
                        EndpointMode::Static,
                        Some(EndpointResponse::Full {
                            status: 201,
                            headers: vec![("x-a".into(), "1".into())],
                            body: None,
                            chunks: Some(vec!["pay".into(), "load".into()]),
                            trailers: vec![("x-sum".into(), "abc".into())],
                        }),
                    ),
                    endpoint("POST", "/echo", EndpointMode::EchoBody, None),
                    endpoint("GET", "/h", EndpointMode::EchoHeaders, None),
                ],
            },
            Server {
                name: "gone".into(),
                kind: ServerKind::Closed,
                endpoints: vec![],
            },
        ])
        .unwrap();
        assert_eq!(servers.env[0].0, "HTTP_SERVER_MAIN");
        let base = format!("http://{}", servers.env[0].1);
        let plain = fetch(&base, "GET", "/", &[], "").unwrap();
        assert_eq!(
            (plain.start[1].as_str(), plain.body.as_slice()),
            ("200", &b"hi"[..])
        );
        let chunked = fetch(&base, "GET", "t", &[], "").unwrap();
        assert_eq!(chunked.start[1], "201");
        assert_eq!(chunked.body, b"payload");
        assert_eq!(chunked.header("X-A").as_deref(), Some("1"));
        assert_eq!(chunked.trailers, [("x-sum".to_string(), "abc".to_string())]);
        let echo = fetch(&base, "POST", "/echo", &[], "ping").unwrap();
        assert_eq!(echo.body, b"ping");
        let headers = fetch(&base, "GET", "/h", &[("X-Mine", "v")], "").unwrap();
        assert_eq!(headers.header("x-echo-x-mine").as_deref(), Some("v"));
        assert_eq!(headers.header("x-request-path").as_deref(), Some("/h"));
        assert_eq!(fetch(&base, "GET", "/no", &[], "").unwrap().start[1], "404");
        let closed = format!("http://{}", servers.env[1].1);
        assert!(fetch(&closed, "GET", "/", &[], "").is_err());
    }

    #[test]
    fn the_case_server_answers_by_path_and_says_what_it_saw() {
        let server = CaseServer::start().unwrap();
        let base = format!("http://{}", server.env[0].1);
        let teapot = fetch(&base, "GET", "/status/418", &[], "").unwrap();
        assert_eq!(teapot.start[1], "418");
        let echo = fetch(&base, "PUT", "/echo?a=1", &[("X-Mine", "v")], "ping").unwrap();
        assert_eq!(echo.body, b"ping");
        assert_eq!(echo.header("x-echo-x-mine").as_deref(), Some("v"));
        let trailers = fetch(&base, "GET", "/trailers", &[], "").unwrap();
        assert_eq!(trailers.body, b"payload");
        assert_eq!(trailers.trailers.len(), 2);
        let big = fetch(&base, "GET", "/big", &[], "").unwrap();
        assert_eq!(big.body.len(), BIG);
        let short = fetch(&base, "GET", "/short", &[], "");
        assert!(short.is_err(), "10 bytes promised, 3 sent: {short:?}");
        let closed = format!("http://{}", server.env[1].1);
        assert!(fetch(&closed, "GET", "/", &[], "").is_err());
        let seen = server.seen();
        assert_eq!(seen.lines().count(), 5, "{seen}");
        assert!(
            seen.contains("server saw: PUT /echo?a=1 headers: x-mine=\"v\" body 4 bytes"),
            "{seen}"
        );
    }

    #[test]
    fn paths_join_as_upstream() {
        assert_eq!(join("http://a:1/", "/x"), "http://a:1/x");
        assert_eq!(join("http://a:1", "x?q"), "http://a:1/x?q");
    }
}
