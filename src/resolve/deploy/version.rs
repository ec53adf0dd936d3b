//! Language version requirements as a repository writes them, held against the catalog.
//!
//! `requires-python = ">=3.11"` is a range, not a version: it picks the newest catalog version
//! that satisfies it. Python's specifiers (PEP 440: `>=`, `>`, `<=`, `<`, `==` with `.*`,
//! `!=`, `~=`, joined by `,`) and Node's `engines` ranges (`^`, `~`, `x`, comparators joined by
//! spaces, alternatives by `||`) are read; an exact version (`3.12`, `.nvmrc`'s `22`) is not a
//! requirement and is matched as before. A catalog version names a release series whose
//! pinned image is its newest patch (`3.12` is 3.12.x), so it satisfies `>=3.12.4` and not
//! `<3.12.4`.

/// One comparator: an operator and the version it compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    /// `==3.12`, `==3.12.*`, `20.x`: the series starts with these parts.
    Prefix,
    /// `!=3.12.*`.
    NotPrefix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    op: Op,
    parts: Vec<u64>,
}

/// A version requirement: alternatives (`||`), each a list of comparators that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    any_of: Vec<Vec<Clause>>,
}

/// The numeric parts of `3.12.4` (`x`, `*` and what follows them are dropped).
fn parts(v: &str) -> Option<Vec<u64>> {
    let v = v.trim().trim_start_matches('v').trim_start_matches('=');
    let mut out = Vec::new();
    for p in v.split('.') {
        if p == "*" || p.eq_ignore_ascii_case("x") {
            break;
        }
        let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return None;
        }
        out.push(digits.parse().ok()?);
        if digits.len() != p.len() {
            // `3.13rc1`, `20.0.0-beta`: a pre-release; its numbers still order it.
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The series after `parts` (`[20, 11]` → `[21]` for `^`, `[20, 12]` for `~`).
fn bump(parts: &[u64], at: usize) -> Vec<u64> {
    let mut v: Vec<u64> = parts.iter().take(at + 1).copied().collect();
    while v.len() <= at {
        v.push(0);
    }
    v[at] += 1;
    v
}

impl Requirement {
    /// A requirement in either language's syntax; `None` for an exact version (`3.12`,
    /// `v22.1.0`) or text that is no requirement at all.
    pub fn parse(text: &str) -> Option<Requirement> {
        let text = text.trim();
        let is_range = text.starts_with(['>', '<', '=', '~', '^', '!'])
            || text.contains(',')
            || text.contains("||")
            || text.contains(' ')
            || text.contains(['x', 'X', '*']);
        if !is_range || text.is_empty() {
            return None;
        }
        let mut any_of = Vec::new();
        for alt in text.split("||") {
            let mut clauses = Vec::new();
            // `>=3.11, <3.13` (Python) and `>=18 <23` (Node) both mean "and".
            let words: Vec<String> = alt
                .split([',', ' '])
                .filter(|w| !w.trim().is_empty())
                .map(|w| w.trim().to_string())
                .collect();
            if words.is_empty() {
                return None;
            }
            let mut i = 0;
            while i < words.len() {
                // `>= 3.11` written with a space.
                let mut w = words[i].clone();
                if w.chars().all(|c| "<>=~^!".contains(c)) && i + 1 < words.len() {
                    w.push_str(&words[i + 1]);
                    i += 1;
                }
                i += 1;
                clauses.extend(clause(&w)?);
            }
            any_of.push(clauses);
        }
        Some(Requirement { any_of })
    }

    /// Whether the release series `version` (`3.12`, `24`) satisfies the requirement.
    pub fn allows(&self, version: &str) -> bool {
        let Some(series) = parts(version) else { return false };
        self.any_of.iter().any(|all| all.iter().all(|c| holds(c, &series)))
    }
}

/// One comparator as written (`>=3.11`, `~=3.12`, `^20.11`, `20.x`, `*`).
fn clause(w: &str) -> Option<Vec<Clause>> {
    let c = |op, parts| Clause { op, parts };
    if w == "*" || w.eq_ignore_ascii_case("x") {
        return Some(Vec::new());
    }
    let (op, rest) = ["~=", ">=", "<=", "==", "!=", ">", "<", "=", "^", "~"]
        .iter()
        .find_map(|op| w.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("", w));
    let p = parts(rest)?;
    Some(match op {
        ">=" => vec![c(Op::Ge, p)],
        ">" => vec![c(Op::Gt, p)],
        "<=" => vec![c(Op::Le, p)],
        "<" => vec![c(Op::Lt, p)],
        "!=" => vec![c(Op::NotPrefix, p)],
        "==" | "=" | "" => vec![c(Op::Prefix, p)],
        // PEP 440 compatible release: `~=3.11` is `>=3.11, ==3.*`; `~=3.11.2` is
        // `>=3.11.2, ==3.11.*`.
        "~=" => {
            let keep = p.len().saturating_sub(1).max(1);
            vec![c(Op::Ge, p.clone()), c(Op::Prefix, p[..keep].to_vec())]
        }
        // Node caret: up to the next change of the first non-zero part.
        "^" => {
            let at = p.iter().position(|n| *n != 0).unwrap_or(p.len() - 1);
            vec![c(Op::Ge, p.clone()), c(Op::Lt, bump(&p, at))]
        }
        // Node tilde: `~20.11` is `>=20.11 <20.12`; `~20` is `20.x`.
        "~" => {
            let at = if p.len() >= 2 { 1 } else { 0 };
            vec![c(Op::Ge, p.clone()), c(Op::Lt, bump(&p, at))]
        }
        _ => return None,
    })
}

/// A comparator against a release series, whose parts beyond those given are its newest
/// patch (greater than any number written).
fn holds(c: &Clause, series: &[u64]) -> bool {
    let n = c.parts.len().max(series.len()) + 1;
    let at = |v: &[u64], i: usize, missing: u64| v.get(i).copied().unwrap_or(missing);
    let cmp = || {
        for i in 0..n {
            let (a, b) = (at(series, i, u64::MAX), at(&c.parts, i, 0));
            if a != b {
                return a.cmp(&b);
            }
        }
        std::cmp::Ordering::Equal
    };
    let prefix = || {
        c.parts
            .iter()
            .enumerate()
            .all(|(i, p)| series.get(i).is_none_or(|s| s == p))
    };
    match c.op {
        Op::Ge => cmp().is_ge(),
        Op::Gt => cmp().is_gt(),
        Op::Lt => cmp().is_lt(),
        // `<=3.12` keeps the 3.12 series: compared on the parts written.
        Op::Le => {
            let k = c.parts.len().min(series.len());
            series[..k] <= c.parts[..k]
        }
        Op::Prefix => prefix(),
        Op::NotPrefix => !prefix(),
    }
}

#[cfg(test)]
mod tests {
    use super::Requirement;

    fn allowed(req: &str, versions: &[&str]) -> Vec<String> {
        let r = Requirement::parse(req).unwrap_or_else(|| panic!("{req} is a requirement"));
        versions.iter().filter(|v| r.allows(v)).map(|v| v.to_string()).collect()
    }

    #[test]
    fn python_specifiers() {
        let py = ["3.13", "3.12", "3.11"];
        assert_eq!(allowed(">=3.11", &py), ["3.13", "3.12", "3.11"]);
        assert_eq!(allowed(">=3.12,<3.13", &py), ["3.12"]);
        assert_eq!(allowed(">= 3.11, < 3.13", &py), ["3.12", "3.11"]);
        assert_eq!(allowed("~=3.12", &py), ["3.13", "3.12"]);
        assert_eq!(allowed("~=3.12.1", &py), ["3.12"]);
        assert_eq!(allowed("==3.12.*", &py), ["3.12"]);
        assert_eq!(allowed("==3.11", &py), ["3.11"]);
        assert_eq!(allowed(">3.11", &py), ["3.13", "3.12", "3.11"]);
        assert_eq!(allowed(">3.11.99", &py), ["3.13", "3.12", "3.11"]);
        assert_eq!(allowed("<3.12.4", &py), ["3.11"]);
        assert_eq!(allowed("<=3.12", &py), ["3.12", "3.11"]);
        assert_eq!(allowed(">=3.11,!=3.12.*", &py), ["3.13", "3.11"]);
        assert_eq!(allowed(">=3.14", &py), Vec::<String>::new());
    }

    #[test]
    fn node_ranges() {
        let node = ["24", "22", "20"];
        assert_eq!(allowed(">=20", &node), ["24", "22", "20"]);
        assert_eq!(allowed("^20.11", &node), ["20"]);
        assert_eq!(allowed("^22", &node), ["22"]);
        assert_eq!(allowed("~22.1", &node), Vec::<String>::new());
        assert_eq!(allowed("~22", &node), ["22"]);
        assert_eq!(allowed("22.x", &node), ["22"]);
        assert_eq!(allowed(">=18 <23", &node), ["22", "20"]);
        assert_eq!(allowed("^20 || ^24", &node), ["24", "20"]);
        assert_eq!(allowed("*", &node), ["24", "22", "20"]);
    }

    #[test]
    fn exact_versions_are_not_requirements() {
        for v in ["3.12", "22", "v22.1.0", "3.12.4"] {
            assert_eq!(Requirement::parse(v), None, "{v}");
        }
        assert_eq!(Requirement::parse(">=banana"), None);
    }
}
