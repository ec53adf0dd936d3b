//! Stage 6: compare the generated tree with the disk, show diffs, write what changed.
//!
//! The whole output is built in memory first; a run with errors never reaches this stage,
//! so no run leaves a half-written tree. Each changed file is replaced atomically (a
//! temporary file in the same folder, then a rename), and files whose bytes are unchanged
//! are not touched, so timestamps and file watchers stay quiet.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

pub mod workspace_files;

use similar::TextDiff;

use crate::error::{Error, Result};

/// The generated files of a run, by path relative to the output root.
#[derive(Debug, Default)]
pub struct OutputTree {
    files: BTreeMap<String, String>,
}

impl OutputTree {
    /// Add a file. Fails when the path is absolute or climbs out of the output root, so a
    /// feature or component name can never make `sp` write elsewhere.
    pub fn insert(&mut self, path: String, content: String) -> std::result::Result<(), String> {
        if !is_contained(Path::new(&path)) {
            return Err(path);
        }
        self.files.insert(path, content);
        Ok(())
    }

    pub fn files(&self) -> impl Iterator<Item = (&String, &String)> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// True when `path` is relative and never goes up.
pub fn is_contained(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
}

#[derive(Debug)]
pub struct Change {
    /// Path relative to the output root, with forward slashes.
    pub path: String,
    pub kind: ChangeKind,
    pub old: Option<String>,
    pub new: String,
}

/// The files of `tree` whose bytes differ from what is under `out_root`.
pub fn compare(out_root: &Path, tree: &OutputTree) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for (rel, content) in tree.files() {
        let abs = out_root.join(rel);
        let old = match std::fs::read(&abs) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(abs, e)),
        };
        match old {
            Some(o) if o == *content => {}
            Some(o) => out.push(Change {
                path: rel.clone(),
                kind: ChangeKind::Modified,
                old: Some(o),
                new: content.clone(),
            }),
            None => out.push(Change {
                path: rel.clone(),
                kind: ChangeKind::Added,
                old: None,
                new: content.clone(),
            }),
        }
    }
    Ok(out)
}

/// A unified diff of one change, with `a/` and `b/` paths relative to `display_root`.
pub fn unified_diff(change: &Change, display_root: &str) -> String {
    let old = change.old.as_deref().unwrap_or("");
    let path = if display_root.is_empty() {
        change.path.clone()
    } else {
        format!("{display_root}/{}", change.path)
    };
    let old_name = if change.old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    TextDiff::from_lines(old, change.new.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &format!("b/{path}"))
        .to_string()
}

/// Write every change under `out_root`, each atomically.
pub fn write(out_root: &Path, changes: &[Change]) -> Result<()> {
    for c in changes {
        write_atomic(&out_root.join(&c.path), c.new.as_bytes())?;
    }
    Ok(())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".sp-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// What [`save_plan_input`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    /// A new plan-input.md (there was none, or it was empty).
    Created(PathBuf),
    /// The file already says exactly this.
    Unchanged(PathBuf),
    /// Replaced under `--replace-input`; the previous text is in the second path.
    Replaced(PathBuf, PathBuf),
}

/// Save the text given after `sp plan FEATURE` as the feature's `plan-input.md`, so the
/// next run needs no arguments. Input is never destroyed: empty text is refused, and text
/// that would replace a non-empty plan-input.md is refused unless `replace` is set, in
/// which case the previous text is kept as `plan-input.md.bak` first.
pub fn save_plan_input(feature_dir: &Path, name: &str, text: &str, replace: bool) -> Result<Saved> {
    let path = feature_dir.join("plan-input.md");
    let shown = format!("specs/{name}/plan-input.md");
    if text.trim().is_empty() {
        return Err(Error::Usage(format!(
            "the plan input text is empty; {shown} was left as it is"
        )));
    }
    let body = format!("# Plan input: {name}\n\n{}\n", text.trim());
    let previous = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    match previous {
        Some(old) if old == body.as_bytes() => Ok(Saved::Unchanged(path)),
        Some(old) if !String::from_utf8_lossy(&old).trim().is_empty() => {
            if !replace {
                return Err(Error::Usage(format!(
                    "{shown} already has {} lines of plan input; refusing to replace them with this text. \
Edit the file, or pass --replace-input to replace it (the previous text is kept as plan-input.md.bak). \
If the words were features to compile, name folders that exist under specs/",
                    String::from_utf8_lossy(&old).lines().count()
                )));
            }
            let backup = feature_dir.join("plan-input.md.bak");
            write_atomic(&backup, &old)?;
            write_atomic(&path, body.as_bytes())?;
            Ok(Saved::Replaced(path, backup))
        }
        _ => {
            write_atomic(&path, body.as_bytes())?;
            Ok(Saved::Created(path))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        let mut t = OutputTree::default();
        assert!(t.insert("a/b.md".into(), String::new()).is_ok());
        assert!(t.insert("../x".into(), String::new()).is_err());
        assert!(t.insert("/etc/passwd".into(), String::new()).is_err());
        assert!(t.insert("a/../../x".into(), String::new()).is_err());
        assert!(t.insert(String::new(), String::new()).is_err());
    }

    #[test]
    fn compare_write_compare_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = OutputTree::default();
        t.insert("f/plan.md".into(), "one\n".into()).unwrap();
        let changes = compare(dir.path(), &t).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Added);
        write(dir.path(), &changes).unwrap();
        assert!(compare(dir.path(), &t).unwrap().is_empty());
        t.insert("f/plan.md".into(), "two\n".into()).unwrap();
        let changes = compare(dir.path(), &t).unwrap();
        assert_eq!(changes[0].kind, ChangeKind::Modified);
        let diff = unified_diff(&changes[0], "out");
        assert!(
            diff.contains("--- a/out/f/plan.md") && diff.contains("-one") && diff.contains("+two"),
            "{diff}"
        );
    }
}
