//! TypeScript servers: the compiled file a `.ts` entry becomes, and the build step that makes
//! it, derived from the project as written: `tsconfig.json` (`compilerOptions.outDir` and
//! `rootDir`, read leniently: comments and trailing commas), `package.json` (`main`,
//! `scripts.build`, the `typescript` dependency) and the options of a `tsc` build script
//! (`-p`, `--outDir`, `--rootDir`). `src/index.ts` under rootDir `src` and outDir `dist` runs
//! as `dist/index.js`.

use crate::catalog::PackageManager;
use crate::diagnostics::{Code as DiagCode, Diagnostic, Diagnostics};
use crate::model::Origin;
use crate::model::deploy::{Compile, Valued};
use crate::parse::source::node::jsonc;
use crate::source::{Sources, Span};

use super::code::Code;

/// What the project says about compiling its TypeScript.
pub struct Project {
    /// How the image compiles the code; `None` when nothing says how (no build script, or no
    /// tsconfig.json and no `typescript` dependency), or the tsconfig does not parse.
    pub compile: Option<Compile>,
    /// `compilerOptions.outDir` (relative to the component folder), with where it was read.
    out_dir: Option<(String, Origin)>,
    /// The folder the sources' paths are kept relative to: `rootDir`, else the common folder
    /// of the input files (what tsc computes).
    root_dir: (String, Origin),
    /// The tsconfig read, as shown, and whether it parsed.
    pub tsconfig: Option<String>,
    pub tsconfig_broken: bool,
    /// package.json `main` and its line, when it names a file.
    pub main: Option<(String, Origin)>,
}

/// A TypeScript source file tsc compiles (not a declaration file).
pub fn is_ts(rel: &str) -> bool {
    (rel.ends_with(".ts") || rel.ends_with(".mts") || rel.ends_with(".cts")) && !rel.ends_with(".d.ts")
}

impl Project {
    /// The file tsc writes for `rel` (`src/index.ts` → `dist/index.js`); `None` when `rel` is
    /// not TypeScript or lies outside rootDir.
    pub fn output_of(&self, rel: &str) -> Option<String> {
        if !is_ts(rel) {
            return None;
        }
        let root = &self.root_dir.0;
        let inner = if root.is_empty() {
            rel
        } else {
            rel.strip_prefix(&format!("{root}/"))?
        };
        let js = if let Some(s) = inner.strip_suffix(".mts") {
            format!("{s}.mjs")
        } else if let Some(s) = inner.strip_suffix(".cts") {
            format!("{s}.cjs")
        } else {
            format!("{}.js", inner.strip_suffix(".ts")?)
        };
        let out = self.out_dir.as_ref().map(|(d, _)| d.as_str()).unwrap_or(root.as_str());
        Some(if out.is_empty() { js } else { format!("{out}/{js}") })
    }

    /// Where the mapping came from, for an entry's origin: `tsconfig.json:4 (outDir `dist`),
    /// rootDir `src` (tsconfig.json:5)`.
    pub fn mapping(&self) -> String {
        let root = if self.root_dir.0.is_empty() {
            "."
        } else {
            self.root_dir.0.as_str()
        };
        match &self.out_dir {
            Some((d, o)) => format!("outDir `{d}` ({}), rootDir `{root}` ({})", o.text, self.root_dir.1.text),
            None => format!(
                "no outDir: tsc writes beside the sources, rootDir `{root}` ({})",
                self.root_dir.1.text
            ),
        }
    }
}

/// The TypeScript project of a Node component; `None` when its code has no TypeScript.
pub fn project(
    code: &Code,
    sources: &Sources,
    pm: Option<&PackageManager>,
    diags: &mut Diagnostics,
) -> Option<Project> {
    if !code.files.iter().any(|f| is_ts(&f.rel)) {
        return None;
    }
    // package.json: the build script, `main`, the typescript dependency.
    let pkg = code.files.iter().find(|f| f.rel == "package.json");
    let pkg_text = pkg.map(|f| sources.get(f.id).text.as_str()).unwrap_or("");
    let pkg_json: serde_json::Value = serde_json::from_str(pkg_text).unwrap_or_default();
    let pkg_line = |needle: &str| -> Option<Origin> {
        let f = pkg?;
        let at = pkg_text.find(needle)?;
        Some(Origin::at(&f.shown, sources.get(f.id).line_of(at)))
    };
    let build = pkg_json["scripts"]["build"].as_str().map(str::to_string);
    let has_typescript = ["dependencies", "devDependencies"]
        .iter()
        .any(|k| pkg_json[k].get("typescript").is_some());
    let main = pkg_json["main"]
        .as_str()
        .map(|m| m.trim_start_matches("./").to_string())
        .and_then(|m| Some((m, pkg_line("\"main\"")?)));

    // The options of a `tsc` build script: `tsc -p tsconfig.build.json --outDir build`.
    let words: Vec<String> = build
        .as_deref()
        .map(|b| b.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let runs_tsc = words.iter().any(|w| w == "tsc" || w.ends_with("/tsc"));
    let flag = |names: &[&str]| -> Option<String> {
        if !runs_tsc {
            return None;
        }
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if names.contains(&w.as_str()) {
                return it
                    .next()
                    .map(|v| v.trim_start_matches("./").trim_end_matches('/').to_string());
            }
            for n in names {
                if let Some(v) = w.strip_prefix(&format!("{n}=")) {
                    return Some(v.trim_start_matches("./").trim_end_matches('/').to_string());
                }
            }
        }
        None
    };
    let tsconfig_rel = match flag(&["-p", "--project"]) {
        Some(p) if p.ends_with(".json") => p,
        Some(p) if p.is_empty() || p == "." => "tsconfig.json".to_string(),
        Some(p) => format!("{p}/tsconfig.json"),
        None => "tsconfig.json".to_string(),
    };

    // tsconfig.json, read leniently, then the configs it `extends` that sit in the folder
    // (NestJS's tsconfig.build.json extends tsconfig.json, which holds outDir): an option the
    // nearer file does not set comes from the base, its paths relative to the base's folder.
    let mut out_dir: Option<(String, Origin)> = None;
    let mut root_dir: Option<(String, Origin)> = None;
    let mut include: Option<Vec<String>> = None;
    let mut tsconfig = None;
    let mut broken = false;
    let mut next = Some(tsconfig_rel.clone());
    let mut seen: Vec<String> = Vec::new();
    while let Some(rel) = next.take() {
        if seen.contains(&rel) || seen.len() > 8 {
            break;
        }
        seen.push(rel.clone());
        let Some(f) = code.files.iter().find(|f| f.rel == rel) else {
            break;
        };
        let src = sources.get(f.id);
        tsconfig.get_or_insert_with(|| f.shown.clone());
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        match jsonc(&src.text) {
            Ok((v, clean)) => {
                let opt = |key: &str| -> Option<(String, Origin)> {
                    let value = v["compilerOptions"][key].as_str()?;
                    let at = clean.find(&format!("\"{key}\""))?;
                    Some((in_folder(dir, value)?, Origin::at(&f.shown, src.line_of(at))))
                };
                out_dir = out_dir.or_else(|| opt("outDir"));
                root_dir = root_dir.or_else(|| opt("rootDir"));
                include = include.or_else(|| {
                    v["include"].as_array().map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().and_then(|p| in_folder(dir, p)))
                            .collect()
                    })
                });
                // `extends` is a path or a list of them (TypeScript 5); a package's config
                // (`@tsconfig/node20/tsconfig.json`) sets no output folders and is not read.
                let bases: Vec<&str> = match &v["extends"] {
                    serde_json::Value::String(e) => vec![e.as_str()],
                    serde_json::Value::Array(a) => a.iter().filter_map(|e| e.as_str()).rev().collect(),
                    _ => Vec::new(),
                };
                let base = bases.into_iter().find(|e| e.starts_with('.')).map(|e| {
                    let e = if e.ends_with(".json") {
                        e.to_string()
                    } else {
                        format!("{e}.json")
                    };
                    (in_folder(dir, &e), e)
                });
                next = base.as_ref().and_then(|(rel, _)| rel.clone());
                if let Some((rel, written)) = &base
                    && rel.as_ref().is_none_or(|r| !code.files.iter().any(|f| &f.rel == r))
                    && (out_dir.is_none() || root_dir.is_none())
                {
                    let base = written;
                    let at = clean.find("\"extends\"").unwrap_or(0);
                    diags.push(
                        Diagnostic::new(
                            DiagCode::InvalidTsconfig,
                            format!(
                                "{} extends {base}, which sp does not read: an outDir or rootDir set there is not seen",
                                f.shown
                            ),
                        )
                        .at(Span::new(f.id, at..(at + "\"extends\"".len()).min(src.text.len())))
                        .label("base config not read")
                        .hint(format!(
                            "set `compilerOptions.outDir` (and `rootDir`) in {} itself, so sp knows where tsc writes the compiled server",
                            f.shown
                        )),
                    );
                }
            }
            Err((line, col, why)) => {
                broken = true;
                let offset = line_col_offset(&src.text, line, col);
                diags.push(
                    Diagnostic::new(
                        DiagCode::InvalidTsconfig,
                        format!("{} does not parse: {why}", f.shown),
                    )
                    .at(Span::new(f.id, offset..(offset + 1).min(src.text.len()).max(offset)))
                    .label(why)
                    .hint("fix the JSON (comments and trailing commas are fine); until then sp cannot tell where tsc writes the compiled server, so the image has no build step"),
                );
            }
        }
    }
    let include = include.unwrap_or_default();
    // A tsc build script's own options win over the file's.
    if let Some(d) = flag(&["--outDir"]) {
        out_dir = Some((
            d,
            pkg_line("\"build\"").unwrap_or_else(|| Origin::derived("the build script")),
        ));
    }
    if let Some(d) = flag(&["--rootDir"]) {
        root_dir = Some((
            d,
            pkg_line("\"build\"").unwrap_or_else(|| Origin::derived("the build script")),
        ));
    }
    let root_dir = root_dir.unwrap_or_else(|| {
        // tsc's default: the longest common folder of the input files (those `include` names).
        let prefixes: Vec<String> = include
            .iter()
            .map(|p| {
                let lit = p.split(['*', '?']).next().unwrap_or("");
                lit.trim_start_matches("./").to_string()
            })
            .collect();
        let inputs: Vec<&str> = code
            .files
            .iter()
            .map(|f| f.rel.as_str())
            .filter(|r| is_ts(r))
            .filter(|r| prefixes.is_empty() || prefixes.iter().any(|p| r.starts_with(p.as_str())))
            .filter(|r| {
                out_dir
                    .as_ref()
                    .is_none_or(|(d, _)| d.is_empty() || !r.starts_with(&format!("{d}/")))
            })
            .collect();
        let mut common: Option<Vec<&str>> = None;
        for r in &inputs {
            let dirs: Vec<&str> = r.split('/').collect();
            let dirs = &dirs[..dirs.len() - 1];
            common = Some(match common {
                None => dirs.to_vec(),
                Some(c) => c
                    .iter()
                    .zip(dirs)
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| *a)
                    .collect(),
            });
        }
        let dir = common.unwrap_or_default().join("/");
        (
            dir,
            Origin::derived("the common folder of the TypeScript sources (tsc's default rootDir)"),
        )
    });

    // How the image compiles: the package's build script, else tsc with the project file.
    let compile = if broken {
        None
    } else {
        let command = match (&build, pm.and_then(|p| p.build.clone())) {
            (Some(script), Some(run_build)) => Some(Valued::new(
                run_build,
                with_how(
                    pkg_line("\"build\"").unwrap_or_else(|| Origin::derived("package.json")),
                    &format!("scripts.build `{script}`"),
                ),
            )),
            _ if tsconfig.is_some() && has_typescript => Some(Valued::new(
                format!("npx tsc -p {tsconfig_rel}"),
                with_how(
                    pkg_line("\"typescript\"").unwrap_or_else(|| Origin::derived("package.json")),
                    &format!("no build script; typescript is a dependency and {tsconfig_rel} is the project"),
                ),
            )),
            _ => None,
        };
        command.map(|command| {
            let (output, separate) = match &out_dir {
                Some((d, o)) if !d.is_empty() => (
                    Valued::new(d.clone(), with_how(o.clone(), "compilerOptions.outDir")),
                    true,
                ),
                _ => (
                    Valued::new(
                        if root_dir.0.is_empty() {
                            ".".to_string()
                        } else {
                            root_dir.0.clone()
                        },
                        Origin::derived("no outDir: tsc writes the JavaScript beside the sources"),
                    ),
                    false,
                ),
            };
            Compile {
                command,
                output,
                separate,
            }
        })
    };
    Some(Project {
        compile,
        out_dir,
        root_dir,
        tsconfig,
        tsconfig_broken: broken,
        main,
    })
}

/// `value`, a path written in a config in folder `dir` (both relative to the component
/// folder), as a path relative to the component folder: `../src` in `config/` is `src`, `.`
/// is the folder itself (``). `None` for a path outside the component folder.
fn in_folder(dir: &str, value: &str) -> Option<String> {
    crate::source::join_relative(dir, value)
}

fn with_how(o: Origin, how: &str) -> Origin {
    Origin {
        text: format!("{} ({how})", o.text),
        kind: o.kind,
    }
}

/// The byte offset of a 1-based line and column (serde_json's error position).
fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + col.saturating_sub(1)).min(text.len())
}
