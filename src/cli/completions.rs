//! `sp completions SHELL` and `sp man`: shell completions and the man page, generated from
//! the clap definitions so they always match the flags. `sp --version` names the catalogs
//! the binary carries.

use clap::{Args, ValueEnum};

use super::Outcome;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(name = "powershell")]
    Powershell,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {}

pub fn completions(args: &CompletionsArgs) -> Result<Outcome> {
    use clap_complete::{Shell as S, generate};
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut cmd = super::command();
    generate(shell, &mut cmd, "sp", &mut std::io::stdout());
    Ok(Outcome::Success)
}

pub fn man(_args: &ManArgs) -> Result<Outcome> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(super::command())
        .render(&mut buf)
        .map_err(|e| Error::io("<stdout>", e))?;
    // Subcommands get their own sections, so `man sp` documents every flag.
    for sub in super::command().get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name().to_string();
        let mut page = Vec::new();
        let man = clap_mangen::Man::new(sub.clone().name(format!("sp-{name}")));
        man.render_synopsis_section(&mut page)
            .and_then(|_| man.render_description_section(&mut page))
            .and_then(|_| man.render_options_section(&mut page))
            .map_err(|e| Error::io("<stdout>", e))?;
        buf.extend(demote_sections(&String::from_utf8_lossy(&page), &name).into_bytes());
    }
    print!("{}", String::from_utf8_lossy(&buf));
    Ok(Outcome::Success)
}

/// A subcommand's `.SH` headings become `.SS` subheadings under one `.SH "SP NAME"` section.
fn demote_sections(page: &str, name: &str) -> String {
    let mut out = format!(".SH \"SP {}\"\n", name.to_uppercase());
    for line in page.lines() {
        if let Some(rest) = line.strip_prefix(".SH ") {
            out.push_str(&format!(".SS {rest}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// FNV-1a, 64 bits: a stable fingerprint of a catalog's text (no hash-order dependence).
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// `sp --version`: the crate version, then the stack catalog and the gate catalog the
/// binary carries, each with its size and a fingerprint of its content, so two binaries
/// that would generate different output say so.
pub fn long_version() -> String {
    let catalog = crate::catalog::Catalog::builtin();
    let gates = crate::gates::catalog::GATES;
    let mut gate_text = String::new();
    for g in gates {
        gate_text.push_str(&format!(
            "{}\t{}\t{:?}\t{}\t{}\n",
            g.code, g.name, g.severity, g.summary, g.fix
        ));
    }
    let first = gates.first().map(|g| g.code).unwrap_or("");
    let last = gates.last().map(|g| g.code).unwrap_or("");
    format!(
        "{}\nstack catalog: {} stacks, {} service images (fingerprint {})\ngate catalog: {} gates, {first}–{last} (fingerprint {})",
        env!("CARGO_PKG_VERSION"),
        catalog.stacks.len(),
        catalog.services.len(),
        fingerprint(crate::catalog::builtin_source().as_bytes()),
        gates.len(),
        fingerprint(gate_text.as_bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn long_version_names_both_catalogs() {
        let v = long_version();
        assert!(v.starts_with(env!("CARGO_PKG_VERSION")), "{v}");
        assert!(v.contains("\nstack catalog: ") && v.contains("\ngate catalog: "), "{v}");
    }

    #[test]
    fn every_shell_gets_completions_naming_every_subcommand() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut super::super::command(), "sp", &mut buf);
            let text = String::from_utf8(buf).unwrap();
            for sub in ["plan", "check", "explain", "init", "completions", "man"] {
                assert!(text.contains(sub), "{shell:?} completions miss {sub}");
            }
            assert!(
                text.contains("--agent-context") || text.contains("agent-context"),
                "{shell:?}"
            );
        }
    }
}
