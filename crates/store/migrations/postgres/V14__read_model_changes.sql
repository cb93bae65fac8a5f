-- Which people each read-model version changed: an instance whose snapshot is a few versions old
-- reloads just those people instead of everything (store::read_model::load_since). A NULL person
-- means anything may have changed. Old versions are pruned at commit; a log that no longer covers
-- a snapshot's gap means a full reload, never a wrong one.
CREATE TABLE read_model_changes (
    version BIGINT NOT NULL,
    user_id TEXT
);
CREATE INDEX read_model_changes_version ON read_model_changes (version);
