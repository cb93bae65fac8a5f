-- Names a person went by before changing it on their profile, and until when: erasure removes
-- each of them from what was written while they were used (minutes, mail, audit text), and
-- "download my data" lists them. Deleted with the person's erasure. Keep V13__former_names.sql
-- in ../sqlite and ../postgres in step.
CREATE TABLE former_names (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    until_at INTEGER NOT NULL
);
CREATE INDEX former_names_user ON former_names (user_id);
