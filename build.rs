//! The identity of this build of sp: a hash of its sources (src/, templates/, Cargo.lock),
//! written into the record of what sp wrote. A run skips a feature whose record names this
//! build and this run's inputs, so a rebuilt sp with the same version number never trusts
//! output an older build wrote. FNV-1a, so the identity is the same with every toolchain.
//!
//! It also turns the stack catalog (`src/catalog/stacks.yaml`, the file people edit) into
//! JSON in `OUT_DIR`: the binary reads that instead of the YAML, because the YAML parser took
//! about 10 million instructions for these 20 KB on every run, a tenth of what compiling one
//! whole feature costs, where the JSON parser takes a twentieth of that. A unit test holds the
//! two readings to the same catalog.

use std::path::Path;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut all = Vec::new();
    for dir in ["src", "templates"] {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut all);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    all.push("Cargo.lock".into());
    all.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &all {
        let name = p.to_string_lossy().replace('\\', "/");
        for b in name
            .bytes()
            .chain([0])
            .chain(std::fs::read(p).unwrap_or_default())
            .chain([0])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=SP_BUILD={h:016x}");
    catalog_json();
}

/// `src/catalog/stacks.yaml` as JSON in `$OUT_DIR/stacks.json`. A catalog that is not YAML fails
/// the build here, with the parser's message and position.
fn catalog_json() {
    const CATALOG: &str = "src/catalog/stacks.yaml";
    println!("cargo:rerun-if-changed={CATALOG}");
    let text = std::fs::read_to_string(CATALOG).expect("src/catalog/stacks.yaml is readable");
    let value: serde_json::Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{CATALOG} is not valid YAML: {e}"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("stacks.json");
    std::fs::write(out, value.to_string()).expect("OUT_DIR is writable");
}
