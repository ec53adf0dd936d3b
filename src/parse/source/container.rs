//! What a team wrote to run its code: a Dockerfile (`EXPOSE`, `CMD`/`ENTRYPOINT`), a compose
//! file (`build`, `command`, `ports`, `environment`), a Procfile (`web:`), and `PORT` in `.env.example`.

use super::{Command, Fact, FileFacts, Port};
use crate::source::{SourceId, Span};

/// Lines with their byte offsets, continuation lines (`\`) joined.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut at = 0;
    let mut pending: Option<(usize, String)> = None;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let l = raw.trim_end_matches(['\n', '\r']);
        let (s, mut acc) = pending.take().unwrap_or((start, String::new()));
        if let Some(cont) = l.strip_suffix('\\') {
            acc.push_str(cont);
            acc.push(' ');
            pending = Some((s, acc));
        } else {
            acc.push_str(l);
            out.push((s, acc));
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// A Dockerfile's exec form (`["a", "b"]`) or shell form (`a b`) as words.
fn exec_or_shell(rest: &str) -> Option<Vec<String>> {
    let rest = rest.trim();
    if rest.starts_with('[') {
        serde_json::from_str::<Vec<String>>(rest).ok()
    } else {
        super::shell_words(rest)
    }
}

/// The runtime stage's `EXPOSE` and `CMD`/`ENTRYPOINT` (the last of each wins, as in Docker).
pub fn dockerfile(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    let mut entrypoint: Option<(Vec<String>, std::ops::Range<usize>)> = None;
    let mut cmd: Option<(Vec<String>, std::ops::Range<usize>)> = None;
    let mut expose: Option<Fact<Port>> = None;
    for (start, line) in logical_lines(text) {
        let t = line.trim_start();
        let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        let range = start..start + line.len();
        match word.to_ascii_uppercase().as_str() {
            // A new stage forgets what the previous one said.
            "FROM" => {
                entrypoint = None;
                cmd = None;
                expose = None;
            }
            "EXPOSE" => {
                let first = rest.split_whitespace().next().unwrap_or("");
                if let Some(p) = super::port_literal(first.split('/').next().unwrap_or("")) {
                    expose = Some(Fact::new(
                        Port {
                            port: p,
                            how: "Dockerfile EXPOSE".into(),
                        },
                        source,
                        range,
                    ));
                }
            }
            "CMD" => cmd = exec_or_shell(rest).map(|a| (a, range)),
            "ENTRYPOINT" => entrypoint = exec_or_shell(rest).map(|a| (a, range)),
            _ => {}
        }
    }
    f.ports.extend(expose);
    let argv = match (entrypoint, cmd) {
        (Some((mut e, r)), Some((c, _))) => {
            e.extend(c);
            Some((e, r))
        }
        (Some(e), None) => Some(e),
        (None, c) => c,
    };
    if let Some((argv, range)) = argv
        && !argv.is_empty()
    {
        ports_in_argv(&argv, "Dockerfile CMD", source, &range, &mut f);
        f.commands.push(Fact::new(
            Command {
                argv,
                how: "Dockerfile CMD".into(),
            },
            source,
            range,
        ));
    }
    f
}

/// `--port 8000`, `-p 3000`, `--bind 0.0.0.0:8000`, `-b :8000` in a command line.
fn ports_in_argv(argv: &[String], how: &str, source: SourceId, range: &std::ops::Range<usize>, f: &mut FileFacts) {
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        let p = match a.as_str() {
            "--port" | "-p" | "--bind" | "-b" => it.next().and_then(|v| super::port_literal(v)),
            _ => a
                .strip_prefix("--port=")
                .or_else(|| a.strip_prefix("--bind="))
                .and_then(super::port_literal),
        };
        if let Some(p) = p {
            f.ports.push(Fact::new(
                Port {
                    port: p,
                    how: how.to_string(),
                },
                source,
                range.clone(),
            ));
        }
    }
}

/// `web: uvicorn main:app --port $PORT` (the `web` process, else the first).
pub fn procfile(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    let mut best: Option<(bool, Vec<String>, std::ops::Range<usize>)> = None;
    for (start, line) in logical_lines(text) {
        let Some((kind, cmd)) = line.split_once(':') else {
            continue;
        };
        let kind = kind.trim();
        if kind.is_empty() || kind.contains(' ') || kind.starts_with('#') {
            continue;
        }
        let Some(argv) = super::shell_words(cmd.trim()) else {
            continue;
        };
        if argv.is_empty() {
            continue;
        }
        let web = kind == "web";
        if best.as_ref().is_none_or(|(w, _, _)| !w && web) {
            best = Some((web, argv, start..start + line.len()));
        }
    }
    if let Some((_, argv, range)) = best {
        ports_in_argv(&argv, "Procfile", source, &range, &mut f);
        f.commands.push(Fact::new(
            Command {
                argv,
                how: "Procfile".into(),
            },
            source,
            range,
        ));
    }
    f
}

/// `PORT=…` in `.env.example` (the other keys are read as configuration elsewhere).
pub fn dotenv(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    for (start, line) in logical_lines(text) {
        let t = line.trim().strip_prefix("export ").unwrap_or(line.trim());
        if let Some(v) = t.strip_prefix("PORT=")
            && let Some(p) = super::port_literal(v.trim().trim_matches(['"', '\'']))
        {
            f.ports.push(Fact::new(
                Port {
                    port: p,
                    how: ".env.example PORT".into(),
                },
                source,
                start..start + line.len(),
            ));
        }
    }
    f
}

/// One service of a compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeService {
    pub name: String,
    /// The build context, relative to the compose file's folder (`./backend` → `backend`).
    pub context: Option<String>,
    /// The Dockerfile its build names (`build: {dockerfile: Dockerfile.prod}`), relative to
    /// the context.
    pub dockerfile: Option<String>,
    /// The image it runs, for a service that builds none (`postgres:17`).
    pub image: Option<String>,
    /// The service's `name:` line.
    pub span: Span,
    pub facts: FileFacts,
    /// Its `environment:` entries, in the file's order.
    pub environment: Vec<Fact<ComposeEnv>>,
}

/// One `environment:` entry of a compose service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeEnv {
    pub name: String,
    /// The value with compose's interpolation applied the way it is with no shell variable
    /// set (`${X:-d}` is `d`); `None` when it needs one (`${X}`, `${X:?msg}`) or is not given
    /// (`- NAME` passes the shell's value through).
    pub value: Option<String>,
    /// Another service of the same file that the value addresses by its compose name
    /// (`redis://redis-cache:6379/0`), a name the cluster may not have.
    pub peer: Option<Peer>,
}

/// A compose service another one's value addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its compose name, the host in the value.
    pub name: String,
    /// The folder it builds (`./backend` → `backend`), when it builds one.
    pub context: Option<String>,
}

/// Compose's interpolation with no variable set: `$$` is `$`, `${X:-d}` and `${X-d}` are `d`;
/// `None` when the value needs a variable (`$X`, `${X}`, `${X:?err}`, `${X:+alt}`).
fn interpolate_unset(v: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}')?;
            let expr = &inner[..end];
            let name_end = expr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expr.len());
            let op = &expr[name_end..];
            let default = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'))?;
            // A default that itself interpolates (`${A:-${B}}`) is not followed.
            if default.contains('$') {
                return None;
            }
            out.push_str(default);
            rest = &inner[end + 1..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The host a value names: a URL's (after the scheme and credentials) or a bare
/// `host[:port]`.
fn host_of(value: &str) -> &str {
    let rest = value.split_once("://").map(|(_, r)| r).unwrap_or(value);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    host.split(':').next().unwrap_or(host)
}

impl ComposeService {
    /// Whether the service builds the code of `folder`: its context is the folder, or its
    /// context is the compose file's own folder and its Dockerfile lives in `folder` or below
    /// it (`build: {context: ., dockerfile: backend/Dockerfile}` builds `backend`).
    pub fn builds(&self, folder: &str) -> bool {
        let Some(context) = self.context.as_deref() else {
            return false;
        };
        context == folder
            || (context == "."
                && self
                    .dockerfile_dir()
                    .is_some_and(|d| d == folder || d.strip_prefix(folder).is_some_and(|r| r.starts_with('/'))))
    }

    /// The Dockerfile the service builds `folder` with, relative to that folder
    /// (`Dockerfile.prod`, or `docker/Dockerfile` below it); `None` when it names none.
    pub fn dockerfile_in(&self, folder: &str) -> Option<&str> {
        let dockerfile = self.dockerfile.as_deref()?;
        if self.context.as_deref() == Some(folder) {
            Some(dockerfile)
        } else {
            dockerfile.strip_prefix(folder)?.strip_prefix('/')
        }
    }

    /// The folder of a Dockerfile named from the compose file's own folder.
    fn dockerfile_dir(&self) -> Option<&str> {
        self.dockerfile.as_deref()?.rsplit_once('/').map(|(dir, _)| dir)
    }
}

/// Services of a compose file: the build context or image of each, the `command:` and the
/// container side of the `ports:` of those that build one.
pub fn compose(text: &str, source: SourceId) -> Vec<ComposeService> {
    let Ok(v) = crate::yaml::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(services) = v.get("services").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    // Where a service's block starts, for origins: `  name:` at the services' indentation.
    let line_range = |needle: &str, from: usize| -> std::ops::Range<usize> {
        match text[from..].find(needle) {
            Some(i) => {
                let s = from + i;
                s..s + text[s..].find('\n').unwrap_or(text.len() - s)
            }
            None => from..from,
        }
    };
    let mut out = Vec::new();
    for (name, s) in services {
        let base = text.find(&format!("\n  {name}:")).map(|i| i + 1).unwrap_or(0);
        let context = build_context(s);
        let dockerfile = s
            .get("build")
            .and_then(|b| b.get("dockerfile"))
            .and_then(|d| d.as_str())
            .map(|d| d.trim_start_matches("./").to_string());
        let mut f = FileFacts::default();
        if let Some(cmd) = s.get("command") {
            let argv = match cmd {
                serde_json::Value::String(c) => super::shell_words(c),
                serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().map(String::from)).collect(),
                _ => None,
            };
            if let Some(argv) = argv.filter(|a| !a.is_empty()) {
                let range = line_range("command:", base);
                ports_in_argv(&argv, "compose command", source, &range, &mut f);
                f.commands.push(Fact::new(
                    Command {
                        argv,
                        how: "compose command".into(),
                    },
                    source,
                    range,
                ));
            }
        }
        if let Some(ports) = s.get("ports").and_then(|p| p.as_array())
            && let Some(first) = ports.first()
        {
            let spec = match first {
                serde_json::Value::String(p) => p.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                other => other.get("target").map(|t| t.to_string()).unwrap_or_default(),
            };
            // `host:container`, `ip:host:container`, `container/tcp`.
            let container = spec.split('/').next().unwrap_or("").rsplit(':').next().unwrap_or("");
            if let Some(p) = super::port_literal(container) {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: "compose ports".into(),
                    },
                    source,
                    line_range("ports:", base),
                ));
            }
        }
        let image = s
            .get("image")
            .and_then(|i| i.as_str())
            .filter(|_| context.is_none())
            .map(String::from);
        let environment = environment(s.get("environment"), name, services, text, base, source);
        out.push(ComposeService {
            name: name.clone(),
            context,
            dockerfile,
            image,
            span: Span::new(source, line_range(&format!("{name}:"), base)),
            facts: f,
            environment,
        });
    }
    out
}

/// The folder a service builds, relative to the compose file's (`./backend` → `backend`).
fn build_context(service: &serde_json::Value) -> Option<String> {
    match service.get("build") {
        Some(serde_json::Value::String(c)) => Some(c.clone()),
        Some(b) => b.get("context").and_then(|c| c.as_str()).map(String::from),
        None => None,
    }
    .map(|c| {
        let c = c.trim_start_matches("./").trim_end_matches('/');
        if c.is_empty() { ".".to_string() } else { c.to_string() }
    })
}

/// A service's `environment:`, as a map (`NAME: value`) or a list (`- NAME=value`), each
/// entry's span the line that names it below `environment:`.
fn environment(
    env: Option<&serde_json::Value>,
    own: &str,
    services: &serde_json::Map<String, serde_json::Value>,
    text: &str,
    base: usize,
    source: SourceId,
) -> Vec<Fact<ComposeEnv>> {
    let entries: Vec<(String, Option<String>)> = match env {
        Some(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                };
                (k.clone(), v)
            })
            .collect(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (e.to_string(), None),
            })
            .collect(),
        _ => return Vec::new(),
    };
    let block = text[base..].find("environment:").map(|i| base + i).unwrap_or(base);
    let mut out = Vec::new();
    for (name, raw) in entries {
        let name = name.trim().to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        // The entry's line: the first after `environment:` that starts with its name (the
        // parsed map is in key order, not the file's).
        let range = text[block..]
            .match_indices(name.as_str())
            .map(|(i, _)| block + i)
            .find(|&s| {
                let before = text[..s].rsplit('\n').next().unwrap_or("");
                let after = &text[s + name.len()..];
                before.trim_start_matches([' ', '-', '"', '\'']).is_empty()
                    && after.starts_with([':', '=', '"', '\'', '\n', '\r'])
            })
            .map(|s| s..s + text[s..].find('\n').unwrap_or(text.len() - s))
            .unwrap_or(block..block + "environment:".len());
        let value = raw.as_deref().and_then(interpolate_unset);
        let peer = value.as_deref().and_then(|v| {
            let host = host_of(v.trim());
            services
                .iter()
                .find(|(n, s)| {
                    n.as_str() != own
                        && (n.as_str() == host || s.get("container_name").and_then(|c| c.as_str()) == Some(host))
                })
                .map(|(n, s)| Peer {
                    name: n.clone(),
                    context: build_context(s),
                })
        });
        out.push(Fact::new(ComposeEnv { name, value, peer }, source, range));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SourceId {
        crate::source::Sources::default().add("x".into(), String::new())
    }

    #[test]
    fn dockerfile_last_stage_cmd_and_expose() {
        let f = dockerfile(
            "FROM python:3.12 AS build\nEXPOSE 9999\nCMD [\"x\"]\nFROM python:3.12-slim\nEXPOSE 8001\nCMD uvicorn main:app \\\n  --host 0.0.0.0 --port 8001\n",
            id(),
        );
        assert_eq!(f.commands.len(), 1);
        assert_eq!(
            f.commands[0].value.argv,
            vec!["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8001"]
        );
        let ports: Vec<u16> = f.ports.iter().map(|p| p.value.port).collect();
        assert_eq!(ports, vec![8001, 8001]);
    }

    #[test]
    fn procfile_prefers_web() {
        let f = procfile("worker: python -m jobs\nweb: gunicorn app:app -b 0.0.0.0:5000\n", id());
        assert_eq!(f.commands[0].value.argv[0], "gunicorn");
        assert_eq!(f.ports[0].value.port, 5000);
    }

    #[test]
    fn compose_interpolation_without_shell_variables() {
        assert_eq!(interpolate_unset("plain").as_deref(), Some("plain"));
        assert_eq!(interpolate_unset("${LEVEL:-info}").as_deref(), Some("info"));
        assert_eq!(interpolate_unset("a-${X-b}-c").as_deref(), Some("a-b-c"));
        assert_eq!(interpolate_unset("cost $$5").as_deref(), Some("cost $5"));
        assert_eq!(interpolate_unset("${FLAGS}"), None);
        assert_eq!(interpolate_unset("$HOME/x"), None);
        assert_eq!(interpolate_unset("${X:?set X}"), None);
        assert_eq!(interpolate_unset("${A:-${B}}"), None);
        assert_eq!(interpolate_unset("${unclosed"), None);
    }

    #[test]
    fn the_host_of_a_value() {
        assert_eq!(host_of("redis://redis-cache:6379/0"), "redis-cache");
        assert_eq!(host_of("postgresql://u:p@db:5432/app"), "db");
        assert_eq!(host_of("search-api:9000"), "search-api");
        assert_eq!(host_of("cache"), "cache");
        assert_eq!(host_of("http://api/v1?x=1"), "api");
    }

    #[test]
    fn compose_environment_in_map_and_list_form() {
        let text = "services:\n  api:\n    build: ./backend\n    environment:\n      ZED: z\n      CACHE: redis://cache:6379\n      WEB: http://site:3000\n      PASS: ${PASS}\n      EMPTY:\n  site:\n    build: ./web\n    container_name: site\n    environment:\n      - API_URL=http://api:8000\n      - INHERITED\n  cache:\n    image: redis:7\n";
        let s = compose(text, id());
        let api = s.iter().find(|s| s.name == "api").unwrap();
        let env: Vec<(&str, Option<&str>, Option<&str>)> = api
            .environment
            .iter()
            .map(|f| {
                (
                    f.value.name.as_str(),
                    f.value.value.as_deref(),
                    f.value.peer.as_ref().map(|p| p.name.as_str()),
                )
            })
            .collect();
        assert_eq!(
            env,
            vec![
                ("CACHE", Some("redis://cache:6379"), Some("cache")),
                ("EMPTY", None, None),
                ("PASS", None, None),
                ("WEB", Some("http://site:3000"), Some("site")),
                ("ZED", Some("z"), None),
            ]
        );
        let web = &api.environment[3];
        assert_eq!(web.value.peer.as_ref().unwrap().context.as_deref(), Some("web"));
        // Each entry points at its own line, whatever order the parsed map is in.
        let line = |f: &Fact<ComposeEnv>| &text[f.span.range.clone()];
        assert_eq!(line(&api.environment[0]), "CACHE: redis://cache:6379");
        assert_eq!(line(&api.environment[4]), "ZED: z");
        let site = s.iter().find(|s| s.name == "site").unwrap();
        assert_eq!(site.environment[0].value.value.as_deref(), Some("http://api:8000"));
        assert_eq!(
            site.environment[0].value.peer.as_ref().unwrap().context.as_deref(),
            Some("backend")
        );
        assert_eq!(line(&site.environment[0]), "API_URL=http://api:8000");
        assert_eq!(site.environment[1].value.value, None);
    }

    #[test]
    fn a_root_context_builds_the_folder_of_its_dockerfile() {
        let text = "services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile.prod\n  web:\n    build:\n      context: ./frontend\n      dockerfile: docker/Dockerfile\n  root:\n    build: .\n";
        let s = compose(text, id());
        let api = s.iter().find(|s| s.name == "api").unwrap();
        assert!(api.builds("backend") && api.builds("."));
        assert_eq!(api.dockerfile_in("backend"), Some("Dockerfile.prod"));
        assert_eq!(api.dockerfile_in("."), Some("backend/Dockerfile.prod"));
        let web = s.iter().find(|s| s.name == "web").unwrap();
        assert!(web.builds("frontend") && !web.builds("docker"));
        assert_eq!(web.dockerfile_in("frontend"), Some("docker/Dockerfile"));
        let root = s.iter().find(|s| s.name == "root").unwrap();
        assert!(root.builds(".") && !root.builds("backend"));
        assert_eq!(root.dockerfile_in("."), None);
    }

    #[test]
    fn compose_services() {
        let s = compose(
            "services:\n  api:\n    build: ./backend\n    command: uvicorn main:app --port 8002\n    ports:\n      - \"18002:8002\"\n  db:\n    image: postgres:17\n",
            id(),
        );
        assert_eq!(s[0].name, "api");
        assert_eq!(s[0].context.as_deref(), Some("backend"));
        assert_eq!(s[0].facts.ports.len(), 2);
        assert!(s[0].facts.ports.iter().all(|p| p.value.port == 8002));
        assert_eq!(s[1].context, None);
        assert_eq!(s[1].image.as_deref(), Some("postgres:17"));
        assert_eq!(s[1].span.range, 114..117, "the `db:` line");
    }

    #[test]
    fn dotenv_port() {
        assert_eq!(dotenv("# x\nPORT=\"7000\"\n", id()).ports[0].value.port, 7000);
    }
}
