//! The in-repo WASI reference host: one semantic core (`System`,
//! implemented by `ReferenceHost` over the in-memory `MemFs`), a tracing
//! decorator (`Traced`), and the only guest-memory code in `abi_p1`
//! (RATIONALE.md, "Why one `System` trait, a `Traced` decorator and one ABI
//! module?"). `abi_p2` serves WASI 0.2 components from the same `System`.

pub mod abi_p1;
pub mod abi_p2;
pub mod clock;
pub mod errno;
pub mod host;
pub mod memfs;
pub mod rng;
pub mod snapshot;
pub mod system;
pub mod trace;
pub mod types;

#[cfg(test)]
mod nopanic;

#[cfg(test)]
mod tests {
    /// Every section title the code cites after `RATIONALE.md,` exists.
    #[test]
    fn cited_rationale_sections_exist() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rationale = std::fs::read_to_string(root.join("../../RATIONALE.md")).unwrap();
        let headings: Vec<&str> = rationale
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .collect();
        let mut cited = 0;
        // Module folders (`host/`, ...) are walked too.
        let mut dirs = vec![root.join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let source = std::fs::read_to_string(path).unwrap();
                for part in source.split("RATIONALE.md, \"").skip(1) {
                    let raw = part.split('"').next().unwrap();
                    let words: Vec<&str> = raw
                        .split_whitespace()
                        .filter(|w| !matches!(*w, "//" | "///" | "//!"))
                        .collect();
                    let title = words.join(" ");
                    assert!(headings.contains(&title.as_str()), "no section {title:?}");
                    cited += 1;
                }
            }
        }
        assert!(cited > 20);
    }
}
