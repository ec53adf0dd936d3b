//! The disk side of emit: the lock on an output folder, leftover temporary files, and the
//! all-or-nothing write of one feature.
//!
//! Every file is first written next to its destination as `.<name>.<pid>.sp-tmp` (a name
//! the workspace's `.gitignore` pattern `*.sp-tmp` covers), then renamed over it; a feature
//! folder that does not exist yet is written whole as `.<feature>.<pid>.sp-tmp/` and renamed
//! once. A feature's
//! files are all staged before the first rename; if staging fails nothing is renamed, and if
//! a rename or a removal fails the ones already done are undone from the old contents kept in
//! memory. Temporary files left by a killed run are removed at the start of the next one.
//! New files get the mode the umask gives (as any editor would create them); a replaced file
//! keeps its mode.
//!
//! Durability is rename-only: no file is synced. A rename is atomic, so a reader (or a run
//! after a killed one) sees every file either as it was or as it is now, never half written,
//! and a feature's record is renamed last. What a power loss may lose is the last run's
//! writes, which the next run regenerates from the record (ext4 and most filesystems also
//! flush a file replaced by rename before the rename itself). Syncing each file cost one
//! disk flush per file, which made a first compile of many features wait on the disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The suffix of every temporary file sp creates.
pub const TEMP_SUFFIX: &str = ".sp-tmp";

/// An exclusive lock on an output folder, held until dropped. On Unix the folder itself is
/// locked (`flock`), so no lock file is left behind; elsewhere a `.sp-lock` file in it.
pub struct OutputLock {
    _file: File,
}

/// Lock `out_root` (creating it), calling `on_wait` once if another run holds the lock,
/// then waiting for it.
pub fn lock(out_root: &Path, on_wait: impl FnOnce()) -> Result<OutputLock> {
    std::fs::create_dir_all(out_root).map_err(|e| Error::io(out_root, e))?;
    #[cfg(unix)]
    let file = File::open(out_root).map_err(|e| Error::io(out_root, e))?;
    #[cfg(not(unix))]
    let file = {
        let p = out_root.join(".sp-lock");
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(|e| Error::io(&p, e))?
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            on_wait();
            file.lock().map_err(|e| Error::io(out_root, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(out_root, e)),
    }
    Ok(OutputLock { _file: file })
}

/// True for the name of a temporary file of sp (this version's or an older one's).
fn is_temporary(name: &str) -> bool {
    name.ends_with(TEMP_SUFFIX) || (name.starts_with(".sp-") && name.ends_with(".tmp"))
}

/// Remove temporary files and folders a killed run left under `out_root`; returns them.
///
/// Every run that writes walks the whole output folder here, so the walk is spread over the
/// cores, one top-level folder (a feature) at a time: on a no-op run of many features it was
/// the largest part done on one core.
pub fn clean_temporaries(out_root: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let mut folders = Vec::new();
    clean_folder(out_root, &mut removed, Some(&mut folders))?;
    for done in crate::parallel::map(folders.len(), |i| {
        let mut removed = Vec::new();
        clean_folder(&folders[i], &mut removed, None).map(|()| removed)
    }) {
        removed.extend(done?);
    }
    removed.sort();
    Ok(removed)
}

/// Remove the temporaries under `dir`; with `subfolders`, hand its subfolders back instead of
/// descending into them.
fn clean_folder(dir: &Path, removed: &mut Vec<PathBuf>, mut subfolders: Option<&mut Vec<PathBuf>>) -> Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(ft) = entry.file_type() else { continue };
            let path = entry.path();
            let temporary = is_temporary(&entry.file_name().to_string_lossy());
            if ft.is_dir() && temporary {
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
                removed.push(path);
            } else if ft.is_dir() {
                match subfolders.as_deref_mut() {
                    Some(hand_back) => hand_back.push(path),
                    None => stack.push(path),
                }
            } else if ft.is_file() && temporary {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                removed.push(path);
            }
        }
    }
    Ok(())
}

/// One file operation of a feature's write: put `new` at `path` (or remove it when `new`
/// is `None`); `old` is what was there, to undo it. Borrowed from the plan: a feature's
/// files are not copied again to be written.
#[derive(Debug)]
pub struct Op<'a> {
    pub path: PathBuf,
    pub new: Option<&'a [u8]>,
    pub old: Option<&'a [u8]>,
}

/// Why a feature's write failed, and what it left.
#[derive(Debug)]
pub struct WriteFailure {
    pub error: Error,
    /// Files that now hold the new content (empty when the rollback worked).
    pub written: Vec<PathBuf>,
    /// Files that still hold what they held before the run.
    pub not_written: Vec<PathBuf>,
}

/// A temporary name beside `path`, unique in this process: features written in parallel may
/// both write one shared file (the `.gitignore` of the verified notes), and two writers with
/// one temporary name would remove or rename each other's file.
fn temp_path(path: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}{TEMP_SUFFIX}", std::process::id()))
}

/// Write `bytes` to a new temporary file next to `path`, with `path`'s mode when `replacing`
/// it (a new file gets the mode the umask gives).
fn stage(path: &Path, bytes: &[u8], replacing: bool) -> Result<PathBuf> {
    let tmp = temp_path(path);
    let create = || OpenOptions::new().write(true).create_new(true).open(&tmp);
    let mut f = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // A leftover of a run with the same process id: take its place.
            let _ = std::fs::remove_file(&tmp);
            create()
        }
        other => other,
    }
    .map_err(|e| Error::io(&tmp, e))?;
    let result = (|| {
        f.write_all(bytes)?;
        if replacing && let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    Ok(tmp)
}

/// Create `dir` and its missing parents, remembering each one created. `known` holds the
/// folders already seen to exist, so a feature's forty files do not stat the same folders
/// forty times.
fn make_dirs(dir: &Path, created: &mut Vec<PathBuf>, known: &mut Vec<PathBuf>) -> Result<()> {
    let is_known = |d: &Path, known: &[PathBuf]| known.iter().any(|k| k == d);
    if is_known(dir, known) {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut d = dir;
    while !is_known(d, known) && !d.exists() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    for m in missing.into_iter().rev() {
        std::fs::create_dir(&m).map_err(|e| Error::io(&m, e))?;
        created.push(m);
    }
    known.push(dir.to_path_buf());
    Ok(())
}

fn remove_created(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// Apply `ops` all or nothing. Folders emptied by removals are removed, up to `stop`.
pub fn apply(ops: &[Op], stop: &Path) -> std::result::Result<(), WriteFailure> {
    let all = || ops.iter().map(|o| o.path.clone()).collect::<Vec<_>>();
    // 1. Stage every new content; any failure leaves the disk as it was.
    let mut created = Vec::new();
    let mut temps: Vec<Option<PathBuf>> = Vec::new();
    let cleanup = |temps: &[Option<PathBuf>], created: &[PathBuf]| {
        for t in temps.iter().flatten() {
            let _ = std::fs::remove_file(t);
        }
        remove_created(created);
    };
    if let Some(done) = create_folder(ops, stop) {
        return done.map_err(|error| WriteFailure {
            error,
            written: Vec::new(),
            not_written: all(),
        });
    }
    let mut known = Vec::new();
    for op in ops {
        let Some(bytes) = op.new else {
            temps.push(None);
            continue;
        };
        let staged = op
            .path
            .parent()
            .map_or(Ok(()), |d| make_dirs(d, &mut created, &mut known))
            .and_then(|()| stage(&op.path, bytes, op.old.is_some()));
        match staged {
            Ok(t) => temps.push(Some(t)),
            Err(error) => {
                cleanup(&temps, &created);
                return Err(WriteFailure {
                    error,
                    written: Vec::new(),
                    not_written: all(),
                });
            }
        }
    }
    // 2. Rename and remove; on failure undo what was done.
    for (i, op) in ops.iter().enumerate() {
        let done = match &temps[i] {
            Some(t) => std::fs::rename(t, &op.path).map_err(|e| Error::io(&op.path, e)),
            None => std::fs::remove_file(&op.path).map_err(|e| Error::io(&op.path, e)),
        };
        if let Err(error) = done {
            let mut still_new = Vec::new();
            for prev in ops[..i].iter().rev() {
                let undone = match &prev.old {
                    Some(old) => stage(&prev.path, old, true)
                        .and_then(|t| std::fs::rename(&t, &prev.path).map_err(|e| Error::io(&prev.path, e))),
                    None => std::fs::remove_file(&prev.path).map_err(|e| Error::io(&prev.path, e)),
                };
                if undone.is_err() {
                    still_new.push(prev.path.clone());
                }
            }
            cleanup(&temps[i..], &created);
            still_new.sort();
            let not_written = all().into_iter().filter(|p| !still_new.contains(p)).collect();
            return Err(WriteFailure {
                error,
                written: still_new,
                not_written,
            });
        }
    }
    for op in ops.iter().filter(|o| o.new.is_none()) {
        let mut d = op.path.parent();
        while let Some(dir) = d {
            if dir == stop || !dir.starts_with(stop) || std::fs::remove_dir(dir).is_err() {
                break;
            }
            d = dir.parent();
        }
    }
    Ok(())
}

/// A folder that does not exist yet, written whole: every file into a temporary folder next to
/// it, then one rename. `None` when `ops` are not all new files under a missing `stop`.
///
/// This is the first compile of a feature, and the shape of most of a large first run: one
/// rename per feature instead of a temporary file and a rename per file, and no lookups of
/// files that cannot be there. It is as all-or-nothing as the general path: until the rename
/// the folder does not exist, and a killed run leaves only the temporary folder, which the next
/// run removes.
fn create_folder(ops: &[Op], stop: &Path) -> Option<Result<()>> {
    let all_new = !ops.is_empty()
        && ops
            .iter()
            .all(|o| o.old.is_none() && o.new.is_some() && o.path.starts_with(stop));
    if !all_new || std::fs::symlink_metadata(stop).is_ok() {
        return None;
    }
    let parent = stop.parent()?;
    let name = stop.file_name()?.to_string_lossy();
    let staging = parent.join(format!(".{name}.{}{TEMP_SUFFIX}", std::process::id()));
    let write = || -> Result<()> {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        // Folders made inside the staging folder go with it when a write fails.
        let (mut known, mut made) = (vec![staging.clone()], Vec::new());
        for op in ops {
            let rel = op.path.strip_prefix(stop).expect("checked above");
            let path = staging.join(rel);
            if let Some(dir) = path.parent() {
                make_dirs(dir, &mut made, &mut known)?;
            }
            let bytes = op.new.expect("checked above");
            std::fs::write(&path, bytes).map_err(|e| Error::io(&op.path, e))?;
        }
        std::fs::rename(&staging, stop).map_err(|e| Error::io(stop, e))
    };
    let done = write();
    if done.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    Some(done)
}

/// Replace one file atomically (a temporary file, then a rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let op = Op {
        path: path.to_path_buf(),
        new: Some(bytes),
        old: None,
    };
    let stop = path.parent().unwrap_or(Path::new("."));
    apply(std::slice::from_ref(&op), stop).map_err(|f| f.error)
}

#[cfg(test)]
mod tests {
    /// Features written in parallel share the notes' `.gitignore`: every writer of one file
    /// succeeds, and no temporary file is left.
    #[test]
    fn parallel_writers_of_one_file_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".gitignore");
        let results = crate::parallel::map(64, |_| super::write_atomic(&path, b"*\n").is_ok());
        assert!(results.iter().all(|ok| *ok), "{results:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"*\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [".gitignore"]);
    }
}
