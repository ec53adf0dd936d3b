//! HTTP routes declared in the repository's source: one reader per framework family, pure
//! functions over the files of one component (prefixes cross files: a router declared in
//! `routers/tasks.py` is mounted under `/api` in `main.py`).
//!
//! | family | what is read |
//! |---|---|
//! | FastAPI, Starlette ([`fastapi`]) | `@app.get("/p")`, `@router.post(…, response_model=X)`, `APIRouter(prefix=…)`, `include_router(x.router, prefix=…)`, `Route("/p", endpoint, methods=[…])`, handler parameter and return types |
//! | Flask ([`flask`]) | `@app.route("/p", methods=[…])`, `@bp.get("/p")`, `Blueprint(…, url_prefix=…)`, `register_blueprint(bp, url_prefix=…)` |
//! | Express, Fastify ([`express`]) | `app.get("/p", …)`, `router.post(…)`, `app.use("/api", router)`, `fastify.route({ method, url })`, `register(x, { prefix })` |
//! | Next.js ([`nextjs`]) | `app/**/route.ts` exporting `GET`, `POST`…; `pages/api/**` |
//! | Go ([`go`]) | `http.HandleFunc("/p")` and Go 1.22 `"GET /p/{id}"` patterns, chi `r.Get` and `r.Route`, gin and echo `GET` and `Group` |

pub mod express;
pub mod fastapi;
pub mod flask;
pub mod go;
pub mod nextjs;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Upper case: `GET`, `POST`…
    pub method: String,
    /// OpenAPI form: `/api/{user_id}/chat`.
    pub path: String,
    /// Path parameters, in order.
    pub params: Vec<String>,
    /// The request body type the code declares (a Pydantic model, a TypeScript type).
    pub request: Option<String>,
    /// The response type the code declares (`response_model=`, a return annotation).
    pub response: Option<String>,
    /// Declared types of path parameters (`user_id: int` in the handler, `<int:uid>`,
    /// `{id:int}`), by name, as written.
    pub param_types: std::collections::BTreeMap<String, String>,
    /// The success status the code declares (`status_code=201`).
    pub status: Option<u16>,
    pub handler: Option<String>,
    /// `FastAPI`, `Flask`, `Express`, `Next.js`, `net/http`, `chi`, `gin`, `echo`…
    pub framework: String,
    /// Source file, relative to the workspace root.
    pub file: String,
    pub line: usize,
}

/// Whether a file is worth reading for routes (cheap test on the text).
pub fn declares_routes(path: &str, text: &str) -> bool {
    if path.ends_with(".py") {
        return text.contains("fastapi")
            || text.contains("FastAPI")
            || text.contains("APIRouter")
            || text.contains("flask")
            || text.contains("Blueprint")
            || text.contains("starlette");
    }
    if path.ends_with(".go") {
        return text.contains("net/http")
            || text.contains("gin-gonic")
            || text.contains("labstack/echo")
            || text.contains("go-chi");
    }
    if [".ts", ".tsx", ".js", ".mjs"].iter().any(|x| path.ends_with(x)) {
        return nextjs::route_path(path).is_some() || text.contains("express") || text.contains("fastify");
    }
    false
}

/// Every route of one component's files (`(path, text)` pairs, in a stable order).
pub fn parse(files: &[(String, &str)]) -> Vec<Route> {
    let py: Vec<(String, &str)> = files.iter().filter(|(p, _)| p.ends_with(".py")).cloned().collect();
    let js: Vec<(String, &str)> = files
        .iter()
        .filter(|(p, _)| [".ts", ".tsx", ".js", ".mjs"].iter().any(|x| p.ends_with(x)))
        .cloned()
        .collect();
    let mut out = fastapi::parse(&py);
    out.extend(flask::parse(&py));
    out.extend(nextjs::parse(&js));
    out.extend(express::parse(&js));
    for (p, t) in files.iter().filter(|(p, _)| p.ends_with(".go")) {
        out.extend(go::parse(p, t));
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|r| seen.insert((r.path.clone(), r.method.clone())));
    out
}

/// Join a prefix and a path the way routers do: one slash between, none doubled, no
/// trailing slash except for the root.
pub fn join(prefix: &str, path: &str) -> String {
    let p = format!("{}/{}", prefix.trim_end_matches('/'), path.trim_start_matches('/'));
    let mut out = String::new();
    for c in p.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    if out.len() > 1 {
        out = out.trim_end_matches('/').to_string();
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

/// Types the path itself declares: Flask's `<int:uid>` and Starlette's `{id:int}`
/// converters (a regular expression such as chi's `{id:[0-9]+}` is not a type name).
fn converters(path: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for seg in path.split('/') {
        let bracketed = (seg.starts_with('<') && seg.ends_with('>')) || (seg.starts_with('{') && seg.ends_with('}'));
        if !bracketed || seg.len() < 2 {
            continue;
        }
        let inner = &seg[1..seg.len() - 1];
        let Some((a, b)) = inner.split_once(':') else { continue };
        // Flask writes the converter first, Starlette last.
        let (name, ty) = if seg.starts_with('<') { (b, a) } else { (a, b) };
        if matches!(ty, "int" | "float" | "uuid" | "path" | "string" | "str") {
            out.insert(name.to_string(), ty.to_string());
        }
    }
    out
}

/// The `(type, format)` of an OpenAPI schema for a parameter type as the code writes it.
pub fn openapi_type(ty: &str) -> (&'static str, Option<&'static str>) {
    let bare = ty.trim().trim_start_matches("Optional[").trim_end_matches(']');
    match bare.to_lowercase().as_str() {
        "int" | "integer" | "number.int" | "int64" | "int32" | "uint" => ("integer", None),
        "float" | "decimal" | "float64" | "number" => ("number", None),
        "bool" | "boolean" => ("boolean", None),
        "uuid" | "uuid.uuid" => ("string", Some("uuid")),
        "datetime" | "datetime.datetime" => ("string", Some("date-time")),
        "date" | "datetime.date" => ("string", Some("date")),
        _ => ("string", None),
    }
}

/// `/users/:id`, `/files/*path`, `/u/<int:id>`, `/u/[id]`, `{id:[0-9]+}` → OpenAPI `{id}`,
/// with the parameter names.
pub fn normalize(path: &str) -> (String, Vec<String>) {
    let mut params = Vec::new();
    let segs: Vec<String> = path
        .split('/')
        .map(|seg| {
            let name = if let Some(n) = seg.strip_prefix(':') {
                Some(n.trim_end_matches('?').to_string())
            } else if let Some(n) = seg.strip_prefix('*').filter(|n| !n.is_empty()) {
                Some(n.to_string())
            } else if seg.starts_with('<') && seg.ends_with('>') {
                Some(seg[1..seg.len() - 1].rsplit(':').next().unwrap_or("").to_string())
            } else if seg.starts_with("[[...") && seg.ends_with("]]") {
                Some(seg[5..seg.len() - 2].to_string())
            } else if seg.starts_with("[...") && seg.ends_with(']') {
                Some(seg[4..seg.len() - 1].to_string())
            } else if seg.starts_with('[') && seg.ends_with(']') {
                Some(seg[1..seg.len() - 1].to_string())
            } else if seg.starts_with('{') && seg.ends_with('}') {
                Some(
                    seg[1..seg.len() - 1]
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .trim_end_matches("...")
                        .to_string(),
                )
            } else {
                None
            };
            match name {
                Some(n) if !n.is_empty() => {
                    params.push(n.clone());
                    format!("{{{n}}}")
                }
                _ => seg.to_string(),
            }
        })
        .collect();
    (segs.join("/"), params)
}

pub(crate) fn route(method: &str, path: &str, framework: &str, file: &str, line: usize) -> Route {
    let param_types = converters(path);
    let (path, params) = normalize(path);
    Route {
        method: method.to_uppercase(),
        path,
        params,
        request: None,
        response: None,
        param_types,
        status: None,
        handler: None,
        framework: framework.into(),
        file: file.into(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalize("/users/:id/files/*rest").0, "/users/{id}/files/{rest}");
        assert_eq!(normalize("/u/<int:uid>").1, vec!["uid"]);
        assert_eq!(normalize("/api/[id]/x").0, "/api/{id}/x");
        assert_eq!(normalize("/a/{id:[0-9]+}").0, "/a/{id}");
        assert_eq!(join("/api/", "/notes/"), "/api/notes");
        assert_eq!(join("", "/"), "/");
        assert_eq!(join("/api", ""), "/api");
    }

    #[test]
    fn converters_type_their_parameters() {
        let r = route("get", "/u/<int:uid>/f/<path:rest>", "Flask", "a.py", 1);
        assert_eq!(r.param_types.get("uid").map(String::as_str), Some("int"));
        assert_eq!(r.param_types.get("rest").map(String::as_str), Some("path"));
        let r = route("get", "/a/{id:int}/{slug}", "Starlette", "a.py", 1);
        assert_eq!(r.param_types.get("id").map(String::as_str), Some("int"));
        assert_eq!(r.param_types.get("slug"), None);
        assert!(route("get", "/a/{id:[0-9]+}", "chi", "a.go", 1).param_types.is_empty());
        assert_eq!(openapi_type("int"), ("integer", None));
        assert_eq!(openapi_type("UUID"), ("string", Some("uuid")));
        assert_eq!(openapi_type("str"), ("string", None));
    }
}
