-- Sales mode: a tenant's lead form, the lead each sales conversation fills, and the links between a contact and its
-- records in a CRM. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE lead_forms (
    tenant_id   VARCHAR(40)  PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    form        TEXT         NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE leads (
    id               VARCHAR(40)  PRIMARY KEY,
    tenant_id        VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id  VARCHAR(40)  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    contact_id       VARCHAR(40)  NOT NULL,
    answers          TEXT         NOT NULL,
    intents          TEXT         NOT NULL,
    score            INTEGER      NOT NULL,
    asking           VARCHAR(60),
    offered_at       TIMESTAMP WITH TIME ZONE,
    qualified_at     TIMESTAMP WITH TIME ZONE,
    transferred_at   TIMESTAMP WITH TIME ZONE,
    transferred_to   VARCHAR(40),
    push_status      VARCHAR(12)  NOT NULL,
    push_attempts    INTEGER      NOT NULL,
    push_error       TEXT,
    pushed_at        TIMESTAMP WITH TIME ZONE,
    last_message_id  VARCHAR(40),
    last_answered    BOOLEAN      NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT leads_conversation_unique UNIQUE (tenant_id, conversation_id),
    CONSTRAINT leads_push_status_check CHECK (push_status IN ('none', 'queued', 'retrying', 'pushed', 'failed'))
);

CREATE INDEX leads_tenant_created_idx ON leads (tenant_id, created_at);
CREATE INDEX leads_transferred_to_idx ON leads (tenant_id, transferred_to);

CREATE TABLE crm_links (
    tenant_id    VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    contact_id   VARCHAR(40)  NOT NULL,
    crm          VARCHAR(40)  NOT NULL,
    object_type  VARCHAR(40)  NOT NULL,
    record_id    VARCHAR(100) NOT NULL,
    url          VARCHAR(2000),
    linked_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, crm, object_type, record_id)
);
