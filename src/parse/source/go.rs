//! Go: `package main` with `func main()`, `os.Getenv` / `os.LookupEnv`, and the address
//! given to `http.ListenAndServe` or an `http.Server{Addr: …}`.

use super::{EnvRead, Fact, FileFacts, Port, close_paren, skip_ws, string_at};
use crate::source::{SourceId, Span};

pub fn read(text: &str, source: SourceId) -> FileFacts {
    let mut f = FileFacts::default();
    let is_main = text.lines().any(|l| l.trim() == "package main");
    if is_main && let Some(i) = text.find("func main()") {
        f.main = Some(Span::new(source, i..i + 11));
    }
    for needle in ["os.Getenv(", "os.LookupEnv("] {
        for (at, _) in text.match_indices(needle) {
            let open = at + needle.len() - 1;
            let Some(close) = close_paren(text, open) else { continue };
            let Some((name, _)) = string_at(text, skip_ws(text, open + 1)) else {
                continue;
            };
            // A fallback right after the read: `if v == "" { v = "8080" }` is common, but its
            // value is not tied to the read here; the read is required unless LookupEnv.
            f.env.push(Fact::new(
                EnvRead {
                    name,
                    default: None,
                    required: needle == "os.Getenv(",
                    build_time: false,
                    how: needle.trim_end_matches('(').into(),
                    json_list: false,
                },
                source,
                at..close + 1,
            ));
        }
    }
    for needle in ["ListenAndServe(", "ListenAndServeTLS(", "Addr:"] {
        for (at, _) in text.match_indices(needle) {
            let a = skip_ws(text, at + needle.len());
            if let Some((lit, end)) = string_at(text, a)
                && lit.contains(':')
                && let Some(p) = super::port_literal(&lit)
            {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: format!("{} \"{lit}\"", needle.trim_end_matches(['(', ':'])),
                    },
                    source,
                    at..end,
                ));
            }
        }
    }
    // `port := "8080"` as the fallback of a PORT read.
    if f.ports.is_empty() && f.env.iter().any(|e| e.value.name == "PORT") {
        for (range, l) in crate::source::lines_with_ranges(text) {
            let t = l.trim();
            if let Some(rest) = t.strip_prefix("port = ").or_else(|| t.strip_prefix("port := "))
                && let Some(p) = super::port_literal(rest.trim_matches(['"', ' ', '}']))
            {
                f.ports.push(Fact::new(
                    Port {
                        port: p,
                        how: "PORT fallback".into(),
                    },
                    source,
                    range,
                ));
                if let Some(e) = f.env.iter_mut().find(|e| e.value.name == "PORT") {
                    e.value.default = Some(p.to_string());
                    e.value.required = false;
                }
                break;
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_env_and_listen_address() {
        let src = "package main\n\nimport (\"net/http\"; \"os\")\n\nfunc main() {\n\tdsn := os.Getenv(\"DATABASE_URL\")\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"9090\"\n\t}\n\t_ = dsn\n\thttp.ListenAndServe(\":\"+port, nil)\n}\n";
        let f = read(
            src,
            crate::source::Sources::default().add("main.go".into(), String::new()),
        );
        assert!(f.main.is_some());
        assert_eq!(f.env.len(), 2);
        assert!(f.env[0].value.required);
        assert_eq!(f.ports[0].value.port, 9090);
        assert_eq!(f.env[1].value.default.as_deref(), Some("9090"));
        let f = read(
            "package api\nvar s = &http.Server{Addr: \":8081\"}\n",
            crate::source::Sources::default().add("a.go".into(), String::new()),
        );
        assert!(f.main.is_none());
        assert_eq!(f.ports[0].value.port, 8081);
    }
}
