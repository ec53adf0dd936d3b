//! Resources: CPU and memory requests, and the memory and CPU limits.

use crate::gates::artifacts::parse::{self, Object, Pos, entry, get, show, text};
use crate::gates::artifacts::pods::{kv, resourced};
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn resources_requests(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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

/// resources-memory-limit: every container sets a memory limit.
pub(crate) fn resources_memory_limit(input: &Input, acc: &mut Acc) {
    limit(input.objects, acc, "memory");
}

/// resources-cpu-limit: every container sets a CPU limit.
pub(crate) fn resources_cpu_limit(input: &Input, acc: &mut Acc) {
    limit(input.objects, acc, "cpu");
}

fn limit(objs: &[Object], acc: &mut Acc, resource: &str) {
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
