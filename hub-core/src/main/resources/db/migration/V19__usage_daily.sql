-- Usage per tenant, UTC day and model, written with usage_monthly in the same transaction: what the daily usage
-- report shows. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE usage_daily (
    tenant_id    VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    usage_day    DATE         NOT NULL,
    provider     VARCHAR(40)  NOT NULL,
    model        VARCHAR(200) NOT NULL,
    messages     BIGINT       NOT NULL,
    tokens_in    BIGINT       NOT NULL,
    tokens_out   BIGINT       NOT NULL,
    cost_micros  BIGINT       NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT usage_daily_pk PRIMARY KEY (tenant_id, usage_day, provider, model)
);
