-- When the organisers were last emailed about a person's request to join a network. Requests are
-- announced together, a few minutes after they are made (networks::send_request_notices): a
-- launch day's hundred requests are a few emails, not a hundred. A request withdrawn and made
-- again the same day is not announced twice. No personal data: the row is a time. Keep
-- V23__request_notices.sql in ../sqlite and ../postgres in step.
CREATE TABLE request_notices (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    announced_at INTEGER NOT NULL,
    PRIMARY KEY (network_id, user_id)
);
