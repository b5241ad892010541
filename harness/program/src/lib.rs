//! The call programs of the wasi-conform differential fuzzer.
//!
//! A [`Program`] is a list of [`Op`]s, each one preview1 call that touches
//! state, with operands chosen so most calls are meaningful. Its text form
//! is one op per line, the witx function name followed by its operands:
//!
//! ```text
//! path_open $3 follow "d/n" creat|excl all all append
//! fd_write $4 100 7
//! fd_seek $4 -3 end
//! fd_readdir $3 64 1
//! poll_oneoff $4:r,$1:w
//! ```
//!
//! Descriptors are *slots* (`$n`) of the interpreter's table, never raw fd
//! numbers (runtimes number fds differently): `$0`-`$2` are stdio, `$3` the
//! preopened sandbox (whatever number the runtime gave it: the interpreter
//! finds the preopen named [`SANDBOX_PREOPEN`] at start-up, as wasi-libc
//! finds preopens), and each `path_open` fills the next slot, in program
//! order, whether or not it succeeds. A slot that holds no open fd (its
//! `path_open` failed, or it was closed or renumbered away) stands for an fd
//! no runtime has open, `UNBOUND_FD + n`.
//!
//! The interpreter guest (`tests-src/interp`) parses this text from stdin
//! and runs it; the harness generates programs (feature `arbitrary`),
//! minimises them and writes them into reproducers and cases.

// `no_std` for the guest; the `arbitrary` derive needs std.
#![cfg_attr(not(feature = "arbitrary"), no_std)]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The fd an unbound slot `$n` stands for: `UNBOUND_FD + n`.
pub const UNBOUND_FD: u32 = 0x7fff_ff00;
/// Slots `$0`-`$3`: stdin, stdout, stderr and the preopened sandbox.
pub const INITIAL_SLOTS: usize = 4;
/// The slot of the preopened sandbox, `$3`.
pub const SANDBOX_SLOT: usize = 3;
/// The name the interpreter finds the sandbox preopen by: the harness
/// preopens it as `/sandbox`, and wasi-libc's rule strips leading `/` and
/// `./` (so a runtime reporting `/sandbox`, `./sandbox` or `sandbox` is
/// found alike). Whatever fd number the runtime gave it, slot `$3` holds it.
pub const SANDBOX_PREOPEN: &str = "sandbox";
/// The largest buffer an op may ask for.
pub const MAX_LEN: u32 = 1 << 20;

/// One operand type: how it is written and read back as one token.
pub trait Operand: Sized {
    /// Appends the token.
    fn write(&self, out: &mut String);
    /// Parses one token.
    fn parse(token: &str) -> Result<Self, String>;
    /// Calls `f` on every descriptor slot inside the operand.
    fn visit_fds(&mut self, _f: &mut dyn FnMut(&mut Fd)) {}
    /// Whether the value is one the witx does not define: a flag bit it
    /// does not name, an enum value past its last case.
    fn is_undefined(&self) -> bool {
        false
    }
    /// The path, when the operand is one.
    fn as_path(&self) -> Option<&str> {
        None
    }
    /// The slot, when the operand is a descriptor.
    fn as_fd(&self) -> Option<Fd> {
        None
    }
}

macro_rules! ops {
    ($( $(#[$doc:meta])* $variant:ident $name:literal { $($field:ident : $ty:ty),* } )*) => {
        /// One preview1 call with its operands.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[allow(missing_docs)]
        pub enum Op {
            $( $(#[$doc])* $variant { $($field: $ty),* }, )*
        }

        impl Op {
            /// The witx name of the call (the first token of the text form).
            pub fn name(&self) -> &'static str {
                match self { $( Op::$variant { .. } => $name, )* }
            }

            /// Appends the text form (no newline).
            pub fn write(&self, out: &mut String) {
                match self {
                    $( Op::$variant { $($field),* } => {
                        out.push_str($name);
                        $( out.push(' '); $field.write(out); )*
                    } )*
                }
            }

            /// Parses one line of the text form.
            pub fn parse(line: &str) -> Result<Op, String> {
                let tokens = tokenize(line)?;
                let Some((name, args)) = tokens.split_first() else {
                    return Err("empty op".to_string());
                };
                let mut args = args.iter();
                let op = match name.as_str() {
                    $( $name => Op::$variant { $($field: operand(&mut args, stringify!($field))?),* }, )*
                    other => return Err(format!("unknown op `{other}`")),
                };
                match args.next() {
                    Some(extra) => Err(format!("{name}: unexpected operand `{extra}`")),
                    None => Ok(op),
                }
            }

            /// Calls `f` on every descriptor slot the op uses.
            pub fn visit_fds(&mut self, f: &mut dyn FnMut(&mut Fd)) {
                match self {
                    $( Op::$variant { $($field),* } => { $( $field.visit_fds(f); )* } )*
                }
            }

            /// Whether an operand holds a value the witx does not define
            /// (an unnamed flag bit, an enum value out of range): what a
            /// runtime does with it is a robustness matter, not a
            /// requirement (a trap and `inval` are both acceptable).
            pub fn has_undefined_operand(&self) -> bool {
                match self {
                    $( Op::$variant { $($field),* } => { false $( || $field.is_undefined() )* } )*
                }
            }

            /// The path operands, in order.
            pub fn paths(&self) -> Vec<&str> {
                let mut paths = Vec::new();
                match self {
                    $( Op::$variant { $($field),* } => { $( paths.extend($field.as_path()); )* } )*
                }
                paths
            }

            /// The first descriptor operand.
            pub fn first_fd(&self) -> Option<Fd> {
                match self {
                    $( Op::$variant { $($field),* } => { None $( .or($field.as_fd()) )* } )*
                }
            }
        }
    };
}

ops! {
    /// Opens `path` under `dir`; fills the next slot.
    PathOpen "path_open" { dir: Fd, follow: Follow, path: Path, oflags: Oflags, base: Rights, inheriting: Rights, fdflags: Fdflags }
    /// Reads `len` bytes into one iovec.
    FdRead "fd_read" { fd: Fd, len: Len }
    /// Writes `len` bytes of the pattern `seed, seed+1, ...`.
    FdWrite "fd_write" { fd: Fd, len: Len, seed: u8 }
    /// Reads `len` bytes at `offset`.
    FdPread "fd_pread" { fd: Fd, len: Len, offset: Off }
    /// Writes `len` pattern bytes at `offset`.
    FdPwrite "fd_pwrite" { fd: Fd, len: Len, seed: u8, offset: Off }
    /// Moves the offset.
    FdSeek "fd_seek" { fd: Fd, delta: Delta, whence: Whence }
    /// Reads the offset.
    FdTell "fd_tell" { fd: Fd }
    /// Lists the directory with a `buf`-byte buffer from cookie 0, then
    /// again from the cookie after entry `skip`.
    FdReaddir "fd_readdir" { fd: Fd, buf: Len, skip: u8 }
    /// Creates a directory.
    PathCreateDirectory "path_create_directory" { dir: Fd, path: Path }
    /// Removes an empty directory.
    PathRemoveDirectory "path_remove_directory" { dir: Fd, path: Path }
    /// Unlinks a file or symlink.
    PathUnlinkFile "path_unlink_file" { dir: Fd, path: Path }
    /// Renames `from` (under `dir`) to `to` (under `to_dir`).
    PathRename "path_rename" { dir: Fd, from: Path, to_dir: Fd, to: Path }
    /// Hard-links `from` as `to`.
    PathLink "path_link" { dir: Fd, follow: Follow, from: Path, to_dir: Fd, to: Path }
    /// Creates symlink `path` pointing at `target`.
    PathSymlink "path_symlink" { target: Path, dir: Fd, path: Path }
    /// Reads a symlink into a `len`-byte buffer.
    PathReadlink "path_readlink" { dir: Fd, path: Path, len: Len }
    /// Stats a path.
    PathFilestatGet "path_filestat_get" { dir: Fd, follow: Follow, path: Path }
    /// Sets a path's timestamps.
    PathFilestatSetTimes "path_filestat_set_times" { dir: Fd, follow: Follow, path: Path, atim: Time, mtim: Time, flags: Fstflags }
    /// Stats an fd.
    FdFilestatGet "fd_filestat_get" { fd: Fd }
    /// Truncates or extends.
    FdFilestatSetSize "fd_filestat_set_size" { fd: Fd, size: Off }
    /// Sets an fd's timestamps.
    FdFilestatSetTimes "fd_filestat_set_times" { fd: Fd, atim: Time, mtim: Time, flags: Fstflags }
    /// Reads the type and flags of an fd.
    FdFdstatGet "fd_fdstat_get" { fd: Fd }
    /// Sets an fd's flags.
    FdFdstatSetFlags "fd_fdstat_set_flags" { fd: Fd, flags: Fdflags }
    /// Allocates space.
    FdAllocate "fd_allocate" { fd: Fd, offset: Off, len: Off }
    /// Gives advice.
    FdAdvise "fd_advise" { fd: Fd, offset: Off, len: Off, advice: Advice }
    /// Moves `fd` onto `to`; `fd`'s slot becomes unbound.
    FdRenumber "fd_renumber" { fd: Fd, to: Fd }
    /// Closes; the slot becomes unbound.
    FdClose "fd_close" { fd: Fd }
    /// Syncs data and metadata.
    FdSync "fd_sync" { fd: Fd }
    /// Syncs data.
    FdDatasync "fd_datasync" { fd: Fd }
    /// Polls clock or fd subscriptions.
    PollOneoff "poll_oneoff" { subs: Subs }
}

impl Op {
    /// Whether the op fills a new slot.
    pub fn opens_fd(&self) -> bool {
        matches!(self, Op::PathOpen { .. })
    }
}

/// A whole program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// The ops, run in order.
    pub ops: Vec<Op>,
}

impl Program {
    /// The text form: one op per line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for op in &self.ops {
            op.write(&mut out);
            out.push('\n');
        }
        out
    }

    /// Parses the text form; blank lines and `#` comments are skipped.
    /// Errors name the line (`line 3: unknown op ...`).
    pub fn parse(text: &str) -> Result<Program, String> {
        let mut ops = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            ops.push(Op::parse(line).map_err(|e| format!("line {}: {e}", n + 1))?);
        }
        Ok(Program { ops })
    }
}

/// Splits a line into tokens: whitespace separates, `"..."` is one token
/// (returned with its quotes and escapes, for [`Path::parse`]).
fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        if c == '"' {
            token.push(chars.next().expect("peeked"));
            loop {
                match chars.next() {
                    None => return Err("unterminated string".to_string()),
                    Some('\\') => {
                        token.push('\\');
                        token.push(chars.next().ok_or("unterminated string")?);
                    }
                    Some('"') => {
                        token.push('"');
                        break;
                    }
                    Some(c) => token.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                token.push(c);
                chars.next();
            }
        }
        tokens.push(token);
    }
    Ok(tokens)
}

fn operand<'a, T: Operand>(
    args: &mut impl Iterator<Item = &'a String>,
    field: &str,
) -> Result<T, String> {
    let token = args
        .next()
        .ok_or_else(|| format!("missing operand `{field}`"))?;
    T::parse(token).map_err(|e| format!("operand `{field}`: {e}"))
}

fn number<T: core::str::FromStr>(token: &str) -> Result<T, String> {
    token
        .parse()
        .map_err(|_| format!("`{token}` is not a valid number here"))
}

/// A descriptor slot, `$n` (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Fd(pub u8);

impl Operand for Fd {
    fn write(&self, out: &mut String) {
        out.push_str(&format!("${}", self.0));
    }
    fn parse(token: &str) -> Result<Self, String> {
        let n = token
            .strip_prefix('$')
            .ok_or_else(|| format!("`{token}` is not a slot `$n`"))?;
        number(n).map(Fd)
    }
    fn visit_fds(&mut self, f: &mut dyn FnMut(&mut Fd)) {
        f(self)
    }
    fn as_fd(&self) -> Option<Fd> {
        Some(*self)
    }
}

impl Operand for u8 {
    fn write(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
    fn parse(token: &str) -> Result<Self, String> {
        number(token)
    }
}

/// Whether the last path component is followed if it is a symlink
/// (`lookupflags.symlink_follow`): `follow` or `nofollow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Follow(pub bool);

impl Operand for Follow {
    fn write(&self, out: &mut String) {
        out.push_str(if self.0 { "follow" } else { "nofollow" });
    }
    fn parse(token: &str) -> Result<Self, String> {
        match token {
            "follow" => Ok(Follow(true)),
            "nofollow" => Ok(Follow(false)),
            _ => Err(format!("`{token}` is neither `follow` nor `nofollow`")),
        }
    }
}

/// A path, written as a quoted string (`\"`, `\\` and `\xHH` escapes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path(pub String);

impl Operand for Path {
    fn write(&self, out: &mut String) {
        out.push('"');
        for c in self.0.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    fn as_path(&self) -> Option<&str> {
        Some(&self.0)
    }
    fn parse(token: &str) -> Result<Self, String> {
        let inner = token
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .filter(|_| token.len() >= 2)
            .ok_or_else(|| format!("`{token}` is not a quoted path"))?;
        let mut path = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                path.push(c);
                continue;
            }
            match chars.next() {
                Some('x') => {
                    let hex: String = chars.by_ref().take(2).collect();
                    let byte = u8::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|b| b.is_ascii())
                        .ok_or_else(|| format!("bad escape `\\x{hex}`"))?;
                    path.push(byte as char);
                }
                Some(c @ ('"' | '\\')) => path.push(c),
                other => return Err(format!("bad escape `\\{}`", other.unwrap_or(' '))),
            }
        }
        Ok(Path(path))
    }
}

/// Flags written as `a|b` names in bit order (`0` when empty, `bitN` for
/// unnamed bits).
fn write_flags(out: &mut String, bits: u64, names: &[&str]) {
    if bits == 0 {
        out.push('0');
        return;
    }
    let mut first = true;
    for i in 0..64 {
        if bits & (1 << i) != 0 {
            if !first {
                out.push('|');
            }
            first = false;
            match names.get(i) {
                Some(name) => out.push_str(name),
                None => out.push_str(&format!("bit{i}")),
            }
        }
    }
}

fn parse_flags(token: &str, names: &[&str], width: u32) -> Result<u64, String> {
    if token == "0" {
        return Ok(0);
    }
    let mut bits = 0u64;
    for name in token.split('|') {
        let bit = match names.iter().position(|n| *n == name) {
            Some(i) => i as u32,
            None => name
                .strip_prefix("bit")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n < width)
                .ok_or_else(|| format!("unknown flag `{name}`"))?,
        };
        bits |= 1 << bit;
    }
    Ok(bits)
}

macro_rules! flags {
    ($(#[$doc:meta])* $ty:ident($int:ty) [$($name:literal),*]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty(pub $int);

        impl $ty {
            /// The witx names of the bits, in bit order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
        }

        impl Operand for $ty {
            fn write(&self, out: &mut String) {
                write_flags(out, self.0 as u64, Self::NAMES)
            }
            fn parse(token: &str) -> Result<Self, String> {
                parse_flags(token, Self::NAMES, <$int>::BITS).map(|b| $ty(b as $int))
            }
            fn is_undefined(&self) -> bool {
                self.0 as u64 >> Self::NAMES.len() != 0
            }
        }
    };
}

flags!(
    /// `oflags`: creat, directory, excl, trunc.
    Oflags(u8) ["creat", "directory", "excl", "trunc"]
);
flags!(
    /// `fdflags`: append, dsync, nonblock, rsync, sync.
    Fdflags(u8) ["append", "dsync", "nonblock", "rsync", "sync"]
);
flags!(
    /// `fstflags`: atim, atim_now, mtim, mtim_now.
    Fstflags(u8) ["atim", "atim_now", "mtim", "mtim_now"]
);

/// `rights`, written as a preset name (`all`, `none`, `read`, `write`) or hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights(pub u64);

impl Rights {
    /// `typenames.witx` names bits 0 (fd_datasync) to 29 (sock_accept).
    pub const DEFINED_BITS: u32 = 30;

    /// The presets and their bits (`typenames.witx` `$rights`).
    pub const PRESETS: [(&'static str, u64); 4] = [
        // Every right of files and directories (not the socket rights,
        // bits 28 and 29, which no preopen passes on).
        ("all", (1 << 28) - 1),
        ("none", 0),
        // fd_read, fd_seek, fd_tell, fd_readdir, path_open, path_readlink,
        // path_filestat_get, fd_filestat_get, poll_fd_readwrite.
        (
            "read",
            1 << 1 | 1 << 2 | 1 << 5 | 1 << 14 | 1 << 13 | 1 << 15 | 1 << 18 | 1 << 21 | 1 << 27,
        ),
        // fd_datasync, fd_seek, fd_sync, fd_tell, fd_write, fd_allocate,
        // fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times,
        // poll_fd_readwrite.
        (
            "write",
            1 | 1 << 2 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 8 | 1 << 21 | 1 << 22 | 1 << 23 | 1 << 27,
        ),
    ];
}

impl Operand for Rights {
    fn write(&self, out: &mut String) {
        match Self::PRESETS.iter().find(|(_, bits)| *bits == self.0) {
            Some((name, _)) => out.push_str(name),
            None => out.push_str(&format!("{:#x}", self.0)),
        }
    }
    fn parse(token: &str) -> Result<Self, String> {
        if let Some((_, bits)) = Self::PRESETS.iter().find(|(name, _)| *name == token) {
            return Ok(Rights(*bits));
        }
        token
            .strip_prefix("0x")
            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
            .map(Rights)
            .ok_or_else(|| format!("`{token}` is neither a rights preset nor hex"))
    }
    fn is_undefined(&self) -> bool {
        self.0 >> Rights::DEFINED_BITS != 0
    }
}

/// A buffer length, at most [`MAX_LEN`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Len(pub u32);

impl Operand for Len {
    fn write(&self, out: &mut String) {
        out.push_str(&self.0.to_string());
    }
    fn parse(token: &str) -> Result<Self, String> {
        let n: u32 = number(token)?;
        if n > MAX_LEN {
            return Err(format!("{n} is over the limit of {MAX_LEN}"));
        }
        Ok(Len(n))
    }
}

macro_rules! plain_number {
    ($(#[$doc:meta])* $ty:ident($int:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty(pub $int);

        impl Operand for $ty {
            fn write(&self, out: &mut String) {
                out.push_str(&self.0.to_string());
            }
            fn parse(token: &str) -> Result<Self, String> {
                number(token).map($ty)
            }
        }
    };
}

plain_number!(
    /// A file offset or size.
    Off(u64)
);
plain_number!(
    /// A signed seek distance.
    Delta(i64)
);
plain_number!(
    /// A timestamp in nanoseconds.
    Time(u64)
);

macro_rules! named_enum {
    ($(#[$doc:meta])* $ty:ident [$($name:literal),*]) => {
        $(#[$doc])*
        /// Written as its witx name, or as a number when out of range.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty(pub u8);

        impl $ty {
            /// The witx names, by value.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
        }

        impl Operand for $ty {
            fn write(&self, out: &mut String) {
                match Self::NAMES.get(self.0 as usize) {
                    Some(name) => out.push_str(name),
                    None => out.push_str(&self.0.to_string()),
                }
            }
            fn parse(token: &str) -> Result<Self, String> {
                match Self::NAMES.iter().position(|n| *n == token) {
                    Some(i) => Ok($ty(i as u8)),
                    None => number(token).map($ty),
                }
            }
            fn is_undefined(&self) -> bool {
                self.0 as usize >= Self::NAMES.len()
            }
        }
    };
}

named_enum!(
    /// `whence`.
    Whence ["set", "cur", "end"]
);
named_enum!(
    /// `advice`.
    Advice ["normal", "sequential", "random", "willneed", "dontneed", "noreuse"]
);

/// One `poll_oneoff` subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sub {
    /// A relative monotonic-clock timeout in nanoseconds: `clock:N`.
    Clock(u32),
    /// Readiness to read: `$n:r`.
    Read(Fd),
    /// Readiness to write: `$n:w`.
    Write(Fd),
}

/// Subscriptions, comma-separated in one token; userdata is the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subs(pub Vec<Sub>);

impl Operand for Subs {
    fn write(&self, out: &mut String) {
        if self.0.is_empty() {
            out.push('-');
        }
        for (i, sub) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match sub {
                Sub::Clock(ns) => out.push_str(&format!("clock:{ns}")),
                Sub::Read(fd) => out.push_str(&format!("${}:r", fd.0)),
                Sub::Write(fd) => out.push_str(&format!("${}:w", fd.0)),
            }
        }
    }
    fn parse(token: &str) -> Result<Self, String> {
        if token == "-" {
            return Ok(Subs(Vec::new()));
        }
        token
            .split(',')
            .map(|sub| match sub.split_once(':') {
                Some(("clock", ns)) => number(ns).map(Sub::Clock),
                Some((fd, "r")) => Fd::parse(fd).map(Sub::Read),
                Some((fd, "w")) => Fd::parse(fd).map(Sub::Write),
                _ => Err(format!("`{sub}` is not `clock:N`, `$n:r` or `$n:w`")),
            })
            .collect::<Result<_, _>>()
            .map(Subs)
    }
    fn visit_fds(&mut self, f: &mut dyn FnMut(&mut Fd)) {
        for sub in &mut self.0 {
            if let Sub::Read(fd) | Sub::Write(fd) = sub {
                f(fd)
            }
        }
    }
}

#[cfg(feature = "arbitrary")]
mod generate;
#[cfg(feature = "arbitrary")]
pub use generate::PATH_SEGMENTS;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const TEXT: &str = "\
path_open $3 follow \"d/n\" creat|excl all 0x3 append
fd_write $4 100 7
fd_pread $4 5 4096
fd_seek $4 -3 end
fd_seek $4 0 9
fd_readdir $3 64 1
path_symlink \"../a\\\"b\\\\c\\x01\" $3 \"l2\"
path_filestat_set_times $3 nofollow \"/a/\" 0 1000000000 atim|mtim_now
fd_advise $4 0 10 7
poll_oneoff $4:r,$1:w,clock:1000
poll_oneoff -
";

    #[test]
    fn text_round_trips() {
        let program = Program::parse(TEXT).unwrap();
        assert_eq!(program.ops.len(), 11);
        assert_eq!(program.to_text(), TEXT);
        assert_eq!(
            program.ops[6],
            Op::PathSymlink {
                target: Path("../a\"b\\c\u{1}".into()),
                dir: Fd(3),
                path: Path("l2".into())
            }
        );
        assert_eq!(
            program.ops[9],
            Op::PollOneoff {
                subs: Subs(vec![Sub::Read(Fd(4)), Sub::Write(Fd(1)), Sub::Clock(1000)])
            }
        );
    }

    #[test]
    fn undefined_operands_are_unnamed_bits_and_values_out_of_range() {
        let undefined = |line: &str| Op::parse(line).unwrap().has_undefined_operand();
        assert!(!undefined(
            "path_open $3 follow \"a\" creat|excl all all append"
        ));
        assert!(undefined("path_open $3 follow \"a\" bit4 all all 0"));
        assert!(undefined("path_open $3 follow \"a\" 0 0x40000000 all 0"));
        assert!(undefined("fd_fdstat_set_flags $3 bit5"));
        assert!(!undefined("fd_seek $4 0 end"));
        assert!(undefined("fd_seek $4 0 3"));
        assert!(undefined("fd_advise $4 0 10 6"));
        assert!(!undefined("fd_filestat_set_times $4 0 0 atim|mtim_now"));
    }

    #[test]
    fn errors_name_the_line() {
        for (text, needle) in [
            ("fd_tell $4\nfd_tel $4", "line 2: unknown op `fd_tel`"),
            ("fd_tell 4", "line 1: operand `fd`"),
            ("fd_tell $4 $5", "unexpected operand `$5`"),
            ("fd_read $4", "missing operand `len`"),
            ("fd_read $4 2000000", "over the limit"),
            ("path_unlink_file $3 \"a", "unterminated"),
            (
                "path_open $3 follow \"a\" creat|bogus all all 0",
                "unknown flag `bogus`",
            ),
        ] {
            let err = Program::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn the_sandbox_is_an_initial_slot_named_as_wasi_libc_strips_it() {
        assert!(SANDBOX_SLOT < INITIAL_SLOTS);
        assert_eq!(format!("${SANDBOX_SLOT}"), "$3");
        assert!(!SANDBOX_PREOPEN.is_empty());
        assert!(!SANDBOX_PREOPEN.starts_with('/') && !SANDBOX_PREOPEN.starts_with("./"));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let program = Program::parse("# a comment\n\n  fd_tell $3  \n").unwrap();
        assert_eq!(program.ops, vec![Op::FdTell { fd: Fd(3) }]);
    }
}
