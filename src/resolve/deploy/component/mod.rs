//! One component of the deployment, field by field. [`component`] reads as the order the
//! fields are decided in, one call each; every field's function applies its chain of sources,
//! highest first, and the value keeps the origin of the source that decided it:
//!
//! | field | file | chain |
//! | --- | --- | --- |
//! | source folder | `folder.rs` | typed `sourceDir` → the folder discovery found → the folder a script builds the image from → a folder named like the component or its role → the one folder with that word in its name, or one level down → the root project that packages it |
//! | stack, role | `toolchain.rs` | typed `stack` → the repository (lock file, dependencies, the framework object in the code) → the stack line's prose → SP407 |
//! | language version | `toolchain.rs` | typed → the repository's range, filled by its own image's tag, then the prose version, then the newest catalog version inside → the repository's exact version → prose → catalog |
//! | package manager | `toolchain.rs` | typed → the lock file → prose → catalog |
//! | entry, command, port, variables | `../code.rs` | typed → the team's command and the code → prose → catalog |
//! | probes | `probes.rs` | typed `health` → routes the source declares → prose → catalog, or tcpSocket when the source declares none (SP424) |
//! | image, pull policy, replicas, size budget, resources, user | `runtime.rs` | typed → prose → catalog or the secure default |
//! | exposure, node port, host | `exposure.rs` | typed → prose → the platform's default |
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
use super::{DeployInputs, code, discover, install, repo, role_of, typescript};

pub use exposure::shared_node_ports;
pub use folder::report_missing_folders;
pub use toolchain::STAGE_ORDER;

/// A component as [`component`] resolved it, and the line to report it on when no folder of
/// the repository is named like it (several nested ones are reported as they are found).
pub struct Built {
    pub component: Component,
    pub folder_unfound: Option<Origin>,
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

    /// The typed value of `field`, reported at the prose it overrides when they differ.
    fn typed_over<T: PartialEq + std::fmt::Debug>(
        &self,
        value: Option<T>,
        field: &str,
        what: &str,
        prose: Option<Valued<T>>,
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

    let lockfile = install::lockfile(name, repo_dir, cx.sources, &package_manager.value, diags);
    if let Some(dir) = repo_dir
        && stack.language == "node"
    {
        install::install_scripts(name, dir, cx.sources, diags);
    }
    let install_reads_folder = repo_dir
        .filter(|_| lockfile.as_ref().is_some_and(|l| l.value == "requirements.txt"))
        .and_then(|d| install::requirements_read_folder(d, cx.sources));

    let port = code::port(
        f.typed_over(ci.port, "port", "port", facts.port(role.value, name), diags),
        code.as_ref(),
        facts.port(role.value, name),
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
    if let Some(dir) = repo_dir
        && stack.language == "python"
        && lockfile.as_ref().is_some_and(|l| l.value == "requirements.txt")
    {
        install::report_command_not_installed(
            name,
            dir,
            cx.sources,
            &command,
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
        size_budget_mb: f
            .typed(ci.size_budget_mb, "sizeBudgetMb")
            .or_else(|| facts.size_budget(role.value, name)),
        replicas: runtime::replicas(&f, role.value),
        resources: runtime::resources(&f, stack),
        config: env.config,
        secrets: env.secrets,
        build_args: env.build_args,
        browser_forwards: Vec::new(),
        env_reads: env.reads,
        exposure: Exposure {
            service_type,
            ingress_host: f
                .typed(ci.host.clone(), "host")
                .or_else(|| facts.ingress_host(role.value)),
            node_port,
        },
        role,
        depends_on: ci.depends_on.clone(),
        proxies: Vec::new(),
        writable_dirs: stack.writable_dirs.clone(),
        uid: uid.value,
        gid: uid.value,
        compile,
        runtime_packages,
        slow_start: stack.slow_start,
    };
    Some(Built {
        component,
        folder_unfound,
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
pub(super) fn report_override<T: PartialEq + std::fmt::Debug>(
    diags: &mut Diagnostics,
    facts: &Facts,
    what: &str,
    typed: &Valued<T>,
    prose: Option<Valued<T>>,
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
