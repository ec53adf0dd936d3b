//! Dockerfiles and `.dockerignore` files: a tolerant parser (continuations, the escape
//! directive, heredocs, comments inside continued instructions, build stages, ARG defaults
//! in FROM) and the Dockerfile gates.

use super::parse::{Pos, image_ref, mutable_tag};
use super::{Acc, dir_of};

#[derive(Debug, Clone)]
pub struct Instr {
    /// Upper case: `RUN`, `FROM`…
    pub keyword: String,
    /// The arguments with continuations joined (a space where a line was continued) and
    /// heredoc bodies appended after a newline.
    pub args: String,
    pub line: usize,
    pub column: usize,
    /// The stage (index into `stages`) the instruction belongs to; None before the first FROM.
    pub stage: Option<usize>,
}

impl Instr {
    pub fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    /// `KEYWORD args` cut for a `found` field.
    pub fn show(&self) -> String {
        let first = self.args.lines().next().unwrap_or_default();
        let s = format!("{} {}", self.keyword, first);
        if s.chars().count() > 120 {
            s.chars().take(117).collect::<String>() + "…"
        } else {
            s
        }
    }

    /// `--name=value` flags at the start of the arguments, and the rest.
    pub fn flags(&self) -> (Vec<(String, String)>, &str) {
        let mut rest = self.args.trim_start();
        let mut flags = Vec::new();
        while let Some(r) = rest.strip_prefix("--") {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            let flag = &r[..end];
            let (n, v) = flag.split_once('=').unwrap_or((flag, ""));
            flags.push((n.to_ascii_lowercase(), v.to_string()));
            rest = r[end..].trim_start();
        }
        (flags, rest)
    }
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: Option<String>,
    /// The base image after substituting ARG defaults (or the name of an earlier stage).
    pub base: String,
    /// The FROM instruction (index into `instrs`).
    pub from: usize,
    /// The earlier stage this one is built on, when its base names one.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub file: String,
    pub instrs: Vec<Instr>,
    pub stages: Vec<Stage>,
    /// Every comment line: (line, text after `#`).
    pub comments: Vec<(usize, String)>,
    pub text_lower: String,
}

/// Where a heredoc starts in an instruction line: (terminator, strip leading tabs).
fn heredocs(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'<' && b[i + 1] == b'<' && b[i + 2] != b'<' && (i == 0 || b[i - 1] != b'<') {
            let mut j = i + 2;
            let dash = b.get(j) == Some(&b'-');
            if dash {
                j += 1;
            }
            let quote = matches!(b.get(j), Some(b'"' | b'\''));
            if quote {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start {
                out.push((line[start..j].to_string(), dash));
            }
            i = j.max(i + 2);
        } else {
            i += 1;
        }
    }
    out
}

impl Dockerfile {
    pub fn parse(file: &str, text: &str) -> Dockerfile {
        let lines: Vec<&str> = text.lines().collect();
        let mut escape = '\\';
        // Parser directives: `# key=value` lines at the very top.
        for l in &lines {
            let t = l.trim();
            let Some(d) = t.strip_prefix('#') else { break };
            let Some((k, v)) = d.split_once('=') else { break };
            if k.trim().eq_ignore_ascii_case("escape") {
                escape = v.trim().chars().next().unwrap_or('\\');
            }
        }
        let mut instrs: Vec<Instr> = Vec::new();
        let mut comments = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let raw = lines[i];
            let t = raw.trim();
            if t.is_empty() {
                i += 1;
                continue;
            }
            if let Some(c) = t.strip_prefix('#') {
                comments.push((i + 1, c.trim().to_string()));
                i += 1;
                continue;
            }
            let line_no = i + 1;
            let column = raw.len() - raw.trim_start().len() + 1;
            let mut joined = String::new();
            let mut cur = t.to_string();
            loop {
                let continued = cur.trim_end().ends_with(escape);
                if continued {
                    let s = cur.trim_end();
                    joined.push_str(s[..s.len() - escape.len_utf8()].trim_end());
                    joined.push(' ');
                } else {
                    joined.push_str(cur.trim_end());
                }
                i += 1;
                if !continued {
                    break;
                }
                // Comment and empty lines inside a continued instruction are dropped.
                while i < lines.len() && (lines[i].trim().is_empty() || lines[i].trim_start().starts_with('#')) {
                    if let Some(c) = lines[i].trim().strip_prefix('#') {
                        comments.push((i + 1, c.trim().to_string()));
                    }
                    i += 1;
                }
                if i >= lines.len() {
                    break;
                }
                cur = lines[i].trim().to_string();
            }
            for (term, dash) in heredocs(&joined) {
                let mut body = String::new();
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let cmp = if dash { l.trim_start_matches('\t') } else { l };
                    if cmp.trim_end() == term {
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                joined.push('\n');
                joined.push_str(&body);
            }
            let (kw, args) = match joined.find(char::is_whitespace) {
                Some(p) => (&joined[..p], joined[p..].trim()),
                None => (joined.as_str(), ""),
            };
            instrs.push(Instr {
                keyword: kw.to_ascii_uppercase(),
                args: args.to_string(),
                line: line_no,
                column,
                stage: None,
            });
        }

        // Stages, with the global ARG defaults substituted into FROM.
        let mut global_args: Vec<(String, String)> = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for (idx, instr) in instrs.iter_mut().enumerate() {
            if instr.keyword == "FROM" {
                let (_, rest) = instr.flags();
                let mut parts = rest.split_whitespace();
                let image = substitute(parts.next().unwrap_or_default(), &global_args);
                let name = match (parts.next(), parts.next()) {
                    (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => Some(n.to_ascii_lowercase()),
                    _ => None,
                };
                let parent = stages
                    .iter()
                    .rposition(|s| s.name.as_deref() == Some(image.to_ascii_lowercase().as_str()));
                stages.push(Stage {
                    name,
                    base: image,
                    from: idx,
                    parent,
                });
            } else if stages.is_empty() && instr.keyword == "ARG" {
                for (k, v) in assignments(&instr.args) {
                    global_args.push((k, v.unwrap_or_default()));
                }
            }
            if !stages.is_empty() {
                instr.stage = Some(stages.len() - 1);
            }
        }
        Dockerfile {
            file: file.to_string(),
            instrs,
            stages,
            comments,
            text_lower: text.to_ascii_lowercase(),
        }
    }

    /// The final stage and the stages it is built on, final first.
    pub fn final_chain(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.stages.len().checked_sub(1);
        while let Some(s) = cur {
            if chain.contains(&s) {
                break;
            }
            chain.push(s);
            cur = self.stages[s].parent;
        }
        chain
    }

    /// Instructions of a stage, in order.
    pub fn stage_instrs(&self, stage: usize) -> impl Iterator<Item = &Instr> {
        self.instrs.iter().filter(move |i| i.stage == Some(stage))
    }

    pub fn stage_label(&self, stage: usize) -> String {
        match &self.stages[stage].name {
            Some(n) => format!("stage {n}"),
            None => format!("stage {}", stage + 1),
        }
    }

    fn is_stage_name(&self, s: &str) -> bool {
        let l = s.to_ascii_lowercase();
        self.stages.iter().any(|st| st.name.as_deref() == Some(l.as_str())) || l.parse::<usize>().is_ok()
    }

    fn first_line(&self) -> Pos {
        self.instrs
            .first()
            .map(Instr::pos)
            .unwrap_or(Pos { line: 1, column: 1 })
    }
}

/// Replace `$X`, `${X}` and `${X:-d}` with ARG defaults; unknown variables stay.
fn substitute(s: &str, args: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let (name, default, consumed) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(e) => {
                    let inner = &b[..e];
                    let (n, d) = match inner.split_once(":-") {
                        Some((n, d)) => (n, Some(d)),
                        None => (inner, None),
                    };
                    (n.to_string(), d.map(str::to_string), e + 2)
                }
                None => (String::new(), None, 0),
            }
        } else {
            let e = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (after[..e].to_string(), None, e)
        };
        match args
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .or(default)
        {
            Some(v) if !name.is_empty() => out.push_str(&v),
            _ => {
                out.push('$');
                out.push_str(&after[..consumed]);
            }
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

/// `A=1 B="two"` or the legacy `A 1` (ENV) / `A` (ARG): names with their values.
fn assignments(args: &str) -> Vec<(String, Option<String>)> {
    let args = args.trim();
    let first = args.split_whitespace().next().unwrap_or_default();
    if !first.contains('=') {
        let rest = args[first.len()..].trim();
        if first.is_empty() {
            return Vec::new();
        }
        // `ENV KEY value`: the rest of the line is the value, its surrounding quotes removed.
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| rest.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
            .unwrap_or(rest);
        return vec![(
            first.to_string(),
            if rest.is_empty() {
                None
            } else {
                Some(unquoted.to_string())
            },
        )];
    }
    let mut out = Vec::new();
    for tok in shell_words(args) {
        match tok.split_once('=') {
            Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
            None => out.push((tok, None)),
        }
    }
    out
}

/// Whitespace-separated words with quotes removed (no expansion).
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut esc = false;
    let mut any = false;
    for c in s.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('"'), '"') => quote = None,
            (Some('"'), '\\') => esc = true,
            (Some(_), c) => cur.push(c),
            (None, '\\') => esc = true,
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// The simple commands of a shell script: split at `&&`, `||`, `;`, `|`, `&` and newlines,
/// each as words, with leading `VAR=x` assignments removed.
fn simple_commands(script: &str) -> Vec<Vec<String>> {
    raw_commands(script)
        .into_iter()
        .map(|c| {
            c.into_iter()
                .skip_while(|w| w.contains('=') && !w.starts_with('-'))
                .collect::<Vec<_>>()
        })
        .filter(|w: &Vec<String>| !w.is_empty())
        .collect()
}

/// The simple commands of a shell script as words, assignments included.
fn raw_commands(script: &str) -> Vec<Vec<String>> {
    let mut cmds = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push('\\');
                    cur.push(n);
                }
            }
            (None, ';' | '|' | '&' | '\n' | '(' | ')') => {
                cmds.push(std::mem::take(&mut cur));
            }
            (None, c) => cur.push(c),
        }
    }
    cmds.push(cur);
    cmds.iter()
        .map(|c| shell_words(c))
        .filter(|w: &Vec<String>| !w.is_empty())
        .collect()
}

/// Does the script pipe one command into another (a `|` that is not `||`, outside quotes)?
fn has_pipe(script: &str) -> bool {
    let b: Vec<char> = script.chars().collect();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\\' => i += 1,
                '"' | '\'' => quote = Some(c),
                '|' => {
                    if b.get(i + 1) == Some(&'|') {
                        i += 1;
                    } else if i == 0 || b[i - 1] != '|' {
                        return true;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    false
}

/// A RUN's script: the shell form's text, or the exec form's words joined.
fn run_script(i: &Instr) -> String {
    let (_, rest) = i.flags();
    match serde_json::from_str::<Vec<String>>(rest.lines().next().unwrap_or_default()) {
        Ok(words) => words.join(" "),
        Err(_) => rest.to_string(),
    }
}

fn is_json_form(args: &str) -> bool {
    let first = args.trim();
    first.starts_with('[') && serde_json::from_str::<Vec<String>>(first.lines().next().unwrap_or_default()).is_ok()
}

/// What in a command makes it a build step that has no place in a runtime stage.
fn toolchain_step(words: &[String]) -> Option<String> {
    let w: Vec<&str> = words.iter().map(String::as_str).skip_while(|w| *w == "sudo").collect();
    let cmd = w.first()?.rsplit('/').next().unwrap_or_default();
    let sub = w.get(1).copied().unwrap_or_default();
    let args: Vec<&str> = w.iter().skip(1).copied().filter(|a| !a.starts_with('-')).collect();
    let first_arg = args.first().copied().unwrap_or_default();
    let second_arg = args.get(1).copied().unwrap_or_default();
    let build_pkgs = |pkgs: &[&str]| {
        pkgs.iter().any(|p| {
            let p = p.split('=').next().unwrap_or_default();
            matches!(
                p,
                "build-essential" | "build-base" | "gcc" | "g++" | "make" | "cmake" | "clang" | "musl-dev" | "libc-dev"
            ) || p.ends_with("-dev")
                || p.ends_with("-devel")
        })
    };
    let found = match cmd {
        "npm" => {
            matches!(first_arg, "ci" | "install" | "i" | "rebuild") || (first_arg == "run" && second_arg == "build")
        }
        "pnpm" | "yarn" | "bun" => {
            matches!(first_arg, "" | "install" | "i" | "add" | "build") || (first_arg == "run" && second_arg == "build")
        }
        "pip" | "pip3" => first_arg == "install",
        "python" | "python3" => sub == "-m" && matches!(w.get(2).copied(), Some("pip")) && w.get(3) == Some(&"install"),
        "uv" => matches!(first_arg, "sync" | "pip" | "add" | "install"),
        "poetry" | "pipenv" => first_arg == "install",
        "go" => matches!(first_arg, "build" | "install" | "mod" | "generate"),
        "cargo" => matches!(first_arg, "build" | "install"),
        "mvn" | "gradle" | "gradlew" | "make" | "cmake" | "gcc" | "g++" | "cc" | "rustc" | "javac" | "tsc" => true,
        "dotnet" => matches!(first_arg, "build" | "publish" | "restore"),
        "corepack" => first_arg == "enable",
        "next" | "vite" => first_arg == "build",
        "apt-get" | "apt" => first_arg == "install" && build_pkgs(&args[1..]),
        "apk" => first_arg == "add" && build_pkgs(&args[1..]),
        _ => false,
    };
    found.then(|| words.join(" "))
}

fn toolchain_image(image: &str) -> bool {
    let r = image_ref(image);
    let name = r.name.to_ascii_lowercase();
    let short = name.rsplit('/').next().unwrap_or_default();
    matches!(short, "golang" | "rust" | "maven" | "gradle" | "gcc" | "buildpack-deps")
        || name.ends_with("astral-sh/uv")
        || name.ends_with("dotnet/sdk")
}

/// `--from=` of a COPY naming an image rather than a stage.
fn copy_from_image(d: &Dockerfile, i: &Instr) -> Option<String> {
    if i.keyword != "COPY" && i.keyword != "ADD" {
        return None;
    }
    let (flags, _) = i.flags();
    let from = flags.into_iter().find(|(n, _)| n == "from").map(|(_, v)| v)?;
    (!d.is_stage_name(&from)).then_some(from)
}

/// A COPY --from that brings build tools into a stage: from a toolchain image, or from a
/// stage built on the uv image (`FROM ghcr.io/astral-sh/uv AS uv` … `COPY --from=uv /uv`).
/// Copying build output from a builder stage is the point of a multi-stage build.
fn copied_tools(d: &Dockerfile, i: &Instr) -> Option<String> {
    if let Some(img) = copy_from_image(d, i) {
        return toolchain_image(&img).then_some(img);
    }
    if i.keyword != "COPY" {
        return None;
    }
    let (flags, _) = i.flags();
    let from = flags
        .into_iter()
        .find(|(n, _)| n == "from")
        .map(|(_, v)| v.to_ascii_lowercase())?;
    let stage = d.stages.iter().find(|s| s.name.as_deref() == Some(from.as_str()))?;
    image_ref(&stage.base)
        .name
        .ends_with("astral-sh/uv")
        .then(|| stage.base.clone())
}

pub fn image_tag_pinned(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let mut refs: Vec<(&Instr, String, String)> = Vec::new();
        for (si, s) in d.stages.iter().enumerate() {
            if s.parent.is_some() || s.base.eq_ignore_ascii_case("scratch") {
                continue;
            }
            refs.push((&d.instrs[s.from], s.base.clone(), d.stage_label(si)));
        }
        for i in &d.instrs {
            if let Some(img) = copy_from_image(d, i) {
                refs.push((i, img, "COPY --from".into()));
            }
        }
        for (instr, image, what) in refs {
            let r = image_ref(&image);
            let object = format!("{} ({what})", d.file);
            if image.contains('$') {
                acc.pass(
                    &d.file,
                    instr.pos(),
                    object,
                    format!("{} (a build argument without default: not verified)", instr.show()),
                );
            } else if r.digest.is_some() {
                acc.pass(&d.file, instr.pos(), object, format!("{image} (digest)"));
            } else {
                match r.tag.as_deref() {
                    None => acc.fail(
                        "from-untagged",
                        &d.file,
                        instr.pos(),
                        object,
                        format!("`{image}` has no tag: it resolves to `latest`, whatever was pushed last"),
                        instr.show(),
                    ),
                    Some(t) if mutable_tag(t) => acc.fail(
                        "from-mutable-tag",
                        &d.file,
                        instr.pos(),
                        object,
                        format!("`{image}` uses the moving tag `{t}`: pin a version tag or a digest"),
                        instr.show(),
                    ),
                    Some(_) => acc.pass(&d.file, instr.pos(), object, image.clone()),
                }
            }
        }
    }
}

pub fn multi_stage(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        if d.stages.is_empty() {
            acc.fail(
                "no-from",
                &d.file,
                d.first_line(),
                d.file.clone(),
                "no FROM instruction: not a Dockerfile sp can judge",
                "no FROM",
            );
            continue;
        }
        if d.stages.len() < 2 {
            let from = &d.instrs[d.stages[0].from];
            acc.fail(
                "single-stage",
                &d.file,
                from.pos(),
                d.stage_label(0),
                "a single-stage build: the image that runs also carries everything used to build it",
                from.show(),
            );
            continue;
        }
        let chain = d.final_chain();
        let final_label = d.stage_label(chain[0]);
        let mut bad = false;
        for &s in &chain {
            let st = &d.stages[s];
            if st.parent.is_none() && toolchain_image(&st.base) {
                bad = true;
                let from = &d.instrs[st.from];
                acc.fail(
                    "toolchain-base",
                    &d.file,
                    from.pos(),
                    final_label.clone(),
                    format!("the runtime stage is built on the toolchain image `{}`", st.base),
                    from.show(),
                );
            }
            for i in d.stage_instrs(s) {
                if i.keyword == "RUN" {
                    for cmd in simple_commands(&run_script(i)) {
                        if let Some(step) = toolchain_step(&cmd) {
                            bad = true;
                            let via = if s == chain[0] {
                                String::new()
                            } else {
                                format!(" (inherited from {})", d.stage_label(s))
                            };
                            acc.fail(
                                "build-step-in-runtime",
                                &d.file,
                                i.pos(),
                                final_label.clone(),
                                format!("the runtime stage runs a build step{via}: `{step}` belongs in a build stage"),
                                i.show(),
                            );
                            break;
                        }
                    }
                } else if let Some(img) = copied_tools(d, i) {
                    bad = true;
                    acc.fail(
                        "tools-copied-in",
                        &d.file,
                        i.pos(),
                        final_label.clone(),
                        format!("the runtime stage copies tools from `{img}`"),
                        i.show(),
                    );
                }
            }
        }
        if !bad {
            let from = &d.instrs[d.stages[chain[0]].from];
            acc.pass(
                &d.file,
                from.pos(),
                final_label,
                format!("{} stages; runtime `{}` has no build step", d.stages.len(), from.show()),
            );
        }
    }
}

/// The last instruction `keyword` of the final stage or the stages it builds on.
fn last_in_chain<'a>(d: &'a Dockerfile, keyword: &str) -> Option<&'a Instr> {
    for s in d.final_chain() {
        if let Some(i) = d.stage_instrs(s).filter(|i| i.keyword == keyword).last() {
            return Some(i);
        }
    }
    None
}

fn final_from(d: &Dockerfile) -> Option<&Instr> {
    d.stages.last().map(|s| &d.instrs[s.from])
}

pub fn non_root_user(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let Some(from) = final_from(d) else { continue };
        let label = d.stage_label(d.stages.len() - 1);
        match last_in_chain(d, "USER") {
            None => acc.fail(
                "user-missing",
                &d.file,
                from.pos(),
                label,
                "the final stage sets no USER: the container runs as root",
                "no USER",
            ),
            Some(u) => {
                let user = u.args.split_whitespace().next().unwrap_or_default();
                let name = user.split(':').next().unwrap_or_default();
                if name == "0" || name.eq_ignore_ascii_case("root") || name.is_empty() {
                    acc.fail(
                        "user-root",
                        &d.file,
                        u.pos(),
                        label,
                        "the last USER of the final stage is root",
                        u.show(),
                    );
                } else if name.bytes().all(|b| b.is_ascii_digit()) {
                    acc.pass(&d.file, u.pos(), label, u.show());
                } else {
                    acc.pass(
                        &d.file,
                        u.pos(),
                        label,
                        format!(
                            "{} (a name: Kubernetes needs a numeric runAsUser to verify runAsNonRoot)",
                            u.show()
                        ),
                    );
                }
            }
        }
    }
}

/// run-as-high-uid for Dockerfiles: the final USER, when numeric, is 10000 or more (uid and
/// gid). A name cannot be judged without the image's /etc/passwd.
pub fn high_uid(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let Some(u) = last_in_chain(d, "USER") else { continue };
        let label = d.stage_label(d.stages.len().saturating_sub(1));
        let user = u.args.split_whitespace().next().unwrap_or_default();
        let ids: Vec<&str> = user.split(':').collect();
        if !ids
            .iter()
            .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let low: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|i| i.parse::<u64>().map_or(true, |v| v < 10000))
            .collect();
        if low.is_empty() {
            acc.pass(&d.file, u.pos(), label, u.show());
        } else {
            acc.fail(
                "user-low-id",
                &d.file,
                u.pos(),
                label,
                format!("USER {user}: IDs below 10000 can collide with a host user or group"),
                u.show(),
            );
        }
    }
}

pub fn healthcheck(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let Some(from) = final_from(d) else { continue };
        let label = d.stage_label(d.stages.len() - 1);
        match last_in_chain(d, "HEALTHCHECK") {
            None => acc.fail(
                "healthcheck-missing",
                &d.file,
                from.pos(),
                label,
                "the final stage declares no HEALTHCHECK",
                "no HEALTHCHECK",
            ),
            Some(h) if h.args.trim().eq_ignore_ascii_case("none") => acc.fail(
                "healthcheck-none",
                &d.file,
                h.pos(),
                label,
                "HEALTHCHECK NONE turns the base image's health check off",
                h.show(),
            ),
            Some(h) => acc.pass(&d.file, h.pos(), label, h.show()),
        }
    }
}

/// The packages an install command names without a version, and the rule for its manager.
fn unpinned_packages(cmd: &[String]) -> (&'static str, Vec<&str>) {
    let w: Vec<&str> = cmd.iter().map(String::as_str).skip_while(|w| *w == "sudo").collect();
    let Some(c) = w.first().map(|c| c.rsplit('/').next().unwrap_or_default()) else {
        return ("", Vec::new());
    };
    // pip, pip2, pip3, pip3.12…
    let pip = c
        .strip_prefix("pip")
        .is_some_and(|v| v.chars().all(|ch| ch.is_ascii_digit() || ch == '.'));
    // A version specifier of PEP 440 (`==`, `>=`, `<`, `!=`, `~=`, `===`) or a direct reference.
    const PIP: &[&str] = &["==", ">", "<", "!=", "~=", "@"];
    let mut out = Vec::new();
    let mut skip_next = false;
    let (rule, start, sep): (&'static str, usize, &[&str]) = match (c, w.get(1).copied()) {
        ("apt-get" | "apt", Some("install")) => ("apt-unpinned", 2, &["="]),
        // `pkg=1.2.3` exactly, `pkg~1.2` fuzzy: both name a version.
        ("apk", Some("add")) => ("apk-unpinned", 2, &["=", "~"]),
        (_, Some("install")) if pip || c == "pipx" => ("pip-unpinned", 2, PIP),
        ("uv", Some("pip")) if w.get(2) == Some(&"install") => ("pip-unpinned", 3, PIP),
        ("python" | "python3", Some("-m")) if w.get(2) == Some(&"pip") && w.get(3) == Some(&"install") => {
            ("pip-unpinned", 4, PIP)
        }
        _ => return ("", out),
    };
    // A constraints file pins every package the command names.
    if rule == "pip-unpinned"
        && w.iter()
            .any(|a| matches!(*a, "-c" | "--constraint") || a.starts_with("--constraint="))
    {
        return (rule, out);
    }
    for a in w.iter().skip(start) {
        if skip_next {
            skip_next = false;
            continue;
        }
        if a.starts_with('-') {
            // Options that take a value as the next word.
            skip_next = matches!(
                *a,
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-t"
                    | "--target"
                    | "-t="
                    | "--virtual"
                    | "-X"
                    | "--repository"
                    | "-i"
                    | "--index-url"
                    | "--extra-index-url"
                    | "-f"
                    | "--find-links"
                    | "-o"
                    | "--trusted-host"
                    | "--root-user-action"
                    | "--prefix"
                    | "--root"
                    | "--platform"
                    | "--python-version"
                    | "--implementation"
                    | "--abi"
                    | "--src"
                    | "--progress-bar"
                    | "--cache-dir"
            );
            continue;
        }
        let a = a.trim_matches(|c| c == '\'' || c == '"');
        // A VCS reference pins only with `@<ref>` after the repository.
        if ["git+", "hg+", "svn+", "bzr+"].iter().any(|v| a.starts_with(v)) {
            let repo = a.split('#').next().unwrap_or(a);
            let after_scheme = repo.split_once("://").map(|(_, r)| r).unwrap_or(repo);
            if !after_scheme.contains('@') {
                out.push(a);
            }
            continue;
        }
        let is_path = a.starts_with('.')
            || a.starts_with('/')
            || a.starts_with('$')
            || a.contains("://")
            || (rule == "pip-unpinned" && a.contains('/'))
            || [".whl", ".deb", ".apk", ".tar.gz", ".zip"]
                .iter()
                .any(|e| a.ends_with(e));
        if !is_path && !sep.iter().any(|s| a.contains(s)) {
            out.push(a);
        }
    }
    (rule, out)
}

/// The problems one instruction shows for a gate: (rule, message).
type Problems = Vec<(&'static str, String)>;

/// Run a per-instruction check over every Dockerfile: each problem fails the gate at its
/// instruction; a Dockerfile without any passes, with `what` as the evidence.
fn each_instr(dfs: &[Dockerfile], acc: &mut Acc, what: &str, mut check: impl FnMut(&Dockerfile, &Instr) -> Problems) {
    for d in dfs {
        let mut problems = 0;
        for i in &d.instrs {
            let label = i.stage.map(|s| d.stage_label(s)).unwrap_or_else(|| d.file.clone());
            for (rule, msg) in check(d, i) {
                problems += 1;
                acc.fail(rule, &d.file, i.pos(), label.clone(), msg, i.show());
            }
        }
        if problems == 0
            && let Some(i) = d.instrs.first()
        {
            acc.pass(
                &d.file,
                i.pos(),
                d.file.clone(),
                format!("{} instructions, {what}", d.instrs.len()),
            );
        }
    }
}

/// dockerfile-exec-form: CMD and ENTRYPOINT in JSON form.
pub fn exec_form(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "CMD and ENTRYPOINT in JSON form", |_, i| {
        let rule = match i.keyword.as_str() {
            "CMD" => "shell-form-cmd",
            "ENTRYPOINT" => "shell-form-entrypoint",
            _ => return Vec::new(),
        };
        if is_json_form(&i.args) {
            return Vec::new();
        }
        vec![(
            rule,
            format!(
                "{} in shell form runs under `/bin/sh -c`, which does not pass SIGTERM to the process: use the JSON form",
                i.keyword
            ),
        )]
    });
}

/// dockerfile-copy-not-add: ADD only for what COPY cannot do.
pub fn copy_not_add(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "no ADD of local files or unchecked URLs", |_, i| {
        if i.keyword != "ADD" {
            return Vec::new();
        }
        let (flags, rest) = i.flags();
        let srcs: Vec<String> = shell_words(rest);
        let srcs = &srcs[..srcs.len().saturating_sub(1)];
        let archive = |s: &str| {
            [
                ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".tb2", ".xz", ".txz", ".zst", ".tzst", ".lz", ".lzma",
                ".tlz", ".z", ".tz",
            ]
            .iter()
            .any(|e| s.to_ascii_lowercase().ends_with(e))
        };
        let checked = flags.iter().any(|(n, _)| n == "checksum");
        let mut out = Vec::new();
        if srcs.iter().any(|s| s.contains("://") && !checked) {
            out.push((
                "add-url-without-checksum",
                "ADD of a URL without --checksum: the download is not verified (use ADD --checksum, or curl and a checksum)".to_string(),
            ));
        }
        if srcs.is_empty()
            || srcs
                .iter()
                .any(|s| !s.contains("://") && !archive(s) && !s.starts_with("git@"))
        {
            out.push((
                "add-local-file",
                "ADD of a local file or folder: ADD also unpacks archives and fetches URLs implicitly, use COPY"
                    .to_string(),
            ));
        }
        out
    });
}

/// dockerfile-absolute-workdir.
pub fn absolute_workdir(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "every WORKDIR absolute", |_, i| {
        if i.keyword != "WORKDIR" {
            return Vec::new();
        }
        let p = i.args.trim().trim_matches('"').trim_matches('\'');
        let windows = p.len() > 1 && p.as_bytes()[1] == b':';
        if p.starts_with('/') || p.starts_with('$') || windows {
            return Vec::new();
        }
        vec![(
            "relative-workdir",
            format!("WORKDIR `{p}` is relative: it depends on the base image's working directory"),
        )]
    });
}

/// Does a SHELL instruction make later piped RUNs safe: bash, zsh or ash with `-o pipefail`, or
/// a shell that is not POSIX (PowerShell, cmd) where the rule does not apply? `/bin/sh` is
/// dash on Debian, which has no pipefail, so it does not count (as hadolint DL4006 reads it).
fn shell_has_pipefail(args: &str) -> bool {
    let words: Vec<String> = serde_json::from_str::<Vec<String>>(args.trim()).unwrap_or_else(|_| shell_words(args));
    let Some(first) = words.first() else { return false };
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
    if ["pwsh", "powershell", "cmd"].iter().any(|p| base.starts_with(p)) {
        return true;
    }
    matches!(base.as_str(), "bash" | "zsh" | "ash")
        && words
            .iter()
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('o'))
        && words.iter().any(|w| w == "pipefail")
}

/// dockerfile-pipefail: a piped RUN fails when any command of the pipe fails.
pub fn pipefail(dfs: &[Dockerfile], acc: &mut Acc) {
    // Whether the current SHELL of the stage has pipefail: reset by each FROM.
    let mut covered = false;
    each_instr(dfs, acc, "every piped RUN under pipefail", |_, i| {
        match i.keyword.as_str() {
            "FROM" => covered = false,
            "SHELL" => covered = shell_has_pipefail(&i.args),
            "RUN" => {
                let script = run_script(i);
                let (_, rest) = i.flags();
                if !rest.trim_start().starts_with('[') && has_pipe(&script) && !script.contains("pipefail") && !covered
                {
                    return vec![(
                        "pipe-without-pipefail",
                        "a piped RUN without `set -o pipefail` (or a SHELL of bash, zsh or ash with -o pipefail) succeeds when the first command fails".to_string(),
                    )];
                }
            }
            _ => {}
        }
        Vec::new()
    });
}

/// dockerfile-pinned-packages: apt, apk and pip installs name versions.
pub fn pinned_packages(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "every installed package pinned", |_, i| {
        if i.keyword != "RUN" {
            return Vec::new();
        }
        let mut out = Vec::new();
        for cmd in simple_commands(&run_script(i)) {
            let (rule, unpinned) = unpinned_packages(&cmd);
            if !unpinned.is_empty() {
                out.push((
                    rule,
                    format!(
                        "unpinned packages {}: pin versions (`pkg=1.2.3`, `pkg==1.2.3`)",
                        unpinned.join(", ")
                    ),
                ));
            }
        }
        out
    });
}

/// dockerfile-no-sudo.
pub fn no_sudo(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "no sudo", |_, i| {
        if i.keyword != "RUN" {
            return Vec::new();
        }
        simple_commands(&run_script(i))
            .iter()
            .filter(|cmd| command_name(cmd) == "sudo")
            .map(|_| {
                (
                    "sudo",
                    "sudo in a Dockerfile: RUN already runs as the build user; switch USER instead".to_string(),
                )
            })
            .collect()
    });
}

/// The program a simple command runs, without its path.
fn command_name(cmd: &[String]) -> &str {
    cmd.first()
        .map(|c| c.rsplit('/').next().unwrap_or_default())
        .unwrap_or_default()
}

/// A variable that turns TLS certificate verification off when set to this value: the rule.
fn tls_variable(name: &str, value: &str) -> Option<&'static str> {
    // The value as the shell or the Dockerfile parser leaves it (quotes already removed).
    let v = value.trim();
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => Some("node-tls-reject-unauthorized"),
        "PYTHONHTTPSVERIFY" if v == "0" => Some("python-https-verify-off"),
        // git skips verification when the variable is set at all.
        "GIT_SSL_NO_VERIFY" if !v.is_empty() => Some("git-ssl-no-verify"),
        n if n.eq_ignore_ascii_case("NPM_CONFIG_STRICT_SSL") && v.eq_ignore_ascii_case("false") => {
            Some("npm-strict-ssl-off")
        }
        "PIP_TRUSTED_HOST" if !v.is_empty() => Some("pip-trusted-host"),
        _ => None,
    }
}

/// `sslverify=0|false|no` in a word (yum/dnf `--setopt`, a repo file written by echo, git's
/// `http.sslVerify=false`).
fn ssl_verify_off(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let w = w.trim_matches(|c| c == '"' || c == '\'');
    w.find("sslverify").is_some_and(|at| {
        let rest = w[at + "sslverify".len()..].trim_start_matches(['"', '\'']);
        rest.strip_prefix('=')
            .map(|v| v.trim_matches(|c| c == '"' || c == '\''))
            .is_some_and(|v| matches!(v, "0" | "false" | "no"))
    })
}

/// The `VAR=value` assignments a RUN makes for its commands: leading assignments of each
/// simple command (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`) and `export`/`env` arguments.
fn inline_assignments(script: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for words in raw_commands(script) {
        let mut it = words.iter().peekable();
        if it
            .peek()
            .is_some_and(|w| matches!(w.as_str(), "export" | "env" | "declare" | "readonly"))
        {
            it.next();
            while it.peek().is_some_and(|w| w.starts_with('-')) {
                it.next();
            }
        }
        for w in it {
            match w.split_once('=') {
                Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    out.push((k.to_string(), v.to_string()))
                }
                _ => break,
            }
        }
    }
    out
}

/// dockerfile-tls-verification: nothing turns TLS certificate verification off.
pub fn tls_verification(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "TLS verification left on", |_, i| {
        let mut out: Problems = Vec::new();
        match i.keyword.as_str() {
            "ENV" | "ARG" => {
                for (k, v) in assignments(&i.args) {
                    if let Some(rule) = tls_variable(&k, v.as_deref().unwrap_or_default()) {
                        out.push((
                            rule,
                            format!(
                                "{} `{k}={}` turns TLS certificate verification off for every later RUN",
                                i.keyword,
                                v.unwrap_or_default()
                            ),
                        ));
                    }
                }
            }
            "RUN" => {
                let script = run_script(i);
                for (k, v) in inline_assignments(&script) {
                    if let Some(rule) = tls_variable(&k, &v) {
                        out.push((rule, format!("`{k}={v}` turns TLS certificate verification off")));
                    }
                }
                for cmd in simple_commands(&script) {
                    let c = command_name(&cmd).to_string();
                    let args = || cmd.iter().skip(1);
                    let rule = match c.as_str() {
                        "curl"
                            if args().any(|a| {
                                a == "--insecure" || (a.starts_with('-') && !a.starts_with("--") && a.contains('k'))
                            }) =>
                        {
                            Some("curl-insecure")
                        }
                        "wget" if args().any(|a| a == "--no-check-certificate") => Some("wget-no-check-certificate"),
                        "pip" | "pip3" | "uv" | "python" | "python3"
                            if args().any(|a| a.starts_with("--trusted-host")) =>
                        {
                            Some("pip-trusted-host")
                        }
                        // `npm config set strict-ssl false` or `--strict-ssl=false`; a bare
                        // `strict-ssl false` elsewhere (`npm install strict-ssl false`) names packages.
                        "npm" | "pnpm" | "yarn" => {
                            let w: Vec<&str> = args().map(|a| a.trim_matches(|c| c == '"' || c == '\'')).collect();
                            let set = w
                                .iter()
                                .position(|a| *a == "set")
                                .filter(|&p| p == 0 || matches!(w[p - 1], "config" | "c"));
                            let via_set = set.is_some_and(|p| {
                                let rest = &w[p + 1..];
                                rest.windows(2)
                                    .any(|x| x[0] == "strict-ssl" && x[1].eq_ignore_ascii_case("false"))
                                    || rest.iter().any(|a| a.eq_ignore_ascii_case("strict-ssl=false"))
                            });
                            let via_flag = w.iter().any(|a| a.eq_ignore_ascii_case("--strict-ssl=false"))
                                || w.windows(2)
                                    .any(|x| x[0] == "--strict-ssl" && x[1].eq_ignore_ascii_case("false"))
                                || w.iter().any(|a| a.eq_ignore_ascii_case("--no-strict-ssl"));
                            (via_set || via_flag).then_some("npm-strict-ssl-off")
                        }
                        "git" => {
                            let lower: Vec<String> = args().map(|a| a.to_ascii_lowercase()).collect();
                            (lower.iter().any(|a| ssl_verify_off(a))
                                || lower.windows(2).any(|x| {
                                    x[0].ends_with("http.sslverify")
                                        && matches!(x[1].trim_matches('"'), "false" | "0" | "no")
                                }))
                            .then_some("git-ssl-verify-off")
                        }
                        // yum/dnf options, or a repository or yum/dnf configuration written by
                        // echo or printf (an `echo` that only prints the option sets nothing).
                        "yum" | "dnf" | "tdnf" | "microdnf" | "yum-config-manager" | "dnf-config-manager"
                            if cmd.iter().any(|a| ssl_verify_off(a)) =>
                        {
                            Some("yum-sslverify-off")
                        }
                        _ if cmd.iter().any(|a| ssl_verify_off(a))
                            && ["/etc/yum", "/etc/dnf", ".repo"].iter().any(|p| script.contains(p)) =>
                        {
                            Some("yum-sslverify-off")
                        }
                        _ => None,
                    };
                    if let Some(rule) = rule {
                        out.push((
                            rule,
                            format!("`{}` turns TLS certificate verification off", cmd.join(" ")),
                        ));
                    }
                }
            }
            _ => {}
        }
        out
    });
}

/// dockerfile-package-signatures: package managers verify signatures.
pub fn package_signatures(dfs: &[Dockerfile], acc: &mut Acc) {
    each_instr(dfs, acc, "package signatures verified", |_, i| {
        if i.keyword != "RUN" {
            return Vec::new();
        }
        let mut out: Problems = Vec::new();
        for cmd in simple_commands(&run_script(i)) {
            let c = command_name(&cmd);
            let has = |flag: &str| cmd.iter().skip(1).any(|a| a == flag);
            let rule = match c {
                "yum" | "dnf" | "tdnf" | "microdnf" | "yum-config-manager" if has("--nogpgcheck") => Some((
                    "yum-nogpgcheck",
                    "--nogpgcheck installs packages whose GPG signature is not checked",
                )),
                "yum" | "dnf" | "tdnf" | "microdnf"
                    if cmd.iter().any(|a| {
                        let a = a.to_ascii_lowercase();
                        a.contains("gpgcheck=0") || a.contains("gpgcheck=false")
                    }) =>
                {
                    Some((
                        "yum-nogpgcheck",
                        "gpgcheck=0 installs packages whose GPG signature is not checked",
                    ))
                }
                "rpm"
                    if ["--nodigest", "--nosignature", "--noverify", "--nofiledigest"]
                        .iter()
                        .any(|f| has(f)) =>
                {
                    Some(("rpm-no-verify", "rpm skips digest or signature verification"))
                }
                "apt-get" | "apt" if has("--allow-unauthenticated") => Some((
                    "apt-allow-unauthenticated",
                    "--allow-unauthenticated installs packages that fail signature verification",
                )),
                "apt-get" | "apt" if has("--force-yes") => Some((
                    "apt-force-yes",
                    "--force-yes turns off signature checks and allows downgrades",
                )),
                "apk" if has("--allow-untrusted") => Some((
                    "apk-allow-untrusted",
                    "--allow-untrusted installs packages with untrusted or missing signatures",
                )),
                _ => None,
            };
            if let Some((rule, why)) = rule {
                out.push((rule, format!("`{}`: {why}", cmd.join(" "))));
            }
        }
        out
    });
}

/// A name that holds a credential: its last word (split at `_`, `-`, `.` and case changes)
/// is password, secret, token, key, credentials… (`OPENAI_API_KEY`), not a file, path or
/// name of one (`OPENAI_API_KEY_FILE`).
pub fn secretish(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let before = words
        .len()
        .checked_sub(2)
        .and_then(|i| words.get(i))
        .map(String::as_str);
    if last == "key"
        && matches!(
            before,
            Some("public" | "primary" | "sort" | "cache" | "partition" | "routing" | "idempotency" | "foreign")
        )
    {
        return false;
    }
    matches!(
        last,
        "password"
            | "passwd"
            | "pwd"
            | "pass"
            | "pword"
            | "secret"
            | "secrets"
            | "token"
            | "tokens"
            | "key"
            | "apikey"
            | "privatekey"
            | "credential"
            | "credentials"
            | "creds"
            | "passphrase"
    )
}

/// A value that is a credential whatever its name: a private key, a bearer token, a URL
/// with a password.
pub fn credential_value(v: &str) -> Option<&'static str> {
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if v.trim_start().to_ascii_lowercase().starts_with("bearer ") && v.trim().len() > 12 {
        return Some("a bearer token");
    }
    if let Some((_, rest)) = v.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, pass)) = userinfo.split_once(':')
            && !pass.is_empty()
            && !pass.starts_with('$')
        {
            return Some("a URL with a password");
        }
    }
    None
}

pub fn no_secret_args(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let mut bad = false;
        let mut count = 0;
        for i in d.instrs.iter().filter(|i| i.keyword == "ARG" || i.keyword == "ENV") {
            let label = i.stage.map(|s| d.stage_label(s)).unwrap_or_else(|| d.file.clone());
            for (k, v) in assignments(&i.args) {
                count += 1;
                if secretish(&k) {
                    bad = true;
                    acc.fail(
                        "secret-like-name",
                        &d.file,
                        i.pos(),
                        label.clone(),
                        format!("{} `{k}` puts a secret into the image's metadata and history: use `RUN --mount=type=secret`", i.keyword),
                        i.show(),
                    );
                } else if let Some(what) = v.as_deref().and_then(credential_value) {
                    bad = true;
                    acc.fail(
                        "credential-value",
                        &d.file,
                        i.pos(),
                        label.clone(),
                        format!("{} `{k}` holds {what}", i.keyword),
                        i.show(),
                    );
                }
            }
        }
        if !bad && let Some(from) = d.instrs.first() {
            acc.pass(
                &d.file,
                from.pos(),
                d.file.clone(),
                format!("{count} ARG/ENV variables, none secret-like"),
            );
        }
    }
}

pub fn size_budget(dfs: &[Dockerfile], acc: &mut Acc) {
    for d in dfs {
        let first = d.instrs.first().map(|i| i.line).unwrap_or(usize::MAX);
        for (line, text) in &d.comments {
            let lower = text.to_ascii_lowercase();
            if !lower.contains("size budget") {
                continue;
            }
            let pos = Pos { line: *line, column: 1 };
            let found = format!("# {text}");
            let after = &lower[lower.find("size budget").unwrap_or(0)..];
            let has_size = {
                let b = after.as_bytes();
                (0..b.len()).any(|i| {
                    b[i].is_ascii_digit() && {
                        let rest = after[i..]
                            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                            .trim_start();
                        ["kb", "mb", "gb", "kib", "mib", "gib", "k ", "m ", "g "]
                            .iter()
                            .any(|u| rest.starts_with(u))
                            || rest == "m"
                            || rest == "g"
                    }
                })
            };
            if *line > first {
                acc.fail(
                    "budget-below-instructions",
                    &d.file,
                    pos,
                    d.file.clone(),
                    "the size budget is recorded below the first instruction: write it in the header",
                    found,
                );
            } else if !has_size {
                acc.fail(
                    "budget-no-size",
                    &d.file,
                    pos,
                    d.file.clone(),
                    "the size budget states no size (a number and MB or GB)",
                    found,
                );
            } else {
                acc.pass(&d.file, pos, d.file.clone(), found);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// .dockerignore
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct DockerIgnore {
    pub file: String,
    /// (line, pattern, exception)
    pub patterns: Vec<(usize, String, bool)>,
}

impl DockerIgnore {
    pub fn parse(file: &str, text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let (neg, p) = match t.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, t),
            };
            let p = clean(p);
            if !p.is_empty() {
                patterns.push((i + 1, p, neg));
            }
        }
        DockerIgnore {
            file: file.to_string(),
            patterns,
        }
    }

    /// Is `path` (relative to the context) excluded? The last matching pattern wins, and a
    /// pattern that matches a folder excludes what is inside it.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        let segs: Vec<&str> = path.split('/').collect();
        for (_, p, neg) in &self.patterns {
            let pat: Vec<&str> = p.split('/').collect();
            let hit = (1..=segs.len()).any(|n| glob_path(&pat, &segs[..n]));
            if hit {
                excluded = !neg;
            }
        }
        excluded
    }
}

fn clean(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    parts.join("/")
}

fn glob_path(pat: &[&str], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|i| glob_path(rest, &path[i..])),
        Some((p, rest)) => match path.split_first() {
            Some((s, prest)) => glob(p.as_bytes(), s.as_bytes()) && glob_path(rest, prest),
            None => false,
        },
    }
}

/// One path segment against a pattern with `*`, `?` and `[…]`.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some(pi);
                    mark = si;
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some(end) = p[pi + 1..].iter().position(|&c| c == b']') {
                        let class = &p[pi + 1..pi + 1 + end];
                        let (neg, class) = match class.first() {
                            Some(b'^' | b'!') => (true, &class[1..]),
                            _ => (false, class),
                        };
                        let mut m = false;
                        let mut k = 0;
                        while k < class.len() {
                            if k + 2 < class.len() && class[k + 1] == b'-' {
                                m |= class[k] <= s[si] && s[si] <= class[k + 2];
                                k += 3;
                            } else {
                                m |= class[k] == s[si];
                                k += 1;
                            }
                        }
                        if m != neg {
                            pi += end + 2;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                b'\\' if pi + 1 < p.len() && p[pi + 1] == s[si] => {
                    pi += 2;
                    si += 1;
                    continue;
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some(st) => {
                pi = st + 1;
                mark += 1;
                si = mark;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

pub fn dockerignore_present(dfs: &[Dockerfile], ignores: &[DockerIgnore], acc: &mut Acc) {
    for d in dfs {
        let own = format!("{}.dockerignore", d.file);
        let found = ignores.iter().find(|i| i.file == own).or_else(|| {
            // `.dockerignore` in the Dockerfile's folder or above (the build context root).
            let mut dir = dir_of(&d.file);
            loop {
                let candidate = if dir.is_empty() {
                    ".dockerignore".to_string()
                } else {
                    format!("{dir}/.dockerignore")
                };
                if let Some(i) = ignores.iter().find(|i| i.file == candidate) {
                    return Some(i);
                }
                if dir.is_empty() {
                    return None;
                }
                dir = dir_of(dir);
            }
        });
        let Some(ig) = found else {
            acc.fail(
                "dockerignore-missing",
                &d.file,
                d.first_line(),
                d.file.clone(),
                format!("no .dockerignore for this Dockerfile (`{own}` beside it, or `.dockerignore` at the build context's root)"),
                "no .dockerignore",
            );
            continue;
        };
        let t = &d.text_lower;
        let base = |names: &[&str]| {
            d.stages.iter().any(|s| {
                let n = image_ref(&s.base).name.to_ascii_lowercase();
                names.iter().any(|x| n.rsplit('/').next() == Some(*x))
            })
        };
        let node = base(&["node"]) || t.contains("npm ") || t.contains("pnpm") || t.contains("yarn");
        let next = t.contains("next build") || t.contains(".next");
        let python = base(&["python", "uv"]) || t.contains("pip install") || t.contains("uv sync");
        // (what, paths probed, whether one excluded probe is enough)
        let mut need: Vec<(&str, &[&str], bool)> = vec![
            (".git", &[".git"], false),
            (".env files", &[".env", ".env.local", ".env.production"], false),
            ("key files (*.pem, *.key)", &["server.pem", "certs/server.key"], true),
        ];
        if node {
            need.push(("node_modules", &["node_modules"], false));
        }
        if next {
            need.push((".next", &[".next"], false));
        }
        if python {
            need.push((".venv", &[".venv"], false));
        }
        let missing: Vec<&str> = need
            .iter()
            .filter(|(_, probes, any)| {
                if *any {
                    !probes.iter().any(|p| ig.excludes(p))
                } else {
                    !probes.iter().all(|p| ig.excludes(p))
                }
            })
            .map(|(n, _, _)| *n)
            .collect();
        let first = ig.patterns.first().map(|(l, _, _)| *l).unwrap_or(1);
        if missing.is_empty() {
            acc.pass(
                &ig.file,
                Pos { line: first, column: 1 },
                d.file.clone(),
                format!(
                    "{} excludes {}",
                    ig.file,
                    need.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            );
        } else {
            acc.fail(
                "dockerignore-incomplete",
                &ig.file,
                Pos { line: first, column: 1 },
                d.file.clone(),
                format!("{} does not exclude {}", ig.file, missing.join(", ")),
                format!("missing: {}", missing.join(", ")),
            );
        }
    }
}
