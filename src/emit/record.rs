//! The record of what sp wrote for one feature, committed with the output:
//!
//! - `out/<feature>/.sp/record.json`: sp's version, a hash of every input the feature was
//!   compiled from and of all of them together, and the content hash of every file written;
//! - `out/<feature>/.sp/base.lz4`: those files as sp generated them (an LZ4 frame), the base
//!   of the three-way merge that keeps hand edits.
//!
//! Both are deterministic: the same inputs and the same sp give the same bytes.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostics::stored::Stored;

/// The folder of the record inside a feature's output folder (load skips it when it reads).
pub const DIR: &str = crate::load::RECORD_DIR;
/// The record, relative to the feature's output folder.
pub const RECORD: &str = ".sp/record.json";
/// The generated files of the last run, relative to the feature's output folder.
pub const BASE: &str = ".sp/base.lz4";
/// Where earlier builds of sp kept the base (gzip). Read when [`BASE`] is absent, so the
/// hand edits of a tree they wrote keep merging, and removed when the new base is written.
pub const LEGACY_BASE: &str = ".sp/base.gz";

/// sp's version, as written in records.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// This build of sp: a hash of its sources (see `build.rs`). Two builds with one version
/// number may generate different bytes; only output of this very build is skipped unread.
pub const BUILD: &str = env!("SP_BUILD");

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The version of sp that wrote the files.
    pub sp: String,
    /// The build of sp that wrote them ([`BUILD`]).
    #[serde(default)]
    pub build: String,
    /// One hash of all inputs, in path order.
    pub inputs_hash: String,
    /// Every input (spec, plan input, constitution, template overrides, repository files,
    /// `--set`), by path, with its content hash.
    pub inputs: BTreeMap<String, String>,
    /// Every file written, by path relative to the feature's output folder.
    pub files: BTreeMap<String, String>,
    /// What compiling the feature reported: replayed when a later run skips it unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Stored>,
}

/// The inputs of every feature of `workspace`: every file read except those of other
/// features, and the `--set` assignments, each with its content hash. Each file is hashed
/// once.
pub fn inputs(workspace: &crate::load::Workspace, set: &[String]) -> Vec<BTreeMap<String, String>> {
    let index = crate::load::FeatureIndex::new(workspace);
    let mut common = BTreeMap::new();
    let mut own = vec![BTreeMap::new(); workspace.features.len()];
    let files: Vec<&crate::source::SourceFile> = workspace.sources.iter().collect();
    let hashes = crate::parallel::map(files.len(), |i| hash(files[i].text.as_bytes()));
    for (file, h) in files.iter().zip(hashes) {
        match index.of(&file.path) {
            // Not read yet: the feature adds them when it reads them (`feature_inputs`).
            Some(i) if workspace.features[i].reserved => None,
            Some(i) => own[i].insert(file.display_path(), h),
            None => common.insert(file.display_path(), h),
        };
    }
    if !set.is_empty() {
        common.insert("--set".to_string(), hash(set.join("\n").as_bytes()));
    }
    for o in &mut own {
        o.extend(common.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    own
}

/// What this build found when it compiled a feature whose files on disk were already what it
/// generates, under a record it did not rewrite (written by another build of sp, or from
/// inputs that differ only in what changes no output, such as a blank line). The record is
/// committed with the output, so rewriting it would change the tree for nothing; this note
/// lives beside it, out of version control (`.sp/` at the output root, which ignores
/// itself), and lets the next run skip the feature as if the record named this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub sp: String,
    pub build: String,
    /// The inputs the feature was compiled from ([`Record::inputs_hash`]).
    pub inputs_hash: String,
    /// The record on disk it was checked against.
    pub record: String,
    /// What compiling it reported (the record's may be another build's).
    pub findings: Vec<Stored>,
}

/// The folder of [`Verified`] notes under the output root.
pub const VERIFIED_DIR: &str = ".sp/verified";
/// The `.gitignore` of the output root's `.sp/` folder, which holds what only this machine
/// can use (verified notes, file signatures): it keeps the folder, itself included, out of
/// version control.
pub const PRIVATE_IGNORE: (&str, &str) = (
    ".sp/.gitignore",
    "# sp's notes about this machine's copy of the output; never committed.\n*\n",
);

/// Path of feature `name`'s [`Verified`] note, relative to the output root.
pub fn verified_path(name: &str) -> String {
    format!("{VERIFIED_DIR}/{name}.json")
}

impl Verified {
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// Whether this note vouches for `record_text` compiled from `inputs` by this build.
    pub fn vouches(&self, record_text: &str, inputs: &BTreeMap<String, String>) -> bool {
        self.sp == VERSION
            && self.build == BUILD
            && self.inputs_hash == inputs_hash(inputs)
            && self.record == hash(record_text.as_bytes())
    }
}

/// One hash of all inputs, in path order.
pub fn inputs_hash(inputs: &BTreeMap<String, String>) -> String {
    let mut all = String::new();
    for (path, h) in inputs {
        all.push_str(&format!("{path}\0{h}\n"));
    }
    hash(all.as_bytes())
}

/// Add the hashes of a feature's own files, read after [`inputs`] ran (a deferred load).
pub fn feature_inputs(
    inputs: &mut BTreeMap<String, String>,
    f: &crate::load::FeatureFiles,
    sources: &crate::source::Sources,
) {
    for id in f.ids() {
        let file = sources.get(id);
        inputs.insert(file.display_path(), hash(file.text.as_bytes()));
    }
}

/// A record file's text: pretty JSON ending with a newline, so it diffs line by line.
fn pretty_json(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serialisable");
    s.push('\n');
    s
}

/// The SHA-256 of `bytes`, in hex.
pub fn hash(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

impl Record {
    pub fn new<T: AsRef<str>>(
        inputs: &BTreeMap<String, String>,
        files: &BTreeMap<String, T>,
        findings: &[Stored],
    ) -> Self {
        Record {
            sp: VERSION.to_string(),
            build: BUILD.to_string(),
            inputs_hash: inputs_hash(inputs),
            inputs: inputs.clone(),
            files: files
                .iter()
                .map(|(p, t)| (p.clone(), hash(t.as_ref().as_bytes())))
                .collect(),
            findings: findings.to_vec(),
        }
    }

    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// Why the output recorded here differs from what `now` would record, in words.
    pub fn reasons(&self, now: &Record) -> Vec<String> {
        let mut out = Vec::new();
        if self.sp != now.sp {
            out.push(format!("sp changed: written by {}, this is {}", self.sp, now.sp));
        }
        if self.inputs_hash != now.inputs_hash {
            let mut changed = Vec::new();
            for (p, h) in &now.inputs {
                match self.inputs.get(p) {
                    None => changed.push(format!("{p} (new)")),
                    Some(o) if o != h => changed.push(p.clone()),
                    _ => {}
                }
            }
            for p in self.inputs.keys().filter(|p| !now.inputs.contains_key(*p)) {
                changed.push(format!("{p} (gone)"));
            }
            out.push(format!("inputs changed: {}", changed.join(", ")));
        }
        out
    }
}

/// The generated files as one deterministic LZ4 frame (with its content checksum, so a
/// damaged base is told from a good one).
///
/// The base is written on every compile and read only when a generated file was edited, so
/// it is compressed for speed: for the example's 280 KB, LZ4 takes 0.35 ms where gzip's
/// fastest level took 0.82 ms, for the same 80 KB (gzip was about 5% of a 1,000-feature first
/// compile). `lz4 -dc base.lz4` prints it.
pub fn encode_base<T: AsRef<str>>(files: &BTreeMap<String, T>) -> Vec<u8> {
    let raw_len: usize = files.iter().map(|(p, t)| p.len() + t.as_ref().len() + 24).sum();
    // Linked 64 KB blocks: each block still matches against the one before, so the frame is
    // as small as with 1 MB blocks (80.25 KB against 80.20 for the example), while the
    // encoder's buffers are a tenth (a 1,000-feature run peaked 3 MB lower).
    let info = lz4_flex::frame::FrameInfo::new()
        .block_size(lz4_flex::frame::BlockSize::Max64KB)
        .block_mode(lz4_flex::frame::BlockMode::Linked)
        .content_checksum(true);
    let mut lz = lz4_flex::frame::FrameEncoder::with_frame_info(info, Vec::with_capacity(raw_len / 3));
    for (path, text) in files {
        let text = text.as_ref();
        lz.write_all(format!("{path}\n{}\n", text.len()).as_bytes())
            .expect("writing to memory");
        lz.write_all(text.as_bytes()).expect("writing to memory");
    }
    lz.finish().expect("writing to memory")
}

/// The files of a base written by [`encode_base`], or by an older sp as gzip ([`LEGACY_BASE`]);
/// `None` when it is damaged.
pub fn decode_base(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut raw = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw).ok()?;
    } else {
        lz4_flex::frame::FrameDecoder::new(bytes).read_to_end(&mut raw).ok()?;
    }
    let mut out = BTreeMap::new();
    let mut rest = &raw[..];
    while !rest.is_empty() {
        let nl = rest.iter().position(|b| *b == b'\n')?;
        let path = std::str::from_utf8(&rest[..nl]).ok()?.to_string();
        rest = &rest[nl + 1..];
        let nl = rest.iter().position(|b| *b == b'\n')?;
        let len: usize = std::str::from_utf8(&rest[..nl]).ok()?.parse().ok()?;
        rest = &rest[nl + 1..];
        if rest.len() < len {
            return None;
        }
        out.insert(path, String::from_utf8(rest[..len].to_vec()).ok()?);
        rest = &rest[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_round_trips_and_is_deterministic() {
        let mut files = BTreeMap::new();
        files.insert("plan.md".to_string(), "# Plan\n\nline\n".to_string());
        files.insert("k8s/a.yaml".to_string(), "a: 1\n".to_string());
        files.insert("empty".to_string(), String::new());
        let a = encode_base(&files);
        assert_eq!(a, encode_base(&files));
        assert_eq!(decode_base(&a), Some(files));
        assert_eq!(decode_base(b"not a base"), None);
        let mut damaged = a.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0x55;
        assert_eq!(decode_base(&damaged), None);
    }

    /// A tree an earlier sp wrote kept its base as gzip: it still reads.
    #[test]
    fn a_gzip_base_of_an_older_sp_reads() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"plan.md\n8\n# Plan\n\nk8s/a.yaml\n5\na: 1\n").unwrap();
        let bytes = gz.finish().unwrap();
        let files = decode_base(&bytes).unwrap();
        assert_eq!(files["plan.md"], "# Plan\n\n");
        assert_eq!(files["k8s/a.yaml"], "a: 1\n");
    }

    #[test]
    fn reasons_name_the_changed_inputs_and_version() {
        let mut inputs = BTreeMap::new();
        inputs.insert("specs/001-x/spec.md".to_string(), hash(b"one"));
        inputs.insert("constitution.md".to_string(), hash(b"c"));
        let old = Record::new(&inputs, &BTreeMap::<String, String>::new(), &[]);
        assert!(old.reasons(&old).is_empty());
        inputs.insert("specs/001-x/spec.md".to_string(), hash(b"two"));
        let mut now = Record::new(&inputs, &BTreeMap::<String, String>::new(), &[]);
        now.sp = "9.9.9".into();
        let r = old.reasons(&now);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r[1].contains("inputs changed: specs/001-x/spec.md"), "{r:?}");
    }
}
