//! The host never panics on guest input: random function indexes and raw
//! arguments go through `abi_p1::call` over a small memory. Each argument
//! is usually plausible for its role (an open fd, a path string and its
//! length, a prepared iovec or subscription array, small flags) and
//! sometimes anything at all, so calls reach deep into the host as well
//! as failing early.
//!
//! 20 000 calls by default; `WASI_CONFORM_NOPANIC_CALLS=1000000` raises it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::abi_p1::{FUNCTIONS, call};
use crate::host::{Config, DIR_RIGHTS, FILE_RIGHTS, ReferenceHost};
use crate::rng::SplitMix64;
use crate::system::System;
use crate::trace::Traced;
use crate::types::{Fdflags, Lookupflags, Oflags, Rights, Subscription};

const MEM_SIZE: usize = 4096;
/// Out-pointers land in [0, OUT_END).
const OUT_END: u64 = 1024;
/// Buffers, and what the prepared iovecs point at: [BUF_AT, BUF_AT + 1024).
const BUF_AT: u64 = 1024;
/// Four prepared iovecs.
const IOVS_AT: usize = 2048;
/// Four prepared subscriptions.
const SUBS_AT: usize = 2304;
/// The path-like strings of `STRINGS`.
const STRINGS_AT: usize = 3072;
const STRINGS: &[&str] = &[
    "a", "b", "d", "d/", "d/e", ".", "..", "../a", "/a", "a/", "l", "d/l", "d/../a", "", "e/f/",
];
/// Resets the host (and memory) every this many calls, so state stays small.
const CALLS_PER_HOST: u64 = 100;

/// The role of each parameter, one letter per core-wasm parameter:
/// `f` fd, `p` out-pointer, `s`+`l` string, `i`+`n` iovecs, `b`+`z`
/// buffer, `q` subscriptions, `g` small flags/enum, `r` rights, `o`
/// offset or size, `x` anything.
fn roles(name: &str) -> &'static str {
    match name {
        "args_get" | "args_sizes_get" | "environ_get" | "environ_sizes_get" => "pp",
        "clock_res_get" => "gp",
        "clock_time_get" => "gop",
        "fd_advise" | "fd_filestat_set_times" => "foog",
        "fd_allocate" => "foo",
        "fd_close" | "fd_datasync" | "fd_sync" => "f",
        "fd_fdstat_get" | "fd_filestat_get" | "fd_prestat_get" | "fd_tell" => "fp",
        "fd_fdstat_set_flags" | "sock_shutdown" => "fg",
        "fd_fdstat_set_rights" => "frr",
        "fd_filestat_set_size" => "fo",
        "fd_pread" | "fd_pwrite" => "finop",
        "fd_prestat_dir_name" => "fbz",
        "fd_read" | "fd_write" => "finp",
        "fd_readdir" => "fbzop",
        "fd_renumber" => "ff",
        "fd_seek" => "fogp",
        "path_create_directory" | "path_remove_directory" | "path_unlink_file" => "fsl",
        "path_filestat_get" => "fgslp",
        "path_filestat_set_times" => "fgsloog",
        "path_link" => "fgslfsl",
        "path_open" => "fgslgrrgp",
        "path_readlink" => "fslbzp",
        "path_rename" => "fslfsl",
        "path_symlink" => "slfsl",
        "poll_oneoff" => "qpnp",
        "proc_exit" => "x",
        "proc_raise" => "g",
        "sched_yield" => "",
        "random_get" => "bz",
        "sock_accept" => "fgp",
        "sock_recv" => "fingpp",
        "sock_send" => "fingp",
        other => panic!("no roles for {other}"),
    }
}

/// A host with a few files, a directory, symlinks (one looping) and file
/// "a" open as fd 5 with every file right.
fn fresh_host(seed: u64) -> ReferenceHost {
    let mut host = ReferenceHost::new(Config {
        args: vec!["prog".into(), "x".into()],
        env: vec![("A".into(), "1".into())],
        stdin: b"stdin data".to_vec(),
        preopens: vec![
            ("/sandbox".into(), ".".into()),
            ("/again".into(), ".".into()),
        ],
        seed,
        output_cap: 4096,
        ..Config::default()
    })
    .expect("host");
    let (follow, no_flags) = (Lookupflags::SYMLINK_FOLLOW, Fdflags::EMPTY);
    for file in ["a", "b", "d/e"] {
        if file == "d/e" {
            host.path_create_directory(3, "d").expect("mkdir");
        }
        let fd = host
            .path_open(
                3,
                follow,
                file,
                Oflags::CREAT,
                FILE_RIGHTS,
                Rights::EMPTY,
                no_flags,
            )
            .expect("create");
        host.fd_write(fd, &[b"some content"]).expect("write");
        host.fd_close(fd).expect("close");
    }
    for (target, link) in [("a", "l"), ("../b", "d/l"), ("loop", "loop")] {
        host.path_symlink(target, 3, link).expect("symlink");
    }
    let fd = host
        .path_open(
            3,
            follow,
            "a",
            Oflags::EMPTY,
            FILE_RIGHTS,
            Rights::EMPTY,
            no_flags,
        )
        .expect("open");
    assert_eq!(fd, 5);
    host
}

fn put(mem: &mut [u8], at: usize, bytes: &[u8]) {
    mem[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Random memory with prepared iovecs, subscriptions and strings.
fn fresh_memory(rng: &mut SplitMix64) -> (Vec<u8>, Vec<(u64, u64)>) {
    let mut mem = vec![0u8; MEM_SIZE];
    rng.fill(&mut mem);
    for k in 0..4 {
        let at = IOVS_AT + 8 * k;
        put(&mut mem, at, &(BUF_AT as u32 + 64 * k as u32).to_le_bytes());
        put(
            &mut mem,
            at + 4,
            &(rng.next_u64() as u32 % 65).to_le_bytes(),
        );
    }
    for k in 0..4 {
        let at = SUBS_AT + Subscription::SIZE * k;
        let r = rng.next_u64();
        mem[at + 8] = (r % 3) as u8;
        put(&mut mem, at + 16, &((r >> 8) as u32 % 5).to_le_bytes());
        put(&mut mem, at + 24, &((r >> 16) % 3_000_000).to_le_bytes());
        put(&mut mem, at + 40, &((r >> 40) as u16 % 2).to_le_bytes());
    }
    let mut at = STRINGS_AT;
    let mut strings = Vec::new();
    for s in STRINGS {
        put(&mut mem, at, s.as_bytes());
        strings.push((at as u64, s.len() as u64));
        at += s.len();
    }
    (mem, strings)
}

/// Anything: random bits or an edge value.
fn wild(rng: &mut SplitMix64) -> u64 {
    let r = rng.next_u64();
    match r % 3 {
        0 => r >> 2,
        1 => (r >> 2) % MEM_SIZE as u64 + MEM_SIZE as u64 / 2,
        _ => [
            0,
            1,
            3,
            u32::MAX as u64,
            u64::MAX,
            i64::MIN as u64,
            MEM_SIZE as u64,
        ][(r >> 8) as usize % 7],
    }
}

/// Raw arguments for `roles`: plausible for the role, one in forty wild.
fn args(rng: &mut SplitMix64, roles: &str, strings: &[(u64, u64)]) -> Vec<u64> {
    let mut string_len = 0;
    roles
        .chars()
        .map(|role| {
            let r = rng.next_u64();
            if r.is_multiple_of(40) {
                return wild(rng);
            }
            let r = r >> 4;
            match role {
                // Preopens (3, 4) and the first opened fd (5) half the time.
                'f' if r.is_multiple_of(2) => 3 + (r >> 1) % 3,
                'f' => (r >> 1) % 8,
                'p' => (r % OUT_END) & !7,
                's' => {
                    let (ptr, len) = strings[r as usize % strings.len()];
                    string_len = len;
                    ptr
                }
                'l' => string_len,
                'i' => IOVS_AT as u64 + 8 * (r % 4),
                'n' => r % 5,
                'b' => BUF_AT + r % 768,
                'z' => r % 257,
                'q' => SUBS_AT as u64 + Subscription::SIZE as u64 * (r % 4),
                'g' if !r.is_multiple_of(8) => (r >> 3) % 2,
                'g' => (r >> 3) % 16,
                // Rights a preopen can pass on (all but the socket ones).
                'r' => r & (FILE_RIGHTS | DIR_RIGHTS).0,
                'o' => r % 128,
                _ => r,
            }
        })
        .collect()
}

/// Picks a random function and arguments for it, sometimes scribbling
/// over memory below the strings first.
fn random_call(rng: &mut SplitMix64, mem: &mut [u8], strings: &[(u64, u64)]) -> (usize, Vec<u64>) {
    if rng.next_u64().is_multiple_of(32) {
        let at = (rng.next_u64() % STRINGS_AT as u64) as usize;
        let end = (at + 16).min(STRINGS_AT);
        rng.fill(&mut mem[at..end]);
    }
    let index = (rng.next_u64() % (FUNCTIONS.len() as u64 + 1)) as usize;
    let args = match FUNCTIONS.get(index) {
        Some(f) => {
            let roles = roles(f.name);
            assert_eq!(roles.len(), f.params.len(), "roles of {}", f.name);
            args(rng, roles, strings)
        }
        None => Vec::new(),
    };
    (index, args)
}

#[test]
fn no_panic_on_random_calls() {
    let calls: u64 = std::env::var("WASI_CONFORM_NOPANIC_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let started = std::time::Instant::now();
    let mut rng = SplitMix64::new(0x5eed);
    let mut host = fresh_host(0);
    let (mut mem, mut strings) = fresh_memory(&mut rng);
    for i in 0..calls {
        if i % CALLS_PER_HOST == 0 {
            host = fresh_host(i);
            (mem, strings) = fresh_memory(&mut rng);
        }
        let (index, args) = random_call(&mut rng, &mut mem, &strings);
        let outcome = catch_unwind(AssertUnwindSafe(|| call(&mut host, &mut mem, index, &args)));
        if outcome.is_err() {
            let name = FUNCTIONS.get(index).map_or("<out of range>", |f| f.name);
            panic!("call {i}: {name}({args:?}) panicked");
        }
    }
    eprintln!("no-panic: {calls} calls in {:.2?}", started.elapsed());
}

/// Same configuration and same calls: byte-identical memory, trace,
/// output and filesystem.
#[test]
fn same_calls_same_outcome() {
    let run = || {
        let mut rng = SplitMix64::new(7);
        let mut host = Traced::new(fresh_host(7));
        let (mut mem, strings) = fresh_memory(&mut rng);
        let mut results = Vec::new();
        for _ in 0..500 {
            let (index, args) = random_call(&mut rng, &mut mem, &strings);
            results.push(call(&mut host, &mut mem, index, &args));
        }
        let trace: Vec<String> = host.calls().iter().map(|c| c.to_string()).collect();
        let host = host.into_inner();
        (
            results,
            trace,
            mem,
            host.stdout().to_vec(),
            host.snapshot().to_text(),
        )
    };
    let (first, second) = (run(), run());
    assert!(first.1.len() > 100, "enough calls reached the host");
    assert!(first == second);
}
