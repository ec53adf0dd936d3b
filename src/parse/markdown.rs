//! Markdown to a small block tree with byte spans.
//!
//! spec-kit documents are Markdown written by people and agents, so the parsers above this
//! one match on structure (headings, bullets, bold labels) rather than on exact text. This
//! layer turns pulldown-cmark's event stream into exactly that structure: sections nested by
//! heading level, each holding paragraphs, lists, code blocks and tables, every piece with
//! the byte range it came from so a diagnostic can point at it.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Inline content flattened to plain text, plus the byte range of its Markdown source.
///
/// Soft line breaks are kept as `\n` so line-oriented input ("Key: value" lines in one
/// paragraph) survives; emphasis and links are dropped, inline code keeps its content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub plain: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The item's own text (its first paragraph); nested blocks are in `children`.
    pub text: Text,
    pub children: Vec<Block>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub ordered: bool,
    pub items: Vec<Item>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        text: Text,
    },
    Paragraph(Text),
    List(List),
    Code {
        info: String,
        text: String,
        span: Range<usize>,
    },
    Table {
        rows: Vec<Vec<String>>,
        span: Range<usize>,
    },
    /// HTML blocks, rules, block quotes and anything else kept only for its position.
    Other {
        span: Range<usize>,
    },
}

impl Block {
    pub fn span(&self) -> Range<usize> {
        match self {
            Block::Heading { text, .. } | Block::Paragraph(text) => text.span.clone(),
            Block::List(l) => l.span.clone(),
            Block::Code { span, .. } | Block::Table { span, .. } | Block::Other { span } => span.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub level: u8,
    pub title: Text,
    /// [`normalize_title`] of the title, computed once: parsers look sections up by it
    /// again and again.
    normalized: String,
    pub blocks: Vec<Block>,
    pub children: Vec<Section>,
    /// From the heading to the start of the next heading of the same or a higher level.
    pub span: Range<usize>,
}

impl Section {
    /// The title in the form parsers compare: see [`normalize_title`].
    pub fn key(&self) -> &str {
        &self.normalized
    }

    /// The first direct child whose normalised title is one of `names`.
    pub fn child(&self, names: &[&str]) -> Option<&Section> {
        self.children.iter().find(|s| names.contains(&s.key()))
    }

    /// This section and every section below it, depth first.
    pub fn walk(&self) -> Vec<&Section> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Blocks before the first heading.
    pub preamble: Vec<Block>,
    pub sections: Vec<Section>,
}

impl Document {
    /// Every section in document order.
    pub fn walk(&self) -> Vec<&Section> {
        self.sections.iter().flat_map(|s| s.walk()).collect()
    }

    /// The first section anywhere in the document whose normalised title is one of `names`.
    pub fn find(&self, names: &[&str]) -> Option<&Section> {
        self.walk().into_iter().find(|s| names.contains(&s.key()))
    }
}

/// Lower case, parenthesised remarks such as `*(mandatory)*` removed, punctuation at the
/// ends trimmed and inner whitespace collapsed: `User Scenarios & Testing *(mandatory)*`
/// becomes `user scenarios & testing`.
pub fn normalize_title(title: &str) -> String {
    // A translated template's titles read as the English ones (`需求` is `requirements`).
    let title = super::locale::english(title);
    let mut out = String::new();
    let mut depth = 0usize;
    for ch in title.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    words
        .join(" ")
        .trim_matches(|c: char| c == ':' || c == '*' || c == '_' || c.is_whitespace())
        .to_lowercase()
}

/// Parse Markdown into sections. Never fails: any text is some document.
pub fn parse(text: &str) -> Document {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(text, opts).into_offset_iter().collect();
    let mut pos = 0;
    let blocks = blocks(&events, &mut pos, text);
    sectionize(blocks, text.len())
}

fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let slice = &text[span.clone()];
    let start = span.start + (slice.len() - slice.trim_start().len());
    let end = span.start + slice.trim_end().len();
    start..end.max(start)
}

/// Read blocks until the end tag of the enclosing container (or the end of the stream).
fn blocks(events: &[(Event, Range<usize>)], pos: &mut usize, src: &str) -> Vec<Block> {
    let mut out = Vec::new();
    while *pos < events.len() {
        let (event, range) = &events[*pos];
        match event {
            Event::End(_) => return out,
            Event::Start(tag) if !is_inline_tag(tag) => {
                *pos += 1;
                let block = match tag {
                    Tag::Heading { level, .. } => {
                        let mut text = inline(events, pos, src);
                        text.span = trim_span(src, range.clone());
                        Block::Heading {
                            level: *level as u8,
                            text,
                        }
                    }
                    Tag::Paragraph => {
                        let mut text = inline(events, pos, src);
                        text.span = trim_span(src, range.clone());
                        Block::Paragraph(text)
                    }
                    Tag::List(start) => {
                        let items = items(events, pos, src);
                        Block::List(List {
                            ordered: start.is_some(),
                            items,
                            span: trim_span(src, range.clone()),
                        })
                    }
                    Tag::CodeBlock(kind) => {
                        let info = match kind {
                            CodeBlockKind::Fenced(info) => info.to_string(),
                            CodeBlockKind::Indented => String::new(),
                        };
                        let text = inline(events, pos, src).plain;
                        Block::Code {
                            info,
                            text,
                            span: trim_span(src, range.clone()),
                        }
                    }
                    Tag::Table(_) => {
                        let rows = table(events, pos, src);
                        Block::Table {
                            rows,
                            span: trim_span(src, range.clone()),
                        }
                    }
                    _ => {
                        skip(events, pos);
                        Block::Other {
                            span: trim_span(src, range.clone()),
                        }
                    }
                };
                // Consume the matching end tag.
                *pos += 1;
                out.push(block);
            }
            Event::Rule | Event::Html(_) => {
                out.push(Block::Other {
                    span: trim_span(src, range.clone()),
                });
                *pos += 1;
            }
            Event::Text(_)
            | Event::Code(_)
            | Event::Start(_)
            | Event::InlineHtml(_)
            | Event::SoftBreak
            | Event::HardBreak => {
                // Text straight inside a container (a tight list item): a paragraph of its own.
                let start = range.start;
                let mut text = inline(events, pos, src);
                let end = events.get(pos.saturating_sub(1)).map(|(_, r)| r.end).unwrap_or(start);
                text.span = trim_span(src, start..end.max(start));
                out.push(Block::Paragraph(text));
            }
            _ => *pos += 1,
        }
    }
    out
}

/// Skip to (not past) the end tag that closes the container just opened.
fn skip(events: &[(Event, Range<usize>)], pos: &mut usize) {
    let mut depth = 0usize;
    while *pos < events.len() {
        match &events[*pos].0 {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        *pos += 1;
    }
}

fn is_inline_tag(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Collect inline events into plain text, stopping before the first block-level event.
fn inline(events: &[(Event, Range<usize>)], pos: &mut usize, _src: &str) -> Text {
    let mut plain = String::new();
    let mut span: Option<Range<usize>> = None;
    while *pos < events.len() {
        let (event, range) = &events[*pos];
        match event {
            Event::Text(t) => plain.push_str(t),
            Event::Code(t) => plain.push_str(t),
            Event::SoftBreak => plain.push('\n'),
            Event::HardBreak => plain.push('\n'),
            Event::InlineHtml(_) | Event::InlineMath(_) | Event::FootnoteReference(_) => {}
            Event::TaskListMarker(done) => plain.push_str(if *done { "[x] " } else { "[ ] " }),
            Event::Start(tag) if is_inline_tag(tag) => {}
            Event::End(tag) if is_inline_end(tag) => {}
            _ => break,
        }
        span = Some(match span {
            None => range.clone(),
            Some(s) => s.start..range.end.max(s.end),
        });
        *pos += 1;
    }
    Text {
        plain,
        span: span.unwrap_or(0..0),
    }
}

fn items(events: &[(Event, Range<usize>)], pos: &mut usize, src: &str) -> Vec<Item> {
    let mut out = Vec::new();
    while *pos < events.len() {
        let (event, range) = &events[*pos];
        match event {
            Event::Start(Tag::Item) => {
                *pos += 1;
                let mut children = blocks(events, pos, src);
                *pos += 1; // End(Item)
                let text = match children.first() {
                    Some(Block::Paragraph(_)) => match children.remove(0) {
                        Block::Paragraph(t) => t,
                        _ => unreachable!("checked above"),
                    },
                    _ => Text {
                        plain: String::new(),
                        span: range.start..range.start,
                    },
                };
                out.push(Item {
                    text,
                    children,
                    span: trim_span(src, range.clone()),
                });
            }
            Event::End(_) => return out,
            _ => *pos += 1,
        }
    }
    out
}

fn table(events: &[(Event, Range<usize>)], pos: &mut usize, src: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut depth = 0usize;
    while *pos < events.len() {
        match &events[*pos].0 {
            Event::Start(Tag::TableCell) => {
                *pos += 1;
                let text = inline(events, pos, src);
                row.push(text.plain.trim().to_string());
                // `inline` stops at End(TableCell).
                *pos += 1;
                continue;
            }
            Event::Start(_) => depth += 1,
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                rows.push(std::mem::take(&mut row));
                depth = depth.saturating_sub(1);
            }
            Event::End(_) if depth == 0 => return rows,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        *pos += 1;
    }
    rows
}

/// Nest the flat block list into sections by heading level.
fn sectionize(blocks: Vec<Block>, len: usize) -> Document {
    let mut doc = Document::default();
    // Stack of open sections; each is attached to its parent when closed.
    let mut stack: Vec<Section> = Vec::new();

    fn close(stack: &mut Vec<Section>, doc: &mut Document, end: usize) {
        let mut s = stack.pop().expect("caller checks the stack");
        s.span.end = end;
        match stack.last_mut() {
            Some(parent) => parent.children.push(s),
            None => doc.sections.push(s),
        }
    }

    for block in blocks {
        match block {
            Block::Heading { level, text } => {
                let start = text.span.start;
                while stack.last().is_some_and(|s| s.level >= level) {
                    close(&mut stack, &mut doc, start);
                }
                stack.push(Section {
                    level,
                    span: start..len,
                    normalized: normalize_title(&text.plain),
                    title: text,
                    blocks: Vec::new(),
                    children: Vec::new(),
                });
            }
            other => match stack.last_mut() {
                Some(s) => s.blocks.push(other),
                None => doc.preamble.push(other),
            },
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut doc, len);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_nest_by_level_and_keep_spans() {
        let src = "intro\n\n# A\n\ntext\n\n## B *(mandatory)*\n\n- one\n- **two**: x\n\n# C\n";
        let doc = parse(src);
        assert_eq!(doc.preamble.len(), 1);
        assert_eq!(doc.sections.len(), 2);
        let b = &doc.sections[0].children[0];
        assert_eq!(b.key(), "b");
        let Block::List(list) = &b.blocks[0] else {
            panic!("expected a list, got {:?}", b.blocks)
        };
        assert_eq!(list.items[1].text.plain, "two: x");
        assert_eq!(&src[list.items[1].text.span.clone()], "**two**: x");
        assert_eq!(&src[b.title.span.clone()], "## B *(mandatory)*");
    }

    #[test]
    fn loose_items_keep_nested_lists_as_children() {
        let src = "- Key:\n\n  - a\n  - b\n\n- Other: c\n";
        let doc = parse(src);
        let Block::List(list) = &doc.preamble[0] else { panic!() };
        assert_eq!(list.items[0].text.plain, "Key:");
        assert!(matches!(list.items[0].children[0], Block::List(_)));
    }

    #[test]
    fn tight_items_starting_with_emphasis_keep_their_text() {
        let src = "- **FR-001**: System MUST x\n- *b* c\n";
        let doc = parse(src);
        let Block::List(list) = &doc.preamble[0] else { panic!() };
        assert_eq!(list.items[0].text.plain, "FR-001: System MUST x");
        assert_eq!(&src[list.items[0].text.span.clone()], "**FR-001**: System MUST x");
        assert_eq!(list.items[1].text.plain, "b c");
    }

    #[test]
    fn tables_become_rows_of_cells() {
        let doc = parse("| a | b |\n|---|---|\n| 1 | *2* |\n");
        let Block::Table { rows, .. } = &doc.preamble[0] else {
            panic!()
        };
        assert_eq!(
            rows,
            &vec![vec!["a".to_string(), "b".into()], vec!["1".into(), "2".into()]]
        );
    }

    #[test]
    fn normalize_title_drops_remarks_and_case() {
        assert_eq!(
            normalize_title("User Scenarios & Testing *(mandatory)*"),
            "user scenarios & testing"
        );
        assert_eq!(
            normalize_title("Key Entities *(include if feature involves data)*"),
            "key entities"
        );
        assert_eq!(normalize_title("  Edge Cases: "), "edge cases");
    }
}
