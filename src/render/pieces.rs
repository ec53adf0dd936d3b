//! A document template cut into pieces that are compiled and rendered one after another.
//!
//! Why: the template engine records the line and column of every element it compiles by
//! counting from the start of the template each time, so compiling a template costs the
//! square of its length. The built-in `plan.md` alone took about 60% of a one-feature run.
//! Pieces of about [`PIECE`] bytes cost a fraction of that and render to the same text.
//!
//! A cut is made only where rendering the pieces one after another and joining the output
//! is the same as rendering the whole: at the start of a line, outside every tag, with no
//! whitespace control (`~`) reaching over the cut, and either outside every block
//! (`{{#…}}` … `{{/…}}`) or only inside blocks that can be closed and opened again without
//! changing the output: `{{#if}}`, `{{#unless}}` and `{{#with}}` (never `{{#each}}`, whose
//! body repeats), each opened by a one-line tag without `~` standing alone on its line, and
//! with no `{{else}}` of its own before the cut. A cut inside such blocks ends the piece with
//! their closing tags and starts the next one with their opening tags as written, each on a
//! line of its own, so the engine's standalone-line rule drops those lines from the output.
//! A template with a construct this scanner does not follow (comments, raw blocks, inline
//! partials, inverse blocks) or whose blocks do not match stays in one piece. Each piece
//! knows the template lines it comes from ([`Lines`]), so an error in a workspace's override
//! is still reported at its own line.

use std::borrow::Cow;

/// The size a piece grows to before a cut is looked for.
pub const PIECE: usize = 1024;

/// Blocks that render their body at most once, in the context the tag gives: closing one at
/// the end of a piece and opening it again at the start of the next leaves the output as is.
const REOPENABLE: &[&str] = &["if", "unless", "with"];

/// One piece: its text and where its lines come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: Cow<'a, str>,
    pub lines: Lines,
}

/// Where the lines of a piece come from in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    /// The 1-based template line the piece's own text starts on (after the re-opened tags).
    pub first_line: usize,
    /// The template line of each block opening repeated at the start of the piece,
    /// outermost first; each takes one line of the piece.
    pub reopened: Vec<usize>,
}

impl Lines {
    /// The template line of a 1-based line of the piece.
    pub fn line(&self, in_piece: usize) -> usize {
        let in_piece = in_piece.max(1);
        match self.reopened.get(in_piece - 1) {
            Some(&opening) => opening,
            None => self.first_line + (in_piece - 1 - self.reopened.len()),
        }
    }
}

/// A block open at the current line of the scan.
struct Open<'a> {
    name: &'a str,
    /// The opening tag, when the block may be closed and opened again at a cut.
    reopen: Option<&'a str>,
    line: usize,
}

/// What a tag of the template (its text from `{{` to `}}`) does to blocks.
enum Tag<'a> {
    Open(&'a str),
    Close(&'a str),
    Else,
    Other,
}

fn tag_kind(tag: &str) -> Tag<'_> {
    let inner = tag[2..tag.len() - 2].trim_start_matches('~');
    let inner = inner.trim_end_matches('~').trim();
    let word = |s: &'static str| -> Option<&str> {
        inner
            .strip_prefix(s)
            .map(|r| r.split(|c: char| c.is_whitespace()).next().unwrap_or(""))
    };
    if let Some(name) = word("#") {
        Tag::Open(name)
    } else if let Some(name) = word("/") {
        Tag::Close(name)
    } else if inner == "else" || inner.starts_with("else ") || inner.starts_with("else\n") {
        Tag::Else
    } else {
        Tag::Other
    }
}

/// The pieces of `template`, in order. Without the re-opened tags and the closing tags
/// added at a cut, their texts joined are the template.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let whole = || {
        vec![Piece {
            text: Cow::Borrowed(template),
            lines: Lines {
                first_line: 1,
                reopened: Vec::new(),
            },
        }]
    };
    // Constructs whose extent this scanner does not track: a comment or a raw block may hold
    // braces that are not tags; an inline partial or an inverse block opens without `{{#`.
    if ["{{!", "{{~!", "{{{{", "{{#*", "{{~#*", "{{#>", "{{~#>", "{{^", "{{~^"]
        .iter()
        .any(|c| template.contains(c))
    {
        return whole();
    }
    let mut out = Vec::new();
    // The piece being built: where its own text starts, and the blocks it re-opens.
    let (mut start, mut start_line) = (0, 1);
    let mut reopened: Vec<usize> = Vec::new();
    let mut reopen_text = String::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut open_tags = 0i64;
    let mut offset = 0;
    let mut lines = template.split_inclusive('\n').enumerate().peekable();
    // Tags are read from where the last one ended, so a tag over several lines is one tag.
    let mut tag_from = 0;
    while let Some((i, line)) = lines.next() {
        let line_start = offset;
        offset += line.len();
        while let Some(at) = template
            .get(tag_from..offset)
            .and_then(|rest| rest.find("{{"))
            .map(|a| a + tag_from)
        {
            let Some(end) = template[at + 2..].find("}}").map(|e| at + 2 + e + 2) else {
                return whole();
            };
            tag_from = end;
            let tag = &template[at..end];
            match tag_kind(tag) {
                Tag::Open(name) => {
                    let alone = line.trim() == tag && at >= line_start && end <= offset;
                    let plain = !tag.contains('~') && !tag.contains('\n');
                    let reopen = (REOPENABLE.contains(&name) && alone && plain).then_some(tag);
                    stack.push(Open {
                        name,
                        reopen,
                        line: i + 1,
                    });
                }
                Tag::Close(name) => match stack.pop() {
                    Some(open) if open.name == name => {}
                    // Unmatched: let the engine see (and report) the template whole.
                    _ => return whole(),
                },
                Tag::Else => {
                    if let Some(open) = stack.last_mut() {
                        open.reopen = None;
                    }
                }
                Tag::Other => {}
            }
        }
        open_tags += line.matches("{{").count() as i64 - line.matches("}}").count() as i64;
        if lines.peek().is_none() {
            break;
        }
        // `~` takes every white space next to its tag, blank lines included.
        let can_cut = stack.iter().all(|o| o.reopen.is_some())
            && open_tags == 0
            && tag_from <= offset
            && line.ends_with('\n')
            && !template[..offset].trim_end().ends_with("~}}")
            && !template[offset..].trim_start().starts_with("{{~");
        if can_cut && offset - start >= PIECE {
            let closing: String = stack.iter().rev().map(|o| format!("{{{{/{}}}}}\n", o.name)).collect();
            out.push(Piece {
                text: with_tags(&reopen_text, &template[start..offset], &closing),
                lines: Lines {
                    first_line: start_line,
                    reopened: std::mem::take(&mut reopened),
                },
            });
            reopened = stack.iter().map(|o| o.line).collect();
            reopen_text = stack
                .iter()
                .map(|o| format!("{}\n", o.reopen.unwrap_or_default()))
                .collect();
            start = offset;
            start_line = i + 2;
        }
    }
    if !stack.is_empty() || open_tags != 0 {
        // Unbalanced: let the engine see (and report) the template whole.
        return whole();
    }
    out.push(Piece {
        text: with_tags(&reopen_text, &template[start..], ""),
        lines: Lines {
            first_line: start_line,
            reopened,
        },
    });
    out
}

/// A piece's text: the re-opened tags, its own text, the closing tags.
fn with_tags<'a>(opening: &str, text: &'a str, closing: &str) -> Cow<'a, str> {
    if opening.is_empty() && closing.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{opening}{text}{closing}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A piece's own text: without the tags re-opened at its start and the `closing` tags
    /// added at its end.
    fn own<'p>(p: &'p Piece, closing: usize) -> &'p str {
        let mut t: &str = &p.text;
        for _ in &p.lines.reopened {
            t = &t[t.find('\n').unwrap() + 1..];
        }
        for _ in 0..closing {
            t = &t[..t[..t.len() - 1].rfind('\n').map_or(0, |e| e + 1)];
        }
        t
    }

    /// The own texts of the pieces, checking what was added around them on the way.
    fn owns<'p>(template: &str, p: &'p [Piece]) -> Vec<&'p str> {
        let lines: Vec<&str> = template.lines().collect();
        let mut out = Vec::new();
        for (i, piece) in p.iter().enumerate() {
            let closing = p.get(i + 1).map_or(0, |n| n.lines.reopened.len());
            let text = own(piece, closing);
            // Re-opened tags are the template's opening tags, outermost first, one a line.
            let added: Vec<&str> = piece.text.lines().take(piece.lines.reopened.len()).collect();
            let opened: Vec<&str> = piece.lines.reopened.iter().map(|l| lines[l - 1].trim()).collect();
            assert_eq!(added, opened, "piece {i}");
            assert!(added.iter().all(|t| t.starts_with("{{#")), "{added:?}");
            // Closing tags close them again, innermost first.
            if let Some(next) = p.get(i + 1) {
                let end = text.as_ptr() as usize - piece.text.as_ptr() as usize + text.len();
                let closers: Vec<&str> = piece.text[end..].lines().collect();
                let expected: Vec<String> = next
                    .lines
                    .reopened
                    .iter()
                    .rev()
                    .map(|l| {
                        format!(
                            "{{{{/{}}}}}",
                            lines[l - 1].trim()[3..]
                                .split(' ')
                                .next()
                                .unwrap()
                                .trim_end_matches("}}")
                        )
                    })
                    .collect();
                assert_eq!(closers, expected, "piece {i}");
            }
            out.push(text);
        }
        out
    }

    /// Render `template` whole, and piece by piece with the outputs joined.
    fn both(template: &str, data: &Value, strict: bool) -> (Result<String, String>, Result<String, String>) {
        let mut hb = super::super::registry();
        hb.set_strict_mode(strict);
        let whole = hb
            .register_template_string("whole", template)
            .map_err(|e| e.to_string())
            .and_then(|_| hb.render("whole", data).map_err(|e| e.to_string()));
        let mut piecewise = Ok(String::new());
        for (i, p) in pieces(template).iter().enumerate() {
            let name = format!("piece{i}");
            let r = hb
                .register_template_string(&name, &p.text)
                .map_err(|e| e.to_string())
                .and_then(|_| hb.render(&name, data).map_err(|e| e.to_string()));
            piecewise = piecewise.and_then(|mut s| {
                r.map(|r| {
                    s.push_str(&r);
                    s
                })
            });
        }
        (whole, piecewise)
    }

    fn long(word: &str) -> String {
        format!("{word} a text line that is long enough to pass the piece size soon\n").repeat(20)
    }

    #[test]
    fn pieces_are_the_template_with_blocks_closed_and_reopened_at_each_cut() {
        for doc in super::super::DOCUMENTS {
            let p = pieces(doc.builtin);
            let owns = owns(doc.builtin, &p);
            assert_eq!(owns.concat(), doc.builtin, "{}", doc.name);
            let mut at = 0;
            for (piece, own) in p.iter().zip(&owns) {
                assert_eq!(doc.builtin[..at].matches('\n').count() + 1, piece.lines.first_line);
                at += own.len();
                // A piece is borrowed unless blocks are closed or re-opened in it.
                assert_eq!(matches!(piece.text, Cow::Borrowed(_)), piece.text.len() == own.len());
            }
        }
        // The large built-in documents are in fact cut, also inside blocks, and no piece is
        // much larger than the size looked for.
        for doc in super::super::DOCUMENTS {
            let p = pieces(doc.builtin);
            let largest = p.iter().map(|p| p.text.len()).max().unwrap();
            assert!(largest < 3 * PIECE, "{}: {largest}", doc.name);
        }
        assert!(pieces(super::super::DOCUMENTS[0].builtin).len() > 5);
        assert!(
            super::super::DOCUMENTS
                .iter()
                .any(|d| pieces(d.builtin).iter().any(|p| !p.lines.reopened.is_empty()))
        );
    }

    #[test]
    fn no_cut_inside_a_block_a_tag_or_whitespace_control() {
        let body = long("text");
        let each = format!("{{{{#each a}}}}\n{body}{{{{/each}}}}\n{body}");
        // An `each` is never split: its opening and closing tags are in the same piece.
        let p = pieces(&each);
        assert!(p.len() > 1);
        assert!(
            p[0].text.contains("{{#each a}}") && p[0].text.contains("{{/each}}"),
            "{p:?}"
        );
        assert!(p.iter().all(|p| p.lines.reopened.is_empty()));
        // Nor an `if` inside an `each`, nor a block opened with other text on its line, over
        // several lines or with whitespace control, nor one whose `{{else}}` came already.
        for t in [
            format!("{{{{#each a}}}}\n{{{{#if b}}}}\n{body}{{{{/if}}}}\n{{{{/each}}}}\n{body}"),
            format!("x {{{{#if a}}}}\n{body}{{{{/if}}}}\n{body}"),
            format!("{{{{#if\n a}}}}\n{body}{{{{/if}}}}\n{body}"),
            format!("{{{{#if a~}}}}\n{body}{{{{/if}}}}\n{body}"),
            format!("{{{{~#if a}}}}\n{body}{{{{/if}}}}\n{body}"),
            format!("{{{{#if a}}}}\nx\n{{{{else}}}}\n{body}{{{{/if}}}}\n{body}"),
            format!("{{{{#with a}}}}\nx\n{{{{else if b}}}}\n{body}{{{{/with}}}}\n{body}"),
            format!("{{{{#lookup a}}}}\n{body}{{{{/lookup}}}}\n{body}"),
        ] {
            let p = pieces(&t);
            assert!(p.len() > 1, "{t}");
            assert!(p.iter().all(|p| p.lines.reopened.is_empty()), "{t}");
            let opened = p[0].text.matches("{{#").count() + p[0].text.matches("{{~#").count();
            assert_eq!(p[0].text.matches("{{/").count(), opened, "{t}");
        }
        // An `{{else}}` of a nested block closed before the cut does not stop it.
        let nested =
            format!("{{{{#if a}}}}\n{{{{#if b}}}}\nx\n{{{{else}}}}\ny\n{{{{/if}}}}\n{body}{{{{/if}}}}\n{body}");
        let p = pieces(&nested);
        assert_eq!(p[1].lines.reopened, vec![1], "{p:?}");
        // After an `{{else}}` of the open block, the cut waits until it is closed.
        let late = format!("{{{{#if a}}}}\n{body}{{{{else}}}}\n{body}{{{{/if}}}}\n{body}");
        let p = pieces(&late);
        assert_eq!(p[1].lines.reopened, vec![1]);
        assert!(
            p[1].text.contains("{{else}}") && p[1].text.ends_with("{{/if}}\n"),
            "{p:?}"
        );
        assert!(p[2..].iter().all(|p| p.lines.reopened.is_empty()));

        let tilde = format!("{body}{{{{~x}}}}\n");
        assert!(pieces(&tilde).iter().all(|p| !p.text.starts_with("{{~")));
        let trailing = format!("{body}a {{{{x~}}}}\n{body}");
        for w in pieces(&trailing).windows(2) {
            assert!(!w[0].text.trim_end().ends_with("~}}"));
        }
        let multi_line_tag = format!("{body}{{{{x\n}}}}\n{body}");
        for p in pieces(&multi_line_tag) {
            assert_eq!(p.text.matches("{{").count(), p.text.matches("}}").count());
        }
    }

    #[test]
    fn whitespace_control_reaching_over_blank_lines_is_not_cut() {
        let (long_line, body) = ("y".repeat(PIECE + 10), long("text"));
        for t in [
            format!("{long_line}{{{{x~}}}}\n\n  \n{body}"),
            format!("{long_line}\n\n  \n{{{{~x}}}} b\n{body}"),
            format!("{{{{#if a}}}}\n{long_line}{{{{x~}}}}\n\n{body}{{{{/if}}}}\n"),
        ] {
            let data = json!({"x": "X", "a": true});
            let (whole, piecewise) = both(&t, &data, true);
            assert!(whole.is_ok(), "{whole:?}");
            assert_eq!(whole, piecewise);
            assert!(pieces(&t).len() > 1);
        }
    }

    #[test]
    fn unknown_constructs_and_unbalanced_templates_stay_whole() {
        let body = "long enough text line for more than one piece\n".repeat(60);
        for odd in [
            "{{! a comment }}\n",
            "{{{{raw}}}}{{x}}{{{{/raw}}}}\n",
            "{{^if a}}\n",
            "{{#if a}}\n",
            "{{#if a}}\n{{/with}}\n",
            "{{/if}}\n",
            "{{x\n",
        ] {
            let t = format!("{body}{odd}{body}");
            assert_eq!(pieces(&t).len(), 1, "{odd}");
        }
        assert!(pieces(&body).len() > 1);
    }

    #[test]
    fn piecewise_rendering_equals_whole_on_nested_blocks_and_every_value() {
        let (l1, l2, l3) = (long("one"), long("two"), long("three"));
        let template = format!(
            "# Title {{{{t}}}}\n{l1}{{{{#if a}}}}\nA {{{{t}}}}\n{l2}  {{{{#with w}}}}\n{{{{#each xs}}}}\n- {{{{this}}}} {{{{../n}}}}\n{{{{/each}}}}\n\
             {l3}{{{{#unless b}}}}\n  not b {{{{../t}}}}\n{l1}{{{{#if (eq n 1)}}}}\none\n{{{{else}}}}\nother\n{{{{/if}}}}\n{l2}{{{{/unless}}}}\n\
             {l3}{{{{else}}}}\nno w\n{l1}  {{{{/with}}}}\n{l2}{{{{else}}}}\nnot a\n{l3}{{{{/if}}}}\nend\n\n{{{{#with w as |v|}}}}\n{l1}{{{{v.n}}}}\n{l2}{{{{/with}}}}\ntail"
        );
        let p = pieces(&template);
        assert!(p.iter().filter(|p| !p.lines.reopened.is_empty()).count() >= 4, "{p:?}");
        assert!(p.iter().any(|p| p.lines.reopened.len() >= 3), "{p:?}");
        let values = [None, Some(json!(true)), Some(json!(false)), Some(json!(""))];
        let withs = [
            None,
            Some(json!({"xs": ["p", "q"], "n": 1})),
            Some(json!({"xs": [], "n": 2})),
            Some(json!(null)),
        ];
        let mut rendered = 0;
        for a in &values {
            for b in &values {
                for w in &withs {
                    let mut data = json!({"t": "T", "n": 7});
                    for (k, v) in [("a", a), ("b", b), ("w", w)] {
                        if let Some(v) = v {
                            data[k] = v.clone();
                        }
                    }
                    for strict in [false, true] {
                        let (whole, piecewise) = both(&template, &data, strict);
                        match (&whole, &piecewise) {
                            (Ok(w), Ok(p)) => {
                                assert_eq!(w, p, "{data} strict {strict}");
                                rendered += 1;
                            }
                            (Err(_), Err(_)) => {}
                            _ => panic!("{data} strict {strict}: {whole:?} / {piecewise:?}"),
                        }
                    }
                }
            }
        }
        assert!(rendered > 64, "{rendered}");
    }

    #[test]
    fn piecewise_rendering_equals_whole_for_the_documents_of_the_workspaces() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut roots = vec![root.to_path_buf()];
        let mut ws: Vec<_> = std::fs::read_dir(root.join("tests/workspaces"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        ws.sort();
        roots.extend(ws);
        let mut compared = 0;
        for r in roots {
            let c = crate::compile(&r, &crate::load::Selection::All, &crate::Options::default()).unwrap();
            for f in &c.features {
                let (Some(plan), Some(report)) = (&f.plan, &f.report) else {
                    continue;
                };
                let files: Vec<String> = f.tree.files().map(|(p, _)| p.clone()).collect();
                let ctx = super::super::Context::new(plan, report, "out/x", &files);
                let data = serde_json::to_value(&ctx).unwrap();
                for doc in super::super::DOCUMENTS {
                    let (whole, piecewise) = both(doc.builtin, &data, true);
                    assert_eq!(whole, piecewise, "{} {}", r.display(), doc.name);
                    assert!(whole.is_ok(), "{whole:?}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 50, "{compared}");
    }

    #[test]
    fn an_error_in_a_piece_is_reported_at_its_line_in_the_template() {
        let body = long("text");
        let lines_before = |s: &str| s.matches('\n').count();
        // A compile error and a render error (strict mode) deep inside re-opened blocks.
        let head = format!("{{{{#if a}}}}\n{{{{#with w}}}}\n{body}{body}");
        for (bad, compile) in [("{{x y=}}", true), ("{{missing}}", false)] {
            let t = format!("{head}ok {bad}\n{body}{{{{/with}}}}\n{{{{/if}}}}\n");
            let line = lines_before(&head) + 1;
            let mut hb = super::super::registry();
            let data = json!({"a": true, "w": {"v": 1}});
            let mut found = None;
            for (i, p) in pieces(&t).iter().enumerate() {
                let name = format!("p{i}");
                let at = match hb.register_template_string(&name, &p.text) {
                    Err(e) => Some(e.pos().unwrap().0),
                    Ok(()) => hb.render(&name, &data).err().map(|e| e.line_no.unwrap()),
                };
                if let Some(at) = at {
                    assert_eq!(p.lines.reopened, vec![1, 2], "{bad}");
                    found = Some(p.lines.line(at));
                    break;
                }
            }
            assert_eq!(found, Some(line), "{bad} compile {compile}");
        }
        // Lines of the re-opened tags map to the opening tags; nothing underflows.
        let l = Lines {
            first_line: 40,
            reopened: vec![3, 7],
        };
        assert_eq!(
            [l.line(0), l.line(1), l.line(2), l.line(3), l.line(5)],
            [3, 3, 7, 40, 42]
        );
    }

    #[test]
    fn an_error_in_an_override_is_reported_at_its_line() {
        use crate::source::Sources;
        let body = long("text");
        let head = format!("{{{{#if plan}}}}\n{{{{#with plan}}}}\n{body}{body}");
        let t = format!("{head}bad {{{{x y=}}}}\n{body}{{{{/with}}}}\n{{{{/if}}}}\n");
        let mut sources = Sources::default();
        let id = sources.add("templates/plan.md".into(), t.clone());
        let overrides = std::collections::BTreeMap::from([("plan.md".to_string(), id)]);
        let r = super::super::Renderer::new(&super::super::Templates {
            overrides: &overrides,
            sources: &sources,
        });
        let d = &r.broken["plan.md"];
        let Some(crate::diagnostics::Location::Span(span)) = &d.location else {
            panic!("{d:?}")
        };
        assert_eq!(
            sources.get(id).line_of(span.range.start),
            head.matches('\n').count() + 1
        );
        assert!(pieces(&t).iter().any(|p| p.lines.reopened == vec![1, 2]));
    }
}
