//! The pipeline's shape, checked on the source: every `crate::…` and `super::…` path in
//! `src/` is an edge between modules. A stage may use the stages before it (and the shared
//! modules), never one after it, and the submodules of a stage form no cycle (a cycle is
//! two owners of one thing, as the helm commands once were between `render::ops`,
//! `render::contracts` and `render::helm`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its place in the pipeline: a module may use those of a lower
/// or equal rank. Rank 0 are the shared leaves every stage uses.
const RANKS: &[(&str, u8)] = &[
    ("source", 0),
    ("error", 0),
    ("yaml", 0),
    ("parallel", 0),
    ("diagnostics", 0),
    ("catalog", 0),
    ("load", 1),
    ("parse", 2),
    ("model", 3),
    ("resolve", 3),
    ("render", 4),
    ("gates", 5),
    ("emit", 6),
];

/// The uses of a later stage the pipeline's shape allows, each for a reason.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "load",
        "parse",
        "load keeps only the repository files that declare models or routes, asking parse's quick detectors",
    ),
    (
        "render",
        "gates",
        "render runs twice: the documents come after the gates and report their verdict",
    ),
    (
        "resolve",
        "gates",
        "known debt: the traceability matrix (`resolve::matrix`) reads the gate catalog",
    ),
    (
        "render",
        "emit",
        "`sp init`'s agent command files are rendered as the workspace files emit writes",
    ),
];

/// Cycles between submodules that are known debt, each named by its two modules.
const KNOWN_CYCLES: &[(&str, &str)] = &[("gates::artifacts", "gates::catalog")];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `(top, sub)` of a file: `src/render/helm/values.rs` → (`render`, `helm`);
/// `src/render/mod.rs` → (`render`, ``); `src/lib.rs` → (``, ``).
fn module_of(rel: &Path) -> (String, String) {
    let parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    match parts.as_slice() {
        [one] if one == "lib" || one == "main" => (String::new(), String::new()),
        [one] => (one.clone(), String::new()),
        [top, m] if m == "mod" => (top.clone(), String::new()),
        [top, sub, ..] => (top.clone(), sub.clone()),
        _ => (String::new(), String::new()),
    }
}

/// The code of a file without comments (so doc links are not uses) and without its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `word::word` paths after each occurrence of `prefix` in `text`.
fn paths_after<'a>(text: &'a str, prefix: &str) -> Vec<(&'a str, &'a str)> {
    let ident = |s: &'a str| {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    };
    text.match_indices(prefix)
        .filter(|(i, _)| !text[..*i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let first = ident(rest);
            let second = rest[first.len()..].strip_prefix("::").map_or("", ident);
            (first, second)
        })
        .collect()
}

/// Every edge `(from top, from sub) → (to top, to sub)` between modules of `src/`.
fn edges() -> BTreeSet<((String, String), (String, String))> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("under src");
        let from = module_of(rel);
        let text = code(&std::fs::read_to_string(&f).expect("readable"));
        for (top, sub) in paths_after(&text, "crate::") {
            out.insert((from.clone(), (top.to_string(), sub.to_string())));
        }
        // `super::x` in a file directly under a stage folder names a sibling.
        if rel.components().count() == 2 && !from.1.is_empty() {
            for (sub, _) in paths_after(&text, "super::") {
                out.insert((from.clone(), (from.0.clone(), sub.to_string())));
            }
        }
    }
    out
}

#[test]
fn no_stage_uses_a_later_one() {
    let rank: BTreeMap<&str, u8> = RANKS.iter().copied().collect();
    let mut wrong = BTreeSet::new();
    for ((from, _), (to, _)) in edges() {
        let (Some(a), Some(b)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
            continue;
        };
        if b > a && !ALLOWED.iter().any(|(f, t, _)| *f == from && *t == to) {
            wrong.insert(format!("{from} uses {to}, a later stage"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_submodules_of_a_stage_form_no_cycle() {
    let mut graph: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, to) in edges() {
        // Within one top-level module, between two of its submodules.
        if from.0 == to.0 && !from.1.is_empty() && !to.1.is_empty() && from.1 != to.1 {
            graph.entry(from).or_default().insert(to);
        }
    }
    let known: BTreeSet<&(String, String)> = graph.keys().collect();
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                let name = |(t, s): &(String, String)| format!("{t}::{s}");
                let known_debt = KNOWN_CYCLES.iter().any(|(a, b)| {
                    [name(&node), name(next)].contains(&a.to_string())
                        && [name(&node), name(next)].contains(&b.to_string())
                });
                if known_debt {
                    continue;
                }
                if next == start {
                    let names: Vec<String> = path.iter().chain([start]).map(|(t, s)| format!("{t}::{s}")).collect();
                    cycles.push(names.join(" → "));
                } else if known.contains(next) && seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn the_checker_sees_uses() {
    assert_eq!(
        paths_after("use crate::render::helm::x; a::crate::no; super::ops", "crate::"),
        vec![("render", "helm")]
    );
    assert_eq!(
        module_of(Path::new("render/helm/values.rs")),
        ("render".into(), "helm".into())
    );
    let e = edges();
    assert!(e.contains(&(("render".into(), "ops".into()), ("render".into(), "helm".into()))));
}
