-- Folded names and tags are sorted by their bytes, as SQLite and the read model sort them: the
-- database's collation (en_US, say) ignores punctuation and would put "o'brien" after "obama"
-- on the admin's people page while the directory puts it before.
ALTER TABLE users ALTER COLUMN name_folded TYPE TEXT COLLATE "C";
ALTER TABLE profile_tags ALTER COLUMN folded TYPE TEXT COLLATE "C";
