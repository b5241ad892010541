//! One direction of a TCP connection: the bytes one socket's output
//! stream wrote and the peer's input stream has not read yet.

use std::collections::VecDeque;

use wasmtime_wasi::p2::StreamError;

use super::super::trap;

/// Bytes in flight in one direction at most; `check-write` permits what is
/// left (a full pipe permits 0 until the peer reads).
pub const CAPACITY: u64 = 1 << 20;

/// The reading side of a pipe.
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    Open,
    /// Shut down (`shutdown(receive)` or its input stream dropped): what
    /// arrives is discarded, as a TCP peer cannot tell.
    Shut,
    /// The reading socket is gone: writes fail (`closed`).
    Gone,
}

/// Bytes from a writer to a reader, both sockets of this run.
pub struct Pipe {
    data: VecDeque<u8>,
    /// The writer shut down sending (FIN): reads end once `data` is drained.
    write_shut: bool,
    reader: Reader,
    /// Sockets holding an end (the pipe goes with the last).
    ends: u8,
}

/// A blocking call waiting for something only the guest itself could do:
/// nothing else runs in the model, so it would wait forever.
pub fn deadlock(what: &str) -> wasmtime::Error {
    trap(format!(
        "deadlock: {what} waits for what only this guest could do (another of its sockets, a request body it has not finished), and nothing else runs"
    ))
}

impl Pipe {
    /// An empty pipe between two sockets.
    pub fn new() -> Self {
        Pipe {
            data: VecDeque::new(),
            write_shut: false,
            reader: Reader::Open,
            ends: 2,
        }
    }

    /// Up to `len` bytes: none while the writer is open and nothing
    /// arrived, `closed` at the end of the stream.
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        if self.reader != Reader::Open || (self.data.is_empty() && self.write_shut) {
            return Err(StreamError::Closed);
        }
        let n = len.min(self.data.len());
        Ok(self.data.drain(..n).collect())
    }

    /// Whether a read would not wait: bytes, or the end of the stream.
    pub fn readable(&self) -> bool {
        self.reader != Reader::Open || !self.data.is_empty() || self.write_shut
    }

    /// How many bytes a write may add now; `closed` once the writer shut
    /// down or the reader is gone.
    pub fn room(&self) -> Result<u64, StreamError> {
        match self.reader {
            _ if self.write_shut => Err(StreamError::Closed),
            Reader::Gone => Err(StreamError::Closed),
            Reader::Shut => Ok(CAPACITY),
            Reader::Open => Ok(CAPACITY - self.data.len() as u64),
        }
    }

    /// Whether a write would not wait: room, or `closed`.
    pub fn writable(&self) -> bool {
        !matches!(self.room(), Ok(0))
    }

    /// Appends `bytes`; more than `room` can only come from a blocking
    /// write (a `write` is held to its `check-write`), which would wait for
    /// the guest's own read: a deadlock trap.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        if bytes.len() as u64 > self.room()? {
            return Err(StreamError::Trap(deadlock(
                "a blocking write to a full connection",
            )));
        }
        if self.reader == Reader::Open {
            self.data.extend(bytes);
        }
        Ok(())
    }

    /// `shutdown(receive)`: discards what is queued and what arrives later.
    pub fn shut_read(&mut self) {
        if self.reader == Reader::Open {
            self.reader = Reader::Shut;
        }
        self.data.clear();
    }

    /// `shutdown(send)`: the reader sees the end once it read what is queued.
    pub fn shut_write(&mut self) {
        self.write_shut = true;
    }

    /// The reading socket is dropped: later writes are `closed`.
    pub fn drop_reader(&mut self) {
        self.reader = Reader::Gone;
        self.data.clear();
    }

    /// Lets go of one socket's end; `true` when no socket holds the pipe.
    pub fn release(&mut self) -> bool {
        self.ends = self.ends.saturating_sub(1);
        self.ends == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_then_end_of_stream() {
        let mut p = Pipe::new();
        assert!(!p.readable());
        assert_eq!(p.read(10).unwrap(), b"");
        p.write(b"hello").unwrap();
        assert!(p.readable());
        assert_eq!(p.room().unwrap(), CAPACITY - 5);
        assert_eq!(p.read(3).unwrap(), b"hel");
        p.shut_write();
        assert!(matches!(p.room(), Err(StreamError::Closed)));
        assert_eq!(p.read(10).unwrap(), b"lo");
        assert!(matches!(p.read(10), Err(StreamError::Closed)));
    }

    #[test]
    fn full_pipe_and_gone_reader() {
        let mut p = Pipe::new();
        p.write(&vec![0; CAPACITY as usize]).unwrap();
        assert!(!p.writable());
        assert!(matches!(p.write(b"x"), Err(StreamError::Trap(_))));
        p.shut_read();
        assert!(p.writable());
        p.write(b"discarded").unwrap();
        assert!(matches!(p.read(1), Err(StreamError::Closed)));
        p.drop_reader();
        assert!(matches!(p.write(b"x"), Err(StreamError::Closed)));
        assert!(!p.release());
        assert!(p.release());
    }
}
