//! Pods and containers of the Kubernetes objects, as the checks walk them.

use crate::gates::artifacts::parse::{Container, Level, Object, Pod, show};
use crate::yaml::Node;

pub(crate) fn pods(objs: &[Object]) -> impl Iterator<Item = Pod<'_>> {
    objs.iter().filter_map(Object::pod)
}

pub(crate) fn containers(objs: &[Object]) -> Vec<Container<'_>> {
    pods(objs).flat_map(|p| p.containers()).collect()
}

/// Main containers of servers: what probes, preStop hooks and spreading are about.
pub(crate) fn serving(objs: &[Object]) -> Vec<Container<'_>> {
    containers(objs)
        .into_iter()
        .filter(|c| !c.init && !c.ephemeral && c.pod.long_running)
        .collect()
}

/// Containers that may declare resources: every one but ephemeral (debug) containers.
pub(crate) fn resourced(objs: &[Object]) -> Vec<Container<'_>> {
    containers(objs).into_iter().filter(|c| !c.ephemeral).collect()
}

pub(crate) fn level(l: Level) -> &'static str {
    match l {
        Level::Pod => "pod securityContext",
        Level::Container => "container securityContext",
    }
}

pub(crate) fn kv(k: &Node, v: &Node) -> String {
    format!("{}: {}", show(k), show(v))
}

pub(crate) fn same_ns(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}
