//! SQLAlchemy declarative models: classes with `__tablename__` (and no SQLModel or Pydantic
//! base), columns as `Column(...)` or `Mapped[...] = mapped_column(...)`, `relationship(...)`,
//! and indexes in `__table_args__`.

use super::python::{Class, assignment, relation_target, unwrap_optional};
use super::sqlmodel::apply_field_args;
use super::{Field, Index, Model, Relation};
use crate::parse::code::{call_args, kwarg, split_top, string_lit};

pub fn parse(path: &str, classes: &[Class]) -> Vec<Model> {
    let mut out = Vec::new();
    for c in classes {
        if c.has_base("SQLModel") || c.has_base("BaseModel") {
            continue;
        }
        let Some(table) = c.table_name() else { continue };
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        for s in &c.body {
            let Some(a) = assignment(&s.text) else { continue };
            let value = a.value.unwrap_or("");
            let ann = a.annotation.map(|t| {
                t.strip_prefix("Mapped[")
                    .and_then(|r| r.strip_suffix(']'))
                    .unwrap_or(t)
                    .to_string()
            });
            if let Some(args) = call_args(value, "relationship") {
                let args = split_top(args, ',');
                let from_ann = ann.as_deref().map(relation_target);
                let (target, many) = match (from_ann, args.first().and_then(|a| string_lit(a).or(Some(a.clone())))) {
                    (Some(t), _) => t,
                    (None, Some(t)) => (t, kwarg(&args, "uselist") != Some("False")),
                    (None, None) => continue,
                };
                relations.push(Relation {
                    name: a.name.to_string(),
                    target,
                    many,
                    line: s.line,
                });
                continue;
            }
            let column = call_args(value, "mapped_column").or_else(|| call_args(value, "Column"));
            let (ty, nullable) = match &ann {
                Some(t) => {
                    let (inner, opt) = unwrap_optional(t);
                    (inner, opt)
                }
                None => (String::new(), true),
            };
            let Some(args) = column else {
                if ann.is_some() && a.value.is_none() {
                    let mut f = Field::new(a.name, &ty, s.line);
                    f.nullable = nullable;
                    fields.push(f);
                }
                continue;
            };
            let args = split_top(args, ',');
            let ty = if ty.is_empty() {
                args.iter()
                    .find(|a| !a.contains('=') && string_lit(a).is_none() && !a.starts_with("ForeignKey"))
                    .cloned()
                    .unwrap_or_default()
            } else {
                ty
            };
            let mut f = Field::new(a.name, &ty, s.line);
            f.nullable = nullable;
            // `Column("name", Integer)` puts the default positional slot on the column name.
            let named: Vec<String> = args
                .iter()
                .filter(|a| a.contains('=') || a.contains("ForeignKey"))
                .cloned()
                .collect();
            apply_field_args(&mut f, &named);
            if f.primary_key {
                f.nullable = false;
            }
            fields.push(f);
        }
        let mut indexes = Vec::new();
        if let Some((args, line)) = c.dunder("__table_args__") {
            for (call, unique) in [("Index", false), ("UniqueConstraint", true)] {
                let mut from = 0;
                while let Some(i) = args[from..].find(&format!("{call}(")) {
                    let at = from + i;
                    from = at + call.len();
                    let Some(inner) = call_args(&args[at..], call) else {
                        break;
                    };
                    let parts = split_top(inner, ',');
                    let mut cols: Vec<String> = parts
                        .iter()
                        .filter(|p| !p.contains('='))
                        .filter_map(|p| string_lit(p))
                        .collect();
                    let name = if call == "Index" && !cols.is_empty() {
                        Some(cols.remove(0))
                    } else {
                        kwarg(&parts, "name").and_then(string_lit)
                    };
                    indexes.push(Index {
                        name,
                        columns: cols,
                        unique: unique || kwarg(&parts, "unique") == Some("True"),
                        line,
                    });
                }
            }
        }
        out.push(Model {
            table: Some(table),
            fields,
            indexes,
            relations,
            ..Model::new(c.name.clone(), "SQLAlchemy", path, c.line)
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::schema::python::classes;

    #[test]
    fn declarative_columns_both_styles() {
        let src = r#"
class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_email_name", "email", "name"), UniqueConstraint("email"))
    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(default="x")
    posts: Mapped[List["Post"]] = relationship(back_populates="author")
    team = relationship("Team")
"#;
        let m = parse("app/db.py", &classes(src));
        assert_eq!(m.len(), 1);
        let u = &m[0];
        assert_eq!(u.table.as_deref(), Some("users"));
        let f = &u.fields;
        assert_eq!(f.len(), 4);
        assert!(f[0].primary_key && !f[0].nullable && f[0].ty == "Integer");
        assert!(f[1].unique && !f[1].nullable && f[1].ty == "String(255)");
        assert!(f[2].nullable && f[2].indexed && f[2].foreign_key.as_deref() == Some("teams.id") && f[2].ty == "int");
        assert!(!f[3].nullable && f[3].default.as_deref() == Some("\"x\""));
        assert_eq!(u.relations.len(), 2);
        assert!(u.relations[0].many && u.relations[0].target == "Post");
        assert_eq!(u.indexes.len(), 2);
        assert_eq!(u.indexes[0].columns, vec!["email", "name"]);
        assert!(u.indexes[1].unique);
    }
}
