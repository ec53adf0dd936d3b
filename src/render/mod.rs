//! Stage 4, run twice: the resolved plan to the deployables ([`Run::deployables`]: Dockerfiles,
//! manifests, the chart, the contracts), and, after the gates, the plan and the gate report to
//! the planning documents ([`Run::documents`]).
//!
//! Documents are Jinja templates run by minijinja ([`environment`]). The defaults are compiled
//! into the binary; a workspace may replace any of them by putting a file of the same name
//! and the `.jinja` extension under its own `templates/` folder (the mdBook approach). A typo
//! in a template is an error rather than an empty string, and nothing is HTML-escaped,
//! because the output is Markdown, not HTML.

pub mod agent_context;
pub mod agents;
pub mod build;
pub mod contracts;
pub mod docker;
pub mod explain;
pub mod helm;
pub mod k8s;
pub mod ops;
pub mod shell;
pub mod skaffold;
pub mod workspace_file;

use std::collections::BTreeMap;

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
        builtin: include_str!("../../templates/plan.md.jinja"),
    },
    Document {
        name: "research.md",
        builtin: include_str!("../../templates/research.md.jinja"),
    },
    Document {
        name: "data-model.md",
        builtin: include_str!("../../templates/data-model.md.jinja"),
    },
    Document {
        name: "quickstart.md",
        builtin: include_str!("../../templates/quickstart.md.jinja"),
    },
    Document {
        name: "checklists/requirements.md",
        builtin: include_str!("../../templates/checklists/requirements.md.jinja"),
    },
];

/// Templates as the run will use them: overrides from the workspace win.
pub struct Templates<'a> {
    pub overrides: &'a BTreeMap<String, SourceId>,
    pub sources: &'a Sources,
}

/// What rendering any feature of a run shares: the document and Dockerfile templates, each
/// set compiled on first use (a run whose features are all skipped compiles none).
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
    pub fn deployables(&self, plan: &Plan, out_dir: &str, diags: &mut Diagnostics) -> Deployables {
        let mut files: Vec<(String, String)> = Vec::new();
        let mut chart = None;
        if let Some(d) = &plan.deployment {
            files.extend(docker::dockerfiles_in(d, self.catalog, &self.docker, out_dir, diags));
            files.extend(k8s::manifests(d).into_iter().map(|m| (m.path, m.text)));
            let values = helm::values_files(d);
            files.extend(helm::chart(d, &plan.feature.title, out_dir, &values));
            files.extend(skaffold::skaffold(d, out_dir).map(|s| (skaffold::FILE.to_string(), s)));
            files.extend(contracts::contracts(plan, d, out_dir, &values));
            chart = Some(helm::chart_doc(d, &values));
        }
        if let Some(api) = contracts::openapi(plan) {
            files.push(("contracts/openapi.yaml".into(), api));
        }
        Deployables { files, chart }
    }

    fn renderer(&self) -> &Renderer {
        self.renderer.get_or_init(|| Renderer::new(&self.templates))
    }

    /// The planning documents of one feature, which report the gates' verdict. `files` are
    /// every file the feature gets ([`file_names`]); `deployables` are what
    /// [`Run::deployables`] made of the same plan (plan.md's chart table reads its values files).
    pub fn documents(
        &self,
        plan: &Plan,
        report: &Report,
        out_dir: &str,
        files: &[String],
        deployables: &Deployables,
        diags: &mut Diagnostics,
    ) -> Vec<(String, String)> {
        let ctx = Context {
            plan,
            report,
            files,
            out_dir,
            ops: plan.deployment.as_ref().map(|d| ops::ops(d, out_dir)),
            helm: deployables.chart.as_ref(),
        };
        self.renderer().documents(&ctx, &self.templates, diags)
    }
}

/// What [`Run::deployables`] makes of one feature: its files by path relative to its output
/// folder, and the chart's values table, kept for plan.md so the values files are computed
/// once.
pub struct Deployables {
    pub files: Vec<(String, String)>,
    chart: Option<helm::ChartDoc>,
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
    helm: Option<&'a helm::ChartDoc>,
}

/// The engine every template of sp runs in, documents and Dockerfiles alike.
///
/// The settings make a template read like the text it writes: a block tag (`{% if %}`,
/// `{% for %}`, `{% include %}`) alone on its line leaves no line behind (`trim_blocks`,
/// `lstrip_blocks`), a value that is `none` prints nothing, and nothing is HTML-escaped,
/// because the output is Markdown and Dockerfiles. Undefined values are errors wherever they
/// are printed or iterated (a misspelt field is SP501, not an empty string) but may be
/// tested with `{% if %}`, so a template can ask whether an optional field is there.
pub(crate) fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    // A Markdown table cell: a `|` would end the cell, a newline the row.
    env.add_filter("cell", |s: &str| s.replace('|', "\\|").replace('\n', " "));
    // A Mermaid node id: letters, digits and `_` only, so `mcp-server` cannot read as an edge.
    env.add_filter("mid", |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    });
    // `{{ n|plural("story", "stories") }}`: English plurals are too irregular to guess.
    env.add_filter("plural", |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    });
    env
}

/// The compiled document templates of a run, built once and used for every feature.
pub struct Renderer {
    env: minijinja::Environment<'static>,
    /// Templates that failed to compile, with the diagnostic to report per feature.
    broken: BTreeMap<&'static str, Diagnostic>,
}

impl Renderer {
    /// Compile the templates, taking workspace overrides over the built-in ones. Templates
    /// that fail to compile are reported (SP501) when a document would use them.
    pub fn new(templates: &Templates) -> Self {
        let mut env = environment();
        let mut broken = BTreeMap::new();
        for doc in DOCUMENTS {
            let source = templates.overrides.get(doc.name).copied();
            let added = match source {
                Some(id) => env.add_template_owned(doc.name, templates.sources.get(id).text.clone()),
                None => env.add_template(doc.name, doc.builtin),
            };
            if let Err(e) = added {
                broken.insert(doc.name, template_error(doc.name, source, templates.sources, &e));
            }
        }
        Renderer { env, broken }
    }

    /// Render every planning document of one feature. Template problems become SP501
    /// diagnostics pointing into the template, and the document is left out.
    fn documents(&self, ctx: &Context, templates: &Templates, diags: &mut Diagnostics) -> Vec<(String, String)> {
        // Converted once for all documents.
        let ctx = minijinja::Value::from_serialize(ctx);
        let mut out = Vec::new();
        for doc in DOCUMENTS {
            if let Some(d) = self.broken.get(doc.name) {
                diags.push(d.clone());
                continue;
            }
            let rendered = self.env.get_template(doc.name).and_then(|t| t.render(&ctx));
            match rendered {
                Ok(s) => out.push((doc.name.to_string(), tidy(&s))),
                Err(e) => {
                    let source = templates.overrides.get(doc.name).copied();
                    diags.push(template_error(doc.name, source, templates.sources, &e));
                }
            }
        }
        out
    }
}

/// What minijinja says went wrong, without the location it also prints (the diagnostic
/// carries that).
fn reason(e: &minijinja::Error) -> String {
    let mut reason = e.kind().to_string();
    if let Some(detail) = e.detail() {
        reason = format!("{reason}: {detail}");
    }
    reason
}

fn template_error(name: &str, source: Option<SourceId>, sources: &Sources, e: &minijinja::Error) -> Diagnostic {
    let d = Diagnostic::new(Code::TemplateError, format!("template `{name}` failed: {}", reason(e)))
        .hint("fix the template, or delete the override to use the built-in one");
    match source {
        Some(id) => {
            let text = &sources.get(id).text;
            let range = match e.range() {
                Some(r) if r.end <= text.len() => r,
                _ => {
                    let offset = offset_of(text, e.line().unwrap_or(1), 1);
                    offset..offset
                }
            };
            d.at(Span::new(id, range))
        }
        None => d.at_path(format!(
            "templates/{name}.jinja{} (built in)",
            e.line().map(|l| format!(":{l}")).unwrap_or_default()
        )),
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

    fn render(template: &str, ctx: serde_json::Value) -> String {
        let mut env = environment();
        env.add_template("t", template).unwrap();
        env.get_template("t").unwrap().render(ctx).unwrap()
    }

    #[test]
    fn a_block_tag_alone_on_its_line_leaves_no_line() {
        let t = "a\n  {% if yes %}\n  b\n  {% endif %}\nc {% if yes %}d{% endif +%}\ne\n";
        assert_eq!(render(t, serde_json::json!({"yes": true})), "a\n  b\nc d\ne\n");
    }

    #[test]
    fn none_prints_nothing_and_markdown_is_not_escaped() {
        let t = "[{{ gone }}] {{ text }}";
        let out = render(t, serde_json::json!({"gone": null, "text": "<a> & `b`"}));
        assert_eq!(out, "[] <a> & `b`");
    }

    #[test]
    fn the_filters_sp_adds() {
        let t =
            "{{ c|cell }}|{{ m|mid }}|{{ 1|plural(\"story\", \"stories\") }}|{{ 3|plural(\"story\", \"stories\") }}";
        let out = render(t, serde_json::json!({"c": "a|b\nc", "m": "mcp-server"}));
        assert_eq!(out, "a\\|b c|mcp_server|1 story|3 stories");
    }

    #[test]
    fn an_undefined_value_is_an_error_where_printed_not_where_tested() {
        let mut env = environment();
        env.add_template("printed", "{{ plan.nope }}").unwrap();
        env.add_template("tested", "{% if plan.nope %}x{% endif %}ok").unwrap();
        let ctx = serde_json::json!({"plan": {}});
        assert!(env.get_template("printed").unwrap().render(&ctx).is_err());
        assert_eq!(env.get_template("tested").unwrap().render(&ctx).unwrap(), "ok");
    }

    #[test]
    fn offsets_from_line_and_column() {
        assert_eq!(offset_of("ab\ncd\n", 2, 2), 4);
        assert_eq!(offset_of("ab", 9, 1), 2);
    }
}
