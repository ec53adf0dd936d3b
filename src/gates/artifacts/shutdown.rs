//! Shutdown: the grace period and the preStop hook that let a pod drain its connections.

use crate::gates::artifacts::parse::{Pos, as_int, entry, get, items, text};
use crate::gates::artifacts::pods::{kv, serving};
use crate::gates::artifacts::{Acc, Input};
use crate::yaml::Node;

/// The seconds a preStop hook waits: the sleep action, or `sleep N` in an exec command.
pub(crate) fn prestop_seconds(pre: &Node) -> Option<i64> {
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

pub(crate) fn graceful_shutdown(input: &Input, acc: &mut Acc) {
    let objs = input.objects;
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
