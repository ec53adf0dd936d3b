//! Rust: `fn main` of a binary, `std::env::var` / `env::var_os` with the fallback the same
//! statement gives (`.unwrap_or(8090)`, `.unwrap_or_else(|_| "x".into())`), and the address
//! given to `TcpListener::bind`, `SocketAddr::from`, or actix-web's `.bind(("0.0.0.0", 8080))`.

use super::{EnvRead, Fact, FileFacts, Port, close_paren, skip_ws, string_at};
use crate::source::{SourceId, Span};

pub fn read(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    if let Some(i) = text.find("fn main()")
        && text[..i].lines().last().is_none_or(|l| !l.contains("//"))
    {
        f.main = Some(Span::new(source, i..i + 9));
    }
    for needle in ["env::var(", "env::var_os("] {
        for (at, _) in text.match_indices(needle) {
            let open = at + needle.len() - 1;
            let Some(close) = close_paren(text, open) else { continue };
            let Some((name, _)) = string_at(text, skip_ws(text, open + 1)) else {
                continue;
            };
            // The rest of the statement says what happens when the variable is unset.
            let end = text[close..].find(';').map_or(text.len(), |e| close + e);
            let rest = &text[close + 1..end];
            let default = fallback(rest);
            let optional = default.is_some() || rest.contains(".ok()") || rest.contains("unwrap_or");
            f.env.push(Fact::new(
                EnvRead {
                    name,
                    default: default.clone(),
                    required: !optional,
                    build_time: false,
                    how: needle.trim_end_matches('(').to_string(),
                    json_list: false,
                },
                source,
                at..close + 1,
            ));
        }
    }
    for needle in ["TcpListener::bind(", "SocketAddr::from(", ".bind("] {
        for (at, _) in text.match_indices(needle) {
            let open = at + needle.len() - 1;
            let Some(close) = close_paren(text, open) else { continue };
            let args = &text[open + 1..close];
            let port = match string_at(text, skip_ws(text, open + 1)) {
                Some((lit, _)) if lit.contains(':') => super::port_literal(lit.rsplit(':').next().unwrap_or("")),
                _ => last_integer(args),
            };
            if let Some(p) = port
                && !f
                    .ports
                    .iter()
                    .any(|q| q.span.range.start <= at && at < q.span.range.end)
            {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: needle.trim_start_matches('.').trim_end_matches('(').to_string(),
                    },
                    source,
                    at..close + 1,
                ));
            }
        }
    }
    // `unwrap_or(8090)` as the fallback of a PORT read.
    if f.ports.is_empty()
        && let Some(e) = f.env.iter().find(|e| e.value.name == "PORT")
        && let Some(p) = e.value.default.as_deref().and_then(super::port_literal)
    {
        f.ports.push(Fact {
            value: Port {
                port: p,
                how: "PORT fallback".into(),
            },
            span: e.span.clone(),
        });
    }
    f
}

/// The literal of `.unwrap_or(…)` / `.unwrap_or_else(|_| …)` in the rest of a statement:
/// a string or an integer.
fn fallback(rest: &str) -> Option<String> {
    let i = rest.find(".unwrap_or")?;
    let open = i + rest[i..].find('(')?;
    let close = close_paren(rest, open)?;
    let arg = rest[open + 1..close].trim();
    let arg = arg.strip_prefix("|_|").map_or(arg, str::trim);
    if let Some((lit, _)) = string_at(arg, 0) {
        return Some(lit);
    }
    let digits: String = arg.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// The last integer literal of an argument list: the port of `([0, 0, 0, 0], 3000)`.
fn last_integer(args: &str) -> Option<u16> {
    let n = args.split(|c: char| !c.is_ascii_digit()).rfind(|w| !w.is_empty())?;
    // `([0, 0, 0, 0], port)`: the last number is part of the address, not a port.
    let after = &args[args.rfind(n)? + n.len()..];
    if after.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    super::port_literal(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> FileFacts {
        read(
            src,
            crate::source::Sources::default().add("main.rs".into(), String::new()),
        )
    }

    #[test]
    fn axum_main_port_fallback_and_env() {
        let f = facts(
            "#[tokio::main]\nasync fn main() {\n    let port: u16 = std::env::var(\"PORT\")\n        .ok()\n        .and_then(|p| p.parse().ok())\n        .unwrap_or(8090);\n    let g = std::env::var(\"GREETING\").unwrap_or_else(|_| \"hi\".to_string());\n    let dsn = std::env::var(\"DATABASE_URL\").expect(\"DATABASE_URL\");\n    let addr = SocketAddr::from(([0, 0, 0, 0], port));\n}\n",
        );
        assert!(f.main.is_some());
        let env: Vec<(&str, Option<&str>, bool)> = f
            .env
            .iter()
            .map(|e| (e.value.name.as_str(), e.value.default.as_deref(), e.value.required))
            .collect();
        assert_eq!(
            env,
            [
                ("PORT", Some("8090"), false),
                ("GREETING", Some("hi"), false),
                ("DATABASE_URL", None, true)
            ]
        );
        assert_eq!(f.ports.len(), 1);
        assert_eq!(
            (f.ports[0].value.port, f.ports[0].value.how.as_str()),
            (8090, "PORT fallback")
        );
    }

    #[test]
    fn literal_addresses() {
        let f = facts("let l = tokio::net::TcpListener::bind(\"0.0.0.0:3000\").await?;\n");
        assert_eq!(f.ports[0].value.port, 3000);
        assert!(f.main.is_none());
        let f = facts("HttpServer::new(app).bind((\"0.0.0.0\", 8081))?.run().await\n");
        assert_eq!(f.ports[0].value.port, 8081);
        let f = facts("let addr = SocketAddr::from(([127, 0, 0, 1], 9000));\n");
        assert_eq!(f.ports[0].value.port, 9000);
    }
}
