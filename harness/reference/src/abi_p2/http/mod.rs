//! `wasi:http` 0.2: `types` and `outgoing-handler`, linked for a case with
//! the `http` proposal. A request is sent when its response is first asked
//! for (`future-incoming-response.get`, or its pollable's `ready`/`block`)
//! and its body is finished, over HTTP/1.1 to a loopback address only
//! ([`wire`]); the whole response is read then, so every later stream and
//! future is ready at once (RATIONALE.md, "How does the reference host
//! serve wasi:http 0.2?").

mod server;
mod wire;

pub use server::{Served, ServedRequest};

use std::time::Duration;

use wasmtime::component::Resource;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable};
use wasmtime_wasi_http::FieldMap;
use wasmtime_wasi_http::RequestOptions as Options;
use wasmtime_wasi_http::p2::bindings::http::types::{
    self, ErrorCode, HeaderError, Method, Scheme, StatusCode,
};
use wasmtime_wasi_http::p2::bindings::http::{outgoing_handler, types as t};
use wasmtime_wasi_http::p2::body::{HostFutureTrailers, HostIncomingBody, HostOutgoingBody};
use wasmtime_wasi_http::p2::types::{
    HostFutureIncomingResponse, HostIncomingResponse, HostOutgoingRequest, HostOutgoingResponse,
};
use wasmtime_wasi_http::p2::{HttpError, HttpResult};

use super::errors::IoError;
use super::table::Table;
use super::{Input, P2, Parent, Sink, Source};
use crate::system::System;
use wire::FieldList;

/// Field names the reference host refuses with `header-error.forbidden`:
/// those it writes itself to frame the connection (RATIONALE.md).
const FORBIDDEN: [&str; 7] = [
    "connection",
    "host",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// A `fields`: its entries and whether `set`, `append` and `delete` may change it.
pub(super) struct Fields {
    entries: FieldList,
    mutable: bool,
}

/// An `outgoing-request` (and an `outgoing-response`'s parts it shares).
struct OutRequest {
    method: Method,
    scheme: Option<Scheme>,
    authority: Option<String>,
    path: Option<String>,
    headers: FieldList,
    /// The rep of its exchange once `body` was called.
    body: Option<u32>,
}

/// An `outgoing-response`: sent when a served guest sets it on its
/// `response-outparam` ([`server`]).
struct OutResponse {
    status: StatusCode,
    headers: FieldList,
    /// The rep of its exchange once `body` was called.
    body: Option<u32>,
}

/// Where an outgoing body stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyState {
    /// `outgoing-request.body` was never called: the request has no body.
    None,
    /// Taken and not finished: the request cannot be sent yet.
    Writing,
    Finished,
    /// Dropped unfinished, or finished with a length that does not match
    /// its `content-length`: the request fails.
    Broken,
}

/// What an `outgoing-body` writes into: the bytes and trailers of one
/// request, shared by the body, its output stream and the request's future.
pub(super) struct Exchange {
    data: Vec<u8>,
    trailers: Option<FieldList>,
    state: BodyState,
    /// Nothing reads it: the body of a request dropped unsent, or of a
    /// response not (yet) set on a `response-outparam`. Such an exchange
    /// goes when its body is finished or dropped.
    unread: bool,
}

/// An `outgoing-body`: its exchange, and whether `write` was called.
struct OutBody {
    exchange: u32,
    stream_taken: bool,
}

/// A `future-incoming-response`.
enum FutureResponse {
    /// Waiting for the body to be finished.
    Pending {
        request: Box<OutRequest>,
        exchange: Option<u32>,
        options: Options,
    },
    Ready(Result<u32, ErrorCode>),
    Taken,
}

/// An `incoming-response`.
struct InResponse {
    status: StatusCode,
    headers: FieldList,
    body: Option<InBody>,
}

/// An `incoming-body`: the bytes read, the trailers, whether `stream` was called.
pub(super) struct InBody {
    data: Vec<u8>,
    trailers: Option<FieldList>,
    /// Why the body ended before it was whole: its stream fails with this
    /// after `data`, and so do its trailers.
    error: Option<ErrorCode>,
    stream_taken: bool,
}

/// A `future-trailers`: `None` once `get` returned them.
struct FutureTrailers(Option<Result<Option<FieldList>, ErrorCode>>);

/// The wasi:http resources of a run.
pub(super) struct Http {
    fields: Table<Fields>,
    requests: Table<OutRequest>,
    responses_out: Table<OutResponse>,
    options: Table<Options>,
    pub(super) exchanges: Table<Exchange>,
    bodies_out: Table<OutBody>,
    futures: Table<FutureResponse>,
    responses: Table<InResponse>,
    pub(super) bodies_in: Table<InBody>,
    trailers: Table<FutureTrailers>,
    /// The request a served guest handles and what it answers.
    server: server::Server,
}

impl Http {
    pub(super) fn new() -> Self {
        Http {
            fields: Table::new("fields"),
            requests: Table::new("outgoing-request"),
            responses_out: Table::new("outgoing-response"),
            options: Table::new("request-options"),
            exchanges: Table::new("outgoing body"),
            bodies_out: Table::new("outgoing-body"),
            futures: Table::new("future-incoming-response"),
            responses: Table::new("incoming-response"),
            bodies_in: Table::new("incoming-body"),
            trailers: Table::new("future-trailers"),
            server: server::Server::new(),
        }
    }

    fn new_fields(
        &mut self,
        entries: FieldList,
        mutable: bool,
    ) -> wasmtime::Result<Resource<FieldMap>> {
        Ok(Resource::new_own(
            self.fields.insert(Fields { entries, mutable })?,
        ))
    }

    /// Sends the request of future `rep` if its body is complete; whether
    /// the future is ready (its `get` returns `some`).
    pub(super) fn settle(&mut self, rep: u32) -> wasmtime::Result<bool> {
        let FutureResponse::Pending { exchange, .. } = self.futures.get(rep)? else {
            return Ok(true);
        };
        let state = match exchange {
            Some(e) => self.exchanges.get(*e)?.state,
            None => BodyState::None,
        };
        if state == BodyState::Writing {
            return Ok(false);
        }
        let pending = std::mem::replace(self.futures.get_mut(rep)?, FutureResponse::Taken);
        let FutureResponse::Pending {
            request,
            exchange,
            options,
        } = pending
        else {
            return Ok(true);
        };
        let (data, trailers) = match exchange {
            Some(e) => {
                let ex = self.exchanges.remove(e)?;
                (ex.data, ex.trailers)
            }
            None => (Vec::new(), None),
        };
        let result = if state == BodyState::Broken {
            Err(ErrorCode::HttpRequestBodySize(Some(data.len() as u64)))
        } else {
            let method = method_text(&request.method);
            let req = wire::Request {
                method: &method,
                authority: request.authority.as_deref().unwrap_or(""),
                target: request.path.as_deref().unwrap_or("/"),
                headers: &request.headers,
                body: &data,
                trailers: trailers.as_ref(),
                connect_timeout: options.connect_timeout,
                first_byte_timeout: options.first_byte_timeout,
                between_bytes_timeout: options.between_bytes_timeout,
            };
            match wire::send(&req) {
                Ok(resp) => Ok(self.responses.insert(InResponse {
                    status: resp.status,
                    headers: resp.headers,
                    body: Some(InBody {
                        data: resp.body,
                        trailers: resp.trailers,
                        error: resp.body_error,
                        stream_taken: false,
                    }),
                })?),
                Err(code) => Err(code),
            }
        };
        *self.futures.get_mut(rep)? = FutureResponse::Ready(result);
        Ok(true)
    }
}

fn method_text(m: &Method) -> String {
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(s) => s.clone(),
    }
}

fn clone_method(m: &Method) -> Method {
    match m {
        Method::Other(s) => Method::Other(s.clone()),
        Method::Get => Method::Get,
        Method::Head => Method::Head,
        Method::Post => Method::Post,
        Method::Put => Method::Put,
        Method::Delete => Method::Delete,
        Method::Connect => Method::Connect,
        Method::Options => Method::Options,
        Method::Trace => Method::Trace,
        Method::Patch => Method::Patch,
    }
}

fn clone_scheme(s: &Scheme) -> Scheme {
    match s {
        Scheme::Http => Scheme::Http,
        Scheme::Https => Scheme::Https,
        Scheme::Other(s) => Scheme::Other(s.clone()),
    }
}

fn header_error(e: types::HeaderError) -> wasmtime_wasi_http::p2::HeaderError {
    e.into()
}

/// Checks a name (and values) for `set`, `append` and `from-list`.
fn check_field(name: &str, values: &[&[u8]]) -> Result<(), types::HeaderError> {
    if !wire::valid_name(name) || !values.iter().all(|v| wire::valid_value(v)) {
        return Err(HeaderError::InvalidSyntax);
    }
    if FORBIDDEN.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        return Err(HeaderError::Forbidden);
    }
    Ok(())
}

impl<S: System> P2<S> {
    fn fields_mut(&mut self, rep: u32) -> Result<&mut Fields, wasmtime_wasi_http::p2::HeaderError> {
        let f = self
            .http
            .fields
            .get_mut(rep)
            .map_err(wasmtime_wasi_http::p2::HeaderError::trap)?;
        if !f.mutable {
            return Err(header_error(HeaderError::Immutable));
        }
        Ok(f)
    }

    fn request(&mut self, rep: u32) -> wasmtime::Result<&mut OutRequest> {
        self.http.requests.get_mut(rep)
    }

    /// A new outgoing body writing into a new exchange.
    fn new_body(&mut self, unread: bool) -> wasmtime::Result<(u32, u32)> {
        let exchange = self.http.exchanges.insert(Exchange {
            data: Vec::new(),
            trailers: None,
            state: BodyState::Writing,
            unread,
        })?;
        let body = self.http.bodies_out.insert(OutBody {
            exchange,
            stream_taken: false,
        })?;
        Ok((exchange, body))
    }

    /// Appends `bytes` to the exchange an outgoing body's stream writes to.
    pub(super) fn write_body(&mut self, exchange: u32, bytes: &[u8]) -> wasmtime::Result<()> {
        self.http
            .exchanges
            .get_mut(exchange)?
            .data
            .extend_from_slice(bytes);
        Ok(())
    }

    /// Up to `len` bytes of incoming body `rep` from `offset`; `None` at its end.
    pub(super) fn read_body(
        &self,
        rep: u32,
        offset: u64,
        len: usize,
    ) -> wasmtime::Result<Option<Vec<u8>>> {
        let data = &self.http.bodies_in.get(rep)?.data;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        if start == data.len() {
            return Ok(None);
        }
        let end = start.saturating_add(len).min(data.len());
        Ok(Some(data[start..end].to_vec()))
    }

    /// Why incoming body `rep` was cut short, if it was.
    pub(super) fn body_error(&self, rep: u32) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(self.http.bodies_in.get(rep)?.error.clone())
    }
}

/// What `io` asks of the http resources: readiness, and the parents of
/// pollables and streams.
impl<S: System> P2<S> {
    pub(super) fn http_settle(&mut self, future: u32) -> wasmtime::Result<bool> {
        self.http.settle(future)
    }

    /// Counts a pollable of a `future-incoming-response` (`response`) or
    /// of a `future-trailers`.
    pub(super) fn http_futures_adopt(&mut self, rep: u32, response: bool) -> wasmtime::Result<()> {
        if response {
            self.http.futures.adopt(rep)
        } else {
            self.http.trailers.adopt(rep)
        }
    }

    pub(super) fn http_futures_release(&mut self, rep: u32, response: bool) {
        if response {
            self.http.futures.release(rep);
        } else {
            self.http.trailers.release(rep);
        }
    }

    pub(super) fn http_body_in_release(&mut self, body: u32) {
        self.http.bodies_in.release(body);
    }

    pub(super) fn http_body_out_release(&mut self, body: u32) {
        self.http.bodies_out.release(body);
    }
}

impl<S: System> t::Host for P2<S> {
    fn convert_error_code(&mut self, err: HttpError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    fn convert_header_error(
        &mut self,
        err: wasmtime_wasi_http::p2::HeaderError,
    ) -> wasmtime::Result<HeaderError> {
        err.downcast()
    }

    /// The `error-code` a response body's stream ended with when the body
    /// was cut short; `none` for any other error.
    fn http_error_code(
        &mut self,
        err: Resource<t::IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(match self.errors.get(err.rep())? {
            IoError::Http(code) => Some(code.clone()),
            IoError::Errno(_) => None,
        })
    }
}

impl<S: System> t::HostFields for P2<S> {
    fn new(&mut self) -> wasmtime::Result<Resource<FieldMap>> {
        self.http.new_fields(Vec::new(), true)
    }

    fn from_list(
        &mut self,
        entries: Vec<(String, Vec<u8>)>,
    ) -> wasmtime_wasi_http::p2::HeaderResult<Resource<FieldMap>> {
        for (name, value) in &entries {
            check_field(name, &[value]).map_err(header_error)?;
        }
        self.http
            .new_fields(entries, true)
            .map_err(wasmtime_wasi_http::p2::HeaderError::trap)
    }

    fn drop(&mut self, f: Resource<FieldMap>) -> wasmtime::Result<()> {
        self.http.fields.remove(f.rep()).map(drop)
    }

    fn get(&mut self, f: Resource<FieldMap>, name: String) -> wasmtime::Result<Vec<Vec<u8>>> {
        Ok(self
            .http
            .fields
            .get(f.rep())?
            .entries
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(&name))
            .map(|(_, v)| v.clone())
            .collect())
    }

    fn has(&mut self, f: Resource<FieldMap>, name: String) -> wasmtime::Result<bool> {
        Ok(self
            .http
            .fields
            .get(f.rep())?
            .entries
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(&name)))
    }

    /// The new values take the place of the first old one (at the end when
    /// there was none).
    fn set(
        &mut self,
        f: Resource<FieldMap>,
        name: String,
        values: Vec<Vec<u8>>,
    ) -> wasmtime_wasi_http::p2::HeaderResult<()> {
        let fields = self.fields_mut(f.rep())?;
        let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        check_field(&name, &refs).map_err(header_error)?;
        let at = fields
            .entries
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(&name))
            .unwrap_or(fields.entries.len());
        fields
            .entries
            .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        let at = at.min(fields.entries.len());
        for (i, v) in values.into_iter().enumerate() {
            fields.entries.insert(at + i, (name.clone(), v));
        }
        Ok(())
    }

    fn delete(
        &mut self,
        f: Resource<FieldMap>,
        name: String,
    ) -> wasmtime_wasi_http::p2::HeaderResult<()> {
        let fields = self.fields_mut(f.rep())?;
        if !wire::valid_name(&name) {
            return Err(header_error(HeaderError::InvalidSyntax));
        }
        fields
            .entries
            .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        Ok(())
    }

    fn append(
        &mut self,
        f: Resource<FieldMap>,
        name: String,
        value: Vec<u8>,
    ) -> wasmtime_wasi_http::p2::HeaderResult<()> {
        let fields = self.fields_mut(f.rep())?;
        check_field(&name, &[&value]).map_err(header_error)?;
        fields.entries.push((name, value));
        Ok(())
    }

    fn entries(&mut self, f: Resource<FieldMap>) -> wasmtime::Result<Vec<(String, Vec<u8>)>> {
        Ok(self.http.fields.get(f.rep())?.entries.clone())
    }

    fn clone(&mut self, f: Resource<FieldMap>) -> wasmtime::Result<Resource<FieldMap>> {
        let entries = self.http.fields.get(f.rep())?.entries.clone();
        self.http.new_fields(entries, true)
    }
}

impl<S: System> t::HostOutgoingRequest for P2<S> {
    /// The headers are copied: the request's own are immutable from now on.
    fn new(
        &mut self,
        headers: Resource<FieldMap>,
    ) -> wasmtime::Result<Resource<HostOutgoingRequest>> {
        let headers = self.http.fields.remove(headers.rep())?.entries;
        Ok(Resource::new_own(self.http.requests.insert(
            OutRequest {
                method: Method::Get,
                scheme: None,
                authority: None,
                path: None,
                headers,
                body: None,
            },
        )?))
    }

    fn body(
        &mut self,
        r: Resource<HostOutgoingRequest>,
    ) -> wasmtime::Result<Result<Resource<HostOutgoingBody>, ()>> {
        if self.request(r.rep())?.body.is_some() {
            return Ok(Err(()));
        }
        let (exchange, body) = self.new_body(false)?;
        self.request(r.rep())?.body = Some(exchange);
        Ok(Ok(Resource::new_own(body)))
    }

    fn drop(&mut self, r: Resource<HostOutgoingRequest>) -> wasmtime::Result<()> {
        if let Some(exchange) = self.http.requests.remove(r.rep())?.body {
            // Its body, if still alive, now writes for nobody.
            if let Ok(ex) = self.http.exchanges.get_mut(exchange) {
                ex.unread = true;
            }
        }
        Ok(())
    }

    fn method(&mut self, r: Resource<HostOutgoingRequest>) -> wasmtime::Result<Method> {
        Ok(clone_method(&self.request(r.rep())?.method))
    }

    fn set_method(
        &mut self,
        r: Resource<HostOutgoingRequest>,
        m: Method,
    ) -> wasmtime::Result<Result<(), ()>> {
        if let Method::Other(s) = &m
            && !wire::valid_method(s)
        {
            return Ok(Err(()));
        }
        self.request(r.rep())?.method = m;
        Ok(Ok(()))
    }

    fn path_with_query(
        &mut self,
        r: Resource<HostOutgoingRequest>,
    ) -> wasmtime::Result<Option<String>> {
        Ok(self.request(r.rep())?.path.clone())
    }

    fn set_path_with_query(
        &mut self,
        r: Resource<HostOutgoingRequest>,
        path: Option<String>,
    ) -> wasmtime::Result<Result<(), ()>> {
        if path.as_deref().is_some_and(|p| !wire::valid_path(p)) {
            return Ok(Err(()));
        }
        self.request(r.rep())?.path = path;
        Ok(Ok(()))
    }

    fn scheme(&mut self, r: Resource<HostOutgoingRequest>) -> wasmtime::Result<Option<Scheme>> {
        Ok(self.request(r.rep())?.scheme.as_ref().map(clone_scheme))
    }

    fn set_scheme(
        &mut self,
        r: Resource<HostOutgoingRequest>,
        scheme: Option<Scheme>,
    ) -> wasmtime::Result<Result<(), ()>> {
        if let Some(Scheme::Other(s)) = &scheme
            && !wire::valid_scheme(s)
        {
            return Ok(Err(()));
        }
        self.request(r.rep())?.scheme = scheme;
        Ok(Ok(()))
    }

    fn authority(&mut self, r: Resource<HostOutgoingRequest>) -> wasmtime::Result<Option<String>> {
        Ok(self.request(r.rep())?.authority.clone())
    }

    fn set_authority(
        &mut self,
        r: Resource<HostOutgoingRequest>,
        authority: Option<String>,
    ) -> wasmtime::Result<Result<(), ()>> {
        if authority
            .as_deref()
            .is_some_and(|a| !wire::valid_authority(a))
        {
            return Ok(Err(()));
        }
        self.request(r.rep())?.authority = authority;
        Ok(Ok(()))
    }

    fn headers(
        &mut self,
        r: Resource<HostOutgoingRequest>,
    ) -> wasmtime::Result<Resource<FieldMap>> {
        let entries = self.request(r.rep())?.headers.clone();
        self.http.new_fields(entries, false)
    }
}

impl<S: System> t::HostIncomingResponse for P2<S> {
    fn drop(&mut self, r: Resource<HostIncomingResponse>) -> wasmtime::Result<()> {
        self.http.responses.remove(r.rep()).map(drop)
    }

    fn status(&mut self, r: Resource<HostIncomingResponse>) -> wasmtime::Result<StatusCode> {
        Ok(self.http.responses.get(r.rep())?.status)
    }

    fn headers(
        &mut self,
        r: Resource<HostIncomingResponse>,
    ) -> wasmtime::Result<Resource<FieldMap>> {
        let entries = self.http.responses.get(r.rep())?.headers.clone();
        self.http.new_fields(entries, false)
    }

    fn consume(
        &mut self,
        r: Resource<HostIncomingResponse>,
    ) -> wasmtime::Result<Result<Resource<HostIncomingBody>, ()>> {
        match self.http.responses.get_mut(r.rep())?.body.take() {
            None => Ok(Err(())),
            Some(body) => Ok(Ok(Resource::new_own(self.http.bodies_in.insert(body)?))),
        }
    }
}

impl<S: System> t::HostFutureTrailers for P2<S> {
    fn drop(&mut self, f: Resource<HostFutureTrailers>) -> wasmtime::Result<()> {
        self.http.trailers.remove(f.rep()).map(drop)
    }

    fn subscribe(
        &mut self,
        f: Resource<HostFutureTrailers>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Trailers(f.rep()))
    }

    fn get(
        &mut self,
        f: Resource<HostFutureTrailers>,
    ) -> wasmtime::Result<Option<Result<Result<Option<Resource<FieldMap>>, ErrorCode>, ()>>> {
        let Some(trailers) = self.http.trailers.get_mut(f.rep())?.0.take() else {
            return Ok(Some(Err(())));
        };
        Ok(Some(Ok(match trailers {
            Ok(Some(entries)) => Ok(Some(self.http.new_fields(entries, false)?)),
            Ok(None) => Ok(None),
            Err(code) => Err(code),
        })))
    }
}

impl<S: System> t::HostIncomingBody for P2<S> {
    fn stream(
        &mut self,
        b: Resource<HostIncomingBody>,
    ) -> wasmtime::Result<Result<Resource<DynInputStream>, ()>> {
        let body = self.http.bodies_in.get_mut(b.rep())?;
        if body.stream_taken {
            return Ok(Err(()));
        }
        body.stream_taken = true;
        self.http.bodies_in.adopt(b.rep())?;
        let rep = self.inputs.insert(Input::new(Source::HttpBody {
            body: b.rep(),
            offset: 0,
        }))?;
        Ok(Ok(Resource::new_own(rep)))
    }

    /// Traps while the stream lives (the table refuses to remove a parent
    /// with children), as the WIT says.
    fn finish(
        &mut self,
        b: Resource<HostIncomingBody>,
    ) -> wasmtime::Result<Resource<HostFutureTrailers>> {
        let body = self.http.bodies_in.remove(b.rep())?;
        let trailers = match body.error {
            Some(code) => Err(code),
            None => Ok(body.trailers),
        };
        Ok(Resource::new_own(
            self.http.trailers.insert(FutureTrailers(Some(trailers)))?,
        ))
    }

    fn drop(&mut self, b: Resource<HostIncomingBody>) -> wasmtime::Result<()> {
        self.http.bodies_in.remove(b.rep()).map(drop)
    }
}

impl<S: System> t::HostOutgoingResponse for P2<S> {
    fn new(
        &mut self,
        headers: Resource<FieldMap>,
    ) -> wasmtime::Result<Resource<HostOutgoingResponse>> {
        let headers = self.http.fields.remove(headers.rep())?.entries;
        Ok(Resource::new_own(self.http.responses_out.insert(
            OutResponse {
                status: 200,
                headers,
                body: None,
            },
        )?))
    }

    fn body(
        &mut self,
        r: Resource<HostOutgoingResponse>,
    ) -> wasmtime::Result<Result<Resource<HostOutgoingBody>, ()>> {
        if self.http.responses_out.get(r.rep())?.body.is_some() {
            return Ok(Err(()));
        }
        let (exchange, body) = self.new_body(true)?;
        self.http.responses_out.get_mut(r.rep())?.body = Some(exchange);
        Ok(Ok(Resource::new_own(body)))
    }

    fn status_code(&mut self, r: Resource<HostOutgoingResponse>) -> wasmtime::Result<StatusCode> {
        Ok(self.http.responses_out.get(r.rep())?.status)
    }

    /// A status code is valid from 100 to 599 (RFC 9110, section 15).
    fn set_status_code(
        &mut self,
        r: Resource<HostOutgoingResponse>,
        status: StatusCode,
    ) -> wasmtime::Result<Result<(), ()>> {
        if !(100..=599).contains(&status) {
            return Ok(Err(()));
        }
        self.http.responses_out.get_mut(r.rep())?.status = status;
        Ok(Ok(()))
    }

    fn headers(
        &mut self,
        r: Resource<HostOutgoingResponse>,
    ) -> wasmtime::Result<Resource<FieldMap>> {
        let entries = self.http.responses_out.get(r.rep())?.headers.clone();
        self.http.new_fields(entries, false)
    }

    fn drop(&mut self, r: Resource<HostOutgoingResponse>) -> wasmtime::Result<()> {
        self.http.responses_out.remove(r.rep()).map(drop)
    }
}

impl<S: System> t::HostFutureIncomingResponse for P2<S> {
    fn drop(&mut self, f: Resource<HostFutureIncomingResponse>) -> wasmtime::Result<()> {
        if let FutureResponse::Pending {
            exchange: Some(e), ..
        } = self.http.futures.remove(f.rep())?
            && let Ok(ex) = self.http.exchanges.get_mut(e)
        {
            ex.unread = true;
        }
        Ok(())
    }

    fn get(
        &mut self,
        f: Resource<HostFutureIncomingResponse>,
    ) -> wasmtime::Result<Option<Result<Result<Resource<HostIncomingResponse>, ErrorCode>, ()>>>
    {
        if !self.http.settle(f.rep())? {
            return Ok(None);
        }
        let future = self.http.futures.get_mut(f.rep())?;
        match std::mem::replace(future, FutureResponse::Taken) {
            FutureResponse::Ready(r) => Ok(Some(Ok(r.map(Resource::new_own)))),
            _ => Ok(Some(Err(()))),
        }
    }

    fn subscribe(
        &mut self,
        f: Resource<HostFutureIncomingResponse>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Response(f.rep()))
    }
}

impl<S: System> t::HostOutgoingBody for P2<S> {
    fn write(
        &mut self,
        b: Resource<HostOutgoingBody>,
    ) -> wasmtime::Result<Result<Resource<DynOutputStream>, ()>> {
        let body = self.http.bodies_out.get_mut(b.rep())?;
        if body.stream_taken {
            return Ok(Err(()));
        }
        body.stream_taken = true;
        let exchange = body.exchange;
        self.http.bodies_out.adopt(b.rep())?;
        let rep = self.outputs.insert(super::Output::new(Sink::HttpBody {
            exchange,
            parent: b.rep(),
        }))?;
        Ok(Ok(Resource::new_own(rep)))
    }

    /// Traps while the stream lives; fails with `HTTP-request-body-size`
    /// when a `content-length` header does not match what was written.
    fn finish(
        &mut self,
        b: Resource<HostOutgoingBody>,
        trailers: Option<Resource<FieldMap>>,
    ) -> HttpResult<()> {
        let body = self
            .http
            .bodies_out
            .remove(b.rep())
            .map_err(HttpError::trap)?;
        let trailers = match trailers {
            Some(t) => Some(
                self.http
                    .fields
                    .remove(t.rep())
                    .map_err(HttpError::trap)?
                    .entries,
            ),
            None => None,
        };
        let length = self.content_length(body.exchange);
        let ex = self
            .http
            .exchanges
            .get_mut(body.exchange)
            .map_err(HttpError::trap)?;
        let written = ex.data.len() as u64;
        if length.is_some_and(|l| l != written) {
            ex.state = BodyState::Broken;
            return Err(ErrorCode::HttpRequestBodySize(Some(written)).into());
        }
        ex.state = BodyState::Finished;
        ex.trailers = trailers;
        if ex.unread {
            self.http
                .exchanges
                .remove(body.exchange)
                .map_err(HttpError::trap)?;
        }
        Ok(())
    }

    /// Dropped unfinished: the request fails (the WIT: "the implementation
    /// should treat the body as incomplete").
    fn drop(&mut self, b: Resource<HostOutgoingBody>) -> wasmtime::Result<()> {
        let body = self.http.bodies_out.remove(b.rep())?;
        let ex = self.http.exchanges.get_mut(body.exchange)?;
        ex.state = BodyState::Broken;
        if ex.unread {
            self.http.exchanges.remove(body.exchange)?;
        }
        Ok(())
    }
}

impl<S: System> P2<S> {
    /// The `content-length` of the request writing into `exchange`, if it has one.
    fn content_length(&self, exchange: u32) -> Option<u64> {
        let headers = self
            .http
            .requests
            .values()
            .find(|r| r.body == Some(exchange))
            .map(|r| &r.headers)
            .or_else(|| {
                self.http.futures.values().find_map(|f| match f {
                    FutureResponse::Pending {
                        request,
                        exchange: Some(e),
                        ..
                    } if *e == exchange => Some(&request.headers),
                    _ => None,
                })
            })?;
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse().ok())
    }
}

impl<S: System> t::HostRequestOptions for P2<S> {
    fn new(&mut self) -> wasmtime::Result<Resource<t::RequestOptions>> {
        Ok(Resource::new_own(
            self.http.options.insert(Options::default())?,
        ))
    }

    fn connect_timeout(&mut self, o: Resource<t::RequestOptions>) -> wasmtime::Result<Option<u64>> {
        Ok(nanos(self.http.options.get(o.rep())?.connect_timeout))
    }

    fn set_connect_timeout(
        &mut self,
        o: Resource<t::RequestOptions>,
        d: Option<u64>,
    ) -> wasmtime::Result<Result<(), ()>> {
        self.http.options.get_mut(o.rep())?.connect_timeout = d.map(Duration::from_nanos);
        Ok(Ok(()))
    }

    fn first_byte_timeout(
        &mut self,
        o: Resource<t::RequestOptions>,
    ) -> wasmtime::Result<Option<u64>> {
        Ok(nanos(self.http.options.get(o.rep())?.first_byte_timeout))
    }

    fn set_first_byte_timeout(
        &mut self,
        o: Resource<t::RequestOptions>,
        d: Option<u64>,
    ) -> wasmtime::Result<Result<(), ()>> {
        self.http.options.get_mut(o.rep())?.first_byte_timeout = d.map(Duration::from_nanos);
        Ok(Ok(()))
    }

    fn between_bytes_timeout(
        &mut self,
        o: Resource<t::RequestOptions>,
    ) -> wasmtime::Result<Option<u64>> {
        Ok(nanos(self.http.options.get(o.rep())?.between_bytes_timeout))
    }

    fn set_between_bytes_timeout(
        &mut self,
        o: Resource<t::RequestOptions>,
        d: Option<u64>,
    ) -> wasmtime::Result<Result<(), ()>> {
        self.http.options.get_mut(o.rep())?.between_bytes_timeout = d.map(Duration::from_nanos);
        Ok(Ok(()))
    }

    fn drop(&mut self, o: Resource<t::RequestOptions>) -> wasmtime::Result<()> {
        self.http.options.remove(o.rep()).map(drop)
    }
}

fn nanos(d: Option<Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl<S: System> outgoing_handler::Host for P2<S> {
    /// Rejects at once what no request can be (RATIONALE.md): a scheme
    /// other than HTTP (HTTPS included: the reference host speaks no TLS)
    /// and a missing authority are `HTTP-request-URI-invalid`, an authority
    /// not on loopback `HTTP-request-denied` (when the response is asked for).
    fn handle(
        &mut self,
        r: Resource<HostOutgoingRequest>,
        options: Option<Resource<t::RequestOptions>>,
    ) -> HttpResult<Resource<HostFutureIncomingResponse>> {
        let options = match options {
            Some(o) => self.http.options.remove(o.rep()).map_err(HttpError::trap)?,
            None => Options::default(),
        };
        let request = self
            .http
            .requests
            .remove(r.rep())
            .map_err(HttpError::trap)?;
        let http = matches!(request.scheme, None | Some(Scheme::Http));
        if !http || request.authority.is_none() {
            return Err(ErrorCode::HttpRequestUriInvalid.into());
        }
        let exchange = request.body;
        let rep = self
            .http
            .futures
            .insert(FutureResponse::Pending {
                request: Box::new(request),
                exchange,
                options,
            })
            .map_err(HttpError::trap)?;
        Ok(Resource::new_own(rep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Config, ReferenceHost};
    use crate::rng::SplitMix64;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use t::{HostFields, HostOutgoingRequest as _};
    use wasmtime_wasi::p2::bindings::sync::io::poll::HostPollable;
    use wasmtime_wasi::p2::bindings::sync::io::streams::{HostInputStream, HostOutputStream};

    fn host() -> P2<ReferenceHost> {
        P2::new(ReferenceHost::new(Config::default()).unwrap())
    }

    fn copy<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_own(r.rep())
    }

    /// A server that answers one request with `response` and hands back
    /// the request's bytes.
    fn serve_once(response: &'static [u8]) -> (String, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(&stream);
            let mut seen = Vec::new();
            loop {
                let mut line = Vec::new();
                reader.read_until(b'\n', &mut line).unwrap();
                seen.extend_from_slice(&line);
                if line == b"\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; 5];
            reader.read_exact(&mut body).unwrap();
            seen.extend(body);
            (&stream).write_all(response).unwrap();
            seen
        });
        (address, thread)
    }

    #[test]
    fn a_request_goes_out_and_its_response_comes_back() {
        let (address, server) = serve_once(
            b"HTTP/1.1 201 Created\r\nx-a: 1\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nx-t: 2\r\n\r\n",
        );
        let mut h = host();
        let headers = h.from_list(vec![("x-one".into(), b"1".to_vec())]).unwrap();
        let req = t::HostOutgoingRequest::new(&mut h, headers).unwrap();
        h.set_method(copy(&req), Method::Post).unwrap().unwrap();
        h.set_authority(copy(&req), Some(address)).unwrap().unwrap();
        h.set_path_with_query(copy(&req), Some("/p?q".into()))
            .unwrap()
            .unwrap();
        let body = h.body(copy(&req)).unwrap().unwrap();
        let out = t::HostOutgoingBody::write(&mut h, copy(&body))
            .unwrap()
            .unwrap();
        h.blocking_write_and_flush(copy(&out), b"hello".to_vec())
            .unwrap();
        let future = outgoing_handler::Host::handle(&mut h, req, None).unwrap();
        // Not ready while the body is unfinished.
        assert!(
            t::HostFutureIncomingResponse::get(&mut h, copy(&future))
                .unwrap()
                .is_none()
        );
        HostOutputStream::drop(&mut h, out).unwrap();
        t::HostOutgoingBody::finish(&mut h, body, None).unwrap();
        let pollable = t::HostFutureIncomingResponse::subscribe(&mut h, copy(&future)).unwrap();
        assert!(HostPollable::ready(&mut h, copy(&pollable)).unwrap());
        HostPollable::drop(&mut h, pollable).unwrap();
        let resp = t::HostFutureIncomingResponse::get(&mut h, copy(&future))
            .unwrap()
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(matches!(
            t::HostFutureIncomingResponse::get(&mut h, copy(&future)).unwrap(),
            Some(Err(()))
        ));
        let seen = String::from_utf8(server.join().unwrap()).unwrap();
        assert!(seen.starts_with("POST /p?q HTTP/1.1\r\n"), "{seen}");
        assert!(
            seen.contains("x-one: 1\r\n") && seen.ends_with("hello"),
            "{seen}"
        );
        assert_eq!(
            t::HostIncomingResponse::status(&mut h, copy(&resp)).unwrap(),
            201
        );
        let rh = t::HostIncomingResponse::headers(&mut h, copy(&resp)).unwrap();
        assert_eq!(
            HostFields::get(&mut h, copy(&rh), "X-A".into()).unwrap(),
            [b"1"]
        );
        assert!(HostFields::set(&mut h, rh, "x-b".into(), vec![]).is_err());
        let inb = t::HostIncomingResponse::consume(&mut h, copy(&resp))
            .unwrap()
            .unwrap();
        assert!(
            t::HostIncomingResponse::consume(&mut h, copy(&resp))
                .unwrap()
                .is_err()
        );
        let stream = t::HostIncomingBody::stream(&mut h, copy(&inb))
            .unwrap()
            .unwrap();
        // The body cannot finish while its stream lives.
        assert!(t::HostIncomingBody::finish(&mut h, copy(&inb)).is_err());
        assert_eq!(h.blocking_read(copy(&stream), 10).unwrap(), b"hi");
        assert!(HostInputStream::read(&mut h, copy(&stream), 10).is_err());
        HostInputStream::drop(&mut h, stream).unwrap();
        let trailers = t::HostIncomingBody::finish(&mut h, inb).unwrap();
        let got = t::HostFutureTrailers::get(&mut h, copy(&trailers)).unwrap();
        let Some(Ok(Ok(Some(fields)))) = got else {
            panic!("no trailers")
        };
        assert_eq!(
            HostFields::entries(&mut h, fields).unwrap(),
            [("x-t".to_string(), b"2".to_vec())]
        );
    }

    #[test]
    fn requests_leave_only_for_loopback() {
        let mut h = host();
        let fields = HostFields::new(&mut h).unwrap();
        let req = t::HostOutgoingRequest::new(&mut h, fields).unwrap();
        h.set_authority(copy(&req), Some("example.com:80".into()))
            .unwrap()
            .unwrap();
        let future = outgoing_handler::Host::handle(&mut h, req, None).unwrap();
        let got = t::HostFutureIncomingResponse::get(&mut h, future).unwrap();
        assert!(matches!(got, Some(Ok(Err(ErrorCode::HttpRequestDenied)))));
    }

    /// One random wasi:http call with handles live, dropped or never made;
    /// requests go to a loopback port nothing listens on.
    fn step(h: &mut P2<ReferenceHost>, rng: &mut SplitMix64) {
        fn r<T: 'static>(rng: &mut SplitMix64) -> Resource<T> {
            Resource::new_own((rng.next_u64() % 6) as u32)
        }
        let name = |rng: &mut SplitMix64| {
            ["x-a", "bad name", "host", ""][(rng.next_u64() % 4) as usize].to_string()
        };
        match rng.next_u64() % 16 {
            0 => drop(HostFields::new(h)),
            1 => drop(h.from_list(vec![(name(rng), b"v".to_vec())])),
            2 => drop(HostFields::append(h, r(rng), name(rng), b"\n".to_vec())),
            3 => drop(HostFields::delete(h, r(rng), name(rng))),
            4 => drop(t::HostOutgoingRequest::new(h, r(rng))),
            5 => drop(h.body(r(rng))),
            6 => drop(h.set_authority(r(rng), Some("127.0.0.1:1".into()))),
            7 => drop(t::HostOutgoingBody::write(h, r(rng))),
            8 => drop(t::HostOutgoingBody::finish(h, r(rng), None)),
            9 => {
                let (req, o) = (r(rng), r(rng));
                drop(outgoing_handler::Host::handle(h, req, Some(o)));
            }
            10 => drop(t::HostFutureIncomingResponse::get(h, r(rng))),
            11 => drop(t::HostFutureIncomingResponse::subscribe(h, r(rng))),
            12 => drop(HostPollable::ready(h, r(rng))),
            13 => drop(t::HostIncomingBody::finish(h, r(rng))),
            14 => drop(HostOutputStream::write(h, r(rng), vec![0; 3])),
            _ => match rng.next_u64() % 5 {
                0 => drop(HostFields::drop(h, r(rng))),
                1 => drop(t::HostOutgoingRequest::drop(h, r(rng))),
                2 => drop(t::HostOutgoingBody::drop(h, r(rng))),
                3 => drop(t::HostFutureIncomingResponse::drop(h, r(rng))),
                _ => drop(HostPollable::drop(h, r(rng))),
            },
        }
    }

    #[test]
    fn random_http_calls_never_panic() {
        let mut rng = SplitMix64::new(17);
        let mut h = host();
        for call in 0..5_000 {
            if call % 100 == 0 {
                h = host();
            }
            let ok = catch_unwind(AssertUnwindSafe(|| step(&mut h, &mut rng)));
            assert!(ok.is_ok(), "call {call} panicked");
        }
    }
}
