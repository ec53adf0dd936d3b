//! YAML with a comment above every key: the chart's values files, its Chart.yaml and the
//! helm-chart contract. The one place sp writes commented YAML.
//!
//! Helm's best practices want every key of `values.yaml` documented by a comment that begins
//! with its name, wrapped to the file's width. The YAML crate writes no such comments: its
//! `Commented` wrapper puts one line after a scalar or between a key and its value, never above
//! a key, and never over several lines. So the values go through the crate once (a serialise
//! and parse round trip that keeps the struct's key order) into a [`Node`] tree, and [`emit`]
//! lays that tree out in the one style the chart uses (block mappings, two-space indentation,
//! indented sequences, a blank line between top-level keys) with the comments, while every
//! key and scalar is written by the crate itself ([`super::key`], [`super::scalar`],
//! [`super::flow`]): plain where every YAML 1.1 and 1.2 reader, Helm's included, reads it back
//! as the same string, quoted otherwise. A string too long for one line is double-quoted and
//! folded at single spaces, which YAML reads back as one space.

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
    ///
    /// The round trip goes through JSON text, not YAML: it keeps the key order just the same
    /// (a streamed map is read in the order it is written), holds the same scalars (the tree
    /// has no floats or tags), and costs a tenth of a YAML parse, which matters because every
    /// feature builds three values trees.
    pub fn of<T: serde::Serialize>(value: &T) -> Node {
        let json = serde_json::to_string(value).expect("generated values serialise to JSON");
        serde_json::from_str(&json).expect("values serialised to JSON read back")
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

    /// A one-line rendering, for tables and sequence items: scalars as the YAML crate writes
    /// them, sequences and maps in its flow style.
    pub fn inline(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Str(s) => super::scalar(s),
            Node::Seq(items) => super::flow_seq(items),
            Node::Map(_) => super::flow_map(self),
        }
    }
}

impl serde::Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Int(i) => s.serialize_i64(*i),
            Node::Str(v) => s.serialize_str(v),
            Node::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
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
    /// Dotted paths of keys whose string value is double-quoted whatever it holds (Chart.yaml's
    /// `appVersion`, which Helm's conventions want quoted).
    pub quoted: &'a [&'a str],
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
        let line = comment_text(line);
        if line.is_empty() {
            out.push_str("#\n");
        } else if line.starts_with("  ") {
            let _ = writeln!(out, "# {line}");
        } else {
            for l in crate::wrap::prose(&line, WIDTH - 2) {
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
            Some(doc) => push_comment(out, &doc, indent),
            None => undocumented.push(path.join(".")),
        }
        // The key, then its value: written into `out` directly (a chart writes thousands).
        out.push_str(&pad);
        super::push_key(out, k);
        out.push(':');
        match v {
            Node::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                map(out, inner, indent + 2, path, how, undocumented);
            }
            Node::Seq(items) if !items.is_empty() => {
                out.push('\n');
                for item in items {
                    out.push_str(&pad);
                    out.push_str("  - ");
                    push_folded(out, item, indent + 4, false);
                    out.push('\n');
                }
            }
            other => {
                let quoted = !how.quoted.is_empty() && how.quoted.contains(&path.join(".").as_str());
                out.push(' ');
                push_folded(out, other, indent + 2, quoted);
                out.push('\n');
            }
        }
        path.pop();
    }
}

thread_local! {
    /// Comment blocks as written, by indentation and text: the same key has the same comment
    /// in every feature's chart, and wrapping it again was a fiftieth of a feature's compile.
    static COMMENTS: super::Remembered<(usize, String)> = std::cell::RefCell::default();
}

/// How many comment blocks [`COMMENTS`] holds before it starts over (bounded memory).
const COMMENTS_KEPT: usize = 2048;

/// `doc` as comment lines above a key at `indent`, wrapped to the file's width.
fn push_comment(out: &mut String, doc: &str, indent: usize) {
    let write = || {
        let pad = " ".repeat(indent);
        let mut block = String::new();
        for l in crate::wrap::prose(&comment_text(doc), WIDTH.saturating_sub(indent + 2).max(40)) {
            block.push_str(&pad);
            block.push_str("# ");
            block.push_str(&l);
            block.push('\n');
        }
        block
    };
    super::append_remembered(&COMMENTS, COMMENTS_KEPT, &(indent, doc.to_string()), write, out);
}

/// Strings longer than this are folded over several lines.
const FOLD: usize = 100;

thread_local! {
    /// Scalars as [`folded`] wrote them, by indentation, quoting and text: the chart contract
    /// describes the same values in the same sentences in every feature, and each sentence
    /// took the YAML crate's serialiser twice, then a wrap.
    static FOLDED: super::Remembered<(usize, bool, String)> = std::cell::RefCell::default();
}

/// How many scalars [`FOLDED`] holds before it starts over (bounded memory).
const FOLDED_KEPT: usize = 2048;

/// [`folded`] appended to `out`. A short scalar (nearly all) is written by the scalar memo
/// straight into the output, with no string of its own; a long one is remembered whole.
fn push_folded(out: &mut String, node: &Node, indent: usize, quoted: bool) {
    let Node::Str(s) = node else {
        out.push_str(&node.inline());
        return;
    };
    if !quoted && s.len() <= super::MEMO_LONGEST {
        let at = out.len();
        super::push_scalar(out, s);
        if out.len() - at <= FOLD || out[at..].chars().count() <= FOLD {
            return;
        }
        out.truncate(at);
    }
    let key = (indent, quoted, s.clone());
    super::append_remembered(&FOLDED, FOLDED_KEPT, &key, || folded(s, indent, quoted), out);
}

/// A string as written: as the YAML crate writes it (double-quoted when `quoted`), or, when
/// that is longer than [`FOLD`], double-quoted over several lines broken at single spaces (YAML
/// folds each line break back into one space), continuation lines indented by `indent`;
/// yamllint's line length stays happy and the value is unchanged.
fn folded(s: &str, indent: usize, quoted: bool) -> String {
    let written = if quoted {
        super::double_quoted(s)
    } else {
        super::scalar(s)
    };
    if written.chars().count() <= FOLD {
        return written;
    }
    // Words split at the spaces that fold back to exactly one space: single ones, not after
    // a backslash, not next to the quotes.
    let chars: Vec<char> = super::double_quoted(s).chars().collect();
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
    let lines = crate::wrap::units(&words, FOLD, FOLD);
    if lines.len() == 1 {
        return written;
    }
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

/// Comment text that stays one comment line: line breaks and the characters a comment cannot
/// hold (controls, the byte order mark) become spaces.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => c,
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') => ' ',
            c => c,
        })
        .collect()
}

/// The words of a shell command, split at the blanks outside quotes: a quoted argument
/// (`--set 'a=b c'`, `sh -c "wget -qO- http://api:8000"`) stays one word, because a line
/// break with ` \` inside quotes would change the argument or break it.
fn shell_words(command: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let (mut start, mut quote, mut escaped) = (None, None, false);
    for (i, c) in command.char_indices() {
        match (quote, c) {
            _ if escaped => escaped = false,
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ' ' | '\t') => {
                if let Some(s) = start.take() {
                    words.push(&command[s..i]);
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    if let Some(s) = start {
        words.push(&command[s..]);
    }
    words
}

/// A shell command as lines of at most `width` characters, continued with ` \` and indented
/// by four spaces, for a comment people copy from.
pub fn shell_lines(command: &str, width: usize) -> Vec<String> {
    let words = shell_words(command);
    let room = width.saturating_sub(2);
    let mut lines = crate::wrap::units(&words, room, room.saturating_sub(4));
    let last = lines.len() - 1;
    for (i, line) in lines.iter_mut().enumerate() {
        if i > 0 {
            line.insert_str(0, "    ");
        }
        if i < last {
            line.push_str(" \\");
        }
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
                quoted: &[],
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
            "# Header.\n\n# name is documented.\nname: a \"b\"\n\n# inner is documented.\ninner:\n  \
             # replicas is documented.\n  replicas: 2\n  # on is documented.\n  \"on\": true\n  \
             # list is documented.\n  list:\n    - x\n    - 3\n  # empty is documented.\n  empty: {}\n  \
             # none is documented.\n  none: []\n\n# 0.0.0.0/0 is documented.\n0.0.0.0/0: \"yes\"\n"
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
                quoted: &[],
            },
        )
        .text;
        assert!(text.lines().count() > 4, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 120), "{text}");
        let back: Node = crate::yaml::from_str(&text).unwrap();
        assert_eq!(back, tree, "{text}");
    }

    #[test]
    fn quoted_arguments_stay_whole() {
        assert_eq!(
            shell_words(r#"kubectl exec x -- sh -c "wget -qO- http://api:8000"  --set 'a=b  c' d\ e"#),
            [
                "kubectl",
                "exec",
                "x",
                "--",
                "sh",
                "-c",
                r#""wget -qO- http://api:8000""#,
                "--set",
                "'a=b  c'",
                r"d\ e"
            ]
        );
        assert_eq!(shell_words("  "), Vec::<&str>::new());
        assert_eq!(shell_words("it's \"unclosed"), ["it's \"unclosed"]);
        let lines = shell_lines(
            r#"kubectl exec deploy/api -- sh -c "wget -qO- http://api:8000/health""#,
            30,
        );
        assert_eq!(lines[lines.len() - 1], r#"    "wget -qO- http://api:8000/health""#);
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

    /// Strings a writer must quote or escape to read them back unchanged, in YAML 1.1 (Helm's
    /// reader) as in 1.2, and ordinary ones.
    const TRICKY: &[&str] = &[
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "Yes",
        "NO",
        "True",
        "false",
        "~",
        "null",
        "Null",
        "NULL",
        "",
        " ",
        "0",
        "123",
        "-7",
        "1.0",
        "1e3",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "12:30:00",
        "2001-12-14",
        ".inf",
        "-.inf",
        ".nan",
        "nan",
        "*x",
        "&a",
        "!tag",
        "#c",
        "%p",
        "@a",
        "`b",
        "|",
        ">",
        "'q'",
        "\"d\"",
        "a: b",
        "a:b",
        "a #b",
        "a#b",
        "- x",
        "-",
        "?",
        "? x",
        ":",
        "---",
        "...",
        "<<",
        "=",
        "[a]",
        "{a}",
        "a, b",
        "line1\nline2",
        "trailing\n",
        "\ttab",
        "cr\r",
        "é",
        "日本語",
        "emoji 🎉",
        "\u{85}",
        "\u{2028}",
        "\u{feff}",
        "\u{7f}",
        "\u{7}",
        "\0",
        "back\\slash",
        "  lead",
        "trail  ",
        "a  b",
        "plain",
        "IfNotPresent",
        "http://backend:8000",
        "0.0.0.0/0",
        "ghcr.io/org/app:1.2.3",
    ];

    /// A fixed pseudo-random sequence (xorshift64), so every run checks the same trees.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick(&mut self) -> &'static str {
            TRICKY[self.below(TRICKY.len())]
        }

        fn string(&mut self) -> String {
            match self.below(4) {
                0 | 1 => self.pick().to_string(),
                // Long strings of tricky words, with single and double spaces: folded ones.
                2 => {
                    let sep = if self.below(2) == 0 { " " } else { "  " };
                    (0..1 + self.below(40))
                        .map(|_| self.pick())
                        .collect::<Vec<_>>()
                        .join(sep)
                }
                _ => (0..2 + self.below(3)).map(|_| self.pick()).collect(),
            }
        }

        fn node(&mut self, depth: usize) -> Node {
            match self.below(if depth == 0 { 4 } else { 6 }) {
                0 => Node::Null,
                1 => Node::Bool(self.below(2) == 0),
                2 => Node::Int([0, 1, -1, 8080, i64::MIN, i64::MAX][self.below(6)]),
                3 => Node::Str(self.string()),
                4 => Node::Seq((0..self.below(4)).map(|_| self.node(depth - 1)).collect()),
                _ => self.map(depth - 1),
            }
        }

        fn map(&mut self, depth: usize) -> Node {
            let mut entries: Vec<(String, Node)> = Vec::new();
            for _ in 0..self.below(5) {
                let k = self.string();
                if !entries.iter().any(|(e, _)| *e == k) {
                    let v = self.node(depth);
                    entries.push((k, v));
                }
            }
            Node::Map(entries)
        }
    }

    /// Whatever the keys and scalars, the commented text reads back (with the YAML crate) as
    /// exactly the tree it was written from, and every comment stays a comment.
    #[test]
    fn every_tree_reads_back_as_itself() {
        let mut rng = Rng(0x5eed_1234_abcd_0042);
        for i in 0..600 {
            let tree = match rng.map(3) {
                Node::Map(e) if e.is_empty() => continue,
                t => t,
            };
            let doc = |p: &[String]| {
                Some(format!(
                    "{} is\nwritten {}",
                    p.join("."),
                    TRICKY[p.len() % TRICKY.len()]
                ))
            };
            let text = emit(
                &tree,
                &Emit {
                    header: &["A header\u{2028}with a line separator.".to_string()],
                    doc: &doc,
                    spaced: i % 2 == 0,
                    quoted: &[],
                },
            )
            .text;
            let back: Node = crate::yaml::from_str(&text).unwrap_or_else(|e| panic!("tree {i}: {e}\n{text}"));
            assert_eq!(back, tree, "tree {i}:\n{text}");
        }
    }

    #[test]
    fn scalars_that_need_quoting_are_quoted() {
        for s in [
            "yes", "no", "on", "~", "null", "123", "1.0", "*x", "&a", "!t", "#c", "a: b", "a #b", "", "- x", "a\nb",
        ] {
            let w = crate::yaml::scalar(s);
            assert!(w.starts_with('"') || w.starts_with('\''), "{s:?} written {w}");
        }
        for s in ["plain", "a:b", "a#b", "日本語", "http://backend:8000"] {
            assert_eq!(crate::yaml::scalar(s), s);
        }
        assert_eq!(crate::yaml::key("on"), "\"on\"");
        assert_eq!(crate::yaml::key("replicas"), "replicas");
    }
}
