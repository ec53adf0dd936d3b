//! `sp explain CODE`: what a diagnostic code or a gate means, the way ruff documents rules.

use clap::Args;

use super::Outcome;
use crate::diagnostics::Code;
use crate::error::{Error, Result};
use crate::gates::catalog::{self, GATES};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A diagnostic code (`SP201`), a gate (`G101`) or either's name (`missing-section`,
    /// `run-as-non-root`); `precedence` for the order each field of a component is decided in;
    /// omit to list them all.
    pub code: Option<String>,

    /// Print the gate catalog as JSON (every gate with its mirrors, strictness and related
    /// checks, and the retired codes), for scripts.
    #[arg(long, conflicts_with = "code")]
    pub json: bool,
}

/// `Mirrors:`, the strictness lines and `Related:` of a gate, as `sp explain` prints them.
pub fn comparison(g: &catalog::Gate) -> String {
    let mut out = String::new();
    if !g.mirrors.is_empty() {
        let m: Vec<String> = g
            .mirrors
            .iter()
            .map(|m| {
                if m.rules.is_empty() {
                    m.peer.to_string()
                } else {
                    format!("{} (rule {})", m.peer, m.rules.join(", "))
                }
            })
            .collect();
        out.push_str(&format!("Mirrors: {}\n", m.join("; ")));
    }
    for s in g.strictness {
        let d = s.describe();
        let mut c = d.chars();
        let d = c
            .next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default();
        out.push_str(&format!("{d}\n"));
    }
    if !g.related.is_empty() {
        out.push_str(&format!("Related: {}\n", g.related.join("; ")));
    }
    out
}

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    if args.json {
        let doc = serde_json::json!({ "gates": GATES, "retired": catalog::RETIRED });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("the catalog serialises")
        );
        return Ok(Outcome::Success);
    }
    match &args.code {
        None => {
            println!("Diagnostics:");
            for c in Code::ALL {
                println!(
                    "  {}  {:<26} {:<8} {}",
                    c.as_str(),
                    c.name(),
                    c.default_severity().as_str(),
                    c.summary()
                );
            }
            println!("\nSpec quality checks:");
            for c in crate::gates::spec_quality::SPEC_CHECKS {
                println!("  {}  {:<30} {:<8} {}", c.code, c.name, "check", c.summary);
            }
            println!("\nGates:");
            for g in GATES {
                println!("  {}  {:<30} {:<8} {}", g.code, g.name, g.severity.as_str(), g.summary);
            }
            println!("\nThe order each field of a component is decided in: `sp explain precedence`.");
            Ok(Outcome::Success)
        }
        Some(q) if q == "precedence" => {
            print!("{}", precedence());
            Ok(Outcome::Success)
        }
        Some(q) => {
            if let Some(c) = Code::find(q) {
                let d = crate::diagnostics::docs::docs(c);
                println!(
                    "{} {} ({})\n\n{}\n\nWhy\n\n{}\n\nExample\n\n{}\n\nFix\n\n{}",
                    c.as_str(),
                    c.name(),
                    c.default_severity().as_str(),
                    c.summary(),
                    d.why,
                    indent(d.example),
                    d.fix
                );
                return Ok(Outcome::Success);
            }
            if let Some(c) = crate::gates::spec_quality::find(q) {
                println!("{} {} (spec quality, {})\n", c.code, c.name, c.kind);
                println!(
                    "{}\n\nWhy\n\n{}\n\nExample\n\n{}\n\nFix\n\n{}",
                    c.summary,
                    c.why,
                    indent(c.bad),
                    c.fix
                );
                return Ok(Outcome::Success);
            }
            if let Some(r) = catalog::retired(q) {
                println!(
                    "{} {} (retired)\n\nSplit into one gate per rule: {}.",
                    r.code,
                    r.name,
                    catalog::expand(r.name)
                        .iter()
                        .map(|g| format!("{} {}", g.code, g.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Ok(Outcome::Success);
            }
            let g = catalog::find(q)
                .ok_or_else(|| Error::Usage(format!("no diagnostic code or gate `{q}`; `sp explain` lists them")))?;
            println!(
                "{} {} ({}, {})\n",
                g.code,
                g.name,
                g.scope.as_str(),
                g.severity.as_str()
            );
            println!("{}\n", g.summary);
            println!("Why\n\n{}\n", g.why);
            println!("Fails\n\n{}\n", g.bad.trim_end());
            println!("Fix\n\n{}\n", g.fix.trim_end());
            if !g.triggers.is_empty() {
                println!(
                    "Constitution rules that mention any of these bind to it: {}\n",
                    g.triggers.join(", ")
                );
            }
            print!("{}", comparison(g));
            Ok(Outcome::Success)
        }
    }
}

/// Every field of a component with its chain of sources, highest first: the functions of
/// `resolve/deploy/component/` apply them, `sp plan --explain` names the one that decided.
fn precedence() -> String {
    let mut out = String::from(
        "How sp decides each field of a component, highest source first. `sp plan --explain` names the\n\
         source that decided each value. Typed is `--set components.<name>.<key>`, then the YAML block\n\
         of plan-input.md; prose is plan-input.md, then the spec's clarifications and requirements,\n\
         then the constitution's technology section.\n",
    );
    for chain in crate::resolve::deploy::PRECEDENCE {
        out.push_str(&format!("\n{}  (src/resolve/deploy/{})\n", chain.field, chain.file));
        for (i, source) in chain.sources.iter().enumerate() {
            out.push_str(&format!("  {}. {source}\n", i + 1));
        }
    }
    out
}

/// An example input, indented as a block.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use crate::gates::spec_quality::SPEC_CHECKS;

    #[test]
    fn every_spec_check_is_documented_in_full() {
        for c in SPEC_CHECKS {
            for (part, text) in [
                ("summary", c.summary),
                ("why", c.why),
                ("example", c.bad),
                ("fix", c.fix),
            ] {
                assert!(text.trim().len() >= 20, "{}: `{part}` is missing or too short", c.code);
            }
        }
    }
}
