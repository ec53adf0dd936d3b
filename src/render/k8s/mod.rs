//! Raw Kubernetes manifests, built as typed objects from the deployment model.
//!
//! The objects are `k8s-openapi` structs rather than text templates, so a misspelt field
//! or a wrong nesting is a compile error, not something a cluster rejects later. They are
//! serialised with [`crate::yaml::to_string`], one object per file.
//!
//! # File names
//!
//! `k8s/<NN>-<name>-<kind>.yaml`. `kubectl apply -f k8s/` applies files in lexical order,
//! so the two-digit prefix is the apply order:
//!
//! | NN | kinds | why here |
//! |---|---|---|
//! | 00 | Namespace | everything else lives in it |
//! | 05 | NetworkPolicy `default-deny`, `allow-dns` | no pod ever runs without a policy, not even for a moment |
//! | 10 | ServiceAccount | pods referencing a missing account are rejected |
//! | 15 | NetworkPolicy per workload | its traffic is allowed before its pods start |
//! | 20 | ConfigMap | `envFrom` of a missing ConfigMap keeps the pod from starting |
//! | 30 | Deployment, StatefulSet | after everything their pods reference |
//! | 40 | Service | selects the pods above (order does not matter to the API; it reads well) |
//! | 50 | Ingress | points at a Service |
//! | 60 | PodDisruptionBudget | only protects pods that exist |
//!
//! # Secure by default
//!
//! The namespace enforces the `restricted` Pod Security Standard, so a hand edit that
//! weakens a pod is refused by the API server rather than deployed. Every pod has its own
//! ServiceAccount without a token, runs as a numeric non-root user with a read-only root
//! file system, no capabilities and the runtime's seccomp profile, and writes only to the
//! `emptyDir` volumes the model lists.
//!
//! # Secrets under the names the application reads
//!
//! No Secret object is ever written: secrets are created from the CLI (`quickstart.md`),
//! and the manifests only name them. Each [`SecretRef`](crate::model::deploy::SecretRef)
//! reaches the process the way its code reads it: by default the variable itself, from
//! `env[].valueFrom.secretKeyRef` (an application reading `DATABASE_URL` that is given only a
//! file does not start); when the code reads `<ENV>_FILE`, or a constitution rule demands
//! files, the Secret is mounted read-only at `/var/run/secrets/<secret>/` with only the
//! referenced keys and the container gets `<ENV>_FILE=/var/run/secrets/<secret>/<key>`
//! ([`secret_file_env`], [`secret_file`]). checkov's CKV_K8S_35 ("prefer files") is skipped
//! by default for that reason (research.md says so). Secret variables are set on the
//! container, never in the ConfigMap. In-cluster services keep files: PostgreSQL reads
//! `POSTGRES_PASSWORD_FILE` itself, Redis gets its password through a start-up shell.
//!
//! # Network policies
//!
//! See `network.rs`: everything is denied, then DNS, then exactly the edges the model's
//! `depends_on` implies, then public ingress for exposed components and HTTPS egress for
//! components holding credentials of external APIs.
//!
//! # The Helm chart says the same
//!
//! `render::helm` builds its values from the functions here (probes, engines, volumes,
//! egress), and its templates render these objects again; `scripts/helm-equivalence` and
//! the helm module's tests compare the two object by object. Where the chart's values are
//! maps keyed by name (writable folders, egress targets), the lists here follow the same
//! name order: `emptyDir` volumes and their mounts sorted by volume name, then one volume per
//! Secret by Secret name; egress rules to pods sorted by target name, then the public ports.

pub(crate) mod network;
pub(crate) mod workload;

pub use workload::{HEARTBEAT_FILE, SECRETS_ROOT, secret_file};

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use crate::model::deploy::{BackingService, Component, Deployment, Role, ServiceKind, ServiceMode, ServiceType};

/// One generated object and the file it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Relative to the feature's output folder: `k8s/30-api-deployment.yaml`.
    pub path: String,
    pub kind: String,
    pub name: String,
    pub text: String,
}

/// Every object of the raw deployment, sorted by path (which is the apply order).
pub fn manifests(d: &Deployment) -> Vec<Manifest> {
    let mut out = vec![emit("00", &namespace(d))];
    out.extend(network::namespace_policies(d).iter().map(|p| emit("05", p)));
    for c in &d.components {
        out.push(emit("10", &service_account(d, &Who::component(c))));
        out.push(emit("15", &network::component_policy(d, c)));
        out.push(emit("20", &config_map(d, c)));
        out.push(emit("30", &workload::deployment(d, c)));
        if let Some(svc) = component_service(d, c) {
            out.push(emit("40", &svc));
        }
        if let Some(ing) = ingress(d, c) {
            out.push(emit("50", &ing));
        }
        if let Some(pdb) = disruption_budget(d, c) {
            out.push(emit("60", &pdb));
        }
    }
    for s in d.backing_services.iter().filter(|s| in_cluster(s)) {
        out.push(emit("10", &service_account(d, &Who::service(s))));
        out.push(emit("15", &network::service_policy(d, s)));
        out.push(emit("30", &workload::stateful_set(d, s)));
        out.push(emit("40", &headless_service(d, s)));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The variable that names the file a [`SecretRef`](crate::model::deploy::SecretRef) is
/// mounted at: what the application reads instead of the secret itself.
pub fn secret_file_env(s: &crate::model::deploy::SecretRef) -> String {
    format!("{}_FILE", s.env)
}

/// The file of one object: `k8s/<order>-<name>-<kind>.yaml`, so `kubectl apply -f k8s/`
/// applies in order. Public so the quickstart can name a single file.
pub fn manifest_path(order: &str, name: &str, kind: &str) -> String {
    format!("k8s/{order}-{name}-{}.yaml", kind.to_lowercase())
}

/// The Namespace's file, which the quickstart applies before creating the Secrets.
pub fn namespace_path(d: &Deployment) -> String {
    manifest_path("00", &d.namespace.value, "Namespace")
}

fn emit<K>(order: &str, obj: &K) -> Manifest
where
    K: k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta> + Serialize,
{
    let name = obj.metadata().name.clone().unwrap_or_default();
    Manifest {
        path: manifest_path(order, &name, K::KIND),
        kind: K::KIND.to_string(),
        name,
        text: crate::yaml::to_string(obj),
    }
}

pub(crate) fn in_cluster(s: &BackingService) -> bool {
    s.mode.value == ServiceMode::InCluster
}

/// The identity a workload's labels are made of.
pub(crate) struct Who<'a> {
    pub name: &'a str,
    pub version: String,
    pub component: &'static str,
}

impl<'a> Who<'a> {
    pub fn component(c: &'a Component) -> Self {
        let component = match c.role.value {
            Role::Frontend => "frontend",
            Role::Backend => "backend",
            Role::Worker => "worker",
        };
        Who {
            name: &c.name,
            version: c.image.tag.value.clone(),
            component,
        }
    }

    pub fn service(s: &'a BackingService) -> Self {
        let component = match s.kind {
            ServiceKind::Postgres => "database",
            ServiceKind::Redis => "cache",
        };
        // The image tag says more than the major version the inputs gave (`7.4.6-alpine3.22`
        // rather than `7`), and it is what actually runs.
        let version = s
            .image
            .as_ref()
            .and_then(|i| image_tag(&i.value))
            .unwrap_or_else(|| s.version.value.clone());
        Who {
            name: &s.name,
            version,
            component,
        }
    }
}

pub(crate) fn image_tag(image: &str) -> Option<String> {
    let without_digest = image.split('@').next()?;
    let last = without_digest.rsplit('/').next()?;
    last.split_once(':').map(|(_, tag)| tag.to_string())
}

/// The recommended labels (kubernetes.io common labels).
pub(crate) fn labels(d: &Deployment, who: &Who) -> BTreeMap<String, String> {
    let mut l = selector_labels(d, who.name);
    l.insert("app.kubernetes.io/version".into(), label_value(&who.version));
    l.insert("app.kubernetes.io/component".into(), who.component.into());
    l.insert("app.kubernetes.io/part-of".into(), label_value(&d.app.value));
    l.insert("app.kubernetes.io/managed-by".into(), "sp".into());
    l
}

/// Only the labels that never change for the life of a workload: a selector is immutable
/// on a Deployment, so a version in it would make every upgrade a delete and recreate.
pub(crate) fn selector_labels(d: &Deployment, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), label_value(name)),
        ("app.kubernetes.io/instance".to_string(), label_value(&d.app.value)),
    ])
}

pub(crate) fn selector(d: &Deployment, name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(selector_labels(d, name)),
        ..Default::default()
    }
}

/// A label value the API server accepts: at most 63 of `[A-Za-z0-9._-]`, alphanumeric at
/// both ends. Image tags may hold `+` (SemVer build metadata), which labels may not.
pub(crate) fn label_value(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cut: String = mapped.chars().take(63).collect();
    cut.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
}

pub(crate) fn meta(d: &Deployment, name: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(d.namespace.value.clone()),
        labels: Some(labels),
        ..Default::default()
    }
}

/// Labels of the objects that belong to the whole application rather than one workload.
pub(crate) fn app_labels(d: &Deployment) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/part-of".to_string(), label_value(&d.app.value)),
        ("app.kubernetes.io/managed-by".to_string(), "sp".to_string()),
    ])
}

fn namespace(d: &Deployment) -> Namespace {
    let mut l = app_labels(d);
    // Pinning the standard's version to the targeted Kubernetes keeps an upgrade of the
    // cluster from tightening the rules under running pods; `latest` when it is unknown.
    let version = psa_version(&d.platform.kubernetes_version.value);
    for mode in ["enforce", "audit", "warn"] {
        l.insert(format!("pod-security.kubernetes.io/{mode}"), "restricted".into());
        l.insert(format!("pod-security.kubernetes.io/{mode}-version"), version.clone());
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(d.namespace.value.clone()),
            labels: Some(l),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn psa_version(k8s: &str) -> String {
    let mut parts = k8s.trim_start_matches('v').split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor))
            if !major.is_empty()
                && !minor.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("v{major}.{minor}")
        }
        _ => "latest".into(),
    }
}

/// One account per workload, so a later RoleBinding grants one workload, not all; without
/// a token, because none of them talks to the API server.
fn service_account(d: &Deployment, who: &Who) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(d, who.name, labels(d, who)),
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

pub(crate) fn config_map_name(c: &Component) -> String {
    format!("{}-config", c.name)
}

fn config_map(d: &Deployment, c: &Component) -> ConfigMap {
    let data: BTreeMap<String, String> = c.config.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
    ConfigMap {
        metadata: meta(d, &config_map_name(c), labels(d, &Who::component(c))),
        data: (!data.is_empty()).then_some(data),
        ..Default::default()
    }
}

/// The name of the container and Service port: probes and the Ingress refer to it, so a
/// port number changes in one place.
pub(crate) const HTTP_PORT_NAME: &str = "http";

fn component_service(d: &Deployment, c: &Component) -> Option<Service> {
    let port = c.port.as_ref()?.value;
    let type_ = match c.exposure.service_type.value {
        ServiceType::ClusterIP => "ClusterIP",
        ServiceType::NodePort => "NodePort",
        ServiceType::LoadBalancer => "LoadBalancer",
    };
    Some(Service {
        metadata: meta(d, &c.name, labels(d, &Who::component(c))),
        spec: Some(ServiceSpec {
            type_: Some(type_.into()),
            selector: Some(selector_labels(d, &c.name)),
            ports: Some(vec![ServicePort {
                name: Some(HTTP_PORT_NAME.into()),
                port: port.into(),
                target_port: Some(IntOrString::String(HTTP_PORT_NAME.into())),
                protocol: Some("TCP".into()),
                node_port: c.exposure.node_port.as_ref().map(|p| p.value.into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
}

pub(crate) fn service_port_name(s: &BackingService) -> &'static str {
    match s.kind {
        ServiceKind::Postgres => "postgres",
        ServiceKind::Redis => "redis",
    }
}

/// Headless: the StatefulSet needs a governing Service for stable pod names, and clients
/// reach the single pod directly by the Service name.
fn headless_service(d: &Deployment, s: &BackingService) -> Service {
    Service {
        metadata: meta(d, &s.name, labels(d, &Who::service(s))),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(selector_labels(d, &s.name)),
            ports: Some(vec![ServicePort {
                name: Some(service_port_name(s).into()),
                port: s.port.into(),
                target_port: Some(IntOrString::String(service_port_name(s).into())),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The controller the Ingress is written for; minikube's `ingress` addon installs it.
pub(crate) const INGRESS_CLASS: &str = "nginx";

fn ingress(d: &Deployment, c: &Component) -> Option<Ingress> {
    let host = c.exposure.ingress_host.as_ref()?;
    c.port.as_ref()?;
    Some(Ingress {
        metadata: meta(d, &c.name, labels(d, &Who::component(c))),
        spec: Some(IngressSpec {
            ingress_class_name: Some(INGRESS_CLASS.into()),
            rules: Some(vec![IngressRule {
                host: Some(host.value.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: c.name.clone(),
                                port: Some(ServiceBackendPort {
                                    name: Some(HTTP_PORT_NAME.into()),
                                    number: None,
                                }),
                            }),
                            ..Default::default()
                        },
                    }],
                }),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Only with two replicas or more: with one, `maxUnavailable: 1` allows evicting the only
/// pod anyway, and `0` would block every node drain.
fn disruption_budget(d: &Deployment, c: &Component) -> Option<PodDisruptionBudget> {
    if c.replicas.value < 2 {
        return None;
    }
    Some(PodDisruptionBudget {
        metadata: meta(d, &c.name, labels(d, &Who::component(c))),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(selector(d, &c.name)),
            // A pod that never became ready must not block a drain: it serves nothing.
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// `"1"` → 1, `"25%"` stays a string: the API treats the two differently.
pub(crate) fn int_or_string(s: &str) -> IntOrString {
    match s.trim().parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(s.trim().to_string()),
    }
}

#[cfg(test)]
mod tests;
