//! `sp review --base <ref>` on git repositories made in temporary folders: spec, model,
//! contract and finding changes reported by meaning, breaking changes marked.

use std::path::Path;
use std::process::Command;

use crate::support::{Test, Workspace, repo_root};

const INPUT: &str = "specs/001-web-api/plan-input.md";
const SPEC: &str = "specs/001-web-api/spec.md";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The nextjs-fastapi-pip workspace as a git repository with two commits: the base (with a
/// missing Testing line, so one finding exists) and the change under review.
fn repository() -> Workspace {
    let ws = Workspace::copy_of(repo_root().join("tests/workspaces/nextjs-fastapi-pip"));
    std::fs::remove_dir_all(ws.join("out")).unwrap();
    let input = ws.read(INPUT);
    ws.write(
        INPUT,
        input.replace(
            "- Testing: pytest for the API, kubectl rollout status for the deployment\n",
            "",
        ),
    );
    git(ws.path(), &["init", "-q", "-b", "main"]);
    git(ws.path(), &["add", "-A"]);
    git(ws.path(), &["commit", "-q", "-m", "base"]);
    // The change: a requirement naming an endpoint, a variable, a port moved (8000 removed),
    // the Testing line back (a finding resolved), a root user (a finding new).
    let spec = ws.read(SPEC);
    let at = spec.find("- **FR-003**:").unwrap();
    let end = at + spec[at..].find('\n').unwrap() + 1;
    ws.write(
        SPEC,
        format!(
            "{}- **FR-004**: The API MUST expose `GET /metrics` for Prometheus.\n{}",
            &spec[..end],
            &spec[end..]
        ),
    );
    ws.write(
        INPUT,
        format!(
            "{input}\n```yaml\ncomponents:\n  backend:\n    port: 8081\n    uid: 0\n    config:\n      METRICS_PATH: /metrics\n```\n"
        ),
    );
    git(ws.path(), &["add", "-A"]);
    git(ws.path(), &["commit", "-q", "-m", "change"]);
    ws
}

#[test]
fn review_reports_a_change_by_meaning_and_marks_the_removal_breaking() {
    let ws = repository();
    let before = crate::support::read_tree(ws.path());
    let run = Test::new().workspace(&ws).args(["review", "--base", "HEAD~1"]).run();
    run.assert_code(0);
    let md = &run.stdout;
    assert!(md.starts_with("## sp review: `HEAD~1` ("), "{md}");
    for needle in [
        "- **added** requirement FR-004: `The API MUST expose 'GET /metrics' for Prometheus.`",
        "- **added** endpoint GET /metrics",
        "- **added** backend variable METRICS_PATH: `/metrics`",
        "- **removed** backend port 8000 (was `8000`) — **breaking**",
        "- **added** backend port 8081: `8081`",
        "**Breaking**\n\n- `001-web-api`: **removed** backend port 8000",
        "**New findings**",
        "**Resolved findings**",
        "<details><summary><code>001-web-api</code> (changed)",
    ] {
        assert!(md.contains(needle), "no {needle:?} in\n{md}");
    }
    // The cause of a model change is the input that gave it.
    assert!(
        md.contains("backend variable METRICS_PATH: `/metrics` _(specs/001-web-api/plan-input.md:"),
        "{md}"
    );
    let resolved = &md[md.find("**Resolved findings**").unwrap()..];
    assert!(resolved.contains("SP403") && resolved.contains("Testing"), "{resolved}");
    // Nothing written, nothing checked out.
    assert_eq!(
        crate::support::read_tree(ws.path()),
        before,
        "review changed the working tree"
    );

    // JSON carries the same, classified; SARIF only the new findings.
    let json = Test::new()
        .workspace(&ws)
        .args(["review", "--base", "HEAD~1", "--format", "json"])
        .run();
    json.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let model = v["features"][0]["model"].as_array().unwrap();
    let port = model.iter().find(|c| c["what"] == "backend port 8000").unwrap();
    assert_eq!(port["kind"], "removed");
    assert_eq!(port["breaking"], true);
    let var = model
        .iter()
        .find(|c| c["what"] == "backend variable METRICS_PATH")
        .unwrap();
    assert_eq!(var["breaking"], false);
    let new = v["findings"]["new"].as_array().unwrap();
    assert!(!new.is_empty());
    let sarif = Test::new()
        .workspace(&ws)
        .args(["review", "--base", "HEAD~1", "--format", "sarif"])
        .run();
    let s: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), new.len(), "SARIF carries other than the new findings");
    assert!(!sarif.stdout.contains("Testing"), "a resolved finding is in SARIF");

    // --fail-on-breaking and --fail-on-new turn them into exit 1.
    Test::new()
        .workspace(&ws)
        .args(["review", "--base", "HEAD~1", "--fail-on-breaking"])
        .run()
        .assert_code(1);
    Test::new()
        .workspace(&ws)
        .args(["review", "--base", "HEAD", "--fail-on-new", "--fail-on-breaking"])
        .run()
        .assert_code(0)
        .assert_stdout_contains(
            "0 spec changes, 0 model changes, 0 contract changes (0 breaking); findings: 0 new, 0 resolved",
        );
}

#[test]
fn review_of_removals_marks_endpoints_values_and_variables_breaking() {
    let ws = repository();
    // Undo the change in the working tree: everything it added is now removed.
    git(ws.path(), &["checkout", "-q", "HEAD~1", "--", "specs"]);
    let run = Test::new()
        .workspace(&ws)
        .args(["review", "--base", "HEAD", "--format", "json"])
        .run();
    run.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let f = &v["features"][0];
    let find = |section: &str, what: &str| -> serde_json::Value {
        f[section]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["what"] == what)
            .cloned()
            .unwrap_or_else(|| panic!("no {what} in {section}: {}", f[section]))
    };
    assert_eq!(find("spec", "requirement FR-004")["kind"], "removed");
    assert_eq!(find("contracts", "endpoint GET /metrics")["breaking"], true);
    assert_eq!(find("model", "backend variable METRICS_PATH")["breaking"], true);
    assert_eq!(find("model", "backend port 8000")["kind"], "added");
    assert_eq!(find("model", "backend port 8000")["breaking"], false);
    let values = f["contracts"].as_array().unwrap();
    assert!(
        values
            .iter()
            .any(|c| c["what"].as_str().unwrap().starts_with("chart value ")
                && c["kind"] == "removed"
                && c["breaking"] == true),
        "no removed chart value: {values:?}"
    );
}

#[test]
fn review_of_a_revision_that_does_not_exist_exits_2() {
    let ws = repository();
    Test::new()
        .workspace(&ws)
        .args(["review", "--base", "no-such-branch"])
        .run()
        .assert_code(2)
        .assert_stderr_contains("`no-such-branch` names no commit");
}
