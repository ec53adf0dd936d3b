//! Checks of the inputs that no generated file shows on its own: a pull policy that cannot
//! work on a local cluster (a secret typed into an input is the secret scanner's, SP110,
//! in `parse::secrets`). Their findings join
//! the results of the matching catalog gate, so principles bind to them the same way.

use super::artifacts::{Finding, GateResult, Outcome, Subject};
use super::catalog;
use crate::model::Plan;
use crate::model::deploy::PlatformKind;

/// Add a finding to its gate's result, and remember it as definite breakage.
fn add(results: &mut [GateResult], definite: &mut Vec<(String, String, usize)>, gate: &str, finding: Finding) {
    let Some(g) = catalog::find(gate) else { return };
    if let Some(r) = results.iter_mut().find(|r| r.gate == g.code) {
        definite.push((g.code.to_string(), finding.file.clone(), finding.line));
        r.status = Outcome::Fail;
        r.findings.push(finding);
    }
}

/// `file:line` of an origin, when it names one.
fn at(origin: &str) -> (String, usize) {
    match origin.rsplit_once(':') {
        Some((f, l)) if l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty() => {
            (f.to_string(), l.parse().unwrap_or(1))
        }
        // An origin cited by ID, `specs/001-x/spec.md (FR-007)`: the file.
        _ => match origin.split_once(" (") {
            Some((f, _)) => (f.to_string(), 1),
            None => (origin.to_string(), 1),
        },
    }
}

/// Merge the input checks into `results`; returns the findings that are certain breakage.
pub fn merge(plan: &Plan, results: &mut [GateResult]) -> Vec<(String, String, usize)> {
    let mut definite = Vec::new();
    let Some(d) = &plan.deployment else { return definite };
    let local = matches!(d.platform.kind.value, PlatformKind::Minikube | PlatformKind::Kind);
    for c in &d.components {
        if local && c.image.pull_policy.value == "Always" {
            let (file, line) = at(&c.image.pull_policy.origin.text);
            add(
                results,
                &mut definite,
                "image-pull-policy",
                Finding {
                    gate: "",
                    rule: "always-on-local-cluster",
                    file,
                    line,
                    column: 1,
                    subject: Subject::from(format!("component {}", c.name)),
                    object: format!("component {}", c.name),
                    message: format!(
                        "imagePullPolicy Always for `{}`, an image that exists only inside the {:?} cluster: the kubelet cannot pull it, so the pods never start",
                        c.image.reference(),
                        d.platform.kind.value
                    ),
                    found: "imagePullPolicy: Always".into(),
                },
            );
        }
    }
    definite
}
