//! The repository's example features, compiled by the binary. The committed `out/` is the
//! expected output: it must be exactly what the binary generates, and a difference fails with
//! a diff of each file (`SP_UPDATE=1 cargo test` accepts it; see tests/README.md).
//!
//! The binary runs in a temporary copy of the repository (constitution.md, specs/,
//! templates/) with the default output folder, so it never writes into the repository's
//! own out/ and its output is what `sp plan --all` writes there.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::support::{
    DOCUMENTS, EXAMPLE_FEATURES, Output, Test, Workspace, compare_out_tree, listing, read_tree, repo_root,
    snapshot_settings,
};

/// One run of `sp plan --all` in a copy of the repository, shared by the tests of this
/// module: what it printed and the tree it wrote (the copy is gone afterwards).
struct Generated {
    run: Output,
    files: BTreeMap<String, Vec<u8>>,
}

fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| {
        let ws = Workspace::repository();
        let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
        run.assert_code(0);
        let stderr = ws.redact(&run.stderr);
        Generated {
            run: Output { stderr, ..run },
            files: read_tree(&ws.join("out")),
        }
    })
}

/// Each example feature gets the five planning documents, and nothing lands outside the
/// feature folders.
#[test]
fn every_feature_gets_every_document() {
    let files = &generated().files;
    for feature in EXAMPLE_FEATURES {
        for doc in DOCUMENTS {
            assert!(
                files.contains_key(&format!("{feature}/{doc}")),
                "{feature}/{doc} missing:\n{}",
                listing(files)
            );
        }
    }
    for path in files.keys() {
        assert!(
            EXAMPLE_FEATURES.iter().any(|f| path.starts_with(&format!("{f}/"))),
            "{path} is outside the feature folders"
        );
    }
}

/// The findings and the summary of the example run (the 006 plan input names no Testing and
/// no Scale/Scope; everything else compiles cleanly).
#[test]
fn example_run_report() {
    let run = &generated().run;
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    snapshot_settings().bind(|| insta::assert_snapshot!("examples__stderr", run.stderr));
}

/// The committed `out/` is the expected output: byte for byte what the binary generates (what
/// `sp plan --all --check` checks in CI), every file compared and every difference shown.
#[test]
fn committed_out_is_what_the_binary_generates() {
    if let Some(report) = compare_out_tree("out", repo_root(), &generated().files) {
        panic!(
            "out/ is not what `sp plan --all` generates. If the change is intended, accept it with \
             `SP_UPDATE=1 cargo test --test integration committed_out` (or `sp plan --all --force`) \
             and read `git diff out/`.\n{report}"
        );
    }
}

/// The binary agrees: `--check` on the repository finds nothing stale and prints no diff.
#[test]
fn check_passes_on_the_repository() {
    let run = Test::new()
        .workspace(repo_root())
        .args(["plan", "--all", "--check"])
        .run();
    run.assert_code(0);
    assert_eq!(run.stdout, "", "--check printed a diff");
    run.assert_stderr_contains("files up to date");
}

/// The resources contract is self-contained: every `uses:` entry names a resource the same
/// file defines (an external database is reached through its Secret, not a Service).
#[test]
fn k8s_resources_contract_references_only_defined_resources() {
    for feature in EXAMPLE_FEATURES {
        let path = format!("{feature}/contracts/k8s-resources.yaml");
        let Some(bytes) = generated().files.get(&path) else {
            continue;
        };
        let yaml = std::str::from_utf8(bytes).unwrap();
        let mut defined = Vec::new();
        let mut kind = "";
        for line in yaml.lines() {
            if let Some(k) = line.strip_prefix("- kind: ") {
                kind = k.trim();
            } else if let Some(name) = line.strip_prefix("  name: ") {
                defined.push(format!("{kind}/{}", name.trim()));
            }
        }
        let dangling: Vec<&str> = yaml
            .lines()
            .filter_map(|l| l.strip_prefix("  - "))
            .filter(|r| r.contains('/'))
            .map(|r| r.split(" (").next().unwrap().trim())
            .filter(|r| !defined.iter().any(|d| d == r))
            .collect();
        assert!(
            dangling.is_empty(),
            "{path} uses undefined resources {dangling:?}; defined: {defined:?}"
        );
    }
}
