-- Which version of `fold` (roundtable_domain::FOLD_VERSION) the stored folded names
-- (users.name_folded) were written with: a start refolds them only when it differs, instead of
-- reading every name at every start. 0 until the first refold after this migration.
CREATE TABLE name_folding (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO name_folding (id, version) VALUES (1, 0);
