//! Deployments and StatefulSets: the pod spec, where most of the hardening lives.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{
    Deployment as K8sDeployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment, StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapEnvSource, Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, EnvVar,
    EnvVarSource, ExecAction, HTTPGetAction, KeyToPath, Lifecycle, LifecycleHandler, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    SeccompProfile, SecretKeySelector, SecretVolumeSource, SecurityContext, SleepAction, TCPSocketAction, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    HTTP_PORT_NAME, Who, config_map_name, int_or_string, labels, meta, selector, selector_labels, service_port_name,
};
use crate::model::deploy::{BackingService, Component, Deployment, Resources, SecretDelivery, SecretRef, ServiceKind};

/// Old ReplicaSets kept for `kubectl rollout undo`; the default of 10 is clutter.
pub(crate) const REVISION_HISTORY_LIMIT: i32 = 5;

/// Seconds the process keeps after the preStop sleep to finish in-flight requests, when
/// the model's grace period would leave less.
const MIN_DRAIN_SECONDS: u32 = 10;

/// Where each Secret a container reads is mounted, one folder per Secret.
pub const SECRETS_ROOT: &str = "/var/run/secrets";

/// Group-readable only: the files belong to root and the pod's `fsGroup`, which is the
/// process's group, so nobody else in the container can read them.
pub(crate) const SECRET_FILE_MODE: i32 = 0o440;

/// The file a worker may touch while its loop is healthy. A worker has no port to probe,
/// yet checkov (CKV_K8S_8/9) wants probes and a stuck loop deserves a restart. Without
/// help from the application the best check is that its process is there (what the
/// Dockerfile's HEALTHCHECK does too); a worker that touches the file named by
/// `HEARTBEAT_FILE` at least every minute also gets restarted when the file is two minutes
/// old. So the contract is opt-in: an application that never writes the file still runs.
pub const HEARTBEAT_FILE: &str = "/tmp/heartbeat";
pub(crate) const HEARTBEAT_DIR: &str = "/tmp";
const HEARTBEAT_MAX_AGE_MINUTES: u32 = 2;

/// How often a probe runs and how many failures it takes. Liveness is slow to give up
/// (a restart is expensive and loses in-flight work), readiness is quick (taking a pod out
/// of rotation is cheap and reversible). Having them differ also keeps the two probes from
/// being identical, which would restart a pod that is merely busy.
struct Timing {
    period: i32,
    timeout: i32,
    failures: i32,
}

const LIVENESS: Timing = Timing {
    period: 15,
    timeout: 5,
    failures: 4,
};
const READINESS: Timing = Timing {
    period: 5,
    timeout: 3,
    failures: 3,
};
/// Two minutes to answer the first probe; liveness only starts after it has passed.
const STARTUP: Timing = Timing {
    period: 5,
    timeout: 3,
    failures: 24,
};
/// Five minutes, for stacks whose cold start is known to be long (Next.js, JVM, ML).
const SLOW_STARTUP: Timing = Timing {
    period: 5,
    timeout: 3,
    failures: 60,
};

enum Check {
    Http(String),
    Tcp(&'static str),
    Exec(Vec<String>),
}

fn probe(check: Check, t: &Timing) -> Probe {
    let mut p = Probe {
        period_seconds: Some(t.period),
        timeout_seconds: Some(t.timeout),
        failure_threshold: Some(t.failures),
        success_threshold: Some(1),
        ..Default::default()
    };
    match check {
        Check::Http(path) => {
            p.http_get = Some(HTTPGetAction {
                path: Some(path),
                port: IntOrString::String(HTTP_PORT_NAME.into()),
                scheme: Some("HTTP".into()),
                ..Default::default()
            })
        }
        Check::Tcp(port) => {
            p.tcp_socket = Some(TCPSocketAction {
                port: IntOrString::String(port.into()),
                ..Default::default()
            })
        }
        Check::Exec(command) => p.exec = Some(ExecAction { command: Some(command) }),
    }
    p
}

pub(crate) struct Probes {
    pub liveness: Probe,
    pub readiness: Probe,
    pub startup: Probe,
}

pub(crate) fn component_probes(c: &Component) -> Probes {
    let startup = if c.slow_start { &SLOW_STARTUP } else { &STARTUP };
    match (&c.health, &c.port) {
        (Some(h), Some(_)) => Probes {
            liveness: probe(Check::Http(h.liveness.value.clone()), &LIVENESS),
            readiness: probe(Check::Http(h.readiness.value.clone()), &READINESS),
            startup: probe(Check::Http(h.startup.value.clone()), startup),
        },
        // A server without health endpoints: accepting connections is the best signal left.
        (None, Some(_)) => Probes {
            liveness: probe(Check::Tcp(HTTP_PORT_NAME), &LIVENESS),
            readiness: probe(Check::Tcp(HTTP_PORT_NAME), &READINESS),
            startup: probe(Check::Tcp(HTTP_PORT_NAME), startup),
        },
        (_, None) => {
            let running = sh("kill -0 1");
            let alive = sh(&format!(
                "if [ -e {HEARTBEAT_FILE} ]; then test -n \"$(find {HEARTBEAT_FILE} -mmin -{HEARTBEAT_MAX_AGE_MINUTES})\"; \
                 else kill -0 1; fi"
            ));
            Probes {
                liveness: probe(Check::Exec(alive), &LIVENESS),
                readiness: probe(Check::Exec(running.clone()), &READINESS),
                startup: probe(Check::Exec(running), startup),
            }
        }
    }
}

fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

fn pod_security_context(uid: u32, gid: u32) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(uid.into()),
        run_as_group: Some(gid.into()),
        fs_group: Some(gid.into()),
        // Changing the owner of every file of a large volume on each start is slow; once
        // is enough.
        fs_group_change_policy: Some("OnRootMismatch".into()),
        seccomp_profile: Some(runtime_default()),
        ..Default::default()
    }
}

/// Repeats the pod's user and profile so the container is safe to read on its own: tools
/// that check only the container (and people) see the whole story.
fn container_security_context(uid: u32, gid: u32) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid.into()),
        run_as_group: Some(gid.into()),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        seccomp_profile: Some(runtime_default()),
        ..Default::default()
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        localhost_profile: None,
    }
}

pub(crate) fn resources(r: &Resources) -> ResourceRequirements {
    resource_requirements(
        &r.cpu_request.value,
        &r.cpu_limit.value,
        &r.memory_request.value,
        &r.memory_limit.value,
    )
}

fn resource_requirements(cpu_req: &str, cpu_lim: &str, mem_req: &str, mem_lim: &str) -> ResourceRequirements {
    let q = |cpu: &str, mem: &str| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.into())),
            ("memory".to_string(), Quantity(mem.into())),
        ])
    };
    ResourceRequirements {
        requests: Some(q(cpu_req, mem_req)),
        limits: Some(q(cpu_lim, mem_lim)),
        ..Default::default()
    }
}

/// The preStop sleep keeps the old pod serving while its endpoint is removed from every
/// Service and Ingress, so a rollout drops no request. The native `sleep` action needs no
/// shell in the image.
fn lifecycle(d: &Deployment) -> Lifecycle {
    Lifecycle {
        pre_stop: Some(LifecycleHandler {
            sleep: Some(SleepAction {
                seconds: d.rollout.pre_stop_sleep_seconds.value.into(),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The grace period counts the preStop sleep too, so it must exceed it by the drain time.
pub(crate) fn grace_seconds(d: &Deployment) -> i64 {
    let sleep = d.rollout.pre_stop_sleep_seconds.value;
    d.rollout
        .termination_grace_seconds
        .value
        .max(sleep + MIN_DRAIN_SECONDS)
        .into()
}

/// The file a [`SecretRef`] is read from inside the container.
pub fn secret_file(s: &SecretRef) -> String {
    format!("{SECRETS_ROOT}/{}/{}", s.secret, s.key)
}

/// The volumes of one pod and their mounts in its container, with unique volume names.
#[derive(Default)]
struct Mounts {
    volumes: Vec<Volume>,
    mounts: Vec<VolumeMount>,
    paths: BTreeSet<String>,
}

impl Mounts {
    fn add(&mut self, prefix: &str, path: &str, mut volume: Volume, read_only: bool) {
        if !self.paths.insert(path.to_string()) {
            return;
        }
        volume.name = self.unique_name(prefix, path);
        self.mounts.push(VolumeMount {
            name: volume.name.clone(),
            mount_path: path.to_string(),
            read_only: read_only.then_some(true),
            ..Default::default()
        });
        self.volumes.push(volume);
    }

    /// A writable folder under the read-only root. `memory` keeps what is written there off
    /// the node's disk (used for folders that may hold credentials).
    fn scratch(&mut self, path: &str, memory: bool) {
        let volume = Volume {
            empty_dir: Some(EmptyDirVolumeSource {
                medium: memory.then(|| "Memory".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.add("", path, volume, false);
    }

    /// The variables of every secret the references name, each the way the process reads
    /// it: the variable itself from `secretKeyRef` ([`SecretDelivery::Env`]), or a
    /// read-only file under the Secret's folder, with only the keys referenced, named by
    /// `<ENV>_FILE` ([`SecretDelivery::File`]).
    fn secrets<'a>(&mut self, refs: impl IntoIterator<Item = &'a SecretRef>) -> Vec<EnvVar> {
        let mut keys: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut env = BTreeMap::new();
        for r in refs {
            match r.delivery {
                SecretDelivery::Env => {
                    env.insert(r.env.clone(), secret_key_env(r));
                }
                SecretDelivery::File => {
                    keys.entry(&r.secret).or_default().insert(&r.key);
                    env.insert(
                        super::secret_file_env(r),
                        plain_env(super::secret_file_env(r), secret_file(r)),
                    );
                }
            }
        }
        for (secret, keys) in keys {
            let volume = Volume {
                secret: Some(SecretVolumeSource {
                    secret_name: Some(secret.to_string()),
                    items: Some(
                        keys.iter()
                            .map(|k| KeyToPath {
                                key: k.to_string(),
                                path: k.to_string(),
                                mode: None,
                            })
                            .collect(),
                    ),
                    default_mode: Some(SECRET_FILE_MODE),
                    optional: None,
                }),
                ..Default::default()
            };
            self.add("secret-", &format!("{SECRETS_ROOT}/{secret}"), volume, true);
        }
        env.into_values().collect()
    }

    /// Puts the volumes added so far, and their mounts, in the order of their names: the
    /// order in which the chart, whose values key them by name, lists them too.
    fn sort_by_name(&mut self) {
        self.volumes.sort_by(|a, b| a.name.cmp(&b.name));
        self.mounts.sort_by(|a, b| a.name.cmp(&b.name));
    }

    fn unique_name(&self, prefix: &str, path: &str) -> String {
        let base = format!("{prefix}{}", dns_label(path.trim_start_matches(SECRETS_ROOT)));
        let base: String = base
            .chars()
            .take(58)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
        let taken = |n: &str| self.volumes.iter().any(|v| v.name == n);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base}-{i}"))
            .find(|n| !taken(n))
            .expect("an unused name")
    }
}

/// The writable folders of a pod as `(volume name, path, in memory)`, sorted by volume
/// name: the `emptyDir` volumes of [`deployment`] and [`stateful_set`], and the
/// `writableDirs` of the chart's values.
pub(crate) fn scratch_volumes<'a>(dirs: impl IntoIterator<Item = (&'a str, bool)>) -> Vec<(String, String, bool)> {
    let mut m = Mounts::default();
    for (dir, memory) in dirs {
        m.scratch(dir, memory);
    }
    m.sort_by_name();
    m.volumes
        .iter()
        .zip(&m.mounts)
        .map(|(v, mount)| {
            let memory = v.empty_dir.as_ref().and_then(|e| e.medium.as_deref()) == Some("Memory");
            (v.name.clone(), mount.mount_path.clone(), memory)
        })
        .collect()
}

/// The folders a component writes to: the model's, and the heartbeat's for a worker.
pub(crate) fn component_scratch_dirs(c: &Component) -> Vec<&str> {
    let mut dirs: Vec<&str> = c.writable_dirs.iter().map(String::as_str).collect();
    if c.port.is_none() {
        dirs.push(HEARTBEAT_DIR);
    }
    dirs
}

/// A variable read from one key of a Secret.
fn secret_key_env(r: &SecretRef) -> EnvVar {
    EnvVar {
        name: r.env.clone(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: r.secret.clone(),
                key: r.key.clone(),
                optional: r.optional.then_some(true),
            }),
            ..Default::default()
        }),
    }
}

fn plain_env(name: impl Into<String>, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

/// `/app/.next/cache` → `app-next-cache`.
fn dns_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() { "data".into() } else { out.into() }
}

fn pod_template(d: &Deployment, who: &Who, spec: PodSpec) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels(d, who)),
            ..Default::default()
        }),
        spec: Some(spec),
    }
}

/// What every pod of the deployment shares.
fn pod_spec(d: &Deployment, account: &str, uid: u32, gid: u32, container: Container, volumes: Vec<Volume>) -> PodSpec {
    PodSpec {
        service_account_name: Some(account.into()),
        automount_service_account_token: Some(false),
        // Otherwise every Service in the namespace injects `<NAME>_PORT=tcp://…` variables:
        // a Service named `redis` would set `REDIS_PORT` and break a client reading it.
        enable_service_links: Some(false),
        security_context: Some(pod_security_context(uid, gid)),
        termination_grace_period_seconds: Some(grace_seconds(d)),
        // Replicas spread over nodes where the cluster has several; `ScheduleAnyway` keeps a
        // one-node cluster (minikube, kind) schedulable. Present at any replica count, so
        // scaling up needs no manifest change.
        topology_spread_constraints: Some(vec![k8s_openapi::api::core::v1::TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "kubernetes.io/hostname".into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(super::selector(d, account)),
            ..Default::default()
        }]),
        containers: vec![container],
        volumes: (!volumes.is_empty()).then_some(volumes),
        ..Default::default()
    }
}

pub(super) fn deployment(d: &Deployment, c: &Component) -> K8sDeployment {
    let who = Who::component(c);
    let mut m = Mounts::default();
    for dir in component_scratch_dirs(c) {
        m.scratch(dir, false);
    }
    m.sort_by_name();
    let mut env = m.secrets(&c.secrets);
    if c.port.is_none() {
        env.push(plain_env("HEARTBEAT_FILE", HEARTBEAT_FILE));
        env.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let probes = component_probes(c);
    let container = Container {
        name: c.name.clone(),
        image: Some(c.image.reference()),
        image_pull_policy: Some(c.image.pull_policy.value.clone()),
        ports: c.port.as_ref().map(|p| {
            vec![ContainerPort {
                name: Some(HTTP_PORT_NAME.into()),
                container_port: p.value.into(),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]
        }),
        env_from: Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: config_map_name(c),
                optional: None,
            }),
            ..Default::default()
        }]),
        env: (!env.is_empty()).then_some(env),
        resources: Some(resources(&c.resources)),
        liveness_probe: Some(probes.liveness),
        readiness_probe: Some(probes.readiness),
        startup_probe: Some(probes.startup),
        lifecycle: Some(lifecycle(d)),
        security_context: Some(container_security_context(c.uid.value, c.gid)),
        // A crash that writes no termination message still explains itself in
        // `kubectl describe pod`.
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        volume_mounts: (!m.mounts.is_empty()).then_some(m.mounts),
        ..Default::default()
    };
    K8sDeployment {
        metadata: meta(d, &c.name, labels(d, &who)),
        spec: Some(DeploymentSpec {
            replicas: Some(c.replicas.value as i32),
            revision_history_limit: Some(REVISION_HISTORY_LIMIT),
            selector: selector(d, &c.name),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(int_or_string(&d.rollout.max_surge.value)),
                    max_unavailable: Some(int_or_string(&d.rollout.max_unavailable.value)),
                }),
            }),
            template: pod_template(d, &who, pod_spec(d, &c.name, c.uid.value, c.gid, container, m.volumes)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// How an in-cluster backing service runs: the parts that depend on the product.
pub(crate) struct Engine {
    /// Where the PersistentVolumeClaim is mounted.
    pub data_dir: &'static str,
    /// Writable folders besides the data, kept in memory.
    pub scratch: &'static [&'static str],
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    /// Besides `<ENV>_FILE` of the service's Secret, which every engine gets.
    pub env: Vec<EnvVar>,
    pub liveness: Vec<String>,
    pub readiness: Vec<String>,
    /// The model has no resources for backing services; these fit a development database.
    pub resources: ResourceRequirements,
}

pub(crate) fn engine(s: &BackingService) -> Engine {
    let port = s.port;
    match s.kind {
        // Redis cannot read its password from a file, and `--requirepass` on the command
        // line would show it in `ps`. So a shell writes it into a configuration file only
        // the process can read, in a memory-backed folder, and `exec` makes redis PID 1 so
        // it receives SIGTERM and saves its data (`redis-server` is the shell's `$0`, the
        // options its `$@`). Liveness accepts a server still loading its data; readiness
        // wants an answer.
        ServiceKind::Redis => {
            let file = format!("${}", super::secret_file_env(&s.secret));
            let ping = format!("REDISCLI_AUTH=\"$(cat \"{file}\")\" redis-cli -p {port} ping");
            let conf = "/tmp/redis.conf";
            let mut command = sh(&format!(
                "umask 077 && printf 'requirepass \"%s\"\\n' \"$(cat \"{file}\")\" > {conf} && \
                 exec redis-server {conf} \"$@\""
            ));
            command.push("redis-server".into());
            Engine {
                data_dir: "/data",
                scratch: &["/tmp"],
                command: Some(command),
                args: Some(
                    ["--port", &port.to_string(), "--dir", "/data", "--appendonly", "yes"]
                        .map(String::from)
                        .to_vec(),
                ),
                env: Vec::new(),
                liveness: sh(&format!("{ping} | grep -Eq 'PONG|LOADING'")),
                readiness: sh(&format!("{ping} | grep -qx PONG")),
                resources: resource_requirements("50m", "250m", "64Mi", "256Mi"),
            }
        }
        // The official image reads `POSTGRES_PASSWORD_FILE`. PGDATA is a subfolder because
        // a fresh volume's root may hold `lost+found`, which initdb refuses. `pg_isready`
        // exits 1 while the server starts or recovers (alive, not ready) and 2 when it does
        // not answer (dead).
        ServiceKind::Postgres => {
            let ready = format!("pg_isready -q -h 127.0.0.1 -p {port} -U postgres");
            Engine {
                data_dir: "/var/lib/postgresql/data",
                scratch: &["/tmp", "/var/run/postgresql"],
                command: None,
                args: None,
                env: vec![
                    plain_env("PGDATA", "/var/lib/postgresql/data/pgdata"),
                    plain_env("PGPORT", port.to_string()),
                    plain_env("POSTGRES_PASSWORD_FILE", secret_file(&s.secret)),
                ],
                liveness: sh(&format!("{ready}; test $? -lt 2")),
                readiness: ready.split(' ').map(String::from).collect(),
                resources: resource_requirements("100m", "1000m", "256Mi", "1Gi"),
            }
        }
    }
}

/// The probes of an in-cluster service: its own client asks it.
pub(crate) fn service_probes(e: &Engine) -> Probes {
    Probes {
        liveness: probe(Check::Exec(e.liveness.clone()), &LIVENESS),
        readiness: probe(Check::Exec(e.readiness.clone()), &READINESS),
        startup: probe(Check::Exec(e.readiness.clone()), &STARTUP),
    }
}

/// The resolver always pins the image; the product's own image at the resolved version is
/// the fallback rather than an empty field the API server would reject.
pub(crate) fn backing_image(s: &BackingService) -> String {
    match &s.image {
        Some(i) => i.value.clone(),
        None => format!("{}:{}", service_port_name(s), s.version.value),
    }
}

/// Claim size when the model has none: enough for a development database.
pub(crate) const DEFAULT_STORAGE: &str = "1Gi";

/// The name of the StatefulSet's claim template (and so of its volume in the pod).
pub(crate) const DATA_VOLUME: &str = "data";

pub(super) fn stateful_set(d: &Deployment, s: &BackingService) -> StatefulSet {
    let who = Who::service(s);
    let e = engine(s);
    // The model gives backing services one numeric id; it serves as the group too.
    let (uid, gid) = (s.uid, s.uid);
    let mut m = Mounts::default();
    for dir in e.scratch {
        m.scratch(dir, true);
    }
    m.sort_by_name();
    let mut env = m.secrets([&s.secret]);
    env.extend(e.env.iter().cloned());
    env.sort_by(|a, b| a.name.cmp(&b.name));
    env.dedup_by(|a, b| a.name == b.name);
    let mut mounts = vec![VolumeMount {
        name: DATA_VOLUME.into(),
        mount_path: e.data_dir.into(),
        ..Default::default()
    }];
    mounts.extend(m.mounts);
    let port = service_port_name(s);
    let probes = service_probes(&e);
    let container = Container {
        name: s.name.clone(),
        image: Some(backing_image(s)),
        // Backing images are pinned to a full version, so a cached copy is the right one.
        image_pull_policy: Some("IfNotPresent".into()),
        command: e.command,
        args: e.args,
        ports: Some(vec![ContainerPort {
            name: Some(port.into()),
            container_port: s.port.into(),
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        env: Some(env),
        resources: Some(e.resources),
        liveness_probe: Some(probes.liveness),
        startup_probe: Some(probes.startup),
        readiness_probe: Some(probes.readiness),
        lifecycle: Some(lifecycle(d)),
        security_context: Some(container_security_context(uid, gid)),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        volume_mounts: Some(mounts),
        ..Default::default()
    };
    let storage = s
        .storage
        .as_ref()
        .map(|v| v.value.clone())
        .unwrap_or_else(|| DEFAULT_STORAGE.into());
    StatefulSet {
        metadata: meta(d, &s.name, labels(d, &who)),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(s.name.clone()),
            revision_history_limit: Some(REVISION_HISTORY_LIMIT),
            selector: selector(d, &s.name),
            template: pod_template(d, &who, pod_spec(d, &s.name, uid, gid, container, m.volumes)),
            // Deleting or scaling the StatefulSet keeps the data; removing it is a decision.
            persistent_volume_claim_retention_policy: Some(StatefulSetPersistentVolumeClaimRetentionPolicy {
                when_deleted: Some("Retain".into()),
                when_scaled: Some("Retain".into()),
            }),
            volume_claim_templates: Some(vec![PersistentVolumeClaim {
                // Claim templates cannot change after creation, so they carry only the
                // immutable labels: a version label would make every upgrade fail.
                metadata: ObjectMeta {
                    name: Some(DATA_VOLUME.into()),
                    labels: Some(selector_labels(d, &s.name)),
                    ..Default::default()
                },
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: Some(vec!["ReadWriteOnce".into()]),
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(BTreeMap::from([("storage".to_string(), Quantity(storage))])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
