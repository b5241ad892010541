//! A runtime given pruned guests (`prune_imports`) runs every `calls` case
//! exactly as it runs the whole guest: the imports a case keeps are all it
//! calls, so nothing it reaches traps.

use std::collections::BTreeSet;
use wasi_conform::exec::executor::execute;
use wasi_conform::exec::guests::Guests;
use wasi_conform::exec::runtimes::reference::Reference;
use wasi_conform::exec::runtimes::{Invocation, Limits, Runtime};
use wasi_conform::layout::Layout;
use wasi_conform::model::abi::Abi;
use wasi_conform::model::outcome::RawOutcome;
use wasi_conform::model::verdict::RunError;
use wasi_conform::suite::manifest;

/// The reference host, asking for pruned guests.
struct PrunedReference;

impl Runtime for PrunedReference {
    fn name(&self) -> &str {
        "pruned-reference"
    }
    fn version(&self) -> String {
        Reference.version()
    }
    fn abis(&self) -> &[Abi] {
        Reference.abis()
    }
    fn in_memory(&self) -> bool {
        Reference.in_memory()
    }
    fn prune_imports(&self) -> bool {
        true
    }
    fn run(&self, invocation: &Invocation) -> Result<RawOutcome, RunError> {
        Reference.run(invocation)
    }
}

#[test]
fn every_calls_case_runs_the_same_on_its_pruned_guest() {
    let layout = Layout::discover();
    let cases = manifest::load_dir(&layout.cases).unwrap();
    let guests = Guests::build(&layout, &BTreeSet::from([Abi::P1]), None).unwrap();
    let calls: Vec<_> = cases
        .iter()
        .filter(|case| case.called_imports().is_some() && case.abis.contains(&Abi::P1))
        .collect();
    assert!(calls.len() > 400, "the calls cases: {}", calls.len());
    let run = |runtime: &dyn Runtime, case| {
        let wasm = guests.path("calls", Abi::P1);
        let outcome = execute(
            &layout.fixtures,
            case,
            Abi::P1,
            runtime,
            &wasm,
            Limits::default(),
        );
        format!("{:?}", outcome.unwrap())
    };
    for case in calls {
        let whole = run(&Reference, case);
        assert_eq!(run(&PrunedReference, case), whole, "{}", case.name);
    }
}
