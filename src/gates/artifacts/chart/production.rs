//! Production values: replicas, rollout and disruption budget read from a chart's values.yaml
//! with values-production.yaml layered over it.

use crate::gates::artifacts::chart::Chart;
use crate::gates::artifacts::parse::{Object, Pos};
use crate::gates::artifacts::schema::Val;
use crate::gates::artifacts::under;

/// Where a production value comes from.
#[derive(Debug, Clone)]
pub(crate) struct At {
    pub file: String,
    pub pos: Pos,
    /// The dotted key (`components.api.replicas`).
    pub key: String,
}

/// A disruption budget the chart creates in production.
#[derive(Debug, Clone)]
pub(crate) struct ChartPdb {
    pub at: At,
    pub max_unavailable: Option<(String, At)>,
    pub min_available: Option<(String, At)>,
    pub policy: Option<(String, At)>,
}

/// What the production values say about one workload of the raw manifests.
#[derive(Debug, Clone)]
pub(crate) struct ProdWorkload {
    scope: String,
    name: String,
    pub replicas: Option<(i64, At)>,
    pub max_surge: Option<(String, At)>,
    pub max_unavailable: Option<(String, At)>,
    pub pdb: Option<ChartPdb>,
}

/// The production settings of the workloads a chart covers: values.yaml with
/// values-production.yaml layered over it, read at these keys (first found wins):
///
/// - replicas: `components.<name>.replicas`, `backingServices.<name>.replicas` (sp's chart),
///   `<name>.replicas`, `<name>.replicaCount`, or `replicaCount` when the chart covers a
///   single Deployment (the `helm create` layout);
/// - rollout: `rollout.maxSurge` / `rollout.maxUnavailable`, or
///   `strategy.rollingUpdate.maxSurge` / `.maxUnavailable`;
/// - disruption budget: when a template creates a PodDisruptionBudget and
///   `podDisruptionBudget.enabled` (or `pdb.enabled`) is true, a budget per workload running
///   2 replicas or more, with that map's maxUnavailable, minAvailable and
///   unhealthyPodEvictionPolicy.
///
/// Workloads the values do not mention keep the raw manifests' settings. A chart without
/// values-production.yaml contributes nothing.
#[derive(Debug, Default)]
pub(crate) struct Production {
    workloads: Vec<ProdWorkload>,
}

impl Production {
    pub fn from_charts(charts: &[Chart], objects: &[Object]) -> Production {
        let mut workloads = Vec::new();
        for c in charts {
            let Some(prod) = c
                .values
                .iter()
                .position(|v| v.rel.starts_with("values-production.") || v.rel.starts_with("values-prod."))
            else {
                continue;
            };
            let Some(merged) = c.merged(prod) else { continue };
            let at = |keys: &[&str]| -> Option<(&Val, At)> {
                let (v, pos) = merged.lookup(keys)?;
                Some((
                    v,
                    At {
                        file: c.path(&c.values[v.file].rel),
                        pos,
                        key: keys.join("."),
                    },
                ))
            };
            let text_at = |keys: &[&str]| at(keys).and_then(|(v, a)| v.as_text().map(|t| (t, a)));
            let scope = c.scope().to_string();
            let in_scope: Vec<&Object> = objects
                .iter()
                .filter(|o| under(&o.file, &scope) && matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
                .collect();
            let deployments = in_scope.iter().filter(|o| o.kind == "Deployment").count();
            let has_pdb_template = c.templates().any(|(_, t)| t.contains("kind: PodDisruptionBudget"));
            let pdb_map = ["podDisruptionBudget", "pdb"]
                .into_iter()
                .find(|k| merged.get(k).is_some());
            for o in in_scope {
                let n = o.name.as_str();
                // An autoscaler the production values turn on scales the workload: its
                // minimum is the replica count the gates judge.
                let autoscaled =
                    at(&["components", n, "autoscaling", "enabled"]).is_some_and(|(v, _)| v.as_bool() == Some(true));
                let replicas = [
                    vec!["components", n, "autoscaling", "minReplicas"],
                    vec!["components", n, "replicas"],
                    vec!["backingServices", n, "replicas"],
                    vec![n, "replicas"],
                    vec![n, "replicaCount"],
                ]
                .into_iter()
                .chain((deployments == 1 && o.kind == "Deployment").then(|| vec!["replicaCount"]))
                .filter(|k| autoscaled || !k.contains(&"autoscaling"))
                .find_map(|k| at(&k).and_then(|(v, a)| v.as_i64().map(|r| (r, a))));
                let surge =
                    text_at(&["rollout", "maxSurge"]).or_else(|| text_at(&["strategy", "rollingUpdate", "maxSurge"]));
                let unavailable = text_at(&["rollout", "maxUnavailable"])
                    .or_else(|| text_at(&["strategy", "rollingUpdate", "maxUnavailable"]));
                let pdb = match pdb_map {
                    Some(m) if has_pdb_template => at(&[m, "enabled"]).and_then(|(v, a)| {
                        (v.as_bool() == Some(true)).then(|| ChartPdb {
                            at: a,
                            max_unavailable: text_at(&[m, "maxUnavailable"]),
                            min_available: text_at(&[m, "minAvailable"]),
                            policy: text_at(&[m, "unhealthyPodEvictionPolicy"]),
                        })
                    }),
                    _ => None,
                };
                workloads.push(ProdWorkload {
                    scope: scope.clone(),
                    name: n.to_string(),
                    replicas,
                    max_surge: surge,
                    max_unavailable: unavailable,
                    pdb,
                });
            }
        }
        Production { workloads }
    }

    /// The production settings of an object of the raw manifests, if a chart covers it.
    pub fn for_object(&self, o: &Object) -> Option<&ProdWorkload> {
        self.workloads
            .iter()
            .filter(|w| w.name == o.name && under(&o.file, &w.scope))
            .max_by_key(|w| w.scope.len())
    }
}
