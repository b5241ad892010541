//! `wasi:sockets`, linked so the command world instantiates, with no
//! network behind it: creating a socket and resolving a name are
//! `access-denied` (RATIONALE.md, "Why are WASI 0.2 sockets `access-denied`
//! on the reference host?"). No socket resource is ever made, so a socket
//! method can only be reached through a handle the component model would
//! have rejected: it traps.

use network::Network;
use udp::{IncomingDatagramStream, OutgoingDatagramStream};
use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::sockets::{
    instance_network, ip_name_lookup, network, tcp_create_socket,
};
use wasmtime_wasi::p2::bindings::sync::sockets::{tcp, udp, udp_create_socket};
use wasmtime_wasi::p2::{
    DynInputStream, DynOutputStream, DynPollable, SocketError, TcpSocket, UdpSocket,
};

use super::{P2, trap};
use crate::system::System;

/// The WIT's `access-denied`: the reference host grants no network.
fn denied() -> SocketError {
    network::ErrorCode::AccessDenied.into()
}

fn no_socket() -> wasmtime::Error {
    trap("no socket exists on the reference host")
}

impl<S: System> tcp::Host for P2<S> {}

impl<S: System> udp::Host for P2<S> {}

impl<S: System> network::Host for P2<S> {
    fn network_error_code(
        &mut self,
        _: Resource<wasmtime::Error>,
    ) -> wasmtime::Result<Option<network::ErrorCode>> {
        Ok(None)
    }

    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<network::ErrorCode> {
        err.downcast()
    }
}

impl<S: System> network::HostNetwork for P2<S> {
    fn drop(&mut self, _: Resource<Network>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl<S: System> instance_network::Host for P2<S> {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        Ok(Resource::new_own(0))
    }
}

impl<S: System> tcp_create_socket::Host for P2<S> {
    fn create_tcp_socket(
        &mut self,
        _: network::IpAddressFamily,
    ) -> Result<Resource<TcpSocket>, SocketError> {
        Err(denied())
    }
}

impl<S: System> ip_name_lookup::Host for P2<S> {
    fn resolve_addresses(
        &mut self,
        _: Resource<Network>,
        _: String,
    ) -> Result<Resource<ip_name_lookup::ResolveAddressStream>, SocketError> {
        Err(denied())
    }
}

impl<S: System> ip_name_lookup::HostResolveAddressStream for P2<S> {
    fn resolve_next_address(
        &mut self,
        _: Resource<ip_name_lookup::ResolveAddressStream>,
    ) -> Result<Option<network::IpAddress>, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn subscribe(
        &mut self,
        _: Resource<ip_name_lookup::ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        Err(no_socket())
    }

    fn drop(&mut self, _: Resource<ip_name_lookup::ResolveAddressStream>) -> wasmtime::Result<()> {
        Err(no_socket())
    }
}

impl<S: System> tcp::HostTcpSocket for P2<S> {
    fn start_bind(
        &mut self,
        _: Resource<TcpSocket>,
        _: Resource<Network>,
        _: network::IpSocketAddress,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn finish_bind(&mut self, _: Resource<TcpSocket>) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn start_connect(
        &mut self,
        _: Resource<TcpSocket>,
        _: Resource<Network>,
        _: network::IpSocketAddress,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn finish_connect(
        &mut self,
        _: Resource<TcpSocket>,
    ) -> Result<(Resource<DynInputStream>, Resource<DynOutputStream>), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn start_listen(&mut self, _: Resource<TcpSocket>) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn finish_listen(&mut self, _: Resource<TcpSocket>) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn accept(
        &mut self,
        _: Resource<TcpSocket>,
    ) -> Result<
        (
            Resource<TcpSocket>,
            Resource<DynInputStream>,
            Resource<DynOutputStream>,
        ),
        SocketError,
    > {
        Err(SocketError::trap(no_socket()))
    }

    fn local_address(
        &mut self,
        _: Resource<TcpSocket>,
    ) -> Result<network::IpSocketAddress, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn remote_address(
        &mut self,
        _: Resource<TcpSocket>,
    ) -> Result<network::IpSocketAddress, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn is_listening(&mut self, _: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        Err(no_socket())
    }

    fn address_family(
        &mut self,
        _: Resource<TcpSocket>,
    ) -> wasmtime::Result<network::IpAddressFamily> {
        Err(no_socket())
    }

    fn set_listen_backlog_size(
        &mut self,
        _: Resource<TcpSocket>,
        _: u64,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn keep_alive_enabled(&mut self, _: Resource<TcpSocket>) -> Result<bool, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_keep_alive_enabled(
        &mut self,
        _: Resource<TcpSocket>,
        _: bool,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn keep_alive_idle_time(&mut self, _: Resource<TcpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_keep_alive_idle_time(
        &mut self,
        _: Resource<TcpSocket>,
        _: u64,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn keep_alive_interval(&mut self, _: Resource<TcpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_keep_alive_interval(
        &mut self,
        _: Resource<TcpSocket>,
        _: u64,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn keep_alive_count(&mut self, _: Resource<TcpSocket>) -> Result<u32, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_keep_alive_count(&mut self, _: Resource<TcpSocket>, _: u32) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn hop_limit(&mut self, _: Resource<TcpSocket>) -> Result<u8, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_hop_limit(&mut self, _: Resource<TcpSocket>, _: u8) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn receive_buffer_size(&mut self, _: Resource<TcpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_receive_buffer_size(
        &mut self,
        _: Resource<TcpSocket>,
        _: u64,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn send_buffer_size(&mut self, _: Resource<TcpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_send_buffer_size(&mut self, _: Resource<TcpSocket>, _: u64) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn subscribe(&mut self, _: Resource<TcpSocket>) -> wasmtime::Result<Resource<DynPollable>> {
        Err(no_socket())
    }

    fn shutdown(
        &mut self,
        _: Resource<TcpSocket>,
        _: tcp::ShutdownType,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn drop(&mut self, _: Resource<TcpSocket>) -> wasmtime::Result<()> {
        Err(no_socket())
    }
}

impl<S: System> udp::HostUdpSocket for P2<S> {
    fn start_bind(
        &mut self,
        _: Resource<UdpSocket>,
        _: Resource<Network>,
        _: network::IpSocketAddress,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn finish_bind(&mut self, _: Resource<UdpSocket>) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn stream(
        &mut self,
        _: Resource<UdpSocket>,
        _: Option<network::IpSocketAddress>,
    ) -> Result<
        (
            Resource<IncomingDatagramStream>,
            Resource<OutgoingDatagramStream>,
        ),
        SocketError,
    > {
        Err(SocketError::trap(no_socket()))
    }

    fn local_address(
        &mut self,
        _: Resource<UdpSocket>,
    ) -> Result<network::IpSocketAddress, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn remote_address(
        &mut self,
        _: Resource<UdpSocket>,
    ) -> Result<network::IpSocketAddress, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn address_family(
        &mut self,
        _: Resource<UdpSocket>,
    ) -> wasmtime::Result<network::IpAddressFamily> {
        Err(no_socket())
    }

    fn unicast_hop_limit(&mut self, _: Resource<UdpSocket>) -> Result<u8, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_unicast_hop_limit(&mut self, _: Resource<UdpSocket>, _: u8) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn receive_buffer_size(&mut self, _: Resource<UdpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_receive_buffer_size(
        &mut self,
        _: Resource<UdpSocket>,
        _: u64,
    ) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn send_buffer_size(&mut self, _: Resource<UdpSocket>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn set_send_buffer_size(&mut self, _: Resource<UdpSocket>, _: u64) -> Result<(), SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn subscribe(&mut self, _: Resource<UdpSocket>) -> wasmtime::Result<Resource<DynPollable>> {
        Err(no_socket())
    }

    fn drop(&mut self, _: Resource<UdpSocket>) -> wasmtime::Result<()> {
        Err(no_socket())
    }
}

impl<S: System> udp::HostIncomingDatagramStream for P2<S> {
    fn receive(
        &mut self,
        _: Resource<IncomingDatagramStream>,
        _: u64,
    ) -> Result<Vec<udp::IncomingDatagram>, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn subscribe(
        &mut self,
        _: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        Err(no_socket())
    }

    fn drop(&mut self, _: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        Err(no_socket())
    }
}

impl<S: System> udp::HostOutgoingDatagramStream for P2<S> {
    fn check_send(&mut self, _: Resource<OutgoingDatagramStream>) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn send(
        &mut self,
        _: Resource<OutgoingDatagramStream>,
        _: Vec<udp::OutgoingDatagram>,
    ) -> Result<u64, SocketError> {
        Err(SocketError::trap(no_socket()))
    }

    fn subscribe(
        &mut self,
        _: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        Err(no_socket())
    }

    fn drop(&mut self, _: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        Err(no_socket())
    }
}

impl<S: System> udp_create_socket::Host for P2<S> {
    fn create_udp_socket(
        &mut self,
        _: network::IpAddressFamily,
    ) -> Result<Resource<UdpSocket>, SocketError> {
        Err(denied())
    }
}
