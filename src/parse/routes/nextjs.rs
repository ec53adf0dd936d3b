//! Next.js route handlers: `app/**/route.ts` (the folders are the path; `[id]` a parameter,
//! `(group)` ignored) exporting one function per method, and `pages/api/**` handlers.

use super::{Route, route};
use crate::parse::code::line_at;

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The URL path a file serves, when it is a route handler file.
pub fn route_path(file: &str) -> Option<String> {
    let segs: Vec<&str> = file.split('/').collect();
    let name = segs.last()?;
    let stem = name.split('.').next().unwrap_or("");
    let ext_ok = [".ts", ".tsx", ".js", ".mjs"].iter().any(|x| name.ends_with(x));
    if !ext_ok {
        return None;
    }
    if stem == "route"
        && let Some(app) = segs.iter().rposition(|s| *s == "app")
    {
        let parts: Vec<&str> = segs[app + 1..segs.len() - 1]
            .iter()
            .filter(|s| !(s.starts_with('@') || s.starts_with('(') && s.ends_with(')')))
            .copied()
            .collect();
        return Some(format!("/{}", parts.join("/")));
    }
    if let Some(pages) = segs.iter().rposition(|s| *s == "pages")
        && segs.get(pages + 1) == Some(&"api")
    {
        let mut parts: Vec<&str> = segs[pages + 1..segs.len() - 1].to_vec();
        if stem != "index" {
            parts.push(stem);
        }
        return Some(format!("/{}", parts.join("/")));
    }
    None
}

pub fn parse(files: &[(String, &str)]) -> Vec<Route> {
    let mut out = Vec::new();
    for (path, text) in files {
        let Some(url) = route_path(path) else { continue };
        let app_router = path.rsplit('/').next().is_some_and(|n| n.starts_with("route."));
        if app_router {
            for m in METHODS {
                let decls = [
                    format!("export async function {m}("),
                    format!("export function {m}("),
                    format!("export const {m} ="),
                    format!("export const {m}:"),
                    format!("as {m}"),
                ];
                if let Some(at) = decls.iter().filter_map(|d| text.find(d.as_str())).min() {
                    out.push(route(m, &url, "Next.js", path, line_at(text, at)));
                }
            }
        } else {
            // pages/api: the handler branches on req.method; without a branch it answers GET.
            let mut any = false;
            for m in METHODS {
                for pat in [format!("'{m}'"), format!("\"{m}\"")] {
                    if let Some(at) = text.find(&pat).filter(|_| text.contains("method")) {
                        out.push(route(m, &url, "Next.js", path, line_at(text, at)));
                        any = true;
                        break;
                    }
                }
            }
            if !any && let Some(at) = text.find("export default") {
                out.push(route("GET", &url, "Next.js", path, line_at(text, at)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_and_pages_router() {
        assert_eq!(
            route_path("web/app/api/health/route.ts").as_deref(),
            Some("/api/health")
        );
        assert_eq!(
            route_path("web/src/app/(shop)/api/items/[id]/route.ts").as_deref(),
            Some("/api/items/[id]")
        );
        assert_eq!(
            route_path("web/pages/api/notes/index.ts").as_deref(),
            Some("/api/notes")
        );
        assert_eq!(route_path("web/app/page.tsx"), None);
        let src = "export async function GET() {}\n\nexport const POST = async () => {};\n";
        let r = parse(&[("web/app/api/items/[id]/route.ts".into(), src)]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].path.as_str(), r[0].line, r[1].method.as_str(), r[1].line),
            ("/api/items/{id}", 1, "POST", 3)
        );
    }
}
