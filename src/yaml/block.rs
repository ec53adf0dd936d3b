//! A reader for plain block YAML, the shape of every manifest and values file sp writes: block
//! maps and sequences, one scalar per line (plain, or quoted without escapes), `{}` and `[]`,
//! whole-line comments and `---` between documents. Anything else (flow collections, anchors,
//! tags, block scalars, escapes, a scalar over several lines, tabs, a comment after a value)
//! makes it give up, and [`super::parse_nodes`] reads the text with the full parser instead.
//!
//! Why: the gates read back every manifest and values file a feature generated, and the full
//! parser's events cost about 300 instructions a byte, a tenth of a feature's compile. This
//! reader builds the same [`Node`] tree, positions included (a test holds the two to equal
//! results on every YAML file of the repository), at a fraction of that.

use super::{Document, Node, NodeValue};

/// One line with content: its 1-based number, its indentation, and the rest of it.
#[derive(Clone, Copy)]
struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

/// The documents of `text`, or `None` when it is not plain block YAML as described above (the
/// full parser then reads it, errors included).
pub(super) fn parse(text: &str) -> Option<Vec<Document>> {
    if text.contains('\r') || text.starts_with('\u{feff}') {
        return None;
    }
    let eof_line = text.matches('\n').count() + 1;
    // Content lines of each document, with the line of its `---` (None: the implicit first).
    let mut docs: Vec<(Option<usize>, Vec<Line>)> = vec![(None, Vec::new())];
    for (i, raw) in text.split('\n').enumerate() {
        let no = i + 1;
        if raw == "---" {
            docs.push((Some(no), Vec::new()));
            continue;
        }
        let body = raw.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if raw.ends_with(' ')
            || raw.contains(['\t', '\\'])
            || raw.starts_with("---")
            || raw.starts_with("...")
            || raw.starts_with('%')
        {
            return None;
        }
        let last = docs.last_mut()?;
        last.1.push(Line {
            no,
            indent: raw.len() - body.len(),
            text: body,
        });
    }
    if docs[0].1.is_empty() {
        docs.remove(0);
    }
    let mut out = Vec::with_capacity(docs.len());
    let markers: Vec<Option<usize>> = docs.iter().map(|d| d.0).collect();
    for (k, (marker, lines)) in docs.into_iter().enumerate() {
        // An empty document's positions follow rules of their own: the full parser's.
        let first = *lines.first()?;
        let start_line = marker.unwrap_or(first.no);
        let end_line = markers.get(k + 1).copied().flatten().unwrap_or(eof_line);
        let mut p = Reader { lines, at: 0, depth: 0 };
        let root = p.block(first.indent)?;
        // A document that is one scalar ends where the full parser says, by rules of its own.
        if p.at != p.lines.len() || matches!(root.value, NodeValue::Scalar { .. }) {
            return None;
        }
        out.push(Document {
            root,
            start_line,
            end_line,
        });
    }
    // A text of comments alone: the full parser says what it holds.
    (!out.is_empty()).then_some(out)
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
    /// How deep the current node is: a text nested deeper than [`DEEPEST`] is the full
    /// parser's, which reports it, instead of overflowing this reader's stack.
    depth: usize,
}

const DEEPEST: usize = 100;

/// Characters that start something other than a plain scalar or a plain key.
const INDICATORS: &[char] = &[
    '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '\'', '"',
];

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

impl<'a> Reader<'a> {
    /// The node whose first line is the current one, at indentation `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        let line = *self.lines.get(self.at)?;
        if line.indent != indent || self.depth >= DEEPEST {
            return None;
        }
        if is_item(line.text) || key_end(line.text).is_some() {
            self.depth += 1;
            let node = if is_item(line.text) {
                self.seq(indent, line.indent + 1)
            } else {
                self.map(indent)
            };
            self.depth -= 1;
            return node;
        }
        // A scalar alone on its line, which no deeper line continues.
        let node = scalar(line.text, line.no, indent + 1)?;
        self.at += 1;
        match self.lines.get(self.at) {
            Some(next) if next.indent > indent => None,
            _ => Some(node),
        }
    }

    /// The items `- …` at `indent`; the node's column is `column` (the dash's, or for a
    /// sequence at its key's indentation, the first item's, as the full parser reports them).
    fn seq(&mut self, indent: usize, column: usize) -> Option<Node> {
        let first = self.lines.get(self.at)?.no;
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.at).copied() {
            if line.indent != indent || !is_item(line.text) {
                break;
            }
            let rest = line.text.strip_prefix("- ")?;
            if rest.starts_with(' ') || is_item(rest) {
                return None;
            }
            // The item's content read as a line of its own, two columns in.
            self.lines[self.at] = Line {
                no: line.no,
                indent: indent + 2,
                text: rest,
            };
            items.push(self.block(indent + 2)?);
        }
        match self.lines.get(self.at) {
            Some(next) if next.indent > indent => None,
            _ => Some(Node {
                line: first,
                column,
                value: NodeValue::Seq(items),
            }),
        }
    }

    /// The entries `key: …` at `indent`.
    fn map(&mut self, indent: usize) -> Option<Node> {
        let first = self.lines.get(self.at)?.no;
        let mut entries = Vec::new();
        while let Some(line) = self.lines.get(self.at).copied() {
            if line.indent != indent || is_item(line.text) {
                break;
            }
            let (colon, key) = key_end(line.text)?;
            let key = Node {
                line: line.no,
                column: indent + 1,
                value: key,
            };
            let after = &line.text[colon + 1..];
            let value = if after.is_empty() {
                self.at += 1;
                match self.lines.get(self.at).copied() {
                    Some(next) if next.indent > indent => self.block(next.indent)?,
                    Some(next) if next.indent == indent && is_item(next.text) => self.seq(indent, indent + 3)?,
                    // `key:` with nothing: null, where the full parser puts it (the colon).
                    _ => Node {
                        line: line.no,
                        column: indent + colon + 1,
                        value: NodeValue::Scalar {
                            text: "~".into(),
                            plain: true,
                        },
                    },
                }
            } else {
                let v = after.strip_prefix(' ')?;
                if v.starts_with(' ') {
                    return None;
                }
                let node = scalar(v, line.no, indent + 1 + (line.text.len() - v.len()))?;
                self.at += 1;
                if self.lines.get(self.at).is_some_and(|next| next.indent > indent) {
                    return None;
                }
                node
            };
            entries.push((key, value));
        }
        Some(Node {
            line: first,
            column: indent + 1,
            value: NodeValue::Map(entries),
        })
    }
}

/// Where the key of a `key: value` or `key:` line ends (the colon's byte offset) and the key;
/// `None` for a line that is not one, or whose key this reader does not read.
fn key_end(text: &str) -> Option<(usize, NodeValue)> {
    if let Some(inner) = text.strip_prefix('"') {
        let close = inner.find('"')?;
        let colon = close + 2;
        let rest = &text[colon..];
        return (rest == ":" || rest.starts_with(": ")).then(|| {
            (
                colon,
                NodeValue::Scalar {
                    text: inner[..close].to_string(),
                    plain: false,
                },
            )
        });
    }
    let colon = match colon_space(text) {
        Some(c) => c,
        None => text.strip_suffix(':')?.len(),
    };
    let key = &text[..colon];
    if !plain_ok(key) {
        return None;
    }
    Some((
        colon,
        NodeValue::Scalar {
            text: key.to_string(),
            plain: true,
        },
    ))
}

/// The byte offset of the first `: ` in `text` (a byte search: a line is short, and building
/// a substring searcher for it cost more than the search).
fn colon_space(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    memchr::memchr_iter(b':', b).find(|&i| b.get(i + 1) == Some(&b' '))
}

/// Whether `s` reads back as the plain scalar `s` on one line: not empty, no indicator in front
/// (`-`, `?` and `:` only before a space), no comment, no `: ` and no colon at the end.
fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(c) = chars.next() else { return false };
    let starts_ok = if matches!(c, '-' | '?' | ':') {
        chars.next().is_some_and(|n| n != ' ')
    } else {
        !INDICATORS.contains(&c)
    };
    let b = s.as_bytes();
    let comment = memchr::memchr_iter(b'#', b).any(|i| i > 0 && b[i - 1] == b' ');
    starts_ok && !comment && colon_space(s).is_none() && !s.ends_with(':') && !s.ends_with(' ')
}

/// The scalar (or `{}` / `[]`) written as `v` at `line`, `column`.
fn scalar(v: &str, line: usize, column: usize) -> Option<Node> {
    let value = match v {
        "{}" => NodeValue::Map(Vec::new()),
        "[]" => NodeValue::Seq(Vec::new()),
        _ => match v.chars().next()? {
            q @ ('"' | '\'') => {
                let inner = v.strip_prefix(q)?.strip_suffix(q)?;
                if inner.contains(q) {
                    return None;
                }
                NodeValue::Scalar {
                    text: inner.to_string(),
                    plain: false,
                }
            }
            _ if plain_ok(v) => NodeValue::Scalar {
                text: v.to_string(),
                plain: true,
            },
            _ => return None,
        },
    };
    Some(Node { line, column, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the full parser reads, without this reader.
    fn full(text: &str) -> Vec<Document> {
        let (docs, errors) = super::super::parse_events(text);
        assert!(errors.is_empty(), "{errors:?}");
        docs
    }

    /// Every YAML file of the repository that this reader accepts, it reads as the full parser
    /// does, positions and scalar styles included; and it accepts nearly all the manifests and
    /// values files sp generated, the files it exists for (not those with an escaped or
    /// folded string, such as a Redis start command).
    #[test]
    fn reads_every_yaml_file_of_the_repository_as_the_full_parser_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.to_path_buf()];
        let (mut read, mut generated, mut unread) = (0, 0, Vec::new());
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if p.is_dir() {
                    if !matches!(name.as_str(), "target" | ".git" | "node_modules") {
                        stack.push(p);
                    }
                    continue;
                }
                if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                let ours = (rel.contains("/k8s/") && rel.contains("out/"))
                    || (rel.contains("out/") && rel.contains("/helm/") && name.starts_with("values"));
                match parse(&text) {
                    Some(docs) => {
                        assert_eq!(docs, full(&text), "{rel}");
                        read += 1;
                        generated += usize::from(ours);
                    }
                    None if ours => unread.push(rel),
                    None => {}
                }
            }
        }
        assert!(read > 100, "{read} files read");
        assert!(
            generated > 200 && unread.len() * 20 < generated,
            "{generated} generated files read, {} not: {unread:#?}",
            unread.len()
        );
    }

    #[test]
    fn positions_styles_and_documents_match_the_full_parser() {
        for text in [
            "a: 1\n",
            "a: 1",
            "a: 1\n\n\n# end\n",
            "# head\n\na: 1\nb:\n  c: x\n",
            "---\na: 1\n---\nb: 2\n",
            "a:\n- x\n- y: 1\n  z: 2\nb: []\nc: {}\n",
            "a:\n  - x\n  - - y\n",
            "a:\n  - x\n  -  y\n",
            "- a\n- b\n",
            "a: \"q w\"\nb: 'r'\n\"c d\": e\n",
            "a:\nb: 1\n",
            "args:\n- --port\n- \"8000\"\n- -v\nurl: http://x:80/y#z\nk.io/name: v\n",
            "  a: 1\n  b:\n    c: 2\n",
            "a: 1\n---\nb: 2\n",
            "---\n# c\na: 1\n",
            "hello\n",
            "a: ---\nb: ~\nc: x,y]\n-x: 1\n",
            "a:\n  b:\n  - 1\n  c: 2\n",
        ] {
            if let Some(docs) = parse(text) {
                assert_eq!(docs, full(text), "{text:?}");
            }
        }
    }

    /// Small edits of generated files (a line removed, indented one more space, or given
    /// more text): whatever this reader accepts, the full parser reads without an error and
    /// to the same tree. It never accepts a text the full parser rejects.
    #[test]
    fn edited_files_read_as_the_full_parser_reads_them_or_not_at_all() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("out/006-k8s-deployment/helm/todo-chatbot/values.yaml")];
        for e in std::fs::read_dir(root.join("out/006-k8s-deployment/k8s"))
            .unwrap()
            .flatten()
        {
            files.push(e.path());
        }
        let mut accepted = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for i in 0..lines.len() {
                let edit = |line: Option<String>| {
                    let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                    match line {
                        Some(x) => l[i] = x,
                        None => drop(l.remove(i)),
                    }
                    l.join("\n") + "\n"
                };
                for variant in [
                    edit(None),
                    edit(Some(format!(" {}", lines[i]))),
                    edit(Some(format!("{} x", lines[i]))),
                    edit(Some(format!("{}:", lines[i]))),
                    edit(Some(format!("- {}", lines[i]))),
                ] {
                    if let Some(docs) = parse(&variant) {
                        let (full, errors) = super::super::parse_events(&variant);
                        assert!(
                            errors.is_empty(),
                            "accepted what the parser rejects: {errors:?}\n{variant}"
                        );
                        assert_eq!(docs, full, "{variant}");
                        accepted += 1;
                    }
                }
            }
        }
        assert!(accepted > 100, "{accepted}");
    }

    #[test]
    fn deep_nesting_is_left_to_the_full_parser() {
        let deep: String = (0..500)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(500)
            + "v: 1\n";
        assert!(parse(&deep).is_none());
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for text in [
            "a: [1, 2]\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: \"x\\ny\"\n",
            "a: long\n  continued\n",
            "a: 1 # note\n",
            "a:\tb\n",
            "a: 1\r\n",
            "---\n",
            "a: 1\n---\n",
            "...\n",
            "a: 1 \n",
            "? a\n: 1\n",
            "- - a\n",
            "-\n  a: 1\n",
            "a: 'it''s'\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }
}
