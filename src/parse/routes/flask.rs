//! Flask routes: `@app.route("/p", methods=[…])`, `@bp.get("/p")`, blueprints with
//! `url_prefix` at creation or at `register_blueprint`.

use std::collections::BTreeMap;

use super::{Route, join, route};
use crate::parse::code::{call_args, ident, kwarg, python_statements, split_top, string_lit};

pub fn parse(files: &[(String, &str)]) -> Vec<Route> {
    if !files.iter().any(|(_, t)| t.contains("flask") || t.contains("Flask")) {
        return Vec::new();
    }
    // Blueprint variable → (own prefix, blueprint name); registration prefixes by variable.
    let mut own: BTreeMap<String, String> = BTreeMap::new();
    let mut registered: BTreeMap<String, String> = BTreeMap::new();
    let mut found = Vec::new();
    for (path, text) in files {
        let stmts = python_statements(text);
        let mut pending: Vec<(String, Vec<String>, String, usize)> = Vec::new();
        for s in &stmts {
            let t = s.text.as_str();
            if let Some(dec) = t.strip_prefix('@') {
                let full = ident(dec).to_string();
                let Some((var, method)) = full.rsplit_once('.') else {
                    continue;
                };
                let Some(args) = call_args(dec, &full) else { continue };
                let args = split_top(args, ',');
                let Some(p) = args.first().and_then(|a| string_lit(a)) else {
                    continue;
                };
                let methods = match method {
                    "route" => kwarg(&args, "methods")
                        .map(|m| {
                            split_top(m.trim_matches(['[', ']', '(', ')']), ',')
                                .iter()
                                .filter_map(|x| string_lit(x))
                                .collect()
                        })
                        .unwrap_or_else(|| vec!["GET".to_string()]),
                    "get" | "post" | "put" | "patch" | "delete" => vec![method.to_string()],
                    _ => continue,
                };
                pending.push((var.to_string(), methods, p, s.line));
                continue;
            }
            if t.starts_with("def ") || t.starts_with("async def ") {
                let handler = ident(t.trim_start_matches("async ").trim_start_matches("def ")).to_string();
                for (var, methods, p, line) in pending.drain(..) {
                    for m in methods {
                        found.push((var.clone(), m, p.clone(), line, path.clone(), handler.clone()));
                    }
                }
                continue;
            }
            pending.clear();
            if let Some((lhs, rhs)) = t.split_once('=')
                && let Some(args) = call_args(rhs.trim(), "Blueprint")
            {
                let args = split_top(args, ',');
                own.insert(
                    lhs.trim().to_string(),
                    kwarg(&args, "url_prefix").and_then(string_lit).unwrap_or_default(),
                );
            }
            if let Some(i) = t.find(".register_blueprint(")
                && let Some(args) = call_args(&t[i + 1..], "register_blueprint")
            {
                let args = split_top(args, ',');
                if let (Some(bp), Some(prefix)) = (args.first(), kwarg(&args, "url_prefix").and_then(string_lit)) {
                    let bp = bp.rsplit('.').next().unwrap_or(bp).to_string();
                    registered.insert(bp, prefix);
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(var, m, p, line, file, handler)| {
            let prefix = registered
                .get(&var)
                .or_else(|| own.get(&var))
                .cloned()
                .unwrap_or_default();
            let mut r = route(&m, &join(&prefix, &p), "Flask", &file, line);
            r.handler = Some(handler);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_blueprints() {
        let app = "from flask import Flask\nfrom .notes import bp\napp = Flask(__name__)\napp.register_blueprint(bp, url_prefix=\"/api\")\n\n@app.route(\"/healthz\")\ndef h():\n    return 'ok'\n";
        let notes = "from flask import Blueprint\nbp = Blueprint(\"notes\", __name__)\n\n@bp.route(\"/notes/<int:note_id>\", methods=[\"GET\", \"DELETE\"])\ndef note(note_id):\n    ...\n\n@bp.post(\"/notes\")\ndef add():\n    ...\n";
        let r = parse(&[("a/app.py".into(), app), ("a/notes.py".into(), notes)]);
        let got: Vec<(String, String)> = r.iter().map(|r| (r.method.clone(), r.path.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("GET".into(), "/healthz".into()),
                ("GET".into(), "/api/notes/{note_id}".into()),
                ("DELETE".into(), "/api/notes/{note_id}".into()),
                ("POST".into(), "/api/notes".into()),
            ]
        );
    }
}
