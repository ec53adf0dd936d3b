//! Findings about the user's input, as data.
//!
//! Every stage pushes [`Diagnostic`]s into a [`Diagnostics`] list instead of returning early,
//! so one run reports every problem at once. Failures of the tool itself (a folder that
//! cannot be listed, a file that cannot be written) are [`crate::Error`]s instead.
//! Rendering lives in [`render`]: rustc-style text for people, JSON for machines.

mod codes;
pub mod docs;
pub mod render;
pub mod stored;

use std::path::PathBuf;

pub use codes::Code;

use crate::source::{SourceId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a finding points: a span of a file read by the run, or just a path (for a file
/// that could not be read, or a folder where a file is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Span(Span),
    Path(PathBuf),
    /// A line and column of a file that is not in the source table: a generated artifact,
    /// or one `sp check --artifacts` read.
    PathAt {
        path: PathBuf,
        line: usize,
        column: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// The text under the primary underline.
    pub label: Option<String>,
    /// Further places that explain the finding (the first definition of a duplicate ID…).
    pub related: Vec<(Span, String)>,
    pub hint: Option<String>,
    /// A more specific rule than the code, such as the gate (`G101`) behind an SP701; SARIF
    /// consumers group findings by it.
    pub rule: Option<&'static str>,
    /// Machine-readable facts about the finding (the gate's rule, the object's kind,
    /// namespace and name): JSON `properties`, SARIF result `properties`.
    pub properties: Vec<(&'static str, String)>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: None,
            label: None,
            related: Vec::new(),
            hint: None,
            rule: None,
            properties: Vec::new(),
        }
    }

    /// Add a machine-readable fact (skipped when the value is empty).
    pub fn property(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.properties.push((key, value));
        }
        self
    }

    pub fn at(mut self, span: Span) -> Self {
        self.location = Some(Location::Span(span));
        self
    }

    pub fn at_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.location = Some(Location::Path(path.into()));
        self
    }

    pub fn at_line(mut self, path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        self.location = Some(Location::PathAt {
            path: path.into(),
            line,
            column,
        });
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Where the diagnostic is printed among the others (see [`Diagnostics::sorted`]).
    pub fn sort_key(&self) -> SortKey {
        match &self.location {
            Some(Location::Span(s)) => (Some(s.source), s.range.start, self.code),
            _ => (None, 0, self.code),
        }
    }
}

/// The order diagnostics are printed in: by file, then place, then code.
pub type SortKey = (Option<SourceId>, usize, Code);

/// The findings of one run, reported together at the end.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings in file order, then by position, so output never depends on the order
    /// in which stages happened to run.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| d.sort_key());
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}
