//! `sp review`: what a change of the inputs means.
//!
//! Both revisions are compiled in memory (the base read from git objects by [`git`]) and
//! compared by meaning rather than by lines: the spec's stories, requirements, success
//! criteria, clarifications and entities by ID; the constitution's principles and rules; the
//! deployment model per component, each change with the input that caused it; the contracts
//! (endpoints, Kubernetes objects, chart values), each change classified breaking or
//! compatible; and the findings of the gates and checks, new, resolved and unchanged.

pub mod git;
pub mod render;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Location};
use crate::model::deploy::{Component, Deployment};
use crate::{Compilation, Feature};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

/// One change, by meaning.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: Kind,
    /// What changed: `FR-019`, `backend port`, `endpoint GET /metrics`.
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The input that gave the new value (or the old one, for a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// For the model and the contracts: whether a consumer of the old output can break.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeatureReview {
    pub name: String,
    /// `added`, `removed` or `changed` (features with no change are left out).
    pub status: &'static str,
    pub spec: Vec<Change>,
    pub model: Vec<Change>,
    pub contracts: Vec<Change>,
}

/// A finding of a gate or check, without its line (which moves with unrelated edits).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub code: String,
    pub severity: String,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    pub new: Vec<Finding>,
    pub resolved: Vec<Finding>,
    pub unchanged: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The base revision as given, and the commit it names.
    pub base: String,
    pub base_commit: String,
    pub constitution: Vec<Change>,
    pub features: Vec<FeatureReview>,
    pub findings: Findings,
}

impl Review {
    pub fn breaking(&self) -> impl Iterator<Item = (&str, &Change)> {
        self.features.iter().flat_map(|f| {
            f.model
                .iter()
                .chain(&f.contracts)
                .filter(|c| c.breaking == Some(true))
                .map(move |c| (f.name.as_str(), c))
        })
    }
}

/// Values by key, each with the input it came from.
type Items = BTreeMap<String, (String, Option<String>)>;

/// Whether a change of the given kind to the named item breaks a consumer.
type Classify<'a> = &'a dyn Fn(Kind, &str) -> bool;

fn diff(before: &Items, after: &Items, breaking: Option<Classify>) -> Vec<Change> {
    let mut out = Vec::new();
    let classify = |k: Kind, what: &str| breaking.map(|f| f(k, what));
    for (key, (old, old_cause)) in before {
        match after.get(key) {
            None => out.push(Change {
                kind: Kind::Removed,
                what: key.clone(),
                before: Some(old.clone()),
                after: None,
                cause: old_cause.clone(),
                breaking: classify(Kind::Removed, key),
            }),
            Some((new, cause)) if new != old => out.push(Change {
                kind: Kind::Changed,
                what: key.clone(),
                before: Some(old.clone()),
                after: Some(new.clone()),
                cause: cause.clone(),
                breaking: classify(Kind::Changed, key),
            }),
            _ => {}
        }
    }
    for (key, (new, cause)) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
        out.push(Change {
            kind: Kind::Added,
            what: key.clone(),
            before: None,
            after: Some(new.clone()),
            cause: cause.clone(),
            breaking: classify(Kind::Added, key),
        });
    }
    out
}

fn put(items: &mut Items, key: impl Into<String>, value: impl Into<String>, cause: Option<&str>) {
    items.insert(key.into(), (value.into(), cause.map(str::to_string)));
}

fn spec_items(f: &Feature) -> Items {
    let mut items = Items::new();
    let Some(plan) = &f.plan else { return items };
    let spec = &plan.spec;
    let at = |id: &str| Some(format!("{} ({id})", spec.path));
    for s in &spec.stories {
        let id = if s.id.is_empty() {
            format!("US{}", s.number)
        } else {
            s.id.clone()
        };
        let text = format!(
            "{} ({}): {}",
            s.title,
            s.priority.as_deref().unwrap_or("no priority"),
            s.narrative
        );
        put(&mut items, format!("story {id}"), text, at(&id).as_deref());
    }
    for r in &spec.requirements {
        put(
            &mut items,
            format!("requirement {}", r.id),
            r.text.clone(),
            at(&r.id).as_deref(),
        );
    }
    for r in &spec.success_criteria {
        put(
            &mut items,
            format!("success criterion {}", r.id),
            r.text.clone(),
            at(&r.id).as_deref(),
        );
    }
    for c in &spec.clarifications {
        put(
            &mut items,
            format!("clarification \"{}\"", c.question),
            c.answer.clone(),
            None,
        );
    }
    for e in &spec.entities {
        put(&mut items, format!("entity {}", e.name), e.description.clone(), None);
    }
    items
}

fn constitution_items(c: &Compilation) -> Items {
    let mut items = Items::new();
    let Some(con) = c.plans().find_map(|p| p.constitution.as_ref()) else {
        return items;
    };
    for p in &con.principles {
        let id = p.numeral.clone().unwrap_or_else(|| (p.index + 1).to_string());
        put(&mut items, format!("principle {id}"), p.title.clone(), None);
        for r in &p.rules {
            put(&mut items, format!("principle {id} rule \"{}\"", r.text), "", None);
        }
    }
    if let Some(v) = &con.version {
        put(&mut items, "version", v.clone(), None);
    }
    items
}

fn component_items(items: &mut Items, c: &Component) {
    let n = &c.name;
    let o = |v: &crate::model::Origin| Some(v.text.clone());
    let mut put = |k: String, v: String, cause: Option<String>| {
        items.insert(k, (v, cause));
    };
    put(
        format!("component {n}"),
        format!("{} ({})", c.stack_name, format!("{:?}", c.role.value).to_lowercase()),
        o(&c.stack.origin),
    );
    put(
        format!("{n} image"),
        format!("{}:{}", c.image.repository.value, c.image.tag.value),
        o(&c.image.tag.origin),
    );
    if let Some(p) = &c.port {
        put(format!("{n} port {}", p.value), p.value.to_string(), o(&p.origin));
    }
    for v in &c.config {
        put(format!("{n} variable {}", v.name), v.value.clone(), o(&v.origin));
    }
    for s in &c.secrets {
        put(
            format!("{n} secret {}", s.env),
            format!("{}/{}", s.secret, s.key),
            o(&s.origin),
        );
    }
    put(
        format!("{n} replicas"),
        c.replicas.value.to_string(),
        o(&c.replicas.origin),
    );
    let r = &c.resources;
    put(
        format!("{n} resources"),
        format!(
            "cpu {}/{}, memory {}/{}",
            r.cpu_request.value, r.cpu_limit.value, r.memory_request.value, r.memory_limit.value
        ),
        o(&r.memory_limit.origin),
    );
    let mut exposure = format!("{:?}", c.exposure.service_type.value);
    if let Some(h) = &c.exposure.ingress_host {
        exposure.push_str(&format!(", ingress {}", h.value));
    }
    put(format!("{n} exposure"), exposure, o(&c.exposure.service_type.origin));
    if let Some(h) = &c.health {
        put(
            format!("{n} probes"),
            format!(
                "liveness {}, readiness {}, startup {}",
                h.liveness.value, h.readiness.value, h.startup.value
            ),
            o(&h.liveness.origin),
        );
    }
}

fn model_items(d: Option<&Deployment>) -> Items {
    let mut items = Items::new();
    let Some(d) = d else { return items };
    for c in &d.components {
        component_items(&mut items, c);
    }
    for s in &d.backing_services {
        items.insert(
            format!("backing service {}", s.name),
            (
                format!("{} {} ({:?})", s.product, s.version.value, s.mode.value),
                Some(s.mode.origin.text.clone()),
            ),
        );
    }
    items
}

/// A removed component, port, variable or secret breaks whoever used it; so does a port
/// that changed (it is a removal and an addition).
fn model_breaking(kind: Kind, what: &str) -> bool {
    kind == Kind::Removed
        && (what.starts_with("component ")
            || what.contains(" port ")
            || what.contains(" variable ")
            || what.contains(" secret ")
            || what.starts_with("backing service "))
}

fn contract_items(f: &Feature) -> Items {
    let mut items = Items::new();
    let prefix = format!("{}/", f.name);
    for (path, text) in f.tree.files() {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        if rel == "contracts/openapi.yaml" {
            let doc = crate::yaml::from_str::<serde_json::Value>(text).unwrap_or_default();
            for (p, ops) in doc.get("paths").and_then(|p| p.as_object()).into_iter().flatten() {
                for (method, op) in ops.as_object().into_iter().flatten() {
                    let summary = op.get("summary").and_then(|s| s.as_str()).unwrap_or("");
                    put(
                        &mut items,
                        format!("endpoint {} {p}", method.to_ascii_uppercase()),
                        summary,
                        None,
                    );
                }
            }
        } else if let Some(name) = rel.strip_prefix("k8s/") {
            put(
                &mut items,
                format!("Kubernetes object {name}"),
                crate::emit::record::hash(text.as_bytes())[..12].to_string(),
                None,
            );
        } else if rel.starts_with("helm/") && rel.ends_with("/values.yaml") {
            flatten(
                "",
                &crate::yaml::from_str::<serde_json::Value>(text).unwrap_or_default(),
                &mut items,
            );
        }
    }
    // The hash of a manifest is only there to notice a change; show it as "changed".
    items
}

fn flatten(prefix: &str, v: &serde_json::Value, items: &mut Items) {
    match v {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, items);
            }
        }
        other if !prefix.is_empty() => {
            put(items, format!("chart value {prefix}"), other.to_string(), None);
        }
        _ => {}
    }
}

fn contract_breaking(kind: Kind, _what: &str) -> bool {
    kind == Kind::Removed
}

fn findings(c: &Compilation, root_hint: &str) -> Vec<(Finding, Diagnostic)> {
    let sources = &c.workspace.sources;
    let mut out: Vec<(Finding, Diagnostic)> = c
        .diagnostics()
        .iter()
        .map(|d| {
            let (file, line) = match &d.location {
                Some(Location::Span(s)) => {
                    let f = sources.get(s.source);
                    (f.display_path(), Some(f.line_of(s.range.start)))
                }
                Some(Location::Path(p)) => (crate::source::display_path(p), None),
                Some(Location::PathAt { path, line, .. }) => (crate::source::display_path(path), Some(*line)),
                None => (String::new(), None),
            };
            let code = d
                .rule
                .map(str::to_string)
                .unwrap_or_else(|| d.code.as_str().to_string());
            (
                Finding {
                    code,
                    severity: d.severity.as_str().to_string(),
                    file: file.replace(root_hint, ""),
                    line,
                    message: d.message.replace(root_hint, ""),
                },
                d.clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The identity of a finding across revisions: everything but the line.
fn finding_key(f: &Finding) -> (String, String, String) {
    (f.code.clone(), f.file.clone(), f.message.clone())
}

/// Compare two compilations. Returns the review and the diagnostics that are new in `head`
/// (for SARIF).
pub fn review(
    base_rev: &str,
    base_commit: &str,
    base: &Compilation,
    head: &Compilation,
    base_root: &str,
) -> (Review, Vec<Diagnostic>) {
    let mut features = Vec::new();
    let names: std::collections::BTreeSet<&str> = base
        .features
        .iter()
        .chain(&head.features)
        .map(|f| f.name.as_str())
        .collect();
    for name in names {
        let b = base.features.iter().find(|f| f.name == name);
        let h = head.features.iter().find(|f| f.name == name);
        let empty = Items::new();
        let get = |f: Option<&Feature>, g: &dyn Fn(&Feature) -> Items| f.map(g).unwrap_or_else(|| empty.clone());
        let model_of = |f: &Feature| model_items(f.plan.as_ref().and_then(|p| p.deployment.as_ref()));
        let spec = diff(&get(b, &spec_items), &get(h, &spec_items), None);
        let model = diff(&get(b, &model_of), &get(h, &model_of), Some(&model_breaking));
        let mut contracts = diff(
            &get(b, &contract_items),
            &get(h, &contract_items),
            Some(&contract_breaking),
        );
        for c in contracts
            .iter_mut()
            .filter(|c| c.what.starts_with("Kubernetes object "))
        {
            c.before = None;
            c.after = None;
        }
        let status = match (b, h) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        };
        if status == "changed" && spec.is_empty() && model.is_empty() && contracts.is_empty() {
            continue;
        }
        features.push(FeatureReview {
            name: name.to_string(),
            status,
            spec,
            model,
            contracts,
        });
    }
    let constitution = diff(&constitution_items(base), &constitution_items(head), None);

    let before = findings(base, base_root);
    let after = findings(head, "");
    let before_keys: std::collections::BTreeSet<_> = before.iter().map(|(f, _)| finding_key(f)).collect();
    let after_keys: std::collections::BTreeSet<_> = after.iter().map(|(f, _)| finding_key(f)).collect();
    let mut found = Findings::default();
    let mut new_diags = Vec::new();
    for (f, d) in after {
        if before_keys.contains(&finding_key(&f)) {
            found.unchanged.push(f);
        } else {
            found.new.push(f);
            new_diags.push(d);
        }
    }
    for (f, _) in before {
        if !after_keys.contains(&finding_key(&f)) {
            found.resolved.push(f);
        }
    }
    (
        Review {
            base: base_rev.to_string(),
            base_commit: base_commit.to_string(),
            constitution,
            features,
            findings: found,
        },
        new_diags,
    )
}
