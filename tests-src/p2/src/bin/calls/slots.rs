//! What a script's names stand for: resources held in slots (`as f` after
//! `descriptor.open-at`), numbers and bytes bound by `as`, and the
//! preopens, found by name before the first statement.

use guest_support::script::{bad, parse_num};
use guest_support::{check_detail, fmt};
use std::collections::{BTreeMap, BTreeSet};
use wasip2::cli::terminal_input::TerminalInput;
use wasip2::cli::terminal_output::TerminalOutput;
use wasip2::filesystem::types::{Descriptor, DirectoryEntryStream};
use wasip2::io::error::Error;
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream};

/// A resource a statement bound with `as NAME`.
pub(crate) enum Res {
    Desc(Descriptor),
    Dir(DirectoryEntryStream),
    In(InputStream),
    Out(OutputStream),
    Poll(Pollable),
    Err(Error),
    /// Held only to be dropped: a terminal resource has no methods.
    TermIn(#[expect(dead_code, reason = "held to be dropped")] TerminalInput),
    TermOut(#[expect(dead_code, reason = "held to be dropped")] TerminalOutput),
}

impl Res {
    fn kind(&self) -> &'static str {
        match self {
            Res::Desc(_) => "descriptor",
            Res::Dir(_) => "directory-entry-stream",
            Res::In(_) => "input-stream",
            Res::Out(_) => "output-stream",
            Res::Poll(_) => "pollable",
            Res::Err(_) => "error",
            Res::TermIn(_) => "terminal-input",
            Res::TermOut(_) => "terminal-output",
        }
    }
}

pub(crate) struct Ctx {
    /// Resources by the name they were bound to, in the order they were
    /// made: dropped in reverse at the end, children (a stream's pollable)
    /// before their parents.
    slots: Vec<(String, Res)>,
    /// Numbers by name and field (`$st.size`; `$n` is field "").
    vars: BTreeMap<String, BTreeMap<&'static str, u64>>,
    /// Bytes a statement read or returned, by name (`check bytes $r ...`).
    data: BTreeMap<String, Vec<u8>>,
    /// The preopens with their names stripped as wasi-libc strips them.
    preopens: Vec<(Descriptor, String)>,
    /// Every name some statement binds: an unresolved `$NAME` of one of
    /// these is an unset variable, not a missing preopen.
    declared: BTreeSet<String>,
}

/// A preopen's path as wasi-libc names it: leading `/` and `./` stripped
/// (`/` and `.` are the empty name, written `$root`).
fn stripped(path: &str) -> String {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else {
            break;
        }
    }
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

impl Ctx {
    /// Finds the preopens (untraced), before any statement runs.
    pub(crate) fn new(declared: BTreeSet<String>) -> Ctx {
        let preopens = wasip2::filesystem::preopens::get_directories()
            .into_iter()
            .map(|(d, path)| (d, stripped(&path)))
            .collect();
        Ctx {
            slots: Vec::new(),
            vars: BTreeMap::new(),
            data: BTreeMap::new(),
            preopens,
            declared,
        }
    }

    /// The resource `$NAME` names, for a statement that needs a `kind`: a
    /// slot, else (for a descriptor) the preopen named NAME. Anything else
    /// is a failed check (an unknown preopen: `unsupported`) and `None`.
    fn res(&self, tok: &str, kind: &str) -> Option<&Res> {
        let Some(name) = tok.strip_prefix('$') else {
            bad(&fmt!("{kind} {tok}: not a $NAME"));
            return None;
        };
        if let Some(r) = self.slot(name) {
            if r.kind() != kind {
                bad(&fmt!("${name} is a {}, not a {kind}", r.kind()));
                return None;
            }
            return Some(r);
        }
        if self.declared.contains(name) || kind != "descriptor" {
            check_detail(&fmt!("variable ${name} is set"), false, None);
        } else {
            let names: Vec<&str> = self.preopens.iter().map(|(_, n)| n.as_str()).collect();
            guest_support::unsupported(&fmt!("no preopen named `{name}` (preopens: {names:?})"));
        }
        None
    }

    pub(crate) fn desc(&self, tok: &str) -> Option<&Descriptor> {
        if let Some(name) = tok.strip_prefix('$')
            && self.slot(name).is_none()
        {
            let want = if name == "root" { "" } else { name };
            // The later preopen wins a tie, as in wasi-libc.
            if let Some((d, _)) = self.preopens.iter().rev().find(|(_, n)| n == want) {
                return Some(d);
            }
        }
        match self.res(tok, "descriptor")? {
            Res::Desc(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn dir(&self, tok: &str) -> Option<&DirectoryEntryStream> {
        match self.res(tok, "directory-entry-stream")? {
            Res::Dir(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn input(&self, tok: &str) -> Option<&InputStream> {
        match self.res(tok, "input-stream")? {
            Res::In(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn output(&self, tok: &str) -> Option<&OutputStream> {
        match self.res(tok, "output-stream")? {
            Res::Out(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn pollable(&self, tok: &str) -> Option<&Pollable> {
        match self.res(tok, "pollable")? {
            Res::Poll(p) => Some(p),
            _ => None,
        }
    }

    pub(crate) fn error(&self, tok: &str) -> Option<&Error> {
        match self.res(tok, "error")? {
            Res::Err(e) => Some(e),
            _ => None,
        }
    }

    /// Whether `name` holds a resource or has numbers or bytes bound (for
    /// `when $NAME`).
    pub(crate) fn is_set(&self, name: &str) -> bool {
        self.slot(name).is_some() || self.vars.contains_key(name) || self.data.contains_key(name)
    }

    fn slot(&self, name: &str) -> Option<&Res> {
        self.slots.iter().find(|(n, _)| n == name).map(|(_, r)| r)
    }

    /// Takes the resource `name` out of its slot.
    fn take(&mut self, name: &str) -> Option<Res> {
        let i = self.slots.iter().position(|(n, _)| n == name)?;
        Some(self.slots.remove(i).1)
    }

    /// Holds `res` as `name` (dropping what was there); nothing without a
    /// name (the resource is dropped at once).
    pub(crate) fn hold(&mut self, name: Option<&str>, res: Res) {
        if let Some(name) = name {
            drop(self.take(name));
            self.slots.push((name.to_string(), res));
        }
    }

    /// Drops every resource, the newest first.
    pub(crate) fn drop_all(&mut self) {
        while let Some(slot) = self.slots.pop() {
            drop(slot);
        }
    }

    /// `drop $NAME`: drops the resource (or forgets the preopen) it names.
    pub(crate) fn drop_slot(&mut self, tok: &str) {
        let name = tok.strip_prefix('$').unwrap_or(tok);
        if self.take(name).is_none() {
            let want = if name == "root" { "" } else { name };
            match self.preopens.iter().rposition(|(_, n)| n == want) {
                Some(i) => drop(self.preopens.remove(i)),
                None => {
                    check_detail(&fmt!("variable ${name} is set"), false, None);
                }
            }
        }
    }

    /// Binds numbers to `name` (field "" is `$name` itself).
    pub(crate) fn set(&mut self, name: Option<&str>, fields: &[(&'static str, u64)]) {
        if let Some(name) = name {
            self.vars
                .insert(name.to_string(), fields.iter().copied().collect());
        }
    }

    /// Binds bytes to `name`, for `check bytes`.
    pub(crate) fn set_data(&mut self, name: Option<&str>, bytes: &[u8]) {
        if let Some(name) = name {
            self.data.insert(name.to_string(), bytes.to_vec());
        }
    }

    pub(crate) fn data(&self, tok: &str) -> Option<&[u8]> {
        let got = self.data.get(tok.strip_prefix('$')?).map(Vec::as_slice);
        if got.is_none() {
            check_detail(&fmt!("variable {tok} is set"), false, None);
        }
        got
    }

    /// A number: a literal, `$NAME` / `$NAME.FIELD`, or either plus or
    /// minus a literal (`$t+1000000`). An unset variable is a failed check
    /// and 0.
    pub(crate) fn num(&self, tok: &str) -> u64 {
        if let Some(var) = tok.strip_prefix('$') {
            let (var, delta) = match var.find(['+', '-']) {
                Some(i) => (&var[..i], &var[i..]),
                None => (var, ""),
            };
            let (name, field) = var.split_once('.').unwrap_or((var, ""));
            let Some(v) = self.vars.get(name).and_then(|m| m.get(field)) else {
                check_detail(&fmt!("variable ${var} is set"), false, None);
                return 0;
            };
            return match (delta.strip_prefix('+'), delta.strip_prefix('-')) {
                (Some(d), _) => v.wrapping_add(self.num(d)),
                (_, Some(d)) => v.wrapping_sub(self.num(d)),
                _ => *v,
            };
        }
        parse_num(tok).unwrap_or_else(|| {
            bad(&fmt!("not a number: {tok}"));
            0
        })
    }
}
