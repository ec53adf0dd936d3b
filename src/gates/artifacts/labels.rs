//! Labels and network: the recommended `app.kubernetes.io/*` labels (on objects and in a
//! chart's helpers), selectors that match their pod templates, and NetworkPolicy coverage.

use crate::gates::artifacts::availability::selector_matches;
use crate::gates::artifacts::chart::Chart;
use crate::gates::artifacts::parse::{self, Object, Pos, entry, get, get_str, show};
use crate::gates::artifacts::pods::{pods, same_ns};
use crate::gates::artifacts::{Acc, Input};

pub(crate) const NAME: &str = "app.kubernetes.io/name";

pub(crate) const INSTANCE: &str = "app.kubernetes.io/instance";

/// Labels, where they are written, and what they are the labels of.
pub(crate) type LabelSet = (Vec<(String, String)>, Pos, &'static str);

pub(crate) fn mutable_label(k: &str) -> bool {
    let l = k.to_ascii_lowercase();
    l == "app.kubernetes.io/version"
        || l == "helm.sh/chart"
        || l == "pod-template-hash"
        || l.contains("version")
        || l.contains("revision")
        || l.ends_with("/chart")
}

/// The label maps of an object that carry the recommended labels: its own, and its pod
/// template's when it has one, each with where it is written.
pub(crate) fn label_sets(o: &Object) -> Vec<LabelSet> {
    let meta = entry(&o.root, "metadata");
    let meta_pos = meta
        .and_then(|(_, m)| entry(m, "labels"))
        .or(meta)
        .map(|(k, _)| Pos::of(k))
        .unwrap_or(o.pos());
    let mut sets: Vec<LabelSet> = vec![(o.labels(), meta_pos, "metadata.labels")];
    if o.kind != "Pod"
        && let Some(p) = o.pod()
    {
        sets.push((p.labels(), p.labels_key, "pod template labels"));
    }
    sets
}

/// recommended-labels: the core `app.kubernetes.io/*` labels on objects and in a chart's
/// helpers.
pub(crate) fn recommended_labels(input: &Input, acc: &mut Acc) {
    manifests_recommended_labels(input.objects, acc);
    chart_recommended_labels(input.charts, &CHART_LABELS, acc);
}

/// recommended-labels-complete: the remaining recommended labels, on objects and in a chart.
pub(crate) fn recommended_labels_complete(input: &Input, acc: &mut Acc) {
    manifests_recommended_labels_complete(input.objects, acc);
    chart_recommended_labels(input.charts, &CHART_LABELS_MORE, acc);
}

fn manifests_recommended_labels(objs: &[Object], acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.is_workload() || o.kind == "Service") {
        let mut bad = false;
        let sets = label_sets(o);
        for (labels, pos, what) in &sets {
            let missing: Vec<&str> = [NAME, INSTANCE]
                .into_iter()
                .filter(|l| !labels.iter().any(|(k, _)| k == l))
                .collect();
            if !missing.is_empty() {
                bad = true;
                acc.fail(
                    "labels-missing",
                    &o.file,
                    *pos,
                    o.subject(),
                    format!("{what} lack {}", missing.join(" and ")),
                    format!("missing {}", missing.join(", ")),
                );
            }
        }
        if let Some((sel, spos)) = o.selector() {
            let unstable: Vec<&str> = sel
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| mutable_label(k))
                .collect();
            if !unstable.is_empty() {
                bad = true;
                acc.fail(
                    "selector-unstable-labels",
                    &o.file,
                    spos,
                    o.subject(),
                    format!("the selector uses {}, which changes between releases: selectors must use name and instance only", unstable.join(", ")),
                    format!("selector: {}", sel.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")),
                );
            }
        }
        if !bad {
            let labels = &sets[0].0;
            let v = |k: &str| {
                labels
                    .iter()
                    .find(|(lk, _)| lk == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            acc.pass(
                &o.file,
                sets[0].1,
                o.subject(),
                format!(
                    "{NAME}={}, {INSTANCE}={} ({} labels)",
                    v(NAME),
                    v(INSTANCE),
                    labels.len()
                ),
            );
        }
    }
}

pub(crate) const MORE_LABELS: [&str; 4] = [
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
];

fn manifests_recommended_labels_complete(objs: &[Object], acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.is_workload() || o.kind == "Service") {
        let sets = label_sets(o);
        let mut bad = false;
        for (labels, pos, what) in &sets {
            let missing: Vec<&str> = MORE_LABELS
                .into_iter()
                .filter(|l| !labels.iter().any(|(k, _)| k == l))
                .collect();
            if !missing.is_empty() {
                bad = true;
                acc.fail(
                    "labels-missing",
                    &o.file,
                    *pos,
                    o.subject(),
                    format!("{what} lack {}", missing.join(", ")),
                    format!("missing {}", missing.join(", ")),
                );
            }
        }
        if !bad {
            let labels = &sets[0].0;
            let shown: Vec<String> = MORE_LABELS
                .iter()
                .filter_map(|l| labels.iter().find(|(k, _)| k == l).map(|(k, v)| format!("{k}={v}")))
                .collect();
            acc.pass(&o.file, sets[0].1, o.subject(), shown.join(", "));
        }
    }
}

pub(crate) fn selector_matches_template(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    // The labels of every pod template, whether or not the template has a usable pod spec.
    let pod_labels: Vec<(&Object, Vec<(String, String)>)> = objs
        .iter()
        .filter_map(|o| o.template_labels().map(|l| (o, l)))
        .collect();
    for o in objs.iter().filter(|o| {
        matches!(
            o.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "DeploymentConfig"
        )
    }) {
        let Some(pod) = o.pod() else { continue };
        let labels = pod.labels();
        match (o.selector(), o.spec().and_then(|s| get(s, "selector"))) {
            (Some((sel, pos)), Some(node)) => {
                let ok = if matches!(o.kind.as_str(), "ReplicationController" | "DeploymentConfig") {
                    parse::selects(&sel, &labels)
                } else {
                    selector_matches(Some(node), &labels) && !sel.is_empty()
                };
                if ok {
                    acc.pass(
                        &o.file,
                        pos,
                        o.subject(),
                        format!(
                            "selector {} matches the pod template",
                            sel.iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                } else {
                    acc.fail(
                        "selector-mismatch",
                        &o.file,
                        pos,
                        o.subject(),
                        "the selector does not match the pod template's labels: the API server rejects it",
                        format!("selector: {}", show(node)),
                    );
                }
            }
            _ => acc.fail(
                "selector-missing",
                &o.file,
                o.pos(),
                o.subject(),
                "the workload has no selector",
                "no spec.selector",
            ),
        }
    }
    let mut services: Vec<(&Object, Vec<(String, String)>)> = Vec::new();
    for o in objs.iter().filter(|o| o.kind == "Service") {
        let Some((sel, pos)) = o.selector() else { continue };
        if sel.is_empty() {
            continue;
        }
        let targets: Vec<&Object> = pod_labels
            .iter()
            .filter(|(p, l)| same_ns(&p.namespace, &o.namespace) && parse::selects(&sel, l))
            .map(|(p, _)| *p)
            .collect();
        let shown = sel
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        if targets.is_empty() {
            acc.fail(
                "service-selects-nothing",
                &o.file,
                pos,
                o.subject(),
                "the Service selects no pod of these manifests: it has no endpoints",
                format!("selector: {shown}"),
            );
        } else if let Some((dup, _)) = services
            .iter()
            .find(|(d, s)| same_ns(&d.namespace, &o.namespace) && *s == sel && !headless(d) && !headless(o))
        {
            acc.fail(
                "service-selector-duplicate",
                &o.file,
                pos,
                o.subject(),
                format!("{} has the same selector: two Services for one set of pods", dup.id()),
                format!("selector: {shown}"),
            );
        } else {
            acc.pass(
                &o.file,
                pos,
                o.subject(),
                format!(
                    "selects {}",
                    targets.iter().map(|t| t.id()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        services.push((o, sel));
    }
    for o in objs.iter().filter(|o| o.kind == "PodDisruptionBudget") {
        let Some((sk, sel)) = o.spec().and_then(|s| entry(s, "selector")) else {
            continue;
        };
        let hit = pod_labels
            .iter()
            .any(|(p, l)| same_ns(&p.namespace, &o.namespace) && selector_matches(Some(sel), l));
        if hit {
            acc.pass(
                &o.file,
                Pos::of(sk),
                o.subject(),
                format!("selector {} selects a pod", show(sel)),
            );
        } else {
            acc.fail(
                "pdb-selects-nothing",
                &o.file,
                Pos::of(sk),
                o.subject(),
                "the PodDisruptionBudget selects no pod of these manifests",
                format!("selector: {}", show(sel)),
            );
        }
    }
}

pub(crate) fn headless(o: &Object) -> bool {
    o.spec().and_then(|s| get_str(s, "clusterIP")) == Some("None")
}

pub(crate) fn network_policy_coverage(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
    let policies: Vec<&Object> = objs.iter().filter(|o| o.kind == "NetworkPolicy").collect();
    for p in pods(objs).filter(|p| p.long_running) {
        let o = p.obj;
        let labels = p.labels();
        let covering: Vec<&&Object> = policies
            .iter()
            .filter(|np| {
                same_ns(&np.namespace, &o.namespace)
                    && np.spec().is_some_and(|s| {
                        get(s, "podSelector").is_some() && selector_matches(get(s, "podSelector"), &labels)
                    })
            })
            .collect();
        if covering.is_empty() {
            acc.fail(
                "no-network-policy",
                &o.file,
                o.pos(),
                o.subject(),
                "no NetworkPolicy selects these pods: they accept traffic from anywhere in the cluster",
                "no NetworkPolicy",
            );
        } else {
            let names: Vec<String> = covering.iter().map(|n| n.name.clone()).collect();
            acc.pass(
                &o.file,
                o.pos(),
                o.subject(),
                format!("selected by NetworkPolicy {}", names.join(", ")),
            );
        }
    }
}

/// The labels every chart's templates must set: name, instance, managed-by and helm.sh/chart
/// (recommended-labels); version, component and part-of (recommended-labels-complete).
pub(crate) const CHART_LABELS: [&str; 4] = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
];

pub(crate) const CHART_LABELS_MORE: [&str; 3] = [
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
];

fn chart_recommended_labels(charts: &[Chart], required: &[&str], acc: &mut Acc) {
    for c in charts {
        let all: String = c.templates().map(|(_, t)| t).collect::<Vec<_>>().join("\n");
        if all.is_empty() {
            continue;
        }
        let missing: Vec<&str> = required.iter().copied().filter(|l| !all.contains(l)).collect();
        let (file, line) = c
            .templates()
            .find(|(r, _)| r.ends_with("_helpers.tpl"))
            .map(|(r, t)| {
                (
                    c.path(r),
                    t.lines()
                        .position(|l| l.contains("app.kubernetes.io/"))
                        .map(|p| p + 1)
                        .unwrap_or(1),
                )
            })
            .unwrap_or((c.meta_file(), 1));
        if missing.is_empty() {
            acc.pass(
                &file,
                Pos { line, column: 1 },
                c.label(),
                format!("templates set {}", required.join(", ")),
            );
        } else {
            acc.fail(
                "labels-missing",
                &file,
                Pos { line, column: 1 },
                c.label(),
                format!("the chart's templates never set {}", missing.join(", ")),
                format!("missing {}", missing.join(", ")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Production values
// ---------------------------------------------------------------------------------------
