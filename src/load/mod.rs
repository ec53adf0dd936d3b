//! Stage 1: find the workspace and read every input file into the source table.
//!
//! This and [`crate::emit`] are the only modules that touch the disk. Everything the later
//! stages need from the outside world (files, the git branch, `SOURCE_DATE_EPOCH`) is read
//! here once and handed on as data, which keeps the middle of the pipeline pure.

pub mod builds;
mod date;
pub mod feature;
pub mod repo;
pub mod watch;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use feature::{FeatureFiles, Selection, select};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::source::{SourceId, Sources};

/// Where spec-kit keeps the constitution, in the order they are tried.
pub const CONSTITUTION_PATHS: &[&str] = &[
    "constitution.md",
    ".specify/memory/constitution.md",
    "memory/constitution.md",
];

/// Everything read from disk for one run.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub sources: Sources,
    pub constitution: Option<SourceId>,
    pub features: Vec<FeatureFiles>,
    /// Template overrides from the workspace's `templates/`, by name (`plan.md`).
    pub templates: BTreeMap<String, SourceId>,
    pub date_override: Option<String>,
    /// Component folders of the repository and what was read from them.
    pub repo: Vec<repo::RepoDir>,
    /// Folders holding projects of languages sp does not build.
    pub foreign: Vec<repo::ForeignDir>,
    /// Folders holding a Dockerfile and no project sp reads.
    pub image_dirs: Vec<repo::ImageDir>,
}

/// The folder of the record emit keeps in a feature's output folder (`emit::record::DIR`):
/// never read as input.
pub const RECORD_DIR: &str = ".sp";

/// Which feature a file belongs to, by the feature folders of a workspace.
pub struct FeatureIndex<'a> {
    root: &'a Path,
    dirs: std::collections::HashMap<&'a Path, usize>,
}

impl<'a> FeatureIndex<'a> {
    pub fn new(workspace: &'a Workspace) -> Self {
        FeatureIndex {
            root: &workspace.root,
            dirs: workspace
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| (f.dir.as_path(), i))
                .collect(),
        }
    }

    /// The index of the feature whose folder holds `path` (relative to the root, or
    /// absolute); `None` for a file every feature shares.
    pub fn of(&self, path: &Path) -> Option<usize> {
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        [path, rel]
            .into_iter()
            .flat_map(Path::ancestors)
            .find_map(|a| self.dirs.get(a).copied())
    }

    /// Where the errors in `diags` point: for each of `features` features, whether one is
    /// in its folder, and whether one is in a file every feature shares (or nowhere).
    pub fn errors(&self, diags: &Diagnostics, sources: &Sources, features: usize) -> (Vec<bool>, bool) {
        let mut own = vec![false; features];
        let mut shared = false;
        for d in diags
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        {
            let path = match &d.location {
                Some(crate::diagnostics::Location::Span(s)) => Some(sources.get(s.source).path.as_path()),
                Some(crate::diagnostics::Location::Path(p) | crate::diagnostics::Location::PathAt { path: p, .. }) => {
                    Some(p.as_path())
                }
                None => None,
            };
            match path.and_then(|p| self.of(p)) {
                Some(i) => own[i] = true,
                None => shared = true,
            }
        }
        (own, shared)
    }
}

/// Walk up from `start` to the first folder that looks like a spec-kit workspace.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|dir| dir.join("specs").is_dir() || dir.join(".specify").is_dir())
        .map(Path::to_path_buf)
}

/// Read a text file into the source table, turning unreadable and non-UTF-8 files into
/// diagnostics. `display` is the path shown to the user, relative to the workspace root
/// (`abs` is the root joined with it). A symbolic link out of the workspace is not followed,
/// a file with NUL bytes is not text, and a UTF-8 byte order mark is dropped.
pub fn read_source(sources: &mut Sources, abs: &Path, display: PathBuf, diags: &mut Diagnostics) -> Option<SourceId> {
    let text = read_text(abs, &display, diags)?;
    Some(sources.add(display, text))
}

/// The text [`read_source`] adds, or `None` with the diagnostic that says why.
/// `text` without a leading byte order mark (an editor's, on Windows): it is not part of the
/// first line, whatever the file holds.
pub(crate) fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

fn read_text(abs: &Path, display: &Path, diags: &mut Diagnostics) -> Option<String> {
    let display = display.to_path_buf();
    let root = abs.ancestors().nth(display.components().count());
    if let Some(root) = root
        && let (Ok(real), Ok(real_root)) = (std::fs::canonicalize(abs), std::fs::canonicalize(root))
        && !real.starts_with(&real_root)
    {
        diags.push(
            Diagnostic::new(
                Code::OutsideWorkspace,
                "a symbolic link to a file outside the workspace; not read",
            )
            .at_path(display)
            .hint("copy the file into the workspace instead of linking to it"),
        );
        return None;
    }
    match std::fs::read(abs) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                if let Some(at) = text.find('\0') {
                    let line = text[..at].matches('\n').count() + 1;
                    diags.push(
                        Diagnostic::new(
                            Code::NulByte,
                            format!("NUL byte at line {line} (byte {at}); the file is not read"),
                        )
                        .at_path(display)
                        .hint("this is not a text document; save it as plain UTF-8 Markdown"),
                    );
                    return None;
                }
                let mut text = without_bom(text);
                // An input may be kept for the whole run (diagnostics quote it at the end).
                text.shrink_to_fit();
                Some(text)
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
                diags.push(
                    Diagnostic::new(Code::InvalidUtf8, format!("not valid UTF-8 (byte {at}, line {line})"))
                        .at_path(display)
                        .hint("save the file as UTF-8; spec-kit documents are Markdown text"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(
                Diagnostic::new(Code::UnreadableFile, format!("cannot read: {e}"))
                    .at_path(display)
                    .hint("check the file's permissions, or that it is a file and not a folder"),
            );
            None
        }
    }
}

/// Load the workspace at `root` with the features in `selection`.
pub fn load(root: &Path, selection: &Selection, diags: &mut Diagnostics) -> Result<Workspace> {
    load_with(root, selection, diags, false)
}

/// [`load`], except that each feature's own files (spec.md, plan-input.md, plan.md) are
/// only reserved: the feature reads them when it is compiled ([`FeatureFiles::read_reserved`])
/// and drops them with its overlay of the source table, so memory does not grow with the
/// number of features.
pub fn load_deferred(root: &Path, selection: &Selection, diags: &mut Diagnostics) -> Result<Workspace> {
    load_with(root, selection, diags, true)
}

fn load_with(root: &Path, selection: &Selection, diags: &mut Diagnostics, deferred: bool) -> Result<Workspace> {
    let mut sources = Sources::default();
    let features = feature::discover(root)?;
    let git_branch = git_branch(root);
    let chosen = select(&features, selection, git_branch.as_deref())?;
    if *selection == Selection::All {
        for name in feature::documentation_folders(root) {
            if feature::grouped_features(root, &name).is_empty() {
                diags.push(
                    Diagnostic::new(
                        Code::NotAFeatureFolder,
                        format!("specs/{name}/ is not a feature: it has no spec.md and is not numbered like one (`NNN-slug`), so it is not compiled"),
                    )
                    .hint(format!("to compile it, write specs/{name}/spec.md with spec-kit's /specify command"))
                    .at_path(Path::new("specs").join(&name)),
                );
            }
        }
    }
    for (dir, kept) in feature::shadowed(root, &features) {
        let (shown, kept) = (crate::source::display_path(&dir), crate::source::display_path(&kept));
        let parent = shown.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        diags.push(
            Diagnostic::new(
                Code::ShadowedFeature,
                format!("{shown}/ is not compiled: a feature is named by its folder, and `{name}` is already {kept}/"),
            )
            .hint(format!(
                "rename one of them (`git mv {shown} {parent}/<NNN-slug>`): both would write out/{name}/"
            ))
            .at_path(dir),
        );
    }

    let mut constitution = None;
    let found = CONSTITUTION_PATHS.iter().find(|p| root.join(p).is_file());
    match found {
        Some(rel) => constitution = read_source(&mut sources, &root.join(rel), PathBuf::from(rel), diags),
        None => diags.push(
            Diagnostic::new(Code::MissingConstitution, "no constitution.md in this workspace")
                .at_path(
                    root.join("constitution.md")
                        .strip_prefix(root)
                        .unwrap_or(Path::new("constitution.md")),
                )
                .hint(format!(
                    "looked for {}; create one with spec-kit's /constitution command",
                    CONSTITUTION_PATHS.join(", ")
                )),
        ),
    }

    let mut loaded = Vec::new();
    for mut f in chosen {
        if deferred {
            f.reserve(root, &mut sources, diags);
        } else {
            f.read(root, &mut sources, diags);
        }
        loaded.push(f);
    }

    let mut templates = BTreeMap::new();
    let tdir = root.join("templates");
    if tdir.is_dir() {
        for rel in walk_files(&tdir)? {
            let name = crate::source::display_path(&rel);
            let display = Path::new("templates").join(&rel);
            if let Some(doc) = name.strip_suffix(".hbs") {
                diags.push(
                    Diagnostic::new(
                        Code::HandlebarsTemplate,
                        format!(
                            "`{}` is a handlebars template; sp's templates are Jinja",
                            display.display()
                        ),
                    )
                    .at_path(crate::source::display_path(&display))
                    .hint(format!(
                        "rename it to `templates/{doc}.jinja` and rewrite its tags in Jinja \
                         (`{{{{#each xs}}}}` → `{{% for x in xs %}}`, `{{{{#if a}}}}` → `{{% if a %}}`); \
                         `sp explain SP502` lists every change, and `sp init --templates` writes the \
                         built-in templates in Jinja to start from"
                    )),
                );
                continue;
            }
            let Some(name) = name.strip_suffix(".jinja") else {
                continue;
            };
            if let Some(id) = read_source(&mut sources, &tdir.join(&rel), display, diags) {
                templates.insert(name.to_string(), id);
            }
        }
    }

    let (mut repo, foreign, image_dirs) = repo::scan(root, &mut sources, diags);
    builds::attach(root, &mut repo, &mut sources, diags);

    Ok(Workspace {
        repo,
        foreign,
        image_dirs,
        root: root.to_path_buf(),
        sources,
        constitution,
        features: loaded,
        templates,
        date_override: date::source_date_epoch().map_err(Error::Usage)?,
    })
}

/// A workspace built from texts instead of the disk (for fuzzing and tests): an optional
/// constitution and features as `(folder name, spec.md, plan-input.md)`. Nothing is read;
/// the date is fixed so the output does not depend on the clock.
pub fn in_memory(constitution: Option<&str>, features: &[(&str, &str, Option<&str>)]) -> Workspace {
    let mut sources = Sources::default();
    let constitution = constitution.map(|t| sources.add(PathBuf::from("constitution.md"), t.to_string()));
    let features = features
        .iter()
        .map(|(name, spec, input)| {
            let dir = Path::new("specs").join(name);
            FeatureFiles {
                spec: Some(sources.add(dir.join("spec.md"), spec.to_string())),
                plan_input: input.map(|t| sources.add(dir.join("plan-input.md"), t.to_string())),
                existing_plan: None,
                reserved: false,
                name: name.to_string(),
                dir,
            }
        })
        .collect();
    Workspace {
        root: PathBuf::from("."),
        sources,
        constitution,
        features,
        templates: BTreeMap::new(),
        date_override: Some("2026-01-01".into()),
        repo: Vec::new(),
        foreign: Vec::new(),
        image_dirs: Vec::new(),
    }
}

/// Files below `dir`, relative to it, sorted so the run never depends on directory order.
fn walk_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        let entries = std::fs::read_dir(&abs).map_err(|e| Error::io(&abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&abs, e))?;
            let path = rel.join(entry.file_name());
            let ft = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The current branch, read from `.git/HEAD` without running git.
fn git_branch(root: &Path) -> Option<String> {
    let git = root.join(".git");
    let head_path = if git.is_file() {
        // A worktree: `.git` is a file pointing at the real git dir.
        let text = std::fs::read_to_string(&git).ok()?;
        let dir = text.strip_prefix("gitdir:")?.trim();
        root.join(dir).join("HEAD")
    } else {
        git.join("HEAD")
    };
    let head = std::fs::read_to_string(head_path).ok()?;
    head.trim().strip_prefix("ref: refs/heads/").map(str::to_string)
}

/// The folder (relative to `root`) and name of the one feature `selection` names, for
/// commands that write into it.
pub fn feature_dir(root: &Path, selection: &Selection) -> Result<(PathBuf, String)> {
    let features = feature::discover(root)?;
    let chosen = select(&features, selection, git_branch(root).as_deref())?;
    match chosen.as_slice() {
        [one] => Ok((one.dir.clone(), one.name.clone())),
        _ => Err(Error::Usage(
            "plan input text needs exactly one feature; name it".into(),
        )),
    }
}

/// The feature folders `queries` name, when every one of them names exactly one feature
/// (`sp plan 006 004`); `None` when any of them is not a feature name, so it is text.
pub fn feature_names(root: &Path, queries: &[String]) -> Result<Option<Vec<String>>> {
    let features = feature::discover(root)?;
    let mut out = Vec::new();
    for q in queries {
        match select(&features, &Selection::Named(q.clone()), None) {
            Ok(found) => out.extend(found.into_iter().map(|f| f.name)),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// The files `sp check --artifacts` read (path, text), and those it could not (path, reason).
pub type ArtifactFiles = (Vec<(String, String)>, Vec<(String, &'static str)>);

/// Every text file below `dir` that `sp check --artifacts` can judge (YAML, Dockerfiles,
/// `.dockerignore`, chart files), relative to `dir`, sorted. Folders of dependencies and version
/// control, and sp's own record of what it wrote (`.sp/`, not an artifact), are left out. Files that cannot be read as text (unreadable, over 1 MiB, not UTF-8)
/// come back in the second list with the reason, for the caller to report.
pub fn artifact_files(dir: &Path) -> Result<ArtifactFiles> {
    const MAX: u64 = 1024 * 1024;
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    for rel in walk_files(dir)? {
        let shown = crate::source::display_path(&rel);
        if shown
            .split('/')
            .any(|c| matches!(c, ".git" | "node_modules" | ".venv" | "target") || c == RECORD_DIR)
        {
            continue;
        }
        let abs = dir.join(&rel);
        if std::fs::metadata(&abs).map(|m| m.len() > MAX).unwrap_or(true) {
            dropped.push((shown, "larger than 1 MiB (or unreadable): not read"));
            continue;
        }
        let Ok(bytes) = std::fs::read(&abs) else {
            dropped.push((shown, "could not be read"));
            continue;
        };
        match String::from_utf8(bytes) {
            Ok(text) => out.push((shown, text)),
            Err(_) => dropped.push((shown, "not UTF-8 text: not read")),
        }
    }
    Ok((out, dropped))
}
