//! Translated spec-kit templates: the Chinese one writes `## 用户场景与测试 *(必填)*`,
//! `### 用户故事 1 — 标题（优先级：P1）` and `**验收场景**：` where the English one writes
//! `## User Scenarios & Testing *(mandatory)*`, `### User Story 1 - Title (Priority: P1)` and
//! `**Acceptance Scenarios**:`, and a plan's `## 技术上下文` with `**语言/版本**：` where the
//! English one writes `## Technical Context` and `**Language/Version**:`. Headings and labels
//! (the Technical Context keys among them) are read through [`english`], so every
//! parser matches the English words only; the text itself (titles shown in diagnostics and
//! documents, requirements, scenarios) is kept as written.

use std::borrow::Cow;

/// Localized heading and label words, longest first where one contains another, with the
/// English spec-kit wording each stands for.
const PHRASES: &[(&str, &str)] = &[
    // spec.md
    ("用户场景与测试", "User Scenarios & Testing"),
    ("用户场景和测试", "User Scenarios & Testing"),
    ("用户故事", "User Story"),
    ("优先级", "Priority"),
    ("为何此优先级", "Why this priority"),
    ("为什么是这个优先级", "Why this priority"),
    ("独立测试", "Independent Test"),
    ("验收场景", "Acceptance Scenarios"),
    ("边界情况", "Edge Cases"),
    ("边缘情况", "Edge Cases"),
    ("非功能需求", "Non-Functional Requirements"),
    ("功能需求", "Functional Requirements"),
    ("需求", "Requirements"),
    ("核心数据实体", "Key Entities"),
    ("关键实体", "Key Entities"),
    ("可衡量的成功指标", "Measurable Outcomes"),
    ("可衡量的结果", "Measurable Outcomes"),
    ("成功标准", "Success Criteria"),
    ("假设", "Assumptions"),
    ("澄清", "Clarifications"),
    ("功能分支", "Feature Branch"),
    ("创建日期", "Created"),
    ("状态", "Status"),
    ("输入", "Input"),
    // plan.md (an adopted plan's Technical Context) and plan-input.md
    ("技术上下文", "Technical Context"),
    ("技术背景", "Technical Context"),
    ("摘要", "Summary"),
    ("概要", "Summary"),
    ("语言/版本", "Language/Version"),
    ("主要依赖", "Primary Dependencies"),
    ("存储", "Storage"),
    ("测试框架", "Testing"),
    ("测试", "Testing"),
    ("目标平台", "Target Platform"),
    ("项目类型", "Project Type"),
    ("性能目标", "Performance Goals"),
    ("约束条件", "Constraints"),
    ("约束", "Constraints"),
    ("规模/范围", "Scale/Scope"),
    // constitution.md
    ("核心原则", "Core Principles"),
    ("治理", "Governance"),
    ("版本", "Version"),
    ("批准日期", "Ratified"),
    ("最后修订", "Last Amended"),
];

/// Full-width punctuation of CJK text and the ASCII the parsers split on.
const PUNCTUATION: &[(char, &str)] = &[('（', "("), ('）', ")"), ('：', ": "), ('，', ", ")];

/// `text` with localized heading and label words in English and full-width punctuation in
/// ASCII; borrowed unchanged when it has neither (every English document).
pub fn english(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while let Some(ch) = rest.chars().next() {
        // Only a phrase that is the whole label: `需求` in `## 需求 *(必填)*`, not inside a
        // sentence such as `用户需求文档`.
        for (from, to) in PHRASES {
            if let Some(after) = rest.strip_prefix(from)
                && out.chars().last().is_none_or(|c| !is_cjk(c))
                && after.chars().next().is_none_or(|c| !is_cjk(c))
            {
                out.push_str(to);
                rest = after;
                continue 'outer;
            }
        }
        match PUNCTUATION.iter().find(|(c, _)| *c == ch) {
            Some((_, ascii)) => out.push_str(ascii),
            None => out.push(ch),
        }
        rest = &rest[ch.len_utf8()..];
    }
    Cow::Owned(out)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::english;

    #[test]
    fn chinese_spec_kit_headings_and_labels() {
        assert_eq!(english("用户场景与测试 *(必填)*"), "User Scenarios & Testing *(必填)*");
        assert_eq!(
            english("用户故事 1 — 添加数据库连接（优先级：P1）"),
            "User Story 1 — 添加数据库连接(Priority: P1)"
        );
        assert_eq!(english("验收场景："), "Acceptance Scenarios: ");
        assert_eq!(english("功能需求"), "Functional Requirements");
        assert_eq!(english("需求"), "Requirements");
        // A phrase inside a longer run of Chinese text is a word of it, not a label.
        assert_eq!(english("用户需求文档"), "用户需求文档");
        assert!(matches!(english("User Story 1"), std::borrow::Cow::Borrowed(_)));
    }
}
