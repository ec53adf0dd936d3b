//! The whole pipeline (parse, resolve, render, gates, documents) on a workspace held in
//! memory. The input is split at 0xFF bytes (never part of UTF-8 text) into the
//! constitution, the spec and the plan input of one feature.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xFF).map(String::from_utf8_lossy);
    let constitution = parts.next().unwrap_or_default();
    let spec = parts.next().unwrap_or_default();
    let input = parts.next();
    let workspace = sp::load::in_memory(
        Some(&constitution),
        &[("001-fuzz", &spec, input.as_deref())],
    );
    let options = sp::Options::default();
    let run = sp::compile_workspace(workspace, &options, Default::default());
    let diagnostics = run.diagnostics();
    let _ = sp::diagnostics::render::human(&diagnostics, &run.workspace.sources, false);
    let _ = sp::diagnostics::render::json(&diagnostics, &run.workspace.sources);
});
