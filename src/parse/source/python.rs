//! Python: ASGI/WSGI application objects, `uvicorn.run(...)`, pydantic `BaseSettings`
//! fields, `os.getenv` / `os.environ[...]`.

use super::{
    AppObject, EnvRead, Fact, FileFacts, Port, boundary_before, close_paren, ident_at, leading_port, skip_ws, string_at,
};
use crate::source::{SourceId, Span};

/// Constructors of application objects: (callee, framework, ASGI).
const FRAMEWORKS: &[(&str, &str, bool)] = &[
    ("FastAPI", "FastAPI", true),
    ("Starlette", "Starlette", true),
    ("Litestar", "Litestar", true),
    ("Quart", "Quart", true),
    ("Flask", "Flask", false),
    ("get_asgi_application", "Django", true),
    ("get_wsgi_application", "Django", false),
];

pub fn read(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    app_objects(text, source, &mut f);
    runs(text, source, &mut f);
    env_calls(text, source, &mut f);
    settings(text, source, &mut f);
    if let Some(i) = text
        .find("if __name__ == \"__main__\"")
        .or_else(|| text.find("if __name__ == '__main__'"))
    {
        f.main = Some(Span::new(source, i..i + 26));
    }
    f
}

/// Lines with their byte offsets.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// Application factories a module defines: `def create_app() -> FastAPI:`, or a top-level
/// function whose body builds the application (`app = Flask(__name__)` … `return app`); by
/// name, with the framework entry they build.
fn factories(text: &str) -> Vec<(&str, &'static (&'static str, &'static str, bool))> {
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    for (_, line) in lines(text) {
        if let Some(def) = line.strip_prefix("def ").or_else(|| line.strip_prefix("async def ")) {
            let name = def.split('(').next().unwrap_or("").trim();
            current = (!name.is_empty()).then_some(name);
            // `-> FastAPI:` names it at once.
            if let Some(ret) = def
                .rsplit_once("->")
                .map(|(_, r)| r.trim().trim_end_matches(':').trim())
                && let Some(fw) = FRAMEWORKS.iter().find(|(c, _, _)| ret.rsplit('.').next() == Some(*c))
            {
                out.push((name, fw));
                current = None;
            }
            continue;
        }
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            current = None;
            continue;
        }
        if let Some(name) = current
            && let Some(fw) = FRAMEWORKS.iter().find(|(c, _, _)| {
                line.match_indices(&format!("{c}(")).any(|(at, _)| {
                    let before = line[..at].trim_end();
                    before.ends_with('=') || before.ends_with("return") || before.ends_with('.')
                })
            })
        {
            out.push((name, fw));
            current = None;
        }
    }
    out
}

/// `app = FastAPI(...)` (or `app: FastAPI = FastAPI(...)`) at the top level of a module, and
/// `app = create_app()` for a factory the module defines ([`factories`]).
fn app_objects(text: &str, source: SourceId, f: &mut FileFacts) {
    let factories = factories(text);
    for (start, line) in lines(text) {
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        if rhs.starts_with('=') {
            continue;
        }
        let name = lhs.split(':').next().unwrap_or("").trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let callee = rhs.trim_start();
        let callee = callee.split('(').next().unwrap_or("").trim();
        let callee = callee.rsplit('.').next().unwrap_or(callee);
        if !rhs.contains('(') {
            continue;
        }
        let built = FRAMEWORKS
            .iter()
            .find(|(c, _, _)| *c == callee)
            .or_else(|| factories.iter().find(|(n, _)| *n == callee).map(|(_, fw)| *fw));
        if let Some((_, framework, asgi)) = built {
            f.apps.push(Fact::new(
                AppObject {
                    name: name.to_string(),
                    framework: framework.to_string(),
                    asgi: *asgi,
                    import_path: None,
                },
                source,
                start..start + line.len(),
            ));
        }
    }
}

/// The value of keyword argument `key` inside `args` (the text between a call's parentheses).
fn kwarg<'a>(args: &'a str, key: &str) -> Option<(usize, &'a str)> {
    for (at, _) in args.match_indices(key) {
        if !boundary_before(args, at) {
            continue;
        }
        let rest = &args[at + key.len()..];
        let eq = rest.trim_start();
        if eq.starts_with('=') && !eq.starts_with("==") {
            let v = eq[1..].trim_start();
            let off = args.len() - v.len();
            return Some((off, v));
        }
    }
    None
}

/// A port from an argument's text: a literal (`8001`), or the literal default of a
/// `PORT` read (`int(os.getenv("PORT", "8001"))`).
fn port_from(arg: &str) -> Option<u16> {
    if let Some(p) = leading_port(arg) {
        return Some(p);
    }
    // The last literal before the argument ends: `int(os.getenv("PORT", 8001))`.
    let end = arg.find([',', '\n']).unwrap_or(arg.len());
    let head = &arg[..end.min(arg.len())];
    let head = if head.matches('(').count() > head.matches(')').count() {
        // The argument spans a nested call: take up to its closing parenthesis.
        match arg.find('(').and_then(|o| close_paren(arg, o)) {
            Some(c) => &arg[..c],
            None => head,
        }
    } else {
        head
    };
    let lit = head.rsplit([',', '(']).next()?;
    super::port_literal(lit.trim().trim_end_matches(')'))
}

/// `uvicorn.run("app.main:app", port=8001)` and a Flask `app.run(port=5000)`.
fn runs(text: &str, source: SourceId, f: &mut FileFacts) {
    for needle in ["uvicorn.run(", ".run("] {
        for (at, _) in text.match_indices(needle) {
            if needle == ".run(" && text[..at].ends_with("uvicorn") {
                continue;
            }
            let open = at + needle.len() - 1;
            let Some(close) = close_paren(text, open) else { continue };
            let args = &text[open + 1..close];
            let how = if needle == "uvicorn.run(" {
                "uvicorn.run(port=…)"
            } else {
                "app.run(port=…)"
            };
            if let Some((off, v)) = kwarg(args, "port")
                && let Some(p) = port_from(v)
            {
                let s = open + 1 + off;
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: how.into(),
                    },
                    source,
                    s..s + v.find([',', ')', '\n']).unwrap_or(v.len()),
                ));
            }
            if needle == "uvicorn.run(" {
                let first = skip_ws(text, open + 1);
                if let Some((target, _)) = string_at(text, first)
                    && let Some((module, name)) = target.split_once(':')
                    && !module.is_empty()
                {
                    f.apps.push(Fact::new(
                        AppObject {
                            name: name.to_string(),
                            framework: "uvicorn.run".into(),
                            asgi: true,
                            import_path: Some(target.clone()),
                        },
                        source,
                        at..close + 1,
                    ));
                }
            }
        }
    }
}

/// A literal default: a string's contents, a number, `True`/`False`; other expressions as
/// written; `None` means the read has no default.
fn literal(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Some((s, _)) = string_at(v, 0) {
        return Some(s);
    }
    let end = v.find([',', ')', '#', '\n']).unwrap_or(v.len());
    let raw = v[..end].trim();
    // A call (`os.getenv("X", "d")`, `int(...)`) is no literal; its own reader sees inside.
    (!raw.is_empty() && raw != "None" && !raw.contains('(')).then(|| raw.to_string())
}

/// `os.getenv("X", d)`, `os.environ.get("X", d)`, `getenv("X")`, `os.environ["X"]`.
fn env_calls(text: &str, source: SourceId, f: &mut FileFacts) {
    for needle in ["getenv(", "environ.get("] {
        for (at, _) in text.match_indices(needle) {
            if needle == "getenv(" && !boundary_before(text, at) && !text[..at].ends_with("os.") {
                continue;
            }
            let open = at + needle.len() - 1;
            let Some(close) = close_paren(text, open) else { continue };
            let a = skip_ws(text, open + 1);
            let Some((name, after)) = string_at(text, a) else {
                continue;
            };
            if !is_env_name(&name) {
                continue;
            }
            let rest = text[after..close].trim_start();
            let default = rest
                .strip_prefix(',')
                .map(|d| d.trim_start())
                .map(|d| d.strip_prefix("default=").unwrap_or(d))
                .and_then(literal);
            let had_default = rest.starts_with(',');
            // `os.getenv("X") or "d"` falls back as surely as `os.getenv("X", "d")`; with
            // `or os.getenv("Y")` (or any other expression) the process does not need X.
            // In `os.getenv("A") or os.getenv("B")` the first name is the one to give and B
            // an alias the code also accepts: A keeps its form, B is not required.
            let fallback = or_fallback(&text[close + 1..]).filter(|f| !is_env_read(f));
            let (default, required) = match fallback {
                Some(f) if !had_default => (literal(f).filter(|_| !f.trim_start().starts_with(is_name_char)), false),
                _ => (default, !had_default && !after_or(text, at)),
            };
            push_env(f, source, at..close + 1, &name, default, required, "os.getenv");
        }
    }
    for (at, _) in text.match_indices("environ[") {
        let a = skip_ws(text, at + 8);
        let Some((name, after)) = string_at(text, a) else {
            continue;
        };
        if is_env_name(&name) && text[after..].trim_start().starts_with(']') {
            let end = after + text[after..].find(']').unwrap_or(0) + 1;
            push_env(f, source, at..end, &name, None, true, "os.environ[...]");
        }
    }
}

/// What follows `or` right after a read, on the same line: the fallback expression.
fn or_fallback(after: &str) -> Option<&str> {
    let line = &after[..after.find('\n').unwrap_or(after.len())];
    let rest = line.trim_start().strip_prefix("or")?;
    rest.starts_with([' ', '\t', '(', '"', '\'']).then_some(rest)
}

/// An expression that starts with another read of the environment.
fn is_env_read(expr: &str) -> bool {
    let e = expr.trim_start();
    let e = e.strip_prefix("os.").unwrap_or(e);
    e.starts_with("getenv(") || e.starts_with("environ.get(") || e.starts_with("environ[")
}

/// The read at `at` (`getenv(`, `environ.get(`, after an optional `os.`) is the right side of
/// an `or`, on the same line.
fn after_or(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let before = before.strip_suffix("os.").unwrap_or(before);
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    line.trim_end()
        .strip_suffix("or")
        .is_some_and(|b| b.ends_with([' ', '\t', ')']))
        && line.len() > line.trim_end().len()
}

/// A letter or `_`: the expression after `or` starts like a name or a call (`settings.x`,
/// `os.getenv(..)`), not like a literal (`50`, `"d"`). `True`, `False` and `None` start
/// with a letter too: they make the read optional without giving a default.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn push_env(
    f: &mut FileFacts,
    source: SourceId,
    range: std::ops::Range<usize>,
    name: &str,
    default: Option<String>,
    required: bool,
    how: &str,
) {
    if name == "PORT"
        && let Some(p) = default.as_deref().and_then(super::port_literal)
    {
        f.ports.push(Fact::new(
            Port {
                port: p,
                how: format!("{how}(\"PORT\") default"),
            },
            source,
            range.clone(),
        ));
    }
    f.env.push(Fact::new(
        EnvRead {
            name: name.to_string(),
            default,
            required,
            build_time: false,
            how: how.to_string(),
            json_list: false,
        },
        source,
        range,
    ));
}

/// Fields of pydantic `BaseSettings` subclasses, with `env_prefix`, `alias` and defaults.
fn settings(text: &str, source: SourceId, f: &mut FileFacts) {
    let all: Vec<(usize, &str)> = lines(text).collect();
    let mut i = 0;
    while i < all.len() {
        let (_, line) = all[i];
        i += 1;
        if !(line.starts_with("class ") && line.contains("BaseSettings") && line.trim_end().ends_with(':')) {
            continue;
        }
        // The class body: the lines indented under it.
        let body_start = i;
        while i < all.len() {
            let l = all[i].1;
            if !l.trim().is_empty() && !l.starts_with([' ', '\t']) && !l.trim_start().starts_with('#') {
                break;
            }
            i += 1;
        }
        let body = &all[body_start..i];
        let indent = body
            .iter()
            .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|(_, l)| l.len() - l.trim_start().len())
            .unwrap_or(4);
        let body_text: String = body.iter().map(|(_, l)| format!("{l}\n")).collect();
        let prefix = env_prefix(&body_text).unwrap_or_default();
        let mut in_docstring = false;
        for (k, (start, l)) in body.iter().enumerate() {
            // A docstring's `Attributes:` is prose, not a field.
            let quotes = l.matches("\"\"\"").count() + l.matches("'''").count();
            let was_docstring = in_docstring;
            in_docstring ^= quotes % 2 == 1;
            if was_docstring || quotes > 0 {
                continue;
            }
            let lead = l.len() - l.trim_start().len();
            if lead != indent {
                continue;
            }
            let t = l.trim_start();
            let field = ident_at(t, 0);
            if field.is_empty() || field == "model_config" || field == "class" || field == "def" {
                continue;
            }
            let rest = t[field.len()..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else { continue };
            // A `Field(` call may go on over the next lines, up to its closing parenthesis.
            let mut joined = rest.to_string();
            for (_, more) in &body[k + 1..] {
                if joined.matches('(').count() <= joined.matches(')').count() {
                    break;
                }
                joined.push(' ');
                joined.push_str(more.split(" #").next().unwrap_or(more).trim());
            }
            let rest = joined.as_str();
            let (annotation, value) = match rest.split_once('=') {
                Some((a, v)) => (a.trim(), Some(v.trim())),
                None => (rest.trim(), None),
            };
            // `else:` of a class-level `if`: a field always has a type.
            if annotation.is_empty() || annotation.starts_with("ClassVar") {
                continue;
            }
            let mut name = format!("{prefix}{field}").to_uppercase();
            let mut default = None;
            let mut required = value.is_none();
            if let Some(v) = value {
                let v = v.split(" #").next().unwrap_or(v).trim();
                if let Some(args) = v.strip_prefix("Field(").or_else(|| v.strip_prefix("pydantic.Field(")) {
                    let args = args.trim_end().trim_end_matches(')');
                    for key in ["validation_alias", "alias"] {
                        if let Some((_, a)) = kwarg(args, key)
                            && let Some((alias, _)) = string_at(a, 0)
                        {
                            name = alias;
                            break;
                        }
                    }
                    let first = args.split(',').next().unwrap_or("").trim();
                    if first == "..." {
                        required = true;
                    } else if let Some((_, d)) = kwarg(args, "default") {
                        default = literal(d);
                    } else if kwarg(args, "default_factory").is_some() {
                        default = Some("(factory)".into());
                    } else if !first.is_empty() && !first.contains('=') {
                        default = literal(first);
                    } else {
                        required = true;
                    }
                } else {
                    default = literal(v);
                    if default.is_none() && v.trim() == "None" {
                        default = Some(String::new());
                    }
                }
            }
            let lstart = *start + lead;
            if field.eq_ignore_ascii_case("port")
                && let Some(p) = default.as_deref().and_then(super::port_literal)
            {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: format!("Settings field {name}"),
                    },
                    source,
                    lstart..start + l.len(),
                ));
            }
            f.env.push(Fact::new(
                EnvRead {
                    name,
                    default,
                    required,
                    build_time: false,
                    how: "pydantic Settings field".into(),
                    json_list: json_list(annotation),
                },
                source,
                lstart..start + l.len(),
            ));
        }
    }
}

/// Whether pydantic-settings decodes a field of this annotation from JSON and wants a list:
/// `List[str]`, `list[str] | None`, `Optional[Set[str]]`, `tuple[int, ...]`; not when
/// `NoDecode` hands the raw text to the model's validators.
fn json_list(annotation: &str) -> bool {
    if annotation.contains("NoDecode") {
        return false;
    }
    let a = annotation.trim();
    let a = a.strip_prefix("Annotated[").unwrap_or(a);
    let a = a
        .strip_prefix("Optional[")
        .or_else(|| a.strip_prefix("typing.Optional["))
        .unwrap_or(a);
    let a = a.strip_prefix("typing.").unwrap_or(a);
    [
        "List",
        "list",
        "Set",
        "set",
        "FrozenSet",
        "frozenset",
        "Tuple",
        "tuple",
        "Sequence",
    ]
    .iter()
    .any(|t| a == *t || a.starts_with(&format!("{t}[")))
}

/// `env_prefix="APP_"` in `model_config = SettingsConfigDict(...)` or `class Config:`.
fn env_prefix(body: &str) -> Option<String> {
    let (at, _) = kwarg(body, "env_prefix")?;
    string_at(body, at).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> FileFacts {
        read(
            text,
            crate::source::Sources::default().add("x.py".into(), String::new()),
        )
    }

    fn line(text: &str, span: &Span) -> usize {
        text[..span.range.start].matches('\n').count() + 1
    }

    #[test]
    fn application_factories_defined_in_the_module() {
        let fastapi = "from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    \"\"\"Build it.\"\"\"\n    app = FastAPI(title=\"x\")\n    return app\n\n\napp = create_app()\n";
        let apps = facts(fastapi).apps;
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert_eq!(
            (apps[0].value.name.as_str(), apps[0].value.framework.as_str()),
            ("app", "FastAPI")
        );
        let flask = "from flask import Flask\n\ndef make(config=None):\n    application = Flask(__name__)\n    return application\n\nserver = make()\nresult = compute()\n";
        let apps = facts(flask).apps;
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert_eq!(
            (
                apps[0].value.name.as_str(),
                apps[0].value.framework.as_str(),
                apps[0].value.asgi
            ),
            ("server", "Flask", false)
        );
        // A function that only mentions the framework builds nothing.
        assert!(
            facts("def helper():\n    log(\"FastAPI(\")\n\napp = helper()\n")
                .apps
                .is_empty()
        );
    }

    #[test]
    fn settings_fields_decoded_as_json_lists() {
        let src = "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    cors_origins: List[str] = []\n    hosts: list[str] | None = None\n    ids: Optional[Set[int]] = None\n    raw: Annotated[list[str], NoDecode] = []\n    name: str = \"x\"\n    listing: str = \"a\"\n";
        let lists: Vec<(String, bool)> = facts(src)
            .env
            .into_iter()
            .map(|e| (e.value.name, e.value.json_list))
            .collect();
        assert_eq!(
            lists,
            [
                ("CORS_ORIGINS".to_string(), true),
                ("HOSTS".into(), true),
                ("IDS".into(), true),
                ("RAW".into(), false),
                ("NAME".into(), false),
                ("LISTING".into(), false),
            ]
        );
    }

    #[test]
    fn fastapi_app_and_settings_with_prefix_alias_and_defaults() {
        let src = r#"from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
    """What the app reads.

    Attributes:
    database_url: where the tasks live
    """
    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")

    database_url: str
    port: int = 8001
    debug: bool = False  # verbose
    secret: str = Field(..., alias="JWT_SECRET")
    origins: list[str] = Field(default_factory=list)
    cors_raw: str = Field(
        default="http://localhost:3000",  # the dev server
        alias="CORS_ORIGINS",
    )
    if os.name == "nt":
        pass
    else:
        pass

    def dsn(self) -> str:
        return self.database_url

settings = Settings()
app = FastAPI(title="x")
"#;
        let f = facts(src);
        assert_eq!(f.apps.len(), 1);
        assert_eq!(f.apps[0].value.name, "app");
        assert!(f.apps[0].value.asgi);
        assert_eq!(line(src, &f.apps[0].span), 31);
        let env: Vec<(&str, Option<&str>, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.default.as_deref(), e.value.required))
            .collect();
        assert_eq!(
            env,
            vec![
                ("APP_DATABASE_URL", None, true),
                ("APP_PORT", Some("8001"), false),
                ("APP_DEBUG", Some("False"), false),
                ("JWT_SECRET", None, true),
                ("APP_ORIGINS", Some("(factory)"), false),
                ("CORS_ORIGINS", Some("http://localhost:3000"), false),
            ]
        );
        assert_eq!(line(src, &f.env[0].span), 13);
    }

    #[test]
    fn getenv_environ_and_uvicorn_run() {
        let src = r#"import os, uvicorn
from flask import Flask
DB = os.environ["DATABASE_URL"]
KEY = os.getenv("OPENAI_API_KEY")
LEVEL = os.environ.get("LOG_LEVEL", "info")
server = Flask(__name__)

if __name__ == "__main__":
    uvicorn.run("src.main:app", host="0.0.0.0", port=int(os.getenv("PORT", "8080")))
"#;
        let f = facts(src);
        let env: Vec<(&str, Option<&str>, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.default.as_deref(), e.value.required))
            .collect();
        assert!(env.contains(&("DATABASE_URL", None, true)));
        assert!(env.contains(&("OPENAI_API_KEY", None, true)));
        assert!(env.contains(&("LOG_LEVEL", Some("info"), false)));
        assert!(env.contains(&("PORT", Some("8080"), false)));
        assert!(f.ports.iter().all(|p| p.value.port == 8080), "{:?}", f.ports);
        assert!(!f.ports.is_empty());
        let flask = f.apps.iter().find(|a| a.value.framework == "Flask").unwrap();
        assert!(!flask.value.asgi);
        let run = f.apps.iter().find(|a| a.value.import_path.is_some()).unwrap();
        assert_eq!(run.value.import_path.as_deref(), Some("src.main:app"));
        assert!(f.main.is_some());
    }

    /// `or` after a read is a fallback: a literal one is the default, another read or
    /// expression makes the first read optional; the last of a chain keeps its own form.
    #[test]
    fn an_or_fallback_is_a_default() {
        let src = r#"import os
LEVEL = os.getenv("LOG_LEVEL") or "INFO"
PAGE = int(os.getenv("PAGE_SIZE") or 50)
KEY = os.getenv("COHERE_API_KEY") or os.getenv("CO_API_KEY")
HOST = os.getenv("HOST") or settings.host
ORDER = os.getenv("SORT_ORDER") \
    or "asc"
FLAG = os.getenv("FLAG") ordered
"#;
        let f = facts(src);
        let env: Vec<(&str, Option<&str>, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.default.as_deref(), e.value.required))
            .collect();
        assert_eq!(
            env,
            [
                ("LOG_LEVEL", Some("INFO"), false),
                ("PAGE_SIZE", Some("50"), false),
                ("COHERE_API_KEY", None, true),
                ("CO_API_KEY", None, false),
                ("HOST", None, false),
                // A continuation line is not followed: read as written, without a fallback.
                ("SORT_ORDER", None, true),
                ("FLAG", None, true),
            ]
        );
    }

    #[test]
    fn django_asgi_and_nothing_from_comparisons_or_methods() {
        let f = facts("application = get_asgi_application()\nx == FastAPI()\n    app = FastAPI()\n");
        assert_eq!(f.apps.len(), 1);
        assert_eq!(f.apps[0].value.framework, "Django");
        let f = facts("value = config.getenv_like('X')\n");
        assert!(f.env.is_empty());
    }
}
