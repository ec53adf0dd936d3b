//! Which components a feature deploys.
//!
//! In order: the components the typed input and the stack lines name (`Frontend: Next.js`),
//! then the roles the Technical Context gives (`Python 3.13 (backend, MCP server)`, or one
//! language with `Project Type: Web backend`), and only then, for a feature about
//! deployment, the repository's own folders (`frontend/`, `backend/`, `api/`, `web/`,
//! `apps/*`, `services/*`, a project at the root) by their manifests and lock files. A
//! deployment feature that still finds nothing says so (`SP409`) and names what it looked
//! for; it never ends silently without deployables.

use crate::catalog::DependencyFormat;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::repo::{ForeignDir, RepoDir};
use crate::model::deploy::Role;
use crate::model::{Origin, StackLine};
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::PlanInput;
use crate::parse::spec::Spec;
use crate::source::{Sources, Span};

use super::input::DeployInput;
use super::prose::has_word;
use super::{DeployInputs, role_of, slug};

/// Words that make a feature a deployment feature when its spec or plan input uses them.
const DEPLOYMENT_WORDS: &[&str] = &[
    "docker",
    "dockerfile",
    "dockerfiles",
    "docker-compose",
    "container",
    "containers",
    "containerize",
    "containerized",
    "containerise",
    "containerised",
    "containerization",
    "containerisation",
    "kubernetes",
    "k8s",
    "helm",
    "minikube",
    "kubectl",
    "pods",
];

/// Why a feature counts as a deployment feature: the word and where it is written.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub word: String,
    pub origin: Origin,
    pub span: Option<Span>,
}

/// Where [`is_deployment_feature`] looks, in order, for the sentence saying why nothing was
/// found.
pub const LOOKED_AT: &str = "the spec (title, input line, user stories, requirements), the plan input, or a constitution principle naming the feature";

/// Whether the feature is about deployment: its spec (title, input line, user stories,
/// requirements), its plan input, or a principle of the constitution that names the feature
/// talks about containers, Kubernetes, Helm or Docker. The first such mention is the
/// evidence. A constitution principle that does not name the feature speaks for the whole
/// project, not for this feature, so it decides nothing.
pub fn is_deployment_feature(
    spec: &Spec,
    plan_input: Option<&PlanInput>,
    constitution: Option<&Constitution>,
    feature: &str,
) -> Option<Evidence> {
    let word_in = |text: &str| {
        let lower = text.to_lowercase();
        DEPLOYMENT_WORDS
            .iter()
            .find(|w| has_word(&lower, w))
            .map(|w| w.to_string())
    };
    let found =
        |text: &str, origin: Origin, span: Option<Span>| word_in(text).map(|word| Evidence { word, origin, span });
    let title = found(
        &spec.title,
        Origin::derived(format!("the title of {}", spec.path)),
        None,
    );
    let input = spec
        .input
        .as_deref()
        .and_then(|i| found(i, Origin::derived(format!("the input line of {}", spec.path)), None));
    let planned = plan_input.and_then(|p| {
        p.entries
            .iter()
            .map(|e| (format!("{}: {}", e.key, e.value), e.line, Some(e.span.clone())))
            .chain(
                p.free_text
                    .iter()
                    .map(|f| (f.text.clone(), f.line, Some(f.span.clone()))),
            )
            .chain(
                p.decisions
                    .iter()
                    .map(|d| (format!("{} {}", d.title, d.decision), d.line, Some(d.span.clone()))),
            )
            .find_map(|(text, line, span)| found(&text, Origin::at(&p.path, line), span))
    });
    let constituted = || {
        let c = constitution?;
        let name = feature.to_lowercase();
        c.principles.iter().find_map(|p| {
            let text = std::iter::once(p.title.as_str())
                .chain(std::iter::once(p.summary.as_str()))
                .chain(p.rules.iter().map(|r| r.text.as_str()))
                .collect::<Vec<_>>()
                .join(" ");
            if !text.to_lowercase().contains(&name) {
                return None;
            }
            found(&text, Origin::at(&c.path, p.line), None)
        })
    };
    let stories = || {
        spec.stories.iter().find_map(|s| {
            found(
                &format!("{} {}", s.title, s.narrative),
                Origin::at(&spec.path, s.line),
                None,
            )
        })
    };
    let requirements = || {
        spec.requirements
            .iter()
            .find_map(|r| found(&r.text, Origin::at(&spec.path, r.line), r.span.clone()))
    };
    title
        .or(input)
        .or(planned)
        .or_else(constituted)
        .or_else(stories)
        .or_else(requirements)
}

/// A component the feature deploys, before its values are resolved.
pub struct Named {
    pub name: String,
    /// The stack line that names it (for a discovered folder, one made from its manifest).
    pub line: Option<StackLine>,
    /// The folder discovery found it in, when no input names it.
    pub dir: Option<String>,
}

/// The components of the feature, typed input first. `None` of them and a deployment
/// feature: the repository's folders; still none, a warning saying what was looked for.
/// The flag says whether discovery found them (it reports the folders it leaves itself).
pub fn components(
    cx: &DeployInputs,
    typed: &DeployInput,
    evidence: Option<&Evidence>,
    diags: &mut Diagnostics,
) -> (Vec<Named>, bool) {
    let mut names: Vec<Named> = Vec::new();
    let take = |line: &StackLine, names: &mut Vec<Named>| {
        if let Some(role) = role_of(&line.role)
            && (cx.catalog.find_for(&line.value, Some(role)).is_some()
                || typed.components.contains_key(&slug(&line.role)))
            && !names.iter().any(|n| n.name == slug(&line.role))
        {
            names.push(Named {
                name: slug(&line.role),
                line: Some(line.clone()),
                dir: None,
            });
        }
    };
    for line in cx.stack {
        take(line, &mut names);
    }
    // Roles the Technical Context gives that no stack line covers (`Python 3.13 (backend,
    // MCP server)` next to `Backend:` adds the MCP server); a generic role word
    // (`backend`) is covered by any component of that role.
    for line in lines_from_context(cx) {
        let role = role_of(&line.role);
        let generic = GENERIC_ROLES.contains(&line.role.trim().to_lowercase().as_str());
        let covered = names
            .iter()
            .any(|n| n.name == slug(&line.role) || (generic && n.line.as_ref().and_then(|l| role_of(&l.role)) == role));
        if !covered {
            take(&line, &mut names);
        }
    }
    for named in names.iter_mut() {
        if typed.components.get(&named.name).is_none_or(|c| c.stack.is_none()) {
            refine_from_repository(cx, named);
        }
    }
    for name in typed.components.keys() {
        if !names.iter().any(|n| &n.name == name) {
            names.push(Named {
                name: name.clone(),
                line: None,
                dir: None,
            });
        }
    }
    if !names.is_empty() {
        return (names, false);
    }
    let Some(evidence) = evidence else {
        return (names, false);
    };
    let discovered = from_repository(cx.repo, cx.foreign, cx.sources);
    if discovered.found.is_empty() {
        diags.push(nothing_found(cx, evidence, &discovered));
    } else {
        report_left_folders(cx, &discovered, diags);
    }
    (discovered.found, true)
}

/// Projects discovery saw and does not deploy next to the ones it does, each at its
/// manifest (see [`Left`]). A root manifest without a framework (tooling in a
/// `pyproject.toml` or `package.json`) is not a project worth a warning, nor is a folder
/// outside the places discovery looks whose manifest names no framework.
fn report_left_folders(cx: &DeployInputs, discovered: &Discovered, diags: &mut Diagnostics) {
    let found = &discovered.found;
    let input = plan_input_path(cx);
    let stack_id = |words: &str, role: Role| {
        cx.catalog
            .find_for(words, Some(role))
            .map_or_else(|| "<stack>".to_string(), |s| s.id.clone())
    };
    // The block that deploys what discovery found, in the form the plan input takes.
    let entry = |name: &str, stack: &str, dir: &str| format!("{name}: {{stack: {stack}, sourceDir: {dir}}}");
    let found_entries: Vec<String> = found
        .iter()
        .map(|n| {
            let (words, role) = n.line.as_ref().map_or(("", Role::Backend), |l| {
                (l.value.as_str(), role_of(&l.role).unwrap_or(Role::Backend))
            });
            entry(&n.name, &stack_id(words, role), n.dir.as_deref().unwrap_or("."))
        })
        .collect();
    let taken: Vec<String> = found
        .iter()
        .map(|n| format!("{}/", n.dir.as_deref().unwrap_or(".")))
        .collect();
    let taken = match taken.len() {
        1 => format!("{} as the component", taken[0]),
        _ => format!("{} as the components", taken.join(", ")),
    };
    let first_line = |id| Some(Span::new(id, 0..cx.sources.get(id).text.find('\n').unwrap_or(0)));
    for left in &discovered.left {
        let path = left.path();
        let (message, span) = match left {
            Left::Root(c) => (
                format!(
                    "the repository root is a project too ({}: {}), but sp took {taken}, so the root is not built or deployed",
                    c.file, c.what
                ),
                c.span.clone(),
            ),
            Left::SameName(_, c) => (
                format!(
                    "{path}/ is a project ({}: {}), but a component of that name was found first, so it is not built or deployed",
                    c.file, c.what
                ),
                c.span.clone(),
            ),
            Left::Elsewhere(_, c) => (
                format!(
                    "{path}/ is a project ({}: {}), but discovery takes only folders named for a role (frontend/, backend/, api/, web/, server/, client/, worker/…, or with such a word in their name: todo-api/), apps/* and services/*, so it is not built or deployed",
                    c.file, c.what
                ),
                c.span.clone(),
            ),
            Left::NoStack(dir) => {
                let files: Vec<&str> = dir.files.keys().map(String::as_str).collect();
                (
                    format!(
                        "{path}/ holds {} but no stack the catalog builds, so it is not built or deployed",
                        files.join(", ")
                    ),
                    dir.files.values().next().and_then(|id| first_line(*id)),
                )
            }
            Left::Foreign(dir) => (
                format!(
                    "{path}/ is a {} project ({}), a language sp does not build, so it is not built or deployed",
                    dir.language,
                    cx.sources.get(dir.manifest).display_path()
                ),
                first_line(dir.manifest),
            ),
        };
        let name = match left {
            Left::Root(c) => match c.role {
                Role::Frontend => "web",
                Role::Backend => "api",
                Role::Worker => "worker",
            },
            _ => path.rsplit('/').next().unwrap_or(path),
        };
        let hint = match left.classified() {
            Some(c) => {
                let mut all = found_entries.clone();
                all.push(entry(name, &stack_id(&c.words, c.role), path));
                format!(
                    "to deploy it, name every component in the YAML block of {input} (discovery stops once one is named): `components: {{{}}}`",
                    all.join(", ")
                )
            }
            None => {
                let ids: Vec<&str> = cx.catalog.stacks.iter().map(|s| s.id.as_str()).collect();
                format!(
                    "if it is one of the stacks the catalog builds ({}), name every component in the YAML block of {input}: `components: {{{}, {}}}`; otherwise it is built and deployed outside sp, and naming the components sp deploys (`components: {{{}}}`) ends this warning",
                    ids.join(", "),
                    found_entries.join(", "),
                    entry(name, "<stack>", path),
                    found_entries.join(", ")
                )
            }
        };
        let d = Diagnostic::new(Code::FolderNotDeployed, message).hint(hint);
        diags.push(match span {
            Some(s) => d.at(s).label("not deployed"),
            None => d.at_path(path),
        });
    }
}

/// Role words that name no particular component.
const GENERIC_ROLES: &[&str] = &[
    "frontend", "web", "ui", "client", "backend", "api", "server", "service", "worker", "workers",
];

/// Whether `word` names a language without saying which framework runs (`Python`, `Go`,
/// `TypeScript`): the catalog's language names.
fn is_language_word(word: &str) -> bool {
    crate::catalog::Catalog::shared()
        .languages
        .iter()
        .any(|l| l.names.iter().chain(&l.words).any(|n| n == word))
}

/// A stack line that names only a language (`Python 3.11 (for Backend)` picks the generic
/// Python service) takes the framework from the component's folder when its manifest names
/// one of the same language: `fastapi` in backend/requirements.txt makes it FastAPI, so the
/// catalog default never overrides what the source says.
fn refine_from_repository(cx: &DeployInputs, named: &mut Named) {
    let Some(line) = named.line.as_mut() else { return };
    let Some(role) = role_of(&line.role) else { return };
    let Some(current) = cx.catalog.find_for(&line.value, Some(role)) else {
        return;
    };
    let words = crate::catalog::tokens(&line.value);
    let by_language_only = current
        .matches
        .iter()
        .filter(|m| words.contains(m))
        .all(|m| is_language_word(m));
    if !by_language_only {
        return;
    }
    let folder = cx
        .repo
        .iter()
        .filter(|d| considered(&d.path) && d.path != ".")
        .find(|d| {
            let f = d.path.rsplit('/').next().unwrap_or(&d.path);
            f == named.name || role_of_folder(f) == Some(role)
        });
    let Some(dir) = folder else { return };
    let Some(c) = classify(dir, cx.sources) else { return };
    let Some(found) = cx.catalog.find_for(&c.words, Some(role)) else {
        return;
    };
    if c.role != role || found.id == current.id || found.language != current.language {
        return;
    }
    line.value = format!("{}, {}", c.words, line.value);
    line.origin = Origin::derived(format!(
        "{} and {}:{} ({})",
        line.origin.source(),
        c.file,
        c.line,
        c.what
    ));
}

/// Folder names that say which role a component plays.
fn role_of_folder(name: &str) -> Option<Role> {
    match name {
        "frontend" | "web" | "client" | "ui" | "app" | "webapp" | "site" => Some(Role::Frontend),
        "backend" | "api" | "server" | "service" => Some(Role::Backend),
        "worker" | "workers" | "jobs" => Some(Role::Worker),
        _ => None,
    }
}

/// Words that mark a folder as something other than a deployable project (`e2e-web`,
/// `api-docs`), whatever role word its name also has; an app that runs on a phone or a desktop
/// (`mobile-app`, `desktop_client`) is not deployed to a cluster either.
const NOT_DEPLOYED_WORDS: &[&str] = &[
    "test", "tests", "e2e", "docs", "doc", "mock", "mocks", "spec", "specs", "fixtures", "example", "examples",
    "mobile", "ios", "android", "desktop", "electron", "expo",
];

/// The words of a folder name joined by `-`, `_` or `.` (`frontend-web` → frontend, web),
/// or nothing when one of them says the folder is not deployed (`e2e-web`).
pub(super) fn folder_words(leaf: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = leaf.split(['-', '_', '.']).filter(|w| !w.is_empty()).collect();
    (!words
        .iter()
        .any(|w| NOT_DEPLOYED_WORDS.contains(&w.to_ascii_lowercase().as_str())))
    .then_some(words)
}

/// The role a compound folder name says (`frontend-web`, `todo-api`, `chat_backend`): one of
/// its words is a role folder name.
fn compound_role(leaf: &str) -> Option<Role> {
    let words = folder_words(leaf)?;
    if words.len() < 2 {
        return None;
    }
    words.iter().find_map(|w| role_of_folder(&w.to_ascii_lowercase()))
}

/// Folders discovery considers: a folder at the root named for a role (`frontend`) or with a
/// role word in its name (`frontend-web`, `todo-api`), anything under `apps/` or `services/`,
/// and the root itself (`.`).
fn considered(path: &str) -> bool {
    path == "."
        || path.starts_with("apps/")
        || path.starts_with("services/")
        || (!path.contains('/') && (role_of_folder(path).is_some() || compound_role(path).is_some()))
}

/// What discovery made of the repository's folders.
struct Discovered<'a> {
    /// The components, in folder order.
    found: Vec<Named>,
    /// The projects not taken, in path order.
    left: Vec<Left<'a>>,
}

impl Discovered<'_> {
    /// The folders considered whose manifest names no stack the catalog builds, as
    /// `path/ (files)` or `path/ (manifest, language)`.
    fn unknown(&self, sources: &Sources) -> Vec<String> {
        self.left
            .iter()
            .filter_map(|l| match l {
                Left::NoStack(dir) => {
                    let files: Vec<&str> = dir.files.keys().map(String::as_str).collect();
                    Some(format!("{}/ ({})", dir.path, files.join(", ")))
                }
                Left::Foreign(dir) => {
                    let file = sources.get(dir.manifest).display_path();
                    let file = file.rsplit('/').next().unwrap_or(&file);
                    Some(format!("{}/ ({file}, {})", dir.path, dir.language))
                }
                _ => None,
            })
            .collect()
    }
}

/// A project discovery saw and did not take.
enum Left<'a> {
    /// The root, with a framework, when folders were taken instead.
    Root(Classified),
    /// A folder that would get a component's name again (`apps/web` after `web/`).
    SameName(&'a RepoDir, Classified),
    /// A folder with a framework outside the places discovery looks (`dashboard/`).
    Elsewhere(&'a RepoDir, Classified),
    /// A considered folder whose manifest names no stack the catalog builds.
    NoStack(&'a RepoDir),
    /// A considered folder of a language sp does not build (`api/pom.xml`).
    Foreign(&'a ForeignDir),
}

impl Left<'_> {
    fn path(&self) -> &str {
        match self {
            Left::Root(_) => ".",
            Left::SameName(d, _) | Left::Elsewhere(d, _) | Left::NoStack(d) => &d.path,
            Left::Foreign(d) => &d.path,
        }
    }

    fn classified(&self) -> Option<&Classified> {
        match self {
            Left::Root(c) | Left::SameName(_, c) | Left::Elsewhere(_, c) => Some(c),
            Left::NoStack(_) | Left::Foreign(_) => None,
        }
    }
}

/// Components found in the repository's folders, and what was left out.
fn from_repository<'a>(repo: &'a [RepoDir], foreign: &'a [ForeignDir], sources: &Sources) -> Discovered<'a> {
    let mut out = Discovered {
        found: Vec::new(),
        left: Vec::new(),
    };
    let found = &mut out.found;
    let composed = compose_builds(repo, sources);
    let service_of = |dir: &RepoDir| {
        composed
            .iter()
            .find(|(d, _)| d.path == dir.path)
            .map(|(_, n)| n.as_str())
    };
    // Sub-folders first: a root project is a component only when no folder is.
    let mut dirs: Vec<&RepoDir> = repo
        .iter()
        .filter(|d| d.path != "." && (considered(&d.path) || service_of(d).is_some()))
        .collect();
    let root = repo.iter().find(|d| d.path == ".");
    if dirs.is_empty() {
        dirs.extend(root);
    } else if let Some(c) = root.and_then(|r| classify(r, sources)).filter(|c| c.framework) {
        out.left.push(Left::Root(c));
    }
    for dir in repo
        .iter()
        .filter(|d| !d.nested && !considered(&d.path) && service_of(d).is_none())
    {
        if let Some(c) = classify(dir, sources).filter(|c| c.framework) {
            out.left.push(Left::Elsewhere(dir, c));
        }
    }
    // A project of a language sp does not build is reported wherever it stands at the top
    // (`api/pom.xml`, `payments/pom.xml`): a Maven or Gradle folder is rarely anything but a
    // service. Not a folder whose name says it is no deployed service (`android`, `e2e-tests`).
    for dir in foreign.iter().filter(|d| {
        !d.nested && (considered(&d.path) || folder_words(d.path.rsplit('/').next().unwrap_or(&d.path)).is_some())
    }) {
        out.left.push(Left::Foreign(dir));
    }
    for dir in dirs {
        let folder = dir.path.rsplit('/').next().unwrap_or(&dir.path);
        let Some(stack) = classify(dir, sources) else {
            // The root only when it is the one project discovery considers: then nothing is
            // found, and only SP409's list reads it.
            out.left.push(Left::NoStack(dir));
            continue;
        };
        let role = role_of_folder(folder).unwrap_or(stack.role);
        let role_word = match role {
            Role::Frontend => "frontend",
            Role::Backend => "backend",
            Role::Worker => "worker",
        };
        let name = match service_of(dir) {
            Some(service) => slug(service),
            None if dir.path == "." => role_word.to_string(),
            None => slug(folder),
        };
        if found.iter().any(|n| n.name == name) {
            out.left.push(Left::SameName(dir, stack));
            continue;
        }
        let lock = dir.present.first().map(|l| format!(", {l}")).unwrap_or_default();
        found.push(Named {
            name,
            line: Some(StackLine {
                role: role_word.to_string(),
                value: stack.words,
                origin: Origin {
                    text: format!("repository: {}:{} ({}{lock})", stack.file, stack.line, stack.what),
                    kind: crate::model::OriginKind::Input,
                },
            }),
            dir: Some(dir.path.clone()),
        });
    }
    out.left.sort_by(|a, b| a.path().cmp(b.path()));
    out
}

/// The compose files at the repository root (every folder of the scan carries the same
/// list), each with its services.
fn compose_files(
    repo: &[RepoDir],
    sources: &Sources,
) -> Vec<(
    crate::source::SourceId,
    Vec<crate::parse::source::container::ComposeService>,
)> {
    let files = repo.first().map(|d| d.compose.as_slice()).unwrap_or_default();
    files
        .iter()
        .map(|id| {
            (
                *id,
                crate::parse::source::container::compose(&sources.get(*id).text, *id),
            )
        })
        .collect()
}

/// The folders a compose file at the repository root builds (`build: ./backend`), each with
/// the first service (by name) that builds it: the team's own list of what runs, and the names its
/// services reach each other by (`http://api:8000`).
fn compose_builds<'a>(repo: &'a [RepoDir], sources: &Sources) -> Vec<(&'a RepoDir, String)> {
    let mut out: Vec<(&RepoDir, String)> = Vec::new();
    for (_, services) in compose_files(repo, sources) {
        for service in services {
            // The folder its Dockerfile lives in (the deepest, for `services/api/Dockerfile`)
            // before the root that is its context.
            let building: Vec<&RepoDir> = repo.iter().filter(|d| service.builds(&d.path)).collect();
            let deepest = building.iter().filter(|d| d.path != ".").max_by_key(|d| d.path.len());
            let Some(dir) = deepest.or(building.first()).copied() else {
                continue;
            };
            if !out.iter().any(|(d, _)| d.path == dir.path) {
                out.push((dir, service.name));
            }
        }
    }
    out
}

/// SP416 for a service a root compose file builds that no component is: a worker built from
/// the API's folder with its own `command:` (`celery -A app.tasks worker`), or a folder no
/// component uses. A component is the service named like it, else, in a folder it takes, the
/// services not named like another component, first by name, one each (what discovery does:
/// it names a folder's component after the first service that builds it). Each service left
/// is reported at its name, with the block that deploys it beside the others.
pub fn report_compose_builds(
    cx: &DeployInputs,
    components: &[crate::model::deploy::Component],
    typed: bool,
    diags: &mut Diagnostics,
) {
    let input = plan_input_path(cx);
    for (id, services) in compose_files(cx.repo, cx.sources) {
        let shown = cx.sources.get(id).display_path();
        let named_like = |s: &str| components.iter().any(|c| c.name == slug(s));
        let mut left: Vec<(&crate::parse::source::container::ComposeService, String)> = Vec::new();
        for dir in cx.repo {
            let building: Vec<_> = services
                .iter()
                .filter(|s| s.builds(&dir.path) && !named_like(&s.name))
                .collect();
            let here = components
                .iter()
                .filter(|c| c.source_dir.value.as_deref() == Some(dir.path.as_str()))
                .filter(|c| !services.iter().any(|s| slug(&s.name) == c.name))
                .count();
            left.extend(building.into_iter().skip(here).map(|s| (s, dir.path.clone())));
        }
        left.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        left.dedup_by(|a, b| a.0.name == b.0.name);
        for (service, folder) in left {
            let name = slug(&service.name);
            let command = service.facts.commands.first().map(|c| c.value.argv.clone());
            // A service without ports of its own runs in the background: the folder's
            // language's worker stack, when the catalog has one.
            let language = components
                .iter()
                .find(|c| c.source_dir.value.as_deref() == Some(folder.as_str()))
                .map(|c| c.language.as_str());
            let worker = (service.facts.ports.is_empty())
                .then(|| {
                    cx.catalog.stacks.iter().find(|s| {
                        Some(s.language.as_str()) == language && s.run_mode == crate::catalog::RunMode::Worker
                    })
                })
                .flatten();
            let mut fields = vec![format!("sourceDir: {folder}")];
            fields.extend(worker.map(|s| format!("stack: {}", s.id)));
            let runs = match &command {
                Some(argv) => {
                    let quoted: Vec<String> = argv.iter().map(|a| format!("{a:?}")).collect();
                    fields.push(format!("command: [{}]", quoted.join(", ")));
                    format!(" and runs `{}` in it", argv.join(" "))
                }
                None => String::new(),
            };
            let entry = format!("{name}: {{{}}}", fields.join(", "));
            let hint = if typed {
                format!(
                    "to deploy it, add `{entry}` under `components:` in the YAML block of {input}; if it runs outside the cluster, nothing needs to change"
                )
            } else {
                let mut all: Vec<String> = components
                    .iter()
                    .map(|c| match c.source_dir.value.as_deref() {
                        Some(dir) => format!("{}: {{stack: {}, sourceDir: {dir}}}", c.name, c.stack.value),
                        None => format!("{}: {{stack: {}}}", c.name, c.stack.value),
                    })
                    .collect();
                all.push(entry);
                format!(
                    "to deploy it, name every component in the YAML block of {input} (discovery stops once one is named): `components: {{{}}}`",
                    all.join(", ")
                )
            };
            let d = Diagnostic::new(
                Code::ComposeServiceNotDeployed,
                format!(
                    "{shown} builds `{}` from {folder}/{runs}, which the deployment does not include: no component is that service",
                    service.name
                ),
            )
            .hint(hint)
            .at(service.span.clone())
            .label("not deployed");
            diags.push(d);
        }
    }
}

/// Folder names that say a folder's Dockerfile is no service of the application: tooling,
/// infrastructure and the places build files are kept (besides [`NOT_DEPLOYED_WORDS`]).
const NOT_AN_IMAGE_FOLDER: &[&str] = &[
    "docker",
    "dockerfiles",
    "deploy",
    "deployment",
    "deployments",
    "infra",
    "infrastructure",
    "k8s",
    "kubernetes",
    "helm",
    "charts",
    "chart",
    "scripts",
    "script",
    "tools",
    "build",
    "ci",
    "out",
    "history",
];

/// SP438: folders holding a `Dockerfile` that no component builds from, when the inputs name
/// the components (discovery reports the projects it leaves itself). A folder with a project
/// gets the block that deploys it; one with only a Dockerfile is said to hold nothing sp
/// builds. Not the root, a folder inside a component's folder (or holding one), a folder
/// a compose service builds (SP416 says that), nor a Dockerfile a build script uses for
/// another folder.
pub fn report_images_not_deployed(
    cx: &DeployInputs,
    components: &[crate::model::deploy::Component],
    diags: &mut Diagnostics,
) {
    let composed = compose_builds(cx.repo, cx.sources);
    let scripted: Vec<String> = cx
        .repo
        .iter()
        .flat_map(|d| &d.images)
        .map(|i| cx.sources.get(i.dockerfile).display_path())
        .collect();
    let used = |path: &str| {
        components.iter().any(|c| match c.source_dir.value.as_deref() {
            Some(dir) => {
                dir == path
                    || dir.starts_with(&format!("{path}/"))
                    || path.starts_with(&format!("{dir}/"))
                    || dir == "."
            }
            None => false,
        })
    };
    let leaf_ok = |path: &str| {
        let leaf = path.rsplit('/').next().unwrap_or(path);
        folder_words(leaf).is_some() && !NOT_AN_IMAGE_FOLDER.contains(&leaf.to_ascii_lowercase().as_str())
    };
    let mut left: Vec<(String, crate::source::SourceId, Option<Classified>)> = Vec::new();
    for dir in cx.repo.iter().filter(|d| !d.nested && d.path != ".") {
        let Some(id) = dir.files.get("Dockerfile") else {
            continue;
        };
        if used(&dir.path) || !leaf_ok(&dir.path) || composed.iter().any(|(d, _)| d.path == dir.path) {
            continue;
        }
        left.push((dir.path.clone(), *id, classify(dir, cx.sources)));
    }
    for dir in cx.image_dirs {
        if used(&dir.path) || !leaf_ok(&dir.path) {
            continue;
        }
        left.push((dir.path.clone(), dir.dockerfile, None));
    }
    left.retain(|(_, id, _)| !scripted.contains(&cx.sources.get(*id).display_path()));
    left.sort_by(|a, b| a.0.cmp(&b.0));
    let input = plan_input_path(cx);
    for (path, id, class) in left {
        let name = slug(path.rsplit('/').next().unwrap_or(&path));
        let shown = cx.sources.get(id).display_path();
        let span = crate::source::lines_with_ranges(&cx.sources.get(id).text)
            .find(|(_, l)| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
            .map(|(range, _)| Span::new(id, range));
        let (message, hint) = match &class {
            Some(c) => {
                let stack = cx
                    .catalog
                    .find_for(&c.words, Some(c.role))
                    .map_or_else(|| "<stack>".to_string(), |s| s.id.clone());
                let entry = format!("{name}: {{sourceDir: {path}, stack: {stack}}}");
                let hint = format!(
                    "to deploy it, add `{entry}` under `components:` in the YAML block of {input} (the components the inputs name stay); if it is not part of this feature, nothing needs to change"
                );
                (
                    format!(
                        "{shown} builds an image of {path}/ ({}: {}), and no component of the deployment builds from {path}/, so it is not deployed",
                        c.file, c.what
                    ),
                    hint,
                )
            }
            None => (
                format!(
                    "{shown} builds an image of {path}/, which holds no project sp reads (no pyproject.toml, requirements.txt, package.json, go.mod or Cargo.toml), so no component builds from it and it is not deployed"
                ),
                format!(
                    "to deploy it, commit the project's manifest beside its code in {path}/ and add `{name}: {{sourceDir: {path}}}` under `components:` in the YAML block of {input}; if it is not part of this feature, nothing needs to change"
                ),
            ),
        };
        let mut d = Diagnostic::new(Code::ImageNotDeployed, message).hint(hint);
        d = match span {
            Some(span) => d.at(span).label("not deployed"),
            None => d.at_line(&shown, 1, 1),
        };
        diags.push(d);
    }
}

/// SP416: services a root compose file runs from an image (a database, a cache) that the
/// deployment does not include, one warning per compose file at its first such service.
/// PostgreSQL and Redis count as included when the deployment has a backing service of
/// that kind, in the cluster or outside it. When an input says the application keeps no
/// data (`no_storage`), a database or cache of the compose file is still reported, beside
/// that statement: the code may use it (a `DATABASE_URL`), so one of the two is stale.
pub fn report_compose_images(
    cx: &DeployInputs,
    backing: &[crate::model::deploy::BackingService],
    no_storage: Option<&super::prose::Fact>,
    diags: &mut Diagnostics,
) {
    use crate::model::deploy::ServiceKind;
    let input = plan_input_path(cx);
    for (id, services) in compose_files(cx.repo, cx.sources) {
        let mut left = Vec::new();
        for s in &services {
            let Some(image) = &s.image else { continue };
            // The image's own name, without registry, owner or tag (`bitnami/postgresql:16`).
            let base = image.rsplit('/').next().unwrap_or(image);
            let base = base.split([':', '@']).next().unwrap_or(base).to_ascii_lowercase();
            // The plan-input line that deploys it, at the version the catalog pins.
            let version = |kind: &str| cx.catalog.service(kind).map_or("", |i| i.version.as_str());
            let kind = if base.starts_with("postgres") || base == "postgis" {
                Some((
                    ServiceKind::Postgres,
                    format!(
                        "- Database: PostgreSQL {} (in-cluster, persistent volume 2Gi)",
                        version("postgres")
                    ),
                ))
            } else if base.starts_with("redis") || base == "valkey" {
                Some((
                    ServiceKind::Redis,
                    format!(
                        "- Cache: Redis {} (in-cluster, persistent volume 1Gi)",
                        version("redis")
                    ),
                ))
            } else {
                None
            };
            if kind.as_ref().is_some_and(|(k, _)| backing.iter().any(|b| b.kind == *k)) {
                continue;
            }
            left.push((s, image, kind.map(|(_, line)| line)));
        }
        let Some((first, _, _)) = left.first() else { continue };
        let listed: Vec<String> = left
            .iter()
            .map(|(s, image, _)| format!("`{}` ({image})", s.name))
            .collect();
        let lines: Vec<&str> = left.iter().filter_map(|(_, _, line)| line.as_deref()).collect();
        let others: Vec<String> = left
            .iter()
            .filter(|(_, _, line)| line.is_none())
            .map(|(s, _, _)| format!("`{}`", s.name))
            .collect();
        let mut hint = String::new();
        let stated = no_storage.filter(|_| !lines.is_empty());
        if let Some(fact) = stated {
            hint.push_str(&format!(
                "{} says the application keeps no data; if it does use {}, replace that statement with `{}` (or name the managed service it uses: `- Database: Neon PostgreSQL (external)`), else remove the service from the compose file",
                fact.origin.text,
                if lines.len() == 1 { "it" } else { "them" },
                lines.join("` and `")
            ));
        } else if !lines.is_empty() {
            hint.push_str(&format!(
                "if the application needs it in the cluster, say so in {input}: `{}` (or name the managed service it uses: `- Database: Neon PostgreSQL (external)`)",
                lines.join("` and `")
            ));
        }
        if !others.is_empty() {
            if !hint.is_empty() {
                hint.push_str("; ");
            }
            hint.push_str(&format!(
                "sp deploys no service like {}: run it outside the deployment and give the components its address in their configuration",
                others.join(", ")
            ));
        }
        let mut d = Diagnostic::new(
            Code::ComposeServiceNotDeployed,
            format!(
                "{} runs {} from {}, which the deployment does not include",
                cx.sources.get(id).display_path(),
                listed.join(", "),
                if listed.len() == 1 { "an image" } else { "images" }
            ),
        )
        .at(first.span.clone())
        .label("not deployed")
        .hint(hint);
        if let Some(span) = stated.and_then(|f| f.span.clone()) {
            d = d.related(span, "says the application keeps no data");
        }
        diags.push(d);
    }
}

/// The first folder discovery considers whose manifest makes it a component of `role`.
fn repository_stack(cx: &DeployInputs, role: Role) -> Option<(String, Classified)> {
    cx.repo
        .iter()
        .filter(|d| considered(&d.path) && d.path != ".")
        .find_map(|d| {
            let c = classify(d, cx.sources)?;
            let folder = d.path.rsplit('/').next().unwrap_or(&d.path);
            (role_of_folder(folder).unwrap_or(c.role) == role && c.role == role).then(|| (d.path.clone(), c))
        })
}

/// What a folder's manifest says it is.
struct Classified {
    role: Role,
    /// Words the catalog picks the stack by (`fastapi python`).
    words: String,
    /// The manifest and line that say it, and what they say.
    file: String,
    line: usize,
    what: String,
    /// The text that says it (the dependency's name, or the manifest's first line).
    span: Option<Span>,
    /// Said by a framework dependency, not only by the manifest's language.
    framework: bool,
}

fn classify(dir: &RepoDir, sources: &Sources) -> Option<Classified> {
    let text_of = |name: &str| {
        super::repo::manifest(dir, sources, name).map(|id| {
            let f = sources.get(id);
            (f.text.as_str(), f.display_path(), id)
        })
    };
    let line_of = |text: &str, needle: &str| {
        text.find(needle)
            .map(|i| text[..i].matches('\n').count() + 1)
            .unwrap_or(1)
    };
    // The needle's first place (`lower` has the same byte offsets as the text for ASCII
    // names), else the manifest's first line.
    let span_of = |id, text: &str, needle: Option<&str>| {
        let range = needle
            .and_then(|n| text.find(n).map(|i| i..i + n.len()))
            .unwrap_or_else(|| 0..text.find('\n').unwrap_or(text.len()));
        Some(Span::new(id, range))
    };
    let make = |role, words: &str, file: String, line, what: &str, span, framework| Classified {
        role,
        words: words.to_string(),
        file,
        line,
        what: what.to_string(),
        span,
        framework,
    };
    // The catalog's languages in order, each manifest in order: the first framework
    // dependency found, or what the language's manifest is without one.
    for lang in &crate::catalog::Catalog::shared().languages {
        for manifest in &lang.manifests {
            let Some((text, path, id)) = text_of(manifest) else {
                continue;
            };
            match lang.dependencies {
                DependencyFormat::PackageJson => {
                    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
                    let has = |dep: &str| {
                        ["dependencies", "devDependencies"]
                            .iter()
                            .any(|k| json.get(k).and_then(|d| d.get(dep)).is_some())
                    };
                    if let Some(f) = lang.frameworks.iter().find(|f| has(&f.dependency)) {
                        // The dependency's key, not the same word in a script (`"dev": "vite"`).
                        let quoted = format!("\"{}\"", f.dependency);
                        let at = text
                            .match_indices(&quoted)
                            .map(|(i, _)| i)
                            .find(|&i| text[i + quoted.len()..].trim_start().starts_with(':'));
                        let (line, span) = match at {
                            Some(i) => (
                                text[..i].matches('\n').count() + 1,
                                Some(Span::new(id, i..i + quoted.len())),
                            ),
                            None => (line_of(text, &quoted), span_of(id, text, Some(&quoted))),
                        };
                        return Some(make(
                            f.role,
                            &f.words,
                            path,
                            line,
                            &format!("depends on {}", f.dependency),
                            span,
                            true,
                        ));
                    }
                }
                DependencyFormat::Words => {
                    let lower = text.to_lowercase();
                    if let Some(f) = lang.frameworks.iter().find(|f| has_word(&lower, &f.dependency)) {
                        let line = line_of(&lower, &f.dependency);
                        let span = if lower.len() == text.len() {
                            span_of(id, &lower, Some(&f.dependency))
                        } else {
                            span_of(id, text, None)
                        };
                        return Some(make(
                            f.role,
                            &f.words,
                            path,
                            line,
                            &format!("depends on {}", f.dependency),
                            span,
                            true,
                        ));
                    }
                }
            }
            if let Some(o) = &lang.otherwise {
                return Some(make(o.role, &o.words, path, 1, &o.what, span_of(id, text, None), false));
            }
        }
    }
    None
}

/// The plan input the user writes: the feature's `plan-input.md`, also when the current
/// input is an adopted `plan.md` (which `sp` never edits).
pub fn plan_input_path(cx: &DeployInputs) -> String {
    match cx.plan_input {
        Some(p) if !p.adopted => p.path.clone(),
        _ => match cx.spec.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/plan-input.md"),
            None => "plan-input.md".into(),
        },
    }
}

/// SP412: a feature that is not about deployment although its inputs name components:
/// they are planned (Technical Context, research, data model, contracts) but not built.
pub fn report_not_deployed(cx: &DeployInputs, scope: &crate::model::Scope, diags: &mut Diagnostics) {
    let Some(first) = cx.stack.iter().find(|l| role_of(&l.role).is_some()) else {
        return;
    };
    let roles: Vec<String> = cx
        .stack
        .iter()
        .filter(|l| role_of(&l.role).is_some())
        .map(|l| format!("`{}: {}`", l.role, l.value))
        .collect();
    let d = Diagnostic::new(
        Code::NotADeploymentFeature,
        format!(
            "this feature is not about deployment ({}): {} planned, nothing built or deployed",
            scope.reason,
            roles.join(", ")
        ),
    )
    .hint(format!(
        "to build and deploy its components, write `deploy: true` in the ```yaml block of {}, or say so in the spec",
        plan_input_path(cx)
    ));
    let span = cx.plan_input.and_then(|p| {
        p.entries
            .iter()
            .find(|e| e.key.trim().eq_ignore_ascii_case(first.role.trim()))
            .map(|e| e.span.clone())
    });
    diags.push(match span {
        Some(s) => d.at(s).label("names a component"),
        None => d.at_path(&cx.spec.path),
    });
}

/// SP409: a deployment feature with no component, and everything that was looked at.
fn nothing_found(cx: &DeployInputs, evidence: &Evidence, discovered: &Discovered) -> Diagnostic {
    let unknown = discovered.unknown(cx.sources);
    let input = plan_input_path(cx);
    let mut looked = format!(
        "looked for stack lines (`Frontend:`, `Backend:`, `Worker:`) and roles in Language/Version in {input}, \
         `components:` in its YAML block, and folders frontend/, backend/, api/, web/, server/, client/ \
         (or with such a word in their name: todo-api/), a folder a root compose file builds, apps/*, services/* or a project at the repository root with a package.json (next, vite, express), \
         pyproject.toml or requirements.txt (fastapi, flask, django, celery), go.mod, or a Cargo.toml (axum, actix-web) in a folder"
    );
    if !unknown.is_empty() {
        looked.push_str(&format!(
            "; found {} but no stack the catalog builds",
            unknown.join(", ")
        ));
    }
    // Projects elsewhere (`dashboard/`) are taken only when an input names them.
    let elsewhere: Vec<(&str, &Classified)> = discovered
        .left
        .iter()
        .filter_map(|l| match l {
            Left::Elsewhere(d, c) => Some((d.path.as_str(), c)),
            _ => None,
        })
        .collect();
    if !elsewhere.is_empty() {
        let listed: Vec<String> = elsewhere
            .iter()
            .map(|(p, c)| format!("{p}/ ({}: {})", c.file, c.what))
            .collect();
        let entries: Vec<String> = elsewhere
            .iter()
            .map(|(p, c)| {
                let stack = cx
                    .catalog
                    .find_for(&c.words, Some(c.role))
                    .map_or("<stack>", |s| s.id.as_str());
                format!(
                    "{}: {{stack: {stack}, sourceDir: {p}}}",
                    slug(p.rsplit('/').next().unwrap_or(p))
                )
            })
            .collect();
        looked.push_str(&format!(
            "; outside those folders it found {}, which it takes only when an input names them: `components: {{{}}}`",
            listed.join(", "),
            entries.join(", ")
        ));
    }
    // Projects one level inside other folders are never taken on their own: say which ones
    // a `sourceDir` could name (`Phase-3/backend`).
    let nested: Vec<(&str, Classified)> = cx
        .repo
        .iter()
        .filter(|d| d.nested)
        .filter_map(|d| Some((d.path.as_str(), classify(d, cx.sources)?)))
        .collect();
    if let Some((path, c)) = nested.last() {
        let listed: Vec<String> = nested.iter().map(|(p, c)| format!("{p}/ ({})", c.words)).collect();
        let role = match c.role {
            Role::Frontend => "frontend",
            Role::Backend => "backend",
            Role::Worker => "worker",
        };
        looked.push_str(&format!(
            "; one level inside other folders it found {}, which it takes only when an input names them: `components: {{{role}: {{sourceDir: {path}}}}}`",
            listed.join(", ")
        ));
    }
    let d = Diagnostic::new(
        Code::NoDeployables,
        format!(
            "this feature is about deployment (`{}`, {}) but names no component, and none was found in the repository; nothing is built or deployed",
            evidence.word, evidence.origin.text
        ),
    )
    .hint(format!(
        "{looked}. Name them in {input}: `- Backend: FastAPI, Python 3.12` and `- Frontend: Next.js 16`, or in its YAML block `components: {{api: {{stack: fastapi, sourceDir: api}}}}`"
    ));
    // Evidence without a span of its own (the spec's title) points at the title line.
    let title_line = cx.spec.source.and_then(|id| {
        let text = &cx.sources.get(id).text;
        let start = text
            .lines()
            .position(|l| l.starts_with("# "))
            .map(|n| text.split_inclusive('\n').take(n).map(str::len).sum::<usize>())?;
        let end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
        Some(Span::new(id, start..end))
    });
    match evidence.span.clone().or(title_line) {
        Some(span) => d.at(span).label("says the feature deploys something"),
        None => d.at_path(&cx.spec.path),
    }
}

/// A number of services written out: `3 services`, `three containerized services
/// (frontend, backend, MCP server)`, with the names when a list follows. Kubernetes
/// `Service` objects ("3 Kubernetes services") are not deployables.
fn enumerated_services(text: &str) -> Option<(u32, Vec<String>)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if !matches!(w, "services" | "microservices") {
            continue;
        }
        let (n_at, adjective) = match i.checked_sub(1).and_then(|k| count_word(words[k])) {
            Some(n) => (n, None),
            None => match i.checked_sub(2).and_then(|k| count_word(words[k])) {
                Some(n) => (n, Some(words[i - 1])),
                None => continue,
            },
        };
        if adjective.is_some_and(|a| {
            matches!(
                a,
                "kubernetes" | "k8s" | "clusterip" | "nodeport" | "external" | "backing" | "cloud" | "managed"
            )
        }) {
            continue;
        }
        // The list in parentheses right after, if any.
        let at = words[i].as_ptr() as usize - lower.as_ptr() as usize;
        let rest = lower[at + words[i].len()..].trim_start();
        let names = rest
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(list, _)| {
                list.split([',', '+'])
                    .map(|n| n.trim().trim_start_matches("and ").trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        return Some((n_at, names));
    }
    None
}

fn count_word(word: &str) -> Option<u32> {
    match word.trim_matches(|c: char| !c.is_alphanumeric()) {
        "two" => Some(2),
        "three" => Some(3),
        "four" => Some(4),
        "five" => Some(5),
        "six" => Some(6),
        w => w.parse().ok().filter(|n| (2..=20).contains(n)),
    }
}

/// SP413: the Technical Context's Scale/Scope counts more services, images, deployments or
/// containers than the model deploys (`3 Docker images (frontend, backend, MCP server)`
/// with two components). Returns the findings for plan.md, each at the Scale/Scope line.
pub fn check_scale(
    cx: &DeployInputs,
    d: &crate::model::deploy::Deployment,
    diags: &mut Diagnostics,
) -> Vec<crate::model::deploy::Valued<String>> {
    let Some(scale) = cx
        .context
        .iter()
        .find(|v| v.key == "Scale/Scope" && !v.needs_clarification)
    else {
        return Vec::new();
    };
    let lower = scale.value.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let components = d.components.len();
    let with_services = components + d.backing_services.len();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let noun = w.trim_matches(|c: char| !c.is_alphanumeric());
        let (deployed, what) = match noun {
            "services" | "microservices" => (with_services, "components and backing services"),
            "images" | "containers" | "deployments" | "components" => (components, "components"),
            _ => continue,
        };
        // `3 services`, `3 main services`, `3 Docker images`; never `3 Kubernetes services`.
        let Some((n, adjective)) = i
            .checked_sub(1)
            .and_then(|k| count_word(words[k]))
            .map(|n| (n, None))
            .or_else(|| {
                i.checked_sub(2)
                    .and_then(|k| count_word(words[k]))
                    .map(|n| (n, Some(words[i - 1])))
            })
        else {
            continue;
        };
        if adjective.is_some_and(|a| {
            matches!(
                a.trim_matches(|c: char| !c.is_alphanumeric()),
                "kubernetes" | "k8s" | "helm" | "clusterip" | "nodeport" | "external" | "backing" | "managed" | "pod"
            )
        }) {
            continue;
        }
        if n as usize <= deployed {
            continue;
        }
        let names: Vec<String> = d
            .components
            .iter()
            .map(|c| c.name.clone())
            .chain(
                (what != "components")
                    .then(|| d.backing_services.iter().map(|b| b.name.clone()))
                    .into_iter()
                    .flatten(),
            )
            .collect();
        let written: Vec<&str> = scale.value.split_whitespace().collect();
        let from = i.saturating_sub(if adjective.is_some() { 2 } else { 1 });
        let phrase = written.get(from..=i).unwrap_or(&words[from..=i]).join(" ");
        let phrase = phrase.trim_end_matches(|c: char| !c.is_alphanumeric());
        let what = match (deployed, what) {
            (1, "components") => "component",
            (1, _) => "component or backing service",
            _ => what,
        };
        let finding = format!(
            "Scale/Scope says {phrase}; the deployment has {deployed} {what} ({})",
            names.join(", ")
        );
        let span = cx.plan_input.and_then(|p| {
            p.entries
                .iter()
                .find(|e| crate::resolve::context::canonical(&e.key) == Some("Scale/Scope"))
                .map(|e| e.span.clone())
        });
        let diag = Diagnostic::new(Code::ScaleDisagrees, finding.clone()).hint(
            "name the missing components in the plan input (a stack line, or `components:` in its YAML block), or correct Scale/Scope",
        );
        diags.push(match span {
            Some(s) => diag.at(s).label(format!("{n} {noun}")),
            None => diag.at_path(&cx.spec.path),
        });
        out.push(crate::model::deploy::Valued::new(finding, scale.origin.clone()));
    }
    out
}

/// SP411: the spec or the plan input enumerates services ("3 containerized services
/// (frontend, backend, MCP server)") the model does not deploy.
pub fn report_undeployed(cx: &DeployInputs, d: &crate::model::deploy::Deployment, diags: &mut Diagnostics) {
    let mut texts: Vec<(String, Origin, Option<Span>)> = Vec::new();
    if let Some(p) = cx.plan_input {
        for e in p
            .entries
            .iter()
            .filter(|e| crate::resolve::context::canonical(&e.key) != Some("Scale/Scope"))
        {
            texts.push((
                format!("{}: {}", e.key, e.value),
                Origin::at(&p.path, e.line),
                Some(e.span.clone()),
            ));
        }
        for f in &p.free_text {
            texts.push((f.text.clone(), Origin::at(&p.path, f.line), Some(f.span.clone())));
        }
    }
    for r in &cx.spec.requirements {
        texts.push((r.text.clone(), Origin::at(&cx.spec.path, r.line), r.span.clone()));
    }
    for a in &cx.spec.assumptions {
        texts.push((a.text.clone(), Origin::at(&cx.spec.path, a.line), Some(a.span.clone())));
    }
    let deployed: Vec<String> = d
        .components
        .iter()
        .map(|c| c.name.clone())
        .chain(d.backing_services.iter().map(|b| b.name.clone()))
        .collect();
    // A listed name is deployed when it names a component (`backend api` → `backend`), is
    // a generic word of a component's role, or names a backing service.
    let matches = |listed: &str| {
        let s = slug(listed);
        let generic = GENERIC_ROLES.contains(&listed.trim());
        d.components.iter().any(|c| {
            s == c.name || s.split('-').any(|w| w == c.name) || (generic && role_of(listed) == Some(c.role.value))
        }) || d.backing_services.iter().any(|b| {
            let words: &[&str] = match b.kind {
                crate::model::deploy::ServiceKind::Postgres => {
                    &["database", "db", "postgres", "postgresql", "neon", "neondb"]
                }
                crate::model::deploy::ServiceKind::Redis => &["redis", "cache"],
            };
            words.iter().any(|w| has_word(listed, w))
        })
    };
    for (text, origin, span) in texts {
        let Some((n, names)) = enumerated_services(&text) else {
            continue;
        };
        let missing: Vec<&String> = names.iter().filter(|n| !matches(n)).collect();
        let short = names.is_empty() && (n as usize) > deployed.len();
        if missing.is_empty() && !short {
            continue;
        }
        let what = if missing.is_empty() {
            format!("{} of them not deployed", n as usize - deployed.len())
        } else {
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            format!("{} not deployed", list.join(", "))
        };
        let mut diag = Diagnostic::new(
            Code::UndeployedServices,
            format!(
                "{n} services are enumerated here, but the deployment has {} ({}): {what}",
                deployed.len(),
                deployed.join(", ")
            ),
        )
        .hint(
            "name each one the model should deploy: a stack line (`- Worker: Python 3.12, Celery`) or \
             `components: {name: {stack: …, sourceDir: …}}` in the YAML block; `sp schema` lists the keys",
        );
        diag = match span {
            Some(s) => diag.at(s).label(format!("{n} services")),
            None => diag.at_path(&cx.spec.path),
        };
        if cx.plan_input.is_some_and(|p| p.adopted)
            && origin
                .text
                .starts_with(&cx.plan_input.map(|p| p.path.clone()).unwrap_or_default())
        {
            diag = diag.severity(crate::diagnostics::Severity::Info);
        }
        diags.push(diag);
    }
}

/// Stack lines read off the Technical Context of a plan that has none of its own, as
/// agent-written spec-kit plans often do: each `Language (role, role)` entry of
/// Language/Version, with Primary Dependencies as the words that pick the stack; languages
/// without a role take the one role Project Type names (`Web backend (REST API)`). A
/// role is taken only when a stack of that role matches, so a guess never puts a backend
/// stack on a frontend.
pub fn lines_from_context(cx: &DeployInputs) -> Vec<StackLine> {
    let get = |key: &str| cx.context.iter().find(|v| v.key == key && !v.needs_clarification);
    let Some(langs) = get("Language/Version") else {
        return Vec::new();
    };
    let deps = get("Primary Dependencies").map(|v| v.value.as_str()).unwrap_or("");
    let origin = Origin::derived(format!(
        "Language/Version and Primary Dependencies ({})",
        langs.origin.text
    ));
    let mut out = Vec::new();
    let push = |lang: &str, role_text: &str, out: &mut Vec<StackLine>| {
        let role_text = role_text.trim();
        let role_text = role_text.strip_prefix("for ").unwrap_or(role_text).trim();
        let Some(role) = role_of(role_text) else { return };
        if out.iter().any(|l: &StackLine| l.role.eq_ignore_ascii_case(role_text)) {
            return;
        }
        let value = format!("{}, {deps}", lang.trim());
        let line = if cx.catalog.find_for(&value, Some(role)).is_some_and(|s| s.role == role) {
            StackLine {
                role: role_text.to_string(),
                value,
                origin: origin.clone(),
            }
        } else if let Some((dir, c)) = repository_stack(cx, role) {
            // `Node.js (for Frontend)` names no frontend stack; the frontend folder's
            // manifest does (`next` in frontend/package.json).
            StackLine {
                role: role_text.to_string(),
                value: format!("{}, {}", lang.trim(), c.words),
                origin: Origin::derived(format!(
                    "Language/Version ({}) and {}:{} ({}, in {}/)",
                    langs.origin.text, c.file, c.line, c.what, dir
                )),
            }
        } else {
            return;
        };
        out.push(line);
    };
    // `Python 3.13 (backend, MCP server), Node.js 20+ (frontend)`: split at separators
    // outside parentheses.
    let mut parts: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in langs.value.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(ch, ',' | ';') {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    parts.push(current);
    let mut unlabelled = Vec::new();
    for part in &parts {
        match part.split_once('(') {
            // `TypeScript (latest stable)` names a version, not a role.
            Some((lang, rest))
                if rest
                    .trim_end()
                    .trim_end_matches(')')
                    .split([',', '/'])
                    .any(|r| role_of(r.trim().strip_prefix("for ").unwrap_or(r.trim())).is_some()) =>
            {
                let roles = rest.trim_end().trim_end_matches(')');
                for role_text in roles.split([',', '/']) {
                    push(lang, role_text, &mut out);
                }
            }
            Some((lang, _)) => unlabelled.push(lang.trim().to_string()),
            None if !part.trim().is_empty() => unlabelled.push(part.trim().to_string()),
            None => {}
        }
    }
    // Languages without a role (`Python (latest stable), FastAPI`): Project Type says what
    // they are when it names one role (`Web Application Backend (API-only)`).
    if out.is_empty()
        && !unlabelled.is_empty()
        && let Some(kind) = get("Project Type")
    {
        let lower = kind.value.to_lowercase();
        let roles: Vec<&str> = ["frontend", "backend", "worker"]
            .into_iter()
            .filter(|r| has_word(&lower, r))
            .collect();
        if let [role] = roles.as_slice() {
            push(&unlabelled.join(", "), role, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_enumerated_in_prose() {
        assert_eq!(
            enumerated_services("Web application with 3 containerized services (frontend, backend, MCP server)"),
            Some((3, vec!["frontend".into(), "backend".into(), "mcp server".into()]))
        );
        assert_eq!(enumerated_services("The system runs 4 services."), Some((4, vec![])));
        assert_eq!(enumerated_services("3 Kubernetes services"), None);
        assert_eq!(enumerated_services("services are stateless"), None);
    }

    #[test]
    fn folders_discovery_considers() {
        for p in [
            ".",
            "frontend",
            "backend",
            "api",
            "web",
            "apps/site",
            "services/billing",
        ] {
            assert!(considered(p), "{p}");
        }
        for p in ["frontend-web", "todo-api", "chat_backend"] {
            assert!(considered(p), "{p}");
        }
        for p in [
            "e2e",
            "scripts",
            "packages/ui",
            "docs-site",
            "e2e-web",
            "api-docs",
            "web3",
            "mobile-app",
            "desktop_client",
            "android-app",
        ] {
            assert!(!considered(p), "{p}");
        }
    }
}
