//! The document `sp plan --format json` prints, as types: its JSON Schema is generated from
//! them (`sp schema --plan-report`, committed as `schemas/plan-report.schema.json`) so the
//! schema cannot drift from the output. Agents and CI read this instead of the human text.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The result of one `sp plan` run.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sp plan report")]
pub struct PlanReport {
    /// The features the run compiled, by folder name (`006-k8s-deployment`).
    pub features: Vec<String>,
    /// Counts for the whole run.
    pub summary: Summary,
    /// Every output file, sorted by path, relative to the output folder.
    pub files: Vec<FileEntry>,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<DiagnosticEntry>,
    /// True when the run wrote at least one file.
    pub written: bool,
    /// True when the output on disk differed from what the run generated (before writing).
    pub stale: bool,
    /// Features not written: their errors, conflicts with hand edits, or a failed write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_written: Vec<String>,
    /// Why the output on disk is not what this run generates, per feature (inputs changed,
    /// sp changed, edited by hand, no longer generated).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub reasons: std::collections::BTreeMap<String, Vec<String>>,
    /// Files written into the workspace outside the output folder (`--agent-context`,
    /// `--record`), with what happened to each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workspace_files: Vec<WorkspaceFileEntry>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub features: usize,
    pub files: usize,
    pub added: usize,
    pub modified: usize,
    #[serde(default)]
    pub merged: usize,
    #[serde(default)]
    pub removed: usize,
    #[serde(default)]
    pub conflicts: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path relative to the output folder, with forward slashes: `006-k8s-deployment/plan.md`.
    pub path: String,
    pub status: FileStatus,
}

/// How the generated file compares with the disk before the run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    /// Regenerated with the hand edit on disk merged in.
    Merged,
    /// Generated before, no longer generated: removed.
    Removed,
    /// Edited by hand where the new output differs: left as it is.
    Conflict,
    /// Of a feature that is not written (errors or conflicts).
    #[serde(rename = "not-written")]
    NotWritten,
    Unchanged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One diagnostic, as `sp check --format json` also prints it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticEntry {
    /// The stable code: `SP206`, `SP701`… (`sp explain CODE`).
    #[schemars(regex(pattern = r"^SP[0-9]{3}$"))]
    pub code: String,
    /// The code's kebab-case name.
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// The file the problem is in, relative to the workspace root.
    pub file: Option<String>,
    /// 1-based line and column of the start; absent when the problem is about a whole file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    /// What the primary span shows.
    pub label: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFileEntry {
    /// Path relative to the workspace root: `CLAUDE.md`, `history/prompts/006-x/001-….md`.
    pub path: String,
    /// `create`, `update`, `unchanged`, or `foreign` (exists, not sp's; left alone).
    pub action: String,
}

/// The JSON Schema of [`PlanReport`], pretty-printed with a trailing newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(PlanReport);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}

/// The report of a run: `plans` say what each writable feature changes on disk (before
/// writing), `emit_diags` the conflicts with hand edits.
pub fn report(
    c: &crate::Compilation,
    plans: &[crate::emit::FeaturePlan],
    emit_diags: &crate::diagnostics::Diagnostics,
    written: bool,
    not_written: Vec<String>,
    workspace_files: Vec<WorkspaceFileEntry>,
) -> PlanReport {
    use crate::emit::ChangeKind;
    let mut files: Vec<FileEntry> = Vec::new();
    for f in &c.features {
        let plan = plans.iter().find(|p| p.name == f.name);
        for (path, _) in f.tree.files() {
            let status = match plan {
                None => FileStatus::NotWritten,
                Some(p) if p.conflicts.iter().any(|x| &x.path == path) => FileStatus::Conflict,
                Some(p) => match p.changes.iter().find(|ch| &ch.path == path).map(|ch| &ch.kind) {
                    Some(ChangeKind::Added) => FileStatus::Added,
                    Some(ChangeKind::Modified) => FileStatus::Modified,
                    Some(ChangeKind::Merged) => FileStatus::Merged,
                    Some(ChangeKind::Removed) => FileStatus::Removed,
                    None => FileStatus::Unchanged,
                },
            };
            files.push(FileEntry {
                path: path.clone(),
                status,
            });
        }
    }
    for p in plans {
        for ch in p.changes.iter().filter(|ch| ch.kind == ChangeKind::Removed) {
            files.push(FileEntry {
                path: ch.path.clone(),
                status: FileStatus::Removed,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let count = |s: FileStatus| files.iter().filter(|f| f.status == s).count();
    let mut diagnostics: Vec<DiagnosticEntry> = serde_json::from_str(&crate::diagnostics::render::json(
        &c.diagnostics(),
        &c.workspace.sources,
    ))
    .expect("the diagnostics JSON has the report's diagnostic shape");
    let more: Vec<DiagnosticEntry> =
        serde_json::from_str(&crate::diagnostics::render::json(emit_diags, &c.workspace.sources))
            .expect("the diagnostics JSON has the report's diagnostic shape");
    diagnostics.extend(more);
    let sev = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let stale = plans.iter().any(|p| !p.up_to_date());
    PlanReport {
        features: c.features.iter().map(|f| f.name.clone()).collect(),
        summary: Summary {
            features: c.features.len(),
            files: files.len(),
            added: count(FileStatus::Added),
            modified: count(FileStatus::Modified),
            merged: count(FileStatus::Merged),
            removed: count(FileStatus::Removed),
            conflicts: count(FileStatus::Conflict),
            unchanged: count(FileStatus::Unchanged),
            errors: sev(Severity::Error),
            warnings: sev(Severity::Warning),
            notes: sev(Severity::Info),
        },
        written,
        stale,
        not_written,
        reasons: plans
            .iter()
            .filter(|p| !p.reasons.is_empty())
            .map(|p| (p.name.clone(), p.reasons.clone()))
            .collect(),
        files,
        diagnostics,
        workspace_files,
    }
}
