//! The deployment model: what gets built and deployed, resolved from every input.
//!
//! Dockerfiles, manifests, contracts and the documents are all rendered from this one
//! model, which is why they agree on ports, names, images, probes and secrets. Every value
//! a reader might question is a [`Valued`], carrying the [`Origin`] that decided it, and
//! `sp plan --explain` prints them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Origin;

/// The Skaffold configuration version sp writes (`skaffold.yaml`) and research.md names.
pub const SKAFFOLD_API_VERSION: &str = "skaffold/v4beta14";

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Valued<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Valued<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Valued { value, origin }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    /// The application's name: part-of label, image prefix, chart name (DNS-1123).
    pub app: Valued<String>,
    pub namespace: Valued<String>,
    pub components: Vec<Component>,
    pub backing_services: Vec<BackingService>,
    pub platform: Platform,
    pub rollout: Rollout,
    /// AI-ops tools to document (kubectl-ai, kagent, Gordon), each with a manual fallback.
    pub tooling: Vec<Valued<String>>,
    /// A HorizontalPodAutoscaler in production, only when an input states a load or
    /// availability goal (`resolve::deploy::scale`).
    pub autoscaling: Option<Autoscaling>,
    /// Where Scale/Scope counts more than is deployed (SP413), at the Scale/Scope line.
    pub scale_gaps: Vec<Valued<String>>,
}

/// The production autoscaler of the serving components, each bound with its origin.
#[derive(Debug, Clone, Serialize)]
pub struct Autoscaling {
    /// The goal that asks for it, as written (`at least 10 concurrent users`).
    pub goal: Valued<String>,
    pub min_replicas: Valued<u32>,
    pub max_replicas: Valued<u32>,
    pub target_cpu_percent: Valued<u32>,
    /// The components it scales: those that serve a port.
    pub components: Vec<String>,
}

/// A component's role and how its stack runs are the catalog's vocabulary.
pub use crate::catalog::{Role, RunMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

/// A `localhost` address the browser code calls, and the Service that answers it there
/// through `kubectl port-forward`.
#[derive(Debug, Clone, Serialize)]
pub struct BrowserForward {
    /// The build argument (`NEXT_PUBLIC_API_URL`).
    pub variable: String,
    pub url: String,
    pub service: String,
    pub port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// DNS-1123 label: Deployment, Service, container and image name.
    pub name: String,
    pub role: Valued<Role>,
    /// Catalog id of the stack (`nextjs-standalone`, `fastapi-uv`…).
    pub stack: Valued<String>,
    /// Human name of the stack (`Next.js (standalone server)`).
    pub stack_name: String,
    /// Folder of the component's source, relative to the workspace root, when it exists.
    pub source_dir: Valued<Option<String>>,
    /// `node`, `python`, `go`.
    pub language: String,
    pub language_version: Valued<String>,
    pub package_manager: Valued<String>,
    /// The file the install step follows: the lock file present in the component's folder
    /// (`package-lock.json`, `pnpm-lock.yaml`, `yarn.lock`, `bun.lock`, `uv.lock`) or
    /// `requirements.txt`; `None` when the folder has none and the install resolves versions
    /// when the image is built.
    pub lockfile: Option<Valued<String>>,
    /// The line of that file that installs from other files of the folder (`-r base.txt`,
    /// `-e .`): the image copies the folder before the install instead of the file alone.
    pub install_reads_folder: Option<Valued<String>>,
    pub run_mode: Valued<RunMode>,
    /// What starts the process, as found in the source (`backend.main:app`, `src/server.js`,
    /// `./cmd/api`); `None` when nothing in the repository says and the catalog's command
    /// applies.
    pub entry: Option<Entry>,
    /// Container port; `None` for workers. One value: EXPOSE, the command, `containerPort`,
    /// the probes, the Service and the contracts all read it.
    pub port: Option<Valued<u16>>,
    pub health: Option<Health>,
    pub image: Image,
    /// Base image of each Dockerfile stage, pinned.
    pub stages: Vec<Stage>,
    pub size_budget_mb: Option<Valued<u32>>,
    /// Replicas in the raw manifests and values-local.yaml.
    pub replicas: Valued<u32>,
    pub resources: Resources,
    /// Non-secret configuration, delivered through the component's ConfigMap.
    pub config: Vec<ConfigValue>,
    /// Secrets the process reads, each delivered the way the code reads it (see
    /// [`SecretDelivery`]).
    pub secrets: Vec<SecretRef>,
    /// Variables inlined at build time (`NEXT_PUBLIC_*`, `VITE_*`): Docker build arguments,
    /// never runtime configuration, since the built bundle cannot read the pod's environment.
    pub build_args: Vec<ConfigValue>,
    /// Build arguments whose value the browser calls at `localhost` (a server-rendered
    /// frontend's `NEXT_PUBLIC_API_URL=http://localhost:8000`): they reach that Service only
    /// while a port-forward to it runs on the user's machine, which the quickstart starts.
    pub browser_forwards: Vec<BrowserForward>,
    /// Every environment variable the source reads, where, and how it is delivered.
    pub env_reads: Vec<EnvRead>,
    pub exposure: Exposure,
    /// Names of components and backing services this one calls.
    pub depends_on: Vec<String>,
    /// What a static site's nginx forwards to other Services (empty for other run modes).
    pub proxies: Vec<ProxyRoute>,
    /// Folders the process writes to, mounted as `emptyDir` under a read-only root.
    pub writable_dirs: Vec<String>,
    /// Numeric user of the runtime stage, 10000 or more unless an input says otherwise (the
    /// gates judge that), with the input that said it.
    pub uid: Valued<u32>,
    /// Numeric group of the runtime stage: the user's number.
    pub gid: u32,
    /// The runtime command, JSON form: from the source (the team's own Dockerfile, compose
    /// file, Procfile, package.json, the ASGI object), else the catalog's, with the one port.
    pub command: Valued<Vec<String>>,
    /// How the image compiles the code before it can run (a TypeScript server: the package's
    /// `build` script or `tsc`), with the folder the runtime stage copies; `None` when the
    /// code runs as written.
    pub compile: Option<Compile>,
    /// Development dependencies the runtime stage copies beside the production ones
    /// (`typescript`, for `next start` to read next.config.ts), each from the file that needs it.
    pub runtime_packages: Vec<Valued<String>>,
    /// True when the stack needs more than the default to answer its first probe.
    pub slow_start: bool,
}

/// A path a static site's nginx forwards to a Service, so the browser reaches it on the
/// site's own origin: what the dev server's proxy forwarded in development (Vite's
/// `server.proxy`, which `vite build` leaves behind), or else the backend under `/api/`.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyRoute {
    /// The nginx location: a path prefix (`/api/`), or a regular expression when `regex`.
    pub path: String,
    pub regex: bool,
    /// The Service and port it forwards to.
    pub service: String,
    pub port: u16,
    /// The Service gets the path without the prefix (`/api/todos` → `/todos`).
    pub strip: bool,
    /// WebSocket upgrades are forwarded too.
    pub websocket: bool,
    /// The Service sees its own name in `Host` (Vite's `changeOrigin`), not the site's host.
    pub target_host: bool,
    pub origin: Origin,
}

/// The build step of a component whose code is compiled (TypeScript): a build stage installs
/// with the development dependencies and runs `command`; the runtime stage installs the
/// production dependencies only and copies `output`.
#[derive(Debug, Clone, Serialize)]
pub struct Compile {
    /// `npm run build`, `npx tsc -p tsconfig.json`.
    pub command: Valued<String>,
    /// The folder the compiled files are written to, relative to the component folder
    /// (`dist`, from `compilerOptions.outDir`).
    pub output: Valued<String>,
    /// Whether `output` holds only compiled files (an `outDir`), so the build context leaves
    /// a stale local copy out; false when tsc writes beside the sources.
    pub separate: bool,
}

/// What starts a component, found in its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub kind: EntryKind,
    /// `backend.main:app` (an ASGI/WSGI object by import path), `src/server.js` (a file run
    /// by the runtime), `./cmd/api` (a Go main package), or a command line.
    pub target: String,
    /// The folder, relative to the workspace root (`.` for the root), that `target` is
    /// relative to: the process's working directory and import root.
    pub root: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// An ASGI application object (FastAPI, Starlette, Django's `asgi.py`).
    Asgi,
    /// A WSGI application object (Flask, Django's `wsgi.py`).
    Wsgi,
    /// A Python module run with `python -m`.
    PythonModule,
    /// A JavaScript file run with `node`.
    NodeScript,
    /// A Go `main` package.
    GoMain,
    /// A binary its manifest names (Cargo's `[[bin]]` or package name), built by the image.
    Binary,
    /// A command the team wrote themselves (Dockerfile `CMD`, compose `command:`, Procfile).
    Command,
}

/// An environment variable the source reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvRead {
    pub name: String,
    /// A credential by its name (`*_SECRET`, `*_KEY`, `*_PASSWORD`, `*_URL` of a database…).
    pub secret: bool,
    /// Read without a default: the process fails (or misbehaves) when it is missing.
    pub required: bool,
    /// The default the code falls back to, when it has one.
    pub default: Option<CodeDefault>,
    /// How it reaches the process: `secret <name>/<key>`, `config`, `build-arg`, `code
    /// default`, or `missing`.
    pub delivered: String,
    /// Read by the build's own configuration (`next.config.*`): its value is fixed when the
    /// image is built (a rewrite destination lands in the routes manifest).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub at_build: bool,
    pub origin: Origin,
    /// Where it is read, for diagnostics.
    #[serde(skip)]
    pub span: Option<crate::source::Span>,
}

/// A fallback literal in the source. A credential's fallback (`os.getenv("JWT_SECRET",
/// "dev-secret")`) is kept for the resolver's own reasoning but never leaves the model:
/// it serialises and displays as `<hidden>`, so neither `--explain` (whose output lands in
/// CI logs and PR comments) nor any document can print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDefault {
    value: String,
    credential: bool,
}

impl CodeDefault {
    pub fn new(value: String, credential: bool) -> Self {
        CodeDefault { value, credential }
    }

    /// The literal, for reasoning about it (is it a `localhost` address?), never for output.
    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn is_credential(&self) -> bool {
        self.credential
    }
}

impl std::fmt::Display for CodeDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.credential { "<hidden>" } else { &self.value })
    }
}

impl Serialize for CodeDefault {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub liveness: Valued<String>,
    pub readiness: Valued<String>,
    pub startup: Valued<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub repository: Valued<String>,
    pub tag: Valued<String>,
    pub pull_policy: Valued<String>,
}

impl Image {
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository.value, self.tag.value)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// `deps`, `build`, `runtime`…
    pub name: String,
    pub base: Valued<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resources {
    pub cpu_request: Valued<String>,
    pub cpu_limit: Valued<String>,
    pub memory_request: Valued<String>,
    pub memory_limit: Valued<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigValue {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretRef {
    /// The environment variable the process reads.
    pub env: String,
    /// The Kubernetes Secret that holds it, created from the CLI.
    pub secret: String,
    /// The key inside that Secret.
    pub key: String,
    pub delivery: SecretDelivery,
    /// The code does without it (`os.getenv("A") or os.getenv("B")` reads B only as an alias
    /// of A): `secretKeyRef.optional`, so a Secret without the key still starts the pod, and
    /// the quickstart does not ask for it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    pub origin: Origin,
}

/// How a secret reaches the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretDelivery {
    /// The variable itself, from `valueFrom.secretKeyRef`: what applications read.
    Env,
    /// A read-only file under `/var/run/secrets/<secret>/`, named by `<ENV>_FILE`: when the
    /// code reads `<ENV>_FILE` or a constitution rule demands files.
    File,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    pub service_type: Valued<ServiceType>,
    /// Host name of an Ingress, when the component is exposed through one.
    pub ingress_host: Option<Valued<String>>,
    /// The port every node opens for a NodePort Service (30000–32767), when the input names
    /// one; Kubernetes picks a free one otherwise. `None` for the other Service types.
    pub node_port: Option<Valued<u16>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Postgres,
    Redis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceMode {
    /// Outside the cluster, reached by a URL from a Secret (Neon, a managed Redis).
    External,
    /// A StatefulSet with a PersistentVolumeClaim and a password from a Secret.
    InCluster,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackingService {
    pub name: String,
    pub kind: ServiceKind,
    pub mode: Valued<ServiceMode>,
    /// Product name as the inputs say it (`Neon PostgreSQL`, `Redis 7`).
    pub product: String,
    pub version: Valued<String>,
    /// Pinned image, for in-cluster services.
    pub image: Option<Valued<String>>,
    pub port: u16,
    /// Size of the PersistentVolumeClaim, for in-cluster services.
    pub storage: Option<Valued<String>>,
    /// The Secret holding the connection URL or password.
    pub secret: SecretRef,
    pub uid: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlatformKind {
    Minikube,
    Kind,
    Generic,
}

#[derive(Debug, Clone, Serialize)]
pub struct Platform {
    pub kind: Valued<PlatformKind>,
    pub kubernetes_version: Valued<String>,
    /// How locally built images reach the cluster (`minikube image load`…).
    pub image_loading: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollout {
    pub max_surge: Valued<String>,
    pub max_unavailable: Valued<String>,
    pub zero_downtime: Valued<bool>,
    pub termination_grace_seconds: Valued<u32>,
    pub pre_stop_sleep_seconds: Valued<u32>,
    /// Replicas in values-production.yaml (and the threshold for a PodDisruptionBudget).
    pub production_replicas: Valued<u32>,
}

/// A hand-built deployment covering every kind of part: a Next.js frontend behind a
/// NodePort, a FastAPI backend, a Go worker, an external PostgreSQL and an in-cluster
/// Redis. Renderer tests use it so they do not depend on resolution.
#[cfg(test)]
pub mod fixture {
    use super::*;

    fn v<T>(value: T) -> Valued<T> {
        Valued::new(value, Origin::at("specs/001-x/plan-input.md", 1))
    }

    fn secret(env: &str, secret: &str) -> SecretRef {
        SecretRef {
            optional: false,
            env: env.into(),
            secret: secret.into(),
            key: env.to_lowercase().replace('_', "-"),
            delivery: SecretDelivery::Env,
            origin: Origin::at("specs/001-x/spec.md", 9),
        }
    }

    fn resources() -> Resources {
        Resources {
            cpu_request: v("100m".into()),
            cpu_limit: v("500m".into()),
            memory_request: v("128Mi".into()),
            memory_limit: v("512Mi".into()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn component(
        name: &str,
        role: Role,
        stack: &str,
        language: &str,
        version: &str,
        pm: &str,
        mode: RunMode,
        port: Option<u16>,
        stages: &[(&str, &str)],
        command: &[&str],
    ) -> Component {
        Component {
            name: name.into(),
            role: v(role),
            stack: v(stack.into()),
            stack_name: stack.into(),
            source_dir: v(Some(name.into())),
            language: language.into(),
            language_version: v(version.into()),
            package_manager: v(pm.into()),
            lockfile: match pm {
                "pnpm" => Some(v("pnpm-lock.yaml".into())),
                "uv" => Some(v("uv.lock".into())),
                _ => None,
            },
            install_reads_folder: None,
            run_mode: v(mode),
            entry: None,
            port: port.map(v),
            health: port.map(|_| Health {
                liveness: v("/healthz".into()),
                readiness: v("/readyz".into()),
                startup: v("/healthz".into()),
            }),
            image: Image {
                repository: v(format!("todo-{name}")),
                tag: v("0.1.0".into()),
                pull_policy: v("IfNotPresent".into()),
            },
            stages: stages
                .iter()
                .map(|(n, b)| Stage {
                    name: n.to_string(),
                    base: v(b.to_string()),
                })
                .collect(),
            size_budget_mb: Some(v(200)),
            replicas: v(1),
            resources: resources(),
            config: vec![ConfigValue {
                name: "LOG_LEVEL".into(),
                value: "info".into(),
                origin: Origin::derived("default"),
            }],
            secrets: Vec::new(),
            build_args: Vec::new(),
            browser_forwards: Vec::new(),
            env_reads: Vec::new(),
            exposure: Exposure {
                service_type: v(ServiceType::ClusterIP),
                ingress_host: None,
                node_port: None,
            },
            depends_on: Vec::new(),
            proxies: Vec::new(),
            writable_dirs: vec!["/tmp".into()],
            uid: v(10001),
            gid: 10001,
            command: v(command.iter().map(|s| s.to_string()).collect()),
            compile: None,
            runtime_packages: Vec::new(),
            slow_start: false,
        }
    }

    pub fn deployment() -> Deployment {
        let mut web = component(
            "web",
            Role::Frontend,
            "nextjs-standalone",
            "node",
            "24",
            "pnpm",
            RunMode::Server,
            Some(3000),
            &[
                ("deps", "node:24.11-alpine3.22"),
                ("build", "node:24.11-alpine3.22"),
                ("runtime", "node:24.11-alpine3.22"),
            ],
            &["node", "server.js"],
        );
        web.exposure.service_type = v(ServiceType::NodePort);
        web.writable_dirs.push("/app/.next/cache".into());
        web.slow_start = true;
        web.depends_on = vec!["api".into()];
        web.config.push(ConfigValue {
            name: "API_URL".into(),
            value: "http://api:8000".into(),
            origin: Origin::derived("the api component"),
        });
        let mut api = component(
            "api",
            Role::Backend,
            "fastapi",
            "python",
            "3.13",
            "uv",
            RunMode::Server,
            Some(8000),
            &[
                ("uv", "ghcr.io/astral-sh/uv:0.9.5"),
                ("build", "python:3.13.9-slim-bookworm"),
                ("runtime", "python:3.13.9-slim-bookworm"),
            ],
            &["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
        );
        // One secret as the variable itself, one as a file the code reads through `_FILE`.
        let mut key_file = secret("OPENAI_API_KEY", "todo-secrets");
        key_file.delivery = SecretDelivery::File;
        api.secrets = vec![secret("DATABASE_URL", "todo-db"), key_file];
        api.depends_on = vec!["postgres".into(), "redis".into()];
        let mut worker = component(
            "worker",
            Role::Worker,
            "go-worker",
            "go",
            "1.25",
            "go",
            RunMode::Worker,
            None,
            &[("build", "golang:1.25.4-alpine3.22"), ("runtime", "alpine:3.22.2")],
            &["/app/worker"],
        );
        worker.depends_on = vec!["redis".into()];
        worker.secrets = vec![secret("REDIS_PASSWORD", "todo-redis")];
        Deployment {
            app: v("todo".into()),
            namespace: v("todo".into()),
            components: vec![web, api, worker],
            backing_services: vec![
                BackingService {
                    name: "postgres".into(),
                    kind: ServiceKind::Postgres,
                    mode: v(ServiceMode::External),
                    product: "Neon PostgreSQL".into(),
                    version: v("17".into()),
                    image: None,
                    port: 5432,
                    storage: None,
                    secret: SecretRef {
                        optional: false,
                        delivery: SecretDelivery::File,
                        ..secret("DATABASE_URL", "todo-db")
                    },
                    uid: 10001,
                },
                BackingService {
                    name: "redis".into(),
                    kind: ServiceKind::Redis,
                    mode: v(ServiceMode::InCluster),
                    product: "Redis 7".into(),
                    version: v("7".into()),
                    image: Some(v("redis:7.4.6-alpine3.22".into())),
                    port: 6379,
                    storage: Some(v("1Gi".into())),
                    secret: SecretRef {
                        optional: false,
                        delivery: SecretDelivery::File,
                        ..secret("REDIS_PASSWORD", "todo-redis")
                    },
                    uid: 10001,
                },
            ],
            platform: Platform {
                kind: v(PlatformKind::Minikube),
                kubernetes_version: v("1.33".into()),
                image_loading: "minikube image load".into(),
            },
            rollout: Rollout {
                max_surge: v("1".into()),
                max_unavailable: v("0".into()),
                zero_downtime: v(true),
                termination_grace_seconds: v(30),
                pre_stop_sleep_seconds: v(5),
                production_replicas: v(2),
            },
            tooling: vec![v("kubectl-ai".into()), v("kagent".into())],
            autoscaling: None,
            scale_gaps: Vec::new(),
        }
    }
}
