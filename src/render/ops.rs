//! The operational facts the documents print: exact commands for this feature, and the
//! cluster size the quickstart asks for, computed from the resource requests.
//!
//! Computed here, not in templates, so plan.md, quickstart.md and the contracts print the
//! same command for the same step.

use serde::Serialize;

use super::shell::quote;

use crate::model::deploy::{Deployment, PlatformKind, RunMode, SecretDelivery, ServiceMode, ServiceType};
use crate::quantity;

#[derive(Debug, Clone, Serialize)]
pub struct Ops {
    pub namespace: String,
    pub platform: String,
    /// Sum of the CPU requests, in millicores, and of the memory requests, in MiB.
    pub cpu_requests_m: u64,
    pub memory_requests_mi: u64,
    pub cluster_cpus: u64,
    pub cluster_memory_mi: u64,
    pub cluster_start: String,
    pub builds: Vec<String>,
    pub loads: Vec<String>,
    /// One command per Secret; values come from the shell environment, never from a file.
    pub secret_creates: Vec<String>,
    /// Shell variables the secret commands read their values from: each named like the
    /// variable the code reads.
    pub secret_keys: Vec<String>,
    /// The variables the secrets reach the processes as, with the Secret key when it differs.
    pub secret_deliveries: Vec<String>,
    pub apply: String,
    /// Applied first, so the Secrets have a namespace to go into.
    pub namespace_apply: String,
    pub wait: Vec<String>,
    pub access: Vec<String>,
    pub verify: Vec<String>,
    pub size_checks: Vec<String>,
    pub ai: Vec<AiCommand>,
    pub uninstall: String,
    /// Who calls whom: components and in-cluster services by Service, external ones directly.
    pub calls: Vec<Call>,
    /// The Helm way to deploy the same objects.
    pub helm: super::helm::commands::HelmCommands,
    /// `skaffold dev` and `skaffold delete` on Minikube and kind (see `skaffold.yaml`).
    pub skaffold_dev: Option<String>,
    pub skaffold_delete: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub from: String,
    pub to: String,
    pub external: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AiCommand {
    pub tool: String,
    pub task: String,
    pub command: String,
    pub fallback: String,
}

pub fn ops(d: &Deployment, out_dir: &str) -> Ops {
    let ns = d.namespace.value.clone();
    let cpu: u64 = d
        .components
        .iter()
        .map(|c| quantity::millicores(&c.resources.cpu_request.value) * u64::from(c.replicas.value))
        .sum::<u64>()
        + d.backing_services
            .iter()
            .filter(|s| s.mode.value == ServiceMode::InCluster)
            .count() as u64
            * 100;
    let mem: u64 = d
        .components
        .iter()
        .map(|c| quantity::mebibytes(&c.resources.memory_request.value) * u64::from(c.replicas.value))
        .sum::<u64>()
        + d.backing_services
            .iter()
            .filter(|s| s.mode.value == ServiceMode::InCluster)
            .count() as u64
            * 128;
    // Room for the control plane and system pods (about 1 CPU and 2 GiB on minikube), the
    // surge pod of a rolling update, and headroom; never below minikube's own minimum.
    let cluster_cpus = ((cpu * 2 + 1000).div_ceil(1000)).max(2);
    let cluster_memory_mi = ((mem * 2 + 2048).div_ceil(512) * 512).max(2048);
    let cluster_start = match d.platform.kind.value {
        PlatformKind::Minikube => format!(
            "minikube start --driver=docker --cpus={cluster_cpus} --memory={cluster_memory_mi}mb --kubernetes-version=v{}.0\nminikube addons enable metrics-server   # for kubectl top",
            d.platform.kubernetes_version.value
        ),
        PlatformKind::Kind => format!(
            "kind create cluster --name {} --image kindest/node:v{}.0",
            d.app.value, d.platform.kubernetes_version.value
        ),
        PlatformKind::Generic => format!(
            "kubectl config current-context   # any cluster with {cluster_cpus} CPUs and {cluster_memory_mi} MiB free"
        ),
    };
    // One `kubectl create secret` per Secret, with every key the workloads read from it. The
    // value of each key comes from the shell variable named like the variable the code reads
    // (`NEON_DATABASE_URL` for key `DATABASE_URL` when that is what the code reads), so the
    // quickstart names each secret the way the application and the manifests do.
    let env_of = |k: &str| k.to_uppercase().replace('-', "_");
    let mut by_secret: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<String>>> =
        std::collections::BTreeMap::new();
    let mut deliveries = Vec::new();
    let n_app = d.components.iter().map(|c| c.secrets.len()).sum::<usize>();
    for (i, s) in d
        .components
        .iter()
        .flat_map(|c| c.secrets.iter())
        .chain(d.backing_services.iter().map(|s| &s.secret))
        .enumerate()
    {
        let mut shown = format!("`{}`", s.env);
        if s.optional {
            // Not asked for: the code reads it only as an alias of a variable it reads first.
            shown.push_str(" when the Secret has that key");
        } else {
            let readers = by_secret
                .entry(s.secret.clone())
                .or_default()
                .entry(s.key.clone())
                .or_default();
            if !readers.contains(&s.env) {
                readers.push(s.env.clone());
            }
            if s.env != s.key {
                shown.push_str(&format!(" from key `{}` of Secret `{}`", s.key, s.secret));
            }
            if s.delivery == SecretDelivery::File {
                shown.push_str(&format!(" as the file `{}_FILE` names", s.env));
            }
        }
        // What the applications read; the backing services' own images read theirs.
        if i < n_app && !deliveries.contains(&shown) {
            deliveries.push(shown);
        }
    }
    let mut secret_keys = Vec::new();
    let secret_creates: Vec<String> = by_secret
        .into_iter()
        .map(|(name, keys)| {
            let literals: Vec<String> = keys
                .iter()
                .map(|(k, readers)| {
                    let var = readers
                        .iter()
                        .find(|e| **e == env_of(k))
                        .or(readers.first())
                        .cloned()
                        .unwrap_or_else(|| env_of(k));
                    let line = format!("  --from-literal={k}=\"${var}\"");
                    if !secret_keys.contains(&var) {
                        secret_keys.push(var);
                    }
                    line
                })
                .collect();
            format!(
                "kubectl create secret generic {name} -n {ns} \\\n{}",
                literals.join(" \\\n")
            )
        })
        .collect();
    let mut access = Vec::new();
    let mut verify = Vec::new();
    for c in d.components.iter().filter(|c| c.run_mode.value != RunMode::Worker) {
        let port = c.port.as_ref().map(|p| p.value).unwrap_or(80);
        // What the browser code calls at localhost answers only through a port-forward.
        for f in &c.browser_forwards {
            let line = format!(
                "kubectl port-forward -n {ns} service/{} {p}:{p} &   # keep it running: the browser calls {} ({})",
                f.service,
                f.url,
                f.variable,
                p = f.port
            );
            if !access.contains(&line) {
                access.push(line);
            }
        }
        match (c.exposure.service_type.value, d.platform.kind.value) {
            (_, _) if c.exposure.ingress_host.is_some() => {
                let host = &c.exposure.ingress_host.as_ref().expect("checked").value;
                access.push(format!("curl -H 'Host: {host}' http://$(kubectl get ingress {} -n {ns} -o jsonpath='{{.status.loadBalancer.ingress[0].ip}}')/", c.name));
            }
            // `minikube service --url` reaches a NodePort on every driver (it tunnels where the
            // node's address is not routable from the host); a fixed node port is also named.
            (ServiceType::NodePort, PlatformKind::Minikube) => access.push(match &c.exposure.node_port {
                Some(p) => format!(
                    "minikube service {} -n {ns} --url   # node port {p}: also http://$(minikube ip):{p}/ on a VM driver",
                    c.name,
                    p = p.value
                ),
                None => format!("minikube service {} -n {ns} --url", c.name),
            }),
            (ServiceType::LoadBalancer, PlatformKind::Minikube) => {
                access.push(
                    "minikube tunnel   # in a second terminal; gives LoadBalancer Services an address".to_string(),
                );
                access.push(format!(
                    "kubectl get service {} -n {ns} -o jsonpath='{{.status.loadBalancer.ingress[0].ip}}'",
                    c.name
                ));
            }
            (ServiceType::ClusterIP, _) => {}
            _ => access.push(format!("kubectl port-forward -n {ns} service/{} {port}:{port}", c.name)),
        }
        if let Some(h) = &c.health {
            // port-forward goes through the kubelet, so it works under the default-deny
            // NetworkPolicy and needs no extra pod in a restricted namespace.
            verify.push(format!(
                "kubectl port-forward -n {ns} service/{} {port}:{port} & sleep 2; curl -fsS http://127.0.0.1:{port}{}; kill $!",
                c.name, h.readiness.value
            ));
        }
    }
    let mut wait: Vec<String> = d
        .components
        .iter()
        .map(|c| format!("kubectl rollout status deployment/{} -n {ns} --timeout=120s", c.name))
        .collect();
    for s in d
        .backing_services
        .iter()
        .filter(|s| s.mode.value == ServiceMode::InCluster)
    {
        wait.push(format!(
            "kubectl rollout status statefulset/{} -n {ns} --timeout=120s",
            s.name
        ));
    }
    let size_checks = d
        .components
        .iter()
        .filter_map(|c| {
            c.size_budget_mb.as_ref().map(|b| {
                format!(
                    "docker image inspect {} --format '{{{{.Size}}}}'   # at most {} MB",
                    quote(&c.image.reference()),
                    b.value
                )
            })
        })
        .collect();
    let first = d.components.first().map(|c| c.name.clone()).unwrap_or_default();
    let mut ai = Vec::new();
    for t in &d.tooling {
        let tool = t.value.as_str();
        match tool {
            "kubectl-ai" => {
                ai.push(AiCommand {
                    tool: tool.into(),
                    task: "why a pod is not Ready".into(),
                    command: format!("kubectl-ai \"why is the {first} deployment in namespace {ns} not ready?\""),
                    fallback: format!("kubectl describe deployment {first} -n {ns} && kubectl get events -n {ns} --sort-by=.lastTimestamp"),
                });
                ai.push(AiCommand {
                    tool: tool.into(),
                    task: "scale a component".into(),
                    command: format!("kubectl-ai \"scale the {first} deployment in namespace {ns} to 2 replicas\""),
                    fallback: format!("kubectl scale deployment {first} -n {ns} --replicas=2"),
                });
            }
            "kagent" => ai.push(AiCommand {
                tool: tool.into(),
                task: "a health report of the namespace".into(),
                command: format!("kagent invoke --agent k8s-agent --task \"summarise the health of namespace {ns}\""),
                fallback: format!("kubectl get pods,deployments,services -n {ns} && kubectl top pods -n {ns}"),
            }),
            _ => ai.push(AiCommand {
                tool: tool.into(),
                task: "review a Dockerfile".into(),
                command: format!(
                    "docker ai {}",
                    quote(&format!(
                        "review {out_dir}/docker/{first}.Dockerfile for size and security"
                    ))
                ),
                fallback: format!("hadolint {}", quote(&format!("{out_dir}/docker/{first}.Dockerfile"))),
            }),
        }
    }
    Ops {
        namespace: ns.clone(),
        platform: format!("{:?}", d.platform.kind.value).to_lowercase(),
        cpu_requests_m: cpu,
        memory_requests_mi: mem,
        cluster_cpus,
        cluster_memory_mi,
        cluster_start,
        builds: d
            .components
            .iter()
            .map(|c| super::build::build(d, c, out_dir).command)
            .collect(),
        loads: d
            .components
            .iter()
            .map(|c| super::build::build(d, c, out_dir).load)
            .collect(),
        secret_creates,
        secret_deliveries: deliveries,
        secret_keys: {
            let mut k = secret_keys;
            k.sort();
            k.dedup();
            k
        },
        apply: format!("kubectl apply -f {}", quote(&format!("{out_dir}/k8s/"))),
        namespace_apply: format!(
            "kubectl apply -f {}",
            quote(&format!("{out_dir}/{}", super::k8s::namespace_path(d)))
        ),
        wait,
        access,
        verify,
        size_checks,
        ai,
        uninstall: format!("kubectl delete namespace {ns}"),
        helm: super::helm::commands::helm_commands(d, out_dir),
        skaffold_dev: super::skaffold::commands(d, out_dir).map(|c| c.0),
        skaffold_delete: super::skaffold::commands(d, out_dir).map(|c| c.1),
        calls: d
            .components
            .iter()
            .flat_map(|c| {
                c.depends_on.iter().map(|to| Call {
                    from: c.name.clone(),
                    to: to.clone(),
                    external: d
                        .backing_services
                        .iter()
                        .any(|s| &s.name == to && s.mode.value == ServiceMode::External),
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_is_sized_from_requests() {
        let d = crate::model::deploy::fixture::deployment();
        let o = ops(&d, "out/001-x");
        assert_eq!(o.cpu_requests_m, 100 * 3 + 100);
        assert!(o.cluster_cpus >= 2 && o.cluster_memory_mi >= 2048);
        assert!(o.cluster_start.contains(&format!("--cpus={}", o.cluster_cpus)));
        let all = o.secret_creates.join("\n");
        assert!(all.contains("kubectl create secret generic todo-db -n todo"), "{all}");
        assert!(all.contains("--from-literal=database-url=\"$DATABASE_URL\""), "{all}");
        assert_eq!(o.secret_creates.len(), 3);
    }

    /// A Secret key the code reads under another name (`NEON_DATABASE_URL` from key
    /// `DATABASE_URL`) is exported and named by the variable the code reads, as the manifests
    /// deliver it; the old wording asked for `$DATABASE_URL`, a variable the app never reads.
    #[test]
    fn secrets_are_named_by_the_variable_the_code_reads() {
        let mut d = crate::model::deploy::fixture::deployment();
        let api = d
            .components
            .iter_mut()
            .find(|c| !c.secrets.is_empty())
            .expect("a component with secrets");
        api.secrets[0].env = "NEON_DATABASE_URL".into();
        api.secrets[0].key = "DATABASE_URL".into();
        let secret = api.secrets[0].secret.clone();
        let o = ops(&d, "out/001-x");
        let all = o.secret_creates.join("\n");
        assert!(
            all.contains("--from-literal=DATABASE_URL=\"$NEON_DATABASE_URL\""),
            "{all}"
        );
        assert!(!all.contains("--from-literal=DATABASE_URL=\"$DATABASE_URL\""), "{all}");
        assert!(
            o.secret_keys.contains(&"NEON_DATABASE_URL".to_string()),
            "{:?}",
            o.secret_keys
        );
        assert!(
            o.secret_deliveries.contains(&format!(
                "`NEON_DATABASE_URL` from key `DATABASE_URL` of Secret `{secret}`"
            )),
            "{:?}",
            o.secret_deliveries
        );
    }
}
