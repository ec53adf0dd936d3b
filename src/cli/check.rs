//! `sp check`: the gates and the spec quality checks, without writing anything.
//!
//! On a feature it compiles as `sp plan` does and reports every finding; with `--artifacts
//! DIR` it judges Dockerfiles, manifests and charts that `sp` did not write, and says what it
//! could not check. `--format sarif` gives SARIF 2.1.0 for code review annotations.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::Outcome;
use crate::diagnostics::render as diag_render;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::gates::artifacts::{self, Artifacts, Environment, Framing, Outcome as GateOutcome};
use crate::gates::catalog::GATES;
use crate::load::{self, Selection};
use crate::source::Sources;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The feature, as for `sp plan`; defaults to the git branch's feature or the only one.
    pub feature: Option<String>,

    /// Check every feature under specs/.
    #[arg(long, conflicts_with_all = ["feature", "artifacts"])]
    pub all: bool,

    /// Check the Dockerfiles, manifests and charts under DIR instead of a feature.
    #[arg(long, value_name = "DIR", conflicts_with = "feature")]
    pub artifacts: Option<PathBuf>,

    /// With --artifacts: judge them as production (replicas, disruption budgets, rollout).
    #[arg(long, requires = "artifacts")]
    pub production: bool,

    /// Override a deployment value, as for `sp plan`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

/// Gate metadata for SARIF's rule list.
pub(super) fn gate_rules() -> Vec<diag_render::RuleInfo> {
    GATES
        .iter()
        .map(|g| diag_render::RuleInfo {
            id: g.code.to_string(),
            name: g.name.to_string(),
            summary: g.summary.to_string(),
            help: format!("{} Fix: {}", g.why, g.fix),
            level: g.severity,
        })
        .collect()
}

fn print(diags: &Diagnostics, sources: &Sources, format: CheckFormat, color: bool, summary: &[String]) {
    match format {
        CheckFormat::Human => {
            eprint!("{}", diag_render::human(diags, sources, color));
            for line in summary {
                eprintln!("{line}");
            }
            eprintln!("{}", diag_render::summary(diags));
        }
        CheckFormat::Json => print!("{}", diag_render::json(diags, sources)),
        CheckFormat::Sarif => print!("{}", diag_render::sarif(diags, sources, &gate_rules())),
    }
}

pub fn run(args: &CheckArgs, dir: Option<&Path>, color: bool) -> Result<Outcome> {
    let cwd = match dir {
        Some(d) => std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?,
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    if let Some(dir) = &args.artifacts {
        return check_artifacts(&cwd.join(dir), args, color);
    }
    let root = load::find_root(&cwd).ok_or_else(|| {
        Error::Usage(format!(
            "no spec-kit workspace (a folder with specs/ or .specify/) at or above {}",
            cwd.display()
        ))
    })?;
    let selection = match (&args.feature, args.all) {
        (_, true) => Selection::All,
        (Some(f), false) => Selection::Named(f.clone()),
        (None, false) => Selection::Current,
    };
    let options = crate::Options { set: args.set.clone() };
    let c = crate::compile(&root, &selection, &options)?;
    if c.features.is_empty() {
        return Err(Error::Usage(format!(
            "error[{}]: no feature folders under {}; there is nothing to check",
            crate::diagnostics::Code::FeatureNotFound,
            root.join("specs").display()
        )));
    }
    let mut summary = Vec::new();
    for (plan, report) in c.features.iter().filter_map(|f| f.plan.as_ref().zip(f.report.as_ref())) {
        summary.push(format!(
            "{}: constitution {}; spec quality {}",
            plan.feature.name, report.constitution.summary_counts, report.checklist.summary
        ));
    }
    let diags = c.diagnostics();
    print(&diags, &c.workspace.sources, args.format, color, &summary);
    Ok(if diags.has_errors() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

fn check_artifacts(dir: &Path, args: &CheckArgs, color: bool) -> Result<Outcome> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", dir.display())));
    }
    let (files, dropped) = load::artifact_files(dir)?;
    let shown = |p: &str| -> String {
        let base = crate::source::display_path(dir);
        format!("{}/{p}", base.trim_end_matches('/'))
    };
    let files: Vec<(String, String)> = files.into_iter().map(|(p, t)| (shown(&p), t)).collect();
    // Artifacts by name that could not be read as text are said, like everything not checked.
    let dropped: Vec<(String, &str)> = dropped
        .into_iter()
        .filter(|(p, _)| artifacts::is_artifact_name(p))
        .map(|(p, why)| (shown(&p), why))
        .collect();
    let found = Artifacts::from_files(&files);
    let env = if args.production {
        Environment::Production
    } else {
        Environment::Local
    };
    let results = crate::gates::catalog::evaluate(&found, env);
    let mut diags = Diagnostics::default();
    let mut summary = Vec::new();
    let (mut pass, mut fail, mut na) = (0, 0, 0);
    for r in &results {
        let Some(g) = GATES.iter().find(|g| g.code == r.gate) else {
            continue;
        };
        match r.status {
            GateOutcome::Pass => pass += 1,
            GateOutcome::NotApplicable => na += 1,
            GateOutcome::Fail => fail += 1,
        }
        for f in &r.findings {
            diags.push(g.diagnostic(f, Framing::Artifacts, g.severity));
        }
    }
    // Everything read that no gate examined is said, in every format: a note-level result.
    for (file, why) in &dropped {
        diags.push(
            Diagnostic::new(Code::NotChecked, format!("not checked: {why}"))
                .at_path(file)
                .property("reason", *why),
        );
    }
    for s in found.skipped() {
        diags.push(
            Diagnostic::new(Code::NotChecked, format!("not checked: {}", s.reason))
                .at_line(&s.file, s.line.unwrap_or(1), 1)
                .property("reason", s.reason.as_str()),
        );
    }
    let read: Vec<String> = found
        .counts()
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    summary.push(format!(
        "{} files read ({}); {} not checked; gates: {pass} passed, {fail} failed, {na} had nothing to examine",
        files.len(),
        if read.is_empty() {
            "nothing to check".to_string()
        } else {
            read.join(", ")
        },
        found.skipped().len() + dropped.len(),
    ));
    print(&diags, &Sources::default(), args.format, color, &summary);
    // The process ends here: freeing every parsed tree one node at a time took a tenth of the
    // command's time, for memory the exit returns anyway.
    std::mem::forget((found, files));
    Ok(if diags.has_errors() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
