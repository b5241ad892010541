//! The logic of the libFuzzer targets in `fuzz/fuzz_targets/` (thin
//! wrappers around these functions), smoke-tested here in `cargo test`.

use super::{Program, compare, run_all};
use crate::exec::runtimes::Runtime;
use crate::exec::runtimes::reference::Reference;
use crate::exec::runtimes::wasmtime::Wasmtime;
use crate::layout::Layout;
use arbitrary::{Arbitrary, Unstructured};
use std::path::PathBuf;
use std::sync::OnceLock;
use wasi_conform_reference::abi_p1::{self, Control, FUNCTIONS, ValType};
use wasi_conform_reference::host::{Config, ReferenceHost};
use wasi_conform_reference::trace::Traced;

/// The checkout and the interpreter module, built on first use.
fn interp() -> &'static (Layout, PathBuf) {
    static INTERP: OnceLock<(Layout, PathBuf)> = OnceLock::new();
    INTERP.get_or_init(|| {
        let layout = Layout::discover();
        let wasm = crate::exec::guests::interp(&layout)
            .unwrap_or_else(|e| panic!("cannot build the interpreter: {e:#}"));
        (layout, wasm)
    })
}

/// `diff_p1`: the program in `data` on the reference host and on embedded
/// wasmtime; panics with the reproducer on a divergence.
pub fn diff_p1(data: &[u8]) {
    if let Some(repro) = diff_p1_divergence(data) {
        panic!("divergence\n{repro}");
    }
}

/// The reproducer of `diff_p1`'s divergence on `data`, if any.
pub fn diff_p1_divergence(data: &[u8]) -> Option<String> {
    let program = Program::arbitrary_take_rest(Unstructured::new(data)).ok()?;
    let (layout, wasm) = interp();
    let runtimes: [&dyn Runtime; 2] = [&Reference, &Wasmtime];
    let runs = run_all(layout, &runtimes, wasm, &program).expect("the sandbox can be built");
    let divergence = compare(&runs)?;
    Some(super::repro::render(&program, &runs, &divergence))
}

/// `reference_abi`: raw preview1 calls with arbitrary arguments straight
/// into the reference host's ABI layer over a 64 KiB memory that starts as
/// `data`; the host must never panic.
pub fn reference_abi(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut mem = vec![0u8; 1 << 16];
    let seed_len = data.len().min(mem.len());
    mem[..seed_len].copy_from_slice(&data[..seed_len]);
    let config = Config {
        preopens: vec![("/sandbox".into(), ".".into())],
        output_cap: 1 << 16,
        ..Config::default()
    };
    let mut host = Traced::new(ReferenceHost::new(config).expect("an empty root loads"));
    while !u.is_empty() {
        let Ok(index) = u.choose_index(FUNCTIONS.len()) else {
            return;
        };
        let args: Vec<u64> = FUNCTIONS[index]
            .params
            .iter()
            .map(|ty| {
                // Mostly small values (fds, lengths, pointers into memory).
                let small = u.ratio(3, 4).unwrap_or(true);
                let v: u64 = u.arbitrary().unwrap_or(0);
                let v = if small { v % 4096 } else { v };
                match ty {
                    ValType::I32 => v & 0xffff_ffff,
                    ValType::I64 => v,
                }
            })
            .collect();
        match abi_p1::call(&mut host, &mut mem, index, &args) {
            Ok(_) => {}
            Err(Control::Exit(_)) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasi_conform_reference::rng::SplitMix64;

    fn inputs(count: u64, len: usize) -> impl Iterator<Item = Vec<u8>> {
        (0..count).map(move |seed| {
            let mut bytes = vec![0u8; len];
            SplitMix64::new(seed).fill(&mut bytes);
            bytes
        })
    }

    /// The target runs end to end. It does not assert agreement: the
    /// reference host and wasmtime still differ on many calls (see
    /// `wasi-conform fuzz`), which is what the target is for.
    #[test]
    fn smoke_diff_p1() {
        for input in inputs(200, 512) {
            diff_p1_divergence(&input);
        }
    }

    #[test]
    fn smoke_reference_abi() {
        for input in inputs(500, 2048) {
            reference_abi(&input);
        }
    }
}
