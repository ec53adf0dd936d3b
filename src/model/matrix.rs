//! plan.md's traceability matrix, as the documents show it; `gates::matrix` builds it once
//! the gates have judged the artifacts.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TraceRow {
    /// `US1`, `FR-001`, `SC-001`.
    pub id: String,
    /// `story`, `requirement`, `success criterion`.
    pub kind: String,
    pub text: String,
    pub line: usize,
    pub components: Vec<Link>,
    pub artifacts: Vec<Link>,
    pub stages: Vec<Link>,
    pub gates: Vec<Link>,
    pub steps: Vec<Link>,
    /// What is missing, when nothing realizes (or, for a success criterion, verifies) it.
    pub flag: Option<String>,
    /// Whether a stage, gate or quickstart step is linked with certainty (otherwise every
    /// link behind the row is a guess).
    pub certain: bool,
}

/// One entry of a cell: what, and whether the inputs write the link or it is guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub name: String,
    pub guessed: bool,
}

impl Link {
    pub(crate) fn certain(name: impl Into<String>) -> Self {
        Link {
            name: name.into(),
            guessed: false,
        }
    }

    pub(crate) fn guessed(name: impl Into<String>) -> Self {
        Link {
            name: name.into(),
            guessed: true,
        }
    }
}
