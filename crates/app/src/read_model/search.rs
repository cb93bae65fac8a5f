//! How the directory matches text: folded text (`roundtable_domain::fold`: lower case, no
//! accents) with punctuation evened out, and query words matched at the start of a word. Pure
//! functions: the text is prepared once when the snapshot is built, the query once per request.

use smallvec::SmallVec;
use std::collections::HashMap;

/// Folded text as the directory searches it: apostrophes dropped ("O'Brien", "O’Brien" and
/// "OBrien" are one name) with the part after one also a word of its own ("D'Souza" is found by
/// "Souza"); `+` and `#` ending a word kept ("C++", "C#"), and `&` between two letters ("R&D"),
/// so a search for them is not one for "c" or "r"; any other punctuation a space ("Smith, John",
/// "Jean-Luc"); and a space in front of every word — the text starts with one — so a query word
/// is looked for at the start of a word: " ann" is in " ann lee", not in " planning" — and one
/// after the last, so a whole word is found as " ann " wherever it is. Chinese, Japanese and
/// Korean are written without spaces between words: each of their characters is a word, so the
/// given name in "李明" is found by "明" and a name typed in full by all its characters.
pub fn searchable(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    // Where the parts after apostrophes in the current word begin.
    let mut parts: SmallVec<[usize; 2]> = SmallVec::new();
    // The current word is one character written without spaces, ended by whatever comes next
    // but what belongs to that character (`belongs_to_previous`).
    let mut alone = false;
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        if alone {
            if belongs_to_previous(c) {
                out.push(c);
                continue;
            }
            end_word(&mut out, &mut parts);
            alone = false;
        }
        let in_word = !out.ends_with(' ');
        let next = chars.peek().copied();
        let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}' => {
                if in_word && word_char(next) {
                    parts.push(out.len());
                }
            }
            c if written_without_spaces(c) => {
                if in_word {
                    end_word(&mut out, &mut parts);
                }
                out.push(c);
                alone = true;
            }
            c if c.is_alphanumeric() => out.push(c),
            '+' | '#' if in_word && !word_char(next) => out.push(c),
            '&' if in_word && word_char(next) && out.ends_with(char::is_alphanumeric) => out.push(c),
            _ if !in_word => {}
            _ => end_word(&mut out, &mut parts),
        }
    }
    if !out.ends_with(' ') {
        end_word(&mut out, &mut parts);
    }
    out
}

/// Han ideographs, kana and Hangul syllables — as `fold` leaves them: a syllable decomposed to
/// its letters (jamo), of which the first is a leading consonant — scripts whose words are not
/// separated by spaces.
fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// What completes such a character: a Hangul syllable's vowel and final consonant, the kana
/// voicing marks (`fold` keeps them: "が" is not "か"), variation selectors of ideographs.
fn belongs_to_previous(c: char) -> bool {
    matches!(c, '\u{1160}'..='\u{11FF}' | '\u{3099}' | '\u{309A}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Ends the word `out` ends with: a space, then each part of it after an apostrophe as a word.
fn end_word(out: &mut String, parts: &mut SmallVec<[usize; 2]>) {
    let end = out.len();
    out.push(' ');
    for &from in parts.iter() {
        let part = out[from..end].to_owned();
        out.push_str(&part);
        out.push(' ');
    }
    parts.clear();
}

/// A word of a query, as `searchable` text is searched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// With its leading space, so it matches the start of a word; an abbreviation ("ea", "coo")
    /// with a trailing one too, so it matches a whole word only ("ea" is not the start of "East").
    pub text: String,
    /// As looked for in names: the same, but an abbreviation of three letters or more is also
    /// the start of a name ("coo" finds Cooper as it is typed).
    pub name: String,
}

/// A folded query's words as `searchable` text holds them (`QueryWord`); a final plural "s" is
/// dropped from words of four letters or more, and from abbreviations ("EAs"), so "minutes" also
/// finds "minute taking" (and still finds "minutes": it is a prefix).
pub fn query_words(folded: &str) -> SmallVec<[QueryWord; 4]> {
    searchable(folded)
        .split_whitespace()
        .map(|w| {
            let singular = w.chars().count() >= 4 && w.ends_with('s') && !w.ends_with("ss")
                || ABBREVIATIONS.iter().any(|(short, _)| w.strip_suffix('s') == Some(short));
            let w = if singular { &w[..w.len() - 1] } else { w };
            if ABBREVIATIONS.iter().any(|(short, _)| *short == w) {
                // Searched text ends with a space, so " ea " is found at its end too.
                let name = if w.len() >= 3 { format!(" {w}") } else { format!(" {w} ") };
                QueryWord { text: format!(" {w} "), name }
            } else {
                QueryWord { text: format!(" {w}"), name: format!(" {w}") }
            }
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

/// What the abbreviations in a short `searchable` text (a job title, a level) stand for, and
/// the abbreviations of what it spells out, as words to add after that text, each followed by a
/// space (empty when it has none): "EA" finds an "Executive Assistant" and back, "EAs" and "Executive
/// Assistants" too. Only titles and levels are read this way: elsewhere "PA" is Pennsylvania
/// and "MD" Maryland. Prepared when the snapshot is built, so a query costs nothing more.
pub fn abbreviations_in(text: &str) -> String {
    fn singular(w: &str) -> &str {
        w.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(w)
    }
    let words: SmallVec<[&str; 8]> = text.split_whitespace().map(singular).collect();
    let mut out = String::new();
    for (short, long) in ABBREVIATIONS {
        let spelled_out = words.windows(long.len()).any(|run| run.iter().zip(long).all(|(w, l)| *w == singular(l)));
        if words.contains(&short) || spelled_out {
            // Both forms, so an "EAs" title (read as "eas") is found as "ea" too.
            for w in std::iter::once(short).chain(long.iter().copied()) {
                out.push_str(w);
                out.push(' ');
            }
        }
    }
    out
}

/// The query respelt from words people are known by ("jonh smtih" → "john smith"), or `None`
/// when every word is already the start of a known word or no close word is known. `known`
/// gives each word of the vocabulary with how many people have it; a mistyped word becomes the
/// closest known word (one slip for words of up to five letters, two beyond; a swap of two
/// letters is one), the more common of equally close ones. A word typed in part is compared
/// with the start of each known word too, so "execitive ass" becomes "executive ass".
pub fn respelt<S>(folded_query: &str, known: &HashMap<&str, u32, S>) -> Option<String> {
    let mut changed = false;
    let mut out: Vec<&str> = Vec::new();
    let query = searchable(folded_query);
    for word in query.split_whitespace() {
        let len = word.chars().count();
        if len < 3 || known.keys().any(|k| k.starts_with(word)) {
            out.push(word);
            continue;
        }
        let slips = if len <= 5 { 1 } else { 2 };
        let best = known
            .iter()
            .filter_map(|(&k, &n)| {
                let start = k.char_indices().nth(len).map_or(k, |(i, _)| &k[..i]);
                let (whole, part) = (strsim::osa_distance(word, k), strsim::osa_distance(word, start));
                // A whole word as close as the start of a longer one is the likelier meaning
                // ("exel": "excel" rather than "exec…utive").
                let d = whole.min(part);
                (d <= slips).then_some((d, whole > d, std::cmp::Reverse(n), k.len(), k))
            })
            .min();
        match best {
            Some((.., k)) => {
                out.push(k);
                changed = true;
            }
            None => out.push(word),
        }
    }
    changed.then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roundtable_domain::fold;

    fn finds(query: &str, text: &str) -> bool {
        let text = searchable(&fold(text));
        let words = query_words(&fold(query));
        !words.is_empty() && words.iter().all(|w| text.contains(w.text.as_str()))
    }

    #[test]
    fn a_surname_after_an_apostrophe_and_symbols_in_skills_are_found() {
        assert!(finds("souza", "Lukas D'Souza") && finds("d souza", "Lukas D'Souza") && finds("dsouza", "D’Souza"));
        assert!(finds("brien", "Zoë O'Brien-Smith") && finds("o'brien", "Zoë O'Brien-Smith"));
        assert_eq!(searchable("d'souza"), " dsouza souza ");
        // C++, C# and R&D are words of their own, not "c" and "r".
        assert!(finds("c++", "Skills: C++, Rust") && !finds("c++", "Skills: C, Rust"));
        assert!(finds("c#", "C#") && !finds("c#", "Cobol"));
        assert!(finds("r&d", "R&D") && !finds("r&d", "Rosa Dubois"));
        assert!(finds("c", "C++") && finds("excel", "Excel+Word") && finds("word", "Excel+Word"));
        assert!(finds("research", "Research & Development"));
    }

    #[test]
    fn each_chinese_japanese_or_korean_character_is_a_word() {
        assert_eq!(searchable("李明 lee"), " 李 明 lee ");
        assert!(finds("明", "李明") && finds("李明", "李明") && finds("李", "李明"));
        assert!(finds("민준", "김민준") && finds("さくら", "山田さくら") && finds("山田", "山田さくら"));
        assert!(!finds("王", "李明"), "a character the name does not hold");
        assert!(finds("민", "김민준"), "a syllable typed in part");
        assert!(finds("ガ", "ガルシア") && !finds("ガ", "カルシア"), "kana voicing is kept");
        assert!(finds("ming", "李明 (Ming) Li") && finds("明", "Li 李明 Ming"), "beside Latin letters");
    }

    #[test]
    fn a_long_abbreviation_is_also_the_start_of_a_name() {
        let words = query_words("coo");
        assert_eq!((words[0].text.as_str(), words[0].name.as_str()), (" coo ", " coo"));
        let words = query_words("ea");
        assert_eq!((words[0].text.as_str(), words[0].name.as_str()), (" ea ", " ea "), "two letters: whole words only");
    }

    fn vocabulary(words: &[(&'static str, u32)]) -> std::collections::HashMap<&'static str, u32> {
        words.iter().copied().collect()
    }

    #[test]
    fn a_mistyped_query_is_respelt_from_known_words() {
        let known = vocabulary(&[
            ("john", 3),
            ("joan", 1),
            ("smith", 2),
            ("executive", 40),
            ("assistant", 50),
            ("muller", 1),
            ("excel", 9),
        ]);
        // A swap of two letters, a missed letter, a wrong one.
        assert_eq!(respelt("jonh smtih", &known).as_deref(), Some("john smith"));
        assert_eq!(respelt("exel", &known).as_deref(), Some("excel"));
        // Words typed in part are the start of a known word: kept, nothing to suggest.
        assert_eq!(respelt("exec ass", &known), None);
        // A word typed in part with a slip: the known word in full.
        assert_eq!(respelt("execitive ass", &known).as_deref(), Some("executive ass"));
        // Of two equally close words, the one more people have ("joqn" is one slip from both).
        assert_eq!(respelt("joqn", &known).as_deref(), Some("john"));
        // Too far from anything, or too short to judge: nothing suggested.
        assert_eq!(respelt("zzzzzz", &known), None);
        assert_eq!(respelt("xy", &known), None);
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

    /// `finds` for a person whose job title is `title` and whose other text is `rest`, as the
    /// snapshot prepares them (ending with a space).
    fn finds_in(query: &str, title: &str, rest: &str) -> bool {
        let title = searchable(&fold(title));
        let text = format!("{title}{}{}", abbreviations_in(&title), searchable(&fold(rest)));
        let words = query_words(&fold(query));
        !words.is_empty() && words.iter().all(|w| text.contains(w.text.as_str()))
    }

    #[test]
    fn an_abbreviation_in_a_title_finds_what_it_stands_for_and_back() {
        assert!(finds_in("EA", "Senior Executive Assistant to the CFO", ""));
        assert!(finds_in("executive assistant", "EA to the Chief Financial Officer", ""));
        assert!(finds_in("chief financial", "EA to the CFO", ""));
        assert!(finds_in("human resources", "HR Business Partner", ""));
        assert!(finds_in("hr", "Human Resources Adviser", ""));
        assert!(finds_in("PAs", "Personal Assistants' team lead", ""), "plurals on both sides");
        assert!(finds_in("ea", "EAs to the board", ""));
        assert!(!finds_in("ea", "Executive Office, Assistant Director", ""), "words apart are not the phrase");
        assert!(!finds_in("ea", "Office Manager", "Earl East"), "an abbreviation is a whole word");
        assert!(!finds_in("personal assistant", "Analyst", "Pittsburgh, PA"), "only titles are read");
        assert_eq!(abbreviations_in(&searchable("office manager")), "");
    }

    #[test]
    fn umlauts_are_also_spelt_out() {
        assert_eq!(roundtable_domain::umlauts_spelt_out("Jörg Müller").as_deref(), Some("Joerg Mueller"));
        assert_eq!(roundtable_domain::umlauts_spelt_out("Zoë Adams"), None);
    }

    #[test]
    fn a_plural_finds_the_singular_and_punctuation_alone_is_no_query() {
        assert!(finds("minutes", "Minute taking") && finds("meetings", "Board meeting"));
        assert!(finds("class", "Classical music"), "a double s stays");
        assert!(query_words(&fold(" , - ' ")).is_empty());
    }
}
