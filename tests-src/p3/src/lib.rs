//! Bindings to WASI 0.3 for the p3 guests: the `wasi:cli/command@0.3.0`
//! world of `wit/`, which the harness copies from the wasmtime-wasi crate it
//! is built with (`src/p3/wit`; the WIT is never committed here). Each bin
//! exports `wasi:cli/run` with `export!`; its `main` never runs.
wit_bindgen::generate!({
    path: "wit",
    world: "wasi:cli/command@0.3.0",
    pub_export_macro: true,
    default_bindings_module: "guests_p3",
    generate_all,
});
