//! Python classes as the model readers need them: name, bases, keyword arguments of the
//! class statement, and the statements of the body with their lines.

use crate::parse::code::{Stmt, python_statements, split_top, string_lit};

#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    /// Positional bases, as written (`SQLModel`, `models.Model`, `TaskBase`).
    pub bases: Vec<String>,
    /// `table=True` and other class keywords.
    pub keywords: Vec<(String, String)>,
    pub line: usize,
    pub indent: usize,
    /// Statements directly in the body (not in nested blocks).
    pub body: Vec<Stmt>,
    /// Classes nested in the body (`class Meta:`).
    pub nested: Vec<Class>,
}

/// Every class of a Python file, nested ones attached to their parent.
pub fn classes(text: &str) -> Vec<Class> {
    let stmts = python_statements(text);
    collect(&stmts)
}

fn collect(stmts: &[Stmt]) -> Vec<Class> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < stmts.len() {
        let s = &stmts[i];
        let Some(head) = s.text.strip_prefix("class ") else {
            i += 1;
            continue;
        };
        let name: String = head.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let mut bases = Vec::new();
        let mut keywords = Vec::new();
        if let Some(open) = head.find('(')
            && let Some(args) = crate::parse::code::enclosed(head, open)
        {
            for a in split_top(args, ',') {
                match a.split_once('=') {
                    Some((k, v)) if !k.contains('[') => keywords.push((k.trim().to_string(), v.trim().to_string())),
                    _ => bases.push(a.trim().to_string()),
                }
            }
        }
        let mut j = i + 1;
        while j < stmts.len() && stmts[j].indent > s.indent {
            j += 1;
        }
        let inner = &stmts[i + 1..j];
        let body_indent = inner.first().map(|b| b.indent).unwrap_or(0);
        let body: Vec<Stmt> = inner.iter().filter(|b| b.indent == body_indent).cloned().collect();
        let nested = collect(inner);
        out.push(Class {
            name,
            bases,
            keywords,
            line: s.line,
            indent: s.indent,
            body,
            nested,
        });
        i = j;
    }
    out
}

impl Class {
    pub fn keyword(&self, k: &str) -> Option<&str> {
        self.keywords.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    /// `__tablename__ = "x"` in the body.
    pub fn dunder(&self, name: &str) -> Option<(String, usize)> {
        self.body.iter().find_map(|s| {
            let (k, v) = s.text.split_once('=')?;
            (k.trim().split(':').next()?.trim() == name).then(|| (v.trim().to_string(), s.line))
        })
    }

    pub fn table_name(&self) -> Option<String> {
        self.dunder("__tablename__").and_then(|(v, _)| string_lit(&v))
    }

    /// Whether a base is named `name`, written bare or qualified (`db.Model`).
    pub fn has_base(&self, name: &str) -> bool {
        self.bases
            .iter()
            .any(|b| b == name || b.rsplit('.').next() == Some(name) && !name.contains('.'))
    }
}

/// `name: Type = value`, `name = value` or `name: Type` of a body statement.
pub struct Assign<'a> {
    pub name: &'a str,
    pub annotation: Option<&'a str>,
    pub value: Option<&'a str>,
}

pub fn assignment(text: &str) -> Option<Assign<'_>> {
    let first = text.find([':', '=', '('])?;
    let name = text[..first].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') || name.starts_with("__") {
        return None;
    }
    if ["def", "class", "return", "if", "for", "async", "model_config"].contains(&name) {
        return None;
    }
    let rest = &text[first..];
    if let Some(r) = rest.strip_prefix(':') {
        let (ann, val) = match split_top_eq(r) {
            Some((a, v)) => (a.trim(), Some(v.trim())),
            None => (r.trim(), None),
        };
        Some(Assign {
            name,
            annotation: Some(ann),
            value: val,
        })
    } else if let Some(r) = rest.strip_prefix('=') {
        (!r.starts_with('=')).then(|| Assign {
            name,
            annotation: None,
            value: Some(r.trim()),
        })
    } else {
        None
    }
}

/// Split at the first `=` outside brackets (not `==`, `<=`, `>=`, `!=`).
fn split_top_eq(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'=' if depth == 0 => {
                let prev = if i > 0 { bytes[i - 1] } else { 0 };
                let next = bytes.get(i + 1).copied().unwrap_or(0);
                if next != b'=' && !matches!(prev, b'<' | b'>' | b'!' | b'=') {
                    return Some((&s[..i], &s[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// `Optional[X]`, `X | None`, `Union[X, None]` → (`X`, true).
pub fn unwrap_optional(ty: &str) -> (String, bool) {
    let t = ty.trim().trim_matches(['"', '\'']);
    for p in ["Optional[", "typing.Optional["] {
        if let Some(inner) = t.strip_prefix(p).and_then(|r| r.strip_suffix(']')) {
            return (inner.trim().to_string(), true);
        }
    }
    if let Some(inner) = t.strip_prefix("Union[").and_then(|r| r.strip_suffix(']')) {
        let parts: Vec<String> = split_top(inner, ',').into_iter().filter(|p| p != "None").collect();
        let nullable = parts.len() < split_top(inner, ',').len();
        return (parts.join(" | "), nullable);
    }
    // A forward reference quotes one side (`"User" | None`) or the whole (`"User | None"`).
    for whole in [ty.trim(), t] {
        let parts: Vec<String> = split_top(whole, '|');
        if parts.iter().any(|p| p == "None") {
            let rest: Vec<&str> = parts
                .iter()
                .filter(|p| *p != "None")
                .map(|p| p.trim_matches(['"', '\'']))
                .collect();
            return (rest.join(" | "), true);
        }
    }
    (t.to_string(), false)
}

/// `List[X]`, `list[X]`, `Sequence[X]` → Some(`X`).
pub fn list_item(ty: &str) -> Option<String> {
    let t = ty.trim().trim_matches(['"', '\'']);
    for p in ["List[", "list[", "Sequence[", "Set[", "set[", "typing.List["] {
        if let Some(inner) = t.strip_prefix(p).and_then(|r| r.strip_suffix(']')) {
            return Some(inner.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    None
}

/// What a relationship's annotation points at: `List["Task"]` → (`Task`, many),
/// `Optional["User"]` → (`User`, one). SQLModel's `Relationship()` and SQLAlchemy's
/// `relationship()` read their target the same way.
pub fn relation_target(annotation: &str) -> (String, bool) {
    let (inner, _) = unwrap_optional(annotation);
    match list_item(&inner) {
        Some(item) => (item, true),
        None => (inner.trim_matches(['"', '\'']).to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_targets_from_annotations() {
        assert_eq!(relation_target("List[\"Task\"]"), ("Task".to_string(), true));
        assert_eq!(relation_target("list[Task]"), ("Task".to_string(), true));
        assert_eq!(relation_target("Optional[\"User\"]"), ("User".to_string(), false));
        assert_eq!(relation_target("User | None"), ("User".to_string(), false));
        assert_eq!(relation_target("Mapped[User]"), ("Mapped[User]".to_string(), false));
    }

    #[test]
    fn classes_with_bases_keywords_and_nested() {
        let src = "class Task(TaskBase, table=True):\n    id: int\n    class Meta:\n        db_table = 'x'\n    done: bool = False\n\nclass Other: pass\n";
        let c = classes(src);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].bases, vec!["TaskBase"]);
        assert_eq!(c[0].keyword("table"), Some("True"));
        assert_eq!(c[0].body.len(), 3);
        assert_eq!(c[0].nested[0].name, "Meta");
    }

    #[test]
    fn optional_types() {
        assert_eq!(unwrap_optional("Optional[int]"), ("int".into(), true));
        assert_eq!(unwrap_optional("str | None"), ("str".into(), true));
        assert_eq!(unwrap_optional("\"User\" | None"), ("User".into(), true));
        assert_eq!(unwrap_optional("None | 'Team'"), ("Team".into(), true));
        assert_eq!(unwrap_optional("\"User | None\""), ("User".into(), true));
        assert_eq!(unwrap_optional("datetime"), ("datetime".into(), false));
        assert_eq!(list_item("List[\"Message\"]").as_deref(), Some("Message"));
    }
}
