//! The statement language the `calls` guests share (p1 and p2): how an
//! argument splits into tokens, `as NAME` and `=> EXPECT`, and the tokens
//! that mean the same in both (numbers, byte strings, flag sets, enum names,
//! `check` operators). `tests-src/README.md`, "The `calls` guest", describes
//! the language.

use crate::{check_detail, fmt};
use alloc::string::String;
use alloc::vec::Vec;

/// One statement: its tokens, the name its results are bound to (`as
/// NAME`) and the outcomes it expects (`=> a|b`).
pub struct Statement<'a> {
    pub text: &'a str,
    pub toks: Vec<&'a str>,
    pub bind: Option<&'a str>,
    pub expect: Option<&'a str>,
}

impl<'a> Statement<'a> {
    pub fn parse(text: &'a str) -> Statement<'a> {
        let (body, expect) = match text.split_once(" => ") {
            Some((b, x)) => (b, Some(x.trim())),
            None => (text, None),
        };
        let mut toks: Vec<&str> = body.split(' ').filter(|t| !t.is_empty()).collect();
        let mut bind = None;
        if toks.len() >= 2 && toks[toks.len() - 2] == "as" {
            bind = Some(toks[toks.len() - 1]);
            toks.truncate(toks.len() - 2);
        }
        Statement {
            text,
            toks,
            bind,
            expect,
        }
    }

    /// The check of `=> EXPECT` against what the call gave (`ok` or an
    /// error name), named after the statement; nothing without `=>`.
    pub fn check_outcome(&self, got: &str) {
        if let Some(expect) = self.expect {
            let ok = expect.split('|').any(|x| x == got);
            check_detail(self.text, ok, Some(&fmt!("got {got}")));
        }
    }
}

/// A statement the guest cannot run as written: a failed check.
pub fn bad(what: &str) {
    check_detail("statement is well formed", false, Some(what));
}

/// A number: decimal, `0x` hex, `-N` (two's complement) or `max`.
pub fn parse_num(tok: &str) -> Option<u64> {
    if tok == "max" {
        return Some(u64::MAX);
    }
    if let Some(neg) = tok.strip_prefix('-') {
        return parse_num(neg).map(|n| (n as i64).wrapping_neg() as u64);
    }
    if let Some(hex) = tok.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok();
    }
    tok.parse().ok()
}

/// `%XX` escapes any byte; `""` is the empty string; `#N` is N pattern bytes.
pub fn bytes(tok: &str) -> Vec<u8> {
    if tok == "\"\"" {
        return Vec::new();
    }
    if let Some(n) = tok.strip_prefix('#').and_then(parse_num) {
        return (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    }
    let b = tok.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A string argument: [`bytes`], which must be UTF-8 (a WIT `string`).
pub fn string(tok: &str) -> String {
    String::from_utf8(bytes(tok)).unwrap_or_else(|_| {
        bad(&fmt!("not UTF-8: {tok}"));
        String::new()
    })
}

/// A flag set: `none`, names joined by `,`, or a number.
pub fn flags(tok: &str, names: &[(&str, u64)]) -> u64 {
    if tok == "none" {
        return 0;
    }
    if let Some(n) = parse_num(tok) {
        return n;
    }
    let mut v = 0;
    for part in tok.split(',') {
        match names.iter().find(|(n, _)| *n == part) {
            Some((_, bit)) => v |= bit,
            None => bad(&fmt!("unknown flag {part}")),
        }
    }
    v
}

/// An enum case by name (its index in `names`) or a number.
pub fn enum_val(tok: &str, names: &[&str]) -> u32 {
    match names.iter().position(|n| *n == tok) {
        Some(i) => i as u32,
        None => parse_num(tok).unwrap_or_else(|| {
            bad(&fmt!("unknown value {tok}"));
            0
        }) as u32,
    }
}

/// `check OP A B` on numbers: `eq ne lt le gt ge`, and `has` (A has every
/// bit of B) / `lacks` (none of them). `None` for an unknown operator.
pub fn compare(op: &str, a: u64, b: u64) -> Option<bool> {
    Some(match op {
        "eq" => a == b,
        "ne" => a != b,
        "lt" => a < b,
        "le" => a <= b,
        "gt" => a > b,
        "ge" => a >= b,
        "has" => a & b == b,
        "lacks" => a & b == 0,
        _ => return None,
    })
}
