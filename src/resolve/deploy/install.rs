//! What the install step of a component's image follows: the lock file actually present in
//! its folder, and whether that lock file still matches its manifest.
//!
//! A locked install (`npm ci`, `pnpm install --frozen-lockfile`, `uv sync --locked`) fails
//! in `docker build` when the lock file is missing or out of date, long after `sp plan` said
//! everything was fine. So the Dockerfile follows the lock file that exists, a folder without
//! one gets an unlocked install and a warning (SP432), and a lock file that no longer matches
//! its manifest is a warning (SP433) pointing at the dependency that differs.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::repo::RepoDir;
use crate::model::deploy::Valued;
use crate::model::{Origin, OriginKind};
use crate::source::{SourceId, Sources, Span};

/// The first line of a file, where a diagnostic about the whole file points.
fn first_line(sources: &Sources, id: SourceId) -> Span {
    let text = &sources.get(id).text;
    Span::new(id, 0..text.find('\n').unwrap_or(text.len()))
}

/// The lock files (or, for pip, the requirements file) each package manager installs from,
/// preferred first: the catalog's `lock_files`.
pub fn candidates(pm: &str) -> &'static [String] {
    crate::catalog::Catalog::shared()
        .languages
        .iter()
        .find_map(|l| l.package_manager(pm))
        .map_or(&[], |p| p.lock_files.as_slice())
}

/// The file the install step of component `name` follows. A component without a folder yet
/// is expected to have its package manager's lock file; a folder without one gets `None`
/// (an unlocked install) and SP432. A lock file found is compared with its manifest.
pub fn lockfile(
    name: &str,
    dir: Option<&RepoDir>,
    sources: &Sources,
    pm: &str,
    diags: &mut Diagnostics,
) -> Option<Valued<String>> {
    let wanted = candidates(pm);
    let first = wanted.first()?.as_str();
    let Some(dir) = dir else {
        return Some(Valued::new(
            first.to_string(),
            Origin {
                text: format!("default ({pm} installs from {first}, expected with the component's source)"),
                kind: OriginKind::Default,
            },
        ));
    };
    if pm == "pip"
        && let Some(team) = super::repo::team_requirements(dir, sources)
    {
        unpinned_requirements(name, dir, sources, pm, &team.value, diags);
        return Some(team);
    }
    let found = wanted.iter().find(|f| dir.has(f));
    match found {
        Some(f) => {
            match f.as_str() {
                "package-lock.json" => stale_npm(name, dir, sources, diags),
                "uv.lock" => stale_uv(name, dir, sources, diags),
                "requirements.txt" => unpinned_requirements(name, dir, sources, pm, "requirements.txt", diags),
                _ => {}
            }
            Some(Valued::new(f.to_string(), Origin::at(&dir.path_of(f), 1)))
        }
        None => {
            let catalog = crate::catalog::Catalog::shared();
            let manifest = catalog
                .languages
                .iter()
                .flat_map(|l| &l.manifests)
                .find_map(|m| dir.files.get(m.as_str()));
            let hint = lock_hint(pm, dir, || format!("create {first} in {}/ and commit it", dir.path));
            let mut d = Diagnostic::new(
                Code::UnlockedInstall,
                format!(
                    "component `{name}`: {}/ has no {first}; the image installs whatever versions resolve on the day it is built, so the build is not reproducible",
                    dir.path
                ),
            )
            .hint(hint);
            if let Some(id) = manifest {
                d = d.at(first_line(sources, *id)).label("installed without a lock file");
            }
            diags.push(d);
            None
        }
    }
}

/// How to lock a folder's install: the package manager's `lock_hint` in the catalog, for
/// `dir`, else `default`.
fn lock_hint(pm: &str, dir: &RepoDir, default: impl FnOnce() -> String) -> String {
    crate::catalog::Catalog::shared()
        .languages
        .iter()
        .find_map(|l| l.package_manager(pm))
        .and_then(|p| p.lock_hint.as_deref())
        .map_or_else(default, |h| h.replace("{dir}", &dir.path))
}

/// One dependency that differs between a manifest and its lock file.
struct Drift {
    name: String,
    manifest: String,
    lock: Option<String>,
}

fn report(
    name: &str,
    dir: &RepoDir,
    sources: &Sources,
    manifest: &str,
    lock: &str,
    drift: &[Drift],
    diags: &mut Diagnostics,
) {
    let Some(first) = drift.first() else { return };
    let Some(id) = dir.files.get(manifest) else { return };
    let file = sources.get(*id);
    let exact = format!("\"{}\"", first.name);
    let prefix = format!("\"{}", first.name);
    let at = match file.text.find(&exact).or_else(|| file.text.find(&prefix)) {
        Some(i) => Span::new(*id, i + 1..i + 1 + first.name.len()),
        None => first_line(sources, *id),
    };
    let shown: Vec<String> = drift
        .iter()
        .map(|d| match &d.lock {
            Some(l) => format!("`{}` is {} in {manifest}, {l} in {lock}", d.name, d.manifest),
            None => format!("`{}` ({}) is not in {lock}", d.name, d.manifest),
        })
        .collect();
    let fix = if lock == "uv.lock" {
        format!("run `uv lock` in {}/ and commit uv.lock", dir.path)
    } else {
        format!("run `npm install` in {}/ and commit package-lock.json", dir.path)
    };
    diags.push(
        Diagnostic::new(
            Code::StaleLockfile,
            format!(
                "component `{name}`: {}/{lock} is out of date with {manifest}: {}; the locked install in the Dockerfile will fail",
                dir.path,
                shown.join("; ")
            ),
        )
        .at(at)
        .label(match &first.lock {
            Some(_) => "differs from the lock file",
            None => "missing from the lock file",
        })
        .hint(fix),
    );
}

fn text<'a>(dir: &RepoDir, sources: &'a Sources, name: &str) -> Option<&'a str> {
    dir.files.get(name).map(|id| sources.get(*id).text.as_str())
}

/// SP433 for a lock file left unused because its folder lacks what its manager installs
/// from (`uv.lock` beside a pyproject.toml without `[project]`, a Poetry project): `uv sync`
/// would succeed and install nothing, and the container would stop at start.
pub fn unusable_lock(
    name: &str,
    dir: &RepoDir,
    detected: &super::repo::Detected,
    pm: &str,
    sources: &Sources,
    diags: &mut Diagnostics,
) {
    let Some(super::repo::UnusableLock { lock, manager, why }) = &detected.unusable_lock else {
        return;
    };
    if manager == pm {
        return;
    }
    let installs = match candidates(pm).iter().find(|f| dir.has(f)) {
        Some(f) => format!("the image installs with {pm} from {}", dir.path_of(f)),
        None => format!("the image installs with {pm}"),
    };
    let mut d = match why {
        super::repo::Unused::Lacks(requires) => {
            let (file, line) = (&requires.file, &requires.line);
            Diagnostic::new(
                Code::StaleLockfile,
                format!(
                    "component `{name}`: {} is not used: {manager} installs from the `{line}` of {}, which has none, so {installs}",
                    dir.path_of(lock),
                    dir.path_of(file)
                ),
            )
            .hint(format!(
                "if {manager} manages the project, add the `{line}` table (name, version, dependencies) to {} and run `{manager} lock` in {}/; if another tool does, delete {}",
                dir.path_of(file),
                dir.path,
                dir.path_of(lock)
            ))
        }
        super::repo::Unused::TeamInstalls { at, missing } => {
            let shown: Vec<String> = missing.iter().take(3).map(|m| format!("`{m}`")).collect();
            let more = match missing.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            Diagnostic::new(
                Code::StaleLockfile,
                format!(
                    "component `{name}`: {} is not used: the team's image installs {} ({}), which lists {}{more} that the dependencies of {} lack, so {installs}",
                    dir.path_of(lock),
                    dir.path_of("requirements.txt"),
                    at.text,
                    shown.join(", "),
                    dir.path_of("pyproject.toml")
                ),
            )
            .hint(format!(
                "to install with {manager}, add them to `dependencies` in {} and run `{manager} lock` in {}/",
                dir.path_of("pyproject.toml"),
                dir.path
            ))
        }
    };
    if let Some(id) = dir.files.get(lock.as_str()) {
        d = d.at(first_line(sources, *id)).label("not used");
    }
    diags.push(d);
}

/// The distributions requirements.txt lists that the `[project] dependencies` of
/// pyproject.toml lack (normalised names, in the file's order).
pub fn missing_from_project(dir: &RepoDir, sources: &Sources) -> Vec<String> {
    let (Some(requirements), Some(manifest)) = (
        text(dir, sources, "requirements.txt"),
        text(dir, sources, "pyproject.toml"),
    ) else {
        return Vec::new();
    };
    let declared: Vec<String> = toml_string_array(manifest, "[project]", "dependencies")
        .unwrap_or_default()
        .iter()
        .filter_map(|d| requirement(d))
        .map(|(name, _)| name)
        .collect();
    let mut out: Vec<String> = Vec::new();
    for line in requirements.lines().map(requirement_text) {
        if line.is_empty() || line.starts_with(['#', '-', '.', '/']) || line.contains("://") {
            continue;
        }
        if let Some((name, _)) = requirement(line)
            && !declared.contains(&name)
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

/// `package.json` against the root package of `package-lock.json` (lockfile v2 and v3), or
/// against the top-level dependencies of a v1 lock: what `npm ci` refuses.
fn stale_npm(name: &str, dir: &RepoDir, sources: &Sources, diags: &mut Diagnostics) {
    let (Some(manifest), Some(lock)) = (
        text(dir, sources, "package.json"),
        text(dir, sources, "package-lock.json"),
    ) else {
        return;
    };
    let (Ok(manifest), Ok(lock)) = (
        serde_json::from_str::<serde_json::Value>(manifest),
        serde_json::from_str::<serde_json::Value>(lock),
    ) else {
        return;
    };
    let kinds = ["dependencies", "devDependencies", "optionalDependencies"];
    let root = lock.get("packages").and_then(|p| p.get(""));
    let mut drift = Vec::new();
    for kind in kinds {
        let Some(deps) = manifest.get(kind).and_then(|d| d.as_object()) else {
            continue;
        };
        for (dep, spec) in deps {
            let spec = spec.as_str().unwrap_or_default().to_string();
            let locked = match root {
                Some(root) => root
                    .get(kind)
                    .and_then(|d| d.get(dep))
                    .and_then(|s| s.as_str())
                    .map(str::to_string),
                None => lock.get("dependencies").and_then(|d| d.get(dep)).map(|_| spec.clone()),
            };
            if locked.as_deref() != Some(spec.as_str()) {
                drift.push(Drift {
                    name: dep.clone(),
                    manifest: spec,
                    lock: locked,
                });
            }
        }
        // A dependency the lock has and the manifest dropped is also a mismatch for npm ci.
        if let Some(locked) = root.and_then(|r| r.get(kind)).and_then(|d| d.as_object()) {
            for (dep, spec) in locked {
                if !deps.contains_key(dep) {
                    drift.push(Drift {
                        name: dep.clone(),
                        manifest: "absent".into(),
                        lock: Some(spec.as_str().unwrap_or_default().to_string()),
                    });
                }
            }
        }
    }
    report(name, dir, sources, "package.json", "package-lock.json", &drift, diags);
}

/// PEP 503 normalised name: `Pydantic_Settings` → `pydantic-settings`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for ch in name.trim().chars() {
        if matches!(ch, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

/// `uvicorn[standard]>=0.30 ; python_version > "3.8"` → (`uvicorn`, `>=0.30`).
fn requirement(req: &str) -> Option<(String, String)> {
    let req = req.split(';').next()?.trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = normalise(&req[..end]);
    if name.is_empty() {
        return None;
    }
    let mut rest = req[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
    }
    let spec: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect();
    Some((name, spec))
}

/// The strings of a TOML array that starts at `key = [` inside `section` (a line-based
/// reader: enough for `[project] dependencies`, which is a flat list of strings).
fn toml_string_array(text: &str, section: &str, key: &str) -> Option<Vec<String>> {
    let mut in_section = false;
    let mut collecting = false;
    let mut body = String::new();
    for line in text.lines() {
        let t = line.trim();
        if !collecting && t.starts_with('[') && !t.starts_with("[[") && t.ends_with(']') && !t.contains('=') {
            in_section = t == section;
            continue;
        }
        if !in_section {
            continue;
        }
        if !collecting {
            let Some(rest) = t.strip_prefix(key) else { continue };
            let Some(rest) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            if !rest.starts_with('[') {
                return None;
            }
            collecting = true;
            body.push_str(&rest[1..]);
        } else {
            body.push('\n');
            body.push_str(t);
        }
        if collecting && body.contains(']') && balanced_close(&body) {
            break;
        }
    }
    if !collecting {
        return None;
    }
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                let s: String = chars.by_ref().take_while(|x| *x != c).collect();
                out.push(s);
            }
            '#' => {
                for x in chars.by_ref() {
                    if x == '\n' {
                        break;
                    }
                }
            }
            ']' => break,
            _ => {}
        }
    }
    Some(out)
}

/// True when `body` has a `]` outside any string: the end of the array.
fn balanced_close(body: &str) -> bool {
    let mut quote: Option<char> = None;
    for c in body.chars() {
        match (quote, c) {
            (Some(q), x) if x == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, ']') => return true,
            _ => {}
        }
    }
    false
}

/// The install-time scripts of the project's own package.json (SP437): the image's dependency
/// stages install from package.json and the lock file alone, and the production install has
/// no development dependencies, so a `prepare: husky` or a `postinstall: prisma generate`
/// fails `docker build` there. A script that already tolerates failure (`|| true`) is left.
pub fn install_scripts(name: &str, dir: &RepoDir, sources: &Sources, diags: &mut Diagnostics) {
    let Some(id) = dir.files.get("package.json") else {
        return;
    };
    let text = &sources.get(*id).text;
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Some(scripts) = manifest.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    let scripts_at = text.find("\"scripts\"").unwrap_or(0);
    for hook in [
        "preinstall",
        "install",
        "postinstall",
        "preprepare",
        "prepare",
        "postprepare",
    ] {
        let Some(command) = scripts.get(hook).and_then(|c| c.as_str()) else {
            continue;
        };
        let tolerant = ["|| true", "||true", "|| exit 0", "|| :"]
            .iter()
            .any(|t| command.trim_end().ends_with(t));
        if tolerant {
            continue;
        }
        let key = format!("\"{hook}\"");
        let span = match text[scripts_at..].find(&key) {
            Some(i) => {
                let start = scripts_at + i;
                let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
                Span::new(*id, start..end.min(text.len()))
            }
            None => first_line(sources, *id),
        };
        let hint = if command.trim_start().starts_with("husky") {
            format!(
                "write `\"{hook}\": \"{} || true\"`: the image installs without git and, for its production dependencies, without husky",
                command.trim()
            )
        } else {
            format!(
                "make `{command}` succeed with package.json and the lock file alone and without devDependencies, or run it in `build` instead (`\"build\": \"{command} && …\"`)"
            )
        };
        diags.push(
            Diagnostic::new(
                Code::InstallScript,
                format!(
                    "component `{name}`: {} runs `{hook}: {command}` when its dependencies are installed, and the image installs them from package.json and the lock file alone (the production install without devDependencies): `docker build` fails if the script needs more",
                    dir.path_of("package.json")
                ),
            )
            .at(span)
            .label("runs at install")
            .hint(hint),
        );
    }
}

/// What a requirements line says: without its comment, surrounding blanks and a trailing
/// continuation backslash.
pub(super) fn requirement_text(line: &str) -> &str {
    line.split(" #")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('\\')
        .trim()
}

/// What pip reads for a requirements file: its lines with those of the files it includes
/// (`-r`) in their place, as (file, source, byte offset of the line, the line), and the lines
/// of the constraints files it names (`-c`), whose `==` pins hold the requirements' versions.
#[derive(Default)]
struct PipReads<'a> {
    requirements: Vec<(&'a str, SourceId, usize, &'a str)>,
    constraints: Vec<&'a str>,
}

/// Read `file` (as constraints when `constraints`) into `out`. `false` when a constraints
/// file is out of sp's reach (a URL, outside the folder): its pins are unknown, the install
/// may well be locked, and SP432 would be a guess.
fn requirement_lines<'a>(
    dir: &'a RepoDir,
    sources: &'a Sources,
    file: &'a str,
    constraints: bool,
    seen: &mut Vec<&'a str>,
    out: &mut PipReads<'a>,
) -> bool {
    use crate::load::repo::{Include, requirement_include, requirement_option};
    let Some((file, id)) = dir.files.get_key_value(file) else {
        return true;
    };
    if seen.contains(&file.as_str()) {
        return true;
    }
    seen.push(file);
    let mut offset = 0;
    for line in sources.get(*id).text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        match requirement_include(file, line) {
            Some((kind, inc)) => {
                let constraints = constraints || kind == Include::Constraints;
                match dir.files.get_key_value(&inc) {
                    Some((inc, _)) if !requirement_lines(dir, sources, inc, constraints, seen, out) => return false,
                    None if constraints => return false,
                    // A requirements file outside the folder: pip fails before any pin matters.
                    _ => {}
                }
            }
            None if matches!(requirement_option(line), Some(("-c" | "--constraint", _))) => return false,
            None if constraints => out.constraints.push(line),
            None => out.requirements.push((file, *id, start, line)),
        }
    }
    true
}

/// Whether a requirement's version specifier names one release: `==` (not `==1.*`), `===`,
/// or a direct reference (`pkg @ https://…`, a URL or a path) to one artifact.
fn pins(spec: &str) -> bool {
    spec.contains("===") || (spec.contains("==") && !spec.contains(".*")) || spec.contains('@') || spec.contains("://")
}

/// The package a Python start command's program comes from (`uvicorn` for `uvicorn …` and
/// `python -m uvicorn …`), for the programs a requirements file must list: the servers and
/// workers a command starts. `None` for `python app.py` and programs sp does not know.
fn python_program(argv: &[String]) -> Option<&'static str> {
    const PROGRAMS: &[&str] = &[
        "uvicorn",
        "gunicorn",
        "hypercorn",
        "daphne",
        "granian",
        "celery",
        "fastapi",
        "flask",
        "streamlit",
        "rq",
        "dramatiq",
        "huey",
    ];
    let program = match argv {
        [python, m, module, ..] if python.starts_with("python") && m == "-m" => module.as_str(),
        [program, ..] => program.rsplit('/').next().unwrap_or(program),
        [] => return None,
    };
    PROGRAMS.iter().copied().find(|p| *p == program)
}

/// SP439: the start command of a Python component whose image installs the folder's
/// requirements.txt runs a program that file (with the files it includes) does not list.
/// The team's own Dockerfile, when it copies another requirements file, is named in the
/// hint: it is usually the file that was meant.
pub fn report_command_not_installed(
    name: &str,
    dir: &RepoDir,
    sources: &Sources,
    command: &Valued<Vec<String>>,
    requirements: &str,
    team_dockerfile: Option<&str>,
    diags: &mut Diagnostics,
) {
    let Some(package) = python_program(&command.value) else {
        return;
    };
    let mut read = PipReads::default();
    if !dir.files.contains_key(requirements)
        || !requirement_lines(dir, sources, requirements, false, &mut Vec::new(), &mut read)
    {
        return;
    }
    // Listed by name (`uvicorn[standard]==0.34.0`), or maybe by a line sp cannot look into
    // (a URL, a local package, `-e .`): then nothing is said. A constraints file installs
    // nothing.
    let listed = read.requirements.iter().any(|(_, _, _, line)| {
        let line = requirement_text(line);
        if line.starts_with('#') {
            return false;
        }
        let n = requirement(line).map(|(name, _)| name).unwrap_or_default();
        // `fastapi[standard]` (and `[all]`) brings uvicorn and the `fastapi` command along.
        let extra = n == "fastapi"
            && matches!(package, "uvicorn" | "fastapi")
            && (line.contains("[standard") || line.contains("[all"));
        n == package
            || extra
            || line.contains("://")
            || line.contains(" @ ")
            || line.starts_with("-e")
            || line.starts_with("--editable")
            || line.starts_with('.')
            || line.starts_with('/')
    });
    if listed {
        return;
    }
    let file = dir.path_of(requirements);
    // The requirements file the team's Dockerfile copies, when it is another one: the
    // Dockerfile's path and the file's, relative to the folder.
    let team = team_dockerfile.and_then(|t| {
        let text = &sources.get(*dir.files.get(t)?).text;
        crate::load::repo::copied_requirements(text, &dir.path)
            .into_iter()
            .map(|(f, _)| f)
            .find(|f| f != requirements)
            .map(|f| (dir.path_of(t), f))
    });
    let hint = match &team {
        Some((dockerfile, installed)) => format!(
            "{dockerfile} installs {}: make {file} include it (`-r {installed}`), or list `{package}` in {file}",
            dir.path_of(installed)
        ),
        None => format!(
            "list `{package}` with its version in {file}, or set `components.{name}.command` to what the installed packages run"
        ),
    };
    let mut d = Diagnostic::new(
        Code::CommandNotInstalled,
        format!(
            "component `{name}`: its command runs `{}` ({}), and {file}, which its image installs, does not list `{package}`: the container stops at start",
            command.value.join(" "),
            command.origin.text
        ),
    )
    .hint(hint);
    let first_line = dir.files.get(requirements).and_then(|id| {
        crate::source::lines_with_ranges(&sources.get(*id).text)
            .next()
            .map(|(range, _)| crate::source::Span::new(*id, range))
    });
    d = match first_line {
        Some(span) => d.at(span).label(format!("no `{package}` here")),
        None => d.at_line(&file, 1, 1),
    };
    diags.push(d);
}

/// The first line of the folder's requirements.txt that installs from other files of the
/// folder: another requirements or constraints file (`-r base.txt`, `-c constraints.txt`), the
/// project itself or a local package (`-e .`, `./libs/shared`, `pkg @ file:…`). Copying
/// requirements.txt alone before the install (the layer that keeps dependencies cached)
/// would make `pip install` fail on a file not in the image yet, so the Dockerfile copies the
/// folder first when there is one.
pub fn requirements_read_folder(dir: &RepoDir, sources: &Sources, requirements: &str) -> Option<Valued<String>> {
    let id = dir.files.get(requirements)?;
    let text = &sources.get(*id).text;
    text.lines().enumerate().find_map(|(i, line)| {
        let req = requirement_text(line);
        if req.starts_with('#') || req.is_empty() {
            return None;
        }
        let (flag, rest) = crate::load::repo::requirement_option(req).unwrap_or(("", req));
        let local_path = |s: &str| s == "." || s.starts_with("./") || s.starts_with("../") || s.starts_with("file:");
        let reads = match flag {
            "-r" | "--requirement" | "-c" | "--constraint" => !rest.contains("://"),
            "-e" | "--editable" => local_path(rest),
            "" => {
                let spec = rest.split(';').next().unwrap_or(rest).trim();
                local_path(spec)
                    || spec
                        .split_once('@')
                        .is_some_and(|(_, at)| at.trim().starts_with("file:"))
            }
            _ => false,
        };
        reads.then(|| Valued::new(req.to_string(), Origin::at(&dir.path_of(requirements), i + 1)))
    })
}

/// A requirements.txt is pip's lock only when it pins every dependency: `fastapi>=0.115`
/// installs whatever release is newest when the image is built (and a new major version of
/// a transitive dependency can break the start). SP432 at the first requirement that is not
/// pinned with `==`, counting the others.
fn unpinned_requirements(
    name: &str,
    dir: &RepoDir,
    sources: &Sources,
    pm: &str,
    requirements: &str,
    diags: &mut Diagnostics,
) {
    // The lines pip reads, with the files `-r` and `-c` pull in (load read those).
    let mut read = PipReads::default();
    if !requirement_lines(dir, sources, requirements, false, &mut Vec::new(), &mut read) {
        return;
    }
    // The packages a constraints file pins: their requirements need no pin of their own.
    let constrained: Vec<String> = read
        .constraints
        .iter()
        .map(|l| requirement_text(l))
        .filter(|c| !c.is_empty() && !c.starts_with(['#', '-']))
        .filter_map(|c| requirement(c).filter(|_| pins(c.split(';').next().unwrap_or(c))))
        .map(|(name, _)| name)
        .collect();
    let mut unpinned: Vec<(&str, SourceId, std::ops::Range<usize>, &str)> = Vec::new();
    let mut total = 0;
    let mut continued = false;
    for &(file, id, start, line) in &read.requirements {
        let was_continued = continued;
        continued = line.trim_end().ends_with('\\');
        // A continuation (`--hash=…` lines), an option (`-r`, `-e`, `--index-url`), a comment.
        let req = requirement_text(line);
        if was_continued || req.is_empty() || req.starts_with('#') || req.starts_with('-') {
            continue;
        }
        total += 1;
        // A direct reference (`pkg @ https://…`, a URL or a path) names one artifact.
        let spec = req.split(';').next().unwrap_or(req);
        let pinned = pins(spec) || requirement(spec).is_some_and(|(n, _)| constrained.contains(&n));
        if !pinned {
            let lead = line.len() - line.trim_start().len();
            unpinned.push((
                file,
                id,
                start + lead..start + lead + spec.trim_end().len(),
                spec.trim(),
            ));
        }
    }
    let Some((file, id, range, first)) = unpinned.first() else {
        return;
    };
    let hint = lock_hint(pm, dir, || {
        format!("pin every dependency in {} with `==`", dir.path_of(requirements))
    });
    let others = match unpinned.len() {
        1 => String::new(),
        n => format!(" (and {} more of its {total} requirements)", n - 1),
    };
    diags.push(
        Diagnostic::new(
            Code::UnlockedInstall,
            format!(
                "component `{name}`: {} does not pin `{first}`{others}; the image installs whatever versions resolve on the day it is built, so the build is not reproducible",
                dir.path_of(file)
            ),
        )
        .at(Span::new(*id, range.clone()))
        .label("not pinned with `==`")
        .hint(hint),
    );
}

/// `pyproject.toml`'s `[project] dependencies` and optional dependencies against the
/// `requires-dist` uv recorded for the project itself in `uv.lock` (where an extra's entries
/// carry `marker = "extra == 'dev'"`): what `uv sync --locked` refuses.
fn stale_uv(name: &str, dir: &RepoDir, sources: &Sources, diags: &mut Diagnostics) {
    let (Some(manifest), Some(lock)) = (text(dir, sources, "pyproject.toml"), text(dir, sources, "uv.lock")) else {
        return;
    };
    let Some(main) = toml_string_array(manifest, "[project]", "dependencies") else {
        return;
    };
    let Some(locked) = project_requires_dist(lock) else {
        return;
    };
    const EXTRAS: &str = "[project.optional-dependencies]";
    let extras = toml_keys(manifest, EXTRAS)
        .into_iter()
        .filter_map(|key| toml_string_array(manifest, EXTRAS, &key))
        .flatten();
    let deps: Vec<(String, String)> = main
        .iter()
        .cloned()
        .chain(extras)
        .filter_map(|d| requirement(&d))
        .collect();
    let mut drift = Vec::new();
    for dep in &deps {
        if locked.contains(dep) {
            continue;
        }
        drift.push(Drift {
            name: dep.0.clone(),
            manifest: shown_spec(&dep.1),
            lock: locked
                .iter()
                .find(|(n, _)| *n == dep.0)
                .map(|(_, spec)| shown_spec(spec)),
        });
    }
    for (i, (n, spec)) in locked.iter().enumerate() {
        let first = locked.iter().position(|(m, _)| m == n) == Some(i);
        if first && !deps.iter().any(|d| &d.0 == n) {
            drift.push(Drift {
                name: n.clone(),
                manifest: "absent".into(),
                lock: Some(shown_spec(spec)),
            });
        }
    }
    report(name, dir, sources, "pyproject.toml", "uv.lock", &drift, diags);
}

/// The keys of a TOML table's array entries (`dev = [`, `test = [`), in order.
fn toml_keys(text: &str, section: &str) -> Vec<String> {
    let mut in_section = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') && !t.starts_with("[[") && t.ends_with(']') && !t.contains('=') {
            in_section = t == section;
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((key, value)) = t.split_once('=')
            && value.trim_start().starts_with('[')
        {
            let key = key.trim().trim_matches('"');
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                out.push(key.to_string());
            }
        }
    }
    out
}

fn shown_spec(spec: &str) -> String {
    if spec.is_empty() {
        "any version".into()
    } else {
        spec.to_string()
    }
}

/// The `requires-dist` of the lock's own project (the package whose source is the folder
/// itself, `editable = "."` or `virtual = "."`), as (normalised name, specifier) pairs.
fn project_requires_dist(lock: &str) -> Option<Vec<(String, String)>> {
    let mut blocks = lock.split("\n[[package]]\n").skip(1);
    let block = blocks.find(|b| {
        b.lines().any(|l| {
            l.trim_start().starts_with("source = {")
                && (l.contains("editable = \".\"") || l.contains("virtual = \".\""))
        })
    })?;
    let meta = block.split("[package.metadata]").nth(1)?;
    let start = meta.find("requires-dist = [")? + "requires-dist = [".len();
    let body = &meta[start..];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut entry = String::new();
    for c in body.chars() {
        match c {
            '{' => {
                depth += 1;
                entry.clear();
            }
            '}' => {
                depth = depth.saturating_sub(1);
                let field = |key: &str| {
                    let k = format!("{key} = \"");
                    entry
                        .find(&k)
                        .map(|i| entry[i + k.len()..].split('"').next().unwrap_or("").to_string())
                };
                if let Some(n) = field("name") {
                    let spec: String = field("specifier")
                        .unwrap_or_default()
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    out.push((normalise(&n), spec));
                }
            }
            ']' if depth == 0 => break,
            _ if depth > 0 => entry.push(c),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component folder `path` holding `files` (name, text), and the sources they are in.
    fn folder(path: &str, files: &[(&str, &str)]) -> (RepoDir, Sources) {
        let mut sources = Sources::default();
        let mut dir = RepoDir {
            path: path.into(),
            ..Default::default()
        };
        for (name, text) in files {
            let id = sources.add(format!("{path}/{name}").into(), text.to_string());
            dir.files.insert(name.to_string(), id);
        }
        (dir, sources)
    }

    /// What SP432 says about a requirements.txt, with the text it points at.
    fn unpinned(text: &str) -> Option<(String, String)> {
        let (dir, sources) = folder("api", &[("requirements.txt", text)]);
        let mut diags = Diagnostics::default();
        unpinned_requirements("api", &dir, &sources, "pip", "requirements.txt", &mut diags);
        let d = diags.iter().next()?;
        let Some(crate::diagnostics::Location::Span(span)) = &d.location else {
            panic!("not placed")
        };
        Some((d.message.clone(), text[span.range.clone()].to_string()))
    }

    #[test]
    fn a_project_at_the_repository_s_root_names_its_files_as_the_repository_does() {
        let (dir, sources) = folder(".", &[("requirements.txt", "fastapi\n"), ("uv.lock", "version = 1\n")]);
        let mut diags = Diagnostics::default();
        unpinned_requirements("api", &dir, &sources, "pip", "requirements.txt", &mut diags);
        let message = &diags.iter().next().expect("SP432").message;
        assert!(
            message.starts_with("component `api`: requirements.txt does not pin `fastapi`"),
            "{message}"
        );
        let lock = lockfile("api", Some(&dir), &sources, "uv", &mut Diagnostics::default()).expect("uv.lock");
        assert_eq!(lock.origin.text, "uv.lock:1");
    }

    #[test]
    fn the_files_requirements_txt_includes_are_held_to_the_same_pins() {
        let check = |files: &[(&str, &str)]| {
            let (dir, sources) = folder("api", files);
            let mut diags = Diagnostics::default();
            unpinned_requirements("api", &dir, &sources, "pip", "requirements.txt", &mut diags);
            diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        let found = check(&[
            ("requirements.txt", "fastapi==0.118.0\n-r requirements/base.txt\n"),
            ("requirements/base.txt", "uvicorn==0.37.0\nsqlmodel>=0.0.22\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("api/requirements/base.txt does not pin `sqlmodel>=0.0.22`;"),
            "{}",
            found[0]
        );
        // Every file pinned: nothing.
        assert!(
            check(&[
                ("requirements.txt", "-r base.txt\n"),
                ("base.txt", "fastapi==0.118.0\n")
            ])
            .is_empty()
        );
        // A constraints file out of reach (not in the folder, a URL): its pins are unknown,
        // nothing is said.
        assert!(check(&[("requirements.txt", "-c constraints.txt\nfastapi\n")]).is_empty());
        assert!(check(&[("requirements.txt", "-c https://example.com/c.txt\nfastapi\n")]).is_empty());
        // One in the folder pins what it pins (through its own includes), and no more.
        assert!(
            check(&[
                (
                    "requirements.txt",
                    "-c constraints.txt\nfastapi\nuvicorn[standard]>=0.30\n"
                ),
                ("constraints.txt", "fastapi==0.118.0\n-c more.txt\n"),
                ("more.txt", "uvicorn==0.37.0\n"),
            ])
            .is_empty()
        );
        let found = check(&[
            ("requirements.txt", "--constraint constraints.txt\nfastapi\nsqlmodel\n"),
            ("constraints.txt", "fastapi==0.118.0\nsqlmodel>=0.0.22\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("api/requirements.txt does not pin `sqlmodel`;"),
            "{}",
            found[0]
        );
        assert!(!found[0].contains("more of its"), "{}", found[0]);
        // An include that includes itself back ends.
        assert_eq!(
            check(&[("requirements.txt", "-r requirements.txt\nfastapi\n")]).len(),
            1
        );
    }

    #[test]
    fn install_time_scripts_of_the_project_are_reported_at_their_line() {
        let run = |manifest: &str| {
            let (dir, sources) = folder("web", &[("package.json", manifest)]);
            let mut diags = Diagnostics::default();
            super::install_scripts("web", &dir, &sources, &mut diags);
            diags
                .iter()
                .map(|d| {
                    let Some(crate::diagnostics::Location::Span(span)) = &d.location else {
                        panic!("not placed")
                    };
                    (
                        d.message.clone(),
                        d.hint.clone().unwrap_or_default(),
                        manifest[span.range.clone()].to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let found = run(
            "{\n  \"name\": \"web\",\n  \"scripts\": {\n    \"build\": \"next build\",\n    \"prepare\": \"husky\",\n    \"postinstall\": \"prisma generate\"\n  }\n}\n",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        let (message, hint, at) = &found[0];
        assert!(
            message.contains("web/package.json runs `postinstall: prisma generate`"),
            "{message}"
        );
        assert_eq!(at, "\"postinstall\": \"prisma generate\"");
        assert!(hint.contains("run it in `build` instead"), "{hint}");
        let (message, hint, at) = &found[1];
        assert!(message.contains("runs `prepare: husky`"), "{message}");
        assert_eq!(at, "\"prepare\": \"husky\",");
        assert!(hint.contains("`\"prepare\": \"husky || true\"`"), "{hint}");
        // A script that tolerates failure, or no install-time script, says nothing.
        assert!(run("{\"scripts\": {\"prepare\": \"husky || true\", \"build\": \"vite build\"}}").is_empty());
        assert!(run("{\"dependencies\": {}}").is_empty());
    }

    /// SP439: a server the requirements do not install, with the file the team's
    /// Dockerfile installs instead; nothing when the package is listed (also through `-r`,
    /// with extras), when a line may hold it (`-e .`), or for a program sp does not know.
    #[test]
    fn a_command_whose_program_the_image_does_not_install_is_reported() {
        let uvicorn = Valued::new(
            ["uvicorn", "src.main:app", "--port", "7860"].map(String::from).to_vec(),
            Origin::at("api/Dockerfile", 7),
        );
        let check_in = |path: &str, files: &[(&str, &str)], command: &Valued<Vec<String>>| {
            let (dir, sources) = folder(path, files);
            let team = dir.files.contains_key("Dockerfile").then_some("Dockerfile");
            let mut diags = Diagnostics::default();
            super::report_command_not_installed("api", &dir, &sources, command, "requirements.txt", team, &mut diags);
            diags
                .iter()
                .map(|d| format!("{} {}", d.message, d.hint.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let check = |files: &[(&str, &str)], command: &Valued<Vec<String>>| check_in("api", files, command);
        let team = [
            ("requirements.txt", "# No external dependencies\n"),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nCOPY src/requirements.txt .\nRUN pip install -r requirements.txt\n",
            ),
        ];
        let found = check(&team, &uvicorn);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("does not list `uvicorn`"), "{}", found[0]);
        assert!(found[0].contains("api/Dockerfile installs api/src/requirements.txt: make api/requirements.txt include it (`-r src/requirements.txt`)"), "{}", found[0]);
        // A project at the root: paths as the repository names them, without `./`.
        let found = check_in(".", &team, &uvicorn);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("and requirements.txt, which its image installs"),
            "{}",
            found[0]
        );
        assert!(found[0].contains("Dockerfile installs src/requirements.txt: make requirements.txt include it (`-r src/requirements.txt`), or list `uvicorn` in requirements.txt"), "{}", found[0]);
        assert!(!found[0].contains("./"), "{}", found[0]);
        // A constraints file pins versions and installs nothing.
        let constrained = [
            ("requirements.txt", "-c constraints.txt\nfastapi==0.118.0\n"),
            ("constraints.txt", "uvicorn==0.37.0\n"),
        ];
        assert_eq!(check(&constrained, &uvicorn).len(), 1);
        for files in [
            &[("requirements.txt", "fastapi==0.115.6\nuvicorn[standard]==0.34.0\n")][..],
            &[("requirements.txt", "-r base.txt\n"), ("base.txt", "Uvicorn==0.34.0\n")][..],
            &[("requirements.txt", "-e .\n")][..],
            &[("requirements.txt", "fastapi[standard]>=0.115\n")][..],
            &[("requirements.txt", "-c constraints.txt\nfastapi\n")][..],
        ] {
            assert!(check(files, &uvicorn).is_empty(), "{files:?}");
        }
        let module = Valued::new(
            ["python", "-m", "gunicorn", "app:app"].map(String::from).to_vec(),
            Origin::at("x", 1),
        );
        assert_eq!(check(&[("requirements.txt", "flask\n")], &module).len(), 1);
        let script = Valued::new(["python", "app.py"].map(String::from).to_vec(), Origin::at("x", 1));
        assert!(check(&[("requirements.txt", "flask\n")], &script).is_empty());
    }

    #[test]
    fn requirements_that_name_other_files_of_the_folder_are_found() {
        let read = |text: &str| {
            let (dir, sources) = folder("api", &[("requirements.txt", text)]);
            super::requirements_read_folder(&dir, &sources, "requirements.txt").map(|v| (v.value, v.origin.text))
        };
        for (text, line, at) in [
            ("fastapi==0.118.0\n-r base.txt\n", "-r base.txt", 2),
            (
                "--requirement=requirements/prod.txt\n",
                "--requirement=requirements/prod.txt",
                1,
            ),
            ("# pins\n-c constraints.txt\nfastapi\n", "-c constraints.txt", 2),
            ("-e .\n", "-e .", 1),
            ("-rbase.txt\n", "-rbase.txt", 1),
            ("fastapi==0.118.0\n./libs/shared  # ours\n", "./libs/shared", 2),
            (
                "shared @ file:///app/libs/shared\n",
                "shared @ file:///app/libs/shared",
                1,
            ),
        ] {
            let (value, origin) = read(text).unwrap_or_else(|| panic!("{text:?} reads the folder"));
            assert_eq!(value, line, "{text:?}");
            assert!(origin.contains(&format!("api/requirements.txt:{at}")), "{origin}");
        }
        for text in [
            "fastapi==0.118.0\nuvicorn[standard]==0.37.0\n",
            "--index-url https://pypi.org/simple\nfastapi==0.118.0\n",
            "-e git+https://github.com/org/lib.git#egg=lib\n",
            "-r https://example.com/requirements.txt\n",
            "mylib @ https://example.com/mylib-1.0.whl\n",
            "-é.txt\n",
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_requirements_file_locks_only_when_every_line_is_pinned() {
        let pinned = "# locked\nfastapi==0.118.0\nuvicorn[standard]==0.37.0 ; python_version >= '3.10'\n-r base.txt\n--index-url https://pypi.org/simple\nmylib @ https://example.com/mylib-1.0.whl\npsycopg==3.2.10 \\\n    --hash=sha256:abc\n";
        assert_eq!(unpinned(pinned), None);
        let (message, at) = unpinned("fastapi==0.118.0\n  sqlmodel>=0.0.22  # ORM\nopenai\nrequests==2.*\n").unwrap();
        assert_eq!(at, "sqlmodel>=0.0.22");
        assert!(
            message.contains("does not pin `sqlmodel>=0.0.22` (and 2 more of its 4 requirements)"),
            "{message}"
        );
    }

    #[test]
    fn requirements_are_normalised() {
        assert_eq!(
            requirement("uvicorn[standard] >= 0.30 ; python_version > '3.8'"),
            Some(("uvicorn".into(), ">=0.30".into()))
        );
        assert_eq!(
            requirement("Pydantic_Settings"),
            Some(("pydantic-settings".into(), String::new()))
        );
    }

    #[test]
    fn pyproject_dependencies_are_read() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n  \"fastapi>=0.115\", # web\n  'uvicorn[standard]>=0.30',\n]\n\n[tool.x]\ndependencies = [\"no\"]\n";
        assert_eq!(
            toml_string_array(text, "[project]", "dependencies").unwrap(),
            ["fastapi>=0.115", "uvicorn[standard]>=0.30"]
        );
        assert_eq!(
            toml_string_array(
                "[project]\ndependencies = [\"a\", \"b]\"]\n",
                "[project]",
                "dependencies"
            )
            .unwrap(),
            ["a", "b]"]
        );
    }

    #[test]
    fn the_projects_own_requires_dist_is_read() {
        let lock = "version = 1\n\n[[package]]\nname = \"anyio\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [\n    { name = \"fastapi\" },\n]\n\n[package.metadata]\nrequires-dist = [\n    { name = \"fastapi\", specifier = \">=0.115\" },\n    { name = \"uvicorn\", extras = [\"standard\"], specifier = \">=0.30\" },\n]\n";
        assert_eq!(
            project_requires_dist(lock).unwrap(),
            [
                ("fastapi".to_string(), ">=0.115".to_string()),
                ("uvicorn".to_string(), ">=0.30".to_string())
            ]
        );
    }

    /// SP433's messages for a pyproject.toml and uv.lock in `api/`.
    fn uv_drift(manifest: &str, lock: &str) -> Vec<String> {
        let (dir, sources) = folder("api", &[("pyproject.toml", manifest), ("uv.lock", lock)]);
        let mut diags = Diagnostics::default();
        stale_uv("api", &dir, &sources, &mut diags);
        diags.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn optional_dependencies_are_locked_as_extras() {
        let manifest = "[project]\nname = \"app\"\ndependencies = [\"fastapi>=0.115\"]\n\n[project.optional-dependencies]\ndev = [\n  \"pytest>=8\",\n  \"httpx>=0.28.0\",\n]\n";
        let lock = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[package.metadata]\nrequires-dist = [\n    { name = \"fastapi\", specifier = \">=0.115\" },\n    { name = \"httpx\", marker = \"extra == 'dev'\", specifier = \">=0.28.0\" },\n    { name = \"pytest\", marker = \"extra == 'dev'\", specifier = \">=8\" },\n]\nprovides-extras = [\"dev\"]\n";
        assert_eq!(uv_drift(manifest, lock), Vec::<String>::new());
        // An extra the lock has not seen yet is still drift.
        let newer = manifest.replace("\"pytest>=8\",", "\"pytest>=8\",\n  \"ruff>=0.6\",");
        let drift = uv_drift(&newer, lock);
        assert_eq!(drift.len(), 1, "{drift:?}");
        assert!(drift[0].contains("`ruff`"), "{}", drift[0]);
    }
}
