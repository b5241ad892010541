//! Case manifests: `tests-src/cases/<area>.toml`, one `[[case]]` table per
//! case, loaded into [`Case`]s.
//!
//! The schema is documented in `tests-src/README.md`; every key is checked
//! (unknown keys are errors) so a typo never silently drops part of a case.

use crate::model::case::Case;
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
    use crate::model::case::Binding;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const MINIMAL: &str = r#"
[[case]]
name = "args/none"
guest = "args"
description = "no arguments"
abis = ["p1", "p2"]
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
                format!("{MINIMAL}binding = \"may\"\n"),
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
    fn binding_defaults_to_must_and_reads_kebab_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "a.toml", MINIMAL);
        assert_eq!(load_file(&path).unwrap()[0].binding, Binding::Must);
        for (text, binding) in [
            ("must", Binding::Must),
            ("should", Binding::Should),
            ("implementation-defined", Binding::ImplementationDefined),
        ] {
            let path = write(
                dir.path(),
                "a.toml",
                &format!("{MINIMAL}binding = \"{text}\"\n"),
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
}
