-- A reply names the inbound message it answers; the unique key makes a re-run turn find its earlier reply instead
-- of writing a second one. Conversations get a title and metadata (API sessions set them).

ALTER TABLE messages ADD COLUMN answers_message_id VARCHAR(40);
ALTER TABLE messages ADD CONSTRAINT messages_answers_uq UNIQUE (answers_message_id);

ALTER TABLE conversations ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
