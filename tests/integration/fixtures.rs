//! One snapshot per folder of `tests/fixtures/`: each folder is a tiny spec-kit workspace,
//! and the snapshot is what `sp plan --all` does with it (exit code, the human diagnostics,
//! the files it generated). Adding a case means adding a folder with a README.md.
//!
//! Every fixture also checks the invariants that hold for any input: `sp` never changes
//! an input file, writes only below `out/`, and writes nothing at all when it fails.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Output, Test, Workspace, fixtures_dir, snapshot_settings};

/// What a fixture run did.
struct FixtureRun {
    ws: Workspace,
    run: Output,
    generated: BTreeMap<String, Vec<u8>>,
}

impl FixtureRun {
    fn doc(&self, path: &str) -> &str {
        let bytes = self
            .generated
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not generated"));
        std::str::from_utf8(bytes).expect("UTF-8")
    }
}

/// Run `sp plan --all` in a copy of `src` and check the invariants.
fn run_workspace(src: &Path) -> FixtureRun {
    let ws = Workspace::copy_of(src);
    let before = ws.files();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    let after = ws.files();
    let name = src.file_name().unwrap().to_string_lossy();

    for (path, bytes) in &before {
        assert!(
            after.get(path) == Some(bytes),
            "{name}: sp changed or deleted the input {path}"
        );
    }
    let generated: BTreeMap<String, Vec<u8>> = after
        .into_iter()
        .filter(|(p, _)| !before.contains_key(p))
        .map(|(p, b)| {
            (
                p.strip_prefix("out/")
                    .unwrap_or_else(|| panic!("{name}: sp wrote {p} outside out/"))
                    .to_string(),
                b,
            )
        })
        .collect();
    assert!(
        run.code == 0 || run.code == 1,
        "{name}: exit code {}\n{}",
        run.code,
        run.stderr
    );
    assert_eq!(run.stdout, "", "{name}: sp plan printed on stdout");
    if run.code == 1 {
        // `--all` writes every feature that compiled; the others are listed as not written.
        let failed: Vec<&str> = run
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error: not written: "))
            .flat_map(|l| l.split(", "))
            .filter_map(|f| f.split(' ').next())
            .collect();
        assert!(
            generated
                .keys()
                .all(|k| !failed.iter().any(|f| k.starts_with(&format!("{f}/")))),
            "{name}: a failed run wrote a feature with errors: {:?}",
            generated.keys()
        );
        assert!(
            !failed.is_empty() || (generated.is_empty() && !ws.exists("out")),
            "{name}: a failed run wrote {:?}",
            generated.keys()
        );
        assert!(
            run.stderr.contains("error["),
            "{name}: exit 1 without an error:\n{}",
            run.stderr
        );
    } else {
        assert!(
            !run.stderr.contains("error["),
            "{name}: exit 0 with an error:\n{}",
            run.stderr
        );
    }
    FixtureRun { ws, run, generated }
}

fn run_fixture(name: &str) -> FixtureRun {
    run_workspace(&fixtures_dir().join(name))
}

/// The snapshot text of a run: exit code, stderr and generated files.
fn report(f: &FixtureRun) -> String {
    let mut files = String::new();
    for path in f.generated.keys() {
        files.push_str(&format!("out/{path}\n"));
    }
    if files.is_empty() {
        files.push_str("(none)\n");
    }
    format!(
        "exit code: {}\n\n--- stderr\n{}\n--- generated files\n{}",
        f.run.code,
        f.ws.redact(&f.run.stderr),
        files
    )
}

#[test]
fn fixtures() {
    insta::glob!("../fixtures", "*/README.md", |readme| {
        let dir = readme.parent().unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let description = std::fs::read_to_string(readme).unwrap();
        assert!(
            !description.trim().is_empty(),
            "{name}/README.md must say what the fixture demonstrates"
        );
        let f = run_workspace(dir);
        let mut settings = snapshot_settings();
        settings.set_description(description.trim());
        settings.bind(|| insta::assert_snapshot!(format!("fixtures__{name}"), report(&f)));
    });
}

/// Every folder of tests/fixtures is a case, so every folder needs the README.md marker
/// the glob above matches.
#[test]
fn every_fixture_folder_has_a_readme() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert!(path.join("README.md").is_file(), "{} has no README.md", path.display());
        }
    }
}

/// Line endings never matter: every fixture gives the same exit code, diagnostics and
/// documents with CRLF as with LF.
#[test]
fn crlf_and_lf_give_the_same_result_for_every_fixture() {
    let crlf_fixture = fixtures_dir().join("crlf-line-endings/specs/001-todo-list/spec.md");
    assert!(
        std::fs::read_to_string(&crlf_fixture).unwrap().contains("\r\n"),
        "{} lost its CRLF line endings (check .gitattributes)",
        crlf_fixture.display()
    );
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let (lf, crlf) = (Workspace::new(), Workspace::new());
        convert(&dir, lf.path(), false);
        convert(&dir, crlf.path(), true);
        let (a, b) = (run_workspace(lf.path()), run_workspace(crlf.path()));
        let name = dir.file_name().unwrap().to_string_lossy();
        assert_eq!(a.run.code, b.run.code, "{name}: exit code");
        assert_eq!(
            a.ws.redact(&a.run.stderr),
            b.ws.redact(&b.run.stderr),
            "{name}: diagnostics"
        );
        assert!(
            a.generated == b.generated,
            "{name}: documents differ between LF and CRLF"
        );
    }
}

/// Copy the Markdown files of `src` into `dst` with LF or CRLF line endings.
fn convert(src: &Path, dst: &Path, crlf: bool) {
    for (path, bytes) in crate::support::read_tree(src) {
        let target = dst.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let bytes = match String::from_utf8(bytes) {
            Ok(text) if path.ends_with(".md") => {
                let lf = text.replace("\r\n", "\n");
                if crlf { lf.replace('\n', "\r\n") } else { lf }.into_bytes()
            }
            Ok(text) => text.into_bytes(),
            Err(e) => e.into_bytes(),
        };
        std::fs::write(target, bytes).unwrap();
    }
}

// What the snapshots cannot show: the content of the generated documents.

#[test]
fn clean_minimal_reports_nothing() {
    let f = run_fixture("clean-minimal");
    f.run.assert_code(0);
    // The summary has no "(… errors, … warnings, … notes)" part when there is no finding.
    let summary = f.run.stderr.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("1 feature, ") && summary.ends_with(" written, 0 unchanged"),
        "{summary}"
    );
    assert!(
        f.run
            .stderr
            .lines()
            .all(|l| l.starts_with(" created out/") || l.starts_with("1 feature")),
        "{}",
        f.run.stderr
    );
}

#[test]
fn legacy_layout_reads_the_primary_story_and_its_scenarios() {
    let f = run_fixture("legacy-v0050-layout");
    let plan = f.doc("001-photo-albums/plan.md");
    assert!(plan.contains("### US1: Primary User Story (P1)"), "{plan}");
    assert!(plan.contains("| 1 | US1 (P1): Primary User Story |"), "{plan}");
    assert!(plan.contains("US1 acceptance scenarios pass (2 of them)"), "{plan}");
    let data_model = f.doc("001-photo-albums/data-model.md");
    assert!(
        data_model.contains("### Album") && data_model.contains("### Photo"),
        "{data_model}"
    );
}

#[test]
fn constitution_in_memory_dir_with_plain_principles_and_a_three_line_version() {
    let f = run_fixture("constitution-in-memory-dir");
    let plan = f.doc("001-todo-list/plan.md");
    assert!(
        plan.contains("Principles of `memory/constitution.md` (Todo Constitution, version 2.1.0)"),
        "{plan}"
    );
    for row in [
        "| 1 | Spec-First Development | MANUAL | 0/2 |",
        "| 2 | Tested Code (NON-NEGOTIABLE) | MANUAL | 0/1 |",
        "| 3 | Small Releases | MANUAL | 0/1 |",
    ] {
        assert!(plan.contains(row), "no row {row:?} in\n{plan}");
    }
    assert!(
        plan.contains("- MANUAL · SHOULD: Specs SHOULD be reviewed by a second person."),
        "{plan}"
    );
}

#[test]
fn constitution_without_principles_gives_an_empty_check() {
    let f = run_fixture("constitution-without-principles");
    let plan = f.doc("001-todo-list/plan.md");
    assert!(
        plan.contains("The constitution declares no principles: only the secure defaults below were checked."),
        "{plan}"
    );
    let check = &plan[plan.find("## Constitution Check").unwrap()..plan.find("### Secure defaults").unwrap()];
    assert!(
        !check.contains("| # | Principle"),
        "an empty principles table:
{check}"
    );
}

#[test]
fn plan_input_formats_fill_every_technical_context_key() {
    let f = run_fixture("plan-input-formats");
    let plan = f.doc("001-todo-list/plan.md");
    for line in [
        "**Language/Version**: Python 3.13",
        "**Primary Dependencies**: FastAPI, SQLModel",
        "**Storage**: SQLite",
        "**Testing**: pytest",
        "**Target Platform**: Linux server",
        "**Project Type**: Web service",
        "**Performance Goals**: p95 under 200 ms; 50 requests per second",
        "**Constraints**: no external services; runs offline",
        "**Scale/Scope**: 1 user, 100 tasks",
    ] {
        assert!(plan.lines().any(|l| l == line), "no line {line:?} in\n{plan}");
    }
    // The prose paragraph is kept as a note of the plan.
    assert!(
        plan.contains("> Build the todo list as a small web service that one person runs at home."),
        "{plan}"
    );
}

#[test]
fn adopted_plan_feeds_the_technical_context_and_stays_untouched() {
    let f = run_fixture("adopted-plan");
    let plan = f.doc("001-todo-list/plan.md");
    assert!(
        plan.contains("Technical Context adopted from `specs/001-todo-list/plan.md`"),
        "{plan}"
    );
    assert!(plan.contains("**Language/Version**: Python 3.12\n"), "{plan}");
    assert!(
        plan.contains("| Language/Version | specs/001-todo-list/plan.md:12 |"),
        "{plan}"
    );
    assert!(!plan.contains("NEEDS CLARIFICATION"), "{plan}");
    // (run_workspace checked that specs/001-todo-list/plan.md is byte-identical.)
    assert_eq!(
        f.ws.read("specs/001-todo-list/plan.md"),
        std::fs::read_to_string(fixtures_dir().join("adopted-plan/specs/001-todo-list/plan.md")).unwrap()
    );
}

#[test]
fn no_plan_input_leaves_every_key_to_clarify() {
    let f = run_fixture("no-plan-input");
    let plan = f.doc("001-todo-list/plan.md");
    let open = plan
        .lines()
        .filter(|l| l.starts_with("**") && l.ends_with("**: NEEDS CLARIFICATION"))
        .count();
    assert_eq!(open, 9, "{plan}");
}

#[test]
fn unicode_titles_stories_and_arrows_survive() {
    let f = run_fixture("unicode-and-emoji");
    let plan = f.doc("002-tâches-partagées/plan.md");
    assert!(
        plan.starts_with("# Implementation Plan: Tâches partagées 📝 — 共有タスク\n"),
        "{plan}"
    );
    assert!(
        plan.contains("### US1: Créer une tâche (P1)"),
        "the 🎯 MVP marker and ✍️ stay out of the title:\n{plan}"
    );
    assert!(plan.contains("### US2: Partager la liste (P2)"), "{plan}");
    let research = f.doc("002-tâches-partagées/research.md");
    assert!(
        research.contains("Combien de membres par famille ?") && research.contains("Jusqu'à 8 membres 👨‍👩‍👧‍👦."),
        "{research}"
    );
    assert!(
        research.contains("Quelle langue ?") && research.contains("Français et 日本語."),
        "`->` is an arrow too:\n{research}"
    );
    let data_model = f.doc("002-tâches-partagées/data-model.md");
    assert!(data_model.contains("(à faire → terminée)"), "{data_model}");
}

#[test]
fn an_empty_spec_fails_cleanly() {
    let f = run_fixture("empty-spec");
    f.run.assert_code(1);
    for code in [
        "error[SP201]: spec.md has no `User Scenarios & Testing` section",
        "warning[SP207]",
    ] {
        f.run.assert_stderr_contains(code);
    }
}

/// A source with no health route is probed by TCP (never a `/health` it does not serve),
/// the Dockerfile's HEALTHCHECK agrees, the choice is in research.md, and the required
/// variables are delivered: the application's own URL from its Service, the database URL
/// as a secretKeyRef the quickstart creates.
#[test]
fn no_health_route_probes_the_port_and_delivers_every_required_variable() {
    let f = run_fixture("no-health-route");
    f.run.assert_code(0);
    assert!(f.run.stderr.contains("warning[SP424]"), "{}", f.run.stderr);
    assert!(
        f.run.stderr.contains("--> backend/app/main.py:5:1"),
        "SP424 points at the application object:\n{}",
        f.run.stderr
    );
    let deployment = f.doc("001-todo-list/k8s/30-backend-deployment.yaml");
    assert_eq!(deployment.matches("tcpSocket:").count(), 3, "{deployment}");
    assert!(
        !deployment.contains("httpGet") && !deployment.contains("/health"),
        "{deployment}"
    );
    let dockerfile = f.doc("001-todo-list/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains("socket.create_connection(('127.0.0.1', 8000)") && !dockerfile.contains("/health"),
        "{dockerfile}"
    );
    let values = f.doc("001-todo-list/helm/todo/values.yaml");
    assert!(values.contains("tcpSocket:") && !values.contains("/health"), "{values}");
    let research = f.doc("001-todo-list/research.md");
    assert!(research.contains("Probes of backend"), "{research}");
    let config = f.doc("001-todo-list/k8s/20-backend-config-configmap.yaml");
    assert!(config.contains("BETTER_AUTH_URL: http://backend:8000"), "{config}");
    assert!(
        deployment.contains("- name: NEON_DATABASE_URL\n          valueFrom:\n            secretKeyRef:"),
        "{deployment}"
    );
    assert!(
        !f.run.stderr.contains("SP420"),
        "every required variable is delivered:\n{}",
        f.run.stderr
    );
    let quickstart = f.doc("001-todo-list/quickstart.md");
    assert!(
        quickstart.contains("--from-literal=BETTER_AUTH_SECRET="),
        "{quickstart}"
    );
}

#[test]
fn spec_risks_scale_estimates_and_traceability_reach_the_plan() {
    let f = run_fixture("risks-scale-and-estimates");
    let plan = f.doc("001-deploy/plan.md");
    for row in [
        "| The local cluster runs out of memory. | set requests and limits on every container. | specs/001-deploy/spec.md:",
        "| The chart drifts from the raw manifests. | render both in CI and compare them. |",
        "| Nobody has used Helm before. | none stated in the spec |",
        "| Image pulls fail offline | Load images into the cluster before installing |",
        "| 1 | Containerize the backend | 4 hours |",
        "| 2 | Deploy with Helm | not estimated in the plan input |",
        // Written in the plan input: certain, no `*`.
        "| SC-001 | — | — | Stage 1 | G130 dockerfile-multi-stage, G101 run-as-non-root | — | covered |",
        "| SC-002 | — | — | — | — | — | ⚠ no verification",
        "| FR-003 | backend\\* |",
    ] {
        assert!(plan.contains(row), "no {row:?} in\n{plan}");
    }
    assert!(!plan.contains("The inputs name no risks"), "{plan}");
    assert!(
        !plan.contains("| — | — | manual review"),
        "a dash for an estimate:\n{plan}"
    );
    assert!(
        plan.contains("> **Scale/Scope disagrees** (specs/001-deploy/plan-input.md:8): Scale/Scope says 3 Docker images; the deployment has 1 component (backend)."),
        "{plan}"
    );
    f.run
        .assert_stderr_contains("warning[SP212]: nothing verifies SC-002")
        .assert_stderr_contains("warning[SP413]");
    assert!(!f.run.stderr.contains("SP208"), "{}", f.run.stderr);
}

#[test]
fn clarification_sessions_carry_requirements_that_replace_the_originals() {
    let f = run_fixture("clarifications-carry-requirements");
    let plan = f.doc("001-todo-list/plan.md");
    assert!(
        plan.contains("| FR-002 | System MUST reject a task whose title is empty or longer than 200 characters.<br>*restated under Clarifications at specs/001-todo-list/spec.md:48, replacing line 31 (\"System MUST reject a task with an empty title.\")* |"),
        "{plan}"
    );
    for id in ["FR-003", "FR-004", "SC-002"] {
        assert!(plan.contains(&format!("| {id} |")), "{id} missing from\n{plan}");
    }
    let quickstart = f.doc("001-todo-list/quickstart.md");
    assert!(
        quickstart.contains("- [ ] **SC-001**: A user adds a task in under 3 seconds."),
        "{quickstart}"
    );
    assert!(
        quickstart.contains("- What happens when the title has 201 characters?"),
        "{quickstart}"
    );
    let research = f.doc("001-todo-list/research.md");
    assert!(research.contains("### R1: How long may a title be?"), "{research}");
    // Only the one bullet that is neither an answer nor a requirement is malformed.
    assert_eq!(f.run.stderr.matches("SP211").count(), 1, "{}", f.run.stderr);
}

/// A start command in prose that names another target than the source is reported where
/// it is written, and the source wins; without the source, the prose command is the one.
#[test]
fn a_prose_entry_point_that_contradicts_the_source_is_reported() {
    let f = run_fixture("prose-entry-contradicts-source");
    f.run.assert_code(0);
    assert!(
        f.run.stderr.contains(
            "warning[SP422]: entry point of `backend`: the prose says `app.main:app`, the source says `main:app`"
        ) && f.run.stderr.contains("--> specs/001-todo-list/plan-input.md:3:1"),
        "{}",
        f.run.stderr
    );
    let dockerfile = f.doc("001-todo-list/docker/backend.Dockerfile");
    assert!(dockerfile.contains("CMD [\"uvicorn\", \"main:app\""), "{dockerfile}");

    // Without the backend folder, the prose is the best input left, and the catalog's
    // guess (SP423) never comes up.
    std::fs::remove_dir_all(f.ws.join("backend")).unwrap();
    std::fs::remove_dir_all(f.ws.join("out")).unwrap();
    let run = Test::new().workspace(&f.ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        !run.stderr.contains("SP422") && !run.stderr.contains("SP423"),
        "{}",
        run.stderr
    );
    let dockerfile = f.ws.read("out/001-todo-list/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains("CMD [\"uvicorn\", \"app.main:app\""),
        "{dockerfile}"
    );
}

/// Components discovered in the repository answer the Technical Context keys the plan
/// input leaves open (language and version, framework), with the files that say so; only
/// the keys the repository cannot answer stay NEEDS CLARIFICATION (SP403).
#[test]
fn discovered_components_fill_the_technical_context() {
    let f = run_fixture("deploy-discovers-components");
    f.run.assert_code(0);
    for key in ["Language/Version", "Primary Dependencies"] {
        assert!(
            !f.run.stderr.contains(&format!("no input gives `{key}`")),
            "{key} is answered by the repository:\n{}",
            f.run.stderr
        );
    }
    assert!(
        f.run.stderr.contains("no input gives `Project Type`"),
        "{}",
        f.run.stderr
    );
    let plan = f.doc("001-deploy/plan.md");
    let line = plan
        .lines()
        .find(|l| l.contains("**Language/Version**"))
        .unwrap_or_else(|| panic!("no Language/Version line:\n{plan}"));
    assert!(
        line.contains("Python 3.13 (backend)")
            && line.contains("Node.js 24 (frontend)")
            && !line.contains("NEEDS CLARIFICATION"),
        "{line}"
    );
    assert!(
        plan.contains(
            "| Language/Version | derived from the repository's components: backend from backend/requirements.txt:1"
        ),
        "the origin names the files:\n{plan}"
    );
}

/// SP420's hint for a browser build-time variable is followed as it says, each way it
/// offers: the value becomes an `ARG` of the frontend's build stage, as given (a `localhost`
/// URL stays one: the browser reaches it through a port-forward, never a Service's name),
/// and nothing is reported about it any more.
#[test]
fn the_browser_build_variable_hint_is_what_sp_accepts() {
    let arg = "ARG NEXT_PUBLIC_API_URL=\"http://localhost:8000\"";
    let set = "components.frontend.config.NEXT_PUBLIC_API_URL=http://localhost:8000";
    let given = |ws: &Workspace, extra: &[&str]| {
        let run = Test::new().workspace(ws).args(["plan", "--all"]).args(extra).run();
        run.assert_code(0);
        for code in ["SP420", "SP421"] {
            assert!(
                !run.stderr.contains(code),
                "{code} after following the hint:\n{}",
                run.stderr
            );
        }
        let dockerfile = ws.read("out/001-deploy/docker/frontend.Dockerfile");
        let build = &dockerfile[dockerfile.find("AS build").expect("a build stage")..];
        let build = &build[..build.find("FROM ").unwrap_or(build.len())];
        assert!(build.contains(arg), "no `{arg}` in the build stage:\n{dockerfile}");
    };
    let ws = Workspace::fixture("browser-build-variable");
    given(&ws, &["--set", set]);
    let ws = Workspace::fixture("browser-build-variable");
    ws.write("frontend/.env.example", "NEXT_PUBLIC_API_URL=http://localhost:8000\n");
    given(&ws, &[]);
}

/// The only folder named like a component, one level down, is its source; of several, the
/// one a `sourceDir` names is, and following SP414's hint silences it and reads that code.
#[test]
fn nested_source_folders_are_used_when_unique_or_named() {
    let f = run_fixture("nested-source-folders");
    let images = f.doc("001-board/contracts/docker-images.yaml");
    assert!(images.contains("  context: site/frontend\n"), "{images}");
    let nginx = f.doc("001-board/docker/frontend.nginx.conf");
    assert!(nginx.contains("site/frontend/vite.config.ts:9 proxies /api"), "{nginx}");
    assert!(f.run.stderr.contains("warning[SP414]"), "{}", f.run.stderr);

    let ws = Workspace::fixture("nested-source-folders");
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--set", "components.backend.sourceDir=phase4/backend"])
        .run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP414"), "{}", run.stderr);
    let images = ws.read("out/001-board/contracts/docker-images.yaml");
    assert!(images.contains("  context: phase4/backend\n"), "{images}");
    // The code was read: the ASGI object in phase4/backend/app/main.py, not a catalog guess.
    // A component no folder is named like, while another (the frontend) found its own.
    let mcp = Workspace::fixture("nested-source-folders");
    let run = Test::new()
        .workspace(&mcp)
        .args(["plan", "--all", "--set", "components.mcp.stack=fastapi"])
        .run();
    assert!(
        run.stderr.contains("warning[SP414]: component `mcp`: no folder of the repository is named like it (mcp/, backend/, api/, server/), so sp read none of its source: its image builds from `mcp/`"),
        "{}",
        run.stderr
    );

    // With no component named, nested projects are not discovered, but SP409 lists them.
    let bare = Workspace::fixture("nested-source-folders");
    let input = bare.read("specs/001-board/plan-input.md");
    let input: String = input
        .lines()
        .filter(|l| !l.starts_with("- Frontend") && !l.starts_with("- Backend"))
        .map(|l| format!("{l}\n"))
        .collect();
    bare.write("specs/001-board/plan-input.md", &input);
    let found = Test::new().workspace(&bare).args(["plan", "--all"]).run();
    assert!(
        found.stderr.contains("one level inside other folders it found phase3/backend/ (fastapi python), phase4/backend/ (fastapi python), site/frontend/ (vite)"),
        "{}",
        found.stderr
    );
    let model = ws.read("out/001-board/data-model.md");
    assert!(
        model.contains("| Entry point | `app.main:app` (from `phase4/backend`) | phase4/backend/app/main.py:3 (FastAPI object `app`) |"),
        "{model}"
    );
}

/// Of several nested folders named like a component, the one under the folder the plan
/// input's Source Code tree starts from is its source, read as code, with the line that
/// chose it as its origin; two named folders are not chosen between; else the one under a
/// folder named after the feature.
#[test]
fn a_component_only_the_constitution_names_is_not_built_from_a_missing_folder() {
    let f = run_fixture("constitution-only-component-without-folder");
    assert!(f.run.stderr.contains("so it is not deployed"), "{}", f.run.stderr);
    let images = f.doc("001-board/contracts/docker-images.yaml");
    assert!(
        images.contains("component: backend") && !images.contains("mcp-server"),
        "{images}"
    );

    // Named by the feature's own deployment block, it is deployed, with the usual SP414.
    let ws = Workspace::fixture("constitution-only-component-without-folder");
    let input = ws.read("specs/001-board/plan-input.md");
    ws.write(
        "specs/001-board/plan-input.md",
        format!("{input}\n```yaml\ncomponents:\n  backend: {{}}\n  mcp-server: {{stack: fastapi}}\n```\n"),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(
        run.stderr
            .contains("component `mcp-server`: no folder of the repository is named like it"),
        "{}",
        run.stderr
    );
    let images = ws.read("out/001-board/contracts/docker-images.yaml");
    assert!(images.contains("component: mcp-server"), "{images}");
}

#[test]
fn a_spec_written_with_the_chinese_template_is_read() {
    let f = run_fixture("chinese-spec-kit-template");
    assert!(
        !f.run.stderr.contains("SP201") && !f.run.stderr.contains("SP303"),
        "{}",
        f.run.stderr
    );
    let plan = f.doc("001-notes/plan.md");
    for want in [
        "### US1: 保存笔记 (P1)",
        "### US2: 列出笔记 (P2)",
        "| FR-001 | 系统 MUST 保存用户提交的笔记并返回其 ID。 |",
        "SC-001",
    ] {
        assert!(plan.contains(want), "{want} in {plan}");
    }
}

#[test]
fn a_uv_lock_without_a_project_table_does_not_choose_uv() {
    let f = run_fixture("uv-lock-without-project-table");
    let dockerfile = f.doc("001-board/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains("pip install --no-cache-dir -r requirements.txt"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("uv sync"), "{dockerfile}");
    assert!(
        f.run.stderr.contains("warning[SP433]") && f.run.stderr.contains("backend/uv.lock is not used"),
        "{}",
        f.run.stderr
    );

    // With the `[project]` table uv installs, the lock file chooses uv again.
    let ws = Workspace::fixture("uv-lock-without-project-table");
    ws.write(
        "backend/pyproject.toml",
        "[project]\nname = \"backend\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = [\"fastapi==0.118.0\", \"uvicorn==0.37.0\"]\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(!run.stderr.contains("is not used"), "{}", run.stderr);
    let dockerfile = ws.read("out/001-board/docker/backend.Dockerfile");
    assert!(dockerfile.contains("uv sync --locked"), "{dockerfile}");
}

#[test]
fn the_compose_environment_of_a_component_is_its_configuration() {
    let f = run_fixture("compose-environment");
    let backend = f.doc("001-board/k8s/20-backend-config-configmap.yaml");
    for line in [
        "  MODEL_URL: http://host.docker.internal:11434\n",
        "  LOG_FORMAT: json\n",
        "  LOG_LEVEL: warning\n",
        "  SEARCH_URL: http://search:9000/v1\n",
    ] {
        assert!(backend.contains(line), "{line} in {backend}");
    }
    for absent in ["FEATURE_FLAGS", "CACHE_HOST", "DB_PASSWORD", "postgres"] {
        assert!(!backend.contains(absent), "{absent} in {backend}");
    }
    let search = f.doc("001-board/k8s/20-search-config-configmap.yaml");
    assert!(search.contains("  INDEX_NAME: tasks\n"), "{search}");
    let deployment = f.doc("001-board/k8s/30-backend-deployment.yaml");
    assert!(deployment.contains("key: DB_PASSWORD"), "{deployment}");
    // The backend now calls the search Service: its NetworkPolicy lets it.
    let policy = f.doc("001-board/k8s/15-backend-networkpolicy.yaml");
    assert!(
        policy.contains("    - port: 9000\n") && policy.contains("app.kubernetes.io/name: search"),
        "{policy}"
    );
    assert!(
        f.run.stderr.contains("info[SP440]") && f.run.stderr.contains("docker-compose.yml:14:7"),
        "{}",
        f.run.stderr
    );

    let ws = Workspace::fixture("compose-environment");
    let run = Test::new().workspace(&ws).args(["plan", "001", "--explain"]).run();
    assert!(
        run.stdout
            .contains("name=MODEL_URL value=http://host.docker.internal:11434 docker-compose.yml:8"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("derived from docker-compose.yml:12, with `search` for the compose service `search-api`"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_plan_input_names_which_nested_folder_is_the_source() {
    let f = run_fixture("nested-source-folder-named-by-plan");
    assert!(!f.run.stderr.contains("SP414"), "{}", f.run.stderr);
    let images = f.doc("001-board/contracts/docker-images.yaml");
    assert!(images.contains("  context: phase4/backend\n"), "{images}");
    let model = f.doc("001-board/data-model.md");
    assert!(
        model.contains("| Source folder | `phase4/backend` | specs/001-board/plan-input.md:17 names phase4/ |"),
        "{model}"
    );
    assert!(
        model.contains("phase4/backend/app/main.py:3 (FastAPI object `app`)"),
        "{model}"
    );

    let ws = Workspace::fixture("nested-source-folder-named-by-plan");
    let input = ws.read("specs/001-board/plan-input.md");
    ws.write(
        "specs/001-board/plan-input.md",
        format!("{input}\nThe code moved from `phase3/backend/`.\n"),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(run.stderr.contains("warning[SP414]"), "{}", run.stderr);

    // Without a path in the inputs, the folder named after the feature (`phase4-board/` for
    // `001-board`) is the one.
    let ws = Workspace::fixture("nested-source-folders");
    for file in ["requirements.txt", "app/__init__.py", "app/main.py"] {
        let text = ws.read(format!("phase4/backend/{file}"));
        ws.write(format!("phase4-board/backend/{file}"), &text);
    }
    std::fs::remove_dir_all(ws.path().join("phase4")).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(!run.stderr.contains("SP414"), "{}", run.stderr);
    let model = ws.read("out/001-board/data-model.md");
    assert!(
        model.contains(
            "| Source folder | `phase4-board/backend` | repository: phase4-board/ is named after the feature 001-board |"
        ),
        "{model}"
    );
}

/// A project inside a component's folder (`frontend/backend/` with its own requirements.txt)
/// is another project: its routes and variables are not the component's.
#[test]
fn a_project_nested_in_a_component_is_not_its_code() {
    let f = run_fixture("nested-project-in-component");
    let web = f.doc("001-board/k8s/30-frontend-deployment.yaml");
    assert!(web.contains("path: /api/health"), "{web}");
    assert!(!web.contains("path: /health\n"), "{web}");
    assert!(!web.contains("COHERE_API_KEY"), "{web}");
}

/// The container's `env` entry of `name`, from its `- name:` line to the next entry.
fn env_entry<'a>(deployment: &'a str, name: &str) -> &'a str {
    let start = deployment
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("{name} is delivered:\n{deployment}"));
    let entry = &deployment[start..];
    let end = entry[1..].find("\n        - ").map_or(entry.len(), |i| i + 1);
    &entry[..end]
}

/// `alias` (a read after `primary ||`) is an optional Secret key; `primary` is not.
fn assert_alias_is_optional(deployment: &str, primary: &str, alias: &str) {
    let entry = env_entry(deployment, alias);
    assert!(entry.contains("optional: true"), "{entry}");
    let entry = env_entry(deployment, primary);
    assert!(!entry.contains("optional"), "{entry}");
}

#[test]
fn an_alias_after_or_is_an_optional_secret_and_a_literal_after_or_a_default() {
    let f = run_fixture("env-read-fallbacks");
    let api = f.doc("001-todo-list/k8s/30-backend-deployment.yaml");
    assert_alias_is_optional(api, "COHERE_API_KEY", "CO_API_KEY");
    let chart = f.doc("001-todo-list/helm/todo/values.yaml");
    assert!(chart.contains("optional: true"), "{chart}");
    let quickstart = f.doc("001-todo-list/quickstart.md");
    assert!(quickstart.contains("--from-literal=COHERE_API_KEY="), "{quickstart}");
    assert!(!quickstart.contains("--from-literal=CO_API_KEY="), "{quickstart}");
    let config = f.doc("001-todo-list/k8s/20-backend-config-configmap.yaml");
    assert!(config.contains("LOG_LEVEL: WARNING"), "{config}");
    assert!(!f.run.stderr.contains("SP420"), "{}", f.run.stderr);
}

/// The same fallbacks read by a Node.js component: a literal after `??` is the default, an
/// expression after `||` makes the read optional, and a read after `||` is an alias.
#[test]
fn a_node_alias_after_or_is_an_optional_secret_and_an_expression_no_default() {
    let f = run_fixture("node-env-read-fallbacks");
    let api = f.doc("001-links-api/k8s/30-backend-deployment.yaml");
    assert_alias_is_optional(api, "COHERE_API_KEY", "CO_API_KEY");
    let quickstart = f.doc("001-links-api/quickstart.md");
    assert!(quickstart.contains("--from-literal=COHERE_API_KEY="), "{quickstart}");
    assert!(!quickstart.contains("--from-literal=CO_API_KEY="), "{quickstart}");
    let plan = f.doc("001-links-api/plan.md");
    assert!(
        plan.contains("| backend | `PAGE_SIZE` | config | no | the code's default `50` |"),
        "{plan}"
    );
    assert!(
        plan.contains("| backend | `LINKS_BASE_URL` | config | no | missing (optional) |"),
        "{plan}"
    );
    assert!(!plan.contains("config.baseUrl"), "an expression is no default");
    assert!(!f.run.stderr.contains("SP420"), "{}", f.run.stderr);
}

/// A folder with a role word in its name (`frontend-web`, `notes_api`) is the folder of the
/// component of that role, and discovery takes it.
#[test]
fn a_folder_with_a_role_word_in_its_name_is_that_role_s_folder() {
    let f = run_fixture("compound-role-folders");
    let named = f.doc("001-web-api/quickstart.md");
    assert!(
        named.contains("backend.Dockerfile -t notes-app-backend:0.1.0 notes_api\n"),
        "{named}"
    );
    assert!(
        named.contains("frontend.Dockerfile -t notes-app-frontend:0.1.0 frontend-web\n"),
        "{named}"
    );
    let discovered = f.doc("002-deploy/k8s/20-frontend-web-config-configmap.yaml");
    assert!(discovered.contains("API_URL: http://notes-api:8000"), "{discovered}");
    assert!(!f.run.stderr.contains("SP409"), "{}", f.run.stderr);
    assert!(!f.run.stderr.contains("SP415"), "{}", f.run.stderr);
}

/// When nothing names a component, the folders a root compose file builds are the
/// components, named after their services (the names the services reach each other by).
#[test]
fn discovery_takes_the_folders_compose_builds_by_their_service_names() {
    let f = run_fixture("deploy-discovers-compose-builds");
    let config = f.doc("001-deploy/k8s/20-portal-config-configmap.yaml");
    assert!(config.contains("API_URL: http://api:8000"), "{config}");
    let quickstart = f.doc("001-deploy/quickstart.md");
    assert!(
        quickstart.contains("api.Dockerfile -t notes-app-api:0.1.0 server\n"),
        "{quickstart}"
    );
    assert!(
        quickstart.contains("portal.Dockerfile -t notes-app-portal:0.1.0 portal\n"),
        "{quickstart}"
    );
    assert!(!f.run.stderr.contains("SP415"), "{}", f.run.stderr);
    // The images compose runs beside them are no silent drop.
    assert!(
        f.run.stderr.contains(
            "warning[SP416]: docker-compose.yml runs `db` (postgres:17), `mail` (mailhog/mailhog:v1.0.1) from images"
        ),
        "{}",
        f.run.stderr
    );
    assert!(
        f.run
            .stderr
            .contains("`- Database: PostgreSQL 17 (in-cluster, persistent volume 2Gi)`")
    );
    // The plan input's `Storage: none` does not silence it (the server reads DATABASE_URL);
    // the warning points at that statement too.
    assert!(
        f.run
            .stderr
            .contains("specs/001-deploy/plan-input.md:10 says the application keeps no data"),
        "{}",
        f.run.stderr
    );
}

/// A folder that pins its language version only in the team's own Dockerfile builds on that
/// version, and the documents say where it came from.
#[test]
fn the_team_s_dockerfile_from_is_a_version_source() {
    let f = run_fixture("team-dockerfile-pins-version");
    let backend = f.doc("001-deploy/docker/backend.Dockerfile");
    assert!(backend.contains("FROM python:3.11"), "{backend}");
    assert!(!backend.contains("python:3.13"), "{backend}");
    let frontend = f.doc("001-deploy/docker/frontend.Dockerfile");
    assert!(frontend.contains("FROM node:22"), "{frontend}");
    assert!(!frontend.contains("node:24"), "{frontend}");
    let research = f.doc("001-deploy/research.md");
    assert!(research.contains("backend/Dockerfile:2"), "{research}");
    // The compose file's `dockerfile: Dockerfile.prod` is the frontend's image; its Node 22
    // is within package.json's `engines.node` range, so it wins over the newest Node allowed.
    assert!(
        research.contains("frontend/Dockerfile.prod:1, within `>=20` of frontend/package.json:4"),
        "{research}"
    );
    // The development Dockerfiles beside them decide nothing: not the port, not the command.
    assert!(!research.contains("Dockerfile.dev"), "{research}");
    assert!(backend.contains("EXPOSE 8000"), "{backend}");
    assert!(!backend.contains("--reload"), "{backend}");
    assert!(!frontend.contains("\"dev\""), "{frontend}");
}

/// A build script that names a Dockerfile inside the folder (`-f backend/Dockerfile.prod
/// backend`) decides the team's image over the folder's plain `Dockerfile`; a development
/// Dockerfile another script names decides nothing.
#[test]
fn the_dockerfile_a_build_script_names_is_the_team_s() {
    let f = run_fixture("team-dockerfile-named-by-script");
    let backend = f.doc("001-deploy/docker/backend.Dockerfile");
    assert!(backend.contains("FROM python:3.12"), "{backend}");
    assert!(backend.contains("EXPOSE 9000"), "{backend}");
    assert!(!backend.contains("--reload"), "{backend}");
    let research = f.doc("001-deploy/research.md");
    assert!(
        research.contains("version from backend/Dockerfile.prod:1"),
        "{research}"
    );
    assert!(!research.contains("Dockerfile.dev"), "{research}");
    let deployment = f.doc("001-deploy/k8s/30-backend-deployment.yaml");
    assert!(deployment.contains("containerPort: 9000"), "{deployment}");
}

/// Folders with a Dockerfile that no component builds from are reported at their `FROM`
/// line (SP438); a folder whose name says it is no service is not.
#[test]
fn a_dockerfile_no_component_builds_is_reported() {
    let f = run_fixture("image-folder-not-deployed");
    let blocks: Vec<&str> = f
        .run
        .stderr
        .split("\n\n")
        .filter(|b| b.contains("warning[SP438]"))
        .collect();
    assert_eq!(blocks.len(), 2, "{}", f.run.stderr);
    assert!(blocks[0].contains("--> mcp-server/Dockerfile:1:1"), "{}", blocks[0]);
    assert!(blocks[0].contains("holds no project sp reads"), "{}", blocks[0]);
    assert!(blocks[1].contains("--> worker/Dockerfile:2:1"), "{}", blocks[1]);
    assert!(
        blocks[1].contains("`worker: {sourceDir: worker, stack: python-worker}`"),
        "{}",
        blocks[1]
    );
    assert!(!f.run.stderr.contains("docs/Dockerfile"), "{}", f.run.stderr);
    assert!(!f.run.stderr.contains("backend/Dockerfile"), "{}", f.run.stderr);
}

/// The image installs the folder's requirements.txt; a command whose program it does not
/// list is reported with the file the team's Dockerfile installs.
#[test]
fn a_command_the_image_does_not_install_is_reported() {
    let f = run_fixture("command-not-installed");
    let block = f
        .run
        .stderr
        .split("\n\n")
        .find(|b| b.contains("warning[SP439]"))
        .unwrap_or_else(|| panic!("{}", f.run.stderr));
    assert!(block.contains("--> backend/requirements.txt:1:1"), "{block}");
    assert!(block.contains("does not list `uvicorn`"), "{block}");
    assert!(
        block.contains("backend/Dockerfile installs backend/src/requirements.txt"),
        "{block}"
    );
}

/// The team's Dockerfile installs src/requirements.txt and the folder's requirements.txt
/// installs nothing: the image installs the team's file, so the command's server is in it.
#[test]
fn the_image_installs_the_requirements_file_the_team_image_installs() {
    let f = run_fixture("team-image-requirements-file");
    assert!(!f.run.stderr.contains("SP439"), "{}", f.run.stderr);
    let dockerfile = f.doc("001-deploy/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains(
            "COPY src/requirements.txt ./src/\nRUN python -m venv /app/.venv \\\n    && pip install --no-cache-dir -r src/requirements.txt \\\n"
        ),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("CMD [\"uvicorn\", \"src.main:app\""),
        "{dockerfile}"
    );
    // The stack is read from what the team installs (FastAPI), so the probes are its /health.
    assert!(dockerfile.starts_with("# backend: FastAPI (uvicorn)."), "{dockerfile}");
    let deployment = f.doc("001-deploy/k8s/30-backend-deployment.yaml");
    assert!(deployment.contains("path: /health\n"), "{deployment}");
    // The research says where the install comes from.
    let images = f.doc("001-deploy/contracts/docker-images.yaml");
    assert!(images.contains("src/requirements.txt"), "{images}");
}

/// A browser call to a localhost port no component listens on is reported, not forwarded.
#[test]
fn a_browser_call_to_a_port_nothing_listens_on_is_reported() {
    let f = run_fixture("browser-calls-nothing");
    let block = f
        .run
        .stderr
        .split("\n\n")
        .find(|b| b.contains("warning[SP426]"))
        .unwrap_or_else(|| panic!("{}", f.run.stderr));
    assert!(block.contains("no component listens on port 5000"), "{block}");
    assert!(block.contains("--> frontend/.env.example:1:1"), "{block}");
    assert!(block.contains("`backend` on 8000"), "{block}");
    assert!(!f.run.stderr.contains("SP425"), "{}", f.run.stderr);
    let quickstart = f.doc("001-deploy/quickstart.md");
    assert!(!quickstart.contains("# keep it running"), "{quickstart}");
}

/// A server-rendered frontend's browser code that calls the backend at localhost works
/// through a port-forward, which the quickstart starts and a note explains.
#[test]
fn a_browser_call_to_localhost_gets_its_port_forward() {
    let f = run_fixture("browser-calls-localhost");
    let docker = f.doc("001-deploy/docker/frontend.Dockerfile");
    assert!(
        docker.contains("ARG NEXT_PUBLIC_API_URL=\"http://localhost:8000\""),
        "{docker}"
    );
    let quickstart = f.doc("001-deploy/quickstart.md");
    let access = &quickstart[quickstart.find("## 6. Access").unwrap()..quickstart.find("## 7. Verify").unwrap()];
    assert!(
        access.contains("kubectl port-forward -n todo service/backend 8000:8000 &   # keep it running: the browser calls http://localhost:8000 (NEXT_PUBLIC_API_URL)"),
        "{access}"
    );
    assert!(
        f.run
            .stderr
            .contains("info[SP425]: `NEXT_PUBLIC_API_URL` of `frontend` is `http://localhost:8000`"),
        "{}",
        f.run.stderr
    );
    assert!(
        f.run.stderr.contains("--> frontend/.env.example:1:1"),
        "{}",
        f.run.stderr
    );
}

#[test]
fn a_hand_written_spec_is_planned_with_its_bullets_numbered() {
    let f = run_fixture("hand-written-spec");
    f.run.assert_code(0);
    let plan = f.doc("001-deploy-notes/plan.md");
    for want in [
        "This plan covers 0 user stories, 5 requirements and 1 success criterion",
        "| FR-001 | System must build one image per service |",
        "| FR-003 | The service must be reachable inside the cluster |",
        "| NFR-002 | Rollouts must not drop requests |",
        "None: a stage delivers a user story",
        "No user story to break down into components.",
    ] {
        assert!(plan.contains(want), "{want}\n{plan}");
    }
    let checklist = f.doc("001-deploy-notes/checklists/requirements.md");
    assert!(checklist.contains("Missing: User Scenarios & Testing"), "{checklist}");
}

#[test]
fn a_health_route_is_probed_where_its_router_is_mounted() {
    let f = run_fixture("health-route-under-prefix");
    f.run.assert_code(0);
    let deployment = f.doc("001-todo-list/k8s/30-backend-deployment.yaml");
    assert!(deployment.contains("path: /api/health"), "{deployment}");
    assert!(!deployment.contains("path: /health"), "{deployment}");
    assert!(!f.run.stderr.contains("SP424"), "{}", f.run.stderr);
}

#[test]
fn the_team_image_requirements_win_over_a_lock_that_lacks_them() {
    let f = run_fixture("team-image-installs-requirements");
    f.run.assert_code(0);
    f.run
        .assert_stderr_contains("warning[SP433]: component `backend`: backend/uv.lock is not used");
    let dockerfile = f.doc("001-board/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains("pip install --no-cache-dir -r requirements.txt"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("uv sync"), "{dockerfile}");
}

#[test]
fn a_settings_list_gets_its_value_as_json() {
    let f = run_fixture("settings-list-from-env-example");
    f.run.assert_code(0);
    let configmap = f.doc("001-board/k8s/20-backend-config-configmap.yaml");
    assert!(
        configmap.contains(r#"CORS_ORIGINS: "[\"http://localhost:3000\",\"http://127.0.0.1:3000\"]""#),
        "{configmap}"
    );
}

#[test]
fn an_imported_folder_the_repository_lacks_is_reported() {
    let f = run_fixture("imported-folder-missing");
    f.run.assert_code(0);
    f.run.assert_stderr_contains(
        "warning[SP441]: component `frontend`: `@/lib/dates` (and 1 more import) needs frontend/src/lib/, which is not in the repository",
    );
    assert!(!f.run.stderr.contains("frontend/src/components/"), "{}", f.run.stderr);
}

#[test]
fn an_import_outside_the_build_context_is_reported() {
    let f = run_fixture("imported-folder-missing");
    f.run.assert_stderr_contains(
        "warning[SP442]: component `frontend`: `@shared/brand` resolves through the alias `@shared/*` to shared/, outside frontend/, the build context of its image",
    );
}
