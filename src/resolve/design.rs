//! The data model and the API as the repository's source declares them, joined to the
//! spec's Key Entities and to the endpoints the inputs name.
//!
//! A Key Entity matches a model when their names agree once case, spaces, a plural `s` and
//! words such as "entity" or "model" are set aside (`Conversation Message` ↔
//! `ConversationMessage`, `Tasks` ↔ table `task`). Relationships come from foreign keys
//! (one side optional when the key is nullable, one-to-one when it is unique) and from
//! many-to-many relations.

use crate::load::repo::RepoDir;
use crate::model::Plan;
use crate::model::design::{Design, EntityJoin, ErLine, FieldDoc, ModelDoc, ModelRef, NamedEndpoint, RouteDoc};
use crate::parse::routes::Route;
use crate::parse::schema::Model;
use crate::source::Sources;

/// What one component folder's source declares.
#[derive(Debug, Clone)]
pub struct ComponentCode {
    /// The folder, relative to the workspace root (`api`, `services/api`).
    pub dir: String,
    pub models: Vec<Model>,
    pub routes: Vec<Route>,
    pub files: usize,
}

/// Read the models and routes of every component folder (pure: the files are already in
/// `sources`).
pub fn read(repo: &[RepoDir], sources: &Sources) -> Vec<ComponentCode> {
    // Which of several same-named nested folders a component uses is not known here; their
    // models and routes would repeat one another.
    repo.iter()
        .filter(|d| !d.ambiguous(repo))
        .map(|d| {
            // The files that declare data models or HTTP routes.
            let files: Vec<(String, &str)> = d
                .sources
                .iter()
                .map(|id| {
                    let f = sources.get(*id);
                    (f.display_path(), f.text.as_str())
                })
                .filter(|(p, t)| {
                    crate::parse::schema::declares_models(p, t) || crate::parse::routes::declares_routes(p, t)
                })
                .collect();
            let models = files
                .iter()
                .flat_map(|(p, t)| crate::parse::schema::parse(p, t))
                .collect();
            let routes = crate::parse::routes::parse(&files);
            ComponentCode {
                dir: d.path.clone(),
                models,
                routes,
                files: files.len(),
            }
        })
        .collect()
}

pub fn resolve(plan: &Plan, code: &[ComponentCode]) -> Design {
    let component_name = |dir: &str| -> String {
        plan.deployment
            .as_ref()
            .and_then(|d| {
                d.components
                    .iter()
                    .find(|c| c.source_dir.value.as_deref() == Some(dir))
                    .map(|c| c.name.clone())
            })
            .unwrap_or_else(|| dir.to_string())
    };
    let mut design = Design {
        files_read: code.iter().map(|c| c.files).sum(),
        ..Default::default()
    };
    for c in code {
        for m in &c.models {
            let doc = model_doc(m, &component_name(&c.dir));
            if m.persisted {
                design.tables.push(doc);
            } else {
                design.schemas.push(doc);
            }
        }
    }
    // Entities ↔ models.
    for e in &plan.spec.entities {
        let key = entity_key(&e.name);
        let mut models: Vec<ModelRef> = Vec::new();
        for t in design.tables.iter_mut() {
            let hit = entity_key(&t.name) == key || t.table.as_deref().is_some_and(|tb| entity_key(tb) == key);
            if hit && !key.is_empty() {
                t.entity.get_or_insert_with(|| e.name.clone());
                models.push(ModelRef {
                    name: t.name.clone(),
                    location: t.location.clone(),
                });
            }
        }
        if models.is_empty() {
            for s in design
                .schemas
                .iter_mut()
                .filter(|s| entity_key(&s.name) == key && !key.is_empty())
            {
                s.entity.get_or_insert_with(|| e.name.clone());
                models.push(ModelRef {
                    name: s.name.clone(),
                    location: s.location.clone(),
                });
            }
        }
        design.entities.push(EntityJoin {
            name: e.name.clone(),
            description: e.description.clone(),
            line: e.line,
            models,
        });
    }
    design.entities_without_model = design
        .entities
        .iter()
        .filter(|e| e.models.is_empty())
        .cloned()
        .collect();
    design.unnamed_models = design
        .tables
        .iter()
        .filter(|t| t.entity.is_none())
        .map(|t| ModelRef {
            name: t.name.clone(),
            location: t.location.clone(),
        })
        .collect();
    design.er = er_lines(code);

    // Routes ↔ endpoints the inputs name.
    design.named = named_endpoints(plan);
    for c in code {
        let component = component_name(&c.dir);
        for r in &c.routes {
            let named_in = design
                .named
                .iter()
                .find(|n| n.method == r.method && shape(&n.path) == shape(&r.path))
                .map(|n| n.source.clone());
            design.routes.push(RouteDoc {
                component: component.clone(),
                method: r.method.clone(),
                path: r.path.clone(),
                params: r.params.clone(),
                param_types: r.param_types.clone(),
                status: r.status,
                request: r.request.clone(),
                response: r.response.clone(),
                handler: r.handler.clone(),
                framework: r.framework.clone(),
                location: format!("{}:{}", r.file, r.line),
                named_in,
            });
        }
    }
    design.missing_routes = design
        .named
        .iter()
        .filter(|n| {
            !design
                .routes
                .iter()
                .any(|r| r.method == n.method && shape(&r.path) == shape(&n.path))
        })
        .cloned()
        .collect();
    design.unnamed_routes = design
        .routes
        .iter()
        .filter(|r| r.named_in.is_none() && !is_health(&r.path))
        .cloned()
        .collect();
    design
}

/// Probe and root paths, which no spec is expected to name.
pub fn is_health(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    path == "/"
        || [
            "health", "healthz", "readyz", "livez", "ready", "live", "ping", "status",
        ]
        .contains(&last)
}

/// A path with its parameter names erased: `/api/{user_id}/chat` → `/api/{}/chat`.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
        .trim_end_matches('/')
        .to_string()
}

/// A name reduced to what identifies an entity: letters and digits, lower case, without a
/// plural `s` or a trailing "entity", "model", "table", "record".
fn entity_key(name: &str) -> String {
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| ["entity", "model", "table", "record", "object"].contains(&w.as_str()))
    {
        words.pop();
    }
    let mut k: String = words.concat();
    for suffix in ["model", "table"] {
        if k.len() > suffix.len() + 2 && k.ends_with(suffix) {
            k.truncate(k.len() - suffix.len());
        }
    }
    if k.ends_with("ies") && k.len() > 4 {
        k.truncate(k.len() - 3);
        k.push('y');
    } else if k.ends_with('s') && !k.ends_with("ss") && k.len() > 3 {
        k.pop();
    }
    k
}

fn model_doc(m: &Model, component: &str) -> ModelDoc {
    ModelDoc {
        name: m.name.clone(),
        mermaid_id: mermaid_name(&m.name),
        table: m.table.clone(),
        family: m.family.clone(),
        component: component.to_string(),
        location: format!("{}:{}", m.file, m.line),
        fields: m
            .fields
            .iter()
            .map(|f| {
                let mut keys = Vec::new();
                if f.primary_key {
                    keys.push("PK");
                }
                if f.foreign_key.is_some() {
                    keys.push("FK");
                }
                if f.unique && !f.primary_key {
                    keys.push("UK");
                }
                FieldDoc {
                    name: f.name.clone(),
                    ty: f.ty.clone(),
                    mermaid_ty: mermaid_type(&f.ty),
                    nullable: f.nullable,
                    default: f.default.clone(),
                    keys: keys.join(", "),
                    references: f.foreign_key.clone(),
                    indexed: f.indexed,
                    location: format!("{}:{}", m.file, f.line),
                }
            })
            .collect(),
        indexes: m
            .indexes
            .iter()
            .map(|i| {
                format!(
                    "{}{}({}) at {}:{}",
                    if i.unique { "unique " } else { "" },
                    i.name.as_deref().map(|n| format!("{n} ")).unwrap_or_default(),
                    i.columns.join(", "),
                    m.file,
                    i.line
                )
            })
            .collect(),
        relations: m
            .relations
            .iter()
            .map(|r| {
                format!(
                    "{} → {}{} at {}:{}",
                    r.name,
                    if r.many { "many " } else { "one " },
                    r.target,
                    m.file,
                    r.line
                )
            })
            .collect(),
        entity: None,
        bases: m.bases.clone(),
    }
}

/// An identifier Mermaid accepts as an entity name.
pub fn mermaid_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("E{s}")
    } else {
        s
    }
}

/// A type as one word: `Optional[int]` → `int`, `List["Message"]` → `Message_list`.
fn mermaid_type(ty: &str) -> String {
    let (inner, _) = crate::parse::schema::python::unwrap_optional(ty);
    let (inner, list) = match crate::parse::schema::python::list_item(&inner) {
        Some(i) => (i, true),
        None => (inner, false),
    };
    let word: String = inner
        .trim_end_matches('?')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let word = word.trim_matches('_').to_string();
    let word = if word.is_empty() { "any".to_string() } else { word };
    let word = if word.starts_with(|c: char| c.is_ascii_digit()) {
        format!("t{word}")
    } else {
        word
    };
    if list || ty.ends_with("[]") {
        format!("{word}_list")
    } else {
        word
    }
}

fn er_lines(code: &[ComponentCode]) -> Vec<ErLine> {
    let tables: Vec<&Model> = code
        .iter()
        .flat_map(|c| c.models.iter())
        .filter(|m| m.persisted)
        .collect();
    let find = |name: &str| -> Option<&Model> {
        let n = name.to_lowercase();
        tables
            .iter()
            .find(|m| m.table.as_deref().is_some_and(|t| t.to_lowercase() == n))
            .or_else(|| tables.iter().find(|m| m.name.to_lowercase() == n))
            .or_else(|| tables.iter().find(|m| entity_key(&m.name) == entity_key(name)))
            .copied()
    };
    let mut out: Vec<ErLine> = Vec::new();
    for m in &tables {
        for f in &m.fields {
            let Some(fk) = &f.foreign_key else { continue };
            let target = fk.rsplit_once('.').map(|(t, _)| t).unwrap_or(fk);
            let Some(t) = find(target) else { continue };
            let cardinality = match (f.unique, f.nullable) {
                (true, true) => "|o--o|",
                (true, false) => "||--o|",
                (false, true) => "|o--o{",
                (false, false) => "||--o{",
            };
            out.push(ErLine {
                left: mermaid_name(&t.name),
                cardinality: cardinality.into(),
                right: mermaid_name(&m.name),
                label: f.name.clone(),
                source: format!("{}:{} foreign key {} → {}", m.file, f.line, f.name, fk),
            });
        }
    }
    for m in &tables {
        for r in m.relations.iter().filter(|r| r.many) {
            let Some(t) = find(&r.target) else { continue };
            let (a, b) = (mermaid_name(&m.name), mermaid_name(&t.name));
            if out
                .iter()
                .any(|l| (l.left == a && l.right == b) || (l.left == b && l.right == a))
            {
                continue;
            }
            // A list on both sides with no key between them is many-to-many.
            let back = t
                .relations
                .iter()
                .any(|x| x.many && find(&x.target).is_some_and(|y| y.name == m.name));
            out.push(ErLine {
                left: a,
                cardinality: if back || m.family == "Django" {
                    "}o--o{"
                } else {
                    "||--o{"
                }
                .into(),
                right: b,
                label: r.name.clone(),
                source: format!("{}:{} relation {}", m.file, r.line, r.name),
            });
        }
    }
    out
}

/// `POST /api/{user_id}/chat` and the like, in requirements and the plan input.
pub fn named_endpoints(plan: &Plan) -> Vec<NamedEndpoint> {
    let mut out: Vec<NamedEndpoint> = Vec::new();
    let input_path = plan
        .inputs
        .iter()
        .find(|i| i.role.starts_with("plan input"))
        .map(|i| i.path.clone())
        .unwrap_or_default();
    let texts = plan
        .spec
        .requirements
        .iter()
        .map(|r| (r.text.clone(), format!("{} ({}:{})", r.id, plan.spec.path, r.line)))
        .chain(
            plan.notes
                .iter()
                .map(|n| (n.text.clone(), format!("{input_path}:{}", n.line))),
        );
    for (text, source) in texts {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '`')
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            let method = pair[0].to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str())
                && pair[0].chars().all(|c| c.is_ascii_uppercase())
            {
                let path = pair[1].trim_end_matches(['.', ',', ';', ')']);
                if path.starts_with('/') && path.chars().all(|c| c.is_ascii_alphanumeric() || "/{}_-.:".contains(c)) {
                    let (path, _) = crate::parse::routes::normalize(path);
                    if !out.iter().any(|o| o.method == method && o.path == path) {
                        out.push(NamedEndpoint {
                            method,
                            path,
                            source: source.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_meet_model_names() {
        assert_eq!(entity_key("Conversation Message"), entity_key("ConversationMessage"));
        assert_eq!(entity_key("Tasks"), entity_key("task"));
        assert_eq!(entity_key("Task Entity"), "task");
        assert_eq!(entity_key("Category"), entity_key("categories"));
        assert_eq!(entity_key("NoteModel"), "note");
        assert_ne!(entity_key("Status"), entity_key("Stat"));
    }

    #[test]
    fn mermaid_words() {
        assert_eq!(mermaid_type("Optional[int]"), "int");
        assert_eq!(mermaid_type("List[\"Message\"]"), "Message_list");
        assert_eq!(mermaid_type("varchar(255)"), "varchar_255");
        assert_eq!(mermaid_type("String?"), "String");
        assert_eq!(shape("/api/{user_id}/chat/"), "/api/{}/chat");
    }
}
