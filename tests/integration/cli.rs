//! Exit codes and behaviours of the command line, on the real binary.
//!
//! Exit codes: 0 success; 1 errors in the input, or stale output under `--check`; 2 `sp`
//! could not run (bad arguments, a feature that does not exist).

use crate::support::{Test, Workspace, line_col, read_tree, repo_root};

const SPEC_006: &str = "specs/006-k8s-deployment/spec.md";
const PLAN_INPUT_006: &str = "specs/006-k8s-deployment/plan-input.md";

/// `text` with `new_line` inserted after the line that starts with `prefix`.
fn insert_after(text: &str, prefix: &str, new_line: &str) -> String {
    let mut out = String::new();
    let mut found = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if !found && line.starts_with(prefix) {
            out.push_str(new_line);
            out.push('\n');
            found = true;
        }
    }
    assert!(found, "no line starts with {prefix:?}");
    out
}

/// The example workspace with one more functional requirement after FR-018; returns the
/// edited spec text.
fn add_requirement(ws: &Workspace, requirement: &str) -> String {
    let spec = insert_after(&ws.read(SPEC_006), "- **FR-018**:", requirement);
    ws.write(SPEC_006, &spec);
    spec
}

/// The block of human output that starts with `header` (up to the next blank line that
/// is followed by another finding or the summary).
fn finding<'a>(stderr: &'a str, header: &str) -> &'a str {
    let start = stderr
        .find(header)
        .unwrap_or_else(|| panic!("no {header:?} in\n{stderr}"));
    let rest = &stderr[start..];
    let end = rest.find("\n\n").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

// (a) --check, plan, --check, edit, --check, --diff

#[test]
fn check_on_a_fresh_workspace_prints_diffs_and_writes_nothing() {
    let ws = Workspace::example();
    let before = ws.files();
    let run = Test::new().workspace(&ws).args(["plan", "--all", "--check"]).run();
    run.assert_code(1)
        .assert_stdout_contains("--- /dev/null\n+++ b/out/006-k8s-deployment/plan.md\n")
        .assert_stdout_contains("+++ b/out/004-k8s-deployment/checklists/requirements.md\n")
        .assert_stdout_contains("+# Implementation Plan: Phase IV Local Kubernetes Deployment\n")
        .assert_stderr_contains("are stale; run `sp plan --all` to update them");
    assert!(!ws.exists("out"), "--check created out/");
    assert_eq!(ws.files(), before, "--check changed the workspace");
}

#[test]
fn check_passes_after_plan_and_fails_again_after_a_spec_edit() {
    let ws = Workspace::example();
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let up_to_date = Test::new().workspace(&ws).args(["plan", "--all", "--check"]).run();
    up_to_date.assert_code(0).assert_stderr_contains("files up to date");
    assert_eq!(up_to_date.stdout, "", "--check printed a diff for up-to-date output");

    add_requirement(
        &ws,
        "- **FR-019**: System MUST write an audit log entry for every Helm release.",
    );
    let generated = read_tree(&ws.join("out"));
    let stale = Test::new().workspace(&ws).args(["plan", "--all", "--check"]).run();
    stale
        .assert_code(1)
        .assert_stdout_contains("--- a/out/006-k8s-deployment/plan.md\n+++ b/out/006-k8s-deployment/plan.md\n");
    assert!(
        stale
            .stdout
            .lines()
            .any(|l| l.starts_with('+') && l.contains("FR-019") && l.contains("audit log entry")),
        "the diff does not add FR-019:\n{}",
        stale.stdout
    );
    assert!(
        !stale.stdout.contains("out/004-k8s-deployment"),
        "004 did not change:\n{}",
        stale.stdout
    );
    assert_eq!(read_tree(&ws.join("out")), generated, "--check wrote");

    // --diff prints the same diff and then writes, after which --check is clean again.
    let diff = Test::new().workspace(&ws).args(["plan", "--all", "--diff"]).run();
    diff.assert_code(0)
        .assert_stderr_contains("updated out/006-k8s-deployment/plan.md");
    assert_eq!(diff.stdout, stale.stdout, "--diff and --check show different diffs");
    Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--check"])
        .run()
        .assert_code(0);
    assert!(ws.read("out/006-k8s-deployment/plan.md").contains("FR-019"));
}

#[test]
fn check_and_diff_together_is_a_usage_error() {
    let ws = Workspace::example();
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--check", "--diff"])
        .run();
    run.assert_code(2)
        .assert_stderr_contains("'--check' cannot be used with '--diff'");
    assert!(!ws.exists("out"));
}

// (b) selecting features

#[test]
fn a_feature_that_does_not_exist_exits_2_with_sp104() {
    let ws = Workspace::example();
    let run = Test::new().workspace(&ws).args(["plan", "999"]).run();
    run.assert_code(2)
        .assert_stderr_contains("error[SP104]")
        .assert_stderr_contains("`999`")
        .assert_stderr_contains("004-k8s-deployment, 006-k8s-deployment");
    assert!(!ws.exists("out"));
}

#[test]
fn an_ambiguous_feature_name_exits_2_with_sp107() {
    let ws = Workspace::example();
    let run = Test::new().workspace(&ws).args(["plan", "k8s-deployment"]).run();
    run.assert_code(2)
        .assert_stderr_contains("error[SP107]")
        .assert_stderr_contains("004-k8s-deployment and 006-k8s-deployment");
    assert!(!ws.exists("out"));
}

#[test]
fn a_feature_by_number_or_by_path_compiles_only_that_feature() {
    let ws = Workspace::example();
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(0);
    assert!(ws.exists("out/006-k8s-deployment/plan.md"));
    assert!(!ws.exists("out/004-k8s-deployment"), "006 also compiled 004");

    let from_outside = Workspace::new();
    let out = Workspace::new();
    Test::new()
        .workspace(&from_outside)
        .args(["plan", "--out"])
        .arg(out.path())
        .arg(ws.join("specs/004-k8s-deployment"))
        .run()
        .assert_code(0);
    let tree = read_tree(out.path());
    assert!(tree.contains_key("004-k8s-deployment/plan.md"), "{:?}", tree.keys());
    assert!(
        tree.keys().all(|p| p.starts_with("004-k8s-deployment/")),
        "{:?}",
        tree.keys()
    );
}

// (c) errors in the input

#[test]
fn an_input_error_exits_1_points_at_the_marker_and_writes_nothing() {
    let ws = Workspace::example();
    let marker = "[NEEDS CLARIFICATION: which database?]";
    let spec = add_requirement(
        &ws,
        &format!("- **FR-019**: System MUST store the deployment history in {marker}."),
    );
    let (line, col) = line_col(&spec, marker);
    let target = Workspace::new();
    let out_dir = target.join("generated");

    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "--out"])
        .arg(&out_dir)
        .run();
    run.assert_code(1).assert_stderr_contains("nothing written");
    let block = finding(&run.stderr, "error[SP206]");
    assert!(
        block.starts_with("error[SP206]: unresolved [NEEDS CLARIFICATION] marker\n"),
        "{block}"
    );
    assert!(block.contains(&format!("--> {SPEC_006}:{line}:{col}\n")), "{block}");
    assert!(
        block.contains("which database?"),
        "the label names the question:\n{block}"
    );
    assert!(
        block.lines().any(|l| l.trim_start().starts_with("= help: ")),
        "no help line:\n{block}"
    );
    assert!(!out_dir.exists(), "the output folder was created");
    assert!(read_tree(target.path()).is_empty());

    // The same without --out: no out/ at the workspace root either.
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(1);
    assert!(!ws.exists("out"), "a failed run created out/");
}

// (d) --format json

#[test]
fn json_reports_diagnostics_with_positions_in_characters() {
    let ws = Workspace::example();
    // Multi-byte characters before the marker: columns count characters, not bytes.
    let marker = "[NEEDS CLARIFICATION: quelle base ?]";
    let spec = add_requirement(
        &ws,
        &format!("- **FR-019**: Le système MUST conserver l'historique des déploiements dans {marker}."),
    );
    let (line, col) = line_col(&spec, marker);
    let target = Workspace::new();

    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--format", "json", "--out"])
        .arg(target.path())
        .run();
    run.assert_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(
        report["features"],
        serde_json::json!(["004-k8s-deployment", "006-k8s-deployment"])
    );
    // --all writes the feature that compiles and reports the other.
    assert_eq!(report["written"], true);
    assert_eq!(report["not_written"], serde_json::json!(["006-k8s-deployment"]));
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics is an array");
    let d = diagnostics
        .iter()
        .find(|d| d["code"] == "SP206")
        .expect("an SP206 diagnostic");
    assert_eq!(d["name"], "needs-clarification");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], SPEC_006);
    assert_eq!(d["line"], line);
    assert_eq!(d["column"], col);
    assert_eq!(d["end_line"], line);
    assert_eq!(d["end_column"], col + marker.chars().count());
    assert_eq!(d["label"], "quelle base ?");
    assert!(d["hint"].as_str().is_some_and(|h| h.contains("/clarify")), "{d}");
    for d in diagnostics {
        for key in ["code", "name", "severity", "message", "file", "line", "column", "hint"] {
            assert!(d.get(key).is_some(), "diagnostic without `{key}`: {d}");
        }
    }
    assert!(
        !run.stderr.contains("error["),
        "JSON mode also printed human diagnostics:\n{}",
        run.stderr
    );
    let written = read_tree(target.path());
    assert!(
        !written.is_empty() && written.keys().all(|k| k.starts_with("004-k8s-deployment/")),
        "the broken feature was written, or the other was not: {:?}",
        written.keys()
    );
}

#[test]
fn json_reports_files_and_whether_they_were_written() {
    let ws = Workspace::example();
    let first = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--format", "json"])
        .run();
    first.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&first.stdout).expect("valid JSON");
    assert_eq!(report["written"], true);
    assert_eq!(report["stale"], true);
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), read_tree(&ws.join("out")).len());
    assert!(files.iter().all(|f| f["status"] == "added"), "{files:?}");
    assert!(
        files.iter().any(|f| f["path"] == "006-k8s-deployment/plan.md"),
        "{files:?}"
    );
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["SP403", "SP403"],
        "the 006 plan input names no Testing and no Scale/Scope"
    );

    let second = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--format", "json"])
        .run();
    second.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&second.stdout).expect("valid JSON");
    assert_eq!(report["written"], false);
    assert_eq!(report["stale"], false);
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "unchanged")
    );
}

// (e) plan input text on the command line

#[test]
fn text_after_the_feature_is_saved_as_plan_input_then_compiled() {
    let ws = Workspace::example();
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "Backend: FastAPI, Python 3.13", "--replace-input"])
        .run();
    run.assert_code(0).assert_stderr_contains(&format!(
        "saved {PLAN_INPUT_006} (the previous text is in {PLAN_INPUT_006}.bak)\n"
    ));
    assert_eq!(
        ws.read(PLAN_INPUT_006),
        "# Plan input: 006-k8s-deployment\n\nBackend: FastAPI, Python 3.13\n"
    );
    let plan = ws.read("out/006-k8s-deployment/plan.md");
    assert!(
        plan.contains("**Backend**: FastAPI, Python 3.13 (specs/006-k8s-deployment/plan-input.md:3)"),
        "{plan}"
    );
    assert!(!ws.exists("out/004-k8s-deployment"), "only 006 is compiled");

    // Unquoted words are joined with spaces, and the result is the same file.
    let ws2 = Workspace::example();
    Test::new()
        .workspace(&ws2)
        .args([
            "plan",
            "006",
            "Backend:",
            "FastAPI,",
            "Python",
            "3.13",
            "--replace-input",
        ])
        .run()
        .assert_code(0);
    assert_eq!(ws2.read(PLAN_INPUT_006), ws.read(PLAN_INPUT_006));
}

#[test]
fn check_refuses_to_save_plan_input_text() {
    let ws = Workspace::example();
    let before = ws.read(PLAN_INPUT_006);
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--check", "006", "Backend: FastAPI"])
        .run();
    run.assert_code(2).assert_stderr_contains("--check writes nothing");
    assert_eq!(ws.read(PLAN_INPUT_006), before);
    assert!(!ws.exists("out"));
}

// (f) the default feature

#[test]
fn without_a_feature_the_only_feature_is_compiled() {
    let ws = Workspace::new();
    ws.write(
        "constitution.md",
        std::fs::read(repo_root().join("constitution.md")).unwrap(),
    );
    crate::support::copy_tree(
        &repo_root().join("specs/006-k8s-deployment"),
        &ws.join("specs/006-k8s-deployment"),
    );
    Test::new()
        .workspace(&ws)
        .arg("plan")
        .run()
        .assert_code(0)
        .assert_stderr_contains("1 feature, ");
    assert!(ws.exists("out/006-k8s-deployment/plan.md"));
}

#[test]
fn without_a_feature_the_git_branch_picks_it() {
    let ws = Workspace::example();
    ws.write(".git/HEAD", "ref: refs/heads/004-k8s-deployment\n");
    Test::new().workspace(&ws).arg("plan").run().assert_code(0);
    assert!(ws.exists("out/004-k8s-deployment/plan.md"));
    assert!(!ws.exists("out/006-k8s-deployment"), "the branch names 004 only");

    // A worktree: `.git` is a file that points at the real git folder.
    let wt = Workspace::example();
    wt.write(".git", "gitdir: .git-main/worktrees/x\n");
    wt.write(".git-main/worktrees/x/HEAD", "ref: refs/heads/006-k8s-deployment\n");
    Test::new().workspace(&wt).arg("plan").run().assert_code(0);
    assert!(wt.exists("out/006-k8s-deployment/plan.md") && !wt.exists("out/004-k8s-deployment"));
}

#[test]
fn without_a_feature_several_features_and_no_matching_branch_exit_2() {
    let ws = Workspace::example();
    ws.write(".git/HEAD", "ref: refs/heads/main\n");
    let run = Test::new().workspace(&ws).arg("plan").run();
    run.assert_code(2)
        .assert_stderr_contains("error[SP107]")
        .assert_stderr_contains("--all");
    assert!(!ws.exists("out"));
}

// (g) sp explain

#[test]
fn explain_prints_a_code_by_number_or_name() {
    let by_code = Test::new().args(["explain", "SP201"]).run();
    by_code.assert_code(0);
    assert!(
        by_code.stdout.starts_with("SP201 missing-section (error)\n"),
        "{}",
        by_code.stdout
    );
    assert!(by_code.stdout.contains("mandatory"), "{}", by_code.stdout);
    for query in ["missing-section", "sp201"] {
        let run = Test::new().args(["explain", query]).run();
        run.assert_code(0);
        assert_eq!(run.stdout, by_code.stdout, "`sp explain {query}`");
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2() {
    let run = Test::new().args(["explain", "nope"]).run();
    run.assert_code(2)
        .assert_stderr_contains("no diagnostic code or gate `nope`");
    assert_eq!(run.stdout, "");
}

#[test]
fn explain_without_a_code_lists_every_code_once_in_order() {
    let run = Test::new().arg("explain").run();
    run.assert_code(0);
    let listed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    let codes: Vec<&str> = listed.iter().copied().filter(|c| c.starts_with("SP")).collect();
    let gates: Vec<&str> = listed.iter().copied().filter(|c| c.starts_with('G')).collect();
    let checks: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|c| c.starts_with('S') && !c.starts_with("SP"))
        .collect();
    assert_eq!(codes.len() + gates.len() + checks.len(), listed.len(), "{}", run.stdout);
    assert_eq!(checks.len(), 16, "the sixteen spec quality checks: {checks:?}");
    for check in &checks {
        Test::new()
            .args(["explain", check])
            .run()
            .assert_code(0)
            .assert_stdout_contains("Why");
    }
    assert!(codes.len() >= 20 && gates.len() >= 35, "{}", run.stdout);
    assert!(codes.iter().all(|c| c.len() == 5), "{codes:?}");
    assert!(
        gates.windows(2).all(|w| w[0] < w[1]),
        "gates not sorted or not unique: {gates:?}"
    );
    // Every listed gate can be explained on its own, with its documentation.
    for gate in &gates {
        let one = Test::new().args(["explain", gate]).run();
        one.assert_code(0)
            .assert_stdout_contains("Why")
            .assert_stdout_contains("Fix");
    }
    assert!(
        codes.windows(2).all(|w| w[0] < w[1]),
        "not sorted or not unique: {codes:?}"
    );
    for code in ["SP102", "SP104", "SP107", "SP201", "SP206", "SP501"] {
        assert!(codes.contains(&code), "{code} missing from `sp explain`");
    }
    // Every listed code can be explained on its own.
    for code in &codes {
        Test::new().args(["explain", code]).run().assert_code(0);
    }
}

// (h) unreadable input

#[test]
fn a_spec_that_is_not_utf8_gives_sp102_without_panicking() {
    let ws = Workspace::example();
    ws.write(SPEC_006, b"\xff\xfe# Feature Specification: broken\n");
    let run = Test::new().workspace(&ws).args(["plan", "006"]).run();
    run.assert_code(1).assert_stderr_contains("nothing written");
    let block = finding(&run.stderr, "error[SP102]");
    assert!(block.contains(&format!("--> {SPEC_006}\n")), "{block}");
    assert!(block.contains("UTF-8"), "{block}");
    assert!(!ws.exists("out"), "a failed run created out/");
    // With --all, the other feature is written and the broken one is not.
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("not written: 006-k8s-deployment (errors)");
    assert!(ws.exists("out/004-k8s-deployment/plan.md") && !ws.exists("out/006-k8s-deployment"));
}

// (i) template overrides

#[test]
fn a_broken_template_override_gives_sp501_in_the_template() {
    let ws = Workspace::example();
    ws.write("templates/plan.md.jinja", "# Plan\n\nHello {{ plan.nope }}\n");
    let run = Test::new().workspace(&ws).args(["plan", "006"]).run();
    run.assert_code(1);
    let block = finding(&run.stderr, "error[SP501]");
    assert!(block.contains("--> templates/plan.md.jinja:3:10\n"), "{block}");
    assert!(block.contains("plan.nope"), "{block}");
    assert!(!ws.exists("out"));

    // A syntax error is reported the same way.
    ws.write(
        "templates/plan.md.jinja",
        "# Plan\n{% for row in plan.context %}\n{{ row.key }}\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "006"]).run();
    run.assert_code(1);
    assert!(
        finding(&run.stderr, "error[SP501]").contains("--> templates/plan.md.jinja:"),
        "{}",
        run.stderr
    );
    assert!(!ws.exists("out"));
}

#[test]
fn the_output_of_a_removed_feature_is_reported_and_fails_the_check() {
    let ws = Workspace::example();
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    std::fs::remove_dir_all(ws.join("specs/004-k8s-deployment")).unwrap();

    let check = Test::new().workspace(&ws).args(["plan", "--all", "--check"]).run();
    check.assert_code(1);
    let block = finding(&check.stderr, "warning[SP611]");
    assert!(
        block.contains("`out/004-k8s-deployment` was generated for a feature"),
        "{block}"
    );
    assert!(block.contains("--> out/004-k8s-deployment\n"), "{block}");
    assert!(block.contains("rm -r out/004-k8s-deployment"), "{block}");
    let json = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--check", "--format", "json"])
        .run();
    json.assert_code(1);
    assert!(json.stdout.contains("SP611"), "{}", json.stdout);

    // A run that writes says so too, and leaves the folder for the user to delete; this
    // machine's notes of the removed feature go, nothing would read them again.
    assert!(ws.exists("out/.sp/stat/004-k8s-deployment.json"));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!ws.exists("out/.sp/stat/004-k8s-deployment.json"));
    assert!(ws.exists("out/.sp/stat/006-k8s-deployment.json"));
    assert!(run.stderr.contains("warning[SP611]"), "{}", run.stderr);
    // Counted in the summary with the feature's own two warnings.
    assert!(run.stderr.contains("(0 errors, 3 warnings, 0 notes)"), "{}", run.stderr);
    assert!(ws.exists("out/004-k8s-deployment/plan.md"));
    // One feature's run cannot tell, and says nothing.
    let one = Test::new().workspace(&ws).args(["plan", "006", "--check"]).run();
    one.assert_code(0);
    assert!(!one.stderr.contains("SP611"), "{}", one.stderr);

    std::fs::remove_dir_all(ws.join("out/004-k8s-deployment")).unwrap();
    Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--check"])
        .run()
        .assert_code(0);
}

#[test]
fn a_handlebars_override_is_reported_not_dropped() {
    let ws = Workspace::example();
    ws.write("templates/plan.md.hbs", "# Custom plan for {{plan.feature.name}}\n");
    let run = Test::new().workspace(&ws).args(["plan", "006"]).run();
    run.assert_code(1);
    let block = finding(&run.stderr, "error[SP502]");
    assert!(block.contains("--> templates/plan.md.hbs\n"), "{block}");
    assert!(block.contains("rename it to `templates/plan.md.jinja`"), "{block}");
    assert!(!ws.exists("out"));
}

#[test]
fn a_valid_template_override_replaces_only_its_document() {
    let ws = Workspace::example();
    ws.write(
        "templates/plan.md.jinja",
        "# Custom plan for {{ plan.feature.name }}\n\n{{ plan.spec.requirements|length }} requirements\n",
    );
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(0);
    assert_eq!(
        ws.read("out/006-k8s-deployment/plan.md"),
        "# Custom plan for 006-k8s-deployment\n\n18 requirements\n"
    );
    // The other documents are the built-in ones, as committed.
    for doc in [
        "research.md",
        "data-model.md",
        "quickstart.md",
        "checklists/requirements.md",
    ] {
        let committed = std::fs::read_to_string(repo_root().join("out/006-k8s-deployment").join(doc)).unwrap();
        assert_eq!(ws.read(format!("out/006-k8s-deployment/{doc}")), committed, "{doc}");
    }
}
