//! Scale from the spec: a load or availability goal stated in the spec's requirements,
//! success criteria or constraints, or in the plan's Performance Goals, Scale/Scope or
//! Constraints ("at least 10 concurrent users", "500 requests per second", "scales
//! horizontally", "99.9% availability"), gives the serving components a
//! HorizontalPodAutoscaler in production. Each bound records where it comes from. Without
//! such a goal nothing is added: no number is invented for a feature that asked for none.

use crate::model::deploy::{Autoscaling, Component, Rollout, Valued};
use crate::model::{ContextValue, Origin};
use crate::parse::spec::Spec;

/// The Technical Context keys that state goals.
const GOAL_KEYS: &[&str] = &["Performance Goals", "Scale/Scope", "Constraints"];

/// Words that, after a number, make it a load goal.
const LOAD_UNITS: &[&str] = &[
    "concurrent user",
    "concurrent connection",
    "concurrent session",
    "concurrent request",
    "simultaneous user",
    "requests per second",
    "requests/second",
    "requests/s",
    "request/s",
    "req/s",
    "rps",
    "qps",
    "requests per minute",
    "% availability",
    "% uptime",
];

/// Phrases that are a goal by themselves.
const SCALE_PHRASES: &[&str] = &[
    "scales horizontally",
    "scale horizontally",
    "scaled horizontally",
    "horizontally scalable",
    "horizontal scaling",
    "autoscal",
];

/// A negation just before a phrase makes it no goal ("no autoscaling", "without horizontal scaling").
const NEGATIONS: &[&str] = &["no ", "not ", "without ", "non-"];

/// Scale-out above this share of the CPU request.
pub const TARGET_CPU_PERCENT: u32 = 70;

/// Every load unit and scale phrase, in any ASCII case, found in one pass. Most texts asked
/// (each requirement, criterion and constraint of a feature) hold none, and are then done
/// after one scan instead of one search per unit and phrase.
static ANY_GOAL_WORD: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(LOAD_UNITS.iter().chain(SCALE_PHRASES))
        .expect("fixed literal words build")
});

/// The goal stated in `text`, as written there (`10 concurrent users`), if any.
pub fn find_goal(text: &str) -> Option<String> {
    if !ANY_GOAL_WORD.is_match(text) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    for unit in LOAD_UNITS {
        for (at, _) in lower.match_indices(unit) {
            // The unit must start a word ("rps" not inside "corpse").
            if unit.starts_with(|c: char| c.is_ascii_alphabetic())
                && lower[..at].ends_with(|c: char| c.is_ascii_alphabetic())
            {
                continue;
            }
            let before = lower[..at].trim_end().trim_end_matches('+').trim_end();
            let start = before
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_digit() || *c == ',' || *c == '.' || *c == 'k'))
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0);
            let number = &before[start..];
            if number.chars().any(|c| c.is_ascii_digit()) && number.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                let tail = &lower[at + unit.len()..];
                let end = at + unit.len() + tail.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(tail.len());
                return Some(text[start..end].trim().to_string());
            }
        }
    }
    for phrase in SCALE_PHRASES {
        if let Some(at) = lower.find(phrase) {
            let before = &lower[..at];
            if NEGATIONS.iter().any(|n| before.ends_with(n)) {
                continue;
            }
            let tail = &lower[at + phrase.len()..];
            let end = at + phrase.len() + tail.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(tail.len());
            return Some(text[at..end].to_string());
        }
    }
    None
}

/// The first goal the inputs state, with its place: the plan's goal keys first (the plan
/// input is where a reader looks for them), then the spec.
pub fn goal(spec: &Spec, context: &[ContextValue]) -> Option<Valued<String>> {
    for key in GOAL_KEYS {
        if let Some(c) = context.iter().find(|c| c.key == *key && !c.needs_clarification)
            && let Some(g) = find_goal(&c.value)
        {
            return Some(Valued::new(g, c.origin.clone()));
        }
    }
    let lines = spec
        .requirements
        .iter()
        .chain(&spec.success_criteria)
        .map(|r| (r.text.as_str(), r.line))
        .chain(spec.constraints.iter().map(|l| (l.text.as_str(), l.line)));
    for (text, line) in lines {
        if let Some(g) = find_goal(text) {
            return Some(Valued::new(g, Origin::at(&spec.path, line)));
        }
    }
    None
}

/// The production autoscaler, when a goal asks for one and a component serves a port.
pub fn autoscaling(
    spec: &Spec,
    context: &[ContextValue],
    rollout: &Rollout,
    components: &[Component],
) -> Option<Autoscaling> {
    let goal = goal(spec, context)?;
    let serving: Vec<String> = components
        .iter()
        .filter(|c| c.port.is_some())
        .map(|c| c.name.clone())
        .collect();
    if serving.is_empty() {
        return None;
    }
    let min = rollout.production_replicas.clone();
    let max = Valued::new(
        min.value.saturating_mul(3).max(min.value + 1),
        Origin::derived(format!(
            "\"{}\" ({}): three times minReplicas, to be confirmed with a load test",
            goal.value, goal.origin.text
        )),
    );
    let cpu = Valued::new(
        TARGET_CPU_PERCENT,
        Origin::derived("the default target: 70% of the CPU request, so new pods start before the others saturate"),
    );
    Some(Autoscaling {
        goal,
        min_replicas: min,
        max_replicas: max,
        target_cpu_percent: cpu,
        components: serving,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass filter lets through every text a unit or phrase is in, whatever its case,
    /// so it never hides a goal the searches after it would find.
    #[test]
    fn the_filter_sees_every_unit_and_phrase_in_any_case() {
        for w in LOAD_UNITS.iter().chain(SCALE_PHRASES) {
            for text in [w.to_string(), w.to_ascii_uppercase(), format!("at 10 {w}")] {
                assert!(ANY_GOAL_WORD.is_match(&text), "{text}");
            }
        }
        assert_eq!(
            find_goal("Serve 10 Concurrent Users"),
            Some("10 Concurrent Users".into())
        );
        assert_eq!(
            find_goal("The API Scales Horizontally."),
            Some("Scales Horizontally".into())
        );
        assert_eq!(find_goal("A list of todos."), None);
    }

    #[test]
    fn load_goals_are_found_with_their_number() {
        assert_eq!(
            find_goal("The application handles at least 10 concurrent users performing task operations").as_deref(),
            Some("10 concurrent users")
        );
        assert_eq!(
            find_goal("support 1,000+ concurrent users").as_deref(),
            Some("1,000+ concurrent users")
        );
        assert_eq!(
            find_goal("API sustains 500 requests per second").as_deref(),
            Some("500 requests per second")
        );
        assert_eq!(find_goal("p95 < 200ms at 2k rps").as_deref(), Some("2k rps"));
        assert_eq!(find_goal("up to 50rps").as_deref(), Some("50rps"));
        assert_eq!(
            find_goal("≥100 concurrent users").as_deref(),
            Some("100 concurrent users")
        );
        assert_eq!(find_goal("99.9% availability").as_deref(), Some("99.9% availability"));
        assert_eq!(
            find_goal("The backend scales horizontally behind the Service").as_deref(),
            Some("scales horizontally")
        );
    }

    #[test]
    fn statements_without_a_goal_give_nothing() {
        for text in [
            "Deployment completion <5 minutes, API response <500ms p95",
            "Container startup <10s",
            "concurrent users see their own tasks",
            "no autoscaling in this phase",
            "Port 8000",
            "the corpses rps",
            "≥ concurrent users",
        ] {
            assert_eq!(find_goal(text), None, "{text}");
        }
    }
}
