//! The nine Technical Context keys of spec-kit's plan template, from every input.
//!
//! Precedence, highest first: the plan input (or the adopted plan.md), then the
//! constitution's technology section, then values derived from stack lines
//! (`Backend: FastAPI, Python 3.13+` gives a language), and finally `NEEDS CLARIFICATION`,
//! which is what spec-kit writes when nothing says.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::model::{ContextValue, Origin, StackLine};
use crate::parse::Located;
pub use crate::parse::context_keys::{KEYS, STACK_ROLES, canonical, is_stack_role};
use crate::parse::plan_input::Entry;

/// Keys that carry planning prose rather than facts; recognised so they are not reported.
pub const NARRATIVE: &[&str] = &[
    "overview",
    "summary",
    "goal",
    "goals",
    "objective",
    "objectives",
    "estimated time",
    "timeline",
    "estimate",
    "recommend",
    "recommendation",
    "execution strategy",
    "strategy",
    "approach",
    "notes",
    "note",
    "technical context",
    "this plan should cover",
    "deliverables",
    "input",
    "feature",
    "spec",
    "branch",
    "context",
    "phase",
    "status",
    "priority",
    "out of scope",
    "assumptions",
    "dependencies and assumptions",
];

const LANGUAGES: &[(&str, &str)] = &[
    ("python", "Python"),
    ("typescript", "TypeScript"),
    ("javascript", "JavaScript"),
    ("node.js", "Node.js"),
    ("nodejs", "Node.js"),
    ("go", "Go"),
    ("golang", "Go"),
    ("rust", "Rust"),
    ("java", "Java"),
    ("kotlin", "Kotlin"),
    ("c#", "C#"),
    ("ruby", "Ruby"),
    ("php", "PHP"),
    ("bash", "Bash"),
];

/// Frameworks that imply their language when the input does not name it.
const IMPLIES: &[(&str, &str)] = &[
    ("next.js", "TypeScript"),
    ("nextjs", "TypeScript"),
    ("react", "TypeScript"),
    ("vite", "TypeScript"),
    ("express", "JavaScript"),
    ("fastapi", "Python"),
    ("django", "Python"),
    ("flask", "Python"),
    ("sqlmodel", "Python"),
    ("gin", "Go"),
    ("net/http", "Go"),
    ("spring", "Java"),
    ("axum", "Rust"),
];

/// Keys that state a deployment fact (`Replicas: 1 for the backend`): the deployment
/// resolver reads them, and reports them itself (SP410) when it cannot use them.
pub fn is_deployment_key(key: &str) -> bool {
    let k = key.trim().to_lowercase();
    [
        "namespace",
        "replicas",
        "replica count",
        "port",
        "ports",
        "ingress",
        "host",
        "hostname",
        "service type",
        "exposure",
        "image pull policy",
        "imagepullpolicy",
        "pull policy",
        "resources",
        "resource limits",
        "limits",
        "volume",
        "persistent volume",
    ]
    .contains(&k.as_str())
}

pub fn is_narrative(key: &str) -> bool {
    let k = key.trim().to_lowercase();
    NARRATIVE.contains(&k.as_str()) || k.starts_with("phase ") || k.starts_with("stage ")
}

/// One input layer: entries of a file, with the path used in origins.
pub struct Layer<'a> {
    pub path: &'a str,
    /// True for the Technical Context of an existing plan.md.
    pub adopted: bool,
    pub entries: Vec<&'a Entry>,
}

/// Resolve the nine keys. `constitution_stack` holds `Key: value` bullets of the
/// constitution's technology section.
pub fn resolve(
    layers: &[Layer],
    constitution_stack: &[(String, String, Located)],
    constitution_path: &str,
    diags: &mut Diagnostics,
) -> (Vec<ContextValue>, Vec<StackLine>) {
    let mut values: Vec<Option<ContextValue>> = vec![None; KEYS.len()];
    let mut stack: Vec<StackLine> = Vec::new();

    for layer in layers {
        for e in &layer.entries {
            if let Some(key) = canonical(&e.key) {
                let idx = KEYS
                    .iter()
                    .position(|(k, _)| *k == key)
                    .expect("canonical key is listed");
                match &values[idx] {
                    Some(existing) if existing.value != e.value => {
                        diags.push(
                            Diagnostic::new(
                                Code::ConflictingValue,
                                format!("`{key}` is given twice with different values"),
                            )
                            .at(e.span.clone())
                            .label("ignored: an earlier line already sets it")
                            .hint(format!(
                                "keep one `{key}:` line; the value used is the one at {}",
                                existing.origin.text
                            )),
                        );
                    }
                    Some(_) => {}
                    None => {
                        values[idx] = Some(ContextValue {
                            key: key.to_string(),
                            value: e.value.clone(),
                            origin: Origin::at(layer.path, e.line),
                            needs_clarification: false,
                        })
                    }
                }
                // `Tech Stack: Frontend: Next.js 16, Backend: FastAPI` names stacks too.
                if key == "Primary Dependencies" {
                    push_stacks(&mut stack, "", &e.value, Origin::at(layer.path, e.line));
                }
            } else if is_stack_role(&e.key) {
                push_stacks(&mut stack, &e.key, &e.value, Origin::at(layer.path, e.line));
            } else if !is_narrative(&e.key) && !is_deployment_key(&e.key) && e.grouped {
                let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                // An adopted plan.md was written by an agent, not typed by the user: its
                // extra keys are worth a note, not a warning.
                let severity = if layer.adopted {
                    Severity::Info
                } else {
                    Severity::Warning
                };
                diags.push(
                    Diagnostic::new(Code::UnknownKey, format!("`{}` is not a Technical Context key", e.key))
                        .at(e.span.clone())
                        .label("kept as a planning note, not used for the Technical Context")
                        .hint(format!(
                            "known keys: {}; stack lines such as `Frontend:` or `Backend:` are read too",
                            known.join(", ")
                        ))
                        .severity(severity),
                );
            }
        }
    }

    // The constitution's technology section fills what the plan input left open.
    for (key, value, loc) in constitution_stack {
        if let Some(c) = canonical(key) {
            let idx = KEYS.iter().position(|(k, _)| *k == c).expect("listed");
            if values[idx].is_none() {
                values[idx] = Some(ContextValue {
                    key: c.to_string(),
                    value: value.clone(),
                    origin: Origin::at(constitution_path, loc.line),
                    needs_clarification: false,
                });
            }
        } else if is_stack_role(key) {
            push_stacks(&mut stack, key, value, Origin::at(constitution_path, loc.line));
        }
    }

    derive(&mut values, &stack);

    let out = values
        .into_iter()
        .zip(KEYS.iter())
        .map(|(v, (key, _))| {
            v.unwrap_or_else(|| ContextValue {
                key: key.to_string(),
                value: "NEEDS CLARIFICATION".into(),
                origin: Origin::missing(),
                needs_clarification: true,
            })
        })
        .collect();
    (out, stack)
}

/// Every stack a line names, each once: `Frontend: Next.js 16, Backend: FastAPI, Python
/// 3.12` is two stack lines with the same origin. The first role seen wins.
fn push_stacks(stack: &mut Vec<StackLine>, key: &str, value: &str, origin: Origin) {
    for (role, v) in split_stacks(key, value) {
        if !stack.iter().any(|s| s.role.eq_ignore_ascii_case(&role)) {
            stack.push(StackLine {
                role,
                value: v,
                origin: origin.clone(),
            });
        }
    }
}

/// The stacks of one line: the text under `key` (when `key` is a role) up to the next
/// `Role:` label after a `,`, `;` or `|`, then each labelled part.
pub fn split_stacks(key: &str, value: &str) -> Vec<(String, String)> {
    // (where the separator is, where the value after the label starts, the label)
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    let boundaries = std::iter::once(0).chain(
        value
            .char_indices()
            .filter(|(_, c)| matches!(c, ',' | ';' | '|'))
            .map(|(i, _)| i + 1),
    );
    for at in boundaries {
        let rest = value[at..].trim_start();
        let Some(colon) = rest.find(':') else { continue };
        let label = rest[..colon].trim().trim_matches('*').trim();
        if is_stack_role(label) {
            let start = value.len() - rest.len();
            cuts.push((at.saturating_sub(1), start + colon + 1, label.to_string()));
        }
    }
    let clean = |s: &str| {
        s.trim()
            .trim_matches(|c: char| c == ',' || c == ';' || c == '|')
            .trim()
            .to_string()
    };
    let mut out = Vec::new();
    let first_end = cuts.first().map(|c| c.0).unwrap_or(value.len());
    if is_stack_role(key) {
        out.push((key.trim().to_string(), clean(&value[..first_end])));
    }
    for (i, (_, start, label)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map(|c| c.0).unwrap_or(value.len());
        let v = clean(&value[*start..end]);
        if !v.is_empty() {
            out.push((label.clone(), v));
        }
    }
    out
}

fn derive(values: &mut [Option<ContextValue>], stack: &[StackLine]) {
    let parts: Vec<&StackLine> = stack.iter().filter(|s| !is_tooling(&s.role)).collect();
    let origin_of = |lines: &[&StackLine]| -> Origin {
        let mut lines: Vec<String> = lines.iter().map(|s| s.origin.text.clone()).collect();
        lines.dedup();
        Origin::derived(lines.join(", "))
    };

    if values[0].is_none() && !parts.is_empty() {
        let mut langs = Vec::new();
        let mut used = Vec::new();
        for s in &parts {
            if let Some(lang) = language_of(&s.value) {
                langs.push(format!("{lang} ({})", s.role.to_lowercase()));
                used.push(*s);
            }
        }
        if !langs.is_empty() {
            values[0] = Some(ContextValue {
                key: KEYS[0].0.into(),
                value: langs.join("; "),
                origin: origin_of(&used),
                needs_clarification: false,
            });
        }
    }
    if values[1].is_none() && !stack.is_empty() {
        let all: Vec<&StackLine> = stack.iter().collect();
        values[1] = Some(ContextValue {
            key: KEYS[1].0.into(),
            value: stack
                .iter()
                .map(|s| format!("{}: {}", s.role, s.value))
                .collect::<Vec<_>>()
                .join("; "),
            origin: origin_of(&all),
            needs_clarification: false,
        });
    }
    if values[5].is_none() && !parts.is_empty() {
        let roles: Vec<String> = parts.iter().map(|s| s.role.to_lowercase()).collect();
        let has = |names: &[&str]| roles.iter().any(|r| names.contains(&r.as_str()));
        let kind = if has(&["frontend", "web", "ui", "client"]) && has(&["backend", "api", "server"]) {
            "Web application"
        } else if has(&["frontend", "web", "ui", "client"]) {
            "Web frontend"
        } else {
            "Service"
        };
        values[5] = Some(ContextValue {
            key: KEYS[5].0.into(),
            value: format!("{kind} ({})", roles.join(" + ")),
            origin: origin_of(&parts),
            needs_clarification: false,
        });
    }
}

fn is_tooling(role: &str) -> bool {
    matches!(
        role.to_lowercase().as_str(),
        "containerization"
            | "containers"
            | "orchestration"
            | "packaging"
            | "ai devops"
            | "aiops"
            | "devops"
            | "ci/cd"
            | "ci"
            | "infrastructure"
            | "deployment"
            | "observability"
            | "monitoring"
            | "tooling"
            | "tools"
            | "ai"
            | "ai/ml"
    )
}

/// `FastAPI, Python 3.13+, SQLModel` → `Python 3.13+`; `Next.js 16+, React 19+` → `TypeScript`.
pub fn language_of(value: &str) -> Option<String> {
    let tokens: Vec<&str> = value.split([',', ';', '(', ')']).map(str::trim).collect();
    for t in &tokens {
        let lower = t.to_lowercase();
        let first = lower.split_whitespace().next().unwrap_or("");
        if let Some((_, name)) = LANGUAGES.iter().find(|(k, _)| *k == first) {
            let version = t
                .split_whitespace()
                .nth(1)
                .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()));
            return Some(match version {
                Some(v) => format!("{name} {v}"),
                None => name.to_string(),
            });
        }
    }
    for t in &tokens {
        let lower = t.to_lowercase();
        let first = lower.split_whitespace().next().unwrap_or("");
        if let Some((_, lang)) = IMPLIES.iter().find(|(k, _)| *k == first) {
            return Some(lang.to_string());
        }
    }
    None
}

/// Technical Context keys the repository answers when no input does: the language and
/// version, and the framework, of every component built from a folder that exists, with
/// the files that say so as the origin.
pub fn fill_from_components(values: &mut [ContextValue], d: &crate::model::deploy::Deployment) {
    let found: Vec<&crate::model::deploy::Component> =
        d.components.iter().filter(|c| c.source_dir.value.is_some()).collect();
    if found.is_empty() {
        return;
    }
    let language = |id: &str| match id {
        "python" => "Python".to_string(),
        "node" => "Node.js".to_string(),
        "go" => "Go".to_string(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    };
    let place = |o: &Origin| o.text.trim_start_matches("repository: ").to_string();
    let origin = |parts: Vec<String>| Origin::derived(format!("the repository's components: {}", parts.join("; ")));
    for v in values.iter_mut().filter(|v| v.needs_clarification) {
        let (value, from): (Vec<String>, Vec<String>) = match v.key.as_str() {
            "Language/Version" => found
                .iter()
                .map(|c| {
                    (
                        format!("{} {} ({})", language(&c.language), c.language_version.value, c.name),
                        format!(
                            "{} from {}, version from {}",
                            c.name,
                            place(&c.stack.origin),
                            place(&c.language_version.origin)
                        ),
                    )
                })
                .unzip(),
            "Primary Dependencies" => found
                .iter()
                .map(|c| {
                    (
                        format!("{} ({})", c.stack_name, c.name),
                        format!("{} from {}", c.name, place(&c.stack.origin)),
                    )
                })
                .unzip(),
            _ => continue,
        };
        v.value = value.join(", ");
        v.origin = origin(from);
        v.needs_clarification = false;
    }
}

/// Where a missing Technical Context key is to be written ([`report_missing`]).
pub enum AddKey<'a> {
    /// The feature's plan-input.md (or where it would be).
    PlanInput(&'a str),
    /// An existing plan.md the feature adopted in place of a plan input.
    Adopted { plan: &'a str, plan_input: String },
}

impl AddKey<'_> {
    /// The hint's instruction for key `key`.
    pub fn instruction(&self, key: &str) -> String {
        match self {
            AddKey::PlanInput(path) => format!("add `- {key}: …` to {path}"),
            AddKey::Adopted { plan, plan_input } => format!(
                "add `**{key}**: …` to the Technical Context of {plan}, or write {plan_input} with `- {key}: …` to take over from it"
            ),
        }
    }
}

/// Report every key no input gave a value for.
pub fn report_missing(
    values: &[ContextValue],
    anchor: Option<crate::source::Span>,
    placeholders: &[&Entry],
    add: &AddKey,
    diags: &mut Diagnostics,
) {
    for v in values.iter().filter(|v| v.needs_clarification) {
        // Left as the plan template wrote it: reported on its line, and read as nothing
        // (its examples, `PostgreSQL` among them, are not the project's).
        if let Some(p) = placeholders.iter().find(|p| canonical(&p.key) == Some(v.key.as_str())) {
            diags.push(
                Diagnostic::new(
                    Code::MissingContext,
                    format!(
                        "`{}` still holds the plan template's placeholder, so no input gives it",
                        v.key
                    ),
                )
                .at(p.span.clone())
                .label("template text, read as no value")
                .hint(format!(
                    "replace the bracketed text with the project's {}; until then the plan says NEEDS CLARIFICATION",
                    v.key
                )),
            );
            continue;
        }
        let mut d = Diagnostic::new(Code::MissingContext, format!("no input gives `{}`", v.key))
            .label(format!("this plan input has no `{}:` line", v.key))
            .hint(format!(
                "{}; until then the plan says NEEDS CLARIFICATION",
                add.instruction(&v.key)
            ));
        d = match (&anchor, add) {
            (Some(span), _) => d.at(span.clone()),
            (None, AddKey::PlanInput(path)) => d.at_path(*path),
            (None, AddKey::Adopted { plan, .. }) => d.at_path(*plan),
        };
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_goes_where_the_feature_takes_its_context_from() {
        let input = AddKey::PlanInput("specs/001-x/plan-input.md");
        assert_eq!(
            input.instruction("Testing"),
            "add `- Testing: …` to specs/001-x/plan-input.md"
        );
        // An adopted plan.md is read, never written: its own form, or a plan input.
        let adopted = AddKey::Adopted {
            plan: "specs/001-x/plan.md",
            plan_input: "specs/001-x/plan-input.md".into(),
        };
        assert_eq!(
            adopted.instruction("Testing"),
            "add `**Testing**: …` to the Technical Context of specs/001-x/plan.md, or write specs/001-x/plan-input.md with `- Testing: …` to take over from it"
        );
    }

    #[test]
    fn languages_from_stack_lines() {
        assert_eq!(
            language_of("FastAPI, Python 3.13+, SQLModel, UV").as_deref(),
            Some("Python 3.13+")
        );
        assert_eq!(
            language_of("Next.js 16+, React 19+, TypeScript, pnpm").as_deref(),
            Some("TypeScript")
        );
        assert_eq!(language_of("Next.js 16+, React 19+").as_deref(), Some("TypeScript"));
        assert_eq!(language_of("Neon PostgreSQL"), None);
    }

    #[test]
    fn every_stack_on_a_line_counts() {
        assert_eq!(
            split_stacks("Frontend", "Next.js 16, Backend: FastAPI, Python 3.12"),
            vec![
                ("Frontend".to_string(), "Next.js 16".to_string()),
                ("Backend".to_string(), "FastAPI, Python 3.12".to_string())
            ]
        );
        assert_eq!(
            split_stacks("", "Frontend: Next.js 16; Backend: FastAPI | Worker: Celery"),
            vec![
                ("Frontend".to_string(), "Next.js 16".to_string()),
                ("Backend".to_string(), "FastAPI".to_string()),
                ("Worker".to_string(), "Celery".to_string())
            ]
        );
        assert_eq!(
            split_stacks("Backend", "FastAPI, Python 3.13+, UV (port: 8000)"),
            vec![(
                "Backend".to_string(),
                "FastAPI, Python 3.13+, UV (port: 8000)".to_string()
            )]
        );
        assert!(split_stacks("", "FastAPI, SQLModel").is_empty());
    }

    #[test]
    fn aliases() {
        assert_eq!(canonical("Database"), Some("Storage"));
        assert_eq!(canonical("Language/Version"), Some("Language/Version"));
        assert_eq!(canonical("Frontend"), None);
    }
}
