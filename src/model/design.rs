//! The design read from the repository's source, joined to the spec: data models (tables
//! and schemas) for data-model.md, routes for the OpenAPI contract, and what the spec names
//! that the source lacks (and the reverse).

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Design {
    /// Persisted models (tables), in component then file order.
    pub tables: Vec<ModelDoc>,
    /// Request and response schemas (Pydantic, non-table SQLModel classes).
    pub schemas: Vec<ModelDoc>,
    /// The spec's Key Entities, each with the models that implement it.
    pub entities: Vec<EntityJoin>,
    /// Spec entities no model implements.
    pub entities_without_model: Vec<EntityJoin>,
    /// Persisted models no spec entity names.
    pub unnamed_models: Vec<ModelRef>,
    /// `erDiagram` relationship lines, with cardinalities.
    pub er: Vec<ErLine>,
    /// Routes found in the source.
    pub routes: Vec<RouteDoc>,
    /// `METHOD /path` the spec or plan input names that no route in the source serves.
    pub missing_routes: Vec<NamedEndpoint>,
    /// Routes the source serves that neither the spec nor the plan input names (health
    /// endpoints excepted).
    pub unnamed_routes: Vec<RouteDoc>,
    /// Endpoints named in the inputs.
    pub named: Vec<NamedEndpoint>,
    /// Source files read for models and routes.
    pub files_read: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelDoc {
    pub name: String,
    pub mermaid_id: String,
    pub table: Option<String>,
    pub family: String,
    /// Component folder the model lives in.
    pub component: String,
    /// `api/app/models.py:12`
    pub location: String,
    pub fields: Vec<FieldDoc>,
    pub indexes: Vec<String>,
    pub relations: Vec<String>,
    /// The spec entity this model implements, if any.
    pub entity: Option<String>,
    pub bases: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldDoc {
    pub name: String,
    pub ty: String,
    /// The type as one Mermaid word.
    pub mermaid_ty: String,
    pub nullable: bool,
    pub default: Option<String>,
    /// `PK`, `FK`, `UK`, comma-separated, as Mermaid writes them.
    pub keys: String,
    pub references: Option<String>,
    pub indexed: bool,
    pub location: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityJoin {
    pub name: String,
    pub description: String,
    pub line: usize,
    /// Names of the models that implement it, with their locations.
    pub models: Vec<ModelRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelRef {
    pub name: String,
    pub location: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErLine {
    pub left: String,
    pub cardinality: String,
    pub right: String,
    pub label: String,
    /// What the line was derived from (`api/app/models.py:14 foreign key user_id`).
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteDoc {
    pub component: String,
    pub method: String,
    pub path: String,
    pub params: Vec<String>,
    /// Declared types of path parameters, by name, as the code writes them.
    pub param_types: std::collections::BTreeMap<String, String>,
    /// The success status the code declares (`status_code=201`); 200 otherwise.
    pub status: Option<u16>,
    pub request: Option<String>,
    pub response: Option<String>,
    pub handler: Option<String>,
    pub framework: String,
    pub location: String,
    /// Where the inputs name it, if they do.
    pub named_in: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedEndpoint {
    pub method: String,
    pub path: String,
    /// `specs/001-x/spec.md:32` or `specs/001-x/plan-input.md:12`.
    pub source: String,
}
