//! Minimising a diverging program: delta debugging over its ops (remove
//! chunks, halving their size), then over its operands (each token of each
//! line replaced by simpler ones), keeping every change after which the
//! program still diverges.

use super::Program;
use anyhow::Result;
use wasi_conform_program::Op;

/// At most this many candidate programs are tried.
const BUDGET: usize = 400;

/// The smallest program found that still satisfies `diverges`.
pub fn minimise(
    program: &Program,
    mut diverges: impl FnMut(&Program) -> Result<bool>,
) -> Result<Program> {
    let mut tries = 0;
    let mut attempt = |candidate: &Program| -> Result<bool> {
        tries += 1;
        if tries > BUDGET {
            return Ok(false);
        }
        diverges(candidate)
    };
    let mut best = program.clone();
    // Ops: ddmin's complement removal.
    let mut chunks = 2;
    while best.ops.len() >= 2 {
        let size = best.ops.len().div_ceil(chunks);
        let mut reduced = false;
        for start in (0..best.ops.len()).step_by(size) {
            let mut candidate = best.clone();
            candidate
                .ops
                .drain(start..(start + size).min(best.ops.len()));
            if attempt(&candidate)? {
                best = candidate;
                chunks = (chunks - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if size == 1 {
                break;
            }
            chunks = (chunks * 2).min(best.ops.len());
        }
    }
    if best.ops.len() == 1 && attempt(&Program::default())? {
        return Ok(Program::default());
    }
    // Operands: simpler tokens, line by line.
    for i in 0..best.ops.len() {
        let mut line = String::new();
        best.ops[i].write(&mut line);
        let mut tokens = split_tokens(&line);
        for t in 1..tokens.len() {
            for simpler in simpler_tokens(&tokens[t]) {
                let mut candidate_tokens = tokens.clone();
                candidate_tokens[t] = simpler;
                let Ok(op) = Op::parse(&candidate_tokens.join(" ")) else {
                    continue;
                };
                let mut candidate = best.clone();
                candidate.ops[i] = op;
                if candidate != best && attempt(&candidate)? {
                    best = candidate;
                    tokens = candidate_tokens;
                    break;
                }
            }
        }
    }
    Ok(best)
}

/// Tokens of an op's text form (a quoted path is one token).
fn split_tokens(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            ' ' if !quoted => tokens.push(std::mem::take(&mut current)),
            _ => {
                if quoted && !escaped && c == '"' {
                    quoted = false;
                } else if !quoted && c == '"' {
                    quoted = true;
                }
                escaped = quoted && !escaped && c == '\\';
                current.push(c);
            }
        }
    }
    tokens.push(current);
    tokens
}

/// Simpler replacements of one operand token, simplest first. Candidates
/// that do not parse as that operand are skipped by the caller.
fn simpler_tokens(token: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(path) = token.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        out.push("\"a\"".to_string());
        if let Some((head, _)) = path.rsplit_once('/') {
            out.push(format!("\"{head}\""));
        }
        if let Some((_, tail)) = path.split_once('/') {
            out.push(format!("\"{tail}\""));
        }
    } else if let Ok(n) = token.parse::<i128>() {
        out.extend(["0", "1"].map(String::from));
        if n.abs() > 1 {
            out.push((n / 2).to_string());
        }
    } else if token.contains('|') {
        out.push("0".into());
        let flags: Vec<&str> = token.split('|').collect();
        for skip in 0..flags.len() {
            let kept: Vec<&str> = (0..flags.len())
                .filter(|&i| i != skip)
                .map(|i| flags[i])
                .collect();
            out.push(kept.join("|"));
        }
    } else if token.contains(',') {
        out.extend(token.split(',').map(String::from));
    } else {
        // A single flag, a preset, a name or a slot.
        out.extend(["0", "all", "follow", "set", "normal", "$3"].map(String::from));
    }
    out.retain(|t| t != token);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_what_the_divergence_needs() {
        let program = Program::parse(
            "fd_tell $3\n\
             path_open $3 follow \"d/e\" creat|trunc all all append\n\
             fd_write $4 100 7\n\
             fd_close $4\n\
             fd_sync $3\n",
        )
        .unwrap();
        // "Diverges" whenever some path_open has `trunc`.
        let minimal = minimise(&program, |p| {
            Ok(p.ops.iter().any(|op| {
                let mut line = String::new();
                op.write(&mut line);
                line.contains("trunc")
            }))
        })
        .unwrap();
        assert_eq!(
            minimal.to_text(),
            "path_open $3 follow \"a\" trunc all all 0\n"
        );
    }

    #[test]
    fn tokens_keep_quoted_spaces_together() {
        assert_eq!(
            split_tokens("path_symlink \"a b\\\" c\" $3 \"x\""),
            ["path_symlink", "\"a b\\\" c\"", "$3", "\"x\""]
        );
    }
}
