//! The WASI 0.2 ABI: the interfaces of the `wasi:cli/command` world on a
//! wasmtime component linker, answered by the same `System` as preview1
//! (one filesystem model, two ABIs).
//!
//! The Rust signatures are the host traits wasmtime-wasi generates from the
//! WIT it ships (its `p2::bindings`); only the traits are used, never its
//! host code. A `Resource<T>` is a rep number with a type tag: every
//! resource lives in one of `P2`'s tables (RATIONALE.md, "Why bind WASI 0.2
//! through wasmtime-wasi's generated traits?").
//!
//! One module per WIT package; `table` holds resources, `errors` turns
//! errnos into 0.2 error codes.

mod cli;
mod clocks;
mod errors;
mod filesystem;
mod http;
pub use http::{Served, ServedRequest};
mod io;
mod random;
mod sockets;
mod table;

pub mod nopanic;

use std::collections::VecDeque;

use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi::p2::bindings::sync::filesystem::types::{DescriptorFlags, DirectoryEntry};

use crate::system::System;
use crate::types::{Fd, Filesize, Timestamp};
use table::Table;

/// A `wasi:filesystem` descriptor: a preview1 fd and the 0.2 flags it was opened with.
struct Descriptor {
    fd: Fd,
    flags: DescriptorFlags,
    /// Preopens are shared by every `get-directories` call: dropping one
    /// does not close the fd.
    preopen: bool,
}

/// Where an `input-stream` reads from, and whether a failed read closed
/// it (as `last-operation-failed` closes an output stream: "After this, the
/// stream will be closed. All future operations return
/// `stream-error::closed`.").
struct Input {
    source: Source,
    closed: bool,
}

impl Input {
    fn new(source: Source) -> Self {
        Input {
            source,
            closed: false,
        }
    }
}

#[derive(Clone, Copy)]
enum Source {
    Stdin,
    /// A TCP connection's receiving pipe; `parent` is the socket's rep.
    Socket {
        pipe: u32,
        parent: u32,
    },
    /// A file's contents from `offset`; `parent` is the descriptor's rep.
    File {
        fd: Fd,
        offset: Filesize,
        parent: u32,
    },
    /// An `incoming-body`'s bytes from `offset`; `body` is its rep.
    HttpBody {
        body: u32,
        offset: u64,
    },
}

/// Where an `output-stream` writes to, what `check-write` last permitted,
/// and whether a failed operation closed it ("After this, the stream will
/// be closed. All future operations return `stream-error::closed`.").
struct Output {
    sink: Sink,
    permit: u64,
    closed: bool,
}

impl Output {
    fn new(sink: Sink) -> Self {
        Output {
            sink,
            permit: 0,
            closed: false,
        }
    }
}

#[derive(Clone, Copy)]
enum Sink {
    Stdout,
    Stderr,
    /// A TCP connection's sending pipe; `parent` is the socket's rep.
    Socket {
        pipe: u32,
        parent: u32,
    },
    /// A file at `offset`, or at its end (`None`: append); `parent` is the descriptor's rep.
    File {
        fd: Fd,
        offset: Option<Filesize>,
        parent: u32,
    },
    /// An `outgoing-body`'s bytes (`exchange`); `parent` is the body's rep.
    HttpBody {
        exchange: u32,
        parent: u32,
    },
}

/// What a `pollable` waits for.
enum Pollable {
    /// The resource it was subscribed from being ready (io.rs, `readiness`).
    Of { parent: Parent },
    /// Monotonic time reaching this instant (ns).
    Instant(Timestamp),
}

/// The resource a pollable was subscribed from (it holds it alive).
#[derive(Clone, Copy)]
enum Parent {
    Input(u32),
    Output(u32),
    /// A `future-incoming-response`: ready once its request can be sent.
    Response(u32),
    /// A `future-trailers`: always ready.
    Trailers(u32),
    Tcp(u32),
    Udp(u32),
    Incoming(u32),
    Outgoing(u32),
    Lookup(u32),
}

/// The store data of a 0.2 run: the preview1 semantics and the 0.2 resources.
pub struct P2<S> {
    sys: S,
    descriptors: Table<Descriptor>,
    dir_streams: Table<VecDeque<DirectoryEntry>>,
    inputs: Table<Input>,
    outputs: Table<Output>,
    pollables: Table<Pollable>,
    /// `wasi:io/error` values: the errno a stream operation failed with.
    errors: Table<errors::IoError>,
    /// The `wasi:http` resources.
    http: http::Http,
    /// The in-memory loopback network behind `wasi:sockets`.
    net: sockets::Net,
}

impl<S: System> P2<S> {
    /// Serves WASI 0.2 on top of `sys`.
    pub fn new(sys: S) -> Self {
        P2 {
            sys,
            descriptors: Table::new("descriptor"),
            dir_streams: Table::new("directory-entry-stream"),
            inputs: Table::new("input-stream"),
            outputs: Table::new("output-stream"),
            pollables: Table::new("pollable"),
            errors: Table::new("error"),
            http: http::Http::new(),
            net: sockets::Net::default(),
        }
    }

    /// Grants the guest the network (a case's `sockets` proposal): without
    /// it, creating a socket and resolving a name are `access-denied`.
    pub fn grant_network(&mut self) {
        self.net.granted = true;
    }

    /// The preview1 system underneath.
    pub fn system(&self) -> &S {
        &self.sys
    }

    /// The preview1 system underneath, after the run.
    pub fn into_system(self) -> S {
        self.sys
    }
}

/// Registers every interface of `wasi:cli/command` on `linker`, answered
/// by the store's `P2`.
pub fn add_to_linker<S: System + Send + 'static>(
    linker: &mut Linker<P2<S>>,
) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::sync::{filesystem as sync_fs, io, sockets as sync_sockets};
    use wasmtime_wasi::p2::bindings::{cli, clocks, filesystem, random, sockets};
    type H<S> = HasSelf<P2<S>>;
    let l = linker;
    let get = this::<S>;
    io::error::add_to_linker::<_, H<S>>(l, get)?;
    io::poll::add_to_linker::<_, H<S>>(l, get)?;
    io::streams::add_to_linker::<_, H<S>>(l, get)?;
    cli::environment::add_to_linker::<_, H<S>>(l, get)?;
    cli::exit::add_to_linker::<_, H<S>>(l, get)?;
    cli::stdin::add_to_linker::<_, H<S>>(l, get)?;
    cli::stdout::add_to_linker::<_, H<S>>(l, get)?;
    cli::stderr::add_to_linker::<_, H<S>>(l, get)?;
    cli::terminal_input::add_to_linker::<_, H<S>>(l, get)?;
    cli::terminal_output::add_to_linker::<_, H<S>>(l, get)?;
    cli::terminal_stdin::add_to_linker::<_, H<S>>(l, get)?;
    cli::terminal_stdout::add_to_linker::<_, H<S>>(l, get)?;
    cli::terminal_stderr::add_to_linker::<_, H<S>>(l, get)?;
    clocks::monotonic_clock::add_to_linker::<_, H<S>>(l, get)?;
    clocks::wall_clock::add_to_linker::<_, H<S>>(l, get)?;
    random::random::add_to_linker::<_, H<S>>(l, get)?;
    random::insecure::add_to_linker::<_, H<S>>(l, get)?;
    random::insecure_seed::add_to_linker::<_, H<S>>(l, get)?;
    filesystem::preopens::add_to_linker::<_, H<S>>(l, get)?;
    sync_fs::types::add_to_linker::<_, H<S>>(l, get)?;
    sockets::network::add_to_linker::<_, H<S>>(l, &Default::default(), get)?;
    sockets::instance_network::add_to_linker::<_, H<S>>(l, get)?;
    sockets::tcp_create_socket::add_to_linker::<_, H<S>>(l, get)?;
    sockets::ip_name_lookup::add_to_linker::<_, H<S>>(l, get)?;
    sync_sockets::tcp::add_to_linker::<_, H<S>>(l, get)?;
    sync_sockets::udp::add_to_linker::<_, H<S>>(l, get)?;
    sync_sockets::udp_create_socket::add_to_linker::<_, H<S>>(l, get)?;
    Ok(())
}

/// Registers `wasi:http`'s `types` and `outgoing-handler` (the `http`
/// proposal) on `linker`, beside [`add_to_linker`]'s interfaces.
pub fn add_http_to_linker<S: System + Send + 'static>(
    linker: &mut Linker<P2<S>>,
) -> wasmtime::Result<()> {
    use wasmtime_wasi_http::p2::bindings::http::{outgoing_handler, types};
    type H<S> = HasSelf<P2<S>>;
    let options = wasmtime_wasi_http::p2::bindings::LinkOptions::default();
    outgoing_handler::add_to_linker::<_, H<S>>(linker, this::<S>)?;
    types::add_to_linker::<_, H<S>>(linker, &options.into(), this::<S>)?;
    Ok(())
}

/// The store data is the host itself (`HasSelf`).
fn this<S>(t: &mut P2<S>) -> &mut P2<S> {
    t
}

/// A trap: the guest broke a rule the WIT states (the message says which).
fn trap(message: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::msg(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Config, ReferenceHost};
    use wasmtime::component::Resource;
    use wasmtime_wasi::p2::bindings::filesystem::preopens::Host as _;
    use wasmtime_wasi::p2::bindings::sync::filesystem::types::{
        self, DescriptorType, HostDescriptor, HostDirectoryEntryStream, OpenFlags, PathFlags,
    };
    use wasmtime_wasi::p2::bindings::sync::io::poll::{Host as _, HostPollable};
    use wasmtime_wasi::p2::bindings::sync::io::streams::{self, HostInputStream, HostOutputStream};
    use wasmtime_wasi::p2::bindings::{clocks::monotonic_clock, random::random};
    use wasmtime_wasi::p2::{FsError, StreamError};

    fn p2() -> P2<ReferenceHost> {
        let config = Config {
            preopens: vec![("/sandbox".into(), ".".into())],
            output_cap: 1 << 20,
            ..Config::default()
        };
        P2::new(ReferenceHost::new(config).unwrap())
    }

    fn code(err: FsError) -> types::ErrorCode {
        types::Host::convert_error_code(&mut p2(), err).unwrap()
    }

    fn sandbox(h: &mut P2<ReferenceHost>) -> Resource<types::Descriptor> {
        let mut dirs = h.get_directories().unwrap();
        assert_eq!(dirs.len(), 1);
        let (dir, name) = dirs.remove(0);
        assert_eq!(name, "/sandbox");
        dir
    }

    fn copy<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_own(r.rep())
    }

    fn open(
        h: &mut P2<ReferenceHost>,
        dir: &Resource<types::Descriptor>,
        path: &str,
        open: OpenFlags,
        flags: DescriptorFlags,
    ) -> Result<Resource<types::Descriptor>, types::ErrorCode> {
        h.open_at(
            copy(dir),
            PathFlags::SYMLINK_FOLLOW,
            path.into(),
            open,
            flags,
        )
        .map_err(code)
    }

    fn rw() -> DescriptorFlags {
        DescriptorFlags::READ | DescriptorFlags::WRITE
    }

    #[test]
    fn files_through_descriptors() {
        let mut h = p2();
        let dir = sandbox(&mut h);
        let f = open(&mut h, &dir, "a.txt", OpenFlags::CREATE, rw()).unwrap();
        assert_eq!(
            HostDescriptor::write(&mut h, copy(&f), b"hello".to_vec(), 0).unwrap(),
            5
        );
        assert_eq!(
            HostDescriptor::read(&mut h, copy(&f), 3, 0).unwrap(),
            (b"hel".to_vec(), false)
        );
        assert_eq!(
            HostDescriptor::read(&mut h, copy(&f), 10, 3).unwrap(),
            (b"lo".to_vec(), true)
        );
        let stat = h.stat(copy(&f)).unwrap();
        assert_eq!(
            (stat.type_, stat.size, stat.link_count),
            (DescriptorType::RegularFile, 5, 1)
        );
        assert!(h.is_same_object(copy(&f), copy(&f)).unwrap());
        assert!(!h.is_same_object(copy(&f), copy(&dir)).unwrap());
        let hash = h.metadata_hash(copy(&f)).unwrap();
        let at = h
            .metadata_hash_at(copy(&dir), PathFlags::empty(), "a.txt".into())
            .unwrap();
        assert_eq!((hash.lower, hash.upper), (at.lower, at.upper));
        h.create_directory_at(copy(&dir), "d".into()).unwrap();
        let entries = h.read_directory(copy(&dir)).unwrap();
        let mut names = Vec::new();
        while let Some(e) = h.read_directory_entry(copy(&entries)).unwrap() {
            names.push((e.name, e.type_));
        }
        assert_eq!(
            names,
            [
                ("a.txt".to_string(), DescriptorType::RegularFile),
                ("d".to_string(), DescriptorType::Directory)
            ]
        );
        HostDirectoryEntryStream::drop(&mut h, entries).unwrap();
        // The preview1 errnos, as error codes.
        let missing = open(&mut h, &dir, "missing", OpenFlags::empty(), rw());
        assert_eq!(missing.unwrap_err(), types::ErrorCode::NoEntry);
        let escape = open(&mut h, &dir, "../x", OpenFlags::CREATE, rw());
        assert_eq!(escape.unwrap_err(), types::ErrorCode::NotPermitted);
        let dir_write = open(&mut h, &dir, "d", OpenFlags::empty(), rw());
        assert_eq!(dir_write.unwrap_err(), types::ErrorCode::IsDirectory);
        HostDescriptor::drop(&mut h, f).unwrap();
        // A preopen handle can be dropped and handed out again.
        HostDescriptor::drop(&mut h, dir).unwrap();
        sandbox(&mut h);
    }

    #[test]
    fn descriptor_flags_are_enforced() {
        let mut h = p2();
        let dir = sandbox(&mut h);
        let read_only = open(&mut h, &dir, "f", OpenFlags::CREATE, DescriptorFlags::READ).unwrap();
        let err = HostDescriptor::write(&mut h, copy(&read_only), b"x".to_vec(), 0).map_err(code);
        assert_eq!(err.unwrap_err(), types::ErrorCode::BadDescriptor);
        // The stream is made; its first write fails and closes it.
        let out = h.write_via_stream(copy(&read_only), 0).unwrap();
        let failed = h.blocking_write_and_flush(copy(&out), b"x".to_vec());
        assert!(matches!(failed, Err(StreamError::LastOperationFailed(_))));
        assert!(matches!(
            h.check_write(copy(&out)),
            Err(StreamError::Closed)
        ));
        // The same for a read: a failed one closes the input stream.
        let write_only = open(
            &mut h,
            &dir,
            "f",
            OpenFlags::empty(),
            DescriptorFlags::WRITE,
        )
        .unwrap();
        let input = h.read_via_stream(copy(&write_only), 0).unwrap();
        let failed = HostInputStream::read(&mut h, copy(&input), 1);
        assert!(matches!(failed, Err(StreamError::LastOperationFailed(_))));
        assert!(matches!(
            HostInputStream::read(&mut h, copy(&input), 0),
            Err(StreamError::Closed)
        ));
        h.create_directory_at(copy(&dir), "d".into()).unwrap();
        // Without mutate-directory a directory is read-only (the WIT of `open-at`).
        let d = open(
            &mut h,
            &dir,
            "d",
            OpenFlags::DIRECTORY,
            DescriptorFlags::READ,
        )
        .unwrap();
        let err = h.create_directory_at(copy(&d), "sub".into()).map_err(code);
        assert_eq!(err.unwrap_err(), types::ErrorCode::ReadOnly);
        let err = open(&mut h, &d, "new", OpenFlags::CREATE, rw());
        assert_eq!(err.unwrap_err(), types::ErrorCode::ReadOnly);
        assert_eq!(h.get_flags(copy(&d)).unwrap(), DescriptorFlags::READ);
        let err = h.read_via_stream(copy(&d), 0).map_err(code);
        assert_eq!(err.unwrap_err(), types::ErrorCode::IsDirectory);
    }

    #[test]
    fn streams_over_a_file() {
        let mut h = p2();
        let dir = sandbox(&mut h);
        let f = open(&mut h, &dir, "f", OpenFlags::CREATE, rw()).unwrap();
        let out = h.write_via_stream(copy(&f), 0).unwrap();
        // A write beyond what check-write permitted traps.
        assert!(matches!(
            HostOutputStream::write(&mut h, copy(&out), b"ab".to_vec()),
            Err(StreamError::Trap(_))
        ));
        let permit = h.check_write(copy(&out)).unwrap();
        assert!(permit >= 2);
        HostOutputStream::write(&mut h, copy(&out), b"ab".to_vec()).unwrap();
        h.blocking_write_and_flush(copy(&out), b"cd".to_vec())
            .unwrap();
        assert!(
            h.blocking_write_and_flush(copy(&out), vec![0; 4097])
                .is_err()
        );
        let append = h.append_via_stream(copy(&f)).unwrap();
        h.blocking_write_zeroes_and_flush(copy(&append), 2).unwrap();
        // The descriptor cannot go while its streams live.
        assert!(HostDescriptor::drop(&mut h, copy(&f)).is_err());
        let input = h.read_via_stream(copy(&f), 1).unwrap();
        let pollable = HostInputStream::subscribe(&mut h, copy(&input)).unwrap();
        assert!(h.ready(copy(&pollable)).unwrap());
        assert!(HostInputStream::drop(&mut h, copy(&input)).is_err());
        HostPollable::drop(&mut h, pollable).unwrap();
        assert_eq!(h.blocking_read(copy(&input), 100).unwrap(), b"bcd\0\0");
        assert!(matches!(
            HostInputStream::read(&mut h, copy(&input), 1),
            Err(StreamError::Closed)
        ));
        HostInputStream::drop(&mut h, input).unwrap();
        HostOutputStream::drop(&mut h, out).unwrap();
        HostOutputStream::drop(&mut h, append).unwrap();
        HostDescriptor::drop(&mut h, f).unwrap();
        // A failed operation becomes a `wasi:io/error` with its error code.
        let failed = StreamError::LastOperationFailed(wasmtime::Error::new(errors::Failed(
            errors::IoError::Errno(crate::errno::Errno::Nospc),
        )));
        let streams::StreamError::LastOperationFailed(err) =
            streams::Host::convert_stream_error(&mut h, failed).unwrap()
        else {
            panic!("not an error");
        };
        let fs_code = types::Host::filesystem_error_code(&mut h, err).unwrap();
        assert_eq!(fs_code, Some(types::ErrorCode::InsufficientSpace));
    }

    #[test]
    fn stdout_is_captured() {
        let mut h = p2();
        let out = cli_stdout(&mut h);
        h.blocking_write_and_flush(copy(&out), b"hi\n".to_vec())
            .unwrap();
        assert_eq!(h.system().stdout(), b"hi\n");
    }

    fn cli_stdout(h: &mut P2<ReferenceHost>) -> Resource<wasmtime_wasi::p2::DynOutputStream> {
        wasmtime_wasi::p2::bindings::cli::stdout::Host::get_stdout(h).unwrap()
    }

    #[test]
    fn polling_advances_virtual_time() {
        let mut h = p2();
        let start = monotonic_clock::Host::now(&mut h).unwrap();
        let later = monotonic_clock::Host::subscribe_duration(&mut h, 1_000_000_000).unwrap();
        let soon = monotonic_clock::Host::subscribe_duration(&mut h, 10).unwrap();
        assert!(!h.ready(copy(&later)).unwrap());
        assert_eq!(h.poll(vec![copy(&later), copy(&soon)]).unwrap(), [1]);
        h.block(copy(&later)).unwrap();
        assert!(monotonic_clock::Host::now(&mut h).unwrap() >= start + 1_000_000_000);
        assert!(h.poll(Vec::new()).is_err());
        HostPollable::drop(&mut h, later).unwrap();
    }

    #[test]
    fn hostile_guests_trap_without_panicking() {
        let mut h = p2();
        let bogus = Resource::<types::Descriptor>::new_own(999);
        assert!(h.stat(copy(&bogus)).is_err());
        assert!(HostDescriptor::drop(&mut h, bogus).is_err());
        let bogus = Resource::new_own(7);
        assert!(matches!(
            HostInputStream::read(&mut h, bogus, u64::MAX),
            Err(StreamError::Trap(_))
        ));
        assert!(h.ready(Resource::new_own(3)).is_err());
        assert!(random::Host::get_random_bytes(&mut h, u64::MAX).is_err());
        assert_eq!(
            random::Host::get_random_bytes(&mut h, 16).unwrap().len(),
            16
        );
        let dir = sandbox(&mut h);
        let f = open(&mut h, &dir, "f", OpenFlags::CREATE, rw()).unwrap();
        assert_eq!(
            HostDescriptor::read(&mut h, copy(&f), u64::MAX, 1 << 40).unwrap(),
            (vec![], true)
        );
    }
}
