//! Small lexical helpers shared by the source-code readers (`schema`, `routes`).
//!
//! They are not parsers of Python, TypeScript or Go: they find statements, calls, arguments
//! and string literals well enough to read declarations (a model, a field, a route), keep
//! the line of each, and skip what they do not understand. Pure functions over text.

/// One logical Python statement: physical lines joined while brackets are open, comments
/// and docstrings dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stmt {
    pub text: String,
    /// 1-based line of the statement's first character.
    pub line: usize,
    pub indent: usize,
}

/// The logical statements of a Python file.
pub fn python_statements(text: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut current: Option<Stmt> = None;
    let mut depth: i32 = 0;
    let mut in_triple: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        if let Some(q) = in_triple {
            if raw.contains(q) {
                in_triple = None;
            }
            continue;
        }
        let trimmed = raw.trim_start();
        if current.is_none() {
            for q in ["\"\"\"", "'''"] {
                let body = trimmed.trim_start_matches(['r', 'b', 'f', 'u']);
                if let Some(rest) = body.strip_prefix(q) {
                    if !rest.contains(q) {
                        in_triple = Some(q);
                    }
                    break;
                }
            }
            if in_triple.is_some() || trimmed.starts_with("\"\"\"") || trimmed.starts_with("'''") {
                continue;
            }
        }
        let code = strip_comment(raw, '#');
        if code.trim().is_empty() && current.is_none() {
            continue;
        }
        depth += bracket_delta(&code);
        match current.as_mut() {
            Some(s) => {
                s.text.push(' ');
                s.text.push_str(code.trim());
            }
            None => {
                current = Some(Stmt {
                    text: code.trim().to_string(),
                    line: line_no,
                    indent: raw.len() - trimmed.len(),
                });
            }
        }
        let continued = code.trim_end().ends_with('\\');
        if depth <= 0 && !continued {
            depth = 0;
            if let Some(mut s) = current.take() {
                s.text = s.text.replace("\\ ", " ");
                out.push(s);
            }
        }
    }
    if let Some(s) = current {
        out.push(s);
    }
    out
}

/// The line without a trailing comment introduced by `marker` (outside string literals).
pub fn strip_comment(line: &str, marker: char) -> String {
    let mut quote: Option<char> = None;
    let mut prev = '\0';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if c == marker => return line[..i].to_string(),
            None => {}
        }
        prev = c;
    }
    line.to_string()
}

/// Open minus closed brackets outside string literals.
pub fn bracket_delta(code: &str) -> i32 {
    let mut d = 0;
    let mut quote: Option<char> = None;
    let mut prev = '\0';
    for c in code.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '(' | '[' | '{' => d += 1,
                ')' | ']' | '}' => d -= 1,
                _ => {}
            },
        }
        prev = c;
    }
    d
}

/// Split a comma-separated argument list at depth 0 (brackets and quotes respected).
pub fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut prev = '\0';
    let mut cur = String::new();
    for c in s.chars() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                }
                cur.push(c);
            }
            None => match c {
                '"' | '\'' | '`' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(c);
                }
                _ if c == sep && depth == 0 => {
                    if !cur.trim().is_empty() {
                        out.push(cur.trim().to_string());
                    }
                    cur.clear();
                }
                _ => cur.push(c),
            },
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// The text between the bracket at `open` (an index of `(`, `[` or `{`) and its match.
pub fn enclosed(s: &str, open: usize) -> Option<&str> {
    let bytes = s.as_bytes();
    let (o, c) = match bytes.get(open)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        b'<' => (b'<', b'>'),
        _ => return None,
    };
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    let mut prev = 0u8;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match quote {
            Some(q) if b == q && prev != b'\\' => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
            None if b == o => depth += 1,
            None if b == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[open + 1..i]);
                }
            }
            None => {}
        }
        prev = b;
    }
    None
}

/// The arguments of the first call of `name(` in `s`, when `name` is a whole word there.
pub fn call_args<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    for (at, _) in s.match_indices(name) {
        let before_ok = at == 0 || !s[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let rest = &s[at + name.len()..];
        if before_ok && rest.starts_with('(') {
            return enclosed(s, at + name.len());
        }
    }
    None
}

/// `key=value` (Python) or `key: value` (JS objects) among split arguments.
pub fn kwarg<'a>(args: &'a [String], key: &str) -> Option<&'a str> {
    args.iter().find_map(|a| {
        let (k, v) = a.split_once('=').or_else(|| a.split_once(':'))?;
        (k.trim() == key && !v.starts_with('=')).then(|| v.trim())
    })
}

/// The value of a string literal (`"x"`, `'x'`, `` `x` ``, `f"x"`, `r"x"`), if `s` is one.
pub fn string_lit(s: &str) -> Option<String> {
    let s = s.trim();
    let body = s.trim_start_matches(['f', 'r', 'b', 'u', 'F', 'R']);
    let q = body.chars().next()?;
    if !matches!(q, '"' | '\'' | '`') || body.len() < 2 || !body.ends_with(q) {
        return None;
    }
    Some(body[1..body.len() - 1].to_string())
}

/// Identifier-like first word of `s` (letters, digits, `_`, `.`).
pub fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(s.len());
    &s[..end]
}

/// 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_join_open_brackets_and_drop_docstrings() {
        let src = "class A(B):\n    \"\"\"Doc\n    more\"\"\"\n    x: int = Field(\n        default=1,  # one\n    )\n";
        let st = python_statements(src);
        assert_eq!(st.len(), 2);
        assert_eq!(st[1].text, "x: int = Field( default=1, )");
        assert_eq!((st[1].line, st[1].indent), (4, 4));
    }

    #[test]
    fn arguments_and_literals() {
        let args = split_top("\"/x\", response_model=List[A], tags=[\"a\", \"b\"]", ',');
        assert_eq!(args.len(), 3);
        assert_eq!(kwarg(&args, "response_model"), Some("List[A]"));
        assert_eq!(string_lit(&args[0]).as_deref(), Some("/x"));
        assert_eq!(
            call_args("x = Field(default=None, primary_key=True)", "Field"),
            Some("default=None, primary_key=True")
        );
        assert_eq!(call_args("MyField(1)", "Field"), None);
    }
}
