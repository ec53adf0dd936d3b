//! The values type and its layers, the comments, the schema (checked as JSON here, and by
//! the real `helm lint` when it is installed), and the chart rendered by the real `helm
//! template` against the raw manifests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::*;
use crate::model::Origin;
use crate::model::deploy::{SecretDelivery, SecretRef, ServiceMode, ServiceType, Valued, fixture};

fn v<T>(value: T) -> Valued<T> {
    Valued::new(value, Origin::derived("test"))
}

/// The fixture with the other branches taken: a LoadBalancer with two replicas, an Ingress
/// host with three replicas, a pull policy of Never, and an in-cluster PostgreSQL.
fn variant() -> Deployment {
    let mut d = fixture::deployment();
    let web = d.components.iter_mut().find(|c| c.name == "web").unwrap();
    web.exposure.service_type = v(ServiceType::LoadBalancer);
    web.replicas = v(2);
    web.image.pull_policy = v("Never".into());
    let api = d.components.iter_mut().find(|c| c.name == "api").unwrap();
    api.exposure.ingress_host = Some(v("todo.example.com".into()));
    api.replicas = v(3);
    let password = SecretRef {
        optional: false,
        env: "POSTGRES_PASSWORD".into(),
        secret: "todo-postgres".into(),
        key: "postgres-password".into(),
        delivery: SecretDelivery::Env,
        origin: Origin::derived("test"),
    };
    api.secrets.retain(|s| s.env != "DATABASE_URL");
    api.secrets.insert(0, password.clone());
    let pg = d.backing_services.iter_mut().find(|s| s.name == "postgres").unwrap();
    pg.mode = v(ServiceMode::InCluster);
    pg.image = Some(v("postgres:17.6-alpine3.22".into()));
    pg.storage = Some(v("2Gi".into()));
    // The official image reads the password from the file `POSTGRES_PASSWORD_FILE` names.
    pg.secret = SecretRef {
        optional: false,
        delivery: SecretDelivery::File,
        ..password
    };
    d
}

fn all() -> Vec<(&'static str, Deployment)> {
    vec![("fixture", fixture::deployment()), ("variant", variant())]
}

const OUT: &str = "out/001-x";

fn files(d: &Deployment) -> BTreeMap<String, String> {
    chart(d, "A title: with \"quotes\"", OUT, &values_files(d))
        .into_iter()
        .collect()
}

fn file<'a>(files: &'a BTreeMap<String, String>, d: &Deployment, name: &str) -> &'a str {
    files
        .get(&format!("{}/{name}", chart_dir(d)))
        .unwrap_or_else(|| panic!("{name} generated"))
}

#[test]
fn snapshot_fixture_values() {
    let d = fixture::deployment();
    let f = files(&d);
    for name in [
        "Chart.yaml",
        "values.yaml",
        "values-local.yaml",
        "values-production.yaml",
    ] {
        insta::assert_snapshot!(format!("fixture-{name}"), file(&f, &d, name));
    }
}

#[test]
fn chart_has_every_file_and_is_deterministic() {
    for (name, d) in all() {
        let f = files(&d);
        let dir = chart_dir(&d);
        for p in [
            "Chart.yaml",
            ".helmignore",
            "values.yaml",
            "values-local.yaml",
            "values-production.yaml",
            "values.schema.json",
            "templates/_helpers.tpl",
            "templates/NOTES.txt",
            "templates/deployment.yaml",
            "templates/service.yaml",
            "templates/configmap.yaml",
            "templates/serviceaccount.yaml",
            "templates/networkpolicy.yaml",
            "templates/ingress.yaml",
            "templates/pdb.yaml",
            "templates/statefulset.yaml",
            "templates/tests/test-connection.yaml",
        ] {
            assert!(f.contains_key(&format!("{dir}/{p}")), "{name}: {p}");
        }
        assert_eq!(f, files(&d), "{name}: same bytes on every run");
        let paths: Vec<_> = chart(&d, "t", OUT, &values_files(&d))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "{name}: in path order");
        assert_eq!(
            chart_paths(&d, &values_files(&d)),
            paths,
            "{name}: the contract lists what is written"
        );
    }
}

#[test]
fn chart_yaml_follows_the_conventions() {
    let d = fixture::deployment();
    let f = files(&d);
    let chart: Node = crate::yaml::from_str(file(&f, &d, "Chart.yaml")).unwrap();
    let s = |k: &str| match chart.get(k) {
        Some(Node::Str(s)) => s.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(s("apiVersion"), "v2");
    assert_eq!(s("name"), "todo");
    assert_eq!(s("version"), "0.1.0");
    assert_eq!(s("appVersion"), "0.1.0");
    assert_eq!(s("kubeVersion"), ">=1.33.0-0");
    assert_eq!(s("description"), "A title: with \"quotes\"");
    assert!(
        file(&f, &d, "Chart.yaml").contains("appVersion: \"0.1.0\""),
        "appVersion is quoted"
    );
}

#[test]
fn templates_are_static_and_helpers_are_namespaced() {
    let a = files(&fixture::deployment());
    let mut other = fixture::deployment();
    other.app = v("other-app".into());
    let b = files(&other);
    for (path, _) in STATIC_FILES {
        assert_eq!(
            a[&format!("helm/todo/{path}")],
            b[&format!("helm/other-app/{path}")],
            "{path} is the same for every chart"
        );
        assert!(!a[&format!("helm/todo/{path}")].contains(CHART_PLACEHOLDER), "{path}");
    }
    let helpers = &b["helm/other-app/templates/_helpers.tpl"];
    assert!(!helpers.contains(CHART_PLACEHOLDER));
    let defines: Vec<&str> = helpers
        .match_indices("define \"")
        .map(|(i, _)| helpers[i + 8..].split('"').next().unwrap())
        .collect();
    for name in ["name", "fullname", "labels", "selectorLabels", "serviceAccountName"] {
        assert!(
            defines.contains(&format!("other-app.{name}").as_str()),
            "{name}: {defines:?}"
        );
    }
    assert!(defines.iter().all(|d| d.starts_with("other-app.")), "{defines:?}");
    // Every `include` of the static templates goes through the chart's name.
    for (path, text) in STATIC_FILES {
        for (i, _) in text.match_indices("include ") {
            let rest = &text[i + 8..];
            assert!(
                rest.starts_with("(printf \"%s."),
                "{path}: {}",
                &rest[..40.min(rest.len())]
            );
        }
    }
}

#[test]
fn layers_merge_into_what_each_environment_deploys() {
    for (name, d) in all() {
        let fs = values_files(&d);
        let defaults = &fs[0].full;
        assert_eq!(&fs[0].content, defaults);
        for f in &fs[1..] {
            assert_eq!(&defaults.merged(&f.content), &f.full, "{name}/{}", f.name);
        }
    }
}

#[test]
fn local_values_are_the_model_production_values_are_production() {
    let d = variant();
    let local = values::values(&d, Layer::Local);
    let prod = values::values(&d, Layer::Production);
    let defaults = values::values(&d, Layer::Defaults);
    for c in &d.components {
        let (l, p, b) = (
            &local.components[&c.name],
            &prod.components[&c.name],
            &defaults.components[&c.name],
        );
        assert_eq!(l.replicas, c.replicas.value, "{}", c.name);
        assert!(p.replicas >= 2 && p.replicas >= c.replicas.value, "{}", c.name);
        assert_eq!(b.replicas, 1);
        assert_eq!(
            format!("{:?}", l.image.pull_policy),
            c.image.pull_policy.value,
            "{}",
            c.name
        );
        assert_eq!(p.image.pull_policy, values::PullPolicy::IfNotPresent);
        assert_eq!(l.service.type_, c.exposure.service_type.value, "{}", c.name);
        assert_eq!(b.service.type_, ServiceType::ClusterIP);
        assert_eq!(l.ingress.enabled, c.exposure.ingress_host.is_some());
        assert!(!b.ingress.enabled);
        assert_eq!(l.secrets, p.secrets, "production names the same Secrets");
    }
    // The LoadBalancer stays one, the Ingress host gets its Ingress, the rest stays inside.
    assert_eq!(prod.components["web"].service.type_, ServiceType::LoadBalancer);
    assert!(prod.components["api"].ingress.enabled);
    assert_eq!(prod.components["api"].service.type_, ServiceType::ClusterIP);
    assert_eq!(prod.components["worker"].service.type_, ServiceType::ClusterIP);
    // A NodePort becomes a LoadBalancer in production.
    let f = values::values(&fixture::deployment(), Layer::Production);
    assert_eq!(f.components["web"].service.type_, ServiceType::LoadBalancer);
    assert!(prod.pod_disruption_budget.enabled);
}

#[test]
fn values_yaml_reads_back_into_the_type() {
    for (name, d) in all() {
        let f = files(&d);
        let text = file(&f, &d, "values.yaml");
        let back: Values = crate::yaml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, values::values(&d, Layer::Defaults), "{name}");
        for vf in values_files(&d) {
            let node: Node = crate::yaml::from_str(file(&f, &d, vf.name)).unwrap();
            assert_eq!(node, vf.content, "{name}/{}: the text is the tree", vf.name);
        }
    }
}

#[test]
fn every_key_is_documented_by_a_comment_beginning_with_its_name() {
    let schema = schema::schema();
    for (name, d) in all() {
        let docs = entry_docs(&d);
        for f in values_files(&d) {
            let e = values_text(&d, &f, OUT, schema, &docs);
            assert!(e.undocumented.is_empty(), "{name}/{}: {:?}", f.name, e.undocumented);
            let lines: Vec<&str> = e.text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || trimmed.starts_with('-') || trimmed.is_empty() {
                    continue;
                }
                let Some((key, _)) = trimmed.split_once(':') else {
                    continue;
                };
                let key = key.trim_matches('"');
                // The first line of the comment block right above the key.
                let mut start = i;
                while start > 0 && lines[start - 1].trim_start().starts_with('#') {
                    start -= 1;
                }
                assert!(start < i, "{name}/{}: `{key}` has no comment", f.name);
                let first = lines[start].trim_start().trim_start_matches("# ");
                assert!(
                    first.starts_with(key),
                    "{name}/{}: the comment of `{key}` begins `{first}`",
                    f.name
                );
            }
        }
    }
}

#[test]
fn values_files_hold_no_secret_values() {
    let looks_secret = |k: &str| {
        let k = k.to_lowercase();
        ["password", "token", "secret", "apikey", "api_key", "database_url"]
            .iter()
            .any(|w| k.contains(w))
    };
    for (name, d) in all() {
        for vf in values_files(&d) {
            for (path, leaf) in vf.full.leaves() {
                let at = format!("{name}/{}: {}", vf.name, path.join("."));
                match path.iter().position(|p| p == "secrets") {
                    // Under `secrets`: only where the value is, never the value.
                    Some(i) if path.len() == i + 1 => assert_eq!(leaf, &Node::Map(Vec::new()), "{at}"),
                    Some(i) => {
                        assert_eq!(path.len(), i + 3, "{at}");
                        assert!(["secretName", "key", "asFile"].contains(&path[i + 2].as_str()), "{at}");
                    }
                    None => {
                        let last = path.last().unwrap();
                        let named_secret = looks_secret(last) && !last.ends_with("_FILE");
                        assert!(!named_secret, "{at} = {leaf:?}");
                    }
                }
            }
        }
        let vals = values::values(&d, Layer::Local);
        for c in &d.components {
            let refs: BTreeSet<(String, String, String)> = c
                .secrets
                .iter()
                .map(|s| (s.env.clone(), s.secret.clone(), s.key.clone()))
                .collect();
            let got: BTreeSet<(String, String, String)> = vals.components[&c.name]
                .secrets
                .iter()
                .map(|(env, s)| (env.clone(), s.secret_name.clone(), s.key.clone()))
                .collect();
            assert_eq!(got, refs, "{name}/{}: the same Secrets and keys as k8s/", c.name);
        }
    }
}

/// Every object node of the schema, with its path.
fn objects<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(o) => {
            if o.get("type") == Some(&Value::String("object".into())) {
                out.push((path.clone(), v));
            }
            for (k, sub) in o {
                objects(sub, format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, sub) in a.iter().enumerate() {
                objects(sub, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn prop<'a>(s: &'a Value, path: &[&str]) -> &'a Value {
    let p: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    schema::at(s, &p).unwrap_or_else(|| panic!("schema for {path:?}"))
}

#[test]
fn schema_is_strict() {
    let s = schema::schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(!schema::text().contains("$ref"), "inlined: no $ref");
    let mut objs = Vec::new();
    objects(s, String::new(), &mut objs);
    assert!(objs.len() > 20);
    for (path, o) in &objs {
        if o.get("properties").is_some() {
            assert_eq!(
                o.get("additionalProperties"),
                Some(&Value::Bool(false)),
                "{path}: unknown keys refused"
            );
            let props: BTreeSet<&str> = o["properties"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let required: BTreeSet<&str> = o["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let optional: BTreeSet<&str> = [
                "port",
                "heartbeatFile",
                "digest",
                "medium",
                "httpGet",
                "tcpSocket",
                "exec",
                "autoscaling",
                // A NodePort Service's fixed port: written only when the input names one.
                "nodePort",
                // A Secret key's `optional`: written only when true.
                "optional",
            ]
            .into_iter()
            .collect();
            assert!(required.is_subset(&props), "{path}");
            assert!(
                (&props - &required).is_subset(&optional),
                "{path}: every key is required but the optional ones: {:?}",
                &props - &required
            );
        } else {
            assert!(
                o.get("additionalProperties").is_some_and(Value::is_object),
                "{path}: a map says what its values are"
            );
        }
    }
    // Enums.
    let enum_of = |v: &Value| -> Vec<String> {
        v["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("an enum: {v}"))
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        enum_of(prop(s, &["components", "x", "service", "type"])),
        ["ClusterIP", "NodePort", "LoadBalancer"]
    );
    assert_eq!(
        enum_of(prop(s, &["components", "x", "image", "pullPolicy"])),
        ["Always", "IfNotPresent", "Never"]
    );
    assert_eq!(enum_of(prop(s, &["tests", "image", "pullPolicy"])).len(), 3);
    assert_eq!(
        enum_of(prop(s, &["components", "x", "role"])),
        ["frontend", "backend", "worker"]
    );
    // Minimums and ranges.
    let replicas = prop(s, &["components", "x", "replicas"]);
    assert_eq!(replicas["type"], "integer");
    assert_eq!(replicas["minimum"], 0);
    let port = prop(s, &["components", "x", "port"]);
    assert_eq!(
        (port["minimum"].as_i64(), port["maximum"].as_i64()),
        (Some(1), Some(65535))
    );
    let bport = prop(s, &["backingServices", "x", "port"]);
    assert_eq!(
        (bport["minimum"].as_i64(), bport["maximum"].as_i64()),
        (Some(1), Some(65535))
    );
    let egress = prop(s, &["components", "x", "networkPolicy", "egressPublic"]);
    assert_eq!(egress["items"]["minimum"], 1);
    assert_eq!(egress["items"]["maximum"], 65535);
    assert_eq!(prop(s, &["components", "x", "runAsUser"])["minimum"], 1);
    // Names of components are DNS labels.
    assert!(s["properties"]["components"]["propertyNames"]["pattern"].is_string());
}

/// A small validator for the keywords the schema uses (types, enums, ranges, lengths,
/// required and unknown keys, items, anyOf; patterns are left to helm), so the schema's
/// constraints are checked without helm: the errors found, with their paths.
fn validate(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let ok = branches.iter().any(|b| {
            let mut e = Vec::new();
            validate(b, v, path, &mut e);
            e.is_empty()
        });
        if !ok {
            errors.push(format!("{path}: matches no branch of anyOf"));
        }
        return;
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let is = |t: &str| match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "null" => v.is_null(),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            errors.push(format!("{path}: {v} is not {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {allowed:?}"));
    }
    if let Some(n) = v.as_i64() {
        if schema.get("minimum").and_then(Value::as_i64).is_some_and(|m| n < m) {
            errors.push(format!("{path}: {n} is below the minimum"));
        }
        if schema.get("maximum").and_then(Value::as_i64).is_some_and(|m| n > m) {
            errors.push(format!("{path}: {n} is above the maximum"));
        }
    }
    if let (Some(s), Some(min)) = (v.as_str(), schema.get("minLength").and_then(Value::as_u64))
        && (s.chars().count() as u64) < min
    {
        errors.push(format!("{path}: shorter than {min}"));
    }
    if let Some(items) = v.as_array() {
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = schema.get("items") {
                validate(s, item, &format!("{path}[{i}]"), errors);
            }
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !obj.contains_key(req.as_str().unwrap()) {
                errors.push(format!("{path}: {req} is required"));
            }
        }
        for (k, sub) in obj {
            let at = format!("{path}.{k}");
            match (props.and_then(|p| p.get(k)), schema.get("additionalProperties")) {
                (Some(s), _) => validate(s, sub, &at, errors),
                (None, Some(Value::Bool(false))) => errors.push(format!("{at}: unknown key")),
                (None, Some(s)) if s.is_object() => validate(s, sub, &at, errors),
                _ => {}
            }
        }
    }
}

fn errors(schema: &Value, values: &Node) -> Vec<String> {
    let json = serde_json::to_value(values).unwrap();
    let mut e = Vec::new();
    validate(schema, &json, "", &mut e);
    e
}

#[test]
fn schema_accepts_every_layer_and_refuses_unknown_keys_wrong_types_and_negative_replicas() {
    let s = schema::schema();
    for (name, d) in all() {
        for f in values_files(&d) {
            assert_eq!(errors(s, &f.full), Vec::<String>::new(), "{name}/{}", f.name);
        }
        let defaults = &values_files(&d)[0].full;
        let bad = |yaml: &str| defaults.merged(&crate::yaml::from_str::<Node>(yaml).unwrap());
        let cases = [
            (
                "components:\n  web:\n    replica: 2\n",
                ".components.web.replica: unknown key",
            ),
            ("replicaCount: 2\n", ".replicaCount: unknown key"),
            (
                "components:\n  web:\n    replicas: two\n",
                ".components.web.replicas: \"two\" is not",
            ),
            (
                "components:\n  web:\n    replicas: -1\n",
                ".components.web.replicas: -1 is below the minimum",
            ),
            (
                "components:\n  web:\n    port: 70000\n",
                ".components.web.port: 70000 is above the maximum",
            ),
            (
                "components:\n  web:\n    service:\n      type: External\n",
                ".components.web.service.type: \"External\" is not one of",
            ),
            (
                "components:\n  web:\n    image:\n      pullPolicy: Sometimes\n",
                ".components.web.image.pullPolicy: \"Sometimes\" is not one of",
            ),
        ];
        for (yaml, expected) in cases {
            let e = errors(s, &bad(yaml));
            assert!(e.iter().any(|e| e.starts_with(expected)), "{name}: {yaml:?} gave {e:?}");
        }
    }
}

#[test]
fn every_value_has_a_schema_and_a_type() {
    let s = schema::schema();
    for (name, d) in all() {
        for f in values_files(&d) {
            for (path, _) in f.full.leaves() {
                let sub = schema::at(s, &path).unwrap_or_else(|| panic!("{name}: {path:?}"));
                assert_ne!(schema::type_label(sub), "any", "{name}: {path:?}");
            }
        }
    }
}

#[test]
fn chart_doc_rows_cover_the_keys() {
    let d = variant();
    let doc = chart_doc(&d, &values_files(&d));
    let keys: Vec<&str> = doc.rows.iter().map(|r| r.key.as_str()).collect();
    for k in [
        "rollout.maxSurge",
        "podDisruptionBudget.enabled",
        "components.<name>.replicas",
        "components.<name>.image",
        "components.<name>.service",
        "backingServices.<name>.storage",
        "tests.image",
        "imageRegistry",
    ] {
        assert!(keys.contains(&k), "{k}: {keys:?}");
    }
    let replicas = doc.rows.iter().find(|r| r.key == "components.<name>.replicas").unwrap();
    assert_eq!(replicas.default, "`1`");
    assert_eq!(replicas.local, "`api: 3; web: 2; worker: 1`");
    assert!(doc.rows.iter().all(|r| !r.description.is_empty()), "described");
}

// ---------------------------------------------------------------------------------------
// The real helm, when installed (tools/validate-artifacts --install).
// ---------------------------------------------------------------------------------------

fn helm(major: &str) -> Option<PathBuf> {
    let home = std::env::var_os("VALIDATORS_HOME").map(PathBuf::from).or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|c| c.join("validate-artifacts"))
    })?;
    let bin = home.join("bin").join(format!("helm{major}"));
    bin.is_file().then_some(bin)
}

fn helms() -> Vec<PathBuf> {
    let found: Vec<PathBuf> = ["3", "4"].iter().filter_map(|m| helm(m)).collect();
    if found.is_empty() {
        eprintln!(
            "note: no helm in ~/.cache/validate-artifacts/bin; run ../shared/tools/validate-artifacts --install. Skipped."
        );
    }
    found
}

/// Writes the chart of `d` into a temporary folder and returns the chart's folder.
fn write_chart(d: &Deployment, tmp: &Path) -> PathBuf {
    for (path, text) in chart(d, "Test chart", OUT, &values_files(d)) {
        let p = tmp.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    tmp.join(chart_dir(d))
}

fn run(helm: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(helm).args(args).output().expect("helm runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn lint(helm: &Path, chart: &Path, values: Option<&Path>) -> (bool, String) {
    let chart = chart.to_str().unwrap();
    match values {
        Some(v) => run(helm, &["lint", "--strict", chart, "-f", v.to_str().unwrap()]),
        None => run(helm, &["lint", "--strict", chart]),
    }
}

#[test]
fn helm_lint_accepts_every_values_file() {
    for helm in helms() {
        for (name, d) in all() {
            let tmp = tempfile::tempdir().unwrap();
            let chart = write_chart(&d, tmp.path());
            for f in ["values.yaml", "values-local.yaml", "values-production.yaml"] {
                let values = (f != "values.yaml").then(|| chart.join(f));
                let (ok, out) = lint(&helm, &chart, values.as_deref());
                assert!(ok, "{} lint {name} {f}:\n{out}", helm.display());
            }
        }
    }
}

#[test]
fn helm_lint_refuses_what_the_schema_forbids() {
    let cases = [
        ("an unknown key", "components:\n  web:\n    replica: 2\n"),
        ("an unknown top-level key", "replicaCount: 2\n"),
        ("a wrong type", "components:\n  web:\n    replicas: \"two\"\n"),
        ("a negative replica count", "components:\n  web:\n    replicas: -1\n"),
        ("port 0", "components:\n  web:\n    port: 0\n"),
        (
            "an unknown Service type",
            "components:\n  web:\n    service:\n      type: External\n",
        ),
        (
            "an unknown pull policy",
            "components:\n  web:\n    image:\n      pullPolicy: Sometimes\n",
        ),
    ];
    for helm in helms() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = write_chart(&fixture::deployment(), tmp.path());
        let (ok, out) = lint(&helm, &chart, Some(&chart.join("values-local.yaml")));
        assert!(ok, "{}: the good values pass:\n{out}", helm.display());
        for (what, bad) in cases {
            let file = tmp.path().join("bad.yaml");
            std::fs::write(&file, bad).unwrap();
            let (ok, out) = lint(&helm, &chart, Some(&file));
            assert!(!ok, "{} lint accepted {what}:\n{out}", helm.display());
            assert!(
                out.contains("schema") || out.contains("values"),
                "{} says why it refused {what}:\n{out}",
                helm.display()
            );
        }
    }
}

/// YAML documents of a stream as JSON values.
fn documents(text: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.lines().chain(std::iter::once("---")) {
        if line == "---" {
            if current.lines().any(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                docs.push(crate::yaml::from_str::<Value>(&current).unwrap_or_else(|e| panic!("{e}:\n{current}")));
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs
}

/// Without the labels only one side has; asserts managed-by says who manages it.
fn normalised(mut v: Value, managed_by: &str) -> Value {
    fn walk(v: &mut Value, managed_by: &str) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(labels)) = o.get_mut("labels") {
                    labels.remove("helm.sh/chart");
                    if let Some(m) = labels.remove("app.kubernetes.io/managed-by") {
                        assert_eq!(m, managed_by);
                    }
                }
                o.values_mut().for_each(|x| walk(x, managed_by));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, managed_by)),
            _ => {}
        }
    }
    walk(&mut v, managed_by);
    v
}

fn object_key(v: &Value) -> String {
    format!(
        "{}/{}",
        v["kind"].as_str().unwrap(),
        v["metadata"]["name"].as_str().unwrap()
    )
}

#[test]
fn helm_template_with_local_values_renders_the_raw_manifests() {
    let Some(helm) = helms().pop() else { return };
    for (name, d) in all() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = write_chart(&d, tmp.path());
        let local = chart.join("values-local.yaml");
        let (ok, out) = run(
            &helm,
            &[
                "template",
                &d.app.value,
                chart.to_str().unwrap(),
                "-n",
                &d.namespace.value,
                "-f",
                local.to_str().unwrap(),
            ],
        );
        assert!(ok, "{name}: helm template:\n{out}");
        let mut hooks = 0;
        let rendered: BTreeMap<String, Value> = documents(&out)
            .into_iter()
            .filter(|v| {
                let hook = v["metadata"]["annotations"].get("helm.sh/hook").is_some();
                hooks += usize::from(hook);
                !hook
            })
            .map(|v| (object_key(&v), normalised(v, "Helm")))
            .collect();
        let raw: BTreeMap<String, Value> = crate::render::k8s::manifests(&d)
            .into_iter()
            .filter(|m| m.kind != "Namespace")
            .map(|m| {
                let v: Value = crate::yaml::from_str(&m.text).unwrap();
                (object_key(&v), normalised(v, "sp"))
            })
            .collect();
        assert_eq!(
            rendered.keys().collect::<Vec<_>>(),
            raw.keys().collect::<Vec<_>>(),
            "{name}: the same objects"
        );
        for (k, r) in &raw {
            assert_eq!(
                &rendered[k], r,
                "{name}: {k} differs:\nchart: {}\nraw:   {}",
                rendered[k], r
            );
        }
        // One pod and two policies per HTTP component.
        let http = d.components.iter().filter(|c| c.port.is_some()).count();
        assert_eq!(hooks, 3 * http, "{name}: test hooks");
    }
}

#[test]
fn helm_template_renders_production_and_defaults() {
    let Some(helm) = helms().pop() else { return };
    let d = variant();
    let tmp = tempfile::tempdir().unwrap();
    let chart = write_chart(&d, tmp.path());
    let render = |values: Option<&str>| {
        let mut args = vec!["template", "todo", chart.to_str().unwrap(), "-n", "todo"];
        let file;
        if let Some(v) = values {
            file = chart.join(v);
            args.extend(["-f", file.to_str().unwrap()]);
        }
        let (ok, out) = run(&helm, &args);
        assert!(ok, "{values:?}:\n{out}");
        documents(&out)
    };
    let prod = render(Some("values-production.yaml"));
    let kinds = |docs: &[Value], kind: &str| -> Vec<String> {
        docs.iter()
            .filter(|v| v["kind"] == kind)
            .map(|v| v["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&prod, "PodDisruptionBudget"), ["api", "web", "worker"]);
    assert_eq!(kinds(&prod, "Ingress"), ["api"]);
    for v in prod.iter().filter(|v| v["kind"] == "Deployment") {
        assert!(v["spec"]["replicas"].as_i64().unwrap() >= 2, "{v}");
        let pull = &v["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"];
        assert_eq!(pull, "IfNotPresent");
    }
    let web = prod
        .iter()
        .find(|v| v["kind"] == "Service" && v["metadata"]["name"] == "web")
        .unwrap();
    assert_eq!(web["spec"]["type"], "LoadBalancer");
    let defaults = render(None);
    assert!(kinds(&defaults, "PodDisruptionBudget").is_empty());
    assert!(kinds(&defaults, "Ingress").is_empty());
    for v in defaults.iter().filter(|v| v["kind"] == "Service") {
        assert!(
            v["spec"]["type"] == "ClusterIP" || v["spec"]["clusterIP"] == "None",
            "{v}"
        );
    }
    // The namespace is the release's, never templated as an object.
    assert!(kinds(&defaults, "Namespace").is_empty());
    assert!(defaults.iter().all(|v| v["metadata"]["namespace"] == "todo"));
}

/// Writes the charts of the fixture and the variant to `$SP_HELM_OUT` for
/// `tools/validate-artifacts`, which lints, renders and checks every chart it finds.
#[test]
#[ignore = "writes files for tools/validate-artifacts; set SP_HELM_OUT"]
fn write_charts_for_validators() {
    let root = std::env::var_os("SP_HELM_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sp-helm"));
    for (name, d) in all() {
        let dir = root.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        write_chart(&d, &dir);
        for m in crate::render::k8s::manifests(&d) {
            let p = dir.join(&m.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, m.text).unwrap();
        }
        eprintln!("wrote {}", dir.display());
    }
}

/// NOTES.txt prints commands a user pastes into a shell: every value helm fills into one
/// (release, namespace, component and secret names) is single-quoted, except the ports,
/// which the values schema holds to integers.
#[test]
fn notes_commands_quote_every_value() {
    let notes = include_str!("../../../templates/helm/templates/NOTES.txt");
    let mut commands = 0;
    for line in notes.lines() {
        if !["kubectl ", "helm test", "minikube service"]
            .iter()
            .any(|c| line.contains(c))
        {
            continue;
        }
        commands += 1;
        for expr in line
            .split("{{")
            .skip(1)
            .filter_map(|s| s.split_once("}}").map(|(e, _)| e.trim()))
        {
            assert!(
                expr.ends_with("| squote") || expr.ends_with(".port"),
                "unquoted `{{{{ {expr} }}}}` in NOTES.txt command: {line}"
            );
        }
    }
    assert!(commands >= 8, "the commands of NOTES.txt were found ({commands})");
}
