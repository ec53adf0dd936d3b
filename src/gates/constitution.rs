//! The Constitution Check of plan.md: one row per principle, with the gates behind each of
//! its rules and the evidence that decided it, then the secure defaults.

use serde::Serialize;

use super::Status;
use super::policy::{self, DefaultCheck, GateRun, PrincipleCheck};
use crate::diagnostics::Diagnostics;
use crate::model::Plan;

#[derive(Debug, Clone, Serialize)]
pub struct ConstitutionCheck {
    pub present: bool,
    pub title: String,
    pub version: Option<String>,
    pub path: String,
    pub rows: Vec<PrincipleCheck>,
    pub defaults: Vec<DefaultCheck>,
    pub pass: usize,
    pub fail: usize,
    pub waived: usize,
    pub manual: usize,
    /// `10/16 PASS, 0 FAIL, 0 WAIVED, 6 MANUAL`: PASS counts only fully checked principles.
    pub summary_counts: String,
    pub summary: String,
}

pub fn evaluate(plan: &Plan, run: &GateRun, diags: &mut Diagnostics) -> ConstitutionCheck {
    let verdict = policy::evaluate(plan.constitution.as_ref(), run, &plan.waivers, diags);
    let count = |s: Status| verdict.principles.iter().filter(|p| p.status == s).count();
    let (pass, fail, waived, manual) = (
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Waived),
        count(Status::Manual),
    );
    let summary_counts = policy::summary(&verdict.principles);
    let summary = match &plan.constitution {
        None => "No constitution was found: only the secure defaults below were checked.".to_string(),
        Some(_) if verdict.principles.is_empty() => {
            "The constitution declares no principles: only the secure defaults below were checked.".to_string()
        }
        Some(_) => format!(
            "{summary_counts}. A principle is PASS only when a gate checks every one of its rules and all pass; MANUAL rules are listed below for a reviewer."
        ),
    };
    let c = plan.constitution.as_ref();
    ConstitutionCheck {
        present: c.is_some(),
        title: c.map(|c| c.title.clone()).unwrap_or_default(),
        version: c.and_then(|c| c.version.clone()),
        path: c.map(|c| c.path.clone()).unwrap_or_default(),
        rows: verdict.principles,
        defaults: verdict.defaults,
        pass,
        fail,
        waived,
        manual,
        summary_counts,
        summary,
    }
}
