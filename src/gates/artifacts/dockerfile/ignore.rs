//! `.dockerignore` files and the gate that wants one beside every Dockerfile.

use crate::gates::artifacts::parse::{Pos, image_ref};
use crate::gates::artifacts::{Acc, Input, dir_of};

#[derive(Debug, Clone)]
pub(crate) struct DockerIgnore {
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

pub(crate) fn clean(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    parts.join("/")
}

pub(crate) fn glob_path(pat: &[&str], path: &[&str]) -> bool {
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
pub(crate) fn glob(p: &[u8], s: &[u8]) -> bool {
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

pub(crate) fn dockerignore_present(input: &Input, acc: &mut Acc) {
    let (dfs, ignores) = (input.dockerfiles, input.dockerignores);
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
