//! Values of the typed deployment input (the YAML block and `--set`) checked where they
//! are written, before anything is generated from them.
//!
//! Names become Kubernetes object names, labels, Helm release and chart names, image
//! references and paths in shell commands, so each is held to the grammar of the place it
//! goes: DNS-1035 labels for components and services (they name Services), DNS-1123
//! labels for the namespace, at most 53 characters for the application (the Helm release),
//! DNS-1123 subdomains for Ingress hosts, the OCI grammar for image repositories and tags.
//! A human name (`Bad_Name`, `My App`) is normalized with a note; anything else that does
//! not fit is an error at its place, and the value is dropped so no file repeats it.

use std::collections::BTreeMap;

use super::input::DeployInput;
use super::slug;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::parse::Located;
use crate::source::{Sources, Span};
use crate::yaml::Node;

/// Longest Helm release name (Helm refuses more: 53 leaves room for its suffixes).
pub const RELEASE_MAX: usize = 53;

/// A DNS-1123 label (namespaces): lower-case letters, digits and `-`, starting and ending
/// with a letter or digit, at most 63 characters.
pub fn dns_label(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 63 {
        return Err(format!("must be 1 to 63 characters (has {})", s.len()));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("may contain only lower-case letters, digits and `-`".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("must start and end with a letter or a digit".into());
    }
    Ok(())
}

/// A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter.
pub fn dns1035_label(s: &str) -> Result<(), String> {
    dns_label(s)?;
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter (it names a Kubernetes Service)".into());
    }
    Ok(())
}

/// A DNS-1123 subdomain (host names): dot-separated labels, at most 253 characters.
pub fn dns_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 253 {
        return Err(format!("must be 1 to 253 characters (has {})", s.len()));
    }
    for label in s.split('.') {
        dns_label(label).map_err(|e| format!("`{label}` {e}"))?;
    }
    Ok(())
}

/// An image repository in the OCI distribution grammar: an optional registry host (with a
/// port), then path components of lower-case letters and digits joined by `.`, `_`, `__`
/// or dashes, separated by `/`. No tag or digest: those are `tag`.
pub fn image_repository(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 255 {
        return Err(format!("must be 1 to 255 characters (has {})", s.len()));
    }
    let mut parts: Vec<&str> = s.split('/').collect();
    let first = parts[0];
    if parts.len() > 1 && (first.contains(['.', ':']) || first == "localhost") {
        registry(first)?;
        parts.remove(0);
    }
    let single = parts.len() == 1;
    for p in parts {
        path_component(p).map_err(|e| {
            if single {
                e
            } else {
                format!("has a part `{p}` that {e}")
            }
        })?;
    }
    Ok(())
}

fn registry(host: &str) -> Result<(), String> {
    let (name, port) = host.split_once(':').unwrap_or((host, ""));
    let ok_name = !name.is_empty()
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    let ok_port =
        port.is_empty() && !host.contains(':') || !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    if ok_name && ok_port {
        Ok(())
    } else {
        Err(format!("`{host}` is not a registry host (`registry.example.com:5000`)"))
    }
}

fn path_component(p: &str) -> Result<(), String> {
    let bad = || Err("is not lower-case letters and digits joined by `.`, `_`, `__` or `-`".to_string());
    let b = p.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return bad();
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() || b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or a run of `-`.
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => i += if b.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return bad(),
        }
        if i == start || i >= b.len() || !b[i].is_ascii_alphanumeric() {
            return bad();
        }
    }
    Ok(())
}

/// An image tag: a letter, digit or `_`, then up to 127 letters, digits, `_`, `.` or `-`.
pub fn image_tag(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 128 {
        return Err(format!("must be 1 to 128 characters (has {})", s.len()));
    }
    if !(b[0].is_ascii_alphanumeric() || b[0] == b'_')
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
    {
        return Err("may contain only letters, digits, `_`, `.` and `-`, and cannot start with `.` or `-`".into());
    }
    Ok(())
}

/// A folder relative to the workspace: no absolute path, no `..`, no control characters
/// or characters a shell or a Dockerfile would read as syntax.
pub fn relative_dir(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.starts_with('/') || s.starts_with('\\') || s.as_bytes().get(1) == Some(&b':') {
        return Err("must be relative to the workspace root".into());
    }
    if s.split(['/', '\\']).any(|c| c == "..") {
        return Err("must stay inside the workspace (no `..`)".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '@' | '+')))
    {
        return Err(format!(
            "contains {c:?}; folder names are letters, digits, `.`, `_`, `-`, `@` and `+`"
        ));
    }
    Ok(())
}

/// A language or service version, e.g. `3.13`, `24`, `1.23.4-alpine`.
pub fn version(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 32 || !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("must be 1 to 32 characters starting with a letter or digit".into());
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-' | b'_'))
    {
        return Err("may contain only letters, digits, `.`, `+`, `-` and `_`".into());
    }
    Ok(())
}

/// An environment variable name: a letter or `_`, then letters, digits and `_`.
pub fn env_name(s: &str) -> Result<(), String> {
    let ok = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && s.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err("must be a letter or `_` followed by letters, digits and `_`".into())
    }
}

/// A Kubernetes quantity: `500m`, `1`, `1.5`, `256Mi`, `1Gi`.
pub fn quantity(s: &str) -> Result<(), String> {
    match crate::quantity::parse(s) {
        Some(v) if v >= 0.0 => Ok(()),
        Some(_) => Err("is negative".into()),
        None => Err("is not a Kubernetes quantity (`500m`, `1`, `256Mi`, `1Gi`)".into()),
    }
}

/// An HTTP path for a probe: starts with `/`, no spaces, quotes or control characters.
pub fn http_path(s: &str) -> Result<(), String> {
    if !s.starts_with('/') || s.len() > 1024 {
        return Err("must start with `/`".into());
    }
    if s.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`' | '\\' | '$' | ';' | '&' | '|' | '<' | '>')
    }) {
        return Err("may not contain spaces, quotes or shell characters".into());
    }
    Ok(())
}

/// Where a value of the typed input was written: a `--set` assignment or a line of the
/// YAML block.
struct Places<'a> {
    set: &'a [String],
    block: Option<&'a Located>,
    root: Option<&'a Node>,
    sources: &'a Sources,
}

impl Places<'_> {
    fn diagnostic(&self, path: &[&str], d: Diagnostic) -> Diagnostic {
        let dotted = path.join(".");
        if let Some(a) = self.set.iter().rev().find(|a| {
            a.split_once('=')
                .is_some_and(|(k, _)| k == dotted || k.starts_with(&format!("{dotted}.")))
        }) {
            let key = a.split_once('=').map_or(a.as_str(), |(k, _)| k);
            return d.at_path(format!("--set {key}"));
        }
        match (self.block, self.yaml_line(path)) {
            (Some(block), Some(line)) => {
                let file = self.sources.get(block.span.source);
                // YAML line 1 is the line after the opening fence.
                let fence_line = file.line_of(block.span.range.start);
                let start = nth_line_start(&file.text, fence_line + line);
                let end = file.text[start..].find('\n').map_or(file.text.len(), |e| start + e);
                d.at(Span::new(block.span.source, start..end))
            }
            (Some(block), None) => d.at(block.span.clone()),
            (None, _) => d,
        }
    }

    /// The line (in the block) of the key at `path`.
    fn yaml_line(&self, path: &[&str]) -> Option<usize> {
        self.root?.key_line(path)
    }
}

/// Byte offset of the start of 1-based line `n`.
fn nth_line_start(text: &str, n: usize) -> usize {
    let mut at = 0;
    for _ in 1..n {
        match text[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return text.len(),
        }
    }
    at
}

fn invalid(what: &str, value: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, format!("{what} `{}` {why}", shown(value)))
}

/// A value as it may be printed: control characters escaped, long values cut.
fn shown(value: &str) -> String {
    let escaped: String = value.escape_debug().collect();
    if escaped.chars().count() > 80 {
        format!("{}…", escaped.chars().take(80).collect::<String>())
    } else {
        escaped
    }
}

/// Normalize a human name to a label with a note, or report it when nothing usable is left.
fn name(
    places: &Places,
    path: &[&str],
    what: &str,
    value: &str,
    check: fn(&str) -> Result<(), String>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let Err(why) = check(value) else {
        return Some(value.to_string());
    };
    let normal = slug(value);
    if check(&normal).is_ok() && normal != "app" && value.chars().any(|c| c.is_alphanumeric()) {
        diags.push(
            places.diagnostic(
                path,
                Diagnostic::new(
                    Code::NormalizedName,
                    format!("{what} `{}` is written `{normal}`", shown(value)),
                )
                .severity(Severity::Info)
                .label(why.clone())
                .hint(format!(
                    "write `{normal}` to silence this note; Kubernetes and Helm accept only that form"
                )),
            ),
        );
        return Some(normal);
    }
    diags.push(places.diagnostic(
        path,
        invalid(what, value, &why).hint("use lower-case letters, digits and `-`, starting with a letter"),
    ));
    None
}

/// Check and normalize the typed input in place. Invalid values are reported and dropped,
/// at their line of `block` (whose parsed tree is `root`) or their `--set`.
pub fn check(
    input: &mut DeployInput,
    set: &[String],
    block: Option<&Located>,
    root: Option<&Node>,
    sources: &Sources,
    diags: &mut Diagnostics,
) {
    let places = Places {
        set,
        block,
        root,
        sources,
    };
    let p = &places;
    if let Some(app) = input.app.take() {
        input.app = name(p, &["app"], "application name", &app, release_name, diags);
    }
    if let Some(ns) = input.namespace.take() {
        input.namespace = name(p, &["namespace"], "namespace", &ns, dns_label, diags);
    }
    if let Some(v) = input.platform.as_mut().and_then(|p| p.kubernetes_version.take()) {
        match version(&v) {
            Ok(()) => input.platform.as_mut().expect("present").kubernetes_version = Some(v),
            Err(why) => diags.push(p.diagnostic(
                &["platform", "kubernetesVersion"],
                invalid("Kubernetes version", &v, &why).hint("write the minor version, e.g. \"1.33\""),
            )),
        }
    }

    let mut components = BTreeMap::new();
    for (key, mut c) in std::mem::take(&mut input.components) {
        let at = |field: &'static str| ["components", key.as_str(), field];
        let Some(n) = name(p, &["components", &key], "component name", &key, dns1035_label, diags) else {
            continue;
        };
        if components.contains_key(&n) {
            diags.push(
                p.diagnostic(
                    &["components", &key],
                    invalid(
                        "component name",
                        &key,
                        &format!("is `{n}` once normalized, the name of another component"),
                    )
                    .hint("give every component its own name"),
                ),
            );
            continue;
        }
        let mut field = |f: &'static str,
                         value: &mut Option<String>,
                         what: &str,
                         check: fn(&str) -> Result<(), String>,
                         hint: &str| {
            if let Some(v) = value.take() {
                match check(&v) {
                    Ok(()) => *value = Some(v),
                    Err(why) => diags.push(p.diagnostic(&at(f), invalid(what, &v, &why).hint(hint.to_string()))),
                }
            }
        };
        field(
            "image",
            &mut c.image,
            "image repository",
            image_repository,
            "write a repository such as `registry.example.com/team/api`, without a tag; the tag goes in `tag`",
        );
        field(
            "tag",
            &mut c.tag,
            "image tag",
            image_tag,
            "write a tag such as `1.4.2` or `sha-3f2a1c0`",
        );
        field(
            "sourceDir",
            &mut c.source_dir,
            "source folder",
            relative_dir,
            "write the component's folder relative to the workspace root, e.g. `backend`",
        );
        field(
            "languageVersion",
            &mut c.language_version,
            "language version",
            version,
            "write a version such as \"3.13\" or \"24\"",
        );
        field(
            "packageManager",
            &mut c.package_manager,
            "package manager",
            version,
            "write its name, e.g. `uv`, `pip`, `npm`, `pnpm`",
        );
        field(
            "stack",
            &mut c.stack,
            "stack",
            version,
            "`sp explain SP407` lists the stacks of the catalog",
        );
        field(
            "host",
            &mut c.host,
            "Ingress host",
            dns_subdomain,
            "write a host name such as `todo.local`",
        );
        if let Some(h) = c.health.as_mut() {
            for (f, v) in [
                ("liveness", &mut h.liveness),
                ("readiness", &mut h.readiness),
                ("startup", &mut h.startup),
            ] {
                if let Some(path) = v.take() {
                    match http_path(&path) {
                        Ok(()) => *v = Some(path),
                        Err(why) => diags.push(p.diagnostic(
                            &["components", &key, "health", f],
                            invalid("health path", &path, &why).hint("write an HTTP path such as `/healthz`"),
                        )),
                    }
                }
            }
        }
        if let Some(r) = c.resources.as_mut() {
            for (f, v) in [
                ("cpuRequest", &mut r.cpu_request),
                ("cpuLimit", &mut r.cpu_limit),
                ("memoryRequest", &mut r.memory_request),
                ("memoryLimit", &mut r.memory_limit),
            ] {
                if let Some(q) = v.take() {
                    match quantity(&q) {
                        Ok(()) => *v = Some(q),
                        Err(why) => diags.push(
                            p.diagnostic(
                                &["components", &key, "resources", f],
                                invalid("resource quantity", &q, &why)
                                    .hint("write `500m` or `1` for CPU, `256Mi` or `1Gi` for memory"),
                            ),
                        ),
                    }
                }
            }
            for (request_key, limit_key, request, limit) in [
                ("cpuRequest", "cpuLimit", &r.cpu_request, &r.cpu_limit),
                ("memoryRequest", "memoryLimit", &r.memory_request, &r.memory_limit),
            ] {
                let value = |q: &Option<String>| q.as_deref().and_then(crate::quantity::parse);
                if let (Some(a), Some(b)) = (value(request), value(limit))
                    && a > b
                {
                    let (a, b) = (
                        request.as_deref().unwrap_or_default(),
                        limit.as_deref().unwrap_or_default(),
                    );
                    diags.push(p.diagnostic(
                        &["components", &key, "resources", request_key],
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("{request_key} `{a}` is above {limit_key} `{b}`: the API server refuses a container that requests more than its limit"),
                        )
                        .hint(format!("lower `{request_key}` to at most `{b}`, or raise `{limit_key}` to at least `{a}`")),
                    ));
                }
            }
        }
        if let Some(node_port) = c.node_port
            && !super::prose::NODE_PORTS.contains(&node_port)
        {
            diags.push(
                p.diagnostic(
                    &at("nodePort"),
                    invalid(
                        "node port",
                        &node_port.to_string(),
                        "is outside the node port range 30000-32767",
                    )
                    .hint("write a port from 30000 to 32767, or leave `nodePort` out and Kubernetes picks one"),
                ),
            );
            c.node_port = None;
        }
        if c.port == Some(0) {
            diags.push(p.diagnostic(
                &at("port"),
                invalid("port", "0", "is not a port").hint("write a port from 1 to 65535"),
            ));
            c.port = None;
        }
        let config = std::mem::take(&mut c.config);
        for (k, v) in config {
            if let Err(why) = env_name(&k) {
                diags.push(
                    p.diagnostic(
                        &["components", &key, "config", &k],
                        invalid("configuration name", &k, &why)
                            .hint("configuration names are environment variable names, e.g. `API_URL`"),
                    ),
                );
                continue;
            }
            if v.chars().any(|c| c.is_control() && c != '\t') {
                diags.push(
                    p.diagnostic(
                        &["components", &key, "config", &k],
                        invalid(
                            "configuration value",
                            &v,
                            "contains a line break or a control character",
                        )
                        .hint("configuration values are one line; put longer text in a file the application reads"),
                    ),
                );
                continue;
            }
            c.config.insert(k, v);
        }
        let secrets = std::mem::take(&mut c.secrets);
        for s in secrets {
            match env_name(&s) {
                Ok(()) => c.secrets.push(s),
                Err(why) => diags.push(
                    p.diagnostic(
                        &at("secrets"),
                        invalid("secret name", &s, &why)
                            .hint("secrets are named by their environment variable, e.g. `DATABASE_URL`"),
                    ),
                ),
            }
        }
        let deps = std::mem::take(&mut c.depends_on);
        for d in deps {
            if let Some(n) = name(p, &at("dependsOn"), "dependency", &d, dns1035_label, diags) {
                c.depends_on.push(n);
            }
        }
        components.insert(n, c);
    }
    input.components = components;

    let mut services = BTreeMap::new();
    for (key, mut s) in std::mem::take(&mut input.services) {
        let Some(n) = name(p, &["services", &key], "service name", &key, dns1035_label, diags) else {
            continue;
        };
        if let Some(v) = s.version.take() {
            match version(&v) {
                Ok(()) => s.version = Some(v),
                Err(why) => diags.push(p.diagnostic(
                    &["services", &key, "version"],
                    invalid("service version", &v, &why).hint("write a version such as \"16\" or \"7.2\""),
                )),
            }
        }
        if let Some(q) = s.storage.take() {
            match quantity(&q) {
                Ok(()) => s.storage = Some(q),
                Err(why) => diags.push(p.diagnostic(
                    &["services", &key, "storage"],
                    invalid("storage size", &q, &why).hint("write a size such as `1Gi`"),
                )),
            }
        }
        services.insert(n, s);
    }
    input.services = services;
}

/// A Helm release (and chart) name: a DNS-1123 label of at most 53 characters.
pub fn release_name(s: &str) -> Result<(), String> {
    dns_label(s)?;
    if s.len() > RELEASE_MAX {
        return Err(format!(
            "is the Helm release name, at most {RELEASE_MAX} characters (has {})",
            s.len()
        ));
    }
    Ok(())
}

/// An application name derived from a title: a label of at most 53 characters.
pub fn app_slug(s: &str) -> String {
    let mut out: String = slug(s).chars().take(RELEASE_MAX).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(dns_label("todo-api").is_ok());
        assert!(dns_label("Bad_Name").is_err());
        assert!(dns_label("-x").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label("1api").is_err());
        assert!(dns_subdomain("todo.local").is_ok());
        assert!(dns_subdomain("todo..local").is_err());
        assert!(release_name(&"a".repeat(54)).is_err());
        assert_eq!(app_slug(&"a".repeat(63)).len(), 53);
    }

    #[test]
    fn image_references() {
        for ok in [
            "todo-api",
            "ghcr.io/me/todo-api",
            "localhost:5000/a/b",
            "a__b",
            "a.b_c--d",
        ] {
            assert!(image_repository(ok).is_ok(), "{ok}");
        }
        for bad in ["evil;rm -rf /", "Upper/case", "a:1.0", "-a", "a/", "a\nRUN x", "a..b"] {
            assert!(image_repository(bad).is_err(), "{bad}");
        }
        assert!(image_tag("1.4.2-alpine").is_ok());
        assert!(image_tag("1.0\nRUN curl x | sh").is_err());
        assert!(image_tag(".x").is_err());
    }

    #[test]
    fn paths_quantities_versions() {
        assert!(relative_dir("apps/web").is_ok());
        assert!(relative_dir("../x").is_err());
        assert!(relative_dir("/etc").is_err());
        assert!(relative_dir("x;$(touch PWNED)").is_err());
        assert!(quantity("500m").is_ok() && quantity("1Gi").is_ok() && quantity("1.5").is_ok());
        assert!(quantity("lots").is_err() && quantity("-1").is_err() && quantity("1mb").is_err());
        assert!(quantity("1e3").is_ok() && quantity("512M").is_ok());
        assert!(version("3.13").is_ok() && version("3.13\nRUN x").is_err());
        assert!(http_path("/healthz").is_ok() && http_path("/x; rm").is_err());
    }
}
