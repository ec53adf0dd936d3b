//! A chart's conventions: Chart.yaml fields, values keys in camelCase and documented.

use crate::gates::artifacts::chart::{Chart, defines, keyed_lines};
use crate::gates::artifacts::parse::{self, Pos};
use crate::gates::artifacts::schema::{self};
use crate::gates::artifacts::{Acc, Input};
use crate::yaml::Node;
use serde_json::Value as Json;

pub(crate) fn dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(crate) fn semver(s: &str) -> bool {
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

pub(crate) fn camel(k: &str) -> bool {
    k.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && k.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Is the key at `line` (1-based) of `lines` documented by a comment right above it that
/// starts with the key's name?
pub(crate) fn documented(lines: &[&str], line: usize, key: &str) -> bool {
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

pub(crate) struct KeyCheck<'a> {
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

pub(crate) fn conventions(input: &Input, acc: &mut Acc) {
    let charts = input.charts;
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
        let schema_json = c.schema.as_deref().and_then(|s| s.json.as_ref().ok());
        let mut keys = 0;
        if let Some(v) = c.base_file()
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
