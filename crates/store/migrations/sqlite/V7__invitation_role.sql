-- The role an invitation offers, so a newcomer joins as the Chair they were invited to be.
ALTER TABLE one_time_links ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
