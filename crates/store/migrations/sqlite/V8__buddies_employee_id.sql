-- Buddies for newcomers, and the HR system's employee id.
-- Keep V8__buddies_employee_id.sql in ../postgres in step.

-- A buddy looks after a newcomer in one network. A row is never deleted when the pairing ends
-- (ended_at is set), so organisers keep the history; at most one pairing per newcomer and
-- network is current.
CREATE TABLE buddies (
    id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    newcomer_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    buddy_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at INTEGER NOT NULL,
    ended_at INTEGER,
    ended_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT buddies_not_self CHECK (newcomer_id <> buddy_id)
);
CREATE UNIQUE INDEX buddies_current_key ON buddies (network_id, newcomer_id) WHERE ended_at IS NULL;
-- "Whom does this buddy look after now?" and current-buddy counts for suggestions.
CREATE INDEX buddies_current_buddy ON buddies (network_id, buddy_id) WHERE ended_at IS NULL;
CREATE INDEX buddies_buddy ON buddies (buddy_id);
CREATE INDEX buddies_newcomer ON buddies (newcomer_id);

-- The HR system's stable key for a person (optional). Unique when present: several NULLs are
-- allowed on both engines. Shown to organisation administrators only.
ALTER TABLE users ADD COLUMN employee_id TEXT;
CREATE UNIQUE INDEX users_employee_id_key ON users (employee_id);
