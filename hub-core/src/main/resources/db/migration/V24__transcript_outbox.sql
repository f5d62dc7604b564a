-- Conversation events waiting to be copied to the MongoDB transcript store (clawless.transcripts.mongodb.uri): a row
-- is written in the same transaction as its event, and deleted once MongoDB has acknowledged the copy, so a MongoDB
-- outage delays the copy but loses nothing. Only written while the transcript store is configured.
CREATE TABLE transcript_outbox (
    event_id    BIGINT PRIMARY KEY,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
