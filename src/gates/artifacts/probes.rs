//! Probes: readiness, liveness and startup probes, and the ports they call.

use crate::gates::artifacts::parse::{self, Pos, as_int, entry, get, get_str, image_ref, items, show, text};
use crate::gates::artifacts::pods::{containers, kv, serving};
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn readiness_probe(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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

pub(crate) fn liveness_probe(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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

pub(crate) fn probes_distinct(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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

pub(crate) const SLOW_IMAGES: &[&str] = &[
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

pub(crate) fn startup_probe_slow_start(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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

pub(crate) fn probe_ports_exposed(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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
