//! Folders a Node component's source imports that the repository does not hold.
//!
//! A Python project's `.gitignore` template ignores `lib/`; teams that keep one at the root of
//! a repository with a Next.js frontend lose the frontend's `src/lib/` from git, and the
//! image's `npm run build` stops on `Module not found: Can't resolve '@/lib/utils'`, after
//! `sp plan` said nothing. The imports through the path aliases of tsconfig.json (or
//! jsconfig.json) are resolved against the folders load listed ([`RepoDir::folders`]); a
//! folder they need that is not there is reported (SP441) with the first import that needs it.

use crate::diagnostics::{Code as DiagCode, Diagnostic, Diagnostics};
use crate::load::repo::{FOLDER_DEPTH, RepoDir};
use crate::source::{Sources, Span};

use super::code::Code;

/// `compilerOptions.paths` of the component's tsconfig.json or jsconfig.json as (alias
/// prefix, folder) pairs, relative to the component: `"@/*": ["./src/*"]` is `("@/", "src")`.
/// Only `prefix/*` patterns whose first target is `folder/*`.
fn aliases(code: &Code, sources: &Sources) -> Vec<(String, String)> {
    let Some(f) = code
        .files
        .iter()
        .find(|f| f.rel == "tsconfig.json")
        .or_else(|| code.files.iter().find(|f| f.rel == "jsconfig.json"))
    else {
        return Vec::new();
    };
    let Ok((v, _)) = crate::parse::source::node::jsonc(&sources.get(f.id).text) else {
        return Vec::new();
    };
    let options = &v["compilerOptions"];
    let base = options["baseUrl"].as_str().unwrap_or(".");
    let Some(paths) = options["paths"].as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (pattern, targets) in paths {
        let (Some(prefix), Some(target)) = (
            pattern.strip_suffix('*'),
            targets
                .get(0)
                .and_then(|t| t.as_str())
                .and_then(|t| t.strip_suffix('*')),
        ) else {
            continue;
        };
        if prefix.is_empty() {
            continue;
        }
        out.push((prefix.to_string(), normalise(&format!("{base}/{target}"))));
    }
    out
}

/// A relative path without `.` segments or slashes at its ends, `..` applied where it can be
/// (`./src/` → `src`, `.` → ``, `./src/../lib` → `lib`; `../site` stays).
fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in path.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if s == ".." && out.last().is_some_and(|l| *l != "..") {
            out.pop();
        } else {
            out.push(s);
        }
    }
    out.join("/")
}

/// Whether a path relative to the component leaves it (`../site`).
fn outside(path: &str) -> bool {
    path == ".." || path.starts_with("../")
}

/// The module specifiers a JavaScript or TypeScript file imports, with their byte offsets:
/// `import x from "m"`, `export … from "m"`, `import "m"`, `import("m")`, `require("m")`.
fn specifiers(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for needle in ["from ", "import ", "import(", "require("] {
        let mut at = 0;
        while let Some(i) = text[at..].find(needle) {
            let start = at + i + needle.len();
            at = start;
            let rest = text[start..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else {
                continue;
            };
            let inner = &rest[1..];
            if let Some(end) = inner.find(quote) {
                let spec = &inner[..end];
                if !spec.contains('\n') {
                    out.push((text.len() - inner.len(), spec));
                }
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// A folder the source imports that is not there: the first import that needs it, and how
/// many do.
struct Missing {
    folder: String,
    span: Span,
    spec: String,
    count: usize,
}

/// SP441 for each folder the component's source imports through a path alias that the
/// repository does not hold.
pub fn missing_folders(name: &str, code: &Code, dir: &RepoDir, sources: &Sources, diags: &mut Diagnostics) {
    let aliases = aliases(code, sources);
    if aliases.is_empty() {
        return;
    }
    let mut missing: Vec<Missing> = Vec::new();
    // Aliases out of the component already reported.
    let mut outside_seen: Vec<&str> = Vec::new();
    for f in &code.files {
        if !["ts", "tsx", "js", "jsx", "mjs", "cjs"]
            .iter()
            .any(|x| f.rel.ends_with(&format!(".{x}")))
        {
            continue;
        }
        let text = &sources.get(f.id).text;
        for (at, spec) in specifiers(text) {
            let Some((prefix, folder)) = aliases.iter().find(|(p, _)| spec.starts_with(p.as_str())) else {
                continue;
            };
            let span = Span::new(f.id, at..at + spec.len());
            if outside(folder) {
                if !outside_seen.contains(&prefix.as_str()) {
                    outside_seen.push(prefix);
                    diags.push(
                        Diagnostic::new(
                            DiagCode::ImportOutsideContext,
                            format!(
                                "component `{name}`: `{spec}` resolves through the alias `{prefix}*` to {}/, outside {}/, the build context of its image: the image's build stops on `Module not found`",
                                normalise(&format!("{}/{folder}", dir.path)),
                                dir.path
                            ),
                        )
                        .at(span)
                        .label(format!("outside {}/", dir.path))
                        .hint(format!(
                            "sp builds each image from its component's folder: move the shared code into {}/, or make it a package {}/package.json depends on",
                            dir.path, dir.path
                        )),
                    );
                }
                continue;
            }
            let module = normalise(&format!("{folder}/{}", &spec[prefix.len()..]));
            let Some((parent, _)) = module.rsplit_once('/') else {
                continue;
            };
            // The shallowest folder on the way to the module that is not there, as deep as
            // load listed (`src/lib` for `src/lib/auth/client`).
            let parts: Vec<&str> = parent.split('/').take(FOLDER_DEPTH).collect();
            let Some(absent) = (1..=parts.len())
                .map(|n| parts[..n].join("/"))
                .find(|p| !dir.folders.contains(p))
            else {
                continue;
            };
            match missing.iter_mut().find(|m| m.folder == absent) {
                Some(m) => m.count += 1,
                None => missing.push(Missing {
                    folder: absent,
                    span,
                    spec: spec.to_string(),
                    count: 1,
                }),
            }
        }
    }
    for Missing {
        folder,
        span,
        spec,
        count,
    } in missing
    {
        let shown = dir.path_of(&folder);
        let others = match count {
            1 => String::new(),
            2 => " (and 1 more import)".to_string(),
            n => format!(" (and {} more imports)", n - 1),
        };
        diags.push(
            Diagnostic::new(
                DiagCode::ImportedFolderMissing,
                format!(
                    "component `{name}`: `{spec}`{others} needs {shown}/, which is not in the repository: the image's build stops on `Module not found`"
                ),
            )
            .at(span)
            .label(format!("resolves into {shown}/"))
            .hint(format!(
                "commit {shown}/; if a `.gitignore` rule leaves it out (Python's template ignores `lib/`), narrow that rule to the folder it meant (`/lib/`) and add {shown}/ to git"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_of_every_import_form() {
        let text = "import { cn } from \"@/lib/utils\";\nimport './styles.css'\nconst m = await import('@/lib/lazy');\nconst x = require(\"@/lib/cjs\");\nexport * from '@/lib/all';\n// from here\n";
        let specs: Vec<&str> = specifiers(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            specs,
            ["@/lib/utils", "./styles.css", "@/lib/lazy", "@/lib/cjs", "@/lib/all"]
        );
        let (at, spec) = specifiers(text)[0];
        assert_eq!(&text[at..at + spec.len()], "@/lib/utils");
    }

    #[test]
    fn alias_targets_are_folders_of_the_component() {
        assert_eq!(normalise("./src/"), "src");
        assert_eq!(normalise("./"), "");
        assert_eq!(normalise("./src/./lib"), "src/lib");
        assert_eq!(normalise("./src/../lib"), "lib");
        assert_eq!(normalise("./../site/"), "../site");
        assert!(outside("../site") && !outside("src"));
    }
}
