-- Network charters (versioned; members accept each version) and onboarding checklists.
-- Keep V4__onboarding_charter.sql in ../sqlite in step.

CREATE TABLE charters (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (network_id, version)
);

CREATE TABLE charter_acceptances (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, user_id, version)
);

CREATE TABLE onboarding_steps (
    id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- '' = ticked by the member; otherwise completed automatically by what happens in the
    -- product: 'charter' (accepted the current charter), 'profile' (filled in the profile).
    automatic TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX onboarding_steps_network ON onboarding_steps (network_id, position);

CREATE TABLE onboarding_progress (
    step_id TEXT NOT NULL REFERENCES onboarding_steps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    done_at BIGINT NOT NULL,
    PRIMARY KEY (step_id, user_id)
);
CREATE INDEX onboarding_progress_network ON onboarding_progress (network_id, user_id);

-- Days after joining before an unfinished checklist counts as "stuck".
ALTER TABLE networks ADD COLUMN onboarding_stuck_days BIGINT NOT NULL DEFAULT 14;
