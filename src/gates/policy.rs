//! The constitution as policy: each principle's rules bound to the gates that enforce them,
//! evaluated on the generated artifacts, with waivers from Complexity Tracking.
//!
//! A rule is bound to gates in one of two ways. A principle may name them (`**Gates**: G101,
//! run-as-high-uid`); otherwise each rule's wording is matched against every gate's trigger
//! phrases ("non-root", "resource limits", "multi-stage"…). The rule's keyword sets the
//! severity of a failure: MUST (or no keyword) is an error, SHOULD a warning, MAY
//! information. A rule no gate can check stays MANUAL and is listed with its text, so nothing
//! is PASS without a check behind it. Gates no principle claims still run: they are the
//! secure-by-default policy, reported as such.

use serde::Serialize;

use super::Status;
use super::artifacts::{Evidence, Finding, Framing, GateResult, Outcome};
use super::catalog::{self, GATES, Gate};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::parse::Waiver;
use crate::parse::constitution::{Constitution, Principle, Rule};

/// Gates whose verdict is about production: they are judged on the production values.
pub const PRODUCTION_GATES: &[&str] = &["replicas-min-2", "rolling-update-zero-downtime", "pdb-present-and-sane"];

/// The outcome of every gate, local and production, as the policy reads them.
pub struct GateRun<'a> {
    pub local: &'a [GateResult],
    pub production: &'a [GateResult],
    /// Findings about the inputs that are certain breakage, not style: errors whatever the
    /// gate's default severity (`imagePullPolicy: Always` for images that exist only in a
    /// local cluster). Keyed by gate code, file and line.
    pub definite: &'a [(String, String, usize)],
}

impl GateRun<'_> {
    /// The result that decides `gate`: production-only gates are judged on production.
    pub fn result(&self, gate: &Gate) -> Option<&GateResult> {
        let pool = if PRODUCTION_GATES.contains(&gate.name) {
            self.production
        } else {
            self.local
        };
        pool.iter().find(|r| r.gate == gate.code)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleCheck {
    pub strength: String,
    pub text: String,
    pub line: usize,
    pub status: Status,
    /// `G101 run-as-non-root` for each bound gate.
    pub gates: Vec<String>,
    /// How the gates were bound: named by the principle, or the phrase that matched.
    pub bound_by: String,
    /// The artifact, line and value that decided the status.
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrincipleCheck {
    pub label: String,
    pub title: String,
    pub markers: String,
    pub non_negotiable: bool,
    pub status: Status,
    pub rules: Vec<RuleCheck>,
    pub checked: usize,
    pub evidence: String,
    pub waiver: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DefaultCheck {
    pub gate: String,
    pub summary: String,
    pub status: Status,
    pub evidence: String,
}

/// Bind each rule of a principle to gates.
pub fn bind<'g>(principle: &Principle, rule: &Rule, diags: &mut Diagnostics, path: &str) -> (Vec<&'g Gate>, String) {
    if !principle.gates.is_empty() {
        let mut gates = Vec::new();
        for name in &principle.gates {
            match catalog::expand(name).as_slice() {
                [] => diags.push(
                    Diagnostic::new(
                        Code::UnknownGate,
                        format!(
                            "principle `{}` names gate `{name}`, which does not exist",
                            principle.title
                        ),
                    )
                    .at_line(path, principle.line, 1)
                    .hint("`sp explain` lists the gates; write their codes (G101) or names (run-as-non-root)"),
                ),
                found => gates.extend_from_slice(found),
            }
        }
        gates.dedup_by_key(|g| g.code);
        // Explicit gates apply to the rules that mention what they check; a rule that
        // mentions none of them is still covered by the principle's list as a whole.
        let triggered = catalog::triggered(&rule.text.to_lowercase());
        let specific: Vec<&Gate> = gates
            .iter()
            .copied()
            .filter(|g| triggered[catalog::index_of(g)].is_some())
            .collect();
        let chosen = if specific.is_empty() { gates } else { specific };
        return (chosen, "named by the principle's Gates line".into());
    }
    let lower = rule.text.to_lowercase();
    let mut gates = Vec::new();
    let mut phrases = Vec::new();
    for (g, trigger) in GATES.iter().zip(catalog::triggered(&lower)) {
        if let Some(t) = trigger {
            gates.push(g);
            if !phrases.contains(&t) {
                phrases.push(t);
            }
        }
    }
    let how = if phrases.is_empty() {
        String::new()
    } else {
        format!(
            "wording: {}",
            phrases
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    (gates, how)
}

fn severity_of(strength: Option<&str>) -> Severity {
    match strength {
        Some(s) if s.starts_with("SHOULD") => Severity::Warning,
        Some("MAY") => Severity::Info,
        _ => Severity::Error,
    }
}

fn evidence_line(e: &Evidence) -> String {
    format!("{}:{} {} ({})", e.file, e.line, e.found, e.object)
}

fn finding_line(f: &Finding) -> String {
    format!("{}:{} {}: {}", f.file, f.line, f.object, f.message)
}

/// Does a waiver name this gate or this principle?
fn waives(w: &Waiver, gate: Option<&Gate>, principle: Option<&Principle>) -> bool {
    let v = w.violation.to_lowercase();
    let word = |needle: &str| {
        v.split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .any(|t| t.eq_ignore_ascii_case(needle))
    };
    gate.is_some_and(|g| word(g.code) || word(g.name))
        || principle.is_some_and(|p| {
            p.numeral.as_deref().is_some_and(word) || (!p.title.is_empty() && v.contains(&p.title.to_lowercase()))
        })
}

/// Everything the Constitution Check shows, and the diagnostics that fail the run.
pub struct Verdict {
    pub principles: Vec<PrincipleCheck>,
    pub defaults: Vec<DefaultCheck>,
}

/// Evaluate the constitution against the gate results. Failures that are neither waived nor
/// merely advisory become SP701 errors in `diags`.
pub fn evaluate(
    constitution: Option<&Constitution>,
    run: &GateRun,
    waivers: &[Waiver],
    diags: &mut Diagnostics,
) -> Verdict {
    let mut used_waivers = vec![false; waivers.len()];
    let mut claimed: Vec<&'static str> = Vec::new();
    let mut principles = Vec::new();
    let path = constitution.map(|c| c.path.as_str()).unwrap_or("constitution.md");

    for p in constitution.map(|c| c.principles.as_slice()).unwrap_or_default() {
        let label = p.numeral.clone().unwrap_or_else(|| p.index.to_string());
        let mut rules = Vec::new();
        let mut principle_waiver: Option<String> = None;
        for r in &p.rules {
            let (gates, how) = bind(p, r, diags, path);
            claimed.extend(gates.iter().map(|g| g.code));
            let results: Vec<(&Gate, &GateResult)> = gates
                .iter()
                .filter_map(|g| run.result(g).map(|res| (*g, res)))
                .collect();
            let failing: Vec<(&Gate, &GateResult)> = results
                .iter()
                .copied()
                .filter(|(_, res)| res.status == Outcome::Fail)
                .collect();
            let applicable = results.iter().any(|(_, res)| res.status != Outcome::NotApplicable);
            let mut status = if gates.is_empty() || !applicable {
                Status::Manual
            } else if failing.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            };
            let evidence = if let Some((g, res)) = failing.first() {
                format!(
                    "{} {}: {}",
                    g.code,
                    g.name,
                    res.findings.first().map(finding_line).unwrap_or_default()
                )
            } else if status == Status::Pass {
                results
                    .iter()
                    .find_map(|(g, res)| {
                        res.evidence
                            .first()
                            .map(|e| format!("{} {}: {}", g.code, g.name, evidence_line(e)))
                    })
                    .unwrap_or_default()
            } else if gates.is_empty() {
                "no gate checks this rule; review by hand".into()
            } else {
                "nothing in the generated artifacts for these gates to examine".into()
            };
            if status == Status::Fail {
                for (g, res) in &failing {
                    let waiver = waivers.iter().enumerate().find(|(_, w)| waives(w, Some(g), Some(p)));
                    match waiver {
                        Some((i, w)) if p.non_negotiable => {
                            used_waivers[i] = true;
                            diags.push(
                                Diagnostic::new(
                                    Code::WaiverRefused,
                                    format!("principle {label}. {} is NON-NEGOTIABLE: `{}` cannot be waived", p.title, w.violation),
                                )
                                .at(w.span.clone())
                                .hint("fix the input that causes the violation; a NON-NEGOTIABLE principle admits no exception"),
                            );
                            report_failure(diags, g, res, p, &label, r);
                        }
                        Some((i, w)) => {
                            used_waivers[i] = true;
                            status = Status::Waived;
                            principle_waiver = Some(format!("{} — {} (line {})", w.violation, w.why, w.line));
                        }
                        None => {
                            let sev = severity_of(r.strength.as_deref());
                            if sev == Severity::Error {
                                report_failure(diags, g, res, p, &label, r);
                            } else {
                                report_failure_as(diags, g, res, p, &label, r, sev);
                            }
                        }
                    }
                }
            }
            rules.push(RuleCheck {
                strength: r.strength.clone().unwrap_or_else(|| "—".into()),
                text: r.text.clone(),
                line: r.line,
                status,
                gates: gates.iter().map(|g| format!("{} {}", g.code, g.name)).collect(),
                bound_by: how,
                evidence,
            });
        }
        let checked = rules.iter().filter(|r| r.status != Status::Manual).count();
        let status = if rules.iter().any(|r| r.status == Status::Fail) {
            Status::Fail
        } else if rules.iter().any(|r| r.status == Status::Waived) {
            Status::Waived
        } else if rules.iter().any(|r| r.status == Status::Manual) {
            Status::Manual
        } else {
            Status::Pass
        };
        let evidence = match status {
            Status::Fail => rules
                .iter()
                .find(|r| r.status == Status::Fail)
                .map(|r| r.evidence.clone()),
            Status::Waived => principle_waiver.clone(),
            _ => rules
                .iter()
                .find(|r| r.status == Status::Pass)
                .map(|r| r.evidence.clone()),
        }
        .unwrap_or_else(|| format!("{path}:{}; {} rule(s) for manual review", p.line, rules.len() - checked));
        principles.push(PrincipleCheck {
            label,
            title: p.title.clone(),
            markers: p.markers.join(", "),
            non_negotiable: p.non_negotiable,
            status,
            checked,
            evidence,
            waiver: principle_waiver,
            rules,
        });
    }

    // The secure-by-default policy: every gate, whether or not a principle claims it.
    let mut defaults = Vec::new();
    for g in GATES {
        let Some(res) = run.result(g) else { continue };
        let mut status = match res.status {
            Outcome::Pass => Status::Pass,
            Outcome::Fail => Status::Fail,
            Outcome::NotApplicable => Status::Manual,
        };
        if status == Status::Fail && !claimed.contains(&g.code) {
            match waivers.iter().enumerate().find(|(_, w)| waives(w, Some(g), None)) {
                Some((i, _)) => {
                    used_waivers[i] = true;
                    status = Status::Waived;
                }
                None => report_default(diags, g, res, run),
            }
        }
        defaults.push(DefaultCheck {
            gate: format!("{} {}", g.code, g.name),
            summary: g.summary.to_string(),
            status,
            evidence: match res.status {
                Outcome::Fail => res.findings.first().map(finding_line).unwrap_or_default(),
                Outcome::Pass => res.evidence.first().map(evidence_line).unwrap_or_default(),
                Outcome::NotApplicable => "nothing to examine".into(),
            },
        });
    }
    for (w, used) in waivers.iter().zip(used_waivers) {
        if !used {
            diags.push(
                Diagnostic::new(
                    Code::UnusedWaiver,
                    format!("`{}` justifies no failing gate or principle", w.violation),
                )
                .at(w.span.clone())
                .hint(
                    "name the gate (`G102`, `run-as-high-uid`) or the principle (`XI`) it justifies, or remove the row",
                ),
            );
        }
    }
    Verdict { principles, defaults }
}

fn report_failure(diags: &mut Diagnostics, g: &Gate, res: &GateResult, p: &Principle, label: &str, r: &Rule) {
    report_failure_as(diags, g, res, p, label, r, Severity::Error);
}

fn report_failure_as(
    diags: &mut Diagnostics,
    g: &Gate,
    res: &GateResult,
    p: &Principle,
    label: &str,
    r: &Rule,
    sev: Severity,
) {
    for f in &res.findings {
        // One diagnostic per finding: the first rule that binds the gate reports it.
        let already = diags.iter().any(|d| {
            d.code == Code::GateFailed
                && d.rule == Some(g.code)
                && matches!(&d.location, Some(crate::diagnostics::Location::PathAt { path, line, .. }) if path.as_os_str() == f.file.as_str() && *line == f.line)
                && d.message.ends_with(&f.message)
        });
        if already {
            continue;
        }
        let framing = Framing::Principle {
            label,
            title: &p.title,
            strength: r.strength.as_deref().unwrap_or("MUST"),
            rule: &r.text,
            non_negotiable: p.non_negotiable,
        };
        diags.push(g.diagnostic(f, framing, sev));
    }
}

fn report_default(diags: &mut Diagnostics, g: &Gate, res: &GateResult, run: &GateRun) {
    for f in &res.findings {
        let definite = run
            .definite
            .iter()
            .any(|(c, file, line)| c == g.code && *file == f.file && *line == f.line);
        let sev = if definite { Severity::Error } else { g.severity };
        diags.push(g.diagnostic(f, Framing::SecureDefault, sev));
    }
}

/// Counts for the plan's summary line: only principles whose every rule is checked count
/// as PASS, so "14/14 PASS" appears only when it is true.
pub fn summary(principles: &[PrincipleCheck]) -> String {
    let count = |s: Status| principles.iter().filter(|p| p.status == s).count();
    format!(
        "{}/{} PASS, {} FAIL, {} WAIVED, {} MANUAL",
        count(Status::Pass),
        principles.len(),
        count(Status::Fail),
        count(Status::Waived),
        count(Status::Manual)
    )
}
