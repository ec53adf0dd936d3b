//! `sp plan`: compile features, then check, diff or write the output.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Format, Outcome};
use crate::diagnostics::render as diag_render;
use crate::emit::{self, ChangeKind};
use crate::error::{Error, Result};
use crate::load::{self, Selection};

#[derive(Args, Debug)]
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
}

/// Work out the workspace root and the selection from the arguments. A FEATURE that is a
/// folder on disk wins over a name, so `sp plan path/to/specs/004-x` works from anywhere.
fn locate(args: &PlanArgs, cwd: &Path) -> Result<(PathBuf, Selection)> {
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
            let parent = abs.parent().filter(|p| p.file_name().is_some_and(|n| n == "specs"));
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
    // Started inside a feature folder: that feature, as spec-kit's scripts assume.
    let here = cwd.strip_prefix(&root).ok().and_then(|rel| {
        let mut parts = rel.components();
        (parts.next()?.as_os_str() == "specs")
            .then(|| parts.next().map(|p| p.as_os_str().to_string_lossy().into_owned()))?
    });
    let selection = match (&args.feature, args.all, here) {
        (_, true, _) => Selection::All,
        (Some(f), false, _) => Selection::Named(f.clone()),
        (None, false, Some(name)) => Selection::Named(name),
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
        match emit::save_plan_input(&dir, &name, &args.text.join(" "), args.replace_input)? {
            emit::Saved::Created(p) => eprintln!("saved {}", shown(&p)),
            emit::Saved::Unchanged(p) => eprintln!("{} already says this", shown(&p)),
            emit::Saved::Replaced(p, b) => eprintln!("saved {} (the previous text is in {})", shown(&p), shown(&b)),
        }
    }

    let options = crate::Options { set: args.set.clone() };
    let compilation = crate::compile(&root, &selection, &options)?;
    if compilation.features.is_empty() {
        return Err(Error::Usage(format!(
            "error[{}]: no feature folders under {}; there is nothing to compile or check",
            crate::diagnostics::Code::FeatureNotFound,
            root.join("specs").display()
        )));
    }
    let diags = &compilation.diagnostics;
    let sources = &compilation.workspace.sources;
    let has_errors = diags.has_errors();

    // Stale files are computed even when there are errors, for the JSON report; nothing
    // is written unless the run is clean.
    let changes = emit::compare(&out_root, &compilation.tree)?;
    let display_root = display_relative(&out_root, &cwd);

    let write = !has_errors && !args.check && !args.explain;
    let workspace_files = if write && (args.agent_context || args.record) {
        super::workspace_out::update(&root, &compilation, &changes, args.agent_context, args.record)?
    } else {
        Vec::new()
    };
    if args.format == Format::Json {
        if write {
            emit::write(&out_root, &changes)?;
        }
        let report = super::plan_report::report(&compilation, &changes, write, workspace_files);
        println!("{}", serde_json::to_string_pretty(&report).expect("serialisable"));
        return Ok(if has_errors || (args.check && !changes.is_empty()) {
            Outcome::Failure
        } else {
            Outcome::Success
        });
    }

    if !diags.is_empty() {
        eprint!("{}", diag_render::human(diags, sources, color));
    }
    if args.explain {
        for plan in &compilation.plans {
            print!("{}", crate::render::explain::explain(plan));
        }
        return Ok(if has_errors { Outcome::Failure } else { Outcome::Success });
    }
    if has_errors {
        eprintln!("error: {}; nothing written", diag_render::summary(diags));
        return Ok(Outcome::Failure);
    }

    let total = compilation.tree.len();
    if args.check {
        for c in &changes {
            print!("{}", emit::unified_diff(c, &display_root));
        }
        if changes.is_empty() {
            eprintln!("{display_root}: {total} files up to date");
            return Ok(Outcome::Success);
        }
        eprintln!(
            "error: {} of {total} files in {display_root} are stale; run `sp plan{}` to update them",
            changes.len(),
            if matches!(selection, Selection::All) {
                " --all"
            } else {
                ""
            }
        );
        return Ok(Outcome::Failure);
    }
    if args.diff {
        for c in &changes {
            print!("{}", emit::unified_diff(c, &display_root));
        }
    }
    emit::write(&out_root, &changes)?;
    for c in &changes {
        let verb = match c.kind {
            ChangeKind::Added => "created",
            ChangeKind::Modified => "updated",
        };
        eprintln!("{verb:>8} {display_root}/{}", c.path);
    }
    for w in &workspace_files {
        if w.action != "unchanged" {
            eprintln!(
                "{:>8} {}",
                if w.action == "create" {
                    "created"
                } else if w.action == "update" {
                    "updated"
                } else {
                    "kept"
                },
                w.path
            );
        }
    }
    eprintln!(
        "{} feature{}, {total} files: {} written, {} unchanged{}",
        compilation.features.len(),
        if compilation.features.len() == 1 { "" } else { "s" },
        changes.len(),
        total - changes.len(),
        if diags.is_empty() {
            String::new()
        } else {
            format!(" ({})", diag_render::summary(diags))
        }
    );
    Ok(Outcome::Success)
}

/// Where `--out DIR` writes, refused when it would scatter feature folders over a
/// filesystem root, land among the inputs (specs/, or a folder holding the workspace), or
/// leave the workspace by a relative path. An absolute path elsewhere is the user's choice.
fn out_folder(out: &Path, cwd: &Path, root: &Path) -> Result<PathBuf> {
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
