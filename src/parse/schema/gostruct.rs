//! Go structs mapped to tables: fields tagged `db:"col"` (sqlx, pgx scanning) or
//! `gorm:"…"` (GORM). A struct with no such tag is not a model.

use super::{Field, Index, Model, Relation, snake};
use crate::parse::code::strip_comment;

pub fn parse(path: &str, text: &str) -> Vec<Model> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        let Some(name) = t
            .strip_prefix("type ")
            .and_then(|r| r.strip_suffix("struct {"))
            .map(|n| n.trim().to_string())
        else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut model = Model::new(name.clone(), "Go (sqlx)", path, start);
        let mut tagged = false;
        let mut gorm = false;
        i += 1;
        while i < lines.len() && lines[i].trim() != "}" {
            let line_no = i + 1;
            let l = strip_comment(lines[i], '/');
            i += 1;
            let l = l.trim();
            let (decl, tags) = match l.find('`') {
                Some(p) => (&l[..p], l[p..].trim_matches('`')),
                None => (l, ""),
            };
            let mut words = decl.split_whitespace();
            let (Some(fname), Some(fty)) = (words.next(), words.next()) else {
                continue;
            };
            let db = tag(tags, "db");
            let g = tag(tags, "gorm");
            if db.as_deref() == Some("-") || g.as_deref() == Some("-") {
                continue;
            }
            tagged |= db.is_some() || g.is_some();
            gorm |= g.is_some();
            let g = g.unwrap_or_default();
            let opts: Vec<&str> = g.split(';').map(str::trim).filter(|o| !o.is_empty()).collect();
            let base_ty = fty.trim_start_matches(['*', '[', ']']);
            let is_struct_ref = base_ty.chars().next().is_some_and(|c| c.is_uppercase())
                && !["time.Time", "uuid.UUID"].contains(&base_ty)
                && !base_ty.starts_with("sql.")
                && db.is_none();
            if is_struct_ref && !base_ty.contains('.') {
                model.relations.push(Relation {
                    name: fname.to_string(),
                    target: base_ty.to_string(),
                    many: fty.starts_with("[]"),
                    line: line_no,
                });
                continue;
            }
            let column = db
                .clone()
                .map(|d| d.split(',').next().unwrap_or("").to_string())
                .or_else(|| opts.iter().find_map(|o| o.strip_prefix("column:")).map(str::to_string))
                .unwrap_or_else(|| snake(fname));
            let mut f = Field::new(&column, fty, line_no);
            f.nullable = fty.starts_with('*') || fty.starts_with("sql.Null") || fty.starts_with("pgtype.");
            f.primary_key = opts.iter().any(|o| o.eq_ignore_ascii_case("primaryKey"))
                || (column == "id" && !gorm)
                || (fname == "ID" && gorm);
            if opts.iter().any(|o| o.eq_ignore_ascii_case("not null")) {
                f.nullable = false;
            }
            f.unique = opts
                .iter()
                .any(|o| o.eq_ignore_ascii_case("unique") || o.starts_with("uniqueIndex"));
            f.indexed = opts.iter().any(|o| o.starts_with("index"));
            f.default = opts.iter().find_map(|o| o.strip_prefix("default:")).map(str::to_string);
            for o in &opts {
                if let Some(rest) = o.strip_prefix("index:").or(o.strip_prefix("uniqueIndex:")) {
                    let iname = rest.split(',').next().unwrap_or("").to_string();
                    match model.indexes.iter_mut().find(|x| x.name.as_deref() == Some(&iname)) {
                        Some(x) => x.columns.push(column.clone()),
                        None => model.indexes.push(Index {
                            name: Some(iname),
                            columns: vec![column.clone()],
                            unique: o.starts_with("unique"),
                            line: line_no,
                        }),
                    }
                }
            }
            model.fields.push(f);
        }
        i += 1;
        if !tagged {
            continue;
        }
        if gorm {
            model.family = "Go (GORM)".into();
            model.table = Some(format!("{}s", snake(&name)));
            // GORM's convention: `UserID` references the `User` relation's primary key.
            let rels = model.relations.clone();
            for f in model.fields.iter_mut() {
                if let Some(r) = rels.iter().find(|r| format!("{}_id", snake(&r.name)) == f.name) {
                    f.foreign_key = Some(format!("{}s.id", snake(&r.target)));
                }
            }
        } else {
            model.table = Some(snake(&name));
        }
        out.push(model);
    }
    out
}

/// The value of `key:"value"` in a Go struct tag.
fn tag(tags: &str, key: &str) -> Option<String> {
    let pat = format!("{key}:\"");
    for (at, _) in tags.match_indices(&pat) {
        if at > 0 && !tags[..at].ends_with(' ') {
            continue;
        }
        let rest = &tags[at + pat.len()..];
        return rest.find('"').map(|e| rest[..e].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlx_and_gorm_structs() {
        let src = "package store\n\ntype Link struct {\n\tID    int64  `db:\"id\" json:\"id\"`\n\tSlug  string `db:\"slug\"`\n\tNote  *string `db:\"note\"`\n}\n\ntype Plain struct {\n\tX int\n}\n\ntype User struct {\n\tID    uint   `gorm:\"primaryKey\"`\n\tEmail string `gorm:\"uniqueIndex;not null\"`\n\tTeamID uint\n\tTeam  Team\n}\n";
        let m = parse("store/models.go", src);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].name.as_str(), m[0].table.as_deref(), m[0].line),
            ("Link", Some("link"), 3)
        );
        assert!(m[0].fields[0].primary_key && m[0].fields[2].nullable && m[0].fields[1].line == 5);
        let u = &m[1];
        assert_eq!(u.family, "Go (GORM)");
        assert!(u.fields[0].primary_key && u.fields[1].unique && !u.fields[1].nullable);
        assert_eq!(u.fields[2].foreign_key.as_deref(), Some("teams.id"));
        assert_eq!(u.relations[0].target, "Team");
    }
}
