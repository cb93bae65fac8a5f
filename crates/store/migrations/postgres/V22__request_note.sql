-- What someone asking to join a by-request network tells its organisers ("I support the CFO and
-- start next month"). Held only while the request waits: a decision, a withdrawal or any other
-- change of status clears it (store::networks::SET_STATUS, UPSERT_MEMBERSHIP), and erasure
-- empties it. Keep V22__request_note.sql in ../sqlite and ../postgres in step.
ALTER TABLE memberships ADD COLUMN request_note TEXT;
