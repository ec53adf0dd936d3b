//! Regeneration you can trust: the record of what sp wrote, hand edits kept by a
//! three-way merge, stale files, `--all` with a broken feature, writes all or nothing per
//! feature, file modes, the lock on the output folder, and output stable under edits
//! that change no content.

use std::collections::BTreeMap;

use crate::support::{Test, Workspace, read_tree, read_tree_all};

const SPEC_006: &str = "specs/006-k8s-deployment/spec.md";
const PLAN_006: &str = "out/006-k8s-deployment/plan.md";

/// `text` with `new_line` inserted after the first line that starts with `prefix`.
fn insert_after(text: &str, prefix: &str, new_line: &str) -> String {
    let at = text.find(prefix).unwrap_or_else(|| panic!("no {prefix:?}"));
    let end = at + text[at..].find('\n').expect("a line end") + 1;
    format!("{}{new_line}\n{}", &text[..end], &text[end..])
}

fn add_requirement(ws: &Workspace, after: &str, line: &str) {
    let spec = insert_after(&ws.read(SPEC_006), after, line);
    ws.write(SPEC_006, spec);
}

fn plan(ws: &Workspace, extra: &[&str]) -> crate::support::Output {
    Test::new().workspace(ws).args(["plan", "--all"]).args(extra).run()
}

/// The example workspace, generated once.
fn generated() -> Workspace {
    let ws = Workspace::example();
    plan(&ws, &[]).assert_code(0);
    ws
}

/// After an upgrade of sp, the committed records name another build. The first run compiles
/// each feature and, its files being what this build generates, leaves the record as it is
/// (no churn in version control) and notes beside the output, in a folder git ignores, that
/// this build verified it; the next run skips the feature. An input edit voids the note.
#[test]
fn a_record_of_another_build_is_verified_once_then_the_feature_is_skipped() {
    let ws = generated();
    let name = "006-k8s-deployment";
    let path = format!("out/{name}/.sp/record.json");
    let mut record: serde_json::Value = serde_json::from_str(&ws.read(&path)).unwrap();
    record["build"] = "0000000000000000".into();
    let foreign = serde_json::to_string_pretty(&record).unwrap() + "\n";
    ws.write(&path, &foreign);
    let inputs: BTreeMap<String, String> = serde_json::from_value(record["inputs"].clone()).unwrap();
    let out = ws.join("out");
    assert!(
        sp::emit::unchanged(&out, name, &inputs).is_none(),
        "another build's record"
    );

    plan(&ws, &[]).assert_code(0);
    assert_eq!(ws.read(&path), foreign, "the record is left as it is");
    assert!(ws.exists(format!("out/.sp/verified/{name}.json")));
    assert!(
        ws.read("out/.sp/.gitignore").lines().any(|l| l == "*"),
        "git ignores the notes"
    );
    let skipped = sp::emit::unchanged(&out, name, &inputs).expect("the note vouches for the record");
    assert!(!skipped.findings.is_empty(), "the findings of this build are replayed");

    // Other inputs: the note does not vouch for them.
    let mut edited = inputs.clone();
    edited.insert(format!("specs/{name}/spec.md"), "0".repeat(64));
    assert!(sp::emit::unchanged(&out, name, &edited).is_none());
}

/// A no-op run does not read back what it wrote: a cache beside the record (in the folder
/// git ignores) keeps each file's size, inode and times with its hash, and only a file whose
/// signature moved is read. An edit in place that keeps the size is still seen, a `touch`
/// costs one read, and a run without the cache (a clean checkout) reads everything.
/// (`--check` compiles every feature and compares it with the disk; it never skips.)
#[test]
fn a_no_op_run_trusts_only_files_whose_signature_did_not_move() {
    let ws = generated();
    let cache = "out/.sp/stat/006-k8s-deployment.json";
    let entries: serde_json::Value = serde_json::from_str(&ws.read(cache)).unwrap();
    assert!(entries["files"]["plan.md"][1].is_string(), "{entries}");
    plan(&ws, &[]).assert_code(0).assert_stderr_contains(": 0 written");

    // Touched: same bytes, new times. Read once, still skipped, and the cache follows.
    let before = ws.read(cache);
    let plan_md = ws.join(PLAN_006);
    let f = std::fs::File::options().append(true).open(&plan_md).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    plan(&ws, &[]).assert_code(0).assert_stderr_contains(": 0 written");
    assert_ne!(ws.read(cache), before, "the cache records the new signature");

    // The same number of bytes, written in place: the change time moves, so the file is
    // read and the edit found.
    let text = ws.read(PLAN_006);
    let edited = text.replacen("# Implementation Plan", "# IMPLEMENTATION PLAN", 1);
    assert_eq!(edited.len(), text.len());
    ws.write(PLAN_006, &edited);
    plan(&ws, &[])
        .assert_code(0)
        .assert_stderr_contains("kept out/006-k8s-deployment/plan.md (your edit kept; nothing else changed)");
    assert_eq!(ws.read(PLAN_006), edited);
    ws.write(PLAN_006, &text);

    // No cache: every file is read, and the run is still a no-op.
    std::fs::remove_dir_all(ws.join("out/.sp/stat")).unwrap();
    plan(&ws, &[]).assert_code(0).assert_stderr_contains(": 0 written");
    assert!(ws.exists(cache), "a verifying run writes the cache again");
}

#[test]
fn the_record_lists_every_file_with_its_hash_the_inputs_and_the_version() {
    let ws = generated();
    let record: serde_json::Value = serde_json::from_str(&ws.read("out/006-k8s-deployment/.sp/record.json")).unwrap();
    assert_eq!(record["sp"], env!("CARGO_PKG_VERSION"));
    assert_eq!(record["inputs_hash"].as_str().map(str::len), Some(64));
    let inputs = record["inputs"].as_object().unwrap();
    assert!(
        inputs.contains_key(SPEC_006) && inputs.contains_key("constitution.md"),
        "{inputs:?}"
    );
    assert!(
        !inputs.keys().any(|k| k.contains("004-k8s")),
        "another feature's input: {inputs:?}"
    );
    let files = record["files"].as_object().unwrap();
    assert!(files.contains_key("plan.md") && files.contains_key("k8s/30-backend-deployment.yaml"));
    assert!(!files.keys().any(|k| k.starts_with(".sp")));
    // Written twice, the same bytes (beside the folder git ignores, whose cache names
    // this machine's inodes and times).
    let committed = |ws: &Workspace| {
        let mut tree = read_tree_all(&ws.join("out"));
        tree.retain(|p, _| !p.starts_with(".sp/"));
        tree
    };
    let before = committed(&ws);
    assert!(before.contains_key("006-k8s-deployment/.sp/record.json"));
    let again = Workspace::example();
    plan(&again, &[]).assert_code(0);
    assert_eq!(committed(&again), before, "the record is not deterministic");
}

#[test]
fn a_hand_edit_is_kept_when_the_spec_changes_elsewhere() {
    let ws = generated();
    let edited = insert_after(
        &ws.read(PLAN_006),
        "<!-- Generated by",
        "\n> Team note: we deploy on Fridays only.",
    );
    ws.write(PLAN_006, &edited);
    add_requirement(
        &ws,
        "- **FR-018**:",
        "- **FR-019**: System MUST write an audit log entry for every Helm release.",
    );

    // --diff shows only what the spec changes, never the hand edit as removed lines.
    let run = plan(&ws, &["--diff"]);
    run.assert_code(0)
        .assert_stderr_contains("merged out/006-k8s-deployment/plan.md (regenerated, your edit kept)");
    assert!(
        !run.stdout.contains("-> Team note"),
        "the diff reverts the edit:\n{}",
        run.stdout
    );
    let now = ws.read(PLAN_006);
    assert!(
        now.contains("> Team note: we deploy on Fridays only."),
        "edit lost:\n{now}"
    );
    assert!(now.contains("FR-019"), "the spec change is missing");
    // Nothing left to do, and --check passes while saying the edit is kept.
    plan(&ws, &["--check"])
        .assert_code(0)
        .assert_stderr_contains("hand edits kept by regeneration: 006-k8s-deployment/plan.md");
}

/// An older sp kept the merge base as gzip (`.sp/base.gz`): its tree's hand edits keep
/// merging, and the next write replaces that file with `.sp/base.lz4`.
#[test]
fn the_gzip_base_of_an_older_sp_still_merges_and_is_replaced() {
    use std::io::Write;
    let ws = generated();
    let lz4 = "out/006-k8s-deployment/.sp/base.lz4";
    let files = sp::emit::record::decode_base(&std::fs::read(ws.join(lz4)).unwrap()).unwrap();
    let mut raw = Vec::new();
    for (path, text) in &files {
        raw.extend_from_slice(format!("{path}\n{}\n{text}", text.len()).as_bytes());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    std::fs::write(ws.join("out/006-k8s-deployment/.sp/base.gz"), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(ws.join(lz4)).unwrap();

    ws.write(
        PLAN_006,
        insert_after(
            &ws.read(PLAN_006),
            "<!-- Generated by",
            "\n> Team note: we deploy on Fridays only.",
        ),
    );
    add_requirement(
        &ws,
        "- **FR-018**:",
        "- **FR-019**: System MUST write an audit log entry for every Helm release.",
    );
    plan(&ws, &[])
        .assert_code(0)
        .assert_stderr_contains("merged out/006-k8s-deployment/plan.md (regenerated, your edit kept)");
    let now = ws.read(PLAN_006);
    assert!(now.contains("> Team note: we deploy on Fridays only.") && now.contains("FR-019"));
    assert!(ws.join(lz4).is_file(), "no new base");
    assert!(
        !ws.join("out/006-k8s-deployment/.sp/base.gz").exists(),
        "the old base stayed"
    );
    plan(&ws, &["--check"]).assert_code(0);
}

#[test]
fn a_conflicting_edit_fails_with_the_hunks_and_force_lists_what_it_overwrites() {
    let ws = generated();
    let original = ws.read(PLAN_006);
    let edited = original.replacen(
        "This plan covers 3 user stories",
        "This plan covers three user stories",
        1,
    );
    assert_ne!(edited, original);
    ws.write(PLAN_006, &edited);
    let line = edited[..edited.find("This plan covers three").unwrap()].lines().count() + 1;
    add_requirement(
        &ws,
        "- **FR-018**:",
        "- **FR-019**: System MUST write an audit log entry for every Helm release.",
    );
    let before = read_tree(&ws.join("out"));

    let run = plan(&ws, &[]);
    run.assert_code(1)
        .assert_stderr_contains(
            "error[SP610]: 006-k8s-deployment/plan.md: edited by hand where sp now generates something else",
        )
        .assert_stderr_contains(&format!("--> out/006-k8s-deployment/plan.md:{line}:1"))
        .assert_stderr_contains("- This plan covers three user stories, 18 requirements")
        .assert_stderr_contains("+ This plan covers 3 user stories, 19 requirements")
        .assert_stderr_contains("not written: 006-k8s-deployment (conflicts)");
    assert_eq!(read_tree(&ws.join("out")), before, "a conflict changed the output");
    let check = plan(&ws, &["--check"]);
    check.assert_code(1).assert_stderr_contains("edited by hand: plan.md");

    let forced = plan(&ws, &["--force"]);
    forced
        .assert_code(0)
        .assert_stderr_contains(
            "warning: --force overwrote hand edits in out/006-k8s-deployment/plan.md; what was lost:",
        )
        .assert_stderr_contains("+This plan covers three user stories");
    assert!(
        ws.read(PLAN_006)
            .contains("This plan covers 3 user stories, 19 requirements")
    );
    plan(&ws, &["--check"]).assert_code(0);
}

#[test]
fn a_file_sp_never_wrote_is_never_overwritten() {
    let ws = generated();
    std::fs::remove_file(ws.join("out/006-k8s-deployment/.sp/record.json")).unwrap();
    // Without a record the folder is taken as written by an older sp: regenerated as is.
    plan(&ws, &["--check"])
        .assert_code(1)
        .assert_stderr_contains("no record of what sp wrote");
    plan(&ws, &[]).assert_code(0);
    // A file of the user's own at a path sp did not generate before is in the way.
    let record = ws.read("out/006-k8s-deployment/.sp/record.json");
    ws.write(
        "out/006-k8s-deployment/.sp/record.json",
        record.replace("\"quickstart.md\"", "\"quickstart-old.md\""),
    );
    ws.write("out/006-k8s-deployment/quickstart.md", "my own notes\n");
    ws.write("out/006-k8s-deployment/notes.md", "mine, never generated\n");
    plan(&ws, &[])
        .assert_code(1)
        .assert_stderr_contains("sp did not write this file, and now generates one at its place");
    assert_eq!(ws.read("out/006-k8s-deployment/quickstart.md"), "my own notes\n");
    plan(&ws, &["--force"]).assert_code(0);
    assert_eq!(ws.read("out/006-k8s-deployment/notes.md"), "mine, never generated\n");
}

#[test]
fn a_removed_component_makes_check_fail_then_disappears() {
    let ws = Workspace::copy_of(crate::support::repo_root().join("tests/workspaces/go-redis-kind"));
    std::fs::remove_dir_all(ws.join("out")).unwrap();
    plan(&ws, &[]).assert_code(0);
    assert!(ws.exists("out/001-links/k8s/30-worker-deployment.yaml"));
    let input = ws.read("specs/001-links/plan-input.md");
    let input = input
        .replace("- Worker: Go 1.25 background worker reading the Redis queue\n", "")
        .replace("  worker:\n    replicas: 2\n", "");
    ws.write("specs/001-links/plan-input.md", input);
    std::fs::remove_dir_all(ws.join("services/worker")).unwrap();
    // A hand-written file next to the generated ones stays.
    ws.write("out/001-links/k8s/99-mine.yaml", "kind: ConfigMap\n");

    let check = plan(&ws, &["--check"]);
    check
        .assert_code(1)
        .assert_stderr_contains("001-links: k8s/30-worker-deployment.yaml is no longer generated")
        .assert_stderr_contains("001-links: docker/worker.Dockerfile is no longer generated")
        .assert_stdout_contains("--- a/out/001-links/k8s/30-worker-deployment.yaml\n+++ /dev/null\n");
    assert!(
        ws.exists("out/001-links/k8s/30-worker-deployment.yaml"),
        "--check removed a file"
    );

    plan(&ws, &[])
        .assert_code(0)
        .assert_stderr_contains("removed out/001-links/k8s/30-worker-deployment.yaml (no longer generated)");
    let left: Vec<String> = read_tree(&ws.join("out"))
        .into_keys()
        .filter(|k| k.contains("worker"))
        .collect();
    assert!(left.is_empty(), "worker files left: {left:?}");
    assert_eq!(ws.read("out/001-links/k8s/99-mine.yaml"), "kind: ConfigMap\n");
    plan(&ws, &["--check"]).assert_code(0);
}

#[test]
fn all_writes_every_feature_that_compiles_and_exits_1() {
    let ws = Workspace::example();
    add_requirement(
        &ws,
        "- **FR-018**:",
        "- **FR-019**: System MUST store history in [NEEDS CLARIFICATION: where?].",
    );
    let run = plan(&ws, &[]);
    run.assert_code(1)
        .assert_stderr_contains("error[SP206]")
        .assert_stderr_contains("not written: 006-k8s-deployment (errors)");
    assert!(
        ws.exists("out/004-k8s-deployment/plan.md"),
        "the feature that compiles was not written"
    );
    assert!(!ws.exists("out/006-k8s-deployment"), "the broken feature was written");
    // Without --all, an error still writes nothing.
    let ws2 = Workspace::example();
    add_requirement(
        &ws2,
        "- **FR-018**:",
        "- **FR-019**: System MUST store history in [NEEDS CLARIFICATION: where?].",
    );
    Test::new().workspace(&ws2).args(["plan", "004"]).run().assert_code(0);
    Test::new()
        .workspace(&ws2)
        .args(["plan", "006"])
        .run()
        .assert_code(1)
        .assert_stderr_contains("nothing written");
}

#[test]
fn a_blank_line_at_the_top_of_every_spec_changes_no_generated_file() {
    let ws = generated();
    let mut before = read_tree_all(&ws.join("out"));
    before.retain(|p, _| !p.starts_with(".sp/"));
    for f in ["004-k8s-deployment", "006-k8s-deployment"] {
        let p = format!("specs/{f}/spec.md");
        let text = ws.read(&p);
        ws.write(&p, format!("\n{text}"));
    }
    let check = plan(&ws, &["--check"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "", "a blank line changed output:\n{}", check.stdout);
    plan(&ws, &[]).assert_code(0).assert_stderr_contains(": 0 written");
    // Nothing committed changed; beside it, in the folder git ignores, the run noted that
    // the new inputs give these files, so the next run skips both features.
    let (notes, after): (BTreeMap<String, Vec<u8>>, _) = read_tree_all(&ws.join("out"))
        .into_iter()
        .partition(|(p, _)| p.starts_with(".sp/"));
    assert_eq!(after, before, "the record changed");
    assert!(
        notes.contains_key(".sp/verified/006-k8s-deployment.json"),
        "{:?}",
        notes.keys()
    );
}

#[cfg(unix)]
#[test]
fn files_get_the_mode_of_the_umask_and_replaced_files_keep_theirs() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for (umask, expected) in [("022", 0o644), ("027", 0o640)] {
        let ws = Workspace::example();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" --color never plan --all"))
            .arg(crate::support::BIN)
            .current_dir(ws.path())
            .status()
            .unwrap();
        assert!(status.success());
        for (rel, _) in read_tree_all(&ws.join("out")) {
            assert_eq!(mode(&ws.join("out").join(&rel)), expected, "{rel} with umask {umask}");
        }
    }
    let ws = generated();
    std::fs::set_permissions(ws.join(PLAN_006), std::fs::Permissions::from_mode(0o664)).unwrap();
    add_requirement(&ws, "- **FR-018**:", "- **FR-019**: System MUST log.");
    plan(&ws, &[])
        .assert_code(0)
        .assert_stderr_contains("updated out/006-k8s-deployment/plan.md");
    assert_eq!(mode(&ws.join(PLAN_006)), 0o664);
}

/// A folder that cannot be written in (a file where a folder must be, which even root
/// cannot get around; and a read-only folder when not running as root).
#[test]
fn a_failed_write_leaves_the_feature_as_it_was_and_says_so() {
    let ws = generated();
    // A new file must go into k8s/, which is now a file.
    add_requirement(&ws, "- **FR-018**:", "- **FR-019**: System MUST log.");
    std::fs::rename(ws.join("out/004-k8s-deployment/k8s"), ws.join("k8s-away")).unwrap();
    ws.write("out/004-k8s-deployment/k8s", "in the way\n");
    let before = read_tree(&ws.join("out"));
    let run = plan(&ws, &[]);
    run.assert_code(2)
        .assert_stderr_contains("error: 004-k8s-deployment: could not write:")
        .assert_stderr_contains("nothing of 004-k8s-deployment was written; its ")
        .assert_stderr_contains("updated out/006-k8s-deployment/plan.md");
    let after = read_tree(&ws.join("out"));
    let only_004 = |t: &std::collections::BTreeMap<String, Vec<u8>>| {
        t.iter()
            .filter(|(k, _)| k.starts_with("004"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(only_004(&after), only_004(&before), "004 changed");
    assert!(
        !after.keys().any(|k| k.ends_with(".sp-tmp")),
        "temporary files left: {after:?}"
    );

    // A rename that fails after others succeeded is undone: a folder where a file goes.
    let ws = generated();
    add_requirement(&ws, "- **FR-018**:", "- **FR-019**: System MUST log.");
    let before = read_tree(&ws.join("out"));
    std::fs::remove_file(ws.join("out/006-k8s-deployment/quickstart.md")).unwrap();
    std::fs::create_dir_all(ws.join("out/006-k8s-deployment/quickstart.md/x")).unwrap();
    let run = plan(&ws, &[]);
    run.assert_code(2)
        .assert_stderr_contains("nothing of 006-k8s-deployment was written");
    let after = read_tree(&ws.join("out"));
    assert_eq!(
        after.get("006-k8s-deployment/plan.md"),
        before.get("006-k8s-deployment/plan.md"),
        "plan.md was renamed before the failure and not restored"
    );

    #[cfg(unix)]
    if !running_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let ws = generated();
        add_requirement(&ws, "- **FR-018**:", "- **FR-019**: System MUST log.");
        let k8s = ws.join("out/006-k8s-deployment/checklists");
        std::fs::set_permissions(&k8s, std::fs::Permissions::from_mode(0o555)).unwrap();
        let before = read_tree(&ws.join("out"));
        plan(&ws, &[])
            .assert_code(2)
            .assert_stderr_contains("nothing of 006-k8s-deployment was written");
        std::fs::set_permissions(&k8s, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(read_tree(&ws.join("out")), before);
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn temporary_files_of_an_interrupted_run_are_removed_and_ignored_by_git() {
    let ws = generated();
    ws.write(
        "out/006-k8s-deployment/k8s/.30-backend-deployment.yaml.4242-3.sp-tmp",
        "half",
    );
    ws.write("out/004-k8s-deployment/.sp-Ab12Cd.tmp", "older sp");
    // A new feature folder is staged whole under a temporary name and renamed once: a run
    // killed before the rename leaves that folder.
    ws.write("out/.007-new-feature.4242.sp-tmp/plan.md", "half");
    plan(&ws, &[])
        .assert_code(0)
        .assert_stderr_contains("(left by an interrupted run)");
    assert!(!read_tree_all(&ws.join("out")).keys().any(|k| k.contains("tmp")));
    assert!(!ws.join("out/.007-new-feature.4242.sp-tmp").exists());
    let gitignore = std::fs::read_to_string(crate::support::repo_root().join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l.trim() == "*.sp-tmp"));
}

#[test]
fn a_second_run_waits_for_the_lock_and_concurrent_runs_never_mix() {
    let ws = generated();
    // Hold the lock as another run would; the run waits, says so, and finishes after.
    let out = std::fs::File::open(ws.join("out")).unwrap();
    out.lock().unwrap();
    let mut child = std::process::Command::new(crate::support::BIN)
        .args([
            "--color",
            "never",
            "plan",
            "--all",
            "--set",
            "components.backend.replicas=3",
        ])
        .current_dir(ws.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&all).contains("waiting: another sp run is writing out") {
                let _ = tx.send(());
            }
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the run did not say it waits for the lock");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the run did not wait for the lock");
    out.unlock().unwrap();
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("updated out/006-k8s-deployment/k8s/30-backend-deployment.yaml"),
        "{stderr}"
    );

    // Runs with different inputs at the same time: the result is one of them, whole.
    for _ in 0..3 {
        let runs: Vec<_> = ["2", "4", "5"]
            .iter()
            .map(|n| {
                std::process::Command::new(crate::support::BIN)
                    .args(["--color", "never", "plan", "--all", "--set"])
                    .arg(format!("components.backend.replicas={n}"))
                    .current_dir(ws.path())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut r in runs {
            assert!(r.wait().unwrap().success());
        }
        let whole = ["2", "4", "5"].iter().any(|n| {
            Test::new()
                .workspace(&ws)
                .args(["plan", "--all", "--check", "--set"])
                .arg(format!("components.backend.replicas={n}"))
                .run()
                .code
                == 0
        });
        assert!(whole, "the output is a mix of concurrent runs");
    }
}

/// `--watch` compiles, waits, and compiles again after a save of the spec, printing the
/// file that changed and what it rewrote; the output folder's own writes do not wake it.
#[test]
fn watch_compiles_again_after_a_save() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    let ws = Workspace::example();
    let mut child = Command::new(crate::support::BIN)
        .args(["plan", "006", "--watch", "--color", "never"])
        .current_dir(ws.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start sp");
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Lines until one contains `needle`, or a panic after a generous limit (a loaded CI
    // machine compiles slowly; nothing here is a timing assertion).
    let wait_for = |needle: &str| -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                let hit = line.contains(needle);
                seen.push(line);
                if hit {
                    return seen;
                }
            }
        }
        panic!("no line with {needle:?}; saw:\n{}", seen.join("\n"));
    };
    let first = wait_for("watching");
    assert!(
        first.iter().any(|l| l.contains("out/006-k8s-deployment/plan.md")),
        "{first:?}"
    );
    assert!(ws.exists(PLAN_006));

    add_requirement(
        &ws,
        "- **FR-018**",
        "- **FR-019**: System MUST log every rollout to the cluster events.",
    );
    let second = wait_for("watching");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        second.iter().any(|l| l == "changed: specs/006-k8s-deployment/spec.md"),
        "{second:?}"
    );
    assert!(
        second.iter().any(|l| l.contains("out/006-k8s-deployment/plan.md")),
        "plan.md rewritten: {second:?}"
    );
    assert!(ws.read(PLAN_006).contains("FR-019"));
}
