//! Timing of `sp plan` on the example features: the whole process, then each pipeline stage
//! in-process. Run with `cargo bench --bench pipeline`; `SP_BENCH_ITERATIONS` sets the number
//! of samples (default 200). Prints medians, and the peak resident memory of this process,
//! which ran every stage.
//!
//! A plain harness rather than criterion: the figures to watch are milliseconds per feature,
//! and this keeps the build light.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sp::diagnostics::Diagnostics;
use sp::load::Selection;

fn median(iterations: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn fmt(d: Duration) -> String {
    format!("{:>9.3} ms", d.as_secs_f64() * 1000.0)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let iterations: usize = std::env::var("SP_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
        .max(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_sp");
    let scratch = tempfile::tempdir().expect("temp dir");

    println!("sp plan benchmark: median of {iterations} runs per row\n");
    println!("{:<22} {:<26} {:>12}", "feature", "stage", "median");
    for feature in ["006-k8s-deployment", "004-k8s-deployment"] {
        let selection = Selection::Named(feature.to_string());
        let out = scratch.path().join(feature);

        let process = median(iterations.min(100), || {
            let status = Command::new(bin)
                .args(["plan", feature, "--color", "never", "--out"])
                .arg(&out)
                .current_dir(&root)
                .output()
                .expect("run sp");
            assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        });
        row(feature, "whole process (sp plan)", process);

        let all = median(iterations, || {
            sp::compile(&root, &selection, &sp::Options::default()).expect("compile");
        });
        row(feature, "in-process, all stages", all);

        stages(&root, &selection, feature, iterations, &out);
        check_artifacts(bin, feature, iterations, &out.join(feature));
    }
    match peak_rss_kib() {
        Some(kib) => println!(
            "\npeak resident memory of the benchmark process: {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("\npeak resident memory: not available on this platform"),
    }
}

/// `sp check --artifacts` on the folder `sp plan` just wrote: the figure set against checkov
/// (scripts/bench), as a whole process and by stage.
fn check_artifacts(bin: &str, feature: &str, iterations: usize, dir: &Path) {
    let process = median(iterations.min(100), || {
        let status = Command::new(bin)
            .args(["check", "--color", "never", "--artifacts"])
            .arg(dir)
            .output()
            .expect("run sp");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    });
    row(feature, "check --artifacts: process", process);
    let read = median(iterations, || {
        sp::load::artifact_files(dir).expect("read");
    });
    row(feature, "check --artifacts: read", read);
    let (files, _) = sp::load::artifact_files(dir).expect("read");
    let parse = median(iterations, || {
        sp::gates::artifacts::Artifacts::from_files(&files);
    });
    row(feature, "check --artifacts: parse", parse);
    let found = sp::gates::artifacts::Artifacts::from_files(&files);
    let gates = median(iterations, || {
        sp::gates::catalog::evaluate(&found, sp::gates::artifacts::Environment::Local);
    });
    row(feature, "check --artifacts: gates", gates);
}

fn row(feature: &str, stage: &str, d: Duration) {
    println!("{feature:<22} {stage:<26} {}", fmt(d));
}

fn stages(root: &Path, selection: &Selection, feature: &str, iterations: usize, out: &Path) {
    let load = median(iterations, || {
        sp::load::load(root, selection, &mut Diagnostics::default()).expect("load");
    });
    row(feature, "1 load", load);

    let mut diags = Diagnostics::default();
    let ws = sp::load::load(root, selection, &mut diags).expect("load");
    let f = &ws.features[0];
    let (spec_id, input_id, constitution_id) = (
        f.spec.expect("spec"),
        f.plan_input.expect("plan input"),
        ws.constitution.expect("constitution"),
    );
    let parse = median(iterations, || {
        let mut d = Diagnostics::default();
        sp::parse::constitution::parse(ws.sources.get(constitution_id), constitution_id, &mut d);
        sp::parse::spec::parse(ws.sources.get(spec_id), spec_id, &mut d);
        sp::parse::plan_input::parse(ws.sources.get(input_id), input_id);
    });
    row(feature, "2 parse", parse);

    let constitution = sp::parse::constitution::parse(ws.sources.get(constitution_id), constitution_id, &mut diags);
    let parsed = sp::resolve::ParsedFeature {
        name: f.name.clone(),
        dir: sp::source::display_path(&f.dir),
        spec: sp::parse::spec::parse(ws.sources.get(spec_id), spec_id, &mut diags),
        plan_input: Some(sp::parse::plan_input::parse(ws.sources.get(input_id), input_id)),
        date_override: None,
    };
    let resolve = median(iterations, || {
        sp::resolve::resolve(&parsed, Some(&constitution), &mut Diagnostics::default());
    });
    row(feature, "3 resolve", resolve);

    // The gates judge the deployables (Dockerfiles, manifests, chart); take them from a full
    // compilation so this stage sees exactly what `sp plan` would write.
    let compiled = sp::compile(root, selection, &sp::Options::default()).expect("compile");
    let tree = compiled.tree();
    let plan = compiled.features.into_iter().find_map(|f| f.plan).expect("one plan");
    let prefix = format!("{feature}/");
    let deployables: Vec<(String, String)> = tree
        .files()
        .filter(|(p, _)| p.starts_with(&prefix) && !p.ends_with(".md"))
        .map(|(p, t)| (format!("out/{p}"), t.clone()))
        .collect();
    let gates = median(iterations, || {
        sp::gates::evaluate(&plan, &deployables, &mut Diagnostics::default());
    });
    row(feature, "4 gates", gates);

    let report = sp::gates::evaluate(&plan, &deployables, &mut Diagnostics::default());
    let templates = sp::render::Templates {
        overrides: &ws.templates,
        sources: &ws.sources,
    };
    let compile_templates = median(iterations, || {
        sp::render::Renderer::new(&templates);
    });
    row(feature, "5a render: templates", compile_templates);
    // The documents read the deployables' chart table; the first call compiles the templates.
    let run = sp::render::Run::new(templates, sp::catalog::Catalog::shared());
    let rendered = run.deployables(&plan, "out", &mut Diagnostics::default());
    run.documents(&plan, &report, "out", &[], &rendered, &mut Diagnostics::default());
    let render = median(iterations, || {
        run.documents(&plan, &report, "out", &[], &rendered, &mut Diagnostics::default());
    });
    row(feature, "5b render: documents", render);

    let compilation = sp::compile(root, selection, &sp::Options::default()).expect("compile");
    let emit = median(iterations, || {
        sp::emit::compare(out.parent().expect("scratch"), &compilation.tree()).expect("compare");
    });
    row(feature, "6 emit (compare with disk)", emit);
}
