-- Member profiles with per-field visibility, the reporting line, and tags (skills, interests,
-- languages). Name, job title, department, location and time zone stay on `users` and are
-- visible across the organisation (the work directory basics); every other field has an
-- audience chosen by its owner: 'organisers', 'network' (people sharing a network) or
-- 'organisation'. Keep V2__profiles.sql in ../postgres in step.

CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    preferred_name TEXT NOT NULL DEFAULT '',
    pronouns TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    years_experience INTEGER,
    bio TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL DEFAULT '',
    manager_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- JSON object: field name -> audience. Missing fields use the default audience ('network').
    visibility TEXT NOT NULL DEFAULT '{}',
    -- Folded (lower-case, accent-free) text for search: what the whole organisation may see,
    -- and what people sharing a network may see.
    search_organisation TEXT NOT NULL DEFAULT '',
    search_network TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
CREATE INDEX profiles_manager ON profiles (manager_id);

-- Executives an assistant supports (the other half of the reporting picture).
CREATE TABLE profile_supports (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    executive_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, executive_id)
);

-- One row per tag, carrying the audience of its field so facet counts honour privacy in SQL.
CREATE TABLE profile_tags (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    tag TEXT NOT NULL,
    folded TEXT NOT NULL,
    audience TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, folded)
);
CREATE INDEX profile_tags_kind_folded ON profile_tags (kind, folded);

CREATE INDEX users_department ON users (department);
CREATE INDEX users_location ON users (location);
