//! A Vite configuration's dev-server proxy (`server.proxy`, `preview.proxy`): the paths the
//! site's code calls on its own origin, and where the dev server forwards each.
//!
//! `vite build` leaves the proxy behind: in the image, nginx serves the built files, and a call
//! to `/api/todos` reaches the single-page fallback unless nginx forwards that path the way
//! the dev server did. This reader gives resolution what it needs to write those routes: the
//! path, the target as written, whether `rewrite` strips the path's prefix, and the
//! WebSocket and `changeOrigin` switches. Like the other readers it scans text (comments
//! blanked, strings and regular expressions skipped) and never fails: an entry it cannot read
//! keeps what it could read, so resolution can say what is missing.

use super::{Fact, blank_comment_at, boundary_before, ident_at, skip_ws, string_at};
use crate::source::{SourceId, Span};

/// One entry of a dev-server proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevProxy {
    /// The key: a path prefix (`/api`) or, starting with `^`, a regular expression.
    pub context: Fact<String>,
    /// The target URL when the configuration writes it as a literal (`'http://localhost:8000'`,
    /// or the fallback of `env.API ?? 'http://localhost:8000'`); its span is the literal's.
    pub target: Option<Fact<String>>,
    /// What the entry's `rewrite` does to the path.
    pub rewrite: Rewrite,
    /// `ws: true`: WebSocket upgrades are forwarded too.
    pub ws: bool,
    /// `changeOrigin: true`: the target sees its own host in `Host`, not the site's.
    pub change_origin: bool,
}

/// The `rewrite` of a proxy entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// No rewrite: the path reaches the target as the browser sent it.
    Keep,
    /// `path.replace(/^\/api/, '')`: the target gets the path without the entry's prefix.
    StripContext,
    /// A rewrite this reader does not follow, with where it is written.
    Other(Span),
}

/// Every entry of every `proxy: { … }` object in a Vite configuration, in file order.
pub fn proxies(text: &str, source: SourceId) -> Vec<DevProxy> {
    let code = blank_comments(text);
    let mut out = Vec::new();
    for (at, _) in code.match_indices("proxy") {
        if !boundary_before(&code, at) || ident_at(&code, at) != "proxy" {
            continue;
        }
        let colon = skip_ws(&code, at + "proxy".len());
        if code.as_bytes().get(colon) != Some(&b':') {
            continue;
        }
        let open = skip_ws(&code, colon + 1);
        if code.as_bytes().get(open) != Some(&b'{') {
            continue;
        }
        for (key, value) in entries(&code, open) {
            let Some((context, range)) = key else { continue };
            out.push(entry(&code, context, range, value, source));
        }
    }
    out
}

/// A proxy entry from its key and the range of its value.
fn entry(
    code: &str,
    context: String,
    key: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
    source: SourceId,
) -> DevProxy {
    let mut p = DevProxy {
        context: Fact::new(context, source, key),
        target: None,
        rewrite: Rewrite::Keep,
        ws: false,
        change_origin: false,
    };
    match code.as_bytes().get(value.start) {
        // `'/api': 'http://localhost:8000'`
        Some(b'"' | b'\'' | b'`') => p.target = url_literal(code, value, source),
        Some(b'{') => {
            for (key, v) in entries(code, value.start) {
                let Some((name, _)) = key else { continue };
                let raw = code[v.clone()].trim();
                match name.as_str() {
                    "target" => p.target = url_literal(code, v, source),
                    "ws" => p.ws = raw == "true",
                    "changeOrigin" => p.change_origin = raw == "true",
                    "rewrite" => {
                        p.rewrite = if strips(raw, &p.context.value) {
                            Rewrite::StripContext
                        } else {
                            Rewrite::Other(Span::new(source, v))
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    p
}

/// The first string literal in `range` that reads as a URL (`scheme://…`).
fn url_literal(code: &str, range: std::ops::Range<usize>, source: SourceId) -> Option<Fact<String>> {
    let mut i = range.start;
    while i < range.end {
        match code.as_bytes()[i] {
            b'"' | b'\'' | b'`' => {
                let (s, end) = string_at(code, i)?;
                if s.contains("://") && !s.contains("${") {
                    return Some(Fact::new(s, source, i + 1..end - 1));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    None
}

/// Whether a `rewrite` function strips the entry's prefix: `(path) => path.replace(/^\/api/, '')`,
/// `p => p.replace('/api', '')`, or the same with the prefix's trailing `/` and `'/'`.
fn strips(rewrite: &str, context: &str) -> bool {
    let Some(call) = rewrite.find(".replace(") else {
        return false;
    };
    let args = &rewrite[call + ".replace(".len()..];
    let (pattern, rest) = match args.as_bytes().first() {
        Some(b'/') => {
            let Some(end) = regex_end(args, 0) else { return false };
            let body = &args[1..end - 1];
            // Only a plain, anchored prefix: `^` then literal characters and `\/`.
            let Some(literal) = body.strip_prefix('^') else {
                return false;
            };
            let literal = literal.replace("\\/", "/");
            if literal.contains(['\\', '(', '[', '.', '*', '+', '?', '|', '$', '{']) {
                return false;
            }
            (literal, &args[end..])
        }
        Some(b'"' | b'\'' | b'`') => match string_at(args, 0) {
            Some((s, end)) => (s, &args[end..]),
            None => return false,
        },
        _ => return false,
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix(',') else {
        return false;
    };
    let rest = rest.trim_start();
    let Some((replacement, _)) = string_at(rest, 0) else {
        return false;
    };
    let prefix = context.trim_end_matches('/');
    let pattern = pattern.as_str();
    (pattern == prefix && replacement.is_empty()) || (pattern == format!("{prefix}/") && replacement == "/")
}

/// Comments replaced by spaces (newlines kept), so every byte keeps its offset; strings,
/// template literals and regular expressions are kept as they are.
fn blank_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => {
                i = string_at(text, i).map_or(i + 1, |(_, end)| end);
            }
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                i = blank_comment_at(text, &mut out, i).unwrap_or(i + 1);
            }
            b'/' if regex_may_start(b, i) => i = regex_end(text, i).unwrap_or(i + 1),
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced by ASCII spaces, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// A `/` starts a regular expression where an operand is expected: after an opening bracket,
/// an operator, a comma or the start of the text (not after a name or a closing bracket, where
/// it divides).
fn regex_may_start(b: &[u8], at: usize) -> bool {
    let before = b[..at].iter().rev().find(|c| !c.is_ascii_whitespace());
    matches!(
        before,
        None | Some(b'(' | b',' | b'=' | b':' | b'[' | b'!' | b'&' | b'|' | b'?' | b'{' | b'}' | b';')
    )
}

/// The offset after the regular expression literal opened at `at` (and its flags); `None` when
/// the line ends first.
fn regex_end(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = at + 1;
    let mut class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\n' => return None,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => {
                i += 1;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end of the value starting at `at`: the `,` or closing bracket at its own depth.
fn value_end(code: &str, at: usize) -> usize {
    let b = code.as_bytes();
    let mut depth = 0usize;
    let mut i = at;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => return i,
            b'"' | b'\'' | b'`' => {
                i = string_at(code, i).map_or(i + 1, |(_, end)| end);
                continue;
            }
            b'/' if regex_may_start(b, i) => {
                i = regex_end(code, i).unwrap_or(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Key → value entries of the object literal opened at `open`: the key (`None` when computed
/// or spread) with its span, and the range of the value's text.
type Entry = (Option<(String, std::ops::Range<usize>)>, std::ops::Range<usize>);

fn entries(code: &str, open: usize) -> Vec<Entry> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_ws(code, open + 1);
    while i < b.len() && b[i] != b'}' {
        let key = match b[i] {
            b'"' | b'\'' => match string_at(code, i) {
                Some((s, end)) => {
                    let key = Some((s, i + 1..end - 1));
                    i = end;
                    key
                }
                None => return out,
            },
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let name = ident_at(code, i);
                let name = if name.is_empty() { &code[i..i + 1] } else { name };
                let key = Some((name.to_string(), i..i + name.len()));
                i += name.len();
                key
            }
            _ => None,
        };
        let after = skip_ws(code, i);
        let start = if b.get(after) == Some(&b':') && key.is_some() {
            skip_ws(code, after + 1)
        } else {
            // A spread, a computed key, a method or a shorthand: skipped as a whole.
            after
        };
        let end = value_end(code, start);
        let mut value_stop = end;
        while value_stop > start && b[value_stop - 1].is_ascii_whitespace() {
            value_stop -= 1;
        }
        if key.is_some() && start != after {
            out.push((key, start..value_stop));
        }
        if end >= b.len() || b[end] != b',' {
            break;
        }
        i = skip_ws(code, end + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SourceId {
        crate::source::Sources::default().add("web/vite.config.ts".into(), String::new())
    }

    fn read(text: &str) -> Vec<DevProxy> {
        proxies(text, id())
    }

    #[test]
    fn string_and_object_entries_with_their_switches() {
        let text = r#"import { defineConfig } from 'vite'
export default defineConfig({
  server: {
    port: 5173,
    proxy: {
      // '/old': 'http://localhost:9999',
      '/api': { target: 'http://localhost:8000', changeOrigin: true, rewrite: (path) => path.replace(/^\/api/, '') },
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
      '/auth': 'http://localhost:8000',
      '^/fallback/.*': { target: process.env.API ?? 'http://localhost:8000', rewrite: (p) => p.toLowerCase() },
    },
  },
})
"#;
        let found = read(text);
        let keys: Vec<&str> = found.iter().map(|p| p.context.value.as_str()).collect();
        assert_eq!(keys, ["/api", "/ws", "/auth", "^/fallback/.*"]);
        assert_eq!(found[0].target.as_ref().unwrap().value, "http://localhost:8000");
        assert_eq!(found[0].rewrite, Rewrite::StripContext);
        assert!(found[0].change_origin && !found[0].ws);
        assert!(found[1].ws && found[1].rewrite == Rewrite::Keep);
        assert_eq!(found[2].target.as_ref().unwrap().value, "http://localhost:8000");
        assert_eq!(found[3].target.as_ref().unwrap().value, "http://localhost:8000");
        assert!(matches!(found[3].rewrite, Rewrite::Other(_)));
        // Spans point at the literals.
        let t = found[2].target.as_ref().unwrap();
        assert_eq!(&text[t.span.range.clone()], "http://localhost:8000");
        assert_eq!(&text[found[2].context.span.range.clone()], "/auth");
    }

    #[test]
    fn prefix_rewrites_it_follows_and_those_it_does_not() {
        assert!(strips("(path) => path.replace(/^\\/api/, '')", "/api"));
        assert!(strips("p => p.replace('/api', \"\")", "/api"));
        assert!(strips("(p) => p.replace(/^\\/api\\//, '/')", "/api/"));
        assert!(!strips("(p) => p.replace(/^\\/api/, '/v1')", "/api"));
        assert!(!strips("(p) => p.replace(/^\\/ap.*/, '')", "/api"));
        assert!(!strips("(p) => p.replace(/^\\/other/, '')", "/api"));
        assert!(!strips("(p) => p", "/api"));
    }

    #[test]
    fn no_proxy_no_entries_and_unreadable_targets_are_kept_empty() {
        assert!(read("export default defineConfig({ build: { outDir: 'dist' } })").is_empty());
        assert!(read("const proxy = makeProxy(); export default { server: { proxy } }").is_empty());
        let found = read("export default { server: { proxy: { '/api': apiTarget, [key]: 'http://x:1' } } }");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].context.value, "/api");
        assert_eq!(found[0].target, None);
    }

    #[test]
    fn division_is_not_a_regular_expression() {
        let text = "const half = total / 2; // '/x': 'http://localhost:1'\nexport default { preview: { proxy: { '/api': `http://localhost:${port}`, '/b': 'http://localhost:3001/' } } }";
        let found = read(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].target, None, "a template with a substitution is not a literal");
        assert_eq!(found[1].target.as_ref().unwrap().value, "http://localhost:3001/");
    }
}
