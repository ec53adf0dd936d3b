//! The vocabulary of a Technical Context: the nine keys of spec-kit's plan template with
//! the spellings accepted for each, and the stack-line roles (`Frontend:`, `Backend:`).
//! The plan-input parser needs it to tell a key whose value is a list from a heading that
//! groups keys; the resolver to fill the nine keys.

/// Canonical key and the spellings accepted for it (compared lower-cased).
pub const KEYS: &[(&str, &[&str])] = &[
    (
        "Language/Version",
        &[
            "language/version",
            "language",
            "languages",
            "language version",
            "language/versions",
            "runtime",
            "runtimes",
        ],
    ),
    (
        "Primary Dependencies",
        &[
            "primary dependencies",
            "dependencies",
            "frameworks",
            "key dependencies",
            "tech stack",
            "stack",
        ],
    ),
    (
        "Storage",
        &["storage", "database", "databases", "db", "persistence", "data store"],
    ),
    ("Testing", &["testing", "tests", "test strategy", "testing strategy"]),
    (
        "Target Platform",
        &["target platform", "platform", "target", "deployment target"],
    ),
    ("Project Type", &["project type", "type"]),
    (
        "Performance Goals",
        &[
            "performance goals",
            "performance",
            "performance targets",
            "performance goal",
        ],
    ),
    ("Constraints", &["constraints", "constraint"]),
    ("Scale/Scope", &["scale/scope", "scale", "scope", "scale / scope"]),
];

/// Keys naming a part of the system or its tooling: they feed Language/Version, Primary
/// Dependencies and Project Type.
pub const STACK_ROLES: &[&str] = &[
    "frontend",
    "backend",
    "api",
    "web",
    "ui",
    "client",
    "server",
    "worker",
    "workers",
    "service",
    "services",
    "mcp server",
    "auth",
    "authentication",
    "containerization",
    "containers",
    "orchestration",
    "packaging",
    "ai devops",
    "aiops",
    "devops",
    "ci/cd",
    "ci",
    "infrastructure",
    "deployment",
    "observability",
    "monitoring",
    "tooling",
    "tools",
    "ai",
    "ai/ml",
    "messaging",
    "cache",
    "queue",
];

pub fn canonical(key: &str) -> Option<&'static str> {
    // A translated template's keys (`语言/版本`) are the English ones.
    let k = super::locale::english(key.trim()).trim().to_lowercase();
    KEYS.iter()
        .find(|(_, aliases)| aliases.contains(&k.as_str()))
        .map(|(c, _)| *c)
}

pub fn is_stack_role(key: &str) -> bool {
    STACK_ROLES.contains(&key.trim().to_lowercase().as_str())
}
