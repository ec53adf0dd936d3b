//! Drizzle ORM tables: `export const users = pgTable("users", { id: serial("id").primaryKey(), … })`
//! (also `mysqlTable`, `sqliteTable`), with the column builder chain read for nullability,
//! defaults, keys and references, and `index(…).on(…)` in the extra-config callback.

use super::{Field, Index, Model, Relation};
use crate::parse::code::{enclosed, line_at, split_top, string_lit};

const TABLE_FNS: &[&str] = &["pgTable(", "mysqlTable(", "sqliteTable("];

pub fn parse(path: &str, text: &str) -> Vec<Model> {
    let mut out = Vec::new();
    for f in TABLE_FNS {
        for (at, _) in text.match_indices(f) {
            let open = at + f.len() - 1;
            let Some(args) = enclosed(text, open) else { continue };
            let args_start = open + 1;
            let parts = split_top(args, ',');
            let Some(table) = parts.first().and_then(|p| string_lit(p)) else {
                continue;
            };
            // `const users = pgTable(`: the variable names the model in code.
            let before = text[..at].trim_end().trim_end_matches('=').trim_end();
            let var: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let name = if var.is_empty() { table.clone() } else { var };
            let mut model = Model {
                table: Some(table),
                ..Model::new(name, "Drizzle", path, line_at(text, at))
            };
            let Some(obj_open) = args.find('{') else { continue };
            let Some(cols) = enclosed(args, obj_open) else { continue };
            let cols_start = args_start + obj_open + 1;
            let mut offset = 0;
            for col in split_top(cols, ',') {
                let pos = cols[offset..].find(&col).map(|p| p + offset).unwrap_or(offset);
                offset = pos + col.len();
                let Some((key, chain)) = col.split_once(':') else {
                    continue;
                };
                let key = key.trim().trim_matches(['"', '\'']);
                let chain = chain.trim();
                let builder: String = chain.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let ty = chain
                    .find('(')
                    .and_then(|o| enclosed(chain, o))
                    .map(|inner| {
                        let extra: Vec<String> = split_top(inner, ',').into_iter().skip(1).collect();
                        if extra.is_empty() {
                            builder.clone()
                        } else {
                            format!("{builder}({})", extra.join(", "))
                        }
                    })
                    .unwrap_or(builder.clone());
                let column = chain
                    .find('(')
                    .and_then(|o| enclosed(chain, o))
                    .and_then(|inner| split_top(inner, ',').first().and_then(|s| string_lit(s)))
                    .unwrap_or_else(|| key.to_string());
                let mut f = Field::new(&column, &ty, line_at(text, cols_start + pos));
                f.primary_key = chain.contains(".primaryKey()") || builder == "serial" && chain.contains("primaryKey");
                f.nullable = !chain.contains(".notNull()") && !f.primary_key;
                f.unique = chain.contains(".unique(");
                for d in [".default(", ".$defaultFn("] {
                    if let Some(p) = chain.find(d) {
                        f.default = enclosed(chain, p + d.len() - 1).map(str::to_string);
                    }
                }
                for d in [".defaultNow()", ".defaultRandom()"] {
                    if chain.contains(d) {
                        f.default = Some(d.trim_start_matches(".default").trim_end_matches("()").to_lowercase());
                    }
                }
                if let Some(p) = chain.find(".references(")
                    && let Some(inner) = enclosed(chain, p + ".references".len())
                {
                    let target = inner
                        .rsplit("=>")
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['(', ')', ' ']);
                    f.foreign_key = Some(target.to_string());
                    if let Some((t, _)) = target.split_once('.') {
                        model.relations.push(Relation {
                            name: key.to_string(),
                            target: t.to_string(),
                            many: false,
                            line: f.line,
                        });
                    }
                }
                model.fields.push(f);
            }
            // Extra config: `(t) => ({ byUser: index("by_user").on(t.userId) })` or an array.
            let rest = &args[obj_open + cols.len() + 2..];
            for (kw, unique) in [("uniqueIndex(", true), ("index(", false)] {
                let mut f2 = 0;
                while let Some(p) = rest[f2..].find(kw) {
                    let at2 = f2 + p;
                    f2 = at2 + kw.len();
                    if kw == "index(" && rest[..at2].ends_with("unique")
                        || rest[..at2].ends_with(|c: char| c.is_alphanumeric())
                    {
                        continue;
                    }
                    let name = enclosed(rest, at2 + kw.len() - 1).and_then(string_lit);
                    let after = &rest[at2..];
                    let columns = after
                        .find(".on(")
                        .and_then(|o| enclosed(after, o + 3))
                        .map(|c| {
                            split_top(c, ',')
                                .into_iter()
                                .map(|x| x.rsplit('.').next().unwrap_or("").to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    model.indexes.push(Index {
                        name,
                        columns,
                        unique,
                        line: line_at(text, args_start + obj_open + cols.len() + 2 + at2),
                    });
                }
            }
            out.push(model);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drizzle_tables() {
        let src = r#"import { pgTable, serial, text, integer, timestamp, index } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  email: text("email").notNull().unique(),
  bio: text("bio"),
});

export const links = pgTable("links", {
  id: serial("id").primaryKey(),
  userId: integer("user_id").notNull().references(() => users.id),
  createdAt: timestamp("created_at").defaultNow().notNull(),
}, (t) => ({ byUser: index("links_user_idx").on(t.userId) }));
"#;
        let m = parse("src/db/schema.ts", src);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].name.as_str(), m[0].table.as_deref(), m[0].line),
            ("users", Some("users"), 3)
        );
        let f = &m[0].fields;
        assert!(f[0].primary_key && !f[0].nullable && f[0].line == 4);
        assert!(f[1].unique && !f[1].nullable && f[2].nullable);
        let l = &m[1];
        assert_eq!(l.fields[1].name, "user_id");
        assert_eq!(l.fields[1].foreign_key.as_deref(), Some("users.id"));
        assert_eq!(l.relations[0].target, "users");
        assert_eq!(l.fields[2].default.as_deref(), Some("now"));
        assert_eq!(l.indexes.len(), 1);
        assert_eq!(l.indexes[0].columns, vec!["userId"]);
    }
}
