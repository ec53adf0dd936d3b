//! Package installs in RUN: pinned versions, no sudo, TLS verification and signatures kept on.

use crate::gates::artifacts::dockerfile::instructions::{Problems, each_instr};
use crate::gates::artifacts::dockerfile::shell::{assignments, raw_commands, run_script, simple_commands};
use crate::gates::artifacts::{Acc, Input};

/// The packages an install command names without a version, and the rule for its manager.
pub(crate) fn unpinned_packages(cmd: &[String]) -> (&'static str, Vec<&str>) {
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

/// dockerfile-pinned-packages: apt, apk and pip installs name versions.
pub(crate) fn pinned_packages(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
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
pub(crate) fn no_sudo(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
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
pub(crate) fn command_name(cmd: &[String]) -> &str {
    cmd.first()
        .map(|c| c.rsplit('/').next().unwrap_or_default())
        .unwrap_or_default()
}

/// A variable that turns TLS certificate verification off when set to this value: the rule.
pub(crate) fn tls_variable(name: &str, value: &str) -> Option<&'static str> {
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
pub(crate) fn ssl_verify_off(word: &str) -> bool {
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
pub(crate) fn inline_assignments(script: &str) -> Vec<(String, String)> {
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
pub(crate) fn tls_verification(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
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
pub(crate) fn package_signatures(input: &Input, acc: &mut Acc) {
    let dfs = input.dockerfiles;
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
