//! Checks the TCP and UDP guests share: error codes, the address family,
//! and the options both socket types have (the hop limit, the buffer sizes).

use crate::Stop;
use crate::wasi::sockets::types::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, TcpSocket,
    UdpSocket,
};
use guest_support::{check, check_detail, check_should, fmt};

/// `result` is the error `expected`.
pub fn check_error<T: std::fmt::Debug>(
    name: &str,
    result: Result<T, ErrorCode>,
    expected: ErrorCode,
) {
    let ok = matches!(&result, Err(code) if *code == expected);
    check_detail(name, ok, Some(&fmt!("{result:?}")));
}

/// `result` is the error `expected`, as a `check_should` (an error code
/// the text lists among the typical errors, in a `must` scenario).
pub fn check_error_should<T: std::fmt::Debug>(
    name: &str,
    result: Result<T, ErrorCode>,
    expected: ErrorCode,
) {
    let ok = matches!(&result, Err(code) if *code == expected);
    check_should(name, ok, Some(&fmt!("{result:?}")));
}

/// The loopback address of `family` (127.0.0.1 or ::1) with `port`.
pub fn loopback(family: IpAddressFamily, port: u16) -> IpSocketAddress {
    match family {
        IpAddressFamily::Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (127, 0, 0, 1),
        }),
        IpAddressFamily::Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
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
        IpAddressFamily::Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (0, 0, 0, 0),
        }),
        IpAddressFamily::Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 0),
            scope_id: 0,
        }),
    }
}

/// The port of `address`.
pub fn port(address: &IpSocketAddress) -> u16 {
    match address {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

/// A new socket of `family`; failing, it stops the scenario.
pub fn create<S: Socket>(family: IpAddressFamily) -> Result<S, Stop> {
    S::make(family).map_err(|e| Stop::Setup(fmt!("create {family:?}: {e:?}")))
}

/// A socket of `family` bound to its loopback address and port 0, with the
/// address it got; failing, it stops the scenario.
pub fn bound<S: Socket>(family: IpAddressFamily) -> Result<(S, IpSocketAddress), Stop> {
    let socket = create::<S>(family)?;
    socket
        .bind_to(loopback(family, 0))
        .and_then(|()| socket.local_address())
        .map(|address| (socket, address))
        .map_err(|e| Stop::Setup(fmt!("bind {family:?} loopback: {e:?}")))
}

/// What a TCP and a UDP socket both have, under their own names.
pub trait Socket: Sized {
    /// The WIT name of the hop-limit option (`hop-limit`, `unicast-hop-limit`).
    const HOP_LIMIT: &'static str;
    fn make(family: IpAddressFamily) -> Result<Self, ErrorCode>;
    fn family(&self) -> IpAddressFamily;
    fn bind_to(&self, address: IpSocketAddress) -> Result<(), ErrorCode>;
    fn local_address(&self) -> Result<IpSocketAddress, ErrorCode>;
    fn set_hop(&self, value: u8) -> Result<(), ErrorCode>;
    fn get_hop(&self) -> Result<u8, ErrorCode>;
    fn set_receive_buffer(&self, size: u64) -> Result<(), ErrorCode>;
    fn set_send_buffer(&self, size: u64) -> Result<(), ErrorCode>;
    fn get_buffers(&self) -> (Result<u64, ErrorCode>, Result<u64, ErrorCode>);
}

/// [`Socket`] for a socket type, given its hop-limit option's name and
/// its getter and setter.
macro_rules! socket {
    ($type:ty, $hop_limit:literal, $set_hop:ident, $get_hop:ident) => {
        impl Socket for $type {
            const HOP_LIMIT: &'static str = $hop_limit;
            fn make(family: IpAddressFamily) -> Result<Self, ErrorCode> {
                <$type>::create(family)
            }
            fn family(&self) -> IpAddressFamily {
                self.get_address_family()
            }
            fn bind_to(&self, address: IpSocketAddress) -> Result<(), ErrorCode> {
                self.bind(address)
            }
            fn local_address(&self) -> Result<IpSocketAddress, ErrorCode> {
                self.get_local_address()
            }
            fn set_hop(&self, value: u8) -> Result<(), ErrorCode> {
                self.$set_hop(value)
            }
            fn get_hop(&self) -> Result<u8, ErrorCode> {
                self.$get_hop()
            }
            fn set_receive_buffer(&self, size: u64) -> Result<(), ErrorCode> {
                self.set_receive_buffer_size(size)
            }
            fn set_send_buffer(&self, size: u64) -> Result<(), ErrorCode> {
                self.set_send_buffer_size(size)
            }
            fn get_buffers(&self) -> (Result<u64, ErrorCode>, Result<u64, ErrorCode>) {
                (self.get_receive_buffer_size(), self.get_send_buffer_size())
            }
        }
    };
}

socket!(TcpSocket, "hop-limit", set_hop_limit, get_hop_limit);
socket!(
    UdpSocket,
    "unicast-hop-limit",
    set_unicast_hop_limit,
    get_unicast_hop_limit
);

/// get-address-family is the family passed to create; a family create
/// refuses (`not-supported`, as the text allows) is printed.
pub fn address_family<S: Socket>() {
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        match S::make(family) {
            Ok(socket) => check_detail(
                &fmt!("get-address-family of a {family:?} socket"),
                socket.family() == family,
                Some(&fmt!("{:?}", socket.family())),
            ),
            Err(e) => {
                println!("create {family:?}: {e:?}");
                check_detail(
                    &fmt!("create {family:?} fails only with not-supported"),
                    e == ErrorCode::NotSupported,
                    Some(&fmt!("{e:?}")),
                )
            }
        };
    }
}

/// The hop limit: 0 is invalid-argument; 42 is accepted and read back, as
/// IP_TTL does (a `check_should`: the text says no more).
pub fn hop_limit<S: Socket>(socket: &S) {
    let option = S::HOP_LIMIT;
    check_error(
        &fmt!("set-{option} 0 is invalid-argument"),
        socket.set_hop(0),
        ErrorCode::InvalidArgument,
    );
    let set = socket.set_hop(42);
    check_should(
        &fmt!("set-{option} 42"),
        set.is_ok(),
        Some(&fmt!("{set:?}")),
    );
    let value = socket.get_hop();
    check_should(
        &fmt!("get-{option} is then 42"),
        value == Ok(42),
        Some(&fmt!("{value:?}")),
    );
}

/// 0 is invalid-argument for the receive and send buffer sizes; 64 KiB is
/// accepted, and a size is then read back.
pub fn buffer_sizes(socket: &impl Socket) {
    check_error(
        "set-receive-buffer-size 0 is invalid-argument",
        socket.set_receive_buffer(0),
        ErrorCode::InvalidArgument,
    );
    check_error(
        "set-send-buffer-size 0 is invalid-argument",
        socket.set_send_buffer(0),
        ErrorCode::InvalidArgument,
    );
    check(
        "set-receive-buffer-size 65536",
        socket.set_receive_buffer(65536).is_ok(),
    );
    check(
        "set-send-buffer-size 65536",
        socket.set_send_buffer(65536).is_ok(),
    );
    let sizes = socket.get_buffers();
    check_should(
        "get-receive-buffer-size and get-send-buffer-size are then above 0",
        matches!(sizes, (Ok(r), Ok(s)) if r > 0 && s > 0),
        Some(&fmt!("{sizes:?}")),
    );
}
