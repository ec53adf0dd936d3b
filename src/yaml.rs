//! The one place that reads and writes YAML.
//!
//! Everything YAML in `sp` (the stack catalog, the plan input's fenced block, manifests,
//! contracts, Helm values) goes through these functions, so the YAML crate can be swapped
//! by editing this file alone. Output is block style with two-space indentation, as
//! Kubernetes and Helm documentation write it, and ends with exactly one newline.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A YAML problem with its 1-based line and column when the parser knows them.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Serialise one document.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Two-space indentation and block style are the defaults. Long strings stay on one line:
    // folded scalars would break commands people copy from the contracts.
    let mut opts = serde_saphyr::SerializerOptions::default();
    opts.prefer_block_scalars = false;
    let mut s = serde_saphyr::to_string_with_options(value, opts).expect("generated values serialise to YAML");
    while s.ends_with("\n\n") {
        s.pop();
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Serialise several documents into one stream separated by `---`.
pub fn to_multi_doc<T: Serialize>(docs: &[T]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(&to_string(d));
    }
    out
}

/// Parse one document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let loc = e.location();
        YamlError {
            message: clean_message(e.to_string().lines().next().unwrap_or("invalid YAML")),
            line: loc.map(|l| l.line() as usize),
            column: loc.map(|l| l.column() as usize),
        }
    })
}

/// The parser's message without its own `error: line N column M:` prefix: callers show the
/// position themselves, pointing into the file the YAML came from.
fn clean_message(msg: &str) -> String {
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    match msg.strip_prefix("line ") {
        Some(rest) => match rest.split_once(": ") {
            Some((pos, text)) if pos.split_whitespace().count() == 3 => text.to_string(),
            _ => msg.to_string(),
        },
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct T {
        name: String,
        ports: Vec<u16>,
    }

    #[test]
    fn round_trip_block_style() {
        let t = T {
            name: "api".into(),
            ports: vec![8000, 9000],
        };
        let s = to_string(&t);
        assert!(s.ends_with('\n') && !s.ends_with("\n\n"), "{s:?}");
        assert_eq!(from_str::<T>(&s).unwrap(), t);
    }

    #[test]
    fn errors_carry_positions() {
        let e = from_str::<T>("name: a\nports: [x]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }
}
