//! Reading the organiser's CSV files into the plain input structs, with errors that name the
//! file, line, column, what is wrong and how to fix it.
//!
//! This module owns column names (case-insensitive; spaces and dashes count as `_`), list
//! cells (`;`-separated), yes/no cells and the cross-file checks (preferences naming real
//! people). It reads from any `std::io::Read`; opening files is the caller's job.

use std::collections::HashMap;
use std::io::{self, Read};

use crate::circles::CirclePerson;
use crate::coffee::{CoffeeMember, PastGroup};
use crate::error::{InputError, InputErrorKind};
use crate::mentoring::{Mentee, Mentor, Pair, Profile};
use crate::time_zone;

/// Mentees and mentors, parsed and cross-checked: every preference must name someone in
/// the other file. Warnings (unknown columns, a `manager_id` nobody in the files or in
/// `org_chart` has) go to `warnings`: the files still work, but may not mean what was meant.
pub fn read_mentoring(
    mentees: impl Read,
    mentees_file: &str,
    mentors: impl Read,
    mentors_file: &str,
    org_chart: &[(String, Option<String>)],
    warnings: &mut Vec<String>,
) -> Result<(Vec<Mentee>, Vec<Mentor>), InputError> {
    let (mentees, mentee_lines) = parse_mentees(mentees, mentees_file, warnings)?;
    let (mentors, mentor_lines) = parse_mentors(mentors, mentors_file, warnings)?;
    let check = |prefs: &[String],
                 line: u64,
                 file: &str,
                 known: &dyn Fn(&str) -> bool,
                 kind: &str,
                 known_in: &str|
     -> Result<(), InputError> {
        match prefs.iter().find(|id| !known(id)) {
            Some(id) => Err(InputErrorKind::UnknownId {
                file: file.to_owned(),
                line,
                column: 0,
                header: "preferences".to_owned(),
                id: id.clone(),
                kind: kind.to_owned(),
                known_in: known_in.to_owned(),
            }
            .into()),
            None => Ok(()),
        }
    };
    let mentor_ids: HashMap<&str, ()> = mentors.iter().map(|r| (r.profile.id.as_str(), ())).collect();
    let mentee_ids: HashMap<&str, ()> = mentees.iter().map(|e| (e.profile.id.as_str(), ())).collect();
    for (e, line) in mentees.iter().zip(&mentee_lines) {
        check(&e.preferences, line.0, mentees_file, &|id| mentor_ids.contains_key(id), "mentor id", mentors_file)
            .map_err(|err| with_column(err, line.1))?;
    }
    for (r, line) in mentors.iter().zip(&mentor_lines) {
        check(&r.preferences, line.0, mentors_file, &|id| mentee_ids.contains_key(id), "mentee id", mentees_file)
            .map_err(|err| with_column(err, line.1))?;
    }
    // A misspelt manager id silently cuts the reporting line, and with it the rule that
    // nobody is mentored by someone above them. One warning per unknown id, naming its rows.
    let known =
        |id: &str| mentee_ids.contains_key(id) || mentor_ids.contains_key(id) || org_chart.iter().any(|(p, _)| p == id);
    let rows = mentees.iter().map(|e| &e.profile).zip(mentee_lines.iter().map(|l| (mentees_file, l.0)));
    let rows = rows.chain(mentors.iter().map(|r| &r.profile).zip(mentor_lines.iter().map(|l| (mentors_file, l.0))));
    let mut unknown: Vec<(&str, Vec<String>)> = Vec::new();
    for (p, (file, line)) in rows {
        let Some(manager) = p.manager_id.as_deref().filter(|m| !known(m)) else { continue };
        let row = format!("{file} line {line}");
        match unknown.iter_mut().find(|(m, _)| *m == manager) {
            Some((_, list)) => list.push(row),
            None => unknown.push((manager, vec![row])),
        }
    }
    for (manager, rows) in unknown {
        warnings.push(format!(
            "manager_id \"{manager}\" ({}) is not in {mentees_file}, {mentors_file} or the org chart, so \
             the reporting line stops there and nobody above them is known. Check the spelling, or \
             add {manager} to the org chart file.",
            rows.join(", ")
        ));
    }
    Ok((mentees, mentors))
}

fn with_column(err: InputError, column: usize) -> InputError {
    let mut kind = err.into_kind();
    if let InputErrorKind::UnknownId { column: c, .. } = &mut kind {
        *c = column;
    }
    kind.into()
}

/// (line, column of `preferences`) for each parsed row, for cross-file messages.
type Lines = Vec<(u64, usize)>;

fn parse_profile(row: &Row<'_>, cols: &ProfileColumns) -> Result<Profile, InputError> {
    Ok(Profile {
        id: row.required(cols.id, "an id, such as e01")?,
        name: row.text(cols.name),
        email: row.text(cols.email),
        department: row.text(cols.department),
        level: row.number(cols.level, 0, "Write the level as a whole number, such as 3")?,
        time_zone: row.time_zone(cols.time_zone)?,
        languages: row.list(cols.languages),
        years_experience: row.number(cols.years, 0, "Write the years of experience as a whole number, such as 12")?,
        manager_id: Some(row.text(cols.manager)).filter(|m| !m.is_empty()),
        exclude: row.list(cols.exclude),
    })
}

struct ProfileColumns {
    id: usize,
    name: Option<usize>,
    email: Option<usize>,
    department: Option<usize>,
    level: Option<usize>,
    time_zone: Option<usize>,
    languages: Option<usize>,
    years: Option<usize>,
    manager: Option<usize>,
    exclude: Option<usize>,
}

impl ProfileColumns {
    fn find(sheet: &mut Sheet) -> Result<Self, InputError> {
        Ok(Self {
            id: sheet.required(&["id"])?,
            name: sheet.column(&["name", "full_name"]),
            email: sheet.column(&["email", "e_mail"]),
            department: sheet.column(&["department", "dept", "function"]),
            level: sheet.column(&["level", "grade"]),
            time_zone: sheet.column(&["time_zone", "timezone", "tz", "utc_offset"]),
            languages: sheet.column(&["languages", "language"]),
            years: sheet.column(&["years_experience", "years", "experience"]),
            manager: sheet.column(&["manager_id", "manager"]),
            exclude: sheet.column(&["exclude", "exclusions", "avoid"]),
        })
    }
}

/// Columns only a mentees file has, and only a mentors file has: a file with the other
/// kind's and none of its own was given the wrong way round.
const MENTEE_ONLY: [&str; 3] = ["skills_wanted", "wanted_skills", "preferred_mentors"];
const MENTOR_ONLY: [&str; 6] =
    ["skills_offered", "offered_skills", "can_help_with", "capacity", "places", "max_mentees"];

fn refuse_swapped(sheet: &Sheet, own: &[&str], other: &[&str], looks_like: &str) -> Result<(), InputError> {
    if sheet.has_any(own) || !sheet.has_any(other) {
        return Ok(());
    }
    let found: Vec<&str> = sheet
        .raw_headers
        .iter()
        .zip(&sheet.headers)
        .filter(|(_, h)| other.contains(&h.as_str()))
        .map(|(r, _)| r.as_str())
        .collect();
    Err(InputErrorKind::LooksSwapped {
        file: sheet.file.clone(),
        looks_like: looks_like.to_owned(),
        found: found.join(", "),
        expected: own.join(", "),
    }
    .into())
}

/// Parses a mentees file.
pub(crate) fn parse_mentees(
    reader: impl Read,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Mentee>, Lines), InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    refuse_swapped(&sheet, &MENTEE_ONLY, &MENTOR_ONLY, "mentors")?;
    let cols = ProfileColumns::find(&mut sheet)?;
    let skills = sheet.column(&["skills_wanted", "skills", "wanted_skills"]);
    let goals = sheet.column(&["goals"]);
    let prefs = sheet.column(&["preferences", "preferred_mentors"]);
    let mut out = Vec::new();
    let mut lines = Vec::new();
    sheet.warn_unknown_columns(warnings);
    let mut people = Register::default();
    let mut no_email = NoEmail::default();
    sheet.for_each_row(|row| {
        let profile = parse_profile(row, &cols)?;
        people.register(&profile.id, &profile.email, row.line, file)?;
        no_email.check(&profile.id, &profile.email, row.line);
        lines.push((row.line, prefs.map_or(0, |c| c + 1)));
        out.push(Mentee {
            profile,
            skills_wanted: row.list(skills),
            goals: row.list(goals),
            preferences: row.list(prefs),
        });
        Ok(())
    })?;
    non_empty(&out, file, "mentee")?;
    no_email.warn(file, cols.email.is_some(), warnings);
    Ok((out, lines))
}

/// Parses a mentors file. An empty capacity means 1.
pub(crate) fn parse_mentors(
    reader: impl Read,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Mentor>, Lines), InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    refuse_swapped(&sheet, &MENTOR_ONLY, &MENTEE_ONLY, "mentees")?;
    let cols = ProfileColumns::find(&mut sheet)?;
    let skills = sheet.column(&["skills_offered", "skills", "offered_skills"]);
    let goals = sheet.column(&["goals", "can_help_with"]);
    let capacity = sheet.column(&["capacity", "places", "max_mentees"]);
    let prefs = sheet.column(&["preferences", "preferred_mentees"]);
    let mut out = Vec::new();
    let mut lines = Vec::new();
    sheet.warn_unknown_columns(warnings);
    let mut people = Register::default();
    let mut no_email = NoEmail::default();
    sheet.for_each_row(|row| {
        let profile = parse_profile(row, &cols)?;
        people.register(&profile.id, &profile.email, row.line, file)?;
        no_email.check(&profile.id, &profile.email, row.line);
        lines.push((row.line, prefs.map_or(0, |c| c + 1)));
        out.push(Mentor {
            profile,
            skills_offered: row.list(skills),
            goals: row.list(goals),
            capacity: row.number(
                capacity,
                1,
                "Write how many mentees they take as a whole number, such as 2 (0 = none this time)",
            )?,
            preferences: row.list(prefs),
        });
        Ok(())
    })?;
    non_empty(&out, file, "mentor")?;
    no_email.warn(file, cols.email.is_some(), warnings);
    Ok((out, lines))
}

/// Parses a file of (mentee, mentor) pairs: past programmes, or a previous proposal (the
/// `matches.csv` this crate writes works as is; its unmatched rows are skipped).
pub fn parse_pairs(reader: impl Read, file: &str) -> Result<Vec<Pair>, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let mentee = sheet.required(&["mentee_id", "mentee"])?;
    let mentor = sheet.required(&["mentor_id", "mentor"])?;
    let mut out = Vec::new();
    sheet.for_each_row(|row| {
        let e = row.required(mentee, "the mentee's id")?;
        let r = row.text(Some(mentor));
        if !r.is_empty() {
            out.push(Pair::new(e, r));
        }
        Ok(())
    })?;
    Ok(out)
}

/// A previous proposal read back: its pairs, the pairs the organiser had pinned (rows with
/// status `pinned`) and the pairs they had ruled out (the `forbidden` column: the mentor ids
/// ruled out for that row's mentee). See [`crate::mentoring::MentoringOptions`] for how pins
/// and forbids carry over.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PreviousProposal {
    pub pairs: Vec<Pair>,
    pub pins: Vec<Pair>,
    pub forbids: Vec<Pair>,
}

/// Parses a previous proposal (`--previous`): a `matches.csv` this crate wrote, or any file
/// of `mentee_id,mentor_id` pairs. `status` and `forbidden` are read when present.
pub fn parse_previous(reader: impl Read, file: &str) -> Result<PreviousProposal, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let mentee = sheet.required(&["mentee_id", "mentee"])?;
    let mentor = sheet.required(&["mentor_id", "mentor"])?;
    let status = sheet.column(&["status"]);
    let forbidden = sheet.column(&["forbidden"]);
    let mut out = PreviousProposal::default();
    sheet.for_each_row(|row| {
        let e = row.required(mentee, "the mentee's id")?;
        let r = row.text(Some(mentor));
        for f in row.list(forbidden) {
            out.forbids.push(Pair::new(&e, f));
        }
        if !r.is_empty() {
            if row.text(status).eq_ignore_ascii_case("pinned") {
                out.pins.push(Pair::new(&e, &r));
            }
            out.pairs.push(Pair::new(e, r));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Parses an org chart: `id,manager_id` for people outside the programme whose place in a
/// reporting line matters.
pub fn parse_org_chart(reader: impl Read, file: &str) -> Result<Vec<(String, Option<String>)>, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let id = sheet.required(&["id"])?;
    let manager = sheet.required(&["manager_id", "manager"])?;
    let mut out = Vec::new();
    sheet.for_each_row(|row| {
        let person = row.required(id, "the person's id")?;
        let m = row.text(Some(manager));
        out.push((person, (!m.is_empty()).then_some(m)));
        Ok(())
    })?;
    Ok(out)
}

/// Parses coffee-chat members. Empty `opted_in` means yes, empty `skip` means no.
pub fn parse_coffee_members(
    reader: impl Read,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<CoffeeMember>, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let id = sheet.required(&["id"])?;
    let name = sheet.column(&["name", "full_name"]);
    let email = sheet.column(&["email", "e_mail"]);
    let department = sheet.column(&["department", "dept"]);
    let location = sheet.column(&["location", "office", "site"]);
    let zone = sheet.column(&["time_zone", "timezone", "tz", "utc_offset"]);
    let opted = sheet.column(&["opted_in", "opt_in", "active"]);
    let skip = sheet.column(&["skip", "skip_round", "away"]);
    sheet.warn_unknown_columns(warnings);
    let mut out = Vec::new();
    let mut people = Register::default();
    let mut no_email = NoEmail::default();
    sheet.for_each_row(|row| {
        let member = CoffeeMember {
            id: row.required(id, "an id, such as c001")?,
            name: row.text(name),
            email: row.text(email),
            department: row.text(department),
            location: row.text(location),
            time_zone: row.time_zone(zone)?,
            opted_in: row.yes_no(opted, true)?,
            skip: row.yes_no(skip, false)?,
        };
        people.register(&member.id, &member.email, row.line, file)?;
        // Members who opted out get no letter anyway.
        if member.opted_in {
            no_email.check(&member.id, &member.email, row.line);
        }
        out.push(member);
        Ok(())
    })?;
    non_empty(&out, file, "member")?;
    no_email.warn(file, email.is_some(), warnings);
    Ok(out)
}

/// Parses coffee history: `round` and either `group,member_id` with one row per person (the
/// format this crate writes; rows of the same round and group are one group),
/// `member_a,member_b[,member_c]`, or one `members` cell listing ids separated by `;`.
///
/// Ids are checked against `members` (read from `members_file`): an id nobody has is a
/// meeting the next round cannot avoid, as when a spreadsheet turned `c03` into `c3`. With
/// one row per person and an `email` column, such a row is matched to the member with that
/// email (in any case); every unknown id is named in `warnings`, with what was done.
pub fn parse_coffee_history(
    reader: impl Read,
    file: &str,
    members: &[CoffeeMember],
    members_file: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<PastGroup>, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let round = sheet.required(&["round"])?;
    let person = sheet.column(&["member_id"]);
    let group = match person {
        Some(_) => Some(sheet.required(&["group"])?),
        None => None,
    };
    let email = person.and_then(|_| sheet.column(&["email", "e_mail"]));
    let listed = sheet.column(&["members"]);
    let a = sheet.column(&["member_a"]);
    let b = sheet.column(&["member_b"]);
    let c = sheet.column(&["member_c"]);
    if person.is_none() && listed.is_none() && (a.is_none() || b.is_none()) {
        sheet.required(&["member_a"])?;
        sheet.required(&["member_b"])?;
    }
    let known: HashMap<&str, ()> = members.iter().map(|m| (m.id.as_str(), ())).collect();
    let by_email: HashMap<String, &str> = members
        .iter()
        .filter(|m| !m.email.trim().is_empty())
        .map(|m| (m.email.trim().to_lowercase(), m.id.as_str()))
        .collect();
    // Unknown id → (lines, what its email cell gave).
    let mut unknown: Vec<(String, Vec<u64>, ByEmail)> = Vec::new();
    let mut note =
        |id: &str, line: u64, found: ByEmail| match unknown.iter_mut().find(|(u, _, f)| u == id && *f == found) {
            Some((_, lines, _)) => lines.push(line),
            None => unknown.push((id.to_owned(), vec![line], found)),
        };
    let mut out: Vec<PastGroup> = Vec::new();
    let mut group_at: HashMap<(u32, String), usize> = HashMap::new();
    sheet.for_each_row(|row| {
        let r = row.number(Some(round), 0, "Write the round number, such as 3")?;
        if row.text(Some(round)).is_empty() {
            return Err(row.bad(round, "is empty", "Write the round number, such as 3"));
        }
        if let Some(col) = person {
            let mut id = row.text(Some(col));
            // "unplaced" and empty groups are not meetings.
            let g = row.text(group);
            if !id.is_empty() && g.parse::<u32>().is_ok() {
                if !known.contains_key(id.as_str()) {
                    let cell = row.text(email).to_lowercase();
                    let found = match by_email.get(&cell) {
                        _ if email.is_none() => ByEmail::NoColumn,
                        _ if cell.is_empty() => ByEmail::EmptyCell,
                        Some(m) => ByEmail::Member((*m).to_owned()),
                        None => ByEmail::Unknown,
                    };
                    let matched = match &found {
                        ByEmail::Member(m) => Some(m.clone()),
                        _ => None,
                    };
                    note(&id, row.line, found);
                    if let Some(m) = matched {
                        id = m;
                    }
                }
                let at = *group_at.entry((r, g)).or_insert_with(|| {
                    out.push(PastGroup { round: r, members: Vec::new() });
                    out.len() - 1
                });
                out[at].members.push(id);
            }
            return Ok(());
        }
        let ids = match listed {
            Some(col) => row.list(Some(col)),
            None => [a, b, c].into_iter().map(|col| row.text(col)).filter(|s| !s.is_empty()).collect(),
        };
        for id in ids.iter().filter(|id| !known.contains_key(id.as_str())) {
            note(id, row.line, ByEmail::NoColumn);
        }
        out.push(PastGroup { round: r, members: ids });
        Ok(())
    })?;
    for (id, lines, matched) in unknown {
        let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
        let at = format!("{file} line{} {}", if lines.len() == 1 { "" } else { "s" }, lines.join(", "));
        let cannot = format!(
            "member id \"{id}\" ({at}) is not in {members_file}, so those meetings cannot be avoided. \
             Check the id (a spreadsheet may have dropped a leading zero: c3 for c03)"
        );
        warnings.push(match matched {
            ByEmail::Member(m) => format!(
                "member id \"{id}\" ({at}) is not in {members_file}; its email belongs to {m}, so \
                 those meetings count as {m}'s. Correct the id if that is wrong."
            ),
            ByEmail::NoColumn => format!("{cannot}, or add an email column to the history."),
            ByEmail::EmptyCell => format!("{cannot}, or fill in the empty email cell."),
            ByEmail::Unknown => format!("{cannot}; its email is not in {members_file} either."),
        });
    }
    out.retain(|g| g.members.len() >= 2);
    Ok(out)
}

/// What the email cell of a history row with an unknown id gave.
#[derive(Clone, Debug, PartialEq)]
enum ByEmail {
    /// The member with that email.
    Member(String),
    /// The history has no email column (or is in an older form without one).
    NoColumn,
    /// The column is there, but this row's cell is empty.
    EmptyCell,
    /// An email no member has.
    Unknown,
}

/// Parses people for peer-learning circles. Empty `willing_to_facilitate` means no. A
/// `manager_id` that neither the file nor `org_chart` (the `--org` file) defines is warned
/// about, as for mentoring: the chain stops there, and with it the boss's-boss rule.
pub fn parse_circle_people(
    reader: impl Read,
    file: &str,
    org_chart: &[(String, Option<String>)],
    warnings: &mut Vec<String>,
) -> Result<Vec<CirclePerson>, InputError> {
    let mut sheet = Sheet::new(reader, file)?;
    let id = sheet.required(&["id"])?;
    let name = sheet.column(&["name", "full_name"]);
    let email = sheet.column(&["email", "e_mail"]);
    let level = sheet.column(&["level", "grade"]);
    let function = sheet.column(&["function", "department", "dept"]);
    let years = sheet.column(&["years_experience", "years", "experience"]);
    let projects = sheet.column(&["projects", "project"]);
    let manager = sheet.column(&["manager_id", "manager"]);
    let supports = sheet.column(&["supports", "assists", "executives"]);
    let willing = sheet.column(&["willing_to_facilitate", "facilitator", "facilitate"]);
    sheet.warn_unknown_columns(warnings);
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let mut people = Register::default();
    let mut no_email = NoEmail::default();
    sheet.for_each_row(|row| {
        let person = CirclePerson {
            id: row.required(id, "an id, such as p001")?,
            name: row.text(name),
            email: row.text(email),
            level: row.number(level, 0, "Write the level as a whole number, such as 3")?,
            function: row.text(function),
            years_experience: row.number(years, 0, "Write the years of experience as a whole number, such as 12")?,
            projects: row.list(projects),
            manager_id: Some(row.text(manager)).filter(|m| !m.is_empty()),
            supports: row.list(supports),
            willing_to_facilitate: row.yes_no(willing, false)?,
        };
        people.register(&person.id, &person.email, row.line, file)?;
        no_email.check(&person.id, &person.email, row.line);
        lines.push(row.line);
        out.push(person);
        Ok(())
    })?;
    non_empty(&out, file, "person")?;
    no_email.warn(file, email.is_some(), warnings);
    let known: HashMap<&str, ()> = out
        .iter()
        .map(|p| p.id.as_str())
        .chain(org_chart.iter().map(|(id, _)| id.as_str()))
        .map(|id| (id, ()))
        .collect();
    let mut unknown: Vec<(&str, Vec<String>)> = Vec::new();
    for (p, line) in out.iter().zip(&lines) {
        let Some(manager) = p.manager_id.as_deref().filter(|m| !known.contains_key(m)) else { continue };
        let row = line.to_string();
        match unknown.iter_mut().find(|(m, _)| *m == manager) {
            Some((_, list)) => list.push(row),
            None => unknown.push((manager, vec![row])),
        }
    }
    for (manager, rows) in unknown {
        warnings.push(format!(
            "manager_id \"{manager}\" ({file} line{} {}) is not in {file} or the org chart, so the \
             reporting line stops there and nobody above them is known (the rule about a boss's \
             boss cannot apply). Check the spelling, or pass an org chart with --org that lists \
             {manager} and their manager.",
            if rows.len() == 1 { "" } else { "s" },
            rows.join(", ")
        ));
    }
    Ok(out)
}

/// Rows of one people file with an empty email: they get no letter, and the letters of their
/// partners (mentor, mentees, coffee partners, circle members) cannot give their address.
#[derive(Default)]
struct NoEmail {
    rows: Vec<String>,
}

impl NoEmail {
    fn check(&mut self, id: &str, email: &str, line: u64) {
        if email.trim().is_empty() {
            self.rows.push(format!("line {line} ({id})"));
        }
    }

    /// One warning for the whole file, naming the first ten rows.
    fn warn(self, file: &str, has_column: bool, warnings: &mut Vec<String>) {
        const CONSEQUENCE: &str = "they get no letter, and partners' letters cannot give an address";
        if self.rows.is_empty() {
            return;
        }
        if !has_column {
            warnings.push(format!("{file} has no email column: {CONSEQUENCE}. Add an email column."));
            return;
        }
        let more = self.rows.len().saturating_sub(10);
        let mut list = self.rows[..self.rows.len() - more].join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        warnings.push(format!("{file}: no email on {list}: {CONSEQUENCE}. Fill in their email."));
    }
}

fn non_empty<T>(items: &[T], file: &str, what: &str) -> Result<(), InputError> {
    if items.is_empty() {
        return Err(InputErrorKind::NoRows { file: file.to_owned(), what: what.to_owned() }.into());
    }
    Ok(())
}

/// Ids and emails seen so far in one file: the same id, or the same email in any case, on
/// two rows is one person twice.
#[derive(Default)]
struct Register {
    ids: HashMap<String, u64>,
    emails: HashMap<String, u64>,
}

impl Register {
    fn register(&mut self, id: &str, email: &str, line: u64, file: &str) -> Result<(), InputError> {
        if let Some(&first_line) = self.ids.get(id) {
            return Err(
                InputErrorKind::DuplicateId { file: file.to_owned(), line, id: id.to_owned(), first_line }.into()
            );
        }
        self.ids.insert(id.to_owned(), line);
        let email = email.to_lowercase();
        if let Some(&first_line) = self.emails.get(&email) {
            return Err(InputErrorKind::DuplicateEmail { file: file.to_owned(), line, email, first_line }.into());
        }
        if !email.is_empty() {
            self.emails.insert(email, line);
        }
        Ok(())
    }
}

/// A CSV file with a header row, read whole (organisers' files are small) so that the
/// encoding and the separator can be checked before parsing.
struct Sheet {
    file: String,
    reader: csv::Reader<io::Cursor<Vec<u8>>>,
    /// Lines before the header that the reader does not see (Excel's `sep=` line), added
    /// back to every line number in messages.
    skipped_lines: u64,
    /// Normalised header names.
    headers: Vec<String>,
    /// Header names as written, for messages.
    raw_headers: Vec<String>,
    /// Columns some lookup asked for; the others are reported as unknown.
    used: Vec<bool>,
    /// The file had bytes that are not UTF-8, read as U+FFFD: a cell of a used column holding
    /// one is an error, a cell nobody reads is not (a Windows-1252 "notes" column in a
    /// history file should not stop a run).
    undecodable: bool,
    /// A column asked for whose name appears twice in the header row.
    duplicate: Option<InputError>,
}

/// `"Years of Experience"` → `"years_of_experience"`.
fn normalise_header(h: &str) -> String {
    h.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect()
}

/// The separator and how many leading lines to skip: Excel's `sep=;` first line when present,
/// else whichever of comma, semicolon and tab the header row holds most of outside quotes
/// (comma on a tie). Excel with European regional settings saves "CSV" with semicolons.
fn separator(text: &[u8]) -> (u8, u64) {
    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    if let [s, e, p, b'=', sep] = first
        && [s, e, p].map(u8::to_ascii_lowercase) == *b"sep"
    {
        return (*sep, 1);
    }
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in first {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(sep, _)| *sep == b) {
            c.1 += 1;
        }
    }
    // `max_by_key` keeps the last of equals; reversed, the first (comma) wins a tie.
    let sep = counts.iter().rev().max_by_key(|(_, n)| *n).map_or(b',', |(sep, _)| *sep);
    (sep, 0)
}

/// The separator a file uses (comma, semicolon or tab), decided as when reading it: outputs
/// are written with the main input's separator, so a file from Excel with European settings
/// (`;`) gets results Excel opens in columns.
pub fn separator_of(bytes: &[u8]) -> u8 {
    separator(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).0
}

/// CRLF and lone CR line ends as LF. The CSV reader counts the line of a record ending in
/// CRLF before reading its LF, so every line number in an Excel file (CRLF) would be one
/// too low.
fn lf_line_ends(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        if b == b'\r' {
            iter.next_if_eq(&&b'\n');
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    out
}

impl Sheet {
    fn new(mut reader: impl Read, file: &str) -> Result<Self, InputError> {
        let malformed = |line: u64, problem: String, fix: &str| -> InputError {
            InputErrorKind::Malformed { file: file.to_owned(), line, problem, fix: fix.to_owned() }.into()
        };
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| malformed(1, format!("the file cannot be read ({e})"), "Check the file and try again"))?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        // Bytes that are not UTF-8 become U+FFFD here; only the cells that are read are
        // checked for them (`for_each_row`), with the line and column.
        let undecodable = std::str::from_utf8(&bytes).is_err();
        if undecodable {
            bytes = String::from_utf8_lossy(&bytes).into_owned().into_bytes();
        }
        let mut bytes = lf_line_ends(&bytes);
        let (sep, skipped_lines) = separator(&bytes);
        if skipped_lines > 0 {
            let end = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1);
            bytes.drain(..end);
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sep)
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(io::Cursor::new(bytes));
        let raw: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|h| h.trim().to_owned()).collect(),
            Err(e) => return Err(malformed_csv(file, skipped_lines, &e)),
        };
        if raw.iter().all(String::is_empty) {
            return Err(malformed(
                1 + skipped_lines,
                "the file is empty or has no header row".to_owned(),
                "Put the column names on the first line, for example id,name,email",
            ));
        }
        Ok(Self {
            file: file.to_owned(),
            skipped_lines,
            headers: raw.iter().map(|h| normalise_header(h)).collect(),
            used: vec![false; raw.len()],
            raw_headers: raw,
            reader,
            undecodable,
            duplicate: None,
        })
    }

    /// The first column named by any alias. A name that appears twice ("skills_wanted" and
    /// "Skills Wanted") is an error when the rows are read: which one counts is a guess.
    fn column(&mut self, names: &[&str]) -> Option<usize> {
        let found = names.iter().find_map(|n| self.headers.iter().position(|h| h == n));
        if let Some(c) = found {
            self.used[c] = true;
            let twice = self.headers.iter().enumerate().skip(c + 1).find(|(_, h)| **h == self.headers[c]);
            if let Some((d, _)) = twice
                && self.duplicate.is_none()
            {
                self.used[d] = true;
                self.duplicate = Some(
                    InputErrorKind::Malformed {
                        file: self.file.clone(),
                        line: 1 + self.skipped_lines,
                        problem: format!(
                            "the column {} appears twice (column {}, \"{}\", and column {}, \"{}\")",
                            self.headers[c],
                            c + 1,
                            self.raw_headers[c],
                            d + 1,
                            self.raw_headers[d]
                        ),
                        fix: "Delete or rename one of them, so it is clear which one counts".to_owned(),
                    }
                    .into(),
                );
            }
        }
        found
    }

    fn has_any(&self, names: &[&str]) -> bool {
        self.headers.iter().any(|h| names.contains(&h.as_str()))
    }

    fn required(&mut self, names: &[&str]) -> Result<usize, InputError> {
        self.column(names).ok_or_else(|| {
            let found: Vec<&str> = self.raw_headers.iter().map(String::as_str).filter(|h| !h.is_empty()).collect();
            InputErrorKind::MissingColumn {
                file: self.file.clone(),
                column: names[0].to_owned(),
                found: found.join(", "),
            }
            .into()
        })
    }

    /// One warning listing the non-empty columns no lookup asked for (a misspelt
    /// `skils_wanted` would otherwise be ignored without a word).
    fn warn_unknown_columns(&self, warnings: &mut Vec<String>) {
        let unknown: Vec<&str> = self
            .raw_headers
            .iter()
            .zip(&self.used)
            .filter(|(h, used)| !**used && !h.is_empty())
            .map(|(h, _)| h.as_str())
            .collect();
        if !unknown.is_empty() {
            warnings.push(format!(
                "{}: ignoring column{} {}, which this command does not use. Check the spelling if \
                 {} should count.",
                self.file,
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                if unknown.len() == 1 { "it" } else { "they" }
            ));
        }
    }

    fn for_each_row(&mut self, mut f: impl FnMut(&Row<'_>) -> Result<(), InputError>) -> Result<(), InputError> {
        if let Some(e) = self.duplicate.take() {
            return Err(e);
        }
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(malformed_csv(&self.file, self.skipped_lines, &e)),
            }
            // Blank lines between rows are common in hand-edited files; skip them.
            if record.iter().all(str::is_empty) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line()) + self.skipped_lines;
            self.refuse_second_header(&record, line)?;
            let row = Row { file: &self.file, headers: &self.raw_headers, record: &record, line };
            if self.undecodable
                && let Some(c) = (0..record.len()).find(|&c| self.used[c] && row.text(Some(c)).contains('\u{FFFD}'))
            {
                return Err(row.bad(
                    c,
                    "this cell is not valid UTF-8 text (the file may be saved as Windows-1252 or \
                     \"CSV (Comma delimited)\")",
                    "Save the file as \"CSV UTF-8\" from your spreadsheet",
                ));
            }
            f(&row)?;
        }
    }
}

impl Sheet {
    /// A row that repeats the header row (a byte-order mark in front or not) is two files
    /// joined, as `cat round1.csv round2.csv` does: say so rather than report its cells as
    /// bad values.
    fn refuse_second_header(&self, record: &csv::StringRecord, line: u64) -> Result<(), InputError> {
        let cells = record.iter().map(|c| normalise_header(c.trim_start_matches('\u{feff}')));
        if record.len() != self.headers.len() || !cells.eq(self.headers.iter().cloned()) {
            return Ok(());
        }
        Err(InputErrorKind::SecondHeader { file: self.file.clone(), line }.into())
    }
}

fn malformed_csv(file: &str, skipped_lines: u64, e: &csv::Error) -> InputError {
    let line = e.position().map_or(1, |p| p.line()) + skipped_lines;
    let (problem, fix) = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => (
            format!("this row has {len} cells but the header row has {expected_len}"),
            "Check for a missing or extra separator, and put values that contain one in double \
             quotes"
                .to_owned(),
        ),
        _ => (e.to_string(), "Check the file is plain CSV exported from a spreadsheet".to_owned()),
    };
    InputErrorKind::Malformed { file: file.to_owned(), line, problem, fix }.into()
}

/// One data row, with what is needed to point at a cell.
struct Row<'a> {
    file: &'a str,
    headers: &'a [String],
    record: &'a csv::StringRecord,
    line: u64,
}

impl Row<'_> {
    /// The cell, trimmed, without the `'` that our own outputs put before a cell that would
    /// start a formula (`csv_output::neutralise`), so they read back as what they hold.
    fn text(&self, col: Option<usize>) -> String {
        let cell = col.and_then(|c| self.record.get(c)).unwrap_or("").trim();
        match cell.strip_prefix('\'') {
            Some(rest) if crate::csv_output::formula_like(rest.trim_start_matches('\'')) => rest.to_owned(),
            _ => cell.to_owned(),
        }
    }

    fn bad(&self, col: usize, problem: impl Into<String>, fix: impl Into<String>) -> InputError {
        InputErrorKind::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            column: col + 1,
            header: self.headers.get(col).cloned().unwrap_or_default(),
            problem: problem.into(),
            fix: fix.into(),
        }
        .into()
    }

    fn required(&self, col: usize, what: &str) -> Result<String, InputError> {
        let v = self.text(Some(col));
        if v.is_empty() {
            return Err(self.bad(col, "is empty", format!("Fill in {what}")));
        }
        Ok(v)
    }

    fn number(&self, col: Option<usize>, default: u32, fix: &str) -> Result<u32, InputError> {
        let Some(c) = col else { return Ok(default) };
        let v = self.text(col);
        if v.is_empty() {
            return Ok(default);
        }
        v.parse::<u32>().map_err(|_| self.bad(c, format!("\"{v}\" is not a whole number"), fix))
    }

    /// `;`-separated values (also `|`, which some HR exports use), trimmed, empty ones
    /// dropped.
    fn list(&self, col: Option<usize>) -> Vec<String> {
        self.text(col).split([';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    fn yes_no(&self, col: Option<usize>, default: bool) -> Result<bool, InputError> {
        let Some(c) = col else { return Ok(default) };
        let v = self.text(col).to_lowercase();
        match v.as_str() {
            "" => Ok(default),
            "yes" | "y" | "true" | "1" | "x" | "oui" | "ja" => Ok(true),
            "no" | "n" | "false" | "0" | "non" | "nein" => Ok(false),
            _ => Err(self.bad(c, format!("\"{v}\" is not yes or no"), "Write yes or no")),
        }
    }

    fn time_zone(&self, col: Option<usize>) -> Result<Option<i32>, InputError> {
        let Some(c) = col else { return Ok(None) };
        let v = self.text(col);
        if v.is_empty() {
            return Ok(None);
        }
        time_zone::parse_time_zone(&v).map(Some).ok_or_else(|| {
            self.bad(
                c,
                format!("\"{v}\" is not a time zone this tool knows"),
                "Write an offset such as UTC+1 or -05:00, or a city zone such as Europe/Paris",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_text<T: std::fmt::Debug>(r: Result<T, InputError>) -> String {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    const MENTORS: &str = "id,name,capacity\nm1,Ana,2\n";

    fn mentees(text: &str) -> Result<(Vec<Mentee>, Vec<Mentor>), InputError> {
        read_mentoring(text.as_bytes(), "mentees.csv", MENTORS.as_bytes(), "mentors.csv", &[], &mut Vec::new())
    }

    #[test]
    fn a_missing_id_column_names_the_file_and_lists_what_was_found() {
        let msg = err_text(mentees("name,email\nAna,a@x\n"));
        assert_eq!(
            msg,
            "mentees.csv: the header row has no \"id\" column. Add it to the first line \
             (columns found: name, email)."
        );
    }

    #[test]
    fn a_bad_number_points_at_line_and_column_and_says_how_to_fix_it() {
        let msg = err_text(mentees("id,name,level\ne1,Bo,2\ne2,Cy,senior\n"));
        assert_eq!(
            msg,
            "mentees.csv, line 3, column 3 (level): \"senior\" is not a whole number. \
             Write the level as a whole number, such as 3"
        );
    }

    #[test]
    fn a_row_with_an_extra_comma_is_reported_with_its_line() {
        let msg = err_text(mentees("id,name\ne1,Bo\ne2,Cy,extra\n"));
        assert!(msg.starts_with("mentees.csv, line 3: this row has 3 cells but the header row has 2"), "{msg}");
        assert!(msg.contains("double quotes"), "{msg}");
    }

    #[test]
    fn a_duplicate_id_names_both_lines() {
        let msg = err_text(mentees("id\ne1\ne1\n"));
        assert!(msg.contains("line 3: the id \"e1\" is already used on line 2"), "{msg}");
    }

    #[test]
    fn a_preference_for_an_unknown_mentor_is_caught_across_files() {
        let msg = err_text(mentees("id,preferences\ne1,m1;m9\n"));
        assert_eq!(
            msg,
            "mentees.csv, line 2, column 2 (preferences): \"m9\" is not a known mentor id. \
             Check the spelling against the ids in mentors.csv, or remove it."
        );
    }

    #[test]
    fn an_unknown_time_zone_suggests_the_accepted_forms() {
        let msg = err_text(mentees("id,time_zone\ne1,Mars/Base\n"));
        assert!(msg.contains("\"Mars/Base\" is not a time zone this tool knows"), "{msg}");
        assert!(msg.contains("UTC+1"), "{msg}");
    }

    #[test]
    fn headers_are_matched_loosely_and_a_byte_order_mark_is_ignored() {
        let text = "\u{feff}ID,Skills Wanted,Time-Zone,Languages\ne1, Excel ; board papers ,UTC+1,English|French\n";
        let (mentees, _) = mentees(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mentees[0].profile.id, "e1");
        assert_eq!(mentees[0].skills_wanted, ["Excel", "board papers"]);
        assert_eq!(mentees[0].profile.time_zone, Some(60));
        assert_eq!(mentees[0].profile.languages, ["English", "French"]);
    }

    #[test]
    fn an_empty_capacity_means_one_place() {
        let (_, mentors) = read_mentoring(
            "id\ne1\n".as_bytes(),
            "mentees.csv",
            "id,capacity\nm1,\n".as_bytes(),
            "mentors.csv",
            &[],
            &mut Vec::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mentors[0].capacity, 1);
    }

    #[test]
    fn a_file_with_only_a_header_asks_for_rows() {
        let msg = err_text(mentees("id,name\n"));
        assert_eq!(msg, "mentees.csv has no rows after the header. Add at least one mentee, one per line.");
    }

    #[test]
    fn yes_no_cells_accept_common_spellings_and_refuse_others() {
        let ok = parse_coffee_members("id,opted_in,skip\na,Y,\nb,no,TRUE\n".as_bytes(), "m.csv", &mut Vec::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(ok[0].opted_in && !ok[0].skip);
        assert!(!ok[1].opted_in && ok[1].skip);
        let msg = err_text(parse_coffee_members("id,skip\na,maybe\n".as_bytes(), "m.csv", &mut Vec::new()));
        assert!(msg.contains("line 2, column 2 (skip): \"maybe\" is not yes or no. Write yes or no"), "{msg}");
    }

    #[test]
    fn history_accepts_a_members_list_as_well_as_member_columns() {
        let h = history("round,members\n2,a;b;c\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h[0].members, ["a", "b", "c"]);
        let msg = err_text(history("round,who\n1,a\n"));
        assert!(msg.contains("no \"member_a\" column"), "{msg}");
    }

    #[test]
    fn pair_files_skip_unmatched_rows() {
        let p = parse_pairs("mentee_id,mentor_id\ne1,m1\ne2,\n".as_bytes(), "p.csv").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p, [Pair::new("e1", "m1")]);
    }

    #[test]
    fn semicolon_and_tab_separated_files_read_like_comma_separated_ones() {
        for text in [
            "id;name;email;languages\ne1;Bo;bo@x;English|French\n",
            "id\tname\temail\ne1\tBo\tbo@x\n",
            // A semicolon inside a quoted header does not outvote the commas.
            "id,\"name;full\",email\ne1,Bo,bo@x\n",
        ] {
            let (read, _) = mentees(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((read[0].profile.id.as_str(), read[0].profile.email.as_str()), ("e1", "bo@x"));
        }
        let coffee = parse_coffee_members("id;email\nc1;a@x\n".as_bytes(), "m.csv", &mut Vec::new());
        assert_eq!(coffee.map(|m| m[0].email.clone()), Ok("a@x".to_owned()));
        let history = history("round;member_a;member_b\n2;a;b\n");
        assert_eq!(history.map(|h| h[0].members.clone()), Ok(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn an_excel_sep_line_and_crlf_line_ends_keep_line_numbers_true() {
        let (read, _) = mentees("sep=;\nid;level\ne1;2\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read[0].profile.level, 2);
        let msg = err_text(mentees("sep=;\nid;level\ne1;2\ne2;senior\n"));
        assert!(msg.starts_with("mentees.csv, line 4, column 2 (level)"), "{msg}");
        let msg = err_text(mentees("id;level\r\ne1;2\r\ne2;senior\r\n"));
        assert!(msg.starts_with("mentees.csv, line 3, column 2 (level)"), "CRLF {msg}");
    }

    #[test]
    fn the_same_email_on_two_rows_is_refused_naming_both_lines() {
        let msg = err_text(mentees("id,email\ne1,ana@x.org\ne2,bo@x.org\ne3,Ana@X.org\n"));
        assert_eq!(
            msg,
            "mentees.csv, line 4: the email \"ana@x.org\" is already on line 2, so this looks like \
             the same person twice. Keep one row per person, or correct the email."
        );
        let coffee = parse_coffee_members("id,email\nc1,a@x\nc2,A@x\n".as_bytes(), "m.csv", &mut Vec::new());
        assert!(err_text(coffee).contains("line 3: the email \"a@x\" is already on line 2"));
        let circles = parse_circle_people("id,email\np1,a@x\np2,a@x\n".as_bytes(), "p.csv", &[], &mut Vec::new());
        assert!(err_text(circles).contains("line 3: the email \"a@x\" is already on line 2"));
        // Empty emails are not one person.
        assert!(mentees("id,email\ne1,\ne2,\n").is_ok());
    }

    #[test]
    fn a_windows_1252_byte_is_reported_with_its_line_and_column() {
        // As Excel writes it: Windows-1252 with CRLF line ends.
        let bytes = b"id,name\r\ne1,Bo\r\ne2,Zo\xeb\r\ne3,Cy\r\n";
        let r = read_mentoring(&bytes[..], "mentees.csv", MENTORS.as_bytes(), "mentors.csv", &[], &mut Vec::new());
        let msg = err_text(r);
        assert!(msg.starts_with("mentees.csv, line 3, column 2 (name): this cell is not valid UTF-8"), "{msg}");
        assert!(msg.contains("CSV UTF-8"), "{msg}");
    }

    #[test]
    fn an_undecodable_byte_in_a_column_nobody_reads_is_not_an_error() {
        let bytes = b"round,group,member_id,notes\n1,1,a,caf\xe9\n1,1,b,\n";
        let h = parse_coffee_history(&bytes[..], "h.csv", &[], "m.csv", &mut Vec::new());
        assert_eq!(h.map(|h| h[0].members.clone()), Ok(vec!["a".to_owned(), "b".to_owned()]));
    }

    fn history(text: &str) -> Result<Vec<PastGroup>, InputError> {
        let members: Vec<CoffeeMember> =
            ["a", "b", "c"].map(|id| CoffeeMember { id: id.to_owned(), ..CoffeeMember::default() }).to_vec();
        parse_coffee_history(text.as_bytes(), "h.csv", &members, "m.csv", &mut Vec::new())
    }

    #[test]
    fn history_ids_nobody_has_are_warned_about_and_matched_by_email_when_possible() {
        let members = parse_coffee_members(
            "id,email\nc03,Ana@X.org\nc04,bo@x.org\nc05,cy@x.org\n".as_bytes(),
            "members.csv",
            &mut Vec::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // Excel turned c03 into c3; c9 left, with no email to go by.
        let text = "round,group,member_id,email\n4,1,c3,ana@x.org\n4,1,c04,bo@x.org\n4,2,c05,\n4,2,c9,\n";
        let mut warnings = Vec::new();
        let h = parse_coffee_history(text.as_bytes(), "h.csv", &members, "members.csv", &mut warnings)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h[0].members, ["c03", "c04"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("member id \"c3\" (h.csv line 2) is not in members.csv; its email belongs to c03"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].starts_with("member id \"c9\" (h.csv line 5) is not in members.csv, so"),
            "{}",
            warnings[1]
        );
        // The email column is there but c9's cell is empty: the warning says so.
        assert!(warnings[1].ends_with(", or fill in the empty email cell."), "{}", warnings[1]);
        assert!(!warnings[1].contains("add an email column"), "{}", warnings[1]);
        // The older forms have no email: the unknown id is named all the same.
        let mut warnings = Vec::new();
        let r = parse_coffee_history(
            "round,member_a,member_b\n1,c3,c04\n".as_bytes(),
            "h.csv",
            &members,
            "members.csv",
            &mut warnings,
        );
        assert!(r.is_ok());
        assert!(warnings.len() == 1 && warnings[0].contains("\"c3\""), "{warnings:?}");
        assert!(warnings[0].ends_with(", or add an email column to the history."), "{warnings:?}");
    }

    #[test]
    fn a_header_written_twice_is_named_as_a_column_that_appears_twice() {
        let msg = err_text(mentees("id,skills_wanted,Skills Wanted\ne1,Excel,Word\n"));
        assert_eq!(
            msg,
            "mentees.csv, line 1: the column skills_wanted appears twice (column 2, \"skills_wanted\", \
             and column 3, \"Skills Wanted\"). Delete or rename one of them, so it is clear which one counts"
        );
    }

    #[test]
    fn two_files_joined_with_cat_are_reported_at_the_second_header_row() {
        let one = "\u{feff}round,group,member_id\n1,1,a\n1,1,b\n";
        let two = "\u{feff}round,group,member_id\n2,1,a\n2,1,c\n";
        let msg = err_text(history(&format!("{one}{two}")));
        assert!(msg.starts_with("h.csv: a second header row at line 4, as when two files are joined"), "{msg}");
    }

    #[test]
    fn a_missing_column_message_leaves_out_empty_headers() {
        let msg = err_text(mentees("name,,,email,\nAna,,,a@x,\n"));
        assert!(msg.ends_with("(columns found: name, email)."), "{msg}");
    }

    #[test]
    fn a_cell_our_outputs_neutralised_reads_back_as_written() {
        let (read, _) = mentees("id,name\n'-e1,'=Bo\ne2,'Brien\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((read[0].profile.id.as_str(), read[0].profile.name.as_str()), ("-e1", "=Bo"));
        assert_eq!(read[1].profile.name, "'Brien");
    }

    #[test]
    fn the_separator_of_a_file_is_what_its_header_row_uses() {
        assert_eq!(separator_of(b"\xEF\xBB\xBFid;name\ne1;Bo\n"), b';');
        assert_eq!(separator_of(b"sep=\t\nid\tname\n"), b'\t');
        assert_eq!(separator_of(b"id,name\n"), b',');
    }

    #[test]
    fn an_unknown_manager_in_the_circles_file_is_warned_about_unless_the_org_chart_has_them() {
        let text = "id,email,manager_id\np1,a@x,vp\np2,b@x,p1\n";
        let mut warnings = Vec::new();
        assert!(parse_circle_people(text.as_bytes(), "people.csv", &[], &mut warnings).is_ok());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("manager_id \"vp\" (people.csv line 2) is not in people.csv or the org chart"));
        let mut warnings = Vec::new();
        let org = [("vp".to_owned(), Some("ceo".to_owned()))];
        assert!(parse_circle_people(text.as_bytes(), "people.csv", &org, &mut warnings).is_ok());
        assert_eq!(warnings, Vec::<String>::new());
    }

    #[test]
    fn rows_without_an_email_get_one_warning_per_file_naming_them() {
        let mut warnings = Vec::new();
        let mentees = "id,email\ne1,a@x\ne2,\ne3,\n";
        let r =
            read_mentoring(mentees.as_bytes(), "mentees.csv", MENTORS.as_bytes(), "mentors.csv", &[], &mut warnings);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(
            warnings,
            [
                "mentees.csv: no email on line 3 (e2), line 4 (e3): they get no letter, and partners' \
                 letters cannot give an address. Fill in their email.",
                "mentors.csv has no email column: they get no letter, and partners' letters cannot \
                 give an address. Add an email column."
            ]
        );
        // Coffee: a member who opted out gets no letter anyway, so only c2 is named.
        let mut warnings = Vec::new();
        let members = "id,email,opted_in\nc1,,no\nc2,,yes\nc3,c@x,yes\n";
        assert!(parse_coffee_members(members.as_bytes(), "m.csv", &mut warnings).is_ok());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("m.csv: no email on line 3 (c2): they get no letter"), "{warnings:?}");
        let mut warnings = Vec::new();
        assert!(parse_circle_people("id,email\np1,\np2,b@x\n".as_bytes(), "p.csv", &[], &mut warnings).is_ok());
        assert!(warnings.len() == 1 && warnings[0].starts_with("p.csv: no email on line 2 (p1)"), "{warnings:?}");
    }

    #[test]
    fn swapped_mentee_and_mentor_files_are_refused() {
        let mentees_text = "id,skills_wanted\ne1,Excel\n";
        let mentors_text = "id,skills_offered,capacity\nm1,Excel,2\n";
        let r = read_mentoring(
            mentors_text.as_bytes(),
            "mentors.csv",
            mentees_text.as_bytes(),
            "mentees.csv",
            &[],
            &mut Vec::new(),
        );
        let msg = err_text(r);
        assert_eq!(
            msg,
            "mentors.csv looks like a mentors file: it has skills_offered, capacity but none of \
             skills_wanted, wanted_skills, preferred_mentors. Check that the mentees and mentors files \
             are not swapped."
        );
        // The other way round, with the mentees file in the right place.
        let r =
            read_mentoring(mentees_text.as_bytes(), "a.csv", mentees_text.as_bytes(), "b.csv", &[], &mut Vec::new());
        assert!(err_text(r).starts_with("b.csv looks like a mentees file: it has skills_wanted"));
    }

    #[test]
    fn unknown_columns_and_unknown_managers_are_warned_about_once() {
        let mut warnings = Vec::new();
        let text = "id,email,skils_wanted,Notes,manager_id\ne1,a@x,Excel,,x9\ne2,b@x,,,ceo\ne3,c@x,,,e1\n";
        let org = [("ceo".to_owned(), None)];
        let mentors = "id,email,capacity\nm1,m@x,2\n";
        let r = read_mentoring(text.as_bytes(), "mentees.csv", mentors.as_bytes(), "mentors.csv", &org, &mut warnings);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(
            warnings[0],
            "mentees.csv: ignoring columns skils_wanted, Notes, which this command does not use. \
             Check the spelling if they should count."
        );
        assert!(
            warnings[1].starts_with("manager_id \"x9\" (mentees.csv line 2) is not in mentees.csv, mentors.csv"),
            "{}",
            warnings[1]
        );
    }

    #[test]
    fn history_reads_back_one_row_per_person() {
        let text = "round,group,member_id,name\n3,1,a,A\n3,1,b,B\n3,2,c,C\n3,2,d,D\n3,2,e,E\n3,unplaced,f,F\n";
        let h = history(text).unwrap_or_else(|e| panic!("{e}"));
        let groups: Vec<&[String]> = h.iter().map(|g| g.members.as_slice()).collect();
        assert_eq!(groups, [&["a", "b"][..], &["c", "d", "e"][..]]);
    }
}
