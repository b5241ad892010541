//! HTTP/1.1 on the wire: a request sent over a std `TcpStream` to a
//! loopback address and its response read whole (one request per
//! connection, `connection: close`), and the syntax checks of field names,
//! values, methods and URI parts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;

/// Field names and values in order.
pub type FieldList = Vec<(String, Vec<u8>)>;

/// A request ready to send.
pub struct Request<'a> {
    pub method: &'a str,
    pub authority: &'a str,
    pub target: &'a str,
    pub headers: &'a FieldList,
    pub body: &'a [u8],
    /// Sent with the chunked coding and these trailers (else `content-length`).
    pub trailers: Option<&'a FieldList>,
    pub connect_timeout: Option<Duration>,
    pub first_byte_timeout: Option<Duration>,
    pub between_bytes_timeout: Option<Duration>,
}

/// A response read to its end, or to where its body broke off.
pub struct Response {
    pub status: u16,
    pub headers: FieldList,
    pub body: Vec<u8>,
    pub trailers: Option<FieldList>,
    /// Why the body ended before it was whole (`body` holds what came):
    /// once the head is read, a failure is the body's, not the response's.
    pub body_error: Option<ErrorCode>,
}

/// Response bodies longer than this fail (`HTTP-response-body-size`).
const MAX_BODY: usize = 64 << 20;

/// The loopback address `authority` names (`127.0.0.1:PORT`,
/// `localhost:PORT`, `[::1]:PORT`); any other is refused with
/// `HTTP-request-denied`: the reference host never leaves the machine.
fn loopback(authority: &str) -> Result<SocketAddr, ErrorCode> {
    let denied = || ErrorCode::HttpRequestDenied;
    let (host, port) = authority.rsplit_once(':').ok_or_else(denied)?;
    let port: u16 = port.parse().map_err(|_| denied())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = match host {
        "localhost" => IpAddr::from([127, 0, 0, 1]),
        _ => host.parse().map_err(|_| denied())?,
    };
    if !ip.is_loopback() {
        return Err(denied());
    }
    (ip, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(denied)
}

/// Sends `req` and reads its response.
pub fn send(req: &Request) -> Result<Response, ErrorCode> {
    let addr = loopback(req.authority)?;
    let stream = match req.connect_timeout {
        Some(t) => TcpStream::connect_timeout(&addr, t.max(Duration::from_nanos(1))),
        None => TcpStream::connect(addr),
    }
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => ErrorCode::ConnectionRefused,
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            ErrorCode::ConnectionTimeout
        }
        _ => ErrorCode::DestinationUnavailable,
    })?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {}\r\n",
        req.method, req.target, req.authority
    )
    .into_bytes();
    for (name, value) in req.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    let has_length = req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    let mut bytes = head;
    match req.trailers {
        Some(trailers) if !has_length => {
            bytes.extend_from_slice(b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n");
            if !req.body.is_empty() {
                bytes.extend(format!("{:x}\r\n", req.body.len()).into_bytes());
                bytes.extend_from_slice(req.body);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n");
            for (name, value) in trailers {
                bytes.extend_from_slice(name.as_bytes());
                bytes.extend_from_slice(b": ");
                bytes.extend_from_slice(value);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"\r\n");
        }
        _ => {
            if !has_length && !req.body.is_empty() {
                bytes.extend(format!("content-length: {}\r\n", req.body.len()).into_bytes());
            }
            bytes.extend_from_slice(b"connection: close\r\n\r\n");
            bytes.extend_from_slice(req.body);
        }
    }
    let mut writer = &stream;
    writer
        .write_all(&bytes)
        .map_err(|_| ErrorCode::ConnectionTerminated)?;
    let timeout = |t: Option<Duration>| t.map(|t| t.max(Duration::from_nanos(1)));
    let _ = stream.set_read_timeout(timeout(req.first_byte_timeout));
    let mut reader = BufReader::new(&stream);
    let status_line = read_line(&mut reader)?;
    let _ = stream.set_read_timeout(timeout(req.between_bytes_timeout));
    read_response(&mut reader, &status_line, req.method == "HEAD")
}

fn read_error(e: std::io::Error) -> ErrorCode {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            ErrorCode::ConnectionReadTimeout
        }
        std::io::ErrorKind::UnexpectedEof => ErrorCode::HttpResponseIncomplete,
        _ => ErrorCode::ConnectionTerminated,
    }
}

fn read_line(reader: &mut impl BufRead) -> Result<String, ErrorCode> {
    let mut line = Vec::new();
    let n = reader
        .by_ref()
        .take(64 << 10)
        .read_until(b'\n', &mut line)
        .map_err(read_error)?;
    if n == 0 || !line.ends_with(b"\n") {
        return Err(ErrorCode::HttpResponseIncomplete);
    }
    let line = String::from_utf8(line).map_err(|_| ErrorCode::HttpProtocolError)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn read_fields(reader: &mut impl BufRead) -> Result<FieldList, ErrorCode> {
    let mut fields = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            return Ok(fields);
        }
        let (name, value) = line.split_once(':').ok_or(ErrorCode::HttpProtocolError)?;
        fields.push((name.to_string(), value.trim().as_bytes().to_vec()));
        if fields.len() > 1024 {
            return Err(ErrorCode::HttpResponseHeaderSectionSize(None));
        }
    }
}

fn header<'a>(fields: &'a FieldList, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| std::str::from_utf8(v).ok())
}

fn read_response(
    reader: &mut impl BufRead,
    status_line: &str,
    head: bool,
) -> Result<Response, ErrorCode> {
    let mut parts = status_line.split_whitespace();
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(ErrorCode::HttpProtocolError);
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..=599).contains(s))
        .ok_or(ErrorCode::HttpProtocolError)?;
    let headers = read_fields(reader)?;
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
        trailers: None,
        body_error: None,
    };
    if !(head || status == 204 || status == 304) {
        response.body_error = read_body(reader, &mut response).err();
    }
    Ok(response)
}

/// Reads the body of `response` (by the chunked coding, `content-length`,
/// or to the end), and its trailers; what came before a failure stays.
fn read_body(reader: &mut impl BufRead, response: &mut Response) -> Result<(), ErrorCode> {
    let chunked = header(&response.headers, "transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    if chunked {
        loop {
            let size = read_line(reader)?;
            let size = size.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16).map_err(|_| ErrorCode::HttpProtocolError)?;
            if size == 0 {
                break;
            }
            if response.body.len() + size > MAX_BODY {
                return Err(ErrorCode::HttpResponseBodySize(None));
            }
            read_exactly(reader, size, &mut response.body)?;
            read_line(reader)?;
        }
        let trailers = read_fields(reader)?;
        response.trailers = (!trailers.is_empty()).then_some(trailers);
    } else if let Some(length) = header(&response.headers, "content-length") {
        let length: usize = length
            .trim()
            .parse()
            .map_err(|_| ErrorCode::HttpProtocolError)?;
        if length > MAX_BODY {
            return Err(ErrorCode::HttpResponseBodySize(Some(length as u64)));
        }
        read_exactly(reader, length, &mut response.body)?;
    } else {
        reader
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut response.body)
            .map_err(read_error)?;
        if response.body.len() > MAX_BODY {
            return Err(ErrorCode::HttpResponseBodySize(None));
        }
    }
    Ok(())
}

/// Appends `n` bytes from `reader` to `body`: what came before the
/// connection ended or failed stays, and the failure is
/// `HTTP-response-incomplete` (or the read's own error).
fn read_exactly(reader: &mut impl BufRead, n: usize, body: &mut Vec<u8>) -> Result<(), ErrorCode> {
    let start = body.len();
    reader
        .take(n as u64)
        .read_to_end(body)
        .map_err(read_error)?;
    if body.len() - start < n {
        return Err(ErrorCode::HttpResponseIncomplete);
    }
    Ok(())
}

/// RFC 9110 `tchar`: what a token (a field name, a method) is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A field name: a non-empty token (RFC 9110, section 5.1).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_tchar)
}

/// A field value: visible characters, spaces, tabs and obs-text; no
/// control characters (RFC 9110, section 5.5), no leading or trailing
/// whitespace.
pub fn valid_value(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
        && !value.first().is_some_and(|b| *b == b' ' || *b == b'\t')
        && !value.last().is_some_and(|b| *b == b' ' || *b == b'\t')
}

/// A method: a non-empty token.
pub fn valid_method(method: &str) -> bool {
    valid_name(method)
}

/// RFC 3986 characters of a URI but for `#`: unreserved, sub-delims, the
/// other gen-delims and `%`.
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?[]%".contains(&b)
}

/// A path with query: URI characters only, starting with `/`.
pub fn valid_path(path: &str) -> bool {
    path.starts_with('/') && path.bytes().all(is_uri_char)
}

/// A scheme: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986, 3.1).
pub fn valid_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// An authority: `[userinfo@]host[:port]` in URI characters, without `/` or `?`.
pub fn valid_authority(authority: &str) -> bool {
    !authority.is_empty()
        && authority
            .bytes()
            .all(|b| is_uri_char(b) && b != b'/' && b != b'?')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        assert!(valid_name("x-a") && !valid_name("bad name") && !valid_name(""));
        assert!(valid_value(b"a b") && !valid_value(b"a\nb") && !valid_value(b" a"));
        assert!(valid_path("/a?b=c") && !valid_path("/a b") && !valid_path("a"));
        assert!(valid_scheme("ftp") && !valid_scheme("bad scheme") && !valid_scheme("1a"));
        assert!(valid_authority("h:1") && !valid_authority("bad authority"));
    }

    #[test]
    fn a_body_cut_short_keeps_its_head_and_what_came() {
        let read = |rest: &[u8]| {
            let mut reader = std::io::BufReader::new(rest);
            read_response(&mut reader, "HTTP/1.1 200 OK", false).unwrap()
        };
        let short = read(b"content-length: 10\r\n\r\nabc");
        assert_eq!((short.status, short.body.as_slice()), (200, &b"abc"[..]));
        assert!(matches!(
            short.body_error,
            Some(ErrorCode::HttpResponseIncomplete)
        ));
        let chunks = read(b"transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nde");
        assert_eq!(chunks.body, b"abcde");
        assert!(matches!(
            chunks.body_error,
            Some(ErrorCode::HttpResponseIncomplete)
        ));
        let whole = read(b"content-length: 3\r\n\r\nabc");
        assert!(whole.body_error.is_none() && whole.body == b"abc");
    }

    #[test]
    fn only_loopback_is_reached() {
        assert!(loopback("127.0.0.1:80").is_ok());
        assert!(loopback("[::1]:80").is_ok());
        assert!(loopback("localhost:1").is_ok());
        assert!(matches!(
            loopback("example.com:80"),
            Err(ErrorCode::HttpRequestDenied)
        ));
        assert!(matches!(
            loopback("10.0.0.1:80"),
            Err(ErrorCode::HttpRequestDenied)
        ));
        assert!(matches!(
            loopback("127.0.0.1"),
            Err(ErrorCode::HttpRequestDenied)
        ));
    }

    #[test]
    fn a_response_with_trailers_is_parsed() {
        let text = b"HTTP/1.1 200 OK\r\nx-a: 1\r\ntransfer-encoding: chunked\r\n\r\n3\r\npay\r\n4\r\nload\r\n0\r\nx-t: 2\r\n\r\n";
        let mut reader = &text[..];
        let line = read_line(&mut reader).unwrap();
        let r = read_response(&mut reader, &line, false).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"payload"[..]));
        assert_eq!(r.trailers.unwrap(), [("x-t".to_string(), b"2".to_vec())]);
    }
}
