//! The component's probes: the routes its health checks ask, or a TCP check of its port when
//! the source declares no route (SP424).

use crate::catalog::Stack;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::OriginKind;
use crate::model::deploy::{Entry, Health, Role, RunMode, Valued};

use super::super::{code, default_origin, repo};
use super::Field;

/// How the component starts, as the code and its inputs decided it.
pub(super) struct Start<'a> {
    pub code: Option<&'a code::Code>,
    pub entry: Option<&'a Entry>,
    pub command: &'a Valued<Vec<String>>,
    pub port: Option<&'a Valued<u16>>,
}

/// The probes, `None` for tcpSocket probes. Each route's chain: typed `health.<probe>`; a
/// route the source declares (readiness its own `/ready` when it has one); prose; the
/// catalog's. Readiness and startup follow liveness when it is not the catalog's. A server
/// whose source was read and declares no route gets tcpSocket probes and SP424: probing the
/// catalog's `/health` would restart a healthy pod forever.
pub(super) fn health(
    f: &Field,
    start: Start,
    stack: &Stack,
    detected: Option<&repo::Detected>,
    role: Role,
    diags: &mut Diagnostics,
) -> Option<Health> {
    let (ci, name) = (f.ci, f.name);
    let typed_health = ci
        .health
        .as_ref()
        .is_some_and(|h| h.liveness.is_some() || h.readiness.is_some() || h.startup.is_some());
    // An image a script builds from a shared folder that runs its own command as written
    // (`python -c "from tools.server import mcp; …"`): the folder's routes are its
    // application object's, which this image does not run.
    let own_command = start.code.is_some_and(|c| c.scripted) && start.entry.is_none() && ci.command.is_none();
    let (detected_live, detected_ready) = match detected.filter(|_| !own_command) {
        Some(d) => (d.health.clone(), d.readiness.clone()),
        None => (None, None),
    };
    let no_health_route = stack.health.as_ref().is_some_and(|h| h.liveness != "/")
        && stack.run_mode == RunMode::Server
        && !typed_health
        && (own_command || start.code.is_some_and(|c| code::app_span(c).is_some()))
        && detected_live.is_none()
        && detected_ready.is_none()
        && f.facts.health_path(role, name).is_none();
    if no_health_route && let Some(code) = start.code {
        let catalog_path = stack.health.as_ref().map(|h| h.liveness.as_str()).unwrap_or("/health");
        let example = code::health_route_example(stack, catalog_path);
        let port = start.port.map(|p| p.value.to_string()).unwrap_or_default();
        let message = if own_command {
            format!(
                "component `{name}`: its image runs its own command ({}), not the application object of {}/, so sp cannot tell which health route it serves: its probes check that port {port} accepts connections (tcpSocket) instead of asking `{catalog_path}`",
                start.command.origin.text, code.dir
            )
        } else {
            format!(
                "component `{name}`: the source in {}/ declares no health route, so its probes check that port {port} accepts connections (tcpSocket) instead of asking `{catalog_path}`",
                code.dir
            )
        };
        let mut d = Diagnostic::new(Code::NoHealthRoute, message).hint(format!(
            "add a route that answers 200 without authentication or a database ({example}); sp then probes it. Or name one in the deployment block: `components.{name}.health.liveness: /path`"
        ));
        d = match code::app_span(code).filter(|_| !own_command) {
            Some(span) => d.at(span),
            None => code::at_origin(d, &start.command.origin),
        };
        diags.push(d);
    }
    let catalog_origin = default_origin(&format!("{} catalog", stack.id));
    stack.health.as_ref().filter(|_| !no_health_route).map(|h| {
        let hi = ci.health.clone().unwrap_or_default();
        let live = f
            .typed(hi.liveness, "health.liveness")
            .or(detected_live)
            .or_else(|| f.facts.health_path(role, name))
            .unwrap_or_else(|| Valued::new(h.liveness.clone(), catalog_origin.clone()));
        let ready = f
            .typed(hi.readiness, "health.readiness")
            .or(detected_ready)
            .unwrap_or_else(|| {
                if live.origin.kind == OriginKind::Default {
                    Valued::new(h.readiness.clone(), catalog_origin.clone())
                } else {
                    live.clone()
                }
            });
        let startup = f.typed(hi.startup, "health.startup").unwrap_or_else(|| live.clone());
        Health {
            liveness: live,
            readiness: ready,
            startup,
        }
    })
}
