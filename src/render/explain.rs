//! `sp plan --explain`: the resolved deployment model, one value per line with its origin.
//!
//! Walks the serialised model generically, so every field added to the model shows up here
//! without touching this file: a `{value, origin}` pair is printed as a leaf, anything else
//! is a heading.

use serde_json::Value;

use crate::model::Plan;

pub fn explain(plan: &Plan) -> String {
    let mut out = format!("{}\n", plan.feature.name);
    let decided = if plan.scope.deploys {
        "about deployment"
    } else {
        "not about deployment"
    };
    line(&mut out, "  ", "scope", decided, &plan.scope.origin.text);
    out.push_str(&format!("    because {}\n", plan.scope.reason));
    match &plan.deployment {
        None if !plan.scope.deploys => out.push_str("  no deployment: planning documents only\n"),
        None => out.push_str("  no deployment: no input names a component (a `Frontend:` or `Backend:` stack line, or `components:` in the YAML block)\n"),
        Some(d) => {
            let v = serde_json::to_value(d).expect("the model serialises");
            walk(&v, 1, &mut out);
        }
    }
    out
}

/// A `{value, origin}` pair, or a record of scalars with an origin: one line each.
fn leaf(map: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let origin = map.get("origin")?.get("text")?.as_str()?.to_string();
    if map.len() == 2 && map.contains_key("value") {
        return Some((scalar(&map["value"]), origin));
    }
    if map
        .iter()
        .any(|(k, v)| k != "origin" && (v.is_object() || v.is_array()))
    {
        return None;
    }
    let rest: Vec<String> = map
        .iter()
        .filter(|(k, _)| *k != "origin")
        .map(|(k, v)| format!("{k}={}", scalar(v)))
        .collect();
    Some((rest.join(" "), origin))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn line(out: &mut String, pad: &str, key: &str, value: &str, origin: &str) {
    let text = format!("{pad}{key:<26} {value:<40} {origin}");
    out.push_str(text.trim_end());
    out.push('\n');
}

fn walk(v: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let Value::Object(map) = v else { return };
    for (k, child) in map {
        match child {
            Value::Object(m) => match leaf(m) {
                Some((value, origin)) => line(out, &pad, k, &value, &origin),
                None => {
                    out.push_str(&format!("{pad}{k}\n"));
                    walk(child, depth + 1, out);
                }
            },
            Value::Array(items) if items.is_empty() => {}
            Value::Array(items) if items.iter().all(Value::is_object) => {
                for item in items {
                    let Value::Object(m) = item else { continue };
                    match leaf(m) {
                        Some((value, origin)) => line(out, &pad, k, &value, &origin),
                        None => {
                            let label = m.get("name").map(scalar).unwrap_or_default();
                            out.push_str(&format!("{pad}{k} {label}\n"));
                            walk(item, depth + 1, out);
                        }
                    }
                }
            }
            other => line(out, &pad, k, &scalar(other), ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_default_from_the_source_is_not_printed() {
        use crate::model::deploy::{CodeDefault, EnvRead};
        let read = |name: &str, secret: bool, default: &str| {
            let r = EnvRead {
                name: name.into(),
                secret,
                required: false,
                default: Some(CodeDefault::new(default.into(), secret)),
                delivered: "code default".into(),
                at_build: false,
                origin: crate::model::Origin::at("api/main.py", 3),
                span: None,
            };
            match serde_json::to_value(&r).unwrap() {
                Value::Object(m) => m,
                _ => unreachable!(),
            }
        };
        let (text, origin) = leaf(&read("JWT_SECRET", true, "dev-only-s3cret")).unwrap();
        assert!(!text.contains("dev-only-s3cret"), "{text}");
        assert!(text.contains("default=<hidden>"), "{text}");
        assert_eq!(origin, "api/main.py:3");
        assert!(leaf(&read("PAGE_SIZE", false, "50")).unwrap().0.contains("default=50"));
    }
}
