//! YAML with a comment above every key, for the values files.
//!
//! Helm's best practices want every key of `values.yaml` documented by a comment that
//! begins with its name. [`crate::yaml`] writes no comments, so the values go through it
//! once (a serialise and parse round trip that keeps the struct's key order) into a
//! [`Node`] tree, and [`emit`] writes that tree back with the comments, in the one style the
//! chart uses: block mappings, two-space indentation, indented sequences of scalars, every
//! string double-quoted (JSON escapes are valid YAML), nothing that depends on hash order.

use std::fmt::Write;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A YAML value whose mappings keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value of `T` as a tree, keys in the order `T` serialises them.
    pub fn of<T: serde::Serialize>(value: &T) -> Node {
        crate::yaml::from_str(&crate::yaml::to_string(value)).expect("values serialised by crate::yaml read back")
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The node at a path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Only the keys matching one of `patterns` (dotted key paths, `*` for any key), with
    /// the maps above them; `None` when nothing matches.
    pub fn project(&self, patterns: &[&str]) -> Option<Node> {
        let split: Vec<Vec<&str>> = patterns.iter().map(|p| p.split('.').collect()).collect();
        let refs: Vec<&[&str]> = split.iter().map(Vec::as_slice).collect();
        self.project_paths(&refs)
    }

    fn project_paths(&self, patterns: &[&[&str]]) -> Option<Node> {
        if patterns.iter().any(|p| p.is_empty()) {
            return Some(self.clone());
        }
        let Node::Map(entries) = self else { return None };
        let kept: Vec<(String, Node)> = entries
            .iter()
            .filter_map(|(k, v)| {
                let rest: Vec<&[&str]> = patterns
                    .iter()
                    .filter(|p| p[0] == "*" || p[0] == k)
                    .map(|p| &p[1..])
                    .collect();
                if rest.is_empty() {
                    return None;
                }
                v.project_paths(&rest).map(|n| (k.clone(), n))
            })
            .collect();
        (!kept.is_empty()).then_some(Node::Map(kept))
    }

    /// `overlay` merged over `self` the way Helm merges a `-f` file over the chart's values:
    /// maps key by key, anything else replaced.
    pub fn merged(&self, overlay: &Node) -> Node {
        match (self, overlay) {
            (Node::Map(base), Node::Map(over)) => {
                let mut out = base.clone();
                for (k, v) in over {
                    match out.iter_mut().find(|(bk, _)| bk == k) {
                        Some((_, bv)) => *bv = bv.merged(v),
                        None => out.push((k.clone(), v.clone())),
                    }
                }
                Node::Map(out)
            }
            (_, over) => over.clone(),
        }
    }

    /// The tree without empty maps (merging one changes nothing); `None` when nothing is left.
    pub fn without_empty_maps(&self) -> Option<Node> {
        match self {
            Node::Map(entries) => {
                let kept: Vec<(String, Node)> = entries
                    .iter()
                    .filter_map(|(k, v)| v.without_empty_maps().map(|v| (k.clone(), v)))
                    .collect();
                (!kept.is_empty()).then_some(Node::Map(kept))
            }
            other => Some(other.clone()),
        }
    }

    /// Every leaf (scalar, sequence or empty map) with its path.
    pub fn leaves(&self) -> Vec<(Vec<String>, &Node)> {
        let mut out = Vec::new();
        self.collect_leaves(&mut Vec::new(), &mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'a Node)>) {
        match self {
            Node::Map(entries) if !entries.is_empty() => {
                for (k, v) in entries {
                    path.push(k.clone());
                    v.collect_leaves(path, out);
                    path.pop();
                }
            }
            leaf => out.push((path.clone(), leaf)),
        }
    }

    /// A one-line rendering, for tables: scalars as YAML, sequences and maps in flow style.
    pub fn inline(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Str(s) => quote(s),
            Node::Seq(items) => format!("[{}]", items.iter().map(Node::inline).collect::<Vec<_>>().join(", ")),
            Node::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), v.inline()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
                Ok(Node::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
                Ok(Node::Int(i))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Node, E> {
                i64::try_from(u).map(Node::Int).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, f: f64) -> Result<Node, E> {
                Err(E::custom(format!(
                    "no floating-point values in the chart's values ({f})"
                )))
            }
            fn visit_str<E>(self, s: &str) -> Result<Node, E> {
                Ok(Node::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Node, E> {
                Ok(Node::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    entries.push((k, v));
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The longest comment line, indentation included.
const WIDTH: usize = 100;

/// What [`emit`] needs to know besides the tree.
pub struct Emit<'a> {
    /// Comment lines at the top of the file, without `# `: wrapped, except lines starting
    /// with two spaces (commands), which are kept as they are.
    pub header: &'a [String],
    /// The comment of the key at a path; `None` leaves the key undocumented (and listed in
    /// [`Emitted::undocumented`]).
    pub doc: &'a dyn Fn(&[String]) -> Option<String>,
    /// A blank line between top-level keys.
    pub spaced: bool,
}

pub struct Emitted {
    pub text: String,
    /// Paths of keys that got no comment; tests require none.
    #[cfg_attr(not(test), allow(dead_code))]
    pub undocumented: Vec<String>,
}

/// The YAML text of `node` (a mapping) with the comments.
pub fn emit(node: &Node, how: &Emit) -> Emitted {
    let mut out = String::new();
    for line in how.header {
        if line.is_empty() {
            out.push_str("#\n");
        } else if line.starts_with("  ") {
            let _ = writeln!(out, "# {line}");
        } else {
            for l in wrap(line, WIDTH - 2) {
                let _ = writeln!(out, "# {l}");
            }
        }
    }
    let mut undocumented = Vec::new();
    match node {
        Node::Map(entries) if !entries.is_empty() => {
            if !how.header.is_empty() {
                out.push('\n');
            }
            map(&mut out, entries, 0, &mut Vec::new(), how, &mut undocumented);
        }
        other => {
            let _ = writeln!(out, "{}", other.inline());
        }
    }
    Emitted {
        text: out,
        undocumented,
    }
}

fn map(
    out: &mut String,
    entries: &[(String, Node)],
    indent: usize,
    path: &mut Vec<String>,
    how: &Emit,
    undocumented: &mut Vec<String>,
) {
    let pad = " ".repeat(indent);
    for (i, (k, v)) in entries.iter().enumerate() {
        if how.spaced && indent == 0 && i > 0 {
            out.push('\n');
        }
        path.push(k.clone());
        match (how.doc)(path) {
            Some(doc) => {
                for l in wrap(&doc, WIDTH.saturating_sub(indent + 2).max(40)) {
                    let _ = writeln!(out, "{pad}# {l}");
                }
            }
            None => undocumented.push(path.join(".")),
        }
        match v {
            Node::Map(inner) if !inner.is_empty() => {
                let _ = writeln!(out, "{pad}{}:", key(k));
                map(out, inner, indent + 2, path, how, undocumented);
            }
            Node::Seq(items) if !items.is_empty() => {
                let _ = writeln!(out, "{pad}{}:", key(k));
                for item in items {
                    let _ = writeln!(out, "{pad}  - {}", folded(item, indent + 4));
                }
            }
            other => {
                let _ = writeln!(out, "{pad}{}: {}", key(k), folded(other, indent + 2));
            }
        }
        path.pop();
    }
}

/// Strings longer than this are folded over several lines.
const FOLD: usize = 100;

/// A scalar as written: a long string is a double-quoted scalar over several lines, broken
/// at single spaces (YAML folds each line break back into one space), continuation lines
/// indented by `indent`; yamllint's line length stays happy and the value is unchanged.
fn folded(node: &Node, indent: usize) -> String {
    let Node::Str(s) = node else {
        return node.inline();
    };
    let quoted = quote(s);
    if quoted.chars().count() <= FOLD {
        return quoted;
    }
    // Words split at the spaces that fold back to exactly one space: single ones, not after
    // a backslash.
    let chars: Vec<char> = quoted.chars().collect();
    let mut words: Vec<String> = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let breakable = c == ' '
            && i > 1
            && i + 2 < chars.len()
            && chars[i - 1] != ' '
            && chars[i + 1] != ' '
            && chars[i - 1] != '\\';
        if breakable {
            words.push(String::new());
        } else if let Some(w) = words.last_mut() {
            w.push(c);
        }
    }
    let mut lines: Vec<String> = vec![String::new()];
    for word in words {
        let Some(line) = lines.last_mut() else { break };
        if line.is_empty() {
            line.push_str(&word);
        } else if line.chars().count() + 1 + word.chars().count() > FOLD {
            lines.push(word);
        } else {
            line.push(' ');
            line.push_str(&word);
        }
    }
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

/// A double-quoted YAML string: JSON's escapes are YAML's.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A key as written: plain when YAML 1.1 and 1.2 both read it as the same string.
fn key(k: &str) -> String {
    const SPECIAL: [&str; 11] = ["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", ""];
    let plain = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !SPECIAL.contains(&k.to_ascii_lowercase().as_str());
    if plain { k.to_string() } else { quote(k) }
}

/// A shell command as lines of at most `width` characters, continued with ` \`, for a
/// comment people copy from.
pub fn shell_lines(command: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in command.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() + 2 > width {
            lines.push(format!("{line} \\"));
            line = "    ".into();
        } else if !line.is_empty() && line != "    " {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// Words of `text` in lines of at most `width` characters (a longer word gets its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Node {
        Node::Map(vec![
            ("name".into(), Node::Str("a \"b\"".into())),
            (
                "inner".into(),
                Node::Map(vec![
                    ("replicas".into(), Node::Int(2)),
                    ("on".into(), Node::Bool(true)),
                    ("list".into(), Node::Seq(vec![Node::Str("x".into()), Node::Int(3)])),
                    ("empty".into(), Node::Map(Vec::new())),
                    ("none".into(), Node::Seq(Vec::new())),
                ]),
            ),
            ("0.0.0.0/0".into(), Node::Str("yes".into())),
        ])
    }

    fn emitted(doc: &dyn Fn(&[String]) -> Option<String>) -> Emitted {
        emit(
            &tree(),
            &Emit {
                header: &["Header.".into()],
                doc,
                spaced: true,
            },
        )
    }

    #[test]
    fn writes_block_yaml_with_a_comment_per_key() {
        let doc = |p: &[String]| Some(format!("{} is documented.", p.last().unwrap()));
        let e = emitted(&doc);
        assert!(e.undocumented.is_empty());
        assert_eq!(
            e.text,
            "# Header.\n\n# name is documented.\nname: \"a \\\"b\\\"\"\n\n# inner is documented.\ninner:\n  \
             # replicas is documented.\n  replicas: 2\n  # on is documented.\n  \"on\": true\n  \
             # list is documented.\n  list:\n    - \"x\"\n    - 3\n  # empty is documented.\n  empty: {}\n  \
             # none is documented.\n  none: []\n\n# 0.0.0.0/0 is documented.\n\"0.0.0.0/0\": \"yes\"\n"
        );
    }

    #[test]
    fn reads_back_as_the_same_tree() {
        let e = emitted(&|_| None);
        assert_eq!(e.undocumented.len(), 8, "{:?}", e.undocumented);
        let back: Node = crate::yaml::from_str(&e.text).unwrap();
        assert_eq!(back, tree());
    }

    #[test]
    fn round_trip_keeps_struct_order() {
        #[derive(serde::Serialize)]
        struct S {
            zeta: u32,
            alpha: String,
            tag: String,
        }
        let n = Node::of(&S {
            zeta: 1,
            alpha: "a".into(),
            tag: "0.1.0".into(),
        });
        assert_eq!(
            n,
            Node::Map(vec![
                ("zeta".into(), Node::Int(1)),
                ("alpha".into(), Node::Str("a".into())),
                ("tag".into(), Node::Str("0.1.0".into())),
            ])
        );
    }

    #[test]
    fn projects_and_merges_like_helm() {
        let t = tree();
        let p = t.project(&["inner.replicas", "*.list", "missing.x"]).unwrap();
        assert_eq!(
            p,
            Node::Map(vec![(
                "inner".into(),
                Node::Map(vec![
                    ("replicas".into(), Node::Int(2)),
                    ("list".into(), Node::Seq(vec![Node::Str("x".into()), Node::Int(3)])),
                ])
            )])
        );
        let over = Node::Map(vec![(
            "inner".into(),
            Node::Map(vec![("replicas".into(), Node::Int(5)), ("new".into(), Node::Null)]),
        )]);
        let m = t.merged(&over);
        assert_eq!(m.at(&["inner", "replicas"]), Some(&Node::Int(5)));
        assert_eq!(m.at(&["inner", "on"]), Some(&Node::Bool(true)));
        assert_eq!(m.at(&["inner", "new"]), Some(&Node::Null));
        assert_eq!(t.leaves().len(), 7);
    }

    #[test]
    fn long_strings_fold_and_read_back_unchanged() {
        let long = "a b  c \\ d\"e ".repeat(20) + "end";
        let tree = Node::Map(vec![
            ("k".into(), Node::Str(long.clone())),
            ("l".into(), Node::Seq(vec![Node::Str(long.clone())])),
        ]);
        let text = emit(
            &tree,
            &Emit {
                header: &[],
                doc: &|_| None,
                spaced: false,
            },
        )
        .text;
        assert!(text.lines().count() > 4, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 120), "{text}");
        let back: Node = crate::yaml::from_str(&text).unwrap();
        assert_eq!(back, tree, "{text}");
    }

    #[test]
    fn commands_break_with_continuations() {
        let lines = shell_lines(
            "helm install a very/long/path -n ns --create-namespace -f x/values-local.yaml",
            40,
        );
        assert_eq!(
            lines,
            [
                "helm install a very/long/path -n ns \\",
                "    --create-namespace -f \\",
                "    x/values-local.yaml"
            ]
        );
    }

    #[test]
    fn long_comments_wrap() {
        let lines = wrap(&"word ".repeat(50), 40);
        assert!(lines.len() > 5 && lines.iter().all(|l| l.len() <= 40), "{lines:?}");
    }
}
