//! Source files of a component → facts with spans: what starts it, the port it listens on,
//! and the environment variables it reads.
//!
//! One reader per language (`python`, `node`, `go`, `rust`) and one for the files a team writes to
//! run its code (`container`: Dockerfile, compose file, Procfile). They read text with small,
//! explicit scanners (no interpreter, no regular expressions), keep the byte span of every
//! fact so its origin is a file and a line, and never fail: text they do not understand
//! yields no fact. Deciding which fact wins is resolution's job (`resolve::deploy::code`).

pub mod container;
pub mod go;
pub mod node;
pub mod python;
pub mod rust;
pub mod vite;

use crate::source::{SourceId, Span};

/// A fact and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Fact<T> {
    pub fn new(value: T, source: SourceId, range: std::ops::Range<usize>) -> Self {
        Fact {
            value,
            span: Span::new(source, range),
        }
    }
}

/// An application object a server imports: `app = FastAPI(...)` in `backend/main.py`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppObject {
    /// The variable holding the application (`app`, `application`).
    pub name: String,
    /// `FastAPI`, `Flask`, `Starlette`, `Django`…
    pub framework: String,
    /// ASGI (true) or WSGI (false).
    pub asgi: bool,
    /// An import path the code itself names (`uvicorn.run("app.main:app")`), if any.
    pub import_path: Option<String>,
}

/// A port the code listens on, and how it says so (`uvicorn.run(port=…)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub port: u16,
    pub how: String,
}

/// An environment variable read by the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The literal the code falls back to; `None` when it has none.
    pub default: Option<String>,
    /// No default: the read fails or yields nothing when the variable is unset.
    pub required: bool,
    /// Inlined by the bundler at build time (`NEXT_PUBLIC_*`, `import.meta.env.VITE_*`).
    pub build_time: bool,
    /// How it is read (`pydantic Settings field`, `os.getenv`, `process.env`…).
    pub how: String,
    /// The reader decodes the value as a JSON list: a pydantic Settings field of a list, set
    /// or tuple type (`cors_origins: List[str]`), which stops the process at start on
    /// `a,b`.
    pub json_list: bool,
}

/// A command line a team wrote to start the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub argv: Vec<String>,
    /// `Dockerfile CMD`, `compose command`, `Procfile web`, `package.json scripts.start`.
    pub how: String,
}

/// Everything one file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    pub apps: Vec<Fact<AppObject>>,
    pub ports: Vec<Fact<Port>>,
    pub env: Vec<Fact<EnvRead>>,
    pub commands: Vec<Fact<Command>>,
    /// A Go `package main` with a `func main()`, or a Python `if __name__ == "__main__"`.
    pub main: Option<Span>,
}

/// Reads one source file by its name; unknown kinds give no facts.
pub fn read(path: &str, text: &str, source: SourceId) -> FileFacts {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".py") {
        python::read(text, source)
    } else if [".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".mts"]
        .iter()
        .any(|x| name.ends_with(x))
    {
        node::read(text, source)
    } else if name.ends_with(".go") {
        go::read(text, source)
    } else if name.ends_with(".rs") {
        rust::read(text, source)
    } else if crate::catalog::is_dockerfile_name(name) {
        container::dockerfile(text, source)
    } else if name == "Procfile" {
        container::procfile(text, source)
    } else if name == "package.json" {
        node::package_json(text, source)
    } else if name.starts_with(".env") {
        container::dotenv(text, source)
    } else {
        FileFacts::default()
    }
}

// ---- small scanners shared by the readers ----

/// The string literal starting at `text[at]` (a quote character): its contents and the
/// offset just after its closing quote. Escapes are kept as written.
pub(crate) fn string_at(text: &str, at: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let q = *bytes.get(at)?;
    if !matches!(q, b'"' | b'\'' | b'`') {
        return None;
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if q != b'`' => return None,
            c if c == q => return Some((text[at + 1..i].to_string(), i + 1)),
            _ => i += 1,
        }
    }
    None
}

/// A `//` or `/* */` comment starting at `text[at]`, replaced in `out` (a copy of `text`'s
/// bytes) by spaces, newlines kept, so offsets do not move; the offset after it, or `None`
/// when no comment starts there.
pub(crate) fn blank_comment_at(text: &str, out: &mut [u8], at: usize) -> Option<usize> {
    let b = text.as_bytes();
    match (b.get(at), b.get(at + 1)) {
        (Some(b'/'), Some(b'/')) => {
            let end = text[at..].find('\n').map_or(b.len(), |e| at + e);
            out[at..end].fill(b' ');
            Some(end)
        }
        (Some(b'/'), Some(b'*')) => {
            let end = text[at + 2..].find("*/").map_or(b.len(), |e| at + 2 + e + 2);
            for o in &mut out[at..end] {
                if *o != b'\n' {
                    *o = b' ';
                }
            }
            Some(end)
        }
        _ => None,
    }
}

/// Skips spaces, tabs and newlines from `at`.
pub(crate) fn skip_ws(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let mut i = at;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The identifier (letters, digits, `_`) starting at `at`.
pub(crate) fn ident_at(text: &str, at: usize) -> &str {
    let end = text[at..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|i| at + i)
        .unwrap_or(text.len());
    &text[at..end]
}

/// True when the byte before `at` cannot continue an identifier (a word boundary).
pub(crate) fn boundary_before(text: &str, at: usize) -> bool {
    at == 0
        || !text.as_bytes()[at - 1].is_ascii_alphanumeric()
            && text.as_bytes()[at - 1] != b'_'
            && text.as_bytes()[at - 1] != b'.'
}

/// The offset of the parenthesis closing the one opened at `open` (which must be `(`),
/// skipping string literals; `None` when unbalanced.
pub(crate) fn close_paren(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' | b'\'' | b'`' => {
                if let Some((_, end)) = string_at(text, i) {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A port number out of a literal: `8000`, `"8000"`, `":8080"`, `0.0.0.0:8080`.
pub(crate) fn port_literal(s: &str) -> Option<u16> {
    let s = s.trim().trim_matches(['"', '\'', '`']);
    let s = s.rsplit(':').next().unwrap_or(s);
    let p: u16 = s.parse().ok()?;
    (p >= 1).then_some(p)
}

/// The leading integer of `text` (after optional spaces), as a port.
pub(crate) fn leading_port(text: &str) -> Option<u16> {
    let t = text.trim_start();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let p: u16 = digits.parse().ok()?;
    (p >= 1).then_some(p)
}

/// Words of a shell command line (see [`crate::source::shell_words`]).
pub(crate) use crate::source::shell_words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_parens_and_ports() {
        assert_eq!(string_at(r#""a\"b" x"#, 0), Some((r#"a\"b"#.into(), 6)));
        assert_eq!(string_at("'x", 0), None);
        let t = "f(a, (b), \")\")+1";
        assert_eq!(close_paren(t, 1), Some(13));
        assert_eq!(port_literal("\":8080\""), Some(8080));
        assert_eq!(port_literal("0.0.0.0:3001"), Some(3001));
        assert_eq!(port_literal("x"), None);
        assert_eq!(leading_port(" 5000, debug"), Some(5000));
    }
}
