//! A chart's templates: no hard-coded namespace, NOTES.txt, and `helm test` hooks.

use crate::gates::artifacts::chart::{defines, keyed_lines, strip_comment};
use crate::gates::artifacts::parse::{Pos, image_ref, mutable_tag};
use crate::gates::artifacts::schema::{VKind, Val};
use crate::gates::artifacts::{Acc, Input};

pub(crate) fn no_namespace_in_templates(input: &Input, acc: &mut Acc) {
    let charts = input.charts;
    for c in charts {
        let mut seen = 0;
        let mut bad = false;
        for (rel, text) in c.templates() {
            if !(rel.ends_with(".yaml") || rel.ends_with(".yml") || rel.ends_with(".tpl")) {
                continue;
            }
            for (line, col, value, parent) in keyed_lines(text, "namespace") {
                if parent != Some("metadata:") {
                    continue;
                }
                seen += 1;
                if !value.contains("{{") {
                    bad = true;
                    acc.fail(
                        "namespace-hard-coded",
                        &c.path(rel),
                        Pos { line, column: col },
                        c.label(),
                        format!("metadata.namespace is hard-coded to `{value}`: the release's namespace (`-n`) no longer applies"),
                        format!("namespace: {value}"),
                    );
                }
            }
        }
        if !bad && c.templates().next().is_some() {
            let found = if seen == 0 {
                "no template sets metadata.namespace".to_string()
            } else {
                format!("{seen} metadata.namespace, all templated ({{{{ .Release.Namespace }}}})")
            };
            acc.pass(&c.meta_file(), Pos { line: 1, column: 1 }, c.label(), found);
        }
    }
}

pub(crate) fn notes_present(input: &Input, acc: &mut Acc) {
    let charts = input.charts;
    for c in charts {
        let rel = "templates/NOTES.txt";
        match c.file(rel) {
            None => acc.fail(
                "notes-missing",
                &c.meta_file(),
                Pos { line: 1, column: 1 },
                c.label(),
                "the chart has no templates/NOTES.txt",
                "no NOTES.txt",
            ),
            Some(t) if t.trim().is_empty() => acc.fail(
                "notes-empty",
                &c.path(rel),
                Pos { line: 1, column: 1 },
                c.label(),
                "templates/NOTES.txt is empty",
                "empty NOTES.txt",
            ),
            Some(t) if t.matches("{{").count() != t.matches("}}").count() => acc.fail(
                "notes-unbalanced",
                &c.path(rel),
                Pos { line: 1, column: 1 },
                c.label(),
                "templates/NOTES.txt has unbalanced `{{` and `}}`: it cannot render",
                format!("{} `{{{{`, {} `}}}}`", t.matches("{{").count(), t.matches("}}").count()),
            ),
            Some(t) => acc.pass(
                &c.path(rel),
                Pos { line: 1, column: 1 },
                c.label(),
                format!("NOTES.txt, {} lines", t.lines().count()),
            ),
        }
    }
}

/// Images of the values under a key path mentioning `test`: (tag or whole reference, file, position).
pub(crate) fn test_images(v: &Val, path: &str, out: &mut Vec<(String, usize, Pos)>) {
    if let VKind::Map(entries) = &v.kind {
        for (k, kp, child) in entries {
            let p = format!("{path}.{k}");
            if k == "image" && p.to_ascii_lowercase().contains("test") {
                match &child.kind {
                    VKind::Map(_) => {
                        if let Some((tag, tp)) = child.lookup(&["tag"]) {
                            out.push((tag.as_text().unwrap_or_default(), tag.file, tp));
                        }
                    }
                    VKind::Str(s) => out.push((image_ref(s).tag.unwrap_or_default(), child.file, *kp)),
                    _ => {}
                }
            } else {
                test_images(child, &p, out);
            }
        }
    }
}

pub(crate) fn tests_present(input: &Input, acc: &mut Acc) {
    let charts = input.charts;
    for c in charts {
        let tests: Vec<(&str, &str)> = c
            .templates()
            .filter(|(r, _)| r.starts_with("templates/tests/"))
            .collect();
        if tests.is_empty() {
            acc.fail(
                "tests-missing",
                &c.meta_file(),
                Pos { line: 1, column: 1 },
                c.label(),
                "the chart has no test hooks (templates/tests/)",
                "no templates/tests/",
            );
            continue;
        }
        // Helper bodies, to follow the includes of a test template.
        let mut helpers: Vec<(String, String)> = Vec::new();
        for (_, text) in c.templates() {
            let defs = defines(text);
            if defs.is_empty() {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            for (n, (line, name)) in defs.iter().enumerate() {
                let end = defs.get(n + 1).map(|(l, _)| l - 1).unwrap_or(lines.len());
                helpers.push((name.clone(), lines[line - 1..end.max(*line)].join("\n")));
            }
        }
        let values_images = {
            let mut out = Vec::new();
            if let Some(v) = c.base_values() {
                test_images(v, "", &mut out);
            }
            out
        };
        let mut hooked = false;
        for (rel, text) in &tests {
            let file = c.path(rel);
            let mut problems = 0;
            let hook = text.lines().enumerate().find(|(_, l)| {
                let t = l.trim().trim_start_matches('"');
                t.starts_with("helm.sh/hook\"") || t.starts_with("helm.sh/hook:")
            });
            let hook = hook.map(|(i, l)| (i, strip_comment(l)));
            let Some((hook_line, hook_text)) = hook else { continue };
            if !hook_text.contains("test") {
                continue;
            }
            hooked = true;
            let at = Pos {
                line: hook_line + 1,
                column: hook_text.len() - hook_text.trim_start().len() + 1,
            };
            if !text.contains("helm.sh/hook-delete-policy") {
                problems += 1;
                acc.fail(
                    "test-hook-no-delete-policy",
                    &file,
                    at,
                    c.label(),
                    "the test hook has no helm.sh/hook-delete-policy: finished test pods stay and block the next `helm test`",
                    hook_text.trim(),
                );
            }
            let runs_pod = text
                .lines()
                .any(|l| matches!(strip_comment(l).trim(), "kind: Pod" | "kind: Job"));
            if !runs_pod {
                continue;
            }
            for (line, col, value, _) in keyed_lines(text, "image") {
                let value = value.trim_matches('"').trim_matches('\'');
                if value.contains("{{") {
                    for (tag, f, p) in &values_images {
                        if tag.is_empty() || mutable_tag(tag) {
                            problems += 1;
                            acc.fail(
                                "test-image-tag-unpinned",
                                &c.path(&c.values[*f].rel),
                                *p,
                                c.label(),
                                format!("the test image's tag is `{tag}`: pin a version"),
                                format!("tag: {tag:?}"),
                            );
                        }
                    }
                } else {
                    let r = image_ref(value);
                    if r.digest.is_none() && r.tag.as_deref().is_none_or(mutable_tag) {
                        problems += 1;
                        acc.fail(
                            "test-image-unpinned",
                            &file,
                            Pos { line, column: col },
                            c.label(),
                            format!("the test image `{value}` is not pinned to a version"),
                            format!("image: {value}"),
                        );
                    }
                }
            }
            let mut expanded = text.to_string();
            for (name, body) in &helpers {
                let suffix = name.split_once('.').map(|(_, s)| s).unwrap_or(name);
                if text.contains(&format!("\"{name}\"")) || text.contains(&format!(".{suffix}\"")) {
                    expanded.push('\n');
                    expanded.push_str(body);
                }
            }
            let compact: String = expanded.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut missing = Vec::new();
            for (what, needles) in [
                ("runAsNonRoot: true", &["runAsNonRoot: true"][..]),
                (
                    "allowPrivilegeEscalation: false",
                    &["allowPrivilegeEscalation: false"][..],
                ),
                ("readOnlyRootFilesystem: true", &["readOnlyRootFilesystem: true"][..]),
                (
                    "capabilities drop ALL",
                    &["- ALL", "[\"ALL\"]", "[ALL]", "- \"ALL\""][..],
                ),
            ] {
                if !needles.iter().any(|n| compact.contains(n)) {
                    missing.push(what);
                }
            }
            if !missing.is_empty() {
                problems += 1;
                let kind_line = text
                    .lines()
                    .position(|l| matches!(strip_comment(l).trim(), "kind: Pod" | "kind: Job"))
                    .unwrap_or(0)
                    + 1;
                acc.fail(
                    "test-pod-not-hardened",
                    &file,
                    Pos {
                        line: kind_line,
                        column: 1,
                    },
                    c.label(),
                    format!("the test pod is not hardened: no {}", missing.join(", no ")),
                    format!("missing {}", missing.join(", ")),
                );
            }
            if problems == 0 {
                acc.pass(
                    &file,
                    at,
                    c.label(),
                    format!(
                        "{} with delete policy, pinned image, hardened securityContext",
                        hook_text.trim()
                    ),
                );
            }
        }
        if !hooked {
            let (rel, _) = tests[0];
            acc.fail(
                "test-hook-missing",
                &c.path(rel),
                Pos { line: 1, column: 1 },
                c.label(),
                "no file under templates/tests/ has the `helm.sh/hook: test` annotation: `helm test` runs nothing",
                "no helm.sh/hook: test",
            );
        }
    }
}
