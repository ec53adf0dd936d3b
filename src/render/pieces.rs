//! A document template cut into pieces that are compiled and rendered one after another.
//!
//! Why: the template engine records the line and column of every element it compiles by
//! counting from the start of the template each time, so compiling a template costs the
//! square of its length. The built-in `plan.md` alone took about 60% of a one-feature run.
//! Pieces of about [`PIECE`] bytes cost a fraction of that and render to the same text.
//!
//! A cut is made only where rendering the pieces one after another and joining the output
//! is the same as rendering the whole: at the start of a line, outside every block
//! (`{{#…}}` … `{{/…}}`) and every tag, and with no whitespace control (`~`) reaching over the
//! cut. A template with a construct this scanner does not follow (comments, raw blocks,
//! inline partials, inverse blocks) stays in one piece. Each piece remembers the line it
//! starts on, so an error in a workspace's override is still reported at its own line.

/// The size a piece grows to before a cut is looked for.
pub const PIECE: usize = 1024;

/// One piece: its text and the 1-based line of the template it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

/// The pieces of `template`, in order; their texts joined are the template.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let whole = || {
        vec![Piece {
            text: template,
            first_line: 1,
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
    let (mut start, mut start_line) = (0, 1);
    let (mut depth, mut open_tags) = (0i64, 0i64);
    let mut offset = 0;
    let mut lines = template.split_inclusive('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        offset += line.len();
        depth += (line.matches("{{#").count() + line.matches("{{~#").count()) as i64;
        depth -= (line.matches("{{/").count() + line.matches("{{~/").count()) as i64;
        open_tags += line.matches("{{").count() as i64 - line.matches("}}").count() as i64;
        let Some((_, next)) = lines.peek() else { break };
        let can_cut = depth == 0
            && open_tags == 0
            && line.ends_with('\n')
            && !line.trim_end().ends_with("~}}")
            && !next.trim_start().starts_with("{{~");
        if can_cut && offset - start >= PIECE {
            out.push(Piece {
                text: &template[start..offset],
                first_line: start_line,
            });
            start = offset;
            start_line = i + 2;
        }
    }
    if depth != 0 || open_tags != 0 {
        // Unbalanced: let the engine see (and report) the template whole.
        return whole();
    }
    out.push(Piece {
        text: &template[start..],
        first_line: start_line,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(p: &[Piece]) -> String {
        p.iter().map(|p| p.text).collect()
    }

    #[test]
    fn pieces_join_to_the_template_and_start_on_their_lines() {
        for doc in super::super::DOCUMENTS {
            let p = pieces(doc.builtin);
            assert_eq!(joined(&p), doc.builtin, "{}", doc.name);
            for piece in &p {
                let at = piece.text.as_ptr() as usize - doc.builtin.as_ptr() as usize;
                assert_eq!(doc.builtin[..at].matches('\n').count() + 1, piece.first_line);
            }
        }
        // The large built-in documents are in fact cut.
        assert!(pieces(super::super::DOCUMENTS[0].builtin).len() > 5);
    }

    #[test]
    fn no_cut_inside_a_block_a_tag_or_whitespace_control() {
        let body = "text line that is long enough to pass the piece size\n".repeat(30);
        let inside = format!("{{{{#if a}}}}\n{body}{{{{/if}}}}\n{body}");
        // The block is never split: its opening and closing tags are in the same piece.
        let p = pieces(&inside);
        assert!(p.len() > 1);
        assert!(
            p[0].text.contains("{{#if a}}") && p[0].text.contains("{{/if}}"),
            "{p:?}"
        );
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
    fn unknown_constructs_and_unbalanced_templates_stay_whole() {
        let body = "long enough text line for more than one piece\n".repeat(60);
        for odd in [
            "{{! a comment }}\n",
            "{{{{raw}}}}{{x}}{{{{/raw}}}}\n",
            "{{^if a}}\n",
            "{{#if a}}\n",
        ] {
            let t = format!("{body}{odd}{body}");
            assert_eq!(pieces(&t).len(), 1, "{odd}");
        }
        assert!(pieces(&body).len() > 1);
    }
}
