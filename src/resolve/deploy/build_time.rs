//! Variables a frontend's build reads, and how a static site reaches its backend.
//!
//! `NEXT_PUBLIC_*` and `VITE_*` values are inlined into the JavaScript bundle when the image
//! is built; a ConfigMap entry for them changes nothing in a running pod. They become Docker
//! build arguments of the component instead. A static site (nginx serving an export) has no
//! server of its own: its nginx forwards paths to other Services (the dev server's proxy
//! routes, else `/api` to the backend), so a build-time URL that points at `localhost` (the
//! developer's backend) becomes a path on the site's own origin.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Origin;
use crate::model::deploy::{BrowserForward, Component, Role, RunMode};

use crate::parse::source::node::build_time as is_build_time;

/// `http://localhost:8000/api` → `Some(("/api", Some(8000)))`; `http://127.0.0.1` →
/// `Some(("", None))`; anything not on the developer's machine → `None`.
fn same_origin_path(value: &str) -> Option<(String, Option<u16>)> {
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))?;
    let (_, port) = super::code::local_address(value)?;
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    Some((path.trim_end_matches('/').to_string(), port))
}

/// Moves build-time variables out of each component's runtime configuration into its build
/// arguments, beside those the code's defaults and `.env.example` gave (a value of the
/// deployment input wins over those); for a static site with routes ([`super::proxy::routes`]),
/// rewrites `localhost` URLs to the site's own origin, under the route to the Service on
/// the URL's port.
pub fn split(components: &mut [Component]) {
    for c in components.iter_mut() {
        let (build, runtime): (Vec<_>, Vec<_>) = std::mem::take(&mut c.config)
            .into_iter()
            .partition(|v| is_build_time(&v.name));
        c.config = runtime;
        for v in build {
            c.build_args.retain(|b| b.name != v.name);
            c.build_args.push(v);
        }
        if c.run_mode.value != RunMode::Static {
            continue;
        }
        for arg in &mut c.build_args {
            let Some((path, port)) = same_origin_path(&arg.value) else {
                continue;
            };
            // The route to the Service on the URL's port, else the site's first route.
            let plain = || c.proxies.iter().filter(|r| !r.regex);
            let Some(r) = plain().find(|r| port == Some(r.port)).or_else(|| plain().next()) else {
                continue;
            };
            let prefix = r.path.trim_end_matches('/');
            // A route that strips its prefix serves the Service's root under that prefix.
            let (value, how) = if r.strip {
                (format!("{prefix}{path}"), ", without the prefix")
            } else {
                (path, "")
            };
            arg.origin = Origin::derived(format!(
                "{} rewritten to the site's own origin: its nginx proxies {prefix} to the {} Service{how} ({})",
                arg.value, r.service, arg.origin.text
            ));
            arg.value = value;
        }
    }
    for c in components.iter_mut() {
        c.build_args.sort_by(|a, b| a.name.cmp(&b.name));
    }
    cors_origins(components);
}

/// A server-rendered frontend's build arguments that the browser calls at `localhost`, on
/// the port of another component (`NEXT_PUBLIC_API_URL=http://localhost:8000` beside a
/// backend on 8000). The browser runs on the user's machine, so no Service name can replace
/// it; it works while a port-forward to that Service runs there. The quickstart starts one
/// ([`Component::browser_forwards`]), and a note says so, with the input that replaces it
/// for a deployment others use. A port no component listens on cannot be forwarded: that is
/// SP426. (A static site's are rewritten to its own origin by [`split`].)
pub fn browser_forwards(components: &mut [Component], namespace: &str, diags: &mut Diagnostics) {
    let listening: Vec<(String, u16)> = components
        .iter()
        .filter_map(|c| Some((c.name.clone(), c.port.as_ref()?.value)))
        .collect();
    for c in components.iter_mut().filter(|c| c.run_mode.value != RunMode::Static) {
        for arg in &c.build_args {
            let Some((_, Some(port))) = super::code::local_address(&arg.value) else {
                continue;
            };
            if !listening.iter().any(|(_, p)| *p == port) {
                let ports: Vec<String> = listening.iter().map(|(n, p)| format!("`{n}` on {p}")).collect();
                diags.push(super::code::at_origin(
                    Diagnostic::new(
                        Code::BrowserCallsNothing,
                        format!(
                            "`{}` of `{}` is `{}`, built into the browser code, but no component listens on port {port}: every browser call to it fails",
                            arg.name, c.name, arg.value
                        ),
                    )
                    .hint(format!(
                        "the deployment's components listen as {}: point `{}` at the one it calls, or give the address browsers reach it by with `components.{}.config.{}` in the deployment block of plan-input.md (or `--set`)",
                        ports.join(", "),
                        arg.name,
                        c.name,
                        arg.name
                    )),
                    &arg.origin,
                ));
                continue;
            }
            let Some((service, _)) = listening.iter().find(|(n, p)| *p == port && *n != c.name) else {
                continue;
            };
            diags.push(super::code::at_origin(
                Diagnostic::new(
                    Code::BrowserCallsLocalhost,
                    format!(
                        "`{}` of `{}` is `{}`, built into the browser code: the browser reaches the `{service}` Service there only while `kubectl port-forward -n {namespace} service/{service} {port}:{port}` runs on the user's machine (the quickstart's Access step starts it)",
                        arg.name, c.name, arg.value
                    ),
                )
                .hint(format!(
                    "for a deployment others use, give the address browsers reach `{service}` by, such as its Ingress host: `components.{}.config.{}: https://api.example.com` in the deployment block of plan-input.md (or `--set`)",
                    c.name, arg.name
                )),
                &arg.origin,
            ));
            c.browser_forwards.push(BrowserForward {
                variable: arg.name.clone(),
                url: arg.value.clone(),
                service: service.clone(),
                port,
            });
        }
    }
}

/// True for the names backends give their allowed browser origins (`CORS_ORIGINS`,
/// `ALLOWED_ORIGINS`, `FRONTEND_CORS_ORIGINS`, `FRONTEND_URL`).
pub(super) fn is_origin_setting(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("CORS") || n.contains("ORIGIN") || n == "FRONTEND_URL" || n == "FRONTEND_ORIGIN"
}

/// `http://localhost:3000` inside `["http://localhost:3000", "https://x.dev"]` → its range.
fn localhost_origins(value: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = value[from..].find("http").map(|i| i + from) {
        let Some(authority) = value[i..].find("://").map(|s| i + s + 3) else {
            break;
        };
        let end = value[authority..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']')))
            .map(|e| authority + e)
            .unwrap_or(value.len());
        if same_origin_path(&value[i..end]).is_some() {
            out.push(i..end);
        }
        from = end;
    }
    out
}

/// A backend's allowed origins that name the developer's machine become the origin the
/// browser really loads the frontend from: its Ingress host. Without an Ingress the site is
/// reached through a port-forward on the same `localhost` port, and the value stands.
fn cors_origins(components: &mut [Component]) {
    let served: Vec<(String, String)> = components
        .iter()
        .filter(|c| c.role.value == Role::Frontend)
        .filter_map(|c| {
            c.exposure
                .ingress_host
                .as_ref()
                .map(|h| (c.name.clone(), format!("http://{}", h.value)))
        })
        .collect();
    let Some((frontend, origin)) = served.first() else {
        return;
    };
    for c in components.iter_mut().filter(|c| c.role.value == Role::Backend) {
        for v in c.config.iter_mut().filter(|v| is_origin_setting(&v.name)) {
            let ranges = localhost_origins(&v.value);
            if ranges.is_empty() {
                continue;
            }
            let mut value = v.value.clone();
            for r in ranges.into_iter().rev() {
                value.replace_range(r, origin);
            }
            v.origin = Origin::derived(format!(
                "{} rewritten to the {frontend} Ingress origin the browser uses ({})",
                v.value, v.origin.text
            ));
            v.value = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_urls_become_same_origin_paths() {
        let path = |v| same_origin_path(v).map(|(p, _)| p);
        assert_eq!(path("http://localhost:8000").as_deref(), Some(""));
        assert_eq!(path("http://127.0.0.1:8000/api/").as_deref(), Some("/api"));
        assert_eq!(path("https://api.example.com"), None);
        assert_eq!(path("Recipes"), None);
        assert_eq!(path("http://localhostile.dev/api"), None);
        assert_eq!(path("http://[::1]:8000/v1").as_deref(), Some("/v1"));
        assert_eq!(
            same_origin_path("http://localhost:8000/x").map(|(_, p)| p),
            Some(Some(8000))
        );
        assert_eq!(same_origin_path("http://localhost/x").map(|(_, p)| p), Some(None));
    }

    #[test]
    fn localhost_origins_are_found_inside_lists() {
        let v = r#"["http://localhost:3000","https://todo.dev"]"#;
        let r = localhost_origins(v);
        assert_eq!(r.len(), 1);
        assert_eq!(&v[r[0].clone()], "http://localhost:3000");
        assert!(localhost_origins("https://todo.dev").is_empty());
        let v6 = r#"["http://[::1]:3000"]"#;
        assert_eq!(
            localhost_origins(v6).iter().map(|r| &v6[r.clone()]).collect::<Vec<_>>(),
            ["http://[::1]:3000"]
        );
    }

    #[test]
    fn cors_origins_follow_the_ingress_host() {
        let mut d = crate::model::deploy::fixture::deployment();
        d.components[0].exposure.ingress_host = Some(crate::model::deploy::Valued::new(
            "todo.local".into(),
            Origin::derived("test"),
        ));
        d.components[1].config.push(crate::model::deploy::ConfigValue {
            name: "CORS_ORIGINS".into(),
            value: "http://localhost:3000,http://127.0.0.1:3000".into(),
            origin: Origin::derived("api/.env.example:2"),
        });
        split(&mut d.components);
        let v = d.components[1]
            .config
            .iter()
            .find(|v| v.name == "CORS_ORIGINS")
            .unwrap();
        assert_eq!(v.value, "http://todo.local,http://todo.local");
        assert!(v.origin.text.contains("Ingress"), "{}", v.origin.text);
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

    #[test]
    fn build_arguments_from_the_code_and_env_example_stay() {
        let mut d = crate::model::deploy::fixture::deployment();
        let arg = |name: &str, value: &str| crate::model::deploy::ConfigValue {
            name: name.into(),
            value: value.into(),
            origin: Origin::derived("test"),
        };
        let web = &mut d.components[0];
        web.build_args = vec![
            arg("VITE_TITLE", "Todo"),
            arg("NEXT_PUBLIC_API_URL", "http://localhost:8000"),
        ];
        web.config.push(arg("NEXT_PUBLIC_API_URL", "https://api.todo.dev"));
        split(&mut d.components);
        let args: Vec<(&str, &str)> = d.components[0]
            .build_args
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            args,
            vec![("NEXT_PUBLIC_API_URL", "https://api.todo.dev"), ("VITE_TITLE", "Todo")],
            "the deployment input's value wins; .env.example's others stay"
        );
    }
}
