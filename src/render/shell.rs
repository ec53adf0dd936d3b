//! Quoting for the shell commands the documents print (quickstart, contracts, plan.md).
//!
//! Every argument that comes from the input (a feature folder, a source folder, an image
//! reference) goes through [`quote`], so a folder named `006-x;$(touch PWNED)` is one
//! harmless argument. Plain words stay bare, so ordinary commands read as before.

use std::borrow::Cow;

/// `s` as one shell word: bare when it is made of characters no shell treats specially,
/// else in single quotes (`'` written as `'\''`). Control characters, which single quotes
/// cannot hold on one line, use bash's `$'…'` escapes.
pub fn quote(s: &str) -> Cow<'_, str> {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '@' | '=' | '+' | ',' | '%')
        });
    if plain {
        return Cow::Borrowed(s);
    }
    if s.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return Cow::Owned(out);
    }
    Cow::Owned(format!("'{}'", s.replace('\'', "'\\''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stay_bare_and_the_rest_is_one_word() {
        assert_eq!(
            quote("out/006-k8s-deployment/docker/api.Dockerfile"),
            "out/006-k8s-deployment/docker/api.Dockerfile"
        );
        assert_eq!(quote("todo-api:0.1.0"), "todo-api:0.1.0");
        assert_eq!(quote("out/006-x;$(touch PWNED)"), "'out/006-x;$(touch PWNED)'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a\nb"), "$'a\\nb'");
    }

    #[test]
    fn a_shell_reads_back_the_same_word() {
        for s in ["out/006-x;$(touch PWNED)", "a b", "it's", "`id`", "x\"y", "a|b&c>d"] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", quote(s)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), s);
        }
    }
}
