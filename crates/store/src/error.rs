//! The store's one error type.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A unique constraint refused the write; the key is `table.column` on both engines.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value did not map to its domain type (a bug or a hand-edited row).
    #[error("bad stored value: {0}")]
    Decode(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Another transaction held what this one needed — PostgreSQL chose it to end a deadlock or
    /// a serialisation conflict, or SQLite's writer stayed busy past the timeout. Rolled back
    /// whole; trying again will usually work.
    #[error("database busy: {0}")]
    Busy(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && (f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
        {
            // "UNIQUE constraint failed: users.email"
            let key = msg.rsplit(": ").next().unwrap_or(msg).to_owned();
            return Error::Conflict(key);
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        {
            return Error::Busy(e.to_string());
        }
        // A full disk: nothing was written, and nothing will be until someone makes room.
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::DiskFull
        {
            return Error::Unavailable(e.to_string());
        }
        Error::Database(e.to_string())
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
                // Default constraint names are "<table>_<column>_key"; report "table.column" like SQLite.
                let table = db.table().unwrap_or("");
                let column = db
                    .constraint()
                    .and_then(|c| c.strip_prefix(table))
                    .map(|c| c.trim_start_matches('_').trim_end_matches("_key").to_owned())
                    .unwrap_or_default();
                return Error::Conflict(format!("{table}.{column}"));
            }
            let text = format!("{}: {}", db.code().code(), db.message());
            use tokio_postgres::error::SqlState;
            if [SqlState::T_R_DEADLOCK_DETECTED, SqlState::T_R_SERIALIZATION_FAILURE, SqlState::LOCK_NOT_AVAILABLE]
                .contains(db.code())
            {
                return Error::Busy(text);
            }
            // Class 53 (the server is out of disk, memory or connections) and a server shutting
            // down or starting: the database cannot take the change now, however it is written.
            if db.code().code().starts_with("53")
                || [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW]
                    .contains(db.code())
            {
                return Error::Unavailable(text);
            }
            return Error::Database(text);
        }
        if e.is_closed() {
            return Error::Unavailable(e.to_string());
        }
        Error::Database(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        // The pool's own message ("error connecting to server", "db error") hides the server's
        // reason ("database \"x\" does not exist", "connection refused"): add every cause.
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            let more = cause.to_string();
            if !text.contains(&more) {
                text = format!("{text}: {more}");
            }
            source = cause.source();
        }
        Error::Unavailable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_busy_and_locked_are_busy_other_failures_are_not() {
        let failure = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        assert!(matches!(Error::from(failure(rusqlite::ffi::SQLITE_BUSY)), Error::Busy(_)));
        assert!(matches!(Error::from(failure(rusqlite::ffi::SQLITE_LOCKED)), Error::Busy(_)));
        assert!(matches!(Error::from(failure(rusqlite::ffi::SQLITE_CORRUPT)), Error::Database(_)));
    }

    #[test]
    fn a_full_disk_is_unavailable_not_a_failure_of_ours() {
        let full = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
        assert!(matches!(Error::from(full), Error::Unavailable(_)));
    }
}
