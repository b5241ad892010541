//! wasi:sockets (0.2): traced wrappers of every function, the few steps
//! the TCP, UDP and DNS guests all take (a bind, a datagram received, a
//! name resolved), made of traced calls, and the scenarios the TCP and UDP
//! guests share, generic over [`Socket`].
//!
//! A socket, stream or pollable argument prints as the label the caller
//! gives. An address prints as text with its port shown only when it is 0:
//! `"127.0.0.1:0"`, and `"127.0.0.1:*"` or `"[::1]:*"` for a port the host
//! picked (ports and host-picked addresses differ from run to run; the
//! guests bind only to loopback and unspecified addresses, which are
//! printed). Values the host chooses (buffer sizes, hop limits, keep-alive
//! times, the `check-send` budget) are returned, not printed: the guest
//! checks them.
//!
//! An operation in two phases (`start-bind`/`finish-bind`, listen,
//! connect) is finished by [`finish`]: `subscribe`, `pollable.block`, then
//! the `finish-*` call, so the trace does not depend on whether the host
//! finished the operation in `start-*` or later.

use super::poll::block;
use super::traced;
use crate::{J, check_detail, fmt, obj, trace};
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream};
pub use wasip2::sockets::ip_name_lookup::ResolveAddressStream;
pub use wasip2::sockets::network::{
    ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
    Network,
};
pub use wasip2::sockets::tcp::{ShutdownType, TcpSocket};
pub use wasip2::sockets::udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use wasip2::sockets::{instance_network, ip_name_lookup, tcp_create_socket, udp_create_socket};

use IpAddressFamily::{Ipv4, Ipv6};

/// Traces a call returning `result<T, error-code>`.
fn sock<T>(
    call: &str,
    args: J,
    r: Result<T, ErrorCode>,
    ret: impl FnOnce(&T) -> J,
) -> Result<T, ErrorCode> {
    traced(call, args, r, ErrorCode::name, ret)
}

/// Traces a `subscribe` call (`call`), ret `{}`, and returns its pollable.
fn subscribed(call: &str, label: &str, p: Pollable) -> Pollable {
    trace(call, obj! {"self" => label}, Ok(obj!()));
    p
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/// The WIT name of a family (`ipv4`, `ipv6`).
pub fn family_name(family: IpAddressFamily) -> &'static str {
    match family {
        Ipv4 => "ipv4",
        Ipv6 => "ipv6",
    }
}

/// The family of an address.
pub fn family_of(address: &IpSocketAddress) -> IpAddressFamily {
    match address {
        IpSocketAddress::Ipv4(_) => Ipv4,
        IpSocketAddress::Ipv6(_) => Ipv6,
    }
}

/// An IP address as text (`127.0.0.1`, `::1`).
pub fn ip_text(address: &IpAddress) -> String {
    match *address {
        IpAddress::Ipv4((a, b, c, d)) => fmt!("{}", Ipv4Addr::new(a, b, c, d)),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            fmt!("{}", Ipv6Addr::new(a, b, c, d, e, f, g, h))
        }
    }
}

/// A socket address as printed: its IP address and `:0`, or `:*` for any
/// other port (see the module doc).
pub fn address(address: &IpSocketAddress) -> J {
    let shown = if port(address) == 0 { "0" } else { "*" };
    J::from(match address {
        IpSocketAddress::Ipv4(a) => fmt!("{}:{shown}", ip_text(&IpAddress::Ipv4(a.address))),
        IpSocketAddress::Ipv6(a) => fmt!("[{}]:{shown}", ip_text(&IpAddress::Ipv6(a.address))),
    })
}

fn address_ret(a: &IpSocketAddress) -> J {
    obj! {"address" => address(a)}
}

/// The loopback address of `family` (127.0.0.1 or ::1) with `port`.
pub fn loopback(family: IpAddressFamily, port: u16) -> IpSocketAddress {
    match family {
        Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (127, 0, 0, 1),
        }),
        Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            scope_id: 0,
        }),
    }
}

/// The unspecified address of `family` (0.0.0.0 or ::) with `port`.
pub fn unspecified(family: IpAddressFamily, port: u16) -> IpSocketAddress {
    match family {
        Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (0, 0, 0, 0),
        }),
        Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 0),
            scope_id: 0,
        }),
    }
}

/// Whether two socket addresses are the same (the bindings' type has no
/// `PartialEq`).
pub fn same(a: &IpSocketAddress, b: &IpSocketAddress) -> bool {
    match (a, b) {
        (IpSocketAddress::Ipv4(a), IpSocketAddress::Ipv4(b)) => {
            a.port == b.port && a.address == b.address
        }
        (IpSocketAddress::Ipv6(a), IpSocketAddress::Ipv6(b)) => {
            a.port == b.port
                && a.address == b.address
                && a.flow_info == b.flow_info
                && a.scope_id == b.scope_id
        }
        _ => false,
    }
}

/// Whether a get-*-address `result` is `ok(address)`.
pub fn is(result: &Result<IpSocketAddress, ErrorCode>, address: &IpSocketAddress) -> bool {
    matches!(result, Ok(a) if same(a, address))
}

/// The port of `address`.
pub fn port(address: &IpSocketAddress) -> u16 {
    match address {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

/// `result` is the error `expected`: a check named `name`, or with
/// `should` a `check_should` (an error the text only lists among the
/// typical errors).
pub fn check_error<T>(
    name: &str,
    result: &Result<T, ErrorCode>,
    expected: ErrorCode,
    should: bool,
) {
    let ok = matches!(result, Err(code) if *code == expected);
    let detail = match result {
        Ok(_) => fmt!("ok"),
        Err(code) => fmt!("{}", code.name()),
    };
    if should {
        crate::check_should(name, ok, Some(&detail));
    } else {
        check_detail(name, ok, Some(&detail));
    }
}

// ---------------------------------------------------------------------------
// instance-network, ip-name-lookup
// ---------------------------------------------------------------------------

/// `instance-network.instance-network`, ret `{}`.
pub fn instance_network() -> Network {
    let n = instance_network::instance_network();
    trace("instance-network.instance-network", obj!(), Ok(obj!()));
    n
}

/// `ip-name-lookup.resolve-addresses(network, name)`: args
/// `{"network":label,"name":name}`, ret `{}`.
pub fn resolve_addresses(
    network: &Network,
    label: &str,
    name: &str,
) -> Result<ResolveAddressStream, ErrorCode> {
    sock(
        "ip-name-lookup.resolve-addresses",
        obj! {"network" => label, "name" => name},
        ip_name_lookup::resolve_addresses(network, name),
        |_| obj!(),
    )
}

/// `resolve-address-stream.resolve-next-address`: ret
/// `{"address":text|null}` when `show` (an IP literal's own address),
/// else `{"address":"some"|null}`.
pub fn resolve_next_address(
    s: &ResolveAddressStream,
    label: &str,
    show: bool,
) -> Result<Option<IpAddress>, ErrorCode> {
    sock(
        "resolve-address-stream.resolve-next-address",
        obj! {"self" => label},
        s.resolve_next_address(),
        |a| {
            let shown = match a {
                None => J::Null,
                Some(a) if show => J::from(ip_text(a)),
                Some(_) => J::from("some"),
            };
            obj! {"address" => shown}
        },
    )
}

/// `resolve-address-stream.subscribe`, ret `{}`.
pub fn resolve_subscribe(s: &ResolveAddressStream, label: &str) -> Pollable {
    subscribed("resolve-address-stream.subscribe", label, s.subscribe())
}

/// Every address of a resolve stream: `subscribe` and `pollable.block`,
/// then `resolve-next-address` until `none` or an error.
pub fn resolve_all(
    s: &ResolveAddressStream,
    label: &str,
    show: bool,
) -> Result<Vec<IpAddress>, ErrorCode> {
    let ready = resolve_subscribe(s, label);
    block(&ready, label);
    let mut all = Vec::new();
    while let Some(a) = resolve_next_address(s, label, show)? {
        all.push(a);
    }
    Ok(all)
}

// ---------------------------------------------------------------------------
// What TCP and UDP sockets share
// ---------------------------------------------------------------------------

/// What a TCP and a UDP socket both have, under their own names.
pub trait Socket: Sized {
    /// The resource's WIT name (`tcp-socket`, `udp-socket`).
    const RESOURCE: &'static str;
    /// The WIT name of the hop-limit option (`hop-limit`, `unicast-hop-limit`).
    const HOP_LIMIT: &'static str;
    /// The call that creates one (`tcp-create-socket.create-tcp-socket`).
    const CREATE: &'static str;
    fn raw_create(family: IpAddressFamily) -> Result<Self, ErrorCode>;
    fn raw_start_bind(&self, network: &Network, a: IpSocketAddress) -> Result<(), ErrorCode>;
    fn raw_finish_bind(&self) -> Result<(), ErrorCode>;
    fn raw_local_address(&self) -> Result<IpSocketAddress, ErrorCode>;
    fn raw_remote_address(&self) -> Result<IpSocketAddress, ErrorCode>;
    fn raw_address_family(&self) -> IpAddressFamily;
    fn raw_hop_limit(&self) -> Result<u8, ErrorCode>;
    fn raw_set_hop_limit(&self, value: u8) -> Result<(), ErrorCode>;
    fn raw_receive_buffer_size(&self) -> Result<u64, ErrorCode>;
    fn raw_set_receive_buffer_size(&self, value: u64) -> Result<(), ErrorCode>;
    fn raw_send_buffer_size(&self) -> Result<u64, ErrorCode>;
    fn raw_set_send_buffer_size(&self, value: u64) -> Result<(), ErrorCode>;
    fn raw_subscribe(&self) -> Pollable;
}

/// [`Socket`] for a socket type, given its names and its hop-limit
/// getter and setter.
macro_rules! socket {
    ($type:ty, $resource:literal, $hop:literal, $create:literal, $make:path, $get_hop:ident, $set_hop:ident) => {
        impl Socket for $type {
            const RESOURCE: &'static str = $resource;
            const HOP_LIMIT: &'static str = $hop;
            const CREATE: &'static str = $create;
            fn raw_create(family: IpAddressFamily) -> Result<Self, ErrorCode> {
                $make(family)
            }
            fn raw_start_bind(&self, n: &Network, a: IpSocketAddress) -> Result<(), ErrorCode> {
                self.start_bind(n, a)
            }
            fn raw_finish_bind(&self) -> Result<(), ErrorCode> {
                self.finish_bind()
            }
            fn raw_local_address(&self) -> Result<IpSocketAddress, ErrorCode> {
                self.local_address()
            }
            fn raw_remote_address(&self) -> Result<IpSocketAddress, ErrorCode> {
                self.remote_address()
            }
            fn raw_address_family(&self) -> IpAddressFamily {
                self.address_family()
            }
            fn raw_hop_limit(&self) -> Result<u8, ErrorCode> {
                self.$get_hop()
            }
            fn raw_set_hop_limit(&self, value: u8) -> Result<(), ErrorCode> {
                self.$set_hop(value)
            }
            fn raw_receive_buffer_size(&self) -> Result<u64, ErrorCode> {
                self.receive_buffer_size()
            }
            fn raw_set_receive_buffer_size(&self, value: u64) -> Result<(), ErrorCode> {
                self.set_receive_buffer_size(value)
            }
            fn raw_send_buffer_size(&self) -> Result<u64, ErrorCode> {
                self.send_buffer_size()
            }
            fn raw_set_send_buffer_size(&self, value: u64) -> Result<(), ErrorCode> {
                self.set_send_buffer_size(value)
            }
            fn raw_subscribe(&self) -> Pollable {
                self.subscribe()
            }
        }
    };
}

socket!(
    TcpSocket,
    "tcp-socket",
    "hop-limit",
    "tcp-create-socket.create-tcp-socket",
    tcp_create_socket::create_tcp_socket,
    hop_limit,
    set_hop_limit
);
socket!(
    UdpSocket,
    "udp-socket",
    "unicast-hop-limit",
    "udp-create-socket.create-udp-socket",
    udp_create_socket::create_udp_socket,
    unicast_hop_limit,
    set_unicast_hop_limit
);

/// `S.method` as traced.
fn name<S: Socket>(method: &str) -> String {
    fmt!("{}.{method}", S::RESOURCE)
}

/// `create-tcp-socket` / `create-udp-socket`: args
/// `{"address-family":"ipv4"}`, ret `{}`.
pub fn create<S: Socket>(family: IpAddressFamily) -> Result<S, ErrorCode> {
    sock(
        S::CREATE,
        obj! {"address-family" => family_name(family)},
        S::raw_create(family),
        |_| obj!(),
    )
}

/// `start-bind(network, local-address)`: args
/// `{"self":label,"network":label,"local-address":address}`.
pub fn start_bind<S: Socket>(
    s: &S,
    label: &str,
    network: &Network,
    net: &str,
    a: IpSocketAddress,
) -> Result<(), ErrorCode> {
    sock(
        &name::<S>("start-bind"),
        obj! {"self" => label, "network" => net, "local-address" => address(&a)},
        s.raw_start_bind(network, a),
        |_| obj!(),
    )
}

/// `finish-bind`.
pub fn finish_bind<S: Socket>(s: &S, label: &str) -> Result<(), ErrorCode> {
    sock(
        &name::<S>("finish-bind"),
        obj! {"self" => label},
        s.raw_finish_bind(),
        |_| obj!(),
    )
}

/// `local-address`: ret `{"address":address}`.
pub fn local_address<S: Socket>(s: &S, label: &str) -> Result<IpSocketAddress, ErrorCode> {
    sock(
        &name::<S>("local-address"),
        obj! {"self" => label},
        s.raw_local_address(),
        address_ret,
    )
}

/// `remote-address`: ret `{"address":address}`.
pub fn remote_address<S: Socket>(s: &S, label: &str) -> Result<IpSocketAddress, ErrorCode> {
    sock(
        &name::<S>("remote-address"),
        obj! {"self" => label},
        s.raw_remote_address(),
        address_ret,
    )
}

/// `address-family`: ret `{"address-family":"ipv4"|"ipv6"}`.
pub fn address_family<S: Socket>(s: &S, label: &str) -> IpAddressFamily {
    let f = s.raw_address_family();
    trace(
        &name::<S>("address-family"),
        obj! {"self" => label},
        Ok(obj! {"address-family" => family_name(f)}),
    );
    f
}

/// A getter of a value the host chooses: ret `{}`.
fn get<S: Socket, T>(method: &str, label: &str, r: Result<T, ErrorCode>) -> Result<T, ErrorCode> {
    sock(&name::<S>(method), obj! {"self" => label}, r, |_| obj!())
}

/// A setter: args `{"self":label,"value":value}`.
fn set<S: Socket>(
    method: &str,
    label: &str,
    value: impl Into<J>,
    r: Result<(), ErrorCode>,
) -> Result<(), ErrorCode> {
    sock(
        &name::<S>(method),
        obj! {"self" => label, "value" => value.into()},
        r,
        |_| obj!(),
    )
}

/// `hop-limit` / `unicast-hop-limit`, ret `{}`.
pub fn hop_limit<S: Socket>(s: &S, label: &str) -> Result<u8, ErrorCode> {
    get::<S, _>(S::HOP_LIMIT, label, s.raw_hop_limit())
}

/// `set-hop-limit` / `set-unicast-hop-limit`.
pub fn set_hop_limit<S: Socket>(s: &S, label: &str, value: u8) -> Result<(), ErrorCode> {
    let method = fmt!("set-{}", S::HOP_LIMIT);
    set::<S>(&method, label, value, s.raw_set_hop_limit(value))
}

/// `receive-buffer-size`, ret `{}`.
pub fn receive_buffer_size<S: Socket>(s: &S, label: &str) -> Result<u64, ErrorCode> {
    get::<S, _>("receive-buffer-size", label, s.raw_receive_buffer_size())
}

/// `set-receive-buffer-size`.
pub fn set_receive_buffer_size<S: Socket>(s: &S, label: &str, v: u64) -> Result<(), ErrorCode> {
    let r = s.raw_set_receive_buffer_size(v);
    set::<S>("set-receive-buffer-size", label, v, r)
}

/// `send-buffer-size`, ret `{}`.
pub fn send_buffer_size<S: Socket>(s: &S, label: &str) -> Result<u64, ErrorCode> {
    get::<S, _>("send-buffer-size", label, s.raw_send_buffer_size())
}

/// `set-send-buffer-size`.
pub fn set_send_buffer_size<S: Socket>(s: &S, label: &str, v: u64) -> Result<(), ErrorCode> {
    let r = s.raw_set_send_buffer_size(v);
    set::<S>("set-send-buffer-size", label, v, r)
}

/// `subscribe`, ret `{}`.
pub fn subscribe<S: Socket>(s: &S, label: &str) -> Pollable {
    subscribed(&name::<S>("subscribe"), label, s.raw_subscribe())
}

/// Waits for the socket's pending operation: `subscribe` and
/// `pollable.block` (the pollable dropped after).
pub fn wait<S: Socket>(s: &S, label: &str) {
    let ready = subscribe(s, label);
    block(&ready, label);
}

/// `start-bind` to `a` and, if it succeeds, [`wait`] and `finish-bind`.
pub fn bind<S: Socket>(
    s: &S,
    label: &str,
    network: &Network,
    a: IpSocketAddress,
) -> Result<(), ErrorCode> {
    start_bind(s, label, network, "net", a)?;
    wait(s, label);
    finish_bind(s, label)
}

/// A new socket of `family` bound to its loopback address with port 0,
/// and that address (the port the host picked); `Err` says which step
/// failed.
pub fn bound<S: Socket>(
    network: &Network,
    family: IpAddressFamily,
    label: &str,
) -> Result<(S, IpSocketAddress), String> {
    let s = setup("create", create::<S>(family))?;
    setup("bind", bind(&s, label, network, loopback(family, 0)))?;
    let a = setup("local-address", local_address(&s, label))?;
    Ok((s, a))
}

/// address-family of a socket is the family it was created with; a family
/// create refuses shows in the trace.
pub fn check_address_family<S: Socket>() {
    for family in [Ipv4, Ipv6] {
        if let Ok(socket) = create::<S>(family) {
            let got = address_family(&socket, "s");
            crate::check(
                &fmt!("address-family is {}", family_name(family)),
                got == family,
            );
        }
    }
}

/// set-receive-buffer-size and set-send-buffer-size of 0 are
/// invalid-argument, of 65536 ok; the sizes read back are above 0 (should
/// checks).
pub fn check_buffer_sizes<S: Socket>(socket: &S, label: &str) {
    check_error(
        "set-receive-buffer-size 0 is invalid-argument",
        &set_receive_buffer_size(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    check_error(
        "set-send-buffer-size 0 is invalid-argument",
        &set_send_buffer_size(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    crate::check(
        "set-receive-buffer-size 65536",
        set_receive_buffer_size(socket, label, 65536).is_ok(),
    );
    crate::check(
        "set-send-buffer-size 65536",
        set_send_buffer_size(socket, label, 65536).is_ok(),
    );
    crate::check_should(
        "receive-buffer-size reads back above 0",
        matches!(receive_buffer_size(socket, label), Ok(n) if n > 0),
        None,
    );
    crate::check_should(
        "send-buffer-size reads back above 0",
        matches!(send_buffer_size(socket, label), Ok(n) if n > 0),
        None,
    );
}

/// The hop-limit option: 0 is invalid-argument; 42 is accepted and read
/// back (should checks: the text says only "Equivalent to the IP_TTL &
/// IPV6_UNICAST_HOPS socket options").
pub fn check_hop_limit<S: Socket>(socket: &S, label: &str) {
    let setter = fmt!("set-{}", S::HOP_LIMIT);
    check_error(
        &fmt!("{setter} 0 is invalid-argument"),
        &set_hop_limit(socket, label, 0),
        ErrorCode::InvalidArgument,
        false,
    );
    crate::check_should(
        &fmt!("{setter} 42"),
        set_hop_limit(socket, label, 42).is_ok(),
        None,
    );
    crate::check_should(
        &fmt!("{} reads back 42", S::HOP_LIMIT),
        hop_limit(socket, label) == Ok(42),
        None,
    );
}

// ---------------------------------------------------------------------------
// Scenarios the TCP and UDP guests share
// ---------------------------------------------------------------------------

/// A sockets guest's run: `instance-network`, then `scenario` on it (an
/// `Err`, the set-up step that failed, is a failed should check `scenario
/// set-up`), then [`crate::finish`].
pub fn run(scenario: impl FnOnce(&Network) -> Result<(), String>) {
    let net = instance_network();
    if let Err(step) = scenario(&net) {
        crate::check_should("scenario set-up", false, Some(&step));
    }
    crate::finish();
}

/// A set-up step's result, its error named (`create: not-supported`).
pub fn setup<T>(what: &str, r: Result<T, ErrorCode>) -> Result<T, String> {
    r.map_err(|e| fmt!("{what}: {}", e.name()))
}

/// local-address of an unbound socket is invalid-state.
pub fn check_unbound_address<S: Socket>() -> Result<(), String> {
    let socket = setup("create", create::<S>(Ipv4))?;
    check_error(
        "local-address of an unbound socket is invalid-state",
        &local_address(&socket, "s"),
        ErrorCode::InvalidState,
        false,
    );
    Ok(())
}

/// bind to 127.0.0.1:0 binds 127.0.0.1 and a port other than 0.
pub fn check_bind_address<S: Socket>(net: &Network) -> Result<(), String> {
    let socket = setup("create", create::<S>(Ipv4))?;
    let bound = bind(&socket, "s", net, loopback(Ipv4, 0));
    crate::check("bind 127.0.0.1:0", bound.is_ok());
    let a = local_address(&socket, "s");
    crate::check(
        "local-address is 127.0.0.1 with a port other than 0",
        matches!(&a, Ok(a) if same(a, &loopback(Ipv4, port(a))) && port(a) != 0),
    );
    Ok(())
}

/// bind to an address of the other family is invalid-argument.
pub fn check_bind_wrong_family<S: Socket>(net: &Network) -> Result<(), String> {
    for (family, other) in [(Ipv4, Ipv6), (Ipv6, Ipv4)] {
        let socket = setup("create", create::<S>(family))?;
        check_error(
            &fmt!(
                "bind of an {} socket to {} loopback is invalid-argument",
                family_name(family),
                family_name(other)
            ),
            &bind(&socket, "s", net, loopback(other, 0)),
            ErrorCode::InvalidArgument,
            false,
        );
    }
    Ok(())
}

/// A start-bind while a bind is in progress (started, not finished) is
/// concurrency-conflict (a should check); the first bind then finishes.
pub fn check_bind_concurrent<S: Socket>(net: &Network) -> Result<(), String> {
    let socket = setup("create", create::<S>(Ipv4))?;
    setup(
        "start-bind",
        start_bind(&socket, "s", net, "net", loopback(Ipv4, 0)),
    )?;
    let again = start_bind(&socket, "s", net, "net", loopback(Ipv4, 0));
    crate::check("a start-bind during a bind fails", again.is_err());
    check_error(
        "a start-bind during a bind is concurrency-conflict",
        &again,
        ErrorCode::ConcurrencyConflict,
        true,
    );
    wait(&socket, "s");
    crate::check("the first bind finishes", finish_bind(&socket, "s").is_ok());
    Ok(())
}

/// Runs `scenario` unless creating an IPv6 socket is not-supported (then
/// the case is unsupported); the socket created to ask is dropped first.
pub fn with_ipv6<S: Socket>(scenario: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    if matches!(create::<S>(Ipv6), Err(ErrorCode::NotSupported)) {
        crate::unsupported("IPv6 sockets");
        Ok(())
    } else {
        scenario()
    }
}

/// [`check_hop_limit`] and [`check_buffer_sizes`] on a new IPv6 socket
/// (unsupported when its create is not-supported).
pub fn check_ipv6_options<S: Socket>() -> Result<(), String> {
    match create::<S>(Ipv6) {
        Err(ErrorCode::NotSupported) => crate::unsupported("IPv6 sockets"),
        socket => {
            let socket = setup("create", socket)?;
            check_hop_limit(&socket, "s");
            check_buffer_sizes(&socket, "s");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// TCP only
// ---------------------------------------------------------------------------

/// `tcp-socket.start-connect(network, remote-address)`: args
/// `{"self":label,"network":label,"remote-address":address}`.
pub fn start_connect(
    s: &TcpSocket,
    label: &str,
    network: &Network,
    net: &str,
    a: IpSocketAddress,
) -> Result<(), ErrorCode> {
    sock(
        "tcp-socket.start-connect",
        obj! {"self" => label, "network" => net, "remote-address" => address(&a)},
        s.start_connect(network, a),
        |_| obj!(),
    )
}

/// `tcp-socket.finish-connect`, ret `{}` (the two streams).
pub fn finish_connect(
    s: &TcpSocket,
    label: &str,
) -> Result<(InputStream, OutputStream), ErrorCode> {
    sock(
        "tcp-socket.finish-connect",
        obj! {"self" => label},
        s.finish_connect(),
        |_| obj!(),
    )
}

/// `start-connect` and, if it succeeds, [`wait`] and `finish-connect`.
pub fn connect(
    s: &TcpSocket,
    label: &str,
    network: &Network,
    a: IpSocketAddress,
) -> Result<(InputStream, OutputStream), ErrorCode> {
    start_connect(s, label, network, "net", a)?;
    wait(s, label);
    finish_connect(s, label)
}

/// `tcp-socket.start-listen`.
pub fn start_listen(s: &TcpSocket, label: &str) -> Result<(), ErrorCode> {
    sock(
        "tcp-socket.start-listen",
        obj! {"self" => label},
        s.start_listen(),
        |_| obj!(),
    )
}

/// `tcp-socket.finish-listen`.
pub fn finish_listen(s: &TcpSocket, label: &str) -> Result<(), ErrorCode> {
    sock(
        "tcp-socket.finish-listen",
        obj! {"self" => label},
        s.finish_listen(),
        |_| obj!(),
    )
}

/// `start-listen` and, if it succeeds, [`wait`] and `finish-listen`.
pub fn listen(s: &TcpSocket, label: &str) -> Result<(), ErrorCode> {
    start_listen(s, label)?;
    wait(s, label);
    finish_listen(s, label)
}

/// `tcp-socket.accept`, ret `{}` (the socket and its streams).
pub fn accept(
    s: &TcpSocket,
    label: &str,
) -> Result<(TcpSocket, InputStream, OutputStream), ErrorCode> {
    sock(
        "tcp-socket.accept",
        obj! {"self" => label},
        s.accept(),
        |_| obj!(),
    )
}

/// `tcp-socket.is-listening`: ret `{"listening":bool}`.
pub fn is_listening(s: &TcpSocket, label: &str) -> bool {
    let l = s.is_listening();
    trace(
        "tcp-socket.is-listening",
        obj! {"self" => label},
        Ok(obj! {"listening" => l}),
    );
    l
}

/// `tcp-socket.set-listen-backlog-size`.
pub fn set_listen_backlog_size(s: &TcpSocket, label: &str, v: u64) -> Result<(), ErrorCode> {
    let r = s.set_listen_backlog_size(v);
    set::<TcpSocket>("set-listen-backlog-size", label, v, r)
}

/// `tcp-socket.keep-alive-enabled`: ret `{"value":bool}` when `show`
/// (a value the guest set), else `{}` (the default is the host's).
pub fn keep_alive_enabled(s: &TcpSocket, label: &str, show: bool) -> Result<bool, ErrorCode> {
    sock(
        "tcp-socket.keep-alive-enabled",
        obj! {"self" => label},
        s.keep_alive_enabled(),
        |v| {
            if show {
                obj! {"value" => *v}
            } else {
                obj!()
            }
        },
    )
}

/// `tcp-socket.set-keep-alive-enabled`.
pub fn set_keep_alive_enabled(s: &TcpSocket, label: &str, v: bool) -> Result<(), ErrorCode> {
    let r = s.set_keep_alive_enabled(v);
    set::<TcpSocket>("set-keep-alive-enabled", label, v, r)
}

/// `tcp-socket.keep-alive-idle-time`, ret `{}`.
pub fn keep_alive_idle_time(s: &TcpSocket, label: &str) -> Result<u64, ErrorCode> {
    get::<TcpSocket, _>("keep-alive-idle-time", label, s.keep_alive_idle_time())
}

/// `tcp-socket.set-keep-alive-idle-time` (nanoseconds).
pub fn set_keep_alive_idle_time(s: &TcpSocket, label: &str, v: u64) -> Result<(), ErrorCode> {
    let r = s.set_keep_alive_idle_time(v);
    set::<TcpSocket>("set-keep-alive-idle-time", label, v, r)
}

/// `tcp-socket.keep-alive-interval`, ret `{}`.
pub fn keep_alive_interval(s: &TcpSocket, label: &str) -> Result<u64, ErrorCode> {
    get::<TcpSocket, _>("keep-alive-interval", label, s.keep_alive_interval())
}

/// `tcp-socket.set-keep-alive-interval` (nanoseconds).
pub fn set_keep_alive_interval(s: &TcpSocket, label: &str, v: u64) -> Result<(), ErrorCode> {
    let r = s.set_keep_alive_interval(v);
    set::<TcpSocket>("set-keep-alive-interval", label, v, r)
}

/// `tcp-socket.keep-alive-count`, ret `{}`.
pub fn keep_alive_count(s: &TcpSocket, label: &str) -> Result<u32, ErrorCode> {
    get::<TcpSocket, _>("keep-alive-count", label, s.keep_alive_count())
}

/// `tcp-socket.set-keep-alive-count`.
pub fn set_keep_alive_count(s: &TcpSocket, label: &str, v: u32) -> Result<(), ErrorCode> {
    let r = s.set_keep_alive_count(v);
    set::<TcpSocket>("set-keep-alive-count", label, v, r)
}

/// The WIT name of a shutdown type.
fn shutdown_name(how: ShutdownType) -> &'static str {
    match how {
        ShutdownType::Receive => "receive",
        ShutdownType::Send => "send",
        ShutdownType::Both => "both",
    }
}

/// `tcp-socket.shutdown(shutdown-type)`: args
/// `{"self":label,"shutdown-type":"send"}`.
pub fn shutdown(s: &TcpSocket, label: &str, how: ShutdownType) -> Result<(), ErrorCode> {
    sock(
        "tcp-socket.shutdown",
        obj! {"self" => label, "shutdown-type" => shutdown_name(how)},
        s.shutdown(how),
        |_| obj!(),
    )
}

// ---------------------------------------------------------------------------
// UDP only
// ---------------------------------------------------------------------------

/// `udp-socket.stream(remote-address)`: args
/// `{"self":label,"remote-address":address|null}`, ret `{}`.
pub fn stream(
    s: &UdpSocket,
    label: &str,
    remote: Option<IpSocketAddress>,
) -> Result<(IncomingDatagramStream, OutgoingDatagramStream), ErrorCode> {
    let shown = remote.as_ref().map_or(J::Null, address);
    sock(
        "udp-socket.stream",
        obj! {"self" => label, "remote-address" => shown},
        s.stream(remote),
        |_| obj!(),
    )
}

/// `incoming-datagram-stream.receive(max-results)`: ret
/// `{"datagrams":[{"len":n,"remote-address":address},...]}`.
pub fn receive(
    s: &IncomingDatagramStream,
    label: &str,
    max: u64,
) -> Result<Vec<IncomingDatagram>, ErrorCode> {
    sock(
        "incoming-datagram-stream.receive",
        obj! {"self" => label, "max-results" => max},
        s.receive(max),
        |list| {
            let shown: Vec<J> = list
                .iter()
                .map(|d| obj! {"len" => d.data.len(), "remote-address" => address(&d.remote_address)})
                .collect();
            obj! {"datagrams" => J::Arr(shown)}
        },
    )
}

/// `incoming-datagram-stream.subscribe`, ret `{}`.
pub fn incoming_subscribe(s: &IncomingDatagramStream, label: &str) -> Pollable {
    subscribed("incoming-datagram-stream.subscribe", label, s.subscribe())
}

/// The next datagram: `subscribe`, `pollable.block`, `receive(1)`;
/// checked to be exactly one datagram.
pub fn receive_one(s: &IncomingDatagramStream, label: &str) -> Option<IncomingDatagram> {
    let ready = incoming_subscribe(s, label);
    block(&ready, label);
    let mut list = receive(s, label, 1).ok()?;
    check_detail(
        "a receive(1) after the pollable is ready gives one datagram",
        list.len() == 1,
        Some(&fmt!("{} datagrams", list.len())),
    );
    list.pop()
}

/// `outgoing-datagram-stream.check-send`, ret `{}` (the budget is the
/// host's).
pub fn check_send(s: &OutgoingDatagramStream, label: &str) -> Result<u64, ErrorCode> {
    sock(
        "outgoing-datagram-stream.check-send",
        obj! {"self" => label},
        s.check_send(),
        |_| obj!(),
    )
}

/// `outgoing-datagram-stream.send(datagrams)`: args
/// `{"self":label,"datagrams":[{"len":n,"remote-address":address|null}]}`,
/// ret `{"sent":n}`.
pub fn send(
    s: &OutgoingDatagramStream,
    label: &str,
    datagrams: &[OutgoingDatagram],
) -> Result<u64, ErrorCode> {
    let shown: Vec<J> = datagrams
        .iter()
        .map(|d| {
            let to = d.remote_address.as_ref().map_or(J::Null, address);
            obj! {"len" => d.data.len(), "remote-address" => to}
        })
        .collect();
    sock(
        "outgoing-datagram-stream.send",
        obj! {"self" => label, "datagrams" => J::Arr(shown)},
        s.send(datagrams),
        |n| obj! {"sent" => *n},
    )
}

/// `outgoing-datagram-stream.subscribe`, ret `{}`.
pub fn outgoing_subscribe(s: &OutgoingDatagramStream, label: &str) -> Pollable {
    subscribed("outgoing-datagram-stream.subscribe", label, s.subscribe())
}

/// Sends one datagram: `subscribe`, `pollable.block`, `check-send`
/// (checked to permit one), `send`.
pub fn send_one(
    s: &OutgoingDatagramStream,
    label: &str,
    data: &[u8],
    to: Option<IpSocketAddress>,
) -> Result<u64, ErrorCode> {
    let ready = outgoing_subscribe(s, label);
    block(&ready, label);
    let budget = check_send(s, label)?;
    check_detail(
        "check-send permits a datagram once the pollable is ready",
        budget >= 1,
        Some(&fmt!("{budget}")),
    );
    let datagram = OutgoingDatagram {
        data: data.to_vec(),
        remote_address: to,
    };
    send(s, label, &[datagram])
}
