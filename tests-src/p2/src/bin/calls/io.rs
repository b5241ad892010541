//! The wasi:io statements: `input-stream.*`, `output-stream.*`,
//! `pollable.*`, `poll.poll` and `error.to-debug-string`. A stream error
//! `last-operation-failed` binds its `error` resource to the statement's
//! `as NAME`.

use crate::slots::{Ctx, Res};
use crate::{Stmt, outcome};
use guest_support::p2::{poll, stream_error_name, streams};
use guest_support::script::bytes;
use wasip2::io::streams::StreamError;

/// The outcome of a stream call; the error of `last-operation-failed` is
/// held as `bind`.
fn streamed<T>(ctx: &mut Ctx, bind: Option<&str>, r: Result<T, StreamError>) -> Option<String> {
    let e = outcome(&r, stream_error_name);
    if let Err(StreamError::LastOperationFailed(err)) = r {
        ctx.hold(bind, Res::Err(err));
    }
    e
}

/// Runs one wasi:io statement; `None` when nothing was called.
pub(crate) fn run(ctx: &mut Ctx, s: &Stmt) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    match s.cmd() {
        "error.to-debug-string" => {
            s.want(1)?;
            let text = streams::to_debug_string(ctx.error(a(1))?, a(1));
            ctx.set(bind, &[("", text.len() as u64)]);
            Some("ok".into())
        }
        "pollable.ready" => {
            s.want(1)?;
            let ready = poll::ready(ctx.pollable(a(1))?, a(1));
            ctx.set(bind, &[("", ready as u64)]);
            Some("ok".into())
        }
        "pollable.block" => {
            s.want(1)?;
            poll::block(ctx.pollable(a(1))?, a(1));
            Some("ok".into())
        }
        "poll.poll" => {
            let mut list = Vec::new();
            for tok in &s.toks[1..] {
                list.push((ctx.pollable(tok)?, *tok));
            }
            let ready = poll::poll(&list);
            ctx.set(bind, &[("", ready.len() as u64)]);
            Some("ok".into())
        }
        cmd => {
            if let Some(method) = cmd.strip_prefix("input-stream.") {
                s.want(1)?;
                input(ctx, s, method)
            } else {
                s.want(1)?;
                output(ctx, s, cmd.strip_prefix("output-stream.")?)
            }
        }
    }
}

/// `input-stream.METHOD $s ...`.
fn input(ctx: &mut Ctx, s: &Stmt, method: &str) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    let (st, label) = (ctx.input(a(1))?, a(1));
    if method == "subscribe" {
        let p = streams::input_subscribe(st, label);
        ctx.hold(bind, Res::Poll(p));
        return Some("ok".into());
    }
    s.want(2)?;
    let len = ctx.num(a(2));
    match method {
        "read" | "blocking-read" => {
            let r = if method == "read" {
                streams::read(st, label, len)
            } else {
                streams::blocking_read(st, label, len)
            };
            if let Ok(data) = &r {
                ctx.set(bind, &[("", data.len() as u64)]);
                ctx.set_data(bind, data);
            }
            streamed(ctx, bind, r)
        }
        "skip" | "blocking-skip" => {
            let r = if method == "skip" {
                streams::skip(st, label, len)
            } else {
                streams::blocking_skip(st, label, len)
            };
            if let Ok(n) = &r {
                ctx.set(bind, &[("", *n)]);
            }
            streamed(ctx, bind, r)
        }
        _ => {
            s.unknown();
            None
        }
    }
}

/// `output-stream.METHOD $s ...`.
fn output(ctx: &mut Ctx, s: &Stmt, method: &str) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    let (st, label) = (ctx.output(a(1))?, a(1));
    match method {
        "subscribe" => {
            let p = streams::output_subscribe(st, label);
            ctx.hold(bind, Res::Poll(p));
            Some("ok".into())
        }
        "check-write" => {
            let r = streams::check_write(st, label);
            if let Ok(n) = &r {
                ctx.set(bind, &[("", *n)]);
            }
            streamed(ctx, bind, r)
        }
        "flush" => {
            let r = streams::flush(st, label);
            streamed(ctx, bind, r)
        }
        "blocking-flush" => {
            let r = streams::blocking_flush(st, label);
            streamed(ctx, bind, r)
        }
        "write" | "blocking-write-and-flush" => {
            s.want(2)?;
            let data = bytes(a(2));
            let r = if method == "write" {
                streams::write(st, label, &data)
            } else {
                streams::blocking_write_and_flush(st, label, &data)
            };
            streamed(ctx, bind, r)
        }
        "write-zeroes" | "blocking-write-zeroes-and-flush" => {
            s.want(2)?;
            let len = ctx.num(a(2));
            let r = if method == "write-zeroes" {
                streams::write_zeroes(st, label, len)
            } else {
                streams::blocking_write_zeroes_and_flush(st, label, len)
            };
            streamed(ctx, bind, r)
        }
        "splice" | "blocking-splice" => {
            s.want(3)?;
            let (src, len) = (ctx.input(a(2))?, ctx.num(a(3)));
            let r = if method == "splice" {
                streams::splice(st, label, src, a(2), len)
            } else {
                streams::blocking_splice(st, label, src, a(2), len)
            };
            if let Ok(n) = &r {
                ctx.set(bind, &[("", *n)]);
            }
            streamed(ctx, bind, r)
        }
        _ => {
            s.unknown();
            None
        }
    }
}
