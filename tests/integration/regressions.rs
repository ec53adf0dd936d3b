//! Regression tests: each reproduces a bug that was found in `src/` and fixed, so it stays
//! fixed. A new bug gets its failing test here first, then the fix.

use std::process::Command;

use crate::support::{BIN, Test, Workspace, fixtures_dir, read_tree};

/// A copy of the clean-minimal fixture with `spec.md` (or another file) replaced.
fn minimal_with(rel: &str, contents: &[u8]) -> Workspace {
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    ws.write(rel, contents);
    ws
}

const SPEC: &str = "specs/001-todo-list/spec.md";
const PLAN_INPUT: &str = "specs/001-todo-list/plan-input.md";

/// Runs the binary without `Test::run`'s panic check, to observe the crash itself.
fn raw_run(ws: &Workspace) -> std::process::Output {
    Command::new(BIN)
        .args(["--color", "never", "plan", "--all"])
        .current_dir(ws.path())
        .output()
        .unwrap()
}

/// src/parse/spec.rs `needs_clarification` (line 737): an unclosed marker at the end of the
/// file slices the text at `len - 1`, which panics when the last character is multi-byte.
#[test]
fn unclosed_marker_at_end_of_file_does_not_panic() {
    let ws = minimal_with(
        SPEC,
        "# Feature Specification: X\n\n[NEEDS CLARIFICATION: café".as_bytes(),
    );
    let out = raw_run(&ws);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[SP206]"), "{stderr}");
}

/// src/parse/spec.rs `parse_story_heading` (lines 795-797): the offset of "story" is found in
/// `heading.to_lowercase()` but used to slice `heading`; characters whose lower case has a
/// different length in UTF-8 (İ → i̇) shift it: the story number is read as 0, or the slice
/// lands inside a character and panics.
#[test]
fn story_heading_offsets_survive_case_changing_characters() {
    let spec = "# Feature Specification: X\n\n## User Scenarios & Testing\n\n### (İİ) User Story 1 - Add a task (Priority: P1)\n\nText.\n\n## Requirements\n\n- **FR-001**: System MUST work.\n\n## Success Criteria\n\n- **SC-001**: 1 task in 5 s.\n";
    let ws = minimal_with(SPEC, spec.as_bytes());
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(
        run.stderr.contains("user story 1 has no acceptance scenarios"),
        "{}",
        run.stderr
    );

    let spec = spec.replace("(İİ) User Story 1", "(İ) User Story\u{3000}1");
    let ws = minimal_with(SPEC, spec.as_bytes());
    let out = raw_run(&ws);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// src/parse/plan_input.rs `stage_line` (line 605): the same lower-case offset mix-up;
/// `STAGE 1: İZMİR ROLLOUT` gets the title `1: İZMİR ROLLOUT`.
#[test]
fn stage_titles_with_case_changing_characters() {
    let ws = minimal_with(
        PLAN_INPUT,
        b"# Plan input\n\nSTAGE 1: \xc4\xb0ZM\xc4\xb0R ROLLOUT - 2 days\nSTAGE 2: BERLIN ROLLOUT - 3 days\n",
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let plan = ws.read("out/001-todo-list/plan.md");
    assert!(plan.contains("| 1 | İZMİR ROLLOUT | 2 days |"), "{plan}");
}

/// src/parse/plan_input.rs `keyed_list` / `flush_keyed` (lines 305-370): inside a
/// `Technical Context:` list, a `- Constraints:` item followed by a nested list gets an
/// empty value; the nested items are dropped and no SP403 is reported.
#[test]
fn nested_list_under_a_key_inside_technical_context() {
    let ws = minimal_with(
        PLAN_INPUT,
        b"# Plan input\n\nTechnical Context:\n- Language/Version: Python 3.13\n- Constraints:\n  - no external services\n  - runs offline\n- Scale/Scope: 1 user\n",
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let plan = ws.read("out/001-todo-list/plan.md");
    assert!(
        plan.contains("**Constraints**: no external services; runs offline\n"),
        "{plan}"
    );
}

/// src/parse/spec.rs `needs_clarification` (line 728): any `[NEEDS CLARIFICATION` is a
/// marker, including the item `No [NEEDS CLARIFICATION] markers remain` of the Review &
/// Acceptance Checklist that spec-kit's v0.0.50 spec template puts in every spec.md.
#[test]
fn checklist_item_naming_the_marker_is_not_a_marker() {
    let spec = std::fs::read_to_string(fixtures_dir().join("legacy-v0050-layout/specs/001-photo-albums/spec.md"))
        .unwrap()
        .replace(
            "- [x] Requirements are testable and unambiguous",
            "- [x] No [NEEDS CLARIFICATION] markers remain\n- [x] Requirements are testable and unambiguous",
        );
    let ws = Workspace::copy_of(fixtures_dir().join("legacy-v0050-layout"));
    ws.write("specs/001-photo-albums/spec.md", spec);
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP206"), "{}", run.stderr);
}

/// src/cli/plan.rs (line 21, `trailing_var_arg = true` on TEXT): every argument after the
/// first word of the text is swallowed into it, options included. `sp plan 006 "…" --check`
/// saves `… --check` as plan-input.md and then writes out/, the opposite of --check.
#[test]
fn options_after_the_text_are_options() {
    let ws = Workspace::example();
    let before = ws.read("specs/006-k8s-deployment/plan-input.md");
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "Backend: FastAPI", "--check"])
        .run();
    assert!(
        !ws.read("specs/006-k8s-deployment/plan-input.md").contains("--check"),
        "--check was saved as plan input text"
    );
    assert!(!ws.exists("out"), "--check wrote out/");
    // Either refuse (exit 2, as `sp plan --check 006 TEXT` does) or honour --check.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(ws.read("specs/006-k8s-deployment/plan-input.md"), before);
}

/// The line of `sp plan --explain` for `field` inside the block of `component` (or at the
/// top level when `component` is empty), with its value and origin.
fn explain_line(ws: &Workspace, component: &str, field: &str) -> String {
    let run = Test::new().workspace(ws).args(["plan", "--explain"]).run();
    run.assert_code(0);
    let mut inside = false;
    for line in run.stdout.lines() {
        if component.is_empty() && line.starts_with(&format!("  {field} ")) {
            return line.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        if line.starts_with("  components ") {
            inside = line.trim_start_matches("  components ") == component;
            continue;
        }
        if inside && line.trim_start().starts_with(&format!("{field} ")) {
            return line.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    panic!("no `{field}` for `{component}` in:\n{}", run.stdout)
}

fn fixture(name: &str) -> Workspace {
    Workspace::copy_of(fixtures_dir().join(name))
}

/// src/resolve/deploy/prose.rs `Facts::port`: any `port ` inside a word counted, so "the
/// backend MUST support 10 concurrent users" set the backend's port to 10 (EXPOSE 10, probes
/// on 10) while its CMD still said 8000.
#[test]
fn a_number_is_a_port_only_where_the_sentence_says_port() {
    let ws = fixture("concurrent-users-not-a-port");
    assert_eq!(
        explain_line(&ws, "backend", "port"),
        "port 8000 default (fastapi catalog)"
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let dockerfile = ws.read("out/001-deploy/docker/backend.Dockerfile");
    assert!(dockerfile.contains("EXPOSE 8000"), "{dockerfile}");
    assert!(!dockerfile.contains("EXPOSE 10\n"), "{dockerfile}");
}

/// src/resolve/deploy/mod.rs `resolve`: a deployment feature whose plan input names no
/// component got five documents and exit 0, although the repository had frontend/ and
/// backend/ with their manifests and lock files.
#[test]
fn a_deployment_feature_discovers_its_components_in_the_repository() {
    let ws = fixture("deploy-discovers-components");
    assert_eq!(
        explain_line(&ws, "backend", "source_dir"),
        "source_dir backend repository: backend/requirements.txt:1 (depends on fastapi)"
    );
    assert_eq!(
        explain_line(&ws, "frontend", "source_dir"),
        "source_dir frontend repository: frontend/package.json:6 (depends on next, package-lock.json)"
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    assert!(ws.exists("out/001-deploy/docker/backend.Dockerfile"));
    assert!(ws.exists("out/001-deploy/docker/frontend.Dockerfile"));
}

/// The same with the application at the repository root (`requirements.txt` next to
/// `specs/`): the root project is the component, built from `.`.
#[test]
fn a_root_project_is_discovered() {
    let ws = fixture("deploy-discovers-nothing");
    ws.write("requirements.txt", "fastapi==0.115.6\nuvicorn==0.34.0\n");
    ws.write("app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n");
    assert_eq!(
        explain_line(&ws, "backend", "source_dir"),
        "source_dir . repository: requirements.txt:1 (depends on fastapi)"
    );
}

/// A deployment feature that finds no component anywhere must say so, naming what it
/// looked for; before, only `--explain` said why nothing was deployed.
#[test]
fn a_deployment_feature_without_components_warns() {
    let ws = fixture("deploy-discovers-nothing");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(run.stderr.contains("warning[SP409]"), "{}", run.stderr);
    assert!(run.stderr.contains("apps/*, services/*"), "{}", run.stderr);
    assert!(!ws.exists("out/001-deploy/docker"));
    // Not a deployment feature: no warning, documents only.
    let ws = fixture("clean-minimal");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(!run.stderr.contains("SP409"), "{}", run.stderr);
}

/// src/resolve/deploy/mod.rs `scope`: with `--all`, a `--set components.…` reached every
/// feature and turned the ones about something else into deployments. Components named only
/// by `--set` no longer decide that a feature deploys; the feature says what was not applied.
#[test]
fn a_set_component_does_not_make_every_feature_a_deployment() {
    let ws = fixture("clean-minimal");
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "--all", "--set", "components.api.port=8080"])
        .run();
    run.assert_code(0);
    assert!(!ws.exists("out/001-todo-list/docker"), "{}", run.stderr);
    assert!(
        run.stderr.contains("info[SP412]") && run.stderr.contains("`--set components.api.…` not applied to it"),
        "{}",
        run.stderr
    );
    // Asked for explicitly, it deploys.
    let run = Test::new()
        .workspace(&ws)
        .args([
            "plan",
            "--all",
            "--set",
            "components.api.port=8080",
            "--set",
            "components.api.stack=fastapi",
            "--set",
            "deploy=true",
        ])
        .run();
    assert!(ws.exists("out/001-todo-list/docker/api.Dockerfile"), "{}", run.stderr);
    assert!(!run.stderr.contains("not applied"), "{}", run.stderr);
}

/// src/resolve/context.rs: `- Frontend: Next.js 16, Backend: FastAPI, Python 3.12` on one
/// line deployed the frontend only; the second stack was part of its value.
#[test]
fn every_stack_on_a_line_counts() {
    let ws = fixture("two-stacks-on-one-line");
    assert_eq!(
        explain_line(&ws, "backend", "stack"),
        "stack fastapi specs/001-deploy/plan-input.md:3"
    );
    assert_eq!(
        explain_line(&ws, "frontend", "stack"),
        "stack nextjs-standalone specs/001-deploy/plan-input.md:3"
    );
}

/// src/resolve/deploy/prose.rs `Facts::namespace`: "All resources MUST live in the `todo`
/// namespace" was ignored (the name comes before the word).
#[test]
fn a_namespace_requirement_sets_the_namespace() {
    let ws = fixture("namespace-requirement");
    assert_eq!(
        explain_line(&ws, "", "namespace"),
        "namespace todo specs/001-deploy/spec.md (FR-003)"
    );
}

/// "Replicas: 1 for the backend" in the plan input was ignored without a word (and its key
/// reported as an unknown Technical Context key).
#[test]
fn replicas_stated_per_component_are_used() {
    let ws = fixture("replicas-for-one-component");
    assert_eq!(
        explain_line(&ws, "backend", "replicas"),
        "replicas 3 specs/001-deploy/plan-input.md:5"
    );
    assert_eq!(
        explain_line(&ws, "frontend", "replicas"),
        "replicas 2 specs/001-deploy/plan-input.md:5"
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(!run.stderr.contains("SP401"), "{}", run.stderr);
    assert!(!run.stderr.contains("SP410"), "{}", run.stderr);
}

/// "The frontend via NodePort 30080" was reported unused (SP410, with a hint to set the
/// container's port to 30080) and the Service got whatever node port the cluster picked.
#[test]
fn a_stated_node_port_is_the_service_s_node_port() {
    let ws = fixture("node-port");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("a node port stated here"), "{}", run.stderr);
    // A typed node port on a ClusterIP Service is said, not dropped or applied.
    assert!(
        run.stderr
            .contains("node port 30081 is set, and its Service is ClusterIP"),
        "{}",
        run.stderr
    );
    let frontend = ws.read("out/001-deploy/k8s/40-frontend-service.yaml");
    assert!(
        frontend.contains("nodePort: 30080") && frontend.contains("type: NodePort"),
        "{frontend}"
    );
    let backend = ws.read("out/001-deploy/k8s/40-backend-service.yaml");
    assert!(!backend.contains("nodePort"), "{backend}");
    // The chart opens it where it makes the frontend a NodePort: locally.
    let chart = "out/001-deploy/helm/todo";
    assert!(
        ws.read(format!("{chart}/values-local.yaml"))
            .contains("nodePort: 30080")
    );
    for file in ["values.yaml", "values-production.yaml"] {
        assert!(!ws.read(format!("{chart}/{file}")).contains("nodePort: 3"), "{file}");
    }
    let plan = ws.read("out/001-deploy/plan.md");
    assert!(plan.contains("port 30080 of every node"), "{plan}");
    let quickstart = ws.read("out/001-deploy/quickstart.md");
    assert!(
        quickstart
            .contains("minikube service frontend -n todo --url   # node port 30080: also http://$(minikube ip):30080/"),
        "{quickstart}"
    );
    let contract = ws.read("out/001-deploy/contracts/k8s-resources.yaml");
    assert_eq!(contract.matches("nodePort").count(), 1, "{contract}");
    assert!(
        contract.contains("nodePort: '30080'") || contract.contains("nodePort: \"30080\""),
        "{contract}"
    );
}

/// Two components given one node port: the API server would refuse the second Service.
#[test]
fn a_node_port_is_one_component_s() {
    let ws = fixture("node-port");
    let input = ws
        .read("specs/001-deploy/plan-input.md")
        .replace("    nodePort: 30081", "    exposure: NodePort\n    nodePort: 30080");
    ws.write("specs/001-deploy/plan-input.md", input.as_bytes());
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0).assert_stderr_contains(
        "component `backend`: node port 30080 is `frontend`'s already, and the API server refuses a second Service on it",
    );
    assert!(
        ws.read("out/001-deploy/k8s/40-frontend-service.yaml")
            .contains("nodePort: 30080")
    );
    let backend = ws.read("out/001-deploy/k8s/40-backend-service.yaml");
    assert!(
        backend.contains("type: NodePort") && !backend.contains("nodePort"),
        "{backend}"
    );
}

/// A deployment fact no rule can use is reported with the typed form to write instead,
/// and services the spec counts but the model does not deploy are reported.
#[test]
fn deployment_facts_are_never_dropped_silently() {
    let ws = fixture("unrecognised-deployment-statement");
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    for expected in [
        "warning[SP410]: a port stated here",
        "`components: {backend: {port: 9000}}`",
        "warning[SP410]: a CPU or memory quantity stated here",
        "`components: {backend: {resources: {memoryLimit: 384Mi}}}`",
        "warning[SP411]: 4 services are enumerated here, but the deployment has 1 (backend): 3 of them not deployed",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected}:\n{}", run.stderr);
    }
}

/// src/resolve/deploy/mod.rs `lines_from_context`: `Python 3.13 (backend, MCP server)` took
/// neither role (the list was split at its comma), and a plan with stack lines ignored
/// Language/Version roles they did not cover; `Node.js (for Frontend)` names no frontend
/// stack, but the frontend folder's package.json does.
#[test]
fn roles_in_language_version_all_count() {
    let ws = fixture("deploy-discovers-components");
    ws.write(
        "specs/001-deploy/plan-input.md",
        "# Plan input\n\n- Language/Version: Python 3.13 (backend, MCP server), Node.js 22 (for Frontend)\n- Primary Dependencies: FastAPI, FastMCP\n- Backend: FastAPI, Python 3.13\n",
    );
    assert_eq!(
        explain_line(&ws, "mcp-server", "stack"),
        "stack fastapi derived from Language/Version and Primary Dependencies (specs/001-deploy/plan-input.md:3)"
    );
    let frontend = explain_line(&ws, "frontend", "stack_name");
    assert!(frontend.contains("Next.js"), "{frontend}");
}

/// src/resolve/deploy/discover.rs: `Python 3.11 (for Backend)` with no framework picked the
/// generic Python service (`python -m app`) although backend/requirements.txt names FastAPI.
#[test]
fn a_language_only_stack_takes_the_framework_of_its_folder() {
    let ws = fixture("deploy-discovers-components");
    ws.write(
        "specs/001-deploy/plan-input.md",
        "# Plan input\n\n- Language/Version: Python 3.12 (for Backend)\n- Primary Dependencies: Docker, Helm\n",
    );
    assert_eq!(
        explain_line(&ws, "backend", "stack"),
        "stack fastapi derived from Language/Version and Primary Dependencies (specs/001-deploy/plan-input.md:3) and backend/requirements.txt:1 (depends on fastapi)"
    );
}

/// A Service type that names no component is about the one reached from outside: "NodePort
/// access only" agrees with a frontend that is a NodePort, and is reported when it is not.
#[test]
fn a_service_type_naming_no_component_is_checked_against_the_frontend() {
    let ws = fixture("two-stacks-on-one-line");
    let input = ws.read("specs/001-deploy/plan-input.md");
    ws.write(
        "specs/001-deploy/plan-input.md",
        input.replace(
            "- Constraints: local cluster only",
            "- Constraints: NodePort access only",
        ),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(!run.stderr.contains("SP410"), "{}", run.stderr);
    ws.write(
        "specs/001-deploy/plan-input.md",
        input.replace(
            "- Constraints: local cluster only",
            "- Constraints: LoadBalancer access only",
        ),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(
        run.stderr
            .contains("`components: {frontend: {exposure: LoadBalancer}}`"),
        "{}",
        run.stderr
    );
}

/// A TypeScript Express server with no `start` script was SP423 with `node server.js`, a file
/// that does not exist: its listening `src/index.ts` now runs as `dist/index.js`, mapped by
/// tsconfig.json's rootDir and outDir, built by the package's `build` script in a build stage,
/// and `--explain` cites the lines each fact came from.
#[test]
fn a_typescript_server_without_a_start_script_runs_compiled() {
    let ws = Workspace::copy_of(crate::support::repo_root().join("tests/workspaces/express-ts"));
    std::fs::remove_dir_all(ws.join("out")).ok();
    assert_eq!(
        explain_line(&ws, "backend", "entry"),
        "entry kind=node-script root=api target=dist/index.js api/src/index.ts:10 (listen(…), compiled to dist/index.js: outDir `dist` (api/tsconfig.json:7), rootDir `src` (api/tsconfig.json:6))"
    );
    assert_eq!(
        explain_line(&ws, "backend", "command"),
        "command node, dist/index.js api/src/index.ts:10 (listen(…), compiled to dist/index.js: outDir `dist` (api/tsconfig.json:7), rootDir `src` (api/tsconfig.json:6))"
    );
    let run = Test::new().workspace(&ws).args(["plan", "--explain"]).run();
    run.assert_stdout_contains("npm run build                            api/package.json:8 (scripts.build `tsc`)")
        .assert_stdout_contains(
            "dist                                     api/tsconfig.json:7 (compilerOptions.outDir)",
        );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP423"), "{}", run.stderr);
    let dockerfile = ws.read("out/001-notes-api/docker/backend.Dockerfile");
    assert!(
        dockerfile.contains("FROM node:22.21-alpine3.22 AS build\nWORKDIR /build\n"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("\nRUN npm run build\n"), "{dockerfile}");
    assert!(
        dockerfile.contains("\nCOPY --from=build /build/dist ./dist\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.ends_with("CMD [\"node\", \"dist/index.js\"]\n"),
        "{dockerfile}"
    );
}

/// data-model.md wrote "secure-by-default policy" as the source of every component's user,
/// also when an input set it: the user now keeps the input that decided it, like every
/// other value of the model.
#[test]
fn the_user_a_component_runs_as_names_its_source() {
    let ws = Workspace::example();
    Test::new()
        .workspace(&ws)
        .args(["plan", "006", "--set", "components.backend.uid=20001"])
        .run();
    let model = ws.read("out/006-k8s-deployment/data-model.md");
    assert!(
        model.contains("| User | `20001:20001` | --set components.backend.uid |"),
        "{model}"
    );
    assert!(model.contains("| User | `10001:10001` | default (non-root user above 10000) |"));
}

/// A `.env.example` key the ConfigMap gate calls secret (`NEON_DB_PASS`: its last word is
/// `pass`) and a variable whose code default is a URL with a password went into the
/// ConfigMap, and sp's own gate G125 then failed the run on what sp had written: the
/// resolver and the gate now share one judgement of what is a credential.
#[test]
fn what_the_configmap_gate_calls_a_secret_is_placed_in_the_secret() {
    let ws = Workspace::copy_of(crate::support::repo_root().join("tests/workspaces/src-layout"));
    std::fs::remove_dir_all(ws.join("out")).ok();
    ws.write("api/.env.example", "NEON_DB_PASS=your_neon_password\nLOG_FORMAT=json\n");
    ws.write(
        "api/src/notes_api/migrate.py",
        "import os\n\nMIGRATION_URL = os.getenv(\"MIGRATION_URL\", \"postgresql://user:password@localhost:5432/notes\")\n",
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("G125"), "{}", run.stderr);
    let deployment = ws.read("out/001-notes-api/k8s/30-backend-deployment.yaml");
    for name in ["NEON_DB_PASS", "MIGRATION_URL"] {
        assert!(
            deployment.contains(&format!(
                "- name: {name}\n          valueFrom:\n            secretKeyRef:"
            )),
            "{name}: {deployment}"
        );
    }
    let config = ws.read("out/001-notes-api/k8s/20-backend-config-configmap.yaml");
    assert!(
        !config.contains("NEON_DB_PASS") && !config.contains("MIGRATION_URL"),
        "{config}"
    );
    assert!(config.contains("LOG_FORMAT: json"), "{config}");
}

/// Features grouped one level down (`specs/phase-1/001-todo-list/`, teams that work in phases)
/// were first reported as "no feature folders under specs/", then only named with a `git mv`
/// to run: they are compiled, each under its own folder name, selected by that name, by their
/// path or from inside their folder; a grouped folder whose name another feature has is SP109.
#[test]
fn grouped_feature_folders_are_compiled() {
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    std::fs::create_dir_all(ws.join("specs/phase-1")).unwrap();
    std::fs::rename(ws.join("specs/001-todo-list"), ws.join("specs/phase-1/001-todo-list")).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        !run.stderr.contains("SP104") && !run.stderr.contains("SP108"),
        "{}",
        run.stderr
    );
    assert!(ws.join("out/001-todo-list/plan.md").is_file(), "{}", run.stderr);
    let plan = ws.read("out/001-todo-list/plan.md");
    assert!(plan.contains("specs/phase-1/001-todo-list/spec.md"), "{plan}");

    // By its path, and from inside its folder: the same feature, already written.
    for (dir, args) in [
        (ws.join(""), vec!["plan", "specs/phase-1/001-todo-list"]),
        (ws.join("specs/phase-1/001-todo-list"), vec!["plan"]),
        (ws.join(""), vec!["plan", "todo-list"]),
    ] {
        let run = Test::new().workspace(&dir).args(args.clone()).run();
        run.assert_code(0);
        assert!(
            run.stderr.contains("1 feature, ") && run.stderr.contains(" 0 written"),
            "{args:?}: {}",
            run.stderr
        );
    }

    // Inside the group folder: its only feature; with two, which ones to name.
    let run = Test::new().workspace(ws.join("specs/phase-1")).args(["plan"]).run();
    run.assert_code(0);
    assert!(run.stderr.contains("1 feature, "), "{}", run.stderr);
    ws.write(
        "specs/phase-1/002-board/spec.md",
        ws.read("specs/phase-1/001-todo-list/spec.md"),
    );
    let run = Test::new().workspace(ws.join("specs/phase-1")).args(["plan"]).run();
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("2 features in specs/phase-1/ (001-todo-list, 002-board) and the git branch names none of them"),
        "{}",
        run.stderr
    );

    // A numbered folder without a spec.md whose folders have one groups them.
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    std::fs::create_dir_all(ws.join("specs/4-deploy")).unwrap();
    std::fs::rename(ws.join("specs/001-todo-list"), ws.join("specs/4-deploy/001-todo-list")).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP105"), "{}", run.stderr);
    assert!(ws.join("out/001-todo-list/plan.md").is_file(), "{}", run.stderr);

    // Beside a feature directly under specs/: both are compiled; a grouped folder with the name
    // of another feature is not, and says which one has its name.
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    let spec = ws.read("specs/001-todo-list/spec.md");
    ws.write("specs/phase-0/002-setup/spec.md", &spec);
    ws.write("specs/phase-0/001-todo-list/spec.md", spec.replace("Todo", "Shadowed"));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(run.stderr.contains("2 features, "), "{}", run.stderr);
    assert!(ws.join("out/002-setup/plan.md").is_file());
    assert!(
        run.stderr.contains(
            "warning[SP109]: specs/phase-0/001-todo-list/ is not compiled: a feature is named by its folder, and `001-todo-list` is already specs/001-todo-list/"
        ),
        "{}",
        run.stderr
    );
    assert!(!ws.read("out/001-todo-list/plan.md").contains("Shadowed"));
    assert!(!run.stderr.contains("SP108"), "{}", run.stderr);
}

/// A constitution left as spec-kit's template (`# [PROJECT_NAME] Constitution`) named a real
/// repository's chart, namespace and labels `project-name`: an unfilled title names nothing,
/// so the application is named after the feature, as without a constitution title.
#[test]
fn an_unfilled_constitution_title_does_not_name_the_application() {
    let ws = Workspace::copy_of(fixtures_dir().join("compose-environment"));
    let constitution = ws.read("constitution.md");
    ws.write(
        "constitution.md",
        constitution.replacen("# Todo Constitution", "# [PROJECT_NAME] Constitution", 1),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("warning[SP304]: template placeholder `[PROJECT_NAME]`"),
        "{}",
        run.stderr
    );
    assert!(
        ws.join("out/001-board/helm/board/Chart.yaml").is_file(),
        "{}",
        run.stderr
    );
    assert!(!ws.join("out/001-board/helm/project-name").exists());
}

/// A Python version the catalog has no image for (`FROM python:3.10-slim`, end of life) took
/// the newest image, 3.13, where a real repository's pinned psycopg2-binary 2.9.9 has no
/// working build: the image takes the catalog's nearest version not older, 3.11.
#[test]
fn a_version_without_an_image_takes_the_nearest_newer_one() {
    let ws = Workspace::copy_of(fixtures_dir().join("team-image-requirements-file"));
    let dockerfile = ws.read("backend/Dockerfile");
    ws.write(
        "backend/Dockerfile",
        dockerfile.replace("FROM python:3.12-slim", "FROM python:3.10-slim"),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("warning[SP408]: component `backend`: python 3.10 has no pinned image in the catalog"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("backend uses python 3.11, the catalog's nearest to it"),
        "{}",
        run.stderr
    );
    let generated = ws.read("out/001-deploy/docker/backend.Dockerfile");
    assert!(generated.contains("FROM python:3.11."), "{generated}");
}

/// A spec documenting its API with a JSON request (`"password": "securepassword123"`) failed
/// the whole run with SP110, as if a credential had leaked: such an example is redacted with
/// a warning, and never reaches the output; the same value outside a code block still fails.
#[test]
fn a_json_example_password_in_the_spec_is_redacted_with_a_warning() {
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    let spec = ws.read("specs/001-todo-list/spec.md");
    let example = "\n## API\n\n**Request**:\n```json\n{\n  \"email\": \"user@example.com\",\n  \"password\": \"securepassword123\"\n}\n```\n";
    ws.write("specs/001-todo-list/spec.md", format!("{spec}{example}"));
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("warning[SP110]: the value of `password` in a JSON example is redacted"),
        "{}",
        run.stderr
    );
    for (path, bytes) in read_tree(&ws.join("out")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("securepassword123"), "{path}");
    }

    ws.write(
        "specs/001-todo-list/spec.md",
        format!("{spec}\n## API\n\nLog in with \"password\": \"securepassword123\"\n"),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(1);
    assert!(run.stderr.contains("error[SP110]"), "{}", run.stderr);
}
