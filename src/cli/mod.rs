//! The command line: clap definitions and the dispatch to one file per subcommand.

mod check;
mod completions;
mod explain;
mod init;
mod plan;
pub mod plan_report;
mod review;
mod schema;
mod watch;
mod workspace_out;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// How a run ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: everything compiled (and, under --check, the output is up to date).
    Success,
    /// 1: the input has errors, or --check found stale output.
    Failure,
    /// 2: the tool could not run (bad arguments, unreadable folders, failed writes).
    Error,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(match o {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Error => 2,
        })
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "sp",
    version,
    about = "The spec-driven artifact compiler: spec-kit features in, plans and deployables out",
    long_about = "sp compiles a spec-kit feature (specs/NNN-slug/spec.md), the project's constitution and the \
plan input into the planning documents /sp.plan would write (plan.md, research.md, data-model.md, \
quickstart.md and checklists/requirements.md) and into the deployables they describe: Dockerfiles, \
Kubernetes manifests, a Helm chart and contracts (docker-images, k8s-resources, helm-chart, OpenAPI), \
all under out/<feature>/. The constitution's gates run on every artifact, and a run with an error \
writes nothing. The output is deterministic and compared with what is already on disk, so it can be \
checked in CI.",
    after_help = "Exit status: 0 success, 1 errors in the input or stale output under --check, 2 sp could not run."
)]
pub struct Cli {
    /// Run as if sp was started in DIR.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile a feature into its planning documents.
    #[command(after_help = "Examples:
  sp plan                              the feature of the current git branch (or the only one)
  sp plan specs/006-k8s-deployment     a feature by path
  sp plan 006                          a feature by number
  sp plan 006 \"Backend: FastAPI …\"     save the text as plan-input.md, then compile
  sp plan --all --check                fail (exit 1) and show diffs if out/ is stale
  sp plan --all --diff                 show what changes, then write it
  sp plan --all --watch                compile again on every save of an input")]
    Plan(plan::PlanArgs),
    /// Run the gates and the spec quality checks without writing anything.
    #[command(after_help = "Examples:
  sp check                             the current feature, as `sp plan` would compile it
  sp check --all --format sarif        every feature, as SARIF 2.1.0 for code review annotations
  sp check --artifacts deploy/         Dockerfiles, manifests and charts sp did not write")]
    Check(check::CheckArgs),
    /// Explain a diagnostic code or a gate, e.g. `sp explain SP201`, `sp explain G101`.
    Explain(explain::ExplainArgs),
    /// What a change means: compare the workspace with a git revision by meaning (spec,
    /// model, contracts, findings), for a pull request comment.
    #[command(after_help = "Examples:
  sp review --base origin/main                   markdown for a pull request comment
  sp review --base HEAD~1 --format json          the same as data
  sp review --base origin/main --format sarif    only the findings new since the base
  sp review --base origin/main --fail-on-new     exit 1 when a finding is new")]
    Review(review::ReviewArgs),
    /// Print the JSON Schema of the deployment block in plan-input.md (and of `--set` keys).
    Schema(schema::SchemaArgs),
    /// Prepare a workspace: agent commands that run sp (and, in a fresh folder, specs/ and a constitution).
    #[command(after_help = "Examples:
  sp init                              commands for the agents the workspace already uses
  sp init --ai claude,gemini           commands for Claude Code and Gemini CLI
  sp init --check                      list what is missing; exit 1 if anything is")]
    Init(init::InitArgs),
    /// Print shell completions: `sp completions bash > /etc/bash_completion.d/sp`.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff): `sp man > /usr/local/share/man/man1/sp.1`.
    Man(completions::ManArgs),
}

/// The clap command with the long version (`sp --version`) naming the catalogs.
pub fn command() -> clap::Command {
    Cli::command().long_version(completions::long_version())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    // The long version parses the whole stack catalog to count it: a run that does not ask
    // for it (`sp check --artifacts` needs no catalog at all) skips that.
    let asks_version = std::env::args_os().skip(1).any(|a| a == "--version");
    let cmd = if asks_version { command() } else { Cli::command() };
    let cli = match Cli::from_arg_matches(&cmd.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let color = cli.color.enabled();
    let outcome = match &cli.command {
        Command::Plan(args) if args.watch => watch::run(args, cli.dir.as_deref(), color),
        Command::Plan(args) => plan::run(args, cli.dir.as_deref(), color),
        Command::Check(args) => check::run(args, cli.dir.as_deref(), color),
        Command::Explain(args) => explain::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Review(args) => review::run(args, cli.dir.as_deref()),
        Command::Init(args) => init::run(args, cli.dir.as_deref()),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    };
    match outcome {
        Ok(o) => o.into(),
        Err(e) => {
            let msg = e.to_string();
            if msg.starts_with("error") {
                eprintln!("{msg}");
            } else {
                eprintln!("error: {msg}");
            }
            Outcome::Error.into()
        }
    }
}
