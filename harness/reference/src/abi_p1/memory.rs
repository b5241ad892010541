//! Guest-memory decoding for the preview1 ABI: raw call arguments (`Args`)
//! and bounds- and alignment-checked linear memory (`Mem`), with the
//! helpers `dispatch` builds on.

use std::ops::Range;

use crate::errno::Errno;

/// Raw call arguments.
pub(super) struct Args<'a>(pub(super) &'a [u64]);

impl Args<'_> {
    pub(super) fn u32(&self, i: usize) -> u32 {
        self.0[i] as u32
    }

    pub(super) fn u64(&self, i: usize) -> u64 {
        self.0[i]
    }

    /// A flags value: a repr too small for the value, or an unknown bit, is
    /// `inval` (RATIONALE.md, "Why `inval` for unknown flag bits and enum values?").
    pub(super) fn flags<T: TryFrom<u32>, F>(
        &self,
        i: usize,
        from_bits: fn(T) -> Option<F>,
    ) -> Result<F, Errno> {
        T::try_from(self.u32(i))
            .ok()
            .and_then(from_bits)
            .ok_or(Errno::Inval)
    }

    /// An enum value: an undefined value is `inval`.
    pub(super) fn enumeration<E>(
        &self,
        i: usize,
        from_wire: fn(u64) -> Option<E>,
    ) -> Result<E, Errno> {
        from_wire(u64::from(self.u32(i))).ok_or(Errno::Inval)
    }
}

/// Guest linear memory, bounds- and alignment-checked.
pub(super) struct Mem<'a>(pub(super) &'a mut [u8]);

impl Mem<'_> {
    /// The byte range `[ptr, ptr+len)`: `fault` if any of it is outside
    /// memory (RATIONALE.md, "Why are out-of-bounds pointers `fault` rather than a trap?").
    pub(super) fn range(&self, ptr: u32, len: u64) -> Result<Range<usize>, Errno> {
        let end = u64::from(ptr).checked_add(len).ok_or(Errno::Fault)?;
        if end > self.0.len() as u64 {
            return Err(Errno::Fault);
        }
        Ok(ptr as usize..end as usize)
    }

    /// Like `range`, for an array of `count` items of `size` bytes, each
    /// aligned to `align`: a misaligned pointer is `fault` (RATIONALE.md,
    /// "Why are misaligned pointers `fault`?").
    pub(super) fn array(
        &self,
        ptr: u32,
        count: u32,
        size: u64,
        align: u32,
    ) -> Result<Range<usize>, Errno> {
        if !ptr.is_multiple_of(align) {
            return Err(Errno::Fault);
        }
        self.range(ptr, u64::from(count) * size)
    }

    /// A checked out-pointer for one value of `size` bytes and `align`.
    pub(super) fn out(&self, ptr: u32, size: usize, align: u32) -> Result<Range<usize>, Errno> {
        self.array(ptr, 1, size as u64, align)
    }

    pub(super) fn bytes(&self, r: Range<usize>) -> &[u8] {
        &self.0[r]
    }

    pub(super) fn put(&mut self, r: &Range<usize>, bytes: &[u8]) {
        self.0[r.start..r.start + bytes.len()].copy_from_slice(bytes);
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"))
    }

    /// A `string` argument: `ilseq` if it is not UTF-8 (RATIONALE.md, "Why
    /// `ilseq` for a path that is not UTF-8?").
    pub(super) fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        let r = self.range(ptr, u64::from(len))?;
        std::str::from_utf8(&self.0[r]).map_err(|_| Errno::Ilseq)
    }

    /// An `iovec`/`ciovec` array: the checked byte range of each buffer.
    pub(super) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<Range<usize>>, Errno> {
        let list = self.array(ptr, count, 8, 4)?;
        list.step_by(8)
            .map(|at| self.range(self.u32_at(at), u64::from(self.u32_at(at + 4))))
            .collect()
    }

    /// The buffers of a `ciovec` array, as slices.
    pub(super) fn ciovecs(&self, ptr: u32, count: u32) -> Result<Vec<&[u8]>, Errno> {
        Ok(self
            .iovecs(ptr, count)?
            .into_iter()
            .map(|r| &self.0[r])
            .collect())
    }

    /// Scatters `data` over `iovs` in order.
    pub(super) fn scatter(&mut self, iovs: &[Range<usize>], mut data: &[u8]) {
        for r in iovs {
            let n = r.len().min(data.len());
            self.0[r.start..r.start + n].copy_from_slice(&data[..n]);
            data = &data[n..];
        }
    }
}

/// Total length of `iovs`, capped at what a `size` result can report.
pub(super) fn total_len(iovs: &[Range<usize>]) -> usize {
    let total: u64 = iovs.iter().map(|r| r.len() as u64).sum();
    total.min(u64::from(u32::MAX)) as usize
}

/// Writes the `\0`-terminated `items` for `args_get`/`environ_get`.
pub(super) fn put_strings(
    m: &mut Mem,
    items: &[Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> Result<(), Errno> {
    let ptr_range = m.array(ptrs, items.len() as u32, 4, 4)?;
    let total: u64 = items.iter().map(|s| s.len() as u64 + 1).sum();
    let buf_range = m.range(buf, total)?;
    let mut at = buf_range.start;
    for (i, item) in items.iter().enumerate() {
        m.put(
            &(ptr_range.start + 4 * i..ptr_range.end),
            &(at as u32).to_le_bytes(),
        );
        m.put(&(at..buf_range.end), item);
        m.0[at + item.len()] = 0;
        at += item.len() + 1;
    }
    Ok(())
}
