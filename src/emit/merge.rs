//! Three-way merge of a generated file: base = what sp wrote last time, ours = the file on
//! disk (with the user's edits), theirs = what sp generates now.
//!
//! The changes base → ours and base → theirs are computed line by line. Changes that touch
//! different parts of the base are both applied; changes that overlap (or touch, as git
//! treats them) are a conflict unless both sides made the same change.

use std::ops::Range;

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// One overlapping change: where it is in the file on disk (1-based lines) and what each
/// side has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The lines of the file on disk the conflict covers, 1-based, end exclusive. Empty when
    /// the user deleted lines sp changes.
    pub ours_lines: Range<usize>,
    pub base: Vec<String>,
    pub ours: Vec<String>,
    pub theirs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// The merged text: the user's edits on top of the new output.
    Clean(String),
    Conflicts(Vec<Conflict>),
}

#[derive(Debug, Clone, Copy)]
struct Hunk {
    base: (usize, usize),
    side: (usize, usize),
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The changed regions from `base` to `other`, adjacent operations joined.
fn hunks(base: &[&str], other: &[&str]) -> Vec<Hunk> {
    let mut out: Vec<Hunk> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, base, other) {
        let h = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => Hunk {
                base: (old_index, old_index + old_len),
                side: (new_index, new_index),
            },
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => Hunk {
                base: (old_index, old_index),
                side: (new_index, new_index + new_len),
            },
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => Hunk {
                base: (old_index, old_index + old_len),
                side: (new_index, new_index + new_len),
            },
        };
        match out.last_mut() {
            Some(last) if last.base.1 == h.base.0 && last.side.1 == h.side.0 => {
                last.base.1 = h.base.1;
                last.side.1 = h.side.1;
            }
            _ => out.push(h),
        }
    }
    out
}

/// The text of `side` for the base region `gs..ge`, given the side's hunks inside it.
fn region<'a>(side: &[&'a str], base: &[&'a str], hs: &[Hunk], gs: usize, ge: usize) -> (usize, Vec<&'a str>) {
    match (hs.first(), hs.last()) {
        (Some(first), Some(last)) => {
            let start = first.side.0 - (first.base.0 - gs);
            let end = last.side.1 + (ge - last.base.1);
            (start, side[start..end].to_vec())
        }
        _ => (0, base[gs..ge].to_vec()),
    }
}

pub fn merge(base: &str, ours: &str, theirs: &str) -> Merge {
    if ours == theirs || base == theirs {
        return Merge::Clean(ours.to_string());
    }
    if base == ours {
        return Merge::Clean(theirs.to_string());
    }
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    let (ho, ht) = (hunks(&b, &o), hunks(&b, &t));
    // All hunks by base position; `true` is ours.
    let mut all: Vec<(bool, Hunk)> = ho
        .iter()
        .map(|h| (true, *h))
        .chain(ht.iter().map(|h| (false, *h)))
        .collect();
    all.sort_by_key(|(ours, h)| (h.base.0, h.base.1, !*ours));

    let mut merged: Vec<&str> = Vec::new();
    let mut conflicts = Vec::new();
    let mut pos = 0; // next base line not yet emitted
    let mut i = 0;
    while i < all.len() {
        let (gs, mut ge) = all[i].1.base;
        let mut j = i + 1;
        while j < all.len() && all[j].1.base.0 <= ge {
            ge = ge.max(all[j].1.base.1);
            j += 1;
        }
        let group = &all[i..j];
        let go: Vec<Hunk> = group.iter().filter(|(s, _)| *s).map(|(_, h)| *h).collect();
        let gt: Vec<Hunk> = group.iter().filter(|(s, _)| !*s).map(|(_, h)| *h).collect();
        merged.extend(&b[pos..gs]);
        let (ostart, oreg) = region(&o, &b, &go, gs, ge);
        let (_, treg) = region(&t, &b, &gt, gs, ge);
        if gt.is_empty() || oreg == treg {
            merged.extend(&oreg);
        } else if go.is_empty() {
            merged.extend(&treg);
        } else {
            let own = |v: &[&str]| v.iter().map(|l| l.trim_end_matches(['\n', '\r']).to_string()).collect();
            conflicts.push(Conflict {
                ours_lines: ostart + 1..ostart + 1 + oreg.len(),
                base: own(&b[gs..ge]),
                ours: own(&oreg),
                theirs: own(&treg),
            });
            merged.extend(&oreg);
        }
        pos = ge;
        i = j;
    }
    merged.extend(&b[pos..]);
    if conflicts.is_empty() {
        Merge::Clean(merged.concat())
    } else {
        Merge::Conflicts(conflicts)
    }
}

/// The lines a user edit added and removed relative to `base`, as a unified diff: what
/// `--force` throws away.
pub fn edit_diff(base: &str, ours: &str, path: &str) -> String {
    similar::TextDiff::from_lines(base, ours)
        .unified_diff()
        .context_radius(1)
        .header(&format!("generated/{path}"), &format!("edited/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "a\nb\nc\nd\ne\nf\ng\n";

    #[test]
    fn separate_edits_merge() {
        let ours = "a\nB (mine)\nc\nd\ne\nf\ng\n";
        let theirs = "a\nb\nc\nd\ne\nF\ng\nh\n";
        assert_eq!(
            merge(BASE, ours, theirs),
            Merge::Clean("a\nB (mine)\nc\nd\ne\nF\ng\nh\n".into())
        );
    }

    #[test]
    fn insertions_and_deletions_merge() {
        let ours = "a\nb\nmine\nc\nd\ne\nf\ng\n";
        let theirs = "a\nb\nc\nd\ne\ng\n";
        assert_eq!(
            merge(BASE, ours, theirs),
            Merge::Clean("a\nb\nmine\nc\nd\ne\ng\n".into())
        );
    }

    #[test]
    fn same_change_on_both_sides_is_clean() {
        let both = "a\nb\nX\nd\ne\nf\ng\n";
        assert_eq!(
            merge(BASE, both, &format!("{both}h\n")),
            Merge::Clean(format!("{both}h\n"))
        );
    }

    #[test]
    fn overlapping_edits_conflict_with_lines_of_the_file_on_disk() {
        let ours = "a\nb\nc\nmine\ne\nf\ng\n";
        let theirs = "a\nb\nc\ntheirs\ne\nf\ng\n";
        let Merge::Conflicts(c) = merge(BASE, ours, theirs) else {
            panic!("expected a conflict")
        };
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].ours_lines, 4..5);
        assert_eq!(c[0].ours, vec!["mine"]);
        assert_eq!(c[0].theirs, vec!["theirs"]);
        assert_eq!(c[0].base, vec!["d"]);
    }

    #[test]
    fn trivial_cases() {
        assert_eq!(merge(BASE, BASE, "x\n"), Merge::Clean("x\n".into()));
        assert_eq!(merge(BASE, "x\n", BASE), Merge::Clean("x\n".into()));
    }
}
