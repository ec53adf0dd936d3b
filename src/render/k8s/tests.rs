//! Snapshots of the manifests, the properties every generated object must have, and two
//! ignored tests that write the manifests where `tools/validate-artifacts` can judge them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use k8s_openapi::api::apps::v1::{Deployment as K8sDeployment, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Namespace, PodTemplateSpec, Probe, Service, ServiceAccount, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy, NetworkPolicyPeer};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::*;
use crate::model::Origin;
use crate::model::deploy::{SecretDelivery, SecretRef, Valued, fixture};

const NAME: &str = "app.kubernetes.io/name";
const INSTANCE: &str = "app.kubernetes.io/instance";

fn v<T>(value: T) -> Valued<T> {
    Valued::new(value, Origin::derived("test"))
}

/// The fixture with the other branches taken: a LoadBalancer with two replicas, an
/// Ingress host with three, and an in-cluster PostgreSQL instead of the external one.
fn variant() -> Deployment {
    let mut d = fixture::deployment();
    let web = d.components.iter_mut().find(|c| c.name == "web").unwrap();
    web.exposure.service_type = v(ServiceType::LoadBalancer);
    web.replicas = v(2);
    let api = d.components.iter_mut().find(|c| c.name == "api").unwrap();
    api.exposure.ingress_host = Some(v("todo.example.com".into()));
    api.replicas = v(3);
    let password = SecretRef {
        optional: false,
        env: "POSTGRES_PASSWORD".into(),
        secret: "todo-postgres".into(),
        key: "postgres-password".into(),
        delivery: SecretDelivery::Env,
        origin: Origin::derived("test"),
    };
    api.secrets.retain(|s| s.env != "DATABASE_URL");
    api.secrets.insert(0, password.clone());
    let pg = d.backing_services.iter_mut().find(|s| s.name == "postgres").unwrap();
    pg.mode = v(ServiceMode::InCluster);
    pg.image = Some(v("postgres:17.6-alpine3.22".into()));
    pg.storage = Some(v("2Gi".into()));
    // The official image reads the password from the file `POSTGRES_PASSWORD_FILE` names.
    pg.secret = SecretRef {
        optional: false,
        delivery: SecretDelivery::File,
        ..password
    };
    d
}

fn all() -> Vec<(&'static str, Deployment)> {
    vec![("fixture", fixture::deployment()), ("variant", variant())]
}

fn joined(ms: &[Manifest]) -> String {
    ms.iter()
        .map(|m| format!("# {}\n{}", m.path, m.text))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn snapshot_fixture() {
    insta::assert_snapshot!("fixture", joined(&manifests(&fixture::deployment())));
}

#[test]
fn snapshot_variant() {
    insta::assert_snapshot!("variant", joined(&manifests(&variant())));
}

/// The objects read back from the text, so the properties hold for what is written.
#[derive(Default)]
struct Parsed {
    namespaces: Vec<Namespace>,
    accounts: Vec<ServiceAccount>,
    config_maps: Vec<ConfigMap>,
    deployments: Vec<K8sDeployment>,
    stateful_sets: Vec<StatefulSet>,
    services: Vec<Service>,
    ingresses: Vec<Ingress>,
    budgets: Vec<PodDisruptionBudget>,
    policies: Vec<NetworkPolicy>,
}

fn parse(ms: &[Manifest]) -> Parsed {
    fn read<T: serde::de::DeserializeOwned>(m: &Manifest) -> T {
        crate::yaml::from_str(&m.text).unwrap_or_else(|e| panic!("{}: {e}", m.path))
    }
    let mut p = Parsed::default();
    for m in ms {
        match m.kind.as_str() {
            "Namespace" => p.namespaces.push(read(m)),
            "ServiceAccount" => p.accounts.push(read(m)),
            "ConfigMap" => p.config_maps.push(read(m)),
            "Deployment" => p.deployments.push(read(m)),
            "StatefulSet" => p.stateful_sets.push(read(m)),
            "Service" => p.services.push(read(m)),
            "Ingress" => p.ingresses.push(read(m)),
            "PodDisruptionBudget" => p.budgets.push(read(m)),
            "NetworkPolicy" => p.policies.push(read(m)),
            other => panic!("{}: unexpected kind {other}", m.path),
        }
    }
    p
}

/// A workload's pods: its name, selector and template.
struct Pod<'a> {
    name: String,
    selector: &'a LabelSelector,
    template: &'a PodTemplateSpec,
}

impl Pod<'_> {
    fn labels(&self) -> &BTreeMap<String, String> {
        self.template.metadata.as_ref().unwrap().labels.as_ref().unwrap()
    }

    fn container(&self) -> &Container {
        let spec = self.template.spec.as_ref().unwrap();
        assert_eq!(spec.containers.len(), 1, "{}", self.name);
        &spec.containers[0]
    }

    fn volumes(&self) -> &[Volume] {
        self.template
            .spec
            .as_ref()
            .unwrap()
            .volumes
            .as_deref()
            .unwrap_or_default()
    }

    fn mounts(&self) -> &[VolumeMount] {
        self.container().volume_mounts.as_deref().unwrap_or_default()
    }
}

impl Parsed {
    fn pods(&self) -> Vec<Pod<'_>> {
        let deployments = self.deployments.iter().map(|d| {
            let s = d.spec.as_ref().unwrap();
            Pod {
                name: d.metadata.name.clone().unwrap(),
                selector: &s.selector,
                template: &s.template,
            }
        });
        let stateful_sets = self.stateful_sets.iter().map(|d| {
            let s = d.spec.as_ref().unwrap();
            Pod {
                name: d.metadata.name.clone().unwrap(),
                selector: &s.selector,
                template: &s.template,
            }
        });
        deployments.chain(stateful_sets).collect()
    }

    fn pod(&self, name: &str) -> Pod<'_> {
        self.pods()
            .into_iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no pod {name}"))
    }

    fn policy(&self, name: &str) -> &NetworkPolicy {
        self.policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .unwrap()
    }
}

fn match_labels(s: &LabelSelector) -> &BTreeMap<String, String> {
    assert!(s.match_expressions.is_none());
    s.match_labels.as_ref().expect("matchLabels")
}

fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn only_name_and_instance(selector: &BTreeMap<String, String>, what: &str) {
    let keys: BTreeSet<&str> = selector.keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from([NAME, INSTANCE]), "{what}");
}

#[test]
fn output_is_sorted_unique_and_deterministic() {
    for (name, d) in all() {
        let ms = manifests(&d);
        assert_eq!(ms, manifests(&d), "{name}");
        let paths: Vec<&str> = ms.iter().map(|m| m.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths, sorted, "{name}: sorted, no duplicates");
        let ids: BTreeSet<(&str, &str)> = ms.iter().map(|m| (m.kind.as_str(), m.name.as_str())).collect();
        assert_eq!(ids.len(), ms.len(), "{name}: one object per kind and name");
        for m in &ms {
            let file = format!("-{}-{}.yaml", m.name, m.kind.to_lowercase());
            assert!(m.path.starts_with("k8s/") && m.path.ends_with(&file), "{}", m.path);
            assert!(
                m.text.ends_with('\n') && !m.text.contains("\n---"),
                "{}: one document",
                m.path
            );
        }
    }
}

#[test]
fn apply_order_puts_dependencies_first() {
    let ms = manifests(&fixture::deployment());
    let first = |kind: &str| ms.iter().position(|m| m.kind == kind).unwrap();
    let last = |kind: &str| ms.iter().rposition(|m| m.kind == kind).unwrap();
    assert_eq!(ms[0].kind, "Namespace");
    assert!(
        ms[1].kind == "NetworkPolicy" && ms[2].kind == "NetworkPolicy",
        "policies before any pod"
    );
    assert!(last("ServiceAccount") < first("Deployment"));
    assert!(last("ConfigMap") < first("Deployment"));
    assert!(last("NetworkPolicy") < first("Deployment"));
    assert!(last("StatefulSet") < first("Service"));
}

#[test]
fn every_object_is_namespaced_and_no_secret_is_written() {
    for (name, d) in all() {
        for m in manifests(&d) {
            assert_ne!(m.kind, "Secret", "{name}");
            // Secrets are named, never written: a secretKeyRef names a Secret created from the CLI;
            // a whole Secret in the environment (`envFrom.secretRef`) is never used.
            assert!(!m.text.contains("secretRef:"), "{}", m.path);
            if m.kind != "Namespace" {
                assert!(
                    m.text.contains(&format!("\n  namespace: {}\n", d.namespace.value)),
                    "{}",
                    m.path
                );
            }
        }
        let p = parse(&manifests(&d));
        assert_eq!(p.namespaces.len(), 1);
        let ns = &p.namespaces[0].metadata;
        assert_eq!(ns.name.as_deref(), Some(d.namespace.value.as_str()));
        let labels = ns.labels.as_ref().unwrap();
        for mode in ["enforce", "audit", "warn"] {
            assert_eq!(labels[&format!("pod-security.kubernetes.io/{mode}")], "restricted");
        }
    }
}

#[test]
fn pods_are_hardened() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        assert_eq!(
            p.pods().len(),
            d.components.len() + d.backing_services.iter().filter(|s| in_cluster(s)).count()
        );
        for pod in p.pods() {
            let at = format!("{name}/{}", pod.name);
            let spec = pod.template.spec.as_ref().unwrap();
            assert_eq!(spec.automount_service_account_token, Some(false), "{at}");
            let account = spec.service_account_name.as_deref().unwrap();
            assert_ne!(account, "default", "{at}");
            let sa = p
                .accounts
                .iter()
                .find(|a| a.metadata.name.as_deref() == Some(account))
                .expect("account exists");
            assert_eq!(sa.automount_service_account_token, Some(false), "{at}");
            assert!(
                spec.host_network.is_none() && spec.host_pid.is_none() && spec.host_ipc.is_none(),
                "{at}"
            );

            let psc = spec.security_context.as_ref().unwrap();
            assert_eq!(psc.run_as_non_root, Some(true), "{at}");
            for id in [psc.run_as_user, psc.run_as_group, psc.fs_group] {
                assert!(id.unwrap() >= 10000, "{at}: {id:?}");
            }
            assert_eq!(psc.seccomp_profile.as_ref().unwrap().type_, "RuntimeDefault", "{at}");

            let c = pod.container();
            let sc = c.security_context.as_ref().unwrap();
            assert_eq!(sc.allow_privilege_escalation, Some(false), "{at}");
            assert_eq!(sc.read_only_root_filesystem, Some(true), "{at}");
            assert_eq!(sc.privileged, Some(false), "{at}");
            assert_eq!(sc.run_as_non_root, Some(true), "{at}");
            assert!(
                sc.run_as_user.unwrap() >= 10000 && sc.run_as_group.unwrap() >= 10000,
                "{at}"
            );
            let caps = sc.capabilities.as_ref().unwrap();
            assert_eq!(caps.drop.as_deref(), Some(&["ALL".to_string()][..]), "{at}");
            assert!(caps.add.is_none(), "{at}");

            let r = c.resources.as_ref().unwrap();
            for set in [&r.requests, &r.limits] {
                let set = set.as_ref().unwrap();
                assert!(set.contains_key("cpu") && set.contains_key("memory"), "{at}");
            }
            let image = c.image.as_deref().unwrap();
            assert!(image.contains(':') && !image.ends_with(":latest"), "{at}: {image}");
            assert!(c.image_pull_policy.is_some(), "{at}");
            assert!(c.ports.iter().flatten().all(|p| p.host_port.is_none()), "{at}");

            let sleep = c
                .lifecycle
                .as_ref()
                .unwrap()
                .pre_stop
                .as_ref()
                .unwrap()
                .sleep
                .as_ref()
                .unwrap()
                .seconds;
            assert!(spec.termination_grace_period_seconds.unwrap() > sleep, "{at}");
        }
    }
}

#[test]
fn workloads_follow_the_model() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        for c in &d.components {
            let dep = p
                .deployments
                .iter()
                .find(|x| x.metadata.name.as_deref() == Some(&c.name))
                .unwrap();
            let spec = dep.spec.as_ref().unwrap();
            assert_eq!(spec.replicas, Some(c.replicas.value as i32), "{name}/{}", c.name);
            let ru = spec.strategy.as_ref().unwrap().rolling_update.as_ref().unwrap();
            assert_eq!(ru.max_surge, Some(int_or_string(&d.rollout.max_surge.value)));
            assert_eq!(
                ru.max_unavailable,
                Some(int_or_string(&d.rollout.max_unavailable.value))
            );
            assert!(spec.revision_history_limit.is_some());
            let pod = p.pod(&c.name);
            let ctr = pod.container();
            assert_eq!(ctr.image.as_deref(), Some(c.image.reference().as_str()));
            assert_eq!(
                ctr.image_pull_policy.as_deref(),
                Some(c.image.pull_policy.value.as_str())
            );
            let env_from = ctr.env_from.as_ref().unwrap();
            assert_eq!(env_from[0].config_map_ref.as_ref().unwrap().name, config_map_name(c));
            let r = ctr.resources.as_ref().unwrap();
            assert_eq!(r.requests.as_ref().unwrap()["cpu"].0, c.resources.cpu_request.value);
            assert_eq!(r.limits.as_ref().unwrap()["memory"].0, c.resources.memory_limit.value);
            for dir in &c.writable_dirs {
                let m = pod
                    .mounts()
                    .iter()
                    .find(|m| &m.mount_path == dir)
                    .expect("writable dir mounted");
                let vol = pod.volumes().iter().find(|v| v.name == m.name).unwrap();
                assert!(vol.empty_dir.is_some() && m.read_only.is_none(), "{dir}");
            }
            let has_service = p.services.iter().any(|s| s.metadata.name.as_deref() == Some(&c.name));
            assert_eq!(
                has_service,
                c.port.is_some(),
                "{name}/{}: a Service exactly when there is a port",
                c.name
            );
            let has_ingress = p.ingresses.iter().any(|s| s.metadata.name.as_deref() == Some(&c.name));
            assert_eq!(has_ingress, c.exposure.ingress_host.is_some(), "{name}/{}", c.name);
            let pdb = p.budgets.iter().find(|s| s.metadata.name.as_deref() == Some(&c.name));
            assert_eq!(
                pdb.is_some(),
                c.replicas.value >= 2,
                "{name}/{}: a PDB exactly from two replicas",
                c.name
            );
            if let Some(pdb) = pdb {
                let s = pdb.spec.as_ref().unwrap();
                assert_eq!(s.max_unavailable, Some(IntOrString::Int(1)));
                assert_eq!(s.unhealthy_pod_eviction_policy.as_deref(), Some("AlwaysAllow"));
            }
        }
        for s in d.backing_services.iter().filter(|s| in_cluster(s)) {
            let sts = p
                .stateful_sets
                .iter()
                .find(|x| x.metadata.name.as_deref() == Some(&s.name))
                .unwrap();
            let spec = sts.spec.as_ref().unwrap();
            assert_eq!(spec.service_name.as_deref(), Some(s.name.as_str()));
            let claim = &spec.volume_claim_templates.as_ref().unwrap()[0];
            let storage = &claim
                .spec
                .as_ref()
                .unwrap()
                .resources
                .as_ref()
                .unwrap()
                .requests
                .as_ref()
                .unwrap()["storage"];
            assert_eq!(Some(&storage.0), s.storage.as_ref().map(|v| &v.value));
            let svc = p
                .services
                .iter()
                .find(|x| x.metadata.name.as_deref() == Some(&s.name))
                .unwrap();
            assert_eq!(
                svc.spec.as_ref().unwrap().cluster_ip.as_deref(),
                Some("None"),
                "headless"
            );
            let pod = p.pod(&s.name);
            assert!(
                pod.mounts()
                    .iter()
                    .any(|m| m.name == claim.metadata.name.clone().unwrap())
            );
        }
        let external = d.backing_services.iter().filter(|s| !in_cluster(s));
        for s in external {
            assert!(
                p.pods().iter().all(|pod| pod.name != s.name),
                "no pod for an external service"
            );
        }
    }
}

#[test]
fn selectors_use_only_name_and_instance_and_match_their_pods() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        for pod in p.pods() {
            let sel = match_labels(pod.selector);
            only_name_and_instance(sel, &pod.name);
            assert!(selects(sel, pod.labels()), "{name}/{}: selector ⊆ pod labels", pod.name);
            let labels = pod.labels();
            for key in ["version", "component", "part-of", "managed-by"] {
                assert!(
                    labels.contains_key(&format!("app.kubernetes.io/{key}")),
                    "{name}/{}: {key}",
                    pod.name
                );
            }
            assert_eq!(labels[INSTANCE], d.app.value);
            assert_eq!(labels["app.kubernetes.io/part-of"], d.app.value);
            assert_eq!(labels["app.kubernetes.io/managed-by"], "sp");
        }
        for pdb in &p.budgets {
            let sel = match_labels(pdb.spec.as_ref().unwrap().selector.as_ref().unwrap());
            only_name_and_instance(sel, "pdb");
            assert_eq!(p.pods().iter().filter(|pod| selects(sel, pod.labels())).count(), 1);
        }
    }
}

#[test]
fn every_service_selects_a_pod_with_its_target_port() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        let mut selectors = BTreeSet::new();
        for svc in &p.services {
            let at = format!("{name}/{}", svc.metadata.name.as_deref().unwrap());
            let spec = svc.spec.as_ref().unwrap();
            let sel = spec.selector.as_ref().unwrap();
            only_name_and_instance(sel, &at);
            assert!(selectors.insert(sel.clone()), "{at}: unique selector");
            let pods: Vec<_> = p.pods().into_iter().filter(|pod| selects(sel, pod.labels())).collect();
            assert_eq!(pods.len(), 1, "{at}");
            for port in spec.ports.as_ref().unwrap() {
                let IntOrString::String(target) = port.target_port.as_ref().unwrap() else {
                    panic!("{at}: named")
                };
                let ctr = pods[0].container();
                assert!(
                    ctr.ports.iter().flatten().any(|cp| cp.name.as_ref() == Some(target)),
                    "{at}: {target}"
                );
            }
        }
        for ing in &p.ingresses {
            let spec = ing.spec.as_ref().unwrap();
            assert_eq!(spec.ingress_class_name.as_deref(), Some("nginx"));
            for rule in spec.rules.as_ref().unwrap() {
                for path in &rule.http.as_ref().unwrap().paths {
                    let backend = path.backend.service.as_ref().unwrap();
                    let svc = p
                        .services
                        .iter()
                        .find(|s| s.metadata.name.as_ref() == Some(&backend.name))
                        .unwrap();
                    let port = backend.port.as_ref().unwrap().name.as_ref().unwrap();
                    let ports = svc.spec.as_ref().unwrap().ports.as_ref().unwrap();
                    assert!(ports.iter().any(|p| p.name.as_ref() == Some(port)));
                }
            }
        }
    }
}

/// Polaris' sensitiveConfigmapContent words, and then some.
fn looks_secret(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "bearer",
        "private",
        "apikey",
        "api_key",
        "api-key",
        "credential",
    ]
    .iter()
    .any(|w| s.contains(w))
        || s.ends_with("key")
        || s.contains("_key")
        || s.contains("key_")
}

#[test]
fn config_maps_hold_nothing_that_looks_secret() {
    assert!(looks_secret("OPENAI_API_KEY") && looks_secret("REDIS_PASSWORD") && !looks_secret("LOG_LEVEL"));
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        assert_eq!(p.config_maps.len(), d.components.len());
        for cm in &p.config_maps {
            for (k, val) in cm.data.iter().flatten() {
                assert!(!looks_secret(k) && !looks_secret(val), "{name}: {k}={val}");
            }
        }
        for c in &d.components {
            let cm = p
                .config_maps
                .iter()
                .find(|cm| cm.metadata.name == Some(config_map_name(c)))
                .unwrap();
            let data = cm.data.clone().unwrap_or_default();
            let want: BTreeMap<String, String> = c.config.iter().map(|x| (x.name.clone(), x.value.clone())).collect();
            assert_eq!(data, want, "{name}/{}: exactly the component's config", c.name);
        }
    }
}

#[test]
fn secrets_arrive_under_the_names_the_code_reads() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        let refs = d
            .components
            .iter()
            .flat_map(|c| c.secrets.iter().map(move |s| (c.name.as_str(), s)))
            .chain(
                d.backing_services
                    .iter()
                    .filter(|s| in_cluster(s))
                    .map(|s| (s.name.as_str(), &s.secret)),
            );
        let mut seen = BTreeSet::new();
        for (workload, s) in refs {
            let at = format!("{name}/{workload}/{}", s.env);
            seen.insert(s.delivery);
            let pod = p.pod(workload);
            let ctr = pod.container();
            let mount = pod
                .mounts()
                .iter()
                .find(|m| m.mount_path == format!("/var/run/secrets/{}", s.secret));
            match s.delivery {
                SecretDelivery::Env => {
                    let env = ctr.env.iter().flatten().find(|e| e.name == s.env);
                    let env = env.unwrap_or_else(|| panic!("{at}: the variable the code reads"));
                    assert_eq!(env.value, None, "{at}: never a literal");
                    let r = env.value_from.as_ref().and_then(|f| f.secret_key_ref.as_ref());
                    let r = r.unwrap_or_else(|| panic!("{at}: from secretKeyRef"));
                    assert_eq!(
                        (r.name.as_str(), r.key.as_str()),
                        (s.secret.as_str(), s.key.as_str()),
                        "{at}"
                    );
                    assert!(
                        ctr.env.iter().flatten().all(|e| e.name != format!("{}_FILE", s.env)),
                        "{at}: no file variable"
                    );
                }
                SecretDelivery::File => {
                    let mount = mount.unwrap_or_else(|| panic!("{at}: mounted"));
                    assert_eq!(mount.read_only, Some(true), "{at}");
                    let vol = pod.volumes().iter().find(|v| v.name == mount.name).unwrap();
                    let secret = vol.secret.as_ref().unwrap();
                    assert_eq!(secret.secret_name.as_deref(), Some(s.secret.as_str()));
                    assert!(
                        secret.items.iter().flatten().any(|i| i.key == s.key && i.path == s.key),
                        "{at}"
                    );
                    let file = format!("/var/run/secrets/{}/{}", s.secret, s.key);
                    let env = ctr.env.iter().flatten().find(|e| e.name == format!("{}_FILE", s.env));
                    assert_eq!(
                        env.and_then(|e| e.value.as_ref()),
                        Some(&file),
                        "{at}: <ENV>_FILE names the file"
                    );
                    assert!(
                        ctr.env.iter().flatten().all(|e| e.name != s.env),
                        "{at}: never the secret itself"
                    );
                }
            }
        }
        assert_eq!(seen.len(), 2, "{name}: the fixtures exercise both deliveries");
    }
}

fn probes(c: &Container) -> [(&str, &Probe); 3] {
    [
        ("liveness", c.liveness_probe.as_ref().unwrap()),
        ("readiness", c.readiness_probe.as_ref().unwrap()),
        ("startup", c.startup_probe.as_ref().unwrap()),
    ]
}

#[test]
fn probes_use_existing_ports_and_liveness_differs_from_readiness() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        for pod in p.pods() {
            let c = pod.container();
            let names: BTreeSet<&str> = c.ports.iter().flatten().filter_map(|p| p.name.as_deref()).collect();
            let numbers: BTreeSet<i32> = c.ports.iter().flatten().map(|p| p.container_port).collect();
            for (kind, probe) in probes(c) {
                let at = format!("{name}/{}/{kind}", pod.name);
                let port = probe
                    .http_get
                    .as_ref()
                    .map(|h| &h.port)
                    .or(probe.tcp_socket.as_ref().map(|t| &t.port));
                match port {
                    Some(IntOrString::String(n)) => assert!(names.contains(n.as_str()), "{at}: port {n}"),
                    Some(IntOrString::Int(n)) => assert!(numbers.contains(n), "{at}: port {n}"),
                    None => assert!(probe.exec.is_some(), "{at}: some check"),
                }
            }
            let [(_, live), (_, ready), (_, startup)] = probes(c);
            // kube-score's pod-probes-identical compares the checks alone, not the timings.
            let check = |p: &Probe| (p.http_get.clone(), p.tcp_socket.clone(), p.exec.clone());
            assert_ne!(
                check(live),
                check(ready),
                "{name}/{}: identical liveness and readiness",
                pod.name
            );
            assert_ne!(live.period_seconds, ready.period_seconds, "{name}/{}", pod.name);
            assert!(
                startup.failure_threshold.unwrap() * startup.period_seconds.unwrap()
                    > live.failure_threshold.unwrap() * live.period_seconds.unwrap(),
                "{name}/{}: startup is the patient one",
                pod.name
            );
        }
        for c in &d.components {
            let ctr = p.pod(&c.name).container().clone();
            if let Some(h) = &c.health {
                let path = |p: &Option<Probe>| p.as_ref().unwrap().http_get.as_ref().unwrap().path.clone().unwrap();
                assert_eq!(path(&ctr.liveness_probe), h.liveness.value);
                assert_eq!(path(&ctr.readiness_probe), h.readiness.value);
                assert_eq!(path(&ctr.startup_probe), h.startup.value);
            }
        }
    }
}

#[test]
fn slow_start_gets_a_longer_startup_probe() {
    let mut d = fixture::deployment();
    let budget = |d: &Deployment| {
        let p = parse(&manifests(d));
        let ctr = p.pod("api").container().clone();
        let s = ctr.startup_probe.unwrap();
        s.failure_threshold.unwrap() * s.period_seconds.unwrap()
    };
    let before = budget(&d);
    d.components.iter_mut().find(|c| c.name == "api").unwrap().slow_start = true;
    assert!(budget(&d) > before);
}

fn peer_pods<'a>(peers: &'a [NetworkPolicyPeer]) -> impl Iterator<Item = &'a str> + 'a {
    peers
        .iter()
        .filter_map(|p| p.pod_selector.as_ref())
        .map(|s| match_labels(s)[NAME].as_str())
}

#[test]
fn network_policies_cover_every_pod() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        let deny = p.policy(network::DEFAULT_DENY).spec.as_ref().unwrap();
        assert_eq!(deny.pod_selector, Some(LabelSelector::default()), "selects every pod");
        assert_eq!(
            deny.policy_types.as_deref(),
            Some(&["Ingress".to_string(), "Egress".to_string()][..])
        );
        assert!(deny.ingress.is_none() && deny.egress.is_none());
        let dns = p.policy(network::ALLOW_DNS).spec.as_ref().unwrap();
        assert_eq!(dns.pod_selector, Some(LabelSelector::default()));
        let ports: Vec<(String, IntOrString)> = dns.egress.as_ref().unwrap()[0]
            .ports
            .iter()
            .flatten()
            .map(|p| (p.protocol.clone().unwrap(), p.port.clone().unwrap()))
            .collect();
        assert_eq!(
            ports,
            [
                ("UDP".into(), IntOrString::Int(53)),
                ("TCP".into(), IntOrString::Int(53))
            ]
        );
        for pod in p.pods() {
            let own: Vec<_> = p
                .policies
                .iter()
                .filter(|np| {
                    let sel = np.spec.as_ref().unwrap().pod_selector.as_ref().unwrap();
                    sel.match_labels.is_some() && selects(match_labels(sel), pod.labels())
                })
                .collect();
            assert_eq!(own.len(), 1, "{name}/{}: its own policy", pod.name);
            let types = own[0].spec.as_ref().unwrap().policy_types.clone().unwrap();
            assert_eq!(types, ["Ingress", "Egress"], "{name}/{}", pod.name);
        }
    }
}

#[test]
fn network_policies_admit_exactly_the_model_edges() {
    for (name, d) in all() {
        let p = parse(&manifests(&d));
        let port_of = |target: &str| {
            d.components
                .iter()
                .find(|c| c.name == target)
                .and_then(|c| c.port.as_ref().map(|p| p.value))
                .or(d.backing_services.iter().find(|s| s.name == target).map(|s| s.port))
        };
        for c in &d.components {
            let at = format!("{name}/{}", c.name);
            let spec = p.policy(&c.name).spec.clone().unwrap();
            let egress = spec.egress.clone().unwrap_or_default();
            let mut expected = 0;
            for target in &c.depends_on {
                let Some(port) = port_of(target) else { continue };
                expected += 1;
                let external = d.backing_services.iter().any(|s| &s.name == target && !in_cluster(s));
                let rule = egress
                    .iter()
                    .find(|r| {
                        r.ports
                            .iter()
                            .flatten()
                            .any(|p| p.port == Some(IntOrString::Int(port.into())))
                    })
                    .unwrap_or_else(|| panic!("{at}: egress to {target}"));
                let to = rule.to.as_deref().unwrap();
                if external {
                    assert!(to.iter().all(|peer| peer.ip_block.is_some()), "{at}");
                } else {
                    assert_eq!(peer_pods(to).collect::<Vec<_>>(), [target.as_str()], "{at}");
                    // …and the target lets it in.
                    let ingress = p.policy(target).spec.clone().unwrap().ingress.unwrap();
                    assert!(
                        ingress
                            .iter()
                            .any(|r| r.from.is_none() || peer_pods(r.from.as_deref().unwrap()).any(|n| n == c.name)),
                        "{at}: {target} admits it"
                    );
                }
            }
            let https = egress
                .iter()
                .any(|r| r.ports.iter().flatten().any(|p| p.port == Some(IntOrString::Int(443))));
            assert_eq!(
                https,
                network::calls_external_api(&d, c),
                "{at}: 443 only for API credentials"
            );
            assert_eq!(
                egress.len(),
                expected + usize::from(https),
                "{at}: nothing else goes out"
            );

            let ingress = spec.ingress.clone().unwrap_or_default();
            let public = matches!(
                c.exposure.service_type.value,
                ServiceType::NodePort | ServiceType::LoadBalancer
            ) || c.exposure.ingress_host.is_some();
            let callers: Vec<&str> = d
                .components
                .iter()
                .filter(|x| x.depends_on.contains(&c.name))
                .map(|x| x.name.as_str())
                .collect();
            match (&c.port, public) {
                (None, _) => assert!(ingress.is_empty(), "{at}: a worker takes no traffic"),
                (Some(_), true) => assert!(ingress.iter().any(|r| r.from.is_none()), "{at}: open to all"),
                (Some(_), false) => {
                    assert!(ingress.iter().all(|r| r.from.is_some()), "{at}: not open to all");
                    let from: Vec<&str> = ingress
                        .iter()
                        .flat_map(|r| peer_pods(r.from.as_deref().unwrap()))
                        .collect();
                    assert_eq!(from, callers, "{at}: only its callers");
                }
            }
        }
        for s in d.backing_services.iter().filter(|s| in_cluster(s)) {
            let spec = p.policy(&s.name).spec.clone().unwrap();
            assert!(spec.egress.is_none(), "{name}/{}: a database calls nobody", s.name);
        }
    }
}

#[test]
fn the_fixture_opens_what_it_should() {
    let d = fixture::deployment();
    let api = d.components.iter().find(|c| c.name == "api").unwrap();
    let worker = d.components.iter().find(|c| c.name == "worker").unwrap();
    assert!(network::calls_external_api(&d, api), "OPENAI_API_KEY");
    assert!(
        !network::calls_external_api(&d, worker),
        "REDIS_PASSWORD belongs to redis"
    );
}

#[test]
fn label_values_are_valid() {
    assert_eq!(label_value("1.2.3+build.5"), "1.2.3_build.5");
    assert_eq!(label_value("-x-"), "x");
    assert_eq!(label_value(&"a".repeat(80)).len(), 63);
    assert_eq!(image_tag("ghcr.io/x/redis:7.4@sha256:abc").as_deref(), Some("7.4"));
    assert_eq!(image_tag("localhost:5000/redis"), None);
    assert_eq!(psa_version("1.33"), "v1.33");
    assert_eq!(psa_version("v1.34.1"), "v1.34");
    assert_eq!(psa_version("stable"), "latest");
    assert_eq!(int_or_string("25%"), IntOrString::String("25%".into()));
    assert_eq!(int_or_string("1"), IntOrString::Int(1));
}

#[test]
fn grace_period_outlasts_the_pre_stop_sleep() {
    let mut d = fixture::deployment();
    d.rollout.pre_stop_sleep_seconds = v(40);
    d.rollout.termination_grace_seconds = v(30);
    let p = parse(&manifests(&d));
    for pod in p.pods() {
        assert!(
            pod.template
                .spec
                .as_ref()
                .unwrap()
                .termination_grace_period_seconds
                .unwrap()
                > 40
        );
    }
}

/// Writes the manifests to `$SP_K8S_OUT/<sub>/k8s/` (default: the temp folder) for
/// `tools/validate-artifacts $SP_K8S_OUT`, which validates every folder named `k8s`.
fn write_for_validators(sub: &str, d: &Deployment) {
    let root = std::env::var_os("SP_K8S_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sp-k8s"));
    let dir = root.join(sub);
    // Only the folder this test owns, so files of an earlier run cannot linger.
    let _ = std::fs::remove_dir_all(dir.join("k8s"));
    for m in manifests(d) {
        let path = dir.join(&m.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &m.text).unwrap();
    }
    eprintln!("wrote {}", dir.join("k8s").display());
}

#[test]
#[ignore = "writes files for tools/validate-artifacts; set SP_K8S_OUT"]
fn write_fixture_for_validators() {
    write_for_validators("", &fixture::deployment());
}

#[test]
#[ignore = "writes files for tools/validate-artifacts; set SP_K8S_OUT"]
fn write_variant_for_validators() {
    write_for_validators("variant", &variant());
}
