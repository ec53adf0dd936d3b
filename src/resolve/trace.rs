//! Tracing requirements and stages to user stories.
//!
//! spec-kit does not link a requirement to its story, yet the plan's component breakdown
//! and the checklist item "all functional requirements have clear acceptance criteria" need
//! that link. A requirement that names a story (`US2`, `User Story 2`) goes to it; otherwise
//! it goes to the story whose words it shares most, weighting rare words above common ones.
//! The computation is a pure function of the text, so it is stable from run to run.

use std::collections::{BTreeMap, BTreeSet};

use crate::parse::spec::Story;

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "into",
    "each",
    "able",
    "have",
    "has",
    "when",
    "then",
    "given",
    "user",
    "users",
    "system",
    "must",
    "should",
    "shall",
    "will",
    "can",
    "may",
    "not",
    "are",
    "its",
    "their",
    "they",
    "them",
    "all",
    "any",
    "one",
    "two",
    "use",
    "uses",
    "using",
    "used",
    "via",
    "per",
    "also",
    "feature",
    "application",
    "app",
    "provide",
    "provides",
    "support",
    "supports",
    "allow",
    "allows",
    "ensure",
    "without",
    "within",
    "after",
    "before",
    "only",
    "more",
    "than",
    "such",
    "other",
    "every",
    "both",
    "out",
    "who",
    "want",
    "so",
    "as",
    "an",
    "a",
    "to",
    "of",
    "in",
    "on",
    "by",
    "is",
    "be",
    "or",
    "it",
    "at",
    "i",
    "developer",
    "developers",
    "engineer",
];

/// A lowercased word without its inflection, in place.
fn stem(mut w: String) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() > suffix.len() + 3 && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    w
}

/// Content words of a text, lowercased and stemmed.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.len() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(stem)
        .collect()
}

fn story_text(s: &Story) -> String {
    let mut t = format!("{} {} {}", s.title, s.title, s.narrative);
    for part in [&s.why, &s.independent_test].into_iter().flatten() {
        t.push(' ');
        t.push_str(part);
    }
    for sc in &s.scenarios {
        t.push(' ');
        t.push_str(&sc.text);
    }
    t
}

pub struct Tracer {
    stories: Vec<(u32, BTreeSet<String>)>,
    /// Inverse story frequency of each word: words every story shares say nothing.
    weight: BTreeMap<String, f64>,
}

impl Tracer {
    pub fn new(stories: &[Story]) -> Self {
        let sets: Vec<(u32, BTreeSet<String>)> = stories.iter().map(|s| (s.number, words(&story_text(s)))).collect();
        let mut df: BTreeMap<String, usize> = BTreeMap::new();
        for (_, set) in &sets {
            for w in set {
                *df.entry(w.clone()).or_default() += 1;
            }
        }
        let n = sets.len().max(1) as f64;
        let weight = df.into_iter().map(|(w, d)| (w, (n / d as f64).ln())).collect();
        Tracer { stories: sets, weight }
    }

    /// Story numbers a text belongs to, best first, with how it was decided.
    pub fn trace(&self, text: &str) -> (Vec<u32>, &'static str) {
        if let Some(n) = explicit_story(text)
            && self.stories.iter().any(|(s, _)| *s == n)
        {
            return (vec![n], "explicit");
        }
        let ws = words(text);
        let mut scored: Vec<(f64, u32)> = self
            .stories
            .iter()
            .map(|(n, set)| {
                let score: f64 = ws
                    .intersection(set)
                    .map(|w| self.weight.get(w).copied().unwrap_or(0.0))
                    .sum();
                (score, *n)
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        // Highest score first; ties go to the lower story number (the higher priority).
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let Some(best) = scored.first().map(|s| s.0) else {
            return (Vec::new(), "none");
        };
        let picked = scored
            .into_iter()
            .filter(|(s, _)| *s >= best * 0.75)
            .map(|(_, n)| n)
            .collect();
        (picked, "keywords")
    }
}

/// `US2`, `US 2`, `User Story 2` or `Story 2` anywhere in the text.
fn explicit_story(text: &str) -> Option<u32> {
    let lower = text.to_lowercase();
    for marker in ["user story ", "us-", "us", "story "] {
        for (at, _) in lower.match_indices(marker) {
            if at > 0 && lower[..at].ends_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            let digits: String = lower[at + marker.len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_references_win() {
        assert_eq!(explicit_story("covers US2 and more"), Some(2));
        assert_eq!(explicit_story("see User Story 3"), Some(3));
        assert_eq!(explicit_story("business rules"), None);
    }

    #[test]
    fn words_are_stemmed_and_filtered() {
        let w = words("The System MUST build container images");
        assert!(w.contains("container") && w.contains("imag") && w.contains("build"));
        assert!(!w.contains("must"));
    }
}
