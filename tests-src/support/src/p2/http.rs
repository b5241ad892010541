//! wasi:http/types and wasi:http/outgoing-handler. A resource argument
//! prints as its label (`"$req"`); errors are the WIT case names of
//! `error-code` and `header-error`, and `()` errors (a second `consume`,
//! `body`, `stream`) print as `error`.

use super::traced;
use crate::{J, obj, trace};
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, FutureTrailers, HeaderError, IncomingBody,
    IncomingRequest, IncomingResponse, Method, OutgoingBody, OutgoingRequest, OutgoingResponse,
    RequestOptions, ResponseOutparam, Scheme,
};
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream};

/// The WIT name of an `error-code` case (payloads are not printed: the WIT
/// leaves their text to the implementation).
pub fn error_code_name(e: &ErrorCode) -> &'static str {
    use ErrorCode as E;
    match e {
        E::DnsTimeout => "DNS-timeout",
        E::DnsError(_) => "DNS-error",
        E::DestinationNotFound => "destination-not-found",
        E::DestinationUnavailable => "destination-unavailable",
        E::DestinationIpProhibited => "destination-IP-prohibited",
        E::DestinationIpUnroutable => "destination-IP-unroutable",
        E::ConnectionRefused => "connection-refused",
        E::ConnectionTerminated => "connection-terminated",
        E::ConnectionTimeout => "connection-timeout",
        E::ConnectionReadTimeout => "connection-read-timeout",
        E::ConnectionWriteTimeout => "connection-write-timeout",
        E::ConnectionLimitReached => "connection-limit-reached",
        E::TlsProtocolError => "TLS-protocol-error",
        E::TlsCertificateError => "TLS-certificate-error",
        E::TlsAlertReceived(_) => "TLS-alert-received",
        E::HttpRequestDenied => "HTTP-request-denied",
        E::HttpRequestLengthRequired => "HTTP-request-length-required",
        E::HttpRequestBodySize(_) => "HTTP-request-body-size",
        E::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
        E::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
        E::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
        E::HttpRequestHeaderSectionSize(_) => "HTTP-request-header-section-size",
        E::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
        E::HttpRequestTrailerSectionSize(_) => "HTTP-request-trailer-section-size",
        E::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
        E::HttpResponseIncomplete => "HTTP-response-incomplete",
        E::HttpResponseHeaderSectionSize(_) => "HTTP-response-header-section-size",
        E::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
        E::HttpResponseBodySize(_) => "HTTP-response-body-size",
        E::HttpResponseTrailerSectionSize(_) => "HTTP-response-trailer-section-size",
        E::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
        E::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
        E::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
        E::HttpResponseTimeout => "HTTP-response-timeout",
        E::HttpUpgradeFailed => "HTTP-upgrade-failed",
        E::HttpProtocolError => "HTTP-protocol-error",
        E::LoopDetected => "loop-detected",
        E::ConfigurationError => "configuration-error",
        E::InternalError(_) => "internal-error",
    }
}

/// The WIT name of a `header-error` case.
pub fn header_error_name(e: &HeaderError) -> &'static str {
    match e {
        HeaderError::InvalidSyntax => "invalid-syntax",
        HeaderError::Forbidden => "forbidden",
        HeaderError::Immutable => "immutable",
    }
}

fn unit_error(_: &()) -> &'static str {
    "error"
}

fn field_list(entries: &[(String, Vec<u8>)]) -> J {
    J::Arr(
        entries
            .iter()
            .map(|(n, v)| J::Arr(alloc::vec![J::from(n), J::bytes(v)]))
            .collect(),
    )
}

fn values(v: &[Vec<u8>]) -> J {
    J::Arr(v.iter().map(|v| J::bytes(v)).collect())
}

/// The WIT spelling of a method (`get`, `other("PURGE")` as `PURGE`).
pub fn method_name(m: &Method) -> String {
    match m {
        Method::Get => "get".into(),
        Method::Head => "head".into(),
        Method::Post => "post".into(),
        Method::Put => "put".into(),
        Method::Delete => "delete".into(),
        Method::Connect => "connect".into(),
        Method::Options => "options".into(),
        Method::Trace => "trace".into(),
        Method::Patch => "patch".into(),
        Method::Other(s) => s.clone(),
    }
}

/// The WIT spelling of a scheme (`HTTP`, `HTTPS`, `other` as its string).
pub fn scheme_name(s: &Scheme) -> String {
    match s {
        Scheme::Http => "HTTP".into(),
        Scheme::Https => "HTTPS".into(),
        Scheme::Other(s) => s.clone(),
    }
}

// fields

/// `fields.constructor`: ret `{}`.
pub fn fields_new() -> Fields {
    let f = Fields::new();
    trace("fields.constructor", obj!(), Ok(obj!()));
    f
}

/// `fields.from-list`: args `{"entries":[[name,value],...]}`.
pub fn fields_from_list(entries: &[(String, Vec<u8>)]) -> Result<Fields, HeaderError> {
    traced(
        "fields.from-list",
        obj! {"entries" => field_list(entries)},
        Fields::from_list(entries),
        header_error_name,
        |_| obj!(),
    )
}

/// `fields.get`: ret `{"values":[...]}`.
pub fn fields_get(f: &Fields, label: &str, name: &str) -> Vec<Vec<u8>> {
    let v = f.get(name);
    trace(
        "fields.get",
        obj! {"self" => label, "name" => name},
        Ok(obj! {"values" => values(&v)}),
    );
    v
}

/// `fields.has`: ret `{"has":bool}`.
pub fn fields_has(f: &Fields, label: &str, name: &str) -> bool {
    let h = f.has(name);
    trace(
        "fields.has",
        obj! {"self" => label, "name" => name},
        Ok(obj! {"has" => h}),
    );
    h
}

/// `fields.set`.
pub fn fields_set(f: &Fields, label: &str, name: &str, v: &[Vec<u8>]) -> Result<(), HeaderError> {
    traced(
        "fields.set",
        obj! {"self" => label, "name" => name, "values" => values(v)},
        f.set(name, v),
        header_error_name,
        |_| obj!(),
    )
}

/// `fields.delete`.
pub fn fields_delete(f: &Fields, label: &str, name: &str) -> Result<(), HeaderError> {
    traced(
        "fields.delete",
        obj! {"self" => label, "name" => name},
        f.delete(name),
        header_error_name,
        |_| obj!(),
    )
}

/// `fields.append`.
pub fn fields_append(f: &Fields, label: &str, name: &str, v: &[u8]) -> Result<(), HeaderError> {
    traced(
        "fields.append",
        obj! {"self" => label, "name" => name, "value" => J::bytes(v)},
        f.append(name, v),
        header_error_name,
        |_| obj!(),
    )
}

/// `fields.entries`: ret `{"entries":[[name,value],...]}` in the host's order.
pub fn fields_entries(f: &Fields, label: &str) -> Vec<(String, Vec<u8>)> {
    let e = f.entries();
    trace(
        "fields.entries",
        obj! {"self" => label},
        Ok(obj! {"entries" => field_list(&e)}),
    );
    e
}

/// `fields.entries`, tracing only the entries whose lowercased name starts
/// with `prefix` (a response's other fields are the host's own: `date`,
/// `content-length`): ret `{"prefix":p,"entries":[[name,value],...]}`.
pub fn fields_entries_prefixed(f: &Fields, label: &str, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let e = f.entries();
    let shown: Vec<(String, Vec<u8>)> = e
        .iter()
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with(prefix))
        .cloned()
        .collect();
    trace(
        "fields.entries",
        obj! {"self" => label},
        Ok(obj! {"prefix" => prefix, "entries" => field_list(&shown)}),
    );
    e
}

/// `fields.clone`.
pub fn fields_clone(f: &Fields, label: &str) -> Fields {
    let c = f.clone();
    trace("fields.clone", obj! {"self" => label}, Ok(obj!()));
    c
}

// outgoing-request

/// `outgoing-request.constructor`.
pub fn request_new(headers: Fields, label: &str) -> OutgoingRequest {
    let r = OutgoingRequest::new(headers);
    trace(
        "outgoing-request.constructor",
        obj! {"headers" => label},
        Ok(obj!()),
    );
    r
}

/// `outgoing-request.body`.
pub fn request_body(r: &OutgoingRequest, label: &str) -> Result<OutgoingBody, ()> {
    traced(
        "outgoing-request.body",
        obj! {"self" => label},
        r.body(),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-request.method`: ret `{"method":name}`.
pub fn request_method(r: &OutgoingRequest, label: &str) -> Method {
    let m = r.method();
    trace(
        "outgoing-request.method",
        obj! {"self" => label},
        Ok(obj! {"method" => method_name(&m)}),
    );
    m
}

/// `outgoing-request.set-method`.
pub fn request_set_method(r: &OutgoingRequest, label: &str, m: &Method) -> Result<(), ()> {
    traced(
        "outgoing-request.set-method",
        obj! {"self" => label, "method" => method_name(m)},
        r.set_method(m),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-request.path-with-query`: ret `{"path":...}` (`null` for none).
pub fn request_path(r: &OutgoingRequest, label: &str) -> Option<String> {
    let p = r.path_with_query();
    trace(
        "outgoing-request.path-with-query",
        obj! {"self" => label},
        Ok(obj! {"path" => p.clone()}),
    );
    p
}

/// `outgoing-request.set-path-with-query`.
pub fn request_set_path(r: &OutgoingRequest, label: &str, p: Option<&str>) -> Result<(), ()> {
    traced(
        "outgoing-request.set-path-with-query",
        obj! {"self" => label, "path" => p},
        r.set_path_with_query(p),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-request.scheme`: ret `{"scheme":...}`.
pub fn request_scheme(r: &OutgoingRequest, label: &str) -> Option<Scheme> {
    let s = r.scheme();
    trace(
        "outgoing-request.scheme",
        obj! {"self" => label},
        Ok(obj! {"scheme" => s.as_ref().map(scheme_name)}),
    );
    s
}

/// `outgoing-request.set-scheme`.
pub fn request_set_scheme(r: &OutgoingRequest, label: &str, s: Option<&Scheme>) -> Result<(), ()> {
    traced(
        "outgoing-request.set-scheme",
        obj! {"self" => label, "scheme" => s.map(scheme_name)},
        r.set_scheme(s),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-request.authority`: ret `{"set":bool}` (the value holds the
/// server's port, which changes from run to run).
pub fn request_authority(r: &OutgoingRequest, label: &str) -> Option<String> {
    let a = r.authority();
    trace(
        "outgoing-request.authority",
        obj! {"self" => label},
        Ok(obj! {"set" => a.is_some()}),
    );
    a
}

/// `outgoing-request.set-authority`: `shown` stands for the value in the trace.
pub fn request_set_authority(
    r: &OutgoingRequest,
    label: &str,
    a: Option<&str>,
    shown: &str,
) -> Result<(), ()> {
    traced(
        "outgoing-request.set-authority",
        obj! {"self" => label, "authority" => a.map(|_| shown)},
        r.set_authority(a),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-request.headers`.
pub fn request_headers(r: &OutgoingRequest, label: &str) -> Fields {
    let h = r.headers();
    trace(
        "outgoing-request.headers",
        obj! {"self" => label},
        Ok(obj!()),
    );
    h
}

// outgoing-response

/// `outgoing-response.constructor`.
pub fn response_new(headers: Fields, label: &str) -> OutgoingResponse {
    let r = OutgoingResponse::new(headers);
    trace(
        "outgoing-response.constructor",
        obj! {"headers" => label},
        Ok(obj!()),
    );
    r
}

/// `outgoing-response.status-code`: ret `{"status":n}`.
pub fn response_status_code(r: &OutgoingResponse, label: &str) -> u16 {
    let s = r.status_code();
    trace(
        "outgoing-response.status-code",
        obj! {"self" => label},
        Ok(obj! {"status" => s}),
    );
    s
}

/// `outgoing-response.set-status-code`.
pub fn response_set_status_code(r: &OutgoingResponse, label: &str, status: u16) -> Result<(), ()> {
    traced(
        "outgoing-response.set-status-code",
        obj! {"self" => label, "status" => status},
        r.set_status_code(status),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-response.headers`.
pub fn response_out_headers(r: &OutgoingResponse, label: &str) -> Fields {
    let h = r.headers();
    trace(
        "outgoing-response.headers",
        obj! {"self" => label},
        Ok(obj!()),
    );
    h
}

/// `outgoing-response.body`.
pub fn response_out_body(r: &OutgoingResponse, label: &str) -> Result<OutgoingBody, ()> {
    traced(
        "outgoing-response.body",
        obj! {"self" => label},
        r.body(),
        unit_error,
        |_| obj!(),
    )
}

// request-options

/// `request-options.constructor`.
pub fn options_new() -> RequestOptions {
    let o = RequestOptions::new();
    trace("request-options.constructor", obj!(), Ok(obj!()));
    o
}

/// The three timeouts of `request-options` by WIT name.
#[derive(Clone, Copy)]
pub enum Timeout {
    Connect,
    FirstByte,
    BetweenBytes,
}

impl Timeout {
    pub const ALL: [Timeout; 3] = [Timeout::Connect, Timeout::FirstByte, Timeout::BetweenBytes];

    fn name(self) -> &'static str {
        match self {
            Timeout::Connect => "connect-timeout",
            Timeout::FirstByte => "first-byte-timeout",
            Timeout::BetweenBytes => "between-bytes-timeout",
        }
    }
}

/// `request-options.<timeout>`: ret `{"duration":ns or null}`.
pub fn options_timeout(o: &RequestOptions, which: Timeout) -> Option<u64> {
    let d = match which {
        Timeout::Connect => o.connect_timeout(),
        Timeout::FirstByte => o.first_byte_timeout(),
        Timeout::BetweenBytes => o.between_bytes_timeout(),
    };
    trace(
        &crate::fmt!("request-options.{}", which.name()),
        obj! {"self" => "$opts"},
        Ok(obj! {"duration" => d}),
    );
    d
}

/// `request-options.set-<timeout>`.
pub fn options_set_timeout(o: &RequestOptions, which: Timeout, d: Option<u64>) -> Result<(), ()> {
    let r = match which {
        Timeout::Connect => o.set_connect_timeout(d),
        Timeout::FirstByte => o.set_first_byte_timeout(d),
        Timeout::BetweenBytes => o.set_between_bytes_timeout(d),
    };
    traced(
        &crate::fmt!("request-options.set-{}", which.name()),
        obj! {"self" => "$opts", "duration" => d},
        r,
        unit_error,
        |_| obj!(),
    )
}

// outgoing-handler and the responses

/// `outgoing-handler.handle`.
pub fn handle(
    r: OutgoingRequest,
    label: &str,
    options: Option<RequestOptions>,
) -> Result<FutureIncomingResponse, ErrorCode> {
    let with_options = options.is_some();
    traced(
        "outgoing-handler.handle",
        obj! {"request" => label, "options" => with_options},
        outgoing_handler::handle(r, options),
        error_code_name,
        |_| obj!(),
    )
}

/// `future-incoming-response.subscribe`.
pub fn future_response_subscribe(f: &FutureIncomingResponse, label: &str) -> Pollable {
    let p = f.subscribe();
    trace(
        "future-incoming-response.subscribe",
        obj! {"self" => label},
        Ok(obj!()),
    );
    p
}

/// What a `get` of a future returned, as the trace's `ret`/errno.
fn future_result<T>(r: &Option<Result<Result<T, ErrorCode>, ()>>) -> Result<J, &'static str> {
    match r {
        None => Ok(obj! {"ready" => false}),
        Some(Err(())) => Err("error"),
        Some(Ok(Err(e))) => Ok(obj! {"ready" => true, "error-code" => error_code_name(e)}),
        Some(Ok(Ok(_))) => Ok(obj! {"ready" => true, "error-code" => J::Null}),
    }
}

/// `future-incoming-response.get`: ret `{"ready":bool,"error-code":name|null}`,
/// errno `error` for the outer error.
pub fn future_response_get(
    f: &FutureIncomingResponse,
    label: &str,
) -> Option<Result<Result<IncomingResponse, ErrorCode>, ()>> {
    let r = f.get();
    trace(
        "future-incoming-response.get",
        obj! {"self" => label},
        future_result(&r),
    );
    r
}

/// `incoming-response.status`: ret `{"status":n}`.
pub fn response_status(r: &IncomingResponse, label: &str) -> u16 {
    let s = r.status();
    trace(
        "incoming-response.status",
        obj! {"self" => label},
        Ok(obj! {"status" => s}),
    );
    s
}

/// `incoming-response.headers`.
pub fn response_headers(r: &IncomingResponse, label: &str) -> Fields {
    let h = r.headers();
    trace(
        "incoming-response.headers",
        obj! {"self" => label},
        Ok(obj!()),
    );
    h
}

/// `incoming-response.consume`.
pub fn response_consume(r: &IncomingResponse, label: &str) -> Result<IncomingBody, ()> {
    traced(
        "incoming-response.consume",
        obj! {"self" => label},
        r.consume(),
        unit_error,
        |_| obj!(),
    )
}

/// `incoming-body.stream`.
pub fn incoming_body_stream(b: &IncomingBody, label: &str) -> Result<InputStream, ()> {
    traced(
        "incoming-body.stream",
        obj! {"self" => label},
        b.stream(),
        unit_error,
        |_| obj!(),
    )
}

/// `incoming-body.finish`.
pub fn incoming_body_finish(b: IncomingBody, label: &str) -> FutureTrailers {
    let t = IncomingBody::finish(b);
    trace("incoming-body.finish", obj! {"this" => label}, Ok(obj!()));
    t
}

/// `future-trailers.subscribe`.
pub fn future_trailers_subscribe(f: &FutureTrailers, label: &str) -> Pollable {
    let p = f.subscribe();
    trace(
        "future-trailers.subscribe",
        obj! {"self" => label},
        Ok(obj!()),
    );
    p
}

/// `future-trailers.get`: ret `{"ready":bool,"error-code":name|null,"trailers":bool}`.
pub fn future_trailers_get(
    f: &FutureTrailers,
    label: &str,
) -> Option<Result<Result<Option<Fields>, ErrorCode>, ()>> {
    let r = f.get();
    let shown = future_result(&r).map(|j| match &r {
        Some(Ok(Ok(t))) => j.with("trailers", t.is_some()),
        _ => j,
    });
    trace("future-trailers.get", obj! {"self" => label}, shown);
    r
}

/// `outgoing-body.write`.
pub fn outgoing_body_write(b: &OutgoingBody, label: &str) -> Result<OutputStream, ()> {
    traced(
        "outgoing-body.write",
        obj! {"self" => label},
        b.write(),
        unit_error,
        |_| obj!(),
    )
}

/// `outgoing-body.finish`: args `{"this":label,"trailers":bool}`.
pub fn outgoing_body_finish(
    b: OutgoingBody,
    label: &str,
    trailers: Option<Fields>,
) -> Result<(), ErrorCode> {
    let with = trailers.is_some();
    traced(
        "outgoing-body.finish",
        obj! {"this" => label, "trailers" => with},
        OutgoingBody::finish(b, trailers),
        error_code_name,
        |_| obj!(),
    )
}

/// `types.http-error-code`: ret `{"error-code":name|null}`.
pub fn http_error_code(e: &wasip2::io::error::Error, label: &str) -> Option<ErrorCode> {
    let c = wasip2::http::types::http_error_code(e);
    trace(
        "types.http-error-code",
        obj! {"err" => label},
        Ok(obj! {"error-code" => c.as_ref().map(error_code_name)}),
    );
    c
}

// the server side: incoming-request and response-outparam (wasi:http/proxy)

/// `incoming-request.method`: ret `{"method":name}`.
pub fn incoming_method(r: &IncomingRequest, label: &str) -> Method {
    let m = r.method();
    trace(
        "incoming-request.method",
        obj! {"self" => label},
        Ok(obj! {"method" => method_name(&m)}),
    );
    m
}

/// `incoming-request.path-with-query`: ret `{"path-with-query":text|null}`.
pub fn incoming_path(r: &IncomingRequest, label: &str) -> Option<String> {
    let p = r.path_with_query();
    trace(
        "incoming-request.path-with-query",
        obj! {"self" => label},
        Ok(obj! {"path-with-query" => p.clone()}),
    );
    p
}

/// `incoming-request.scheme`: ret `{"scheme":name|null}`.
pub fn incoming_scheme(r: &IncomingRequest, label: &str) -> Option<Scheme> {
    let s = r.scheme();
    trace(
        "incoming-request.scheme",
        obj! {"self" => label},
        Ok(obj! {"scheme" => s.as_ref().map(scheme_name)}),
    );
    s
}

/// `incoming-request.authority`: ret `{"authority":text|null}`.
pub fn incoming_authority(r: &IncomingRequest, label: &str) -> Option<String> {
    let a = r.authority();
    trace(
        "incoming-request.authority",
        obj! {"self" => label},
        Ok(obj! {"authority" => a.clone()}),
    );
    a
}

/// `incoming-request.headers`.
pub fn incoming_headers(r: &IncomingRequest, label: &str) -> Fields {
    let h = r.headers();
    trace(
        "incoming-request.headers",
        obj! {"self" => label},
        Ok(obj!()),
    );
    h
}

/// `incoming-request.consume`.
pub fn incoming_consume(r: &IncomingRequest, label: &str) -> Result<IncomingBody, ()> {
    traced(
        "incoming-request.consume",
        obj! {"self" => label},
        r.consume(),
        unit_error,
        |_| obj!(),
    )
}

/// `response-outparam.set` with a response (`Ok(label)`) or an error:
/// args `{"param":label,"response":label|{"error-code":name}}`.
pub fn outparam_set(
    param: ResponseOutparam,
    label: &str,
    response: Result<(OutgoingResponse, &str), ErrorCode>,
) {
    let shown = match &response {
        Ok((_, l)) => J::from(*l),
        Err(e) => obj! {"error-code" => error_code_name(e)},
    };
    ResponseOutparam::set(param, response.map(|(r, _)| r));
    trace(
        "response-outparam.set",
        obj! {"param" => label, "response" => shown},
        Ok(obj!()),
    );
}
