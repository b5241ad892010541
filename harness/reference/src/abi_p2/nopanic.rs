//! The 0.2 layer never panics on guest input: random calls with random
//! handles (live, dropped or never made), lengths and offsets, drops in any
//! order. A trap or an error is fine; a panic is a bug. The choices come
//! from a seeded generator in the test below and from libFuzzer's input in
//! the `reference_p2_abi` fuzz target ([`replay`]).

use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock::Host as _;
use wasmtime_wasi::p2::bindings::filesystem::preopens::Host as _;
use wasmtime_wasi::p2::bindings::sockets::instance_network::Host as _;
use wasmtime_wasi::p2::bindings::sockets::ip_name_lookup::{Host as _, HostResolveAddressStream};
use wasmtime_wasi::p2::bindings::sockets::network::{
    HostNetwork, IpAddressFamily, IpSocketAddress,
};
use wasmtime_wasi::p2::bindings::sockets::tcp_create_socket::Host as _;
use wasmtime_wasi::p2::bindings::sync::filesystem::types::{
    DescriptorFlags, HostDescriptor, HostDirectoryEntryStream, OpenFlags, PathFlags,
};
use wasmtime_wasi::p2::bindings::sync::io::poll::{Host as _, HostPollable};
use wasmtime_wasi::p2::bindings::sync::io::streams::{HostInputStream, HostOutputStream};
use wasmtime_wasi::p2::bindings::sync::sockets::tcp::{HostTcpSocket, ShutdownType};
use wasmtime_wasi::p2::bindings::sync::sockets::udp::{
    HostIncomingDatagramStream, HostOutgoingDatagramStream, HostUdpSocket, OutgoingDatagram,
};
use wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket::Host as _;

use super::P2;
use crate::host::{Config, ReferenceHost};
use crate::rng::SplitMix64;

/// Where the random calls' choices come from.
pub trait Choices {
    /// The next choice.
    fn next_u64(&mut self) -> u64;
}

impl Choices for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        SplitMix64::next_u64(self)
    }
}

/// A fuzzer's input read as choices, eight bytes at a time (little-endian;
/// a short tail is zero-padded).
struct Bytes<'a>(&'a [u8]);

impl Choices for Bytes<'_> {
    fn next_u64(&mut self) -> u64 {
        let n = self.0.len().min(8);
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        u64::from_le_bytes(word)
    }
}

/// The calls `data` chooses, on a fresh host, until the input is used up.
pub fn replay(data: &[u8]) {
    let mut h = host();
    let mut choices = Bytes(data);
    while !choices.0.is_empty() {
        step(&mut h, &mut choices);
    }
}

const PATHS: &[&str] = &["a", "d", "d/e", "..", "../x", "/a", "", "a/"];
const ADDRESSES: &[&str] = &[
    "127.0.0.1:0",
    "127.0.0.1:49152",
    "0.0.0.0:80",
    "10.0.0.1:65535",
    "[::1]:0",
    "[::1]:49152",
    "[::]:80",
    "[::ffff:127.0.0.1]:49153",
];
const NAMES: &[&str] = &["localhost", "::1", "127.0.0.1", "example.com", "a b", ""];

fn host() -> P2<ReferenceHost> {
    let config = Config {
        preopens: vec![("/sandbox".into(), ".".into())],
        output_cap: 1 << 16,
        ..Config::default()
    };
    let mut h = P2::new(ReferenceHost::new(config).unwrap());
    h.grant_network();
    h
}

/// A handle of any type: live, dropped or never made.
fn handle<T: 'static>(rng: &mut dyn Choices) -> Resource<T> {
    Resource::new_own((rng.next_u64() % 8) as u32)
}

/// One random call on `h`.
fn step(h: &mut P2<ReferenceHost>, rng: &mut dyn Choices) {
    let len = |rng: &mut dyn Choices| match rng.next_u64() % 4 {
        0 => u64::MAX,
        1 => rng.next_u64(),
        _ => rng.next_u64() % 64,
    };
    let path =
        |rng: &mut dyn Choices| PATHS[(rng.next_u64() % PATHS.len() as u64) as usize].to_string();
    let pick =
        |rng: &mut dyn Choices, all: &[u8]| rng.next_u64() as u8 & all.iter().fold(0, |a, b| a | b);
    let flags = |rng: &mut dyn Choices| {
        let bits = pick(rng, &[1, 2, 32]);
        let mut f = DescriptorFlags::empty();
        for (bit, flag) in [
            (1, DescriptorFlags::READ),
            (2, DescriptorFlags::WRITE),
            (32, DescriptorFlags::MUTATE_DIRECTORY),
        ] {
            if bits & bit != 0 {
                f |= flag;
            }
        }
        f
    };
    let open = |rng: &mut dyn Choices| {
        let bits = pick(rng, &[1, 2, 4, 8]);
        let mut f = OpenFlags::empty();
        for (bit, flag) in [
            (1, OpenFlags::CREATE),
            (2, OpenFlags::DIRECTORY),
            (4, OpenFlags::EXCLUSIVE),
            (8, OpenFlags::TRUNCATE),
        ] {
            if bits & bit != 0 {
                f |= flag;
            }
        }
        f
    };
    let addr = |rng: &mut dyn Choices| -> IpSocketAddress {
        let a = ADDRESSES[(rng.next_u64() % ADDRESSES.len() as u64) as usize];
        a.parse::<std::net::SocketAddr>().unwrap().into()
    };
    let family = |rng: &mut dyn Choices| match rng.next_u64() % 2 {
        0 => IpAddressFamily::Ipv4,
        _ => IpAddressFamily::Ipv6,
    };
    // Every result is dropped: an error or a trap is a fine answer.
    match rng.next_u64() % 40 {
        0 => drop(h.get_directories()),
        1 => {
            let (dir, p, o, f) = (handle(rng), path(rng), open(rng), flags(rng));
            drop(h.open_at(dir, PathFlags::SYMLINK_FOLLOW, p, o, f));
        }
        2 => drop(HostDescriptor::read(h, handle(rng), len(rng), len(rng))),
        3 => drop(HostDescriptor::write(h, handle(rng), vec![1; 3], len(rng))),
        4 => drop(h.read_via_stream(handle(rng), len(rng))),
        5 => drop(h.write_via_stream(handle(rng), len(rng))),
        6 => drop(h.append_via_stream(handle(rng))),
        7 => drop(HostInputStream::read(h, handle(rng), len(rng))),
        8 => {
            let (o, n) = (handle(rng), len(rng));
            drop(HostOutputStream::write_zeroes(h, o, n));
        }
        9 => drop(HostOutputStream::check_write(h, handle(rng))),
        10 => {
            let (o, i, n) = (handle(rng), handle(rng), len(rng));
            drop(h.splice(o, i, n));
        }
        11 => drop(HostInputStream::subscribe(h, handle(rng))),
        12 => {
            let n = len(rng);
            drop(h.subscribe_duration(n));
        }
        13 => {
            let list = (0..rng.next_u64() % 3).map(|_| handle(rng)).collect();
            drop(h.poll(list));
        }
        14 => drop(HostPollable::block(h, handle(rng))),
        15 => drop(h.read_directory(handle(rng))),
        16 => drop(h.read_directory_entry(handle(rng))),
        17 => drop(h.instance_network()),
        18 => drop(h.create_tcp_socket(family(rng))),
        19 => drop(h.create_udp_socket(family(rng))),
        20 => {
            let (s, n, a) = (handle(rng), handle(rng), addr(rng));
            drop(HostTcpSocket::start_bind(h, s, n, a));
        }
        21 => drop(HostTcpSocket::finish_bind(h, handle(rng))),
        22 => {
            let (s, n, a) = (handle(rng), handle(rng), addr(rng));
            drop(HostTcpSocket::start_connect(h, s, n, a));
        }
        23 => drop(HostTcpSocket::finish_connect(h, handle(rng))),
        24 => drop(HostTcpSocket::start_listen(h, handle(rng))),
        25 => drop(HostTcpSocket::finish_listen(h, handle(rng))),
        26 => drop(HostTcpSocket::accept(h, handle(rng))),
        27 => {
            let (s, n) = (handle(rng), len(rng));
            match rng.next_u64() % 4 {
                0 => drop(HostTcpSocket::set_listen_backlog_size(h, s, n)),
                1 => drop(HostTcpSocket::set_keep_alive_idle_time(h, s, n)),
                2 => drop(HostTcpSocket::set_receive_buffer_size(h, s, n)),
                _ => drop(HostTcpSocket::set_hop_limit(h, s, n as u8)),
            }
        }
        28 => {
            let s = handle(rng);
            match rng.next_u64() % 4 {
                0 => drop(HostTcpSocket::local_address(h, s)),
                1 => drop(HostTcpSocket::remote_address(h, s)),
                2 => drop(HostTcpSocket::is_listening(h, s)),
                _ => drop(HostTcpSocket::subscribe(h, s)),
            }
        }
        29 => {
            let how = match rng.next_u64() % 3 {
                0 => ShutdownType::Receive,
                1 => ShutdownType::Send,
                _ => ShutdownType::Both,
            };
            drop(HostTcpSocket::shutdown(h, handle(rng), how));
        }
        30 => {
            let (s, n, a) = (handle(rng), handle(rng), addr(rng));
            drop(HostUdpSocket::start_bind(h, s, n, a));
        }
        31 => drop(HostUdpSocket::finish_bind(h, handle(rng))),
        32 => {
            let s = handle(rng);
            let to = rng.next_u64().is_multiple_of(2).then(|| addr(rng));
            drop(HostUdpSocket::stream(h, s, to));
        }
        33 => {
            let (s, n) = (handle(rng), len(rng));
            drop(HostIncomingDatagramStream::receive(h, s, n));
        }
        34 => drop(HostOutgoingDatagramStream::check_send(h, handle(rng))),
        35 => {
            let s = handle(rng);
            let datagrams = (0..rng.next_u64() % 20)
                .map(|_| OutgoingDatagram {
                    data: vec![0; (rng.next_u64() % 70_000) as usize],
                    remote_address: rng.next_u64().is_multiple_of(2).then(|| addr(rng)),
                })
                .collect();
            drop(HostOutgoingDatagramStream::send(h, s, datagrams));
        }
        36 => {
            let (s, n) = (handle(rng), len(rng));
            match rng.next_u64() % 3 {
                0 => drop(HostUdpSocket::set_unicast_hop_limit(h, s, n as u8)),
                1 => drop(HostUdpSocket::set_send_buffer_size(h, s, n)),
                _ => drop(HostUdpSocket::local_address(h, s)),
            }
        }
        37 => {
            let name = NAMES[(rng.next_u64() % NAMES.len() as u64) as usize].to_string();
            drop(h.resolve_addresses(handle(rng), name));
        }
        38 => match rng.next_u64() % 5 {
            0 => drop(h.resolve_next_address(handle(rng))),
            1 => drop(HostResolveAddressStream::subscribe(h, handle(rng))),
            2 => drop(HostIncomingDatagramStream::subscribe(h, handle(rng))),
            3 => drop(HostUdpSocket::subscribe(h, handle(rng))),
            _ => {
                let (o, n) = (handle(rng), len(rng));
                drop(h.blocking_write_and_flush(o, vec![7; (n % 5000) as usize]));
            }
        },
        _ => match rng.next_u64() % 11 {
            0 => drop(HostDescriptor::drop(h, handle(rng))),
            1 => drop(HostInputStream::drop(h, handle(rng))),
            2 => drop(HostOutputStream::drop(h, handle(rng))),
            3 => drop(HostPollable::drop(h, handle(rng))),
            4 => drop(HostTcpSocket::drop(h, handle(rng))),
            5 => drop(HostUdpSocket::drop(h, handle(rng))),
            6 => drop(HostIncomingDatagramStream::drop(h, handle(rng))),
            7 => drop(HostOutgoingDatagramStream::drop(h, handle(rng))),
            8 => drop(HostResolveAddressStream::drop(h, handle(rng))),
            9 => drop(HostNetwork::drop(h, handle(rng))),
            _ => drop(h.blocking_read(handle(rng), len(rng))),
        },
    }
    drop(HostDirectoryEntryStream::drop(h, handle(rng)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    #[test]
    fn random_calls_never_panic() {
        let mut rng = SplitMix64::new(13);
        let mut h = host();
        for call in 0..20_000 {
            if call % 200 == 0 {
                h = host();
            }
            let ok = catch_unwind(AssertUnwindSafe(|| step(&mut h, &mut rng)));
            assert!(ok.is_ok(), "call {call} panicked");
        }
    }
}
