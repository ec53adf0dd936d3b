//! `constitution.md`: principles, their rules and the version line.
//!
//! Principles are the sub-sections of any section whose title mentions "principles" (spec-kit
//! puts them under `## Core Principles`; some teams add `## Architecture Principles`). Every
//! sentence or bullet carrying an RFC 2119 keyword becomes a rule, so the Constitution Check
//! can list exactly what the project promised.

use serde::Serialize;

use super::markdown::{self, Block, Item, Section};
use super::{Located, after_label, comment_ranges, one_line, split_label};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::parse::spec::strength;
use crate::source::{SourceFile, SourceId, Span};

#[derive(Debug, Clone, Serialize)]
pub struct Constitution {
    pub path: String,
    pub title: String,
    pub version: Option<String>,
    pub ratified: Option<String>,
    pub amended: Option<String>,
    pub principles: Vec<Principle>,
    /// Other top-level sections (Technology Stack, Governance…), by title.
    pub sections: Vec<Located>,
    /// Bullets of sections about the technology stack, for resolution.
    pub technology: Vec<Located>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Principle {
    /// 1-based position in the constitution.
    pub index: usize,
    /// The Roman numeral as written (`XI`), if any.
    pub numeral: Option<String>,
    pub title: String,
    /// Parenthesised markers of the heading, upper-cased: NON-NEGOTIABLE, RECOMMENDED…
    pub markers: Vec<String>,
    pub non_negotiable: bool,
    pub summary: String,
    pub rules: Vec<Rule>,
    pub rationale: Option<String>,
    /// Gates the principle names explicitly (`**Gates**: G101, run-as-high-uid`); when
    /// empty, gates are matched from the wording of the rules.
    pub gates: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub text: String,
    /// MUST, MUST NOT, SHOULD, SHOULD NOT or MAY; `None` when the rule states no keyword.
    pub strength: Option<String>,
    pub line: usize,
}

pub fn parse(file: &SourceFile, source: SourceId, diags: &mut Diagnostics) -> Constitution {
    let src = file.text.as_str();
    let doc = markdown::parse(src);
    // The title is the heading the document opens with; an `# END OF CONSTITUTION` after
    // the `##` sections is a closing line, not a name.
    let title = doc
        .sections
        .first()
        .filter(|s| s.level == 1)
        .map(|s| s.title.plain.trim().to_string())
        .unwrap_or_else(|| "Constitution".to_string());

    let mut c = Constitution {
        path: file.display_path(),
        title,
        version: None,
        ratified: None,
        amended: None,
        principles: Vec::new(),
        sections: Vec::new(),
        technology: Vec::new(),
    };

    // Version, ratified and amended: one line joined by `|`, or one line each.
    let mut version_at = None;
    for s in doc.walk() {
        for b in s.blocks.iter().chain(doc.preamble.iter()) {
            let Block::Paragraph(t) = b else { continue };
            for part in t.plain.split(['|', '\n']) {
                let Some((label, value)) = split_label(part.trim()) else {
                    continue;
                };
                let value = Some(value.trim().trim_matches('*').trim().to_string());
                match super::locale::english(label).to_lowercase().as_str() {
                    "version" | "constitution version" => {
                        version_at = Some(t.span.clone());
                        c.version = value
                    }
                    "ratified" | "ratification date" | "ratification" => c.ratified = value,
                    "last amended" | "amended" | "last amended date" => c.amended = value,
                    _ => {}
                }
            }
        }
    }
    if version_at.is_none() {
        diags.push(
            Diagnostic::new(Code::MissingVersion, "the constitution has no Version line")
                .at(Span::new(source, 0..0))
                .hint("end it with `**Version**: 1.0.0 | **Ratified**: YYYY-MM-DD | **Last Amended**: YYYY-MM-DD`, as spec-kit's template does"),
        );
    }

    let all = doc.walk();
    let principle_sections: Vec<&Section> = {
        let mut v: Vec<&Section> = all
            .iter()
            .filter(|s| s.key().contains("principles"))
            .flat_map(|s| s.children.iter())
            .collect();
        if v.is_empty() {
            // No "Principles" section: fall back to numbered headings anywhere.
            v = all
                .iter()
                .copied()
                .filter(|s| s.level >= 2 && roman_prefix(&s.title.plain).is_some())
                .collect();
        }
        v
    };
    for (i, s) in principle_sections.iter().enumerate() {
        let p = principle(file, source, s, i + 1, diags);
        c.principles.push(p);
    }
    if c.principles.is_empty() {
        diags.push(
            Diagnostic::new(Code::NoPrinciples, "the constitution declares no principles")
                .at(Span::new(source, 0..0))
                .hint("put each principle under `## Core Principles` as `### I. <Name>` with MUST / SHOULD rules"),
        );
    }

    for s in &all {
        if s.level == 2 && !s.key().contains("principles") {
            c.sections.push(Located::new(
                file,
                source,
                s.title.plain.trim().to_string(),
                s.title.span.clone(),
            ));
        }
        let key = s.key();
        if key.contains("technology") || key.contains("tech stack") || key == "stack" {
            collect_bullets(file, source, &s.blocks, &mut c.technology);
            for child in &s.children {
                collect_bullets(file, source, &child.blocks, &mut c.technology);
            }
        }
    }

    placeholders(src, source, diags);
    c
}

fn principle(file: &SourceFile, source: SourceId, s: &Section, index: usize, diags: &mut Diagnostics) -> Principle {
    let heading = s.title.plain.trim();
    let (numeral, rest) = match roman_prefix(heading) {
        Some((n, rest)) => (Some(n.to_string()), rest),
        None => (None, heading),
    };
    let mut title = String::new();
    let mut markers = Vec::new();
    let mut depth = 0;
    let mut paren = String::new();
    for ch in rest.chars() {
        match ch {
            '(' => {
                depth += 1;
                paren.clear();
            }
            ')' if depth > 0 => {
                depth -= 1;
                markers.push(paren.trim().to_uppercase());
            }
            _ if depth > 0 => paren.push(ch),
            _ => title.push(ch),
        }
    }
    let title = one_line(&title);
    let non_negotiable = markers
        .iter()
        .any(|m| m.contains("NON-NEGOTIABLE") || m.contains("NON NEGOTIABLE"));

    let mut p = Principle {
        index,
        numeral,
        title,
        markers,
        non_negotiable,
        summary: String::new(),
        rules: Vec::new(),
        rationale: None,
        gates: Vec::new(),
        line: file.line_of(s.title.span.start),
    };
    let blocks: Vec<&Block> = s
        .blocks
        .iter()
        .chain(s.children.iter().flat_map(|c| c.blocks.iter()))
        .collect();
    let mut summary = Vec::new();
    for b in blocks {
        match b {
            Block::Paragraph(t) => {
                let raw = &file.text[t.span.clone()];
                let label = split_label(&t.plain).map(|(l, _)| l.to_lowercase());
                match label.as_deref() {
                    Some("rationale") | Some("why") => p.rationale = Some(one_line(after_label(raw))),
                    Some("gates") | Some("gate") | Some("checks") => {
                        p.gates.extend(
                            after_label(raw)
                                .split([',', ' '])
                                .map(|g| g.trim().trim_matches('`').to_string())
                                .filter(|g| !g.is_empty()),
                        );
                    }
                    Some("description") | Some("principle") | Some("statement") => {
                        let text = one_line(after_label(raw));
                        sentence_rules(file, source, &text, t.span.clone(), &mut p.rules);
                        summary.push(text);
                    }
                    Some("rule") | Some("rules") | Some("requirement") => {
                        let text = one_line(after_label(raw));
                        if !text.is_empty() {
                            p.rules.push(Rule {
                                strength: strength(&text),
                                text,
                                line: file.line_of(t.span.start),
                            });
                        }
                    }
                    _ => {
                        let text = one_line(raw);
                        sentence_rules(file, source, &text, t.span.clone(), &mut p.rules);
                        summary.push(text);
                    }
                }
            }
            Block::List(l) => item_rules(file, &l.items, &mut p.rules),
            _ => {}
        }
    }
    p.summary = summary.join(" ");
    if p.rules.is_empty() {
        diags.push(
            Diagnostic::new(Code::PrincipleWithoutRules, format!("principle `{}` states no MUST / SHOULD / MAY rule", p.title))
                .at(Span::new(source, s.title.span.clone()))
                .hint("the whole principle is listed for manual review; write its rules as `- … MUST …` bullets to make them checkable"),
        );
        let text = if p.summary.is_empty() {
            p.title.clone()
        } else {
            p.summary.clone()
        };
        p.rules.push(Rule {
            text,
            strength: None,
            line: p.line,
        });
    }
    p
}

/// Sentences of a paragraph that carry a keyword become rules; the rest is explanation.
fn sentence_rules(
    file: &SourceFile,
    _source: SourceId,
    text: &str,
    span: std::ops::Range<usize>,
    rules: &mut Vec<Rule>,
) {
    for sentence in split_sentences(text) {
        if let Some(st) = strength(sentence) {
            rules.push(Rule {
                text: sentence.to_string(),
                strength: Some(st),
                line: file.line_of(span.start),
            });
        }
    }
}

fn item_rules(file: &SourceFile, items: &[Item], rules: &mut Vec<Rule>) {
    for item in items {
        let text = one_line(&file.text[item.text.span.clone()]);
        if !text.is_empty() {
            rules.push(Rule {
                strength: strength(&text),
                text,
                line: file.line_of(item.span.start),
            });
        }
        for child in &item.children {
            if let Block::List(l) = child {
                item_rules(file, &l.items, rules);
            }
        }
    }
}

fn collect_bullets(file: &SourceFile, source: SourceId, blocks: &[Block], out: &mut Vec<Located>) {
    for b in blocks {
        if let Block::List(l) = b {
            for item in &l.items {
                out.push(Located::new(
                    file,
                    source,
                    one_line(&file.text[item.text.span.clone()]),
                    item.text.span.clone(),
                ));
            }
        }
    }
}

fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        if matches!(bytes[i], b'.' | b'!' | b'?') && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    let tail = text[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// `XI. Containerization` → ("XI", "Containerization").
fn roman_prefix(heading: &str) -> Option<(&str, &str)> {
    let heading = heading.trim();
    let end = heading.find(|c: char| !matches!(c, 'I' | 'V' | 'X' | 'L' | 'C'))?;
    if end == 0 || !heading[end..].starts_with(['.', ':', ')']) {
        return None;
    }
    Some((
        &heading[..end],
        heading[end + 1..].trim_start_matches([' ', '-', '—']).trim(),
    ))
}

/// Whether the text between brackets is one of spec-kit's template placeholders
/// (`PROJECT_NAME`, `PRINCIPLE_1_NAME`).
fn is_placeholder(inner: &str) -> bool {
    inner.len() >= 3
        && inner
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && inner.contains('_')
}

/// Whether `text` still holds a template placeholder (`# [PROJECT_NAME] Constitution`).
pub fn has_placeholder(text: &str) -> bool {
    text.split('[')
        .skip(1)
        .any(|after| after.split_once(']').is_some_and(|(inner, _)| is_placeholder(inner)))
}

/// spec-kit's constitution template placeholders (`[PROJECT_NAME]`) left unfilled.
fn placeholders(src: &str, source: SourceId, diags: &mut Diagnostics) {
    let comments = comment_ranges(src);
    let mut seen = std::collections::BTreeSet::new();
    let mut from = 0;
    while let Some(i) = src[from..].find('[') {
        let start = from + i;
        from = start + 1;
        let Some(len) = src[start + 1..].find(']') else { break };
        let inner = &src[start + 1..start + 1 + len];
        if is_placeholder(inner) && !comments.iter().any(|c| c.contains(&start)) && seen.insert(inner.to_string()) {
            diags.push(
                Diagnostic::new(
                    Code::TemplatePlaceholder,
                    format!("template placeholder `[{inner}]` was never filled in"),
                )
                .at(Span::new(source, start..start + len + 2))
                .hint("run spec-kit's /constitution command or replace the placeholder by hand"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders_are_bracketed_upper_case_names() {
        assert!(has_placeholder("[PROJECT_NAME] Constitution"));
        assert!(has_placeholder("# II. [PRINCIPLE_2_NAME]"));
        assert!(!has_placeholder("Todo [v2] Constitution"));
        assert!(
            !has_placeholder("[TODO] Constitution"),
            "no underscore: a word in brackets"
        );
        assert!(!has_placeholder("Todo Constitution"));
    }

    #[test]
    fn the_title_is_the_heading_the_document_opens_with() {
        let title = |text: &str| {
            let mut sources = crate::source::Sources::default();
            let id = sources.add("constitution.md".into(), text.to_string());
            parse(sources.get(id), id, &mut Diagnostics::default()).title
        };
        assert_eq!(
            title("<!-- report -->\n# Todo Chatbot Constitution\n\n## Core Principles\n"),
            "Todo Chatbot Constitution"
        );
        // A closing heading after the sections names nothing.
        assert_eq!(
            title("## ▌ IDENTITY & MISSION\n\ntext\n\n---\n# END OF CONSTITUTION\n"),
            "Constitution"
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman_prefix("XI. Containerization"), Some(("XI", "Containerization")));
        assert_eq!(roman_prefix("Containerization Mandate"), None);
        assert_eq!(roman_prefix("I: Spec-First"), Some(("I", "Spec-First")));
    }

    #[test]
    fn sentences() {
        assert_eq!(
            split_sentences("A MUST x. B is y! C"),
            vec!["A MUST x.", "B is y!", "C"]
        );
    }
}
