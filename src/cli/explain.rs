//! `sp explain CODE`: what a diagnostic code or a gate means, the way ruff documents rules.

use clap::Args;

use super::Outcome;
use crate::diagnostics::Code;
use crate::error::{Error, Result};
use crate::gates::catalog::{self, GATES};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A diagnostic code (`SP201`), a gate (`G101`) or either's name (`missing-section`,
    /// `run-as-non-root`); omit to list them all.
    pub code: Option<String>,
}

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
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
            println!("Mirrors: {}", g.anchors);
            Ok(Outcome::Success)
        }
    }
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
