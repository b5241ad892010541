//! The preview1 ABI: the only module that touches guest memory.
//!
//! `call` decodes a core-wasm call (`FUNCTIONS[index]` with raw `u64`
//! arguments) against `mem`, runs it on a `System` and encodes the results.
//! Pointers are checked before the system runs, so a `fault` never leaves a
//! side effect behind (RATIONALE.md, "Why check pointers before the call?").
//!
//! This file holds the function table and `call`; `dispatch` decodes each
//! function's arguments and `memory` checks every guest pointer.

mod dispatch;
mod memory;

use crate::errno::Errno;
use crate::system::{Exit, System};

use dispatch::dispatch;
use memory::{Args, Mem};

/// A core-wasm value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
}

/// A preview1 import: its name and core-wasm signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    /// The import name in `wasi_snapshot_preview1`.
    pub name: &'static str,
    /// Core-wasm parameter types.
    pub params: &'static [ValType],
    /// Core-wasm result types: one `i32` errno, none for `proc_exit`.
    pub results: &'static [ValType],
}

/// Why a call did not return to the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// `proc_exit` with this code.
    Exit(u32),
}

use ValType::{I32, I64};

const fn f(name: &'static str, params: &'static [ValType]) -> Function {
    Function {
        name,
        params,
        results: &[I32],
    }
}

/// The 46 preview1 functions in witx order, with their core-wasm signatures.
pub static FUNCTIONS: [Function; 46] = [
    f("args_get", &[I32, I32]),
    f("args_sizes_get", &[I32, I32]),
    f("environ_get", &[I32, I32]),
    f("environ_sizes_get", &[I32, I32]),
    f("clock_res_get", &[I32, I32]),
    f("clock_time_get", &[I32, I64, I32]),
    f("fd_advise", &[I32, I64, I64, I32]),
    f("fd_allocate", &[I32, I64, I64]),
    f("fd_close", &[I32]),
    f("fd_datasync", &[I32]),
    f("fd_fdstat_get", &[I32, I32]),
    f("fd_fdstat_set_flags", &[I32, I32]),
    f("fd_fdstat_set_rights", &[I32, I64, I64]),
    f("fd_filestat_get", &[I32, I32]),
    f("fd_filestat_set_size", &[I32, I64]),
    f("fd_filestat_set_times", &[I32, I64, I64, I32]),
    f("fd_pread", &[I32, I32, I32, I64, I32]),
    f("fd_prestat_get", &[I32, I32]),
    f("fd_prestat_dir_name", &[I32, I32, I32]),
    f("fd_pwrite", &[I32, I32, I32, I64, I32]),
    f("fd_read", &[I32, I32, I32, I32]),
    f("fd_readdir", &[I32, I32, I32, I64, I32]),
    f("fd_renumber", &[I32, I32]),
    f("fd_seek", &[I32, I64, I32, I32]),
    f("fd_sync", &[I32]),
    f("fd_tell", &[I32, I32]),
    f("fd_write", &[I32, I32, I32, I32]),
    f("path_create_directory", &[I32, I32, I32]),
    f("path_filestat_get", &[I32, I32, I32, I32, I32]),
    f(
        "path_filestat_set_times",
        &[I32, I32, I32, I32, I64, I64, I32],
    ),
    f("path_link", &[I32, I32, I32, I32, I32, I32, I32]),
    f("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32]),
    f("path_readlink", &[I32, I32, I32, I32, I32, I32]),
    f("path_remove_directory", &[I32, I32, I32]),
    f("path_rename", &[I32, I32, I32, I32, I32, I32]),
    f("path_symlink", &[I32, I32, I32, I32, I32]),
    f("path_unlink_file", &[I32, I32, I32]),
    f("poll_oneoff", &[I32, I32, I32, I32]),
    Function {
        name: "proc_exit",
        params: &[I32],
        results: &[],
    },
    f("proc_raise", &[I32]),
    f("sched_yield", &[]),
    f("random_get", &[I32, I32]),
    f("sock_accept", &[I32, I32, I32]),
    f("sock_recv", &[I32, I32, I32, I32, I32, I32]),
    f("sock_send", &[I32, I32, I32, I32, I32]),
    f("sock_shutdown", &[I32, I32]),
];

/// The index of a function in `FUNCTIONS`.
pub fn index_of(name: &str) -> Option<usize> {
    FUNCTIONS.iter().position(|f| f.name == name)
}

/// Runs `FUNCTIONS[index]` with raw arguments (i32 values in the low 32
/// bits) against guest memory `mem`; returns the errno wire value.
///
/// An unknown index gives `nosys` and a wrong argument count `inval`: both
/// are embedder mistakes (a linker checks signatures), never guest input.
pub fn call(
    sys: &mut dyn System,
    mem: &mut [u8],
    index: usize,
    args: &[u64],
) -> Result<u32, Control> {
    let Some(func) = FUNCTIONS.get(index) else {
        return Ok(Errno::Nosys.wire().into());
    };
    if args.len() != func.params.len() {
        return Ok(Errno::Inval.wire().into());
    }
    let a = Args(args);
    if func.name == "proc_exit" {
        let Exit(code) = sys.proc_exit(a.u32(0));
        return Err(Control::Exit(code));
    }
    let r = dispatch(sys, &mut Mem(mem), func.name, &a);
    Ok(match r {
        Ok(()) => 0,
        Err(e) => e.wire().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Config, ReferenceHost};
    use crate::types::{Filetype, Rights};

    fn host() -> ReferenceHost {
        ReferenceHost::new(Config {
            args: vec!["prog".into(), "a b".into()],
            env: vec![("K".into(), "v".into())],
            stdin: b"hello".to_vec(),
            preopens: vec![("/sandbox".into(), ".".into())],
            seed: 42,
            output_cap: 8,
            ..Config::default()
        })
        .unwrap()
    }

    fn run(h: &mut ReferenceHost, mem: &mut [u8], name: &str, args: &[u64]) -> Errno {
        let wire = call(h, mem, index_of(name).unwrap(), args).unwrap();
        Errno::from_wire(wire as u16).unwrap()
    }

    fn u32_at(mem: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(mem[at..at + 4].try_into().unwrap())
    }

    fn u64_at(mem: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(mem[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn table_has_46_distinct_functions() {
        let mut names: Vec<_> = FUNCTIONS.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 46);
        assert!(
            FUNCTIONS
                .iter()
                .all(|f| f.results.len() == usize::from(f.name != "proc_exit"))
        );
    }

    #[test]
    fn args_and_environ() {
        let (mut h, mut mem) = (host(), vec![0u8; 256]);
        assert_eq!(
            run(&mut h, &mut mem, "args_sizes_get", &[0, 4]),
            Errno::Success
        );
        assert_eq!((u32_at(&mem, 0), u32_at(&mem, 4)), (2, 9));
        assert_eq!(run(&mut h, &mut mem, "args_get", &[16, 32]), Errno::Success);
        assert_eq!((u32_at(&mem, 16), u32_at(&mem, 20)), (32, 37));
        assert_eq!(&mem[32..41], b"prog\0a b\0");
        assert_eq!(
            run(&mut h, &mut mem, "environ_sizes_get", &[0, 4]),
            Errno::Success
        );
        assert_eq!((u32_at(&mem, 0), u32_at(&mem, 4)), (1, 4));
        assert_eq!(
            run(&mut h, &mut mem, "environ_get", &[16, 64]),
            Errno::Success
        );
        assert_eq!(&mem[64..68], b"K=v\0");
        // argv_buf running off the end of memory.
        assert_eq!(run(&mut h, &mut mem, "args_get", &[16, 250]), Errno::Fault);
    }

    #[test]
    fn stdio_write_read_and_cap() {
        let (mut h, mut mem) = (host(), vec![0u8; 256]);
        mem[100..106].copy_from_slice(b"hi you");
        // Two ciovecs: "hi" and " you".
        for (at, v) in [(0, 100), (4, 2), (8, 102), (12, 4)] {
            mem[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes());
        }
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[1, 0, 2, 16]),
            Errno::Success
        );
        assert_eq!(u32_at(&mem, 16), 6);
        assert_eq!(h.stdout(), b"hi you");
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[1, 0, 2, 16]),
            Errno::Success
        );
        assert_eq!(u32_at(&mem, 16), 6, "full length reported past the cap");
        assert_eq!(h.stdout(), b"hi youhi");
        assert!(h.output_truncated());
        // fd_read from stdin into one iovec of 3 then the rest.
        for (at, v) in [(0, 200), (4, 3)] {
            mem[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes());
        }
        assert_eq!(
            run(&mut h, &mut mem, "fd_read", &[0, 0, 1, 16]),
            Errno::Success
        );
        assert_eq!((u32_at(&mem, 16), &mem[200..203]), (3, &b"hel"[..]));
        assert_eq!(
            run(&mut h, &mut mem, "fd_read", &[0, 0, 1, 16]),
            Errno::Success
        );
        assert_eq!((u32_at(&mem, 16), &mem[200..202]), (2, &b"lo"[..]));
        assert_eq!(
            run(&mut h, &mut mem, "fd_read", &[0, 0, 1, 16]),
            Errno::Success
        );
        assert_eq!(u32_at(&mem, 16), 0);
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[0, 0, 1, 16]),
            Errno::Notcapable
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[9, 0, 1, 16]),
            Errno::Badf
        );
    }

    #[test]
    fn fdstat_of_stdio() {
        let (mut h, mut mem) = (host(), vec![0u8; 64]);
        assert_eq!(
            run(&mut h, &mut mem, "fd_fdstat_get", &[1, 8]),
            Errno::Success
        );
        assert_eq!(mem[8], Filetype::CharacterDevice as u8);
        let rights = Rights(u64_at(&mem, 16));
        assert!(rights.contains(Rights::FD_WRITE) && !rights.contains(Rights::FD_SEEK));
        assert_eq!(u64_at(&mem, 24), 0);
        assert_eq!(
            run(&mut h, &mut mem, "fd_fdstat_get", &[1, 4]),
            Errno::Fault,
            "misaligned"
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_fdstat_get", &[1, 48]),
            Errno::Fault,
            "out of bounds"
        );
    }

    #[test]
    fn clocks_and_random() {
        let (mut h, mut mem) = (host(), vec![0u8; 64]);
        assert_eq!(
            run(&mut h, &mut mem, "clock_res_get", &[1, 0]),
            Errno::Success
        );
        assert_eq!(u64_at(&mem, 0), crate::clock::RESOLUTION);
        assert_eq!(
            run(&mut h, &mut mem, "clock_time_get", &[1, 0, 0]),
            Errno::Success
        );
        let t1 = u64_at(&mem, 0);
        assert_eq!(
            run(&mut h, &mut mem, "clock_time_get", &[1, 0, 0]),
            Errno::Success
        );
        assert_eq!(u64_at(&mem, 0), t1 + crate::clock::STEP);
        assert_eq!(
            run(&mut h, &mut mem, "clock_time_get", &[4, 0, 0]),
            Errno::Inval
        );
        assert_eq!(
            run(&mut h, &mut mem, "random_get", &[8, 16]),
            Errno::Success
        );
        let first = mem[8..24].to_vec();
        let mut again = host();
        let mut mem2 = vec![0u8; 64];
        run(&mut again, &mut mem2, "random_get", &[8, 16]);
        assert_eq!(mem2[8..24], first[..]);
        assert_eq!(run(&mut h, &mut mem, "random_get", &[60, 16]), Errno::Fault);
    }

    #[test]
    fn prestat_exit_and_misc() {
        let (mut h, mut mem) = (host(), vec![0u8; 64]);
        assert_eq!(
            run(&mut h, &mut mem, "fd_prestat_get", &[3, 0]),
            Errno::Success
        );
        assert_eq!((mem[0], u32_at(&mem, 4)), (0, 8));
        assert_eq!(
            run(&mut h, &mut mem, "fd_prestat_dir_name", &[3, 16, 8]),
            Errno::Success
        );
        assert_eq!(&mem[16..24], b"/sandbox");
        assert_eq!(
            run(&mut h, &mut mem, "fd_prestat_dir_name", &[3, 16, 4]),
            Errno::Nametoolong
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_prestat_get", &[0, 0]),
            Errno::Badf
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_prestat_get", &[4, 0]),
            Errno::Badf
        );
        assert_eq!(run(&mut h, &mut mem, "sched_yield", &[]), Errno::Success);
        assert_eq!(run(&mut h, &mut mem, "proc_raise", &[2]), Errno::Notsup);
        assert_eq!(
            run(&mut h, &mut mem, "sock_shutdown", &[1, 3]),
            Errno::Notsock
        );
        assert_eq!(
            run(&mut h, &mut mem, "sock_shutdown", &[1, 4]),
            Errno::Inval
        );
        assert_eq!(
            run(&mut h, &mut mem, "sock_accept", &[7, 0, 0]),
            Errno::Badf
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_fdstat_set_flags", &[1, 1 << 5]),
            Errno::Inval
        );
        assert_eq!(
            call(&mut h, &mut mem, index_of("proc_exit").unwrap(), &[3]),
            Err(Control::Exit(3))
        );
        assert_eq!(
            call(&mut h, &mut mem, 46, &[]),
            Ok(u32::from(Errno::Nosys.wire()))
        );
        assert_eq!(
            call(&mut h, &mut mem, 0, &[1]),
            Ok(u32::from(Errno::Inval.wire()))
        );
    }

    #[test]
    fn overlapping_iovecs_never_allocate_their_sum() {
        use crate::system::System;
        use crate::types::{Fdflags, Lookupflags, Oflags};
        let mut h = host();
        let all = crate::host::FILE_RIGHTS;
        let fd = h
            .path_open(
                3,
                Lookupflags::EMPTY,
                "f",
                Oflags::CREAT,
                all,
                Rights::EMPTY,
                Fdflags::EMPTY,
            )
            .unwrap();
        // 8000 ciovecs, each the whole 64 KiB memory: 500 MiB in total.
        let mut mem = vec![0u8; 65536];
        for i in 0..8000 {
            mem[8 * i + 4..8 * i + 8].copy_from_slice(&65536u32.to_le_bytes());
        }
        let fd = u64::from(fd);
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[fd, 0, 8000, 65528]),
            Errno::Fbig
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_pwrite", &[fd, 0, 8000, 0, 65528]),
            Errno::Fbig
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_read", &[fd, 0, 8000, 65528]),
            Errno::Success
        );
        assert_eq!(
            run(&mut h, &mut mem, "fd_write", &[1, 0, 8000, 65528]),
            Errno::Success
        );
        assert_eq!(h.stdout().len(), 8, "capped");
    }

    #[test]
    fn strings_must_be_utf8() {
        let (mut h, mut mem) = (host(), vec![0u8; 64]);
        mem[0..2].copy_from_slice(&[0xff, 0xfe]);
        assert_eq!(
            run(&mut h, &mut mem, "path_create_directory", &[3, 0, 2]),
            Errno::Ilseq
        );
        assert_eq!(
            run(&mut h, &mut mem, "path_create_directory", &[3, 60, 8]),
            Errno::Fault
        );
    }

    #[test]
    fn traced_records_calls() {
        let mut t = crate::trace::Traced::new(host());
        let mut mem = vec![0u8; 64];
        mem[8..12].copy_from_slice(&32u32.to_le_bytes());
        mem[12..16].copy_from_slice(&5u32.to_le_bytes());
        call(
            &mut t,
            &mut mem,
            index_of("fd_write").unwrap(),
            &[1, 8, 1, 0],
        )
        .unwrap();
        call(&mut t, &mut mem, index_of("fd_close").unwrap(), &[9]).unwrap();
        let lines: Vec<String> = t.calls().iter().map(|c| c.to_string()).collect();
        assert_eq!(
            lines,
            ["fd_write(1, [5]) => success", "fd_close(9) => badf"]
        );
    }
}
