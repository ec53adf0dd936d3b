//! The repository around the specs: component folders and the files that say what they are.
//!
//! A component folder is a direct sub-folder of the workspace root (or of `apps/`,
//! `services/`, `packages/`) holding a manifest `sp` understands. Only the files that decide
//! something are read (package and lock files, framework configs, `.env.example`), plus a
//! bounded scan of source files for health routes; everything else is left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::source::{SourceId, Sources, display_path};

/// Files whose presence identifies a component folder.
const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Cargo.toml",
];

/// Manifests that make the workspace root itself a component (a stack the catalog builds).
const ROOT_MANIFESTS: &[&str] = &["package.json", "pyproject.toml", "requirements.txt", "go.mod"];

/// Files read (when present) because they decide a stack, a version, a package manager or
/// configuration keys.
const READ: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Cargo.toml",
    ".python-version",
    ".nvmrc",
    ".node-version",
    ".env.example",
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "vite.config.ts",
    "vite.config.js",
    "vite.config.mjs",
];

/// Files whose mere presence matters (lock files).
const PRESENCE: &[&str] = &[
    "pnpm-lock.yaml",
    "package-lock.json",
    "yarn.lock",
    "uv.lock",
    "poetry.lock",
    "go.sum",
    "bun.lockb",
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

/// Source files scanned for health routes, and how much of each.
const SOURCE_EXTENSIONS: &[&str] = &["py", "ts", "tsx", "js", "mjs", "go"];
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
    /// Source files mentioning a health-like route, as source ids.
    pub sources: Vec<SourceId>,
}

/// Find component folders below `root` and read what decides their stack.
pub fn scan(root: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> Vec<RepoDir> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    for dir in subdirs(root) {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if GROUPS.contains(&name.as_str()) {
            candidates.extend(subdirs(&dir));
        } else {
            candidates.push(dir);
        }
    }
    // A project at the root itself (`.`), for repositories that are one application.
    let root_project = ROOT_MANIFESTS.iter().any(|m| root.join(m).is_file());
    if root_project {
        candidates.push(root.to_path_buf());
    }
    let mut out = Vec::new();
    for dir in candidates {
        if !MANIFESTS.iter().any(|m| dir.join(m).is_file()) {
            continue;
        }
        let rel = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
        let is_root = rel.as_os_str().is_empty();
        let mut rd = RepoDir {
            path: if is_root { ".".into() } else { display_path(&rel) },
            ..Default::default()
        };
        for f in READ {
            let abs = dir.join(f);
            if abs.is_file()
                && let Some(id) = super::read_source(sources, &abs, rel.join(f), diags)
            {
                rd.files.insert(f.to_string(), id);
            }
        }
        rd.present = PRESENCE
            .iter()
            .filter(|f| dir.join(f).is_file())
            .map(|f| f.to_string())
            .collect();
        // The root's sub-folders are components of their own; its sources are not scanned.
        let scanned = if is_root { Vec::new() } else { source_files(&dir) };
        for file in scanned {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            // Next.js route handlers take their path from the folder (`app/api/health/route.ts`).
            let route_file = display_path(&file).contains("health/route.");
            if route_file || text.contains("/health") || text.contains("/healthz") || text.contains("/readyz") {
                let shown = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
                rd.sources.push(sources.add(shown, text));
            }
        }
        out.push(rd);
    }
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

/// Source files of a component, breadth first, sorted, bounded in count and size.
fn source_files(dir: &Path) -> Vec<PathBuf> {
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
                if !name.starts_with('.') && !SKIP.contains(&name.as_str()) && name != "__pycache__" && name != ".next"
                {
                    queue.insert(0, e.path());
                }
            } else if ft.is_file()
                && SOURCE_EXTENSIONS.iter().any(|x| name.ends_with(&format!(".{x}")))
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
