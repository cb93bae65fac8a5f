//! Typed identifiers. UUIDv7 made in Rust, so keys are time-ordered on both engines.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self { Self(Uuid::now_v7()) }
            /// Parses an id from a URL or form; a malformed id is simply "not found".
            pub fn parse(s: &str) -> Option<Self> { Uuid::parse_str(s).ok().map(Self) }
        }
        impl Default for $name { fn default() -> Self { Self::new() } }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )*};
}

id_type!(UserId, NetworkId, MembershipId, SessionId, TokenId, JobId, MessageId, AuditId, InvitationId);
