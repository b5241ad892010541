//! Preopened directories, found by name as wasi-libc finds them.
//!
//! Runtimes number preopens differently (wasmer-wasix puts a virtual root
//! `/` at fd 3 and the first `--dir` at 4; WAMR and WasmEdge have their own
//! orders), so guests never assume a number. At start-up (the first call
//! of [`preopens`], which `calls` and `interp` make before anything else)
//! the descriptors from 3 upwards are scanned with **raw, untraced**
//! `fd_prestat_get` until one returns `badf`, exactly like wasi-libc's
//! `__wasilibc_populate_preopens`; each directory preopen's name is read with
//! `fd_prestat_dir_name` and stripped of leading `/` and `./` (and a lone
//! `.`) as wasi-libc's `strip_prefixes` does, so `/sandbox`, `./sandbox`
//! and `sandbox` are all `sandbox`, and `/` and `.` are the empty name.
//!
//! Trace lines print a descriptor that was a preopen at start-up as its
//! label ([`fd_label`]), the JSON string `"$NAME"` (`"$root"` for the empty
//! name), so that runtimes that number preopens differently give the same
//! trace. The label belongs to the number the preopen had at start-up,
//! whatever a later `fd_close` or `fd_renumber` puts there.

use crate::J;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicPtr, Ordering};
use wasi::wasi_snapshot_preview1 as raw;

/// The scan gives up after this many descriptors (a runtime that never
/// says `badf` must not hang the guest).
const SCAN_LIMIT: u32 = 1024;

static PREOPENS: AtomicPtr<Vec<(String, u32)>> = AtomicPtr::new(core::ptr::null_mut());

/// The preopened directories as `(name, fd)`, in fd order, names stripped
/// (see the module docs). Scanned once, with raw calls that are not traced;
/// later calls return the same table.
pub fn preopens() -> &'static [(String, u32)] {
    let mut table = PREOPENS.load(Ordering::Acquire);
    if table.is_null() {
        let fresh = Box::into_raw(Box::new(scan()));
        table = match PREOPENS.compare_exchange(
            core::ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(first) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                first
            }
        };
    }
    // SAFETY: set once from a leaked Box, never freed.
    unsafe { &*table }
}

/// wasi-libc's `__wasilibc_populate_preopens`, with raw calls: fds from 3
/// up to the first `badf`; a non-directory prestat is skipped; any other
/// error ends the scan (wasi-libc aborts there).
fn scan() -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for fd in 3..3 + SCAN_LIMIT {
        let mut prestat = [0u32; 2];
        let code = unsafe { raw::fd_prestat_get(fd as i32, prestat.as_mut_ptr() as i32) };
        if code != 0 {
            // `badf` ends the list; wasi-libc aborts on any other error.
            break;
        }
        if prestat[0] & 0xff != 0 {
            continue;
        }
        let len = prestat[1] as usize;
        let mut name = vec![0u8; len];
        let code =
            unsafe { raw::fd_prestat_dir_name(fd as i32, name.as_mut_ptr() as i32, len as i32) };
        if code != 0 {
            break;
        }
        // wasi-libc NUL-terminates the name and uses it as a C string.
        if let Some(nul) = name.iter().position(|b| *b == 0) {
            name.truncate(nul);
        }
        let name = String::from_utf8_lossy(&name);
        out.push((String::from(strip_prefixes(&name)), fd));
    }
    out
}

/// wasi-libc's `strip_prefixes`: drops leading `/`, `./`, and a lone `.`.
pub fn strip_prefixes(mut path: &str) -> &str {
    loop {
        if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if path == "." {
            path = "";
        } else {
            return path;
        }
    }
}

/// wasi-libc's `prefix_matches`: the empty prefix matches any relative path;
/// otherwise the prefix (trailing `/` ignored) must be whole components of
/// `path`.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    if prefix.is_empty() && !path.starts_with('/') {
        return true;
    }
    if !path.as_bytes().starts_with(prefix.as_bytes()) {
        return false;
    }
    let trimmed = prefix.trim_end_matches('/').len();
    matches!(path.as_bytes().get(trimmed), None | Some(b'/'))
}

/// The preopen wasi-libc would resolve `path` against
/// (`__wasilibc_find_abspath`): leading `/` and `./` stripped, the longest
/// preopen name that is a prefix of whole components, the later preopen on
/// a tie. `None` when no preopen matches.
pub fn preopen(path: &str) -> Option<u32> {
    let path = strip_prefixes(path);
    let mut best: Option<(usize, u32)> = None;
    for (name, fd) in preopens().iter().rev() {
        if best.is_none_or(|(len, _)| name.len() > len) && prefix_matches(name, path) {
            best = Some((name.len(), *fd));
        }
    }
    best.map(|(_, fd)| fd)
}

/// The preopen whose stripped name is exactly `name` (after stripping
/// `name` the same way; trailing `/` ignored on both), the later one if
/// several are. `preopen_named("")` is the root (`/` or `.`).
pub fn preopen_named(name: &str) -> Option<u32> {
    let want = strip_prefixes(name).trim_end_matches('/');
    preopens()
        .iter()
        .rev()
        .find(|(n, _)| n.trim_end_matches('/') == want)
        .map(|(_, fd)| *fd)
}

/// The label of a preopen's name: `$NAME`, or `$root` for the empty name.
pub fn preopen_label(name: &str) -> String {
    let name = name.trim_end_matches('/');
    if name.is_empty() {
        String::from("$root")
    } else {
        let mut s = String::from("$");
        s.push_str(name);
        s
    }
}

/// How trace lines print a descriptor argument: the label of the preopen
/// that had this number at start-up (`"$sandbox"`), else the number.
/// Stdio (0-2) is never a preopen and never triggers the scan.
pub fn fd_label(fd: u32) -> J {
    if fd < 3 {
        return J::from(fd);
    }
    match preopens().iter().find(|(_, n)| *n == fd) {
        Some((name, _)) => J::Str(preopen_label(name)),
        None => J::from(fd),
    }
}

/// A short description of the preopens found, for a failed check's detail:
/// `"" (fd 3), "sandbox" (fd 4)`, or `none`.
pub fn preopens_summary() -> String {
    let list = preopens();
    if list.is_empty() {
        return String::from("none");
    }
    let mut s = String::new();
    for (i, (name, fd)) in list.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&crate::fmt!("{:?} (fd {fd})", name));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_like_wasi_libc() {
        assert_eq!(strip_prefixes("/sandbox"), "sandbox");
        assert_eq!(strip_prefixes("./sandbox"), "sandbox");
        assert_eq!(strip_prefixes("sandbox"), "sandbox");
        assert_eq!(strip_prefixes("//./a/b"), "a/b");
        assert_eq!(strip_prefixes("/"), "");
        assert_eq!(strip_prefixes("."), "");
        assert_eq!(strip_prefixes("./"), "");
        assert_eq!(strip_prefixes(".a"), ".a");
    }

    #[test]
    fn prefixes_match_whole_components() {
        assert!(prefix_matches("", "a/b"));
        assert!(prefix_matches("a", "a/b"));
        assert!(prefix_matches("a", "a"));
        assert!(prefix_matches("a/", "a/b"));
        assert!(!prefix_matches("a", "ab"));
        assert!(!prefix_matches("a/b", "a"));
    }
}
