//! What a team wrote to run its code: a Dockerfile (`EXPOSE`, `CMD`/`ENTRYPOINT`), a compose
//! file (`build`, `command`, `ports`), a Procfile (`web:`), and `PORT` in `.env.example`.

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
        let context = match s.get("build") {
            Some(serde_json::Value::String(c)) => Some(c.clone()),
            Some(b) => b.get("context").and_then(|c| c.as_str()).map(String::from),
            None => None,
        }
        .map(|c| {
            let c = c.trim_start_matches("./").trim_end_matches('/');
            if c.is_empty() { ".".to_string() } else { c.to_string() }
        });
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
        out.push(ComposeService {
            name: name.clone(),
            context,
            dockerfile,
            image,
            span: Span::new(source, line_range(&format!("{name}:"), base)),
            facts: f,
        });
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
