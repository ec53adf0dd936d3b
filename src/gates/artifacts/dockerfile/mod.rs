//! Dockerfiles and `.dockerignore` files: the parser (instructions, stages, ARG substitution,
//! heredocs) and, in the files of this folder, the gates that only read Dockerfiles.

pub(crate) mod build;
pub(crate) mod ignore;
pub(crate) mod instructions;
pub(crate) mod packages;
pub(crate) mod shell;

use crate::gates::artifacts::dockerfile::shell::{assignments, substitute};
use crate::gates::artifacts::parse::Pos;

#[derive(Debug, Clone)]
pub(crate) struct Instr {
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
pub(crate) struct Stage {
    pub name: Option<String>,
    /// The base image after substituting ARG defaults (or the name of an earlier stage).
    pub base: String,
    /// The FROM instruction (index into `instrs`).
    pub from: usize,
    /// The earlier stage this one is built on, when its base names one.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Dockerfile {
    pub file: String,
    pub instrs: Vec<Instr>,
    pub stages: Vec<Stage>,
    /// Every comment line: (line, text after `#`).
    pub comments: Vec<(usize, String)>,
    pub text_lower: String,
}

/// Where a heredoc starts in an instruction line: (terminator, strip leading tabs).
pub(crate) fn heredocs(line: &str) -> Vec<(String, bool)> {
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
