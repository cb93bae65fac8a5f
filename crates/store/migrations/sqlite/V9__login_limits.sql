-- Addresses each account has signed in from successfully. The account-wide limit on failed
-- sign-ins (distributed guessing) pauses only addresses that are not listed here, so a stranger
-- cannot lock the owner out of the places they normally sign in from. Forgotten after 90 days
-- without a successful sign-in, and when the account is deactivated or erased.
CREATE TABLE login_addresses (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    last_success_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, address)
);
CREATE INDEX login_addresses_last_success ON login_addresses (last_success_at);
