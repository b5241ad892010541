//! tcp <scenario>: `wasi:sockets@0.3.0` TCP on the loopback interface (the
//! case grants the `sockets` proposal). Addresses and ports are never
//! printed: they differ from run to run.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::sockets::types::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket,
};
use guests_p3::wit_stream;

guests_p3::scenario_command!(scenario);

/// A connected pair on 127.0.0.1: (client, the server's accepted socket).
/// The kernel completes the handshake on the listening socket's backlog,
/// so the connect is awaited before the accept.
async fn connected_pair() -> Option<(TcpSocket, TcpSocket)> {
    let listener = TcpSocket::create(IpAddressFamily::Ipv4).ok()?;
    let any_port = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: 0,
        address: (127, 0, 0, 1),
    });
    check("bind 127.0.0.1:0", listener.bind(any_port).is_ok());
    let mut accepted = listener.listen().ok()?;
    let local = listener.get_local_address();
    check("a bound listener has a local address", local.is_ok());
    let client = TcpSocket::create(IpAddressFamily::Ipv4).ok()?;
    let connected = client.connect(local.ok()?).await;
    check_detail(
        "connect to the listener",
        connected.is_ok(),
        Some(&fmt!("{connected:?}")),
    );
    let server = accepted.next().await;
    check(
        "the listener's stream yields the connection",
        server.is_some(),
    );
    Some((client, server?))
}

/// Sends `data` on `socket` and closes its sending side.
async fn send(socket: &TcpSocket, data: &[u8]) {
    let (mut tx, rx) = wit_stream::new();
    let done = socket.send(rx);
    let rest = tx.write_all(data.to_vec()).await;
    drop(tx);
    check("send takes every byte", rest.is_empty());
    let result = done.await;
    check_detail("send ends ok", result.is_ok(), Some(&fmt!("{result:?}")));
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "unbound-address" => {
            let socket = TcpSocket::create(IpAddressFamily::Ipv4);
            let address = socket.map(|s| s.get_local_address().map(drop));
            check_detail(
                "get-local-address of an unbound socket is invalid-state",
                address == Ok(Err(ErrorCode::InvalidState)),
                Some(&fmt!("{address:?}")),
            );
        }
        "echo" => {
            let (client, server) = connected_pair()
                .await
                .ok_or_else(|| Stop::Setup("no connected pair".into()))?;
            send(&client, b"ping from the client").await;
            drop(client);
            let (data, done) = server.receive();
            let received = data.collect().await;
            check_detail(
                "receive streams what the peer sent",
                received == b"ping from the client",
                Some(&fmt!("{:?}", String::from_utf8_lossy(&received))),
            );
            let result = done.await;
            check_detail(
                "receive's future is ok after the peer's shutdown",
                result.is_ok(),
                Some(&fmt!("{result:?}")),
            );
        }
        "receive-twice" => {
            let (_client, server) = connected_pair()
                .await
                .ok_or_else(|| Stop::Setup("no connected pair".into()))?;
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
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
