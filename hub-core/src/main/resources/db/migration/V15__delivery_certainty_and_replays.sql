-- A part of an outbound message whose platform call has started: written (and committed) before the call, removed
-- when the part is recorded or the platform refused it. A row found by a later attempt means the earlier one may have
-- reached the platform (a crash, a timeout): the channel is asked whether it did, or the message is marked uncertain.
CREATE TABLE part_sends (
    message_id  VARCHAR(40) NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    part        INTEGER     NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT part_sends_pk PRIMARY KEY (message_id, part)
);

-- True when a part of the message may have been sent twice (sent again after an attempt whose outcome is unknown).
ALTER TABLE messages ADD COLUMN delivery_uncertain BOOLEAN DEFAULT FALSE NOT NULL;

-- Values a platform sends once (Mailgun's signed token), shared by all nodes and kept across restarts; the body's
-- hash tells a platform's retry of the same request (allowed) from a replay carrying another body (refused).
CREATE TABLE webhook_replays (
    connection_id  VARCHAR(40)  NOT NULL,
    replay_key     VARCHAR(300) NOT NULL,
    body_sha256    VARCHAR(64)  NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT webhook_replays_pk PRIMARY KEY (connection_id, replay_key)
);
CREATE INDEX webhook_replays_expiry ON webhook_replays (expires_at);
