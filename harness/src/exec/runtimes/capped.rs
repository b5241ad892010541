//! An in-memory output buffer that keeps at most `cap` bytes.

/// Bytes written up to a cap; writes past it are dropped (and reported as
/// written, so the guest runs on) and the buffer is marked truncated.
#[derive(Debug, Default)]
pub struct CappedBuffer {
    bytes: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl CappedBuffer {
    /// An empty buffer keeping at most `cap` bytes.
    pub fn new(cap: usize) -> CappedBuffer {
        CappedBuffer {
            bytes: Vec::new(),
            cap,
            truncated: false,
        }
    }

    /// The bytes kept, and whether any were dropped.
    pub fn contents(&self) -> (Vec<u8>, bool) {
        (self.bytes.clone(), self.truncated)
    }
}

impl std::io::Write for CappedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.cap.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&buf[..buf.len().min(room)]);
        self.truncated |= buf.len() > room;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn keeps_up_to_the_cap() {
        let mut buffer = CappedBuffer::new(4);
        assert_eq!(buffer.write(b"abc").unwrap(), 3);
        assert_eq!(buffer.contents(), (b"abc".to_vec(), false));
        assert_eq!(buffer.write(b"def").unwrap(), 3);
        assert_eq!(buffer.contents(), (b"abcd".to_vec(), true));
    }
}
