-- One organisation per installation. Before this, a setup link left over from an earlier start
-- could create a second organisation (and its administrator); keep the first one.
DELETE FROM organisation WHERE id <> (SELECT id FROM organisation ORDER BY created_at, id LIMIT 1);
CREATE UNIQUE INDEX organisation_only_one ON organisation ((1));
-- Setup links are for a database without an organisation; any still open are void.
DELETE FROM one_time_links WHERE purpose = 'setup' AND used_at IS NULL AND EXISTS (SELECT 1 FROM organisation);
