//! The typed deployment input: a fenced ```yaml block in `plan-input.md` and `--set`.
//!
//! Every field is optional: the block only states what the prose does not, and what it
//! states wins over the prose. Unknown keys are refused, so a typo is an error with its line
//! rather than a silently ignored setting. The JSON Schema published for editors is
//! generated from these types (`sp schema`), so it cannot drift from what is read.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::deploy::{PlatformKind, Role, ServiceKind, ServiceMode, ServiceType};

/// The deployment input of one feature.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeployInput {
    /// Whether the feature builds and deploys anything. `true`: Dockerfiles, manifests, the
    /// chart and the deployment sections of the documents; `false`: the planning documents
    /// only. Without it, `sp` decides from the spec, the plan input and the constitution
    /// (a word about Docker, containers, Kubernetes, Helm…), and plan.md says which decided.
    pub deploy: Option<bool>,
    /// Application name: image prefix, `app.kubernetes.io/part-of`, chart name (DNS-1123).
    pub app: Option<String>,
    /// Namespace of every resource.
    pub namespace: Option<String>,
    pub platform: Option<PlatformInput>,
    /// Components by name (DNS-1123 label), e.g. `frontend`, `api`.
    #[serde(default)]
    pub components: BTreeMap<String, ComponentInput>,
    /// Backing services by name, e.g. `postgres`, `redis`.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceInput>,
    pub rollout: Option<RolloutInput>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlatformInput {
    pub kind: Option<PlatformKind>,
    /// Kubernetes minor version, e.g. `"1.33"`.
    pub kubernetes_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComponentInput {
    pub role: Option<Role>,
    /// A stack id of the catalog (`nextjs-standalone`, `fastapi`, `go-http`…).
    pub stack: Option<String>,
    /// Folder of the source, relative to the workspace root.
    pub source_dir: Option<String>,
    /// Language version, e.g. `"3.13"` or `"24"`.
    pub language_version: Option<String>,
    pub package_manager: Option<String>,
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// The command that starts the process, JSON form (`["uvicorn", "main:app"]`); wins over
    /// what the source says. Its `--port`/`-p`/`--bind` is set to the component's port.
    pub command: Option<Vec<String>>,
    pub health: Option<HealthInput>,
    pub replicas: Option<u32>,
    /// Image size budget in megabytes.
    pub size_budget_mb: Option<u32>,
    /// Numeric user and group the container runs as. The secure default is 10001; anything
    /// below 10000 (0 is root) is checked against the constitution's gates.
    pub uid: Option<u32>,
    pub image: Option<String>,
    pub tag: Option<String>,
    pub pull_policy: Option<PullPolicy>,
    pub exposure: Option<ServiceType>,
    /// The port every node opens when the exposure is NodePort (30000–32767, the cluster's
    /// default node port range), for a fixed address such as `http://<minikube ip>:30080`.
    #[schemars(range(min = 30000, max = 32767))]
    pub node_port: Option<u16>,
    /// Host name of an Ingress in front of the component.
    pub host: Option<String>,
    pub resources: Option<ResourcesInput>,
    /// Non-secret configuration: name → value.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// Names of secret environment variables the component reads.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Components and services this one calls.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HealthInput {
    pub liveness: Option<String>,
    pub readiness: Option<String>,
    pub startup: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesInput {
    pub cpu_request: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_request: Option<String>,
    pub memory_limit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceInput {
    pub kind: Option<ServiceKind>,
    pub mode: Option<ServiceMode>,
    pub version: Option<String>,
    /// PersistentVolumeClaim size of an in-cluster service, e.g. `1Gi`.
    pub storage: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RolloutInput {
    pub zero_downtime: Option<bool>,
    pub max_surge: Option<String>,
    pub max_unavailable: Option<String>,
    pub production_replicas: Option<u32>,
    pub termination_grace_seconds: Option<u32>,
    pub pre_stop_sleep_seconds: Option<u32>,
}

/// The JSON Schema of [`DeployInput`], pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(DeployInput);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}

/// The keys the deployment block may have at its top (`components`, `platform`, …), from
/// the schema, so they cannot drift from what is read.
pub fn top_level_keys() -> Vec<String> {
    let schema = serde_json::to_value(schemars::schema_for!(DeployInput)).unwrap_or_default();
    schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Turn `--set` assignments (`components.api.port=8080`) into a JSON object, so they are
/// read by the same types as the YAML block. Values that parse as JSON numbers or booleans
/// are typed; everything else is a string.
pub fn set_to_json(assignments: &[String]) -> Result<serde_json::Value, String> {
    let mut root = serde_json::Value::Object(Default::default());
    let mut seen = std::collections::BTreeSet::new();
    for a in assignments {
        let (path, raw) = a.split_once('=').ok_or_else(|| format!("`{a}` is not KEY=VALUE"))?;
        if !seen.insert(path) {
            return Err(format!("`{path}` is set twice; give each key once"));
        }
        let value = match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v,
            _ => serde_json::Value::String(raw.to_string()),
        };
        let keys: Vec<&str> = path.split('.').collect();
        if keys.iter().any(|k| k.is_empty()) {
            return Err(format!("`{path}` has an empty key"));
        }
        // Build the nested object for this one assignment, then merge it in.
        let mut nested = value;
        for k in keys.iter().rev() {
            let mut obj = serde_json::Map::new();
            obj.insert(k.to_string(), nested);
            nested = serde_json::Value::Object(obj);
        }
        merge(&mut root, nested);
    }
    Ok(root)
}

/// Merge `over` into `base`, maps key by key, anything else replaced.
pub fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_paths_become_typed_json() {
        let v = set_to_json(&[
            "components.api.port=8080".into(),
            "namespace=todo".into(),
            "rollout.zeroDowntime=true".into(),
        ])
        .unwrap();
        let input: DeployInput = serde_json::from_value(v).unwrap();
        assert_eq!(input.components["api"].port, Some(8080));
        assert_eq!(input.namespace.as_deref(), Some("todo"));
        assert_eq!(input.rollout.unwrap().zero_downtime, Some(true));
        assert!(set_to_json(&["nope".into()]).is_err());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = crate::yaml::from_str::<DeployInput>("components:\n  api:\n    prot: 8080\n").unwrap_err();
        assert!(e.message.contains("prot"), "{e}");
        assert_eq!(e.line, Some(3));
    }

    /// The schema published in the repository is the one the binary prints.
    #[test]
    fn published_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/deploy-input.schema.json");
        let published = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            published == schema_json(),
            "schemas/deploy-input.schema.json is stale: run `cargo run -- schema > schemas/deploy-input.schema.json`"
        );
    }

    #[test]
    fn schema_has_enums_and_ranges() {
        let s = schema_json();
        assert!(
            s.contains("\"LoadBalancer\"") && s.contains("\"IfNotPresent\"") && s.contains("65535"),
            "{s}"
        );
        assert!(s.contains("\"additionalProperties\": false"));
    }
}
