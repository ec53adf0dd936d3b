//! The gates of [`super::catalog`] evaluated on artifacts: Dockerfiles, `.dockerignore`
//! files, Kubernetes manifests and Helm charts, whether `sp` generated them or a user's
//! folder holds them (`sp check --artifacts DIR`).
//!
//! [`Artifacts::from_files`] sorts the files it is given by what they are (any layout works)
//! and parses them once; [`evaluate`] runs every gate of the catalog and returns one result
//! per gate, in catalog order, each with the findings that fail it (file, line and column
//! of the offending key) or the evidence that passed it. Nothing here reads the disk, and no
//! input can make it panic.
//!
//! Kubernetes gates judge the effective security context (a container's setting overrides
//! its pod's), every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
//! CronJob, Pod) and init containers too. Helm templates are not rendered: the Kubernetes
//! gates judge the raw manifests beside the chart (sp's chart renders the same objects), and
//! [`Artifacts::skipped`] says so.
//!
//! Three gates are about production and are off for [`Environment::Local`]:
//! replicas-min-2, rolling-update-zero-downtime and pdb-present-and-sane. Under
//! [`Environment::Production`] the raw manifests describe the local environment, so where a
//! chart covers them (sp's layout: `<feature>/k8s/` and `<feature>/helm/<chart>/`; any
//! chart in the same folder or a `helm/` or `charts/` folder beside the manifests) the
//! replicas, rollout and disruption-budget settings come from the chart's values.yaml with
//! values-production.yaml layered over it — see [`chart::Production`] for the keys read.

mod chart;
mod docker;
mod k8s;
mod parse;
mod schema;
#[cfg(test)]
mod tests;

use serde::Serialize;

use super::catalog::{GATES, Scope};
pub use parse::Subject;
use parse::{Object, Pos};

/// Something that could not be parsed or checked, reported rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    /// The line of the document or object not checked (None: the whole file).
    pub line: Option<usize>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The gate's code (`G101`).
    pub gate: &'static str,
    /// The rule within the gate that failed (`run-as-user-zero`), kebab-case, stable.
    pub rule: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// What the finding is about: kind, namespace and name of the object (or `Dockerfile`
    /// and its file, `Chart` and its name) and the part of it (`container api`, `stage runtime`).
    pub subject: Subject,
    /// The subject as one phrase: `Deployment/api container api`, `Dockerfile/api.Dockerfile stage runtime`.
    pub object: String,
    pub message: String,
    /// What was found, as written (`runAsUser: 0`, `FROM node:latest`, `no readinessProbe`).
    pub found: String,
}

/// What a passing check examined: `runAsNonRoot: true` at k8s/30-api-deployment.yaml:71.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub file: String,
    pub line: usize,
    pub object: String,
    pub found: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Pass,
    Fail,
    /// Nothing in the artifacts for this gate to look at (or the gate is off for the
    /// environment).
    NotApplicable,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub gate: &'static str,
    pub status: Outcome,
    pub findings: Vec<Finding>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Production,
}

/// Every artifact found, parsed.
#[derive(Debug, Default)]
pub struct Artifacts {
    objects: Vec<Object>,
    dockerfiles: Vec<docker::Dockerfile>,
    dockerignores: Vec<docker::DockerIgnore>,
    charts: Vec<chart::Chart>,
    skipped: Vec<Skipped>,
    /// Files that are none of the above by name (source code, docs): not artifacts.
    other_files: usize,
}

/// What a file is, from its path alone.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Dockerfile,
    DockerIgnore,
    Yaml,
    Json,
    /// A manifest written in a template language sp does not render.
    Template(&'static str),
    Other,
}

fn kind_of(path: &str) -> Kind {
    let base = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if base.ends_with(".dockerignore") {
        Kind::DockerIgnore
    } else if base == "dockerfile"
        || base == "containerfile"
        || base.ends_with(".dockerfile")
        || base.ends_with(".containerfile")
        || base.starts_with("dockerfile.")
    {
        Kind::Dockerfile
    } else if base.ends_with(".yaml") || base.ends_with(".yml") {
        Kind::Yaml
    } else if base.ends_with(".json") {
        Kind::Json
    } else if let Some(lang) = TEMPLATE_EXTENSIONS
        .iter()
        .find(|(ext, _)| base.ends_with(ext))
        .map(|(_, lang)| *lang)
    {
        Kind::Template(lang)
    } else {
        Kind::Other
    }
}

/// Whether a file is an artifact by its name (a Dockerfile, a `.dockerignore`, a manifest, a
/// chart file, a templated manifest): what must be checked or reported.
pub fn is_artifact_name(path: &str) -> bool {
    kind_of(path) != Kind::Other
}

/// Manifests written in a template language: reported as not checked, never dropped.
const TEMPLATE_EXTENSIONS: &[(&str, &str)] = &[
    (".yaml.tmpl", "a Go template"),
    (".yml.tmpl", "a Go template"),
    (".yaml.gotmpl", "a Go template"),
    (".yaml.j2", "a Jinja template"),
    (".yml.j2", "a Jinja template"),
    (".yaml.jinja", "a Jinja template"),
    (".jsonnet", "Jsonnet"),
    (".libsonnet", "Jsonnet"),
    (".cue", "CUE"),
    (".dhall", "Dhall"),
    (".pkl", "Pkl"),
    (".k", "KCL"),
];

/// The folder part of a path ("" for a file at the root).
fn dir_of(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

fn under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

impl Artifacts {
    /// `files`: (path relative to some root, text). Paths may be any layout: sp's own
    /// (`<feature>/k8s/*.yaml`, `<feature>/docker/<c>.Dockerfile` with
    /// `<c>.Dockerfile.dockerignore` beside it, `<feature>/helm/<chart>/…`) or a user's
    /// folder: any `*.yaml`/`*.yml` holding Kubernetes objects (multi-document files
    /// included), any `Dockerfile`, `*.Dockerfile`, `Dockerfile.*` (or Containerfile), any
    /// `.dockerignore` or `<x>.Dockerfile.dockerignore`, any folder with a `Chart.yaml`.
    pub fn from_files(files: &[(String, String)]) -> Artifacts {
        let mut files: Vec<(String, &str)> = files
            .iter()
            .map(|(p, t)| (p.replace('\\', "/").trim_start_matches("./").to_string(), t.as_str()))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);

        let mut a = Artifacts::default();
        // Chart roots: folders with a Chart.yaml. A file belongs to the deepest one.
        let mut roots: Vec<String> = files
            .iter()
            .filter(|(p, _)| matches!(p.rsplit('/').next(), Some("Chart.yaml" | "Chart.yml")))
            .map(|(p, _)| dir_of(p).to_string())
            .collect();
        roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
        let mut chart_files: Vec<Vec<(String, &str)>> = vec![Vec::new(); roots.len()];

        for (path, text) in &files {
            if let Some(i) = roots.iter().position(|r| under(path, r)) {
                let rel = if roots[i].is_empty() {
                    path.as_str()
                } else {
                    &path[roots[i].len() + 1..]
                };
                chart_files[i].push((rel.to_string(), text));
                continue;
            }
            match kind_of(path) {
                Kind::Dockerfile => a.dockerfiles.push(docker::Dockerfile::parse(path, text)),
                Kind::DockerIgnore => a.dockerignores.push(docker::DockerIgnore::parse(path, text)),
                Kind::Yaml => a.read_manifest(path, text, false),
                Kind::Json => a.read_manifest(path, text, true),
                Kind::Template(lang) => a.skipped.push(Skipped {
                    file: path.clone(),
                    line: None,
                    reason: format!("{lang}, which sp does not render: render it and check the output"),
                }),
                Kind::Other => a.other_files += 1,
            }
        }
        for (root, files) in roots.iter().zip(chart_files) {
            a.charts.push(chart::Chart::load(root, &files));
        }
        a.charts.sort_by(|x, y| x.root.cmp(&y.root));
        for c in &a.charts {
            let scope = c.scope();
            let covered = a.objects.iter().filter(|o| under(&o.file, scope)).count();
            let reason = if covered > 0 {
                format!(
                    "Helm templates are not rendered: the Kubernetes gates judged the {covered} objects of the raw manifests under `{}`, which the chart renders object for object",
                    if scope.is_empty() { "." } else { scope }
                )
            } else {
                format!(
                    "Helm templates are not rendered and no raw manifests sit beside the chart: run `helm template {} -f values-local.yaml` and check its output with `sp check --artifacts` for the Kubernetes gates",
                    if c.root.is_empty() { "." } else { &c.root }
                )
            };
            a.skipped.push(Skipped {
                file: c.display(),
                line: None,
                reason,
            });
        }
        a.skipped.sort_by(|x, y| (&x.file, x.line).cmp(&(&y.file, y.line)));
        a
    }

    fn read_manifest(&mut self, path: &str, text: &str, json: bool) {
        let skip = |reason: String| Skipped {
            file: path.into(),
            line: None,
            reason,
        };
        if text.contains('\0') {
            self.skipped.push(skip("binary content, not YAML or JSON".into()));
            return;
        }
        // JSON is YAML (1.2 flow style), so one parser reads both and keeps positions.
        let (docs, errors) = crate::yaml::parse_nodes(text);
        for e in errors {
            let hint = if text.contains("{{") {
                "; a template must be rendered first"
            } else {
                ""
            };
            self.skipped.push(Skipped {
                file: path.into(),
                line: e.line,
                reason: format!("not valid {}: {}{hint}", if json { "JSON" } else { "YAML" }, e.message),
            });
        }
        for (i, d) in docs.into_iter().enumerate() {
            if parse::is_null(&d.root) {
                continue;
            }
            let line = d.start_line.max(1);
            match Object::from_node(path, d.root) {
                Some(o) if o.kind.ends_with("List") && parse::get(&o.root, "items").is_some() => {
                    // `kind: List` (and `DeploymentList`…): its items are the objects.
                    let items = parse::get(&o.root, "items").map(parse::items).unwrap_or_default();
                    for (j, item) in items.iter().enumerate() {
                        let at = parse::Pos::of(item).line;
                        match Object::from_node(path, item.clone()) {
                            Some(o) => self.add_object(o),
                            None => self.skipped.push(Skipped {
                                file: path.into(),
                                line: Some(at),
                                reason: format!(
                                    "item {} of the {} is not a Kubernetes object (no apiVersion and kind)",
                                    j + 1,
                                    o.kind
                                ),
                            }),
                        }
                    }
                }
                Some(o) => self.add_object(o),
                None if json && i == 0 => self.skipped.push(Skipped {
                    file: path.into(),
                    line: None,
                    reason: "JSON that is not a Kubernetes object (no apiVersion and kind)".into(),
                }),
                None => self.skipped.push(Skipped {
                    file: path.into(),
                    line: Some(line),
                    reason: format!("document {} is not a Kubernetes object (no apiVersion and kind)", i + 1),
                }),
            }
        }
    }

    /// Keep an object, and say so when no gate can look at it.
    fn add_object(&mut self, o: Object) {
        let line = Some(o.pos().line);
        if o.is_workload() && o.pod().is_none() {
            self.skipped.push(Skipped {
                file: o.file.clone(),
                line,
                reason: format!("{} has no pod spec to check", o.subject()),
            });
        } else if o.pod().is_some_and(|p| p.containers().is_empty()) {
            self.skipped.push(Skipped {
                file: o.file.clone(),
                line,
                reason: format!("{} has no containers to check", o.subject()),
            });
        } else if !o.is_workload() && !parse::EXAMINED_KINDS.contains(&o.kind.as_str()) {
            let api = parse::get_str(&o.root, "apiVersion").unwrap_or_default();
            self.skipped.push(Skipped {
                file: o.file.clone(),
                line,
                reason: format!("{} ({api}): no gate examines the kind `{}`", o.subject(), o.kind),
            });
        }
        self.objects.push(o);
    }

    /// What could not be parsed or checked (a YAML file that is not Kubernetes, a chart
    /// template that needs rendering), to report, never to drop.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// What was read, for the summary line: objects, Dockerfiles, .dockerignore files, charts,
    /// and files that are not artifacts by their name.
    pub fn counts(&self) -> [(usize, &'static str); 5] {
        [
            (self.objects.len(), "Kubernetes objects"),
            (self.dockerfiles.len(), "Dockerfiles"),
            (self.dockerignores.len(), ".dockerignore files"),
            (self.charts.len(), "charts"),
            (self.other_files, "other files (not artifacts by name)"),
        ]
    }

    /// Whether nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
            && self.dockerfiles.is_empty()
            && self.dockerignores.is_empty()
            && self.charts.is_empty()
    }
}

/// Collects what one gate finds.
pub(crate) struct Acc {
    gate: &'static str,
    scope: Scope,
    findings: Vec<Finding>,
    evidence: Vec<Evidence>,
    examined: bool,
}

impl Acc {
    fn new(gate: &'static str, scope: Scope) -> Acc {
        Acc {
            gate,
            scope,
            findings: Vec::new(),
            evidence: Vec::new(),
            examined: false,
        }
    }

    /// The subject of a finding on a Dockerfile or a chart names its kind and file.
    fn subject(&self, file: &str, object: impl Into<Subject>) -> Subject {
        let mut s = object.into();
        if s.kind.is_empty() {
            let kind = match self.scope {
                Scope::Dockerfile if file.ends_with(".dockerignore") => ".dockerignore",
                Scope::Dockerfile => "Dockerfile",
                Scope::Chart => "Chart",
                Scope::Kubernetes => "",
            };
            if self.scope == Scope::Dockerfile && s.name != file {
                s.part = Some(std::mem::take(&mut s.name));
                s.name = file.to_string();
            }
            if let Some(chart) = s.name.strip_prefix("chart ") {
                s.name = chart.to_string();
            }
            s.kind = kind.to_string();
        }
        s
    }

    /// A failure of `rule` (kebab-case, stable within the gate) at `file:pos`.
    fn fail(
        &mut self,
        rule: &'static str,
        file: &str,
        pos: Pos,
        object: impl Into<Subject>,
        message: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.examined = true;
        let subject = self.subject(file, object);
        self.findings.push(Finding {
            gate: self.gate,
            rule,
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            object: subject.to_string(),
            subject,
            message: message.into(),
            found: found.into(),
        });
    }

    fn pass(&mut self, file: &str, pos: Pos, object: impl Into<Subject>, found: impl Into<String>) {
        self.examined = true;
        self.evidence.push(Evidence {
            file: file.to_string(),
            line: pos.line,
            object: object.into().to_string(),
            found: found.into(),
        });
    }

    fn finish(self) -> GateResult {
        let status = if !self.findings.is_empty() {
            Outcome::Fail
        } else if self.examined {
            Outcome::Pass
        } else {
            Outcome::NotApplicable
        };
        GateResult {
            gate: self.gate,
            status,
            findings: self.findings,
            evidence: self.evidence,
        }
    }
}

/// Run every gate of the catalog over the artifacts; one result per gate, in catalog order.
pub fn evaluate(artifacts: &Artifacts, env: Environment) -> Vec<GateResult> {
    let prod = match env {
        Environment::Production => Some(chart::Production::from_charts(&artifacts.charts, &artifacts.objects)),
        Environment::Local => None,
    };
    GATES
        .iter()
        .map(|g| {
            let mut acc = Acc::new(g.code, g.scope);
            run(g.name, artifacts, prod.as_ref(), &mut acc);
            acc.finish()
        })
        .collect()
}

/// Dispatch a gate by name. Returns false for a gate without an implementation (a test
/// keeps that list empty).
fn run(name: &str, a: &Artifacts, prod: Option<&chart::Production>, acc: &mut Acc) -> bool {
    let o = &a.objects;
    match name {
        "run-as-non-root" => k8s::run_as_non_root(o, acc),
        "run-as-high-uid" => {
            k8s::run_as_high_uid(o, acc);
            docker::high_uid(&a.dockerfiles, acc);
        }
        "read-only-root-fs" => k8s::read_only_root_fs(o, acc),
        "no-privilege-escalation" => k8s::no_privilege_escalation(o, acc),
        "no-privileged" => k8s::no_privileged(o, acc),
        "drop-all-capabilities" => k8s::drop_all_capabilities(o, acc),
        "seccomp-runtime-default" => k8s::seccomp_runtime_default(o, acc),
        "sa-token-automount-off" => k8s::sa_token_automount_off(o, acc),
        "dedicated-service-account" => k8s::dedicated_service_account(o, acc),
        "resources-requests" => k8s::resources_requests(o, acc),
        "resources-memory-limit" => k8s::resources_limit(o, acc, "memory"),
        "resources-cpu-limit" => k8s::resources_limit(o, acc, "cpu"),
        "readiness-probe" => k8s::readiness_probe(o, acc),
        "liveness-probe" => k8s::liveness_probe(o, acc),
        "probes-distinct" => k8s::probes_distinct(o, acc),
        "startup-probe-slow-start" => k8s::startup_probe_slow_start(o, acc),
        "probe-ports-exposed" => k8s::probe_ports_exposed(o, acc),
        "image-tag-pinned" => {
            k8s::image_tag_pinned(o, acc);
            docker::image_tag_pinned(&a.dockerfiles, acc);
            chart::image_tag_pinned(&a.charts, acc);
        }
        "image-pull-policy" => k8s::image_pull_policy(o, acc),
        "replicas-min-2" => {
            if let Some(p) = prod {
                k8s::replicas_min_2(o, p, acc)
            }
        }
        "rolling-update-zero-downtime" => {
            if let Some(p) = prod {
                k8s::rolling_update(o, p, acc)
            }
        }
        "pdb-present-and-sane" => {
            if let Some(p) = prod {
                k8s::pdb_present_and_sane(o, p, acc)
            }
        }
        "graceful-shutdown" => k8s::graceful_shutdown(o, acc),
        "spread-replicas" => k8s::spread_replicas(o, prod, acc),
        "no-secrets-in-configmap" => k8s::no_secrets_in_configmap(o, acc),
        "no-secret-env-literals" => {
            k8s::no_secret_env_literals(o, acc);
            docker::no_secret_args(&a.dockerfiles, acc);
        }
        "recommended-labels" => {
            k8s::recommended_labels(o, acc);
            chart::recommended_labels(&a.charts, &chart::CHART_LABELS, acc);
        }
        "recommended-labels-complete" => {
            k8s::recommended_labels_complete(o, acc);
            chart::recommended_labels(&a.charts, &chart::CHART_LABELS_MORE, acc);
        }
        "selector-matches-template" => k8s::selector_matches_template(o, acc),
        "no-namespace-in-templates" => chart::no_namespace_in_templates(&a.charts, acc),
        "dockerfile-multi-stage" => docker::multi_stage(&a.dockerfiles, acc),
        "dockerfile-non-root-user" => docker::non_root_user(&a.dockerfiles, acc),
        "dockerfile-healthcheck" => docker::healthcheck(&a.dockerfiles, acc),
        "dockerfile-exec-form" => docker::exec_form(&a.dockerfiles, acc),
        "dockerfile-copy-not-add" => docker::copy_not_add(&a.dockerfiles, acc),
        "dockerfile-absolute-workdir" => docker::absolute_workdir(&a.dockerfiles, acc),
        "dockerfile-pipefail" => docker::pipefail(&a.dockerfiles, acc),
        "dockerfile-pinned-packages" => docker::pinned_packages(&a.dockerfiles, acc),
        "dockerfile-no-sudo" => docker::no_sudo(&a.dockerfiles, acc),
        "dockerfile-tls-verification" => docker::tls_verification(&a.dockerfiles, acc),
        "dockerfile-package-signatures" => docker::package_signatures(&a.dockerfiles, acc),
        "dockerignore-present" => docker::dockerignore_present(&a.dockerfiles, &a.dockerignores, acc),
        "helm-values-schema" => chart::values_schema(&a.charts, acc),
        "helm-notes-present" => chart::notes_present(&a.charts, acc),
        "helm-tests-present" => chart::tests_present(&a.charts, acc),
        "helm-chart-conventions" => chart::conventions(&a.charts, acc),
        "image-size-budget-recorded" => docker::size_budget(&a.dockerfiles, acc),
        "network-policy-coverage" => k8s::network_policy_coverage(o, acc),
        _ => return false,
    }
    true
}

/// The findings of every gate on `tests/gates/planted`, as JSON, for `scripts/planted-report`
/// (until `sp check --artifacts --format json` is wired): run with
/// `cargo test --lib gates::artifacts::planted_report -- --ignored --nocapture`.
#[cfg(test)]
#[test]
#[ignore]
fn planted_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gates/planted");
    let files = tests::read_tree(&root, &root);
    let found = Artifacts::from_files(&files);
    let results = evaluate(&found, Environment::Local);
    let prod = evaluate(&found, Environment::Production);
    let production: Vec<&str> = ["replicas-min-2", "rolling-update-zero-downtime", "pdb-present-and-sane"]
        .iter()
        .filter_map(|n| super::catalog::find(n).map(|g| g.code))
        .collect();
    let mut findings = Vec::new();
    for r in results.iter().filter(|r| !production.contains(&r.gate)) {
        findings.extend(r.findings.iter().cloned());
    }
    for r in prod.iter().filter(|r| production.contains(&r.gate)) {
        findings.extend(r.findings.iter().cloned());
    }
    let out = serde_json::json!({ "findings": findings, "skipped": found.skipped() });
    println!("PLANTED-REPORT-BEGIN");
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    println!("PLANTED-REPORT-END");
}
