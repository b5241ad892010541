//! The logic of the libFuzzer targets in `fuzz/fuzz_targets/` (thin
//! wrappers around these functions), smoke-tested here in `cargo test`.

use super::campaign::Campaign;
use super::triage::{Judgement, Triage};
use super::{Program, run_all};
use crate::exec::runtimes::Runtime;
use crate::exec::runtimes::reference::Reference;
use crate::exec::runtimes::wasmtime::Wasmtime;
use crate::layout::Layout;
use arbitrary::{Arbitrary, Unstructured};
use sha2::Digest;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use wasi_conform_reference::abi_p1::{self, Control, FUNCTIONS, ValType};
use wasi_conform_reference::host::{Config, ReferenceHost};
use wasi_conform_reference::trace::Traced;

/// The checkout, the interpreter module (built on first use) and the
/// triage file. A continuous-fuzzing runner has only the built targets: a
/// `wasi-conform/` directory beside the executable, as
/// `.clusterfuzzlite/build.sh` makes it, then stands for the checkout and
/// holds the interpreter ready-built.
fn interp() -> &'static (Layout, PathBuf, Triage) {
    static INTERP: OnceLock<(Layout, PathBuf, Triage)> = OnceLock::new();
    INTERP.get_or_init(|| {
        let bundled = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join("wasi-conform")))
            .filter(|dir| dir.join("interp.wasm").is_file());
        let (layout, wasm) = match bundled {
            Some(dir) => (Layout::new(&dir), dir.join("interp.wasm")),
            None => {
                let layout = Layout::discover();
                let wasm = crate::exec::guests::interp(&layout)
                    .unwrap_or_else(|e| panic!("cannot build the interpreter: {e:#}"));
                (layout, wasm)
            }
        };
        let names = DIFF_P1_RUNTIMES.map(|r| r.name());
        let triage =
            Triage::load(&layout.fuzz_triage(), &names).unwrap_or_else(|e| panic!("{e:#}"));
        (layout, wasm, triage)
    })
}

/// The runtimes `diff_p1` compares: the reference host, then wasmtime.
const DIFF_P1_RUNTIMES: [&dyn Runtime; 2] = [&Reference, &Wasmtime];

/// `diff_p1`: the program in `data` on the reference host and on embedded
/// wasmtime, judged by the suite's rules ([`Triage`]). A kind of divergence
/// new to this process is minimised and its reproducer written under
/// `target/fuzz/diff_p1/` (reported on stderr); the target never panics on
/// a divergence, so a campaign runs on past known ones for hours.
pub fn diff_p1(data: &[u8]) {
    let Some((program, Judgement::New { kind })) = diff_p1_judge(data) else {
        return;
    };
    static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if !SEEN.lock().unwrap().insert(kind.clone()) {
        return;
    }
    let (layout, wasm, triage) = interp();
    let campaign = Campaign {
        layout,
        runtimes: &DIFF_P1_RUNTIMES,
        triage,
        wasm,
    };
    let digest = sha2::Sha256::digest(kind.as_bytes());
    let name: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let path = layout.target.join(format!("fuzz/diff_p1/{name}.repro"));
    if let Err(err) = campaign.reproduce(1, &kind, &program, &path) {
        eprintln!("diff_p1: cannot write the reproducer of `{kind}`: {err:#}");
    }
}

/// The program in `data` and how its runs on the reference host and on
/// embedded wasmtime compare (`None` when the bytes make no program).
pub fn diff_p1_judge(data: &[u8]) -> Option<(Program, Judgement)> {
    let (layout, wasm, triage) = interp();
    let program = Program::arbitrary_take_rest(Unstructured::new(data)).ok()?;
    let program = triage.without_avoided(program);
    let runs =
        run_all(layout, &DIFF_P1_RUNTIMES, wasm, &program).expect("the sandbox can be built");
    let judgement = triage.judge(&program, &runs[0], &runs[1]);
    Some((program, judgement))
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

/// `reference_p2_abi`: WASI 0.2 host calls chosen by `data` (random
/// handles, live, dropped or never made; huge lengths) straight into the
/// reference host's 0.2 layer; the host must never panic.
pub fn reference_p2_abi(data: &[u8]) {
    wasi_conform_reference::abi_p2::nopanic::replay(data);
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

    /// Every divergence between the reference host and wasmtime on these
    /// inputs is one the suite permits or has triaged: a new kind here is a
    /// finding to triage (`expected/fuzz-triage.toml`) or a bug to fix.
    #[test]
    fn smoke_diff_p1_finds_nothing_untriaged() {
        let mut new = BTreeSet::new();
        let mut permitted = 0;
        for input in inputs(200, 512) {
            let Some((program, judgement)) = diff_p1_judge(&input) else {
                continue;
            };
            if let Judgement::New { kind } = &judgement {
                new.insert(format!("{kind}\n{}", program.to_text()));
            }
            permitted += usize::from(judgement == Judgement::Permitted);
        }
        assert!(
            new.is_empty(),
            "new kinds:\n{}",
            new.into_iter().collect::<Vec<_>>().join("\n")
        );
        // The inputs reach the permitting rules, not only agreement.
        assert!(permitted > 0);
    }

    #[test]
    fn smoke_reference_abi() {
        for input in inputs(500, 2048) {
            reference_abi(&input);
        }
    }

    #[test]
    fn smoke_reference_p2_abi() {
        for input in inputs(500, 2048) {
            reference_p2_abi(&input);
        }
    }
}
