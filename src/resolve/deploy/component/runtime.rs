//! How the component's container runs: its image and pull policy, replicas, resources,
//! configuration and the user it runs as.

use crate::catalog::Stack;
use crate::diagnostics::Diagnostics;
use crate::model::Origin;
use crate::model::deploy::{ConfigValue, Image, PlatformKind, Resources, Role, SecretDelivery, SecretRef, Valued};

use super::super::{UID, default_origin};
use super::Field;

/// The pull policy: typed `pullPolicy` (reported at a prose policy it overrides), prose
/// ("imagePullPolicy Never"), `IfNotPresent`.
pub(super) fn pull_policy(
    f: &Field,
    platform: &crate::model::deploy::Platform,
    diags: &mut Diagnostics,
) -> Valued<String> {
    let prose = f.facts.pull_policy();
    f.typed_over(
        f.ci.pull_policy.map(|p| p.as_str().to_string()),
        "pullPolicy",
        "pull policy",
        prose.as_ref(),
        diags,
    )
    .or(prose)
    .unwrap_or_else(|| {
        let why = match platform.kind.value {
            PlatformKind::Minikube | PlatformKind::Kind => {
                "images are loaded into the cluster and their tags never move"
            }
            PlatformKind::Generic => "immutable version tags",
        };
        Valued::new("IfNotPresent".into(), default_origin(why))
    })
}

/// The image: typed `image` and `tag`, else `<app>-<component>` at `0.1.0` (never `latest`).
pub(super) fn image(f: &Field, app: &str, pull_policy: Valued<String>) -> Image {
    Image {
        repository: f.typed(f.ci.image.clone(), "image").unwrap_or_else(|| {
            Valued::new(
                format!("{app}-{}", f.name),
                Origin::derived("the application and component names"),
            )
        }),
        tag: f
            .typed(f.ci.tag.clone(), "tag")
            .unwrap_or_else(|| Valued::new("0.1.0".into(), default_origin("first release; never `latest`"))),
        pull_policy,
    }
}

/// The image size budget in MB: typed `sizeBudgetMb`, prose ("<200MB (frontend)"), else none
/// (no budget is checked).
pub(super) fn size_budget(f: &Field, role: Role) -> Option<Valued<u32>> {
    f.typed(f.ci.size_budget_mb, "sizeBudgetMb")
        .or_else(|| f.facts.size_budget(role, f.name))
}

/// Replicas: typed, prose ("2 replicas of the backend"), one on a local cluster.
pub(super) fn replicas(f: &Field, role: Role) -> Valued<u32> {
    f.typed(f.ci.replicas, "replicas")
        .or_else(|| f.facts.replicas(role, f.name))
        .unwrap_or_else(|| {
            Valued::new(
                1,
                default_origin("one replica on a local cluster; production values raise it"),
            )
        })
}

/// Requests and limits: typed `resources.*`, else the stack's. A typed side the catalog's
/// other side contradicts moves that default ([`fit_request_to_limit`]).
pub(super) fn resources(f: &Field, stack: &Stack) -> Resources {
    let catalog_origin = default_origin(&format!("{} catalog", stack.id));
    let ri = f.ci.resources.clone().unwrap_or_default();
    let typed = (ri.cpu_request.is_some(), ri.cpu_limit.is_some());
    let typed_memory = (ri.memory_request.is_some(), ri.memory_limit.is_some());
    let res = |v: Option<String>, field: &str, dflt: &str| {
        f.typed(v, &format!("resources.{field}"))
            .unwrap_or_else(|| Valued::new(dflt.to_string(), catalog_origin.clone()))
    };
    let mut resources = Resources {
        cpu_request: res(ri.cpu_request, "cpuRequest", &stack.resources.cpu_request),
        cpu_limit: res(ri.cpu_limit, "cpuLimit", &stack.resources.cpu_limit),
        memory_request: res(ri.memory_request, "memoryRequest", &stack.resources.memory_request),
        memory_limit: res(ri.memory_limit, "memoryLimit", &stack.resources.memory_limit),
    };
    fit_request_to_limit(&mut resources.cpu_request, &mut resources.cpu_limit, typed);
    fit_request_to_limit(&mut resources.memory_request, &mut resources.memory_limit, typed_memory);
    resources
}

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

/// The configuration the inputs give, before the code's reads are added: `LOG_LEVEL` at
/// info, then typed `config`. Python's `logging` knows its level names in capitals only
/// (`level="info"` raises), the Node loggers in lower case; the code's own default and
/// `.env.example` win over this one.
pub(super) fn config(f: &Field, stack: &Stack) -> Vec<ConfigValue> {
    let mut config = vec![ConfigValue {
        name: "LOG_LEVEL".into(),
        value: if stack.language == "python" { "INFO" } else { "info" }.into(),
        origin: default_origin("structured logs at info"),
    }];
    for (k, v) in &f.ci.config {
        config.retain(|c| &c.name != k);
        config.push(ConfigValue {
            name: k.clone(),
            value: v.clone(),
            origin: (f.t)(&f.key(&format!("config.{k}"))),
        });
    }
    config
}

/// The typed `secrets`, each from the key of its name in the application's Secret.
pub(super) fn secrets(f: &Field, app: &str) -> Vec<SecretRef> {
    f.ci.secrets
        .iter()
        .map(|s| SecretRef {
            optional: false,
            env: s.clone(),
            secret: format!("{app}-secrets"),
            key: s.clone(),
            delivery: SecretDelivery::Env,
            origin: (f.t)(&f.key("secrets")),
        })
        .collect()
}

/// The user the container runs as: typed `uid`, then prose ("run as root"), then the secure
/// default. What the constitution says about it is the gates' business.
pub(super) fn uid(f: &Field) -> Valued<u32> {
    f.typed(f.ci.uid, "uid")
        .or_else(|| f.facts.run_as_root().map(|v| Valued::new(0, v.origin)))
        .unwrap_or_else(|| Valued::new(UID, default_origin("non-root user above 10000")))
}
