//! Events and the calendar: series, exceptions, notes, RSVPs with a waiting list, attendance,
//! hosts, feedback and subscription feeds. Every row carries `network_id`. The RSVP capacity
//! check runs under a lock on the event row (`lock_event`), so concurrent answers never over-book.

use crate::{Db, Dialect, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::events::{Audience, EventKind, LocationMode, Rsvp};
use roundtable_domain::{NetworkId, UserId};
use uuid::Uuid;

macro_rules! event_select {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.network_id, e.kind, e.title, e.theme, e.description, e.time_zone, e.local_start, e.duration_minutes, e.starts_at, e.last_ends_at, e.rrule, e.location_mode, e.place, e.online_url, e.capacity, e.rsvp_close_minutes, e.audience, e.status, e.sequence, e.reminder_minutes, e.checkin_code, e.created_at, e.updated_at, n.slug, n.name FROM events e JOIN networks n ON n.id = e.network_id ",
            $tail
        )
    };
}

/// The person `u` may still attend the event `e` (of network `n`): their account is active, and
/// the event is open to the whole organisation (of a network that is not invitation-only), or
/// they are an org admin or an active member of its network — as `events::access` decides, but
/// for the charter. Only their answers hold seats: removing someone from the network leaves their
/// answers in place.
macro_rules! may_attend {
    () => {
        "u.deactivated_at IS NULL AND ((e.audience = 'organisation' AND n.visibility <> 'invitation_only') OR u.is_org_admin OR EXISTS (SELECT 1 FROM memberships m WHERE m.network_id = e.network_id AND m.user_id = u.id AND m.status = 'active'))"
    };
}

/// `may_attend!`, and a member reads the event only once they have accepted the network's
/// current charter (as `events::access`): mail about an event goes only to such people.
macro_rules! may_still_read {
    () => {
        concat!(
            may_attend!(),
            " AND (u.is_org_admin OR (e.audience = 'organisation' AND n.visibility <> 'invitation_only') OR COALESCE((SELECT MAX(c.version) FROM charters c WHERE c.network_id = e.network_id), 0) <= COALESCE((SELECT MAX(a.version) FROM charter_acceptances a WHERE a.network_id = e.network_id AND a.user_id = u.id), 0))"
        )
    };
}

queries! {
    /// Every date of an event something is recorded for (answers, notes, attendance, feedback,
    /// a change to that date, its own host), oldest first.
    OCCURRENCES_USED = "SELECT occurrence_at FROM (SELECT occurrence_at FROM event_rsvps WHERE event_id = $1 AND occurrence_at > 0 UNION SELECT occurrence_at FROM event_notes WHERE event_id = $1 AND occurrence_at > 0 UNION SELECT occurrence_at FROM event_attendance WHERE event_id = $1 AND occurrence_at > 0 UNION SELECT occurrence_at FROM event_feedback WHERE event_id = $1 AND occurrence_at > 0 UNION SELECT occurrence_at FROM event_exceptions WHERE event_id = $1 AND occurrence_at > 0 UNION SELECT occurrence_at FROM event_hosts WHERE event_id = $1 AND occurrence_at > 0) u ORDER BY occurrence_at";
    /// Moving a date's records, in two steps (to the negated new date, then back) so that dates
    /// moving onto each other's old place (a weekly series a week earlier) never collide.
    MOVE_RSVPS = "UPDATE event_rsvps SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_RSVPS = "UPDATE event_rsvps SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    MOVE_NOTES = "UPDATE event_notes SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_NOTES = "UPDATE event_notes SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    MOVE_ATTENDANCE = "UPDATE event_attendance SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_ATTENDANCE = "UPDATE event_attendance SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    MOVE_FEEDBACK = "UPDATE event_feedback SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_FEEDBACK = "UPDATE event_feedback SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    MOVE_EXCEPTIONS = "UPDATE event_exceptions SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_EXCEPTIONS = "UPDATE event_exceptions SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    MOVE_HOSTS = "UPDATE event_hosts SET occurrence_at = -CAST($3 AS BIGINT) WHERE event_id = $1 AND occurrence_at = $2";
    SETTLE_HOSTS = "UPDATE event_hosts SET occurrence_at = -occurrence_at WHERE event_id = $1 AND occurrence_at < 0";
    INSERT = "INSERT INTO events (id, network_id, kind, title, theme, description, time_zone, local_start, duration_minutes, starts_at, last_ends_at, rrule, location_mode, place, online_url, capacity, rsvp_close_minutes, audience, status, sequence, reminder_minutes, checkin_code, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'scheduled', $19, $20, $21, $22, $23, $23)";
    UPDATE = "UPDATE events SET kind = $2, title = $3, theme = $4, description = $5, time_zone = $6, local_start = $7, duration_minutes = $8, starts_at = $9, last_ends_at = $10, rrule = $11, location_mode = $12, place = $13, online_url = $14, capacity = $15, rsvp_close_minutes = $16, audience = $17, reminder_minutes = $18, sequence = sequence + 1, updated_at = $19 WHERE id = $1";
    /// Ends a series before an occurrence ("this and all following" starts a new series).
    SET_RULE_END = "UPDATE events SET rrule = $2, last_ends_at = $3, sequence = sequence + 1, updated_at = $4 WHERE id = $1";
    /// A network turned invitation-only: its whole-organisation events become members-only.
    /// A network's events open to the whole organisation with a date from $2 on.
    OPEN_TO_ALL_FROM = "SELECT id FROM events WHERE network_id = $1 AND audience = 'organisation' AND (last_ends_at IS NULL OR last_ends_at >= $2)";
    NARROW_TO_MEMBERS = "UPDATE events SET audience = 'network', updated_at = $2 WHERE network_id = $1 AND audience = 'organisation'";
    SET_STATUS = "UPDATE events SET status = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $1";
    BY_ID = event_select!("WHERE e.id = $1");
    /// A network's events overlapping [$2, $3).
    IN_NETWORK = event_select!("WHERE e.network_id = $1 AND e.starts_at < $3 AND (e.last_ends_at IS NULL OR e.last_ends_at > $2) ORDER BY e.starts_at, e.id");
    /// Events of the person's active networks plus whole-organisation events of networks that
    /// are not invitation-only, overlapping [$2, $3). The charter gate is applied by the caller.
    FOR_PERSON = event_select!("WHERE ((e.audience = 'organisation' AND n.visibility <> 'invitation_only') OR e.network_id IN (SELECT m.network_id FROM memberships m WHERE m.user_id = $1 AND m.status = 'active')) AND e.starts_at < $3 AND (e.last_ends_at IS NULL OR e.last_ends_at > $2) ORDER BY e.starts_at, e.id");
    /// Every scheduled event overlapping [$1, $2), for reminders and feedback requests.
    ALL_BETWEEN = event_select!("WHERE e.status = 'scheduled' AND e.starts_at < $2 AND (e.last_ends_at IS NULL OR e.last_ends_at > $1) ORDER BY e.starts_at, e.id");
    /// PostgreSQL: the row lock serialises RSVPs to one event, so the capacity count is exact.
    LOCK_EVENT_PG = "SELECT id FROM events WHERE id = $1 FOR UPDATE";
    /// SQLite: `BEGIN IMMEDIATE` on the single writer already serialises every write transaction.
    LOCK_EVENT_SQLITE = "SELECT id FROM events WHERE id = $1";
    EXCEPTIONS = "SELECT occurrence_at, cancelled, starts_at, ends_at, title FROM event_exceptions WHERE event_id = $1 ORDER BY occurrence_at";
    UPSERT_EXCEPTION = "INSERT INTO event_exceptions (event_id, network_id, occurrence_at, cancelled, starts_at, ends_at, title, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, occurrence_at) DO UPDATE SET cancelled = excluded.cancelled, starts_at = excluded.starts_at, ends_at = excluded.ends_at, title = excluded.title, updated_at = excluded.updated_at";
    NOTES = "SELECT agenda, minutes, summary, recording_url, updated_at FROM event_notes WHERE event_id = $1 AND occurrence_at = $2";
    UPSERT_NOTES = "INSERT INTO event_notes (event_id, network_id, occurrence_at, agenda, minutes, summary, recording_url, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, occurrence_at) DO UPDATE SET agenda = excluded.agenda, minutes = excluded.minutes, summary = excluded.summary, recording_url = excluded.recording_url, updated_at = excluded.updated_at";
    RSVP_OF = "SELECT response, responded_at FROM event_rsvps WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3";
    /// Places taken: "yes" answers of people who may still attend (someone deactivated, erased
    /// or removed from the network no longer holds a seat; a member yet to accept a new charter
    /// keeps theirs).
    COUNT_YES = concat!("SELECT COUNT(*) FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND r.response = 'yes' AND ", may_attend!());
    UPSERT_RSVP = "INSERT INTO event_rsvps (event_id, network_id, occurrence_at, user_id, response, responded_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, occurrence_at, user_id) DO UPDATE SET response = excluded.response, responded_at = excluded.responded_at, updated_at = excluded.updated_at";
    /// The waiting list in order, first come first promoted, of people who may still attend.
    WAITLIST = concat!("SELECT r.user_id FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND r.response = 'waitlisted' AND ", may_still_read!(), " ORDER BY r.responded_at, r.user_id LIMIT $3");
    WAITLISTED_OCCURRENCES = "SELECT DISTINCT occurrence_at FROM event_rsvps WHERE event_id = $1 AND occurrence_at >= $2 AND response = 'waitlisted' ORDER BY occurrence_at";
    /// The events of network $1 with a date from $3 on that $2 answered yes or maybe to, or waits
    /// for a place at.
    ANSWERED_IN = "SELECT DISTINCT r.event_id FROM event_rsvps r JOIN events e ON e.id = r.event_id WHERE e.network_id = $1 AND r.user_id = $2 AND r.occurrence_at >= $3 AND r.response IN ('yes', 'maybe', 'waitlisted') ORDER BY r.event_id";
    RECIPIENT = "SELECT id, email, name, time_zone FROM users WHERE id = $1";
    /// The same, its row held until the transaction ends (an erasure waits, or is waited for).
    RECIPIENT_LOCKED_PG = "SELECT id, email, name, time_zone FROM users WHERE id = $1 FOR UPDATE";
    /// The active members of a network with an active account, to announce something to.
    NETWORK_RECIPIENTS = "SELECT u.id, u.email, u.name, u.time_zone FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND u.deactivated_at IS NULL ORDER BY u.id";
    /// The same in every network.
    ANSWERED_ANYWHERE = "SELECT DISTINCT event_id FROM event_rsvps WHERE user_id = $1 AND occurrence_at >= $2 AND response IN ('yes', 'maybe', 'waitlisted') ORDER BY event_id";
    /// Every answer the person gave to a date whose key lies in [$2, $3).
    ANSWERS_BETWEEN = "SELECT event_id, occurrence_at, response FROM event_rsvps WHERE user_id = $1 AND occurrence_at >= $2 AND occurrence_at < $3";
    /// (event, date) from $3 on where the person waits for a place, in one network.
    WAITING_IN = "SELECT r.event_id, r.occurrence_at FROM event_rsvps r JOIN events e ON e.id = r.event_id WHERE e.network_id = $1 AND r.user_id = $2 AND r.response = 'waitlisted' AND r.occurrence_at >= $3 ORDER BY r.occurrence_at, r.event_id";
    /// Who answered yes, maybe or waits for a place at a date from $2 on and may attend the event
    /// (`may_attend!`: whatever charter they have still to accept).
    ANSWERED_MAY_ATTEND_FROM = concat!("SELECT DISTINCT u.id, u.email, u.name, u.time_zone FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at >= $2 AND r.response IN ('yes', 'maybe', 'waitlisted') AND ", may_attend!());
    /// Whether the person may attend the event (`may_attend!`).
    MAY_ATTEND = concat!("SELECT 1 FROM users u JOIN events e ON e.id = $1 JOIN networks n ON n.id = e.network_id WHERE u.id = $2 AND ", may_attend!());
    /// The dates from $3 on a person answered yes, maybe or joined the waiting list for.
    DATES_ANSWERED_BY = "SELECT occurrence_at, response FROM event_rsvps WHERE event_id = $1 AND user_id = $2 AND occurrence_at >= $3 AND response IN ('yes', 'maybe', 'waitlisted') ORDER BY occurrence_at";
    WITHDRAW_ANSWERS_FROM = "DELETE FROM event_rsvps WHERE event_id = $1 AND user_id = $2 AND occurrence_at >= $3";
    PROMOTE = "UPDATE event_rsvps SET response = 'yes', updated_at = $4 WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3 AND response = 'waitlisted'";
    /// The answers the organisers see, of those who may still attend (as the seats count).
    /// Going first, then maybe, the waiting list in its order, then those not going.
    ATTENDEES = concat!("SELECT r.user_id, u.name, u.email, r.response, r.responded_at FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND ", may_attend!(), " ORDER BY CASE r.response WHEN 'yes' THEN 0 WHEN 'maybe' THEN 1 WHEN 'waitlisted' THEN 2 ELSE 3 END, r.responded_at, u.name_folded");
    /// Everyone with an answer to any occurrence from $2 on (for change and cancellation
    /// notices) who may still read the event; likewise for one occurrence, and those going.
    /// Each answer (yes, maybe, waiting) to a date from $2 on, with the person, date by date.
    ANSWERS_FROM = concat!("SELECT u.id, u.email, u.name, u.time_zone, r.occurrence_at FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at >= $2 AND r.response IN ('yes', 'maybe', 'waitlisted') AND ", may_still_read!(), " ORDER BY r.occurrence_at, u.id");
    /// Whether $3 took part in the date: checked in, or down as going.
    TOOK_PART = "SELECT 1 FROM event_attendance WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3 UNION ALL SELECT 1 FROM event_rsvps WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3 AND response = 'yes'";
    /// One person's answer to one date, moved to a date of another event (a series split).
    MOVE_ANSWER = "UPDATE event_rsvps SET event_id = $4, occurrence_at = $5 WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3";
    WITHDRAW_ANSWER = "DELETE FROM event_rsvps WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3";
    ANSWERED_AT = concat!("SELECT u.id, u.email, u.name, u.time_zone FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND r.response IN ('yes', 'maybe', 'waitlisted') AND ", may_still_read!());
    GOING_AT = concat!("SELECT u.id, u.email, u.name, u.time_zone FROM event_rsvps r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND r.response = 'yes' AND ", may_still_read!());
    UNCHECK = "DELETE FROM event_attendance WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3";
    CHECK_IN = "INSERT INTO event_attendance (event_id, network_id, occurrence_at, user_id, method, checked_in_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, occurrence_at, user_id) DO NOTHING";
    /// How many people whose account has closed (deactivated or erased) attended a date: counted
    /// in its figures, never named.
    ATTENDED_FORMER = "SELECT COUNT(*) FROM event_attendance a JOIN users u ON u.id = a.user_id WHERE a.event_id = $1 AND a.occurrence_at = $2 AND u.deactivated_at IS NOT NULL";
    /// Who attended, as the event page lists them: deactivated people appear nowhere.
    ATTENDED_AT = "SELECT a.user_id, u.name, a.method, a.checked_in_at FROM event_attendance a JOIN users u ON u.id = a.user_id WHERE a.event_id = $1 AND a.occurrence_at = $2 AND u.deactivated_at IS NULL ORDER BY u.name_folded";
    /// Whether check-in was used at all for an occurrence (whoever has since left).
    ATTENDANCE_COUNT = "SELECT COUNT(*) FROM event_attendance WHERE event_id = $1 AND occurrence_at = $2";
    /// Attendees to ask for feedback: those who may still read the event.
    ATTENDED_AT_ALL = concat!("SELECT u.id, u.email, u.name, u.time_zone FROM event_attendance r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = e.network_id WHERE r.event_id = $1 AND r.occurrence_at = $2 AND ", may_still_read!());
    HISTORY_OF = "SELECT a.event_id, e.title, n.slug, n.name, a.occurrence_at, a.method, a.checked_in_at FROM event_attendance a JOIN events e ON e.id = a.event_id JOIN networks n ON n.id = a.network_id WHERE a.user_id = $1 ORDER BY a.occurrence_at DESC LIMIT 200";
    /// Hosts as the event page shows them: deactivated people appear nowhere.
    /// Hosts still in the network (a host who left or was removed is no longer shown as one).
    HOSTS = "SELECT h.occurrence_at, h.user_id, u.name FROM event_hosts h JOIN users u ON u.id = h.user_id WHERE h.event_id = $1 AND u.deactivated_at IS NULL AND EXISTS (SELECT 1 FROM memberships m WHERE m.network_id = h.network_id AND m.user_id = h.user_id AND m.status = 'active') ORDER BY h.occurrence_at, u.name_folded";
    ADD_HOST = "INSERT INTO event_hosts (event_id, network_id, occurrence_at, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, occurrence_at, user_id) DO NOTHING";
    CLEAR_HOSTS = "DELETE FROM event_hosts WHERE event_id = $1 AND occurrence_at = $2";
    /// Per active member of the network: times hosted and the last occurrence hosted.
    HOST_STATS = "SELECT m.user_id, u.name, (SELECT COUNT(*) FROM event_hosts h WHERE h.network_id = m.network_id AND h.user_id = m.user_id), (SELECT MAX(h.occurrence_at) FROM event_hosts h WHERE h.network_id = m.network_id AND h.user_id = m.user_id) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND u.deactivated_at IS NULL ORDER BY u.name_folded";
    UPSERT_FEEDBACK = "INSERT INTO event_feedback (event_id, network_id, occurrence_at, user_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, occurrence_at, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at";
    FEEDBACK = "SELECT rating, comment, created_at FROM event_feedback WHERE event_id = $1 AND occurrence_at = $2 ORDER BY created_at";
    FEEDBACK_GIVEN_BY = "SELECT user_id FROM event_feedback WHERE event_id = $1 AND occurrence_at = $2";
    INSERT_FEED = "INSERT INTO calendar_feeds (id, token_hash, user_id, network_id, created_at) VALUES ($1, $2, $3, $4, $5)";
    FEED_BY_HASH = "SELECT f.id, f.user_id, f.network_id, n.slug, n.name, f.created_at FROM calendar_feeds f LEFT JOIN networks n ON n.id = f.network_id WHERE f.token_hash = $1 AND f.revoked_at IS NULL";
    FEEDS_OF = "SELECT f.id, f.user_id, f.network_id, n.slug, n.name, f.created_at FROM calendar_feeds f LEFT JOIN networks n ON n.id = f.network_id WHERE f.user_id = $1 AND f.revoked_at IS NULL ORDER BY f.created_at";
    REVOKE_FEED = "UPDATE calendar_feeds SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL";
    USER_TIME_ZONE = "SELECT time_zone FROM users WHERE id = $1";
    // "Download my data": a person's part in events, all of it, oldest first. An occurrence
    // renamed on its own shows its own title.
    RSVPS_OF = "SELECT COALESCE(x.title, e.title), n.name, r.occurrence_at, r.response, r.responded_at FROM event_rsvps r JOIN events e ON e.id = r.event_id JOIN networks n ON n.id = r.network_id LEFT JOIN event_exceptions x ON x.event_id = r.event_id AND x.occurrence_at = r.occurrence_at WHERE r.user_id = $1 ORDER BY r.occurrence_at, r.event_id";
    ATTENDANCE_OF = "SELECT COALESCE(x.title, e.title), n.name, a.occurrence_at, a.method, a.checked_in_at FROM event_attendance a JOIN events e ON e.id = a.event_id JOIN networks n ON n.id = a.network_id LEFT JOIN event_exceptions x ON x.event_id = a.event_id AND x.occurrence_at = a.occurrence_at WHERE a.user_id = $1 ORDER BY a.occurrence_at, a.event_id";
    FEEDBACK_OF = "SELECT COALESCE(x.title, e.title), n.name, f.occurrence_at, f.rating, f.comment, f.created_at FROM event_feedback f JOIN events e ON e.id = f.event_id JOIN networks n ON n.id = f.network_id LEFT JOIN event_exceptions x ON x.event_id = f.event_id AND x.occurrence_at = f.occurrence_at WHERE f.user_id = $1 ORDER BY f.occurrence_at, f.event_id";
    /// occurrence_at 0: every occurrence of the series.
    HOSTING_OF = "SELECT e.title, n.name, h.occurrence_at FROM event_hosts h JOIN events e ON e.id = h.event_id JOIN networks n ON n.id = h.network_id WHERE h.user_id = $1 ORDER BY e.starts_at, h.event_id, h.occurrence_at";
    CREATED_BY = "SELECT e.title, n.name, e.starts_at, e.created_at FROM events e JOIN networks n ON n.id = e.network_id WHERE e.created_by = $1 ORDER BY e.created_at, e.id";
    /// Revoked feeds too, with when; never the token (only its hash is stored anyway).
    ALL_FEEDS_OF = "SELECT n.name, f.created_at, f.revoked_at FROM calendar_feeds f LEFT JOIN networks n ON n.id = f.network_id WHERE f.user_id = $1 ORDER BY f.created_at, f.id";
}

/// An event (or series) as stored: what was written (`fields`, also readable straight through
/// `Deref`), what the store keeps beside it, and its network's slug and name.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub network_id: NetworkId,
    pub fields: EventFields,
    pub cancelled: bool,
    pub sequence: i64,
    pub checkin_code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub network_slug: String,
    pub network_name: String,
}

impl std::ops::Deref for Event {
    type Target = EventFields;
    fn deref(&self) -> &EventFields {
        &self.fields
    }
}

fn bad(what: &str, v: &str) -> crate::Error {
    crate::Error::Decode(format!("unknown {what} {v:?}"))
}

fn map_event(r: &Row) -> Result<Event> {
    let kind = r.text(2)?;
    let mode = r.text(12)?;
    let audience = r.text(17)?;
    Ok(Event {
        id: r.uuid(0)?,
        network_id: NetworkId(r.uuid(1)?),
        fields: EventFields {
            kind: EventKind::parse(&kind).ok_or_else(|| bad("event kind", &kind))?,
            title: r.text(3)?,
            theme: r.text(4)?,
            description: r.text(5)?,
            time_zone: r.text(6)?,
            local_start: r.text(7)?,
            duration_minutes: r.int(8)?,
            starts_at: r.time(9)?,
            last_ends_at: r.opt_time(10)?,
            rrule: r.text(11)?,
            location_mode: LocationMode::parse(&mode).ok_or_else(|| bad("location mode", &mode))?,
            place: r.text(13)?,
            online_url: r.text(14)?,
            capacity: r.opt_int(15)?,
            rsvp_close_minutes: r.opt_int(16)?,
            audience: Audience::parse(&audience).ok_or_else(|| bad("audience", &audience))?,
            reminder_minutes: r.int(20)?,
        },
        cancelled: r.text(18)? == "cancelled",
        sequence: r.int(19)?,
        checkin_code: r.text(21)?,
        created_at: r.time(22)?,
        updated_at: r.time(23)?,
        network_slug: r.text(24)?,
        network_name: r.text(25)?,
    })
}

/// The fields of an event to write.
#[derive(Debug, Clone)]
pub struct EventFields {
    pub kind: EventKind,
    pub title: String,
    pub theme: String,
    pub description: String,
    pub time_zone: String,
    pub local_start: String,
    pub duration_minutes: i64,
    pub starts_at: DateTime<Utc>,
    pub last_ends_at: Option<DateTime<Utc>>,
    pub rrule: String,
    pub location_mode: LocationMode,
    pub place: String,
    pub online_url: String,
    pub capacity: Option<i64>,
    pub rsvp_close_minutes: Option<i64>,
    pub audience: Audience,
    pub reminder_minutes: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    network: NetworkId,
    f: &EventFields,
    sequence: i64,
    checkin_code: &str,
    created_by: UserId,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx.write(
        INSERT,
        params![
            id,
            network,
            f.kind.as_str(),
            &f.title,
            &f.theme,
            &f.description,
            &f.time_zone,
            &f.local_start,
            f.duration_minutes,
            f.starts_at,
            f.last_ends_at,
            &f.rrule,
            f.location_mode.as_str(),
            &f.place,
            &f.online_url,
            f.capacity,
            f.rsvp_close_minutes,
            f.audience.as_str(),
            sequence,
            f.reminder_minutes,
            checkin_code,
            created_by,
            now
        ],
    )
    .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: Uuid, f: &EventFields, now: DateTime<Utc>) -> Result<bool> {
    let n = tx
        .write(
            UPDATE,
            params![
                id,
                f.kind.as_str(),
                &f.title,
                &f.theme,
                &f.description,
                &f.time_zone,
                &f.local_start,
                f.duration_minutes,
                f.starts_at,
                f.last_ends_at,
                &f.rrule,
                f.location_mode.as_str(),
                &f.place,
                &f.online_url,
                f.capacity,
                f.rsvp_close_minutes,
                f.audience.as_str(),
                f.reminder_minutes,
                now
            ],
        )
        .await?;
    Ok(n > 0)
}

pub async fn set_rule_end(
    tx: &mut Tx,
    id: Uuid,
    rrule: &str,
    last_ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write(SET_RULE_END, params![id, rrule, last_ends_at, now]).await.map(|_| ())
}

/// Makes every whole-organisation event of `network` (past and future) members-only; how many.
/// The network's events open to the whole organisation that have a date from `from` on.
pub async fn open_to_all_from(tx: &mut Tx, network: NetworkId, from: DateTime<Utc>) -> Result<Vec<Uuid>> {
    tx.read(OPEN_TO_ALL_FROM, params![network, from]).await?.iter().map(|r| r.uuid(0)).collect()
}

pub async fn narrow_to_members(tx: &mut Tx, network: NetworkId, now: DateTime<Utc>) -> Result<u64> {
    tx.write(NARROW_TO_MEMBERS, params![network, now]).await
}

pub async fn set_cancelled(tx: &mut Tx, id: Uuid, cancelled: bool, now: DateTime<Utc>) -> Result<()> {
    tx.write(SET_STATUS, params![id, if cancelled { "cancelled" } else { "scheduled" }, now]).await.map(|_| ())
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<Event>> {
    db.read_opt(BY_ID, params![id]).await?.as_ref().map(map_event).transpose()
}

pub async fn by_id_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Event>> {
    tx.read_opt(BY_ID, params![id]).await?.as_ref().map(map_event).transpose()
}

pub async fn in_network(db: &Db, network: NetworkId, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Event>> {
    db.read(IN_NETWORK, params![network, from, to]).await?.iter().map(map_event).collect()
}

pub async fn for_person(db: &Db, user: UserId, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Event>> {
    db.read(FOR_PERSON, params![user, from, to]).await?.iter().map(map_event).collect()
}

pub async fn all_between(db: &Db, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Event>> {
    db.read(ALL_BETWEEN, params![from, to]).await?.iter().map(map_event).collect()
}

/// Takes the event's row lock (PostgreSQL) for the rest of the transaction; false if it is gone.
pub async fn lock_event(tx: &mut Tx, dialect: Dialect, id: Uuid) -> Result<bool> {
    let sql = match dialect {
        Dialect::Postgres => LOCK_EVENT_PG,
        Dialect::Sqlite => LOCK_EVENT_SQLITE,
    };
    Ok(!tx.read(sql, params![id]).await?.is_empty())
}

/// One occurrence cancelled or moved.
#[derive(Debug, Clone)]
pub struct Exception {
    pub occurrence_at: DateTime<Utc>,
    pub cancelled: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub title: Option<String>,
}

pub async fn exceptions(db: &Db, event: Uuid) -> Result<Vec<Exception>> {
    db.read(EXCEPTIONS, params![event]).await?.iter().map(exception).collect()
}

/// The same, as the transaction sees them (after its own changes).
pub async fn exceptions_tx(tx: &mut Tx, event: Uuid) -> Result<Vec<Exception>> {
    tx.read(EXCEPTIONS, params![event]).await?.iter().map(exception).collect()
}

fn exception(r: &Row) -> Result<Exception> {
    Ok(Exception {
        occurrence_at: r.time(0)?,
        cancelled: r.bool(1)?,
        starts_at: r.opt_time(2)?,
        ends_at: r.opt_time(3)?,
        title: r.opt_text(4)?,
    })
}

pub async fn upsert_exception(
    tx: &mut Tx,
    event: Uuid,
    network: NetworkId,
    e: &Exception,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write(
        UPSERT_EXCEPTION,
        params![event, network, e.occurrence_at, e.cancelled, e.starts_at, e.ends_at, e.title.clone(), now],
    )
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, Default)]
pub struct Notes {
    pub agenda: String,
    pub minutes: String,
    pub summary: String,
    pub recording_url: String,
}

pub async fn notes(db: &Db, event: Uuid, at: DateTime<Utc>) -> Result<Notes> {
    Ok(db
        .read_opt(NOTES, params![event, at])
        .await?
        .map(|r| {
            Ok::<_, crate::Error>(Notes {
                agenda: r.text(0)?,
                minutes: r.text(1)?,
                summary: r.text(2)?,
                recording_url: r.text(3)?,
            })
        })
        .transpose()?
        .unwrap_or_default())
}

pub async fn upsert_notes(
    tx: &mut Tx,
    event: Uuid,
    network: NetworkId,
    at: DateTime<Utc>,
    n: &Notes,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write(UPSERT_NOTES, params![event, network, at, &n.agenda, &n.minutes, &n.summary, &n.recording_url, now])
        .await
        .map(|_| ())
}

fn parse_rsvp(s: &str) -> Result<Rsvp> {
    Rsvp::parse(s).ok_or_else(|| bad("rsvp", s))
}

/// The person's answer and when it joined the queue.
pub async fn rsvp_of(
    tx: &mut Tx,
    event: Uuid,
    at: DateTime<Utc>,
    user: UserId,
) -> Result<Option<(Rsvp, DateTime<Utc>)>> {
    tx.read_opt(RSVP_OF, params![event, at, user])
        .await?
        .map(|r| Ok((parse_rsvp(&r.text(0)?)?, r.time(1)?)))
        .transpose()
}

pub async fn count_yes(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<i64> {
    tx.read(COUNT_YES, params![event, at]).await?.first().map_or(Ok(0), |r| r.int(0))
}

#[allow(clippy::too_many_arguments)]
pub async fn upsert_rsvp(
    tx: &mut Tx,
    event: Uuid,
    network: NetworkId,
    at: DateTime<Utc>,
    user: UserId,
    response: Rsvp,
    responded_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write(UPSERT_RSVP, params![event, network, at, user, response.as_str(), responded_at, now]).await.map(|_| ())
}

/// Occurrences from `from` on that have someone waiting.
pub async fn waitlisted_occurrences(tx: &mut Tx, event: Uuid, from: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
    tx.read(WAITLISTED_OCCURRENCES, params![event, from]).await?.iter().map(|r| r.time(0)).collect()
}

/// The first `n` people on the waiting list who may still attend (others keep their place in
/// the table but are never promoted).
pub async fn waitlist(tx: &mut Tx, event: Uuid, at: DateTime<Utc>, n: i64) -> Result<Vec<UserId>> {
    tx.read(WAITLIST, params![event, at, n]).await?.iter().map(|r| Ok(UserId(r.uuid(0)?))).collect()
}

/// Where `user` is on a waiting list in `network` from `from` on: (event, date).
pub async fn waiting_in(
    db: &Db,
    network: NetworkId,
    user: UserId,
    from: DateTime<Utc>,
) -> Result<Vec<(Uuid, DateTime<Utc>)>> {
    db.read(WAITING_IN, params![network, user, from]).await?.iter().map(|r| Ok((r.uuid(0)?, r.time(1)?))).collect()
}

/// The events of `network` with a date from `from` on that `user` answered yes or maybe to, or
/// waits for a place at.
pub async fn answered_in(db: &Db, network: NetworkId, user: UserId, from: DateTime<Utc>) -> Result<Vec<Uuid>> {
    db.read(ANSWERED_IN, params![network, user, from]).await?.iter().map(|r| r.uuid(0)).collect()
}

/// The events of any network with a date from `from` on that `user` answered yes or maybe to,
/// or waits for a place at.
pub async fn answered_anywhere(db: &Db, user: UserId, from: DateTime<Utc>) -> Result<Vec<Uuid>> {
    db.read(ANSWERED_ANYWHERE, params![user, from]).await?.iter().map(|r| r.uuid(0)).collect()
}

/// `user`'s answers (event, date key, answer) to the dates whose key lies in [`from`, `to`).
pub async fn answers_between(
    db: &Db,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Uuid, DateTime<Utc>, Rsvp)>> {
    db.read(ANSWERS_BETWEEN, params![user, from, to])
        .await?
        .iter()
        .map(|r| Ok((r.uuid(0)?, r.time(1)?, parse_rsvp(&r.text(2)?)?)))
        .collect()
}

/// The dates from `from` on `user` answered yes or maybe to, or waits for a place at, with the
/// answer.
pub async fn dates_answered_by(
    tx: &mut Tx,
    event: Uuid,
    user: UserId,
    from: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Rsvp)>> {
    tx.read(DATES_ANSWERED_BY, params![event, user, from])
        .await?
        .iter()
        .map(|r| Ok((r.time(0)?, parse_rsvp(&r.text(1)?)?)))
        .collect()
}

/// Forgets `user`'s answers to the dates from `from` on (past dates keep theirs: they are the
/// attendance figures).
pub async fn withdraw_answers_from(tx: &mut Tx, event: Uuid, user: UserId, from: DateTime<Utc>) -> Result<u64> {
    tx.write(WITHDRAW_ANSWERS_FROM, params![event, user, from]).await
}

pub async fn promote(tx: &mut Tx, event: Uuid, at: DateTime<Utc>, user: UserId, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.write(PROMOTE, params![event, at, user, now]).await? > 0)
}

/// A person's answer to one occurrence, for organisers.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub response: Rsvp,
    pub responded_at: DateTime<Utc>,
}

pub async fn attendees(db: &Db, event: Uuid, at: DateTime<Utc>) -> Result<Vec<Attendee>> {
    db.read(ATTENDEES, params![event, at])
        .await?
        .iter()
        .map(|r| {
            Ok(Attendee {
                user_id: UserId(r.uuid(0)?),
                name: r.text(1)?,
                email: r.text(2)?,
                response: parse_rsvp(&r.text(3)?)?,
                responded_at: r.time(4)?,
            })
        })
        .collect()
}

/// Every date of `event` something is recorded for, oldest first.
pub async fn occurrences_used(tx: &mut Tx, event: Uuid) -> Result<Vec<DateTime<Utc>>> {
    tx.read(OCCURRENCES_USED, params![event]).await?.iter().map(|r| r.time(0)).collect()
}

/// Moves what is recorded for each date of `event` (answers, notes, attendance, feedback,
/// changes, hosts) to its new date, `(from, to)` pairs; no new date may be one of `from`s unless
/// it is also moved away (the pairs of one re-timed series are).
pub async fn move_occurrences(tx: &mut Tx, event: Uuid, moves: &[(DateTime<Utc>, DateTime<Utc>)]) -> Result<()> {
    const TABLES: [(&str, &str); 6] = [
        (MOVE_RSVPS, SETTLE_RSVPS),
        (MOVE_NOTES, SETTLE_NOTES),
        (MOVE_ATTENDANCE, SETTLE_ATTENDANCE),
        (MOVE_FEEDBACK, SETTLE_FEEDBACK),
        (MOVE_EXCEPTIONS, SETTLE_EXCEPTIONS),
        (MOVE_HOSTS, SETTLE_HOSTS),
    ];
    if moves.is_empty() {
        return Ok(());
    }
    for (shift, settle) in TABLES {
        for (from, to) in moves {
            tx.write(shift, params![event, *from, *to]).await?;
        }
        tx.write(settle, params![event]).await?;
    }
    Ok(())
}

/// Someone to email about an event, with the time zone their profile gives (for the times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub time_zone: String,
}

fn recipients(rows: Vec<Row>) -> Result<Vec<Recipient>> {
    rows.iter()
        .map(|r| Ok(Recipient { id: UserId(r.uuid(0)?), email: r.text(1)?, name: r.text(2)?, time_zone: r.text(3)? }))
        .collect()
}

/// One person to email, by id.
pub async fn recipient(db: &Db, user: UserId) -> Result<Option<Recipient>> {
    Ok(recipients(db.read(RECIPIENT, params![user]).await?)?.pop())
}

/// One person to email, read in `tx` with their row held until it ends, so an erasure cannot
/// slip between this read and a mail the transaction queues to them (it would not rewrite a
/// mail queued after it). `None` once erased. (SQLite's single writer serialises them already.)
pub async fn recipient_locked(tx: &mut Tx, user: UserId) -> Result<Option<Recipient>> {
    let sql = match tx.dialect() {
        crate::Dialect::Postgres => RECIPIENT_LOCKED_PG,
        crate::Dialect::Sqlite => RECIPIENT,
    };
    Ok(recipients(tx.read(sql, params![user]).await?)?.pop().filter(|r| !crate::users::is_erased_address(&r.email)))
}

/// Everyone to email in a network (active members with active accounts), in one read.
pub async fn network_recipients(tx: &mut Tx, network: NetworkId) -> Result<Vec<Recipient>> {
    recipients(tx.read(NETWORK_RECIPIENTS, params![network]).await?)
}

/// People with an answer to a date from `from` on who may attend the event, whether or not they
/// may read it yet (a charter to accept): those an audience change leaves out are the others.
pub async fn answered_may_attend_from(tx: &mut Tx, event: Uuid, from: DateTime<Utc>) -> Result<Vec<Recipient>> {
    recipients(tx.read(ANSWERED_MAY_ATTEND_FROM, params![event, from]).await?)
}

pub async fn may_attend(tx: &mut Tx, event: Uuid, user: UserId) -> Result<bool> {
    Ok(!tx.read(MAY_ATTEND, params![event, user]).await?.is_empty())
}

/// Each answer to a date from `from` on of people who may still read the event: (person, date).
pub async fn answers_from(tx: &mut Tx, event: Uuid, from: DateTime<Utc>) -> Result<Vec<(Recipient, DateTime<Utc>)>> {
    let rows = tx.read(ANSWERS_FROM, params![event, from]).await?;
    let dates = rows.iter().map(|r| r.time(4)).collect::<Result<Vec<_>>>()?;
    Ok(recipients(rows)?.into_iter().zip(dates).collect())
}

/// Who has given feedback on the date already (not to be asked for it).
pub async fn feedback_given_by(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<Vec<UserId>> {
    tx.read(FEEDBACK_GIVEN_BY, params![event, at]).await?.iter().map(|r| Ok(UserId(r.uuid(0)?))).collect()
}

/// Whether `user` took part in the date (checked in, or down as going): who may rate it.
pub async fn took_part(db: &Db, event: Uuid, at: DateTime<Utc>, user: UserId) -> Result<bool> {
    Ok(!db.read(TOOK_PART, params![event, at, user]).await?.is_empty())
}

/// Moves one person's answer to date `at` of `event` to date `to_at` of event `to` (same network).
pub async fn move_answer(
    tx: &mut Tx,
    (event, at): (Uuid, DateTime<Utc>),
    user: UserId,
    (to, to_at): (Uuid, DateTime<Utc>),
) -> Result<u64> {
    tx.write(MOVE_ANSWER, params![event, at, user, to, to_at]).await
}

/// Forgets one person's answer to one date.
pub async fn withdraw_answer(tx: &mut Tx, event: Uuid, at: DateTime<Utc>, user: UserId) -> Result<u64> {
    tx.write(WITHDRAW_ANSWER, params![event, at, user]).await
}

pub async fn answered_at(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<Vec<Recipient>> {
    recipients(tx.read(ANSWERED_AT, params![event, at]).await?)
}

pub async fn going_at(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<Vec<Recipient>> {
    recipients(tx.read(GOING_AT, params![event, at]).await?)
}

/// How many people were checked in at an occurrence, including those who have since left.
pub async fn attendance_count(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<i64> {
    tx.read(ATTENDANCE_COUNT, params![event, at]).await?.first().map_or(Ok(0), |r| r.int(0))
}

pub async fn attended_recipients(tx: &mut Tx, event: Uuid, at: DateTime<Utc>) -> Result<Vec<Recipient>> {
    recipients(tx.read(ATTENDED_AT_ALL, params![event, at]).await?)
}

/// Records attendance once; false if the person was already checked in.
pub async fn check_in(
    tx: &mut Tx,
    event: Uuid,
    network: NetworkId,
    at: DateTime<Utc>,
    user: UserId,
    method: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.write(CHECK_IN, params![event, network, at, user, method, now]).await? > 0)
}

/// Takes back an attendance recorded by mistake; false if there was none.
pub async fn uncheck(tx: &mut Tx, event: Uuid, at: DateTime<Utc>, user: UserId) -> Result<bool> {
    Ok(tx.write(UNCHECK, params![event, at, user]).await? > 0)
}

#[derive(Debug, Clone)]
pub struct Attended {
    pub user_id: UserId,
    pub name: String,
    pub method: String,
    pub at: DateTime<Utc>,
}

pub async fn attended(db: &Db, event: Uuid, at: DateTime<Utc>) -> Result<Vec<Attended>> {
    db.read(ATTENDED_AT, params![event, at])
        .await?
        .iter()
        .map(|r| Ok(Attended { user_id: UserId(r.uuid(0)?), name: r.text(1)?, method: r.text(2)?, at: r.time(3)? }))
        .collect()
}

/// How many former members (accounts closed) attended the date (see `ATTENDED_FORMER`).
pub async fn attended_by_former(db: &Db, event: Uuid, at: DateTime<Utc>) -> Result<i64> {
    db.read(ATTENDED_FORMER, params![event, at]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// One line of a person's attendance history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub event_id: Uuid,
    pub title: String,
    pub network_slug: String,
    pub network_name: String,
    pub occurrence_at: DateTime<Utc>,
    pub method: String,
    pub checked_in_at: DateTime<Utc>,
}

pub async fn history_of(db: &Db, user: UserId) -> Result<Vec<HistoryEntry>> {
    db.read(HISTORY_OF, params![user])
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryEntry {
                event_id: r.uuid(0)?,
                title: r.text(1)?,
                network_slug: r.text(2)?,
                network_name: r.text(3)?,
                occurrence_at: r.time(4)?,
                method: r.text(5)?,
                checked_in_at: r.time(6)?,
            })
        })
        .collect()
}

/// Hosts of an event: (occurrence or 0 for all, person, name).
pub async fn hosts(db: &Db, event: Uuid) -> Result<Vec<(i64, UserId, String)>> {
    db.read(HOSTS, params![event]).await?.iter().map(|r| Ok((r.int(0)?, UserId(r.uuid(1)?), r.text(2)?))).collect()
}

pub async fn add_host(tx: &mut Tx, event: Uuid, network: NetworkId, occurrence: i64, user: UserId) -> Result<()> {
    tx.write(ADD_HOST, params![event, network, occurrence, user]).await.map(|_| ())
}

pub async fn clear_hosts(tx: &mut Tx, event: Uuid, occurrence: i64) -> Result<()> {
    tx.write(CLEAR_HOSTS, params![event, occurrence]).await.map(|_| ())
}

/// Per active member: (id, name, times hosted, last occurrence hosted in µs).
pub async fn host_stats(db: &Db, network: NetworkId) -> Result<Vec<(UserId, String, i64, Option<i64>)>> {
    db.read(HOST_STATS, params![network])
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?, r.int(2)?, r.opt_int(3)?)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn upsert_feedback(
    tx: &mut Tx,
    event: Uuid,
    network: NetworkId,
    at: DateTime<Utc>,
    user: UserId,
    rating: i64,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write(UPSERT_FEEDBACK, params![event, network, at, user, rating, comment, now]).await.map(|_| ())
}

/// Feedback for one occurrence, without names: (rating, comment).
pub async fn feedback(db: &Db, event: Uuid, at: DateTime<Utc>) -> Result<Vec<(i64, String)>> {
    db.read(FEEDBACK, params![event, at]).await?.iter().map(|r| Ok((r.int(0)?, r.text(1)?))).collect()
}

#[derive(Debug, Clone)]
pub struct Feed {
    pub id: Uuid,
    pub user_id: UserId,
    pub network_id: Option<NetworkId>,
    pub network_slug: Option<String>,
    pub network_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn map_feed(r: &Row) -> Result<Feed> {
    Ok(Feed {
        id: r.uuid(0)?,
        user_id: UserId(r.uuid(1)?),
        network_id: r.opt_uuid(2)?.map(NetworkId),
        network_slug: r.opt_text(3)?,
        network_name: r.opt_text(4)?,
        created_at: r.time(5)?,
    })
}

pub async fn insert_feed(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    network: Option<NetworkId>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx.write(INSERT_FEED, params![id, token_hash, user, network, now]).await?;
    Ok(id)
}

pub async fn feed_by_hash(db: &Db, token_hash: &str) -> Result<Option<Feed>> {
    db.read_opt(FEED_BY_HASH, params![token_hash]).await?.as_ref().map(map_feed).transpose()
}

pub async fn feeds_of(db: &Db, user: UserId) -> Result<Vec<Feed>> {
    db.read(FEEDS_OF, params![user]).await?.iter().map(map_feed).collect()
}

pub async fn revoke_feed(tx: &mut Tx, id: Uuid, user: UserId, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.write(REVOKE_FEED, params![id, user, now]).await? > 0)
}

/// The person's time zone (IANA name), `UTC` when unknown.
pub async fn user_time_zone(db: &Db, user: UserId) -> Result<String> {
    Ok(db
        .read_opt(USER_TIME_ZONE, params![user])
        .await?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_else(|| "UTC".into()))
}

/// A person's part in one occurrence, for "download my data".
#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    pub network_name: String,
    pub occurrence_at: DateTime<Utc>,
    /// The answer (RSVP) or how attendance was recorded (check-in).
    pub what: String,
    pub at: DateTime<Utc>,
}

fn map_part(r: &Row) -> Result<Part> {
    Ok(Part {
        title: r.text(0)?,
        network_name: r.text(1)?,
        occurrence_at: r.time(2)?,
        what: r.text(3)?,
        at: r.time(4)?,
    })
}

/// Every RSVP `user` gave (`what` = the answer, `at` = when), oldest occurrence first.
pub async fn rsvps_of(db: &Db, user: UserId) -> Result<Vec<Part>> {
    db.read(RSVPS_OF, params![user]).await?.iter().map(map_part).collect()
}

/// Every occurrence `user` attended (`what` = code or organiser), unlike `history_of` not capped.
pub async fn attendance_of(db: &Db, user: UserId) -> Result<Vec<Part>> {
    db.read(ATTENDANCE_OF, params![user]).await?.iter().map(map_part).collect()
}

/// Feedback a person gave on one occurrence.
#[derive(Debug, Clone)]
pub struct Given {
    pub title: String,
    pub network_name: String,
    pub occurrence_at: DateTime<Utc>,
    pub rating: i64,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

pub async fn feedback_of(db: &Db, user: UserId) -> Result<Vec<Given>> {
    db.read(FEEDBACK_OF, params![user])
        .await?
        .iter()
        .map(|r| {
            Ok(Given {
                title: r.text(0)?,
                network_name: r.text(1)?,
                occurrence_at: r.time(2)?,
                rating: r.int(3)?,
                comment: r.text(4)?,
                created_at: r.time(5)?,
            })
        })
        .collect()
}

/// (event title, network name, occurrence or `None` for every occurrence) that `user` hosts.
pub async fn hosting_of(db: &Db, user: UserId) -> Result<Vec<(String, String, Option<DateTime<Utc>>)>> {
    db.read(HOSTING_OF, params![user])
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, if r.int(2)? == 0 { None } else { Some(r.time(2)?) })))
        .collect()
}

/// (title, network name, first start, created) of the events `user` created.
pub async fn created_by(db: &Db, user: UserId) -> Result<Vec<(String, String, DateTime<Utc>, DateTime<Utc>)>> {
    db.read(CREATED_BY, params![user])
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.time(2)?, r.time(3)?)))
        .collect()
}

/// A calendar feed as "download my data" shows it: for which network (`None`: the person's own
/// calendar), made and revoked when. The secret is not here.
#[derive(Debug, Clone)]
pub struct FeedRecord {
    pub network_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every feed `user` made, revoked ones too, oldest first.
pub async fn all_feeds_of(db: &Db, user: UserId) -> Result<Vec<FeedRecord>> {
    db.read(ALL_FEEDS_OF, params![user])
        .await?
        .iter()
        .map(|r| Ok(FeedRecord { network_name: r.opt_text(0)?, created_at: r.time(1)?, revoked_at: r.opt_time(2)? }))
        .collect()
}
