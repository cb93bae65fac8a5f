-- Foundation: organisation, people, sessions, tokens, networks, memberships, audit, outbox, jobs.
-- Ids are UUIDv7 text made by the app; times are BIGINT microseconds since the epoch (UTC), so the
-- same SQL runs on SQLite and PostgreSQL. Keep V1__foundation.sql in ../sqlite in step.

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE allowed_domains (
    domain TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    password_hash TEXT,
    is_org_admin BOOLEAN NOT NULL DEFAULT FALSE,
    email_verified_at BIGINT,
    deactivated_at BIGINT,
    -- Basic work profile (the members issue adds the rest and per-field privacy).
    job_title TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    created_at BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_name_folded ON users (name_folded);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    remember BOOLEAN NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Single-use links: first-run setup, password reset, email verification, invitations.
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    network_id TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX one_time_links_email ON one_time_links (email);

CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    visibility TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT networks_slug_key UNIQUE (slug)
);

CREATE TABLE memberships (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_network_status ON memberships (network_id, status);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    network_id TEXT,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_network ON audit_log (network_id, at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    last_error TEXT,
    file_name TEXT
);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT,
    status TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT jobs_dedupe_key_key UNIQUE (dedupe_key)
);
CREATE INDEX jobs_ready ON jobs (status, run_at);

-- Failed sign-ins, counted per account and per address in a sliding window.
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
