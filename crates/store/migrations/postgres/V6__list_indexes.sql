-- Indexes that let the member list page through a large network in name order without sorting:
-- walk users by name, probe the membership, skip deactivated people from the index itself.
-- Measured on 10,000 members (docs/performance.md). Keep V6 in ../sqlite in step.
CREATE INDEX users_name_order ON users (name_folded, id, deactivated_at);
CREATE INDEX users_deactivated ON users (deactivated_at);
CREATE INDEX memberships_cover ON memberships (network_id, user_id, status);
