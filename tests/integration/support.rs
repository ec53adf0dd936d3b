//! Running the real `sp` binary in throw-away copies of workspaces.
//!
//! Every test goes through [`Test`]: it runs `target/.../sp --color never <args>` in a
//! working folder (a [`Workspace`] in a temporary folder, never the repository itself
//! unless the run writes nothing or writes into `--out <tempdir>`), and returns exit
//! code, stdout and stderr. A run that panics fails the test on the spot.

#![allow(dead_code)] // Each test module uses a different part of this toolbox.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test, built by cargo for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_sp");

/// The repository root: the example workspace (constitution.md, specs/, out/).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/`, one tiny workspace per folder.
pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

/// The example features committed in the repository, with their generated `out/` trees.
pub const EXAMPLE_FEATURES: &[&str] = &["004-k8s-deployment", "006-k8s-deployment"];

/// The documents `sp plan` writes for every feature, relative to `out/<feature>/`.
pub const DOCUMENTS: &[&str] = &[
    "plan.md",
    "research.md",
    "data-model.md",
    "quickstart.md",
    "checklists/requirements.md",
];

/// What one run of `sp` produced.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Assert the exit code, showing both streams when it is not the expected one.
    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Assert that stderr contains `needle`, showing stderr when it does not.
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr does not contain {needle:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Assert that stdout contains `needle`, showing stdout when it does not.
    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout does not contain {needle:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }
}

/// A builder for one run of the binary: `Test::new().workspace(&ws).args([..]).run()`.
#[derive(Debug, Default)]
pub struct Test {
    dir: Option<PathBuf>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

impl Test {
    pub fn new() -> Self {
        Test::default()
    }

    /// The folder the binary runs in (its current directory). Without one, the run
    /// happens in the system's temporary folder, far from the repository.
    pub fn workspace(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Run `sp --color never <args>` and collect what it printed. Panics if the binary
    /// could not be started, was killed by a signal, or panicked: no test expects that.
    #[track_caller]
    pub fn run(self) -> Output {
        let dir = self.dir.clone().unwrap_or_else(std::env::temp_dir);
        self.guard_repository(&dir);
        let mut cmd = Command::new(BIN);
        cmd.arg("--color").arg("never").args(&self.args).current_dir(&dir);
        // The environment the binary reads must come from the test alone.
        cmd.env_remove("SOURCE_DATE_EPOCH").env_remove("NO_COLOR");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        let output = Output {
            code: out
                .status
                .code()
                .unwrap_or_else(|| panic!("sp was killed by a signal: {:?}", out.status)),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        };
        assert!(
            output.code != 101 && !output.stderr.contains("panicked"),
            "sp panicked (args {:?} in {})\n--- stderr\n{}",
            self.args,
            dir.display(),
            output.stderr
        );
        output
    }

    /// Tests must never write into the repository's own `out/`: a `plan` run whose
    /// workspace is the repository needs `--out` (a temporary folder) or `--check`.
    fn guard_repository(&self, dir: &Path) {
        let has = |flag: &str| self.args.iter().any(|a| a == flag);
        let in_repo = dir
            .canonicalize()
            .is_ok_and(|d| d == repo_root().canonicalize().unwrap());
        if in_repo && has("plan") && !has("--out") && !has("--check") {
            panic!("a test ran `sp plan` in the repository without --out or --check: it would write into out/");
        }
    }
}

/// A workspace in a temporary folder, deleted when dropped.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl AsRef<Path> for Workspace {
    fn as_ref(&self) -> &Path {
        self.path()
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

impl Workspace {
    /// An empty folder.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sp-test-")
            .tempdir()
            .expect("create a temporary folder");
        Workspace { dir }
    }

    /// A copy of every file below `src`.
    pub fn copy_of(src: impl AsRef<Path>) -> Self {
        let ws = Workspace::new();
        copy_tree(src.as_ref(), ws.path());
        ws
    }

    /// A copy of the repository's example workspace: constitution.md and specs/, without
    /// out/ (so nothing is generated yet) and without templates/ (so the built-in
    /// templates are used).
    pub fn example() -> Self {
        let ws = Workspace::new();
        std::fs::copy(repo_root().join("constitution.md"), ws.join("constitution.md")).expect("copy constitution.md");
        copy_tree(&repo_root().join("specs"), &ws.join("specs"));
        ws
    }

    /// A copy of the repository as a workspace: constitution.md, specs/ and templates/
    /// (the template overrides the repository itself uses), without out/.
    pub fn repository() -> Self {
        let ws = Workspace::example();
        let templates = repo_root().join("templates");
        if templates.is_dir() {
            copy_tree(&templates, &ws.join("templates"));
        }
        ws
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let src = fixtures_dir().join(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        Workspace::copy_of(src)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        self.join(rel).exists()
    }

    /// Write a file, creating its folders.
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent folder")).expect("create folders");
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Read a text file.
    #[track_caller]
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Every file below the workspace, by forward-slash relative path.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        read_tree(self.path())
    }

    /// Replace the workspace's path in `text` by `[WORKSPACE]`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, self.path(), "[WORKSPACE]")
    }
}

/// Copy every file and folder below `src` into `dst` (created if needed).
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("create {}: {e}", dst.display()));
    let entries = std::fs::read_dir(src).unwrap_or_else(|e| panic!("list {}: {e}", src.display()));
    for entry in entries {
        let entry = entry.expect("read a folder entry");
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
        }
    }
}

/// Every file below `root`, by forward-slash path relative to `root`, with its bytes.
/// A folder that does not exist holds no files.
///
/// Leaves out the record of what sp wrote (`<feature>/.sp/`): it lists the inputs, which
/// differ between a workspace and the repository (its templates/), and holds a compressed
/// copy. `tests/integration/regen.rs` checks it, with [`read_tree_all`].
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = read_tree_all(root);
    out.retain(|k, _| !k.split('/').any(|part| part == ".sp"));
    out
}

/// Every file under `root`, the record of what sp wrote included.
pub fn read_tree_all(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if root.is_dir() {
        walk(root, "", &mut out);
    }
    out
}

fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
        let entry = entry.expect("read a folder entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().expect("file type").is_dir() {
            walk(&entry.path(), &rel, out);
        } else {
            out.insert(rel, std::fs::read(entry.path()).expect("read a file"));
        }
    }
}

/// Whether the run accepts changed expected outputs: `SP_UPDATE=1`, or `INSTA_UPDATE=always`
/// (the same command then accepts snapshots and committed trees).
pub fn accepting() -> bool {
    std::env::var("SP_UPDATE").is_ok_and(|v| v == "1") || std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}

/// The committed `out/` of `workspace` is the expected output: compare it with `generated`
/// (what a run in a copy of the workspace wrote, the record of what sp wrote aside), file by
/// file. `None` when they agree; otherwise the report: a unified diff per changed file and the
/// files missing on either side. When [`accepting`], the committed tree is regenerated instead
/// (`sp plan --all --force` in the workspace, which also writes the record) and compared again.
pub fn compare_out_tree(label: &str, workspace: &Path, generated: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let mut committed = read_tree(&workspace.join("out"));
    if &committed == generated {
        return None;
    }
    if accepting() {
        let run = Command::new(BIN)
            .args(["--color", "never", "plan", "--all", "--force", "-C"])
            .arg(workspace)
            .output()
            .expect("run sp to accept the generated files");
        eprintln!(
            "{label}: accepted the generated files (sp plan --all --force, exit {:?})",
            run.status.code()
        );
        committed = read_tree(&workspace.join("out"));
        if &committed == generated {
            return None;
        }
    }
    const SHOWN: usize = 400;
    let mut report = String::new();
    let mut lines = 0;
    for (path, new) in generated {
        let Some(old) = committed.get(path) else {
            report.push_str(&format!("+++ {label}/{path}: generated, not committed\n"));
            continue;
        };
        if old == new {
            continue;
        }
        let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
        let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
        let text = diff
            .unified_diff()
            .context_radius(2)
            .header(
                &format!("committed {label}/{path}"),
                &format!("generated {label}/{path}"),
            )
            .to_string();
        // Enough to read what changed; the whole diff is one `git diff` away after accepting.
        for line in text.lines() {
            if lines < SHOWN {
                report.push_str(line);
                report.push('\n');
            }
            lines += 1;
        }
    }
    if lines > SHOWN {
        report.push_str(&format!("… and {} more lines of diff\n", lines - SHOWN));
    }
    for path in committed.keys().filter(|p| !generated.contains_key(*p)) {
        report.push_str(&format!(
            "--- {label}/{path}: committed, not generated (sp never removes a file it did not write: delete it)\n"
        ));
    }
    Some(report)
}

/// The paths of a tree, one per line.
pub fn listing(tree: &BTreeMap<String, Vec<u8>>) -> String {
    tree.keys().map(|k| format!("{k}\n")).collect()
}

/// Replace `path` (as given and canonicalised) by `placeholder` in `text`, so snapshots do
/// not depend on where the temporary folder was.
pub fn redact(text: &str, path: &Path, placeholder: &str) -> String {
    let mut out = text.to_string();
    let mut forms = vec![path.to_string_lossy().into_owned()];
    if let Ok(canonical) = path.canonicalize() {
        forms.push(canonical.to_string_lossy().into_owned());
    }
    // Longest first, so a canonical path that extends the given one is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    for form in forms {
        out = out.replace(&form, placeholder);
    }
    out
}

/// Settings for every snapshot of this suite: names are given in full
/// (`examples__006-k8s-deployment__plan.md`), without the test binary's module path.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.remove_snapshot_suffix();
    s
}

/// The 1-based line and column (in characters) of the first occurrence of `needle`.
pub fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..at].matches('\n').count() + 1,
        text[line_start..at].chars().count() + 1,
    )
}
