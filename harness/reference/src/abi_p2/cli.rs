//! `wasi:cli`: environment, exit, stdio streams and the terminal interfaces.

use wasmtime::component::Resource;
use wasmtime_wasi::p2::bindings::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream};

use super::{Input, Output, P2, Sink, Source};
use crate::system::System;

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl<S: System> environment::Host for P2<S> {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        let entries = self.sys.environ_get().unwrap_or_default();
        Ok(entries
            .into_iter()
            .map(|entry| {
                let entry = lossy(entry);
                match entry.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (entry, String::new()),
                }
            })
            .collect())
    }

    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        let args = self.sys.args_get().unwrap_or_default();
        Ok(args.into_iter().map(lossy).collect())
    }

    /// No initial directory: the WIT's `option` leaves it out, and relative
    /// paths have no meaning without a preopen.
    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

impl<S: System> exit::Host for P2<S> {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        self.exit_with_code(if status.is_ok() { 0 } else { 1 })
    }

    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(wasmtime::Error::new(self.sys.proc_exit(status_code.into())))
    }
}

impl<S: System> P2<S> {
    fn output(&mut self, sink: Sink) -> wasmtime::Result<Resource<DynOutputStream>> {
        let rep = self.outputs.insert(Output::new(sink))?;
        Ok(Resource::new_own(rep))
    }
}

impl<S: System> stdin::Host for P2<S> {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<DynInputStream>> {
        Ok(Resource::new_own(
            self.inputs.insert(Input::new(Source::Stdin))?,
        ))
    }
}

impl<S: System> stdout::Host for P2<S> {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        self.output(Sink::Stdout)
    }
}

impl<S: System> stderr::Host for P2<S> {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        self.output(Sink::Stderr)
    }
}

// stdio is never a terminal (it is captured), so no terminal resource is
// ever made and their drops have nothing to do.

impl<S: System> terminal_input::Host for P2<S> {}

impl<S: System> terminal_input::HostTerminalInput for P2<S> {
    fn drop(&mut self, _: Resource<terminal_input::TerminalInput>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl<S: System> terminal_output::Host for P2<S> {}

impl<S: System> terminal_output::HostTerminalOutput for P2<S> {
    fn drop(&mut self, _: Resource<terminal_output::TerminalOutput>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl<S: System> terminal_stdin::Host for P2<S> {
    fn get_terminal_stdin(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_input::TerminalInput>>> {
        Ok(None)
    }
}

impl<S: System> terminal_stdout::Host for P2<S> {
    fn get_terminal_stdout(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}

impl<S: System> terminal_stderr::Host for P2<S> {
    fn get_terminal_stderr(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}
