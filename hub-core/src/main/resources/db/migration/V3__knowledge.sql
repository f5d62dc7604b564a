-- Knowledge documents, their chunks with in-process embeddings, and a per-tenant version that tells every node when
-- its cached index of a tenant is stale. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE knowledge_documents (
    id           VARCHAR(40)  PRIMARY KEY,
    tenant_id    VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    title        VARCHAR(300) NOT NULL,
    format       VARCHAR(10)  NOT NULL,
    content      TEXT         NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    chunk_count  INTEGER      NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT knowledge_documents_format_check CHECK (format IN ('markdown', 'text', 'faq'))
);

CREATE INDEX knowledge_documents_tenant_idx ON knowledge_documents (tenant_id, id);

CREATE TABLE knowledge_chunks (
    id           VARCHAR(40)  PRIMARY KEY,
    tenant_id    VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    document_id  VARCHAR(40)  NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    ordinal      INTEGER      NOT NULL,
    text         TEXT         NOT NULL,
    answer       TEXT,
    -- float32 little-endian, unit length
    embedding    BYTEA        NOT NULL
);

CREATE INDEX knowledge_chunks_tenant_idx ON knowledge_chunks (tenant_id, document_id, ordinal);

CREATE TABLE knowledge_versions (
    tenant_id  VARCHAR(40)  PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version    BIGINT       NOT NULL
);
