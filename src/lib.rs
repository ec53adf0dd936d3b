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
pub mod quantity;
pub mod render;
pub mod resolve;
pub mod review;
pub mod source;
pub mod wrap;
pub mod yaml;

#[cfg(test)]
mod layers;

use std::path::{Path, PathBuf};

use diagnostics::Diagnostics;
use emit::OutputTree;
use load::{Selection, Workspace};

/// What one compilation produced: the sources (for rendering diagnostics), what the shared
/// inputs reported, and one value per selected feature, in the workspace's order: a
/// [`Feature`], or what [`compile_each`]'s caller made of it.
pub struct Compilation<F = Feature> {
    pub workspace: Workspace,
    /// What loading and the inputs every feature shares (constitution, template overrides,
    /// `--set`) reported; each feature holds its own.
    pub shared_diagnostics: Diagnostics,
    /// Whether an input every feature shares (the constitution, a template override) has an
    /// error: then no feature may be written.
    pub shared_errors: bool,
    pub features: Vec<F>,
}

/// One compiled feature: what it generates, what it reported and what it decided.
pub struct Feature {
    pub name: String,
    /// The decisions: the resolved plan. `None` when the feature folder has no spec.md, or
    /// when it was skipped.
    pub plan: Option<model::Plan>,
    /// The gates' verdict on its artifacts.
    pub report: Option<gates::Report>,
    /// The documents and artifacts, by path relative to the output root (starting with the
    /// name).
    pub tree: OutputTree,
    /// What compiling it reported (replayed from its record when it was skipped).
    pub diagnostics: Diagnostics,
    /// An error was reported while compiling this feature: it must not be written.
    pub failed: bool,
    /// Every input the feature was compiled from, by path, with its content hash (the
    /// record of what sp wrote keeps them, to tell why output is stale).
    pub inputs: std::collections::BTreeMap<String, String>,
    /// What compiling the feature reported, in the form its record keeps.
    pub findings: Vec<diagnostics::stored::Stored>,
    /// Not compiled: its output on disk is what this build makes of these inputs (see
    /// [`emit::unchanged`]); the number of files it has there.
    pub skipped: Option<usize>,
}

/// A value that holds a compiled [`Feature`]: the feature itself, or what a caller of
/// [`compile_each`] keeps of it.
pub trait Compiled {
    fn feature(&self) -> &Feature;
}

impl Compiled for Feature {
    fn feature(&self) -> &Feature {
        self
    }
}

impl<F: Compiled> Compilation<F> {
    /// The features that compiled without errors and may be written.
    pub fn writable(&self) -> impl Iterator<Item = &Feature> {
        self.features
            .iter()
            .map(Compiled::feature)
            .filter(move |f| !f.failed && !self.shared_errors)
    }

    pub fn plans(&self) -> impl Iterator<Item = &model::Plan> {
        self.features.iter().filter_map(|f| f.feature().plan.as_ref())
    }

    /// Every diagnostic of the run: the shared inputs', then each feature's, in order.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut all = self.shared_diagnostics.clone();
        for f in &self.features {
            all.extend(f.feature().diagnostics.clone());
        }
        all
    }
}

impl Compilation {
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
    compile_each(workspace, options, diags, None, |f, _, _| f)
}

/// Stages 2 to 5, the features compiled in parallel, each handed to `each` as soon as it
/// is compiled (with whether an error in a shared input blocks every feature, and the source
/// table its diagnostics point into: the feature's overlay after a deferred load), so a caller
/// can write it and drop its output before the next ones are done: memory stays bounded by
/// the features in flight, not the workspace. What `each` returns comes back in the
/// workspace's order whatever the threads did, so the output never depends on them.
///
/// With `skip` (the output folder), a feature whose record says its output there is what
/// this build makes of exactly these inputs is not compiled: it comes back with `skipped`
/// and the findings its record kept, reported again.
pub fn compile_each<F: Send>(
    mut workspace: Workspace,
    options: &Options,
    mut diags: Diagnostics,
    skip: Option<&Path>,
    each: impl Fn(Feature, bool, &source::Sources) -> F + Sync,
) -> Compilation<F> {
    // Stage 2 for what every feature shares (secrets redacted first, the constitution).
    let parsed = parse::shared(&mut workspace, &options.set, &mut diags);
    let catalog = catalog::Catalog::builtin();
    let sources = &workspace.sources;
    let code = resolve::design::read(&workspace.repo, sources);
    let run = Run {
        workspace: &workspace,
        resolve: resolve::Shared {
            constitution: parsed.constitution.as_ref(),
            repo: &workspace.repo,
            foreign: &workspace.foreign,
            image_dirs: &workspace.image_dirs,
            sources,
            set: &parsed.set,
            catalog: &catalog,
            code: &code,
        },
        render: render::Run::new(
            render::Templates {
                overrides: &workspace.templates,
                sources,
            },
            &catalog,
        ),
    };
    // Errors found so far belong to the feature whose folder they point into, or to all.
    let (early, shared_errors) = load::FeatureIndex::new(&workspace).errors(&diags, sources, workspace.features.len());
    let inputs = emit::record::inputs(&workspace, &parsed.set);
    let skip = skip.map(|out| emit::Skip::new(out, sources));

    // Every chart sp writes carries the same values schema, which each feature's gates check
    // its values against: written and compiled meanwhile, on the core a one-feature run
    // leaves idle. Only once a feature is compiled: a no-op run checks none.
    let warm = std::sync::Once::new();
    let features = parallel::map(workspace.features.len(), |i| {
        let mut f = workspace.features[i].clone();
        let mut inputs = inputs[i].clone();
        // A deferred load: the feature reads its own files into an overlay of the source
        // table, dropped with it once `each` is done. What reading them reports is the
        // feature's, but not its record's (a load's findings never were). The overlay is
        // scanned for secrets only when the feature is compiled: a feature whose inputs
        // are byte for byte those of its record had none (a secret is an error, and an
        // error is never recorded), and the scan was most of a no-op run's own work.
        let mut loaded = Diagnostics::default();
        let mut overlay = f.reserved.then(|| {
            let mut own = sources.overlay();
            f.read_reserved(&workspace.root, &mut own, &mut loaded);
            emit::record::feature_inputs(&mut inputs, &f, &own);
            own
        });
        let unchanged = skip
            .as_ref()
            .filter(|_| !early[i] && !shared_errors && !loaded.has_errors())
            .and_then(|s| s.unchanged(&f.name, &inputs, overlay.as_ref().unwrap_or(sources)));
        if unchanged.is_none()
            && let Some(own) = overlay.as_mut()
        {
            // Hashed again as redacted, as a full load hashes them.
            parse::redact_feature(own, &f, &mut loaded);
            emit::record::feature_inputs(&mut inputs, &f, own);
        }
        let sources = overlay.as_ref().unwrap_or(sources);
        let early = early[i] || loaded.has_errors();
        let feature = match unchanged {
            Some((u, restored)) => Feature {
                name: f.name.clone(),
                plan: None,
                report: None,
                tree: OutputTree::default(),
                diagnostics: loaded.into_iter().chain(restored).collect(),
                failed: false,
                inputs,
                findings: u.findings,
                skipped: Some(u.files),
            },
            None => {
                warm.call_once(|| gates::artifacts::warm_schema(render::helm::schema::text));
                let mut fd = Diagnostics::default();
                let compiled = compile_feature(&run, &f, sources, &mut fd);
                let (plan, report, tree) = match compiled {
                    Some((plan, report, tree)) => (Some(plan), Some(report), tree),
                    None => (None, None, OutputTree::default()),
                };
                let findings = fd
                    .iter()
                    .map(|d| diagnostics::stored::Stored::from(d, sources))
                    .collect();
                let failed = early || fd.has_errors();
                loaded.extend(fd);
                Feature {
                    name: f.name.clone(),
                    plan,
                    report,
                    tree,
                    failed,
                    inputs,
                    findings,
                    diagnostics: loaded,
                    skipped: None,
                }
            }
        };
        each(feature, shared_errors, sources)
    });
    drop(run);
    Compilation {
        workspace,
        shared_diagnostics: diags,
        shared_errors,
        features,
    }
}

/// What every feature of a run shares, parsed, read or compiled once.
struct Run<'a> {
    workspace: &'a Workspace,
    resolve: resolve::Shared<'a>,
    render: render::Run<'a>,
}

/// Stages 2 to 5 for one feature: its plan (the decisions), the gates' verdict and its
/// output tree. `None` when the folder has no spec.md.
fn compile_feature(
    run: &Run,
    f: &load::FeatureFiles,
    sources: &source::Sources,
    diags: &mut Diagnostics,
) -> Option<(model::Plan, gates::Report, OutputTree)> {
    let ws = run.workspace;
    let parsed = parse::feature(f, sources, ws.date_override.clone(), diags)?;
    let shared = resolve::Shared { sources, ..run.resolve };
    let (mut plan, tracer) = resolve::feature(&parsed, &shared, diags);
    let out_dir = format!("{OUT_DISPLAY}/{}", f.name);
    let deployables = run.render.deployables(&plan, &out_dir, diags);
    let files = render::file_names(&deployables.files);
    let report = gates::judge(&mut plan, &tracer, &out_dir, &deployables.files, &files, diags);
    let documents = run
        .render
        .documents(&plan, &report, &out_dir, &files, &deployables, diags);
    let tree = OutputTree::feature(&f.name, &f.dir, deployables.files.into_iter().chain(documents), diags);
    Some((plan, report, tree))
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
        assert!(!run.diagnostics().has_errors());
        assert!(run.tree().files().any(|(p, _)| p == "001-todo-list/plan.md"));
    }

    /// A deferred load (each feature reads its own files into an overlay it drops) compiles
    /// to the same bytes, the same record inputs and the same printed diagnostics as a load
    /// that reads every file first, here on the examples and a repository with sources, and
    /// on a spec holding a secret (redacted in the overlay) and one that is not UTF-8.
    #[test]
    fn a_deferred_load_compiles_like_a_full_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let scratch = std::env::temp_dir().join(format!("sp-deferred-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let copy = |from: &Path, to: &Path| {
            for f in walk(from) {
                let rel = f.strip_prefix(from).unwrap();
                std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
                std::fs::copy(&f, to.join(rel)).unwrap();
            }
        };
        let odd = scratch.join("odd");
        copy(&root.join("tests/fixtures/clean-minimal"), &odd);
        let spec = odd.join("specs/001-todo-list/spec.md");
        let text = std::fs::read_to_string(&spec).unwrap();
        std::fs::write(
            &spec,
            text.replacen(
                "\n\n",
                "\n\nThe key is ghp_0123456789abcdefABCDEF0123456789abcd.\n\n",
                1,
            ),
        )
        .unwrap();
        let broken = odd.join("specs/002-broken");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::write(broken.join("spec.md"), b"# Feature Specification: \xff\n").unwrap();

        for ws in [root.to_path_buf(), root.join("tests/workspaces/nextjs-start"), odd] {
            let run = |deferred: bool| {
                let mut diags = Diagnostics::default();
                let load = if deferred { load::load_deferred } else { load::load };
                let workspace = load(&ws, &Selection::All, &mut diags).unwrap();
                let c = compile_each(workspace, &Options::default(), diags, None, |f, _, sources| {
                    let text = diagnostics::render::Rendered::of(&f.diagnostics, sources, false);
                    (f.tree, f.inputs, f.failed, text)
                });
                let mut printed = diagnostics::render::Rendered::of(&c.shared_diagnostics, &c.workspace.sources, false);
                let mut features = Vec::new();
                for (tree, inputs, failed, text) in c.features {
                    printed.extend(text);
                    let files: Vec<(String, String)> = tree.files().map(|(p, t)| (p.clone(), t.clone())).collect();
                    features.push((files, inputs, failed));
                }
                (features, printed.into_text())
            };
            let (full, deferred) = (run(false), run(true));
            assert!(!full.0.is_empty(), "{}", ws.display());
            assert_eq!(full.0, deferred.0, "{}: trees, inputs or failures differ", ws.display());
            assert_eq!(full.1, deferred.1, "{}: printed diagnostics differ", ws.display());
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "out") {
                    continue;
                }
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
