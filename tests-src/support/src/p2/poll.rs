//! wasi:io/poll. A pollable argument prints as its label (`"$p"`).

use crate::{J, obj, trace};
use alloc::vec::Vec;
use wasip2::io::poll::{self, Pollable};

/// `pollable.ready`: args `{"self":label}`, ret `{"ready":bool}`.
pub fn ready(p: &Pollable, label: &str) -> bool {
    let r = p.ready();
    trace(
        "pollable.ready",
        obj! {"self" => label},
        Ok(obj! {"ready" => r}),
    );
    r
}

/// `pollable.block`: args `{"self":label}`, ret `{}`.
pub fn block(p: &Pollable, label: &str) {
    p.block();
    trace("pollable.block", obj! {"self" => label}, Ok(obj!()));
}

/// `poll.poll(in)`: args `{"in":[labels]}`, ret `{"ready":[indexes]}` in
/// the order the host returns them.
pub fn poll(list: &[(&Pollable, &str)]) -> Vec<u32> {
    let pollables: Vec<&Pollable> = list.iter().map(|(p, _)| *p).collect();
    let ready = poll::poll(&pollables);
    let labels: Vec<J> = list.iter().map(|(_, l)| J::from(*l)).collect();
    trace(
        "poll.poll",
        obj! {"in" => J::Arr(labels)},
        Ok(obj! {"ready" => ready.clone()}),
    );
    ready
}
