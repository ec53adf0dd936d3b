//! Feature folders under `specs/` and which of them a run compiles.

use std::path::{Path, PathBuf};

use super::read_source;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::source::{SourceId, Sources};

#[derive(Debug, Clone)]
pub struct FeatureFiles {
    /// The folder name, `006-k8s-deployment`.
    pub name: String,
    /// The folder relative to the workspace root, `specs/006-k8s-deployment`.
    pub dir: PathBuf,
    pub spec: Option<SourceId>,
    pub plan_input: Option<SourceId>,
    /// A spec-kit `plan.md` already in the feature folder (read, never written).
    pub existing_plan: Option<SourceId>,
    /// The ids above are reserved and their texts not read yet ([`crate::load::load_deferred`]).
    pub reserved: bool,
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The feature of the current git branch, or the only feature.
    Current,
    All,
    /// A folder name, a number (`006`) or a slug (`k8s-deployment`).
    Named(String),
    /// Several features named on the command line (`sp plan 006 004`), in that order.
    Several(Vec<String>),
    /// Started inside a folder that groups features (`specs/phase-4/`): [`Selection::Current`]
    /// among that folder's features.
    Group(String),
}

/// Whether a folder under specs/ is a feature: spec-kit numbers them (`001-slug`, or a
/// timestamp), and a folder named otherwise is one only when it has a spec.md. Teams keep
/// reference pages beside their features (`specs/api/`, `specs/ui/`); those are not compiled.
/// A numbered folder without a spec.md whose folders have one (`specs/4-deploy/001-images/`)
/// groups features, as a named one does.
pub fn is_feature_folder(specs: &Path, name: &str) -> bool {
    let dir = specs.join(name);
    dir.join("spec.md").is_file() || (name.starts_with(|c: char| c.is_ascii_digit()) && !holds_features(&dir))
}

/// Whether a folder has a folder with a spec.md.
fn holds_features(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(std::result::Result::ok)
            .any(|e| e.file_type().is_ok_and(|t| t.is_dir()) && e.path().join("spec.md").is_file())
    })
}

/// Folders under specs/ that are not features ([`is_feature_folder`]), sorted: reference
/// pages, or groups of features ([`grouped_features`]).
pub fn documentation_folders(root: &Path) -> Vec<String> {
    let specs = root.join("specs");
    let Ok(entries) = std::fs::read_dir(&specs) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !is_feature_folder(&specs, n))
        .collect();
    out.sort();
    out
}

/// The feature folders one level inside a folder of specs/ that is no feature
/// (`specs/phase-4/001-containerization/`, a folder with a spec.md), sorted: teams that
/// work in phases group their features by phase. They are compiled like the features
/// directly under specs/, under their own folder names ([`discover`]).
pub fn grouped_features(root: &Path, group: &str) -> Vec<String> {
    let dir = root.join("specs").join(group);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && dir.join(n).join("spec.md").is_file())
        .collect();
    out.sort();
    out
}

/// Every feature of the workspace, by name: the folders directly under specs/, then those
/// grouped one level down (`specs/phase-4/001-containerization/` is the feature
/// `001-containerization`, its output `out/001-containerization/`). A feature's name is
/// its folder's name, so the output tree, the git branch and `sp plan 001-containerization`
/// name it as spec-kit does; a grouped folder whose name another feature already has (one
/// directly under specs/, or in a group earlier in name order) is left out, and
/// [`shadowed`] says which.
pub fn discover(root: &Path) -> Result<Vec<FeatureFiles>> {
    let specs = root.join("specs");
    if !specs.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&specs).map_err(|e| Error::io(&specs, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&specs, e))?;
        if !entry.file_type().map_err(|e| Error::io(entry.path(), e))?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !is_feature_folder(&specs, &name) {
            continue;
        }
        out.push(FeatureFiles::at(Path::new("specs").join(&name), name));
    }
    for group in documentation_folders(root) {
        for name in grouped_features(root, &group) {
            if !out.iter().any(|f: &FeatureFiles| f.name == name) {
                out.push(FeatureFiles::at(Path::new("specs").join(&group).join(&name), name));
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The grouped feature folders [`discover`] left out because `features` already has a
/// feature of their name: each with the folder of the feature that has it.
pub fn shadowed(root: &Path, features: &[FeatureFiles]) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for group in documentation_folders(root) {
        for name in grouped_features(root, &group) {
            let dir = Path::new("specs").join(&group).join(&name);
            if let Some(kept) = features.iter().find(|f| f.name == name && f.dir != dir) {
                out.push((dir, kept.dir.clone()));
            }
        }
    }
    out
}

pub fn select(features: &[FeatureFiles], selection: &Selection, branch: Option<&str>) -> Result<Vec<FeatureFiles>> {
    let names = || features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
    match selection {
        Selection::All => Ok(features.to_vec()),
        Selection::Several(names) => {
            let mut out: Vec<FeatureFiles> = Vec::new();
            for n in names {
                for f in select(features, &Selection::Named(n.clone()), branch)? {
                    if !out.iter().any(|o| o.name == f.name) {
                        out.push(f);
                    }
                }
            }
            Ok(out)
        }
        Selection::Group(group) => {
            let dir = Path::new("specs").join(group);
            let inside: Vec<FeatureFiles> = features
                .iter()
                .filter(|f| f.dir.parent() == Some(dir.as_path()))
                .cloned()
                .collect();
            if let Some(f) = branch.and_then(|b| inside.iter().find(|f| f.name == b)) {
                return Ok(vec![f.clone()]);
            }
            match inside.as_slice() {
                [only] => Ok(vec![only.clone()]),
                [] => Err(Error::Usage(format!(
                    "error[{}]: no feature folders in specs/{group}/",
                    Code::FeatureNotFound
                ))),
                several => Err(Error::Usage(format!(
                    "error[{}]: {} features in specs/{group}/ ({}) and the git branch names none of them; name one, or use --all",
                    Code::AmbiguousFeature,
                    several.len(),
                    several.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                ))),
            }
        }
        Selection::Current => {
            if let Some(f) = branch.and_then(|b| features.iter().find(|f| f.name == b)) {
                return Ok(vec![f.clone()]);
            }
            match features {
                [] => Err(Error::Usage(format!(
                    "error[{}]: no feature folders under specs/",
                    Code::FeatureNotFound
                ))),
                [only] => Ok(vec![only.clone()]),
                _ => Err(Error::Usage(format!(
                    "error[{}]: several features ({}) and the git branch names none of them; name one, or use --all",
                    Code::AmbiguousFeature,
                    names()
                ))),
            }
        }
        Selection::Named(q) => {
            let q = q.trim_end_matches('/');
            if let Some(f) = features.iter().find(|f| f.name == q) {
                return Ok(vec![f.clone()]);
            }
            let matches: Vec<&FeatureFiles> = features
                .iter()
                .filter(|f| {
                    let (num, slug) = f.name.split_once('-').unwrap_or((f.name.as_str(), ""));
                    let numeric = !q.is_empty() && q.chars().all(|c| c.is_ascii_digit());
                    (numeric
                        && num.parse::<u64>().ok() == q.parse::<u64>().ok()
                        && num.chars().all(|c| c.is_ascii_digit()))
                        || slug == q
                })
                .collect();
            match matches.as_slice() {
                [one] => Ok(vec![(*one).clone()]),
                [] => Err(Error::Usage(format!(
                    "error[{}]: no feature `{q}` under specs/ (features: {})",
                    Code::FeatureNotFound,
                    if features.is_empty() {
                        "none".to_string()
                    } else {
                        names()
                    }
                ))),
                many => Err(Error::Usage(format!(
                    "error[{}]: `{q}` matches {}; name one by its folder",
                    Code::AmbiguousFeature,
                    many.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(" and ")
                ))),
            }
        }
    }
}

impl FeatureFiles {
    /// The feature `name` in folder `dir` (relative to the root), its files not read yet.
    fn at(dir: PathBuf, name: String) -> Self {
        FeatureFiles {
            dir,
            name,
            spec: None,
            plan_input: None,
            existing_plan: None,
            reserved: false,
        }
    }

    /// The feature's own files, in the order they are read.
    pub fn ids(&self) -> impl Iterator<Item = SourceId> {
        [self.spec, self.plan_input, self.existing_plan].into_iter().flatten()
    }

    /// Reserve ids for the files [`FeatureFiles::read`] would read, reporting a missing
    /// spec.md as it does; [`FeatureFiles::read_reserved`] reads them later.
    pub fn reserve(&mut self, root: &Path, sources: &mut Sources, diags: &mut Diagnostics) {
        let abs = root.join(&self.dir);
        if abs.join("spec.md").is_file() {
            self.spec = Some(sources.reserve(self.dir.join("spec.md")));
        } else {
            diags.push(missing_spec(self));
        }
        if abs.join("plan-input.md").is_file() {
            self.plan_input = Some(sources.reserve(self.dir.join("plan-input.md")));
        } else if abs.join("plan.md").is_file() {
            self.existing_plan = Some(sources.reserve(self.dir.join("plan.md")));
        }
        self.reserved = true;
    }

    /// Read the reserved files into `sources` (an overlay of the table that reserved them).
    /// A file that cannot be read is reported and dropped, as [`FeatureFiles::read`] does.
    pub fn read_reserved(&mut self, root: &Path, sources: &mut Sources, diags: &mut Diagnostics) {
        for slot in [&mut self.spec, &mut self.plan_input, &mut self.existing_plan] {
            let Some(id) = *slot else { continue };
            let display = sources.get(id).path.clone();
            *slot = super::read_text(&root.join(&display), &display, diags).map(|text| {
                sources.replace_text(id, text);
                id
            });
        }
        self.reserved = false;
    }

    pub fn read(&mut self, root: &Path, sources: &mut Sources, diags: &mut Diagnostics) {
        let abs = root.join(&self.dir);
        let spec = abs.join("spec.md");
        if spec.is_file() {
            self.spec = read_source(sources, &spec, self.dir.join("spec.md"), diags);
        } else {
            diags.push(missing_spec(self));
        }
        let input = abs.join("plan-input.md");
        if input.is_file() {
            self.plan_input = read_source(sources, &input, self.dir.join("plan-input.md"), diags);
        }
        let plan = abs.join("plan.md");
        if self.plan_input.is_none() && plan.is_file() {
            self.existing_plan = read_source(sources, &plan, self.dir.join("plan.md"), diags);
        }
    }
}

fn missing_spec(f: &FeatureFiles) -> Diagnostic {
    Diagnostic::new(Code::MissingSpec, format!("feature `{}` has no spec.md", f.name))
        .at_path(f.dir.join("spec.md"))
        .hint("write it with spec-kit's /specify command, or remove the folder")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str) -> FeatureFiles {
        FeatureFiles {
            name: name.into(),
            dir: Path::new("specs").join(name),
            spec: None,
            plan_input: None,
            existing_plan: None,
            reserved: false,
        }
    }

    #[test]
    fn names_numbers_and_slugs() {
        let all = vec![f("004-k8s-deployment"), f("006-k8s-deployment"), f("007-chat")];
        let pick = |q: &str| select(&all, &Selection::Named(q.into()), None).map(|v| v[0].name.clone());
        assert_eq!(pick("006").unwrap(), "006-k8s-deployment");
        assert_eq!(pick("6").unwrap(), "006-k8s-deployment");
        assert_eq!(pick("chat").unwrap(), "007-chat");
        assert!(pick("k8s-deployment").unwrap_err().to_string().contains("SP107"));
        assert!(pick("999").unwrap_err().to_string().contains("SP104"));
    }

    #[test]
    fn current_uses_the_branch_or_the_only_feature() {
        let all = vec![f("004-a"), f("006-b")];
        let got = select(&all, &Selection::Current, Some("006-b")).unwrap();
        assert_eq!(got[0].name, "006-b");
        assert!(select(&all, &Selection::Current, Some("main")).is_err());
        assert_eq!(select(&all[..1], &Selection::Current, None).unwrap()[0].name, "004-a");
    }
}
