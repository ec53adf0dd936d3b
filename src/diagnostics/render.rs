//! Turning diagnostics into text: rustc-style snippets (via annotate-snippets) or JSON.

use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use super::{Diagnostic, Diagnostics, Location, Severity};
use crate::source::{Sources, display_path};

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Render every finding, rustc-style, followed by a one-line summary.
pub fn human(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    Rendered::of(diags, sources, color).into_text()
}

/// Diagnostics rendered for people, each with the key it is printed in order of: rendered
/// while their sources are at hand (a feature's, dropped once it is written), printed
/// together at the end as [`human`] would print them all.
#[derive(Debug, Default)]
pub struct Rendered {
    items: Vec<(crate::diagnostics::SortKey, String)>,
}

impl Rendered {
    pub fn of(diags: &Diagnostics, sources: &Sources, color: bool) -> Self {
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        Rendered {
            items: diags
                .iter()
                .map(|d| (d.sort_key(), renderer.render(&report(d, sources)).to_string()))
                .collect(),
        }
    }

    /// Add `other`'s, after this one's: of two with one key, the first added prints first.
    pub fn extend(&mut self, other: Rendered) {
        self.items.extend(other.items);
    }

    pub fn into_text(mut self) -> String {
        // Stable, like `Diagnostics::sorted`: equal keys keep the order they were added in.
        self.items.sort_by_key(|(k, _)| *k);
        let mut out = String::new();
        // Features of one repository read the same files: a finding about a shared file
        // (`backend/requirements.txt`) is made once per feature, and printed once.
        let mut printed = std::collections::BTreeSet::new();
        for (_, text) in self.items {
            if printed.contains(&text) {
                continue;
            }
            out.push_str(&text);
            out.push_str("\n\n");
            printed.insert(text);
        }
        out
    }
}

fn report<'a>(d: &'a Diagnostic, sources: &'a Sources) -> Vec<Group<'a>> {
    let title = level(d.severity).primary_title(d.message.as_str()).id(d.code.as_str());
    let mut elements: Vec<Element<'a>> = Vec::new();
    match &d.location {
        Some(Location::Span(span)) => {
            let file = sources.get(span.source);
            let mut snippet = Snippet::source(file.text.as_str())
                .path(file.display_path())
                .fold(true)
                .annotation(
                    AnnotationKind::Primary
                        .span(clamp(&file.text, span.range.clone()))
                        .label(d.label.as_deref().unwrap_or("")),
                );
            for (rel, label) in &d.related {
                if rel.source == span.source {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(clamp(&file.text, rel.range.clone()))
                            .label(label.as_str()),
                    );
                }
            }
            elements.push(snippet.into());
        }
        Some(Location::Path(path)) => elements.push(Origin::path(display_path(path)).into()),
        // A line of a file the run read (`.env.example:3`, found from a value's origin) is
        // shown like a span, the whole line from the column on; any other file by its place.
        Some(Location::PathAt { path, line, column }) => match line_in_sources(sources, path, *line, *column) {
            Some((file, range)) => elements.push(
                Snippet::source(file.text.as_str())
                    .path(file.display_path())
                    .fold(true)
                    .annotation(
                        AnnotationKind::Primary
                            .span(range)
                            .label(d.label.as_deref().unwrap_or("")),
                    )
                    .into(),
            ),
            None => elements.push(Origin::path(display_path(path)).line(*line).char_column(*column).into()),
        },
        None => {}
    }
    if let Some(hint) = &d.hint {
        elements.push(Level::HELP.message(hint.as_str()).into());
    }
    let mut groups = vec![if elements.is_empty() {
        Group::with_title(title)
    } else {
        title.elements(elements)
    }];
    for (rel, label) in &d.related {
        if matches!(&d.location, Some(Location::Span(s)) if s.source == rel.source) {
            continue;
        }
        let file = sources.get(rel.source);
        groups.push(
            Group::with_title(Level::NOTE.secondary_title(label.as_str())).element(
                Snippet::source(file.text.as_str())
                    .path(file.display_path())
                    .fold(true)
                    .annotation(AnnotationKind::Context.span(clamp(&file.text, rel.range.clone()))),
            ),
        );
    }
    groups
}

/// The file of `sources` at `path` and the byte range of its 1-based `line` from the 1-based
/// character `column` (for column 1, its first non-blank character) to the line's end, when
/// the run read that file and that line has text there.
fn line_in_sources<'a>(
    sources: &'a Sources,
    path: &std::path::Path,
    line: usize,
    column: usize,
) -> Option<(&'a crate::source::SourceFile, std::ops::Range<usize>)> {
    let shown = display_path(path);
    let file = sources.iter().find(|f| f.display_path() == shown)?;
    let start = match line {
        0 => return None,
        1 => 0,
        n => file.text.match_indices('\n').nth(n - 2)?.0 + 1,
    };
    let text = &file.text[start..];
    let end = start + text.find('\n').unwrap_or(text.len());
    let end = if file.text[..end].ends_with('\r') { end - 1 } else { end };
    let from = file.text[start..end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(end, |(i, _)| start + i);
    // Column 1 means "the line": underline its text, not its indentation.
    let from = if column <= 1 {
        from + (file.text[from..end].len() - file.text[from..end].trim_start().len())
    } else {
        from
    };
    (from < end).then_some((file, from..end))
}

/// Keep a span on character boundaries and inside the text, whatever a parser produced.
fn clamp(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = range.start.min(text.len());
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// The summary line printed after the findings, e.g. `2 errors, 1 warning`.
pub fn summary(diags: &Diagnostics) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(diags.count(Severity::Error), "error"),
        plural(diags.count(Severity::Warning), "warning"),
        plural(diags.count(Severity::Info), "note")
    )
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    label: Option<&'a str>,
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    properties: serde_json::Map<String, serde_json::Value>,
}

fn properties(d: &Diagnostic) -> serde_json::Map<String, serde_json::Value> {
    d.properties
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
        .collect()
}

/// The findings as a JSON array, one object per finding, in file order.
pub fn json(diags: &Diagnostics, sources: &Sources) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .sorted()
        .into_iter()
        .map(|d| {
            let (file, start, end) = match &d.location {
                Some(Location::Span(span)) => {
                    let f = sources.get(span.source);
                    (
                        Some(f.display_path()),
                        Some(f.line_col(span.range.start)),
                        Some(f.line_col(span.range.end)),
                    )
                }
                Some(Location::Path(p)) => (Some(display_path(p)), None, None),
                Some(Location::PathAt { path, line, column }) => {
                    (Some(display_path(path)), Some((*line, *column)), Some((*line, *column)))
                }
                None => (None, None, None),
            };
            JsonDiagnostic {
                code: d.code.as_str(),
                name: d.code.name(),
                severity: d.severity,
                message: &d.message,
                file,
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                label: d.label.as_deref(),
                hint: d.hint.as_deref(),
                properties: properties(d),
            }
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("diagnostics serialise") + "\n"
}

/// Metadata of a rule for SARIF's `tool.driver.rules`.
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub help: String,
    pub level: Severity,
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The findings as a SARIF 2.1.0 log, so code review tools can annotate the exact lines.
/// `rules` describes every rule id a finding may carry beyond the diagnostic codes (gates).
pub fn sarif(diags: &Diagnostics, sources: &Sources, rules: &[RuleInfo]) -> String {
    let mut all_rules: Vec<serde_json::Value> = crate::diagnostics::Code::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": { "text": c.summary() },
                "defaultConfiguration": { "level": sarif_level(c.default_severity()) }
            })
        })
        .collect();
    all_rules.extend(rules.iter().map(|r| {
        serde_json::json!({
            "id": r.id,
            "name": r.name,
            "shortDescription": { "text": r.summary },
            "help": { "text": r.help },
            "defaultConfiguration": { "level": sarif_level(r.level) }
        })
    }));
    let results: Vec<serde_json::Value> = diags
        .sorted()
        .into_iter()
        .map(|d| {
            let mut result = serde_json::json!({
                "ruleId": d.rule.unwrap_or(d.code.as_str()),
                "level": sarif_level(d.severity),
                "message": { "text": match &d.hint { Some(h) => format!("{} (help: {h})", d.message), None => d.message.clone() } },
            });
            let location = match &d.location {
                Some(Location::Span(span)) => {
                    let f = sources.get(span.source);
                    let (sl, sc) = f.line_col(span.range.start);
                    let (el, ec) = f.line_col(span.range.end);
                    Some(serde_json::json!({
                        "physicalLocation": {
                            "artifactLocation": { "uri": f.display_path() },
                            "region": { "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec.max(sc) }
                        }
                    }))
                }
                Some(Location::PathAt { path, line, column }) => Some(serde_json::json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": display_path(path) },
                        "region": { "startLine": (*line).max(1), "startColumn": (*column).max(1) }
                    }
                })),
                Some(Location::Path(path)) => Some(serde_json::json!({
                    "physicalLocation": { "artifactLocation": { "uri": display_path(path) } }
                })),
                None => None,
            };
            if let Some(l) = location {
                result["locations"] = serde_json::Value::Array(vec![l]);
            }
            if !d.properties.is_empty() {
                result["properties"] = serde_json::Value::Object(properties(d));
            }
            result
        })
        .collect();
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sp",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": all_rules
            } },
            "results": results
        }]
    });
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Code, Diagnostic};

    #[test]
    fn a_line_of_a_file_the_run_read_is_shown() {
        let mut sources = Sources::default();
        sources.add(
            "web/.env.example".into(),
            "# comment\n  API_URL=http://localhost:9\r\n".into(),
        );
        let mut diags = Diagnostics::default();
        diags.push(Diagnostic::new(Code::LocalhostInCluster, "read").at_line("web/.env.example", 2, 1));
        diags.push(Diagnostic::new(Code::LocalhostInCluster, "unread").at_line("api/.env", 4, 1));
        diags.push(Diagnostic::new(Code::LocalhostInCluster, "past the end").at_line("web/.env.example", 9, 1));
        let text = Rendered::of(&diags, &sources, false).into_text();
        assert!(
            text.contains("2 |   API_URL=http://localhost:9\n  |   ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"),
            "{text}"
        );
        assert!(text.contains(" --> api/.env:4:1\n"), "{text}");
        assert!(text.contains(" --> web/.env.example:9:1\n"), "{text}");
    }

    #[test]
    fn a_finding_two_features_share_is_printed_once() {
        let sources = Sources::default();
        let finding = || Diagnostic::new(Code::UnlockedInstall, "backend/requirements.txt does not pin `fastapi`");
        let mut first = Diagnostics::default();
        first.push(finding());
        let mut second = Diagnostics::default();
        second.push(finding());
        second.push(Diagnostic::new(
            Code::UnlockedInstall,
            "web/package.json has no lock file",
        ));
        let mut rendered = Rendered::of(&first, &sources, false);
        rendered.extend(Rendered::of(&second, &sources, false));
        let text = rendered.into_text();
        assert_eq!(text.matches("does not pin").count(), 1, "{text}");
        assert_eq!(text.matches("has no lock file").count(), 1, "{text}");
    }
}
