-- Which request to join of a person the organisers were last emailed about, and when. Requests
-- are announced together, a few minutes after they are made (networks::send_request_notices): a
-- launch day's hundred requests are a few emails, not a hundred. Each request is announced once
-- (`asked_at` is its membership's `created_at`); a person asking again — after a decline, say —
-- is announced again, but not within the hour (asking, withdrawing and asking again must not
-- become a stream of mail). No personal data: the row holds two times. Keep
-- V23__request_notices.sql in ../sqlite and ../postgres in step.
CREATE TABLE request_notices (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    asked_at BIGINT NOT NULL,
    announced_at BIGINT NOT NULL,
    PRIMARY KEY (network_id, user_id)
);
