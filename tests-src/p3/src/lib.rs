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

pub mod sockets;

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

/// Why a scenario guest stopped before its checks were done.
pub enum Stop {
    /// argv[1] names no scenario of the guest.
    Unknown(String),
    /// Something the scenario needs first failed.
    Setup(String),
}

/// A guest whose argv[1] picks a scenario: `$scenario`, an
/// `async fn(&str) -> Result<(), Stop>`, runs it, and [`end`] ends the
/// command. Exports `run` and gives `main` ([`command!`]).
#[macro_export]
macro_rules! scenario_command {
    ($scenario:path) => {
        struct Scenarios;

        impl $crate::exports::wasi::cli::run::Guest for Scenarios {
            async fn run() -> Result<(), ()> {
                let name = std::env::args().nth(1).unwrap_or_default();
                $crate::end($scenario(&name).await)
            }
        }

        $crate::command!(Scenarios);
    };
}

/// The end of a scenario guest's `run`: an unknown scenario is a failed
/// check `known scenario`, as in the p1 and p2 guests; a failed set-up step
/// is a failed `check_should` `scenario set-up` (the case's requirement was
/// not reached: a diverge, never a `fail`). A failed check fails the
/// command (as `guest_support::finish` does), else it succeeds.
pub fn end(ran: Result<(), Stop>) -> Result<(), ()> {
    match ran {
        Ok(()) => {}
        Err(Stop::Unknown(name)) => {
            guest_support::check_detail("known scenario", false, Some(&name));
        }
        Err(Stop::Setup(why)) => {
            guest_support::check_should("scenario set-up", false, Some(&why));
        }
    }
    guest_support::finish();
    Ok(())
}
