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
pub mod parallel;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod review;
pub mod source;
pub mod wrap;
pub mod yaml;

#[cfg(test)]
mod layers;

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
    /// `None` when the feature folder has no spec.md, or when it was skipped.
    pub plan: Option<model::Plan>,
    pub report: Option<gates::Report>,
    /// The generated files, by path relative to the output root (starting with the name).
    pub tree: OutputTree,
    /// An error was reported while compiling this feature: it must not be written.
    pub failed: bool,
    /// Every input the feature was compiled from, by path, with its content hash (the
    /// record of what sp wrote keeps them, to tell why output is stale).
    pub inputs: std::collections::BTreeMap<String, String>,
    /// What compiling the feature reported, kept in its record.
    pub findings: Vec<diagnostics::stored::Stored>,
    /// Not compiled: its output on disk is what this build makes of these inputs (see
    /// [`emit::unchanged`]); the number of files it has there.
    pub skipped: Option<usize>,
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
pub fn compile_workspace(workspace: Workspace, options: &Options, diags: Diagnostics) -> Compilation {
    compile_each(workspace, options, diags, None, |_, _| ()).0
}

/// Stages 2 to 5, the features compiled in parallel, each handed to `each` as soon as it
/// is compiled (with whether an error in a shared input blocks every feature), so a caller
/// can write it and drop its output before the next ones are done: memory stays bounded by
/// the features in flight, not the workspace. Features and their diagnostics come back in
/// the workspace's order whatever the threads did, so the output never depends on them.
///
/// With `skip` (the output folder), a feature whose record says its output there is what
/// this build makes of exactly these inputs is not compiled: it comes back with `skipped`
/// and the findings its record kept, reported again.
pub fn compile_each<R: Send>(
    mut workspace: Workspace,
    options: &Options,
    mut diags: Diagnostics,
    skip: Option<&Path>,
    each: impl Fn(&mut Feature, bool) -> R + Sync,
) -> (Compilation, Vec<R>) {
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
    let shared = Shared {
        workspace: &workspace,
        options,
        constitution: constitution.as_ref(),
        renderer: std::sync::OnceLock::new(),
        templates,
        catalog: catalog::Catalog::builtin(),
        // The models and routes of the repository, shared by every feature.
        code: resolve::design::read(&workspace.repo, sources),
        docker: render::docker::Templates::default(),
    };

    // Errors found so far belong to the feature whose folder they point into, or to all.
    let owner = FeatureOf::new(&workspace);
    let mut early_in = vec![false; workspace.features.len()];
    let mut shared_errors = false;
    for d in diags.iter().filter(|d| d.severity == diagnostics::Severity::Error) {
        let path = match &d.location {
            Some(diagnostics::Location::Span(s)) => Some(sources.get(s.source).path.as_path()),
            Some(diagnostics::Location::Path(p) | diagnostics::Location::PathAt { path: p, .. }) => Some(p.as_path()),
            None => None,
        };
        match path.and_then(|p| owner.of(p)) {
            Some(i) => early_in[i] = true,
            None => shared_errors = true,
        }
    }
    let inputs = owner.inputs(&workspace, options);
    let ids: std::collections::HashMap<String, source::SourceId> = (0..)
        .map(source::SourceId::from_index)
        .zip(sources.iter())
        .map(|(id, f)| (f.display_path(), id))
        .collect();

    let compile_one = |i: usize| -> (Feature, Diagnostics, R) {
        let f = &workspace.features[i];
        let mut fd = Diagnostics::default();
        let inputs = inputs[i].clone();
        let unchanged = skip
            .filter(|_| !early_in[i] && !shared_errors)
            .and_then(|out| emit::unchanged(out, &f.name, &inputs))
            .and_then(|u| {
                let restored: Option<Vec<Diagnostic>> = u.findings.iter().map(|s| s.restore(sources, &ids)).collect();
                let restored = restored?;
                (!restored.iter().any(|d| d.severity == diagnostics::Severity::Error)).then_some((u, restored))
            });
        let mut feature = match unchanged {
            Some((u, restored)) => {
                for d in restored {
                    fd.push(d);
                }
                Feature {
                    name: f.name.clone(),
                    plan: None,
                    report: None,
                    tree: OutputTree::default(),
                    failed: false,
                    inputs,
                    findings: u.findings,
                    skipped: Some(u.files),
                }
            }
            None => {
                let mut feature = compile_feature(&shared, f, inputs, &mut fd);
                feature.failed |= early_in[i] || fd.has_errors();
                feature.findings = fd
                    .iter()
                    .map(|d| diagnostics::stored::Stored::from(d, sources))
                    .collect();
                feature
            }
        };
        let r = each(&mut feature, shared_errors);
        (feature, fd, r)
    };
    let done = parallel::map(workspace.features.len(), compile_one);
    let mut features = Vec::with_capacity(done.len());
    let mut results = Vec::with_capacity(done.len());
    for (feature, fd, r) in done {
        diags.extend(fd);
        features.push(feature);
        results.push(r);
    }
    drop(shared);
    (
        Compilation {
            workspace,
            diagnostics: diags,
            shared_errors,
            features,
        },
        results,
    )
}

/// What every feature of a run shares, parsed or compiled once.
struct Shared<'a> {
    workspace: &'a Workspace,
    options: &'a Options,
    constitution: Option<&'a parse::constitution::Constitution>,
    templates: render::Templates<'a>,
    /// Compiled on first use: a run whose features are all skipped compiles no template.
    renderer: std::sync::OnceLock<render::Renderer>,
    catalog: catalog::Catalog,
    code: Vec<resolve::design::ComponentCode>,
    docker: render::docker::Templates,
}

/// Stages 2 to 5 for one feature: parse, resolve, render the deployables, judge them, then
/// render the documents that report on them.
fn compile_feature(
    shared: &Shared,
    f: &load::FeatureFiles,
    inputs: std::collections::BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Feature {
    let workspace = shared.workspace;
    let sources = &workspace.sources;
    let mut feature = Feature {
        name: f.name.clone(),
        plan: None,
        report: None,
        tree: OutputTree::default(),
        failed: false,
        inputs,
        findings: Vec::new(),
        skipped: None,
    };
    let Some(spec_id) = f.spec else {
        return feature;
    };
    let spec_file = sources.get(spec_id);
    let spec = parse::spec::parse(spec_file, spec_id, diags);
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
    let mut plan = resolve::resolve(&parsed, shared.constitution, diags);
    (plan.scope, plan.deployment) = resolve::deploy::resolve(
        &resolve::deploy::DeployInputs {
            feature: &f.name,
            spec: &parsed.spec,
            plan_input: parsed.plan_input.as_ref(),
            constitution: shared.constitution,
            stack: &plan.stack,
            context: &plan.context,
            repo: &workspace.repo,
            sources,
            set: &shared.options.set,
            catalog: &shared.catalog,
        },
        diags,
    );
    resolve::complete_context(&parsed, &mut plan, diags);
    if let Some(d) = &plan.deployment {
        plan.tables = resolve::tables::tables(d);
        plan.research.extend(resolve::deploy::research::entries(d));
        for (i, e) in plan.research.iter_mut().enumerate() {
            e.id = format!("R{}", i + 1);
        }
    }
    plan.design = resolve::design::resolve(&plan, &shared.code);
    let out_dir = format!("{}/{}", OUT_DISPLAY, f.name);
    let mut outputs: Vec<(String, String)> = Vec::new();
    if let Some(d) = &plan.deployment {
        outputs.extend(render::docker::dockerfiles_in(
            d,
            &shared.catalog,
            &shared.docker,
            &out_dir,
            diags,
        ));
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
    let report = gates::evaluate(&plan, &shown, diags);
    drop(shown);
    let mut names: Vec<String> = render::DOCUMENTS.iter().map(|d| d.name.to_string()).collect();
    names.extend(outputs.iter().map(|(p, _)| p.clone()));
    names.sort();
    plan.matrix = resolve::matrix::matrix(&plan, &names, diags);
    outputs.extend(
        shared
            .renderer
            .get_or_init(|| render::Renderer::new(&shared.templates))
            .documents(&plan, &report, &out_dir, &names, &shared.templates, diags),
    );
    for (name, text) in outputs {
        let path = format!("{}/{name}", f.name);
        if let Err(p) = feature.tree.insert(path, text) {
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
    feature.plan = Some(plan);
    feature.report = Some(report);
    feature
}

/// Which feature a file belongs to, by the feature folders of the workspace.
struct FeatureOf<'a> {
    root: &'a Path,
    dirs: std::collections::HashMap<&'a Path, usize>,
}

impl<'a> FeatureOf<'a> {
    fn new(workspace: &'a Workspace) -> Self {
        FeatureOf {
            root: &workspace.root,
            dirs: workspace
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| (f.dir.as_path(), i))
                .collect(),
        }
    }

    /// The feature whose folder holds `path` (relative to the root, or absolute).
    fn of(&self, path: &Path) -> Option<usize> {
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        [path, rel]
            .into_iter()
            .flat_map(Path::ancestors)
            .find_map(|a| self.dirs.get(a).copied())
    }

    /// The inputs of every feature: every file read except those of other features, and
    /// the `--set` assignments, each with its content hash. Each file is hashed once.
    fn inputs(&self, workspace: &Workspace, options: &Options) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut common = std::collections::BTreeMap::new();
        let mut own = vec![std::collections::BTreeMap::new(); workspace.features.len()];
        let files: Vec<&source::SourceFile> = workspace.sources.iter().collect();
        let hashes = parallel::map(files.len(), |i| emit::record::hash(files[i].text.as_bytes()));
        for (file, h) in files.iter().zip(hashes) {
            let entry = (file.display_path(), h);
            match self.of(&file.path) {
                Some(i) => own[i].insert(entry.0, entry.1),
                None => common.insert(entry.0, entry.1),
            };
        }
        if !options.set.is_empty() {
            common.insert(
                "--set".to_string(),
                emit::record::hash(options.set.join("\n").as_bytes()),
            );
        }
        for o in &mut own {
            o.extend(common.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        own
    }
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
