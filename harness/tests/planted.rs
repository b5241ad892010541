//! The fuzzer end to end on a divergence planted on purpose: a runtime
//! template that wraps Node's node:wasi and lies about one call. `fuzz`
//! must find it, minimise it and write the reproducer; `run --repro` must
//! replay it; `bless --from-repro` must turn it into a case that shows the
//! lie. Needs `node` (as the `node` runtime does).

use std::path::Path;

mod common;
use common::{copy_dir, repo, text, wasi_conform};

/// The lie: `path_create_directory` answers `perm` (63) and creates nothing.
const LIAR_SCRIPT: &str = r#"// node-wasi.mjs with one planted lie.
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (module, imports) => {
  imports.wasi_snapshot_preview1.path_create_directory = () => 63;
  return instantiate(module, imports);
};
await import("./node-wasi.mjs");
"#;

/// A checkout sharing this one's sources and build output, with its own
/// `expected/`, case manifests and runtime templates (the liar added).
fn checkout_with_liar() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let own = ["expected", "harness/runtimes", "tests-src/cases"];
    link_all_but(&repo(), root, &own);
    for path in own {
        copy_dir(&repo().join(path), &root.join(path));
    }
    let templates = root.join("harness/runtimes");
    std::fs::write(templates.join("liar.mjs"), LIAR_SCRIPT).unwrap();
    let node = std::fs::read_to_string(templates.join("node.toml")).unwrap();
    let liar = node
        .replace("name = \"node\"", "name = \"liar\"")
        .replace("node-wasi.mjs", "liar.mjs");
    assert_ne!(liar, node);
    std::fs::write(templates.join("liar.toml"), liar).unwrap();
    dir
}

/// Links every entry of `from` into `to`, except the paths in `own` and
/// the directories leading to them (made real, their other entries linked).
fn link_all_but(from: &Path, to: &Path, own: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        if name == ".git" || own.contains(&name) {
            continue;
        }
        let inside: Vec<&str> = own
            .iter()
            .filter_map(|path| path.strip_prefix(name)?.strip_prefix('/'))
            .collect();
        if inside.is_empty() {
            std::os::unix::fs::symlink(from.join(name), to.join(name)).unwrap();
        } else {
            link_all_but(&from.join(name), &to.join(name), &inside);
        }
    }
}

#[test]
fn a_planted_divergence_is_found_minimised_replayed_and_blessed() {
    let checkout = checkout_with_liar();
    let root = checkout.path();
    let out_dir = root.join("found");
    let out = out_dir.to_str().unwrap();

    // Node against the liar: every difference is the lie.
    let fuzz = wasi_conform(
        root,
        &[
            "fuzz",
            "--runtime",
            "node,liar",
            "--iterations",
            "12",
            "--seed",
            "1",
            "--out",
            out,
        ],
    );
    let stdout = text(&fuzz.stdout);
    assert_eq!(
        fuzz.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&fuzz.stderr)
    );
    let kinds: Vec<&str> = stdout.lines().filter(|l| l.ends_with("[new]")).collect();
    assert!(!kinds.is_empty(), "{stdout}");
    for kind in &kinds {
        assert!(
            kind.contains("node vs liar: path_create_directory: "),
            "{kind}"
        );
        assert!(kind.contains("| \"perm\""), "{kind}");
    }

    // Minimised and written.
    let repro = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|x| x == "repro"))
        .expect("a reproducer was written");
    let text_of_repro = std::fs::read_to_string(&repro).unwrap();
    let program: Vec<&str> = text_of_repro
        .split("== program\n")
        .nth(1)
        .and_then(|rest| rest.split("\n== ").next())
        .expect("the reproducer has a program section")
        .lines()
        .collect();
    // Minimising keeps the kind, errnos included: an op that makes node's
    // answer what it is (an `fd_close $3` before a `badf`) stays.
    assert!(
        program.len() <= 2,
        "minimised to the call and what its kind needs:\n{text_of_repro}"
    );
    assert!(
        program
            .last()
            .is_some_and(|op| op.starts_with("path_create_directory ")),
        "{text_of_repro}"
    );

    // Replayed: it still diverges.
    let replay = wasi_conform(root, &["run", "--repro", repro.to_str().unwrap()]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stdout));

    // Blessed into a case: the reference host agrees with Node, the liar diverges.
    let bless = wasi_conform(
        root,
        &[
            "bless",
            "--from-repro",
            repro.to_str().unwrap(),
            "--name",
            "planted",
        ],
    );
    assert_eq!(bless.status.code(), Some(0), "{}", text(&bless.stderr));
    let manifest = std::fs::read_to_string(root.join("tests-src/cases/fuzz.toml")).unwrap();
    assert!(manifest.contains("name = \"fuzz/planted\""), "{manifest}");
    assert!(root.join("expected/fuzz/planted.p1.out").is_file());
    let run = wasi_conform(
        root,
        &[
            "run",
            "--case",
            "fuzz/planted",
            "--runtime",
            "reference,liar",
        ],
    );
    let verdicts = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{verdicts}");
    assert!(
        verdicts.contains("fuzz/planted p1 on liar: diverge"),
        "{verdicts}"
    );
    assert!(
        !verdicts.contains("on reference:"),
        "the reference host passes its own blessed case:\n{verdicts}"
    );
}
