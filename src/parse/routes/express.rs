//! Express and Fastify routes: `app.get("/p", handler)`, `router.post(…)`, mounted with
//! `app.use("/api", router)` (Express) or `app.register(plugin, { prefix: "/api" })`
//! (Fastify) when the router comes from another file of the component; `fastify.route({
//! method, url })`.

use std::collections::BTreeMap;

use super::{Route, join, route};
use crate::parse::code::{enclosed, line_at, split_top, string_lit};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "all"];

pub fn parse(files: &[(String, &str)]) -> Vec<Route> {
    let files: Vec<&(String, &str)> = files
        .iter()
        .filter(|(p, t)| (t.contains("express") || t.contains("fastify")) && super::nextjs::route_path(p).is_none())
        .collect();
    // Imported name → stem of the file it comes from, per importing file.
    let mut mounts: BTreeMap<String, String> = BTreeMap::new();
    for (_, text) in &files {
        let imports = imports(text);
        for call in [".use(", ".register("] {
            for (at, _) in text.match_indices(call) {
                let Some(args) = enclosed(text, at + call.len() - 1) else {
                    continue;
                };
                let parts = split_top(args, ',');
                let (prefix, target) = if call == ".use(" {
                    match (parts.first().and_then(|p| string_lit(p)), parts.get(1)) {
                        (Some(p), Some(t)) => (p, t.clone()),
                        _ => continue,
                    }
                } else {
                    let Some(t) = parts.first() else { continue };
                    let prefix = parts.get(1).and_then(|o| {
                        o.find('{').and_then(|b| enclosed(o, b)).and_then(|obj| {
                            split_top(obj, ',').iter().find_map(|kv| {
                                kv.split_once(':')
                                    .filter(|(k, _)| k.trim() == "prefix")
                                    .and_then(|(_, v)| string_lit(v))
                            })
                        })
                    });
                    match prefix {
                        Some(p) => (p, t.clone()),
                        None => continue,
                    }
                };
                let target = target.trim().trim_start_matches("require(").trim_end_matches(')');
                let stem = string_lit(target)
                    .map(|s| stem_of(&s))
                    .or_else(|| imports.get(target).cloned());
                if let Some(stem) = stem {
                    mounts.insert(stem, prefix);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (path, text) in &files {
        let framework = if text.contains("fastify") { "Fastify" } else { "Express" };
        let prefix = mounts.get(&stem_of(path)).cloned().unwrap_or_default();
        for m in METHODS {
            let pat = format!(".{m}(");
            for (at, _) in text.match_indices(&pat) {
                let recv: String = text[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if recv.is_empty() {
                    continue;
                }
                let Some(args) = enclosed(text, at + pat.len() - 1) else {
                    continue;
                };
                let parts = split_top(args, ',');
                let Some(p) = parts.first().and_then(|a| string_lit(a)).filter(|p| p.starts_with('/')) else {
                    continue;
                };
                if parts.len() < 2 {
                    continue;
                }
                let method = if *m == "all" { "get" } else { m };
                out.push(route(method, &join(&prefix, &p), framework, path, line_at(text, at)));
            }
        }
        // `fastify.route({ method: "GET", url: "/p", handler })`
        for (at, _) in text.match_indices(".route(") {
            let Some(args) = enclosed(text, at + 6) else { continue };
            let Some(obj) = args.find('{').and_then(|b| enclosed(args, b)) else {
                continue;
            };
            let kv: Vec<String> = split_top(obj, ',');
            let get = |k: &str| {
                kv.iter().find_map(|x| {
                    x.split_once(':')
                        .filter(|(kk, _)| kk.trim() == k)
                        .map(|(_, v)| v.trim().to_string())
                })
            };
            let (Some(method), Some(url)) = (get("method"), get("url").and_then(|u| string_lit(&u))) else {
                continue;
            };
            let methods: Vec<String> = match string_lit(&method) {
                Some(m) => vec![m],
                None => split_top(method.trim_matches(['[', ']']), ',')
                    .iter()
                    .filter_map(|x| string_lit(x))
                    .collect(),
            };
            for m in methods {
                out.push(route(&m, &join(&prefix, &url), framework, path, line_at(text, at)));
            }
        }
    }
    out.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    out
}

fn stem_of(path: &str) -> String {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let stem = last.split('.').next().unwrap_or("").to_string();
    if stem == "index" {
        path.rsplit('/').nth(1).unwrap_or("").to_string()
    } else {
        stem
    }
}

/// `import notes from "./routes/notes"`, `const notes = require("./routes/notes")`.
fn imports(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("import ")
            && let Some((name, from)) = rest.split_once(" from ")
        {
            let name = name.trim().trim_matches(['{', '}', ' ']);
            if let Some(src) = string_lit(from.trim().trim_end_matches(';')) {
                for n in name.split(',') {
                    let alias = n.split(" as ").last().unwrap_or("").trim();
                    out.insert(alias.to_string(), stem_of(&src));
                }
            }
        } else if let Some(p) = l.find("require(") {
            let lhs = l[..p].trim().trim_end_matches('=').trim();
            let name = lhs.rsplit(' ').next().unwrap_or("");
            if let Some(src) = enclosed(l, p + 7).and_then(string_lit) {
                out.insert(name.to_string(), stem_of(&src));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_routers_mounted_from_other_files() {
        let app = "import express from \"express\";\nimport notes from \"./routes/notes.js\";\nconst app = express();\napp.use(\"/api\", notes);\napp.get(\"/healthz\", (_req, res) => res.send(\"ok\"));\n";
        let notes = "import { Router } from \"express\";\nconst router = Router();\nrouter.get(\"/notes/:id\", show);\nrouter.post(\"/notes\", create);\nexport default router;\n";
        let r = parse(&[
            ("web/src/app.ts".into(), app),
            ("web/src/routes/notes.ts".into(), notes),
        ]);
        let got: Vec<(String, String, usize)> = r.iter().map(|r| (r.method.clone(), r.path.clone(), r.line)).collect();
        assert_eq!(
            got,
            vec![
                ("GET".into(), "/healthz".into(), 5),
                ("GET".into(), "/api/notes/{id}".into(), 3),
                ("POST".into(), "/api/notes".into(), 4),
            ]
        );
    }

    #[test]
    fn fastify_route_objects() {
        let src = "import Fastify from \"fastify\";\nconst app = Fastify();\napp.route({ method: \"GET\", url: \"/links/:slug\", handler });\n";
        let r = parse(&[("s/server.js".into(), src)]);
        assert_eq!(r[0].path, "/links/{slug}");
        assert_eq!(r[0].framework, "Fastify");
    }
}
