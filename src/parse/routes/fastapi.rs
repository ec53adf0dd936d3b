//! FastAPI and Starlette routes, with router prefixes resolved across files.
//!
//! A route's full path is the prefixes of every `include_router` that mounts its router (and
//! of the routers those are mounted on), the router's own `APIRouter(prefix=…)`, then the
//! decorator's path. f-string prefixes such as `f"{settings.API_V1_STR}/auth"` are resolved
//! from string constants assigned anywhere in the component (`API_V1_STR: str = "/api/v1"`).

use std::collections::BTreeMap;

use super::{Route, join, route};
use crate::parse::code::{Stmt, call_args, ident, kwarg, python_statements, split_top, string_lit};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "options", "head"];

/// Parameter types that are never the request body.
const NOT_BODY: &[&str] = &[
    "Request",
    "Response",
    "Session",
    "AsyncSession",
    "BackgroundTasks",
    "WebSocket",
    "HTTPAuthorizationCredentials",
    "OAuth2PasswordRequestForm",
    "UploadFile",
    "str",
    "int",
    "float",
    "bool",
    "UUID",
    "uuid.UUID",
    "datetime",
];

/// One file's declarations.
#[derive(Default)]
struct FileDecls {
    stem: String,
    /// Variable → own prefix, for `APIRouter(...)`; `FastAPI(...)` apps have `None`.
    routers: BTreeMap<String, Option<String>>,
    /// alias → (module stem, imported name or empty when the alias is a module).
    imports: BTreeMap<String, (String, String)>,
    /// (includer variable, included expression, prefix expression, line).
    includes: Vec<(String, String, Option<String>, usize)>,
    routes: Vec<Decorated>,
}

/// A decorated handler: router variable, method, path expression, declared types.
struct Decorated {
    var: String,
    method: String,
    path: String,
    response: Option<String>,
    request: Option<String>,
    /// Annotated parameters of the handler: name → type.
    param_types: BTreeMap<String, String>,
    status: Option<u16>,
    handler: String,
    line: usize,
}

pub fn parse(files: &[(String, &str)]) -> Vec<Route> {
    if !files
        .iter()
        .any(|(_, t)| t.contains("fastapi") || t.contains("starlette"))
    {
        return Vec::new();
    }
    let mut consts: BTreeMap<String, String> = BTreeMap::new();
    let mut decls: Vec<(String, FileDecls)> = Vec::new();
    for (path, text) in files {
        let stmts = python_statements(text);
        for s in &stmts {
            if let Some((lhs, rhs)) = s.text.split_once('=') {
                let name = lhs.split(':').next().unwrap_or("").trim();
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    && let Some(v) = string_lit(rhs)
                {
                    consts.entry(name.to_string()).or_insert(v);
                }
            }
        }
        decls.push((path.clone(), declarations(path, &stmts)));
    }
    let mut out = Vec::new();
    for (path, d) in &decls {
        for dr in &d.routes {
            let Some(own) = eval(&dr.path, &consts) else { continue };
            let prefix = full_prefix(&decls, path, &dr.var, &consts, 0);
            let mut r = route(&dr.method, &join(&prefix, &own), "FastAPI", path, dr.line);
            if own.is_empty() && prefix.is_empty() {
                r.path = "/".into();
            }
            r.response = dr.response.clone();
            r.request = dr.request.clone().filter(|q| !r.params.contains(q));
            r.status = dr.status;
            for p in &r.params {
                if let Some(t) = dr.param_types.get(p) {
                    r.param_types.insert(p.clone(), t.clone());
                }
            }
            r.handler = Some(dr.handler.clone());
            out.push(r);
        }
    }
    out
}

fn declarations(path: &str, stmts: &[Stmt]) -> FileDecls {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".py")
        .to_string();
    let stem = if stem == "__init__" {
        path.rsplit('/').nth(1).unwrap_or("").to_string()
    } else {
        stem
    };
    let mut d = FileDecls {
        stem,
        ..Default::default()
    };
    // (router variable, method, path expression, response model, status code, line).
    type Pending = (String, String, String, Option<String>, Option<u16>, usize);
    let mut pending: Vec<Pending> = Vec::new();
    for s in stmts {
        let t = s.text.as_str();
        if let Some(rest) = t.strip_prefix("from ") {
            if let Some((module, names)) = rest.split_once(" import ") {
                let module_stem = module.trim().rsplit('.').next().unwrap_or("").to_string();
                for n in split_top(names.trim_matches(['(', ')']), ',') {
                    let (name, alias) = match n.split_once(" as ") {
                        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
                        None => (n.trim().to_string(), n.trim().to_string()),
                    };
                    // `from app.routers import tasks` imports a module; `from .tasks import router` a name.
                    let is_module = name.chars().next().is_some_and(|c| c.is_lowercase())
                        && name != "router"
                        && !name.ends_with("_router")
                        && name != "app";
                    let entry = if is_module {
                        (name.clone(), String::new())
                    } else {
                        (module_stem.clone(), name)
                    };
                    d.imports.insert(alias, entry);
                }
            }
            continue;
        }
        if let Some(dec) = t.strip_prefix('@') {
            let var = ident(dec).split('.').next().unwrap_or("").to_string();
            let method = ident(dec).rsplit('.').next().unwrap_or("").to_string();
            let Some(args) = call_args(dec, ident(dec)) else {
                continue;
            };
            let args = split_top(args, ',');
            let Some(first) = args.first().filter(|a| !a.contains('=') || a.starts_with('f')) else {
                continue;
            };
            let path_expr = kwarg(&args, "path").unwrap_or(first).to_string();
            let response = kwarg(&args, "response_model").map(str::to_string);
            let status = kwarg(&args, "status_code").and_then(status_code);
            if METHODS.contains(&method.as_str()) {
                pending.push((var, method, path_expr, response, status, s.line));
            } else if method == "api_route" || method == "route" {
                let methods = kwarg(&args, "methods")
                    .map(|m| {
                        split_top(m.trim_matches(['[', ']', '(', ')']), ',')
                            .iter()
                            .filter_map(|x| string_lit(x))
                            .collect()
                    })
                    .unwrap_or_else(|| vec!["GET".to_string()]);
                for m in methods {
                    pending.push((
                        var.clone(),
                        m.to_lowercase(),
                        path_expr.clone(),
                        response.clone(),
                        status,
                        s.line,
                    ));
                }
            }
            continue;
        }
        if t.starts_with("def ") || t.starts_with("async def ") {
            let sig = t.trim_start_matches("async ").trim_start_matches("def ");
            let handler = ident(sig).to_string();
            let ret = t
                .rsplit_once("->")
                .map(|(_, r)| r.trim().trim_end_matches(':').trim().to_string());
            let params = sig
                .find('(')
                .and_then(|o| crate::parse::code::enclosed(sig, o))
                .unwrap_or("");
            let param_types: BTreeMap<String, String> = split_top(params, ',')
                .iter()
                .filter_map(|p| {
                    let (name, ann) = p.split_once(':')?;
                    let ann = ann.split('=').next().unwrap_or("").trim();
                    // `Annotated[int, Path(…)]` declares `int`.
                    let ann = ann
                        .strip_prefix("Annotated[")
                        .map(|a| {
                            split_top(a.trim_end_matches(']'), ',')
                                .first()
                                .cloned()
                                .unwrap_or_default()
                        })
                        .unwrap_or_else(|| ann.to_string());
                    (!ann.is_empty()).then(|| (name.trim().to_string(), ann.trim().to_string()))
                })
                .collect();
            let body = split_top(params, ',').into_iter().find_map(|p| {
                let (name, ann) = p.split_once(':')?;
                let ann = ann.split('=').next().unwrap_or("").trim();
                let has_dep = p.contains("Depends(")
                    || p.contains("Query(")
                    || p.contains("Path(")
                    || p.contains("Header(")
                    || p.contains("Cookie(");
                let bare = ann.trim_start_matches("Optional[").trim_end_matches(']');
                (!has_dep
                    && bare.chars().next().is_some_and(|c| c.is_uppercase())
                    && !NOT_BODY.contains(&bare)
                    && !bare.starts_with("Annotated"))
                .then(|| (name.trim().to_string(), bare.to_string()))
            });
            for (var, method, p, response, status, line) in pending.drain(..) {
                let response = response.or_else(|| {
                    ret.clone().filter(|r| {
                        ![
                            "None",
                            "dict",
                            "Response",
                            "JSONResponse",
                            "StreamingResponse",
                            "HTMLResponse",
                            "RedirectResponse",
                        ]
                        .iter()
                        .any(|x| r == x || r.starts_with(&format!("{x}[")))
                    })
                });
                let request = body
                    .as_ref()
                    .filter(|_| ["post", "put", "patch"].contains(&method.as_str()))
                    .map(|(_, ty)| ty.clone());
                d.routes.push(Decorated {
                    var,
                    method: method.to_uppercase(),
                    path: p,
                    response,
                    request,
                    param_types: param_types.clone(),
                    status,
                    handler: handler.clone(),
                    line,
                });
            }
            continue;
        }
        pending.clear();
        if let Some((lhs, rhs)) = t.split_once('=') {
            let var = lhs.split(':').next().unwrap_or("").trim().to_string();
            let rhs = rhs.trim();
            if let Some(args) = call_args(rhs, "APIRouter") {
                let prefix = kwarg(&split_top(args, ','), "prefix").map(str::to_string);
                d.routers.insert(var, Some(prefix.unwrap_or_else(|| "\"\"".into())));
            } else if call_args(rhs, "FastAPI").is_some() || call_args(rhs, "Starlette").is_some() {
                d.routers.insert(var, None);
            }
        }
        if let Some(i) = t.find(".include_router(") {
            let var = ident(&t[..i]).to_string();
            if let Some(args) = call_args(&t[i + 1..], "include_router") {
                let args = split_top(args, ',');
                if let Some(target) = args.first() {
                    d.includes
                        .push((var, target.clone(), kwarg(&args, "prefix").map(str::to_string), s.line));
                }
            }
        }
    }
    d
}

/// `201`, `status.HTTP_201_CREATED` → 201.
fn status_code(expr: &str) -> Option<u16> {
    let digits: String = expr
        .trim()
        .trim_start_matches("status.")
        .trim_start_matches("HTTP_")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok().filter(|n| (100..600).contains(n))
}

/// The value of a string expression: a literal, an f-string over known constants, or a
/// constant. `None` when it cannot be known.
fn eval(expr: &str, consts: &BTreeMap<String, String>) -> Option<String> {
    let e = expr.trim();
    if let Some(s) = string_lit(e) {
        if !e.starts_with(['f', 'F']) {
            return Some(s);
        }
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}')? + open;
            let name = rest[open + 1..close].rsplit('.').next().unwrap_or("");
            out.push_str(consts.get(name)?);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        return Some(out);
    }
    let name = e.rsplit('.').next().unwrap_or("");
    consts.get(name).cloned()
}

/// Prefixes above a router: the `include_router` calls that mount it, recursively.
fn full_prefix(
    decls: &[(String, FileDecls)],
    path: &str,
    var: &str,
    consts: &BTreeMap<String, String>,
    depth: usize,
) -> String {
    let Some((_, d)) = decls.iter().find(|(p, _)| p == path) else {
        return String::new();
    };
    let own = match d.routers.get(var) {
        Some(Some(p)) => eval(p, consts).unwrap_or_default(),
        _ => String::new(),
    };
    if depth > 6 {
        return own;
    }
    for (ipath, idecl) in decls {
        for (includer, target, prefix, _) in &idecl.includes {
            if !targets(decls, ipath, idecl, target, path, d, var) {
                continue;
            }
            let above = full_prefix(decls, ipath, includer, consts, depth + 1);
            let mount = prefix.as_deref().and_then(|p| eval(p, consts)).unwrap_or_default();
            return join(&join(&above, &mount), &own).trim_end_matches('/').to_string();
        }
    }
    own
}

/// Whether `target` (an expression in file `ipath`) names router `var` of file `path`.
fn targets(
    _decls: &[(String, FileDecls)],
    ipath: &str,
    idecl: &FileDecls,
    target: &str,
    path: &str,
    d: &FileDecls,
    var: &str,
) -> bool {
    let target = target.trim();
    if let Some((module, name)) = target.split_once('.') {
        let stem = idecl.imports.get(module).map(|(s, _)| s.as_str()).unwrap_or(module);
        return name == var && stem == d.stem;
    }
    match idecl.imports.get(target) {
        Some((stem, name)) if !name.is_empty() => name == var && *stem == d.stem,
        Some(_) => false,
        None => ipath == path && target == var,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_across_files() {
        let main = r#"
from fastapi import FastAPI
from app.routers import tasks
from app.routers.chat import router as chat_router
from app.core.config import settings

app = FastAPI()
app.include_router(tasks.router, prefix=f"{settings.API_V1_STR}")
app.include_router(chat_router, prefix="/api")

@app.get("/healthz")
def healthz() -> dict:
    return {}
"#;
        let tasks = r#"
from fastapi import APIRouter, Depends
router = APIRouter(prefix="/tasks")

@router.post("", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
def create(task: TaskCreate, session: Session = Depends(get_session)):
    ...

@router.get("/{task_id}")
async def read(task_id: int) -> TaskRead:
    ...
"#;
        let chat = "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.api_route(\"/{user_id}/chat\", methods=[\"POST\"])\nasync def chat(user_id: str, body: ChatRequest) -> ChatResponse: ...\n";
        let config = "class Settings(BaseSettings):\n    API_V1_STR: str = \"/api/v1\"\n";
        let files = vec![
            ("api/app/main.py".to_string(), main),
            ("api/app/routers/tasks.py".to_string(), tasks),
            ("api/app/routers/chat.py".to_string(), chat),
            ("api/app/core/config.py".to_string(), config),
        ];
        let r = parse(&files);
        let got: Vec<(String, String, usize)> = r.iter().map(|r| (r.method.clone(), r.path.clone(), r.line)).collect();
        assert_eq!(
            got,
            vec![
                ("GET".into(), "/healthz".into(), 11),
                ("POST".into(), "/api/v1/tasks".into(), 5),
                ("GET".into(), "/api/v1/tasks/{task_id}".into(), 9),
                ("POST".into(), "/api/{user_id}/chat".into(), 4),
            ]
        );
        assert_eq!(r[1].request.as_deref(), Some("TaskCreate"));
        assert_eq!(r[1].response.as_deref(), Some("TaskRead"));
        assert_eq!(r[2].response.as_deref(), Some("TaskRead"));
        assert_eq!(r[2].params, vec!["task_id"]);
        assert_eq!(r[2].param_types.get("task_id").map(String::as_str), Some("int"));
        assert_eq!(r[1].status, Some(201));
        assert_eq!(r[2].status, None);
        assert_eq!(r[3].request.as_deref(), Some("ChatRequest"));
        assert_eq!(r[0].response, None);
    }
}
