//! Proxies a component's framework configuration declares.
//!
//! - A Next.js `rewrites()` whose destination is `http://localhost:8000/…` ([`report`]). sp
//!   rewrites such an address when it is a configuration value, but this one is code, and
//!   `next build` copies it into the routes manifest, so the running pod would proxy to
//!   itself. The check says which Service the address meant and how to write it.
//! - A static site's routes ([`routes`]): the paths its nginx forwards to other Services. A
//!   Vite dev server's `server.proxy` says which paths the code calls on its own origin and
//!   where they went in development; `vite build` leaves it behind, so each entry becomes an
//!   nginx route to the Service on the target's port, with the same prefix stripping,
//!   WebSocket and `Host` behaviour. Without one, the site's backend is routed under `/api/`.

use crate::diagnostics::{Code as DiagCode, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::Origin;
use crate::model::deploy::{BackingService, Component, ProxyRoute, Role, RunMode};
use crate::parse::source::vite::{self, DevProxy, Rewrite};
use crate::resolve::design::ComponentCode;
use crate::source::{SourceId, Sources, Span};

/// The configuration files whose `destination:` values a server proxies to, in the order
/// Next.js looks for them: it reads the first one present, and so does this.
const PROXY_CONFIGS: &[&str] = &["next.config.js", "next.config.mjs", "next.config.ts"];

/// Report every `destination:` of a component's proxy configuration that points at localhost.
pub fn report(
    components: &[Component],
    backing: &[BackingService],
    repo: &[RepoDir],
    sources: &Sources,
    diags: &mut Diagnostics,
) {
    let services = super::code::services(components, backing);
    for c in components {
        let Some(dir) = c
            .source_dir
            .value
            .as_ref()
            .and_then(|d| repo.iter().find(|r| &r.path == d))
        else {
            continue;
        };
        if let Some(id) = PROXY_CONFIGS.iter().find_map(|f| dir.files.get(*f)) {
            let file = sources.get(*id);
            for (range, url, port) in localhost_destinations(&file.text) {
                let target = port.and_then(|p| services.iter().find(|(n, sp)| *sp == p && *n != c.name));
                let (meant, hint) = match target {
                    Some((svc, p)) => (
                        format!("so the `{svc}` Service on port {p} is never reached"),
                        format!(
                            "point the destination at the Service: `{}`. Next.js fixes rewrites when `next build` runs, so a destination read from `process.env` must be set while the image is built",
                            url.replacen(&url[..url_host_end(url)], &format!("http://{svc}:{p}"), 1)
                        ),
                    ),
                    None => (
                        "and no component or service of the deployment listens on that port".to_string(),
                        "point the destination at the Service name of what it calls (`http://<service>:<port>/…`), or declare the component on that port".to_string(),
                    ),
                };
                diags.push(
                    Diagnostic::new(
                        DiagCode::LocalhostInCluster,
                        format!(
                            "`{}` of `{}` proxies to `{url}`: inside a pod, localhost is the pod itself, {meant}",
                            file.display_path(),
                            c.name
                        ),
                    )
                    .at(Span::new(*id, range))
                    .label("rewrite destination on localhost")
                    .hint(hint),
                );
            }
        }
    }
}

/// The Vite configuration files a site may have, in the order Vite looks for them.
const VITE_CONFIGS: &[&str] = &[
    "vite.config.js",
    "vite.config.mjs",
    "vite.config.ts",
    "vite.config.cjs",
    "vite.config.mts",
];

/// The nginx routes of every static site (see the module comment). A route's Service joins
/// the site's `depends_on`, so its NetworkPolicy lets nginx reach it. Entries that cannot
/// become a route are reported where they are written: a target on localhost that no Service
/// listens on (SP421), and a target outside the cluster, one that is not a literal, or a
/// rewrite sp does not follow (SP436).
pub fn routes(
    components: &mut [Component],
    backing: &[BackingService],
    repo: &[RepoDir],
    code: &[ComponentCode],
    sources: &Sources,
    diags: &mut Diagnostics,
) {
    let services: Vec<(String, u16)> = super::code::services(components, backing)
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    let backend = components
        .iter()
        .find(|b| b.role.value == Role::Backend && b.port.is_some())
        .map(|b| {
            let port = b.port.as_ref().map_or(80, |p| p.value);
            (b.name.clone(), port, api_prefix(b, code))
        });
    for c in components.iter_mut().filter(|c| c.run_mode.value == RunMode::Static) {
        let dir = c
            .source_dir
            .value
            .as_ref()
            .and_then(|d| repo.iter().find(|r| &r.path == d));
        let declared: Vec<(SourceId, DevProxy)> = dir
            .into_iter()
            .flat_map(|dir| VITE_CONFIGS.iter().filter_map(|f| dir.files.get(*f)))
            .flat_map(|id| vite::proxies(&sources.get(*id).text, *id).into_iter().map(|p| (*id, p)))
            .collect();
        if declared.is_empty() {
            if let Some((b, port, prefixed)) = backend.as_ref().filter(|(b, ..)| c.depends_on.contains(b)) {
                let origin = match prefixed {
                    ApiPrefix::Stripped(example) => Origin::derived(format!(
                        "the {b} Service, whose routes (`{example}`…) are not under /api/: nginx strips the prefix"
                    )),
                    ApiPrefix::Kept => Origin::derived(format!("the {b} Service, which the site calls under /api/")),
                };
                c.proxies.push(ProxyRoute {
                    path: "/api/".into(),
                    regex: false,
                    service: b.clone(),
                    port: *port,
                    strip: matches!(prefixed, ApiPrefix::Stripped(_)),
                    websocket: false,
                    target_host: false,
                    origin,
                });
            }
            continue;
        }
        for (id, p) in declared {
            let Some(route) = route(c, &p, id, &services, sources, diags) else {
                continue;
            };
            // A key written twice in the proxy object: JavaScript keeps the later value at
            // the earlier key's place (which orders regex locations), so that entry is the
            // route there, and the earlier one is reported as unused.
            match c.proxies.iter().position(|r| r.path == route.path) {
                Some(i) => {
                    diags.push(
                        Diagnostic::new(
                            DiagCode::DevProxyNotRouted,
                            format!(
                                "`{}` of `{}` proxies `{}` twice: JavaScript keeps this later entry, so the one at {} is not used",
                                sources.get(id).display_path(),
                                c.name,
                                p.context.value,
                                c.proxies[i].origin.text
                            ),
                        )
                        .at(p.context.span.clone())
                        .label("the entry that counts")
                        .hint("remove the earlier entry, so the file says what the dev server does"),
                    );
                    c.proxies[i] = route;
                }
                None => c.proxies.push(route),
            }
        }
        // The Services the routes that count reach, once the object is read to its end: an
        // entry a later one replaced reaches nothing.
        for service in c.proxies.iter().map(|r| r.service.clone()).collect::<Vec<_>>() {
            if !c.depends_on.contains(&service) {
                c.depends_on.push(service);
            }
        }
    }
}

/// How the default `/api/` route reaches the backend.
enum ApiPrefix {
    /// The backend serves under `/api` (or sp read none of its routes): the path is kept.
    Kept,
    /// Every route the backend's source declares is outside `/api` (one of them given): the
    /// route strips the prefix, so `/api/tasks` reaches `/tasks`.
    Stripped(String),
}

/// Whether the backend's declared routes live under `/api`.
fn api_prefix(backend: &Component, code: &[ComponentCode]) -> ApiPrefix {
    let Some(dir) = backend.source_dir.value.as_deref() else {
        return ApiPrefix::Kept;
    };
    // A health route says nothing about where the application's API lives.
    let routes: Vec<&str> = code
        .iter()
        .filter(|c| c.dir == dir)
        .flat_map(|c| c.routes.iter().map(|r| r.path.as_str()))
        .filter(|p| !HEALTH_PATHS.contains(p))
        .collect();
    let under_api = |p: &str| p == "/api" || p.starts_with("/api/");
    match routes.first() {
        Some(first) if !routes.iter().any(|p| under_api(p)) => ApiPrefix::Stripped(first.to_string()),
        _ => ApiPrefix::Kept,
    }
}

/// Routes that serve probes, not the application.
const HEALTH_PATHS: &[&str] = &["/", "/health", "/healthz", "/readyz", "/ready", "/livez", "/ping"];

/// One dev-server proxy entry as an nginx route, or the diagnostic saying why it is not one.
fn route(
    c: &Component,
    p: &DevProxy,
    id: SourceId,
    services: &[(String, u16)],
    sources: &Sources,
    diags: &mut Diagnostics,
) -> Option<ProxyRoute> {
    let file = sources.get(id);
    let shown = file.display_path();
    let context = &p.context.value;
    let not_routed = |message: String, label: &str, span: &Span, hint: String| {
        Diagnostic::new(DiagCode::DevProxyNotRouted, message)
            .at(span.clone())
            .label(label.to_string())
            .hint(hint)
    };
    let regex = context.starts_with('^');
    if !(context.starts_with('/') || regex) || context.contains(|c: char| c.is_whitespace() || "{};#'\"`$".contains(c))
    {
        diags.push(not_routed(
            format!("`{shown}` of `{}` proxies `{context}`, which sp cannot write as an nginx location", c.name),
            "proxy path",
            &p.context.span,
            "write the path as a prefix (`/api`) or an anchored regular expression (`^/api/.*`) without spaces, quotes, braces or `;`".into(),
        ));
        return None;
    }
    let Some(target) = &p.target else {
        diags.push(not_routed(
            format!("`{shown}` of `{}` proxies `{context}`, but its target is not a URL sp can read, so the site's nginx does not forward it", c.name),
            "proxy entry",
            &p.context.span,
            format!("write the target as a literal (`target: 'http://localhost:8000'`, or `env.API_URL ?? 'http://localhost:8000'` with the local address as the fallback); the port names the Service nginx forwards `{context}` to"),
        ));
        return None;
    };
    let Some((_, port)) = super::code::local_address(&target.value) else {
        diags.push(not_routed(
            format!("`{shown}` of `{}` proxies `{context}` to `{}`, outside the cluster: the site's nginx does not forward it, and the browser's calls to `{context}` reach the page fallback", c.name, target.value),
            "target outside the cluster",
            &target.span,
            format!("call `{}` from the browser with its public URL (a `VITE_` variable given as a build argument), or serve `{context}` from a component of the deployment", target.value),
        ));
        return None;
    };
    let service = port.and_then(|port| services.iter().find(|(n, p)| *p == port && *n != c.name));
    let Some((service, port)) = service else {
        let port_text = port.map_or("no port".to_string(), |p| format!("port {p}"));
        diags.push(
            Diagnostic::new(
                DiagCode::LocalhostInCluster,
                format!(
                    "`{shown}` of `{}` proxies `{context}` to `{}` in development, and no component or service of the deployment listens on {port_text}: the site's nginx cannot forward it",
                    c.name, target.value
                ),
            )
            .at(target.span.clone())
            .label("proxy target on localhost")
            .hint("point the target at the port the backend listens on, or declare the component that listens on it (`components.<name>.port` in the deployment block)"),
        );
        return None;
    };
    let strip = match &p.rewrite {
        Rewrite::Keep => false,
        Rewrite::StripContext if !regex => true,
        Rewrite::StripContext => {
            diags.push(not_routed(
                format!("`{shown}` of `{}` strips the prefix of the regular expression `{context}`, which an nginx route cannot do", c.name),
                "rewrite",
                &p.context.span,
                "proxy a plain prefix (`'/api'` with `rewrite: (path) => path.replace(/^\\/api/, '')`), which nginx strips the same way".into(),
            ));
            return None;
        }
        Rewrite::Other(span) => {
            diags.push(not_routed(
                format!("`{shown}` of `{}` rewrites the paths it proxies under `{context}` in a way sp does not follow: nginx forwards them unchanged", c.name),
                "rewrite sp does not follow",
                span,
                "strip the prefix with `rewrite: (path) => path.replace(/^\\/api/, '')`, which nginx does the same way, or serve the backend under the path the site calls".into(),
            ));
            false
        }
    };
    Some(ProxyRoute {
        path: context.clone(),
        regex,
        service: service.clone(),
        port: *port,
        strip,
        websocket: p.ws,
        target_host: p.change_origin,
        origin: Origin::at(&shown, file.line_of(p.context.span.range.start)),
    })
}

/// End of `scheme://host:port` in a URL.
fn url_host_end(url: &str) -> usize {
    let after_scheme = url.find("//").map_or(0, |i| i + 2);
    url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i)
}

/// `destination: "http://localhost:8000/:path*"` → (range of the URL, the URL, its port), for
/// every quoted URL on a `destination` line whose host is a local address.
fn localhost_destinations(text: &str) -> Vec<(std::ops::Range<usize>, &str, Option<u16>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(key) = line.find("destination") {
            let rest = &line[key..];
            for quote in ['"', '\'', '`'] {
                let Some(open) = rest.find(quote) else { continue };
                let value = &rest[open + 1..];
                let Some(close) = value.find(quote) else { continue };
                let url = &value[..close];
                if let Some(port) = local_port(url) {
                    let start = offset + key + open + 1;
                    out.push((start..start + url.len(), url, port));
                }
                break;
            }
        }
        offset += line.len();
    }
    out
}

/// `Some(port)` when `url` is an http URL on a local host (`Some(None)` without a port).
fn local_port(url: &str) -> Option<Option<u16>> {
    let http = url.starts_with("http://") || url.starts_with("https://");
    http.then(|| super::code::local_address(url))
        .flatten()
        .map(|(_, port)| port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deploy::fixture;

    /// The fixture deployment with `web` as a static site built from `web/`, whose
    /// vite.config.ts is `config` (none when empty); its routes and what was reported.
    fn site_routes(config: &str) -> (Vec<ProxyRoute>, Vec<String>, Diagnostics, Sources) {
        site_routes_with(config, &[])
    }

    fn site_routes_with(config: &str, code: &[ComponentCode]) -> (Vec<ProxyRoute>, Vec<String>, Diagnostics, Sources) {
        let mut d = fixture::deployment();
        d.components[1].source_dir.value = Some("api".into());
        let web = &mut d.components[0];
        web.run_mode.value = RunMode::Static;
        web.source_dir.value = Some("web".into());
        let mut sources = Sources::default();
        let mut dir = RepoDir {
            path: "web".into(),
            ..Default::default()
        };
        if !config.is_empty() {
            let id = sources.add("web/vite.config.ts".into(), config.to_string());
            dir.files.insert("vite.config.ts".into(), id);
        }
        let mut diags = Diagnostics::default();
        routes(
            &mut d.components,
            &d.backing_services,
            &[dir],
            code,
            &sources,
            &mut diags,
        );
        let web = &d.components[0];
        (web.proxies.clone(), web.depends_on.clone(), diags, sources)
    }

    #[test]
    fn a_key_written_twice_routes_as_its_later_entry_and_is_reported() {
        let config = "export default {\n  server: {\n    proxy: {\n      '/api': { target: 'http://localhost:8000', rewrite: (p) => p.replace(/^\\/api/, '') },\n      '/api': { target: 'http://localhost:8000' },\n    },\n  },\n};\n";
        let (routes, _, diags, _) = site_routes(config);
        assert_eq!(routes.len(), 1, "{routes:?}");
        // JavaScript keeps the later value: no rewrite, so nothing is stripped.
        assert!(!routes[0].strip, "{routes:?}");
        let d: Vec<_> = diags.iter().filter(|d| d.code == DiagCode::DevProxyNotRouted).collect();
        assert_eq!(d.len(), 1, "{diags:?}");
        assert!(d[0].message.contains("proxies `/api` twice"), "{}", d[0].message);
        assert!(d[0].message.contains("web/vite.config.ts:4"), "{}", d[0].message);
    }

    #[test]
    fn an_entry_a_later_one_replaced_reaches_no_service() {
        let config = "export default {\n  server: {\n    proxy: {\n      '/api': 'http://localhost:6379',\n      '/api': 'http://localhost:8000',\n    },\n  },\n};\n";
        let (routes, depends_on, _, _) = site_routes(config);
        assert_eq!(routes.len(), 1, "{routes:?}");
        assert_eq!(routes[0].service, "api", "{routes:?}");
        assert!(!depends_on.contains(&"redis".to_string()), "{depends_on:?}");
        assert!(depends_on.contains(&"api".to_string()), "{depends_on:?}");
    }

    #[test]
    fn without_a_dev_proxy_the_backend_is_routed_under_api() {
        let (routes, _, diags, _) = site_routes("");
        assert_eq!(routes.len(), 1);
        assert_eq!(
            (routes[0].path.as_str(), routes[0].service.as_str(), routes[0].port),
            ("/api/", "api", 8000)
        );
        assert!(!routes[0].strip);
        assert!(diags.is_empty());
    }

    /// The backend's own routes decide whether `/api/` is kept: a backend serving `/tasks`
    /// gets it stripped; one serving anything under `/api`, or whose routes sp did not read,
    /// keeps it. Health routes decide nothing.
    #[test]
    fn the_default_route_strips_api_when_the_backend_serves_outside_it() {
        let code = |paths: &[&str]| {
            vec![ComponentCode {
                dir: "api".into(),
                models: Vec::new(),
                routes: paths
                    .iter()
                    .map(|p| crate::parse::routes::Route {
                        method: "GET".into(),
                        path: p.to_string(),
                        params: Vec::new(),
                        request: None,
                        response: None,
                        param_types: Default::default(),
                        status: None,
                        handler: None,
                        framework: "FastAPI".into(),
                        file: "api/main.py".into(),
                        line: 1,
                    })
                    .collect(),
                files: 1,
            }]
        };
        let strip = |paths: &[&str]| {
            let (routes, ..) = site_routes_with("", &code(paths));
            (routes[0].path.clone(), routes[0].strip, routes[0].origin.text.clone())
        };
        let (path, stripped, origin) = strip(&["/healthz", "/tasks", "/tasks/{id}"]);
        assert_eq!((path.as_str(), stripped), ("/api/", true));
        assert!(origin.contains("(`/tasks`…) are not under /api/"), "{origin}");
        assert!(!strip(&["/healthz", "/api/tasks"]).1);
        assert!(!strip(&["/api"]).1);
        assert!(!strip(&["/health"]).1, "health routes alone decide nothing");
        assert!(!strip(&[]).1);
    }

    #[test]
    fn each_dev_proxy_entry_becomes_a_route_to_the_service_on_its_port() {
        let config = "export default defineConfig({\n  server: {\n    proxy: {\n      '/v1': { target: 'http://localhost:8000', changeOrigin: true, rewrite: (p) => p.replace(/^\\/v1/, '') },\n      '/cache': 'http://127.0.0.1:6379',\n      '/socket': { target: 'ws://localhost:8000', ws: true },\n    },\n  },\n})\n";
        let (routes, depends_on, diags, _) = site_routes(config);
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<(&str, &str, u16, bool, bool, bool)> = routes
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.service.as_str(),
                    r.port,
                    r.strip,
                    r.websocket,
                    r.target_host,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("/v1", "api", 8000, true, false, true),
                ("/cache", "redis", 6379, false, false, false),
                ("/socket", "api", 8000, false, true, false),
            ]
        );
        assert_eq!(routes[0].origin.text, "web/vite.config.ts:4");
        // No default `/api/` guess beside what the configuration says; nginx may reach redis.
        assert!(depends_on.contains(&"redis".to_string()));
    }

    #[test]
    fn entries_that_cannot_be_routed_are_reported_where_they_are_written() {
        let config = "export default {\n  server: {\n    proxy: {\n      '/a': 'http://localhost:9999',\n      '/b': 'https://api.example.com',\n      '/c': { target: apiTarget },\n      '/d': { target: 'http://localhost:8000', rewrite: (p) => p.replace(/^\\/d/, '/v2') },\n      'e f': 'http://localhost:8000',\n    },\n  },\n}\n";
        let (routes, _, diags, sources) = site_routes(config);
        // `/d` is still forwarded, unchanged, and reported.
        assert_eq!(
            routes.iter().map(|r| (r.path.as_str(), r.strip)).collect::<Vec<_>>(),
            [("/d", false)]
        );
        let found: Vec<(&str, usize)> = diags
            .iter()
            .map(|d| {
                let Some(crate::diagnostics::Location::Span(span)) = &d.location else {
                    panic!("not placed: {}", d.message)
                };
                (d.code.as_str(), sources.get(span.source).line_of(span.range.start))
            })
            .collect();
        assert_eq!(
            found,
            [("SP421", 4), ("SP436", 5), ("SP436", 6), ("SP436", 7), ("SP436", 8)]
        );
    }

    #[test]
    fn finds_localhost_destinations_with_their_port() {
        let text = "module.exports = {\n  async rewrites() {\n    return [{ source: \"/api/:path*\", destination: \"http://localhost:8000/:path*\" },\n      { source: '/x', destination: 'https://example.com/x' },\n      { source: '/y', destination: `http://127.0.0.1/y` }];\n  },\n};\n";
        let found = localhost_destinations(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1, "http://localhost:8000/:path*");
        assert_eq!(&text[found[0].0.clone()], "http://localhost:8000/:path*");
        assert_eq!(found[0].2, Some(8000));
        assert_eq!(found[1].1, "http://127.0.0.1/y");
        assert_eq!(found[1].2, None);
    }

    #[test]
    fn local_hosts_only() {
        assert_eq!(local_port("http://localhost:3000"), Some(Some(3000)));
        assert_eq!(local_port("http://localhost/api"), Some(None));
        assert_eq!(local_port("http://localhostile.dev/api"), None);
        assert_eq!(local_port("https://api.example.com"), None);
        assert_eq!(local_port("/api/:path*"), None);
    }

    #[test]
    fn the_host_part_ends_at_the_path() {
        assert_eq!(
            url_host_end("http://localhost:8000/products/:path*"),
            "http://localhost:8000".len()
        );
        assert_eq!(url_host_end("http://localhost:8000"), "http://localhost:8000".len());
    }
}
