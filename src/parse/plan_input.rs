//! `plan-input.md`: the words a user would type after `/sp.plan`.
//!
//! People write this as prose with `Key: value` lines, as `- Key: value` bullets, as
//! `**Key**: value` lines, or as a key followed by a nested list. This parser extracts those
//! entries, architecture decisions, stages and risks, and keeps every other paragraph as
//! free text. Which keys mean what is decided in [`crate::resolve`], not here.

use serde::Serialize;

use super::context_keys;
use super::markdown::{self, Block, Item, Section};
use super::{Located, after_label, lines_in, one_line, split_label};
use crate::source::{SourceFile, SourceId, Span};

#[derive(Debug, Clone, Serialize)]
pub struct PlanInput {
    pub path: String,
    pub entries: Vec<Entry>,
    pub decisions: Vec<Decision>,
    pub stages: Vec<Stage>,
    pub risks: Vec<Located>,
    pub contingency: Vec<Located>,
    pub free_text: Vec<Located>,
    /// Fenced YAML blocks, kept for the typed deployment input.
    pub yaml_blocks: Vec<Located>,
    /// True when this input was adopted from an existing spec-kit `plan.md`.
    pub adopted: bool,
    /// `Key: value` lines that still hold the plan template's placeholder
    /// (`**Storage**: [if applicable, e.g., PostgreSQL, CoreData, files or N/A]`): no input,
    /// kept to say where the key was left unfilled.
    pub placeholders: Vec<Entry>,
    /// Justified violations from a `Complexity Tracking` table.
    pub complexity: Vec<super::Waiver>,
    /// The first line of the file, where findings about the input as a whole point.
    #[serde(skip)]
    pub start: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// Values of a key followed by a nested list, one per item.
    pub items: Vec<String>,
    /// True when the entry sits among other `Key: value` lines, so an unknown key is
    /// probably a typo; a lone `Title: subtitle` line in prose is not reported.
    pub grouped: bool,
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: String,
    pub title: String,
    pub decision: String,
    pub rationale: Option<String>,
    pub alternatives: Option<String>,
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub number: u32,
    pub title: String,
    pub estimate: Option<String>,
    pub items: Vec<String>,
    pub gate: Option<String>,
    pub line: usize,
}

pub fn parse(file: &SourceFile, source: SourceId) -> PlanInput {
    let doc = markdown::parse(&file.text);
    let mut p = InputParser::new(file, source);
    p.blocks(&doc.preamble, "");
    for s in &doc.sections {
        if s.key() == "complexity tracking" {
            continue;
        }
        p.section(s);
    }
    let mut input = p.finish(false);
    input.complexity = super::complexity_tracking(&doc, file, source);
    input
}

/// Read the Technical Context (and Summary) of an existing spec-kit `plan.md`, so a feature
/// planned by an agent can be recompiled without retyping its inputs.
pub fn parse_adopted(file: &SourceFile, source: SourceId) -> Option<PlanInput> {
    let doc = markdown::parse(&file.text);
    let context = doc.find(&["technical context"])?;
    let mut p = InputParser::new(file, source);
    if let Some(summary) = doc.find(&["summary"]) {
        p.blocks(&summary.blocks, "summary");
    }
    p.blocks(&context.blocks, "technical context");
    Some(p.finish(true))
}

struct InputParser<'a> {
    file: &'a SourceFile,
    source: SourceId,
    out: PlanInput,
}

impl<'a> InputParser<'a> {
    fn new(file: &'a SourceFile, source: SourceId) -> Self {
        InputParser {
            file,
            source,
            out: PlanInput {
                path: file.display_path(),
                entries: Vec::new(),
                decisions: Vec::new(),
                stages: Vec::new(),
                risks: Vec::new(),
                contingency: Vec::new(),
                free_text: Vec::new(),
                yaml_blocks: Vec::new(),
                adopted: false,
                placeholders: Vec::new(),
                complexity: Vec::new(),
                start: Span::new(source, 0..file.text.find('\n').unwrap_or(file.text.len())),
            },
        }
    }

    fn finish(mut self, adopted: bool) -> PlanInput {
        self.out.adopted = adopted;
        for (i, d) in self.out.decisions.iter_mut().enumerate() {
            if d.id.is_empty() {
                d.id = format!("AD-{}", i + 1);
            }
        }
        self.out
    }

    fn raw(&self, r: std::ops::Range<usize>) -> &'a str {
        &self.file.text[r]
    }

    fn loc(&self, text: String, r: std::ops::Range<usize>) -> Located {
        Located::new(self.file, self.source, text, r)
    }

    fn section(&mut self, s: &Section) {
        let key = s.key();
        if key.contains("decision") {
            self.decisions(s);
            return;
        }
        if let Some((number, title, estimate)) = stage_line(s.title.plain.trim()) {
            let items = self.list_texts(&s.blocks);
            self.out.stages.push(Stage {
                number,
                title,
                estimate,
                gate: gate_of(&items),
                items: items
                    .into_iter()
                    .filter(|i| !i.to_lowercase().starts_with("gate"))
                    .collect(),
                line: self.file.line_of(s.title.span.start),
            });
            for c in &s.children {
                self.section(c);
            }
            return;
        }
        let context = if key.contains("risk") { "risks" } else { "" };
        self.blocks(&s.blocks, context);
        for c in &s.children {
            self.section(c);
        }
    }

    fn list_texts(&self, blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::List(l) => Some(
                    l.items
                        .iter()
                        .map(|i| one_line(after_bullet(self.raw(i.text.span.clone()))))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn blocks(&mut self, blocks: &[Block], context: &str) {
        let mut i = 0;
        while i < blocks.len() {
            match &blocks[i] {
                Block::Paragraph(t) => {
                    let next_list = match blocks.get(i + 1) {
                        Some(Block::List(l)) => Some(l),
                        _ => None,
                    };
                    let consumed_list = self.paragraph(t.span.clone(), &t.plain, next_list, context);
                    if consumed_list {
                        i += 1;
                    }
                }
                Block::List(l) => self.list(&l.items, context),
                Block::Code { info, text, span }
                    if info.trim().eq_ignore_ascii_case("yaml") || info.trim().eq_ignore_ascii_case("yml") =>
                {
                    self.out.yaml_blocks.push(self.loc(text.clone(), span.clone()));
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Returns true when the paragraph's last line was a bare `Key:` that took the list
    /// after it as its value.
    fn paragraph(
        &mut self,
        span: std::ops::Range<usize>,
        plain: &str,
        next_list: Option<&markdown::List>,
        context: &str,
    ) -> bool {
        let raw_lines = lines_in(&self.file.text, span.clone());
        let plain_lines: Vec<&str> = plain.lines().collect();
        let labelled = plain_lines.iter().filter(|l| split_label(l).is_some()).count();
        let grouped = labelled >= 2;
        let mut free = Vec::new();
        let mut consumed = false;
        for (idx, line) in plain_lines.iter().enumerate() {
            let (range, raw) = raw_lines.get(idx).cloned().unwrap_or((span.clone(), ""));
            if let Some((number, title, estimate)) = stage_line(line) {
                self.push_stage(number, title, estimate, Vec::new(), range.start);
                continue;
            }
            let Some((key, value)) = split_label(line) else {
                free.push((range, one_line(raw)));
                continue;
            };
            let lkey = key.to_lowercase();
            let value_md = one_line(after_label(raw));
            let value_md = if value_md.is_empty() {
                value.to_string()
            } else {
                value_md
            };
            if lkey.contains("risk") || context == "risks" {
                for r in split_list(&value_md) {
                    self.out.risks.push(self.loc(r, range.clone()));
                }
                continue;
            }
            if lkey == "contingency" || lkey == "mitigation" {
                for r in split_list(&value_md) {
                    self.out.contingency.push(self.loc(r, range.clone()));
                }
                continue;
            }
            if let Some(id) = decision_id(key) {
                self.out.decisions.push(Decision {
                    id,
                    title: value_md.clone(),
                    decision: value_md,
                    rationale: None,
                    alternatives: None,
                    line: self.file.line_of(range.start),
                    span: Span::new(self.source, range),
                });
                continue;
            }
            let is_last = idx + 1 == plain_lines.len();
            if value.is_empty()
                && is_last
                && let Some(list) = next_list
            {
                self.keyed_list(key, range, &list.items, context);
                consumed = true;
                continue;
            }
            if value.is_empty() {
                // A heading written as `OVERVIEW:`; the text follows in the next lines.
                continue;
            }
            self.push_entry(key, value_md, Vec::new(), grouped, range);
        }
        if !free.is_empty() {
            let start = free.first().map(|f| f.0.start).unwrap_or(span.start);
            let end = free.last().map(|f| f.0.end).unwrap_or(span.end);
            let text = free.into_iter().map(|f| f.1).collect::<Vec<_>>().join(" ");
            if context == "risks" {
                self.out.risks.push(self.loc(text, start..end));
            } else {
                self.out.free_text.push(self.loc(text, start..end));
            }
        }
        consumed
    }

    /// `Key:` followed by a list. The list is either the key's value, or (when every item is
    /// itself `Key: value`) a group of entries under a heading such as `Technical Context:`.
    /// Agents often write the next `**Key**:` straight after the list, where Markdown folds
    /// it into the last item; such lines start a new key here.
    fn keyed_list(&mut self, key: &str, range: std::ops::Range<usize>, items: &[Item], context: &str) {
        let mut current: Option<(String, std::ops::Range<usize>)> = Some((key.to_string(), range));
        let mut collected: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for item in items {
            for (i, (r, line)) in lines_in(&self.file.text, item.text.span.clone())
                .into_iter()
                .enumerate()
            {
                let bold_key = line.trim_start().starts_with("**");
                let label = split_label(&line.replace("**", "")).map(|(k, v)| (k.to_string(), v.to_string()));
                match label {
                    Some((k, v)) if i > 0 && bold_key => {
                        self.flush_keyed(current.take(), std::mem::take(&mut collected), context);
                        if v.is_empty() {
                            current = Some((k, r));
                        } else {
                            let value = one_line(after_label(line));
                            self.push_entry(&k, value, Vec::new(), true, r);
                        }
                    }
                    _ if i == 0 => collected.push((r, one_line(line))),
                    _ => {
                        if let Some(last) = collected.last_mut() {
                            last.1.push(' ');
                            last.1.push_str(&one_line(line));
                            last.0.end = r.end;
                        }
                    }
                }
            }
            // `- Constraints:` with its own nested list: the nested items are its value.
            let nested = self.nested(item);
            if !nested.is_empty()
                && let Some(last) = collected.last_mut()
            {
                let sep = if last.1.trim_end().ends_with(':') { " " } else { "; " };
                last.1 = format!("{}{sep}{}", last.1.trim_end(), nested.join("; "));
            }
        }
        self.flush_keyed(current, collected, context);
    }

    fn flush_keyed(
        &mut self,
        key: Option<(String, std::ops::Range<usize>)>,
        items: Vec<(std::ops::Range<usize>, String)>,
        context: &str,
    ) {
        let Some((key, range)) = key else { return };
        if items.is_empty() {
            return;
        }
        let all_labelled = items.iter().all(|(_, t)| split_label(&t.replace("**", "")).is_some());
        // `**Testing**:` over `- Frontend: Jest` / `- Backend: pytest` is one key whose value
        // is the list; only a heading (`Technical Context:`, a word that is no key) groups keys.
        // The stack keys' labelled items still name stacks (`- Backend: Python 3.13`).
        let key_of_its_own = context_keys::canonical(&key);
        if let Some(canonical) = key_of_its_own
            && all_labelled
        {
            if matches!(canonical, "Language/Version" | "Primary Dependencies") {
                for (r, text) in &items {
                    if let Some((k, _)) = split_label(&text.replace("**", ""))
                        && context_keys::is_stack_role(k)
                    {
                        let k = k.to_string();
                        self.push_entry(&k, one_line(after_label(text)), Vec::new(), true, r.clone());
                    }
                }
            }
            let values: Vec<String> = items.into_iter().map(|(_, t)| t).collect();
            self.push_entry(&key, values.join("; "), values, true, range);
        } else if all_labelled || key.to_lowercase().contains("context") {
            for (r, text) in items {
                if let Some((number, title, estimate)) = stage_line(&text) {
                    self.push_stage(number, title, estimate, Vec::new(), r.start);
                    continue;
                }
                match split_label(&text.replace("**", "")) {
                    Some((k, _)) => {
                        let k = k.to_string();
                        self.push_entry(&k, one_line(after_label(&text)), Vec::new(), true, r)
                    }
                    None => self.out.free_text.push(self.loc(text, r)),
                }
            }
            let _ = context;
        } else {
            let values: Vec<String> = items.into_iter().map(|(_, t)| t).collect();
            self.push_entry(&key, values.join("; "), values, true, range);
        }
    }

    fn list_items(&self, items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| one_line(after_bullet(self.raw(i.text.span.clone()))))
            .collect()
    }

    fn list(&mut self, items: &[Item], context: &str) {
        let grouped = items.iter().filter(|i| split_label(&i.text.plain).is_some()).count() >= 2;
        for item in items {
            // `**Key**: value` lines right after a list continue its last item's paragraph
            // (Markdown's lazy continuation) but are entries of their own.
            let lines = lines_in(&self.file.text, item.text.span.clone());
            let split = lines
                .iter()
                .skip(1)
                .position(|(_, l)| l.trim_start().starts_with("**") && split_label(&l.replace("**", "")).is_some())
                .map(|i| i + 1);
            let (head, tail) = match split {
                Some(i) => (
                    lines[0].0.start..lines[i - 1].0.end,
                    Some(lines[i].0.start..item.text.span.end),
                ),
                None => (item.text.span.clone(), None),
            };
            let plain = one_line(&self.raw(head.clone()).replace("**", ""));
            let raw = self.raw(head.clone());
            let range = head;
            if let Some(tail) = tail {
                let text = self.raw(tail.clone()).replace("**", "");
                self.paragraph(tail, &text, None, context);
            }
            if context == "risks" {
                let (risk, mitigation) = match split_label(&plain) {
                    Some(_) => (
                        one_line(raw.split(':').next().unwrap_or(raw)),
                        one_line(after_label(raw)),
                    ),
                    None => (one_line(raw), String::new()),
                };
                let risk = risk.trim_matches('*').trim().to_string();
                self.out.risks.push(self.loc(risk, range.clone()));
                if !mitigation.is_empty() {
                    self.out.contingency.push(self.loc(mitigation, range));
                }
                continue;
            }
            if let Some((number, title, estimate)) = stage_line(&plain) {
                self.push_stage(number, title, estimate, self.nested(item), range.start);
                continue;
            }
            match split_label(&plain) {
                Some((key, value)) => {
                    if let Some(id) = decision_id(key) {
                        let text = one_line(after_label(raw));
                        self.out.decisions.push(self.decision_from_item(id, text, item));
                        continue;
                    }
                    let mut items = self.nested(item);
                    let value = if value.is_empty() {
                        items.join("; ")
                    } else {
                        items.clear();
                        one_line(after_label(raw))
                    };
                    self.push_entry(key, value, items, grouped, range);
                }
                None => self.out.free_text.push(self.loc(one_line(raw), range)),
            }
        }
    }

    /// A stage line (`STAGE 1: … - 8 hours`) found at byte `at`.
    fn push_stage(&mut self, number: u32, title: String, estimate: Option<String>, items: Vec<String>, at: usize) {
        self.out.stages.push(Stage {
            number,
            title,
            estimate,
            items,
            gate: None,
            line: self.file.line_of(at),
        });
    }

    fn nested(&self, item: &Item) -> Vec<String> {
        item.children
            .iter()
            .filter_map(|b| match b {
                Block::List(l) => Some(self.list_items(&l.items)),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn push_entry(
        &mut self,
        key: &str,
        value: String,
        items: Vec<String>,
        grouped: bool,
        range: std::ops::Range<usize>,
    ) {
        let entry = Entry {
            key: key.trim_matches('*').trim().to_string(),
            value,
            items,
            grouped,
            line: self.file.line_of(range.start),
            span: Span::new(self.source, range),
        };
        if template_placeholder(&entry.value) {
            self.out.placeholders.push(entry);
        } else {
            self.out.entries.push(entry);
        }
    }

    fn decision_from_item(&self, id: String, text: String, item: &Item) -> Decision {
        let (title, decision) = match text
            .split_once(" — ")
            .or_else(|| text.split_once(" - "))
            .or_else(|| text.split_once(": "))
        {
            Some((t, d)) => (t.trim().to_string(), d.trim().to_string()),
            None => (text.clone(), text.clone()),
        };
        let mut d = Decision {
            id,
            title,
            decision,
            rationale: None,
            alternatives: None,
            line: self.file.line_of(item.span.start),
            span: Span::new(self.source, item.text.span.clone()),
        };
        for child in &item.children {
            if let Block::List(l) = child {
                self.decision_details(&l.items, &mut d);
            }
        }
        d
    }

    fn decision_details(&self, items: &[Item], d: &mut Decision) {
        for i in items {
            let raw = self.raw(i.text.span.clone());
            match split_label(&one_line(&i.text.plain)).map(|(l, _)| l.to_lowercase()) {
                Some(l) if l.starts_with("rationale") || l == "why" || l == "because" => {
                    d.rationale = Some(one_line(after_label(raw)))
                }
                Some(l) if l.starts_with("alternative") || l.starts_with("rejected") => {
                    d.alternatives = Some(one_line(after_label(raw)))
                }
                Some(l) if l == "decision" => d.decision = one_line(after_label(raw)),
                _ => {}
            }
        }
    }

    /// `## Architecture Decisions` with `### AD-1: Title` sub-sections, or with bullets.
    fn decisions(&mut self, s: &Section) {
        for block in &s.blocks {
            if let Block::List(l) = block {
                for item in &l.items {
                    let plain = one_line(&item.text.plain);
                    let raw = self.raw(item.text.span.clone());
                    let (id, text) = match split_label(&plain) {
                        Some((k, _)) => match decision_id(k) {
                            Some(id) => (id, one_line(after_label(raw))),
                            None => (String::new(), one_line(raw)),
                        },
                        None => (String::new(), one_line(raw)),
                    };
                    let text = text.trim_start_matches("**").to_string();
                    let d = self.decision_from_item(id, text, item);
                    self.out.decisions.push(d);
                }
            }
        }
        for c in &s.children {
            let heading = c.title.plain.trim();
            let (id, title) = match split_label(heading) {
                Some((k, rest)) => match decision_id(k) {
                    Some(id) => (id, rest.to_string()),
                    None => (String::new(), heading.to_string()),
                },
                None => (String::new(), heading.to_string()),
            };
            let mut d = Decision {
                id,
                title,
                decision: String::new(),
                rationale: None,
                alternatives: None,
                line: self.file.line_of(c.title.span.start),
                span: Span::new(self.source, c.title.span.clone()),
            };
            let mut text = Vec::new();
            for b in &c.blocks {
                match b {
                    Block::Paragraph(t) => {
                        let raw = self.raw(t.span.clone());
                        match split_label(&t.plain).map(|(l, _)| l.to_lowercase()) {
                            Some(l) if l.starts_with("rationale") => d.rationale = Some(one_line(after_label(raw))),
                            Some(l) if l.starts_with("alternative") => {
                                d.alternatives = Some(one_line(after_label(raw)))
                            }
                            Some(l) if l == "decision" => text.push(one_line(after_label(raw))),
                            _ => text.push(one_line(raw)),
                        }
                    }
                    Block::List(l) => self.decision_details(&l.items, &mut d),
                    _ => {}
                }
            }
            d.decision = text.join(" ");
            self.out.decisions.push(d);
        }
    }
}

/// Strip a leading task-list marker or bold wrapper a bullet may carry.
fn after_bullet(raw: &str) -> &str {
    raw.trim()
}

/// `AD-3` or `ADR-2` or `Decision 4` as written before a colon.
fn decision_id(key: &str) -> Option<String> {
    let k = key.trim().trim_matches('*');
    let upper = k.to_uppercase();
    for prefix in ["AD-", "ADR-", "AD ", "DECISION "] {
        if let Some(n) = upper.strip_prefix(prefix)
            && let Ok(n) = n.trim().parse::<u32>()
        {
            return Some(format!("AD-{n}"));
        }
    }
    None
}

/// `STAGE 1: CONTAINERIZATION (Docker + Gordon) - 8-10 hours`, `Phase 0: Research (…)`
/// or `Stage 2 — Title` → (number, title, estimate).
fn stage_line(line: &str) -> Option<(u32, String, Option<String>)> {
    let t = line.trim().trim_start_matches("**");
    let lower = t.to_ascii_lowercase();
    let rest = lower.strip_prefix("stage").or_else(|| lower.strip_prefix("phase"))?;
    let offset = t.len() - rest.len();
    let digits: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let after_digits = &t[offset + (rest.len() - rest.trim_start().len()) + digits.len()..];
    let title = after_digits
        .trim_start_matches(|c: char| c == ':' || c == '*' || c == '-' || c == '—' || c == '.' || c.is_whitespace())
        .trim();
    let (title, estimate) = match title.rsplit_once(" - ").or_else(|| title.rsplit_once(" — ")) {
        Some((t, e))
            if e.to_lowercase().contains("hour")
                || e.to_lowercase().contains("day")
                || e.to_lowercase().contains("week") =>
        {
            (t.trim().to_string(), Some(e.trim().to_string()))
        }
        _ => (title.to_string(), None),
    };
    Some((digits.parse().ok()?, title, estimate))
}

fn gate_of(items: &[String]) -> Option<String> {
    items.iter().find(|i| i.to_lowercase().starts_with("gate")).map(|i| {
        i.split_once(':')
            .map(|(_, g)| g.trim().to_string())
            .unwrap_or_else(|| i.clone())
    })
}

/// `a, b and c.` → [a, b, c].
fn split_list(value: &str) -> Vec<String> {
    value
        .trim_end_matches('.')
        .split([',', ';'])
        .map(|s| s.trim().trim_start_matches("and ").trim().to_string())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => s,
            }
        })
        .collect()
}

/// spec-kit's plan template text, left as it was: `[e.g., Python 3.11, Swift 5.9, Rust 1.75
/// or NEEDS CLARIFICATION]`, `[if applicable, e.g., PostgreSQL, CoreData, files or N/A]`.
pub fn template_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches('`').trim();
    let lower = v.to_ascii_lowercase();
    v.starts_with('[')
        && v.ends_with(']')
        && (lower.contains("e.g.") || lower.contains("if applicable") || lower.contains("or needs clarification"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_plan_s_technical_context_is_read_like_the_english_one() {
        let text = "# 实施计划：看板\n\n## 摘要\n\n看板应用。\n\n## 技术上下文\n\n\
                    **语言/版本**：Python 3.12，TypeScript 5.x\n**主要依赖**：FastAPI、Next.js\n\
                    **存储**：PostgreSQL\n**测试框架**：pytest\n**目标平台**：Linux server\n\
                    **项目类型**：web\n**性能目标**：p95 < 200ms\n**约束条件**：离线可用\n**规模/范围**：10k users\n";
        let mut sources = crate::source::Sources::default();
        let id = sources.add("specs/001-x/plan.md".into(), text.into());
        let input = parse_adopted(sources.get(id), id).expect("a Technical Context");
        let keys: Vec<&str> = input
            .entries
            .iter()
            .filter_map(|e| super::super::context_keys::canonical(&e.key))
            .collect();
        assert_eq!(
            keys,
            [
                "Language/Version",
                "Primary Dependencies",
                "Storage",
                "Testing",
                "Target Platform",
                "Project Type",
                "Performance Goals",
                "Constraints",
                "Scale/Scope"
            ]
        );
        assert_eq!(input.entries[0].value, "Python 3.12，TypeScript 5.x");
    }

    #[test]
    fn the_plan_templates_placeholders_are_no_input() {
        for v in [
            "[e.g., Python 3.11, Swift 5.9, Rust 1.75 or NEEDS CLARIFICATION]",
            "[if applicable, e.g., PostgreSQL, CoreData, files or N/A]",
            "[domain-specific, e.g., 1000 req/s, 10k lines/sec, 60 fps or NEEDS CLARIFICATION]",
        ] {
            assert!(template_placeholder(v), "{v}");
        }
        for v in ["PostgreSQL [Neon]", "[FastAPI]", "Python 3.13, e.g. for the API"] {
            assert!(!template_placeholder(v), "{v}");
        }
    }

    #[test]
    fn stage_lines() {
        assert_eq!(
            stage_line("STAGE 1: CONTAINERIZATION (Docker + Gordon) - 8-10 hours"),
            Some((
                1,
                "CONTAINERIZATION (Docker + Gordon)".into(),
                Some("8-10 hours".into())
            ))
        );
        assert_eq!(
            stage_line("Phase 0: Research (Docker)"),
            Some((0, "Research (Docker)".into(), None))
        );
        assert_eq!(stage_line("Phase IV: Local deployment"), None);
        assert_eq!(stage_line("Stagehand: x"), None);
    }

    /// A Technical Context key over a list of `Label: value` bullets takes the list as its
    /// value; the stack keys' role bullets are stack lines too; a heading groups keys.
    #[test]
    fn a_key_over_labelled_bullets_takes_them_as_its_value() {
        let text = "## Technical Context\n\n**Language/Version**:\n- Frontend: TypeScript 5.x with Next.js 16+\n- Backend: Python 3.13+\n\n**Testing**:\n- Frontend: Jest\n- Backend: pytest\n\n**Performance Goals**:\n- Pod startup time: < 60 seconds\n- Rollout: < 2 minutes\n\n**Tech notes**:\n- Storage: Neon PostgreSQL\n- Project Type: web\n";
        let mut sources = crate::source::Sources::default();
        let id = sources.add("specs/001-x/plan-input.md".into(), text.to_string());
        let input = parse(sources.get(id), id);
        let entries: Vec<(&str, &str)> = input
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            entries,
            [
                ("Frontend", "TypeScript 5.x with Next.js 16+"),
                ("Backend", "Python 3.13+"),
                (
                    "Language/Version",
                    "Frontend: TypeScript 5.x with Next.js 16+; Backend: Python 3.13+"
                ),
                ("Testing", "Frontend: Jest; Backend: pytest"),
                (
                    "Performance Goals",
                    "Pod startup time: < 60 seconds; Rollout: < 2 minutes"
                ),
                ("Storage", "Neon PostgreSQL"),
                ("Project Type", "web"),
            ]
        );
    }

    #[test]
    fn decision_ids() {
        assert_eq!(decision_id("AD-3"), Some("AD-3".into()));
        assert_eq!(decision_id("**ADR-12**"), Some("AD-12".into()));
        assert_eq!(decision_id("Backend"), None);
    }
}
