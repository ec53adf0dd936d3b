//! `sp`: a spec-driven artifact compiler.
//!
//! `sp plan` turns a spec-kit feature (`specs/NNN-slug/spec.md`), the project's
//! constitution and the plan input into planning documents, the way `/sp.plan` does, but
//! deterministically and in milliseconds. The pipeline, one module per stage:
//!
//! 1. [`load`]: find the workspace, read every input into the [`source::Sources`] table.
//!    One of two modules that touch the disk.
//! 2. [`parse`]: Markdown to typed syntax with spans (spec, constitution, plan input).
//! 3. [`resolve`]: syntax to the resolved [`model::Plan`], each value with its origin.
//! 4. [`render`]: the deployment to Dockerfiles, manifests, the Helm chart and contracts.
//! 5. [`gates`]: the built-in gates on those artifacts, the constitution bound to them, and
//!    the spec quality checklist; then `render` again for the documents that report them.
//! 6. [`emit`]: compare with the disk, diff, write atomically. The other module that
//!    touches the disk.
//!
//! Problems in the input are [`diagnostics::Diagnostic`]s, collected across all stages
//! and reported together; failures of the tool itself are [`error::Error`]s.

pub mod catalog;
pub mod cli;
pub mod diagnostics;
pub mod emit;
pub mod error;
pub mod gates;
pub mod load;
pub mod model;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod review;
pub mod source;
pub mod wrap;
pub mod yaml;

use std::path::{Path, PathBuf};

use diagnostics::{Code, Diagnostic, Diagnostics};
use emit::OutputTree;
use load::{Selection, Workspace};
use source::Span;

/// What one compilation produced: the sources (for rendering diagnostics), the findings,
/// and one [`Feature`] per selected feature.
pub struct Compilation {
    pub workspace: Workspace,
    pub diagnostics: Diagnostics,
    /// Whether an input every feature shares (the constitution, a template override) has an
    /// error: then no feature may be written.
    pub shared_errors: bool,
    pub features: Vec<Feature>,
}

/// One compiled feature.
pub struct Feature {
    pub name: String,
    /// `None` when the feature folder has no spec.md.
    pub plan: Option<model::Plan>,
    pub report: Option<gates::Report>,
    /// The generated files, by path relative to the output root (starting with the name).
    pub tree: OutputTree,
    /// An error was reported while compiling this feature: it must not be written.
    pub failed: bool,
    /// Every input the feature was compiled from, by path, with its content hash (the
    /// record of what sp wrote keeps them, to tell why output is stale).
    pub inputs: std::collections::BTreeMap<String, String>,
}

impl Compilation {
    /// The features that compiled without errors and may be written.
    pub fn writable(&self) -> impl Iterator<Item = &Feature> {
        self.features.iter().filter(move |f| !f.failed && !self.shared_errors)
    }

    pub fn plans(&self) -> impl Iterator<Item = &model::Plan> {
        self.features.iter().filter_map(|f| f.plan.as_ref())
    }

    /// The output of every feature in one tree.
    pub fn tree(&self) -> OutputTree {
        let mut all = OutputTree::default();
        for f in &self.features {
            for (p, t) in f.tree.files() {
                all.insert(p.clone(), t.clone()).expect("checked when first inserted");
            }
        }
        all
    }
}

/// What the command line adds to the inputs on disk.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--set key=value` assignments, the highest-precedence input.
    pub set: Vec<String>,
}

/// How documents name the output folder. Always the workspace's `out/`, wherever `--out`
/// writes, so the same inputs give the same bytes in any folder (and a scratch run can be
/// diffed against the committed tree).
pub const OUT_DISPLAY: &str = "out";

/// Run stages 1 to 5 for the selected features of the workspace at `root`. Output paths in
/// the tree are relative to the output root, starting with the feature name.
pub fn compile(root: &Path, selection: &Selection, options: &Options) -> error::Result<Compilation> {
    let mut diags = Diagnostics::default();
    let workspace = load::load(root, selection, &mut diags)?;
    Ok(compile_workspace(workspace, options, diags))
}

/// Stages 2 to 5 on a workspace already loaded (from disk by [`load::load`], or built in
/// memory by [`load::in_memory`]); `diags` holds what loading found.
pub fn compile_workspace(mut workspace: Workspace, options: &Options, mut diags: Diagnostics) -> Compilation {
    // Secrets are cut out of every input before anything reads it, so no document,
    // diagnostic or log line can repeat them.
    let inputs: Vec<source::SourceId> = workspace
        .constitution
        .into_iter()
        .chain(
            workspace
                .features
                .iter()
                .flat_map(|f| [f.spec, f.plan_input, f.existing_plan])
                .flatten(),
        )
        .collect();
    parse::secrets::redact(&mut workspace.sources, &inputs, &mut diags);
    let mut set = options.set.clone();
    parse::secrets::redact_set(&mut set, &mut diags);
    let options = &Options { set };
    let sources = &workspace.sources;

    // Parse once per run what all features share.
    let constitution = workspace
        .constitution
        .map(|id| parse::constitution::parse(sources.get(id), id, &mut diags));

    let templates = render::Templates {
        overrides: &workspace.templates,
        sources,
    };
    let renderer = render::Renderer::new(&templates);
    let catalog = catalog::Catalog::builtin();
    // The models and routes of the repository, shared by every feature.
    let code = resolve::design::read(&workspace.repo, sources);

    // Errors found so far belong to the feature whose folder they point into, or to all.
    let root = workspace.root.clone();
    let early: Vec<Option<PathBuf>> = diags
        .iter()
        .filter(|d| d.severity == diagnostics::Severity::Error)
        .map(|d| match &d.location {
            Some(diagnostics::Location::Span(s)) => Some(sources.get(s.source).path.clone()),
            Some(diagnostics::Location::Path(p) | diagnostics::Location::PathAt { path: p, .. }) => Some(p.clone()),
            None => None,
        })
        .collect();
    let in_feature = |p: &Option<PathBuf>, f: &load::FeatureFiles| {
        p.as_ref()
            .is_some_and(|p| p.starts_with(&f.dir) || p.starts_with(root.join(&f.dir)))
    };
    let shared_errors = early
        .iter()
        .any(|p| !workspace.features.iter().any(|f| in_feature(p, f)));
    let mut features = Vec::new();
    for f in &workspace.features {
        let early_error = early.iter().any(|p| in_feature(p, f));
        let errors_before = diags.count(diagnostics::Severity::Error);
        let mut tree = OutputTree::default();
        let inputs = feature_inputs(&workspace, f, options);
        let Some(spec_id) = f.spec else {
            features.push(Feature {
                name: f.name.clone(),
                plan: None,
                report: None,
                tree,
                failed: early_error,
                inputs,
            });
            continue;
        };
        let spec_file = sources.get(spec_id);
        let spec = parse::spec::parse(spec_file, spec_id, &mut diags);
        let plan_input = match (f.plan_input, f.existing_plan) {
            (Some(id), _) => Some(parse::plan_input::parse(sources.get(id), id)),
            (None, Some(id)) => {
                let adopted = parse::plan_input::parse_adopted(sources.get(id), id);
                let d = match &adopted {
                    Some(_) => Diagnostic::new(Code::AdoptedPlan, "no plan-input.md: using the Technical Context of the existing plan.md")
                        .hint("sp never overwrites this plan.md; its own output goes to the output folder. Write plan-input.md to take over"),
                    None => Diagnostic::new(Code::MissingPlanInput, "no plan-input.md, and the existing plan.md has no Technical Context")
                        .hint("write specs/<feature>/plan-input.md, or run `sp plan <feature> \"<what you would type after /sp.plan>\"`"),
                };
                diags.push(d.at(Span::new(id, 0..0)));
                adopted
            }
            (None, None) => {
                diags.push(
                    Diagnostic::new(Code::MissingPlanInput, format!("feature `{}` has no plan-input.md", f.name))
                        .at_path(f.dir.join("plan-input.md"))
                        .hint("every Technical Context key will say NEEDS CLARIFICATION; run `sp plan <feature> \"<what you would type after /sp.plan>\"` to save one"),
                );
                None
            }
        };
        let parsed = resolve::ParsedFeature {
            name: f.name.clone(),
            dir: source::display_path(&f.dir),
            spec,
            plan_input,
            date_override: workspace.date_override.clone(),
        };
        let mut plan = resolve::resolve(&parsed, constitution.as_ref(), &mut diags);
        (plan.scope, plan.deployment) = resolve::deploy::resolve(
            &resolve::deploy::DeployInputs {
                feature: &f.name,
                spec: &parsed.spec,
                plan_input: parsed.plan_input.as_ref(),
                constitution: constitution.as_ref(),
                stack: &plan.stack,
                context: &plan.context,
                repo: &workspace.repo,
                sources,
                set: &options.set,
                catalog: &catalog,
            },
            &mut diags,
        );
        resolve::complete_context(&parsed, &mut plan, &mut diags);
        if let Some(d) = &plan.deployment {
            plan.tables = resolve::tables::tables(d);
            plan.research.extend(resolve::deploy::research::entries(d));
            for (i, e) in plan.research.iter_mut().enumerate() {
                e.id = format!("R{}", i + 1);
            }
        }
        plan.design = resolve::design::resolve(&plan, &code);
        let out_dir = format!("{}/{}", OUT_DISPLAY, f.name);
        let mut outputs: Vec<(String, String)> = Vec::new();
        if let Some(d) = &plan.deployment {
            outputs.extend(render::docker::dockerfiles_in(d, &catalog, &out_dir, &mut diags));
            outputs.extend(render::k8s::manifests(d).into_iter().map(|m| (m.path, m.text)));
            outputs.extend(render::helm::chart(d, &plan.feature.title, &out_dir));
            outputs.extend(render::skaffold::skaffold(d, &out_dir).map(|s| (render::skaffold::FILE.to_string(), s)));
            outputs.extend(render::contracts::contracts(&plan, d, &out_dir));
        }
        if let Some(api) = render::contracts::openapi(&plan) {
            outputs.push(("contracts/openapi.yaml".into(), api));
        }
        // The gates judge the deployables before the documents that report on them are
        // rendered; paths are shown as the user will find them.
        let shown: Vec<(String, String)> = outputs
            .iter()
            .map(|(p, t)| (format!("{out_dir}/{p}"), t.clone()))
            .collect();
        let report = gates::evaluate(&plan, &shown, &mut diags);
        let mut names: Vec<String> = render::DOCUMENTS.iter().map(|d| d.name.to_string()).collect();
        names.extend(outputs.iter().map(|(p, _)| p.clone()));
        names.sort();
        plan.matrix = resolve::matrix::matrix(&plan, &names, &mut diags);
        outputs.extend(renderer.documents(&plan, &report, &out_dir, &names, &templates, &mut diags));
        for (name, text) in outputs {
            let path = format!("{}/{name}", f.name);
            if let Err(p) = tree.insert(path, text) {
                diags.push(
                    Diagnostic::new(
                        Code::OutputEscapes,
                        format!("output path `{p}` would leave the output folder"),
                    )
                    .at_path(&f.dir)
                    .hint("rename the feature folder to spec-kit's `NNN-slug` form"),
                );
            }
        }
        features.push(Feature {
            name: f.name.clone(),
            plan: Some(plan),
            report: Some(report),
            tree,
            failed: early_error || diags.count(diagnostics::Severity::Error) > errors_before,
            inputs,
        });
    }
    Compilation {
        workspace,
        diagnostics: diags,
        shared_errors,
        features,
    }
}

/// The inputs of one feature: every file read except those of other features, and the
/// `--set` assignments, each with its content hash.
fn feature_inputs(
    workspace: &Workspace,
    f: &load::FeatureFiles,
    options: &Options,
) -> std::collections::BTreeMap<String, String> {
    let others: Vec<&Path> = workspace
        .features
        .iter()
        .filter(|o| o.name != f.name)
        .map(|o| o.dir.as_path())
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for file in workspace.sources.iter() {
        if others.iter().any(|d| file.path.starts_with(d)) {
            continue;
        }
        out.insert(file.display_path(), emit::record::hash(file.text.as_bytes()));
    }
    if !options.set.is_empty() {
        out.insert(
            "--set".to_string(),
            emit::record::hash(options.set.join("\n").as_bytes()),
        );
    }
    out
}

/// Where `sp` writes when `--out` is not given.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("out")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz target's path: a workspace held in memory compiles like one on disk.
    #[test]
    fn an_in_memory_workspace_compiles() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean-minimal");
        let read = |rel: &str| std::fs::read_to_string(fixture.join(rel)).unwrap();
        let (constitution, spec, input) = (
            read("constitution.md"),
            read("specs/001-todo-list/spec.md"),
            read("specs/001-todo-list/plan-input.md"),
        );
        let ws = load::in_memory(Some(&constitution), &[("001-todo-list", &spec, Some(&input))]);
        let run = compile_workspace(ws, &Options::default(), Diagnostics::default());
        assert!(!run.diagnostics.has_errors());
        assert!(run.tree().files().any(|(p, _)| p == "001-todo-list/plan.md"));
    }
}
