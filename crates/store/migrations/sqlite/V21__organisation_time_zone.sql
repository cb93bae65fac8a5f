-- The organisation's time zone: new accounts start in it (sign-up, invitations, an import row
-- without a time zone), so that the days and times on their pages are their office's until they
-- choose their own. Keep V21__organisation_time_zone.sql in ../postgres in step.
ALTER TABLE organisation ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
