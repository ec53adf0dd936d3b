//! No silent drops: a plan-input line or a spec requirement that states a deployment fact
//! (namespace, replicas, port, host, service type, storage, resources, image pull policy)
//! is either in the deployment model with its origin, agrees with what the model has, or is
//! reported (`SP410`) with the typed form the user can write instead.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::model::deploy::{Component, Deployment};

use super::DeployInputs;
use super::prose::{
    Fact, Facts, has_word, namespace_in, nearest_named, node_port_in, port_in, replica_count, role_words, sentences,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Namespace,
    Replicas,
    Port,
    /// A port on the node (30000–32767) for a NodePort Service.
    NodePort,
    Host,
    ServiceType,
    Storage,
    Resources,
    PullPolicy,
}

impl Topic {
    fn what(self) -> &'static str {
        match self {
            Topic::Namespace => "a namespace",
            Topic::Replicas => "a replica count",
            Topic::Port => "a port",
            Topic::NodePort => "a node port",
            Topic::Host => "a host name",
            Topic::ServiceType => "a Service type",
            Topic::Storage => "a storage size",
            Topic::Resources => "a CPU or memory quantity",
            Topic::PullPolicy => "an image pull policy",
        }
    }
}

/// The topics a statement gives a value for, with the value as written.
fn stated(fact: &Fact) -> Vec<(Topic, String)> {
    let lower = &fact.lower;
    let mut out = Vec::new();
    // "deploy to the default namespace" and "Single namespace (default)" state one too; the
    // prose reader does not take Kubernetes' `default` (a namespace of its own is safer), so
    // they are reported unless the model agrees.
    let default_ns = lower.contains("default namespace") || lower.contains("namespace (default)");
    if has_word(lower, "namespace")
        && let Some(n) = namespace_in(&fact.text).or_else(|| default_ns.then(|| "default".to_string()))
    {
        out.push((Topic::Namespace, n));
    }
    if let Some(n) = lower.split([',', ';']).find_map(replica_count) {
        out.push((Topic::Replicas, n.to_string()));
    }
    if let Some(p) = port_in(lower) {
        out.push((Topic::Port, p.to_string()));
    }
    if let Some(p) = node_port_in(lower) {
        out.push((Topic::NodePort, p.to_string()));
    }
    if (has_word(lower, "ingress") || has_word(lower, "host") || has_word(lower, "hostname"))
        && let Some(h) = host_in(&fact.text)
    {
        out.push((Topic::Host, h));
    }
    for (word, ty) in [
        ("nodeport", "NodePort"),
        ("loadbalancer", "LoadBalancer"),
        ("load balancer", "LoadBalancer"),
        ("clusterip", "ClusterIP"),
    ] {
        if has_word(lower, word) && !negated(lower, word) {
            out.push((Topic::ServiceType, ty.to_string()));
            break;
        }
    }
    // A size counts as storage only in the sentence that says volume or storage.
    if let Some(size) = sentences(&fact.text).into_iter().find_map(|sentence| {
        let l = sentence.to_lowercase();
        ["volume", "pvc", "persistent", "storage", "disk"]
            .iter()
            .any(|w| l.contains(w))
            .then(|| super::prose::storage_size(sentence))
            .flatten()
    }) {
        out.push((Topic::Storage, size));
    }
    if let Some(q) = sentences(lower).into_iter().find_map(resources_in) {
        out.push((Topic::Resources, q));
    }
    if let Some(p) = Facts::only(fact).pull_policy() {
        out.push((Topic::PullPolicy, p.value));
    }
    out
}

/// "no LoadBalancer", "not a NodePort", "without a ClusterIP".
fn negated(lower: &str, word: &str) -> bool {
    let Some(i) = lower.find(word) else { return false };
    let before: Vec<&str> = lower[..i].split_whitespace().rev().take(2).collect();
    before
        .iter()
        .any(|w| matches!(*w, "no" | "not" | "without" | "avoid" | "never"))
}

/// A host name: `todo.local`, `app.example.com` (not a file name, a version or localhost).
fn host_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '`' | '(' | ')' | ',' | '"' | '\'' | '*'))
        .map(|w| w.trim_end_matches(['.', ':', ';']))
        .find(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            let tld = parts.last().copied().unwrap_or("");
            parts.len() >= 2
                && parts.iter().all(|p| !p.is_empty())
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && tld.len() >= 2
                && tld.chars().all(|c| c.is_ascii_lowercase())
                && !matches!(
                    tld,
                    "md" | "yaml"
                        | "yml"
                        | "json"
                        | "toml"
                        | "txt"
                        | "py"
                        | "ts"
                        | "tsx"
                        | "js"
                        | "mjs"
                        | "lock"
                        | "sh"
                        | "env"
                        | "example"
                )
                && !w.starts_with("localhost")
        })
        .map(str::to_lowercase)
}

/// A CPU or memory quantity given to pods: "memory limit 512Mi", "CPU request 250m".
/// The size of the cluster itself ("Minikube with 4GB RAM, 2 CPUs") is not a pod's.
fn resources_in(lower: &str) -> Option<String> {
    quantities(lower).into_iter().next()
}

/// Every CPU or memory quantity a statement about pod resources gives, normalised to
/// Kubernetes units (`512mb` → `512Mi`).
fn quantities(lower: &str) -> Vec<String> {
    quantities_at(lower).into_iter().map(|(_, q)| q).collect()
}

/// [`quantities`] with the byte offset of each in `lower`.
fn quantities_at(lower: &str) -> Vec<(usize, String)> {
    let about = ["cpu", "memory", "ram"].iter().any(|w| lower.contains(w));
    let per_pod = ["limit", "request", "per pod", "per container", "resources"]
        .iter()
        .any(|w| lower.contains(w));
    let cluster = ["minikube", "cluster", "node", "host", "machine", "vm"]
        .iter()
        .any(|w| has_word(lower, w));
    if !about || !per_pod || cluster {
        return Vec::new();
    }
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '`' | ':' | '=' | '/'))
        .filter_map(|w| {
            let at = w.as_ptr() as usize - lower.as_ptr() as usize;
            let w = w.trim_end_matches('.');
            let digits = w.chars().take_while(|c| c.is_ascii_digit() || *c == '.').count();
            let unit = match &w[digits..] {
                "m" => "m",
                "mi" | "mb" => "Mi",
                "gi" | "gb" | "g" => "Gi",
                _ => return None,
            };
            (digits > 0).then(|| (at, format!("{}{unit}", &w[..digits])))
        })
        .collect()
}

/// The typed form of every quantity of a resources statement, each given to the component
/// named nearest before it ("backend 500m CPU and 512Mi memory, frontend 250m / 256Mi"):
/// `{backend: {resources: {cpuLimit: 500m, memoryLimit: 512Mi}}, frontend: {…}}`. Of two
/// quantities of one kind for a component, the smaller is the request.
fn resources_form(d: &Deployment, lower: &str, fallback: &str) -> String {
    let mentioned: Vec<&Component> = d.components.iter().filter(|c| names(lower, c)).collect();
    let mut per: Vec<(&str, Vec<String>, Vec<String>)> = Vec::new();
    for (at, q) in quantities_at(lower) {
        let owner = mentioned
            .iter()
            .find(|c| nearest_named(lower, at, c.role.value, &c.name))
            .map_or(fallback, |c| c.name.as_str());
        let i = match per.iter().position(|(n, _, _)| *n == owner) {
            Some(i) => i,
            None => {
                per.push((owner, Vec::new(), Vec::new()));
                per.len() - 1
            }
        };
        if q.ends_with('m') {
            per[i].1.push(q);
        } else {
            per[i].2.push(q);
        }
    }
    let fields = |kind: &str, qs: &[String]| -> Vec<String> {
        match qs {
            [] => Vec::new(),
            [one] => vec![format!("{kind}Limit: {one}")],
            [a, b, ..] => {
                let size = |q: &str| crate::quantity::parse(q).unwrap_or(0.0);
                let (low, high) = if size(a) <= size(b) { (a, b) } else { (b, a) };
                vec![format!("{kind}Request: {low}"), format!("{kind}Limit: {high}")]
            }
        }
    };
    let parts: Vec<String> = per
        .iter()
        .map(|(name, cpu, memory)| {
            let f = [fields("cpu", cpu), fields("memory", memory)].concat();
            format!("{name}: {{resources: {{{}}}}}", f.join(", "))
        })
        .collect();
    format!("components: {{{}}}", parts.join(", "))
}

/// The component a statement is about: one whose role or name it names, else (for how
/// a component is reached) the first frontend, else the first.
fn component_for<'a>(d: &'a Deployment, lower: &str, topic: Topic) -> Option<&'a Component> {
    let exposed = matches!(topic, Topic::ServiceType | Topic::Host);
    d.components
        .iter()
        .find(|c| names(lower, c))
        .or_else(|| {
            d.components
                .iter()
                .find(|c| exposed && c.role.value == crate::model::deploy::Role::Frontend)
        })
        .or(d.components.first())
}

/// Whether a statement names component `c`, by its name or a word of its role.
fn names(lower: &str, c: &Component) -> bool {
    has_word(lower, &c.name) || role_words(c.role.value).iter().any(|w| has_word(lower, w))
}

/// Whether the model took the fact, or holds the very value it states.
fn taken(d: &Deployment, fact: &Fact, topic: Topic, value: &str) -> Option<String> {
    let here = |o: &crate::model::Origin| o.text == fact.origin.text;
    let only = Facts::only(fact);
    let comps = || d.components.iter();
    let (used, agrees, holds): (bool, bool, Option<String>) = match topic {
        Topic::Namespace => (
            here(&d.namespace.origin),
            d.namespace.value == value,
            Some(format!("`{}`, {}", d.namespace.value, d.namespace.origin.text)),
        ),
        Topic::Replicas => (
            comps().any(|c| here(&c.replicas.origin)) || here(&d.rollout.production_replicas.origin),
            comps().any(|c| {
                only.replicas(c.role.value, &c.name)
                    .is_some_and(|v| v.value == c.replicas.value)
            }) || only
                .production_replicas()
                .is_some_and(|v| v.value == d.rollout.production_replicas.value),
            None,
        ),
        Topic::Port => (
            comps().any(|c| c.port.as_ref().is_some_and(|p| here(&p.origin))),
            comps().any(|c| {
                c.port
                    .as_ref()
                    .is_some_and(|p| only.port(c.role.value, &c.name).is_some_and(|v| v.value == p.value))
            }),
            None,
        ),
        Topic::NodePort => (
            comps().any(|c| c.exposure.node_port.as_ref().is_some_and(|p| here(&p.origin))),
            comps().any(|c| {
                c.exposure
                    .node_port
                    .as_ref()
                    .is_some_and(|p| p.value.to_string() == value)
            }),
            None,
        ),
        Topic::Host => (
            comps().any(|c| c.exposure.ingress_host.as_ref().is_some_and(|h| here(&h.origin))),
            comps().any(|c| c.exposure.ingress_host.as_ref().is_some_and(|h| h.value == value)),
            None,
        ),
        Topic::ServiceType => {
            // "NodePort access only" names no component: it agrees when the component that
            // is reached from outside (a frontend, else any) has that type.
            let unnamed = !d.components.iter().any(|c| {
                has_word(&fact.lower, &c.name) || role_words(c.role.value).iter().any(|w| has_word(&fact.lower, w))
            });
            let outside = component_for(d, &fact.lower, Topic::ServiceType);
            (
                comps().any(|c| here(&c.exposure.service_type.origin)),
                comps().any(|c| {
                    only.exposure(c.role.value)
                        .is_some_and(|v| v.value == c.exposure.service_type.value)
                }) || (unnamed && outside.is_some_and(|c| format!("{:?}", c.exposure.service_type.value) == value)),
                None,
            )
        }
        Topic::Storage => (
            d.backing_services
                .iter()
                .any(|b| b.storage.as_ref().is_some_and(|s| here(&s.origin))),
            d.backing_services
                .iter()
                .any(|b| b.storage.as_ref().is_some_and(|s| s.value == value)),
            None,
        ),
        Topic::Resources => {
            let values = |c: &'_ Component| {
                let r = &c.resources;
                [
                    r.cpu_request.clone(),
                    r.cpu_limit.clone(),
                    r.memory_request.clone(),
                    r.memory_limit.clone(),
                ]
            };
            // "between 100m and 500m CPU and between 128Mi and 512Mi memory" agrees with a
            // model whose requests and limits are those very values.
            let stated = sentences(&fact.lower)
                .into_iter()
                .flat_map(quantities)
                .collect::<Vec<_>>();
            (
                comps().any(|c| values(c).iter().any(|v| here(&v.origin))),
                !stated.is_empty()
                    && stated
                        .iter()
                        .all(|q| comps().any(|c| values(c).iter().any(|v| &v.value == q))),
                None,
            )
        }
        Topic::PullPolicy => (
            comps().any(|c| here(&c.image.pull_policy.origin)),
            comps().any(|c| c.image.pull_policy.value == value),
            None,
        ),
    };
    if used || agrees {
        None
    } else {
        Some(holds.unwrap_or_default())
    }
}

/// The typed form of a fact, for the hint: YAML the user can put in plan-input.md's block.
fn typed_form(d: &Deployment, fact: &Fact, topic: Topic, value: &str) -> String {
    let name = component_for(d, &fact.lower, topic)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "backend".into());
    let service = d
        .backing_services
        .first()
        .map(|b| b.name.clone())
        .unwrap_or_else(|| "postgres".into());
    match topic {
        Topic::Namespace => format!("namespace: {value}"),
        Topic::Replicas => format!("components: {{{name}: {{replicas: {value}}}}}"),
        Topic::Port => format!("components: {{{name}: {{port: {value}}}}}"),
        Topic::NodePort => format!("components: {{{name}: {{exposure: NodePort, nodePort: {value}}}}}"),
        Topic::Host => format!("components: {{{name}: {{host: {value}}}}}"),
        Topic::ServiceType => format!("components: {{{name}: {{exposure: {value}}}}}"),
        Topic::Storage => format!("services: {{{service}: {{storage: {value}}}}}"),
        // `value` came from the first sentence that states a quantity ([`resources_in`]).
        Topic::Resources => {
            let sentence = sentences(&fact.lower).into_iter().find(|s| !quantities(s).is_empty());
            resources_form(d, sentence.unwrap_or(&fact.lower), &name)
        }
        Topic::PullPolicy => format!("components: {{{name}: {{pullPolicy: {value}}}}}"),
    }
}

/// Report every deployment fact of the plan input and the spec's requirements that the
/// model neither took nor agrees with.
pub fn report(cx: &DeployInputs, d: &Deployment, facts: &Facts, diags: &mut Diagnostics) {
    let mut checked: Vec<String> = Vec::new();
    let mut adopted = false;
    if let Some(p) = cx.plan_input {
        adopted = p.adopted;
        let at = |line: usize| crate::model::Origin::at(&p.path, line).text;
        checked.extend(p.entries.iter().map(|e| at(e.line)));
        checked.extend(p.decisions.iter().map(|e| at(e.line)));
        checked.extend(p.free_text.iter().chain(&p.risks).map(|e| at(e.line)));
    }
    let requirements: Vec<String> = cx
        .spec
        .requirements
        .iter()
        .map(|r| super::prose::requirement_origin(&cx.spec.path, r).text)
        .collect();
    let mut seen: Vec<(String, Topic)> = Vec::new();
    for fact in facts.items() {
        let from_spec = requirements.contains(&fact.origin.text);
        if !from_spec && !checked.contains(&fact.origin.text) {
            continue;
        }
        for (topic, value) in stated(fact) {
            if seen.contains(&(fact.origin.text.clone(), topic)) {
                continue;
            }
            seen.push((fact.origin.text.clone(), topic));
            let Some(holds) = taken(d, fact, topic, &value) else {
                continue;
            };
            let why = if holds.is_empty() {
                "the deployment model does not use it".to_string()
            } else {
                format!("the model has {holds}")
            };
            let mut diag = Diagnostic::new(
                Code::UnusedDeploymentFact,
                format!("{} stated here is not in the deployment ({why})", topic.what()),
            )
            .label(format!("states {} (`{value}`)", topic.what()))
            .hint(match topic {
                Topic::NodePort => format!(
                    "a NodePort Service's node port is assigned by the cluster (`kubectl get service` shows it); the port the component listens on is typed as `{}` in the ```yaml block of {}",
                    typed_form(d, fact, Topic::Port, "<port>"),
                    super::discover::plan_input_path(cx)
                ),
                _ => format!(
                    "to make it count, write it typed in the ```yaml block of {}: `{}`",
                    super::discover::plan_input_path(cx),
                    typed_form(d, fact, topic, &value)
                ),
            });
            if adopted && !from_spec {
                diag = diag.severity(Severity::Info);
            }
            diag = match &fact.span {
                Some(span) => diag.at(span.clone()),
                None => diag.at_path(&cx.spec.path),
            };
            diags.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_not_files_or_versions() {
        assert_eq!(host_in("an Ingress at `todo.local`").as_deref(), Some("todo.local"));
        assert_eq!(
            host_in("host app.example.com for the frontend").as_deref(),
            Some("app.example.com")
        );
        assert_eq!(host_in("Python 3.13 and next.config.ts"), None);
        assert_eq!(host_in("runs on localhost.local"), None);
        assert_eq!(host_in("Next.js 16"), None);
    }

    #[test]
    fn pod_resources_not_cluster_size() {
        assert_eq!(
            resources_in("memory limit 512mi for the backend").as_deref(),
            Some("512Mi")
        );
        assert_eq!(resources_in("cpu request: 250m").as_deref(), Some("250m"));
        assert_eq!(resources_in("minikube resource limits: 4gb ram, 2 cpus"), None);
        assert_eq!(resources_in("resource limits must be set"), None);
    }

    #[test]
    fn each_quantity_goes_to_the_component_named_before_it() {
        // The fixture deployment: `web` (frontend) and `api` (backend).
        let d = crate::model::deploy::fixture::deployment();
        let form = |s: &str| resources_form(&d, &s.to_lowercase(), "api");
        assert_eq!(
            form("Resources: backend 500m CPU and 512Mi memory, frontend 250m CPU / 256Mi memory"),
            "components: {api: {resources: {cpuLimit: 500m, memoryLimit: 512Mi}}, web: {resources: {cpuLimit: 250m, memoryLimit: 256Mi}}}"
        );
        assert_eq!(
            form("the web limits: between 1Gi and 256Mi memory, cpu 100m to 500m"),
            "components: {web: {resources: {cpuRequest: 100m, cpuLimit: 500m, memoryRequest: 256Mi, memoryLimit: 1Gi}}}"
        );
        // No component named: the fallback's.
        assert_eq!(
            form("memory limit 384Mi per container"),
            "components: {api: {resources: {memoryLimit: 384Mi}}}"
        );
    }

    #[test]
    fn service_type_negations() {
        assert!(negated("nodeport access only, no loadbalancer", "loadbalancer"));
        assert!(!negated("expose the frontend as a nodeport", "nodeport"));
    }
}
