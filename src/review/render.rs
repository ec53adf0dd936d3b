//! A review as markdown for a pull request comment (summary first, details folded) or as
//! JSON. SARIF, carrying only the new findings, is rendered by the diagnostics renderer.

use super::{Change, Kind, Review};

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn sign(k: Kind) -> &'static str {
    match k {
        Kind::Added => "added",
        Kind::Removed => "removed",
        Kind::Changed => "changed",
    }
}

fn code(s: &str) -> String {
    let one_line: String = s.replace(['\n', '\r'], " ");
    let short: String = one_line.chars().take(160).collect();
    let more = if one_line.chars().count() > 160 { "…" } else { "" };
    format!("`{}{more}`", short.replace('`', "'"))
}

fn line(c: &Change) -> String {
    let mut s = format!("- **{}** {}", sign(c.kind), c.what);
    match (&c.before, &c.after) {
        (Some(b), Some(a)) => s.push_str(&format!(": {} → {}", code(b), code(a))),
        (None, Some(a)) if !a.is_empty() => s.push_str(&format!(": {}", code(a))),
        (Some(b), None) if !b.is_empty() => s.push_str(&format!(" (was {})", code(b))),
        _ => {}
    }
    if c.breaking == Some(true) {
        s.push_str(" — **breaking**");
    }
    if let Some(cause) = &c.cause {
        s.push_str(&format!(" _({cause})_"));
    }
    s.push('\n');
    s
}

fn section(out: &mut String, title: &str, changes: &[Change]) {
    if changes.is_empty() {
        return;
    }
    out.push_str(&format!("\n**{title}**\n\n"));
    for c in changes {
        out.push_str(&line(c));
    }
}

pub fn markdown(r: &Review) -> String {
    let mut out = String::new();
    let short = &r.base_commit[..r.base_commit.len().min(12)];
    out.push_str(&format!("## sp review: `{}` ({short}) → working tree\n\n", r.base));
    let spec: usize = r.features.iter().map(|f| f.spec.len()).sum::<usize>() + r.constitution.len();
    let model: usize = r.features.iter().map(|f| f.model.len()).sum();
    let contracts: usize = r.features.iter().map(|f| f.contracts.len()).sum();
    let breaking: Vec<_> = r.breaking().collect();
    out.push_str(&format!(
        "{}, {}, {} ({} breaking); findings: {} new, {} resolved, {} unchanged.\n",
        count(spec, "spec change", "spec changes"),
        count(model, "model change", "model changes"),
        count(contracts, "contract change", "contract changes"),
        breaking.len(),
        r.findings.new.len(),
        r.findings.resolved.len(),
        r.findings.unchanged.len()
    ));
    if !breaking.is_empty() {
        out.push_str("\n**Breaking**\n\n");
        for (feature, c) in &breaking {
            out.push_str(&format!("- `{feature}`: {}", &line(c)[2..]));
        }
    }
    if !r.findings.new.is_empty() {
        out.push_str("\n**New findings**\n\n");
        for f in &r.findings.new {
            out.push_str(&format!("- {} {} {}: {}\n", f.severity, f.code, location(f), f.message));
        }
    }
    if !r.findings.resolved.is_empty() {
        out.push_str("\n**Resolved findings**\n\n");
        for f in &r.findings.resolved {
            out.push_str(&format!("- {} {}: {}\n", f.code, location(f), f.message));
        }
    }
    if !r.constitution.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>Constitution: {}</summary>\n",
            count(r.constitution.len(), "change", "changes")
        ));
        section(&mut out, "Principles and rules", &r.constitution);
        out.push_str("\n</details>\n");
    }
    for f in &r.features {
        out.push_str(&format!(
            "\n<details><summary><code>{}</code> ({}): {} in the spec, {} in the model, {} in the contracts</summary>\n",
            f.name,
            f.status,
            f.spec.len(),
            f.model.len(),
            f.contracts.len()
        ));
        section(&mut out, "Spec", &f.spec);
        section(&mut out, "Model", &f.model);
        section(&mut out, "Contracts", &f.contracts);
        out.push_str("\n</details>\n");
    }
    if !r.findings.unchanged.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} unchanged</summary>\n\n",
            count(r.findings.unchanged.len(), "finding", "findings")
        ));
        for f in &r.findings.unchanged {
            out.push_str(&format!("- {} {} {}: {}\n", f.severity, f.code, location(f), f.message));
        }
        out.push_str("\n</details>\n");
    }
    out
}

fn location(f: &super::Finding) -> String {
    match (f.file.as_str(), f.line) {
        ("", _) => String::new(),
        (file, Some(l)) => format!("`{file}:{l}`"),
        (file, None) => format!("`{file}`"),
    }
}

pub fn json(r: &Review) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("serialisable");
    s.push('\n');
    s
}
