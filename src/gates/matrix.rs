//! The traceability matrix of plan.md: every user story, requirement and success criterion
//! with the components, artifacts, stages, gates and quickstart steps that realize or verify
//! it.
//!
//! A link is certain when the inputs write it: an ID (`US2`, `FR-003`, `SC-001`) in a stage
//! of the plan input, a gate code in the item's own text, a `**Gates**:` line of the stage
//! that names the item, the stage and quickstart step `sp` generates for a story. Every other
//! link is guessed from shared words (the tracer's keywords, a gate's trigger phrases, a
//! component's name) and is marked as such. A row with nothing behind it is flagged, and a
//! success criterion nothing verifies is a warning (SP212) at its line.

use super::catalog::{self, GATES};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{OriginKind, Plan, PlannedStage};
use crate::parse::spec::Requirement;
use crate::resolve::trace::{self, Tracer};

pub use crate::model::matrix::{Link, TraceRow};

/// Add a link, keeping the certain one when both are found.
fn add(cell: &mut Vec<Link>, link: Link) {
    match cell.iter_mut().find(|l| l.name == link.name) {
        Some(l) => l.guessed &= link.guessed,
        None => cell.push(link),
    }
}

/// The matrix of one feature. `tracer` is the one resolve traced the plan's stories with;
/// `files` are the generated files, relative to the feature's output folder.
pub fn matrix(plan: &Plan, tracer: &Tracer, files: &[String], diags: &mut Diagnostics) -> Vec<TraceRow> {
    let spec = &plan.spec;
    let stage_texts = plan.stages.iter().map(stage_text).collect();
    let cx = Context {
        plan,
        files,
        tracer,
        stage_texts,
    };
    let mut rows = Vec::new();
    for s in &plan.stories {
        let story = spec.stories.iter().find(|x| x.id == s.id);
        let mut text = s.title.clone();
        if let Some(st) = story {
            text = format!("{} {}", st.title, st.narrative);
            for sc in &st.scenarios {
                text.push(' ');
                text.push_str(&sc.text);
            }
        }
        let mut row = cx.row(&s.id, "story", &s.title, s.line, &text);
        for (stage, stage_text) in plan.stages.iter().zip(&cx.stage_texts) {
            if stage.stories.contains(&s.id) {
                let generated = stage.origin.kind == OriginKind::Derived;
                let by_id = mentions(stage_text, &s.id) || generated;
                add(&mut row.stages, link(stage_name(stage), !by_id));
            }
        }
        add(&mut row.steps, Link::certain(format!("step {} ({})", s.number, s.id)));
        if row.stages.is_empty() && s.requirements.is_empty() {
            row.flag = Some("no requirement and no stage realize it".into());
        }
        rows.push(row);
    }
    for r in &spec.requirements {
        let mut row = cx.row(&r.id, "requirement", &r.text, r.line, &r.text);
        // The story the requirement is traced to brings its stages and quickstart step.
        let traced = plan
            .stories
            .iter()
            .find(|s| s.requirements.iter().any(|t| t.id == r.id))
            .map(|s| {
                (
                    s,
                    s.requirements
                        .iter()
                        .find(|t| t.id == r.id)
                        .is_some_and(|t| t.by == "keywords"),
                )
            });
        if let Some((story, guessed)) = traced {
            for stage in plan.stages.iter().filter(|st| st.stories.contains(&story.id)) {
                let generated = stage.origin.kind == OriginKind::Derived;
                add(&mut row.stages, link(stage_name(stage), guessed || !generated));
            }
            add(
                &mut row.steps,
                link(format!("step {} ({})", story.number, story.id), guessed),
            );
        }
        if row.components.is_empty() && row.artifacts.is_empty() && row.stages.is_empty() && row.gates.is_empty() {
            row.flag = Some("nothing realizes it: no stage, component, artifact or gate".into());
        }
        rows.push(row);
    }
    for sc in &spec.success_criteria {
        let mut row = cx.row(&sc.id, "success criterion", &sc.text, sc.line, &sc.text);
        if row.stages.is_empty() {
            // The stories whose words it shares: their stages and quickstart steps show it.
            let (mut numbers, by) = cx.tracer.trace(&sc.text);
            // With one story every word is shared by all stories, so the tracer's weights
            // are zero: any content word in common is the link.
            if let ([only], true) = (spec.stories.as_slice(), numbers.is_empty()) {
                let story_words = trace::words(&format!(
                    "{} {} {} {}",
                    only.title,
                    only.narrative,
                    only.independent_test.as_deref().unwrap_or(""),
                    only.scenarios
                        .iter()
                        .map(|s| s.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                if !trace::words(&sc.text).is_disjoint(&story_words) {
                    numbers.push(only.number);
                }
            }
            let guessed = by != "explicit";
            for n in numbers {
                let Some(story) = plan.stories.iter().find(|s| s.number == n) else {
                    continue;
                };
                for stage in plan.stages.iter().filter(|st| st.stories.contains(&story.id)) {
                    add(&mut row.stages, link(stage_name(stage), guessed));
                }
                add(
                    &mut row.steps,
                    link(format!("step {} ({})", story.number, story.id), guessed),
                );
            }
        }
        if row.stages.is_empty() && row.gates.is_empty() && row.steps.is_empty() {
            row.flag = Some("no verification: no stage, gate or quickstart step shows it met".into());
            diags.push(unverified(sc, &spec.path));
        }
        rows.push(row);
    }
    for row in &mut rows {
        row.certain = row
            .stages
            .iter()
            .chain(&row.gates)
            .chain(&row.steps)
            .any(|l| !l.guessed);
    }
    rows
}

fn link(name: String, guessed: bool) -> Link {
    if guessed {
        Link::guessed(name)
    } else {
        Link::certain(name)
    }
}

fn unverified(sc: &Requirement, path: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnverifiedSuccessCriterion,
        format!("nothing verifies {}: no stage, gate or quickstart step shows it met", sc.id),
    )
    .hint(format!(
        "name {} in the stage of plan-input.md that shows it met (`- Gate: {} holds`), or reword it with the words of the user story it measures",
        sc.id, sc.id
    ));
    match &sc.span {
        Some(s) => d.at(s.clone()).label("no verification"),
        None => d.at_line(path, sc.line, 1),
    }
}

struct Context<'a> {
    plan: &'a Plan,
    files: &'a [String],
    tracer: &'a Tracer,
    /// Each stage's text, in `plan.stages` order: every row searches all of them.
    stage_texts: Vec<String>,
}

impl Context<'_> {
    /// The links every kind of row shares: explicit stages, gates, components and artifacts.
    fn row(&self, id: &str, kind: &str, statement: &str, line: usize, text: &str) -> TraceRow {
        let mut row = TraceRow {
            id: id.to_string(),
            kind: kind.to_string(),
            text: statement.to_string(),
            line,
            components: Vec::new(),
            artifacts: Vec::new(),
            stages: Vec::new(),
            gates: Vec::new(),
            steps: Vec::new(),
            flag: None,
            certain: false,
        };
        // Stages of the plan input that write the ID, and the gates their `**Gates**:`
        // lines name.
        for (stage, stage_text) in self.plan.stages.iter().zip(&self.stage_texts) {
            if stage.origin.kind != OriginKind::Derived && mentions(stage_text, id) {
                add(&mut row.stages, Link::certain(stage_name(stage)));
                for g in stage_gates(stage) {
                    add(&mut row.gates, Link::certain(g));
                }
            }
        }
        let deployed = self.plan.deployment.is_some();
        let lower = text.to_lowercase();
        let (in_text, in_lower) = (Words::new(text), Words::new(&lower));
        if deployed {
            let triggered = catalog::triggered(&lower);
            // Gate codes are `G` and digits: a text with no such word names no gate.
            let coded = in_text.runs.iter().any(|w| code_like(w));
            for (g, trigger) in GATES.iter().zip(triggered) {
                if coded && in_text.has(g.code) {
                    add(&mut row.gates, Link::certain(gate_name(g)));
                } else if trigger.is_some() {
                    add(&mut row.gates, Link::guessed(gate_name(g)));
                }
            }
        }
        if let Some(d) = &self.plan.deployment {
            for c in &d.components {
                if !in_lower.has(&c.name.to_lowercase()) {
                    continue;
                }
                add(&mut row.components, Link::guessed(c.name.clone()));
                for f in [
                    format!("docker/{}.Dockerfile", c.name),
                    format!("k8s/30-{}-deployment.yaml", c.name),
                ] {
                    if self.files.contains(&f) {
                        add(&mut row.artifacts, Link::guessed(f));
                    }
                }
            }
        }
        let words = |ws: &[&str]| ws.iter().any(|w| in_lower.has(w));
        let mut file_if = |cond: bool, f: &str| {
            if cond && self.files.iter().any(|x| x == f || super::artifacts::under(x, f)) {
                add(&mut row.artifacts, Link::guessed(f.to_string()));
            }
        };
        let entities = self
            .plan
            .spec
            .entities
            .iter()
            .any(|e| in_lower.has(&e.name.to_lowercase()))
            || self
                .plan
                .design
                .tables
                .iter()
                .any(|t| in_lower.has(&t.name.to_lowercase()));
        file_if(
            entities || words(&["database", "table", "tables", "persist", "persisted", "stored"]),
            "data-model.md",
        );
        let api = self
            .plan
            .design
            .routes
            .iter()
            .any(|r| r.path.len() > 1 && lower.contains(&r.path.to_lowercase()))
            || words(&["api", "endpoint", "endpoints", "route", "routes", "rest"]);
        file_if(api, "contracts/openapi.yaml");
        file_if(
            words(&[
                "image",
                "images",
                "dockerfile",
                "dockerfiles",
                "docker",
                "container",
                "containers",
            ]),
            "contracts/docker-images.yaml",
        );
        file_if(
            words(&["helm", "chart", "charts", "values"]),
            self.helm_dir().as_deref().unwrap_or("helm"),
        );
        file_if(
            words(&[
                "kubernetes",
                "k8s",
                "pod",
                "pods",
                "manifest",
                "manifests",
                "namespace",
                "service",
                "services",
                "ingress",
            ]),
            "contracts/k8s-resources.yaml",
        );
        row
    }

    fn helm_dir(&self) -> Option<String> {
        self.files
            .iter()
            .find_map(|f| f.strip_prefix("helm/"))
            .and_then(|rest| rest.split_once('/'))
            .map(|(chart, _)| format!("helm/{chart}"))
    }
}

fn gate_name(g: &catalog::Gate) -> String {
    format!("{} {}", g.code, g.name)
}

fn stage_name(s: &PlannedStage) -> String {
    format!("Stage {}", s.number)
}

fn stage_text(s: &PlannedStage) -> String {
    format!("{} {} {}", s.title, s.items.join(" "), s.gate)
}

/// The gates a stage's `**Gates**: G101, run-as-non-root` item names.
fn stage_gates(s: &PlannedStage) -> Vec<String> {
    let mut out = Vec::new();
    for item in &s.items {
        let plain = item.replace("**", "");
        let Some((label, list)) = plain.split_once(':') else {
            continue;
        };
        if !matches!(label.trim().to_lowercase().as_str(), "gates" | "gate") {
            continue;
        }
        for name in list.split([',', ';']) {
            for g in catalog::expand(name.trim()) {
                let n = gate_name(g);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// Whether a word has the shape of a gate code (`G101`).
fn code_like(w: &str) -> bool {
    w.len() > 1 && w.starts_with('G') && w[1..].bytes().all(|b| b.is_ascii_digit())
}

/// `needle` (an ID such as `FR-001` or `US2`) as a whole token of `text`.
fn mentions(text: &str, needle: &str) -> bool {
    crate::source::has_whole_word(text, needle, char::is_alphanumeric, char::is_alphanumeric)
}

/// The whole words of a text, for the many "is this a word of it" questions one row asks
/// (every gate code, component, entity and artifact keyword): one scan of the text instead
/// of one per question. A word of letters and digits is one of the text's maximal runs of
/// them, which is what [`mentions`] finds; any other needle (`FR-001`, `mcp-server`) is
/// searched for as [`mentions`] does.
struct Words<'a> {
    text: &'a str,
    /// The text's alphanumeric runs, sorted and deduplicated: a row asks a few dozen words of
    /// a text of a few hundred, where hashing every run cost more than the lookups saved.
    runs: Vec<&'a str>,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        let mut runs: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|r| !r.is_empty())
            .collect();
        runs.sort_unstable();
        runs.dedup();
        Words { text, runs }
    }

    fn has(&self, needle: &str) -> bool {
        if !needle.is_empty() && needle.chars().all(char::is_alphanumeric) {
            self.runs.binary_search(&needle).is_ok()
        } else {
            mentions(self.text, needle)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row looks gate codes up only when it has a word shaped like one.
    #[test]
    fn every_gate_code_is_code_like() {
        for g in GATES {
            assert!(code_like(g.code), "{} is not `G` and digits: update code_like", g.code);
        }
    }

    #[test]
    fn ids_are_whole_tokens() {
        assert!(mentions("covers FR-001 and US2", "FR-001"));
        assert!(mentions("covers FR-001 and US2", "US2"));
        assert!(!mentions("covers FR-0011", "FR-001"));
        assert!(!mentions("US21", "US2"));
        for (text, needle) in [
            ("covers FR-001 and US2", "FR-001"),
            ("covers FR-001 and US2", "US2"),
            ("covers FR-0011", "FR-001"),
            ("US21", "US2"),
            ("the mcp-server calls G101", "mcp-server"),
            ("the mcp-servers", "mcp-server"),
            ("G101.", "G101"),
            ("xG101", "G101"),
            ("", "G101"),
            ("G101", ""),
            ("élan vital", "élan"),
        ] {
            assert_eq!(
                Words::new(text).has(needle),
                mentions(text, needle),
                "{needle} in {text}"
            );
        }
    }

    #[test]
    fn a_certain_link_wins_over_a_guess() {
        let mut cell = vec![Link::guessed("Stage 1")];
        add(&mut cell, Link::certain("Stage 1"));
        assert_eq!(cell, vec![Link::certain("Stage 1")]);
        add(&mut cell, Link::guessed("Stage 1"));
        assert_eq!(cell, vec![Link::certain("Stage 1")]);
    }
}
