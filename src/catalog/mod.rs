//! The stack catalog: what `sp` knows about each kind of component, as data.
//!
//! `stacks.yaml` beside this file lists every stack (Next.js, FastAPI, Go…): the words that
//! name it in a plan input, its language and versions with pinned base images, its port,
//! health endpoints, run mode, package managers, the folders it writes to, its runtime
//! command and its Dockerfile template. Adding a stack means adding an entry there and a
//! template under `templates/docker/`; the resolver does not change.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::deploy::{Role, RunMode};

const STACKS: &str = include_str!("stacks.yaml");

/// The text of the built-in catalog, for `sp --version`'s fingerprint.
pub fn builtin_source() -> &'static str {
    STACKS
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stack {
    /// Stable identifier, also the Dockerfile template name (`templates/docker/<id>.Dockerfile.hbs`).
    pub id: String,
    pub name: String,
    /// Words that select this stack in a stack line (`Backend: FastAPI, …`), lower case.
    /// The first stack with a matching word wins, so more specific stacks come first.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub language: String,
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
    /// Files in the component folder that identify this stack (`next.config.*`, `go.mod`).
    #[serde(default)]
    pub detect: Vec<String>,
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
    stacks: Vec<Stack>,
    /// Pinned images of in-cluster backing services (PostgreSQL, Redis).
    services: Vec<ServiceImage>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub stacks: Vec<Stack>,
    pub services: Vec<ServiceImage>,
}

impl Catalog {
    /// The catalog compiled into the binary. Its validity is checked by a unit test, so
    /// a broken entry never ships.
    pub fn builtin() -> Catalog {
        let file: CatalogFile = crate::yaml::from_str(STACKS).expect("the built-in stack catalog is valid (tested)");
        Catalog {
            stacks: file.stacks,
            services: file.services,
        }
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

impl Stack {
    /// The version entry for `wanted` (`3.13+` and `3.13` both select `3.13`, `24` selects
    /// `24`), or the default.
    pub fn version(&self, wanted: Option<&str>) -> (&Version, bool) {
        if let Some(w) = wanted {
            let w = w.trim_end_matches('+').trim_start_matches('v');
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
}

/// Lower-case words of a stack line, keeping `.`, `/` and `-` inside words (`next.js`,
/// `net/http`, `kubectl-ai`).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | ':' | '[' | ']'))
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
    fn builtin_catalog_is_valid_and_consistent() {
        let c = Catalog::builtin();
        assert!(c.stacks.len() >= 7);
        let mut ids = std::collections::BTreeSet::new();
        for s in &c.stacks {
            assert!(ids.insert(&s.id), "duplicate stack {}", s.id);
            assert!(!s.versions.is_empty() && !s.package_managers.is_empty(), "{}", s.id);
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
