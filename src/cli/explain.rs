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
                println!(
                    "{} {} ({})\n\n{}",
                    c.as_str(),
                    c.name(),
                    c.default_severity().as_str(),
                    c.summary()
                );
                return Ok(Outcome::Success);
            }
            if let Some(c) = crate::gates::spec_quality::find(q) {
                println!("{} {} (spec quality, {})\n", c.code, c.name, c.kind);
                println!(
                    "{}\n\nWhy\n\n{}\n\nFails\n\n{}\n\nFix\n\n{}",
                    c.summary, c.why, c.bad, c.fix
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
