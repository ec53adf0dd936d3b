//! The Helm chart: `helm/<chart>/`, one installable chart per feature.
//!
//! # Static templates, data in values
//!
//! The templates under `templates/helm/` are the same bytes for every feature: they range
//! over `.Values.components` and `.Values.backingServices`, and everything that belongs to
//! the feature is data in the values files, computed from the model into the [`Values`]
//! type. They are embedded with `include_str!` and never pass through the template engine, whose
//! `{{ }}` would eat Helm's. `_helpers.tpl` is the one file that names the chart (its
//! defines are namespaced `<chart>.name`, `<chart>.labels`…, as Helm's conventions ask): the
//! placeholder `__CHART__` in it is replaced by the chart name, and the other templates call
//! the defines as `(printf "%s.labels" .Chart.Name)`.
//!
//! # The same objects as the raw manifests
//!
//! `helm template <app> helm/<app> -n <namespace> -f values-local.yaml` renders exactly the
//! objects of `k8s/` (`scripts/helm-equivalence` checks it object by object), apart from
//! what only Helm adds: the `helm.sh/chart` label, `app.kubernetes.io/managed-by: Helm`
//! instead of `sp`, and the test hooks. The Namespace is not templated, following Helm's
//! convention that a chart installs into a namespace rather than owning it (`helm
//! uninstall` would otherwise delete the namespace, the Secrets created by hand and the
//! volumes with it): install with `-n <namespace> --create-namespace`, or apply the raw
//! `k8s/00-<namespace>-namespace.yaml` first to get its Pod Security labels. Every object
//! sets `metadata.namespace` to the release's namespace, as the raw manifests set theirs,
//! which keeps `helm template | kubectl apply -f -` in the right namespace and satisfies
//! checkov's CKV_K8S_21.
//!
//! # Values layers
//!
//! `values.yaml` holds every key with safe defaults (one replica, nothing exposed outside the
//! cluster, `IfNotPresent`); `values-local.yaml` sets what the feature's local platform
//! uses (the model's pull policy, Service types, Ingress and replicas: the raw manifests'
//! values); `values-production.yaml` sets the production replicas (at least two, with
//! PodDisruptionBudgets), an Ingress or a LoadBalancer for what is exposed, `IfNotPresent`,
//! and the existing Secrets by name. `values.schema.json` validates the merged result.

pub mod commands;
pub mod schema;
pub mod values;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::yaml::commented;
pub use crate::yaml::commented::Node;
pub use values::{Layer, Values};

use crate::model::deploy::{Deployment, ServiceMode};
use commands::HelmCommands;

/// The chart's own version; the application's is `appVersion`.
pub const CHART_VERSION: &str = "0.1.0";

/// Replaced by the chart name in `_helpers.tpl`.
const CHART_PLACEHOLDER: &str = "__CHART__";

const HELPERS: &str = include_str!("../../../templates/helm/templates/_helpers.tpl");

/// The files that are the same for every chart, by path inside the chart.
pub const STATIC_FILES: &[(&str, &str)] = &[
    (".helmignore", include_str!("../../../templates/helm/.helmignore")),
    (
        "templates/NOTES.txt",
        include_str!("../../../templates/helm/templates/NOTES.txt"),
    ),
    (
        "templates/configmap.yaml",
        include_str!("../../../templates/helm/templates/configmap.yaml"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../../../templates/helm/templates/deployment.yaml"),
    ),
    (
        "templates/hpa.yaml",
        include_str!("../../../templates/helm/templates/hpa.yaml"),
    ),
    (
        "templates/ingress.yaml",
        include_str!("../../../templates/helm/templates/ingress.yaml"),
    ),
    (
        "templates/networkpolicy.yaml",
        include_str!("../../../templates/helm/templates/networkpolicy.yaml"),
    ),
    (
        "templates/pdb.yaml",
        include_str!("../../../templates/helm/templates/pdb.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../../../templates/helm/templates/service.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("../../../templates/helm/templates/serviceaccount.yaml"),
    ),
    (
        "templates/statefulset.yaml",
        include_str!("../../../templates/helm/templates/statefulset.yaml"),
    ),
    (
        "templates/tests/test-connection.yaml",
        include_str!("../../../templates/helm/templates/tests/test-connection.yaml"),
    ),
];

/// The keys `values-local.yaml` sets (`*` is any component).
const LOCAL_KEYS: &[&str] = &[
    "podDisruptionBudget.enabled",
    "components.*.image.pullPolicy",
    "components.*.replicas",
    "components.*.service.type",
    "components.*.service.nodePort",
    "components.*.ingress.enabled",
];

/// The keys `values-production.yaml` sets.
const PRODUCTION_KEYS: &[&str] = &[
    "podDisruptionBudget.enabled",
    "components.*.image.pullPolicy",
    "components.*.replicas",
    "components.*.autoscaling",
    "components.*.service.type",
    "components.*.ingress.enabled",
    "components.*.secrets",
    "backingServices.*.secrets",
];

const HEADER: &str = "Generated by `sp plan` from the feature's inputs. Edit the inputs, not this file.";

/// The chart's name: the application's, a DNS-1123 label.
pub fn chart_name(d: &Deployment) -> &str {
    &d.app.value
}

/// The chart's folder, relative to the feature's output folder.
pub fn chart_dir(d: &Deployment) -> String {
    format!("helm/{}", chart_name(d))
}

/// The version of the application: the tag of the images built from this repository.
pub fn app_version(d: &Deployment) -> String {
    d.components
        .first()
        .map(|c| c.image.tag.value.clone())
        .unwrap_or_else(|| CHART_VERSION.into())
}

/// One values file: its name, the layer it describes, and what it holds.
pub struct ValuesFile {
    pub name: &'static str,
    pub layer: Layer,
    /// The whole values of the layer (`values.yaml` merged with this file).
    pub full: Node,
    /// What the file holds: everything for `values.yaml`, the layer's keys otherwise.
    pub content: Node,
}

/// The three values files of a deployment.
pub fn values_files(d: &Deployment) -> Vec<ValuesFile> {
    let node = |layer| Node::of(&values::values(d, layer));
    let defaults = node(Layer::Defaults);
    let local = node(Layer::Local);
    let production = node(Layer::Production);
    let only = |full: &Node, keys: &[&str]| {
        full.project(keys)
            .and_then(|n| n.without_empty_maps())
            .unwrap_or(Node::Map(Vec::new()))
    };
    vec![
        ValuesFile {
            name: "values.yaml",
            layer: Layer::Defaults,
            content: defaults.clone(),
            full: defaults,
        },
        ValuesFile {
            name: "values-local.yaml",
            layer: Layer::Local,
            content: only(&local, LOCAL_KEYS),
            full: local,
        },
        ValuesFile {
            name: "values-production.yaml",
            layer: Layer::Production,
            content: only(&production, PRODUCTION_KEYS),
            full: production,
        },
    ]
}

/// Every file of the chart, paths relative to the feature's output folder
/// (`helm/<chart>/Chart.yaml`…), in path order.
/// `values` are the deployment's [`values_files`], computed once for the chart and its
/// contract.
pub fn chart(d: &Deployment, title: &str, out_dir: &str, values: &[ValuesFile]) -> Vec<(String, String)> {
    let dir = chart_dir(d);
    let schema = schema::schema();
    let docs = entry_docs(d);
    let mut files: Vec<(String, String)> = vec![
        ("Chart.yaml".into(), chart_yaml(d, title)),
        ("values.schema.json".into(), schema::text()),
        (
            "templates/_helpers.tpl".into(),
            HELPERS.replace(CHART_PLACEHOLDER, chart_name(d)),
        ),
    ];
    for f in values {
        files.push((f.name.into(), values_text(d, f, out_dir, schema, &docs).text));
    }
    files.extend(STATIC_FILES.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    files.sort();
    files.into_iter().map(|(p, t)| (format!("{dir}/{p}"), t)).collect()
}

/// The paths [`chart`] writes, in the same order, without rendering the files (the chart's
/// contract lists them; rendering the chart a second time for its names cost a tenth of a
/// feature's compile).
pub fn chart_paths(d: &Deployment, values: &[ValuesFile]) -> Vec<String> {
    let dir = chart_dir(d);
    let mut names: Vec<&str> = vec!["Chart.yaml", "values.schema.json", "templates/_helpers.tpl"];
    names.extend(values.iter().map(|f| f.name));
    names.extend(STATIC_FILES.iter().map(|(p, _)| *p));
    names.sort_unstable();
    names.into_iter().map(|p| format!("{dir}/{p}")).collect()
}

fn chart_yaml(d: &Deployment, title: &str) -> String {
    let s = |v: &str| Node::Str(v.to_string());
    let node = Node::Map(vec![
        ("apiVersion".into(), s("v2")),
        ("name".into(), s(chart_name(d))),
        ("description".into(), s(title)),
        ("type".into(), s("application")),
        ("version".into(), s(CHART_VERSION)),
        ("appVersion".into(), s(&app_version(d))),
        (
            "kubeVersion".into(),
            s(&format!(">={}.0-0", d.platform.kubernetes_version.value)),
        ),
        (
            "keywords".into(),
            Node::Seq(vec![s(chart_name(d)), s("sp"), s("spec-kit")]),
        ),
        (
            "annotations".into(),
            Node::Map(vec![(
                "sp/generated-from".into(),
                s("the feature's spec, plan input and constitution (`sp plan`)"),
            )]),
        ),
    ]);
    let header = [
        HEADER.to_string(),
        "version is the chart's own SemVer; appVersion is the tag of the images built from this repository."
            .to_string(),
    ];
    commented::emit(
        &node,
        &commented::Emit {
            header: &header,
            doc: &|_| None,
            spaced: false,
            quoted: &["appVersion"],
        },
    )
    .text
}

/// The comments of the keys that are names (components, Secrets, folders…), which the
/// schema cannot describe: one sentence each, beginning with the key.
pub fn entry_docs(d: &Deployment) -> BTreeMap<Vec<String>, String> {
    let mut docs = BTreeMap::new();
    let mut put = |path: &[&str], text: String| {
        docs.insert(path.iter().map(|s| s.to_string()).collect::<Vec<_>>(), text);
    };
    let v = values::values(d, Layer::Local);
    for k in v.network_policy.dns_pod_labels.keys() {
        put(
            &["networkPolicy", "dnsPodLabels", k],
            format!("{k} is a label every DNS pod has."),
        );
    }
    for cidr in v.network_policy.public_cidrs.keys() {
        let family = if cidr.contains(':') { "IPv6" } else { "IPv4" };
        put(
            &["networkPolicy", "publicCidrs", cidr],
            format!("{cidr} is every {family} address, except the ranges listed."),
        );
    }
    for c in &d.components {
        let n = c.name.as_str();
        let Some(cv) = v.components.get(n) else { continue };
        let context = crate::render::build::build(d, c, "").context;
        let source = match &c.source_dir.value {
            Some(_) => format!("built from `{context}/`"),
            None => format!("expected in `{context}/`"),
        };
        put(
            &["components", n],
            format!(
                "{n} is the {} component: {}, image {}, {source}.",
                format!("{:?}", c.role.value).to_lowercase(),
                c.stack_name,
                c.image.reference()
            ),
        );
        for cfg in &c.config {
            put(
                &["components", n, "config", &cfg.name],
                format!("{} (source: {}).", cfg.name, cfg.origin.text),
            );
        }
        secret_docs(&mut put, "components", n, &cv.secrets);
        dir_docs(&mut put, "components", n, &cv.writable_dirs);
        for (target, port) in &cv.network_policy.egress_to {
            put(
                &["components", n, "networkPolicy", "egressTo", target],
                format!("{target} is called on port {}.", port.0),
            );
        }
        if let Some(a) = d.autoscaling.as_ref().filter(|a| a.components.contains(&c.name)) {
            put(
                &["components", n, "autoscaling"],
                format!(
                    "autoscaling is on because the inputs state \"{}\" ({}).",
                    a.goal.value, a.goal.origin.text
                ),
            );
            put(
                &["components", n, "autoscaling", "minReplicas"],
                format!(
                    "minReplicas is the production replica count ({}).",
                    a.min_replicas.origin.text
                ),
            );
            put(
                &["components", n, "autoscaling", "maxReplicas"],
                format!("maxReplicas is {}.", a.max_replicas.origin.text),
            );
            put(
                &["components", n, "autoscaling", "targetCPUUtilizationPercentage"],
                format!(
                    "targetCPUUtilizationPercentage is {}.",
                    a.target_cpu_percent.origin.text
                ),
            );
        }
    }
    for s in d
        .backing_services
        .iter()
        .filter(|s| s.mode.value == ServiceMode::InCluster)
    {
        let n = s.name.as_str();
        let Some(bv) = v.backing_services.get(n) else { continue };
        put(
            &["backingServices", n],
            format!(
                "{n} is {} (image {}), run in the cluster as a StatefulSet with its own volume.",
                s.product,
                crate::render::k8s::workload::backing_image(s)
            ),
        );
        for k in bv.env.keys() {
            put(
                &["backingServices", n, "env", k],
                format!("{k} is set for the server process."),
            );
        }
        secret_docs(&mut put, "backingServices", n, &bv.secrets);
        dir_docs(&mut put, "backingServices", n, &bv.writable_dirs);
    }
    docs
}

fn secret_docs(
    put: &mut impl FnMut(&[&str], String),
    kind: &str,
    name: &str,
    secrets: &BTreeMap<String, values::SecretKey>,
) {
    for (env, s) in secrets {
        let text = if s.as_file {
            format!(
                "{env} is read from the file {} (key {} of Secret {}), which {env}_FILE names.",
                crate::render::k8s::SECRETS_ROOT.to_string() + "/" + &s.secret_name + "/" + &s.key,
                s.key,
                s.secret_name
            )
        } else {
            format!("{env} is set from key {} of Secret {}.", s.key, s.secret_name)
        };
        put(&[kind, name, "secrets", env], text);
    }
}

fn dir_docs(
    put: &mut impl FnMut(&[&str], String),
    kind: &str,
    name: &str,
    dirs: &BTreeMap<String, values::WritableDir>,
) {
    for (volume, dir) in dirs {
        put(
            &[kind, name, "writableDirs", volume],
            format!("{volume} is the volume mounted at {}.", dir.mount_path),
        );
    }
}

/// The comment of the key at `path`: a name's from [`entry_docs`], a declared key's from
/// the schema.
pub fn doc(schema: &serde_json::Value, docs: &BTreeMap<Vec<String>, String>, path: &[String]) -> Option<String> {
    if let Some(d) = docs.get(path) {
        return Some(d.clone());
    }
    let (last, parent) = path.split_last()?;
    let object = schema::object_schema(schema::at(schema, parent)?)?;
    object
        .get("properties")?
        .get(last)?
        .get("description")?
        .as_str()
        .map(String::from)
}

/// What a values file says about itself, above its keys.
fn values_header(d: &Deployment, f: &ValuesFile, out_dir: &str) -> Vec<String> {
    let chart = chart_name(d);
    let commands = commands::helm_commands(d, out_dir);
    let ns = &d.namespace.value;
    let mut h = vec![HEADER.to_string(), String::new()];
    match f.layer {
        Layer::Defaults => h.extend([
            format!(
                "Values of the {chart} chart: every key, with safe defaults (one replica each, nothing exposed outside the cluster). Layer an environment over them with -f values-local.yaml or -f values-production.yaml; values.schema.json refuses unknown keys, wrong types and out-of-range numbers."
            ),
            "No secret is ever written here: each is named by its Secret and key, created in the cluster from the command line."
                .to_string(),
        ]),
        Layer::Local => {
            h.push(format!(
                "The local platform ({}), layered over values.yaml: the pull policy, Service types, Ingress and replicas of the raw manifests in k8s/, which the chart then renders object for object.",
                format!("{:?}", d.platform.kind.value).to_lowercase()
            ));
            h.push(String::new());
            h.extend(commented::shell_lines(&commands.install, 94).into_iter().map(|l| format!("  {l}")));
        }
        Layer::Production => {
            h.push(format!(
                "Production, layered over values.yaml: at least {} replicas with PodDisruptionBudgets, an Ingress or a LoadBalancer for what is exposed, IfNotPresent, and the existing Secrets by name (create them in namespace {ns} before installing). Push the images to a registry and set imageRegistry.",
                d.rollout.production_replicas.value
            ));
            h.push(String::new());
            h.extend(commented::shell_lines(&commands.production, 94).into_iter().map(|l| format!("  {l}")));
        }
    }
    h
}

fn values_text(
    d: &Deployment,
    f: &ValuesFile,
    out_dir: &str,
    schema: &serde_json::Value,
    docs: &BTreeMap<Vec<String>, String>,
) -> commented::Emitted {
    let header = values_header(d, f, out_dir);
    let doc = |p: &[String]| doc(schema, docs, p);
    commented::emit(
        &f.content,
        &commented::Emit {
            header: &header,
            doc: &doc,
            spaced: true,
            quoted: &[],
        },
    )
}

/// One row of the values table in data-model.md: a key (`components.<name>.replicas`), its
/// type, what each values file gives it, and its description.
#[derive(Debug, Clone, Serialize)]
pub struct ValueRow {
    pub key: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub default: String,
    pub local: String,
    pub production: String,
    pub description: String,
}

/// What the documents say about the chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartDoc {
    pub name: String,
    pub dir: String,
    pub version: String,
    pub app_version: String,
    pub kube_version: String,
    pub production_replicas: u32,
    pub rows: Vec<ValueRow>,
}

/// The values table: the declared keys two levels deep (`rollout.maxSurge`), and the keys
/// of each workload (`components.<name>.replicas`), with their values per file.
pub fn chart_doc(d: &Deployment, files: &[ValuesFile]) -> ChartDoc {
    let schema = schema::schema();
    let defaults = &files[0].full;
    let mut rows = Vec::new();
    let Some(top) = schema.get("properties").and_then(|p| p.as_object()) else {
        unreachable!("the values schema is an object")
    };
    for key in ordered(top, Some(defaults)) {
        let sub = &top[&key];
        let props = sub.get("properties").and_then(|p| p.as_object());
        let map_of = sub
            .get("additionalProperties")
            .and_then(|a| a.get("properties"))
            .and_then(|p| p.as_object());
        let node = defaults.get(&key);
        match (props, map_of) {
            (Some(props), _) => {
                for k in ordered(props, node) {
                    rows.push(row(files, &[&key, &k], &format!("{key}.{k}"), &props[&k]));
                }
            }
            // A map of workloads: one row per key of a workload, when there is one.
            (None, Some(props)) if node.is_some_and(|n| n != &Node::Map(Vec::new())) => {
                let first = match node {
                    Some(Node::Map(entries)) => entries.first().map(|(_, v)| v),
                    _ => None,
                };
                for k in ordered(props, first) {
                    rows.push(row(files, &[&key, "*", &k], &format!("{key}.<name>.{k}"), &props[&k]));
                }
            }
            _ => rows.push(row(files, &[&key], &key, sub)),
        }
    }
    ChartDoc {
        name: chart_name(d).into(),
        dir: chart_dir(d),
        version: CHART_VERSION.into(),
        app_version: app_version(d),
        kube_version: format!(">={}.0-0", d.platform.kubernetes_version.value),
        production_replicas: d.rollout.production_replicas.value,
        rows,
    }
}

/// The keys of `props` in the order `values.yaml` writes them (the struct's), then the
/// ones it leaves out (optional keys), alphabetically.
fn ordered(props: &serde_json::Map<String, serde_json::Value>, node: Option<&Node>) -> Vec<String> {
    let mut keys: Vec<String> = match node {
        Some(Node::Map(entries)) => entries
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| props.contains_key(k))
            .collect(),
        _ => Vec::new(),
    };
    let rest: Vec<String> = props.keys().filter(|k| !keys.contains(k)).cloned().collect();
    keys.extend(rest);
    keys
}

fn row(files: &[ValuesFile], pattern: &[&str], key: &str, s: &serde_json::Value) -> ValueRow {
    let cell = |f: &ValuesFile| summary(&f.content, pattern);
    let text = s.get("description").and_then(|v| v.as_str()).unwrap_or_default();
    ValueRow {
        key: key.into(),
        type_: schema::type_label(s),
        default: cell(&files[0]).unwrap_or_else(|| "—".into()),
        local: cell(&files[1]).unwrap_or_else(|| "—".into()),
        production: cell(&files[2]).unwrap_or_else(|| "—".into()),
        description: text.into(),
    }
}

/// What a file gives the keys matching `pattern`: one value when they agree, else one per
/// name; `None` when the file does not set them.
fn summary(node: &Node, pattern: &[&str]) -> Option<String> {
    let mut found: Vec<(String, String)> = Vec::new();
    collect(node, pattern, &mut String::new(), &mut found);
    if found.is_empty() {
        return None;
    }
    let first = &found[0].1;
    let text = if found.iter().all(|(_, v)| v == first) {
        first.clone()
    } else {
        found
            .iter()
            .map(|(name, v)| format!("{name}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Some(if text.chars().count() > 80 {
        "see the file".into()
    } else {
        format!("`{text}`")
    })
}

fn collect(node: &Node, pattern: &[&str], name: &mut String, out: &mut Vec<(String, String)>) {
    let Some((head, rest)) = pattern.split_first() else {
        out.push((name.clone(), node.inline()));
        return;
    };
    let Node::Map(entries) = node else { return };
    for (k, v) in entries {
        if *head == "*" {
            let mut n = k.clone();
            collect(v, rest, &mut n, out);
        } else if k == head {
            collect(v, rest, name, out);
        }
    }
}

/// `contracts/helm-chart.yaml`: the chart's metadata, files, every value (type, default, what
/// each environment file sets, description) and the commands that install, test, upgrade,
/// roll back and remove it. Written with the values files' emitter, which folds long strings,
/// so the contract stays within yamllint's line length.
pub fn contract(d: &Deployment, title: &str, out_dir: &str, commands: &HelmCommands, files: &[ValuesFile]) -> String {
    let schema = schema::schema();
    let docs = entry_docs(d);
    let s = |v: &str| Node::Str(v.to_string());
    let map = |entries: Vec<(&str, Node)>| Node::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    let path = format!("{out_dir}/{}", chart_dir(d));
    let mut values = Vec::new();
    for (key, leaf) in files[0].content.leaves() {
        let refs: Vec<&str> = key.iter().map(String::as_str).collect();
        let ty = schema::at(schema, &key)
            .map(schema::type_label)
            .unwrap_or_else(|| "any".into());
        let mut entry = vec![("type", s(&ty)), ("default", leaf.clone())];
        if let Some(v) = files[1].content.at(&refs) {
            entry.push(("local", v.clone()));
        }
        if let Some(v) = files[2].content.at(&refs) {
            entry.push(("production", v.clone()));
        }
        entry.push(("description", s(&doc(schema, &docs, &key).unwrap_or_default())));
        values.push((path_label(&key), map(entry)));
    }
    let layer = |f: &ValuesFile, purpose: &str| {
        let mut entries = vec![("file", s(&format!("{path}/{}", f.name))), ("purpose", s(purpose))];
        if f.layer != Layer::Defaults {
            entries.push((
                "sets",
                Node::Seq(f.content.leaves().iter().map(|(p, _)| s(&path_label(p))).collect()),
            ));
        }
        (f.name.to_string(), map(entries))
    };
    let doc = map(vec![
        (
            "chart",
            map(vec![
                ("name", s(chart_name(d))),
                ("version", s(CHART_VERSION)),
                ("appVersion", s(&app_version(d))),
                (
                    "kubeVersion",
                    s(&format!(">={}.0-0", d.platform.kubernetes_version.value)),
                ),
                ("description", s(title)),
                ("path", s(&path)),
            ]),
        ),
        (
            "release",
            map(vec![
                ("name", s(&commands.release)),
                ("namespace", s(&d.namespace.value)),
                (
                    "namespaceHandling",
                    s(
                        "Not templated: the chart installs into the release namespace (-n, --create-namespace) and every object sets metadata.namespace to it. Apply the raw Namespace manifest first to get its Pod Security labels; helm uninstall leaves the namespace, its Secrets and its volumes.",
                    ),
                ),
            ]),
        ),
        (
            "files",
            Node::Seq(
                chart_paths(d, files)
                    .into_iter()
                    .map(|p| s(&format!("{out_dir}/{p}")))
                    .collect(),
            ),
        ),
        (
            "valuesFiles",
            Node::Map(vec![
                layer(
                    &files[0],
                    "every key, with safe defaults: one replica each, nothing exposed outside the cluster",
                ),
                layer(&files[1], "the local platform: what the raw manifests in k8s/ deploy"),
                layer(
                    &files[2],
                    "production: more replicas with PodDisruptionBudgets, an Ingress or a LoadBalancer for what is exposed, IfNotPresent, the existing Secrets",
                ),
            ]),
        ),
        (
            "equivalence",
            s(&format!(
                "`{}` renders the objects of {out_dir}/k8s/ except the Namespace, with the label helm.sh/chart added and app.kubernetes.io/managed-by Helm instead of sp; sp's test suite checks this object by object with the real helm.",
                commands.template
            )),
        ),
        (
            "commands",
            map(vec![
                ("lint", s(&commands.lint)),
                ("render", s(&commands.template)),
                ("install", s(&commands.install)),
                ("test", s(&commands.test)),
                ("upgrade", s(&commands.upgrade)),
                ("production", s(&commands.production)),
                ("history", s(&commands.history)),
                ("rollback", s(&commands.rollback)),
                ("uninstall", s(&commands.uninstall)),
            ]),
        ),
        ("values", Node::Map(values)),
    ]);
    commented::emit(
        &doc,
        &commented::Emit {
            header: &[HEADER.to_string()],
            doc: &|_| None,
            spaced: false,
            quoted: &[],
        },
    )
    .text
}

/// `components.api.replicas`; a key with other characters than letters, digits, `_` and `-`
/// is bracketed: `publicCidrs[0.0.0.0/0]`.
fn path_label(path: &[String]) -> String {
    let mut s = String::new();
    for (i, k) in path.iter().enumerate() {
        if !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            s.push_str(&format!("[{k}]"));
        } else {
            if i > 0 {
                s.push('.');
            }
            s.push_str(k);
        }
    }
    s
}
