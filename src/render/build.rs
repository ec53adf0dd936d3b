//! How each image is built: the build context, the Dockerfile and its ignore file, the named
//! contexts, and the build and load commands.
//!
//! Computed once, here, and used by everything that prints them (the Dockerfile's header,
//! `contracts/docker-images.yaml`, the quickstart, plan.md, the chart's notes and values
//! comments), so no two of them can disagree.

use crate::model::deploy::{Component, Deployment, PlatformKind, RunMode};

/// The named build context that carries the files generated beside the Dockerfile (the
/// nginx configuration of a static site) into the build. It replaces the empty stage of the
/// same name in the Dockerfile.
pub const GENERATED_CONTEXT: &str = "sp-generated";

#[derive(Debug, Clone)]
pub struct Build {
    /// The build context, relative to the workspace root: the component's folder, or the
    /// folder the plan expects it in (its name) when it does not exist yet.
    pub context: String,
    /// Relative to the workspace root.
    pub dockerfile: String,
    pub dockerignore: String,
    /// `--build-context NAME=DIR` pairs.
    pub named_contexts: Vec<(String, String)>,
    /// `docker build …`, run from the workspace root.
    pub command: String,
    /// How the image reaches the cluster.
    pub load: String,
}

/// Files generated beside the Dockerfile that the build copies in, relative to the
/// feature's output folder: the nginx configuration of a static site.
use super::shell::quote;

pub fn nginx_conf_path(c: &Component) -> Option<String> {
    (c.run_mode.value == RunMode::Static).then(|| format!("docker/{}.nginx.conf", c.name))
}

pub fn build(d: &Deployment, c: &Component, out_dir: &str) -> Build {
    let context = c.source_dir.value.clone().unwrap_or_else(|| c.name.clone());
    let (dockerfile, dockerignore) = paths(&c.name);
    let dockerfile = format!("{out_dir}/{dockerfile}");
    let dockerignore = format!("{out_dir}/{dockerignore}");
    let mut named_contexts = Vec::new();
    if nginx_conf_path(c).is_some() {
        named_contexts.push((GENERATED_CONTEXT.to_string(), format!("{out_dir}/docker")));
    }
    let flags: String = named_contexts
        .iter()
        .map(|(n, dir)| format!(" --build-context {}", quote(&format!("{n}={dir}"))))
        .collect();
    let image = c.image.reference();
    Build {
        command: format!(
            "docker build -f {}{flags} -t {} {}",
            quote(&dockerfile),
            quote(&image),
            quote(&context)
        ),
        load: match d.platform.kind.value {
            PlatformKind::Minikube => format!("minikube image load {}", quote(&image)),
            PlatformKind::Kind => format!("kind load docker-image {}", quote(&image)),
            PlatformKind::Generic => format!("docker push {}", quote(&image)),
        },
        context,
        dockerfile,
        dockerignore,
        named_contexts,
    }
}

/// Where the Dockerfile and its ignore file go, relative to the feature's output folder.
pub fn paths(component: &str) -> (String, String) {
    let dockerfile = format!("docker/{component}.Dockerfile");
    let ignore = format!("{dockerfile}.dockerignore");
    (dockerfile, ignore)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deploy::fixture;

    #[test]
    fn one_context_for_every_command() {
        let mut d = fixture::deployment();
        d.components[1].source_dir.value = None;
        let b = build(&d, &d.components[1], "out/001-x");
        assert_eq!(
            b.context, "api",
            "a component without a folder is built from the folder it is expected in"
        );
        assert!(b.command.ends_with(" api"), "{}", b.command);
        assert_eq!(b.dockerfile, "out/001-x/docker/api.Dockerfile");
        assert_eq!(b.load, "minikube image load todo-api:0.1.0");
    }
}
