//! Roundtable's matching engine: pure algorithms on plain input structs, no I/O.
//!
//! - [`mentoring`]: optimal mentor–mentee matching under capacities and hard constraints,
//!   with an optimality certificate, fairness mode, overrides and explanations.
//! - [`coffee`]: coffee-chat rounds that avoid recent repeats.
//! - [`circles`]: peer-learning circles that respect status dynamics.
//! - [`assignment`]: the dense Jonker–Volgenant solver and its certificate checker.
//! - [`capacitated`]: the same solver on columns with capacities (mentor places).
//! - [`csv_input`], [`csv_output`], [`weights`]: the organiser's files.
//!
//! The formulas, guarantees and benchmark figures are in `docs/matching.md`.

pub mod assignment;
mod bipartite;
pub mod capacitated;
pub mod circles;
pub mod coffee;
pub mod csv_input;
pub mod csv_output;
pub mod error;
mod general_matching;
pub mod mentoring;
pub mod reporting_line;
pub mod rng;
pub mod score;
pub mod time_zone;
pub mod weights;

pub use error::{InputError, InputErrorKind, MatchError};
pub use weights::Settings;

/// "1 pair", "2 pairs": messages are read by people, who notice "1 pairs".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
