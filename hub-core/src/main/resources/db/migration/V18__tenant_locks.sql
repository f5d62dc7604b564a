-- Rows a transaction locks to do one thing of a tenant at a time (choose the member a hand-off goes to, name a team).
-- Not the tenants row itself: on PostgreSQL a lock on it would conflict with the key-share locks every insert that
-- references the tenant takes, so a message being stored and a hand-off could deadlock.
CREATE TABLE tenant_locks (
    tenant_id  VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    purpose    VARCHAR(40) NOT NULL,
    CONSTRAINT tenant_locks_pk PRIMARY KEY (tenant_id, purpose)
);
