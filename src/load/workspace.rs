//! What `sp init` needs to know about a folder before it writes anything: whether it is
//! already a spec-kit workspace, where its constitution is, and which agents it uses.

use std::path::Path;

use super::CONSTITUTION_PATHS;

/// The shape of a folder `sp init` runs in.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// `specs/` or `.specify/` exists: a spec-kit (or spec-kit-plus) workspace.
    pub spec_kit: bool,
    pub has_specs: bool,
    /// The constitution found, relative to the root.
    pub constitution: Option<String>,
    /// For each path asked about, whether it exists.
    pub present: Vec<(String, bool)>,
}

impl Layout {
    pub fn exists(&self, rel: &str) -> bool {
        self.present.iter().any(|(p, e)| p == rel && *e)
    }
}

/// Look at `root` and at each of `paths` (relative to it).
pub fn layout(root: &Path, paths: &[&str]) -> Layout {
    Layout {
        spec_kit: root.join("specs").is_dir() || root.join(".specify").is_dir(),
        has_specs: root.join("specs").is_dir(),
        constitution: CONSTITUTION_PATHS
            .iter()
            .find(|p| root.join(p).is_file())
            .map(|p| p.to_string()),
        present: paths.iter().map(|p| (p.to_string(), root.join(p).exists())).collect(),
    }
}
