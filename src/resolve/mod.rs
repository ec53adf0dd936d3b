//! Stage 3: parsed documents to the resolved [`Plan`].
//!
//! Resolution decides every value the documents show and records where it came from.
//! It is a pure function of the parsed inputs: no disk, no clock, no environment (the date
//! override arrives as data from [`crate::load`]).

pub mod context;
pub mod deploy;
pub mod design;
pub mod tables;
pub mod trace;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{
    Feature, InputFile, OpenQuestion, Origin, Plan, PlannedStage, Relationship, ResearchEntry, Risk, StoryTrace,
    TracedRequirement,
};
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::PlanInput;
use crate::parse::spec::Spec;
use crate::parse::split_label;

pub use crate::parse::ParsedFeature;

/// What resolving any feature of a run reads besides the feature itself.
pub struct Shared<'a> {
    pub constitution: Option<&'a Constitution>,
    /// The repository's component folders and the source table.
    pub repo: &'a [crate::load::repo::RepoDir],
    /// Folders of languages sp does not build.
    pub foreign: &'a [crate::load::repo::ForeignDir],
    /// Folders that hold a Dockerfile and no project sp reads.
    pub image_dirs: &'a [crate::load::repo::ImageDir],
    pub sources: &'a crate::source::Sources,
    /// `--set` assignments, the highest-precedence input.
    pub set: &'a [String],
    pub catalog: &'a crate::catalog::Catalog,
    /// The models and routes of the repository ([`design::read`]).
    pub code: &'a [design::ComponentCode],
}

/// Stage 3 for one feature: the plan from the documents, the deployment from every input
/// in precedence order, the Technical Context completed from the deployment, the tables and
/// the research entries of the deployment (numbered R1… in order), and the design (models
/// and routes joined to the spec's entities and endpoints).
///
/// Also returns the story tracer the plan was traced with, for the gates' traceability
/// matrix to trace with the same words and weights without building it again.
pub fn feature(f: &ParsedFeature, shared: &Shared, diags: &mut Diagnostics) -> (Plan, trace::Tracer) {
    let (mut plan, tracer) = resolve(f, shared.constitution, diags);
    (plan.scope, plan.deployment) = deploy::resolve(
        &deploy::DeployInputs {
            feature: &f.name,
            spec: &f.spec,
            plan_input: f.plan_input.as_ref(),
            constitution: shared.constitution,
            stack: &plan.stack,
            context: &plan.context,
            repo: shared.repo,
            foreign: shared.foreign,
            image_dirs: shared.image_dirs,
            sources: shared.sources,
            set: shared.set,
            catalog: shared.catalog,
            code: shared.code,
        },
        diags,
    );
    complete_context(f, &mut plan, diags);
    if let Some(d) = &plan.deployment {
        plan.tables = tables::tables(d);
        plan.research.extend(deploy::research::entries(d));
        for (i, e) in plan.research.iter_mut().enumerate() {
            e.id = format!("R{}", i + 1);
        }
    }
    plan.design = design::resolve(&plan, shared.code);
    (plan, tracer)
}

/// After the deployment is resolved: the Technical Context keys its components answer from
/// the repository are filled in, and every key still open is its own warning (SP403), with
/// or without a plan input, so the user sees exactly which keys the plan will show as NEEDS
/// CLARIFICATION.
pub fn complete_context(f: &ParsedFeature, plan: &mut Plan, diags: &mut Diagnostics) {
    if let Some(d) = &plan.deployment {
        let open = plan.context.iter().filter(|v| v.needs_clarification).count();
        context::fill_from_components(&mut plan.context, d);
        if plan.context.iter().filter(|v| v.needs_clarification).count() != open {
            // What depends on the Technical Context follows the filled keys.
            let input = f.plan_input.as_ref();
            plan.risks = risks(input, &plan.context, &f.spec);
            (plan.research, plan.open_questions) = research(&f.spec, input, &plan.decisions, &plan.context);
        }
    }
    let anchor = f.plan_input.as_ref().map(|p| p.start.clone());
    let input_path = match &f.plan_input {
        Some(p) if !p.path.is_empty() => p.path.clone(),
        _ => format!("{}/plan-input.md", f.dir),
    };
    let placeholders: Vec<&crate::parse::plan_input::Entry> =
        f.plan_input.iter().flat_map(|p| p.placeholders.iter()).collect();
    // An adopted plan.md is read, never written: the key goes in its Technical Context in
    // its own form, or in a plan-input.md that takes over from it.
    let adopted = f.plan_input.as_ref().is_some_and(|p| p.adopted);
    let add = if adopted {
        context::AddKey::Adopted {
            plan: &input_path,
            plan_input: format!("{}/plan-input.md", f.dir),
        }
    } else {
        context::AddKey::PlanInput(&input_path)
    };
    context::report_missing(&plan.context, anchor, &placeholders, &add, diags);
}

pub fn resolve(
    f: &ParsedFeature,
    constitution: Option<&Constitution>,
    diags: &mut Diagnostics,
) -> (Plan, trace::Tracer) {
    let spec = &f.spec;
    let number = f
        .name
        .split_once('-')
        .map(|(n, _)| n)
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string);
    let (date, date_origin) = match (&f.date_override, &spec.created) {
        (Some(d), _) => (Some(d.clone()), "SOURCE_DATE_EPOCH".to_string()),
        (None, Some(c)) => (Some(c.clone()), format!("{} (Created)", spec.path)),
        (None, None) => (
            None,
            "no date: set SOURCE_DATE_EPOCH or the spec's Created line".to_string(),
        ),
    };
    let feature = Feature {
        name: f.name.clone(),
        number,
        title: if spec.title.is_empty() {
            f.name.clone()
        } else {
            spec.title.clone()
        },
        branch: spec.branch.clone().unwrap_or_else(|| f.name.clone()),
        dir: f.dir.clone(),
        date,
        date_origin,
    };

    // Inputs, highest precedence first.
    let mut inputs = Vec::new();
    if let Some(p) = &f.plan_input {
        inputs.push(InputFile {
            role: if p.adopted {
                "plan input (adopted from an existing plan.md)".into()
            } else {
                "plan input".into()
            },
            path: p.path.clone(),
        });
    }
    inputs.push(InputFile {
        role: "feature specification".into(),
        path: spec.path.clone(),
    });
    if let Some(c) = constitution {
        inputs.push(InputFile {
            role: "constitution".into(),
            path: c.path.clone(),
        });
    }

    let layers: Vec<context::Layer> = f
        .plan_input
        .iter()
        .map(|p| context::Layer {
            path: p.path.as_str(),
            adopted: p.adopted,
            entries: p.entries.iter().collect(),
        })
        .collect();
    let constitution_stack: Vec<(String, String, crate::parse::Located)> = constitution
        .map(|c| {
            c.technology
                .iter()
                .filter_map(|l| {
                    let plain = l.text.replace("**", "");
                    split_label(&plain).map(|(k, v)| (k.to_string(), v.to_string(), l.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    let (ctx, stack) = context::resolve(
        &layers,
        &constitution_stack,
        constitution.map(|c| c.path.as_str()).unwrap_or(""),
        diags,
    );

    let plan_input = f.plan_input.as_ref();
    let decisions = plan_input.map(|p| p.decisions.clone()).unwrap_or_default();
    for d in &decisions {
        if d.decision.trim().is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::MalformedDecision,
                    format!("{} `{}` states no decision", d.id, d.title),
                )
                .at(d.span.clone())
                .hint("write the decision as a sentence under its heading, then `- Rationale:` and `- Alternatives:`"),
            );
        }
    }

    // Tracing.
    let tracer = trace::Tracer::new(&spec.stories);
    let mut stories: Vec<StoryTrace> = spec
        .stories
        .iter()
        .map(|s| StoryTrace {
            id: s.id.clone(),
            number: s.number,
            title: s.title.clone(),
            priority: s.priority.clone().unwrap_or_else(|| "unprioritised".into()),
            independent_test: s.independent_test.clone(),
            scenario_count: s.scenarios.len(),
            requirements: Vec::new(),
            line: s.line,
        })
        .collect();
    let mut cross_cutting = Vec::new();
    for r in &spec.requirements {
        let (numbers, by) = tracer.trace(&r.text);
        let traced = TracedRequirement {
            id: r.id.clone(),
            text: r.text.clone(),
            by: by.to_string(),
            updated: r.original.as_ref().map(|o| {
                format!(
                    "restated under Clarifications at {}:{}, replacing line {} (\"{}\")",
                    spec.path, r.line, o.line, o.text
                )
            }),
        };
        match numbers
            .first()
            .and_then(|n| stories.iter_mut().find(|s| s.number == *n))
        {
            Some(story) => story.requirements.push(traced),
            None => cross_cutting.push(traced),
        }
    }
    // Plan order is priority order: P1 first, stable by story number.
    stories.sort_by(|a, b| {
        priority_rank(&a.priority)
            .cmp(&priority_rank(&b.priority))
            .then(a.number.cmp(&b.number))
    });

    let stages = stages(plan_input, &stories, &tracer, spec);
    let risks = risks(plan_input, &ctx, spec);
    let (research, open_questions) = research(spec, plan_input, &decisions, &ctx);
    let relationships = relationships(spec);

    let plan = Plan {
        feature,
        spec: spec.clone(),
        constitution: constitution.cloned(),
        context: ctx,
        stack,
        decisions,
        estimated: stages.iter().any(|s| s.estimate.is_some()),
        stages,
        risks,
        research,
        open_questions,
        stories,
        cross_cutting,
        relationships,
        notes: plan_input.map(planning_notes).unwrap_or_default(),
        inputs,
        scope: Default::default(),
        deployment: None,
        waivers: spec
            .complexity
            .iter()
            .chain(plan_input.map(|p| p.complexity.as_slice()).unwrap_or_default())
            .cloned()
            .collect(),
        design: Default::default(),
        matrix: Vec::new(),
        tables: Default::default(),
    };
    (plan, tracer)
}

/// What the plan input says besides the Technical Context and the stack: its free text and
/// every other `Key: value` line (an overview, an estimate, a key `sp` does not know), in the
/// order written, so nothing the user typed is dropped from the plan.
fn planning_notes(p: &PlanInput) -> Vec<crate::parse::Located> {
    let mut notes: Vec<crate::parse::Located> = p.free_text.clone();
    for e in &p.entries {
        if context::canonical(&e.key).is_none() && !context::is_stack_role(&e.key) {
            notes.push(crate::parse::Located {
                text: format!("{}: {}", e.key, e.value),
                line: e.line,
                span: e.span.clone(),
            });
        }
    }
    notes.sort_by_key(|n| n.line);
    notes
}

fn priority_rank(p: &str) -> u32 {
    p.strip_prefix('P').and_then(|n| n.parse().ok()).unwrap_or(u32::MAX)
}

/// The plan input's stages, each gated by the stories it serves; without stages, one stage
/// per story in priority order, gated by that story's independent test.
fn stages(input: Option<&PlanInput>, stories: &[StoryTrace], tracer: &trace::Tracer, spec: &Spec) -> Vec<PlannedStage> {
    let gate_for = |numbers: &[u32]| -> String {
        let parts: Vec<String> = numbers
            .iter()
            .filter_map(|n| stories.iter().find(|s| s.number == *n))
            .map(|s| format!("{} acceptance scenarios pass ({} of them)", s.id, s.scenario_count))
            .collect();
        parts.join("; ")
    };
    match input.filter(|p| !p.stages.is_empty()) {
        Some(p) => p
            .stages
            .iter()
            .map(|s| {
                let mut st = PlannedStage::from_input(s, &p.path);
                let text = format!("{} {}", s.title, s.items.join(" "));
                let (numbers, _) = tracer.trace(&text);
                st.stories = numbers.iter().map(|n| format!("US{n}")).collect();
                if st.gate.is_empty() {
                    st.gate = if numbers.is_empty() {
                        "manual review: no user story traces to this stage".into()
                    } else {
                        gate_for(&numbers)
                    };
                }
                st
            })
            .collect(),
        None => stories
            .iter()
            .enumerate()
            .map(|(i, s)| PlannedStage {
                number: i as u32 + 1,
                title: format!("{} ({}): {}", s.id, s.priority, s.title),
                estimate: None,
                items: s.requirements.iter().map(|r| r.id.clone()).collect(),
                stories: vec![s.id.clone()],
                gate: match &s.independent_test {
                    Some(t) => format!("independent test: {t}"),
                    None => gate_for(&[s.number]),
                },
                origin: Origin::derived(format!("{}:{}", spec.path, s.line)),
            })
            .collect(),
    }
}

fn risks(input: Option<&PlanInput>, ctx: &[crate::model::ContextValue], spec: &Spec) -> Vec<Risk> {
    let mut out = Vec::new();
    for r in &spec.risks {
        out.push(Risk {
            risk: r.risk.clone(),
            mitigation: r.mitigation.clone().unwrap_or_else(|| "none stated in the spec".into()),
            origin: Origin::at(&spec.path, r.line),
        });
    }
    if let Some(p) = input {
        let contingency = p
            .contingency
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
            .join("; ");
        for r in &p.risks {
            out.push(Risk {
                risk: r.text.clone(),
                mitigation: if contingency.is_empty() {
                    "none stated in the plan input".into()
                } else {
                    contingency.clone()
                },
                origin: Origin::at(&p.path, r.line),
            });
        }
    }
    for v in ctx.iter().filter(|v| v.needs_clarification) {
        out.push(Risk {
            risk: format!("{} is not decided", v.key),
            mitigation: "answer it in the plan input before implementation starts".into(),
            origin: Origin::missing(),
        });
    }
    for (i, q) in spec.open_questions.iter().enumerate() {
        out.push(Risk {
            risk: format!("open question in the spec: {}", q.text),
            mitigation: "resolve with /clarify; planning is blocked until then".into(),
            origin: Origin::cite(&spec.path, format_args!("open question {}", i + 1)),
        });
    }
    out
}

fn research(
    spec: &Spec,
    input: Option<&PlanInput>,
    decisions: &[crate::parse::plan_input::Decision],
    ctx: &[crate::model::ContextValue],
) -> (Vec<ResearchEntry>, Vec<OpenQuestion>) {
    let mut entries = Vec::new();
    for (i, c) in spec.clarifications.iter().enumerate() {
        entries.push(ResearchEntry {
            id: String::new(),
            topic: c.question.clone(),
            decision: c.answer.clone(),
            rationale: match &c.session {
                Some(s) => format!("Answered in the clarification session of {s}."),
                None => "Answered in the spec's Clarifications.".into(),
            },
            alternatives: "Not recorded in the clarification.".into(),
            origin: Origin::cite(&spec.path, format_args!("clarification Q{}", i + 1)),
        });
    }
    if let Some(p) = input {
        for d in decisions {
            entries.push(ResearchEntry {
                id: String::new(),
                topic: format!("{}: {}", d.id, d.title),
                decision: d.decision.clone(),
                rationale: d
                    .rationale
                    .clone()
                    .unwrap_or_else(|| "Not stated in the plan input.".into()),
                alternatives: d
                    .alternatives
                    .clone()
                    .unwrap_or_else(|| "Not stated in the plan input.".into()),
                origin: Origin::at(&p.path, d.line),
            });
        }
    }
    for v in ctx.iter().filter(|v| !v.needs_clarification) {
        let rationale = match v.origin.kind {
            crate::model::OriginKind::Derived => format!("Not stated as such; {}.", v.origin.text),
            _ => format!("Stated in {}.", v.origin.text),
        };
        entries.push(ResearchEntry {
            id: String::new(),
            topic: format!("Technical Context: {}", v.key),
            decision: v.value.clone(),
            rationale,
            alternatives: "None considered: the value is taken from the inputs as written.".into(),
            origin: v.origin.clone(),
        });
    }
    for (i, e) in entries.iter_mut().enumerate() {
        e.id = format!("R{}", i + 1);
    }

    let mut open = Vec::new();
    for (i, q) in spec.open_questions.iter().enumerate() {
        open.push(OpenQuestion {
            topic: "Specification".into(),
            question: q.text.clone(),
            origin: Origin::cite(&spec.path, format_args!("open question {}", i + 1)),
        });
    }
    for v in ctx.iter().filter(|v| v.needs_clarification) {
        open.push(OpenQuestion {
            topic: format!("Technical Context: {}", v.key),
            question: format!("What is the project's {}?", v.key),
            origin: Origin::missing(),
        });
    }
    (entries, open)
}

/// An entity relates to another when its description names it.
fn relationships(spec: &Spec) -> Vec<Relationship> {
    let mut out = Vec::new();
    for a in &spec.entities {
        let desc = a.description.to_lowercase();
        for b in &spec.entities {
            if a.name == b.name || b.name.is_empty() {
                continue;
            }
            if contains_word(&desc, &b.name.to_lowercase()) {
                out.push(Relationship {
                    from: a.name.clone(),
                    to: b.name.clone(),
                    from_id: mermaid_id(&a.name),
                    to_id: mermaid_id(&b.name),
                });
            }
        }
    }
    out
}

/// A plural (`users` for `user`) still names the word.
fn contains_word(haystack: &str, needle: &str) -> bool {
    crate::source::has_whole_word(haystack, needle, char::is_alphanumeric, |c| {
        c.is_alphanumeric() && c != 's'
    })
}

pub use crate::parse::spec::mermaid_id;
