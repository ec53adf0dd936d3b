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
//! values-production.yaml layered over it — see [`chart::production::Production`] for the keys read.

// The checks, one file (or folder) per topic; each gate's entry in the catalog names its
// check, so a gate and its check cannot exist one without the other.
pub(crate) mod availability;
pub(crate) mod chart;
pub(crate) mod dockerfile;
mod finding;
pub(crate) mod identity;
pub(crate) mod images;
pub(crate) mod labels;
mod parse;
mod pods;
pub(crate) mod probes;
pub(crate) mod resources;
mod schema;
pub(crate) mod secrets;
pub(crate) mod security;
pub(crate) mod shutdown;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub(crate) use finding::Acc;
pub use finding::{Evidence, Finding, Framing, GateResult, Outcome, Scope};
use parse::Object;
pub use parse::Subject;
pub use schema::warm as warm_schema;

/// Something that could not be parsed or checked, reported rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    /// The line of the document or object not checked (None: the whole file).
    pub line: Option<usize>,
    pub reason: String,
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
    dockerfiles: Vec<dockerfile::Dockerfile>,
    dockerignores: Vec<dockerfile::ignore::DockerIgnore>,
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

/// Whether `path` lies inside the folder `dir` (`""`, the root, holds every path).
pub(crate) fn under(path: &str, dir: &str) -> bool {
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
                Kind::Dockerfile => a.dockerfiles.push(dockerfile::Dockerfile::parse(path, text)),
                Kind::DockerIgnore => a
                    .dockerignores
                    .push(dockerfile::ignore::DockerIgnore::parse(path, text)),
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
        // Every Kubernetes object names its `apiVersion`: a file that never writes the word
        // (a compose file, a CI workflow, an API contract) holds none, and is said so without
        // being parsed, which was a tenth of `sp check --artifacts` on sp's own output. A
        // template (`{{`) is still parsed, for its hint to render it first.
        if !text.contains("apiVersion") && !text.contains("{{") {
            self.skipped.push(skip(if json {
                "JSON that is not a Kubernetes object (no apiVersion)".into()
            } else {
                "no Kubernetes object in this YAML (no apiVersion)".into()
            }));
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

/// What a check reads: everything found, and for the production-only gates the production
/// values of the charts (None when the artifacts are judged as local).
pub(crate) struct Input<'a> {
    pub objects: &'a [Object],
    pub dockerfiles: &'a [dockerfile::Dockerfile],
    pub dockerignores: &'a [dockerfile::ignore::DockerIgnore],
    pub charts: &'a [chart::Chart],
    pub production: Option<&'a chart::production::Production>,
}

/// A gate's check: it reads the input and records failures and evidence in the accumulator.
pub(crate) type Check = fn(&Input, &mut Acc);

/// The input of every check, with the artifacts judged as local or as production.
pub(crate) fn with_input<T>(artifacts: &Artifacts, env: Environment, f: impl FnOnce(&Input) -> T) -> T {
    let prod = match env {
        Environment::Production => Some(chart::production::Production::from_charts(
            &artifacts.charts,
            &artifacts.objects,
        )),
        Environment::Local => None,
    };
    f(&Input {
        objects: &artifacts.objects,
        dockerfiles: &artifacts.dockerfiles,
        dockerignores: &artifacts.dockerignores,
        charts: &artifacts.charts,
        production: prod.as_ref(),
    })
}

/// Run one gate's check.
pub(crate) fn run(code: &'static str, scope: Scope, check: Check, input: &Input) -> GateResult {
    let mut acc = Acc::new(code, scope);
    check(input, &mut acc);
    acc.finish()
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
    let results = super::catalog::evaluate(&found, Environment::Local);
    let prod = super::catalog::evaluate(&found, Environment::Production);
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
