//! Calls on file descriptors: read, write, seek, stat, flags, rights, prestat,
//! close and renumber.

use super::names::{
    ADVICE_NAMES, FDFLAGS_NAMES, FSTFLAGS_NAMES, WHENCE_NAMES, enum_name, fdflags_names,
    filestat_json, filetype_name, flag_names, rights_json, rights_names,
};
use super::preopen::fd_label;
use super::{raw, res, traced};
use crate::{J, check, obj};
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// `fd_write(fd, iovs)`: args `{"fd":fd,"iovs":[len,...]}`, ret `{"nwritten":n}`.
pub fn fd_write(fd: u32, iovs: &[&[u8]]) -> Result<usize, Errno> {
    let c: Vec<wasi::Ciovec> = iovs
        .iter()
        .map(|b| wasi::Ciovec {
            buf: b.as_ptr(),
            buf_len: b.len(),
        })
        .collect();
    let r = unsafe { wasi::fd_write(fd, &c) };
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "fd_write",
        obj! {"fd" => fd_label(fd), "iovs" => lens},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// Write all of `data` to `fd` with one `fd_write` per attempt, each traced,
/// continuing after partial writes. Returns the total written; stops at the
/// first error or at a write of 0 bytes (reported as a failed check).
pub fn fd_write_all(fd: u32, data: &[u8]) -> Result<usize, Errno> {
    let mut done = 0;
    while done < data.len() {
        match fd_write(fd, &[&data[done..]])? {
            0 => {
                check("fd_write of a non-empty buffer makes progress", false);
                break;
            }
            n => done += n.min(data.len() - done),
        }
    }
    Ok(done)
}

/// Write all the bytes of `iovs` to `fd`, in order, continuing after
/// partial writes: each attempt is one traced `fd_write` of the iovecs not
/// yet (fully) written, the partly written one trimmed. fd_write may write
/// less than asked ("similar to `writev` in POSIX"), and runtimes differ
/// here (some write only the first non-empty iovec per call), so the number
/// of calls is runtime-dependent; the bytes that arrive are not.
/// Returns the total written; stops at the first error or a write of 0.
pub fn fd_write_all_iovs(fd: u32, iovs: &[&[u8]]) -> Result<usize, Errno> {
    let total: usize = iovs.iter().map(|b| b.len()).sum();
    let mut rest: Vec<&[u8]> = iovs.to_vec();
    let mut done = 0;
    loop {
        let n = fd_write(fd, &rest)?;
        done += n;
        if done >= total {
            return Ok(done);
        }
        if n == 0 {
            check("fd_write of a non-empty iovec array makes progress", false);
            return Ok(done);
        }
        // Drop what was written.
        let mut skip = n;
        let mut next = Vec::new();
        for b in rest {
            if skip >= b.len() {
                skip -= b.len();
            } else {
                next.push(&b[skip..]);
                skip = 0;
            }
        }
        rest = next;
    }
}

/// `fd_read(fd, [len])`: args `{"fd":fd,"iovs":[len]}`, ret `{"nread":n}`.
pub fn fd_read(fd: u32, buf: &mut [u8]) -> Result<usize, Errno> {
    let iov = wasi::Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: buf.len(),
    };
    let r = unsafe { wasi::fd_read(fd, &[iov]) };
    traced(
        "fd_read",
        obj! {"fd" => fd_label(fd), "iovs" => vec![buf.len()]},
        &r,
        |n| obj! {"nread" => *n},
    );
    r
}

/// How much of an `fdstat` to print in the trace.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FdstatDetail {
    /// ret `{"filetype":name}`.
    Filetype,
    /// ret `{"filetype":name,"flags":[...]}` (no rights).
    Flags,
    /// ret `{"filetype","flags","rights_base","rights_inheriting"}` with the
    /// flag/right names (witx) that are set.
    Full,
}

/// `fd_fdstat_get(fd)`.
pub fn fd_fdstat_get(fd: u32, detail: FdstatDetail) -> Result<wasi::Fdstat, Errno> {
    let r = unsafe { wasi::fd_fdstat_get(fd) };
    traced("fd_fdstat_get", obj! {"fd" => fd_label(fd)}, &r, |s| {
        let ft = filetype_name(s.fs_filetype.raw());
        match detail {
            FdstatDetail::Filetype => obj! {"filetype" => ft},
            FdstatDetail::Flags => obj! {"filetype" => ft, "flags" => fdflags_names(s.fs_flags)},
            FdstatDetail::Full => obj! {
                "filetype" => ft,
                "flags" => fdflags_names(s.fs_flags),
                "rights_base" => rights_names(s.fs_rights_base),
                "rights_inheriting" => rights_names(s.fs_rights_inheriting),
            },
        }
    });
    r
}

/// `fd_advise(fd, offset, len, advice)`, ret `{}`.
pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_advise(fd as i32, offset as i64, len as i64, advice as i32) });
    traced(
        "fd_advise",
        obj! {"fd" => fd_label(fd), "offset" => offset, "len" => len, "advice" => enum_name(advice, &ADVICE_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_allocate(fd, offset, len)`, ret `{}`.
pub fn fd_allocate(fd: u32, offset: u64, len: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_allocate(fd as i32, offset as i64, len as i64) });
    traced(
        "fd_allocate",
        obj! {"fd" => fd_label(fd), "offset" => offset, "len" => len},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_close(fd)`, ret `{}`.
pub fn fd_close(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_close(fd as i32) });
    traced("fd_close", obj! {"fd" => fd_label(fd)}, &r, |_| obj!());
    r
}

/// `fd_datasync(fd)`, ret `{}`.
pub fn fd_datasync(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_datasync(fd as i32) });
    traced("fd_datasync", obj! {"fd" => fd_label(fd)}, &r, |_| obj!());
    r
}

/// `fd_sync(fd)`, ret `{}`.
pub fn fd_sync(fd: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_sync(fd as i32) });
    traced("fd_sync", obj! {"fd" => fd_label(fd)}, &r, |_| obj!());
    r
}

/// `fd_fdstat_set_flags(fd, flags)`, ret `{}`.
pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_fdstat_set_flags(fd as i32, flags as i32) });
    traced(
        "fd_fdstat_set_flags",
        obj! {"fd" => fd_label(fd), "flags" => flag_names(flags as u64, &FDFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`, ret `{}`.
pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_fdstat_set_rights(fd as i32, base as i64, inheriting as i64) });
    traced(
        "fd_fdstat_set_rights",
        obj! {"fd" => fd_label(fd), "rights_base" => rights_json(base), "rights_inheriting" => rights_json(inheriting)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_filestat_get(fd)`, ret [`filestat_json`].
pub fn fd_filestat_get(fd: u32) -> Result<wasi::Filestat, Errno> {
    let r = unsafe { wasi::fd_filestat_get(fd) };
    traced(
        "fd_filestat_get",
        obj! {"fd" => fd_label(fd)},
        &r,
        filestat_json,
    );
    r
}

/// `fd_filestat_set_size(fd, size)`, ret `{}`.
pub fn fd_filestat_set_size(fd: u32, size: u64) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_filestat_set_size(fd as i32, size as i64) });
    traced(
        "fd_filestat_set_size",
        obj! {"fd" => fd_label(fd), "size" => size},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_filestat_set_times(fd, atim, mtim, fst_flags)`, ret `{}`.
pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::fd_filestat_set_times(fd as i32, atim as i64, mtim as i64, flags as i32)
    });
    traced(
        "fd_filestat_set_times",
        obj! {"fd" => fd_label(fd), "atim" => atim, "mtim" => mtim, "fst_flags" => flag_names(flags as u64, &FSTFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

fn iovec_array(bufs: &mut [Vec<u8>]) -> Vec<wasi::Iovec> {
    bufs.iter_mut()
        .map(|b| wasi::Iovec {
            buf: b.as_mut_ptr(),
            buf_len: b.len(),
        })
        .collect()
}

pub(super) fn ciovec_array(bufs: &[&[u8]]) -> Vec<wasi::Ciovec> {
    bufs.iter()
        .map(|b| wasi::Ciovec {
            buf: b.as_ptr(),
            buf_len: b.len(),
        })
        .collect()
}

/// Concatenates the first `n` bytes of `bufs`.
fn gather(bufs: &[Vec<u8>], mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for b in bufs {
        let k = n.min(b.len());
        out.extend_from_slice(&b[..k]);
        n -= k;
    }
    out
}

/// `fd_read(fd, iovs)` into buffers of the given lengths: args
/// `{"fd","iovs":[len,...]}`, ret `{"nread":n,"data":bytes}`.
pub fn fd_read_iovs(fd: u32, lens: &[usize]) -> Result<Vec<u8>, Errno> {
    let mut bufs: Vec<Vec<u8>> = lens.iter().map(|&l| vec![0u8; l]).collect();
    let iovs = iovec_array(&mut bufs);
    let r = unsafe { wasi::fd_read(fd, &iovs) }.map(|n| gather(&bufs, n));
    traced(
        "fd_read",
        obj! {"fd" => fd_label(fd), "iovs" => lens.to_vec()},
        &r,
        |d| obj! {"nread" => d.len(), "data" => J::bytes(d)},
    );
    r
}

/// `fd_pread(fd, iovs, offset)`: ret `{"nread":n,"data":bytes}`.
pub fn fd_pread(fd: u32, lens: &[usize], offset: u64) -> Result<Vec<u8>, Errno> {
    let mut bufs: Vec<Vec<u8>> = lens.iter().map(|&l| vec![0u8; l]).collect();
    let iovs = iovec_array(&mut bufs);
    let r = unsafe { wasi::fd_pread(fd, &iovs, offset) }.map(|n| gather(&bufs, n));
    traced(
        "fd_pread",
        obj! {"fd" => fd_label(fd), "iovs" => lens.to_vec(), "offset" => offset},
        &r,
        |d| obj! {"nread" => d.len(), "data" => J::bytes(d)},
    );
    r
}

/// `fd_pwrite(fd, iovs, offset)`: ret `{"nwritten":n}`.
pub fn fd_pwrite(fd: u32, iovs: &[&[u8]], offset: u64) -> Result<usize, Errno> {
    let c = ciovec_array(iovs);
    let r = unsafe { wasi::fd_pwrite(fd, &c, offset) };
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "fd_pwrite",
        obj! {"fd" => fd_label(fd), "iovs" => lens, "offset" => offset},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// `fd_prestat_get(fd)`: ret `{"tag":"dir","name_len":n}`.
pub fn fd_prestat_get(fd: u32) -> Result<u32, Errno> {
    let mut out = [0u32; 2];
    let r = res(unsafe { raw::fd_prestat_get(fd as i32, out.as_mut_ptr() as i32) });
    let r = r.map(|()| out);
    traced("fd_prestat_get", obj! {"fd" => fd_label(fd)}, &r, |p| {
        let tag = p[0] & 0xff;
        obj! {"tag" => if tag == 0 { J::from("dir") } else { J::from(tag) }, "name_len" => p[1]}
    });
    r.map(|p| p[1])
}

/// `fd_prestat_dir_name(fd, len)` into a buffer of `len` bytes (plus a
/// sentinel byte, checked): ret `{"name":bytes}` (the first `len` bytes).
pub fn fd_prestat_dir_name(fd: u32, len: usize) -> Result<Vec<u8>, Errno> {
    const SENTINEL: u8 = 0xA5;
    let mut buf = vec![SENTINEL; len + 1];
    let r =
        res(unsafe { raw::fd_prestat_dir_name(fd as i32, buf.as_mut_ptr() as i32, len as i32) })
            .map(|()| buf[..len].to_vec());
    traced(
        "fd_prestat_dir_name",
        obj! {"fd" => fd_label(fd), "len" => len},
        &r,
        |n| obj! {"name" => J::bytes(n)},
    );
    if r.is_ok() {
        check(
            "fd_prestat_dir_name writes nothing past its buffer",
            buf[len] == SENTINEL,
        );
    }
    r
}

/// `fd_renumber(fd, to)`, ret `{}`.
pub fn fd_renumber(fd: u32, to: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::fd_renumber(fd as i32, to as i32) });
    traced(
        "fd_renumber",
        obj! {"fd" => fd_label(fd), "to" => fd_label(to)},
        &r,
        |_| obj!(),
    );
    r
}

/// `fd_seek(fd, offset, whence)`: ret `{"offset":n}`.
pub fn fd_seek(fd: u32, offset: i64, whence: u32) -> Result<u64, Errno> {
    let mut out = 0u64;
    let r = res(unsafe {
        raw::fd_seek(
            fd as i32,
            offset,
            whence as i32,
            &mut out as *mut u64 as i32,
        )
    })
    .map(|()| out);
    traced(
        "fd_seek",
        obj! {"fd" => fd_label(fd), "offset" => offset, "whence" => enum_name(whence, &WHENCE_NAMES)},
        &r,
        |n| obj! {"offset" => *n},
    );
    r
}

/// `fd_tell(fd)`: ret `{"offset":n}`.
pub fn fd_tell(fd: u32) -> Result<u64, Errno> {
    let r = unsafe { wasi::fd_tell(fd) };
    traced(
        "fd_tell",
        obj! {"fd" => fd_label(fd)},
        &r,
        |n| obj! {"offset" => *n},
    );
    r
}
