//! Availability in production: replicas, the rolling update, the disruption budget and how
//! replicas spread over nodes and zones.

use crate::gates::artifacts::chart::production::Production;
use crate::gates::artifacts::parse::{self, Object, Pos, as_int, entry, get, get_str, items, show, text};
use crate::gates::artifacts::pods::{kv, same_ns};
use crate::gates::artifacts::{Acc, Input};
use crate::yaml::Node;

/// The replicas a workload runs: production values first, then the manifest, then 1.
pub(crate) fn replicas(o: &Object, prod: Option<&Production>) -> (i64, String, Pos, String) {
    if let Some((r, at)) = prod.and_then(|p| p.for_object(o)).and_then(|w| w.replicas.as_ref()) {
        return (*r, at.file.clone(), at.pos, format!("{}: {r}", at.key));
    }
    match o.replicas() {
        Some((r, pos)) => (r, o.file.clone(), pos, format!("replicas: {r}")),
        None => (
            1,
            o.file.clone(),
            entry(&o.root, "spec").map(|(k, _)| Pos::of(k)).unwrap_or(o.pos()),
            "replicas not set (1)".into(),
        ),
    }
}

pub(crate) fn hpa_for<'a>(objs: &'a [Object], o: &Object) -> Option<&'a Object> {
    objs.iter().find(|h| {
        h.kind == "HorizontalPodAutoscaler"
            && same_ns(&h.namespace, &o.namespace)
            && h.spec().and_then(|s| get(s, "scaleTargetRef")).is_some_and(|t| {
                get_str(t, "kind") == Some(o.kind.as_str()) && get_str(t, "name") == Some(o.name.as_str())
            })
    })
}

pub(crate) fn replicas_min_2(input: &Input, acc: &mut Acc) {
    let (objs, Some(prod)) = (input.objects, input.production) else {
        return;
    };
    for o in objs.iter().filter(|o| o.kind == "Deployment") {
        if let Some(h) = hpa_for(objs, o) {
            let min = h.spec().and_then(|s| entry(s, "minReplicas"));
            let min_v = min.and_then(|(_, v)| as_int(v)).unwrap_or(1);
            let pos = min.map(|(k, _)| Pos::of(k)).unwrap_or(h.pos());
            if min_v < 2 {
                acc.fail(
                    "hpa-min-below-2",
                    &h.file,
                    pos,
                    h.subject(),
                    format!("the autoscaler of {} may scale it down to {min_v} replica", o.subject()),
                    format!("minReplicas: {min_v}"),
                );
            } else if let Some((r, rpos)) = o.replicas() {
                acc.fail(
                    "replicas-with-hpa",
                    &o.file,
                    rpos,
                    o.subject(),
                    format!(
                        "{} sets replicas while {} scales it: every apply resets the count",
                        o.subject(),
                        h.subject()
                    ),
                    format!("replicas: {r}"),
                );
            } else {
                acc.pass(&h.file, pos, o.subject(), format!("minReplicas: {min_v} ({})", h.id()));
            }
            continue;
        }
        let (r, file, pos, found) = replicas(o, Some(prod));
        if r >= 2 {
            acc.pass(&file, pos, o.subject(), found);
        } else {
            acc.fail(
                "replicas-below-2",
                &file,
                pos,
                o.subject(),
                format!(
                    "{} runs {r} replica in production: every rollout, drain or crash is an outage",
                    o.subject()
                ),
                found,
            );
        }
    }
}

pub(crate) fn percent_or_int(s: &str) -> Option<(f64, bool)> {
    match s.trim().strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok().map(|v| (v, true)),
        None => s.trim().parse::<f64>().ok().map(|v| (v, false)),
    }
}

pub(crate) fn rolling_update(input: &Input, acc: &mut Acc) {
    let (objs, Some(prod)) = (input.objects, input.production) else {
        return;
    };
    for o in objs.iter().filter(|o| o.kind == "Deployment") {
        let Some(spec) = o.spec() else { continue };
        let strategy = entry(spec, "strategy");
        let ty = strategy.and_then(|(_, s)| entry(s, "type"));
        if let Some((k, v)) = ty
            && text(v) != Some("RollingUpdate")
        {
            acc.fail(
                "recreate-strategy",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the Deployment is replaced all at once: every release is an outage",
                kv(k, v),
            );
            continue;
        }
        let ru = strategy.and_then(|(_, s)| get(s, "rollingUpdate"));
        let w = prod.for_object(o);
        let pick =
            |key: &str, overlay: Option<&(String, super::chart::production::At)>| -> (String, String, Pos, String) {
                if let Some((v, at)) = overlay {
                    return (v.clone(), at.file.clone(), at.pos, format!("{}: {v}", at.key));
                }
                match ru.and_then(|r| entry(r, key)) {
                    Some((k, v)) => (
                        text(v).unwrap_or_default().to_string(),
                        o.file.clone(),
                        Pos::of(k),
                        kv(k, v),
                    ),
                    None => (
                        "25%".into(),
                        o.file.clone(),
                        strategy
                            .or(entry(&o.root, "spec"))
                            .map(|(k, _)| Pos::of(k))
                            .unwrap_or(o.pos()),
                        format!("{key} not set (25%)"),
                    ),
                }
            };
        let unavailable = pick("maxUnavailable", w.and_then(|w| w.max_unavailable.as_ref()));
        let surge = pick("maxSurge", w.and_then(|w| w.max_surge.as_ref()));
        let mut bad = false;
        if percent_or_int(&unavailable.0).is_none_or(|(v, _)| v != 0.0) {
            bad = true;
            acc.fail(
                "max-unavailable-not-0",
                &unavailable.1,
                unavailable.2,
                o.subject(),
                "maxUnavailable is not 0: serving pods go before their replacements are ready",
                unavailable.3.clone(),
            );
        }
        if percent_or_int(&surge.0).is_none_or(|(v, _)| v <= 0.0) {
            bad = true;
            acc.fail(
                "max-surge-0",
                &surge.1,
                surge.2,
                o.subject(),
                "maxSurge is 0: with maxUnavailable 0 the rollout cannot start a new pod",
                surge.3.clone(),
            );
        }
        if !bad {
            acc.pass(
                &unavailable.1,
                unavailable.2,
                o.subject(),
                format!("RollingUpdate, {}, {}", unavailable.3, surge.3),
            );
        }
    }
}

/// Does a label selector node (matchLabels and matchExpressions) select these labels? An
/// empty selector selects everything.
pub(crate) fn selector_matches(sel: Option<&Node>, labels: &[(String, String)]) -> bool {
    let Some(sel) = sel else { return true };
    let has = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    for (k, v) in parse::string_map(get(sel, "matchLabels")) {
        if has(&k) != Some(v.as_str()) {
            return false;
        }
    }
    for e in get(sel, "matchExpressions").map(items).unwrap_or_default() {
        let key = get_str(e, "key").unwrap_or_default();
        let values: Vec<&str> = get(e, "values")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(text)
            .collect();
        let ok = match get_str(e, "operator") {
            Some("In") => has(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => has(key).is_none_or(|v| !values.contains(&v)),
            Some("Exists") => has(key).is_some(),
            Some("DoesNotExist") => has(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

pub(crate) fn pdb_present_and_sane(input: &Input, acc: &mut Acc) {
    let (objs, Some(prod)) = (input.objects, input.production) else {
        return;
    };
    let pdbs: Vec<&Object> = objs.iter().filter(|o| o.kind == "PodDisruptionBudget").collect();
    for o in objs
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
    {
        let Some(pod) = o.pod() else { continue };
        let labels = pod.labels();
        let (r, _, _, _) = replicas(o, Some(prod));
        if r < 2 {
            continue;
        }
        let chart_pdb = prod.for_object(o).and_then(|w| w.pdb.as_ref());
        let own: Vec<&&Object> = pdbs
            .iter()
            .filter(|p| {
                same_ns(&p.namespace, &o.namespace)
                    && p.spec()
                        .and_then(|s| get(s, "selector"))
                        .is_some_and(|s| selector_matches(Some(s), &labels))
            })
            .collect();
        if let Some(cp) = chart_pdb {
            let mut bad = false;
            if let Some((v, at)) = &cp.max_unavailable
                && percent_or_int(v).is_some_and(|(x, _)| x == 0.0)
            {
                bad = true;
                acc.fail(
                    "chart-pdb-no-eviction",
                    &at.file,
                    at.pos,
                    o.subject(),
                    "the chart's PodDisruptionBudget allows no eviction: node drains block",
                    format!("{}: {v}", at.key),
                );
            }
            if let Some((v, at)) = &cp.min_available
                && percent_or_int(v).is_some_and(|(x, pct)| if pct { x >= 100.0 } else { x >= r as f64 })
            {
                bad = true;
                acc.fail(
                    "chart-pdb-min-available-all",
                    &at.file,
                    at.pos,
                    o.subject(),
                    format!("minAvailable {v} with {r} replicas allows no eviction"),
                    format!("{}: {v}", at.key),
                );
            }
            match &cp.policy {
                Some((v, _)) if v == "AlwaysAllow" => {}
                Some((v, at)) => {
                    bad = true;
                    acc.fail(
                        "chart-pdb-unhealthy-policy",
                        &at.file,
                        at.pos,
                        o.subject(),
                        "unhealthyPodEvictionPolicy is not AlwaysAllow: pods that never became ready block drains",
                        format!("{}: {v}", at.key),
                    );
                }
                None => {
                    bad = true;
                    acc.fail(
                        "chart-pdb-unhealthy-policy-unset",
                        &cp.at.file,
                        cp.at.pos,
                        o.subject(),
                        "the chart's PodDisruptionBudget sets no unhealthyPodEvictionPolicy (AlwaysAllow)",
                        format!("{}: true", cp.at.key),
                    );
                }
            }
            if !bad {
                acc.pass(
                    &cp.at.file,
                    cp.at.pos,
                    o.subject(),
                    format!("{}: true, replicas {r}", cp.at.key),
                );
            }
            continue;
        }
        if own.is_empty() {
            let (_, file, pos, found) = replicas(o, Some(prod));
            acc.fail(
                "pdb-missing",
                &file,
                pos,
                o.subject(),
                format!(
                    "{} runs {r} replicas and no PodDisruptionBudget selects its pods",
                    o.subject()
                ),
                found,
            );
            continue;
        }
        for p in own {
            let Some(spec) = p.spec() else { continue };
            let mut bad = false;
            if let Some((k, v)) = entry(spec, "maxUnavailable")
                && percent_or_int(text(v).unwrap_or_default()).is_some_and(|(x, _)| x == 0.0)
            {
                bad = true;
                acc.fail(
                    "pdb-max-unavailable-0",
                    &p.file,
                    Pos::of(k),
                    p.subject(),
                    "maxUnavailable 0 allows no eviction: node drains block forever",
                    kv(k, v),
                );
            }
            if let Some((k, v)) = entry(spec, "minAvailable")
                && percent_or_int(text(v).unwrap_or_default())
                    .is_some_and(|(x, pct)| if pct { x >= 100.0 } else { x >= r as f64 })
            {
                bad = true;
                acc.fail(
                    "pdb-min-available-all",
                    &p.file,
                    Pos::of(k),
                    p.subject(),
                    format!(
                        "minAvailable {} with {r} replicas of {} allows no eviction",
                        show(v),
                        o.subject()
                    ),
                    kv(k, v),
                );
            }
            match entry(spec, "unhealthyPodEvictionPolicy") {
                Some((_, v)) if text(v) == Some("AlwaysAllow") => {}
                Some((k, v)) => {
                    bad = true;
                    acc.fail(
                        "pdb-unhealthy-policy",
                        &p.file,
                        Pos::of(k),
                        p.subject(),
                        "unhealthyPodEvictionPolicy is not AlwaysAllow: pods that never became ready block drains",
                        kv(k, v),
                    );
                }
                None => {
                    bad = true;
                    acc.fail(
                        "pdb-unhealthy-policy-unset",
                        &p.file,
                        p.pos(),
                        p.subject(),
                        "no unhealthyPodEvictionPolicy: AlwaysAllow lets drains evict pods that never became ready",
                        "unhealthyPodEvictionPolicy not set",
                    );
                }
            }
            if !bad {
                acc.pass(
                    &p.file,
                    p.pos(),
                    o.subject(),
                    format!("{} selects it ({r} replicas)", p.subject()),
                );
            }
        }
    }
}

pub(crate) fn spread_replicas(input: &Input, acc: &mut Acc) {
    let (objs, prod) = (input.objects, input.production);
    for o in objs
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet"))
    {
        let Some(pod) = o.pod() else { continue };
        let (r, file, pos, found) = replicas(o, prod);
        if r < 2 {
            continue;
        }
        let tsc = pod
            .field("topologySpreadConstraints")
            .filter(|(_, v)| !items(v).is_empty());
        let anti = get(pod.spec, "affinity")
            .and_then(|a| get(a, "podAntiAffinity"))
            .is_some_and(|pa| {
                [
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    "preferredDuringSchedulingIgnoredDuringExecution",
                ]
                .iter()
                .any(|k| {
                    get(pa, k).map(items).unwrap_or_default().iter().any(|t| {
                        let term = get(t, "podAffinityTerm").unwrap_or(t);
                        get_str(term, "topologyKey") == Some("kubernetes.io/hostname")
                    })
                })
            });
        match (tsc, anti) {
            (Some((k, v)), _) => acc.pass(
                &o.file,
                Pos::of(k),
                o.subject(),
                format!("topologySpreadConstraints: {}", show(v)),
            ),
            (None, true) => acc.pass(
                &o.file,
                pod.spec_key,
                o.subject(),
                "podAntiAffinity on kubernetes.io/hostname".to_string(),
            ),
            (None, false) => acc.fail(
                "replicas-not-spread",
                &file,
                pos,
                o.subject(),
                format!(
                    "{r} replicas with no topologySpreadConstraints or podAntiAffinity: they may all land on one node"
                ),
                found,
            ),
        }
    }
}
