//! Calls that name a path under a directory fd: open, stat, set times, links,
//! readlink, rename, mkdir, rmdir and unlink.

use super::names::{
    FDFLAGS_NAMES, FSTFLAGS_NAMES, LOOKUP_NAMES, OFLAGS_NAMES, filestat_json, flag_names,
    rights_json,
};
use super::preopen::fd_label;
use super::{raw, res, traced};
use crate::{J, check, obj};
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// `path_create_directory(fd, path)`, ret `{}`.
pub fn path_create_directory(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_create_directory(fd as i32, path.as_ptr() as i32, path.len() as i32)
    });
    traced(
        "path_create_directory",
        obj! {"fd" => fd_label(fd), "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_filestat_get(fd, flags, path)`: ret [`filestat_json`].
pub fn path_filestat_get(fd: u32, flags: u32, path: &[u8]) -> Result<wasi::Filestat, Errno> {
    let mut out = core::mem::MaybeUninit::<wasi::Filestat>::zeroed();
    let r = res(unsafe {
        raw::path_filestat_get(
            fd as i32,
            flags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            out.as_mut_ptr() as i32,
        )
    })
    .map(|()| unsafe { out.assume_init() });
    traced(
        "path_filestat_get",
        obj! {"fd" => fd_label(fd), "flags" => flag_names(flags as u64, &LOOKUP_NAMES), "path" => J::bytes(path)},
        &r,
        filestat_json,
    );
    r
}

/// `path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)`, ret `{}`.
pub fn path_filestat_set_times(
    fd: u32,
    flags: u32,
    path: &[u8],
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_filestat_set_times(
            fd as i32,
            flags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            atim as i64,
            mtim as i64,
            fst_flags as i32,
        )
    });
    traced(
        "path_filestat_set_times",
        obj! {"fd" => fd_label(fd), "flags" => flag_names(flags as u64, &LOOKUP_NAMES), "path" => J::bytes(path),
        "atim" => atim, "mtim" => mtim, "fst_flags" => flag_names(fst_flags as u64, &FSTFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`, ret `{}`.
pub fn path_link(
    old_fd: u32,
    old_flags: u32,
    old_path: &[u8],
    new_fd: u32,
    new_path: &[u8],
) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_link(
            old_fd as i32,
            old_flags as i32,
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            new_fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_link",
        obj! {"old_fd" => fd_label(old_fd), "old_flags" => flag_names(old_flags as u64, &LOOKUP_NAMES),
        "old_path" => J::bytes(old_path), "new_fd" => fd_label(new_fd), "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting,
/// fdflags)`: ret `{"fd":n}`.
#[allow(clippy::too_many_arguments)]
pub fn path_open(
    fd: u32,
    dirflags: u32,
    path: &[u8],
    oflags: u32,
    base: u64,
    inheriting: u64,
    fdflags: u32,
) -> Result<u32, Errno> {
    let mut out = 0u32;
    let r = res(unsafe {
        raw::path_open(
            fd as i32,
            dirflags as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            oflags as i32,
            base as i64,
            inheriting as i64,
            fdflags as i32,
            &mut out as *mut u32 as i32,
        )
    })
    .map(|()| out);
    traced(
        "path_open",
        obj! {"fd" => fd_label(fd), "dirflags" => flag_names(dirflags as u64, &LOOKUP_NAMES), "path" => J::bytes(path),
        "oflags" => flag_names(oflags as u64, &OFLAGS_NAMES), "rights_base" => rights_json(base),
        "rights_inheriting" => rights_json(inheriting), "fdflags" => flag_names(fdflags as u64, &FDFLAGS_NAMES)},
        &r,
        |n| obj! {"fd" => *n},
    );
    r
}

/// `path_readlink(fd, path, buf_len)` into a buffer of `buf_len` bytes
/// (plus a checked sentinel): ret `{"bufused":n,"target":bytes}`.
pub fn path_readlink(fd: u32, path: &[u8], buf_len: usize) -> Result<Vec<u8>, Errno> {
    const SENTINEL: u8 = 0xA5;
    let mut buf = vec![SENTINEL; buf_len + 1];
    let mut used = 0usize;
    let r = res(unsafe {
        raw::path_readlink(
            fd as i32,
            path.as_ptr() as i32,
            path.len() as i32,
            buf.as_mut_ptr() as i32,
            buf_len as i32,
            &mut used as *mut usize as i32,
        )
    })
    .map(|()| buf[..used.min(buf_len)].to_vec());
    traced(
        "path_readlink",
        obj! {"fd" => fd_label(fd), "path" => J::bytes(path), "buf_len" => buf_len},
        &r,
        |t| obj! {"bufused" => used, "target" => J::bytes(t)},
    );
    if r.is_ok() {
        check("path_readlink bufused is at most buf_len", used <= buf_len);
        check(
            "path_readlink writes nothing past its buffer",
            buf[buf_len] == SENTINEL,
        );
    }
    r
}

/// `path_remove_directory(fd, path)`, ret `{}`.
pub fn path_remove_directory(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_remove_directory(fd as i32, path.as_ptr() as i32, path.len() as i32)
    });
    traced(
        "path_remove_directory",
        obj! {"fd" => fd_label(fd), "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_rename(fd, old_path, new_fd, new_path)`, ret `{}`.
pub fn path_rename(fd: u32, old_path: &[u8], new_fd: u32, new_path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_rename(
            fd as i32,
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            new_fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_rename",
        obj! {"fd" => fd_label(fd), "old_path" => J::bytes(old_path), "new_fd" => fd_label(new_fd), "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_symlink(old_path, fd, new_path)`, ret `{}`.
pub fn path_symlink(old_path: &[u8], fd: u32, new_path: &[u8]) -> Result<(), Errno> {
    let r = res(unsafe {
        raw::path_symlink(
            old_path.as_ptr() as i32,
            old_path.len() as i32,
            fd as i32,
            new_path.as_ptr() as i32,
            new_path.len() as i32,
        )
    });
    traced(
        "path_symlink",
        obj! {"old_path" => J::bytes(old_path), "fd" => fd_label(fd), "new_path" => J::bytes(new_path)},
        &r,
        |_| obj!(),
    );
    r
}

/// `path_unlink_file(fd, path)`, ret `{}`.
pub fn path_unlink_file(fd: u32, path: &[u8]) -> Result<(), Errno> {
    let r =
        res(unsafe { raw::path_unlink_file(fd as i32, path.as_ptr() as i32, path.len() as i32) });
    traced(
        "path_unlink_file",
        obj! {"fd" => fd_label(fd), "path" => J::bytes(path)},
        &r,
        |_| obj!(),
    );
    r
}
