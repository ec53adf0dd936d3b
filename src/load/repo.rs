//! The repository around the specs: component folders and the files that say what they are.
//!
//! A component folder is a direct sub-folder of the workspace root (or of `apps/`,
//! `services/`, `packages/`), or the root itself, holding a manifest `sp` understands. Only
//! the files that decide something are read (package and lock files, framework configs,
//! `.env.example`, the team's own Dockerfile and Procfile, compose files at the root), plus
//! a bounded, sorted scan of source files: what starts the component, its port, the
//! variables it reads and its health routes are read from them (`parse::source`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::is_dockerfile_name;
use crate::diagnostics::Diagnostics;
use crate::source::{SourceId, Sources, display_path};

/// What detection reads, from the catalog's languages (`src/catalog/stacks.yaml`).
struct Detection {
    /// Files whose presence identifies a component folder.
    manifests: Vec<&'static str>,
    /// Manifests that make the workspace root itself a component.
    root_manifests: Vec<&'static str>,
    /// Files read when present: they decide a stack, a version, a package manager or
    /// configuration keys.
    read: Vec<&'static str>,
    /// Files whose mere presence matters (lock files).
    presence: Vec<&'static str>,
    /// Extensions of the source files scanned.
    source_extensions: Vec<&'static str>,
}

fn detection() -> Detection {
    let catalog = crate::catalog::Catalog::shared();
    let mut d = Detection {
        manifests: Vec::new(),
        root_manifests: Vec::new(),
        read: Vec::new(),
        presence: Vec::new(),
        source_extensions: Vec::new(),
    };
    fn add<'a>(to: &mut Vec<&'a str>, items: impl IntoIterator<Item = &'a str>) {
        for i in items {
            if !to.contains(&i) {
                to.push(i);
            }
        }
    }
    for l in &catalog.languages {
        add(&mut d.manifests, l.manifests.iter().map(String::as_str));
        add(&mut d.root_manifests, l.root_manifests.iter().map(String::as_str));
        add(&mut d.read, l.read_files());
        add(&mut d.presence, l.presence.iter().map(String::as_str));
        add(&mut d.source_extensions, l.source_extensions.iter().map(String::as_str));
    }
    add(&mut d.read, crate::catalog::EVERY_FOLDER_READS.iter().copied());
    d
}

/// Compose files, read at the workspace root: their services name build contexts.
const COMPOSE: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Folders under which components may be grouped.
const GROUPS: &[&str] = &["apps", "services", "packages"];

/// Folders never taken for components.
const SKIP: &[&str] = &[
    "node_modules",
    "target",
    "out",
    "specs",
    "templates",
    "tests",
    "docs",
    ".git",
    ".specify",
    "vendor",
];

/// How much of the source is read.
const MAX_SOURCE_FILES: usize = 200;
const MAX_SOURCE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub struct RepoDir {
    /// Relative to the workspace root, forward slashes (`web`, `services/api`); `.` for a
    /// project at the root itself.
    pub path: String,
    /// File name → source id of the files that were read.
    pub files: BTreeMap<String, SourceId>,
    /// Lock files and other files that were only checked for.
    pub present: Vec<String>,
    /// Source files, breadth first and sorted, at most [`MAX_SOURCE_FILES`] of at most
    /// [`MAX_SOURCE_BYTES`] each; `__init__.py` files are among them (they decide packages).
    pub sources: Vec<SourceId>,
    /// Compose files at the workspace root (shared by every folder).
    pub compose: Vec<SourceId>,
    /// Found one level inside a folder that is neither a project nor a group (`phase4/backend`):
    /// never discovered as a component on its own, used when an input names it or when it is
    /// the only folder a component's name matches.
    pub nested: bool,
    /// Images a script of the repository builds from this folder with a Dockerfile kept
    /// elsewhere (`load/builds.rs`).
    pub images: Vec<TeamImage>,
    /// Dockerfiles of the folder a script builds it with (`docker build -f
    /// backend/Dockerfile.prod backend`), other than its plain `Dockerfile`: the team's
    /// choice among the folder's Dockerfiles (`load/builds.rs`).
    pub built_with: Vec<BuiltWith>,
    /// Its folders to [`FOLDER_DEPTH`] levels (`src`, `src/lib`), relative to it, sorted:
    /// whether a folder its source imports is in the repository, where [`Self::sources`]
    /// stops at a count.
    pub folders: Vec<String>,
}

/// How deep [`RepoDir::folders`] lists.
pub const FOLDER_DEPTH: usize = 3;

/// A Dockerfile inside the folder a script names for its build.
#[derive(Debug, Clone)]
pub struct BuiltWith {
    /// Relative to the folder, a key of [`RepoDir::files`] (`Dockerfile.prod`).
    pub name: String,
    /// The script, and the 1-based line of the command.
    pub script: SourceId,
    pub line: usize,
}

/// An image a script builds from a folder: `docker build -f dockerfiles/mcp.Dockerfile backend`.
#[derive(Debug, Clone)]
pub struct TeamImage {
    /// The Dockerfile, read (shown at its place in the repository).
    pub dockerfile: SourceId,
    /// What the command calls the image, lowercased: the Dockerfile's own name (`mcp`) and the
    /// tag's repository name (`ai-todo-mcp`).
    pub names: Vec<String>,
    /// The script, and the 1-based line of the command.
    pub script: SourceId,
    pub line: usize,
    /// The command with its paths as paths of the repository.
    pub command: String,
}

impl RepoDir {
    /// The repository path of file `name` of this folder, as the repository names it:
    /// `backend/requirements.txt`, and `requirements.txt` (not `./requirements.txt`) at the root.
    pub fn path_of(&self, name: &str) -> String {
        crate::source::join_relative(&self.path, name).unwrap_or_else(|| name.to_string())
    }

    /// Whether the folder holds file `name`, read (`files`) or only seen (`present`).
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name) || self.present.iter().any(|p| p == name)
    }

    /// The folder's own name (`backend` for `phase4/backend`).
    pub fn leaf(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// A nested folder whose name another folder of the repository also has
    /// (`phase3/backend` beside `phase4/backend`): which one a component means is unknown.
    pub fn ambiguous(&self, repo: &[RepoDir]) -> bool {
        self.nested && repo.iter().any(|o| o.path != self.path && o.leaf() == self.leaf())
    }
}

/// A folder at the top of the repository (or under `apps/`, `services/`…) that holds a
/// `Dockerfile` and no project sp reads: an image the team builds from files sp does not
/// know, kept so that resolve can say when no component builds it.
#[derive(Debug, Clone)]
pub struct ImageDir {
    pub path: String,
    /// The `Dockerfile`, read so that a report can point at it.
    pub dockerfile: SourceId,
}

/// A folder holding a project of a language sp does not build (`catalog::Foreign`): never a
/// component, kept so that discovery can say it saw the folder and left it out.
#[derive(Debug, Clone)]
pub struct ForeignDir {
    /// As [`RepoDir::path`].
    pub path: String,
    /// The language, as the catalog names it (`Java (Maven)`).
    pub language: String,
    /// The manifest that says so, read so that a report can point at it.
    pub manifest: SourceId,
    /// As [`RepoDir::nested`].
    pub nested: bool,
}

/// The names of the files (not folders) in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The first manifest of a language sp does not build in `dir`, with the language.
fn foreign_manifest(dir: &Path) -> Option<(String, &'static str)> {
    let names = file_names(dir);
    crate::catalog::Catalog::shared().foreign.iter().find_map(|f| {
        let name = names.iter().find(|n| f.is_manifest(n))?;
        Some((name.clone(), f.language.as_str()))
    })
}

/// What [`scan`] finds: the component folders, the folders of languages sp does not build,
/// and the folders that hold only a Dockerfile.
pub type Scan = (Vec<RepoDir>, Vec<ForeignDir>, Vec<ImageDir>);

/// Find component folders below `root` and read what decides their stack; the folders that
/// hold a project of a language sp does not build; and those that hold only a Dockerfile.
pub fn scan(root: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> Scan {
    let detection = detection();
    let mut compose = Vec::new();
    for f in COMPOSE {
        let abs = root.join(f);
        if abs.is_file()
            && let Some(id) = super::read_source(sources, &abs, PathBuf::from(f), diags)
        {
            compose.push(id);
        }
    }
    let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
    for dir in subdirs(root) {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if GROUPS.contains(&name.as_str()) {
            candidates.extend(subdirs(&dir).into_iter().map(|d| (d, false)));
        } else if detection.manifests.iter().any(|m| dir.join(m).is_file()) {
            candidates.push((dir, false));
        } else {
            // A folder that is no project itself may hold projects one level down
            // (`phase4/backend`): read them, so a component can name one, and so sp can say
            // which folders a component's name could mean. It may also be a project of a
            // language sp does not build.
            candidates.push((dir.clone(), false));
            candidates.extend(subdirs(&dir).into_iter().map(|d| (d, true)));
        }
    }
    // A project at the root itself (`.`), for repositories that are one application.
    let root_project = detection.root_manifests.iter().any(|m| root.join(m).is_file());
    if root_project {
        candidates.push((root.to_path_buf(), false));
    }
    let mut out = Vec::new();
    let mut foreign = Vec::new();
    let mut images = Vec::new();
    for (dir, nested) in candidates {
        let rel = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
        if !detection.manifests.iter().any(|m| dir.join(m).is_file()) {
            if let Some((file, language)) = foreign_manifest(&dir)
                && let Some(id) = super::read_source(sources, &dir.join(&file), rel.join(&file), diags)
            {
                foreign.push(ForeignDir {
                    path: display_path(&rel),
                    language: language.to_string(),
                    manifest: id,
                    nested,
                });
            } else if !nested
                && dir.join("Dockerfile").is_file()
                && let Some(id) = super::read_source(sources, &dir.join("Dockerfile"), rel.join("Dockerfile"), diags)
            {
                images.push(ImageDir {
                    path: display_path(&rel),
                    dockerfile: id,
                });
            }
            continue;
        }
        let is_root = rel.as_os_str().is_empty();
        let mut rd = RepoDir {
            path: if is_root { ".".into() } else { display_path(&rel) },
            nested,
            compose: compose.clone(),
            ..Default::default()
        };
        for f in &detection.read {
            let abs = dir.join(f);
            if abs.is_file()
                && let Some(id) = super::read_source(sources, &abs, rel.join(f), diags)
            {
                rd.files.insert(f.to_string(), id);
            }
        }
        // The team's other Dockerfiles (`Dockerfile.prod`, `api.Dockerfile`, `docker/Dockerfile`):
        // which one is its image, if any, is resolve's decision
        // (`resolve/deploy/repo.rs::team_dockerfile`).
        for name in other_dockerfiles(&dir, &detection) {
            if let Some(id) = super::read_source(sources, &dir.join(&name), rel.join(&name), diags) {
                rd.files.insert(name, id);
            }
        }
        // The requirements files the folder's Dockerfiles copy besides requirements.txt
        // (`COPY src/requirements.txt .`): the one the team's image installs may be the one
        // the code needs (`resolve/deploy/repo.rs::team_requirements`).
        let mut queue = vec!["requirements.txt".to_string()];
        let dockerfiles: Vec<SourceId> = rd
            .files
            .iter()
            .filter(|(name, _)| is_dockerfile_name(name.rsplit('/').next().unwrap_or(name)))
            .map(|(_, id)| *id)
            .collect();
        for id in dockerfiles {
            for (file, _) in copied_requirements(&sources.get(id).text, &rd.path) {
                let abs = dir.join(&file);
                if rd.files.contains_key(&file) || !abs.is_file() {
                    continue;
                }
                if let Some(id) = super::read_source(sources, &abs, rel.join(&file), diags) {
                    rd.files.insert(file.clone(), id);
                    queue.push(file);
                }
            }
        }
        // The requirements and constraints files requirements.txt pulls in (`-r base.txt`,
        // `-c constraints.txt`), inside the folder: what the image installs is in them too.
        while let Some(file) = queue.pop() {
            let Some(id) = rd.files.get(&file).copied() else {
                continue;
            };
            let includes: Vec<String> = sources
                .get(id)
                .text
                .lines()
                .filter_map(|l| requirement_include(&file, l).map(|(_, inc)| inc))
                .collect();
            for inc in includes {
                let abs = dir.join(&inc);
                if rd.files.contains_key(&inc) || rd.files.len() >= 64 || !abs.is_file() {
                    continue;
                }
                if let Some(id) = super::read_source(sources, &abs, rel.join(&inc), diags) {
                    rd.files.insert(inc.clone(), id);
                    queue.push(inc);
                }
            }
        }
        rd.present = detection
            .presence
            .iter()
            .filter(|f| dir.join(f).is_file())
            .map(|f| f.to_string())
            .collect();
        // Sub-folders of the root that hold a manifest are components of their own; the
        // root's scan covers the rest (a root `pyproject.toml` packaging `backend/`).
        rd.folders = folders(&dir, FOLDER_DEPTH);
        let scanned = source_files(&dir, &detection);
        for file in scanned {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let shown = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
            let id = sources.add(shown, text);
            rd.sources.push(id);
        }
        out.push(rd);
    }
    (out, foreign, images)
}

/// What a requirements-file line pulls in: more requirements (`-r`) or constraints (`-c`),
/// whose pins hold the requirements' versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    Requirements,
    Constraints,
}

/// A requirements-file line's option and its value as pip reads them, without the comment:
/// `-r base.txt`, `--requirement=base.txt`, pip's short form without a space (`-rbase.txt`),
/// `--pre` (an empty value); `None` for a requirement, a blank or a comment line. The one
/// reader of options, for the includes load follows and the folder reads resolve looks for.
pub fn requirement_option(line: &str) -> Option<(&str, &str)> {
    let line = line
        .split(" #")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('\\')
        .trim();
    if !line.starts_with('-') {
        return None;
    }
    if line.starts_with("--") {
        return Some(match line.split_once([' ', '=', '\t']) {
            Some((flag, value)) => (flag, value.trim()),
            None => (line, ""),
        });
    }
    match line.get(..2) {
        Some(flag) if line.len() > 2 => Some((flag, line[2..].trim())),
        _ => Some((line, "")),
    }
}

/// The file a line of the requirements file `from` includes (`-r base.txt`,
/// `--requirement=requirements/prod.txt`, `-rbase.txt`, `-c constraints.txt`), relative to the
/// component folder; `None` for any other line, a URL, or a path leaving the folder.
pub fn requirement_include(from: &str, line: &str) -> Option<(Include, String)> {
    let (kind, path) = match requirement_option(line)? {
        ("-r" | "--requirement", path) => (Include::Requirements, path),
        ("-c" | "--constraint", path) => (Include::Constraints, path),
        _ => return None,
    };
    if path.is_empty() || path.contains("://") || path.starts_with('/') {
        return None;
    }
    let base = from.rsplit_once('/').map_or("", |(d, _)| d);
    crate::source::join_relative(base, path)
        .filter(|p| !p.is_empty())
        .map(|p| (kind, p))
}

/// The requirements files other than `requirements.txt` that a Dockerfile of `folder` (its
/// build context) copies from the context, relative to the folder, each with its line (from
/// 1): `COPY src/requirements.txt .`, `COPY requirements/prod.txt ./`, or, from a compose
/// context at the root, `COPY backend/requirements-prod.txt .`. Copies from another stage or
/// out of the folder are not the folder's files.
pub fn copied_requirements(dockerfile: &str, folder: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, line) in dockerfile.lines().enumerate() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("COPY")) {
            continue;
        }
        let args: Vec<&str> = words.collect();
        if args.iter().any(|a| a.starts_with("--from")) || args.first().is_some_and(|a| a.starts_with('[')) {
            continue;
        }
        let paths: Vec<&str> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
        let Some((_, sources)) = paths.split_last() else {
            continue;
        };
        for src in sources {
            let src = src.trim_start_matches("./");
            let src = match folder {
                "." => src,
                f => src.strip_prefix(f).and_then(|r| r.strip_prefix('/')).unwrap_or(src),
            };
            let lower = src.to_ascii_lowercase();
            if src != "requirements.txt"
                && lower.ends_with(".txt")
                && lower.contains("requirements")
                && !src.starts_with('/')
                && !src.split('/').any(|p| p == "..")
                && !src.contains(['*', '?', '$'])
            {
                out.push((src.to_string(), i + 1));
            }
        }
    }
    out
}

/// The folder's Dockerfiles other than its plain `Dockerfile` (read with every folder), as
/// paths relative to it, sorted: variants beside it (`Dockerfile.prod`, `api.Dockerfile`) and
/// those one folder down (`docker/Dockerfile`), where a compose file's `dockerfile:` may point,
/// unless that folder is a project of its own (its Dockerfile is its own).
fn other_dockerfiles(dir: &Path, detection: &Detection) -> Vec<String> {
    let mut out: Vec<String> = file_names(dir)
        .into_iter()
        .filter(|n| n != "Dockerfile" && is_dockerfile_name(n))
        .collect();
    for sub in subdirs(dir) {
        if detection.manifests.iter().any(|m| sub.join(m).is_file()) {
            continue;
        }
        let Some(folder) = sub.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        out.extend(
            file_names(&sub)
                .into_iter()
                .filter(|n| is_dockerfile_name(n))
                .map(|n| format!("{folder}/{n}")),
        );
    }
    out.sort();
    out
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            !n.starts_with('.') && !SKIP.contains(&n.as_str())
        })
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// The folders under `dir` to `depth` levels, relative to it with forward slashes, sorted;
/// hidden folders and dependency or build output folders are not listed.
fn folders(dir: &Path, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = vec![(dir.to_path_buf(), String::new(), 1)];
    while let Some((d, rel, level)) = queue.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if !e.file_type().is_ok_and(|t| t.is_dir())
                || name.starts_with('.')
                || matches!(
                    name.as_str(),
                    "node_modules" | "__pycache__" | "target" | "dist" | "build"
                )
            {
                continue;
            }
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            if level < depth {
                queue.push((e.path(), path.clone(), level + 1));
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Source files of a component, breadth first, sorted, bounded in count and size. A folder
/// inside it that holds a manifest of its own is another project (a Next.js app's nested
/// Python `backend/`), whose routes and variables are not this component's: it is left out.
fn source_files(dir: &Path, detection: &Detection) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut queue = vec![dir.to_path_buf()];
    while let Some(d) = queue.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                let project = detection.manifests.iter().any(|m| e.path().join(m).is_file());
                if !name.starts_with('.')
                    && !SKIP.contains(&name.as_str())
                    && name != "__pycache__"
                    && name != ".next"
                    && !project
                {
                    queue.insert(0, e.path());
                }
            } else if ft.is_file()
                && detection
                    .source_extensions
                    .iter()
                    .any(|x| name.ends_with(&format!(".{x}")))
                && e.metadata().is_ok_and(|m| m.len() <= MAX_SOURCE_BYTES)
            {
                out.push(e.path());
                if out.len() >= MAX_SOURCE_FILES {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Include, requirement_include, requirement_option};

    #[test]
    fn requirement_options_as_pip_reads_them() {
        assert_eq!(requirement_option("-r base.txt"), Some(("-r", "base.txt")));
        assert_eq!(requirement_option("-rbase.txt # shared"), Some(("-r", "base.txt")));
        assert_eq!(
            requirement_option("--requirement=prod.txt"),
            Some(("--requirement", "prod.txt"))
        );
        assert_eq!(requirement_option("  -e ."), Some(("-e", ".")));
        assert_eq!(requirement_option("--pre"), Some(("--pre", "")));
        assert_eq!(requirement_option("-e"), Some(("-e", "")));
        assert_eq!(requirement_option("fastapi==0.118.0"), None);
        assert_eq!(requirement_option("# -r base.txt"), None);
    }

    #[test]
    fn constraints_files_are_includes_of_their_own_kind() {
        assert_eq!(
            requirement_include("requirements.txt", "-c constraints.txt"),
            Some((Include::Constraints, "constraints.txt".to_string()))
        );
        assert_eq!(
            requirement_include("requirements.txt", "--constraint requirements/pins.txt"),
            Some((Include::Constraints, "requirements/pins.txt".to_string()))
        );
        assert_eq!(
            requirement_include("requirements.txt", "-c https://example.com/c.txt"),
            None
        );
    }

    #[test]
    fn requirement_includes_are_paths_inside_the_folder() {
        let inc = |from: &str, line: &str| {
            requirement_include(from, line).map(|(kind, path)| {
                assert_eq!(kind, Include::Requirements);
                path
            })
        };
        assert_eq!(inc("requirements.txt", "-r base.txt").as_deref(), Some("base.txt"));
        assert_eq!(
            inc("requirements.txt", "-rbase.txt  # shared").as_deref(),
            Some("base.txt")
        );
        assert_eq!(
            inc("requirements.txt", "--requirement=requirements/prod.txt").as_deref(),
            Some("requirements/prod.txt")
        );
        assert_eq!(
            inc("requirements/prod.txt", "-r ./base.txt").as_deref(),
            Some("requirements/base.txt")
        );
        assert_eq!(
            inc("requirements/prod.txt", "-r ../common.txt").as_deref(),
            Some("common.txt")
        );
        for line in [
            "-r ../outside.txt",
            "-r /etc/passwd",
            "-r https://example.com/r.txt",
            "fastapi",
            "--requirements x",
            "-e .",
        ] {
            assert_eq!(inc("requirements.txt", line), None, "{line}");
        }
    }
}
