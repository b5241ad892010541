//! A resource table: the values behind the `rep` numbers handed to the
//! guest as `Resource<T>`s, each with a count of live child resources.
//!
//! The component model already checks that a handle is live and of the
//! right type; a rep missing here is therefore an embedder mistake or a
//! child outliving its parent, and both trap instead of panicking.

use std::collections::BTreeMap;

/// Entries beyond this many in one table trap (a guest creating resources
/// without end is stopped before the host runs out of memory).
pub const MAX_ENTRIES: usize = 1 << 20;

struct Entry<V> {
    value: V,
    children: u32,
}

/// Values of one resource type, keyed by rep.
pub struct Table<V> {
    entries: BTreeMap<u32, Entry<V>>,
    next: u32,
    what: &'static str,
}

impl<V> Table<V> {
    /// An empty table of `what`s (the name used in trap messages).
    pub fn new(what: &'static str) -> Self {
        Table {
            entries: BTreeMap::new(),
            next: 0,
            what,
        }
    }

    /// Stores `value` under a fresh rep.
    pub fn insert(&mut self, value: V) -> wasmtime::Result<u32> {
        if self.entries.len() >= MAX_ENTRIES {
            return Err(wasmtime::Error::msg(format!(
                "more than {MAX_ENTRIES} live {}s",
                self.what
            )));
        }
        while self.entries.contains_key(&self.next) {
            self.next = self.next.wrapping_add(1);
        }
        let rep = self.next;
        self.next = self.next.wrapping_add(1);
        self.entries.insert(rep, Entry { value, children: 0 });
        Ok(rep)
    }

    /// The value under `rep`.
    pub fn get(&self, rep: u32) -> wasmtime::Result<&V> {
        self.entries
            .get(&rep)
            .map(|e| &e.value)
            .ok_or_else(|| self.unknown(rep))
    }

    /// The value under `rep`, to change.
    pub fn get_mut(&mut self, rep: u32) -> wasmtime::Result<&mut V> {
        let what = self.what;
        self.entries
            .get_mut(&rep)
            .map(|e| &mut e.value)
            .ok_or_else(|| unknown(what, rep))
    }

    /// Every value, in rep order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|e| &e.value)
    }

    /// Removes `rep`; a value with live children traps, as the WIT's child
    /// resources must be dropped before their parent.
    pub fn remove(&mut self, rep: u32) -> wasmtime::Result<V> {
        match self.entries.get(&rep) {
            None => Err(self.unknown(rep)),
            Some(e) if e.children > 0 => Err(wasmtime::Error::msg(format!(
                "{} {rep} dropped while {} of its child resources are alive",
                self.what, e.children
            ))),
            Some(_) => self
                .entries
                .remove(&rep)
                .map(|e| e.value)
                .ok_or_else(|| self.unknown(rep)),
        }
    }

    /// Counts a new child of `rep`.
    pub fn adopt(&mut self, rep: u32) -> wasmtime::Result<()> {
        match self.entries.get_mut(&rep) {
            Some(e) => {
                e.children = e.children.saturating_add(1);
                Ok(())
            }
            None => Err(self.unknown(rep)),
        }
    }

    /// Forgets a child of `rep` (the parent may already be gone: nothing to do).
    pub fn release(&mut self, rep: u32) {
        if let Some(e) = self.entries.get_mut(&rep) {
            e.children = e.children.saturating_sub(1);
        }
    }

    /// Every value with its rep, in rep order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &V)> {
        self.entries.iter().map(|(rep, e)| (*rep, &e.value))
    }

    fn unknown(&self, rep: u32) -> wasmtime::Error {
        unknown(self.what, rep)
    }
}

fn unknown(what: &str, rep: u32) -> wasmtime::Error {
    wasmtime::Error::msg(format!("no {what} with rep {rep}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_hold_their_parent() {
        let mut t = Table::new("thing");
        let a = t.insert("a").unwrap();
        let b = t.insert("b").unwrap();
        assert_ne!(a, b);
        t.adopt(a).unwrap();
        assert!(t.remove(a).is_err());
        t.release(a);
        assert_eq!(t.remove(a).unwrap(), "a");
        assert!(t.get(a).is_err());
        assert!(t.remove(a).is_err());
        assert!(t.adopt(a).is_err());
        t.release(a);
        assert_eq!(*t.get(b).unwrap(), "b");
    }
}
