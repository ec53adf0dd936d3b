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

/// An agent-written plan.md that names components only in Language/Version
/// ("Python 3.13+ (backend), TypeScript 5+ (frontend)") still gets its deployables, with the
/// stacks read off Primary Dependencies and the derivation named as their origin.
#[test]
fn language_roles_of_an_adopted_plan_become_components() {
    let Some(dir) = corpus_dir() else {
        eprintln!("no ../shared/corpus: skipped");
        return;
    };
    let ws = dir.join("Fatima367--Evolution-of-Todo");
    if !ws.is_dir() {
        eprintln!("{} missing: skipped", ws.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let run = crate::support::Test::new()
        .args(["plan", "--all", "--explain", "-C"])
        .arg(&ws)
        .run();
    run.assert_code(0);
    assert!(
        run.stdout.contains("stack                      fastapi"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("stack                      nextjs-standalone"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("derived from Language/Version and Primary Dependencies"),
        "{}",
        run.stdout
    );
    let run = crate::support::Test::new()
        .args(["plan", "--all", "-C"])
        .arg(&ws)
        .arg("--out")
        .arg(out.path())
        .run();
    run.assert_code(0);
    assert!(
        out.path()
            .join("004-kubernetes-deployment/docker/backend.Dockerfile")
            .is_file()
    );
    assert!(out.path().join("004-kubernetes-deployment/k8s").is_dir());
}

/// The complete public repository beside the corpus (`../shared/repos/`), planned as a user
/// would at its root: the backend starts from its real entry point, every secret its
/// pydantic Settings read arrives under the name it reads, every required setting is
/// delivered, and its probes work for the code as it is.
#[test]
fn a_real_repository_starts_from_its_source() {
    let repo = repo_root().join("../shared/repos/FareaaFaisal--Phase-4-Hackathon-2-Docker");
    if !repo.is_dir() {
        eprintln!("note: no ../shared/repos beside the repository; test skipped");
        return;
    }
    let out = Workspace::new();
    let target = out.join("out");
    let run = Test::new()
        .workspace(&out)
        .arg("-C")
        .arg(&repo)
        .args(["plan", "004", "--out"])
        .arg(&target)
        .run();
    run.assert_code(0);
    let tree = read_tree(&target);
    let text = |p: &str| String::from_utf8(tree[p].clone()).unwrap();
    let dockerfile = text("004-k8s-deployment/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains(
            "\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\", \"--proxy-headers\"]\n"
        ),
        "{dockerfile}"
    );
    let deployment = text("004-k8s-deployment/k8s/30-backend-deployment.yaml");
    let d: serde_json::Value = sp::yaml::from_str(&deployment).unwrap();
    let env = d["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap()
        .clone();
    let from_secret = |name: &str| {
        env.iter()
            .find(|e| e["name"] == name)
            .and_then(|e| e["valueFrom"]["secretKeyRef"]["key"].as_str().map(String::from))
    };
    assert_eq!(from_secret("NEON_DATABASE_URL").as_deref(), Some("DATABASE_URL"));
    assert_eq!(from_secret("BETTER_AUTH_SECRET").as_deref(), Some("BETTER_AUTH_SECRET"));
    assert_eq!(from_secret("COHERE_API_KEY").as_deref(), Some("COHERE_API_KEY"));
    assert!(!deployment.contains("_FILE"), "{deployment}");
    // The quickstart names the secret the way the code reads it and the manifest delivers
    // it: the shell variable is NEON_DATABASE_URL, stored under the key DATABASE_URL.
    let quickstart = text("004-k8s-deployment/quickstart.md");
    assert!(
        quickstart.contains("--from-literal=DATABASE_URL=\"$NEON_DATABASE_URL\"")
            && quickstart
                .contains("exported in your shell: `BETTER_AUTH_SECRET`, `COHERE_API_KEY`, `NEON_DATABASE_URL`"),
        "{quickstart}"
    );
    assert!(!quickstart.contains("\"$DATABASE_URL\""), "{quickstart}");
    // The plan says Python 3.11, which the catalog has: a 3.11 image, no SP408.
    assert!(dockerfile.contains("FROM python:3.11."), "{dockerfile}");
    assert!(!run.stderr.contains("SP408"), "{}", run.stderr);
    // The required setting that is the application's own URL comes from its Service.
    assert!(!run.stderr.contains("`backend` reads"), "{}", run.stderr);
    let config = text("004-k8s-deployment/k8s/20-backend-config-configmap.yaml");
    assert!(config.contains("BETTER_AUTH_URL: http://backend:8000"), "{config}");
    // The source declares no health route: the probes open the port, never a `/health`
    // the code does not serve, and the run says so at the application object.
    let container = &d["spec"]["template"]["spec"]["containers"][0];
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert_eq!(container[probe]["tcpSocket"]["port"], "http", "{probe}: {deployment}");
    }
    assert!(
        run.stderr.contains("warning[SP424]") && run.stderr.contains("backend/app/main.py:23:1"),
        "{}",
        run.stderr
    );
}

/// A corpus feature that is not about deployment (an AI chatbot backend whose spec never
/// mentions containers, Kubernetes or Helm) compiles to the planning documents only, and
/// plan.md and `--explain` say why; `--set deploy=true` overrides the decision.
#[test]
fn a_feature_not_about_deployment_gets_documents_only() {
    let Some(dir) = corpus_dir() else {
        eprintln!("no ../shared/corpus: skipped");
        return;
    };
    let ws = dir.join("Syed-muhammad-huzaifa--Hackathon-2");
    if !ws.is_dir() {
        eprintln!("{} missing: skipped", ws.display());
        return;
    }
    let out = Workspace::new();
    let target = out.join("out");
    let run = Test::new()
        .workspace(&out)
        .arg("-C")
        .arg(&ws)
        .args(["plan", "--all", "--out"])
        .arg(&target)
        .run();
    run.assert_code(0);
    let tree = read_tree(&target);
    let files: Vec<&String> = tree.keys().filter(|p| !p.contains("/.sp/")).collect();
    assert_eq!(
        files,
        [
            "001-chatbot-backend/checklists/requirements.md",
            "001-chatbot-backend/contracts/openapi.yaml",
            "001-chatbot-backend/data-model.md",
            "001-chatbot-backend/plan.md",
            "001-chatbot-backend/quickstart.md",
            "001-chatbot-backend/research.md",
        ]
    );
    let plan = String::from_utf8(tree["001-chatbot-backend/plan.md"].clone()).unwrap();
    assert!(
        plan.contains(
            "**Deployment**: none; this feature gets the planning documents only, because there is no word about Docker"
        ),
        "{plan}"
    );
    assert!(!plan.contains("## Deployment Architecture"), "{plan}");
    let explain = Test::new()
        .arg("-C")
        .arg(&ws)
        .args(["plan", "--all", "--explain"])
        .run();
    explain.assert_code(0);
    assert!(
        explain
            .stdout
            .contains("scope                      not about deployment")
            && explain.stdout.contains("because no word about Docker"),
        "{}",
        explain.stdout
    );
    let forced = Workspace::new();
    let target = forced.join("out");
    Test::new()
        .workspace(&forced)
        .arg("-C")
        .arg(&ws)
        .args(["plan", "--all", "--set", "deploy=true", "--out"])
        .arg(&target)
        .run()
        .assert_code(0);
    assert!(target.join("001-chatbot-backend/docker/backend.Dockerfile").is_file());
    let plan = std::fs::read_to_string(target.join("001-chatbot-backend/plan.md")).unwrap();
    assert!(
        plan.contains("builds and deploys its components, because the typed input sets `deploy: true`"),
        "{plan}"
    );
}

/// The success criterion IDs a spec declares: bullets that start with `SC-`.
fn success_criteria(spec: &str) -> Vec<String> {
    spec.lines()
        .filter_map(|l| {
            let t = l.trim_start().strip_prefix("- ")?.trim_start_matches("**");
            let id: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            (id.starts_with("SC-") && id.len() > 3).then_some(id)
        })
        .collect()
}

/// Every success criterion of every example and corpus feature has a row in plan.md's
/// traceability matrix, with what verifies it or a flag.
#[test]
fn every_success_criterion_is_in_the_traceability_matrix() {
    let mut roots = vec![repo_root().to_path_buf()];
    roots.extend(workspaces());
    let mut checked = 0;
    for ws in roots {
        let out = Workspace::new();
        let target = out.join("out");
        let run = Test::new()
            .workspace(&out)
            .arg("-C")
            .arg(&ws)
            .args(["plan", "--all", "--out"])
            .arg(&target)
            .run();
        if run.code != 0 {
            continue;
        }
        for entry in std::fs::read_dir(ws.join("specs")).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(spec) = std::fs::read_to_string(dir.join("spec.md")) else {
                continue;
            };
            let feature = dir.file_name().unwrap().to_string_lossy().into_owned();
            let plan = std::fs::read_to_string(target.join(&feature).join("plan.md")).unwrap();
            let matrix = plan.split("## Traceability").nth(1).unwrap_or("");
            for id in success_criteria(&spec) {
                let row = matrix
                    .lines()
                    .find(|l| l.starts_with(&format!("| {id} |")))
                    .unwrap_or_else(|| panic!("{feature}: {id} is not in the matrix of plan.md"));
                assert!(
                    row.ends_with("| covered |")
                        || row.ends_with("| covered by guesses only |")
                        || row.contains("⚠ no verification"),
                    "{feature}: {row}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "only {checked} success criteria checked");
}
