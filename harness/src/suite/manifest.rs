//! Case manifests: `tests-src/cases/<area>.toml`, one `[[case]]` table per
//! case, loaded into [`Case`]s.
//!
//! The schema is documented in `tests-src/README.md`; every key is checked
//! (unknown keys are errors) so a typo never silently drops part of a case.

use crate::model::abi::Abi;
use crate::model::case::{Binding, Case};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    #[serde(default)]
    case: Vec<Case>,
}

/// Loads every `*.toml` under `dir`, sorted by file name, and validates the cases.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the case directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: no case manifests (*.toml) found", dir.display());
    }
    let mut cases = Vec::new();
    for file in files {
        cases.extend(load_file(&file)?);
    }
    let mut seen = BTreeSet::new();
    for case in &cases {
        if !seen.insert(case.name.as_str()) {
            bail!(
                "{}: case `{}` is defined twice",
                case.source.display(),
                case.name
            );
        }
    }
    Ok(cases)
}

/// Loads and validates one manifest file.
pub fn load_file(path: &Path) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read manifest", path.display()))?;
    let file: ManifestFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].lines().count().max(1))
            .unwrap_or(0);
        anyhow::anyhow!(
            "{}:{line}: {}",
            path.display(),
            e.message().replace('\n', " ")
        )
    })?;
    let mut cases = file.case;
    for case in &mut cases {
        case.source = path.to_owned();
        if let Some(times) = case.stdin_repeat.take() {
            case.stdin = case.stdin.repeat(times);
        }
        validate(case)
            .map_err(|e| anyhow::anyhow!("{}: case `{}`: {e}", path.display(), case.name))?;
    }
    Ok(cases)
}

fn validate(case: &Case) -> Result<(), String> {
    let valid_name = case.name.split_once('/').is_some_and(|(area, slug)| {
        !area.is_empty()
            && !slug.is_empty()
            && case
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
    });
    if !valid_name {
        return Err("name must be `<area>/<slug>` of [A-Za-z0-9/-_.]".into());
    }
    if case.guest.is_empty()
        || !case
            .guest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    {
        return Err(format!("invalid guest name `{}`", case.guest));
    }
    if case.abis.is_empty() {
        return Err("`abis` is empty".into());
    }
    if case.abis.iter().collect::<BTreeSet<_>>().len() != case.abis.len() {
        return Err("`abis` lists an ABI twice".into());
    }
    match (case.binding, &case.quote) {
        (Binding::Must, None) => {
            return Err(
                "a `must` case quotes the sentence of the WASI text that requires it (`quote`)"
                    .into(),
            );
        }
        (Binding::Must, Some(_)) | (_, None) => {}
        (tier, Some(_)) => {
            return Err(format!(
                "only a `must` case has a `quote` (this one is `{}`)",
                tier.name()
            ));
        }
    }
    if case.request.is_some() {
        if case.abis != [Abi::P2] {
            return Err("a case with a `request` is served as a WASI 0.2 \
                 `wasi:http/proxy` component: its `abis` are [\"p2\"]"
                .into());
        }
        if case.server.is_some() || !case.stdin.is_empty() || !case.args.is_empty() {
            return Err("a served case (`request`) has no `server`, `stdin` or `args`".into());
        }
    }
    for entry in &case.fixture {
        check_relative(&entry.path)?;
        let kinds = [
            entry.file.is_some(),
            entry.dir,
            entry.symlink.is_some(),
            entry.hardlink.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(format!(
                "fixture `{}` must be exactly one of file, dir, symlink, hardlink",
                entry.path
            ));
        }
        if let Some(target) = &entry.hardlink {
            check_relative(target)?;
        }
    }
    for (guest, dir) in &case.preopens {
        if guest.is_empty() {
            return Err("a preopen has an empty guest path".into());
        }
        check_relative(dir)?;
    }
    Ok(())
}

/// A fixture path must stay inside the sandbox root: relative, no `..`.
fn check_relative(path: &str) -> Result<(), String> {
    let p = Path::new(path);
    if path.is_empty()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "path `{path}` must be relative to the sandbox root without `..`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::abi::Abi;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A case without its tier.
    const UNTIERED: &str = r#"
[[case]]
name = "args/none"
guest = "args"
description = "no arguments"
abis = ["p1", "p2"]
"#;

    const MINIMAL: &str = r#"
[[case]]
name = "args/none"
guest = "args"
description = "no arguments"
abis = ["p1", "p2"]
binding = "should"
"#;

    #[test]
    fn loads_a_minimal_case_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "args.toml", MINIMAL);
        let cases = load_file(&path).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].area(), "args");
        assert_eq!(cases[0].abis, vec![Abi::P1, Abi::P2]);
        assert_eq!(cases[0].exit, 0);
        assert_eq!(cases[0].source, path);
    }

    #[test]
    fn stdin_repeat_is_expanded_into_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{MINIMAL}stdin = \"ab\\n\"\nstdin_repeat = 3\n");
        let cases = load_file(&write(dir.path(), "stdin.toml", &text)).unwrap();
        assert_eq!(cases[0].stdin, "ab\nab\nab\n");
        assert_eq!(cases[0].stdin_repeat, None);
    }

    #[test]
    fn unknown_key_is_a_one_line_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "bad.toml", &format!("{MINIMAL}exitt = 3\n"));
        let err = load_file(&path).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:", path.display())), "{err}");
        assert!(err.contains("exitt"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn rejects_bad_names_abis_and_escaping_fixture_paths() {
        let dir = tempfile::tempdir().unwrap();
        for (bad, needle) in [
            (MINIMAL.replace("args/none", "nonslash"), "name"),
            (MINIMAL.replace("\"p1\", \"p2\"", ""), "abis"),
            (MINIMAL.replace("\"p2\"", "\"p1\""), "twice"),
            (MINIMAL.replace("\"p2\"", "\"p9\""), "unknown ABI"),
            (
                format!("{UNTIERED}binding = \"may\"\n"),
                "unknown variant `may`",
            ),
            (
                format!("{MINIMAL}[[case.fixture]]\npath = \"../x\"\nfile = \"\"\n"),
                "relative",
            ),
            (
                format!("{MINIMAL}[[case.fixture]]\npath = \"x\"\n"),
                "exactly one",
            ),
        ] {
            let path = write(dir.path(), "bad.toml", &bad);
            let err = load_file(&path).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn binding_is_required_and_reads_kebab_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "a.toml", UNTIERED);
        assert!(
            load_file(&path)
                .unwrap_err()
                .to_string()
                .contains("binding")
        );
        for (text, binding) in [
            ("must", Binding::Must),
            ("should", Binding::Should),
            ("implementation-defined", Binding::ImplementationDefined),
            ("robustness", Binding::Robustness),
        ] {
            let quote = if text == "must" {
                "quote = \"q\"\n"
            } else {
                ""
            };
            let path = write(
                dir.path(),
                "a.toml",
                &format!("{UNTIERED}binding = \"{text}\"\n{quote}"),
            );
            let case = load_file(&path).unwrap().remove(0);
            assert_eq!(case.binding, binding);
            assert_eq!(case.binding.name(), text);
        }
    }

    #[test]
    fn duplicate_names_across_files_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", MINIMAL);
        write(dir.path(), "b.toml", MINIMAL);
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("defined twice"), "{err}");
    }

    /// The doc comments of the spec text the dependency crates ship (the
    /// preview1 witx and the 0.2 WIT of wasmtime-wasi), one string with
    /// the comment markers removed and whitespace collapsed.
    fn spec_text() -> String {
        let root = crate::exec::wit_source::wasmtime_wasi_source().unwrap();
        let mut files = Vec::new();
        let mut dirs = vec![
            root.join("witx/p1"),
            root.join("src/p2/wit"),
            root.join("src/p3/wit"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "witx" || x == "wit") {
                    files.push(path);
                }
            }
        }
        files.push(crate::exec::wit_source::wasi_http_wit().unwrap());
        assert!(files.len() > 2, "{files:?}");
        let mut text = String::new();
        for file in files {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let line = line.trim_start();
                if let Some(doc) = line
                    .strip_prefix(";;;")
                    .or_else(|| line.strip_prefix("///"))
                {
                    text.push_str(doc);
                    text.push(' ');
                }
            }
        }
        collapse(&text)
    }

    fn collapse(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_must_quote_is_verbatim_in_the_spec_text() {
        let spec = spec_text();
        let cases =
            load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests-src/cases")).unwrap();
        let mut missing = Vec::new();
        let mut must = 0;
        for case in &cases {
            if let Some(quote) = &case.quote {
                must += 1;
                if !spec.contains(&collapse(quote)) {
                    missing.push(format!("{}: {quote}", case.name));
                }
            }
        }
        assert!(must > 0);
        assert!(
            missing.is_empty(),
            "quotes not in the spec text:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_must_case_quotes_and_no_other_does() {
        let dir = tempfile::tempdir().unwrap();
        let must = write(
            dir.path(),
            "a.toml",
            &format!("{UNTIERED}binding = \"must\"\n"),
        );
        assert!(
            load_file(&must)
                .unwrap_err()
                .to_string()
                .contains("`quote`")
        );
        let should = write(dir.path(), "b.toml", &format!("{MINIMAL}quote = \"x\"\n"));
        assert!(
            load_file(&should)
                .unwrap_err()
                .to_string()
                .contains("only a `must` case")
        );
    }
}
