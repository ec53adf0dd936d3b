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
mod component;
pub mod discover;
mod imports;
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

use crate::catalog::Catalog;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::load::repo::RepoDir;
use crate::model::deploy::{
    BackingService, Component, ConfigValue, Deployment, Platform, PlatformKind, Role, Rollout, RunMode, SecretDelivery,
    SecretRef, ServiceKind, ServiceMode, Valued,
};
use crate::model::{Origin, Scope, StackLine};
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::PlanInput;
use crate::parse::spec::Spec;
use crate::source::{Sources, Span};

pub use component::{Chain, PRECEDENCE, STAGE_ORDER};
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
    let mut compose_peers = Vec::new();
    for named in &names {
        let ci = typed.components.get(&named.name).cloned().unwrap_or_default();
        let Some(built) =
            component::component(cx, named, &ci, &facts, &platform, &app.value, &t, &mut used_dirs, diags)
        else {
            continue;
        };
        if let Some(line) = built.folder_unfound {
            unfound.push((components.len(), line));
        }
        components.push(built.component);
        compose_peers.push(built.compose_peers);
    }
    if components.is_empty() {
        return None;
    }
    let constitution = cx.constitution.map(|c| c.path.as_str());
    let in_block = |name: &str| typed.components.contains_key(name);
    for i in component::report_missing_folders(&components, &unfound, constitution, &in_block, diags)
        .into_iter()
        .rev()
    {
        components.remove(i);
        compose_peers.remove(i);
    }
    component::shared_node_ports(&mut components, diags);
    wire(&mut components, &mut backing, &facts, &app.value);
    code::compose_peers(&mut components, compose_peers, diags);
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
    // An unfilled template title (`# [PROJECT_NAME] Constitution`, SP304) names nothing.
    if let Some(c) = cx
        .constitution
        .filter(|c| !crate::parse::constitution::has_placeholder(&c.title))
    {
        let title: String = c
            .title
            .split_whitespace()
            .filter(|w| {
                !w.trim_matches(|c: char| !c.is_alphanumeric())
                    .eq_ignore_ascii_case("constitution")
            })
            .collect::<Vec<_>>()
            .join(" ");
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
