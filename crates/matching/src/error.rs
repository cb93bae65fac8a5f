//! The crate's two error types: [`InputError`] for files a person wrote (CSV, TOML) and
//! [`MatchError`] for everything that can go wrong when matching.
//!
//! Messages are for organisers, not programmers: they name the file, the line and column,
//! what is wrong and how to fix it.

/// A problem in an input file, with where it is and what to do about it. Boxed so that
/// `Result`s stay small on the happy path; [`InputError::kind`] gives the details.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct InputError(Box<InputErrorKind>);

impl InputError {
    /// What exactly is wrong.
    pub fn kind(&self) -> &InputErrorKind {
        &self.0
    }

    /// Unwraps the details.
    pub fn into_kind(self) -> InputErrorKind {
        *self.0
    }
}

impl From<InputErrorKind> for InputError {
    fn from(kind: InputErrorKind) -> Self {
        Self(Box::new(kind))
    }
}

/// The kinds of [`InputError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputErrorKind {
    /// The file is not well-formed CSV (or not UTF-8).
    #[error("{file}, line {line}: {problem}. {fix}")]
    Malformed { file: String, line: u64, problem: String, fix: String },
    /// A required column is missing from the header row.
    #[error(
        "{file}: the header row has no \"{column}\" column. Add it to the first line \
         (columns found: {found})."
    )]
    MissingColumn { file: String, column: String, found: String },
    /// A cell holds something that cannot be used.
    #[error("{file}, line {line}, column {column} ({header}): {problem}. {fix}")]
    BadValue { file: String, line: u64, column: usize, header: String, problem: String, fix: String },
    /// The same id appears on two rows.
    #[error(
        "{file}, line {line}: the id \"{id}\" is already used on line {first_line}. \
         Give each row its own id, or merge the two rows."
    )]
    DuplicateId { file: String, line: u64, id: String, first_line: u64 },
    /// The same email appears on two rows: one person twice.
    #[error(
        "{file}, line {line}: the email \"{email}\" is already on line {first_line}, so this \
         looks like the same person twice. Keep one row per person, or correct the email."
    )]
    DuplicateEmail { file: String, line: u64, email: String, first_line: u64 },
    /// A file has the columns of the other kind of file and none of its own.
    #[error(
        "{file} looks like a {looks_like} file: it has {found} but none of {expected}. Check that \
         the mentees and mentors files are not swapped."
    )]
    LooksSwapped { file: String, looks_like: String, found: String, expected: String },
    /// A cell refers to an id that no input file defines.
    #[error(
        "{file}, line {line}, column {column} ({header}): \"{id}\" is not a known {kind}. \
         Check the spelling against the ids in {known_in}, or remove it."
    )]
    UnknownId { file: String, line: u64, column: usize, header: String, id: String, kind: String, known_in: String },
    /// A row repeats the header row: two files joined into one.
    #[error(
        "{file}: a second header row at line {line}, as when two files are joined into one \
         (`cat a.csv b.csv`). Delete that line, or give each file on its own (--history can be \
         repeated)."
    )]
    SecondHeader { file: String, line: u64 },
    /// The file has a header but no data rows.
    #[error("{file} has no rows after the header. Add at least one {what}, one per line.")]
    NoRows { file: String, what: String },
    /// The settings file cannot be used.
    #[error("{file}{at}: {problem}. {fix}")]
    Settings {
        file: String,
        /// `", line L, column C"` when known, else empty.
        at: String,
        problem: String,
        fix: String,
    },
}

/// Why a matching could not be produced.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// An input file is wrong.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The inputs are inconsistent in a way no single file shows (for example an override
    /// naming someone who is not in the programme).
    #[error("{problem}. {fix}")]
    Invalid { problem: String, fix: String },
    /// An organiser pinned a pair that a hard constraint rules out.
    #[error(
        "The pinned pair {mentee} → {mentor} is not allowed: {reason}. \
         Remove the pin, or change the input that rules it out."
    )]
    PinNotAllowed { mentee: String, mentor: String, reason: String },
    /// The problem is too large for exact integer arithmetic.
    #[error("{problem}. {fix}")]
    TooLarge { problem: String, fix: String },
    /// A self-check failed: a bug, never an input problem.
    #[error(
        "internal check failed: {0}. This is a bug in the matching engine; please report it \
         with the input files"
    )]
    Internal(String),
}

impl MatchError {
    pub(crate) fn invalid(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::Invalid { problem: problem.into(), fix: fix.into() }
    }
}
