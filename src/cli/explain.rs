//! `sp explain CODE`: what a diagnostic code means.

use clap::Args;

use super::Outcome;
use crate::diagnostics::Code;
use crate::error::{Error, Result};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A code (`SP201`) or its name (`missing-section`); omit to list every code.
    pub code: Option<String>,
}

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    match &args.code {
        None => {
            for c in Code::ALL {
                println!(
                    "{}  {:<26} {:<8} {}",
                    c.as_str(),
                    c.name(),
                    c.default_severity().as_str(),
                    c.summary()
                );
            }
            Ok(Outcome::Success)
        }
        Some(q) => {
            let c = Code::find(q)
                .ok_or_else(|| Error::Usage(format!("no diagnostic code `{q}`; `sp explain` lists them")))?;
            println!(
                "{} {} ({})\n\n{}",
                c.as_str(),
                c.name(),
                c.default_severity().as_str(),
                c.summary()
            );
            Ok(Outcome::Success)
        }
    }
}
