//! cli <scenario> [ARG...]: `wasi:cli@0.3.0` environment, exit, the
//! terminal interfaces and run's result. `args` and `env` print what the
//! host gives, one per line.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::exports::wasi::cli::run::Guest;
use guests_p3::wasi::cli::{
    environment, exit, stdout, terminal_stderr, terminal_stdin, terminal_stdout,
};
use guests_p3::wit_stream;

struct Cli;
guests_p3::command!(Cli);

impl Guest for Cli {
    async fn run() -> Result<(), ()> {
        match environment::get_arguments().get(1).map(String::as_str) {
            // `run` returning `err`: the command fails.
            Some("err") => Err(()),
            name => guests_p3::end(scenario(name.unwrap_or_default()).await),
        }
    }
}

/// Writes "before exit\n" to stdout through a 0.3 stream and awaits its
/// end, so that the output is out before the guest exits.
async fn before_exit() {
    let (mut tx, rx) = wit_stream::new();
    let done = stdout::write_via_stream(rx);
    tx.write_all(b"before exit\n".to_vec()).await;
    drop(tx);
    let result = done.await;
    check_detail(
        "stdout write-via-stream ends ok",
        result.is_ok(),
        Some(&fmt!("{result:?}")),
    );
}

/// Exits through `exit`, after a line on stdout; a return from it is a
/// failed check.
async fn exit_after_output(name: &str, exit: impl FnOnce()) {
    before_exit().await;
    exit();
    check(&fmt!("{name} does not return"), false);
}

/// Prints whether a `get-terminal-*` function returned a handle.
fn print_terminal<T>(name: &str, terminal: Option<T>) {
    let answer = if terminal.is_some() { "some" } else { "none" };
    println!("{name}: {answer}");
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "args" => environment::get_arguments()
            .iter()
            .for_each(|a| println!("{a}")),
        "env" => environment::get_environment()
            .iter()
            .for_each(|(k, v)| println!("{k}={v}")),
        "env-twice" => {
            let first = environment::get_environment();
            let second = environment::get_environment();
            check_detail(
                "get-environment returns the same values each time",
                first == second,
                Some(&fmt!("{first:?} then {second:?}")),
            );
        }
        "cwd" => println!("{:?}", environment::get_initial_cwd()),
        "exit-ok" => exit_after_output("exit(ok)", || exit::exit(Ok(()))).await,
        "exit-err" => exit_after_output("exit(err)", || exit::exit(Err(()))).await,
        "exit-code-0" => exit_after_output("exit-with-code(0)", || exit::exit_with_code(0)).await,
        "exit-code-1" => exit_after_output("exit-with-code(1)", || exit::exit_with_code(1)).await,
        "terminal-stdin" => {
            print_terminal("get-terminal-stdin", terminal_stdin::get_terminal_stdin())
        }
        "terminal-stdout" => print_terminal(
            "get-terminal-stdout",
            terminal_stdout::get_terminal_stdout(),
        ),
        "terminal-stderr" => print_terminal(
            "get-terminal-stderr",
            terminal_stderr::get_terminal_stderr(),
        ),
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}
