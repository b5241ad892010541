//! `certify` and `report`: a runtime's certification report, and the matrix
//! of the latest report of every runtime.

use crate::cli::run::run_with_progress;
use crate::exec::c_guests;
use crate::exec::runtimes::{self, Limits};
use crate::layout::{Layout, write_atomic};
use crate::render::certificate::{self, Certificate, Run};
use crate::render::{html, markdown, summary};
use crate::suite::{Filter, Shard, Suite, manifest};
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// `certify --runtime NAME`: every case on `name` with every ABI it runs;
/// writes `reports/<runtime>-<version>/report.{json,md,html}` (with a
/// `shard`, only that part, as `shard-I-of-N.json` for `report` to merge).
/// Exits 0 once the report is written, whatever the verdicts (`run` is the
/// gate).
pub fn certify(
    layout: Layout,
    name: &str,
    shard: Option<Shard>,
    threads: usize,
    limits: Limits,
) -> Result<u8> {
    let filter = Filter {
        shard,
        ..Filter::default()
    };
    let mut suite = Suite::load(layout, &filter)?;
    suite.check_orphans()?;
    let runtimes = runtimes::select(
        &[name.to_string()],
        &suite.layout.templates,
        &suite.layout.root,
    )?;
    let runtime = &runtimes[0];
    if let Err(why) = runtime.availability() {
        bail!("runtime `{name}` is not available here: {why} (try `wasi-conform setup {name}`)");
    }
    let prepared = suite.prepare()?;
    let ran = run_with_progress(&suite, &prepared, &runtimes, false, threads, limits)?;
    print!("{}", summary::summary(&ran.lines, &ran.records));
    let mut guests = BTreeMap::new();
    let mut calls = BTreeMap::new();
    for (((case, abi), wasm), body) in suite.pairs().zip(&prepared.binaries).zip(&prepared.bodies) {
        calls.insert((case.name.as_str(), abi), certificate::calls(body));
        if runtime.abis().contains(&abi) {
            let bytes =
                std::fs::read(wasm).with_context(|| format!("{}: cannot read", wasm.display()))?;
            guests.insert(
                format!("{}.{abi}", case.guest),
                format!("{:x}", Sha256::digest(&bytes)),
            );
        }
    }
    let toolchains = if guests.keys().any(|guest| c_guests::is_c(guest)) {
        BTreeMap::from([("c".to_string(), c_guests::toolchain())])
    } else {
        BTreeMap::new()
    };
    let version = runtime.version();
    let certificate = Certificate {
        runtime: name.to_string(),
        dir: certificate::dir_name(name, &version),
        version,
        harness: certificate::HARNESS.to_string(),
        date: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        abis: runtime.abis().to_vec(),
        guests,
        toolchains,
        runs: ran
            .records
            .into_iter()
            .map(|mut record| Run {
                calls: calls
                    .get(&(record.case.as_str(), record.abi))
                    .cloned()
                    .unwrap_or_default(),
                record: {
                    record.detail = certificate::evidence(&record.detail);
                    record
                },
            })
            .collect(),
    };
    if let Some(shard) = shard {
        let file = certificate.write_shard(&suite.layout.reports, shard)?;
        println!(
            "wrote {}; once every part of {} is there, `wasi-conform report` merges them into report.json",
            file.display(),
            shard.count
        );
        return Ok(0);
    }
    let dir = certificate.write(&suite.layout.reports)?;
    println!(
        "wrote {}/report.{{json,md,html}}; `wasi-conform report` updates the matrix in {}/index.{{md,html}}",
        dir.display(),
        suite.layout.reports.display()
    );
    Ok(0)
}

/// `report`: merges each report's shard files (`certify --shard`) into its
/// `report.json`, then the latest report of every runtime under `reports/`
/// into `reports/index.md` and `reports/index.html`, and renders each one's
/// `report.md` and `report.html` afresh from its `report.json` (which is
/// rewritten with what is derived from its runs, the comparison of its
/// paths).
pub fn report(layout: Layout) -> Result<u8> {
    let cases = manifest::load_dir(&layout.cases)?;
    let positions: HashMap<&str, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| (case.name.as_str(), i))
        .collect();
    let position = |name: &str| positions.get(name).copied().unwrap_or(usize::MAX);
    for dir in certificate::merge_shards(&layout.reports, position)? {
        println!(
            "merged the shards of {} into its report.json",
            dir.display()
        );
    }
    let certificates = certificate::load_latest(&layout.reports)?;
    for certificate in &certificates {
        certificate.write(&layout.reports)?;
    }
    write_atomic(
        &layout.reports.join("index.md"),
        markdown::index(&certificates).as_bytes(),
    )?;
    write_atomic(
        &layout.reports.join("index.html"),
        html::index(&certificates).as_bytes(),
    )?;
    let names: Vec<&str> = certificates.iter().map(|c| c.runtime.as_str()).collect();
    println!(
        "wrote {}/index.{{md,html}}: {}",
        layout.reports.display(),
        names.join(", ")
    );
    Ok(0)
}
