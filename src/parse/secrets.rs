//! The secret scanner: credentials typed into an input, found before anything reads it.
//!
//! Every Markdown input (spec, constitution, plan input, an adopted plan.md) and every
//! `--set` value is scanned for three kinds of secret:
//!
//! - the password of a URL (`postgres://admin:hunter2@db/app`);
//! - the value of an assignment whose name says it is secret (`OPENAI_API_KEY=…`,
//!   `DB_PASSWORD: …`, `--from-literal=password=…`);
//! - well-known token shapes (OpenAI and Anthropic `sk-…`, Stripe `sk_live_…`, AWS `AKIA…`,
//!   GitHub `ghp_…` and `github_pat_…`, GitLab `glpat-…`, Slack `xox…-`, Google `AIza…`,
//!   Hugging Face `hf_…`, npm `npm_…`, JWTs, PEM private key blocks).
//!
//! [`redact`] replaces each secret in the source text by [`REDACTED`] before the source is
//! parsed, so no later stage (documents, diagnostics and their snippets, `--explain`) can
//! repeat it; the finding itself is an error at the secret's place, so the run fails. A
//! secret-named value of a JSON example in a code block of the spec or constitution
//! (`"password": "securepassword123"` in an API's documented request) is a warning instead,
//! unless it has a credential's shape (a token, a URL password, a key). Placeholders (`$VAR`,
//! `<token>`, `${…}`, `…`, `...`, `changeme`, `xxxx`) are not secrets.

use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceId, Sources, Span};

/// What a secret is replaced with, everywhere.
pub const REDACTED: &str = "[REDACTED]";

/// One secret: where its value is and what gave it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// Byte range of the value (only the value: a URL keeps its user and host).
    pub range: Range<usize>,
    /// What it is, for the message: "the password of a URL", "a GitHub token"…
    pub what: String,
    /// The value of a quoted key in a fenced code block (`"password": "hunter2"` in a JSON
    /// request of an API's documentation): an example, unless it has a credential's shape.
    pub example: bool,
}

/// Every secret in `text`, in order, without overlaps.
pub fn scan(text: &str) -> Vec<Secret> {
    let mut found = Vec::new();
    pem_blocks(text, &mut found);
    url_passwords(text, &mut found);
    token_shapes(text, &mut found);
    assignments(text, &mut found);
    env_defaults(text, &mut found);
    found.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    let mut out: Vec<Secret> = Vec::new();
    for s in found {
        match out.last_mut() {
            // One secret; an example only if nothing else found there says credential.
            Some(last) if s.range.start < last.range.end => {
                last.range.end = last.range.end.max(s.range.end);
                last.example &= s.example;
            }
            _ => out.push(s),
        }
    }
    out
}

/// `text` with every secret replaced by [`REDACTED`] (a multi-line secret keeps its line
/// breaks, so line numbers after it do not move).
pub fn redact_text(text: &str, secrets: &[Secret]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in secrets {
        out.push_str(&text[at..s.range.start]);
        out.push_str(REDACTED);
        out.extend(text[s.range.clone()].matches('\n'));
        at = s.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Scan the sources `ids`, replace their secrets and report each one as an error at its
/// place (the place of the redacted text). The files are scanned in parallel.
pub fn redact(sources: &mut Sources, ids: &[SourceId], diags: &mut Diagnostics) {
    let scanned = crate::parallel::map(ids.len(), |i| scan(&sources.get(ids[i]).text));
    replace(sources, ids, scanned, diags);
}

/// [`redact`] on this thread: a feature's few files, on a thread of the run's own pool
/// (starting threads for them would cost more than the scan).
pub fn redact_here(sources: &mut Sources, ids: &[SourceId], diags: &mut Diagnostics) {
    let scanned = ids.iter().map(|&id| scan(&sources.get(id).text)).collect();
    replace(sources, ids, scanned, diags);
}

fn replace(sources: &mut Sources, ids: &[SourceId], scanned: Vec<Vec<Secret>>, diags: &mut Diagnostics) {
    for (&id, secrets) in ids.iter().zip(scanned) {
        if secrets.is_empty() {
            continue;
        }
        let text = &sources.get(id).text;
        // Where each secret starts in the redacted text: earlier ones changed the length.
        let mut shift = 0isize;
        let mut spans = Vec::new();
        for s in &secrets {
            let start = (s.range.start as isize + shift) as usize;
            spans.push(start..start + REDACTED.len());
            shift += (REDACTED.len() + text[s.range.clone()].matches('\n').count()) as isize - s.range.len() as isize;
        }
        let redacted = redact_text(text, &secrets);
        sources.replace_text(id, redacted);
        // The plan input is the deployment's own input: a value there is never an example.
        let documentation = !sources.get(id).path.ends_with("plan-input.md");
        for (s, span) in secrets.iter().zip(spans) {
            let d = if s.example && documentation {
                example(&s.what)
            } else {
                found(&s.what)
            };
            diags.push(d.at(Span::new(id, span)));
        }
    }
}

/// Scan `--set KEY=VALUE` assignments: a secret value is replaced in place and reported.
pub fn redact_set(set: &mut [String], diags: &mut Diagnostics) {
    for assignment in set.iter_mut() {
        let Some((key, value)) = assignment.split_once('=') else {
            continue;
        };
        let mut secrets = scan(value);
        // The key names the value: `--set components.api.config.API_TOKEN=abc123`.
        let last = key.rsplit('.').next().unwrap_or(key);
        if secrets.is_empty() && secret_name(last) && !placeholder(value) && value.len() >= 4 {
            secrets.push(Secret {
                range: 0..value.len(),
                what: format!("the value of `{last}`"),
                example: false,
            });
        }
        if secrets.is_empty() {
            continue;
        }
        let shown = format!("{key}={}", redact_text(value, &secrets));
        for s in &secrets {
            diags.push(found(&s.what).at_path(format!("--set {shown}")));
        }
        *assignment = shown;
    }
}

fn found(what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SecretInInput,
        format!("{what} is written in the input; it would be copied into the plan, into git and into every log that shows it"),
    )
    .label("redacted here")
    .hint("remove it and rotate it (it may already be in git history); name the variable instead (`secrets: [DATABASE_URL]`) and keep the value in a Kubernetes Secret")
}

/// A credential-like value in a JSON example of the documentation (`"password":
/// "securepassword123"` in an API's request body): redacted like any other, but it does not
/// fail the run, since such examples are written to be read, not used.
fn example(what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SecretInInput,
        format!("{what} in a JSON example is redacted in everything sp writes"),
    )
    .severity(crate::diagnostics::Severity::Warning)
    .label("redacted here")
    .hint("if it is a real credential, remove it and rotate it (it may already be in git history); an example written `\"<password>\"` or `\"...\"` is not reported")
}

/// Private key blocks, from the BEGIN line to the END line (or the end of the text).
fn pem_blocks(text: &str, out: &mut Vec<Secret>) {
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let start = from + i;
        let head_end = match text[start + 11..].find("-----") {
            Some(e) => start + 11 + e + 5,
            None => break,
        };
        let label = &text[start + 11..head_end - 5];
        if !label.ends_with("PRIVATE KEY") || label.contains('\n') {
            from = head_end;
            continue;
        }
        let end = match text[head_end..].find("-----END ") {
            Some(e) => {
                let tail = head_end + e + 9;
                text[tail..].find("-----").map(|t| tail + t + 5).unwrap_or(text.len())
            }
            None => text.len(),
        };
        out.push(Secret {
            range: start..end,
            what: "a private key".into(),
            example: false,
        });
        from = end;
    }
}

/// `scheme://user:password@host`: the password.
fn url_passwords(text: &str, out: &mut Vec<Secret>) {
    for (i, _) in text.match_indices("://") {
        let scheme_ok = text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        if !scheme_ok {
            continue;
        }
        let rest = &text[i + 3..];
        let end = rest
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '/' | '?' | '#' | '`' | '"' | '\'' | '<' | '>' | ')' | ']')
            })
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let Some(at) = authority.rfind('@') else { continue };
        let userinfo = &authority[..at];
        let Some(colon) = userinfo.find(':') else { continue };
        let password = &userinfo[colon + 1..];
        if password.is_empty() || placeholder(password) {
            continue;
        }
        let start = i + 3 + colon + 1;
        out.push(Secret {
            range: start..start + password.len(),
            what: "the password of a URL".into(),
            example: false,
        });
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Well-known token prefixes and the shortest body after them that counts.
const PREFIXES: &[(&str, usize, &str)] = &[
    ("sk-", 20, "an API key (`sk-…`)"),
    ("sk_live_", 16, "a Stripe secret key"),
    ("sk_test_", 16, "a Stripe secret key"),
    ("rk_live_", 16, "a Stripe restricted key"),
    ("ghp_", 30, "a GitHub token"),
    ("gho_", 30, "a GitHub token"),
    ("ghu_", 30, "a GitHub token"),
    ("ghs_", 30, "a GitHub token"),
    ("ghr_", 30, "a GitHub token"),
    ("github_pat_", 22, "a GitHub token"),
    ("glpat-", 20, "a GitLab token"),
    ("xoxb-", 10, "a Slack token"),
    ("xoxp-", 10, "a Slack token"),
    ("xoxa-", 10, "a Slack token"),
    ("xoxs-", 10, "a Slack token"),
    ("AIza", 30, "a Google API key"),
    ("hf_", 30, "a Hugging Face token"),
    ("npm_", 30, "an npm token"),
];

/// Tokens recognised by their shape wherever they are.
fn token_shapes(text: &str, out: &mut Vec<Secret>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Start of a word of token characters.
        let c = bytes[i] as char;
        if !is_token_char(c) || (i > 0 && is_token_char(bytes[i - 1] as char)) {
            i += 1;
            continue;
        }
        let end = text[i..]
            .find(|c: char| !is_token_char(c) && c != '.')
            .map_or(text.len(), |e| i + e);
        let word = text[i..end].trim_end_matches('.');
        let word_end = i + word.len();
        if let Some(what) = token_kind(word) {
            out.push(Secret {
                range: i..word_end,
                what: what.to_string(),
                example: false,
            });
        }
        i = end.max(i + 1);
    }
}

/// The shortest word [`token_kind`] can recognise (a Slack token: `xoxb-` and ten characters).
/// Most words of a spec are shorter, and rejecting them by length first keeps the scan of every
/// input, which runs before anything else, from costing more than reading it.
const SHORTEST_TOKEN: usize = 15;

fn token_kind(word: &str) -> Option<&'static str> {
    if word.len() < SHORTEST_TOKEN {
        return None;
    }
    if word.to_ascii_uppercase().contains("EXAMPLE") {
        return None;
    }
    if let Some(jwt) = jwt(word) {
        return Some(jwt);
    }
    let word = word.split('.').next().unwrap_or(word);
    for (prefix, min, what) in PREFIXES {
        if let Some(body) = word.strip_prefix(prefix)
            && body.len() >= *min
            && body.chars().any(|c| c.is_ascii_digit())
            && body.chars().any(|c| c.is_ascii_alphabetic())
        {
            return Some(what);
        }
    }
    for prefix in ["AKIA", "ASIA"] {
        if let Some(body) = word.strip_prefix(prefix)
            && body.len() == 16
            && body.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some("an AWS access key");
        }
    }
    None
}

/// `eyJ….eyJ….signature`: a JSON Web Token.
fn jwt(word: &str) -> Option<&'static str> {
    let parts: Vec<&str> = word.split('.').collect();
    (parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[0].len() >= 10
        && parts[1].len() >= 10
        && parts[2].len() >= 10)
        .then_some("a JSON Web Token")
}

/// Whether an identifier names a secret: `OPENAI_API_KEY`, `db_password`, `jwtSecret`,
/// `GITHUB_TOKEN`, `apiKey`, `credentials`. Counts, lengths and lifetimes of secrets
/// (`MAX_TOKENS`, `TOKEN_TTL`) are not.
pub fn secret_name(name: &str) -> bool {
    let words = words(name);
    if words.is_empty() {
        return false;
    }
    let last = words.last().map(String::as_str).unwrap_or("");
    if matches!(
        last,
        "ttl"
            | "ttls"
            | "expiry"
            | "expires"
            | "length"
            | "len"
            | "size"
            | "count"
            | "limit"
            | "tokens"
            | "file"
            | "path"
            | "name"
            | "ref"
            | "env"
            | "header"
            | "type"
            | "url"
            | "id"
    ) && !words.iter().any(|w| w == "password")
    {
        return false;
    }
    words.iter().enumerate().any(|(i, w)| {
        matches!(
            w.as_str(),
            "password" | "passwd" | "pwd" | "secret" | "token" | "apikey" | "credential" | "credentials"
        ) || (w == "key"
            && i > 0
            && matches!(
                words[i - 1].as_str(),
                "api" | "access" | "private" | "secret" | "signing" | "encryption" | "master" | "license"
            ))
            || (w == "key"
                && words.len() >= 2
                && i == words.len() - 1
                && name.contains('_')
                && !data_key(&words[i - 1]))
    }) || matches!(name, "DATABASE_URL" | "REDIS_URL" | "POSTGRES_URL" | "MONGODB_URI")
}

/// `foreign_key`, `primary_key`, `cache_key`: keys of data, not credentials.
fn data_key(word: &str) -> bool {
    matches!(
        word,
        "foreign"
            | "primary"
            | "unique"
            | "composite"
            | "sort"
            | "partition"
            | "cache"
            | "idempotency"
            | "public"
            | "row"
            | "lookup"
            | "routing"
            | "shard"
            | "index"
            | "object"
            | "storage"
            | "translation"
            | "i18n"
    )
}

/// The lower-case words of an identifier (`OPENAI_API_KEY`, `jwtSecret`, `db-password`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A value that stands for a secret without being one.
fn placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.starts_with(['$', '<', '{', '[', '(', '.', '…', '*', '%'])
        || v.ends_with('…')
        || v.contains("...")
        || v.chars().all(|c| matches!(c, 'x' | 'X' | '*' | '-' | '_' | '.'))
        || [
            "changeme",
            "change-me",
            "change_me",
            "secret",
            "password",
            "redacted",
            "todo",
            "none",
            "null",
            "nil",
            "example",
            "placeholder",
            "required",
            "optional",
            "true",
            "false",
            "your-key",
            "your_key",
            "pass",
            "passwd",
            "pwd",
            "pw",
        ]
        .contains(&lower.as_str())
        || lower.starts_with("your")
        || lower.contains("example")
        || lower.contains("placeholder")
}

/// An unquoted value that is code: a call (`os.getenv(`, `Depends(security`) or a dotted
/// path of identifiers (`credentials.credentials`, `settings.jwt_secret`).
fn code_expression(value: &str) -> bool {
    let identifier = |w: &str| {
        w.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match value.split_once('(') {
        Some((callee, _)) => !callee.is_empty() && callee.split('.').all(identifier),
        None => value.contains('.') && value.split('.').all(identifier),
    }
}

/// The default a code sample gives a secret variable: `os.getenv("JWT_SECRET", "s3cr3t")`,
/// `os.environ.get('API_KEY', 'abc…')`, `process.env.JWT_SECRET || "s3cr3t"` (or `??`).
fn env_defaults(text: &str, out: &mut Vec<Secret>) {
    let literal_at = |at: usize| -> Option<Range<usize>> {
        let rest = &text[at..];
        let q = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let end = rest[1..].find([q, '\n'])?;
        (rest.as_bytes()[1 + end] == q as u8).then(|| at + 1..at + 1 + end)
    };
    let skip_space = |at: usize| at + (text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len());
    let mut push = |name: &str, value: Range<usize>| {
        let v = &text[value.clone()];
        if secret_name(name) && v.len() >= 4 && !placeholder(v) {
            out.push(Secret {
                range: value,
                what: format!("the default of `{name}`"),
                example: false,
            });
        }
    };
    for call in ["getenv(", "environ.get("] {
        for (i, _) in text.match_indices(call) {
            let Some(name) = literal_at(skip_space(i + call.len())) else {
                continue;
            };
            let after = skip_space(name.end + 1);
            if !text[after..].starts_with(',') {
                continue;
            }
            if let Some(value) = literal_at(skip_space(after + 1)) {
                push(&text[name.clone()], value);
            }
        }
    }
    for (i, _) in text.match_indices("process.env.") {
        let start = i + "process.env.".len();
        let end = text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(text.len(), |e| start + e);
        let after = skip_space(end);
        let Some(op) = ["||", "??"].into_iter().find(|op| text[after..].starts_with(op)) else {
            continue;
        };
        if let Some(value) = literal_at(skip_space(after + op.len())) {
            push(&text[start..end], value);
        }
    }
}

/// `NAME=value` and `NAME: value` where NAME names a secret.
fn assignments(text: &str, out: &mut Vec<Secret>) {
    for (i, sep) in text.match_indices(['=', ':']) {
        // A URL scheme or a `::` path is not an assignment.
        if sep == ":" && (text[i + 1..].starts_with("//") || text[i + 1..].starts_with(':') || text[..i].ends_with(':'))
        {
            continue;
        }
        let before = text[..i].trim_end_matches([' ', '\t', '*', '`', '"', '\'']);
        let name_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .last()
            .map_or(before.len(), |(j, _)| j);
        let name = before[name_start..].trim_start_matches('-');
        if name.is_empty() || !secret_name(name) {
            continue;
        }
        let line_end = text[i..].find('\n').map_or(text.len(), |e| i + e);
        let after = &text[i + 1..line_end];
        let quoted = after.trim_start_matches([' ', '\t', '*']).starts_with(['`', '"', '\'']);
        let lead = after.len() - after.trim_start_matches([' ', '\t', '*', '`', '"', '\'']).len();
        let value_start = i + 1 + lead;
        let rest = &text[value_start..line_end];
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ',' | ';' | ')' | ']' | '}' | '|'))
            .unwrap_or(rest.len());
        // A value cut short with `...` (`"token": "eyJhbGciOi..."`) is an example: no one
        // writes a real credential truncated.
        if placeholder(&rest[..len]) {
            continue;
        }
        let value = rest[..len].trim_end_matches(['.', ':']);
        if value.len() < 4 || placeholder(value) || value.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        // Code in a sample, not a value: `api_key=os.getenv("KEY")`, `token = getAuthToken()`,
        // `credentials.credentials`. A literal is quoted, or one word.
        if !quoted && code_expression(value) {
            continue;
        }
        // Another variable's name, not a value: `secretKeyRef: DATABASE_URL`, and in code an
        // unquoted identifier that itself names a credential (`api_key=gemini_api_key,`,
        // `password: dbPassword`).
        if value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            || (!quoted
                && value.starts_with(|c: char| c.is_ascii_alphabetic())
                && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && secret_name(value))
        {
            continue;
        }
        if sep == ":" {
            // Prose (`Password: must have 12 characters`): a `Name: value` secret is one
            // token on its line, and a plain word is a description, not a credential.
            let trailing = rest[len..].trim().trim_matches(['"', '\'', '`', ',', ';', '.']);
            let plain_word = value.chars().all(|c| c.is_alphabetic() || c == '-');
            if !trailing.is_empty() && !trailing.starts_with('#') || plain_word {
                continue;
            }
        }
        // `"password": "hunter2"` in a fenced block: a JSON document, such as an API's
        // request in its documentation.
        let quoted_key = text[..name_start].ends_with('"') && text[..i].trim_end().ends_with('"');
        out.push(Secret {
            range: value_start..value_start + value.len(),
            what: format!("the value of `{name}`"),
            example: quoted_key && in_fence(text, i),
        });
    }
}

/// Whether byte `at` of Markdown `text` is inside a fenced code block (```` ``` ```` or `~~~`).
fn in_fence(text: &str, at: usize) -> bool {
    text[..at]
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("```") || l.starts_with("~~~")
        })
        .count()
        % 2
        == 1
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
    // Bounds and counts (`MAX_CONTEXT_TOKENS`, `MIN_PASSWORD_LENGTH`) are numbers, not secrets.
    if matches!(words[0].as_str(), "max" | "min" | "num") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_shape_is_shorter_than_the_length_checked_first() {
        for (prefix, min, _) in PREFIXES {
            assert!(prefix.len() + min >= SHORTEST_TOKEN, "{prefix}");
        }
        // The other shapes are longer: an AWS key (four and sixteen), a JWT (three parts of ten).
        assert_eq!(token_kind("AKIAABCDEFGHIJ234567"), Some("an AWS access key"));
        assert_eq!(
            token_kind("eyJhbGciOiJI.eyJzdWIiOiIx.SflKxwRJSM"),
            Some("a JSON Web Token")
        );
        assert_eq!(token_kind("xoxb-12345abcde"), Some("a Slack token"));
        assert_eq!(token_kind("xoxb-1234abcde"), None);
    }

    fn values(text: &str) -> Vec<&str> {
        scan(text).into_iter().map(|s| &text[s.range]).collect()
    }

    #[test]
    fn url_passwords_are_found_and_users_kept() {
        let t = "- Testing: pytest against postgres://admin:hunter2@prod/app";
        assert_eq!(values(t), ["hunter2"]);
        assert_eq!(
            redact_text(t, &scan(t)),
            "- Testing: pytest against postgres://admin:[REDACTED]@prod/app"
        );
        assert!(values("see https://example.com:8080/path and postgres://app@db/app").is_empty());
        assert!(values("postgres://user:${DB_PASSWORD}@db/app").is_empty());
    }

    #[test]
    fn assignments_with_secret_names() {
        assert_eq!(values("OPENAI_API_KEY=abc123def456"), ["abc123def456"]);
        assert_eq!(values("    DB_PASSWORD: hunter2"), ["hunter2"]);
        assert_eq!(
            values("kubectl create secret --from-literal=password=s3cr3t!"),
            ["s3cr3t!"]
        );
        assert_eq!(values("`JWT_SECRET`: \"f00b4r-baz\""), ["f00b4r-baz"]);
        assert_eq!(values("jwtSecret: aB3dE5fG7"), ["aB3dE5fG7"]);
        // An identifier that names no credential is a value in a `.env` line.
        assert_eq!(values("API_KEY=abcdef_123"), ["abcdef_123"]);
        // A quoted literal is a value even when it looks like code.
        assert_eq!(values("API_KEY = \"abc.def123\""), ["abc.def123"]);
        // The default a code sample gives a secret variable.
        assert_eq!(
            values("SECRET = os.getenv(\"JWT_SECRET\", \"C0vNMWm9q\")"),
            ["C0vNMWm9q"]
        );
        assert_eq!(values("os.environ.get('API_KEY', 'k3y-v4lue')"), ["k3y-v4lue"]);
        assert_eq!(values("process.env.JWT_SECRET || \"dev-s3cret\""), ["dev-s3cret"]);
        assert!(values("os.getenv(\"LOG_LEVEL\", \"info\")").is_empty());
        // Prose, placeholders, references and counts are not secrets.
        for t in [
            "Password: must have at least 12 characters",
            "**Secrets**: OPENAI_API_KEY comes from a Kubernetes Secret",
            "OPENAI_API_KEY=$OPENAI_API_KEY",
            "OPENAI_API_KEY=<your key>",
            "API_KEY=changeme",
            "API_KEY=sk-…",
            "MAX_TOKENS=4096",
            "TOKEN_TTL=3600s",
            "secretKeyRef: DATABASE_URL",
            "secrets: [OPENAI_API_KEY]",
            "Token: bearer",
            "password: required",
            "conversation_id: int = Field(foreign_key=\"conversations.id\")",
            "client = OpenAI(api_key=os.getenv(\"OPENAI_API_KEY\"))",
            "SECRET_KEY = os.getenv(\"BETTER_AUTH_SECRET\")",
            "const token = getAuthToken();",
            "credentials: HTTPAuthorizationCredentials = Depends(security)",
            "token = credentials.credentials",
            "const token = localStorage.getItem('token')",
            "DATABASE_URL=postgresql+asyncpg://user:pass@host/db",
            "SECRET_KEY = os.getenv(\"BETTER_AUTH_SECRET\", \"your-secret-key-here\")",
            "    api_key=gemini_api_key,",
            "password: dbPassword",
        ] {
            assert!(values(t).is_empty(), "{t}: {:?}", values(t));
        }
    }

    /// A secret-named value of a JSON example in a code block is an example; the same value
    /// outside a code block, under an unquoted key, or with a credential's shape is not.
    #[test]
    fn json_examples_in_code_blocks_are_examples() {
        let examples = |text: &str| -> Vec<(String, bool)> {
            scan(text)
                .into_iter()
                .map(|s| (text[s.range].to_string(), s.example))
                .collect()
        };
        let body = "**Request**:\n```json\n{\n  \"email\": \"user@example.com\",\n  \"password\": \"securepassword123\"\n}\n```\n";
        assert_eq!(examples(body), [("securepassword123".to_string(), true)]);
        // Outside the block, the same line is a value someone typed.
        assert_eq!(
            examples("\"password\": \"securepassword123\"\n"),
            [("securepassword123".to_string(), false)]
        );
        // A YAML or .env line in a block is configuration, not a JSON document.
        assert_eq!(
            examples("```yaml\nJWT_SECRET: f00b4r-baz\n```\n"),
            [("f00b4r-baz".to_string(), false)]
        );
        // A token's shape is a credential wherever it is.
        let sk = "sk-proj-".to_string() + "Ab12Cd34Ef56Gh78Ij90Kl";
        let token = format!("```json\n{{\"api_key\": \"{sk}\"}}\n```\n");
        assert!(
            examples(&token).iter().all(|(_, example)| !example),
            "{:?}",
            examples(&token)
        );
        // A value cut short is no credential at all.
        assert!(examples("```json\n{\"token\": \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...\"}\n```\n").is_empty());
    }

    #[test]
    fn token_shapes() {
        let aws = "AKIA".to_string() + "Z7Q2M4X9B3K8L1P6";
        let gh = "ghp_".to_string() + &"a1B2c3D4e5".repeat(4);
        let sk = "sk-proj-".to_string() + "Ab12Cd34Ef56Gh78Ij90Kl";
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        for t in [&aws, &gh, &sk, &jwt.to_string()] {
            let text = format!("the key is {t}.");
            assert_eq!(values(&text), [t.as_str()], "{t}");
        }
        assert!(values("AKIAIOSFODNN7EXAMPLE and sk-learn and task-runner-service-account").is_empty());
    }

    #[test]
    fn private_keys_keep_their_line_count() {
        let t = "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAKCAQ\n-----END RSA PRIVATE KEY-----\nb\n";
        let r = redact_text(t, &scan(t));
        assert_eq!(r, "a\n[REDACTED]\n\n\n\nb\n");
        assert_eq!(r.lines().count(), t.lines().count());
        assert!(values("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----").is_empty());
    }

    #[test]
    fn set_values_are_redacted_in_place() {
        let mut set = vec![
            "components.api.config.API_TOKEN=abc123xyz".to_string(),
            "components.api.port=8080".to_string(),
        ];
        let mut diags = Diagnostics::default();
        redact_set(&mut set, &mut diags);
        assert_eq!(set[0], "components.api.config.API_TOKEN=[REDACTED]");
        assert_eq!(set[1], "components.api.port=8080");
        assert_eq!(diags.iter().count(), 1);
    }
}
