//! tcp <scenario>: `wasi:sockets@0.3.0` TCP on the loopback interface (the
//! case grants the `sockets` proposal). Addresses and ports are never
//! printed: they differ from run to run. What the text states is a check;
//! an error code it lists only among the "typical errors" is a
//! `check_should` inside a `must` scenario, or a check of a `should` one.
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::sockets::{self, check_error, check_error_should, loopback, port, unspecified};
use guests_p3::wasi::sockets::types::{ErrorCode, IpAddressFamily, IpSocketAddress, TcpSocket};
use guests_p3::wit_stream;
use wit_bindgen::StreamReader;

use IpAddressFamily::{Ipv4, Ipv6};

guests_p3::scenario_command!(scenario);

/// 1 MiB, the size of the big transfer.
const MIB: usize = 1 << 20;

/// Which kind of address `address` is (`loopback`, `unspecified` or
/// `other`), a name that can be printed: the address itself is not.
fn kind(address: &IpSocketAddress) -> &'static str {
    let family = match address {
        IpSocketAddress::Ipv4(_) => Ipv4,
        IpSocketAddress::Ipv6(_) => Ipv6,
    };
    if *address == loopback(family, port(address)) {
        "loopback"
    } else if *address == unspecified(family, port(address)) {
        "unspecified"
    } else {
        "other"
    }
}

/// What can be printed of a get-*-address result: its error, or the
/// address's kind and whether its port is 0 (never the address or port).
fn shape(address: &Result<IpSocketAddress, ErrorCode>) -> String {
    match address {
        Ok(a) => fmt!("{}, port 0: {}", kind(a), port(a) == 0),
        Err(e) => fmt!("{e:?}"),
    }
}

/// A loopback address where nothing listens: the port stays taken by the
/// bound socket returned with it, so nobody else can listen there.
fn closed_port() -> Result<(TcpSocket, IpSocketAddress), Stop> {
    sockets::bound::<TcpSocket>(Ipv4)
}

/// A socket of `family` listening on its loopback address, its stream of
/// connections and its address.
fn listening(
    family: IpAddressFamily,
) -> Result<(TcpSocket, StreamReader<TcpSocket>, IpSocketAddress), Stop> {
    let listener = sockets::create::<TcpSocket>(family)?;
    let name = match family {
        Ipv4 => "bind 127.0.0.1:0",
        Ipv6 => "bind [::1]:0",
    };
    check(name, listener.bind(loopback(family, 0)).is_ok());
    let connections = listener
        .listen()
        .map_err(|e| Stop::Setup(fmt!("listen: {e:?}")))?;
    let address = listener.get_local_address();
    check("a bound listener has a local address", address.is_ok());
    let address = address.map_err(|e| Stop::Setup(fmt!("get-local-address: {e:?}")))?;
    Ok((listener, connections, address))
}

/// A new socket of `family` connected to `address`.
async fn connect(family: IpAddressFamily, address: IpSocketAddress) -> Result<TcpSocket, Stop> {
    let client = sockets::create::<TcpSocket>(family)?;
    let connected = client.connect(address).await;
    check_detail(
        "connect to the listener",
        connected.is_ok(),
        Some(&fmt!("{connected:?}")),
    );
    connected.map_err(|e| Stop::Setup(fmt!("connect: {e:?}")))?;
    Ok(client)
}

/// The next connection from a listener's stream of `connections`.
async fn accept(connections: &mut StreamReader<TcpSocket>) -> Result<TcpSocket, Stop> {
    let server = connections.next().await;
    check(
        "the listener's stream yields the connection",
        server.is_some(),
    );
    server.ok_or_else(|| Stop::Setup("no connection".into()))
}

/// A connected pair on the loopback address of `family`: (client, the
/// server's accepted socket). The kernel completes the handshake on the
/// listening socket's backlog, so the connect is awaited before the accept.
async fn connected_pair(family: IpAddressFamily) -> Result<(TcpSocket, TcpSocket), Stop> {
    let (_listener, mut connections, address) = listening(family)?;
    let client = connect(family, address).await?;
    let server = accept(&mut connections).await?;
    Ok((client, server))
}

/// Sends `data` on `socket` and closes its sending side.
async fn send(socket: &TcpSocket, data: &[u8]) {
    let (mut tx, rx) = wit_stream::new();
    let done = socket.send(rx);
    write(&mut tx, data).await;
    drop(tx);
    let result = done.await;
    check_detail("send ends ok", result.is_ok(), Some(&fmt!("{result:?}")));
}

/// Writes all of `data` into a send stream.
async fn write(tx: &mut wit_bindgen::StreamWriter<u8>, data: &[u8]) {
    let rest = tx.write_all(data.to_vec()).await;
    check("send takes every byte", rest.is_empty());
}

/// Receives on `socket` until the peer's shutdown: what arrives is
/// `expected`, and the future is then `ok`.
async fn receive(socket: &TcpSocket, name: &str, expected: &[u8]) {
    let (data, done) = socket.receive();
    check_received(name, &data.collect().await, expected);
    let result = done.await;
    check_detail(
        "receive's future is ok after the peer's shutdown",
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
}

/// `received` is `expected`; the detail says how they differ.
fn check_received(name: &str, received: &[u8], expected: &[u8]) {
    let first_difference = received.iter().zip(expected).position(|(a, b)| a != b);
    check_detail(
        name,
        received == expected,
        Some(&fmt!(
            "{} bytes of {}, first difference at {first_difference:?}",
            received.len(),
            expected.len()
        )),
    );
}

/// A send stream that is already closed, with no data.
fn closed_stream() -> StreamReader<u8> {
    let (tx, rx) = wit_stream::new();
    drop(tx);
    rx
}

/// Runs `a` and `b` concurrently until both end.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut a_out, mut b_out) = (None, None);
    poll_fn(|cx| {
        if a_out.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                a_out = Some(out);
            }
        }
        if b_out.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                b_out = Some(out);
            }
        }
        match (a_out.take(), b_out.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                (a_out, b_out) = (a, b);
                Poll::Pending
            }
        }
    })
    .await
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "unbound-address" => {
            let socket = TcpSocket::create(Ipv4);
            let address = socket.map(|s| s.get_local_address().map(drop));
            check_detail(
                "get-local-address of an unbound socket is invalid-state",
                address == Ok(Err(ErrorCode::InvalidState)),
                Some(&fmt!("{address:?}")),
            );
        }
        "echo" => {
            let (client, server) = connected_pair(Ipv4).await?;
            send(&client, b"ping from the client").await;
            drop(client);
            receive(
                &server,
                "receive streams what the peer sent",
                b"ping from the client",
            )
            .await;
        }
        "receive-twice" => {
            let (_client, server) = connected_pair(Ipv4).await?;
            let (first, _first_done) = server.receive();
            let (second, second_done) = server.receive();
            check(
                "the second receive's stream is closed",
                second.collect().await.is_empty(),
            );
            let result = second_done.await;
            check_detail(
                "the second receive's future is invalid-state",
                result == Err(ErrorCode::InvalidState),
                Some(&fmt!("{result:?}")),
            );
            drop(first);
        }
        "address-family" => sockets::address_family::<TcpSocket>(),
        "bind-address" => bind_address()?,
        "bind-twice" => bind_twice()?,
        "bind-retry" => bind_retry()?,
        "bind-in-use" => bind_in_use()?,
        "bind-wrong-family" => bind_wrong_family()?,
        "listen-implicit-bind" => listen_implicit_bind()?,
        "listen-state" => listen_state()?,
        "listen-twice" => listen_twice()?,
        "listen-connected" => listen_connected().await?,
        "connect-refused" => connect_refused().await?,
        "connect-after-failure" => connect_after_failure().await?,
        "connect-twice" => connect_twice().await?,
        "connect-listener" => connect_listener().await?,
        "connect-invalid-address" => connect_invalid_address().await?,
        "connect-addresses" => connect_addresses().await?,
        "accepted-socket" => accepted_socket().await?,
        "remote-unconnected" => remote_unconnected()?,
        "echo-both-ways" => echo_both_ways(Ipv4).await?,
        "ipv6-echo" => {
            if matches!(TcpSocket::create(Ipv6), Err(ErrorCode::NotSupported)) {
                guest_support::unsupported("IPv6 sockets");
            } else {
                echo_both_ways(Ipv6).await?
            }
        }
        "mib" => mib().await?,
        "streams-outlive-socket" => streams_outlive_socket().await?,
        "listener-independent" => listener_independent().await?,
        "send-twice" => send_twice().await?,
        "io-unconnected" => io_unconnected().await?,
        "backlog" => backlog()?,
        "keep-alive-enabled" => keep_alive_enabled()?,
        "keep-alive-zero" => keep_alive_zero()?,
        "keep-alive-values" => keep_alive_values()?,
        "hop-limit" => hop_limit()?,
        "buffer-sizes" => buffer_sizes()?,
        "inherited-options" => inherited_options().await?,
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}

/// bind to 127.0.0.1:0 binds to 127.0.0.1 and a port other than 0.
fn bind_address() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    let bound = socket.bind(loopback(Ipv4, 0));
    check_detail("bind 127.0.0.1:0", bound.is_ok(), Some(&fmt!("{bound:?}")));
    let address = socket.get_local_address();
    check_detail(
        "get-local-address is 127.0.0.1 with a port other than 0",
        matches!(&address, Ok(a) if kind(a) == "loopback" && port(a) != 0),
        Some(&shape(&address)),
    );
    Ok(())
}

/// A second bind does not change the binding of a bound socket.
fn bind_twice() -> Result<(), Stop> {
    let (socket, first) = sockets::bound::<TcpSocket>(Ipv4)?;
    let second = socket.bind(loopback(Ipv4, 0));
    check_detail(
        "a second bind fails",
        second.is_err(),
        Some(&fmt!("{second:?}")),
    );
    check(
        "the local address is unchanged",
        socket.get_local_address() == Ok(first),
    );
    check_error_should(
        "the second bind is invalid-state",
        second,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// After a failed bind (to a port a listener holds), bind to port 0
/// succeeds.
fn bind_retry() -> Result<(), Stop> {
    let (_listener, _connections, taken) = listening(Ipv4)?;
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    if socket.bind(taken).is_ok() {
        return Err(Stop::Setup(
            "bind to a port a listener holds succeeded".into(),
        ));
    }
    let retried = socket.bind(loopback(Ipv4, 0));
    check_detail(
        "bind after a failed bind succeeds",
        retried.is_ok(),
        Some(&fmt!("{retried:?}")),
    );
    check(
        "the socket then has a local address",
        socket.get_local_address().is_ok(),
    );
    Ok(())
}

/// bind to the address a listener holds is address-in-use.
fn bind_in_use() -> Result<(), Stop> {
    let (_listener, _connections, taken) = listening(Ipv4)?;
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check_error(
        "bind to a listener's address is address-in-use",
        socket.bind(taken),
        ErrorCode::AddressInUse,
    );
    Ok(())
}

/// bind to an address of the other family is invalid-argument.
fn bind_wrong_family() -> Result<(), Stop> {
    for (family, other) in [(Ipv4, Ipv6), (Ipv6, Ipv4)] {
        let socket = sockets::create::<TcpSocket>(family)?;
        check_error(
            &fmt!("bind of a {family:?} socket to {other:?} loopback is invalid-argument"),
            socket.bind(loopback(other, 0)),
            ErrorCode::InvalidArgument,
        );
    }
    Ok(())
}

/// listen on an unbound socket binds it to a port other than 0 (which
/// address is the host's choice: printed as its kind).
fn listen_implicit_bind() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    let listened = socket.listen();
    check_detail(
        "listen on an unbound socket",
        listened.is_ok(),
        Some(&fmt!("{:?}", listened.as_ref().map(drop))),
    );
    let address = socket.get_local_address();
    check_detail(
        "get-local-address after listen has a port other than 0",
        matches!(&address, Ok(a) if port(a) != 0),
        Some(&shape(&address)),
    );
    if let Ok(address) = &address {
        println!("implicit bind address: {}", kind(address));
    }
    Ok(())
}

/// get-is-listening is false before listen (unbound, then bound) and true
/// after.
fn listen_state() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check(
        "an unbound socket is not listening",
        !socket.get_is_listening(),
    );
    check("bind", socket.bind(loopback(Ipv4, 0)).is_ok());
    check(
        "a bound socket is not listening",
        !socket.get_is_listening(),
    );
    let connections = socket.listen();
    check("listen", connections.is_ok());
    check(
        "after listen the socket is listening",
        socket.get_is_listening(),
    );
    Ok(())
}

/// A second listen is invalid-state; the socket stays listening.
fn listen_twice() -> Result<(), Stop> {
    let (listener, _connections, _) = listening(Ipv4)?;
    check_error(
        "a second listen is invalid-state",
        listener.listen().map(drop),
        ErrorCode::InvalidState,
    );
    check("the socket is still listening", listener.get_is_listening());
    Ok(())
}

/// listen on a connected socket is invalid-state.
async fn listen_connected() -> Result<(), Stop> {
    let (client, _server) = connected_pair(Ipv4).await?;
    check_error(
        "listen on a connected socket is invalid-state",
        client.listen().map(drop),
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// connect to a loopback port where nothing listens is connection-refused.
async fn connect_refused() -> Result<(), Stop> {
    let (_holder, closed) = closed_port()?;
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check_error(
        "connect to a closed port is connection-refused",
        socket.connect(closed).await,
        ErrorCode::ConnectionRefused,
    );
    Ok(())
}

/// After a refused connect, a connect to a listener fails.
async fn connect_after_failure() -> Result<(), Stop> {
    let (_holder, closed) = closed_port()?;
    let (_listener, _connections, open) = listening(Ipv4)?;
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    if socket.connect(closed).await.is_ok() {
        return Err(Stop::Setup("connect to a closed port succeeded".into()));
    }
    let again = socket.connect(open).await;
    check_detail(
        "connect after a failed connect fails",
        again.is_err(),
        Some(&fmt!("{again:?}")),
    );
    check_error_should(
        "connect in the closed state is invalid-state",
        again,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// A connected socket's second connect (to another listener) fails and
/// the socket stays connected to the first.
async fn connect_twice() -> Result<(), Stop> {
    let (_first, mut connections, first) = listening(Ipv4)?;
    let (_second, _more, second) = listening(Ipv4)?;
    let client = connect(Ipv4, first).await?;
    let _server = accept(&mut connections).await?;
    let again = client.connect(second).await;
    check_detail(
        "a second connect fails",
        again.is_err(),
        Some(&fmt!("{again:?}")),
    );
    check(
        "get-remote-address is still the first listener",
        client.get_remote_address() == Ok(first),
    );
    check_error_should(
        "a second connect is invalid-state",
        again,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// connect on a listening socket is invalid-state.
async fn connect_listener() -> Result<(), Stop> {
    let (listener, _connections, _) = listening(Ipv4)?;
    let (_other, _more, other) = listening(Ipv4)?;
    check_error(
        "connect on a listening socket is invalid-state",
        listener.connect(other).await,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// connect to port 0, to the unspecified address (with a listener's port)
/// and to an address of the other family is invalid-argument.
async fn connect_invalid_address() -> Result<(), Stop> {
    let (_listener, _connections, open) = listening(Ipv4)?;
    let addresses = [
        ("port 0", loopback(Ipv4, 0)),
        ("0.0.0.0", unspecified(Ipv4, port(&open))),
        ("an IPv6 address", loopback(Ipv6, port(&open))),
    ];
    for (what, address) in addresses {
        let socket = sockets::create::<TcpSocket>(Ipv4)?;
        check_error(
            &fmt!("connect to {what} is invalid-argument"),
            socket.connect(address).await,
            ErrorCode::InvalidArgument,
        );
    }
    Ok(())
}

/// After connect, get-remote-address is the listener's address and the
/// unbound client got a port other than 0.
async fn connect_addresses() -> Result<(), Stop> {
    let (_listener, _connections, address) = listening(Ipv4)?;
    let client = connect(Ipv4, address).await?;
    check(
        "get-remote-address is the listener's address",
        client.get_remote_address() == Ok(address),
    );
    let local = client.get_local_address();
    check_detail(
        "get-local-address of the client has a port other than 0",
        matches!(&local, Ok(a) if port(a) != 0),
        Some(&shape(&local)),
    );
    Ok(())
}

/// The accepted socket: its addresses mirror the client's, it is not
/// listening, and it has the listener's family.
async fn accepted_socket() -> Result<(), Stop> {
    let (_listener, mut connections, address) = listening(Ipv4)?;
    let client = connect(Ipv4, address).await?;
    let server = accept(&mut connections).await?;
    check(
        "its local address is the listener's",
        server.get_local_address() == Ok(address),
    );
    check(
        "its remote address is the client's local address",
        server.get_remote_address() == client.get_local_address(),
    );
    check("it is not listening", !server.get_is_listening());
    check("its family is IPv4", server.get_address_family() == Ipv4);
    Ok(())
}

/// get-remote-address of an unbound, a bound and a listening socket is
/// invalid-state.
fn remote_unconnected() -> Result<(), Stop> {
    let unbound = sockets::create::<TcpSocket>(Ipv4)?;
    let (bound_only, _) = sockets::bound::<TcpSocket>(Ipv4)?;
    let (listener, _connections, _) = listening(Ipv4)?;
    for (what, socket) in [
        ("an unbound", unbound),
        ("a bound", bound_only),
        ("a listening", listener),
    ] {
        check_error(
            &fmt!("get-remote-address of {what} socket is invalid-state"),
            socket.get_remote_address(),
            ErrorCode::InvalidState,
        );
    }
    Ok(())
}

/// The client sends and closes; the server receives it all, answers and
/// closes; the client receives the answer.
async fn echo_both_ways(family: IpAddressFamily) -> Result<(), Stop> {
    let (client, server) = connected_pair(family).await?;
    send(&client, b"ping").await;
    receive(&server, "the server receives the client's data", b"ping").await;
    send(&server, b"pong").await;
    receive(&client, "the client receives the server's data", b"pong").await;
    Ok(())
}

/// 1 MiB sent while the peer receives arrives whole and in order.
async fn mib() -> Result<(), Stop> {
    let (client, server) = connected_pair(Ipv4).await?;
    let data: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    // The send's result is checked after both sides are done: checked
    // inside `join`, its line would come before or after the receive's as
    // the host schedules the two.
    let sending = async {
        let (mut tx, rx) = wit_stream::new();
        let done = client.send(rx);
        write(&mut tx, &data).await;
        drop(tx);
        let result = done.await;
        drop(client);
        result
    };
    let (sent, ()) = join(
        sending,
        receive(&server, "the server receives the 1 MiB", &data),
    )
    .await;
    check_detail("send ends ok", sent.is_ok(), Some(&fmt!("{sent:?}")));
    Ok(())
}

/// The server's send and receive streams keep working after its
/// tcp-socket handle is dropped.
async fn streams_outlive_socket() -> Result<(), Stop> {
    let (client, server) = connected_pair(Ipv4).await?;
    let (data, received) = server.receive();
    let (mut tx, rx) = wit_stream::new();
    let sent = server.send(rx);
    drop(server);
    send(&client, b"ping").await;
    check_received(
        "the receive stream yields the client's data",
        &data.collect().await,
        b"ping",
    );
    let result = received.await;
    check_detail(
        "the receive future is ok",
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
    write(&mut tx, b"pong").await;
    drop(tx);
    let result = sent.await;
    check_detail(
        "the send future is ok",
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
    receive(&client, "the client receives the server's data", b"pong").await;
    Ok(())
}

/// Dropping the listener and its stream closes it (a new connect fails),
/// while the connection it accepted keeps working.
async fn listener_independent() -> Result<(), Stop> {
    let (listener, mut connections, address) = listening(Ipv4)?;
    let client = connect(Ipv4, address).await?;
    let server = accept(&mut connections).await?;
    drop((listener, connections));
    let late = sockets::create::<TcpSocket>(Ipv4)?.connect(address).await;
    check_detail(
        "connect to the dropped listener's address fails",
        late.is_err(),
        Some(&fmt!("{late:?}")),
    );
    check_error_should(
        "connect to the dropped listener's address is connection-refused",
        late,
        ErrorCode::ConnectionRefused,
    );
    send(&client, b"still connected").await;
    receive(
        &server,
        "the accepted socket receives the client's data",
        b"still connected",
    )
    .await;
    Ok(())
}

/// A second send's future is invalid-state.
async fn send_twice() -> Result<(), Stop> {
    let (client, _server) = connected_pair(Ipv4).await?;
    let (_first_tx, first) = wit_stream::new::<u8>();
    let _first_done = client.send(first);
    check_error(
        "the second send's future is invalid-state",
        client.send(closed_stream()).await,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// send and receive on a socket that is not connected: their futures are
/// invalid-state, the receive stream is closed.
async fn io_unconnected() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check_error(
        "send on an unconnected socket is invalid-state",
        socket.send(closed_stream()).await,
        ErrorCode::InvalidState,
    );
    let (data, done) = socket.receive();
    check(
        "receive on an unconnected socket gives a closed stream",
        data.collect().await.is_empty(),
    );
    check_error(
        "receive on an unconnected socket is invalid-state",
        done.await,
        ErrorCode::InvalidState,
    );
    Ok(())
}

/// set-listen-backlog-size of 0 is invalid-argument, of 128 is ok (before
/// listen); after listen, its result is printed (ok or not-supported).
fn backlog() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check_error(
        "set-listen-backlog-size 0 is invalid-argument",
        socket.set_listen_backlog_size(0),
        ErrorCode::InvalidArgument,
    );
    let set = socket.set_listen_backlog_size(128);
    check_detail(
        "set-listen-backlog-size 128",
        set.is_ok(),
        Some(&fmt!("{set:?}")),
    );
    check("listen", socket.listen().is_ok());
    println!(
        "set-listen-backlog-size 64 after listen: {:?}",
        socket.set_listen_backlog_size(64)
    );
    Ok(())
}

/// get-keep-alive-enabled reads back what set-keep-alive-enabled set; its
/// default is printed.
fn keep_alive_enabled() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    println!("default: {:?}", socket.get_keep_alive_enabled());
    for value in [true, false] {
        check(
            &fmt!("set-keep-alive-enabled {value}"),
            socket.set_keep_alive_enabled(value).is_ok(),
        );
        check(
            &fmt!("get-keep-alive-enabled is then {value}"),
            socket.get_keep_alive_enabled() == Ok(value),
        );
    }
    Ok(())
}

/// 0 is invalid-argument for keep-alive-idle-time, -interval and -count;
/// another value is accepted.
fn keep_alive_zero() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    check_error(
        "set-keep-alive-idle-time 0 is invalid-argument",
        socket.set_keep_alive_idle_time(0),
        ErrorCode::InvalidArgument,
    );
    check_error(
        "set-keep-alive-interval 0 is invalid-argument",
        socket.set_keep_alive_interval(0),
        ErrorCode::InvalidArgument,
    );
    check_error(
        "set-keep-alive-count 0 is invalid-argument",
        socket.set_keep_alive_count(0),
        ErrorCode::InvalidArgument,
    );
    check(
        "set-keep-alive-idle-time 60 s",
        socket.set_keep_alive_idle_time(60_000_000_000).is_ok(),
    );
    check(
        "set-keep-alive-interval 10 s",
        socket.set_keep_alive_interval(10_000_000_000).is_ok(),
    );
    check(
        "set-keep-alive-count 5",
        socket.set_keep_alive_count(5).is_ok(),
    );
    Ok(())
}

/// The keep-alive values read back after setting them (they may be clamped
/// or rounded), printed in seconds.
fn keep_alive_values() -> Result<(), Stop> {
    let socket = sockets::create::<TcpSocket>(Ipv4)?;
    let seconds = |d: Result<u64, ErrorCode>| d.map(|ns| ns as f64 / 1e9);
    check(
        "set-keep-alive-idle-time 90.5 s",
        socket.set_keep_alive_idle_time(90_500_000_000).is_ok(),
    );
    println!(
        "keep-alive-idle-time: {:?}",
        seconds(socket.get_keep_alive_idle_time())
    );
    check(
        "set-keep-alive-interval 15 s",
        socket.set_keep_alive_interval(15_000_000_000).is_ok(),
    );
    println!(
        "keep-alive-interval: {:?}",
        seconds(socket.get_keep_alive_interval())
    );
    check(
        "set-keep-alive-count 4",
        socket.set_keep_alive_count(4).is_ok(),
    );
    println!("keep-alive-count: {:?}", socket.get_keep_alive_count());
    Ok(())
}

/// The hop-limit option ([`sockets::hop_limit`]).
fn hop_limit() -> Result<(), Stop> {
    sockets::hop_limit(&sockets::create::<TcpSocket>(Ipv4)?);
    Ok(())
}

/// The buffer-size options ([`sockets::buffer_sizes`]).
fn buffer_sizes() -> Result<(), Stop> {
    sockets::buffer_sizes(&sockets::create::<TcpSocket>(Ipv4)?);
    Ok(())
}

/// The options a listener had when it accepted a connection, as its
/// get-* functions read them.
#[derive(Debug, PartialEq)]
struct Options {
    family: IpAddressFamily,
    keep_alive: Result<bool, ErrorCode>,
    idle_time: Result<u64, ErrorCode>,
    interval: Result<u64, ErrorCode>,
    count: Result<u32, ErrorCode>,
    hop_limit: Result<u8, ErrorCode>,
    receive_buffer: Result<u64, ErrorCode>,
    send_buffer: Result<u64, ErrorCode>,
}

impl Options {
    fn of(socket: &TcpSocket) -> Options {
        Options {
            family: socket.get_address_family(),
            keep_alive: socket.get_keep_alive_enabled(),
            idle_time: socket.get_keep_alive_idle_time(),
            interval: socket.get_keep_alive_interval(),
            count: socket.get_keep_alive_count(),
            hop_limit: socket.get_hop_limit(),
            receive_buffer: socket.get_receive_buffer_size(),
            send_buffer: socket.get_send_buffer_size(),
        }
    }
}

/// A socket accepted by a listener whose options were set before listen
/// has the listener's options.
async fn inherited_options() -> Result<(), Stop> {
    let listener = sockets::create::<TcpSocket>(Ipv4)?;
    let set = [
        listener.set_keep_alive_enabled(true),
        listener.set_keep_alive_idle_time(120_000_000_000),
        listener.set_keep_alive_interval(15_000_000_000),
        listener.set_keep_alive_count(4),
        listener.set_hop_limit(42),
        listener.set_receive_buffer_size(65536),
        listener.set_send_buffer_size(65536),
    ];
    if let Some(e) = set.iter().find_map(|r| r.as_ref().err()) {
        return Err(Stop::Setup(fmt!("set an option: {e:?}")));
    }
    check("bind", listener.bind(loopback(Ipv4, 0)).is_ok());
    let mut connections = listener
        .listen()
        .map_err(|e| Stop::Setup(fmt!("listen: {e:?}")))?;
    let address = listener
        .get_local_address()
        .map_err(|e| Stop::Setup(fmt!("get-local-address: {e:?}")))?;
    let _client = connect(Ipv4, address).await?;
    let server = accept(&mut connections).await?;
    let (listener, server) = (Options::of(&listener), Options::of(&server));
    check_detail(
        "the accepted socket has the listener's options",
        server == listener,
        Some(&fmt!("listener {listener:?}, accepted {server:?}")),
    );
    Ok(())
}
