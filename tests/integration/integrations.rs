//! Where sp meets the tools around it: `sp init` in real spec-kit-plus repositories, agent
//! context and prompt history records, completions, the man page, `--version`, and the
//! JSON report checked against its published schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Test, Workspace, read_tree, repo_root};

/// The real spec-kit-plus repositories beside the repository (`../shared/repos`).
fn shared_repos() -> Vec<PathBuf> {
    let dir = repo_root().join("../shared/repos");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join(".specify").is_dir() || p.join("specs").is_dir())
        .collect();
    out.sort();
    out
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn init_adds_agent_commands_beside_spec_kit_plus_ones_and_changes_nothing_else() {
    let repos = shared_repos();
    if repos.is_empty() {
        eprintln!("note: no ../shared/repos beside the repository; skipped");
        return;
    }
    for repo in repos {
        let ws = Workspace::copy_of(&repo);
        let before = snapshot(ws.path());
        let first = Test::new().workspace(&ws).args(["init", "--ai", "claude,gemini"]).run();
        first.assert_code(0);
        let after = snapshot(ws.path());
        // Every file that was there is byte for byte the same.
        for (path, bytes) in &before {
            assert_eq!(
                after.get(path),
                Some(bytes),
                "{}: sp init changed {path}",
                repo.display()
            );
        }
        let added: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
        assert_eq!(
            added,
            [
                ".claude/commands/spc.check.md",
                ".claude/commands/spc.plan.md",
                ".claude/commands/spc.review.md",
                ".gemini/commands/spc.check.toml",
                ".gemini/commands/spc.plan.toml",
                ".gemini/commands/spc.review.toml",
            ],
            "{}",
            repo.display()
        );
        // The spec-kit-plus command is still there, untouched, beside ours.
        if before.contains_key(".claude/commands/sp.plan.md") {
            assert!(after.contains_key(".claude/commands/spc.plan.md"));
        }
        let plan = String::from_utf8(after[".claude/commands/spc.plan.md"].clone()).unwrap();
        assert!(plan.starts_with("---\ndescription: "), "{plan}");
        assert!(plan.contains("$ARGUMENTS") && plan.contains("sp plan <feature> --format json"));
        let toml = String::from_utf8(after[".gemini/commands/spc.plan.toml"].clone()).unwrap();
        assert!(
            toml.contains("\ndescription = \"") && toml.contains("\nprompt = \"\"\"\n") && toml.contains("{{args}}")
        );

        // A second run changes nothing, and --check finds nothing missing.
        let second = Test::new().workspace(&ws).args(["init", "--ai", "claude,gemini"]).run();
        second.assert_code(0).assert_stderr_contains("0 written, 6 unchanged");
        assert_eq!(snapshot(ws.path()), after);
        Test::new()
            .workspace(&ws)
            .args(["init", "--check"])
            .run()
            .assert_code(0)
            .assert_stderr_contains("nothing missing");
        Test::new()
            .workspace(&ws)
            .args(["init", "--check", "--ai", "copilot,cursor"])
            .run()
            .assert_code(1)
            .assert_stderr_contains("missing .github/prompts/spc.plan.prompt.md")
            .assert_stderr_contains("missing .cursor/commands/spc.plan.md");
        assert_eq!(snapshot(ws.path()), after, "--check wrote something");
    }
}

#[test]
fn init_never_overwrites_a_command_file_it_did_not_write() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.join(".claude/commands")).unwrap();
    std::fs::write(ws.join(".claude/commands/spc.plan.md"), "my own command\n").unwrap();
    let run = Test::new().workspace(&ws).args(["init"]).run();
    run.assert_code(0)
        .assert_stderr_contains("kept .claude/commands/spc.plan.md (exists and was not written by sp; left unchanged)")
        .assert_stderr_contains("create .claude/commands/spc.check.md");
    assert_eq!(
        std::fs::read_to_string(ws.join(".claude/commands/spc.plan.md")).unwrap(),
        "my own command\n"
    );
}

#[test]
fn init_templates_writes_the_built_in_templates_as_overrides_that_render_the_same() {
    let ws = Workspace::example();
    ws.write(
        "templates/research.md.jinja",
        "# My research for {{ plan.feature.name }}\n",
    );
    let run = Test::new().workspace(&ws).args(["init", "--templates"]).run();
    run.assert_code(0)
        .assert_stderr_contains("create templates/plan.md.jinja")
        .assert_stderr_contains("create templates/checklists/requirements.md.jinja")
        .assert_stderr_contains("unchanged templates/research.md.jinja");
    assert_eq!(
        ws.read("templates/plan.md.jinja"),
        std::fs::read_to_string(repo_root().join("templates/plan.md.jinja")).unwrap()
    );
    // The written templates are the built-in ones: the documents stay as committed, except
    // the one whose override the user wrote.
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(0);
    for doc in [
        "plan.md",
        "data-model.md",
        "quickstart.md",
        "checklists/requirements.md",
    ] {
        let committed = std::fs::read_to_string(repo_root().join("out/006-k8s-deployment").join(doc)).unwrap();
        assert_eq!(ws.read(format!("out/006-k8s-deployment/{doc}")), committed, "{doc}");
    }
    assert_eq!(
        ws.read("out/006-k8s-deployment/research.md"),
        "# My research for 006-k8s-deployment\n"
    );
}

#[test]
fn init_in_a_fresh_folder_gives_a_workspace_sp_can_read() {
    let ws = Workspace::new();
    Test::new()
        .workspace(&ws)
        .args(["init", "--ai", "cursor"])
        .run()
        .assert_code(0)
        .assert_stderr_contains("create specs/")
        .assert_stderr_contains("create .specify/memory/constitution.md")
        .assert_stderr_contains("create .cursor/commands/spc.plan.md");
    assert!(ws.join("specs").is_dir());
    // The constitution it writes parses cleanly: `sp check` on an empty workspace reports
    // no problem in it.
    let constitution = std::fs::read_to_string(ws.join(".specify/memory/constitution.md")).unwrap();
    assert!(constitution.contains("### I. Spec First") && constitution.contains("MUST"));
    let before = snapshot(ws.path());
    Test::new()
        .workspace(&ws)
        .args(["init", "--ai", "cursor"])
        .run()
        .assert_code(0);
    assert_eq!(snapshot(ws.path()), before);
    Test::new()
        .workspace(&ws)
        .args(["init", "--ai", "emacs"])
        .run()
        .assert_code(2)
        .assert_stderr_contains("unknown agent `emacs`");
}

#[test]
fn agent_context_is_a_block_that_reruns_never_duplicate_and_records_are_reproducible() {
    let ws = Workspace::example();
    std::fs::write(ws.join("CLAUDE.md"), "# Rules\n\nKeep this.\n").unwrap();
    std::fs::create_dir_all(ws.join(".github")).unwrap();
    std::fs::write(ws.join(".github/copilot-instructions.md"), "Be brief.\n").unwrap();
    let run = |ws: &Workspace| {
        Test::new()
            .workspace(ws)
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .args(["plan", "--all", "--agent-context", "--record"])
            .run()
            .assert_code(0);
    };
    run(&ws);
    let claude = std::fs::read_to_string(ws.join("CLAUDE.md")).unwrap();
    assert!(
        claude.starts_with("# Rules\n\nKeep this.\n\n<!-- sp:begin agent-context"),
        "{claude}"
    );
    assert!(claude.contains("## Active Technologies\n\n- ") && claude.contains("(006-k8s-deployment)"));
    assert!(claude.contains("## Recent Changes\n\n- 006-k8s-deployment: planned with sp"));
    assert!(!ws.exists("GEMINI.md"), "a context file that did not exist was created");
    let copilot = std::fs::read_to_string(ws.join(".github/copilot-instructions.md")).unwrap();
    assert!(copilot.starts_with("Be brief.\n\n<!-- sp:begin agent-context"));
    let record = ws.join("history/prompts/006-k8s-deployment/001-sp-plan-006-k8s-deployment.plan.prompt.md");
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(
        text.starts_with("---\nid: 001\ntitle: sp plan 006-k8s-deployment\nstage: plan\ndate: 2026-01-01\n"),
        "{text}"
    );
    assert!(
        text.contains("\nfiles:\n  - out/006-k8s-deployment/")
            && text.contains("\n## Prompt\n")
            && text.contains("\n## Outcome\n")
    );

    let before = read_tree(ws.path());
    run(&ws);
    assert_eq!(read_tree(ws.path()), before, "a second run changed the workspace");
    assert_eq!(claude.matches("## Active Technologies").count(), 1);

    // Single-feature runs replace their own lines and keep the other feature's.
    Test::new()
        .workspace(&ws)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["plan", "004", "--agent-context"])
        .run()
        .assert_code(0);
    assert_eq!(std::fs::read_to_string(ws.join("CLAUDE.md")).unwrap(), claude);
}

#[test]
fn plan_json_validates_against_the_committed_schema() {
    let schema_path = repo_root().join("schemas/plan-report.schema.json");
    let committed = std::fs::read_to_string(&schema_path).unwrap();
    let printed = Test::new().args(["schema", "--plan-report"]).run();
    printed.assert_code(0);
    assert_eq!(
        printed.stdout, committed,
        "schemas/plan-report.schema.json is stale: run `sp schema --plan-report > schemas/plan-report.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");

    // A clean run, a run with errors (diagnostics with positions), and a run that also
    // updates workspace files: each report must validate.
    let ok = Workspace::example();
    let mut reports = Vec::new();
    let first = Test::new()
        .workspace(&ok)
        .args(["plan", "--all", "--format", "json"])
        .run();
    first.assert_code(0);
    reports.push(first.stdout);
    std::fs::write(ok.join("AGENTS.md"), "# Agents\n").unwrap();
    let second = Test::new()
        .workspace(&ok)
        .args(["plan", "--all", "--format", "json", "--agent-context"])
        .run();
    second.assert_code(0);
    reports.push(second.stdout);
    let bad = Workspace::example();
    let spec = bad.join("specs/006-k8s-deployment/spec.md");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replacen("- **FR-002**", "- **FR-001**", 1)).unwrap();
    let failed = Test::new()
        .workspace(&bad)
        .args(["plan", "--all", "--format", "json"])
        .run();
    failed.assert_code(1);
    reports.push(failed.stdout);

    for (i, report) in reports.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(report).expect("one JSON document");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "report {i} does not validate:\n{}",
            errors.join("\n")
        );
        let summary = &value["summary"];
        assert_eq!(summary["files"], value["files"].as_array().unwrap().len());
    }
    let second: serde_json::Value = serde_json::from_str(&reports[1]).unwrap();
    assert_eq!(second["summary"]["unchanged"], second["summary"]["files"]);
    assert_eq!(
        second["workspace_files"],
        serde_json::json!([{"path": "AGENTS.md", "action": "update"}])
    );
    let failed: serde_json::Value = serde_json::from_str(&reports[2]).unwrap();
    assert!(failed["summary"]["errors"].as_u64().unwrap() >= 1);
    assert!(
        failed["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "SP202" && d["line"].is_u64())
    );
    // The schema rejects what the report never contains.
    assert!(
        !validator.is_valid(&serde_json::json!({"features": [], "files": [], "diagnostics": [], "written": false}))
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page_come_from_the_flags() {
    for (shell, needle) in [
        ("bash", "complete -F _sp"),
        ("zsh", "#compdef sp"),
        ("fish", "complete -c sp"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = Test::new().args(["completions", shell]).run();
        run.assert_code(0).assert_stdout_contains(needle);
        for word in ["plan", "check", "init", "agent-context", "completions"] {
            assert!(run.stdout.contains(word), "{shell} completions miss {word}");
        }
    }
    Test::new().args(["completions", "tcsh"]).run().assert_code(2);
    let man = Test::new().args(["man"]).run();
    man.assert_code(0)
        .assert_stdout_contains(".TH sp 1")
        .assert_stdout_contains(".SH \"SP PLAN\"")
        .assert_stdout_contains(".SH \"SP INIT\"")
        .assert_stdout_contains("\\-\\-agent\\-context");
    assert!(!man.stdout.contains("\n.SH NAME\n.SH"), "an empty section");
}

#[test]
fn version_names_the_stack_and_gate_catalogs() {
    let run = Test::new().arg("--version").run();
    run.assert_code(0)
        .assert_stdout_contains(concat!("sp ", env!("CARGO_PKG_VERSION"), "\n"))
        .assert_stdout_contains("stack catalog: ")
        .assert_stdout_contains("gate catalog: ");
    assert!(run.stdout.contains("(fingerprint "), "{}", run.stdout);
}

/// Every `skaffold.yaml` the committed trees hold, validated against Skaffold's published
/// schema (vendored in tests/vendor/skaffold/, with its source).
#[test]
fn generated_skaffold_files_validate_against_skaffolds_schema() {
    let schema_text = std::fs::read_to_string(repo_root().join("tests/vendor/skaffold/v4beta14.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("Skaffold's schema compiles");
    let mut trees = vec![repo_root().join("out")];
    for e in std::fs::read_dir(repo_root().join("tests/workspaces")).unwrap() {
        trees.push(e.unwrap().path().join("out"));
    }
    let mut checked = 0;
    for tree in trees {
        for (path, bytes) in read_tree(&tree) {
            if !path.ends_with("/skaffold.yaml") {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            let doc: serde_json::Value = sp::yaml::from_str(&text).expect("skaffold.yaml is YAML");
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}/{path}:\n{}", tree.display(), errors.join("\n"));
            assert_eq!(doc["apiVersion"], "skaffold/v4beta14");
            assert!(
                doc["deploy"]["helm"]["releases"][0]["valuesFiles"][0]
                    .as_str()
                    .unwrap()
                    .ends_with("/values-local.yaml")
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} skaffold.yaml files found");
    // The schema is strict: a misspelt key is refused.
    let mut bad: serde_json::Value = serde_json::json!({"apiVersion": "skaffold/v4beta14", "kind": "Config", "deploy": {"helm": {"releases": [{"name": "x", "chartPth": "y"}]}}});
    assert!(!validator.is_valid(&bad));
    bad["deploy"]["helm"]["releases"][0] = serde_json::json!({"name": "x", "chartPath": "y"});
    assert!(validator.is_valid(&bad));
}

/// A load goal in the inputs gives the production values an autoscaler, each bound with its
/// origin, and the gates judge its minimum; without one, nothing is added.
#[test]
fn a_stated_load_goal_gives_production_an_autoscaler_and_no_goal_gives_none() {
    let ws = Workspace::example();
    let prod = "out/006-k8s-deployment/helm/todo-chatbot/values-production.yaml";
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(0);
    let without = std::fs::read_to_string(ws.join(prod)).unwrap();
    assert!(!without.contains("autoscaling:"), "an autoscaler no input asked for");
    let research = std::fs::read_to_string(ws.join("out/006-k8s-deployment/research.md")).unwrap();
    assert!(!research.contains(": Autoscaling\n"));

    let input = ws.join("specs/006-k8s-deployment/plan-input.md");
    let text = std::fs::read_to_string(&input).unwrap();
    let (title, rest) = text.split_once('\n').unwrap();
    std::fs::write(
        &input,
        format!("{title}\n\n- Scale/Scope: at least 10 concurrent users during the demo\n{rest}"),
    )
    .unwrap();
    Test::new().workspace(&ws).args(["plan", "006"]).run().assert_code(0);
    let with = std::fs::read_to_string(ws.join(prod)).unwrap();
    for needle in [
        "    autoscaling:\n",
        "      enabled: true\n",
        "      minReplicas: 2\n",
        "      maxReplicas: 6\n",
        "      targetCPUUtilizationPercentage: 70\n",
        "\"10 concurrent users\"",
        "specs/006-k8s-deployment/plan-input.md:3",
    ] {
        assert!(
            with.contains(needle),
            "values-production.yaml lacks {needle:?}:\n{with}"
        );
    }
    let local = std::fs::read_to_string(ws.join("out/006-k8s-deployment/helm/todo-chatbot/values-local.yaml")).unwrap();
    assert!(!local.contains("autoscaling:"), "the local values scale too");
    let research = std::fs::read_to_string(ws.join("out/006-k8s-deployment/research.md")).unwrap();
    assert!(
        research.contains(": Autoscaling\n") && research.contains("maxReplicas 6"),
        "{research}"
    );
    let hpa = std::fs::read_to_string(ws.join("out/006-k8s-deployment/helm/todo-chatbot/templates/hpa.yaml")).unwrap();
    assert!(hpa.contains("apiVersion: autoscaling/v2") && hpa.contains("kind: HorizontalPodAutoscaler"));

    // The gates read the autoscaler's minimum as the production replica count.
    let check = Test::new()
        .workspace(&ws)
        .args(["check", "006", "--format", "json"])
        .run();
    check.assert_code(0);
    let findings: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert!(
        !findings
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains("replicas-min-2")),
        "{}",
        check.stdout
    );
    let one = Test::new()
        .workspace(&ws)
        .args([
            "check",
            "006",
            "--format",
            "json",
            "--set",
            "rollout.productionReplicas=1",
        ])
        .run();
    assert!(
        one.stdout.contains("replicas-min-2") && one.stdout.contains("autoscaling.minReplicas"),
        "a minimum of one replica passed the gate:\n{}",
        one.stdout
    );
}
