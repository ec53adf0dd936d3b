//! Stage 4, run twice: the resolved plan to the deployables ([`Run::deployables`]: Dockerfiles,
//! manifests, the chart, the contracts), and, after the gates, the plan and the gate report to
//! the planning documents ([`Run::documents`]).
//!
//! Documents are handlebars templates. The defaults are compiled into the binary; a
//! workspace may replace any of them by putting a file of the same name under its own
//! `templates/` folder (the mdBook approach). Strict mode is on, so a typo in a template is
//! an error rather than an empty string, and HTML escaping is off, because the output is
//! Markdown, not HTML.

pub mod agent_context;
pub mod agents;
pub mod build;
pub mod contracts;
pub mod docker;
pub mod explain;
pub mod helm;
pub mod k8s;
pub mod ops;
pub mod pieces;
pub mod shell;
pub mod skaffold;
pub mod workspace_file;

use std::collections::BTreeMap;

use handlebars::{Handlebars, handlebars_helper};
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::gates::Report;
use crate::model::Plan;
use crate::source::{SourceId, Sources, Span};

/// A document template: its name (the output path below the feature folder) and its
/// built-in text.
pub struct Document {
    pub name: &'static str,
    pub builtin: &'static str,
}

/// The planning documents, in the order they are listed in plan.md's structure.
pub const DOCUMENTS: &[Document] = &[
    Document {
        name: "plan.md",
        builtin: include_str!("../../templates/plan.md.hbs"),
    },
    Document {
        name: "research.md",
        builtin: include_str!("../../templates/research.md.hbs"),
    },
    Document {
        name: "data-model.md",
        builtin: include_str!("../../templates/data-model.md.hbs"),
    },
    Document {
        name: "quickstart.md",
        builtin: include_str!("../../templates/quickstart.md.hbs"),
    },
    Document {
        name: "checklists/requirements.md",
        builtin: include_str!("../../templates/checklists/requirements.md.hbs"),
    },
];

/// Templates as the run will use them: overrides from the workspace win.
pub struct Templates<'a> {
    pub overrides: &'a BTreeMap<String, SourceId>,
    pub sources: &'a Sources,
}

/// What rendering any feature of a run shares: the document templates, compiled on first
/// use (a run whose features are all skipped compiles none), and the Dockerfile templates.
pub struct Run<'a> {
    templates: Templates<'a>,
    renderer: std::sync::OnceLock<Renderer>,
    docker: docker::Templates,
    catalog: &'a crate::catalog::Catalog,
}

impl<'a> Run<'a> {
    pub fn new(templates: Templates<'a>, catalog: &'a crate::catalog::Catalog) -> Self {
        Run {
            templates,
            renderer: std::sync::OnceLock::new(),
            docker: docker::Templates::default(),
            catalog,
        }
    }

    /// The deployables of one feature, by path relative to its output folder: Dockerfiles,
    /// manifests, the chart, skaffold.yaml and the contracts when it deploys, the OpenAPI
    /// contract when it has an API. `out_dir` is the output folder as documents name it.
    pub fn deployables(&self, plan: &Plan, out_dir: &str, diags: &mut Diagnostics) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(d) = &plan.deployment {
            out.extend(docker::dockerfiles_in(d, self.catalog, &self.docker, out_dir, diags));
            out.extend(k8s::manifests(d).into_iter().map(|m| (m.path, m.text)));
            out.extend(helm::chart(d, &plan.feature.title, out_dir));
            out.extend(skaffold::skaffold(d, out_dir).map(|s| (skaffold::FILE.to_string(), s)));
            out.extend(contracts::contracts(plan, d, out_dir));
        }
        if let Some(api) = contracts::openapi(plan) {
            out.push(("contracts/openapi.yaml".into(), api));
        }
        out
    }

    /// Compile the document templates now, if not done yet (they are otherwise compiled by
    /// the first [`Run::documents`], which waits for a compile already under way).
    pub fn prepare(&self) {
        self.renderer();
    }

    fn renderer(&self) -> &Renderer {
        self.renderer.get_or_init(|| Renderer::new(&self.templates))
    }

    /// The planning documents of one feature, which report the gates' verdict. `files` are
    /// every file the feature gets ([`file_names`]).
    pub fn documents(
        &self,
        plan: &Plan,
        report: &Report,
        out_dir: &str,
        files: &[String],
        diags: &mut Diagnostics,
    ) -> Vec<(String, String)> {
        self.renderer()
            .documents(plan, report, out_dir, files, &self.templates, diags)
    }
}

/// Every file a feature gets, relative to its output folder: the documents and the
/// deployables, sorted.
pub fn file_names(deployables: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = DOCUMENTS.iter().map(|d| d.name.to_string()).collect();
    names.extend(deployables.iter().map(|(p, _)| p.clone()));
    names.sort();
    names
}

#[derive(Serialize)]
struct Context<'a> {
    plan: &'a Plan,
    report: &'a Report,
    /// Every file this run writes for the feature, relative to its output folder.
    files: &'a [String],
    /// The output folder relative to the workspace root (`out/006-k8s-deployment`).
    out_dir: &'a str,
    /// Commands and sizes for the quickstart; `None` without a deployment.
    ops: Option<ops::Ops>,
    /// The Helm chart's metadata and values table; `None` without a deployment.
    helm: Option<helm::ChartDoc>,
}

impl<'a> Context<'a> {
    fn new(plan: &'a Plan, report: &'a Report, out_dir: &'a str, files: &'a [String]) -> Self {
        Context {
            plan,
            report,
            files,
            out_dir,
            ops: plan.deployment.as_ref().map(|d| ops::ops(d, out_dir)),
            helm: plan.deployment.as_ref().map(helm::chart_doc),
        }
    }
}

handlebars_helper!(cell: |s: str| s.replace('|', "\\|").replace('\n', " "));
handlebars_helper!(join: |v: array, sep: str| v.iter().map(|x| match x {
    serde_json::Value::String(s) => s.clone(),
    other => other.to_string(),
}).collect::<Vec<_>>().join(sep));
handlebars_helper!(len: |v: array| v.len());
handlebars_helper!(eq: |a: Json, b: Json| a == b);
handlebars_helper!(lower: |s: str| s.to_lowercase());
// A Mermaid node id: letters, digits and `_` only, so `mcp-server` cannot read as an edge.
handlebars_helper!(mid: |s: str| s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>());
// `{{plural n "story" "stories"}}`: English plurals are too irregular to guess.
handlebars_helper!(plural: |n: u64, one: str, many: str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") });

fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("cell", Box::new(cell));
    hb.register_helper("join", Box::new(join));
    hb.register_helper("len", Box::new(len));
    hb.register_helper("eq", Box::new(eq));
    hb.register_helper("lower", Box::new(lower));
    hb.register_helper("mid", Box::new(mid));
    hb.register_helper("plural", Box::new(plural));
    hb
}

/// The compiled templates of a run, built once and used for every feature.
pub struct Renderer {
    hb: Handlebars<'static>,
    /// Each document's pieces ([`pieces`]): the registered name and where its lines come
    /// from in the template.
    pieces: BTreeMap<&'static str, Vec<(String, pieces::Lines)>>,
    /// Templates that failed to compile, with the diagnostic to report per feature.
    broken: BTreeMap<&'static str, Diagnostic>,
}

impl Renderer {
    /// Compile the templates, taking workspace overrides over the built-in ones. Templates
    /// that fail to compile are reported (SP501) when a document would use them.
    pub fn new(templates: &Templates) -> Self {
        let mut hb = registry();
        let mut broken = BTreeMap::new();
        let mut all = BTreeMap::new();
        for doc in DOCUMENTS {
            let (text, source) = match templates.overrides.get(doc.name) {
                Some(id) => (templates.sources.get(*id).text.as_str(), Some(*id)),
                None => (doc.builtin, None),
            };
            let mut names = Vec::new();
            for (i, piece) in pieces::pieces(text).into_iter().enumerate() {
                let name = format!("{}#{i}", doc.name);
                if let Err(e) = hb.register_template_string(&name, &piece.text) {
                    let (line, col) = e.pos().unwrap_or((1, 1));
                    let line = piece.lines.line(line);
                    let reason = e.reason().to_string();
                    broken.insert(
                        doc.name,
                        template_error(doc.name, source, templates.sources, line, col, &reason),
                    );
                    break;
                }
                names.push((name, piece.lines));
            }
            all.insert(doc.name, names);
        }
        Renderer {
            hb,
            pieces: all,
            broken,
        }
    }

    /// Render one document piece by piece; an error carries the line in the whole template.
    fn render(&self, doc: &str, ctx: &handlebars::Context) -> Result<String, (usize, usize, String)> {
        let mut out = String::new();
        for (name, lines) in self.pieces.get(doc).into_iter().flatten() {
            match self.hb.render_with_context(name, ctx) {
                Ok(s) => out.push_str(&s),
                Err(e) => {
                    let line = lines.line(e.line_no.unwrap_or(1));
                    return Err((line, e.column_no.unwrap_or(1), e.reason().to_string()));
                }
            }
        }
        Ok(out)
    }

    /// Render every planning document of one feature. Template problems become SP501
    /// diagnostics pointing into the template, and the document is left out.
    pub fn documents(
        &self,
        plan: &Plan,
        report: &Report,
        out_dir: &str,
        files: &[String],
        templates: &Templates,
        diags: &mut Diagnostics,
    ) -> Vec<(String, String)> {
        let ctx = Context::new(plan, report, out_dir, files);
        // Serialise the context once for all documents.
        let ctx = match handlebars::Context::wraps(&ctx) {
            Ok(c) => c,
            Err(e) => {
                diags.push(Diagnostic::new(
                    Code::TemplateError,
                    format!("cannot build the template context: {e}"),
                ));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for doc in DOCUMENTS {
            if let Some(d) = self.broken.get(doc.name) {
                diags.push(d.clone());
                continue;
            }
            match self.render(doc.name, &ctx) {
                Ok(s) => out.push((doc.name.to_string(), tidy(&s))),
                Err((line, col, reason)) => {
                    let source = templates.overrides.get(doc.name).copied();
                    diags.push(template_error(doc.name, source, templates.sources, line, col, &reason));
                }
            }
        }
        out
    }
}

fn template_error(
    name: &str,
    source: Option<SourceId>,
    sources: &Sources,
    line: usize,
    col: usize,
    reason: &str,
) -> Diagnostic {
    let d = Diagnostic::new(Code::TemplateError, format!("template `{name}` failed: {reason}"))
        .hint("fix the template, or delete the override to use the built-in one");
    match source {
        Some(id) => {
            let text = &sources.get(id).text;
            let offset = offset_of(text, line, col);
            let end = text[offset..].find('}').map(|e| offset + e + 1).unwrap_or(offset);
            d.at(Span::new(id, offset..end.max(offset)))
        }
        None => d.at_path(format!("templates/{name}.hbs (built in)")),
    }
}

fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
            return (offset + col_bytes).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// Normalise what templates leave behind: no trailing spaces, at most one blank line in a
/// row, exactly one newline at the end. Keeps templates readable without `~` everywhere.
pub(crate) fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    let mut in_fence = false;
    for line in s.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if line.is_empty() && !in_fence {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_collapses_blank_runs_and_trailing_space() {
        assert_eq!(tidy("\n\na  \n\n\n\nb\n\n"), "a\n\nb\n");
    }

    #[test]
    fn offsets_from_line_and_column() {
        assert_eq!(offset_of("ab\ncd\n", 2, 2), 4);
        assert_eq!(offset_of("ab", 9, 1), 2);
    }
}
