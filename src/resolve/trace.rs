//! Tracing requirements and stages to user stories.
//!
//! spec-kit does not link a requirement to its story, yet the plan's component breakdown
//! and the checklist item "all functional requirements have clear acceptance criteria" need
//! that link. A requirement that names a story (`US2`, `User Story 2`) goes to it; otherwise
//! it goes to the story whose words it shares most, weighting rare words above common ones.
//! The computation is a pure function of the text, so it is stable from run to run.

use std::collections::{BTreeMap, BTreeSet};

use crate::parse::spec::Story;

/// Words too common to say which story a text belongs to, sorted (looked up by binary search;
/// words shorter than three letters never get this far).
const STOPWORDS: &[&str] = &[
    "able",
    "after",
    "all",
    "allow",
    "allows",
    "also",
    "and",
    "any",
    "app",
    "application",
    "are",
    "before",
    "both",
    "can",
    "developer",
    "developers",
    "each",
    "engineer",
    "ensure",
    "every",
    "feature",
    "for",
    "from",
    "given",
    "has",
    "have",
    "into",
    "its",
    "may",
    "more",
    "must",
    "not",
    "one",
    "only",
    "other",
    "out",
    "per",
    "provide",
    "provides",
    "shall",
    "should",
    "such",
    "support",
    "supports",
    "system",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "they",
    "this",
    "two",
    "use",
    "used",
    "user",
    "users",
    "uses",
    "using",
    "via",
    "want",
    "when",
    "who",
    "will",
    "with",
    "within",
    "without",
];

/// A lowercased word without its inflection.
fn stem(w: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() > suffix.len() + 3 && w.ends_with(suffix) {
            return &w[..w.len() - suffix.len()];
        }
    }
    w
}

/// Content words of a text, lowercased and stemmed. A word is allocated once however often
/// the text repeats it, and not at all to be lowercased when it already is.
pub fn words(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut lower;
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let w = w.trim_matches('-');
        if w.len() < 3 || w.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let w = if w
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            w
        } else {
            lower = w.to_lowercase();
            lower.as_str()
        };
        if STOPWORDS.binary_search(&w).is_ok() {
            continue;
        }
        let w = stem(w);
        if !out.contains(w) {
            out.insert(w.to_string());
        }
    }
    out
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
    /// Inverse story frequency of every word of a story: words every story shares say
    /// nothing. Computed once; a spec's requirements and scenarios each ask for it.
    weights: BTreeMap<String, f64>,
}

impl Tracer {
    pub fn new(stories: &[Story]) -> Self {
        let stories: Vec<(u32, BTreeSet<String>)> = stories.iter().map(|s| (s.number, words(&story_text(s)))).collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, set) in &stories {
            for w in set {
                *counts.entry(w).or_default() += 1;
            }
        }
        let n = stories.len().max(1) as f64;
        let weights = counts
            .into_iter()
            .map(|(w, d)| (w.to_string(), (n / d as f64).ln()))
            .collect();
        Tracer { stories, weights }
    }

    fn weight(&self, w: &str) -> f64 {
        self.weights.get(w).copied().unwrap_or(0.0)
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
                let score: f64 = ws.intersection(set).map(|w| self.weight(w)).sum();
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
        // Stop words are found whatever their case; repeated and inflected words are one.
        let w = words("Users USERS Deploying deploys DEPLOYED Straße 2024 --- a-b x-ray-");
        assert_eq!(w.into_iter().collect::<Vec<_>>(), ["a-b", "deploy", "straße", "x-ray"]);
    }

    /// The stop words are looked up by binary search, which needs them sorted and unique.
    #[test]
    fn stopwords_are_sorted() {
        assert!(
            STOPWORDS.windows(2).all(|p| p[0] < p[1]),
            "STOPWORDS must be sorted and unique"
        );
    }
}
