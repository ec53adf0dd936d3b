//! Reading YAML nodes the way Kubernetes and Helm read them, and the Kubernetes object
//! model the gates walk: objects, their pod specs, their containers.
//!
//! Scalars follow YAML 1.1 as `sigs.k8s.io/yaml` (kubectl, Helm) resolves them: `yes` and
//! `on` are booleans, quoted scalars are always strings.

use crate::yaml::{Node, NodeValue};

/// A 1-based position in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub fn of(n: &Node) -> Pos {
        Pos {
            line: n.line.max(1),
            column: n.column.max(1),
        }
    }
}

pub fn scalar(n: &Node) -> Option<(&str, bool)> {
    match &n.value {
        NodeValue::Scalar { text, plain } => Some((text.as_str(), *plain)),
        _ => None,
    }
}

pub fn is_null(n: &Node) -> bool {
    matches!(scalar(n), Some((t, true)) if matches!(t, "" | "~" | "null" | "Null" | "NULL"))
}

/// The text of a scalar that is not null, whatever it resolves to.
pub fn text(n: &Node) -> Option<&str> {
    if is_null(n) { None } else { scalar(n).map(|(t, _)| t) }
}

pub fn as_bool(n: &Node) -> Option<bool> {
    match scalar(n)? {
        (t, true) => match t {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn as_int(n: &Node) -> Option<i64> {
    match scalar(n)? {
        (t, true) => parse_int(t),
        _ => None,
    }
}

pub fn parse_int(t: &str) -> Option<i64> {
    let t = t.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// A plain scalar that YAML reads as a number (int or float).
pub fn as_number(n: &Node) -> Option<f64> {
    match scalar(n)? {
        (t, true) => parse_number(t),
        _ => None,
    }
}

pub fn parse_number(t: &str) -> Option<f64> {
    if let Some(i) = parse_int(t) {
        return Some(i as f64);
    }
    let t = t.trim();
    match t {
        ".inf" | ".Inf" | ".INF" | "+.inf" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let ok = !t.is_empty()
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if ok { t.parse::<f64>().ok() } else { None }
}

pub fn entries(n: &Node) -> &[(Node, Node)] {
    match &n.value {
        NodeValue::Map(e) => e,
        _ => &[],
    }
}

pub fn items(n: &Node) -> &[Node] {
    match &n.value {
        NodeValue::Seq(i) => i,
        _ => &[],
    }
}

pub fn is_map(n: &Node) -> bool {
    matches!(n.value, NodeValue::Map(_))
}

/// The first entry whose key is `key`: (key node, value node).
pub fn entry<'a>(n: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    n.entry(key)
}

pub fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.get(key)
}

pub fn path<'a>(n: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(n, |n, k| get(n, k))
}

/// The text of `key` in `n`, when it is a non-null scalar.
pub fn get_str<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    get(n, key).and_then(text)
}

/// A map of string to string (labels, selectors), in source order.
pub fn string_map(n: Option<&Node>) -> Vec<(String, String)> {
    n.map(entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            Some((
                scalar(k)?.0.to_string(),
                scalar(v).map(|(t, _)| t.to_string()).unwrap_or_default(),
            ))
        })
        .collect()
}

/// The YAML text of a small value for `found` fields: a scalar as written, a collection in
/// flow style, cut at 120 characters.
pub fn show(n: &Node) -> String {
    fn go(n: &Node, out: &mut String, depth: usize) {
        if out.len() > 160 || depth > 8 {
            return;
        }
        match &n.value {
            NodeValue::Scalar { text, plain } => {
                if *plain {
                    out.push_str(text)
                } else {
                    out.push_str(&format!("{text:?}"))
                }
            }
            NodeValue::Seq(items) => {
                out.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(it, out, depth + 1);
                }
                out.push(']');
            }
            NodeValue::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(k, out, depth + 1);
                    out.push_str(": ");
                    go(v, out, depth + 1);
                }
                out.push('}');
            }
        }
    }
    let mut s = String::new();
    go(n, &mut s, 0);
    if s.chars().count() > 120 {
        s = s.chars().take(117).collect::<String>() + "…";
    }
    s
}

/// Structural equality that ignores positions and the order of map keys.
pub fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (NodeValue::Scalar { text: x, .. }, NodeValue::Scalar { text: y, .. }) => x == y,
        (NodeValue::Seq(x), NodeValue::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (NodeValue::Map(x), NodeValue::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    let key = scalar(k).map(|(t, _)| t).unwrap_or_default();
                    entry(b, key).is_some_and(|(_, w)| same(v, w))
                })
        }
        _ => false,
    }
}

/// A Kubernetes quantity (`500m`, `128Mi`, `1e3`, `0.5`) as a number of base units, or a
/// number YAML wrote another way (`0x10`); never negative, as no resource is.
pub fn quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    crate::quantity::parse(s)
        .or_else(|| parse_number(s))
        .filter(|v| v.is_finite() && *v >= 0.0)
}

// ---------------------------------------------------------------------------------------
// Kubernetes objects
// ---------------------------------------------------------------------------------------

mod object;
pub use object::*;
