//! `sp plan --agent-context` and `--record`: after a clean run, update the agent context
//! files and write a prompt history record, through [`crate::emit::workspace_files`].

use std::path::Path;

use super::plan_report::WorkspaceFileEntry;
use crate::Compilation;
use crate::emit::workspace_files::{self, Ownership, WorkspaceFile};
use crate::error::Result;
use crate::render::agent_context::{self, BLOCK, CONTEXT_FILES, RecordInput};

pub fn update(root: &Path, c: &Compilation, agent_context: bool, record: bool) -> Result<Vec<WorkspaceFileEntry>> {
    let mut files = Vec::new();
    if agent_context {
        for rel in CONTEXT_FILES {
            let Some(text) = workspace_files::read_existing(root, rel)? else {
                continue;
            };
            let existing = workspace_files::block_body(&text, BLOCK);
            files.push(WorkspaceFile {
                path: rel.to_string(),
                content: agent_context::block(&c.plans().cloned().collect::<Vec<_>>(), existing),
                ownership: Ownership::Block(BLOCK),
            });
        }
    }
    if record {
        for f in c.writable() {
            let (Some(plan), Some(report)) = (&f.plan, &f.report) else {
                continue;
            };
            let name = &plan.feature.name;
            let dir = format!("history/prompts/{name}");
            let existing = workspace_files::list_dir(root, &dir)?;
            let mut outputs: Vec<String> = f
                .tree
                .files()
                .filter(|(p, _)| p.starts_with(&format!("{name}/")))
                .map(|(p, _)| format!("{}/{p}", crate::OUT_DISPLAY))
                .collect();
            outputs.sort();
            let date = c
                .workspace
                .date_override
                .clone()
                .or_else(|| plan.feature.date.clone())
                .unwrap_or_else(|| "null".into());
            let input = |id| RecordInput {
                plan,
                id,
                date: &date,
                files: outputs.clone(),
                gates: report.constitution.summary_counts.clone(),
                checklist: report.checklist.summary.clone(),
                command: format!("sp plan {name} --record"),
            };
            // The same run recorded before (same inputs, same result): nothing new.
            let mut same = None;
            let mut max_id = 0;
            for file in &existing {
                let id: u32 = file.split('-').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                max_id = max_id.max(id);
                if *file == agent_context::record_name(id, name) {
                    let old = workspace_files::read_existing(root, &format!("{dir}/{file}"))?;
                    if old.as_deref() == Some(agent_context::record(&input(id)).as_str()) {
                        same = Some(file.clone());
                    }
                }
            }
            match same {
                Some(file) => files.push(WorkspaceFile {
                    path: format!("{dir}/{file}"),
                    content: String::new(),
                    ownership: Ownership::New,
                }),
                None => {
                    let id = max_id + 1;
                    files.push(WorkspaceFile {
                        path: format!("{dir}/{}", agent_context::record_name(id, name)),
                        content: agent_context::record(&input(id)),
                        ownership: Ownership::New,
                    });
                }
            }
        }
    }
    let planned = workspace_files::plan(root, &files)?;
    workspace_files::apply(root, &planned)?;
    Ok(planned
        .into_iter()
        .map(|p| WorkspaceFileEntry {
            path: p.path,
            action: p.action.as_str().to_string(),
        })
        .collect())
}
