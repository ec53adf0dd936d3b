//! What a gate finds: failures with their place and object, the evidence that passed it, one
//! result per gate; the accumulator a check writes them into, and the one conversion of a
//! finding into a diagnostic.

use serde::Serialize;

use super::parse::{Pos, Subject};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The gate's code (`G101`).
    pub gate: &'static str,
    /// The rule within the gate that failed (`run-as-user-zero`), kebab-case, stable.
    pub rule: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// What the finding is about: kind, namespace and name of the object (or `Dockerfile`
    /// and its file, `Chart` and its name) and the part of it (`container api`, `stage runtime`).
    pub subject: Subject,
    /// The subject as one phrase: `Deployment/api container api`, `Dockerfile/api.Dockerfile stage runtime`.
    pub object: String,
    pub message: String,
    /// What was found, as written (`runAsUser: 0`, `FROM node:latest`, `no readinessProbe`).
    pub found: String,
}

/// What a passing check examined: `runAsNonRoot: true` at k8s/30-api-deployment.yaml:71.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub file: String,
    pub line: usize,
    pub object: String,
    pub found: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Pass,
    Fail,
    /// Nothing in the artifacts for this gate to look at (or the gate is off for the
    /// environment).
    NotApplicable,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub gate: &'static str,
    pub status: Outcome,
    pub findings: Vec<Finding>,
    pub evidence: Vec<Evidence>,
}

/// How a failure is told: under the principle that claims the gate, as a secure default of a
/// feature, or as a finding on a folder of artifacts (`sp check --artifacts`).
pub enum Framing<'a> {
    Principle {
        /// `XI` or the principle's number.
        label: &'a str,
        title: &'a str,
        /// MUST, SHOULD or MAY.
        strength: &'a str,
        /// The rule's text, quoted in the hint.
        rule: &'a str,
        non_negotiable: bool,
    },
    SecureDefault,
    Artifacts,
}

/// What a gate looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// Kubernetes objects: the raw manifests (and what a chart renders).
    Kubernetes,
    /// Dockerfiles and their `.dockerignore` files.
    Dockerfile,
    /// The structure of a Helm chart: Chart.yaml, values files, schema, templates.
    Chart,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Kubernetes => "kubernetes",
            Scope::Dockerfile => "dockerfile",
            Scope::Chart => "chart",
        }
    }
}

/// Collects what one gate finds.
pub(crate) struct Acc {
    gate: &'static str,
    scope: Scope,
    pub(super) findings: Vec<Finding>,
    pub(super) evidence: Vec<Evidence>,
    examined: bool,
}

impl Acc {
    pub(super) fn new(gate: &'static str, scope: Scope) -> Acc {
        Acc {
            gate,
            scope,
            findings: Vec::new(),
            evidence: Vec::new(),
            examined: false,
        }
    }

    /// The subject of a finding on a Dockerfile or a chart names its kind and file.
    fn subject(&self, file: &str, object: impl Into<Subject>) -> Subject {
        let mut s = object.into();
        if s.kind.is_empty() {
            let kind = match self.scope {
                Scope::Dockerfile if file.ends_with(".dockerignore") => ".dockerignore",
                Scope::Dockerfile => "Dockerfile",
                Scope::Chart => "Chart",
                Scope::Kubernetes => "",
            };
            if self.scope == Scope::Dockerfile && s.name != file {
                s.part = Some(std::mem::take(&mut s.name));
                s.name = file.to_string();
            }
            if let Some(chart) = s.name.strip_prefix("chart ") {
                s.name = chart.to_string();
            }
            s.kind = kind.to_string();
        }
        s
    }

    /// A failure of `rule` (kebab-case, stable within the gate) at `file:pos`.
    pub(super) fn fail(
        &mut self,
        rule: &'static str,
        file: &str,
        pos: Pos,
        object: impl Into<Subject>,
        message: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.examined = true;
        let subject = self.subject(file, object);
        self.findings.push(Finding {
            gate: self.gate,
            rule,
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            object: subject.to_string(),
            subject,
            message: message.into(),
            found: found.into(),
        });
    }

    pub(super) fn pass(&mut self, file: &str, pos: Pos, object: impl Into<Subject>, found: impl Into<String>) {
        self.examined = true;
        self.evidence.push(Evidence {
            file: file.to_string(),
            line: pos.line,
            object: object.into().to_string(),
            found: found.into(),
        });
    }

    pub(super) fn finish(self) -> GateResult {
        let status = if !self.findings.is_empty() {
            Outcome::Fail
        } else if self.examined {
            Outcome::Pass
        } else {
            Outcome::NotApplicable
        };
        GateResult {
            gate: self.gate,
            status,
            findings: self.findings,
            evidence: self.evidence,
        }
    }
}
