//! The chart's values as a Rust type: what `values.yaml`, `values-local.yaml` and
//! `values-production.yaml` hold, and what `values.schema.json` is generated from.
//!
//! Every field's doc comment begins with its key, as Helm's best practices ask of the
//! comments in `values.yaml`: the same sentence becomes the schema's `description` and the
//! comment above the key (see `yaml/commented.rs`). Keys are camelCase; workloads, Secrets, folders
//! and configuration are maps keyed by name, so `--set components.api.replicas=3` works.
//! Every struct refuses unknown keys (`deny_unknown_fields` becomes
//! `additionalProperties: false`), so a typo fails `helm lint` and `helm install`.
//!
//! The values are data derived from the model, never secrets: a secret is named by its
//! Secret and key, which the cluster already holds.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::deploy::{BackingService, Component, Deployment, Role, ServiceKind, ServiceType};
use crate::render::k8s::{self, network, workload};

/// Which file the values are for. The files layer: `values.yaml` holds every key, and an
/// environment file changes a few of them (`-f values-local.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// `values.yaml`: safe defaults. One replica each, nothing exposed outside the cluster.
    Defaults,
    /// `values-local.yaml` merged over the defaults: what the raw manifests deploy.
    Local,
    /// `values-production.yaml` merged over the defaults.
    Production,
}

/// The values of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Helm values")]
pub struct Values {
    /// nameOverride replaces the chart name in the `app.kubernetes.io/part-of` label and in the names of the test hooks.
    pub name_override: String,
    /// fullnameOverride replaces the release-based prefix (`<release>` or `<release>-<chart>`) of the test hooks' names; workloads keep their component names.
    pub fullname_override: String,
    /// imageRegistry is prepended, with a slash, to the repository of every component image (the images built from this repository); empty for images loaded into a local cluster.
    pub image_registry: String,
    /// rollout is how every workload replaces and stops its pods.
    pub rollout: Rollout,
    /// podDisruptionBudget limits voluntary evictions (node drains) of components running at least two replicas.
    pub pod_disruption_budget: DisruptionBudget,
    /// networkPolicy denies all traffic in the namespace, then allows DNS and exactly the connections each workload needs.
    pub network_policy: NetworkPolicy,
    /// components are the workloads built from this repository, each a Deployment with its ServiceAccount, ConfigMap, Service, Ingress, PodDisruptionBudget and NetworkPolicy, keyed by name.
    #[schemars(extend("propertyNames" = { "pattern": DNS_LABEL, "maxLength": 63 }))]
    pub components: BTreeMap<String, ComponentValues>,
    /// backingServices are the databases and caches run inside the cluster, each a StatefulSet with a headless Service, keyed by name. External services are not here: components reach them with the URL in their Secret.
    #[schemars(extend("propertyNames" = { "pattern": DNS_LABEL, "maxLength": 63 }))]
    pub backing_services: BTreeMap<String, BackingValues>,
    /// tests are the `helm test` hooks: one pod per HTTP component asks its readiness endpoint through its Service.
    pub tests: Tests,
}

/// A DNS-1123 label: workload and volume names.
const DNS_LABEL: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// An environment variable name.
const ENV_NAME: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// A Kubernetes quantity (`100m`, `1.5`, `512Mi`).
const QUANTITY: &str = "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollout {
    /// maxSurge is how many pods a rolling update may add above the replica count (a number, or a percentage such as "25%").
    pub max_surge: IntOrPercent,
    /// maxUnavailable is how many pods may be missing during a rolling update; 0 keeps full capacity while new pods start.
    pub max_unavailable: IntOrPercent,
    /// revisionHistoryLimit is how many old ReplicaSets and revisions are kept for `kubectl rollout undo`.
    pub revision_history_limit: u32,
    /// terminationGracePeriodSeconds is how long a stopping pod has, preStop sleep included, before it is killed.
    #[schemars(range(min = 1))]
    pub termination_grace_period_seconds: u32,
    /// preStopSleepSeconds is how long a stopping pod keeps serving while Services and Ingresses stop sending it traffic.
    pub pre_stop_sleep_seconds: u32,
}

/// A count or a percentage (`1`, `"25%"`), as Kubernetes' IntOrString fields take them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(u32),
    Percent(String),
}

impl JsonSchema for IntOrPercent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IntOrPercent".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+%$" }
            ]
        })
    }
}

impl IntOrPercent {
    /// `"1"` → 1, `"25%"` stays a string, as the raw manifests read the model.
    fn from_model(s: &str) -> Self {
        match s.trim().parse::<u32>() {
            Ok(n) => IntOrPercent::Int(n),
            Err(_) => IntOrPercent::Percent(s.trim().to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisruptionBudget {
    /// enabled creates a PodDisruptionBudget for every component with two replicas or more (with one, a budget either blocks every drain or protects nothing).
    pub enabled: bool,
    /// maxUnavailable is how many pods of a component a drain may evict at once.
    pub max_unavailable: IntOrPercent,
    /// unhealthyPodEvictionPolicy: AlwaysAllow lets a drain evict pods that never became ready, which serve nothing.
    pub unhealthy_pod_eviction_policy: EvictionPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum EvictionPolicy {
    IfHealthyBudget,
    AlwaysAllow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicy {
    /// enabled creates the NetworkPolicies: default-deny, allow-dns and one per workload (and per test pod).
    pub enabled: bool,
    /// dnsNamespace is the namespace of the cluster DNS pods every pod may query on port 53.
    pub dns_namespace: String,
    /// dnsPodLabels are the labels of the cluster DNS pods.
    pub dns_pod_labels: BTreeMap<String, String>,
    /// publicCidrs are the address blocks that count as public, each with the private, shared and link-local ranges it excludes: a workload allowed out to the internet still cannot reach other pods, the nodes or the cloud metadata endpoint.
    pub public_cidrs: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoscalingValues {
    /// enabled creates the HorizontalPodAutoscaler and drops `replicas` from the Deployment.
    pub enabled: bool,
    /// minReplicas is the fewest pods the autoscaler keeps.
    #[schemars(range(min = 1))]
    pub min_replicas: u32,
    /// maxReplicas is the most pods the autoscaler starts.
    #[schemars(range(min = 1))]
    pub max_replicas: u32,
    /// targetCPUUtilizationPercentage is the average CPU use, as a share of the request, above
    /// which the autoscaler adds pods.
    #[serde(rename = "targetCPUUtilizationPercentage")]
    #[schemars(range(min = 1, max = 100))]
    pub target_cpu_utilization_percentage: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentValues {
    /// role is the `app.kubernetes.io/component` label.
    pub role: Role,
    /// image is the component's container image.
    pub image: Image,
    /// replicas is the number of pods (the autoscaler's minimum when autoscaling is on).
    pub replicas: u32,
    /// autoscaling is a HorizontalPodAutoscaler (autoscaling/v2) on CPU, set in production
    /// when the spec or plan states a load or availability goal; the Deployment then leaves
    /// its replica count to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingValues>,
    /// port is the container port, named `http`, that the Service, the probes and the Ingress use; workloads without one take no traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// service is how the component's Service is reached (only with a port).
    pub service: ServiceValues,
    /// ingress routes a host name to the Service through an ingress controller (only with a port).
    pub ingress: IngressValues,
    /// livenessProbe restarts the container when it fails.
    pub liveness_probe: ProbeValues,
    /// readinessProbe takes the pod out of its Service while it fails.
    pub readiness_probe: ProbeValues,
    /// startupProbe holds the other probes back until the process has started.
    pub startup_probe: ProbeValues,
    /// resources are the container's requests and limits.
    pub resources: ResourceValues,
    /// runAsUser is the numeric user the process runs as (the Dockerfile's; 10000 or more).
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// runAsGroup is the process's numeric group, also the owner group of its volumes.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
    /// config is the non-secret configuration, delivered as environment variables through the ConfigMap `<component>-config`.
    #[schemars(extend("propertyNames" = { "pattern": ENV_NAME }))]
    pub config: BTreeMap<String, String>,
    /// secrets are read from existing Secrets, keyed by the variable the application reads: the variable itself (secretKeyRef), or a read-only file named by `<VARIABLE>_FILE` when asFile is set.
    #[schemars(extend("propertyNames" = { "pattern": ENV_NAME }))]
    pub secrets: BTreeMap<String, SecretKey>,
    /// writableDirs are the folders the process may write to under its read-only root file system, each an emptyDir volume keyed by volume name.
    #[schemars(extend("propertyNames" = { "pattern": DNS_LABEL, "maxLength": 58 }))]
    pub writable_dirs: BTreeMap<String, WritableDir>,
    /// heartbeatFile is, for a worker, the file its loop may touch to prove it is alive (set as HEARTBEAT_FILE; the liveness probe checks its age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_file: Option<String>,
    /// networkPolicy is the traffic the component's NetworkPolicy allows.
    pub network_policy: WorkloadPolicy,
    /// serviceAccount is the identity of the component's pods.
    pub service_account: ServiceAccountValues,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    /// repository is the image name, without tag.
    #[schemars(length(min = 1))]
    pub repository: String,
    /// tag is the image tag; empty for the chart's appVersion.
    pub tag: String,
    /// digest pins the image to a content digest (`sha256:…`) on top of the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^sha256:[a-f0-9]{64}$"))]
    pub digest: Option<String>,
    /// pullPolicy is IfNotPresent for fixed tags, Never for images loaded into the cluster by hand.
    pub pull_policy: PullPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    fn from_model(s: &str) -> Self {
        match s {
            "Always" => PullPolicy::Always,
            "Never" => PullPolicy::Never,
            _ => PullPolicy::IfNotPresent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceValues {
    /// type is ClusterIP (inside the cluster), NodePort (a port on every node) or LoadBalancer (an external address).
    #[serde(rename = "type")]
    pub type_: ServiceType,
    /// nodePort is the port every node opens when type is NodePort (30000-32767); left out, Kubernetes picks a free one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 30000, max = 32767))]
    pub node_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngressValues {
    /// enabled creates the Ingress; it needs a host.
    pub enabled: bool,
    /// className is the IngressClass of the controller that serves it (minikube's ingress addon installs nginx).
    #[schemars(length(min = 1))]
    pub class_name: String,
    /// host is the host name the Ingress answers for.
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeValues {
    /// httpGet asks an HTTP path on a named port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGet>,
    /// tcpSocket opens a connection to a named port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocket>,
    /// exec runs a command in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecValues>,
    /// periodSeconds is how often the probe runs.
    #[schemars(range(min = 1))]
    pub period_seconds: u32,
    /// timeoutSeconds is how long one check may take.
    #[schemars(range(min = 1))]
    pub timeout_seconds: u32,
    /// failureThreshold is how many failures in a row count as failed.
    #[schemars(range(min = 1))]
    pub failure_threshold: u32,
    /// successThreshold is how many successes in a row count as passed.
    #[schemars(range(min = 1))]
    pub success_threshold: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpGet {
    /// path is the HTTP path asked.
    pub path: String,
    /// port is the name of the container port.
    pub port: String,
    /// scheme is HTTP or HTTPS.
    pub scheme: Scheme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Scheme {
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTPS")]
    Https,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TcpSocket {
    /// port is the name of the container port.
    pub port: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecValues {
    /// command is run without a shell unless it starts one.
    pub command: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceValues {
    /// requests are what the scheduler reserves for the container.
    pub requests: CpuMemory,
    /// limits are the most the container may use: more memory kills it, more CPU throttles it.
    pub limits: CpuMemory,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CpuMemory {
    /// cpu in cores or millicores ("100m").
    #[schemars(regex(pattern = QUANTITY))]
    pub cpu: String,
    /// memory in bytes with a unit ("128Mi").
    #[schemars(regex(pattern = QUANTITY))]
    pub memory: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKey {
    /// secretName is the existing Secret, created from the command line (never from a file in the repository).
    #[schemars(regex(pattern = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"), length(max = 253))]
    pub secret_name: String,
    /// key is the key inside that Secret.
    #[schemars(regex(pattern = "^[-._a-zA-Z0-9]+$"))]
    pub key: String,
    /// asFile mounts the key as a read-only file named by `<VARIABLE>_FILE`, for code that reads that; otherwise the variable itself is set from the Secret (secretKeyRef).
    pub as_file: bool,
    /// optional lets the pod start when the Secret lacks the key: the code does without it (an alias of another variable it reads first).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WritableDir {
    /// mountPath is the folder.
    #[schemars(regex(pattern = "^/"))]
    pub mount_path: String,
    /// medium Memory keeps what is written there off the node's disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Medium>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Medium {
    Memory,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadPolicy {
    /// ingressFrom are the components allowed to connect to the port; a port exposed by NodePort, LoadBalancer or Ingress is open to every source instead.
    pub ingress_from: Vec<String>,
    /// egressTo are the workloads of this release the pods may connect to, by name, with their port.
    #[schemars(extend("propertyNames" = { "pattern": DNS_LABEL }))]
    pub egress_to: BTreeMap<String, Port>,
    /// egressPublic are the ports the pods may reach on public addresses (external services, HTTPS APIs).
    pub egress_public: Vec<Port>,
}

/// A port number, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Port(pub u16);

impl JsonSchema for Port {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Port".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "minimum": 1, "maximum": 65535 })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccountValues {
    /// create makes a ServiceAccount for the workload (without an API token: no workload talks to the API server).
    pub create: bool,
    /// name is the ServiceAccount's name; empty for the workload's name, or for `default` when create is false.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackingValues {
    /// role is the `app.kubernetes.io/component` label.
    pub role: BackingRole,
    /// image is the service's pinned public image.
    pub image: Image,
    /// portName names the port in the container, the Service and the probes.
    #[schemars(regex(pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), length(max = 15))]
    pub port_name: String,
    /// port is the port the service listens on.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// command replaces the image's entrypoint.
    pub command: Vec<String>,
    /// args are the arguments of the command.
    pub args: Vec<String>,
    /// env are plain environment variables of the container.
    #[schemars(extend("propertyNames" = { "pattern": ENV_NAME }))]
    pub env: BTreeMap<String, String>,
    /// secrets are read from existing Secrets, keyed by variable: a read-only file named by `<VARIABLE>_FILE` when asFile is set, else the variable itself (secretKeyRef).
    #[schemars(extend("propertyNames" = { "pattern": ENV_NAME }))]
    pub secrets: BTreeMap<String, SecretKey>,
    /// dataDir is where the PersistentVolumeClaim `data` is mounted.
    #[schemars(regex(pattern = "^/"))]
    pub data_dir: String,
    /// storage is the size of the PersistentVolumeClaim; it is kept when the StatefulSet is deleted or scaled in.
    #[schemars(regex(pattern = QUANTITY))]
    pub storage: String,
    /// writableDirs are the folders the process may write to besides its data, each an emptyDir volume keyed by volume name.
    #[schemars(extend("propertyNames" = { "pattern": DNS_LABEL, "maxLength": 58 }))]
    pub writable_dirs: BTreeMap<String, WritableDir>,
    /// livenessProbe restarts the container when it fails.
    pub liveness_probe: ProbeValues,
    /// readinessProbe takes the pod out of its Service while it fails.
    pub readiness_probe: ProbeValues,
    /// startupProbe holds the other probes back until the server has started.
    pub startup_probe: ProbeValues,
    /// resources are the container's requests and limits.
    pub resources: ResourceValues,
    /// runAsUser is the numeric user the server runs as.
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// runAsGroup is the server's numeric group, also the owner group of its volumes.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
    /// networkPolicy is the traffic the service's NetworkPolicy allows.
    pub network_policy: WorkloadPolicy,
    /// serviceAccount is the identity of the service's pod.
    pub service_account: ServiceAccountValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackingRole {
    Database,
    Cache,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tests {
    /// enabled renders the test pods and their NetworkPolicies (`helm test` runs them).
    pub enabled: bool,
    /// image is the pinned image of the test pods; it needs `sh` and `wget`.
    pub image: Image,
    /// runAsUser is the numeric user of the test pods.
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// runAsGroup is the numeric group of the test pods.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
    /// resources are the test container's requests and limits.
    pub resources: ResourceValues,
}

/// The user and group of the test pods: `nobody`, which busybox knows and which is above
/// the 10000 that checkov (CKV_K8S_40) asks for.
const TEST_UID: u32 = 65534;

/// The image of the test pods: small, pinned, with `sh` and `wget`.
pub const TEST_IMAGE_REPOSITORY: &str = "busybox";
pub const TEST_IMAGE_TAG: &str = "1.37";

/// The values of one layer, computed from the model.
pub fn values(d: &Deployment, layer: Layer) -> Values {
    Values {
        name_override: String::new(),
        fullname_override: String::new(),
        image_registry: String::new(),
        rollout: Rollout {
            max_surge: IntOrPercent::from_model(&d.rollout.max_surge.value),
            max_unavailable: IntOrPercent::from_model(&d.rollout.max_unavailable.value),
            revision_history_limit: workload::REVISION_HISTORY_LIMIT as u32,
            termination_grace_period_seconds: workload::grace_seconds(d) as u32,
            pre_stop_sleep_seconds: d.rollout.pre_stop_sleep_seconds.value,
        },
        pod_disruption_budget: DisruptionBudget {
            enabled: true,
            max_unavailable: IntOrPercent::Int(1),
            unhealthy_pod_eviction_policy: EvictionPolicy::AlwaysAllow,
        },
        network_policy: NetworkPolicy {
            enabled: true,
            dns_namespace: network::DNS_NAMESPACE.into(),
            dns_pod_labels: network::DNS_POD_LABELS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            public_cidrs: BTreeMap::from([
                (
                    network::PUBLIC_V4.to_string(),
                    network::PRIVATE_V4.iter().map(|s| s.to_string()).collect(),
                ),
                (
                    network::PUBLIC_V6.to_string(),
                    network::PRIVATE_V6.iter().map(|s| s.to_string()).collect(),
                ),
            ]),
        },
        components: d
            .components
            .iter()
            .map(|c| (c.name.clone(), component(d, c, layer)))
            .collect(),
        backing_services: d
            .backing_services
            .iter()
            .filter(|s| k8s::in_cluster(s))
            .map(|s| (s.name.clone(), backing(d, s)))
            .collect(),
        tests: Tests {
            enabled: true,
            image: Image {
                repository: TEST_IMAGE_REPOSITORY.into(),
                tag: TEST_IMAGE_TAG.into(),
                digest: None,
                pull_policy: PullPolicy::IfNotPresent,
            },
            run_as_user: TEST_UID,
            run_as_group: TEST_UID,
            resources: ResourceValues {
                requests: CpuMemory {
                    cpu: "10m".into(),
                    memory: "16Mi".into(),
                },
                limits: CpuMemory {
                    cpu: "100m".into(),
                    memory: "32Mi".into(),
                },
            },
        },
    }
}

/// Replicas of a component in production: the model's production count (2 unless an input
/// says otherwise), never fewer than it runs locally. An input asking for one replica gets
/// it, and the gates then say what that costs (replicas-min-2, the disruption budget).
pub fn production_replicas(d: &Deployment, c: &Component) -> u32 {
    d.rollout.production_replicas.value.max(c.replicas.value)
}

/// How a component is exposed in a layer: its Service type and whether its Ingress is on.
/// Production replaces a NodePort (a port on every node, fine for minikube) by an Ingress
/// when the model names a host, or by a LoadBalancer.
pub fn exposure(c: &Component, layer: Layer) -> (ServiceType, bool) {
    let host = c.exposure.ingress_host.is_some() && c.port.is_some();
    match layer {
        Layer::Defaults => (ServiceType::ClusterIP, false),
        Layer::Local => (c.exposure.service_type.value, host),
        Layer::Production if host => (ServiceType::ClusterIP, true),
        Layer::Production if network::is_public(c) => (ServiceType::LoadBalancer, false),
        Layer::Production => (ServiceType::ClusterIP, false),
    }
}

fn component(d: &Deployment, c: &Component, layer: Layer) -> ComponentValues {
    let probes = workload::component_probes(c);
    let (service_type, ingress) = exposure(c, layer);
    ComponentValues {
        role: c.role.value,
        image: Image {
            repository: c.image.repository.value.clone(),
            tag: c.image.tag.value.clone(),
            digest: None,
            pull_policy: match layer {
                Layer::Local => PullPolicy::from_model(&c.image.pull_policy.value),
                Layer::Defaults | Layer::Production => PullPolicy::IfNotPresent,
            },
        },
        replicas: match layer {
            Layer::Defaults => 1,
            Layer::Local => c.replicas.value,
            Layer::Production => production_replicas(d, c),
        },
        autoscaling: match (layer, &d.autoscaling) {
            (Layer::Production, Some(a)) if a.components.contains(&c.name) => Some(AutoscalingValues {
                enabled: true,
                min_replicas: production_replicas(d, c),
                max_replicas: a.max_replicas.value.max(production_replicas(d, c)),
                target_cpu_utilization_percentage: a.target_cpu_percent.value,
            }),
            _ => None,
        },
        port: c.port.as_ref().map(|p| p.value),
        service: ServiceValues {
            type_: service_type,
            node_port: c
                .exposure
                .node_port
                .as_ref()
                .map(|p| p.value)
                .filter(|_| service_type == ServiceType::NodePort),
        },
        ingress: IngressValues {
            enabled: ingress,
            class_name: k8s::INGRESS_CLASS.into(),
            host: c
                .exposure
                .ingress_host
                .as_ref()
                .map(|h| h.value.clone())
                .unwrap_or_default(),
        },
        liveness_probe: probe(&probes.liveness),
        readiness_probe: probe(&probes.readiness),
        startup_probe: probe(&probes.startup),
        resources: resources(&workload::resources(&c.resources)),
        run_as_user: c.uid.value,
        run_as_group: c.gid,
        config: c.config.iter().map(|v| (v.name.clone(), v.value.clone())).collect(),
        secrets: secrets(&c.secrets),
        writable_dirs: writable_dirs(workload::component_scratch_dirs(c).into_iter().map(|d| (d, false))),
        heartbeat_file: c.port.is_none().then(|| workload::HEARTBEAT_FILE.to_string()),
        network_policy: {
            let e = network::egress(d, c);
            WorkloadPolicy {
                ingress_from: network::callers(d, &c.name).map(|x| x.name.clone()).collect(),
                egress_to: e.pods.into_iter().map(|(k, v)| (k, Port(v))).collect(),
                egress_public: e.public_ports.into_iter().map(Port).collect(),
            }
        },
        service_account: ServiceAccountValues {
            create: true,
            name: String::new(),
        },
    }
}

fn backing(d: &Deployment, s: &BackingService) -> BackingValues {
    let e = workload::engine(s);
    let probes = workload::service_probes(&e);
    let secrets = secrets([&s.secret]);
    let image = workload::backing_image(s);
    let (repository, tag) = split_image(&image);
    BackingValues {
        role: match s.kind {
            ServiceKind::Postgres => BackingRole::Database,
            ServiceKind::Redis => BackingRole::Cache,
        },
        image: Image {
            repository,
            tag,
            digest: None,
            pull_policy: PullPolicy::IfNotPresent,
        },
        port_name: k8s::service_port_name(s).into(),
        port: s.port,
        command: e.command.clone().unwrap_or_default(),
        args: e.args.clone().unwrap_or_default(),
        // The `<ENV>_FILE` of the service's own Secret comes from `secrets`.
        env: e
            .env
            .iter()
            .filter(|v| !secrets.keys().any(|k| format!("{k}_FILE") == v.name))
            .map(|v| (v.name.clone(), v.value.clone().unwrap_or_default()))
            .collect(),
        secrets,
        data_dir: e.data_dir.into(),
        storage: s
            .storage
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_else(|| workload::DEFAULT_STORAGE.into()),
        writable_dirs: writable_dirs(e.scratch.iter().map(|d| (*d, true))),
        liveness_probe: probe(&probes.liveness),
        readiness_probe: probe(&probes.readiness),
        startup_probe: probe(&probes.startup),
        resources: resources(&e.resources),
        run_as_user: s.uid,
        run_as_group: s.uid,
        network_policy: WorkloadPolicy {
            ingress_from: network::callers(d, &s.name).map(|x| x.name.clone()).collect(),
            egress_to: BTreeMap::new(),
            egress_public: Vec::new(),
        },
        service_account: ServiceAccountValues {
            create: true,
            name: String::new(),
        },
    }
}

/// `redis:7.4.6-alpine3.22` → (`redis`, `7.4.6-alpine3.22`); a registry port is not a tag.
pub fn split_image(image: &str) -> (String, String) {
    let slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[slash..].rfind(':') {
        Some(i) => (image[..slash + i].to_string(), image[slash + i + 1..].to_string()),
        None => (image.to_string(), String::new()),
    }
}

fn secrets<'a>(refs: impl IntoIterator<Item = &'a crate::model::deploy::SecretRef>) -> BTreeMap<String, SecretKey> {
    refs.into_iter()
        .map(|s| {
            (
                s.env.clone(),
                SecretKey {
                    secret_name: s.secret.clone(),
                    key: s.key.clone(),
                    as_file: s.delivery == crate::model::deploy::SecretDelivery::File,
                    optional: s.optional,
                },
            )
        })
        .collect()
}

fn writable_dirs<'a>(dirs: impl IntoIterator<Item = (&'a str, bool)>) -> BTreeMap<String, WritableDir> {
    workload::scratch_volumes(dirs)
        .into_iter()
        .map(|(name, path, memory)| {
            (
                name,
                WritableDir {
                    mount_path: path,
                    medium: memory.then_some(Medium::Memory),
                },
            )
        })
        .collect()
}

fn probe(p: &k8s_openapi::api::core::v1::Probe) -> ProbeValues {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let port = |p: &IntOrString| match p {
        IntOrString::String(s) => s.clone(),
        IntOrString::Int(n) => n.to_string(),
    };
    ProbeValues {
        http_get: p.http_get.as_ref().map(|h| HttpGet {
            path: h.path.clone().unwrap_or_else(|| "/".into()),
            port: port(&h.port),
            scheme: if h.scheme.as_deref() == Some("HTTPS") {
                Scheme::Https
            } else {
                Scheme::Http
            },
        }),
        tcp_socket: p.tcp_socket.as_ref().map(|t| TcpSocket { port: port(&t.port) }),
        exec: p.exec.as_ref().map(|e| ExecValues {
            command: e.command.clone().unwrap_or_default(),
        }),
        period_seconds: p.period_seconds.unwrap_or(10) as u32,
        timeout_seconds: p.timeout_seconds.unwrap_or(1) as u32,
        failure_threshold: p.failure_threshold.unwrap_or(3) as u32,
        success_threshold: p.success_threshold.unwrap_or(1) as u32,
    }
}

fn resources(r: &k8s_openapi::api::core::v1::ResourceRequirements) -> ResourceValues {
    let get = |m: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>, k: &str| {
        m.as_ref()
            .and_then(|m| m.get(k))
            .map(|q| q.0.clone())
            .unwrap_or_default()
    };
    ResourceValues {
        requests: CpuMemory {
            cpu: get(&r.requests, "cpu"),
            memory: get(&r.requests, "memory"),
        },
        limits: CpuMemory {
            cpu: get(&r.limits, "cpu"),
            memory: get(&r.limits, "memory"),
        },
    }
}
