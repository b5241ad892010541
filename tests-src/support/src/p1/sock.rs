//! Socket calls on already-open socket fds: accept, recv, send and shutdown.

use super::fd::ciovec_array;
use super::names::{FDFLAGS_NAMES, RIFLAGS_NAMES, SDFLAGS_NAMES, flag_names};
use super::preopen::fd_label;
use super::{raw, res, traced};
use crate::obj;
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// `sock_accept(fd, flags)`: ret `{"fd":n}`.
pub fn sock_accept(fd: u32, flags: u32) -> Result<u32, Errno> {
    let mut out = 0u32;
    let r = res(unsafe { raw::sock_accept(fd as i32, flags as i32, &mut out as *mut u32 as i32) })
        .map(|()| out);
    traced(
        "sock_accept",
        obj! {"fd" => fd_label(fd), "flags" => flag_names(flags as u64, &FDFLAGS_NAMES)},
        &r,
        |n| obj! {"fd" => *n},
    );
    r
}

/// `sock_recv(fd, [len], flags)`: ret `{"nread":n,"roflags":[...]}`.
pub fn sock_recv(fd: u32, len: usize, flags: u32) -> Result<usize, Errno> {
    let mut buf = vec![0u8; len];
    let iov = wasi::Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: len,
    };
    let mut nread = 0usize;
    let mut roflags = 0u16;
    let r = res(unsafe {
        raw::sock_recv(
            fd as i32,
            &iov as *const wasi::Iovec as i32,
            1,
            flags as i32,
            &mut nread as *mut usize as i32,
            &mut roflags as *mut u16 as i32,
        )
    })
    .map(|()| nread);
    traced(
        "sock_recv",
        obj! {"fd" => fd_label(fd), "iovs" => vec![len], "flags" => flag_names(flags as u64, &RIFLAGS_NAMES)},
        &r,
        |n| obj! {"nread" => *n, "roflags" => flag_names(roflags as u64, &["recv_data_truncated"])},
    );
    r
}

/// `sock_send(fd, iovs, flags)`: ret `{"nwritten":n}`.
pub fn sock_send(fd: u32, iovs: &[&[u8]], flags: u32) -> Result<usize, Errno> {
    let c = ciovec_array(iovs);
    let mut n = 0usize;
    let r = res(unsafe {
        raw::sock_send(
            fd as i32,
            c.as_ptr() as i32,
            c.len() as i32,
            flags as i32,
            &mut n as *mut usize as i32,
        )
    })
    .map(|()| n);
    let lens: Vec<usize> = iovs.iter().map(|b| b.len()).collect();
    traced(
        "sock_send",
        obj! {"fd" => fd_label(fd), "iovs" => lens, "flags" => flags},
        &r,
        |n| obj! {"nwritten" => *n},
    );
    r
}

/// `sock_shutdown(fd, how)`, ret `{}`.
pub fn sock_shutdown(fd: u32, how: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::sock_shutdown(fd as i32, how as i32) });
    traced(
        "sock_shutdown",
        obj! {"fd" => fd_label(fd), "how" => flag_names(how as u64, &SDFLAGS_NAMES)},
        &r,
        |_| obj!(),
    );
    r
}
