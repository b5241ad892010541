//! calls <statement>...: a scripted preview1 guest. Each argument is one
//! statement: a raw preview1 call through the traced wrappers of
//! `guest_support::p1`, or a `check`. The language is described in
//! `tests-src/README.md` ("The `calls` guest"). In short:
//!
//! ```text
//! path_open $sandbox a.txt oflags=creat,trunc base=all as f => ok
//! fd_write $f hello%20world => ok
//! fd_filestat_get $f as st => ok
//! path_unlink_file $sandbox dir => isdir|perm
//! check eq $st.size 11
//! ```
//!
//! `as NAME` binds the call's results; `$NAME` / `$NAME.FIELD` use them.
//! A `$NAME` no statement binds is the preopen of that name, found as
//! wasi-libc finds preopens (`guest_support::p1::preopens`): `$sandbox` for
//! `/sandbox`, `$root` for `/`; one that is not found is a failed check.
//! `=> EXPECT` (`ok`, an errno name, or several joined by `|`) makes the
//! guest check the call's errno (a check line named after the statement).
use guest_support::p1::{self, Sub};
use guest_support::{check, check_detail, finish, fmt};
use std::collections::{BTreeMap, BTreeSet};

// A bin's root file looks for modules beside it (where Cargo would take
// them for bins of their own), so this one lives in `calls/`.
#[path = "calls/parse.rs"]
mod parse;

use guest_support::script::{Statement, bad, bytes, compare, enum_val, flags, parse_num};
use parse::{
    ADVICE, CLOCKS, FDFLAGS, FSTFLAGS, LOOKUP, OFLAGS, RIFLAGS, SDFLAGS, SIGNALS, SUBCLOCK, WHENCE,
    iovecs, lens, rights,
};

type Vars = BTreeMap<String, BTreeMap<&'static str, u64>>;

struct Ctx {
    vars: Vars,
    /// Every name some statement binds with `as`: an unresolved `$NAME` of
    /// one of these is reported as an unset variable, not a missing preopen.
    declared: BTreeSet<String>,
    /// Preopen names already reported as not found (one failed check each).
    reported: BTreeSet<String>,
}

/// An fd (or number) the script could not evaluate: a bad descriptor no
/// runtime has open.
const UNSET: u64 = 0x7fff_fff0;

impl Ctx {
    /// A number token, or `$NAME` / `$NAME.FIELD`: a variable bound with
    /// `as` (a bound variable wins), else the descriptor of the preopen
    /// named NAME as wasi-libc names it (`$sandbox` for `/sandbox`, `$root`
    /// for `/`). Neither is a failed check and [`UNSET`].
    fn num(&mut self, tok: &str) -> u64 {
        if let Some(var) = tok.strip_prefix('$') {
            let (name, field) = var.split_once('.').unwrap_or((var, ""));
            if let Some(v) = self.vars.get(name).and_then(|m| m.get(field)) {
                return *v;
            }
            if !self.vars.contains_key(name)
                && let Some(fd) = preopen_fd(var)
            {
                return fd as u64;
            }
            if self.vars.contains_key(name) || self.declared.contains(name) || !field.is_empty() {
                check_detail(&fmt!("variable ${var} is set"), false, None);
            } else if self.reported.insert(var.to_string()) {
                guest_support::unsupported(&fmt!(
                    "no preopen named `{var}` (preopens: {})",
                    p1::preopens_summary()
                ));
            }
            return UNSET;
        }
        parse_num(tok).unwrap_or_else(|| {
            bad(&fmt!("not a number: {tok}"));
            UNSET
        })
    }

    fn fd(&mut self, tok: &str) -> u32 {
        self.num(tok) as u32
    }

    fn set(&mut self, name: Option<&str>, fields: &[(&'static str, u64)]) {
        if let Some(name) = name {
            self.vars
                .insert(name.to_string(), fields.iter().copied().collect());
        }
    }
}

/// The preopen a `$NAME` token names: NAME compared with the preopens'
/// names after wasi-libc's stripping (`root` is the empty name, `/` or
/// `.`, unless a preopen is really called `root`).
fn preopen_fd(name: &str) -> Option<u32> {
    if name == "root" {
        return p1::preopen_named("").or_else(|| p1::preopen_named("root"));
    }
    if name.is_empty() {
        return None;
    }
    p1::preopen_named(name)
}

fn stat_fields(s: &wasi::Filestat) -> Vec<(&'static str, u64)> {
    vec![
        ("", s.ino),
        ("ino", s.ino),
        ("dev", s.dev),
        ("size", s.size),
        ("nlink", s.nlink),
        ("atim", s.atim),
        ("mtim", s.mtim),
        ("ctim", s.ctim),
        ("filetype", s.filetype.raw() as u64),
    ]
}

/// Runs one statement; returns the errno name of the call ("ok" on success),
/// or `None` for a statement that is not a call.
fn run(ctx: &mut Ctx, toks: &[&str], bind: Option<&str>) -> Option<String> {
    fn e<T>(r: &Result<T, wasi::Errno>) -> Option<String> {
        Some(match r {
            Ok(_) => "ok".into(),
            Err(e) => p1::errno_name(*e),
        })
    }
    let arg = |i: usize| -> &str { toks.get(i).copied().unwrap_or("") };
    let cmd = arg(0);
    let n_args = toks.len() - 1;
    let want = |n: usize| {
        if n_args < n {
            bad(&fmt!("{cmd} needs {n} arguments"));
        }
    };
    match cmd {
        "args_sizes_get" => e(&p1::args_sizes_get()),
        "args_get" => {
            let (c, s) = p1::args_sizes_get().unwrap_or((0, 0));
            e(&p1::args_get(c, s))
        }
        "environ_sizes_get" => e(&p1::environ_sizes_get()),
        "environ_get" => {
            let (c, s) = p1::environ_sizes_get().unwrap_or((0, 0));
            e(&p1::environ_get(c, s))
        }
        "clock_res_get" => {
            want(1);
            let r = p1::clock_res_get(enum_val(arg(1), &CLOCKS));
            if let Ok(v) = r {
                ctx.set(bind, &[("", v)]);
            }
            e(&r)
        }
        "clock_time_get" => {
            want(2);
            let prec = ctx.num(arg(2));
            let r = p1::clock_time_get(enum_val(arg(1), &CLOCKS), prec);
            if let Ok(v) = r {
                ctx.set(bind, &[("", v)]);
            }
            e(&r)
        }
        "fd_advise" => {
            want(4);
            let (fd, off, len) = (ctx.fd(arg(1)), ctx.num(arg(2)), ctx.num(arg(3)));
            e(&p1::fd_advise(fd, off, len, enum_val(arg(4), &ADVICE)))
        }
        "fd_allocate" => {
            want(3);
            let (fd, off, len) = (ctx.fd(arg(1)), ctx.num(arg(2)), ctx.num(arg(3)));
            e(&p1::fd_allocate(fd, off, len))
        }
        "fd_close" => {
            want(1);
            let fd = ctx.fd(arg(1));
            e(&p1::fd_close(fd))
        }
        "fd_datasync" => {
            want(1);
            let fd = ctx.fd(arg(1));
            e(&p1::fd_datasync(fd))
        }
        "fd_sync" => {
            want(1);
            let fd = ctx.fd(arg(1));
            e(&p1::fd_sync(fd))
        }
        "fd_fdstat_get" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let detail = match arg(2) {
                "full" => p1::FdstatDetail::Full,
                "type" => p1::FdstatDetail::Filetype,
                _ => p1::FdstatDetail::Flags,
            };
            let r = p1::fd_fdstat_get(fd, detail);
            if let Ok(s) = &r {
                ctx.set(
                    bind,
                    &[
                        ("", s.fs_filetype.raw() as u64),
                        ("filetype", s.fs_filetype.raw() as u64),
                        ("flags", s.fs_flags as u64),
                        ("base", s.fs_rights_base),
                        ("inheriting", s.fs_rights_inheriting),
                    ],
                );
            }
            e(&r)
        }
        "fd_fdstat_set_flags" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::fd_fdstat_set_flags(fd, flags(arg(2), &FDFLAGS) as u32))
        }
        "fd_fdstat_set_rights" => {
            want(3);
            let fd = ctx.fd(arg(1));
            let (b, i) = (rights_or_var(ctx, arg(2)), rights_or_var(ctx, arg(3)));
            let r = p1::fd_fdstat_set_rights(fd, b, i);
            // As wasi-testsuite's fd_fdstat_set_rights.rs: `notsup` means
            // the host does not implement rights, and a rights case has
            // nothing to check there.
            if r == Err(wasi::ERRNO_NOTSUP) {
                guest_support::unsupported(
                    "the host does not implement rights (fd_fdstat_set_rights answers notsup)",
                );
            }
            e(&r)
        }
        "fd_filestat_get" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let r = p1::fd_filestat_get(fd);
            if let Ok(s) = &r {
                ctx.set(bind, &stat_fields(s));
            }
            e(&r)
        }
        "fd_filestat_set_size" => {
            want(2);
            let (fd, size) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            e(&p1::fd_filestat_set_size(fd, size))
        }
        "fd_filestat_set_times" => {
            want(4);
            let (fd, a, m) = (ctx.fd(arg(1)), ctx.num(arg(2)), ctx.num(arg(3)));
            e(&p1::fd_filestat_set_times(
                fd,
                a,
                m,
                flags(arg(4), &FSTFLAGS) as u32,
            ))
        }
        "fd_pread" => {
            want(3);
            let (fd, off) = (ctx.fd(arg(1)), ctx.num(arg(3)));
            let r = p1::fd_pread(fd, &lens(arg(2)), off);
            if let Ok(d) = &r {
                ctx.set(bind, &[("", d.len() as u64)]);
            }
            e(&r)
        }
        "fd_prestat_get" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let r = p1::fd_prestat_get(fd);
            if let Ok(n) = r {
                ctx.set(bind, &[("", n as u64)]);
            }
            e(&r)
        }
        "fd_prestat_dir_name" => {
            want(2);
            let (fd, len) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            e(&p1::fd_prestat_dir_name(fd, len as usize))
        }
        "fd_pwrite" => {
            want(3);
            let (fd, off) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            let data = iovecs(&toks[3..]);
            let refs: Vec<&[u8]> = data.iter().map(|v| v.as_slice()).collect();
            e(&p1::fd_pwrite(fd, &refs, off))
        }
        "fd_read" => {
            want(2);
            let fd = ctx.fd(arg(1));
            let r = p1::fd_read_iovs(fd, &lens(arg(2)));
            if let Ok(d) = &r {
                ctx.set(bind, &[("", d.len() as u64)]);
            }
            e(&r)
        }
        "fd_readdir" => {
            want(3);
            let fd = ctx.fd(arg(1));
            let len = ctx.num(arg(2)) as usize;
            let cookie = ctx.num(arg(3));
            let label = if arg(3).starts_with('$') {
                guest_support::J::from(arg(3))
            } else {
                guest_support::J::from(cookie)
            };
            let r = p1::fd_readdir(fd, len, cookie, label);
            if let Ok((entries, used)) = &r {
                let next = entries.last().map_or(cookie, |d| d.next);
                ctx.set(
                    bind,
                    &[
                        ("", next),
                        ("next", next),
                        ("bufused", *used as u64),
                        ("count", entries.len() as u64),
                    ],
                );
            }
            e(&r)
        }
        "readdir" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let len = if n_args >= 2 { ctx.num(arg(2)) } else { 4096 };
            let r = p1::readdir_all(fd, len as usize);
            if let Ok(entries) = &r {
                let mut fields: Vec<(&'static str, u64)> = vec![("", entries.len() as u64)];
                fields.push(("count", entries.len() as u64));
                ctx.set(bind, &fields);
                // Entries' inode numbers, for `check eq $l.ino_NAME ...`
                // would need dynamic names; keep the first entry's.
                if let Some(first) = entries.first() {
                    if let Some(b) = bind {
                        ctx.vars.get_mut(b).unwrap().insert("ino", first.ino);
                    }
                }
            }
            e(&r)
        }
        "fd_renumber" => {
            want(2);
            let (fd, to) = (ctx.fd(arg(1)), ctx.fd(arg(2)));
            e(&p1::fd_renumber(fd, to))
        }
        "fd_seek" => {
            want(3);
            let (fd, off) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            let r = p1::fd_seek(fd, off as i64, enum_val(arg(3), &WHENCE));
            if let Ok(v) = r {
                ctx.set(bind, &[("", v)]);
            }
            e(&r)
        }
        "fd_tell" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let r = p1::fd_tell(fd);
            if let Ok(v) = r {
                ctx.set(bind, &[("", v)]);
            }
            e(&r)
        }
        "fd_write" => {
            want(1);
            let fd = ctx.fd(arg(1));
            let data = iovecs(&toks[2..]);
            let refs: Vec<&[u8]> = data.iter().map(|v| v.as_slice()).collect();
            let r = p1::fd_write(fd, &refs);
            if let Ok(n) = r {
                ctx.set(bind, &[("", n as u64)]);
            }
            e(&r)
        }
        "path_create_directory" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::path_create_directory(fd, &bytes(arg(2))))
        }
        "path_filestat_get" => {
            want(3);
            let fd = ctx.fd(arg(1));
            let r = p1::path_filestat_get(fd, flags(arg(2), &LOOKUP) as u32, &bytes(arg(3)));
            if let Ok(s) = &r {
                ctx.set(bind, &stat_fields(s));
            }
            e(&r)
        }
        "path_filestat_set_times" => {
            want(6);
            let fd = ctx.fd(arg(1));
            let (a, m) = (ctx.num(arg(4)), ctx.num(arg(5)));
            e(&p1::path_filestat_set_times(
                fd,
                flags(arg(2), &LOOKUP) as u32,
                &bytes(arg(3)),
                a,
                m,
                flags(arg(6), &FSTFLAGS) as u32,
            ))
        }
        "path_link" => {
            want(5);
            let (old_fd, new_fd) = (ctx.fd(arg(1)), ctx.fd(arg(4)));
            e(&p1::path_link(
                old_fd,
                flags(arg(2), &LOOKUP) as u32,
                &bytes(arg(3)),
                new_fd,
                &bytes(arg(5)),
            ))
        }
        "path_open" => {
            want(2);
            let fd = ctx.fd(arg(1));
            let path = bytes(arg(2));
            let (mut lookup, mut oflags, mut base, mut inh, mut fdflags) =
                (1u64, 0u64, p1::RIGHTS_READ, p1::RIGHTS_ALL, 0u64);
            for t in &toks[3..] {
                match t.split_once('=') {
                    Some(("lookup", v)) => lookup = flags(v, &LOOKUP),
                    Some(("oflags", v)) => oflags = flags(v, &OFLAGS),
                    Some(("base", v)) => base = rights_or_var(ctx, v),
                    Some(("inh", v)) => inh = rights_or_var(ctx, v),
                    Some(("fdflags", v)) => fdflags = flags(v, &FDFLAGS),
                    _ => bad(&fmt!("unknown path_open option {t}")),
                }
            }
            let r = p1::path_open(
                fd,
                lookup as u32,
                &path,
                oflags as u32,
                base,
                inh,
                fdflags as u32,
            );
            if let Ok(n) = r {
                ctx.set(bind, &[("", n as u64)]);
            }
            e(&r)
        }
        "path_readlink" => {
            want(3);
            let (fd, len) = (ctx.fd(arg(1)), ctx.num(arg(3)));
            let r = p1::path_readlink(fd, &bytes(arg(2)), len as usize);
            if let Ok(t) = &r {
                ctx.set(bind, &[("", t.len() as u64)]);
            }
            e(&r)
        }
        "path_remove_directory" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::path_remove_directory(fd, &bytes(arg(2))))
        }
        "path_rename" => {
            want(4);
            let (fd, new_fd) = (ctx.fd(arg(1)), ctx.fd(arg(3)));
            e(&p1::path_rename(fd, &bytes(arg(2)), new_fd, &bytes(arg(4))))
        }
        "path_symlink" => {
            want(3);
            let fd = ctx.fd(arg(2));
            e(&p1::path_symlink(&bytes(arg(1)), fd, &bytes(arg(3))))
        }
        "path_unlink_file" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::path_unlink_file(fd, &bytes(arg(2))))
        }
        "poll_oneoff" => {
            let mut show_nbytes = false;
            let mut subs = Vec::new();
            for t in &toks[1..] {
                if *t == "nbytes" {
                    show_nbytes = true;
                    continue;
                }
                let parts: Vec<&str> = t.split('/').collect();
                let p = |i: usize| parts.get(i).copied().unwrap_or("0");
                let ud = parse_num(p(1)).unwrap_or(0);
                subs.push(match p(0) {
                    // clock/UD/ID/TIMEOUT[/abs|rel|FLAGS[/PRECISION]]
                    "clock" => {
                        let timeout = ctx.num(p(3));
                        Sub::Clock(
                            ud,
                            enum_val(p(2), &CLOCKS),
                            timeout,
                            parse_num(p(5)).unwrap_or(0),
                            flags(if parts.len() > 4 { p(4) } else { "rel" }, &SUBCLOCK) as u16,
                        )
                    }
                    "read" => Sub::Read(ud, ctx.fd(p(2))),
                    "write" => Sub::Write(ud, ctx.fd(p(2))),
                    "tag" => Sub::Tag(ud, parse_num(p(2)).unwrap_or(3) as u8),
                    other => {
                        bad(&fmt!("unknown subscription {other}"));
                        Sub::Tag(ud, 3)
                    }
                });
            }
            let r = p1::poll_oneoff(&subs, show_nbytes);
            if let Ok(ev) = &r {
                ctx.set(bind, &[("", ev.len() as u64)]);
            }
            e(&r)
        }
        "proc_exit" => {
            want(1);
            let code = ctx.num(arg(1));
            p1::proc_exit(code as u32)
        }
        "proc_raise" => {
            want(1);
            e(&p1::proc_raise(enum_val(arg(1), &SIGNALS)))
        }
        "sched_yield" => e(&p1::sched_yield()),
        "random_get" => {
            want(1);
            let mut buf = vec![0u8; ctx.num(arg(1)) as usize];
            let r = p1::random_get(&mut buf);
            if r.is_ok() {
                let mut first = [0u8; 8];
                let n = buf.len().min(8);
                first[..n].copy_from_slice(&buf[..n]);
                ctx.set(bind, &[("", u64::from_le_bytes(first))]);
            }
            e(&r)
        }
        "sock_accept" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::sock_accept(fd, flags(arg(2), &FDFLAGS) as u32))
        }
        "sock_recv" => {
            want(3);
            let (fd, len) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            e(&p1::sock_recv(
                fd,
                len as usize,
                flags(arg(3), &RIFLAGS) as u32,
            ))
        }
        "sock_send" => {
            want(2);
            let (fd, fl) = (ctx.fd(arg(1)), ctx.num(arg(2)));
            let data = iovecs(&toks[3..]);
            let refs: Vec<&[u8]> = data.iter().map(|v| v.as_slice()).collect();
            e(&p1::sock_send(fd, &refs, fl as u32))
        }
        "sock_shutdown" => {
            want(2);
            let fd = ctx.fd(arg(1));
            e(&p1::sock_shutdown(fd, flags(arg(2), &SDFLAGS) as u32))
        }
        "check" => {
            want(3);
            let (a, b) = (ctx.num(arg(2)), ctx.num(arg(3)));
            let ok = compare(arg(1), a, b).unwrap_or_else(|| {
                bad(&fmt!("unknown check {}", arg(1)));
                false
            });
            check(&toks.join(" "), ok);
            None
        }
        _ => {
            bad(&fmt!("unknown call {cmd}"));
            None
        }
    }
}

/// Rights from a `$var.field` (e.g. `$st.base`, `$st.base-fd_read` without
/// one right) or a rights expression.
fn rights_or_var(ctx: &mut Ctx, tok: &str) -> u64 {
    if tok.starts_with('$') {
        match tok.split_once('-') {
            Some((var, minus)) => ctx.num(var) & !rights(minus),
            None => ctx.num(tok),
        }
    } else {
        rights(tok)
    }
}

fn main() {
    // Find the preopens first, before any statement can close or renumber
    // one (raw calls, not traced).
    p1::preopens();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stmts: Vec<Statement> = args.iter().map(|a| Statement::parse(a)).collect();
    let mut ctx = Ctx {
        vars: BTreeMap::new(),
        declared: stmts
            .iter()
            .filter_map(|s| s.bind.map(str::to_string))
            .collect(),
        reported: BTreeSet::new(),
    };
    for stmt in &stmts {
        if stmt.toks.is_empty() {
            bad("empty statement");
            continue;
        }
        if let Some(got) = run(&mut ctx, &stmt.toks, stmt.bind) {
            stmt.check_outcome(&got);
        }
    }
    finish();
}
