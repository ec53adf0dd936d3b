//! The spec quality checklist of spec-kit's `checklists/requirements.md`, computed.
//!
//! Each of the sixteen items is decided from the parsed spec where a mechanical reading can
//! decide it, with the evidence that decided it. Items that need judgement (is the language
//! right for non-technical readers?) are MANUAL and say what to look at.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use serde::Serialize;

use super::Status;
use crate::model::Plan;
use crate::parse::spec::Spec;

#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    pub groups: Vec<Group>,
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub manual: usize,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub title: String,
    pub items: Vec<Item>,
}

/// Documentation of one spec quality check, for `sp explain S105` and the checklist.
#[derive(Debug)]
pub struct SpecCheck {
    pub code: &'static str,
    pub name: &'static str,
    /// `computed` or `manual`: whether sp decides it from the text.
    pub kind: &'static str,
    pub summary: &'static str,
    pub why: &'static str,
    pub bad: &'static str,
    pub fix: &'static str,
}

/// The sixteen items of spec-kit's requirements checklist, in checklist order (CHK001 is
/// S101). Codes are stable.
pub static SPEC_CHECKS: &[SpecCheck] = &[
    SpecCheck {
        code: "S101",
        name: "no-implementation-details",
        kind: "computed (MANUAL when technology is named)",
        summary: "Requirements and success criteria name no language, framework or platform.",
        why: "A spec states what users need; naming FastAPI or Kubernetes fixes the design before the plan weighs alternatives, unless the technology is the feature's subject.",
        bad: "- **FR-003**: The API MUST be written in FastAPI and store tasks in PostgreSQL.",
        fix: "- **FR-003**: System MUST persist tasks so they survive restarts (the plan picks the storage).",
    },
    SpecCheck {
        code: "S102",
        name: "user-value",
        kind: "computed",
        summary: "Every user story says the value it delivers (\"so that …\").",
        why: "A story without its value cannot be prioritised or cut when time runs out.",
        bad: "As a user, I want a button.",
        fix: "As a user, I want to archive a task, so that my list shows only current work.",
    },
    SpecCheck {
        code: "S103",
        name: "non-technical-language",
        kind: "manual",
        summary: "The spec reads for stakeholders outside the team.",
        why: "Product owners sign the spec off; jargon hides scope from them.",
        bad: "The DTO is hydrated via the ORM's lazy loader.",
        fix: "Task details load when the user opens a task.",
    },
    SpecCheck {
        code: "S104",
        name: "mandatory-sections",
        kind: "computed",
        summary: "User Scenarios & Testing, Requirements and Success Criteria are present.",
        why: "spec-kit's plan, tasks and this compiler read those sections; without them there is nothing to trace or measure.",
        bad: "A spec with stories but no `## Requirements`.",
        fix: "Add `## Requirements *(mandatory)*` with `**FR-001**: …` bullets (and Success Criteria).",
    },
    SpecCheck {
        code: "S105",
        name: "no-unresolved-clarification",
        kind: "computed",
        summary: "No `[NEEDS CLARIFICATION: …]` marker remains.",
        why: "spec-kit's plan command refuses to plan over open questions: every answer changes the plan.",
        bad: "- **FR-006**: Users MUST log in via [NEEDS CLARIFICATION: which provider?]",
        fix: "Answer it with /clarify; the answer goes under `## Clarifications` and the requirement is rewritten.",
    },
    SpecCheck {
        code: "S106",
        name: "testable-requirements",
        kind: "computed",
        summary: "Every requirement uses MUST/SHOULD/MAY and no vague qualifier (fast, easy, robust, securely…).",
        why: "A requirement is done when a test says so; \"fast\" has no test.",
        bad: "- **FR-004**: The page MUST load fast.",
        fix: "- **FR-004**: The task list MUST render within 1 second for 500 tasks.",
    },
    SpecCheck {
        code: "S107",
        name: "measurable-success-criteria",
        kind: "computed",
        summary: "Every success criterion states a number, a percentage or a count.",
        why: "A criterion without a figure cannot be verified after release.",
        bad: "- **SC-002**: Users are happy with the chat.",
        fix: "- **SC-002**: 90% of users complete their first task within 2 minutes.",
    },
    SpecCheck {
        code: "S108",
        name: "technology-agnostic-criteria",
        kind: "computed (MANUAL when technology is named)",
        summary: "Success criteria name no technology.",
        why: "Outcomes are measured on what users get, so they survive a change of design.",
        bad: "- **SC-003**: Redis answers in 5 ms.",
        fix: "- **SC-003**: Search results appear within 200 ms for 95% of queries.",
    },
    SpecCheck {
        code: "S109",
        name: "acceptance-scenarios",
        kind: "computed",
        summary: "Every story has acceptance scenarios, each written Given / When / Then.",
        why: "Scenarios are the story's tests; without them \"done\" is an opinion.",
        bad: "**Acceptance Scenarios**: it works.",
        fix: "1. **Given** a task, **When** I archive it, **Then** it leaves the list.",
    },
    SpecCheck {
        code: "S110",
        name: "edge-cases",
        kind: "computed",
        summary: "The spec lists edge cases.",
        why: "Failures and limits are where most defects hide; naming them puts them in the plan.",
        bad: "No `### Edge Cases` section.",
        fix: "### Edge Cases\n- What happens when the database is unreachable at startup?",
    },
    SpecCheck {
        code: "S111",
        name: "scope-bounded",
        kind: "computed",
        summary: "Out of Scope, Assumptions or Constraints bound the feature.",
        why: "Unbounded scope grows in review; stating what is out is as useful as what is in.",
        bad: "A spec with no Out of Scope, Assumptions or Constraints.",
        fix: "## Assumptions\n- The database is managed outside the cluster.",
    },
    SpecCheck {
        code: "S112",
        name: "assumptions-and-dependencies",
        kind: "computed",
        summary: "The spec lists its assumptions or dependencies.",
        why: "An unstated assumption becomes a surprise in production.",
        bad: "No `## Assumptions` section.",
        fix: "## Assumptions\n- Developers have Docker and Minikube installed.",
    },
    SpecCheck {
        code: "S113",
        name: "requirements-traced",
        kind: "computed",
        summary: "Every functional requirement traces to a user story that has acceptance scenarios.",
        why: "A requirement no story covers has no acceptance test and no place in the plan's stages.",
        bad: "FR-012 shares no words with any story.",
        fix: "Name its story (`US2`) in the requirement, or reword it so it traces.",
    },
    SpecCheck {
        code: "S114",
        name: "primary-flows",
        kind: "computed",
        summary: "At least one P1 story with acceptance scenarios.",
        why: "The MVP is the P1 stories; without one the plan has no first stage.",
        bad: "Every story is P2 or P3.",
        fix: "Mark the story that delivers the core value `(Priority: P1)`.",
    },
    SpecCheck {
        code: "S115",
        name: "meets-measurable-outcomes",
        kind: "manual",
        summary: "The feature meets its success criteria (verified after implementation).",
        why: "Only a measurement of the running system can say whether it meets its success criteria; the spec states the targets, the release proves them. The item stays MANUAL until someone records the figures.",
        bad: "- **SC-001**: Users add a task in under 5 seconds.   (never measured after release)",
        fix: "Measure each SC-### on the released system (a timed run, a dashboard, a survey) and record the figure next to the criterion, then tick the item.",
    },
    SpecCheck {
        code: "S116",
        name: "no-implementation-leak",
        kind: "computed (MANUAL when technology is named)",
        summary: "No implementation detail leaks into the spec as a whole.",
        why: "The same as S101, read over the whole document at the end of the checklist: a spec that names frameworks, languages or APIs decides the implementation before the plan does, and reviewers who are not engineers cannot judge it.",
        bad: "- **FR-003**: The API MUST store notes in PostgreSQL through SQLAlchemy.",
        fix: "Say what the user needs (`notes MUST survive a restart`) and leave the technology to plan-input.md, where the plan records it as a decision.",
    },
];

/// A spec quality check by code (`S105`, case-insensitive) or name.
pub fn find(query: &str) -> Option<&'static SpecCheck> {
    SPEC_CHECKS
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(query) || c.name == query)
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    /// The stable code of the check (`S105`), for `sp explain`.
    pub code: String,
    pub text: String,
    pub status: Status,
    pub checked: bool,
    pub evidence: String,
}

/// Words that name an implementation choice rather than a user need.
const TECH_TERMS: &[&str] = &[
    "docker",
    "dockerfile",
    "kubernetes",
    "k8s",
    "helm",
    "kubectl",
    "minikube",
    "fastapi",
    "next.js",
    "nextjs",
    "react",
    "python",
    "typescript",
    "javascript",
    "node.js",
    "postgresql",
    "postgres",
    "redis",
    "nginx",
    "pnpm",
    "npm",
    "uv",
    "sqlmodel",
    "sqlalchemy",
    "django",
    "flask",
    "golang",
    "rust",
    "java",
    "mysql",
    "mongodb",
    "graphql",
    "rest",
    "json",
    "yaml",
    "configmap",
    "configmaps",
    "pod",
    "pods",
];

/// Adjectives that make a requirement untestable unless a number pins them down.
const VAGUE: &[&str] = &[
    "fast",
    "quickly",
    "easy",
    "easily",
    "user-friendly",
    "intuitive",
    "robust",
    "seamless",
    "seamlessly",
    "efficient",
    "efficiently",
    "appropriate",
    "appropriately",
    "reasonable",
    "properly",
    "securely",
    "as needed",
    "etc",
    "and so on",
    "simple",
];

pub fn evaluate(plan: &Plan) -> Checklist {
    let spec = &plan.spec;
    let mut groups = vec![
        Group {
            title: "Content Quality".into(),
            items: vec![
                no_implementation_details(spec, "No implementation details (languages, frameworks, APIs)"),
                user_value(spec),
                manual(
                    "Written for non-technical stakeholders",
                    "Judgement: read the stories and requirements as someone outside the team would.",
                ),
                mandatory_sections(spec),
            ],
        },
        Group {
            title: "Requirement Completeness".into(),
            items: vec![
                no_markers(spec),
                testable(spec),
                measurable(spec),
                tech_agnostic_criteria(spec),
                scenarios_defined(spec),
                edge_cases(spec),
                scope_bounded(spec),
                assumptions(spec),
            ],
        },
        Group {
            title: "Feature Readiness".into(),
            items: vec![
                requirements_have_criteria(plan),
                primary_flows(spec),
                manual(
                    "Feature meets measurable outcomes defined in Success Criteria",
                    "Verified after implementation against each SC-### below.",
                ),
                no_implementation_details(spec, "No implementation details leak into specification"),
            ],
        },
    ];
    let mut n = 0;
    for g in &mut groups {
        for item in &mut g.items {
            n += 1;
            item.id = format!("CHK{n:03}");
            item.code = SPEC_CHECKS.get(n - 1).map(|c| c.code.to_string()).unwrap_or_default();
            item.checked = item.status == Status::Pass;
        }
    }
    let count = |s: Status| groups.iter().flat_map(|g| &g.items).filter(|i| i.status == s).count();
    let (pass, fail, manual) = (count(Status::Pass), count(Status::Fail), count(Status::Manual));
    Checklist {
        summary: format!("{pass}/{n} PASS, {fail} FAIL, {manual} MANUAL"),
        groups,
        total: n,
        pass,
        fail,
        manual,
    }
}

fn item(text: &str, status: Status, evidence: String) -> Item {
    Item {
        id: String::new(),
        code: String::new(),
        text: text.into(),
        status,
        checked: false,
        evidence,
    }
}

fn manual(text: &str, evidence: &str) -> Item {
    item(text, Status::Manual, evidence.into())
}

fn pass_or_fail(text: &str, ok: bool, pass: String, fail: String) -> Item {
    if ok {
        item(text, Status::Pass, pass)
    } else {
        item(text, Status::Fail, fail)
    }
}

/// A hyphen or a dot joins words here (`pre-production`, `api.prod`).
fn has_word(text: &str, word: &str) -> bool {
    has_lower_word(&text.to_lowercase(), word)
}

/// [`has_word`] in a text already lowercased, for a text asked about many words.
fn has_lower_word(lower: &str, word: &str) -> bool {
    crate::source::has_whole_word(lower, word, joins_before, joins_after)
}

fn joins_before(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '.'
}

fn joins_after(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// [`TECH_TERMS`] as one automaton. Two checks ask every requirement and success criterion
/// about each of the forty terms; searched one by one, that was a fiftieth of a feature's
/// compile, spent setting up a substring search per term.
static TECH: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(TECH_TERMS).expect("fixed literal patterns build"));

/// The [`TECH_TERMS`] that stand in `lower` as words (as [`has_lower_word`] decides), in the
/// list's order, from one pass over the text.
fn tech_terms(lower: &str) -> Vec<&'static str> {
    let mut hit = [false; TECH_TERMS.len()];
    for m in TECH.find_overlapping_iter(lower) {
        let before = lower[..m.start()].chars().next_back();
        let after = lower[m.end()..].chars().next();
        if !before.is_some_and(joins_before) && !after.is_some_and(joins_after) {
            hit[m.pattern().as_usize()] = true;
        }
    }
    TECH_TERMS
        .iter()
        .zip(hit)
        .filter(|(_, h)| *h)
        .map(|(t, _)| *t)
        .collect()
}

fn list(ids: &[String]) -> String {
    const MAX: usize = 8;
    if ids.len() > MAX {
        format!("{} and {} more", ids[..MAX].join(", "), ids.len() - MAX)
    } else {
        ids.join(", ")
    }
}

fn no_implementation_details(spec: &Spec, text: &str) -> Item {
    let mut found: Vec<String> = Vec::new();
    for r in spec.requirements.iter().chain(&spec.success_criteria) {
        for t in tech_terms(&r.text.to_lowercase()) {
            if !found.iter().any(|f| f == t) {
                found.push(t.to_string());
            }
        }
    }
    if found.is_empty() {
        item(
            text,
            Status::Pass,
            "No framework, language or platform names in the requirements or success criteria.".into(),
        )
    } else {
        item(
            text,
            Status::Manual,
            format!(
                "Mentions {}: acceptable only where the technology is the subject of the feature.",
                list(&found)
            ),
        )
    }
}

fn user_value(spec: &Spec) -> Item {
    let text = "Focused on user value and business needs";
    if spec.stories.is_empty() {
        return item(text, Status::Fail, "No user stories.".into());
    }
    let without: Vec<String> = spec
        .stories
        .iter()
        .filter(|s| {
            let n = s.narrative.to_lowercase();
            !(n.contains("so that") || n.contains("in order to"))
        })
        .map(|s| s.id.clone())
        .collect();
    if without.is_empty() {
        item(
            text,
            Status::Pass,
            format!(
                "All {} stories state the value they deliver (\"so that …\").",
                spec.stories.len()
            ),
        )
    } else {
        item(
            text,
            Status::Manual,
            format!("{} state no \"so that …\"; check their value is clear.", list(&without)),
        )
    }
}

fn mandatory_sections(spec: &Spec) -> Item {
    let missing: Vec<String> = spec
        .mandatory_present
        .iter()
        .filter(|(_, p)| !p)
        .map(|(n, _)| n.clone())
        .collect();
    pass_or_fail(
        "All mandatory sections completed",
        missing.is_empty(),
        "User Scenarios & Testing, Requirements and Success Criteria are present.".into(),
        format!("Missing: {}.", missing.join(", ")),
    )
}

fn no_markers(spec: &Spec) -> Item {
    let lines: Vec<String> = spec.open_questions.iter().map(|q| format!("line {}", q.line)).collect();
    pass_or_fail(
        "No [NEEDS CLARIFICATION] markers remain",
        lines.is_empty(),
        "No markers in spec.md.".into(),
        format!("{} marker(s): {}.", lines.len(), list(&lines)),
    )
}

fn testable(spec: &Spec) -> Item {
    let text = "Requirements are testable and unambiguous";
    if spec.requirements.is_empty() {
        return item(text, Status::Fail, "No requirements with identifiers.".into());
    }
    let mut problems = Vec::new();
    for r in &spec.requirements {
        let lower = r.text.to_lowercase();
        if r.strength.is_none() {
            problems.push(format!("{} (no MUST/SHOULD/MAY)", r.id));
        } else if let Some(v) = VAGUE.iter().find(|v| has_lower_word(&lower, v)) {
            problems.push(format!("{} (\"{v}\")", r.id));
        }
    }
    pass_or_fail(
        text,
        problems.is_empty(),
        format!(
            "All {} requirements use MUST/SHOULD/MAY and no vague qualifier.",
            spec.requirements.len()
        ),
        format!("Unclear: {}.", list(&problems)),
    )
}

fn measurable(spec: &Spec) -> Item {
    let text = "Success criteria are measurable";
    if spec.success_criteria.is_empty() {
        return item(text, Status::Fail, "No success criteria with identifiers.".into());
    }
    let without: Vec<String> = spec
        .success_criteria
        .iter()
        .filter(|s| {
            !s.text.chars().any(|c| c.is_ascii_digit()) && !has_word(&s.text, "zero") && !has_word(&s.text, "all")
        })
        .map(|s| s.id.clone())
        .collect();
    pass_or_fail(
        text,
        without.is_empty(),
        format!(
            "All {} success criteria state a number, a percentage or a count.",
            spec.success_criteria.len()
        ),
        format!("No measurable figure in {}.", list(&without)),
    )
}

fn tech_agnostic_criteria(spec: &Spec) -> Item {
    let text = "Success criteria are technology-agnostic (no implementation details)";
    let with: Vec<String> = spec
        .success_criteria
        .iter()
        .filter(|s| !tech_terms(&s.text.to_lowercase()).is_empty())
        .map(|s| s.id.clone())
        .collect();
    if with.is_empty() {
        item(text, Status::Pass, "No success criterion names a technology.".into())
    } else {
        item(
            text,
            Status::Manual,
            format!(
                "{} name a technology: acceptable only where it is the feature's subject.",
                list(&with)
            ),
        )
    }
}

fn scenarios_defined(spec: &Spec) -> Item {
    let text = "All acceptance scenarios are defined";
    if spec.stories.is_empty() {
        return item(text, Status::Fail, "No user stories.".into());
    }
    let mut problems = Vec::new();
    for s in &spec.stories {
        if s.scenarios.is_empty() {
            problems.push(format!("{} has none", s.id));
        }
        for sc in &s.scenarios {
            if sc.given.is_none() || sc.when.is_none() || sc.then.is_none() {
                problems.push(format!("{} scenario {} is not Given/When/Then", s.id, sc.number));
            }
        }
    }
    let total: usize = spec.stories.iter().map(|s| s.scenarios.len()).sum();
    pass_or_fail(
        text,
        problems.is_empty(),
        format!(
            "{total} Given/When/Then scenarios across {} stories.",
            spec.stories.len()
        ),
        format!("{}.", list(&problems)),
    )
}

fn edge_cases(spec: &Spec) -> Item {
    pass_or_fail(
        "Edge cases are identified",
        !spec.edge_cases.is_empty(),
        format!("{} edge cases listed.", spec.edge_cases.len()),
        "No Edge Cases section, or it is empty.".into(),
    )
}

fn scope_bounded(spec: &Spec) -> Item {
    let ok = !spec.out_of_scope.is_empty() || !spec.assumptions.is_empty() || !spec.constraints.is_empty();
    pass_or_fail(
        "Scope is clearly bounded",
        ok,
        format!(
            "{} out-of-scope items, {} assumptions, {} constraints.",
            spec.out_of_scope.len(),
            spec.assumptions.len(),
            spec.constraints.len()
        ),
        "No Out of Scope, Assumptions or Constraints section bounds the feature.".into(),
    )
}

fn assumptions(spec: &Spec) -> Item {
    pass_or_fail(
        "Dependencies and assumptions identified",
        !spec.assumptions.is_empty() || !spec.dependencies.is_empty(),
        format!(
            "{} assumptions, {} dependencies.",
            spec.assumptions.len(),
            spec.dependencies.len()
        ),
        "No Assumptions or Dependencies section.".into(),
    )
}

fn requirements_have_criteria(plan: &Plan) -> Item {
    let text = "All functional requirements have clear acceptance criteria";
    if plan.spec.requirements.is_empty() {
        return item(text, Status::Fail, "No requirements with identifiers.".into());
    }
    let mut orphans: Vec<String> = plan.cross_cutting.iter().map(|r| r.id.clone()).collect();
    for s in &plan.stories {
        if s.scenario_count == 0 {
            orphans.extend(s.requirements.iter().map(|r| r.id.clone()));
        }
    }
    pass_or_fail(
        text,
        orphans.is_empty(),
        format!(
            "Each of the {} requirements traces to a user story with acceptance scenarios (see plan.md, Component Breakdown).",
            plan.spec.requirements.len()
        ),
        format!("Not traced to a story with scenarios: {}.", list(&orphans)),
    )
}

fn primary_flows(spec: &Spec) -> Item {
    let p1: Vec<String> = spec
        .stories
        .iter()
        .filter(|s| s.priority.as_deref() == Some("P1") && !s.scenarios.is_empty())
        .map(|s| s.id.clone())
        .collect();
    pass_or_fail(
        "User scenarios cover primary flows",
        !p1.is_empty(),
        format!("P1 stories with scenarios: {}.", list(&p1)),
        "No P1 story with acceptance scenarios.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The automaton finds exactly the terms the one-by-one search finds, boundaries included.
    #[test]
    fn tech_terms_are_the_whole_words_the_plain_search_finds() {
        for text in [
            "the api uses fastapi and next.js on kubernetes (k8s)",
            "pre-docker docker-compose dockerfile. docker",
            "rest-ful restful rest. rest,json",
            "uv.lock uv-run uvicorn with uv",
            "node.js-based node.jsx node.js",
            "a pod, pods and the podman",
            "no technology here: users sign in within 2 seconds",
            "é docker é",
            "",
        ] {
            let lower = text.to_lowercase();
            let one_by_one: Vec<&str> = TECH_TERMS
                .iter()
                .copied()
                .filter(|t| has_lower_word(&lower, t))
                .collect();
            assert_eq!(tech_terms(&lower), one_by_one, "{text}");
        }
        assert_eq!(
            tech_terms("the api uses fastapi and next.js on kubernetes (k8s)"),
            ["kubernetes", "k8s", "fastapi", "next.js"]
        );
    }
}
