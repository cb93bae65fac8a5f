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
use crate::mentoring::{MentoringInput, MentoringOutcome, Move};
use crate::score::Criterion;

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A CSV writer that has already written the byte-order mark.
fn writer<W: Write>(mut out: W) -> io::Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::Writer::from_writer(out))
}

/// `Ana Silva <ana@example.org>`, or the name alone when the email is unknown.
fn name_and_email(name: &str, email: &str) -> String {
    if email.is_empty() { name.to_owned() } else { format!("{name} <{email}>") }
}

fn two_decimals(x: f64) -> String {
    format!("{x:.2}")
}

/// One row per mentee: matched rows with the score, one column per criterion (points) and
/// the explanation; unmatched rows with the reason. `preference_note` speaks only of the
/// mentee's own choices, so it can be mail-merged to them; `coordinator_note` names the
/// other mentees involved and stays with the organiser.
pub fn write_mentoring(outcome: &MentoringOutcome, input: &MentoringInput, out: impl Write) -> io::Result<()> {
    let mut w = writer(out)?;
    let mut header =
        vec!["status", "mentee_id", "mentee_name", "mentee_email", "mentor_id", "mentor_name", "mentor_email", "score"];
    header.extend(Criterion::ALL.iter().map(|c| c.key()));
    header.extend(["explanation", "preference_note", "coordinator_note", "change"]);
    w.write_record(&header).map_err(csv_err)?;
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
        w.write_record(&row).map_err(csv_err)?;
    }
    for u in &outcome.unmatched {
        let mut row = vec!["unmatched".to_owned(), u.mentee_id.clone()];
        row.extend(name_email(&u.mentee_id));
        row.extend([String::new(), String::new(), String::new(), String::new()]);
        row.extend(Criterion::ALL.iter().map(|_| String::new()));
        row.push(u.explanation.clone());
        row.extend([String::new(), String::new()]);
        row.push(change(&u.mentee_id));
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush()
}

/// One row per person taking part, with their group number and partners (`Name <email>`),
/// ready for a mail merge; the `round,group,member_id` columns make the file usable as
/// history for the next round.
pub fn write_coffee(rounds: &[CoffeeRound], members: &[CoffeeMember], out: impl Write) -> io::Result<()> {
    let mut w = writer(out)?;
    w.write_record([
        "round",
        "group",
        "member_id",
        "name",
        "email",
        "partners",
        "cross_department_pairs",
        "repeated_pairs",
    ])
    .map_err(csv_err)?;
    for round in rounds {
        for (g, group) in round.groups.iter().enumerate() {
            for &i in &group.members {
                let partners: Vec<String> = group
                    .members
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| name_and_email(&members[j].name, &members[j].email))
                    .collect();
                w.write_record([
                    round.round.to_string(),
                    (g + 1).to_string(),
                    members[i].id.clone(),
                    members[i].name.clone(),
                    members[i].email.clone(),
                    partners.join("; "),
                    group.cross_department_pairs.to_string(),
                    group.repeated_pairs.to_string(),
                ])
                .map_err(csv_err)?;
            }
        }
    }
    w.flush()
}

/// One row per person: their circle, the other members (`Name <email>`) and the suggested
/// facilitator, ready for a mail merge; then one row per person left unplaced, with why in
/// `note`.
pub fn write_circles(outcome: &CirclesOutcome, people: &[CirclePerson], out: impl Write) -> io::Result<()> {
    let mut w = writer(out)?;
    w.write_record([
        "circle",
        "size",
        "member_id",
        "name",
        "email",
        "other_members",
        "facilitator_id",
        "facilitator_name",
        "facilitator_email",
        "note",
        "shared_threads",
        "common_threads",
    ])
    .map_err(csv_err)?;
    for (c, circle) in outcome.circles.iter().enumerate() {
        let (fid, fname, femail) = circle
            .facilitator
            .map_or_else(Default::default, |f| (people[f].id.clone(), people[f].name.clone(), people[f].email.clone()));
        for &m in &circle.members {
            let others: Vec<String> = circle
                .members
                .iter()
                .filter(|&&o| o != m)
                .map(|&o| name_and_email(&people[o].name, &people[o].email))
                .collect();
            w.write_record([
                (c + 1).to_string(),
                circle.members.len().to_string(),
                people[m].id.clone(),
                people[m].name.clone(),
                people[m].email.clone(),
                others.join("; "),
                fid.clone(),
                fname.clone(),
                femail.clone(),
                circle.facilitator_note.clone(),
                two_decimals(circle.shared_threads),
                circle.common_threads.join("; "),
            ])
            .map_err(csv_err)?;
        }
    }
    for (p, why) in &outcome.unplaced {
        let mut row = vec!["unplaced".to_owned(), String::new()];
        row.extend([people[*p].id.clone(), people[*p].name.clone(), people[*p].email.clone()]);
        row.extend([String::new(), String::new(), String::new(), String::new(), why.clone()]);
        row.extend([String::new(), String::new()]);
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush()
}
