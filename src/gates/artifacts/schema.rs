//! Helm values as data with their origin, layered as `helm -f` layers them, and a structural
//! check against a chart's values.schema.json (the JSON Schema subset charts use).
//!
//! Checked: `$ref` (local), `type`, `enum`, `const`, `properties`, `required`,
//! `additionalProperties` (false or a schema), `items`, `minItems`/`maxItems`,
//! `minimum`/`maximum` (and the exclusive forms), `multipleOf` for integers,
//! `minLength`/`maxLength`, `allOf`/`anyOf`/`oneOf`/`not`. Not checked: `pattern`,
//! `patternProperties` and `format` (sp has no regular-expression engine; `helm lint` checks
//! them), so a key matched only by `patternProperties` is never reported as unknown.

use serde_json::Value as Json;

use super::parse::{self, Pos};
use crate::yaml::{Node, NodeValue};

/// A values entry, with the file (an index into the caller's list) and position it comes from.
#[derive(Debug, Clone)]
pub struct Val {
    pub kind: VKind,
    pub file: usize,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum VKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Val>),
    /// Key, the key's position, value.
    Map(Vec<(String, Pos, Val)>),
}

impl Val {
    pub fn from_node(n: &Node, file: usize) -> Val {
        let pos = Pos::of(n);
        let kind = match &n.value {
            NodeValue::Scalar { text, plain } => {
                if parse::is_null(n) {
                    VKind::Null
                } else if let Some(b) = parse::as_bool(n) {
                    VKind::Bool(b)
                } else if let Some(i) = parse::as_int(n) {
                    VKind::Int(i)
                } else if let Some(f) = parse::as_number(n).filter(|_| *plain) {
                    VKind::Float(f)
                } else {
                    VKind::Str(text.clone())
                }
            }
            NodeValue::Seq(items) => VKind::Seq(items.iter().map(|i| Val::from_node(i, file)).collect()),
            NodeValue::Map(entries) => {
                let mut out: Vec<(String, Pos, Val)> = Vec::new();
                for (k, v) in entries {
                    let key = parse::scalar(k)
                        .map(|(t, _)| t.to_string())
                        .unwrap_or_else(|| parse::show(k));
                    if out.iter().any(|(e, _, _)| *e == key) {
                        continue;
                    }
                    out.push((key, Pos::of(k), Val::from_node(v, file)));
                }
                VKind::Map(out)
            }
        };
        Val { kind, file, pos }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.kind {
            VKind::Map(e) => e.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The value's key position, for a dotted path from here.
    pub fn lookup(&self, keys: &[&str]) -> Option<(&Val, Pos)> {
        let mut cur = self;
        let mut pos = self.pos;
        for k in keys {
            match &cur.kind {
                VKind::Map(e) => {
                    let (_, p, v) = e.iter().find(|(key, _, _)| key == k)?;
                    pos = *p;
                    cur = v;
                }
                _ => return None,
            }
        }
        Some((cur, pos))
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.kind {
            VKind::Int(i) => Some(i),
            VKind::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            VKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A scalar as text (numbers as written by Rust).
    pub fn as_text(&self) -> Option<String> {
        match &self.kind {
            VKind::Str(s) => Some(s.clone()),
            VKind::Int(i) => Some(i.to_string()),
            VKind::Float(f) => Some(f.to_string()),
            VKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn type_name(&self) -> &'static str {
        match self.kind {
            VKind::Null => "null",
            VKind::Bool(_) => "boolean",
            VKind::Int(_) => "integer",
            VKind::Float(_) => "number",
            VKind::Str(_) => "string",
            VKind::Seq(_) => "array",
            VKind::Map(_) => "object",
        }
    }

    fn show(&self) -> String {
        let s = match &self.kind {
            VKind::Null => "null".to_string(),
            VKind::Bool(b) => b.to_string(),
            VKind::Int(i) => i.to_string(),
            VKind::Float(f) => f.to_string(),
            VKind::Str(s) => format!("{s:?}"),
            VKind::Seq(i) => format!("a list of {}", i.len()),
            VKind::Map(e) => format!("a map of {} keys", e.len()),
        };
        if s.chars().count() > 80 {
            s.chars().take(77).collect::<String>() + "…"
        } else {
            s
        }
    }

    fn to_json(&self) -> Json {
        match &self.kind {
            VKind::Null => Json::Null,
            VKind::Bool(b) => Json::Bool(*b),
            VKind::Int(i) => Json::from(*i),
            VKind::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
            VKind::Str(s) => Json::String(s.clone()),
            VKind::Seq(items) => Json::Array(items.iter().map(Val::to_json).collect()),
            VKind::Map(e) => Json::Object(e.iter().map(|(k, _, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// Layer `overlay` over `base` as Helm does: maps merge key by key, anything else replaces,
/// and a null removes the key.
pub fn merge(base: &mut Val, overlay: &Val) {
    match (&mut base.kind, &overlay.kind) {
        (VKind::Map(b), VKind::Map(o)) => {
            for (k, kp, ov) in o {
                match b.iter().position(|(bk, _, _)| bk == k) {
                    Some(i) if matches!(ov.kind, VKind::Null) => {
                        b.remove(i);
                    }
                    Some(i) => merge(&mut b[i].2, ov),
                    None if matches!(ov.kind, VKind::Null) => {}
                    None => b.push((k.clone(), *kp, ov.clone())),
                }
            }
        }
        _ => *base = overlay.clone(),
    }
}

/// A value that does not satisfy the schema.
#[derive(Debug, Clone)]
pub struct Violation {
    pub file: usize,
    pub pos: Pos,
    /// The dotted path of the value (`components.api.replicas`).
    pub path: String,
    pub message: String,
    pub found: String,
}

/// Resolve a local `$ref` (`#/definitions/x`, `#/$defs/x`).
pub fn resolve<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    let mut s = schema;
    for _ in 0..16 {
        match s.get("$ref").and_then(Json::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(t) => s = t,
                None => return s,
            },
            None => return s,
        }
    }
    s
}

pub fn validate(root: &Json, v: &Val) -> Vec<Violation> {
    let mut out = Vec::new();
    check(root, root, v, v.pos, "", &mut out, 0);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_ok(t: &str, v: &Val) -> bool {
    match t {
        "null" => matches!(v.kind, VKind::Null),
        "boolean" => matches!(v.kind, VKind::Bool(_)),
        "integer" => v.as_i64().is_some(),
        "number" => matches!(v.kind, VKind::Int(_) | VKind::Float(_)),
        "string" => matches!(v.kind, VKind::Str(_)),
        "array" => matches!(v.kind, VKind::Seq(_)),
        "object" => matches!(v.kind, VKind::Map(_)),
        _ => true,
    }
}

fn number(v: &Val) -> Option<f64> {
    match v.kind {
        VKind::Int(i) => Some(i as f64),
        VKind::Float(f) => Some(f),
        _ => None,
    }
}

fn check(root: &Json, schema: &Json, v: &Val, key_pos: Pos, path: &str, out: &mut Vec<Violation>, depth: usize) {
    if depth > 64 {
        return;
    }
    let s = resolve(root, schema);
    let Some(obj) = s.as_object() else {
        if s == &Json::Bool(false) {
            out.push(violation(v, key_pos, path, "no value is allowed here".into()));
        }
        return;
    };
    let shown = if path.is_empty() { "the values" } else { path };

    if let Some(t) = obj.get("type") {
        let types: Vec<&str> = match t {
            Json::String(s) => vec![s.as_str()],
            Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
            _ => vec![],
        };
        if !types.is_empty() && !types.iter().any(|t| type_ok(t, v)) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must be of type {}, not {}", types.join(" or "), v.type_name()),
            ));
            return;
        }
    }
    if let Some(Json::Array(allowed)) = obj.get("enum") {
        let j = v.to_json();
        if !allowed.iter().any(|a| json_eq(a, &j)) {
            let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must be one of {}", list.join(", ")),
            ));
        }
    }
    if let Some(c) = obj.get("const")
        && !json_eq(c, &v.to_json())
    {
        out.push(violation(v, key_pos, path, format!("{shown} must be {c}")));
    }
    if let Some(n) = number(v) {
        let bound = |k: &str| obj.get(k).and_then(Json::as_f64);
        if let Some(m) = bound("minimum").filter(|m| n < *m) {
            out.push(violation(v, key_pos, path, format!("{shown} must be at least {m}")));
        }
        if let Some(m) = bound("maximum").filter(|m| n > *m) {
            out.push(violation(v, key_pos, path, format!("{shown} must be at most {m}")));
        }
        if let Some(m) = bound("exclusiveMinimum").filter(|m| n <= *m) {
            out.push(violation(v, key_pos, path, format!("{shown} must be more than {m}")));
        }
        if let Some(m) = bound("exclusiveMaximum").filter(|m| n >= *m) {
            out.push(violation(v, key_pos, path, format!("{shown} must be less than {m}")));
        }
        if let Some(m) = bound("multipleOf").filter(|m| *m > 0.0 && (n / m).fract().abs() > 1e-9) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must be a multiple of {m}"),
            ));
        }
    }
    if let VKind::Str(s) = &v.kind {
        let len = s.chars().count() as u64;
        if let Some(m) = obj.get("minLength").and_then(Json::as_u64).filter(|m| len < *m) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must be at least {m} characters long"),
            ));
        }
        if let Some(m) = obj.get("maxLength").and_then(Json::as_u64).filter(|m| len > *m) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must be at most {m} characters long"),
            ));
        }
    }
    if let VKind::Seq(items) = &v.kind {
        let len = items.len() as u64;
        if let Some(m) = obj.get("minItems").and_then(Json::as_u64).filter(|m| len < *m) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must have at least {m} items"),
            ));
        }
        if let Some(m) = obj.get("maxItems").and_then(Json::as_u64).filter(|m| len > *m) {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} must have at most {m} items"),
            ));
        }
        match obj.get("items") {
            Some(Json::Array(tuple)) => {
                for (i, (it, sch)) in items.iter().zip(tuple).enumerate() {
                    check(root, sch, it, it.pos, &format!("{path}[{i}]"), out, depth + 1);
                }
            }
            Some(sch) => {
                for (i, it) in items.iter().enumerate() {
                    check(root, sch, it, it.pos, &format!("{path}[{i}]"), out, depth + 1);
                }
            }
            None => {}
        }
    }
    if let VKind::Map(entries) = &v.kind {
        let props = obj.get("properties").and_then(Json::as_object);
        if let Some(Json::Array(req)) = obj.get("required") {
            for r in req.iter().filter_map(Json::as_str) {
                if !entries.iter().any(|(k, _, _)| k == r) {
                    out.push(violation(
                        v,
                        key_pos,
                        path,
                        format!("{shown} is missing the required key `{r}`"),
                    ));
                }
            }
        }
        let has_patterns = obj.get("patternProperties").is_some();
        for (k, kp, val) in entries {
            let child = join(path, k);
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                check(root, ps, val, *kp, &child, out, depth + 1);
                continue;
            }
            match obj.get("additionalProperties") {
                Some(Json::Bool(false)) if !has_patterns => out.push(Violation {
                    file: val.file,
                    pos: *kp,
                    path: child.clone(),
                    message: format!("`{k}` is not a key the schema allows in {shown}"),
                    found: format!("{k}: {}", val.show()),
                }),
                Some(ap @ Json::Object(_)) => check(root, ap, val, *kp, &child, out, depth + 1),
                _ => {}
            }
        }
        if let Some(pn) = obj.get("propertyNames").map(|p| resolve(root, p)) {
            for (k, kp, val) in entries {
                let key = Val {
                    kind: VKind::Str(k.clone()),
                    file: val.file,
                    pos: *kp,
                };
                let mut errs = Vec::new();
                check(root, pn, &key, *kp, &join(path, k), &mut errs, depth + 1);
                if !errs.is_empty() {
                    out.push(Violation {
                        file: val.file,
                        pos: *kp,
                        path: join(path, k),
                        message: format!("the key `{k}` is not a valid name here: {}", errs[0].message),
                        found: k.clone(),
                    });
                }
            }
        }
    }
    if let Some(Json::Array(all)) = obj.get("allOf") {
        for sch in all {
            check(root, sch, v, key_pos, path, out, depth + 1);
        }
    }
    for (kw, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(Json::Array(branches)) = obj.get(kw) {
            let ok = branches
                .iter()
                .filter(|b| {
                    let mut errs = Vec::new();
                    check(root, b, v, key_pos, path, &mut errs, depth + 1);
                    errs.is_empty()
                })
                .count();
            if ok == 0 || (exactly_one && ok > 1) {
                let what = if ok == 0 { "none" } else { "more than one" };
                out.push(violation(
                    v,
                    key_pos,
                    path,
                    format!("{shown} matches {what} of the `{kw}` alternatives"),
                ));
            }
        }
    }
    if let Some(not) = obj.get("not") {
        let mut errs = Vec::new();
        check(root, not, v, key_pos, path, &mut errs, depth + 1);
        if errs.is_empty() {
            out.push(violation(
                v,
                key_pos,
                path,
                format!("{shown} matches a schema it must not match"),
            ));
        }
    }
}

fn json_eq(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn violation(v: &Val, key_pos: Pos, path: &str, message: String) -> Violation {
    Violation {
        file: v.file,
        pos: key_pos,
        path: path.to_string(),
        found: if path.is_empty() {
            v.show()
        } else {
            format!("{}: {}", path.rsplit('.').next().unwrap_or(path), v.show())
        },
        message,
    }
}
