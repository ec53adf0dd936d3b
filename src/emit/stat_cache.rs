//! What this machine knows of the files sp wrote, so a no-op run need not read them back.
//!
//! A run skips a feature whose inputs are those of its record only when every file the
//! record lists is still on disk as written (no hand edit). Reading and hashing every file to
//! know that is most of a no-op run's cost (a thousand features are 45,000 files). Like git's
//! index, this cache keeps, per file, what the file system says of it (size, inode, device,
//! modification and change times) with the hash of the content it had then: while a file's
//! signature is the one recorded, its content is the recorded one, and only a file whose
//! signature moved is read.
//!
//! Any write to a file sets its change time, which no program can set back, and a file
//! replaced by a rename (what editors and `git checkout` do) has another inode; so a
//! different signature is all an edit can leave. On a kernel with multigrain timestamps
//! (Linux 6.13 and later, on ext4, xfs, btrfs and tmpfs), a write after sp looked at the file
//! always gets a later change time. On an older kernel the one edit the cache cannot see is
//! one that keeps the size and lands in the same clock tick (a few milliseconds) as sp's own
//! write. A clean checkout (CI) has no cache and reads every file, and `sp plan --check`
//! never skips a feature: it compiles each one and compares it with the disk.
//!
//! The cache is `.sp/stat/<feature>.json` under the output root, in the folder whose
//! `.gitignore` keeps it out of version control (`record::PRIVATE_IGNORE`). It is a shortcut only:
//! a missing, damaged or stale cache costs a read, never a wrong answer, and a cache that
//! cannot be written is ignored. Entries are keyed by signature, so a cache written by a
//! run that saw an older state of a file never matches the newer one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Folder of the caches under the output root (inside `.sp/`, which is never committed).
pub const DIR: &str = ".sp/stat";

/// What the file system says of one file: `[size, inode, device, mtime s, mtime ns,
/// ctime s, ctime ns]` (on other systems than Unix, size and modification time only).
type Signature = [i64; 7];

/// The file `path` as the file system describes it now; `None` when it is not a file.
pub fn signature(path: &Path) -> Option<Signature> {
    let meta = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
    Some(of(&meta))
}

#[cfg(unix)]
fn of(meta: &std::fs::Metadata) -> Signature {
    use std::os::unix::fs::MetadataExt;
    // Bit patterns: an inode or device above i64::MAX stays distinct, which is all a
    // signature needs.
    [
        meta.size() as i64,
        meta.ino() as i64,
        meta.dev() as i64,
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
    ]
}

#[cfg(not(unix))]
fn of(meta: &std::fs::Metadata) -> Signature {
    let since = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    [
        meta.len() as i64,
        0,
        0,
        since.as_secs() as i64,
        i64::from(since.subsec_nanos()),
        0,
        0,
    ]
}

/// One feature's cache: each file (relative to the feature's folder) with its signature and
/// content hash.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatCache {
    files: BTreeMap<String, (Signature, String)>,
}

impl StatCache {
    /// Feature `name`'s cache under `out_root`; empty when there is none or it is damaged.
    pub fn load(out_root: &Path, name: &str) -> Self {
        std::fs::read(out_root.join(path(name)))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The content hash of `rel`, when the cache saw the file with signature `sig`.
    pub fn hash(&self, rel: &str, sig: &Signature) -> Option<&str> {
        self.files.get(rel).filter(|(s, _)| s == sig).map(|(_, h)| h.as_str())
    }

    pub fn insert(&mut self, rel: String, sig: Signature, hash: String) {
        self.files.insert(rel, (sig, hash));
    }

    /// A cache of the files `settled` (relative path and the hash of the content sp knows
    /// they have) of feature `name`, as they are on disk now. A file that is gone is left out.
    pub fn of_settled(out_root: &Path, name: &str, settled: &[(String, String)]) -> Self {
        let dir = out_root.join(name);
        let mut cache = StatCache::default();
        for (rel, hash) in settled {
            if let Some(sig) = signature(&dir.join(rel)) {
                cache.insert(rel.clone(), sig, hash.clone());
            }
        }
        cache
    }

    /// Write the cache of feature `name` (and the `.gitignore` of `.sp/` when it is missing).
    pub fn save(&self, out_root: &Path, name: &str) -> crate::error::Result<()> {
        let json = serde_json::to_vec(self).expect("serialisable");
        super::write_private(out_root, &path(name), &json)
    }
}

/// Path of feature `name`'s cache, relative to the output root.
pub fn path(name: &str) -> String {
    format!("{DIR}/{name}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_changes_the_signature_and_a_rewrite_of_the_same_bytes_too() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "replicas: 1\n").unwrap();
        let first = signature(&f).unwrap();
        assert_eq!(signature(&f), Some(first), "a signature is stable while nothing writes");
        // Same size, other bytes: the change time (or, in the same clock tick, nothing but
        // the content) moves; a replacement by rename always moves the inode.
        let tmp = dir.path().join(".a.yaml.tmp");
        std::fs::write(&tmp, "replicas: 2\n").unwrap();
        std::fs::rename(&tmp, &f).unwrap();
        assert_ne!(signature(&f), Some(first));
        assert_eq!(signature(&dir.path().join("missing")), None);
        assert_eq!(signature(dir.path()), None, "a folder has no signature");
    }

    #[test]
    fn a_cache_answers_only_for_the_signature_it_saw_and_survives_a_round_trip() {
        let out = tempfile::tempdir().unwrap();
        let feature = out.path().join("001-x");
        std::fs::create_dir_all(&feature).unwrap();
        std::fs::write(feature.join("plan.md"), "# Plan\n").unwrap();
        let settled = [
            ("plan.md".to_string(), "h1".to_string()),
            ("gone.md".to_string(), "h2".to_string()),
        ];
        let cache = StatCache::of_settled(out.path(), "001-x", &settled);
        let sig = signature(&feature.join("plan.md")).unwrap();
        assert_eq!(cache.hash("plan.md", &sig), Some("h1"));
        assert_eq!(cache.hash("gone.md", &sig), None, "a missing file is not cached");
        let mut other = sig;
        other[0] += 1;
        assert_eq!(cache.hash("plan.md", &other), None);
        cache.save(out.path(), "001-x").unwrap();
        assert_eq!(StatCache::load(out.path(), "001-x"), cache);
        assert!(
            out.path().join(".sp/.gitignore").is_file(),
            "the cache is never committed"
        );
        std::fs::write(out.path().join(path("001-x")), "{not json").unwrap();
        assert_eq!(StatCache::load(out.path(), "001-x"), StatCache::default());
    }
}
