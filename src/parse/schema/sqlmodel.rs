//! SQLModel tables and Pydantic models: annotated class attributes, `Field(...)` options,
//! `Relationship(...)`; fields of a base class of the same file are inherited.

use super::python::{Class, assignment, relation_target, unwrap_optional};
use super::{Field, Model, Relation};
use crate::parse::code::{call_args, kwarg, split_top, string_lit};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SqlModel,
    Pydantic,
}

fn kind_of(c: &Class, all: &[Class], depth: usize) -> Option<Kind> {
    if depth > 8 {
        return None;
    }
    if c.has_base("SQLModel") {
        return Some(Kind::SqlModel);
    }
    if c.has_base("BaseModel") {
        return Some(Kind::Pydantic);
    }
    c.bases.iter().find_map(|b| {
        all.iter()
            .find(|o| &o.name == b && o.line != c.line)
            .and_then(|o| kind_of(o, all, depth + 1))
    })
}

pub fn parse(path: &str, classes: &[Class]) -> Vec<Model> {
    let mut out = Vec::new();
    for c in classes {
        let Some(kind) = kind_of(c, classes, 0) else { continue };
        let persisted = kind == Kind::SqlModel && c.keyword("table").is_some_and(|v| v == "True");
        let (mut fields, relations) = own_fields(c);
        // Inherited fields come first, in base order.
        let mut inherited = Vec::new();
        let mut bases = Vec::new();
        collect_bases(c, classes, &mut inherited, &mut bases, 0);
        inherited.retain(|f: &Field| !fields.iter().any(|o| o.name == f.name));
        inherited.append(&mut fields);
        let family = match kind {
            Kind::SqlModel => "SQLModel",
            Kind::Pydantic => "Pydantic",
        };
        out.push(Model {
            table: persisted.then(|| c.table_name().unwrap_or_else(|| c.name.to_lowercase())),
            persisted,
            fields: inherited,
            relations,
            bases,
            ..Model::new(c.name.clone(), family, path, c.line)
        });
    }
    out
}

fn collect_bases(c: &Class, all: &[Class], fields: &mut Vec<Field>, names: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    for b in &c.bases {
        if let Some(base) = all.iter().find(|o| &o.name == b && o.line != c.line) {
            collect_bases(base, all, fields, names, depth + 1);
            names.push(base.name.clone());
            for f in own_fields(base).0 {
                if !fields.iter().any(|o| o.name == f.name) {
                    fields.push(f);
                }
            }
        }
    }
}

fn own_fields(c: &Class) -> (Vec<Field>, Vec<Relation>) {
    let mut fields = Vec::new();
    let mut relations = Vec::new();
    for s in &c.body {
        let Some(a) = assignment(&s.text) else { continue };
        let Some(ann) = a.annotation else { continue };
        if ann.starts_with("ClassVar") || ann.contains("ConfigDict") {
            continue;
        }
        let value = a.value.unwrap_or("");
        if call_args(value, "Relationship").is_some() {
            let (target, many) = relation_target(ann);
            relations.push(Relation {
                name: a.name.to_string(),
                target,
                many,
                line: s.line,
            });
            continue;
        }
        let (_, optional) = unwrap_optional(ann);
        let mut f = Field::new(a.name, ann, s.line);
        f.nullable = optional;
        if let Some(args) = call_args(value, "Field") {
            let args = split_top(args, ',');
            apply_field_args(&mut f, &args);
        } else if !value.is_empty() {
            f.default = Some(value.to_string());
        }
        if f.primary_key {
            f.nullable = false;
        }
        fields.push(f);
    }
    (fields, relations)
}

/// `Field(...)` / `Column(...)` / `mapped_column(...)` options shared by the Python readers.
pub fn apply_field_args(f: &mut Field, args: &[String]) {
    if let Some(first) = args.first()
        && !first.contains('=')
        && first != "..."
        && !first.starts_with("sa_")
    {
        // `Field(None, ...)`: the first positional argument is the default.
        f.default = Some(first.clone());
    }
    if let Some(d) = kwarg(args, "default") {
        f.default = Some(d.to_string());
    }
    if let Some(d) = kwarg(args, "default_factory") {
        f.default = Some(format!("{d}()"));
    }
    if let Some(d) = kwarg(args, "server_default") {
        f.default = Some(d.to_string());
    }
    if kwarg(args, "primary_key") == Some("True") {
        f.primary_key = true;
    }
    if kwarg(args, "unique") == Some("True") {
        f.unique = true;
    }
    if kwarg(args, "index") == Some("True") {
        f.indexed = true;
    }
    match kwarg(args, "nullable") {
        Some("False") => f.nullable = false,
        Some("True") => f.nullable = true,
        _ => {}
    }
    if let Some(fk) = kwarg(args, "foreign_key").and_then(string_lit) {
        f.foreign_key = Some(fk);
    }
    for a in args {
        if let Some(inner) = call_args(a, "ForeignKey").and_then(|x| split_top(x, ',').into_iter().next()) {
            f.foreign_key = Some(string_lit(&inner).unwrap_or(inner));
        }
        if let Some(col) = call_args(a, "Column") {
            apply_field_args(f, &split_top(col, ','));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::schema::python::classes;

    const SRC: &str = r#"
from sqlmodel import Field, Relationship, SQLModel

class TaskBase(SQLModel):
    title: str = Field(index=True, max_length=200)
    description: Optional[str] = None

class Task(TaskBase, table=True):
    __tablename__ = "tasks"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=datetime.utcnow, nullable=False)
    owner: Optional["User"] = Relationship(back_populates="tasks")
    messages: List["Message"] = Relationship()

class TaskCreate(BaseModel):
    title: str
"#;

    #[test]
    fn tables_inherit_and_keep_lines() {
        let m = parse("app/models.py", &classes(SRC));
        assert_eq!(m.len(), 3);
        let task = &m[1];
        assert_eq!(
            (task.name.as_str(), task.table.as_deref(), task.persisted),
            ("Task", Some("tasks"), true)
        );
        let names: Vec<&str> = task.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["title", "description", "id", "user_id", "created_at"]);
        assert!(task.fields[0].indexed && task.fields[1].nullable);
        let id = &task.fields[2];
        assert!(id.primary_key && !id.nullable && id.default.as_deref() == Some("None") && id.line == 10);
        assert_eq!(task.fields[3].foreign_key.as_deref(), Some("user.id"));
        assert_eq!(task.fields[4].default.as_deref(), Some("datetime.utcnow()"));
        assert_eq!(task.relations.len(), 2);
        assert!(!task.relations[0].many && task.relations[1].many && task.relations[1].target == "Message");
        assert_eq!((m[2].family.as_str(), m[2].persisted), ("Pydantic", false));
        assert_eq!((m[0].persisted, m[0].table.as_deref()), (false, None));
    }
}
