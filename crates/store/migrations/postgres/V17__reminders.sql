-- When an organiser last nudged a newcomer about their onboarding checklist, and when members
-- were last reminded to accept a charter version: shown to organisers, and a second reminder
-- within a week is refused (one click must not become a stream of email). Reminders have a
-- table of their own: the charters table feeds the read model, which a reminder does not change.
ALTER TABLE memberships ADD COLUMN nudged_at BIGINT;
CREATE TABLE charter_reminders (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    reminded_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, version)
);
