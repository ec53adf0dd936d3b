//! Stage 5: checks on the resolved plan (and, as they arrive, on the rendered artifacts).
//!
//! Gates compute results; they never print or fail the run themselves. The documents
//! show the results (plan.md's Constitution Check, checklists/requirements.md), and the
//! command line decides the exit code from them.

pub mod constitution;
pub mod spec_quality;

use serde::Serialize;

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

pub fn evaluate(plan: &Plan) -> Report {
    Report {
        checklist: spec_quality::evaluate(plan),
        constitution: constitution::evaluate(plan),
    }
}
