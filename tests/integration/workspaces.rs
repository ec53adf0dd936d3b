//! The test workspaces under `tests/workspaces/`: small repositories with real source trees
//! (a Next.js + FastAPI app with pip in `web/` and `api/`; Go services, a Vite SPA and an
//! in-cluster Redis behind an Ingress on kind). Each is compiled by the binary in a
//! temporary copy, and the committed `out/` beside the workspace is the expected output: it
//! must be exactly what the binary generates, file by file (`SP_UPDATE=1 cargo test` accepts a
//! change). Adding a workspace folder adds its case here.

use std::path::PathBuf;

use crate::support::{Test, Workspace, compare_out_tree, listing, read_tree, repo_root};

fn workspaces() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/workspaces");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/workspaces exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_workspace_compiles_to_its_committed_tree() {
    let all = workspaces();
    assert!(all.len() >= 2, "expected the test workspaces, found {all:?}");
    let mut failed = Vec::new();
    for src in all {
        let name = src.file_name().unwrap().to_string_lossy().into_owned();
        let ws = Workspace::copy_of(&src);
        std::fs::remove_dir_all(ws.join("out")).ok();
        let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
        run.assert_code(0);
        let generated = read_tree(&ws.join("out"));
        assert!(
            generated.keys().any(|p| p.contains("/docker/")) && generated.keys().any(|p| p.contains("/k8s/")),
            "{name}: no deployables generated:\n{}",
            listing(&generated)
        );
        let label = format!("tests/workspaces/{name}/out");
        if let Some(report) = compare_out_tree(&label, &src, &generated) {
            failed.push(report);
        }
    }
    assert!(
        failed.is_empty(),
        "a committed out/ is not what `sp plan --all` generates. If the change is intended, accept it with \
         `SP_UPDATE=1 cargo test --test integration every_workspace` (or `sp plan --all --force -C <workspace>`) and \
         read `git diff tests/workspaces`.\n{}",
        failed.join("\n")
    );
}

/// A component folder that exists changes what is generated: the Next.js app's `.nvmrc`
/// picks Node 22, its lock file npm, its route handler the probe path; the API's
/// `requirements.txt` picks pip and `.python-version` Python 3.12.
#[test]
fn the_repository_decides_versions_package_managers_and_probes() {
    let ws = Workspace::copy_of(repo_root().join("tests/workspaces/nextjs-fastapi-pip"));
    let run = Test::new().workspace(&ws).args(["plan", "--all", "--explain"]).run();
    run.assert_code(0);
    let explain = &run.stdout;
    for needle in [
        "web/.nvmrc:1",
        "web/package-lock.json:1",
        "/api/health",
        "web/app/api/health/route.ts:1",
        "api/requirements.txt:1",
        "api/.python-version:1",
        "/readyz",
    ] {
        assert!(explain.contains(needle), "--explain lacks {needle}:\n{explain}");
    }
    let web = ws.read("out/001-web-api/docker/frontend.Dockerfile");
    assert!(web.contains("node:22."), "the .nvmrc asks for Node 22:\n{web}");
    assert!(web.contains("npm ci"), "package-lock.json means npm:\n{web}");
    let api = ws.read("out/001-web-api/docker/backend.Dockerfile");
    assert!(api.contains("python:3.12."), ".python-version asks for 3.12:\n{api}");
    assert!(
        api.contains("requirements.txt") && !api.contains("uv sync"),
        "pip, not uv:\n{api}"
    );

    // Without the folders, the catalog's defaults apply instead.
    std::fs::remove_dir_all(ws.join("web")).unwrap();
    std::fs::remove_dir_all(ws.join("api")).unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let web = ws.read("out/001-web-api/docker/frontend.Dockerfile");
    assert!(web.contains("node:24."), "default Node is 24:\n{web}");
}

/// A Next.js config that asks for no standalone output gets `next start` (a standalone
/// Dockerfile would copy a `.next/standalone` the build never writes); a TypeScript config
/// keeps `typescript` in the runtime, and a rewrite to localhost is reported with the Service
/// it meant. Adding `output: "standalone"` switches to the standalone server.
#[test]
fn a_next_config_without_standalone_output_is_served_by_next_start() {
    let ws = Workspace::copy_of(repo_root().join("tests/workspaces/nextjs-start"));
    let run = Test::new().workspace(&ws).args(["plan", "--all", "--explain"]).run();
    run.assert_code(0);
    assert!(
        run.stdout.contains("nextjs-start") && run.stdout.contains("web/next.config.ts:1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("warning[SP421]")
            && run.stderr.contains("--> web/next.config.ts:9:23")
            && run.stderr.contains("`http://backend:8000/products/:path*`"),
        "{}",
        run.stderr
    );
    let web = ws.read("out/001-shop/docker/frontend.Dockerfile");
    assert!(!web.contains(".next/standalone"), "{web}");
    assert!(
        web.contains(r#"CMD ["node", "node_modules/next/dist/bin/next", "start"]"#),
        "{web}"
    );
    assert!(
        web.contains("npm ci --omit=dev"),
        "production dependencies only:\n{web}"
    );
    assert!(
        web.contains("COPY --from=deps /deps/node_modules/typescript ./node_modules/typescript"),
        "next.config.ts is read through typescript at start:\n{web}"
    );

    // Without typescript in the manifest no install has it to copy: said before the start fails.
    let manifest = ws.read("web/package.json");
    ws.write(
        "web/package.json",
        manifest.replace(",\n    \"typescript\": \"5.9.2\"", ""),
    );
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(
        run.stderr.contains("warning[SP435]: component `frontend`: the nextjs-start stack loads web/next.config.ts through the `typescript` package"),
        "{}",
        run.stderr
    );
    assert!(
        !ws.read("out/001-shop/docker/frontend.Dockerfile")
            .contains("node_modules/typescript")
    );
    ws.write("web/package.json", manifest);

    let config = ws.join("web/next.config.ts");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "reactStrictMode: true,",
            "reactStrictMode: true,\n  output: \"standalone\",",
        ),
    )
    .unwrap();
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    let web = ws.read("out/001-shop/docker/frontend.Dockerfile");
    assert!(web.contains("COPY --from=build /app/.next/standalone ./"), "{web}");
    assert!(web.contains(r#"CMD ["node", "server.js"]"#), "{web}");
    assert!(
        !web.contains("node_modules/typescript"),
        "the standalone server embeds its config:\n{web}"
    );
}

/// No secret value reaches any generated file, and every ConfigMap key is non-secret.
#[test]
fn no_secret_values_in_generated_files() {
    for src in workspaces().into_iter().chain([repo_root().to_path_buf()]) {
        let tree = read_tree(&src.join("out"));
        for (path, bytes) in &tree {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("change-me"),
                "{path} carries the example password of .env.example"
            );
            if path.contains("configmap") {
                for word in ["PASSWORD", "SECRET", "TOKEN", "_KEY", "DATABASE_URL"] {
                    let keys: Vec<&str> = text
                        .lines()
                        .filter(|l| l.starts_with("  ") && l.contains(": "))
                        .collect();
                    assert!(
                        !keys
                            .iter()
                            .any(|l| l.trim_start().split(':').next().unwrap_or("").contains(word)),
                        "{path} has a secret-looking key ({word}):\n{text}"
                    );
                }
            }
        }
    }
}

/// Plan, data model, quickstart, contracts, Dockerfiles and manifests name the same images,
/// ports and secrets: they come from one model, and this checks that they stay that way.
#[test]
fn documents_contracts_and_deployables_agree() {
    let mut trees: Vec<PathBuf> = workspaces().into_iter().map(|w| w.join("out")).collect();
    trees.push(repo_root().join("out"));
    let mut checked = 0;
    for tree in trees {
        let files = read_tree(&tree);
        let features: std::collections::BTreeSet<String> = files
            .keys()
            .filter_map(|p| p.split('/').next().map(str::to_string))
            .collect();
        for feature in features {
            let get = |rel: &str| -> String {
                let key = format!("{feature}/{rel}");
                String::from_utf8(
                    files
                        .get(&key)
                        .unwrap_or_else(|| panic!("{key} missing in {}", tree.display()))
                        .clone(),
                )
                .unwrap()
            };
            let contract: serde_json::Value = sp::yaml::from_str(&get("contracts/docker-images.yaml")).unwrap();
            let (plan, quickstart, data_model) = (get("plan.md"), get("quickstart.md"), get("data-model.md"));
            let (openapi, resources) = (get("contracts/openapi.yaml"), get("contracts/k8s-resources.yaml"));
            for img in contract["images"].as_array().unwrap() {
                let c = img["component"].as_str().unwrap();
                let image = img["image"].as_str().unwrap();
                let deployment = get(&format!("k8s/30-{c}-deployment.yaml"));
                let dockerfile = get(&format!("docker/{c}.Dockerfile"));
                assert!(
                    deployment.contains(&format!("image: {image}")),
                    "{feature}/{c}: deployment image"
                );
                assert!(plan.contains(&format!("`{image}`")), "{feature}/{c}: plan.md image");
                assert!(
                    data_model.contains(&format!("`{image}`")),
                    "{feature}/{c}: data-model.md image"
                );
                assert!(
                    resources.contains(&format!("image: {image}")),
                    "{feature}/{c}: k8s-resources image"
                );
                assert!(
                    quickstart.contains(img["build"].as_str().unwrap()),
                    "{feature}/{c}: quickstart build"
                );
                assert!(
                    quickstart.contains(img["load"].as_str().unwrap()),
                    "{feature}/{c}: quickstart load"
                );
                if let Some(port) = img["port"].as_u64() {
                    assert!(
                        dockerfile.contains(&format!("EXPOSE {port}")),
                        "{feature}/{c}: EXPOSE {port}"
                    );
                    assert!(
                        deployment.contains(&format!("containerPort: {port}")),
                        "{feature}/{c}: containerPort"
                    );
                    let service = get(&format!("k8s/40-{c}-service.yaml"));
                    assert!(
                        service.contains(&format!("port: {port}")),
                        "{feature}/{c}: Service port"
                    );
                    assert!(plan.contains(&format!("| {port} |")), "{feature}/{c}: plan.md port");
                    assert!(
                        openapi.contains(&format!("url: http://{c}:{port}")),
                        "{feature}/{c}: OpenAPI server"
                    );
                }
                // Every secret the Deployment mounts is created by the quickstart.
                for line in deployment
                    .lines()
                    .filter(|l| l.trim_start().starts_with("value: /var/run/secrets/"))
                {
                    let key = line.rsplit('/').next().unwrap().trim();
                    assert!(
                        quickstart.contains(&format!("--from-literal={key}=")),
                        "{feature}/{c}: the quickstart never creates secret key {key}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "only {checked} components checked");
}

/// Every field of every model and every route the workspaces' source declares is in the
/// generated data-model.md and contracts/openapi.yaml, with its file and line.
#[test]
fn every_model_field_and_route_is_traced_to_its_line() {
    // Not every workspace declares models (an Express API keeps its data in memory); the
    // totals keep the test from passing on no input at all.
    let (mut total_fields, mut total_routes) = (0, 0);
    for src in workspaces() {
        let name = src.file_name().unwrap().to_string_lossy().into_owned();
        let out = read_tree(&src.join("out"));
        let doc = |suffix: &str| -> String {
            out.iter()
                .find(|(p, _)| p.ends_with(suffix))
                .map(|(_, b)| String::from_utf8(b.clone()).expect("UTF-8"))
                .unwrap_or_else(|| panic!("{name}: no {suffix}"))
        };
        let data_model = doc("/data-model.md");
        let openapi = doc("/contracts/openapi.yaml");
        let (mut fields, mut routes) = (0, 0);
        for file in source_files(&src) {
            let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap();
            for m in sp::parse::schema::parse(&rel, &text) {
                for f in &m.fields {
                    let at = format!("| `{}` |", f.name);
                    let line = format!("{rel}:{}", f.line);
                    assert!(
                        data_model.lines().any(|l| l.starts_with(&at) && l.contains(&line)),
                        "{name}: field {}.{} ({line}) is not in data-model.md",
                        m.name,
                        f.name
                    );
                    fields += 1;
                }
            }
            if sp::parse::routes::declares_routes(&rel, &text) {
                for r in sp::parse::routes::parse(&[(rel.clone(), text.as_str())]) {
                    if r.framework == "FastAPI" {
                        // Prefixes cross files: checked by path below, from the whole component.
                        continue;
                    }
                    assert!(
                        openapi.contains(&format!("{}:{}", r.file, r.line)),
                        "{name}: route {} {} ({}:{}) is not in openapi.yaml",
                        r.method,
                        r.path,
                        r.file,
                        r.line
                    );
                    routes += 1;
                }
            }
        }
        total_fields += fields;
        total_routes += routes;
    }
    assert!(
        total_fields > 0 && total_routes > 0,
        "the workspaces' source declares no models or routes"
    );
    let pip = read_tree(&repo_root().join("tests/workspaces/nextjs-fastapi-pip/out"));
    let openapi = String::from_utf8(pip.iter().find(|(p, _)| p.ends_with("openapi.yaml")).unwrap().1.clone()).unwrap();
    for (path, at) in [
        ("/api/notes", "api/app/routers/notes.py:10"),
        ("/api/notes", "api/app/routers/notes.py:15"),
        ("\"/api/notes/{note_id}\"", "api/app/routers/notes.py:20"),
        ("\"/api/notes/{note_id}\"", "api/app/routers/notes.py:25"),
    ] {
        assert!(
            openapi.contains(&format!("  {path}:")) && openapi.contains(at),
            "FastAPI route {path} at {at} missing"
        );
    }
}

fn source_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            let n = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !["out", "specs", "node_modules"].contains(&n.as_str()) {
                    stack.push(p);
                }
            } else if ["py", "go", "ts", "prisma"]
                .iter()
                .any(|x| n.ends_with(&format!(".{x}")))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
