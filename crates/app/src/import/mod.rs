//! Members from HR data: import a CSV file (read → check → preview → apply) and export members as
//! CSV. Org admins only (or the server console, recorded as "console").
//!
//! Import rules, also shown on the pages:
//! - People are matched by email. A row for someone new creates an account without a password
//!   (they use "forgot password" or an invitation; no email is sent by an import). A row for
//!   someone known updates what differs. Importing the same file twice changes nothing.
//! - The employee ID (optional, the HR system's key) is unique. When a row's email is new to
//!   Roundtable but its employee ID belongs to someone, that person is updated and their email
//!   changes (HR changed it, e.g. after a name change) instead of a second account being made.
//!   A row whose email belongs to one person and employee ID to another is an error. Excel saves
//!   an all-digit ID such as 001010 as 1010: an ID that differs from the stored one only by
//!   leading zeros finds that person, and when the file's has fewer zeros the stored ID is kept
//!   (the row says so); with more zeros the file's is taken (it restores what Excel lost before).
//!   Repeated IDs are found the same way (101 and 0101 are one person twice), and no two rows
//!   of a file update one account.
//! - A row found by email on a deactivated account whose employee ID is another is an error: HR
//!   gave a leaver's address to someone new, who must not take over the leaver's account.
//! - Start dates: YYYY-MM-DD always; dates with the year last (31/03/2024, 3/31/2024, 31.03.2024)
//!   are read in the order chosen (`Options::date_order`) or else the one order the file's dates
//!   show (a day over 12), decided per file (`csv_read::DateReading`). A file whose dates show
//!   both orders flags the rows against most of them; a date that could be read either way
//!   (2/11/2019) is refused unless the file shows or the order is chosen. A midnight time after a
//!   date is ignored. The error file writes the dates it read as YYYY-MM-DD.
//! - A cell holding an Excel error (#N/A, #REF!…) is a row error. In a Windows-1252 file, a text
//!   that is the stored one with `?` where Windows-1252 has no such letter is a row error too
//!   (Excel's "CSV (Comma delimited)" lost them), not a change of name.
//! - An empty cell, or a column that is not chosen, keeps the person's current value: an import
//!   never clears a field. New people start with every optional field visible to their networks;
//!   known people keep the audiences they chose.
//! - `networks` (and the "add everyone to" option) add active memberships as Member; an import
//!   never removes anyone from a network and never changes an existing role.
//! - Manager and supported-executive emails may name people earlier or later in the file or
//!   already in Roundtable, or by an address an import has since changed (`Snapshot::moved`);
//!   unknown ones and reporting loops are row errors, a deactivated one a note. A manager or
//!   executives column guessed from its name that holds names or HR IDs, not addresses (Workday,
//!   BambooHR, SuccessFactors), is left out and the report says so (`csv_read::names_columns`);
//!   chosen on purpose, each such cell is a row error.
//! - A report title above the header and a second row of labels under it are skipped, and the
//!   report names their lines (`csv_read::read`); every line number stays the file's own.
//! - "Deactivate people missing from the file" deactivates active accounts whose email is on no
//!   row, across the whole organisation (with or without a network) — never the person importing
//!   and never an organisation administrator. People in the file whose account is deactivated
//!   stay deactivated unless "reactivate" is chosen (`Options::reactivate`: the way back from a
//!   mistaken deactivation, or for people rehired). It is refused, and nothing changes,
//!   while any row's email cannot be read (that person would look missing), and when it would
//!   deactivate more than half of the active people unless `yes_deactivate_many` confirms it (a
//!   file that small is usually part of the organisation, not the full HR list). People left
//!   reporting to someone it deactivates are a warning (`reports_left_behind`), not an error.
//! - A file with any error imports nothing unless "import the valid rows only" is chosen; rows
//!   that depend on a row with errors (their manager is on it) are errors too. The rows with
//!   errors can be downloaded as CSV (`error_file`), fixed in a spreadsheet and imported again.
//! - The apply step is one transaction with its audit entry: a failure changes nothing.

pub mod api;
pub mod csv_read;
pub mod pages;

pub use csv_read::{Column, DateOrder, ERROR_COLUMNS, FileError, Mapping, Record, RowError, Sheet};

use crate::http::{AppError, Result, Separator};
use crate::members::{Indexed, audiences, index};
use crate::state::AppState;
use chrono::Utc;
use roundtable_domain::profile::{self, Audience, Field, Relation};
use roundtable_domain::{Actor, FieldError, NetworkId, Role, UserId, fold};
use roundtable_store::import::{self as store, Person, ProfileRow, Snapshot, Source, UserRow};
use roundtable_store::{Db, audit};
use std::collections::{HashMap, HashSet};

/// Who runs an import or export, for the audit log.
#[derive(Debug, Clone)]
pub struct Initiator {
    /// `None` for the server console.
    pub user_id: Option<UserId>,
    pub name: String,
}

impl Initiator {
    pub fn console() -> Self {
        Self { user_id: None, name: "console".into() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also add everyone in the file to this network (its address). Deactivation still covers
    /// the whole organisation.
    pub network: Option<String>,
    /// Deactivate active people whose email is on no row (refused while a row's email cannot be
    /// read; see the rules above).
    pub deactivate_missing: bool,
    /// Confirms a deactivation of more than half of the active people, which is otherwise
    /// refused as the sign of a partial file (`--yes-deactivate-many`, a checkbox on the page).
    pub yes_deactivate_many: bool,
    /// Reactivate the people on the file's rows whose account is deactivated (not erased): the
    /// way back from a mistaken `deactivate_missing`, or for people rehired (`--reactivate`).
    pub reactivate: bool,
    pub valid_rows_only: bool,
    /// Check and report only.
    pub dry_run: bool,
    /// How dates such as 2/11/2019 are written, when the person importing says so
    /// (`--date-order`, the column page); `None` works it out from the file's dates.
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Unchanged,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "New",
            Action::Update => "Update",
            Action::Unchanged => "Unchanged",
        }
    }
}

/// What happens (or would happen) to the person on one valid row.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub line: u64,
    pub email: String,
    pub name: String,
    pub action: Action,
    /// For updates: which fields change.
    pub changes: Vec<&'static str>,
    /// For the one-line fields among them: (field, value now, value from the file), so the
    /// preview can show what changes, not only that it does.
    pub from_to: Vec<(&'static str, String, String)>,
    /// What else the administrator should know about this row (a deactivated account, an
    /// employee ID kept).
    pub note: Option<String>,
    /// For a person found by employee ID whose email changes: the address they had.
    pub previous_email: Option<String>,
}

impl Outcome {
    /// "job title (“Analyst” → “Senior Analyst”), skills" — each one-line field with its value
    /// now and the file's, so a preview shows what changes (a space that is not a space, a
    /// typo), not only that something does.
    pub fn changes_in_words(&self) -> String {
        let quoted = |v: &str| if v.is_empty() { "(empty)".to_owned() } else { format!("“{v}”") };
        let each: Vec<String> = self
            .changes
            .iter()
            .map(|c| match self.from_to.iter().find(|(what, ..)| what == c) {
                Some((what, before, after)) => format!("{what} ({} → {})", quoted(before), quoted(after)),
                None => (*c).to_owned(),
            })
            .collect();
        each.join(", ")
    }
}

/// "1 row", "2 rows".
pub fn rows_n(n: usize) -> String {
    if n == 1 { "1 row".to_owned() } else { format!("{n} rows") }
}

/// The result of checking a file, and of applying it when `applied`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub encoding: &'static str,
    pub delimiter: char,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deactivated: usize,
    /// (email, name) of the people on the file's rows whose deactivated account is reactivated
    /// (or would be); they are counted among the updated.
    pub reactivations: Vec<(String, String)>,
    /// How many people on the file's rows have a deactivated account that stays so (without
    /// `Options::reactivate`).
    pub still_deactivated: usize,
    /// Rows saying someone has left that change nothing: deactivated already, not known, or
    /// about a former holder of an address or ID now someone else's (the notes say which).
    pub leavers_unchanged: usize,
    /// Lines of the rows with at least one error.
    pub error_lines: Vec<u64>,
    /// Every problem, by line.
    pub errors: Vec<RowError>,
    pub outcomes: Vec<Outcome>,
    /// (email, name) of the people deactivated (or to be).
    pub deactivations: Vec<(String, String)>,
    /// (email, the file's status) of those among `deactivations` whose row says they have left
    /// (the others are missing from the file).
    pub leavers: Vec<(String, String)>,
    /// (old email, new email, employee ID) of people found by employee ID whose email changes.
    pub email_changes: Vec<(String, String, String)>,
    /// (line, ID in the file, ID kept) where the file's employee ID is the one in Roundtable
    /// without its leading zeros (what Excel does to a number): the stored ID is kept.
    pub employee_ids_kept: Vec<(u64, String, String)>,
    /// How dates such as 2/11/2019 were read (day or month first), and which date showed it.
    pub date_note: Option<String>,
    /// Administrators missing from the file, who are never deactivated by an import.
    pub admins_kept: usize,
    /// The file's columns that were not used.
    pub ignored_columns: Vec<String>,
    /// How the file was read: lines skipped above or under the header, a manager column not
    /// used because it holds names (`csv_read::notes`).
    pub notes: Vec<String>,
    /// What the import leaves for someone to put right, though it is no error: people who still
    /// report to someone it deactivates.
    pub warnings: Vec<String>,
    pub applied: bool,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
    /// Why the import deactivates someone among `deactivations`: what the file says of them
    /// ("status “Terminated” in the file"), or that they are not in it.
    pub fn why_deactivated(&self, email: &str) -> String {
        match self.leavers.iter().find(|(e, _)| e == email) {
            Some((_, status)) => format!("{status} in the file"),
            None => "not in the file".to_owned(),
        }
    }
    /// One line for the audit log and the console.
    pub fn summary(&self) -> String {
        let skipped = if self.applied && self.has_errors() { " (skipped)" } else { "" };
        format!("{}: {}{skipped}", rows_n(self.rows), self.counts())
    }

    /// "3 created, 1 updated, 0 unchanged, 0 deactivated, 0 with errors" (and "2 reactivated"
    /// among the updated, when some are).
    pub fn counts(&self) -> String {
        let among: Vec<String> = [
            (self.email_changes.len(), "with a new email, found by employee ID"),
            (self.reactivations.len(), "reactivated"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let among = if among.is_empty() { String::new() } else { format!(" ({})", among.join("; ")) };
        let leavers = match self.leavers_unchanged {
            0 => String::new(),
            n => format!(", {} about people who left, with nothing to do", rows_n(n)),
        };
        format!(
            "{} created, {} updated{among}, {} unchanged, {} deactivated{leavers}, {} with errors",
            self.created,
            self.updated,
            self.unchanged,
            self.deactivated,
            self.error_lines.len(),
        )
    }
}

/// Where a long import is, for a progress bar: (stage, done, total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing,
}

pub type Progress<'a> = &'a (dyn Fn(Stage, u64, u64) + Send + Sync);

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::new("form", msg)])
}

/// Rows per batched statement.
const CHUNK: usize = 1000;

// ---------------------------------------------------------------------------------------------
// Planning: pure, from the file's records and a snapshot of the database.

/// A person as the import leaves them (for new and changed people).
#[derive(Debug, Clone)]
struct Desired {
    id: UserId,
    email: String,
    name: String,
    job_title: String,
    department: String,
    location: String,
    time_zone: String,
    preferred_name: String,
    pronouns: String,
    level: String,
    years_experience: Option<i64>,
    bio: String,
    start_date: String,
    employee_id: Option<String>,
    manager_id: Option<UserId>,
    visibility: String,
    skills: Vec<String>,
    interests: Vec<String>,
    languages: Vec<String>,
    supports: Vec<UserId>,
}

#[derive(Debug, Default)]
struct Plan {
    report: Report,
    create: Vec<Desired>,
    update: Vec<Desired>,
    /// (person, new email) for people found by employee ID.
    email_changes: Vec<(UserId, String)>,
    /// (person, the name the file replaces), kept as a former name for erasure and my data.
    name_changes: Vec<(UserId, String)>,
    memberships: Vec<(NetworkId, UserId)>,
    deactivate: Vec<UserId>,
    reactivate: Vec<UserId>,
}

/// The change a reactivation shows among a row's fields.
const REACTIVATED: &str = "account reactivated";

/// How to bring back someone the file lists whose account is deactivated, in every interface.
const REACTIVATE_HOW: &str = "This account is deactivated and stays so. To bring it back, import again reactivating the people in the file whose account is deactivated (the option on the columns page, --reactivate on the command line, reactivate=true in the API), or reactivate it on the People page.";

#[derive(Default)]
struct Lists {
    skills: Vec<String>,
    interests: Vec<String>,
    languages: Vec<String>,
}

fn same_tags(a: &[String], b: &[String]) -> bool {
    let key = |l: &[String]| {
        let mut v: Vec<(String, String)> = l.iter().map(|t| (fold(t), t.clone())).collect();
        v.sort();
        v
    };
    key(a) == key(b)
}

fn row_error(line: u64, column: String, problem: String, fix: impl Into<String>) -> RowError {
    RowError { line, column, problem, fix: fix.into() }
}

/// How errors name one of our columns: as the file names it, or by our label.
fn column_name(sheet: &Sheet, mapping: &Mapping, c: Column) -> String {
    mapping.get(c).map_or_else(|| c.label().to_owned(), |i| sheet.column_name(i))
}

/// (column, problem, fix) of a row error whose line is filled in by the caller.
type RowProblem = (String, String, &'static str);

fn row_problem(column: String, problem: String, fix: &'static str) -> RowProblem {
    (column, problem, fix)
}

/// Marks every row whose `key` another row shares, with the problem `say(row, other rows)`;
/// returns the rows of each key.
fn flag_repeats(
    records: &mut [Record],
    key: impl Fn(&Record) -> Option<String>,
    say: impl Fn(&Record, &[&Record]) -> RowProblem,
) -> HashMap<String, Vec<usize>> {
    let mut lines_of: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(k) = key(r) {
            lines_of.entry(k).or_default().push(i);
        }
    }
    for idx in lines_of.values().filter(|idx| idx.len() > 1) {
        for &i in idx {
            let others: Vec<&Record> = idx.iter().filter(|&&j| j != i).map(|&j| &records[j]).collect();
            let (column, problem, fix) = say(&records[i], &others);
            let line = records[i].line;
            records[i].errors.push(row_error(line, column, problem, fix));
        }
    }
    lines_of
}

/// "line 3" or "lines 3, 7" for the rows `others`.
fn lines_of_rows(others: &[&Record]) -> String {
    lines_text(&others.iter().map(|r| r.line).collect::<Vec<_>>())
}

/// The problem of an employee ID on several rows; where another row writes it with other leading
/// zeros (`101` and `0101`), that is said, since they look like two IDs.
fn repeated_employee_id(r: &Record, others: &[&Record]) -> String {
    let own = r.employee_id.as_deref().unwrap_or_default();
    let mut written: Vec<&str> = others.iter().filter_map(|o| o.employee_id.as_deref()).filter(|o| *o != own).collect();
    written.sort_unstable();
    written.dedup();
    if written.is_empty() {
        return format!("The employee ID {own} is also on {}.", lines_of_rows(others));
    }
    format!(
        "The employee ID {own} is also on {}, written {}: leading zeros do not make another ID (Excel drops them), so these rows are about one person.",
        lines_of_rows(others),
        written.join(" and ")
    )
}

fn lines_text(lines: &[u64]) -> String {
    let l: Vec<String> = lines.iter().map(u64::to_string).collect();
    match l.len() {
        1 => format!("line {}", l[0]),
        _ => format!("lines {}", l.join(", ")),
    }
}

/// An all-digit employee ID without its leading zeros (`001010` → `1010`, `000` → `0`), the
/// part Excel keeps when it takes the ID for a number; `None` for any other ID.
fn number(id: &str) -> Option<&str> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match id.trim_start_matches('0') {
        "" => "0",
        n => n,
    })
}

/// True when the file's `file` ID is the stored `stored` one with leading zeros lost (Excel
/// saved `001010` as `1010`): the stored ID is kept. The other way round (`1010` stored, the
/// file says `001010`) the file restores what an earlier import lost, and is taken.
fn zeros_lost(file: &str, stored: &str) -> bool {
    file.len() < stored.len() && number(file).is_some() && number(file) == number(stored)
}

/// The stored employee IDs: found as written or, for an all-digit ID, as the one stored ID that
/// differs from it only by leading zeros.
struct EmployeeIds<'a> {
    exact: HashMap<&'a str, &'a Person>,
    by_number: HashMap<&'a str, Vec<&'a Person>>,
}

impl<'a> EmployeeIds<'a> {
    fn new(people: &'a [Person]) -> Self {
        let mut ids = Self { exact: HashMap::new(), by_number: HashMap::new() };
        for p in people {
            if let Some(id) = p.employee_id.as_deref() {
                ids.exact.insert(id, p);
                if let Some(n) = number(id) {
                    ids.by_number.entry(n).or_default().push(p);
                }
            }
        }
        ids
    }

    /// Who holds `id`; when several stored IDs differ from it only by leading zeros, nobody.
    fn holder(&self, id: &str) -> Option<&'a Person> {
        self.exact.get(id).copied().or_else(|| match self.by_number.get(number(id)?)?.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }
}

/// "The employee ID 1010" or, when the stored ID has leading zeros the file lost, "The
/// employee ID 1010 (001010 without its leading zeros)".
fn id_as_found(emp: &str, holder: &Person) -> String {
    match holder.employee_id.as_deref() {
        Some(stored) if stored != emp => {
            format!("The employee ID {emp} ({stored} without its leading zeros, as Excel saves it)")
        }
        _ => format!("The employee ID {emp}"),
    }
}

/// Whether two employee IDs are the same person's, as matching takes them: as written, or for
/// all-digit IDs without their leading zeros (Excel's `1010` for `001010`).
fn same_employee_id(a: &str, b: &str) -> bool {
    a == b || number(a).is_some_and(|n| number(b) == Some(n))
}

/// A row found by email on a deactivated account whose employee ID is not the row's: HR gave a
/// leaver's address to someone new, and updating the account would hand them the leaver's
/// account, reporting line and history (the same danger as a reused employee ID).
fn leavers_address_reused(r: &Record, emp: &str, person: &Person, column: String) -> Option<RowError> {
    let stored = person.employee_id.as_deref()?;
    if !person.deactivated || same_employee_id(emp, stored) {
        return None;
    }
    let email = &person.email;
    Some(row_error(
        r.line,
        column,
        format!(
            "{email} belongs to {}, whose account is deactivated and has the employee ID {stored}, not {emp}: this looks like someone new given a leaver's address.",
            person.name
        ),
        format!(
            "Someone new needs an email address of their own: correct it here and in your HR system. If this is {} returning with a new employee ID, reactivate their account on the People page first, then import this row again.",
            person.name
        ),
    ))
}

/// Marks the later of two rows without errors that would update the same account (found by
/// email on one, by employee ID on the other, say): each account is changed by one row at most.
/// The checks before this one catch the known ways; this makes it hold whatever the way.
fn one_row_per_account(records: &mut [Record], matched: &[Option<&Person>], column: String) {
    let mut first_line: HashMap<UserId, u64> = HashMap::new();
    for (r, person) in records.iter_mut().zip(matched) {
        let Some(person) = person.filter(|_| r.errors.is_empty()) else { continue };
        let Some(&first) = first_line.get(&person.id) else {
            first_line.insert(person.id, r.line);
            continue;
        };
        r.errors.push(row_error(
            r.line,
            column.clone(),
            format!("This row is about {} ({}), as line {first} is.", person.name, person.email),
            "Keep one row per person: merge the two rows or delete this one.",
        ));
    }
}

/// The text fields of a row where Excel wrote `?` for letters it could not save in Windows-1252
/// ("CSV (Comma delimited)" turns `Ł` and `ř` into `?`): one row error for each, rather than a
/// name with question marks. For someone known, the stored value shows which letters were lost
/// (`csv_read::lost_to_windows_1252`); for someone new, a question mark inside a word does
/// (`csv_read::question_mark_for_a_letter`).
fn lost_letters(
    r: &Record,
    person: Option<&Person>,
    name_column: Column,
    col: &impl Fn(Column) -> String,
) -> Vec<RowError> {
    let stored = |f: fn(&Person) -> &str| person.map(f);
    let fields = [
        (name_column, r.name.as_ref().map(|n| n.as_str()), stored(|p| &p.name)),
        (Column::PreferredName, r.preferred_name.as_deref(), stored(|p| &p.preferred_name)),
        (Column::JobTitle, r.job_title.as_deref(), stored(|p| &p.job_title)),
        (Column::Department, r.department.as_deref(), stored(|p| &p.department)),
        (Column::Location, r.location.as_deref(), stored(|p| &p.location)),
        (Column::Level, r.level.as_deref(), stored(|p| &p.level)),
    ];
    fields
        .into_iter()
        .filter_map(|(c, file, stored)| {
            let file = file?;
            let problem = match stored {
                Some(stored) if csv_read::lost_to_windows_1252(file, stored) => format!(
                    "“{file}” has question marks where Roundtable has “{stored}”: Excel replaced the letters it could not save in this file's encoding."
                ),
                None if csv_read::question_mark_for_a_letter(file) => format!(
                    "“{file}” has a question mark inside a word: Excel writes one for each letter it could not save in this file's encoding."
                ),
                _ => return None,
            };
            Some(row_error(
                r.line,
                col(c),
                problem,
                "In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”, which keeps every letter, and import that file.",
            ))
        })
        .collect()
}

/// Finds reporting loops reachable from `starts` in the manager graph (person → manager).
fn loops(graph: &HashMap<UserId, UserId>, starts: impl Iterator<Item = UserId>) -> Vec<Vec<UserId>> {
    // 1: on the current path; 2: fully explored.
    let mut state: HashMap<UserId, u8> = HashMap::new();
    let mut found = Vec::new();
    for s in starts {
        let mut path = Vec::new();
        let mut cur = Some(s);
        while let Some(c) = cur {
            match state.get(&c) {
                Some(2) => break,
                Some(_) => {
                    if let Some(pos) = path.iter().position(|p| *p == c) {
                        found.push(path[pos..].to_vec());
                    }
                    break;
                }
                None => {
                    state.insert(c, 1);
                    path.push(c);
                    cur = graph.get(&c).copied();
                }
            }
        }
        for p in path {
            state.insert(p, 2);
        }
    }
    found
}

fn plan(
    sheet: &Sheet,
    mapping: &Mapping,
    records: Vec<Record>,
    snap: &Snapshot,
    extra: Option<NetworkId>,
    opts: &Options,
    acting: Option<UserId>,
) -> Result<Plan> {
    let people: HashMap<&str, &Person> = snap.people.iter().map(|p| (p.email.as_str(), p)).collect();
    // Who an address names: its holder, or whoever moved on from it, however many moves since
    // (the latest move from an address wins; a few steps at most, so a loop cannot hang).
    let moved: HashMap<&str, &str> = snap.moved.iter().map(|(old, new)| (old.as_str(), new.as_str())).collect();
    let holder = |email: &str| -> Option<&Person> {
        let mut at = email;
        for _ in 0..16 {
            if let Some(p) = people.get(at) {
                return Some(*p);
            }
            at = moved.get(at)?;
        }
        None
    };
    let nets: HashMap<&str, NetworkId> = snap.networks.iter().map(|n| (n.slug.as_str(), n.id)).collect();
    let col = |c: Column| column_name(sheet, mapping, c);
    // Rows whose status or leaving date says the person has left: no one is added or changed
    // for them; their people are deactivated (below). A row with errors stays with the others,
    // to be reported: a cell shifted by a stray separator must not deactivate anyone.
    let (leavers, mut records): (Vec<Record>, Vec<Record>) =
        records.into_iter().partition(|r| r.leaver.is_some() && r.errors.is_empty());

    // The same person twice, or the same employee ID: both rows are errors, each naming the
    // other lines.
    let lines_of = flag_repeats(
        &mut records,
        |r| r.email.as_ref().map(|e| e.as_str().to_owned()),
        |r, others| {
            let email = r.email.as_ref().map_or("", |e| e.as_str());
            row_problem(
                col(Column::Email),
                format!("{email} is also on {}.", lines_of_rows(others)),
                "Keep one row per person: merge the rows or delete the extra ones.",
            )
        },
    );
    // Compared as matching compares them: 101 and 0101 find the same person.
    flag_repeats(
        &mut records,
        |r| r.employee_id.as_deref().map(|id| number(id).unwrap_or(id).to_owned()),
        |r, others| {
            row_problem(
                col(Column::EmployeeId),
                repeated_employee_id(r, others),
                "Each person has their own employee ID: correct it on the row where it is wrong.",
            )
        },
    );

    // Who each row is about: the person with its email; else, for an email new to Roundtable,
    // the person with its employee ID (HR changed their email).
    let by_employee_id = EmployeeIds::new(&snap.people);
    let matched: Vec<Option<&Person>> = records
        .iter()
        .map(|r| {
            let e = r.email.as_ref()?;
            people.get(e.as_str()).copied().or_else(|| by_employee_id.holder(r.employee_id.as_deref()?))
        })
        .collect();
    let email_lines: HashMap<&str, u64> =
        records.iter().filter_map(|r| Some((r.email.as_ref()?.as_str(), r.line))).collect();
    let mut id_errors: Vec<Vec<RowError>> = vec![Vec::new(); records.len()];
    for (i, r) in records.iter().enumerate() {
        let (Some(email), Some(emp), Some(person)) = (&r.email, &r.employee_id, matched[i]) else { continue };
        if person.email == email.as_str() {
            // Found by email: the ID must not be someone else's.
            if let Some(holder) = by_employee_id.holder(emp).filter(|h| h.id != person.id) {
                id_errors[i].push(row_error(
                    r.line,
                    col(Column::EmployeeId),
                    format!(
                        "{} belongs to {} ({}), but {email} belongs to {}.",
                        id_as_found(emp, holder),
                        holder.name,
                        holder.email,
                        person.name
                    ),
                    format!(
                        "Check both in your HR system: correct the employee ID, or the email if this row is about {}.",
                        holder.name
                    ),
                ));
            } else if let Some(e) = leavers_address_reused(r, emp, person, col(Column::Email)) {
                id_errors[i].push(e);
            }
        } else if person.deactivated {
            // Found by employee ID on a deactivated account: HR systems reuse the IDs of people
            // who left, and taking this as an email change would hand a new hire the leaver's
            // account, reporting line and history.
            id_errors[i].push(row_error(
                r.line,
                col(Column::EmployeeId),
                format!(
                    "{} belongs to {} ({}), whose account is deactivated.",
                    id_as_found(emp, person),
                    person.name,
                    person.email
                ),
                format!(
                    "If {} is returning, reactivate their account on the People page first, then import this row again; if this is someone new, give them their own employee ID.",
                    person.name
                ),
            ));
        } else if let Some(&other) = email_lines.get(person.email.as_str()) {
            // Found by employee ID, and the person's current email is on another row too.
            id_errors[i].push(row_error(
                r.line,
                col(Column::EmployeeId),
                format!(
                    "{} belongs to {} ({}), who is also on line {other} with that email.",
                    id_as_found(emp, person),
                    person.name,
                    person.email
                ),
                format!(
                    "Keep one row per person: if {email} is their new address, delete line {other}; otherwise correct the employee ID."
                ),
            ));
            if let Some(j) = records.iter().position(|x| x.line == other) {
                id_errors[j].push(row_error(
                    other,
                    col(Column::Email),
                    format!("Line {} has this person's employee ID ({emp}) with another email, {email}.", r.line),
                    format!(
                        "Keep one row per person: delete this row if {email} is their new address, or correct the employee ID on line {}.",
                        r.line
                    ),
                ));
            }
        }
    }
    for (r, errs) in records.iter_mut().zip(id_errors) {
        r.errors.extend(errs);
    }
    // The column a name comes from: the full name's, or the first name's without one.
    let name_column = if mapping.get(Column::Name).is_none() && mapping.get(Column::FirstName).is_some() {
        Column::FirstName
    } else {
        Column::Name
    };
    // Whatever the file's encoding: when every letter Excel lost was one Windows-1252 lacks, the
    // file it wrote is plain ASCII and reads as UTF-8 ("?ukasz Nowak"). The check is strict
    // enough to run on any file.
    for (r, person) in records.iter_mut().zip(&matched) {
        let errs = lost_letters(r, *person, name_column, &col);
        r.errors.extend(errs);
    }

    for (i, r) in records.iter_mut().enumerate() {
        for slug in &r.networks {
            if !nets.contains_key(slug.as_str()) {
                r.errors.push(row_error(
                    r.line,
                    col(Column::Networks),
                    format!("No network has the address “{slug}”."),
                    "Use an existing network's address (as in its link), or create the network first.",
                ));
            }
        }
        let c = name_column;
        // A name that was there but refused (too long, say) has its own error already.
        if let Some(e) = &r.email
            && r.name.is_none()
            && matched[i].is_none()
            && !r.errors.iter().any(|e| e.column == col(c))
        {
            r.errors.push(row_error(
                r.line,
                col(c),
                format!("{e} is new to Roundtable, so a name is needed."),
                "Fill in the person's name.",
            ));
        }
    }

    one_row_per_account(&mut records, &matched, col(Column::Email));

    // Ids: known people keep theirs; new people get one now, so rows can name each other.
    let row_of: HashMap<&str, usize> =
        records.iter().enumerate().filter_map(|(i, r)| r.email.as_ref().map(|e| (e.as_str(), i))).collect();
    let ids: Vec<Option<UserId>> = records
        .iter()
        .zip(&matched)
        .map(|(r, m)| r.email.as_ref().map(|_| m.map_or_else(UserId::new, |p| p.id)))
        .collect();
    let mut valid: Vec<bool> = records.iter().map(|r| r.errors.is_empty()).collect();
    // Errors found from here on, by row (the records stay borrowed by the maps above).
    let mut more: Vec<Vec<RowError>> = vec![Vec::new(); records.len()];
    let email_of: HashMap<UserId, &str> = snap
        .people
        .iter()
        .map(|p| (p.id, p.email.as_str()))
        .chain(records.iter().zip(&ids).filter_map(|(r, id)| Some(((*id)?, r.email.as_ref()?.as_str()))))
        .collect();

    // References to people that can never hold, reported on every row so one pass shows them
    // all: oneself, or an email neither in the file nor in Roundtable.
    for (i, r) in records.iter().enumerate() {
        let me = r.email.as_ref().map_or("", |e| e.as_str());
        let refs = r.manager_email.iter().map(|m| (m, "manager", Column::ManagerEmail));
        let refs =
            refs.chain(r.supports_emails.iter().flatten().map(|e| (e, "supported executive", Column::SupportsEmails)));
        for (email, what, c) in refs {
            let email = email.as_str();
            if email == me {
                more[i].push(row_error(
                    r.line,
                    col(c),
                    format!("A person cannot be their own {what}."),
                    "Correct the email, or leave the cell empty.",
                ));
            } else if let Some(leaver) = leavers
                .iter()
                .find(|l| holder(email).is_none() && l.email.as_ref().is_some_and(|e| e.as_str() == email))
            {
                more[i].push(row_error(
                    r.line,
                    col(c),
                    format!("{email} is on line {}, which says they have left: they are not added.", leaver.line),
                    format!(
                        "Give this row another {what}, or none; or correct line {} if they have not left.",
                        leaver.line
                    ),
                ));
            } else if holder(email).is_none() && !row_of.contains_key(email) {
                more[i].push(row_error(
                    r.line,
                    col(c),
                    format!("No one with the email {email} is in this file or in Roundtable."),
                    format!("Check the spelling, or add a row for the {what}."),
                ));
            }
        }
        if !more[i].is_empty() {
            valid[i] = false;
        }
    }
    loop {
        // A row naming someone who is new and whose own row has errors cannot be imported
        // either; repeat until no more rows fall out. (Someone already in Roundtable exists even
        // if their row has errors.)
        loop {
            let mut changed = false;
            for i in 0..records.len() {
                if !valid[i] {
                    continue;
                }
                let r = &records[i];
                let refs = r.manager_email.iter().map(|m| (m, "manager", Column::ManagerEmail));
                let refs = refs.chain(
                    r.supports_emails.iter().flatten().map(|e| (e, "supported executive", Column::SupportsEmails)),
                );
                let mut errs = Vec::new();
                for (email, what, c) in refs {
                    let email = email.as_str();
                    if let (None, Some(&j)) = (holder(email), row_of.get(email))
                        && !valid[j]
                    {
                        let at = records[j].line;
                        errs.push(row_error(
                            r.line,
                            col(c),
                            format!("The {what} {email} is on line {at}, which has errors."),
                            format!("Fix line {at} first, or leave this cell empty."),
                        ));
                    }
                }
                if !errs.is_empty() {
                    more[i].extend(errs);
                    valid[i] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // Reporting loops, over the reporting line as the import would leave it.
        let mut graph: HashMap<UserId, UserId> =
            snap.people.iter().filter_map(|p| Some((p.id, p.manager_id?))).collect();
        let id_of = |email: &str| row_of.get(email).and_then(|&j| ids[j]).or_else(|| holder(email).map(|p| p.id));
        for (i, r) in records.iter().enumerate() {
            if let (true, Some(id), Some(m)) = (valid[i], ids[i], &r.manager_email)
                && let Some(mid) = id_of(m.as_str())
            {
                graph.insert(id, mid);
            }
            if let (true, Some(id), true) = (valid[i], ids[i], r.clear_manager) {
                graph.remove(&id);
            }
        }
        let in_file: HashMap<UserId, usize> =
            ids.iter().enumerate().filter(|(i, _)| valid[*i]).filter_map(|(i, id)| Some(((*id)?, i))).collect();
        let mut any = false;
        for cycle in loops(
            &graph,
            (0..records.len()).filter(|&i| valid[i] && records[i].manager_email.is_some()).filter_map(|i| ids[i]),
        ) {
            let mut chain: Vec<&str> = cycle.iter().map(|id| email_of.get(id).copied().unwrap_or("?")).collect();
            chain.push(chain[0]);
            let chain = chain.join(" → ");
            for id in &cycle {
                if let Some(&i) = in_file.get(id) {
                    let line = records[i].line;
                    more[i].push(row_error(
                        line,
                        col(Column::ManagerEmail),
                        format!("This makes a reporting loop: {chain}."),
                        "Correct the manager of one of these people; to remove a manager already stored, write none in the manager cell (an empty cell keeps it).",
                    ));
                    valid[i] = false;
                    any = true;
                }
            }
        }
        if !any {
            break;
        }
    }

    // Outcomes and writes for the valid rows.
    let mut lists: HashMap<UserId, Lists> = HashMap::new();
    for (id, kind, tag) in &snap.tags {
        let l = lists.entry(*id).or_default();
        match kind.as_str() {
            "skills" => l.skills.push(tag.clone()),
            "interests" => l.interests.push(tag.clone()),
            _ => l.languages.push(tag.clone()),
        }
    }
    let mut supports: HashMap<UserId, Vec<UserId>> = HashMap::new();
    for (a, e) in &snap.supports {
        supports.entry(*a).or_default().push(*e);
    }
    // Memberships the import leaves as they are: the active, and invitations to an organiser's
    // role (a Chair invited has not accepted the role; the import would give it unasked).
    let active: HashSet<(NetworkId, UserId)> = snap
        .memberships
        .iter()
        .filter(|m| m.status == "active" || (m.status == "invited" && m.role != "member"))
        .map(|m| (m.network_id, m.user_id))
        .collect();
    let id_of = |email: &str| row_of.get(email).and_then(|&j| ids[j]).or_else(|| holder(email).map(|p| p.id));
    let mut p = Plan::default();
    for (i, r) in records.iter().enumerate() {
        let (Some(email), Some(id), true) = (&r.email, ids[i], valid[i]) else { continue };
        let manager = r.manager_email.as_ref().and_then(|m| id_of(m.as_str()));
        let sup: Option<Vec<UserId>> =
            r.supports_emails.as_ref().map(|l| l.iter().filter_map(|e| id_of(e.as_str())).collect());
        let mut nets_here: Vec<NetworkId> =
            r.networks.iter().filter_map(|s| nets.get(s.as_str()).copied()).chain(extra).collect();
        let mut seen = HashSet::new();
        nets_here.retain(|n| seen.insert(*n));
        let joins: Vec<(NetworkId, UserId)> =
            nets_here.iter().filter(|n| !active.contains(&(**n, id))).map(|n| (*n, id)).collect();
        // A reporting line through someone who has left is kept, as a profile save keeps it, but
        // shows nowhere until they are reactivated: said, so a stale HR column is noticed.
        let left: Vec<String> = r
            .manager_email
            .iter()
            .chain(r.supports_emails.iter().flatten())
            .filter_map(|e| holder(e.as_str()).filter(|p| p.deactivated))
            .map(|p| format!("{} ({})", p.name, p.email))
            .collect();
        let left = (!left.is_empty()).then(|| {
            format!(
                "The reporting line names {}, whose account is deactivated: the link is recorded, but shows nowhere unless they are reactivated.",
                left.join(" and ")
            )
        });
        let name_or = |d: &str| r.name.as_ref().map_or_else(|| d.to_owned(), |n| n.as_str().to_owned());
        let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
        match matched[i] {
            None => {
                let d = Desired {
                    id,
                    email: email.as_str().to_owned(),
                    name: name_or(""),
                    job_title: or(&r.job_title, ""),
                    department: or(&r.department, ""),
                    location: or(&r.location, ""),
                    time_zone: or(&r.time_zone, &snap.org_time_zone),
                    preferred_name: or(&r.preferred_name, ""),
                    pronouns: String::new(),
                    level: or(&r.level, ""),
                    years_experience: r.years_experience,
                    bio: String::new(),
                    start_date: or(&r.start_date, ""),
                    employee_id: r.employee_id.clone(),
                    manager_id: manager,
                    visibility: "{}".into(),
                    skills: r.skills.clone().unwrap_or_default(),
                    interests: r.interests.clone().unwrap_or_default(),
                    languages: r.languages.clone().unwrap_or_default(),
                    supports: sup.unwrap_or_default(),
                };
                p.report.outcomes.push(Outcome {
                    line: r.line,
                    email: d.email.clone(),
                    name: d.name.clone(),
                    action: Action::Create,
                    changes: Vec::new(),
                    from_to: Vec::new(),
                    note: left,
                    previous_email: None,
                });
                p.create.push(d);
                p.memberships.extend(joins);
            }
            Some(cur) => {
                // Excel turned the stored 001010 into 1010: keep the stored ID, and say so.
                let kept_id = match (&r.employee_id, &cur.employee_id) {
                    (Some(file), Some(stored)) if zeros_lost(file, stored) => Some((file, stored)),
                    _ => None,
                };
                let l = lists.remove(&cur.id).unwrap_or_default();
                let cur_sup = supports.get(&cur.id).cloned().unwrap_or_default();
                let d = Desired {
                    id,
                    email: email.as_str().to_owned(),
                    name: if r.partial_name { cur.name.clone() } else { name_or(&cur.name) },
                    job_title: or(&r.job_title, &cur.job_title),
                    department: or(&r.department, &cur.department),
                    location: or(&r.location, &cur.location),
                    time_zone: or(&r.time_zone, &cur.time_zone),
                    preferred_name: or(&r.preferred_name, &cur.preferred_name),
                    pronouns: cur.pronouns.clone(),
                    level: or(&r.level, &cur.level),
                    years_experience: r.years_experience.or(cur.years_experience),
                    bio: cur.bio.clone(),
                    start_date: or(&r.start_date, &cur.start_date),
                    employee_id: match kept_id {
                        Some(_) => cur.employee_id.clone(),
                        None => r.employee_id.clone().or_else(|| cur.employee_id.clone()),
                    },
                    manager_id: if r.clear_manager { None } else { manager.or(cur.manager_id) },
                    visibility: cur.visibility.clone(),
                    skills: r.skills.clone().unwrap_or(l.skills.clone()),
                    interests: r.interests.clone().unwrap_or(l.interests.clone()),
                    languages: r.languages.clone().unwrap_or(l.languages.clone()),
                    supports: sup.unwrap_or_else(|| cur_sup.clone()),
                };
                // The one-line fields that change, with both values (the preview shows them).
                let years = |y: Option<i64>| y.map(|y| y.to_string()).unwrap_or_default();
                let employee_id = |p: &Option<String>| p.clone().unwrap_or_default();
                // A manager by the address the file names them by.
                let manager_of =
                    |m: Option<UserId>| m.and_then(|m| email_of.get(&m)).map(|e| (*e).to_owned()).unwrap_or_default();
                let from_to: Vec<(&'static str, String, String)> = [
                    ("employee ID", &employee_id(&cur.employee_id), &employee_id(&d.employee_id)),
                    ("name", &cur.name, &d.name),
                    ("job title", &cur.job_title, &d.job_title),
                    ("department", &cur.department, &d.department),
                    ("location", &cur.location, &d.location),
                    ("time zone", &cur.time_zone, &d.time_zone),
                    ("preferred name", &cur.preferred_name, &d.preferred_name),
                    ("level", &cur.level, &d.level),
                    ("years of experience", &years(cur.years_experience), &years(d.years_experience)),
                    ("start date", &cur.start_date, &d.start_date),
                ]
                .into_iter()
                .filter(|(_, before, after)| before != after)
                .map(|(what, before, after)| (what, before.clone(), after.clone()))
                .collect();
                let mut changes = Vec::new();
                if d.email != cur.email {
                    changes.push("email");
                }
                changes.extend(from_to.iter().map(|(what, ..)| *what));
                // The manager by address, shown with the rest (a manager that is no longer
                // anyone's address still differs: the ids are compared).
                let mut from_to = from_to;
                if d.manager_id != cur.manager_id {
                    changes.push("manager");
                    from_to.push(("manager", manager_of(cur.manager_id), manager_of(d.manager_id)));
                }
                let mut diff = |differs: bool, what: &'static str| {
                    if differs {
                        changes.push(what);
                    }
                };
                diff(!same_tags(&d.skills, &l.skills), "skills");
                diff(!same_tags(&d.interests, &l.interests), "interests");
                diff(!same_tags(&d.languages, &l.languages), "languages");
                let (mut a, mut b) = (d.supports.clone(), cur_sup);
                a.sort();
                b.sort();
                diff(a != b, "executives supported");
                if !joins.is_empty() {
                    changes.push("networks");
                }
                let profile_changed = changes.iter().any(|c| *c != "networks");
                // Never an administrator's account: the right would come back with it, unseen.
                let reactivate = cur.deactivated && opts.reactivate && !cur.is_org_admin;
                if reactivate {
                    changes.push(REACTIVATED);
                    p.reactivate.push(id);
                    p.report.reactivations.push((d.email.clone(), d.name.clone()));
                }
                let action = if changes.is_empty() { Action::Unchanged } else { Action::Update };
                if d.name != cur.name {
                    p.name_changes.push((id, cur.name.clone()));
                }
                let previous_email = (d.email != cur.email).then(|| cur.email.clone());
                if previous_email.is_some() {
                    p.email_changes.push((id, d.email.clone()));
                    p.report.email_changes.push((
                        cur.email.clone(),
                        d.email.clone(),
                        d.employee_id.clone().unwrap_or_default(),
                    ));
                }
                let mut notes = Vec::new();
                if let Some((file, stored)) = kept_id {
                    notes.push(format!(
                        "The file's employee ID {file} is {stored} without its leading zeros (Excel removes them), so {stored} is kept."
                    ));
                    p.report.employee_ids_kept.push((r.line, file.clone(), stored.clone()));
                }
                if cur.deactivated && !reactivate {
                    p.report.still_deactivated += 1;
                    notes.push(if cur.is_org_admin {
                        "This administrator's account is deactivated and stays so: an import never reactivates an administrator (reactivate them on the People page)."
                    } else {
                        REACTIVATE_HOW
                    }.to_owned());
                }
                notes.extend(left);
                let note = (!notes.is_empty()).then(|| notes.join(" "));
                p.report.outcomes.push(Outcome {
                    line: r.line,
                    email: d.email.clone(),
                    name: d.name.clone(),
                    action,
                    changes,
                    from_to,
                    note,
                    previous_email,
                });
                if profile_changed {
                    p.update.push(d);
                }
                p.memberships.extend(joins);
            }
        }
    }

    // Who each leaver row is about. Reports "including terminated workers" list a leaver beside
    // whoever now holds their address or employee ID, or a rehired person's old record beside
    // their new one: a row of someone at work speaks for that address or ID, and a leaver row
    // naming a stored person by email whose employee ID is not theirs is about a former holder.
    let at_work_ids: HashSet<&str> =
        records.iter().filter_map(|r| r.employee_id.as_deref()).map(|id| number(id).unwrap_or(id)).collect();
    let mut former_holders = Vec::new();
    let mut leaving: Vec<(&Record, Option<&Person>)> = Vec::new();
    for r in &leavers {
        let on_row_at_work = r.email.as_ref().is_some_and(|e| lines_of.contains_key(e.as_str()))
            || r.employee_id.as_deref().is_some_and(|id| at_work_ids.contains(number(id).unwrap_or(id)));
        let by_email = r.email.as_ref().and_then(|e| holder(e.as_str()));
        let id_differs = |p: &Person| {
            let (row, stored) = (r.employee_id.as_deref(), p.employee_id.as_deref());
            row.zip(stored).is_some_and(|(row, stored)| !same_employee_id(row, stored))
        };
        if on_row_at_work || by_email.is_some_and(id_differs) {
            former_holders.push(r.line);
            continue;
        }
        let found = by_email.or_else(|| by_employee_id.holder(r.employee_id.as_deref()?));
        leaving.push((r, found));
    }
    let leaving_ids: HashSet<UserId> = leaving.iter().filter_map(|(_, p)| p.map(|p| p.id)).collect();
    if opts.deactivate_missing {
        if lines_of.is_empty() && leaving.is_empty() {
            return Err(invalid(
                "No row has a usable email address, so no one can be matched. Nothing was deactivated.",
            ));
        }
        if let Some(refusal) = unreadable_emails(sheet, mapping, &records) {
            return Err(invalid(refusal));
        }
        if let Some(r) = records.iter().find(|r| r.swallows_rows) {
            return Err(invalid(format!(
                "People missing from the file cannot be deactivated while a stray double quote on line {line} hides the rows after it: the people on them would be deactivated by mistake. Nothing was imported and no one was deactivated. Correct line {line} and import again.",
                line = r.line
            )));
        }
        let in_file: HashSet<UserId> = matched.iter().flatten().map(|p| p.id).collect();
        for person in &snap.people {
            if person.deactivated
                || lines_of.contains_key(&person.email)
                || in_file.contains(&person.id)
                || leaving_ids.contains(&person.id)
                || Some(person.id) == acting
            {
                continue;
            }
            if person.is_org_admin {
                p.report.admins_kept += 1;
                continue;
            }
            p.deactivate.push(person.id);
            p.report.deactivations.push((person.email.clone(), person.name.clone()));
        }
        let active = snap.people.iter().filter(|p| !p.deactivated).count();
        if p.deactivate.len() * 2 > active && !opts.yes_deactivate_many {
            return Err(invalid(too_many_deactivations(p.deactivate.len(), active, records.len(), opts)));
        }
    }
    let (mut not_added, mut already) = (Vec::new(), Vec::new());
    for (r, person) in &leaving {
        let status = r.leaver.clone().unwrap_or_default();
        match person {
            None => not_added.push(r.line),
            Some(person) if person.deactivated => already.push(r.line),
            Some(person) if person.is_org_admin || Some(person.id) == acting => p.report.warnings.push(format!(
                "Line {} says {} has left ({status}), but they are an organisation administrator, whom an import never deactivates: deactivate them on the People page if they have left.",
                r.line, person.email
            )),
            Some(person) if !p.deactivate.contains(&person.id) => {
                p.deactivate.push(person.id);
                p.report.deactivations.push((person.email.clone(), person.name.clone()));
                p.report.leavers.push((person.email.clone(), status));
            }
            Some(_) => {}
        }
    }
    if !p.deactivate.is_empty() {
        p.report.warnings.extend(reports_left_behind(&p, snap));
        p.report.warnings.extend(organisers_leaving(&p, snap));
    }

    let r = &mut p.report;
    r.encoding = sheet.encoding;
    r.delimiter = sheet.delimiter;
    r.rows = records.len() + leavers.len();
    r.created = r.outcomes.iter().filter(|o| o.action == Action::Create).count();
    r.updated = r.outcomes.iter().filter(|o| o.action == Action::Update).count();
    r.unchanged = r.outcomes.iter().filter(|o| o.action == Action::Unchanged).count();
    r.deactivated = r.deactivations.len();
    r.leavers_unchanged = not_added.len() + already.len() + former_holders.len();
    r.ignored_columns = mapping.ignored(&sheet.headers);
    r.notes = csv_read::notes(sheet, mapping);
    if !not_added.is_empty() {
        r.notes.push(format!(
            "{} whom the file shows as having left and who {} not in Roundtable: not added ({}).",
            if not_added.len() == 1 {
                "One row names someone".to_owned()
            } else {
                format!("{} rows name people", not_added.len())
            },
            if not_added.len() == 1 { "is" } else { "are" },
            lines_text(&not_added)
        ));
    }
    if !already.is_empty() {
        r.notes.push(format!(
            "Deactivated already, as the file says they have left: nothing to do ({}).",
            lines_text(&already)
        ));
    }
    if r.still_deactivated > 0 {
        let (who, has, stays) = match r.still_deactivated {
            1 => ("One person".to_owned(), "has", "stays"),
            n => (format!("{n} people"), "have", "stay"),
        };
        r.notes.push(format!(
            "{who} in the file {has} a deactivated account and {stays} deactivated (the row says so). To bring back people rehired or deactivated by mistake, import again reactivating them (the option on the columns page, --reactivate on the command line, reactivate=true in the API)."
        ));
    }
    if !former_holders.is_empty() {
        let (mut lines, is) = (lines_text(&former_holders), if former_holders.len() == 1 { "is" } else { "are" });
        lines[..1].make_ascii_uppercase();
        r.notes.push(format!(
            "{lines} {is} about someone who has left whose email or employee ID now belongs to someone at work (on another row, or in Roundtable with another employee ID): no one is deactivated for {}.",
            if former_holders.len() == 1 { "it" } else { "them" }
        ));
    }
    r.date_note = csv_read::DateReading::of(sheet, mapping, opts.date_order).note();
    for (rec, mut extra) in records.into_iter().zip(more) {
        if !rec.errors.is_empty() || !extra.is_empty() {
            r.error_lines.push(rec.line);
            r.errors.extend(rec.errors);
            r.errors.append(&mut extra);
        }
    }
    r.errors.sort_by_key(|e| e.line);
    Ok(p)
}

/// People listed by name in a warning; beyond this, counted.
const NAMED_IN_WARNING: usize = 10;

/// The warning about people who stay active but would still report to someone this import
/// deactivates: an empty manager cell keeps the stored manager, so a leaver's team keeps
/// reporting to them unless the file names someone else. A warning, not an error: the import is
/// right to keep what the file does not change, and the team may get its new manager later.
fn reports_left_behind(p: &Plan, snap: &Snapshot) -> Option<String> {
    let gone: HashSet<UserId> = p.deactivate.iter().copied().collect();
    if gone.is_empty() {
        return None;
    }
    // (name, email, manager) of each active person as the import leaves them: the file's rows
    // that change someone, else what is stored.
    let mut after: HashMap<UserId, (&str, &str, Option<UserId>)> = snap
        .people
        .iter()
        .filter(|p| !p.deactivated)
        .map(|p| (p.id, (p.name.as_str(), p.email.as_str(), p.manager_id)))
        .collect();
    for d in p.create.iter().chain(&p.update) {
        after.insert(d.id, (d.name.as_str(), d.email.as_str(), d.manager_id));
    }
    let name_of: HashMap<UserId, &str> = snap.people.iter().map(|p| (p.id, p.name.as_str())).collect();
    // (folded name for the order, name, email, manager's name)
    let mut left: Vec<(String, &str, &str, &str)> = after
        .iter()
        .filter(|(id, _)| !gone.contains(id))
        .filter_map(|(_, &(name, email, manager))| {
            let manager = manager.filter(|m| gone.contains(m))?;
            Some((fold(name), name, email, name_of.get(&manager).copied().unwrap_or("")))
        })
        .collect();
    if left.is_empty() {
        return None;
    }
    left.sort_unstable();
    let n = left.len();
    let mut named: Vec<String> = left
        .iter()
        .take(NAMED_IN_WARNING)
        .map(|(_, name, email, manager)| format!("{name} ({email}, reports to {manager})"))
        .collect();
    if n > NAMED_IN_WARNING {
        named.push(format!("and {} more", n - NAMED_IN_WARNING));
    }
    let who = match n {
        1 => "1 person still reports to someone".to_owned(),
        n => format!("{n} people still report to people"),
    };
    Some(format!(
        "{who} this import deactivates: {} — give them a new manager in the file, or none in the manager cell.",
        named.join(", ")
    ))
}

/// The warning about the networks' organisers (steering-committee roles) this import
/// deactivates: their networks' Chairs and Administrators are told by email
/// (`networks::tell_of_organisers_gone`), and a network whose every active Chair goes has none
/// until an org admin names one — better known before the import.
fn organisers_leaving(p: &Plan, snap: &Snapshot) -> Option<String> {
    let gone: HashSet<UserId> = p.deactivate.iter().copied().collect();
    let active: HashSet<UserId> = snap.people.iter().filter(|p| !p.deactivated).map(|p| p.id).collect();
    let name_of: HashMap<UserId, &str> = snap.people.iter().map(|p| (p.id, p.name.as_str())).collect();
    let mut named = Vec::new();
    let mut chairless = Vec::new();
    for n in &snap.networks {
        let organisers: Vec<(UserId, Role)> = snap
            .memberships
            .iter()
            .filter(|m| m.network_id == n.id && m.status == "active" && active.contains(&m.user_id))
            .filter_map(|m| Role::parse(&m.role).filter(|r| r.is_organiser()).map(|r| (m.user_id, r)))
            .collect();
        for (id, role) in organisers.iter().filter(|(id, _)| gone.contains(id)) {
            named.push(format!("{} ({} of {})", name_of.get(id).copied().unwrap_or(""), role.label(), n.name));
        }
        let chairs = organisers.iter().filter(|(_, r)| *r == Role::Chair);
        if chairs.clone().next().is_some() && chairs.clone().all(|(id, _)| gone.contains(id)) {
            chairless.push(n.name.as_str());
        }
    }
    if named.is_empty() {
        return None;
    }
    let chairless = if chairless.is_empty() {
        String::new()
    } else {
        format!(" {} will have no active Chair until an organisation administrator names one.", chairless.join(", "))
    };
    Some(format!(
        "This import deactivates organisers of networks: {}.{chairless} Those networks' Chairs and Administrators will be emailed.",
        named.join(", ")
    ))
}

/// Why people cannot be deactivated while some row's email cannot be read: whoever that row is
/// about would count as missing from the file. `None` when every row has a readable email.
fn unreadable_emails(sheet: &Sheet, mapping: &Mapping, records: &[Record]) -> Option<String> {
    let lines: Vec<String> = records
        .iter()
        .zip(&sheet.rows)
        .filter(|(r, _)| r.email.is_none())
        .map(|(r, row)| {
            let raw = mapping.get(Column::Email).and_then(|i| row.cells.get(i)).map_or("", String::as_str);
            if raw.is_empty() {
                format!("line {}, empty", r.line)
            } else {
                format!("line {}, “{}”", r.line, raw.chars().take(60).collect::<String>())
            }
        })
        .collect();
    let n = lines.len();
    if n == 0 {
        return None;
    }
    let mut shown = lines.into_iter().take(10).collect::<Vec<_>>().join("; ");
    if n > 10 {
        shown.push_str(&format!("; and {} more", n - 10));
    }
    let (rows, them, emails) = if n == 1 {
        ("1 row has", "the person on it", "that email")
    } else {
        ("rows have", "the people on them", "those emails")
    };
    let rows = if n == 1 { rows.to_owned() } else { format!("{n} {rows}") };
    Some(format!(
        "People missing from the file cannot be deactivated while {rows} no email address that can be read ({shown}): {them} would be deactivated by mistake. Nothing was imported and no one was deactivated. Correct {emails} and import again, or import without deactivating people missing from the file."
    ))
}

/// The refusal of a deactivation of more than half of the active people without confirmation.
fn too_many_deactivations(deactivate: usize, active: usize, rows: usize, opts: &Options) -> String {
    let network = match opts.network.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => format!(
            " Deactivation covers the whole organisation, not only the network “{slug}” that everyone in the file is added to."
        ),
        None => String::new(),
    };
    let rows = rows_n(rows);
    format!(
        "This would deactivate {deactivate} of the {active} active people: everyone whose email is on none of this file's {rows}. That is more than half, which usually means the file is part of the organisation rather than the complete HR list.{network} Nothing was imported and no one was deactivated. If the file really lists everyone, confirm with “Yes, deactivate more than half of the people” (on the command line: --yes-deactivate-many); otherwise import without deactivating people missing from the file."
    )
}

// ---------------------------------------------------------------------------------------------
// Applying: batched writes in one transaction, with the audit entry.

async fn write(tx: &mut roundtable_store::Tx, p: &Plan, progress: Progress<'_>) -> Result<()> {
    let now = Utc::now();
    let people: Vec<&Desired> = p.create.iter().chain(&p.update).collect();
    let indexes: Vec<_> = people
        .iter()
        .map(|d| {
            let aud = audiences(&d.visibility);
            let idx = index(
                &Indexed {
                    name: &d.name,
                    job_title: &d.job_title,
                    department: &d.department,
                    location: &d.location,
                    preferred_name: &d.preferred_name,
                    bio: &d.bio,
                    level: &d.level,
                    years_experience: d.years_experience,
                    skills: &d.skills,
                    interests: &d.interests,
                    languages: &d.languages,
                },
                &aud,
            );
            (fold(&d.name), idx)
        })
        .collect();
    let users: Vec<UserRow<'_>> = people
        .iter()
        .zip(&indexes)
        .map(|(d, (folded, _))| UserRow {
            id: d.id,
            email: &d.email,
            name: &d.name,
            name_folded: folded,
            job_title: &d.job_title,
            department: &d.department,
            location: &d.location,
            time_zone: &d.time_zone,
            employee_id: d.employee_id.as_deref(),
        })
        .collect();
    let profiles: Vec<ProfileRow<'_>> = people
        .iter()
        .zip(&indexes)
        .map(|(d, (_, idx))| ProfileRow {
            id: d.id,
            preferred_name: &d.preferred_name,
            pronouns: &d.pronouns,
            level: &d.level,
            years_experience: d.years_experience,
            bio: &d.bio,
            start_date: &d.start_date,
            manager_id: d.manager_id,
            visibility: &d.visibility,
            search_organisation: &idx.search_organisation,
            search_network: &idx.search_network,
        })
        .collect();
    let tags: Vec<(UserId, &str, &str, &str, &str)> = people
        .iter()
        .zip(&indexes)
        .flat_map(|(d, (_, idx))| idx.tags.iter().map(move |(k, t, f, a)| (d.id, *k, t.as_str(), f.as_str(), *a)))
        .collect();
    let supports: Vec<(UserId, UserId)> =
        people.iter().flat_map(|d| d.supports.iter().map(move |e| (d.id, *e))).collect();
    let updated_ids: Vec<UserId> = p.update.iter().map(|d| d.id).collect();
    let n_new = p.create.len();

    let total =
        (users.len() + profiles.len() + tags.len() + supports.len() + p.memberships.len() + p.deactivate.len()) as u64;
    if total > CHUNK as u64 {
        store::begin_bulk(tx).await?;
    }
    let mut done = 0u64;
    let mut tick = |n: usize| {
        done += n as u64;
        progress(Stage::Writing, done, total);
    };
    // New addresses first: they are free (an email known to Roundtable is matched by email), and
    // a new account never takes one (each email is on one row).
    let email_changes: Vec<(UserId, &str)> = p.email_changes.iter().map(|(u, e)| (*u, e.as_str())).collect();
    for c in email_changes.chunks(CHUNK) {
        store::change_emails(tx, c, now).await?;
    }
    // New accounts next, all of them, so profiles may name any of them as manager.
    for c in users[..n_new].chunks(CHUNK) {
        store::insert_users(tx, c, now).await?;
        tick(c.len());
    }
    for c in users[n_new..].chunks(CHUNK) {
        store::update_users(tx, c).await?;
        tick(c.len());
    }
    for (id, name) in &p.name_changes {
        roundtable_store::users::record_former_name(tx, *id, name, now).await?;
    }
    for c in profiles.chunks(CHUNK) {
        store::upsert_profiles(tx, c, now).await?;
        tick(c.len());
    }
    for c in updated_ids.chunks(CHUNK) {
        store::replace_tags(tx, c, &[]).await?;
        store::replace_supports(tx, c, &[]).await?;
    }
    for c in tags.chunks(CHUNK) {
        store::replace_tags(tx, &[], c).await?;
        tick(c.len());
    }
    for c in supports.chunks(CHUNK) {
        store::replace_supports(tx, &[], c).await?;
        tick(c.len());
    }
    for c in p.memberships.chunks(CHUNK) {
        store::activate_memberships(tx, c, now).await?;
        tick(c.len());
    }
    for c in p.deactivate.chunks(CHUNK) {
        store::deactivate(tx, c, now).await?;
        tick(c.len());
    }
    for &person in &p.deactivate {
        crate::events::queue_giving_up(tx, person, None, crate::events::GivenUp::Deactivated, now).await?;
    }
    for c in p.reactivate.chunks(CHUNK) {
        store::reactivate(tx, c).await?;
    }
    for &person in &p.reactivate {
        crate::networks::queue_reactivated(tx, person, false, now).await?;
    }
    if total > CHUNK as u64 {
        store::end_bulk(tx).await?;
    }
    Ok(())
}

fn conflict(e: roundtable_store::Error) -> AppError {
    match e {
        roundtable_store::Error::Conflict(_) => AppError::Conflict(FieldError::new(
            "form",
            "Someone changed the people in Roundtable while this import ran, so nothing was imported. Run it again.",
        )),
        e => e.into(),
    }
}

/// Checks `sheet` under `mapping` and, unless it is a dry run or there are errors the options do
/// not allow to skip, applies it in one transaction.
pub async fn run(
    db: &Db,
    by: &Initiator,
    sheet: &Sheet,
    mapping: &Mapping,
    file_name: &str,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report> {
    let records = csv_read::records(sheet, mapping, opts.date_order, Utc::now().date_naive());
    progress(Stage::Checking, records.len() as u64, records.len() as u64);
    if opts.dry_run {
        let snap = store::snapshot(&mut Source::Db(db)).await?;
        let extra = extra_network(&snap, opts)?;
        return Ok(plan(sheet, mapping, records, &snap, extra, opts, by.user_id)?.report);
    }
    // On PostgreSQL a profile saved at the same moment can deadlock with the import's table lock,
    // and PostgreSQL then rolls one of them back: if it is the import, it reads everything
    // again and tries again, a few times.
    let (mut attempt, mut records) = (1, records);
    loop {
        match apply_records(db, by, sheet, mapping, std::mem::take(&mut records), file_name, opts, progress).await {
            Err(e) if e.database_busy() && attempt < 3 => {
                tracing::warn!(attempt, "the import was rolled back for another change's sake; trying again");
                attempt += 1;
                records = csv_read::records(sheet, mapping, opts.date_order, Utc::now().date_naive());
            }
            done => return done,
        }
    }
}

/// The network `opts` names for everyone imported, if any.
fn extra_network(snap: &Snapshot, opts: &Options) -> Result<Option<NetworkId>> {
    match opts.network.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        // Addresses are lower case; "Allies" typed for "allies" is the same network.
        Some(slug) => {
            snap.networks.iter().find(|n| n.slug.eq_ignore_ascii_case(slug)).map(|n| Some(n.id)).ok_or_else(|| {
                let mut known: Vec<&str> = snap.networks.iter().map(|n| n.slug.as_str()).collect();
                known.sort_unstable();
                AppError::Invalid(vec![FieldError::new(
                    "network",
                    format!(
                        "No network has the address “{slug}”. Nothing was imported. The networks' addresses are: {}.",
                        known.join(", ")
                    ),
                )])
            })
        }
    }
}

/// `run` past the dry run: one transaction that holds people's rows, reads them, and applies the
/// plan unless it has errors the options do not allow to skip.
#[allow(clippy::too_many_arguments)]
async fn apply_records(
    db: &Db,
    by: &Initiator,
    sheet: &Sheet,
    mapping: &Mapping,
    records: Vec<csv_read::Record>,
    file_name: &str,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report> {
    let started = std::time::Instant::now();
    let mut tx = db.begin().await?;
    store::hold_people(&mut tx).await?;
    let snap = store::snapshot(&mut Source::Tx(&mut tx)).await?;
    let read_ms = started.elapsed().as_millis();
    let extra = extra_network(&snap, opts)?;
    let mut p = plan(sheet, mapping, records, &snap, extra, opts, by.user_id)?;
    drop(snap);
    let planned_ms = started.elapsed().as_millis();
    if p.report.has_errors() && !opts.valid_rows_only {
        // Nothing is written: the transaction is dropped, which rolls it back.
        return Ok(p.report);
    }
    write(&mut tx, &p, progress).await.map_err(|e| match e {
        AppError::Internal(err) => match err.downcast::<roundtable_store::Error>() {
            Ok(s) => conflict(s),
            Err(err) => AppError::Internal(err),
        },
        e => e,
    })?;
    p.report.applied = true;
    // Each changed address is in the log on its own: it is how the person signs in.
    for (old, new, emp) in &p.report.email_changes {
        audit::record(
            &mut tx,
            &audit::NewEntry {
                actor_id: by.user_id,
                actor_name: &by.name,
                action: audit::EMAIL_CHANGED,
                network_id: None,
                subject: old,
                detail: &audit::email_changed_detail(new, file_name, emp),
            },
            Utc::now(),
        )
        .await?;
    }
    // So is each person the file deactivated or reactivated, as a change on the People page is.
    let deactivated = p.report.deactivations.iter().map(|(email, _)| {
        ("person.deactivated", email, format!("HR import {file_name}: {}", p.report.why_deactivated(email)))
    });
    let reactivated = p
        .report
        .reactivations
        .iter()
        .map(|(email, _)| ("person.reactivated", email, format!("HR import {file_name}: in the file")));
    for (action, email, why) in deactivated.chain(reactivated) {
        audit::record(
            &mut tx,
            &audit::NewEntry {
                actor_id: by.user_id,
                actor_name: &by.name,
                action,
                network_id: None,
                subject: email,
                detail: &why,
            },
            Utc::now(),
        )
        .await?;
    }
    let detail = p.report.summary();
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: by.user_id,
            actor_name: &by.name,
            action: "members.imported",
            network_id: extra,
            subject: file_name,
            detail: &detail,
        },
        Utc::now(),
    )
    .await?;
    let written_ms = started.elapsed().as_millis();
    tx.commit().await.map_err(conflict)?;
    tracing::info!(
        rows = p.report.rows,
        read_ms,
        plan_ms = planned_ms - read_ms,
        write_ms = written_ms - planned_ms,
        commit_ms = started.elapsed().as_millis() - written_ms,
        "members imported: {}",
        p.report.summary()
    );
    Ok(p.report)
}

/// The org-admin page's check: a dry run.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    sheet: &Sheet,
    mapping: &Mapping,
    opts: &Options,
) -> Result<Report> {
    crate::admin::require_admin(actor)?;
    let opts = Options { dry_run: true, ..opts.clone() };
    run(
        &state.db,
        &Initiator { user_id: Some(actor.user_id), name: String::new() },
        sheet,
        mapping,
        "",
        &opts,
        &|_, _, _| {},
    )
    .await
}

/// The org-admin page's import.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    sheet: &Sheet,
    mapping: &Mapping,
    file_name: &str,
    opts: &Options,
) -> Result<Report> {
    crate::admin::require_admin(actor)?;
    let opts = Options { dry_run: false, ..opts.clone() };
    let by = Initiator { user_id: Some(actor.user_id), name: actor_name.to_owned() };
    run(&state.db, &by, sheet, mapping, file_name, &opts, &|_, _, _| {}).await
}

/// The rows of the file that have errors, as CSV for Excel: the file's own columns (so the person
/// fixes the cells in place) followed by the line, column, problem and fix of each error — the
/// shared writer adds the BOM and CRLF and neutralises formula-like cells. The check is run again
/// (a dry run) so the rows match the database as it is now. `None` when no row has errors.
pub async fn error_file(
    state: &AppState,
    actor: &Actor,
    sheet: &Sheet,
    mapping: &Mapping,
    opts: &Options,
) -> Result<Option<(Vec<u8>, usize)>> {
    let report = preview(state, actor, sheet, mapping, opts).await?;
    if !report.has_errors() {
        return Ok(None);
    }
    let dates = csv_read::DateReading::of(sheet, mapping, opts.date_order);
    let (header, rows) = csv_read::error_rows(sheet, mapping, &dates, &report.errors);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let n = rows.len();
    // Semicolons if the upload had them, so it opens in the same Excel and can be uploaded again;
    // otherwise commas (a tab-separated .csv would land in one column).
    let separator = if sheet.delimiter == ';' { b';' } else { b',' };
    Ok(Some((crate::http::csv_bytes_with(separator, &header, rows), n)))
}

/// The org-admin page's network list (for "add everyone to").
pub async fn networks(state: &AppState, actor: &Actor) -> Result<Vec<(String, String)>> {
    crate::admin::require_admin(actor)?;
    Ok(roundtable_store::networks::list(&state.db).await?.into_iter().map(|n| (n.slug, n.name)).collect())
}

// ---------------------------------------------------------------------------------------------
// Export.

/// The export's columns: the import's own, so an export can be edited and imported back.
pub const EXPORT_COLUMNS: [Column; 17] = [
    Column::Email,
    Column::Name,
    Column::PreferredName,
    Column::JobTitle,
    Column::Department,
    Column::Location,
    Column::TimeZone,
    Column::Level,
    Column::YearsExperience,
    Column::Skills,
    Column::Interests,
    Column::Languages,
    Column::StartDate,
    Column::EmployeeId,
    Column::ManagerEmail,
    Column::SupportsEmails,
    Column::Networks,
];

/// Everything known about one person for the export.
struct ExportPerson<'a> {
    p: &'a Person,
    lists: Lists,
    manager: Option<&'a str>,
    supports: Vec<&'a str>,
    networks: Vec<&'a str>,
}

/// One person's row as `rel` may see it. Basics (email, name, job title, department, location,
/// time zone) are visible across the organisation; every other field follows the audience its
/// owner chose (`profile::can_see`). Org admins — the only people who may export today — see
/// every field; employee IDs and network memberships are listed for them only.
fn export_row(e: &ExportPerson<'_>, rel: Relation) -> Vec<String> {
    let aud = audiences(&e.p.visibility);
    let show = |f: Field| profile::can_see(aud.get(&f).copied().unwrap_or(Audience::Network), rel);
    let when = |f: Field, v: String| if show(f) { v } else { String::new() };
    // Free text a spreadsheet might take for a number or a date ("1-2", "10/11") stays text.
    let text = |v: &str| crate::http::excel_text(v).into_owned();
    vec![
        e.p.email.clone(),
        text(&e.p.name),
        when(Field::PreferredName, text(&e.p.preferred_name)),
        text(&e.p.job_title),
        text(&e.p.department),
        text(&e.p.location),
        e.p.time_zone.clone(),
        when(Field::Level, text(&e.p.level)),
        when(Field::YearsExperience, e.p.years_experience.map(|y| y.to_string()).unwrap_or_default()),
        when(Field::Skills, text(&e.lists.skills.join("; "))),
        when(Field::Interests, text(&e.lists.interests.join("; "))),
        when(Field::Languages, text(&e.lists.languages.join("; "))),
        when(Field::StartDate, e.p.start_date.clone()),
        if rel.viewer_is_org_admin { text(e.p.employee_id.as_deref().unwrap_or_default()) } else { String::new() },
        when(Field::Manager, e.manager.unwrap_or_default().to_owned()),
        when(Field::Supports, e.supports.join("; ")),
        if rel.viewer_is_org_admin { e.networks.join("; ") } else { String::new() },
    ]
}

/// Active people (of one network, if given) as CSV for Excel: UTF-8 with a BOM, CRLF line ends,
/// ISO dates, formula-like cells neutralised. Returns the CSV and how many people it holds.
/// With `leavers` (an org admin reconciling with HR), deactivated people too — never the
/// erased — and a `status` column saying Active or Inactive, which an import of the file reads
/// back (an Inactive row deactivates, or is already deactivated).
/// With `membership` (a network's organisers' own export): no email addresses (theirs nor their
/// managers' or executives': no organiser page shows them), no employee IDs or other networks,
/// and two more columns — each person's role in the network and the day they became a member,
/// on the calendar of the zone `membership` holds.
async fn export_csv(
    db: &Db,
    rel: Relation,
    network: Option<&str>,
    sep: Separator,
    membership: Option<chrono_tz::Tz>,
    leavers: bool,
) -> Result<(Vec<u8>, usize)> {
    let snap = store::snapshot(&mut Source::Db(db)).await?;
    let only = match network {
        None => None,
        Some(slug) => Some(snap.networks.iter().find(|n| n.slug == slug).ok_or(AppError::NotFound)?.id),
    };
    let email_of: HashMap<UserId, &str> = snap.people.iter().map(|p| (p.id, p.email.as_str())).collect();
    let slug_of: HashMap<NetworkId, &str> = snap.networks.iter().map(|n| (n.id, n.slug.as_str())).collect();
    let mut lists: HashMap<UserId, Lists> = HashMap::new();
    for (id, kind, tag) in &snap.tags {
        let l = lists.entry(*id).or_default();
        match kind.as_str() {
            "skills" => l.skills.push(tag.clone()),
            "interests" => l.interests.push(tag.clone()),
            _ => l.languages.push(tag.clone()),
        }
    }
    let mut supports: HashMap<UserId, Vec<&str>> = HashMap::new();
    for (a, e) in &snap.supports {
        supports.entry(*a).or_default().extend(email_of.get(e));
    }
    let mut nets: HashMap<UserId, Vec<&str>> = HashMap::new();
    for m in snap.memberships.iter().filter(|m| m.status == "active") {
        nets.entry(m.user_id).or_default().extend(slug_of.get(&m.network_id));
    }
    let in_network: Option<HashSet<UserId>> = only.map(|n| {
        snap.memberships.iter().filter(|m| m.network_id == n && m.status == "active").map(|m| m.user_id).collect()
    });
    let mut people: Vec<&Person> = snap
        .people
        .iter()
        .filter(|p| {
            let listed = !p.deactivated || (leavers && !roundtable_store::users::is_erased_address(&p.email));
            listed && in_network.as_ref().is_none_or(|s| s.contains(&p.id))
        })
        .collect();
    people.sort_by(|a, b| (fold(&a.name), &a.email).cmp(&(fold(&b.name), &b.email)));

    let keep: Vec<bool> = EXPORT_COLUMNS
        .iter()
        .map(|c| {
            membership.is_none()
                || !matches!(
                    c,
                    Column::Email
                        | Column::EmployeeId
                        | Column::ManagerEmail
                        | Column::SupportsEmails
                        | Column::Networks
                )
        })
        .collect();
    let kept = |row: Vec<String>| row.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v).collect::<Vec<_>>();
    let mut header: Vec<&str> = EXPORT_COLUMNS.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c.key()).collect();
    let member_of: HashMap<UserId, &store::MembershipRef> = match (only, membership) {
        (Some(n), Some(_)) => {
            header.extend(["role", "member_since"]);
            snap.memberships
                .iter()
                .filter(|m| m.network_id == n && m.status == "active")
                .map(|m| (m.user_id, m))
                .collect()
        }
        _ => HashMap::new(),
    };
    if leavers {
        header.push(Column::Status.key());
    }
    let mut rows = Vec::with_capacity(people.len());
    for p in &people {
        let mut n = nets.remove(&p.id).unwrap_or_default();
        n.sort_unstable();
        let e = ExportPerson {
            p,
            lists: lists.remove(&p.id).unwrap_or_default(),
            manager: p.manager_id.and_then(|m| email_of.get(&m).copied()),
            supports: supports.remove(&p.id).unwrap_or_default(),
            networks: n,
        };
        let mut row = kept(export_row(&e, rel));
        if let Some(m) = member_of.get(&p.id) {
            let role = roundtable_domain::Role::parse(&m.role).map_or(m.role.as_str(), |r| r.label());
            let since = m.since.with_timezone(&membership.unwrap_or(chrono_tz::Tz::UTC)).date_naive();
            row.extend([role.to_owned(), since.to_string()]);
        }
        if leavers {
            row.push(if p.deactivated { "Inactive" } else { "Active" }.to_owned());
        }
        rows.push(row);
    }
    // BOM, CRLF and formula neutralising are the shared Excel-safe writer's job.
    let out = crate::http::csv_bytes_with(sep.byte(), &header, rows);
    Ok((out, people.len()))
}

/// The org-admin export, recorded in the audit log (it is personal data leaving the system).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    network: Option<&str>,
    sep: Separator,
    leavers: bool,
) -> Result<Vec<u8>> {
    crate::admin::require_admin(actor)?;
    let rel = Relation { is_self: false, viewer_is_org_admin: true, organiser_of: false, shares_network: false };
    let (csv, n) = export_csv(&state.db, rel, network, sep, None, leavers).await?;
    let mut tx = state.db.begin().await?;
    let subject = network.unwrap_or("organisation");
    let detail = if leavers { format!("{n} people, deactivated included") } else { format!("{n} people") };
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action: "members.exported",
            network_id: None,
            subject,
            detail: &detail,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(csv)
}

/// A network's member list for its organisers' own reports (CSV for Excel): each profile field
/// as its owner chose — organisers see what is shown to the organisers of a network the person
/// is in — with each person's role and member-since date (the day in `tz`: the organiser's on
/// the page, UTC over the API); no email addresses, employee IDs or other networks (see
/// `export_csv`). Recorded in the audit log, as personal data leaving.
pub async fn export_network(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    sep: Separator,
    tz: chrono_tz::Tz,
) -> Result<Vec<u8>> {
    let seen = crate::networks::load(state, actor, slug, roundtable_domain::Capability::Organise).await?;
    let rel = Relation { is_self: false, viewer_is_org_admin: false, organiser_of: true, shares_network: true };
    let (csv, n) = export_csv(&state.db, rel, Some(&seen.network.slug), sep, Some(tz), false).await?;
    let mut tx = state.db.begin().await?;
    let detail = format!("{n} people");
    crate::networks::record(&mut tx, actor, actor_name, "members.exported", &seen, &seen.network.slug, &detail).await?;
    tx.commit().await?;
    Ok(csv)
}

/// Reads a file (any encoding the pages accept) and matches its header to our columns by name and
/// alias, with some columns chosen by header name (`columns`, see `Mapping::with_chosen`) — for
/// the command line and the API, which have no mapping page. A file that cannot be read is an
/// error of the field `file`; a choice that names no column, of the field `columns`.
pub fn read_by_header(bytes: &[u8], columns: Option<&str>) -> Result<(Sheet, Mapping)> {
    let unreadable = |e: FileError| FieldError::new("file", format!("The file cannot be imported: {e}"));
    let Some(chosen) = columns else {
        let sheet = csv_read::read_bytes(bytes).map_err(unreadable)?;
        let mapping = Mapping::guess(&sheet);
        if mapping.get(Column::Email).is_none() {
            return Err(unreadable(FileError(format!(
                "no column holds the email address. The header has: {}. Name one column “email”, or say which one holds it with columns: email=its header.",
                sheet.headers.join(", ")
            )))
            .into());
        }
        return Ok((sheet, mapping));
    };
    let sheet = csv_read::read_bytes(bytes).map_err(unreadable)?;
    let mapping = Mapping::guess(&sheet).with_chosen(chosen, &sheet.headers).map_err(AppError::Invalid)?;
    Ok((sheet, mapping))
}

/// `roundtable import …` / `roundtable export …`: the server console acts, recorded as "console".
pub mod console {
    use super::*;

    /// The operator sees the cause of an internal error (pages hide it; a console may show it).
    fn plain(e: AppError) -> anyhow::Error {
        match e {
            AppError::Internal(err) => err.context("nothing was imported"),
            e => anyhow::anyhow!(e.message()),
        }
    }

    /// Reads `bytes` (any encoding the pages accept), matches the header to our columns by name
    /// and alias (there is no mapping step on the command line), then runs the import.
    pub async fn import(
        db: &Db,
        bytes: &[u8],
        file_name: &str,
        columns: Option<&str>,
        opts: &Options,
        progress: Progress<'_>,
    ) -> anyhow::Result<(Sheet, Mapping, Report)> {
        let (sheet, mapping) = read_by_header(bytes, columns).map_err(|e| match e {
            AppError::Invalid(errs) => {
                let each: Vec<String> = errs.into_iter().map(|e| e.message).collect();
                anyhow::anyhow!("{file_name}: {}", each.join(" "))
            }
            e => plain(e),
        })?;
        let report =
            run(db, &Initiator::console(), &sheet, &mapping, file_name, opts, progress).await.map_err(plain)?;
        Ok((sheet, mapping, report))
    }

    /// Every active person (or one network's members; with `leavers`, the deactivated too) as
    /// CSV, with every field.
    pub async fn export(db: &Db, network: Option<&str>, sep: Separator, leavers: bool) -> anyhow::Result<Vec<u8>> {
        let rel = Relation { is_self: false, viewer_is_org_admin: true, organiser_of: false, shares_network: false };
        let (csv, n) = export_csv(db, rel, network, sep, None, leavers).await.map_err(|e| match e {
            AppError::NotFound => anyhow::anyhow!("no network has the address {:?}", network.unwrap_or_default()),
            e => plain(e),
        })?;
        let mut tx = db.begin().await?;
        let subject = network.unwrap_or("organisation");
        audit::record(
            &mut tx,
            &audit::NewEntry {
                actor_id: None,
                actor_name: "console",
                action: "members.exported",
                network_id: None,
                subject,
                detail: &if leavers { format!("{n} people, deactivated included") } else { format!("{n} people") },
            },
            Utc::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for bad in ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(crate::http::neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(crate::http::neutralise("Ann"), "Ann");
        assert_eq!(crate::http::neutralise("2024-03-31"), "2024-03-31");
    }

    #[test]
    fn a_neutralised_cell_imports_as_the_value_it_holds() {
        for v in ["-Finance", "=1+1", "'-Finance", "''@x", "'quoted'", "O'Brien", "Ann", "'", ""] {
            assert_eq!(crate::http::unneutralise(&crate::http::neutralise(v)), v, "{v:?}");
        }
        assert_eq!(crate::http::unneutralise("'-Finance"), "-Finance", "as Excel users type it");
    }

    #[test]
    fn text_excel_would_change_as_a_number_or_date_is_written_as_text_and_read_back() {
        use crate::http::{excel_text, neutralise, unneutralise};
        for (code, written) in [
            ("001010", "=\"001010\""),
            ("1234567890123456", "=\"1234567890123456\""),
            ("1.50", "=\"1.50\""),
            ("1E5", "=\"1E5\""),
            ("10/11", "=\"10/11\""),
            ("1-2", "=\"1-2\""),
            ("2024-01", "=\"2024-01\""),
            ("12:30", "=\"12:30\""),
            ("50%", "=\"50%\""),
            ("1010", "1010"),
            ("0", "0"),
            ("E01010", "E01010"),
            ("3 years", "3 years"),
            ("10 Downing Street", "10 Downing Street"),
            ("", ""),
        ] {
            let cell = neutralise(&excel_text(code)).into_owned();
            assert_eq!(cell, written, "{code:?} is written so Excel shows it as it is");
            assert_eq!(unneutralise(&cell), code, "and imports as the code");
        }
        assert_eq!(neutralise("=\"1\"&HYPERLINK(\"x\")"), "'=\"1\"&HYPERLINK(\"x\")", "anything more stays inert");
    }

    #[test]
    fn an_id_excel_stripped_of_leading_zeros_is_told_from_a_different_one() {
        assert_eq!(
            (number("001010"), number("000"), number("E1010"), number("")),
            (Some("1010"), Some("0"), None, None)
        );
        assert!(zeros_lost("1010", "001010") && zeros_lost("01010", "001010") && zeros_lost("0", "000"));
        assert!(!zeros_lost("001010", "1010"), "more zeros than stored: the file restores them");
        assert!(!zeros_lost("1010", "1010") && !zeros_lost("1011", "001010") && !zeros_lost("E1", "E01"));
    }

    fn person(email: &str, name: &str) -> Person {
        Person {
            id: UserId::new(),
            email: email.into(),
            name: name.into(),
            job_title: String::new(),
            department: String::new(),
            location: String::new(),
            time_zone: "UTC".into(),
            is_org_admin: false,
            deactivated: false,
            preferred_name: String::new(),
            pronouns: String::new(),
            level: String::new(),
            years_experience: None,
            bio: String::new(),
            start_date: String::new(),
            manager_id: None,
            visibility: "{}".into(),
            employee_id: None,
        }
    }

    #[test]
    fn no_two_rows_without_errors_update_one_account() {
        let (ann, bea) = (person("ann@example.org", "Ann"), person("bea@example.org", "Bea"));
        let mut records: Vec<Record> = [2, 3, 4, 5].map(|line| Record { line, ..Record::default() }).into();
        records[2].errors.push(row_error(4, "name".into(), "bad".into(), "fix"));
        let matched = [Some(&ann), Some(&bea), Some(&ann), Some(&ann)];
        one_row_per_account(&mut records, &matched, "email (column A)".into());
        let flagged: Vec<(u64, usize)> = records.iter().map(|r| (r.line, r.errors.len())).collect();
        assert_eq!(flagged, [(2, 0), (3, 0), (4, 1), (5, 1)], "the later row; a row with errors writes nothing");
        assert_eq!(records[3].errors[0].problem, "This row is about Ann (ann@example.org), as line 2 is.");
    }

    #[test]
    fn a_deactivated_account_s_address_with_another_employee_id_is_a_leavers() {
        let mut leaver = person("carl@example.org", "Carl");
        leaver.employee_id = Some("000998".into());
        let row = Record { line: 2, ..Record::default() };
        let col = || "email (column A)".to_owned();
        assert!(leavers_address_reused(&row, "000998", &leaver, col()).is_none(), "an active account is updated");
        leaver.deactivated = true;
        assert!(leavers_address_reused(&row, "998", &leaver, col()).is_none(), "his own ID, as Excel saves it");
        let e = leavers_address_reused(&row, "000999", &leaver, col()).unwrap();
        assert!(e.problem.contains("has the employee ID 000998, not 000999"), "{e:?}");
        leaver.employee_id = None;
        assert!(leavers_address_reused(&row, "000999", &leaver, col()).is_none(), "no stored ID to differ");
    }

    #[test]
    fn loops_are_found_once_each() {
        let (a, b, c, d) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        let g: HashMap<UserId, UserId> = [(a, b), (b, c), (c, a), (d, a)].into();
        let found = loops(&g, [d, a, b].into_iter());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), 3);
        assert!(loops(&[(a, b)].into(), [a].into_iter()).is_empty());
    }

    #[test]
    fn the_export_row_hides_fields_the_viewer_may_not_see() {
        let p = Person {
            id: UserId::new(),
            email: "ann@example.org".into(),
            name: "Ann".into(),
            job_title: "EA".into(),
            department: "Finance".into(),
            location: "London".into(),
            time_zone: "Europe/London".into(),
            is_org_admin: false,
            deactivated: false,
            preferred_name: "Annie".into(),
            pronouns: String::new(),
            level: "Senior".into(),
            years_experience: Some(8),
            bio: String::new(),
            start_date: "2019-09-02".into(),
            manager_id: None,
            visibility: r#"{"level":"organisers","skills":"organisation"}"#.into(),
            employee_id: Some("E1042".into()),
        };
        let e = ExportPerson {
            p: &p,
            lists: Lists { skills: vec!["Excel".into()], ..Lists::default() },
            manager: Some("boss@example.org"),
            supports: vec![],
            networks: vec!["eas"],
        };
        let admin = Relation { is_self: false, viewer_is_org_admin: true, organiser_of: false, shares_network: false };
        let stranger = Relation { viewer_is_org_admin: false, ..admin };
        let all = export_row(&e, admin);
        assert_eq!(
            (all[2].as_str(), all[7].as_str(), all[9].as_str(), all[13].as_str(), all[14].as_str(), all[16].as_str()),
            ("Annie", "Senior", "Excel", "E1042", "boss@example.org", "eas")
        );
        let some = export_row(&e, stranger);
        assert_eq!(some[1], "Ann", "basics are organisation-wide");
        assert_eq!(some[9], "Excel", "skills were shared with the organisation");
        assert!(
            [2, 7, 13, 14, 16].iter().all(|&i| some[i].is_empty()),
            "preferred name, level, employee ID, manager and networks are hidden: {some:?}"
        );
    }
}
