//! `wasi:io`: errors, pollables and streams over stdio, files and TCP
//! connections.
//!
//! Everything is in memory: a stdio or file stream is always ready, a
//! socket's readiness follows the loopback model (sockets), and clock
//! pollables wait by advancing virtual time (RATIONALE.md, "How do WASI 0.2
//! streams and pollables behave on the reference host?"). A wait that only
//! the guest itself could end (reading a connection nobody writes) traps.

use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::sync::io::{error, poll, streams};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, StreamError};

use super::errors::{Failed, IoError};
use super::sockets::{Pipe, deadlock};
use super::{Input, P2, Parent, Pollable, Sink, Source, trap};
use crate::errno::Errno;
use crate::system::System;
use crate::types::{Clockid, Subclockflags, Subscription, SubscriptionKind, Timestamp};

/// Bytes one `read` returns at most.
pub const READ_MAX: u64 = 1 << 20;
/// What `check-write` permits: the next `write` may be this long.
pub const WRITE_PERMIT: u64 = 1 << 20;
/// The WIT's limit for `blocking-write-and-flush` and
/// `blocking-write-zeroes-and-flush`: "up to 4096 bytes".
pub const BLOCKING_MAX: u64 = 4096;

fn failed(errno: Errno) -> StreamError {
    StreamError::LastOperationFailed(wasmtime::Error::new(Failed(IoError::Errno(errno))))
}

/// When a pollable is ready.
#[derive(Clone, Copy)]
enum Readiness {
    Now,
    /// When monotonic time reaches this instant.
    At(Timestamp),
    /// Only once the guest does something: never, while it waits.
    Pending,
}

impl<S: System> P2<S> {
    fn pipe(&mut self, rep: u32) -> Result<&mut Pipe, StreamError> {
        self.net.pipes.get_mut(rep).map_err(StreamError::Trap)
    }

    /// Up to `len` bytes from input `rep`; `closed` at its end and after
    /// a failed read.
    fn read_input(&mut self, rep: u32, len: u64, blocks: bool) -> Result<Vec<u8>, StreamError> {
        let result = self.read_source(rep, len, blocks);
        if let Err(StreamError::LastOperationFailed(_)) = &result
            && let Ok(input) = self.inputs.get_mut(rep)
        {
            input.closed = true;
        }
        result
    }

    /// A socket with nothing to read gives nothing, or, if the call
    /// `blocks`, traps; a closed one fails even a read of 0 bytes ("If the
    /// stream is still open, this call should succeed and return an empty
    /// list, or otherwise fail with `closed`").
    fn read_source(&mut self, rep: u32, len: u64, blocks: bool) -> Result<Vec<u8>, StreamError> {
        let len = len.min(READ_MAX) as usize;
        let input = self.inputs.get(rep).map_err(StreamError::Trap)?;
        if input.closed {
            return Err(StreamError::Closed);
        }
        let data = match input.source {
            Source::Socket { pipe, .. } => {
                let pipe = self.pipe(pipe)?;
                if blocks && !pipe.readable() {
                    return Err(StreamError::Trap(deadlock("a blocking read")));
                }
                return pipe.read(len);
            }
            _ if len == 0 => return Ok(Vec::new()),
            Source::Stdin => self.sys.fd_read(0, len).map_err(failed)?,
            Source::File { fd, offset, .. } => {
                self.sys.fd_pread(fd, len, offset).map_err(failed)?
            }
            Source::HttpBody { body, offset } => {
                match self
                    .read_body(body, offset, len)
                    .map_err(StreamError::Trap)?
                {
                    Some(data) => data,
                    // A body cut short fails at its end with its error-code.
                    None => match self.body_error(body).map_err(StreamError::Trap)? {
                        Some(code) => {
                            return Err(StreamError::LastOperationFailed(wasmtime::Error::new(
                                Failed(IoError::Http(code)),
                            )));
                        }
                        None => Vec::new(),
                    },
                }
            }
        };
        if data.is_empty() {
            return Err(StreamError::Closed);
        }
        if let Ok(Input {
            source: Source::File { offset, .. } | Source::HttpBody { offset, .. },
            ..
        }) = self.inputs.get_mut(rep)
        {
            *offset = offset.saturating_add(data.len() as u64);
        }
        Ok(data)
    }

    /// The sink of output `rep`; `closed` once an operation on it failed
    /// or, for a socket, once its connection no longer takes bytes.
    fn sink(&mut self, rep: u32) -> Result<Sink, StreamError> {
        let out = self.outputs.get(rep).map_err(StreamError::Trap)?;
        if out.closed {
            return Err(StreamError::Closed);
        }
        let sink = out.sink;
        if let Sink::Socket { pipe, .. } = sink {
            self.pipe(pipe)?.room()?;
        }
        Ok(sink)
    }

    /// Writes all of `bytes` to output `rep`; a failure closes the stream.
    fn write_output(&mut self, rep: u32, bytes: &[u8]) -> Result<(), StreamError> {
        let result = self.write_sink(rep, bytes);
        if let Err(StreamError::LastOperationFailed(_)) = &result
            && let Ok(out) = self.outputs.get_mut(rep)
        {
            out.closed = true;
        }
        result
    }

    fn write_sink(&mut self, rep: u32, bytes: &[u8]) -> Result<(), StreamError> {
        let sink = self.sink(rep)?;
        match sink {
            Sink::Socket { pipe, .. } => self.pipe(pipe)?.write(bytes),
            Sink::Stdout => self.sys.fd_write(1, &[bytes]).map(drop).map_err(failed),
            Sink::Stderr => self.sys.fd_write(2, &[bytes]).map(drop).map_err(failed),
            Sink::HttpBody { exchange, .. } => {
                self.write_body(exchange, bytes).map_err(StreamError::Trap)
            }
            Sink::File { fd, offset, .. } => {
                let at = match offset {
                    Some(at) => at,
                    None => self.sys.fd_filestat_get(fd).map_err(failed)?.size,
                };
                let n = self.sys.fd_pwrite(fd, &[bytes], at).map_err(failed)?;
                if let Ok(out) = self.outputs.get_mut(rep)
                    && let Sink::File {
                        offset: Some(offset),
                        ..
                    } = &mut out.sink
                {
                    *offset = offset.saturating_add(n.into());
                }
                Ok(())
            }
        }
    }

    /// Takes `len` bytes from what `check-write` permitted; more traps, as
    /// the WIT's precondition of `write` says.
    fn spend_permit(&mut self, rep: u32, len: u64) -> Result<(), StreamError> {
        self.sink(rep)?;
        let out = self.outputs.get_mut(rep).map_err(StreamError::Trap)?;
        if len > out.permit {
            return Err(StreamError::Trap(trap(format!(
                "a write of {len} bytes exceeds the {} check-write permitted",
                out.permit
            ))));
        }
        out.permit -= len;
        Ok(())
    }

    /// A pollable on `parent`, which it keeps alive.
    pub(super) fn subscribe_to(
        &mut self,
        parent: Parent,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        match parent {
            Parent::Input(rep) => self.inputs.adopt(rep)?,
            Parent::Output(rep) => self.outputs.adopt(rep)?,
            Parent::Response(rep) => self.http_futures_adopt(rep, true)?,
            Parent::Trailers(rep) => self.http_futures_adopt(rep, false)?,
            _ => self.socket_adopt(parent)?,
        }
        Ok(Resource::new_own(
            self.pollables.insert(Pollable::Of { parent })?,
        ))
    }

    /// When pollable `rep` is ready. A response's request is sent here.
    fn readiness(&mut self, rep: u32) -> wasmtime::Result<Readiness> {
        let parent = match *self.pollables.get(rep)? {
            Pollable::Instant(t) => return Ok(Readiness::At(t)),
            Pollable::Of { parent } => parent,
        };
        let ready = match parent {
            Parent::Input(rep) => match self.inputs.get(rep)? {
                Input {
                    source: Source::Socket { pipe, .. },
                    closed: false,
                } => self.net.pipes.get(*pipe)?.readable(),
                _ => true,
            },
            Parent::Output(rep) => match self.outputs.get(rep)?.sink {
                Sink::Socket { pipe, .. } => self.net.pipes.get(pipe)?.writable(),
                Sink::Stdout | Sink::Stderr | Sink::File { .. } | Sink::HttpBody { .. } => true,
            },
            // Pending while the request's body is unfinished: only the
            // guest itself can finish it.
            Parent::Response(future) => self.http_settle(future)?,
            Parent::Trailers(_) => true,
            _ => self.socket_ready(parent)?,
        };
        Ok(if ready {
            Readiness::Now
        } else {
            Readiness::Pending
        })
    }

    /// Reads up to `len` bytes (at most what `check-write` would permit) and
    /// writes them; the input's `closed` or error is the result.
    fn splice_with(
        &mut self,
        dst: u32,
        src: u32,
        len: u64,
        blocks: bool,
    ) -> Result<u64, StreamError> {
        let room = match self.sink(dst)? {
            Sink::Socket { pipe, .. } => self.pipe(pipe)?.room()?,
            Sink::Stdout | Sink::Stderr | Sink::File { .. } | Sink::HttpBody { .. } => WRITE_PERMIT,
        };
        let data = self.read_input(src, len.min(WRITE_PERMIT).min(room), blocks)?;
        self.write_output(dst, &data)?;
        Ok(data.len() as u64)
    }

    /// Advances virtual time to monotonic instant `t` (a `poll_oneoff` on an
    /// absolute monotonic clock, as preview1 waits).
    fn wait_until(&mut self, t: Timestamp) {
        let sub = Subscription {
            userdata: 0,
            kind: SubscriptionKind::Clock {
                id: Clockid::Monotonic,
                timeout: t,
                precision: 0,
                flags: Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
            },
        };
        let _ = self.sys.poll_oneoff(&[sub]);
    }
}

impl<S: System> error::Host for P2<S> {}

impl<S: System> error::HostError for P2<S> {
    fn to_debug_string(&mut self, err: Resource<error::Error>) -> wasmtime::Result<String> {
        Ok(self.errors.get(err.rep())?.to_string())
    }

    fn drop(&mut self, err: Resource<error::Error>) -> wasmtime::Result<()> {
        self.errors.remove(err.rep()).map(drop)
    }
}

impl<S: System> poll::Host for P2<S> {
    /// Ready pollables' indices; if none is, time advances to the earliest
    /// instant waited for. The WIT: "The list must not be empty".
    fn poll(&mut self, list: Vec<Resource<DynPollable>>) -> wasmtime::Result<Vec<u32>> {
        if list.is_empty() {
            return Err(trap("poll: the list must not be empty"));
        }
        if u32::try_from(list.len()).is_err() {
            return Err(trap("poll: more than 2^32 pollables"));
        }
        let all = list
            .iter()
            .map(|p| self.readiness(p.rep()))
            .collect::<wasmtime::Result<Vec<_>>>()?;
        let mut now = self.read_clock(Clockid::Monotonic);
        let ready = |r: &Readiness, now| match *r {
            Readiness::Now => true,
            Readiness::At(t) => t <= now,
            Readiness::Pending => false,
        };
        if !all.iter().any(|r| ready(r, now)) {
            let Some(earliest) = all
                .iter()
                .filter_map(|r| match r {
                    Readiness::At(t) => Some(*t),
                    _ => None,
                })
                .min()
            else {
                return Err(deadlock("poll"));
            };
            self.wait_until(earliest);
            now = now.max(earliest);
        }
        Ok((0..)
            .zip(&all)
            .filter(|(_, r)| ready(r, now))
            .map(|(i, _)| i)
            .collect())
    }
}

impl<S: System> poll::HostPollable for P2<S> {
    fn ready(&mut self, p: Resource<DynPollable>) -> wasmtime::Result<bool> {
        Ok(match self.readiness(p.rep())? {
            Readiness::Now => true,
            Readiness::At(t) => self.read_clock(Clockid::Monotonic) >= t,
            Readiness::Pending => false,
        })
    }

    fn block(&mut self, p: Resource<DynPollable>) -> wasmtime::Result<()> {
        match self.readiness(p.rep())? {
            Readiness::Now => Ok(()),
            Readiness::At(t) => {
                self.wait_until(t);
                Ok(())
            }
            Readiness::Pending => Err(deadlock("block")),
        }
    }

    fn drop(&mut self, p: Resource<DynPollable>) -> wasmtime::Result<()> {
        if let Pollable::Of { parent } = self.pollables.remove(p.rep())? {
            match parent {
                Parent::Input(rep) => self.inputs.release(rep),
                Parent::Output(rep) => self.outputs.release(rep),
                Parent::Response(rep) => self.http_futures_release(rep, true),
                Parent::Trailers(rep) => self.http_futures_release(rep, false),
                _ => self.socket_release(parent),
            }
        }
        Ok(())
    }
}

impl<S: System> streams::Host for P2<S> {
    fn convert_stream_error(&mut self, err: StreamError) -> wasmtime::Result<streams::StreamError> {
        match err {
            StreamError::Closed => Ok(streams::StreamError::Closed),
            StreamError::LastOperationFailed(e) => {
                let error = e
                    .downcast_ref::<Failed>()
                    .map_or(IoError::Errno(Errno::Io), |f| f.0.clone());
                let rep = self.errors.insert(error)?;
                Ok(streams::StreamError::LastOperationFailed(
                    Resource::new_own(rep),
                ))
            }
            StreamError::Trap(e) => Err(e),
        }
    }
}

impl<S: System> streams::HostInputStream for P2<S> {
    fn read(&mut self, s: Resource<DynInputStream>, len: u64) -> Result<Vec<u8>, StreamError> {
        self.read_input(s.rep(), len, false)
    }

    fn blocking_read(
        &mut self,
        s: Resource<DynInputStream>,
        len: u64,
    ) -> Result<Vec<u8>, StreamError> {
        self.read_input(s.rep(), len, true)
    }

    fn skip(&mut self, s: Resource<DynInputStream>, len: u64) -> Result<u64, StreamError> {
        self.read_input(s.rep(), len, false).map(|d| d.len() as u64)
    }

    fn blocking_skip(&mut self, s: Resource<DynInputStream>, len: u64) -> Result<u64, StreamError> {
        self.read_input(s.rep(), len, true).map(|d| d.len() as u64)
    }

    fn subscribe(
        &mut self,
        s: Resource<DynInputStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Input(s.rep()))
    }

    /// A socket's input stream going is a `shutdown(receive)` of its
    /// connection (as wasmtime does).
    fn drop(&mut self, s: Resource<DynInputStream>) -> wasmtime::Result<()> {
        match self.inputs.remove(s.rep())?.source {
            Source::File { parent, .. } => self.descriptors.release(parent),
            Source::Socket { pipe, parent } => {
                if let Ok(pipe) = self.net.pipes.get_mut(pipe) {
                    pipe.shut_read();
                }
                self.net.release_tcp(parent);
            }
            Source::HttpBody { body, .. } => self.http_body_in_release(body),
            Source::Stdin => {}
        }
        Ok(())
    }
}

impl<S: System> streams::HostOutputStream for P2<S> {
    /// A socket permits what its connection has room for (0 when full).
    fn check_write(&mut self, s: Resource<DynOutputStream>) -> Result<u64, StreamError> {
        let permit = match self.sink(s.rep())? {
            Sink::Socket { pipe, .. } => self.pipe(pipe)?.room()?.min(WRITE_PERMIT),
            Sink::Stdout | Sink::Stderr | Sink::File { .. } | Sink::HttpBody { .. } => WRITE_PERMIT,
        };
        let out = self.outputs.get_mut(s.rep()).map_err(StreamError::Trap)?;
        out.permit = permit;
        Ok(permit)
    }

    fn write(
        &mut self,
        s: Resource<DynOutputStream>,
        contents: Vec<u8>,
    ) -> Result<(), StreamError> {
        self.spend_permit(s.rep(), contents.len() as u64)?;
        self.write_output(s.rep(), &contents)
    }

    fn blocking_write_and_flush(
        &mut self,
        s: Resource<DynOutputStream>,
        contents: Vec<u8>,
    ) -> Result<(), StreamError> {
        if contents.len() as u64 > BLOCKING_MAX {
            return Err(StreamError::trap(
                "blocking-write-and-flush: more than 4096 bytes",
            ));
        }
        self.write_output(s.rep(), &contents)
    }

    fn flush(&mut self, s: Resource<DynOutputStream>) -> Result<(), StreamError> {
        self.sink(s.rep()).map(drop)
    }

    fn blocking_flush(&mut self, s: Resource<DynOutputStream>) -> Result<(), StreamError> {
        self.flush(s)
    }

    fn subscribe(
        &mut self,
        s: Resource<DynOutputStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Output(s.rep()))
    }

    fn write_zeroes(&mut self, s: Resource<DynOutputStream>, len: u64) -> Result<(), StreamError> {
        self.spend_permit(s.rep(), len)?;
        self.write_output(s.rep(), &vec![0; len as usize])
    }

    fn blocking_write_zeroes_and_flush(
        &mut self,
        s: Resource<DynOutputStream>,
        len: u64,
    ) -> Result<(), StreamError> {
        if len > BLOCKING_MAX {
            return Err(StreamError::trap(
                "blocking-write-zeroes-and-flush: more than 4096 bytes",
            ));
        }
        self.write_output(s.rep(), &vec![0; len as usize])
    }

    fn splice(
        &mut self,
        dst: Resource<DynOutputStream>,
        src: Resource<DynInputStream>,
        len: u64,
    ) -> Result<u64, StreamError> {
        self.splice_with(dst.rep(), src.rep(), len, false)
    }

    fn blocking_splice(
        &mut self,
        dst: Resource<DynOutputStream>,
        src: Resource<DynInputStream>,
        len: u64,
    ) -> Result<u64, StreamError> {
        self.splice_with(dst.rep(), src.rep(), len, true)
    }

    /// A socket's output stream going is a `shutdown(send)` of its
    /// connection (as wasmtime does): the peer reads to the end.
    fn drop(&mut self, s: Resource<DynOutputStream>) -> wasmtime::Result<()> {
        match self.outputs.remove(s.rep())?.sink {
            Sink::File { parent, .. } => self.descriptors.release(parent),
            Sink::HttpBody { parent, .. } => self.http_body_out_release(parent),
            Sink::Socket { pipe, parent } => {
                if let Ok(pipe) = self.net.pipes.get_mut(pipe) {
                    pipe.shut_write();
                }
                self.net.release_tcp(parent);
            }
            Sink::Stdout | Sink::Stderr => {}
        }
        Ok(())
    }
}
