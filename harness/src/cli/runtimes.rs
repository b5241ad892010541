//! `runtimes`, `setup` and the hidden `worker` and `host`: which runtimes
//! there are, installing a command runtime, serving runs of an embedded
//! one, and running one guest live on embedded wasmtime.

use super::args::HostOptions;
use crate::exec::fixture::Preopen;
use crate::exec::runtimes::{self, Invocation, Limits, Runtime, command, wasmtime};
use crate::layout::Layout;
use crate::model::abi::World;
use crate::model::outcome::Status;
use crate::model::verdict::RunError;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::Duration;

/// `runtimes`: every known runtime, available or not (and why).
pub fn list(layout: Layout, json: bool) -> Result<u8> {
    let runtimes = runtimes::all(&layout.templates, &layout.root)?;
    let rows: Vec<serde_json::Value> = runtimes
        .iter()
        .map(|r| {
            let availability = r.availability();
            serde_json::json!({
                "name": r.name(),
                "available": availability.is_ok(),
                "version": if availability.is_ok() { Some(r.version()) } else { None },
                "abis": r.abis(),
                "reason": availability.err(),
                "not_run": runtimes::missing_abis(r.as_ref())
                    .into_iter()
                    .map(|(abi, why)| {
                        let why = why.unwrap_or_else(|| "no reason recorded".into());
                        (abi.name().to_string(), serde_json::Value::from(why))
                    })
                    .collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    for row in &rows {
        let abis: Vec<&str> = row["abis"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        let state = match row["reason"].as_str() {
            None => format!("available  {}", row["version"].as_str().unwrap_or("")),
            Some(reason) => format!("missing    {reason}"),
        };
        println!(
            "{:<14} {:<26} {state}",
            row["name"].as_str().unwrap_or(""),
            abis.join(",")
        );
        for (abi, why) in row["not_run"].as_object().into_iter().flatten() {
            println!("{:<14} no {abi}: {}", "", why.as_str().unwrap_or(""));
        }
    }
    Ok(0)
}

/// `setup NAME`: installs a command runtime with its template's steps.
pub fn setup(layout: Layout, name: &str) -> Result<u8> {
    let templates = command::load_templates(&layout.templates, &layout.root)?;
    match templates.iter().find(|t| t.name == name) {
        Some(template) => {
            template.install()?;
            println!("{name}: installed ({})", template.version());
            Ok(0)
        }
        None => match runtimes::embedded().iter().find(|r| r.name() == name) {
            Some(embedded) => match embedded.availability() {
                Ok(()) => {
                    println!("{name}: embedded in wasi-conform, nothing to set up");
                    Ok(0)
                }
                Err(why) => bail!("{name}: embedded adapter, not available in this build: {why}"),
            },
            None => {
                let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
                bail!(
                    "unknown runtime `{name}` (command runtimes: {})",
                    names.join(", ")
                )
            }
        },
    }
}

/// `worker NAME`: serves runs of an embedded runtime until stdin closes.
pub fn worker(name: &str) -> Result<u8> {
    let runtime = runtimes::embedded()
        .into_iter()
        .find(|r| r.name() == name)
        .with_context(|| format!("unknown embedded runtime `{name}`"))?;
    runtimes::worker::serve(runtime.as_ref())?;
    Ok(0)
}

/// `host`: one guest on embedded wasmtime with this process's stdio
/// ([`wasmtime::run_live`]); its exit status is the guest's, 134 after a
/// trap, 3 when it cannot be linked, 124 after the timeout.
pub fn host(options: &HostOptions) -> Result<u8> {
    let split = |text: &String, on: &str, what: &str| {
        text.split_once(on)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .with_context(|| format!("{what} `{text}`: expected `{on}` in it"))
    };
    let preopens = options
        .dirs
        .iter()
        .map(|dir| {
            let (host, guest) = split(dir, "::", "--dir")?;
            Ok(Preopen {
                guest,
                host: host.into(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let env = options
        .envs
        .iter()
        .map(|pair| split(pair, "=", "--env"))
        .collect::<Result<Vec<_>>>()?;
    let mut argv = vec![options.argv0.clone()];
    argv.extend(options.args.iter().cloned());
    let world = if options.http_service {
        World::HttpService
    } else {
        World::Command
    };
    let invocation = Invocation {
        abi: options.abi,
        wasm: &options.wasm,
        argv,
        env: &env,
        stdin: b"",
        sandbox_root: Path::new("."),
        preopens: &preopens,
        proposals: &options.proposals,
        fixture: None,
        limits: Limits {
            timeout: Duration::from_secs(options.timeout),
            ..Limits::default()
        },
    };
    let (code, why) = match wasmtime::run_live(&invocation, world) {
        Ok(Status::Exit(code)) => return Ok(code as u8),
        Ok(Status::Trap(message)) => (134, format!("the guest trapped: {message}")),
        Err(RunError::Unsupported(why)) => (3, why),
        Err(RunError::Timeout(_)) => (124, "the guest ran out of time".to_string()),
        Err(RunError::Crash(why) | RunError::Harness(why)) => (101, why),
    };
    eprintln!("wasi-conform host: {why}");
    Ok(code)
}
