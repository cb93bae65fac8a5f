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
/// more, and from abbreviations ("EAs"), so "minutes" also finds "minute taking" (and still finds
/// "minutes": it is a prefix).
pub fn query_words(folded: &str) -> SmallVec<[String; 4]> {
    searchable(folded)
        .split_whitespace()
        .map(|w| {
            let singular = w.chars().count() >= 4 && w.ends_with('s') && !w.ends_with("ss")
                || ABBREVIATIONS.iter().any(|(short, _)| w.strip_suffix('s') == Some(short));
            format!(" {}", if singular { &w[..w.len() - 1] } else { w })
        })
        .collect()
}

/// Abbreviations people write in job titles and departments, and what they stand for (as
/// `searchable` words): either finds the other — "EA" finds an "Executive Assistant", "human
/// resources" finds "HR". Only abbreviations that are not also everyday words ("IT" is left
/// out: a bio saying "loved it" would be found by "information technology").
const ABBREVIATIONS: [(&str, &[&str]); 12] = [
    ("ea", &["executive", "assistant"]),
    ("pa", &["personal", "assistant"]),
    ("hr", &["human", "resources"]),
    ("vp", &["vice", "president"]),
    ("svp", &["senior", "vice", "president"]),
    ("evp", &["executive", "vice", "president"]),
    ("ceo", &["chief", "executive"]),
    ("cfo", &["chief", "financial"]),
    ("coo", &["chief", "operating"]),
    ("cto", &["chief", "technology"]),
    ("cio", &["chief", "information"]),
    ("md", &["managing", "director"]),
];

/// `searchable` text with what its abbreviations stand for, and the abbreviations of what it
/// spells out, added at the end (each once): prepared when the snapshot is built, so a query
/// costs nothing more. A plural matches too ("EAs", "Executive Assistants").
pub fn with_abbreviations(mut text: String) -> String {
    fn singular(w: &str) -> &str {
        w.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(w)
    }
    // Per abbreviation: (the text has it, the text spells it out).
    let mut found = [(false, false); ABBREVIATIONS.len()];
    {
        let words: SmallVec<[&str; 32]> = text.split_whitespace().map(singular).collect();
        for (i, word) in words.iter().enumerate() {
            for ((short, long), found) in ABBREVIATIONS.iter().zip(&mut found) {
                found.0 |= word == short;
                found.1 |=
                    words.len() >= i + long.len() && long.iter().zip(&words[i..]).all(|(l, w)| singular(l) == *w);
            }
        }
    }
    for ((short, long), (has_short, has_long)) in ABBREVIATIONS.iter().zip(found) {
        let missing: &[&str] = match (has_short, has_long) {
            (true, false) => long,
            (false, true) => std::slice::from_ref(short),
            _ => &[],
        };
        for w in missing {
            text.push(' ');
            text.push_str(w);
        }
    }
    text
}

/// A German name with umlauts, as it is also often typed: "Müller" as "Mueller" ("Muller" is
/// found already, as accents are folded away).
pub fn umlauts_spelt_out(raw: &str) -> Option<String> {
    if !raw.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü']) {
        return None;
    }
    let mut out = String::with_capacity(raw.len() + 4);
    for c in raw.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            c => out.push(c),
        }
    }
    Some(out)
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

    fn finds_expanded(query: &str, text: &str) -> bool {
        let text = with_abbreviations(searchable(&fold(text)));
        let words = query_words(&fold(query));
        !words.is_empty() && words.iter().all(|w| text.contains(w.as_str()))
    }

    #[test]
    fn an_abbreviation_finds_what_it_stands_for_and_back() {
        assert!(finds_expanded("EA", "Senior Executive Assistant to the CFO"));
        assert!(finds_expanded("executive assistant", "EA to the Chief Financial Officer"));
        assert!(finds_expanded("chief financial", "EA to the CFO"));
        assert!(finds_expanded("human resources", "HR Business Partner"));
        assert!(finds_expanded("hr", "Human Resources"));
        assert!(finds_expanded("PAs", "Personal Assistants' network"), "plurals on both sides");
        assert!(!finds_expanded("ea", "Executive Office, Assistant Director"), "words apart are not the phrase");
        assert!(!finds_expanded("information technology", "I loved it"), "everyday words are left alone");
        assert_eq!(with_abbreviations(" ea ea".into()), " ea ea executive assistant", "once");
        assert_eq!(with_abbreviations(" ea executive assistant".into()), " ea executive assistant", "nothing missing");
    }

    #[test]
    fn umlauts_are_also_spelt_out() {
        assert_eq!(umlauts_spelt_out("Jörg Müller").as_deref(), Some("Joerg Mueller"));
        assert_eq!(umlauts_spelt_out("Zoë Adams"), None);
    }

    #[test]
    fn a_plural_finds_the_singular_and_punctuation_alone_is_no_query() {
        assert!(finds("minutes", "Minute taking") && finds("meetings", "Board meeting"));
        assert!(finds("class", "Classical music"), "a double s stays");
        assert!(query_words(&fold(" , - ' ")).is_empty());
    }
}
