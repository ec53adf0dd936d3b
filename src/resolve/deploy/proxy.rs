//! Proxies a component's framework configuration hard-codes: a Next.js `rewrites()` whose
//! destination is `http://localhost:8000/…`. sp rewrites such an address when it is a
//! configuration value, but this one is code, and `next build` copies it into the routes
//! manifest, so the running pod would proxy to itself. The check says which Service the
//! address meant and how to write it.

use crate::diagnostics::{Code as DiagCode, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::deploy::{BackingService, Component};
use crate::source::{Sources, Span};

/// The configuration files whose `destination:` values a server proxies to.
const PROXY_CONFIGS: &[&str] = &["next.config.ts", "next.config.mjs", "next.config.js"];

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
        for id in PROXY_CONFIGS.iter().filter_map(|f| dir.files.get(*f)) {
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
