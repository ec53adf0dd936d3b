//! What `sp plan --agent-context` puts between the markers of `CLAUDE.md`, `AGENTS.md`,
//! `GEMINI.md` and `.github/copilot-instructions.md`, and what `sp plan --record` writes as
//! a prompt history record. Pure functions of the plans and of the block already there.
//!
//! The block holds spec-kit's two sections, one line per fact, each tagged with its
//! feature: `- Python 3.13+ + FastAPI (006-k8s-deployment)` under Active Technologies and
//! `- 006-k8s-deployment: …` under Recent Changes. A run replaces the lines of the
//! features it compiled and keeps the others, so re-running never duplicates a line (the
//! spec-kit script appends on every run).

use crate::model::Plan;

/// The block's name in its markers.
pub const BLOCK: &str = "agent-context";

/// How many features Recent Changes keeps, as spec-kit's template says ("last 3 features").
const RECENT: usize = 3;

/// The context files `--agent-context` updates, when they exist.
pub const CONTEXT_FILES: &[&str] = &["CLAUDE.md", "AGENTS.md", "GEMINI.md", ".github/copilot-instructions.md"];

fn value<'a>(plan: &'a Plan, key: &str) -> Option<&'a str> {
    plan.context
        .iter()
        .find(|c| c.key == key && !c.needs_clarification)
        .map(|c| c.value.trim().trim_end_matches('.'))
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("n/a"))
}

/// The Active Technologies lines of one feature.
fn technologies(plan: &Plan) -> Vec<String> {
    let f = &plan.feature.name;
    let mut out = Vec::new();
    match (value(plan, "Language/Version"), value(plan, "Primary Dependencies")) {
        (Some(l), Some(d)) => out.push(format!("- {l} + {d} ({f})")),
        (Some(x), None) | (None, Some(x)) => out.push(format!("- {x} ({f})")),
        (None, None) => {}
    }
    if let Some(s) = value(plan, "Storage") {
        out.push(format!("- {s} ({f})"));
    }
    if let Some(p) = value(plan, "Target Platform") {
        out.push(format!("- {p} ({f})"));
    }
    out
}

fn recent_change(plan: &Plan) -> String {
    let mut parts = Vec::new();
    if let Some(l) = value(plan, "Language/Version") {
        parts.push(l.to_string());
    }
    if let Some(p) = value(plan, "Target Platform") {
        parts.push(format!("on {p}"));
    }
    let mut line = format!("- {}: planned with sp", plan.feature.name);
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(" ")));
    }
    line.push_str(&format!("; output in out/{}/", plan.feature.name));
    line
}

/// The new block body, given the plans of this run and the body already in the file.
pub fn block(plans: &[Plan], existing: Option<&str>) -> String {
    let ours: Vec<&str> = plans.iter().map(|p| p.feature.name.as_str()).collect();
    let mut tech: Vec<(String, String)> = Vec::new();
    let mut recent: Vec<(String, String)> = Vec::new();
    if let Some(existing) = existing {
        let mut section = "";
        for line in existing.lines() {
            if let Some(h) = line.strip_prefix("## ") {
                section = if h.starts_with("Active Technologies") {
                    "tech"
                } else if h.starts_with("Recent Changes") {
                    "recent"
                } else {
                    ""
                };
                continue;
            }
            let Some(rest) = line.strip_prefix("- ") else { continue };
            match section {
                "tech" => {
                    let feature = rest
                        .rsplit_once(" (")
                        .map(|(_, f)| f.trim_end_matches(')'))
                        .unwrap_or("");
                    if !feature.is_empty() && !ours.contains(&feature) {
                        tech.push((feature.to_string(), line.to_string()));
                    }
                }
                "recent" => {
                    let feature = rest.split_once(':').map(|(f, _)| f).unwrap_or("");
                    if !feature.is_empty() && !ours.contains(&feature) {
                        recent.push((feature.to_string(), line.to_string()));
                    }
                }
                _ => {}
            }
        }
    }
    for plan in plans {
        for l in technologies(plan) {
            tech.push((plan.feature.name.clone(), l));
        }
        recent.push((plan.feature.name.clone(), recent_change(plan)));
    }
    // By feature, each feature's lines in the order written (language first).
    tech.sort_by(|a, b| a.0.cmp(&b.0));
    tech.dedup();
    recent.sort_by(|a, b| b.0.cmp(&a.0));
    recent.dedup();
    recent.truncate(RECENT);
    let mut out = String::from("## Active Technologies\n\n");
    for (_, l) in &tech {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("\n## Recent Changes\n\n");
    for (_, l) in &recent {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// What a prompt history record says about one run.
pub struct RecordInput<'a> {
    pub plan: &'a Plan,
    pub id: u32,
    pub date: &'a str,
    /// Output files of this feature, relative to the workspace root, sorted.
    pub files: Vec<String>,
    /// The gate summary line (`12 PASS, 0 FAIL…`) and the checklist summary.
    pub gates: String,
    pub checklist: String,
    pub command: String,
}

/// The record's file name: `NNN-sp-plan-<feature>.plan.prompt.md`, spec-kit-plus's
/// `<id>-<slug>.<stage>.prompt.md`.
pub fn record_name(id: u32, feature: &str) -> String {
    format!("{id:03}-sp-plan-{}.plan.prompt.md", slug(feature))
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A prompt history record in spec-kit-plus's `phr-template.prompt.md` layout: YAML front
/// matter (id, title, stage, date, surface, model, feature, branch, user, command, labels,
/// links, files, tests), then Prompt, Response snapshot and Outcome.
pub fn record(r: &RecordInput) -> String {
    let p = r.plan;
    let mut files = String::new();
    for f in &r.files {
        files.push_str(&format!("  - {f}\n"));
    }
    if files.is_empty() {
        files.push_str("  - (none)\n");
    }
    let inputs: Vec<String> = p.inputs.iter().map(|i| format!("- {}", i.path)).collect();
    format!(
        "---
id: {id:03}
title: sp plan {name}
stage: plan
date: {date}
surface: cli
model: sp {version}
feature: {name}
branch: {branch}
user: null
command: {command}
labels: [plan, sp]
links:
  spec: {dir}/spec.md
  ticket: null
  adr: null
  pr: null
files:
{files}tests:
  - constitution check: {gates}
  - spec quality: {checklist}
---

## Prompt

{command}

Inputs:

{inputs}

## Response snapshot

`sp` compiled {name} ({title}) into {n} files under out/{name}/.

## Outcome

- ✅ Impact: the planning documents and deployables of {name} match its inputs
- 🧪 Tests: constitution check {gates}; spec quality {checklist}
- 📁 Files: {n} generated
- 🔁 Next prompts: /sp.tasks
- 🧠 Reflection: generated by the compiler; edit the inputs, not the output

## Evaluation notes (flywheel)

- Failure modes observed: none
- Graders run and results (PASS/FAIL): sp gates, as above
- Prompt variant (if applicable): null
- Next experiment (smallest change to try): null
",
        id = r.id,
        name = p.feature.name,
        title = p.feature.title,
        date = r.date,
        version = env!("CARGO_PKG_VERSION"),
        branch = p.feature.branch,
        command = r.command,
        dir = p.feature.dir,
        gates = r.gates,
        checklist = r.checklist,
        inputs = inputs.join("\n"),
        n = r.files.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_names() {
        assert_eq!(
            record_name(7, "006-k8s-deployment"),
            "007-sp-plan-006-k8s-deployment.plan.prompt.md"
        );
        assert_eq!(slug("A b__c"), "a-b-c");
    }

    #[test]
    fn other_features_lines_are_kept_and_ours_replaced() {
        let existing = "## Active Technologies\n\n- Go 1.25 (001-old)\n- Rust (002-x)\n\n## Recent Changes\n\n- 002-x: planned with sp\n- 001-old: planned with sp\n";
        let out = block(&[], Some(existing));
        assert_eq!(out, existing);
        // Re-running over its own output is a fixed point.
        assert_eq!(block(&[], Some(&out)), out);
    }
}
