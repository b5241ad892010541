//! calls <statement>...: a scripted WASI 0.2 guest. Each argument is one
//! statement: a call of a wasi:cli, wasi:clocks, wasi:random, wasi:io or
//! wasi:filesystem function through the traced wrappers of
//! `guest_support::p2`, named as its trace line names it, or a `check`. The
//! language is described in `tests-src/README.md` ("The p2 `calls`
//! guest"). In short:
//!
//! ```text
//! descriptor.open-at $sandbox symlink-follow a.txt create read,write as f => ok
//! descriptor.write $f hello 0 => ok
//! descriptor.stat $f as st => ok
//! check eq $st.size 5
//! descriptor.unlink-file-at $sandbox dir => is-directory|access
//! descriptor.read-via-stream $f 0 as in => ok
//! input-stream.blocking-read $in 10 as r => ok
//! check bytes $r hello
//! ```
//!
//! `as NAME` holds a resource the call returns in a slot (`$f`), or binds
//! its numbers (`$st.size`); a `$NAME` no statement binds is the preopen of
//! that name (`$sandbox` for `/sandbox`, `$root` for `/`), found with an
//! untraced `get-directories` before the first statement. `=> EXPECT` (`ok`,
//! an error-code or stream-error case name, or several joined by `|`)
//! makes the guest check the call's outcome; `when $NAME STATEMENT` runs
//! STATEMENT only if NAME is set.

use guest_support::script::{Statement, bad, bytes, compare};
use guest_support::{check_detail, check_should, finish, fmt, p2};
use std::collections::BTreeSet;

// A bin's root file looks for modules beside it (where Cargo would take
// them for bins of their own), so these live in `calls/`.
#[path = "calls/fs.rs"]
mod fs;
#[path = "calls/io.rs"]
mod io;
#[path = "calls/parse.rs"]
mod parse;
#[path = "calls/slots.rs"]
mod slots;

use slots::{Ctx, Res};

/// A statement with the helpers every statement module uses.
pub(crate) struct Stmt<'a> {
    stmt: &'a Statement<'a>,
    toks: &'a [&'a str],
    bind: Option<&'a str>,
}

impl<'a> Stmt<'a> {
    fn cmd(&self) -> &'a str {
        self.toks[0]
    }

    /// Token `i` (the function is 0), or "" past the end.
    fn arg(&self, i: usize) -> &'a str {
        self.toks.get(i).copied().unwrap_or("")
    }

    /// `Some` if the statement has at least `n` arguments, else a failed
    /// check and `None`.
    fn want(&self, n: usize) -> Option<()> {
        if self.toks.len() > n {
            Some(())
        } else {
            bad(&fmt!("{} needs {n} arguments", self.cmd()));
            None
        }
    }

    fn unknown(&self) {
        bad(&fmt!("unknown call {}", self.cmd()));
    }
}

/// `ok`, or the name of the error.
pub(crate) fn outcome<T, E>(r: &Result<T, E>, name: fn(&E) -> &'static str) -> Option<String> {
    Some(match r {
        Ok(_) => "ok".into(),
        Err(e) => name(e).into(),
    })
}

/// The wasi:cli, wasi:clocks and wasi:random statements, `check` and
/// `drop`; the others go to [`fs::run`] and [`io::run`].
fn run(ctx: &mut Ctx, s: &Stmt) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    let ok = || Some("ok".to_string());
    match s.cmd() {
        "environment.get-environment" => {
            let env = p2::get_environment();
            ctx.set(bind, &[("", env.len() as u64)]);
            ok()
        }
        "environment.get-arguments" => {
            let args = p2::get_arguments();
            ctx.set(bind, &[("", args.len() as u64)]);
            ok()
        }
        "environment.initial-cwd" => {
            let cwd = p2::initial_cwd();
            ctx.set(bind, &[("", cwd.is_some() as u64)]);
            ok()
        }
        "exit.exit" => p2::exit(a(1) != "err"),
        "stdin.get-stdin" => {
            ctx.hold(bind, Res::In(p2::get_stdin()));
            ok()
        }
        "stdout.get-stdout" => {
            ctx.hold(bind, Res::Out(p2::get_stdout()));
            ok()
        }
        "stderr.get-stderr" => {
            ctx.hold(bind, Res::Out(p2::get_stderr()));
            ok()
        }
        "terminal-stdin.get-terminal-stdin" => {
            let t = p2::get_terminal_stdin();
            ctx.set(bind, &[("", t.is_some() as u64)]);
            if let Some(t) = t {
                ctx.hold(bind, Res::TermIn(t));
            }
            ok()
        }
        "terminal-stdout.get-terminal-stdout" | "terminal-stderr.get-terminal-stderr" => {
            let t = if s.cmd().starts_with("terminal-stdout") {
                p2::get_terminal_stdout()
            } else {
                p2::get_terminal_stderr()
            };
            ctx.set(bind, &[("", t.is_some() as u64)]);
            if let Some(t) = t {
                ctx.hold(bind, Res::TermOut(t));
            }
            ok()
        }
        "monotonic-clock.now" => {
            ctx.set(bind, &[("", p2::monotonic_now())]);
            ok()
        }
        "monotonic-clock.resolution" => {
            ctx.set(bind, &[("", p2::monotonic_resolution())]);
            ok()
        }
        "monotonic-clock.subscribe-instant" => {
            s.want(1)?;
            let p = p2::subscribe_instant(ctx.num(a(1)), a(1).into());
            ctx.hold(bind, Res::Poll(p));
            ok()
        }
        "monotonic-clock.subscribe-duration" => {
            s.want(1)?;
            let p = p2::subscribe_duration(ctx.num(a(1)));
            ctx.hold(bind, Res::Poll(p));
            ok()
        }
        "wall-clock.now" | "wall-clock.resolution" => {
            let d = if s.cmd() == "wall-clock.now" {
                p2::wall_clock_now()
            } else {
                p2::wall_clock_resolution()
            };
            ctx.set(
                bind,
                &[
                    ("", parse::nanos(&d)),
                    ("seconds", d.seconds),
                    ("nanoseconds", d.nanoseconds as u64),
                ],
            );
            ok()
        }
        "random.get-random-bytes" | "insecure.get-insecure-random-bytes" => {
            s.want(1)?;
            let len = ctx.num(a(1));
            let b = if s.cmd().starts_with("random.") {
                p2::get_random_bytes(len)
            } else {
                p2::get_insecure_random_bytes(len)
            };
            let mut first = [0u8; 8];
            let n = b.len().min(8);
            first[..n].copy_from_slice(&b[..n]);
            let first = u64::from_le_bytes(first);
            ctx.set(bind, &[("", b.len() as u64), ("first", first)]);
            ctx.set_data(bind, &b);
            ok()
        }
        "random.get-random-u64" => {
            ctx.set(bind, &[("", p2::get_random_u64())]);
            ok()
        }
        "insecure.get-insecure-random-u64" => {
            ctx.set(bind, &[("", p2::get_insecure_random_u64())]);
            ok()
        }
        "insecure-seed.insecure-seed" => {
            let (first, second) = p2::insecure_seed();
            ctx.set(bind, &[("", first), ("second", second)]);
            ok()
        }
        "drop" => {
            s.want(1)?;
            ctx.drop_slot(a(1));
            None
        }
        // `show` reports what `check` would, but a false one does not fail
        // the guest: the outcome of what the text leaves open.
        "check" | "show" => {
            s.want(3)?;
            let report = |name: &str, ok: bool, detail: Option<&str>| {
                if s.cmd() == "show" {
                    check_should(name, ok, detail);
                } else {
                    check_detail(name, ok, detail);
                }
            };
            let name = s.toks.join(" ");
            if a(1) == "bytes" {
                let got = ctx.data(a(2))?;
                let want = bytes(a(3));
                let detail = fmt!("got {:?}", String::from_utf8_lossy(got));
                report(&name, got == want.as_slice(), Some(&detail));
                return None;
            }
            let (x, y) = (ctx.num(a(2)), ctx.num(a(3)));
            match compare(a(1), x, y) {
                Some(ok) => report(&name, ok, None),
                None => bad(&fmt!("unknown check {}", a(1))),
            }
            None
        }
        cmd if cmd.starts_with("descriptor.")
            || cmd.starts_with("directory-entry-stream.")
            || cmd.starts_with("preopens.")
            || cmd.starts_with("types.") =>
        {
            fs::run(ctx, s)
        }
        cmd if cmd.starts_with("input-stream.")
            || cmd.starts_with("output-stream.")
            || cmd.starts_with("pollable.")
            || cmd.starts_with("poll.")
            || cmd.starts_with("error.") =>
        {
            io::run(ctx, s)
        }
        _ => {
            s.unknown();
            None
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `when $NAME STATEMENT` runs STATEMENT only if NAME is set: the path
    // of an outcome an earlier statement may legitimately not have had.
    let (guards, stmts): (Vec<Option<&str>>, Vec<Statement>) = args
        .iter()
        .map(
            |a| match a.strip_prefix("when $").and_then(|r| r.split_once(' ')) {
                Some((name, rest)) => (Some(name), Statement::parse(rest)),
                None => (None, Statement::parse(a)),
            },
        )
        .unzip();
    let declared: BTreeSet<String> = stmts
        .iter()
        .filter_map(|s| s.bind.map(str::to_string))
        .collect();
    let mut ctx = Ctx::new(declared);
    for (stmt, guard) in stmts.iter().zip(&guards) {
        if guard.is_some_and(|name| !ctx.is_set(name)) {
            continue;
        }
        if stmt.toks.is_empty() {
            bad("empty statement");
            continue;
        }
        let s = Stmt {
            stmt,
            toks: &stmt.toks,
            bind: stmt.bind,
        };
        if let Some(got) = run(&mut ctx, &s) {
            s.stmt.check_outcome(&got);
        }
    }
    ctx.drop_all();
    finish();
}
