//! `wasi:sockets/tcp` and `tcp-create-socket`: the WIT's socket states
//! (`unbound`, `bind-in-progress`, `bound`, `listen-in-progress`,
//! `listening`, `connect-in-progress`, `connected`, `closed`) over the
//! loopback model. A connect is decided when it starts (the peer is in
//! this run or nowhere) and reported by `finish-connect`; an accepted
//! connection is two pipes, one per direction.

use std::collections::VecDeque;
use std::net::SocketAddr;

use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Network,
};
use wasmtime_wasi::p2::bindings::sockets::tcp_create_socket;
use wasmtime_wasi::p2::bindings::sync::sockets::tcp::{self, ShutdownType};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, SocketError, TcpSocket};

use super::super::{Input, Output, P2, Parent, Sink, Source};
use super::pipe::Pipe;
use super::{Net, Proto, check_remote, err, is_unicast, loopback, matches, plain, reachable, t};
use crate::system::System;

/// The listen backlog until `set-listen-backlog-size` (Rust std's and
/// wasmtime's default).
const DEFAULT_BACKLOG: u64 = 128;

/// The asynchronous operation a socket is in the middle of.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    Bind,
    Connect,
    Listen,
}

/// The socket options: stored and read back, inherited by accepted
/// sockets; nothing else in the model depends on them.
#[derive(Clone, Copy)]
struct Options {
    keep_alive: bool,
    idle_time: u64,
    interval: u64,
    count: u32,
    hop_limit: u8,
    receive_buffer: u64,
    send_buffer: u64,
}

impl Default for Options {
    /// Linux's defaults (keep-alive after 2 h idle, every 75 s, 9 probes;
    /// TTL 64); 64 KiB buffers.
    fn default() -> Self {
        Options {
            keep_alive: false,
            idle_time: 7_200_000_000_000,
            interval: 75_000_000_000,
            count: 9,
            hop_limit: 64,
            receive_buffer: 64 << 10,
            send_buffer: 64 << 10,
        }
    }
}

/// A connection seen from one end: the peer's address and the pipes this
/// end reads (`rx`) and writes (`tx`).
#[derive(Clone, Copy)]
struct Conn {
    remote: SocketAddr,
    rx: u32,
    tx: u32,
}

enum State {
    /// `unbound` or `bound` (or binding): `local` tells.
    Open,
    /// `listen-in-progress` or `listening`: connections not accepted yet,
    /// each with the local address it was made to.
    Listening(VecDeque<(SocketAddr, Conn)>),
    /// `connect-in-progress`: what `finish-connect` reports.
    Connecting(Result<Conn, ErrorCode>),
    Connected(Conn),
    Closed,
}

/// A TCP socket of the model.
pub struct Tcp {
    family: IpAddressFamily,
    /// The bound address, from `start-bind` (or the implicit bind of a connect).
    pub local: Option<SocketAddr>,
    in_progress: Option<Op>,
    state: State,
    backlog: u64,
    options: Options,
}

impl Tcp {
    fn new(family: IpAddressFamily) -> Self {
        Tcp {
            family,
            local: None,
            in_progress: None,
            state: State::Open,
            backlog: DEFAULT_BACKLOG,
            options: Options::default(),
        }
    }

    /// `bound` in the WIT's sense: bound and no bind in progress.
    fn bound(&self) -> bool {
        self.local.is_some() && self.in_progress != Some(Op::Bind)
    }

    fn listening(&self) -> bool {
        matches!(self.state, State::Listening(_)) && self.in_progress != Some(Op::Listen)
    }

    /// The subscribe pollable: a listener is ready when a connection waits
    /// for `accept`; everything else finishes at once in the model.
    pub fn ready(&self) -> bool {
        match &self.state {
            State::Listening(queue) if self.listening() => !queue.is_empty(),
            _ => true,
        }
    }

    /// Fails with `invalid-state` once `closed` ("TCP socket methods may
    /// always return `error(invalid-state)` when in the `closed` state").
    fn check_open(&self) -> Result<(), SocketError> {
        match self.state {
            State::Closed => err(ErrorCode::InvalidState),
            _ => Ok(()),
        }
    }
}

impl Net {
    /// Connects a socket of `family` bound to `local` (or unbound) to
    /// `remote`: the local address it ends up with and the connection, or
    /// the error `finish-connect` reports.
    fn connect(
        &mut self,
        family: IpAddressFamily,
        local: Option<SocketAddr>,
        remote: SocketAddr,
    ) -> Result<(SocketAddr, Conn), ErrorCode> {
        let code = |e: SocketError| e.downcast().unwrap_or(ErrorCode::Unknown);
        reachable(remote).map_err(code)?;
        let local = match local {
            Some(local) => SocketAddr::new(loopback(family), local.port()),
            None => {
                let any = SocketAddr::new(loopback(family), 0);
                self.bind_address(Proto::Tcp, family, any, true)
                    .map_err(code)?
            }
        };
        let listener = self.tcp.iter().find_map(|(rep, s)| match &s.state {
            State::Listening(queue)
                if s.family == family && s.local.is_some_and(|l| matches(l, remote)) =>
            {
                Some((rep, queue.len() as u64 >= s.backlog))
            }
            _ => None,
        });
        let Some((listener, false)) = listener else {
            // Nobody listens there, or the backlog is full (RATIONALE.md).
            return Err(ErrorCode::ConnectionRefused);
        };
        let (Ok(up), Ok(down)) = (
            self.pipes.insert(Pipe::new()),
            self.pipes.insert(Pipe::new()),
        ) else {
            return Err(ErrorCode::OutOfMemory);
        };
        if let Ok(Tcp {
            state: State::Listening(queue),
            ..
        }) = self.tcp.get_mut(listener)
        {
            let server = Conn {
                remote: local,
                rx: up,
                tx: down,
            };
            queue.push_back((remote, server));
        }
        let client = Conn {
            remote,
            rx: down,
            tx: up,
        };
        Ok((local, client))
    }

    /// One end of `conn` goes away: its peer's reads end, its peer's writes
    /// are `closed`.
    fn hang_up(&mut self, conn: Conn) {
        for (rep, reading) in [(conn.rx, true), (conn.tx, false)] {
            if let Ok(pipe) = self.pipes.get_mut(rep) {
                if reading {
                    pipe.drop_reader();
                } else {
                    pipe.shut_write();
                }
                if pipe.release() {
                    let _ = self.pipes.remove(rep);
                }
            }
        }
    }
}

type Streams = (Resource<DynInputStream>, Resource<DynOutputStream>);

impl<S: System> P2<S> {
    fn tcp(&self, s: &Resource<TcpSocket>) -> Result<&Tcp, SocketError> {
        t(self.net.tcp.get(s.rep()))
    }

    fn tcp_mut(&mut self, s: &Resource<TcpSocket>) -> Result<&mut Tcp, SocketError> {
        t(self.net.tcp.get_mut(s.rep()))
    }

    /// The input and output streams of socket `rep`'s connection, its children.
    fn connection_streams(&mut self, rep: u32, conn: Conn) -> Result<Streams, SocketError> {
        let input = t(self.inputs.insert(Input::new(Source::Socket {
            pipe: conn.rx,
            parent: rep,
        })))?;
        let output = t(self.outputs.insert(Output::new(Sink::Socket {
            pipe: conn.tx,
            parent: rep,
        })))?;
        t(self.net.tcp.adopt(rep))?;
        t(self.net.tcp.adopt(rep))?;
        Ok((Resource::new_own(input), Resource::new_own(output)))
    }

    /// An option getter: the value, or `invalid-state` once closed.
    fn tcp_option<T>(
        &self,
        s: &Resource<TcpSocket>,
        get: impl Fn(&Options) -> T,
    ) -> Result<T, SocketError> {
        let socket = self.tcp(s)?;
        socket.check_open()?;
        Ok(get(&socket.options))
    }

    /// An option setter: `invalid-argument` for 0 where the WIT says "If
    /// the provided value is 0, an `invalid-argument` error is returned."
    fn set_tcp_option(
        &mut self,
        s: &Resource<TcpSocket>,
        zero: bool,
        set: impl FnOnce(&mut Options),
    ) -> Result<(), SocketError> {
        if zero {
            return err(ErrorCode::InvalidArgument);
        }
        let socket = self.tcp_mut(s)?;
        socket.check_open()?;
        set(&mut socket.options);
        Ok(())
    }
}

impl<S: System> tcp_create_socket::Host for P2<S> {
    fn create_tcp_socket(
        &mut self,
        family: IpAddressFamily,
    ) -> Result<Resource<TcpSocket>, SocketError> {
        self.net.check_granted()?;
        Ok(Resource::new_own(t(self.net.tcp.insert(Tcp::new(family)))?))
    }
}

impl<S: System> tcp::Host for P2<S> {}

impl<S: System> tcp::HostTcpSocket for P2<S> {
    fn start_bind(
        &mut self,
        s: Resource<TcpSocket>,
        n: Resource<Network>,
        local: IpSocketAddress,
    ) -> Result<(), SocketError> {
        self.check_network(&n)?;
        let socket = self.tcp(&s)?;
        if socket.in_progress.is_some() {
            return err(ErrorCode::ConcurrencyConflict);
        }
        // "Once a bind succeeds, the binding can't be changed anymore."
        if socket.local.is_some() || !matches!(socket.state, State::Open) {
            return err(ErrorCode::InvalidState);
        }
        let family = socket.family;
        let local = self
            .net
            .bind_address(Proto::Tcp, family, plain(local), true)?;
        let socket = self.tcp_mut(&s)?;
        socket.local = Some(local);
        socket.in_progress = Some(Op::Bind);
        Ok(())
    }

    fn finish_bind(&mut self, s: Resource<TcpSocket>) -> Result<(), SocketError> {
        let socket = self.tcp_mut(&s)?;
        if socket.in_progress != Some(Op::Bind) {
            return err(ErrorCode::NotInProgress);
        }
        socket.in_progress = None;
        Ok(())
    }

    fn start_connect(
        &mut self,
        s: Resource<TcpSocket>,
        n: Resource<Network>,
        remote: IpSocketAddress,
    ) -> Result<(), SocketError> {
        self.check_network(&n)?;
        let socket = self.tcp(&s)?;
        if socket.in_progress.is_some() {
            return err(ErrorCode::ConcurrencyConflict);
        }
        // "A single socket can not be used to connect more than once."
        if !matches!(socket.state, State::Open) {
            return err(ErrorCode::InvalidState);
        }
        let (family, local) = (socket.family, socket.local);
        let remote = plain(remote);
        check_remote(family, remote)?;
        if !is_unicast(remote.ip()) {
            return err(ErrorCode::InvalidArgument);
        }
        let outcome = self.net.connect(family, local, remote);
        let socket = self.tcp_mut(&s)?;
        socket.state = State::Connecting(outcome.map(|(local, conn)| {
            socket.local = Some(local);
            conn
        }));
        socket.in_progress = Some(Op::Connect);
        Ok(())
    }

    fn finish_connect(&mut self, s: Resource<TcpSocket>) -> Result<Streams, SocketError> {
        let socket = self.tcp_mut(&s)?;
        if socket.in_progress != Some(Op::Connect) {
            return err(ErrorCode::NotInProgress);
        }
        socket.in_progress = None;
        match std::mem::replace(&mut socket.state, State::Closed) {
            State::Connecting(Ok(conn)) => {
                socket.state = State::Connected(conn);
                self.connection_streams(s.rep(), conn)
            }
            // "After a failed connection attempt, the socket will be in the
            // `closed` state".
            State::Connecting(Err(code)) => err(code),
            other => {
                socket.state = other;
                err(ErrorCode::NotInProgress)
            }
        }
    }

    fn start_listen(&mut self, s: Resource<TcpSocket>) -> Result<(), SocketError> {
        let socket = self.tcp_mut(&s)?;
        if socket.in_progress.is_some() {
            return err(ErrorCode::ConcurrencyConflict);
        }
        // "Unlike POSIX, the socket must already be explicitly bound."
        if !socket.bound() || !matches!(socket.state, State::Open) {
            return err(ErrorCode::InvalidState);
        }
        socket.state = State::Listening(VecDeque::new());
        socket.in_progress = Some(Op::Listen);
        Ok(())
    }

    fn finish_listen(&mut self, s: Resource<TcpSocket>) -> Result<(), SocketError> {
        let socket = self.tcp_mut(&s)?;
        if socket.in_progress != Some(Op::Listen) {
            return err(ErrorCode::NotInProgress);
        }
        socket.in_progress = None;
        Ok(())
    }

    fn accept(
        &mut self,
        s: Resource<TcpSocket>,
    ) -> Result<
        (
            Resource<TcpSocket>,
            Resource<DynInputStream>,
            Resource<DynOutputStream>,
        ),
        SocketError,
    > {
        let socket = self.tcp_mut(&s)?;
        let listening = socket.listening();
        let (family, options) = (socket.family, socket.options);
        let State::Listening(queue) = &mut socket.state else {
            return err(ErrorCode::InvalidState);
        };
        if !listening {
            return err(ErrorCode::InvalidState);
        }
        let Some((local, conn)) = queue.pop_front() else {
            return err(ErrorCode::WouldBlock);
        };
        // "The following properties are inherited from the listener socket".
        let accepted = Tcp {
            local: Some(local),
            state: State::Connected(conn),
            options,
            ..Tcp::new(family)
        };
        let rep = t(self.net.tcp.insert(accepted))?;
        let (input, output) = self.connection_streams(rep, conn)?;
        Ok((Resource::new_own(rep), input, output))
    }

    fn local_address(&mut self, s: Resource<TcpSocket>) -> Result<IpSocketAddress, SocketError> {
        let socket = self.tcp(&s)?;
        socket.check_open()?;
        match socket.local {
            Some(local) if socket.bound() => Ok(local.into()),
            _ => err(ErrorCode::InvalidState),
        }
    }

    fn remote_address(&mut self, s: Resource<TcpSocket>) -> Result<IpSocketAddress, SocketError> {
        match self.tcp(&s)?.state {
            State::Connected(conn) => Ok(conn.remote.into()),
            _ => err(ErrorCode::InvalidState),
        }
    }

    fn is_listening(&mut self, s: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        Ok(self.net.tcp.get(s.rep())?.listening())
    }

    fn address_family(&mut self, s: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(self.net.tcp.get(s.rep())?.family)
    }

    fn set_listen_backlog_size(
        &mut self,
        s: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        let socket = self.tcp_mut(&s)?;
        match socket.state {
            State::Open | State::Listening(_) => {
                socket.backlog = value;
                Ok(())
            }
            // "(set) The socket is in the `connect-in-progress` or `connected` state."
            _ => err(ErrorCode::InvalidState),
        }
    }

    fn keep_alive_enabled(&mut self, s: Resource<TcpSocket>) -> Result<bool, SocketError> {
        self.tcp_option(&s, |o| o.keep_alive)
    }

    fn set_keep_alive_enabled(
        &mut self,
        s: Resource<TcpSocket>,
        value: bool,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, false, |o| o.keep_alive = value)
    }

    fn keep_alive_idle_time(&mut self, s: Resource<TcpSocket>) -> Result<u64, SocketError> {
        self.tcp_option(&s, |o| o.idle_time)
    }

    fn set_keep_alive_idle_time(
        &mut self,
        s: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.idle_time = value)
    }

    fn keep_alive_interval(&mut self, s: Resource<TcpSocket>) -> Result<u64, SocketError> {
        self.tcp_option(&s, |o| o.interval)
    }

    fn set_keep_alive_interval(
        &mut self,
        s: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.interval = value)
    }

    fn keep_alive_count(&mut self, s: Resource<TcpSocket>) -> Result<u32, SocketError> {
        self.tcp_option(&s, |o| o.count)
    }

    fn set_keep_alive_count(
        &mut self,
        s: Resource<TcpSocket>,
        value: u32,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.count = value)
    }

    fn hop_limit(&mut self, s: Resource<TcpSocket>) -> Result<u8, SocketError> {
        self.tcp_option(&s, |o| o.hop_limit)
    }

    fn set_hop_limit(&mut self, s: Resource<TcpSocket>, value: u8) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.hop_limit = value)
    }

    fn receive_buffer_size(&mut self, s: Resource<TcpSocket>) -> Result<u64, SocketError> {
        self.tcp_option(&s, |o| o.receive_buffer)
    }

    fn set_receive_buffer_size(
        &mut self,
        s: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.receive_buffer = value)
    }

    fn send_buffer_size(&mut self, s: Resource<TcpSocket>) -> Result<u64, SocketError> {
        self.tcp_option(&s, |o| o.send_buffer)
    }

    fn set_send_buffer_size(
        &mut self,
        s: Resource<TcpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        self.set_tcp_option(&s, value == 0, |o| o.send_buffer = value)
    }

    fn subscribe(&mut self, s: Resource<TcpSocket>) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Tcp(s.rep()))
    }

    /// Idempotent, as the WIT says; `receive` discards what is queued.
    fn shutdown(&mut self, s: Resource<TcpSocket>, how: ShutdownType) -> Result<(), SocketError> {
        let State::Connected(conn) = self.tcp(&s)?.state else {
            return err(ErrorCode::InvalidState);
        };
        if matches!(how, ShutdownType::Receive | ShutdownType::Both) {
            t(self.net.pipes.get_mut(conn.rx))?.shut_read();
        }
        if matches!(how, ShutdownType::Send | ShutdownType::Both) {
            t(self.net.pipes.get_mut(conn.tx))?.shut_write();
        }
        Ok(())
    }

    /// The port is free again at once (no TIME_WAIT); the peer of a
    /// connection, and every connection still waiting for `accept`, sees
    /// the end of its stream.
    fn drop(&mut self, s: Resource<TcpSocket>) -> wasmtime::Result<()> {
        match self.net.tcp.remove(s.rep())?.state {
            State::Connected(conn) | State::Connecting(Ok(conn)) => self.net.hang_up(conn),
            State::Listening(queue) => {
                for (_, conn) in queue {
                    self.net.hang_up(conn);
                }
            }
            State::Open | State::Connecting(Err(_)) | State::Closed => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use tcp::HostTcpSocket as T;
    use tcp_create_socket::Host as _;
    use wasmtime_wasi::p2::StreamError;
    use wasmtime_wasi::p2::bindings::sync::io::poll::{Host as _, HostPollable};
    use wasmtime_wasi::p2::bindings::sync::io::streams::{HostInputStream, HostOutputStream};

    fn socket(h: &mut H, family: IpAddressFamily) -> Resource<TcpSocket> {
        h.create_tcp_socket(family).unwrap()
    }

    /// A socket listening on `addr` (port 0: an ephemeral one).
    fn listener(h: &mut H, addr: IpSocketAddress) -> Resource<TcpSocket> {
        let family = match addr {
            IpSocketAddress::Ipv4(_) => IpAddressFamily::Ipv4,
            IpSocketAddress::Ipv6(_) => IpAddressFamily::Ipv6,
        };
        let s = socket(h, family);
        let n = net(h);
        T::start_bind(h, copy(&s), n, addr).unwrap();
        T::finish_bind(h, copy(&s)).unwrap();
        T::start_listen(h, copy(&s)).unwrap();
        T::finish_listen(h, copy(&s)).unwrap();
        s
    }

    fn connect(
        h: &mut H,
        to: IpSocketAddress,
    ) -> (Resource<TcpSocket>, Result<Streams, SocketError>) {
        let family = match to {
            IpSocketAddress::Ipv4(_) => IpAddressFamily::Ipv4,
            IpSocketAddress::Ipv6(_) => IpAddressFamily::Ipv6,
        };
        let s = socket(h, family);
        let n = net(h);
        T::start_connect(h, copy(&s), n, to).unwrap();
        let streams = T::finish_connect(h, copy(&s));
        (s, streams)
    }

    fn send(h: &mut H, out: &Resource<DynOutputStream>, bytes: &[u8]) {
        assert!(h.check_write(copy(out)).unwrap() >= bytes.len() as u64);
        HostOutputStream::write(h, copy(out), bytes.to_vec()).unwrap();
    }

    #[test]
    fn connect_accept_echo() {
        let mut h = host();
        let server = listener(&mut h, v4(0));
        let addr = T::local_address(&mut h, copy(&server)).unwrap();
        assert_eq!(port(addr), 49152);
        assert!(T::is_listening(&mut h, copy(&server)).unwrap());
        let ready = T::subscribe(&mut h, copy(&server)).unwrap();
        assert!(!h.ready(copy(&ready)).unwrap());
        let (client, streams) = connect(&mut h, addr);
        let (c_in, c_out) = streams.unwrap();
        assert!(h.ready(copy(&ready)).unwrap());
        let (conn, s_in, s_out) = T::accept(&mut h, copy(&server)).unwrap();
        assert!(!h.ready(copy(&ready)).unwrap());
        assert!(matches!(
            code(T::accept(&mut h, copy(&server))),
            ErrorCode::WouldBlock
        ));
        // Each side's remote address is the other's local address.
        let c_local = T::local_address(&mut h, copy(&client)).unwrap();
        assert_eq!(port(c_local), 49153);
        assert_eq!(
            SocketAddr::from(T::remote_address(&mut h, copy(&conn)).unwrap()),
            c_local.into()
        );
        assert_eq!(
            SocketAddr::from(T::local_address(&mut h, copy(&conn)).unwrap()),
            addr.into()
        );
        assert_eq!(
            SocketAddr::from(T::remote_address(&mut h, copy(&client)).unwrap()),
            addr.into()
        );
        // Bytes both ways; an input stream is ready when bytes are there.
        let s_ready = HostInputStream::subscribe(&mut h, copy(&s_in)).unwrap();
        assert!(!h.ready(copy(&s_ready)).unwrap());
        assert_eq!(HostInputStream::read(&mut h, copy(&s_in), 10).unwrap(), b"");
        send(&mut h, &c_out, b"ping");
        assert!(h.ready(copy(&s_ready)).unwrap());
        assert_eq!(h.blocking_read(copy(&s_in), 10).unwrap(), b"ping");
        h.blocking_write_and_flush(copy(&s_out), b"pong".to_vec())
            .unwrap();
        assert_eq!(
            HostInputStream::read(&mut h, copy(&c_in), 2).unwrap(),
            b"po"
        );
        assert_eq!(
            HostInputStream::read(&mut h, copy(&c_in), 9).unwrap(),
            b"ng"
        );
        // Nothing more will come: a blocking read would wait forever.
        assert!(matches!(
            h.blocking_read(copy(&c_in), 1),
            Err(StreamError::Trap(_))
        ));
        assert!(h.poll(vec![copy(&s_ready)]).is_err());
        // The client's output stream going is the end of the server's input.
        HostOutputStream::drop(&mut h, c_out).unwrap();
        assert!(h.ready(copy(&s_ready)).unwrap());
        assert!(matches!(
            HostInputStream::read(&mut h, copy(&s_in), 1),
            Err(StreamError::Closed)
        ));
        // Streams are children of their socket.
        assert!(T::drop(&mut h, copy(&conn)).is_err());
        HostPollable::drop(&mut h, s_ready).unwrap();
        HostPollable::drop(&mut h, ready).unwrap();
        HostInputStream::drop(&mut h, s_in).unwrap();
        HostOutputStream::drop(&mut h, s_out).unwrap();
        T::drop(&mut h, conn).unwrap();
        // The server side is gone: the client reads the end.
        assert!(matches!(
            HostInputStream::read(&mut h, copy(&c_in), 1),
            Err(StreamError::Closed)
        ));
        HostInputStream::drop(&mut h, c_in).unwrap();
        T::drop(&mut h, client).unwrap();
        T::drop(&mut h, server).unwrap();
        assert_eq!(h.net.pipes.iter().count(), 0);
    }

    #[test]
    fn refused_unreachable_and_closed() {
        let mut h = host();
        let (s, streams) = connect(&mut h, v4(9));
        assert!(matches!(code(streams), ErrorCode::ConnectionRefused));
        // "the socket will be in the `closed` state"
        assert!(matches!(
            code(T::finish_connect(&mut h, copy(&s))),
            ErrorCode::NotInProgress
        ));
        assert!(matches!(
            code(T::local_address(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            code(T::hop_limit(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        let n = net(&mut h);
        let again = T::start_connect(&mut h, copy(&s), n, v4(9));
        assert!(matches!(code(again), ErrorCode::InvalidState));
        let (_, streams) = connect(&mut h, at("10.0.0.1:80"));
        assert!(matches!(code(streams), ErrorCode::RemoteUnreachable));
        // An IPv4 listener does not take IPv6 connections.
        let server = listener(&mut h, at("0.0.0.0:8080"));
        let (_, streams) = connect(&mut h, v6(8080));
        assert!(matches!(code(streams), ErrorCode::ConnectionRefused));
        let (_, streams) = connect(&mut h, v4(8080));
        assert!(streams.is_ok());
        assert!(T::accept(&mut h, server).is_ok());
    }

    #[test]
    fn invalid_arguments_and_states() {
        let mut h = host();
        let s = socket(&mut h, IpAddressFamily::Ipv6);
        let n = net(&mut h);
        let bind = |h: &mut H, a| T::start_bind(h, copy(&s), copy(&n), a);
        assert!(matches!(
            code(bind(&mut h, v4(0))),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(bind(&mut h, at("[::ffff:127.0.0.1]:0"))),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(bind(&mut h, at("[ff02::1]:0"))),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(bind(&mut h, at("[2001:db8::1]:0"))),
            ErrorCode::AddressNotBindable
        ));
        assert!(matches!(
            code(T::finish_bind(&mut h, copy(&s))),
            ErrorCode::NotInProgress
        ));
        assert!(matches!(
            code(T::start_listen(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        bind(&mut h, v6(5000)).unwrap();
        // bind-in-progress: another operation conflicts, nothing is bound yet.
        assert!(matches!(
            code(bind(&mut h, v6(5001))),
            ErrorCode::ConcurrencyConflict
        ));
        assert!(matches!(
            code(T::start_listen(&mut h, copy(&s))),
            ErrorCode::ConcurrencyConflict
        ));
        assert!(matches!(
            code(T::local_address(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        T::finish_bind(&mut h, copy(&s)).unwrap();
        assert!(matches!(
            code(bind(&mut h, v6(5001))),
            ErrorCode::InvalidState
        ));
        // The port is taken for every other IPv6 TCP socket, not for IPv4 or UDP.
        let other = socket(&mut h, IpAddressFamily::Ipv6);
        let taken = T::start_bind(&mut h, copy(&other), copy(&n), at("[::]:5000"));
        assert!(matches!(code(taken), ErrorCode::AddressInUse));
        let v4_socket = socket(&mut h, IpAddressFamily::Ipv4);
        T::start_bind(&mut h, v4_socket, copy(&n), at("0.0.0.0:5000")).unwrap();
        // Remote addresses.
        let c = socket(&mut h, IpAddressFamily::Ipv6);
        for bad in [
            "[::]:80",
            "[::1]:0",
            "[ff02::1]:80",
            "[::ffff:127.0.0.1]:80",
        ] {
            let r = T::start_connect(&mut h, copy(&c), copy(&n), at(bad));
            assert!(matches!(code(r), ErrorCode::InvalidArgument), "{bad}");
        }
        // Listening: no connect, no second listen; backlog and options.
        T::start_listen(&mut h, copy(&s)).unwrap();
        assert!(!T::is_listening(&mut h, copy(&s)).unwrap());
        assert!(matches!(
            code(T::accept(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        T::finish_listen(&mut h, copy(&s)).unwrap();
        assert!(matches!(
            code(T::finish_listen(&mut h, copy(&s))),
            ErrorCode::NotInProgress
        ));
        assert!(matches!(
            code(T::start_listen(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        let r = T::start_connect(&mut h, copy(&s), copy(&n), v6(80));
        assert!(matches!(code(r), ErrorCode::InvalidState));
        assert!(matches!(
            code(T::shutdown(&mut h, copy(&s), ShutdownType::Both)),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            code(T::remote_address(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        assert_eq!(
            T::address_family(&mut h, copy(&s)).unwrap(),
            IpAddressFamily::Ipv6
        );
    }

    #[test]
    fn backlog_bounds_the_accept_queue() {
        let mut h = host();
        let server = listener(&mut h, v4(7000));
        assert!(matches!(
            code(T::set_listen_backlog_size(&mut h, copy(&server), 0)),
            ErrorCode::InvalidArgument
        ));
        T::set_listen_backlog_size(&mut h, copy(&server), 2).unwrap();
        assert!(connect(&mut h, v4(7000)).1.is_ok());
        assert!(connect(&mut h, v4(7000)).1.is_ok());
        let (_, third) = connect(&mut h, v4(7000));
        assert!(matches!(code(third), ErrorCode::ConnectionRefused));
        T::accept(&mut h, copy(&server)).unwrap();
        assert!(connect(&mut h, v4(7000)).1.is_ok());
        let (client, _) = connect(&mut h, v4(7000));
        assert!(matches!(
            code(T::set_listen_backlog_size(&mut h, client, 5)),
            ErrorCode::InvalidState
        ));
    }

    #[test]
    fn shutdown_and_options() {
        let mut h = host();
        let server = listener(&mut h, v6(0));
        T::set_hop_limit(&mut h, copy(&server), 7).unwrap();
        T::set_keep_alive_enabled(&mut h, copy(&server), true).unwrap();
        let addr = T::local_address(&mut h, copy(&server)).unwrap();
        let (client, streams) = connect(&mut h, addr);
        let (c_in, c_out) = streams.unwrap();
        let (conn, s_in, s_out) = T::accept(&mut h, copy(&server)).unwrap();
        // Inherited from the listener.
        assert_eq!(T::hop_limit(&mut h, copy(&conn)).unwrap(), 7);
        assert!(T::keep_alive_enabled(&mut h, copy(&conn)).unwrap());
        assert!(!T::keep_alive_enabled(&mut h, copy(&client)).unwrap());
        // 0 is `invalid-argument` for every numeric option.
        assert!(matches!(
            code(T::set_hop_limit(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(T::set_keep_alive_count(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(T::set_keep_alive_idle_time(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(T::set_keep_alive_interval(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(T::set_receive_buffer_size(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(T::set_send_buffer_size(&mut h, copy(&client), 0)),
            ErrorCode::InvalidArgument
        ));
        T::set_send_buffer_size(&mut h, copy(&client), u64::MAX).unwrap();
        assert_eq!(
            T::send_buffer_size(&mut h, copy(&client)).unwrap(),
            u64::MAX
        );
        // shutdown(send): the peer reads what was sent, then the end.
        send(&mut h, &s_out, b"last");
        T::shutdown(&mut h, copy(&conn), ShutdownType::Send).unwrap();
        T::shutdown(&mut h, copy(&conn), ShutdownType::Send).unwrap();
        assert!(matches!(
            h.check_write(copy(&s_out)),
            Err(StreamError::Closed)
        ));
        assert_eq!(h.blocking_read(copy(&c_in), 10).unwrap(), b"last");
        assert!(matches!(
            h.blocking_read(copy(&c_in), 10),
            Err(StreamError::Closed)
        ));
        // shutdown(receive): queued bytes are discarded, reads end, the peer
        // can still write.
        send(&mut h, &c_out, b"lost");
        T::shutdown(&mut h, copy(&conn), ShutdownType::Receive).unwrap();
        assert!(matches!(
            HostInputStream::read(&mut h, copy(&s_in), 4),
            Err(StreamError::Closed)
        ));
        send(&mut h, &c_out, b"also lost");
        // The peer socket dropped: writes are `closed`.
        HostInputStream::drop(&mut h, s_in).unwrap();
        HostOutputStream::drop(&mut h, s_out).unwrap();
        T::drop(&mut h, conn).unwrap();
        assert!(matches!(
            h.check_write(copy(&c_out)),
            Err(StreamError::Closed)
        ));
        let _ = c_in;
    }

    #[test]
    fn a_full_connection_permits_nothing() {
        let mut h = host();
        let server = listener(&mut h, v4(0));
        let addr = T::local_address(&mut h, copy(&server)).unwrap();
        let (_client, streams) = connect(&mut h, addr);
        let (_, c_out) = streams.unwrap();
        let (_conn, s_in, _) = T::accept(&mut h, copy(&server)).unwrap();
        let permit = h.check_write(copy(&c_out)).unwrap();
        HostOutputStream::write_zeroes(&mut h, copy(&c_out), permit).unwrap();
        assert_eq!(h.check_write(copy(&c_out)).unwrap(), 0);
        let writable = HostOutputStream::subscribe(&mut h, copy(&c_out)).unwrap();
        assert!(!h.ready(copy(&writable)).unwrap());
        assert!(
            h.blocking_write_and_flush(copy(&c_out), b"x".to_vec())
                .is_err()
        );
        HostInputStream::read(&mut h, copy(&s_in), 10).unwrap();
        assert!(h.ready(copy(&writable)).unwrap());
        assert_eq!(h.check_write(copy(&c_out)).unwrap(), 10);
    }
}
