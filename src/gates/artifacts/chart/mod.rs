//! Helm charts: their structure (Chart.yaml, values files, values.schema.json, templates,
//! NOTES.txt, tests), checked without rendering, and the production values the
//! production-only gates read (`production.rs`).

pub(crate) mod conventions;
pub(crate) mod production;
pub(crate) mod templates;
pub(crate) mod values;

use crate::gates::artifacts::dir_of;
use crate::gates::artifacts::parse::{self, Pos};
use crate::gates::artifacts::schema::{self, Val};
use crate::yaml::Node;

#[derive(Debug)]
pub(crate) struct ValuesFile {
    pub(crate) rel: String,
    text: String,
    pub(crate) root: Option<Node>,
    /// `root` as values data, made once at load: several gates read it, some merged with an
    /// overlay, and converting the tree again for each took a sixth of `check --artifacts`.
    pub(crate) val: Option<Val>,
    error: Option<(String, Pos)>,
}

#[derive(Debug)]
pub(crate) struct Chart {
    /// The chart's folder ("" when the artifacts root is the chart).
    pub root: String,
    /// Every file, relative to the chart's folder, sorted.
    files: Vec<(String, String)>,
    meta: Option<Node>,
    meta_error: Option<(String, Pos)>,
    /// values.yaml first, then the other values*.yaml files, sorted.
    pub(crate) values: Vec<ValuesFile>,
    /// values.schema.json, read and compiled (shared by the charts of a run that have the same).
    schema: Option<std::sync::Arc<schema::Schema>>,
}

pub(crate) fn first_doc(text: &str) -> (Option<Node>, Option<(String, Pos)>) {
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
                    val: None,
                    error,
                });
            } else if rel == "values.schema.json" {
                c.schema = Some(schema::load(text));
            }
        }
        c.values
            .sort_by_key(|v| (v.rel != "values.yaml" && v.rel != "values.yml", v.rel.clone()));
        for (i, v) in c.values.iter_mut().enumerate() {
            v.val = v.root.as_ref().map(|n| Val::from_node(n, i));
        }
        c
    }

    pub fn display(&self) -> String {
        if self.root.is_empty() {
            ".".into()
        } else {
            self.root.clone()
        }
    }

    pub(crate) fn path(&self, rel: &str) -> String {
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

    pub(crate) fn label(&self) -> String {
        format!("chart {}", self.name())
    }

    pub(crate) fn meta_file(&self) -> String {
        let rel = self
            .files
            .iter()
            .map(|(r, _)| r.as_str())
            .find(|r| r.starts_with("Chart.y"))
            .unwrap_or("Chart.yaml");
        self.path(rel)
    }

    pub(crate) fn templates(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(r, _)| r.starts_with("templates/"))
            .map(|(r, t)| (r.as_str(), t.as_str()))
    }

    fn file(&self, rel: &str) -> Option<&str> {
        self.files.iter().find(|(r, _)| r == rel).map(|(_, t)| t.as_str())
    }

    /// values.yaml (or values.yml): sorted first at load, so it is the first file when present.
    pub(crate) fn base_file(&self) -> Option<&ValuesFile> {
        self.values.first().filter(|v| v.rel.starts_with("values.y"))
    }

    /// values.yaml as data (None when it is missing or not valid YAML).
    pub(crate) fn base_values(&self) -> Option<&Val> {
        self.base_file()?.val.as_ref()
    }

    /// values.yaml with `overlay` layered over it.
    pub(crate) fn merged(&self, overlay: usize) -> Option<Val> {
        let mut base = self.base_values()?.clone();
        if overlay > 0 {
            schema::merge(&mut base, self.values.get(overlay)?.val.as_ref()?);
        }
        Some(base)
    }
}

/// `{{- define "name" -}}` occurrences: (line, name).
pub(crate) fn defines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // Only helper files define: the others are skipped with one search, not one per line.
    if !text.contains("define") {
        return out;
    }
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
pub(crate) fn strip_comment(l: &str) -> &str {
    // Most lines have no `#`: one memchr instead of the walk below.
    if !l.contains('#') {
        return l;
    }
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
pub(crate) fn keyed_lines<'a>(text: &'a str, key: &str) -> Vec<(usize, usize, &'a str, Option<&'a str>)> {
    if !text.contains(key) {
        return Vec::new();
    }
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
