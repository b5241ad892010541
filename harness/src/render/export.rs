//! `wasi-conform export --format wasi-testsuite DIR`: writes the suite's p1
//! cases as tests in the WebAssembly/wasi-testsuite format, so any runner of
//! that suite (and `wasi-conform testsuite`) can run them.
//!
//! Each case becomes `DIR/<case>/<guest>.wasm` with `<guest>.json` beside it
//! (one directory per case, so argv[0] stays `<guest>.wasm` and fixtures never
//! collide). The JSON holds the legacy keys upstream's current runner reads
//! (`test_case.py`'s `LEGACY_CONFIG_KEYS`): the case's args (without
//! argv[0]), env, exit code, `root`, and the reference host's stdout (trace
//! lines included: that is what the guest prints) and stderr. A case's one
//! preopen becomes `root`, its directory written as `root.dir` and
//! preopened as `/`, so `/sandbox` is renamed `/`: the case is run on the
//! reference host exactly as exported, and its outcome must still exit as
//! the case expects and pass the guest's checks. Cases the format cannot
//! express (stdin, several preopens) are skipped, and the summary says
//! which and why.

use crate::exec::c_guests;
use crate::exec::executor;
use crate::exec::fixture::{self, Sandbox};
use crate::exec::guests::Guests;
use crate::exec::runtimes::Limits;
use crate::exec::runtimes::reference::Reference;
use crate::judge;
use crate::layout::Layout;
use crate::model::abi::Abi;
use crate::model::case::Case;
use crate::suite::manifest;
use crate::testsuite::spec::Legacy;
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

/// The test formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// WebAssembly/wasi-testsuite: `X.wasm` + `X.json`.
    WasiTestsuite,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "wasi-testsuite" => Ok(Format::WasiTestsuite),
            _ => Err(format!(
                "unknown export format `{s}` (known: wasi-testsuite)"
            )),
        }
    }
}

/// A pipe's buffer on Linux. Upstream's runner reads all of the expected
/// stdout before it reads stderr, so a guest that writes more than this to
/// stderr blocks, and the runner with it.
const PIPE_BUFFER: usize = 64 << 10;

/// The directory a `/` preopen is written as, next to the test.
const ROOT_DIR: &str = "root.dir";

/// A case as the format can say it: the case as it is run for the export
/// (its preopen renamed `/`), the spec's args, env and `root`, and the
/// fixture directory to write next to the test (name there, directory in
/// the sandbox).
#[derive(Debug)]
struct Plan {
    case: Case,
    spec: Legacy,
    copies: Vec<(String, String)>,
    /// Whether the preopen had to be renamed (`/sandbox` to `/`).
    renamed: bool,
}

/// How `case` is expressed in the format, or why it cannot be.
fn plan(case: &Case) -> Result<Plan, String> {
    if !case.stdin.is_empty() {
        // Upstream's `write` operation leaves stdin open until `wait`, so a
        // guest reading to end-of-file would never get there.
        return Err(
            "reads stdin, which upstream's runner leaves open until `wait`: it would wait forever"
                .into(),
        );
    }
    let keys: BTreeSet<&str> = case.env.iter().map(|(k, _)| k.as_str()).collect();
    if keys.len() != case.env.len() {
        return Err("sets an environment variable twice, which a JSON object cannot say".into());
    }
    let mut spec = Legacy {
        args: case.args.clone(),
        env: case.env.clone(),
        ..Legacy::default()
    };
    let mut exported = case.clone();
    let mut copies = Vec::new();
    let mut renamed = false;
    match case.preopens.as_slice() {
        [] => {}
        [(guest, dir)] => {
            spec.root = Some(ROOT_DIR.into());
            copies.push((ROOT_DIR.to_string(), dir.clone()));
            renamed = guest != "/";
            if renamed {
                // The `calls` guest names a preopen `$NAME`; preopened as
                // `/`, it is `$root`.
                let name = guest.trim_start_matches('/');
                spec.args = spec.args.iter().map(|arg| as_root(arg, name)).collect();
                exported.args = spec.args.clone();
            }
            exported.preopens = vec![("/".to_string(), dir.clone())];
        }
        _ => return Err("preopens several directories; the format preopens one, as `/`".into()),
    }
    Ok(Plan {
        case: exported,
        spec,
        copies,
        renamed,
    })
}

/// `arg` with every `$name` token (not followed by more of a name) as `$root`.
fn as_root(arg: &str, name: &str) -> String {
    let token = format!("${name}");
    let mut out = String::new();
    let mut rest = arg;
    while let Some(at) = rest.find(&token) {
        let after = &rest[at + token.len()..];
        let whole = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole { "$root" } else { &token });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct Summary {
    /// The p1 cases there are.
    pub cases: usize,
    /// Cases written.
    pub exported: usize,
    /// Cases written with their preopen renamed (`/name` as `/`).
    pub renamed: usize,
    /// Cases skipped, by why.
    pub skipped: BTreeMap<String, Vec<String>>,
}

/// `export`: writes every expressible p1 case into `dir`, which must not
/// exist or be empty; the directory appears only once complete.
pub fn export(layout: Layout, format: Format, dir: &Path, limits: Limits) -> Result<Summary> {
    let Format::WasiTestsuite = format;
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("{}: cannot read", dir.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{}: exists and is not empty; export writes a fresh directory",
                dir.display()
            );
        }
        std::fs::remove_dir(dir).with_context(|| format!("{}: cannot replace", dir.display()))?;
    }
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".wasi-conform-export-")
        .tempdir_in(parent)
        .with_context(|| format!("{}: cannot write", parent.display()))?;

    let cases: Vec<Case> = manifest::load_dir(&layout.cases)?
        .into_iter()
        .filter(|case| case.abis.contains(&Abi::P1))
        .collect();
    let zig = if cases.iter().any(|case| c_guests::is_c(&case.guest)) {
        Some(c_guests::zig(&layout)?)
    } else {
        None
    };
    let guests = Guests::build(&layout, &BTreeSet::from([Abi::P1]), zig.as_deref())?;
    let mut summary = Summary {
        cases: cases.len(),
        ..Summary::default()
    };
    for case in &cases {
        match export_case(&layout, &guests, case, staging.path(), limits)? {
            Exported::Written(was_renamed) => {
                summary.exported += 1;
                summary.renamed += usize::from(was_renamed);
            }
            Exported::Skipped(why) => summary
                .skipped
                .entry(why)
                .or_default()
                .push(case.name.clone()),
        }
    }
    std::fs::rename(staging.keep(), dir)
        .with_context(|| format!("{}: cannot write", dir.display()))?;
    Ok(summary)
}

/// How an exported case went.
enum Exported {
    /// Written; `true` when a preopen was renamed.
    Written(bool),
    /// Skipped, and why.
    Skipped(String),
}

/// Writes one case under `out`, as the reference host runs it exported.
fn export_case(
    layout: &Layout,
    guests: &Guests,
    case: &Case,
    out: &Path,
    limits: Limits,
) -> Result<Exported> {
    let Plan {
        case: exported,
        mut spec,
        copies,
        renamed,
    } = match plan(case) {
        Ok(plan) => plan,
        Err(why) => return Ok(Exported::Skipped(why)),
    };
    let wasm = guests
        .check(layout, &case.guest, Abi::P1)
        .with_context(|| format!("{}: case `{}`", case.source.display(), case.name))?;
    let outcome = match executor::execute(
        &layout.fixtures,
        &exported,
        Abi::P1,
        &Reference,
        &wasm,
        limits,
    )? {
        Ok(outcome) => outcome,
        Err(err) => {
            let verdict = judge::run_error(&err).verdict;
            return Ok(Exported::Skipped(format!(
                "is `{verdict}` on the reference host"
            )));
        }
    };
    // Upstream's runner gives the guest a stdin pipe it closes only at
    // `wait`, after reading the expected output: a guest that reads stdin
    // waits forever there. One that does behaves otherwise with input.
    let mut with_input = exported.clone();
    with_input.stdin = "wasi-conform\n".into();
    let probe = executor::execute(
        &layout.fixtures,
        &with_input,
        Abi::P1,
        &Reference,
        &wasm,
        limits,
    )?;
    let reads_stdin = probe.is_ok_and(|probe| {
        (&probe.status, &probe.raw_stdout, &probe.stderr)
            != (&outcome.status, &outcome.raw_stdout, &outcome.stderr)
    });
    if reads_stdin {
        return Ok(Exported::Skipped(
            "reads stdin, which upstream's runner leaves open until `wait`: it would wait forever"
                .into(),
        ));
    }
    let ok = outcome.canary.is_ok()
        && judge::exit_problems(case.exit, &outcome).is_empty()
        && outcome.failed_checks().is_empty();
    if !ok {
        return Ok(Exported::Skipped(
            "fails on the reference host as exported (wrong exit, a failed check or an escape)"
                .into(),
        ));
    }
    if outcome.truncated {
        return Ok(Exported::Skipped("prints more than the output cap".into()));
    }
    if outcome.stderr.len() > PIPE_BUFFER {
        return Ok(Exported::Skipped(format!(
            "writes more than {} KiB to stderr, which fills the pipe while \
             upstream's runner still reads stdout: it would wait forever",
            PIPE_BUFFER >> 10
        )));
    }
    let (Ok(stdout), Ok(stderr)) = (
        String::from_utf8(outcome.raw_stdout),
        String::from_utf8(outcome.stderr),
    ) else {
        return Ok(Exported::Skipped(
            "prints bytes that are not UTF-8, which a JSON string cannot hold".into(),
        ));
    };
    spec.exit_code = case.exit;
    spec.stdout = Some(stdout);
    spec.stderr = Some(stderr);

    let case_dir = out.join(&case.name);
    std::fs::create_dir_all(&case_dir)
        .with_context(|| format!("{}: cannot create", case_dir.display()))?;
    let fixture = Sandbox::create(&exported, &layout.fixtures)?;
    for (name, from) in &copies {
        let to = case_dir.join(name);
        std::fs::create_dir_all(&to)
            .and_then(|()| fixture::copy_tree(&fixture.root().join(from), &to))
            .with_context(|| format!("{}: cannot write the fixture", to.display()))?;
    }
    // Plain writes: the whole directory appears at once when it is renamed.
    let mut json = serde_json::to_vec_pretty(&spec)?;
    json.push(b'\n');
    let json_path = case_dir.join(format!("{}.json", case.guest));
    std::fs::write(&json_path, json)
        .with_context(|| format!("{}: cannot write", json_path.display()))?;
    let wasm_path = case_dir.join(format!("{}.wasm", case.guest));
    std::fs::copy(&wasm, &wasm_path)
        .with_context(|| format!("{}: cannot write", wasm_path.display()))?;
    Ok(Exported::Written(renamed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(preopens: &[(&str, &str)]) -> Case {
        let mut case = Case::new("fs/x", "g", "d", vec![Abi::P1]);
        case.args = vec!["a".into()];
        case.env = vec![("K".into(), "v".into()), ("A".into(), "w".into())];
        case.preopens = preopens
            .iter()
            .map(|(g, d)| (g.to_string(), d.to_string()))
            .collect();
        case
    }

    #[test]
    fn the_one_preopen_becomes_root() {
        let none = plan(&case(&[])).unwrap();
        assert_eq!(none.spec.args, ["a"]);
        assert_eq!(none.spec.env[0], ("K".to_string(), "v".to_string()));
        assert!(none.copies.is_empty() && !none.renamed && none.spec.root.is_none());

        let root = plan(&case(&[("/", ".")])).unwrap();
        assert_eq!(root.spec.root.as_deref(), Some(ROOT_DIR));
        assert_eq!(root.copies, [(ROOT_DIR.to_string(), ".".to_string())]);
        assert_eq!(root.case.preopens, [("/".to_string(), ".".to_string())]);
        assert!(!root.renamed);

        let mut calls = case(&[("/sandbox", "x")]);
        calls.args = vec![
            "path_open $sandbox a as f => ok".into(),
            "x $sandbox2 $sandbox".into(),
        ];
        let named = plan(&calls).unwrap();
        assert_eq!(named.case.preopens, [("/".to_string(), "x".to_string())]);
        assert_eq!(
            named.spec.args,
            ["path_open $root a as f => ok", "x $sandbox2 $root"]
        );
        assert_eq!(named.case.args, named.spec.args);
        assert_eq!(named.copies, [(ROOT_DIR.to_string(), "x".to_string())]);
        assert!(named.renamed && named.spec.dirs.is_empty());
        let json = serde_json::to_string(&named.spec).unwrap();
        assert_eq!(
            json,
            r#"{"args":["path_open $root a as f => ok","x $sandbox2 $root"],"env":{"K":"v","A":"w"},"root":"root.dir","exit_code":0}"#
        );
    }

    #[test]
    fn inexpressible_cases_say_why() {
        let why = plan(&case(&[("a", "x"), ("/b", "y")])).unwrap_err();
        assert!(why.contains("several directories"), "{why}");
        let mut stdin = case(&[]);
        stdin.stdin = "x".into();
        assert!(plan(&stdin).unwrap_err().contains("stdin"));
        let mut twice = case(&[]);
        twice.env.push(("K".into(), "again".into()));
        assert!(plan(&twice).unwrap_err().contains("twice"));
    }

    #[test]
    fn only_the_wasi_testsuite_format_is_known() {
        assert_eq!("wasi-testsuite".parse(), Ok(Format::WasiTestsuite));
        assert!(
            "junit"
                .parse::<Format>()
                .unwrap_err()
                .contains("known: wasi-testsuite")
        );
    }
}
