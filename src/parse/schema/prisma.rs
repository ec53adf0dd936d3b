//! Prisma schema: `model X { field Type? @id @default(…) @unique @relation(…) … @@index([…]) @@map("x") }`.

use super::{Field, Index, Model, Relation};
use crate::parse::code::{enclosed, split_top, string_lit, strip_comment};

const SCALARS: &[&str] = &[
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
];

pub fn parse(path: &str, text: &str) -> Vec<Model> {
    let lines: Vec<&str> = text.lines().collect();
    let model_names: Vec<String> = lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("model "))
        .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(rest) = lines[i].trim().strip_prefix("model ") else {
            i += 1;
            continue;
        };
        let name = rest.split_whitespace().next().unwrap_or("").to_string();
        let mut model = Model {
            table: Some(name.clone()),
            ..Model::new(name.clone(), "Prisma", path, i + 1)
        };
        let mut fks: Vec<(String, String)> = Vec::new();
        i += 1;
        while i < lines.len() && !lines[i].trim().starts_with('}') {
            let line_no = i + 1;
            let l = strip_comment(lines[i], '/');
            let l = l.trim();
            i += 1;
            if l.is_empty() {
                continue;
            }
            if let Some(attr) = l.strip_prefix("@@") {
                let kind: String = attr.chars().take_while(|c| c.is_alphanumeric()).collect();
                let args = attr.find('(').and_then(|o| enclosed(attr, o)).unwrap_or("");
                match kind.as_str() {
                    "map" => model.table = string_lit(args.split(',').next().unwrap_or("")),
                    "index" | "unique" | "id" => {
                        let cols = args
                            .find('[')
                            .and_then(|o| enclosed(args, o))
                            .map(|c| {
                                split_top(c, ',')
                                    .into_iter()
                                    .map(|x| x.split('(').next().unwrap_or("").to_string())
                                    .collect()
                            })
                            .unwrap_or_default();
                        let name = split_top(args, ',')
                            .iter()
                            .find_map(|p| p.strip_prefix("name:").or(p.strip_prefix("map:")).and_then(string_lit));
                        model.indexes.push(Index {
                            name,
                            columns: cols,
                            unique: kind != "index",
                            line: line_no,
                        });
                    }
                    _ => {}
                }
                continue;
            }
            let mut parts = l.split_whitespace();
            let (Some(fname), Some(fty)) = (parts.next(), parts.next()) else {
                continue;
            };
            let base = fty.trim_end_matches(['?', ']', '[']).to_string();
            let many = fty.ends_with("[]");
            let attrs = &l[l.find(fty).map(|p| p + fty.len()).unwrap_or(l.len())..];
            if model_names.contains(&base) && !SCALARS.contains(&base.as_str()) {
                if let Some(at) = attrs.find("@relation(")
                    && let Some(args) = enclosed(attrs, at + "@relation".len())
                {
                    let parts = split_top(args, ',');
                    let list = |key: &str| -> Vec<String> {
                        parts
                            .iter()
                            .find_map(|p| p.strip_prefix(key))
                            .map(|v| v.trim_start_matches(':').trim().trim_matches(['[', ']']))
                            .map(|v| split_top(v, ',').into_iter().collect())
                            .unwrap_or_default()
                    };
                    for (f, r) in list("fields").iter().zip(list("references")) {
                        fks.push((f.clone(), format!("{base}.{r}")));
                    }
                }
                model.relations.push(Relation {
                    name: fname.to_string(),
                    target: base,
                    many,
                    line: line_no,
                });
                continue;
            }
            let mut f = Field::new(fname, fty, line_no);
            f.nullable = fty.ends_with('?');
            f.primary_key = attrs.contains("@id");
            f.unique = attrs.contains("@unique");
            if let Some(at) = attrs.find("@default(") {
                f.default = enclosed(attrs, at + "@default".len()).map(str::to_string);
            }
            if attrs.contains("@updatedAt") {
                f.default = Some("updatedAt".into());
            }
            model.fields.push(f);
        }
        for (f, target) in fks {
            if let Some(field) = model.fields.iter_mut().find(|x| x.name == f) {
                field.foreign_key = Some(target);
            }
        }
        out.push(model);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma_models() {
        let src = r#"
model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
}

model Post {
  id       Int  @id @default(autoincrement())
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
  @@index([authorId])
  @@map("posts")
}
"#;
        let m = parse("prisma/schema.prisma", src);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].fields.len(), 3);
        assert!(m[0].fields[0].primary_key && m[0].fields[0].default.as_deref() == Some("autoincrement()"));
        assert!(m[0].fields[1].unique && m[0].fields[2].nullable);
        assert!(m[0].relations[0].many);
        assert_eq!(m[1].table.as_deref(), Some("posts"));
        assert_eq!(m[1].fields[1].foreign_key.as_deref(), Some("User.id"));
        assert_eq!(m[1].indexes[0].columns, vec!["authorId"]);
        assert_eq!(m[1].fields[1].line, 11);
    }
}
