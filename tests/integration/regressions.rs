//! Regression tests: each reproduces a bug that was found in `src/` and fixed, so it stays
//! fixed. A new bug gets its failing test here first, then the fix.

use std::process::Command;

use crate::support::{BIN, Test, Workspace, fixtures_dir};

/// A copy of the clean-minimal fixture with `spec.md` (or another file) replaced.
fn minimal_with(rel: &str, contents: &[u8]) -> Workspace {
    let ws = Workspace::copy_of(fixtures_dir().join("clean-minimal"));
    ws.write(rel, contents);
    ws
}

const SPEC: &str = "specs/001-todo-list/spec.md";
const PLAN_INPUT: &str = "specs/001-todo-list/plan-input.md";

/// Runs the binary without `Test::run`'s panic check, to observe the crash itself.
fn raw_run(ws: &Workspace) -> std::process::Output {
    Command::new(BIN)
        .args(["--color", "never", "plan", "--all"])
        .current_dir(ws.path())
        .output()
        .unwrap()
}

/// src/parse/spec.rs `needs_clarification` (line 737): an unclosed marker at the end of the
/// file slices the text at `len - 1`, which panics when the last character is multi-byte.
#[test]
fn unclosed_marker_at_end_of_file_does_not_panic() {
    let ws = minimal_with(
        SPEC,
        "# Feature Specification: X\n\n[NEEDS CLARIFICATION: café".as_bytes(),
    );
    let out = raw_run(&ws);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[SP206]"), "{stderr}");
}

/// src/parse/spec.rs `parse_story_heading` (lines 795-797): the offset of "story" is found in
/// `heading.to_lowercase()` but used to slice `heading`; characters whose lower case has a
/// different length in UTF-8 (İ → i̇) shift it: the story number is read as 0, or the slice
/// lands inside a character and panics.
#[test]
fn story_heading_offsets_survive_case_changing_characters() {
    let spec = "# Feature Specification: X\n\n## User Scenarios & Testing\n\n### (İİ) User Story 1 - Add a task (Priority: P1)\n\nText.\n\n## Requirements\n\n- **FR-001**: System MUST work.\n\n## Success Criteria\n\n- **SC-001**: 1 task in 5 s.\n";
    let ws = minimal_with(SPEC, spec.as_bytes());
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    assert!(
        run.stderr.contains("user story 1 has no acceptance scenarios"),
        "{}",
        run.stderr
    );

    let spec = spec.replace("(İİ) User Story 1", "(İ) User Story\u{3000}1");
    let ws = minimal_with(SPEC, spec.as_bytes());
    let out = raw_run(&ws);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// src/parse/plan_input.rs `stage_line` (line 605): the same lower-case offset mix-up;
/// `STAGE 1: İZMİR ROLLOUT` gets the title `1: İZMİR ROLLOUT`.
#[test]
fn stage_titles_with_case_changing_characters() {
    let ws = minimal_with(
        PLAN_INPUT,
        b"# Plan input\n\nSTAGE 1: \xc4\xb0ZM\xc4\xb0R ROLLOUT - 2 days\nSTAGE 2: BERLIN ROLLOUT - 3 days\n",
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let plan = ws.read("out/001-todo-list/plan.md");
    assert!(plan.contains("| 1 | İZMİR ROLLOUT | 2 days |"), "{plan}");
}

/// src/parse/plan_input.rs `keyed_list` / `flush_keyed` (lines 305-370): inside a
/// `Technical Context:` list, a `- Constraints:` item followed by a nested list gets an
/// empty value; the nested items are dropped and no SP403 is reported.
#[test]
fn nested_list_under_a_key_inside_technical_context() {
    let ws = minimal_with(
        PLAN_INPUT,
        b"# Plan input\n\nTechnical Context:\n- Language/Version: Python 3.13\n- Constraints:\n  - no external services\n  - runs offline\n- Scale/Scope: 1 user\n",
    );
    Test::new().workspace(&ws).args(["plan", "--all"]).run().assert_code(0);
    let plan = ws.read("out/001-todo-list/plan.md");
    assert!(
        plan.contains("**Constraints**: no external services; runs offline\n"),
        "{plan}"
    );
}

/// src/parse/spec.rs `needs_clarification` (line 728): any `[NEEDS CLARIFICATION` is a
/// marker, including the item `No [NEEDS CLARIFICATION] markers remain` of the Review &
/// Acceptance Checklist that spec-kit's v0.0.50 spec template puts in every spec.md.
#[test]
fn checklist_item_naming_the_marker_is_not_a_marker() {
    let spec = std::fs::read_to_string(fixtures_dir().join("legacy-v0050-layout/specs/001-photo-albums/spec.md"))
        .unwrap()
        .replace(
            "- [x] Requirements are testable and unambiguous",
            "- [x] No [NEEDS CLARIFICATION] markers remain\n- [x] Requirements are testable and unambiguous",
        );
    let ws = Workspace::copy_of(fixtures_dir().join("legacy-v0050-layout"));
    ws.write("specs/001-photo-albums/spec.md", spec);
    let run = Test::new().workspace(&ws).args(["plan", "--all"]).run();
    run.assert_code(0);
    assert!(!run.stderr.contains("SP206"), "{}", run.stderr);
}

/// src/cli/plan.rs (line 21, `trailing_var_arg = true` on TEXT): every argument after the
/// first word of the text is swallowed into it, options included. `sp plan 006 "…" --check`
/// saves `… --check` as plan-input.md and then writes out/, the opposite of --check.
#[test]
fn options_after_the_text_are_options() {
    let ws = Workspace::example();
    let before = ws.read("specs/006-k8s-deployment/plan-input.md");
    let run = Test::new()
        .workspace(&ws)
        .args(["plan", "006", "Backend: FastAPI", "--check"])
        .run();
    assert!(
        !ws.read("specs/006-k8s-deployment/plan-input.md").contains("--check"),
        "--check was saved as plan input text"
    );
    assert!(!ws.exists("out"), "--check wrote out/");
    // Either refuse (exit 2, as `sp plan --check 006 TEXT` does) or honour --check.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(ws.read("specs/006-k8s-deployment/plan-input.md"), before);
}
