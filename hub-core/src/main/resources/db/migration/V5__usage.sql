-- Monthly usage per tenant and model: what quotas are checked against and /v1/usage reports.
-- Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE usage_monthly (
    tenant_id    VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    period       CHAR(7)      NOT NULL,
    provider     VARCHAR(40)  NOT NULL,
    model        VARCHAR(200) NOT NULL,
    messages     BIGINT       NOT NULL,
    tokens_in    BIGINT       NOT NULL,
    tokens_out   BIGINT       NOT NULL,
    cost_micros  BIGINT       NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT usage_monthly_pk PRIMARY KEY (tenant_id, period, provider, model)
);
