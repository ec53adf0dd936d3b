//! How the image is built: stages, the final USER, HEALTHCHECK and the size budget comment.

use crate::gates::artifacts::dockerfile::shell::{
    copied_tools, run_script, simple_commands, toolchain_image, toolchain_step,
};
use crate::gates::artifacts::dockerfile::{Dockerfile, Instr};
use crate::gates::artifacts::parse::Pos;
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn multi_stage(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    for d in dfs {
        if d.stages.is_empty() {
            acc.fail(
                "no-from",
                &d.file,
                d.first_line(),
                d.file.clone(),
                "no FROM instruction: not a Dockerfile sp can judge",
                "no FROM",
            );
            continue;
        }
        if d.stages.len() < 2 {
            let from = &d.instrs[d.stages[0].from];
            acc.fail(
                "single-stage",
                &d.file,
                from.pos(),
                d.stage_label(0),
                "a single-stage build: the image that runs also carries everything used to build it",
                from.show(),
            );
            continue;
        }
        let chain = d.final_chain();
        let final_label = d.stage_label(chain[0]);
        let mut bad = false;
        for &s in &chain {
            let st = &d.stages[s];
            if st.parent.is_none() && toolchain_image(&st.base) {
                bad = true;
                let from = &d.instrs[st.from];
                acc.fail(
                    "toolchain-base",
                    &d.file,
                    from.pos(),
                    final_label.clone(),
                    format!("the runtime stage is built on the toolchain image `{}`", st.base),
                    from.show(),
                );
            }
            for i in d.stage_instrs(s) {
                if i.keyword == "RUN" {
                    for cmd in simple_commands(&run_script(i)) {
                        if let Some(step) = toolchain_step(&cmd) {
                            bad = true;
                            let via = if s == chain[0] {
                                String::new()
                            } else {
                                format!(" (inherited from {})", d.stage_label(s))
                            };
                            acc.fail(
                                "build-step-in-runtime",
                                &d.file,
                                i.pos(),
                                final_label.clone(),
                                format!("the runtime stage runs a build step{via}: `{step}` belongs in a build stage"),
                                i.show(),
                            );
                            break;
                        }
                    }
                } else if let Some(img) = copied_tools(d, i) {
                    bad = true;
                    acc.fail(
                        "tools-copied-in",
                        &d.file,
                        i.pos(),
                        final_label.clone(),
                        format!("the runtime stage copies tools from `{img}`"),
                        i.show(),
                    );
                }
            }
        }
        if !bad {
            let from = &d.instrs[d.stages[chain[0]].from];
            acc.pass(
                &d.file,
                from.pos(),
                final_label,
                format!("{} stages; runtime `{}` has no build step", d.stages.len(), from.show()),
            );
        }
    }
}

/// The last instruction `keyword` of the final stage or the stages it builds on.
pub(crate) fn last_in_chain<'a>(d: &'a Dockerfile, keyword: &str) -> Option<&'a Instr> {
    for s in d.final_chain() {
        if let Some(i) = d.stage_instrs(s).filter(|i| i.keyword == keyword).last() {
            return Some(i);
        }
    }
    None
}

pub(crate) fn final_from(d: &Dockerfile) -> Option<&Instr> {
    d.stages.last().map(|s| &d.instrs[s.from])
}

pub(crate) fn non_root_user(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    for d in dfs {
        let Some(from) = final_from(d) else { continue };
        let label = d.stage_label(d.stages.len() - 1);
        match last_in_chain(d, "USER") {
            None => acc.fail(
                "user-missing",
                &d.file,
                from.pos(),
                label,
                "the final stage sets no USER: the container runs as root",
                "no USER",
            ),
            Some(u) => {
                let user = u.args.split_whitespace().next().unwrap_or_default();
                let name = user.split(':').next().unwrap_or_default();
                if name == "0" || name.eq_ignore_ascii_case("root") || name.is_empty() {
                    acc.fail(
                        "user-root",
                        &d.file,
                        u.pos(),
                        label,
                        "the last USER of the final stage is root",
                        u.show(),
                    );
                } else if name.bytes().all(|b| b.is_ascii_digit()) {
                    acc.pass(&d.file, u.pos(), label, u.show());
                } else {
                    acc.pass(
                        &d.file,
                        u.pos(),
                        label,
                        format!(
                            "{} (a name: Kubernetes needs a numeric runAsUser to verify runAsNonRoot)",
                            u.show()
                        ),
                    );
                }
            }
        }
    }
}

pub(crate) fn healthcheck(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    for d in dfs {
        let Some(from) = final_from(d) else { continue };
        let label = d.stage_label(d.stages.len() - 1);
        match last_in_chain(d, "HEALTHCHECK") {
            None => acc.fail(
                "healthcheck-missing",
                &d.file,
                from.pos(),
                label,
                "the final stage declares no HEALTHCHECK",
                "no HEALTHCHECK",
            ),
            Some(h) if h.args.trim().eq_ignore_ascii_case("none") => acc.fail(
                "healthcheck-none",
                &d.file,
                h.pos(),
                label,
                "HEALTHCHECK NONE turns the base image's health check off",
                h.show(),
            ),
            Some(h) => acc.pass(&d.file, h.pos(), label, h.show()),
        }
    }
}

pub(crate) fn size_budget(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
    for d in dfs {
        let first = d.instrs.first().map(|i| i.line).unwrap_or(usize::MAX);
        for (line, text) in &d.comments {
            let lower = text.to_ascii_lowercase();
            if !lower.contains("size budget") {
                continue;
            }
            let pos = Pos { line: *line, column: 1 };
            let found = format!("# {text}");
            let after = &lower[lower.find("size budget").unwrap_or(0)..];
            let has_size = {
                let b = after.as_bytes();
                (0..b.len()).any(|i| {
                    b[i].is_ascii_digit() && {
                        let rest = after[i..]
                            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                            .trim_start();
                        ["kb", "mb", "gb", "kib", "mib", "gib", "k ", "m ", "g "]
                            .iter()
                            .any(|u| rest.starts_with(u))
                            || rest == "m"
                            || rest == "g"
                    }
                })
            };
            if *line > first {
                acc.fail(
                    "budget-below-instructions",
                    &d.file,
                    pos,
                    d.file.clone(),
                    "the size budget is recorded below the first instruction: write it in the header",
                    found,
                );
            } else if !has_size {
                acc.fail(
                    "budget-no-size",
                    &d.file,
                    pos,
                    d.file.clone(),
                    "the size budget states no size (a number and MB or GB)",
                    found,
                );
            } else {
                acc.pass(&d.file, pos, d.file.clone(), found);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// .dockerignore
// ---------------------------------------------------------------------------------------
