//! The identity of this build of sp: a hash of its sources (src/, templates/, Cargo.lock),
//! written into the record of what sp wrote. A run skips a feature whose record names this
//! build and this run's inputs, so a rebuilt sp with the same version number never trusts
//! output an older build wrote. FNV-1a, so the identity is the same with every toolchain.

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
}
