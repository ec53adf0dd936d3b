//! `spec.md`: the feature specification in any spec-kit layout.
//!
//! Sections are found by their normalised titles wherever they sit, because real specs move
//! them around (Edge Cases under User Scenarios or on their own, requirements grouped under
//! sub-headings, Clarifications before or after the stories).

use serde::Serialize;

use super::markdown::{self, Block, Document, Item, Section};
use super::{Located, after_label, comment_ranges, leading_id, locale, one_line, split_label};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceFile, SourceId, Span};

#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    pub path: String,
    pub title: String,
    pub branch: Option<String>,
    pub created: Option<String>,
    pub status: Option<String>,
    pub input: Option<String>,
    pub stories: Vec<Story>,
    pub edge_cases: Vec<Located>,
    pub requirements: Vec<Requirement>,
    pub entities: Vec<Entity>,
    pub success_criteria: Vec<Requirement>,
    pub assumptions: Vec<Located>,
    pub out_of_scope: Vec<Located>,
    pub dependencies: Vec<Located>,
    pub constraints: Vec<Located>,
    pub clarifications: Vec<Clarification>,
    #[serde(skip)]
    edge_cases_from_clarifications: Vec<Located>,
    #[serde(skip)]
    assumptions_from_clarifications: Vec<Located>,
    /// The spec's Risks section, each risk with its mitigation when the spec gives one.
    pub risks: Vec<SpecRisk>,
    pub open_questions: Vec<Located>,
    pub extra_sections: Vec<Located>,
    /// Justified violations from a `Complexity Tracking` table.
    pub complexity: Vec<super::Waiver>,
    /// Which mandatory sections are present (by spec-kit's names).
    pub mandatory_present: Vec<(String, bool)>,
    #[serde(skip)]
    pub source: Option<SourceId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Story {
    pub number: u32,
    pub id: String,
    pub title: String,
    pub priority: Option<String>,
    pub narrative: String,
    pub why: Option<String>,
    pub independent_test: Option<String>,
    pub scenarios: Vec<Scenario>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub number: usize,
    pub text: String,
    pub given: Option<String>,
    pub when: Option<String>,
    pub then: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub id: String,
    pub prefix: String,
    pub number: u32,
    pub text: String,
    /// MUST / SHOULD / MAY as written, if the requirement uses one.
    pub strength: Option<String>,
    /// The sub-heading the requirement sits under (Functional Requirements…).
    pub group: String,
    pub line: usize,
    /// When a clarification session restates the requirement (`Functional Requirements
    /// (Updated)` under Clarifications), the text and line it replaced; `line` is then the
    /// update's.
    pub original: Option<Original>,
    #[serde(skip)]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Original {
    pub text: String,
    pub line: usize,
}

/// What a block under Clarifications holds besides `Q: … → A: …` bullets, by the heading or
/// bold label it sits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carried {
    Requirements,
    SuccessCriteria,
    EdgeCases,
    Assumptions,
}

fn carried(title: &str) -> Option<Carried> {
    let t = markdown::normalize_title(
        title
            .trim()
            .trim_matches('*')
            .trim()
            .trim_end_matches(':')
            .trim_matches('*'),
    );
    if t.contains("success criteria") || t.contains("measurable outcomes") {
        Some(Carried::SuccessCriteria)
    } else if t.contains("requirements") {
        Some(Carried::Requirements)
    } else if t.contains("edge cases") {
        Some(Carried::EdgeCases)
    } else if t.contains("assumptions") {
        Some(Carried::Assumptions)
    } else {
        None
    }
}

/// What the Clarifications section carries besides its answers.
#[derive(Default)]
struct Updates {
    requirements: Vec<Requirement>,
    success_criteria: Vec<Requirement>,
    edge_cases: Vec<Located>,
    assumptions: Vec<Located>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    pub name: String,
    /// The name as a Mermaid node id (letters and digits only).
    pub mermaid_id: String,
    pub description: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clarification {
    pub session: Option<String>,
    pub question: String,
    pub answer: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecRisk {
    pub risk: String,
    pub mitigation: Option<String>,
    pub line: usize,
}

/// Titles of a Risks section.
const RISK_TITLES: &[&str] = &[
    "risks",
    "risks & mitigations",
    "risks and mitigations",
    "risks & mitigation",
    "risks and mitigation",
    "risk assessment",
    "known risks",
];

/// The three sections spec-kit's spec template marks `*(mandatory)*`, with the titles each
/// has had across versions.
const MANDATORY: &[(&str, &[&str])] = &[
    (
        "User Scenarios & Testing",
        &[
            "user scenarios & testing",
            "user scenarios and testing",
            "user scenarios",
            "user stories",
        ],
    ),
    // Some specs drop the parent heading and write its groups at the top:
    // `## Functional Requirements`, `## Non-Functional Requirements`.
    (
        "Requirements",
        &["requirements", "functional requirements", "non-functional requirements"],
    ),
    ("Success Criteria", SUCCESS_TITLES),
];

/// The Success Criteria section's titles: spec-kit's, and the one hand-written specs use.
const SUCCESS_TITLES: &[&str] = &["success criteria", "success metrics"];

/// The groups spec-kit's template nests under Requirements, read as requirements wherever
/// they stand when the spec has no Requirements section.
const REQUIREMENT_GROUPS: &[&str] = &["functional requirements", "non-functional requirements"];

/// Sections with a meaning of their own besides Risks ([`RISK_TITLES`]), skipped when they
/// are nested inside Requirements or Success Criteria (some specs put Assumptions under
/// Success Criteria).
const OWN_SECTIONS: &[&str] = &[
    "key entities",
    "assumptions",
    "out of scope",
    "dependencies",
    "constraints",
    "edge cases",
    "clarifications",
    "non-goals",
];

/// Whether a section nested inside Requirements or Success Criteria has a meaning of its
/// own: one of [`OWN_SECTIONS`] or a Risks section.
fn own_section(key: &str) -> bool {
    OWN_SECTIONS.contains(&key) || RISK_TITLES.contains(&key)
}

/// The template's section of user stories, under its titles old and new.
const STORY_SECTIONS: &[&str] = &[
    "user scenarios & testing",
    "user scenarios and testing",
    "user scenarios",
    "user stories",
];

/// Titles the parser reads. Anything else is kept and reported as unused.
const KNOWN: &[&str] = &[
    "user scenarios & testing",
    "user scenarios and testing",
    "user scenarios",
    "user stories",
    "primary user story",
    "acceptance scenarios",
    "edge cases",
    "requirements",
    "functional requirements",
    "non-functional requirements",
    "key entities",
    "success criteria",
    "success metrics",
    "measurable outcomes",
    "assumptions",
    "out of scope",
    "dependencies",
    "constraints",
    "clarifications",
    "review & acceptance checklist",
    "execution flow",
    "execution status",
    "risks",
    "risks & mitigations",
    "risks and mitigations",
    "risks & mitigation",
    "risks and mitigation",
    "risk assessment",
    "known risks",
];

pub fn parse(file: &SourceFile, source: SourceId, diags: &mut Diagnostics) -> Spec {
    let src = file.text.as_str();
    let doc = markdown::parse(src);
    let mut p = SpecParser { file, source, diags };
    p.spec(&doc)
}

struct SpecParser<'a> {
    file: &'a SourceFile,
    source: SourceId,
    diags: &'a mut Diagnostics,
}

impl SpecParser<'_> {
    fn loc(&self, text: String, range: std::ops::Range<usize>) -> Located {
        Located::new(self.file, self.source, text, range)
    }

    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.source, range)
    }

    fn line(&self, offset: usize) -> usize {
        self.file.line_of(offset)
    }

    fn raw(&self, range: std::ops::Range<usize>) -> &str {
        &self.file.text[range]
    }

    fn spec(&mut self, doc: &Document) -> Spec {
        let src = self.file.text.as_str();
        let title_section = doc.sections.iter().find(|s| s.level == 1);
        let title = match title_section {
            Some(s) => {
                let t = s.title.plain.trim();
                t.split_once(':')
                    .filter(|(head, _)| head.to_lowercase().contains("specification"))
                    .map(|(_, rest)| rest.trim().to_string())
                    .unwrap_or_else(|| t.to_string())
            }
            None => {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingHeaderField,
                        "the spec has no `# Feature Specification: …` title",
                    )
                    .at(self.span(0..0))
                    .hint("start spec.md with `# Feature Specification: <feature name>`"),
                );
                String::new()
            }
        };

        let mut spec = Spec {
            path: self.file.display_path(),
            title,
            branch: None,
            created: None,
            status: None,
            input: None,
            stories: Vec::new(),
            edge_cases: Vec::new(),
            requirements: Vec::new(),
            entities: Vec::new(),
            success_criteria: Vec::new(),
            assumptions: Vec::new(),
            out_of_scope: Vec::new(),
            dependencies: Vec::new(),
            constraints: Vec::new(),
            clarifications: Vec::new(),
            edge_cases_from_clarifications: Vec::new(),
            assumptions_from_clarifications: Vec::new(),
            risks: Vec::new(),
            open_questions: Vec::new(),
            extra_sections: Vec::new(),
            complexity: super::complexity_tracking(doc, self.file, self.source),
            mandatory_present: Vec::new(),
            source: Some(self.source),
        };

        // Header fields: the paragraphs before the first `##`.
        let header_blocks: Vec<&Block> = doc
            .preamble
            .iter()
            .chain(title_section.map(|s| s.blocks.iter()).into_iter().flatten())
            .collect();
        self.header(&header_blocks, &mut spec);

        let all = doc.walk();
        // Mandatory sections. A spec with at least one of them is planned from what it has,
        // each missing one a warning: hand-written specs of deployment features often keep
        // Requirements and drop the rest, and refusing to write anything for them helps no
        // one (the checklist still shows the gap). With none of them there is nothing to
        // trace a plan to, and the gaps are errors. spec-kit v0.0.50's template had no
        // Success Criteria section either way.
        let legacy = all
            .iter()
            .any(|s| matches!(s.key(), "primary user story" | "execution flow"));
        let present: Vec<bool> = MANDATORY
            .iter()
            .map(|(_, titles)| all.iter().any(|s| titles.contains(&s.key())))
            .collect();
        let plannable = present.contains(&true);
        for ((name, _), &present) in MANDATORY.iter().zip(&present) {
            spec.mandatory_present.push((name.to_string(), present));
            if !present {
                let at = title_section.map(|s| s.title.span.clone()).unwrap_or(0..0);
                let (severity, label) = if legacy && *name == "Success Criteria" {
                    (
                        crate::diagnostics::Severity::Warning,
                        "mandatory in spec-kit's spec template",
                    )
                } else if plannable {
                    (
                        crate::diagnostics::Severity::Warning,
                        "mandatory in spec-kit's spec template; planned from the sections that are there",
                    )
                } else {
                    (
                        crate::diagnostics::Severity::Error,
                        "mandatory in spec-kit's spec template",
                    )
                };
                self.diags.push(
                    Diagnostic::new(Code::MissingSection, format!("spec.md has no `{name}` section"))
                        .severity(severity)
                        .at(self.span(at))
                        .label(label)
                        .hint(format!(
                            "add `## {name} *(mandatory)*`, as in spec-kit's spec-template.md"
                        )),
                );
            }
        }

        // The stories of the template's User Scenarios section, when it has any: a spec that
        // also keeps informal "Story 1: Create Todo" notes elsewhere numbers both from 1, and
        // those notes are not the stories the plan is held to.
        let template_stories = doc
            .find(STORY_SECTIONS)
            .map(|root| {
                root.walk()
                    .into_iter()
                    .filter(|s| is_story_heading(s.key()))
                    .collect::<Vec<_>>()
            })
            .filter(|inside| !inside.is_empty());
        let story_sections: Vec<&Section> = match template_stories {
            Some(inside) => inside,
            None => all.iter().copied().filter(|s| is_story_heading(s.key())).collect(),
        };
        for s in &story_sections {
            let story = self.story(s);
            spec.stories.push(story);
        }
        if spec.stories.is_empty()
            && let Some(primary) = doc.find(&["primary user story"])
        {
            // spec-kit v0.0.50: one story, scenarios in a sibling section.
            let scenarios_section = doc.find(&["acceptance scenarios"]);
            let story = self.legacy_story(primary, scenarios_section);
            spec.stories.push(story);
        }
        self.check_story_numbers(&spec.stories, &story_sections);

        if let Some(s) = doc.find(&["edge cases"]) {
            spec.edge_cases = self.bullets(s, true);
        }
        // The Requirements section, or else the requirement groups written without it
        // (`## Functional Requirements` at the top): each group is read the same way.
        let requirement_roots: Vec<&Section> = match doc.find(&["requirements"]) {
            Some(s) => vec![s],
            None => {
                let groups: Vec<&Section> = all
                    .iter()
                    .copied()
                    .filter(|s| REQUIREMENT_GROUPS.contains(&s.key()))
                    .collect();
                // A group nested in another is read with it, not twice.
                groups
                    .iter()
                    .copied()
                    .filter(|g| {
                        !groups
                            .iter()
                            .any(|o| !std::ptr::eq(*o, *g) && o.walk().iter().any(|d| std::ptr::eq(*d, *g)))
                    })
                    .collect()
            }
        };
        for root in requirement_roots {
            let groups: Vec<(&Section, String)> = root
                .walk()
                .into_iter()
                .filter(|sub| !own_section(sub.key()))
                .map(|sub| {
                    let group = if std::ptr::eq(sub, root) && sub.key() == "requirements" {
                        "Requirements".to_string()
                    } else {
                        sub.title.plain.trim().to_string()
                    };
                    (sub, title_case(&markdown::normalize_title(&group)))
                })
                .collect();
            self.requirement_groups(root, &groups, "requirement", &mut spec.requirements);
        }
        if let Some(s) = doc.find(SUCCESS_TITLES) {
            let groups: Vec<(&Section, String)> = s
                .walk()
                .into_iter()
                .filter(|sub| !own_section(sub.key()))
                .map(|sub| (sub, "Success Criteria".to_string()))
                .collect();
            self.requirement_groups(s, &groups, "success criterion", &mut spec.success_criteria);
        }
        if let Some(s) = doc.find(&["clarifications"]) {
            let (clarifications, updates) = self.clarifications(s);
            spec.clarifications = clarifications;
            apply_updates(&mut spec.requirements, updates.requirements);
            apply_updates(&mut spec.success_criteria, updates.success_criteria);
            spec.edge_cases_from_clarifications = updates.edge_cases;
            spec.assumptions_from_clarifications = updates.assumptions;
        }
        self.check_ids(&spec.requirements, "requirement");
        if let Some(s) = doc.find(&["key entities"]) {
            spec.entities = self.entities(s);
        }
        self.check_ids(&spec.success_criteria, "success criterion");
        if let Some(s) = doc.find(&["assumptions"]) {
            spec.assumptions = self.bullets(s, true);
        }
        spec.assumptions.append(&mut spec.assumptions_from_clarifications);
        if let Some(s) = doc.find(&["out of scope"]) {
            spec.out_of_scope = self.bullets(s, true);
        }
        if let Some(s) = doc.find(&["dependencies"]) {
            spec.dependencies = self.bullets(s, true);
        }
        if let Some(s) = doc.find(&["constraints"]) {
            spec.constraints = self.bullets(s, true);
        }
        if let Some(s) = doc.find(RISK_TITLES) {
            spec.risks = self.risks(s);
        }
        spec.edge_cases.append(&mut spec.edge_cases_from_clarifications);
        spec.open_questions = self.needs_clarification(src);
        spec.extra_sections = self.unused_sections(doc, &story_sections);
        spec
    }

    fn header(&mut self, blocks: &[&Block], spec: &mut Spec) {
        for block in blocks {
            let Block::Paragraph(text) = block else { continue };
            let mut lines = text.plain.lines().peekable();
            while let Some(line) = lines.next() {
                let Some((label, value)) = split_label(line) else {
                    continue;
                };
                let value = value.trim().trim_matches('`').trim().to_string();
                match locale::english(label).to_lowercase().as_str() {
                    "feature branch" | "branch" => spec.branch = Some(value),
                    "created" | "date" => spec.created = Some(value),
                    "status" => spec.status = Some(value),
                    "input" => {
                        // The user's description may run over several lines.
                        let mut input = value;
                        while let Some(next) = lines.peek() {
                            if split_label(next).is_some_and(|(l, _)| {
                                matches!(
                                    locale::english(l).to_lowercase().as_str(),
                                    "feature branch" | "created" | "status"
                                )
                            }) {
                                break;
                            }
                            input.push(' ');
                            input.push_str(next.trim());
                            lines.next();
                        }
                        spec.input = Some(one_line(&input));
                    }
                    _ => {}
                }
            }
        }
        let missing: Vec<&str> = [
            ("Feature Branch", spec.branch.is_none()),
            ("Created", spec.created.is_none()),
            ("Status", spec.status.is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| *n)
        .collect();
        if !missing.is_empty() && !spec.title.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::MissingHeaderField,
                    format!("the spec header has no {}", missing.join(", ")),
                )
                .at(self.span(0..0))
                .hint("spec-kit writes `**Feature Branch**: `NNN-name``, `**Created**: YYYY-MM-DD` and `**Status**: Draft` under the title"),
            );
        }
    }

    fn story(&mut self, s: &Section) -> Story {
        let heading = s.title.plain.trim();
        let (number, title, priority) = parse_story_heading(heading);
        let line = self.line(s.title.span.start);
        let mut story = Story {
            number,
            id: format!("US{number}"),
            title,
            priority,
            narrative: String::new(),
            why: None,
            independent_test: None,
            scenarios: Vec::new(),
            line,
        };
        let mut narrative = Vec::new();
        let mut in_scenarios = false;
        let blocks: Vec<&Block> = s
            .blocks
            .iter()
            .chain(s.children.iter().flat_map(|c| c.blocks.iter()))
            .collect();
        for block in blocks {
            match block {
                Block::Paragraph(text) => {
                    let raw = self.raw(text.span.clone());
                    match split_label(&text.plain).map(|(l, _)| locale::english(l).to_lowercase()) {
                        Some(l) if l.starts_with("why this priority") => {
                            story.why = Some(one_line(after_label(raw)));
                        }
                        Some(l) if l.starts_with("independent test") => {
                            story.independent_test = Some(one_line(after_label(raw)));
                        }
                        Some(l) if l.starts_with("acceptance scenarios") || l.starts_with("acceptance criteria") => {
                            in_scenarios = true;
                        }
                        _ => narrative.push(one_line(raw)),
                    }
                }
                Block::List(list) if in_scenarios || list.ordered => {
                    for item in &list.items {
                        let scenario = self.scenario(item, story.scenarios.len() + 1);
                        story.scenarios.push(scenario);
                    }
                }
                _ => {}
            }
        }
        story.narrative = narrative.join(" ");
        if story.priority.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::StoryWithoutPriority,
                    format!("user story {number} has no priority"),
                )
                .at(self.span(s.title.span.clone()))
                .label("expected `(Priority: P1)`, `(Priority: P2)`, …")
                .hint("spec-kit orders stories by priority; the plan stages and the quickstart follow that order"),
            );
        }
        if story.scenarios.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::StoryWithoutScenarios,
                    format!("user story {number} has no acceptance scenarios"),
                )
                .at(self.span(s.title.span.clone()))
                .hint("add `**Acceptance Scenarios**:` and a numbered list of `**Given** …, **When** …, **Then** …`"),
            );
        }
        story
    }

    fn legacy_story(&mut self, primary: &Section, scenarios: Option<&Section>) -> Story {
        let narrative = primary
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(t) => Some(one_line(self.raw(t.span.clone()))),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut story = Story {
            number: 1,
            id: "US1".into(),
            title: "Primary User Story".into(),
            priority: Some("P1".into()),
            narrative,
            why: None,
            independent_test: None,
            scenarios: Vec::new(),
            line: self.line(primary.title.span.start),
        };
        if let Some(sc) = scenarios {
            for block in &sc.blocks {
                if let Block::List(list) = block {
                    for item in &list.items {
                        let scenario = self.scenario(item, story.scenarios.len() + 1);
                        story.scenarios.push(scenario);
                    }
                }
            }
        }
        story
    }

    fn scenario(&mut self, item: &Item, number: usize) -> Scenario {
        let text = one_line(self.raw(item.text.span.clone()));
        let plain = one_line(&item.text.plain);
        let (given, when, then) = split_gwt(&plain);
        if given.is_none() || when.is_none() || then.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedScenario,
                    "acceptance scenario is not Given / When / Then",
                )
                .at(self.span(item.text.span.clone()))
                .hint("write `**Given** <state>, **When** <action>, **Then** <outcome>` so the scenario is testable"),
            );
        }
        Scenario {
            number,
            text,
            given,
            when,
            then,
            line: self.line(item.span.start),
        }
    }

    fn check_story_numbers(&mut self, stories: &[Story], headings: &[&Section]) {
        for (i, story) in stories.iter().enumerate() {
            let Some(section) = headings.get(i) else { continue };
            if let Some(first) = stories[..i].iter().position(|s| s.number == story.number) {
                self.diags.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        format!("user story {} is numbered twice", story.number),
                    )
                    .at(self.span(section.title.span.clone()))
                    .related(self.span(headings[first].title.span.clone()), "first used here")
                    .hint("number user stories 1, 2, 3, … in order"),
                );
            } else if i > 0 && story.number != stories[i - 1].number + 1 {
                self.diags.push(
                    Diagnostic::new(
                        Code::NonSequentialId,
                        format!(
                            "user story {} follows user story {}",
                            story.number,
                            stories[i - 1].number
                        ),
                    )
                    .at(self.span(section.title.span.clone()))
                    .hint("number user stories 1, 2, 3, … in order"),
                );
            }
        }
    }

    /// Bullets (and their nested bullets, flattened) of a section and its sub-sections.
    fn bullets(&mut self, s: &Section, deep: bool) -> Vec<Located> {
        let mut out = Vec::new();
        let sections: Vec<&Section> = if deep { s.walk() } else { vec![s] };
        for sec in sections {
            for block in &sec.blocks {
                match block {
                    Block::List(list) => self.flatten_items(&list.items, &mut out),
                    Block::Paragraph(t) if !t.plain.trim().is_empty() => {
                        // Prose assumptions are still assumptions.
                        out.push(self.loc(one_line(self.raw(t.span.clone())), t.span.clone()));
                    }
                    _ => {}
                }
            }
        }
        out
    }

    fn flatten_items(&self, items: &[Item], out: &mut Vec<Located>) {
        for item in items {
            if !item.text.plain.trim().is_empty() {
                out.push(self.loc(one_line(self.raw(item.text.span.clone())), item.text.span.clone()));
            }
            for child in &item.children {
                if let Block::List(l) = child {
                    self.flatten_items(&l.items, out);
                }
            }
        }
    }

    /// The requirement bullets of `root`'s sections, each with its group's name. When none of
    /// them carries an identifier (a hand-written spec: `- System must deploy the backend`),
    /// they are numbered in the order written (FR-001…, NFR-… for a non-functional group,
    /// SC-… for success criteria) with one warning for the section, instead of a warning per
    /// bullet and a plan that traces nothing; a single identified bullet means the author
    /// numbers them, and each unnumbered one is reported.
    fn requirement_groups(
        &mut self,
        root: &Section,
        groups: &[(&Section, String)],
        what: &str,
        out: &mut Vec<Requirement>,
    ) {
        let items = || {
            groups.iter().flat_map(|(sub, group)| {
                sub.blocks
                    .iter()
                    .filter_map(|b| match b {
                        Block::List(list) => Some(list.items.iter()),
                        _ => None,
                    })
                    .flatten()
                    .filter(|item| !item.text.plain.trim().is_empty())
                    .map(move |item| (item, group.as_str()))
            })
        };
        let count = items().count();
        if count == 0 || items().any(|(item, _)| leading_id(item.text.plain.trim()).is_some()) {
            for (sub, group) in groups {
                self.requirements(sub, group, out);
            }
            return;
        }
        let non_functional = |title: &str| {
            let t = title.to_lowercase();
            t.contains("non-functional") || t.contains("non functional") || t.contains("nonfunctional")
        };
        let mut numbered: Vec<Requirement> = Vec::new();
        for (item, group) in items() {
            let prefix = if what == "success criterion" {
                "SC"
            } else if non_functional(group) || non_functional(&root.title.plain) {
                "NFR"
            } else {
                "FR"
            };
            // After the ones already read (an earlier group of the same spec), so no number
            // is given twice.
            let number = out
                .iter()
                .chain(&numbered)
                .filter(|r| r.prefix == prefix)
                .map(|r| r.number)
                .max()
                .unwrap_or(0)
                + 1;
            let text = one_line(self.raw(item.text.span.clone()));
            numbered.push(self.requirement_of(
                item,
                group,
                format!("{prefix}-{number:03}"),
                prefix.to_string(),
                number,
                text,
            ));
        }
        let range = |prefix: &str| {
            let ids: Vec<&str> = numbered
                .iter()
                .filter(|r| r.prefix == prefix)
                .map(|r| r.id.as_str())
                .collect();
            match ids.as_slice() {
                [] => None,
                [one] => Some(one.to_string()),
                [first, .., last] => Some(format!("{first} to {last}")),
            }
        };
        let read_as: Vec<String> = ["FR", "NFR", "SC"].iter().filter_map(|p| range(p)).collect();
        let plural = match (count, what) {
            (1, _) => what.to_string(),
            (_, "success criterion") => "success criteria".to_string(),
            _ => format!("{what}s"),
        };
        self.diags.push(
            Diagnostic::new(
                Code::MalformedRequirement,
                if count == 1 {
                    format!("1 {plural} without an identifier, numbered by its place")
                } else {
                    format!("{count} {plural} without identifiers, numbered in the order written")
                },
            )
            .at(self.span(root.title.span.clone()))
            .label(format!("read as {}", read_as.join(" and ")))
            .hint(format!(
                "give each its identifier ({}): a number given by position changes when a bullet is added above it",
                match numbered[0].prefix.as_str() {
                    "SC" => "`- **SC-001**: Users can …`",
                    "NFR" => "`- **NFR-001**: System MUST …`",
                    _ => "`- **FR-001**: System MUST …`",
                }
            )),
        );
        out.extend(numbered);
    }

    /// The requirement a bullet states, at the bullet.
    fn requirement_of(
        &self,
        item: &Item,
        group: &str,
        id: String,
        prefix: String,
        number: u32,
        text: String,
    ) -> Requirement {
        Requirement {
            strength: strength(&text),
            id,
            prefix,
            number,
            text,
            group: group.to_string(),
            line: self.line(item.span.start),
            original: None,
            span: Some(self.span(item.text.span.clone())),
        }
    }

    fn requirements(&mut self, s: &Section, group: &str, out: &mut Vec<Requirement>) {
        for block in &s.blocks {
            let Block::List(list) = block else { continue };
            for item in &list.items {
                if let Some(r) = self.requirement(item, group) {
                    out.push(r);
                }
            }
        }
    }

    /// One `- **FR-001**: …` bullet; a bullet without an identifier is reported.
    fn requirement(&mut self, item: &Item, group: &str) -> Option<Requirement> {
        let plain = item.text.plain.trim();
        if plain.is_empty() {
            return None;
        }
        match leading_id(plain) {
            Some((prefix, number, _)) => {
                let raw = self.raw(item.text.span.clone());
                let text = one_line(after_label(raw));
                let id = plain
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .next()
                    .unwrap_or("")
                    .to_string();
                if text.is_empty() {
                    self.diags.push(
                        Diagnostic::new(Code::MalformedRequirement, format!("{id} has no text"))
                            .at(self.span(item.text.span.clone()))
                            .hint("write the requirement after the identifier: `**FR-001**: System MUST …`"),
                    );
                }
                Some(self.requirement_of(item, group, id, prefix, number, text))
            }
            None => {
                self.diags.push(
                    Diagnostic::new(Code::MalformedRequirement, "bullet without an identifier")
                        .at(self.span(item.text.span.clone()))
                        .label("not traced to any story or checklist item")
                        .hint("give it an ID such as `**FR-012**:` (requirements) or `**SC-004**:` (success criteria)"),
                );
                None
            }
        }
    }

    /// Duplicates are errors (references become ambiguous); gaps and reordering are warnings.
    fn check_ids(&mut self, items: &[Requirement], what: &str) {
        for (i, r) in items.iter().enumerate() {
            let span = r.span.clone().expect("parsed requirements have spans");
            if let Some(first) = items[..i].iter().find(|o| o.id == r.id) {
                self.diags.push(
                    Diagnostic::new(Code::DuplicateId, format!("{what} {} is defined twice", r.id))
                        .at(span)
                        .label("second definition")
                        .related(first.span.clone().expect("spans"), "first defined here")
                        .hint(format!(
                            "give each {what} its own number; the next free one is {}-{:03}",
                            r.prefix,
                            next_free(items, &r.prefix)
                        )),
                );
                continue;
            }
            let prev = items[..i].iter().rev().find(|o| o.prefix == r.prefix);
            let expected = prev.map(|p| p.number + 1).unwrap_or(1);
            if r.number != expected && prev.is_none_or(|p| r.number != p.number) {
                let msg = match prev {
                    Some(p) => format!("{} follows {}", r.id, p.id),
                    None => format!("{} is the first {what} with prefix {}", r.id, r.prefix),
                };
                self.diags.push(
                    Diagnostic::new(Code::NonSequentialId, msg)
                        .at(span)
                        .label(format!("expected {}-{:03}", r.prefix, expected))
                        .hint("number identifiers without gaps so references and traceability stay clear"),
                );
            }
        }
    }

    fn entities(&mut self, s: &Section) -> Vec<Entity> {
        let mut out = Vec::new();
        for block in &s.blocks {
            let Block::List(list) = block else { continue };
            for item in &list.items {
                let plain = one_line(&item.text.plain);
                let raw = self.raw(item.text.span.clone());
                let (name, description) = match plain.split_once(':').or_else(|| plain.split_once(" - ")) {
                    Some((n, _)) if n.split_whitespace().count() <= 6 => {
                        (n.trim().to_string(), one_line(after_label(raw)))
                    }
                    _ => (plain.clone(), String::new()),
                };
                let mut description = description;
                // Attributes written as nested bullets belong to the description.
                for child in &item.children {
                    if let Block::List(l) = child {
                        let attrs: Vec<String> = l
                            .items
                            .iter()
                            .map(|i| one_line(self.raw(i.text.span.clone())))
                            .collect();
                        if !attrs.is_empty() {
                            if !description.is_empty() {
                                description.push(' ');
                            }
                            description.push_str(&format!("Attributes: {}.", attrs.join("; ")));
                        }
                    }
                }
                out.push(Entity {
                    mermaid_id: mermaid_id(&name),
                    name,
                    description,
                    line: self.line(item.span.start),
                });
            }
        }
        out
    }

    /// `- Q: … → A: …` answers, and what else a session carries: requirement and success
    /// criterion lists (under a heading or a bold label such as `Functional Requirements
    /// (Updated)`, or bullets that start with an identifier), edge cases and assumptions.
    fn clarifications(&mut self, s: &Section) -> (Vec<Clarification>, Updates) {
        let mut out = Vec::new();
        let mut updates = Updates::default();
        for sec in s.walk() {
            let session = sec
                .title
                .plain
                .trim()
                .strip_prefix("Session")
                .map(|d| d.trim().to_string())
                .filter(|_| !std::ptr::eq(sec, s));
            let heading = if std::ptr::eq(sec, s) {
                None
            } else {
                carried(&sec.title.plain)
            };
            let group = title_case(sec.key());
            let mut current = heading;
            let mut current_group = group.clone();
            for block in &sec.blocks {
                let list = match block {
                    Block::Paragraph(t) => {
                        // A bold label line (`**Functional Requirements (Updated)**:`) says
                        // what the list below it is.
                        let label = t.plain.trim();
                        if label.ends_with(':') && label.len() < 80 {
                            current = carried(label).or(heading);
                            current_group = title_case(&markdown::normalize_title(
                                label.trim_end_matches(':').trim_matches('*'),
                            ));
                        }
                        continue;
                    }
                    Block::List(list) => list,
                    _ => continue,
                };
                for item in &list.items {
                    let raw = one_line(self.raw(item.text.span.clone()));
                    if let Some((q, a)) = split_qa(&raw) {
                        out.push(Clarification {
                            session: session.clone(),
                            question: q,
                            answer: a,
                            line: self.line(item.span.start),
                        });
                        continue;
                    }
                    let plain = item.text.plain.trim();
                    let by_id = leading_id(plain).map(|(prefix, _, _)| {
                        if prefix == "SC" {
                            Carried::SuccessCriteria
                        } else {
                            Carried::Requirements
                        }
                    });
                    match current.or(by_id) {
                        Some(Carried::Requirements) => {
                            let g = if current.is_some() { current_group.clone() } else { "Functional Requirements".into() };
                            if let Some(r) = self.requirement(item, &g) {
                                updates.requirements.push(r);
                            }
                        }
                        Some(Carried::SuccessCriteria) => {
                            if let Some(r) = self.requirement(item, "Success Criteria") {
                                updates.success_criteria.push(r);
                            }
                        }
                        Some(Carried::EdgeCases) => self.flatten_items(std::slice::from_ref(item), &mut updates.edge_cases),
                        Some(Carried::Assumptions) => {
                            self.flatten_items(std::slice::from_ref(item), &mut updates.assumptions)
                        }
                        None => self.diags.push(
                            Diagnostic::new(Code::MalformedClarification, "clarification is not `Q: … → A: …`")
                                .at(self.span(item.text.span.clone()))
                                .hint("spec-kit's /clarify records each answer as `- Q: <question> → A: <answer>`; a list of requirements goes under a heading or label that says so (`**Functional Requirements (Updated)**:`)"),
                        ),
                    }
                }
            }
        }
        (out, updates)
    }

    /// Bullets (`- Risk. Mitigation: …`, a nested `Mitigation:` bullet) and tables with a
    /// Risk and a Mitigation column, in this section and its sub-sections.
    fn risks(&mut self, s: &Section) -> Vec<SpecRisk> {
        let mut out = Vec::new();
        for sec in s.walk() {
            for block in &sec.blocks {
                match block {
                    Block::List(list) => {
                        for item in &list.items {
                            let raw = one_line(self.raw(item.text.span.clone()));
                            if raw.is_empty() {
                                continue;
                            }
                            let (risk, mut mitigation) = split_risk(&raw);
                            for child in &item.children {
                                let Block::List(l) = child else { continue };
                                for c in &l.items {
                                    let text = one_line(self.raw(c.text.span.clone()));
                                    let (head, tail) = split_risk(&text);
                                    match tail {
                                        Some(m) if head.is_empty() => mitigation = Some(m),
                                        _ => {}
                                    }
                                }
                            }
                            if risk.is_empty() {
                                if let Some(last) = out.last_mut().filter(|l: &&mut SpecRisk| l.mitigation.is_none()) {
                                    last.mitigation = mitigation;
                                }
                                continue;
                            }
                            out.push(SpecRisk {
                                risk,
                                mitigation,
                                line: self.line(item.span.start),
                            });
                        }
                    }
                    Block::Table { rows, span } => {
                        let Some(header) = rows.first() else { continue };
                        let col = |word: &str| header.iter().position(|h| h.to_lowercase().contains(word));
                        let Some(r) = col("risk") else { continue };
                        let m = col("mitigation");
                        let first = self.line(span.start);
                        for (i, row) in rows.iter().enumerate().skip(1) {
                            let Some(risk) = row.get(r).map(|t| one_line(t)).filter(|t| !t.is_empty()) else {
                                continue;
                            };
                            out.push(SpecRisk {
                                risk,
                                mitigation: m
                                    .and_then(|m| row.get(m))
                                    .map(|t| one_line(t))
                                    .filter(|t| !t.is_empty()),
                                // The header and the delimiter row come first.
                                line: first + i + 1,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    fn needs_clarification(&mut self, src: &str) -> Vec<Located> {
        let comments = comment_ranges(src);
        let mut out = Vec::new();
        let lower = src.to_ascii_lowercase();
        let needle = "[needs clarification";
        let mut from = 0;
        while let Some(i) = lower[from..].find(needle) {
            let start = from + i;
            let end = src[start..].find(']').map(|e| start + e + 1).unwrap_or(src.len());
            from = start + needle.len();
            if comments.iter().any(|c| c.contains(&start)) {
                continue;
            }
            let closed = src[..end].ends_with(']');
            let inner = src[start + 1..if closed { end - 1 } else { end }].trim();
            // spec-kit's own checklist says "No [NEEDS CLARIFICATION] markers remain": that
            // names the marker, it does not leave one.
            if !inner.contains(':') && src[end..].trim_start().to_ascii_lowercase().starts_with("marker") {
                continue;
            }
            let question = inner
                .split_once(':')
                .map(|(_, q)| q.trim().to_string())
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::new(Code::NeedsClarification, "unresolved [NEEDS CLARIFICATION] marker")
                    .at(self.span(start..end))
                    .label(if question.is_empty() { "open question".to_string() } else { question.clone() })
                    .hint("answer it in the spec (spec-kit's /clarify records the answer under `## Clarifications`), then re-run `sp plan`"),
            );
            let text = if question.is_empty() {
                one_line(&src[start..end])
            } else {
                question
            };
            out.push(self.loc(text, start..end));
        }
        out
    }

    /// Top-level sections the plan does not read (a story heading is read when it is one of
    /// `stories`, the sections read as user stories).
    fn unused_sections(&mut self, doc: &Document, stories: &[&Section]) -> Vec<Located> {
        let mut out = Vec::new();
        for top in &doc.sections {
            let under_title = top.level == 1;
            let candidates: Vec<&Section> = if under_title {
                top.children.iter().collect()
            } else {
                vec![top]
            };
            for s in candidates {
                let key = s.key();
                if KNOWN.contains(&key) || stories.iter().any(|st| std::ptr::eq(*st, s)) {
                    continue;
                }
                let title = s.title.plain.trim().to_string();
                self.diags.push(
                    Diagnostic::new(
                        Code::UnusedSection,
                        format!("section `{title}` is not used by the plan"),
                    )
                    .at(self.span(s.title.span.clone()))
                    .hint("it is kept in the spec; research.md lists it under \"Spec sections not used\""),
                );
                out.push(self.loc(title, s.title.span.clone()));
            }
        }
        out
    }
}

fn is_story_heading(key: &str) -> bool {
    let rest = key.strip_prefix("user story").or_else(|| key.strip_prefix("story"));
    rest.is_some_and(|r| r.trim_start().starts_with(|c: char| c.is_ascii_digit()))
}

/// `User Story 1 - Title (Priority: P1) 🎯 MVP` → (1, "Title", Some("P1")).
fn parse_story_heading(heading: &str) -> (u32, String, Option<String>) {
    let heading = &*locale::english(heading);
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `heading`.
    let lower = heading.to_ascii_lowercase();
    let after = lower.find("story").map(|i| i + "story".len()).unwrap_or(0);
    let rest = &heading[after..];
    let digits: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    let number = digits.parse().unwrap_or(0);
    let rest = rest.trim_start()[digits.len()..]
        .trim_start_matches(|c: char| c == '-' || c == '–' || c == '—' || c == ':' || c == '.' || c.is_whitespace());
    let mut priority = None;
    let mut title = String::new();
    let mut depth = 0;
    let mut paren = String::new();
    for ch in rest.chars() {
        match ch {
            '(' | '[' => {
                depth += 1;
                paren.clear();
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                let p = paren.trim();
                let p = p
                    .strip_prefix("Priority:")
                    .or_else(|| p.strip_prefix("priority:"))
                    .unwrap_or(p)
                    .trim();
                if p.len() >= 2 && p.starts_with(['P', 'p']) && p[1..].chars().all(|c| c.is_ascii_digit()) {
                    priority = Some(p.to_uppercase());
                }
            }
            _ if depth > 0 => paren.push(ch),
            _ => title.push(ch),
        }
    }
    let title = title
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()) || *w == "&")
        .collect::<Vec<_>>()
        .join(" ");
    let title = title.trim_end_matches(" MVP").to_string();
    (number, title, priority)
}

/// Split `Given a, When b, Then c` (any case, bold or not) into its three parts.
fn split_gwt(plain: &str) -> (Option<String>, Option<String>, Option<String>) {
    let lower = plain.to_ascii_lowercase();
    let find = |word: &str, from: usize| -> Option<usize> {
        let mut at = from;
        while let Some(i) = lower[at..].find(word) {
            let idx = at + i;
            let before_ok = idx == 0 || !lower[..idx].ends_with(|c: char| c.is_alphanumeric());
            let after_ok = !lower[idx + word.len()..].starts_with(|c: char| c.is_alphanumeric());
            if before_ok && after_ok {
                return Some(idx);
            }
            at = idx + word.len();
        }
        None
    };
    let g = find("given", 0);
    let w = find("when", g.unwrap_or(0));
    let t = find("then", w.or(g).unwrap_or(0));
    let part = |start: Option<usize>, word: &str, end: Option<usize>| -> Option<String> {
        let s = start? + word.len();
        let e = end.unwrap_or(plain.len()).max(s);
        let v = plain[s..e].trim().trim_end_matches([',', ';']).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    (part(g, "given", w.or(t)), part(w, "when", t), part(t, "then", None))
}

/// `Q: question → A: answer` (also `->` and `=>`).
fn split_qa(raw: &str) -> Option<(String, String)> {
    let text = raw.trim().trim_start_matches("**").trim();
    let body = text
        .strip_prefix("Q:")
        .or_else(|| text.strip_prefix("Q**:"))
        .or_else(|| text.strip_prefix("Q :"))?;
    for arrow in ["→", "->", "=>"] {
        if let Some((q, a)) = body.split_once(arrow) {
            let a = a.trim().trim_start_matches("**").trim();
            let a = a
                .strip_prefix("A:")
                .or_else(|| a.strip_prefix("A**:"))
                .unwrap_or(a)
                .trim();
            let q = q.trim().trim_end_matches("**").trim();
            if !q.is_empty() && !a.is_empty() {
                return Some((q.to_string(), a.to_string()));
            }
        }
    }
    None
}

/// Requirements restated under Clarifications replace the originals with the same ID (both
/// locations kept: the update's as `line`, the original's in `original`); new IDs are
/// added after the others, in the order written.
fn apply_updates(items: &mut Vec<Requirement>, updates: Vec<Requirement>) {
    for mut u in updates {
        match items.iter_mut().find(|r| r.id == u.id) {
            Some(r) => {
                u.original = Some(Original {
                    text: r.text.clone(),
                    line: r.line,
                });
                u.group = r.group.clone();
                *r = u;
            }
            None => items.push(u),
        }
    }
}

/// `**Risk**: Neon is slow. **Mitigation**: cache.` → ("Neon is slow.", Some("cache.")); a
/// bullet that is only a mitigation gives an empty risk.
fn split_risk(raw: &str) -> (String, Option<String>) {
    let lower = raw.to_lowercase();
    let clean = |t: &str| {
        t.trim()
            .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
            .trim_end_matches(['—', '–', '-', ';', '('])
            .trim()
            .trim_matches('*')
            .trim()
            .to_string()
    };
    let strip_label = |t: &str| {
        let t = t.trim().trim_start_matches("**");
        let l = t.to_lowercase();
        if l.starts_with("risk")
            && let Some(i) = t.find(':').filter(|i| *i <= "risk**".len() + 4)
        {
            return t[i + 1..].trim().to_string();
        }
        t.to_string()
    };
    let mut from = 0;
    while let Some(i) = lower[from..].find("mitigation") {
        let at = from + i;
        let rest = &lower[at + "mitigation".len()..];
        let after = rest.trim_start_matches(['s', '*', '_']);
        if after.starts_with(':') {
            let colon = raw.len() - after.len();
            let risk = clean(&strip_label(&raw[..at]));
            let mitigation = clean(&raw[colon + 1..]);
            return (risk, (!mitigation.is_empty()).then_some(mitigation));
        }
        from = at + 1;
    }
    (clean(&strip_label(raw)), None)
}

/// The RFC 2119 keyword a requirement uses, strongest first.
///
/// Words are runs of ASCII letters; a keyword's two words (`MUST NOT`) count only when
/// nothing but spaces lies between them.
pub fn strength(text: &str) -> Option<String> {
    // (word, run): the words of the text, each with the run of letters and spaces it is in.
    let mut words: Vec<(&str, usize)> = Vec::new();
    for (run, chunk) in text.split(|c: char| !c.is_ascii_alphabetic() && c != ' ').enumerate() {
        words.extend(chunk.split(' ').filter(|w| !w.is_empty()).map(|w| (w, run)));
    }
    let said = |keyword: &str| match keyword.split_once(' ') {
        None => words.iter().any(|(w, _)| *w == keyword),
        Some((first, second)) => words
            .windows(2)
            .any(|p| p[0].0 == first && p[1].0 == second && p[0].1 == p[1].1),
    };
    ["MUST NOT", "MUST", "SHALL NOT", "SHALL", "SHOULD NOT", "SHOULD", "MAY"]
        .into_iter()
        .find(|k| said(k))
        .map(str::to_string)
}

fn next_free(items: &[Requirement], prefix: &str) -> u32 {
    items
        .iter()
        .filter(|r| r.prefix == prefix)
        .map(|r| r.number)
        .max()
        .unwrap_or(0)
        + 1
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An entity's name as a Mermaid identifier: its ASCII letters and digits.
pub fn mermaid_id(name: &str) -> String {
    let id: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if id.is_empty() { "Entity".into() } else { id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    /// Requirement groups written without their Requirements parent are read once each,
    /// even when one is nested in the other, and satisfy the mandatory section.
    #[test]
    fn requirement_groups_without_a_parent() {
        let text = "# Feature Specification: X\n\n## Functional Requirements\n\n\
                    - **FR-001**: System MUST a.\n\n### Non-Functional Requirements\n\n\
                    - **FR-002**: System MUST b.\n";
        let mut sources = Sources::default();
        let id = sources.add("specs/001-x/spec.md".into(), text.into());
        let mut diags = Diagnostics::default();
        let spec = parse(sources.get(id), id, &mut diags);
        let ids: Vec<(&str, &str)> = spec
            .requirements
            .iter()
            .map(|r| (r.id.as_str(), r.group.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("FR-001", "Functional Requirements"),
                ("FR-002", "Non-functional Requirements")
            ]
        );
        assert!(spec.mandatory_present.contains(&("Requirements".to_string(), true)));
    }

    #[test]
    fn the_stories_are_those_of_the_user_scenarios_section_when_it_has_any() {
        let text = "# Feature Specification: X\n\n## Conversational User Stories\n\n\
                    ### Story 1: Create Todo\n\nThe user says add milk.\n\n\
                    ## User Scenarios & Testing *(mandatory)*\n\n\
                    ### User Story 1 - Conversational Creation (Priority: P1)\n\nAdd by chat.\n\n\
                    **Acceptance Scenarios**:\n\n1. **Given** a user, **When** they ask, **Then** it is added\n\n\
                    ### User Story 2 - Listing (Priority: P2)\n\nList by chat.\n\n\
                    **Acceptance Scenarios**:\n\n1. **Given** todos, **When** asked, **Then** listed\n";
        let mut sources = Sources::default();
        let id = sources.add("specs/001-x/spec.md".into(), text.into());
        let mut diags = Diagnostics::default();
        let spec = parse(sources.get(id), id, &mut diags);
        let stories: Vec<(u32, &str)> = spec.stories.iter().map(|s| (s.number, s.title.as_str())).collect();
        assert_eq!(stories, [(1, "Conversational Creation"), (2, "Listing")]);
        assert!(
            !diags.iter().any(|d| d.code == Code::DuplicateId),
            "the informal Story 1 is not a second story 1"
        );
        // Without the template's section, story headings anywhere are the stories.
        let text = "# Feature Specification: X\n\n## Stories\n\n### Story 1: Create Todo\n\nAdd.\n";
        let id = sources.add("specs/001-y/spec.md".into(), text.into());
        let spec = parse(sources.get(id), id, &mut Diagnostics::default());
        assert_eq!(spec.stories.len(), 1);
    }

    #[test]
    fn story_headings_in_the_wild() {
        assert_eq!(
            parse_story_heading("User Story 1 - Containerize Apps (Priority: P1) 🎯 MVP"),
            (1, "Containerize Apps".into(), Some("P1".into()))
        );
        assert_eq!(
            parse_story_heading("User Story 12: Title [P3]"),
            (12, "Title".into(), Some("P3".into()))
        );
        assert_eq!(
            parse_story_heading("User Story 2 - No priority"),
            (2, "No priority".into(), None)
        );
    }

    #[test]
    fn given_when_then_split() {
        let (g, w, t) = split_gwt("Given a cluster, When I run helm install, Then pods are Ready");
        assert_eq!(g.as_deref(), Some("a cluster"));
        assert_eq!(w.as_deref(), Some("I run helm install"));
        assert_eq!(t.as_deref(), Some("pods are Ready"));
        assert_eq!(split_gwt("Whenever it rains").0, None);
    }

    #[test]
    fn clarification_arrows() {
        assert_eq!(
            split_qa("Q: Where is the DB? → A: Neon"),
            Some(("Where is the DB?".into(), "Neon".into()))
        );
        assert_eq!(split_qa("**Q**: x? -> **A**: y"), Some(("x?".into(), "y".into())));
        assert_eq!(split_qa("just a note"), None);
    }

    #[test]
    fn risks_with_and_without_mitigations() {
        assert_eq!(
            split_risk("**Risk**: Neon cold starts slow the first request. **Mitigation**: warm it at startup."),
            (
                "Neon cold starts slow the first request.".into(),
                Some("warm it at startup.".into())
            )
        );
        assert_eq!(
            split_risk("OpenAI rate limits — mitigation: queue and retry"),
            ("OpenAI rate limits".into(), Some("queue and retry".into()))
        );
        assert_eq!(split_risk("Mitigation: retry"), (String::new(), Some("retry".into())));
        assert_eq!(split_risk("Vendor lock-in"), ("Vendor lock-in".into(), None));
    }

    #[test]
    fn strength_prefers_negative_forms() {
        assert_eq!(strength("System MUST NOT log secrets").as_deref(), Some("MUST NOT"));
        assert_eq!(strength("Users SHOULD see it").as_deref(), Some("SHOULD"));
        assert_eq!(strength("mustard"), None);
        // Two-word keywords hold only across spaces: punctuation or a tab ends the phrase.
        assert_eq!(strength("It MUST  NOT leak").as_deref(), Some("MUST NOT"));
        assert_eq!(strength("It MUST, NOT later, leak").as_deref(), Some("MUST"));
        assert_eq!(strength("It SHALL\tNOT").as_deref(), Some("SHALL"));
        assert_eq!(strength("MAY; SHOULD NOT").as_deref(), Some("SHOULD NOT"));
    }
}
