//! The preview1 ABI: the only module that touches guest memory.
//!
//! `call` decodes a core-wasm call (`FUNCTIONS[index]` with raw `u64`
//! arguments) against `mem`, runs it on a `System` and encodes the results.
//! Pointers are checked before the system runs, so a `fault` never leaves a
//! side effect behind (RATIONALE.md, "Why check pointers before the call?").

use std::ops::Range;

use crate::errno::Errno;
use crate::system::{Exit, System};
use crate::types::{
    Advice, Clockid, Event, Fdflags, Fdstat, Filestat, Fstflags, Lookupflags, Oflags, Prestat,
    Riflags, Rights, Sdflags, Siflags, Signal, Subscription, Whence,
};

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

/// Raw call arguments.
struct Args<'a>(&'a [u64]);

impl Args<'_> {
    fn u32(&self, i: usize) -> u32 {
        self.0[i] as u32
    }

    fn u64(&self, i: usize) -> u64 {
        self.0[i]
    }

    /// A flags value: a repr too small for the value, or an unknown bit, is
    /// `inval` (RATIONALE.md, "Why `inval` for unknown flag bits and enum values?").
    fn flags<T: TryFrom<u32>, F>(
        &self,
        i: usize,
        from_bits: fn(T) -> Option<F>,
    ) -> Result<F, Errno> {
        T::try_from(self.u32(i))
            .ok()
            .and_then(from_bits)
            .ok_or(Errno::Inval)
    }

    /// An enum value: an undefined value is `inval`.
    fn enumeration<E>(&self, i: usize, from_wire: fn(u64) -> Option<E>) -> Result<E, Errno> {
        from_wire(u64::from(self.u32(i))).ok_or(Errno::Inval)
    }
}

/// Guest linear memory, bounds- and alignment-checked.
struct Mem<'a>(&'a mut [u8]);

impl Mem<'_> {
    /// The byte range `[ptr, ptr+len)`: `fault` if any of it is outside
    /// memory (RATIONALE.md, "Why are out-of-bounds pointers `fault` rather than a trap?").
    fn range(&self, ptr: u32, len: u64) -> Result<Range<usize>, Errno> {
        let end = u64::from(ptr).checked_add(len).ok_or(Errno::Fault)?;
        if end > self.0.len() as u64 {
            return Err(Errno::Fault);
        }
        Ok(ptr as usize..end as usize)
    }

    /// Like `range`, for an array of `count` items of `size` bytes, each
    /// aligned to `align`: a misaligned pointer is `fault` (RATIONALE.md,
    /// "Why are misaligned pointers `fault`?").
    fn array(&self, ptr: u32, count: u32, size: u64, align: u32) -> Result<Range<usize>, Errno> {
        if !ptr.is_multiple_of(align) {
            return Err(Errno::Fault);
        }
        self.range(ptr, u64::from(count) * size)
    }

    /// A checked out-pointer for one value of `size` bytes and `align`.
    fn out(&self, ptr: u32, size: usize, align: u32) -> Result<Range<usize>, Errno> {
        self.array(ptr, 1, size as u64, align)
    }

    fn bytes(&self, r: Range<usize>) -> &[u8] {
        &self.0[r]
    }

    fn put(&mut self, r: &Range<usize>, bytes: &[u8]) {
        self.0[r.start..r.start + bytes.len()].copy_from_slice(bytes);
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"))
    }

    /// A `string` argument: `ilseq` if it is not UTF-8 (RATIONALE.md, "Why
    /// `ilseq` for a path that is not UTF-8?").
    fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        let r = self.range(ptr, u64::from(len))?;
        std::str::from_utf8(&self.0[r]).map_err(|_| Errno::Ilseq)
    }

    /// An `iovec`/`ciovec` array: the checked byte range of each buffer.
    fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<Range<usize>>, Errno> {
        let list = self.array(ptr, count, 8, 4)?;
        list.step_by(8)
            .map(|at| self.range(self.u32_at(at), u64::from(self.u32_at(at + 4))))
            .collect()
    }

    /// The buffers of a `ciovec` array, as slices.
    fn ciovecs(&self, ptr: u32, count: u32) -> Result<Vec<&[u8]>, Errno> {
        Ok(self
            .iovecs(ptr, count)?
            .into_iter()
            .map(|r| &self.0[r])
            .collect())
    }

    /// Scatters `data` over `iovs` in order.
    fn scatter(&mut self, iovs: &[Range<usize>], mut data: &[u8]) {
        for r in iovs {
            let n = r.len().min(data.len());
            self.0[r.start..r.start + n].copy_from_slice(&data[..n]);
            data = &data[n..];
        }
    }
}

/// Total length of `iovs`, capped at what a `size` result can report.
fn total_len(iovs: &[Range<usize>]) -> usize {
    let total: u64 = iovs.iter().map(|r| r.len() as u64).sum();
    total.min(u64::from(u32::MAX)) as usize
}

/// Writes the `\0`-terminated `items` for `args_get`/`environ_get`.
fn put_strings(m: &mut Mem, items: &[Vec<u8>], ptrs: u32, buf: u32) -> Result<(), Errno> {
    let ptr_range = m.array(ptrs, items.len() as u32, 4, 4)?;
    let total: u64 = items.iter().map(|s| s.len() as u64 + 1).sum();
    let buf_range = m.range(buf, total)?;
    let mut at = buf_range.start;
    for (i, item) in items.iter().enumerate() {
        m.put(
            &(ptr_range.start + 4 * i..ptr_range.end),
            &(at as u32).to_le_bytes(),
        );
        m.put(&(at..buf_range.end), item);
        m.0[at + item.len()] = 0;
        at += item.len() + 1;
    }
    Ok(())
}

fn dispatch(sys: &mut dyn System, m: &mut Mem, name: &str, a: &Args) -> Result<(), Errno> {
    match name {
        "args_get" | "environ_get" => {
            let items = if name == "args_get" {
                sys.args_get()?
            } else {
                sys.environ_get()?
            };
            put_strings(m, &items, a.u32(0), a.u32(1))
        }
        "args_sizes_get" | "environ_sizes_get" => {
            let (count_out, size_out) = (m.out(a.u32(0), 4, 4)?, m.out(a.u32(1), 4, 4)?);
            let (count, size) = if name == "args_sizes_get" {
                sys.args_sizes_get()?
            } else {
                sys.environ_sizes_get()?
            };
            m.put(&count_out, &count.to_le_bytes());
            m.put(&size_out, &size.to_le_bytes());
            Ok(())
        }
        "clock_res_get" => {
            let id = a.enumeration(0, Clockid::from_wire)?;
            let out = m.out(a.u32(1), 8, 8)?;
            let res = sys.clock_res_get(id)?;
            m.put(&out, &res.to_le_bytes());
            Ok(())
        }
        "clock_time_get" => {
            let id = a.enumeration(0, Clockid::from_wire)?;
            let out = m.out(a.u32(2), 8, 8)?;
            let now = sys.clock_time_get(id, a.u64(1))?;
            m.put(&out, &now.to_le_bytes());
            Ok(())
        }
        "fd_advise" => {
            let advice = a.enumeration(3, Advice::from_wire)?;
            sys.fd_advise(a.u32(0), a.u64(1), a.u64(2), advice)
        }
        "fd_allocate" => sys.fd_allocate(a.u32(0), a.u64(1), a.u64(2)),
        "fd_close" => sys.fd_close(a.u32(0)),
        "fd_datasync" => sys.fd_datasync(a.u32(0)),
        "fd_fdstat_get" => {
            let out = m.out(a.u32(1), Fdstat::SIZE, Fdstat::ALIGN)?;
            let st = sys.fd_fdstat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_fdstat_set_flags" => {
            let flags = a.flags(1, Fdflags::from_bits)?;
            sys.fd_fdstat_set_flags(a.u32(0), flags)
        }
        "fd_fdstat_set_rights" => {
            let base = Rights::from_bits(a.u64(1)).ok_or(Errno::Inval)?;
            let inheriting = Rights::from_bits(a.u64(2)).ok_or(Errno::Inval)?;
            sys.fd_fdstat_set_rights(a.u32(0), base, inheriting)
        }
        "fd_filestat_get" => {
            let out = m.out(a.u32(1), Filestat::SIZE, Filestat::ALIGN)?;
            let st = sys.fd_filestat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_filestat_set_size" => sys.fd_filestat_set_size(a.u32(0), a.u64(1)),
        "fd_filestat_set_times" => {
            let flags = a.flags(3, Fstflags::from_bits)?;
            sys.fd_filestat_set_times(a.u32(0), a.u64(1), a.u64(2), flags)
        }
        "fd_pread" | "fd_read" => {
            let iovs = m.iovecs(a.u32(1), a.u32(2))?;
            let out_arg = if name == "fd_pread" { 4 } else { 3 };
            let out = m.out(a.u32(out_arg), 4, 4)?;
            let len = total_len(&iovs);
            let data = if name == "fd_pread" {
                sys.fd_pread(a.u32(0), len, a.u64(3))?
            } else {
                sys.fd_read(a.u32(0), len)?
            };
            let n = data.len().min(len);
            m.scatter(&iovs, &data[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "fd_prestat_get" => {
            let out = m.out(a.u32(1), Prestat::SIZE, Prestat::ALIGN)?;
            let st = sys.fd_prestat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_prestat_dir_name" => {
            let out = m.range(a.u32(1), u64::from(a.u32(2)))?;
            let name = sys.fd_prestat_dir_name(a.u32(0), a.u32(2))?;
            m.put(&out, &name[..name.len().min(out.len())]);
            Ok(())
        }
        "fd_pwrite" | "fd_write" => {
            let out_arg = if name == "fd_pwrite" { 4 } else { 3 };
            let out = m.out(a.u32(out_arg), 4, 4)?;
            let n = {
                let bufs = m.ciovecs(a.u32(1), a.u32(2))?;
                if name == "fd_pwrite" {
                    sys.fd_pwrite(a.u32(0), &bufs, a.u64(3))?
                } else {
                    sys.fd_write(a.u32(0), &bufs)?
                }
            };
            m.put(&out, &n.to_le_bytes());
            Ok(())
        }
        "fd_readdir" => {
            let buf = m.range(a.u32(1), u64::from(a.u32(2)))?;
            let out = m.out(a.u32(4), 4, 4)?;
            let data = sys.fd_readdir(a.u32(0), a.u32(2), a.u64(3))?;
            let n = data.len().min(buf.len());
            m.put(&buf, &data[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "fd_renumber" => sys.fd_renumber(a.u32(0), a.u32(1)),
        "fd_seek" => {
            let whence = a.enumeration(2, Whence::from_wire)?;
            let out = m.out(a.u32(3), 8, 8)?;
            let pos = sys.fd_seek(a.u32(0), a.u64(1) as i64, whence)?;
            m.put(&out, &pos.to_le_bytes());
            Ok(())
        }
        "fd_sync" => sys.fd_sync(a.u32(0)),
        "fd_tell" => {
            let out = m.out(a.u32(1), 8, 8)?;
            let pos = sys.fd_tell(a.u32(0))?;
            m.put(&out, &pos.to_le_bytes());
            Ok(())
        }
        "path_create_directory" => sys.path_create_directory(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "path_filestat_get" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let out = m.out(a.u32(4), Filestat::SIZE, Filestat::ALIGN)?;
            let st = sys.path_filestat_get(a.u32(0), flags, m.str(a.u32(2), a.u32(3))?)?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "path_filestat_set_times" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let fst = a.flags(6, Fstflags::from_bits)?;
            let path = m.str(a.u32(2), a.u32(3))?;
            sys.path_filestat_set_times(a.u32(0), flags, path, a.u64(4), a.u64(5), fst)
        }
        "path_link" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let old = m.str(a.u32(2), a.u32(3))?;
            let new = m.str(a.u32(5), a.u32(6))?;
            sys.path_link(a.u32(0), flags, old, a.u32(4), new)
        }
        "path_open" => {
            let dirflags = a.flags(1, Lookupflags::from_bits)?;
            let oflags = a.flags(4, Oflags::from_bits)?;
            let base = Rights::from_bits(a.u64(5)).ok_or(Errno::Inval)?;
            let inheriting = Rights::from_bits(a.u64(6)).ok_or(Errno::Inval)?;
            let fdflags = a.flags(7, Fdflags::from_bits)?;
            let out = m.out(a.u32(8), 4, 4)?;
            let path = m.str(a.u32(2), a.u32(3))?;
            let fd = sys.path_open(a.u32(0), dirflags, path, oflags, base, inheriting, fdflags)?;
            m.put(&out, &fd.to_le_bytes());
            Ok(())
        }
        "path_readlink" => {
            let buf = m.range(a.u32(3), u64::from(a.u32(4)))?;
            let out = m.out(a.u32(5), 4, 4)?;
            let target = sys.path_readlink(a.u32(0), m.str(a.u32(1), a.u32(2))?, a.u32(4))?;
            let n = target.len().min(buf.len());
            m.put(&buf, &target[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "path_remove_directory" => sys.path_remove_directory(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "path_rename" => {
            let old = m.str(a.u32(1), a.u32(2))?;
            let new = m.str(a.u32(4), a.u32(5))?;
            sys.path_rename(a.u32(0), old, a.u32(3), new)
        }
        "path_symlink" => {
            let old = m.str(a.u32(0), a.u32(1))?;
            let new = m.str(a.u32(3), a.u32(4))?;
            sys.path_symlink(old, a.u32(2), new)
        }
        "path_unlink_file" => sys.path_unlink_file(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "poll_oneoff" => {
            let count = a.u32(2);
            let input = m.array(
                a.u32(0),
                count,
                Subscription::SIZE as u64,
                Subscription::ALIGN,
            )?;
            let output = m.array(a.u32(1), count, Event::SIZE as u64, 8)?;
            let nevents_out = m.out(a.u32(3), 4, 4)?;
            let subs = m
                .bytes(input)
                .chunks_exact(Subscription::SIZE)
                .map(|c| Subscription::decode(c.try_into().expect("48 bytes")))
                .collect::<Result<Vec<_>, _>>()?;
            let events = sys.poll_oneoff(&subs)?;
            let events = &events[..events.len().min(subs.len())];
            for (i, ev) in events.iter().enumerate() {
                let at = output.start + i * Event::SIZE;
                m.put(&(at..output.end), &ev.encode());
            }
            m.put(&nevents_out, &(events.len() as u32).to_le_bytes());
            Ok(())
        }
        "proc_raise" => sys.proc_raise(a.enumeration(0, Signal::from_wire)?),
        "sched_yield" => sys.sched_yield(),
        "random_get" => {
            let r = m.range(a.u32(0), u64::from(a.u32(1)))?;
            sys.random_get(&mut m.0[r])
        }
        "sock_accept" => {
            let flags = a.flags(1, Fdflags::from_bits)?;
            let out = m.out(a.u32(2), 4, 4)?;
            let fd = sys.sock_accept(a.u32(0), flags)?;
            m.put(&out, &fd.to_le_bytes());
            Ok(())
        }
        "sock_recv" => {
            let iovs = m.iovecs(a.u32(1), a.u32(2))?;
            let flags = a.flags(3, Riflags::from_bits)?;
            let (len_out, flags_out) = (m.out(a.u32(4), 4, 4)?, m.out(a.u32(5), 2, 2)?);
            let len = total_len(&iovs);
            let (data, roflags) = sys.sock_recv(a.u32(0), len, flags)?;
            let n = data.len().min(len);
            m.scatter(&iovs, &data[..n]);
            m.put(&len_out, &(n as u32).to_le_bytes());
            m.put(&flags_out, &roflags.0.to_le_bytes());
            Ok(())
        }
        "sock_send" => {
            let flags = a.flags(3, Siflags::from_bits)?;
            let out = m.out(a.u32(4), 4, 4)?;
            let n = {
                let bufs = m.ciovecs(a.u32(1), a.u32(2))?;
                sys.sock_send(a.u32(0), &bufs, flags)?
            };
            m.put(&out, &n.to_le_bytes());
            Ok(())
        }
        "sock_shutdown" => sys.sock_shutdown(a.u32(0), a.flags(1, Sdflags::from_bits)?),
        other => unreachable!("FUNCTIONS lists {other} but dispatch does not"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Config, ReferenceHost};
    use crate::types::Filetype;

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
