//! The calls that touch no descriptor: arguments, environment, `proc_exit`,
//! `proc_raise` and `random_get`.

use super::ReferenceHost;
use crate::errno::Errno;
use crate::system::Exit;
use crate::types::Signal;

impl ReferenceHost {
    pub(super) fn args_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(self.args.clone())
    }

    pub(super) fn args_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        sizes(&self.args)
    }

    pub(super) fn environ_get(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(self.env.clone())
    }

    pub(super) fn environ_sizes_get(&mut self) -> Result<(u32, u32), Errno> {
        sizes(&self.env)
    }

    /// Any code is handed on (RATIONALE.md, "Why any proc_exit code?").
    pub(super) fn proc_exit(&mut self, rval: u32) -> Exit {
        Exit(rval)
    }

    pub(super) fn proc_raise(&mut self, _sig: Signal) -> Result<(), Errno> {
        // Signals are not supported (RATIONALE.md, "Why `notsup` from proc_raise?").
        Err(Errno::Notsup)
    }

    pub(super) fn random_get(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.rng.fill(buf);
        Ok(())
    }
}

/// (count, bytes including one `\0` each) for `*_sizes_get`.
fn sizes(items: &[Vec<u8>]) -> Result<(u32, u32), Errno> {
    let count = u32::try_from(items.len()).map_err(|_| Errno::Overflow)?;
    let bytes: usize = items.iter().map(|s| s.len() + 1).sum();
    Ok((count, u32::try_from(bytes).map_err(|_| Errno::Overflow)?))
}
