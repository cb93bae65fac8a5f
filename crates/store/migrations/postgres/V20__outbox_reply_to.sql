-- Where a reply to a message goes: the organiser who wrote it (an event message, a
-- cancellation, a nudge), so that answering reaches a person. NULL: replies go to the sender
-- address, which no one reads. Erasing the organiser clears it. Keep V20__outbox_reply_to.sql in
-- ../sqlite in step.
ALTER TABLE outbox ADD COLUMN reply_to TEXT;
