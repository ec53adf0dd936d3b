//! The Constitution Check: one row per principle, with its rules.
//!
//! No rule is marked PASS without a check behind it. Until a principle's rules are bound to
//! automatic checks, its row is MANUAL and says so, rather than the "✅ PASS" an agent
//! would write by eye.

use serde::Serialize;

use super::Status;
use crate::model::Plan;

#[derive(Debug, Clone, Serialize)]
pub struct ConstitutionCheck {
    pub present: bool,
    pub title: String,
    pub version: Option<String>,
    pub path: String,
    pub rows: Vec<PrincipleRow>,
    pub pass: usize,
    pub fail: usize,
    pub waived: usize,
    pub manual: usize,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrincipleRow {
    /// `XI` or the 1-based index when the principle has no numeral.
    pub label: String,
    pub title: String,
    pub markers: String,
    pub status: Status,
    pub rules: Vec<RuleRow>,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub strength: String,
    pub text: String,
    pub line: usize,
}

pub fn evaluate(plan: &Plan) -> ConstitutionCheck {
    let Some(c) = &plan.constitution else {
        return ConstitutionCheck {
            present: false,
            title: String::new(),
            version: None,
            path: String::new(),
            rows: Vec::new(),
            pass: 0,
            fail: 0,
            waived: 0,
            manual: 0,
            summary: "No constitution was found, so no principle could be checked.".into(),
        };
    };
    let rows: Vec<PrincipleRow> = c
        .principles
        .iter()
        .map(|p| PrincipleRow {
            label: p.numeral.clone().unwrap_or_else(|| p.index.to_string()),
            title: p.title.clone(),
            markers: p.markers.join(", "),
            status: Status::Manual,
            rules: p
                .rules
                .iter()
                .map(|r| RuleRow {
                    strength: r.strength.clone().unwrap_or_else(|| "—".into()),
                    text: r.text.clone(),
                    line: r.line,
                })
                .collect(),
            evidence: format!(
                "{}:{}; {} rule{} for manual review",
                c.path,
                p.line,
                p.rules.len(),
                if p.rules.len() == 1 { "" } else { "s" }
            ),
        })
        .collect();
    let manual = rows.len();
    ConstitutionCheck {
        present: true,
        title: c.title.clone(),
        version: c.version.clone(),
        path: c.path.clone(),
        summary: format!(
            "{manual} principle{} listed; none is evaluated automatically yet, so every row is MANUAL and needs a reviewer's sign-off.",
            if manual == 1 { "" } else { "s" }
        ),
        rows,
        pass: 0,
        fail: 0,
        waived: 0,
        manual,
    }
}
