//! What changed between two texts of a charter, as a reader wants to see it: the changed lines
//! (Markdown paragraphs and list items are lines) with a line of context around each change,
//! and within a replaced line the words that differ. Pure: no I/O, no markup.

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffTag, TextDiff};
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

/// The changes from `old` to `new`, hunk by hunk; empty when only spacing or line endings
/// differ. A line changed in part shows the words that differ (`Span::changed`); a line
/// removed or added whole has no word marked, since all of it changed. Blank lines are left out
/// (they only separate paragraphs), unless they and hard line breaks are all that changed —
/// paragraphs merged or split, which members read differently — when they are shown as
/// "(blank line)" and "(line break)".
pub fn between(old: &str, new: &str) -> Vec<Hunk> {
    let hunks = diff(&normalise(old), &normalise(new));
    if !hunks.is_empty() {
        return hunks;
    }
    let (old, new) = (layout(old), layout(new));
    if old == new { hunks } else { diff(&old, &new) }
}

fn diff(old: &str, new: &str) -> Vec<Hunk> {
    // A deadline keeps a pathological pair (20,000 characters each, nothing in common) from
    // holding a worker: past it the diff is coarser, never wrong.
    let diff = TextDiff::configure().algorithm(Algorithm::Patience).timeout(TIMEOUT).diff_lines(old, new);
    let (olds, news) = (diff.old_slices(), diff.new_slices());
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        let mut lines = Vec::new();
        for op in &group {
            let (tag, o, n) = op.as_tag_tuple();
            let (o, n) = (&olds[o], &news[n]);
            match tag {
                DiffTag::Equal => lines.extend(o.iter().map(|l| whole(LineKind::Same, l))),
                DiffTag::Delete => lines.extend(o.iter().map(|l| whole(LineKind::Removed, l))),
                DiffTag::Insert => lines.extend(n.iter().map(|l| whole(LineKind::Added, l))),
                DiffTag::Replace => replaced(o, n, &mut lines),
            }
        }
        if lines.iter().any(|l| l.kind != LineKind::Same) {
            hunks.push(lines);
        }
    }
    hunks
}

const TIMEOUT: Duration = Duration::from_millis(200);

/// How alike (0 to 1, by words) two lines must be to read as one line edited rather than one
/// removed and another added.
const ALIKE: f32 = 0.5;

/// How many new lines ahead an old line looks for its edited self: enough for a few added
/// beside it, while a text rewritten whole costs a few word comparisons a line, not one per pair.
const LOOKAHEAD: usize = 6;

/// A line shown whole, nothing within it marked.
fn whole(kind: LineKind, text: &str) -> Line {
    Line { kind, spans: vec![Span { text: text.trim_end_matches('\n').to_owned(), changed: false }] }
}

/// Lines replaced by others: each old line paired, in order, with the most alike new line still
/// to come (a paragraph edited beside one added, which a block-wide comparison would show as all
/// removed and all added), its words that differ marked; the rest removed or added whole.
fn replaced(olds: &[&str], news: &[&str], out: &mut Vec<Line>) {
    let mut next = 0;
    for old in olds {
        let best = (next..news.len().min(next + LOOKAHEAD))
            .map(|j| (j, word_diff(old, news[j])))
            .filter(|(_, d)| d.ratio() >= ALIKE)
            .max_by(|a, b| a.1.ratio().total_cmp(&b.1.ratio()));
        let Some((j, diff)) = best else {
            out.push(whole(LineKind::Removed, old));
            continue;
        };
        out.extend(news[next..j].iter().map(|l| whole(LineKind::Added, l)));
        let (mut was, mut is) = (Vec::new(), Vec::new());
        for change in diff.iter_all_changes() {
            let text = change.value();
            match change.tag() {
                ChangeTag::Equal => {
                    push_span(&mut was, text, false);
                    push_span(&mut is, text, false);
                }
                ChangeTag::Delete => push_span(&mut was, text, true),
                ChangeTag::Insert => push_span(&mut is, text, true),
            }
        }
        out.push(Line { kind: LineKind::Removed, spans: was });
        out.push(Line { kind: LineKind::Added, spans: is });
        next = j + 1;
    }
    out.extend(news[next..].iter().map(|l| whole(LineKind::Added, l)));
}

/// The words of two lines compared (their line ends aside, which would make any two alike).
fn word_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, 'a, str> {
    let (old, new) = (old.trim_end_matches('\n'), new.trim_end_matches('\n'));
    TextDiff::configure().algorithm(Algorithm::Patience).timeout(TIMEOUT).diff_words(old, new)
}

/// Adds `text` to a line's spans, joining it to the last span when both are marked alike (a
/// space between two changed words stays inside the change).
fn push_span(spans: &mut Vec<Span>, text: &str, changed: bool) {
    let text = text.trim_end_matches('\n');
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => spans.push(Span { text: text.to_owned(), changed }),
    }
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

/// The text with its layout made visible: a run of blank lines as one "(blank line)", and a hard
/// line break (two spaces or a backslash at the end of a line the paragraph goes on after) as
/// "(line break)".
fn layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut blank = false;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let kept = line.trim_end();
        if kept.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("(blank line)\n");
            blank = false;
        }
        out.push_str(kept);
        let goes_on = lines.peek().is_some_and(|next| !next.trim().is_empty());
        if goes_on && (line.ends_with("  ") || kept.ends_with('\\')) {
            out.push_str(" (line break)");
        }
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
    fn a_line_edited_beside_one_added_keeps_its_changed_words_marked() {
        let old = "Meet monthly on Tuesdays at noon.\n\nBe kind.\n";
        let new = "Meet monthly on Thursdays at noon.\n\nCameras on, please.\n\nBe kind.\n";
        assert_eq!(
            render(&between(old, new)),
            "-Meet monthly on [Tuesdays] at noon.\n+Meet monthly on [Thursdays] at noon.\n+Cameras on, please.\n Be kind.\n"
        );
        // Nothing alike: removed and added whole.
        assert_eq!(render(&between("Be kind.\n", "Cameras on.\n")), "-Be kind.\n+Cameras on.\n");
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
    fn paragraphs_merged_or_split_show_their_blank_lines() {
        let split = "Be kind.\n\nListen first.\n\nRules:\n";
        let merged = "Be kind.\nListen first.\n\nRules:\n";
        assert_eq!(render(&between(split, merged)), " Be kind.\n-(blank line)\n Listen first.\n");
        let broken = "Be kind.  \nListen first.\n";
        assert_eq!(
            render(&between("Be kind.\nListen first.\n", broken)),
            "-Be kind.\n+Be kind.[ (line break)]\n Listen first.\n"
        );
    }

    #[test]
    fn line_endings_and_blank_lines_are_not_changes() {
        assert!(between("One.\n\nTwo.", "One.\r\n\r\n\r\nTwo.  \r\n").is_empty());
        assert!(between("", "").is_empty());
        assert_eq!(render(&between("", "Be kind.")), "+Be kind.\n");
    }
}
