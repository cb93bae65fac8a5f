//! `roundtable import members FILE` and `roundtable export members`: HR data from the server's
//! console, recorded in the audit log as "console". The rules are the import pages' rules
//! (see `roundtable_app::import`); the command line has no column-choosing step, so the header
//! names must be ours or a common alias ("E-mail Address", "Display Name", "Line Manager", …).

use anyhow::Context;
use clap::Subcommand;
use roundtable_app::http::Separator;
use roundtable_app::import::{Action, Column, DateOrder, Options, Outcome, Report, Stage, console, rows_n};
use roundtable_store::Db;
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import or update members from a CSV file, matched by email (or by employee ID).
    ///
    /// Reads UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252, separated by commas,
    /// semicolons or tabs. The first row names the columns: a file whose first row is a person (an
    /// email address or a date in it) is refused; a report title above the header (the first of the
    /// first 10 rows that names an email column) and SuccessFactors' second row of labels under it
    /// are skipped, and said. Columns: email (required), name (required for new people, or
    /// first_name and last_name; a first name is put before a name that lacks it, as German
    /// "Vorname" and "Name" need), preferred_name, job_title, department, location, time_zone,
    /// level, years_experience, skills, interests, languages, start_date, employee_id,
    /// manager_email, supports_emails, networks, or the names Workday, BambooHR, SuccessFactors and
    /// German exports use (Legal Name, Employee #, USERID, Personalnummer, Abteilung…); a manager
    /// column of names or IDs rather than email addresses is not used, and said. An empty cell
    /// keeps the current value; the same file twice changes nothing. Someone whose email is new but
    /// whose employee ID is known gets the new email (each such change is listed); a deactivated
    /// account's email on a row with another employee ID is an error (a leaver's address given to
    /// someone new). New people get no password and no email. Excel error cells (#N/A, #REF!…) are
    /// row errors, as are names in a Windows-1252 file where Excel wrote ? for letters it could not
    /// save. A file with any error imports nothing unless --valid-rows-only is given.
    ///
    /// Start dates: YYYY-MM-DD is always read, and a midnight time after a date (00:00, 0:00,
    /// 12:00:00 AM) is ignored. Dates with the year last (31/03/2024, 3/31/2024, 31.03.2024) are
    /// read in the one order the file shows by a day over 12, as Excel writes a whole column in
    /// its locale's order, or in the order --date-order gives; a date such as 2/11/2019 in a file
    /// that never shows the order could be either and, without --date-order, is a row error, as
    /// are the rows against most of a file that mixes both orders. An all-digit employee ID that
    /// has lost its leading zeros in Excel (1010 for 001010) still finds the person, and the
    /// stored ID is kept (listed as "kept employee ID"); two rows whose IDs differ only so are
    /// the same person twice.
    ///
    /// --deactivate-missing covers the whole organisation, even with --network. It is refused,
    /// changing nothing, while any row's email cannot be read, and when it would deactivate more
    /// than half of the active people unless --yes-deactivate-many is given. People it leaves
    /// reporting to someone it deactivates (an empty manager cell keeps the manager) are listed
    /// in a warning.
    Members {
        /// The CSV file; - reads it from standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Columns chosen by the file's header names, where the guess from the names is not what
        /// you want: key=Header pairs separated by ; (e.g. "email=Email Address (Work);job_title=Job
        /// Profile"); an empty header (manager_email=) leaves that field out. Keys: email, name,
        /// first_name, last_name, preferred_name, job_title, department, location, time_zone,
        /// level, years_experience, skills, interests, languages, start_date, employee_id,
        /// manager_email, supports_emails, networks, status, leaving_date.
        #[arg(long, value_name = "KEY=HEADER;…")]
        columns: Option<String>,
        /// Also add everyone in the file to this network (its address, e.g. assistants).
        #[arg(long, value_name = "SLUG")]
        network: Option<String>,
        /// Check the file and show what would change, without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows even when other rows have errors.
        #[arg(long)]
        valid_rows_only: bool,
        /// How dates such as 2/11/2019 are written: day-first (2 November) or month-first
        /// (11 February) [default: worked out from the file, by a date with a day over 12].
        #[arg(long, value_enum, value_name = "ORDER")]
        date_order: Option<DateOrderArg>,
        /// Deactivate active people whose email is in no row, in the whole organisation (never
        /// organisation administrators, never with a row whose email cannot be read).
        #[arg(long)]
        deactivate_missing: bool,
        /// With --deactivate-missing: allow deactivating more than half of the active people
        /// (otherwise refused, as the sign of a partial file).
        #[arg(long, requires = "deactivate_missing")]
        yes_deactivate_many: bool,
        /// Reactivate the people in the file whose account is deactivated (rehired, or
        /// deactivated by mistake); otherwise they stay deactivated, and the report says so.
        #[arg(long)]
        reactivate: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Export active members as CSV for Excel: UTF-8 with BOM, CRLF, ISO dates, every field.
    Members {
        /// Where to write the file [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Only the active members of this network (its address).
        #[arg(long, value_name = "SLUG")]
        network: Option<String>,
        /// Cell separator: Excel expects a semicolon where the comma is the decimal mark
        /// (French, German, Spanish… regional settings).
        #[arg(long, value_enum, default_value_t = SeparatorArg::Comma)]
        separator: SeparatorArg,
        /// Deactivated people too (never the erased), with a status column (Active or Inactive)
        /// that an import of the file reads back: for checking against the HR system.
        #[arg(long)]
        include_deactivated: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DateOrderArg {
    /// 2/11/2019 is 2 November 2019.
    DayFirst,
    /// 2/11/2019 is 11 February 2019.
    MonthFirst,
}

impl From<DateOrderArg> for DateOrder {
    fn from(o: DateOrderArg) -> Self {
        match o {
            DateOrderArg::DayFirst => DateOrder::DayFirst,
            DateOrderArg::MonthFirst => DateOrder::MonthFirst,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SeparatorArg {
    Comma,
    Semicolon,
}

/// Errors printed in full; beyond this, only counted.
const SHOWN_ERRORS: usize = 200;

pub async fn run_import(db: &Db, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Members {
        file,
        columns,
        network,
        dry_run,
        valid_rows_only,
        date_order,
        deactivate_missing,
        yes_deactivate_many,
        reactivate,
    } = cmd;
    let (bytes, name) = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).context("reading standard input")?;
        (bytes, "standard input".to_owned())
    } else {
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        (bytes, file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned()))
    };
    let date_order = date_order.map(DateOrder::from);
    let opts =
        Options { network, deactivate_missing, yes_deactivate_many, reactivate, valid_rows_only, dry_run, date_order };
    let bar = indicatif::ProgressBar::new_spinner().with_message("checking");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg:10} {bar:40} {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let progress = {
        let bar = bar.clone();
        move |stage: Stage, done: u64, total: u64| {
            bar.set_message(match stage {
                Stage::Checking => "checked",
                Stage::Writing => "writing",
            });
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let result = console::import(db, &bytes, &name, columns.as_deref(), &opts, &progress).await;
    bar.finish_and_clear();
    let (sheet, mapping, r) = result?;

    let used: Vec<String> = Column::ALL
        .iter()
        .filter_map(|c| mapping.get(*c).map(|i| format!("{} ← {}", c.key(), sheet.headers[i])))
        .collect();
    let sep = match r.delimiter {
        ';' => "semicolons",
        '\t' => "tabs",
        _ => "commas",
    };
    println!("{name}: {}, {}, separated by {sep}.", rows_n(r.rows), r.encoding);
    println!("Columns: {}.", used.join(", "));
    if !r.ignored_columns.is_empty() {
        println!("Not used: {}.", r.ignored_columns.join(", "));
    }
    for note in &r.notes {
        println!("{note}");
    }
    if let Some(note) = &r.date_note {
        println!("{note}");
    }
    for e in r.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("line {}, {}: {} {}", e.line, e.column, e.problem, e.fix);
    }
    if r.errors.len() > SHOWN_ERRORS {
        eprintln!("… and {} more errors.", r.errors.len() - SHOWN_ERRORS);
    }
    for line in row_outcomes(&r) {
        println!("{line}");
    }
    for line in email_changes(&r) {
        println!("{line}");
    }
    for line in ids_kept(&r) {
        println!("{line}");
    }
    for (email, _) in r.deactivations.iter().take(SHOWN_ERRORS) {
        let done = if r.applied { "deactivated" } else { "would deactivate" };
        println!("{done} {email} ({})", r.why_deactivated(email));
    }
    if r.admins_kept > 0 {
        let who = if r.admins_kept == 1 {
            "administrator not in the file stays"
        } else {
            "administrators not in the file stay"
        };
        println!("{} {who} active.", r.admins_kept);
    }
    for warning in &r.warnings {
        eprintln!("Warning: {warning}");
    }
    let counts = r.counts();
    if r.applied {
        println!("Imported: {counts}{}.", if r.has_errors() { " (those rows were skipped)" } else { "" });
        return Ok(());
    }
    if dry_run {
        // With --valid-rows-only the real run imports the other rows and succeeds; so does its
        // rehearsal, or a script that checks first would never go on.
        let skipped = if r.has_errors() && valid_rows_only { " (the rows with errors would be skipped)" } else { "" };
        println!("Dry run, nothing changed. Would be: {counts}{skipped}.");
        if valid_rows_only {
            return Ok(());
        }
    }
    if r.has_errors() && dry_run {
        anyhow::bail!("{} (lines {}).", with_errors(r.error_lines.len()), lines(&r.error_lines));
    }
    if r.has_errors() {
        anyhow::bail!(
            "{} (lines {}); nothing was imported. Fix them, or pass --valid-rows-only to import the other rows.",
            with_errors(r.error_lines.len()),
            lines(&r.error_lines)
        );
    }
    Ok(())
}

/// One line per row that adds or changes someone, or carries a note (the first `SHOWN_ERRORS`):
/// who, and which fields — what a dry run is for.
fn row_outcomes(r: &Report) -> Vec<String> {
    let shown: Vec<&Outcome> =
        r.outcomes.iter().filter(|o| o.action != Action::Unchanged || o.note.is_some()).collect();
    let mut out: Vec<String> = shown
        .iter()
        .take(SHOWN_ERRORS)
        .map(|o| {
            let what = match (o.action, r.applied) {
                (Action::Create, true) => format!("added {} ({})", o.email, o.name),
                (Action::Create, false) => format!("would add {} ({})", o.email, o.name),
                (Action::Update, true) => format!("updated {}: {}", o.email, o.changes_in_words()),
                (Action::Update, false) => format!("would update {}: {}", o.email, o.changes_in_words()),
                (Action::Unchanged, _) => format!("{} unchanged", o.email),
            };
            match &o.note {
                Some(note) => format!("line {}: {what} — {note}", o.line),
                None => format!("line {}: {what}", o.line),
            }
        })
        .collect();
    if shown.len() > SHOWN_ERRORS {
        out.push(format!("… and {} more rows.", shown.len() - SHOWN_ERRORS));
    }
    out
}

/// One line per person found by employee ID whose email changes (the first `SHOWN_ERRORS`):
/// an address changing under someone's feet is what an administrator most needs to see.
fn email_changes(r: &Report) -> Vec<String> {
    let verb = if r.applied { "email changed" } else { "would change email" };
    let mut out: Vec<String> = r
        .email_changes
        .iter()
        .take(SHOWN_ERRORS)
        .map(|(old, new, employee_id)| format!("{verb}: {old} → {new} (found by employee ID {employee_id})"))
        .collect();
    if r.email_changes.len() > SHOWN_ERRORS {
        out.push(format!("… and {} more email changes.", r.email_changes.len() - SHOWN_ERRORS));
    }
    out
}

/// One line per row whose employee ID lost its leading zeros (the first `SHOWN_ERRORS`).
fn ids_kept(r: &Report) -> Vec<String> {
    let mut out: Vec<String> = r
        .employee_ids_kept
        .iter()
        .take(SHOWN_ERRORS)
        .map(|(line, file, kept)| {
            format!("line {line}: kept employee ID {kept} (the file's {file} lost its leading zeros, as Excel does)")
        })
        .collect();
    if r.employee_ids_kept.len() > SHOWN_ERRORS {
        out.push(format!("… and {} more employee IDs kept.", r.employee_ids_kept.len() - SHOWN_ERRORS));
    }
    out
}

/// "1 row has errors", "3 rows have errors".
fn with_errors(n: usize) -> String {
    if n == 1 { "1 row has errors".to_owned() } else { format!("{n} rows have errors") }
}

fn lines(l: &[u64]) -> String {
    let mut s: Vec<String> = l.iter().take(20).map(u64::to_string).collect();
    if l.len() > 20 {
        s.push("…".into());
    }
    s.join(", ")
}

pub async fn run_export(db: &Db, cmd: ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::Members { out, network, separator, include_deactivated } = cmd;
    let separator = match separator {
        SeparatorArg::Comma => Separator::Comma,
        SeparatorArg::Semicolon => Separator::Semicolon,
    };
    let csv = console::export(db, network.as_deref(), separator, include_deactivated).await?;
    match out {
        Some(path) => {
            // Owner only, as backups are: the file holds the organisation's HR data.
            use std::os::unix::fs::OpenOptionsExt;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .with_context(|| format!("writing {}", path.display()))?;
            file.write_all(&csv).with_context(|| format!("writing {}", path.display()))?;
            let people = csv.split(|b| *b == b'\n').count().saturating_sub(2);
            eprintln!("Wrote {}: {people} {}.", path.display(), if people == 1 { "person" } else { "people" });
        }
        None => std::io::stdout().lock().write_all(&csv)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(applied: bool, changes: usize) -> Report {
        Report {
            updated: changes,
            unchanged: 1,
            email_changes: (0..changes)
                .map(|i| (format!("old{i}@example.org"), format!("new{i}@example.org"), format!("E{i}")))
                .collect(),
            applied,
            ..Report::default()
        }
    }

    #[test]
    fn the_summary_lists_each_email_found_by_employee_id_and_counts_them() {
        let preview = renamed(false, 1);
        assert_eq!(
            email_changes(&preview),
            ["would change email: old0@example.org → new0@example.org (found by employee ID E0)"]
        );
        assert_eq!(
            preview.counts(),
            "0 created, 1 updated (1 with a new email, found by employee ID), 1 unchanged, 0 deactivated, 0 with errors"
        );
        let done = renamed(true, 2);
        assert_eq!(
            email_changes(&done)[1],
            "email changed: old1@example.org → new1@example.org (found by employee ID E1)"
        );
    }

    #[test]
    fn without_email_changes_the_summary_says_nothing_about_them() {
        let r = renamed(true, 0);
        assert!(email_changes(&r).is_empty());
        assert_eq!(r.counts(), "0 created, 0 updated, 1 unchanged, 0 deactivated, 0 with errors");
    }

    #[test]
    fn a_long_list_of_email_changes_is_cut_with_a_count() {
        let lines = email_changes(&renamed(true, SHOWN_ERRORS + 3));
        assert_eq!(lines.len(), SHOWN_ERRORS + 1);
        assert_eq!(lines.last().map(String::as_str), Some("… and 3 more email changes."));
    }
}
