//! Stage 2: Markdown sources to typed syntax with positions.
//!
//! Each spec-kit document has its own parser on top of the shared [`markdown`] block tree.
//! Parsers are tolerant: they accept every layout spec-kit has shipped (v0.0.50 through
//! v1.x) and what people actually write, keep what they do not understand, and report what
//! they could not use as diagnostics instead of failing.

pub mod code;
pub mod constitution;
pub mod context_keys;
pub mod locale;
pub mod markdown;
pub mod plan_input;
pub mod routes;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod spec;

use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::{FeatureFiles, Workspace};
use crate::source::{SourceFile, SourceId, Span};

/// What every feature of a run shares, parsed once.
pub struct Shared {
    pub constitution: Option<constitution::Constitution>,
    /// The `--set` assignments, secrets redacted.
    pub set: Vec<String>,
}

/// The inputs every feature shares. Secrets are cut out of every Markdown input (and
/// `--set`) first, replaced in the source table, so no document, diagnostic or log line can
/// repeat them (SP110); then the constitution is parsed.
pub fn shared(workspace: &mut Workspace, set: &[String], diags: &mut Diagnostics) -> Shared {
    let inputs: Vec<SourceId> = workspace
        .constitution
        .into_iter()
        .chain(
            workspace
                .features
                .iter()
                .flat_map(|f| [f.spec, f.plan_input, f.existing_plan])
                .flatten(),
        )
        .collect();
    secrets::redact(&mut workspace.sources, &inputs, diags);
    let mut set = set.to_vec();
    secrets::redact_set(&mut set, diags);
    let sources = &workspace.sources;
    Shared {
        constitution: workspace
            .constitution
            .map(|id| constitution::parse(sources.get(id), id, diags)),
        set,
    }
}

/// Redact the secrets of a feature's own files read after [`shared`] ran (a deferred load).
pub fn redact_feature(sources: &mut crate::source::Sources, f: &FeatureFiles, diags: &mut Diagnostics) {
    let ids: Vec<SourceId> = f.ids().collect();
    secrets::redact_here(sources, &ids, diags);
}

/// Everything parsed for one feature.
pub struct ParsedFeature {
    pub name: String,
    pub dir: String,
    pub spec: spec::Spec,
    pub plan_input: Option<plan_input::PlanInput>,
    /// The date to print, when the environment fixes it (`SOURCE_DATE_EPOCH`).
    pub date_override: Option<String>,
}

/// Parse one feature: its spec and its plan input. Without a `plan-input.md`, the Technical
/// Context of a spec-kit `plan.md` already in the folder is adopted as the plan input
/// (SP106); with neither, the plan says NEEDS CLARIFICATION (SP404). `None` when the folder
/// has no spec.md (load reported it).
pub fn feature(
    f: &FeatureFiles,
    sources: &crate::source::Sources,
    date_override: Option<String>,
    diags: &mut Diagnostics,
) -> Option<ParsedFeature> {
    let spec_id = f.spec?;
    let spec = spec::parse(sources.get(spec_id), spec_id, diags);
    let plan_input = match (f.plan_input, f.existing_plan) {
        (Some(id), _) => Some(plan_input::parse(sources.get(id), id)),
        (None, Some(id)) => {
            let adopted = plan_input::parse_adopted(sources.get(id), id);
            let d = match &adopted {
                Some(_) => Diagnostic::new(Code::AdoptedPlan, "no plan-input.md: using the Technical Context of the existing plan.md")
                    .hint("sp never overwrites this plan.md; its own output goes to the output folder. Write plan-input.md to take over"),
                None => Diagnostic::new(Code::MissingPlanInput, "no plan-input.md, and the existing plan.md has no Technical Context")
                    .hint("write specs/<feature>/plan-input.md, or run `sp plan <feature> \"<what you would type after /sp.plan>\"`"),
            };
            diags.push(d.at(Span::new(id, 0..0)));
            adopted
        }
        (None, None) => {
            diags.push(
                Diagnostic::new(Code::MissingPlanInput, format!("feature `{}` has no plan-input.md", f.name))
                    .at_path(f.dir.join("plan-input.md"))
                    .hint("every Technical Context key will say NEEDS CLARIFICATION; run `sp plan <feature> \"<what you would type after /sp.plan>\"` to save one"),
            );
            None
        }
    };
    Some(ParsedFeature {
        name: f.name.clone(),
        dir: crate::source::display_path(&f.dir),
        spec,
        plan_input,
        date_override,
    })
}

/// A piece of text with the line it starts on, as shown in documents (`spec.md:42`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Located {
    pub text: String,
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
}

impl Located {
    pub fn new(file: &SourceFile, source: SourceId, text: String, range: Range<usize>) -> Self {
        Located {
            text,
            line: file.line_of(range.start),
            span: Span::new(source, range),
        }
    }
}

/// One row of a Complexity Tracking table: a justified violation of the constitution.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Waiver {
    /// What is violated, as written: a gate code or name, or a principle.
    pub violation: String,
    pub why: String,
    pub alternative: String,
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
}

/// The rows of every table under a `Complexity Tracking` section, spec-kit's place for
/// justified violations (`| Violation | Why Needed | Simpler Alternative Rejected Because |`).
pub fn complexity_tracking(doc: &markdown::Document, file: &SourceFile, source: SourceId) -> Vec<Waiver> {
    let mut out = Vec::new();
    let Some(section) = doc.find(&["complexity tracking"]) else {
        return out;
    };
    for s in section.walk() {
        for block in &s.blocks {
            let markdown::Block::Table { rows, span } = block else {
                continue;
            };
            let lines = lines_in(&file.text, span.clone());
            for (i, row) in rows.iter().enumerate().skip(1) {
                let cell = |n: usize| row.get(n).map(|c| c.trim().to_string()).unwrap_or_default();
                let violation = cell(0);
                // spec-kit's template ships an example row in brackets; it waives nothing.
                if violation.is_empty() || violation.starts_with('[') {
                    continue;
                }
                // Row i of the table is line i + 1 of its source (the separator is line 1).
                let range = lines.get(i + 1).map(|(r, _)| r.clone()).unwrap_or(span.clone());
                out.push(Waiver {
                    violation,
                    why: cell(1),
                    alternative: cell(2),
                    line: file.line_of(range.start),
                    span: Span::new(source, range),
                });
            }
        }
    }
    out
}

/// Markdown source of an inline span folded onto one line, so list items that wrap in the
/// input do not break tables and bullets in the output.
pub fn one_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split `Label: value` (the plain text of a bold-label line such as `**Why this
/// priority**: …`). The label must look like a label: short, no sentence punctuation.
pub fn split_label(plain: &str) -> Option<(&str, &str)> {
    // A translated template's full-width colon (`**验收场景**：`) ends a label too.
    let (idx, colon) = match (plain.find(':'), plain.find('：')) {
        (Some(a), Some(b)) if b < a => (b, '：'.len_utf8()),
        (Some(a), _) => (a, 1),
        (None, Some(b)) => (b, '：'.len_utf8()),
        (None, None) => return None,
    };
    let (label, rest) = plain.split_at(idx);
    let label = label.trim();
    if label.is_empty() || label.split_whitespace().count() > 6 || label.contains(['.', ',', ';', '!', '?', '`', '"']) {
        return None;
    }
    Some((label, rest[colon..].trim()))
}

/// The Markdown after a leading label in `raw`: `**FR-001**: text`, `**Label:** text`,
/// `Label: text` and `FR-001 text` all give `text`, with inline formatting intact.
pub fn after_label(raw: &str) -> &str {
    let raw = raw.trim_start();
    let rest = if let Some(stripped) = raw.strip_prefix("**").or_else(|| raw.strip_prefix("__")) {
        match stripped.find("**").or_else(|| stripped.find("__")) {
            Some(end) => &stripped[end + 2..],
            None => stripped,
        }
    } else if let Some(idx) = raw.find(':') {
        &raw[idx + 1..]
    } else {
        match raw.find(char::is_whitespace) {
            Some(idx) => &raw[idx..],
            None => "",
        }
    };
    rest.trim_start_matches(|c: char| c == ':' || c == '：' || c == '-' || c == '—' || c == '–' || c.is_whitespace())
        .trim_end()
}

/// An identifier like `FR-001`, `NFR-12`, `SC-003` or `FR-SEC-004` at the start of `text`:
/// returns the prefix (`FR`), the number and the byte length of the identifier.
pub fn leading_id(text: &str) -> Option<(String, u32, usize)> {
    let t = text.trim_start();
    let offset = text.len() - t.len();
    let bytes = t.as_bytes();
    let mut i = 0;
    let mut prefix_end;
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_uppercase() {
            i += 1;
        }
        if i == start || i - start > 6 || i >= bytes.len() || bytes[i] != b'-' {
            return None;
        }
        prefix_end = i;
        i += 1;
        if i < bytes.len() && bytes[i].is_ascii_digit() {
            break;
        }
    }
    let num_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i - num_start > 5 || (i < bytes.len() && (bytes[i].is_ascii_alphanumeric())) {
        return None;
    }
    let number = t[num_start..i].parse().ok()?;
    Some((t[..prefix_end].to_string(), number, offset + i))
}

/// The lines of `range` in `src`, each with its own byte range (without the line break).
pub fn lines_in(src: &str, range: Range<usize>) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = range.start;
    for line in src[range.clone()].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        out.push((start..start + content.len(), content));
        start += line.len();
    }
    out
}

/// Byte ranges of HTML comments, which spec-kit templates use for instructions that must
/// not be read as content.
pub fn comment_ranges(src: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = src[from..].find("<!--") {
        let start = from + start;
        let end = src[start..].find("-->").map(|e| start + e + 3).unwrap_or(src.len());
        out.push(start..end);
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_recognised_with_any_prefix() {
        assert_eq!(leading_id("FR-001: x"), Some(("FR".into(), 1, 6)));
        assert_eq!(leading_id("NFR-12 x"), Some(("NFR".into(), 12, 6)));
        assert_eq!(leading_id("FR-SEC-004: x"), Some(("FR-SEC".into(), 4, 10)));
        assert_eq!(leading_id("SC-3"), Some(("SC".into(), 3, 4)));
        assert_eq!(leading_id("Frontend: x"), None);
        assert_eq!(leading_id("FR-00A"), None);
    }

    #[test]
    fn after_label_keeps_inline_markdown() {
        assert_eq!(after_label("**FR-001**: Use `helm`"), "Use `helm`");
        assert_eq!(after_label("**Why this priority:** because"), "because");
        assert_eq!(after_label("Key: value"), "value");
        assert_eq!(after_label("FR-001 text"), "text");
    }

    #[test]
    fn labels_must_be_short() {
        assert_eq!(
            split_label("Target Platform: Minikube"),
            Some(("Target Platform", "Minikube"))
        );
        assert_eq!(split_label("This is a long sentence, really: no"), None);
    }
}
