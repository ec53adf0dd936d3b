//! Resolution of the deployment model from every input, in the brief's order of precedence:
//! `--set`, the fenced YAML block of `plan-input.md`, the prose of `plan-input.md`, the
//! spec's clarifications and requirements, the constitution's technology section, the
//! repository (component folders that exist), and finally the stack catalog's defaults.
//!
//! Each value is decided once, by the highest input that states it, and keeps that input
//! as its [`Origin`]. Prose is read with small, explicit rules (a stack line names a stack;
//! "imagePullPolicy Never" sets the pull policy; "<200MB (frontend)" sets a size budget);
//! words no rule understands are left to the planning documents, never guessed at.

mod build_time;
mod code;
pub mod discover;
pub mod input;
mod install;
mod prose;
mod proxy;
mod repo;
pub mod research;
pub mod scale;
mod typescript;
mod unused;
pub mod validate;
mod version;

use std::collections::BTreeSet;

use crate::catalog::{Catalog, Stack};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::load::repo::RepoDir;
use crate::model::deploy::{
    BackingService, Component, ConfigValue, Deployment, Exposure, Health, Image, Platform, PlatformKind, Resources,
    Role, Rollout, RunMode, SecretDelivery, SecretRef, ServiceKind, ServiceMode, ServiceType, Stage, Valued,
};
use crate::model::{Origin, Scope, StackLine};
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::PlanInput;
use crate::parse::spec::Spec;
use crate::source::{Sources, Span};

use input::DeployInput;
pub use install::candidates as install_candidates;
use prose::Facts;
pub use prose::is_secret_name;

/// Numeric user and group of every generated container: above 10000 so they can never
/// collide with a host user (kube-score, checkov CKV_K8S_40).
pub const UID: u32 = 10001;

/// Everything resolution reads.
pub struct DeployInputs<'a> {
    pub feature: &'a str,
    pub spec: &'a Spec,
    pub plan_input: Option<&'a PlanInput>,
    pub constitution: Option<&'a Constitution>,
    /// Stack lines (`Frontend: …`), already resolved by precedence with their origins.
    pub stack: &'a [StackLine],
    /// The resolved Technical Context, for plans that name components only there.
    pub context: &'a [crate::model::ContextValue],
    pub repo: &'a [RepoDir],
    /// Folders of languages sp does not build (reported by discovery, never deployed).
    pub foreign: &'a [crate::load::repo::ForeignDir],
    /// Folders that hold a Dockerfile and no project sp reads (SP438 when no component
    /// builds them).
    pub image_dirs: &'a [crate::load::repo::ImageDir],
    pub sources: &'a Sources,
    /// `--set` assignments from the command line.
    pub set: &'a [String],
    pub catalog: &'a Catalog,
    /// The routes and models each component folder declares.
    pub code: &'a [crate::resolve::design::ComponentCode],
}

/// Which input a value came from, for values set by the typed input.
fn typed_origin(set_keys: &BTreeSet<String>, key: &str, yaml: Option<YamlAt>) -> Origin {
    if set_keys.contains(key) {
        Origin {
            text: format!("--set {key}"),
            kind: crate::model::OriginKind::Input,
        }
    } else {
        match yaml {
            Some(y) => Origin::at(y.path, y.line_of(key)),
            None => Origin::derived("typed input"),
        }
    }
}

/// The plan input's YAML block, parsed with its lines, so a typed value's origin is the line
/// of its own key rather than the block's fence.
#[derive(Clone, Copy)]
struct YamlAt<'a> {
    path: &'a str,
    /// The line of the opening fence: YAML line 1 is the line after it.
    fence: usize,
    root: Option<&'a crate::yaml::Node>,
}

impl YamlAt<'_> {
    /// The file line of dotted `key` (`components.api.port`); the fence line when the block
    /// does not write it.
    fn line_of(&self, key: &str) -> usize {
        let path: Vec<&str> = key.split('.').collect();
        self.fence + self.root.and_then(|r| r.key_line(&path)).unwrap_or(0)
    }
}

/// Resolve the deployment, and whether the feature deploys at all ([`Scope`]). The
/// deployment is `None` for a feature that is not about deployment, and when no input names
/// a component: the feature is then planned without deployables.
pub fn resolve(cx: &DeployInputs, diags: &mut Diagnostics) -> (Scope, Option<Deployment>) {
    let (mut typed, components_written) = typed_input(cx, diags);
    // The block's tree, with lines: where validation reports a value and where a typed
    // value's origin points.
    let block = cx.plan_input.and_then(|p| p.yaml_blocks.first().map(|b| (p, b)));
    let root = block.and_then(|(_, b)| crate::yaml::parse_nodes(&b.text).0.into_iter().next().map(|d| d.root));
    validate::check(
        &mut typed,
        cx.set,
        block.map(|(_, b)| b),
        root.as_ref(),
        cx.sources,
        diags,
    );
    let set_keys: BTreeSet<String> = cx
        .set
        .iter()
        .filter_map(|s| s.split_once('=').map(|(k, _)| k.to_string()))
        .collect();
    let yaml_at = block.map(|(p, b)| YamlAt {
        path: p.path.as_str(),
        fence: b.line,
        root: root.as_ref(),
    });
    let t = |key: &str| typed_origin(&set_keys, key, yaml_at);
    let evidence = discover::is_deployment_feature(cx.spec, cx.plan_input, cx.constitution, cx.feature);
    let scope = scope(&typed, evidence.as_ref(), components_written, &t);
    if !scope.deploys {
        discover::report_not_deployed(cx, &scope, diags);
        if !typed.components.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::NotADeploymentFeature,
                    format!(
                        "this feature is not about deployment ({}): {} not applied to it",
                        scope.reason,
                        typed
                            .components
                            .keys()
                            .map(|n| format!("`--set components.{n}.…`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at_path(&cx.spec.path)
                .hint("`--set` gives values to the features that deploy; add `--set deploy=true` to deploy this one too, or `deploy: true` in its plan input"),
            );
        }
        return (scope, None);
    }
    (scope, deployment(cx, typed, evidence, &set_keys, yaml_at, diags))
}

/// Whether the feature deploys: the typed input's `deploy:` when it is written, else the
/// first deployment word of the spec, the plan input or a constitution principle naming the
/// feature, else components named in the plan input's YAML block; otherwise documents only.
/// Components named only by `--set` do not decide it: with `--all`, one `--set` reaches every
/// feature, and would turn each into a deployment.
fn scope(
    typed: &DeployInput,
    evidence: Option<&discover::Evidence>,
    components_written: bool,
    t: &dyn Fn(&str) -> Origin,
) -> Scope {
    if let Some(deploys) = typed.deploy {
        return Scope {
            deploys,
            reason: format!("the typed input sets `deploy: {deploys}`"),
            origin: t("deploy"),
        };
    }
    if let Some(e) = evidence {
        return Scope {
            deploys: true,
            reason: format!("`{}` is written in {}", e.word, e.origin.source()),
            origin: e.origin.clone(),
        };
    }
    if components_written && !typed.components.is_empty() {
        return Scope {
            deploys: true,
            reason: "the typed input names components".into(),
            origin: t("components"),
        };
    }
    Scope {
        deploys: false,
        reason: format!(
            "no word about Docker, containers, Kubernetes, Helm, Minikube, kubectl or pods in {}",
            discover::LOOKED_AT
        ),
        origin: Origin::derived(discover::LOOKED_AT),
    }
}

fn deployment(
    cx: &DeployInputs,
    typed: DeployInput,
    evidence: Option<discover::Evidence>,
    set_keys: &BTreeSet<String>,
    yaml_at: Option<YamlAt>,
    diags: &mut Diagnostics,
) -> Option<Deployment> {
    let facts = Facts::collect(cx.spec, cx.plan_input, cx.constitution);
    let t = |key: &str| typed_origin(set_keys, key, yaml_at);

    let (names, discovered) = discover::components(cx, &typed, evidence.as_ref(), diags);
    if names.is_empty() {
        return None;
    }

    let app = match &typed.app {
        Some(a) => Valued::new(slug(a), t("app")),
        None => app_name(cx),
    };
    let namespace = match &typed.namespace {
        Some(n) => Valued::new(slug(n), t("namespace")),
        None => facts
            .namespace()
            .unwrap_or_else(|| Valued::new(app.value.clone(), Origin::derived("the application name"))),
    };

    let platform = platform(&typed, &facts, &t);
    let zero_downtime = typed
        .rollout
        .as_ref()
        .and_then(|r| r.zero_downtime)
        .map(|z| Valued::new(z, t("rollout.zeroDowntime")))
        .or_else(|| facts.zero_downtime())
        .unwrap_or_else(|| {
            Valued::new(
                true,
                Origin {
                    text: "default (secure-by-default policy)".into(),
                    kind: crate::model::OriginKind::Default,
                },
            )
        });
    let rollout = rollout(&typed, zero_downtime, facts.production_replicas(), &t);

    let mut backing = backing_services(cx, &typed, &facts, &app.value, &t);

    let mut components = Vec::new();
    let mut unfound = Vec::new();
    let mut used_dirs = BTreeSet::new();
    for named in &names {
        let ci = typed.components.get(&named.name).cloned().unwrap_or_default();
        let Some(built) = component(cx, named, &ci, &facts, &platform, &app.value, &t, &mut used_dirs, diags) else {
            continue;
        };
        if let Some(line) = built.folder_unfound {
            unfound.push((components.len(), line));
        }
        components.push(built.component);
    }
    if components.is_empty() {
        return None;
    }
    report_missing_folders(&components, &unfound, diags);
    shared_node_ports(&mut components, diags);
    wire(&mut components, &mut backing, &facts, &app.value);
    code::deliver(&mut components, &backing, diags);
    discover::report_compose_images(cx, &backing, facts.no_storage(), diags);
    discover::report_compose_builds(cx, &components, !typed.components.is_empty(), diags);
    if !discovered {
        discover::report_images_not_deployed(cx, &components, diags);
    }
    proxy::report(&components, &backing, cx.repo, cx.sources, diags);
    proxy::routes(&mut components, &backing, cx.repo, cx.code, cx.sources, diags);
    build_time::split(&mut components);
    build_time::browser_forwards(&mut components, &namespace.value, diags);

    let tooling = facts.tooling();
    let autoscaling = scale::autoscaling(cx.spec, cx.context, &rollout, &components);
    let mut deployment = Deployment {
        app,
        namespace,
        components,
        backing_services: backing,
        platform,
        rollout,
        tooling,
        autoscaling,
        scale_gaps: Vec::new(),
    };
    unused::report(cx, &deployment, &facts, diags);
    discover::report_undeployed(cx, &deployment, diags);
    deployment.scale_gaps = discover::check_scale(cx, &deployment, diags);
    Some(deployment)
}

/// A node port given to two components: the API server refuses the second Service
/// (`provided port is already allocated`), so the later component keeps its NodePort Service
/// without a fixed port (the cluster assigns one), and that is said at the port's origin.
fn shared_node_ports(components: &mut [Component], diags: &mut Diagnostics) {
    let mut taken: Vec<(u16, String)> = Vec::new();
    for c in components.iter_mut() {
        let Some(port) = &c.exposure.node_port else { continue };
        match taken.iter().find(|(p, _)| *p == port.value) {
            Some((_, first)) => {
                diags.push(code::at_origin(
                    Diagnostic::new(
                        Code::UnusedDeploymentFact,
                        format!(
                            "component `{}`: node port {} is `{first}`'s already, and the API server refuses a second Service on it; `{}` gets a node port the cluster assigns",
                            c.name, port.value, c.name
                        ),
                    )
                    .hint(format!("give `{}` another node port from 30000 to 32767 (`components.{}.nodePort`)", c.name, c.name)),
                    &port.origin,
                ));
                c.exposure.node_port = None;
            }
            None => taken.push((port.value, c.name.clone())),
        }
    }
}

/// The YAML block merged with `--set`, read into [`DeployInput`]. Problems are diagnostics
/// pointing into the block; the prose still applies.
/// The typed input: the plan input's YAML block with `--set` over it; and whether the block
/// itself names components.
fn typed_input(cx: &DeployInputs, diags: &mut Diagnostics) -> (DeployInput, bool) {
    let mut value = serde_json::Value::Object(Default::default());
    if let Some(p) = cx.plan_input {
        later_blocks(p, diags);
    }
    if let Some(p) = cx.plan_input
        && let Some(block) = p.yaml_blocks.first()
    {
        match crate::yaml::from_str::<serde_json::Value>(&block.text) {
            Ok(v) if v.is_object() => value = v,
            Ok(serde_json::Value::Null) => {}
            Ok(_) => diags.push(
                Diagnostic::new(Code::InvalidDeployInput, "the deployment block is not a map")
                    .at(block.span.clone())
                    .hint("start it with keys such as `components:` or `platform:`; `sp schema` prints the schema"),
            ),
            Err(e) => diags.push(yaml_error(cx.sources, block, &e)),
        }
    }
    let components_written = value
        .get("components")
        .and_then(|c| c.as_object())
        .is_some_and(|c| !c.is_empty());
    match input::set_to_json(cx.set) {
        Ok(over) => input::merge(&mut value, over),
        Err(e) => diags.push(
            Diagnostic::new(Code::InvalidDeployInput, format!("--set {e}"))
                .hint("write `--set components.api.port=8080`: dotted keys of the deployment schema"),
        ),
    }
    let typed = match serde_json::from_value::<DeployInput>(value.clone()) {
        Ok(i) => i,
        Err(e) => {
            // Re-read the YAML text to point at the offending line when the problem is there.
            let located = cx.plan_input.and_then(|p| p.yaml_blocks.first()).and_then(|block| {
                crate::yaml::from_str::<DeployInput>(&block.text)
                    .err()
                    .map(|ye| yaml_error(cx.sources, block, &ye))
            });
            diags.push(located.unwrap_or_else(|| {
                Diagnostic::new(Code::InvalidDeployInput, format!("invalid deployment input: {e}"))
                    .hint("`sp schema` prints the schema of the deployment block and of --set keys")
            }));
            DeployInput::default()
        }
    };
    (typed, components_written)
}

/// sp reads the plan input's first ```yaml block as the deployment block. A later block with
/// the block's keys would be ignored without a word: it is an error at that block, as a typo
/// in the first one is. A later block without them (an example, a snippet) is a note, so
/// nothing in the input goes unsaid.
fn later_blocks(p: &PlanInput, diags: &mut Diagnostics) {
    let Some((first, later)) = p.yaml_blocks.split_first() else {
        return;
    };
    if later.is_empty() {
        return;
    }
    let known = input::top_level_keys();
    for block in later {
        let keys: Vec<String> = match crate::yaml::from_str::<serde_json::Value>(&block.text) {
            Ok(serde_json::Value::Object(m)) => m.keys().filter(|k| known.contains(k)).cloned().collect(),
            _ => Vec::new(),
        };
        let d = if keys.is_empty() {
            Diagnostic::new(
                Code::InvalidDeployInput,
                format!(
                    "this ```yaml block is not read: the deployment block is the first one (line {}), and this one has none of its keys",
                    first.line
                ),
            )
            .severity(Severity::Info)
            .hint("nothing to do if it is an example; deployment settings go in the first ```yaml block (`sp schema` prints its keys)")
        } else {
            let named = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            Diagnostic::new(
                Code::InvalidDeployInput,
                format!(
                    "a second deployment block ({named}) is not read: sp reads the first ```yaml block (line {}) only",
                    first.line
                ),
            )
            .label("not read")
            .hint(format!(
                "move {named} into the ```yaml block at {}:{} and delete this one",
                p.path, first.line
            ))
        };
        diags.push(d.at(block.span.clone()));
    }
}

/// A YAML problem inside the fenced block, pointing at the offending line of plan-input.md.
fn yaml_error(sources: &Sources, block: &crate::parse::Located, e: &crate::yaml::YamlError) -> Diagnostic {
    let text = &sources.get(block.span.source).text;
    let fence = block.span.range.clone();
    // YAML line 1 is the line after the opening fence.
    let body_start = text[fence.clone()]
        .find('\n')
        .map(|i| fence.start + i + 1)
        .unwrap_or(fence.start);
    let span = match e.line {
        Some(l) => {
            let mut start = body_start;
            for _ in 1..l {
                match text[start..fence.end].find('\n') {
                    Some(i) => start += i + 1,
                    None => break,
                }
            }
            let end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
            Span::new(block.span.source, start..end.min(fence.end))
        }
        None => block.span.clone(),
    };
    Diagnostic::new(Code::InvalidDeployInput, format!("deployment block: {}", e.message))
        .at(span)
        .hint("`sp schema` prints the JSON Schema the block is checked against")
}

fn role_of(key: &str) -> Option<Role> {
    match key.trim().to_lowercase().as_str() {
        "frontend" | "web" | "ui" | "client" => Some(Role::Frontend),
        "backend" | "api" | "server" | "service" | "mcp server" => Some(Role::Backend),
        "worker" | "workers" => Some(Role::Worker),
        _ => None,
    }
}

/// A DNS-1123 label: lower case, digits and `-`, at most 63 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.trim().to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(63).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "app".into() } else { out }
}

/// The application's name: the constitution's title without "Constitution" (`Todo Chatbot
/// Constitution` → `todo-chatbot`), else the feature's slug.
fn app_name(cx: &DeployInputs) -> Valued<String> {
    if let Some(c) = cx.constitution {
        let title = c.title.replace("Constitution", "");
        let title = title.trim().trim_end_matches(['-', '–', '—', ':']).trim();
        if !title.is_empty() && title.split_whitespace().count() <= 4 {
            return Valued::new(
                validate::app_slug(title),
                Origin::derived(format!("the constitution's title ({})", c.path)),
            );
        }
    }
    let feature_slug = cx.feature.split_once('-').map(|(_, s)| s).unwrap_or(cx.feature);
    Valued::new(validate::app_slug(feature_slug), Origin::derived("the feature's name"))
}

fn default_origin(what: &str) -> Origin {
    Origin {
        text: format!("default ({what})"),
        kind: crate::model::OriginKind::Default,
    }
}

fn platform(typed: &DeployInput, facts: &Facts, t: &dyn Fn(&str) -> Origin) -> Platform {
    let typed_p = typed.platform.clone().unwrap_or_default();
    let kind = match typed_p.kind {
        Some(k) => Valued::new(k, t("platform.kind")),
        None => facts
            .platform()
            .unwrap_or_else(|| Valued::new(PlatformKind::Generic, default_origin("no platform named"))),
    };
    let kubernetes_version = match typed_p.kubernetes_version {
        Some(v) => Valued::new(v, t("platform.kubernetesVersion")),
        None => facts.kubernetes_version().unwrap_or_else(|| {
            Valued::new(
                "1.33".into(),
                default_origin("oldest Kubernetes release the manifests target"),
            )
        }),
    };
    let image_loading = match kind.value {
        PlatformKind::Minikube => "minikube image load",
        PlatformKind::Kind => "kind load docker-image",
        PlatformKind::Generic => "docker push to a registry the cluster can pull from",
    }
    .to_string();
    Platform {
        kind,
        kubernetes_version,
        image_loading,
    }
}

fn rollout(
    typed: &DeployInput,
    zero_downtime: Valued<bool>,
    production: Option<Valued<u32>>,
    t: &dyn Fn(&str) -> Origin,
) -> Rollout {
    let r = typed.rollout.clone().unwrap_or_default();
    let z = zero_downtime.value;
    let zo = zero_downtime.origin.clone();
    let pick_s = |v: Option<String>, key: &str, dflt: &str, why: Origin| match v {
        Some(v) => Valued::new(v, t(key)),
        None => Valued::new(dflt.to_string(), why),
    };
    let pick_n = |v: Option<u32>, key: &str, dflt: u32, why: Origin| match v {
        Some(v) => Valued::new(v, t(key)),
        None => Valued::new(dflt, why),
    };
    Rollout {
        max_surge: pick_s(
            r.max_surge,
            "rollout.maxSurge",
            "1",
            default_origin("one extra pod during a rollout"),
        ),
        max_unavailable: pick_s(
            r.max_unavailable,
            "rollout.maxUnavailable",
            if z { "0" } else { "1" },
            if z {
                zo.clone()
            } else {
                default_origin("rolling update")
            },
        ),
        termination_grace_seconds: pick_n(
            r.termination_grace_seconds,
            "rollout.terminationGraceSeconds",
            30,
            default_origin("preStop plus time to drain"),
        ),
        pre_stop_sleep_seconds: pick_n(
            r.pre_stop_sleep_seconds,
            "rollout.preStopSleepSeconds",
            5,
            default_origin("time for endpoints to deregister"),
        ),
        production_replicas: match (r.production_replicas, production) {
            (None, Some(p)) => p,
            (v, _) => pick_n(
                v,
                "rollout.productionReplicas",
                2,
                if z { zo } else { default_origin("production") },
            ),
        },
        zero_downtime,
    }
}

/// Why a component has no source folder: none is named like it, or several nested ones are
/// (reported where they are found).
const NO_FOLDER: &str = "no component folder in the repository";
const SEVERAL_FOLDERS: &str = "several folders could be its source";

/// A component as [`component`] resolved it, and the line to report it on when no folder of
/// the repository is named like it (several nested ones are reported as they are found).
struct Built {
    component: Component,
    folder_unfound: Option<Origin>,
}

/// SP414 for each component no folder is named like, when other components of the same
/// deployment found theirs: the repository holds the code, and this component's is not where
/// sp looks (before any code exists, a spec-first plan, nothing is reported).
fn report_missing_folders(components: &[Component], unfound: &[(usize, Origin)], diags: &mut Diagnostics) {
    let taken: Vec<&str> = components
        .iter()
        .filter_map(|c| c.source_dir.value.as_deref())
        .collect();
    if taken.is_empty() {
        return;
    }
    for (i, line) in unfound {
        let c = &components[*i];
        let name = c.name.as_str();
        let mut wanted = vec![name];
        wanted.extend(dir_aliases(c.role.value).iter().copied().filter(|a| *a != name));
        let (used, free): (Vec<&str>, Vec<&str>) = wanted.iter().partition(|w| taken.contains(w));
        let free: Vec<String> = free.iter().map(|w| format!("{w}/")).collect();
        let used = match used.as_slice() {
            [] => String::new(),
            u => format!(
                ", and {} another component's",
                u.iter().map(|w| format!("{w}/ is")).collect::<Vec<_>>().join(", ")
            ),
        };
        let d = folder_unknown(
            name,
            name,
            format!(
                "no folder of the repository is named like it ({}){used}",
                free.join(", ")
            ),
            format!(
                "name the folder that holds its code: `components.{name}.sourceDir: <folder>` in the deployment block of plan-input.md; two components may share a folder, each with its own start command (`components.{name}.command: [...]`)"
            ),
        );
        diags.push(code::at_origin(d, line));
    }
}

/// SP414: `why` sp found no source folder for component `name`, and what that costs (its
/// image builds from `from/`, whatever is there).
fn folder_unknown(name: &str, from: &str, why: String, hint: String) -> Diagnostic {
    Diagnostic::new(
        Code::SourceFolderUnknown,
        format!(
            "component `{name}`: {why}, so sp read none of its source: its image builds from `{from}/`, and its entry point, port and variables are the catalog's defaults"
        ),
    )
    .hint(hint)
}

/// Folder names a component of each role is looked for under, besides its own name.
fn dir_aliases(role: Role) -> &'static [&'static str] {
    match role {
        Role::Frontend => &["frontend", "web", "client", "ui", "app"],
        Role::Backend => &["backend", "api", "server"],
        Role::Worker => &["worker", "workers", "jobs"],
    }
}

/// The Dockerfile stages a catalog version can name, in the order a Dockerfile writes them.
pub const STAGE_ORDER: &[&str] = &["uv", "deps", "prod-deps", "build", "runtime"];

/// A request above its limit is refused by the API server. When the input typed one side and
/// the catalog's default of the other is in the way, the default gives way: a typed request
/// raises the limit to it (the container is then Guaranteed that much), a typed limit lowers
/// the request to it (what Kubernetes itself does for a limit without a request). Both typed
/// and crossed is the input's error (SP430, `validate`), left as written.
fn fit_request_to_limit(request: &mut Valued<String>, limit: &mut Valued<String>, typed: (bool, bool)) {
    let (Some(r), Some(l)) = (
        crate::quantity::parse(&request.value),
        crate::quantity::parse(&limit.value),
    ) else {
        return;
    };
    if r <= l {
        return;
    }
    match typed {
        (true, false) => {
            let was = std::mem::replace(&mut limit.value, request.value.clone());
            limit.origin = Origin::derived(format!("the catalog's {was}, raised to the request {}", request.value));
        }
        (false, true) => {
            let was = std::mem::replace(&mut request.value, limit.value.clone());
            request.origin = Origin::derived(format!("the catalog's {was}, lowered to the limit {}", limit.value));
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn component(
    cx: &DeployInputs,
    named: &discover::Named,
    ci: &input::ComponentInput,
    facts: &Facts,
    platform: &Platform,
    app: &str,
    t: &dyn Fn(&str) -> Origin,
    used_dirs: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<Built> {
    let name = named.name.as_str();
    let line = named.line.as_ref();
    let key = |field: &str| format!("components.{name}.{field}");
    let line_origin = line
        .map(|l| l.origin.clone())
        .unwrap_or_else(|| t(&format!("components.{name}")));
    let line_value = line.map(|l| l.value.as_str()).unwrap_or("");

    // Source folder: typed, else an existing folder named like the component or its role.
    let role_guess = ci
        .role
        .or_else(|| role_of(name))
        .or_else(|| line.and_then(|l| role_of(&l.role)));
    let mut several_folders = false;
    // An image a script of the repository builds under the component's name, from a folder
    // of another name (`docker build -f dockerfiles/mcp.Dockerfile backend` for `mcp-server`):
    // before the folders named like the component's role, which are another component's
    // guess.
    let own_folder = cx.repo.iter().any(|d| {
        !d.nested && (d.path == name || d.path.ends_with(&format!("/{name}"))) && !used_dirs.contains(&d.path)
    });
    let scripted = (ci.source_dir.is_none() && named.dir.is_none() && !own_folder)
        .then(|| repo::image_anywhere(cx.repo, name))
        .flatten();
    let source_dir: Valued<Option<String>> = match &ci.source_dir {
        Some(d) => {
            let d = d.trim_end_matches('/').to_string();
            let origin = t(&key("sourceDir"));
            if !cx.repo.iter().any(|r| r.path == d) {
                diags.push(code::at_origin(
                    folder_unknown(
                        name,
                        &d,
                        format!("its source folder `{d}` holds no project sp reads (no manifest: pyproject.toml, requirements.txt, package.json, go.mod, Cargo.toml)"),
                        format!("give the folder that holds the component's manifest, relative to the repository root (`components.{name}.sourceDir: <folder>`); sp reads folders at the top level, one level below, and under apps/, services/ and packages/"),
                    ),
                    &origin,
                ));
            }
            Valued::new(Some(d), origin)
        }
        None if named.dir.is_some() => Valued::new(
            named.dir.clone(),
            line.map(|l| l.origin.clone())
                .unwrap_or_else(|| default_origin("discovered")),
        ),
        None if let Some((dir, image)) = scripted => Valued::new(
            Some(dir.path.clone()),
            Origin {
                text: format!(
                    "repository: {} builds it (`{}`)",
                    repo::image_origin(image, cx.sources),
                    image.command
                ),
                kind: crate::model::OriginKind::Input,
            },
        ),
        None => {
            let mut wanted = vec![name.to_string()];
            if let Some(r) = role_guess {
                wanted.extend(dir_aliases(r).iter().map(|s| s.to_string()));
            }
            let found = wanted.iter().find_map(|w| {
                cx.repo.iter().find(|d| {
                    !d.nested && (d.path == *w || d.path.ends_with(&format!("/{w}"))) && !used_dirs.contains(&d.path)
                })
            });
            // Else a folder with the name as a word of its own (`frontend-web`, `todo_api`),
            // or one level inside another (`phase4/backend`), when it is the only one so
            // named; several are reported, and none is guessed.
            let compound: Vec<&RepoDir> = cx
                .repo
                .iter()
                .filter(|_| found.is_none())
                .filter(|d| !d.nested && d.path != "." && !used_dirs.contains(&d.path))
                .filter(|d| {
                    discover::folder_words(d.leaf()).is_some_and(|words| {
                        words.len() > 1 && words.iter().any(|x| wanted.iter().any(|w| x.eq_ignore_ascii_case(w)))
                    })
                })
                .collect();
            let nested: Vec<&RepoDir> = cx
                .repo
                .iter()
                .filter(|d| d.nested && wanted.iter().any(|w| d.leaf() == w) && !used_dirs.contains(&d.path))
                .collect();
            let candidates = if compound.is_empty() { nested } else { compound };
            let found = found.or(match candidates.as_slice() {
                [only] if !only.ambiguous(cx.repo) => Some(*only),
                [] | [_] => None,
                several => {
                    several_folders = true;
                    let listed: Vec<String> = several.iter().map(|d| format!("{}/", d.path)).collect();
                    diags.push(code::at_origin(
                        folder_unknown(
                            name,
                            name,
                            format!(
                                "no top-level folder is named exactly like it, and {} folders could be it ({}); sp does not guess which one holds its code",
                                several.len(),
                                listed.join(", ")
                            ),
                            format!(
                                "name the folder in the deployment block of plan-input.md: `components.{name}.sourceDir: {}` (or `--set components.{name}.sourceDir=<folder>`)",
                                several.last().map_or("<folder>", |d| d.path.as_str())
                            ),
                        ),
                        &line_origin,
                    ));
                    None
                }
            });
            // A folder without a manifest of its own that the root project packages (a root
            // `pyproject.toml` declaring the package `backend`): the component is the root
            // project, built from the workspace root.
            let packaged = || {
                let root = cx.repo.iter().find(|d| d.path == "." && !used_dirs.contains(&d.path))?;
                wanted.iter().find_map(|w| {
                    let prefix = format!("{w}/");
                    root.sources
                        .iter()
                        .any(|id| cx.sources.get(*id).display_path().starts_with(&prefix))
                        .then(|| {
                            let manifest = ["pyproject.toml", "package.json", "requirements.txt", "go.mod"]
                                .into_iter()
                                .find(|m| root.files.contains_key(*m))
                                .unwrap_or("manifest");
                            (
                                root,
                                format!("repository: {w}/ is part of the project declared by the root {manifest}"),
                            )
                        })
                })
            };
            match found {
                Some(d) => Valued::new(
                    Some(d.path.clone()),
                    Origin {
                        text: format!("repository: {}/ exists", d.path),
                        kind: crate::model::OriginKind::Input,
                    },
                ),
                None => match packaged() {
                    Some((d, why)) => Valued::new(
                        Some(d.path.clone()),
                        Origin {
                            text: why,
                            kind: crate::model::OriginKind::Input,
                        },
                    ),
                    None if several_folders => Valued::new(None, default_origin(SEVERAL_FOLDERS)),
                    None => Valued::new(None, default_origin(NO_FOLDER)),
                },
            }
        }
    };
    if let Some(d) = &source_dir.value {
        used_dirs.insert(d.clone());
    }
    let repo_dir = source_dir
        .value
        .as_ref()
        .and_then(|d| cx.repo.iter().find(|r| &r.path == d));
    // The folder as this component's image sees it, when a script builds the image with a
    // Dockerfile of its own: its `FROM`, `CMD` and `EXPOSE` are the component's.
    let view = repo_dir.and_then(|r| repo::image_named(r, name).map(|i| repo::with_image(r, i, cx.sources)));
    let repo_dir = view.as_ref().or(repo_dir);

    // Stack.
    let prose_stack = cx.catalog.find_for(line_value, role_guess);
    let detected_first = repo_dir.map(|r| repo::detect(r, cx.sources, prose_stack));
    let code = repo_dir.map(|r| code::Code::read(r, cx.sources));
    // The framework object in the code names the stack (`app = FastAPI()` → fastapi) when it
    // fits the role the inputs give.
    let code_hint = code.as_ref().and_then(|c| code::stack_hint(c, cx.sources)).filter(|h| {
        cx.catalog
            .get(&h.value)
            .is_some_and(|s| role_guess.is_none_or(|r| r == s.role) && prose_stack.is_none_or(|p| p.role == s.role))
            // Where the other inputs already name this stack, they keep their origin.
            && prose_stack.is_none_or(|p| p.id != h.value)
    });
    let stack: (&Stack, Origin) = match &ci.stack {
        Some(id) => match cx.catalog.get(id) {
            Some(s) => (s, t(&key("stack"))),
            None => {
                let ids: Vec<&str> = cx.catalog.stacks.iter().map(|s| s.id.as_str()).collect();
                diags.push(
                    Diagnostic::new(
                        Code::UnknownStack,
                        format!("component `{name}`: no stack `{id}` in the catalog"),
                    )
                    .hint(format!("known stacks: {}", ids.join(", "))),
                );
                return None;
            }
        },
        None => {
            let hinted = detected_first
                .as_ref()
                .and_then(|d| d.stack_hint.clone())
                .or(code_hint)
                .filter(|h| {
                    prose_stack.is_none_or(|p| {
                        p.language == cx.catalog.get(&h.value).map(|s| s.language.clone()).unwrap_or_default()
                    })
                });
            match (hinted, prose_stack) {
                (Some(h), _) => (
                    cx.catalog.get(&h.value).expect("detected ids are catalog ids"),
                    h.origin,
                ),
                (None, Some(s)) => (s, line_origin.clone()),
                (None, None) => {
                    let ids: Vec<&str> = cx.catalog.stacks.iter().map(|s| s.id.as_str()).collect();
                    diags.push(
                        Diagnostic::new(
                            Code::UnknownStack,
                            if line_value.trim().is_empty() {
                                format!("component `{name}`: no input names its stack or framework")
                            } else {
                                format!("component `{name}`: the catalog has no stack for `{line_value}`")
                            },
                        )
                        .hint(format!(
                            "name a framework the catalog knows, or set `components.{name}.stack` to one of: {}",
                            ids.join(", ")
                        )),
                    );
                    return None;
                }
            }
        }
    };
    let (stack, stack_origin) = stack;
    if ci.stack.is_some()
        && let Some((path, lacks)) = repo_dir.and_then(|r| repo::missing_setting(r, cx.sources, stack))
    {
        let lacks = lacks.replace(':', ": ");
        diags.push(code::at_origin(
            Diagnostic::new(
                Code::StackNeedsSetting,
                format!(
                    "component `{name}` is set to the {} stack, but {path} lacks `{lacks}`: the image build fails",
                    stack.id
                ),
            )
            .hint(format!(
                "add `{lacks}` to {path}, or remove `components.{name}.stack` and sp picks the stack {path} asks for"
            )),
            &stack_origin,
        ));
    }
    let detected = repo_dir.map(|r| repo::detect(r, cx.sources, Some(stack)));
    let mut runtime_packages = Vec::new();
    for p in repo_dir
        .map(|d| repo::runtime_packages(d, cx.sources, stack))
        .unwrap_or_default()
    {
        match p {
            Ok(p) => runtime_packages.push(p),
            Err((package, file)) => {
                let dir = repo_dir.map_or(".", |d| d.path.as_str());
                diags.push(
                    Diagnostic::new(
                        Code::StackNeedsSetting,
                        format!(
                            "component `{name}`: the {} stack loads {file} through the `{package}` package when it starts, and {dir}/package.json does not list it: the container fails at start",
                            stack.id
                        ),
                    )
                    .at_line(file, 1, 1)
                    .hint(format!(
                        "add `{package}` to the devDependencies of {dir}/package.json and update its lock file; the image then copies it into the runtime stage"
                    )),
                );
            }
        }
    }

    let role = match ci.role {
        Some(r) => Valued::new(r, t(&key("role"))),
        None => match line.and_then(|l| role_of(&l.role)) {
            Some(r) => Valued::new(r, line_origin.clone()),
            None => Valued::new(stack.role, Origin::derived(format!("the {} stack", stack.id))),
        },
    };

    // Language version: typed, repository, prose (`Python 3.13+`), catalog default. A
    // repository requirement (`requires-python = ">=3.11"`, `engines.node: "^20"`) is a range:
    // the version the team's own image runs when the range allows it (the code is known to
    // work there), else the prose version when it allows that, else the newest catalog
    // version it allows.
    let prose_wanted = prose_version(line_value, &stack.language).map(|v| Valued::new(v, line_origin.clone()));
    let from_repo = detected.as_ref().and_then(|d| d.language_version.clone());
    let from_image = detected.as_ref().and_then(|d| d.image_version.clone());
    let ranged = match (&ci.language_version, &from_repo) {
        (None, Some(req)) => version::Requirement::parse(&req.value).map(|r| (r, req.clone())),
        _ => None,
    };
    let wanted: Option<Valued<String>> = match &ranged {
        Some((r, req)) => {
            let within = from_image.iter().chain(&prose_wanted).find_map(|p| {
                let (v, matched) = stack.version(Some(&p.value));
                (matched && r.allows(&v.version)).then(|| {
                    Valued::new(
                        v.version.clone(),
                        Origin {
                            text: format!("{}, within `{}` of {}", p.origin.text, req.value, req.origin.text),
                            kind: p.origin.kind,
                        },
                    )
                })
            });
            let newest = || {
                let mut allowed: Vec<&crate::catalog::Version> =
                    stack.versions.iter().filter(|v| r.allows(&v.version)).collect();
                allowed.sort_by_key(|v| {
                    v.version
                        .split('.')
                        .map(|p| p.parse::<u64>().unwrap_or(0))
                        .collect::<Vec<_>>()
                });
                allowed.last().map(|v| {
                    Valued::new(
                        v.version.clone(),
                        Origin {
                            text: format!(
                                "{} (the newest catalog version within `{}`)",
                                req.origin.text, req.value
                            ),
                            kind: req.origin.kind,
                        },
                    )
                })
            };
            match within.or_else(newest) {
                Some(v) => Some(v),
                None => {
                    let known: Vec<&str> = stack.versions.iter().map(|v| v.version.as_str()).collect();
                    diags.push(code::at_origin(
                        Diagnostic::new(
                            Code::UnsupportedVersion,
                            format!(
                                "component `{name}`: no {} version with a pinned image in the catalog satisfies `{}`",
                                stack.language, req.value
                            ),
                        )
                        .hint(format!(
                            "{name} uses {} {}; the catalog has {}. Widen the requirement, or set `components.{name}.languageVersion` in the deployment block",
                            stack.language,
                            stack.versions[0].version,
                            known.join(", ")
                        )),
                        &req.origin,
                    ));
                    None
                }
            }
        }
        None => ci
            .language_version
            .clone()
            .map(|v| Valued::new(v, t(&key("languageVersion"))))
            .or(from_repo)
            .or(prose_wanted),
    };
    let (version, matched) = stack.version(wanted.as_ref().map(|w| w.value.as_str()));
    let language_version = match (&wanted, matched) {
        (Some(w), true) => Valued::new(version.version.clone(), w.origin.clone()),
        (Some(w), false) => {
            let known: Vec<&str> = stack.versions.iter().map(|v| v.version.as_str()).collect();
            diags.push(code::at_origin(
                Diagnostic::new(
                    Code::UnsupportedVersion,
                    format!(
                        "component `{name}`: {} {} has no pinned image in the catalog",
                        stack.language, w.value
                    ),
                )
                .hint(format!(
                    "{} uses {} {}; the catalog has {}",
                    name,
                    stack.language,
                    version.version,
                    known.join(", ")
                )),
                &w.origin,
            ));
            Valued::new(
                version.version.clone(),
                default_origin(&format!(
                    "{} catalog, {} {} not available",
                    stack.id, stack.language, w.value
                )),
            )
        }
        (None, _) => Valued::new(
            version.version.clone(),
            default_origin(&format!("{} catalog", stack.id)),
        ),
    };

    let package_manager = ci
        .package_manager
        .clone()
        .map(|p| Valued::new(p, t(&key("packageManager"))))
        .or_else(|| detected.as_ref().and_then(|d| d.package_manager.clone()))
        .or_else(|| {
            let words = crate::catalog::tokens(line_value);
            stack
                .package_managers
                .iter()
                .find(|pm| words.contains(pm))
                .map(|pm| Valued::new(pm.clone(), line_origin.clone()))
        })
        .unwrap_or_else(|| {
            Valued::new(
                stack.package_managers[0].clone(),
                default_origin(&format!("{} catalog", stack.id)),
            )
        });

    let lockfile = install::lockfile(name, repo_dir, cx.sources, &package_manager.value, diags);
    if let Some(dir) = repo_dir
        && stack.language == "node"
    {
        install::install_scripts(name, dir, cx.sources, diags);
    }
    let install_reads_folder = repo_dir
        .filter(|_| lockfile.as_ref().is_some_and(|l| l.value == "requirements.txt"))
        .and_then(|d| install::requirements_read_folder(d, cx.sources));

    let catalog_origin = default_origin(&format!("{} catalog", stack.id));
    let typed_port = ci.port.map(|p| {
        let v = Valued::new(p, t(&key("port")));
        report_override(
            diags,
            facts,
            &format!("port of `{name}`"),
            &v,
            facts.port(role.value, name),
        );
        v
    });
    let port = code::port(
        typed_port,
        code.as_ref(),
        facts.port(role.value, name),
        stack,
        name,
        cx.sources,
        facts,
        diags,
    );
    // A TypeScript server: where tsc writes it and how the image compiles it.
    let ts = match (&code, stack.recipe.as_str()) {
        (Some(c), "node-server") => typescript::project(
            c,
            cx.sources,
            cx.catalog
                .language(&stack.language)
                .and_then(|l| l.package_manager(&package_manager.value)),
            diags,
        ),
        _ => None,
    };
    let entry = code::entry_with_prose(
        code.as_ref()
            .and_then(|c| code::entry(c, stack, cx.sources, ts.as_ref())),
        facts.entry_point(&stack.language),
        source_dir.value.as_deref().unwrap_or(name),
        name,
        facts,
        diags,
    );
    let command = code::command(
        ci.command.clone().map(|c| Valued::new(c, t(&key("command")))),
        entry.as_ref(),
        code.as_ref(),
        stack,
        port.as_ref().map(|p| p.value),
        cx.sources,
    );
    if let Some(dir) = repo_dir
        && stack.language == "python"
        && lockfile.as_ref().is_some_and(|l| l.value == "requirements.txt")
    {
        install::report_command_not_installed(
            name,
            dir,
            cx.sources,
            &command,
            repo::team_dockerfile(dir, cx.sources).as_deref(),
            diags,
        );
    }
    // The build step, when what starts the component is compiled output (not a file of the
    // source as it is).
    let compile = ts.as_ref().and_then(|p| p.compile.clone()).filter(|_| {
        entry
            .as_ref()
            .is_some_and(|e| code.as_ref().is_some_and(|c| !c.has_file(&e.target)))
    });
    let ts_server = code.as_ref().and_then(|c| {
        c.files
            .iter()
            .find(|f| typescript::is_ts(&f.rel) && f.facts.main.is_some())
    });
    if let Some(code) = &code
        && entry.is_none()
        && command.origin.kind == crate::model::OriginKind::Default
        && stack.run_mode == RunMode::Server
        && !stack.id.starts_with("nextjs")
        && let (Some(f), Some(p)) = (ts_server, &ts)
    {
        let why = if p.tsconfig_broken {
            format!("{} does not parse", p.tsconfig.as_deref().unwrap_or("tsconfig.json"))
        } else {
            "no `build` script, and no tsconfig.json with a `typescript` dependency".to_string()
        };
        let mut d = Diagnostic::new(
            Code::NoEntryPoint,
            format!(
                "component `{name}`: the server in {} is TypeScript and nothing says how to compile it ({why}); the {} catalog's command `{}` is a guess",
                f.shown,
                stack.id,
                command.value.join(" ")
            ),
        )
        .hint(if p.tsconfig_broken {
            format!(
                "fix {} (SP434 shows where); with a `\"build\": \"tsc\"` script in {}/package.json or `typescript` among its devDependencies, the image then compiles the server in a build stage and runs the compiled file",
                p.tsconfig.as_deref().unwrap_or("tsconfig.json"),
                code.dir
            )
        } else {
            format!(
            "add `typescript` to the devDependencies of {dir}/package.json, a {dir}/tsconfig.json with `compilerOptions.outDir` (e.g. \"dist\") and `rootDir` (e.g. \"src\"), and `\"build\": \"tsc\"` to its scripts; the image then compiles it in a build stage and runs the compiled file. Or set `components.{name}.command` in the deployment block",
            dir = code.dir
        )
        });
        d = match &f.facts.main {
            Some(span) => d.at(span.clone()).label("listens here"),
            None => d.at_path(&f.shown),
        };
        diags.push(d);
    } else if let Some(code) = &code
        && entry.is_none()
        && command.origin.kind == crate::model::OriginKind::Default
        && stack.run_mode == RunMode::Server
        && !stack.id.starts_with("nextjs")
    {
        diags.push(
            Diagnostic::new(
                Code::NoEntryPoint,
                format!(
                    "component `{name}`: nothing in {}/ says what starts it; the {} catalog's command `{}` is a guess",
                    code.dir,
                    stack.id,
                    command.value.join(" ")
                ),
            )
            .at_path(&code.dir)
            .hint(format!(
                "set `components.{name}.command` in the deployment block (JSON form, e.g. [\"uvicorn\", \"main:app\"]), or add the start command to a Dockerfile CMD or Procfile"
            )),
        );
    }
    // The source was read and declares no health route: probing the catalog's `/health`
    // would fail on the code as it is, so the probes check that the port accepts
    // connections (tcpSocket), and the run says how to add a route.
    let typed_health = ci
        .health
        .as_ref()
        .is_some_and(|h| h.liveness.is_some() || h.readiness.is_some() || h.startup.is_some());
    // An image a script builds from a shared folder that runs its own command as written
    // (`python -c "from tools.server import mcp; …"`): the folder's routes are its
    // application object's, which this image does not run.
    let own_command = code.as_ref().is_some_and(|c| c.scripted) && entry.is_none() && ci.command.is_none();
    let (detected_live, detected_ready) = match detected.as_ref().filter(|_| !own_command) {
        Some(d) => (d.health.clone(), d.readiness.clone()),
        None => (None, None),
    };
    let no_health_route = stack.health.as_ref().is_some_and(|h| h.liveness != "/")
        && stack.run_mode == RunMode::Server
        && !typed_health
        && (own_command || code.as_ref().is_some_and(|c| code::app_span(c).is_some()))
        && detected_live.is_none()
        && detected_ready.is_none()
        && facts.health_path(role.value, name).is_none();
    if no_health_route && let Some(code) = &code {
        let catalog_path = stack.health.as_ref().map(|h| h.liveness.as_str()).unwrap_or("/health");
        let example = code::health_route_example(stack, catalog_path);
        let port = port.as_ref().map(|p| p.value.to_string()).unwrap_or_default();
        let message = if own_command {
            format!(
                "component `{name}`: its image runs its own command ({}), not the application object of {}/, so sp cannot tell which health route it serves: its probes check that port {port} accepts connections (tcpSocket) instead of asking `{catalog_path}`",
                command.origin.text, code.dir
            )
        } else {
            format!(
                "component `{name}`: the source in {}/ declares no health route, so its probes check that port {port} accepts connections (tcpSocket) instead of asking `{catalog_path}`",
                code.dir
            )
        };
        let mut d = Diagnostic::new(Code::NoHealthRoute, message)
        .hint(format!(
            "add a route that answers 200 without authentication or a database ({example}); sp then probes it. Or name one in the deployment block: `components.{name}.health.liveness: /path`"
        ));
        d = match code::app_span(code).filter(|_| !own_command) {
            Some(span) => d.at(span),
            None => code::at_origin(d, &command.origin),
        };
        diags.push(d);
    }
    let health = stack.health.as_ref().filter(|_| !no_health_route).map(|h| {
        let hi = ci.health.clone().unwrap_or_default();
        let live = hi
            .liveness
            .map(|p| Valued::new(p, t(&key("health.liveness"))))
            .or(detected_live)
            .or_else(|| facts.health_path(role.value, name))
            .unwrap_or_else(|| Valued::new(h.liveness.clone(), catalog_origin.clone()));
        let ready = hi
            .readiness
            .map(|p| Valued::new(p, t(&key("health.readiness"))))
            .or(detected_ready)
            .unwrap_or_else(|| {
                if live.origin.kind == crate::model::OriginKind::Default {
                    Valued::new(h.readiness.clone(), catalog_origin.clone())
                } else {
                    live.clone()
                }
            });
        let startup = hi
            .startup
            .map(|p| Valued::new(p, t(&key("health.startup"))))
            .unwrap_or_else(|| live.clone());
        Health {
            liveness: live,
            readiness: ready,
            startup,
        }
    });

    let typed_pull = ci
        .pull_policy
        .map(|p| Valued::new(p.as_str().to_string(), t(&key("pullPolicy"))));
    if let Some(v) = &typed_pull {
        report_override(
            diags,
            facts,
            &format!("pull policy of `{name}`"),
            v,
            facts.pull_policy(),
        );
    }
    let pull_policy = typed_pull.or_else(|| facts.pull_policy()).unwrap_or_else(|| {
        let why = match platform.kind.value {
            PlatformKind::Minikube | PlatformKind::Kind => {
                "images are loaded into the cluster and their tags never move"
            }
            PlatformKind::Generic => "immutable version tags",
        };
        Valued::new("IfNotPresent".into(), default_origin(why))
    });
    let image = Image {
        repository: match &ci.image {
            Some(i) => Valued::new(i.clone(), t(&key("image"))),
            None => Valued::new(
                format!("{app}-{name}"),
                Origin::derived("the application and component names"),
            ),
        },
        tag: match &ci.tag {
            Some(tag) => Valued::new(tag.clone(), t(&key("tag"))),
            None => Valued::new("0.1.0".into(), default_origin("first release; never `latest`")),
        },
        pull_policy,
    };

    let mut stage_images: Vec<(String, String)> = version
        .images
        .iter()
        .chain(stack.images.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    stage_images.sort_by_key(|(k, _)| STAGE_ORDER.iter().position(|s| s == k).unwrap_or(usize::MAX));
    // The uv image is a stage only where uv installs the dependencies.
    if package_manager.value != "uv" {
        stage_images.retain(|(k, _)| k != "uv");
    }
    // Compiled code gets a build stage on the dependency stage's image.
    let mut build_stage_origin = None;
    if compile.is_some()
        && !stage_images.iter().any(|(k, _)| k == "build")
        && let Some(deps) = stage_images.iter().find(|(k, _)| k == "deps").map(|(_, v)| v.clone())
    {
        stage_images.push(("build".into(), deps));
        stage_images.sort_by_key(|(k, _)| STAGE_ORDER.iter().position(|s| s == k).unwrap_or(usize::MAX));
        build_stage_origin = Some(Origin::derived(format!(
            "the {} catalog, {} {} (the deps image; the code is compiled)",
            stack.id, stack.language, version.version
        )));
    }
    let stages = stage_images
        .into_iter()
        .map(|(n, img)| Stage {
            base: Valued::new(
                img,
                match (&build_stage_origin, n.as_str()) {
                    (Some(o), "build") => o.clone(),
                    _ => Origin::derived(format!(
                        "the {} catalog, {} {}",
                        stack.id, stack.language, version.version
                    )),
                },
            ),
            name: n,
        })
        .collect();

    let size_budget_mb = ci
        .size_budget_mb
        .map(|s| Valued::new(s, t(&key("sizeBudgetMb"))))
        .or_else(|| facts.size_budget(role.value, name));
    let replicas = ci
        .replicas
        .map(|r| Valued::new(r, t(&key("replicas"))))
        .or_else(|| facts.replicas(role.value, name))
        .unwrap_or_else(|| {
            Valued::new(
                1,
                default_origin("one replica on a local cluster; production values raise it"),
            )
        });
    let ri = ci.resources.clone().unwrap_or_default();
    let res = |v: Option<String>, field: &str, dflt: &str| match v {
        Some(v) => Valued::new(v, t(&key(&format!("resources.{field}")))),
        None => Valued::new(dflt.to_string(), catalog_origin.clone()),
    };
    let typed = (ri.cpu_request.is_some(), ri.cpu_limit.is_some());
    let typed_memory = (ri.memory_request.is_some(), ri.memory_limit.is_some());
    let mut resources = Resources {
        cpu_request: res(ri.cpu_request, "cpuRequest", &stack.resources.cpu_request),
        cpu_limit: res(ri.cpu_limit, "cpuLimit", &stack.resources.cpu_limit),
        memory_request: res(ri.memory_request, "memoryRequest", &stack.resources.memory_request),
        memory_limit: res(ri.memory_limit, "memoryLimit", &stack.resources.memory_limit),
    };
    fit_request_to_limit(&mut resources.cpu_request, &mut resources.cpu_limit, typed);
    fit_request_to_limit(&mut resources.memory_request, &mut resources.memory_limit, typed_memory);

    // Python's `logging` knows its level names in capitals only (`level="info"` raises), the
    // Node loggers in lower case; the code's own default and `.env.example` win over this one.
    let mut config = vec![ConfigValue {
        name: "LOG_LEVEL".into(),
        value: if stack.language == "python" { "INFO" } else { "info" }.into(),
        origin: default_origin("structured logs at info"),
    }];
    for (k, v) in &ci.config {
        config.retain(|c| &c.name != k);
        config.push(ConfigValue {
            name: k.clone(),
            value: v.clone(),
            origin: t(&key(&format!("config.{k}"))),
        });
    }
    let typed_secrets = ci
        .secrets
        .iter()
        .map(|s| SecretRef {
            optional: false,
            env: s.clone(),
            secret: format!("{app}-secrets"),
            key: s.clone(),
            delivery: SecretDelivery::Env,
            origin: t(&key("secrets")),
        })
        .collect();
    let files_demanded = code::constitution_demands_files(cx.constitution);
    let env = code::env(
        code.as_ref(),
        detected.as_ref().map(|d| d.env.as_slice()).unwrap_or_default(),
        config,
        typed_secrets,
        &format!("{app}-secrets"),
        files_demanded.as_ref(),
        port.as_ref(),
        cx.sources,
    );

    let service_type = match ci.exposure {
        Some(e) => {
            let v = Valued::new(e, t(&key("exposure")));
            report_override(
                diags,
                facts,
                &format!("exposure of `{name}`"),
                &v,
                facts.exposure(role.value),
            );
            v
        }
        None => facts.exposure(role.value).unwrap_or_else(|| match role.value {
            Role::Frontend => match platform.kind.value {
                PlatformKind::Minikube | PlatformKind::Kind => Valued::new(
                    ServiceType::NodePort,
                    default_origin("reachable from the host of a local cluster"),
                ),
                PlatformKind::Generic => {
                    Valued::new(ServiceType::LoadBalancer, default_origin("the public entry point"))
                }
            },
            _ => Valued::new(
                ServiceType::ClusterIP,
                default_origin("reachable inside the cluster only"),
            ),
        }),
    };
    // The node port: typed input, then prose ("the frontend via NodePort 30080"); only a
    // NodePort Service has one, and a typed one on another type is reported, not dropped.
    let node_port = match ci.node_port {
        Some(p) => {
            let v = Valued::new(p, t(&key("nodePort")));
            report_override(
                diags,
                facts,
                &format!("node port of `{name}`"),
                &v,
                facts.node_port(role.value),
            );
            Some(v)
        }
        None => facts.node_port(role.value),
    };
    let node_port = match node_port {
        Some(p) if service_type.value != ServiceType::NodePort => {
            if ci.node_port.is_some() {
                diags.push(code::at_origin(
                    Diagnostic::new(
                        Code::UnusedDeploymentFact,
                        format!(
                            "component `{name}`: node port {} is set, and its Service is {:?} ({}), which opens no port on the nodes",
                            p.value, service_type.value, service_type.origin.text
                        ),
                    )
                    .hint(format!("set `components.{name}.exposure: NodePort`, or leave `nodePort` out")),
                    &p.origin,
                ));
            }
            None
        }
        p => p,
    };
    // The user the container runs as: typed input, then prose ("run as root"), then the
    // secure default. What the constitution says about it is the gates' business.
    let uid = match ci.uid {
        Some(u) => Valued::new(u, t(&key("uid"))),
        None => facts
            .run_as_root()
            .map(|v| Valued::new(0, v.origin))
            .unwrap_or_else(|| Valued::new(UID, default_origin("non-root user above 10000"))),
    };
    let ingress_host = match &ci.host {
        Some(h) => Some(Valued::new(h.clone(), t(&key("host")))),
        None => facts.ingress_host(role.value),
    };

    let folder_unfound = (source_dir.value.is_none() && !several_folders).then_some(line_origin);
    let component = Component {
        name: name.to_string(),
        role,
        stack: Valued::new(stack.id.clone(), stack_origin),
        stack_name: stack.name.clone(),
        source_dir,
        language: stack.language.clone(),
        language_version,
        package_manager,
        lockfile,
        install_reads_folder,
        run_mode: Valued::new(stack.run_mode, Origin::derived(format!("the {} stack", stack.id))),
        entry,
        command,
        port: if stack.run_mode == RunMode::Worker { None } else { port },
        health,
        image,
        stages,
        size_budget_mb,
        replicas,
        resources,
        config: env.config,
        secrets: env.secrets,
        build_args: env.build_args,
        browser_forwards: Vec::new(),
        env_reads: env.reads,
        exposure: Exposure {
            service_type,
            ingress_host,
            node_port,
        },
        depends_on: ci.depends_on.clone(),
        proxies: Vec::new(),
        writable_dirs: stack.writable_dirs.clone(),
        uid: uid.value,
        gid: uid.value,
        compile,
        runtime_packages,
        slow_start: stack.slow_start,
    };
    Some(Built {
        component,
        folder_unfound,
    })
}

/// A command with its listening port set to `port`: the argument after `--port`/`-p`, or
/// the port of a `--bind`/`-b host:port`, so the command can never disagree with EXPOSE, the
/// probes and the Service.
pub(crate) fn with_port(command: &[String], port: Option<u16>) -> Vec<String> {
    let Some(port) = port else { return command.to_vec() };
    let mut out = command.to_vec();
    let mut i = 0;
    while i < out.len() {
        let arg = out[i].clone();
        if (arg == "--port" || arg == "-p") && i + 1 < out.len() {
            out[i + 1] = port.to_string();
            i += 1;
        } else if arg.starts_with("--port=") {
            out[i] = format!("--port={port}");
        } else if (arg == "--bind" || arg == "-b") && i + 1 < out.len() {
            if let Some((host, _)) = out[i + 1].rsplit_once(':') {
                out[i + 1] = format!("{host}:{port}");
            }
            i += 1;
        }
        i += 1;
    }
    out
}

/// The typed input overrides what prose states; when the two disagree, say so, pointing at
/// the prose that lost, so the user can fix whichever is wrong.
fn report_override<T: PartialEq + std::fmt::Debug>(
    diags: &mut Diagnostics,
    facts: &Facts,
    what: &str,
    typed: &Valued<T>,
    prose: Option<Valued<T>>,
) {
    let Some(p) = prose else { return };
    if p.value == typed.value || typed.origin.kind != crate::model::OriginKind::Input {
        return;
    }
    let mut d = Diagnostic::new(
        Code::ConflictingValue,
        format!(
            "{what}: {:?} from {} overrides {:?} stated here",
            typed.value, typed.origin.text, p.value
        ),
    )
    .hint("the typed deployment input and --set win over prose; change whichever is wrong so they agree");
    d = match facts.span_of(&p.origin) {
        Some(span) => d.at(span).label(format!("says {:?}", p.value)),
        None => d,
    };
    diags.push(d);
}

/// `Python 3.13+` → `3.13`, `Node.js 22` → `22`, `Go 1.25` → `1.25`.
fn prose_version(value: &str, language: &str) -> Option<String> {
    let names: &[String] = crate::catalog::Catalog::shared()
        .language(language)
        .map_or(&[], |l| l.names.as_slice());
    let words = crate::catalog::tokens(value);
    for (i, w) in words.iter().enumerate() {
        if names.iter().any(|n| n == w)
            && let Some(v) = words.get(i + 1)
        {
            let v = v.trim_start_matches('v');
            // `3.11+`, and an image tag's variant (`python:3.11-slim`): the number.
            let v = &v[..v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len())];
            let v = v.trim_end_matches('.');
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

fn backing_services(
    cx: &DeployInputs,
    typed: &DeployInput,
    facts: &Facts,
    app: &str,
    t: &dyn Fn(&str) -> Origin,
) -> Vec<BackingService> {
    let mut out = Vec::new();
    let mut found = facts.backing();
    // Typed services add to or override what the prose says.
    for (name, si) in &typed.services {
        let kind = si.kind.or_else(|| match name.as_str() {
            n if n.contains("postgres") || n == "db" || n == "database" => Some(ServiceKind::Postgres),
            n if n.contains("redis") || n == "cache" => Some(ServiceKind::Redis),
            _ => None,
        });
        let Some(kind) = kind else { continue };
        found.retain(|f| f.kind != kind);
        let mode = si
            .mode
            .map(|m| Valued::new(m, t(&format!("services.{name}.mode"))))
            .unwrap_or_else(|| Valued::new(ServiceMode::InCluster, default_origin("in the cluster")));
        found.push(prose::ServiceMention {
            kind,
            mode,
            product: name.clone(),
            version: si.version.clone(),
            storage: si
                .storage
                .clone()
                .map(|s| Valued::new(s, t(&format!("services.{name}.storage")))),
        });
    }
    for prose::ServiceMention {
        kind,
        mode,
        product,
        version,
        storage,
    } in found
    {
        let kind_name = match kind {
            ServiceKind::Postgres => "postgres",
            ServiceKind::Redis => "redis",
        };
        let catalog = cx
            .catalog
            .service(kind_name)
            .expect("the catalog pins every service kind");
        let in_cluster = mode.value == ServiceMode::InCluster;
        let (env, key) = match (kind, in_cluster) {
            (ServiceKind::Postgres, false) => ("DATABASE_URL", "DATABASE_URL"),
            (ServiceKind::Postgres, true) => ("POSTGRES_PASSWORD", "POSTGRES_PASSWORD"),
            (ServiceKind::Redis, false) => ("REDIS_URL", "REDIS_URL"),
            (ServiceKind::Redis, true) => ("REDIS_PASSWORD", "REDIS_PASSWORD"),
        };
        let origin = mode.origin.clone();
        out.push(BackingService {
            name: kind_name.to_string(),
            kind,
            product,
            version: match version {
                Some(v) => Valued::new(v, origin.clone()),
                None => Valued::new(catalog.version.clone(), default_origin("catalog")),
            },
            image: in_cluster.then(|| Valued::new(catalog.image.clone(), default_origin("catalog, pinned"))),
            port: catalog.port,
            storage: if in_cluster {
                Some(storage.unwrap_or_else(|| Valued::new("1Gi".into(), default_origin("smallest useful volume"))))
            } else {
                None
            },
            secret: SecretRef {
                optional: false,
                env: env.into(),
                secret: format!("{app}-secrets"),
                key: key.into(),
                // The official images read `POSTGRES_PASSWORD_FILE`; redis gets its password
                // from the file through its start script.
                delivery: SecretDelivery::File,
                origin,
            },
            uid: UID,
            mode,
        });
    }
    out
}

/// Connections between the parts: frontends call the first backend, backends and workers
/// use the backing services, and every secret the inputs name goes to the components that
/// need it.
fn wire(components: &mut [Component], backing: &mut [BackingService], facts: &Facts, app: &str) {
    let backend = components
        .iter()
        .find(|c| c.role.value == Role::Backend)
        .map(|c| (c.name.clone(), c.port.as_ref().map(|p| p.value)));
    for c in components.iter_mut() {
        match c.role.value {
            Role::Frontend => {
                if let Some((b, Some(port))) = &backend {
                    if !c.depends_on.contains(b) {
                        c.depends_on.push(b.clone());
                    }
                    // A static site has no server to read API_URL: its nginx proxies /api. Code
                    // that falls back to the backend's port on localhost under a name of its own
                    // (`BACKEND_URL`) gets that variable instead ([`code::deliver`]).
                    let own_name = c.env_reads.iter().any(|r| {
                        r.default
                            .as_ref()
                            .and_then(|d| code::local_address(d.value()))
                            .and_then(|(_, p)| p)
                            == Some(*port)
                    });
                    if c.run_mode.value != RunMode::Static && !own_name && !c.config.iter().any(|v| v.name == "API_URL")
                    {
                        c.config.push(ConfigValue {
                            name: "API_URL".into(),
                            value: format!("http://{b}:{port}"),
                            origin: Origin::derived(format!("the {b} Service; the frontend calls it server-side")),
                        });
                    }
                }
            }
            Role::Backend | Role::Worker => {
                for s in backing.iter() {
                    if !c.depends_on.contains(&s.name) {
                        c.depends_on.push(s.name.clone());
                    }
                    let read_as = code::database_env(c, s.kind);
                    let env = match (s.kind, s.mode.value) {
                        (ServiceKind::Postgres, _) => read_as.as_deref().unwrap_or("DATABASE_URL"),
                        (ServiceKind::Redis, ServiceMode::External) => "REDIS_URL",
                        (ServiceKind::Redis, ServiceMode::InCluster) => "REDIS_PASSWORD",
                    };
                    // The code reads the database URL under its own name: same Secret key.
                    if read_as.is_some()
                        && let Some(x) = c.secrets.iter_mut().find(|x| x.env == env)
                    {
                        x.key = "DATABASE_URL".into();
                        x.secret = format!("{app}-secrets");
                    }
                    if !c.secrets.iter().any(|x| x.env == env) {
                        c.secrets.push(SecretRef {
                            optional: false,
                            env: env.into(),
                            secret: format!("{app}-secrets"),
                            key: if s.kind == ServiceKind::Postgres {
                                "DATABASE_URL".into()
                            } else {
                                env.into()
                            },
                            delivery: SecretDelivery::Env,
                            origin: s.secret.origin.clone(),
                        });
                    }
                    if s.kind == ServiceKind::Redis
                        && s.mode.value == ServiceMode::InCluster
                        && !c.config.iter().any(|v| v.name == "REDIS_HOST")
                    {
                        c.config.push(ConfigValue {
                            name: "REDIS_HOST".into(),
                            value: s.name.clone(),
                            origin: Origin::derived("the in-cluster redis Service"),
                        });
                        c.config.push(ConfigValue {
                            name: "REDIS_PORT".into(),
                            value: s.port.to_string(),
                            origin: Origin::derived("the in-cluster redis Service"),
                        });
                    }
                }
            }
        }
    }
    // Application secrets named in prose go to the backends (the frontend proxies to them).
    let service_envs = ["DATABASE_URL", "REDIS_URL", "REDIS_PASSWORD", "POSTGRES_PASSWORD"];
    for s in facts.secrets() {
        if service_envs.contains(&s.value.as_str()) {
            continue;
        }
        for c in components.iter_mut().filter(|c| c.role.value == Role::Backend) {
            if !c.secrets.iter().any(|x| x.env == s.value) {
                c.secrets.push(SecretRef {
                    optional: false,
                    env: s.value.clone(),
                    secret: format!("{app}-secrets"),
                    key: s.value.clone(),
                    delivery: SecretDelivery::Env,
                    origin: s.origin.clone(),
                });
            }
        }
    }
    for c in components.iter_mut() {
        c.config.sort_by(|a, b| a.name.cmp(&b.name));
        c.secrets.sort_by(|a, b| a.env.cmp(&b.env));
    }
}
