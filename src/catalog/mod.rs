//! The catalog: what `sp` knows about each language and each kind of component, as data.
//!
//! `stacks.yaml` beside this file lists the languages (which files detection reads, lock
//! files → package manager, version files, install, prune and health check recipes, the
//! manifest dependencies that name a framework) and the stacks built with them (Next.js,
//! FastAPI, Go…): the words that name a stack in a plan input, its versions with pinned base
//! images, its port, health endpoints, run mode, the folders it writes to, its runtime command
//! and its recipe, the Dockerfile template `docker/<recipe>.Dockerfile.jinja` in this folder.
//! Adding a language or a stack means adding entries there and at most one template; the
//! loader, the resolver and the renderer read the data.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Frontend,
    Backend,
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// A long-running HTTP server of the language runtime.
    Server,
    /// Static files served by an unprivileged nginx.
    Static,
    /// A background process with no port.
    Worker,
}

const STACKS: &str = include_str!("stacks.yaml");
/// [`STACKS`] as JSON, written by `build.rs`: what the binary parses, twenty times faster than
/// the YAML (`catalog_json_is_the_yaml` holds the two to one catalog).
const STACKS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/stacks.json"));

/// Files read (when present) in every component folder, whatever its language: the
/// configuration keys it documents and the team's own way of running it (a language's
/// `dockerfile-from` version entry reads its Dockerfile). The language files (manifests,
/// version files, framework configs, lock files) come from each language's entry.
pub const EVERY_FOLDER_READS: &[&str] = &[".env.example", ".env.sample", "Dockerfile", "Procfile"];

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Dockerfile.<variant>`,
/// `<name>.Dockerfile` (not BuildKit's per-Dockerfile `Dockerfile.dockerignore`). The one
/// test: load reads these files as the team's images and parse reads their instructions.
pub fn is_dockerfile_name(name: &str) -> bool {
    (name == "Dockerfile"
        || (name.starts_with("Dockerfile.") && name.len() > "Dockerfile.".len())
        || (name.ends_with(".Dockerfile") && name.len() > ".Dockerfile".len()))
        && !name.ends_with(".dockerignore")
}

/// The text of the built-in catalog, for `sp --version`'s fingerprint.
pub fn builtin_source() -> &'static str {
    STACKS
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stack {
    /// Stable identifier, also the Dockerfile template name ((its Dockerfile template is its `recipe`)).
    pub id: String,
    pub name: String,
    /// Words that select this stack in a stack line (`Backend: FastAPI, …`), lower case.
    /// The first stack with a matching word wins, so more specific stacks come first.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub language: String,
    /// The Dockerfile template family (`docker/<recipe>.Dockerfile.jinja`).
    pub recipe: String,
    /// Values the recipe's template reads as `args.<name>`: what differs between the stacks
    /// of one family (the folder a static build writes, a note in the header).
    #[serde(default)]
    pub recipe_args: BTreeMap<String, String>,
    pub role: Role,
    pub run_mode: RunMode,
    /// Package managers the stack supports; the first is the default.
    pub package_managers: Vec<String>,
    /// Language versions with their pinned base images, by Dockerfile stage. The first
    /// listed version is the default.
    pub versions: Vec<Version>,
    /// Images every version shares (nginx for static sites, the uv binary…), by stage.
    #[serde(default)]
    pub images: BTreeMap<String, String>,
    pub port: Option<u16>,
    pub health: Option<HealthPaths>,
    #[serde(default)]
    pub writable_dirs: Vec<String>,
    /// The runtime command, JSON form.
    pub command: Vec<String>,
    #[serde(default)]
    pub slow_start: bool,
    pub resources: ResourceDefaults,
    /// Patterns for the `.dockerignore` beside the Dockerfile, on top of the common ones.
    #[serde(default)]
    pub dockerignore: Vec<String>,
    /// The files in a component folder that make it this stack rather than another of its
    /// language (`next.config.*`), tried in stack order; any one rule is enough.
    #[serde(default)]
    pub detect: Vec<Detect>,
    /// Development dependencies the runtime stage copies beside the production ones, when the
    /// component folder has `file` and its manifest lists the package.
    #[serde(default)]
    pub runtime_packages: Vec<RuntimePackage>,
}

/// A development dependency the running process needs: `next start` transpiles
/// `next.config.ts` with the `typescript` package.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimePackage {
    pub file: String,
    pub package: String,
    /// Files whose presence makes `file` unread (`next.config.js` before `next.config.ts`).
    #[serde(default)]
    pub unless: Vec<String>,
}

/// How a component folder shows a stack variant: the first of `files` present, and when
/// `contains` is given, one of those texts in it (whitespace ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    pub files: Vec<String>,
    #[serde(default)]
    pub contains: Vec<String>,
    /// The word whose line is the evidence (`output`); line 1 without it.
    pub line_of: Option<String>,
}

/// A language: what detection reads for it, and the recipes its stacks share.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub id: String,
    /// Words naming the language in a stack line; the word after one is a version (`Node 24`).
    pub names: Vec<String>,
    /// Further words naming the language without a version (`TypeScript`).
    #[serde(default)]
    pub words: Vec<String>,
    /// Files that make a folder a component of this language.
    pub manifests: Vec<String>,
    /// Those that make the workspace root itself one.
    #[serde(default)]
    pub root_manifests: Vec<String>,
    /// Further files read when present (versions, framework configs, lock files compared with
    /// their manifest).
    #[serde(default)]
    pub read: Vec<String>,
    /// Files only checked for (lock files).
    #[serde(default)]
    pub presence: Vec<String>,
    /// Extensions of the source files scanned for facts.
    pub source_extensions: Vec<String>,
    /// Where the language version is written, tried in order.
    #[serde(default)]
    pub version_files: Vec<VersionFile>,
    /// Package managers, detected in order by the first of their `detect` files present.
    pub package_managers: Vec<PackageManager>,
    /// How a manifest declares dependencies.
    pub dependencies: DependencyFormat,
    /// Manifest dependencies that name a framework, tried in order.
    #[serde(default)]
    pub frameworks: Vec<Framework>,
    /// What a manifest naming none of them is; without it, such a folder is no component.
    pub otherwise: Option<Classification>,
    /// Paths the final image deletes (package managers nothing there uses).
    #[serde(default)]
    pub prune: Vec<String>,
    /// The health check of a server, exec form, `{url}` replaced by its liveness URL; empty
    /// means busybox `wget` in the runtime image.
    #[serde(default)]
    pub healthcheck: Vec<String>,
    /// The build produces one binary, the first word of the command.
    #[serde(default)]
    pub binary: bool,
    /// The base images research.md records as rejected for this language, and why.
    pub rejected_images: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionFile {
    pub file: String,
    pub read: VersionReader,
    /// For `dockerfile-from`: the official image whose tag is the language version
    /// (`python`, `node`, `golang`, `rust`).
    #[serde(default)]
    pub image: Option<String>,
}

impl VersionFile {
    /// The version `text` states, if it states one.
    pub fn version_in(&self, text: &str) -> Option<String> {
        match (self.read, &self.image) {
            (VersionReader::DockerfileFrom, Some(image)) => dockerfile_from(text, image).map(|(v, _)| v),
            (VersionReader::DockerfileFrom, None) => None,
            (reader, _) => reader.read(text),
        }
    }

    /// The text whose line is the evidence for version `v`.
    pub fn needle(&self, text: &str, v: &str) -> String {
        match (self.read, &self.image) {
            (VersionReader::DockerfileFrom, Some(image)) => {
                dockerfile_from(text, image).map_or_else(|| v.to_string(), |(_, image_ref)| image_ref)
            }
            (reader, _) => reader.needle(v),
        }
    }
}

/// The version a Dockerfile's first `FROM <image>:<tag>` of the official `image` states
/// (`python:3.11-slim` → `3.11`, `docker.io/library/node:20-alpine` → `20`), with the image
/// reference as written. A tag built from an `ARG` (`python:${PYTHON_VERSION}-slim`) takes
/// the argument's default. A tag that is no version (`latest`, `alpine`) states none.
fn dockerfile_from(text: &str, image: &str) -> Option<(String, String)> {
    let mut args: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        if word.eq_ignore_ascii_case("ARG") {
            if let Some((k, v)) = rest.trim().split_once('=') {
                args.push((k.trim().to_string(), v.trim().trim_matches(['"', '\'']).to_string()));
            }
            continue;
        }
        if !word.eq_ignore_ascii_case("FROM") {
            continue;
        }
        let Some(reference) = rest.split_whitespace().find(|w| !w.starts_with("--")) else {
            continue;
        };
        let reference = reference.split('@').next().unwrap_or(reference);
        let Some((name, tag)) = reference.rsplit_once(':') else {
            continue;
        };
        if name.rsplit('/').next() != Some(image) {
            continue;
        }
        // `${PYTHON_VERSION}-slim` and `$NODE_VERSION`: the ARG default, then the rest.
        let tag = match tag.strip_prefix('$') {
            Some(var) => {
                let (key, rest) = match var.strip_prefix('{') {
                    Some(braced) => braced.split_once('}')?,
                    None => {
                        let end = var
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(var.len());
                        (&var[..end], &var[end..])
                    }
                };
                let value = args.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())?;
                format!("{value}{rest}")
            }
            None => tag.to_string(),
        };
        let version: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let version = version.trim_end_matches('.');
        if !version.is_empty() {
            return Some((version.to_string(), reference.to_string()));
        }
    }
    None
}

/// How a version is read out of a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionReader {
    /// The first line (`.python-version`, `.nvmrc`), without a leading `v`.
    FirstLine,
    /// `requires-python = ">=3.12"` in pyproject.toml, the requirement as written.
    RequiresPython,
    /// `engines.node` in package.json, the range as written.
    PackageEnginesNode,
    /// The `go 1.25.0` directive of go.mod, major and minor.
    GoDirective,
    /// `channel = "1.91"` in rust-toolchain.toml, or the first line of rust-toolchain.
    RustToolchain,
    /// The tag of a Dockerfile's `FROM` of the entry's `image` (`FROM python:3.11-slim`):
    /// what the team's own image runs, for a folder that pins the version nowhere else.
    DockerfileFrom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyFormat {
    /// `dependencies` / `devDependencies` keys of package.json.
    PackageJson,
    /// The dependency's name as a word of the manifest (requirements.txt, pyproject.toml,
    /// Cargo.toml).
    Words,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub dependency: String,
    pub role: Role,
    /// Words the stack is then picked by.
    pub words: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    pub role: Role,
    pub words: String,
    /// How the evidence reads (`a Go module`).
    pub what: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageManager {
    pub id: String,
    /// Files whose presence selects it, in order.
    pub detect: Vec<String>,
    /// The lock files its install follows, preferred first; empty when it has none.
    #[serde(default)]
    pub lock_files: Vec<String>,
    /// What to do when a folder lacks one (`{dir}` is the folder).
    pub lock_hint: Option<String>,
    /// The install recipe, for templates that run it: cache mount target, install commands
    /// `[locked, unlocked]`, the same without development dependencies, the build command,
    /// and environment the commands need.
    pub cache: Option<String>,
    #[serde(default)]
    pub install: Vec<String>,
    #[serde(default)]
    pub install_prod: Vec<String>,
    pub build: Option<String>,
    pub env: Option<String>,
    /// A line a file of the folder must hold for the install to have anything to install
    /// (uv syncs the `[project]` table of pyproject.toml; a Poetry-only one gives it none):
    /// without it, the lock file that selects this manager is not used.
    pub requires: Option<RequiredLine>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredLine {
    pub file: String,
    /// The whole line, trimmed.
    pub line: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// `24`, `3.13`, `1.25`.
    pub version: String,
    /// Stage name → pinned base image.
    pub images: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthPaths {
    pub liveness: String,
    pub readiness: String,
    pub startup: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDefaults {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceImage {
    pub kind: String,
    pub version: String,
    pub image: String,
    pub port: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    languages: Vec<Language>,
    stacks: Vec<Stack>,
    /// Pinned images of in-cluster backing services (PostgreSQL, Redis).
    services: Vec<ServiceImage>,
    foreign: Vec<Foreign>,
}

/// A language sp does not build, by the manifests that make a folder one of its projects:
/// discovery reports such a folder instead of passing over it in silence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Foreign {
    /// How the report names it (`Java (Maven)`).
    pub language: String,
    /// File names, or `*.ext` for any file with that extension (`*.csproj`).
    pub manifests: Vec<String>,
}

impl Foreign {
    /// Whether `file` (a name, no folder) is one of this language's manifests.
    pub fn is_manifest(&self, file: &str) -> bool {
        self.manifests.iter().any(|m| match m.strip_prefix('*') {
            Some(ext) => file.len() > ext.len() && file.ends_with(ext),
            None => m == file,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub languages: Vec<Language>,
    pub stacks: Vec<Stack>,
    pub services: Vec<ServiceImage>,
    pub foreign: Vec<Foreign>,
}

impl Catalog {
    /// The catalog compiled into the binary. Its validity is checked by a unit test, so
    /// a broken entry never ships.
    pub fn builtin() -> Catalog {
        Catalog::shared().clone()
    }

    /// The built-in catalog, parsed once per process.
    pub fn shared() -> &'static Catalog {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG.get_or_init(|| {
            let file: CatalogFile =
                serde_json::from_str(STACKS_JSON).expect("the built-in stack catalog is valid (tested)");
            Catalog {
                languages: file.languages,
                stacks: file.stacks,
                services: file.services,
                foreign: file.foreign,
            }
        })
    }

    pub fn language(&self, id: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.id == id)
    }

    pub fn get(&self, id: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// The first stack one of whose match words appears in `text` as a whole word.
    pub fn find(&self, text: &str) -> Option<&Stack> {
        self.find_for(text, None)
    }

    /// Like [`Catalog::find`], preferring stacks of `role`: `Worker: Go 1.25` is the Go
    /// worker, `API: Go 1.25` the Go HTTP server.
    pub fn find_for(&self, text: &str, role: Option<Role>) -> Option<&Stack> {
        let words = tokens(text);
        let matching = |s: &&Stack| s.matches.iter().any(|m| words.iter().any(|w| w == m));
        role.and_then(|r| self.stacks.iter().filter(|s| s.role == r).find(matching))
            .or_else(|| self.stacks.iter().find(matching))
    }

    pub fn service(&self, kind: &str) -> Option<&ServiceImage> {
        self.services.iter().find(|s| s.kind == kind)
    }
}

impl Language {
    pub fn package_manager(&self, id: &str) -> Option<&PackageManager> {
        self.package_managers.iter().find(|p| p.id == id)
    }

    /// Every file name detection reads for this language: manifests, then the rest.
    pub fn read_files(&self) -> impl Iterator<Item = &str> {
        self.manifests.iter().chain(&self.read).map(String::as_str)
    }
}

impl VersionReader {
    /// The text whose line is the evidence for version `v` read by this reader.
    pub fn needle(self, v: &str) -> String {
        match self {
            VersionReader::RequiresPython => "requires-python".into(),
            VersionReader::PackageEnginesNode => "\"node\"".into(),
            VersionReader::GoDirective => "go ".into(),
            VersionReader::FirstLine | VersionReader::RustToolchain | VersionReader::DockerfileFrom => {
                v.split('.').next().unwrap_or("").into()
            }
        }
    }

    /// The version `text` states, if it states one.
    pub fn read(self, text: &str) -> Option<String> {
        let first_line = || {
            text.lines()
                .next()
                .map(|l| l.trim().trim_start_matches('v').to_string())
                .filter(|v| !v.is_empty())
        };
        match self {
            VersionReader::FirstLine => first_line(),
            // A requirement (`>=3.11`, `>=3.11,<3.13`) is kept as written: resolution picks the
            // newest catalog version it allows (`resolve/deploy/version.rs`).
            VersionReader::RequiresPython => {
                let line = text.lines().find(|l| l.trim_start().starts_with("requires-python"))?;
                let (_, v) = line.split_once('=')?;
                let v = v.trim().trim_matches(['"', '\'']).trim();
                (!v.is_empty()).then(|| v.to_string())
            }
            VersionReader::PackageEnginesNode => {
                let v: serde_json::Value = serde_json::from_str(text).ok()?;
                let node = v.get("engines")?.get("node")?.as_str()?.trim();
                (!node.is_empty()).then(|| node.to_string())
            }
            VersionReader::GoDirective => {
                let line = text.lines().find(|l| l.starts_with("go "))?;
                let v: Vec<&str> = line[3..].trim().split('.').collect();
                Some(v.iter().take(2).copied().collect::<Vec<_>>().join("."))
            }
            VersionReader::RustToolchain => {
                let channel = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("channel"))
                    .and_then(|rest| rest.trim().strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_string());
                let v = match channel {
                    Some(c) => c,
                    None => first_line()?,
                };
                // `1.91.1` selects `1.91`; `stable` names no version.
                v.starts_with(|c: char| c.is_ascii_digit()).then_some(v)
            }
            // Needs the entry's image: read through [`VersionFile::version_in`].
            VersionReader::DockerfileFrom => None,
        }
    }
}

impl Stack {
    /// The version entry for `wanted` (`3.13+` and `3.13` both select `3.13`, `24` selects
    /// `24`), or the default.
    pub fn version(&self, wanted: Option<&str>) -> (&Version, bool) {
        if let Some(w) = wanted {
            // `3.11+`, `v20`, and an image tag's variant (`3.11-slim`, `20-alpine`): the number.
            let w = w.trim_start_matches('v');
            let w = &w[..w.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(w.len())];
            let w = w.trim_end_matches('.');
            if let Some(v) = self
                .versions
                .iter()
                .find(|v| v.version == w || w.starts_with(&format!("{}.", v.version)))
            {
                return (v, true);
            }
        }
        (&self.versions[0], false)
    }

    /// The catalog version nearest to `wanted` when the catalog has no image for it: the
    /// oldest one not older (`3.10` → `3.11`, `20` → `22`), else the newest (`3.14` → `3.13`).
    /// The code was written for `wanted`, and the fewer releases it moves, the fewer of its
    /// pinned packages lack a build for the image's version.
    pub fn nearest_version(&self, wanted: &str) -> Option<&Version> {
        let number = |v: &str| -> Vec<u64> {
            let v = v.trim_start_matches('v');
            v[..v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len())]
                .split('.')
                .map_while(|p| p.parse().ok())
                .collect()
        };
        let w = number(wanted);
        if w.is_empty() {
            return None;
        }
        let mut by_age: Vec<(Vec<u64>, &Version)> = self.versions.iter().map(|v| (number(&v.version), v)).collect();
        by_age.sort_by(|a, b| a.0.cmp(&b.0));
        // Compared over the catalog version's own parts: `3.10.4` is `3.10` against `3.11`.
        let not_older = |v: &[u64]| w[..w.len().min(v.len())] <= *v;
        by_age
            .iter()
            .find(|(v, _)| not_older(v))
            .or(by_age.last())
            .map(|(_, v)| *v)
    }
}

/// Lower-case words of a stack line, keeping `.`, `/` and `-` inside words (`next.js`,
/// `net/http`, `kubectl-ai`).
pub fn tokens(text: &str) -> Vec<String> {
    // With the full-width punctuation of CJK text (`Python 3.12，TypeScript 5.x`).
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '(' | ')' | ':' | '[' | ']' | '，' | '；' | '（' | '）' | '：' | '、'
            )
    })
    .map(|w| {
        w.trim_matches(|c: char| c == '.' || c == '*' || c == '`')
            .to_lowercase()
    })
    .filter(|w| !w.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_without_an_image_gets_the_nearest_newer_one() {
        let catalog = Catalog::shared();
        let python = catalog.get("fastapi").unwrap();
        let nearest = |w: &str| python.nearest_version(w).map(|v| v.version.as_str());
        assert_eq!(nearest("3.10"), Some("3.11"));
        assert_eq!(nearest("3.10.4"), Some("3.11"));
        assert_eq!(nearest("3.9-slim"), Some("3.11"));
        assert_eq!(nearest("3.14"), Some("3.13"));
        assert_eq!(nearest("latest"), None);
        let node = catalog.get("nextjs-standalone").unwrap();
        assert_eq!(node.nearest_version("20").map(|v| v.version.as_str()), Some("22"));
        assert_eq!(node.nearest_version("v18.19.0").map(|v| v.version.as_str()), Some("22"));
    }

    #[test]
    fn dockerfile_names() {
        for yes in ["Dockerfile", "Dockerfile.prod", "api.Dockerfile"] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.",
            ".Dockerfile",
            "Dockerfile.dockerignore",
            "api.Dockerfile.dockerignore",
            "dockerfile.md",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn a_foreign_manifest_is_a_name_or_an_extension() {
        let c = Catalog::shared();
        let of = |file: &str| {
            c.foreign
                .iter()
                .find(|f| f.is_manifest(file))
                .map(|f| f.language.as_str())
        };
        assert_eq!(of("pom.xml"), Some("Java (Maven)"));
        assert_eq!(of("Reports.csproj"), Some(".NET"));
        assert_eq!(of(".csproj"), None, "an extension needs a name before it");
        assert_eq!(of("pom.xml.bak"), None);
        // No language sp builds is foreign.
        for lang in &c.languages {
            for m in &lang.manifests {
                assert_eq!(of(m), None, "{m}");
            }
        }
    }

    #[test]
    fn a_wanted_version_is_its_number() {
        let c = Catalog::shared();
        let fastapi = c.get("fastapi").unwrap();
        for wanted in ["3.12", "3.12+", "v3.12", "3.12-slim", "3.12.4", "3.12-slim-bookworm"] {
            let (v, matched) = fastapi.version(Some(wanted));
            assert!(matched && v.version == "3.12", "{wanted}: {}", v.version);
        }
        assert!(!fastapi.version(Some("2.7")).1);
    }

    /// The binary reads the catalog as the JSON `build.rs` made of it; reading the YAML itself
    /// must give the very same catalog (a number where a string was meant would differ).
    #[test]
    fn catalog_json_is_the_yaml() {
        let yaml: CatalogFile = crate::yaml::from_str(STACKS).expect("stacks.yaml parses");
        let json: CatalogFile = serde_json::from_str(STACKS_JSON).expect("stacks.json parses");
        assert_eq!(format!("{yaml:#?}"), format!("{json:#?}"));
    }

    #[test]
    fn builtin_catalog_is_valid_and_consistent() {
        let c = Catalog::builtin();
        assert!(c.stacks.len() >= 7);
        let mut ids = std::collections::BTreeSet::new();
        for s in &c.stacks {
            assert!(ids.insert(&s.id), "duplicate stack {}", s.id);
            assert!(!s.versions.is_empty() && !s.package_managers.is_empty(), "{}", s.id);
            let language = c
                .language(&s.language)
                .unwrap_or_else(|| panic!("{}: no language {}", s.id, s.language));
            for pm in &s.package_managers {
                assert!(
                    language.package_manager(pm).is_some(),
                    "{}: package manager {pm} is not one of {}'s",
                    s.id,
                    s.language
                );
            }
            assert_eq!(
                s.port.is_some(),
                s.run_mode != RunMode::Worker,
                "{}: port iff it serves",
                s.id
            );
            assert_eq!(s.health.is_some(), s.port.is_some(), "{}: health iff port", s.id);
            for v in &s.versions {
                for (stage, image) in v.images.iter().chain(&s.images) {
                    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
                    assert!(
                        !tag.is_empty() && tag != "latest",
                        "{}: stage {stage} image {image} is not pinned",
                        s.id
                    );
                }
            }
        }
    }

    #[test]
    fn languages_are_complete() {
        let c = Catalog::builtin();
        let mut ids = std::collections::BTreeSet::new();
        for l in &c.languages {
            assert!(ids.insert(&l.id), "duplicate language {}", l.id);
            assert!(!l.names.is_empty() && !l.manifests.is_empty(), "{}", l.id);
            assert!(l.root_manifests.iter().all(|m| l.manifests.contains(m)), "{}", l.id);
            assert!(
                c.stacks.iter().any(|s| s.language == l.id),
                "language {} has no stack",
                l.id
            );
            for pm in &l.package_managers {
                assert!(!pm.detect.is_empty(), "{}/{}: detected by nothing", l.id, pm.id);
                assert_eq!(pm.install.len(), pm.install_prod.len(), "{}/{}", l.id, pm.id);
                assert!(
                    pm.install.is_empty() || pm.install.len() == 2,
                    "{}/{}: [locked, unlocked]",
                    l.id,
                    pm.id
                );
                assert_eq!(
                    pm.lock_files.is_empty(),
                    pm.lock_hint.is_none(),
                    "{}/{}: a hint iff lock files",
                    l.id,
                    pm.id
                );
                // Detection must be able to see the files it looks for.
                for f in pm.detect.iter().chain(&pm.lock_files) {
                    assert!(
                        l.read_files().any(|r| r == f) || l.presence.contains(f),
                        "{}/{}: {f} is neither read nor checked for",
                        l.id,
                        pm.id
                    );
                }
            }
            for v in &l.version_files {
                assert!(
                    l.read_files()
                        .chain(EVERY_FOLDER_READS.iter().copied())
                        .any(|r| r == v.file),
                    "{}: version file {} is not read",
                    l.id,
                    v.file
                );
            }
        }
        for s in &c.stacks {
            let l = c.language(&s.language).unwrap();
            for f in s
                .detect
                .iter()
                .flat_map(|d| &d.files)
                .chain(s.runtime_packages.iter().map(|p| &p.file))
            {
                assert!(l.read_files().any(|r| r == f), "{}: {f} is not read", s.id);
            }
        }
    }

    #[test]
    fn version_readers() {
        assert_eq!(VersionReader::FirstLine.read("v22.3\n").as_deref(), Some("22.3"));
        assert_eq!(
            VersionReader::RequiresPython
                .read("[project]\nrequires-python = \">=3.12,<4\"\n")
                .as_deref(),
            Some(">=3.12,<4")
        );
        assert_eq!(
            VersionReader::PackageEnginesNode
                .read(r#"{"engines": {"node": ">=22.1"}}"#)
                .as_deref(),
            Some(">=22.1")
        );
        assert_eq!(
            VersionReader::GoDirective.read("module x\n\ngo 1.25.4\n").as_deref(),
            Some("1.25")
        );
        assert_eq!(
            VersionReader::RustToolchain
                .read("[toolchain]\nchannel = \"1.91.1\"\n")
                .as_deref(),
            Some("1.91.1")
        );
        assert_eq!(VersionReader::RustToolchain.read("stable\n"), None);
    }

    #[test]
    fn a_dockerfile_from_states_the_version_of_its_official_image() {
        let python = VersionFile {
            file: "Dockerfile".into(),
            read: VersionReader::DockerfileFrom,
            image: Some("python".into()),
        };
        let read = |text: &str| python.version_in(text);
        assert_eq!(
            read("FROM python:3.11-slim\nCMD [\"uvicorn\"]\n").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            read("FROM --platform=linux/amd64 docker.io/library/python:3.12.4-slim-bookworm AS build\n").as_deref(),
            Some("3.12.4")
        );
        assert_eq!(
            read("ARG PYTHON_VERSION=3.10\nFROM python:${PYTHON_VERSION}-slim\n").as_deref(),
            Some("3.10")
        );
        assert_eq!(read("ARG V=3.9\nFROM python:$V\n").as_deref(), Some("3.9"));
        // The first FROM of that image; other images and version-less tags state nothing.
        assert_eq!(read("FROM node:20 AS web\nFROM python:3.11\n").as_deref(), Some("3.11"));
        assert_eq!(read("FROM python:latest\n"), None);
        assert_eq!(read("FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n"), None);
        assert_eq!(read("FROM python@sha256:abc\n"), None);
        assert_eq!(read("FROM python:${UNSET}-slim\n"), None);
        assert_eq!(
            python.needle("# build\nFROM python:3.11-slim AS base\n", "3.11"),
            "python:3.11-slim"
        );
        // Every language reads its own image, last of its version files.
        for language in &Catalog::builtin().languages {
            let last = language.version_files.last().unwrap();
            assert_eq!(last.read, VersionReader::DockerfileFrom, "{}", language.id);
            assert!(last.image.is_some(), "{}", language.id);
        }
    }

    #[test]
    fn stack_lines_select_stacks() {
        let c = Catalog::builtin();
        assert_eq!(
            c.find("Next.js 16+, React 19+, TypeScript, pnpm").unwrap().id,
            "nextjs-standalone"
        );
        assert_eq!(c.find("FastAPI, Python 3.13+, SQLModel, UV").unwrap().id, "fastapi");
        assert_eq!(c.find("Go 1.25, net/http").unwrap().language, "go");
        assert!(c.find("Neon PostgreSQL").is_none());
        assert_eq!(
            c.find_for("Go 1.25 background jobs", Some(Role::Worker)).unwrap().id,
            "go-worker"
        );
        assert_eq!(
            c.find_for("Go 1.25, net/http", Some(Role::Backend)).unwrap().id,
            "go-http"
        );
        assert_eq!(
            c.find_for("Python 3.13, Celery", Some(Role::Worker)).unwrap().id,
            "python-worker"
        );
    }

    #[test]
    fn versions_match_by_prefix() {
        let c = Catalog::builtin();
        let s = c.get("fastapi").unwrap();
        assert_eq!(s.version(Some("3.13+")).0.version, "3.13");
        assert!(!s.version(Some("2.7")).1);
    }
}
