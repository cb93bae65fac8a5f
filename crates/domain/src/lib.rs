//! Roundtable's domain: identifiers, validated values (parse, don't validate), roles, and the
//! authorisation policy. Pure: no I/O, no async, no database, no HTTP — a breach fails to compile.

pub mod error;
pub mod events;
pub mod ids;
pub mod policy;
pub mod profile;
pub mod values;

pub use error::{Error, FieldError};
pub use ids::*;
pub use policy::{Actor, Capability, MembershipStatus, Role, Visibility};
pub use values::*;
