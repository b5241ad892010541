//! The `wasi-conform` command line (see [`wasi_conform::cli`]).

fn main() -> std::process::ExitCode {
    wasi_conform::cli::main()
}
