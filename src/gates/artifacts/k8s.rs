//! The Kubernetes gates, on the objects of the manifests.

use super::Acc;
use super::chart::Production;
use super::docker::{credential_value, secretish};
use super::parse::{
    self, Container, Level, Object, Pod, Pos, as_bool, as_int, entry, get, get_str, image_ref, items, mutable_tag,
    show, text,
};
use crate::yaml::Node;

fn pods(objs: &[Object]) -> impl Iterator<Item = Pod<'_>> {
    objs.iter().filter_map(Object::pod)
}

fn containers(objs: &[Object]) -> Vec<Container<'_>> {
    pods(objs).flat_map(|p| p.containers()).collect()
}

/// Main containers of servers: what probes, preStop hooks and spreading are about.
fn serving(objs: &[Object]) -> Vec<Container<'_>> {
    containers(objs)
        .into_iter()
        .filter(|c| !c.init && !c.ephemeral && c.pod.long_running)
        .collect()
}

/// Containers that may declare resources: every one but ephemeral (debug) containers.
fn resourced(objs: &[Object]) -> Vec<Container<'_>> {
    containers(objs).into_iter().filter(|c| !c.ephemeral).collect()
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Pod => "pod securityContext",
        Level::Container => "container securityContext",
    }
}

fn kv(k: &Node, v: &Node) -> String {
    format!("{}: {}", show(k), show(v))
}

fn same_ns(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

pub fn run_as_non_root(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        // The root group: files owned by group 0 (most of a base image) stay writable.
        if let Some((k, v, l)) = c.effective("runAsGroup")
            && as_int(v) == Some(0)
        {
            acc.fail(
                "run-as-group-zero",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runs in the root group: runAsGroup 0 in the {}", level(l)),
                kv(k, v),
            );
        }
        let user = c.effective("runAsUser");
        let non_root = c.effective("runAsNonRoot");
        let uid = user.and_then(|(_, v, _)| as_int(v));
        if let (Some((k, v, l)), Some(0)) = (user, uid) {
            acc.fail(
                "run-as-user-zero",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runs as root: runAsUser 0 in the {}", level(l)),
                kv(k, v),
            );
            continue;
        }
        match non_root {
            Some((k, v, l)) if as_bool(v) == Some(true) => acc.pass(c.file(), Pos::of(k), c.object(), format!("{} ({})", kv(k, v), level(l))),
            _ if uid.is_some_and(|u| u > 0) => {
                let (k, v, l) = user.expect("uid comes from runAsUser");
                acc.pass(c.file(), Pos::of(k), c.object(), format!("{} ({})", kv(k, v), level(l)))
            }
            Some((k, v, l)) => acc.fail(
                "run-as-non-root-false",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("runAsNonRoot is not true in the {} and no runAsUser above 0 is set", level(l)),
                kv(k, v),
            ),
            None => acc.fail(
                "run-as-non-root-unset",
                c.file(),
                c.security_pos(),
                c.object(),
                "neither the pod nor the container sets runAsNonRoot: true (or a runAsUser above 0): the image decides, root by default",
                "runAsNonRoot not set",
            ),
        }
    }
}

pub fn run_as_high_uid(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let mut ok = Vec::new();
        let mut bad = false;
        for key in ["runAsUser", "runAsGroup"] {
            match c.effective(key) {
                Some((k, v, l)) => match as_int(v) {
                    Some(id) if id >= 10000 => ok.push((k, format!("{} ({})", kv(k, v), level(l)))),
                    _ => {
                        bad = true;
                        acc.fail(
                            if key == "runAsUser" {
                                "run-as-user-low"
                            } else {
                                "run-as-group-low"
                            },
                            c.file(),
                            Pos::of(k),
                            c.object(),
                            format!("{key} is below 10000: it can collide with a host user or group"),
                            kv(k, v),
                        );
                    }
                },
                None => {
                    bad = true;
                    acc.fail(
                        if key == "runAsUser" {
                            "run-as-user-unset"
                        } else {
                            "run-as-group-unset"
                        },
                        c.file(),
                        c.security_pos(),
                        c.object(),
                        format!("{key} is not set: the image decides which ID the process runs as"),
                        format!("{key} not set"),
                    );
                }
            }
        }
        if !bad && let Some((k, _)) = ok.first() {
            let found = ok.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(", ");
            acc.pass(c.file(), Pos::of(k), c.object(), found);
        }
    }
}

/// A container-level boolean security field that must have the `want` value.
/// `rules`: the rule names for a wrong value and for a missing field.
fn container_flag(
    objs: &[Object],
    acc: &mut Acc,
    key: &str,
    want: bool,
    why: &str,
    rules: (&'static str, &'static str),
) {
    for c in containers(objs) {
        match c.security(key) {
            Some((k, v)) if as_bool(v) == Some(want) => acc.pass(c.file(), Pos::of(k), c.object(), kv(k, v)),
            Some((k, v)) => acc.fail(
                rules.0,
                c.file(),
                Pos::of(k),
                c.object(),
                format!("{key} is not {want}: {why}"),
                kv(k, v),
            ),
            None => acc.fail(
                rules.1,
                c.file(),
                c.security_pos(),
                c.object(),
                format!("{key}: {want} is not set: {why}"),
                format!("{key} not set"),
            ),
        }
    }
}

pub fn read_only_root_fs(objs: &[Object], acc: &mut Acc) {
    container_flag(
        objs,
        acc,
        "readOnlyRootFilesystem",
        true,
        "the process can modify its own image at run time",
        ("read-only-root-fs-false", "read-only-root-fs-unset"),
    );
}

pub fn no_privilege_escalation(objs: &[Object], acc: &mut Acc) {
    container_flag(
        objs,
        acc,
        "allowPrivilegeEscalation",
        false,
        "setuid binaries can gain privileges (the default is true)",
        ("privilege-escalation-allowed", "privilege-escalation-unset"),
    );
}

pub fn no_privileged(objs: &[Object], acc: &mut Acc) {
    for p in pods(objs) {
        let mut bad = false;
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some((k, v)) = p.field(key)
                && as_bool(v) == Some(true)
            {
                bad = true;
                acc.fail(
                    match key {
                        "hostNetwork" => "host-network",
                        "hostPID" => "host-pid",
                        _ => "host-ipc",
                    },
                    &p.obj.file,
                    Pos::of(k),
                    p.obj.subject(),
                    format!("{key}: true shares the node's namespace with the pod"),
                    kv(k, v),
                );
            }
        }
        for c in p.containers() {
            let mut cbad = false;
            if let Some((k, v)) = c.security("privileged")
                && as_bool(v) == Some(true)
            {
                cbad = true;
                acc.fail(
                    "privileged",
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    "a privileged container is root on the node",
                    kv(k, v),
                );
            }
            for port in c.field("ports").map(|(_, v)| items(v)).unwrap_or_default() {
                if let Some((k, v)) = entry(port, "hostPort")
                    && as_int(v).is_some_and(|h| h != 0)
                {
                    cbad = true;
                    acc.fail(
                        "host-port",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        "hostPort binds the pod to a port of its node",
                        kv(k, v),
                    );
                }
            }
            bad |= cbad;
            if !cbad && !bad {
                let found = match c.security("privileged") {
                    Some((k, v)) => kv(k, v),
                    None => "not privileged, no host namespaces or ports".into(),
                };
                acc.pass(c.file(), c.security_pos(), c.object(), found);
            }
        }
    }
}

pub fn drop_all_capabilities(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let caps = c.security("capabilities");
        let drop = caps.and_then(|(_, v)| get(v, "drop")).map(items).unwrap_or_default();
        let drops_all = drop
            .iter()
            .any(|d| text(d).is_some_and(|t| t.eq_ignore_ascii_case("all")));
        let mut bad = false;
        if !drops_all {
            bad = true;
            let pos = caps.map(|(k, _)| Pos::of(k)).unwrap_or(c.security_pos());
            let found = caps
                .and_then(|(_, v)| entry(v, "drop"))
                .map(|(k, v)| kv(k, v))
                .unwrap_or("no capabilities.drop".into());
            acc.fail(
                "drop-all-missing",
                c.file(),
                pos,
                c.object(),
                "capabilities.drop does not contain ALL: the runtime's default capabilities stay",
                found,
            );
        }
        for a in caps.and_then(|(_, v)| get(v, "add")).map(items).unwrap_or_default() {
            let cap = text(a).unwrap_or_default();
            let name = cap.trim_start_matches("CAP_");
            if !name.eq_ignore_ascii_case("NET_BIND_SERVICE") {
                bad = true;
                acc.fail(
                    "capability-added",
                    c.file(),
                    Pos::of(a),
                    c.object(),
                    format!("capability {cap} is added back"),
                    format!("add: {cap}"),
                );
            }
        }
        if !bad && let Some((k, v)) = caps {
            acc.pass(c.file(), Pos::of(k), c.object(), format!("capabilities: {}", show(v)));
        }
    }
}

pub fn seccomp_runtime_default(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        match c.effective("seccompProfile") {
            Some((k, v, l)) => {
                let t = get_str(v, "type").unwrap_or_default();
                let pos = entry(v, "type").map(|(tk, _)| Pos::of(tk)).unwrap_or(Pos::of(k));
                if t == "RuntimeDefault" || t == "Localhost" {
                    acc.pass(
                        c.file(),
                        pos,
                        c.object(),
                        format!("seccompProfile.type: {t} ({})", level(l)),
                    );
                } else {
                    acc.fail(
                        "seccomp-unconfined",
                        c.file(),
                        pos,
                        c.object(),
                        format!(
                            "seccompProfile.type is `{t}` in the {}: every syscall is allowed",
                            level(l)
                        ),
                        format!("seccompProfile: {}", show(v)),
                    );
                }
            }
            None => acc.fail(
                "seccomp-unset",
                c.file(),
                c.security_pos(),
                c.object(),
                "no seccompProfile in the pod or container securityContext: the container runs Unconfined",
                "seccompProfile not set",
            ),
        }
    }
}

fn service_account_name<'a>(p: &Pod<'a>) -> Option<(&'a Node, &'a str)> {
    p.field("serviceAccountName")
        .or_else(|| p.field("serviceAccount"))
        .and_then(|(k, v)| text(v).map(|t| (k, t)))
}

fn find_sa<'a>(objs: &'a [Object], name: &str, ns: &Option<String>) -> Option<&'a Object> {
    objs.iter()
        .find(|o| o.kind == "ServiceAccount" && o.name == name && same_ns(&o.namespace, ns))
}

pub fn sa_token_automount_off(objs: &[Object], acc: &mut Acc) {
    for p in pods(objs) {
        let o = p.obj;
        match p.field("automountServiceAccountToken") {
            Some((k, v)) if as_bool(v) == Some(false) => acc.pass(&o.file, Pos::of(k), o.subject(), kv(k, v)),
            Some((k, v)) => acc.fail(
                "pod-automount-on",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the pod mounts a Kubernetes API token",
                kv(k, v),
            ),
            None => {
                let sa = service_account_name(&p).map(|(_, n)| n).unwrap_or("default");
                let sa_off = find_sa(objs, sa, &o.namespace)
                    .and_then(|s| entry(&s.root, "automountServiceAccountToken").map(|(k, v)| (s, k, v)))
                    .filter(|(_, _, v)| as_bool(v) == Some(false));
                match sa_off {
                    Some((s, k, v)) => {
                        acc.pass(&s.file, Pos::of(k), o.subject(), format!("{} on ServiceAccount {}", kv(k, v), s.name))
                    }
                    None => acc.fail(
                        "pod-automount-unset",
                        &o.file,
                        p.spec_key,
                        o.subject(),
                        format!("automountServiceAccountToken is not false on the pod or its ServiceAccount `{sa}`: the pod gets an API token"),
                        "automountServiceAccountToken not set",
                    ),
                }
            }
        }
    }
    for s in objs.iter().filter(|o| o.kind == "ServiceAccount") {
        match entry(&s.root, "automountServiceAccountToken") {
            Some((k, v)) if as_bool(v) == Some(false) => acc.pass(&s.file, Pos::of(k), s.subject(), kv(k, v)),
            Some((k, v)) => acc.fail(
                "service-account-automount-on",
                &s.file,
                Pos::of(k),
                s.subject(),
                "the ServiceAccount mounts its token into every pod that uses it",
                kv(k, v),
            ),
            None => acc.fail(
                "service-account-automount-unset",
                &s.file,
                s.pos(),
                s.subject(),
                "the ServiceAccount does not set automountServiceAccountToken: false",
                "automountServiceAccountToken not set",
            ),
        }
    }
}

pub fn dedicated_service_account(objs: &[Object], acc: &mut Acc) {
    let any_sa = objs.iter().any(|o| o.kind == "ServiceAccount");
    for p in pods(objs) {
        let o = p.obj;
        match service_account_name(&p) {
            None => acc.fail(
                "service-account-unset",
                &o.file,
                p.spec_key,
                o.subject(),
                "no serviceAccountName: the pod runs as the namespace's `default` account",
                "serviceAccountName not set",
            ),
            Some((k, "default")) => acc.fail(
                "service-account-default",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the pod runs as the namespace's shared `default` account",
                "serviceAccountName: default",
            ),
            Some((k, name)) if any_sa && find_sa(objs, name, &o.namespace).is_none() => acc.fail(
                "service-account-missing",
                &o.file,
                Pos::of(k),
                o.subject(),
                format!("ServiceAccount `{name}` is not defined with these manifests: the pod will not be admitted"),
                format!("serviceAccountName: {name}"),
            ),
            Some((k, name)) => {
                let note = if any_sa {
                    ""
                } else {
                    " (no ServiceAccount in these manifests to check it against)"
                };
                acc.pass(
                    &o.file,
                    Pos::of(k),
                    o.subject(),
                    format!("serviceAccountName: {name}{note}"),
                )
            }
        }
    }
}

pub fn resources_requests(objs: &[Object], acc: &mut Acc) {
    for c in resourced(objs) {
        let res = c.field("resources");
        let req = res.and_then(|(_, v)| entry(v, "requests"));
        let pos = req
            .map(|(k, _)| Pos::of(k))
            .or(res.map(|(k, _)| Pos::of(k)))
            .unwrap_or(c.pos());
        let mut missing = false;
        for (r, rule) in [("cpu", "cpu-request-missing"), ("memory", "memory-request-missing")] {
            if req.and_then(|(_, v)| get(v, r)).and_then(text).is_none() {
                missing = true;
                acc.fail(
                    rule,
                    c.file(),
                    pos,
                    c.object(),
                    format!("no {r} request: the scheduler cannot place the pod by what it needs"),
                    req.map(|(k, v)| kv(k, v)).unwrap_or("no resources.requests".into()),
                );
            }
        }
        if !missing {
            acc.pass(
                c.file(),
                pos,
                c.object(),
                format!("requests: {}", req.map(|(_, v)| show(v)).unwrap_or_default()),
            );
        }
    }
}

pub fn resources_limit(objs: &[Object], acc: &mut Acc, resource: &str) {
    for c in resourced(objs) {
        let res = c.field("resources");
        let limits = res.and_then(|(_, v)| entry(v, "limits"));
        let limit = limits
            .and_then(|(_, v)| entry(v, resource))
            .and_then(|(k, v)| text(v).map(|t| (k, t)));
        let request = res
            .and_then(|(_, v)| get(v, "requests"))
            .and_then(|r| get(r, resource))
            .and_then(text);
        match limit {
            None => acc.fail(
                "limit-missing",
                c.file(),
                limits
                    .map(|(k, _)| Pos::of(k))
                    .or(res.map(|(k, _)| Pos::of(k)))
                    .unwrap_or(c.pos()),
                c.object(),
                format!("no {resource} limit"),
                format!("limits.{resource} not set"),
            ),
            Some((k, l)) => match (parse::quantity(l), request.map(|r| (r, parse::quantity(r)))) {
                (None, _) => acc.fail(
                    "limit-not-quantity",
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    format!("{resource} limit `{l}` is not a quantity"),
                    format!("{resource}: {l}"),
                ),
                (Some(lv), Some((r, Some(rv)))) if lv < rv => acc.fail(
                    "limit-below-request",
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    format!("{resource} limit {l} is below the request {r}: the API server rejects it"),
                    format!("{resource}: {l} (request {r})"),
                ),
                _ => acc.pass(
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    format!(
                        "limits.{resource}: {l}{}",
                        request.map(|r| format!(" (request {r})")).unwrap_or_default()
                    ),
                ),
            },
        }
    }
}

pub fn readiness_probe(objs: &[Object], acc: &mut Acc) {
    for c in serving(objs) {
        if c.ports().is_empty() {
            continue;
        }
        match c.field("readinessProbe") {
            Some((k, v)) => acc.pass(c.file(), Pos::of(k), c.object(), format!("readinessProbe: {}", show(v))),
            None => acc.fail(
                "readiness-probe-missing",
                c.file(),
                c.pos(),
                c.object(),
                "the container serves a port but has no readinessProbe: it gets traffic before it can answer",
                "no readinessProbe",
            ),
        }
    }
}

pub fn liveness_probe(objs: &[Object], acc: &mut Acc) {
    for c in serving(objs) {
        match c.field("livenessProbe") {
            Some((k, v)) => acc.pass(c.file(), Pos::of(k), c.object(), format!("livenessProbe: {}", show(v))),
            None => acc.fail(
                "liveness-probe-missing",
                c.file(),
                c.pos(),
                c.object(),
                "no livenessProbe: a hung process is never restarted",
                "no livenessProbe",
            ),
        }
    }
}

pub fn probes_distinct(objs: &[Object], acc: &mut Acc) {
    for c in serving(objs) {
        let (Some((_, live)), Some((rk, ready))) = (c.field("livenessProbe"), c.field("readinessProbe")) else {
            continue;
        };
        if parse::same(live, ready) {
            acc.fail(
                "probes-identical",
                c.file(),
                Pos::of(rk),
                c.object(),
                "the liveness and readiness probes are identical: a slow dependency makes the pod unready and restarts it at once",
                format!("both {}", show(ready)),
            );
        } else {
            acc.pass(
                c.file(),
                Pos::of(rk),
                c.object(),
                "liveness and readiness differ".to_string(),
            );
        }
    }
}

const SLOW_IMAGES: &[&str] = &[
    "java",
    "jdk",
    "jre",
    "temurin",
    "corretto",
    "openjdk",
    "spring",
    "tomcat",
    "jboss",
    "wildfly",
    "keycloak",
    "elasticsearch",
    "opensearch",
    "kafka",
    "sonarqube",
    "pytorch",
    "tensorflow",
    "triton",
    "vllm",
    "ollama",
    "jupyter",
];

pub fn startup_probe_slow_start(objs: &[Object], acc: &mut Acc) {
    for c in serving(objs) {
        let delay = c
            .field("livenessProbe")
            .and_then(|(_, v)| entry(v, "initialDelaySeconds"));
        let slow_delay = delay.filter(|(_, v)| as_int(v).is_some_and(|d| d >= 30));
        let image = c.image().map(|(_, i)| i.to_ascii_lowercase()).unwrap_or_default();
        let slow_image = SLOW_IMAGES.iter().find(|h| image_ref(&image).name.contains(*h));
        match c.field("startupProbe") {
            Some((k, v)) => {
                let n = |key| get(v, key).and_then(as_int);
                let budget = n("failureThreshold").unwrap_or(3) * n("periodSeconds").unwrap_or(10);
                acc.pass(
                    c.file(),
                    Pos::of(k),
                    c.object(),
                    format!("startupProbe allows {budget} s to start"),
                );
            }
            None if slow_delay.is_some() || slow_image.is_some() => {
                let (pos, found, why) = match (slow_delay, slow_image) {
                    (Some((k, v)), _) => (
                        Pos::of(k),
                        kv(k, v),
                        "a liveness initialDelaySeconds of 30 s or more".to_string(),
                    ),
                    (None, Some(h)) => (
                        c.image().map(|(k, _)| Pos::of(k)).unwrap_or(c.pos()),
                        format!("image: {image}"),
                        format!("a `{h}` image"),
                    ),
                    (None, None) => (c.pos(), String::new(), String::new()),
                };
                acc.fail(
                    "startup-probe-missing",
                    c.file(),
                    pos,
                    c.object(),
                    format!("{why} marks a slow start, but there is no startupProbe"),
                    found,
                );
            }
            None => acc.pass(c.file(), c.pos(), c.object(), "no sign of a slow start".to_string()),
        }
    }
}

pub fn probe_ports_exposed(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let ports = c.ports();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some((_, p)) = c.field(probe) else { continue };
            for handler in ["httpGet", "tcpSocket", "grpc"] {
                let Some((pk, port)) = get(p, handler).and_then(|h| entry(h, "port")) else {
                    continue;
                };
                let want = text(port).unwrap_or_default();
                let ok = ports
                    .iter()
                    .any(|(num, name)| num == want || name.as_deref() == Some(want));
                // Probes connect over TCP (gRPC and HTTP run on it): a UDP or SCTP port never answers.
                let protocol = c
                    .field("ports")
                    .map(|(_, v)| items(v))
                    .unwrap_or_default()
                    .iter()
                    .find(|p| get(p, "containerPort").and_then(text) == Some(want) || get_str(p, "name") == Some(want))
                    .and_then(|p| get_str(p, "protocol"))
                    .filter(|proto| !proto.eq_ignore_ascii_case("TCP"));
                if let (true, Some(proto)) = (ok, protocol) {
                    acc.fail(
                        "probe-port-not-tcp",
                        c.file(),
                        Pos::of(pk),
                        c.object(),
                        format!("{probe} targets port `{want}`, which the container declares as {proto}: the probe connects over TCP"),
                        format!("port: {want} ({proto})"),
                    );
                } else if ok {
                    acc.pass(
                        c.file(),
                        Pos::of(pk),
                        c.object(),
                        format!("{probe}.{handler}.port: {want}"),
                    );
                } else {
                    let declared: Vec<String> = ports
                        .iter()
                        .map(|(n, name)| name.as_ref().map(|x| format!("{x} ({n})")).unwrap_or(n.clone()))
                        .collect();
                    acc.fail(
                        "probe-port-undeclared",
                        c.file(),
                        Pos::of(pk),
                        c.object(),
                        format!(
                            "{probe} targets port `{want}`, which the container does not declare ({})",
                            if declared.is_empty() {
                                "no ports".into()
                            } else {
                                declared.join(", ")
                            }
                        ),
                        format!("port: {want}"),
                    );
                }
            }
        }
    }
}

pub fn image_tag_pinned(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let Some((k, image)) = c.image() else {
            acc.fail(
                "image-missing",
                c.file(),
                c.pos(),
                c.object(),
                "the container has no image",
                "no image",
            );
            continue;
        };
        let r = image_ref(image);
        if r.digest.is_some() {
            acc.pass(c.file(), Pos::of(k), c.object(), format!("image: {image} (digest)"));
            continue;
        }
        match r.tag.as_deref() {
            None => acc.fail(
                "image-untagged",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("`{image}` has no tag: it runs whatever `latest` is"),
                format!("image: {image}"),
            ),
            Some(t) if mutable_tag(t) => acc.fail(
                "image-mutable-tag",
                c.file(),
                Pos::of(k),
                c.object(),
                format!("`{image}` uses the moving tag `{t}`"),
                format!("image: {image}"),
            ),
            Some(_) => acc.pass(c.file(), Pos::of(k), c.object(), format!("image: {image}")),
        }
    }
}

pub fn image_pull_policy(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let Some((_, image)) = c.image() else { continue };
        let r = image_ref(image);
        let mutable = r.digest.is_none() && r.tag.as_deref().is_none_or(mutable_tag);
        match c.field("imagePullPolicy") {
            None => acc.fail(
                "pull-policy-unset",
                c.file(),
                c.image().map(|(k, _)| Pos::of(k)).unwrap_or(c.pos()),
                c.object(),
                "imagePullPolicy is implicit: it changes with the tag (Always for latest, IfNotPresent otherwise)",
                "imagePullPolicy not set",
            ),
            Some((k, v)) => {
                let policy = text(v).unwrap_or_default();
                match policy {
                    "Always" if r.digest.is_some() => acc.fail(
                        "pull-policy-always-with-digest",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        "Always with a digest only adds a registry round-trip to every start: use IfNotPresent",
                        kv(k, v),
                    ),
                    "IfNotPresent" | "Never" if mutable => acc.fail(
                        "pull-policy-cached-mutable-tag",
                        c.file(),
                        Pos::of(k),
                        c.object(),
                        format!("{policy} with the mutable reference `{image}`: nodes keep running whatever they pulled first"),
                        kv(k, v),
                    ),
                    "Always" | "IfNotPresent" | "Never" => acc.pass(c.file(), Pos::of(k), c.object(), format!("{} for {image}", kv(k, v))),
                    _ => acc.fail("pull-policy-invalid", c.file(), Pos::of(k), c.object(), format!("`{policy}` is not a pull policy"), kv(k, v)),
                }
            }
        }
    }
}

/// The replicas a workload runs: production values first, then the manifest, then 1.
fn replicas(o: &Object, prod: Option<&Production>) -> (i64, String, Pos, String) {
    if let Some((r, at)) = prod.and_then(|p| p.for_object(o)).and_then(|w| w.replicas.as_ref()) {
        return (*r, at.file.clone(), at.pos, format!("{}: {r}", at.key));
    }
    match o.replicas() {
        Some((r, pos)) => (r, o.file.clone(), pos, format!("replicas: {r}")),
        None => (
            1,
            o.file.clone(),
            entry(&o.root, "spec").map(|(k, _)| Pos::of(k)).unwrap_or(o.pos()),
            "replicas not set (1)".into(),
        ),
    }
}

fn hpa_for<'a>(objs: &'a [Object], o: &Object) -> Option<&'a Object> {
    objs.iter().find(|h| {
        h.kind == "HorizontalPodAutoscaler"
            && same_ns(&h.namespace, &o.namespace)
            && h.spec().and_then(|s| get(s, "scaleTargetRef")).is_some_and(|t| {
                get_str(t, "kind") == Some(o.kind.as_str()) && get_str(t, "name") == Some(o.name.as_str())
            })
    })
}

pub fn replicas_min_2(objs: &[Object], prod: &Production, acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.kind == "Deployment") {
        if let Some(h) = hpa_for(objs, o) {
            let min = h.spec().and_then(|s| entry(s, "minReplicas"));
            let min_v = min.and_then(|(_, v)| as_int(v)).unwrap_or(1);
            let pos = min.map(|(k, _)| Pos::of(k)).unwrap_or(h.pos());
            if min_v < 2 {
                acc.fail(
                    "hpa-min-below-2",
                    &h.file,
                    pos,
                    h.subject(),
                    format!("the autoscaler of {} may scale it down to {min_v} replica", o.subject()),
                    format!("minReplicas: {min_v}"),
                );
            } else if let Some((r, rpos)) = o.replicas() {
                acc.fail(
                    "replicas-with-hpa",
                    &o.file,
                    rpos,
                    o.subject(),
                    format!(
                        "{} sets replicas while {} scales it: every apply resets the count",
                        o.subject(),
                        h.subject()
                    ),
                    format!("replicas: {r}"),
                );
            } else {
                acc.pass(&h.file, pos, o.subject(), format!("minReplicas: {min_v} ({})", h.id()));
            }
            continue;
        }
        let (r, file, pos, found) = replicas(o, Some(prod));
        if r >= 2 {
            acc.pass(&file, pos, o.subject(), found);
        } else {
            acc.fail(
                "replicas-below-2",
                &file,
                pos,
                o.subject(),
                format!(
                    "{} runs {r} replica in production: every rollout, drain or crash is an outage",
                    o.subject()
                ),
                found,
            );
        }
    }
}

fn percent_or_int(s: &str) -> Option<(f64, bool)> {
    match s.trim().strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok().map(|v| (v, true)),
        None => s.trim().parse::<f64>().ok().map(|v| (v, false)),
    }
}

pub fn rolling_update(objs: &[Object], prod: &Production, acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.kind == "Deployment") {
        let Some(spec) = o.spec() else { continue };
        let strategy = entry(spec, "strategy");
        let ty = strategy.and_then(|(_, s)| entry(s, "type"));
        if let Some((k, v)) = ty
            && text(v) != Some("RollingUpdate")
        {
            acc.fail(
                "recreate-strategy",
                &o.file,
                Pos::of(k),
                o.subject(),
                "the Deployment is replaced all at once: every release is an outage",
                kv(k, v),
            );
            continue;
        }
        let ru = strategy.and_then(|(_, s)| get(s, "rollingUpdate"));
        let w = prod.for_object(o);
        let pick = |key: &str, overlay: Option<&(String, super::chart::At)>| -> (String, String, Pos, String) {
            if let Some((v, at)) = overlay {
                return (v.clone(), at.file.clone(), at.pos, format!("{}: {v}", at.key));
            }
            match ru.and_then(|r| entry(r, key)) {
                Some((k, v)) => (
                    text(v).unwrap_or_default().to_string(),
                    o.file.clone(),
                    Pos::of(k),
                    kv(k, v),
                ),
                None => (
                    "25%".into(),
                    o.file.clone(),
                    strategy
                        .or(entry(&o.root, "spec"))
                        .map(|(k, _)| Pos::of(k))
                        .unwrap_or(o.pos()),
                    format!("{key} not set (25%)"),
                ),
            }
        };
        let unavailable = pick("maxUnavailable", w.and_then(|w| w.max_unavailable.as_ref()));
        let surge = pick("maxSurge", w.and_then(|w| w.max_surge.as_ref()));
        let mut bad = false;
        if percent_or_int(&unavailable.0).is_none_or(|(v, _)| v != 0.0) {
            bad = true;
            acc.fail(
                "max-unavailable-not-0",
                &unavailable.1,
                unavailable.2,
                o.subject(),
                "maxUnavailable is not 0: serving pods go before their replacements are ready",
                unavailable.3.clone(),
            );
        }
        if percent_or_int(&surge.0).is_none_or(|(v, _)| v <= 0.0) {
            bad = true;
            acc.fail(
                "max-surge-0",
                &surge.1,
                surge.2,
                o.subject(),
                "maxSurge is 0: with maxUnavailable 0 the rollout cannot start a new pod",
                surge.3.clone(),
            );
        }
        if !bad {
            acc.pass(
                &unavailable.1,
                unavailable.2,
                o.subject(),
                format!("RollingUpdate, {}, {}", unavailable.3, surge.3),
            );
        }
    }
}

/// Does a label selector node (matchLabels and matchExpressions) select these labels? An
/// empty selector selects everything.
fn selector_matches(sel: Option<&Node>, labels: &[(String, String)]) -> bool {
    let Some(sel) = sel else { return true };
    let has = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    for (k, v) in parse::string_map(get(sel, "matchLabels")) {
        if has(&k) != Some(v.as_str()) {
            return false;
        }
    }
    for e in get(sel, "matchExpressions").map(items).unwrap_or_default() {
        let key = get_str(e, "key").unwrap_or_default();
        let values: Vec<&str> = get(e, "values")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(text)
            .collect();
        let ok = match get_str(e, "operator") {
            Some("In") => has(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => has(key).is_none_or(|v| !values.contains(&v)),
            Some("Exists") => has(key).is_some(),
            Some("DoesNotExist") => has(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

pub fn pdb_present_and_sane(objs: &[Object], prod: &Production, acc: &mut Acc) {
    let pdbs: Vec<&Object> = objs.iter().filter(|o| o.kind == "PodDisruptionBudget").collect();
    for o in objs
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
    {
        let Some(pod) = o.pod() else { continue };
        let labels = pod.labels();
        let (r, _, _, _) = replicas(o, Some(prod));
        if r < 2 {
            continue;
        }
        let chart_pdb = prod.for_object(o).and_then(|w| w.pdb.as_ref());
        let own: Vec<&&Object> = pdbs
            .iter()
            .filter(|p| {
                same_ns(&p.namespace, &o.namespace)
                    && p.spec()
                        .and_then(|s| get(s, "selector"))
                        .is_some_and(|s| selector_matches(Some(s), &labels))
            })
            .collect();
        if let Some(cp) = chart_pdb {
            let mut bad = false;
            if let Some((v, at)) = &cp.max_unavailable
                && percent_or_int(v).is_some_and(|(x, _)| x == 0.0)
            {
                bad = true;
                acc.fail(
                    "chart-pdb-no-eviction",
                    &at.file,
                    at.pos,
                    o.subject(),
                    "the chart's PodDisruptionBudget allows no eviction: node drains block",
                    format!("{}: {v}", at.key),
                );
            }
            if let Some((v, at)) = &cp.min_available
                && percent_or_int(v).is_some_and(|(x, pct)| if pct { x >= 100.0 } else { x >= r as f64 })
            {
                bad = true;
                acc.fail(
                    "chart-pdb-min-available-all",
                    &at.file,
                    at.pos,
                    o.subject(),
                    format!("minAvailable {v} with {r} replicas allows no eviction"),
                    format!("{}: {v}", at.key),
                );
            }
            match &cp.policy {
                Some((v, _)) if v == "AlwaysAllow" => {}
                Some((v, at)) => {
                    bad = true;
                    acc.fail(
                        "chart-pdb-unhealthy-policy",
                        &at.file,
                        at.pos,
                        o.subject(),
                        "unhealthyPodEvictionPolicy is not AlwaysAllow: pods that never became ready block drains",
                        format!("{}: {v}", at.key),
                    );
                }
                None => {
                    bad = true;
                    acc.fail(
                        "chart-pdb-unhealthy-policy-unset",
                        &cp.at.file,
                        cp.at.pos,
                        o.subject(),
                        "the chart's PodDisruptionBudget sets no unhealthyPodEvictionPolicy (AlwaysAllow)",
                        format!("{}: true", cp.at.key),
                    );
                }
            }
            if !bad {
                acc.pass(
                    &cp.at.file,
                    cp.at.pos,
                    o.subject(),
                    format!("{}: true, replicas {r}", cp.at.key),
                );
            }
            continue;
        }
        if own.is_empty() {
            let (_, file, pos, found) = replicas(o, Some(prod));
            acc.fail(
                "pdb-missing",
                &file,
                pos,
                o.subject(),
                format!(
                    "{} runs {r} replicas and no PodDisruptionBudget selects its pods",
                    o.subject()
                ),
                found,
            );
            continue;
        }
        for p in own {
            let Some(spec) = p.spec() else { continue };
            let mut bad = false;
            if let Some((k, v)) = entry(spec, "maxUnavailable")
                && percent_or_int(text(v).unwrap_or_default()).is_some_and(|(x, _)| x == 0.0)
            {
                bad = true;
                acc.fail(
                    "pdb-max-unavailable-0",
                    &p.file,
                    Pos::of(k),
                    p.subject(),
                    "maxUnavailable 0 allows no eviction: node drains block forever",
                    kv(k, v),
                );
            }
            if let Some((k, v)) = entry(spec, "minAvailable")
                && percent_or_int(text(v).unwrap_or_default())
                    .is_some_and(|(x, pct)| if pct { x >= 100.0 } else { x >= r as f64 })
            {
                bad = true;
                acc.fail(
                    "pdb-min-available-all",
                    &p.file,
                    Pos::of(k),
                    p.subject(),
                    format!(
                        "minAvailable {} with {r} replicas of {} allows no eviction",
                        show(v),
                        o.subject()
                    ),
                    kv(k, v),
                );
            }
            match entry(spec, "unhealthyPodEvictionPolicy") {
                Some((_, v)) if text(v) == Some("AlwaysAllow") => {}
                Some((k, v)) => {
                    bad = true;
                    acc.fail(
                        "pdb-unhealthy-policy",
                        &p.file,
                        Pos::of(k),
                        p.subject(),
                        "unhealthyPodEvictionPolicy is not AlwaysAllow: pods that never became ready block drains",
                        kv(k, v),
                    );
                }
                None => {
                    bad = true;
                    acc.fail(
                        "pdb-unhealthy-policy-unset",
                        &p.file,
                        p.pos(),
                        p.subject(),
                        "no unhealthyPodEvictionPolicy: AlwaysAllow lets drains evict pods that never became ready",
                        "unhealthyPodEvictionPolicy not set",
                    );
                }
            }
            if !bad {
                acc.pass(
                    &p.file,
                    p.pos(),
                    o.subject(),
                    format!("{} selects it ({r} replicas)", p.subject()),
                );
            }
        }
    }
}

/// The seconds a preStop hook waits: the sleep action, or `sleep N` in an exec command.
fn prestop_seconds(pre: &Node) -> Option<i64> {
    if let Some(s) = get(pre, "sleep") {
        return get(s, "seconds").and_then(as_int);
    }
    if let Some(cmd) = get(pre, "exec").and_then(|e| get(e, "command")) {
        let words: Vec<&str> = items(cmd)
            .iter()
            .filter_map(text)
            .flat_map(|w| w.split_whitespace())
            .collect();
        if let Some(i) = words.iter().position(|w| *w == "sleep") {
            return words
                .get(i + 1)
                .and_then(|n| n.trim_end_matches('s').parse::<f64>().ok())
                .map(|f| f.ceil() as i64);
        }
        return Some(0);
    }
    get(pre, "httpGet").map(|_| 0)
}

pub fn graceful_shutdown(objs: &[Object], acc: &mut Acc) {
    for c in serving(objs) {
        let pre = c.field("lifecycle").and_then(|(_, l)| entry(l, "preStop"));
        let grace = c.pod.field("terminationGracePeriodSeconds");
        let grace_v = grace.and_then(|(_, v)| as_int(v)).unwrap_or(30);
        match pre {
            None => acc.fail(
                "prestop-missing",
                c.file(),
                c.field("lifecycle").map(|(k, _)| Pos::of(k)).unwrap_or(c.pos()),
                c.object(),
                "no preStop hook: the pod gets SIGTERM while Services still send it requests",
                "no lifecycle.preStop",
            ),
            Some((pk, p)) => {
                let wait = prestop_seconds(p).unwrap_or(0);
                if grace_v <= wait {
                    let (pos, found) = match grace {
                        Some((k, v)) => (Pos::of(k), format!("{} (preStop {wait} s)", kv(k, v))),
                        None => (
                            Pos::of(pk),
                            format!("terminationGracePeriodSeconds 30 (default), preStop {wait} s"),
                        ),
                    };
                    acc.fail(
                        "grace-period-short",
                        c.file(),
                        pos,
                        c.object(),
                        format!("terminationGracePeriodSeconds {grace_v} does not exceed the preStop wait of {wait} s: the app gets no time to drain"),
                        found,
                    );
                } else {
                    acc.pass(
                        c.file(),
                        Pos::of(pk),
                        c.object(),
                        format!("preStop waits {wait} s, terminationGracePeriodSeconds {grace_v}"),
                    );
                }
            }
        }
    }
}

pub fn spread_replicas(objs: &[Object], prod: Option<&Production>, acc: &mut Acc) {
    for o in objs
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet"))
    {
        let Some(pod) = o.pod() else { continue };
        let (r, file, pos, found) = replicas(o, prod);
        if r < 2 {
            continue;
        }
        let tsc = pod
            .field("topologySpreadConstraints")
            .filter(|(_, v)| !items(v).is_empty());
        let anti = get(pod.spec, "affinity")
            .and_then(|a| get(a, "podAntiAffinity"))
            .is_some_and(|pa| {
                [
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    "preferredDuringSchedulingIgnoredDuringExecution",
                ]
                .iter()
                .any(|k| {
                    get(pa, k).map(items).unwrap_or_default().iter().any(|t| {
                        let term = get(t, "podAffinityTerm").unwrap_or(t);
                        get_str(term, "topologyKey") == Some("kubernetes.io/hostname")
                    })
                })
            });
        match (tsc, anti) {
            (Some((k, v)), _) => acc.pass(
                &o.file,
                Pos::of(k),
                o.subject(),
                format!("topologySpreadConstraints: {}", show(v)),
            ),
            (None, true) => acc.pass(
                &o.file,
                pod.spec_key,
                o.subject(),
                "podAntiAffinity on kubernetes.io/hostname".to_string(),
            ),
            (None, false) => acc.fail(
                "replicas-not-spread",
                &file,
                pos,
                o.subject(),
                format!(
                    "{r} replicas with no topologySpreadConstraints or podAntiAffinity: they may all land on one node"
                ),
                found,
            ),
        }
    }
}

pub fn no_secrets_in_configmap(objs: &[Object], acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.kind == "ConfigMap") {
        let mut bad = false;
        let mut count = 0;
        for section in ["data", "binaryData"] {
            for (k, v) in get(&o.root, section).map(parse::entries).unwrap_or_default() {
                count += 1;
                let key = text(k).unwrap_or_default();
                let value = text(v).unwrap_or_default();
                if secretish(key) {
                    bad = true;
                    acc.fail(
                        "secret-like-key",
                        &o.file,
                        Pos::of(k),
                        o.subject(),
                        format!("key `{key}` looks like a secret: ConfigMaps are readable in clear text"),
                        key.to_string(),
                    );
                } else if let Some(what) = credential_value(value) {
                    bad = true;
                    acc.fail(
                        "credential-value",
                        &o.file,
                        Pos::of(k),
                        o.subject(),
                        format!("the value of `{key}` holds {what}"),
                        key.to_string(),
                    );
                }
            }
        }
        if !bad {
            acc.pass(&o.file, o.pos(), o.subject(), format!("{count} keys, none secret-like"));
        }
    }
}

pub fn no_secret_env_literals(objs: &[Object], acc: &mut Acc) {
    for c in containers(objs) {
        let mut bad = false;
        let mut seen = Vec::new();
        for e in c.field("env").map(|(_, v)| items(v)).unwrap_or_default() {
            let name = get_str(e, "name").unwrap_or_default();
            let Some((vk, v)) = entry(e, "value") else {
                if get(e, "valueFrom").and_then(|f| get(f, "secretKeyRef")).is_some() {
                    seen.push(format!("{name} from secretKeyRef"));
                }
                continue;
            };
            let value = text(v).unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            if secretish(name) {
                bad = true;
                acc.fail(
                    "secret-env-literal",
                    c.file(),
                    Pos::of(vk),
                    c.object(),
                    format!("`{name}` is a secret written as a literal value: read it from a Secret (secretKeyRef or a mounted file)"),
                    format!("{name}: {}", if value.len() > 4 { format!("{}…", &value[..value.char_indices().nth(4).map(|(i, _)| i).unwrap_or(0)]) } else { "…".into() }),
                );
            } else if let Some(what) = credential_value(value) {
                bad = true;
                acc.fail(
                    "credential-env-value",
                    c.file(),
                    Pos::of(vk),
                    c.object(),
                    format!("`{name}` holds {what} as a literal value"),
                    name.to_string(),
                );
            } else if name.ends_with("_FILE") {
                seen.push(format!("{name} names a file"));
            }
        }
        if !bad {
            let found = if seen.is_empty() {
                "no secret-like literal".to_string()
            } else {
                seen.join(", ")
            };
            acc.pass(c.file(), c.pos(), c.object(), found);
        }
    }
}

const NAME: &str = "app.kubernetes.io/name";
const INSTANCE: &str = "app.kubernetes.io/instance";

/// Labels, where they are written, and what they are the labels of.
type LabelSet = (Vec<(String, String)>, Pos, &'static str);

fn mutable_label(k: &str) -> bool {
    let l = k.to_ascii_lowercase();
    l == "app.kubernetes.io/version"
        || l == "helm.sh/chart"
        || l == "pod-template-hash"
        || l.contains("version")
        || l.contains("revision")
        || l.ends_with("/chart")
}

/// The label maps of an object that carry the recommended labels: its own, and its pod
/// template's when it has one, each with where it is written.
fn label_sets(o: &Object) -> Vec<LabelSet> {
    let meta = entry(&o.root, "metadata");
    let meta_pos = meta
        .and_then(|(_, m)| entry(m, "labels"))
        .or(meta)
        .map(|(k, _)| Pos::of(k))
        .unwrap_or(o.pos());
    let mut sets: Vec<LabelSet> = vec![(o.labels(), meta_pos, "metadata.labels")];
    if o.kind != "Pod"
        && let Some(p) = o.pod()
    {
        sets.push((p.labels(), p.labels_key, "pod template labels"));
    }
    sets
}

pub fn recommended_labels(objs: &[Object], acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.is_workload() || o.kind == "Service") {
        let mut bad = false;
        let sets = label_sets(o);
        for (labels, pos, what) in &sets {
            let missing: Vec<&str> = [NAME, INSTANCE]
                .into_iter()
                .filter(|l| !labels.iter().any(|(k, _)| k == l))
                .collect();
            if !missing.is_empty() {
                bad = true;
                acc.fail(
                    "labels-missing",
                    &o.file,
                    *pos,
                    o.subject(),
                    format!("{what} lack {}", missing.join(" and ")),
                    format!("missing {}", missing.join(", ")),
                );
            }
        }
        if let Some((sel, spos)) = o.selector() {
            let unstable: Vec<&str> = sel
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| mutable_label(k))
                .collect();
            if !unstable.is_empty() {
                bad = true;
                acc.fail(
                    "selector-unstable-labels",
                    &o.file,
                    spos,
                    o.subject(),
                    format!("the selector uses {}, which changes between releases: selectors must use name and instance only", unstable.join(", ")),
                    format!("selector: {}", sel.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")),
                );
            }
        }
        if !bad {
            let labels = &sets[0].0;
            let v = |k: &str| {
                labels
                    .iter()
                    .find(|(lk, _)| lk == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            acc.pass(
                &o.file,
                sets[0].1,
                o.subject(),
                format!(
                    "{NAME}={}, {INSTANCE}={} ({} labels)",
                    v(NAME),
                    v(INSTANCE),
                    labels.len()
                ),
            );
        }
    }
}

const MORE_LABELS: [&str; 4] = [
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
];

pub fn recommended_labels_complete(objs: &[Object], acc: &mut Acc) {
    for o in objs.iter().filter(|o| o.is_workload() || o.kind == "Service") {
        let sets = label_sets(o);
        let mut bad = false;
        for (labels, pos, what) in &sets {
            let missing: Vec<&str> = MORE_LABELS
                .into_iter()
                .filter(|l| !labels.iter().any(|(k, _)| k == l))
                .collect();
            if !missing.is_empty() {
                bad = true;
                acc.fail(
                    "labels-missing",
                    &o.file,
                    *pos,
                    o.subject(),
                    format!("{what} lack {}", missing.join(", ")),
                    format!("missing {}", missing.join(", ")),
                );
            }
        }
        if !bad {
            let labels = &sets[0].0;
            let shown: Vec<String> = MORE_LABELS
                .iter()
                .filter_map(|l| labels.iter().find(|(k, _)| k == l).map(|(k, v)| format!("{k}={v}")))
                .collect();
            acc.pass(&o.file, sets[0].1, o.subject(), shown.join(", "));
        }
    }
}

pub fn selector_matches_template(objs: &[Object], acc: &mut Acc) {
    // The labels of every pod template, whether or not the template has a usable pod spec.
    let pod_labels: Vec<(&Object, Vec<(String, String)>)> = objs
        .iter()
        .filter_map(|o| o.template_labels().map(|l| (o, l)))
        .collect();
    for o in objs.iter().filter(|o| {
        matches!(
            o.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "DeploymentConfig"
        )
    }) {
        let Some(pod) = o.pod() else { continue };
        let labels = pod.labels();
        match (o.selector(), o.spec().and_then(|s| get(s, "selector"))) {
            (Some((sel, pos)), Some(node)) => {
                let ok = if matches!(o.kind.as_str(), "ReplicationController" | "DeploymentConfig") {
                    parse::selects(&sel, &labels)
                } else {
                    selector_matches(Some(node), &labels) && !sel.is_empty()
                };
                if ok {
                    acc.pass(
                        &o.file,
                        pos,
                        o.subject(),
                        format!(
                            "selector {} matches the pod template",
                            sel.iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                } else {
                    acc.fail(
                        "selector-mismatch",
                        &o.file,
                        pos,
                        o.subject(),
                        "the selector does not match the pod template's labels: the API server rejects it",
                        format!("selector: {}", show(node)),
                    );
                }
            }
            _ => acc.fail(
                "selector-missing",
                &o.file,
                o.pos(),
                o.subject(),
                "the workload has no selector",
                "no spec.selector",
            ),
        }
    }
    let mut services: Vec<(&Object, Vec<(String, String)>)> = Vec::new();
    for o in objs.iter().filter(|o| o.kind == "Service") {
        let Some((sel, pos)) = o.selector() else { continue };
        if sel.is_empty() {
            continue;
        }
        let targets: Vec<&Object> = pod_labels
            .iter()
            .filter(|(p, l)| same_ns(&p.namespace, &o.namespace) && parse::selects(&sel, l))
            .map(|(p, _)| *p)
            .collect();
        let shown = sel
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        if targets.is_empty() {
            acc.fail(
                "service-selects-nothing",
                &o.file,
                pos,
                o.subject(),
                "the Service selects no pod of these manifests: it has no endpoints",
                format!("selector: {shown}"),
            );
        } else if let Some((dup, _)) = services
            .iter()
            .find(|(d, s)| same_ns(&d.namespace, &o.namespace) && *s == sel && !headless(d) && !headless(o))
        {
            acc.fail(
                "service-selector-duplicate",
                &o.file,
                pos,
                o.subject(),
                format!("{} has the same selector: two Services for one set of pods", dup.id()),
                format!("selector: {shown}"),
            );
        } else {
            acc.pass(
                &o.file,
                pos,
                o.subject(),
                format!(
                    "selects {}",
                    targets.iter().map(|t| t.id()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        services.push((o, sel));
    }
    for o in objs.iter().filter(|o| o.kind == "PodDisruptionBudget") {
        let Some((sk, sel)) = o.spec().and_then(|s| entry(s, "selector")) else {
            continue;
        };
        let hit = pod_labels
            .iter()
            .any(|(p, l)| same_ns(&p.namespace, &o.namespace) && selector_matches(Some(sel), l));
        if hit {
            acc.pass(
                &o.file,
                Pos::of(sk),
                o.subject(),
                format!("selector {} selects a pod", show(sel)),
            );
        } else {
            acc.fail(
                "pdb-selects-nothing",
                &o.file,
                Pos::of(sk),
                o.subject(),
                "the PodDisruptionBudget selects no pod of these manifests",
                format!("selector: {}", show(sel)),
            );
        }
    }
}

fn headless(o: &Object) -> bool {
    o.spec().and_then(|s| get_str(s, "clusterIP")) == Some("None")
}

pub fn network_policy_coverage(objs: &[Object], acc: &mut Acc) {
    let policies: Vec<&Object> = objs.iter().filter(|o| o.kind == "NetworkPolicy").collect();
    for p in pods(objs).filter(|p| p.long_running) {
        let o = p.obj;
        let labels = p.labels();
        let covering: Vec<&&Object> = policies
            .iter()
            .filter(|np| {
                same_ns(&np.namespace, &o.namespace)
                    && np.spec().is_some_and(|s| {
                        get(s, "podSelector").is_some() && selector_matches(get(s, "podSelector"), &labels)
                    })
            })
            .collect();
        if covering.is_empty() {
            acc.fail(
                "no-network-policy",
                &o.file,
                o.pos(),
                o.subject(),
                "no NetworkPolicy selects these pods: they accept traffic from anywhere in the cluster",
                "no NetworkPolicy",
            );
        } else {
            let names: Vec<String> = covering.iter().map(|n| n.name.clone()).collect();
            acc.pass(
                &o.file,
                o.pos(),
                o.subject(),
                format!("selected by NetworkPolicy {}", names.join(", ")),
            );
        }
    }
}
