//! Diagnostics as plain data that outlives a run: what the record of a feature keeps of the
//! findings of the run that wrote it, so a later run that skips the unchanged feature still
//! reports them, in the same order and with the same words.
//!
//! Spans are kept as a path and a byte range and are found again in the next run's source
//! table; a finding whose file is not there is not restored (and the feature is compiled).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Code, Diagnostic, Location, Severity};
use crate::source::{SourceId, Sources, Span};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub code: String,
    pub severity: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Place>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<(Place, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
}

/// A location by path: a byte range of an input, a path, or a line and column of a file
/// that is not an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<(usize, usize)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<(usize, usize)>,
}

fn span_place(s: &Span, sources: &Sources) -> Place {
    Place {
        path: sources.get(s.source).display_path(),
        bytes: Some((s.range.start, s.range.end)),
        line: None,
    }
}

/// Strings that live as long as the process: a finding's rule and property keys are
/// `&'static str`; each distinct one is kept once.
fn intern(s: &str) -> &'static str {
    static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = seen.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.insert(k);
    k
}

impl Stored {
    pub fn from(d: &Diagnostic, sources: &Sources) -> Stored {
        Stored {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            at: d.location.as_ref().map(|l| match l {
                Location::Span(s) => span_place(s, sources),
                Location::Path(p) => Place {
                    path: p.to_string_lossy().into_owned(),
                    bytes: None,
                    line: None,
                },
                Location::PathAt { path, line, column } => Place {
                    path: path.to_string_lossy().into_owned(),
                    bytes: None,
                    line: Some((*line, *column)),
                },
            }),
            label: d.label.clone(),
            related: d
                .related
                .iter()
                .map(|(s, t)| (span_place(s, sources), t.clone()))
                .collect(),
            hint: d.hint.clone(),
            rule: d.rule.map(str::to_string),
            properties: d.properties.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        }
    }

    /// The finding again, with spans in this run's source table (`ids`: display path to
    /// id). `None` when a file or code it names is unknown, or a range is out of the file.
    pub fn restore(&self, sources: &Sources, ids: &HashMap<String, SourceId>) -> Option<Diagnostic> {
        let span = |p: &Place| -> Option<Span> {
            let id = *ids.get(&p.path)?;
            let (start, end) = p.bytes?;
            let text = &sources.get(id).text;
            (start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end))
                .then(|| Span::new(id, start..end))
        };
        let code = Code::ALL.iter().copied().find(|c| c.as_str() == self.code)?;
        let severity = [Severity::Info, Severity::Warning, Severity::Error]
            .into_iter()
            .find(|s| s.as_str() == self.severity)?;
        let location = match &self.at {
            None => None,
            Some(p) => Some(match (p.bytes, p.line) {
                (Some(_), _) => Location::Span(span(p)?),
                (None, Some((line, column))) => Location::PathAt {
                    path: PathBuf::from(&p.path),
                    line,
                    column,
                },
                (None, None) => Location::Path(PathBuf::from(&p.path)),
            }),
        };
        let mut related = Vec::new();
        for (p, t) in &self.related {
            related.push((span(p)?, t.clone()));
        }
        Some(Diagnostic {
            code,
            severity,
            message: self.message.clone(),
            location,
            label: self.label.clone(),
            related,
            hint: self.hint.clone(),
            rule: self.rule.as_deref().map(intern),
            properties: self.properties.iter().map(|(k, v)| (intern(k), v.clone())).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_round_trips_through_its_stored_form() {
        let mut sources = Sources::default();
        let id = sources.add(PathBuf::from("specs/001-x/spec.md"), "# Spec\n\nline two\n".into());
        let d = Diagnostic::new(Code::MissingPlanInput, "something")
            .at(Span::new(id, 8..12))
            .related(Span::new(id, 0..6), "here")
            .label("under")
            .hint("do this")
            .rule("G101")
            .property("kind", "Deployment");
        let stored = Stored::from(&d, &sources);
        let json = serde_json::to_string(&stored).unwrap();
        let back: Stored = serde_json::from_str(&json).unwrap();
        let ids = HashMap::from([("specs/001-x/spec.md".to_string(), id)]);
        assert_eq!(back.restore(&sources, &ids), Some(d));
        // A file that is not in this run's sources: not restored.
        assert_eq!(back.restore(&sources, &HashMap::new()), None);
        let at = Diagnostic::new(Code::MissingPlanInput, "x").at_line("out/a.yaml", 3, 4);
        assert_eq!(Stored::from(&at, &sources).restore(&sources, &ids), Some(at));
    }
}
