//! research.md entries for the choices the compiler made about the deployment, so every
//! default is written down with its reason and the alternatives it beat.

use crate::model::deploy::{Deployment, Role, RunMode, SecretDelivery, ServiceMode, ServiceType};
use crate::model::{Origin, ResearchEntry};

/// The exposures not chosen, each with what it would have cost.
fn exposure_alternatives(chosen: ServiceType, ingress: bool) -> String {
    let all = [
        (
            Some(ServiceType::LoadBalancer),
            "LoadBalancer (needs `minikube tunnel` on a local cluster)",
        ),
        (
            Some(ServiceType::NodePort),
            "NodePort (a high port, reachable on local clusters only)",
        ),
        (
            Some(ServiceType::ClusterIP),
            "ClusterIP with `kubectl port-forward` (one developer at a time)",
        ),
        (
            None,
            "an Ingress (one more controller to run and a host name to resolve)",
        ),
    ];
    all.iter()
        .filter(|(t, _)| match t {
            Some(t) => *t != chosen,
            None => !ingress,
        })
        .map(|(_, s)| *s)
        .collect::<Vec<_>>()
        .join("; ")
        + "."
}

fn entry(topic: String, decision: String, rationale: String, alternatives: &str, origin: Origin) -> ResearchEntry {
    ResearchEntry {
        id: String::new(),
        topic,
        decision,
        rationale,
        alternatives: alternatives.to_string(),
        origin,
    }
}

pub fn entries(d: &Deployment) -> Vec<ResearchEntry> {
    let mut out = Vec::new();
    for c in &d.components {
        let stages: Vec<String> = c
            .stages
            .iter()
            .map(|s| format!("{} `{}`", s.name, s.base.value))
            .collect();
        out.push(entry(
            format!("Base images of {}", c.name),
            format!("{} {} on {}: {}.", c.stack_name, c.language_version.value, c.language, stages.join(", ")),
            format!(
                "Pinned to a maintained {} release by tag, {}; the runtime stage copies only the build output, so no compiler or package manager ships in the image. Version from {}.",
                c.language,
                // A version no input asks for (or one the catalog has no image for) is the
                // catalog's choice, not what the inputs said.
                if c.language_version.origin.kind == crate::model::OriginKind::Default {
                    "the catalog's choice"
                } else {
                    "the same major version the inputs ask for"
                },
                c.language_version.origin.text
            ),
            crate::catalog::Catalog::shared()
                .language(&c.language)
                .map_or("An unpinned base image.", |l| l.rejected_images.as_str()),
            c.stack.origin.clone(),
        ));
        let mode = match c.run_mode.value {
            RunMode::Server => format!(
                "A long-running {} server on port {}.",
                c.language,
                c.port.as_ref().map(|p| p.value).unwrap_or_default()
            ),
            RunMode::Static => format!(
                "Static files served by unprivileged nginx on port {}.",
                c.port.as_ref().map(|p| p.value).unwrap_or_default()
            ),
            RunMode::Worker => "A background process with no port and no Service.".to_string(),
        };
        out.push(entry(
            format!("Run mode of {}", c.name),
            mode,
            format!("The {} stack ({}) runs this way.", c.stack.value, c.stack.origin.text),
            match c.stack.value.as_str() {
                "nextjs-standalone" => {
                    "Static export behind nginx (loses API routes, rewrites, middleware and ISR the app may use)."
                }
                "nextjs-start" => {
                    "The standalone server (a smaller image holding only the files the server traces); sp builds it once next.config sets `output: \"standalone\"`."
                }
                "nextjs-static" | "vite-spa" => {
                    "A Node server (more memory and a runtime to patch, for files that never change)."
                }
                _ => "None for this stack.",
            },
            c.run_mode.origin.clone(),
        ));
        if c.run_mode.value == RunMode::Server
            && c.health.is_none()
            && let Some(port) = &c.port
        {
            out.push(entry(
                format!("Probes of {}", c.name),
                format!(
                    "Liveness, readiness and startup probes open a TCP connection to port {} (`tcpSocket`); the image's HEALTHCHECK does the same.",
                    port.value
                ),
                "The component's source declares no health route (SP424), and a probe must work for the code as it is: asking the catalog's `/health` would get a 404 and restart a healthy pod forever. A TCP connection proves the server listens, not that it can serve; add a health route and sp probes it.".into(),
                "`httpGet` on the catalog's `/health` (the code does not serve it); `httpGet` on another route the code declares, such as `/` (it may need authentication or a database, or redirect, and a probe failing for those reasons restarts a pod that is fine).",
                Origin::derived(format!("the source of `{}` (no health route)", c.name)),
            ));
        }
        if c.role.value == Role::Frontend || c.exposure.service_type.value != ServiceType::ClusterIP {
            out.push(entry(
                format!("Exposure of {}", c.name),
                format!(
                    "A {:?} Service{}.",
                    c.exposure.service_type.value,
                    c.exposure
                        .ingress_host
                        .as_ref()
                        .map(|h| format!(" behind an Ingress for `{}`", h.value))
                        .unwrap_or_default()
                ),
                format!("Decided by {}.", c.exposure.service_type.origin.text),
                &exposure_alternatives(c.exposure.service_type.value, c.exposure.ingress_host.is_some()),
                c.exposure.service_type.origin.clone(),
            ));
        }
    }
    if let Some(c) = d.components.first() {
        out.push(entry(
            "Image pull policy".into(),
            format!("`imagePullPolicy: {}` for every component.", c.image.pull_policy.value),
            format!("Decided by {}. Images are built locally and reach the cluster with `{}`.", c.image.pull_policy.origin.text, d.platform.image_loading),
            "`Always` (fails for images that exist only inside the cluster); relying on the default (which is `Always` for `latest`).",
            c.image.pull_policy.origin.clone(),
        ));
    }
    let (as_env, as_file): (Vec<String>, Vec<String>) = {
        let mut env = Vec::new();
        let mut file = Vec::new();
        for c in &d.components {
            for s in &c.secrets {
                let shown = format!("`{}` ({})", s.env, s.secret);
                match s.delivery {
                    SecretDelivery::Env => env.push(shown),
                    SecretDelivery::File => file.push(shown),
                }
            }
        }
        for v in [&mut env, &mut file] {
            v.sort();
            v.dedup();
        }
        (env, file)
    };
    if !as_env.is_empty() || !as_file.is_empty() {
        let mut decision = String::new();
        if !as_env.is_empty() {
            decision.push_str(&format!(
                "{} reach the process as the variables the code reads, from Kubernetes Secrets created with `kubectl create secret generic` (`valueFrom.secretKeyRef`).",
                as_env.join(", ")
            ));
        }
        if !as_file.is_empty() {
            if !decision.is_empty() {
                decision.push(' ');
            }
            decision.push_str(&format!(
                "{} are mounted read-only as files under `/var/run/secrets/<secret>/`, named by `<NAME>_FILE`, because the code reads `<NAME>_FILE` or a constitution rule demands files.",
                as_file.join(", ")
            ));
        }
        out.push(entry(
            "Secrets handling".into(),
            decision,
            "A secret is delivered under the name the application reads: an application that reads `DATABASE_URL` and is given only `DATABASE_URL_FILE` does not start, and an application that cannot start is not secure, it is broken. No secret value is ever written to a file sp generates, so none can reach git or the Helm release history; ConfigMaps carry only non-secret settings. checkov's CKV_K8S_35 (\"prefer secrets as files\") is therefore skipped by default; files are used where the code reads them.".into(),
            "Files only, `<NAME>_FILE` for every secret (checkov CKV_K8S_35; the application must be changed to read the files); a Secret manifest with base64 values (base64 is not encryption, and the file ends up in git); values in values.yaml (kept in every Helm release record).",
            d.components.iter().flat_map(|c| c.secrets.first()).map(|s| s.origin.clone()).next().unwrap_or_else(|| Origin::derived("the inputs")),
        ));
    }
    for c in d.components.iter().filter(|c| c.role.value == Role::Frontend) {
        if let Some(api) = c.config.iter().find(|v| v.name == "API_URL") {
            out.push(entry(
                format!("How {} reaches the API", c.name),
                format!("`API_URL={}`: the frontend calls the backend through its ClusterIP Service, server-side.", api.value),
                "The browser never needs the API's address, the backend stays internal, and no CORS setup is needed.".into(),
                "A public API called from the browser (a second exposed Service, CORS, and the API URL baked into the build).",
                api.origin.clone(),
            ));
        }
    }
    for s in &d.backing_services {
        out.push(entry(
            format!("{} ({})", s.product, s.name),
            match s.mode.value {
                ServiceMode::External => format!("External: reached through `{}` from the Secret `{}`.", s.secret.env, s.secret.secret),
                ServiceMode::InCluster => format!(
                    "In the cluster: a StatefulSet running `{}` with a {} volume and its password from the Secret `{}`.",
                    s.image.as_ref().map(|i| i.value.as_str()).unwrap_or(""),
                    s.storage.as_ref().map(|v| v.value.as_str()).unwrap_or("persistent"),
                    s.secret.secret
                ),
            },
            format!("Decided by {}.", s.mode.origin.text),
            match s.mode.value {
                ServiceMode::External => "Running it in the cluster (state on a laptop cluster, backups, memory).",
                ServiceMode::InCluster => "A managed service (an account and network access from the cluster).",
            },
            s.mode.origin.clone(),
        ));
    }
    out.push(entry(
        "Helm chart".into(),
        format!(
            "One chart, `helm/{app}/`, whose templates are the same for every feature and range over `.Values.components`; everything feature-specific is in the values files. `values-local.yaml` renders exactly the raw manifests of `k8s/`; `values-production.yaml` runs {prod} replicas with PodDisruptionBudgets. The Namespace is not templated: it is created from `k8s/00-{ns}-namespace.yaml` with the Secrets, so `helm uninstall` never deletes them.",
            app = d.app.value,
            prod = d.rollout.production_replicas.value,
            ns = d.namespace.value
        ),
        "Generic templates can be reviewed once and trusted for every feature; values are data the compiler checks, and `values.schema.json` (generated from the same Rust type) makes `helm lint` and `helm install` refuse a typo or a negative replica count. CI renders the chart with values-local.yaml and compares it object by object with the raw manifests.".into(),
        "`helm create` (an empty securityContext, `resources: {}`, identical liveness and readiness, no schema); one chart per component (several releases to install and roll back together); kompose (charts without values).",
        d.app.origin.clone(),
    ));
    out.push(entry(
        "Rollout".into(),
        format!(
            "RollingUpdate with maxSurge {} and maxUnavailable {}; a `preStop` sleep of {} s and a termination grace period of {} s; {} replicas in production values.",
            d.rollout.max_surge.value, d.rollout.max_unavailable.value, d.rollout.pre_stop_sleep_seconds.value, d.rollout.termination_grace_seconds.value, d.rollout.production_replicas.value
        ),
        format!("Zero downtime: {} ({}). A new pod must be Ready before an old one goes, and a terminating pod keeps serving until its endpoints are removed.", d.rollout.zero_downtime.value, d.rollout.zero_downtime.origin.text),
        "Recreate (downtime on every release); maxUnavailable 1 with one replica (the only pod goes first).",
        d.rollout.zero_downtime.origin.clone(),
    ));
    if let Some(a) = &d.autoscaling {
        out.push(entry(
            "Autoscaling".into(),
            format!(
                "A HorizontalPodAutoscaler (autoscaling/v2) on CPU for {} in production: minReplicas {} ({}), maxReplicas {} ({}), scale out above {}% of the CPU request ({}). The Deployments then set no replica count.",
                a.components.join(", "),
                a.min_replicas.value,
                a.min_replicas.origin.text,
                a.max_replicas.value,
                a.max_replicas.origin.text,
                a.target_cpu_percent.value,
                a.target_cpu_percent.origin.text
            ),
            format!(
                "The inputs state a load goal, \"{}\" ({}): a fixed replica count either wastes pods at rest or saturates at the peak.",
                a.goal.value, a.goal.origin.text
            ),
            "A fixed, larger replica count (pays for the peak all the time); KEDA or custom metrics (another controller, and no request metrics exist yet).",
            a.goal.origin.clone(),
        ));
    }
    if matches!(
        d.platform.kind.value,
        crate::model::deploy::PlatformKind::Minikube | crate::model::deploy::PlatformKind::Kind
    ) {
        out.push(entry(
            "Local inner loop".into(),
            format!(
                "Skaffold (`skaffold.yaml`, config {}): `skaffold dev` builds every image from the generated Dockerfiles without pushing, loads it into the {} cluster, installs `helm/{}/` with `values-local.yaml` and the tags it built, forwards the ports and repeats on every change.",
                crate::model::deploy::SKAFFOLD_API_VERSION,
                format!("{:?}", d.platform.kind.value).to_lowercase(),
                d.app.value
            ),
            "Skaffold installs Helm charts and loads local images into kind and Minikube natively (no registry), and its configuration is declarative YAML with a published JSON Schema, so CI validates the generated file without a cluster.".into(),
            "Tilt (a Starlark Tiltfile: a program, checkable only by running `tilt`, and Helm through an extension); the manual build, load and `helm upgrade` commands of the quickstart (a dozen commands per change); Garden (a service to run, more configuration than one chart needs).",
            d.platform.kind.origin.clone(),
        ));
    }
    out
}
