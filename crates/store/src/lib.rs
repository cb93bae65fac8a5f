//! Roundtable's storage. `Db` runs the same SQL on SQLite and PostgreSQL; each area module owns
//! its statements (as consts, listed for the prepare-everything test) and maps rows to records.
//! No business rules here: use cases in the app decide, the store reads and writes.

pub mod db;
pub mod error;
pub mod value;

pub mod audit;
pub mod buddies;
pub mod charters;
pub mod events;
pub mod import;
pub mod jobs;
pub mod links;
pub mod login_failures;
pub mod networks;
pub mod onboarding;
pub mod org;
pub mod outbox;
pub mod profiles;
pub mod read_model;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use db::{Db, Dialect, Tx};
pub use error::{Error, Result};
pub use value::{Row, Value};

/// Every statement in the code base, by module, for the test that prepares them all on both
/// engines. Statements named `*_PG` or `*_SQLITE` are meant for that engine only.
pub fn all_statements() -> Vec<(&'static str, &'static str, &'static str)> {
    let modules: [(&str, &[(&str, &str)]); 18] = [
        ("db", db::ALL),
        ("audit", audit::ALL),
        ("buddies", buddies::ALL),
        ("charters", charters::ALL),
        ("events", events::ALL),
        ("import", import::ALL),
        ("jobs", jobs::ALL),
        ("links", links::ALL),
        ("login_failures", login_failures::ALL),
        ("networks", networks::ALL),
        ("onboarding", onboarding::ALL),
        ("org", org::ALL),
        ("outbox", outbox::ALL),
        ("profiles", profiles::ALL),
        ("read_model", read_model::ALL),
        ("sessions", sessions::ALL),
        ("tokens", tokens::ALL),
        ("users", users::ALL),
    ];
    modules.iter().flat_map(|(m, qs)| qs.iter().map(move |(n, s)| (*m, *n, *s))).collect()
}

/// Microseconds since the epoch, the stored form of every time.
pub fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

#[cfg(feature = "testing")]
pub mod testing;
