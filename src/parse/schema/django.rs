//! Django models: `class X(models.Model)`, `models.*Field(...)`, relations, `class Meta`.

use super::python::{Class, assignment};
use super::{Field, Index, Model, Relation};
use crate::parse::code::{call_args, kwarg, split_top, string_lit};

pub fn parse(path: &str, classes: &[Class]) -> Vec<Model> {
    let mut out = Vec::new();
    let app = path
        .rsplit('/')
        .nth(1)
        .filter(|d| *d != "models")
        .unwrap_or("app")
        .to_string();
    for c in classes {
        if !c
            .bases
            .iter()
            .any(|b| b == "models.Model" || b.ends_with("Model") && b.starts_with("models."))
        {
            continue;
        }
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        let mut has_pk = false;
        for s in &c.body {
            let Some(a) = assignment(&s.text) else { continue };
            let Some(value) = a.value else { continue };
            let Some(rest) = value.strip_prefix("models.") else {
                continue;
            };
            let kind: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
            let Some(args) = call_args(rest, &kind) else { continue };
            let args = split_top(args, ',');
            match kind.as_str() {
                "ForeignKey" | "OneToOneField" => {
                    let target = args
                        .first()
                        .map(|t| string_lit(t).unwrap_or_else(|| t.clone()))
                        .unwrap_or_default();
                    let mut f = Field::new(&format!("{}_id", a.name), &kind, s.line);
                    f.nullable = kwarg(&args, "null") == Some("True");
                    f.foreign_key = Some(format!("{target}.id"));
                    f.unique = kind == "OneToOneField";
                    f.indexed = true;
                    fields.push(f);
                    relations.push(Relation {
                        name: a.name.to_string(),
                        target,
                        many: false,
                        line: s.line,
                    });
                }
                "ManyToManyField" => {
                    let target = args
                        .first()
                        .map(|t| string_lit(t).unwrap_or_else(|| t.clone()))
                        .unwrap_or_default();
                    relations.push(Relation {
                        name: a.name.to_string(),
                        target,
                        many: true,
                        line: s.line,
                    });
                }
                k if k.ends_with("Field") => {
                    let mut f = Field::new(a.name, k, s.line);
                    f.nullable = kwarg(&args, "null") == Some("True");
                    f.default = kwarg(&args, "default").map(str::to_string);
                    if kwarg(&args, "auto_now_add") == Some("True") || kwarg(&args, "auto_now") == Some("True") {
                        f.default = Some("now".into());
                    }
                    f.primary_key =
                        kwarg(&args, "primary_key") == Some("True") || k == "AutoField" || k == "BigAutoField";
                    f.unique = kwarg(&args, "unique") == Some("True");
                    f.indexed = kwarg(&args, "db_index") == Some("True");
                    has_pk |= f.primary_key;
                    fields.push(f);
                }
                _ => {}
            }
        }
        if !has_pk {
            let mut id = Field::new("id", "BigAutoField (implicit)", c.line);
            id.primary_key = true;
            fields.insert(0, id);
        }
        let mut table = format!("{}_{}", app, c.name.to_lowercase());
        let mut indexes = Vec::new();
        if let Some(meta) = c.nested.iter().find(|n| n.name == "Meta") {
            if let Some((v, _)) = meta.dunder("db_table")
                && let Some(t) = string_lit(&v)
            {
                table = t;
            }
            for s in &meta.body {
                let Some(a) = assignment(&s.text) else { continue };
                if a.name != "indexes" && a.name != "constraints" {
                    continue;
                }
                let v = a.value.unwrap_or("");
                for (call, unique) in [("models.Index", false), ("models.UniqueConstraint", true)] {
                    for (at, _) in v.match_indices(call) {
                        let Some(inner) = call_args(&v[at..], call) else { break };
                        let parts = split_top(inner, ',');
                        let cols = kwarg(&parts, "fields")
                            .map(|l| {
                                split_top(l.trim_matches(['[', ']', '(', ')']), ',')
                                    .iter()
                                    .filter_map(|x| string_lit(x))
                                    .collect()
                            })
                            .unwrap_or_default();
                        indexes.push(Index {
                            name: kwarg(&parts, "name").and_then(string_lit),
                            columns: cols,
                            unique,
                            line: s.line,
                        });
                    }
                }
            }
        }
        out.push(Model {
            table: Some(table),
            fields,
            indexes,
            relations,
            ..Model::new(c.name.clone(), "Django", path, c.line)
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::schema::python::classes;

    #[test]
    fn django_fields_relations_and_meta() {
        let src = r#"
class Note(models.Model):
    title = models.CharField(max_length=200, db_index=True)
    body = models.TextField(null=True, blank=True)
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notes"
        indexes = [models.Index(fields=["owner", "created"], name="owner_created")]
"#;
        let m = parse("notes/models.py", &classes(src));
        assert_eq!(m.len(), 1);
        let n = &m[0];
        assert_eq!(n.table.as_deref(), Some("notes"));
        let names: Vec<&str> = n.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "title", "body", "owner_id", "created"]);
        assert!(n.fields[1].indexed && n.fields[2].nullable);
        assert_eq!(n.fields[3].foreign_key.as_deref(), Some("auth.User.id"));
        assert_eq!(n.relations.len(), 2);
        assert_eq!(n.indexes[0].columns, vec!["owner", "created"]);
    }
}
