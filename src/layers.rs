//! The pipeline's shape, checked on the source: every `crate::…` and `super::…` path in
//! `src/` is an edge between modules. A module may use those of its rank and below, never
//! one above (no exceptions); the top-level modules form no cycle; and the submodules of one
//! module form no cycle (a cycle is two owners of one thing, as the helm commands once were
//! between `render::ops`, `render::contracts` and `render::helm`).
//!
//! The ranks follow the imports, which follow the pipeline except in one place: render runs
//! twice, and its second run (the documents) prints the gates' report, so `render` ranks
//! above `gates`; the gates judge the deployables as text and import nothing of `render`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its rank: a module may use those of a lower or equal rank.
/// Rank 0 are the shared leaves every stage uses (the stack catalog is data every stage
/// reads, from load's detection to render's Dockerfiles; `wrap`, the line wrapping of
/// comments and commands, imports nothing of sp and serves `yaml` and `render`). Every
/// top-level module is listed: [`every_top_level_module_is_ranked`] fails otherwise.
const RANKS: &[(&str, u8)] = &[
    ("source", 0),
    ("error", 0),
    ("wrap", 0),
    ("yaml", 0),
    ("parallel", 0),
    ("quantity", 0),
    ("diagnostics", 0),
    ("catalog", 0),
    ("load", 1),
    ("parse", 2),
    ("model", 3),
    ("resolve", 3),
    ("gates", 4),
    ("render", 5),
    ("emit", 6),
    ("review", 7),
    ("cli", 8),
];

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

/// The code of a file without comments (so doc links are not uses) and without the items
/// compiled only for tests (`#[cfg(test)]` and the item after it: up to its `;`, or its
/// braces).
fn code(text: &str) -> String {
    let text: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let end = match (item.find(';'), item.find('{')) {
            (Some(semi), Some(open)) if semi < open => semi + 1,
            (_, Some(open)) => {
                let mut depth = 0usize;
                let mut close = item.len();
                for (i, c) in item[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                close = open + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                close
            }
            (Some(semi), None) => semi + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
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
        // Unit tests in files of their own (`mod tests;` under `#[cfg(test)]`), and this file.
        if rel.file_stem().is_some_and(|s| s == "tests" || s == "layers") {
            continue;
        }
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

/// The top-level modules of the crate as `src/lib.rs` declares them (`mod x;`, whatever its
/// visibility), test-only ones aside: this file is the one.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    code(lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l
                .strip_prefix("pub(crate) ")
                .or_else(|| l.strip_prefix("pub "))
                .unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';').map(|m| m.trim().to_string())
        })
        .collect()
}

/// The modules the files and folders directly under `src/` are (the crate roots `lib.rs`
/// and `main.rs`, and this test, aside).
fn module_files(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .expect("src is readable")
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            let name = p.file_name()?.to_string_lossy().into_owned();
            if p.is_dir() {
                p.join("mod.rs").is_file().then_some(name)
            } else {
                name.strip_suffix(".rs").map(str::to_string)
            }
        })
        .filter(|m| !["lib", "main", "layers"].contains(&m.as_str()))
        .collect()
}

/// A module without a rank would escape every check below (an unranked module's uses are
/// not compared), so each one the crate declares, and each one `src/` holds, has a rank,
/// and every rank names a module.
#[test]
fn every_top_level_module_is_ranked() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let ranked: BTreeSet<String> = RANKS.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(ranked.len(), RANKS.len(), "a module ranked twice");
    let declared = declared_modules(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    assert_eq!(
        declared, ranked,
        "the modules src/lib.rs declares (left) and those ranked in RANKS (right)"
    );
    assert_eq!(
        module_files(&src),
        ranked,
        "the modules under src/ (left) and those ranked in RANKS (right)"
    );
}

#[test]
fn no_stage_uses_a_later_one() {
    let rank: BTreeMap<&str, u8> = RANKS.iter().copied().collect();
    let mut wrong = BTreeSet::new();
    for ((from, _), (to, _)) in edges() {
        let (Some(a), Some(b)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
            continue;
        };
        if b > a {
            wrong.insert(format!("{from} uses {to}, a later stage"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_submodules_of_a_module_form_no_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges() {
        // Within one top-level module, between two of its submodules.
        if from.0 == to.0 && !from.1.is_empty() && !to.1.is_empty() && from.1 != to.1 {
            graph
                .entry(format!("{}::{}", from.0, from.1))
                .or_default()
                .insert(format!("{}::{}", to.0, to.1));
        }
    }
    assert!(cycles(&graph).is_empty(), "import cycles: {:#?}", cycles(&graph));
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((from, _), (to, _)) in edges() {
        if !from.is_empty() && from != to && RANKS.iter().any(|(m, _)| *m == to) {
            graph.entry(from).or_default().insert(to);
        }
    }
    assert!(cycles(&graph).is_empty(), "import cycles: {:#?}", cycles(&graph));
}

/// Every cycle through each node of `graph`, as `a → b → a`.
fn cycles<N: Ord + Clone + std::fmt::Display>(graph: &BTreeMap<N, BTreeSet<N>>) -> Vec<String> {
    let mut out = Vec::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = path.iter().chain([start]).map(ToString::to_string).collect();
                    out.push(names.join(" → "));
                } else if graph.contains_key(next) && seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    out
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
    assert_eq!(
        code("use a::b;\n#[cfg(test)]\nmod tests;\nuse c::d;\n#[cfg(test)]\nmod t {\n fn f() { g() }\n}\nuse e::f;"),
        "use a::b;\n\nuse c::d;\n\nuse e::f;"
    );
    assert_eq!(
        declared_modules("pub mod a;\nmod b;\npub(crate) mod c;\n#[cfg(test)]\nmod t;\nmod d {\n}\nuse e;"),
        ["a", "b", "c"].map(String::from).into()
    );
    let mut g: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    g.entry("a").or_default().insert("b");
    g.entry("b").or_default().insert("a");
    assert_eq!(cycles(&g), vec!["a → b → a", "b → a → b"]);
}
