//! JavaScript and TypeScript: `process.env.X`, `import.meta.env.VITE_X`, the port passed to
//! `listen(...)`; and `package.json`'s `scripts.start` and `main`.

use super::{
    Command, EnvRead, Fact, FileFacts, Port, blank_comment_at, boundary_before, close_paren, ident_at, skip_ws,
    string_at,
};
use crate::source::{SourceId, Span};

pub fn read(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    env_reads(text, source, &mut f);
    listens(text, source, &mut f);
    f
}

/// Prefixes of the variables bundlers inline at build time (Next.js, Vite, Create React App,
/// Gatsby).
pub const BUILD_TIME_PREFIXES: &[&str] = &["NEXT_PUBLIC_", "VITE_", "REACT_APP_", "GATSBY_"];

/// True for variables a bundler inlines at build time.
pub fn build_time(name: &str) -> bool {
    BUILD_TIME_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What follows a read after `||` or `??`.
#[derive(Debug, PartialEq)]
enum Fallback {
    /// Nothing: the read is all there is.
    None,
    /// A literal: `|| 'x'`, `?? 3001`, `|| ''`.
    Literal(String),
    /// An expression (`|| config.url`, `|| undefined`): the read is optional, with no value
    /// sp could give.
    Expr,
    /// Another read (`|| process.env.CO_API_KEY`): an alias; the first name is the one to
    /// give, so its read keeps its own form.
    Read,
}

fn fallback_after(text: &str, at: usize) -> Fallback {
    let rest = text[at..].trim_start_matches([' ', '\t', ')']);
    let Some(rest) = rest.strip_prefix("||").or_else(|| rest.strip_prefix("??")) else {
        return Fallback::None;
    };
    let v = rest.trim_start();
    if let Some((s, _)) = string_at(v, 0) {
        return Fallback::Literal(s);
    }
    if v.starts_with("process.env") || v.starts_with("import.meta.env") {
        return Fallback::Read;
    }
    let n: String = v
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
        .collect();
    match n.chars().next() {
        Some(c) if c.is_ascii_digit() => Fallback::Literal(n),
        _ => Fallback::Expr,
    }
}

/// The read at `at` is the right side of `||` or `??` on its line
/// (`process.env.COHERE_API_KEY || process.env.CO_API_KEY`): an alias the code tries after
/// another value, so the pod starts without it.
fn after_or(text: &str, at: usize) -> bool {
    let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    let line = line.trim_end().trim_end_matches('(').trim_end();
    line.ends_with("||") || line.ends_with("??")
}

/// The read `text[at..end]` only tests whether the variable is set (`process.env.X ? a : b`,
/// `process.env.X && f()`, `if (process.env.X)`), or is used on a line after such a test of
/// the same read (`process.env.X ? `${process.env.X}/` : undefined`): the code runs without
/// it. `!process.env.X` is not such a test: `if (!process.env.X) throw …` requires it.
fn tested(text: &str, at: usize, end: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let is_test = |at: usize, end: usize| {
        let rest = text[end..].trim_start_matches([' ', '\t', ')']);
        let condition = rest.starts_with('?') && !rest.starts_with("??") && !rest.starts_with("?.");
        let before = text[line_start..at].trim_end();
        let in_if = (before.ends_with("if (") || before.ends_with("if(")) && text[end..].trim_start().starts_with(')');
        condition || rest.starts_with("&&") || in_if
    };
    let read = &text[at..end];
    is_test(at, end)
        || text[line_start..at]
            .match_indices(read)
            .any(|(i, _)| is_test(line_start + i, line_start + i + read.len()))
        || inside_if_block(text, read, at)
}

/// Whether `at` lies in the block of an earlier `if (<read>) {`: the use of a variable the
/// code has just checked is set.
fn inside_if_block(text: &str, read: &str, at: usize) -> bool {
    text[..at].match_indices(read).any(|(i, _)| {
        let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
        let before = text[line_start..i].trim_end();
        let Some(body) = text[i + read.len()..].trim_start().strip_prefix(')') else {
            return false;
        };
        let body = body.trim_start();
        (before.ends_with("if (") || before.ends_with("if("))
            && body.starts_with('{')
            && block_end(text, text.len() - body.len()) > at
    })
}

/// The byte offset of the `}` that closes the `{` at `open`, or the end of the text. A brace
/// inside a string, a template literal or a comment does not count (`log("}")` does not end
/// the block); a template literal's `${…}` is code again, with its own braces.
fn block_end(text: &str, open: usize) -> usize {
    let b = text.as_bytes();
    // One entry per open brace: true for the `${` of a template literal, whose `}` goes back
    // into the literal.
    let mut braces: Vec<bool> = Vec::new();
    let mut in_template = false;
    let mut i = open;
    while i < b.len() {
        if in_template {
            match b[i] {
                b'\\' => i += 1,
                b'`' => in_template = false,
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    braces.push(true);
                    in_template = false;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match b[i] {
            b'{' => braces.push(false),
            b'}' => match braces.pop() {
                Some(true) => in_template = true,
                Some(false) if !braces.is_empty() => {}
                _ => return i,
            },
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != quote && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => in_template = true,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 1);
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

fn env_reads(text: &str, source: SourceId, f: &mut FileFacts) {
    for (needle, how) in [("process.env", "process.env"), ("import.meta.env", "import.meta.env")] {
        for (at, _) in text.match_indices(needle) {
            let after = at + needle.len();
            let (name, end) = match text.as_bytes().get(after) {
                Some(b'.') => {
                    let n = ident_at(text, after + 1);
                    (n.to_string(), after + 1 + n.len())
                }
                Some(b'[') => match string_at(text, after + 1) {
                    Some((n, e)) if text[e..].starts_with(']') => (n, e + 1),
                    _ => continue,
                },
                _ => continue,
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            // `import.meta.env.MODE`, `DEV`, `PROD`, `BASE_URL`, `SSR` are Vite's own.
            if how == "import.meta.env" && ["MODE", "DEV", "PROD", "BASE_URL", "SSR"].contains(&name.as_str()) {
                continue;
            }
            let fallback = fallback_after(text, end);
            let required =
                matches!(fallback, Fallback::None | Fallback::Read) && !after_or(text, at) && !tested(text, at, end);
            let default = match fallback {
                Fallback::Literal(v) => Some(v),
                _ => None,
            };
            if name == "PORT"
                && let Some(p) = default.as_deref().and_then(super::port_literal)
            {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: "process.env.PORT default".into(),
                    },
                    source,
                    at..end,
                ));
            }
            f.env.push(Fact::new(
                EnvRead {
                    required,
                    default,
                    build_time: how == "import.meta.env" || build_time(&name),
                    how: how.into(),
                    name,
                    json_list: false,
                },
                source,
                at..end,
            ));
        }
    }
}

/// `app.listen(3001, …)`, `server.listen(PORT)` where `const PORT = … || 3001`.
fn listens(text: &str, source: SourceId, f: &mut FileFacts) {
    for (at, _) in text.match_indices(".listen(") {
        let open = at + 7;
        let Some(close) = close_paren(text, open) else { continue };
        let a = skip_ws(text, open + 1);
        let arg = &text[a..close];
        let first = arg.split([',', ')']).next().unwrap_or("").trim();
        let port = super::port_literal(first).or_else(|| {
            // A constant defined in the file: `const PORT = Number(process.env.PORT) || 3001`.
            let name = ident_at(first, 0);
            if name.is_empty() || name != first {
                return None;
            }
            const_port(text, name)
        });
        if let Some(p) = port {
            f.ports.push(Fact::new(
                Port {
                    port: p,
                    how: "listen(…)".into(),
                },
                source,
                at + 1..close + 1,
            ));
            f.main.get_or_insert(Span::new(source, at + 1..close + 1));
        } else {
            f.main.get_or_insert(Span::new(source, at + 1..close + 1));
        }
    }
}

/// The port a `const|let|var NAME = …` line ends on: its last number literal.
fn const_port(text: &str, name: &str) -> Option<u16> {
    for decl in ["const ", "let ", "var "] {
        let needle = format!("{decl}{name}");
        for (at, _) in text.match_indices(&needle) {
            if !boundary_before(text, at) {
                continue;
            }
            let line = text[at..].lines().next().unwrap_or("");
            let rhs = line.split_once('=')?.1;
            let lit: String = rhs
                .rsplit(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_string();
            if let Some(p) = super::port_literal(&lit) {
                return Some(p);
            }
        }
    }
    None
}

/// `package.json`: `scripts.start` as a command, `-p`/`--port` in it as a port.
pub fn package_json(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return f;
    };
    let line_range = |needle: &str| {
        text.find(needle)
            .map(|i| i..i + text[i..].find('\n').unwrap_or(text.len() - i))
            .unwrap_or(0..0)
    };
    if let Some(start) = v.get("scripts").and_then(|s| s.get("start")).and_then(|s| s.as_str())
        && let Some(argv) = super::shell_words(start)
        && !argv.is_empty()
    {
        let range = line_range("\"start\"");
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            if a == "-p" || a == "--port" {
                if let Some(p) = it.next().and_then(|p| super::port_literal(p)) {
                    f.ports.push(Fact::new(
                        Port {
                            port: p,
                            how: format!("package.json scripts.start `{start}`"),
                        },
                        source,
                        range.clone(),
                    ));
                }
            } else if let Some(p) = a.strip_prefix("--port=").and_then(super::port_literal) {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: format!("package.json scripts.start `{start}`"),
                    },
                    source,
                    range.clone(),
                ));
            }
        }
        f.commands.push(Fact::new(
            Command {
                argv,
                how: "package.json scripts.start".into(),
            },
            source,
            range,
        ));
    }
    if let Some(main) = v.get("main").and_then(|s| s.as_str()) {
        f.commands.push(Fact::new(
            Command {
                argv: vec!["node".into(), main.to_string()],
                how: "package.json main".into(),
            },
            source,
            line_range("\"main\""),
        ));
    }
    f
}

/// JSON as TypeScript writes it (`tsconfig.json`): `//` and `/* */` comments and trailing
/// commas allowed. Comments and those commas become spaces, so every byte keeps its offset
/// (and its line and column) in the returned text, which is what is parsed.
pub fn jsonc_clean(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let mut in_str = false;
    // The last significant byte outside strings and comments, and where it is.
    let mut last: Option<(u8, usize)> = None;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
                last = Some((c, i));
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                i += 1;
            }
            b'/' if matches!(b.get(i + 1), Some(b'/' | b'*')) => {
                i = blank_comment_at(text, &mut out, i).unwrap_or(i + 1);
            }
            b'}' | b']' => {
                if let Some((b',', at)) = last {
                    out[at] = b' ';
                }
                last = Some((c, i));
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                last = Some((c, i));
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII spaces, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`jsonc_clean`] parsed: the value, or the line, column and reason it does not parse.
pub fn jsonc(text: &str) -> Result<(serde_json::Value, String), (usize, usize, String)> {
    let clean = jsonc_clean(text);
    match serde_json::from_str::<serde_json::Value>(&clean) {
        Ok(v) => Ok((v, clean)),
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.split(" at line ").next().unwrap_or(&reason).to_string();
            Err((e.line(), e.column(), reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SourceId {
        crate::source::Sources::default().add("x.js".into(), String::new())
    }

    #[test]
    fn bundler_prefixes_are_build_time() {
        for name in [
            "NEXT_PUBLIC_API_URL",
            "VITE_API_URL",
            "REACT_APP_API_URL",
            "GATSBY_API_URL",
        ] {
            assert!(build_time(name), "{name}");
        }
        for name in ["API_URL", "PUBLIC_API_URL", "NEXT_API_URL"] {
            assert!(!build_time(name), "{name}");
        }
    }

    #[test]
    fn env_reads_with_defaults_and_build_time() {
        let src = "const url = process.env.DATABASE_URL;\nconst api = process.env.NEXT_PUBLIC_API_URL || 'http://localhost:8000';\nconst k = import.meta.env.VITE_KEY;\nconst m = import.meta.env.MODE;\nconst s = process.env['JWT_SECRET'] ?? \"dev\";\n";
        let f = read(src, id());
        let env: Vec<(&str, Option<&str>, bool, bool)> = f
            .env
            .iter()
            .map(|e| {
                (
                    e.value.name.as_str(),
                    e.value.default.as_deref(),
                    e.value.required,
                    e.value.build_time,
                )
            })
            .collect();
        assert_eq!(
            env,
            vec![
                ("DATABASE_URL", None, true, false),
                ("NEXT_PUBLIC_API_URL", Some("http://localhost:8000"), false, true),
                ("JWT_SECRET", Some("dev"), false, false),
                ("VITE_KEY", None, true, true),
            ]
        );
    }

    /// Only a literal after `||`/`??` is a default; a name makes the read optional; in
    /// `process.env.A || process.env.B`, A is the one to give and B an alias tried second.
    #[test]
    fn an_expression_after_or_is_no_default_and_a_read_after_it_an_alias() {
        let src = "const key = process.env.COHERE_API_KEY || process.env.CO_API_KEY;\nconst u = process.env.API_URL ?? config.apiUrl;\nconst n = process.env.PAGE_SIZE || 50;\nconst d = process.env.DEBUG || undefined;\n";
        let f = read(src, id());
        let env: Vec<(&str, Option<&str>, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.default.as_deref(), e.value.required))
            .collect();
        assert_eq!(
            env,
            vec![
                ("COHERE_API_KEY", None, true),
                ("CO_API_KEY", None, false),
                ("API_URL", None, false),
                ("PAGE_SIZE", Some("50"), false),
                ("DEBUG", None, false),
            ]
        );
    }

    /// Each variable `src` reads, in order, and whether the code requires it, are `expected`.
    fn assert_required(src: &str, expected: &[(&str, bool)]) {
        let f = read(src, id());
        let got: Vec<(&str, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.required))
            .collect();
        assert_eq!(got, expected, "{src}");
    }

    /// A read the code tests before it uses the value is optional; one it refuses to run
    /// without (`if (!process.env.X) throw`) stays required.
    #[test]
    fn a_read_the_code_tests_first_is_optional() {
        let src = "const p = process.env.BASE_PATH ? `${process.env.BASE_PATH}/` : undefined;\nconst a = process.env.ANALYTICS_ID && load(process.env.ANALYTICS_ID);\nif (process.env.SENTRY_DSN) {\n  init(process.env.SENTRY_DSN);\n}\nif (!process.env.DATABASE_URL) throw new Error('missing');\nconst o = process.env.OPT?.trim();\nconst n = process.env.NAME ?? 'x';\nreport(process.env.SENTRY_DSN);\n";
        assert_required(
            src,
            &[
                ("BASE_PATH", false),
                ("BASE_PATH", false),
                ("ANALYTICS_ID", false),
                ("ANALYTICS_ID", false),
                ("SENTRY_DSN", false),
                ("SENTRY_DSN", false),
                ("DATABASE_URL", true),
                ("OPT", true),
                ("NAME", false),
                // After the block, the check no longer holds.
                ("SENTRY_DSN", true),
            ],
        );
    }

    /// The block of `if (process.env.X) {` ends at its own `}`: not at one in a string, a
    /// template literal or a comment, and not before a template literal's `${…}` closes.
    #[test]
    fn an_if_block_ends_at_its_own_brace() {
        let src = "if (process.env.SENTRY_DSN) {\n  log(\"}\", '}', `} ${ {a: 1}.a } }`); // }\n  /* } */\n  init(process.env.SENTRY_DSN);\n}\nreport(process.env.SENTRY_DSN);\n";
        assert_required(
            src,
            &[("SENTRY_DSN", false), ("SENTRY_DSN", false), ("SENTRY_DSN", true)],
        );
        let open = src.find('{').unwrap();
        assert_eq!(&src[block_end(src, open)..], "}\nreport(process.env.SENTRY_DSN);\n");
        // Unclosed: the block runs to the end of the text.
        assert_eq!(block_end("{ `${", 0), 5);
        assert_eq!(block_end("{ \"}", 0), 4);
    }

    #[test]
    fn listen_ports_literal_and_from_a_constant() {
        let f = read(
            "const PORT = Number(process.env.PORT) || 4000;\napp.listen(PORT, () => {});\n",
            id(),
        );
        assert_eq!(f.ports.last().map(|p| p.value.port), Some(4000));
        let f = read("server.listen(3001)", id());
        assert_eq!(f.ports[0].value.port, 3001);
        assert!(f.main.is_some());
    }

    #[test]
    fn package_json_start_and_port() {
        let f = package_json(
            "{\n  \"main\": \"src/index.js\",\n  \"scripts\": {\n    \"start\": \"next start -p 3005\"\n  }\n}\n",
            id(),
        );
        assert_eq!(f.ports[0].value.port, 3005);
        assert_eq!(f.commands[0].value.argv, vec!["next", "start", "-p", "3005"]);
        assert_eq!(f.commands[1].value.argv, vec!["node", "src/index.js"]);
    }

    #[test]
    fn jsonc_allows_comments_and_trailing_commas_and_keeps_offsets() {
        let text = "{\n  // where tsc writes\n  \"compilerOptions\": {\n    \"outDir\": \"dist\", /* built */\n    \"rootDir\": \"src\",\n  },\n  \"include\": [\"src/**/*\",],\n}\n";
        let (v, clean) = jsonc(text).expect("parses");
        assert_eq!(v["compilerOptions"]["outDir"], "dist");
        assert_eq!(v["include"][0], "src/**/*");
        assert_eq!(clean.len(), text.len());
        assert_eq!(clean.find("\"rootDir\""), text.find("\"rootDir\""));
        // A `//` inside a string is text, not a comment.
        let (v, _) = jsonc("{\"a\": \"http://x\", \"b\": \"q\\\"//\"}").expect("parses");
        assert_eq!(v["a"], "http://x");
        let (line, col, why) = jsonc("{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((line, col), (3, 3), "{why}");
    }
}
