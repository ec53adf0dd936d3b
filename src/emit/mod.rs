//! Stage 6: compare the generated tree with the disk, merge hand edits, show diffs, write
//! what changed.
//!
//! The whole output is built in memory first. Each feature is then planned on its own
//! against its record of what sp wrote last time ([`record`]): unchanged files are not
//! touched (so timestamps and file watchers stay quiet), files edited by hand are merged
//! three ways ([`merge`]), files sp no longer generates are removed, and files sp never
//! wrote are never touched. A feature's changes are written all or nothing ([`fs`]), under a
//! lock on the output folder.

pub mod fs;
pub mod merge;
pub mod record;
pub mod stat_cache;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub mod workspace_files;

use similar::TextDiff;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
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

    /// The tree of feature `name` (folder `dir`): its files, by path relative to its output
    /// folder. A path that would leave the output folder is reported (SP601) and left out.
    pub fn feature(
        name: &str,
        dir: &Path,
        files: impl IntoIterator<Item = (String, String)>,
        diags: &mut Diagnostics,
    ) -> OutputTree {
        let mut tree = OutputTree::default();
        for (rel, text) in files {
            if let Err(p) = tree.insert(format!("{name}/{rel}"), text) {
                diags.push(
                    Diagnostic::new(
                        Code::OutputEscapes,
                        format!("output path `{p}` would leave the output folder"),
                    )
                    .at_path(dir)
                    .hint("rename the feature folder to spec-kit's `NNN-slug` form"),
                );
            }
        }
        tree
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
    /// Regenerated with the hand edits on disk merged in.
    Merged,
    /// Generated before, no longer generated: removed.
    Removed,
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
    let new_name = if change.kind == ChangeKind::Removed {
        "/dev/null".to_string()
    } else {
        format!("b/{path}")
    };
    TextDiff::from_lines(old, change.new.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string()
}

/// Write every change under `out_root`, all or nothing.
pub fn write(out_root: &Path, changes: &[Change]) -> Result<()> {
    let ops: Vec<fs::Op> = changes.iter().map(|c| op(out_root, c)).collect();
    fs::apply(&ops, out_root).map_err(|f| f.error)
}

fn op<'a>(out_root: &Path, c: &'a Change) -> fs::Op<'a> {
    fs::Op {
        path: out_root.join(&c.path),
        new: (c.kind != ChangeKind::Removed).then_some(c.new.as_bytes()),
        old: c.old.as_deref().map(str::as_bytes),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write_atomic(path, bytes)
}

/// A file edited by hand whose edit overlaps what sp now generates there.
#[derive(Debug)]
pub struct ConflictedFile {
    /// Path relative to the output root.
    pub path: String,
    /// The overlapping hunks; empty when there is no base to merge with (the file was
    /// never written by sp, or its record is gone), so the whole file is in the way.
    pub hunks: Vec<merge::Conflict>,
    pub why: &'static str,
}

/// What regenerating one feature does to its output folder.
#[derive(Debug, Default)]
pub struct FeaturePlan {
    pub name: String,
    /// Files to create, update, merge or remove, relative to the output root.
    pub changes: Vec<Change>,
    /// The record and base files, when they change (not shown as changes).
    pub record: Vec<RecordFile>,
    /// Files that block the write: nothing of the feature is written while there are any.
    pub conflicts: Vec<ConflictedFile>,
    /// Hand edits kept by a clean merge (whether or not the file changes).
    pub kept_edits: Vec<String>,
    /// Hand edits `--force` throws away: path and the diff of the edit.
    pub lost: Vec<(String, String)>,
    /// Why the output on disk is not what this run generates, in words.
    pub reasons: Vec<String>,
    /// Generated files (without the record).
    pub total: usize,
    /// The note that this build verified the files under a record it leaves as it is
    /// ([`record::Verified`]), to write beside the output.
    pub verified: Option<record::Verified>,
    /// The generated files that hold exactly what this run generates once the plan is
    /// written (relative to the feature's folder, with their hash): what the feature's
    /// [`stat_cache`] may vouch for.
    pub settled: Vec<(String, String)>,
}

/// A file of the record ([`record::RECORD`], [`record::BASE`]) that a plan writes or removes.
#[derive(Debug)]
pub struct RecordFile {
    /// Relative to the output root.
    pub path: String,
    /// `None` removes the file.
    pub new: Option<Vec<u8>>,
    /// What is on disk now.
    pub old: Option<Vec<u8>>,
}

impl FeaturePlan {
    /// Nothing to write and nothing in the way.
    pub fn up_to_date(&self) -> bool {
        self.changes.is_empty() && self.record.is_empty() && self.conflicts.is_empty()
    }
}

/// A path where no file is: missing, a folder, or under something that is not a folder.
/// Writing there fails later, with the feature left as it was.
fn absent(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), NotFound | NotADirectory | IsADirectory)
}

fn read_text(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if absent(&e) => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if absent(&e) => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Plan the regeneration of feature `name`, whose files are in `tree` (paths starting with
/// `name/`), against what is under `out_root`. With `force`, hand edits are overwritten
/// (and listed in `lost`) instead of merged, and nothing blocks the write.
pub fn plan_feature(
    out_root: &Path,
    name: &str,
    tree: &OutputTree,
    inputs: &BTreeMap<String, String>,
    findings: &[crate::diagnostics::stored::Stored],
    force: bool,
) -> Result<FeaturePlan> {
    let dir = out_root.join(name);
    let prefix = format!("{name}/");
    let files: BTreeMap<String, &str> = tree
        .files()
        .filter_map(|(p, t)| p.strip_prefix(&prefix).map(|r| (r.to_string(), t.as_str())))
        .collect();
    // A feature compiled for the first time has no folder yet: one look instead of a failed
    // read per file (a first compile of many features is mostly such reads).
    let exists = dir.is_dir();
    let existing = |rel: &str| -> Result<Option<String>> { if exists { read_text(&dir.join(rel)) } else { Ok(None) } };
    let old_record_text = existing(record::RECORD)?;
    let old = old_record_text.as_deref().and_then(record::Record::parse);
    let old_base_bytes = if exists {
        read_bytes(&dir.join(record::BASE))?
    } else {
        None
    };
    // The gzip base of a tree an older sp wrote: the base of this run's merges, then removed.
    let legacy_base_bytes = if exists && old_base_bytes.is_none() {
        read_bytes(&dir.join(record::LEGACY_BASE))?
    } else {
        None
    };
    let base = match (&old, old_base_bytes.as_ref().or(legacy_base_bytes.as_ref())) {
        (Some(_), Some(b)) => record::decode_base(b),
        _ => None,
    };
    let now = record::Record::new(inputs, &files, findings);
    let mut plan = FeaturePlan {
        name: name.to_string(),
        total: files.len(),
        ..Default::default()
    };
    match &old {
        Some(o) => plan.reasons.extend(o.reasons(&now)),
        None if old_record_text.is_some() => plan.reasons.push(format!("{} is damaged", record::RECORD)),
        None if exists => plan
            .reasons
            .push("no record of what sp wrote (an older sp wrote this folder)".into()),
        None => {}
    }
    let mut edited = Vec::new();
    for (rel, new) in &files {
        let path = format!("{name}/{rel}");
        let disk = existing(rel)?;
        let recorded = old.as_ref().and_then(|o| o.files.get(rel));
        let settled = (rel.clone(), now.files.get(rel).cloned().unwrap_or_default());
        let Some(disk) = disk else {
            plan.settled.push(settled);
            plan.changes.push(Change {
                path,
                kind: ChangeKind::Added,
                old: None,
                new: new.to_string(),
            });
            continue;
        };
        // Already what this run generates (whoever wrote it): nothing to do.
        if disk == *new {
            plan.settled.push(settled);
            continue;
        }
        let hand_edited = recorded.is_some_and(|h| *h != record::hash(disk.as_bytes()));
        if hand_edited {
            edited.push(rel.clone());
        }
        let modified = |new: String| Change {
            path: path.clone(),
            kind: ChangeKind::Modified,
            old: Some(disk.clone()),
            new,
        };
        match (recorded, &old) {
            // A plain regeneration of a file sp wrote, or a folder written before records.
            (Some(_), _) if !hand_edited => {
                plan.settled.push(settled);
                plan.changes.push(modified(new.to_string()));
            }
            (None, None) => {
                plan.settled.push(settled);
                plan.changes.push(modified(new.to_string()));
            }
            _ if force => {
                let was = base.as_ref().and_then(|b| b.get(rel)).map_or("", String::as_str);
                plan.lost.push((path.clone(), merge::edit_diff(was, &disk, &path)));
                plan.settled.push(settled);
                plan.changes.push(modified(new.to_string()));
            }
            (None, Some(_)) => plan.conflicts.push(ConflictedFile {
                path,
                hunks: Vec::new(),
                why: "sp did not write this file, and now generates one at its place",
            }),
            (Some(_), _) => match base.as_ref().and_then(|b| b.get(rel)) {
                None => plan.conflicts.push(ConflictedFile {
                    path,
                    hunks: Vec::new(),
                    why: "edited by hand, and the copy of what sp wrote last time is missing, so the edit cannot be merged",
                }),
                Some(b) => match merge::merge(b, &disk, new) {
                    merge::Merge::Clean(merged) => {
                        plan.kept_edits.push(path.clone());
                        if merged != disk {
                            plan.changes.push(Change {
                                path,
                                kind: ChangeKind::Merged,
                                old: Some(disk.clone()),
                                new: merged,
                            });
                        }
                    }
                    merge::Merge::Conflicts(hunks) => plan.conflicts.push(ConflictedFile {
                        path,
                        hunks,
                        why: "edited by hand where sp now generates something else",
                    }),
                },
            },
        }
    }
    // Files sp wrote last time and no longer generates.
    if let Some(o) = &old {
        for (rel, h) in o.files.iter().filter(|(r, _)| !files.contains_key(*r)) {
            let path = format!("{name}/{rel}");
            let Some(disk) = read_text(&dir.join(rel))? else {
                continue;
            };
            plan.reasons.push(format!("{rel} is no longer generated"));
            if record::hash(disk.as_bytes()) != *h {
                if !force {
                    plan.conflicts.push(ConflictedFile {
                        path,
                        hunks: Vec::new(),
                        why: "no longer generated, but edited by hand, so sp does not remove it",
                    });
                    continue;
                }
                let was = base.as_ref().and_then(|b| b.get(rel)).map_or("", String::as_str);
                plan.lost.push((path.clone(), merge::edit_diff(was, &disk, &path)));
            }
            plan.changes.push(Change {
                path,
                kind: ChangeKind::Removed,
                old: Some(disk),
                new: String::new(),
            });
        }
    }
    if !edited.is_empty() {
        plan.reasons.push(format!("edited by hand: {}", edited.join(", ")));
    }
    // The record is rewritten only with the files it lists: an input edit that changes no
    // output (a blank line in the spec) changes nothing on disk, the record included.
    let base_bytes = record::encode_base(&files);
    let same_files = old.as_ref().is_some_and(|o| o.files == now.files)
        && old_base_bytes.as_deref() == Some(&base_bytes[..])
        && plan.changes.is_empty();
    if same_files {
        if plan.conflicts.is_empty() && plan.kept_edits.is_empty() {
            plan.reasons.clear();
        }
        // The record stays (another build's, or inputs that changed no output): note that
        // this build verified it, so the next run can skip the feature.
        if plan.conflicts.is_empty()
            && let Some(old_text) = old_record_text.as_deref()
            && old_text != now.to_json()
        {
            plan.verified = Some(record::Verified {
                sp: now.sp.clone(),
                build: now.build.clone(),
                inputs_hash: now.inputs_hash.clone(),
                record: record::hash(old_text.as_bytes()),
                findings: findings.to_vec(),
            });
        }
        return Ok(plan);
    }
    let record_text = now.to_json().into_bytes();
    if old_record_text.as_deref().map(str::as_bytes) != Some(&record_text[..]) {
        plan.record.push(RecordFile {
            path: format!("{name}/{}", record::RECORD),
            new: Some(record_text),
            old: old_record_text.map(String::into_bytes),
        });
    }
    if old_base_bytes.as_deref() != Some(&base_bytes[..]) {
        plan.record.push(RecordFile {
            path: format!("{name}/{}", record::BASE),
            new: Some(base_bytes),
            old: old_base_bytes,
        });
    }
    if legacy_base_bytes.is_some() {
        plan.reasons.push(format!(
            "{} is the gzip base of an older sp: now {}",
            record::LEGACY_BASE,
            record::BASE
        ));
        plan.record.push(RecordFile {
            path: format!("{name}/{}", record::LEGACY_BASE),
            new: None,
            old: legacy_base_bytes,
        });
    }
    Ok(plan)
}

/// What the record says of a feature whose output is what this run would write.
#[derive(Debug)]
pub struct Unchanged {
    /// The generated files on disk (without the record).
    pub files: usize,
    /// What compiling the feature reported when it was written.
    pub findings: Vec<crate::diagnostics::stored::Stored>,
}

/// The features of a run that may be skipped, for output folder `out_root`.
pub struct Skip<'a> {
    out_root: &'a Path,
    /// Every source by its path as a record names it.
    ids: std::collections::HashMap<String, crate::source::SourceId>,
}

impl<'a> Skip<'a> {
    pub fn new(out_root: &'a Path, sources: &crate::source::Sources) -> Self {
        let ids = (0..)
            .map(crate::source::SourceId::from_index)
            .zip(sources.iter())
            .map(|(id, f)| (f.display_path(), id))
            .collect();
        Skip { out_root, ids }
    }

    /// Feature `name`, when it may be skipped ([`unchanged`]), with the diagnostics its
    /// record kept, restored against `sources` (the run's table, or the feature's overlay of
    /// it). `None` (compile it) also when a finding no longer points into a source, or when
    /// one is an error.
    pub fn unchanged(
        &self,
        name: &str,
        inputs: &BTreeMap<String, String>,
        sources: &crate::source::Sources,
    ) -> Option<(Unchanged, Vec<Diagnostic>)> {
        let u = unchanged(self.out_root, name, inputs)?;
        let restored: Vec<Diagnostic> = u
            .findings
            .iter()
            .map(|s| s.restore(sources, &self.ids))
            .collect::<Option<_>>()?;
        (!restored.iter().any(|d| d.severity == Severity::Error)).then_some((u, restored))
    }
}

/// Whether feature `name` can be skipped: its record under `out_root` was written by this
/// build of sp from exactly `inputs`, and every file it lists is on disk with the recorded
/// content (so nothing was edited by hand), beside the base of the merge. `None` means
/// compile it.
pub fn unchanged(out_root: &Path, name: &str, inputs: &BTreeMap<String, String>) -> Option<Unchanged> {
    let dir = out_root.join(name);
    let text = std::fs::read_to_string(dir.join(record::RECORD)).ok()?;
    let old = record::Record::parse(&text)?;
    let findings = if old.sp == record::VERSION && old.build == record::BUILD && old.inputs == *inputs {
        old.findings
    } else {
        // Another build's record, or other inputs: skipped only when this build noted that
        // these inputs compile to exactly the files it lists.
        let note = std::fs::read_to_string(out_root.join(record::verified_path(name))).ok()?;
        let note = record::Verified::parse(&note).filter(|n| n.vouches(&text, inputs))?;
        note.findings
    };
    if !dir.join(record::BASE).is_file() {
        return None;
    }
    // A file is read only when the cache did not see it as it is now ([`stat_cache`]).
    let cache = stat_cache::StatCache::load(out_root, name);
    let mut seen = stat_cache::StatCache::default();
    for (rel, h) in &old.files {
        let path = dir.join(rel);
        let sig = stat_cache::signature(&path)?;
        if cache.hash(rel, &sig) != Some(h.as_str()) && record::hash(&std::fs::read(&path).ok()?) != *h {
            return None;
        }
        seen.insert(rel.clone(), sig, h.clone());
    }
    if seen != cache {
        let _ = seen.save(out_root, name);
    }
    Some(Unchanged {
        files: old.files.len(),
        findings,
    })
}

/// Write a planned feature all or nothing. Returns the failure, with what it left, if any.
pub fn commit(out_root: &Path, plan: &FeaturePlan) -> std::result::Result<(), fs::WriteFailure> {
    let mut ops: Vec<fs::Op> = plan.changes.iter().map(|c| op(out_root, c)).collect();
    // The record last: a run killed before it leaves the old record, and the next run
    // merges the files already replaced as if edited (they equal the new output).
    ops.extend(plan.record.iter().map(|r| fs::Op {
        path: out_root.join(&r.path),
        new: r.new.as_deref(),
        old: r.old.as_deref(),
    }));
    fs::apply(&ops, &out_root.join(&plan.name))?;
    // Only shortcuts for the next run: a note that cannot be written costs a compile, a
    // cache a read of the files.
    if let Some(note) = &plan.verified {
        let _ = write_verified(out_root, &plan.name, note);
    }
    let _ = stat_cache::StatCache::of_settled(out_root, &plan.name, &plan.settled).save(out_root, &plan.name);
    Ok(())
}

/// Write feature `name`'s [`record::Verified`] note.
fn write_verified(out_root: &Path, name: &str, note: &record::Verified) -> Result<()> {
    write_private(out_root, &record::verified_path(name), note.to_json().as_bytes())
}

/// Write `rel` (a path under the output root's `.sp/`) with the `.gitignore` that keeps
/// that folder out of version control: what is there describes this machine's files only.
fn write_private(out_root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let (ignore, text) = record::PRIVATE_IGNORE;
    let file = out_root.join(rel);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let ignore = out_root.join(ignore);
    if !ignore.is_file() {
        write_atomic(&ignore, text.as_bytes())?;
    }
    write_atomic(&file, bytes)
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

/// The feature folders of `out_root` that sp wrote (they hold its record) for a feature not
/// in `features`: the feature was removed or renamed, and its output stayed behind. Sorted.
pub fn orphans(out_root: &Path, features: &[&str]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out_root) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && !features.contains(&name.as_str()))
        .filter(|name| out_root.join(name).join(record::RECORD).is_file())
        .collect();
    out.sort();
    out
}

/// Remove this machine's notes (stat caches, verified notes under `out/.sp/`) of features
/// the workspace no longer has: nothing would read them again. They are private caches, so
/// one that cannot be removed is left for the next run rather than failing this one.
pub fn forget_removed(out_root: &Path, features: &[&str]) {
    for dir in [stat_cache::DIR, record::VERIFIED_DIR] {
        let Ok(entries) = std::fs::read_dir(out_root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(feature) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            if !features.contains(&feature) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Save the text given after `sp plan FEATURE` as the feature's `plan-input.md`, so the
/// next run needs no arguments. Input is never destroyed: empty text is refused, and text
/// that would replace a non-empty plan-input.md is refused unless `replace` is set, in
/// which case the previous text is kept as `plan-input.md.bak` first.
/// `feature_dir` is the feature's folder relative to `root`.
pub fn save_plan_input(root: &Path, feature_dir: &Path, name: &str, text: &str, replace: bool) -> Result<Saved> {
    let feature_dir = &root.join(feature_dir);
    let path = feature_dir.join("plan-input.md");
    let shown = crate::source::display_path(path.strip_prefix(root).unwrap_or(&path));
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
