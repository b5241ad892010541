//! `wasi:sockets` over an in-memory loopback network: one host with the
//! addresses 127.0.0.1 and ::1, TCP connections as byte pipes between
//! sockets of the same run, UDP datagrams queued from socket to socket,
//! and a name lookup that knows `localhost`. Nothing touches the host's
//! network, and every outcome is a function of the guest's calls
//! (RATIONALE.md, "How does the reference host model WASI 0.2 sockets?").
//!
//! Without the network grant (a case's `sockets` proposal) creating a
//! socket and resolving a name are `access-denied`.

mod lookup;
mod pipe;
mod tcp;
mod udp;

use std::collections::{BTreeSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use wasmtime::component::Resource;
use wasmtime_wasi::p2::SocketError;
use wasmtime_wasi::p2::bindings::sockets::network::{self, ErrorCode, IpAddressFamily, Network};
use wasmtime_wasi::p2::bindings::sockets::{instance_network, ip_name_lookup};

use super::table::Table;
use super::{P2, trap};
use crate::system::System;
pub use pipe::{Pipe, deadlock};
use tcp::Tcp;
use udp::{Outgoing, Udp};

/// The first port `port 0` binds to; later ones count up from the last
/// choice, wrapping to this one after 65535 (the IANA dynamic range).
const EPHEMERAL_FIRST: u16 = 49152;

/// The sockets state of one run.
pub struct Net {
    /// Whether the case was granted the network (the `sockets` proposal).
    pub granted: bool,
    networks: Table<()>,
    tcp: Table<Tcp>,
    udp: Table<Udp>,
    /// Incoming datagram streams: the rep of their UDP socket.
    incoming: Table<u32>,
    outgoing: Table<Outgoing>,
    lookups: Table<VecDeque<IpAddr>>,
    /// The two directions of every TCP connection.
    pub pipes: Table<Pipe>,
    /// Where the next ephemeral port search starts, for TCP and for UDP.
    next_port: [u16; 2],
}

impl Default for Net {
    fn default() -> Self {
        Net {
            granted: false,
            networks: Table::new("network"),
            tcp: Table::new("tcp-socket"),
            udp: Table::new("udp-socket"),
            incoming: Table::new("incoming-datagram-stream"),
            outgoing: Table::new("outgoing-datagram-stream"),
            lookups: Table::new("resolve-address-stream"),
            pipes: Table::new("connection pipe"),
            next_port: [EPHEMERAL_FIRST; 2],
        }
    }
}

/// The transport a port belongs to: TCP and UDP ports are separate spaces.
#[derive(Clone, Copy, PartialEq)]
enum Proto {
    Tcp = 0,
    Udp = 1,
}

/// A table error (a handle the component model should have rejected) as a trap.
fn t<T>(r: wasmtime::Result<T>) -> Result<T, SocketError> {
    r.map_err(SocketError::trap)
}

fn err<T>(code: ErrorCode) -> Result<T, SocketError> {
    Err(code.into())
}

fn loopback(family: IpAddressFamily) -> IpAddr {
    match family {
        IpAddressFamily::Ipv4 => Ipv4Addr::LOCALHOST.into(),
        IpAddressFamily::Ipv6 => Ipv6Addr::LOCALHOST.into(),
    }
}

/// `addr` without IPv6 flow info and scope: the model has one interface.
fn plain(addr: network::IpSocketAddress) -> SocketAddr {
    let addr = SocketAddr::from(addr);
    SocketAddr::new(addr.ip(), addr.port())
}

/// Whether `ip` is of `family`. An IPv4-mapped IPv6 address is not: the WIT
/// lists "`local-address` is an IPv4-mapped IPv6 address" and the same for
/// `remote-address` as `invalid-argument`.
fn of_family(ip: IpAddr, family: IpAddressFamily) -> bool {
    match (ip, family) {
        (IpAddr::V4(_), IpAddressFamily::Ipv4) => true,
        (IpAddr::V6(v6), IpAddressFamily::Ipv6) => v6.to_ipv4_mapped().is_none(),
        _ => false,
    }
}

fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// The checks of a remote address shared by TCP connect and UDP: the WIT's
/// `invalid-argument` for the wrong family, an unspecified address or port 0.
fn check_remote(family: IpAddressFamily, addr: SocketAddr) -> Result<(), SocketError> {
    if !of_family(addr.ip(), family) || addr.ip().is_unspecified() || addr.port() == 0 {
        return err(ErrorCode::InvalidArgument);
    }
    Ok(())
}

/// Whether `addr` is on this host: the loopback address of its family (any
/// other address has no route, RATIONALE.md).
fn reachable(addr: SocketAddr) -> Result<(), SocketError> {
    let family = match addr {
        SocketAddr::V4(_) => IpAddressFamily::Ipv4,
        SocketAddr::V6(_) => IpAddressFamily::Ipv6,
    };
    if addr.ip() != loopback(family) {
        return err(ErrorCode::RemoteUnreachable);
    }
    Ok(())
}

/// Whether a socket bound to `bound` receives what is sent to `to`.
fn matches(bound: SocketAddr, to: SocketAddr) -> bool {
    bound.port() == to.port() && (bound.ip() == to.ip() || bound.ip().is_unspecified())
}

impl Net {
    /// Forgets a stream child of TCP socket `rep`.
    pub fn release_tcp(&mut self, rep: u32) {
        self.tcp.release(rep);
    }

    /// Fails with `access-denied` unless the network was granted.
    fn check_granted(&self) -> Result<(), SocketError> {
        if self.granted {
            Ok(())
        } else {
            err(ErrorCode::AccessDenied)
        }
    }

    /// The local addresses of `proto` sockets (bound or binding).
    fn bound(&self, proto: Proto) -> Vec<SocketAddr> {
        match proto {
            Proto::Tcp => self.tcp.iter().filter_map(|(_, s)| s.local).collect(),
            Proto::Udp => self.udp.iter().filter_map(|(_, s)| s.local).collect(),
        }
    }

    /// The address a `proto` socket of `family` binds to for `requested`:
    /// the same with port 0 replaced by a free ephemeral port. The WIT's
    /// errors: `invalid-argument` for the wrong family or (`unicast`, TCP) a
    /// multicast or broadcast address, `address-not-bindable` for an
    /// address of no interface, `address-in-use` for a taken port or no
    /// free ephemeral one.
    fn bind_address(
        &mut self,
        proto: Proto,
        family: IpAddressFamily,
        requested: SocketAddr,
        unicast: bool,
    ) -> Result<SocketAddr, SocketError> {
        let ip = requested.ip();
        if !of_family(ip, family) || (unicast && !is_unicast(ip)) {
            return err(ErrorCode::InvalidArgument);
        }
        if ip != loopback(family) && !ip.is_unspecified() {
            return err(ErrorCode::AddressNotBindable);
        }
        let taken: BTreeSet<u16> = self
            .bound(proto)
            .into_iter()
            .filter(|b| {
                b.is_ipv4() == ip.is_ipv4()
                    && (b.ip() == ip || b.ip().is_unspecified() || ip.is_unspecified())
            })
            .map(|b| b.port())
            .collect();
        let port = match requested.port() {
            0 => self.ephemeral(proto, &taken)?,
            p if taken.contains(&p) => return err(ErrorCode::AddressInUse),
            p => p,
        };
        Ok(SocketAddr::new(ip, port))
    }

    /// The next ephemeral port not in `taken`, searching from where the
    /// last search stopped.
    fn ephemeral(&mut self, proto: Proto, taken: &BTreeSet<u16>) -> Result<u16, SocketError> {
        let next = &mut self.next_port[proto as usize];
        let span = u32::from(u16::MAX - EPHEMERAL_FIRST) + 1;
        let start = (*next).max(EPHEMERAL_FIRST);
        for i in 0..span {
            let offset = (u32::from(start - EPHEMERAL_FIRST) + i) % span;
            let port = EPHEMERAL_FIRST + offset as u16;
            if !taken.contains(&port) {
                *next = port.checked_add(1).unwrap_or(EPHEMERAL_FIRST);
                return Ok(port);
            }
        }
        err(ErrorCode::AddressInUse)
    }
}

impl<S: System> network::Host for P2<S> {
    /// Socket streams fail only with `closed`, so no `wasi:io/error` is
    /// ever a network error.
    fn network_error_code(
        &mut self,
        err: Resource<wasmtime::Error>,
    ) -> wasmtime::Result<Option<network::ErrorCode>> {
        self.errors.get(err.rep())?;
        Ok(None)
    }

    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<network::ErrorCode> {
        err.downcast()
    }
}

impl<S: System> network::HostNetwork for P2<S> {
    fn drop(&mut self, n: Resource<Network>) -> wasmtime::Result<()> {
        self.net.networks.remove(n.rep()).map(drop)
    }
}

impl<S: System> instance_network::Host for P2<S> {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        Ok(Resource::new_own(self.net.networks.insert(())?))
    }
}

impl<S: System> P2<S> {
    /// Checks that `n` is a live network handle (the capability a bind,
    /// connect or lookup needs); there is only one network.
    fn check_network(&self, n: &Resource<Network>) -> Result<(), SocketError> {
        t(self.net.networks.get(n.rep())).map(drop)
    }

    /// Whether the resource behind `parent` (a socket, datagram stream or
    /// lookup) is ready; when it is not, only a call of the guest can make
    /// it so.
    pub(super) fn socket_ready(&self, parent: super::Parent) -> wasmtime::Result<bool> {
        use super::Parent as P;
        Ok(match parent {
            P::Tcp(rep) => self.net.tcp.get(rep)?.ready(),
            P::Incoming(rep) => {
                let socket = *self.net.incoming.get(rep)?;
                !self.net.udp.get(socket)?.queue.is_empty()
            }
            P::Udp(_) | P::Outgoing(_) | P::Lookup(_) => true,
            P::Input(_) | P::Output(_) | P::Response(_) | P::Trailers(_) => {
                return Err(trap("not a socket resource"));
            }
        })
    }

    /// Adopts a pollable child under the socket resource `parent`.
    pub(super) fn socket_adopt(&mut self, parent: super::Parent) -> wasmtime::Result<()> {
        use super::Parent as P;
        match parent {
            P::Tcp(rep) => self.net.tcp.adopt(rep),
            P::Udp(rep) => self.net.udp.adopt(rep),
            P::Incoming(rep) => self.net.incoming.adopt(rep),
            P::Outgoing(rep) => self.net.outgoing.adopt(rep),
            P::Lookup(rep) => self.net.lookups.adopt(rep),
            P::Input(_) | P::Output(_) | P::Response(_) | P::Trailers(_) => {
                Err(trap("not a socket resource"))
            }
        }
    }

    /// Forgets a pollable child of the socket resource `parent`.
    pub(super) fn socket_release(&mut self, parent: super::Parent) {
        use super::Parent as P;
        match parent {
            P::Tcp(rep) => self.net.tcp.release(rep),
            P::Udp(rep) => self.net.udp.release(rep),
            P::Incoming(rep) => self.net.incoming.release(rep),
            P::Outgoing(rep) => self.net.outgoing.release(rep),
            P::Lookup(rep) => self.net.lookups.release(rep),
            P::Input(_) | P::Output(_) | P::Response(_) | P::Trailers(_) => {}
        }
    }
}

impl<S: System> ip_name_lookup::Host for P2<S> {
    fn resolve_addresses(
        &mut self,
        n: Resource<Network>,
        name: String,
    ) -> Result<Resource<ip_name_lookup::ResolveAddressStream>, SocketError> {
        self.check_network(&n)?;
        self.net.check_granted()?;
        let addresses = lookup::resolve(&name)?;
        Ok(Resource::new_own(t(self
            .net
            .lookups
            .insert(addresses.into()))?))
    }
}

impl<S: System> ip_name_lookup::HostResolveAddressStream for P2<S> {
    fn resolve_next_address(
        &mut self,
        s: Resource<ip_name_lookup::ResolveAddressStream>,
    ) -> Result<Option<network::IpAddress>, SocketError> {
        let addresses = t(self.net.lookups.get_mut(s.rep()))?;
        Ok(addresses.pop_front().map(Into::into))
    }

    fn subscribe(
        &mut self,
        s: Resource<ip_name_lookup::ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<wasmtime_wasi::p2::DynPollable>> {
        self.subscribe_to(super::Parent::Lookup(s.rep()))
    }

    fn drop(&mut self, s: Resource<ip_name_lookup::ResolveAddressStream>) -> wasmtime::Result<()> {
        self.net.lookups.remove(s.rep()).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_ports_count_up_and_wrap() {
        let mut net = Net::default();
        let v4 = |port| SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port);
        let f = IpAddressFamily::Ipv4;
        assert_eq!(
            net.bind_address(Proto::Tcp, f, v4(0), true).unwrap(),
            v4(49152)
        );
        assert_eq!(
            net.bind_address(Proto::Tcp, f, v4(0), true).unwrap(),
            v4(49153)
        );
        // UDP has its own ports.
        assert_eq!(
            net.bind_address(Proto::Udp, f, v4(0), true).unwrap(),
            v4(49152)
        );
        net.next_port[0] = u16::MAX;
        assert_eq!(
            net.bind_address(Proto::Tcp, f, v4(0), true).unwrap(),
            v4(65535)
        );
        assert_eq!(
            net.bind_address(Proto::Tcp, f, v4(0), true).unwrap(),
            v4(49152)
        );
    }

    #[test]
    fn bind_address_errors() {
        let mut net = Net::default();
        let f = IpAddressFamily::Ipv4;
        let at = |ip: &str, port| SocketAddr::new(ip.parse().unwrap(), port);
        let code = |r: Result<SocketAddr, SocketError>| r.unwrap_err().downcast().unwrap();
        let mut bind = |ip, unicast| net.bind_address(Proto::Tcp, f, at(ip, 80), unicast);
        assert!(matches!(
            code(bind("::1", true)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(bind("224.0.0.1", true)),
            ErrorCode::InvalidArgument
        ));
        assert!(matches!(
            code(bind("224.0.0.1", false)),
            ErrorCode::AddressNotBindable
        ));
        assert!(matches!(
            code(bind("10.0.0.1", true)),
            ErrorCode::AddressNotBindable
        ));
        assert!(matches!(
            code(bind("127.0.0.2", true)),
            ErrorCode::AddressNotBindable
        ));
        let mapped = net.bind_address(
            Proto::Tcp,
            IpAddressFamily::Ipv6,
            at("::ffff:127.0.0.1", 80),
            true,
        );
        assert!(matches!(code(mapped), ErrorCode::InvalidArgument));
    }
}

/// What the socket tests share: a host with the network granted.
#[cfg(test)]
pub(super) mod testing {
    use super::*;
    use crate::host::{Config, ReferenceHost};

    pub type H = P2<ReferenceHost>;

    pub fn host() -> H {
        let mut h = P2::new(ReferenceHost::new(Config::default()).unwrap());
        h.grant_network();
        h
    }

    /// A second handle to the same resource (the tests stand in for the
    /// component model, which lends handles).
    pub fn copy<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_own(r.rep())
    }

    pub fn net(h: &mut H) -> Resource<Network> {
        instance_network::Host::instance_network(h).unwrap()
    }

    /// The error code of a failed call (a trap fails the test).
    pub fn code<T: std::fmt::Debug>(r: Result<T, SocketError>) -> ErrorCode {
        r.unwrap_err().downcast().unwrap()
    }

    pub fn v4(port: u16) -> network::IpSocketAddress {
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port).into()
    }

    pub fn v6(port: u16) -> network::IpSocketAddress {
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port).into()
    }

    pub fn at(addr: &str) -> network::IpSocketAddress {
        addr.parse::<SocketAddr>().unwrap().into()
    }

    pub fn port(addr: network::IpSocketAddress) -> u16 {
        SocketAddr::from(addr).port()
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::testing::*;
    use super::*;
    use ip_name_lookup::{Host as _, HostResolveAddressStream};
    use wasmtime_wasi::p2::bindings::sockets::tcp_create_socket::Host as _;
    use wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket::Host as _;

    #[test]
    fn resolve_until_none() {
        let mut h = host();
        let n = net(&mut h);
        let s = h.resolve_addresses(copy(&n), "localhost".into()).unwrap();
        let mut all = Vec::new();
        while let Some(ip) = h.resolve_next_address(copy(&s)).unwrap() {
            all.push(ip);
        }
        assert_eq!(all.len(), 2);
        assert!(matches!(all[0], network::IpAddress::Ipv4((127, 0, 0, 1))));
        assert!(matches!(
            all[1],
            network::IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))
        ));
        let p = HostResolveAddressStream::subscribe(&mut h, copy(&s)).unwrap();
        assert!(
            h.socket_ready(super::super::Parent::Lookup(s.rep()))
                .unwrap()
        );
        assert!(HostResolveAddressStream::drop(&mut h, copy(&s)).is_err());
        wasmtime_wasi::p2::bindings::sync::io::poll::HostPollable::drop(&mut h, p).unwrap();
        HostResolveAddressStream::drop(&mut h, s).unwrap();
        let unknown = h.resolve_addresses(copy(&n), "example.com".into());
        assert!(matches!(code(unknown), ErrorCode::NameUnresolvable));
        let invalid = h.resolve_addresses(copy(&n), "a b".into());
        assert!(matches!(code(invalid), ErrorCode::InvalidArgument));
    }

    #[test]
    fn without_the_grant_everything_is_access_denied() {
        use crate::host::{Config, ReferenceHost};
        let mut h = P2::new(ReferenceHost::new(Config::default()).unwrap());
        let n = net(&mut h);
        let lookup = h.resolve_addresses(copy(&n), "localhost".into());
        assert!(matches!(code(lookup), ErrorCode::AccessDenied));
        let tcp = h.create_tcp_socket(IpAddressFamily::Ipv4);
        assert!(matches!(code(tcp), ErrorCode::AccessDenied));
        let udp = h.create_udp_socket(IpAddressFamily::Ipv6);
        assert!(matches!(code(udp), ErrorCode::AccessDenied));
    }
}
