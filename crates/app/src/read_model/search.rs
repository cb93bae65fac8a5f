//! How the directory matches text: folded text (`roundtable_domain::fold`: lower case, no
//! accents) with punctuation evened out, and query words matched at the start of a word. Pure
//! functions: the text is prepared once when the snapshot is built, the query once per request.

use smallvec::SmallVec;

/// Folded text as the directory searches it: apostrophes dropped ("O'Brien", "O’Brien" and
/// "OBrien" are one name), any other punctuation a space ("Smith, John", "Jean-Luc"), and a
/// space in front of every word — the text starts with one — so a query word is looked for at
/// the start of a word: " ann" is in " ann lee", not in " planning".
pub fn searchable(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 1);
    out.push(' ');
    for c in folded.chars() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}' => {}
            c if c.is_alphanumeric() => out.push(c),
            _ if out.ends_with(' ') => {}
            _ => out.push(' '),
        }
    }
    out
}

/// A folded query's words as `searchable` text holds them, each with its leading space (so it
/// matches the start of a word); a final plural "s" is dropped from words of four letters or
/// more, so "minutes" also finds "minute taking" (and still finds "minutes": it is a prefix).
pub fn query_words(folded: &str) -> SmallVec<[String; 4]> {
    searchable(folded)
        .split_whitespace()
        .map(|w| {
            let singular = w.chars().count() >= 4 && w.ends_with('s') && !w.ends_with("ss");
            format!(" {}", if singular { &w[..w.len() - 1] } else { w })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use roundtable_domain::fold;

    fn finds(query: &str, text: &str) -> bool {
        let text = searchable(&fold(text));
        let words = query_words(&fold(query));
        !words.is_empty() && words.iter().all(|w| text.contains(w.as_str()))
    }

    #[test]
    fn words_match_at_their_start_whatever_the_punctuation() {
        assert!(finds("ann", "Ann Lee, Executive Assistant"));
        assert!(!finds("ann", "Planning the board pack with Joanna"), "not inside other words");
        assert!(finds("minut", "Minutes of board meetings"), "a prefix still finds");
        assert!(finds("Smith, John", "John Smith"), "Outlook's name order");
        assert!(finds("O’Brien", "Siobhan O'Brien") && finds("obrien", "Siobhan O'Brien"));
        assert!(finds("jean-luc", "Jean Luc Picard") && finds("jean luc", "Jean-Luc Picard"));
        assert!(finds("Zoë", "ZOE ADAMS") && finds("zoe", "Zoë Adams"));
    }

    #[test]
    fn a_plural_finds_the_singular_and_punctuation_alone_is_no_query() {
        assert!(finds("minutes", "Minute taking") && finds("meetings", "Board meeting"));
        assert!(finds("class", "Classical music"), "a double s stays");
        assert!(query_words(&fold(" , - ' ")).is_empty());
    }
}
