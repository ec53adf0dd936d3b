//! The form of single instructions: exec form, COPY rather than ADD, absolute WORKDIR, pipefail.

use crate::gates::artifacts::dockerfile::shell::{has_pipe, is_json_form, run_script, shell_words};
use crate::gates::artifacts::dockerfile::{Dockerfile, Instr};
use crate::gates::artifacts::{Acc, Input};

/// The problems one instruction shows for a gate: (rule, message).
pub(crate) type Problems = Vec<(&'static str, String)>;

/// Run a per-instruction check over every Dockerfile: each problem fails the gate at its
/// instruction; a Dockerfile without any passes, with `what` as the evidence.
pub(crate) fn each_instr(
    dfs: &[Dockerfile],
    acc: &mut Acc,
    what: &str,
    mut check: impl FnMut(&Dockerfile, &Instr) -> Problems,
) {
    for d in dfs {
        let mut problems = 0;
        for i in &d.instrs {
            let label = i.stage.map(|s| d.stage_label(s)).unwrap_or_else(|| d.file.clone());
            for (rule, msg) in check(d, i) {
                problems += 1;
                acc.fail(rule, &d.file, i.pos(), label.clone(), msg, i.show());
            }
        }
        if problems == 0
            && let Some(i) = d.instrs.first()
        {
            acc.pass(
                &d.file,
                i.pos(),
                d.file.clone(),
                format!("{} instructions, {what}", d.instrs.len()),
            );
        }
    }
}

/// dockerfile-exec-form: CMD and ENTRYPOINT in JSON form.
pub(crate) fn exec_form(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    each_instr(dfs, acc, "CMD and ENTRYPOINT in JSON form", |_, i| {
        let rule = match i.keyword.as_str() {
            "CMD" => "shell-form-cmd",
            "ENTRYPOINT" => "shell-form-entrypoint",
            _ => return Vec::new(),
        };
        if is_json_form(&i.args) {
            return Vec::new();
        }
        vec![(
            rule,
            format!(
                "{} in shell form runs under `/bin/sh -c`, which does not pass SIGTERM to the process: use the JSON form",
                i.keyword
            ),
        )]
    });
}

/// dockerfile-copy-not-add: ADD only for what COPY cannot do.
pub(crate) fn copy_not_add(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    each_instr(dfs, acc, "no ADD of local files or unchecked URLs", |_, i| {
        if i.keyword != "ADD" {
            return Vec::new();
        }
        let (flags, rest) = i.flags();
        let srcs: Vec<String> = shell_words(rest);
        let srcs = &srcs[..srcs.len().saturating_sub(1)];
        let archive = |s: &str| {
            [
                ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".tb2", ".xz", ".txz", ".zst", ".tzst", ".lz", ".lzma",
                ".tlz", ".z", ".tz",
            ]
            .iter()
            .any(|e| s.to_ascii_lowercase().ends_with(e))
        };
        let checked = flags.iter().any(|(n, _)| n == "checksum");
        let mut out = Vec::new();
        if srcs.iter().any(|s| s.contains("://") && !checked) {
            out.push((
                "add-url-without-checksum",
                "ADD of a URL without --checksum: the download is not verified (use ADD --checksum, or curl and a checksum)".to_string(),
            ));
        }
        if srcs.is_empty()
            || srcs
                .iter()
                .any(|s| !s.contains("://") && !archive(s) && !s.starts_with("git@"))
        {
            out.push((
                "add-local-file",
                "ADD of a local file or folder: ADD also unpacks archives and fetches URLs implicitly, use COPY"
                    .to_string(),
            ));
        }
        out
    });
}

/// dockerfile-absolute-workdir.
pub(crate) fn absolute_workdir(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    each_instr(dfs, acc, "every WORKDIR absolute", |_, i| {
        if i.keyword != "WORKDIR" {
            return Vec::new();
        }
        let p = i.args.trim().trim_matches('"').trim_matches('\'');
        let windows = p.len() > 1 && p.as_bytes()[1] == b':';
        if p.starts_with('/') || p.starts_with('$') || windows {
            return Vec::new();
        }
        vec![(
            "relative-workdir",
            format!("WORKDIR `{p}` is relative: it depends on the base image's working directory"),
        )]
    });
}

/// Does a SHELL instruction make later piped RUNs safe: bash, zsh or ash with `-o pipefail`, or
/// a shell that is not POSIX (PowerShell, cmd) where the rule does not apply? `/bin/sh` is
/// dash on Debian, which has no pipefail, so it does not count (as hadolint DL4006 reads it).
pub(crate) fn shell_has_pipefail(args: &str) -> bool {
    let words: Vec<String> = serde_json::from_str::<Vec<String>>(args.trim()).unwrap_or_else(|_| shell_words(args));
    let Some(first) = words.first() else { return false };
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
    if ["pwsh", "powershell", "cmd"].iter().any(|p| base.starts_with(p)) {
        return true;
    }
    matches!(base.as_str(), "bash" | "zsh" | "ash")
        && words
            .iter()
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('o'))
        && words.iter().any(|w| w == "pipefail")
}

/// dockerfile-pipefail: a piped RUN fails when any command of the pipe fails.
pub(crate) fn pipefail(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    // Whether the current SHELL of the stage has pipefail: reset by each FROM.
    let mut covered = false;
    each_instr(dfs, acc, "every piped RUN under pipefail", |_, i| {
        match i.keyword.as_str() {
            "FROM" => covered = false,
            "SHELL" => covered = shell_has_pipefail(&i.args),
            "RUN" => {
                let script = run_script(i);
                let (_, rest) = i.flags();
                if !rest.trim_start().starts_with('[') && has_pipe(&script) && !script.contains("pipefail") && !covered
                {
                    return vec![(
                        "pipe-without-pipefail",
                        "a piped RUN without `set -o pipefail` (or a SHELL of bash, zsh or ash with -o pipefail) succeeds when the first command fails".to_string(),
                    )];
                }
            }
            _ => {}
        }
        Vec::new()
    });
}
