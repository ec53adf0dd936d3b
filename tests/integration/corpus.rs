//! Real spec-kit workspaces from public repositories (`../shared/corpus`, beside the
//! repository): `sp` must read every one of them without panicking, and a failed run must
//! leave nothing behind.

use std::path::PathBuf;

use crate::support::{DOCUMENTS, Test, Workspace, read_tree, repo_root};

fn corpus_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn workspaces() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else { return Vec::new() };
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_workspace_compiles_without_panic_or_partial_output() {
    let workspaces = workspaces();
    if workspaces.is_empty() {
        eprintln!("note: no ../shared/corpus beside the repository; corpus test skipped");
        return;
    }
    for ws in workspaces {
        let name = ws.file_name().unwrap().to_string_lossy().into_owned();
        let out = Workspace::new();
        let target = out.join("out");
        // Test::run fails on a panic (exit 101 or "panicked" in stderr).
        let run = Test::new()
            .workspace(&out)
            .arg("-C")
            .arg(&ws)
            .args(["plan", "--all", "--out"])
            .arg(&target)
            .run();
        assert!(
            run.code == 0 || run.code == 1,
            "{name}: exit code {}\n{}",
            run.code,
            run.stderr
        );
        let tree = read_tree(&target);
        if run.code == 1 {
            assert!(!target.exists(), "{name}: a failed run wrote {:?}", tree.keys());
            continue;
        }
        // A clean run writes every planning document of every feature under specs/.
        let features: Vec<String> = std::fs::read_dir(ws.join("specs"))
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!features.is_empty(), "{name}: no features");
        for feature in &features {
            for doc in DOCUMENTS {
                assert!(
                    tree.contains_key(&format!("{feature}/{doc}")),
                    "{name}: {feature}/{doc} not written"
                );
            }
        }
        assert!(
            read_tree(out.path()).keys().all(|p| p.starts_with("out/")),
            "{name}: wrote outside --out"
        );
    }
}

/// `--format json` gives a parseable report for every corpus workspace too.
#[test]
fn every_corpus_workspace_has_a_valid_json_report() {
    for ws in workspaces() {
        let out = Workspace::new();
        let run = Test::new()
            .workspace(&out)
            .arg("-C")
            .arg(&ws)
            .args(["plan", "--all", "--check", "--format", "json", "--out"])
            .arg(out.path())
            .run();
        let report: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{}: invalid JSON ({e}):\n{}", ws.display(), run.stdout));
        assert!(
            report["diagnostics"].is_array() && report["files"].is_array(),
            "{report}"
        );
        assert_eq!(report["written"], false, "--check never writes");
    }
}
