//! The images the repository's own scripts build: `docker build -f dockerfiles/mcp.Dockerfile
//! backend` in `deployment/build-images.sh`. A Dockerfile kept outside the folder it builds
//! (a root `dockerfiles/` or `docker/` folder) is found nowhere else, and the command is the
//! only place that says which folder is its context; two images of one folder (an API and an
//! MCP server sharing `backend/`) are told apart only by it.
//!
//! The repository's GitHub workflows (`.github/workflows/*.yml`) are read the same way: a
//! `run:` step's `docker build`, and the `context:` and `file:` of a
//! `docker/build-push-action` step, the way most teams build their images in CI.
//!
//! Load reads the scripts that hold such a command and the Dockerfiles they name, and hangs
//! each image on the folder it builds ([`RepoDir::images`]); which component an image is, is
//! resolve's decision (`resolve/deploy/component/`). A Dockerfile inside the folder that a script
//! names (`-f backend/Dockerfile.prod backend`) is the team's choice among the folder's
//! Dockerfiles ([`RepoDir::built_with`]): the file they deploy, where the folder also holds
//! a plain `Dockerfile` for development.

use std::path::{Path, PathBuf};

use super::repo::{BuiltWith, RepoDir, TeamImage};
use crate::catalog::is_dockerfile_name;
use crate::diagnostics::Diagnostics;
use crate::source::{SourceId, Sources};

/// Folders whose shell scripts are read, besides the root: where teams keep build scripts.
const SCRIPT_DIRS: &[&str] = &[
    "scripts",
    "script",
    "deploy",
    "deployment",
    "build",
    "ci",
    "docker",
    "dockerfiles",
    "infra",
    "tools",
];

/// The folder of the repository's GitHub workflows: their `*.yml` and `*.yaml` files are read
/// as scripts (paths in them are relative to the checkout, the root).
const WORKFLOWS: &str = ".github/workflows";

/// Files at the root that hold commands, besides `*.sh`.
const ROOT_SCRIPTS: &[&str] = &["Makefile", "makefile", "GNUmakefile", "justfile", "Justfile"];

/// At most this many scripts are read, each of at most this many bytes: a build script is
/// short, and a repository of generated shell is not scanned whole.
const MAX_SCRIPTS: usize = 40;
const MAX_SCRIPT_BYTES: u64 = 256 * 1024;

/// One `docker build` of a script, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCommand {
    /// 1-based line of the command's first line.
    pub line: usize,
    /// `-f` / `--file`, unquoted (`$REPO_ROOT/dockerfiles/mcp.Dockerfile`).
    pub dockerfile: Option<String>,
    /// The build context: the command's one positional argument (`$REPO_ROOT/backend`).
    pub context: String,
    /// `-t` / `--tag`, unquoted (`ai-todo-mcp:latest`).
    pub tag: Option<String>,
    /// The folder a `cd` earlier on the line entered (`backend` for `cd backend && docker
    /// build …`), as written: the command's relative paths are relative to it.
    pub cd: Option<String>,
}

/// The `docker build` (also `docker buildx build`, `podman build`) commands of a script's
/// text. Lines continued with a backslash are joined; options whose value sp does not need
/// are skipped with their value; a command with several positional arguments (or none) is
/// not one sp can read and is left out.
pub fn build_commands(text: &str) -> Vec<BuildCommand> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, first)) = lines.next() {
        let mut joined = first.to_string();
        while joined.trim_end().ends_with('\\') {
            let trimmed = joined.trim_end();
            joined = trimmed[..trimmed.len() - 1].to_string();
            match lines.next() {
                Some((_, next)) => {
                    joined.push(' ');
                    joined.push_str(next);
                }
                None => break,
            }
        }
        // Several commands on one line (`cd x && docker build …`), comments cut off.
        let code = joined.split(" #").next().unwrap_or("");
        if code.trim_start().starts_with('#') {
            continue;
        }
        // After a `cd` on the same line (`cd backend && docker build -t api .`) the paths are
        // relative to the folder it enters, kept as the command's `cd`; a `cd` sp cannot
        // follow (none, `-`, a substitution) leaves the rest of the line out rather than read
        // from the wrong place.
        let code = code.replace("&&", ";").replace("||", ";");
        let mut cd: Option<String> = None;
        for part in code.split([';', '|']) {
            let words = crate::source::shell_words_lenient(part);
            if words.first().is_some_and(|w| w == "cd") {
                match words.get(1..).unwrap_or_default() {
                    [dir] if dir != "-" && !dir.contains('`') && !dir.starts_with("$(") => {
                        cd = match (&cd, dir.starts_with(['/', '$', '~'])) {
                            (Some(prev), false) => Some(format!("{prev}/{dir}")),
                            _ => Some(dir.clone()),
                        };
                        continue;
                    }
                    _ => break,
                }
            }
            if let Some(mut c) = build_command(part, i + 1) {
                c.cd = cd.clone();
                out.push(c);
            }
        }
    }
    out
}

/// The builds of a workflow's `docker/build-push-action` steps: the step's `context:` (the
/// checkout's root without one) and `file:`, the way the action reads them. A value sp cannot
/// read (an expression other than the workspace, `${{ matrix.dir }}`) leaves the step out.
pub fn action_builds(text: &str) -> Vec<BuildCommand> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("uses:") else { continue };
        if !line[at..].contains("docker/build-push-action") || line.trim_start().starts_with('#') {
            continue;
        }
        // The step's keys stand at the column of `uses:`; the step ends where a line starts
        // left of it (the next `- ` item, or the job's next key).
        let (mut context, mut file, mut tag) = (None, None, None);
        for l in &lines[i + 1..] {
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            if indent(l) < at {
                break;
            }
            let Some((key, value)) = l.trim().split_once(':') else {
                continue;
            };
            let value = value.split(" #").next().unwrap_or("").trim().trim_matches(['"', '\'']);
            let value = value.strip_prefix("${{ github.workspace }}/").unwrap_or(value);
            match key {
                "context" => context = Some(value.to_string()),
                "file" => file = Some(value.to_string()),
                "tags" if !value.is_empty() && !value.starts_with(['|', '>']) => {
                    tag = value.split(',').next().map(|t| t.trim().to_string());
                }
                _ => {}
            }
        }
        let context = context.unwrap_or_else(|| ".".to_string());
        if context.contains("${{") || file.as_deref().is_some_and(|f| f.contains("${{")) {
            continue;
        }
        out.push(BuildCommand {
            line: i + 1,
            dockerfile: file,
            context: if context.is_empty() { ".".to_string() } else { context },
            tag: tag.filter(|t| !t.contains("${{")),
            cd: None,
        });
    }
    out
}

/// Where a workflow step runs its commands.
#[derive(Debug, Clone, PartialEq)]
enum RunFolder {
    /// The checkout's root.
    Root,
    /// A folder of the repository, as written (`backend`, `./services/api`).
    Folder(String),
    /// An expression sp cannot evaluate (`${{ matrix.dir }}`).
    Unknown,
}

/// The folder each step of a workflow runs in, as `(first line of the step, folder)` in line
/// order: the step's `working-directory:`, else its job's `defaults.run.working-directory`,
/// else the workflow's, else the root.
fn run_folders(text: &str) -> Vec<(usize, RunFolder)> {
    use crate::yaml::{Node, NodeValue};
    fn folder(node: Option<&Node>) -> Option<RunFolder> {
        match &node?.value {
            NodeValue::Scalar { text, .. } if text.contains("${{") => Some(RunFolder::Unknown),
            NodeValue::Scalar { text, .. } => Some(RunFolder::Folder(text.trim().to_string())),
            _ => None,
        }
    }
    let defaults = |node: &Node| {
        folder(
            node.get("defaults")
                .and_then(|d| d.get("run"))
                .and_then(|r| r.get("working-directory")),
        )
    };
    let (docs, _) = crate::yaml::parse_nodes(text);
    let Some(root) = docs.first().map(|d| &d.root) else {
        return Vec::new();
    };
    let workflow = defaults(root).unwrap_or(RunFolder::Root);
    let mut out = Vec::new();
    let Some(NodeValue::Map(jobs)) = root.get("jobs").map(|j| &j.value) else {
        return out;
    };
    for (_, job) in jobs {
        let job_folder = defaults(job).unwrap_or_else(|| workflow.clone());
        let Some(NodeValue::Seq(steps)) = job.get("steps").map(|s| &s.value) else {
            continue;
        };
        for step in steps {
            let own = folder(step.get("working-directory"));
            out.push((step.line, own.unwrap_or_else(|| job_folder.clone())));
        }
    }
    out.sort_by_key(|(line, _)| *line);
    out
}

/// A workflow's `run:` commands with the folder their step runs in: a relative path of the
/// command starts there, as a `cd` on its line would make it start (and such a `cd` starts
/// from that folder). A command of a step whose folder is an expression is left out rather
/// than read from the wrong folder.
fn in_run_folders(text: &str, commands: Vec<BuildCommand>) -> Vec<BuildCommand> {
    let folders = run_folders(text);
    commands
        .into_iter()
        .filter_map(|mut c| {
            let step = folders.iter().rev().find(|(line, _)| *line <= c.line);
            match step.map(|(_, f)| f) {
                None | Some(RunFolder::Root) => {}
                Some(RunFolder::Unknown) => return None,
                Some(RunFolder::Folder(dir)) => {
                    let dir = dir.trim_end_matches('/');
                    c.cd = Some(match &c.cd {
                        Some(cd) if !cd.starts_with('/') => format!("{dir}/{cd}"),
                        Some(cd) => cd.clone(),
                        None => dir.to_string(),
                    });
                }
            }
            Some(c)
        })
        .collect()
}

fn build_command(part: &str, line: usize) -> Option<BuildCommand> {
    let words = crate::source::shell_words_lenient(part);
    let start = words
        .windows(2)
        .position(|w| w[1] == "build" && matches!(w[0].as_str(), "docker" | "buildx" | "podman" | "buildah"))?;
    let mut args = words[start + 2..].iter();
    let (mut dockerfile, mut tag, mut positional) = (None, None, Vec::new());
    // Options that take a value as the next word (the others are flags).
    const VALUED: &[&str] = &[
        "--build-arg",
        "--platform",
        "--target",
        "--label",
        "--network",
        "--secret",
        "--ssh",
        "--cache-from",
        "--cache-to",
        "--output",
        "-o",
        "--progress",
        "--build-context",
        "--add-host",
        "--iidfile",
        "--metadata-file",
        "--shm-size",
        "--ulimit",
        "--memory",
        "-m",
    ];
    while let Some(a) = args.next() {
        match a.as_str() {
            "-f" | "--file" => dockerfile = args.next().cloned(),
            "-t" | "--tag" => tag = tag.or(args.next().cloned()),
            a if a.starts_with("--file=") => dockerfile = Some(a["--file=".len()..].to_string()),
            a if a.starts_with("--tag=") => tag = tag.or(Some(a["--tag=".len()..].to_string())),
            a if VALUED.contains(&a) => {
                args.next();
            }
            a if a.starts_with('-') => {}
            // A redirection ends the command (`> log`, `2>&1`, `&>/dev/null`).
            a if a
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
                .starts_with(['>', '<']) =>
            {
                break;
            }
            _ => positional.push(a.clone()),
        }
    }
    match positional.as_slice() {
        [context] => Some(BuildCommand {
            line,
            dockerfile,
            context: context.clone(),
            tag,
            cd: None,
        }),
        _ => None,
    }
}

/// A path a script names, as a path of the repository (forward slashes, no `./`, `.` for the
/// root): relative to the root (where build scripts are run from), or else to the script's
/// own folder. A leading variable (`$REPO_ROOT/`, `${ROOT_DIR}/`, `$(pwd)/`) stands for
/// either. `None` for an absolute path, a URL, stdin (`-`) or a path that leaves the
/// repository or is not in it (`exists` decides).
pub fn repo_path(raw: &str, script_dir: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    if raw.contains("://") || raw == "-" || raw.starts_with('/') || raw.starts_with('~') {
        return None;
    }
    let mut rest = raw;
    if let Some(r) = rest.strip_prefix('$') {
        let end = if r.starts_with('{') {
            r.find('}').map(|i| i + 1)
        } else if r.starts_with('(') {
            r.find(')').map(|i| i + 1)
        } else {
            Some(
                r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(r.len()),
            )
        }?;
        rest = match &r[end..] {
            "" => "",
            after => after.strip_prefix('/')?,
        };
    }
    if rest.contains('$') || rest.contains('`') {
        return None;
    }
    let bases = if script_dir == "." || script_dir.is_empty() {
        vec![""]
    } else {
        vec!["", script_dir]
    };
    bases.into_iter().find_map(|base| {
        let path = crate::source::join_relative(base, rest)?;
        let path = if path.is_empty() { ".".to_string() } else { path };
        exists(&path).then_some(path)
    })
}

/// The names an image goes by: the Dockerfile's own (`mcp` for `mcp.Dockerfile`,
/// `Dockerfile.mcp` or `mcp/Dockerfile`) and the tag's repository name (`ai-todo-mcp` for
/// `registry/ai-todo-mcp:latest`), lowercased, without duplicates.
fn image_names(dockerfile: &str, tag: Option<&str>) -> Vec<String> {
    let mut names = Vec::new();
    let (folder, file) = dockerfile.rsplit_once('/').unwrap_or(("", dockerfile));
    let own = if file == "Dockerfile" {
        folder
            .rsplit('/')
            .next()
            .filter(|f| !f.is_empty() && *f != "docker" && *f != "dockerfiles")
    } else {
        file.strip_suffix(".Dockerfile")
            .or_else(|| file.strip_prefix("Dockerfile."))
    };
    names.extend(own.map(str::to_ascii_lowercase));
    if let Some(t) = tag {
        let repo = t.rsplit('/').next().unwrap_or(t);
        let repo = repo.split([':', '@']).next().unwrap_or(repo).to_ascii_lowercase();
        if !repo.is_empty() && !repo.contains('$') && !names.contains(&repo) {
            names.push(repo);
        }
    }
    names
}

/// The root's scripts, those of [`SCRIPT_DIRS`] and the [`WORKFLOWS`], sorted, as paths of
/// the repository.
fn scripts(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let script = |dir: &str, n: &str| n.ends_with(".sh") || (dir.is_empty() && ROOT_SCRIPTS.contains(&n));
    let workflow = |_: &str, n: &str| n.ends_with(".yml") || n.ends_with(".yaml");
    let mut add = |dir: &str, keep: &dyn Fn(&str, &str) -> bool| {
        let Ok(entries) = std::fs::read_dir(if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(dir)
        }) else {
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| keep(dir, n))
            .collect();
        names.sort();
        out.extend(
            names
                .into_iter()
                .map(|n| if dir.is_empty() { n } else { format!("{dir}/{n}") }),
        );
    };
    add("", &script);
    for d in SCRIPT_DIRS {
        add(d, &script);
    }
    add(WORKFLOWS, &workflow);
    out.truncate(MAX_SCRIPTS);
    out
}

/// Reads the scripts that build an image from a folder of `repo` with a Dockerfile of their
/// choosing, and the Dockerfiles they name; hangs each image, or each choice of a Dockerfile
/// inside the folder, on its folder. A script without such a command is not kept (nor
/// recorded as an input).
pub fn attach(root: &Path, repo: &mut [RepoDir], sources: &mut Sources, diags: &mut Diagnostics) {
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for script in scripts(root) {
        let abs = root.join(&script);
        // Only scripts of the workspace: a link to a file elsewhere is not read (what
        // `read_source` refuses for every other input, without a report here, since a
        // script is only looked into).
        let inside = std::fs::canonicalize(&abs).is_ok_and(|real| real.starts_with(&real_root));
        if !inside || std::fs::metadata(&abs).is_ok_and(|m| m.len() > MAX_SCRIPT_BYTES) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&abs) else {
            continue;
        };
        let text = super::without_bom(text);
        if !text.contains(" build") && !text.contains("build-push-action") {
            continue;
        }
        let script_dir = script.rsplit_once('/').map_or(".", |(d, _)| d);
        let mut script_id = None;
        let mut commands = build_commands(&text);
        if script.starts_with(WORKFLOWS) {
            commands = in_run_folders(&text, commands);
            commands.extend(action_builds(&text));
        }
        for c in commands {
            let Some(file) = c.dockerfile.as_deref() else { continue };
            // A `cd` on the command's line: its relative paths start from that folder.
            let entered = match &c.cd {
                Some(cd) => match repo_path(cd, script_dir, |p| root.join(p).is_dir()) {
                    Some(dir) => Some(dir),
                    None => continue,
                },
                None => None,
            };
            let path = |raw: &str, exists: &dyn Fn(&str) -> bool| match &entered {
                Some(dir) if !raw.starts_with('$') => crate::source::join_relative(dir, raw)
                    .map(|p| if p.is_empty() { ".".to_string() } else { p })
                    .filter(|p| exists(p)),
                _ => repo_path(raw, script_dir, exists),
            };
            let is_folder = |p: &str| repo.iter().any(|d| d.path == p);
            let Some(context) = path(&c.context, &is_folder) else {
                continue;
            };
            let Some(dockerfile) = path(file, &|p| root.join(p).is_file()) else {
                continue;
            };
            let base = dockerfile.rsplit('/').next().unwrap_or(&dockerfile);
            if !is_dockerfile_name(base) {
                continue;
            }
            let Some(dir) = repo.iter_mut().find(|d| d.path == context) else {
                continue;
            };
            let inside = match context.as_str() {
                "." => Some(dockerfile.as_str()),
                _ => dockerfile.strip_prefix(&format!("{context}/")),
            };
            if let Some(name) = inside {
                // The plain `Dockerfile` is the folder's own choice already.
                if name == "Dockerfile" || dir.built_with.iter().any(|b| b.name == name) {
                    continue;
                }
                if !dir.files.contains_key(name) {
                    let Some(id) =
                        super::read_source(sources, &root.join(&dockerfile), PathBuf::from(&dockerfile), diags)
                    else {
                        continue;
                    };
                    dir.files.insert(name.to_string(), id);
                }
                let script = recorded(&mut script_id, sources, &script, &text);
                dir.built_with.push(BuiltWith {
                    name: name.to_string(),
                    script,
                    line: c.line,
                });
                continue;
            }
            let names = image_names(&dockerfile, c.tag.as_deref());
            if names.is_empty() || dir.images.iter().any(|i| i.names == names) {
                continue;
            }
            let script_id = recorded(&mut script_id, sources, &script, &text);
            let Some(id) = super::read_source(sources, &root.join(&dockerfile), PathBuf::from(&dockerfile), diags)
            else {
                continue;
            };
            dir.images.push(TeamImage {
                dockerfile: id,
                names,
                script: script_id,
                line: c.line,
                command: format!("docker build -f {dockerfile} {context}"),
            });
        }
    }
}

/// The script's source id, added to `sources` (and so recorded as an input) the first time
/// one of its commands is used.
fn recorded(slot: &mut Option<SourceId>, sources: &mut Sources, script: &str, text: &str) -> SourceId {
    *slot.get_or_insert_with(|| sources.add(PathBuf::from(script), text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_commands_are_read_across_continuations_and_quotes() {
        let text = "#!/bin/bash\nREPO_ROOT=\"$(pwd)\"\n# docker build -f old.Dockerfile old\ndocker build \\\n  -t ai-todo-mcp:latest \\\n  -f \"$REPO_ROOT/dockerfiles/mcp.Dockerfile\" \\\n  \"$REPO_ROOT/backend\"\ncd web && docker buildx build --platform linux/amd64 --file=../docker/web.Dockerfile --push .\ndocker build -t x a b\ndocker buildx build --platform linux/amd64 --file=docker/web.Dockerfile --push web 2>&1 | tee log\npodman build --build-arg V=1 -f Dockerfile.api api # the API\ncd - && docker build -f a/Dockerfile.prod a\ncd \"$(dirname \"$0\")\" && docker build -f a/Dockerfile.prod a\n";
        assert_eq!(
            build_commands(text),
            vec![
                BuildCommand {
                    line: 4,
                    dockerfile: Some("$REPO_ROOT/dockerfiles/mcp.Dockerfile".into()),
                    context: "$REPO_ROOT/backend".into(),
                    tag: Some("ai-todo-mcp:latest".into()),
                    cd: None,
                },
                BuildCommand {
                    line: 8,
                    dockerfile: Some("../docker/web.Dockerfile".into()),
                    context: ".".into(),
                    tag: None,
                    cd: Some("web".into()),
                },
                BuildCommand {
                    line: 10,
                    dockerfile: Some("docker/web.Dockerfile".into()),
                    context: "web".into(),
                    tag: None,
                    cd: None,
                },
                BuildCommand {
                    line: 11,
                    dockerfile: Some("Dockerfile.api".into()),
                    context: "api".into(),
                    tag: None,
                    cd: None,
                },
            ]
        );
    }

    #[test]
    fn script_paths_become_repository_paths() {
        let exists = |p: &str| ["backend", "dockerfiles/mcp.Dockerfile", "."].contains(&p);
        assert_eq!(
            repo_path("$REPO_ROOT/backend", "deployment", exists).as_deref(),
            Some("backend")
        );
        assert_eq!(
            repo_path("${ROOT}/backend/", "deployment", exists).as_deref(),
            Some("backend")
        );
        assert_eq!(
            repo_path("$(pwd)/backend", "deployment", exists).as_deref(),
            Some("backend")
        );
        assert_eq!(repo_path("./backend", ".", exists).as_deref(), Some("backend"));
        assert_eq!(
            repo_path("../backend", "deployment", exists).as_deref(),
            Some("backend")
        );
        assert_eq!(
            repo_path("../dockerfiles/mcp.Dockerfile", "scripts", exists).as_deref(),
            Some("dockerfiles/mcp.Dockerfile")
        );
        assert_eq!(repo_path(".", ".", exists).as_deref(), Some("."));
        assert_eq!(repo_path("$REPO_ROOT", "deployment", exists).as_deref(), Some("."));
        for raw in [
            "/srv/backend",
            "https://github.com/x/y.git",
            "-",
            "../../backend",
            "$A/$B",
            "frontend",
        ] {
            assert_eq!(repo_path(raw, "deployment", exists), None, "{raw}");
        }
    }

    /// The image hangs on the folder it builds; a script that links out of the workspace is
    /// not read.
    #[cfg(unix)]
    #[test]
    fn scripts_of_the_workspace_hang_their_images_on_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        for dir in ["backend", "dockerfiles", "scripts"] {
            std::fs::create_dir(root.path().join(dir)).expect("mkdir");
        }
        std::fs::write(
            root.path().join("dockerfiles/api.Dockerfile"),
            "FROM python:3.12-slim\n",
        )
        .expect("write");
        let script = "docker build -t acme-api -f dockerfiles/api.Dockerfile backend\n";
        std::fs::write(elsewhere.path().join("build.sh"), script).expect("write");
        std::os::unix::fs::symlink(elsewhere.path().join("build.sh"), root.path().join("scripts/build.sh"))
            .expect("symlink");
        let attached = || images_of(root.path()).0;
        assert_eq!(attached(), vec![]);
        let found = vec![(
            vec!["api".to_string(), "acme-api".to_string()],
            "scripts/build.sh".to_string(),
            1,
        )];
        std::fs::remove_file(root.path().join("scripts/build.sh")).expect("rm");
        std::fs::write(root.path().join("scripts/build.sh"), script).expect("write");
        assert_eq!(attached(), found);
        // Saved with a byte order mark and Windows line ends: the same command.
        let windows = format!("\u{feff}{}", script.replace('\n', "\r\n"));
        std::fs::write(root.path().join("scripts/build.sh"), windows).expect("write");
        assert_eq!(attached(), found);
    }

    /// The images `attach` hangs on a `backend` folder of the repository at `root`, as
    /// (names, script, line), and the folder.
    fn images_of(root: &Path) -> (Vec<(Vec<String>, String, usize)>, RepoDir) {
        let mut repo = vec![RepoDir {
            path: "backend".into(),
            ..Default::default()
        }];
        let mut sources = Sources::default();
        attach(root, &mut repo, &mut sources, &mut Diagnostics::default());
        let images = repo[0]
            .images
            .iter()
            .map(|i| (i.names.clone(), sources.get(i.script).display_path(), i.line))
            .collect();
        (images, repo.remove(0))
    }

    #[test]
    fn build_push_action_steps_are_builds() {
        let workflow = r#"name: images
on: push
jobs:
  images:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: API
        uses: docker/build-push-action@v6
        with:
          context: ./backend
          file: ./dockerfiles/api.Dockerfile   # the production image
          tags: ghcr.io/acme/todo-api:latest,ghcr.io/acme/todo-api:${{ github.sha }}
          push: true
      - name: Web
        uses: "docker/build-push-action@v6"
        with:
          file: "${{ github.workspace }}/web.Dockerfile"
      - name: Matrix
        uses: docker/build-push-action@v6
        with:
          context: ${{ matrix.dir }}
      # - uses: docker/build-push-action@v6
      - run: echo done
"#;
        let found = action_builds(workflow);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].line, found[0].context.as_str()), (9, "./backend"));
        assert_eq!(found[0].dockerfile.as_deref(), Some("./dockerfiles/api.Dockerfile"));
        assert_eq!(found[0].tag.as_deref(), Some("ghcr.io/acme/todo-api:latest"));
        assert_eq!(
            (found[1].context.as_str(), found[1].dockerfile.as_deref()),
            (".", Some("web.Dockerfile"))
        );
        assert_eq!(found[1].tag, None);
    }

    /// A workflow's builds hang on their folders like a script's: a `run:` step's `docker
    /// build` and a build-push-action step, with paths from the checkout's root.
    #[test]
    fn workflows_of_the_repository_hang_their_images_on_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["backend", "dockerfiles", ".github/workflows"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        std::fs::write(
            root.path().join("dockerfiles/api.Dockerfile"),
            "FROM python:3.12-slim\n",
        )
        .expect("write");
        std::fs::write(root.path().join("backend/Dockerfile.prod"), "FROM python:3.12-slim\n").expect("write");
        std::fs::write(
            root.path().join(".github/workflows/images.yml"),
            "jobs:\n  build:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: backend\n          file: dockerfiles/api.Dockerfile\n          tags: acme/todo-api:latest\n      - run: docker build -f backend/Dockerfile.prod backend\n",
        )
        .expect("write");
        let (images, backend) = images_of(root.path());
        assert_eq!(
            images,
            vec![(
                vec!["api".to_string(), "todo-api".to_string()],
                ".github/workflows/images.yml".to_string(),
                4
            )]
        );
        let chosen: Vec<(&str, usize)> = backend.built_with.iter().map(|b| (b.name.as_str(), b.line)).collect();
        assert_eq!(chosen, vec![("Dockerfile.prod", 9)]);
    }

    #[test]
    fn workflow_steps_run_in_their_working_directory() {
        let workflow = "defaults:\n  run:\n    working-directory: ./services\njobs:\n  api:\n    defaults:\n      run:\n        working-directory: backend\n    steps:\n      - run: docker build -f Dockerfile.prod .\n      - working-directory: ./web/\n        run: |\n          docker build -f Dockerfile .\n  matrix:\n    steps:\n      - working-directory: ${{ matrix.dir }}\n        run: docker build -f Dockerfile.prod .\n      - run: docker build -f services/x/Dockerfile services/x\n";
        assert_eq!(
            run_folders(workflow),
            vec![
                (10, RunFolder::Folder("backend".into())),
                (11, RunFolder::Folder("./web/".into())),
                (16, RunFolder::Unknown),
                (18, RunFolder::Folder("./services".into())),
            ]
        );
        let found: Vec<(usize, Option<String>)> = in_run_folders(workflow, build_commands(workflow))
            .into_iter()
            .map(|c| (c.line, c.cd))
            .collect();
        assert_eq!(
            found,
            vec![
                (10, Some("backend".into())),
                (13, Some("./web".into())),
                (18, Some("./services".into())),
            ]
        );
    }

    /// End to end: a `run:` step's paths start from its `working-directory`: the Dockerfile
    /// of `backend/` it names is the folder's choice, and one of another folder builds an
    /// image of `backend/`.
    #[test]
    fn a_workflow_step_s_working_directory_is_where_its_paths_start() {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["backend", "dockerfiles", ".github/workflows"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        std::fs::write(root.path().join("backend/Dockerfile.prod"), "FROM python:3.12-slim\n").expect("write");
        std::fs::write(
            root.path().join("dockerfiles/mcp.Dockerfile"),
            "FROM python:3.12-slim\n",
        )
        .expect("write");
        std::fs::write(
            root.path().join(".github/workflows/release.yml"),
            "jobs:\n  release:\n    steps:\n      - name: api\n        working-directory: backend\n        run: docker build -f Dockerfile.prod -t todo-api:1 .\n      - name: mcp\n        working-directory: dockerfiles\n        run: docker build -f mcp.Dockerfile -t todo-mcp:1 ../backend\n",
        )
        .expect("write");
        let (images, dir) = images_of(root.path());
        assert_eq!(
            images,
            vec![(
                vec!["mcp".to_string(), "todo-mcp".to_string()],
                ".github/workflows/release.yml".to_string(),
                9
            )]
        );
        let chosen: Vec<(&str, usize)> = dir.built_with.iter().map(|b| (b.name.as_str(), b.line)).collect();
        assert_eq!(chosen, vec![("Dockerfile.prod", 6)]);
    }

    /// A Dockerfile inside the folder a script builds is the folder's choice, read when the
    /// folder's scan did not; the plain `Dockerfile` is not recorded (it is the default).
    #[test]
    fn a_dockerfile_inside_the_context_is_the_folder_s_choice_also_after_a_cd() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("api/deploy/prod")).expect("mkdir");
        std::fs::create_dir_all(root.path().join("web")).expect("mkdir");
        std::fs::create_dir_all(root.path().join("dockerfiles")).expect("mkdir");
        std::fs::write(root.path().join("api/deploy/prod/Dockerfile"), "FROM node:22\n").expect("write");
        std::fs::write(root.path().join("dockerfiles/site.Dockerfile"), "FROM node:22\n").expect("write");
        // The second line's paths start from the folder its `cd` enters.
        std::fs::write(
            root.path().join("build.sh"),
            "docker build -f api/Dockerfile api\ncd web && docker build -f ../dockerfiles/site.Dockerfile .\ndocker build -f api/deploy/prod/Dockerfile -t acme/api ./api\n",
        )
        .expect("write");
        let mut repo = vec![
            RepoDir {
                path: "api".into(),
                ..Default::default()
            },
            RepoDir {
                path: "web".into(),
                ..Default::default()
            },
        ];
        let mut sources = Sources::default();
        attach(root.path(), &mut repo, &mut sources, &mut Diagnostics::default());
        let chosen: Vec<(String, String, usize)> = repo[0]
            .built_with
            .iter()
            .map(|b| (b.name.clone(), sources.get(b.script).display_path(), b.line))
            .collect();
        assert_eq!(
            chosen,
            vec![("deploy/prod/Dockerfile".to_string(), "build.sh".to_string(), 3)]
        );
        let id = repo[0].files["deploy/prod/Dockerfile"];
        assert_eq!(sources.get(id).display_path(), "api/deploy/prod/Dockerfile");
        assert!(repo[0].images.is_empty());
        let web: Vec<(Vec<String>, String)> = repo[1]
            .images
            .iter()
            .map(|i| (i.names.clone(), sources.get(i.dockerfile).display_path()))
            .collect();
        assert_eq!(
            web,
            vec![(vec!["site".to_string()], "dockerfiles/site.Dockerfile".to_string())]
        );
    }

    #[test]
    fn an_image_is_named_by_its_dockerfile_and_its_tag() {
        assert_eq!(
            image_names("dockerfiles/mcp.Dockerfile", Some("ai-todo-mcp:latest")),
            ["mcp", "ai-todo-mcp"]
        );
        assert_eq!(image_names("docker/Dockerfile.worker", None), ["worker"]);
        assert_eq!(
            image_names("docker/api/Dockerfile", Some("ghcr.io/acme/api:1")),
            ["api"]
        );
        assert_eq!(image_names("docker/Dockerfile", Some("$IMAGE")), Vec::<String>::new());
    }
}
