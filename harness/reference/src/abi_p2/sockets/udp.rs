//! `wasi:sockets/udp` and `udp-create-socket`: datagrams go straight into
//! the queue of the UDP socket bound where they are sent, or nowhere (as
//! UDP drops what no socket receives).

use std::collections::VecDeque;
use std::net::SocketAddr;

use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Network,
};
use wasmtime_wasi::p2::bindings::sync::sockets::udp::{
    self, IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream,
};
use wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket;
use wasmtime_wasi::p2::{DynPollable, SocketError, UdpSocket};

use super::super::{P2, Parent, trap};
use super::{Net, Proto, check_remote, err, loopback, matches, plain, reachable, t};
use crate::system::System;

/// Datagrams one `check-send` permits (wasmtime's number too).
const SEND_PERMIT: u64 = 16;
/// Bytes of payload a socket's queue holds at most; later datagrams are
/// dropped, as a full receive buffer drops them.
const QUEUE_BYTES: usize = 1 << 20;

/// The largest payload: 65535 bytes minus the IPv4 (20) or IPv6 (0: the
/// payload length excludes it) header and the UDP header (8).
fn max_payload(family: IpAddressFamily) -> usize {
    match family {
        IpAddressFamily::Ipv4 => 65507,
        IpAddressFamily::Ipv6 => 65527,
    }
}

/// A UDP socket of the model.
pub struct Udp {
    family: IpAddressFamily,
    /// The bound address, from `start-bind`.
    pub local: Option<SocketAddr>,
    binding: bool,
    /// The peer `stream` limited the socket to.
    remote: Option<SocketAddr>,
    /// Live streams from the last `stream` call (0 or 2, then fewer).
    streams: u8,
    /// Datagrams received and not read yet, with their source.
    pub queue: VecDeque<(Vec<u8>, SocketAddr)>,
    hop_limit: u8,
    receive_buffer: u64,
    send_buffer: u64,
}

impl Udp {
    fn new(family: IpAddressFamily) -> Self {
        Udp {
            family,
            local: None,
            binding: false,
            remote: None,
            streams: 0,
            queue: VecDeque::new(),
            hop_limit: 64,
            receive_buffer: 64 << 10,
            send_buffer: 64 << 10,
        }
    }

    fn bound(&self) -> bool {
        self.local.is_some() && !self.binding
    }

    /// The address datagrams leave from: an unspecified bound address is
    /// the loopback one (the only interface).
    fn source(&self) -> Option<SocketAddr> {
        let local = self.local?;
        Some(if local.ip().is_unspecified() {
            SocketAddr::new(loopback(self.family), local.port())
        } else {
            local
        })
    }
}

/// An outgoing datagram stream: its socket and what `check-send` permitted.
pub struct Outgoing {
    socket: u32,
    permit: u64,
}

impl Net {
    fn udp(&self, rep: u32) -> Result<&Udp, SocketError> {
        t(self.udp.get(rep))
    }

    fn udp_mut(&mut self, rep: u32) -> Result<&mut Udp, SocketError> {
        t(self.udp.get_mut(rep))
    }

    /// Sends `datagram` from socket `from`, with the WIT's errors of `send`.
    fn send_datagram(&mut self, from: u32, datagram: OutgoingDatagram) -> Result<(), SocketError> {
        let socket = self.udp(from)?;
        if datagram.data.len() > max_payload(socket.family) {
            return err(ErrorCode::DatagramTooLarge);
        }
        let to = match datagram.remote_address.map(plain) {
            Some(to) => {
                check_remote(socket.family, to)?;
                // "The socket is in "connected" mode and `remote-address` is
                // `some` value that does not match the address passed to `stream`."
                if socket.remote.is_some_and(|r| r != to) {
                    return err(ErrorCode::InvalidArgument);
                }
                to
            }
            // "The socket is not "connected" and no value for
            // `remote-address` was provided."
            None => socket.remote.ok_or(ErrorCode::InvalidArgument)?,
        };
        reachable(to)?;
        let source = socket.source().ok_or(ErrorCode::InvalidState)?;
        let family = socket.family;
        let receiver = self.udp.iter().find_map(|(rep, s)| {
            let accepts = s.family == family
                && s.local.is_some_and(|l| matches(l, to))
                && s.remote.is_none_or(|r| r == source);
            accepts.then_some(rep)
        });
        if let Some(rep) = receiver {
            let receiver = self.udp_mut(rep)?;
            let queued: usize = receiver.queue.iter().map(|(d, _)| d.len()).sum();
            if queued + datagram.data.len() <= QUEUE_BYTES {
                receiver.queue.push_back((datagram.data, source));
            }
        }
        Ok(())
    }
}

impl<S: System> udp_create_socket::Host for P2<S> {
    fn create_udp_socket(
        &mut self,
        family: IpAddressFamily,
    ) -> Result<Resource<UdpSocket>, SocketError> {
        self.net.check_granted()?;
        Ok(Resource::new_own(t(self.net.udp.insert(Udp::new(family)))?))
    }
}

impl<S: System> udp::Host for P2<S> {}

impl<S: System> udp::HostUdpSocket for P2<S> {
    fn start_bind(
        &mut self,
        s: Resource<UdpSocket>,
        n: Resource<Network>,
        local: IpSocketAddress,
    ) -> Result<(), SocketError> {
        self.check_network(&n)?;
        let socket = self.net.udp(s.rep())?;
        if socket.binding {
            return err(ErrorCode::ConcurrencyConflict);
        }
        if socket.local.is_some() {
            return err(ErrorCode::InvalidState);
        }
        let family = socket.family;
        let local = self
            .net
            .bind_address(Proto::Udp, family, plain(local), false)?;
        let socket = self.net.udp_mut(s.rep())?;
        socket.local = Some(local);
        socket.binding = true;
        Ok(())
    }

    fn finish_bind(&mut self, s: Resource<UdpSocket>) -> Result<(), SocketError> {
        let socket = self.net.udp_mut(s.rep())?;
        if !socket.binding {
            return err(ErrorCode::NotInProgress);
        }
        socket.binding = false;
        Ok(())
    }

    /// Streams of an earlier call still alive trap ("Implementations may
    /// trap if the streams returned by a previous invocation haven't been
    /// dropped yet"). Queued datagrams from another peer than the new
    /// `remote-address` are discarded ("`receive` will only return
    /// datagrams sent from the provided `remote-address`").
    fn stream(
        &mut self,
        s: Resource<UdpSocket>,
        remote: Option<IpSocketAddress>,
    ) -> Result<
        (
            Resource<IncomingDatagramStream>,
            Resource<OutgoingDatagramStream>,
        ),
        SocketError,
    > {
        let socket = self.net.udp(s.rep())?;
        if socket.streams > 0 {
            return Err(SocketError::trap(trap(
                "udp-socket.stream: the streams of the previous call are still alive",
            )));
        }
        // "Unlike in POSIX, the socket must already be explicitly bound."
        if !socket.bound() {
            return err(ErrorCode::InvalidState);
        }
        let remote = remote.map(plain);
        if let Some(to) = remote {
            check_remote(socket.family, to)?;
            reachable(to)?;
        }
        let rep = s.rep();
        let incoming = t(self.net.incoming.insert(rep))?;
        let outgoing = t(self.net.outgoing.insert(Outgoing {
            socket: rep,
            permit: 0,
        }))?;
        t(self.net.udp.adopt(rep))?;
        t(self.net.udp.adopt(rep))?;
        let socket = self.net.udp_mut(rep)?;
        socket.remote = remote;
        socket.streams = 2;
        if let Some(peer) = remote {
            socket.queue.retain(|(_, from)| *from == peer);
        }
        Ok((Resource::new_own(incoming), Resource::new_own(outgoing)))
    }

    /// While streaming to a peer, an unspecified bound address reads as
    /// the loopback one, the address the datagrams leave from.
    fn local_address(&mut self, s: Resource<UdpSocket>) -> Result<IpSocketAddress, SocketError> {
        let socket = self.net.udp(s.rep())?;
        match (socket.bound(), socket.remote) {
            (false, _) => err(ErrorCode::InvalidState),
            (true, Some(_)) => Ok(socket.source().ok_or(ErrorCode::InvalidState)?.into()),
            (true, None) => Ok(socket.local.ok_or(ErrorCode::InvalidState)?.into()),
        }
    }

    fn remote_address(&mut self, s: Resource<UdpSocket>) -> Result<IpSocketAddress, SocketError> {
        let socket = self.net.udp(s.rep())?;
        Ok(socket.remote.ok_or(ErrorCode::InvalidState)?.into())
    }

    fn address_family(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        Ok(self.net.udp.get(s.rep())?.family)
    }

    fn unicast_hop_limit(&mut self, s: Resource<UdpSocket>) -> Result<u8, SocketError> {
        Ok(self.net.udp(s.rep())?.hop_limit)
    }

    /// "If the provided value is 0, an `invalid-argument` error is returned."
    fn set_unicast_hop_limit(
        &mut self,
        s: Resource<UdpSocket>,
        value: u8,
    ) -> Result<(), SocketError> {
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        self.net.udp_mut(s.rep())?.hop_limit = value;
        Ok(())
    }

    fn receive_buffer_size(&mut self, s: Resource<UdpSocket>) -> Result<u64, SocketError> {
        Ok(self.net.udp(s.rep())?.receive_buffer)
    }

    fn set_receive_buffer_size(
        &mut self,
        s: Resource<UdpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        self.net.udp_mut(s.rep())?.receive_buffer = value;
        Ok(())
    }

    fn send_buffer_size(&mut self, s: Resource<UdpSocket>) -> Result<u64, SocketError> {
        Ok(self.net.udp(s.rep())?.send_buffer)
    }

    fn set_send_buffer_size(
        &mut self,
        s: Resource<UdpSocket>,
        value: u64,
    ) -> Result<(), SocketError> {
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        self.net.udp_mut(s.rep())?.send_buffer = value;
        Ok(())
    }

    fn subscribe(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Udp(s.rep()))
    }

    fn drop(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<()> {
        self.net.udp.remove(s.rep()).map(drop)
    }
}

impl<S: System> P2<S> {
    /// A datagram stream is gone: one less child of its socket.
    fn udp_stream_gone(&mut self, socket: u32) {
        self.net.udp.release(socket);
        if let Ok(socket) = self.net.udp.get_mut(socket) {
            socket.streams = socket.streams.saturating_sub(1);
        }
    }
}

impl<S: System> udp::HostIncomingDatagramStream for P2<S> {
    /// Up to `max-results` queued datagrams; none (not `would-block`) when
    /// the queue is empty.
    fn receive(
        &mut self,
        s: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> Result<Vec<IncomingDatagram>, SocketError> {
        let socket = *t(self.net.incoming.get(s.rep()))?;
        let queue = &mut self.net.udp_mut(socket)?.queue;
        let n = usize::try_from(max_results)
            .unwrap_or(usize::MAX)
            .min(queue.len());
        Ok(queue
            .drain(..n)
            .map(|(data, from)| IncomingDatagram {
                data,
                remote_address: from.into(),
            })
            .collect())
    }

    fn subscribe(
        &mut self,
        s: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Incoming(s.rep()))
    }

    fn drop(&mut self, s: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        let socket = self.net.incoming.remove(s.rep())?;
        self.udp_stream_gone(socket);
        Ok(())
    }
}

impl<S: System> udp::HostOutgoingDatagramStream for P2<S> {
    /// Always `SEND_PERMIT`: sending never waits in the model.
    fn check_send(&mut self, s: Resource<OutgoingDatagramStream>) -> Result<u64, SocketError> {
        t(self.net.outgoing.get_mut(s.rep()))?.permit = SEND_PERMIT;
        Ok(SEND_PERMIT)
    }

    /// "Implementations must trap if either `check-send` was not called or
    /// `datagrams` contains more items than `check-send` permitted"; each
    /// `send` uses up the permit. Stops at the first failing datagram: "If
    /// at least one datagram has been sent successfully, this function
    /// never returns an error."
    fn send(
        &mut self,
        s: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> Result<u64, SocketError> {
        let stream = t(self.net.outgoing.get_mut(s.rep()))?;
        if datagrams.is_empty() {
            return Ok(0);
        }
        if datagrams.len() as u64 > stream.permit {
            return Err(SocketError::trap(trap(format!(
                "send: {} datagrams, check-send permitted {}",
                datagrams.len(),
                stream.permit
            ))));
        }
        stream.permit = 0;
        let socket = stream.socket;
        let mut sent = 0;
        for datagram in datagrams {
            match self.net.send_datagram(socket, datagram) {
                Ok(()) => sent += 1,
                Err(e) if sent == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(sent)
    }

    fn subscribe(
        &mut self,
        s: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.subscribe_to(Parent::Outgoing(s.rep()))
    }

    fn drop(&mut self, s: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        let stream = self.net.outgoing.remove(s.rep())?;
        self.udp_stream_gone(stream.socket);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use udp::{
        HostIncomingDatagramStream as In, HostOutgoingDatagramStream as Out, HostUdpSocket as U,
    };
    use udp_create_socket::Host as _;

    /// A socket bound to `addr`, streaming (to `peer`, if given).
    fn bound(
        h: &mut H,
        addr: IpSocketAddress,
        peer: Option<IpSocketAddress>,
    ) -> (
        Resource<UdpSocket>,
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    ) {
        let family = match addr {
            IpSocketAddress::Ipv4(_) => IpAddressFamily::Ipv4,
            IpSocketAddress::Ipv6(_) => IpAddressFamily::Ipv6,
        };
        let s = h.create_udp_socket(family).unwrap();
        let n = net(h);
        U::start_bind(h, copy(&s), n, addr).unwrap();
        U::finish_bind(h, copy(&s)).unwrap();
        let (i, o) = U::stream(h, copy(&s), peer).unwrap();
        (s, i, o)
    }

    fn datagram(data: &[u8], to: Option<IpSocketAddress>) -> OutgoingDatagram {
        OutgoingDatagram {
            data: data.to_vec(),
            remote_address: to,
        }
    }

    fn send(
        h: &mut H,
        o: &Resource<OutgoingDatagramStream>,
        d: Vec<OutgoingDatagram>,
    ) -> Result<u64, SocketError> {
        Out::check_send(h, copy(o)).unwrap();
        Out::send(h, copy(o), d)
    }

    #[test]
    fn round_trip() {
        let mut h = host();
        let (a, a_in, a_out) = bound(&mut h, at("0.0.0.0:0"), None);
        let a_addr = U::local_address(&mut h, copy(&a)).unwrap();
        assert_eq!(SocketAddr::from(a_addr), "0.0.0.0:49152".parse().unwrap());
        let (b, b_in, b_out) = bound(&mut h, v4(0), Some(v4(49152)));
        let b_addr = U::local_address(&mut h, copy(&b)).unwrap();
        assert_eq!(port(b_addr), 49153);
        assert!(
            !h.socket_ready(super::super::super::Parent::Incoming(a_in.rep()))
                .unwrap()
        );
        let sent = send(
            &mut h,
            &b_out,
            vec![datagram(b"one", None), datagram(b"two", Some(v4(49152)))],
        );
        assert_eq!(sent.unwrap(), 2);
        assert!(
            h.socket_ready(super::super::super::Parent::Incoming(a_in.rep()))
                .unwrap()
        );
        assert!(In::receive(&mut h, copy(&a_in), 0).unwrap().is_empty());
        let got = In::receive(&mut h, copy(&a_in), 5).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].data, b"one");
        assert_eq!(SocketAddr::from(got[1].remote_address), b_addr.into());
        // a is not connected: a datagram needs an address.
        assert!(matches!(
            code(send(&mut h, &a_out, vec![datagram(b"x", None)])),
            ErrorCode::InvalidArgument
        ));
        // b only takes datagrams from a; from c they are dropped.
        let (_c, _, c_out) = bound(&mut h, v4(0), None);
        assert_eq!(
            send(&mut h, &c_out, vec![datagram(b"from c", Some(b_addr))]).unwrap(),
            1
        );
        assert_eq!(
            send(&mut h, &a_out, vec![datagram(b"from a", Some(b_addr))]).unwrap(),
            1
        );
        let got = In::receive(&mut h, copy(&b_in), 5).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].data, b"from a");
        // Connected b: another address is `invalid-argument`.
        let wrong = send(&mut h, &b_out, vec![datagram(b"x", Some(v4(9)))]);
        assert!(matches!(code(wrong), ErrorCode::InvalidArgument));
        // Nobody at port 9: dropped, yet sent.
        assert_eq!(
            send(&mut h, &a_out, vec![datagram(b"x", Some(v4(9)))]).unwrap(),
            1
        );
        // After a good one, a bad one ends the send without an error.
        let big = vec![0; 65508];
        let mixed = send(
            &mut h,
            &a_out,
            vec![datagram(b"ok", Some(v4(9))), datagram(&big, Some(v4(9)))],
        );
        assert_eq!(mixed.unwrap(), 1);
        assert!(matches!(
            code(send(&mut h, &a_out, vec![datagram(&big, Some(v4(9)))])),
            ErrorCode::DatagramTooLarge
        ));
        let far = send(
            &mut h,
            &a_out,
            vec![datagram(b"x", Some(at("192.0.2.1:9")))],
        );
        assert!(matches!(code(far), ErrorCode::RemoteUnreachable));
        // Sending more than check-send permitted traps.
        Out::check_send(&mut h, copy(&a_out)).unwrap();
        Out::send(&mut h, copy(&a_out), vec![datagram(b"x", Some(v4(9)))]).unwrap();
        assert!(Out::send(&mut h, copy(&a_out), vec![datagram(b"x", Some(v4(9)))]).is_err());
        // A second pair of streams while the first lives traps; then works.
        assert!(U::stream(&mut h, copy(&a), None).is_err());
        In::drop(&mut h, a_in).unwrap();
        Out::drop(&mut h, a_out).unwrap();
        let (a_in, a_out) = U::stream(&mut h, copy(&a), Some(b_addr)).unwrap();
        // Streaming to a peer: the unspecified address reads as loopback.
        assert_eq!(
            SocketAddr::from(U::local_address(&mut h, copy(&a)).unwrap()),
            "127.0.0.1:49152".parse().unwrap()
        );
        assert_eq!(
            SocketAddr::from(U::remote_address(&mut h, copy(&a)).unwrap()),
            b_addr.into()
        );
        assert!(U::drop(&mut h, copy(&a)).is_err());
        In::drop(&mut h, a_in).unwrap();
        Out::drop(&mut h, a_out).unwrap();
        U::drop(&mut h, a).unwrap();
        let _ = b;
    }

    #[test]
    fn states_and_options() {
        let mut h = host();
        let s = h.create_udp_socket(IpAddressFamily::Ipv6).unwrap();
        let n = net(&mut h);
        assert!(matches!(
            code(U::stream(&mut h, copy(&s), None)),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            code(U::local_address(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            code(U::remote_address(&mut h, copy(&s))),
            ErrorCode::InvalidState
        ));
        assert!(matches!(
            code(U::finish_bind(&mut h, copy(&s))),
            ErrorCode::NotInProgress
        ));
        let wrong = U::start_bind(&mut h, copy(&s), copy(&n), v4(0));
        assert!(matches!(code(wrong), ErrorCode::InvalidArgument));
        U::start_bind(&mut h, copy(&s), copy(&n), v6(0)).unwrap();
        assert!(matches!(
            code(U::start_bind(&mut h, copy(&s), copy(&n), v6(0))),
            ErrorCode::ConcurrencyConflict
        ));
        U::finish_bind(&mut h, copy(&s)).unwrap();
        assert!(matches!(
            code(U::start_bind(&mut h, copy(&s), copy(&n), v6(0))),
            ErrorCode::InvalidState
        ));
        for bad in ["[::]:80", "[::1]:0", "127.0.0.1:80"] {
            let r = U::stream(&mut h, copy(&s), Some(at(bad)));
            assert!(matches!(code(r), ErrorCode::InvalidArgument), "{bad}");
        }
        assert!(matches!(
            code(U::set_unicast_hop_limit(&mut h, copy(&s), 0)),
            ErrorCode::InvalidArgument
        ));
        U::set_unicast_hop_limit(&mut h, copy(&s), 1).unwrap();
        assert_eq!(U::unicast_hop_limit(&mut h, copy(&s)).unwrap(), 1);
        assert!(matches!(
            code(U::set_receive_buffer_size(&mut h, copy(&s), 0)),
            ErrorCode::InvalidArgument
        ));
        U::set_receive_buffer_size(&mut h, copy(&s), 1).unwrap();
        assert_eq!(U::receive_buffer_size(&mut h, copy(&s)).unwrap(), 1);
        assert_eq!(U::address_family(&mut h, s).unwrap(), IpAddressFamily::Ipv6);
    }
}
