//! One component of the deployment, field by field. [`component`] reads as the order the
//! fields are decided in, one call each, and every field's function applies one chain of
//! sources, highest first; the value keeps the origin of the source that decided it, which
//! `sp plan --explain` prints. The chains are [`PRECEDENCE`], which `sp explain precedence`
//! prints: a field added here is added there, and a test holds the two to the model.
//!
//! A typed value that overrides a different prose value is reported at the prose (SP402):
//! [`Field::typed_over`].

mod exposure;
mod folder;
mod probes;
mod runtime;
mod toolchain;

use std::collections::BTreeSet;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::deploy::{Component, Exposure, Platform, RunMode, Valued};
use crate::model::{Origin, OriginKind};

use super::input::ComponentInput;
use super::prose::Facts;
use super::{DeployInputs, code, discover, imports, install, repo, role_of, typescript};

pub use exposure::shared_node_ports;
pub use folder::report_missing_folders;
pub use toolchain::STAGE_ORDER;

/// One field of a component as `sp plan --explain` names it, and where its value may come
/// from, highest first.
pub struct Chain {
    pub field: &'static str,
    /// Which file of this folder (or of `resolve/deploy/`) decides it.
    pub file: &'static str,
    pub sources: &'static [&'static str],
}

/// How each field of a component is decided. Typed means `--set components.<name>.<key>`, then
/// the YAML block of plan-input.md; prose means plan-input.md, the spec's clarifications and
/// requirements, and the constitution's technology section, in that order.
pub const PRECEDENCE: &[Chain] = &[
    Chain {
        field: "source_dir",
        file: "component/folder.rs",
        sources: &[
            "typed sourceDir",
            "the folder discovery found the component in",
            "the folder a script or workflow of the repository builds its image from",
            "a folder named like the component or its role (backend/, api/, server/; frontend/, web/; worker/)",
            "the one folder with that word in its name (todo_api/), or one level down (phase4/backend/)",
            "of several one level down, the one under the folder the spec or plan input names as a path (phase4/)",
            "of several one level down, the one under a folder named after the feature (phase5-cloud-deploy/ for 005-cloud-deploy)",
            "the root project, when it packages a folder of that name",
        ],
    },
    Chain {
        field: "stack",
        file: "component/toolchain.rs",
        sources: &[
            "typed stack",
            "the folder's manifest and lock file, then the framework object in its code (app = FastAPI()), when of the language the stack line names",
            "the stack line (Backend: FastAPI, Python 3.13+)",
            "none: SP407, and the component is not built",
        ],
    },
    Chain {
        field: "role",
        file: "component/toolchain.rs",
        sources: &[
            "typed role",
            "the stack line's role word (Backend:)",
            "the stack's own role",
        ],
    },
    Chain {
        field: "language_version",
        file: "component/toolchain.rs",
        sources: &[
            "typed languageVersion",
            "the folder's version files in the catalog's order (.nvmrc, .node-version, engines.node; .python-version, requires-python; go.mod; rust-toolchain.toml; then its own image's FROM tag): an exact version as written; a range gets the folder's own image's version inside it, else the prose version inside it, else the newest catalog version inside it (SP408 when none is)",
            "prose (Python 3.13+)",
            "the catalog's first version",
        ],
    },
    Chain {
        field: "package_manager",
        file: "component/toolchain.rs",
        sources: &[
            "typed packageManager",
            "the folder's lock file (uv.lock, pnpm-lock.yaml)",
            "a package manager named on the stack line (FastAPI, Python 3.13+, UV)",
            "the stack's first package manager",
        ],
    },
    Chain {
        field: "lockfile",
        file: "install.rs",
        sources: &[
            "the package manager's lock file in the folder",
            "without a folder yet, the one it will have",
            "none: an unlocked install, SP432",
        ],
    },
    Chain {
        field: "entry",
        file: "code.rs",
        sources: &[
            "the team's command when what it names exists (Dockerfile CMD, compose command:, Procfile web:, package.json scripts.start or main)",
            "the application in the code (app = FastAPI(), app.listen(...), package main, fn main)",
            "a prose start command",
            "none",
        ],
    },
    Chain {
        field: "command",
        file: "code.rs",
        sources: &[
            "typed command",
            "the stack's command around the entry point",
            "the team's command as written, when it names nothing sp reads",
            "the stack's command (SP423 when the folder was read)",
        ],
    },
    Chain {
        field: "port",
        file: "code.rs",
        sources: &[
            "typed port",
            "the team's command (--port, -p, --bind)",
            "package.json scripts",
            "the code (uvicorn.run(port=...), app.listen(...), a PORT default)",
            "Dockerfile EXPOSE",
            "compose ports",
            ".env.example PORT",
            "prose where the text says port",
            "the catalog",
        ],
    },
    Chain {
        field: "health.liveness",
        file: "component/probes.rs",
        sources: &[
            "typed health.liveness",
            "a health route the source declares (/healthz, /health)",
            "prose",
            "the catalog's route",
            "none declared in source that was read: tcpSocket probes, SP424",
        ],
    },
    Chain {
        field: "health.readiness",
        file: "component/probes.rs",
        sources: &[
            "typed health.readiness",
            "a readiness route the source declares (/readyz, /ready)",
            "the liveness route, when it is not the catalog's",
            "the catalog's route",
        ],
    },
    Chain {
        field: "health.startup",
        file: "component/probes.rs",
        sources: &["typed health.startup", "the liveness route"],
    },
    Chain {
        field: "config",
        file: "code.rs",
        sources: &[
            "typed config",
            "the variables the code reads, with their defaults, and .env.example",
            "the environment of the compose service that builds the folder (SP440 for a value naming another compose service)",
            "a Service or Ingress address for a localhost or own-URL value, after wiring",
            "LOG_LEVEL at info",
        ],
    },
    Chain {
        field: "secrets",
        file: "code.rs",
        sources: &[
            "typed secrets",
            "variables the code reads whose names are credentials",
            "the secrets the prose and backing services name",
        ],
    },
    Chain {
        field: "build_args",
        file: "code.rs",
        sources: &[
            "typed config of a NEXT_PUBLIC_*, VITE_*, REACT_APP_* or GATSBY_* name",
            ".env.example",
            "the environment of the compose service that builds the folder",
            "the frontend's own origin or a port-forward for a localhost API URL",
        ],
    },
    Chain {
        field: "image.repository",
        file: "component/runtime.rs",
        sources: &["typed image", "<app>-<component>"],
    },
    Chain {
        field: "image.tag",
        file: "component/runtime.rs",
        sources: &["typed tag", "0.1.0 (never latest)"],
    },
    Chain {
        field: "image.pull_policy",
        file: "component/runtime.rs",
        sources: &["typed pullPolicy", "prose (imagePullPolicy Never)", "IfNotPresent"],
    },
    Chain {
        field: "stages",
        file: "component/toolchain.rs",
        sources: &["the catalog's images for the language version, a build stage when the code is compiled"],
    },
    Chain {
        field: "size_budget_mb",
        file: "component/runtime.rs",
        sources: &["typed sizeBudgetMb", "prose (<200MB (frontend))", "none"],
    },
    Chain {
        field: "replicas",
        file: "component/runtime.rs",
        sources: &["typed replicas", "prose (2 replicas)", "one on a local cluster"],
    },
    Chain {
        field: "resources",
        file: "component/runtime.rs",
        sources: &[
            "typed resources.*",
            "the catalog's, moved to meet a typed request or limit",
        ],
    },
    Chain {
        field: "exposure.service_type",
        file: "component/exposure.rs",
        sources: &[
            "typed exposure",
            "prose (the frontend via NodePort)",
            "NodePort for a frontend on a local cluster, LoadBalancer for one elsewhere, ClusterIP for the rest",
        ],
    },
    Chain {
        field: "exposure.node_port",
        file: "component/exposure.rs",
        sources: &[
            "typed nodePort",
            "prose (NodePort 30080)",
            "none: the cluster assigns one (also when another component has it, SP410)",
        ],
    },
    Chain {
        field: "exposure.ingress_host",
        file: "component/exposure.rs",
        sources: &["typed host", "prose (an Ingress at links.local)", "none"],
    },
    Chain {
        field: "uid",
        file: "component/runtime.rs",
        sources: &["typed uid", "prose (run as root)", "10001"],
    },
];

/// A component as [`component`] resolved it, and the line to report it on when no folder of
/// the repository is named like it (several nested ones are reported as they are found).
pub struct Built {
    pub component: Component,
    pub folder_unfound: Option<Origin>,
    /// Compose values that name another compose service, settled once all are built.
    pub compose_peers: Vec<code::ComposePeer>,
}

/// What every field of one component reads: the inputs, the component's typed input and its
/// stack line, and where a typed key of it was written.
pub(super) struct Field<'a> {
    cx: &'a DeployInputs<'a>,
    name: &'a str,
    ci: &'a ComponentInput,
    facts: &'a Facts,
    t: &'a dyn Fn(&str) -> Origin,
    /// The component's stack line (`Backend: FastAPI, Python 3.13+`), empty without one.
    line_value: &'a str,
    /// Where that line is; the component's key in the typed input without one.
    line_origin: Origin,
}

impl Field<'_> {
    /// `components.<name>.<field>`, the key of a typed value.
    fn key(&self, field: &str) -> String {
        format!("components.{}.{field}", self.name)
    }

    /// The typed value of `field`, at the line or `--set` that gave it.
    fn typed<T>(&self, value: Option<T>, field: &str) -> Option<Valued<T>> {
        value.map(|v| Valued::new(v, (self.t)(&self.key(field))))
    }

    /// The typed value of `field`, reported at the prose it overrides when they differ. The
    /// caller falls back to the same `prose` (`.or(prose)`), so a prose fact is read once.
    fn typed_over<T: PartialEq + std::fmt::Debug>(
        &self,
        value: Option<T>,
        field: &str,
        what: &str,
        prose: Option<&Valued<T>>,
        diags: &mut Diagnostics,
    ) -> Option<Valued<T>> {
        let typed = self.typed(value, field)?;
        report_override(diags, self.facts, &format!("{what} of `{}`", self.name), &typed, prose);
        Some(typed)
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn component(
    cx: &DeployInputs,
    named: &discover::Named,
    ci: &ComponentInput,
    facts: &Facts,
    platform: &Platform,
    app: &str,
    t: &dyn Fn(&str) -> Origin,
    used_dirs: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<Built> {
    let name = named.name.as_str();
    let line = named.line.as_ref();
    let f = Field {
        cx,
        name,
        ci,
        facts,
        t,
        line_value: line.map(|l| l.value.as_str()).unwrap_or(""),
        line_origin: line
            .map(|l| l.origin.clone())
            .unwrap_or_else(|| t(&format!("components.{name}"))),
    };
    let role_guess = ci
        .role
        .or_else(|| role_of(name))
        .or_else(|| line.and_then(|l| role_of(&l.role)));

    let (source_dir, several_folders) = folder::source_dir(&f, named, role_guess, used_dirs, diags);
    if let Some(d) = &source_dir.value {
        used_dirs.insert(d.clone());
    }
    let repo_dir = source_dir
        .value
        .as_ref()
        .and_then(|d| cx.repo.iter().find(|r| &r.path == d));
    // The folder as this component's image sees it, when a script builds the image with a
    // Dockerfile of its own: its `FROM`, `CMD` and `EXPOSE` are the component's.
    let view = repo_dir.and_then(|r| repo::image_named(r, name).map(|i| repo::with_image(r, i, cx.sources)));
    let repo_dir = view.as_ref().or(repo_dir);
    let code = repo_dir.map(|r| code::Code::read(r, cx.sources));

    let (stack, stack_origin) = toolchain::stack(&f, repo_dir, code.as_ref(), role_guess, diags)?;
    let detected = repo_dir.map(|r| repo::detect(r, cx.sources, Some(stack)));
    let runtime_packages = toolchain::runtime_packages(&f, repo_dir, stack, diags);
    let role = toolchain::role(&f, line, stack);
    let (language_version, version) = toolchain::language_version(&f, stack, detected.as_ref(), diags);
    let package_manager = toolchain::package_manager(&f, stack, detected.as_ref());

    if let (Some(dir), Some(d)) = (repo_dir, detected.as_ref()) {
        install::unusable_lock(name, dir, d, &package_manager.value, cx.sources, diags);
    }
    let lockfile = install::lockfile(name, repo_dir, cx.sources, &package_manager.value, diags);
    if let Some(dir) = repo_dir
        && stack.language == "node"
    {
        install::install_scripts(name, dir, cx.sources, diags);
        if let Some(code) = &code {
            imports::missing_folders(name, code, dir, cx.sources, diags);
        }
    }
    // pip's requirements file: the folder's requirements.txt, or the one the team's image
    // installs (`install::lockfile`).
    let requirements = lockfile
        .as_ref()
        .map(|l| l.value.as_str())
        .filter(|l| package_manager.value == "pip" && l.ends_with(".txt"));
    let install_reads_folder = repo_dir
        .zip(requirements)
        .and_then(|(d, file)| install::requirements_read_folder(d, cx.sources, file));

    let prose_port = facts.port(role.value, name);
    let port = code::port(
        f.typed_over(ci.port, "port", "port", prose_port.as_ref(), diags),
        code.as_ref(),
        prose_port,
        stack,
        name,
        cx.sources,
        facts,
        diags,
    );
    // A TypeScript server: where tsc writes it and how the image compiles it.
    let ts = match (&code, stack.recipe.as_str()) {
        (Some(c), "node-server") => typescript::project(
            c,
            cx.sources,
            cx.catalog
                .language(&stack.language)
                .and_then(|l| l.package_manager(&package_manager.value)),
            diags,
        ),
        _ => None,
    };
    let entry = code::entry_with_prose(
        code.as_ref()
            .and_then(|c| code::entry(c, stack, cx.sources, ts.as_ref())),
        facts.entry_point(&stack.language),
        source_dir.value.as_deref().unwrap_or(name),
        name,
        facts,
        diags,
    );
    let command = code::command(
        f.typed(ci.command.clone(), "command"),
        entry.as_ref(),
        code.as_ref(),
        stack,
        port.as_ref().map(|p| p.value),
        cx.sources,
    );
    if let (Some(dir), Some(requirements)) = (repo_dir, requirements)
        && stack.language == "python"
    {
        install::report_command_not_installed(
            name,
            dir,
            cx.sources,
            &command,
            requirements,
            repo::team_dockerfile(dir, cx.sources).as_deref(),
            diags,
        );
    }
    // The build step, when what starts the component is compiled output (not a file of the
    // source as it is).
    let compile = ts.as_ref().and_then(|p| p.compile.clone()).filter(|_| {
        entry
            .as_ref()
            .is_some_and(|e| code.as_ref().is_some_and(|c| !c.has_file(&e.target)))
    });
    if entry.is_none() && command.origin.kind == OriginKind::Default {
        report_no_entry_point(&f, code.as_ref(), ts.as_ref(), stack, &command, diags);
    }
    let health = probes::health(
        &f,
        probes::Start {
            code: code.as_ref(),
            entry: entry.as_ref(),
            command: &command,
            port: port.as_ref(),
        },
        stack,
        detected.as_ref(),
        role.value,
        diags,
    );

    let image = runtime::image(&f, app, runtime::pull_policy(&f, platform, diags));
    let stages = toolchain::stages(stack, version, &package_manager.value, compile.is_some());
    let env = code::env(
        code.as_ref(),
        detected.as_ref().map(|d| d.env.as_slice()).unwrap_or_default(),
        runtime::config(&f, stack),
        runtime::secrets(&f, app),
        &format!("{app}-secrets"),
        code::constitution_demands_files(cx.constitution).as_ref(),
        port.as_ref(),
        cx.sources,
    );
    let service_type = exposure::service_type(&f, role.value, platform, diags);
    let node_port = exposure::node_port(&f, role.value, &service_type, diags);
    let uid = runtime::uid(&f);

    let folder_unfound = (source_dir.value.is_none() && !several_folders).then(|| f.line_origin.clone());
    let component = Component {
        name: name.to_string(),
        stack: Valued::new(stack.id.clone(), stack_origin),
        stack_name: stack.name.clone(),
        source_dir,
        language: stack.language.clone(),
        language_version,
        package_manager,
        lockfile,
        install_reads_folder,
        run_mode: Valued::new(stack.run_mode, Origin::derived(format!("the {} stack", stack.id))),
        entry,
        command,
        port: if stack.run_mode == RunMode::Worker { None } else { port },
        health,
        image,
        stages,
        size_budget_mb: runtime::size_budget(&f, role.value),
        replicas: runtime::replicas(&f, role.value),
        resources: runtime::resources(&f, stack),
        config: env.config,
        secrets: env.secrets,
        build_args: env.build_args,
        browser_forwards: Vec::new(),
        env_reads: env.reads,
        exposure: Exposure {
            service_type,
            ingress_host: exposure::ingress_host(&f, role.value),
            node_port,
        },
        role,
        depends_on: ci.depends_on.clone(),
        proxies: Vec::new(),
        writable_dirs: stack.writable_dirs.clone(),
        gid: uid.value,
        uid,
        compile,
        runtime_packages,
        slow_start: stack.slow_start,
    };
    Some(Built {
        component,
        folder_unfound,
        compose_peers: env.compose_peers,
    })
}

/// SP423: a server whose folder was read and says nothing of what starts it, so the catalog's
/// command is a guess; for a TypeScript server, what is missing to compile it.
fn report_no_entry_point(
    f: &Field,
    code: Option<&code::Code>,
    ts: Option<&typescript::Project>,
    stack: &crate::catalog::Stack,
    command: &Valued<Vec<String>>,
    diags: &mut Diagnostics,
) {
    let name = f.name;
    let Some(code) = code else { return };
    if stack.run_mode != RunMode::Server || stack.id.starts_with("nextjs") {
        return;
    }
    let ts_server = code
        .files
        .iter()
        .find(|f| typescript::is_ts(&f.rel) && f.facts.main.is_some());
    if let (Some(file), Some(p)) = (ts_server, ts) {
        let why = if p.tsconfig_broken {
            format!("{} does not parse", p.tsconfig.as_deref().unwrap_or("tsconfig.json"))
        } else {
            "no `build` script, and no tsconfig.json with a `typescript` dependency".to_string()
        };
        let mut d = Diagnostic::new(
            Code::NoEntryPoint,
            format!(
                "component `{name}`: the server in {} is TypeScript and nothing says how to compile it ({why}); the {} catalog's command `{}` is a guess",
                file.shown,
                stack.id,
                command.value.join(" ")
            ),
        )
        .hint(if p.tsconfig_broken {
            format!(
                "fix {} (SP434 shows where); with a `\"build\": \"tsc\"` script in {}/package.json or `typescript` among its devDependencies, the image then compiles the server in a build stage and runs the compiled file",
                p.tsconfig.as_deref().unwrap_or("tsconfig.json"),
                code.dir
            )
        } else {
            format!(
                "add `typescript` to the devDependencies of {dir}/package.json, a {dir}/tsconfig.json with `compilerOptions.outDir` (e.g. \"dist\") and `rootDir` (e.g. \"src\"), and `\"build\": \"tsc\"` to its scripts; the image then compiles it in a build stage and runs the compiled file. Or set `components.{name}.command` in the deployment block",
                dir = code.dir
            )
        });
        d = match &file.facts.main {
            Some(span) => d.at(span.clone()).label("listens here"),
            None => d.at_path(&file.shown),
        };
        diags.push(d);
    } else {
        diags.push(
            Diagnostic::new(
                Code::NoEntryPoint,
                format!(
                    "component `{name}`: nothing in {}/ says what starts it; the {} catalog's command `{}` is a guess",
                    code.dir,
                    stack.id,
                    command.value.join(" ")
                ),
            )
            .at_path(&code.dir)
            .hint(format!(
                "set `components.{name}.command` in the deployment block (JSON form, e.g. [\"uvicorn\", \"main:app\"]), or add the start command to a Dockerfile CMD or Procfile"
            )),
        );
    }
}

/// The typed input overrides what prose states; when the two disagree, say so, pointing at
/// the prose that lost, so the user can fix whichever is wrong.
fn report_override<T: PartialEq + std::fmt::Debug>(
    diags: &mut Diagnostics,
    facts: &Facts,
    what: &str,
    typed: &Valued<T>,
    prose: Option<&Valued<T>>,
) {
    let Some(p) = prose else { return };
    if p.value == typed.value || typed.origin.kind != OriginKind::Input {
        return;
    }
    let mut d = Diagnostic::new(
        Code::ConflictingValue,
        format!(
            "{what}: {:?} from {} overrides {:?} stated here",
            typed.value, typed.origin.text, p.value
        ),
    )
    .hint("the typed deployment input and --set win over prose; change whichever is wrong so they agree");
    d = match facts.span_of(&p.origin) {
        Some(span) => d.at(span).label(format!("says {:?}", p.value)),
        None => d,
    };
    diags.push(d);
}

#[cfg(test)]
mod tests {
    use super::PRECEDENCE;
    use crate::model::deploy::fixture;

    /// Fields of a component that no chain of sources decides: each follows another field or
    /// a later step, as said beside it.
    const FOLLOWS: &[&str] = &[
        "name",                 // the component's name, as the inputs or discovery give it
        "stack_name",           // the stack's
        "language",             // the stack's
        "run_mode",             // the stack's
        "writable_dirs",        // the stack's
        "slow_start",           // the stack's
        "install_reads_folder", // the lock file's requirements lines (install.rs)
        "runtime_packages",     // the stack's packages the folder lists (toolchain.rs)
        "compile",              // the TypeScript project of the entry (typescript.rs)
        "env_reads",            // what the code reads (code.rs)
        "browser_forwards",     // wiring of the frontend's build arguments (build_time.rs)
        "proxies",              // wiring of the static site's routes (proxy.rs)
        "depends_on",           // typed only
        "gid",                  // the uid
    ];

    /// The field paths `sp plan --explain` prints for a component: its keys, and the keys of
    /// its records (`exposure.node_port`).
    fn explained_fields() -> std::collections::BTreeSet<String> {
        let mut fields = std::collections::BTreeSet::new();
        for c in &fixture::deployment().components {
            let serde_json::Value::Object(map) = serde_json::to_value(c).unwrap() else {
                unreachable!("a component serialises to a map")
            };
            for (k, v) in map {
                if ["exposure", "image", "health"].contains(&k.as_str()) {
                    // A worker has no probes (`null`); the others' records name the fields.
                    if let serde_json::Value::Object(inner) = v {
                        fields.extend(inner.keys().map(|i| format!("{k}.{i}")));
                    }
                } else {
                    fields.insert(k);
                }
            }
        }
        fields
    }

    #[test]
    fn every_field_explain_prints_has_a_chain_or_follows_another() {
        let chained: Vec<&str> = PRECEDENCE.iter().map(|c| c.field).collect();
        let fields = explained_fields();
        for f in &fields {
            assert!(
                chained.contains(&f.as_str()) || FOLLOWS.contains(&f.as_str()),
                "`{f}` is printed by --explain and has no chain in PRECEDENCE"
            );
        }
        for c in &chained {
            assert!(
                fields.contains(*c),
                "PRECEDENCE names `{c}`, which --explain does not print"
            );
            assert!(!FOLLOWS.contains(c), "`{c}` is both chained and following");
        }
    }

    #[test]
    fn every_chain_names_a_file_of_the_resolver() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/resolve/deploy");
        for c in PRECEDENCE {
            assert!(root.join(c.file).is_file(), "{}: no file {}", c.field, c.file);
            assert!(!c.sources.is_empty(), "{} has no source", c.field);
        }
    }
}
