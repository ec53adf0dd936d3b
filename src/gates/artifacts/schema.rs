//! Helm values as data with their origin, layered as `helm -f` layers them, and their
//! validation against a chart's values.schema.json by the `jsonschema` crate: every keyword of
//! the schema's draft, `pattern`, `patternProperties` and `format` included. Each violation is
//! put back at the key (or item) of the values file it comes from and said in sp's words.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use std::sync::{Arc, Mutex, OnceLock};

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

    /// The entry of a map for `key`: the key, its position, the value.
    fn entry(&self, key: &str) -> Option<&(String, Pos, Val)> {
        match &self.kind {
            VKind::Map(e) => e.iter().find(|(k, _, _)| k == key),
            _ => None,
        }
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

/// Resolve a local `$ref` (`#/definitions/x`, `#/$defs/x`), for readers of the schema's
/// structure (the conventions gate); validation itself is the `jsonschema` crate's.
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

/// A `$ref` to another document is not fetched (sp reads no network, and a chart's schema is
/// meant to stand alone): it accepts any value, so what lies under it is left to `helm lint`.
struct NotFetched;

impl jsonschema::Retrieve for NotFetched {
    fn retrieve(&self, _: &jsonschema::Uri<String>) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Json::Bool(true))
    }
}

/// A chart's values.schema.json, read: the JSON (Err: why it is not JSON, and where) and, when
/// it is JSON, the validator compiled from it (Err: why it is not a schema).
#[derive(Debug)]
pub struct Schema {
    pub json: Result<Json, (String, Pos)>,
    pub validator: Option<Result<jsonschema::Validator, String>>,
}

/// Read and compile a chart's values.schema.json, formats included (the draft is the one its
/// `$schema` names, 2020-12 without one). A schema that is not JSON gets no validator; one that
/// is JSON but not a schema (an unknown type, a pattern that is not a regular expression) gets
/// the reason.
///
/// Schemas are kept for the rest of the run, by text: the features of a workspace share the
/// chart's schema, and parsing and compiling it took more time than validating every values
/// file of a feature against it. Looking one up compares the text, a memory comparison; the
/// parsed trees were compared node by node before. A schema being compiled is waited for, not
/// compiled a second time: see [`warm`].
pub fn load(text: &str) -> Arc<Schema> {
    type Kept = Vec<(String, Arc<OnceLock<Arc<Schema>>>)>;
    static KEPT: Mutex<Kept> = Mutex::new(Vec::new());
    /// How many schemas are kept (a run's charts share one or a few).
    const LIMIT: usize = 8;
    let slot = {
        let mut k = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        match k.iter().find(|(t, _)| t == text) {
            Some((_, slot)) => slot.clone(),
            None => {
                if k.len() >= LIMIT {
                    drop(k.remove(0));
                }
                let slot = Arc::new(OnceLock::new());
                k.push((text.to_string(), slot.clone()));
                slot
            }
        }
    };
    // Outside the lock: another schema's lookup does not wait for this one's compile.
    slot.get_or_init(|| Arc::new(compile(text))).clone()
}

/// Starts writing and compiling a schema (sp's own chart schema, which `text` writes) on
/// another thread and returns at once.
///
/// Every chart sp generates carries the same schema, and compiling it is about a seventh of a
/// one-feature compile; the feature's parse, resolve and render do not need it and leave the
/// second core idle, so the gates find it compiled (or wait for the rest) instead of starting
/// it then. Nothing is written from that thread; if no gate asks, the work is only dropped.
pub fn warm(text: fn() -> String) {
    let spawned = std::thread::Builder::new()
        .name("schema".into())
        .spawn(move || drop(load(&text())));
    // Without a thread the first gate that needs the schema compiles it, as before.
    drop(spawned);
}

fn compile(text: &str) -> Schema {
    let json = serde_json::from_str::<Json>(text).map_err(|e| {
        (
            format!("values.schema.json is not valid JSON: {e}"),
            Pos {
                line: e.line().max(1),
                column: e.column().max(1),
            },
        )
    });
    let validator = json.as_ref().ok().map(|j| {
        jsonschema::options()
            .should_validate_formats(true)
            .with_retriever(NotFetched)
            .build(j)
            .map_err(|e| e.to_string())
    });
    Schema { json, validator }
}

/// Every violation of the schema by the values, each at the key (or item) of the value that
/// breaks it, in document order.
pub fn validate(validator: &jsonschema::Validator, v: &Val) -> Vec<Violation> {
    let instance = v.to_json();
    let errors: Vec<jsonschema::ValidationError> = validator.iter_errors(&instance).collect();
    // A value of the wrong type is reported for its type alone (its `enum` or `pattern`
    // would only repeat it).
    let mistyped: Vec<String> = errors
        .iter()
        .filter(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
        .map(|e| e.instance_path().as_str().to_string())
        .collect();
    let mut out = Vec::new();
    for e in &errors {
        if !matches!(e.kind(), ValidationErrorKind::Type { .. })
            && mistyped.iter().any(|p| p == e.instance_path().as_str())
        {
            continue;
        }
        let (val, key_pos, path) = locate(v, e.instance_path());
        describe(e, val, key_pos, &path, &mut out);
    }
    out.sort_by_key(|x| (x.file, x.pos));
    out
}

/// The value an instance path names, the position of its key (or item), and its dotted path.
fn locate<'v>(root: &'v Val, at: &jsonschema::paths::Location) -> (&'v Val, Pos, String) {
    let (mut cur, mut pos, mut path) = (root, root.pos, String::new());
    for seg in at.iter() {
        let key = match &seg {
            LocationSegment::Property(k) => k.to_string(),
            LocationSegment::Index(i) => i.to_string(),
        };
        match (&seg, &cur.kind) {
            (LocationSegment::Index(i), VKind::Seq(items)) if *i < items.len() => {
                cur = &items[*i];
                pos = cur.pos;
                path = format!("{path}[{i}]");
            }
            (_, VKind::Map(entries)) => match entries.iter().find(|(k, _, _)| *k == key) {
                Some((_, kp, v)) => {
                    cur = v;
                    pos = *kp;
                    path = join(&path, &key);
                }
                None => break,
            },
            _ => break,
        }
    }
    (cur, pos, path)
}

fn describe(e: &jsonschema::ValidationError, v: &Val, key_pos: Pos, path: &str, out: &mut Vec<Violation>) {
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let shown = if path.is_empty() { "the values" } else { path };
            for k in unexpected {
                let Some((_, kp, val)) = v.entry(k) else { continue };
                out.push(Violation {
                    file: val.file,
                    pos: *kp,
                    path: join(path, k),
                    message: format!("`{k}` is not a key the schema allows in {shown}"),
                    found: format!("{k}: {}", val.show()),
                });
            }
        }
        ValidationErrorKind::PropertyNames { error } => {
            let Some(k) = error.instance().as_str() else { return };
            let Some((_, kp, val)) = v.entry(k) else { return };
            let key = Val {
                kind: VKind::Str(k.to_string()),
                file: val.file,
                pos: *kp,
            };
            out.push(Violation {
                file: val.file,
                pos: *kp,
                path: join(path, k),
                message: format!(
                    "the key `{k}` is not a valid name here: {}",
                    message(error, &key, &join(path, k))
                ),
                found: k.to_string(),
            });
        }
        _ => out.push(Violation {
            file: v.file,
            pos: key_pos,
            path: path.to_string(),
            found: if path.is_empty() {
                v.show()
            } else {
                format!("{}: {}", path.rsplit('.').next().unwrap_or(path), v.show())
            },
            message: message(e, v, path),
        }),
    }
}

/// The violation in sp's words (`replicas must be at least 1`).
fn message(e: &jsonschema::ValidationError, v: &Val, path: &str) -> String {
    let shown = if path.is_empty() { "the values" } else { path };
    let num = |n: &Json| n.as_f64().map(|f| f.to_string()).unwrap_or_else(|| n.to_string());
    match e.kind() {
        ValidationErrorKind::Type { kind } => {
            let types: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            };
            format!("{shown} must be of type {}, not {}", types.join(" or "), v.type_name())
        }
        ValidationErrorKind::Enum { options } => {
            let list: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(Json::to_string).collect())
                .unwrap_or_default();
            format!("{shown} must be one of {}", list.join(", "))
        }
        ValidationErrorKind::Constant { expected_value } => format!("{shown} must be {expected_value}"),
        ValidationErrorKind::Minimum { limit } => format!("{shown} must be at least {}", num(limit)),
        ValidationErrorKind::Maximum { limit } => format!("{shown} must be at most {}", num(limit)),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("{shown} must be more than {}", num(limit)),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("{shown} must be less than {}", num(limit)),
        ValidationErrorKind::MultipleOf { multiple_of } => format!("{shown} must be a multiple of {multiple_of}"),
        ValidationErrorKind::MinLength { limit } => format!("{shown} must be at least {limit} characters long"),
        ValidationErrorKind::MaxLength { limit } => format!("{shown} must be at most {limit} characters long"),
        ValidationErrorKind::MinItems { limit } => format!("{shown} must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("{shown} must have at most {limit} items"),
        ValidationErrorKind::Required { property } => format!(
            "{shown} is missing the required key `{}`",
            property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string())
        ),
        ValidationErrorKind::AnyOf { .. } => format!("{shown} matches none of the `anyOf` alternatives"),
        ValidationErrorKind::OneOfNotValid { .. } => format!("{shown} matches none of the `oneOf` alternatives"),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!("{shown} matches more than one of the `oneOf` alternatives")
        }
        ValidationErrorKind::Not { .. } => format!("{shown} matches a schema it must not match"),
        ValidationErrorKind::FalseSchema => "no value is allowed here".to_string(),
        ValidationErrorKind::Pattern { pattern } => format!("{shown} must match the pattern `{pattern}`"),
        ValidationErrorKind::Format { format } => format!("{shown} must be a valid `{format}`"),
        _ => format!("{shown}: {e}"),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema asked for while another thread compiles it is that thread's, not a second
    /// compile: every caller gets the same `Schema`, whichever thread got there first.
    #[test]
    fn a_schema_is_compiled_once_however_many_threads_ask() {
        const TEXT: &str =
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "once"}"#;
        warm(|| TEXT.to_string());
        let got: Vec<Arc<Schema>> = std::thread::scope(|s| {
            let asks: Vec<_> = (0..4).map(|_| s.spawn(|| load(TEXT))).collect();
            asks.into_iter().map(|a| a.join().unwrap()).collect()
        });
        assert!(got.iter().all(|g| Arc::ptr_eq(g, &got[0])));
        assert!(Arc::ptr_eq(&load(TEXT), &got[0]));
        assert!(matches!(got[0].validator, Some(Ok(_))));
    }

    /// Text that is not JSON is kept with its reason and position, and gets no validator.
    #[test]
    fn text_that_is_not_json_has_no_validator() {
        let s = load("{ not json");
        let (reason, pos) = s.json.as_ref().unwrap_err();
        assert!(reason.starts_with("values.schema.json is not valid JSON"), "{reason}");
        assert_eq!(pos.line, 1);
        assert!(s.validator.is_none());
    }
}
