//! The constitution's gates on real runs: inputs that ask for something a principle forbids
//! fail with the exact gate, principle, file and line; a justified violation passes as
//! WAIVED; a NON-NEGOTIABLE principle cannot be waived; `sp check` speaks SARIF.
//!
//! Each case starts from the `nextjs-fastapi-pip` test workspace, whose constitution has a
//! NON-NEGOTIABLE "Secure Containers" principle (non-root, pinned images, secrets) and a
//! "Zero-Downtime Releases" principle.

use crate::support::{Test, Workspace, repo_root};

const INPUT: &str = "specs/001-web-api/plan-input.md";

fn workspace_with(extra_input: &str) -> Workspace {
    let ws = Workspace::copy_of(repo_root().join("tests/workspaces/nextjs-fastapi-pip"));
    std::fs::remove_dir_all(ws.join("out")).ok();
    let input = ws.read(INPUT);
    ws.write(INPUT, format!("{input}\n{extra_input}\n"));
    ws
}

fn yaml(block: &str) -> String {
    format!("```yaml\n{block}```\n")
}

#[test]
fn the_unmodified_workspace_passes_every_gate() {
    let ws = workspace_with("");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP701"), "{}", run.stderr);
    let plan = ws.read("out/001-web-api/plan.md");
    assert!(
        plan.contains("| I | Secure Containers (NON-NEGOTIABLE) | PASS | 3/3 |"),
        "{plan}"
    );
}

#[test]
fn running_as_root_fails_the_non_negotiable_principle_and_cannot_be_waived() {
    let ws = workspace_with(&yaml("components:\n  backend:\n    uid: 0\n"));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("error[SP701]: G101 run-as-non-root fails principle I. Secure Containers (MUST)")
        .assert_stderr_contains("out/001-web-api/k8s/30-backend-deployment.yaml:")
        .assert_stderr_contains("nothing written");
    assert!(!ws.exists("out"), "a failing run wrote output");

    // A Complexity Tracking row cannot justify it: the principle is NON-NEGOTIABLE.
    let input = ws.read(INPUT);
    ws.write(
        INPUT,
        format!(
            "{input}\n## Complexity Tracking\n\n| Violation | Why Needed | Simpler Alternative Rejected Because |\n|---|---|---|\n| G101 run-as-non-root | the legacy image binds port 80 | rebuilding it is out of scope |\n"
        ),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("error[SP702]: principle I. Secure Containers is NON-NEGOTIABLE")
        .assert_stderr_contains("G101 run-as-non-root");
    assert!(!ws.exists("out"));
}

#[test]
fn one_production_replica_under_zero_downtime_fails_and_a_justification_waives_it() {
    let ws = workspace_with(&yaml("rollout:\n  productionReplicas: 1\n"));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("G120 replicas-min-2")
        .assert_stderr_contains("values-production.yaml:");
    assert!(!ws.exists("out"));

    let input = ws.read(INPUT);
    ws.write(
        INPUT,
        format!(
            "{input}\n## Complexity Tracking\n\n| Violation | Why Needed | Simpler Alternative Rejected Because |\n|---|---|---|\n| G120 replicas-min-2 | the demo cluster has one small node | a second replica would not fit its memory |\n"
        ),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let plan = ws.read("out/001-web-api/plan.md");
    assert!(plan.contains("WAIVED"), "{plan}");
    assert!(
        plan.contains("| G120 replicas-min-2 | the demo cluster has one small node |"),
        "{plan}"
    );
}

#[test]
fn pull_policy_always_with_images_loaded_into_minikube_fails() {
    let ws = workspace_with("The frontend uses imagePullPolicy Always.");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("G119 image-pull-policy")
        .assert_stderr_contains("exists only inside the Minikube cluster")
        .assert_stderr_contains(&format!("{INPUT}:"));
}

#[test]
fn a_secret_written_into_the_plan_input_fails_at_its_line() {
    let ws = workspace_with("For local testing use OPENAI_API_KEY=sk-live-4f9a2c71d0e34b8a.");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1)
        .assert_stderr_contains("error[SP110]")
        .assert_stderr_contains("OPENAI_API_KEY=[REDACTED]");
    assert!(!run.stderr.contains("sk-live-4f9a"), "{}", run.stderr);
    let line = ws.read(INPUT).lines().position(|l| l.contains("sk-live")).unwrap() + 1;
    run.assert_stderr_contains(&format!("{INPUT}:{line}:"));
}

#[test]
fn check_writes_nothing_and_speaks_sarif() {
    let ws = workspace_with(&yaml("components:\n  backend:\n    uid: 0\n"));
    let run = Test::new().workspace(&ws).args(["check", "--format", "sarif"]).run();
    run.assert_code(1);
    assert!(!ws.exists("out"));
    let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "sp");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "G101"), "G101 is described");
    let results = run0["results"].as_array().unwrap();
    let root = results.iter().find(|r| r["ruleId"] == "G101").expect("a G101 result");
    assert_eq!(root["level"], "error");
    let loc = &root["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("k8s/30-backend-deployment.yaml")
    );
    assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
    // Every result names a rule the driver describes.
    for r in results {
        assert!(
            rules.iter().any(|rule| rule["id"] == r["ruleId"]),
            "undescribed rule {}",
            r["ruleId"]
        );
    }
}

#[test]
fn check_artifacts_judges_files_sp_did_not_write() {
    let planted = repo_root().join("tests/gates/planted");
    let run = Test::new()
        .args(["check", "--format", "json", "--artifacts"])
        .arg(&planted)
        .run();
    run.assert_code(1);
    let findings: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let n = findings.as_array().unwrap().len();
    assert!(n >= 30, "only {n} findings on the planted violations");
    let clean = Test::new()
        .args(["check", "--artifacts"])
        .arg(repo_root().join("out/006-k8s-deployment/k8s"))
        .run();
    clean.assert_code(0);
}

/// sp's own record of what it wrote (`out/<feature>/.sp/`) is bookkeeping, not an artifact:
/// `sp check --artifacts out` skips it silently instead of listing it as not checked.
#[test]
fn check_artifacts_skips_the_record_folder_silently() {
    let ws = Workspace::new();
    ws.write("out/001-x/.sp/record.json", r#"{"version": "0.1.0", "files": {}}"#);
    ws.write(
        "out/001-x/.sp/extra.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: hidden\n",
    );
    ws.write(
        "out/001-x/k8s/widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: shown\n",
    );
    let run = Test::new()
        .args(["check", "--color", "never", "--artifacts"])
        .arg(ws.join("out"))
        .run();
    run.assert_code(0)
        .assert_stderr_contains("not checked: Widget/shown")
        .assert_stderr_contains("1 files read");
    assert!(!run.stderr.contains(".sp/"), "{}", run.stderr);
    assert!(!run.stderr.contains("hidden"), "{}", run.stderr);
}

/// A `.json` manifest, a `kind: List` and an unknown kind: the first two are judged (each
/// finding names the gate, its rule, the object and the line), the third is reported as not
/// checked, in the human, JSON and SARIF outputs alike.
#[test]
fn check_artifacts_reads_json_and_lists_and_reports_unknown_kinds_in_every_format() {
    let ws = Workspace::new();
    ws.write(
        "k8s/pod.json",
        r#"{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "from-json", "namespace": "shop"},
 "spec": {"containers": [{"name": "api", "image": "api:1.0.0", "securityContext": {"runAsUser": 0}}]}}
"#,
    );
    ws.write(
        "k8s/list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: in-list\n    spec:\n      containers:\n        - name: app\n          image: app:1.0.0\n          securityContext:\n            privileged: true\n",
    );
    ws.write(
        "k8s/widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    );
    ws.write("k8s/latin1.yaml", b"kind: Pod\nmetadata:\n  name: caf\xe9\n".as_slice());
    let run = |format: &str| {
        Test::new()
            .args(["check", "--color", "never", "--format", format, "--artifacts"])
            .arg(ws.path())
            .run()
    };

    let human = run("human");
    human.assert_code(1);
    human
        .assert_stderr_contains("G101 run-as-non-root (run-as-user-zero): Pod/shop/from-json container api")
        .assert_stderr_contains("G105 no-privileged (privileged): Pod/in-list container app")
        .assert_stderr_contains("not checked: Widget/w (example.com/v1): no gate examines the kind `Widget`")
        .assert_stderr_contains("k8s/widget.yaml:2:1");

    let json: serde_json::Value = serde_json::from_str(&run("json").stdout).expect("JSON");
    let items = json.as_array().unwrap();
    let root = items
        .iter()
        .find(|d| d["properties"]["rule"] == "run-as-user-zero")
        .expect("the JSON pod is judged");
    assert_eq!(root["properties"]["gate"], "G101");
    assert_eq!(root["properties"]["kind"], "Pod");
    assert_eq!(root["properties"]["namespace"], "shop");
    assert_eq!(root["properties"]["name"], "from-json");
    assert!(root["file"].as_str().unwrap().ends_with("k8s/pod.json"));
    assert!(
        items
            .iter()
            .any(|d| d["properties"]["name"] == "in-list" && d["properties"]["gate"] == "G105")
    );
    let skipped = items
        .iter()
        .find(|d| d["code"] == "SP705" && d["file"].as_str().unwrap().ends_with("k8s/widget.yaml"))
        .expect("a not-checked note for the unknown kind");
    assert_eq!(skipped["severity"], "info");
    assert!(
        items.iter().any(|d| d["code"] == "SP705"
            && d["file"].as_str().unwrap().ends_with("k8s/latin1.yaml")
            && d["message"].as_str().unwrap().contains("not UTF-8")),
        "a manifest that is not UTF-8 is reported"
    );

    let sarif: serde_json::Value = serde_json::from_str(&run("sarif").stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let note = results
        .iter()
        .find(|r| r["ruleId"] == "SP705" && r["message"]["text"].as_str().unwrap().contains("Widget"))
        .expect("a not-checked result for the unknown kind");
    assert_eq!(note["level"], "note");
    let g101 = results
        .iter()
        .find(|r| r["ruleId"] == "G101" && r["properties"]["name"] == "from-json")
        .expect("a G101 result on the JSON pod");
    assert_eq!(g101["properties"]["rule"], "run-as-user-zero");
    assert_eq!(g101["properties"]["kind"], "Pod");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "G105" && r["properties"]["name"] == "in-list")
    );
}
