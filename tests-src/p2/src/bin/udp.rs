//! udp <scenario>: WASI 0.2 `wasi:sockets/udp` on the loopback interface
//! (the case grants the `sockets` proposal). Every call is traced
//! (`guest_support::p2::sockets`): ports and host-picked addresses never
//! print. A datagram is received after blocking on the incoming stream's
//! pollable, one at a time, and sent after blocking on the outgoing
//! stream's pollable and a `check-send`, so the trace does not depend on
//! when the host delivers it. A bind's error is checked from either phase
//! (`start-bind` or `finish-bind`, as the text allows). What the text
//! states is a check; an error code it lists only among the "typical
//! errors" is a `check_should`. A step a scenario needs first that fails
//! is a failed `check_should` `scenario set-up`:
//! the case's requirement was not reached, so a host that fails there
//! diverges, and only a broken requirement is a `fail`.
use guest_support::p2::sockets::{
    self as s, ErrorCode, IncomingDatagramStream, IpAddressFamily, IpSocketAddress, Network,
    OutgoingDatagram, OutgoingDatagramStream, UdpSocket, check_error, loopback, port, setup,
    unspecified,
};
use guest_support::{check, check_detail, check_should, fmt};

use IpAddressFamily::{Ipv4, Ipv6};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    s::run(|net| scenario_run(&scenario, net));
}

/// A bound socket with its streams. The streams come first: they are
/// dropped before the socket (wasmtime makes them its children).
struct Udp {
    incoming: IncomingDatagramStream,
    outgoing: OutgoingDatagramStream,
    socket: UdpSocket,
    address: IpSocketAddress,
    label: &'static str,
}

impl Udp {
    /// A socket of `family` bound to loopback port 0, streaming to
    /// `remote` (`None`: to any address).
    fn new(
        net: &Network,
        family: IpAddressFamily,
        label: &'static str,
        remote: Option<IpSocketAddress>,
    ) -> Result<Udp, String> {
        let (socket, address) = s::bound::<UdpSocket>(net, family, label)?;
        Udp::streaming(socket, address, label, remote)
    }

    /// `socket`, bound to `address`, streaming to `remote`.
    fn streaming(
        socket: UdpSocket,
        address: IpSocketAddress,
        label: &'static str,
        remote: Option<IpSocketAddress>,
    ) -> Result<Udp, String> {
        let (incoming, outgoing) = setup("stream", s::stream(&socket, label, remote))?;
        Ok(Udp {
            incoming,
            outgoing,
            socket,
            address,
            label,
        })
    }

    /// Drops the streams and calls `stream(remote)` again.
    fn restream(self, remote: Option<IpSocketAddress>) -> Result<Udp, String> {
        let Udp {
            incoming,
            outgoing,
            socket,
            address,
            label,
        } = self;
        drop((incoming, outgoing));
        Udp::streaming(socket, address, label, remote)
    }

    /// Sends `data` to `to` ([`s::send_one`]), checked to send it.
    fn send(&self, data: &[u8], to: Option<IpSocketAddress>) {
        let sent = s::send_one(&self.outgoing, self.label, data, to);
        check_detail(
            &fmt!("send {:?}", String::from_utf8_lossy(data)),
            matches!(sent, Ok(1)),
            Some(&fmt!("{:?}", sent.map_err(|e| e.name()))),
        );
    }

    /// The next datagram ([`s::receive_one`]) is `data` from `from`.
    fn receive(&self, data: &[u8], from: &IpSocketAddress) {
        let got = s::receive_one(&self.incoming, self.label);
        check_detail(
            &fmt!(
                "receive {:?} from its sender",
                String::from_utf8_lossy(data)
            ),
            matches!(&got, Some(d) if d.data == data && s::same(&d.remote_address, from)),
            Some(&fmt!(
                "{:?}",
                got.map(|d| String::from_utf8_lossy(&d.data).into_owned())
            )),
        );
    }

    /// Sends `there` to `peer`, which receives it, and `back` from `peer`,
    /// received here; each datagram arrives with its sender's address.
    fn exchange(&self, peer: &Udp, there: &[u8], back: &[u8]) {
        self.send(there, Some(peer.address));
        peer.receive(there, &self.address);
        peer.send(back, Some(self.address));
        self.receive(back, &peer.address);
    }
}

fn scenario_run(name: &str, net: &Network) -> Result<(), String> {
    match name {
        "address-family" => s::check_address_family::<UdpSocket>(),
        "unbound-address" => s::check_unbound_address::<UdpSocket>()?,
        "bind-address" => s::check_bind_address::<UdpSocket>(net)?,
        "bind-twice" => {
            let (socket, first) = s::bound::<UdpSocket>(net, Ipv4, "s")?;
            check_error(
                "a second bind is invalid-state",
                &s::bind(&socket, "s", net, loopback(Ipv4, 0)),
                ErrorCode::InvalidState,
                false,
            );
            check(
                "the local address is unchanged",
                s::is(&s::local_address(&socket, "s"), &first),
            );
        }
        "bind-in-use" => {
            let (_holder, taken) = s::bound::<UdpSocket>(net, Ipv4, "holder")?;
            let socket = setup("create", s::create::<UdpSocket>(Ipv4))?;
            check_error(
                "bind to a bound socket's address is address-in-use",
                &s::bind(&socket, "s", net, taken),
                ErrorCode::AddressInUse,
                false,
            );
        }
        "bind-wrong-family" => s::check_bind_wrong_family::<UdpSocket>(net)?,
        "bind-concurrent" => s::check_bind_concurrent::<UdpSocket>(net)?,
        "finish-bind-not-in-progress" => {
            let socket = setup("create", s::create::<UdpSocket>(Ipv4))?;
            check_error(
                "finish-bind without start-bind is not-in-progress",
                &s::finish_bind(&socket, "s"),
                ErrorCode::NotInProgress,
                false,
            );
            setup("bind", s::bind(&socket, "s", net, loopback(Ipv4, 0)))?;
            check_error(
                "a second finish-bind is not-in-progress",
                &s::finish_bind(&socket, "s"),
                ErrorCode::NotInProgress,
                false,
            );
        }
        "stream-unbound" => {
            let socket = setup("create", s::create::<UdpSocket>(Ipv4))?;
            let streamed = s::stream(&socket, "s", None).map(drop);
            check("stream of an unbound socket fails", streamed.is_err());
            check_error(
                "stream of an unbound socket is invalid-state",
                &streamed,
                ErrorCode::InvalidState,
                true,
            );
        }
        "datagrams" => datagrams(net, Ipv4)?,
        "ipv6-datagrams" => s::with_ipv6::<UdpSocket>(|| datagrams(net, Ipv6))?,
        "stream-connected" => stream_connected(net)?,
        "connected-receive" => connected_receive(net)?,
        "connected-send" => connected_send(net)?,
        "restream" => restream(net)?,
        "disconnect" => disconnect(net)?,
        "send-invalid-address" => send_invalid_address(net)?,
        "stream-invalid-address" => stream_invalid_address(net)?,
        "datagram-too-large" => {
            let peer = Udp::new(net, Ipv4, "peer", None)?;
            let socket = Udp::new(net, Ipv4, "s", None)?;
            check_error(
                "send of 65508 bytes is datagram-too-large",
                &s::send_one(&socket.outgoing, "s", &[0; 65508], Some(peer.address)),
                ErrorCode::DatagramTooLarge,
                false,
            );
        }
        "remote-unconnected" => {
            let unbound = setup("create", s::create::<UdpSocket>(Ipv4))?;
            let streaming = Udp::new(net, Ipv4, "streaming", None)?;
            check_error(
                "remote-address of an unbound socket is invalid-state",
                &s::remote_address(&unbound, "unbound"),
                ErrorCode::InvalidState,
                false,
            );
            check_error(
                "remote-address of a socket streaming to any address is invalid-state",
                &s::remote_address(&streaming.socket, "streaming"),
                ErrorCode::InvalidState,
                false,
            );
        }
        "check-send" => check_send(net)?,
        "receive-empty" => receive_empty(net)?,
        "hop-limit" => s::check_hop_limit(&setup("create", s::create::<UdpSocket>(Ipv4))?, "s"),
        "ipv6-options" => s::check_ipv6_options::<UdpSocket>()?,
        "options-streaming" => {
            let socket = Udp::new(net, Ipv4, "s", None)?;
            s::check_hop_limit(&socket.socket, "s");
            s::check_buffer_sizes(&socket.socket, "s");
        }
        "buffer-sizes" => {
            s::check_buffer_sizes(&setup("create", s::create::<UdpSocket>(Ipv4))?, "s")
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    Ok(())
}

/// Two sockets of `family` streaming to any address exchange a datagram
/// each way; each arrives with its sender's address.
fn datagrams(net: &Network, family: IpAddressFamily) -> Result<(), String> {
    let a = Udp::new(net, family, "a", None)?;
    let b = Udp::new(net, family, "b", None)?;
    check(
        &fmt!("address-family is {}", s::family_name(family)),
        s::address_family(&a.socket, "a") == family,
    );
    a.exchange(&b, b"ping", b"pong");
    Ok(())
}

/// stream(some peer) sets remote-address to the peer; the local address
/// stays 127.0.0.1 (a should check: it "may be updated").
fn stream_connected(net: &Network) -> Result<(), String> {
    let peer = Udp::new(net, Ipv4, "peer", None)?;
    let socket = Udp::new(net, Ipv4, "s", Some(peer.address))?;
    check(
        "remote-address is the peer's address",
        s::is(&s::remote_address(&socket.socket, "s"), &peer.address),
    );
    check_should(
        "local-address is still 127.0.0.1 with a port other than 0",
        matches!(
            s::local_address(&socket.socket, "s"),
            Ok(a) if s::same(&a, &loopback(Ipv4, port(&a))) && port(&a) != 0
        ),
        None,
    );
    Ok(())
}

/// A socket streaming to A receives A's datagram, not the one another
/// socket sent before it.
fn connected_receive(net: &Network) -> Result<(), String> {
    let a = Udp::new(net, Ipv4, "a", None)?;
    let other = Udp::new(net, Ipv4, "other", None)?;
    let (socket, address) = s::bound::<UdpSocket>(net, Ipv4, "s")?;
    let (incoming, _outgoing) = setup("stream", s::stream(&socket, "s", Some(a.address)))?;
    other.send(b"from another socket", Some(address));
    a.send(b"from the peer", Some(address));
    let got = s::receive_one(&incoming, "s");
    check(
        "the datagram received is the peer's",
        matches!(&got, Some(d) if d.data == b"from the peer" && s::same(&d.remote_address, &a.address)),
    );
    Ok(())
}

/// A socket streaming to a peer sends to it with no address and with the
/// peer's address; with another address it is invalid-argument (a should
/// check).
fn connected_send(net: &Network) -> Result<(), String> {
    let peer = Udp::new(net, Ipv4, "peer", None)?;
    let other = Udp::new(net, Ipv4, "other", None)?;
    let socket = Udp::new(net, Ipv4, "s", Some(peer.address))?;
    socket.send(b"no address", None);
    peer.receive(b"no address", &socket.address);
    socket.send(b"the peer's address", Some(peer.address));
    peer.receive(b"the peer's address", &socket.address);
    check_error(
        "send to another address is invalid-argument",
        &s::send_one(&socket.outgoing, "s", b"elsewhere", Some(other.address)),
        ErrorCode::InvalidArgument,
        true,
    );
    Ok(())
}

/// After its streams are dropped and stream is called with a second peer,
/// the socket's remote address is that peer; it receives from it, not
/// from the first, and sends to it.
fn restream(net: &Network) -> Result<(), String> {
    let first = Udp::new(net, Ipv4, "first", None)?;
    let second = Udp::new(net, Ipv4, "second", None)?;
    let socket = Udp::new(net, Ipv4, "s", Some(first.address))?.restream(Some(second.address))?;
    check(
        "remote-address is the second peer",
        s::is(&s::remote_address(&socket.socket, "s"), &second.address),
    );
    first.send(b"from the first peer", Some(socket.address));
    second.send(b"from the second peer", Some(socket.address));
    socket.receive(b"from the second peer", &second.address);
    socket.send(b"to the peer", None);
    second.receive(b"to the peer", &socket.address);
    Ok(())
}

/// stream(none) after stream(some peer): remote-address is invalid-state
/// (a should check), the local address stays, and the socket receives
/// from and sends to another address. (Linux gives up the port of a
/// socket bound to port 0 on disconnect: a socket that lost it is not sent
/// to, as its receive would wait for ever.)
fn disconnect(net: &Network) -> Result<(), String> {
    let peer = Udp::new(net, Ipv4, "peer", None)?;
    let other = Udp::new(net, Ipv4, "other", None)?;
    let socket = Udp::new(net, Ipv4, "s", Some(peer.address))?.restream(None)?;
    check_error(
        "remote-address after stream(none) is invalid-state",
        &s::remote_address(&socket.socket, "s"),
        ErrorCode::InvalidState,
        true,
    );
    let local = s::local_address(&socket.socket, "s");
    check(
        "local-address is the address bound before",
        s::is(&local, &socket.address),
    );
    if s::is(&local, &socket.address) {
        other.exchange(&socket, b"from another socket", b"to another socket");
    }
    Ok(())
}

/// send to port 0, to 0.0.0.0, to an address of the other family, and
/// with no address on a socket streaming to any address is
/// invalid-argument.
fn send_invalid_address(net: &Network) -> Result<(), String> {
    let peer = Udp::new(net, Ipv4, "peer", None)?;
    let socket = Udp::new(net, Ipv4, "s", None)?;
    let addresses = [
        ("port 0", Some(loopback(Ipv4, 0))),
        ("0.0.0.0", Some(unspecified(Ipv4, port(&peer.address)))),
        ("an IPv6 address", Some(loopback(Ipv6, port(&peer.address)))),
        ("no address, unconnected", None),
    ];
    for (what, to) in addresses {
        check_error(
            &fmt!("send to {what} is invalid-argument"),
            &s::send_one(&socket.outgoing, "s", b"x", to),
            ErrorCode::InvalidArgument,
            false,
        );
    }
    Ok(())
}

/// stream to port 0, to 0.0.0.0 and to an address of the other family
/// is invalid-argument.
fn stream_invalid_address(net: &Network) -> Result<(), String> {
    let peer = Udp::new(net, Ipv4, "peer", None)?;
    let (socket, _) = s::bound::<UdpSocket>(net, Ipv4, "s")?;
    let addresses = [
        ("port 0", loopback(Ipv4, 0)),
        ("0.0.0.0", unspecified(Ipv4, port(&peer.address))),
        ("an IPv6 address", loopback(Ipv6, port(&peer.address))),
    ];
    for (what, to) in addresses {
        check_error(
            &fmt!("stream to {what} is invalid-argument"),
            &s::stream(&socket, "s", Some(to)).map(drop),
            ErrorCode::InvalidArgument,
            false,
        );
    }
    Ok(())
}

/// Once the outgoing stream's pollable is ready, check-send permits at
/// least one datagram; a send of no datagram is ok(0).
fn check_send(net: &Network) -> Result<(), String> {
    let socket = Udp::new(net, Ipv4, "s", None)?;
    let ready = s::outgoing_subscribe(&socket.outgoing, "s");
    guest_support::p2::poll::block(&ready, "s");
    let budget = s::check_send(&socket.outgoing, "s");
    check(
        "check-send permits at least one datagram",
        matches!(budget, Ok(n) if n >= 1),
    );
    let none: [OutgoingDatagram; 0] = [];
    check(
        "send of no datagram is ok(0)",
        s::send(&socket.outgoing, "s", &none) == Ok(0),
    );
    Ok(())
}

/// receive(0) and a receive with nothing to receive are ok with an empty
/// list.
fn receive_empty(net: &Network) -> Result<(), String> {
    let socket = Udp::new(net, Ipv4, "s", None)?;
    check(
        "receive(0) is an empty list",
        matches!(s::receive(&socket.incoming, "s", 0), Ok(l) if l.is_empty()),
    );
    check(
        "receive(4) with nothing sent is an empty list",
        matches!(s::receive(&socket.incoming, "s", 4), Ok(l) if l.is_empty()),
    );
    Ok(())
}
