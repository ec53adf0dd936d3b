//! Same inputs, same bytes: whatever the output folder, the run, the working directory or
//! the workspace's location. Only `SOURCE_DATE_EPOCH` may change the output, and only the
//! date it prints.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{EXAMPLE_FEATURES, Test, Workspace, read_tree, repo_root};

/// `sp plan --all --out <dir>` from the repository root; the generated tree.
fn generate_into(dir: &Path, env: Option<&str>) -> BTreeMap<String, Vec<u8>> {
    let mut test = Test::new()
        .workspace(repo_root())
        .args(["plan", "--all", "--out"])
        .arg(dir);
    if let Some(epoch) = env {
        test = test.env("SOURCE_DATE_EPOCH", epoch);
    }
    test.run().assert_code(0);
    let tree = read_tree(dir);
    assert!(!tree.is_empty(), "nothing generated in {}", dir.display());
    tree
}

#[track_caller]
fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different files"
    );
    for (path, bytes) in a {
        assert!(b[path] == *bytes, "{path} differs between the two runs");
    }
}

#[test]
fn two_runs_into_two_folders_give_identical_trees() {
    let (a, b) = (Workspace::new(), Workspace::new());
    let first = generate_into(a.path(), None);
    let second = generate_into(b.path(), None);
    assert_same_tree(&first, &second);
    // And again into the first folder: still the same bytes.
    let third = generate_into(a.path(), None);
    assert_same_tree(&first, &third);
}

/// A second run into the same folder writes nothing and leaves every file alone: same
/// bytes, and (atomic writes replace the file) the same inode.
#[test]
fn a_second_run_writes_nothing() {
    let ws = Workspace::example();
    let first = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    // Not counting the record of what sp wrote (`.sp/` of each feature).
    let total = read_tree(&ws.join("out"))
        .keys()
        .filter(|k| !k.contains("/.sp/"))
        .count();
    first
        .assert_code(0)
        .assert_stderr_contains(&format!("{total} files: {total} written, 0 unchanged"));
    let before = ws.files();
    let inodes_before = inodes(&ws.join("out"));

    let second = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    second
        .assert_code(0)
        .assert_stderr_contains(&format!("{total} files: 0 written, {total} unchanged"));
    assert!(
        !second.stderr.contains("created") && !second.stderr.contains("updated"),
        "{}",
        second.stderr
    );
    assert_same_tree(&before, &ws.files());
    assert_eq!(inodes_before, inodes(&ws.join("out")), "unchanged files were rewritten");
}

#[cfg(unix)]
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    read_tree(dir)
        .keys()
        .map(|p| (p.clone(), std::fs::metadata(dir.join(p)).expect("metadata").ino()))
        .collect()
}

#[cfg(not(unix))]
fn inodes(_dir: &Path) -> BTreeMap<String, u64> {
    BTreeMap::new()
}

/// The documents do not depend on where the workspace is, where the output goes, or where
/// the command is started from (`-C`).
#[test]
fn output_does_not_depend_on_location_or_working_directory() {
    let reference = generate_into(Workspace::new().path(), None);

    let ws = Workspace::example();
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    assert_same_tree(&reference, &read_tree(&ws.join("out")));

    let elsewhere = Workspace::new();
    let out = Workspace::new();
    Test::new()
        .workspace(&elsewhere)
        .arg("-C")
        .arg(ws.path())
        .args(["plan", "--all", "--out"])
        .arg(out.path())
        .run()
        .assert_code(0);
    assert_same_tree(&reference, &read_tree(out.path()));
    assert!(
        read_tree(elsewhere.path()).is_empty(),
        "sp wrote into its working directory"
    );
}

/// `SOURCE_DATE_EPOCH` replaces the date of every `**Date**:` line and changes nothing else.
#[test]
fn source_date_epoch_changes_only_the_date_lines() {
    let plain = generate_into(Workspace::new().path(), None);
    for (epoch, date) in [("0", "1970-01-01"), ("1700000000", "2023-11-14")] {
        let dated = generate_into(Workspace::new().path(), Some(epoch));
        assert_eq!(plain.keys().collect::<Vec<_>>(), dated.keys().collect::<Vec<_>>());
        let mut changed_lines = 0;
        for (path, bytes) in &plain {
            let (a, b) = (
                std::str::from_utf8(bytes).unwrap(),
                std::str::from_utf8(&dated[path]).unwrap(),
            );
            assert_eq!(a.lines().count(), b.lines().count(), "{path}: line count changed");
            for (la, lb) in a.lines().zip(b.lines()) {
                if la == lb {
                    continue;
                }
                changed_lines += 1;
                assert!(
                    la.contains("**Date**: "),
                    "{path}: a line without a date changed:\n- {la}\n+ {lb}"
                );
                assert!(lb.contains(&format!("**Date**: {date} ")), "{path}: {lb}");
                let old_date = la.split("**Date**: ").nth(1).unwrap().split(' ').next().unwrap();
                assert_eq!(la.replace(old_date, date), lb, "{path}: more than the date changed");
            }
        }
        // At least plan.md of each feature prints the date.
        assert!(
            changed_lines >= EXAMPLE_FEATURES.len(),
            "SOURCE_DATE_EPOCH={epoch} changed {changed_lines} lines"
        );
        for feature in EXAMPLE_FEATURES {
            let plan = std::str::from_utf8(&dated[&format!("{feature}/plan.md")]).unwrap();
            assert!(
                plan.contains(&format!("| **Date**: {date} |")),
                "{feature}/plan.md:\n{plan}"
            );
        }
    }
}
