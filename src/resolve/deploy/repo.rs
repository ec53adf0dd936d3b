//! What a component's folder says about it: stack variant, language version, package
//! manager, configuration keys and health routes.

use crate::catalog::Stack;
use crate::load::repo::RepoDir;
use crate::model::Origin;
use crate::model::deploy::Valued;
use crate::source::Sources;

use super::prose::is_secret_name;

pub struct Detected {
    pub stack_hint: Option<Valued<String>>,
    pub language_version: Option<Valued<String>>,
    pub package_manager: Option<Valued<String>>,
    /// `.env.example` keys: (name, example value, is secret).
    pub env: Vec<(String, String, bool, Origin)>,
    pub health: Option<Valued<String>>,
    pub readiness: Option<Valued<String>>,
}

fn file<'a>(dir: &RepoDir, sources: &'a Sources, name: &str) -> Option<(&'a str, String)> {
    dir.files.get(name).map(|id| {
        let f = sources.get(*id);
        (f.text.as_str(), f.display_path())
    })
}

/// Line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map(|i| text[..i].matches('\n').count() + 1)
        .unwrap_or(1)
}

/// Reads a language version out of one file's text.
type VersionReader = fn(&str) -> Option<String>;

pub fn detect(dir: &RepoDir, sources: &Sources, stack: Option<&Stack>) -> Detected {
    let mut d = Detected {
        stack_hint: None,
        language_version: None,
        package_manager: None,
        env: Vec::new(),
        health: None,
        readiness: None,
    };

    // Next.js output mode decides between the standalone server and a static export.
    for name in ["next.config.ts", "next.config.mjs", "next.config.js"] {
        if let Some((text, path)) = file(dir, sources, name) {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let id = if compact.contains("output:'export'") || compact.contains("output:\"export\"") {
                "nextjs-static"
            } else {
                "nextjs-standalone"
            };
            d.stack_hint = Some(Valued::new(id.into(), Origin::at(&path, line_of(text, "output"))));
            break;
        }
    }
    if d.stack_hint.is_none() {
        for name in ["vite.config.ts", "vite.config.js", "vite.config.mjs"] {
            if let Some((_, path)) = file(dir, sources, name) {
                d.stack_hint = Some(Valued::new("vite-spa".into(), Origin::at(&path, 1)));
                break;
            }
        }
    }

    // Package manager: the lock file is the truth.
    let lock = |f: &str, pm: &str| {
        dir.present
            .iter()
            .any(|p| p == f)
            .then(|| (pm.to_string(), format!("{}/{f}", dir.path)))
    };
    let pm = lock("pnpm-lock.yaml", "pnpm")
        .or_else(|| lock("yarn.lock", "yarn"))
        .or_else(|| lock("package-lock.json", "npm"))
        .or_else(|| lock("uv.lock", "uv"))
        .or_else(|| file(dir, sources, "requirements.txt").map(|(_, p)| ("pip".to_string(), p)))
        .or_else(|| file(dir, sources, "go.mod").map(|(_, p)| ("go".to_string(), p)));
    if let Some((pm, path)) = pm
        && stack.is_none_or(|s| s.package_managers.contains(&pm))
    {
        d.package_manager = Some(Valued::new(pm, Origin::at(&path, 1)));
    }

    // Language version.
    let version_files: [(&str, VersionReader); 6] = [
        (".python-version", |t| {
            t.lines().next().map(|l| l.trim().to_string()).filter(|v| !v.is_empty())
        }),
        // A requirement (`>=3.11`, `>=3.11,<3.13`) is kept as written: resolution picks the
        // newest catalog version it allows (`version.rs`).
        ("pyproject.toml", |t| {
            let line = t.lines().find(|l| l.trim_start().starts_with("requires-python"))?;
            let (_, v) = line.split_once('=')?;
            let v = v.trim().trim_matches(['"', '\'']).trim();
            (!v.is_empty()).then(|| v.to_string())
        }),
        (".nvmrc", |t| {
            t.lines()
                .next()
                .map(|l| l.trim().trim_start_matches('v').to_string())
                .filter(|v| !v.is_empty())
        }),
        (".node-version", |t| {
            t.lines()
                .next()
                .map(|l| l.trim().trim_start_matches('v').to_string())
                .filter(|v| !v.is_empty())
        }),
        ("package.json", |t| {
            let v: serde_json::Value = serde_json::from_str(t).ok()?;
            let node = v.get("engines")?.get("node")?.as_str()?.trim();
            (!node.is_empty()).then(|| node.to_string())
        }),
        ("go.mod", |t| {
            let line = t.lines().find(|l| l.starts_with("go "))?;
            let v: Vec<&str> = line[3..].trim().split('.').collect();
            Some(v.iter().take(2).copied().collect::<Vec<_>>().join("."))
        }),
    ];
    for (name, parse) in version_files {
        if let Some((text, path)) = file(dir, sources, name)
            && let Some(v) = parse(text)
        {
            let needle = match name {
                "pyproject.toml" => "requires-python".to_string(),
                "package.json" => "\"node\"".to_string(),
                "go.mod" => "go ".to_string(),
                _ => v.split('.').next().unwrap_or("").to_string(),
            };
            d.language_version = Some(Valued::new(v, Origin::at(&path, line_of(text, &needle))));
            break;
        }
    }

    // Configuration keys from .env.example.
    if let Some((text, path)) = file(dir, sources, ".env.example") {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            if let Some((k, v)) = line.split_once('=') {
                let k = k.trim();
                if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !k.is_empty() {
                    let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
                    d.env
                        .push((k.to_string(), v, is_secret_name(k), Origin::at(&path, i + 1)));
                }
            }
        }
    }

    // Health routes declared in the source.
    for id in &dir.sources {
        let f = sources.get(*id);
        // Next.js route handlers take their path from the folder (`app/api/health/route.ts`).
        if f.display_path().contains("health/route.")
            && let Some(route) = next_route(&f.display_path(), &dir.path)
        {
            d.health
                .get_or_insert(Valued::new(route, Origin::at(&f.display_path(), 1)));
            continue;
        }
        for (needle, ready) in [
            ("\"/healthz\"", false),
            ("'/healthz'", false),
            ("\"/health\"", false),
            ("'/health'", false),
            ("\"/readyz\"", true),
            ("'/readyz'", true),
            ("\"/ready\"", true),
        ] {
            if let Some(i) = f.text.find(needle) {
                let path = needle.trim_matches(['"', '\'']).to_string();
                let v = Valued::new(path, Origin::at(&f.display_path(), f.line_of(i)));
                if ready {
                    d.readiness.get_or_insert(v);
                } else {
                    d.health.get_or_insert(v);
                }
            }
        }
    }
    d
}

/// The URL path of a Next.js App Router handler: `web/app/api/health/route.ts` → `/api/health`
/// (route groups in parentheses do not appear in the URL).
fn next_route(file: &str, dir: &str) -> Option<String> {
    let rel = if dir == "." {
        file
    } else {
        file.strip_prefix(dir)?.trim_start_matches('/')
    };
    let rel = rel.strip_prefix("src/").unwrap_or(rel);
    let inner = rel.strip_prefix("app/")?;
    let (folder, name) = inner.rsplit_once('/')?;
    if !name.starts_with("route.") {
        return None;
    }
    let path: Vec<&str> = folder
        .split('/')
        .filter(|seg| !(seg.starts_with('(') && seg.ends_with(')')))
        .collect();
    Some(format!("/{}", path.join("/")))
}

#[cfg(test)]
mod tests {
    use super::next_route;

    #[test]
    fn next_route_paths() {
        assert_eq!(
            next_route("web/app/api/health/route.ts", "web").as_deref(),
            Some("/api/health")
        );
        assert_eq!(
            next_route("web/src/app/(ops)/healthz/route.js", "web").as_deref(),
            Some("/healthz")
        );
        assert_eq!(next_route("web/lib/health.ts", "web"), None);
    }
}
