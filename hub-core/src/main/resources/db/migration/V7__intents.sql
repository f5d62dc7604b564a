-- Named intents learned from examples (embedded like knowledge), the intent detected on each inbound message, and
-- per-mode system prompts live in tenants.settings. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE intents (
    id          VARCHAR(40)  PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        VARCHAR(60)  NOT NULL,
    mode        VARCHAR(40),
    examples    TEXT         NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT intents_name_uq UNIQUE (tenant_id, name)
);

CREATE TABLE intent_examples (
    intent_id   VARCHAR(40)  NOT NULL REFERENCES intents (id) ON DELETE CASCADE,
    tenant_id   VARCHAR(40)  NOT NULL,
    ordinal     INTEGER      NOT NULL,
    embedding   BYTEA        NOT NULL,
    CONSTRAINT intent_examples_pk PRIMARY KEY (intent_id, ordinal)
);

CREATE INDEX intent_examples_tenant_idx ON intent_examples (tenant_id);

ALTER TABLE messages ADD COLUMN intent VARCHAR(60);
ALTER TABLE messages ADD COLUMN intent_score DOUBLE PRECISION;
