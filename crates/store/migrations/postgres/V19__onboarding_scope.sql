-- Who counts as a newcomer. A network's organisers can say that members who joined before an
-- instant are not (they imported their existing members: those are not new), and mark one person
-- as settled in. Keep V19__onboarding_scope.sql in ../sqlite in step.

-- Members who joined before this instant are not newcomers; NULL: everyone in the window is.
ALTER TABLE networks ADD COLUMN onboarding_newcomers_from BIGINT;

-- "Settled in", marked by an organiser: it ends the onboarding of the membership it was made
-- in (a mark older than the membership, from before they left and came back, does not count).
-- A table of its own: memberships feed the read model, which a mark does not change. Ticks stay.
CREATE TABLE onboarding_settled (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    settled_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, user_id)
);
