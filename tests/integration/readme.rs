//! The README's console examples, run: each ```` ```console ```` block is a session of
//! `$ command` lines and their output (stdout and stderr together, as a terminal shows
//! them), so a sample that no longer matches what `sp` prints fails the suite.
//!
//! Each block runs in a fresh copy of the repository workspace (constitution.md, specs/,
//! templates/, out/) with the binary under test first on `PATH`. An HTML comment right
//! before a block may change that: `<!-- readme-test: workspace=tests/fixtures/x -->`
//! runs it in a copy of another folder, `setup=<shell command>` runs a command first (not
//! shown to readers), `skip` leaves the block out. In the expected output, a line `…`
//! stands for any number of lines and `…` inside a line for any text.

use std::path::Path;
use std::process::Command;

use crate::support::{BIN, Workspace, copy_tree, repo_root};

struct Block {
    /// Line of the README where the block starts, for messages.
    line: usize,
    workspace: Option<String>,
    setup: Option<String>,
    /// `(command, expected output lines)`.
    sessions: Vec<(String, Vec<String>)>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<&str> = readme.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "```console" {
            i += 1;
            continue;
        }
        let start = i + 1;
        // The comment, if any, is on the closest non-blank line above.
        let comment = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!-- readme-test:"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(str::trim)
            .unwrap_or("");
        let mut block = Block {
            line: start,
            workspace: None,
            setup: None,
            sessions: Vec::new(),
        };
        let skip = comment == "skip";
        if let Some(rest) = comment.strip_prefix("workspace=") {
            let (ws, setup) = rest.split_once(" setup=").unwrap_or((rest, ""));
            block.workspace = Some(ws.trim().to_string());
            block.setup = (!setup.is_empty()).then(|| setup.to_string());
        } else if let Some(setup) = comment.strip_prefix("setup=") {
            block.setup = Some(setup.to_string());
        }
        i += 1;
        while i < lines.len() && lines[i].trim() != "```" {
            if let Some(cmd) = lines[i].strip_prefix("$ ") {
                block.sessions.push((cmd.to_string(), Vec::new()));
            } else if let Some((_, expected)) = block.sessions.last_mut() {
                expected.push(lines[i].trim_end().to_string());
            }
            i += 1;
        }
        if !skip {
            out.push(block);
        }
        i += 1;
    }
    out
}

/// Does `actual` match the pattern line `expected` (`…` matches any text)?
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split('…').collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let Some(mut rest) = actual.strip_prefix(parts[0]) else {
        return false;
    };
    for (n, part) in parts[1..].iter().enumerate() {
        let last = n == parts.len() - 2;
        if last {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Does the output match the expected lines (a lone `…` line matches any lines)?
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "…" => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(e, a) && matches(rest, more)),
    }
}

fn run(dir: &Path, command: &str) -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .arg("-c")
        // On its own line, so a `# comment` after the command does not swallow it.
        .arg(format!("{{ {command}\n}} 2>&1"))
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("panicked"), "`{command}` panicked:\n{text}");
    text
}

#[test]
fn readme_console_examples_are_what_sp_prints() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(blocks.len() >= 5, "only {} console blocks in README.md", blocks.len());
    let mut failures = Vec::new();
    for b in &blocks {
        let ws = match &b.workspace {
            Some(rel) => Workspace::copy_of(repo_root().join(rel)),
            None => {
                let ws = Workspace::repository();
                copy_tree(&repo_root().join("out"), &ws.join("out"));
                ws
            }
        };
        if let Some(setup) = &b.setup {
            run(ws.path(), setup);
        }
        for (command, expected) in &b.sessions {
            let actual = run(ws.path(), command);
            let lines: Vec<&str> = actual.lines().map(str::trim_end).collect();
            if !matches(expected, &lines) {
                failures.push(format!(
                    "README.md:{}: `$ {command}`\n--- README says\n{}\n--- sp prints\n{}",
                    b.line,
                    expected.join("\n"),
                    lines.join("\n")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_pattern_rules() {
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(matches(&lines("a\n…\nd"), &["a", "b", "c", "d"]));
    assert!(matches(&lines("a\n…"), &["a"]));
    assert!(!matches(&lines("a\nd"), &["a", "b", "d"]));
    assert!(line_matches("1 feature, … files", "1 feature, 43 files"));
    assert!(!line_matches("x…y", "x…z"));
}
