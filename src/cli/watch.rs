//! `sp plan --watch`: compile, then compile again whenever an input is saved.
//!
//! Each round is an ordinary `sp plan` run (same merges, records and diagnostics), so what a
//! round prints is what changed: the files written or merged, and the diagnostics of the
//! inputs as they are now. A round that fails (a syntax error while typing) is reported and
//! the watch goes on; only a failure to find the workspace ends it.

use std::path::Path;
use std::time::Duration;

use super::Outcome;
use super::plan::{self, PlanArgs};
use crate::error::{Error, Result};
use crate::load::watch;

/// How often the files are polled, and how long a change must rest before compiling (an
/// editor's save is often a write and a rename).
const POLL: Duration = Duration::from_millis(400);
const SETTLE: Duration = Duration::from_millis(150);

pub fn run(args: &PlanArgs, dir: Option<&Path>, color: bool) -> Result<Outcome> {
    if !args.text.is_empty() {
        return Err(Error::Usage(
            "--watch compiles what is on disk; save the plan input text first with `sp plan <feature> \"…\"`".into(),
        ));
    }
    if args.format != super::Format::Human {
        return Err(Error::Usage(
            "--watch prints for a terminal; it takes no --format".into(),
        ));
    }
    let cwd = match dir {
        Some(d) => std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?,
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let (root, _) = plan::locate(args, &cwd)?;
    let out_root = match &args.out {
        Some(o) => plan::out_folder(o, &cwd, &root)?,
        None => crate::default_out(&root),
    };
    let once = PlanArgs {
        watch: false,
        ..args.clone()
    };
    loop {
        if let Err(e) = plan::run(&once, dir, color) {
            eprintln!("error: {e}");
        }
        let mut seen = watch::snapshot(&root, &out_root);
        eprintln!(
            "watching {} files under {} (Ctrl-C to stop)",
            seen.len(),
            display(&root, &cwd)
        );
        let changed = loop {
            std::thread::sleep(POLL);
            let now = watch::snapshot(&root, &out_root);
            if now == seen {
                continue;
            }
            // Let the save finish, then compile against what it settled on.
            std::thread::sleep(SETTLE);
            let settled = watch::snapshot(&root, &out_root);
            let changed = settled.changed_since(&seen);
            seen = settled;
            if !changed.is_empty() {
                break changed;
            }
        };
        let mut names: Vec<String> = changed.iter().take(5).map(|p| p.display().to_string()).collect();
        if changed.len() > 5 {
            names.push(format!("and {} more", changed.len() - 5));
        }
        eprintln!("\nchanged: {}", names.join(", "));
    }
}

fn display(root: &Path, cwd: &Path) -> String {
    match root.strip_prefix(cwd) {
        Ok(p) if p.as_os_str().is_empty() => ".".into(),
        Ok(p) => p.display().to_string(),
        Err(_) => root.display().to_string(),
    }
}
