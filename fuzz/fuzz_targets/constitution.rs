//! `constitution.md`: any text parses into principles and gates with diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sp::diagnostics::Diagnostics;
use sp::source::Sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::default();
    let id = sources.add("constitution.md".into(), text.to_string());
    let mut diags = Diagnostics::default();
    let _ = sp::parse::constitution::parse(sources.get(id), id, &mut diags);
});
