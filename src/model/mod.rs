//! The resolved model: everything the documents say, decided once, with provenance.
//!
//! Templates render this and nothing else, which is what keeps plan.md, research.md,
//! data-model.md and quickstart.md consistent with one another. Every value a user could
//! ask "where did that come from?" about carries an [`Origin`].

pub mod deploy;
pub mod design;
pub mod matrix;
pub mod tables;

use serde::Serialize;

use crate::parse::Located;
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::{Decision, Stage};
use crate::parse::spec::Spec;

/// Where a resolved value came from: a file and line, a derivation, or a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `specs/006-k8s-deployment/plan-input.md:14`, `derived from …`, or `default`.
    pub text: String,
    pub kind: OriginKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OriginKind {
    Input,
    Derived,
    Default,
    Missing,
}

impl Origin {
    pub fn at(path: &str, line: usize) -> Self {
        Origin {
            text: format!("{path}:{line}"),
            kind: OriginKind::Input,
        }
    }

    /// A place in a document that has IDs (a spec's FR-007, its third clarification): cited
    /// by the ID rather than the line, so an edit elsewhere in the file changes no output.
    pub fn cite(path: &str, label: impl std::fmt::Display) -> Self {
        Origin {
            text: format!("{path} ({label})"),
            kind: OriginKind::Input,
        }
    }

    pub fn derived(from: impl Into<String>) -> Self {
        Origin {
            text: format!("derived from {}", from.into()),
            kind: OriginKind::Derived,
        }
    }

    /// The place or derivation alone, without the `derived from` prefix: for an origin that
    /// is quoted inside another one (`derived from X and Y`), so prefixes never pile up.
    pub fn source(&self) -> &str {
        self.text.strip_prefix("derived from ").unwrap_or(&self.text)
    }

    pub fn missing() -> Self {
        Origin {
            text: "no input".into(),
            kind: OriginKind::Missing,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub feature: Feature,
    pub spec: Spec,
    pub constitution: Option<Constitution>,
    /// The nine Technical Context keys of spec-kit's plan template, in template order.
    pub context: Vec<ContextValue>,
    /// `Frontend: …`, `Backend: …` and similar stack lines of the inputs.
    pub stack: Vec<StackLine>,
    pub decisions: Vec<Decision>,
    pub stages: Vec<PlannedStage>,
    /// Whether any stage has an estimate from the input (otherwise the column is omitted).
    pub estimated: bool,
    pub risks: Vec<Risk>,
    pub research: Vec<ResearchEntry>,
    pub open_questions: Vec<OpenQuestion>,
    pub stories: Vec<StoryTrace>,
    /// Requirements no story could be traced to.
    pub cross_cutting: Vec<TracedRequirement>,
    pub relationships: Vec<Relationship>,
    pub notes: Vec<Located>,
    /// The input files, in the order they take precedence (highest first).
    pub inputs: Vec<InputFile>,
    /// Whether the feature is about deployment, and the evidence that decided it.
    pub scope: Scope,
    /// What is built and deployed; `None` for a feature that is not about deployment, or
    /// when no input names a component.
    pub deployment: Option<deploy::Deployment>,
    /// Justified violations: the Complexity Tracking rows of the spec and the plan input.
    pub waivers: Vec<crate::parse::Waiver>,
    /// Data models and routes read from the repository's source, joined to the spec.
    pub design: design::Design,
    /// Every story, requirement and success criterion with what realizes or verifies it.
    pub matrix: Vec<matrix::TraceRow>,
    /// Ports, environment variables and images of the deployment (empty without one).
    pub tables: tables::Tables,
}

/// Whether a feature builds and deploys anything, and why: features that are not about
/// deployment get the planning documents only.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub deploys: bool,
    /// The evidence in words: ``kubernetes` is written in the title of specs/…/spec.md`.
    pub reason: String,
    pub origin: Origin,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            deploys: false,
            reason: "not decided".into(),
            origin: Origin::missing(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    /// `006-k8s-deployment`
    pub name: String,
    /// `006`, when the folder follows spec-kit's `NNN-slug` convention.
    pub number: Option<String>,
    pub title: String,
    pub branch: String,
    /// Folder of the feature, relative to the workspace root.
    pub dir: String,
    pub date: Option<String>,
    pub date_origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContextValue {
    pub key: String,
    pub value: String,
    pub origin: Origin,
    pub needs_clarification: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StackLine {
    pub role: String,
    pub value: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedStage {
    pub number: u32,
    pub title: String,
    pub estimate: Option<String>,
    pub items: Vec<String>,
    pub stories: Vec<String>,
    pub gate: String,
    pub origin: Origin,
}

impl PlannedStage {
    pub fn from_input(s: &Stage, path: &str) -> Self {
        PlannedStage {
            number: s.number,
            title: s.title.clone(),
            estimate: s.estimate.clone(),
            items: s.items.clone(),
            stories: Vec::new(),
            gate: s.gate.clone().unwrap_or_default(),
            origin: Origin::at(path, s.line),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub risk: String,
    pub mitigation: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResearchEntry {
    pub id: String,
    pub topic: String,
    pub decision: String,
    pub rationale: String,
    pub alternatives: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenQuestion {
    pub topic: String,
    pub question: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryTrace {
    pub id: String,
    pub number: u32,
    pub title: String,
    pub priority: String,
    pub independent_test: Option<String>,
    pub scenario_count: usize,
    pub requirements: Vec<TracedRequirement>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TracedRequirement {
    pub id: String,
    pub text: String,
    /// How the requirement was attached to its story: `explicit` (it names the story) or
    /// `keywords` (shared words).
    pub by: String,
    /// For a requirement restated under Clarifications: where, and what it replaced.
    pub updated: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub from: String,
    pub to: String,
    /// Mermaid node ids, derived from the names.
    pub from_id: String,
    pub to_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    pub role: String,
    pub path: String,
}
