-- Mail looked up by its address: "download my data" lists the mail sent to a person, and erasure
-- deletes it, each for the time they held the address. Keep V12__outbox_address_index.sql in
-- ../sqlite and ../postgres in step.
CREATE INDEX outbox_to_addr ON outbox (to_addr, created_at);
