//! The server side of `wasi:http` 0.2 (the `wasi:http/proxy` world): the
//! `incoming-request` a served guest's `incoming-handler.handle` is given,
//! its `response-outparam`, and what the guest answered through it.
//! The harness makes the request from a case's `request` as a client
//! would send it ([`P2::serve_request`]) and reads the answer once `handle`
//! returned ([`P2::served`]).

use wasmtime::component::Resource;
use wasmtime_wasi_http::FieldMap;
use wasmtime_wasi_http::p2::bindings::http::types::{self as t, ErrorCode, Method, Scheme};
use wasmtime_wasi_http::p2::body::HostIncomingBody;
use wasmtime_wasi_http::p2::types::{
    HostIncomingRequest, HostOutgoingResponse, HostResponseOutparam,
};
use wasmtime_wasi_http::p2::{HttpError, HttpResult};

use super::super::P2;
use super::super::table::Table;
use super::wire::FieldList;
use super::{BodyState, InBody, clone_method};
use crate::system::System;

/// A request as the client sent it, for the served guest.
pub struct ServedRequest {
    /// The method token (`GET`, `PURGE`).
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// The header fields in order, as on the wire (`host` included).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a served guest answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Served {
    /// A response set on the outparam, with the body written into it by the
    /// time `handle` returned.
    Response {
        status: u16,
        headers: FieldList,
        body: Vec<u8>,
        /// The trailers `outgoing-body.finish` was given.
        trailers: Option<FieldList>,
        /// Whether the body was finished (else it was dropped or left
        /// unfinished: the response is cut short).
        complete: bool,
    },
    /// The outparam was set to an error.
    Error,
    /// The outparam was never set.
    NotSet,
}

/// The served request and its outparam.
pub(super) struct Server {
    requests: Table<InRequest>,
    outparams: Table<()>,
    /// What the outparam was set to: a response (its status, headers and
    /// the rep of its body's exchange) or an error.
    set: Option<Result<(u16, FieldList, Option<u32>), ErrorCode>>,
}

impl Server {
    pub(super) fn new() -> Self {
        Server {
            requests: Table::new("incoming-request"),
            outparams: Table::new("response-outparam"),
            set: None,
        }
    }
}

/// An `incoming-request`.
struct InRequest {
    method: Method,
    target: String,
    authority: Option<String>,
    headers: FieldList,
    body: Option<InBody>,
}

/// The method of a request line (RFC 9110, section 9: method names are
/// case-sensitive, so only the exact upper-case tokens are the WIT cases).
fn method(token: &str) -> Method {
    match token {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "CONNECT" => Method::Connect,
        "OPTIONS" => Method::Options,
        "TRACE" => Method::Trace,
        "PATCH" => Method::Patch,
        other => Method::Other(other.to_string()),
    }
}

impl<S: System> P2<S> {
    /// The `incoming-request` and `response-outparam` that a served guest's
    /// `incoming-handler.handle` is called with for `request`. Its scheme is
    /// `HTTP` (the harness serves plain HTTP) and its authority the `host`
    /// header's, as a server reads an origin-form target.
    pub fn serve_request(
        &mut self,
        request: ServedRequest,
    ) -> wasmtime::Result<(
        Resource<HostIncomingRequest>,
        Resource<HostResponseOutparam>,
    )> {
        let authority = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.clone());
        let server = &mut self.http.server;
        let req = server.requests.insert(InRequest {
            method: method(&request.method),
            target: request.target,
            authority,
            headers: request
                .headers
                .into_iter()
                .map(|(n, v)| (n, v.into_bytes()))
                .collect(),
            body: Some(InBody {
                data: request.body,
                trailers: None,
                error: None,
                stream_taken: false,
            }),
        })?;
        let out = server.outparams.insert(())?;
        Ok((Resource::new_own(req), Resource::new_own(out)))
    }

    /// What the guest answered: call once `handle` returned.
    pub fn served(&mut self) -> Served {
        match self.http.server.set.take() {
            None => Served::NotSet,
            Some(Err(_)) => Served::Error,
            Some(Ok((status, headers, exchange))) => {
                let ex = exchange.and_then(|e| self.http.exchanges.remove(e).ok());
                let (body, trailers, complete) = match ex {
                    // A response whose `body` was never taken has none.
                    None => (Vec::new(), None, exchange.is_none()),
                    Some(ex) => (ex.data, ex.trailers, ex.state == BodyState::Finished),
                };
                Served::Response {
                    status,
                    headers,
                    body,
                    trailers,
                    complete,
                }
            }
        }
    }

    fn incoming(&mut self, r: &Resource<HostIncomingRequest>) -> wasmtime::Result<&mut InRequest> {
        self.http.server.requests.get_mut(r.rep())
    }
}

impl<S: System> t::HostIncomingRequest for P2<S> {
    fn method(&mut self, r: Resource<HostIncomingRequest>) -> wasmtime::Result<Method> {
        Ok(clone_method(&self.incoming(&r)?.method))
    }

    fn path_with_query(
        &mut self,
        r: Resource<HostIncomingRequest>,
    ) -> wasmtime::Result<Option<String>> {
        Ok(Some(self.incoming(&r)?.target.clone()))
    }

    fn scheme(&mut self, r: Resource<HostIncomingRequest>) -> wasmtime::Result<Option<Scheme>> {
        self.incoming(&r)?;
        Ok(Some(Scheme::Http))
    }

    fn authority(&mut self, r: Resource<HostIncomingRequest>) -> wasmtime::Result<Option<String>> {
        Ok(self.incoming(&r)?.authority.clone())
    }

    /// Immutable, as the WIT says of the request's `headers`.
    fn headers(
        &mut self,
        r: Resource<HostIncomingRequest>,
    ) -> wasmtime::Result<Resource<FieldMap>> {
        let entries = self.incoming(&r)?.headers.clone();
        self.http.new_fields(entries, false)
    }

    /// "Will only return success at most once, and subsequent calls will
    /// return error." (`incoming-request.consume`).
    fn consume(
        &mut self,
        r: Resource<HostIncomingRequest>,
    ) -> wasmtime::Result<Result<Resource<HostIncomingBody>, ()>> {
        match self.incoming(&r)?.body.take() {
            None => Ok(Err(())),
            Some(body) => Ok(Ok(Resource::new_own(self.http.bodies_in.insert(body)?))),
        }
    }

    fn drop(&mut self, r: Resource<HostIncomingRequest>) -> wasmtime::Result<()> {
        self.http.server.requests.remove(r.rep()).map(drop)
    }
}

impl<S: System> t::HostResponseOutparam for P2<S> {
    /// Dropped unset: the host answers with an error ([`Served::NotSet`]).
    fn drop(&mut self, p: Resource<HostResponseOutparam>) -> wasmtime::Result<()> {
        self.http.server.outparams.remove(p.rep()).map(drop)
    }

    /// Takes the response: its body, if taken, is read from now on (the
    /// harness reads it when `handle` returns).
    fn set(
        &mut self,
        p: Resource<HostResponseOutparam>,
        response: Result<Resource<HostOutgoingResponse>, ErrorCode>,
    ) -> wasmtime::Result<()> {
        self.http.server.outparams.remove(p.rep())?;
        let set = match response {
            Err(code) => Err(code),
            Ok(r) => {
                let resp = self.http.responses_out.remove(r.rep())?;
                if let Some(e) = resp.body {
                    self.http.exchanges.get_mut(e)?.unread = false;
                }
                Ok((resp.status, resp.headers, resp.body))
            }
        };
        self.http.server.set = Some(set);
        Ok(())
    }

    /// The reference host sends no informational responses: the WIT allows
    /// "an `internal-error` if the implementation does not support
    /// informational responses".
    fn send_informational(
        &mut self,
        p: Resource<HostResponseOutparam>,
        _: u16,
        _: Resource<FieldMap>,
    ) -> HttpResult<()> {
        self.http
            .server
            .outparams
            .get(p.rep())
            .map_err(HttpError::trap)?;
        Err(ErrorCode::InternalError(None).into())
    }
}
