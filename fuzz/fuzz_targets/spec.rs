//! `spec.md`: any text parses into a spec with diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sp::diagnostics::Diagnostics;
use sp::source::Sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::default();
    let id = sources.add("specs/001-x/spec.md".into(), text.to_string());
    let mut diags = Diagnostics::default();
    let _ = sp::parse::spec::parse(sources.get(id), id, &mut diags);
});
