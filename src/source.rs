//! The source table: every input file the run read, addressed by a small id.
//!
//! Parsers and diagnostics refer to text by `(SourceId, byte range)` instead of holding
//! borrowed strings, so the model can outlive the parse and a diagnostic can be rendered
//! long after the stage that raised it. Only [`crate::load`] adds files here.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct SourceId(u32);

impl SourceId {
    /// The id of the `index`-th file added to a table, the order [`Sources::iter`] yields.
    pub fn from_index(index: u32) -> Self {
        SourceId(index)
    }
}

/// One input file: the path shown to the user (relative to the workspace root) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }

    /// The path as the user sees it, with forward slashes on every platform.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// Every file read by a run, in the order they were read.
///
/// The table is shared (`Arc`) so that a feature compiled on its own can take an
/// [`overlay`](Sources::overlay) of it at the cost of one reference count: the same table,
/// with that feature's files read into the ids reserved for them. The overlay is dropped with
/// the feature, and its texts with it, so a run over many features holds only the texts of
/// the features in flight.
#[derive(Debug, Default)]
pub struct Sources {
    files: std::sync::Arc<Vec<SourceFile>>,
    /// Files that replace the shared table's: an overlay's reads, a few per feature.
    own: Vec<(SourceId, SourceFile)>,
}

impl Sources {
    /// Add a file (loading does, before any overlay shares the table).
    pub fn add(&mut self, path: PathBuf, text: String) -> SourceId {
        let files = std::sync::Arc::make_mut(&mut self.files);
        let id = SourceId(files.len() as u32);
        files.push(SourceFile::new(path, text));
        id
    }

    /// An id for a file that is read later, into an [`overlay`](Sources::overlay): until
    /// then its text is empty. Reserving keeps the ids, and so the order diagnostics are
    /// printed in, what they are when every file is read at once.
    pub fn reserve(&mut self, path: PathBuf) -> SourceId {
        self.add(path, String::new())
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        match self.own.iter().find(|(i, _)| *i == id) {
            Some((_, f)) => f,
            None => &self.files[id.0 as usize],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        (0..self.files.len() as u32).map(|i| self.get(SourceId(i)))
    }

    /// Replace the text of a file (the secret scanner's redaction; a reserved file read).
    /// The table's own copy when no overlay shares it, else this overlay's.
    pub fn replace_text(&mut self, id: SourceId, text: String) {
        let file = SourceFile::new(self.get(id).path.clone(), text);
        if let Some(files) = std::sync::Arc::get_mut(&mut self.files)
            && !self.own.iter().any(|(i, _)| *i == id)
        {
            files[id.0 as usize] = file;
            return;
        }
        match self.own.iter_mut().find(|(i, _)| *i == id) {
            Some((_, f)) => *f = file,
            None => self.own.push((id, file)),
        }
    }

    /// This table, shared, to read reserved files into.
    pub fn overlay(&self) -> Sources {
        Sources {
            files: std::sync::Arc::clone(&self.files),
            own: self.own.clone(),
        }
    }
}

/// A place in a source file. Kept as a byte range so diagnostics can underline it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub source: SourceId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(source: SourceId, range: Range<usize>) -> Self {
        Span { source, range }
    }
}

/// Forward-slash form of a relative path, so documents are identical on every platform.
pub fn display_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            std::path::Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Whether `needle` stands in `text` as a whole word: the character before it does not satisfy
/// `joins_before` and the one after does not satisfy `joins_after` (a text's ends always
/// separate). Readers disagree on what joins a word (a hyphen inside a host name, a plural
/// `s` after a noun), so each says it; the scan itself is shared. An empty needle is no word.
pub fn has_whole_word(
    text: &str,
    needle: &str,
    joins_before: impl Fn(char) -> bool,
    joins_after: impl Fn(char) -> bool,
) -> bool {
    let (haystack, word) = (text.as_bytes(), needle.as_bytes());
    let Some(&lead) = word.first() else { return false };
    // Candidates by their first byte (memchr), then compared: no searcher is built per call,
    // which was most of the cost for the short texts and words the prose readers pass. The
    // first byte of valid UTF-8 starts a character, so every candidate is a char boundary.
    memchr::memchr_iter(lead, haystack).any(|at| {
        haystack[at..].starts_with(word)
            && text[..at].chars().next_back().is_none_or(|c| !joins_before(c))
            && text[at + word.len()..].chars().next().is_none_or(|c| !joins_after(c))
    })
}

/// The lines of `text`, each with its byte range in `text` (without its `\n` or `\r\n`):
/// for a reader that points at a line it found by its text, whatever the file's line endings.
pub fn lines_with_ranges(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let range = start..start + line.len();
        start += raw.len();
        (range, line)
    })
}

/// `path`, written in a file of folder `dir` (`/`-separated, relative to one root), as a path
/// relative to that root: `.` and empty parts dropped, `..` resolved (`../src` in `config`
/// is `src`); `""` for the root itself, `None` for a path that climbs out of it. Every
/// reader of a relative path a file writes (a tsconfig's `outDir`, a requirements file's
/// `-r`, a build script's `-f`) resolves it this one way.
pub fn join_relative(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Words of a shell command line, honouring single and double quotes (removed; nothing is
/// expanded); `None` for what a plain split cannot represent (pipes, `&&`, redirections,
/// substitutions, an unclosed quote): a start command read from a Dockerfile, a compose file
/// or package.json is used only when it is a plain list of words.
pub fn shell_words(line: &str) -> Option<Vec<String>> {
    split_words(line, true)
}

/// [`shell_words`] for a line that may hold several commands: the characters a plain split
/// cannot represent stay in their words (`2>&1` is one word), for a reader that looks for one
/// command among them (`docker build` in a script).
pub fn shell_words_lenient(line: &str) -> Vec<String> {
    split_words(line, false).unwrap_or_default()
}

fn split_words(line: &str, strict: bool) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, '|' | '&' | ';' | '<' | '>' | '`') if strict => return None,
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() && strict {
        return None;
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_point_at_their_text_with_either_line_ending() {
        for text in ["a\nbc\n\nd", "a\r\nbc\r\n\r\nd"] {
            let lines: Vec<_> = lines_with_ranges(text).collect();
            assert_eq!(lines.iter().map(|(_, l)| *l).collect::<Vec<_>>(), ["a", "bc", "", "d"]);
            for (range, line) in lines {
                assert_eq!(&text[range], line);
            }
        }
    }

    #[test]
    fn relative_paths_resolve_inside_their_root() {
        assert_eq!(join_relative("config", "../src").as_deref(), Some("src"));
        assert_eq!(join_relative("", "./a//b/").as_deref(), Some("a/b"));
        assert_eq!(join_relative(".", "a").as_deref(), Some("a"));
        assert_eq!(join_relative("a", "..").as_deref(), Some(""));
        assert_eq!(join_relative("a", "../.."), None);
    }

    #[test]
    fn shell_words_split_like_a_shell_or_refuse() {
        assert_eq!(
            shell_words("uvicorn main:app --host '0.0.0.0'"),
            Some(vec![
                "uvicorn".into(),
                "main:app".into(),
                "--host".into(),
                "0.0.0.0".into()
            ])
        );
        assert_eq!(shell_words("a && b"), None);
        assert_eq!(shell_words("echo 'open"), None);
        assert_eq!(
            shell_words_lenient("docker build -f \"$ROOT/x.Dockerfile\" . 2>&1"),
            ["docker", "build", "-f", "$ROOT/x.Dockerfile", ".", "2>&1"]
        );
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let mut s = Sources::default();
        let id = s.add("a.md".into(), "ab\n→c d\n".into());
        let f = s.get(id);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "→" is three bytes; the 'c' after it is column 2.
        assert_eq!(f.line_col(6), (2, 2));
        assert_eq!(f.line_col(100), (3, 1));
    }

    #[test]
    fn an_overlay_reads_reserved_files_without_touching_the_table() {
        let mut table = Sources::default();
        let shared = table.add("constitution.md".into(), "rules\n".into());
        let spec = table.reserve("specs/001-a/spec.md".into());
        let mut a = table.overlay();
        let mut b = table.overlay();
        a.replace_text(spec, "# A\n".into());
        b.replace_text(spec, "# B\nmore\n".into());
        assert_eq!(a.get(spec).text, "# A\n");
        assert_eq!(b.get(spec).line_of(6), 2);
        assert_eq!(table.get(spec).text, "", "the table keeps the reservation");
        assert_eq!(a.get(shared).text, "rules\n");
        assert_eq!(
            a.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
            ["rules\n", "# A\n"]
        );
        // Replaced twice (read, then redacted): the overlay's own copy changes.
        a.replace_text(spec, "# [REDACTED]\n".into());
        assert_eq!(a.get(spec).text, "# [REDACTED]\n");
        drop((a, b));
        // Alone again, the table changes its own copy.
        table.replace_text(shared, "new\n".into());
        assert_eq!(table.get(shared).text, "new\n");
    }
}
