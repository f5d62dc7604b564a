-- Workspace commands: each shell command an assistant runs in its workspace is a job of its own, not bounded by the
-- turn that asked for it. The row holds the paused turn's state, the command's outcome and its output's tail;
-- while it runs, the node running it and that node's last heartbeat.
-- Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE workspace_commands (
    id               VARCHAR(40)  PRIMARY KEY,
    tenant_id        VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id  VARCHAR(40)  NOT NULL,
    message_id       VARCHAR(40)  NOT NULL,
    call_id          VARCHAR(200) NOT NULL,
    command          TEXT         NOT NULL,
    state            TEXT         NOT NULL,
    status           VARCHAR(12)  NOT NULL,
    exit_code        INTEGER,
    output           TEXT,
    reason           TEXT,
    node             VARCHAR(120),
    heartbeat_at     TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT workspace_commands_call_unique UNIQUE (tenant_id, message_id, call_id),
    CONSTRAINT workspace_commands_status_check CHECK (status IN ('queued', 'running', 'finished', 'killed',
                                                                 'interrupted', 'refused'))
);

CREATE INDEX workspace_commands_conversation_idx ON workspace_commands (tenant_id, conversation_id, created_at);
