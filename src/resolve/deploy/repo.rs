//! What a component's folder says about it: stack variant, language version, package
//! manager, configuration keys and health routes.

use crate::catalog::Stack;
use crate::load::repo::{RepoDir, TeamImage};
use crate::model::Origin;
use crate::model::deploy::Valued;
use crate::source::Sources;

use super::prose::is_secret_name;

pub struct Detected {
    pub stack_hint: Option<Valued<String>>,
    pub language_version: Option<Valued<String>>,
    /// The version the team's own image runs (its Dockerfile's `FROM python:3.11-slim`), also
    /// when a version file states a range (`requires-python = ">=3.10"`) and so won above:
    /// within that range it is the version to build on.
    pub image_version: Option<Valued<String>>,
    pub package_manager: Option<Valued<String>>,
    /// A lock file that would select a package manager that does not install the folder
    /// (uv.lock beside a pyproject.toml without `[project]`, or whose dependencies lack what
    /// the team's image installs from requirements.txt).
    pub unusable_lock: Option<UnusableLock>,
    /// `.env.example` keys: (name, example value, is secret).
    pub env: Vec<(String, String, bool, Origin)>,
    pub health: Option<Valued<String>>,
    pub readiness: Option<Valued<String>>,
}

/// A lock file left unused: its name in the folder, the package manager it would select, and
/// why that manager does not install the folder.
pub struct UnusableLock {
    pub lock: String,
    pub manager: String,
    pub why: Unused,
}

pub enum Unused {
    /// The folder lacks the line the manager needs (`[project]` of pyproject.toml).
    Lacks(crate::catalog::RequiredLine),
    /// The team's image installs requirements.txt with pip, and pyproject.toml's
    /// `[project] dependencies` lack some of what it lists: the code runs with those.
    TeamInstalls {
        /// The Dockerfile line that installs it.
        at: Origin,
        /// The distributions pyproject.toml lacks, normalised names.
        missing: Vec<String>,
    },
}

fn file<'a>(dir: &RepoDir, sources: &'a Sources, name: &str) -> Option<(&'a str, String)> {
    dir.files.get(name).map(|id| {
        let f = sources.get(*id);
        (f.text.as_str(), f.display_path())
    })
}

/// The requirements file the team's own image installs when it is not the folder's
/// requirements.txt (`COPY src/requirements.txt .` in backend/Dockerfile), with the line
/// that copies it: what the code was run with, so the image installs it when the folder's
/// requirements.txt installs nothing ([`installs_nothing`]). Both the stack's detection and
/// the install (`install::lockfile`) read it in place of that requirements.txt.
pub fn team_requirements(dir: &RepoDir, sources: &Sources) -> Option<Valued<String>> {
    // Cheap refusals first: detection asks for every manifest of every folder.
    let another = dir.files.keys().any(|k| k != "requirements.txt" && k.ends_with(".txt"));
    if !another || !installs_nothing(dir, sources) {
        return None;
    }
    let dockerfile = team_dockerfile(dir, sources)?;
    let text = &sources.get(*dir.files.get(&dockerfile)?).text;
    crate::load::repo::copied_requirements(text, &dir.path)
        .into_iter()
        .find(|(file, _)| dir.files.contains_key(file))
        .map(|(file, line)| {
            let at = Origin::at(&dir.path_of(&dockerfile), line);
            let origin = Origin {
                text: format!(
                    "{} (the team's image installs it; {} installs nothing)",
                    at.text,
                    dir.path_of("requirements.txt")
                ),
                ..at
            };
            Valued::new(file, origin)
        })
}

/// The line of the team's image's Dockerfile that installs requirements.txt with pip
/// (`RUN pip install --no-cache-dir -r requirements.txt`), when that image does not use uv.
fn team_pip_install(dir: &RepoDir, sources: &Sources, dockerfile: &str) -> Option<Origin> {
    if !dir.files.contains_key("requirements.txt") {
        return None;
    }
    let text = &sources.get(*dir.files.get(dockerfile)?).text;
    if text.contains("uv sync") || text.contains("uv pip") {
        return None;
    }
    let line = text.lines().position(|l| {
        l.contains("pip install")
            && l.split_whitespace()
                .any(|w| w.trim_start_matches("./").trim_start_matches("/app/") == "requirements.txt")
    })?;
    Some(Origin::at(&dir.path_of(dockerfile), line + 1))
}

/// Whether the folder has a requirements.txt with no line pip acts on (only comments: "No
/// external dependencies needed").
fn installs_nothing(dir: &RepoDir, sources: &Sources) -> bool {
    dir.files.get("requirements.txt").is_some_and(|id| {
        sources
            .get(*id)
            .text
            .lines()
            .map(super::install::requirement_text)
            .all(|l| l.is_empty() || l.starts_with('#'))
    })
}

/// The file detection reads as the folder's manifest `name`: itself, except that an empty
/// requirements.txt stands for the requirements the team's image installs
/// ([`team_requirements`]), so the stack, the framework and the dependencies are those the
/// code runs with.
pub fn manifest(dir: &RepoDir, sources: &Sources, name: &str) -> Option<crate::source::SourceId> {
    match name {
        "requirements.txt" => team_requirements(dir, sources)
            .and_then(|t| dir.files.get(&t.value).copied())
            .or_else(|| dir.files.get(name).copied()),
        _ => dir.files.get(name).copied(),
    }
}

/// Which of a folder's Dockerfiles builds the team's own image, whose `CMD`, `EXPOSE` and
/// `FROM` tag are facts about the component: the one a root compose file's service building
/// the folder names (`build: {context: ./api, dockerfile: Dockerfile.prod}`,
/// `{context: ., dockerfile: api/Dockerfile.prod}`, or one folder down,
/// `{context: ./api, dockerfile: docker/Dockerfile}`), after the one the team's build
/// scripts name (`docker build -f api/Dockerfile.prod api`), else `Dockerfile`, else
/// `Dockerfile.prod` or `Dockerfile.production`. Never another variant alone, nor a
/// script's development one: `Dockerfile.dev` runs a development server
/// (`uvicorn --reload`, `next dev`).
pub fn team_dockerfile(dir: &RepoDir, sources: &Sources) -> Option<String> {
    // The image a script builds, when the component is that image ([`with_image`]).
    let scripted = dir.images.iter().find_map(|i| {
        let path = sources.get(i.dockerfile).display_path();
        dir.files.contains_key(&path).then_some(path)
    });
    if scripted.is_some() {
        return scripted;
    }
    // The one Dockerfile of the folder the team's scripts build it with
    // (`-f backend/Dockerfile.prod backend`): what they deploy, before compose's file, which
    // is often the development one. Two different choices leave it to compose and the names.
    let mut chosen: Vec<&str> = dir
        .built_with
        .iter()
        .map(|b| b.name.as_str())
        .filter(|n| dir.files.contains_key(*n) && !for_development(n))
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    if let [only] = chosen.as_slice() {
        return Some(only.to_string());
    }
    let named = dir.compose.iter().find_map(|id| {
        crate::parse::source::container::compose(&sources.get(*id).text, *id)
            .into_iter()
            .find_map(|s| {
                s.builds(&dir.path)
                    .then(|| s.dockerfile_in(&dir.path).map(str::to_string))
                    .flatten()
            })
    });
    match named {
        Some(name) => dir.files.contains_key(&name).then_some(name),
        None => ["Dockerfile", "Dockerfile.prod", "Dockerfile.production"]
            .into_iter()
            .find(|n| dir.files.contains_key(*n))
            .map(str::to_string),
    }
}

/// Whether a Dockerfile's name says it is for development or tests (`Dockerfile.dev`,
/// `docker/dev.Dockerfile`, `Dockerfile.test`): not the image a deployment runs.
fn for_development(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.split(['.', '-', '_'])
        .any(|w| ["dev", "development", "test", "tests", "local", "debug"].contains(&w.to_ascii_lowercase().as_str()))
}

/// The image of `dir` a script builds under the component's name (`mcp` or `ai-todo-mcp`
/// for `mcp-server`), when exactly one is.
pub fn image_named<'a>(dir: &'a RepoDir, component: &str) -> Option<&'a TeamImage> {
    match dir
        .images
        .iter()
        .filter(|i| i.names.iter().any(|n| names_component(n, component)))
        .collect::<Vec<_>>()
        .as_slice()
    {
        [only] => Some(only),
        _ => None,
    }
}

/// The one image of the whole repository a script builds under the component's name, with
/// the folder it builds.
pub fn image_anywhere<'a>(repo: &'a [RepoDir], component: &str) -> Option<(&'a RepoDir, &'a TeamImage)> {
    let all: Vec<(&RepoDir, &TeamImage)> = repo
        .iter()
        .filter_map(|d| image_named(d, component).map(|i| (d, i)))
        .collect();
    match all.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// Whether an image's name is a component's: the same words (`-`, `_` and `.` separate
/// them), the image's words beginning the component's (`mcp` for `mcp-server`), or ending
/// with them (`ai-todo-backend` for `backend`).
fn names_component(image: &str, component: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(['-', '_', '.'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (i, c) = (words(image), words(component));
    !i.is_empty() && !c.is_empty() && (c.starts_with(&i) || i.ends_with(&c))
}

/// The folder as the component `image` builds it sees it: the image's Dockerfile is the
/// team's ([`team_dockerfile`]), the folder's own Dockerfiles are another image's.
pub fn with_image(dir: &RepoDir, image: &TeamImage, sources: &Sources) -> RepoDir {
    let mut view = dir.clone();
    view.images = vec![image.clone()];
    view.files
        .insert(sources.get(image.dockerfile).display_path(), image.dockerfile);
    view
}

/// Where a script builds the image, as an origin's text: `deployment/build-images.sh:35`.
pub fn image_origin(image: &TeamImage, sources: &Sources) -> String {
    format!("{}:{}", sources.get(image.script).display_path(), image.line)
}

/// Whether a file of the folder is a Dockerfile other than the team's image
/// ([`team_dockerfile`]): its facts are not the component's.
pub fn is_other_dockerfile(name: &str, team: Option<&str>) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    crate::catalog::is_dockerfile_name(base) && team != Some(name)
}

/// Line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map(|i| text[..i].matches('\n').count() + 1)
        .unwrap_or(1)
}

/// The stack's `runtime_packages` this folder needs (its trigger file is there), each with the
/// file that needs it: `Ok` when the manifest lists the package, `Err` (the package, the file)
/// when it does not (no install has it to copy, and the process fails at start).
pub fn runtime_packages(
    dir: &RepoDir,
    sources: &Sources,
    stack: &Stack,
) -> Vec<Result<Valued<String>, (String, String)>> {
    let manifest: serde_json::Value = file(dir, sources, "package.json")
        .and_then(|(text, _)| serde_json::from_str(text).ok())
        .unwrap_or_default();
    stack
        .runtime_packages
        .iter()
        .filter(|p| !p.unless.iter().any(|u| dir.files.contains_key(u)))
        .filter_map(|p| {
            let (_, path) = file(dir, sources, &p.file)?;
            let listed = ["dependencies", "devDependencies", "optionalDependencies"]
                .iter()
                .any(|k| manifest[k].get(&p.package).is_some());
            Some(if listed {
                Ok(Valued::new(p.package.clone(), Origin::at(&path, 1)))
            } else {
                Err((p.package.clone(), path))
            })
        })
        .collect()
}

/// The first detection rule of `stack` whose file the folder has without the text the rule
/// requires: (the file's path, what it lacks). A stack set by hand over such a file builds an
/// image whose COPY of the build's output fails.
pub fn missing_setting(dir: &RepoDir, sources: &Sources, stack: &Stack) -> Option<(String, String)> {
    stack.detect.iter().filter(|r| !r.contains.is_empty()).find_map(|rule| {
        let (_, path, holds) = rule_file(dir, sources, rule)?;
        (!holds).then(|| (path, rule.contains[0].clone()))
    })
}

/// The first of a detection rule's files the folder has: its text, its path, and whether it
/// holds one of the rule's texts (whitespace ignored; true when the rule requires none).
fn rule_file<'a>(
    dir: &RepoDir,
    sources: &'a Sources,
    rule: &crate::catalog::Detect,
) -> Option<(&'a str, String, bool)> {
    let (text, path) = rule.files.iter().find_map(|name| {
        let f = sources.get(manifest(dir, sources, name)?);
        Some((f.text.as_str(), f.display_path()))
    })?;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let holds = rule.contains.is_empty() || rule.contains.iter().any(|c| compact.contains(c.as_str()));
    Some((text, path, holds))
}

pub fn detect(dir: &RepoDir, sources: &Sources, stack: Option<&Stack>) -> Detected {
    let mut d = Detected {
        stack_hint: None,
        language_version: None,
        image_version: None,
        package_manager: None,
        unusable_lock: None,
        env: Vec::new(),
        health: None,
        readiness: None,
    };

    let catalog = crate::catalog::Catalog::shared();

    // The stack variant its files show (`output: 'export'` in next.config makes a static
    // export), tried in catalog order within the language of the stack named so far.
    d.stack_hint = catalog
        .stacks
        .iter()
        .filter(|s| stack.is_none_or(|named| named.language == s.language))
        .flat_map(|s| s.detect.iter().map(move |rule| (s, rule)))
        .find_map(|(s, rule)| {
            let (text, path, holds) = rule_file(dir, sources, rule)?;
            let line = rule.line_of.as_deref().map_or(1, |w| line_of(text, w));
            holds.then(|| Valued::new(s.id.clone(), Origin::at(&path, line)))
        });

    // The languages to look at: the stack's, or every one.
    let languages: Vec<&crate::catalog::Language> = catalog
        .languages
        .iter()
        .filter(|l| stack.is_none_or(|s| s.language == l.id))
        .collect();

    // The team's own image's Dockerfile: how it installs, and the version it builds on.
    let team = team_dockerfile(dir, sources);

    // Package manager: the lock file is the truth.
    let pm = languages.iter().flat_map(|l| &l.package_managers).find_map(|pm| {
        let lock = pm.detect.iter().find(|f| dir.has(f))?;
        if let Some(r) = &pm.requires
            && !file(dir, sources, &r.file).is_some_and(|(text, _)| text.lines().any(|l| l.trim() == r.line))
        {
            d.unusable_lock.get_or_insert_with(|| UnusableLock {
                lock: lock.clone(),
                manager: pm.id.clone(),
                why: Unused::Lacks(r.clone()),
            });
            return None;
        }
        // uv installs pyproject.toml's dependencies; a team whose image installs
        // requirements.txt instead, where the code's imports are (`slowapi` only there),
        // would get an image that stops at start.
        if pm.id == "uv"
            && let Some(at) = team.as_deref().and_then(|t| team_pip_install(dir, sources, t))
        {
            let missing = super::install::missing_from_project(dir, sources);
            if !missing.is_empty() {
                d.unusable_lock.get_or_insert_with(|| UnusableLock {
                    lock: lock.clone(),
                    manager: pm.id.clone(),
                    why: Unused::TeamInstalls { at, missing },
                });
                return None;
            }
        }
        Some((pm.id.clone(), dir.path_of(lock)))
    });
    if let Some((pm, path)) = pm
        && stack.is_none_or(|s| s.package_managers.contains(&pm))
    {
        d.package_manager = Some(Valued::new(pm, Origin::at(&path, 1)));
    }

    // Language version. A `FROM` tag is read from the team's own image's Dockerfile.
    for vf in languages.iter().flat_map(|l| &l.version_files) {
        let name = match vf.read {
            crate::catalog::VersionReader::DockerfileFrom => team.as_deref().unwrap_or(&vf.file),
            _ => &vf.file,
        };
        if let Some((text, path)) = file(dir, sources, name)
            && let Some(v) = vf.version_in(text)
        {
            let needle = vf.needle(text, &v);
            let found = Valued::new(v, Origin::at(&path, line_of(text, &needle)));
            if vf.read == crate::catalog::VersionReader::DockerfileFrom {
                d.image_version.get_or_insert_with(|| found.clone());
            }
            d.language_version.get_or_insert(found);
        }
    }

    // Configuration keys from .env.example.
    if let Some((text, path)) = file(dir, sources, ".env.example") {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            if let Some((k, v)) = line.split_once('=') {
                let k = k.trim();
                if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !k.is_empty() {
                    let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
                    d.env
                        .push((k.to_string(), v, is_secret_name(k), Origin::at(&path, i + 1)));
                }
            }
        }
    }

    // Health routes declared in the source: first as the routes are mounted (a router's
    // `/health` included under `/api` is served at `/api/health`, and `/api/health` is no
    // `/health`), then, for what the route readers do not read, by the literal path.
    let (health, readiness) = declared_health(dir, sources);
    d.health = health;
    d.readiness = readiness;
    for id in &dir.sources {
        let f = sources.get(*id);
        // Next.js route handlers take their path from the folder (`app/api/health/route.ts`).
        if f.display_path().contains("health/route.")
            && let Some(route) = next_route(&f.display_path(), &dir.path)
        {
            d.health
                .get_or_insert(Valued::new(route, Origin::at(&f.display_path(), 1)));
            continue;
        }
        for (needle, ready) in [
            ("\"/healthz\"", false),
            ("'/healthz'", false),
            ("\"/health\"", false),
            ("'/health'", false),
            ("\"/readyz\"", true),
            ("'/readyz'", true),
            ("\"/ready\"", true),
        ] {
            if let Some(i) = f.text.find(needle) {
                let path = needle.trim_matches(['"', '\'']).to_string();
                let v = Valued::new(path, Origin::at(&f.display_path(), f.line_of(i)));
                if ready {
                    d.readiness.get_or_insert(v);
                } else {
                    d.health.get_or_insert(v);
                }
            }
        }
    }
    d
}

/// The GET routes without parameters whose last segment names a health check
/// (`health`, `healthz`, `livez`; readiness: `ready`, `readyz`, `readiness`), shortest path
/// first, among the routes of the folder's source as they are mounted.
fn declared_health(dir: &RepoDir, sources: &Sources) -> (Option<Valued<String>>, Option<Valued<String>>) {
    let files: Vec<(String, &str)> = dir
        .sources
        .iter()
        .map(|id| sources.get(*id))
        .map(|f| (f.display_path(), f.text.as_str()))
        .filter(|(path, text)| crate::parse::routes::declares_routes(path, text))
        .collect();
    // Most folders have no such route; reading every route of the folder is for those that do.
    if !files
        .iter()
        .any(|(_, t)| t.contains("health") || t.contains("ready") || t.contains("livez"))
    {
        return (None, None);
    }
    let routes = crate::parse::routes::parse(&files);
    let pick = |names: &[&str]| {
        routes
            .iter()
            .filter(|r| r.method == "GET" && r.params.is_empty())
            .filter(|r| names.contains(&r.path.rsplit('/').next().unwrap_or("")))
            .min_by_key(|r| r.path.len())
            .map(|r| Valued::new(r.path.clone(), Origin::at(&r.file, r.line)))
    };
    (
        pick(&["health", "healthz", "livez"]),
        pick(&["ready", "readyz", "readiness"]),
    )
}

/// The URL path of a Next.js App Router handler: `web/app/api/health/route.ts` → `/api/health`
/// (route groups in parentheses do not appear in the URL).
fn next_route(file: &str, dir: &str) -> Option<String> {
    let rel = if dir == "." {
        file
    } else {
        file.strip_prefix(dir)?.trim_start_matches('/')
    };
    let rel = rel.strip_prefix("src/").unwrap_or(rel);
    let inner = rel.strip_prefix("app/")?;
    let (folder, name) = inner.rsplit_once('/')?;
    if !name.starts_with("route.") {
        return None;
    }
    let path: Vec<&str> = folder
        .split('/')
        .filter(|seg| !(seg.starts_with('(') && seg.ends_with(')')))
        .collect();
    Some(format!("/{}", path.join("/")))
}

#[cfg(test)]
mod tests {
    use super::{detect, names_component, next_route, runtime_packages, team_dockerfile};

    #[test]
    fn an_image_name_is_a_component_name_by_its_words() {
        for (image, component) in [
            ("backend", "backend"),
            ("mcp", "mcp-server"),
            ("ai-todo-backend", "backend"),
            ("todo_api", "api"),
            ("MCP", "mcp-server"),
        ] {
            assert!(names_component(image, component), "{image} {component}");
        }
        for (image, component) in [
            ("ai-todo-mcp", "mcp-server"),
            ("server", "mcp-server"),
            ("backend-worker", "backend"),
            ("frontend", "backend"),
            ("", "backend"),
        ] {
            assert!(!names_component(image, component), "{image} {component}");
        }
    }
    use crate::catalog::Catalog;
    use crate::load::repo::RepoDir;
    use crate::source::Sources;

    /// A `web/` folder holding `files` (name, text), all read.
    fn web(files: &[(&str, &str)]) -> (RepoDir, Sources) {
        let mut sources = Sources::default();
        let mut dir = RepoDir {
            path: "web".into(),
            ..Default::default()
        };
        for (name, text) in files {
            let id = sources.add(format!("web/{name}").into(), text.to_string());
            dir.files.insert(name.to_string(), id);
        }
        (dir, sources)
    }

    fn hint(files: &[(&str, &str)]) -> Option<(String, String)> {
        let (dir, sources) = web(files);
        let catalog = Catalog::builtin();
        detect(&dir, &sources, catalog.get("nextjs-standalone"))
            .stack_hint
            .map(|h| (h.value, h.origin.text))
    }

    const NEXT: &str = "{\n  \"dependencies\": {\n    \"next\": \"16.1.5\"\n  }\n}\n";

    #[test]
    fn the_next_config_output_picks_the_next_stack() {
        let config = |body: &str| format!("const nextConfig = {{\n  {body}\n}};\nexport default nextConfig;\n");
        let standalone = config("output: 'standalone',");
        let export = config("output: \"export\",");
        let neither = config("reactStrictMode: true,");
        assert_eq!(
            hint(&[("package.json", NEXT), ("next.config.mjs", &standalone)]),
            Some(("nextjs-standalone".into(), "web/next.config.mjs:2".into()))
        );
        assert_eq!(
            hint(&[("package.json", NEXT), ("next.config.ts", &export)]),
            Some(("nextjs-static".into(), "web/next.config.ts:2".into()))
        );
        assert_eq!(
            hint(&[("package.json", NEXT), ("next.config.js", &neither)]),
            Some(("nextjs-start".into(), "web/next.config.js:1".into()))
        );
        // Two configs: Next.js reads next.config.js before next.config.mjs and .ts.
        assert_eq!(
            hint(&[
                ("package.json", NEXT),
                ("next.config.js", &standalone),
                ("next.config.ts", &neither)
            ]),
            Some(("nextjs-standalone".into(), "web/next.config.js:2".into()))
        );
        assert_eq!(
            hint(&[
                ("package.json", NEXT),
                ("next.config.mjs", &neither),
                ("next.config.ts", &export)
            ]),
            Some(("nextjs-start".into(), "web/next.config.mjs:1".into()))
        );
        // No config at all: the dependency says Next.js, and nothing asks for standalone.
        assert_eq!(
            hint(&[("package.json", NEXT)]),
            Some(("nextjs-start".into(), "web/package.json:3".into()))
        );
        // Another Node app is no Next.js app.
        assert_eq!(
            hint(&[("package.json", "{\"dependencies\": {\"express\": \"5\"}}")]),
            None
        );
    }

    #[test]
    fn typescript_stays_in_the_runtime_for_a_typescript_config() {
        let start = Catalog::builtin().get("nextjs-start").unwrap().clone();
        let with_ts = "{\"dependencies\": {\"next\": \"16\"}, \"devDependencies\": {\"typescript\": \"5\"}}";
        let (dir, sources) = web(&[("package.json", with_ts), ("next.config.ts", "export default {};\n")]);
        let got: Vec<String> = runtime_packages(&dir, &sources, &start)
            .into_iter()
            .map(|p| p.unwrap().value)
            .collect();
        assert_eq!(got, ["typescript"]);
        // A JavaScript config needs no compiler.
        let (dir, sources) = web(&[("package.json", with_ts), ("next.config.mjs", "export default {};\n")]);
        assert!(runtime_packages(&dir, &sources, &start).is_empty());
        // Beside a next.config.js, the TypeScript config is not the one Next.js reads.
        let (dir, sources) = web(&[
            ("package.json", NEXT),
            ("next.config.js", "module.exports = {};\n"),
            ("next.config.ts", "export default {};\n"),
        ]);
        assert!(runtime_packages(&dir, &sources, &start).is_empty());
        // A package the manifest lacks is in no install to copy from: reported.
        let (dir, sources) = web(&[("package.json", NEXT), ("next.config.ts", "export default {};\n")]);
        let missing = runtime_packages(&dir, &sources, &start).pop().unwrap().unwrap_err();
        assert_eq!(missing, ("typescript".to_string(), "web/next.config.ts".to_string()));
    }

    #[test]
    fn next_route_paths() {
        assert_eq!(
            next_route("web/app/api/health/route.ts", "web").as_deref(),
            Some("/api/health")
        );
        assert_eq!(
            next_route("web/src/app/(ops)/healthz/route.js", "web").as_deref(),
            Some("/healthz")
        );
        assert_eq!(next_route("web/lib/health.ts", "web"), None);
    }

    #[test]
    fn the_team_s_image_is_its_dockerfile_else_its_production_variant() {
        let dev = ("Dockerfile.dev", "FROM node:24\nCMD [\"npm\", \"run\", \"dev\"]\n");
        let prod = ("Dockerfile.prod", "FROM node:22\n");
        let plain = ("Dockerfile", "FROM node:20\n");
        let (d, s) = web(&[dev, prod, plain]);
        assert_eq!(team_dockerfile(&d, &s).as_deref(), Some("Dockerfile"));
        let (d, s) = web(&[dev, prod]);
        assert_eq!(team_dockerfile(&d, &s).as_deref(), Some("Dockerfile.prod"));
        // A development image alone is not how the component runs.
        let (d, s) = web(&[dev]);
        assert_eq!(team_dockerfile(&d, &s), None);
        let (d, s) = web(&[]);
        assert_eq!(team_dockerfile(&d, &s), None);
    }

    /// A build script's choice of a Dockerfile in the folder comes before compose's and the
    /// names; two different choices, or a development one, decide nothing.
    #[test]
    fn a_build_script_names_the_team_s_image_before_compose() {
        let files = [
            ("Dockerfile", "FROM node:20\n"),
            ("Dockerfile.prod", "FROM node:22\n"),
            ("Dockerfile.dev", "FROM node:24\n"),
            ("Dockerfile.k8s", "FROM node:22\n"),
        ];
        let compose = "services:\n  site:\n    build: {context: ./web, dockerfile: Dockerfile.prod}\n";
        for (chosen, team) in [
            (&["Dockerfile.k8s"][..], "Dockerfile.k8s"),
            (&["Dockerfile.k8s", "Dockerfile.dev"][..], "Dockerfile.k8s"),
            (&["Dockerfile.k8s", "Dockerfile.prod"][..], "Dockerfile.prod"),
            (&["Dockerfile.dev"][..], "Dockerfile.prod"),
            (&["Dockerfile.missing"][..], "Dockerfile.prod"),
        ] {
            let (mut d, mut s) = web(&files);
            d.compose.push(s.add("docker-compose.yml".into(), compose.to_string()));
            let script = s.add("build.sh".into(), String::new());
            d.built_with = chosen
                .iter()
                .map(|n| crate::load::repo::BuiltWith {
                    name: n.to_string(),
                    script,
                    line: 1,
                })
                .collect();
            assert_eq!(team_dockerfile(&d, &s).as_deref(), Some(team), "{chosen:?}");
        }
        for name in [
            "Dockerfile.dev",
            "dev.Dockerfile",
            "docker/Dockerfile.test",
            "Dockerfile-local",
        ] {
            assert!(super::for_development(name), "{name}");
        }
        for name in [
            "Dockerfile.prod",
            "Dockerfile.k8s",
            "docker/devops/Dockerfile",
            "Dockerfile.device",
        ] {
            assert!(!super::for_development(name), "{name}");
        }
    }

    #[test]
    fn a_compose_build_names_the_team_s_image_from_its_context_or_the_root() {
        let files = [("Dockerfile", "FROM node:20\n"), ("Dockerfile.prod", "FROM node:22\n")];
        for compose in [
            "services:\n  site:\n    build:\n      context: ./web\n      dockerfile: Dockerfile.prod\n",
            "services:\n  site:\n    build:\n      context: .\n      dockerfile: web/Dockerfile.prod\n",
        ] {
            let (mut d, mut s) = web(&files);
            d.compose.push(s.add("docker-compose.yml".into(), compose.to_string()));
            assert_eq!(team_dockerfile(&d, &s).as_deref(), Some("Dockerfile.prod"), "{compose}");
        }
        // One folder down, and a `<name>.Dockerfile`, from the context or from the root.
        let files = [
            ("Dockerfile", "FROM node:20\n"),
            ("docker/Dockerfile", "FROM node:22\n"),
            ("web.Dockerfile", "FROM node:24\n"),
        ];
        for (compose, team) in [
            (
                "services:\n  site:\n    build:\n      context: ./web\n      dockerfile: docker/Dockerfile\n",
                "docker/Dockerfile",
            ),
            (
                "services:\n  site:\n    build:\n      context: .\n      dockerfile: web/docker/Dockerfile\n",
                "docker/Dockerfile",
            ),
            (
                "services:\n  site:\n    build: {context: ./web, dockerfile: web.Dockerfile}\n",
                "web.Dockerfile",
            ),
        ] {
            let (mut d, mut s) = web(&files);
            d.compose.push(s.add("docker-compose.yml".into(), compose.to_string()));
            assert_eq!(team_dockerfile(&d, &s).as_deref(), Some(team), "{compose}");
            // The other Dockerfiles say nothing about how the component runs.
            for other in ["Dockerfile", "docker/Dockerfile", "web.Dockerfile"] {
                assert_eq!(super::is_other_dockerfile(other, Some(team)), other != team, "{other}");
            }
        }
    }
}
