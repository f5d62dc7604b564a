-- Channel connections (secrets sealed with the vault), the platform ids of each sent message part (so a status
-- callback finds its message and a retried delivery skips parts already sent), and the pollers' cursors and leases.
-- Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE channel_connections (
    id             VARCHAR(40)  PRIMARY KEY,
    tenant_id      VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type           VARCHAR(40)  NOT NULL,
    name           VARCHAR(200) NOT NULL,
    config         TEXT         NOT NULL,
    secrets        TEXT         NOT NULL,
    secret_names   VARCHAR(1000) NOT NULL,
    enabled        BOOLEAN      NOT NULL DEFAULT TRUE,
    poll_cursor    VARCHAR(300),
    poll_owner     VARCHAR(80),
    poll_until     TIMESTAMP WITH TIME ZONE,
    poll_error     TEXT,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX channel_connections_tenant_idx ON channel_connections (tenant_id, id);

CREATE TABLE message_parts (
    message_id           VARCHAR(40)  NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    part                 INTEGER      NOT NULL,
    connection_id        VARCHAR(40)  NOT NULL,
    external_message_id  VARCHAR(300) NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT message_parts_pk PRIMARY KEY (message_id, part),
    CONSTRAINT message_parts_external_uq UNIQUE (connection_id, external_message_id)
);
