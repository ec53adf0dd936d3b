//! Helm charts: their structure (Chart.yaml, values files, values.schema.json, templates,
//! NOTES.txt, tests), checked without rendering, and the production values the
//! production-only gates read.

use serde_json::Value as Json;

use super::parse::{self, Object, Pos, image_ref, mutable_tag};
use super::schema::{self, VKind, Val};
use super::{Acc, dir_of, under};
use crate::yaml::Node;

#[derive(Debug)]
struct ValuesFile {
    rel: String,
    text: String,
    root: Option<Node>,
    error: Option<(String, Pos)>,
}

#[derive(Debug)]
pub struct Chart {
    /// The chart's folder ("" when the artifacts root is the chart).
    pub root: String,
    /// Every file, relative to the chart's folder, sorted.
    files: Vec<(String, String)>,
    meta: Option<Node>,
    meta_error: Option<(String, Pos)>,
    /// values.yaml first, then the other values*.yaml files, sorted.
    values: Vec<ValuesFile>,
    schema: Option<Result<Json, (String, Pos)>>,
}

fn first_doc(text: &str) -> (Option<Node>, Option<(String, Pos)>) {
    let (docs, errors) = crate::yaml::parse_nodes(text);
    let err = errors.into_iter().next().map(|e| {
        (
            e.message,
            Pos {
                line: e.line.unwrap_or(1).max(1),
                column: e.column.unwrap_or(1).max(1),
            },
        )
    });
    (docs.into_iter().next().map(|d| d.root), err)
}

impl Chart {
    pub fn load(root: &str, files: &[(String, &str)]) -> Chart {
        let mut c = Chart {
            root: root.to_string(),
            files: files.iter().map(|(p, t)| (p.clone(), t.to_string())).collect(),
            meta: None,
            meta_error: None,
            values: Vec::new(),
            schema: None,
        };
        c.files.sort();
        for (rel, text) in &c.files {
            if rel == "Chart.yaml" || rel == "Chart.yml" {
                let (root, err) = first_doc(text);
                c.meta = root.filter(parse::is_map);
                c.meta_error = err.or_else(|| {
                    c.meta
                        .is_none()
                        .then(|| ("Chart.yaml is not a map".into(), Pos { line: 1, column: 1 }))
                });
            } else if !rel.contains('/')
                && rel.starts_with("values")
                && (rel.ends_with(".yaml") || rel.ends_with(".yml"))
            {
                let (root, error) = first_doc(text);
                c.values.push(ValuesFile {
                    rel: rel.clone(),
                    text: text.clone(),
                    root,
                    error,
                });
            } else if rel == "values.schema.json" {
                c.schema = Some(serde_json::from_str::<Json>(text).map_err(|e| {
                    (
                        format!("values.schema.json is not valid JSON: {e}"),
                        Pos {
                            line: e.line().max(1),
                            column: e.column().max(1),
                        },
                    )
                }));
            }
        }
        c.values
            .sort_by_key(|v| (v.rel != "values.yaml" && v.rel != "values.yml", v.rel.clone()));
        c
    }

    pub fn display(&self) -> String {
        if self.root.is_empty() {
            ".".into()
        } else {
            self.root.clone()
        }
    }

    fn path(&self, rel: &str) -> String {
        if self.root.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.root)
        }
    }

    /// The folder whose raw manifests this chart describes: its parent, or the parent of a
    /// `helm/`, `charts/` or `chart/` folder holding it.
    pub fn scope(&self) -> &str {
        let parent = dir_of(&self.root);
        let base = parent.rsplit('/').next().unwrap_or(parent);
        if matches!(base, "helm" | "charts" | "chart") {
            dir_of(parent)
        } else {
            parent
        }
    }

    pub fn name(&self) -> String {
        self.meta
            .as_ref()
            .and_then(|m| parse::get_str(m, "name"))
            .map(str::to_string)
            .unwrap_or_else(|| self.root.rsplit('/').next().unwrap_or("chart").to_string())
    }

    fn label(&self) -> String {
        format!("chart {}", self.name())
    }

    fn meta_file(&self) -> String {
        let rel = self
            .files
            .iter()
            .map(|(r, _)| r.as_str())
            .find(|r| r.starts_with("Chart.y"))
            .unwrap_or("Chart.yaml");
        self.path(rel)
    }

    fn templates(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(r, _)| r.starts_with("templates/"))
            .map(|(r, t)| (r.as_str(), t.as_str()))
    }

    fn file(&self, rel: &str) -> Option<&str> {
        self.files.iter().find(|(r, _)| r == rel).map(|(_, t)| t.as_str())
    }

    /// values.yaml as data (None when it is missing or not valid YAML).
    fn base_values(&self) -> Option<Val> {
        let v = self.values.first().filter(|v| v.rel.starts_with("values.y"))?;
        v.root.as_ref().map(|n| Val::from_node(n, 0))
    }

    /// values.yaml with `overlay` layered over it.
    fn merged(&self, overlay: usize) -> Option<Val> {
        let mut base = self.base_values()?;
        if overlay > 0 {
            let o = self.values.get(overlay)?.root.as_ref()?;
            schema::merge(&mut base, &Val::from_node(o, overlay));
        }
        Some(base)
    }
}

/// `{{- define "name" -}}` occurrences: (line, name).
fn defines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let mut rest = l;
        while let Some(p) = rest.find("define") {
            let before = rest[..p].trim_end();
            let after = rest[p + 6..].trim_start();
            if (before.ends_with("{{") || before.ends_with("{{-"))
                && let Some(q) = after.strip_prefix('"')
                && let Some(e) = q.find('"')
            {
                out.push((i + 1, q[..e].to_string()));
            }
            rest = &rest[p + 6..];
        }
    }
    out
}

/// A line without its YAML comment (a `#` after a blank, outside quotes and `{{ }}`).
fn strip_comment(l: &str) -> &str {
    let b = l.as_bytes();
    let (mut quote, mut action) = (None, 0usize);
    for i in 0..b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if action == 0 => quote = Some(b[i]),
            (None, b'{') if b.get(i + 1) == Some(&b'{') => action += 1,
            (None, b'}') if b.get(i + 1) == Some(&b'}') => action = action.saturating_sub(1),
            (None, b'#') if action == 0 && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') => {
                return l[..i].trim_end();
            }
            _ => {}
        }
    }
    l
}

/// Lines of a template file whose key is `key:` with their indentation, value, and parent key.
fn keyed_lines<'a>(text: &'a str, key: &str) -> Vec<(usize, usize, &'a str, Option<&'a str>)> {
    let lines: Vec<&str> = text.lines().map(strip_comment).collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let ind = l.len() - l.trim_start().len();
        let t = l.trim_start();
        let t2 = t.strip_prefix("- ").unwrap_or(t);
        let Some(value) = t2.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
            continue;
        };
        let parent = lines[..i].iter().rev().find_map(|p| {
            let pi = p.len() - p.trim_start().len();
            let pt = p.trim();
            (pi < ind && !pt.is_empty() && !pt.starts_with('#') && !pt.starts_with("{{")).then_some(pt)
        });
        out.push((i + 1, ind + 1 + (t.len() - t2.len()), value.trim(), parent));
    }
    out
}

pub fn no_namespace_in_templates(charts: &[Chart], acc: &mut Acc) {
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

pub fn notes_present(charts: &[Chart], acc: &mut Acc) {
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
fn test_images(v: &Val, path: &str, out: &mut Vec<(String, usize, Pos)>) {
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

pub fn tests_present(charts: &[Chart], acc: &mut Acc) {
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
            let lines: Vec<&str> = text.lines().collect();
            for (n, (line, name)) in defs.iter().enumerate() {
                let end = defs.get(n + 1).map(|(l, _)| l - 1).unwrap_or(lines.len());
                helpers.push((name.clone(), lines[line - 1..end.max(*line)].join("\n")));
            }
        }
        let values_images = {
            let mut out = Vec::new();
            if let Some(v) = c.base_values() {
                test_images(&v, "", &mut out);
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

fn dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn semver(s: &str) -> bool {
    let (core, _build) = s.split_once('+').unwrap_or((s, ""));
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let num = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'));
    let parts: Vec<&str> = core.split('.').collect();
    let ident = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    parts.len() == 3
        && parts.iter().all(|p| num(p))
        && pre.is_none_or(|p| p.split('.').all(ident))
        && _build.split('.').all(|b| _build.is_empty() || ident(b))
}

fn camel(k: &str) -> bool {
    k.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && k.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Is the key at `line` (1-based) of `lines` documented by a comment right above it that
/// starts with the key's name?
fn documented(lines: &[&str], line: usize, key: &str) -> bool {
    let mut i = line.saturating_sub(1);
    while i > 0 {
        let t = lines.get(i - 1).map(|l| l.trim()).unwrap_or_default();
        let Some(c) = t.strip_prefix('#') else { break };
        let c = c.trim_start_matches('#').trim_start();
        let c = c.trim_start_matches(['"', '\'', '`']);
        if let Some(rest) = c.strip_prefix(key)
            && !rest.starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        {
            return true;
        }
        i -= 1;
    }
    false
}

struct KeyCheck<'a> {
    chart: &'a Chart,
    file: String,
    lines: Vec<&'a str>,
    checked: usize,
    problems: usize,
}

impl KeyCheck<'_> {
    fn walk(&mut self, root: Option<&Json>, schema: Option<&Json>, n: &Node, depth: usize, acc: &mut Acc) {
        if depth > 32 || !parse::is_map(n) {
            return;
        }
        let s = match (root, schema) {
            (Some(r), Some(s)) => Some(schema::resolve(r, s)),
            _ => None,
        };
        let props = s.and_then(|s| s.get("properties")).and_then(Json::as_object);
        let additional = s.and_then(|s| s.get("additionalProperties")).filter(|a| a.is_object());
        for (k, v) in parse::entries(n) {
            let Some((key, _)) = parse::scalar(k) else { continue };
            let fixed = match (s, props) {
                (None, _) => depth == 0,
                (Some(_), Some(p)) => p.contains_key(key),
                (Some(_), None) => false,
            };
            let child = props.and_then(|p| p.get(key)).or(if fixed { None } else { additional });
            if fixed {
                self.checked += 1;
                let pos = Pos::of(k);
                if !camel(key) {
                    self.problems += 1;
                    acc.fail(
                        "values-key-case",
                        &self.file,
                        pos,
                        self.chart.label(),
                        format!("values key `{key}` is not camelCase (starting with a lower-case letter)"),
                        key.to_string(),
                    );
                }
                if !documented(&self.lines, pos.line, key) {
                    self.problems += 1;
                    acc.fail(
                        "values-key-undocumented",
                        &self.file,
                        pos,
                        self.chart.label(),
                        format!("values key `{key}` has no comment above it starting with `{key}`"),
                        key.to_string(),
                    );
                }
            }
            if s.is_some() && child.is_some() {
                self.walk(root, child, v, depth + 1, acc);
                for item in parse::items(v) {
                    let items = child
                        .map(|c| schema::resolve(root.unwrap_or(&Json::Null), c))
                        .and_then(|c| c.get("items"));
                    self.walk(root, items, item, depth + 1, acc);
                }
            }
        }
    }
}

pub fn conventions(charts: &[Chart], acc: &mut Acc) {
    for c in charts {
        let meta_file = c.meta_file();
        let label = c.label();
        let mut problems = 0;
        let mut fail = |acc: &mut Acc, rule: &'static str, file: &str, pos: Pos, msg: String, found: String| {
            problems += 1;
            acc.fail(rule, file, pos, label.clone(), msg, found);
        };
        match (&c.meta, &c.meta_error) {
            (_, Some((e, pos))) => fail(
                acc,
                "chart-yaml-invalid",
                &meta_file,
                *pos,
                format!("Chart.yaml cannot be read: {e}"),
                "invalid Chart.yaml".into(),
            ),
            (Some(m), None) => {
                match parse::entry(m, "name") {
                    None => fail(
                        acc,
                        "chart-name-missing",
                        &meta_file,
                        Pos { line: 1, column: 1 },
                        "Chart.yaml has no name".into(),
                        "no name".into(),
                    ),
                    Some((k, v)) => {
                        let name = parse::text(v).unwrap_or_default();
                        if !dns1123_label(name) {
                            fail(
                                acc,
                                "chart-name-not-dns1123",
                                &meta_file,
                                Pos::of(k),
                                format!(
                                    "chart name `{name}` is not a DNS-1123 label (lower-case letters, digits and dashes, at most 63)"
                                ),
                                format!("name: {name}"),
                            );
                        }
                    }
                }
                match parse::entry(m, "version") {
                    None => fail(
                        acc,
                        "chart-version-missing",
                        &meta_file,
                        Pos { line: 1, column: 1 },
                        "Chart.yaml has no version".into(),
                        "no version".into(),
                    ),
                    Some((k, v)) => {
                        let ver = parse::text(v).unwrap_or_default();
                        if !semver(ver) {
                            fail(
                                acc,
                                "chart-version-not-semver",
                                &meta_file,
                                Pos::of(k),
                                format!("chart version `{ver}` is not SemVer 2 (MAJOR.MINOR.PATCH)"),
                                format!("version: {}", parse::show(v)),
                            );
                        }
                    }
                }
                if let Some((k, v)) = parse::entry(m, "appVersion")
                    && parse::scalar(v).is_some_and(|(_, plain)| plain)
                {
                    fail(
                        acc,
                        "app-version-unquoted",
                        &meta_file,
                        Pos::of(k),
                        "appVersion is not quoted: YAML may read it as a number (1.10 becomes 1.1)".into(),
                        format!("appVersion: {}", parse::show(v)),
                    );
                }
            }
            (None, None) => fail(
                acc,
                "chart-yaml-missing",
                &meta_file,
                Pos { line: 1, column: 1 },
                "the chart has no Chart.yaml".into(),
                "no Chart.yaml".into(),
            ),
        }
        let chart_name = c.name();
        for (rel, text) in c.templates() {
            for (line, name) in defines(text) {
                if !name.starts_with(&format!("{chart_name}.")) {
                    fail(
                        acc,
                        "define-not-namespaced",
                        &c.path(rel),
                        Pos { line, column: 1 },
                        format!(
                            "define `{name}` is not namespaced by the chart name (`{chart_name}.…`): it can collide with a subchart's"
                        ),
                        format!("define \"{name}\""),
                    );
                }
            }
            if rel.ends_with(".yaml") || rel.ends_with(".yml") {
                for (line, col, value, _) in keyed_lines(text, "image") {
                    if !value.is_empty() && !value.contains("{{") {
                        fail(
                            acc,
                            "image-hard-coded",
                            &c.path(rel),
                            Pos { line, column: col },
                            format!(
                                "image `{value}` is hard-coded in a template: take the repository and tag from values"
                            ),
                            format!("image: {value}"),
                        );
                    }
                }
            }
        }
        let schema_json = match &c.schema {
            Some(Ok(j)) => Some(j),
            _ => None,
        };
        let mut keys = 0;
        if let Some(v) = c.values.first().filter(|v| v.rel.starts_with("values.y"))
            && let Some(root) = &v.root
        {
            let mut kc = KeyCheck {
                chart: c,
                file: c.path(&v.rel),
                lines: v.text.lines().collect(),
                checked: 0,
                problems: 0,
            };
            kc.walk(schema_json, schema_json, root, 0, acc);
            keys = kc.checked;
            problems += kc.problems;
        }
        if problems == 0 {
            acc.pass(
                &meta_file,
                Pos { line: 1, column: 1 },
                label.clone(),
                format!("name `{chart_name}`, SemVer version, quoted appVersion, namespaced defines, {keys} values keys camelCase and documented"),
            );
        }
    }
}

pub fn values_schema(charts: &[Chart], acc: &mut Acc) {
    for c in charts {
        let label = c.label();
        let schema = match &c.schema {
            None => {
                acc.fail(
                    "schema-missing",
                    &c.meta_file(),
                    Pos { line: 1, column: 1 },
                    label,
                    "the chart has no values.schema.json: wrong or misspelled values render silently",
                    "no values.schema.json",
                );
                continue;
            }
            Some(Err((e, pos))) => {
                acc.fail(
                    "schema-invalid",
                    &c.path("values.schema.json"),
                    *pos,
                    label,
                    e.clone(),
                    "invalid values.schema.json",
                );
                continue;
            }
            Some(Ok(s)) => s,
        };
        let mut bad = false;
        for v in &c.values {
            if let Some((e, pos)) = &v.error {
                bad = true;
                acc.fail(
                    "values-invalid-yaml",
                    &c.path(&v.rel),
                    *pos,
                    label.clone(),
                    format!("{} is not valid YAML: {e}", v.rel),
                    "invalid YAML",
                );
            }
        }
        if c.base_values().is_none() && c.values.iter().all(|v| v.error.is_none()) {
            // No values.yaml: the overlays alone are what Helm validates.
        }
        let mut seen: Vec<(usize, Pos, String)> = Vec::new();
        let mut names = Vec::new();
        for i in 0..c.values.len().max(1) {
            let merged = if c.base_values().is_some() {
                c.merged(i)
            } else {
                c.values
                    .get(i)
                    .and_then(|v| v.root.as_ref())
                    .map(|n| Val::from_node(n, i))
            };
            let Some(merged) = merged else { continue };
            if let Some(v) = c.values.get(i) {
                names.push(v.rel.clone());
            }
            for err in schema::validate(schema, &merged) {
                let key = (err.file, err.pos, err.message.clone());
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                bad = true;
                let file = c.values.get(err.file).map(|v| v.rel.as_str()).unwrap_or("values.yaml");
                let layered = c
                    .values
                    .get(i)
                    .filter(|_| i > 0)
                    .map(|v| format!(" (values.yaml + {})", v.rel))
                    .unwrap_or_default();
                acc.fail(
                    "values-violate-schema",
                    &c.path(file),
                    err.pos,
                    label.clone(),
                    format!(
                        "{}{layered}: {}",
                        if err.path.is_empty() { "values" } else { &err.path },
                        err.message
                    ),
                    err.found,
                );
            }
        }
        if !bad {
            acc.pass(
                &c.path("values.schema.json"),
                Pos { line: 1, column: 1 },
                label,
                format!(
                    "{} valid against values.schema.json",
                    if names.is_empty() {
                        "no values file".into()
                    } else {
                        names.join(", ")
                    }
                ),
            );
        }
    }
}

pub fn image_tag_pinned(charts: &[Chart], acc: &mut Acc) {
    fn walk(v: &Val, path: &str, out: &mut Vec<(String, String, usize, Pos)>) {
        if let VKind::Map(entries) = &v.kind {
            for (k, kp, child) in entries {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "image" {
                    match &child.kind {
                        VKind::Map(_) => {
                            if let Some((tag, tp)) = child.lookup(&["tag"]) {
                                let digest = child.get("digest").and_then(Val::as_text).filter(|d| !d.is_empty());
                                if digest.is_none() {
                                    out.push((format!("{p}.tag"), tag.as_text().unwrap_or_default(), tag.file, tp));
                                }
                            }
                        }
                        VKind::Str(s) if !s.contains('@') => out.push((
                            p.clone(),
                            image_ref(s).tag.unwrap_or_else(|| "(none)".into()),
                            child.file,
                            *kp,
                        )),
                        _ => {}
                    }
                } else {
                    walk(child, &p, out);
                }
            }
        }
    }
    for c in charts {
        for i in 0..c.values.len() {
            let Some(v) = c.values[i].root.as_ref().map(|n| Val::from_node(n, i)) else {
                continue;
            };
            let mut tags = Vec::new();
            walk(&v, "", &mut tags);
            for (path, tag, f, pos) in tags {
                let file = c.path(&c.values[f].rel);
                if mutable_tag(&tag) || tag == "(none)" {
                    acc.fail(
                        "image-tag-unpinned",
                        &file,
                        pos,
                        c.label(),
                        format!("`{path}` is `{tag}`: pin a version tag or a digest"),
                        format!("{path}: {tag}"),
                    );
                } else {
                    let shown = if tag.is_empty() {
                        "\"\" (the chart's appVersion)".to_string()
                    } else {
                        tag
                    };
                    acc.pass(&file, pos, c.label(), format!("{path}: {shown}"));
                }
            }
        }
    }
}

/// The labels every chart's templates must set: name, instance, managed-by and helm.sh/chart
/// (recommended-labels); version, component and part-of (recommended-labels-complete).
pub const CHART_LABELS: [&str; 4] = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
];
pub const CHART_LABELS_MORE: [&str; 3] = [
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
];

pub fn recommended_labels(charts: &[Chart], required: &[&str], acc: &mut Acc) {
    for c in charts {
        let all: String = c.templates().map(|(_, t)| t).collect::<Vec<_>>().join("\n");
        if all.is_empty() {
            continue;
        }
        let missing: Vec<&str> = required.iter().copied().filter(|l| !all.contains(l)).collect();
        let (file, line) = c
            .templates()
            .find(|(r, _)| r.ends_with("_helpers.tpl"))
            .map(|(r, t)| {
                (
                    c.path(r),
                    t.lines()
                        .position(|l| l.contains("app.kubernetes.io/"))
                        .map(|p| p + 1)
                        .unwrap_or(1),
                )
            })
            .unwrap_or((c.meta_file(), 1));
        if missing.is_empty() {
            acc.pass(
                &file,
                Pos { line, column: 1 },
                c.label(),
                format!("templates set {}", required.join(", ")),
            );
        } else {
            acc.fail(
                "labels-missing",
                &file,
                Pos { line, column: 1 },
                c.label(),
                format!("the chart's templates never set {}", missing.join(", ")),
                format!("missing {}", missing.join(", ")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Production values
// ---------------------------------------------------------------------------------------

/// Where a production value comes from.
#[derive(Debug, Clone)]
pub struct At {
    pub file: String,
    pub pos: Pos,
    /// The dotted key (`components.api.replicas`).
    pub key: String,
}

/// A disruption budget the chart creates in production.
#[derive(Debug, Clone)]
pub struct ChartPdb {
    pub at: At,
    pub max_unavailable: Option<(String, At)>,
    pub min_available: Option<(String, At)>,
    pub policy: Option<(String, At)>,
}

/// What the production values say about one workload of the raw manifests.
#[derive(Debug, Clone)]
pub struct ProdWorkload {
    scope: String,
    name: String,
    pub replicas: Option<(i64, At)>,
    pub max_surge: Option<(String, At)>,
    pub max_unavailable: Option<(String, At)>,
    pub pdb: Option<ChartPdb>,
}

/// The production settings of the workloads a chart covers: values.yaml with
/// values-production.yaml layered over it, read at these keys (first found wins):
///
/// - replicas: `components.<name>.replicas`, `backingServices.<name>.replicas` (sp's chart),
///   `<name>.replicas`, `<name>.replicaCount`, or `replicaCount` when the chart covers a
///   single Deployment (the `helm create` layout);
/// - rollout: `rollout.maxSurge` / `rollout.maxUnavailable`, or
///   `strategy.rollingUpdate.maxSurge` / `.maxUnavailable`;
/// - disruption budget: when a template creates a PodDisruptionBudget and
///   `podDisruptionBudget.enabled` (or `pdb.enabled`) is true, a budget per workload running
///   2 replicas or more, with that map's maxUnavailable, minAvailable and
///   unhealthyPodEvictionPolicy.
///
/// Workloads the values do not mention keep the raw manifests' settings. A chart without
/// values-production.yaml contributes nothing.
#[derive(Debug, Default)]
pub struct Production {
    workloads: Vec<ProdWorkload>,
}

impl Production {
    pub fn from_charts(charts: &[Chart], objects: &[Object]) -> Production {
        let mut workloads = Vec::new();
        for c in charts {
            let Some(prod) = c
                .values
                .iter()
                .position(|v| v.rel.starts_with("values-production.") || v.rel.starts_with("values-prod."))
            else {
                continue;
            };
            let Some(merged) = c.merged(prod) else { continue };
            let at = |keys: &[&str]| -> Option<(&Val, At)> {
                let (v, pos) = merged.lookup(keys)?;
                Some((
                    v,
                    At {
                        file: c.path(&c.values[v.file].rel),
                        pos,
                        key: keys.join("."),
                    },
                ))
            };
            let text_at = |keys: &[&str]| at(keys).and_then(|(v, a)| v.as_text().map(|t| (t, a)));
            let scope = c.scope().to_string();
            let in_scope: Vec<&Object> = objects
                .iter()
                .filter(|o| under(&o.file, &scope) && matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
                .collect();
            let deployments = in_scope.iter().filter(|o| o.kind == "Deployment").count();
            let has_pdb_template = c.templates().any(|(_, t)| t.contains("kind: PodDisruptionBudget"));
            let pdb_map = ["podDisruptionBudget", "pdb"]
                .into_iter()
                .find(|k| merged.get(k).is_some());
            for o in in_scope {
                let n = o.name.as_str();
                // An autoscaler the production values turn on scales the workload: its
                // minimum is the replica count the gates judge.
                let autoscaled =
                    at(&["components", n, "autoscaling", "enabled"]).is_some_and(|(v, _)| v.as_bool() == Some(true));
                let replicas = [
                    vec!["components", n, "autoscaling", "minReplicas"],
                    vec!["components", n, "replicas"],
                    vec!["backingServices", n, "replicas"],
                    vec![n, "replicas"],
                    vec![n, "replicaCount"],
                ]
                .into_iter()
                .chain((deployments == 1 && o.kind == "Deployment").then(|| vec!["replicaCount"]))
                .filter(|k| autoscaled || !k.contains(&"autoscaling"))
                .find_map(|k| at(&k).and_then(|(v, a)| v.as_i64().map(|r| (r, a))));
                let surge =
                    text_at(&["rollout", "maxSurge"]).or_else(|| text_at(&["strategy", "rollingUpdate", "maxSurge"]));
                let unavailable = text_at(&["rollout", "maxUnavailable"])
                    .or_else(|| text_at(&["strategy", "rollingUpdate", "maxUnavailable"]));
                let pdb = match pdb_map {
                    Some(m) if has_pdb_template => at(&[m, "enabled"]).and_then(|(v, a)| {
                        (v.as_bool() == Some(true)).then(|| ChartPdb {
                            at: a,
                            max_unavailable: text_at(&[m, "maxUnavailable"]),
                            min_available: text_at(&[m, "minAvailable"]),
                            policy: text_at(&[m, "unhealthyPodEvictionPolicy"]),
                        })
                    }),
                    _ => None,
                };
                workloads.push(ProdWorkload {
                    scope: scope.clone(),
                    name: n.to_string(),
                    replicas,
                    max_surge: surge,
                    max_unavailable: unavailable,
                    pdb,
                });
            }
        }
        Production { workloads }
    }

    /// The production settings of an object of the raw manifests, if a chart covers it.
    pub fn for_object(&self, o: &Object) -> Option<&ProdWorkload> {
        self.workloads
            .iter()
            .filter(|w| w.name == o.name && under(&o.file, &w.scope))
            .max_by_key(|w| w.scope.len())
    }
}
