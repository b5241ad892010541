//! Preview1 errnos as `wasi:filesystem` error codes (RATIONALE.md, "How do
//! preview1 errnos become WASI 0.2 error codes?").

use wasmtime_wasi::p2::FsError;
// The error code a trappable `FsError` carries (the sync traits convert it).
use wasmtime_wasi::p2::bindings::filesystem::types::ErrorCode;

use crate::errno::Errno;
use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode as HttpErrorCode;

/// The `error-code` whose POSIX equivalent (named in the WIT) is `errno`.
/// `notcapable` is a descriptor without the access the call needs, which
/// POSIX reports as `EBADF`; an errno the WIT names no code for is `io`.
pub fn error_code(errno: Errno) -> ErrorCode {
    use ErrorCode as C;
    match errno {
        Errno::Acces => C::Access,
        Errno::Again => C::WouldBlock,
        Errno::Already => C::Already,
        Errno::Badf | Errno::Notcapable => C::BadDescriptor,
        Errno::Busy => C::Busy,
        Errno::Deadlk => C::Deadlock,
        Errno::Dquot => C::Quota,
        Errno::Exist => C::Exist,
        Errno::Fbig => C::FileTooLarge,
        Errno::Ilseq => C::IllegalByteSequence,
        Errno::Inprogress => C::InProgress,
        Errno::Intr => C::Interrupted,
        Errno::Inval => C::Invalid,
        Errno::Isdir => C::IsDirectory,
        Errno::Loop => C::Loop,
        Errno::Mlink => C::TooManyLinks,
        Errno::Msgsize => C::MessageSize,
        Errno::Nametoolong => C::NameTooLong,
        Errno::Nodev => C::NoDevice,
        Errno::Noent => C::NoEntry,
        Errno::Nolck => C::NoLock,
        Errno::Nomem => C::InsufficientMemory,
        Errno::Nospc => C::InsufficientSpace,
        Errno::Nosys | Errno::Notsup => C::Unsupported,
        Errno::Notdir => C::NotDirectory,
        Errno::Notempty => C::NotEmpty,
        Errno::Notrecoverable => C::NotRecoverable,
        Errno::Notty => C::NoTty,
        Errno::Nxio => C::NoSuchDevice,
        Errno::Overflow => C::Overflow,
        Errno::Perm => C::NotPermitted,
        Errno::Pipe => C::Pipe,
        Errno::Rofs => C::ReadOnly,
        Errno::Spipe => C::InvalidSeek,
        Errno::Txtbsy => C::TextFileBusy,
        Errno::Xdev => C::CrossDevice,
        _ => C::Io,
    }
}

/// `error_code` as the trappable error the filesystem traits return.
pub fn fs_error(errno: Errno) -> FsError {
    error_code(errno).into()
}

/// What a `wasi:io/error` holds: the errno a stream operation failed
/// with, or the wasi:http `error-code` a body's stream ended with.
#[derive(Debug, Clone)]
pub enum IoError {
    Errno(Errno),
    Http(HttpErrorCode),
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IoError::Errno(errno) => write!(f, "errno {errno}"),
            IoError::Http(code) => write!(f, "HTTP error {code:?}"),
        }
    }
}

/// A failed stream operation carries its error to `convert-stream-error`,
/// which turns it into a `wasi:io/error` resource.
#[derive(Debug)]
pub struct Failed(pub IoError);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for Failed {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_equivalents() {
        assert!(matches!(error_code(Errno::Noent), ErrorCode::NoEntry));
        assert!(matches!(
            error_code(Errno::Notcapable),
            ErrorCode::BadDescriptor
        ));
        assert!(matches!(error_code(Errno::Rofs), ErrorCode::ReadOnly));
        assert!(matches!(error_code(Errno::Connreset), ErrorCode::Io));
        // Every errno maps without panicking.
        for e in Errno::ALL {
            let _ = error_code(*e);
        }
    }
}
