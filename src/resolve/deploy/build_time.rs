//! Variables a frontend's build reads, and how a static site reaches its backend.
//!
//! `NEXT_PUBLIC_*` and `VITE_*` values are inlined into the JavaScript bundle when the image
//! is built; a ConfigMap entry for them changes nothing in a running pod. They become Docker
//! build arguments of the component instead. A static site (nginx serving an export) has no
//! server of its own: its nginx proxies `/api` to the backend Service, so a build-time URL
//! that points at `localhost` (the developer's backend) becomes the site's own origin.

use crate::model::Origin;
use crate::model::deploy::{Component, Role, RunMode};

/// Prefixes of the variables bundlers inline at build time.
pub const BUILD_TIME_PREFIXES: &[&str] = &["NEXT_PUBLIC_", "VITE_"];

pub fn is_build_time(name: &str) -> bool {
    BUILD_TIME_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `http://localhost:8000/api` → `Some("/api")`; `http://127.0.0.1:3000` → `Some("")`;
/// anything not on the developer's machine → `None`.
fn same_origin_path(value: &str) -> Option<String> {
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
    matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]").then(|| path.trim_end_matches('/').to_string())
}

/// Moves build-time variables out of each component's runtime configuration into its build
/// arguments; for a static site with a backend, rewrites `localhost` URLs to the site's own
/// origin, where its nginx proxies `/api`.
pub fn split(components: &mut [Component]) {
    let backend = components
        .iter()
        .find(|c| c.role.value == Role::Backend && c.port.is_some())
        .map(|c| c.name.clone());
    for c in components.iter_mut() {
        let (build, runtime): (Vec<_>, Vec<_>) = std::mem::take(&mut c.config)
            .into_iter()
            .partition(|v| is_build_time(&v.name));
        c.config = runtime;
        c.build_args = build;
        if c.run_mode.value != RunMode::Static {
            continue;
        }
        let Some(b) = backend.as_ref().filter(|b| c.depends_on.contains(b)) else {
            continue;
        };
        for arg in &mut c.build_args {
            if let Some(path) = same_origin_path(&arg.value) {
                arg.origin = Origin::derived(format!(
                    "{} rewritten to the site's own origin: its nginx proxies /api to the {b} Service ({})",
                    arg.value, arg.origin.text
                ));
                arg.value = path;
            }
        }
    }
    for c in components.iter_mut() {
        c.build_args.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_urls_become_same_origin_paths() {
        assert_eq!(same_origin_path("http://localhost:8000").as_deref(), Some(""));
        assert_eq!(same_origin_path("http://127.0.0.1:8000/api/").as_deref(), Some("/api"));
        assert_eq!(same_origin_path("https://api.example.com"), None);
        assert_eq!(same_origin_path("Recipes"), None);
    }

    #[test]
    fn build_time_variables_leave_the_runtime_config() {
        let mut d = crate::model::deploy::fixture::deployment();
        d.components[0].config.push(crate::model::deploy::ConfigValue {
            name: "NEXT_PUBLIC_SITE_NAME".into(),
            value: "Todo".into(),
            origin: Origin::derived("test"),
        });
        split(&mut d.components);
        let web = &d.components[0];
        assert!(web.config.iter().all(|v| !is_build_time(&v.name)));
        assert_eq!(web.build_args.len(), 1);
        assert_eq!(web.build_args[0].value, "Todo", "a standalone server keeps its values");
    }
}
