//! One port per component: the Dockerfile's `EXPOSE` and `CMD`, the Deployment's
//! `containerPort` and probes, the Service, and the contracts all say the same number, in the
//! committed output of every example and every test workspace (which other tests keep equal
//! to what the binary generates).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::{read_tree, repo_root};

/// Every committed feature output: `out/<feature>/` of the repository and of each workspace.
fn feature_outputs() -> Vec<PathBuf> {
    let mut roots = vec![repo_root().join("out")];
    if let Ok(entries) = std::fs::read_dir(repo_root().join("tests/workspaces")) {
        let mut ws: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path().join("out")).collect();
        ws.sort();
        roots.extend(ws);
    }
    let mut out = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut features: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("k8s").is_dir())
            .collect();
        features.sort();
        out.extend(features);
    }
    out
}

fn yaml(text: &str) -> Value {
    sp::yaml::from_str(text).expect("generated YAML parses")
}

/// The port a command line listens on: `--port N`, `-p N`, `--bind host:N`.
fn command_port(argv: &[String]) -> Option<u16> {
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" | "-p" => return it.next().and_then(|p| p.parse().ok()),
            "--bind" | "-b" => return it.next().and_then(|p| p.rsplit(':').next()?.parse().ok()),
            _ => {}
        }
    }
    None
}

/// A probe's port: a number, or the container port it names.
fn probe_port(probe: &Value, named: &BTreeMap<String, u16>) -> Option<u16> {
    let p = probe.get("httpGet").or_else(|| probe.get("tcpSocket"))?.get("port")?;
    match p {
        Value::Number(n) => n.as_u64().map(|n| n as u16),
        Value::String(s) => named.get(s).copied(),
        _ => None,
    }
}

#[test]
fn every_component_has_one_port_everywhere() {
    let features = feature_outputs();
    assert!(
        features.len() >= 4,
        "expected the examples and the workspaces, found {features:?}"
    );
    let mut checked = 0;
    for feature in features {
        let tree = read_tree(&feature);
        let text = |p: &str| String::from_utf8(tree[p].clone()).unwrap();
        let images = yaml(&text("contracts/docker-images.yaml"));
        let resources = yaml(&text("contracts/k8s-resources.yaml"));
        for image in images["images"].as_array().unwrap() {
            let name = image["component"].as_str().unwrap();
            let at = format!("{}: {name}", feature.display());
            let Some(port) = image.get("port").and_then(Value::as_u64).map(|p| p as u16) else {
                continue;
            };
            // Dockerfile: EXPOSE and, when the command names one, the command's port.
            let dockerfile = text(&format!("docker/{name}.Dockerfile"));
            let exposes: Vec<&str> = dockerfile.lines().filter(|l| l.starts_with("EXPOSE ")).collect();
            assert_eq!(exposes, vec![format!("EXPOSE {port}").as_str()], "{at}");
            let cmd = dockerfile.lines().rfind(|l| l.starts_with("CMD ")).expect("a CMD");
            let argv: Vec<String> = serde_json::from_str(&cmd[4..]).expect("CMD in JSON form");
            if let Some(p) = command_port(&argv) {
                assert_eq!(p, port, "{at}: CMD {argv:?}");
            }
            // Deployment: containerPort, and every probe.
            let (_, deployment) = tree
                .iter()
                .find(|(p, _)| p.starts_with("k8s/") && p.ends_with(&format!("-{name}-deployment.yaml")))
                .unwrap_or_else(|| panic!("{at}: a Deployment"));
            let d = yaml(std::str::from_utf8(deployment).unwrap());
            let container = &d["spec"]["template"]["spec"]["containers"][0];
            let mut named = BTreeMap::new();
            for p in container["ports"].as_array().unwrap() {
                let n = p["containerPort"].as_u64().unwrap() as u16;
                assert_eq!(n, port, "{at}: containerPort");
                named.insert(p["name"].as_str().unwrap().to_string(), n);
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if container[probe].get("exec").is_none() {
                    assert_eq!(probe_port(&container[probe], &named), Some(port), "{at}: {probe}");
                }
            }
            // Service: the target is the container's port.
            let (_, service) = tree
                .iter()
                .find(|(p, _)| p.starts_with("k8s/") && p.ends_with(&format!("-{name}-service.yaml")))
                .unwrap_or_else(|| panic!("{at}: a Service"));
            let s = yaml(std::str::from_utf8(service).unwrap());
            let sp = &s["spec"]["ports"][0];
            let target = match &sp["targetPort"] {
                Value::String(n) => named.get(n).copied(),
                v => v.as_u64().map(|v| v as u16),
            };
            assert_eq!(target, Some(port), "{at}: Service targetPort");
            // The resources contract names the same port for the Service.
            let svc = resources["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["kind"] == "Service" && r["name"] == name)
                .unwrap_or_else(|| panic!("{at}: Service in k8s-resources.yaml"));
            assert_eq!(svc["fields"]["port"].as_str(), Some(port.to_string().as_str()), "{at}");
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} components checked");
}
