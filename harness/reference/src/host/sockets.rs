//! The socket calls: the reference host has no sockets, so each is `badf`
//! or `notsock`.

use super::ReferenceHost;
use crate::errno::Errno;
use crate::types::{Fd, Fdflags, Riflags, Roflags, Sdflags, Siflags};

impl ReferenceHost {
    pub(super) fn sock_accept(&mut self, fd: Fd, _flags: Fdflags) -> Result<Fd, Errno> {
        self.not_a_socket(fd)
    }

    pub(super) fn sock_recv(
        &mut self,
        fd: Fd,
        _len: usize,
        _flags: Riflags,
    ) -> Result<(Vec<u8>, Roflags), Errno> {
        self.not_a_socket(fd)
    }

    pub(super) fn sock_send(
        &mut self,
        fd: Fd,
        _iovs: &[&[u8]],
        _flags: Siflags,
    ) -> Result<u32, Errno> {
        self.not_a_socket(fd)
    }

    pub(super) fn sock_shutdown(&mut self, fd: Fd, _how: Sdflags) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }

    /// There are no sockets: `badf` for a closed fd, `notsock` for an open
    /// one (RATIONALE.md, "Why `badf` or `notsock` from the sock functions?").
    fn not_a_socket<T>(&self, fd: Fd) -> Result<T, Errno> {
        self.desc(fd)?;
        Err(Errno::Notsock)
    }
}
