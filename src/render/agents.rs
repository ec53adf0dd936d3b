//! The agent command files `sp init` installs: slash commands for Claude Code, Gemini CLI,
//! GitHub Copilot and Cursor that run `sp plan`, `sp check` and `sp review`, read their JSON
//! diagnostics and fix the inputs, instead of writing the planning artifacts themselves.
//!
//! Each agent gets the same three instructions in its own format (spec-kit's layout):
//! Markdown with a `description` front matter and `$ARGUMENTS` for Claude Code and Cursor,
//! a `.prompt.md` with `${input:args}` for Copilot, TOML with `description` and `prompt` and
//! `{{args}}` for Gemini CLI. Commands are named `spc.*` so they never collide with
//! spec-kit-plus's own `sp.*` commands (`sp.plan` is the agent writing the plan by hand).

use super::workspace_file::{OWNED_MARKER, Ownership, WorkspaceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agent {
    Claude,
    Gemini,
    Copilot,
    Cursor,
}

impl Agent {
    pub const ALL: [Agent; 4] = [Agent::Claude, Agent::Gemini, Agent::Copilot, Agent::Cursor];

    pub fn id(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Gemini => "gemini",
            Agent::Copilot => "copilot",
            Agent::Cursor => "cursor",
        }
    }

    pub fn from_id(id: &str) -> Option<Agent> {
        Agent::ALL
            .into_iter()
            .find(|a| a.id() == id.trim().to_ascii_lowercase())
    }

    /// The folder the agent reads its commands from.
    pub fn commands_dir(self) -> &'static str {
        match self {
            Agent::Claude => ".claude/commands",
            Agent::Gemini => ".gemini/commands",
            Agent::Copilot => ".github/prompts",
            Agent::Cursor => ".cursor/commands",
        }
    }

    /// Files or folders whose presence says the workspace uses this agent.
    pub fn signs(self) -> &'static [&'static str] {
        match self {
            Agent::Claude => &[".claude", "CLAUDE.md"],
            Agent::Gemini => &[".gemini", "GEMINI.md"],
            Agent::Copilot => &[".github/prompts", ".github/copilot-instructions.md"],
            Agent::Cursor => &[".cursor", ".cursorrules"],
        }
    }

    /// The instructions file the agent reads on every session.
    pub fn context_file(self) -> &'static str {
        match self {
            Agent::Claude => "CLAUDE.md",
            Agent::Gemini => "GEMINI.md",
            Agent::Copilot => ".github/copilot-instructions.md",
            Agent::Cursor => "AGENTS.md",
        }
    }

    fn file_name(self, command: &str) -> String {
        match self {
            Agent::Claude | Agent::Cursor => format!("spc.{command}.md"),
            Agent::Gemini => format!("spc.{command}.toml"),
            Agent::Copilot => format!("spc.{command}.prompt.md"),
        }
    }

    fn arguments(self) -> &'static str {
        match self {
            Agent::Claude | Agent::Cursor => "$ARGUMENTS",
            Agent::Gemini => "{{args}}",
            Agent::Copilot => "${input:args}",
        }
    }
}

struct Command {
    name: &'static str,
    description: &'static str,
    body: &'static str,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "plan",
        description: "Compile the feature's plan, research, quickstart, contracts and deployables with sp; fix the spec or plan input from its diagnostics",
        body: PLAN_BODY,
    },
    Command {
        name: "check",
        description: "Run sp's constitution gates and spec quality checks; fix the inputs they point at",
        body: CHECK_BODY,
    },
    Command {
        name: "review",
        description: "Review what this branch changes in the specs and generated output with sp review",
        body: REVIEW_BODY,
    },
];

const SHARED_RULES: &str = "\
Rules:

- `sp` writes every planning artifact (plan.md, research.md, data-model.md, quickstart.md,
  checklists, contracts, Dockerfiles, manifests, the Helm chart) under `out/<feature>/`. Do not
  write or edit those files yourself: they are regenerated, byte for byte, on every run.
- Fix problems where the diagnostic points: `specs/<feature>/spec.md`, `specs/<feature>/plan-input.md`
  (the words you would type after a plan command: stack, platform, ports, decisions) or the
  constitution. `sp explain CODE` explains any code (`SP206`, `G101`); `sp schema` prints the
  keys of the plan input's fenced YAML block.
- A `[NEEDS CLARIFICATION]` or a choice between options is the user's decision: ask, then record
  the answer in the spec's `## Clarifications`.
- A gate failure is fixed in the inputs, or justified in a `## Complexity Tracking` row naming the
  gate when the user agrees; never for a NON-NEGOTIABLE principle.
";

const PLAN_BODY: &str = "\
Plan the feature with the `sp` compiler instead of writing the plan by hand.

1. Run `sp plan <feature> --format json` from the repository root, where `<feature>` is the
   folder, number or name the user gave (omit it to use the current git branch's feature). When
   the user input also describes the stack or platform, pass that text quoted after the feature:
   `sp plan 006 \"Backend: FastAPI, Python 3.13\" --format json` saves it as the feature's
   `plan-input.md` first.
2. Read the JSON it prints: `summary` (counts), `files` (every output path and whether it was
   added, modified or unchanged) and `diagnostics` (each with `code`, `severity`, `message`,
   `file`, `line`, `column` and a `hint`). The exit status is 0 when it compiled, 1 when the
   input has errors (nothing is written then), 2 when `sp` could not run.
3. For every error, and every warning whose hint names a missing input, edit the file at
   `file:line` as the `hint` says. Then run step 1 again. Stop when there are no errors and
   the remaining warnings need the user.
4. Report to the user: the files written (from `files`), what you changed in the inputs and why,
   and the questions left for them.
";

const CHECK_BODY: &str = "\
Check the feature against the constitution with the `sp` compiler.

1. Run `sp check <feature> --format json` from the repository root (`--all` for every feature).
   It writes nothing.
2. Each entry is a diagnostic with `code`, `severity`, `message`, `file`, `line`, `column` and
   `hint`. Codes `SP7xx` are gates (the message names the gate, e.g. `G101 run-as-non-root`);
   `sp explain G101` gives the failing example and the fix.
3. Fix each error in the input it comes from and run `sp check` again, until it exits 0. Then
   run `sp plan <feature>` so the output under `out/` matches.
";

const REVIEW_BODY: &str = "\
Review what this branch changes, as a reviewer would see it.

1. Run `sp review --base <ref> --format markdown` from the repository root, where `<ref>` is
   the branch the work will merge into (`main` unless the user names another).
2. Summarise the review for the user: which features changed, which generated files change and
   why, new or resolved gate findings.
3. If it reports stale output or errors, run the `spc.plan` steps for the features concerned.
";

/// The command files for `agent`, in a stable order.
pub fn command_files(agent: Agent) -> Vec<WorkspaceFile> {
    COMMANDS
        .iter()
        .map(|c| WorkspaceFile {
            path: format!("{}/{}", agent.commands_dir(), agent.file_name(c.name)),
            content: command_text(agent, c),
            ownership: Ownership::Whole,
        })
        .collect()
}

fn command_text(agent: Agent, c: &Command) -> String {
    let body = format!(
        "User input:\n\n```text\n{args}\n```\n\n{body}\n{SHARED_RULES}",
        args = agent.arguments(),
        body = c.body,
    );
    let marker = format!("{OWNED_MARKER}: `sp init` rewrites it; delete this line to keep your own edits");
    match agent {
        Agent::Gemini => format!(
            "# {marker}\ndescription = {desc}\n\nprompt = \"\"\"\n{body}\"\"\"\n",
            desc = toml_string(c.description),
            body = body.replace('\\', "\\\\"),
        ),
        Agent::Claude | Agent::Cursor | Agent::Copilot => format!(
            "---\ndescription: {desc}\n---\n\n<!-- {marker} -->\n\n{body}",
            desc = yaml_string(c.description),
        ),
    }
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn yaml_string(s: &str) -> String {
    if s.contains(':')
        || s.contains('#')
        || s.starts_with(['"', '\'', '[', '{', '*', '&', '!', '|', '>', '%', '@', '`'])
    {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_gets_three_commands_that_do_not_collide_with_spec_kit_plus() {
        for agent in Agent::ALL {
            let files = command_files(agent);
            assert_eq!(files.len(), 3);
            for f in &files {
                let name = f.path.rsplit('/').next().unwrap();
                assert!(name.starts_with("spc."), "{name}");
                assert!(f.content.contains(OWNED_MARKER));
                assert!(f.content.contains(agent.arguments()));
            }
        }
    }

    #[test]
    fn gemini_commands_are_toml_with_description_and_prompt() {
        let f = &command_files(Agent::Gemini)[0];
        assert_eq!(f.path, ".gemini/commands/spc.plan.toml");
        assert!(f.content.contains("\ndescription = \"Compile"));
        assert!(f.content.contains("\nprompt = \"\"\"\nUser input:"));
        assert!(f.content.ends_with("\"\"\"\n"));
    }
}
