//! Facts about the code, read from the component's source: what starts it, the one port it
//! listens on, the variables it reads and how each reaches the process.
//!
//! Each field has its own function and an ordered chain of inputs: the typed YAML block and
//! `--set`, then the source, then prose, then the catalog. Within the source, the team's own
//! start command (its Dockerfile `CMD`, compose `command:`, Procfile) comes first when what
//! it names exists, then the code itself (the ASGI object, `listen(...)`, `package main`),
//! then the files around it (`EXPOSE`, compose `ports`, `.env.example`). A prose statement
//! that contradicts the source is reported (SP422), and the source wins.

use crate::catalog::Stack;
use crate::diagnostics::{Code as DiagCode, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::deploy::{
    BackingService, CodeDefault, Component, ConfigValue, Entry, EntryKind, EnvRead, Role, RunMode, SecretDelivery,
    SecretRef, ServiceKind, Valued,
};
use crate::model::{Origin, OriginKind};
use crate::parse::constitution::Constitution;
use crate::parse::secrets;
use crate::parse::source::{self, Fact, FileFacts, container::ComposeService};
use crate::source::{Sources, Span};

use super::build_time::is_origin_setting;
use super::prose::{Facts, is_secret_name};

/// One source file of a component and what it says.
pub struct SourceFile {
    /// Relative to the component folder, forward slashes.
    pub rel: String,
    /// As shown to the user (relative to the workspace root).
    pub shown: String,
    pub id: crate::source::SourceId,
    pub facts: FileFacts,
}

/// What the source of one component says, read once.
pub struct Code {
    /// The component folder, relative to the workspace root (`.` for the root).
    pub dir: String,
    pub files: Vec<SourceFile>,
    /// Compose services built from this folder.
    pub compose: Vec<(ComposeService, String)>,
    /// The component is an image a script builds from the folder with a Dockerfile of its own
    /// (`load/builds.rs`), maybe one of several: the folder's code is shared, so its
    /// application object and the ports it listens on may be another image's, and the
    /// Dockerfile's `CMD` and `EXPOSE` are what is the component's own.
    pub scripted: bool,
    /// Text of the catalog languages' manifests (dependency checks).
    manifests: String,
    pyproject: Option<String>,
    /// `Cargo.toml`'s text and its path as shown.
    cargo: Option<(String, String)>,
}

impl Code {
    pub fn read(dir: &RepoDir, sources: &Sources) -> Code {
        let strip = |shown: &str| -> String {
            if dir.path == "." {
                shown.to_string()
            } else {
                shown
                    .strip_prefix(&format!("{}/", dir.path))
                    .unwrap_or(shown)
                    .to_string()
            }
        };
        let mut files = Vec::new();
        // Of the folder's Dockerfiles, only the team's image says how the component runs.
        let team = super::repo::team_dockerfile(dir, sources);
        let named = dir
            .files
            .iter()
            .filter(|(name, _)| !super::repo::is_other_dockerfile(name, team.as_deref()))
            .map(|(_, id)| *id);
        for id in dir.sources.iter().copied().chain(named) {
            let f = sources.get(id);
            let shown = f.display_path();
            let rel = strip(&shown);
            let mut facts = source::read(&rel, &f.text, id);
            // In the order the file says them.
            facts.env.sort_by_key(|e| e.span.range.start);
            facts.ports.sort_by_key(|p| p.span.range.start);
            files.push(SourceFile { rel, shown, id, facts });
        }
        let mut compose = Vec::new();
        for id in &dir.compose {
            let f = sources.get(*id);
            for s in source::container::compose(&f.text, *id) {
                if s.builds(&dir.path) {
                    compose.push((s, f.display_path()));
                }
            }
        }
        let text = |n: &str| dir.files.get(n).map(|id| sources.get(*id).text.clone());
        let manifests = crate::catalog::Catalog::shared()
            .languages
            .iter()
            .flat_map(|l| &l.manifests)
            .filter_map(|n| super::repo::manifest(dir, sources, n).map(|id| sources.get(id).text.clone()))
            .collect::<Vec<_>>()
            .join("\n");
        let scripted = team
            .as_deref()
            .is_some_and(|t| dir.images.iter().any(|i| sources.get(i.dockerfile).display_path() == t));
        Code {
            dir: dir.path.clone(),
            files,
            compose,
            scripted,
            manifests,
            pyproject: text("pyproject.toml"),
            cargo: dir
                .files
                .get("Cargo.toml")
                .map(|id| (sources.get(*id).text.clone(), sources.get(*id).display_path())),
        }
    }

    /// Files of the application, not of its tests.
    fn app_files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|f| !is_test_file(&f.rel))
    }

    pub(super) fn has_file(&self, rel: &str) -> bool {
        self.files.iter().any(|f| f.rel == rel)
    }

    /// Whether a dependency is declared (`gunicorn` in requirements.txt or pyproject.toml).
    fn depends_on(&self, package: &str) -> bool {
        self.manifests
            .to_ascii_lowercase()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .any(|w| w == package)
    }

    /// The team's own start commands, strongest first: Dockerfile, compose, Procfile, then
    /// `package.json` (`scripts.start`, `main`).
    fn commands(&self) -> Vec<(Fact<source::Command>, String)> {
        let mut out = Vec::new();
        let rank = |how: &str| match how {
            "Dockerfile CMD" => 0,
            "compose command" => 1,
            "Procfile" => 2,
            "package.json scripts.start" => 3,
            _ => 4,
        };
        for f in self.app_files() {
            for c in &f.facts.commands {
                out.push((c.clone(), f.shown.clone()));
            }
        }
        for (s, shown) in &self.compose {
            for c in &s.facts.commands {
                out.push((c.clone(), shown.clone()));
            }
        }
        out.sort_by_key(|(c, _)| rank(&c.value.how));
        out
    }

    /// The folder Python imports start from, relative to the component folder: `src` for a
    /// pyproject that declares a `src/` layout, else the component folder itself (`""`).
    fn python_root(&self) -> String {
        let Some(py) = &self.pyproject else {
            return String::new();
        };
        let compact: String = py.chars().filter(|c| !c.is_whitespace()).collect();
        let src_layout = compact.contains("where=[\"src\"]")
            || compact.contains("where=['src']")
            || compact.contains("package-dir={\"\"=\"src\"}")
            || compact.contains("packages=[\"src/")
            || compact.contains("packages=['src/");
        // A src/ with an `__init__.py` is a package itself (`from .config import …` in
        // src/main.py), whatever the pyproject says: its modules import as `src.main` from
        // the project's folder, and `main` alone fails on the relative import.
        if src_layout && !self.has_file("src/__init__.py") {
            "src".into()
        } else {
            String::new()
        }
    }
}

/// A credential by its name: the prose rule's names, connection strings that carry a
/// password (`NEON_DATABASE_URL`, `SENTRY_DSN`, `MONGO_URI`), and every name the ConfigMap
/// gate (G125) calls secret (`NEON_DB_PASS`), so no variable sp places rejects its own gate.
fn secret_var(name: &str) -> bool {
    is_secret_name(name)
        || secrets::secretish(name)
        || name.ends_with("DATABASE_URL")
        || name.ends_with("_DB_URL")
        || name.ends_with("_DSN")
        || name.ends_with("REDIS_URL")
        || name.ends_with("MONGODB_URI")
        || name.ends_with("MONGO_URI")
        || name.ends_with("API_KEY")
}

/// A stack the code's framework object names: a FastAPI application is the `fastapi` stack.
pub fn stack_hint(code: &Code, sources: &Sources) -> Option<Valued<String>> {
    for f in code.app_files() {
        for a in &f.facts.apps {
            if a.value.framework == "FastAPI" {
                return Some(Valued::new(
                    "fastapi".into(),
                    with_how(origin_of(sources, &f.shown, &a.span), "FastAPI object"),
                ));
            }
        }
    }
    None
}

fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.split('/')
        .any(|p| matches!(p, "tests" | "test" | "__tests__" | "e2e" | "cypress"))
        // Test runners' configurations read the CI's variables (`process.env.CI`).
        || ["playwright.config.", "vitest.config.", "jest.config.", "cypress.config."]
            .iter()
            .any(|c| name.starts_with(c))
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name == "conftest.py"
}

fn origin_of(sources: &Sources, shown: &str, span: &Span) -> Origin {
    Origin::at(shown, sources.get(span.source).line_of(span.range.start))
}

/// `app/main.py` → `app.main` (relative to `root`); `None` when the file is outside it.
fn module_of(rel: &str, root: &str) -> Option<String> {
    let rel = if root.is_empty() {
        rel
    } else {
        rel.strip_prefix(&format!("{root}/"))?
    };
    let m = rel.strip_suffix(".py")?;
    let m = m.strip_suffix("/__init__").unwrap_or(m);
    Some(m.replace('/', "."))
}

/// Files that usually hold the application, best first.
fn name_rank(rel: &str) -> usize {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let base = name.split('.').next().unwrap_or(name);
    let by_name = ["main", "app", "asgi", "server", "api", "wsgi", "index"]
        .iter()
        .position(|n| *n == base)
        .unwrap_or(9);
    by_name * 10 + rel.matches('/').count()
}

/// What starts the component. Typed input has no entry field: a command there is the
/// team's command. `None` when the source says nothing usable.
pub fn entry(code: &Code, stack: &Stack, sources: &Sources, ts: Option<&super::typescript::Project>) -> Option<Entry> {
    let root_of = |sub: &str| -> String {
        match (code.dir.as_str(), sub) {
            (d, "") => d.to_string(),
            (".", s) => s.to_string(),
            (d, s) => format!("{d}/{s}"),
        }
    };
    match stack.language.as_str() {
        "python" => {
            let py_root = code.python_root();
            // 1. The team's own command, when the module it names exists.
            for (c, shown) in code.commands() {
                let argv = &c.value.argv;
                let origin = origin_of(sources, &shown, &c.span);
                if let Some((kind, target)) = python_target(argv)
                    && target_exists(code, &target, &py_root, kind)
                {
                    return Some(Entry {
                        kind,
                        target,
                        root: root_of(&py_root),
                        origin: Origin {
                            text: format!("{} ({})", origin.text, c.value.how),
                            kind: origin.kind,
                        },
                    });
                }
            }
            // The image's own `CMD` names no module sp can take apart (`python -c …`): it is
            // run as written (`command`), not replaced by another image's application object.
            if code.scripted
                && code
                    .commands()
                    .iter()
                    .any(|(c, _)| c.value.how.starts_with("Dockerfile CMD"))
            {
                return None;
            }
            // 2. A worker runs a module with `if __name__ == "__main__"` (`python -m jobs.run`).
            if stack.run_mode == RunMode::Worker {
                let mut best: Option<(usize, Entry)> = None;
                for f in code.app_files() {
                    let (Some(span), Some(module)) = (&f.facts.main, module_of(&f.rel, &py_root)) else {
                        continue;
                    };
                    let rank = name_rank(&f.rel);
                    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                        best = Some((
                            rank,
                            Entry {
                                kind: EntryKind::PythonModule,
                                target: module,
                                root: root_of(&py_root),
                                origin: with_how(origin_of(sources, &f.shown, span), "__main__ block"),
                            },
                        ));
                    }
                }
                return best.map(|(_, e)| e);
            }
            // 3. The application object in the code.
            let mut best: Option<(usize, Entry)> = None;
            for f in code.app_files() {
                for a in &f.facts.apps {
                    let (target, root) = match &a.value.import_path {
                        Some(p) => (p.clone(), py_root.clone()),
                        None => match module_of(&f.rel, &py_root) {
                            Some(m) => (format!("{m}:{}", a.value.name), py_root.clone()),
                            None => continue,
                        },
                    };
                    if a.value.import_path.is_some() && !target_exists(code, &target, &root, EntryKind::Asgi) {
                        continue;
                    }
                    let kind = if a.value.asgi { EntryKind::Asgi } else { EntryKind::Wsgi };
                    // The framework the stack serves first (FastAPI for `fastapi`).
                    let framework_rank = usize::from(!stack.matches.contains(&a.value.framework.to_lowercase()));
                    let rank = framework_rank * 1000 + name_rank(&f.rel);
                    let e = Entry {
                        kind,
                        target,
                        root: root_of(&root),
                        origin: Origin {
                            text: format!(
                                "{} ({} object `{}`)",
                                origin_of(sources, &f.shown, &a.span).text,
                                a.value.framework,
                                a.value.name
                            ),
                            kind: crate::model::OriginKind::Input,
                        },
                    };
                    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                        best = Some((rank, e));
                    }
                }
            }
            best.map(|(_, e)| e)
        }
        "node" => {
            if stack.run_mode != RunMode::Server || stack.id.starts_with("nextjs") {
                return None;
            }
            // The TypeScript the image compiles, when the project says how.
            let compiled = ts.filter(|p| p.compile.is_some());
            for (c, shown) in code.commands() {
                let argv = &c.value.argv;
                if argv.len() >= 2
                    && argv[0] == "node"
                    && !argv[1].starts_with('-')
                    && [".js", ".mjs", ".cjs"].iter().any(|x| argv[1].ends_with(x))
                {
                    let target = argv[1].trim_start_matches("./").to_string();
                    // A built file (`dist/server.js`) does not exist before the build.
                    let built = ["dist/", "build/", "out/"].iter().any(|d| target.starts_with(d))
                        || compiled.is_some_and(|p| {
                            code.files
                                .iter()
                                .any(|f| p.output_of(&f.rel).as_deref() == Some(target.as_str()))
                        });
                    if code.has_file(&target) || built {
                        return Some(Entry {
                            kind: EntryKind::NodeScript,
                            target,
                            root: code.dir.clone(),
                            origin: with_how(origin_of(sources, &shown, &c.span), &c.value.how),
                        });
                    }
                }
                // A start script that runs the TypeScript itself (`tsx src/index.ts`,
                // `ts-node src/index.ts`, `node --import tsx src/index.ts`): the image runs
                // that file compiled, so the runtime needs neither the loader nor the
                // development dependencies.
                if let Some(p) = compiled
                    && let Some(src) = ts_runner_target(argv)
                    && code.has_file(&src)
                    && let Some(target) = p.output_of(&src)
                {
                    let how = format!(
                        "{} `{}` runs {src} directly; the image runs it compiled to {target}: {}",
                        c.value.how,
                        argv.join(" "),
                        p.mapping()
                    );
                    return Some(Entry {
                        kind: EntryKind::NodeScript,
                        target,
                        root: code.dir.clone(),
                        origin: with_how(origin_of(sources, &shown, &c.span), &how),
                    });
                }
            }
            // The file that calls `listen(...)`: JavaScript as it is, TypeScript compiled.
            let mut best: Option<(usize, Entry)> = None;
            for f in code.app_files() {
                let Some(span) = &f.facts.main else { continue };
                let is_js = f.rel.ends_with(".js") || f.rel.ends_with(".mjs") || f.rel.ends_with(".cjs");
                let (target, how) = if is_js {
                    (f.rel.clone(), "listen(…)".to_string())
                } else if let Some(p) = compiled
                    && let Some(out) = p.output_of(&f.rel)
                {
                    let how = format!("listen(…), compiled to {out}: {}", p.mapping());
                    (out, how)
                } else {
                    continue;
                };
                // package.json `main` naming the compiled file confirms it.
                let how = match ts.and_then(|p| p.main.as_ref()) {
                    Some((m, o)) if !is_js && *m == target => format!("{how}; package.json main ({})", o.text),
                    _ => how,
                };
                let rank = name_rank(&f.rel);
                if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                    best = Some((
                        rank,
                        Entry {
                            kind: EntryKind::NodeScript,
                            target,
                            root: code.dir.clone(),
                            origin: with_how(origin_of(sources, &f.shown, span), &how),
                        },
                    ));
                }
            }
            best.map(|(_, e)| e)
        }
        "go" => {
            let mut best: Option<(usize, Entry)> = None;
            for f in code.app_files() {
                let Some(span) = &f.facts.main else { continue };
                let pkg = match f.rel.rsplit_once('/') {
                    Some((d, _)) => format!("./{d}"),
                    None => ".".to_string(),
                };
                let rank = pkg.matches('/').count() * 10 + usize::from(!pkg.contains("cmd"));
                if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                    best = Some((
                        rank,
                        Entry {
                            kind: EntryKind::GoMain,
                            target: pkg,
                            root: code.dir.clone(),
                            origin: with_how(origin_of(sources, &f.shown, span), "package main"),
                        },
                    ));
                }
            }
            best.map(|(_, e)| e)
        }
        "rust" => {
            // The binary Cargo builds: the first `[[bin]]` name, else the package name; only
            // when the code has a `fn main`.
            let main = code.app_files().find(|f| f.facts.main.is_some())?;
            let (text, shown) = code.cargo.as_ref()?;
            let (name, line) = cargo_binary(text)?;
            let how = format!("binary `{name}`, `fn main` in {}", main.rel);
            Some(Entry {
                kind: EntryKind::Binary,
                target: name,
                root: code.dir.clone(),
                origin: with_how(Origin::at(shown, line), &how),
            })
        }
        _ => None,
    }
}

/// The TypeScript file a start script runs without compiling it: `tsx src/index.ts`,
/// `tsx watch src/index.ts`, `ts-node src/index.ts`, `ts-node-dev --respawn src/index.ts`,
/// `node -r ts-node/register src/index.ts`, `node --import tsx src/index.ts`.
fn ts_runner_target(argv: &[String]) -> Option<String> {
    let prog = argv.first()?.rsplit('/').next()?;
    let loader = |a: &str| a.starts_with("ts-node") || a == "tsx" || a.starts_with("tsx/");
    let runs_ts = match prog {
        "tsx" | "ts-node" | "ts-node-esm" | "ts-node-dev" | "tsnd" => true,
        "node" => {
            argv.windows(2).any(|w| {
                matches!(
                    w[0].as_str(),
                    "-r" | "--require" | "--loader" | "--import" | "--experimental-loader"
                ) && loader(&w[1])
            }) || argv.iter().any(|a| {
                ["--loader=", "--import=", "--require="]
                    .iter()
                    .any(|f| a.strip_prefix(f).is_some_and(loader))
            })
        }
        _ => false,
    };
    if !runs_ts {
        return None;
    }
    argv[1..]
        .iter()
        .find(|a| !a.starts_with('-') && super::typescript::is_ts(a))
        .map(|a| a.trim_start_matches("./").to_string())
}

/// The binary a Cargo manifest builds and the line naming it: the first `[[bin]]`'s `name`,
/// else `[package]`'s.
fn cargo_binary(text: &str) -> Option<(String, usize)> {
    let mut section = "";
    let mut package = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t;
            continue;
        }
        let Some(rest) = t.strip_prefix("name") else { continue };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        // A name that is not a plain file name is not one the image can copy.
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        match section {
            "[[bin]]" => return Some((value, i + 1)),
            "[package]" if package.is_none() => package = Some((value, i + 1)),
            _ => {}
        }
    }
    package
}

/// The entry point after prose: the source's when it has one (a prose start command that
/// names another target is reported, SP422), else the one the prose states, else none.
pub fn entry_with_prose(
    from_source: Option<Entry>,
    prose: Option<Valued<(EntryKind, String)>>,
    dir: &str,
    name: &str,
    facts: &Facts,
    diags: &mut Diagnostics,
) -> Option<Entry> {
    let Some(prose) = prose else { return from_source };
    let (kind, target) = prose.value;
    match from_source {
        Some(e) => {
            if e.target != target {
                let mut d = Diagnostic::new(
                    DiagCode::ProseContradictsSource,
                    format!(
                        "entry point of `{name}`: the prose says `{target}`, the source says `{}` ({})",
                        e.target, e.origin.text
                    ),
                )
                .hint(format!(
                    "the source wins; correct the sentence to `{}`, or set `components.{name}.command` in the deployment block if the code is about to change",
                    e.target
                ));
                d = match facts.span_of(&prose.origin) {
                    Some(span) => d.at(span).label(format!("says {target}")),
                    None => at_origin(d, &prose.origin),
                };
                diags.push(d);
            }
            Some(e)
        }
        None => Some(Entry {
            kind,
            target,
            root: dir.to_string(),
            origin: prose.origin,
        }),
    }
}

/// Where the application is made: its framework object (`app = FastAPI()`), else the file
/// that listens (`app.listen(…)`, `package main`), best-named first.
pub fn app_span(code: &Code) -> Option<Span> {
    let mut best: Option<(usize, Span)> = None;
    for f in code.app_files() {
        let span = f
            .facts
            .apps
            .first()
            .map(|a| a.span.clone())
            .or_else(|| f.facts.main.clone());
        if let Some(span) = span {
            let rank = usize::from(f.facts.apps.is_empty()) * 1000 + name_rank(&f.rel);
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, span));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// A health route written the way the stack's framework writes routes, for hints.
pub fn health_route_example(stack: &Stack, path: &str) -> String {
    match (stack.language.as_str(), stack.id.as_str()) {
        ("python", _) => format!("`@app.get(\"{path}\")` returning `{{\"status\": \"ok\"}}`"),
        ("node", _) => format!("`app.get('{path}', (req, res) => res.json({{ status: 'ok' }}))`"),
        ("go", _) => format!("`http.HandleFunc(\"{path}\", …)` writing 200"),
        ("rust", _) => format!("`.route(\"{path}\", get(|| async {{ \"ok\" }}))`"),
        _ => format!("a GET `{path}` answering 200"),
    }
}

fn with_how(o: Origin, how: &str) -> Origin {
    Origin {
        text: format!("{} ({how})", o.text),
        kind: o.kind,
    }
}

/// The import target of a Python start command: `uvicorn main:app`, `gunicorn -k … app:app`,
/// `python -m app`, `fastapi run app/main.py`.
fn python_target(argv: &[String]) -> Option<(EntryKind, String)> {
    let prog = argv.first()?.rsplit('/').next()?.to_string();
    let rest = &argv[1..];
    let positional = || {
        let mut skip = false;
        for a in rest {
            if skip {
                skip = false;
                continue;
            }
            if a.starts_with('-') {
                // Options that take a value.
                skip = !a.contains('=')
                    && matches!(
                        a.as_str(),
                        "--host"
                            | "--port"
                            | "-p"
                            | "--bind"
                            | "-b"
                            | "-w"
                            | "--workers"
                            | "-k"
                            | "--worker-class"
                            | "--log-level"
                            | "--root-path"
                            | "--app-dir"
                            | "--timeout"
                            | "-c"
                            | "--config"
                    );
                continue;
            }
            return Some(a.clone());
        }
        None
    };
    match prog.as_str() {
        "uvicorn" | "hypercorn" => positional().filter(|t| t.contains(':')).map(|t| (EntryKind::Asgi, t)),
        "gunicorn" => {
            let asgi = argv.iter().any(|a| a.contains("UvicornWorker"));
            positional()
                .filter(|t| t.contains(':'))
                .map(|t| (if asgi { EntryKind::Asgi } else { EntryKind::Wsgi }, t))
        }
        "python" | "python3" => match rest {
            [m, module, ..] if m == "-m" && module != "uvicorn" && module != "gunicorn" => {
                Some((EntryKind::PythonModule, module.clone()))
            }
            [m, runner, tail @ ..] if m == "-m" => {
                let mut v = vec![runner.clone()];
                v.extend(tail.iter().cloned());
                python_target(&v)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether the module an import target names is a file of the component.
fn target_exists(code: &Code, target: &str, root: &str, kind: EntryKind) -> bool {
    let module = match kind {
        EntryKind::PythonModule => target,
        _ => target.split(':').next().unwrap_or(""),
    };
    let path = module.replace('.', "/");
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    code.has_file(&format!("{prefix}{path}.py"))
        || code.has_file(&format!("{prefix}{path}/__init__.py"))
        || code.has_file(&format!("{prefix}{path}/__main__.py"))
        || code.has_file(&format!("{prefix}{path}/main.py")) && kind == EntryKind::PythonModule
}

/// The one port: typed input, then the source, then prose, then the catalog. A prose port
/// that the source contradicts is reported. Static sites keep nginx's port.
#[allow(clippy::too_many_arguments)]
pub fn port(
    typed: Option<Valued<u16>>,
    code: Option<&Code>,
    prose: Option<Valued<u16>>,
    stack: &Stack,
    name: &str,
    sources: &Sources,
    facts: &Facts,
    diags: &mut Diagnostics,
) -> Option<Valued<u16>> {
    let dflt = stack.port?;
    let catalog = Valued::new(dflt, super::default_origin(&format!("{} catalog", stack.id)));
    if stack.run_mode == RunMode::Static {
        return Some(typed.unwrap_or(catalog));
    }
    if let Some(t) = typed {
        return Some(t);
    }
    let from_source = code.and_then(|c| source_port(c, sources));
    if let (Some(s), Some(p)) = (&from_source, &prose)
        && s.value != p.value
    {
        let mut d = Diagnostic::new(
            DiagCode::ProseContradictsSource,
            format!(
                "port of `{name}`: the prose says {}, the source listens on {} ({})",
                p.value, s.value, s.origin.text
            ),
        )
        .hint(format!(
            "the source wins; correct the sentence, or set `components.{name}.port` in the deployment block if the code is about to change"
        ));
        if let Some(span) = facts.span_of(&p.origin) {
            d = d.at(span).label(format!("says {}", p.value));
        }
        diags.push(d);
    }
    Some(from_source.or(prose).unwrap_or(catalog))
}

/// The port the source listens on, by the strength of what says it.
fn source_port(code: &Code, sources: &Sources) -> Option<Valued<u16>> {
    let rank = |how: &str| -> usize {
        if how.starts_with("Dockerfile CMD") || how == "compose command" || how == "Procfile" {
            0
        } else if how.starts_with("package.json") {
            1
        } else if how == "Dockerfile EXPOSE" {
            // The one port fact of its own an image of a shared folder has.
            if code.scripted { 0 } else { 3 }
        } else if how == "compose ports" {
            4
        } else if how == ".env.example PORT" {
            5
        } else {
            2
        }
    };
    let mut all: Vec<(usize, Valued<u16>)> = Vec::new();
    for f in code.app_files() {
        for p in &f.facts.ports {
            let o = with_how(origin_of(sources, &f.shown, &p.span), &p.value.how);
            all.push((rank(&p.value.how), Valued::new(p.value.port, o)));
        }
    }
    for (s, shown) in &code.compose {
        for p in &s.facts.ports {
            let o = with_how(origin_of(sources, shown, &p.span), &p.value.how);
            all.push((rank(&p.value.how), Valued::new(p.value.port, o)));
        }
    }
    all.sort_by_key(|(r, _)| *r);
    all.into_iter().next().map(|(_, v)| v)
}

/// The runtime command: the catalog's shape with the entry's target and the one port. A
/// team command that names no target sp understands is used as written, with the port set.
pub fn command(
    typed: Option<Valued<Vec<String>>>,
    entry: Option<&Entry>,
    code: Option<&Code>,
    stack: &Stack,
    port: Option<u16>,
    sources: &Sources,
) -> Valued<Vec<String>> {
    let catalog_origin = super::default_origin(&format!("{} catalog", stack.id));
    if let Some(t) = typed {
        return Valued::new(with_port(&t.value, port), t.origin);
    }
    let p = port.map(|p| p.to_string()).unwrap_or_default();
    if let Some(e) = entry {
        let argv: Option<Vec<String>> = match (e.kind, stack.language.as_str()) {
            (EntryKind::Asgi, "python") => Some(
                [
                    "uvicorn",
                    &e.target,
                    "--host",
                    "0.0.0.0",
                    "--port",
                    &p,
                    "--proxy-headers",
                ]
                .map(String::from)
                .to_vec(),
            ),
            (EntryKind::Wsgi, "python") => {
                if code.is_some_and(|c| !c.depends_on("gunicorn") && c.depends_on("uvicorn")) {
                    Some(
                        [
                            "uvicorn",
                            "--interface",
                            "wsgi",
                            &e.target,
                            "--host",
                            "0.0.0.0",
                            "--port",
                            &p,
                        ]
                        .map(String::from)
                        .to_vec(),
                    )
                } else {
                    Some(
                        ["gunicorn", "--bind", &format!("0.0.0.0:{p}"), &e.target]
                            .map(String::from)
                            .to_vec(),
                    )
                }
            }
            (EntryKind::PythonModule, "python") => Some(["python", "-m", &e.target].map(String::from).to_vec()),
            (EntryKind::NodeScript, "node") => Some(vec!["node".into(), e.target.clone()]),
            // The image copies the binary to /app under the name it was built with.
            (EntryKind::Binary, _) => Some(vec![format!("/app/{}", e.target)]),
            _ => None,
        };
        if let Some(argv) = argv {
            return Valued::new(argv, e.origin.clone());
        }
    }
    // A team command sp cannot take apart, as written (Python servers and workers: a
    // `celery -A tasks worker` runs from the installed packages; the Go and static images
    // run what their own build produces).
    if entry.is_none()
        && matches!(stack.run_mode, RunMode::Server | RunMode::Worker)
        && matches!(stack.language.as_str(), "python")
        && let Some(code) = code
        && let Some((c, shown)) = code
            .commands()
            .into_iter()
            .find(|(c, _)| c.value.how != "package.json scripts.start" && c.value.how != "package.json main")
        && !c.value.argv.iter().any(|a| a.contains('$'))
    {
        return Valued::new(
            with_port(&c.value.argv, port),
            with_how(origin_of(sources, &shown, &c.span), &c.value.how),
        );
    }
    Valued::new(with_port(&stack.command, port), catalog_origin)
}

/// Whether a constitution rule demands secrets as files (`MUST be mounted as files`), not
/// merely allowing them (`secretKeyRef or mounted files`).
pub fn constitution_demands_files(c: Option<&Constitution>) -> Option<Origin> {
    let c = c?;
    for p in &c.principles {
        for r in &p.rules {
            let l = r.text.to_lowercase();
            let demands = l.contains("must")
                && l.contains("secret")
                && (l.contains("as files")
                    || l.contains("as a file")
                    || l.contains("mounted file")
                    || l.contains("_file")
                    || l.contains("as read-only files"))
                && !l.contains("secretkeyref")
                && !l.contains(" or mounted")
                && !l.contains(" or as files");
            if demands {
                return Some(Origin::at(&c.path, r.line));
            }
        }
    }
    None
}

/// Environment facts of one component, before wiring: what to deliver and what was read.
#[derive(Default)]
pub struct Env {
    pub config: Vec<ConfigValue>,
    pub secrets: Vec<SecretRef>,
    pub build_args: Vec<ConfigValue>,
    pub reads: Vec<EnvRead>,
    /// Compose `environment:` values that address another compose service by its compose
    /// name, settled once every component's name and folder is known ([`compose_peers`]).
    pub compose_peers: Vec<ComposePeer>,
}

impl Env {
    /// A build argument, unless a stronger input already gave one of that name.
    fn build_arg(&mut self, name: &str, value: &str, origin: Origin) {
        if !self.build_args.iter().any(|b| b.name == name) {
            self.build_args.push(ConfigValue {
                name: name.to_string(),
                value: value.to_string(),
                origin,
            });
        }
    }

    /// A configuration value from a file of the team's (`.env.example`, compose): it says
    /// what the team runs with, so it replaces sp's own default but not a stronger input.
    fn config_over_default(&mut self, name: &str, value: &str, origin: Origin) {
        match self.config.iter_mut().find(|c| c.name == name) {
            Some(c) if c.origin.kind == OriginKind::Default => {
                c.value = value.to_string();
                c.origin = origin;
            }
            Some(_) => {}
            None => self.config.push(ConfigValue {
                name: name.to_string(),
                value: value.to_string(),
                origin,
            }),
        }
    }
}

/// A compose value naming another compose service (`API_URL: http://api-backend:8000`).
pub struct ComposePeer {
    pub var: String,
    pub value: String,
    pub peer: source::container::Peer,
    pub origin: Origin,
    pub span: Span,
}

/// The variables the code reads, with the `.env.example` keys and the typed ones: secrets
/// by name, build-time names as build arguments, the rest as configuration when a value is
/// known. Delivery is decided after wiring ([`deliver`]).
#[allow(clippy::too_many_arguments)]
pub fn env(
    code: Option<&Code>,
    example: &[(String, String, bool, Origin)],
    typed_config: Vec<ConfigValue>,
    typed_secrets: Vec<SecretRef>,
    secret_name: &str,
    files_demanded: Option<&Origin>,
    port: Option<&Valued<u16>>,
    sources: &Sources,
) -> Env {
    let mut e = Env {
        config: typed_config,
        secrets: typed_secrets,
        ..Default::default()
    };
    // Reads, one per name in file order: the first, unless a later one is stricter. A read
    // without a fallback anywhere (`os.environ["X"]` at import) stops the process whatever
    // another module falls back to, so it decides, and the origin points at it.
    let mut reads: Vec<(source::EnvRead, Origin, Span)> = Vec::new();
    let mut at_build: Vec<String> = Vec::new();
    if let Some(code) = code {
        for f in code.app_files() {
            for r in &f.facts.env {
                if f.rel.starts_with("next.config.") && !at_build.contains(&r.value.name) {
                    at_build.push(r.value.name.clone());
                }
                if let Some(prev) = reads.iter_mut().find(|(x, _, _)| x.name == r.value.name) {
                    if r.value.required && !prev.0.required {
                        *prev = (r.value.clone(), origin_of(sources, &f.shown, &r.span), r.span.clone());
                    }
                    continue;
                }
                reads.push((r.value.clone(), origin_of(sources, &f.shown, &r.span), r.span.clone()));
            }
        }
    }
    // Reads that are the source's port (`port: int = 8001` in Settings): given the one port.
    let port_spans: Vec<Span> = code
        .map(|c| {
            c.app_files()
                .flat_map(|f| f.facts.ports.iter().map(|p| p.span.clone()))
                .collect()
        })
        .unwrap_or_default();
    let reads_file = |name: &str| reads.iter().any(|(r, _, _)| r.name == format!("{name}_FILE"));
    let delivery = |name: &str| {
        if reads_file(name) || files_demanded.is_some() {
            SecretDelivery::File
        } else {
            SecretDelivery::Env
        }
    };
    for s in e.secrets.iter_mut() {
        s.delivery = delivery(&s.env);
    }
    let add_secret = |e: &mut Env, name: &str, origin: Origin, optional: bool| {
        if !e.secrets.iter().any(|s| s.env == name) {
            e.secrets.push(SecretRef {
                optional,
                env: name.to_string(),
                secret: secret_name.to_string(),
                key: name.to_string(),
                delivery: delivery(name),
                origin,
            });
        }
    };
    let example_value = |name: &str| example.iter().find(|(k, _, _, _)| k == name);
    for (r, origin, span) in &reads {
        let name = r.name.as_str();
        // A default that is itself a credential (`postgresql://user:pass@localhost/db`) makes
        // the variable one.
        let secret = secret_var(name) || r.default.as_deref().and_then(secrets::credential_value).is_some();
        // `X_FILE` is how the code reads the secret X.
        if let Some(base) = name.strip_suffix("_FILE")
            && (secret_var(base) || reads.iter().any(|(x, _, _)| x.name == base))
        {
            add_secret(&mut e, base, origin.clone(), false);
        } else if r.build_time {
            if !e.build_args.iter().any(|b| b.name == name) {
                let value = example_value(name)
                    .filter(|(_, v, _, _)| !v.is_empty())
                    .map(|(_, v, _, o)| (v.clone(), o.clone()))
                    .or_else(|| r.default.clone().map(|d| (d, origin.clone())));
                if let Some((value, o)) = value {
                    e.build_args.push(ConfigValue {
                        name: name.to_string(),
                        value,
                        origin: o,
                    });
                }
            }
        } else if name == "PORT" || port_spans.contains(span) {
            if let Some(p) = port
                && !e.config.iter().any(|c| c.name == name)
            {
                e.config.push(ConfigValue {
                    name: name.to_string(),
                    value: p.value.to_string(),
                    origin: Origin::derived(format!("the component's port ({})", p.origin.text)),
                });
            }
        } else if secret {
            // Read with neither a default nor a need (an alias after `or`, a `None`
            // fallback): the pod starts without it.
            add_secret(&mut e, name, origin.clone(), !r.required && r.default.is_none());
        } else if let Some(d) = &r.default
            && let Some(c) = e
                .config
                .iter_mut()
                .find(|c| c.name == name && c.origin.kind == OriginKind::Default)
        {
            // sp's own default (`LOG_LEVEL`) gives way to the code's, in the code's spelling.
            c.value = d.clone();
            c.origin = Origin::derived(format!("the code's own default ({})", origin.text));
        }
        e.reads.push(EnvRead {
            name: name.to_string(),
            secret,
            required: r.required,
            default: r.default.clone().map(|d| CodeDefault::new(d, secret)),
            delivered: String::new(),
            at_build: at_build.iter().any(|n| n == name),
            origin: with_how(origin.clone(), &r.how),
            span: Some(span.clone()),
        });
    }
    // `.env.example`: secrets by name, build-time names as build arguments, the rest as
    // configuration when it has a value.
    for (k, v, secret, origin) in example {
        if *secret || secret_var(k) || secrets::credential_value(v).is_some() {
            add_secret(&mut e, k, origin.clone(), false);
        } else if source::node::build_time(k) {
            if !v.is_empty() {
                e.build_arg(k, v, origin.clone());
            }
        } else if k == "PORT" {
            // The one port decides; `.env.example`'s PORT was one of its inputs.
            continue;
        } else if !v.is_empty() {
            e.config_over_default(k, v, origin.clone());
        }
    }
    // The compose file's `environment:` of the service that builds this folder: what the team
    // runs the container with, after `.env.example`. Secrets by name or value, never their
    // values; a value that needs a shell variable (`${X}`) or addresses another compose
    // service (`redis://redis-cache:6379`) is not the cluster's.
    for (s, shown) in code.map(|c| c.compose.as_slice()).unwrap_or_default() {
        for f in &s.environment {
            let (k, origin) = (&f.value.name, origin_of(sources, shown, &f.span));
            let Some(v) = f.value.value.as_deref() else {
                if secret_var(k) {
                    add_secret(&mut e, k, origin, false);
                }
                continue;
            };
            if secret_var(k) || secrets::credential_value(v).is_some() {
                add_secret(&mut e, k, origin, false);
            } else if k == "PORT" || v.is_empty() {
                continue;
            } else if let Some(peer) = &f.value.peer {
                e.compose_peers.push(ComposePeer {
                    var: k.clone(),
                    value: v.to_string(),
                    peer: peer.clone(),
                    origin,
                    span: f.span.clone(),
                });
            } else if source::node::build_time(k) {
                e.build_arg(k, v, origin);
            } else {
                e.config_over_default(k, v, origin);
            }
        }
    }
    // A list the code decodes from JSON (a pydantic Settings field `cors_origins: List[str]`)
    // written for people in .env.example (`http://a,http://b`): as the JSON array the reader
    // wants, or the process stops at start with "error parsing value for field".
    for c in e.config.iter_mut() {
        let Some((_, read_at, _)) = reads.iter().find(|(r, _, _)| r.name == c.name && r.json_list) else {
            continue;
        };
        if serde_json::from_str::<serde_json::Value>(&c.value).is_ok_and(|v| v.is_array()) {
            continue;
        }
        let items: Vec<&str> = c.value.split(',').map(str::trim).filter(|i| !i.is_empty()).collect();
        c.value = serde_json::to_string(&items).expect("strings serialise");
        c.origin = Origin::derived(format!(
            "{}, as the JSON list {} decodes",
            c.origin.source(),
            read_at.text
        ));
    }
    e
}

/// Compose values that address another compose service, once every component is known: a
/// service that is a component of the deployment (by its name, or the folder it builds) is
/// that component's Service, so the value is kept with the host renamed; any other (a
/// database or cache run from an image, whose Service sp names itself) is reported
/// (`SP440`) and left out. A browser-side variable never resolves a Service name, so it is
/// not copied either. `peers[i]` are the values of `components[i]`.
pub fn compose_peers(components: &mut [Component], peers: Vec<Vec<ComposePeer>>, diags: &mut Diagnostics) {
    let cluster: Vec<(String, Option<String>)> = components
        .iter()
        .map(|c| (c.name.clone(), c.source_dir.value.clone()))
        .collect();
    for (c, peers) in components.iter_mut().zip(peers) {
        for p in peers {
            let given = c.config.iter().any(|v| v.name == p.var)
                || c.build_args.iter().any(|v| v.name == p.var)
                || c.secrets.iter().any(|s| s.env == p.var);
            if given {
                continue;
            }
            let target = cluster
                .iter()
                .find(|(name, dir)| *name == p.peer.name || (p.peer.context.is_some() && *dir == p.peer.context));
            match target {
                Some((name, _)) if !source::node::build_time(&p.var) => {
                    let value = rename_host(&p.value, &p.peer.name, name);
                    let origin = if *name == p.peer.name {
                        p.origin
                    } else {
                        Origin::derived(format!("{}, with `{}` for the compose service `{}`", p.origin.text, name, p.peer.name))
                    };
                    c.config.push(ConfigValue {
                        name: p.var,
                        value,
                        origin,
                    });
                    if *name != c.name && !c.depends_on.contains(name) {
                        c.depends_on.push(name.clone());
                    }
                }
                _ => diags.push(
                    Diagnostic::new(
                        DiagCode::ComposeValueNotCopied,
                        format!(
                            "the compose value of `{}` for `{}` addresses the compose service `{}`, {}: it is not copied",
                            p.var,
                            c.name,
                            p.peer.name,
                            if target.is_some() {
                                "a name the browser that reads it never resolves"
                            } else {
                                "which is no component of the deployment"
                            }
                        ),
                    )
                    .at(p.span)
                    .label(format!("addresses `{}`", p.peer.name))
                    .hint(format!(
                        "give the cluster's address with `components.{}.config.{}: <value>` in the deployment block of plan-input.md (or `--set components.{}.config.{}=<value>`); `sp plan --explain` shows each Service's name and port",
                        c.name, p.var, c.name, p.var
                    )),
                ),
            }
        }
    }
}

/// `value` with the host `from` (after a scheme and credentials, or at the start) replaced.
fn rename_host(value: &str, from: &str, to: &str) -> String {
    let start = value.find("://").map(|i| i + 3).unwrap_or(0);
    let start = value[start..]
        .split(['/', '?', '#'])
        .next()
        .and_then(|a| a.rfind('@'))
        .map(|i| start + i + 1)
        .unwrap_or(start);
    match value[start..].strip_prefix(from) {
        Some(rest) if rest.is_empty() || rest.starts_with([':', '/', '?', '#']) => {
            format!("{}{to}{rest}", &value[..start])
        }
        _ => value.to_string(),
    }
}

/// Names a database URL is read under.
pub fn database_url_name(reads: &[EnvRead]) -> Option<&str> {
    reads
        .iter()
        .map(|r| r.name.as_str())
        .find(|n| n.ends_with("DATABASE_URL") || *n == "POSTGRES_URL" || *n == "DB_URL" || n.ends_with("_DB_URL"))
}

/// After wiring: rewrite `localhost` values that name another part of the deployment to its
/// Service, report the ones that name nothing, record how each variable the code reads is
/// delivered, and report required ones that are not.
///
/// Build-time variables (`NEXT_PUBLIC_*`, `VITE_*`, `REACT_APP_*`, `GATSBY_*`) are left as
/// they are: the browser reads them, not the pod, and the browser reaches a `localhost` port
/// through a port-forward but never resolves a Service name (`build_time::split` turns them
/// into a static site's own origin).
pub fn deliver(components: &mut [Component], backing: &[BackingService], diags: &mut Diagnostics) {
    let services: Vec<(String, u16)> = services(components, backing)
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    // What a browser calls: each backend with a port, and its Ingress host if it has one.
    let backends: Vec<Reached> = components
        .iter()
        .filter(|c| c.role.value == Role::Backend)
        .filter_map(|c| {
            Some(Reached {
                name: c.name.clone(),
                port: c.port.as_ref()?.value,
                host: c.exposure.ingress_host.as_ref().map(|h| h.value.clone()),
            })
        })
        .collect();
    for c in components.iter_mut() {
        let own_port = c.port.as_ref().map(|p| p.value);
        // A variable the code falls back to `localhost` for (`BACKEND_URL || 'http://127.0.0.1:8000'`)
        // names another Service of the deployment by its port: the pod is given that address,
        // rewritten below, instead of calling itself.
        let local_defaults: Vec<ConfigValue> = c
            .env_reads
            .iter()
            .filter(|r| !r.secret && !source::node::build_time(&r.name) && !is_origin_setting(&r.name))
            .filter(|r| !c.config.iter().any(|v| v.name == r.name) && !c.secrets.iter().any(|s| s.env == r.name))
            .filter_map(|r| {
                let d = r.default.as_ref()?.value();
                let port = local_address(d)?.1?;
                services
                    .iter()
                    .any(|(n, p)| *p == port && *n != c.name)
                    .then(|| ConfigValue {
                        name: r.name.clone(),
                        value: d.to_string(),
                        origin: Origin::derived(format!("the code's default ({})", r.origin.text)),
                    })
            })
            .collect();
        c.config.extend(local_defaults);
        // Allowed browser origins (`CORS_ORIGINS`, `FRONTEND_URL`) are what the browser's
        // address bar shows, never a Service name: `build_time::cors_origins` decides them.
        let delivered = |v: &&mut ConfigValue| !source::node::build_time(&v.name) && !is_origin_setting(&v.name);
        // The Services a rewritten value now names: the component calls them, so its
        // NetworkPolicy must let it.
        let mut calls: Vec<String> = Vec::new();
        for v in c.config.iter_mut().filter(delivered) {
            let Some((host, port)) = local_address(&v.value) else {
                continue;
            };
            match port.and_then(|p| services.iter().find(|(n, sp)| *sp == p && *n != c.name)) {
                Some((svc, p)) => {
                    let from = match port {
                        Some(_) => format!("{host}:{p}"),
                        None => host.to_string(),
                    };
                    v.value = v.value.replacen(&from, &format!("{svc}:{p}"), 1);
                    calls.push(svc.clone());
                    let was = v.origin.source();
                    v.origin = Origin::derived(format!("{was} with `{from}` rewritten to the {svc} Service"));
                }
                None => {
                    let what = if port.is_some() && port == own_port {
                        "the component itself".to_string()
                    } else {
                        "nothing in the deployment".to_string()
                    };
                    diags.push(at_origin(
                        Diagnostic::new(
                            DiagCode::LocalhostInCluster,
                            format!(
                                "`{}` of `{}` is `{}`: inside a pod, {host} is the pod itself, and the address names {what}",
                                v.name, c.name, v.value
                            ),
                        )
                        .hint(format!(
                            "set `components.{}.config.{}` in the deployment block to the address the process must use (a Service name such as `http://<service>:<port>`, or the public URL)",
                            c.name, v.name
                        )),
                        &v.origin,
                    ));
                }
            }
        }
        for svc in calls {
            if !c.depends_on.contains(&svc) {
                c.depends_on.push(svc);
            }
        }
        // What `next.config.*` reads is evaluated by `next build` (a rewrite's destination
        // is written into the routes manifest): the value the pod is given is also the
        // image's build argument, or the build keeps the code's `localhost`.
        for v in &c.config {
            if c.env_reads.iter().any(|r| r.at_build && r.name == v.name)
                && !c.build_args.iter().any(|b| b.name == v.name)
            {
                c.build_args.push(ConfigValue {
                    name: v.name.clone(),
                    value: v.value.clone(),
                    origin: Origin::derived(format!(
                        "{}; next.config reads it when the image is built",
                        v.origin.source()
                    )),
                });
            }
        }
        // A required URL of the application itself (`BETTER_AUTH_URL`, `NEXTAUTH_URL`,
        // `APP_URL`) that no input gives: the component's own address, from its Ingress host
        // when it has one, else its Service.
        let own_urls: Vec<ConfigValue> = c
            .env_reads
            .iter()
            .filter(|r| {
                r.required
                    && r.default.is_none()
                    && own_url_var(&r.name)
                    && !source::node::build_time(&r.name)
                    && !c.config.iter().any(|v| v.name == r.name)
                    && !c.secrets.iter().any(|s| s.env == r.name)
            })
            .filter_map(|r| {
                let (value, from) = match (&c.exposure.ingress_host, own_port) {
                    (Some(h), _) => (
                        format!("http://{}", h.value),
                        format!("the Ingress host of `{}`", c.name),
                    ),
                    (None, Some(p)) => (format!("http://{}:{p}", c.name), format!("the `{}` Service", c.name)),
                    (None, None) => return None,
                };
                Some(ConfigValue {
                    name: r.name.clone(),
                    value,
                    origin: Origin::derived(format!(
                        "{from}: `{}` is the application's own URL, read without a default at {}",
                        r.name, r.origin.text
                    )),
                })
            })
            .collect();
        c.config.extend(own_urls);
        let reads = std::mem::take(&mut c.env_reads);
        let mut out = Vec::new();
        for mut r in reads {
            r.delivered = if let Some(s) = c.secrets.iter().find(|s| s.env == r.name) {
                match s.delivery {
                    SecretDelivery::Env => format!("secret {}/{}", s.secret, s.key),
                    SecretDelivery::File => format!("secret {}/{} as a file", s.secret, s.key),
                }
            } else if let Some(b) = r
                .name
                .strip_suffix("_FILE")
                .and_then(|b| c.secrets.iter().find(|s| s.env == b))
            {
                format!("file of secret {}/{}", b.secret, b.key)
            } else if c.config.iter().any(|v| v.name == r.name) {
                "config".into()
            } else if c.build_args.iter().any(|v| v.name == r.name) {
                "build-arg".into()
            } else if r.default.is_some() {
                "code default".into()
            } else if PROVIDED.contains(&r.name.as_str()) {
                "runtime".into()
            } else if r.required {
                let hint = if source::node::build_time(&r.name) {
                    build_time_hint(c, &r.name, &backends)
                } else {
                    format!(
                        "supply it with `components.{}.config.{}: <value>` in the deployment block of plan-input.md (or `--set components.{}.config.{}=<value>`), or a line in .env.example",
                        c.name, r.name, c.name, r.name
                    )
                };
                let d = Diagnostic::new(
                    DiagCode::MissingVariable,
                    format!(
                        "`{}` reads `{}` without a default, and no input gives it a value",
                        c.name, r.name
                    ),
                )
                .hint(hint);
                diags.push(match &r.span {
                    Some(s) => d.at(s.clone()).label("read here, without a default"),
                    None => at_origin(d, &r.origin),
                });
                "missing".into()
            } else {
                "missing (optional)".into()
            };
            out.push(r);
        }
        c.env_reads = out;
    }
}

/// A backend as the browser reaches it: its Service port, and its Ingress host if any.
struct Reached {
    name: String,
    port: u16,
    host: Option<String>,
}

/// The hint of SP420 for a variable the bundler inlines (`NEXT_PUBLIC_API_URL`): it is
/// fixed when the image is built, so it is given as sp's input, which writes it as an `ARG`
/// with that default into the build stage of the component's Dockerfile (the only place a
/// `docker build --build-arg` reaches); and the browser, not the pod, uses it, so a backend
/// URL is the one the browser reaches, through the site's own nginx (a static site), the
/// backend's Ingress host, or a port-forward of its Service.
fn build_time_hint(c: &Component, name: &str, backends: &[Reached]) -> String {
    let comp = &c.name;
    let env_example = match c.source_dir.value.as_deref() {
        Some(dir) if !dir.is_empty() && dir != "." => format!("{dir}/.env.example"),
        _ => ".env.example".to_string(),
    };
    let given = format!(
        "`{name}` is inlined into the browser's JavaScript when the image is built (a value in the ConfigMap would change nothing): give it with `components.{comp}.config.{name}: <value>` in the deployment block of plan-input.md (or `--set components.{comp}.config.{name}=<value>`, or `{name}=<value>` in {env_example}); sp then writes `ARG {name}=\"<value>\"` into the build stage of docker/{comp}.Dockerfile, which `docker build --build-arg {name}=<value>` overrides for one build"
    );
    let backend = backends
        .iter()
        .find(|b| c.depends_on.contains(&b.name))
        .or_else(|| backends.first())
        .filter(|b| b.name != *comp);
    let reach = match backend {
        None => "If it is a URL, the browser calls it, not the pod: use the address the browser reaches".to_string(),
        Some(b) if c.run_mode.value == RunMode::Static && c.depends_on.contains(&b.name) => format!(
            "If it is the backend's URL, the browser calls it, not the pod: the site's nginx proxies `/api/` to the `{}` Service, so `http://localhost:{}` becomes the site's own origin",
            b.name, b.port
        ),
        Some(b) => match &b.host {
            Some(h) => format!(
                "If it is the backend's URL, the browser calls it, not the pod: use `http://{h}`, the Ingress host of `{}`",
                b.name
            ),
            None => format!(
                "If it is the backend's URL, the browser calls it, not the pod, and never resolves the `{b}` Service's name: use `http://localhost:{p}` with `kubectl port-forward service/{b} {p}:{p}` (the chart's notes print it; `skaffold dev` forwards it), or give `{b}` an Ingress host (`components.{b}.host: <host>`) and use `http://<host>`",
                b = b.name,
                p = b.port
            ),
        },
    };
    format!("{given}. {reach}")
}

/// A variable that holds the application's own public URL: auth libraries check tokens and
/// build callback links with it (`BETTER_AUTH_URL`, `NEXTAUTH_URL`, `AUTH_URL`), frameworks
/// build absolute links with it (`APP_URL`, `SITE_URL`, `PUBLIC_URL`). `BASE_URL` and
/// `API_BASE_URL` are left out: they usually name another service.
fn own_url_var(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "BETTER_AUTH_URL",
        "NEXTAUTH_URL",
        "AUTH_URL",
        "APP_URL",
        "SITE_URL",
        "PUBLIC_URL",
    ];
    NAMES.contains(&name)
        || ["_APP_URL", "_SITE_URL", "_PUBLIC_URL"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// Variables the runtime, the image or Kubernetes set on their own (`NODE_ENV` is in every
/// Node image sp writes, `HOSTNAME` in every pod).
const PROVIDED: &[&str] = &[
    "NODE_ENV",
    "HOSTNAME",
    "HOME",
    "PATH",
    "PWD",
    "USER",
    "TZ",
    "LANG",
    "NEXT_RUNTIME",
    "NEXT_PHASE",
    "KUBERNETES_SERVICE_HOST",
    "KUBERNETES_SERVICE_PORT",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
    "HEARTBEAT_FILE",
];

/// The local host a value addresses, and its port: `http://localhost:3000/x` →
/// (`localhost`, Some(3000)), `postgres://u:p@127.0.0.1:5432/db` → (`127.0.0.1`,
/// Some(5432)), `localhost:8000` → (`localhost`, Some(8000)). The host must be the whole
/// host of the address: `http://localhostile.dev` and `https://a.example/?next=http://localhost`
/// are not local. `0.0.0.0` without a scheme (`HOST=0.0.0.0`, `BIND=0.0.0.0:8000`) is an
/// address to listen on, every interface, which is what a server in a pod needs; only as
/// a URL to call does it name nothing.
pub(super) fn local_address(value: &str) -> Option<(&'static str, Option<u16>)> {
    let value = value.trim();
    // After `scheme://` (any scheme, `jdbc:postgresql://` included), up to the path.
    let (scheme, rest) = value.split_once("://").map_or((false, value), |(_, r)| (true, r));
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"]
        .into_iter()
        .filter(|host| scheme || *host != "0.0.0.0")
        .find_map(|host| {
            let after = host_port.strip_prefix(host)?;
            match after.strip_prefix(':') {
                Some(p) => Some((host, source::leading_port(p))),
                None => after.is_empty().then_some((host, None)),
            }
        })
}

/// Every Service of the deployment by name and port: the components that listen, then the
/// backing services. What a `localhost:<port>` address meant is looked up here.
pub(super) fn services<'a>(components: &'a [Component], backing: &'a [BackingService]) -> Vec<(&'a str, u16)> {
    components
        .iter()
        .filter_map(|c| c.port.as_ref().map(|p| (c.name.as_str(), p.value)))
        .chain(backing.iter().map(|b| (b.name.as_str(), b.port)))
        .collect()
}

/// A `DATABASE_URL`-like secret goes under the name the code reads; the key stays the
/// backing service's.
pub fn database_env(c: &Component, kind: ServiceKind) -> Option<String> {
    if kind != ServiceKind::Postgres {
        return None;
    }
    database_url_name(&c.env_reads).map(String::from)
}

/// A diagnostic placed at an origin's `path:line` (origins derived from several inputs
/// carry no place, and the diagnostic then has none).
pub(super) fn at_origin(d: Diagnostic, o: &Origin) -> Diagnostic {
    if !matches!(
        o.kind,
        crate::model::OriginKind::Input | crate::model::OriginKind::Derived
    ) {
        return d;
    }
    // The first `path:line` the origin names, wherever it stands: origins read
    // `backend/main.py:12`, `Language/Version (specs/004-x/plan.md:12)` or `derived from …
    // (a:3) and b:10`.
    let located = o.text.split_whitespace().find_map(|token| {
        let token = token.trim_matches(|c: char| "()[],;`'\"".contains(c));
        let (path, line) = token.rsplit_once(':')?;
        let line = line.parse::<usize>().ok().filter(|l| *l > 0)?;
        (path.contains('/') || path.contains('.')).then_some((path, line))
    });
    match located {
        Some((path, line)) => d.at_line(path, line, 1),
        None => d,
    }
}

/// A command with its listening port set to `port`: the argument after `--port`/`-p`, or
/// the port of a `--bind`/`-b host:port`, so the command can never disagree with EXPOSE, the
/// probes and the Service.
fn with_port(command: &[String], port: Option<u16>) -> Vec<String> {
    let Some(port) = port else { return command.to_vec() };
    let mut out = command.to_vec();
    let mut i = 0;
    while i < out.len() {
        let arg = out[i].clone();
        if (arg == "--port" || arg == "-p") && i + 1 < out.len() {
            out[i + 1] = port.to_string();
            i += 1;
        } else if arg.starts_with("--port=") {
            out[i] = format!("--port={port}");
        } else if (arg == "--bind" || arg == "-b") && i + 1 < out.len() {
            if let Some((host, _)) = out[i + 1].rsplit_once(':') {
                out[i + 1] = format!("{host}:{port}");
            }
            i += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::model::deploy::fixture;

    #[test]
    fn a_compose_host_is_renamed_in_place() {
        assert_eq!(
            rename_host("http://search-api:9000/v1", "search-api", "search"),
            "http://search:9000/v1"
        );
        assert_eq!(
            rename_host("amqp://u:p@mq:5672", "mq", "broker"),
            "amqp://u:p@broker:5672"
        );
        assert_eq!(rename_host("api", "api", "backend"), "backend");
        assert_eq!(rename_host("api:8000", "api", "backend"), "backend:8000");
        // Only the whole host: `apis` is another name.
        assert_eq!(rename_host("http://apis:80", "api", "backend"), "http://apis:80");
    }

    #[test]
    fn a_bind_address_is_not_a_local_url() {
        let mut d = crate::model::deploy::fixture::deployment();
        let value = |name: &str, value: &str| ConfigValue {
            name: name.into(),
            value: value.into(),
            origin: Origin::at("api/.env.example", 1),
        };
        d.components[1].config = vec![
            value("API_HOST", "0.0.0.0"),
            value("BIND", "0.0.0.0:8000"),
            value("CALLBACK_URL", "http://0.0.0.0:9999/cb"),
        ];
        let mut diags = Diagnostics::default();
        deliver(&mut d.components, &d.backing_services, &mut diags);
        let flagged: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert!(flagged[0].starts_with("`CALLBACK_URL`"), "{flagged:?}");
    }

    /// A variable the code falls back to `localhost:<a Service's port>` for is given the
    /// Service; allowed browser origins keep what the browser shows.
    #[test]
    fn a_local_code_default_reaches_the_service_and_origins_stay() {
        let mut d = crate::model::deploy::fixture::deployment();
        let read = |name: &str, default: &str| EnvRead {
            name: name.into(),
            secret: false,
            required: false,
            default: Some(CodeDefault::new(default.into(), false)),
            delivered: String::new(),
            at_build: false,
            origin: Origin::at("web/app/api/tasks/route.ts", 4),
            span: None,
        };
        let api_port = d.components[1].port.as_ref().unwrap().value;
        d.components[0].env_reads = vec![
            read("BACKEND_API_URL", &format!("http://127.0.0.1:{api_port}")),
            read("OLLAMA_URL", "http://localhost:11434"),
        ];
        // Read by next.config.js too: the build bakes it into its rewrites.
        d.components[0].env_reads[0].at_build = true;
        d.components[1].config = vec![ConfigValue {
            name: "CORS_ORIGINS".into(),
            value: "http://localhost:3000".into(),
            origin: Origin::at("api/.env.example", 2),
        }];
        let mut diags = Diagnostics::default();
        deliver(&mut d.components, &d.backing_services, &mut diags);
        let web = &d.components[0];
        let backend = web.config.iter().find(|c| c.name == "BACKEND_API_URL").unwrap();
        assert_eq!(backend.value, format!("http://{}:{api_port}", d.components[1].name));
        assert!(
            backend.origin.text.starts_with("derived from the code's default"),
            "{}",
            backend.origin.text
        );
        let arg = web.build_args.iter().find(|b| b.name == "BACKEND_API_URL").unwrap();
        assert_eq!(arg.value, backend.value);
        assert!(
            arg.origin.text.contains("when the image is built"),
            "{}",
            arg.origin.text
        );
        // No Service on that port: the code's default is left to the code, not guessed.
        assert!(web.config.iter().all(|c| c.name != "OLLAMA_URL"));
        assert_eq!(d.components[1].config[0].value, "http://localhost:3000");
        assert!(
            diags.is_empty(),
            "{:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn test_files_and_test_runner_configurations_are_not_the_application() {
        for rel in [
            "tests/test_api.py",
            "e2e/home.spec.ts",
            "src/__tests__/a.ts",
            "playwright.config.ts",
            "vitest.config.mts",
            "jest.config.js",
            "cypress/support/e2e.ts",
        ] {
            assert!(is_test_file(rel), "{rel}");
        }
        for rel in ["app/main.py", "next.config.ts", "src/contest.ts", "vite.config.ts"] {
            assert!(!is_test_file(rel), "{rel}");
        }
    }

    #[test]
    fn a_local_address_is_the_whole_host_of_the_value() {
        type Local = Option<(&'static str, Option<u16>)>;
        let cases: &[(&str, Local)] = &[
            ("http://localhost:3000/x", Some(("localhost", Some(3000)))),
            ("localhost:8000", Some(("localhost", Some(8000)))),
            ("localhost", Some(("localhost", None))),
            ("http://localhost?next=/", Some(("localhost", None))),
            (
                "postgres://app:s3cret@127.0.0.1:5432/db",
                Some(("127.0.0.1", Some(5432))),
            ),
            ("jdbc:postgresql://localhost:5432/db", Some(("localhost", Some(5432)))),
            ("redis://0.0.0.0:6379/0", Some(("0.0.0.0", Some(6379)))),
            ("0.0.0.0", None),
            ("0.0.0.0:8000", None),
            ("http://[::1]:8080", Some(("[::1]", Some(8080)))),
            (" http://localhost:8000 ", Some(("localhost", Some(8000)))),
            ("http://localhostile.dev/api", None),
            ("https://a.example/?next=http://localhost:3000", None),
            ("http://api.localhost.example", None),
            ("http://user@evil.example/localhost", None),
            ("https://api.example.com", None),
            ("8000", None),
        ];
        for (value, want) in cases {
            assert_eq!(local_address(value), *want, "{value}");
        }
    }

    /// A diagnostic about a value lands on the first `path:line` its origin names, whether
    /// the origin is the location itself or a sentence around it.
    #[test]
    fn diagnostics_land_on_the_location_inside_an_origin() {
        use crate::diagnostics::Location;
        let place = |kind, text: &str| {
            let o = Origin {
                text: text.into(),
                kind,
            };
            match at_origin(Diagnostic::new(crate::diagnostics::Code::UnsupportedVersion, "x"), &o).location {
                Some(Location::PathAt { path, line, .. }) => Some((path.display().to_string(), line)),
                _ => None,
            }
        };
        use crate::model::OriginKind::*;
        assert_eq!(place(Input, "backend/main.py:12"), Some(("backend/main.py".into(), 12)));
        assert_eq!(
            place(Input, "Language/Version (specs/004-x/plan.md:12)"),
            Some(("specs/004-x/plan.md".into(), 12))
        );
        assert_eq!(
            place(
                Derived,
                "derived from Language/Version (specs/a/plan.md:3) and backend/requirements.txt:10"
            ),
            Some(("specs/a/plan.md".into(), 3))
        );
        assert_eq!(place(Default, "fastapi catalog"), None);
        assert_eq!(place(Input, "--set components.api.port=8080"), None);
    }

    /// A component folder `dir` holding `files` (path relative to the workspace root, text):
    /// manifests by name, everything else as source.
    fn repo(dir: &str, files: &[(&str, &str)]) -> (RepoDir, Sources) {
        let mut sources = Sources::default();
        let mut rd = RepoDir {
            path: dir.into(),
            ..Default::default()
        };
        for (path, text) in files {
            let id = sources.add(path.into(), text.to_string());
            let name = path.rsplit('/').next().unwrap();
            let direct = path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".") == dir;
            let manifest = [
                "pyproject.toml",
                "requirements.txt",
                "package.json",
                "Dockerfile",
                "Procfile",
                ".env.example",
            ];
            if direct && manifest.contains(&name) {
                rd.files.insert(name.into(), id);
            } else if path.starts_with("docker-compose") {
                rd.compose.push(id);
            } else {
                rd.sources.push(id);
            }
        }
        (rd, sources)
    }

    fn entry_of(stack: &str, dir: &str, files: &[(&str, &str)]) -> Option<Entry> {
        let (rd, sources) = repo(dir, files);
        let catalog = Catalog::builtin();
        let code = Code::read(&rd, &sources);
        let pm = catalog.language("node").and_then(|l| l.package_manager("npm"));
        let ts = super::super::typescript::project(&code, &sources, pm, &mut Diagnostics::default());
        entry(&code, catalog.get(stack).unwrap(), &sources, ts.as_ref())
    }

    const APP: &str = "from fastapi import FastAPI\n\napp = FastAPI()\n";

    #[test]
    fn python_import_paths_follow_the_real_package_root() {
        // A package declared by a root pyproject.toml.
        let e = entry_of(
            "fastapi",
            ".",
            &[
                (
                    "pyproject.toml",
                    "[tool.hatch.build.targets.wheel]\npackages = [\"backend\"]\n",
                ),
                ("backend/__init__.py", ""),
                ("backend/main.py", APP),
            ],
        )
        .unwrap();
        assert_eq!((e.target.as_str(), e.root.as_str()), ("backend.main:app", "."));
        assert_eq!(e.origin.text, "backend/main.py:3 (FastAPI object `app`)");
        // A flat folder with main.py and requirements.txt.
        let e = entry_of(
            "fastapi",
            "backend",
            &[("backend/requirements.txt", "fastapi\n"), ("backend/main.py", APP)],
        )
        .unwrap();
        assert_eq!((e.target.as_str(), e.root.as_str()), ("main:app", "backend"));
        // src/ as a folder of the project, and a declared src layout.
        let e = entry_of(
            "fastapi",
            "api",
            &[("api/requirements.txt", ""), ("api/src/main.py", APP)],
        )
        .unwrap();
        assert_eq!(e.target, "src.main:app");
        let e = entry_of(
            "fastapi",
            "api",
            &[
                (
                    "api/pyproject.toml",
                    "[tool.setuptools.packages.find]\nwhere = [\"src\"]\n",
                ),
                ("api/src/todo/__init__.py", ""),
                ("api/src/todo/main.py", APP),
            ],
        )
        .unwrap();
        assert_eq!((e.target.as_str(), e.root.as_str()), ("todo.main:app", "api/src"));
        // A declared src layout whose src/ is a package itself: imported from the project.
        let e = entry_of(
            "fastapi",
            "api",
            &[
                (
                    "api/pyproject.toml",
                    "[tool.setuptools.packages.find]\nwhere = [\"src\"]\n",
                ),
                ("api/src/__init__.py", ""),
                ("api/src/main.py", APP),
            ],
        )
        .unwrap();
        assert_eq!((e.target.as_str(), e.root.as_str()), ("src.main:app", "api"));
        // The application, not its tests, and main.py before a deeper module.
        let e = entry_of(
            "fastapi",
            "api",
            &[
                ("api/requirements.txt", ""),
                ("api/app/main.py", APP),
                ("api/app/sub/asgi.py", APP),
                ("api/tests/test_app.py", APP),
            ],
        )
        .unwrap();
        assert_eq!(e.target, "app.main:app");
    }

    #[test]
    fn the_teams_own_command_wins_when_what_it_names_exists() {
        let files = [
            ("api/requirements.txt", ""),
            (
                "api/Dockerfile",
                "FROM python:3.12\nCMD [\"uvicorn\", \"service.http:api\", \"--port\", \"9000\"]\n",
            ),
            ("api/service/http.py", "from fastapi import FastAPI\napi = FastAPI()\n"),
            ("api/main.py", APP),
        ];
        let e = entry_of("fastapi", "api", &files).unwrap();
        assert_eq!(e.target, "service.http:api");
        assert_eq!(e.origin.text, "api/Dockerfile:2 (Dockerfile CMD)");
        // A command naming a module that does not exist is not evidence.
        let files = [
            ("api/requirements.txt", ""),
            ("api/Procfile", "web: uvicorn gone:app\n"),
            ("api/main.py", APP),
        ];
        assert_eq!(entry_of("fastapi", "api", &files).unwrap().target, "main:app");
    }

    #[test]
    fn a_python_worker_runs_its_main_module_not_a_web_app() {
        let e = entry_of(
            "python-worker",
            "worker",
            &[
                ("worker/requirements.txt", ""),
                ("worker/health.py", APP),
                (
                    "worker/jobs/run.py",
                    "def main():\n    pass\n\nif __name__ == \"__main__\":\n    main()\n",
                ),
            ],
        )
        .unwrap();
        assert_eq!((e.kind, e.target.as_str()), (EntryKind::PythonModule, "jobs.run"));
    }

    const TS_PKG: &str = "{\n  \"main\": \"dist/index.js\",\n  \"scripts\": {\n    \"build\": \"tsc\"\n  },\n  \"devDependencies\": {\"typescript\": \"5.9.3\"}\n}\n";
    const TS_CONFIG: &str = "{\n  // comments and trailing commas, as tsc allows\n  \"compilerOptions\": {\n    \"rootDir\": \"./src\",\n    \"outDir\": \"./dist/\", /* built */\n  },\n}\n";

    /// A TypeScript server with no start script: the listening file runs compiled, mapped by
    /// the tsconfig's rootDir and outDir, and each fact names its line.
    #[test]
    fn a_typescript_listening_file_runs_compiled() {
        let files = [
            ("api/package.json", TS_PKG),
            ("api/tsconfig.json", TS_CONFIG),
            ("api/src/index.ts", "import { app } from './app';\napp.listen(8080);\n"),
            ("api/src/app.ts", "export const app = express();\n"),
        ];
        let e = entry_of("express", "api", &files).expect("an entry");
        // `main` names the compiled file, so it is the team's own command.
        assert_eq!((e.kind, e.target.as_str()), (EntryKind::NodeScript, "dist/index.js"));
        assert!(e.origin.text.starts_with("api/package.json:2"), "{}", e.origin.text);
        // Without `main`, the listening file, through the tsconfig.
        let no_main = TS_PKG.replace("\"main\": \"dist/index.js\",", "");
        let files = [
            ("api/package.json", no_main.as_str()),
            ("api/tsconfig.json", TS_CONFIG),
            ("api/src/index.ts", "import { app } from './app';\napp.listen(8080);\n"),
        ];
        let e = entry_of("express", "api", &files).expect("an entry");
        assert_eq!(e.target, "dist/index.js");
        assert_eq!(
            e.origin.text,
            "api/src/index.ts:2 (listen(…), compiled to dist/index.js: outDir `dist` (api/tsconfig.json:5), rootDir `src` (api/tsconfig.json:4))"
        );
        let (rd, sources) = repo("api", &files);
        let code = Code::read(&rd, &sources);
        let npm = Catalog::builtin()
            .language("node")
            .and_then(|l| l.package_manager("npm"))
            .cloned();
        let p = super::super::typescript::project(&code, &sources, npm.as_ref(), &mut Diagnostics::default())
            .expect("a TypeScript project");
        let k = p.compile.expect("a build step");
        assert_eq!(k.command.value, "npm run build");
        assert_eq!(k.command.origin.text, "api/package.json:4 (scripts.build `tsc`)");
        assert_eq!((k.output.value.as_str(), k.separate), ("dist", true));
    }

    /// NestJS's layout: the build uses tsconfig.build.json, which `extends` tsconfig.json
    /// where outDir is; a base outside the folder is said, not silently skipped.
    #[test]
    fn a_tsconfig_inherits_what_it_extends() {
        let pkg = "{\n  \"scripts\": {\"build\": \"tsc -p tsconfig.build.json\"},\n  \"devDependencies\": {\"typescript\": \"5.9.3\"}\n}\n";
        let base = "{\n  \"compilerOptions\": {\n    \"outDir\": \"./dist\",\n    \"rootDir\": \"./src\"\n  }\n}\n";
        let build = "{\n  \"extends\": \"./tsconfig\",\n  \"exclude\": [\"test\"]\n}\n";
        let main = "import { app } from './app';\napp.listen(3000);\n";
        let files = [
            ("api/package.json", pkg),
            ("api/tsconfig.json", base),
            ("api/tsconfig.build.json", build),
            ("api/src/main.ts", main),
        ];
        let e = entry_of("express", "api", &files).expect("an entry");
        assert_eq!(e.target, "dist/main.js");
        assert!(
            e.origin.text.contains("outDir `dist` (api/tsconfig.json:3)"),
            "{}",
            e.origin.text
        );

        let outside = build.replace("./tsconfig", "../tsconfig.base.json");
        let files = [
            ("api/package.json", pkg),
            ("api/tsconfig.build.json", outside.as_str()),
            ("api/src/main.ts", main),
        ];
        let (rd, sources) = repo("api", &files);
        let code = Code::read(&rd, &sources);
        let mut diags = Diagnostics::default();
        super::super::typescript::project(&code, &sources, None, &mut diags);
        let said: Vec<String> = diags
            .iter()
            .map(|d| format!("{} {}", d.code.as_str(), d.message))
            .collect();
        assert_eq!(
            said,
            [
                "SP434 api/tsconfig.build.json extends ../tsconfig.base.json, which sp does not read: an outDir or rootDir set there is not seen"
            ]
        );
    }

    /// No build script: tsc with the project file when typescript is a dependency; a tsc
    /// build script's own options win over the file's; no outDir writes beside the sources.
    #[test]
    fn typescript_build_steps_and_layouts() {
        let npm = Catalog::builtin()
            .language("node")
            .and_then(|l| l.package_manager("npm"))
            .cloned();
        let project = |files: &[(&str, &str)]| {
            let (rd, sources) = repo("api", files);
            let code = Code::read(&rd, &sources);
            let mut diags = Diagnostics::default();
            let p = super::super::typescript::project(&code, &sources, npm.as_ref(), &mut diags);
            (p, diags)
        };
        let (p, _) = project(&[
            ("api/package.json", "{\"devDependencies\": {\"typescript\": \"5\"}}"),
            ("api/tsconfig.json", TS_CONFIG),
            ("api/src/server.ts", "app.listen(1)"),
        ]);
        let p = p.unwrap();
        assert_eq!(p.compile.as_ref().unwrap().command.value, "npx tsc -p tsconfig.json");
        assert_eq!(p.output_of("src/server.ts").as_deref(), Some("dist/server.js"));
        let (p, _) = project(&[
            (
                "api/package.json",
                "{\"scripts\": {\"build\": \"tsc -p tsconfig.build.json --outDir build\"}}",
            ),
            (
                "api/tsconfig.build.json",
                "{\"compilerOptions\": {\"outDir\": \"dist\"}}",
            ),
            ("api/src/main.mts", "app.listen(1)"),
            ("api/src/lib/db.ts", ""),
        ]);
        let p = p.unwrap();
        assert_eq!(p.output_of("src/main.mts").as_deref(), Some("build/main.mjs"));
        assert_eq!(p.output_of("src/lib/db.ts").as_deref(), Some("build/lib/db.js"));
        // No outDir and no rootDir: tsc writes beside the sources.
        let (p, _) = project(&[
            ("api/package.json", "{\"scripts\": {\"build\": \"tsc\"}}"),
            ("api/tsconfig.json", "{}"),
            ("api/src/index.ts", "app.listen(1)"),
        ]);
        let p = p.unwrap();
        assert_eq!(p.output_of("src/index.ts").as_deref(), Some("src/index.js"));
        let k = p.compile.unwrap();
        assert_eq!((k.output.value.as_str(), k.separate), ("src", false));
        // Nothing says how to compile: no build step.
        let (p, _) = project(&[("api/package.json", "{}"), ("api/src/index.ts", "app.listen(1)")]);
        assert!(p.unwrap().compile.is_none());
        // A tsconfig that does not parse is a diagnostic at its line, never a panic.
        let (p, diags) = project(&[
            ("api/package.json", "{\"scripts\": {\"build\": \"tsc\"}}"),
            (
                "api/tsconfig.json",
                "{\n  \"compilerOptions\": {\n    \"outDir\": \"dist\"\n    \"rootDir\": \"src\"\n  }\n}\n",
            ),
            ("api/src/index.ts", "app.listen(1)"),
        ]);
        let p = p.unwrap();
        assert!(p.tsconfig_broken && p.compile.is_none());
        let d = diags
            .iter()
            .find(|d| d.code == crate::diagnostics::Code::InvalidTsconfig)
            .expect("SP434");
        assert!(d.message.contains("api/tsconfig.json does not parse"), "{}", d.message);
    }

    /// A start script that runs the TypeScript itself (tsx, ts-node, a node loader) is the
    /// entry, compiled; `node dist/x.js` start scripts are honoured as before.
    #[test]
    fn ts_runner_start_scripts_run_compiled() {
        for start in [
            "tsx src/server.ts",
            "tsx watch src/server.ts",
            "ts-node --transpile-only ./src/server.ts",
            "node --import tsx src/server.ts",
            "node -r ts-node/register src/server.ts",
        ] {
            let pkg = format!("{{\"scripts\": {{\"start\": \"{start}\", \"build\": \"tsc\"}}}}");
            let files = [
                ("api/package.json", pkg.as_str()),
                ("api/tsconfig.json", TS_CONFIG),
                ("api/src/server.ts", "app.listen(3000)"),
            ];
            let e = entry_of("express", "api", &files).unwrap_or_else(|| panic!("{start}: no entry"));
            assert_eq!(e.target, "dist/server.js", "{start}");
            assert!(
                e.origin.text.contains("package.json scripts.start"),
                "{start}: {}",
                e.origin.text
            );
        }
        let files = [
            (
                "api/package.json",
                "{\"scripts\": {\"start\": \"node dist/server.js\", \"build\": \"tsc\"}}",
            ),
            ("api/tsconfig.json", TS_CONFIG),
            ("api/src/server.ts", "app.listen(3000)"),
        ];
        let e = entry_of("express", "api", &files).unwrap();
        assert_eq!(e.target, "dist/server.js");
        assert!(
            e.origin.text.ends_with("(package.json scripts.start)"),
            "{}",
            e.origin.text
        );
        // A TypeScript server nothing compiles has no entry (SP423 says what to add).
        let files = [("api/package.json", "{}"), ("api/src/server.ts", "app.listen(3000)")];
        assert!(entry_of("express", "api", &files).is_none());
    }

    #[test]
    fn node_and_go_entries() {
        let e = entry_of(
            "express",
            "api",
            &[
                ("api/package.json", "{\"scripts\": {\"start\": \"node src/server.js\"}}"),
                ("api/src/server.js", "app.listen(3001)\n"),
            ],
        )
        .unwrap();
        assert_eq!((e.kind, e.target.as_str()), (EntryKind::NodeScript, "src/server.js"));
        let e = entry_of(
            "express",
            "api",
            &[("api/package.json", "{}"), ("api/index.js", "app.listen(3001)\n")],
        )
        .unwrap();
        assert_eq!(e.target, "index.js");
        let e = entry_of(
            "go-http",
            "svc",
            &[
                ("svc/internal/x.go", "package x\n"),
                ("svc/cmd/api/main.go", "package main\n\nfunc main() {}\n"),
            ],
        )
        .unwrap();
        assert_eq!((e.kind, e.target.as_str()), (EntryKind::GoMain, "./cmd/api"));
        assert_eq!(
            entry_of("nextjs-standalone", "web", &[("web/package.json", "{}")]),
            None
        );
    }

    /// A worker whose own Dockerfile runs a command sp cannot take apart (`celery -A tasks
    /// worker`) runs it as written, not the catalog's `python -m app.worker`.
    #[test]
    fn a_worker_runs_its_own_command_as_written() {
        let files = [
            ("jobs/requirements.txt", "celery==5.4.0\n"),
            ("jobs/tasks.py", "from celery import Celery\napp = Celery(\"jobs\")\n"),
            (
                "jobs/Dockerfile",
                "FROM python:3.12-slim\nCMD [\"celery\", \"-A\", \"tasks\", \"worker\"]\n",
            ),
        ];
        let (rd, sources) = repo("jobs", &files);
        let stack = Catalog::builtin().get("python-worker").unwrap().clone();
        let code = Code::read(&rd, &sources);
        let e = entry(&code, &stack, &sources, None);
        assert!(e.is_none());
        let c = command(None, e.as_ref(), Some(&code), &stack, None, &sources);
        assert_eq!(c.value, ["celery", "-A", "tasks", "worker"]);
        assert_eq!(c.origin.text, "jobs/Dockerfile:2 (Dockerfile CMD)");
    }

    #[test]
    fn one_port_from_the_source_into_the_command() {
        let files = [
            ("api/requirements.txt", "fastapi\nuvicorn\n"),
            (
                "api/config.py",
                "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    port: int = 8001\n",
            ),
            ("api/main.py", APP),
            ("api/.env.example", "PORT=9999\n"),
        ];
        let (rd, sources) = repo("api", &files);
        let catalog = Catalog::builtin();
        let stack = catalog.get("fastapi").unwrap();
        let code = Code::read(&rd, &sources);
        let spec_src = sources_with_spec();
        let facts = Facts::collect(&spec_src.1, None, None);
        let mut diags = Diagnostics::default();
        let p = port(None, Some(&code), None, stack, "api", &sources, &facts, &mut diags).unwrap();
        assert_eq!(p.value, 8001, "the code's setting before .env.example");
        assert_eq!(p.origin.text, "api/config.py:3 (Settings field PORT)");
        let e = entry(&code, stack, &sources, None);
        let c = command(None, e.as_ref(), Some(&code), stack, Some(p.value), &sources);
        assert_eq!(
            c.value,
            [
                "uvicorn",
                "main:app",
                "--host",
                "0.0.0.0",
                "--port",
                "8001",
                "--proxy-headers"
            ]
        );
        // Prose that says otherwise is reported; the source wins.
        let prose = Some(Valued::new(8000, Origin::at("specs/001-x/spec.md", 3)));
        let p = port(None, Some(&code), prose, stack, "api", &sources, &facts, &mut diags).unwrap();
        assert_eq!(p.value, 8001);
        assert_eq!(
            diags.iter().map(|d| d.code).collect::<Vec<_>>(),
            vec![DiagCode::ProseContradictsSource]
        );
        // Typed input wins over everything; static sites keep nginx's port.
        let typed = Some(Valued::new(7000, Origin::derived("typed input")));
        assert_eq!(
            port(typed, Some(&code), None, stack, "api", &sources, &facts, &mut diags)
                .unwrap()
                .value,
            7000
        );
        let nginx = catalog.get("vite-spa").unwrap();
        assert_eq!(
            port(None, Some(&code), None, nginx, "web", &sources, &facts, &mut diags)
                .unwrap()
                .value,
            8080
        );
    }

    fn sources_with_spec() -> (Sources, crate::parse::spec::Spec) {
        let mut sources = Sources::default();
        let id = sources.add("specs/001-x/spec.md".into(), "# Feature Specification: X\n".into());
        let spec = crate::parse::spec::parse(sources.get(id), id, &mut Diagnostics::default());
        (sources, spec)
    }

    #[test]
    fn wsgi_uses_gunicorn_unless_only_uvicorn_is_installed() {
        let catalog = Catalog::builtin();
        let stack = catalog.get("python-service").unwrap();
        let flask = "from flask import Flask\nserver = Flask(__name__)\n";
        for (deps, first) in [("flask\ngunicorn\n", "gunicorn"), ("flask\nuvicorn\n", "uvicorn")] {
            let (rd, sources) = repo("api", &[("api/requirements.txt", deps), ("api/app.py", flask)]);
            let code = Code::read(&rd, &sources);
            let e = entry(&code, stack, &sources, None).unwrap();
            assert_eq!((e.kind, e.target.as_str()), (EntryKind::Wsgi, "app:server"));
            let c = command(None, Some(&e), Some(&code), stack, Some(5000), &sources);
            assert_eq!(c.value[0], first);
            assert!(c.value.iter().any(|a| a.contains("5000")));
        }
    }

    #[test]
    fn variables_become_secrets_config_and_build_arguments() {
        let files = [
            ("web/requirements.txt", ""),
            (
                "web/main.py",
                "import os\nDB = os.environ[\"DATABASE_URL\"]\nKEY = open(os.environ[\"OPENAI_API_KEY_FILE\"]).read()\nTIMEOUT = os.getenv(\"TIMEOUT\", \"5\")\nAUTH_URL = os.environ[\"AUTH_URL\"]\nSMTP_HOST = os.environ[\"SMTP_HOST\"]\nPORT = int(os.getenv(\"PORT\", \"8000\"))\n",
            ),
            (
                "web/ui.ts",
                "const api = process.env.NEXT_PUBLIC_API_URL;\nconst prod = process.env.NODE_ENV === 'production';\n",
            ),
        ];
        let (rd, sources) = repo("web", &files);
        let code = Code::read(&rd, &sources);
        let example = vec![
            (
                "NEXT_PUBLIC_API_URL".to_string(),
                "http://localhost:8000".to_string(),
                false,
                Origin::at("web/.env.example", 1),
            ),
            (
                "API_BASE".to_string(),
                "http://localhost:8000/v1".to_string(),
                false,
                Origin::at("web/.env.example", 2),
            ),
        ];
        let port = Valued::new(8000, Origin::derived("x"));
        let e = env(
            Some(&code),
            &example,
            Vec::new(),
            Vec::new(),
            "todo-secrets",
            None,
            Some(&port),
            &sources,
        );
        let secrets: Vec<(&str, SecretDelivery)> = e.secrets.iter().map(|s| (s.env.as_str(), s.delivery)).collect();
        assert_eq!(
            secrets,
            vec![
                ("DATABASE_URL", SecretDelivery::Env),
                ("OPENAI_API_KEY", SecretDelivery::File)
            ]
        );
        let config: Vec<(&str, &str)> = e.config.iter().map(|c| (c.name.as_str(), c.value.as_str())).collect();
        assert_eq!(config, vec![("PORT", "8000"), ("API_BASE", "http://localhost:8000/v1")]);
        assert_eq!(e.build_args.len(), 1);
        assert_eq!(e.build_args[0].value, "http://localhost:8000");
        // A constitution rule demanding files turns every secret into a file.
        let demanded = Origin::at("constitution.md", 9);
        let e2 = env(
            Some(&code),
            &[],
            Vec::new(),
            Vec::new(),
            "s",
            Some(&demanded),
            None,
            &sources,
        );
        assert!(e2.secrets.iter().all(|s| s.delivery == SecretDelivery::File));

        // After wiring: localhost that names another component is rewritten; a required
        // variable with no value is reported at its read.
        let mut d = fixture::deployment();
        let web = &mut d.components[0];
        web.config = e.config;
        web.secrets = e.secrets;
        web.env_reads = e.reads;
        web.build_args = e.build_args;
        web.config.push(ConfigValue {
            name: "SELF_URL".into(),
            value: "http://localhost:3000".into(),
            origin: Origin::at("web/.env.example", 3),
        });
        let mut diags = Diagnostics::default();
        deliver(&mut d.components, &d.backing_services, &mut diags);
        let web = &d.components[0];
        let api_base = web.config.iter().find(|c| c.name == "API_BASE").unwrap();
        assert_eq!(api_base.value, "http://api:8000/v1");
        assert!(
            api_base.origin.text.contains("rewritten to the api Service"),
            "{}",
            api_base.origin.text
        );
        let codes: Vec<(DiagCode, String)> = diags.iter().map(|d| (d.code, d.message.clone())).collect();
        assert_eq!(codes.len(), 2, "{codes:?}");
        assert_eq!(codes[0].0, DiagCode::LocalhostInCluster);
        assert!(codes[0].1.contains("SELF_URL"));
        assert_eq!(codes[1].0, DiagCode::MissingVariable);
        assert!(codes[1].1.contains("SMTP_HOST"));
        // The application's own URL, required and given by no input, is the component's
        // Service address.
        let own = web.config.iter().find(|c| c.name == "AUTH_URL").unwrap();
        assert_eq!(own.value, "http://web:3000");
        assert!(own.origin.text.contains("the `web` Service"), "{}", own.origin.text);
        let delivered: Vec<(&str, &str)> = web
            .env_reads
            .iter()
            .map(|r| (r.name.as_str(), r.delivered.as_str()))
            .collect();
        assert_eq!(
            delivered,
            vec![
                ("DATABASE_URL", "secret todo-secrets/DATABASE_URL"),
                ("OPENAI_API_KEY_FILE", "file of secret todo-secrets/OPENAI_API_KEY"),
                ("TIMEOUT", "code default"),
                ("AUTH_URL", "config"),
                ("SMTP_HOST", "missing"),
                ("PORT", "config"),
                ("NEXT_PUBLIC_API_URL", "build-arg"),
                ("NODE_ENV", "runtime"),
            ]
        );
    }

    #[test]
    fn the_applications_own_url_follows_its_ingress_host() {
        let files = [
            ("api/requirements.txt", "fastapi\n"),
            (
                "api/main.py",
                "import os\nSELF = os.environ[\"BETTER_AUTH_URL\"]\nOTHER = os.environ[\"API_BASE_URL\"]\n",
            ),
        ];
        let (rd, sources) = repo("api", &files);
        let code = Code::read(&rd, &sources);
        let e = env(Some(&code), &[], Vec::new(), Vec::new(), "s", None, None, &sources);
        let mut d = fixture::deployment();
        let api = &mut d.components[1];
        api.env_reads = e.reads;
        api.exposure.ingress_host = Some(Valued::new("todo.example.com".into(), Origin::at("plan-input.md", 4)));
        let mut diags = Diagnostics::default();
        deliver(&mut d.components, &d.backing_services, &mut diags);
        let api = &d.components[1];
        let own = api.config.iter().find(|c| c.name == "BETTER_AUTH_URL").unwrap();
        assert_eq!(own.value, "http://todo.example.com");
        assert!(own.origin.text.contains("Ingress host"), "{}", own.origin.text);
        // Another service's URL is never guessed: it stays missing and is reported.
        assert!(api.config.iter().all(|c| c.name != "API_BASE_URL"));
        let missing: Vec<&str> = diags
            .iter()
            .filter(|d| d.code == DiagCode::MissingVariable)
            .map(|d| d.message.as_str())
            .collect();
        assert!(missing.len() == 1 && missing[0].contains("API_BASE_URL"), "{missing:?}");
    }

    #[test]
    fn constitution_rules_that_demand_files() {
        let mut sources = Sources::default();
        let text = "# X Constitution\n\n## Core Principles\n\n### I. Secrets\n\n- Secrets MUST be mounted as files, never environment variables.\n";
        let id = sources.add("constitution.md".into(), text.into());
        let c = crate::parse::constitution::parse(sources.get(id), id, &mut Diagnostics::default());
        assert!(constitution_demands_files(Some(&c)).is_some());
        let text = "# X Constitution\n\n## Core Principles\n\n### I. Secrets\n\n- Secrets MUST come from Secrets, through `secretKeyRef` or mounted files.\n";
        let id = sources.add("constitution.md".into(), text.into());
        let c = crate::parse::constitution::parse(sources.get(id), id, &mut Diagnostics::default());
        assert!(constitution_demands_files(Some(&c)).is_none());
    }
}
