//! Writing results as CSV for organisers: mentoring matches with every score component and
//! the explanation, coffee groups, and circles.
//!
//! This module owns the output column layout. Files written here read back as inputs where
//! that is useful: `matches.csv` works as `--previous`, a coffee round works as history.
//! Every file starts with a UTF-8 byte-order mark, without which Excel reads UTF-8 as its
//! local code page ("ZoÃ«"), and carries each person's email beside their name, so a mail
//! merge can use it as is. Coffee and circles write one row per person for the same reason.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::circles::{CirclePerson, CirclesOutcome};
use crate::coffee::{CoffeeMember, CoffeeRound};
use crate::mentoring::{MentoringInput, MentoringOutcome, Move, Profile, UNMATCHED_NOTE};
use crate::score::Criterion;

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A CSV file being written: byte-order mark first, cells separated by the main input's
/// separator (`;` in, `;` out, so Excel with European settings opens it in columns), and
/// every text cell made safe from formula injection. Numeric columns are left as numbers.
struct Table<W: Write> {
    w: csv::Writer<W>,
    numeric: Vec<bool>,
}

impl<W: Write> Table<W> {
    fn new(mut out: W, separator: u8, header: &[&str], numeric: &[&str]) -> io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::WriterBuilder::new().delimiter(separator).from_writer(out);
        w.write_record(header).map_err(csv_err)?;
        Ok(Self { w, numeric: header.iter().map(|h| numeric.contains(h)).collect() })
    }

    fn row(&mut self, cells: &[String]) -> io::Result<()> {
        let cells = cells
            .iter()
            .enumerate()
            .map(|(i, c)| if self.numeric.get(i).copied().unwrap_or(false) { c.clone() } else { neutralise(c) });
        self.w.write_record(cells).map_err(csv_err)
    }

    fn finish(mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// A text cell a spreadsheet would run as a formula (`= + - @`, tab, CR first), prefixed
/// with `'`, as Roundtable's member export does (`app::http::neutralise`); so is a cell that
/// already looks like a prefixed one, so that reading it back (`csv_input`) strips exactly
/// one `'` and gives what was written.
pub(crate) fn neutralise(cell: &str) -> String {
    if formula_like(cell.trim_start_matches('\'')) { format!("'{cell}") } else { cell.to_owned() }
}

pub(crate) fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `Ana Silva <ana@example.org>`, or the name alone when the email is unknown. A name with a
/// comma or another address special is quoted (`"Dubois, Renée" <r@x.org>`, RFC 5322), so
/// the cell pasted into an address field stays one address per person.
fn name_and_email(name: &str, email: &str) -> String {
    if email.is_empty() {
        return name.to_owned();
    }
    if name.is_empty() {
        return email.to_owned();
    }
    if name.contains([',', ';', '<', '>', '"', '@', '(', ')', ':', '[', ']', '\\']) {
        format!("\"{}\" <{email}>", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("{name} <{email}>")
    }
}

/// The `; `-separated list of plain names, and of plain addresses (people without an email
/// are left out of the second), for a mail merge that greets by name and copies by address.
fn names_and_emails<'a>(people: impl Iterator<Item = (&'a str, &'a str)>) -> (String, String) {
    let (names, emails): (Vec<&str>, Vec<&str>) = people.unzip();
    let emails: Vec<&str> = emails.into_iter().filter(|e| !e.is_empty()).collect();
    (names.join("; "), emails.join("; "))
}

fn two_decimals(x: f64) -> String {
    format!("{x:.2}")
}

/// One row per mentee: matched rows with the score, one column per criterion (points) and
/// the explanation; unmatched rows with the reason. Only `preference_note` may be sent to the
/// mentee: it says which of their own choices they got, or for an unmatched mentee that we
/// will be in touch ([`UNMATCHED_NOTE`]). `explanation`, `coordinator_note`, `change` and
/// `forbidden` name other people, constraints and scores, and stay with the organiser.
/// `status` (`pinned`) and `forbidden` (mentor ids the organiser ruled out for this mentee)
/// make the file carry pins and forbids over when read back as `--previous`.
pub fn write_mentoring(
    outcome: &MentoringOutcome,
    input: &MentoringInput,
    separator: u8,
    out: impl Write,
) -> io::Result<()> {
    let mut header =
        vec!["status", "mentee_id", "mentee_name", "mentee_email", "mentor_id", "mentor_name", "mentor_email", "score"];
    header.extend(Criterion::ALL.iter().map(|c| c.key()));
    header.extend(["explanation", "preference_note", "coordinator_note", "change", "forbidden"]);
    let mut numeric = vec!["score"];
    numeric.extend(Criterion::ALL.iter().map(|c| c.key()));
    let mut w = Table::new(out, separator, &header, &numeric)?;
    let people: HashMap<&str, (&str, &str)> = input
        .mentees
        .iter()
        .map(|e| &e.profile)
        .chain(input.mentors.iter().map(|r| &r.profile))
        .map(|p| (p.id.as_str(), (p.name.as_str(), p.email.as_str())))
        .collect();
    let name_email = |id: &str| {
        let (name, email) = people.get(id).copied().unwrap_or_default();
        [name.to_owned(), email.to_owned()]
    };
    let moves: HashMap<&str, &Move> = outcome.moves.iter().map(|m| (m.mentee_id.as_str(), m)).collect();
    let change = |id: &str| moves.get(id).map_or(String::new(), |m| m.describe());
    let forbidden = |id: &str| {
        let ids: Vec<&str> =
            outcome.forbidden_pairs.iter().filter(|p| p.mentee == id).map(|p| p.mentor.as_str()).collect();
        ids.join("; ")
    };
    for m in &outcome.matches {
        let mut row = vec![if m.pinned { "pinned" } else { "matched" }.to_owned(), m.mentee_id.clone()];
        row.extend(name_email(&m.mentee_id));
        row.push(m.mentor_id.clone());
        row.extend(name_email(&m.mentor_id));
        row.push(two_decimals(m.score));
        row.extend(m.components.iter().map(|c| two_decimals(c.points)));
        row.push(m.explanation.clone());
        row.push(m.preference_note.clone().unwrap_or_default());
        row.push(m.coordinator_note.clone().unwrap_or_default());
        row.push(change(&m.mentee_id));
        row.push(forbidden(&m.mentee_id));
        w.row(&row)?;
    }
    for u in &outcome.unmatched {
        let mut row = vec!["unmatched".to_owned(), u.mentee_id.clone()];
        row.extend(name_email(&u.mentee_id));
        row.extend([String::new(), String::new(), String::new(), String::new()]);
        row.extend(Criterion::ALL.iter().map(|_| String::new()));
        row.push(u.explanation.clone());
        row.extend([UNMATCHED_NOTE.to_owned(), String::new()]);
        row.push(change(&u.mentee_id));
        row.push(forbidden(&u.mentee_id));
        w.row(&row)?;
    }
    w.finish()
}

/// One row per mentor, in the mentors file's order, for writing to mentors: their place count
/// and the mentees they were given (ids, names, and addresses, each `; `-separated). Mentors
/// given nobody have a row too, so everyone hears back.
pub fn write_mentors(
    outcome: &MentoringOutcome,
    input: &MentoringInput,
    separator: u8,
    out: impl Write,
) -> io::Result<()> {
    let header = [
        "mentor_id",
        "mentor_name",
        "mentor_email",
        "capacity",
        "mentee_count",
        "mentee_ids",
        "mentee_names",
        "mentee_emails",
    ];
    let mut w = Table::new(out, separator, &header, &["capacity", "mentee_count"])?;
    let mentee: HashMap<&str, &Profile> = input.mentees.iter().map(|e| (e.profile.id.as_str(), &e.profile)).collect();
    for r in &input.mentors {
        let p = &r.profile;
        let theirs: Vec<&Profile> = outcome
            .matches
            .iter()
            .filter(|m| m.mentor_id == p.id)
            .filter_map(|m| mentee.get(m.mentee_id.as_str()).copied())
            .collect();
        let ids: Vec<&str> = theirs.iter().map(|e| e.id.as_str()).collect();
        let (names, emails) = names_and_emails(theirs.iter().map(|e| (e.name.as_str(), e.email.as_str())));
        w.row(&[
            p.id.clone(),
            p.name.clone(),
            p.email.clone(),
            r.capacity.to_string(),
            theirs.len().to_string(),
            ids.join("; "),
            names,
            emails,
        ])?;
    }
    w.finish()
}

/// One row per person taking part, with their group number and partners: packed as
/// `Name <email>` in `partners`, and as plain `partner_names` and `partner_emails` for a mail
/// merge. The `round,group,member_id` columns make the file usable as history for the next
/// round.
pub fn write_coffee(
    rounds: &[CoffeeRound],
    members: &[CoffeeMember],
    separator: u8,
    out: impl Write,
) -> io::Result<()> {
    let header = [
        "round",
        "group",
        "member_id",
        "name",
        "email",
        "partners",
        "partner_names",
        "partner_emails",
        "cross_department_pairs",
        "repeated_pairs",
    ];
    let numeric = ["round", "group", "cross_department_pairs", "repeated_pairs"];
    let mut w = Table::new(out, separator, &header, &numeric)?;
    for round in rounds {
        for (g, group) in round.groups.iter().enumerate() {
            for &i in &group.members {
                let others: Vec<&CoffeeMember> =
                    group.members.iter().filter(|&&j| j != i).map(|&j| &members[j]).collect();
                let partners: Vec<String> = others.iter().map(|m| name_and_email(&m.name, &m.email)).collect();
                let (names, emails) = names_and_emails(others.iter().map(|m| (m.name.as_str(), m.email.as_str())));
                w.row(&[
                    round.round.to_string(),
                    (g + 1).to_string(),
                    members[i].id.clone(),
                    members[i].name.clone(),
                    members[i].email.clone(),
                    partners.join("; "),
                    names,
                    emails,
                    group.cross_department_pairs.to_string(),
                    group.repeated_pairs.to_string(),
                ])?;
            }
        }
    }
    w.finish()
}

/// One row per person: their circle, the other members (packed as `Name <email>` in
/// `other_members`, and as plain `other_names` and `other_emails` for a mail merge) and the
/// suggested facilitator; then one row per person left unplaced.
///
/// Two audiences: `note` may go to the member ("Facilitator: Umar Becker", "You are the
/// facilitator.", or for someone unplaced [`UNPLACED_NOTE`]); `coordinator_note` (the
/// facilitator's tenure, whom to ask when nobody volunteered, why someone is unplaced) and
/// `common_threads` (levels and functions with counts) are for the coordinator only.
pub fn write_circles(
    outcome: &CirclesOutcome,
    people: &[CirclePerson],
    separator: u8,
    out: impl Write,
) -> io::Result<()> {
    let header = [
        "circle",
        "size",
        "member_id",
        "name",
        "email",
        "other_members",
        "other_names",
        "other_emails",
        "facilitator_id",
        "facilitator_name",
        "facilitator_email",
        "note",
        "coordinator_note",
        "shared_threads",
        "common_threads",
    ];
    let mut w = Table::new(out, separator, &header, &["circle", "size", "shared_threads"])?;
    for (c, circle) in outcome.circles.iter().enumerate() {
        let (fid, fname, femail) = circle
            .facilitator
            .map_or_else(Default::default, |f| (people[f].id.clone(), people[f].name.clone(), people[f].email.clone()));
        for &m in &circle.members {
            let others: Vec<&CirclePerson> = circle.members.iter().filter(|&&o| o != m).map(|&o| &people[o]).collect();
            let packed: Vec<String> = others.iter().map(|p| name_and_email(&p.name, &p.email)).collect();
            let (names, emails) = names_and_emails(others.iter().map(|p| (p.name.as_str(), p.email.as_str())));
            w.row(&[
                (c + 1).to_string(),
                circle.members.len().to_string(),
                people[m].id.clone(),
                people[m].name.clone(),
                people[m].email.clone(),
                packed.join("; "),
                names,
                emails,
                fid.clone(),
                fname.clone(),
                femail.clone(),
                member_note(circle.facilitator, m, &fname, &fid),
                circle.coordinator_note.clone(),
                two_decimals(circle.shared_threads),
                circle.common_threads.join("; "),
            ])?;
        }
    }
    for (p, why) in &outcome.unplaced {
        let mut row = vec!["unplaced".to_owned(), String::new()];
        row.extend([people[*p].id.clone(), people[*p].name.clone(), people[*p].email.clone()]);
        row.extend([String::new(), String::new(), String::new(), String::new(), String::new(), String::new()]);
        row.extend([UNPLACED_NOTE.to_owned(), why.clone(), String::new(), String::new()]);
        w.row(&row)?;
    }
    w.finish()
}

/// The `note` fit to send to someone left out of every circle: the reason names other
/// people (a reporting line), so it stays in `coordinator_note`.
pub const UNPLACED_NOTE: &str = "We could not place you in a circle this time; we will be in touch.";

/// The circle `note` for member `m`: who facilitates, in words fit for the member.
fn member_note(facilitator: Option<usize>, m: usize, name: &str, id: &str) -> String {
    match facilitator {
        Some(f) if f == m => "You are the facilitator.".to_owned(),
        Some(_) => format!("Facilitator: {}", if name.is_empty() { id } else { name }),
        None => "Your circle's facilitator will be confirmed soon.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mentoring::{Mentee, Mentor, MentoringOptions, Pair, match_mentoring};
    use crate::weights::Settings;

    fn member(id: &str, name: &str, email: &str) -> CoffeeMember {
        CoffeeMember {
            id: id.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            opted_in: true,
            ..CoffeeMember::default()
        }
    }

    fn coffee_csv(members: &[CoffeeMember], separator: u8) -> String {
        let round = crate::coffee::pair_round(members, &[], &Settings::default().coffee, 1, 1);
        let round = round.unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_coffee(&[round], members, separator, &mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    /// Rows (header first) as maps from header to cell.
    fn rows(text: &str, separator: u8) -> Vec<HashMap<String, String>> {
        let mut r =
            csv::ReaderBuilder::new().delimiter(separator).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = r.headers().map(|h| h.iter().map(str::to_owned).collect()).unwrap_or_default();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap_or_else(|e| panic!("{e}"));
                header.iter().cloned().zip(rec.iter().map(str::to_owned)).collect()
            })
            .collect()
    }

    #[test]
    fn text_cells_that_would_run_as_formulas_get_an_apostrophe_and_numbers_do_not() {
        let members =
            [member("c1", "=HYPERLINK(\"http://x\",\"hi\")", "a@x.org"), member("c2", "-Finance", "@b@x.org")];
        let text = coffee_csv(&members, b',');
        let rows = rows(&text, b',');
        let c1 = rows.iter().find(|r| r["member_id"] == "c1").cloned().unwrap_or_default();
        assert_eq!(c1["name"], "'=HYPERLINK(\"http://x\",\"hi\")");
        assert_eq!(c1["partner_names"], "'-Finance");
        assert_eq!(c1["partner_emails"], "'@b@x.org");
        assert_eq!(c1["round"], "1");
        assert_eq!(neutralise("'=1+1"), "''=1+1");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Ana"), "Ana");
        // A `; `-list is guarded at its start only: that is all a spreadsheet runs.
        assert_eq!(neutralise("-Bo; Ana"), "'-Bo; Ana");
        assert_eq!(neutralise("Ana; -Bo"), "Ana; -Bo");

        // A numeric column keeps a negative number as a number; a text column does not.
        let mut out = Vec::new();
        let mut t = Table::new(&mut out, b',', &["points", "name"], &["points"]).unwrap_or_else(|e| panic!("{e}"));
        t.row(&["-1".to_owned(), "-1".to_owned()]).unwrap_or_else(|e| panic!("{e}"));
        t.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(String::from_utf8(out).unwrap_or_default(), "\u{feff}points,name\n-1,'-1\n");
    }

    #[test]
    fn the_output_uses_the_inputs_separator_and_keeps_the_byte_order_mark() {
        let members = [member("c1", "Ana", "a@x"), member("c2", "Bo", "b@x")];
        let text = coffee_csv(&members, b';');
        assert!(text.starts_with("\u{feff}round;group;member_id;name;email;partners;partner_names;"), "{text}");
        assert_eq!(rows(&text, b';')[0]["partner_emails"], "b@x");
    }

    #[test]
    fn partner_names_and_emails_are_plain_lists_and_a_comma_in_a_name_stays_inside_its_address() {
        let members = [member("c1", "Dubois, Renée", "r@x.org"), member("c2", "Bo", "b@x.org"), member("c3", "Cy", "")];
        let text = coffee_csv(&members, b',');
        let rows = rows(&text, b',');
        let bo = rows.iter().find(|r| r["member_id"] == "c2").cloned().unwrap_or_default();
        let mut names: Vec<&str> = bo["partner_names"].split("; ").collect();
        names.sort_unstable();
        assert_eq!(names, ["Cy", "Dubois, Renée"]);
        assert_eq!(bo["partner_emails"], "r@x.org");
        assert!(bo["partners"].contains("\"Dubois, Renée\" <r@x.org>"), "{}", bo["partners"]);
        assert_eq!(name_and_email("A \"B\" C", "a@x"), "\"A \\\"B\\\" C\" <a@x>");
    }

    fn mentoring_input() -> MentoringInput {
        let profile = |id: &str, name: &str| Profile {
            id: id.to_owned(),
            name: name.to_owned(),
            email: format!("{id}@x.org"),
            ..Profile::default()
        };
        MentoringInput {
            mentees: vec![
                Mentee { profile: profile("e1", "Ana"), ..Mentee::default() },
                Mentee { profile: profile("e2", "Bo"), ..Mentee::default() },
            ],
            mentors: vec![
                Mentor { profile: profile("m1", "Cy"), capacity: 1, ..Mentor::default() },
                Mentor { profile: profile("m2", "Di"), capacity: 0, ..Mentor::default() },
            ],
            ..MentoringInput::default()
        }
    }

    #[test]
    fn an_unmatched_mentee_gets_a_neutral_note_to_send_and_the_reasons_stay_in_the_explanation() {
        let input = mentoring_input();
        let outcome = match_mentoring(&input, &MentoringOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_mentoring(&outcome, &input, b',', &mut out).unwrap_or_else(|e| panic!("{e}"));
        let rows = rows(&String::from_utf8(out).unwrap_or_default(), b',');
        let unmatched = rows.iter().find(|r| r["status"] == "unmatched").cloned().unwrap_or_default();
        assert_eq!(unmatched["preference_note"], UNMATCHED_NOTE);
        assert!(unmatched["explanation"].contains("Cy"), "{}", unmatched["explanation"]);
    }

    #[test]
    fn pins_and_forbids_written_in_the_output_carry_over_when_it_is_read_back_as_previous() {
        let profile = |id: &str| Profile { id: id.to_owned(), name: id.to_uppercase(), ..Profile::default() };
        let input = MentoringInput {
            mentees: ["e1", "e2", "e3"].map(|id| Mentee { profile: profile(id), ..Mentee::default() }).to_vec(),
            mentors: ["m1", "m2", "m3"]
                .map(|id| Mentor { profile: profile(id), capacity: 1, ..Mentor::default() })
                .to_vec(),
            ..MentoringInput::default()
        };
        let first = MentoringOptions {
            pins: vec![Pair::new("e1", "m3")],
            forbids: vec![Pair::new("e2", "m1"), Pair::new("e2", "m2")],
            ..MentoringOptions::default()
        };
        let outcome = match_mentoring(&input, &first).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_mentoring(&outcome, &input, b';', &mut out).unwrap_or_else(|e| panic!("{e}"));
        let table = rows(&String::from_utf8(out.clone()).unwrap_or_default(), b';');
        let e2 = table.iter().find(|r| r["mentee_id"] == "e2").cloned().unwrap_or_default();
        assert_eq!((e2["status"].as_str(), e2["forbidden"].as_str()), ("unmatched", "m1; m2"));

        // Read back with nothing on the command line: the pin and both forbids hold again.
        let previous =
            crate::csv_input::parse_previous(out.as_slice(), "matches.csv").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(previous.pins, [Pair::new("e1", "m3")]);
        assert_eq!(previous.forbids, [Pair::new("e2", "m1"), Pair::new("e2", "m2")]);
        let again = MentoringOptions {
            previous: previous.pairs,
            previous_pins: previous.pins,
            previous_forbids: previous.forbids,
            ..MentoringOptions::default()
        };
        let outcome = match_mentoring(&input, &again).unwrap_or_else(|e| panic!("{e}"));
        assert!(outcome.moves.is_empty(), "{:?}", outcome.moves);
        assert!(outcome.matches.iter().any(|m| m.mentee_id == "e1" && m.mentor_id == "m3" && m.pinned));
        assert_eq!(outcome.unmatched.len(), 1);
        let summary = outcome.summary();
        assert!(summary.contains("Kept 1 pin from the previous file (e1:m3)."), "{summary}");
        assert!(summary.contains("Kept 2 forbidden pairs from the previous file (e2:m1, e2:m2)."), "{summary}");
    }

    #[test]
    fn the_circle_note_is_fit_for_members_and_tenure_and_reasons_go_to_the_coordinator() {
        let person = |i: u32| CirclePerson {
            id: format!("p{i}"),
            name: format!("P{i}"),
            email: format!("p{i}@x.org"),
            years_experience: i,
            willing_to_facilitate: i == 3,
            // p6 manages everyone else, so no circle can hold them.
            manager_id: (i != 6).then(|| "p6".to_owned()),
            ..CirclePerson::default()
        };
        let people: Vec<CirclePerson> = (0..7).map(person).collect();
        let settings = crate::weights::CircleSettings { min_size: 3, max_size: 4 };
        let outcome = crate::circles::form_circles(&people, &[], &settings).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_circles(&outcome, &people, b',', &mut out).unwrap_or_else(|e| panic!("{e}"));
        let table = rows(&String::from_utf8(out).unwrap_or_default(), b',');
        let row = |id: &str| table.iter().find(|r| r["member_id"] == id).cloned().unwrap_or_default();
        assert_eq!(row("p3")["note"], "You are the facilitator.");
        assert!(row("p3")["coordinator_note"].contains("3 years"), "{}", row("p3")["coordinator_note"]);
        for r in table.iter().filter(|r| r["circle"] != "unplaced" && r["member_id"] != "p3") {
            let expected = if r["facilitator_id"] == "p3" {
                "Facilitator: P3"
            } else {
                assert!(r["coordinator_note"].starts_with("nobody volunteered; ask"), "{}", r["coordinator_note"]);
                "Your circle's facilitator will be confirmed soon."
            };
            assert_eq!(r["note"], expected);
        }
        assert_eq!(row("p6")["note"], UNPLACED_NOTE);
        assert!(row("p6")["coordinator_note"].contains("reporting line"), "{}", row("p6")["coordinator_note"]);
    }

    #[test]
    fn each_mentor_gets_one_row_with_their_mentees_names_and_addresses() {
        let input = mentoring_input();
        let outcome = match_mentoring(&input, &MentoringOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        write_mentors(&outcome, &input, b',', &mut out).unwrap_or_else(|e| panic!("{e}"));
        let rows = rows(&String::from_utf8(out).unwrap_or_default(), b',');
        assert_eq!(rows.len(), 2);
        let got = outcome.matches[0].mentee_id.clone();
        assert_eq!(rows[0]["mentor_email"], "m1@x.org");
        assert_eq!(rows[0]["mentee_emails"], format!("{got}@x.org"));
        assert_eq!(rows[0]["capacity"], "1");
        assert_eq!((rows[1]["mentee_count"].as_str(), rows[1]["mentee_names"].as_str()), ("0", ""));
    }
}
