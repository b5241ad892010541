//! `runtimes`, `setup` and the hidden `worker`: which runtimes there are,
//! installing a command runtime, and serving runs of an embedded one.

use crate::exec::runtimes::{self, Runtime, command};
use crate::layout::Layout;
use anyhow::{Context, Result, bail};

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
