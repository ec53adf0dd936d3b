//! Line wrapping, by the `textwrap` crate: prose (the comments of the values files) and runs of
//! units that must stay whole (the words of a shell command or of a folded YAML string, the
//! arguments of a Dockerfile instruction). Widths count characters.

use textwrap::core::Fragment;
use textwrap::wrap_algorithms::wrap_first_fit;

/// The words of `text` in lines of at most `width` columns, first fit; any run of white space
/// is one break, and a word longer than a line gets a line of its own.
pub fn prose(text: &str, width: usize) -> Vec<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Most comments fit on their line: a text no longer in bytes than the width is no wider
    // in columns (no character is wider than its UTF-8 encoding), so it is its one line.
    if !text.is_empty() && text.len() <= width.max(1) {
        return vec![text];
    }
    first_fit(&text, width)
}

/// `text` (white space already made single spaces) wrapped by textwrap.
fn first_fit(text: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width.max(1))
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.into_owned())
        .collect()
}

/// A unit that stays whole, followed by one space when a unit follows it on its line.
#[derive(Debug)]
struct Unit<'a>(&'a str);

impl Fragment for Unit<'_> {
    fn width(&self) -> f64 {
        self.0.chars().count() as f64
    }
    fn whitespace_width(&self) -> f64 {
        1.0
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// `units` in lines, first fit: the first line holds at most `first` characters and every
/// other line at most `rest`; a unit longer than its line gets a line of its own. The units of
/// a line are joined by one space.
pub fn units<S: AsRef<str>>(units: &[S], first: usize, rest: usize) -> Vec<String> {
    let fragments: Vec<Unit> = units.iter().map(|u| Unit(u.as_ref())).collect();
    wrap_first_fit(&fragments, &[first as f64, rest as f64])
        .iter()
        .map(|line| line.iter().map(|u| u.0).collect::<Vec<_>>().join(" "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_spaces_and_keeps_long_words_whole() {
        let lines = prose(&"word ".repeat(50), 40);
        assert!(lines.len() > 5 && lines.iter().all(|l| l.len() <= 40), "{lines:?}");
        assert_eq!(prose("a  b\n c", 80), ["a b c"]);
        assert_eq!(
            prose("short averyveryverylongword end", 10),
            ["short", "averyveryverylongword", "end"]
        );
        assert_eq!(prose("", 10), [""]);
        // Hyphenated words stay whole: a comment's paths and names are copied from it.
        assert_eq!(prose("key redis-password", 12), ["key", "redis-password"]);
    }

    /// The short-text path answers what textwrap answers, wide and combining characters
    /// included.
    #[test]
    fn short_texts_are_wrapped_as_textwrap_wraps_them() {
        for text in [
            "a",
            "deploy the chart",
            "日本語のテキスト 幅",
            "e\u{301}te\u{301} cafe\u{301}",
            "x  y\tz",
        ] {
            let single = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for width in 0..40 {
                assert_eq!(prose(text, width), first_fit(&single, width), "{text:?} at {width}");
            }
        }
    }

    #[test]
    fn units_fill_the_first_line_then_the_others() {
        assert_eq!(units(&["aaaa", "bb", "cc", "dd"], 7, 5), ["aaaa bb", "cc dd"]);
        assert_eq!(units(&["toolong", "x"], 3, 3), ["toolong", "x"]);
        assert_eq!(units(&["a b", "c"], 3, 3), ["a b", "c"]);
    }
}
