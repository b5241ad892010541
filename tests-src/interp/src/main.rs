//! interp: the fuzzer's interpreter. Reads a call program (the text form of
//! `wasi-conform-program`, one op per line) from stdin, runs each op with
//! raw preview1 calls and prints one trace line per op:
//!
//! ```text
//! @@wasi {"call":"path_open","args":{"op":0},"errno":"ok","ret":{"fd":"$4"}}
//! @@wasi {"call":"fd_read","args":{"op":1},"errno":"ok","ret":{"nread":6,"data":"68656c6c6f0a"}}
//! ```
//!
//! `args.op` is the op's index in the program. Only deterministic values
//! are printed: descriptors as slots (`$n`), data as hex (or a 64-bit hash
//! above 32 bytes), inodes as classes (`0` for the first inode seen, ...),
//! `mtim` only when it is a value the program set (else `"other"`), sizes
//! and link counts only of files and symlinks, directory listings sorted
//! without `.` and `..`. Rights are never printed (runtimes model them
//! differently). An unparsable program is a failed check and exit 1.
//!
//! Slot `$3` is the preopened sandbox, found by its name (`/sandbox`,
//! [`SANDBOX_PREOPEN`] after wasi-libc's stripping) the way wasi-libc finds
//! preopens, whatever number the runtime gave it; without such a preopen
//! the program is not run (a failed check and exit 1).
use guest_support::p1::{
    errno_name, fdflags_names, filetype_name, preopen_named, preopens_summary,
};
use guest_support::{J, check_detail, finish, obj, trace};
use wasi::Errno;
use wasi::wasi_snapshot_preview1 as raw;
use wasi_conform_program::{
    INITIAL_SLOTS, Op, Program, SANDBOX_PREOPEN, SANDBOX_SLOT, Sub, UNBOUND_FD,
};

fn main() {
    // The sandbox is found by name, as wasi-libc finds preopens (raw
    // calls, not traced), before any op can close or renumber it.
    let sandbox = preopen_named(SANDBOX_PREOPEN);
    let program = read_stdin().and_then(|text| Program::parse(&text));
    match (program, sandbox) {
        (Ok(_), None) => {
            guest_support::unsupported(&format!(
                "no preopen named `{SANDBOX_PREOPEN}` (preopens: {})",
                preopens_summary()
            ));
        }
        (Ok(program), Some(sandbox)) => {
            let mut slots: Vec<Option<u32>> = (0..INITIAL_SLOTS as u32).map(Some).collect();
            slots[SANDBOX_SLOT] = Some(sandbox);
            let mut interp = Interp {
                slots,
                inodes: Vec::new(),
                times: Vec::new(),
            };
            for (index, op) in program.ops.iter().enumerate() {
                let result = interp.run(op);
                let args = obj! { "op" => index };
                match result {
                    Ok(ret) => trace(op.name(), args, Ok(ret)),
                    Err(errno) => trace(op.name(), args, Err(&errno_name(errno))),
                }
            }
        }
        (Err(why), _) => {
            check_detail("the program parses", false, Some(&why));
        }
    }
    finish();
}

/// Untraced: all of stdin, as UTF-8.
fn read_stdin() -> Result<String, String> {
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let iov = wasi::Iovec {
            buf: buf.as_mut_ptr(),
            buf_len: buf.len(),
        };
        match unsafe { wasi::fd_read(0, &[iov]) } {
            Ok(0) => break,
            Ok(n) => text.extend_from_slice(&buf[..n.min(buf.len())]),
            Err(e) => return Err(format!("reading stdin: {}", errno_name(e))),
        }
    }
    String::from_utf8(text).map_err(|_| "stdin is not UTF-8".to_string())
}

/// The interpreter's state.
struct Interp {
    /// Slot -> open fd (`None`: unbound).
    slots: Vec<Option<u32>>,
    /// (dev, ino) pairs in order of first sight: the inode classes.
    inodes: Vec<(u64, u64)>,
    /// Timestamps the program set with `mtim`.
    times: Vec<u64>,
}

type Ret = Result<J, Errno>;

fn errno(code: i32) -> Errno {
    // SAFETY: Errno is #[repr(transparent)] over u16 (wasi 0.11).
    unsafe { core::mem::transmute::<u16, Errno>(code as u16) }
}

fn from_raw(code: i32) -> Result<(), Errno> {
    if code == 0 { Ok(()) } else { Err(errno(code)) }
}

fn empty(r: Result<(), Errno>) -> Ret {
    r.map(|()| J::obj())
}

/// `len` bytes of the pattern `seed, seed+1, ...` (copied 256 bytes at a
/// time: a program may write megabytes).
fn pattern(len: u32, seed: u8) -> Vec<u8> {
    let cycle: Vec<u8> = (0..=255u8).map(|i| seed.wrapping_add(i)).collect();
    let mut out = Vec::with_capacity(len as usize);
    while out.len() < len as usize {
        let take = (len as usize - out.len()).min(cycle.len());
        out.extend_from_slice(&cycle[..take]);
    }
    out
}

/// Bytes as hex up to 32 of them, else `h64:` and a hash of them: FNV-1a's
/// constants applied a little-endian u64 word at a time (the tail word
/// zero-padded, the length mixed in last), eight times fewer steps than
/// byte-wise FNV-1a on the large reads the fuzzer makes. Every step is a
/// bijection of the state, so inputs differing in one word always differ.
fn digest(bytes: &[u8]) -> J {
    if bytes.len() <= 32 {
        return J::Str(bytes.iter().map(|b| format!("{b:02x}")).collect());
    }
    let step = |h: u64, word: u64| (h ^ word).wrapping_mul(0x100000001b3).rotate_left(29);
    let mut words = bytes.chunks_exact(8);
    let mut hash = words.by_ref().fold(0xcbf29ce484222325u64, |h, word| {
        step(h, u64::from_le_bytes(word.try_into().expect("8 bytes")))
    });
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = step(step(hash, u64::from_le_bytes(tail)), bytes.len() as u64);
    J::Str(format!("h64:{hash:016x}"))
}

/// One directory entry: name, type, the cookie after it.
struct Entry {
    name: Vec<u8>,
    filetype: u8,
    next: u64,
}

const DIRENT_SIZE: usize = 24;

impl Interp {
    fn fd(&self, slot: wasi_conform_program::Fd) -> u32 {
        let n = slot.0 as usize;
        self.slots
            .get(n)
            .copied()
            .flatten()
            .unwrap_or(UNBOUND_FD + n as u32)
    }

    fn unbind(&mut self, slot: wasi_conform_program::Fd) {
        if let Some(s) = self.slots.get_mut(slot.0 as usize) {
            *s = None;
        }
    }

    fn run(&mut self, op: &Op) -> Ret {
        unsafe {
            match op {
                Op::PathOpen {
                    dir,
                    follow,
                    path,
                    oflags,
                    base,
                    inheriting,
                    fdflags,
                } => {
                    let opened = wasi::path_open(
                        self.fd(*dir),
                        follow.0 as u32,
                        &path.0,
                        oflags.0 as u16,
                        base.0,
                        inheriting.0,
                        fdflags.0 as u16,
                    );
                    self.slots.push(opened.ok());
                    opened.map(|_| obj! { "fd" => format!("${}", self.slots.len() - 1) })
                }
                Op::FdRead { fd, len } => {
                    let (buf, n) = read_into(*len, |buf, buf_len| {
                        wasi::fd_read(self.fd(*fd), &[wasi::Iovec { buf, buf_len }])
                    })?;
                    Ok(obj! { "nread" => n, "data" => digest(&buf) })
                }
                Op::FdPread { fd, len, offset } => {
                    let (buf, n) = read_into(*len, |buf, buf_len| {
                        wasi::fd_pread(self.fd(*fd), &[wasi::Iovec { buf, buf_len }], offset.0)
                    })?;
                    Ok(obj! { "nread" => n, "data" => digest(&buf) })
                }
                Op::FdWrite { fd, len, seed } => {
                    let data = pattern(len.0, *seed);
                    let iov = wasi::Ciovec {
                        buf: data.as_ptr(),
                        buf_len: data.len(),
                    };
                    let n = wasi::fd_write(self.fd(*fd), &[iov])?;
                    Ok(obj! { "nwritten" => n })
                }
                Op::FdPwrite {
                    fd,
                    len,
                    seed,
                    offset,
                } => {
                    let data = pattern(len.0, *seed);
                    let iov = wasi::Ciovec {
                        buf: data.as_ptr(),
                        buf_len: data.len(),
                    };
                    let n = wasi::fd_pwrite(self.fd(*fd), &[iov], offset.0)?;
                    Ok(obj! { "nwritten" => n })
                }
                Op::FdSeek { fd, delta, whence } => {
                    let mut offset = 0u64;
                    from_raw(raw::fd_seek(
                        self.fd(*fd) as i32,
                        delta.0,
                        whence.0 as i32,
                        &mut offset as *mut u64 as i32,
                    ))?;
                    Ok(obj! { "offset" => offset })
                }
                Op::FdTell { fd } => {
                    wasi::fd_tell(self.fd(*fd)).map(|offset| obj! { "offset" => offset })
                }
                Op::FdReaddir { fd, buf, skip } => self.readdir(self.fd(*fd), buf.0, *skip),
                Op::PathCreateDirectory { dir, path } => {
                    empty(wasi::path_create_directory(self.fd(*dir), &path.0))
                }
                Op::PathRemoveDirectory { dir, path } => {
                    empty(wasi::path_remove_directory(self.fd(*dir), &path.0))
                }
                Op::PathUnlinkFile { dir, path } => {
                    empty(wasi::path_unlink_file(self.fd(*dir), &path.0))
                }
                Op::PathRename {
                    dir,
                    from,
                    to_dir,
                    to,
                } => empty(wasi::path_rename(
                    self.fd(*dir),
                    &from.0,
                    self.fd(*to_dir),
                    &to.0,
                )),
                Op::PathLink {
                    dir,
                    follow,
                    from,
                    to_dir,
                    to,
                } => empty(wasi::path_link(
                    self.fd(*dir),
                    follow.0 as u32,
                    &from.0,
                    self.fd(*to_dir),
                    &to.0,
                )),
                Op::PathSymlink { target, dir, path } => {
                    empty(wasi::path_symlink(&target.0, self.fd(*dir), &path.0))
                }
                Op::PathReadlink { dir, path, len } => {
                    let (buf, n) = read_into(*len, |buf, buf_len| unsafe {
                        wasi::path_readlink(self.fd(*dir), &path.0, buf, buf_len)
                    })?;
                    Ok(obj! { "target" => J::bytes(&buf), "len" => n })
                }
                Op::PathFilestatGet { dir, follow, path } => {
                    let stat = wasi::path_filestat_get(self.fd(*dir), follow.0 as u32, &path.0)?;
                    Ok(self.filestat(&stat))
                }
                Op::PathFilestatSetTimes {
                    dir,
                    follow,
                    path,
                    atim,
                    mtim,
                    flags,
                } => {
                    self.set_times(mtim.0, flags.0);
                    empty(wasi::path_filestat_set_times(
                        self.fd(*dir),
                        follow.0 as u32,
                        &path.0,
                        atim.0,
                        mtim.0,
                        flags.0 as u16,
                    ))
                }
                Op::FdFilestatGet { fd } => {
                    let stat = wasi::fd_filestat_get(self.fd(*fd))?;
                    Ok(self.filestat(&stat))
                }
                Op::FdFilestatSetSize { fd, size } => {
                    empty(wasi::fd_filestat_set_size(self.fd(*fd), size.0))
                }
                Op::FdFilestatSetTimes {
                    fd,
                    atim,
                    mtim,
                    flags,
                } => {
                    self.set_times(mtim.0, flags.0);
                    empty(wasi::fd_filestat_set_times(
                        self.fd(*fd),
                        atim.0,
                        mtim.0,
                        flags.0 as u16,
                    ))
                }
                Op::FdFdstatGet { fd } => {
                    let stat = wasi::fd_fdstat_get(self.fd(*fd))?;
                    Ok(obj! {
                        "filetype" => filetype_name(stat.fs_filetype.raw()),
                        "flags" => fdflags_names(stat.fs_flags),
                    })
                }
                Op::FdFdstatSetFlags { fd, flags } => {
                    empty(wasi::fd_fdstat_set_flags(self.fd(*fd), flags.0 as u16))
                }
                Op::FdAllocate { fd, offset, len } => {
                    empty(wasi::fd_allocate(self.fd(*fd), offset.0, len.0))
                }
                Op::FdAdvise {
                    fd,
                    offset,
                    len,
                    advice,
                } => empty(from_raw(raw::fd_advise(
                    self.fd(*fd) as i32,
                    offset.0 as i64,
                    len.0 as i64,
                    advice.0 as i32,
                ))),
                Op::FdRenumber { fd, to } => {
                    let (from_fd, to_fd) = (self.fd(*fd), self.fd(*to));
                    wasi::fd_renumber(from_fd, to_fd)?;
                    if from_fd != to_fd {
                        self.unbind(*fd);
                        if let Some(slot) = self.slots.get_mut(to.0 as usize) {
                            *slot = Some(to_fd);
                        }
                    }
                    Ok(J::obj())
                }
                Op::FdClose { fd } => {
                    wasi::fd_close(self.fd(*fd))?;
                    self.unbind(*fd);
                    Ok(J::obj())
                }
                Op::FdSync { fd } => empty(wasi::fd_sync(self.fd(*fd))),
                Op::FdDatasync { fd } => empty(wasi::fd_datasync(self.fd(*fd))),
                Op::PollOneoff { subs } => self.poll(&subs.0),
            }
        }
    }

    fn set_times(&mut self, mtim: u64, flags: u8) {
        if flags & 4 != 0 {
            self.times.push(mtim);
        }
    }

    fn filestat(&mut self, stat: &wasi::Filestat) -> J {
        let filetype = stat.filetype.raw();
        let (dir, file, symlink) = (
            wasi::FILETYPE_DIRECTORY.raw(),
            wasi::FILETYPE_REGULAR_FILE.raw(),
            wasi::FILETYPE_SYMBOLIC_LINK.raw(),
        );
        let mut out = obj! { "filetype" => filetype_name(filetype) };
        if filetype == file || filetype == symlink {
            out = out.with("size", stat.size);
        }
        if filetype == file {
            out = out.with("nlink", stat.nlink);
        }
        if filetype == file || filetype == symlink || filetype == dir {
            let key = (stat.dev, stat.ino);
            let class = match self.inodes.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    self.inodes.push(key);
                    self.inodes.len() - 1
                }
            };
            out = out.with("ino", class);
        }
        if self.times.contains(&stat.mtim) {
            out.with("mtim", stat.mtim)
        } else {
            out.with("mtim", "other")
        }
    }

    /// One listing from `cookie`: fills buffers of `size` bytes (doubled
    /// while not even one entry fits) until one comes back short.
    /// `None` when it never ends (over 1000 calls or 10000 entries).
    unsafe fn list(
        &self,
        fd: u32,
        size: u32,
        mut cookie: u64,
    ) -> Result<Option<Vec<Entry>>, Errno> {
        let mut entries = Vec::new();
        let mut size = size as usize;
        for _ in 0..1000 {
            let mut buf = vec![0u8; size];
            let used = unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), size, cookie)? }.min(size);
            let mut at = 0;
            let mut complete = 0;
            while at + DIRENT_SIZE <= used {
                let word = |i: usize| u64::from_le_bytes(buf[i..i + 8].try_into().unwrap());
                let next = word(at);
                let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
                let filetype = buf[at + 20];
                let end = at + DIRENT_SIZE + namlen;
                if end > used {
                    break;
                }
                entries.push(Entry {
                    name: buf[at + DIRENT_SIZE..end].to_vec(),
                    filetype,
                    next,
                });
                cookie = next;
                complete += 1;
                at = end;
            }
            if used < size {
                return Ok(Some(entries));
            }
            if entries.len() > 10_000 {
                break;
            }
            if complete == 0 {
                if size >= 1 << 16 {
                    break;
                }
                size = (size * 2).max(DIRENT_SIZE + 256);
            }
        }
        Ok(None)
    }

    /// `fd_readdir`: the sorted listing (without `.` and `..`), and whether
    /// listing again from the cookie after entry `skip` gives the rest of
    /// the first listing in the same order (`null` when there is no such
    /// entry).
    unsafe fn readdir(&self, fd: u32, size: u32, skip: u8) -> Ret {
        let Some(entries) = (unsafe { self.list(fd, size, 0)? }) else {
            return Ok(obj! { "endless" => true });
        };
        let mut listing: Vec<(&[u8], u8)> = entries
            .iter()
            .filter(|e| e.name != b"." && e.name != b"..")
            .map(|e| (e.name.as_slice(), e.filetype))
            .collect();
        listing.sort();
        let listing: Vec<J> = listing
            .into_iter()
            .map(|(name, t)| J::Arr(vec![J::bytes(name), filetype_name(t)]))
            .collect();
        let resume = match entries.get(skip as usize) {
            None => J::Null,
            Some(entry) => match unsafe { self.list(fd, size, entry.next)? } {
                None => J::Bool(false),
                Some(rest) => {
                    let expected = &entries[skip as usize + 1..];
                    J::Bool(
                        rest.len() == expected.len()
                            && rest.iter().zip(expected).all(|(a, b)| a.name == b.name),
                    )
                }
            },
        };
        Ok(obj! { "entries" => J::Arr(listing), "resume" => resume })
    }

    /// `poll_oneoff`: userdata is the subscription's index; the events are
    /// printed sorted by it, as `[userdata, type, errno]`.
    unsafe fn poll(&self, subs: &[Sub]) -> Ret {
        let subscriptions: Vec<wasi::Subscription> = subs
            .iter()
            .enumerate()
            .map(|(i, sub)| {
                let (tag, u) = match *sub {
                    Sub::Clock(ns) => (
                        wasi::EVENTTYPE_CLOCK,
                        wasi::SubscriptionUU {
                            clock: wasi::SubscriptionClock {
                                id: wasi::CLOCKID_MONOTONIC,
                                timeout: ns as u64,
                                precision: 0,
                                flags: 0,
                            },
                        },
                    ),
                    Sub::Read(fd) => (
                        wasi::EVENTTYPE_FD_READ,
                        wasi::SubscriptionUU {
                            fd_read: wasi::SubscriptionFdReadwrite {
                                file_descriptor: self.fd(fd),
                            },
                        },
                    ),
                    Sub::Write(fd) => (
                        wasi::EVENTTYPE_FD_WRITE,
                        wasi::SubscriptionUU {
                            fd_write: wasi::SubscriptionFdReadwrite {
                                file_descriptor: self.fd(fd),
                            },
                        },
                    ),
                };
                wasi::Subscription {
                    userdata: i as u64,
                    u: wasi::SubscriptionU { tag: tag.raw(), u },
                }
            })
            .collect();
        // A runtime may report any non-empty subset of the subscriptions
        // that are ready, and which subset can change from run to run
        // (wasmtime). Fuzz programs subscribe only to files, directories
        // and closed descriptors, which are all ready at once, so the
        // subscriptions not yet reported are polled again (at most 8 times)
        // and the union is printed: what each subscription reports, not
        // how the runtime batched it.
        let mut pending = subscriptions;
        let mut seen: Vec<(u64, u8, Errno)> = Vec::new();
        for round in 0..8 {
            let mut events: Vec<wasi::Event> = Vec::with_capacity(pending.len());
            let polled =
                unsafe { wasi::poll_oneoff(pending.as_ptr(), events.as_mut_ptr(), pending.len()) };
            let n = match polled {
                Ok(n) => n,
                Err(e) if round == 0 => return Err(e),
                Err(_) => break,
            };
            // SAFETY: the host wrote `n` events (at most one per subscription).
            unsafe { events.set_len(n.min(pending.len())) };
            seen.extend(events.iter().map(|e| (e.userdata, e.type_.raw(), e.error)));
            pending.retain(|sub| !events.iter().any(|e| e.userdata == sub.userdata));
            if pending.is_empty() || n == 0 || subs.iter().any(|s| matches!(s, Sub::Clock(_))) {
                break;
            }
        }
        seen.sort_by_key(|(userdata, t, e)| (*userdata, *t, e.raw()));
        let names = ["clock", "fd_read", "fd_write"];
        let events: Vec<J> = seen
            .into_iter()
            .map(|(userdata, t, e)| {
                let name = names.get(t as usize).map_or(J::from(t), |n| J::from(*n));
                J::Arr(vec![J::from(userdata), name, J::from(errno_name(e))])
            })
            .collect();
        Ok(obj! { "events" => J::Arr(events) })
    }
}

/// A buffer of `len` bytes that `fill` has the host write into, cut to
/// the `n` bytes `fill` says were written (at most `len`), and `n`. The
/// buffer is not zeroed first: a large read from a small file then touches
/// one page of guest memory, not all of them.
fn read_into(
    len: wasi_conform_program::Len,
    fill: impl FnOnce(*mut u8, usize) -> Result<usize, Errno>,
) -> Result<(Vec<u8>, usize), Errno> {
    let len = len.0 as usize;
    let mut buf = Vec::with_capacity(len);
    let n = fill(buf.as_mut_ptr(), len)?;
    // SAFETY: the host wrote the first `n` bytes, and `n.min(len)` is
    // within the capacity.
    unsafe { buf.set_len(n.min(len)) };
    Ok((buf, n))
}
