//! The tables a reader of plan.md and research.md looks for: port allocation, environment
//! variables (secret or config, required, value or source, origin) and images (base, size
//! budget). Computed from the deployment model, so they agree with the manifests.

use crate::model::deploy::{Deployment, ServiceType};

pub use crate::model::tables::{EnvRow, ImageRow, PortRow, Tables};

pub fn tables(d: &Deployment) -> Tables {
    let mut t = Tables::default();
    for c in &d.components {
        let ingress = c.exposure.ingress_host.as_ref();
        let (container_port, service) = match &c.port {
            Some(p) => (p.value.to_string(), format!("{}:{}", c.name, p.value)),
            None => ("none (no port)".to_string(), "none".to_string()),
        };
        let exposure = match (ingress, c.exposure.service_type.value) {
            (Some(_), ty) => format!("Ingress ({ty:?} Service)"),
            (None, ty) => format!("{ty:?}"),
        };
        let reached_at = match (ingress, c.exposure.service_type.value, &c.port) {
            (_, _, None) => "not reached: it serves no port".to_string(),
            (Some(h), _, _) => format!("http://{}/ (Ingress host)", h.value),
            (None, ServiceType::NodePort, _) => match &c.exposure.node_port {
                Some(n) => format!("port {} of every node (NodePort)", n.value),
                None => "a NodePort the cluster assigns (`kubectl get service`)".to_string(),
            },
            (None, ServiceType::LoadBalancer, _) => {
                "the load balancer's address (`minikube tunnel` locally)".to_string()
            }
            (None, ServiceType::ClusterIP, Some(p)) => format!("in the cluster only, http://{}:{}", c.name, p.value),
        };
        let origin = match (&c.port, ingress) {
            (Some(p), Some(h)) => format!("port: {}; host: {}", p.origin.text, h.origin.text),
            (Some(p), None) => match &c.exposure.node_port {
                Some(n) => format!(
                    "port: {}; exposure: {}; node port: {}",
                    p.origin.text, c.exposure.service_type.origin.text, n.origin.text
                ),
                None => format!(
                    "port: {}; exposure: {}",
                    p.origin.text, c.exposure.service_type.origin.text
                ),
            },
            (None, _) => c.run_mode.origin.text.clone(),
        };
        t.ports.push(PortRow {
            component: c.name.clone(),
            container_port,
            service,
            exposure,
            reached_at,
            origin,
        });

        // Environment: every variable the code reads, then what the model delivers that
        // the code was not seen reading.
        let mut names: Vec<String> = Vec::new();
        for r in &c.env_reads {
            let value = if let Some(s) = c.secrets.iter().find(|s| s.env == r.name) {
                format!("Secret `{}`, key `{}`", s.secret, s.key)
            } else if let Some(v) = c.config.iter().find(|v| v.name == r.name) {
                format!("`{}` ({})", v.value, v.origin.text)
            } else if let Some(v) = c.build_args.iter().find(|v| v.name == r.name) {
                match v.value.as_str() {
                    "" => format!("empty at build time ({})", v.origin.text),
                    value => format!("`{value}` at build time ({})", v.origin.text),
                }
            } else if r.default.as_ref().is_some_and(|d| d.is_credential()) {
                "the code's default (a credential: not shown)".to_string()
            } else if let Some(d) = &r.default {
                format!("the code's default `{d}`")
            } else {
                r.delivered.clone()
            };
            let kind = if c.secrets.iter().any(|s| s.env == r.name) || r.secret {
                "secret"
            } else if c.build_args.iter().any(|v| v.name == r.name) {
                "build argument"
            } else {
                "config"
            };
            t.env.push(EnvRow {
                component: c.name.clone(),
                name: r.name.clone(),
                kind: kind.into(),
                required: if r.required { "yes" } else { "no" }.into(),
                value,
                origin: r.origin.text.clone(),
            });
            names.push(r.name.clone());
        }
        let unread = if c.source_dir.value.is_some() {
            "not read in the source"
        } else {
            "unknown: no source folder"
        };
        for s in c.secrets.iter().filter(|s| !names.contains(&s.env)) {
            t.env.push(EnvRow {
                component: c.name.clone(),
                name: s.env.clone(),
                kind: "secret".into(),
                required: unread.into(),
                value: format!("Secret `{}`, key `{}`", s.secret, s.key),
                origin: s.origin.text.clone(),
            });
        }
        for (v, kind) in c
            .config
            .iter()
            .map(|v| (v, "config"))
            .chain(c.build_args.iter().map(|v| (v, "build argument")))
            .filter(|(v, _)| !names.contains(&v.name))
        {
            t.env.push(EnvRow {
                component: c.name.clone(),
                name: v.name.clone(),
                kind: kind.into(),
                required: unread.into(),
                value: format!("`{}`", v.value),
                origin: v.origin.text.clone(),
            });
        }

        t.images.push(ImageRow {
            component: c.name.clone(),
            image: c.image.reference(),
            bases: c
                .stages
                .iter()
                .map(|s| format!("{}: `{}`", s.name, s.base.value))
                .collect::<Vec<_>>()
                .join("; "),
            size_budget: match &c.size_budget_mb {
                Some(b) => format!("{} MB ({})", b.value, b.origin.text),
                None => "none stated".into(),
            },
        });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_component_has_a_port_row_and_an_image_row() {
        let d = crate::model::deploy::fixture::deployment();
        let t = tables(&d);
        assert_eq!(t.ports.len(), d.components.len());
        assert_eq!(t.images.len(), d.components.len());
        let worker = t.ports.iter().find(|p| p.component == "worker").unwrap();
        assert_eq!(worker.service, "none");
        // Every secret of every component is in the environment table, as a secret.
        for c in &d.components {
            for s in &c.secrets {
                assert!(
                    t.env
                        .iter()
                        .any(|e| e.component == c.name && e.name == s.env && e.kind == "secret"),
                    "{} {}",
                    c.name,
                    s.env
                );
            }
        }
    }
}
