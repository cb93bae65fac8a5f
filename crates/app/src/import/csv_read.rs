//! Reading what Excel and HR systems write, without I/O: the text encoding (UTF-8 with or
//! without BOM, UTF-16 with BOM, else Windows-1252), the separator (comma, semicolon or tab,
//! guessed from the header line), quoted fields with embedded newlines (the `csv` crate), header
//! names matched to our columns case-insensitively with common aliases, and each cell checked.
//! Every problem is a `RowError` with the physical line in the file where the row starts, the
//! column as the file names it, what is wrong and how to fix it.

use crate::members::short;
use chrono::NaiveDate;
use roundtable_domain::profile::{self, parse_tags, parse_years};
use roundtable_domain::{Email, NetworkSlug, PersonName};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// Our columns, in the order of the template and the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Email,
    Name,
    FirstName,
    LastName,
    PreferredName,
    JobTitle,
    Department,
    Location,
    TimeZone,
    Level,
    YearsExperience,
    Skills,
    Interests,
    Languages,
    StartDate,
    EmployeeId,
    ManagerEmail,
    SupportsEmails,
    Networks,
    Status,
    LeavingDate,
}

impl Column {
    pub const ALL: [Column; 21] = [
        Column::Email,
        Column::Name,
        Column::FirstName,
        Column::LastName,
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
        Column::Status,
        Column::LeavingDate,
    ];

    /// The name in our template and export header.
    pub fn key(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::Name => "name",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::PreferredName => "preferred_name",
            Column::JobTitle => "job_title",
            Column::Department => "department",
            Column::Location => "location",
            Column::TimeZone => "time_zone",
            Column::Level => "level",
            Column::YearsExperience => "years_experience",
            Column::Skills => "skills",
            Column::Interests => "interests",
            Column::Languages => "languages",
            Column::StartDate => "start_date",
            Column::EmployeeId => "employee_id",
            Column::ManagerEmail => "manager_email",
            Column::SupportsEmails => "supports_emails",
            Column::Networks => "networks",
            Column::Status => "status",
            Column::LeavingDate => "leaving_date",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Column::Email => "Email address",
            Column::Name => "Full name",
            Column::FirstName => "First name",
            Column::LastName => "Last name",
            Column::PreferredName => "Preferred name",
            Column::JobTitle => "Job title",
            Column::Department => "Department or function",
            Column::Location => "Location",
            Column::TimeZone => "Time zone",
            Column::Level => "Level",
            Column::YearsExperience => "Years of experience",
            Column::Skills => "Skills",
            Column::Interests => "Interests outside work",
            Column::Languages => "Languages",
            Column::StartDate => "Start date",
            Column::EmployeeId => "Employee ID",
            Column::ManagerEmail => "Manager's email",
            Column::SupportsEmails => "Emails of the executives supported",
            Column::Networks => "Networks",
            Column::Status => "Employment status",
            Column::LeavingDate => "Leaving date",
        }
    }

    /// What the column must hold, for the mapping page and the template.
    pub fn hint(self) -> &'static str {
        match self {
            Column::Email => "Required. The key: each person once.",
            Column::Name => {
                "Required for people new to Roundtable (or first and last name). If it holds the family name only (German “Name”), choose the first-name column too: the first name goes before it."
            }
            Column::FirstName => {
                "Used when there is no full-name column, or put before a name column that lacks it (German “Vorname” and “Name”)."
            }
            Column::LastName => "Used when there is no full-name column.",
            Column::TimeZone => "An IANA name such as Europe/London.",
            Column::YearsExperience => "A whole number from 0 to 60.",
            Column::Skills | Column::Interests | Column::Languages => "Several separated by ; or |",
            Column::StartDate => {
                "Best as 2024-03-31; a midnight time after the date is ignored. 31/03/2024 or 3/31/2024 are read when a day over 12 in the file shows the order, or in the order you choose below; otherwise 2/11/2019 could be either and is refused."
            }
            Column::EmployeeId => {
                "Optional: your HR system's number for the person. It finds people whose email changed. Keep leading zeros (format the column as Text in Excel); if Excel removed them (1010 for 001010), the ID already in Roundtable is kept."
            }
            Column::ManagerEmail => {
                "The manager's email address (not their name or ID): someone in this file or already in Roundtable."
            }
            Column::SupportsEmails => "Several separated by ; or |",
            Column::Networks => {
                "Network addresses (as in their links) separated by ;. It adds people to these networks; it never removes anyone from a network (do that on the network's member list)."
            }
            Column::Status => {
                "Optional. Active, Employed, On leave… for people who work here; Terminated, Inactive, Leaver, Retired… for people who have left: they are deactivated, and not added if Roundtable does not know them."
            }
            Column::LeavingDate => {
                "Optional: the last day of employment (termination date), written as start dates are. From that day on the person has left, as a Terminated status says — unless the status column says they work here (rehired); a day still to come changes nothing yet."
            }
            _ => "",
        }
    }

    /// Header names (normalised: lower-case letters and digits only) that mean this column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Email => &[
                "email",
                "emailadresse",
                "emailaddress",
                "workemail",
                "businessemail",
                "mail",
                "email1",
                "userprincipalname",
                "upn",
                "courriel",
                "adresseemail",
                "adressemail",
                "emailprofessionnel",
                "courrielprofessionnel",
                "primaryworkemail",
                "workemailaddress",
                "businessemailaddress",
                // Workday "Email - Primary Work", "Email (Work)"; "Primary Email", "Company Email".
                "emailprimarywork",
                "emailwork",
                "primaryemail",
                "companyemail",
                "corporateemail",
                "officeemail",
            ],
            // Workday: "Legal Name", or "Worker" for the whole name.
            Column::Name => {
                &["name", "fullname", "displayname", "employeename", "personname", "nomcomplet", "legalname", "worker"]
            }
            // Workday: "Legal First Name", "Legal Name - First Name".
            Column::FirstName => {
                &["firstname", "givenname", "forename", "prenom", "vorname", "legalfirstname", "legalnamefirstname"]
            }
            // In French and German HR files the "name" is the family name.
            Column::LastName => &[
                "lastname",
                "surname",
                "familyname",
                "nom",
                "nomdefamille",
                "nachname",
                "legallastname",
                "legalnamelastname",
            ],
            Column::PreferredName => &["preferredname", "knownas", "nickname", "nomdusage", "rufname"],
            // French: "Intitulé du poste", "Poste", "Fonction" (the job, where English "function"
            // is the department).
            // "Title" last: beside "Business Title" it is often the salutation ("Ms").
            Column::JobTitle => &[
                "jobtitle",
                "businesstitle",
                "positiontitle",
                "position",
                "job",
                "stellenbezeichnung",
                "intituleduposte",
                "intituledeposte",
                "poste",
                "fonction",
                "title",
            ],
            Column::Department => &[
                "department",
                "dept",
                "function",
                "division",
                "businessunit",
                "team",
                "abteilung",
                "service",
                "departement",
            ],
            Column::Location => &[
                "location",
                "office",
                "site",
                "worklocation",
                "city",
                "standort",
                "arbeitsort",
                "lieudetravail",
                "ville",
            ],
            Column::TimeZone => &["timezone", "tz", "zone", "fuseauhoraire", "zeitzone"],
            Column::Level => &["level", "grade", "joblevel", "band", "seniority", "niveau"],
            Column::YearsExperience => &[
                "yearsexperience",
                "yearsofexperience",
                "experience",
                "experienceyears",
                "years",
                "anneesdexperience",
                "berufserfahrung",
            ],
            Column::Skills => &["skills", "skill", "competencies", "competences", "kompetenzen", "fahigkeiten"],
            Column::Interests => &["interests", "interest", "hobbies", "centresdinteret", "interets", "interessen"],
            Column::Languages => &["languages", "language", "spokenlanguages", "langues", "sprachen"],
            Column::StartDate => &[
                "startdate",
                "hiredate",
                "datehired",
                "joindate",
                "joined",
                "employmentstartdate",
                "originalhiredate",
                "dateofhire",
                "start",
                "eintrittsdatum",
                "datedembauche",
                "dateembauche",
                "datedentree",
            ],
            // Workday and BambooHR "Termination Date", PeopleSoft "TERMINATION_DT", SAP's "Leaving
            // Date"; German "Austrittsdatum", French "Date de sortie".
            Column::LeavingDate => &[
                "leavingdate",
                "terminationdate",
                "terminationdt",
                "termdate",
                "terminationeffectivedate",
                "dateofleaving",
                "dateleft",
                "lastday",
                "lastdayofwork",
                "lastworkingday",
                "lastdayworked",
                "separationdate",
                "exitdate",
                "enddate",
                "employmentenddate",
                "austrittsdatum",
                "datedesortie",
                "datedepart",
            ],
            Column::EmployeeId => &[
                "employeeid",
                "employeenumber",
                "employeeno",
                "employeenr",
                "employeecode",
                "empid",
                "empno",
                "emplid",
                "personnelnumber",
                "personnelno",
                "persno",
                "staffid",
                "staffnumber",
                "staffno",
                "workerid",
                "hrid",
                "matricule",
                // German. (BambooHR's "Employee #" is "employeeno": see `normalise`.)
                "personalnummer",
                // SuccessFactors: "USERID", "User ID".
                "userid",
            ],
            Column::ManagerEmail => &[
                "manageremail",
                // Before a bare "Manager", which often holds names: "Manager Work Email",
                // "Supervisor Work Email", "Reports To Email", "Direct Manager Email", Workday's
                // "Manager - Email - Primary Work".
                "managerworkemail",
                "managerbusinessemail",
                "managerprimaryworkemail",
                "manageremailprimarywork",
                "linemanagerworkemail",
                "supervisorworkemail",
                "reportstoemail",
                "directmanageremail",
                "manager",
                "linemanageremail",
                "linemanager",
                "supervisoremail",
                "reportsto",
                "manageremailaddress",
                // BambooHR; German "Vorgesetzter". Such columns often hold names or HR IDs: a
                // guessed one that holds no email addresses is left out (`names_columns`).
                "reportingto",
                "vorgesetzteremail",
                "vorgesetzter",
                // French: the line manager ("responsable hiérarchique").
                "emailduresponsable",
                "emaildumanager",
                "courrieldumanager",
                "adresseemaildumanager",
                "courrielduresponsable",
                "responsable",
                "responsablehierarchique",
                "directmanager",
                "supervisor",
            ],
            // Workday "Worker Status", PeopleSoft "EMPL_STATUS", BambooHR "Status", an "Active"
            // column of yes/no; French "Statut", German "Beschäftigungsstatus".
            Column::Status => &[
                "status",
                "employmentstatus",
                "employeestatus",
                "workerstatus",
                "emplstatus",
                "activestatus",
                "hrstatus",
                "active",
                "statut",
                "beschaftigungsstatus",
                "mitarbeiterstatus",
            ],
            Column::SupportsEmails => &[
                "supportsemails",
                "supportsemail",
                "supports",
                "executives",
                "executivessupported",
                "supportedexecutives",
                "executiveemails",
            ],
            // Not "Groups": in HR and directory exports those are mailing lists ("All Staff").
            Column::Networks => &["networks", "network"],
        }
    }
}

/// Lower-case letters and digits only, so "Job Title", "job_title" and "JOB-TITLE" agree.
fn normalise(header: &str) -> String {
    // Folded, so "Prénom" is "prenom" and "E-Mail-Adresse" "emailadresse". A "#" is read "no"
    // (number), so BambooHR's "Employee #" is "employeeno" rather than "employee", which some
    // exports use for the person's name.
    // A possessive "'s" goes, so "Manager's Email" is "manageremail".
    let folded = roundtable_domain::fold(header).replace(['\u{2019}', '\u{2018}'], "'");
    let folded = folded.replace("'s ", " ").replace("'s_", " ");
    let folded = folded.strip_suffix("'s").unwrap_or(&folded);
    folded.replace('#', "no").chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether a header cell names one of our columns, by name or alias.
fn is_column_name(cell: &str) -> bool {
    let n = normalise(cell);
    Column::ALL.iter().any(|c| c.aliases().contains(&n.as_str()))
}

/// Whether a cell names the email column: what marks the header row among the lines above it.
fn names_email_column(cell: &str) -> bool {
    Column::Email.aliases().contains(&normalise(cell).as_str())
}

/// A spreadsheet column letter: 0 → A, 25 → Z, 26 → AA.
pub fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A problem with the file as a whole (nothing can be read from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The physical line in the file where the row starts (the header is usually line 1).
    pub line: u64,
    /// The column as the file names it, with its letter: `Start Date (column F)`.
    pub column: String,
    pub problem: String,
    pub fix: String,
}

/// The file as read: headers and rows of trimmed cells.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// "UTF-8", "UTF-8 with BOM", "UTF-16" or "Windows-1252".
    pub encoding: &'static str,
    pub delimiter: char,
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
    /// (first line, header line) when lines above the header were skipped as a title.
    pub title_lines: Option<(u64, u64)>,
    /// The line of a row of column labels under the header, skipped (`is_label_row`).
    pub label_row: Option<u64>,
    /// The first line whose row has a cell with a line break in it: from there on, the file's
    /// line numbers (which messages give) run ahead of Excel's row numbers.
    pub line_breaks_from: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct SheetRow {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Sheet {
    /// What the person importing should know about lines of the file that were not read as
    /// people.
    pub fn skipped_lines(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some((first, header)) = self.title_lines {
            let last = header - 1;
            notes.push(if first == last {
                format!("Line {first} was skipped: the column names are on line {header}.")
            } else {
                format!("Lines {first}–{last} were skipped: the column names are on line {header}.")
            });
        }
        if let Some(line) = self.label_row {
            notes.push(format!(
                "Line {line} was skipped: it holds labels of the columns, not a person (a second header row, as SuccessFactors writes under its field names)."
            ));
        }
        if let Some(line) = self.line_breaks_from {
            notes.push(format!(
                "Some cells hold line breaks (the first on line {line}), so after it the line numbers here — the file's lines, as a text editor counts them — are higher than the row numbers Excel shows."
            ));
        }
        notes
    }

    /// How errors name a column of the file.
    pub fn column_name(&self, index: usize) -> String {
        let h = self.headers.get(index).map(String::as_str).unwrap_or("").trim();
        if h.is_empty() { format!("column {}", letter(index)) } else { format!("{h} (column {})", letter(index)) }
    }
}

/// Turns the bytes into text, saying which encoding was found. The text is in Unicode's
/// composed form (NFC): a tool that writes "ë" as "e" and a combining diaeresis (macOS does)
/// gives the same name as one typed anywhere else, so importing it again changes nothing.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), FileError> {
    let (text, encoding) = decode_as_written(bytes)?;
    Ok((roundtable_domain::values::composed(text), encoding))
}

/// The first bytes of files people export by mistake instead of CSV, and what to do instead.
const NOT_CSV: [(&[u8], &str); 3] = [
    (
        b"PK\x03\x04",
        "This is an Excel workbook (.xlsx), not a CSV file. In Excel choose File › Save As › “CSV UTF-8 (comma delimited)”, then use that file.",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "This is an older Excel workbook (.xls), not a CSV file. Open it in Excel, choose File › Save As › “CSV UTF-8 (comma delimited)”, then use that file.",
    ),
    (
        b"%PDF-",
        "This is a PDF document, not a CSV file. Export the list from the HR system as CSV, or save it from Excel as “CSV UTF-8 (comma delimited)”.",
    ),
];

fn decode_as_written(bytes: &[u8]) -> Result<(String, &'static str), FileError> {
    if let Some((_, why)) = NOT_CSV.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(FileError((*why).into()));
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc == encoding_rs::UTF_8 {
            return match std::str::from_utf8(&bytes[bom..]) {
                Ok(s) => Ok((s.to_owned(), "UTF-8 with BOM")),
                Err(e) => Err(bad_utf8(&bytes[bom..], e.valid_up_to())),
            };
        }
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(FileError("The file starts like UTF-16 text but is not. Save it again as “CSV UTF-8”.".into()));
        }
        return Ok((text.into_owned(), "UTF-16"));
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Ok((text.into_owned(), "UTF-16"));
        }
    }
    if bytes.contains(&0) {
        return Err(FileError(
            "This is not a text file. Save the spreadsheet as “CSV UTF-8” and use that file.".into(),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), "UTF-8")),
        // Rows of a Windows-1252 file pasted into a UTF-8 one: read either way, one part's
        // accented letters would be stored garbled ("ZoÃ«"), so neither is guessed.
        Err(e) if Utf8Evidence::of(bytes).mixed() => {
            let line = line_breaks(&bytes[..e.valid_up_to()]).len() + 1;
            Err(FileError(format!(
                "The file mixes two encodings: most of it is UTF-8, but line {line} is not (perhaps rows pasted from a file saved as Windows-1252), so its accented letters would come out wrong. Open it in Excel and save it again as “CSV UTF-8”, or retype the accented letters on line {line}."
            )))
        }
        // Not UTF-8: what Excel on Windows writes for "CSV (comma delimited)". Every byte means
        // something in Windows-1252, so this never fails.
        Err(_) => Ok((encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(), "Windows-1252")),
    }
}

/// UTF-16 written without a byte-order mark (some HR systems' "Unicode text"): mostly ASCII
/// text, so every other byte is zero — the second of each pair in little-endian order, the
/// first in big-endian. Judged on the first 4 KB.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zeros = |at: usize| head.iter().skip(at).step_by(2).filter(|&&b| b == 0).count();
    let (first, second) = (zeros(0), zeros(1));
    // Nearly every ASCII character shows its zero byte; the other byte is almost never zero.
    let mostly = |n: usize| n * 10 >= pairs * 6;
    let rarely = |n: usize| n * 50 <= pairs;
    if mostly(second) && rarely(first) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(first) && rarely(second) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The non-ASCII bytes of a file that is not all UTF-8, weighed: how many characters they write
/// in valid UTF-8, and how many bytes cannot be part of one.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Utf8Evidence {
    /// Valid multi-byte UTF-8 sequences.
    valid: usize,
    /// Non-ASCII bytes that start no valid sequence.
    invalid: usize,
}

/// How many bytes that are not UTF-8 a file may hold per UTF-8 character and still be taken
/// for UTF-8 with some pasted lines (refused) rather than for Windows-1252.
const STRAY_PER_UTF8: usize = 2;

impl Utf8Evidence {
    fn of(bytes: &[u8]) -> Self {
        let mut e = Self::default();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii() {
                i += 1;
                continue;
            }
            let len = match bytes[i] {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => 0,
            };
            match bytes.get(i..i + len).filter(|s| len > 0 && std::str::from_utf8(s).is_ok()) {
                Some(_) => {
                    e.valid += 1;
                    i += len;
                }
                None => {
                    e.invalid += 1;
                    i += 1;
                }
            }
        }
        e
    }

    /// Whether the file is UTF-8 with lines of another encoding in it. In Windows-1252 text an
    /// accented capital before a symbol now and then spells a UTF-8 character by chance (“É”
    /// then a non-breaking space is “ɠ”), among many more bytes that are not UTF-8; a UTF-8 file
    /// with a few pasted rows is the other way round.
    fn mixed(self) -> bool {
        self.valid > 0 && self.invalid <= STRAY_PER_UTF8 * self.valid
    }
}

fn bad_utf8(bytes: &[u8], valid: usize) -> FileError {
    let line = line_breaks(&bytes[..valid]).len() + 1;
    FileError(format!(
        "The file says it is UTF-8 (it starts with a byte-order mark) but line {line} has characters that are not. Save it again as “CSV UTF-8”."
    ))
}

/// Where each line ends: at a `\n` (LF and CRLF files) or at a `\r` not followed by one (the
/// CR-only files of old Mac Excel), so line numbers are right whichever the file uses.
fn line_breaks(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, b)| *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| i)
        .collect()
}

/// The separator: whichever of `,` `;` or tab appears most in the header line outside quotes
/// (Excel uses `;` where the decimal mark is a comma; pasting from a spreadsheet gives tabs).
/// The header line is the first that names an email column, among the first lines of the file
/// (a report's title may sit above it, its commas saying nothing), else the first line.
pub fn sniff_delimiter(text: &str) -> char {
    let first = text.split(['\r', '\n']).find(|l| !l.trim().is_empty()).unwrap_or("");
    // Excel's own hint, a first line such as `sep=;` (the line is then skipped by `read`).
    if let Some(d) = excel_separator(first) {
        return d;
    }
    let names_email = |l: &&str| [',', ';', '\t'].iter().any(|d| l.split(*d).any(names_email_column));
    let header = text
        .split(['\r', '\n'])
        .filter(|l| l.chars().any(char::is_alphanumeric))
        .take(HEADER_SEARCH)
        .find(names_email)
        .unwrap_or(first);
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    if counts[best] == 0 { ',' } else { [',', ';', '\t'][best] }
}

/// The separator named by a `sep=X` line, as Excel writes and reads it.
fn excel_separator(line: &str) -> Option<char> {
    let line = line.trim_start_matches('\u{feff}');
    let rest = line.get(..4).filter(|p| p.eq_ignore_ascii_case("sep=")).map(|_| &line[4..])?;
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(d @ (',' | ';' | '\t' | '|')), None) => Some(d),
        _ => None,
    }
}

/// How many of a file's first non-empty rows are searched for the header, under a title.
const HEADER_SEARCH: usize = 10;

/// Where the header is among the file's first rows: the first that names an email column, with
/// only rows above it that hold no email address (a report's title and date, never a person);
/// else the first row, which `no_header_row` then checks.
fn header_index(rows: &[SheetRow]) -> usize {
    let names_email = |r: &SheetRow| r.cells.iter().any(|c| names_email_column(c));
    let holds_email = |r: &SheetRow| r.cells.iter().any(|c| is_address(c));
    let Some(at) = rows.iter().take(HEADER_SEARCH).position(names_email) else { return 0 };
    if rows[..at].iter().any(holds_email) { 0 } else { at }
}

/// Whether `row`, right under the header, is a second header row of labels, as SuccessFactors
/// writes under its field IDs ("EMAIL" over "Email"): its email cell is no address but the name
/// of one of our columns.
fn is_label_row(headers: &[String], row: &SheetRow) -> bool {
    let Some(cell) = Mapping::suggest(headers).get(Column::Email).and_then(|i| row.cells.get(i)) else {
        return false;
    };
    Email::parse(cell).is_err() && is_column_name(cell)
}

/// Reads the header and rows. Cells are trimmed; rows with only empty cells are skipped, and so
/// are a title above the header (`header_index`) and a row of labels under it (`is_label_row`).
pub fn read(text: &str, encoding: &'static str) -> Result<Sheet, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(FileError("The file is empty. It needs a header row and one row per person.".into()));
    }
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Physical line of a byte offset. The reader's own line count is taken before the previous
    // row's line break and counts only `\n`, so count line breaks (LF, CRLF or CR alone) up to
    // the row's first byte instead.
    let bytes = text.as_bytes();
    let breaks = line_breaks(bytes);
    let line_at = |offset: u64| {
        let mut at = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        breaks.partition_point(|&b| b < at) as u64 + 1
    };
    let mut found: Vec<SheetRow> = Vec::new();
    let mut line_breaks_from = None;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                return Err(FileError(format!(
                    "Line {line} cannot be read as CSV ({e}). Save the file again as “CSV UTF-8”."
                )));
            }
        }
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if line_breaks_from.is_none() && record.iter().any(|c| c.contains(['\n', '\r'])) {
            line_breaks_from = Some(line);
        }
        // A leading apostrophe is how our CSV files keep a spreadsheet from running a cell
        // (`crate::http::neutralise`); it is not part of the value.
        let cells: Vec<String> = record.iter().map(|c| crate::http::unneutralise(c.trim()).to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        // Excel's `sep=;` line comes before everything else.
        let separator_line =
            || cells.len() <= 2 && cells.iter().skip(1).all(String::is_empty) && cells[0].eq_ignore_ascii_case("sep=");
        if found.is_empty() && separator_line() {
            continue;
        }
        found.push(SheetRow { line, cells });
    }
    let at = header_index(&found);
    let mut rows = found.split_off(at.min(found.len()));
    let title = found;
    let (headers, header_line) = if rows.is_empty() {
        (Vec::new(), 1)
    } else {
        let header = rows.remove(0);
        (header.cells, header.line)
    };
    if let Some(refusal) = no_header_row(&headers, delimiter) {
        return Err(refusal);
    }
    let title_lines = title.first().map(|t| (t.line, header_line));
    let label_row = match rows.first() {
        Some(first) if is_label_row(&headers, first) => Some(rows.remove(0).line),
        _ => None,
    };
    if rows.is_empty() {
        return Err(FileError("The file has a header row but no people under it.".into()));
    }
    Ok(Sheet { encoding, delimiter, headers, rows, title_lines, label_row, line_breaks_from })
}

/// The refusal of a file whose first row is a person rather than column names: taken for the
/// header, that person would be left out of the import (and deactivated with "deactivate people
/// who are not in the file"). A header cell that is an email address or a date is data.
fn no_header_row(headers: &[String], delimiter: char) -> Option<FileError> {
    let (cell, what) = headers.iter().find_map(|h| Some((h, data_kind(h)?)))?;
    let example = ["email", "name", "start_date"].join(&delimiter.to_string());
    Some(FileError(format!(
        "The first row holds “{cell}”, {what}, where the column names should be: the file seems to have no header row, so the person on it would be taken for the column names and left out. Add a first row naming the columns, such as {example} (the template shows them all), and use the file again."
    )))
}

/// What kind of data a header cell holds, if it is data and not a column name.
fn data_kind(cell: &str) -> Option<&'static str> {
    if is_address(cell) {
        return Some("an email address");
    }
    let date = without_midnight(cell);
    let is_date = year_last(date).is_some() || DateReading::default().date(date).is_ok();
    is_date.then_some("a date")
}

/// Whether a cell is an email address (a person's data, never a column name).
fn is_address(cell: &str) -> bool {
    cell.contains('@') && Email::parse(cell).is_ok()
}

/// Decodes and reads in one step.
pub fn read_bytes(bytes: &[u8]) -> Result<Sheet, FileError> {
    let (text, encoding) = decode(bytes)?;
    read(&text, encoding)
}

/// Which column of the file feeds each of our columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping(pub BTreeMap<Column, usize>);

impl Mapping {
    /// Matches headers to our columns by name and alias, ignoring case, spaces and punctuation.
    pub fn suggest(headers: &[String]) -> Self {
        let normal: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut used = vec![false; headers.len()];
        let mut map = BTreeMap::new();
        // Exact keys first, then aliases in their order, so "Manager Email" beats "Manager".
        for c in Column::ALL {
            for alias in c.aliases() {
                if let Some(i) = normal.iter().enumerate().position(|(i, n)| !used[i] && n == alias) {
                    used[i] = true;
                    map.insert(c, i);
                    break;
                }
            }
        }
        Self(map)
    }

    /// The mapping guessed for a file with no choices made: `suggest`, less the manager or
    /// executives columns that hold names or IDs rather than email addresses (`names_columns`),
    /// which would make every row an error.
    pub fn guess(sheet: &Sheet) -> Self {
        let mut m = Self::suggest(&sheet.headers);
        for (column, _, _) in names_columns(sheet) {
            m.0.remove(&column);
        }
        if salutations_column(sheet).is_some() {
            m.0.remove(&Column::JobTitle);
        }
        m
    }

    pub fn get(&self, c: Column) -> Option<usize> {
        self.0.get(&c).copied()
    }

    /// Builds a mapping from choices (`column key → index in the file`, or empty for none) and
    /// checks it: the email column is required, and no file column may feed two of ours. Each
    /// error is filed under the key of the column it is about (the form's select for it).
    pub fn from_choices(
        choices: &HashMap<String, String>,
        headers: &[String],
    ) -> Result<Self, Vec<roundtable_domain::FieldError>> {
        use roundtable_domain::FieldError;
        let at = Column::key;
        let mut map = BTreeMap::new();
        let mut errs = Vec::new();
        for c in Column::ALL {
            let raw = choices.get(c.key()).map(|s| s.trim()).unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<usize>() {
                Ok(i) if i < headers.len() => {
                    if let Some((other, _)) = map.iter().find(|(_, j)| **j == i) {
                        let other: &Column = other;
                        let msg = format!(
                            "The file's column “{}” is chosen for both {} and {}. Choose it for one only.",
                            headers[i],
                            other.label(),
                            c.label()
                        );
                        errs.push(FieldError::new(at(c), msg));
                    } else {
                        map.insert(c, i);
                    }
                }
                _ => errs.push(FieldError::new(at(c), format!("Choose one of the file's columns for {}.", c.label()))),
            }
        }
        if !map.contains_key(&Column::Email) {
            let msg = "Choose which column holds the email address: it is how people are recognised.";
            errs.push(FieldError::new(at(Column::Email), msg));
        }
        if errs.is_empty() { Ok(Self(map)) } else { Err(errs) }
    }

    /// This mapping with some columns chosen by name, as the API's `columns` gives them:
    /// `key=Header` pairs separated by `;` (`email=Work Email;department=Org Unit`), each key one
    /// of our columns' (`Column::key`), each header as the file writes it (case aside); an empty
    /// header leaves our column out. A header chosen here is no longer guessed for another
    /// column. Problems are reported under the field `columns`, all at once.
    pub fn with_chosen(&self, chosen: &str, headers: &[String]) -> Result<Self, Vec<roundtable_domain::FieldError>> {
        use roundtable_domain::FieldError;
        let mut map = self.0.clone();
        let mut errs = Vec::new();
        let mut taken: Vec<Column> = Vec::new();
        for pair in chosen.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, header) = pair.split_once('=').map_or((pair, None), |(k, h)| (k.trim(), Some(h.trim())));
            let Some(&column) = Column::ALL.iter().find(|c| c.key() == key) else {
                let keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
                errs.push(FieldError::new(
                    "columns",
                    format!("“{key}” is not one of our columns. Use {} (as in `key=Header`).", keys.join(", ")),
                ));
                continue;
            };
            let Some(header) = header else {
                errs.push(FieldError::new("columns", format!("Give the file's column for {key} as `{key}=Header`.")));
                continue;
            };
            if header.is_empty() {
                map.remove(&column);
                continue;
            }
            let wanted = header.to_lowercase();
            match headers.iter().position(|h| h.trim().to_lowercase() == wanted) {
                Some(i) => {
                    if let Some(&other) = taken.iter().find(|c| map.get(*c) == Some(&i)) {
                        errs.push(FieldError::new(
                            "columns",
                            format!("“{header}” is chosen for both {} and {key}. Choose it for one only.", other.key()),
                        ));
                        continue;
                    }
                    // Whatever was guessed from this header gives way to the choice.
                    map.retain(|c, j| *j != i || taken.contains(c));
                    map.insert(column, i);
                    taken.push(column);
                }
                None => errs.push(FieldError::new(
                    "columns",
                    format!("The file has no column “{header}” (for {key}). Its columns are: {}.", headers.join(", ")),
                )),
            }
        }
        if errs.is_empty() && !map.contains_key(&Column::Email) {
            errs.push(FieldError::new(
                "columns",
                "No column holds the email address: choose it with `email=Header`. It is how people are recognised.",
            ));
        }
        if errs.is_empty() { Ok(Self(map)) } else { Err(errs) }
    }

    /// (our column's key, the file's header) for each column used, in our columns' order.
    pub fn used(&self, headers: &[String]) -> Vec<(&'static str, String)> {
        Column::ALL
            .iter()
            .filter_map(|&c| self.get(c).and_then(|i| headers.get(i)).map(|h| (c.key(), h.clone())))
            .collect()
    }

    /// The file's columns that feed none of ours.
    pub fn ignored(&self, headers: &[String]) -> Vec<String> {
        (0..headers.len())
            .filter(|i| !self.0.values().any(|j| j == i))
            .filter(|&i| !headers[i].is_empty())
            .map(|i| {
                // A second column of the same name is said to be one, with its letter.
                let used_twice = headers[..i].iter().any(|h| normalise(h) == normalise(&headers[i]));
                if used_twice {
                    format!("{} (column {}, a second column of that name)", headers[i], letter(i))
                } else {
                    headers[i].clone()
                }
            })
            .collect()
    }
}

/// The columns `suggest` takes for people's addresses — the manager's, the supported
/// executives' — when they hold no email address (or almost none) but names or HR IDs, as
/// Workday's "Manager" ("Bob Smith"), BambooHR's "Reporting to" ("Smith, Bob") and
/// SuccessFactors' "MANAGER" ("1000") do: (our column, its index, its first value).
pub fn names_columns(sheet: &Sheet) -> Vec<(Column, usize, &str)> {
    let suggested = Mapping::suggest(&sheet.headers);
    [Column::ManagerEmail, Column::SupportsEmails]
        .into_iter()
        .filter_map(|c| {
            let i = suggested.get(c)?;
            let cells: Vec<&str> = sheet
                .rows
                .iter()
                .filter_map(|r| r.cells.get(i))
                .map(String::as_str)
                .filter(|c| !c.is_empty() && !is_none(c))
                .collect();
            // A list of executives counts by its first entry.
            let first = |cell: &str| cell.split([',', ';', '\n']).next().unwrap_or("").trim().to_owned();
            let emails = cells.iter().filter(|cell| Email::parse(&first(cell)).is_ok()).count();
            // "Almost none": an address typed by hand in one cell of twenty does not make it a
            // column of addresses.
            (!cells.is_empty() && emails * 20 <= cells.len()).then(|| (c, i, cells[0]))
        })
        .collect()
}

/// The column taken for the job title by its name, when it holds salutations ("Ms", "Dr",
/// "Herr") instead — HR's "Title" often does: its index.
pub fn salutations_column(sheet: &Sheet) -> Option<usize> {
    const SALUTATIONS: [&str; 16] =
        ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "m", "mme", "mlle", "sr", "sra"];
    let i = Mapping::suggest(&sheet.headers).get(Column::JobTitle)?;
    let cells: Vec<String> = sheet
        .rows
        .iter()
        .filter_map(|r| r.cells.get(i))
        .map(|c| c.trim().trim_end_matches('.').to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let salutations = cells.iter().filter(|c| SALUTATIONS.contains(&c.as_str())).count();
    (!cells.is_empty() && salutations * 10 >= cells.len() * 9).then_some(i)
}

/// What the person importing should know about how the file is read: lines skipped above or
/// under the header, address columns left out because they hold names or IDs, and a "Title"
/// of salutations.
pub fn notes(sheet: &Sheet, mapping: &Mapping) -> Vec<String> {
    let mut notes = sheet.skipped_lines();
    if family_first(sheet, mapping)
        && let Some(i) = mapping.get(Column::Name)
        && let Some((family, given)) = sheet.rows.iter().filter_map(|r| comma_parts(r.cells.get(i)?)).next()
    {
        notes.push(format!(
            "Column “{}” writes names family name first, such as “{family}, {given}”: they are read as “{given} {family}”.",
            sheet.headers[i]
        ));
    }
    if let Some(i) = salutations_column(sheet).filter(|&i| mapping.get(Column::JobTitle) != Some(i)) {
        notes.push(format!(
            "Column “{}” holds salutations (such as “Ms” or “Dr”), not job titles: it is not used.",
            sheet.headers[i]
        ));
    }
    notes.extend(unlikely_choices(sheet, mapping));
    for (column, i, example) in names_columns(sheet) {
        if mapping.get(column) == Some(i) {
            continue;
        }
        let what = if example.chars().any(char::is_alphabetic) { "names" } else { "IDs" };
        let wanted = if column == Column::ManagerEmail { "the manager's email" } else { "the executives' emails" };
        notes.push(format!(
            "Column “{}” holds {what}, not email addresses (such as “{}”): it is not used; add a column with {wanted}.",
            sheet.headers[i],
            example.chars().take(40).collect::<String>()
        ));
    }
    notes
}

/// Columns chosen for a name or a one-line field that hold email addresses or dates in most
/// rows — a choice slipped a line on the column page ("Full name" fed by "Start Date" would
/// rename everyone "15/03/2024"): said, with an example, so the preview is read twice.
fn unlikely_choices(sheet: &Sheet, mapping: &Mapping) -> Vec<String> {
    const TEXT: [Column; 8] = [
        Column::Name,
        Column::FirstName,
        Column::LastName,
        Column::PreferredName,
        Column::JobTitle,
        Column::Department,
        Column::Location,
        Column::Level,
    ];
    let looks_like = |cell: &str| {
        let cell = cell.trim();
        // Something before the @ and a domain after it ("@Team" is a department's handle).
        if cell.split_once('@').is_some_and(|(who, at)| !who.is_empty() && at.contains('.')) && !cell.contains(' ') {
            Some("email addresses")
        } else if year_last(without_midnight(cell)).is_some()
            || chrono::NaiveDate::parse_from_str(without_midnight(cell), "%Y-%m-%d").is_ok()
        {
            Some("dates")
        } else {
            None
        }
    };
    let mut notes = Vec::new();
    for column in TEXT {
        let Some(i) = mapping.get(column) else { continue };
        let cells: Vec<&str> =
            sheet.rows.iter().filter_map(|r| r.cells.get(i)).map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
        for what in ["email addresses", "dates"] {
            let like: Vec<&&str> = cells.iter().filter(|c| looks_like(c) == Some(what)).collect();
            if !like.is_empty() && like.len() * 5 >= cells.len() * 4 {
                notes.push(format!(
                    "Column “{}”, chosen for {}, holds {what} (such as “{}”): check that it is the column you meant.",
                    sheet.headers[i],
                    column.label().to_lowercase(),
                    like[0].chars().take(40).collect::<String>()
                ));
            }
        }
    }
    notes
}

/// One row, checked cell by cell. `None` means "no value in the file" (column not mapped or cell
/// empty): the person's current value is kept.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub line: u64,
    /// `None` only when the email cell is missing or wrong (there is then an error).
    pub email: Option<Email>,
    pub name: Option<PersonName>,
    /// `name` is a first or last name alone, the other cell empty: it names someone new, and
    /// leaves a stored name as it is.
    pub partial_name: bool,
    pub preferred_name: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    pub level: Option<String>,
    pub years_experience: Option<i64>,
    pub skills: Option<Vec<String>>,
    pub interests: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub start_date: Option<String>,
    pub employee_id: Option<String>,
    pub manager_email: Option<Email>,
    /// The manager cell says `none`: the stored manager is removed (an empty cell keeps it).
    pub clear_manager: bool,
    /// `Some(empty)` when the cell says `none`: the stored list is emptied.
    pub supports_emails: Option<Vec<Email>>,
    pub networks: Vec<String>,
    /// The row says the person has left, in its words: a status (`status “Terminated”`), or a
    /// leaving date on or before the day of the import. They are deactivated, or not added.
    pub leaver: Option<String>,
    pub errors: Vec<RowError>,
    /// A stray double quote ran one of its cells on over later rows of the file (there is then
    /// an error): the people on those rows are not in the records.
    pub swallows_rows: bool,
}

/// Every IANA zone by its lower-case name, so "europe/london" is accepted as Europe/London.
static ZONES: LazyLock<HashMap<String, &'static str>> =
    LazyLock::new(|| chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name().to_lowercase(), z.name())).collect());

/// A zone name in its canonical spelling, if it is one.
pub fn time_zone(raw: &str) -> Option<&'static str> {
    ZONES.get(&raw.trim().to_lowercase()).copied()
}

/// Which of a year-last date's first two parts is the day (`day_first`, `month_first` in the
/// API's query, as `key` writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 2/11/2019 is 2 November 2019: most of the world.
    DayFirst,
    /// 2/11/2019 is 11 February 2019: the United States, and Excel set up for it.
    MonthFirst,
}

impl DateOrder {
    fn name(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day/month/year",
            DateOrder::MonthFirst => "month/day/year",
        }
    }

    fn other(self) -> Self {
        match self {
            DateOrder::DayFirst => DateOrder::MonthFirst,
            DateOrder::MonthFirst => DateOrder::DayFirst,
        }
    }

    /// The value of the column page's choice: `day_first` or `month_first`.
    pub fn key(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day_first",
            DateOrder::MonthFirst => "month_first",
        }
    }

    /// The column page's choice; anything else (its "work it out from the file") is `None`.
    pub fn parse(key: &str) -> Option<Self> {
        [DateOrder::DayFirst, DateOrder::MonthFirst].into_iter().find(|o| o.key() == key)
    }
}

/// How the fix of an ambiguous date names the choice of order, on the pages, the command line
/// and the API alike (the error is the same wherever the file came from).
const ORDER_CHOICE: &str = "“Order of dates such as 2/11/2019” on the column page, --date-order day-first or month-first on the command line, date_order=day_first or month_first in the API";

/// A date cell without the midnight time HR systems and Excel write after a date (`2024-03-05
/// 00:00:00`; US Excel's `3/5/2024 0:00` and `3/15/2024 12:00:00 AM`): it says nothing. Any other
/// time is left, and refused, since a date with a time of day is not a start date.
fn without_midnight(cell: &str) -> &str {
    const MIDNIGHT: [&str; 7] = ["T00:00:00", " 00:00:00", " 00:00", " 0:00:00", " 0:00", " 12:00:00 AM", " 12:00 AM"];
    let s = cell.trim();
    // Workday's timestamps: `2021-04-03T00:00:00.000-07:00`, `…T00:00:00Z` — a date at midnight
    // somewhere, with fractions of a second and its zone.
    if let Some((date, time)) = s.split_once('T')
        && date.len() == 10
        && let Some(rest) = time.strip_prefix("00:00:00")
    {
        let rest = rest.strip_prefix('.').map_or(rest, |r| r.trim_start_matches('0'));
        let zone = rest.strip_prefix(['+', '-']).map(|z| z.replace(':', ""));
        if rest.is_empty()
            || rest == "Z"
            || zone.is_some_and(|z| z == "0000" || (z.len() == 4 && z.bytes().all(|b| b.is_ascii_digit())))
        {
            return date;
        }
    }
    MIDNIGHT
        .iter()
        .find_map(|t| {
            let at = s.len().checked_sub(t.len())?;
            (s.is_char_boundary(at) && s[at..].eq_ignore_ascii_case(t)).then(|| &s[..at])
        })
        .unwrap_or(s)
}

/// How the file writes dates with the year last (`31/03/2024`, `3/31/2024`, `31.03.2024`),
/// decided once for the whole file. Excel saves every date of a column in its locale's order, so
/// one date with a part over 12 (`26/1/2019` or `1/26/2019`) shows how to read all the others;
/// when none does, `2/11/2019` could be either and is refused rather than guessed. ISO dates
/// (`2019-02-11`) are always read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateReading {
    /// The order the person importing said the file uses (`--date-order`, the column page):
    /// it reads dates that could be either, and a date that shows the other order is refused.
    stated: Option<DateOrder>,
    /// (line, cell) of the dates that can only be day/month/year: the first part is over 12.
    day_first: Vec<(u64, String)>,
    /// (line, cell) of the dates that can only be month/day/year: the second part is over 12.
    month_first: Vec<(u64, String)>,
}

/// (first part, second part, year) of a date written with the year last and the same separator
/// twice (`/`, `.` or `-`): `2/11/2019` → (2, 11, 2019). Two-digit years are not taken.
fn year_last(s: &str) -> Option<(u32, u32, i32)> {
    let sep = s.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, y] = parts[..] else { return None };
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
    };
    if !(digits(a, 1..=2) && digits(b, 1..=2) && digits(y, 4..=4)) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, y.parse().ok()?))
}

/// `2019-11-02` → "2 November 2019", to spell out the two readings of an ambiguous date.
fn spelled(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The columns holding dates, read alike: one file writes them in one order.
const DATE_COLUMNS: [Column; 2] = [Column::StartDate, Column::LeavingDate];

/// Dates showing the other order that a file may hold and still be read in the order nearly all
/// of its dates show (ten times as many): typos, not a second convention.
const STRAY_DATES: usize = 2;

/// The fix for every date that cannot be read as it is.
const DATE_FIX: &str = "Write the date as YYYY-MM-DD, e.g. 2024-03-31 (always read). Dates such as 31/03/2024 or 3/31/2024 are read when the file shows which order it uses.";

impl DateReading {
    /// Looks at every cell of the file's date columns (start, leaving); `stated` is the order
    /// the person importing chose, if any.
    pub fn of(sheet: &Sheet, mapping: &Mapping, stated: Option<DateOrder>) -> Self {
        let mut r = Self { stated, ..Self::default() };
        let columns: Vec<usize> = DATE_COLUMNS.iter().filter_map(|&c| mapping.get(c)).collect();
        for row in &sheet.rows {
            // Quoted in messages as read: "26/01/2019", without the time after it.
            for cell in columns.iter().filter_map(|&i| row.cells.get(i)).map(|c| without_midnight(c)) {
                // Only a real date shows an order: "31/02/2024" is no day/month/year evidence,
                // it is an error of its own.
                let real = |y: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).is_some();
                match year_last(cell) {
                    Some((a, b, y)) if a > 12 && b <= 12 && real(y, b, a) => {
                        r.day_first.push((row.line, cell.to_owned()))
                    }
                    Some((a, b, y)) if b > 12 && a <= 12 && real(y, a, b) => {
                        r.month_first.push((row.line, cell.to_owned()))
                    }
                    _ => {}
                }
            }
        }
        r
    }

    /// The order chosen, or else the order the file's dates show: when they show only one, or
    /// nearly all show one (`STRAY_DATES`: a typo such as 13/02/2021 among thirty month/day dates
    /// is that row's error, not a reason to refuse every 3/1/2015 in the file).
    pub fn order(&self) -> Option<DateOrder> {
        if self.stated.is_some() {
            return self.stated;
        }
        let (day, month) = (self.day_first.len(), self.month_first.len());
        let clear = |most: usize, few: usize| few == 0 || (few <= STRAY_DATES && most >= 10 * few);
        if day > 0 && clear(day, month) {
            Some(DateOrder::DayFirst)
        } else if month > 0 && clear(month, day) {
            Some(DateOrder::MonthFirst)
        } else {
            None
        }
    }

    /// For the report: how dates such as 2/11/2019 were read, and which date showed it.
    pub fn note(&self) -> Option<String> {
        if let Some(order) = self.stated {
            return Some(format!("Dates such as 2/11/2019 were read as {}, as you chose.", order.name()));
        }
        let order = self.order()?;
        let (line, cell) = match order {
            DateOrder::DayFirst => &self.day_first[0],
            DateOrder::MonthFirst => &self.month_first[0],
        };
        let strays = match order {
            DateOrder::DayFirst => self.month_first.len(),
            DateOrder::MonthFirst => self.day_first.len(),
        };
        let but = match strays {
            0 => String::new(),
            1 => " (one date written the other way is that row's error)".to_owned(),
            n => format!(" ({n} dates written the other way are their rows' errors)"),
        };
        Some(format!("Dates such as 2/11/2019 were read as {}, as “{cell}” on line {line} shows{but}.", order.name()))
    }

    /// The first date of the other order, to name in an error: (line, cell).
    fn example(&self, order: DateOrder) -> &(u64, String) {
        let list = match order {
            DateOrder::DayFirst => &self.day_first,
            DateOrder::MonthFirst => &self.month_first,
        };
        &list[0]
    }

    /// A start-date cell as YYYY-MM-DD, or (what is wrong, how to fix it).
    pub fn date(&self, raw: &str) -> Result<String, (String, String)> {
        let s = without_midnight(raw);
        // No such day (31 February): the order is not the trouble, the day is.
        let unreal = || {
            let fix =
                "There is no such day: check the date in your HR system and write it as YYYY-MM-DD, e.g. 2024-03-31.";
            Err((format!("“{s}” is not a real date."), fix.to_owned()))
        };
        let unreadable = || Err((format!("“{s}” is not a date we can read."), DATE_FIX.to_owned()));
        // Year first (2024-03-05, 2024/3/5, 2024.03.05): always year, month, day.
        // (Bytes, not `s[..4]`: a cell such as "Numéro" has no character boundary there.)
        let b = s.as_bytes();
        if b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/' | b'.') {
            let parts: Vec<&str> = s.split(char::from(s.as_bytes()[4])).collect();
            let number = |p: &str| (1..=2).contains(&p.len()).then(|| p.parse::<u32>().ok()).flatten();
            return match parts.as_slice() {
                [y, m, d] => match (y.parse::<i32>(), number(m), number(d)) {
                    (Ok(y), Some(m), Some(d)) => {
                        chrono::NaiveDate::from_ymd_opt(y, m, d).map(iso).map_or_else(unreal, Ok)
                    }
                    _ => unreadable(),
                },
                _ => unreadable(),
            };
        }
        // A date Excel stored as its day number (a column formatted as General or Number).
        if let Ok(n @ 20_000..=80_000) = s.parse::<i64>() {
            let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|d| d.checked_add_days(chrono::Days::new(n as u64)));
            if let Some(day) = day {
                return Err((
                    format!("“{s}” looks like a date Excel saved as a number ({s} is {}).", iso(day)),
                    "Format the column as a date in Excel (or write YYYY-MM-DD) and save the file again.".to_owned(),
                ));
            }
        }
        // A month written as a word: `3-Apr-2021` (Excel's d-mmm-yyyy), `3 April 2021`,
        // `Apr 3, 2021` — no order to guess.
        for pattern in ["%d-%b-%Y", "%d %b %Y", "%d-%B-%Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d. %B %Y"] {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(s, pattern) {
                return Ok(iso(d));
            }
        }
        let Some((a, b, y)) = year_last(s) else {
            let two_digit_year = s.len() <= 8 && year_last(&format!("{s}00")).is_some();
            let problem = if two_digit_year {
                format!("“{s}” has a two-digit year, which could be in either century.")
            } else {
                format!("“{s}” is not a date we can read.")
            };
            return Err((problem, DATE_FIX.to_owned()));
        };
        let on = |day: u32, month: u32| chrono::NaiveDate::from_ymd_opt(y, month, day);
        let read = |day: u32, month: u32| on(day, month).map(iso).ok_or(());
        // Dotted dates (German, Swiss, Nordic, Eastern European) are always day first.
        if s.contains('.') && self.stated != Some(DateOrder::MonthFirst) {
            return read(a, b).or_else(|_| unreal());
        }
        // A date whose own parts show its order: it is read so, unless most of the file's dates
        // (or as many) show the other order — then the file mixes both and this row is checked.
        let shown = |order: DateOrder, day: u32, month: u32| {
            match self.stated {
                Some(stated) if stated == order => return read(day, month).or_else(|_| unreal()),
                Some(stated) => return Err(against_stated(s, order, stated, on(day, month))),
                None => {}
            }
            let (mine, others) = match order {
                DateOrder::DayFirst => (self.day_first.len(), &self.month_first),
                DateOrder::MonthFirst => (self.month_first.len(), &self.day_first),
            };
            if others.is_empty() || mine > others.len() {
                return read(day, month).or_else(|_| unreal());
            }
            let other = order.other();
            let (line, cell) = self.example(other);
            let most = if others.len() > mine { "most dates in this file are" } else { "this file also has dates in" };
            let fix = match on(day, month) {
                Some(d) => format!(
                    "Check this date in your HR system: if it is {}, write {}. Writing every date as YYYY-MM-DD avoids the mix-up.",
                    spelled(d),
                    iso(d)
                ),
                None => DATE_FIX.to_owned(),
            };
            Err((
                format!(
                    "“{s}” is {} ({day} cannot be a month), but {most} {}, like “{cell}” on line {line}.",
                    order.name(),
                    other.name()
                ),
                fix,
            ))
        };
        match (a > 12, b > 12) {
            (true, true) => unreal(),
            (true, false) => shown(DateOrder::DayFirst, a, b),
            (false, true) => shown(DateOrder::MonthFirst, b, a),
            // 5/5/2019 reads the same either way.
            (false, false) if a == b => read(a, b).or_else(|_| unreal()),
            (false, false) => match self.order() {
                Some(DateOrder::DayFirst) => read(a, b).or_else(|_| unreal()),
                Some(DateOrder::MonthFirst) => read(b, a).or_else(|_| unreal()),
                None => {
                    let (Some(dm), Some(md)) = (on(a, b), on(b, a)) else { return unreal() };
                    let why = if self.day_first.is_empty() {
                        "no date in this file has a part over 12 to show whether it writes day/month or month/day"
                            .to_owned()
                    } else {
                        let (dl, dc) = self.example(DateOrder::DayFirst);
                        let (ml, mc) = self.example(DateOrder::MonthFirst);
                        format!(
                            "this file writes dates both ways (“{dc}” on line {dl} is day/month, “{mc}” on line {ml} is month/day)"
                        )
                    };
                    Err((
                        format!("“{s}” could be {} or {}: {why}.", spelled(dm), spelled(md)),
                        format!(
                            "Write it as YYYY-MM-DD: {} or {}. In Excel, format the column as yyyy-mm-dd (Format Cells › Custom) before saving as CSV; such dates are always read. Or, if the file writes every date the same way, say which: {ORDER_CHOICE}.",
                            iso(dm),
                            iso(md)
                        ),
                    ))
                }
            },
        }
    }
}

/// (problem, fix) of a date whose parts show one order (`1/26/2019`: 26 cannot be a month) in a
/// file said to use the other.
fn against_stated(s: &str, shown: DateOrder, stated: DateOrder, date: Option<chrono::NaiveDate>) -> (String, String) {
    let check = match date {
        Some(d) => format!("Check this date in your HR system: if it is {}, write {}. ", spelled(d), iso(d)),
        None => String::new(),
    };
    (
        format!("“{s}” can only be {}, but this import was told that dates are {}.", shown.name(), stated.name()),
        format!(
            "{check}If the file writes dates {} throughout, choose that order instead, or let the import work it out from the file.",
            shown.name()
        ),
    )
}

/// Longest employee id accepted; HR keys are short.
pub const EMPLOYEE_ID_MAX: usize = 64;

/// An employee id as HR writes it: kept as given (case and leading zeros matter), on one line, at
/// most `EMPLOYEE_ID_MAX` characters. What Excel does to long numbers is caught here, because a
/// mangled id would match nobody or, worse, someone else.
pub fn employee_id(raw: &str) -> Result<String, (String, &'static str)> {
    let s = raw.trim();
    if s.chars().any(char::is_control) {
        return Err((
            "The employee ID has a line break or another control character in it.".into(),
            "Keep it on one line; look for a stray double quote (\") earlier in this row.",
        ));
    }
    if s.chars().count() > EMPLOYEE_ID_MAX {
        return Err((
            format!("The employee ID is {} characters long.", s.chars().count()),
            "Employee IDs are at most 64 characters: check that the right column is chosen.",
        ));
    }
    // "1.23457E+11": Excel showed a long number in scientific notation and saved it so.
    let sci = s.split_once(['E', 'e']).is_some_and(|(m, e)| {
        !m.is_empty()
            && m.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && m.chars().next().is_some_and(|c| c.is_ascii_digit())
            && e.strip_prefix('+').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    });
    if sci {
        return Err((
            format!("“{s}” looks like a number Excel shortened into scientific notation."),
            "In Excel, format the column as Text and put the full IDs back (copy them again from your HR system), then save as CSV.",
        ));
    }
    Ok(s.to_owned())
}

/// A cell's lines joined by spaces ("Sales⏎EMEA" is "Sales EMEA").
fn one_line(v: &str) -> String {
    if !v.contains(['\n', '\r']) {
        return v.to_owned();
    }
    v.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Splits a list cell on `;`, `|`, commas or line breaks.
fn list_cell(raw: &str) -> Vec<&str> {
    raw.split([';', '|', ',', '\n', '\r']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Checks every row of `sheet` under `mapping`; `date_order` is the order of dates such as
/// 2/11/2019 the person importing chose, if any (else the file shows it).
/// An HR status cell read as "works here" (`Some(true)`) or "has left" (`Some(false)`), in the
/// words HR systems export (and yes/no for an "Active" column); `None` for anything else.
fn employment(cell: &str) -> Option<bool> {
    let v = cell.trim().to_lowercase();
    const HERE: [&str; 22] = [
        "active",
        "a",
        "employed",
        "current",
        "on leave",
        "leave",
        "leave of absence",
        "loa",
        "paid leave",
        "unpaid leave",
        "probation",
        "new hire",
        "hired",
        "suspended",
        "yes",
        "y",
        "true",
        "1",
        "aktiv",
        "actif",
        "active employee",
        "en poste",
    ];
    const LEFT: [&str; 29] = [
        "terminated",
        "t",
        "inactive",
        "i",
        "leaver",
        "left",
        "withdrawn",
        "retired",
        "deceased",
        "separated",
        "former",
        "former employee",
        "terminated employee",
        "resigned",
        "dismissed",
        "ended",
        "offboarded",
        "no",
        "n",
        "false",
        "0",
        "ausgetreten",
        "inaktiv",
        "inactif",
        "sorti",
        "parti",
        "démissionnaire",
        "retraité",
        "ehemalig",
    ];
    if HERE.contains(&v.as_str()) {
        Some(true)
    } else if LEFT.contains(&v.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// A start date read from the cell `v` as `iso` that someone can have started on (as the profile
/// form takes them), or (what is wrong, how to fix it).
fn plausible_start(v: &str, iso: &str, today: NaiveDate) -> Result<(), (String, String)> {
    let Ok(d) = NaiveDate::parse_from_str(iso, "%Y-%m-%d") else { return Ok(()) };
    if profile::plausible_start(d, today) {
        return Ok(());
    }
    // Excel's day 0 and day 1 (an empty date cell, shown as 1900-01-00 or 1900-01-01) and the
    // 1899-12-30 other tools count from.
    let empty_cell = matches!((chrono::Datelike::year(&d), chrono::Datelike::ordinal(&d)), (1900, 1) | (1899, 364..));
    let problem = if empty_cell {
        format!("“{v}” is the date Excel shows for an empty date cell.")
    } else if d < today {
        format!("“{v}” is before {}: no one at work today started then.", profile::EARLIEST_START_YEAR)
    } else {
        format!("“{v}” is more than a year from now.")
    };
    Err((
        problem,
        "Check the year in your HR system, or leave the cell empty if the start date is not known.".to_owned(),
    ))
}

/// Every row of the sheet, read as `mapping` says; `today` tells a leaving date that has come
/// from one still to come.
pub fn records(sheet: &Sheet, mapping: &Mapping, date_order: Option<DateOrder>, today: NaiveDate) -> Vec<Record> {
    let dates = DateReading::of(sheet, mapping, date_order);
    let names = Names { family_names: family_names(sheet, mapping), family_first: family_first(sheet, mapping) };
    sheet.rows.iter().map(|row| record(sheet, mapping, &dates, names, row, today)).collect()
}

/// How the file writes names, decided once for the whole file.
#[derive(Clone, Copy)]
struct Names {
    /// `family_names`: the name column holds family names beside a first-name column.
    family_names: bool,
    /// `family_first`: the name column writes "Smith, Bob".
    family_first: bool,
}

/// "Smith, Bob" as (family name, given names): one comma, words on both sides, and after it no
/// suffix ("King, Jr." is a whole name).
fn comma_parts(cell: &str) -> Option<(&str, &str)> {
    const SUFFIXES: [&str; 12] = ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "obe", "mbe", "cbe"];
    let (family, given) = cell.split_once(',')?;
    let (family, given) = (family.trim(), given.trim());
    let suffix = SUFFIXES.contains(&given.trim_end_matches('.').to_lowercase().as_str());
    (!family.is_empty() && !given.is_empty() && !given.contains(',') && !suffix).then_some((family, given))
}

/// Whether the name column writes most names family name first with a comma ("Smith, Bob"), as
/// Active Directory's display names and many HR reports do: they are read as "Bob Smith", so
/// the directory lists and greets people as everywhere else.
fn family_first(sheet: &Sheet, mapping: &Mapping) -> bool {
    let Some(name) = mapping.get(Column::Name) else { return false };
    let cells: Vec<&str> =
        sheet.rows.iter().filter_map(|r| r.cells.get(name)).map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    let comma = cells.iter().filter(|c| comma_parts(c).is_some()).count();
    comma * 2 > cells.len()
}

/// Whether the name column holds family names, beside a first-name column and no last-name one
/// (German "Vorname" and "Name"): decided for the whole column, so "de la Cruz" is read like
/// "Müller" beside it. The rows tell: a one-word name without the first name ("Müller") is a
/// family name, a name holding the first name ("Ann Lee") a full one; a name of several words
/// without it ("Robert Smith" beside "Bob", "de la Cruz" beside "Maria") could be either.
fn family_names(sheet: &Sheet, mapping: &Mapping) -> bool {
    let (Some(name), Some(first), None) =
        (mapping.get(Column::Name), mapping.get(Column::FirstName), mapping.get(Column::LastName))
    else {
        return false;
    };
    let (mut family, mut full) = (0usize, 0usize);
    for row in &sheet.rows {
        let cell = |i: usize| row.cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty());
        if let (Some(n), Some(f)) = (cell(name), cell(first)) {
            if has_words_of(n, f) {
                full += 1;
            } else if n.split_whitespace().count() == 1 {
                family += 1;
            }
        }
    }
    family > full
}

/// What Excel writes in a cell whose formula failed (`#N/A` from a VLOOKUP that found nothing):
/// saved as CSV it is text, and would be imported as someone's department or name.
const EXCEL_ERRORS: [&str; 15] = [
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#DIV/0!",
    "#NULL!",
    "#NUM!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#GETTING_DATA",
];

fn is_excel_error(cell: &str) -> bool {
    EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(cell))
}

/// The person's full name from the name columns. When the name column holds family names
/// (`family_names`), the first name goes first unless the name holds it already ("Jörg" +
/// "Müller", "Maria" + "de la Cruz"); otherwise a name is whole whatever the first-name column
/// says ("Bob" beside "Robert Smith" stays "Robert Smith").
fn full_name(name: Option<&str>, first: Option<&str>, last: Option<&str>, family_names: bool) -> Option<String> {
    match (name, first) {
        (Some(name), Some(first)) if family_names && !has_words_of(name, first) => Some(format!("{first} {name}")),
        (Some(name), _) => Some(name.to_owned()),
        (None, _) => {
            let parts: Vec<&str> = [first, last].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
    }
}

/// Whether every word of `part` is a word of `name`, ignoring case and accents ("Müller, Jörg"
/// holds "jorg"; "Joanne Smith" does not hold "Ann").
fn has_words_of(name: &str, part: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(roundtable_domain::fold)
            .collect()
    };
    let in_name = words(name);
    words(part).iter().all(|w| in_name.contains(w))
}

fn record(
    sheet: &Sheet,
    mapping: &Mapping,
    dates: &DateReading,
    names: Names,
    row: &SheetRow,
    today: NaiveDate,
) -> Record {
    let mut r = Record { line: row.line, ..Record::default() };
    let mut errors = Vec::new();
    let raw = |c: Column| mapping.get(c).map(|i| row.cells.get(i).map(String::as_str).unwrap_or(""));
    let mut err = |c: Column, problem: String, fix: &str| {
        let column = mapping.get(c).map_or_else(|| c.label().to_owned(), |i| sheet.column_name(i));
        errors.push(RowError { line: row.line, column, problem, fix: fix.to_owned() });
    };
    // A cell holding an Excel error is that error only: it is read as no value, so it is not
    // also "not an email address" or "not a date".
    let broken: Vec<Column> = Column::ALL.into_iter().filter(|c| raw(*c).is_some_and(is_excel_error)).collect();
    for &c in &broken {
        err(
            c,
            format!("The cell holds {}, Excel's sign that a formula in it failed, not a value.", raw(c).unwrap_or("")),
            "Excel could not compute this cell: fix the formula in the sheet, or leave the cell empty.",
        );
    }
    let cell = |c: Column| if broken.contains(&c) { Some("") } else { raw(c) };
    let value = |c: Column| cell(c).filter(|v| !v.is_empty());

    // Said at the end, once it is known whether the row is about someone who has left.
    let mut email_missing = false;
    match cell(Column::Email) {
        _ if broken.contains(&Column::Email) => {}
        Some("") | None => email_missing = true,
        Some(v) => match Email::parse(v) {
            Ok(e) => r.email = Some(e),
            Err(_) => err(Column::Email, not_an_email(v), "Write it like name@example.org."),
        },
    }
    // First and last names in columns of their own, one of them empty: a name for someone new,
    // but not one to replace a stored full name with (an empty cell keeps what is stored).
    r.partial_name = value(Column::Name).is_none()
        && mapping.get(Column::FirstName).is_some()
        && mapping.get(Column::LastName).is_some()
        && (value(Column::FirstName).is_none() != value(Column::LastName).is_none());
    // A line break typed in a cell (Alt+Enter in Excel: "Sales⏎EMEA") is a space in a one-line
    // field — unless a stray quote ran the cell on over other rows, which is refused below.
    let runaway = runaway_quote(sheet, row).is_some();
    let turned = value(Column::Name)
        .filter(|_| names.family_first)
        .and_then(comma_parts)
        .map(|(family, given)| format!("{given} {family}"));
    let name = turned.as_deref().or(value(Column::Name));
    if let Some(n) = full_name(name, value(Column::FirstName), value(Column::LastName), names.family_names) {
        let n = if runaway { n } else { one_line(&n) };
        match PersonName::parse(&n) {
            Ok(n) => r.name = Some(n),
            Err(e) => {
                let c = if value(Column::Name).is_some() { Column::Name } else { Column::FirstName };
                err(c, format!("The name “{}” cannot be used.", n.chars().take(40).collect::<String>()), &e.message);
            }
        }
    }
    let mut text = |c: Column, max: usize, out: &mut Option<String>| {
        if let Some(v) = value(c) {
            let joined;
            let v = if !runaway && v.contains(['\n', '\r']) {
                joined = one_line(v);
                joined.as_str()
            } else {
                v
            };
            match short(c.key(), v, max) {
                Ok(s) => *out = Some(s),
                Err(_) if v.chars().any(char::is_control) => err(
                    c,
                    format!("The {} has a line break or another control character in it.", c.label().to_lowercase()),
                    "Keep it on one line. If it should not span lines, look for a stray double quote (\") earlier in this row.",
                ),
                Err(_) => err(
                    c,
                    format!("The {} is {} characters long.", c.label().to_lowercase(), v.chars().count()),
                    &format!("Shorten it to at most {max} characters."),
                ),
            }
        }
    };
    text(Column::PreferredName, 80, &mut r.preferred_name);
    text(Column::JobTitle, 120, &mut r.job_title);
    text(Column::Department, 120, &mut r.department);
    text(Column::Location, 120, &mut r.location);
    text(Column::Level, 60, &mut r.level);
    if let Some(v) = value(Column::TimeZone) {
        match time_zone(v) {
            Some(z) => r.time_zone = Some(z.to_owned()),
            None => err(
                Column::TimeZone,
                format!("“{v}” is not a time zone we know."),
                "Use an IANA name such as Europe/London, America/New_York or Asia/Singapore.",
            ),
        }
    }
    if let Some(v) = value(Column::YearsExperience) {
        match parse_years(v) {
            Ok(y) => r.years_experience = y,
            Err(_) => err(
                Column::YearsExperience,
                format!("“{v}” is not a number of years from 0 to 60."),
                "Write a whole number such as 7, or leave the cell empty.",
            ),
        }
    }
    for (c, out) in
        [(Column::Skills, &mut r.skills), (Column::Interests, &mut r.interests), (Column::Languages, &mut r.languages)]
    {
        if let Some(v) = value(c) {
            match parse_tags(c.key(), &list_cell(v).join(";")) {
                Ok(list) => *out = Some(list),
                Err(e) => {
                    err(c, e.message, "Separate items with ; or |, keep each under 40 characters and list at most 30.")
                }
            }
        }
    }
    if let Some(v) = value(Column::StartDate) {
        match dates.date(v).and_then(|d| plausible_start(v, &d, today).map(|()| d)) {
            Ok(d) => r.start_date = Some(d),
            Err((problem, fix)) => err(Column::StartDate, problem, &fix),
        }
    }
    if let Some(v) = value(Column::EmployeeId) {
        match employee_id(v) {
            Ok(e) => r.employee_id = Some(e),
            Err((problem, fix)) => err(Column::EmployeeId, problem, fix),
        }
    }
    let status = value(Column::Status).map(|v| (v, employment(v)));
    match status {
        Some((v, Some(false))) => r.leaver = Some(format!("status “{v}”")),
        Some((v, None)) => err(
            Column::Status,
            format!("“{v}” is not an employment status Roundtable knows."),
            "Write Active (or Employed, On leave) for someone who works here, Terminated (or Inactive, Leaver, Retired) for someone who has left, or leave the cell empty.",
        ),
        _ => {}
    }
    // A leaving date says they have left from its day on, unless the status says they work here
    // (someone rehired keeps their old termination date in some HR systems); a status saying
    // they have left is the reason given, whatever the date.
    if let Some(v) = value(Column::LeavingDate) {
        let here = matches!(status, Some((_, Some(true))));
        match dates.date(v).map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d")) {
            Ok(Ok(day)) if day <= today && !here && r.leaver.is_none() => {
                r.leaver = Some(format!("leaving date {}", spelled(day)));
            }
            Ok(_) => {}
            Err((problem, fix)) => err(Column::LeavingDate, problem, &fix),
        }
    }
    match value(Column::ManagerEmail) {
        Some(v) if is_none(v) => r.clear_manager = true,
        Some(v) => match Email::parse(v) {
            Ok(e) => r.manager_email = Some(e),
            // A mistyped address, or a name or HR ID where the column should hold addresses.
            Err(_) if v.contains('@') => err(
                Column::ManagerEmail,
                not_an_email(v),
                "Write the manager's work email, like name@example.org, none to remove the manager, or leave the cell empty to keep it.",
            ),
            Err(_) => err(Column::ManagerEmail, not_an_email(v), MANAGER_NOT_AN_ADDRESS),
        },
        None => {}
    }
    if value(Column::SupportsEmails).is_some_and(is_none) {
        r.supports_emails = Some(Vec::new());
    } else if let Some(v) = value(Column::SupportsEmails) {
        let mut list: Vec<Email> = Vec::new();
        for e in list_cell(v) {
            match Email::parse(e) {
                Ok(e) if !list.contains(&e) => list.push(e),
                Ok(_) => {}
                Err(_) => err(
                    Column::SupportsEmails,
                    not_an_email(e),
                    "Write each executive's work email, separated by ; or |.",
                ),
            }
        }
        r.supports_emails = Some(list);
    }
    if let Some(v) = value(Column::Networks) {
        for s in list_cell(v) {
            match NetworkSlug::parse(s) {
                Ok(slug) if !r.networks.iter().any(|n| n == slug.as_str()) => r.networks.push(slug.as_str().to_owned()),
                Ok(_) => {}
                Err(_) => err(
                    Column::Networks,
                    format!("“{s}” is not a network address."),
                    "Use the short address from the network's link, e.g. assistants for /n/assistants; separate several with ;.",
                ),
            }
        }
    }
    if let Some((i, lines)) = runaway_quote(sheet, row) {
        r.swallows_rows = true;
        // This says what is wrong with the cell; a line-break error for it would say it twice.
        let column = sheet.column_name(i);
        errors.retain(|e| e.column != column);
        errors.push(RowError {
            line: row.line,
            column,
            problem: format!(
                "A double quote (\") in this cell starts a value that runs on over the next {lines} lines of the file, which look like other people's rows."
            ),
            fix: "Remove the stray double quote, or close it where the value ends (a double quote inside a value is written twice: \"\").".into(),
        });
    }
    if row.cells.len() > sheet.headers.len() && row.cells[sheet.headers.len()..].iter().any(|c| !c.is_empty()) {
        let sep = match sheet.delimiter {
            '\t' => "tab".to_owned(),
            d => format!("“{d}”"),
        };
        errors.push(RowError {
            line: row.line,
            column: format!("column {}", letter(sheet.headers.len())),
            problem: format!("This row has {} cells but the header has {}.", row.cells.len(), sheet.headers.len()),
            fix: format!("A value probably contains the separator ({sep}): put that value in double quotes, or remove the extra cells."),
        });
    }
    // HR systems often blank a leaver's work email: they are found by their employee ID.
    if email_missing && r.leaver.is_none() {
        let column =
            mapping.get(Column::Email).map_or_else(|| Column::Email.label().to_owned(), |i| sheet.column_name(i));
        let missing = RowError {
            line: row.line,
            column,
            problem: "The email address is missing.".into(),
            fix: "Every row needs the person's work email address.".into(),
        };
        errors.insert(broken.len().min(errors.len()), missing);
    }
    r.errors = errors;
    r
}

/// A cell a stray double quote ran on over later lines of the file, and how many lines: some of
/// them hold the separator and an email address, so they were other people's rows. (A value
/// with line breaks of its own, such as an address, has no such lines.) The columns of our own
/// error file are left out: their problems, one per line, quote addresses.
fn runaway_quote(sheet: &Sheet, row: &SheetRow) -> Option<(usize, usize)> {
    let ours = |i: usize| sheet.headers.get(i).is_some_and(|h| ERROR_COLUMNS.contains(&h.as_str()));
    row.cells.iter().enumerate().filter(|(i, _)| !ours(*i)).find_map(|(i, cell)| {
        let lines: Vec<&str> = cell.split(['\r', '\n']).filter(|l| !l.is_empty()).collect();
        let rows = lines.iter().skip(1).filter(|l| l.contains(sheet.delimiter) && l.contains('@')).count();
        (rows > 0).then(|| (i, lines.len() - 1))
    })
}

/// Whether `file` is `stored` as Excel saves it in Windows-1252 ("CSV (Comma delimited)"): as
/// long, the same but for a `?` wherever `stored` has a character Windows-1252 cannot hold (`Ł`,
/// `ř`, `ą`), and at least one such `?`. Nothing looser: a name that really changed is imported.
pub fn lost_to_windows_1252(file: &str, stored: &str) -> bool {
    if !file.contains('?') || file.chars().count() != stored.chars().count() {
        return false;
    }
    let mut replaced = false;
    for (f, s) in file.chars().zip(stored.chars()) {
        match (f, s) {
            _ if f == s => {}
            ('?', s) if !in_windows_1252(s) => replaced = true,
            _ => return false,
        }
    }
    replaced
}

/// Whether `text` has a question mark starting a word or between two letters, followed by a
/// letter ("?ukasz", "Gda?sk"): a letter Excel could not save, not a question ("Who? Me").
pub fn question_mark_for_a_letter(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        c == '?'
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
            && before.is_none_or(|b| b.is_alphabetic() || b.is_whitespace() || b == '-')
    })
}

fn in_windows_1252(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    !unmappable
}

/// The columns added after the file's own in the download of rows with errors. Their names match
/// none of ours, so the fixed file can be uploaded again as it is (they are left unused).
pub const ERROR_COLUMNS: [&str; 4] = ["Line in your file", "Column with the problem", "What is wrong", "How to fix it"];

/// The rows of `sheet` on `lines`, as the file had them, each followed by its problems: every
/// row once (several problems share its cells, one per line of text), cells padded to the header,
/// so the column letters in the problems stay right. Cells beyond the header (a value split by a
/// stray separator) are kept under "Extra cell" headings, so nothing the person typed is lost.
///
/// A start date read from the file (in the order the whole file shows or the person chose) is
/// written as YYYY-MM-DD: alone, the rows with errors may no longer show the order, and their
/// 2/11/2019 would then be refused when the fixed file is imported.
pub fn error_rows(
    sheet: &Sheet,
    mapping: &Mapping,
    dates: &DateReading,
    errors: &[RowError],
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut by_line: BTreeMap<u64, Vec<&RowError>> = BTreeMap::new();
    for e in errors {
        by_line.entry(e.line).or_default().push(e);
    }
    let rows: Vec<&SheetRow> = sheet.rows.iter().filter(|r| by_line.contains_key(&r.line)).collect();
    let width = rows.iter().map(|r| r.cells.len()).chain([sheet.headers.len()]).max().unwrap_or(0);
    let mut header: Vec<String> = sheet.headers.clone();
    for i in sheet.headers.len()..width {
        header.push(format!("Extra cell {}", i + 1 - sheet.headers.len()));
    }
    header.extend(ERROR_COLUMNS.map(String::from));
    let out = rows
        .into_iter()
        .map(|r| {
            let errs = &by_line[&r.line];
            let mut cells = r.cells.clone();
            cells.resize(width, String::new());
            for i in DATE_COLUMNS.iter().filter_map(|&c| mapping.get(c)) {
                if let Ok(day) = dates.date(&cells[i]) {
                    cells[i] = day;
                }
            }
            // As the export writes them, so Excel keeps an ID's leading zeros (or a "1.50") as
            // written when the admin corrects the row and saves.
            if let Some(i) = mapping.get(Column::EmployeeId) {
                cells[i] = crate::http::excel_text(&cells[i]).into_owned();
            }
            let join = |f: fn(&RowError) -> &str| errs.iter().map(|e| f(e)).collect::<Vec<_>>().join("\n");
            cells.push(r.line.to_string());
            cells.push(join(|e| &e.column));
            cells.push(join(|e| &e.problem));
            cells.push(join(|e| &e.fix));
            cells
        })
        .collect();
    (header, out)
}

/// The template offered for download: our header and one example row.
pub fn template() -> String {
    let header: Vec<&str> =
        Column::ALL.iter().filter(|c| !matches!(c, Column::FirstName | Column::LastName)).map(|c| c.key()).collect();
    // Typed by its length, so a column added to `Column::ALL` cannot leave the row short.
    let example: [&str; Column::ALL.len() - 2] = [
        "ann.example@example.org",
        "Ann Example",
        "Annie",
        "Executive Assistant",
        "Finance",
        "London",
        "Europe/London",
        "Senior",
        "8",
        "Diary management; Minute taking",
        "Choir",
        "English; French",
        "2019-09-02",
        "E1042",
        "cfo@example.org",
        "cfo@example.org",
        "assistants",
        "Active",
        "",
    ];
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = w.write_record(&header);
    let _ = w.write_record(example);
    let body = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&body))
}

/// The fix for a manager cell holding a name or an HR ID: the column chosen must hold addresses.
const MANAGER_NOT_AN_ADDRESS: &str = "The manager column must hold the manager's email address (like name@example.org), not their name or ID: choose a column of managers' email addresses, or add one to the file. Write none to remove a manager, or leave the cell empty to keep it.";

/// A reporting-line cell that removes what is stored: an empty cell keeps it, as every empty
/// cell does, so a change in the reporting line needs a word — ours ("none"), or what HR
/// systems write for someone at the top (SuccessFactors' "NO_MANAGER", "N/A", a dash).
fn is_none(v: &str) -> bool {
    const NONE: [&str; 11] =
        ["none", "(none)", "n/a", "na", "-", "\u{2013}", "\u{2014}", "null", "nil", "no_manager", "no manager"];
    NONE.iter().any(|n| v.trim().eq_ignore_ascii_case(n))
}

/// Why a cell is not an email address, quoting it (cut short when long); an invisible character
/// pasted into it is shown where it sits, or the message would quote what looks like a good
/// address.
fn not_an_email(v: &str) -> String {
    let mut shown = String::new();
    for (i, c) in v.chars().enumerate() {
        if i == 80 {
            shown.push('…');
            break;
        }
        if roundtable_domain::is_invisible(c) {
            shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    if v.chars().any(roundtable_domain::is_invisible) {
        format!(
            "“{shown}” holds an invisible character, shown as [U+…], that came with copied text; type the address again."
        )
    } else {
        format!("“{shown}” is not an email address.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> Sheet {
        read(text, "UTF-8").unwrap()
    }

    /// The day the tests' imports run.
    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn a_start_date_no_one_can_have_is_refused_as_the_profile_form_refuses_it() {
        let odd = sheet(
            "email,start_date\na@x.org,1900-01-01\nb@x.org,1/0/1900\nc@x.org,2999-01-01\nd@x.org,1975-06-30\ne@x.org,1900-01-02\n",
        );
        let rs = records(&odd, &Mapping::guess(&odd), None, day());
        assert!(rs[0].errors[0].problem.contains("empty date cell"), "{:?}", rs[0].errors);
        assert!(!rs[1].errors.is_empty(), "Excel's day 0 is no date either");
        assert!(rs[2].errors[0].problem.ends_with("is more than a year from now."), "{:?}", rs[2].errors);
        assert_eq!((rs[3].start_date.as_deref(), rs[3].errors.len()), (Some("1975-06-30"), 0));
        assert!(rs[4].errors[0].problem.contains("is before 1950"), "a year typed wrong: {:?}", rs[4].errors);
    }

    #[test]
    fn a_leaving_date_that_has_come_says_the_person_has_left() {
        let s = sheet(
            "Email,Termination Date,Status\n\
             past@x.org,31/10/2026,\n\
             today@x.org,2026-11-27,\n\
             soon@x.org,2026-12-31,\n\
             here@x.org,,Active\n\
             gone@x.org,2027-01-31,Terminated\n\
             rehired@x.org,2020-05-31,Active\n\
             odd@x.org,soon,\n",
        );
        let m = Mapping::guess(&s);
        assert_eq!(m.get(Column::LeavingDate), Some(1));
        let rs = records(&s, &m, None, day());
        let left: Vec<Option<&str>> = rs.iter().map(|r| r.leaver.as_deref()).collect();
        assert_eq!(
            left,
            [
                Some("leaving date 31 October 2026"),
                Some("leaving date 27 November 2026"),
                None,
                None,
                Some("status “Terminated”"),
                None,
                None
            ]
        );
        assert!(rs[..6].iter().all(|r| r.errors.is_empty()), "{rs:#?}");
        assert_eq!(rs[6].errors[0].column, "Termination Date (column B)");
        assert!(rs[6].errors[0].problem.contains("“soon”"), "{:?}", rs[6].errors);
        // The leaving dates show the file's order as the start dates do.
        let us = sheet("email,start_date,leaving_date\na@x.org,2/11/2019,12/31/2025\n");
        let rs = records(&us, &Mapping::guess(&us), None, day());
        assert_eq!(
            (rs[0].start_date.as_deref(), rs[0].leaver.as_deref()),
            (Some("2019-02-11"), Some("leaving date 31 December 2025"))
        );
    }

    #[test]
    fn names_written_family_name_first_are_read_given_name_first() {
        let ad = sheet(
            "Email,Display Name\n\
             a@x.org,\"Smith, Bob\"\n\
             b@x.org,\"Müller, Jörg Peter\"\n\
             c@x.org,\"King, Jr.\"\n\
             d@x.org,Cy Chen\n\
             e@x.org,\"Lee, Ann, Dr\"\n\
             f@x.org,\"Ode, Kemi\"\n\
             g@x.org,\"Diaz, Eva\"\n",
        );
        let m = Mapping::guess(&ad);
        let names: Vec<String> =
            records(&ad, &m, None, day()).into_iter().map(|r| r.name.unwrap().as_str().to_owned()).collect();
        assert_eq!(
            names,
            ["Bob Smith", "Jörg Peter Müller", "King, Jr.", "Cy Chen", "Lee, Ann, Dr", "Kemi Ode", "Eva Diaz"]
        );
        assert_eq!(
            notes(&ad, &m),
            [
                "Column “Display Name” writes names family name first, such as “Smith, Bob”: they are read as “Bob Smith”."
            ]
        );
        // A comma here and there is a name as written, and no note.
        let few = sheet("email,name\na@x.org,\"Smith, Bob\"\nb@x.org,Ann Lee\nc@x.org,Cy Chen\n");
        let m = Mapping::guess(&few);
        assert_eq!(records(&few, &m, None, day())[0].name.as_ref().unwrap().as_str(), "Smith, Bob");
        assert!(notes(&few, &m).is_empty());
    }

    #[test]
    fn the_template_fills_every_column_and_reads_back_without_errors() {
        let t = sheet(&template());
        let m = Mapping::guess(&t);
        assert_eq!(t.headers.len(), Column::ALL.len() - 2);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells.len(), t.headers.len(), "{:?}", t.rows[0].cells);
        let rs = records(&t, &m, None, day());
        assert!(rs[0].errors.is_empty() && rs[0].leaver.is_none(), "{rs:#?}");
    }

    #[test]
    fn encodings_are_recognised() {
        assert_eq!(decode(b"\xEF\xBB\xBFemail\r\n").unwrap(), ("email\r\n".into(), "UTF-8 with BOM"));
        assert_eq!(decode("Zoë".as_bytes()).unwrap(), ("Zoë".into(), "UTF-8"));
        assert_eq!(decode(b"Zo\xEB \x80").unwrap(), ("Zoë €".into(), "Windows-1252"));
        assert_eq!(decode(b"\xFF\xFEa\x00,\x00b\x00").unwrap(), ("a,b".into(), "UTF-16"));
        assert!(decode(b"PK\x03\x04rest").unwrap_err().0.contains("Excel workbook"));
        // Other files people pick by mistake are named, with what to do instead.
        assert!(decode(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0").unwrap_err().0.contains("older Excel workbook (.xls)"));
        assert!(decode(b"%PDF-1.4\n%\xE2\xE3").unwrap_err().0.contains("PDF document"));
        // UTF-16 without a byte-order mark, in either byte order; still refused when it is not.
        let utf16 = |big: bool| -> Vec<u8> {
            "email,name\r\nzoe@example.org,Zoë\r\n"
                .encode_utf16()
                .flat_map(|u| if big { u.to_be_bytes() } else { u.to_le_bytes() })
                .collect()
        };
        let expected = ("email,name\r\nzoe@example.org,Zoë\r\n".to_owned(), "UTF-16");
        assert_eq!(decode(&utf16(false)).unwrap(), expected);
        assert_eq!(decode(&utf16(true)).unwrap(), expected);
        assert!(decode(b"\x01\0\0\x02\x03\0\0\x04\x05\x06\0\0\x07\x08\0\0").unwrap_err().0.contains("not a text file"));
        // Decomposed accents (as macOS tools write them) come out composed, as typed elsewhere.
        let (text, _) = decode("Zoe\u{308} Mu\u{308}ller".as_bytes()).unwrap();
        assert_eq!(text, "Zoë Müller");
        assert!(decode(b"\xEF\xBB\xBFok\nZo\xEB").unwrap_err().0.contains("line 2"));
        // A UTF-8 file with a row pasted from a Windows-1252 one: refused, naming the line.
        let mixed = [&b"name\nZo\xC3\xAB M\xC3\xBCller\n"[..], b"Ren\xE9e\n"].concat();
        let e = decode(&mixed).unwrap_err().0;
        assert!(e.contains("mixes two encodings") && e.contains("line 3 is not"), "{e}");
    }

    #[test]
    fn excel_s_separator_line_is_followed_and_skipped() {
        let s = sheet("sep=;\r\nemail;name\r\nann@example.org;Ann, Lee\r\n");
        assert_eq!(s.delimiter, ';');
        assert_eq!(s.headers, ["email", "name"]);
        assert_eq!((s.rows[0].line, s.rows[0].cells[1].as_str()), (3, "Ann, Lee"));
    }

    #[test]
    fn the_separator_is_guessed_from_the_header_outside_quotes() {
        assert_eq!(sniff_delimiter("email;name;\"a,b,c,d\"\n"), ';');
        assert_eq!(sniff_delimiter("email,name\n"), ',');
        assert_eq!(sniff_delimiter("email\tname\n"), '\t');
        assert_eq!(sniff_delimiter("email\n"), ',');
    }

    #[test]
    fn quoted_newlines_keep_physical_line_numbers() {
        let s = sheet("email,skills\r\na@x.org,\"one\r\ntwo\"\r\n\r\nb@x.org,three\r\n;;\r\n");
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[0].line, 2);
        assert_eq!(s.rows[0].cells[1], "one\r\ntwo");
        assert_eq!(s.rows[1].line, 5, "the row after a two-line cell and a blank line");
        // The report says the numbers run ahead of Excel's rows from there on.
        assert!(s.skipped_lines().iter().any(|n| n.contains("the first on line 2")), "{:?}", s.skipped_lines());
        assert!(sheet("email,skills\r\na@x.org,one\r\n").skipped_lines().is_empty());
    }

    #[test]
    fn line_numbers_are_right_for_lf_crlf_and_cr_only_files() {
        for end in ["\n", "\r\n", "\r"] {
            let text = ["email;name", "a@x.org;A", "", "b@x.org;\"B", "Bee\"", "c@x.org;C", ""].join(end);
            let s = sheet(&text);
            assert_eq!(s.delimiter, ';', "{end:?}");
            let lines: Vec<u64> = s.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 4, 6], "{end:?}: after a blank line and a cell over two lines");
        }
        let Err(e) = decode(b"\xEF\xBB\xBFok\rstill ok\rZo\xEB") else { panic!("not UTF-8") };
        assert!(e.0.contains("line 3"), "{e}");
    }

    #[test]
    fn workday_headers_with_possessives_and_legal_names_are_recognised() {
        let headers: Vec<String> = [
            "Employee ID",
            "Work Email",
            "Legal First Name",
            "Legal Last Name",
            "Preferred Name",
            "Manager",
            "Manager’s Email",
            "Business Title",
            "Original Hire Date",
        ]
        .map(String::from)
        .into();
        let m = Mapping::suggest(&headers);
        assert_eq!(m.get(Column::Email), Some(1));
        assert_eq!((m.get(Column::FirstName), m.get(Column::LastName)), (Some(2), Some(3)));
        assert_eq!(m.get(Column::ManagerEmail), Some(6), "the addresses, not the names beside them");
        assert_eq!(m.get(Column::StartDate), Some(8));
        assert_eq!(normalise("Line Manager's Email"), "linemanageremail");
        assert_eq!(normalise("Primary Work Email"), "primaryworkemail");
    }

    #[test]
    fn headers_match_by_alias_ignoring_case_and_punctuation() {
        let headers: Vec<String> = [
            "E-mail Address",
            "Display Name",
            "JOB TITLE",
            "Line Manager Email",
            "Hire Date",
            "Time-Zone",
            "Employee ID",
        ]
        .map(String::from)
        .into();
        let m = Mapping::suggest(&headers);
        assert_eq!(m.get(Column::Email), Some(0));
        assert_eq!(m.get(Column::Name), Some(1));
        assert_eq!(m.get(Column::JobTitle), Some(2));
        assert_eq!(m.get(Column::ManagerEmail), Some(3));
        assert_eq!(m.get(Column::StartDate), Some(4));
        assert_eq!(m.get(Column::TimeZone), Some(5));
        assert_eq!(m.get(Column::EmployeeId), Some(6));
        assert!(m.ignored(&headers).is_empty());
        let twice: Vec<String> = ["Email", "Department", "Department"].map(String::from).into();
        assert_eq!(Mapping::suggest(&twice).ignored(&twice), ["Department (column C, a second column of that name)"]);
        // French and German HR files: accents folded, "Nom" is the family name.
        let fr: Vec<String> = ["Courriel", "Prénom", "Nom"].map(String::from).into();
        let m = Mapping::suggest(&fr);
        assert_eq!(
            (m.get(Column::Email), m.get(Column::FirstName), m.get(Column::LastName)),
            (Some(0), Some(1), Some(2))
        );
        let de: Vec<String> = ["E-Mail-Adresse", "Vorname", "Nachname"].map(String::from).into();
        let m = Mapping::suggest(&de);
        assert_eq!(
            (m.get(Column::Email), m.get(Column::FirstName), m.get(Column::LastName)),
            (Some(0), Some(1), Some(2))
        );
        for hr in ["Employee Number", "Personnel number", "Pers.No.", "EMPLID", "Worker ID", "Staff No"] {
            assert_eq!(Mapping::suggest(&[hr.to_owned()]).get(Column::EmployeeId), Some(0), "{hr}");
        }
        // The columns of the error file are never taken for ours when it is uploaded again.
        let extra: Vec<String> = ERROR_COLUMNS.map(String::from).into();
        assert!(Mapping::suggest(&extra).0.is_empty());
    }

    #[test]
    fn a_fixed_error_file_is_read_though_its_problems_span_lines_and_quote_addresses() {
        let text = "email,name,manager_email,Line in your file,Column with the problem,What is wrong,How to fix it\n\
            bad@x.org,Bad Row,ceo@x.org,7,\"C\nD\",\"Not a number\nNo one, at bob@x.org, is here\",\"Give an address, like a@x.org\nWrite 7\"\n";
        let s = sheet(text);
        let r = records(&s, &Mapping::suggest(&s.headers), None, day());
        assert_eq!((r.len(), r[0].errors.len(), r[0].swallows_rows), (1, 0, false), "{:?}", r[0].errors);
        // The same text in a column of the person's own is a stray quote's doing.
        let s = sheet(&text.replace("What is wrong", "Notes"));
        assert!(records(&s, &Mapping::suggest(&s.headers), None, day())[0].swallows_rows);
    }

    #[test]
    fn a_title_of_salutations_is_not_the_job_title_and_groups_are_not_networks() {
        // Beside "Business Title", that is the job title.
        let s = sheet(
            "Email,Title,First Name,Last Name,Business Title,Groups\nea@x.org,Ms,Zoë,Müller,Executive Assistant,All Staff\n",
        );
        let m = Mapping::guess(&s);
        assert_eq!((m.get(Column::JobTitle), m.get(Column::Networks)), (Some(4), None));
        // Alone, a "Title" of salutations is left out, and the notes say why.
        let s = sheet("Email,Title,Name\na@x.org,Mr.,Al Bee\nb@x.org,Dr,Bo Cee\nc@x.org,,Cy Dee\n");
        assert_eq!(Mapping::guess(&s).get(Column::JobTitle), None);
        assert!(notes(&s, &Mapping::guess(&s)).iter().any(|n| n.contains("“Title” holds salutations")));
        // A "Title" of job titles is the job title.
        let s = sheet("Email,Title,Name\na@x.org,Office Manager,Al Bee\n");
        assert_eq!(Mapping::guess(&s).get(Column::JobTitle), Some(1));
    }

    #[test]
    fn a_text_field_fed_by_a_column_of_dates_or_addresses_is_pointed_out() {
        let s = sheet(
            "Email,Name,Start Date,Manager Email\na@x.org,Al Bee,15/03/2024,m@x.org\nb@x.org,Bo Cee,2024-01-02,m@x.org\n",
        );
        let chosen = "name=Start Date;department=Manager Email";
        let m = Mapping::guess(&s).with_chosen(chosen, &s.headers).unwrap();
        let said = notes(&s, &m);
        assert!(
            said.iter().any(|n| n.contains("“Start Date”, chosen for full name, holds dates (such as “15/03/2024”)")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|n| n.contains("“Manager Email”, chosen for department or function, holds email addresses")),
            "{said:?}"
        );
        // The columns as guessed say nothing.
        assert!(notes(&s, &Mapping::guess(&s)).is_empty(), "{:?}", notes(&s, &Mapping::guess(&s)));
        // Nor does a department named as a handle ("@Team") rather than an address.
        let s = sheet(
            "Email,Department
a@x.org,@Team
b@x.org,@Team
",
        );
        assert!(notes(&s, &Mapping::guess(&s)).is_empty(), "{:?}", notes(&s, &Mapping::guess(&s)));
    }

    #[test]
    fn a_line_break_typed_in_a_one_line_cell_is_a_space() {
        let s = sheet("email,name,department,location\na@x.org,\"Al\nBee\",\"Sales\nEMEA\",\"London\r\n\"\n");
        let r = &records(&s, &Mapping::suggest(&s.headers), None, day())[0];
        assert_eq!((r.department.as_deref(), r.location.as_deref()), (Some("Sales EMEA"), Some("London")));
        assert_eq!(r.name.as_ref().map(|n| n.as_str()), Some("Al Bee"), "a name too");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }

    #[test]
    fn a_question_mark_for_a_letter_is_told_from_a_question() {
        for lost in ["?ukasz Nowak", "Gda?sk", "Jean-?mile", "Dvo?ák"] {
            assert!(question_mark_for_a_letter(lost), "{lost}");
        }
        for fine in ["Who? Me", "Ann Lee", "Q&A lead?", "Why?", "? Unknown"] {
            assert!(!question_mark_for_a_letter(fine), "{fine}");
        }
    }

    #[test]
    fn a_mapping_needs_an_email_and_one_use_per_column() {
        let headers: Vec<String> = ["a", "b"].map(String::from).into();
        let choices: HashMap<String, String> =
            [("name", "0"), ("job_title", "0")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        let errs = Mapping::from_choices(&choices, &headers).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "job_title" && e.message.contains("both")), "{errs:?}");
        assert!(errs.iter().any(|e| e.field == "email" && e.message.contains("email")), "{errs:?}");
    }

    /// The reading of a start-date column holding `cells`, one per line from line 2.
    fn reading(cells: &[&str]) -> DateReading {
        let mut text = "email,start_date\n".to_owned();
        for (i, c) in cells.iter().enumerate() {
            text.push_str(&format!("p{i}@x.org,{c}\n"));
        }
        let s = sheet(&text);
        DateReading::of(&s, &Mapping::suggest(&s.headers), None)
    }

    #[test]
    fn iso_dates_are_always_read_and_impossible_ones_say_so() {
        let none = DateReading::default();
        assert_eq!(none.date("2024-03-31").unwrap(), "2024-03-31");
        assert_eq!(none.date("2024/03/31").unwrap(), "2024-03-31", "year first is year/month/day");
        assert!(none.date("2023-02-29").unwrap_err().0.contains("not a real date"));
        assert!(none.date("31/03/24").unwrap_err().0.contains("two-digit year"));
        let (problem, fix) = none.date("March 31").unwrap_err();
        assert!(problem.contains("not a date we can read") && fix.contains("YYYY-MM-DD"), "{fix}");
        assert_eq!(none.date("5/5/2019").unwrap(), "2019-05-05", "the same either way");
        for written in ["2024-3-5", "2024/3/05", "2024-03-05 00:00:00", "2024-03-05T00:00:00", "2024.3.5 00:00"] {
            assert_eq!(none.date(written).unwrap(), "2024-03-05", "{written}");
        }
        assert!(none.date("2024-3-5 14:30").unwrap_err().0.contains("not a date we can read"));
        let (problem, fix) = none.date("45123").unwrap_err();
        assert!(problem.contains("45123 is 2023-07-16") && fix.contains("Format the column as a date"), "{problem}");
        assert!(none.date("13/13/2019").unwrap_err().0.contains("not a real date"));
        // As Workday, Excel and German files write them.
        for written in [
            "2021-04-03T00:00:00.000-07:00",
            "2021-04-03T00:00:00Z",
            "3.4.2021",
            "03.04.2021",
            "3-Apr-2021",
            "3 April 2021",
            "Apr 3, 2021",
        ] {
            assert_eq!(none.date(written).unwrap(), "2021-04-03", "{written}");
        }
        assert!(none.date("2021-04-03T14:30:00Z").is_err(), "a time of day is no start date");
        assert!(none.date("31.02.2021").unwrap_err().0.contains("not a real date"));
    }

    #[test]
    fn a_day_over_12_makes_the_file_day_first() {
        let r = reading(&["11/02/2019", "26.01.2019", "2020-01-06"]);
        assert_eq!(r.order(), Some(DateOrder::DayFirst));
        assert_eq!(r.date("11/02/2019").unwrap(), "2019-02-11");
        assert_eq!(r.date("26.01.2019").unwrap(), "2019-01-26");
        assert!(r.date("31/02/2020").unwrap_err().0.contains("not a real date"));
        assert!(r.date("31/02/2020").unwrap_err().1.starts_with("There is no such day"), "not a hint about the order");
        assert_eq!(
            r.note().unwrap(),
            "Dates such as 2/11/2019 were read as day/month/year, as “26.01.2019” on line 3 shows."
        );
    }

    #[test]
    fn a_second_part_over_12_makes_the_file_month_first_as_us_excel_writes() {
        let r = reading(&["2/11/2019", "1/26/2019", ""]);
        assert_eq!(r.order(), Some(DateOrder::MonthFirst));
        assert_eq!(r.date("2/11/2019").unwrap(), "2019-02-11", "Excel's US round trip of 2019-02-11");
        assert_eq!(r.date("1/26/2019").unwrap(), "2019-01-26");
        assert!(r.note().unwrap().contains("month/day/year, as “1/26/2019” on line 3 shows"));
    }

    #[test]
    fn a_date_that_is_not_real_shows_no_order() {
        // "31/02/2024" is an error; it does not make the file day-first.
        let r = reading(&["31/02/2024", "2/11/2019"]);
        assert_eq!((r.order(), r.note()), (None, None));
        assert!(r.date("31/02/2024").is_err() && r.date("2/11/2019").is_err());
    }

    #[test]
    fn an_ambiguous_file_refuses_its_slash_dates_with_both_readings() {
        let r = reading(&["2/11/2019", "3/4/2020", "2019-02-11"]);
        assert_eq!((r.order(), r.note()), (None, None));
        let (problem, fix) = r.date("2/11/2019").unwrap_err();
        assert!(problem.contains("could be 2 November 2019 or 11 February 2019"), "{problem}");
        assert!(problem.contains("no date in this file"), "{problem}");
        assert!(fix.contains("2019-11-02 or 2019-02-11") && fix.contains("YYYY-MM-DD"), "{fix}");
        assert_eq!(r.date("2019-02-11").unwrap(), "2019-02-11");
    }

    #[test]
    fn a_file_mixing_both_orders_flags_the_rows_that_contradict_most_of_it() {
        // Two day-first dates, one month-first, one that could be either.
        let r = reading(&["26/01/2019", "13/03/2020", "1/26/2019", "2/11/2019"]);
        assert_eq!(r.order(), None);
        assert_eq!(r.date("26/01/2019").unwrap(), "2019-01-26", "the majority's rows stand");
        let (problem, fix) = r.date("1/26/2019").unwrap_err();
        assert_eq!(
            problem,
            "“1/26/2019” is month/day/year (26 cannot be a month), but most dates in this file are day/month/year, like “26/01/2019” on line 2."
        );
        assert!(fix.contains("if it is 26 January 2019, write 2019-01-26"), "{fix}");
        let (problem, _) = r.date("2/11/2019").unwrap_err();
        assert!(problem.contains("writes dates both ways") && problem.contains("line 4 is month/day"), "{problem}");
        // As many of each: both sides are flagged.
        let tie = reading(&["26/01/2019", "1/26/2019"]);
        assert!(tie.date("26/01/2019").unwrap_err().0.contains("this file also has dates in month/day/year"));
        assert!(tie.date("1/26/2019").is_err());
    }

    #[test]
    fn a_typo_among_nearly_all_month_first_dates_is_its_own_rows_error_only() {
        // Ten US dates and one day/month typo: the file is month/day; only the typo is refused.
        let mut cells: Vec<String> = (13..=22).map(|d| format!("3/{d}/2015")).collect();
        cells.push("13/02/2021".to_owned());
        cells.push("3/1/2015".to_owned());
        let r = reading(&cells.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(r.order(), Some(DateOrder::MonthFirst));
        assert_eq!(r.date("3/1/2015").unwrap(), "2015-03-01", "read as the file writes dates");
        assert!(r.date("13/02/2021").unwrap_err().0.contains("but most dates in this file are month/day/year"));
        assert!(r.note().unwrap().contains("one date written the other way is that row's error"), "{:?}", r.note());
        // Three the other way is a second convention, not typos: ambiguous dates are refused.
        let mut mixed: Vec<String> = (13..=31).map(|d| format!("3/{d}/2015")).collect();
        mixed.extend(["13/02/2021", "14/02/2021", "15/02/2021", "3/1/2015"].map(str::to_owned));
        let r = reading(&mixed.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(r.order(), None);
        assert!(r.date("3/1/2015").is_err());
    }

    #[test]
    fn cells_are_checked_with_line_column_problem_and_fix() {
        let s = sheet(
            "Email;Name;Start date;Time zone;Skills;Years\nnot-an-email;Ann;2024-13-01;Mars/Olympus;a|b;lots\nb@x.org;Bea;21/02/2020;europe/london;\"x\ny\";3;extra\n",
        );
        let rs = records(&s, &Mapping::suggest(&s.headers), None, day());
        let cols: Vec<&str> = rs[0].errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["Email (column A)", "Time zone (column D)", "Years (column F)", "Start date (column C)"]);
        assert!(rs[0].errors.iter().all(|e| e.line == 2 && !e.fix.is_empty()));
        assert_eq!(rs[1].time_zone.as_deref(), Some("Europe/London"));
        assert_eq!(rs[1].start_date.as_deref(), Some("2020-02-21"));
        assert_eq!(rs[1].skills.as_deref(), Some(&["x".to_owned(), "y".to_owned()][..]));
        assert!(rs[1].errors[0].problem.contains("7 cells but the header has 6"));
    }

    #[test]
    fn employee_ids_are_kept_as_given_and_excel_damage_is_caught() {
        assert_eq!(employee_id(" 000123 ").unwrap(), "000123");
        assert_eq!(employee_id("e-77/B").unwrap(), "e-77/B");
        assert!(employee_id("1.23457E+11").unwrap_err().0.contains("scientific notation"));
        assert!(employee_id("1,5E+6").is_err());
        assert_eq!(employee_id("E12").unwrap(), "E12", "a letter E is not an exponent");
        assert_eq!(employee_id("7E").unwrap(), "7E");
        assert!(employee_id(&"9".repeat(65)).unwrap_err().0.contains("65 characters"));
        assert!(employee_id("a\nb").is_err());
    }

    #[test]
    fn a_file_whose_first_row_is_a_person_is_refused_as_having_no_header_row() {
        let e = read("person1@demo.example.org,Amara Okafor\r\nperson2@demo.example.org,Bjorn Okafor\r\n", "UTF-8")
            .unwrap_err()
            .0;
        assert!(
            e.contains("“person1@demo.example.org”, an email address")
                && e.contains("seems to have no header row")
                && e.contains("such as email,name,start_date"),
            "{e}"
        );
        // A first row of data with the date first, separated by semicolons.
        let e = read("26/01/2019;Ann\n02/11/2019;Bea\n", "UTF-8").unwrap_err().0;
        assert!(e.contains("“26/01/2019”, a date") && e.contains("email;name;start_date"), "{e}");
        // Header names that mention an address or a year are still header names.
        let s = sheet("Email (name@example.org),Start 2024\nann@example.org,2024-01-02\n");
        assert_eq!(s.rows.len(), 1);
    }

    #[test]
    fn a_first_name_goes_before_a_name_that_lacks_it() {
        let names = |text: &str| -> Vec<String> {
            let s = sheet(text);
            records(&s, &Mapping::suggest(&s.headers), None, day())
                .into_iter()
                .map(|r| r.name.map(|n| n.as_str().to_owned()).unwrap_or_default())
                .collect()
        };
        // German HR: "Name" is the family name.
        assert_eq!(names("Vorname;Name;E-Mail\nJörg;Müller;j@x.org\nZoë;Weiß;z@x.org\n"), ["Jörg Müller", "Zoë Weiß"]);
        // A full name beside a first name already holds it, in any case or order.
        assert_eq!(
            names(
                "First Name,Name,Email\nAnn,Ann Lee,a@x.org\njörg,\"Müller, Jörg\",j@x.org\nBob,Robert Smith,b@x.org\n"
            ),
            ["Ann Lee", "Müller, Jörg", "Robert Smith"],
            "a name of several words is whole already, whatever the first name (often a preferred one) says"
        );
        assert_eq!(names("Vorname;Name;E-Mail\n;Müller;j@x.org\n"), ["Müller"], "no first name: the name alone");
        // Family names of several words, among one-word ones: the column is read as a whole.
        assert_eq!(
            names("Vorname;Name;E-Mail\nMaria;de la Cruz;m@x.org\nKlaus;Müller;k@x.org\nJosé;García López;j@x.org\n"),
            ["Maria de la Cruz", "Klaus Müller", "José García López"]
        );
        // First and last names apart, one missing: marked, so a stored name is kept.
        let s = sheet("email,first_name,last_name\na@x.org,,Smith\nb@x.org,Bo,Lee\n");
        let partial: Vec<bool> =
            records(&s, &Mapping::suggest(&s.headers), None, day()).iter().map(|r| r.partial_name).collect();
        assert_eq!(partial, [true, false]);
    }

    #[test]
    fn text_that_is_not_ascii_where_a_year_would_end_is_no_date_and_no_panic() {
        let none = DateReading::default();
        for cell in ["Numéro", "1 févr. 2024", "Gebäude", "Téléphone"] {
            assert!(none.date(cell).is_err(), "{cell}");
        }
        let s = sheet("Email,Numéro,Durée\nann@example.org,1,2\n");
        assert_eq!(s.rows.len(), 1, "such header names are names, not data");
    }

    #[test]
    fn a_midnight_time_is_ignored_in_showing_the_order_and_in_reading() {
        let r = reading(&["26/01/2019 00:00", "02/11/2019 00:00"]);
        assert_eq!(r.order(), Some(DateOrder::DayFirst));
        assert_eq!(r.date("02/11/2019 00:00").unwrap(), "2019-11-02");
        // US Excel: "3/5/2024 0:00" and "3/15/2024 12:00:00 AM".
        let us = reading(&["3/5/2024 0:00", "3/15/2024 12:00:00 AM"]);
        assert_eq!(us.order(), Some(DateOrder::MonthFirst));
        assert_eq!(us.date("3/5/2024 0:00").unwrap(), "2024-03-05");
        assert_eq!(us.date("3/15/2024 12:00:00 AM").unwrap(), "2024-03-15");
        let none = DateReading::default();
        for written in ["2024-03-05 0:00", "2024-03-05 0:00:00", "2024-03-05 12:00 AM", "2024-03-05 12:00:00 am"] {
            assert_eq!(none.date(written).unwrap(), "2024-03-05", "{written}");
        }
        assert!(none.date("3/15/2024 12:00:00 PM").unwrap_err().0.contains("not a date we can read"), "noon is not");
    }

    #[test]
    fn a_chosen_order_reads_every_date_and_refuses_one_that_shows_the_other() {
        let text = "email,start_date\nj1@x.org,02/03/2026\nj2@x.org,09/03/2026\nj3@x.org,01/04/2026\n";
        let s = sheet(text);
        let m = Mapping::suggest(&s.headers);
        let worked_out = DateReading::of(&s, &m, None);
        let (_, fix) = worked_out.date("02/03/2026").unwrap_err();
        assert!(fix.contains("--date-order day-first") && fix.contains("on the column page"), "{fix}");
        let day_first = DateReading::of(&s, &m, Some(DateOrder::DayFirst));
        let read: Vec<String> = ["02/03/2026", "09/03/2026", "01/04/2026"].map(|d| day_first.date(d).unwrap()).into();
        assert_eq!(read, ["2026-03-02", "2026-03-09", "2026-04-01"]);
        assert_eq!(day_first.note().unwrap(), "Dates such as 2/11/2019 were read as day/month/year, as you chose.");
        let month_first = DateReading::of(&s, &m, Some(DateOrder::MonthFirst));
        assert_eq!(month_first.date("02/03/2026").unwrap(), "2026-02-03");
        let (problem, fix) = day_first.date("1/26/2019").unwrap_err();
        assert!(problem.contains("can only be month/day/year") && problem.contains("told that dates are day/month"));
        assert!(fix.contains("if it is 26 January 2019, write 2019-01-26"), "{fix}");
        assert_eq!(day_first.date("26/01/2019").unwrap(), "2019-01-26");
        assert_eq!((DateOrder::parse("month_first"), DateOrder::parse("")), (Some(DateOrder::MonthFirst), None));
    }

    #[test]
    fn an_excel_error_in_a_cell_is_an_error_naming_the_column_and_nothing_else() {
        let s = sheet(
            "email,name,department,job_title,level,start_date\nv1@x.org,#N/A,#n/a,#REF!,#VALUE!,#DIV/0!\n#NAME?,Ann,Sales,,,\nok@x.org,Ok,#NULL!,#NUM!,,\n",
        );
        let rs = records(&s, &Mapping::suggest(&s.headers), None, day());
        let cols: Vec<&str> = rs[0].errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "name (column B)",
                "job_title (column D)",
                "department (column C)",
                "level (column E)",
                "start_date (column F)"
            ]
        );
        assert!(rs[0].errors[0].problem.contains("#N/A") && rs[0].errors[0].fix.starts_with("Excel could not compute"));
        assert!(rs[0].name.is_none() && rs[0].department.is_none() && rs[0].start_date.is_none());
        assert_eq!(rs[1].errors.len(), 1, "not also “not an email address”: {:?}", rs[1].errors);
        assert_eq!((rs[1].errors[0].column.as_str(), rs[1].email.is_none()), ("email (column A)", true));
        assert_eq!(rs[2].errors.len(), 2);
    }

    #[test]
    fn the_error_file_writes_dates_read_from_the_whole_file_as_iso_and_ids_as_excel_keeps_them() {
        let s =
            sheet("email,start_date,employee_id\nann@x.org,26/01/2019,1\nbad,02/11/2019,000110\nbad2,31/02/2019,E7\n");
        let m = Mapping::suggest(&s.headers);
        let dates = DateReading::of(&s, &m, None);
        let errors: Vec<RowError> = records(&s, &m, None, day()).into_iter().flat_map(|r| r.errors).collect();
        let (_, rows) = error_rows(&s, &m, &dates, &errors);
        assert_eq!(rows[0][..4], ["bad", "2019-11-02", "=\"000110\"", "3"], "read day first, as line 2 shows");
        assert_eq!(rows[1][1..3], ["31/02/2019", "E7"], "a date that could not be read stays as written");
    }

    #[test]
    fn question_marks_excel_put_for_letters_windows_1252_lacks_are_told_from_real_changes() {
        assert!(lost_to_windows_1252("?ukasz Dvo?ák", "Łukasz Dvořák"));
        assert!(lost_to_windows_1252("Zarz?d", "Zarząd"));
        assert!(!lost_to_windows_1252("Lukasz Dvorak", "Łukasz Dvořák"), "no question mark: a real change");
        assert!(!lost_to_windows_1252("?ukasz", "Łukasz Dvořák"), "another length");
        assert!(!lost_to_windows_1252("Zo?", "Zoë"), "ë is in Windows-1252: Excel would have kept it");
        assert!(!lost_to_windows_1252("?ukasz Nowak", "Łukasz Dvořák"), "other letters changed too");
        assert!(!lost_to_windows_1252("Who?", "Who?"), "the same text");
    }

    #[test]
    fn a_windows_1252_file_where_a_capital_and_a_space_spell_utf8_by_chance_is_windows_1252() {
        // The auditor's file: “É” (0xC9) then a non-breaking space (0xA0) is valid UTF-8 for
        // “ɠ”, but every other accented letter in it is not UTF-8.
        let bytes = b"email;nom;pr\xe9nom;service\r\nr1@demo.example.org;MARTIN;REN\xc9\xa0LOUIS;Comptabilit\xe9\r\nr2@demo.example.org;Lef\xe8vre;Zo\xe9;Direction g\xe9n\xe9rale\r\n";
        assert_eq!(Utf8Evidence::of(bytes), Utf8Evidence { valid: 1, invalid: 6 });
        let (text, encoding) = decode(bytes).unwrap();
        assert_eq!(encoding, "Windows-1252");
        assert!(text.contains("REN\u{c9}\u{a0}LOUIS") && text.contains("Lef\u{e8}vre"), "{text}");
    }

    #[test]
    fn a_utf8_file_is_utf8_and_one_with_windows_1252_rows_pasted_in_is_still_refused() {
        let utf8 = "email;nom;prénom\r\nr1@x.org;Müller;Zoë\r\nr2@x.org;Lefèvre;Łukasz\r\n";
        assert_eq!(decode(utf8.as_bytes()).unwrap(), (utf8.to_owned(), "UTF-8"));
        // Several UTF-8 letters, then a row from a Windows-1252 file with two accents.
        let mixed = [utf8.as_bytes(), b"r3@x.org;Dupr\xe9;Ren\xe9e\r\n"].concat();
        assert_eq!(Utf8Evidence::of(&mixed), Utf8Evidence { valid: 5, invalid: 2 });
        let e = decode(&mixed).unwrap_err().0;
        assert!(e.contains("mixes two encodings") && e.contains("line 4 is not"), "{e}");
    }

    #[test]
    fn hr_systems_headers_are_matched_in_english_and_german() {
        let guess = |headers: &[&str]| Mapping::suggest(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>());
        // Workday.
        let m = guess(&["Employee ID", "Legal Name", "Work Email", "Business Title"]);
        assert_eq!((m.get(Column::EmployeeId), m.get(Column::Name), m.get(Column::Email)), (Some(0), Some(1), Some(2)));
        assert_eq!(guess(&["Worker", "Email"]).get(Column::Name), Some(0));
        // BambooHR's "Employee #", SuccessFactors' "USERID" and "User ID".
        for id in ["Employee #", "USERID", "User ID", "Personalnummer"] {
            assert_eq!(guess(&[id]).get(Column::EmployeeId), Some(0), "{id}");
        }
        assert_eq!(guess(&["Employee"]).get(Column::EmployeeId), None, "a bare “Employee” is often a name");
        assert_eq!(guess(&["Reporting to"]).get(Column::ManagerEmail), Some(0));
        // Email columns as HR systems name them, a manager's beside a "Manager" of names.
        for email in ["Email - Primary Work", "Primary Email", "Company Email", "Email (Work)"] {
            assert_eq!(guess(&[email]).get(Column::Email), Some(0), "{email}");
        }
        for manager in ["Manager Work Email", "Supervisor Work Email", "Reports To Email", "Direct Manager Email"] {
            assert_eq!(guess(&["Manager", manager]).get(Column::ManagerEmail), Some(1), "{manager}");
        }
        // German.
        let de =
            guess(&["Personalnummer", "Abteilung", "Eintrittsdatum", "Vorgesetzter", "Standort", "Stellenbezeichnung"]);
        let found: Vec<Option<usize>> = [
            Column::EmployeeId,
            Column::Department,
            Column::StartDate,
            Column::ManagerEmail,
            Column::Location,
            Column::JobTitle,
        ]
        .map(|c| de.get(c))
        .into();
        assert_eq!(found, [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]);
        assert_eq!(guess(&["Arbeitsort"]).get(Column::Location), Some(0));
        // French.
        let fr = guess(&[
            "Matricule",
            "Prénom",
            "Nom",
            "Service",
            "Intitulé du poste",
            "Date d'embauche",
            "Lieu de travail",
        ]);
        let found: Vec<Option<usize>> = [
            Column::EmployeeId,
            Column::FirstName,
            Column::LastName,
            Column::Department,
            Column::JobTitle,
            Column::StartDate,
            Column::Location,
        ]
        .map(|c| fr.get(c))
        .into();
        assert_eq!(found, [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]);
        assert_eq!(guess(&["E-mail du responsable"]).get(Column::ManagerEmail), Some(0));
        assert_eq!(guess(&["POSITION"]).get(Column::JobTitle), Some(0));
        // The manager's email column beats the one with names.
        assert_eq!(guess(&["Vorgesetzter", "Vorgesetzter E-Mail"]).get(Column::ManagerEmail), Some(1));
    }

    #[test]
    fn columns_chosen_by_name_override_the_guesses() {
        let headers: Vec<String> =
            ["Work Email", "Full Name", "Function", "Org Unit", "Manager"].iter().map(|h| h.to_string()).collect();
        let guessed = Mapping::suggest(&headers);
        assert_eq!(guessed.get(Column::Department), Some(2), "“Function” is guessed as the department");
        // "Org Unit" becomes the department, "Function" the job title (taken from the guess), the
        // manager column is left out; case and spaces around names do not matter.
        let m = guessed.with_chosen(" department = org unit ; job_title=Function;manager_email=", &headers).unwrap();
        assert_eq!(
            (m.get(Column::Department), m.get(Column::JobTitle), m.get(Column::ManagerEmail), m.get(Column::Email)),
            (Some(3), Some(2), None, Some(0))
        );
        assert_eq!(m.used(&headers)[0], ("email", "Work Email".to_owned()));
        // Every problem at once: an unknown key, an unknown header, one header for two columns.
        let errs =
            guessed.with_chosen("salary=Pay;location=Office;name=Org Unit;department=Org Unit", &headers).unwrap_err();
        let text: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errs.len(), 3, "{text:?}");
        assert!(text[0].contains("“salary” is not one of our columns"), "{text:?}");
        assert!(text[1].contains("no column “Office”") && text[1].contains("Work Email, Full Name"), "{text:?}");
        assert!(text[2].contains("“Org Unit” is chosen for both name and department"), "{text:?}");
        // Leaving out the email column leaves nothing to recognise people by.
        let errs = guessed.with_chosen("email=", &headers).unwrap_err();
        assert!(errs[0].message.contains("email=Header"), "{errs:?}");
    }

    #[test]
    fn no_header_name_means_two_of_our_columns() {
        let mut seen: HashMap<&str, Column> = HashMap::new();
        for c in Column::ALL {
            for alias in c.aliases() {
                assert_eq!(normalise(alias), *alias, "aliases are written normalised");
                if let Some(other) = seen.insert(alias, c) {
                    panic!("“{alias}” means both {other:?} and {c:?}");
                }
            }
        }
    }

    #[test]
    fn a_title_above_the_header_is_skipped_and_lines_stay_right() {
        let s = sheet(
            "Active Employees Report - run 2026-11-01 by HRIS,,,\r\n,,,\r\nEmployee ID,Legal Name,Work Email,Manager\r\nE100,Ann Lee,ann@x.org,\r\nE101,Bob Smith,bad,\r\n",
        );
        assert_eq!((s.headers[2].as_str(), s.title_lines, s.rows[0].line), ("Work Email", Some((1, 3)), 4));
        assert_eq!(s.skipped_lines(), ["Lines 1–2 were skipped: the column names are on line 3."]);
        let rs = records(&s, &Mapping::suggest(&s.headers), None, day());
        assert_eq!((rs[1].errors[0].line, rs[1].errors[0].column.as_str()), (5, "Work Email (column C)"));
        // A title without separators above a header with semicolons; one line of it.
        let s = sheet("Mitarbeiterliste\nE-Mail;Name\nann@x.org;Ann\n");
        assert_eq!((s.delimiter, s.headers.len(), s.title_lines), (';', 2, Some((1, 2))));
        assert_eq!(s.skipped_lines(), ["Line 1 was skipped: the column names are on line 2."]);
        // A person above a row naming an email column is no title: the first row is the header.
        let s = sheet("name,contact\nAnn,ann@x.org\nBob,email\n");
        assert_eq!((s.headers[0].as_str(), s.rows.len(), s.title_lines), ("name", 2, None));
        // No header among the first ten rows: the first row is the header, as before.
        let mut text = "Report\n".to_owned();
        for i in 0..10 {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str("email\na@x.org\n");
        let s = sheet(&text);
        assert_eq!((s.headers[0].as_str(), s.title_lines), ("Report", None));
    }

    #[test]
    fn a_second_row_of_labels_under_the_header_is_skipped() {
        let s = sheet("STATUS,USERID,EMAIL,MANAGER\r\nStatus,User ID,Email,Manager\r\nactive,1001,ann@x.org,1000\r\n");
        assert_eq!((s.label_row, s.rows.len(), s.rows[0].line), (Some(2), 1, 3));
        assert!(s.skipped_lines()[0].starts_with("Line 2 was skipped: it holds labels of the columns"));
        // A first person whose email is wrong is a person, with an error: not skipped.
        let s = sheet("email,name\nann-at-x.org,Ann\n");
        assert_eq!((s.label_row, s.rows.len()), (None, 1));
    }

    #[test]
    fn a_guessed_manager_column_of_names_or_ids_is_left_out_and_said_so() {
        let workday = sheet("Work Email,Manager\nann@x.org,Bob Smith\nbob@x.org,\ncal@x.org,none\n");
        assert_eq!(Mapping::suggest(&workday.headers).get(Column::ManagerEmail), Some(1));
        let m = Mapping::guess(&workday);
        assert_eq!((m.get(Column::Email), m.get(Column::ManagerEmail)), (Some(0), None));
        assert_eq!(
            notes(&workday, &m),
            [
                "Column “Manager” holds names, not email addresses (such as “Bob Smith”): it is not used; add a column with the manager's email."
            ]
        );
        assert!(records(&workday, &m, None, day()).iter().all(|r| r.errors.is_empty()));
        // Whatever an HR system writes for "no manager" removes one, and is no error.
        let top = sheet(
            "email,manager_email\na@x.org,none\nb@x.org,N/A\nc@x.org, - \nd@x.org,\u{2014}\ne@x.org,NO_MANAGER\nf@x.org,null\n",
        );
        let rs = records(&top, &Mapping::guess(&top), None, day());
        assert!(rs.iter().all(|r| r.clear_manager && r.errors.is_empty()), "{rs:#?}");
        // The top of the tree, written as SuccessFactors does, is no example of what it holds.
        let sf = sheet("EMAIL,MANAGER\nb@x.org,NO_MANAGER\na@x.org,1000\n");
        assert!(
            notes(&sf, &Mapping::guess(&sf))[0]
                .starts_with("Column “MANAGER” holds IDs, not email addresses (such as “1000”)")
        );
        // The executives an assistant supports, by name: the same.
        let eas = sheet("Email,Executives\nann@x.org,\"Bob Boss; Cy Chief\"\nbea@x.org,Di Director\n");
        let m = Mapping::guess(&eas);
        assert_eq!(m.get(Column::SupportsEmails), None);
        assert_eq!(
            notes(&eas, &m),
            [
                "Column “Executives” holds names, not email addresses (such as “Bob Boss; Cy Chief”): it is not used; add a column with the executives' emails."
            ]
        );
        let listed = sheet("Email,Executives\nann@x.org,\"bob@x.org; cy@x.org\"\n");
        assert_eq!(Mapping::guess(&listed).get(Column::SupportsEmails), Some(1), "a list of addresses is kept");
        // Chosen on purpose: each row is an error that says what the column must hold.
        let chosen = Mapping::suggest(&workday.headers);
        assert!(notes(&workday, &chosen).is_empty());
        let e = &records(&workday, &chosen, None, day())[0].errors[0];
        assert!(
            e.problem == "“Bob Smith” is not an email address."
                && e.fix.starts_with("The manager column must hold the manager's email address")
                && e.fix.contains("not their name or ID"),
            "{e:?}"
        );
        // A column of addresses, one of them mistyped, is kept.
        let emails = sheet("email,manager_email\na@x.org,b@x.org\nb@x.org,c@x\nc@x.org,\n");
        assert_eq!(Mapping::guess(&emails).get(Column::ManagerEmail), Some(1));
        let e = &records(&emails, &Mapping::guess(&emails), None, day())[1].errors[0];
        assert!(e.fix.starts_with("Write the manager's work email"), "{e:?}");
        // One address typed by hand among twenty names does not make it a column of addresses.
        let mut text = "email,manager\n".to_owned();
        for i in 0..19 {
            text.push_str(&format!("p{i}@x.org,Boss {i}\n"));
        }
        text.push_str("p19@x.org,boss@x.org\n");
        assert_eq!(Mapping::guess(&sheet(&text)).get(Column::ManagerEmail), None);
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!((letter(0), letter(25), letter(26), letter(27)), ("A".into(), "Z".into(), "AA".into(), "AB".into()));
    }
}
