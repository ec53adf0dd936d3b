//! `sp schema`: the JSON Schema of the deployment input (the fenced YAML block of
//! `plan-input.md` and the keys of `--set`), for editors and CI validators.

use clap::Args;

use super::Outcome;
use crate::error::Result;

#[derive(Args, Debug)]
pub struct SchemaArgs {}

pub fn run(_args: &SchemaArgs) -> Result<Outcome> {
    print!("{}", crate::resolve::deploy::input::schema_json());
    Ok(Outcome::Success)
}
