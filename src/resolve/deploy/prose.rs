//! Facts stated in prose: the plan input, the spec's clarifications and requirements, the
//! constitution's technology section.
//!
//! Each rule looks for one explicit phrasing ("imagePullPolicy Never", "<200MB (frontend)",
//! "namespace `todo`", "Redis 7 (in-cluster, persistent volume 1Gi)") within a clause, so a
//! fact is only taken when the text says it. The first fact in precedence order wins.

use crate::model::Origin;
use crate::model::deploy::{EntryKind, PlatformKind, Role, ServiceKind, ServiceMode, ServiceType, Valued};
use crate::parse::constitution::Constitution;
use crate::parse::plan_input::PlanInput;
use crate::parse::spec::Spec;
use crate::source::Span;

/// A backing service as a fact states it.
pub struct ServiceMention {
    pub kind: ServiceKind,
    pub mode: Valued<ServiceMode>,
    /// The product as written (`Neon PostgreSQL`, `Redis 7`).
    pub product: String,
    pub version: Option<String>,
    pub storage: Option<Valued<String>>,
}

#[derive(Clone)]
pub struct Fact {
    pub text: String,
    pub lower: String,
    pub origin: Origin,
    /// Where the fact is written, for diagnostics that point at it.
    pub span: Option<Span>,
}

/// Every sentence-like piece of input, highest precedence first.
pub struct Facts {
    items: Vec<Fact>,
}

/// Words that name a component role in prose.
pub(super) fn role_words(role: Role) -> &'static [&'static str] {
    match role {
        Role::Frontend => &["frontend", "front-end", "web", "ui", "client", "next.js", "nextjs"],
        Role::Backend => &["backend", "back-end", "api", "server", "fastapi"],
        Role::Worker => &["worker", "workers", "job", "jobs"],
    }
}

pub(super) fn has_word(lower: &str, word: &str) -> bool {
    crate::source::has_whole_word(lower, word, char::is_alphanumeric, char::is_alphanumeric)
}

/// Sentences of a text: split at `. ` (a period followed by space) and `;`, so host names
/// and versions (`links.local`, `3.13`) stay whole.
pub(super) fn sentences(text: &str) -> Vec<&str> {
    text.split("; ")
        .flat_map(|s| s.split(". "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Clauses of a sentence: split at `,` `;` and parentheses closing a remark.
fn clauses(text: &str) -> Vec<&str> {
    text.split([';', ','])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

impl Facts {
    pub fn collect(spec: &Spec, input: Option<&PlanInput>, constitution: Option<&Constitution>) -> Facts {
        let mut items = Vec::new();
        let mut push = |text: String, origin: Origin, span: Option<Span>| {
            let lower = text.to_ascii_lowercase();
            items.push(Fact {
                text,
                lower,
                origin,
                span,
            });
        };
        if let Some(p) = input {
            for e in &p.entries {
                push(
                    format!("{}: {}", e.key, e.value),
                    Origin::at(&p.path, e.line),
                    Some(e.span.clone()),
                );
            }
            for d in &p.decisions {
                push(
                    format!("{}. {}", d.title, d.decision),
                    Origin::at(&p.path, d.line),
                    Some(d.span.clone()),
                );
            }
            for f in p.free_text.iter().chain(&p.risks) {
                push(f.text.clone(), Origin::at(&p.path, f.line), Some(f.span.clone()));
            }
        }
        for (i, c) in spec.clarifications.iter().enumerate() {
            push(
                format!("{} {}", c.question, c.answer),
                Origin::cite(&spec.path, format_args!("clarification Q{}", i + 1)),
                None,
            );
        }
        for r in &spec.requirements {
            push(r.text.clone(), requirement_origin(&spec.path, r), r.span.clone());
        }
        for (i, a) in spec.assumptions.iter().enumerate() {
            push(
                a.text.clone(),
                Origin::cite(&spec.path, format_args!("assumption {}", i + 1)),
                Some(a.span.clone()),
            );
        }
        if let Some(c) = constitution {
            for t in &c.technology {
                push(t.text.clone(), Origin::at(&c.path, t.line), Some(t.span.clone()));
            }
        }
        Facts { items }
    }

    /// Every fact, highest precedence first.
    pub fn items(&self) -> &[Fact] {
        &self.items
    }

    /// The facts of one statement alone, to ask what that statement says by itself.
    pub fn only(fact: &Fact) -> Facts {
        Facts {
            items: vec![fact.clone()],
        }
    }

    /// Where the fact behind `origin` is written.
    pub fn span_of(&self, origin: &Origin) -> Option<Span> {
        self.items
            .iter()
            .find(|f| f.origin == *origin)
            .and_then(|f| f.span.clone())
    }

    fn first<T>(&self, f: impl Fn(&Fact) -> Option<T>) -> Option<Valued<T>> {
        self.items
            .iter()
            .find_map(|fact| f(fact).map(|v| Valued::new(v, fact.origin.clone())))
    }

    /// `namespace `todo``, `namespace: todo`, `namespace named todo`, "All resources MUST
    /// live in the `todo` namespace".
    pub fn namespace(&self) -> Option<Valued<String>> {
        self.first(|f| namespace_in(&f.text))
    }

    /// The replica count a fact gives a component of `role` named `name`: "Replicas: 1 for
    /// the backend", "2 replicas of the frontend", "replicas: 2" (every component). A count
    /// meant for production (`values-production.yaml`) is [`Facts::production_replicas`].
    pub fn replicas(&self, role: Role, name: &str) -> Option<Valued<u32>> {
        self.first(|f| replicas_in(&f.lower, false, role, name))
    }

    /// "at least 2 replicas in production", "2 in production values".
    pub fn production_replicas(&self) -> Option<Valued<u32>> {
        self.first(|f| replicas_in(&f.lower, true, Role::Backend, ""))
    }

    pub fn platform(&self) -> Option<Valued<PlatformKind>> {
        // The Technical Context's Target Platform says it best; any other mention after.
        let stated = self
            .items
            .iter()
            .filter(|f| f.lower.starts_with("target platform") || f.lower.starts_with("platform"));
        let others = self
            .items
            .iter()
            .filter(|f| !(f.lower.starts_with("target platform") || f.lower.starts_with("platform")));
        stated
            .chain(others)
            .find_map(|f| Self::platform_of(f).map(|k| Valued::new(k, f.origin.clone())))
    }

    fn platform_of(f: &Fact) -> Option<PlatformKind> {
        {
            if has_word(&f.lower, "minikube") {
                Some(PlatformKind::Minikube)
            } else if f.lower.contains("kind cluster")
                || f.lower.contains("kind (kubernetes in docker)")
                || f.lower.starts_with("target platform: kind")
                || f.lower.contains("kind load")
            {
                Some(PlatformKind::Kind)
            } else {
                None
            }
        }
    }

    pub fn kubernetes_version(&self) -> Option<Valued<String>> {
        self.first(|f| {
            for marker in ["kubernetes v", "kubernetes ", "k8s v", "k8s "] {
                let mut from = 0;
                while let Some(i) = f.lower[from..].find(marker) {
                    let at = from + i + marker.len();
                    from = at;
                    let v: String = f.lower[at..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    let parts: Vec<&str> = v.trim_end_matches('.').split('.').collect();
                    if parts.len() >= 2 && parts[0] == "1" && parts[1].parse::<u32>().is_ok_and(|m| m >= 20) {
                        return Some(format!("1.{}", parts[1]));
                    }
                }
            }
            None
        })
    }

    /// "run as root", "runs as root", "as the root user".
    pub fn run_as_root(&self) -> Option<Valued<bool>> {
        self.first(|f| {
            [
                "run as root",
                "runs as root",
                "running as root",
                "as the root user",
                "as root user",
            ]
            .iter()
            .any(|p| {
                f.lower.contains(p)
                    && !f.lower.contains(&format!("not {p}"))
                    && !f.lower.contains("non-root")
                    && !f.lower.contains("never")
            })
            .then_some(true)
        })
    }

    pub fn zero_downtime(&self) -> Option<Valued<bool>> {
        self.first(|f| {
            [
                "zero-downtime",
                "zero downtime",
                "no downtime",
                "without downtime",
                "drops no requests",
            ]
            .iter()
            .any(|p| f.lower.contains(p))
            .then_some(true)
        })
    }

    pub fn pull_policy(&self) -> Option<Valued<String>> {
        self.first(|f| {
            let l = f.lower.replace(['`', ':', '*'], "");
            for (needle, policy) in [
                ("pullpolicy never", "Never"),
                ("pull policy never", "Never"),
                ("pullpolicy ifnotpresent", "IfNotPresent"),
                ("pull policy ifnotpresent", "IfNotPresent"),
                ("pullpolicy always", "Always"),
                ("pull policy always", "Always"),
            ] {
                if l.contains(needle) {
                    return Some(policy.to_string());
                }
            }
            None
        })
    }

    /// How a component of `role` is exposed, when a clause names both.
    pub fn exposure(&self, role: Role) -> Option<Valued<ServiceType>> {
        self.first(|f| {
            let lower = f.lower.replace(" and ", "; ");
            for clause in sentences(&lower).into_iter().flat_map(|s| s.split(',')) {
                if !role_words(role).iter().any(|w| has_word(clause, w)) {
                    continue;
                }
                if has_word(clause, "loadbalancer") || clause.contains("load balancer") {
                    return Some(ServiceType::LoadBalancer);
                }
                if has_word(clause, "nodeport") {
                    return Some(ServiceType::NodePort);
                }
                if has_word(clause, "clusterip") {
                    return Some(ServiceType::ClusterIP);
                }
            }
            None
        })
    }

    /// The node port of `role`'s NodePort Service: a clause naming the role and a node port
    /// ("the frontend is exposed via NodePort 30080").
    pub fn node_port(&self, role: Role) -> Option<Valued<u16>> {
        self.first(|f| {
            // Most facts say nothing of a node port: no clause of theirs can.
            if !about_node_port(&f.lower) {
                return None;
            }
            let lower = f.lower.replace(" and ", "; ");
            sentences(&lower)
                .into_iter()
                .flat_map(|s| s.split(','))
                .filter(|clause| role_words(role).iter().any(|w| has_word(clause, w)))
                .find_map(node_port_in)
        })
    }

    /// An Ingress host for `role`: a clause naming the role, "ingress" and a host name.
    pub fn ingress_host(&self, role: Role) -> Option<Valued<String>> {
        self.first(|f| {
            for clause in sentences(&f.text) {
                let lower = clause.to_lowercase();
                if !has_word(&lower, "ingress") || !role_words(role).iter().any(|w| has_word(&lower, w)) {
                    continue;
                }
                if let Some(host) = clause
                    .split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')' || c == ',')
                    .find(|w| {
                        w.contains('.')
                            && w.split('.').count() >= 2
                            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                            && !w.ends_with('.')
                    })
                {
                    return Some(host.to_lowercase());
                }
            }
            None
        })
    }

    /// `<200MB (frontend)`, `backend under 150MB`, `images under 200MB (frontend) and 150MB (backend)`.
    pub fn size_budget(&self, role: Role, name: &str) -> Option<Valued<u32>> {
        self.first(|f| {
            if !f.lower.contains("mb") {
                return None;
            }
            let lower = f.lower.replace(" and ", ", ");
            for clause in clauses(&lower) {
                let names_role = has_word(clause, name) || role_words(role).iter().any(|w| has_word(clause, w));
                if !names_role {
                    continue;
                }
                if let Some(mb) = megabytes(clause) {
                    return Some(mb);
                }
            }
            None
        })
    }

    /// `port 8000` in a clause that names the component's role or name. A number is a port
    /// only where the sentence says port ("support 10 concurrent users" is not one). When the
    /// clause names several components ("the frontend calls the API on port 8000", "`cd
    /// frontend && npm run build`, `cd backend && uvicorn main:app --port 8001`"), the port is
    /// the one of the component named nearest before it (or, with none before, after it).
    pub fn port(&self, role: Role, name: &str) -> Option<Valued<u16>> {
        self.first(|f| {
            for clause in sentences(&f.lower).into_iter().flat_map(|s| s.split(" and ")) {
                if !(has_word(clause, name) || role_words(role).iter().any(|w| has_word(clause, w))) {
                    continue;
                }
                if let Some((at, p)) = port_at(clause)
                    && nearest_named(clause, at, role, name)
                {
                    return Some(p);
                }
            }
            None
        })
    }

    /// A health path (`/health`, `/healthz`, `/api/health`) in a clause naming the role.
    pub fn health_path(&self, role: Role, name: &str) -> Option<Valued<String>> {
        self.first(|f| {
            for clause in f.text.split([';', ',']) {
                let lower = clause.to_lowercase();
                if !(has_word(&lower, name) || role_words(role).iter().any(|w| has_word(&lower, w))) {
                    continue;
                }
                for word in clause.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')') {
                    if word.starts_with('/') && word.contains("health") {
                        return Some(word.trim_end_matches(['.', ',']).to_string());
                    }
                }
            }
            None
        })
    }

    /// A start command written in prose, for a component in `language`: `uvicorn
    /// app.main:app`, `gunicorn app:server`, `python -m jobs.run`, `node dist/server.js`. The
    /// target and whether it is an ASGI (`uvicorn`, `hypercorn`) or WSGI (`gunicorn`) object,
    /// a module or a script.
    pub fn entry_point(&self, language: &str) -> Option<Valued<(EntryKind, String)>> {
        self.first(|f| entry_in(&f.text, language))
    }

    /// Environment variable names that hold secrets, in order of first mention.
    pub fn secrets(&self) -> Vec<Valued<String>> {
        let mut out: Vec<Valued<String>> = Vec::new();
        for f in &self.items {
            for word in f.text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if is_secret_name(word) && !out.iter().any(|o| o.value == word) {
                    out.push(Valued::new(word.to_string(), f.origin.clone()));
                }
            }
        }
        out
    }

    /// The statement that says the application keeps no data: `Storage: none`, `Database:
    /// N/A`, "no database", "no persistent storage". What contradicts it (a compose file's
    /// `postgres` service) is reported with it, since either may be the stale one.
    pub fn no_storage(&self) -> Option<&Fact> {
        self.items.iter().find(|f| {
            let lower = f.lower.trim_start_matches(['-', '*', ' ']);
            let stated = ["storage", "database", "persistence", "data store"].iter().any(|key| {
                lower
                    .strip_prefix(key)
                    .map(|rest| rest.trim_start_matches(['*', ' ']))
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(|value| value.trim_start_matches(['*', ' ', '`']))
                    .is_some_and(|value| {
                        let word = value.split(|c: char| !(c.is_alphanumeric() || c == '/')).next();
                        matches!(word, Some("none" | "n/a" | "no" | "nothing"))
                            || value.starts_with("not needed")
                            || value.starts_with("not required")
                    })
            });
            stated
                || [
                    "no database",
                    "no persistent storage",
                    "without a database",
                    "no storage",
                ]
                .iter()
                .any(|phrase| lower.contains(phrase))
        })
    }

    /// Backing services named in the inputs, in order of first mention.
    pub fn backing(&self) -> Vec<ServiceMention> {
        let mut out: Vec<ServiceMention> = Vec::new();
        for f in &self.items {
            for (kind, words) in [
                (ServiceKind::Postgres, &["postgresql", "postgres", "neondb", "neon"][..]),
                (ServiceKind::Redis, &["redis"][..]),
            ] {
                if out.iter().any(|o| o.kind == kind) || !words.iter().any(|w| has_word(&f.lower, w)) {
                    continue;
                }
                let external = [
                    "external",
                    "neon",
                    "managed",
                    "rds",
                    "supabase",
                    "cloud sql",
                    "upstash",
                    "outside the cluster",
                ]
                .iter()
                .any(|w| f.lower.contains(w));
                let in_cluster = [
                    "in-cluster",
                    "in cluster",
                    "statefulset",
                    "inside the cluster",
                    "persistent volume",
                ]
                .iter()
                .any(|w| f.lower.contains(w));
                // A mention of a database in passing (a requirement that uses it) says
                // nothing about where it runs; only take the service when the fact does.
                if !external
                    && !in_cluster
                    && !f.lower.starts_with("database")
                    && !f.lower.starts_with("storage")
                    && !f.lower.starts_with("cache")
                {
                    continue;
                }
                let mode = if external {
                    ServiceMode::External
                } else {
                    ServiceMode::InCluster
                };
                let product = product_name(&f.text, words);
                let version = version_after(&f.lower, words);
                let storage = storage_size(&f.text).map(|s| Valued::new(s, f.origin.clone()));
                out.push(ServiceMention {
                    kind,
                    mode: Valued::new(mode, f.origin.clone()),
                    product,
                    version,
                    storage,
                });
            }
        }
        out
    }

    /// AI-ops tools the inputs name.
    pub fn tooling(&self) -> Vec<Valued<String>> {
        let mut out: Vec<Valued<String>> = Vec::new();
        for (tool, words) in [
            ("kubectl-ai", &["kubectl-ai"][..]),
            ("kagent", &["kagent"][..]),
            ("Gordon (Docker AI)", &["gordon"][..]),
        ] {
            if let Some(v) = self.first(|f| words.iter().any(|w| has_word(&f.lower, w)).then(|| tool.to_string())) {
                out.push(v);
            }
        }
        out
    }
}

/// `DATABASE_URL`, `OPENAI_API_KEY`, `BETTER_AUTH_SECRET`, `REDIS_PASSWORD`…
pub fn is_secret_name(word: &str) -> bool {
    let upper_snake = word.len() >= 4
        && word.contains('_')
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && word.starts_with(|c: char| c.is_ascii_uppercase());
    // Settings about secrets are not secrets: `USE_DAPR_SECRETS`, `SECRET_STORE_NAME`,
    // `JWT_SECRET_ALGORITHM`, `PASSWORD_MIN_LENGTH`.
    let about = ["USE_", "ENABLE_", "DISABLE_"].iter().any(|p| word.starts_with(p))
        || [
            "_NAME",
            "_STORE",
            "_ENABLED",
            "_PROVIDER",
            "_ALGORITHM",
            "_TTL",
            "_LENGTH",
            "_EXPIRY",
            "_MINUTES",
            "_SECONDS",
            "_HOURS",
            "_DAYS",
        ]
        .iter()
        .any(|s| word.ends_with(s));
    upper_snake
        && !about
        && (["_KEY", "_SECRET", "_TOKEN", "_PASSWORD"]
            .iter()
            .any(|s| word.ends_with(s))
            || word.contains("PASSWORD")
            || word.contains("SECRET")
            || matches!(word, "DATABASE_URL" | "REDIS_URL" | "POSTGRES_URL" | "MONGODB_URI"))
}

/// A namespace a text names: `namespace `todo``, `namespace: todo`, `namespace named todo`,
/// `` the `todo` namespace ``. Only a valid DNS-1123 label is taken.
pub(super) fn namespace_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let valid = |n: &str| {
        !n.is_empty()
            && n.len() <= 63
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !n.starts_with('-')
            && !n.ends_with('-')
    };
    let quoted_after = |rest: &str| -> Option<String> {
        let q = rest.strip_prefix('`').or_else(|| rest.strip_prefix('"'))?;
        let end = q.find(['`', '"'])?;
        Some(q[..end].to_string())
    };
    let mut from = 0;
    while let Some(i) = lower[from..].find("namespace") {
        let at = from + i;
        from = at + "namespace".len();
        if lower[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let after = &lower[from..];
        if after.starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let after = after.trim_start_matches([' ', '*']);
        let colon = after.starts_with(':');
        let rest = after.trim_start_matches([' ', ':', '*']);
        let named = rest.strip_prefix("named ").or_else(|| rest.strip_prefix("called "));
        if let Some(n) = quoted_after(named.unwrap_or(rest)).filter(|n| valid(n)) {
            return Some(n);
        }
        if colon || named.is_some() {
            let w = named.unwrap_or(rest);
            let word: String = w
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let tail = w[word.len()..].trim_start();
            let ends = tail.is_empty() || tail.starts_with([',', ';', '(', '.', ')']);
            if valid(&word) && ends {
                return Some(word);
            }
        }
        // `` `todo` namespace ``
        let before = lower[..at].trim_end();
        if let Some(b) = before.strip_suffix('`').or_else(|| before.strip_suffix('"'))
            && let Some(start) = b.rfind(['`', '"'])
            && valid(&b[start + 1..])
        {
            return Some(b[start + 1..].to_string());
        }
    }
    None
}

/// A port where the text says port: `port 8000`, `port: 8000`, `ports 3000`, `port
/// number 8000`. "support 10 concurrent users" has none: `port` must be a word.
pub(super) fn port_in(lower: &str) -> Option<u16> {
    port_at(lower).map(|(_, p)| p)
}

/// Whether the component mentioned nearest before byte `at` of a clause (or, with none
/// before, nearest after it) is this one: its name or a word of its role, rather than a word
/// of another role.
pub(super) fn nearest_named(clause: &str, at: usize, role: Role, name: &str) -> bool {
    let mentions = |word: &str| -> Vec<usize> {
        clause
            .match_indices(word)
            .map(|(i, _)| i)
            .filter(|&i| is_word_at(clause, i, word.len()))
            .collect()
    };
    // (distance rank, is this component): a mention before `at` always ranks before one after.
    let mut best: Option<((bool, usize), bool)> = None;
    let all_roles = [Role::Frontend, Role::Backend, Role::Worker];
    let words = std::iter::once((name, true)).chain(
        all_roles
            .into_iter()
            .flat_map(|r| role_words(r).iter().map(move |w| (*w, r == role))),
    );
    for (word, mine) in words {
        for i in mentions(word) {
            let rank = if i < at { (false, at - i) } else { (true, i - at) };
            if best.is_none_or(|(b, _)| rank < b) {
                best = Some((rank, mine));
            }
        }
    }
    best.is_none_or(|(_, mine)| mine)
}

/// Whether `clause[at..at + len]` stands as a word of its own.
fn is_word_at(clause: &str, at: usize, len: usize) -> bool {
    clause[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
        && clause[at + len..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// The ports Kubernetes gives NodePort Services by default (`--service-node-port-range`).
pub(super) const NODE_PORTS: std::ops::RangeInclusive<u16> = 30000..=32767;

/// Whether a clause is about a NodePort ("via NodePort", "node port 30080").
fn about_node_port(lower: &str) -> bool {
    lower.contains("nodeport") || lower.contains("node port")
}

/// The node port a clause about a NodePort states ("via NodePort on port 30800",
/// "nodePort: 30080"): a number of the node port range.
pub(super) fn node_port_in(lower: &str) -> Option<u16> {
    if !about_node_port(lower) {
        return None;
    }
    lower
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<u16>().ok())
        .find(|p| NODE_PORTS.contains(p))
}

/// [`port_in`] with the byte offset of the `port` word. In a clause about a NodePort, a
/// number of the node port range (30000–32767) is the port on the node, not the one the
/// container listens on ("expose the backend via NodePort on port 30800").
fn port_at(lower: &str) -> Option<(usize, u16)> {
    let node_port = about_node_port(lower);
    let mut from = 0;
    while let Some(i) = lower[from..].find("port") {
        let at = from + i;
        from = at + 4;
        if lower[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let rest = &lower[from..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        if rest.starts_with(|c: char| c.is_alphabetic()) {
            continue;
        }
        let rest = rest.trim_start_matches([' ', ':', '=', '`', '*']);
        let rest = rest
            .strip_prefix("number")
            .map(|r| r.trim_start_matches([' ', ':', '`']))
            .unwrap_or(rest);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(p) = digits.parse::<u16>()
            && p > 0
            && !(node_port && NODE_PORTS.contains(&p))
        {
            return Some((at, p));
        }
    }
    None
}

/// A small count written as digits or a word.
fn count(word: &str) -> Option<u32> {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    match w {
        "one" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        "four" => Some(4),
        "five" => Some(5),
        _ => w.parse().ok().filter(|n| *n <= 1000),
    }
}

/// The number next to `replica(s)` in a clause: `replicas: 2`, `2 replicas`, `replica count
/// of 3`, `2 backend replicas`.
pub(super) fn replica_count(clause: &str) -> Option<u32> {
    let words: Vec<&str> = clause
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | '=' | '`' | '*' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if !matches!(w, "replica" | "replicas" | "replicacount") {
            continue;
        }
        let mut j = i + 1;
        while j < words.len() && matches!(words[j], "count" | "of" | "is" | "set" | "to" | "at" | "=") {
            j += 1;
        }
        if let Some(n) = words.get(j).and_then(|n| count(n)) {
            return Some(n);
        }
        for back in 1..=2 {
            if let Some(n) = i.checked_sub(back).and_then(|k| count(words[k])) {
                return Some(n);
            }
        }
    }
    None
}

fn names_role(clause: &str, role: Role, name: &str) -> bool {
    has_word(clause, name) || role_words(role).iter().any(|w| has_word(clause, w))
}

fn names_any_role(clause: &str) -> bool {
    [Role::Frontend, Role::Backend, Role::Worker]
        .iter()
        .any(|r| role_words(*r).iter().any(|w| has_word(clause, w)))
}

/// The replica count a text gives the component (`role`, `name`): the part naming it, or a
/// count that names no component at all ("Replicas: 2"), which holds for every one.
/// "Replicas: 1 for the backend, 2 for the frontend" gives each its own; a part about
/// production ("1 replica per component locally and 2 in production values") counts only
/// when `production` is asked for, and then for every component.
pub(super) fn replicas_in(lower: &str, production: bool, role: Role, name: &str) -> Option<u32> {
    if !lower.contains("replica") {
        return None;
    }
    let lower = lower
        .replace(" and ", ", ")
        .replace(" while ", ", ")
        .replace(" but ", ", ");
    let mut general = None;
    let mut carried: Option<u32> = None;
    for part in clauses(&lower) {
        let n = replica_count(part).or_else(|| {
            carried?;
            part.split_whitespace().find_map(count)
        });
        let Some(n) = n else { continue };
        carried = Some(n);
        let prod = has_word(part, "production") || has_word(part, "prod");
        if production {
            if prod {
                return Some(n);
            }
            continue;
        }
        if prod {
            continue;
        }
        if names_role(part, role, name) {
            return Some(n);
        }
        if !names_any_role(part) && general.is_none() {
            general = Some(n);
        }
    }
    general
}

fn megabytes(clause: &str) -> Option<u32> {
    let bytes = clause.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let rest = clause[i..].trim_start();
            if rest.starts_with("mb") {
                return clause[start..i].parse().ok();
            }
        } else {
            i += 1;
        }
    }
    None
}

fn product_name(text: &str, words: &[&str]) -> String {
    let lower = text.to_ascii_lowercase();
    for w in words {
        if let Some(i) = lower.find(w) {
            // Include a capitalised word just before (Neon PostgreSQL) and a version after.
            let before = text[..i]
                .split_whitespace()
                .last()
                .filter(|b| b.starts_with(char::is_uppercase) && !b.ends_with(':'));
            let word = &text[i..i + w.len()];
            let after: String = text[i + w.len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let mut name = String::new();
            if let Some(b) = before {
                name.push_str(b);
                name.push(' ');
            }
            name.push_str(word);
            if !after.is_empty() {
                name.push(' ');
                name.push_str(after.trim_end_matches('.'));
            }
            return name;
        }
    }
    words[0].to_string()
}

fn version_after(lower: &str, words: &[&str]) -> Option<String> {
    for w in words {
        if let Some(i) = lower.find(w) {
            let v: String = lower[i + w.len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let v = v.trim_end_matches('.');
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// `1Gi`, `512Mi`, `10 GiB` in a text.
pub(super) fn storage_size(text: &str) -> Option<String> {
    for word in text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',') {
        let digits: String = word.chars().take_while(|c| c.is_ascii_digit()).collect();
        let unit = &word[digits.len()..];
        if !digits.is_empty() && matches!(unit, "Gi" | "Mi" | "GiB" | "MiB" | "G" | "GB") {
            let unit = if unit.starts_with('G') { "Gi" } else { "Mi" };
            return Some(format!("{digits}{unit}"));
        }
    }
    None
}

/// Where a fact read from a requirement comes from: the requirement's ID, so the documents
/// that cite it do not change when lines are added elsewhere in the spec.
pub fn requirement_origin(spec_path: &str, r: &crate::parse::spec::Requirement) -> Origin {
    if r.id.is_empty() {
        Origin::at(spec_path, r.line)
    } else {
        Origin::cite(spec_path, &r.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_fact(text: &str) -> Facts {
        Facts::only(&Fact {
            text: text.to_string(),
            lower: text.to_lowercase(),
            origin: Origin::at("constitution.md", 1),
            span: None,
        })
    }

    #[test]
    fn backing_services_by_their_product_names() {
        let neondb = one_fact("Storage: External NeonDB (unchanged from Phase-3)").backing();
        assert_eq!(neondb.len(), 1);
        assert_eq!(neondb[0].kind, ServiceKind::Postgres);
        assert_eq!(neondb[0].mode.value, ServiceMode::External);
        assert_eq!(neondb[0].product, "External NeonDB");
        let redis = one_fact("Cache: Redis 7 (in-cluster, persistent volume 1Gi)").backing();
        assert_eq!(
            (redis[0].kind, redis[0].mode.value),
            (ServiceKind::Redis, ServiceMode::InCluster)
        );
    }

    #[test]
    fn a_port_belongs_to_the_component_named_nearest_before_it() {
        let f =
            one_fact("Local development: `cd frontend && npm run dev`, `cd backend && uvicorn main:app --port 8001`");
        assert_eq!(f.port(Role::Backend, "backend").map(|p| p.value), Some(8001));
        assert_eq!(f.port(Role::Frontend, "frontend").map(|p| p.value), None);
        let f = one_fact("The web client calls the API on port 8000");
        assert_eq!(f.port(Role::Backend, "api").map(|p| p.value), Some(8000));
        assert_eq!(f.port(Role::Frontend, "web").map(|p| p.value), None);
        // With no component named before the port, the nearest one after it.
        let f = one_fact("Port 3000 for the frontend, behind the ingress");
        assert_eq!(f.port(Role::Frontend, "frontend").map(|p| p.value), Some(3000));
        // A component's own name counts as much as its role's words.
        let f = one_fact("The storefront listens on port 3000 and calls the API");
        assert_eq!(f.port(Role::Frontend, "storefront").map(|p| p.value), Some(3000));
    }

    #[test]
    fn statements_that_the_application_keeps_no_data() {
        for text in [
            "Storage: none",
            "**Storage**: N/A",
            "Database: none (the service is stateless)",
            "- Storage: not needed",
            "The todo service needs no database",
        ] {
            assert!(one_fact(text).no_storage().is_some(), "{text}");
        }
        for text in [
            "Storage: PostgreSQL 17 (in-cluster)",
            "Database: Neon PostgreSQL (external)",
            "Storage: nonexistent files are reported",
            "Users can store notes",
        ] {
            assert!(one_fact(text).no_storage().is_none(), "{text}");
        }
    }

    #[test]
    fn megabytes_in_clauses() {
        assert_eq!(megabytes("image sizes <200mb (frontend)"), Some(200));
        assert_eq!(megabytes("150 mb"), Some(150));
        assert_eq!(megabytes("no size"), None);
    }

    #[test]
    fn secret_names() {
        for s in ["DATABASE_URL", "OPENAI_API_KEY", "BETTER_AUTH_SECRET", "REDIS_PASSWORD"] {
            assert!(is_secret_name(s), "{s}");
        }
        for s in [
            "LOG_LEVEL",
            "API_URL",
            "NODE_ENV",
            "KEY",
            "USE_DAPR_SECRETS",
            "DAPR_SECRET_STORE_NAME",
            "JWT_SECRET_ALGORITHM",
            "PASSWORD_MIN_LENGTH",
        ] {
            assert!(!is_secret_name(s), "{s}");
        }
    }

    #[test]
    fn a_number_is_a_port_only_where_the_text_says_port() {
        assert_eq!(port_in("the backend listens on port 8000"), Some(8000));
        assert_eq!(port_in("backend port: 8080"), Some(8080));
        assert_eq!(port_in("ports 3000 and 8000"), Some(3000));
        assert_eq!(port_in("port number `9000`"), Some(9000));
        assert_eq!(port_in("the backend must support 10 concurrent users"), None);
        assert_eq!(port_in("export 10 reports, transport 5"), None);
        assert_eq!(port_in("portability 3"), None);
        // A node port is the node's, not the container's.
        assert_eq!(port_in("expose the backend service via nodeport on port 30800"), None);
        assert_eq!(port_in("a node port 30080 forwards to port 8000"), Some(8000));
        assert_eq!(port_in("the backend listens on port 30800"), Some(30800));
        assert_eq!(
            node_port_in("expose the backend service via nodeport on port 30800"),
            Some(30800)
        );
        assert_eq!(node_port_in("nodeport: 30080 for the frontend"), Some(30080));
        assert_eq!(node_port_in("the backend listens on port 30800"), None);
        assert_eq!(node_port_in("expose it as a nodeport on port 8000"), None);
    }

    #[test]
    fn a_node_port_belongs_to_the_role_its_clause_names() {
        let facts = one_fact("Exposure: the frontend via NodePort 30080, the backend as ClusterIP");
        assert_eq!(facts.node_port(Role::Frontend).map(|v| v.value), Some(30080));
        assert_eq!(facts.node_port(Role::Backend), None);
        let both = one_fact("Frontend on node port 30080 and backend on nodePort 30081");
        assert_eq!(both.node_port(Role::Frontend).map(|v| v.value), Some(30080));
        assert_eq!(both.node_port(Role::Backend).map(|v| v.value), Some(30081));
        assert_eq!(one_fact("the frontend via NodePort").node_port(Role::Frontend), None);
    }

    #[test]
    fn namespaces_in_common_phrasings() {
        for (text, ns) in [
            ("All resources MUST live in the `todo` namespace", Some("todo")),
            ("Namespace: todo-app", Some("todo-app")),
            ("deploy into namespace `todo`", Some("todo")),
            ("a namespace named chat", Some("chat")),
            ("**Namespace**: todo (dedicated)", Some("todo")),
            ("Namespace: dedicated namespace per environment", None),
            ("namespace isolation for every team", None),
            ("namespaces are cheap", None),
        ] {
            assert_eq!(namespace_in(text).as_deref(), ns, "{text}");
        }
    }

    #[test]
    fn replicas_per_component() {
        let be = |t: &str| replicas_in(&t.to_lowercase(), false, Role::Backend, "backend");
        let fe = |t: &str| replicas_in(&t.to_lowercase(), false, Role::Frontend, "frontend");
        assert_eq!(be("Replicas: 1 for the backend"), Some(1));
        assert_eq!(fe("Replicas: 1 for the backend"), None);
        assert_eq!(be("Replicas: 1 for the backend, 2 for the frontend"), Some(1));
        assert_eq!(fe("Replicas: 1 for the backend, 2 for the frontend"), Some(2));
        assert_eq!(fe("Replicas: 2"), Some(2));
        assert_eq!(be("run two replicas of each service"), Some(2));
        assert_eq!(be("at least 2 replicas in production"), None);
        let both = "1 replica per component locally and 2 in production values";
        assert_eq!(be(both), Some(1));
        assert_eq!(replicas_in(both, true, Role::Backend, ""), Some(2));
        assert_eq!(
            replicas_in("at least 2 replicas in production", true, Role::Backend, ""),
            Some(2)
        );
        assert_eq!(be("the chart supports replica scaling"), None);
        assert_eq!(replica_count("replica count of 3"), Some(3));
    }

    #[test]
    fn storage_sizes() {
        assert_eq!(
            storage_size("Redis 7 (in-cluster, persistent volume 1Gi)").as_deref(),
            Some("1Gi")
        );
        assert_eq!(storage_size("no volume"), None);
    }
}

/// A dotted Python name: `app.main`, `jobs.run` (not `0.0.0.0`).
fn python_name(s: &str) -> bool {
    s.split('.').all(|p| {
        p.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The first start command of `language` in a text (see [`Facts::entry_point`]).
fn entry_in(text: &str, language: &str) -> Option<(EntryKind, String)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '`' || c == '"' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let clean = |w: &str| w.trim_end_matches([',', '.', ';', ':']).to_string();
    for (i, w) in words.iter().enumerate() {
        let rest = &words[i + 1..];
        match (language, *w) {
            ("python", "uvicorn" | "hypercorn" | "gunicorn") => {
                // The first `module:object` after the program, skipping its options.
                let target = rest.iter().take(8).map(|a| clean(a)).find(|a| {
                    let (m, o) = a.split_once(':').unwrap_or(("", ""));
                    python_name(m)
                        && !o.is_empty()
                        && o.chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '(' || c == ')')
                })?;
                let kind = if *w == "gunicorn" && !rest.iter().take(8).any(|a| a.contains("uvicorn")) {
                    EntryKind::Wsgi
                } else {
                    EntryKind::Asgi
                };
                return Some((kind, target));
            }
            ("python", "python" | "python3") if rest.first() == Some(&"-m") => {
                let m = clean(rest.get(1)?);
                if python_name(&m) {
                    return Some((EntryKind::PythonModule, m));
                }
            }
            ("node", "node") => {
                let file = clean(rest.first()?);
                if [".js", ".mjs", ".cjs"].iter().any(|x| file.ends_with(x)) && !file.starts_with('-') {
                    return Some((EntryKind::NodeScript, file.trim_start_matches("./").to_string()));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod entry_tests {
    use super::entry_in;
    use crate::model::deploy::EntryKind;

    #[test]
    fn start_commands_in_prose() {
        assert_eq!(
            entry_in("The API runs with `uvicorn app.main:app --port 8000`.", "python"),
            Some((EntryKind::Asgi, "app.main:app".into()))
        );
        assert_eq!(
            entry_in("served by gunicorn -w 2 app:server", "python"),
            Some((EntryKind::Wsgi, "app:server".into()))
        );
        assert_eq!(
            entry_in("gunicorn -k uvicorn.workers.UvicornWorker main:app", "python"),
            Some((EntryKind::Asgi, "main:app".into()))
        );
        assert_eq!(
            entry_in("the worker is `python -m jobs.run`", "python"),
            Some((EntryKind::PythonModule, "jobs.run".into()))
        );
        assert_eq!(
            entry_in("start it with node ./dist/server.js", "node"),
            Some((EntryKind::NodeScript, "dist/server.js".into()))
        );
        assert_eq!(entry_in("uvicorn app.main:app", "node"), None);
        assert_eq!(entry_in("Deploy with uvicorn: 2 workers", "python"), None);
        assert_eq!(entry_in("Node.js 22 at 10:30", "node"), None);
        assert_eq!(entry_in("uvicorn on 0.0.0.0:8000", "python"), None);
    }
}
