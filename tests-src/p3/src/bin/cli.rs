//! cli <scenario> [ARG...]: `wasi:cli@0.3.0` environment and run's result.
//! `args` and `env` print what the host gives, one per line.
use guests_p3::exports::wasi::cli::run::Guest;
use guests_p3::wasi::cli::environment;

struct Cli;
guests_p3::command!(Cli);

impl Guest for Cli {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("args") => args.iter().for_each(|a| println!("{a}")),
            Some("env") => environment::get_environment()
                .iter()
                .for_each(|(k, v)| println!("{k}={v}")),
            Some("cwd") => println!("{:?}", environment::get_initial_cwd()),
            // `run` returning `err`: the command fails.
            Some("err") => return Err(()),
            _ => {}
        }
        Ok(())
    }
}
