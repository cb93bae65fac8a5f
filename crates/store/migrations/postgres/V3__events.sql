-- Events and the shared calendar (issue 5). Ids are UUIDv7 text, times BIGINT microseconds
-- since the epoch (UTC), booleans BOOLEAN. Keep V3__events.sql in ../sqlite in step.

-- An event, or a recurring series of them. Recurrence expands from local_start in time_zone, so
-- occurrences keep their wall-clock time across daylight-saving changes.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    theme TEXT NOT NULL,
    description TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    local_start TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    -- End of the last occurrence; NULL when the series never ends.
    last_ends_at BIGINT,
    -- RRULE subset ('' for a one-off event).
    rrule TEXT NOT NULL,
    location_mode TEXT NOT NULL,
    place TEXT NOT NULL,
    online_url TEXT NOT NULL,
    -- NULL: no limit.
    capacity BIGINT,
    -- RSVPs close this many minutes before each occurrence; NULL: open until it starts.
    rsvp_close_minutes BIGINT,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    -- iCalendar SEQUENCE: raised at every change attendees are told about.
    sequence BIGINT NOT NULL DEFAULT 0,
    -- Minutes before each occurrence to email a reminder; 0: no reminder.
    reminder_minutes BIGINT NOT NULL,
    checkin_code TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX events_network_starts ON events (network_id, starts_at);
CREATE INDEX events_audience_starts ON events (audience, starts_at);

-- One occurrence of a series cancelled or moved, keyed by its original start.
CREATE TABLE event_exceptions (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    cancelled BOOLEAN NOT NULL,
    starts_at BIGINT,
    ends_at BIGINT,
    title TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at)
);

-- Agenda (published ahead), minutes, summary and recording link of one occurrence.
CREATE TABLE event_notes (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    agenda TEXT NOT NULL,
    minutes TEXT NOT NULL,
    summary TEXT NOT NULL,
    recording_url TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at)
);

-- Answers per occurrence. responded_at orders the waiting list.
CREATE TABLE event_rsvps (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    response TEXT NOT NULL,
    responded_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at, user_id)
);
CREATE INDEX event_rsvps_user ON event_rsvps (user_id);
CREATE INDEX event_rsvps_queue ON event_rsvps (event_id, occurrence_at, response, responded_at);

-- Who was there (marked by an organiser or by the self check-in code).
CREATE TABLE event_attendance (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at, user_id)
);
CREATE INDEX event_attendance_user ON event_attendance (user_id, checked_in_at);

-- Hosts: occurrence_at 0 means every occurrence; otherwise one confirmed occurrence.
CREATE TABLE event_hosts (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, occurrence_at, user_id)
);
CREATE INDEX event_hosts_network ON event_hosts (network_id, user_id);

CREATE TABLE event_feedback (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating BIGINT NOT NULL,
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at, user_id)
);

-- Secret iCalendar subscription URLs (stored hashed). network_id NULL: the person's own feed.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network_id TEXT REFERENCES networks (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

-- An iCalendar invitation or cancellation sent with an email.
ALTER TABLE outbox ADD COLUMN ics TEXT;
