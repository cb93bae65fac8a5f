//! Writing results as CSV for organisers: mentoring matches with every score component and
//! the explanation, coffee groups, and circles.
//!
//! This module owns the output column layout. Files written here read back as inputs where
//! that is useful: `matches.csv` works as `--previous`, a coffee round works as history.

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

fn two_decimals(x: f64) -> String {
    format!("{x:.2}")
}

/// One row per mentee: matched rows with the score, one column per criterion (points) and
/// the explanation; unmatched rows with the reason.
pub fn write_mentoring(outcome: &MentoringOutcome, input: &MentoringInput, out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["status", "mentee_id", "mentee_name", "mentor_id", "mentor_name", "score"];
    header.extend(Criterion::ALL.iter().map(|c| c.key()));
    header.extend(["explanation", "preference_note", "change"]);
    w.write_record(&header).map_err(csv_err)?;
    let names: HashMap<&str, &str> = input
        .mentees
        .iter()
        .map(|e| &e.profile)
        .chain(input.mentors.iter().map(|r| &r.profile))
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let name = |id: &str| names.get(id).copied().unwrap_or_default().to_owned();
    let (mentee_name, mentor_name) = (name, name);
    let moves: HashMap<&str, &Move> = outcome.moves.iter().map(|m| (m.mentee_id.as_str(), m)).collect();
    let change = |id: &str| {
        moves.get(id).map_or(String::new(), |m| format!("was {}: {}", m.from.as_deref().unwrap_or("unmatched"), m.why))
    };
    for m in &outcome.matches {
        let mut row = vec![
            if m.pinned { "pinned" } else { "matched" }.to_owned(),
            m.mentee_id.clone(),
            mentee_name(&m.mentee_id),
            m.mentor_id.clone(),
            mentor_name(&m.mentor_id),
            two_decimals(m.score),
        ];
        row.extend(m.components.iter().map(|c| two_decimals(c.points)));
        row.push(m.explanation.clone());
        row.push(m.preference_note.clone().unwrap_or_default());
        row.push(change(&m.mentee_id));
        w.write_record(&row).map_err(csv_err)?;
    }
    for u in &outcome.unmatched {
        let mut row = vec![
            "unmatched".to_owned(),
            u.mentee_id.clone(),
            mentee_name(&u.mentee_id),
            String::new(),
            String::new(),
            String::new(),
        ];
        row.extend(Criterion::ALL.iter().map(|_| String::new()));
        row.push(u.explanation.clone());
        row.push(String::new());
        row.push(change(&u.mentee_id));
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush()
}

/// One row per group; the columns `round,member_a,member_b,member_c` make the file usable as
/// history for the next round.
pub fn write_coffee(rounds: &[CoffeeRound], members: &[CoffeeMember], out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "round",
        "group",
        "member_a",
        "member_b",
        "member_c",
        "names",
        "departments",
        "cross_department_pairs",
        "repeated_pairs",
    ])
    .map_err(csv_err)?;
    for round in rounds {
        for (g, group) in round.groups.iter().enumerate() {
            let id = |k: usize| group.members.get(k).map_or(String::new(), |&i| members[i].id.clone());
            let names: Vec<&str> = group.members.iter().map(|&i| members[i].name.as_str()).collect();
            let depts: Vec<&str> = group.members.iter().map(|&i| members[i].department.as_str()).collect();
            w.write_record([
                round.round.to_string(),
                (g + 1).to_string(),
                id(0),
                id(1),
                id(2),
                names.join("; "),
                depts.join("; "),
                group.cross_department_pairs.to_string(),
                group.repeated_pairs.to_string(),
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()
}

/// One row per circle, then one per person left unplaced.
pub fn write_circles(outcome: &CirclesOutcome, people: &[CirclePerson], out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "circle",
        "size",
        "member_ids",
        "member_names",
        "facilitator_id",
        "facilitator_name",
        "facilitator_note",
        "shared_threads",
        "common_threads",
    ])
    .map_err(csv_err)?;
    for (c, circle) in outcome.circles.iter().enumerate() {
        let ids: Vec<&str> = circle.members.iter().map(|&m| people[m].id.as_str()).collect();
        let names: Vec<&str> = circle.members.iter().map(|&m| people[m].name.as_str()).collect();
        let (fid, fname) = circle
            .facilitator
            .map_or((String::new(), String::new()), |f| (people[f].id.clone(), people[f].name.clone()));
        w.write_record([
            (c + 1).to_string(),
            circle.members.len().to_string(),
            ids.join("; "),
            names.join("; "),
            fid,
            fname,
            circle.facilitator_note.clone(),
            two_decimals(circle.shared_threads),
            circle.common_threads.join("; "),
        ])
        .map_err(csv_err)?;
    }
    for (p, why) in &outcome.unplaced {
        w.write_record([
            "unplaced".to_owned(),
            String::new(),
            people[*p].id.clone(),
            people[*p].name.clone(),
            String::new(),
            String::new(),
            why.clone(),
            String::new(),
            String::new(),
        ])
        .map_err(csv_err)?;
    }
    w.flush()
}
