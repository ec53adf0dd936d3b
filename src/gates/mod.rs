//! Stage 5: the gates. Checks on the generated artifacts (the catalog of `catalog.rs`, run by
//! `artifacts/`), the constitution bound to them (`policy.rs`), checks of the inputs that no
//! artifact shows (`model.rs`), and the spec quality checklist (`spec_quality.rs`).
//!
//! Gates compute results and push diagnostics for failures; they never print. The documents
//! show the results (plan.md's Constitution Check, checklists/requirements.md), and a run
//! with an unwaived failure writes nothing.

pub mod artifacts;
pub mod catalog;
pub mod constitution;
pub mod matrix;
mod model;
pub mod policy;
pub mod spec_quality;

use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::model::Plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    Waived,
    Manual,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checklist: spec_quality::Checklist,
    pub constitution: constitution::ConstitutionCheck,
}

/// Stage 5 for one feature: judge its deployables (paths relative to its output folder
/// `out_dir`, shown to the user under it), then trace the spec to everything the feature
/// gets (`files`, documents included) for plan.md's traceability matrix.
pub fn judge(
    plan: &mut Plan,
    tracer: &crate::resolve::trace::Tracer,
    out_dir: &str,
    deployables: &[(String, String)],
    files: &[String],
    diags: &mut Diagnostics,
) -> Report {
    let shown: Vec<(String, String)> = deployables
        .iter()
        .map(|(p, t)| (format!("{out_dir}/{p}"), t.clone()))
        .collect();
    let report = evaluate(plan, &shown, diags);
    drop(shown);
    plan.matrix = matrix::matrix(plan, tracer, files, diags);
    report
}

/// Evaluate everything for one feature. `files` are the generated artifacts with their
/// paths as the user sees them (`out/006-k8s-deployment/k8s/30-api-deployment.yaml`).
pub fn evaluate(plan: &Plan, files: &[(String, String)], diags: &mut Diagnostics) -> Report {
    let found = artifacts::Artifacts::from_files(files);
    let mut local = catalog::evaluate(&found, artifacts::Environment::Local);
    let production = catalog::evaluate_only(&found, artifacts::Environment::Production, |g| {
        policy::PRODUCTION_GATES.contains(&g.name)
    });
    let definite = model::merge(plan, &mut local);
    let run = policy::GateRun {
        local: &local,
        production: &production,
        definite: &definite,
    };
    Report {
        checklist: spec_quality::evaluate(plan),
        constitution: constitution::evaluate(plan, &run, diags),
    }
}
