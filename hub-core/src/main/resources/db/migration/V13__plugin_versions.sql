-- Uploaded plugin versions: verified, content-addressed (the JAR lives under <data-dir>/plugins/<sha256>.jar),
-- reviewed by the platform admin before they are listed. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
CREATE TABLE plugin_versions (
    plugin_id      VARCHAR(64)  NOT NULL,
    version        VARCHAR(64)  NOT NULL,
    sha256         VARCHAR(64)  NOT NULL,
    size_bytes     BIGINT       NOT NULL,
    status         VARCHAR(20)  NOT NULL,
    requires       VARCHAR(100) NOT NULL,
    provider       VARCHAR(200),
    descriptor     TEXT         NOT NULL,
    extensions     TEXT         NOT NULL,
    signed_by      VARCHAR(100),
    uploaded_by    VARCHAR(40),
    review_reason  TEXT,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    reviewed_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT plugin_versions_pk PRIMARY KEY (plugin_id, version),
    CONSTRAINT plugin_versions_status_check CHECK (status IN ('pending_review', 'approved', 'rejected'))
);
