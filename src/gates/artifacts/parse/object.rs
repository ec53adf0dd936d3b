//! Kubernetes objects as the gates see them: kind, name, namespace, pod template, containers
//! with their effective security context, and image references.

use super::*;

/// One Kubernetes object: a document of a manifest file with apiVersion and kind.
#[derive(Debug, Clone)]
pub struct Object {
    pub file: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub root: Node,
}

impl Object {
    pub fn from_node(file: &str, root: Node) -> Option<Object> {
        let kind = get_str(&root, "kind")?.to_string();
        get_str(&root, "apiVersion")?;
        let meta = get(&root, "metadata");
        let name = meta
            .and_then(|m| get_str(m, "name").or_else(|| get_str(m, "generateName")))
            .unwrap_or("(unnamed)");
        let namespace = meta.and_then(|m| get_str(m, "namespace")).map(str::to_string);
        Some(Object {
            file: file.to_string(),
            kind,
            name: name.to_string(),
            namespace,
            root,
        })
    }

    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// The object a finding is about: kind, namespace and name.
    pub fn subject(&self) -> Subject {
        Subject {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            part: None,
        }
    }

    pub fn pos(&self) -> Pos {
        // The `kind:` key: the line a reader looks for.
        entry(&self.root, "kind")
            .map(|(k, _)| Pos::of(k))
            .unwrap_or(Pos::of(&self.root))
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        string_map(path(&self.root, &["metadata", "labels"]))
    }

    pub fn spec(&self) -> Option<&Node> {
        get(&self.root, "spec").filter(|n| is_map(n))
    }

    /// Where the pod template of a workload sits: the known workload kinds (CronJob in
    /// batch/v1 and v1beta1, OpenShift's DeploymentConfig, a PodTemplate), and for any other
    /// kind a `template` holding a pod spec with containers at any depth of `spec` (an Argo
    /// Rollout, a Knative or KEDA object that embeds a pod template).
    fn pod_holder(&self) -> Option<&Node> {
        match self.kind.as_str() {
            "Pod" => Some(&self.root),
            "PodTemplate" => get(&self.root, "template"),
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "DeploymentConfig" => path(&self.root, &["spec", "template"]),
            "CronJob" => path(&self.root, &["spec", "jobTemplate", "spec", "template"]),
            _ => get(&self.root, "spec").and_then(|s| find_template(s, 0)),
        }
    }

    /// The labels of the pod template (of the Pod itself), even when it has no pod spec.
    pub fn template_labels(&self) -> Option<Vec<(String, String)>> {
        let holder = self.pod_holder()?;
        Some(string_map(path(holder, &["metadata", "labels"])))
    }

    /// Kinds that own a pod template (whether or not this one has a usable pod spec).
    pub fn is_workload(&self) -> bool {
        WORKLOAD_KINDS.contains(&self.kind.as_str()) || self.pod_holder().is_some()
    }

    /// The pod this object runs, if it is a workload with a pod spec.
    pub fn pod(&self) -> Option<Pod<'_>> {
        let holder = self.pod_holder()?;
        let (spec_key, spec) = entry(holder, "spec")?;
        let meta = entry(holder, "metadata");
        let labels_entry = meta.and_then(|(_, m)| entry(m, "labels"));
        let labels = labels_entry.map(|(_, v)| v);
        let labels_key = labels_entry
            .or(meta)
            .map(|(k, _)| Pos::of(k))
            .unwrap_or(Pos::of(spec_key));
        if !is_map(spec) {
            return None;
        }
        let restart = get_str(spec, "restartPolicy");
        let batch = matches!(self.kind.as_str(), "Job" | "CronJob") || matches!(restart, Some("Never" | "OnFailure"));
        Some(Pod {
            obj: self,
            spec,
            spec_key: Pos::of(spec_key),
            labels,
            labels_key,
            long_running: !batch,
        })
    }

    /// The workload's replicas as written (None: not set, the API default of 1 applies).
    pub fn replicas(&self) -> Option<(i64, Pos)> {
        let (k, v) = entry(self.spec()?, "replicas")?;
        as_int(v).map(|r| (r, Pos::of(k)))
    }

    /// spec.selector.matchLabels of a workload (or PDB); spec.selector of a Service.
    pub fn selector(&self) -> Option<(Vec<(String, String)>, Pos)> {
        let (k, sel) = entry(self.spec()?, "selector")?;
        if matches!(
            self.kind.as_str(),
            "Service" | "ReplicationController" | "DeploymentConfig"
        ) {
            return Some((string_map(Some(sel)), Pos::of(k)));
        }
        let mut labels = string_map(get(sel, "matchLabels"));
        // matchExpressions with `In` and one value are equivalent to a label.
        for e in get(sel, "matchExpressions").map(items).unwrap_or_default() {
            if get_str(e, "operator") == Some("In") {
                let vals = get(e, "values").map(items).unwrap_or_default();
                if let (Some(key), [v]) = (get_str(e, "key"), vals) {
                    labels.push((key.to_string(), text(v).unwrap_or_default().to_string()));
                }
            }
        }
        Some((labels, Pos::of(k)))
    }
}

/// The workload kinds of Kubernetes and OpenShift: they own a pod template.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "DeploymentConfig",
];

/// The other kinds some gate examines.
pub const EXAMINED_KINDS: &[&str] = &[
    "Service",
    "ConfigMap",
    "ServiceAccount",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
];

/// A `template:` map whose `spec` lists containers, anywhere below `n` (depth-limited).
fn find_template(n: &Node, depth: usize) -> Option<&Node> {
    if depth > 6 {
        return None;
    }
    for (k, v) in entries(n) {
        if scalar(k).is_some_and(|(t, _)| t == "template")
            && get(v, "spec")
                .and_then(|s| get(s, "containers"))
                .is_some_and(|c| !items(c).is_empty())
        {
            return Some(v);
        }
        if is_map(v)
            && let Some(t) = find_template(v, depth + 1)
        {
            return Some(t);
        }
    }
    None
}

/// What a finding is about: a Kubernetes object (kind, namespace, name) and the part of it
/// (`container api`), a Dockerfile stage, a chart.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Subject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub part: Option<String>,
}

impl Subject {
    pub fn with_part(mut self, part: impl Into<String>) -> Subject {
        self.part = Some(part.into());
        self
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind.is_empty() {
            f.write_str(&self.name)?;
        } else {
            write!(f, "{}/", self.kind)?;
            if let Some(ns) = &self.namespace {
                write!(f, "{ns}/")?;
            }
            // A Dockerfile is named by its file: the location already says where it is.
            let name = if matches!(self.kind.as_str(), "Dockerfile" | ".dockerignore") {
                self.name.rsplit('/').next().unwrap_or(&self.name)
            } else {
                &self.name
            };
            f.write_str(name)?;
        }
        if let Some(p) = &self.part {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

impl From<String> for Subject {
    /// A subject that is only a label (`stage runtime`, a file): the gate's scope names its kind.
    fn from(name: String) -> Subject {
        Subject {
            name,
            ..Subject::default()
        }
    }
}

impl From<&str> for Subject {
    fn from(name: &str) -> Subject {
        Subject::from(name.to_string())
    }
}

/// The pod spec of a workload.
#[derive(Clone, Copy)]
pub struct Pod<'a> {
    pub obj: &'a Object,
    pub spec: &'a Node,
    /// The `spec:` key of the pod spec: where a missing pod-level field is reported.
    pub spec_key: Pos,
    pub labels: Option<&'a Node>,
    /// The `labels:` key of the pod's metadata (or its `metadata:` or `spec:` key).
    pub labels_key: Pos,
    /// A server (Deployment, StatefulSet, DaemonSet, a Pod that restarts), not a batch job.
    pub long_running: bool,
}

impl<'a> Pod<'a> {
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (key, init, ephemeral) in [
            ("initContainers", true, false),
            ("containers", false, false),
            ("ephemeralContainers", false, true),
        ] {
            for c in get(self.spec, key).map(items).unwrap_or_default() {
                if is_map(c) {
                    out.push(Container {
                        pod: *self,
                        node: c,
                        init,
                        ephemeral,
                    });
                }
            }
        }
        out
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        string_map(self.labels)
    }

    /// A pod-level field: (key node, value).
    pub fn field(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        entry(self.spec, key)
    }

    pub fn security(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        get(self.spec, "securityContext").and_then(|sc| entry(sc, key))
    }
}

#[derive(Clone, Copy)]
pub struct Container<'a> {
    pub pod: Pod<'a>,
    pub node: &'a Node,
    pub init: bool,
    /// An ephemeral (debug) container: no ports, probes or resources are allowed on it.
    pub ephemeral: bool,
}

/// Where a security setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Pod,
    Container,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        get_str(self.node, "name").unwrap_or("(unnamed)")
    }

    pub fn object(&self) -> Subject {
        let what = if self.init {
            "init container"
        } else if self.ephemeral {
            "ephemeral container"
        } else {
            "container"
        };
        self.pod.obj.subject().with_part(format!("{what} {}", self.name()))
    }

    pub fn file(&self) -> &'a str {
        &self.pod.obj.file
    }

    /// The container's `name:` key (or its first key): where a missing field is reported.
    pub fn pos(&self) -> Pos {
        entry(self.node, "name")
            .map(|(k, _)| Pos::of(k))
            .unwrap_or(Pos::of(self.node))
    }

    pub fn field(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        entry(self.node, key)
    }

    pub fn security(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        get(self.node, "securityContext").and_then(|sc| entry(sc, key))
    }

    /// Where a missing security field is reported: the container's securityContext key, or
    /// the container itself.
    pub fn security_pos(&self) -> Pos {
        self.field("securityContext")
            .map(|(k, _)| Pos::of(k))
            .unwrap_or(self.pos())
    }

    /// The effective value of a field both contexts have: the container's wins.
    pub fn effective(&self, key: &str) -> Option<(&'a Node, &'a Node, Level)> {
        self.security(key)
            .map(|(k, v)| (k, v, Level::Container))
            .or_else(|| self.pod.security(key).map(|(k, v)| (k, v, Level::Pod)))
    }

    pub fn image(&self) -> Option<(&'a Node, &'a str)> {
        self.field("image").and_then(|(k, v)| text(v).map(|t| (k, t)))
    }

    /// containerPort numbers and names.
    pub fn ports(&self) -> Vec<(String, Option<String>)> {
        self.field("ports")
            .map(|(_, v)| items(v))
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                Some((
                    text(get(p, "containerPort")?)?.to_string(),
                    get_str(p, "name").map(str::to_string),
                ))
            })
            .collect()
    }
}

/// Do these labels satisfy this selector (every selector label present with its value)?
pub fn selects(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

pub fn image_ref(s: &str) -> ImageRef {
    let s = s.trim();
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (s, None),
    };
    // A tag is after the last ':' that follows the last '/' (a registry port is not a tag).
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            ImageRef {
                name: rest[..at].to_string(),
                tag: Some(rest[at + 1..].to_string()),
                digest,
            }
        }
        None => ImageRef {
            name: rest.to_string(),
            tag: None,
            digest,
        },
    }
}

/// Tags that name a moving target rather than a release.
pub fn mutable_tag(tag: &str) -> bool {
    matches!(
        tag.to_ascii_lowercase().as_str(),
        "latest"
            | "main"
            | "master"
            | "dev"
            | "develop"
            | "edge"
            | "nightly"
            | "head"
            | "canary"
            | "stable"
            | "snapshot"
    )
}
