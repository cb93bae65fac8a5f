//! What changed between two texts of a charter, as a reader wants to see it: the changed lines
//! (Markdown paragraphs and list items are lines) with a line of context around each change,
//! and within a replaced line the words that differ. Pure: no I/O, no markup.

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Duration;

/// Lines of unchanged text kept around each change.
const CONTEXT: usize = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Same,
    Removed,
    Added,
}

impl LineKind {
    /// As the API names it (and pages' templates compare it).
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Same => "same",
            LineKind::Removed => "removed",
            LineKind::Added => "added",
        }
    }
}

/// A run of a line's text; `changed` marks words removed or added within a replaced line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Span {
    pub text: String,
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub kind: LineKind,
    pub spans: Vec<Span>,
}

/// One stretch of changes with its context; stretches far apart are separate hunks.
pub type Hunk = Vec<Line>;

/// The changes from `old` to `new`, hunk by hunk; empty when only blank lines or line endings
/// differ. A line changed in part shows the words that differ (`Span::changed`); a line
/// removed or added whole has no word marked, since all of it changed.
pub fn between(old: &str, new: &str) -> Vec<Hunk> {
    let (old, new) = (normalise(old), normalise(new));
    // A deadline keeps a pathological pair (20,000 characters each, nothing in common) from
    // holding a worker: past it the diff is coarser, never wrong.
    let diff =
        TextDiff::configure().algorithm(Algorithm::Patience).timeout(Duration::from_millis(200)).diff_lines(&old, &new);
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Same,
                    ChangeTag::Delete => LineKind::Removed,
                    ChangeTag::Insert => LineKind::Added,
                };
                let mut spans: Vec<Span> = Vec::new();
                for (changed, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches('\n');
                    if text.is_empty() {
                        continue;
                    }
                    match spans.last_mut() {
                        Some(last) if last.changed == changed => last.text.push_str(text),
                        _ => spans.push(Span { text: text.to_owned(), changed }),
                    }
                }
                // Whole-line changes are marked by their kind; marking every word too adds nothing.
                if spans.iter().all(|s| s.changed || s.text.trim().is_empty()) {
                    spans = vec![Span { text: spans.into_iter().map(|s| s.text).collect(), changed: false }];
                }
                lines.push(Line { kind, spans });
            }
        }
        if lines.iter().any(|l| l.kind != LineKind::Same) {
            hunks.push(lines);
        }
    }
    hunks
}

/// Windows line endings, trailing spaces and blank lines are not changes a reader would see:
/// each non-blank line is compared, and shown, on its own.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(hunks: &[Hunk]) -> String {
        let mut out = String::new();
        for (i, hunk) in hunks.iter().enumerate() {
            if i > 0 {
                out.push_str("…\n");
            }
            for line in hunk {
                out.push(match line.kind {
                    LineKind::Same => ' ',
                    LineKind::Removed => '-',
                    LineKind::Added => '+',
                });
                for s in &line.spans {
                    if s.changed {
                        out.push_str(&format!("[{}]", s.text));
                    } else {
                        out.push_str(&s.text);
                    }
                }
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn a_changed_word_is_marked_within_its_line_with_context() {
        let old = "# Rules\n\nBe kind.\n\nMeet monthly on Tuesdays.\n\nWhat is said here stays here.\n";
        let new = "# Rules\n\nBe kind.\n\nMeet monthly on Thursdays.\n\nWhat is said here stays here.\n";
        assert_eq!(
            render(&between(old, new)),
            " Be kind.\n-Meet monthly on [Tuesdays.]\n+Meet monthly on [Thursdays.]\n What is said here stays here.\n"
        );
    }

    #[test]
    fn added_and_removed_paragraphs_are_whole_lines() {
        let old = "One.\n\nTwo.\n";
        let new = "One.\n\nTwo.\n\nThree: be on time.\n";
        assert_eq!(render(&between(old, new)), " Two.\n+Three: be on time.\n");
        assert_eq!(render(&between(new, old)), " Two.\n-Three: be on time.\n");
    }

    #[test]
    fn distant_changes_are_separate_hunks() {
        let old = "a\n\nb\n\nc\n\nd\n\ne\n\nf\n\ng\n";
        let new = "A\n\nb\n\nc\n\nd\n\ne\n\nf\n\nG\n";
        let hunks = between(old, new);
        assert_eq!(hunks.len(), 2, "{}", render(&hunks));
        assert_eq!(render(&hunks), "-a\n+A\n b\n…\n f\n-g\n+G\n");
    }

    #[test]
    fn line_endings_and_blank_lines_are_not_changes() {
        assert!(between("One.\n\nTwo.", "One.\r\n\r\n\r\nTwo.  \r\n").is_empty());
        assert!(between("", "").is_empty());
        assert_eq!(render(&between("", "Be kind.")), "+Be kind.\n");
    }
}
