//! Dockerfiles and their .dockerignore files, rendered from the deployment model.
//!
//! Each stack names its recipe, a Jinja template of its family
//! (`src/catalog/docker/<recipe>.Dockerfile.jinja`), compiled into the binary. Everything a
//! template needs that takes a decision (which lockfile, which install command, the health
//! check that works in that runtime image, what to strip from the runtime stage) is computed
//! here from the catalog's language and package manager entries, so the templates only
//! arrange lines and the decisions can be tested without rendering.
//!
//! The files must pass hadolint (whose default threshold fails on `info`) and checkov with
//! no findings, which is why no template installs OS packages: pinning apk/apt versions is
//! the only way to satisfy DL3018/DL3008, and pinned distro versions break on every base
//! image update.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Catalog, Language, PackageManager, Stack};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::deploy::{Component, Deployment, ProxyRoute, RunMode};

/// One Dockerfile template per recipe family, keyed by the recipe the catalog's stacks name
/// (`src/catalog/docker/<recipe>.Dockerfile.jinja`). A unit test checks that every stack's
/// recipe has a template and every template is some stack's recipe.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "node-static",
        include_str!("../catalog/docker/node-static.Dockerfile.jinja"),
    ),
    (
        "node-standalone",
        include_str!("../catalog/docker/node-standalone.Dockerfile.jinja"),
    ),
    (
        "node-next-start",
        include_str!("../catalog/docker/node-next-start.Dockerfile.jinja"),
    ),
    (
        "node-server",
        include_str!("../catalog/docker/node-server.Dockerfile.jinja"),
    ),
    ("python", include_str!("../catalog/docker/python.Dockerfile.jinja")),
    ("go", include_str!("../catalog/docker/go.Dockerfile.jinja")),
    ("rust", include_str!("../catalog/docker/rust.Dockerfile.jinja")),
];

/// Pieces every template shares: the header and the hardened end of every runtime stage.
const PARTIALS: &[(&str, &str)] = &[
    ("_header", include_str!("../catalog/docker/_header.jinja")),
    ("_runtime", include_str!("../catalog/docker/_runtime.jinja")),
];

/// Patterns every build context leaves out: version control, editor litter, logs, the
/// Docker files themselves (so editing them does not bust the cache) and anything that
/// looks like a secret, which would otherwise end up in an image layer.
const COMMON_IGNORES: &[(&str, &[&str])] = &[
    (
        "Version control and editors",
        &[".git", ".gitattributes", ".DS_Store", ".idea", ".vscode"],
    ),
    (
        "Docker files: changing them must not invalidate the build cache",
        &[
            "Dockerfile*",
            "*.Dockerfile",
            ".dockerignore",
            "*.dockerignore",
            "docker-compose*.yml",
            "compose*.yaml",
        ],
    ),
    (
        "Environment files and secrets never belong in an image",
        &[
            ".env",
            ".env.*",
            "!.env.example",
            "**/*.pem",
            "**/*.key",
            "**/*.p12",
            "**/*.pfx",
            "id_rsa*",
            ".ssh",
        ],
    ),
    ("Logs", &["**/*.log"]),
];

pub use super::build::paths;

/// The Dockerfile and `.dockerignore` of every component, sorted by path.
///
/// The build command in each header names the output folder as `<output folder>`, because
/// the model does not know the feature; the pipeline calls [`dockerfiles_in`] with the real
/// folder. Components that cannot be rendered are left out here; [`dockerfiles_in`] reports
/// them.
pub fn dockerfiles(d: &Deployment, catalog: &Catalog) -> Vec<(String, String)> {
    dockerfiles_in(
        d,
        catalog,
        &Templates::default(),
        "<output folder>",
        &mut Diagnostics::default(),
    )
}

/// [`dockerfiles`] for the output folder `out_dir` (`out/006-k8s-deployment`, relative to
/// the workspace root), which the header's build command names. A component whose stack has
/// no template, or whose model lacks a stage or a package manager its template needs, gets
/// an SP501 diagnostic instead of a file.
pub fn dockerfiles_in(
    d: &Deployment,
    catalog: &Catalog,
    templates: &Templates,
    out_dir: &str,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    match templates.with(|env| render_all(env, d, catalog, out_dir, diags)) {
        Ok(out) => out,
        Err(e) => {
            diags.push(Diagnostic::new(Code::TemplateError, e).hint("this is a bug in sp; please report it"));
            Vec::new()
        }
    }
}

/// The Dockerfile templates of a run, shared by its features, compiled on first use.
#[derive(Default)]
pub struct Templates {
    env: std::sync::OnceLock<Result<minijinja::Environment<'static>, String>>,
}

impl Templates {
    /// Run `f` with the environment that holds the partials and every recipe's template.
    fn with<T>(&self, f: impl FnOnce(&minijinja::Environment<'static>) -> T) -> Result<T, String> {
        match self.env.get_or_init(environment) {
            Ok(env) => Ok(f(env)),
            Err(e) => Err(e.clone()),
        }
    }
}

/// The partials and every recipe's template, compiled.
fn environment() -> Result<minijinja::Environment<'static>, String> {
    let mut env = super::environment();
    for (name, text) in PARTIALS.iter().chain(TEMPLATES) {
        env.add_template(name, text)
            .map_err(|e| format!("Dockerfile template `{name}`: {e}"))?;
    }
    Ok(env)
}

fn render_all(
    env: &minijinja::Environment<'static>,
    d: &Deployment,
    catalog: &Catalog,
    out_dir: &str,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in &d.components {
        let (dockerfile_path, ignore_path) = paths(&c.name);
        let build = super::build::build(d, c, out_dir);
        match dockerfile(env, c, catalog, &build) {
            Ok(text) => out.push((dockerfile_path, text)),
            Err(message) => {
                diags.push(
                    Diagnostic::new(
                        Code::TemplateError,
                        format!("cannot write the Dockerfile of `{}`: {message}", c.name),
                    )
                    .at_path(format!(
                        "src/catalog/docker/{}.Dockerfile.jinja (built in)",
                        catalog
                            .get(&c.stack.value)
                            .map_or(c.stack.value.as_str(), |s| s.recipe.as_str())
                    ))
                    .hint("this is a bug in sp's stack catalog or its Dockerfile templates; please report it"),
                );
                continue;
            }
        }
        out.push((ignore_path, dockerignore(d, c, catalog, out_dir)));
        if let Some(path) = super::build::nginx_conf_path(c) {
            out.push((path, nginx_conf(c)));
        }
    }
    out.sort();
    out
}

fn dockerfile(
    env: &minijinja::Environment<'static>,
    c: &Component,
    catalog: &Catalog,
    build: &super::build::Build,
) -> Result<String, String> {
    let id = c.stack.value.as_str();
    let stack = catalog
        .get(id)
        .ok_or_else(|| format!("no stack `{id}` in the catalog"))?;
    let Ok(template) = env.get_template(&stack.recipe) else {
        return Err(format!("no Dockerfile template for recipe `{}`", stack.recipe));
    };
    let language = catalog
        .language(&c.language)
        .ok_or_else(|| format!("no Dockerfile recipe for language `{}`", c.language))?;
    let ctx = context(c, stack, language, build)?;
    let text = template.render(&ctx).map_err(|e| super::reason(&e))?;
    Ok(super::tidy(&text))
}

/// What a Dockerfile template sees.
#[derive(Debug, Serialize)]
struct Context<'a> {
    component: &'a str,
    stack_name: &'a str,
    /// `repository:tag` of the image the build produces.
    image: String,
    /// `docker build -f … -t … <source>`, run from the workspace root.
    build_command: String,
    size_budget_mb: Option<u32>,
    /// Stage name → pinned base image. Templates look stages up by name, so a stage the
    /// model lacks is a strict-mode render error rather than an empty `FROM`.
    stages: BTreeMap<&'a str, &'a str>,
    /// The stack's `recipe_args`.
    args: &'a BTreeMap<String, String>,
    /// The package manager's install recipe, for templates that run it.
    install: Option<Install>,
    /// `ENV` of the build stage: the stack's `build_env` argument and the install's own.
    build_env: Option<String>,
    uv: bool,
    /// The flag that makes uv refuse a lock file out of date with pyproject.toml; empty when
    /// the folder has no uv.lock and uv resolves at build time.
    uv_locked: bool,
    /// pip installs from requirements.txt; without one, the project itself (`pip install .`).
    /// The requirements file pip installs, relative to the build context
    /// (`requirements.txt`, or the one the team's image installs, `src/requirements.txt`).
    pip_requirements: Option<&'a str>,
    /// Its folder inside the image's WORKDIR (`src/`), when it is not at the top.
    pip_requirements_dir: Option<String>,
    /// The requirements.txt line that names other files of the folder: copy it all first.
    pip_reads_folder: Option<String>,
    /// True when the install has no lock file to follow.
    unlocked: bool,
    /// `ARG NAME="value"` lines of the build stage: variables the bundler inlines.
    build_args: Vec<String>,
    /// Name of the nginx configuration generated beside the Dockerfile, for static sites.
    nginx_conf: Option<String>,
    /// The named build context that carries it.
    generated_context: &'static str,
    port: Option<u16>,
    /// `uid:gid`, numeric so Kubernetes can verify `runAsNonRoot` without reading /etc/passwd.
    user: String,
    /// The one root `RUN` of the runtime stage: strip package managers, create the writable
    /// folders owned by the user.
    setup: Option<String>,
    /// The `LABEL` arguments, one per continued line.
    labels: String,
    /// JSON-form health check command that works in the runtime image as shipped.
    healthcheck: String,
    start_period: &'static str,
    command: String,
    /// Absolute path of the binary a compiled language builds, from the command.
    binary: Option<String>,
    /// Its file name, what the build names it (`cargo build --bin <name>`).
    binary_name: Option<String>,
    /// The build step of compiled code (TypeScript): a build stage runs it with the
    /// development dependencies, and the runtime stage copies its output.
    compile: Option<CompileStep>,
    /// Development dependencies the runtime stage copies from the full install.
    runtime_packages: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
struct CompileStep {
    /// `npm run build`, `npx tsc -p tsconfig.json`.
    command: String,
    /// The folder the runtime stage copies from the build stage (`dist`).
    output: String,
}

/// How a package manager installs from its lockfile and runs the build, from the catalog.
#[derive(Debug, Serialize)]
struct Install {
    /// The lock file copied before the install; `None` installs without one.
    lockfile: Option<String>,
    /// BuildKit cache mount target: the package manager's download cache.
    cache: String,
    install: String,
    install_prod: String,
    build: String,
    /// Environment the commands need.
    env: Option<String>,
}

/// The install recipe of package manager `pm`: frozen to `lockfile` when there is one,
/// otherwise an ordinary install that resolves versions when the image is built. `None`
/// when the catalog gives it no install commands (its template installs by itself).
fn install(pm: &PackageManager, lockfile: Option<&str>) -> Option<Install> {
    let pick = |both: &[String]| both.get(usize::from(lockfile.is_none())).cloned();
    Some(Install {
        lockfile: lockfile.map(str::to_string),
        cache: pm.cache.clone()?,
        install: pick(&pm.install)?,
        install_prod: pick(&pm.install_prod)?,
        build: pm.build.clone()?,
        env: pm.env.clone(),
    })
}

const NGINX_PORT: u16 = 8080;

fn context<'a>(
    c: &'a Component,
    stack: &'a Stack,
    language: &Language,
    build: &super::build::Build,
) -> Result<Context<'a>, String> {
    let mode = c.run_mode.value;
    let pm_id = c.package_manager.value.as_str();
    let lockfile = c.lockfile.as_ref().map(|l| l.value.as_str());
    let pm = language
        .package_manager(pm_id)
        .ok_or_else(|| format!("no {} install recipe for package manager `{pm_id}`", language.id))?;
    let install = install(pm, lockfile);
    let build_env: Vec<String> = stack
        .recipe_args
        .get("build_env")
        .into_iter()
        .chain(install.as_ref().and_then(|i| i.env.as_ref()))
        .cloned()
        .collect();
    if c.command.value.is_empty() {
        return Err("the runtime command is empty".into());
    }
    check_shell_safe(&c.writable_dirs, "writable folder")?;
    if let Some(h) = &c.health {
        let path = &h.liveness.value;
        if !path.starts_with('/')
            || path
                .chars()
                .any(|ch| ch.is_whitespace() || ch.is_control() || "'\"\\`".contains(ch))
        {
            return Err(format!(
                "health path `{path}` cannot be quoted in a health check script"
            ));
        }
    }
    let port = c.port.as_ref().map(|p| p.value);
    if mode != RunMode::Worker && port.is_none() {
        return Err("a server without a port".into());
    }
    // The unprivileged nginx image listens on 8080 in its own configuration, which a
    // read-only image cannot change at start; any other port would be exposed but dead.
    if mode == RunMode::Static && port != Some(NGINX_PORT) {
        return Err(format!(
            "static sites are served by nginx-unprivileged on port {NGINX_PORT}"
        ));
    }
    check_build_args(&c.build_args)?;
    if let Some(p) = c.runtime_packages.iter().find(|p| {
        p.value.is_empty()
            || !p
                .value
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "@/._-".contains(ch))
    }) {
        return Err(format!("package name `{}` cannot be copied in a Dockerfile", p.value));
    }
    let binary = language.binary.then(|| {
        let first = &c.command.value[0];
        if first.starts_with('/') {
            first.clone()
        } else {
            format!("/app/{first}")
        }
    });
    if let Some(b) = &binary {
        check_shell_safe(std::slice::from_ref(b), "binary")?;
    }
    let compile = match &c.compile {
        Some(k) => {
            check_shell_safe(std::slice::from_ref(&k.output.value), "compiled output folder")?;
            if k.command
                .value
                .chars()
                .any(|ch| ch.is_control() || "'\"\\`$;|&<>".contains(ch))
            {
                return Err(format!(
                    "build command `{}` is not safe in a Dockerfile RUN",
                    k.command.value
                ));
            }
            Some(CompileStep {
                command: k.command.value.clone(),
                output: k.output.value.clone(),
            })
        }
        None => None,
    };
    Ok(Context {
        component: &c.name,
        stack_name: &c.stack_name,
        image: c.image.reference(),
        build_command: build.command.clone(),
        size_budget_mb: c.size_budget_mb.as_ref().map(|b| b.value),
        stages: c
            .stages
            .iter()
            .map(|s| (s.name.as_str(), s.base.value.as_str()))
            .collect(),
        args: &stack.recipe_args,
        install,
        build_env: (!build_env.is_empty()).then(|| build_env.join(" ")),
        uv: pm_id == "uv",
        uv_locked: pm_id == "uv" && lockfile == Some("uv.lock"),
        pip_requirements: lockfile.filter(|l| pm_id == "pip" && l.ends_with(".txt")),
        pip_requirements_dir: lockfile
            .filter(|_| pm_id == "pip")
            .and_then(|l| l.rsplit_once('/'))
            .map(|(dir, _)| format!("{dir}/")),
        pip_reads_folder: c.install_reads_folder.as_ref().map(|l| l.value.clone()),
        unlocked: !pm.lock_files.is_empty() && lockfile.is_none(),
        build_args: c
            .build_args
            .iter()
            .map(|a| format!("{}={}", a.name, json_string(&a.value).replace('$', "\\$")))
            .collect(),
        nginx_conf: super::build::nginx_conf_path(c).map(|p| p.trim_start_matches("docker/").to_string()),
        generated_context: super::build::GENERATED_CONTEXT,
        port,
        user: format!("{}:{}", c.uid.value, c.gid),
        setup: setup(c, language),
        labels: labels(c),
        healthcheck: json_array(&healthcheck(c, language)),
        start_period: if c.slow_start { "30s" } else { "10s" },
        command: json_array(&c.command.value),
        binary_name: binary.as_deref().and_then(|b| b.rsplit('/').next()).map(str::to_string),
        binary,
        compile,
        runtime_packages: c.runtime_packages.iter().map(|p| p.value.as_str()).collect(),
    })
}

/// Build argument names go into `ARG` lines: plain environment variable names only.
fn check_build_args(args: &[crate::model::deploy::ConfigValue]) -> Result<(), String> {
    match args.iter().find(|a| {
        a.name.is_empty()
            || a.name.starts_with(|ch: char| ch.is_ascii_digit())
            || !a.name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    }) {
        Some(bad) => Err(format!("build argument `{}` is not a variable name", bad.name)),
        None => Ok(()),
    }
}

/// Writable folders are spliced into a shell command, so anything beyond plain path
/// characters is refused rather than escaped: no real folder needs more.
fn check_shell_safe(values: &[String], what: &str) -> Result<(), String> {
    let safe = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '/' | '.' | '_' | '-');
    match values.iter().find(|v| v.is_empty() || !v.chars().all(safe)) {
        Some(bad) => Err(format!(
            "{what} `{bad}` has characters that are not safe in a Dockerfile command"
        )),
        None => Ok(()),
    }
}

/// The runtime stage's root step, or `None` when there is nothing to do. `/tmp` is left
/// alone: it is world-writable with the sticky bit in every base image, which is what a
/// temporary folder should be.
fn setup(c: &Component, language: &Language) -> Option<String> {
    let mut steps = Vec::new();
    // A static site's runtime image is nginx: the language's tools are not in it.
    let prune: Vec<&str> = match c.run_mode.value {
        RunMode::Static => Vec::new(),
        _ => language.prune.iter().map(String::as_str).collect(),
    };
    if !prune.is_empty() {
        steps.push(wrap("rm -rf", &prune));
    }
    let dirs: Vec<String> = c
        .writable_dirs
        .iter()
        .map(|d| {
            if d.starts_with('/') {
                d.clone()
            } else {
                format!("/app/{d}")
            }
        })
        .filter(|d| d.trim_end_matches('/') != "/tmp")
        .collect();
    if !dirs.is_empty() {
        let dirs = dirs.join(" ");
        steps.push(format!("mkdir -p {dirs}"));
        steps.push(format!("chown -R {}:{} {dirs}", c.uid.value, c.gid));
    }
    (!steps.is_empty()).then(|| steps.join(" \\\n    && "))
}

/// `command a b c …`, continued on further lines so no line grows past about 100 columns
/// (`RUN ` stands before the first line, eight spaces before the others); an argument is never
/// split.
fn wrap(command: &str, args: &[&str]) -> String {
    let units: Vec<&str> = std::iter::once(command).chain(args.iter().copied()).collect();
    crate::wrap::units(&units, 96, 92).join(" \\\n        ")
}

fn labels(c: &Component) -> String {
    [
        ("org.opencontainers.image.title", c.image.repository.value.as_str()),
        ("org.opencontainers.image.version", c.image.tag.value.as_str()),
        ("org.opencontainers.image.description", c.stack_name.as_str()),
    ]
    .iter()
    // A `$` in a double-quoted LABEL value would be expanded as a build variable.
    .map(|(k, v)| format!("{k}={}", json_string(v).replace('$', "\\$")))
    .collect::<Vec<_>>()
    .join(" \\\n      ")
}

/// A check that runs with what the runtime image already has: the language's own (Node's
/// `fetch`, Python's urllib), otherwise busybox `wget` in alpine and nginx images. Workers
/// serve nothing, so the check is that the main process is still there.
fn healthcheck(c: &Component, language: &Language) -> Vec<String> {
    let (Some(port), RunMode::Server | RunMode::Static) = (c.port.as_ref(), c.run_mode.value) else {
        return ["/bin/sh", "-c", "kill -0 1"].map(String::from).to_vec();
    };
    // A server whose source declares no health route is probed by a TCP connection, like
    // its Kubernetes probes (SP424).
    let Some(path) = c.health.as_ref().map(|h| h.liveness.value.as_str()) else {
        let port = port.value;
        return match c.language.as_str() {
            "node" => vec![
                "node".into(),
                "-e".into(),
                format!(
                    "require('net').connect({port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"
                ),
            ],
            "python" => vec![
                "python".into(),
                "-c".into(),
                format!("import socket; socket.create_connection(('127.0.0.1', {port}), timeout=4).close()"),
            ],
            _ => vec!["nc".into(), "-z".into(), "127.0.0.1".into(), port.to_string()],
        };
    };
    let url = format!("http://127.0.0.1:{}{path}", port.value);
    match c.run_mode.value {
        RunMode::Server if !language.healthcheck.is_empty() => {
            language.healthcheck.iter().map(|a| a.replace("{url}", &url)).collect()
        }
        _ => vec!["wget".into(), "-q".into(), "-O".into(), "/dev/null".into(), url],
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// The nginx configuration of a static site, copied over the image's default server: the
/// site on the image's port, its routes to other Services ([`ProxyRoute`], so the browser
/// reaches them on the site's own origin: no CORS, no address baked into the bundle), and
/// unknown paths falling back to the page that routes them.
pub fn nginx_conf(c: &Component) -> String {
    let port = c.port.as_ref().map(|p| p.value).unwrap_or(NGINX_PORT);
    let mut out = format!(
        "# {}: {}.\n# Generated by `sp plan`; the image build copies it over nginx's default server.\n\nserver {{\n    listen {port};\n    listen [::]:{port};\n    server_name _;\n    root /usr/share/nginx/html;\n    index index.html;\n",
        c.name, c.stack_name
    );
    for r in &c.proxies {
        out.push_str(&nginx_route(r));
    }
    out.push_str(
        "\n    # Files first (an export writes `page.html`), then the application routes the rest.\n    location / {\n        try_files $uri $uri.html $uri/ /index.html;\n    }\n}\n",
    );
    out
}

/// One `location` block forwarding to a Service.
fn nginx_route(r: &ProxyRoute) -> String {
    let why = match r.origin.kind {
        crate::model::OriginKind::Input => format!(
            "    # {} proxies {} in development (`vite build` leaves that behind); nginx forwards it to the {} Service.\n",
            r.origin.text, r.path, r.service
        ),
        _ if r.strip => format!(
            "    # The browser calls the backend on this origin; nginx forwards to the {} Service\n    # without the prefix, as its routes are not under {}.\n",
            r.service, r.path
        ),
        _ => format!(
            "    # The browser calls the backend on this origin; nginx forwards to the {} Service.\n",
            r.service
        ),
    };
    let location = if r.regex {
        format!("~ {}", r.path)
    } else {
        r.path.clone()
    };
    let mut out = format!("\n{why}    location {location} {{\n");
    if r.strip {
        // `/api/todos` → `/todos`, and `/api` alone → `/`, as the dev server's rewrite did.
        let prefix = r.path.trim_end_matches('/');
        out.push_str(&format!("        rewrite ^{prefix}/?(.*)$ /$1 break;\n"));
    }
    out.push_str(&format!(
        "        proxy_pass http://{}:{};\n        proxy_http_version 1.1;\n",
        r.service, r.port
    ));
    if !r.target_host {
        out.push_str("        proxy_set_header Host $host;\n");
    }
    out.push_str(
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_set_header X-Forwarded-Proto $scheme;\n",
    );
    if r.websocket {
        out.push_str(
            "        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n",
        );
    }
    out.push_str("    }\n");
    out
}

/// `["a", "b"]`: the exec form of CMD and HEALTHCHECK, spaced the way people write it.
fn json_array(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// The `.dockerignore` beside a component's Dockerfile: the common patterns, then the
/// stack's own (dependency folders and build output, which must come from the build, not
/// the developer's machine).
pub fn dockerignore(d: &Deployment, c: &Component, catalog: &Catalog, out_dir: &str) -> String {
    let mut out = format!(
        "# Build context of `{}` ({}), read by BuildKit beside {}.Dockerfile.\n# Generated by `sp plan`.\n",
        c.name, c.stack_name, c.name
    );
    let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (title, patterns) in COMMON_IGNORES {
        out.push_str(&format!("\n# {title}\n"));
        for p in *patterns {
            seen.insert(p.to_string());
            out.push_str(p);
            out.push('\n');
        }
    }
    // A component built from the workspace root (a package declared at the root) must not
    // send the specs, the generated output or the other components into its image.
    let context = super::build::build(d, c, out_dir).context;
    if context == "." {
        let mut others: Vec<String> = vec![
            out_dir.split('/').next().unwrap_or("out").to_string(),
            "specs".into(),
            ".specify".into(),
        ];
        for o in d.components.iter().filter(|o| o.name != c.name) {
            if let Some(dir) = o.source_dir.value.as_deref().filter(|dir| *dir != ".") {
                others.push(dir.to_string());
            }
        }
        out.push_str("\n# The workspace around the component: specs, generated output, other components\n");
        for o in others {
            if seen.insert(o.clone()) {
                out.push_str(&o);
                out.push('\n');
            }
        }
    }
    if let Some(stack) = catalog.get(&c.stack.value) {
        let own: Vec<&str> = stack
            .dockerignore
            .iter()
            .map(String::as_str)
            .filter(|p| !seen.contains(*p))
            .collect();
        if !own.is_empty() {
            out.push_str(&format!(
                "\n# {}: dependencies and build output come from the build\n",
                stack.name
            ));
            for p in own {
                out.push_str(p);
                out.push('\n');
            }
        }
    }
    // A stale local copy of the compiled output must not shadow what the build compiles.
    if let Some(k) = c.compile.as_ref().filter(|k| k.separate)
        && seen.insert(k.output.value.clone())
    {
        out.push_str(&format!(
            "\n# The compiled output ({}): the image's build stage writes it\n{}\n",
            k.command.value, k.output.value
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Stack;
    use crate::model::Origin;
    use crate::model::deploy::{Health, Stage, Valued, fixture};

    fn v<T>(value: T) -> Valued<T> {
        Valued::new(value, Origin::derived("the stack catalog"))
    }

    /// A component of `stack` with package manager `pm`, built from the catalog the way
    /// the resolver does, starting from a fixture component for everything else.
    fn component_for(stack: &Stack, pm: &str) -> Component {
        let mut c = fixture::deployment().components.remove(1);
        let version = &stack.versions[0];
        c.name = format!("{}-{pm}", stack.id);
        c.image.repository = v(format!("todo-{}", c.name));
        c.source_dir = v(Some(c.name.clone()));
        c.stack = v(stack.id.clone());
        c.stack_name = stack.name.clone();
        c.language = stack.language.clone();
        c.language_version = v(version.version.clone());
        c.package_manager = v(pm.to_string());
        c.lockfile = crate::resolve::deploy::install_candidates(pm)
            .first()
            .map(|f| v(f.to_string()));
        c.run_mode = v(stack.run_mode);
        c.port = stack.port.map(v);
        c.health = stack.health.as_ref().map(|h| Health {
            liveness: v(h.liveness.clone()),
            readiness: v(h.readiness.clone()),
            startup: v(h.startup.clone()),
        });
        let mut stages: Vec<Stage> = version
            .images
            .iter()
            .chain(&stack.images)
            .filter(|(name, _)| pm == "uv" || name.as_str() != "uv")
            .map(|(name, image)| Stage {
                name: name.clone(),
                base: v(image.clone()),
            })
            .collect();
        let order = |n: &str| {
            crate::resolve::deploy::STAGE_ORDER
                .iter()
                .position(|s| *s == n)
                .unwrap_or(9)
        };
        stages.sort_by_key(|s| order(&s.name));
        c.stages = stages;
        c.writable_dirs = stack.writable_dirs.clone();
        c.command.value = stack.command.clone();
        c.slow_start = stack.slow_start;
        c
    }

    /// A compiled Node server (TypeScript): a build stage installs with the development
    /// dependencies and runs the build; the runtime installs production dependencies only,
    /// copies the compiled folder and runs the compiled file. The context leaves a local
    /// `dist` out.
    #[test]
    fn a_compiled_node_server_gets_a_build_stage() {
        let catalog = Catalog::builtin();
        let mut c = component_for(catalog.get("express").unwrap(), "npm");
        let deps = c.stages.iter().find(|s| s.name == "deps").unwrap().base.clone();
        c.stages.insert(
            1,
            Stage {
                name: "build".into(),
                base: deps,
            },
        );
        c.command.value = vec!["node".into(), "dist/index.js".into()];
        c.compile = Some(crate::model::deploy::Compile {
            command: v("npm run build".into()),
            output: v("dist".into()),
            separate: true,
        });
        let text = render(&c);
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no `{needle}` in\n{text}"));
        assert!(at("AS deps") < at("npm ci --omit=dev"));
        assert!(at("AS build") < at("\n    npm ci\n") && at("\n    npm ci\n") < at("RUN npm run build"));
        assert!(at("RUN npm run build") < at("AS runtime"));
        assert!(at("COPY --from=build /build/dist ./dist") > at("AS runtime"));
        assert!(at("COPY --from=deps /app/node_modules ./node_modules") > at("AS runtime"));
        assert!(text.ends_with("CMD [\"node\", \"dist/index.js\"]\n"), "{text}");
        let d = crate::model::deploy::fixture::deployment();
        let ignore = dockerignore(&d, &c, &catalog, "out/001-x");
        assert!(ignore.lines().any(|l| l == "dist"), "{ignore}");
        // Without a build step, no build stage and nothing compiled is copied.
        c.compile = None;
        let text = render(&c);
        assert!(!text.contains("AS build") && !text.contains("--from=build"), "{text}");
    }

    /// Every stack with every package manager it supports.
    fn every_variant() -> Vec<Component> {
        let catalog = Catalog::builtin();
        catalog
            .stacks
            .iter()
            .flat_map(|s| s.package_managers.iter().map(move |pm| component_for(s, pm)))
            .collect()
    }

    fn render(c: &Component) -> String {
        let b = crate::render::build::build(&fixture::deployment(), c, "out/001-x");
        dockerfile(&environment().unwrap(), c, &Catalog::builtin(), &b).unwrap_or_else(|e| panic!("{}: {e}", c.name))
    }

    /// `(alias, image, body)` of each stage, in order.
    fn stages(text: &str) -> Vec<(String, String, Vec<String>)> {
        let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut logical = String::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            logical.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                continue;
            }
            let instr = std::mem::take(&mut logical);
            if let Some(rest) = instr.strip_prefix("FROM ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                assert_eq!(words.len(), 3, "FROM without a stage name: {instr}");
                out.push((words[2].to_string(), words[0].to_string(), Vec::new()));
            } else if !instr.trim().is_empty() {
                out.last_mut().expect("instruction before FROM").2.push(instr);
            }
        }
        out
    }

    #[test]
    fn every_recipe_has_a_template_and_every_template_a_stack() {
        let catalog = Catalog::builtin();
        for s in &catalog.stacks {
            assert!(
                TEMPLATES.iter().any(|(recipe, _)| *recipe == s.recipe),
                "stack {}: no template for recipe {}",
                s.id,
                s.recipe
            );
        }
        for (recipe, text) in TEMPLATES {
            assert!(
                catalog.stacks.iter().any(|s| s.recipe == *recipe),
                "template {recipe} is no stack's recipe"
            );
            // A copy of another template under a new name would be a second place to fix.
            for (other, other_text) in TEMPLATES.iter().filter(|(o, _)| o != recipe) {
                assert_ne!(text, other_text, "templates {recipe} and {other} are the same text");
            }
        }
        // Every template file on disk is compiled in, so none lingers unused.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/catalog/docker");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".Dockerfile.jinja").map(str::to_string))
            .collect();
        on_disk.sort();
        let mut compiled: Vec<String> = TEMPLATES.iter().map(|(r, _)| r.to_string()).collect();
        compiled.sort();
        assert_eq!(on_disk, compiled);
        environment().unwrap();
    }

    #[test]
    fn stages_are_the_models_and_pinned() {
        for c in every_variant() {
            let text = render(&c);
            let st = stages(&text);
            assert!(st.len() >= 2, "{}: single stage", c.name);
            for (alias, image, _) in &st {
                // The empty stage a named build context replaces (static sites' nginx conf).
                if image == "scratch" && alias == crate::render::build::GENERATED_CONTEXT {
                    continue;
                }
                let stage = c.stages.iter().find(|s| &s.name == alias);
                let stage = stage.unwrap_or_else(|| panic!("{}: stage {alias} is not in the model", c.name));
                assert_eq!(&stage.base.value, image, "{}", c.name);
                let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
                assert!(
                    !tag.is_empty() && tag != "latest" && !image.ends_with('/'),
                    "{}: {image} unpinned",
                    c.name
                );
            }
            assert_eq!(
                st.last().unwrap().0,
                c.stages.last().unwrap().name,
                "{}: final stage",
                c.name
            );
        }
    }

    #[test]
    fn final_stage_is_hardened() {
        for c in every_variant() {
            let text = render(&c);
            let st = stages(&text);
            let runtime = &st.last().unwrap().2;
            let users: Vec<&String> = runtime.iter().filter(|i| i.starts_with("USER ")).collect();
            let last = users
                .last()
                .unwrap_or_else(|| panic!("{}: no USER in the final stage", c.name));
            let (uid, gid) = last["USER ".len()..].split_once(':').expect("uid:gid");
            assert!(
                uid.parse::<u32>().unwrap() >= 10000 && gid.parse::<u32>().unwrap() >= 10000,
                "{}",
                c.name
            );
            assert!(text.contains("\nWORKDIR /"), "{}", c.name);
            assert!(
                !text.contains("WORKDIR ")
                    || text
                        .lines()
                        .filter(|l| l.starts_with("WORKDIR "))
                        .all(|l| l[8..].starts_with('/'))
            );
            let cmd: Vec<&String> = runtime.iter().filter(|i| i.starts_with("CMD ")).collect();
            assert_eq!(cmd.len(), 1, "{}", c.name);
            let json: Vec<String> = serde_json::from_str(&cmd[0][4..]).expect("CMD in JSON form");
            assert_eq!(json, c.command.value);
            let health = runtime
                .iter()
                .find(|i| i.starts_with("HEALTHCHECK "))
                .expect("HEALTHCHECK");
            let probe = &health[health.find(" CMD ").expect("HEALTHCHECK CMD") + 5..];
            serde_json::from_str::<Vec<String>>(probe.trim()).expect("HEALTHCHECK in JSON form");
            match c.port.as_ref() {
                Some(p) => assert!(runtime.contains(&format!("EXPOSE {}", p.value)), "{}", c.name),
                None => assert!(!runtime.iter().any(|i| i.starts_with("EXPOSE")), "{}", c.name),
            }
            for d in c.writable_dirs.iter().filter(|d| *d != "/tmp") {
                assert!(
                    runtime.iter().any(|i| i.contains("chown") && i.contains(d.as_str())),
                    "{}: {d}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn runtime_stage_installs_nothing() {
        let tools = [
            "npm", "npx", "pnpm", "yarn", "corepack", "uv", "uvx", "pip", "pip3", "go", "apk", "apt", "apt-get",
        ];
        for c in every_variant() {
            let text = render(&c);
            let st = stages(&text);
            for i in &st.last().unwrap().2 {
                let Some(run) = i.strip_prefix("RUN ") else { continue };
                for command in run.split(['&', '|', ';']) {
                    let words: Vec<&str> = command.split_whitespace().collect();
                    let Some(first) = words.first() else { continue };
                    let program = first.rsplit('/').next().unwrap();
                    assert!(
                        !tools.contains(&program),
                        "{}: runtime stage runs {program}: {run}",
                        c.name
                    );
                    assert!(
                        !words.windows(2).any(|w| w == ["-m", "pip"]),
                        "{}: runtime stage runs pip",
                        c.name
                    );
                }
            }
            for (alias, _, body) in &st[..st.len() - 1] {
                assert!(
                    !body.iter().any(|i| i.starts_with("USER")),
                    "{}: USER in stage {alias}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn installs_are_lockfile_driven() {
        for c in every_variant() {
            let text = render(&c);
            let wanted = match c.package_manager.value.as_str() {
                "npm" => "npm ci",
                "pnpm" => "pnpm install --frozen-lockfile",
                "yarn" => "yarn install --frozen-lockfile",
                "uv" => "uv sync --locked",
                "pip" => "pip install --no-cache-dir -r requirements.txt",
                "go" => "go mod download",
                "cargo" => "cargo build --release --locked",
                other => panic!("unexpected package manager {other}"),
            };
            assert!(text.contains(wanted), "{}: no `{wanted}`", c.name);
        }
    }

    /// Without a lock file the install is an ordinary one that copies no lock file; with one
    /// it is frozen to it (npm, pnpm, yarn, bun, uv), and pip without requirements.txt
    /// installs the project itself.
    #[test]
    fn installs_follow_the_lock_file_present() {
        let catalog = Catalog::builtin();
        let cases = [
            ("express", "npm", None, "npm install --omit=dev", "COPY package.json ./"),
            (
                "express",
                "bun",
                Some("bun.lock"),
                "bun install --frozen-lockfile --production",
                "COPY package.json bun.lock ./",
            ),
            (
                "vite-spa",
                "pnpm",
                None,
                "pnpm install --no-frozen-lockfile",
                "COPY package.json ./",
            ),
            (
                "vite-spa",
                "yarn",
                Some("yarn.lock"),
                "yarn install --frozen-lockfile",
                "COPY package.json yarn.lock ./",
            ),
            ("fastapi", "uv", None, "uv sync --no-install-project", "COPY . /app"),
            ("fastapi", "pip", None, "pip install --no-cache-dir .", "COPY . /app"),
            (
                "rust-http",
                "cargo",
                None,
                "cargo build --release --bin server",
                "COPY . .",
            ),
        ];
        for (stack, pm, lock, install, copy) in cases {
            let mut c = component_for(catalog.get(stack).unwrap(), pm);
            c.lockfile = lock.map(|l| v(l.to_string()));
            let text = render(&c);
            assert!(text.contains(install), "{stack}/{pm}: no `{install}` in\n{text}");
            assert!(text.contains(copy), "{stack}/{pm}: no `{copy}` in\n{text}");
            assert_eq!(text.contains("No lock file"), lock.is_none(), "{stack}/{pm}");
            if lock.is_none() {
                assert!(
                    !text.contains("--locked") && !text.contains("npm ci") && !text.contains("uv.lock"),
                    "{text}"
                );
            }
        }
    }

    fn route(path: &str, origin: Origin) -> ProxyRoute {
        ProxyRoute {
            path: path.into(),
            regex: false,
            service: "api".into(),
            port: 8000,
            strip: false,
            websocket: false,
            target_host: false,
            origin,
        }
    }

    /// A static site that calls a backend gets an nginx configuration with its routes,
    /// copied in through the named build context its build command passes; its build-time
    /// variables are build arguments.
    #[test]
    fn static_sites_proxy_the_api_and_take_build_arguments() {
        let catalog = Catalog::builtin();
        let mut d = fixture::deployment();
        let mut site = component_for(catalog.get("nextjs-static").unwrap(), "npm");
        site.depends_on = vec!["api".into()];
        site.proxies = vec![route("/api/", Origin::derived("test"))];
        site.build_args = vec![crate::model::deploy::ConfigValue {
            name: "NEXT_PUBLIC_API_URL".into(),
            value: String::new(),
            origin: Origin::derived("test"),
        }];
        d.components.push(site);
        let files = dockerfiles_in(
            &d,
            &catalog,
            &Templates::default(),
            "out/001-x",
            &mut Diagnostics::default(),
        );
        let get = |p: &str| {
            &files
                .iter()
                .find(|(path, _)| path == p)
                .unwrap_or_else(|| panic!("no {p}"))
                .1
        };
        let conf = get("docker/nextjs-static-npm.nginx.conf");
        assert!(
            conf.contains("listen 8080;") && conf.contains("proxy_pass http://api:8000;"),
            "{conf}"
        );
        let dockerfile = get("docker/nextjs-static-npm.Dockerfile");
        assert!(
            dockerfile.contains("--build-context sp-generated=out/001-x/docker "),
            "{dockerfile}"
        );
        assert!(dockerfile.contains("FROM scratch AS sp-generated"), "{dockerfile}");
        assert!(
            dockerfile.contains("COPY --from=sp-generated nextjs-static-npm.nginx.conf /etc/nginx/conf.d/default.conf"),
            "{dockerfile}"
        );
        assert!(
            dockerfile.contains("ARG NEXT_PUBLIC_API_URL=\"\"\nRUN npm run build"),
            "{dockerfile}"
        );
        assert!(
            files.iter().all(|(p, _)| !p.starts_with("docker/web.nginx")),
            "a Next.js server has no nginx"
        );
    }

    /// Routes read from a dev server's proxy keep what the entry did: the prefix stripped,
    /// WebSocket upgrades, the Service's own `Host`, a regular-expression path; each says
    /// where it was read.
    #[test]
    fn dev_server_routes_keep_stripping_websockets_and_host() {
        let catalog = Catalog::builtin();
        let mut site = component_for(catalog.get("vite-spa").unwrap(), "npm");
        let at = Origin::at("web/vite.config.ts", 7);
        site.proxies = vec![
            ProxyRoute {
                strip: true,
                target_host: true,
                ..route("/api", at.clone())
            },
            ProxyRoute {
                websocket: true,
                ..route("/ws", at.clone())
            },
            ProxyRoute {
                regex: true,
                ..route("^/files/.*", at)
            },
        ];
        let conf = nginx_conf(&site);
        assert!(
            conf.contains("    # web/vite.config.ts:7 proxies /api in development (`vite build` leaves that behind); nginx forwards it to the api Service.\n    location /api {\n        rewrite ^/api/?(.*)$ /$1 break;\n        proxy_pass http://api:8000;\n        proxy_http_version 1.1;\n        proxy_set_header X-Forwarded-For"),
            "{conf}"
        );
        let ws = &conf[conf.find("location /ws {").unwrap()..];
        let ws = &ws[..ws.find('}').unwrap()];
        assert!(
            ws.contains("proxy_set_header Host $host;")
                && ws.contains(
                    "proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";"
                ),
            "{ws}"
        );
        assert!(!ws.contains("rewrite"), "{ws}");
        assert!(
            conf.contains("location ~ ^/files/.* {\n        proxy_pass http://api:8000;"),
            "{conf}"
        );
        // The page fallback comes last, after every route.
        assert!(conf.rfind("location /").unwrap() > conf.find("location ~").unwrap());
    }

    #[test]
    fn fixture_renders_every_file_sorted() {
        let files = dockerfiles(&fixture::deployment(), &Catalog::builtin());
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "docker/api.Dockerfile",
                "docker/api.Dockerfile.dockerignore",
                "docker/web.Dockerfile",
                "docker/web.Dockerfile.dockerignore",
                "docker/worker.Dockerfile",
                "docker/worker.Dockerfile.dockerignore",
            ]
        );
        assert_eq!(files, dockerfiles(&fixture::deployment(), &Catalog::builtin()));
        let ignore = &files[1].1;
        for p in [
            ".git",
            ".env",
            ".env.*",
            "!.env.example",
            ".venv",
            "**/__pycache__",
            "**/*.pem",
        ] {
            assert!(ignore.lines().any(|l| l == p), "api .dockerignore lacks {p}");
        }
    }

    #[test]
    fn problems_become_diagnostics_not_panics() {
        let mut d = fixture::deployment();
        d.components[0].stages.retain(|s| s.name != "build");
        d.components[1].package_manager = v("poetry".into());
        d.components[2].stack = v("cobol".into());
        let mut diags = Diagnostics::default();
        let files = dockerfiles_in(&d, &Catalog::builtin(), &Templates::default(), "out/x", &mut diags);
        assert!(files.is_empty());
        assert_eq!(diags.iter().count(), 3);
        let catalog = Catalog::builtin();
        let mut site = component_for(catalog.get("vite-spa").unwrap(), "npm");
        site.port = Some(v(80));
        let b = crate::render::build::build(&d, &site, "out");
        let (stack, node) = (catalog.get("vite-spa").unwrap(), catalog.language("node").unwrap());
        assert!(context(&site, stack, node, &b).unwrap_err().contains("8080"));
        site.port = Some(v(8080));
        site.writable_dirs.push("/data; rm -rf /".into());
        assert!(context(&site, stack, node, &b).unwrap_err().contains("not safe"));
        assert!(diags.iter().all(|d| d.code == Code::TemplateError));
    }

    #[test]
    fn snapshots() {
        let files = dockerfiles_in(
            &fixture::deployment(),
            &Catalog::builtin(),
            &Templates::default(),
            "out/001-x",
            &mut Diagnostics::default(),
        );
        for (path, text) in &files {
            if path.ends_with(".Dockerfile") || path == "docker/api.Dockerfile.dockerignore" {
                insta::assert_snapshot!(path.trim_start_matches("docker/"), text);
            }
        }
    }

    /// Writes the fixture's files and one Dockerfile per stack and package manager into
    /// `$SP_DOCKER_OUT`, then runs the real validators on them:
    /// `SP_DOCKER_OUT=/tmp/d cargo test --lib render::docker -- --ignored --nocapture`.
    #[test]
    #[ignore = "runs hadolint and checkov through /work/shared/tools/validate-artifacts"]
    fn real_validators_accept_every_stack() {
        let out = std::path::PathBuf::from(std::env::var("SP_DOCKER_OUT").expect("set SP_DOCKER_OUT"));
        let _ = std::fs::remove_dir_all(&out);
        let mut d = fixture::deployment();
        d.components.extend(every_variant());
        for (path, text) in dockerfiles_in(
            &d,
            &Catalog::builtin(),
            &Templates::default(),
            "out/001-x",
            &mut Diagnostics::default(),
        ) {
            let path = out.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let script = std::env::var("VALIDATE_ARTIFACTS").unwrap_or("/work/shared/tools/validate-artifacts".into());
        let status = std::process::Command::new(script)
            .arg(&out)
            .status()
            .expect("run validate-artifacts");
        assert!(status.success(), "validate-artifacts reported failures");
    }
}
