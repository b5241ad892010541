//! tcp <scenario>: WASI 0.2 `wasi:sockets/tcp` on the loopback interface
//! (the case grants the `sockets` proposal); the guest is both server and
//! client. Every call is traced (`guest_support::p2::sockets`): ports and
//! host-picked addresses never print. An operation in two phases is
//! finished after blocking on the socket's pollable, so the trace does not
//! depend on when the host completes it; an error is checked from either
//! phase (the text lets a host do the native call in `start-*` or in
//! `finish-*`). What the text states is a check; an error code it lists
//! only among the "typical errors" is a `check_should`. A step a scenario
//! needs first that fails is a failed `check_should` `scenario set-up`:
//! the case's requirement was not reached, so a host that fails there
//! diverges, and only a broken requirement is a `fail`.
use guest_support::p2::sockets::{
    self as s, ErrorCode, IpAddressFamily, IpSocketAddress, Network, ShutdownType, TcpSocket,
    check_error, loopback, port, setup, unspecified,
};
use guest_support::p2::{self, poll};
use guest_support::{check, check_detail, check_should, fmt};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

use IpAddressFamily::{Ipv4, Ipv6};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    s::run(|net| scenario_run(&scenario, net));
}

/// One end of a connection. The streams come first: they are dropped
/// before the socket (wasmtime makes them its children).
struct Conn {
    input: InputStream,
    output: OutputStream,
    socket: TcpSocket,
}

/// A socket of `family` bound to loopback port 0 and listening, and its
/// address.
fn listening(
    net: &Network,
    family: IpAddressFamily,
) -> Result<(TcpSocket, IpSocketAddress), String> {
    let (l, a) = s::bound::<TcpSocket>(net, family, "listener")?;
    setup("listen", s::listen(&l, "listener"))?;
    Ok((l, a))
}

/// A new socket of `family` (`label`) connected to `to`.
fn connected(
    net: &Network,
    family: IpAddressFamily,
    to: IpSocketAddress,
    label: &str,
) -> Result<Conn, String> {
    let socket = setup("create", s::create::<TcpSocket>(family))?;
    let (input, output) = setup("connect", s::connect(&socket, label, net, to))?;
    Ok(Conn {
        input,
        output,
        socket,
    })
}

impl From<(TcpSocket, InputStream, OutputStream)> for Conn {
    /// The connection `accept` returns.
    fn from((socket, input, output): (TcpSocket, InputStream, OutputStream)) -> Conn {
        Conn {
            input,
            output,
            socket,
        }
    }
}

/// The next connection of `listener`: [`s::wait`] on it, then `accept`.
fn accepted(listener: &TcpSocket) -> Result<Conn, String> {
    s::wait(listener, "listener");
    setup("accept", s::accept(listener, "listener")).map(Conn::from)
}

/// A listener on the loopback address of `family`, a client connected to
/// it and the server's end: (listener, its address, client, server).
fn pair(
    net: &Network,
    family: IpAddressFamily,
) -> Result<(TcpSocket, IpSocketAddress, Conn, Conn), String> {
    let (listener, address) = listening(net, family)?;
    let client = connected(net, family, address, "client")?;
    let server = accepted(&listener)?;
    Ok((listener, address, client, server))
}

/// Reads `input` to its end (`closed`), each `blocking-read` traced, and
/// checks that what arrived is `expected`.
fn read_to_end(input: &InputStream, label: &str, expected: &[u8]) {
    let mut data = Vec::new();
    loop {
        match p2::blocking_read(input, label, 1024) {
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(_) => {
                check(&fmt!("{label} ends with closed"), false);
                break;
            }
        }
    }
    check_detail(
        &fmt!("{label} gives what the peer sent"),
        data == expected,
        Some(&fmt!("{:?}", String::from_utf8_lossy(&data))),
    );
}

/// Writes `data` on `conn`'s output and shuts its sending side down.
fn send_and_shut(conn: &Conn, label: &str, data: &[u8]) {
    let written = p2::blocking_write_and_flush(&conn.output, &fmt!("{label}-out"), data);
    check("the write succeeds", written.is_ok());
    check(
        "shutdown(send) succeeds",
        s::shutdown(&conn.socket, label, ShutdownType::Send).is_ok(),
    );
}

fn scenario_run(name: &str, net: &Network) -> Result<(), String> {
    match name {
        "unbound-address" => s::check_unbound_address::<TcpSocket>()?,
        "address-family" => s::check_address_family::<TcpSocket>(),
        "bind-address" => s::check_bind_address::<TcpSocket>(net)?,
        "bind-twice" => bind_twice(net)?,
        "bind-retry" => bind_retry(net)?,
        "bind-in-use" => bind_in_use(net)?,
        "bind-wrong-family" => s::check_bind_wrong_family::<TcpSocket>(net)?,
        "bind-concurrent" => s::check_bind_concurrent::<TcpSocket>(net)?,
        "finish-without-start" => finish_without_start(net)?,
        "finish-twice" => finish_twice(net)?,
        "listen-unbound" => listen_unbound()?,
        "listen-state" => listen_state(net)?,
        "listen-twice" => listen_twice(net)?,
        "listen-concurrent" => listen_concurrent(net)?,
        "listen-connected" => {
            let (_listener, _address, client, _server) = pair(net, Ipv4)?;
            check_error(
                "listen on a connected socket is invalid-state",
                &s::listen(&client.socket, "client"),
                ErrorCode::InvalidState,
                false,
            );
        }
        "connect-refused" => connect_refused(net)?,
        "connect-after-failure" => connect_after_failure(net)?,
        "connect-twice" => connect_twice(net)?,
        "connect-concurrent" => connect_concurrent(net)?,
        "connect-listener" => {
            let (listener, _) = listening(net, Ipv4)?;
            let (_other, other) = listening(net, Ipv4)?;
            check_error(
                "connect on a listening socket is invalid-state",
                &s::connect(&listener, "listener", net, other).map(drop),
                ErrorCode::InvalidState,
                false,
            );
        }
        "connect-invalid-address" => connect_invalid_address(net)?,
        "connect-addresses" => connect_addresses(net)?,
        "accepted-socket" => accepted_socket(net)?,
        "accept-would-block" => {
            let (listener, _) = listening(net, Ipv4)?;
            check_error(
                "accept with no pending connection is would-block",
                &s::accept(&listener, "listener").map(Conn::from).map(drop),
                ErrorCode::WouldBlock,
                false,
            );
        }
        "accept-not-listening" => {
            let (socket, _) = s::bound::<TcpSocket>(net, Ipv4, "s")?;
            check_error(
                "accept on a socket that is not listening is invalid-state",
                &s::accept(&socket, "s").map(Conn::from).map(drop),
                ErrorCode::InvalidState,
                false,
            );
        }
        "accept-two" => accept_two(net)?,
        "remote-unconnected" => remote_unconnected(net)?,
        "echo-both-ways" => echo_both_ways(net, Ipv4)?,
        "ipv6-echo" => s::with_ipv6::<TcpSocket>(|| echo_both_ways(net, Ipv6))?,
        "listener-independent" => listener_independent(net)?,
        "shutdown-send" => shutdown_send(net)?,
        "shutdown-receive" => shutdown_receive(net)?,
        "shutdown-both" => shutdown_both(net)?,
        "shutdown-twice" => shutdown_twice(net)?,
        "shutdown-unconnected" => {
            let (socket, _) = s::bound::<TcpSocket>(net, Ipv4, "s")?;
            check_error(
                "shutdown of a socket that is not connected is invalid-state",
                &s::shutdown(&socket, "s", ShutdownType::Both),
                ErrorCode::InvalidState,
                false,
            );
        }
        "network-dropped" => network_dropped(net)?,
        "backlog" => backlog()?,
        "backlog-after-listen" => {
            let (listener, _) = listening(net, Ipv4)?;
            let _shown = s::set_listen_backlog_size(&listener, "listener", 64);
        }
        "backlog-connected" => {
            let (_listener, _address, client, _server) = pair(net, Ipv4)?;
            check_error(
                "set-listen-backlog-size on a connected socket is invalid-state",
                &s::set_listen_backlog_size(&client.socket, "client", 64),
                ErrorCode::InvalidState,
                false,
            );
        }
        "keep-alive-enabled" => keep_alive_enabled()?,
        "keep-alive-zero" => keep_alive_zero()?,
        "keep-alive-values" => keep_alive_values()?,
        "option-defaults" => option_defaults()?,
        "hop-limit" => s::check_hop_limit(&setup("create", s::create::<TcpSocket>(Ipv4))?, "s"),
        "ipv6-options" => s::check_ipv6_options::<TcpSocket>()?,
        "options-connected" => {
            let (_listener, _address, client, _server) = pair(net, Ipv4)?;
            s::check_hop_limit(&client.socket, "client");
            s::check_buffer_sizes(&client.socket, "client");
            keep_alive_times(&client.socket, "client");
            check(
                "set-keep-alive-enabled true on a connected socket",
                s::set_keep_alive_enabled(&client.socket, "client", true).is_ok(),
            );
            check(
                "keep-alive-enabled is then true",
                s::keep_alive_enabled(&client.socket, "client", true) == Ok(true),
            );
        }
        "buffer-sizes" => {
            s::check_buffer_sizes(&setup("create", s::create::<TcpSocket>(Ipv4))?, "s")
        }
        "inherited-options" => inherited_options(net)?,
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    Ok(())
}

/// A second bind of a bound socket fails and leaves its address.
fn bind_twice(net: &Network) -> Result<(), String> {
    let (socket, first) = s::bound::<TcpSocket>(net, Ipv4, "s")?;
    let second = s::bind(&socket, "s", net, loopback(Ipv4, 0));
    check("a second bind fails", second.is_err());
    check_error(
        "a second bind is invalid-state",
        &second,
        ErrorCode::InvalidState,
        true,
    );
    check(
        "the local address is unchanged",
        s::is(&s::local_address(&socket, "s"), &first),
    );
    Ok(())
}

/// After a bind that failed (to a listener's port), a bind to port 0
/// succeeds.
fn bind_retry(net: &Network) -> Result<(), String> {
    let (_listener, taken) = listening(net, Ipv4)?;
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    if s::bind(&socket, "s", net, taken).is_ok() {
        return Err("bind to a port a listener holds succeeded".into());
    }
    check(
        "bind after a failed bind succeeds",
        s::bind(&socket, "s", net, loopback(Ipv4, 0)).is_ok(),
    );
    check(
        "the socket then has a local address",
        s::local_address(&socket, "s").is_ok(),
    );
    Ok(())
}

/// bind to a listener's address is address-in-use.
fn bind_in_use(net: &Network) -> Result<(), String> {
    let (_listener, taken) = listening(net, Ipv4)?;
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    check_error(
        "bind to a listener's address is address-in-use",
        &s::bind(&socket, "s", net, taken),
        ErrorCode::AddressInUse,
        false,
    );
    Ok(())
}

/// finish-bind, finish-listen and finish-connect of a socket that started
/// none are not-in-progress.
fn finish_without_start(net: &Network) -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    check_error(
        "finish-bind without start-bind is not-in-progress",
        &s::finish_bind(&socket, "s"),
        ErrorCode::NotInProgress,
        false,
    );
    check_error(
        "finish-connect without start-connect is not-in-progress",
        &s::finish_connect(&socket, "s").map(drop),
        ErrorCode::NotInProgress,
        false,
    );
    let (bound, _) = s::bound::<TcpSocket>(net, Ipv4, "b")?;
    check_error(
        "finish-listen without start-listen is not-in-progress",
        &s::finish_listen(&bound, "b"),
        ErrorCode::NotInProgress,
        false,
    );
    Ok(())
}

/// A second finish-bind, finish-listen, finish-connect after one that
/// succeeded is not-in-progress.
fn finish_twice(net: &Network) -> Result<(), String> {
    let (listener, address) = s::bound::<TcpSocket>(net, Ipv4, "listener")?;
    check_error(
        "a second finish-bind is not-in-progress",
        &s::finish_bind(&listener, "listener"),
        ErrorCode::NotInProgress,
        false,
    );
    setup("listen", s::listen(&listener, "listener"))?;
    check_error(
        "a second finish-listen is not-in-progress",
        &s::finish_listen(&listener, "listener"),
        ErrorCode::NotInProgress,
        false,
    );
    let client = connected(net, Ipv4, address, "client")?;
    check_error(
        "a second finish-connect is not-in-progress",
        &s::finish_connect(&client.socket, "client").map(drop),
        ErrorCode::NotInProgress,
        false,
    );
    Ok(())
}

/// start-listen of a socket that is not bound fails (invalid-state, a
/// should check), and leaves it not listening.
fn listen_unbound() -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    let listened = s::listen(&socket, "s");
    check("listen of an unbound socket fails", listened.is_err());
    check_error(
        "listen of an unbound socket is invalid-state",
        &listened,
        ErrorCode::InvalidState,
        true,
    );
    check(
        "the socket is not listening",
        !s::is_listening(&socket, "s"),
    );
    Ok(())
}

/// is-listening: false unbound, false bound, true after listen.
fn listen_state(net: &Network) -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    check(
        "an unbound socket is not listening",
        !s::is_listening(&socket, "s"),
    );
    setup("bind", s::bind(&socket, "s", net, loopback(Ipv4, 0)))?;
    check(
        "a bound socket is not listening",
        !s::is_listening(&socket, "s"),
    );
    check("listen", s::listen(&socket, "s").is_ok());
    check(
        "after listen the socket is listening",
        s::is_listening(&socket, "s"),
    );
    Ok(())
}

/// A second listen is invalid-state; the socket stays listening.
fn listen_twice(net: &Network) -> Result<(), String> {
    let (listener, _) = listening(net, Ipv4)?;
    check_error(
        "a second listen is invalid-state",
        &s::listen(&listener, "listener"),
        ErrorCode::InvalidState,
        false,
    );
    check(
        "the socket is still listening",
        s::is_listening(&listener, "listener"),
    );
    Ok(())
}

/// A start-listen while a listen is in progress is concurrency-conflict;
/// the first listen then finishes.
fn listen_concurrent(net: &Network) -> Result<(), String> {
    let (socket, _) = s::bound::<TcpSocket>(net, Ipv4, "s")?;
    setup("start-listen", s::start_listen(&socket, "s"))?;
    let again = s::start_listen(&socket, "s");
    check("a start-listen during a listen fails", again.is_err());
    check_error(
        "a start-listen during a listen is concurrency-conflict",
        &again,
        ErrorCode::ConcurrencyConflict,
        true,
    );
    s::wait(&socket, "s");
    check(
        "the first listen finishes",
        s::finish_listen(&socket, "s").is_ok(),
    );
    check("the socket is listening", s::is_listening(&socket, "s"));
    Ok(())
}

/// A bound socket's loopback address where nothing listens (the socket
/// holds the port so nobody else takes it).
fn closed_port(net: &Network) -> Result<(TcpSocket, IpSocketAddress), String> {
    s::bound::<TcpSocket>(net, Ipv4, "holder")
}

/// connect to a loopback port where nothing listens: finish-connect is
/// connection-refused.
fn connect_refused(net: &Network) -> Result<(), String> {
    let (_holder, closed) = closed_port(net)?;
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    check_error(
        "connect to a closed port is connection-refused",
        &s::connect(&socket, "s", net, closed).map(drop),
        ErrorCode::ConnectionRefused,
        false,
    );
    Ok(())
}

/// After a refused connect, a connect of the same socket to a listener
/// fails (invalid-state, the closed state's code: a should check).
fn connect_after_failure(net: &Network) -> Result<(), String> {
    let (_holder, closed) = closed_port(net)?;
    let (_listener, open) = listening(net, Ipv4)?;
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    if s::connect(&socket, "s", net, closed).is_ok() {
        return Err("connect to a closed port succeeded".into());
    }
    let again = s::connect(&socket, "s", net, open).map(drop);
    check("connect after a failed connect fails", again.is_err());
    check_error(
        "connect in the closed state is invalid-state",
        &again,
        ErrorCode::InvalidState,
        true,
    );
    Ok(())
}

/// A connected socket's second connect fails; its remote address stays.
fn connect_twice(net: &Network) -> Result<(), String> {
    let (_first, first) = listening(net, Ipv4)?;
    let (_second, second) = listening(net, Ipv4)?;
    let client = connected(net, Ipv4, first, "client")?;
    let again = s::connect(&client.socket, "client", net, second);
    check("a second connect fails", again.is_err());
    check_error(
        "a second connect is invalid-state",
        &again,
        ErrorCode::InvalidState,
        true,
    );
    check(
        "remote-address is still the first listener",
        s::is(&s::remote_address(&client.socket, "client"), &first),
    );
    Ok(())
}

/// A start-connect while a connect is in progress is
/// concurrency-conflict; the first connect then finishes.
fn connect_concurrent(net: &Network) -> Result<(), String> {
    let (_listener, address) = listening(net, Ipv4)?;
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    setup(
        "start-connect",
        s::start_connect(&socket, "s", net, "net", address),
    )?;
    let again = s::start_connect(&socket, "s", net, "net", address);
    check("a start-connect during a connect fails", again.is_err());
    check_error(
        "a start-connect during a connect is concurrency-conflict",
        &again,
        ErrorCode::ConcurrencyConflict,
        true,
    );
    s::wait(&socket, "s");
    let finished = s::finish_connect(&socket, "s");
    check("the first connect finishes", finished.is_ok());
    Ok(())
}

/// connect to port 0, to 0.0.0.0 and to an address of the other family
/// is invalid-argument.
fn connect_invalid_address(net: &Network) -> Result<(), String> {
    let (_listener, open) = listening(net, Ipv4)?;
    let addresses = [
        ("port 0", loopback(Ipv4, 0)),
        ("0.0.0.0", unspecified(Ipv4, port(&open))),
        ("an IPv6 address", loopback(Ipv6, port(&open))),
    ];
    for (what, address) in addresses {
        let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
        check_error(
            &fmt!("connect to {what} is invalid-argument"),
            &s::connect(&socket, "s", net, address).map(drop),
            ErrorCode::InvalidArgument,
            false,
        );
    }
    Ok(())
}

/// After connect, remote-address is the listener's, and the client, not
/// bound before, has a local port other than 0 (a should check: the 0.2
/// text does not mention connect's implicit bind).
fn connect_addresses(net: &Network) -> Result<(), String> {
    let (_listener, address) = listening(net, Ipv4)?;
    let client = connected(net, Ipv4, address, "client")?;
    check(
        "remote-address is the listener's address",
        s::is(&s::remote_address(&client.socket, "client"), &address),
    );
    let local = s::local_address(&client.socket, "client");
    check_should(
        "local-address of the client has a port other than 0",
        matches!(&local, Ok(a) if port(a) != 0),
        None,
    );
    Ok(())
}

/// The accepted socket is bound and connected: its addresses mirror the
/// client's (should checks), it is not listening, it is IPv4.
fn accepted_socket(net: &Network) -> Result<(), String> {
    let (_listener, address, client, server) = pair(net, Ipv4)?;
    let local = s::local_address(&server.socket, "server");
    check("the accepted socket is bound", local.is_ok());
    let remote = s::remote_address(&server.socket, "server");
    check("the accepted socket is connected", remote.is_ok());
    check_should(
        "its local address is the listener's",
        s::is(&local, &address),
        None,
    );
    check_should(
        "its remote address is the client's local address",
        matches!(
            (&remote, s::local_address(&client.socket, "client")),
            (Ok(r), Ok(l)) if s::same(r, &l)
        ),
        None,
    );
    check(
        "it is not listening",
        !s::is_listening(&server.socket, "server"),
    );
    check(
        "its family is IPv4",
        s::address_family(&server.socket, "server") == Ipv4,
    );
    Ok(())
}

/// One pollable of a listener serves two accepts: it is ready after each
/// client connects.
fn accept_two(net: &Network) -> Result<(), String> {
    let (listener, address) = listening(net, Ipv4)?;
    let ready = s::subscribe(&listener, "listener");
    for label in ["first", "second"] {
        let _client = connected(net, Ipv4, address, label)?;
        poll::block(&ready, "listener");
        let got = s::accept(&listener, "listener").map(Conn::from);
        check(&fmt!("accept of the {label} client"), got.is_ok());
    }
    Ok(())
}

/// remote-address of an unbound, a bound and a listening socket is
/// invalid-state.
fn remote_unconnected(net: &Network) -> Result<(), String> {
    let unbound = setup("create", s::create::<TcpSocket>(Ipv4))?;
    let (bound, _) = s::bound::<TcpSocket>(net, Ipv4, "bound")?;
    let (listener, _) = listening(net, Ipv4)?;
    for (label, socket) in [
        ("unbound", unbound),
        ("bound", bound),
        ("listener", listener),
    ] {
        check_error(
            &fmt!("remote-address of the {label} socket is invalid-state"),
            &s::remote_address(&socket, label),
            ErrorCode::InvalidState,
            false,
        );
    }
    Ok(())
}

/// The client writes and shuts down its sending side; the server reads it
/// all, answers and shuts down; the client reads the answer.
fn echo_both_ways(net: &Network, family: IpAddressFamily) -> Result<(), String> {
    let (_listener, _address, client, server) = pair(net, family)?;
    send_and_shut(&client, "client", b"ping");
    read_to_end(&server.input, "server-in", b"ping");
    send_and_shut(&server, "server", b"pong");
    read_to_end(&client.input, "client-in", b"pong");
    Ok(())
}

/// Dropping the listener closes it (a new connect fails: should
/// connection-refused) while the connection it accepted keeps working.
fn listener_independent(net: &Network) -> Result<(), String> {
    let (listener, address, client, server) = pair(net, Ipv4)?;
    drop(listener);
    let late = setup("create", s::create::<TcpSocket>(Ipv4))?;
    let result = s::connect(&late, "late", net, address).map(drop);
    check(
        "connect to the dropped listener's address fails",
        result.is_err(),
    );
    check_error(
        "connect to the dropped listener's address is connection-refused",
        &result,
        ErrorCode::ConnectionRefused,
        true,
    );
    send_and_shut(&client, "client", b"still connected");
    read_to_end(&server.input, "server-in", b"still connected");
    Ok(())
}

/// shutdown(send) closes the output stream (check-write is closed) and
/// the peer reads to the end.
fn shutdown_send(net: &Network) -> Result<(), String> {
    let (_listener, _address, client, server) = pair(net, Ipv4)?;
    send_and_shut(&client, "client", b"bye");
    check(
        "after shutdown(send) the output stream is closed",
        matches!(
            p2::streams::check_write(&client.output, "client-out"),
            Err(StreamError::Closed)
        ),
    );
    read_to_end(&server.input, "server-in", b"bye");
    Ok(())
}

/// shutdown(receive) closes the input stream: a read is closed.
fn shutdown_receive(net: &Network) -> Result<(), String> {
    let (_listener, _address, client, server) = pair(net, Ipv4)?;
    check(
        "shutdown(receive)",
        s::shutdown(&server.socket, "server", ShutdownType::Receive).is_ok(),
    );
    check(
        "after shutdown(receive) the input stream is closed",
        matches!(
            p2::blocking_read(&server.input, "server-in", 16),
            Err(StreamError::Closed)
        ),
    );
    drop(client);
    Ok(())
}

/// shutdown(both) closes both streams.
fn shutdown_both(net: &Network) -> Result<(), String> {
    let (_listener, _address, _client, server) = pair(net, Ipv4)?;
    check(
        "shutdown(both)",
        s::shutdown(&server.socket, "server", ShutdownType::Both).is_ok(),
    );
    check(
        "after shutdown(both) the input stream is closed",
        matches!(
            p2::blocking_read(&server.input, "server-in", 16),
            Err(StreamError::Closed)
        ),
    );
    check(
        "after shutdown(both) the output stream is closed",
        matches!(
            p2::streams::check_write(&server.output, "server-out"),
            Err(StreamError::Closed)
        ),
    );
    Ok(())
}

/// Shutting a direction down twice returns ok; the socket stays usable
/// in the other direction.
fn shutdown_twice(net: &Network) -> Result<(), String> {
    let (_listener, _address, client, server) = pair(net, Ipv4)?;
    for _ in 0..2 {
        check(
            "shutdown(send) returns ok",
            s::shutdown(&client.socket, "client", ShutdownType::Send).is_ok(),
        );
    }
    read_to_end(&server.input, "server-in", b"");
    send_and_shut(&server, "server", b"after");
    read_to_end(&client.input, "client-in", b"after");
    Ok(())
}

/// A client bound through a network handle (`first`) that is then
/// dropped connects through another handle of instance-network (`second`)
/// to a listener. The text says nothing of a dropped network, nor whether
/// two instance-network handles are "the same network" (a socket "already
/// attached to a different network" is a typical invalid-argument of
/// connect): every call's result is in the trace.
fn network_dropped(net: &Network) -> Result<(), String> {
    let (listener, address) = listening(net, Ipv4)?;
    let first = s::instance_network();
    let client = setup("create", s::create::<TcpSocket>(Ipv4))?;
    setup(
        "start-bind",
        s::start_bind(&client, "client", &first, "first", loopback(Ipv4, 0)),
    )?;
    s::wait(&client, "client");
    setup("finish-bind", s::finish_bind(&client, "client"))?;
    drop(first);
    let second = s::instance_network();
    if s::start_connect(&client, "client", &second, "second", address).is_ok() {
        s::wait(&client, "client");
        if let Ok((input, output)) = s::finish_connect(&client, "client") {
            let _server = accepted(&listener);
            drop((input, output));
        }
    }
    Ok(())
}

/// set-listen-backlog-size 0 is invalid-argument, 128 is ok (before
/// listen).
fn backlog() -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    check_error(
        "set-listen-backlog-size 0 is invalid-argument",
        &s::set_listen_backlog_size(&socket, "s", 0),
        ErrorCode::InvalidArgument,
        false,
    );
    check(
        "set-listen-backlog-size 128",
        s::set_listen_backlog_size(&socket, "s", 128).is_ok(),
    );
    Ok(())
}

/// keep-alive-enabled reads back what set-keep-alive-enabled set.
fn keep_alive_enabled() -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    for value in [true, false] {
        check(
            &fmt!("set-keep-alive-enabled {value}"),
            s::set_keep_alive_enabled(&socket, "s", value).is_ok(),
        );
        check(
            &fmt!("keep-alive-enabled is then {value}"),
            s::keep_alive_enabled(&socket, "s", true) == Ok(value),
        );
    }
    Ok(())
}

/// The keep-alive times of a new socket ([`keep_alive_times`]).
fn keep_alive_zero() -> Result<(), String> {
    keep_alive_times(&setup("create", s::create::<TcpSocket>(Ipv4))?, "s");
    Ok(())
}

/// 0 is invalid-argument for set-keep-alive-idle-time, -interval and
/// -count; 60 s, 10 s and 5 are accepted (keep-alive being off or on) and
/// read back above 0 (should checks: they "might be silently clamped
/// and/or rounded").
fn keep_alive_times(socket: &TcpSocket, label: &str) {
    check_error(
        "set-keep-alive-idle-time 0 is invalid-argument",
        &s::set_keep_alive_idle_time(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    check_error(
        "set-keep-alive-interval 0 is invalid-argument",
        &s::set_keep_alive_interval(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    check_error(
        "set-keep-alive-count 0 is invalid-argument",
        &s::set_keep_alive_count(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    check(
        "set-keep-alive-idle-time 60 s",
        s::set_keep_alive_idle_time(socket, label, 60_000_000_000).is_ok(),
    );
    check(
        "set-keep-alive-interval 10 s",
        s::set_keep_alive_interval(socket, label, 10_000_000_000).is_ok(),
    );
    check(
        "set-keep-alive-count 5",
        s::set_keep_alive_count(socket, label, 5).is_ok(),
    );
    check_should(
        "keep-alive-idle-time reads back above 0",
        matches!(s::keep_alive_idle_time(socket, label), Ok(n) if n > 0),
        None,
    );
    check_should(
        "keep-alive-interval reads back above 0",
        matches!(s::keep_alive_interval(socket, label), Ok(n) if n > 0),
        None,
    );
    check_should(
        "keep-alive-count reads back above 0",
        matches!(s::keep_alive_count(socket, label), Ok(n) if n > 0),
        None,
    );
}

/// The keep-alive values read back after setting them (they may be
/// clamped or rounded), printed (seconds).
fn keep_alive_values() -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    let seconds = |d: Result<u64, ErrorCode>| d.map(|ns| ns as f64 / 1e9).map_err(|e| e.name());
    let _ = s::set_keep_alive_idle_time(&socket, "s", 90_500_000_000);
    println!(
        "keep-alive-idle-time after 90.5 s: {:?}",
        seconds(s::keep_alive_idle_time(&socket, "s"))
    );
    let _ = s::set_keep_alive_interval(&socket, "s", 15_000_000_000);
    println!(
        "keep-alive-interval after 15 s: {:?}",
        seconds(s::keep_alive_interval(&socket, "s"))
    );
    let _ = s::set_keep_alive_count(&socket, "s", 4);
    println!(
        "keep-alive-count after 4: {:?}",
        s::keep_alive_count(&socket, "s").map_err(|e| e.name())
    );
    Ok(())
}

/// The defaults of a new socket's keep-alive-enabled and hop-limit,
/// printed.
fn option_defaults() -> Result<(), String> {
    let socket = setup("create", s::create::<TcpSocket>(Ipv4))?;
    println!(
        "keep-alive-enabled: {:?}",
        s::keep_alive_enabled(&socket, "s", false).map_err(|e| e.name())
    );
    println!(
        "hop-limit: {:?}",
        s::hop_limit(&socket, "s").map_err(|e| e.name())
    );
    Ok(())
}

/// The options the accept text says a connection inherits, as the get-*
/// functions read them.
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
    fn of(socket: &TcpSocket, label: &str) -> Options {
        Options {
            family: s::address_family(socket, label),
            keep_alive: s::keep_alive_enabled(socket, label, true),
            idle_time: s::keep_alive_idle_time(socket, label),
            interval: s::keep_alive_interval(socket, label),
            count: s::keep_alive_count(socket, label),
            hop_limit: s::hop_limit(socket, label),
            receive_buffer: s::receive_buffer_size(socket, label),
            send_buffer: s::send_buffer_size(socket, label),
        }
    }
}

/// A socket accepted by a listener whose options were set before listen
/// has the listener's options.
fn inherited_options(net: &Network) -> Result<(), String> {
    let l = setup("create", s::create::<TcpSocket>(Ipv4))?;
    let label = "listener";
    setup("set", s::set_keep_alive_enabled(&l, label, true))?;
    setup(
        "set",
        s::set_keep_alive_idle_time(&l, label, 120_000_000_000),
    )?;
    setup("set", s::set_keep_alive_interval(&l, label, 15_000_000_000))?;
    setup("set", s::set_keep_alive_count(&l, label, 4))?;
    setup("set", s::set_hop_limit(&l, label, 42))?;
    setup("set", s::set_receive_buffer_size(&l, label, 65536))?;
    setup("set", s::set_send_buffer_size(&l, label, 65536))?;
    setup("bind", s::bind(&l, label, net, loopback(Ipv4, 0)))?;
    setup("listen", s::listen(&l, label))?;
    let address = setup("local-address", s::local_address(&l, label))?;
    let _client = connected(net, Ipv4, address, "client")?;
    let server = accepted(&l)?;
    let (listener, accepted) = (
        Options::of(&l, label),
        Options::of(&server.socket, "server"),
    );
    check_detail(
        "the accepted socket has the listener's options",
        accepted == listener,
        Some(&fmt!("listener {listener:?}, accepted {accepted:?}")),
    );
    Ok(())
}
