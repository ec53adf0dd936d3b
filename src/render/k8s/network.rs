//! NetworkPolicies: everything is denied, then exactly the traffic the model implies is
//! allowed. Policies only add up, so each rule below opens one thing:
//!
//! - `default-deny` selects every pod of the namespace, for ingress and egress, with no
//!   rule: whatever no other policy allows is dropped, including pods added by hand later.
//! - `allow-dns` lets every pod ask kube-dns (`k8s-app: kube-dns` in `kube-system`, UDP and
//!   TCP 53; TCP for answers too large for UDP). Nothing works without names.
//! - One policy per workload, named after it and selecting its pods:
//!   - ingress on its port from each component that `depends_on` it;
//!   - ingress on its port from anywhere when its Service is `NodePort` or `LoadBalancer`
//!     or it has an Ingress host: node ports and load balancers arrive from node
//!     addresses, and the ingress controller from another namespace, none of which a
//!     selector can name portably;
//!   - egress to each `depends_on` target: components and in-cluster services by pod
//!     selector on their port; external services on their port to public
//!     addresses, since a managed database has no stable address to name;
//!   - egress on TCP 443 to public addresses when the component holds a secret that
//!     belongs to no backing service: that is the credential of an external API
//!     (`OPENAI_API_KEY`), which is useless without reaching it.
//!
//! "Public" is everything except the private, shared and link-local ranges, so a
//! component allowed out to the internet still cannot reach other pods, the nodes or the
//! cloud metadata endpoint (169.254.169.254). Probes come from the kubelet, which
//! NetworkPolicies do not filter.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Who, app_labels, in_cluster, labels, meta, selector};
use crate::model::deploy::{BackingService, Component, Deployment, ServiceMode, ServiceType};

pub(crate) const PUBLIC_V4: &str = "0.0.0.0/0";
pub(crate) const PRIVATE_V4: [&str; 5] = [
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
];
pub(crate) const PUBLIC_V6: &str = "::/0";
pub(crate) const PRIVATE_V6: [&str; 2] = ["fc00::/7", "fe80::/10"];

/// Port of the HTTPS APIs a component holding an API credential calls.
const HTTPS: u16 = 443;

pub(crate) const DEFAULT_DENY: &str = "default-deny";
pub(crate) const ALLOW_DNS: &str = "allow-dns";
/// Where the cluster's DNS runs, by the labels every distribution keeps for kube-dns.
pub(crate) const DNS_NAMESPACE: &str = "kube-system";
pub(crate) const DNS_POD_LABELS: [(&str, &str); 1] = [("k8s-app", "kube-dns")];

/// The two policies that select every pod: deny all, then DNS.
pub(super) fn namespace_policies(d: &Deployment) -> Vec<NetworkPolicy> {
    let deny = NetworkPolicy {
        metadata: meta(d, DEFAULT_DENY, app_labels(d)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..Default::default()
        }),
    };
    let kube_dns = NetworkPolicyPeer {
        namespace_selector: Some(match_labels([("kubernetes.io/metadata.name", DNS_NAMESPACE)])),
        pod_selector: Some(match_labels(DNS_POD_LABELS)),
        ..Default::default()
    };
    let dns = NetworkPolicy {
        metadata: meta(d, ALLOW_DNS, app_labels(d)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![kube_dns]),
                ports: Some(vec![port("UDP", 53), port("TCP", 53)]),
            }]),
            ..Default::default()
        }),
    };
    vec![deny, dns]
}

fn match_labels<const N: usize>(pairs: [(&str, &str); N]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        ..Default::default()
    }
}

fn port(protocol: &str, number: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: Some(protocol.into()),
        port: Some(IntOrString::Int(number.into())),
        ..Default::default()
    }
}

fn pods(d: &Deployment, name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(selector(d, name)),
        ..Default::default()
    }
}

fn public() -> Vec<NetworkPolicyPeer> {
    let block = |cidr: &str, except: &[&str]| NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.into(),
            except: Some(except.iter().map(|s| s.to_string()).collect()),
        }),
        ..Default::default()
    };
    vec![block(PUBLIC_V4, &PRIVATE_V4), block(PUBLIC_V6, &PRIVATE_V6)]
}

/// The components that call `name`, in model order.
pub(crate) fn callers<'a>(d: &'a Deployment, name: &'a str) -> impl Iterator<Item = &'a Component> {
    d.components
        .iter()
        .filter(move |c| c.depends_on.iter().any(|t| t == name))
}

/// Ingress on `number` from `callers`, or from anywhere when `public`.
fn ingress_rules(d: &Deployment, name: &str, number: u16, public: bool) -> Vec<NetworkPolicyIngressRule> {
    let from: Vec<_> = callers(d, name).map(|c| pods(d, &c.name)).collect();
    if public {
        vec![NetworkPolicyIngressRule {
            from: None,
            ports: Some(vec![port("TCP", number)]),
        }]
    } else if from.is_empty() {
        Vec::new()
    } else {
        vec![NetworkPolicyIngressRule {
            from: Some(from),
            ports: Some(vec![port("TCP", number)]),
        }]
    }
}

pub(crate) fn is_public(c: &Component) -> bool {
    matches!(
        c.exposure.service_type.value,
        ServiceType::NodePort | ServiceType::LoadBalancer
    ) || c.exposure.ingress_host.is_some()
}

/// True when a secret of the component is not any backing service's: an API credential.
pub(crate) fn calls_external_api(d: &Deployment, c: &Component) -> bool {
    c.secrets.iter().any(|s| {
        !d.backing_services
            .iter()
            .any(|b| b.secret.secret == s.secret && b.secret.key == s.key)
    })
}

/// Where a component may connect: the pods of each in-cluster target by name, with its
/// port, and the ports it may reach on public addresses (external services in
/// `depends_on` order, then HTTPS for an API credential).
pub(crate) struct Egress {
    pub pods: BTreeMap<String, u16>,
    pub public_ports: Vec<u16>,
}

pub(crate) fn egress(d: &Deployment, c: &Component) -> Egress {
    let mut e = Egress {
        pods: BTreeMap::new(),
        public_ports: Vec::new(),
    };
    for target in &c.depends_on {
        if let Some(t) = d.components.iter().find(|t| &t.name == target) {
            if let Some(p) = &t.port {
                e.pods.insert(t.name.clone(), p.value);
            }
        } else if let Some(b) = d.backing_services.iter().find(|b| &b.name == target) {
            match b.mode.value {
                ServiceMode::InCluster => {
                    e.pods.insert(b.name.clone(), b.port);
                }
                ServiceMode::External => e.public_ports.push(b.port),
            }
        }
    }
    if calls_external_api(d, c) {
        e.public_ports.push(HTTPS);
    }
    e
}

/// One rule per target: pods in the order of their names (the order of the chart's
/// `egressTo` map), then public addresses.
fn egress_rules(d: &Deployment, c: &Component) -> Vec<NetworkPolicyEgressRule> {
    let e = egress(d, c);
    let mut rules: Vec<NetworkPolicyEgressRule> = e
        .pods
        .iter()
        .map(|(name, number)| NetworkPolicyEgressRule {
            to: Some(vec![pods(d, name)]),
            ports: Some(vec![port("TCP", *number)]),
        })
        .collect();
    rules.extend(e.public_ports.iter().map(|number| NetworkPolicyEgressRule {
        to: Some(public()),
        ports: Some(vec![port("TCP", *number)]),
    }));
    rules
}

fn policy(
    d: &Deployment,
    who: &Who,
    ingress: Vec<NetworkPolicyIngressRule>,
    egress: Vec<NetworkPolicyEgressRule>,
) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(d, who.name, labels(d, who)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(selector(d, who.name)),
            // Both types even with no rule: the workload's own policy then denies on its
            // own, should `default-deny` be deleted.
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: (!ingress.is_empty()).then_some(ingress),
            egress: (!egress.is_empty()).then_some(egress),
        }),
    }
}

pub(super) fn component_policy(d: &Deployment, c: &Component) -> NetworkPolicy {
    let ingress = match &c.port {
        Some(p) => ingress_rules(d, &c.name, p.value, is_public(c)),
        None => Vec::new(),
    };
    policy(d, &Who::component(c), ingress, egress_rules(d, c))
}

/// A database or cache only answers its callers and calls nobody.
pub(super) fn service_policy(d: &Deployment, s: &BackingService) -> NetworkPolicy {
    debug_assert!(in_cluster(s));
    policy(
        d,
        &Who::service(s),
        ingress_rules(d, &s.name, s.port, false),
        Vec::new(),
    )
}
