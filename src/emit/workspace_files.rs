//! Writes into the workspace itself, outside the output folder: agent command files
//! (`sp init`), the agent context block of `CLAUDE.md` and friends (`sp plan
//! --agent-context`) and prompt history records (`sp plan --record`).
//!
//! These files live beside files other tools and people wrote, so every write states how
//! `sp` owns what it writes:
//!
//! - [`Ownership::Whole`]: the file is `sp`'s and carries [`OWNED_MARKER`]. An existing file
//!   without the marker belongs to someone else and is never touched ([`Action::Foreign`]).
//! - [`Ownership::Block`]: `sp` owns only the lines between `<!-- sp:begin NAME -->` and
//!   `<!-- sp:end NAME -->`; the rest of the file is kept byte for byte. A file without the
//!   markers gets the block appended; a missing file is created holding only the block.
//! - [`Ownership::New`]: a record that is written once and never rewritten.
//!
//! Planning is separate from applying, so `--check` can report without writing, and
//! applying the same plan twice changes nothing the second time.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use crate::render::workspace_file::{OWNED_MARKER, Ownership, WorkspaceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Unchanged,
    /// The file exists and `sp` did not write it: left alone.
    Foreign,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Foreign => "foreign",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub path: String,
    pub action: Action,
    /// The bytes to write for `Create` and `Update`.
    pub bytes: Option<String>,
}

pub fn begin_marker(name: &str) -> String {
    format!("<!-- sp:begin {name} (written by sp; edits between these markers are replaced) -->")
}

pub fn end_marker(name: &str) -> String {
    format!("<!-- sp:end {name} -->")
}

/// The existing text of a workspace file, if there is one.
pub fn read_existing(root: &Path, rel: &str) -> Result<Option<String>> {
    let abs = root.join(rel);
    match std::fs::read(&abs) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(abs, e)),
    }
}

/// The text between the markers of block `name` in `text`, if both markers are there.
pub fn block_body<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let begin = begin_marker(name);
    let end = end_marker(name);
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    Some(text[start..stop].trim_matches('\n'))
}

/// `text` with block `name` holding `body`: replaced in place when the markers are there,
/// appended otherwise.
pub fn splice_block(text: Option<&str>, name: &str, body: &str) -> String {
    let block = format!(
        "{}\n{}\n{}\n",
        begin_marker(name),
        body.trim_matches('\n'),
        end_marker(name)
    );
    let Some(text) = text else { return block };
    let begin = begin_marker(name);
    let end = end_marker(name);
    if let Some(start) = text.find(&begin)
        && let Some(rel_stop) = text[start..].find(&end)
    {
        let mut stop = start + rel_stop + end.len();
        if text[stop..].starts_with('\n') {
            stop += 1;
        }
        return format!("{}{block}{}", &text[..start], &text[stop..]);
    }
    let sep = if text.is_empty() || text.ends_with("\n\n") {
        ""
    } else if text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{text}{sep}{block}")
}

/// Decide, for each file, what writing it would do. Reads the disk, writes nothing.
pub fn plan(root: &Path, files: &[WorkspaceFile]) -> Result<Vec<Planned>> {
    let mut out = Vec::new();
    for f in files {
        if !super::is_contained(Path::new(&f.path)) {
            return Err(Error::Usage(format!("`{}` is outside the workspace", f.path)));
        }
        let old = read_existing(root, &f.path)?;
        let (action, bytes) = match (&f.ownership, old.as_deref()) {
            (_, None) => {
                let new = match f.ownership {
                    Ownership::Block(name) => splice_block(None, name, &f.content),
                    _ => f.content.clone(),
                };
                (Action::Create, Some(new))
            }
            (Ownership::New, Some(_)) => (Action::Unchanged, None),
            (Ownership::Whole, Some(old)) if !old.contains(OWNED_MARKER) => (Action::Foreign, None),
            (Ownership::Whole, Some(old)) if old == f.content => (Action::Unchanged, None),
            (Ownership::Whole, Some(_)) => (Action::Update, Some(f.content.clone())),
            (Ownership::Block(name), Some(old)) => {
                let new = splice_block(Some(old), name, &f.content);
                if new == old {
                    (Action::Unchanged, None)
                } else {
                    (Action::Update, Some(new))
                }
            }
        };
        out.push(Planned {
            path: f.path.clone(),
            action,
            bytes,
        });
    }
    Ok(out)
}

/// Write every planned creation and update, each atomically.
pub fn apply(root: &Path, planned: &[Planned]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for p in planned {
        if let (Action::Create | Action::Update, Some(bytes)) = (p.action, &p.bytes) {
            let abs = root.join(&p.path);
            super::write_atomic(&abs, bytes.as_bytes())?;
            written.push(abs);
        }
    }
    Ok(written)
}

/// The file names in a workspace folder, sorted; empty when it does not exist.
pub fn list_dir(root: &Path, rel: &str) -> Result<Vec<String>> {
    let abs = root.join(rel);
    let entries = match std::fs::read_dir(&abs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(abs, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&abs, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// Create a folder (and its parents) in the workspace; nothing when it exists.
pub fn ensure_dir(root: &Path, rel: &str) -> Result<bool> {
    let abs = root.join(rel);
    if abs.is_dir() {
        return Ok(false);
    }
    std::fs::create_dir_all(&abs).map_err(|e| Error::io(&abs, e))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str, ownership: Ownership) -> WorkspaceFile {
        WorkspaceFile {
            path: path.into(),
            content: content.into(),
            ownership,
        }
    }

    #[test]
    fn foreign_files_are_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "mine\n").unwrap();
        let p = plan(
            dir.path(),
            &[file("a.md", "x generated by `sp init`\n", Ownership::Whole)],
        )
        .unwrap();
        assert_eq!(p[0].action, Action::Foreign);
        apply(dir.path(), &p).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("a.md")).unwrap(), "mine\n");
    }

    #[test]
    fn owned_files_are_created_then_unchanged_then_updated() {
        let dir = tempfile::tempdir().unwrap();
        let f = file("c/x.md", "v1 generated by `sp init`\n", Ownership::Whole);
        let p = plan(dir.path(), std::slice::from_ref(&f)).unwrap();
        assert_eq!(p[0].action, Action::Create);
        apply(dir.path(), &p).unwrap();
        assert_eq!(
            plan(dir.path(), std::slice::from_ref(&f)).unwrap()[0].action,
            Action::Unchanged
        );
        let f2 = file("c/x.md", "v2 generated by `sp init`\n", Ownership::Whole);
        assert_eq!(plan(dir.path(), &[f2]).unwrap()[0].action, Action::Update);
    }

    #[test]
    fn blocks_keep_the_rest_of_the_file_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("CLAUDE.md"), "# Rules\n\nkeep me\n").unwrap();
        let f = file("CLAUDE.md", "- one\n", Ownership::Block("ctx"));
        let p = plan(dir.path(), std::slice::from_ref(&f)).unwrap();
        assert_eq!(p[0].action, Action::Update);
        apply(dir.path(), &p).unwrap();
        let once = std::fs::read_to_string(dir.path().join("CLAUDE.md")).unwrap();
        assert!(once.starts_with("# Rules\n\nkeep me\n\n<!-- sp:begin ctx"), "{once}");
        assert_eq!(block_body(&once, "ctx"), Some("- one"));
        assert_eq!(
            plan(dir.path(), std::slice::from_ref(&f)).unwrap()[0].action,
            Action::Unchanged
        );
        let f2 = file("CLAUDE.md", "- two\n", Ownership::Block("ctx"));
        let p = plan(dir.path(), &[f2]).unwrap();
        apply(dir.path(), &p).unwrap();
        let twice = std::fs::read_to_string(dir.path().join("CLAUDE.md")).unwrap();
        assert_eq!(twice.matches("sp:begin ctx").count(), 1);
        assert_eq!(block_body(&twice, "ctx"), Some("- two"));
        assert!(twice.starts_with("# Rules\n\nkeep me\n"));
    }

    #[test]
    fn paths_outside_the_workspace_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(plan(dir.path(), &[file("../x", "", Ownership::New)]).is_err());
    }
}
