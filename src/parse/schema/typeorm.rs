//! TypeORM entities: `@Entity("name") export class X { @PrimaryGeneratedColumn() id: number; … }`
//! with `@Column({...})`, relation decorators, `@JoinColumn` and `@Index`.

use super::{Field, Index, Model, Relation};
use crate::parse::code::{enclosed, split_top, string_lit, strip_comment};

pub fn parse(path: &str, text: &str) -> Vec<Model> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Model> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut current: Option<Model> = None;
    let mut depth = 0i32;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        let l = strip_comment(raw, '/');
        let t = l.trim();
        if t.starts_with('@') {
            // A decorator may span several lines only through its arguments; keep it whole.
            pending.push(t.to_string());
            if current.is_some() {
                depth += crate::parse::code::bracket_delta(t);
            }
            continue;
        }
        if current.is_none() {
            if let Some(ci) = t.find("class ")
                && pending.iter().any(|d| d.starts_with("@Entity"))
            {
                let name: String = t[ci + 6..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let entity = pending
                    .iter()
                    .find(|d| d.starts_with("@Entity"))
                    .cloned()
                    .unwrap_or_default();
                let table = entity
                    .find('(')
                    .and_then(|o| enclosed(&entity, o))
                    .and_then(|a| {
                        let parts = split_top(a, ',');
                        parts.first().and_then(|p| string_lit(p)).or_else(|| {
                            parts
                                .first()
                                .and_then(|p| p.find('{').and_then(|o| enclosed(p, o)))
                                .and_then(|obj| {
                                    split_top(obj, ',').iter().find_map(|kv| {
                                        kv.split_once(':')
                                            .filter(|(k, _)| k.trim() == "name")
                                            .and_then(|(_, v)| string_lit(v))
                                    })
                                })
                        })
                    })
                    .unwrap_or_else(|| super::snake(&name));
                let mut m = Model {
                    table: Some(table),
                    ..Model::new(name, "TypeORM", path, line_no)
                };
                for d in pending
                    .iter()
                    .filter(|d| d.starts_with("@Index(") || d.starts_with("@Unique("))
                {
                    m.indexes.push(class_index(d, line_no));
                }
                current = Some(m);
                depth = crate::parse::code::bracket_delta(t);
                pending.clear();
            } else if !t.is_empty() {
                pending.clear();
            }
            continue;
        }
        depth += crate::parse::code::bracket_delta(t);
        let m = current.as_mut().expect("inside a class");
        if depth <= 0 {
            out.push(current.take().expect("inside a class"));
            pending.clear();
            continue;
        }
        // A property: `name?: Type;` or `name!: Type` after its decorators.
        if let Some((lhs, ty)) = t.split_once(':')
            && !pending.is_empty()
            && !t.contains('(')
        {
            let name = lhs
                .trim()
                .trim_end_matches(['?', '!'])
                .trim_start_matches("public ")
                .trim();
            let ty = ty.trim().trim_end_matches(';').split('=').next().unwrap_or("").trim();
            let decos = std::mem::take(&mut pending);
            let relation = decos.iter().find_map(|d| {
                ["@ManyToOne", "@OneToMany", "@OneToOne", "@ManyToMany"]
                    .iter()
                    .find(|r| d.starts_with(*r))
                    .map(|r| (r.to_string(), d.clone()))
            });
            if let Some((kind, d)) = relation {
                let target = d
                    .find("=>")
                    .map(|p| {
                        d[p + 2..]
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .unwrap_or_else(|| ty.trim_end_matches("[]").to_string());
                let many = kind == "@OneToMany" || kind == "@ManyToMany";
                m.relations.push(Relation {
                    name: name.to_string(),
                    target: target.clone(),
                    many,
                    line: line_no,
                });
                if kind == "@ManyToOne" || kind == "@OneToOne" && decos.iter().any(|d| d.starts_with("@JoinColumn")) {
                    let col = decos
                        .iter()
                        .find(|d| d.starts_with("@JoinColumn"))
                        .and_then(|d| {
                            d.split("name:")
                                .nth(1)
                                .and_then(|r| string_lit(r.split([',', '}']).next().unwrap_or("")))
                        })
                        .unwrap_or_else(|| format!("{name}Id"));
                    if !m.fields.iter().any(|f| f.name == col) {
                        let mut f = Field::new(&col, "foreign key", line_no);
                        f.nullable = !d.contains("nullable: false");
                        f.foreign_key = Some(format!("{target}.id"));
                        m.fields.push(f);
                    } else if let Some(f) = m.fields.iter_mut().find(|f| f.name == col) {
                        f.foreign_key = Some(format!("{target}.id"));
                    }
                }
                continue;
            }
            let Some(col) = decos.iter().find(|d| d.contains("Column")) else {
                continue;
            };
            let opts = col.find('(').and_then(|o| enclosed(col, o)).unwrap_or("");
            let obj = opts.find('{').and_then(|o| enclosed(opts, o)).unwrap_or("");
            let kv = |k: &str| -> Option<String> {
                split_top(obj, ',').iter().find_map(|p| {
                    p.split_once(':')
                        .filter(|(kk, _)| kk.trim() == k)
                        .map(|(_, v)| v.trim().to_string())
                })
            };
            let mut f = Field::new(name, ty, line_no);
            let col_type = split_top(opts, ',')
                .first()
                .and_then(|p| string_lit(p))
                .or_else(|| kv("type").map(|t| t.trim_matches(['"', '\'']).to_string()));
            if let Some(ct) = col_type {
                f.ty = format!("{ty} ({ct})");
            }
            f.primary_key = col.starts_with("@Primary");
            f.nullable = kv("nullable").as_deref() == Some("true") || lhs.trim().ends_with('?') && !f.primary_key;
            f.unique = kv("unique").as_deref() == Some("true");
            f.default = kv("default");
            if col.starts_with("@CreateDateColumn") || col.starts_with("@UpdateDateColumn") {
                f.default = Some("now".into());
            }
            f.indexed = decos.iter().any(|d| d.starts_with("@Index"));
            m.fields.push(f);
        } else if !t.starts_with('@') && !t.is_empty() && !pending.is_empty() && t.contains('(') {
            pending.clear();
        }
    }
    if let Some(m) = current {
        out.push(m);
    }
    out
}

fn class_index(d: &str, line: usize) -> Index {
    let args = d.find('(').and_then(|o| enclosed(d, o)).unwrap_or("");
    let parts = split_top(args, ',');
    let name = parts.first().and_then(|p| string_lit(p));
    let columns = args
        .find('[')
        .and_then(|o| enclosed(args, o))
        .map(|c| split_top(c, ',').iter().filter_map(|x| string_lit(x)).collect())
        .unwrap_or_default();
    Index {
        name,
        columns,
        unique: d.starts_with("@Unique") || args.contains("unique: true"),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typeorm_entities() {
        let src = r#"import { Entity, Column } from "typeorm";

@Entity("tasks")
@Index("by_owner", ["ownerId", "done"])
export class Task {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "varchar", length: 200, unique: true })
  title: string;

  @Column({ nullable: true })
  note?: string;

  @ManyToOne(() => User, (user) => user.tasks)
  @JoinColumn({ name: "ownerId" })
  owner: User;
}
"#;
        let m = parse("src/task.entity.ts", src);
        assert_eq!(m.len(), 1);
        let t = &m[0];
        assert_eq!(t.table.as_deref(), Some("tasks"));
        assert_eq!(t.fields.len(), 4);
        assert!(t.fields[0].primary_key && t.fields[0].line == 7);
        assert!(t.fields[1].unique && t.fields[1].ty == "string (varchar)");
        assert!(t.fields[2].nullable);
        assert_eq!(t.fields[3].foreign_key.as_deref(), Some("User.id"));
        assert_eq!(t.relations[0].target, "User");
        assert_eq!(t.indexes[0].columns, vec!["ownerId", "done"]);
    }
}
