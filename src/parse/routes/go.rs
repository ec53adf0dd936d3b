//! Go routes: net/http (`HandleFunc("/p")`, Go 1.22 `"GET /p/{id}"` patterns, gorilla/mux
//! `.Methods(…)`), chi (`r.Get`, nested `r.Route("/api", func(r chi.Router) { … })`), gin and
//! echo (`r.GET`, `g := r.Group("/api")`).

use std::collections::BTreeMap;

use super::{Route, join, route};
use crate::parse::code::{bracket_delta, enclosed, split_top, string_lit, strip_comment};

pub fn parse(path: &str, text: &str) -> Vec<Route> {
    let framework = if text.contains("gin-gonic/gin") {
        "gin"
    } else if text.contains("labstack/echo") {
        "echo"
    } else if text.contains("go-chi/chi") {
        "chi"
    } else if text.contains("gorilla/mux") {
        "gorilla/mux"
    } else {
        "net/http"
    };
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    // chi `Route` blocks: (depth at which the block closes, prefix).
    let mut nested: Vec<(i32, String)> = Vec::new();
    let mut depth = 0i32;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let l = strip_comment(raw, '/');
        let t = l.trim();
        let block_prefix = nested.last().map(|(_, p)| p.clone()).unwrap_or_default();
        // `g := r.Group("/api")`
        if let Some((lhs, rhs)) = t.split_once(":=").or_else(|| t.split_once(" = "))
            && let Some(gi) = rhs.find(".Group(")
        {
            let recv = rhs[..gi].trim();
            if let Some(p) = enclosed(rhs, gi + 6).and_then(|a| split_top(a, ',').first().and_then(|x| string_lit(x))) {
                let base = groups.get(recv).cloned().unwrap_or_default();
                groups.insert(lhs.trim().to_string(), join(&base, &p));
            }
        }
        for (call, method_in_name) in [
            (".HandleFunc(", false),
            (".Handle(", false),
            (".Get(", true),
            (".Post(", true),
            (".Put(", true),
            (".Patch(", true),
            (".Delete(", true),
            (".GET(", true),
            (".POST(", true),
            (".PUT(", true),
            (".PATCH(", true),
            (".DELETE(", true),
        ] {
            let Some(ci) = t.find(call) else { continue };
            let recv: String = t[..ci]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let Some(args) = enclosed(t, ci + call.len() - 1) else {
                continue;
            };
            let parts = split_top(args, ',');
            let Some(pattern) = parts.first().and_then(|p| string_lit(p)) else {
                continue;
            };
            if parts.len() < 2 {
                continue;
            }
            let prefix = join(&block_prefix, groups.get(&recv).map(String::as_str).unwrap_or(""));
            let prefix = if prefix == "/" { String::new() } else { prefix };
            let (methods, p) = if method_in_name {
                (vec![call.trim_matches(['.', '(']).to_uppercase()], pattern)
            } else if let Some((m, p)) = pattern
                .split_once(' ')
                .filter(|(m, _)| m.chars().all(|c| c.is_ascii_uppercase()))
            {
                (vec![m.to_string()], p.trim().to_string())
            } else if let Some(mi) = t.find(".Methods(") {
                let ms = enclosed(t, mi + 8)
                    .map(|a| split_top(a, ',').iter().filter_map(|x| string_lit(x)).collect())
                    .unwrap_or_default();
                (ms, pattern)
            } else {
                (vec!["GET".to_string()], pattern)
            };
            if !p.starts_with('/') {
                continue;
            }
            for m in methods {
                out.push(route(&m, &join(&prefix, &p), framework, path, line_no));
            }
        }
        let before = depth;
        depth += bracket_delta(t);
        if let Some(ri) = t.find(".Route(")
            && let Some(p) = t[ri + 7..].split(',').next().and_then(string_lit)
            && depth > before
        {
            nested.push((before, join(&block_prefix, &p)));
        }
        while nested.last().is_some_and(|(d, _)| depth <= *d) {
            nested.pop();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_http_patterns() {
        let src = "package main\n\nimport \"net/http\"\n\nfunc main() {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc(\"/healthz\", h)\n\tmux.HandleFunc(\"POST /links\", create)\n\tmux.HandleFunc(\"GET /links/{slug}\", get)\n}\n";
        let r = parse("api/main.go", src);
        let got: Vec<(String, String, usize)> = r.iter().map(|r| (r.method.clone(), r.path.clone(), r.line)).collect();
        assert_eq!(
            got,
            vec![
                ("GET".into(), "/healthz".into(), 7),
                ("POST".into(), "/links".into(), 8),
                ("GET".into(), "/links/{slug}".into(), 9),
            ]
        );
    }

    #[test]
    fn chi_nesting_and_gin_groups() {
        let chi = "import \"github.com/go-chi/chi/v5\"\nfunc routes(r chi.Router) {\n\tr.Route(\"/api\", func(r chi.Router) {\n\t\tr.Get(\"/links/{id}\", get)\n\t})\n\tr.Get(\"/healthz\", h)\n}\n";
        let r = parse("api/routes.go", chi);
        assert_eq!(r[0].path, "/api/links/{id}");
        assert_eq!(r[1].path, "/healthz");
        let gin = "import \"github.com/gin-gonic/gin\"\nfunc main() {\n\tr := gin.Default()\n\tv1 := r.Group(\"/v1\")\n\tv1.POST(\"/links/:slug\", create)\n}\n";
        let r = parse("api/main.go", gin);
        assert_eq!(
            (r[0].method.as_str(), r[0].path.as_str(), r[0].framework.as_str()),
            ("POST", "/v1/links/{slug}", "gin")
        );
    }
}
