-- Outbound webhooks: subscriptions per tenant and a log of every delivery and attempt.
-- Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE webhooks (
    id          VARCHAR(40)   PRIMARY KEY,
    tenant_id   VARCHAR(40)   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url         VARCHAR(2000) NOT NULL,
    events      VARCHAR(1000) NOT NULL,
    secret      VARCHAR(100)  NOT NULL,
    active      BOOLEAN       NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX webhooks_tenant_idx ON webhooks (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id           VARCHAR(40)  PRIMARY KEY,
    tenant_id    VARCHAR(40)  NOT NULL,
    webhook_id   VARCHAR(40)  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id     VARCHAR(40)  NOT NULL,
    event_type   VARCHAR(60)  NOT NULL,
    payload      TEXT         NOT NULL,
    status       VARCHAR(10)  NOT NULL,
    attempts     INTEGER      NOT NULL,
    last_status  INTEGER,
    last_error   TEXT,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed'))
);

CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
