-- One counter that every committed change to the data behind the in-memory read model moves
-- (people, profiles, tags, networks, memberships, charters). Each instance compares it with the
-- version of its snapshot to know when to rebuild; see store::db::READ_MODEL_TABLES.
CREATE TABLE read_model_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO read_model_version (id, version) VALUES (1, 0);
