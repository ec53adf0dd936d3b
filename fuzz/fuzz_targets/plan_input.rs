//! `plan-input.md` and its fenced YAML block: the Markdown parser, then the typed
//! deployment input and the generic YAML tree the resolver reads from each block.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sp::resolve::deploy::input::DeployInput;
use sp::source::Sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::default();
    let id = sources.add("specs/001-x/plan-input.md".into(), text.to_string());
    let input = sp::parse::plan_input::parse(sources.get(id), id);
    let _ = sp::parse::plan_input::parse_adopted(sources.get(id), id);
    for block in &input.yaml_blocks {
        let _ = sp::yaml::from_str::<DeployInput>(&block.text);
        let _ = sp::yaml::from_str::<serde_json::Value>(&block.text);
        let _ = sp::yaml::parse_nodes(&block.text);
    }
});
