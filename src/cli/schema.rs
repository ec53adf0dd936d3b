//! `sp schema`: the JSON Schema of the deployment input (the fenced YAML block of
//! `plan-input.md` and the keys of `--set`), for editors and CI validators; with
//! `--plan-report`, the schema of `sp plan --format json`.

use clap::Args;

use super::Outcome;
use crate::error::Result;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Print the schema of `sp plan --format json` instead (schemas/plan-report.schema.json).
    #[arg(long)]
    pub plan_report: bool,
}

pub fn run(args: &SchemaArgs) -> Result<Outcome> {
    if args.plan_report {
        print!("{}", super::plan_report::schema_json());
    } else {
        print!("{}", crate::resolve::deploy::input::schema_json());
    }
    Ok(Outcome::Success)
}
