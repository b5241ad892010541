//! udp <scenario>: `wasi:sockets@0.3.0` UDP on the loopback interface (the
//! case grants the `sockets` proposal). Addresses and ports are never
//! printed: they differ from run to run. What the text states is a check;
//! an error code it lists only among the "typical errors" is a
//! `check_should` inside a `must` scenario, or a check of a `should` one.
//! On loopback a datagram is queued at its receiver when `send` returns,
//! so datagrams sent one after the other arrive in that order.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::sockets::{self, check_error, check_error_should, loopback, port, unspecified};
use guests_p3::wasi::sockets::types::{ErrorCode, IpAddressFamily, IpSocketAddress, UdpSocket};

use IpAddressFamily::{Ipv4, Ipv6};

guests_p3::scenario_command!(scenario);

/// What can be printed of a get-*-address result: its error, or whether
/// the address is loopback and its port 0 (never the address or port).
fn shape(address: &Result<IpSocketAddress, ErrorCode>) -> String {
    match address {
        Ok(a) => fmt!(
            "loopback: {}, port 0: {}",
            *a == loopback(Ipv4, port(a)) || *a == loopback(Ipv6, port(a)),
            port(a) == 0
        ),
        Err(e) => fmt!("{e:?}"),
    }
}

/// Sends `data` from `socket` to `to` (`None`: its connected peer),
/// checked to succeed.
async fn send(socket: &UdpSocket, data: &[u8], to: Option<IpSocketAddress>) {
    let sent = socket.send(data.to_vec(), to).await;
    check_detail(
        &fmt!("send {:?}", String::from_utf8_lossy(data)),
        sent.is_ok(),
        Some(&fmt!("{sent:?}")),
    );
}

/// The next datagram `socket` receives is `data`, from `from`.
async fn receive(socket: &UdpSocket, data: &[u8], from: &IpSocketAddress) {
    let received = socket.receive().await;
    let name = fmt!(
        "receive {:?} from its sender",
        String::from_utf8_lossy(data)
    );
    check_detail(
        &name,
        matches!(&received, Ok((d, a)) if d == data && a == from),
        Some(&fmt!(
            "{:?}",
            received.map(|(d, a)| (String::from_utf8_lossy(&d).into_owned(), a == *from))
        )),
    );
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "address-family" => sockets::address_family::<UdpSocket>(),
        "unbound-address" => unbound_address()?,
        "bind-address" => bind_address()?,
        "bind-twice" => bind_twice()?,
        "bind-in-use" => bind_in_use()?,
        "bind-wrong-family" => bind_wrong_family()?,
        "datagrams" => datagrams(Ipv4).await?,
        "ipv6-datagrams" => {
            if matches!(UdpSocket::create(Ipv6), Err(ErrorCode::NotSupported)) {
                guest_support::unsupported("IPv6 sockets");
            } else {
                datagrams(Ipv6).await?
            }
        }
        "send-implicit-bind" => send_implicit_bind().await?,
        "connect" => connect()?,
        "connected-receive" => connected_receive().await?,
        "connected-send" => connected_send().await?,
        "reconnect" => reconnect().await?,
        "disconnect" => disconnect().await?,
        "disconnect-unconnected" => disconnect_unconnected()?,
        "send-invalid-address" => send_invalid_address().await?,
        "connect-invalid-address" => connect_invalid_address()?,
        "datagram-too-large" => datagram_too_large().await?,
        "remote-unconnected" => remote_unconnected()?,
        "receive-unbound" => receive_unbound().await?,
        "hop-limit" => hop_limit()?,
        "buffer-sizes" => buffer_sizes()?,
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}

/// get-local-address of an unbound socket is invalid-state.
fn unbound_address() -> Result<(), Stop> {
    let socket = sockets::create::<UdpSocket>(Ipv4)?;
    check_error(
        "get-local-address of an unbound socket is invalid-state",
        socket.get_local_address(),
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// bind to 127.0.0.1:0 binds to 127.0.0.1 and a port other than 0.
fn bind_address() -> Result<(), Stop> {
    let socket = sockets::create::<UdpSocket>(Ipv4)?;
    let bound = socket.bind(loopback(Ipv4, 0));
    check_detail("bind 127.0.0.1:0", bound.is_ok(), Some(&fmt!("{bound:?}")));
    let address = socket.get_local_address();
    check_detail(
        "get-local-address is 127.0.0.1 with a port other than 0",
        matches!(&address, Ok(a) if *a == loopback(Ipv4, port(a)) && port(a) != 0),
        Some(&shape(&address)),
    );
    Ok(())
}

/// A second bind of a bound socket is invalid-state.
fn bind_twice() -> Result<(), Stop> {
    let (socket, first) = sockets::bound::<UdpSocket>(Ipv4)?;
    check_error(
        "a second bind is invalid-state",
        socket.bind(loopback(Ipv4, 0)),
        ErrorCode::InvalidState,
    );
    check(
        "the local address is unchanged",
        socket.get_local_address() == Ok(first),
    );
    Ok(())
}

/// bind to the address another socket is bound to is address-in-use.
fn bind_in_use() -> Result<(), Stop> {
    let (_holder, taken) = sockets::bound::<UdpSocket>(Ipv4)?;
    let socket = sockets::create::<UdpSocket>(Ipv4)?;
    check_error(
        "bind to a bound socket's address is address-in-use",
        socket.bind(taken),
        ErrorCode::AddressInUse,
    );
    Ok(())
}

/// bind to an address of the other family is invalid-argument.
fn bind_wrong_family() -> Result<(), Stop> {
    for (family, other) in [(Ipv4, Ipv6), (Ipv6, Ipv4)] {
        let socket = sockets::create::<UdpSocket>(family)?;
        check_error(
            &fmt!("bind of a {family:?} socket to {other:?} loopback is invalid-argument"),
            socket.bind(loopback(other, 0)),
            ErrorCode::InvalidArgument,
        );
    }
    Ok(())
}

/// Two bound sockets of `family` exchange a datagram each way; each
/// arrives with the sender's address.
async fn datagrams(family: IpAddressFamily) -> Result<(), Stop> {
    let (a, a_address) = sockets::bound::<UdpSocket>(family)?;
    let (b, b_address) = sockets::bound::<UdpSocket>(family)?;
    send(&a, b"ping", Some(b_address)).await;
    receive(&b, b"ping", &a_address).await;
    send(&b, b"pong", Some(a_address)).await;
    receive(&a, b"pong", &b_address).await;
    Ok(())
}

/// send from an unbound socket binds it to a port other than 0, the port
/// the datagram comes from.
async fn send_implicit_bind() -> Result<(), Stop> {
    let (receiver, to) = sockets::bound::<UdpSocket>(Ipv4)?;
    let sender = sockets::create::<UdpSocket>(Ipv4)?;
    send(&sender, b"ping", Some(to)).await;
    let local = sender.get_local_address();
    check_detail(
        "the sender then has a local port other than 0",
        matches!(&local, Ok(a) if port(a) != 0),
        Some(&shape(&local)),
    );
    let received = receiver.receive().await;
    check_detail(
        "the datagram comes from that port",
        matches!((&received, &local), (Ok((_, from)), Ok(a)) if port(from) == port(a)),
        Some(&fmt!("{:?}", received.map(|(data, _)| data.len()))),
    );
    Ok(())
}

/// connect of an unbound socket sets its remote address and binds it to a
/// port other than 0.
fn connect() -> Result<(), Stop> {
    let (_peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let socket = sockets::create::<UdpSocket>(Ipv4)?;
    let connected = socket.connect(peer_address);
    check_detail("connect", connected.is_ok(), Some(&fmt!("{connected:?}")));
    check(
        "get-remote-address is the peer's address",
        socket.get_remote_address() == Ok(peer_address),
    );
    let local = socket.get_local_address();
    check_detail(
        "get-local-address has a port other than 0",
        matches!(&local, Ok(a) if port(a) != 0),
        Some(&shape(&local)),
    );
    Ok(())
}

/// A socket bound to 127.0.0.1 and connected to `peer`, with its local
/// address; failing, it stops the scenario.
fn connected_to(peer: IpSocketAddress) -> Result<(UdpSocket, IpSocketAddress), Stop> {
    let (socket, address) = sockets::bound::<UdpSocket>(Ipv4)?;
    socket
        .connect(peer)
        .map_err(|e| Stop::Setup(fmt!("connect: {e:?}")))?;
    Ok((socket, address))
}

/// A socket connected to A receives A's datagram, not the one another
/// socket sent before it.
async fn connected_receive() -> Result<(), Stop> {
    let (a, a_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (other, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, address) = connected_to(a_address)?;
    send(&other, b"from another socket", Some(address)).await;
    send(&a, b"from the peer", Some(address)).await;
    receive(&socket, b"from the peer", &a_address).await;
    Ok(())
}

/// A connected socket sends to its peer without an address and with the
/// peer's address; with another address it is invalid-argument (a should
/// check).
async fn connected_send() -> Result<(), Stop> {
    let (peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (_other, other_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, address) = connected_to(peer_address)?;
    send(&socket, b"no address", None).await;
    receive(&peer, b"no address", &address).await;
    send(&socket, b"the peer's address", Some(peer_address)).await;
    receive(&peer, b"the peer's address", &address).await;
    check_error_should(
        "send to another address is invalid-argument",
        socket
            .send(b"elsewhere".to_vec(), Some(other_address))
            .await,
        ErrorCode::InvalidArgument,
    );
    Ok(())
}

/// After a second connect (to C), the socket receives from C and not from
/// the first peer, and sends to C.
async fn reconnect() -> Result<(), Stop> {
    let (first, first_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (second, second_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, address) = connected_to(first_address)?;
    let again = socket.connect(second_address);
    check_detail(
        "connect to a second peer",
        again.is_ok(),
        Some(&fmt!("{again:?}")),
    );
    check(
        "get-remote-address is the second peer",
        socket.get_remote_address() == Ok(second_address),
    );
    send(&first, b"from the first peer", Some(address)).await;
    send(&second, b"from the second peer", Some(address)).await;
    receive(&socket, b"from the second peer", &second_address).await;
    send(&socket, b"to the peer", None).await;
    receive(&second, b"to the peer", &address).await;
    Ok(())
}

/// After disconnect, a socket keeps its local address, receives from and
/// sends to an address other than its former peer; its get-remote-address
/// is invalid-state (a should check). (Linux gives up the port of a socket
/// bound to port 0 on disconnect: a socket that lost it is not sent to,
/// as its receive would wait for ever.)
async fn disconnect() -> Result<(), Stop> {
    let (_peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (other, other_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, address) = connected_to(peer_address)?;
    let disconnected = socket.disconnect();
    check_detail(
        "disconnect",
        disconnected.is_ok(),
        Some(&fmt!("{disconnected:?}")),
    );
    let local = socket.get_local_address();
    check_detail(
        "get-local-address after disconnect is the address bound before",
        local == Ok(address),
        Some(&shape(&local)),
    );
    if local == Ok(address) {
        send(&other, b"from another socket", Some(address)).await;
        receive(&socket, b"from another socket", &other_address).await;
        send(&socket, b"to another socket", Some(other_address)).await;
        receive(&other, b"to another socket", &address).await;
    }
    check_error_should(
        "get-remote-address after disconnect is invalid-state",
        socket.get_remote_address(),
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// disconnect of a bound socket that is not connected is invalid-state.
fn disconnect_unconnected() -> Result<(), Stop> {
    let (socket, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    check_error(
        "disconnect of an unconnected socket is invalid-state",
        socket.disconnect(),
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// send to port 0, to 0.0.0.0, to an IPv6 address, and without an address
/// on an unconnected socket is invalid-argument.
async fn send_invalid_address() -> Result<(), Stop> {
    let (_peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    let addresses = [
        ("port 0", Some(loopback(Ipv4, 0))),
        ("0.0.0.0", Some(unspecified(Ipv4, port(&peer_address)))),
        ("an IPv6 address", Some(loopback(Ipv6, port(&peer_address)))),
        ("no address, unconnected", None),
    ];
    for (what, address) in addresses {
        check_error(
            &fmt!("send to {what} is invalid-argument"),
            socket.send(b"x".to_vec(), address).await,
            ErrorCode::InvalidArgument,
        );
    }
    Ok(())
}

/// connect to port 0, to 0.0.0.0 and to an IPv6 address is
/// invalid-argument.
fn connect_invalid_address() -> Result<(), Stop> {
    let (_peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    let addresses = [
        ("port 0", loopback(Ipv4, 0)),
        ("0.0.0.0", unspecified(Ipv4, port(&peer_address))),
        ("an IPv6 address", loopback(Ipv6, port(&peer_address))),
    ];
    for (what, address) in addresses {
        check_error(
            &fmt!("connect to {what} is invalid-argument"),
            socket.connect(address),
            ErrorCode::InvalidArgument,
        );
    }
    Ok(())
}

/// A 65508-byte datagram (one more than IPv4 carries, less than the
/// 64 KiB above which a host may trap) is datagram-too-large.
async fn datagram_too_large() -> Result<(), Stop> {
    let (_peer, peer_address) = sockets::bound::<UdpSocket>(Ipv4)?;
    let (socket, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    check_error(
        "send of 65508 bytes is datagram-too-large",
        socket.send(vec![0; 65508], Some(peer_address)).await,
        ErrorCode::DatagramTooLarge,
    );
    Ok(())
}

/// get-remote-address of an unbound and of a bound socket is
/// invalid-state.
fn remote_unconnected() -> Result<(), Stop> {
    let unbound = sockets::create::<UdpSocket>(Ipv4)?;
    let (bound_only, _) = sockets::bound::<UdpSocket>(Ipv4)?;
    for (what, socket) in [("an unbound", unbound), ("a bound", bound_only)] {
        check_error(
            &fmt!("get-remote-address of {what} socket is invalid-state"),
            socket.get_remote_address(),
            ErrorCode::InvalidState,
        );
    }
    Ok(())
}

/// receive on an unbound socket is invalid-state.
async fn receive_unbound() -> Result<(), Stop> {
    let socket = sockets::create::<UdpSocket>(Ipv4)?;
    check_error(
        "receive on an unbound socket is invalid-state",
        socket.receive().await,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// The hop-limit option ([`sockets::hop_limit`]).
fn hop_limit() -> Result<(), Stop> {
    sockets::hop_limit(&sockets::create::<UdpSocket>(Ipv4)?);
    Ok(())
}

/// The buffer-size options ([`sockets::buffer_sizes`]).
fn buffer_sizes() -> Result<(), Stop> {
    sockets::buffer_sizes(&sockets::create::<UdpSocket>(Ipv4)?);
    Ok(())
}
