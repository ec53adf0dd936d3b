//! Unit tests of the artifact gates: a clean set of artifacts that passes every gate, one
//! mutation per gate that fails it (at the offending line), the generated examples passing
//! every gate, the planted violations all found, and inputs that must not panic.

use std::path::Path;

use super::*;
use crate::gates::catalog::{self, GATES, evaluate};

/// Every file under `dir`, as (path relative to `root`, text), sorted; non-UTF-8 files skipped.
pub fn read_tree(root: &Path, dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            out.extend(read_tree(root, &p));
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            out.push((rel, text));
        }
    }
    out
}

fn code(gate: &str) -> &'static str {
    catalog::find(gate)
        .map(|g| g.code)
        .unwrap_or_else(|| panic!("no gate {gate}"))
}

fn result<'a>(results: &'a [GateResult], gate: &str) -> &'a GateResult {
    let c = code(gate);
    results
        .iter()
        .find(|r| r.gate == c)
        .unwrap_or_else(|| panic!("no result for {gate}"))
}

fn summary(results: &[GateResult]) -> String {
    let mut s = String::new();
    for r in results.iter().filter(|r| r.status == Outcome::Fail) {
        for f in &r.findings {
            s.push_str(&format!(
                "{} {}:{}:{} {} — {} [{}]\n",
                f.gate, f.file, f.line, f.column, f.object, f.message, f.found
            ));
        }
    }
    s
}

fn is_production_gate(code: &str) -> bool {
    ["replicas-min-2", "rolling-update-zero-downtime", "pdb-present-and-sane"]
        .iter()
        .any(|n| catalog::find(n).map(|g| g.code) == Some(code))
}

// ---------------------------------------------------------------------------------------
// A clean set of artifacts: every gate passes, locally and in production.
// ---------------------------------------------------------------------------------------

const K8S: &str = r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: shop
data:
  LOG_LEVEL: info
  API_URL: http://api:8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/instance: shop
    app.kubernetes.io/version: "1.4.2"
    app.kubernetes.io/component: backend
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/managed-by: sp
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: api
      app.kubernetes.io/instance: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: api
        app.kubernetes.io/instance: shop
        app.kubernetes.io/version: "1.4.2"
        app.kubernetes.io/component: backend
        app.kubernetes.io/part-of: shop
        app.kubernetes.io/managed-by: sp
    spec:
      serviceAccountName: api
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: api
      initContainers:
        - name: migrate
          image: registry.example.com/api:1.4.2
          imagePullPolicy: IfNotPresent
          command: ["/app/migrate"]
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {cpu: 200m, memory: 128Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: DATABASE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: api-secrets
                  key: DATABASE_PASSWORD
            - name: OPENAI_API_KEY_FILE
              value: /var/run/secrets/api/OPENAI_API_KEY
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            failureThreshold: 30
            periodSeconds: 2
          lifecycle:
            preStop:
              sleep:
                seconds: 5
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/instance: shop
    app.kubernetes.io/version: "1.4.2"
    app.kubernetes.io/component: backend
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/managed-by: sp
spec:
  selector:
    app.kubernetes.io/name: api
    app.kubernetes.io/instance: shop
  ports:
    - name: http
      port: 8080
      targetPort: http
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
  namespace: shop
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app.kubernetes.io/name: api
      app.kubernetes.io/instance: shop
"#;

const DOCKERFILE: &str = r#"# api: Go (net/http).
# Image size budget: 50 MB (check with `docker image ls api:1.4.2`).
FROM golang:1.25.4-alpine3.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN go build -trimpath -o /app/server .

FROM alpine:3.22.2 AS runtime
WORKDIR /app
COPY --from=build /app/server /app/server
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/app/server"]
"#;

const DOCKERIGNORE: &str = ".git\n.env\n.env.*\n!.env.example\n**/*.pem\n**/*.key\n**/node_modules\n.next\n.venv\n";

const CHART_YAML: &str =
    "apiVersion: v2\nname: shop\ndescription: The shop\ntype: application\nversion: 0.1.0\nappVersion: \"1.4.2\"\n";

const VALUES: &str = r#"# replicaCount is the number of pods.
replicaCount: 1

# image is the container image.
image:
  # repository is the image name.
  repository: registry.example.com/api
  # tag is the image tag.
  tag: "1.4.2"

# podDisruptionBudget limits voluntary evictions.
podDisruptionBudget:
  # enabled creates the budget (two replicas or more).
  enabled: true
  # maxUnavailable is how many pods a drain may evict at once.
  maxUnavailable: 1
  # unhealthyPodEvictionPolicy lets drains evict pods that never became ready.
  unhealthyPodEvictionPolicy: AlwaysAllow

# tests are the `helm test` hooks.
tests:
  # image is the test pod's image.
  image:
    # repository is the image name.
    repository: busybox
    # tag is the image tag.
    tag: "1.37"
"#;

const SCHEMA: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "required": ["replicaCount", "image"],
  "definitions": {
    "image": {
      "type": "object",
      "additionalProperties": false,
      "required": ["repository", "tag"],
      "properties": {
        "repository": {"type": "string", "minLength": 1},
        "tag": {"type": "string"}
      }
    }
  },
  "properties": {
    "replicaCount": {"type": "integer", "minimum": 1},
    "image": {"$ref": "#/definitions/image"},
    "podDisruptionBudget": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "enabled": {"type": "boolean"},
        "maxUnavailable": {"type": "integer", "minimum": 1},
        "unhealthyPodEvictionPolicy": {"enum": ["AlwaysAllow", "IfHealthyBudget"]}
      }
    },
    "tests": {
      "type": "object",
      "additionalProperties": false,
      "properties": {"image": {"$ref": "#/definitions/image"}}
    }
  }
}
"##;

const HELPERS: &str = r#"{{/* The chart name. */}}
{{- define "shop.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shop.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/name: {{ include "shop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: backend
app.kubernetes.io/part-of: {{ include "shop.name" . }}
{{- end }}
"#;

const DEPLOYMENT_TPL: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "shop.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"#;

const PDB_TPL: &str = r#"{{- if and .Values.podDisruptionBudget.enabled (ge (int .Values.replicaCount) 2) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
  namespace: {{ .Release.Namespace }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
{{- end }}
"#;

const TEST_TPL: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: "{{ .Release.Name }}-test"
  namespace: {{ .Release.Namespace }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 65534
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: wget
      image: "{{ .Values.tests.image.repository }}:{{ .Values.tests.image.tag }}"
      command: ["wget", "-q", "-O", "/dev/null", "http://api:8080/readyz"]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
"#;

fn clean() -> Vec<(String, String)> {
    [
        ("shop/k8s/app.yaml", K8S),
        ("shop/docker/api.Dockerfile", DOCKERFILE),
        ("shop/docker/api.Dockerfile.dockerignore", DOCKERIGNORE),
        ("shop/helm/shop/Chart.yaml", CHART_YAML),
        ("shop/helm/shop/values.yaml", VALUES),
        (
            "shop/helm/shop/values-local.yaml",
            "# replicaCount is one pod on a laptop.\nreplicaCount: 1\n",
        ),
        (
            "shop/helm/shop/values-production.yaml",
            "# replicaCount is two pods or more in production.\nreplicaCount: 2\n",
        ),
        ("shop/helm/shop/values.schema.json", SCHEMA),
        ("shop/helm/shop/templates/_helpers.tpl", HELPERS),
        ("shop/helm/shop/templates/deployment.yaml", DEPLOYMENT_TPL),
        ("shop/helm/shop/templates/pdb.yaml", PDB_TPL),
        (
            "shop/helm/shop/templates/NOTES.txt",
            "{{ .Chart.Name }} is installed in {{ .Release.Namespace }}.\n",
        ),
        ("shop/helm/shop/templates/tests/test-connection.yaml", TEST_TPL),
    ]
    .iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect()
}

/// Every entry names its check (the field is required) and every check is named by an entry
/// (an unnamed one is dead code); what is left to test is that no two gates share one.
#[test]
fn every_gate_has_its_own_check() {
    for (i, g) in GATES.iter().enumerate() {
        for o in &GATES[i + 1..] {
            assert_ne!(
                g.check as usize, o.check as usize,
                "{} and {} run the same check",
                g.code, o.code
            );
        }
    }
}

#[test]
fn clean_artifacts_pass_every_gate() {
    let a = Artifacts::from_files(&clean());
    for env in [Environment::Local, Environment::Production] {
        let results = evaluate(&a, env);
        assert_eq!(results.len(), GATES.len());
        assert!(
            results.iter().zip(GATES).all(|(r, g)| r.gate == g.code),
            "results follow catalog order"
        );
        assert_eq!(summary(&results), "", "{env:?}");
        for r in &results {
            let expected = if env == Environment::Local && is_production_gate(r.gate) {
                Outcome::NotApplicable
            } else {
                Outcome::Pass
            };
            assert_eq!(r.status, expected, "{} in {env:?}", r.gate);
            if r.status == Outcome::Pass {
                assert!(!r.evidence.is_empty(), "{} passes with evidence", r.gate);
            }
        }
    }
}

#[test]
fn empty_artifacts_have_nothing_to_examine() {
    let results = evaluate(&Artifacts::from_files(&[]), Environment::Production);
    assert!(results.iter().all(|r| r.status == Outcome::NotApplicable));
}

/// An edit of the clean artifacts: (file suffix, text to find, replacement); a replacement of
/// `None` deletes the file.
type Edit = (&'static str, &'static str, Option<&'static str>);

struct Case {
    gate: &'static str,
    env: Environment,
    edits: &'static [Edit],
    /// The finding's file ends with this, and its line contains `at_line`.
    file: &'static str,
    at_line: &'static str,
}

const L: Environment = Environment::Local;
const P: Environment = Environment::Production;

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { gate: "run-as-non-root", env: L, edits: &[("app.yaml", "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]\n---", Some("          securityContext:\n            runAsUser: 0\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]\n---"))], file: "app.yaml", at_line: "runAsUser: 0" },
    Case { gate: "run-as-non-root", env: L, edits: &[("app.yaml", "        runAsNonRoot: true\n        runAsUser: 10001\n", Some(""))], file: "app.yaml", at_line: "securityContext:" },
    Case { gate: "run-as-high-uid", env: L, edits: &[("app.yaml", "runAsUser: 10001", Some("runAsUser: 1001"))], file: "app.yaml", at_line: "runAsUser: 1001" },
    Case { gate: "run-as-high-uid", env: L, edits: &[("api.Dockerfile", "USER 10001:10001", Some("USER 1001:1001"))], file: "api.Dockerfile", at_line: "USER 1001:1001" },
    Case { gate: "read-only-root-fs", env: L, edits: &[("app.yaml", "readOnlyRootFilesystem: true", Some("readOnlyRootFilesystem: false"))], file: "app.yaml", at_line: "readOnlyRootFilesystem: false" },
    Case { gate: "no-privilege-escalation", env: L, edits: &[("app.yaml", "allowPrivilegeEscalation: false", Some("allowPrivilegeEscalation: true"))], file: "app.yaml", at_line: "allowPrivilegeEscalation: true" },
    Case { gate: "no-privileged", env: L, edits: &[("app.yaml", "      terminationGracePeriodSeconds: 30\n", Some("      terminationGracePeriodSeconds: 30\n      hostPID: true\n"))], file: "app.yaml", at_line: "hostPID: true" },
    Case { gate: "no-privileged", env: L, edits: &[("app.yaml", "              containerPort: 8080\n", Some("              containerPort: 8080\n              hostPort: 80\n"))], file: "app.yaml", at_line: "hostPort: 80" },
    Case { gate: "drop-all-capabilities", env: L, edits: &[("app.yaml", "drop: [\"ALL\"]", Some("drop: [\"NET_RAW\"]"))], file: "app.yaml", at_line: "capabilities:" },
    Case { gate: "seccomp-runtime-default", env: L, edits: &[("app.yaml", "type: RuntimeDefault", Some("type: Unconfined"))], file: "app.yaml", at_line: "type: Unconfined" },
    Case { gate: "sa-token-automount-off", env: L, edits: &[("app.yaml", "automountServiceAccountToken: false\n---", Some("automountServiceAccountToken: true\n---"))], file: "app.yaml", at_line: "automountServiceAccountToken: true" },
    Case { gate: "sa-token-automount-off", env: L, edits: &[("app.yaml", "      automountServiceAccountToken: false\n", Some("")), ("app.yaml", "automountServiceAccountToken: false\n---", Some("---"))], file: "app.yaml", at_line: "    spec:" },
    Case { gate: "dedicated-service-account", env: L, edits: &[("app.yaml", "serviceAccountName: api", Some("serviceAccountName: default"))], file: "app.yaml", at_line: "serviceAccountName: default" },
    Case { gate: "dedicated-service-account", env: L, edits: &[("app.yaml", "serviceAccountName: api", Some("serviceAccountName: billing"))], file: "app.yaml", at_line: "serviceAccountName: billing" },
    Case { gate: "resources-requests", env: L, edits: &[("app.yaml", "            requests:\n              cpu: 100m\n", Some("            requests:\n"))], file: "app.yaml", at_line: "requests:" },
    Case { gate: "resources-requests", env: L, edits: &[("app.yaml", "            requests: {cpu: 50m, memory: 64Mi}\n", Some(""))], file: "app.yaml", at_line: "resources:" },
    Case { gate: "resources-memory-limit", env: L, edits: &[("app.yaml", "memory: 256Mi", Some("memory: 64Mi"))], file: "app.yaml", at_line: "memory: 64Mi" },
    Case { gate: "resources-cpu-limit", env: L, edits: &[("app.yaml", "              cpu: 500m\n", Some(""))], file: "app.yaml", at_line: "limits:" },
    Case { gate: "readiness-probe", env: L, edits: &[("app.yaml", "          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http\n            periodSeconds: 5\n", Some(""))], file: "app.yaml", at_line: "- name: api" },
    Case { gate: "liveness-probe", env: L, edits: &[("app.yaml", "          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n", Some(""))], file: "app.yaml", at_line: "- name: api" },
    Case { gate: "probes-distinct", env: L, edits: &[("app.yaml", "              path: /readyz\n              port: http\n            periodSeconds: 5\n", Some("              path: /healthz\n              port: http\n"))], file: "app.yaml", at_line: "readinessProbe:" },
    Case { gate: "startup-probe-slow-start", env: L, edits: &[("app.yaml", "          startupProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            failureThreshold: 30\n            periodSeconds: 2\n", Some("")), ("app.yaml", "              path: /healthz\n              port: http\n          lifecycle", Some("              path: /healthz\n              port: http\n            initialDelaySeconds: 60\n          lifecycle"))], file: "app.yaml", at_line: "initialDelaySeconds: 60" },
    Case { gate: "startup-probe-slow-start", env: L, edits: &[("app.yaml", "          startupProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            failureThreshold: 30\n            periodSeconds: 2\n", Some("")), ("app.yaml", "        - name: api\n          image: registry.example.com/api:1.4.2", Some("        - name: api\n          image: eclipse-temurin:21.0.5_11-jre"))], file: "app.yaml", at_line: "image: eclipse-temurin" },
    Case { gate: "probe-ports-exposed", env: L, edits: &[("app.yaml", "              path: /readyz\n              port: http", Some("              path: /readyz\n              port: 9090"))], file: "app.yaml", at_line: "port: 9090" },
    Case { gate: "image-tag-pinned", env: L, edits: &[("app.yaml", "        - name: api\n          image: registry.example.com/api:1.4.2", Some("        - name: api\n          image: registry.example.com/api:latest"))], file: "app.yaml", at_line: "image: registry.example.com/api:latest" },
    Case { gate: "image-tag-pinned", env: L, edits: &[("api.Dockerfile", "FROM alpine:3.22.2 AS runtime", Some("FROM alpine AS runtime"))], file: "api.Dockerfile", at_line: "FROM alpine AS runtime" },
    Case { gate: "image-tag-pinned", env: L, edits: &[("values.yaml", "tag: \"1.37\"", Some("tag: latest"))], file: "values.yaml", at_line: "tag: latest" },
    Case { gate: "image-pull-policy", env: L, edits: &[("app.yaml", "        - name: api\n          image: registry.example.com/api:1.4.2\n          imagePullPolicy: IfNotPresent\n", Some("        - name: api\n          image: registry.example.com/api:1.4.2\n"))], file: "app.yaml", at_line: "image: registry.example.com/api:1.4.2" },
    Case { gate: "replicas-min-2", env: P, edits: &[("values-production.yaml", "replicaCount: 2", Some("replicaCount: 1"))], file: "values-production.yaml", at_line: "replicaCount: 1" },
    Case { gate: "replicas-min-2", env: P, edits: &[("values-production.yaml", "replicaCount: 2", Some("{}"))], file: "values.yaml", at_line: "replicaCount: 1" },
    Case { gate: "replicas-min-2", env: P, edits: &[("values-production.yaml", "", None), ("app.yaml", "  replicas: 2\n", Some("  replicas: 1\n"))], file: "app.yaml", at_line: "replicas: 1" },
    Case { gate: "rolling-update-zero-downtime", env: P, edits: &[("app.yaml", "maxUnavailable: 0", Some("maxUnavailable: 1"))], file: "app.yaml", at_line: "maxUnavailable: 1" },
    Case { gate: "rolling-update-zero-downtime", env: P, edits: &[("app.yaml", "    type: RollingUpdate\n", Some("    type: Recreate\n"))], file: "app.yaml", at_line: "type: Recreate" },
    Case { gate: "pdb-present-and-sane", env: P, edits: &[("values.yaml", "  enabled: true", Some("  enabled: false")), ("app.yaml", "spec:\n  maxUnavailable: 1\n", Some("spec:\n  maxUnavailable: 0\n"))], file: "app.yaml", at_line: "maxUnavailable: 0" },
    Case { gate: "pdb-present-and-sane", env: P, edits: &[("values.yaml", "  unhealthyPodEvictionPolicy: AlwaysAllow", Some("  unhealthyPodEvictionPolicy: IfHealthyBudget"))], file: "values.yaml", at_line: "unhealthyPodEvictionPolicy: IfHealthyBudget" },
    Case { gate: "graceful-shutdown", env: L, edits: &[("app.yaml", "seconds: 5", Some("seconds: 40"))], file: "app.yaml", at_line: "terminationGracePeriodSeconds: 30" },
    Case { gate: "graceful-shutdown", env: L, edits: &[("app.yaml", "          lifecycle:\n            preStop:\n              sleep:\n                seconds: 5\n", Some(""))], file: "app.yaml", at_line: "- name: api" },
    Case { gate: "spread-replicas", env: L, edits: &[("app.yaml", "      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            matchLabels:\n              app.kubernetes.io/name: api\n", Some(""))], file: "app.yaml", at_line: "replicas: 2" },
    Case { gate: "no-secrets-in-configmap", env: L, edits: &[("app.yaml", "  LOG_LEVEL: info\n", Some("  LOG_LEVEL: info\n  STRIPE_API_KEY: sk_live_abc\n"))], file: "app.yaml", at_line: "STRIPE_API_KEY" },
    Case { gate: "no-secret-env-literals", env: L, edits: &[("app.yaml", "            - name: OPENAI_API_KEY_FILE\n              value: /var/run/secrets/api/OPENAI_API_KEY", Some("            - name: OPENAI_API_KEY\n              value: sk-live-abcdef"))], file: "app.yaml", at_line: "value: sk-live-abcdef" },
    Case { gate: "no-secret-env-literals", env: L, edits: &[("api.Dockerfile", "WORKDIR /src\n", Some("WORKDIR /src\nARG GITHUB_TOKEN\n"))], file: "api.Dockerfile", at_line: "ARG GITHUB_TOKEN" },
    Case { gate: "recommended-labels", env: L, edits: &[("app.yaml", "    app.kubernetes.io/name: api\n    app.kubernetes.io/instance: shop\n    app.kubernetes.io/version: \"1.4.2\"\n    app.kubernetes.io/component: backend\n    app.kubernetes.io/part-of: shop\n    app.kubernetes.io/managed-by: sp\nspec:\n  replicas", Some("    app.kubernetes.io/name: api\n    app.kubernetes.io/version: \"1.4.2\"\n    app.kubernetes.io/component: backend\n    app.kubernetes.io/part-of: shop\n    app.kubernetes.io/managed-by: sp\nspec:\n  replicas"))], file: "app.yaml", at_line: "  labels:" },
    Case { gate: "recommended-labels-complete", env: L, edits: &[("app.yaml", "        app.kubernetes.io/component: backend\n", Some(""))], file: "app.yaml", at_line: "      labels:" },
    Case { gate: "recommended-labels-complete", env: L, edits: &[("_helpers.tpl", "app.kubernetes.io/part-of", Some("part-of"))], file: "_helpers.tpl", at_line: "app.kubernetes.io/name" },
    Case { gate: "recommended-labels", env: L, edits: &[("_helpers.tpl", "helm.sh/chart", Some("chart"))], file: "_helpers.tpl", at_line: "app.kubernetes.io/name" },
    Case { gate: "selector-matches-template", env: L, edits: &[("app.yaml", "  selector:\n    app.kubernetes.io/name: api\n", Some("  selector:\n    app.kubernetes.io/name: apx\n"))], file: "app.yaml", at_line: "selector:" },
    Case { gate: "no-namespace-in-templates", env: L, edits: &[("deployment.yaml", "namespace: {{ .Release.Namespace }}", Some("namespace: shop"))], file: "templates/deployment.yaml", at_line: "namespace: shop" },
    Case { gate: "dockerfile-multi-stage", env: L, edits: &[("api.Dockerfile", "USER 10001:10001\n", Some("RUN go build -o /app/other .\nUSER 10001:10001\n"))], file: "api.Dockerfile", at_line: "RUN go build -o /app/other" },
    Case { gate: "dockerfile-multi-stage", env: L, edits: &[("api.Dockerfile", "FROM alpine:3.22.2 AS runtime\n", Some("FROM golang:1.25.4-alpine3.22 AS runtime\n"))], file: "api.Dockerfile", at_line: "FROM golang:1.25.4-alpine3.22 AS runtime" },
    Case { gate: "dockerfile-multi-stage", env: L, edits: &[("api.Dockerfile", "FROM golang:1.25.4-alpine3.22 AS build\n", Some("FROM ghcr.io/astral-sh/uv:0.9.5 AS uv\nFROM golang:1.25.4-alpine3.22 AS build\n")), ("api.Dockerfile", "USER 10001:10001\n", Some("COPY --from=uv /uv /bin/\nUSER 10001:10001\n"))], file: "api.Dockerfile", at_line: "COPY --from=uv" },
    Case { gate: "dockerfile-multi-stage", env: L, edits: &[("api.Dockerfile", "FROM alpine:3.22.2 AS runtime\nWORKDIR /app\nCOPY --from=build /app/server /app/server\n", Some(""))], file: "api.Dockerfile", at_line: "FROM golang" },
    Case { gate: "dockerfile-non-root-user", env: L, edits: &[("api.Dockerfile", "USER 10001:10001", Some("USER root"))], file: "api.Dockerfile", at_line: "USER root" },
    Case { gate: "dockerfile-non-root-user", env: L, edits: &[("api.Dockerfile", "USER 10001:10001\n", Some(""))], file: "api.Dockerfile", at_line: "FROM alpine:3.22.2 AS runtime" },
    Case { gate: "dockerfile-healthcheck", env: L, edits: &[("api.Dockerfile", "HEALTHCHECK --interval=30s CMD [\"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/healthz\"]\n", Some(""))], file: "api.Dockerfile", at_line: "FROM alpine:3.22.2 AS runtime" },
    Case { gate: "dockerfile-exec-form", env: L, edits: &[("api.Dockerfile", "ENTRYPOINT [\"/app/server\"]", Some("ENTRYPOINT /app/server"))], file: "api.Dockerfile", at_line: "ENTRYPOINT /app/server" },
    Case { gate: "dockerfile-pinned-packages", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("RUN apk add --no-cache git && go build"))], file: "api.Dockerfile", at_line: "RUN apk add" },
    Case { gate: "dockerfile-pipefail", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("RUN wget -O- https://example.com/x.sh | sh && go build"))], file: "api.Dockerfile", at_line: "RUN wget" },
    Case { gate: "dockerfile-tls-verification", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("RUN GIT_SSL_NO_VERIFY=1 go build"))], file: "api.Dockerfile", at_line: "RUN GIT_SSL_NO_VERIFY" },
    Case { gate: "dockerfile-package-signatures", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("RUN apk add --allow-untrusted /tmp/x.apk && go build"))], file: "api.Dockerfile", at_line: "RUN apk add --allow-untrusted" },
    Case { gate: "dockerfile-no-sudo", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("RUN sudo go build"))], file: "api.Dockerfile", at_line: "RUN sudo" },
    Case { gate: "dockerfile-copy-not-add", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("ADD https://example.com/x.tgz /tmp/\nRUN go build"))], file: "api.Dockerfile", at_line: "ADD https" },
    Case { gate: "dockerfile-absolute-workdir", env: L, edits: &[("api.Dockerfile", "RUN go build", Some("WORKDIR src\nRUN go build"))], file: "api.Dockerfile", at_line: "WORKDIR src" },
    Case { gate: "dockerignore-present", env: L, edits: &[("api.Dockerfile.dockerignore", ".git\n", Some(""))], file: "api.Dockerfile.dockerignore", at_line: ".env" },
    Case { gate: "dockerignore-present", env: L, edits: &[("api.Dockerfile.dockerignore", "", None)], file: "api.Dockerfile", at_line: "FROM golang" },
    Case { gate: "helm-values-schema", env: L, edits: &[("values-production.yaml", "replicaCount: 2", Some("replicaCount: 2\nreplicas: 3"))], file: "values-production.yaml", at_line: "replicas: 3" },
    Case { gate: "helm-values-schema", env: L, edits: &[("values-local.yaml", "replicaCount: 1", Some("replicaCount: \"one\""))], file: "values-local.yaml", at_line: "replicaCount" },
    Case { gate: "helm-values-schema", env: L, edits: &[("values.yaml", "  unhealthyPodEvictionPolicy: AlwaysAllow", Some("  unhealthyPodEvictionPolicy: Sometimes"))], file: "values.yaml", at_line: "unhealthyPodEvictionPolicy" },
    Case { gate: "helm-values-schema", env: L, edits: &[("values.yaml", "  repository: registry.example.com/api\n", Some(""))], file: "values.yaml", at_line: "image:" },
    Case { gate: "helm-values-schema", env: L, edits: &[("values.schema.json", "", None)], file: "Chart.yaml", at_line: "apiVersion" },
    Case { gate: "helm-notes-present", env: L, edits: &[("NOTES.txt", "", None)], file: "Chart.yaml", at_line: "apiVersion" },
    Case { gate: "helm-tests-present", env: L, edits: &[("test-connection.yaml", "    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n", Some(""))], file: "test-connection.yaml", at_line: "helm.sh/hook: test" },
    Case { gate: "helm-tests-present", env: L, edits: &[("test-connection.yaml", "        readOnlyRootFilesystem: true\n", Some(""))], file: "test-connection.yaml", at_line: "kind: Pod" },
    Case { gate: "helm-tests-present", env: L, edits: &[("test-connection.yaml", "", None)], file: "Chart.yaml", at_line: "apiVersion" },
    Case { gate: "helm-chart-conventions", env: L, edits: &[("Chart.yaml", "appVersion: \"1.4.2\"", Some("appVersion: 1.4"))], file: "Chart.yaml", at_line: "appVersion: 1.4" },
    Case { gate: "helm-chart-conventions", env: L, edits: &[("Chart.yaml", "version: 0.1.0", Some("version: v0.1"))], file: "Chart.yaml", at_line: "version: v0.1" },
    Case { gate: "helm-chart-conventions", env: L, edits: &[("values.yaml", "# replicaCount is the number of pods.\n", Some(""))], file: "values.yaml", at_line: "replicaCount: 1" },
    Case { gate: "helm-chart-conventions", env: L, edits: &[("_helpers.tpl", "define \"shop.labels\"", Some("define \"labels\""))], file: "_helpers.tpl", at_line: "define \"labels\"" },
    Case { gate: "helm-chart-conventions", env: L, edits: &[("deployment.yaml", "image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"", Some("image: registry.example.com/api:1.4.2"))], file: "templates/deployment.yaml", at_line: "image: registry.example.com/api:1.4.2" },
    Case { gate: "image-size-budget-recorded", env: L, edits: &[("api.Dockerfile", "Image size budget: 50 MB", Some("Image size budget: small"))], file: "api.Dockerfile", at_line: "Image size budget: small" },
    Case { gate: "network-policy-coverage", env: L, edits: &[("app.yaml", "  podSelector: {}", Some("  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: web"))], file: "app.yaml", at_line: "kind: Deployment" },
];

fn apply(edits: &[Edit]) -> Vec<(String, String)> {
    let mut files = clean();
    for (suffix, old, new) in edits {
        let i = files
            .iter()
            .position(|(p, _)| p.ends_with(suffix))
            .unwrap_or_else(|| panic!("no file {suffix}"));
        match new {
            None => {
                files.remove(i);
            }
            Some(new) => {
                assert!(files[i].1.contains(old), "{suffix} does not contain {old:?}");
                files[i].1 = files[i].1.replacen(old, new, 1);
            }
        }
    }
    files
}

#[test]
fn each_gate_fails_on_its_violation_at_the_offending_line() {
    let mut covered: Vec<&str> = Vec::new();
    for case in CASES {
        let files = apply(case.edits);
        let a = Artifacts::from_files(&files);
        let results = evaluate(&a, case.env);
        let r = result(&results, case.gate);
        assert_eq!(
            r.status,
            Outcome::Fail,
            "{} should fail after {:?}\n{}",
            case.gate,
            case.edits,
            summary(&results)
        );
        let hit = r
            .findings
            .iter()
            .find(|f| f.file.ends_with(case.file))
            .unwrap_or_else(|| panic!("{}: no finding in {}\n{}", case.gate, case.file, summary(&results)));
        let text = &files
            .iter()
            .find(|(p, _)| *p == hit.file)
            .expect("finding names a file")
            .1;
        let line = text.lines().nth(hit.line - 1).unwrap_or_default();
        assert!(
            line.contains(case.at_line),
            "{}: finding at {}:{} points at {line:?}, expected {:?}",
            case.gate,
            hit.file,
            hit.line,
            case.at_line
        );
        assert!(
            hit.column >= 1 && hit.column <= line.len() + 1,
            "{}: column {} on {line:?}",
            case.gate,
            hit.column
        );
        // The edit breaks this gate alone, apart from consequences listed here.
        let others: Vec<&GateResult> = results
            .iter()
            .filter(|o| o.status == Outcome::Fail && o.gate != r.gate)
            .filter(|o| !allowed_side_effect(case.gate, o.gate))
            .collect();
        assert!(
            others.is_empty(),
            "{} also broke: {}",
            case.gate,
            summary(&others.into_iter().cloned().collect::<Vec<_>>())
        );
        covered.push(case.gate);
    }
    for g in GATES {
        assert!(covered.contains(&g.name), "no failing case for {} {}", g.code, g.name);
    }
}

/// Gates that an edit made for another gate fails as well, by design.
fn allowed_side_effect(gate: &str, other: &str) -> bool {
    let pairs: &[(&str, &[&str])] = &[
        ("run-as-non-root", &["run-as-high-uid"]),
        ("image-tag-pinned", &["image-pull-policy", "helm-tests-present"]),
        ("probes-distinct", &[]),
        ("dedicated-service-account", &["sa-token-automount-off"]),
        ("sa-token-automount-off", &[]),
        ("helm-chart-conventions", &["helm-tests-present"]),
        ("dockerfile-multi-stage", &["dockerignore-present"]),
        ("helm-values-schema", &["helm-chart-conventions"]),
        ("no-secret-env-literals", &[]),
        ("selector-matches-template", &["pdb-present-and-sane"]),
    ];
    pairs
        .iter()
        .any(|(g, o)| *g == gate && o.iter().any(|n| catalog::find(n).map(|x| x.code) == Some(other)))
}

// ---------------------------------------------------------------------------------------
// The effective security context and the kinds of workload
// ---------------------------------------------------------------------------------------

fn one(name: &str, yaml: &str) -> Vec<GateResult> {
    evaluate(
        &Artifacts::from_files(&[(name.to_string(), yaml.to_string())]),
        Environment::Local,
    )
}

#[test]
fn pod_level_settings_cover_containers_that_do_not_override_them() {
    let results = evaluate(&Artifacts::from_files(&clean()), Environment::Local);
    let ev = &result(&results, "run-as-non-root").evidence;
    assert!(ev.iter().all(|e| e.found.contains("pod securityContext")), "{ev:?}");
    assert_eq!(ev.len(), 2, "the init container is checked too: {ev:?}");
    assert!(ev.iter().any(|e| e.object.contains("init container migrate")));
}

#[test]
fn a_container_override_beats_the_pod() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n    - name: c\n      image: a:1\n      securityContext:\n        runAsNonRoot: false\n        seccompProfile:\n          type: Unconfined\n";
    let r = one("p.yaml", yaml);
    let f = &result(&r, "run-as-non-root").findings;
    assert_eq!((f.len(), f[0].line, f[0].column), (1, 14, 9), "{f:?}");
    assert_eq!(result(&r, "seccomp-runtime-default").findings[0].line, 16);
}

#[test]
fn every_kind_of_pod_template_is_checked() {
    let containers = "containers:\n  - name: c\n    image: busybox:1.37\n";
    let indent = |s: &str, n: usize| s.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect::<String>();
    let kinds = [
        (
            "apps/v1",
            "Deployment",
            "spec:\n  template:\n    spec:\n".to_string() + &indent(containers, 6),
        ),
        (
            "apps/v1",
            "StatefulSet",
            "spec:\n  template:\n    spec:\n".to_string() + &indent(containers, 6),
        ),
        (
            "apps/v1",
            "DaemonSet",
            "spec:\n  template:\n    spec:\n".to_string() + &indent(containers, 6),
        ),
        (
            "apps/v1",
            "ReplicaSet",
            "spec:\n  template:\n    spec:\n".to_string() + &indent(containers, 6),
        ),
        (
            "batch/v1",
            "Job",
            "spec:\n  template:\n    spec:\n".to_string() + &indent(containers, 6),
        ),
        (
            "batch/v1",
            "CronJob",
            "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n".to_string() + &indent(containers, 10),
        ),
        ("v1", "Pod", "spec:\n".to_string() + &indent(containers, 2)),
    ];
    let mut text = String::new();
    for (api, kind, spec) in &kinds {
        text.push_str(&format!(
            "---\napiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\n{spec}"
        ));
    }
    let r = one("all.yaml", &text);
    let objects: Vec<&str> = result(&r, "run-as-non-root")
        .findings
        .iter()
        .map(|f| f.object.as_str())
        .collect();
    for (_, kind, _) in &kinds {
        assert!(
            objects.contains(&format!("{kind}/w container c").as_str()),
            "{kind} not checked: {objects:?}"
        );
    }
    // Lines count from the top of the file, document after document.
    for f in &result(&r, "read-only-root-fs").findings {
        let line = text.lines().nth(f.line - 1).unwrap_or_default();
        assert!(line.contains("- name: c"), "{f:?} points at {line:?}");
    }
    // Jobs are not servers: no probes or preStop hooks required.
    let live: Vec<&str> = result(&r, "liveness-probe")
        .findings
        .iter()
        .map(|f| f.object.as_str())
        .collect();
    assert!(
        !live.iter().any(|o| o.starts_with("Job/") || o.starts_with("CronJob/")),
        "{live:?}"
    );
}

#[test]
fn kubernetes_deployment_defaults_count_in_production() {
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: a:1\n";
    let r = evaluate(
        &Artifacts::from_files(&[("d.yaml".into(), yaml.into())]),
        Environment::Production,
    );
    assert!(
        result(&r, "replicas-min-2").findings[0]
            .found
            .contains("replicas not set")
    );
    let ru = &result(&r, "rolling-update-zero-downtime").findings;
    assert!(
        ru.iter().any(|f| f.found.contains("maxUnavailable not set (25%)")),
        "{ru:?}"
    );
}

#[test]
fn an_hpa_replaces_replicas() {
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: c\n          image: a:1\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: d\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: d\n  minReplicas: 2\n  maxReplicas: 5\n";
    let r = evaluate(
        &Artifacts::from_files(&[("d.yaml".into(), yaml.into())]),
        Environment::Production,
    );
    let f = &result(&r, "replicas-min-2").findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 6, "the replicas field the HPA fights: {f:?}");
}

// ---------------------------------------------------------------------------------------
// Files: classification, skipped files, Dockerfile and .dockerignore parsing
// ---------------------------------------------------------------------------------------

#[test]
fn files_are_recognised_by_name_in_any_layout() {
    assert_eq!(kind_of("Dockerfile"), Kind::Dockerfile);
    assert_eq!(kind_of("svc/api.Dockerfile"), Kind::Dockerfile);
    assert_eq!(kind_of("Dockerfile.prod"), Kind::Dockerfile);
    assert_eq!(kind_of("Containerfile"), Kind::Dockerfile);
    assert_eq!(kind_of("svc/api.Dockerfile.dockerignore"), Kind::DockerIgnore);
    assert_eq!(kind_of(".dockerignore"), Kind::DockerIgnore);
    assert_eq!(kind_of("k8s/all.yml"), Kind::Yaml);
    assert_eq!(kind_of("k8s/deploy.json"), Kind::Json);
    assert!(matches!(kind_of("k8s/app.jsonnet"), Kind::Template(_)));
    assert!(matches!(kind_of("k8s/app.yaml.j2"), Kind::Template(_)));
    assert_eq!(kind_of("README.md"), Kind::Other);
}

const POD_JSON: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "from-json", "namespace": "shop"},
  "spec": {
    "containers": [
      {"name": "api", "image": "api:1.0.0", "securityContext": {"runAsUser": 0}}
    ]
  }
}
"#;

const LIST_AND_MORE: &str = "apiVersion: v1
kind: List
items:
  - apiVersion: apps.openshift.io/v1
    kind: DeploymentConfig
    metadata:
      name: dc
    spec:
      selector:
        app: dc
      template:
        metadata:
          labels:
            app: dc
        spec:
          containers:
            - name: app
              image: app:1.0.0
              securityContext:
                privileged: true
  - apiVersion: batch/v1beta1
    kind: CronJob
    metadata:
      name: nightly
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              initContainers:
                - name: setup
                  image: busybox:latest
              containers:
                - name: job
                  image: job:1.0.0
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: app
      image: app:1.0.0
  ephemeralContainers:
    - name: shell
      image: busybox
";

/// A JSON manifest, the items of a `kind: List`, OpenShift's DeploymentConfig, a v1beta1
/// CronJob's init container and an ephemeral container are all judged; an unknown kind, a
/// Jsonnet file and a JSON file that is not Kubernetes are each reported as not checked.
#[test]
fn json_lists_and_every_workload_kind_are_read_or_reported() {
    let a = Artifacts::from_files(&[
        ("k8s/pod.json".into(), POD_JSON.into()),
        ("k8s/all.yaml".into(), LIST_AND_MORE.into()),
        ("k8s/app.jsonnet".into(), "{}".into()),
        ("package.json".into(), "{\"name\": \"x\"}".into()),
    ]);
    let results = evaluate(&a, Environment::Local);
    let found = |gate: &str, object: &str| {
        let g = crate::gates::catalog::find(gate).expect("gate");
        results
            .iter()
            .find(|r| r.gate == g.code)
            .is_some_and(|r| r.findings.iter().any(|f| f.object.contains(object)))
    };
    assert!(found("run-as-non-root", "Pod/shop/from-json container api"));
    assert!(found("no-privileged", "DeploymentConfig/dc container app"));
    assert!(found("image-tag-pinned", "CronJob/nightly init container setup"));
    assert!(found("image-tag-pinned", "Pod/debug ephemeral container shell"));
    // An ephemeral container may not declare probes or resources: those gates leave it alone.
    assert!(!found("resources-requests", "ephemeral container"));
    assert!(!found("liveness-probe", "ephemeral container"));
    let run_as_root = results
        .iter()
        .flat_map(|r| &r.findings)
        .find(|f| f.object.contains("from-json"))
        .expect("a finding on the JSON pod");
    assert_eq!(run_as_root.subject.kind, "Pod");
    assert_eq!(run_as_root.subject.namespace.as_deref(), Some("shop"));
    assert_eq!(run_as_root.subject.name, "from-json");
    let reasons: Vec<String> = a
        .skipped()
        .iter()
        .map(|s| format!("{}:{}: {}", s.file, s.line.unwrap_or(0), s.reason))
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(
        has("k8s/all.yaml:38: Widget/w (example.com/v1): no gate examines the kind `Widget`"),
        "{reasons:#?}"
    );
    assert!(
        has("k8s/app.jsonnet:0: Jsonnet, which sp does not render"),
        "{reasons:#?}"
    );
    assert!(
        has("package.json:0: JSON that is not a Kubernetes object"),
        "{reasons:#?}"
    );
    assert_eq!(reasons.len(), 3, "{reasons:#?}");
}

#[test]
fn what_cannot_be_checked_is_reported() {
    let a = Artifacts::from_files(&[
        ("contracts/x.yaml".into(), "openapi: 3.1.0\n".into()),
        ("compose.yaml".into(), "services: [\n".into()),
        (
            "two.yaml".into(),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nx: 1\n".into(),
        ),
        ("bad.yaml".into(), "apiVersion: v1\na: [\n".into()),
        ("tpl.yaml".into(), "kind: {{ .Values.kind }\n  x: : y\n".into()),
        (
            "d.yaml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n".into(),
        ),
        ("c/Chart.yaml".into(), CHART_YAML.into()),
        ("c/templates/x.yaml".into(), "kind: {{ .Values.kind }}\n".into()),
    ]);
    let reasons: Vec<String> = a
        .skipped()
        .iter()
        .map(|s| match s.line {
            Some(l) => format!("{}:{l}: {}", s.file, s.reason),
            None => format!("{}: {}", s.file, s.reason),
        })
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    // A file that never names an apiVersion holds no object, valid YAML or not.
    assert!(
        has("contracts/x.yaml: no Kubernetes object in this YAML (no apiVersion)"),
        "{reasons:#?}"
    );
    assert!(
        has("compose.yaml: no Kubernetes object in this YAML (no apiVersion)"),
        "{reasons:#?}"
    );
    assert!(has("two.yaml:4: document 2 is not a Kubernetes object"), "{reasons:#?}");
    assert!(has("bad.yaml:2: not valid YAML"), "{reasons:#?}");
    assert!(has("a template must be rendered first"), "{reasons:#?}");
    assert!(has("Deployment/x has no pod spec"), "{reasons:#?}");
    assert!(has("c: Helm templates are not rendered"), "{reasons:#?}");
}

#[test]
fn chart_skip_names_the_raw_manifests_it_relies_on() {
    let a = Artifacts::from_files(&clean());
    let s = a
        .skipped()
        .iter()
        .find(|s| s.file == "shop/helm/shop")
        .expect("chart noted");
    assert!(s.reason.contains("under `shop`"), "{s:?}");
}

#[test]
fn dockerfile_parser_handles_continuations_heredocs_and_escape() {
    let text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine:3.22.2 AS base\nRUN echo a `\n    # a comment inside\n    && echo b\nRUN <<EOF\nset -e\necho c | tee x\nEOF\nUSER 10001\n";
    let d = dockerfile::Dockerfile::parse("Dockerfile", text);
    let kw: Vec<(&str, usize)> = d.instrs.iter().map(|i| (i.keyword.as_str(), i.line)).collect();
    assert_eq!(kw, [("FROM", 3), ("RUN", 4), ("RUN", 7), ("USER", 11)]);
    assert_eq!(d.instrs[1].args, "echo a && echo b");
    assert!(d.instrs[2].args.contains("echo c | tee x"));
    assert_eq!(d.stages.len(), 1);
}

#[test]
fn from_uses_build_argument_defaults() {
    let text = "ARG NODE=24.11-alpine3.22\nARG BASE\nFROM node:${NODE} AS build\nFROM ${BASE} AS runtime\nUSER 1\n";
    let d = dockerfile::Dockerfile::parse("Dockerfile", text);
    assert_eq!(d.stages[0].base, "node:24.11-alpine3.22");
    let mut acc = Acc::new("G118", crate::gates::catalog::Scope::Kubernetes);
    let input = Input {
        objects: &[],
        dockerfiles: &[d],
        dockerignores: &[],
        charts: &[],
        production: None,
    };
    images::image_tag_pinned(&input, &mut acc);
    assert!(acc.findings.is_empty(), "{:?}", acc.findings);
    assert!(acc.evidence.iter().any(|e| e.found.contains("not verified")));
}

/// A secret-like name in an ARG fails, unless the bundler inlines it into the browser's
/// JavaScript (`NEXT_PUBLIC_…_KEY`), where every visitor reads it anyway; a credential value
/// fails whatever the name.
#[test]
fn browser_public_build_arguments_are_not_secrets() {
    let run = |text: &str| {
        let d = dockerfile::Dockerfile::parse("Dockerfile", text);
        let mut acc = Acc::new("G126", crate::gates::catalog::Scope::Kubernetes);
        let input = Input {
            objects: &[],
            dockerfiles: &[d],
            dockerignores: &[],
            charts: &[],
            production: None,
        };
        secrets::no_secret_env_literals(&input, &mut acc);
        acc.findings.len()
    };
    let base = "FROM node:24.11-alpine3.22 AS build\n";
    assert_eq!(
        run(&format!(
            "{base}ARG NEXT_PUBLIC_CHATKIT_DOMAIN_KEY=\"localhost\"\nUSER 1\n"
        )),
        0
    );
    assert_eq!(run(&format!("{base}ARG VITE_MAPS_API_KEY\nUSER 1\n")), 0);
    assert_eq!(run(&format!("{base}ARG STRIPE_SECRET_KEY\nUSER 1\n")), 1);
    assert_eq!(
        run(&format!("{base}ENV NEXT_PUBLIC_API_KEY=x\nUSER 1\n")),
        1,
        "ENV stays in the running image"
    );
    assert_eq!(
        run(&format!(
            "{base}ARG NEXT_PUBLIC_DB=\"postgres://u:hunter2@db:5432/x\"\nUSER 1\n"
        )),
        1
    );
}

#[test]
fn dockerignore_patterns_match_like_docker() {
    let ig = dockerfile::ignore::DockerIgnore::parse(
        ".dockerignore",
        "# c\n**/node_modules\n.env*\n!.env.example\n/.git\n*.pem\nsecrets/\n",
    );
    for p in [
        "node_modules",
        "web/node_modules",
        ".env",
        ".env.local",
        ".git",
        "key.pem",
        "secrets/x",
    ] {
        assert!(ig.excludes(p), "{p}");
    }
    for p in [".env.example", "src/main.rs", "web/key.pem"] {
        assert!(!ig.excludes(p), "{p}");
    }
}

#[test]
fn secret_names_and_values() {
    for n in [
        "OPENAI_API_KEY",
        "DB_PASSWORD",
        "githubToken",
        "BETTER_AUTH_SECRET",
        "aws-secret-access-key",
        "NPM_TOKEN",
    ] {
        assert!(secrets::secretish(n), "{n}");
    }
    for n in [
        "OPENAI_API_KEY_FILE",
        "TOKEN_URL",
        "LOG_LEVEL",
        "PASSWORD_MIN_LENGTH",
        "SECRET_NAME",
        "KEYCLOAK_URL",
        "JWT_PUBLIC_KEY",
    ] {
        assert!(!secrets::secretish(n), "{n}");
    }
    assert!(secrets::credential_value("postgres://u:p4ss@db:5432/x").is_some());
    assert!(secrets::credential_value("postgres://u@db:5432/x").is_none());
    assert!(secrets::credential_value("http://backend:8000").is_none());
    assert!(secrets::credential_value("-----BEGIN RSA PRIVATE KEY-----\nabc").is_some());
}

#[test]
fn quantities_and_image_references() {
    assert_eq!(parse::quantity("500m"), Some(0.5));
    assert_eq!(parse::quantity("128Mi"), Some(128.0 * 1024.0 * 1024.0));
    assert_eq!(parse::quantity("1G"), Some(1e9));
    assert_eq!(parse::quantity("2"), Some(2.0));
    assert_eq!(parse::quantity("lots"), None);
    let r = parse::image_ref("localhost:5000/team/api:1.2@sha256:abc");
    assert_eq!(
        (r.name.as_str(), r.tag.as_deref(), r.digest.as_deref()),
        ("localhost:5000/team/api", Some("1.2"), Some("sha256:abc"))
    );
    assert_eq!(parse::image_ref("localhost:5000/api").tag, None);
}

#[test]
fn yaml_nodes_keep_positions_styles_and_aliases() {
    let (docs, errors) = crate::yaml::parse_nodes("a: &x\n  b: \"1\"\nc: *x\n---\n- 1\n- yes\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(docs.len(), 2);
    let b = parse::path(&docs[0].root, &["c", "b"]).expect("alias expanded");
    assert_eq!(parse::scalar(b), Some(("1", false)));
    let (k, _) = parse::entry(&docs[0].root, "c").expect("c");
    assert_eq!((k.line, k.column), (3, 1));
    assert_eq!(docs[1].start_line, 4);
    assert_eq!(parse::as_bool(&parse::items(&docs[1].root)[1]), Some(true));
}

#[test]
fn values_merge_like_helm() {
    let base = crate::yaml::parse_nodes("a: 1\nb:\n  c: 2\n  d: 3\n").0.remove(0).root;
    let over = crate::yaml::parse_nodes("b:\n  c: 5\n  d: null\ne: x\n")
        .0
        .remove(0)
        .root;
    let mut v = schema::Val::from_node(&base, 0);
    schema::merge(&mut v, &schema::Val::from_node(&over, 1));
    assert_eq!(
        v.lookup(&["b", "c"]).map(|(v, _)| (v.as_i64(), v.file)),
        Some((Some(5), 1))
    );
    assert!(v.lookup(&["b", "d"]).is_none(), "null removes the key");
    assert_eq!(v.lookup(&["a"]).and_then(|(v, _)| v.as_i64()), Some(1));
}

// ---------------------------------------------------------------------------------------
// Robustness and determinism
// ---------------------------------------------------------------------------------------

#[test]
fn no_input_makes_it_panic() {
    let inputs: Vec<String> = vec![
        String::new(),
        "\0\u{1}\u{2}garbage\u{fffd}".into(),
        "- a\n- b\n".into(),
        "just a scalar".into(),
        "apiVersion: apps/v1\nkind: Deployment\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nspec: 3\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: 7\n".into(),
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - 1\n        - []\n        - name: [x]\n          image: {a: b}\n          securityContext: []\n          resources: {limits: {memory: \"-1\"}, requests: {memory: x}}\n          ports: [{containerPort: [1]}]\n          livenessProbe: {httpGet: {port: {}}}\n          lifecycle: {preStop: {exec: {command: [sleep, x]}}}\n".into(),
        "apiVersion: v1\nkind: ConfigMap\ndata: [1, 2]\n".into(),
        "apiVersion: v1\nkind: Service\nspec:\n  selector: [a]\n".into(),
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  selector:\n    matchExpressions: [{key: a, operator: Bogus}]\n  minAvailable: 200%\n".into(),
        "a: &a [*a, *a]\n".into(),
        format!("{}{}", "[".repeat(300), "]".repeat(300)),
        "x:\n".repeat(2000),
        "---\n---\n...\n---\n".into(),
        "a: b: c\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: 'a:1'}]}\n".into(),
    ];
    let dockerfiles = [
        "",
        "FROM",
        "RUN \\",
        "FROM a AS\nUSER\nHEALTHCHECK\nCMD [\"unterminated\nADD\nWORKDIR\nRUN <<\nRUN <<EOF\nno end",
        "# escape=\nFROM x:1 AS a\nFROM a\nCOPY --from= . .\nENV\nARG =\nRUN apt-get install\nRUN pip install -r\n",
        "FROM ${A:-${B}}\nRUN curl -\u{e9}k | | sh\n",
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    for (i, t) in inputs.iter().enumerate() {
        files.push((format!("k/{i}.yaml"), t.clone()));
        files.push((format!("c{i}/Chart.yaml"), t.clone()));
        files.push((format!("c{i}/values.yaml"), t.clone()));
        files.push((format!("c{i}/values-production.yaml"), t.clone()));
        files.push((
            format!("c{i}/values.schema.json"),
            if i % 2 == 0 { t.clone() } else { SCHEMA.into() },
        ));
        files.push((format!("c{i}/templates/tests/t.yaml"), t.clone()));
        files.push((format!("c{i}/templates/NOTES.txt"), t.clone()));
    }
    for (i, t) in dockerfiles.iter().enumerate() {
        files.push((format!("d/{i}.Dockerfile"), t.to_string()));
        files.push((format!("d/{i}.Dockerfile.dockerignore"), t.to_string()));
    }
    let a = Artifacts::from_files(&files);
    assert!(!a.objects.is_empty() && !a.dockerfiles.is_empty() && !a.charts.is_empty());
    for env in [Environment::Local, Environment::Production] {
        assert_eq!(evaluate(&a, env).len(), GATES.len());
    }
    // A Chart.yaml at the root makes everything one chart.
    files.push(("Chart.yaml".into(), "name: x".into()));
    let a = Artifacts::from_files(&files);
    assert_eq!(a.charts.len(), inputs.len() + 1);
    assert_eq!(evaluate(&a, Environment::Production).len(), GATES.len());
}

#[test]
fn results_are_deterministic_and_independent_of_file_order() {
    let files = clean();
    let mut reversed = files.clone();
    reversed.reverse();
    let a =
        serde_json::to_string(&evaluate(&Artifacts::from_files(&files), Environment::Production)).unwrap_or_default();
    let b = serde_json::to_string(&evaluate(&Artifacts::from_files(&reversed), Environment::Production))
        .unwrap_or_default();
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------------------
// The generated examples and the planted violations, read from the repository
// ---------------------------------------------------------------------------------------

/// The deployables of one generated feature folder: docker/, k8s/ and helm/.
fn feature_artifacts(feature: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sub in ["docker", "k8s", "helm"] {
        out.extend(read_tree(feature, &feature.join(sub)));
    }
    out
}

fn generated_features() -> Vec<std::path::PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![repo.join("out")];
    if let Ok(ws) = std::fs::read_dir(repo.join("tests/workspaces")) {
        let mut ws: Vec<_> = ws.filter_map(|e| e.ok().map(|e| e.path().join("out"))).collect();
        ws.sort();
        roots.extend(ws);
    }
    let mut features = Vec::new();
    for r in roots {
        let Ok(entries) = std::fs::read_dir(&r) else { continue };
        let mut fs: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        fs.sort();
        features.extend(fs);
    }
    features
}

/// Findings on the generated examples that are real gaps of the generator, not false
/// positives: (example folder suffix, gate, object). Remove a line when the generator is
/// fixed; the test fails on any finding not listed here.
/// (Empty: the last entries, spread-replicas on go-redis-kind's api and worker, went away when
/// the generator added topologySpreadConstraints.)
const KNOWN_GENERATOR_GAPS: &[(&str, &str, &str)] = &[];

#[test]
fn generated_examples_pass_every_gate() {
    let features = generated_features();
    assert!(!features.is_empty(), "no generated examples found");
    let mut report = String::new();
    for f in &features {
        let files = feature_artifacts(f);
        if files.is_empty() {
            continue;
        }
        let shown = f.display().to_string();
        let a = Artifacts::from_files(&files);
        let mut results: Vec<(GateResult, &str)> = evaluate(&a, Environment::Local)
            .into_iter()
            .map(|r| (r, "local"))
            .collect();
        if !a.charts.is_empty() {
            results.extend(
                evaluate(&a, Environment::Production)
                    .into_iter()
                    .filter(|r| is_production_gate(r.gate))
                    .map(|r| (r, "production")),
            );
        }
        for (r, env) in &results {
            for finding in &r.findings {
                let known = KNOWN_GENERATOR_GAPS
                    .iter()
                    .any(|(ex, gate, obj)| shown.ends_with(ex) && code(gate) == finding.gate && finding.object == *obj);
                if !known {
                    report.push_str(&format!(
                        "{shown} ({env}): {} {}:{} {} — {}\n",
                        finding.gate, finding.file, finding.line, finding.object, finding.message
                    ));
                }
            }
        }
    }
    assert!(report.is_empty(), "generated examples fail gates:\n{report}");
}

/// (gate code, file, line) of every `planted:` marker under `dir` (see scripts/planted-report).
fn planted_markers(dir: &Path) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for (file, text) in read_tree(dir, dir) {
        for (i, line) in text.lines().enumerate() {
            let Some(p) = line.find("planted:") else { continue };
            let t = line.trim();
            let target = if t.starts_with("# planted:") || t.starts_with("{{/* planted:") {
                i + 2
            } else {
                i + 1
            };
            for word in line[p + 8..].split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
                if word.len() == 4 && word.starts_with('G') && word[1..].bytes().all(|b| b.is_ascii_digit()) {
                    out.push((word.to_string(), file.clone(), target));
                }
            }
        }
    }
    out
}

#[test]
fn every_planted_violation_is_found() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gates/planted");
    let markers = planted_markers(&dir);
    assert!(markers.len() > GATES.len(), "planted markers: {}", markers.len());
    let a = Artifacts::from_files(&read_tree(&dir, &dir));
    let local = evaluate(&a, Environment::Local);
    let prod = evaluate(&a, Environment::Production);
    let mut missed = Vec::new();
    for (gate, file, line) in &markers {
        let pool = if is_production_gate(gate) { &prod } else { &local };
        let hit = pool
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.gate == gate && f.file == *file && f.line == *line);
        if !hit {
            missed.push(format!("{gate} {file}:{line}"));
        }
    }
    assert!(
        missed.is_empty(),
        "planted violations sp does not find:\n{}",
        missed.join("\n")
    );
    for g in GATES {
        assert!(
            markers.iter().any(|(c, _, _)| c == g.code),
            "nothing planted for {} {}",
            g.code,
            g.name
        );
    }
}

/// Mutated copies of real artifacts (lines dropped, duplicated or re-indented, text cut or
/// spliced with multi-byte characters at random places): nothing panics. Deterministic.
#[test]
fn mutated_artifacts_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gates/planted");
    let mut base = clean();
    base.extend(
        read_tree(&dir, &dir)
            .into_iter()
            .map(|(p, t)| (format!("planted/{p}"), t)),
    );
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let splices = [
        "é", "—", "{{", "}}", ":", " - ", "\t", "#", "\"", "'", "[", "]", "&a", "*a", "\\", "\n---\n", "\u{0}", "${X",
        "|",
    ];
    for round in 0..60 {
        let mut files = base.clone();
        for _ in 0..8 {
            let i = next(files.len());
            let text = std::mem::take(&mut files[i].1);
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mutated = match next(5) {
                0 if !lines.is_empty() => {
                    lines.remove(next(lines.len()));
                    lines.join("\n")
                }
                1 if !lines.is_empty() => {
                    let l = next(lines.len());
                    let dup = lines[l].clone();
                    lines.insert(l, dup);
                    lines.join("\n")
                }
                2 if !lines.is_empty() => {
                    let l = next(lines.len());
                    lines[l] = format!("{}{}", " ".repeat(next(5)), lines[l].trim_start());
                    lines.join("\n")
                }
                3 => {
                    let cut: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                    let at = cut.get(next(cut.len())).copied().unwrap_or(0);
                    text[..at].to_string()
                }
                _ => {
                    let cut: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                    let at = cut[next(cut.len())];
                    format!("{}{}{}", &text[..at], splices[next(splices.len())], &text[at..])
                }
            };
            files[i].1 = mutated;
        }
        let a = Artifacts::from_files(&files);
        let env = if round % 2 == 0 {
            Environment::Local
        } else {
            Environment::Production
        };
        assert_eq!(evaluate(&a, env).len(), GATES.len());
    }
}

/// Each TLS rule by the line it must flag, and the lines that must stay clean: packages named
/// `strict-ssl` and `false`, a certificate bundle, `--strict-ssl=true`.
#[test]
fn tls_verification_rules_are_exact() {
    let flagged = [
        (
            "RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci",
            "node-tls-reject-unauthorized",
        ),
        (
            "RUN NODE_TLS_REJECT_UNAUTHORIZED='0' node fetch.js",
            "node-tls-reject-unauthorized",
        ),
        (
            "RUN export PYTHONHTTPSVERIFY=0 && python3 fetch.py",
            "python-https-verify-off",
        ),
        ("ENV PYTHONHTTPSVERIFY=0", "python-https-verify-off"),
        ("ENV PYTHONHTTPSVERIFY \"0\"", "python-https-verify-off"),
        ("ARG NODE_TLS_REJECT_UNAUTHORIZED=0", "node-tls-reject-unauthorized"),
        (
            "RUN GIT_SSL_NO_VERIFY=true git clone https://example.com/r.git",
            "git-ssl-no-verify",
        ),
        ("ENV GIT_SSL_NO_VERIFY=1", "git-ssl-no-verify"),
        ("RUN NPM_CONFIG_STRICT_SSL=false npm ci", "npm-strict-ssl-off"),
        ("RUN npm_config_strict_ssl=false npm ci", "npm-strict-ssl-off"),
        ("RUN npm config set strict-ssl false", "npm-strict-ssl-off"),
        ("RUN yarn config set strict-ssl false", "npm-strict-ssl-off"),
        ("RUN npm ci --strict-ssl=false", "npm-strict-ssl-off"),
        (
            "RUN PIP_TRUSTED_HOST=pypi.org pip install -r requirements.txt",
            "pip-trusted-host",
        ),
        (
            "RUN pip install --trusted-host pypi.org -r requirements.txt",
            "pip-trusted-host",
        ),
        ("RUN curl -sk https://example.com/x -o /x", "curl-insecure"),
        (
            "RUN wget --no-check-certificate https://example.com/x",
            "wget-no-check-certificate",
        ),
        (
            "RUN git -c http.sslVerify=false clone https://example.com/r.git",
            "git-ssl-verify-off",
        ),
        ("RUN git config --global http.sslVerify false", "git-ssl-verify-off"),
        (
            "RUN yum-config-manager --save --setopt=sslverify=false",
            "yum-sslverify-off",
        ),
        ("RUN dnf install -y --setopt=*.sslverify=0 tar", "yum-sslverify-off"),
        ("RUN echo 'sslverify=false' >> /etc/yum.conf", "yum-sslverify-off"),
    ];
    let clean = [
        "RUN npm install strict-ssl false",
        "RUN npm ci --strict-ssl=true",
        "RUN NODE_TLS_REJECT_UNAUTHORIZED=1 npm ci",
        "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/corp.pem",
        "RUN curl -fsSL https://example.com/x -o /x",
        "RUN git config --global http.sslVerify true",
        "RUN echo sslverify=true >> /etc/yum.conf",
        "RUN yum-config-manager --save || echo \"--setopt=sslverify=0\"",
        "RUN NODE_TLS_REJECT_UNAUTHORIZED=\"0\\\"\" node app.js",
    ];
    let run = |line: &str| {
        let text = format!("FROM alpine:3.22.2\n{line}\n");
        let a = Artifacts::from_files(&[("x.Dockerfile".into(), text)]);
        let g = crate::gates::catalog::find("dockerfile-tls-verification").unwrap();
        evaluate(&a, Environment::Local)
            .into_iter()
            .find(|r| r.gate == g.code)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.line, f.rule))
            .collect::<Vec<_>>()
    };
    for (line, rule) in flagged {
        assert_eq!(run(line), vec![(2, rule)], "{line}");
    }
    for line in clean {
        assert_eq!(run(line), vec![], "{line}");
    }
}

/// yum/dnf/tdnf --nogpgcheck, rpm --nodigest and friends fail dockerfile-package-signatures.
#[test]
fn package_signature_rules_are_exact() {
    let flagged = [
        ("RUN yum install -y --nogpgcheck tool", "yum-nogpgcheck"),
        ("RUN dnf install -y --nogpgcheck tool", "yum-nogpgcheck"),
        ("RUN tdnf install -y --nogpgcheck tool", "yum-nogpgcheck"),
        ("RUN dnf install -y --setopt=gpgcheck=0 tool", "yum-nogpgcheck"),
        ("RUN rpm -i --nodigest tool.rpm", "rpm-no-verify"),
        ("RUN rpm -Uvh --nosignature tool.rpm", "rpm-no-verify"),
        (
            "RUN apt-get install -y --allow-unauthenticated tool=1.0",
            "apt-allow-unauthenticated",
        ),
        ("RUN apt-get install -y --force-yes tool=1.0", "apt-force-yes"),
        ("RUN apk add --allow-untrusted /tmp/tool.apk", "apk-allow-untrusted"),
    ];
    let run = |line: &str| {
        let text = format!("FROM alpine:3.22.2\n{line}\n");
        let a = Artifacts::from_files(&[("x.Dockerfile".into(), text)]);
        let g = crate::gates::catalog::find("dockerfile-package-signatures").unwrap();
        evaluate(&a, Environment::Local)
            .into_iter()
            .find(|r| r.gate == g.code)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.rule)
            .collect::<Vec<_>>()
    };
    for (line, rule) in flagged {
        assert_eq!(run(line), vec![rule], "{line}");
    }
    assert_eq!(run("RUN dnf install -y tool-1.0"), Vec::<&str>::new());
    assert_eq!(run("RUN rpm --import /etc/pki/key.asc"), Vec::<&str>::new());
}

/// docs/planted-violations.md (written by scripts/planted-report) names exactly the gates of
/// the catalog, by their current code and name: no retired gate, none missing.
#[test]
fn planted_report_agrees_with_the_catalog() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/planted-violations.md"))
        .expect("docs/planted-violations.md");
    let mut named: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| G"))
        .filter_map(|l| {
            let cell = l.split(" |").next()?;
            let (code, name) = cell.split_once(' ')?;
            Some((format!("G{code}"), name.to_string()))
        })
        .collect();
    named.dedup();
    for (code, name) in &named {
        let g = crate::gates::catalog::find(code).unwrap_or_else(|| panic!("{code} {name} is not a gate"));
        assert_eq!(g.name, name, "{code}");
    }
    for g in GATES {
        assert!(
            named.iter().any(|(c, _)| c == g.code),
            "{} {} has no row",
            g.code,
            g.name
        );
    }
}

/// The generated chart's schema holds patterns (names, quantities, digests): a value that
/// breaks one is found at its line, with the pattern in the message.
#[test]
fn values_breaking_a_schema_pattern_are_found() {
    let feature = Path::new(env!("CARGO_MANIFEST_DIR")).join("out/006-k8s-deployment");
    let mut files = feature_artifacts(&feature);
    let schema = files
        .iter()
        .find(|(p, _)| p.ends_with("/values.schema.json"))
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    assert!(
        schema.matches("\"pattern\"").count() > 30,
        "the chart's schema has its patterns"
    );
    let before = evaluate(&Artifacts::from_files(&files), Environment::Local);
    assert_eq!(result(&before, "helm-values-schema").status, Outcome::Pass);

    let (path, text) = files
        .iter_mut()
        .find(|(p, _)| p.ends_with("helm/todo-chatbot/values.yaml"))
        .expect("the example chart's values.yaml");
    let line = text
        .lines()
        .position(|l| l.trim() == "memory: 128Mi")
        .expect("a memory request")
        + 1;
    *text = text.replacen("memory: 128Mi", "memory: 128 megabytes", 1);
    let path = path.clone();
    let after = evaluate(&Artifacts::from_files(&files), Environment::Local);
    let r = result(&after, "helm-values-schema");
    assert_eq!(r.status, Outcome::Fail);
    let f = r
        .findings
        .iter()
        .find(|f| f.file == path && f.line == line)
        .unwrap_or_else(|| panic!("no finding at {path}:{line}: {:#?}", r.findings));
    assert_eq!(f.rule, "values-violate-schema");
    assert!(f.message.contains("must match the pattern `^[0-9]+"), "{}", f.message);
    assert_eq!(f.found, "memory: \"128 megabytes\"");
}

/// `format` is checked too.
#[test]
fn values_breaking_a_schema_format_are_found() {
    let mut files = clean();
    for (p, t) in files.iter_mut() {
        if p.ends_with("values.schema.json") {
            *t = t.replacen(
                "\"tag\": {\"type\": \"string\"}",
                "\"tag\": {\"type\": \"string\", \"format\": \"date\"}",
                1,
            );
        }
    }
    let r = evaluate(&Artifacts::from_files(&files), Environment::Local);
    let f = &result(&r, "helm-values-schema").findings;
    assert!(
        f.iter()
            .any(|f| f.file.ends_with("shop/values.yaml") && f.message == "image.tag: image.tag must be a valid `date`"),
        "{f:#?}"
    );
}
