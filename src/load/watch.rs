//! What `sp plan --watch` polls: the size and modification time of every file of the
//! workspace that can be an input (specs, the constitution, templates, the repository's
//! manifests and sources), so a save anywhere sp reads triggers a new compilation.
//!
//! Polling rather than OS notifications: it needs no platform crate, behaves the same on
//! every filesystem (network mounts and containers included), and a workspace has few
//! enough files that a stat of each twice a second costs nothing measurable.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Folders that never hold an input: version control, dependencies, build output, caches.
const SKIP: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "dist",
    "build",
    ".next",
    "__pycache__",
    ".venv",
    "venv",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// More files than this and the rest are not watched (a monorepo's vendored trees); the
/// inputs sp reads live near the top.
const MAX_FILES: usize = 20_000;

/// One observation of the watched files, sorted by path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot(Vec<(PathBuf, u64, Option<SystemTime>)>);

impl Snapshot {
    /// The paths (relative to the root) that were added, removed or changed since `before`.
    pub fn changed_since(&self, before: &Snapshot) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let (mut a, mut b) = (before.0.iter().peekable(), self.0.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(x), None) => {
                    out.push(x.0.clone());
                    a.next();
                }
                (None, Some(y)) => {
                    out.push(y.0.clone());
                    b.next();
                }
                (Some(x), Some(y)) => match x.0.cmp(&y.0) {
                    std::cmp::Ordering::Less => {
                        out.push(x.0.clone());
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        out.push(y.0.clone());
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if x != y {
                            out.push(y.0.clone());
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Every file under `root` except those under `out` (sp's own writes must not wake it) and
/// the folders in [`SKIP`]. Unreadable entries are left out, never an error: the next
/// compilation reports them properly.
pub fn snapshot(root: &Path, out: &Path) -> Snapshot {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                let name = entry.file_name();
                if path != out && !SKIP.iter().any(|s| name == *s) {
                    stack.push(path);
                }
            } else if kind.is_file() && files.len() < MAX_FILES {
                // `*.sp-tmp` are sp's own temporary files while it writes.
                if path.extension().is_some_and(|e| e == "sp-tmp") {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                files.push((rel, meta.len(), meta.modified().ok()));
            }
        }
    }
    files.sort();
    Snapshot(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_is_seen_and_the_output_folder_is_not() {
        let dir = std::env::temp_dir().join(format!("sp-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("specs/001-x")).unwrap();
        std::fs::create_dir_all(dir.join("out/001-x")).unwrap();
        std::fs::create_dir_all(dir.join("node_modules/x")).unwrap();
        std::fs::write(dir.join("specs/001-x/spec.md"), "# a\n").unwrap();
        let before = snapshot(&dir, &dir.join("out"));
        assert_eq!(before.len(), 1);
        std::fs::write(dir.join("out/001-x/plan.md"), "generated").unwrap();
        std::fs::write(dir.join("node_modules/x/index.js"), "x").unwrap();
        assert!(snapshot(&dir, &dir.join("out")).changed_since(&before).is_empty());
        std::fs::write(dir.join("specs/001-x/spec.md"), "# a changed\n").unwrap();
        std::fs::write(dir.join("constitution.md"), "# c\n").unwrap();
        let after = snapshot(&dir, &dir.join("out"));
        assert_eq!(
            after.changed_since(&before),
            vec![PathBuf::from("constitution.md"), PathBuf::from("specs/001-x/spec.md")]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
