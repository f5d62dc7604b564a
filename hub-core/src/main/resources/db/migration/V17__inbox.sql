-- The operator inbox: who has a conversation (a member and/or a team) and since when it waits for a person, labels,
-- private notes, canned responses, what each member has read, hand-off routing per connection, the tenant's inbox
-- settings (business hours, hand-off texts, CSAT) and CSAT ratings. Runs unchanged on H2 and PostgreSQL.

CREATE TABLE inbox_conversations (
    conversation_id    VARCHAR(40) PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    tenant_id          VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    assignee_user_id   VARCHAR(40) REFERENCES users (id) ON DELETE SET NULL,
    team_id            VARCHAR(40) REFERENCES teams (id) ON DELETE SET NULL,
    waiting_since      TIMESTAMP WITH TIME ZONE,
    csat_requested_at  TIMESTAMP WITH TIME ZONE,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX inbox_conversations_assignee_idx ON inbox_conversations (tenant_id, assignee_user_id);

CREATE TABLE labels (
    tenant_id   VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        VARCHAR(50) NOT NULL,
    color       VARCHAR(7)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT labels_pk PRIMARY KEY (tenant_id, name)
);

CREATE TABLE conversation_labels (
    conversation_id  VARCHAR(40) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tenant_id        VARCHAR(40) NOT NULL,
    label            VARCHAR(50) NOT NULL,
    CONSTRAINT conversation_labels_pk PRIMARY KEY (conversation_id, label),
    CONSTRAINT conversation_labels_label_fk FOREIGN KEY (tenant_id, label) REFERENCES labels (tenant_id, name)
        ON DELETE CASCADE
);

CREATE TABLE notes (
    id               VARCHAR(40)  PRIMARY KEY,
    tenant_id        VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id  VARCHAR(40)  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id        VARCHAR(80)  NOT NULL,
    author_name      VARCHAR(200) NOT NULL,
    text             TEXT         NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX notes_conversation_idx ON notes (conversation_id, created_at);

CREATE TABLE canned_responses (
    id          VARCHAR(40)  PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shortcut    VARCHAR(40)  NOT NULL,
    text        TEXT         NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT canned_responses_shortcut_uq UNIQUE (tenant_id, shortcut)
);

CREATE TABLE conversation_reads (
    user_id          VARCHAR(40) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id  VARCHAR(40) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    last_read_seq    BIGINT      NOT NULL,
    CONSTRAINT conversation_reads_pk PRIMARY KEY (user_id, conversation_id)
);

CREATE TABLE connection_routing (
    connection_id  VARCHAR(40) PRIMARY KEY REFERENCES channel_connections (id) ON DELETE CASCADE,
    tenant_id      VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    auto_assign    BOOLEAN     DEFAULT FALSE NOT NULL,
    team_id        VARCHAR(40) REFERENCES teams (id) ON DELETE SET NULL
);

-- round robin: when auto-assignment last gave each member a conversation
CREATE TABLE agent_rotation (
    tenant_id         VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id           VARCHAR(40) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_assigned_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT agent_rotation_pk PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE inbox_settings (
    tenant_id  VARCHAR(40) PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    settings   TEXT        NOT NULL
);

CREATE TABLE csat_responses (
    id               VARCHAR(40) PRIMARY KEY,
    tenant_id        VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id  VARCHAR(40) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    rating           INTEGER     NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT csat_rating_check CHECK (rating BETWEEN 1 AND 5)
);

CREATE INDEX csat_responses_tenant_idx ON csat_responses (tenant_id, created_at);

-- the inbox's stream reads every event of a tenant in order
CREATE INDEX conversation_events_tenant_idx ON conversation_events (tenant_id, id);
