//! The component's source folder, and SP414 when sp cannot tell which folder holds its code.

use std::collections::BTreeSet;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::deploy::{Component, Role, Valued};
use crate::model::{Origin, OriginKind};
use crate::source::SourceId;

use super::super::{DeployInputs, code, default_origin, discover, repo};
use super::Field;

/// Why a component has no source folder: none is named like it, or several nested ones are
/// (reported where they are found).
const NO_FOLDER: &str = "no component folder in the repository";
const SEVERAL_FOLDERS: &str = "several folders could be its source";

/// The source folder, and whether several folders could have been it (reported here, so the
/// component is not reported again as having none). The chain: typed `sourceDir`; the folder
/// discovery found the component in; the folder a script of the repository builds an image of
/// the component's name from (`docker build -f dockerfiles/mcp.Dockerfile backend` for
/// `mcp-server`), before the folders named like its role, which are another component's
/// guess; a top-level folder named like the component or its role; the only folder with that
/// word in its name (`frontend-web`) or one level down (`phase4/backend`), or of several one
/// level down the one the feature's inputs place (`phase4/` heading the plan's Source Code
/// tree) or the one under a folder named after the feature; the root project when it
/// packages a folder of that name.
pub(super) fn source_dir(
    f: &Field,
    named: &discover::Named,
    role_guess: Option<Role>,
    used_dirs: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> (Valued<Option<String>>, bool) {
    let (cx, name) = (f.cx, f.name);
    if let Some(d) = &f.ci.source_dir {
        let d = d.trim_end_matches('/').to_string();
        let origin = (f.t)(&f.key("sourceDir"));
        if !cx.repo.iter().any(|r| r.path == d) {
            diags.push(code::at_origin(
                folder_unknown(
                    name,
                    &d,
                    format!("its source folder `{d}` holds no project sp reads (no manifest: pyproject.toml, requirements.txt, package.json, go.mod, Cargo.toml)"),
                    format!("give the folder that holds the component's manifest, relative to the repository root (`components.{name}.sourceDir: <folder>`); sp reads folders at the top level, one level below, and under apps/, services/ and packages/"),
                ),
                &origin,
            ));
        }
        return (Valued::new(Some(d), origin), false);
    }
    if named.dir.is_some() {
        let origin = named
            .line
            .as_ref()
            .map(|l| l.origin.clone())
            .unwrap_or_else(|| default_origin("discovered"));
        return (Valued::new(named.dir.clone(), origin), false);
    }
    let own_folder = cx.repo.iter().any(|d| {
        !d.nested && (d.path == name || d.path.ends_with(&format!("/{name}"))) && !used_dirs.contains(&d.path)
    });
    if !own_folder && let Some((dir, image)) = repo::image_anywhere(cx.repo, name) {
        let origin = Origin {
            text: format!(
                "repository: {} builds it (`{}`)",
                repo::image_origin(image, cx.sources),
                image.command
            ),
            kind: OriginKind::Input,
        };
        return (Valued::new(Some(dir.path.clone()), origin), false);
    }

    let mut wanted = vec![name.to_string()];
    if let Some(r) = role_guess {
        wanted.extend(dir_aliases(r).iter().map(|s| s.to_string()));
    }
    let found = wanted.iter().find_map(|w| {
        cx.repo
            .iter()
            .find(|d| !d.nested && (d.path == *w || d.path.ends_with(&format!("/{w}"))) && !used_dirs.contains(&d.path))
    });
    // Else a folder with the name as a word of its own (`frontend-web`, `todo_api`), or one
    // level inside another (`phase4/backend`), when it is the only one so named; several are
    // reported, and none is guessed.
    let compound: Vec<&RepoDir> = cx
        .repo
        .iter()
        .filter(|_| found.is_none())
        .filter(|d| !d.nested && d.path != "." && !used_dirs.contains(&d.path))
        .filter(|d| {
            discover::folder_words(d.leaf()).is_some_and(|words| {
                words.len() > 1 && words.iter().any(|x| wanted.iter().any(|w| x.eq_ignore_ascii_case(w)))
            })
        })
        .collect();
    let nested: Vec<&RepoDir> = cx
        .repo
        .iter()
        .filter(|d| d.nested && wanted.iter().any(|w| d.leaf() == w) && !used_dirs.contains(&d.path))
        .collect();
    let candidates = if compound.is_empty() { nested } else { compound };
    if found.is_none()
        && candidates.len() > 1
        && let Some((d, origin)) = named_by_inputs(cx, &candidates).or_else(|| named_after_feature(cx, &candidates))
    {
        return (Valued::new(Some(d.path.clone()), origin), false);
    }
    let mut several_folders = false;
    let found = found.or(match candidates.as_slice() {
        [only] if !only.ambiguous(cx.repo) => Some(*only),
        [] | [_] => None,
        several => {
            several_folders = true;
            let listed: Vec<String> = several.iter().map(|d| format!("{}/", d.path)).collect();
            diags.push(code::at_origin(
                folder_unknown(
                    name,
                    name,
                    format!(
                        "no top-level folder is named exactly like it, and {} folders could be it ({}); sp does not guess which one holds its code",
                        several.len(),
                        listed.join(", ")
                    ),
                    format!(
                        "name the folder in the deployment block of plan-input.md: `components.{name}.sourceDir: {}` (or `--set components.{name}.sourceDir=<folder>`)",
                        several.last().map_or("<folder>", |d| d.path.as_str())
                    ),
                ),
                &f.line_origin,
            ));
            None
        }
    });
    let value = match found {
        Some(d) => Valued::new(
            Some(d.path.clone()),
            Origin {
                text: format!("repository: {}/ exists", d.path),
                kind: OriginKind::Input,
            },
        ),
        None => match packaged(f, &wanted, used_dirs) {
            Some((d, why)) => Valued::new(
                Some(d.path.clone()),
                Origin {
                    text: why,
                    kind: OriginKind::Input,
                },
            ),
            None if several_folders => Valued::new(None, default_origin(SEVERAL_FOLDERS)),
            None => Valued::new(None, default_origin(NO_FOLDER)),
        },
    };
    (value, several_folders)
}

/// Of several folders one level inside others that could hold the component
/// (`phase3/backend`, `phase4/backend`), the only one whose parent folder the feature's own
/// spec or plan input names as a path: the root of the plan's Source Code tree
/// (`phase4/` over `├── backend/`) or a path through it (`cd phase4/backend`). The team said
/// where this feature's code lives. When the inputs name several of them, or none, sp does
/// not choose.
fn named_by_inputs<'r>(cx: &DeployInputs, candidates: &[&'r RepoDir]) -> Option<(&'r RepoDir, Origin)> {
    let texts: Vec<SourceId> = cx
        .spec
        .source
        .into_iter()
        .chain(cx.plan_input.map(|p| p.start.source))
        .collect();
    let named = candidates.iter().filter_map(|d| {
        let (parent, _) = d.path.rsplit_once('/')?;
        texts.iter().find_map(|id| {
            let file = cx.sources.get(*id);
            path_mention(&file.text, parent).map(|at| {
                let text = format!("{}:{} names {parent}/", file.display_path(), file.line_of(at));
                (
                    *d,
                    Origin {
                        text,
                        kind: OriginKind::Input,
                    },
                )
            })
        })
    });
    only_one(named)
}

/// Of several folders one level inside others, the only one whose parent is named after the
/// feature: its name holds the feature's words in order (`phase5-advanced-cloud-deployment/`
/// for `005-advanced-cloud-deployment`). Repositories that keep one folder per phase name it
/// so.
fn named_after_feature<'r>(cx: &DeployInputs, candidates: &[&'r RepoDir]) -> Option<(&'r RepoDir, Origin)> {
    let named = candidates.iter().filter_map(|d| {
        let (parent, _) = d.path.rsplit_once('/')?;
        let leaf = parent.rsplit('/').next().unwrap_or(parent);
        folder_named_after(leaf, cx.feature).then(|| {
            let text = format!("repository: {parent}/ is named after the feature {}", cx.feature);
            (
                *d,
                Origin {
                    text,
                    kind: OriginKind::Input,
                },
            )
        })
    });
    only_one(named)
}

/// The one item `items` yields; `None` for none or several (sp does not choose).
fn only_one<T>(mut items: impl Iterator<Item = T>) -> Option<T> {
    let first = items.next()?;
    items.next().is_none().then_some(first)
}

/// Whether the words of `folder` hold the words of the feature's name (its number left out),
/// in order and next to each other.
fn folder_named_after(folder: &str, feature: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(['-', '_', '.', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let slug = words(feature.trim_start_matches(|c: char| c.is_ascii_digit()));
    let folder = words(folder);
    !slug.is_empty() && slug.len() <= folder.len() && folder.windows(slug.len()).any(|w| w == slug.as_slice())
}

/// Where `text` first names the folder `dir` as a path from the repository root: `dir/`, or
/// `/dir/`, not preceded by a character of a longer name or path (`phase4/` is not named by
/// `old-phase4/` nor by `x/phase4/`).
fn path_mention(text: &str, dir: &str) -> Option<usize> {
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    let pattern = format!("{dir}/");
    text.match_indices(&pattern).map(|(at, _)| at).find(|&at| {
        let before = text[..at].strip_suffix('/').unwrap_or(&text[..at]);
        before.chars().next_back().is_none_or(|c| !name_char(c))
    })
}

/// A folder without a manifest of its own that the root project packages (a root
/// `pyproject.toml` declaring the package `backend`): the component is the root project,
/// built from the workspace root.
fn packaged<'a>(f: &Field<'a>, wanted: &[String], used_dirs: &BTreeSet<String>) -> Option<(&'a RepoDir, String)> {
    let root =
        f.cx.repo
            .iter()
            .find(|d| d.path == "." && !used_dirs.contains(&d.path))?;
    wanted.iter().find_map(|w| {
        let prefix = format!("{w}/");
        root.sources
            .iter()
            .any(|id| f.cx.sources.get(*id).display_path().starts_with(&prefix))
            .then(|| {
                let manifest = ["pyproject.toml", "package.json", "requirements.txt", "go.mod"]
                    .into_iter()
                    .find(|m| root.files.contains_key(*m))
                    .unwrap_or("manifest");
                (
                    root,
                    format!("repository: {w}/ is part of the project declared by the root {manifest}"),
                )
            })
    })
}

/// SP414 for each component no folder is named like, when other components of the same
/// deployment found theirs: the repository holds the code, and this component's is not where
/// sp looks (before any code exists, a spec-first plan, nothing is reported).
///
/// A component that only the constitution's technology stack names (`- **MCP Server**: …`, a
/// project-wide list, not this feature's inputs) is not deployed when the repository holds the
/// other components' code and nothing of its own: it runs inside one of them or elsewhere, and
/// its image would build from a folder that does not exist. Returns the indices to drop.
pub fn report_missing_folders(
    components: &[Component],
    unfound: &[(usize, Origin)],
    constitution: Option<&str>,
    in_block: &dyn Fn(&str) -> bool,
    diags: &mut Diagnostics,
) -> Vec<usize> {
    let mut dropped = Vec::new();
    let taken: Vec<&str> = components
        .iter()
        .filter_map(|c| c.source_dir.value.as_deref())
        .collect();
    if taken.is_empty() {
        return dropped;
    }
    for (i, line) in unfound {
        let c = &components[*i];
        let name = c.name.as_str();
        let mut wanted = vec![name];
        wanted.extend(dir_aliases(c.role.value).iter().copied().filter(|a| *a != name));
        let (used, free): (Vec<&str>, Vec<&str>) = wanted.iter().partition(|w| taken.contains(w));
        let free: Vec<String> = free.iter().map(|w| format!("{w}/")).collect();
        let used = match used.as_slice() {
            [] => String::new(),
            u => format!(
                ", and {} another component's",
                u.iter().map(|w| format!("{w}/ is")).collect::<Vec<_>>().join(", ")
            ),
        };
        let only_constitution = !in_block(name)
            && constitution.is_some_and(|p| {
                line.source()
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
            });
        if only_constitution {
            dropped.push(*i);
            let d = Diagnostic::new(
                Code::SourceFolderUnknown,
                format!(
                    "component `{name}`: only the constitution's technology stack names it, and no folder of the repository is named like it ({}){used}, so it is not deployed: its image would build from a `{name}/` that does not exist",
                    free.join(", ")
                ),
            )
            .hint(format!(
                "if it runs inside another component, nothing is missing; if this feature deploys it, name it in the feature's plan input with its folder: `components.{name}.sourceDir: <folder>` in the deployment block of plan-input.md"
            ));
            diags.push(code::at_origin(d, line));
            continue;
        }
        let d = folder_unknown(
            name,
            name,
            format!(
                "no folder of the repository is named like it ({}){used}",
                free.join(", ")
            ),
            format!(
                "name the folder that holds its code: `components.{name}.sourceDir: <folder>` in the deployment block of plan-input.md; two components may share a folder, each with its own start command (`components.{name}.command: [...]`)"
            ),
        );
        diags.push(code::at_origin(d, line));
    }
    dropped
}

/// SP414: `why` sp found no source folder for component `name`, and what that costs (its
/// image builds from `from/`, whatever is there).
fn folder_unknown(name: &str, from: &str, why: String, hint: String) -> Diagnostic {
    Diagnostic::new(
        Code::SourceFolderUnknown,
        format!(
            "component `{name}`: {why}, so sp read none of its source: its image builds from `{from}/`, and its entry point, port and variables are the catalog's defaults"
        ),
    )
    .hint(hint)
}

/// Folder names a component of each role is looked for under, besides its own name.
fn dir_aliases(role: Role) -> &'static [&'static str] {
    match role {
        Role::Frontend => &["frontend", "web", "client", "ui", "app"],
        Role::Backend => &["backend", "api", "server"],
        Role::Worker => &["worker", "workers", "jobs"],
    }
}

#[cfg(test)]
mod tests {
    use super::{folder_named_after, path_mention};

    #[test]
    fn a_folder_named_after_the_feature() {
        assert!(folder_named_after(
            "phase5-advanced-cloud-deployment",
            "005-advanced-cloud-deployment"
        ));
        assert!(folder_named_after(
            "phase4_kubernetes_deployment",
            "004-kubernetes-deployment"
        ));
        assert!(folder_named_after("kubernetes-deployment", "004-kubernetes-deployment"));
        // The words in another order, or only some of them, do not count.
        assert!(!folder_named_after(
            "phase4-deployment-kubernetes",
            "004-kubernetes-deployment"
        ));
        assert!(!folder_named_after("phase4-kubernetes", "004-kubernetes-deployment"));
        assert!(!folder_named_after("phase4", "004"));
    }

    #[test]
    fn a_folder_is_named_as_a_path_from_the_root() {
        assert_eq!(path_mention("phase4/\n├── backend/", "phase4"), Some(0));
        assert_eq!(path_mention("cd phase4/backend", "phase4"), Some(3));
        assert_eq!(path_mention("see `/phase4/tests`", "phase4"), Some(6));
        // A longer name, or the folder inside another, is not it.
        assert_eq!(path_mention("old-phase4/ x/phase4/ phase4", "phase4"), None);
        assert_eq!(path_mention("nophase4/backend", "phase4"), None);
    }
}
