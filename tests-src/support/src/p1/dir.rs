//! Directory listing: `fd_readdir` one call at a time, or a whole listing as
//! wasi-libc reads it.

use super::names::filetype_name;
use super::preopen::fd_label;
use super::traced;
use crate::{J, check, check_should, obj};
use alloc::vec;
use alloc::vec::Vec;
use wasi::Errno;

/// One entry of an `fd_readdir` buffer.
#[derive(Clone, Debug)]
pub struct Dirent {
    pub next: u64,
    pub ino: u64,
    pub filetype: u8,
    pub name: Vec<u8>,
}

/// Splits an `fd_readdir` buffer into its complete entries; the bool says
/// whether bytes of an incomplete last entry follow.
pub fn parse_dirents(buf: &[u8]) -> (Vec<Dirent>, bool) {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        if buf.len() - at < 24 {
            return (out, true);
        }
        let u64_at = |o: usize| u64::from_le_bytes(buf[o..o + 8].try_into().unwrap());
        let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
        if buf.len() - at - 24 < namlen {
            return (out, true);
        }
        out.push(Dirent {
            next: u64_at(at),
            ino: u64_at(at + 8),
            filetype: buf[at + 20],
            name: buf[at + 24..at + 24 + namlen].to_vec(),
        });
        at += 24 + namlen;
    }
    (out, false)
}

fn dirent_json(d: &Dirent) -> J {
    obj! {"name" => J::bytes(&d.name), "type" => filetype_name(d.filetype)}
}

/// One raw `fd_readdir(fd, buf_len, cookie)`: args `{"fd","buf_len","cookie"}`
/// (the cookie as `cookie_json`, so a cookie the host chose can be shown by
/// name), ret `{"bufused":n,"entries":[{"name","type"},...],"partial":bool}`:
/// the complete entries in the order returned, and whether the buffer ends
/// in part of another one.
pub fn fd_readdir(
    fd: u32,
    buf_len: usize,
    cookie: u64,
    cookie_json: J,
) -> Result<(Vec<Dirent>, usize), Errno> {
    let mut buf = vec![0u8; buf_len];
    let r = unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), buf_len, cookie) };
    let r = r.map(|used| {
        let (entries, partial) = parse_dirents(&buf[..used.min(buf_len)]);
        (entries, used, partial)
    });
    traced(
        "fd_readdir",
        obj! {"fd" => fd_label(fd), "buf_len" => buf_len, "cookie" => cookie_json},
        &r,
        |(e, used, partial)| {
            obj! {"bufused" => *used, "entries" => J::Arr(e.iter().map(dirent_json).collect()), "partial" => *partial}
        },
    );
    r.map(|(e, used, _)| (e, used))
}

/// The whole listing of a directory, read as wasi-libc's `readdir` does:
/// `fd_readdir` calls of `buf_len` bytes (doubled while not one entry
/// fits), each resuming at the `d_next` of the last complete entry, until
/// a call returns less than a full buffer. The calls are not traced one by
/// one (their number and cookies depend on the host's order); one line is:
/// call `fd_readdir`, args `{"fd","buf_len","all":true}`, ret
/// `{"entries":[{"name","type"},...]}` **sorted by name, without `.` and
/// `..`** (the witx says nothing of them; a `should` check says both or
/// neither appeared, as POSIX readdir has it). Ends with a failed check
/// after 1000 calls.
pub fn readdir_all(fd: u32, buf_len: usize) -> Result<Vec<Dirent>, Errno> {
    let mut all: Vec<Dirent> = Vec::new();
    let mut cookie = 0u64;
    let mut len = buf_len.max(1);
    let mut result = Ok(());
    let mut calls = 0;
    loop {
        calls += 1;
        if calls > 1000 {
            check("fd_readdir listing ends within 1000 calls", false);
            break;
        }
        let mut buf = vec![0u8; len];
        match unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), len, cookie) } {
            Err(e) => {
                result = Err(e);
                break;
            }
            Ok(used) => {
                let used = used.min(len);
                let (entries, _) = parse_dirents(&buf[..used]);
                if used < len {
                    all.extend(entries);
                    break;
                }
                match entries.last() {
                    None => len *= 2,
                    Some(last) => {
                        cookie = last.next;
                        all.extend(entries);
                    }
                }
            }
        }
    }
    let dots = all
        .iter()
        .filter(|d| d.name == b"." || d.name == b"..")
        .count();
    let mut names: Vec<Dirent> = all
        .into_iter()
        .filter(|d| d.name != b"." && d.name != b"..")
        .collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let r = result.map(|()| names);
    traced(
        "fd_readdir",
        obj! {"fd" => fd_label(fd), "buf_len" => buf_len, "all" => true},
        &r,
        |e| obj! {"entries" => J::Arr(e.iter().map(dirent_json).collect())},
    );
    if r.is_ok() {
        // POSIX readdir: "If entries for dot or dot-dot exist, one entry
        // shall be returned for dot and one entry shall be returned for
        // dot-dot"; the witx is silent, so this is `should`.
        check_should(
            "fd_readdir lists both . and .. or neither",
            dots == 0 || dots == 2,
            None,
        );
        let mut dup = false;
        if let Ok(v) = &r {
            for w in v.windows(2) {
                dup |= w[0].name == w[1].name;
            }
        }
        check("fd_readdir lists each name once", !dup);
    }
    r
}
