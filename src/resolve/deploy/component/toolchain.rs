//! What builds the component: its stack and role, the language version, the package manager,
//! the packages its runtime loads, and the Dockerfile stages.

use crate::catalog::{Stack, Version};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::deploy::{Role, Stage, Valued};
use crate::model::{Origin, StackLine};

use super::super::{code, default_origin, repo, role_of, version};
use super::Field;

/// The Dockerfile stages a catalog version can name, in the order a Dockerfile writes them.
pub const STAGE_ORDER: &[&str] = &["uv", "deps", "prod-deps", "build", "runtime"];

/// The stack: typed `stack`; what the repository says (its lock file and dependencies, else
/// the framework object in the code, `app = FastAPI()`) when it is of the language the prose
/// names and fits the role; the stack line's prose; else SP407 and no component. A typed stack
/// the folder's manifest cannot build is SP435.
pub(super) fn stack<'c>(
    f: &Field<'c>,
    repo_dir: Option<&RepoDir>,
    code: Option<&code::Code>,
    role_guess: Option<Role>,
    diags: &mut Diagnostics,
) -> Option<(&'c Stack, Origin)> {
    let (cx, name, line_value) = (f.cx, f.name, f.line_value);
    let prose_stack = cx.catalog.find_for(line_value, role_guess);
    let detected_first = repo_dir.map(|r| repo::detect(r, cx.sources, prose_stack));
    // The framework object in the code names the stack (`app = FastAPI()` → fastapi) when it
    // fits the role the inputs give.
    let code_hint = code.and_then(|c| code::stack_hint(c, cx.sources)).filter(|h| {
        cx.catalog
            .get(&h.value)
            .is_some_and(|s| role_guess.is_none_or(|r| r == s.role) && prose_stack.is_none_or(|p| p.role == s.role))
            // Where the other inputs already name this stack, they keep their origin.
            && prose_stack.is_none_or(|p| p.id != h.value)
    });
    let unknown = |message: String, hint: String| Diagnostic::new(Code::UnknownStack, message).hint(hint);
    let ids = || {
        cx.catalog
            .stacks
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (stack, origin) = match &f.ci.stack {
        Some(id) => match cx.catalog.get(id) {
            Some(s) => (s, (f.t)(&f.key("stack"))),
            None => {
                diags.push(unknown(
                    format!("component `{name}`: no stack `{id}` in the catalog"),
                    format!("known stacks: {}", ids()),
                ));
                return None;
            }
        },
        None => {
            let hinted = detected_first
                .as_ref()
                .and_then(|d| d.stack_hint.clone())
                .or(code_hint)
                .filter(|h| {
                    prose_stack.is_none_or(|p| {
                        p.language == cx.catalog.get(&h.value).map(|s| s.language.clone()).unwrap_or_default()
                    })
                });
            match (hinted, prose_stack) {
                (Some(h), _) => (
                    cx.catalog.get(&h.value).expect("detected ids are catalog ids"),
                    h.origin,
                ),
                (None, Some(s)) => (s, f.line_origin.clone()),
                (None, None) => {
                    diags.push(unknown(
                        if line_value.trim().is_empty() {
                            format!("component `{name}`: no input names its stack or framework")
                        } else {
                            format!("component `{name}`: the catalog has no stack for `{line_value}`")
                        },
                        format!(
                            "name a framework the catalog knows, or set `components.{name}.stack` to one of: {}",
                            ids()
                        ),
                    ));
                    return None;
                }
            }
        }
    };
    if f.ci.stack.is_some()
        && let Some((path, lacks)) = repo_dir.and_then(|r| repo::missing_setting(r, cx.sources, stack))
    {
        let lacks = lacks.replace(':', ": ");
        diags.push(code::at_origin(
            Diagnostic::new(
                Code::StackNeedsSetting,
                format!(
                    "component `{name}` is set to the {} stack, but {path} lacks `{lacks}`: the image build fails",
                    stack.id
                ),
            )
            .hint(format!(
                "add `{lacks}` to {path}, or remove `components.{name}.stack` and sp picks the stack {path} asks for"
            )),
            &origin,
        ));
    }
    Some((stack, origin))
}

/// Packages the stack loads at start that the runtime stage must copy (a Next.js
/// `next.config.ts` needs `typescript`); one the folder's package.json does not list is
/// SP435, for the container would fail at start.
pub(super) fn runtime_packages(
    f: &Field,
    repo_dir: Option<&RepoDir>,
    stack: &Stack,
    diags: &mut Diagnostics,
) -> Vec<Valued<String>> {
    let mut packages = Vec::new();
    for p in repo_dir
        .map(|d| repo::runtime_packages(d, f.cx.sources, stack))
        .unwrap_or_default()
    {
        match p {
            Ok(p) => packages.push(p),
            Err((package, file)) => {
                let dir = repo_dir.map_or(".", |d| d.path.as_str());
                diags.push(
                    Diagnostic::new(
                        Code::StackNeedsSetting,
                        format!(
                            "component `{}`: the {} stack loads {file} through the `{package}` package when it starts, and {dir}/package.json does not list it: the container fails at start",
                            f.name, stack.id
                        ),
                    )
                    .at_line(file, 1, 1)
                    .hint(format!(
                        "add `{package}` to the devDependencies of {dir}/package.json and update its lock file; the image then copies it into the runtime stage"
                    )),
                );
            }
        }
    }
    packages
}

/// The role: typed `role`, the stack line's role word (`Backend:`), the stack's own.
pub(super) fn role(f: &Field, line: Option<&StackLine>, stack: &Stack) -> Valued<Role> {
    f.typed(f.ci.role, "role")
        .or_else(|| {
            line.and_then(|l| role_of(&l.role))
                .map(|r| Valued::new(r, f.line_origin.clone()))
        })
        .unwrap_or_else(|| Valued::new(stack.role, Origin::derived(format!("the {} stack", stack.id))))
}

/// The language version, and the catalog version (its images) it is. The chain: typed
/// `languageVersion`; a repository requirement that is a range (`requires-python =
/// ">=3.11"`, `engines.node: "^20"`) gives the version the team's own image runs when the
/// range allows it (the code is known to work there), else the prose version when it allows
/// that, else the newest catalog version it allows, else SP408; an exact repository version
/// (`.python-version`); the prose (`Python 3.13+`); the catalog's default. A version the
/// catalog has no pinned image for is SP408, and the catalog's nearest version is used
/// (`Stack::nearest_version`).
pub(super) fn language_version<'c>(
    f: &Field,
    stack: &'c Stack,
    detected: Option<&repo::Detected>,
    diags: &mut Diagnostics,
) -> (Valued<String>, &'c Version) {
    let name = f.name;
    let prose_wanted = prose_version(f.line_value, &stack.language).map(|v| Valued::new(v, f.line_origin.clone()));
    let from_repo = detected.and_then(|d| d.language_version.clone());
    let from_image = detected.and_then(|d| d.image_version.clone());
    let ranged = match (&f.ci.language_version, &from_repo) {
        (None, Some(req)) => version::Requirement::parse(&req.value).map(|r| (r, req.clone())),
        _ => None,
    };
    let wanted: Option<Valued<String>> = match &ranged {
        Some((r, req)) => {
            let within = from_image.iter().chain(&prose_wanted).find_map(|p| {
                let (v, matched) = stack.version(Some(&p.value));
                (matched && r.allows(&v.version)).then(|| {
                    Valued::new(
                        v.version.clone(),
                        Origin {
                            text: format!("{}, within `{}` of {}", p.origin.text, req.value, req.origin.text),
                            kind: p.origin.kind,
                        },
                    )
                })
            });
            let newest = || {
                let mut allowed: Vec<&Version> = stack.versions.iter().filter(|v| r.allows(&v.version)).collect();
                allowed.sort_by_key(|v| {
                    v.version
                        .split('.')
                        .map(|p| p.parse::<u64>().unwrap_or(0))
                        .collect::<Vec<_>>()
                });
                allowed.last().map(|v| {
                    Valued::new(
                        v.version.clone(),
                        Origin {
                            text: format!(
                                "{} (the newest catalog version within `{}`)",
                                req.origin.text, req.value
                            ),
                            kind: req.origin.kind,
                        },
                    )
                })
            };
            match within.or_else(newest) {
                Some(v) => Some(v),
                None => {
                    let known: Vec<&str> = stack.versions.iter().map(|v| v.version.as_str()).collect();
                    diags.push(code::at_origin(
                        Diagnostic::new(
                            Code::UnsupportedVersion,
                            format!(
                                "component `{name}`: no {} version with a pinned image in the catalog satisfies `{}`",
                                stack.language, req.value
                            ),
                        )
                        .hint(format!(
                            "{name} uses {} {}; the catalog has {}. Widen the requirement, or set `components.{name}.languageVersion` in the deployment block",
                            stack.language,
                            stack.versions[0].version,
                            known.join(", ")
                        )),
                        &req.origin,
                    ));
                    None
                }
            }
        }
        None => f
            .typed(f.ci.language_version.clone(), "languageVersion")
            .or(from_repo)
            .or(prose_wanted),
    };
    let (version, matched) = stack.version(wanted.as_ref().map(|w| w.value.as_str()));
    // A version without an image moves as little as it can.
    let version = match (&wanted, matched) {
        (Some(w), false) => stack.nearest_version(&w.value).unwrap_or(version),
        _ => version,
    };
    let value = match (&wanted, matched) {
        (Some(w), true) => Valued::new(version.version.clone(), w.origin.clone()),
        (Some(w), false) => {
            let known: Vec<&str> = stack.versions.iter().map(|v| v.version.as_str()).collect();
            diags.push(code::at_origin(
                Diagnostic::new(
                    Code::UnsupportedVersion,
                    format!(
                        "component `{name}`: {} {} has no pinned image in the catalog",
                        stack.language, w.value
                    ),
                )
                .hint(format!(
                    "{} uses {} {}, the catalog's nearest to it; the catalog has {}. To choose, set `components.{name}.languageVersion`",
                    name,
                    stack.language,
                    version.version,
                    known.join(", ")
                )),
                &w.origin,
            ));
            Valued::new(
                version.version.clone(),
                default_origin(&format!(
                    "{} catalog, the nearest to {} {}, which it has no image for",
                    stack.id, stack.language, w.value
                )),
            )
        }
        (None, _) => Valued::new(
            version.version.clone(),
            default_origin(&format!("{} catalog", stack.id)),
        ),
    };
    (value, version)
}

/// `Python 3.13+` → `3.13`, `Node.js 22` → `22`, `Go 1.25` → `1.25`.
fn prose_version(value: &str, language: &str) -> Option<String> {
    let names: &[String] = crate::catalog::Catalog::shared()
        .language(language)
        .map_or(&[], |l| l.names.as_slice());
    let words = crate::catalog::tokens(value);
    for (i, w) in words.iter().enumerate() {
        if names.iter().any(|n| n == w)
            && let Some(v) = words.get(i + 1)
        {
            let v = v.trim_start_matches('v');
            // `3.11+`, and an image tag's variant (`python:3.11-slim`): the number.
            let v = &v[..v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len())];
            let v = v.trim_end_matches('.');
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// The package manager: typed `packageManager`, the folder's lock file, one of the stack's
/// named in its prose line (`FastAPI, Python 3.13+, UV`), the stack's first.
pub(super) fn package_manager(f: &Field, stack: &Stack, detected: Option<&repo::Detected>) -> Valued<String> {
    f.typed(f.ci.package_manager.clone(), "packageManager")
        .or_else(|| detected.and_then(|d| d.package_manager.clone()))
        .or_else(|| {
            let words = crate::catalog::tokens(f.line_value);
            stack
                .package_managers
                .iter()
                .find(|pm| words.contains(pm))
                .map(|pm| Valued::new(pm.clone(), f.line_origin.clone()))
        })
        .unwrap_or_else(|| {
            Valued::new(
                stack.package_managers[0].clone(),
                default_origin(&format!("{} catalog", stack.id)),
            )
        })
}

/// The Dockerfile's stages and their base images, from the catalog version and the stack. The
/// uv image is a stage only where uv installs the dependencies; compiled code gets a build
/// stage on the dependency stage's image.
pub(super) fn stages(stack: &Stack, version: &Version, package_manager: &str, compiled: bool) -> Vec<Stage> {
    let mut images: Vec<(String, String)> = version
        .images
        .iter()
        .chain(stack.images.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let order = |k: &str| STAGE_ORDER.iter().position(|s| *s == k).unwrap_or(usize::MAX);
    images.sort_by_key(|(k, _)| order(k));
    if package_manager != "uv" {
        images.retain(|(k, _)| k != "uv");
    }
    let mut build_origin = None;
    if compiled
        && !images.iter().any(|(k, _)| k == "build")
        && let Some(deps) = images.iter().find(|(k, _)| k == "deps").map(|(_, v)| v.clone())
    {
        images.push(("build".into(), deps));
        images.sort_by_key(|(k, _)| order(k));
        build_origin = Some(Origin::derived(format!(
            "the {} catalog, {} {} (the deps image; the code is compiled)",
            stack.id, stack.language, version.version
        )));
    }
    images
        .into_iter()
        .map(|(n, img)| Stage {
            base: Valued::new(
                img,
                match (&build_origin, n.as_str()) {
                    (Some(o), "build") => o.clone(),
                    _ => Origin::derived(format!(
                        "the {} catalog, {} {}",
                        stack.id, stack.language, version.version
                    )),
                },
            ),
            name: n,
        })
        .collect()
}
