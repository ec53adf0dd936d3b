//! The base revision of `sp review`, read from git objects.
//!
//! `git ls-tree` lists the files of the revision under the workspace, `git cat-file --batch`
//! reads them, and they are put in a private temporary folder that the review compiles and
//! then deletes. No checkout: the working tree, the index and HEAD are never touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// Files larger than this are not inputs sp reads (the loader skips them too).
const MAX_BLOB: usize = 4 << 20;

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Write the files of the workspace at `root` as they are in revision `rev` into `into`,
/// without the output folder `out_rel` (generated, and not an input). Returns the commit id.
pub fn extract(root: &Path, rev: &str, out_rel: Option<&str>, into: &Path) -> Result<String> {
    if rev.starts_with('-') {
        return Err(Error::Usage(format!("`{rev}` is not a git revision")));
    }
    let commit = git(
        root,
        &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
    )
    .map_err(|_| {
        Error::Usage(format!(
            "`{rev}` names no commit of the repository at {}",
            root.display()
        ))
    })?
    .trim()
    .to_string();
    let top = git(root, &["rev-parse", "--show-toplevel"])?.trim().to_string();
    let prefix = git(root, &["rev-parse", "--show-prefix"])?.trim().to_string();
    let mut args = vec!["ls-tree", "-r", "-z", commit.as_str()];
    if !prefix.is_empty() {
        args.extend(["--", prefix.as_str()]);
    }
    let listing = git(Path::new(&top), &args)?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (mode, kind, oid) = (parts.next(), parts.next(), parts.next());
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        if out_rel.is_some_and(|o| rel == o || rel.starts_with(&format!("{o}/"))) {
            continue;
        }
        if !crate::emit::is_contained(Path::new(rel)) {
            continue;
        }
        wanted.push((oid.unwrap_or_default().to_string(), rel.to_string()));
    }

    let mut child = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Usage(format!("cannot run git: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let ids: String = wanted.iter().map(|(oid, _)| format!("{oid}\n")).collect();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(ids.as_bytes());
    });
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    for (_, rel) in &wanted {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|e| Error::io("git cat-file", e))?;
        let size: usize = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| Error::Usage(format!("git cat-file: unexpected answer `{}`", header.trim())))?;
        let mut body = vec![0u8; size + 1];
        reader.read_exact(&mut body).map_err(|e| Error::io("git cat-file", e))?;
        body.pop();
        if size > MAX_BLOB {
            continue;
        }
        let dest = into.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&dest, &body).map_err(|e| Error::io(&dest, e))?;
    }
    let _ = feeder.join();
    let _ = child.wait();
    Ok(commit)
}
