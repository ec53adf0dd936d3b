//! `sp review --base <git-ref>`: what the change from a revision to the working tree means.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::Outcome;
use crate::diagnostics::Diagnostics;
use crate::diagnostics::render as diag_render;
use crate::error::{Error, Result};
use crate::load::{self, Selection};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// For a pull request comment: a short summary, details folded.
    Markdown,
    Json,
    /// SARIF 2.1.0 carrying only the findings that are new since the base.
    Sarif,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// The revision to compare with: a branch, tag or commit (`origin/main`, `HEAD~1`).
    #[arg(long, value_name = "GIT-REF")]
    pub base: String,

    /// How to print the review.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Markdown)]
    pub format: ReviewFormat,

    /// Exit 1 when a finding is new since the base (findings already there do not count).
    #[arg(long)]
    pub fail_on_new: bool,

    /// Exit 1 when a change is breaking (a removed endpoint, port, chart value or variable).
    #[arg(long)]
    pub fail_on_breaking: bool,
}

pub fn run(args: &ReviewArgs, dir: Option<&Path>) -> Result<Outcome> {
    let cwd = match dir {
        Some(d) => std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?,
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let root = load::find_root(&cwd).ok_or_else(|| {
        Error::Usage(format!(
            "no spec-kit workspace (a folder with specs/ or .specify/) at or above {}",
            cwd.display()
        ))
    })?;
    let scratch = tempfile::Builder::new()
        .prefix("sp-review-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let base_root: PathBuf = scratch.path().to_path_buf();
    let commit = crate::review::git::extract(&root, &args.base, Some("out"), &base_root)?;
    if !base_root.join("specs").is_dir() && !base_root.join(".specify").is_dir() {
        std::fs::create_dir_all(base_root.join("specs")).map_err(|e| Error::io(&base_root, e))?;
    }
    let options = crate::Options::default();
    let base = crate::compile(&base_root, &Selection::All, &options)?;
    let head = crate::compile(&root, &Selection::All, &options)?;
    let hint = format!("{}/", base_root.display());
    let (review, new) = crate::review::review(&args.base, &commit, &base, &head, &hint);
    match args.format {
        ReviewFormat::Markdown => print!("{}", crate::review::render::markdown(&review)),
        ReviewFormat::Json => print!("{}", crate::review::render::json(&review)),
        ReviewFormat::Sarif => {
            let mut diags = Diagnostics::default();
            for d in new {
                diags.push(d);
            }
            println!(
                "{}",
                diag_render::sarif(&diags, &head.workspace.sources, &super::check::gate_rules())
            );
        }
    }
    let fail = (args.fail_on_new && !review.findings.new.is_empty())
        || (args.fail_on_breaking && review.breaking().next().is_some());
    Ok(if fail { Outcome::Failure } else { Outcome::Success })
}
