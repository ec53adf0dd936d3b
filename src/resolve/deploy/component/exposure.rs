//! How the component is reached: its Service type, node port and Ingress host.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::deploy::{Component, Platform, PlatformKind, Role, ServiceType, Valued};

use super::super::{code, default_origin};
use super::Field;

/// The Service type: typed `exposure` (reported at a prose exposure it overrides); prose
/// ("the frontend via NodePort"); else a frontend is reachable from the host of a local
/// cluster (NodePort) or is the public entry point elsewhere (LoadBalancer), and the rest
/// stay inside the cluster (ClusterIP).
pub(super) fn service_type(f: &Field, role: Role, platform: &Platform, diags: &mut Diagnostics) -> Valued<ServiceType> {
    let prose = f.facts.exposure(role);
    f.typed_over(f.ci.exposure, "exposure", "exposure", prose.as_ref(), diags)
        .or(prose)
        .unwrap_or_else(|| match role {
            Role::Frontend => match platform.kind.value {
                PlatformKind::Minikube | PlatformKind::Kind => Valued::new(
                    ServiceType::NodePort,
                    default_origin("reachable from the host of a local cluster"),
                ),
                PlatformKind::Generic => {
                    Valued::new(ServiceType::LoadBalancer, default_origin("the public entry point"))
                }
            },
            _ => Valued::new(
                ServiceType::ClusterIP,
                default_origin("reachable inside the cluster only"),
            ),
        })
}

/// The node port: typed `nodePort` (reported at a prose port it overrides), then prose ("the
/// frontend via NodePort 30080"). Only a NodePort Service has one: a typed one on another
/// type is SP410 at its line, not dropped in silence; a prose one is reported unused by
/// `unused.rs`.
pub(super) fn node_port(
    f: &Field,
    role: Role,
    service_type: &Valued<ServiceType>,
    diags: &mut Diagnostics,
) -> Option<Valued<u16>> {
    let prose = f.facts.node_port(role);
    let port = f
        .typed_over(f.ci.node_port, "nodePort", "node port", prose.as_ref(), diags)
        .or(prose)?;
    if service_type.value == ServiceType::NodePort {
        return Some(port);
    }
    if f.ci.node_port.is_some() {
        let name = f.name;
        diags.push(code::at_origin(
            Diagnostic::new(
                Code::UnusedDeploymentFact,
                format!(
                    "component `{name}`: node port {} is set, and its Service is {:?} ({}), which opens no port on the nodes",
                    port.value, service_type.value, service_type.origin.text
                ),
            )
            .hint(format!("set `components.{name}.exposure: NodePort`, or leave `nodePort` out")),
            &port.origin,
        ));
    }
    None
}

/// A node port given to two components: the API server refuses the second Service
/// (`provided port is already allocated`), so the later component keeps its NodePort Service
/// without a fixed port (the cluster assigns one), and that is said at the port's origin.
pub fn shared_node_ports(components: &mut [Component], diags: &mut Diagnostics) {
    let mut taken: Vec<(u16, String)> = Vec::new();
    for c in components.iter_mut() {
        let Some(port) = &c.exposure.node_port else { continue };
        match taken.iter().find(|(p, _)| *p == port.value) {
            Some((_, first)) => {
                diags.push(code::at_origin(
                    Diagnostic::new(
                        Code::UnusedDeploymentFact,
                        format!(
                            "component `{}`: node port {} is `{first}`'s already, and the API server refuses a second Service on it; `{}` gets a node port the cluster assigns",
                            c.name, port.value, c.name
                        ),
                    )
                    .hint(format!("give `{}` another node port from 30000 to 32767 (`components.{}.nodePort`)", c.name, c.name)),
                    &port.origin,
                ));
                c.exposure.node_port = None;
            }
            None => taken.push((port.value, c.name.clone())),
        }
    }
}

/// The Ingress host: typed `host`, prose ("an Ingress at links.local"), else none (no
/// Ingress for the component).
pub(super) fn ingress_host(f: &Field, role: Role) -> Option<Valued<String>> {
    f.typed(f.ci.host.clone(), "host")
        .or_else(|| f.facts.ingress_host(role))
}
