//! Bindings to WASI 0.3 for the p3 guests: the `wasi:cli/command@0.3.0`
//! world of `wit/`, which the harness copies from the wasmtime-wasi crate it
//! is built with (`src/p3/wit`; the WIT is never committed here). Each bin
//! exports `wasi:cli/run` with `export!`; its `main` never runs.
wit_bindgen::generate!({
    path: "wit",
    world: "wasi:cli/command@0.3.0",
    pub_export_macro: true,
    default_bindings_module: "guests_p3",
    additional_derives: [PartialEq, Eq],
    generate_all,
});

/// Exports `$guest` (an implementation of `wasi:cli/run`'s `Guest`) as the
/// command's `run`, and gives the bin the `main` Rust requires, which never
/// runs.
#[macro_export]
macro_rules! command {
    ($guest:ident) => {
        $crate::export!($guest);

        fn main() {
            unreachable!("a WASI 0.3 command runs through wasi:cli/run")
        }
    };
}

/// The end of a scenario guest's `run`: a failed check fails the command
/// (as `guest_support::finish` does), else it succeeds; an unknown
/// scenario is a failed check.
pub fn end(scenario: Option<&str>) -> Result<(), ()> {
    if let Some(unknown) = scenario {
        guest_support::check_detail("known scenario", false, Some(unknown));
    }
    guest_support::finish();
    Ok(())
}
