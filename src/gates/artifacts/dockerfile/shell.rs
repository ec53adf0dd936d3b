//! The shell of RUN instructions: words, simple commands, pipes, and which steps install a
//! toolchain.

use crate::gates::artifacts::dockerfile::{Dockerfile, Instr};
use crate::gates::artifacts::parse::image_ref;

/// Replace `$X`, `${X}` and `${X:-d}` with ARG defaults; unknown variables stay.
pub(crate) fn substitute(s: &str, args: &[(String, String)]) -> String {
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
pub(crate) fn assignments(args: &str) -> Vec<(String, Option<String>)> {
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
pub(crate) fn shell_words(s: &str) -> Vec<String> {
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
pub(crate) fn simple_commands(script: &str) -> Vec<Vec<String>> {
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
pub(crate) fn raw_commands(script: &str) -> Vec<Vec<String>> {
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
pub(crate) fn has_pipe(script: &str) -> bool {
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
pub(crate) fn run_script(i: &Instr) -> String {
    let (_, rest) = i.flags();
    match serde_json::from_str::<Vec<String>>(rest.lines().next().unwrap_or_default()) {
        Ok(words) => words.join(" "),
        Err(_) => rest.to_string(),
    }
}

pub(crate) fn is_json_form(args: &str) -> bool {
    let first = args.trim();
    first.starts_with('[') && serde_json::from_str::<Vec<String>>(first.lines().next().unwrap_or_default()).is_ok()
}

/// What in a command makes it a build step that has no place in a runtime stage.
pub(crate) fn toolchain_step(words: &[String]) -> Option<String> {
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

pub(crate) fn toolchain_image(image: &str) -> bool {
    let r = image_ref(image);
    let name = r.name.to_ascii_lowercase();
    let short = name.rsplit('/').next().unwrap_or_default();
    matches!(short, "golang" | "rust" | "maven" | "gradle" | "gcc" | "buildpack-deps")
        || name.ends_with("astral-sh/uv")
        || name.ends_with("dotnet/sdk")
}

/// `--from=` of a COPY naming an image rather than a stage.
pub(crate) fn copy_from_image(d: &Dockerfile, i: &Instr) -> Option<String> {
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
pub(crate) fn copied_tools(d: &Dockerfile, i: &Instr) -> Option<String> {
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
