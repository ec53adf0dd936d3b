//! `sp plan`: compile features, then check, diff or write the output.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Format, Outcome};
use crate::Compiled;
use crate::diagnostics::render as diag_render;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::emit::{self, ChangeKind};
use crate::error::{Error, Result};
use crate::load::{self, Selection};

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    /// The feature: a folder (`specs/006-k8s-deployment`), a number (`006`) or a name.
    /// Defaults to the feature named by the git branch, or the only feature.
    pub feature: Option<String>,

    /// What you would type after `/sp.plan`; saved as the feature's plan-input.md when it
    /// has none (see --replace-input). Quote it: options after it are still read as options.
    /// Words that all name features (`sp plan 006 004`) compile those features instead.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// Let TEXT replace a plan-input.md that already has content; the previous text is kept
    /// as plan-input.md.bak beside it.
    #[arg(long)]
    pub replace_input: bool,

    /// Compile every feature under specs/.
    #[arg(long, conflicts_with = "feature")]
    pub all: bool,

    /// Write into DIR instead of `out/` at the workspace root. Documents still name the
    /// files by their place under `out/`, so the output is the same wherever it is written.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Write nothing; exit 1 and print diffs if any output file would change.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,

    /// Print unified diffs of what changes, then write.
    #[arg(long)]
    pub diff: bool,

    /// Overwrite hand edits of generated files (and remove stale files that were edited)
    /// instead of merging them; every edit thrown away is printed.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,

    /// Set a deployment value, overriding every input: `--set components.api.port=8080`.
    /// Keys are those of the plan input's YAML block (`sp schema` prints them).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Print the resolved deployment model with the origin of every value; write nothing.
    #[arg(long, conflicts_with_all = ["check", "diff"])]
    pub explain: bool,

    /// How to print diagnostics and results (`json`: see schemas/plan-report.schema.json).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also update the technologies and recent changes block of CLAUDE.md, AGENTS.md,
    /// GEMINI.md and .github/copilot-instructions.md (those that exist), between markers.
    #[arg(long, conflicts_with = "explain")]
    pub agent_context: bool,

    /// Also write a prompt history record of the run under history/prompts/<feature>/
    /// (spec-kit-plus's format), dated from SOURCE_DATE_EPOCH or the spec.
    #[arg(long, conflicts_with = "explain")]
    pub record: bool,

    /// Compile, then again after every save of an input (spec, constitution, plan input,
    /// template, repository file), printing what changed; stop with Ctrl-C.
    #[arg(long, conflicts_with_all = ["check", "explain", "diff"])]
    pub watch: bool,
}

/// Work out the workspace root and the selection from the arguments. A FEATURE that is a
/// folder on disk wins over a name, so `sp plan path/to/specs/004-x` works from anywhere.
pub(super) fn locate(args: &PlanArgs, cwd: &Path) -> Result<(PathBuf, Selection)> {
    if let Some(f) = &args.feature {
        let candidate = cwd.join(f);
        if candidate.is_dir() && (f.contains('/') || f.contains('\\') || candidate.join("spec.md").is_file()) {
            let abs = std::fs::canonicalize(&candidate).map_err(|e| Error::io(&candidate, e))?;
            if abs.join("specs").is_dir() {
                // A workspace root rather than a feature folder.
                return Ok((abs, Selection::Current));
            }
            let name = abs
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let is_specs = |p: &&Path| p.file_name().is_some_and(|n| n == "specs");
            // specs/<feature>, or specs/<group>/<feature> (features grouped by phase).
            let parent = abs.parent().filter(is_specs).or_else(|| {
                abs.parent()
                    .and_then(Path::parent)
                    .filter(is_specs)
                    .filter(|_| abs.join("spec.md").is_file())
            });
            let root = parent.and_then(Path::parent).map(Path::to_path_buf).ok_or_else(|| {
                Error::Usage(format!(
                    "{} is not inside a `specs/` folder of a spec-kit workspace",
                    candidate.display()
                ))
            })?;
            return Ok((root, Selection::Named(name)));
        }
    }
    let root = load::find_root(cwd).ok_or_else(|| {
        Error::Usage(format!(
            "no spec-kit workspace (a folder with specs/ or .specify/) at or above {}",
            cwd.display()
        ))
    })?;
    // Started inside a feature folder: that feature, as spec-kit's scripts assume (inside a
    // folder that groups features, the feature below it, or, in the group folder itself, the
    // branch's feature or the only one among the group's).
    let here = cwd.strip_prefix(&root).ok().and_then(|rel| {
        let mut parts = rel.components().map(|p| p.as_os_str().to_string_lossy().into_owned());
        if parts.next()? != "specs" {
            return None;
        }
        let first = parts.next()?;
        if load::feature::is_feature_folder(&root.join("specs"), &first) {
            return Some(Selection::Named(first));
        }
        let grouped = load::feature::grouped_features(&root, &first);
        if grouped.is_empty() {
            return None;
        }
        Some(match parts.next().filter(|second| grouped.contains(second)) {
            Some(feature) => Selection::Named(feature),
            None => Selection::Group(first),
        })
    });
    let selection = match (&args.feature, args.all, here) {
        (_, true, _) => Selection::All,
        (Some(f), false, _) => Selection::Named(f.clone()),
        (None, false, Some(here)) => here,
        (None, false, None) => Selection::Current,
    };
    Ok((root, selection))
}

pub fn run(args: &PlanArgs, dir: Option<&Path>, color: bool) -> Result<Outcome> {
    let cwd = match dir {
        Some(d) => std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?,
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let (root, mut selection) = locate(args, &cwd)?;
    let out_root = match &args.out {
        Some(o) => out_folder(o, &cwd, &root)?,
        None => crate::default_out(&root),
    };

    // Words after the feature that all name features are more features, never text that
    // would overwrite the first one's plan input.
    let more = match (&selection, args.text.is_empty()) {
        (Selection::Named(first), false) => {
            load::feature_names(&root, &args.text)?.map(|rest| [vec![first.clone()], rest].concat())
        }
        _ => None,
    };
    if let Some(names) = more {
        selection = Selection::Several(names);
    } else if !args.text.is_empty() {
        if args.check {
            return Err(Error::Usage(
                "--check writes nothing, so it cannot save plan input text".into(),
            ));
        }
        let (dir, name) = load::feature_dir(&root, &selection)?;
        let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
        match emit::save_plan_input(&root, &dir, &name, &args.text.join(" "), args.replace_input)? {
            emit::Saved::Created(p) => eprintln!("saved {}", shown(&p)),
            emit::Saved::Unchanged(p) => eprintln!("{} already says this", shown(&p)),
            emit::Saved::Replaced(p, b) => eprintln!("saved {} (the previous text is in {})", shown(&p), shown(&b)),
        }
    }

    let options = crate::Options { set: args.set.clone() };
    // A plain write of one feature or of --all writes each feature as soon as it is
    // compiled and skips those whose output is already what this build makes of their
    // inputs; the other modes need every feature's output before they report.
    let stream = !args.check
        && !args.diff
        && !args.explain
        && !args.agent_context
        && !args.record
        && args.format == Format::Human
        && !matches!(selection, Selection::Several(_));
    if stream {
        return run_streaming(args, &root, &selection, &options, &out_root, &cwd, color);
    }
    let compilation = crate::compile(&root, &selection, &options)?;
    if compilation.features.is_empty() {
        return Err(no_features(&root));
    }
    let sources = &compilation.workspace.sources;
    let display_root = display_relative(&out_root, &cwd);
    let human = args.format == Format::Human;
    let all_diags = compilation.diagnostics();

    if human && !all_diags.is_empty() {
        eprint!("{}", diag_render::human(&all_diags, sources, color));
    }
    if args.explain {
        for plan in compilation.plans() {
            print!("{}", crate::render::explain::explain(plan));
        }
        return Ok(if all_diags.has_errors() {
            Outcome::Failure
        } else {
            Outcome::Success
        });
    }
    let failed = failed_features(&compilation);
    let blocked_by_errors = blocked(args, &compilation);
    if human && blocked_by_errors {
        eprintln!("error: {}; nothing written", diag_render::summary(&all_diags));
        return Ok(Outcome::Failure);
    }

    // The lock keeps two runs on one output folder from interleaving; --check only reads,
    // and takes it when the folder exists so it never reads a half-written feature.
    let _lock = if args.check && !out_root.is_dir() {
        None
    } else if args.check || blocked_by_errors {
        out_root
            .is_dir()
            .then(|| emit::fs::lock(&out_root, || wait_note(&display_root)))
            .transpose()?
    } else {
        Some(emit::fs::lock(&out_root, || wait_note(&display_root))?)
    };
    if !args.check && !blocked_by_errors {
        for t in emit::fs::clean_temporaries(&out_root)? {
            eprintln!("{}", removed_note(&t, &cwd));
        }
        if matches!(selection, Selection::All) {
            emit::forget_removed(&out_root, &feature_names(&compilation));
        }
    }

    let mut plans = Vec::new();
    for f in compilation.writable() {
        plans.push(emit::plan_feature(
            &out_root,
            &f.name,
            &f.tree,
            &f.inputs,
            &f.findings,
            args.force,
        )?);
    }
    let mut emit_diags = Diagnostics::default();
    for p in &plans {
        for c in &p.conflicts {
            emit_diags.push(conflict_diagnostic(c, &display_root));
        }
    }
    let orphans = orphan_diagnostics(&selection, &compilation, &out_root, &display_root);
    let orphaned = !orphans.is_empty();
    emit_diags.extend(orphans);

    if args.format == Format::Json {
        return json_report(
            args,
            &root,
            &compilation,
            &plans,
            &emit_diags,
            &out_root,
            blocked_by_errors,
        );
    }
    if !emit_diags.is_empty() {
        eprint!("{}", diag_render::human(&emit_diags, sources, color));
    }

    let total: usize = plans.iter().map(|p| p.total).sum();
    if args.check {
        let mut stale = 0;
        for p in &plans {
            for c in &p.changes {
                print!("{}", emit::unified_diff(c, &display_root));
            }
            if !p.up_to_date() {
                stale += p.changes.len() + p.conflicts.len();
                for r in &p.reasons {
                    eprintln!("{}: {r}", p.name);
                }
                if p.changes.is_empty() && p.conflicts.is_empty() {
                    eprintln!("{}: the record of what sp wrote is out of date", p.name);
                }
            } else if !p.kept_edits.is_empty() {
                eprintln!(
                    "{}: hand edits kept by regeneration: {}",
                    p.name,
                    p.kept_edits.join(", ")
                );
            }
        }
        let files_fresh = plans.iter().all(emit::FeaturePlan::up_to_date);
        if !failed.is_empty() {
            eprintln!("error: not checked (errors): {}", failed.join(", "));
        }
        if files_fresh && !orphaned {
            eprintln!("{display_root}: {total} files up to date");
            return Ok(if failed.is_empty() {
                Outcome::Success
            } else {
                Outcome::Failure
            });
        }
        if !files_fresh {
            eprintln!(
                "error: {stale} of {total} files in {display_root} are stale; run `sp plan{}` to update them",
                if matches!(selection, Selection::All) {
                    " --all"
                } else {
                    ""
                }
            );
        }
        if orphaned {
            eprintln!("error: {display_root} holds the output of a feature the workspace no longer has (SP611)");
        }
        return Ok(Outcome::Failure);
    }

    let mut written = 0;
    let mut not_written: Vec<String> = failed.iter().map(|f| format!("{f} (errors)")).collect();
    let mut io_failure = false;
    for p in &plans {
        let done = write_feature(p, &out_root, &cwd, &display_root, args.diff);
        print!("{}", done.diffs);
        eprint!("{}", done.lines);
        written += done.written;
        io_failure |= done.io_failure;
        not_written.extend(done.not_written);
    }
    if not_written.is_empty() && (args.agent_context || args.record) {
        for w in super::workspace_out::update(&root, &compilation, args.agent_context, args.record)? {
            if w.action != "unchanged" {
                let verb = match w.action.as_str() {
                    "create" => "created",
                    "update" => "updated",
                    _ => "kept",
                };
                eprintln!("{verb:>8} {}", w.path);
            }
        }
    }
    finish(&compilation, &emit_diags, total, written, &not_written, io_failure)
}

fn no_features(root: &Path) -> Error {
    Error::Usage(format!(
        "error[{}]: no feature folders under {}; there is nothing to compile or check",
        crate::diagnostics::Code::FeatureNotFound,
        root.join("specs").display()
    ))
}

fn failed_features<F: Compiled>(compilation: &crate::Compilation<F>) -> Vec<&str> {
    compilation
        .features
        .iter()
        .map(Compiled::feature)
        .filter(|f| f.failed || compilation.shared_errors)
        .map(|f| f.name.as_str())
        .collect()
}

/// Without --all, a run with errors writes nothing; with --all, every feature that
/// compiled is written and the others are reported.
fn blocked<F: Compiled>(args: &PlanArgs, compilation: &crate::Compilation<F>) -> bool {
    compilation.diagnostics().has_errors()
        && (!args.all || compilation.shared_errors || compilation.writable().next().is_none())
}

fn removed_note(t: &Path, cwd: &Path) -> String {
    format!(
        "{:>8} {} (left by an interrupted run)",
        "removed",
        display_relative(t, cwd)
    )
}

/// The last line of a write: counts, and what was not written.
fn finish<F: Compiled>(
    compilation: &crate::Compilation<F>,
    emit_diags: &Diagnostics,
    total: usize,
    written: usize,
    not_written: &[String],
    io_failure: bool,
) -> Result<Outcome> {
    // What writing found (SP610 conflicts, SP611 stale feature folders) counts too.
    let mut diags = compilation.diagnostics();
    diags.extend(emit_diags.clone());
    eprintln!(
        "{} feature{}, {total} files: {written} written, {} unchanged{}",
        compilation.features.len(),
        if compilation.features.len() == 1 { "" } else { "s" },
        total.saturating_sub(written),
        if diags.is_empty() {
            String::new()
        } else {
            format!(" ({})", diag_render::summary(&diags))
        }
    );
    if !not_written.is_empty() {
        eprintln!("error: not written: {}", not_written.join(", "));
    }
    Ok(if io_failure {
        Outcome::Error
    } else if not_written.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// What writing one feature did, with the lines that say so (printed in feature order).
#[derive(Default)]
struct Written {
    /// Unified diffs (`--diff`), for stdout.
    diffs: String,
    /// What happened, for stderr.
    lines: String,
    written: usize,
    total: usize,
    not_written: Option<String>,
    io_failure: bool,
    conflicts: Vec<emit::ConflictedFile>,
}

/// Write one planned feature (unless something is in the way) and say what happened.
fn write_feature(p: &emit::FeaturePlan, out_root: &Path, cwd: &Path, display_root: &str, diff: bool) -> Written {
    use std::fmt::Write as _;
    let mut w = Written {
        total: p.total,
        ..Default::default()
    };
    if diff {
        for c in &p.changes {
            w.diffs.push_str(&emit::unified_diff(c, display_root));
        }
    }
    let out = &mut w.lines;
    if !p.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "error: {}: nothing written; {} file{} in the way (see above). Undo the edit, make it permanent (see `sp plan --help`), or run with --force",
            p.name,
            p.conflicts.len(),
            if p.conflicts.len() == 1 { " is" } else { "s are" }
        );
        w.not_written = Some(format!("{} (conflicts)", p.name));
        return w;
    }
    if let Err(failure) = emit::commit(out_root, p) {
        w.io_failure = true;
        let shown = |v: &[PathBuf]| {
            v.iter()
                .map(|x| display_relative(x, cwd))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "error: {}: could not write: {}", p.name, failure.error);
        if failure.written.is_empty() {
            let _ = writeln!(
                out,
                "  nothing of {} was written; its {} files in {display_root} are as they were before this run",
                p.name, p.total
            );
        } else {
            let _ = writeln!(out, "  written (could not be undone): {}", shown(&failure.written));
            let _ = writeln!(out, "  not written: {}", shown(&failure.not_written));
        }
        w.not_written = Some(format!("{} (write failed)", p.name));
        return w;
    }
    for c in &p.changes {
        let verb = match c.kind {
            ChangeKind::Added => "created",
            ChangeKind::Modified => "updated",
            ChangeKind::Merged => "merged",
            ChangeKind::Removed => "removed",
        };
        let note = match c.kind {
            ChangeKind::Merged => " (regenerated, your edit kept)",
            ChangeKind::Removed => " (no longer generated)",
            _ => "",
        };
        let _ = writeln!(out, "{verb:>8} {display_root}/{}{note}", c.path);
    }
    for k in p.kept_edits.iter().filter(|k| !p.changes.iter().any(|c| &c.path == *k)) {
        let _ = writeln!(
            out,
            "{:>8} {display_root}/{k} (your edit kept; nothing else changed)",
            "kept"
        );
    }
    for (path, diff) in &p.lost {
        let _ = writeln!(
            out,
            "warning: --force overwrote hand edits in {display_root}/{path}; what was lost:"
        );
        out.push_str(diff);
    }
    w.written = p.changes.len();
    // Kept until the run ends, once per feature.
    w.lines.shrink_to_fit();
    w
}

/// The output folder's lock once taken, with the leftovers of a killed run it removed; or
/// the failure to take it.
type LockState = std::result::Result<(emit::fs::OutputLock, Vec<PathBuf>), ()>;

/// A plain write: features are compiled in parallel, and each is planned and written as
/// soon as it is compiled, then dropped. What the run prints is gathered and printed in
/// the same order as a run that held every feature would print it.
fn run_streaming(
    args: &PlanArgs,
    root: &Path,
    selection: &Selection,
    options: &crate::Options,
    out_root: &Path,
    cwd: &Path,
    color: bool,
) -> Result<Outcome> {
    let display_root = display_relative(out_root, cwd);
    let mut diags = Diagnostics::default();
    // Each feature reads its own files when it is compiled, and drops them once written.
    let workspace = load::load_deferred(root, selection, &mut diags)?;
    if workspace.features.is_empty() {
        return Err(no_features(root));
    }
    // The lock is taken (and leftovers of a killed run removed) when the first feature is
    // ready to be written, so a run that writes nothing leaves no output folder behind.
    let lock: std::sync::Mutex<Option<LockState>> = std::sync::Mutex::new(None);
    let take_lock = || -> Result<()> {
        let mut held = lock.lock().unwrap_or_else(|e| e.into_inner());
        match &*held {
            Some(Ok(_)) => Ok(()),
            Some(Err(())) => Err(Error::Usage(format!("{display_root}: could not be locked"))),
            None => {
                let taken = emit::fs::lock(out_root, || wait_note(&display_root))
                    .and_then(|l| Ok((l, emit::fs::clean_temporaries(out_root)?)));
                match taken {
                    Ok(t) => {
                        *held = Some(Ok(t));
                        Ok(())
                    }
                    Err(e) => {
                        *held = Some(Err(()));
                        Err(e)
                    }
                }
            }
        }
    };
    let mut compilation = crate::compile_each(
        workspace,
        options,
        diags,
        Some(out_root),
        |mut f: crate::Feature, shared_errors: bool, sources: &crate::source::Sources| -> Streamed {
            // Rendered now, while the feature's sources are at hand; printed at the end.
            let rendered = diag_render::Rendered::of(&f.diagnostics, sources, color);
            let written = (|| -> Result<Written> {
                if f.failed || shared_errors {
                    return Ok(Written::default());
                }
                if let Some(files) = f.skipped {
                    return Ok(Written {
                        total: files,
                        ..Default::default()
                    });
                }
                take_lock()?;
                let mut p = emit::plan_feature(out_root, &f.name, &f.tree, &f.inputs, &f.findings, args.force)?;
                // The output is planned: drop it, keep what the report needs.
                f.tree = emit::OutputTree::default();
                f.plan = None;
                f.report = None;
                let mut w = write_feature(&p, out_root, cwd, &display_root, false);
                w.conflicts = std::mem::take(&mut p.conflicts);
                Ok(w)
            })();
            // What only the record needed (it has them now, or the feature was not written).
            f.inputs = Default::default();
            f.findings = Vec::new();
            Streamed {
                feature: Box::new(f),
                rendered,
                written,
            }
        },
    );
    let all_diags = compilation.diagnostics();
    let sources = &compilation.workspace.sources;
    let mut rendered = diag_render::Rendered::of(&compilation.shared_diagnostics, sources, color);
    for s in &mut compilation.features {
        rendered.extend(std::mem::take(&mut s.rendered));
    }
    eprint!("{}", rendered.into_text());
    let results = compilation
        .features
        .iter_mut()
        .map(|s| std::mem::replace(&mut s.written, Ok(Written::default())))
        .collect::<Result<Vec<Written>>>()?;
    if blocked(args, &compilation) {
        eprintln!("error: {}; nothing written", diag_render::summary(&all_diags));
        return Ok(Outcome::Failure);
    }
    // As a run that writes: the folder is locked and cleaned even when every feature was
    // up to date.
    take_lock()?;
    let held = lock.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(Ok((_, removed))) = &held {
        for t in removed {
            eprintln!("{}", removed_note(t, cwd));
        }
        if matches!(selection, Selection::All) {
            emit::forget_removed(out_root, &feature_names(&compilation));
        }
    }
    let mut emit_diags = Diagnostics::default();
    for w in &results {
        for c in &w.conflicts {
            emit_diags.push(conflict_diagnostic(c, &display_root));
        }
    }
    emit_diags.extend(orphan_diagnostics(selection, &compilation, out_root, &display_root));
    if !emit_diags.is_empty() {
        eprint!("{}", diag_render::human(&emit_diags, sources, color));
    }
    let failed = failed_features(&compilation);
    let mut not_written: Vec<String> = failed.iter().map(|f| format!("{f} (errors)")).collect();
    let (mut total, mut written, mut io_failure) = (0, 0, false);
    for w in results {
        eprint!("{}", w.lines);
        total += w.total;
        written += w.written;
        io_failure |= w.io_failure;
        not_written.extend(w.not_written);
    }
    let outcome = finish(&compilation, &emit_diags, total, written, &not_written, io_failure);
    drop(held);
    outcome
}

/// A feature of a streaming run once written: what is left of it, and what writing it did.
struct Streamed {
    /// Boxed: a run keeps one per feature until it ends, and a `Feature` holds its plan and
    /// report slots inline (several kilobytes, empty once written).
    feature: Box<crate::Feature>,
    /// Its diagnostics, rendered while its sources were read.
    rendered: diag_render::Rendered,
    written: Result<Written>,
}

impl Compiled for Streamed {
    fn feature(&self) -> &crate::Feature {
        &self.feature
    }
}

/// The names of the workspace's features.
fn feature_names<F: Compiled>(compilation: &crate::Compilation<F>) -> Vec<&str> {
    compilation.workspace.features.iter().map(|f| f.name.as_str()).collect()
}

/// SP611 for every feature folder of the output that was generated for a feature the
/// workspace no longer has. Only a run over every feature can tell.
fn orphan_diagnostics<F: Compiled>(
    selection: &Selection,
    compilation: &crate::Compilation<F>,
    out_root: &Path,
    display_root: &str,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if !matches!(selection, Selection::All) {
        return diags;
    }
    for name in emit::orphans(out_root, &feature_names(compilation)) {
        let folder = format!("{}/{name}", display_root.trim_end_matches('/'));
        diags.push(
            Diagnostic::new(
                Code::StaleFeatureOutput,
                format!("`{folder}` was generated for a feature `{name}` that the workspace no longer has"),
            )
            .at_path(folder.clone())
            .hint(format!(
                "delete it (`rm -r {folder}`) if the feature was removed or renamed, or restore specs/{name}/"
            )),
        );
    }
    diags
}

fn wait_note(display_root: &str) {
    eprintln!("waiting: another sp run is writing {display_root}");
}

/// A conflict as a diagnostic at the first conflicting line of the file on disk.
fn conflict_diagnostic(c: &emit::ConflictedFile, display_root: &str) -> Diagnostic {
    let path = PathBuf::from(format!("{display_root}/{}", c.path));
    let mut d = Diagnostic::new(Code::EditConflict, format!("{}: {}", c.path, c.why));
    let Some(first) = c.hunks.first() else {
        return d
            .at_path(path)
            .hint("move your version away (or delete it) and run again, or run with --force to overwrite it");
    };
    d = d.at_line(path, first.ours_lines.start.max(1), 1);
    let mut detail = String::new();
    for h in &c.hunks {
        let end = h.ours_lines.end.saturating_sub(1).max(h.ours_lines.start);
        detail.push_str(&format!(
            "\nlines {}-{}: your edit\n{}\n  sp now generates\n{}\n",
            h.ours_lines.start,
            end,
            quote(&h.ours, '-'),
            quote(&h.theirs, '+')
        ));
    }
    d.label(format!(
        "{} conflicting hunk{}",
        c.hunks.len(),
        if c.hunks.len() == 1 { "" } else { "s" }
    ))
    .hint(format!(
        "the file is left as it is and nothing of the feature is written.{detail}\nUndo your edit, make it permanent (a template override or the typed input), or run with --force to overwrite it"
    ))
}

fn quote(lines: &[String], mark: char) -> String {
    if lines.is_empty() {
        return format!("  {mark} (nothing)");
    }
    lines
        .iter()
        .take(12)
        .map(|l| format!("  {mark} {l}"))
        .chain((lines.len() > 12).then(|| format!("  {mark} … {} more lines", lines.len() - 12)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_report(
    args: &PlanArgs,
    root: &Path,
    compilation: &crate::Compilation,
    plans: &[emit::FeaturePlan],
    emit_diags: &Diagnostics,
    out_root: &Path,
    blocked: bool,
) -> Result<Outcome> {
    let mut not_written: Vec<String> = compilation
        .features
        .iter()
        .filter(|f| f.failed || compilation.shared_errors)
        .map(|f| f.name.clone())
        .collect();
    let mut written = false;
    let mut io_failure = false;
    for p in plans {
        if !p.conflicts.is_empty() {
            not_written.push(p.name.clone());
        } else if !args.check && !blocked {
            match emit::commit(out_root, p) {
                Ok(()) => written |= !p.changes.is_empty(),
                Err(_) => {
                    io_failure = true;
                    not_written.push(p.name.clone());
                }
            }
        }
    }
    let clean = !args.check && !blocked && not_written.is_empty();
    let workspace_files = if clean && (args.agent_context || args.record) {
        super::workspace_out::update(root, compilation, args.agent_context, args.record)?
    } else {
        Vec::new()
    };
    let report = super::plan_report::report(
        compilation,
        plans,
        emit_diags,
        written,
        not_written.clone(),
        workspace_files,
    );
    println!("{}", serde_json::to_string_pretty(&report).expect("serialisable"));
    // A removed feature's output folder (SP611) is stale output too.
    let orphaned = emit_diags.iter().any(|d| d.code == Code::StaleFeatureOutput);
    let stale = plans.iter().any(|p| !p.up_to_date()) || orphaned;
    Ok(if io_failure {
        Outcome::Error
    } else if blocked || !not_written.is_empty() || (args.check && stale) {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// Where `--out DIR` writes, refused when it would scatter feature folders over a
/// filesystem root, land among the inputs (specs/, or a folder holding the workspace), or
/// leave the workspace by a relative path. An absolute path elsewhere is the user's choice.
pub(super) fn out_folder(out: &Path, cwd: &Path, root: &Path) -> Result<PathBuf> {
    let path = normalize(&cwd.join(out));
    let refuse = |why: &str| {
        Err(Error::Usage(format!(
            "--out {}: {why}; choose an empty folder such as `--out /tmp/sp-out`",
            out.display()
        )))
    };
    if path.parent().is_none() {
        return refuse("that is the root of the filesystem");
    }
    let root = normalize(root);
    if root.starts_with(&path) {
        return refuse("that folder holds the workspace itself");
    }
    if path.starts_with(root.join("specs")) || path.starts_with(root.join(".specify")) {
        return refuse("that is among the inputs under specs/ or .specify/");
    }
    if !out.is_absolute() && !path.starts_with(&root) {
        return refuse("a relative path that leaves the workspace (give an absolute path if that is meant)");
    }
    Ok(path)
}

/// `..` and `.` resolved without touching the disk (the folder may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `out_root` as the user would type it from `cwd`.
fn display_relative(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let s = crate::source::display_path(shown);
    if s.is_empty() { ".".into() } else { s }
}
