//! `skaffold.yaml`: the whole local inner loop in one command (`skaffold dev`) for features
//! that deploy to Minikube or kind. It builds every component's image from the generated
//! Dockerfile, loads it into the cluster (Skaffold does that itself for kind and Minikube
//! contexts, without a registry), and installs the feature's Helm chart with
//! `values-local.yaml`, setting each image to the tag it just built.
//!
//! Skaffold rather than Tilt (research.md says so too): its configuration is declarative
//! YAML with a published JSON Schema, so the file is validated in CI without running a
//! cluster, and it installs Helm charts and loads local images natively; a Tiltfile is a
//! Starlark program that can only be checked by running `tilt`.
//!
//! The file lives in the feature's output folder, so its paths are relative to it.

use serde::Serialize;

use super::helm::{chart_dir, chart_name};
use crate::model::deploy::{Deployment, PlatformKind};

/// The Skaffold configuration version written (Skaffold v2.x reads it).
pub const API_VERSION: &str = crate::model::deploy::SKAFFOLD_API_VERSION;

/// The file's name in the feature's output folder.
pub const FILE: &str = "skaffold.yaml";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    build: Build,
    deploy: Deploy,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    port_forward: Vec<PortForward>,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Build {
    local: Local,
    tag_policy: TagPolicy,
    artifacts: Vec<Artifact>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Local {
    /// Never pushed: Skaffold loads the image into the kind or Minikube cluster.
    push: bool,
    use_buildkit: bool,
    /// The docker CLI honours `<Dockerfile>.dockerignore` beside each Dockerfile.
    #[serde(rename = "useDockerCLI")]
    use_docker_cli: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TagPolicy {
    input_digest: Empty,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Artifact {
    image: String,
    context: String,
    docker: Docker,
}

#[derive(Serialize)]
struct Docker {
    dockerfile: String,
}

#[derive(Serialize)]
struct Deploy {
    helm: Helm,
}

#[derive(Serialize)]
struct Helm {
    releases: Vec<Release>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Release {
    name: String,
    chart_path: String,
    values_files: Vec<String>,
    namespace: String,
    create_namespace: bool,
    wait: bool,
    set_value_templates: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PortForward {
    resource_type: &'static str,
    resource_name: String,
    namespace: String,
    port: u16,
    local_port: u16,
}

/// How many folders the feature's output folder is below the workspace root
/// (`out/<feature>`), to reach the build contexts from it.
const UP_TO_ROOT: &str = "../..";

/// `../` once per folder of `dir` (a path relative to the workspace root).
fn up_from(dir: &str) -> String {
    let depth = dir.split('/').filter(|p| !p.is_empty() && *p != ".").count();
    "../".repeat(depth)
}

/// Skaffold's template name for an image: every character outside `[A-Za-z0-9]` becomes `_`.
fn template_key(image: &str) -> String {
    image
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The `skaffold.yaml` of a deployment to Minikube or kind; `None` for other platforms.
pub fn skaffold(d: &Deployment, out_dir: &str) -> Option<String> {
    if !matches!(d.platform.kind.value, PlatformKind::Minikube | PlatformKind::Kind) {
        return None;
    }
    let mut artifacts = Vec::new();
    let mut set = std::collections::BTreeMap::new();
    let mut forwards = Vec::new();
    for c in &d.components {
        let context = super::build::build(d, c, out_dir).context;
        let context = context.trim_end_matches('/');
        let image = c.image.repository.value.clone();
        let key = template_key(&image);
        artifacts.push(Artifact {
            image: image.clone(),
            context: if context == "." || context.is_empty() {
                UP_TO_ROOT.to_string()
            } else {
                format!("{UP_TO_ROOT}/{context}")
            },
            docker: Docker {
                dockerfile: format!("{}{out_dir}/docker/{}.Dockerfile", up_from(context), c.name),
            },
        });
        set.insert(
            format!("components.{}.image.repository", c.name),
            format!("{{{{.IMAGE_REPO_{key}}}}}"),
        );
        set.insert(
            format!("components.{}.image.tag", c.name),
            format!("{{{{.IMAGE_TAG_{key}}}}}"),
        );
        if let Some(port) = &c.port {
            forwards.push(PortForward {
                resource_type: "service",
                resource_name: c.name.clone(),
                namespace: d.namespace.value.clone(),
                port: port.value,
                local_port: port.value,
            });
        }
    }
    let chart = chart_dir(d);
    let config = Config {
        api_version: API_VERSION,
        kind: "Config",
        metadata: Metadata {
            name: chart_name(d).to_string(),
        },
        build: Build {
            local: Local {
                push: false,
                use_buildkit: true,
                use_docker_cli: true,
            },
            tag_policy: TagPolicy { input_digest: Empty {} },
            artifacts,
        },
        deploy: Deploy {
            helm: Helm {
                releases: vec![Release {
                    name: chart_name(d).to_string(),
                    chart_path: chart.clone(),
                    values_files: vec![format!("{chart}/values-local.yaml")],
                    namespace: d.namespace.value.clone(),
                    create_namespace: true,
                    wait: true,
                    set_value_templates: set,
                }],
            },
        },
        port_forward: forwards,
    };
    let platform = match d.platform.kind.value {
        PlatformKind::Kind => "kind",
        _ => "minikube",
    };
    Some(format!(
        "# Generated by `sp plan` from the feature's inputs. Edit the inputs, not this file.\n\
         #\n\
         # The local inner loop on {platform}, from the workspace root:\n\
         #\n\
         #   skaffold dev -f {out_dir}/{FILE}\n\
         #\n\
         # builds every image from the generated Dockerfiles, loads it into the cluster (no\n\
         # registry), installs the chart with values-local.yaml and the tags it just built,\n\
         # forwards the ports, and does it again on every change. `skaffold run` does it once;\n\
         # `skaffold delete` removes the release.\n\
         {}",
        crate::yaml::to_string(&config)
    ))
}

/// The commands the quickstart prints beside the manual ones.
pub fn commands(d: &Deployment, out_dir: &str) -> Option<(String, String)> {
    matches!(d.platform.kind.value, PlatformKind::Minikube | PlatformKind::Kind).then(|| {
        (
            format!("skaffold dev -f {out_dir}/{FILE}"),
            format!("skaffold delete -f {out_dir}/{FILE}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deploy::fixture;

    #[test]
    fn paths_are_relative_to_the_feature_output_folder() {
        assert_eq!(up_from("services/api"), "../../");
        assert_eq!(up_from("."), "");
        assert_eq!(template_key("todo-chatbot-backend"), "todo_chatbot_backend");
    }

    #[test]
    fn minikube_and_kind_get_a_skaffold_file_generic_does_not() {
        let mut d = fixture::deployment();
        let text = skaffold(&d, "out/001-x").expect("minikube");
        assert!(text.contains("apiVersion: skaffold/v4beta14\nkind: Config\n"), "{text}");
        assert!(text.contains("values-local.yaml"));
        assert!(text.contains(".IMAGE_TAG_"));
        d.platform.kind.value = PlatformKind::Generic;
        assert!(skaffold(&d, "out/001-x").is_none());
    }
}
