//! The one place that reads and writes YAML.
//!
//! Everything YAML in `sp` (the stack catalog, the plan input's fenced block, manifests,
//! contracts, Helm values) goes through this module, so the YAML crate can be swapped by
//! editing this folder alone. Output is block style with two-space indentation, as Kubernetes
//! and Helm documentation write it, and ends with exactly one newline. YAML with a comment
//! above every key (the chart's values files) is [`commented`]: the crate lays out no such
//! comments, so that module lays out the lines and the crate writes every key and scalar
//! ([`key`], [`scalar`], [`flow_seq`], [`flow_map`]).

mod block;
pub mod commented;

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

/// A string as the crate writes it for a value in block style, on one line: plain when every
/// YAML 1.1 and 1.2 reader (Helm's included) reads it back as this string, double-quoted with
/// YAML's escapes otherwise (`"yes"`, `"1.0"`, `"~"`, `"*x"`, `"a: b"`, `"a\nb"`).
pub fn scalar(s: &str) -> String {
    memo(&SCALARS, s, || one_line(to_string(&s)))
}

/// [`scalar`] appended to `out`.
pub fn push_scalar(out: &mut String, s: &str) {
    memo_into(&SCALARS, s, || one_line(to_string(&s)), out)
}

thread_local! {
    static SCALARS: Memo = Memo::default();
    static KEYS: Memo = Memo::default();
}

type Memo = Remembered<String>;

/// How many strings a memo holds before it starts over, so a long run stays in bounded memory.
const MEMO_LIMIT: usize = 1024;

/// The longest string the key and scalar memos keep: keys and the short values that repeat
/// across features (`ClusterIP`, `true`, `/healthz`). A long scalar is remembered only where
/// it does repeat, whole and as laid out, by the commented writer (`commented::FOLDED`: the
/// chart contract's descriptions).
pub(super) const MEMO_LONGEST: usize = 64;

/// `write(s)`, remembered per thread. Setting up the crate's serialiser for one scalar costs
/// far more than the scalar, and a chart writes the same keys and values for every feature
/// (`replicaCount`, `true`, `ClusterIP`), so most calls are answered from here. The answer is
/// the crate's own, only not recomputed; lookups never reach the output's order.
fn memo(table: &'static std::thread::LocalKey<Memo>, s: &str, write: impl FnOnce() -> String) -> String {
    let mut out = String::new();
    memo_into(table, s, write, &mut out);
    out
}

/// [`memo`], appending the answer to `out` instead of returning a copy of it.
fn memo_into(table: &'static std::thread::LocalKey<Memo>, s: &str, write: impl FnOnce() -> String, out: &mut String) {
    if s.len() > MEMO_LONGEST {
        out.push_str(&write());
        return;
    }
    append_remembered(table, MEMO_LIMIT, s, write, out);
}

/// Texts remembered per thread by key (the memos of this module and of `commented.rs`).
type Remembered<K> = std::cell::RefCell<std::collections::HashMap<K, String>>;

/// Append to `out` the text `write` gives for `key`, written once per thread and then taken
/// from `table`, which starts over when it holds `limit` texts, so a long run stays in bounded
/// memory.
fn append_remembered<K, Q>(
    table: &'static std::thread::LocalKey<Remembered<K>>,
    limit: usize,
    key: &Q,
    write: impl FnOnce() -> String,
    out: &mut String,
) where
    K: std::borrow::Borrow<Q> + Eq + std::hash::Hash,
    Q: ToOwned<Owned = K> + Eq + std::hash::Hash + ?Sized,
{
    if table.with(|m| m.borrow().get(key).map(|text| out.push_str(text)).is_some()) {
        return;
    }
    let written = write();
    out.push_str(&written);
    table.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= limit {
            m.clear();
        }
        m.insert(key.to_owned(), written);
    });
}

/// A string double-quoted with the crate's escapes, whatever it holds (for a string folded
/// over several lines, which only the double-quoted style can do without changing it).
pub fn double_quoted(s: &str) -> String {
    one_line(to_string(&serde_saphyr::DoubleQuoted(s)))
}

/// A mapping key as the crate writes it: plain when it reads back as the same string in a
/// block or a flow mapping, double-quoted otherwise.
pub fn key(k: &str) -> String {
    let mut out = String::new();
    push_key(&mut out, k);
    out
}

/// [`key`] appended to `out`.
pub fn push_key(out: &mut String, k: &str) {
    memo_into(
        &KEYS,
        k,
        || {
            let text = to_string(&std::collections::BTreeMap::from([(k, 0u8)]));
            match text.strip_suffix(": 0\n") {
                Some(written) if !written.contains('\n') && !written.starts_with('?') => written.to_string(),
                _ => double_quoted(k),
            }
        },
        out,
    )
}

/// A sequence on one line in the crate's flow style (`[a, "yes", 3]`).
pub fn flow_seq<T: Serialize>(items: &[T]) -> String {
    one_line(to_string(&serde_saphyr::FlowSeq(items)))
}

/// A mapping on one line in the crate's flow style (`{a: 1, "on": true}`).
pub fn flow_map<T: Serialize>(map: &T) -> String {
    one_line(to_string(&serde_saphyr::FlowMap(map)))
}

/// The text of a one-line document without its final newline.
fn one_line(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
    }
    text
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

/// The parser's message without its own `error: line N column M:` prefix (callers show the
/// position themselves, pointing into the file the YAML came from), and in the user's
/// words where the library speaks of its own settings.
fn clean_message(msg: &str) -> String {
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    let msg = match msg.strip_prefix("line ") {
        Some(rest) => match rest.split_once(": ") {
            Some((pos, text)) if pos.split_whitespace().count() == 3 => text,
            _ => msg,
        },
        None => msg,
    };
    user_words(msg)
}

/// Library phrasing a user cannot act on, rewritten.
fn user_words(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest).trim();
        return format!("the key `{key}` is written twice in the same map; keep one");
    }
    if msg.starts_with("budget breached") {
        return "the block expands to too many values (aliases that repeat other aliases); write the values out instead".into();
    }
    if msg.contains("recursion limit") || msg.contains("depth limit") {
        return "the block nests too deeply; flatten it".into();
    }
    match msg.split_once(", set ") {
        Some((head, tail)) if tail.contains("Options") => head.to_string(),
        _ => msg.to_string(),
    }
}

/// A YAML node and where it starts in its file (1-based line and column), for checks that
/// point at the exact key or value they judge. Built from the parser's events rather than
/// through serde, so a scalar keeps its style: `appVersion: "1.0"` and `appVersion: 1.0`
/// differ, as they do for Helm.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub column: usize,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// A scalar after escape processing. `plain` is false for quoted and block scalars and
    /// for `!!str`-tagged ones: those are strings whatever they look like.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in source order (duplicates kept: the first one wins for lookups).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The first entry of this map whose key is the scalar `key`: (key node, value node).
    /// `None` for a missing key or a node that is not a map.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        let NodeValue::Map(entries) = &self.value else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(&k.value, NodeValue::Scalar { text, .. } if text == key))
            .map(|(k, v)| (k, v))
    }

    /// The value of `key` in this map ([`Node::entry`]).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The line of the key at `path` (`["components", "api", "port"]`): the last key found
    /// on the way when a value on it is not a map, `None` when a key is missing.
    pub fn key_line(&self, path: &[&str]) -> Option<usize> {
        let mut node = self;
        let mut line = node.line;
        for key in path {
            if !matches!(node.value, NodeValue::Map(_)) {
                return Some(line);
            }
            let (k, v) = node.entry(key)?;
            line = k.line;
            node = v;
        }
        Some(line)
    }
}

/// One document of a YAML stream and the lines it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    pub start_line: usize,
    pub end_line: usize,
}

/// Most nodes one stream may expand to (aliases included): a guard against alias bombs.
const NODE_BUDGET: usize = 1_000_000;

/// Parse every document of a YAML stream into [`Node`] trees with positions. A document
/// that is not valid YAML is reported in the second list and skipped; parsing resumes at
/// the next `---`. Never panics, whatever the input.
pub fn parse_nodes(text: &str) -> (Vec<Document>, Vec<YamlError>) {
    match block::parse(text) {
        Some(docs) => (docs, Vec::new()),
        None => parse_events(text),
    }
}

/// [`parse_nodes`] by the full parser's events, for any YAML.
fn parse_events(text: &str) -> (Vec<Document>, Vec<YamlError>) {
    use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle};

    enum Open {
        Seq(Node, usize),
        Map(Node, usize, Option<Node>),
    }
    fn size(n: &Node) -> usize {
        match &n.value {
            NodeValue::Scalar { .. } => 1,
            NodeValue::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
            NodeValue::Map(entries) => 1 + entries.iter().map(|(k, v)| size(k) + size(v)).sum::<usize>(),
        }
    }

    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: std::collections::BTreeMap<usize, (Node, usize)> = std::collections::BTreeMap::new();
    let mut root: Option<Node> = None;
    let mut start_line = 1;
    let mut budget = NODE_BUDGET;
    let mut guard = 0usize;
    loop {
        guard += 1;
        if guard > 4 * text.len() + 64 {
            break;
        }
        let Some(next) = parser.next_event() else { break };
        let (event, span) = match next {
            Ok(e) => e,
            Err(e) => {
                let m = e.marker();
                let info = e.info();
                errors.push(YamlError {
                    message: if info.is_empty() { "invalid YAML".into() } else { info },
                    line: Some(m.line()),
                    column: Some(m.col() + 1),
                });
                stack.clear();
                root = None;
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        };
        let (line, column) = (span.start.line(), span.start.col() + 1);
        let mut done: Option<(Node, usize)> = match event {
            Event::DocumentStart(..) => {
                start_line = line;
                stack.clear();
                anchors.clear();
                root = None;
                None
            }
            Event::DocumentEnd => {
                let root = root.take().unwrap_or(Node {
                    line: start_line,
                    column: 1,
                    value: NodeValue::Scalar {
                        text: String::new(),
                        plain: true,
                    },
                });
                docs.push(Document {
                    root,
                    start_line,
                    end_line: span.end.line().max(start_line),
                });
                None
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain && tag.as_ref().is_none_or(|t| t.suffix() != "str");
                Some((
                    Node {
                        line,
                        column,
                        value: NodeValue::Scalar {
                            text: text.into_owned(),
                            plain,
                        },
                    },
                    anchor,
                ))
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((n, s)) if *s <= budget => {
                    budget -= s;
                    let mut n = n.clone();
                    n.line = line;
                    n.column = column;
                    Some((n, 0))
                }
                Some(_) => {
                    errors.push(YamlError {
                        message: "aliases expand beyond the size this tool reads".into(),
                        line: Some(line),
                        column: Some(column),
                    });
                    break;
                }
                None => Some((
                    Node {
                        line,
                        column,
                        value: NodeValue::Scalar {
                            text: String::new(),
                            plain: true,
                        },
                    },
                    0,
                )),
            },
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Open::Seq(
                    Node {
                        line,
                        column,
                        value: NodeValue::Seq(Vec::new()),
                    },
                    anchor,
                ));
                None
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Open::Map(
                    Node {
                        line,
                        column,
                        value: NodeValue::Map(Vec::new()),
                    },
                    anchor,
                    None,
                ));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(n, a)) | Some(Open::Map(n, a, _)) => Some((n, a)),
                None => None,
            },
            _ => None,
        };
        if let Some((node, anchor)) = done.take() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                errors.push(YamlError {
                    message: "the document is larger than this tool reads".into(),
                    line: Some(line),
                    column: Some(column),
                });
                break;
            }
            if anchor != 0 {
                let s = size(&node);
                anchors.insert(anchor, (node.clone(), s));
            }
            match stack.last_mut() {
                Some(Open::Seq(
                    Node {
                        value: NodeValue::Seq(items),
                        ..
                    },
                    _,
                )) => items.push(node),
                Some(Open::Map(
                    Node {
                        value: NodeValue::Map(entries),
                        ..
                    },
                    _,
                    pending,
                )) => match pending.take() {
                    Some(key) => entries.push((key, node)),
                    None => *pending = Some(node),
                },
                Some(_) => {}
                None => root = Some(node),
            }
        }
    }
    (docs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_follow_the_path() {
        let text = "components:\n  api:\n    replicas: 2\n  worker:\n    replicas: 3\nrollout: {zeroDowntime: true}\n";
        let root = parse_nodes(text).0.remove(0).root;
        assert_eq!(root.key_line(&["components", "api", "replicas"]), Some(3));
        assert_eq!(root.key_line(&["components", "worker", "replicas"]), Some(5));
        assert_eq!(root.key_line(&["components", "worker"]), Some(4));
        assert_eq!(root.key_line(&["rollout", "zeroDowntime"]), Some(6));
        // Below a scalar, the scalar's key is the nearest place.
        assert_eq!(root.key_line(&["components", "api", "replicas", "min"]), Some(3));
        assert_eq!(root.key_line(&["components", "db"]), None);
    }

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
