-- People: accounts, their tenants and roles, browser sessions, single-use links (first admin, invitations, password
-- resets), teams. Runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE users (
    id              VARCHAR(40)  PRIMARY KEY,
    email           VARCHAR(254) NOT NULL,
    display_name    VARCHAR(200) NOT NULL,
    locale          VARCHAR(10)  NOT NULL,
    password_hash   VARCHAR(300),
    platform_admin  BOOLEAN      DEFAULT FALSE NOT NULL,
    totp_secret     TEXT,
    totp_enabled    BOOLEAN      DEFAULT FALSE NOT NULL,
    totp_last_step  BIGINT,
    failed_logins   INTEGER      DEFAULT 0 NOT NULL,
    locked_until    TIMESTAMP WITH TIME ZONE,
    presence        VARCHAR(10)  DEFAULT 'online' NOT NULL,
    last_seen_at    TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT users_email_uq UNIQUE (email),
    CONSTRAINT users_presence_check CHECK (presence IN ('online', 'away'))
);

CREATE TABLE memberships (
    tenant_id   VARCHAR(40) NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     VARCHAR(40) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        VARCHAR(10) NOT NULL,
    capacity    INTEGER     DEFAULT 10 NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT memberships_pk PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'admin', 'agent'))
);

CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE tenant_security (
    tenant_id     VARCHAR(40) PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    require_totp  BOOLEAN DEFAULT FALSE NOT NULL
);

-- The cookie holds "<id>.<secret>"; only SHA-256 of the secret is stored.
CREATE TABLE browser_sessions (
    id            VARCHAR(40)  PRIMARY KEY,
    user_id       VARCHAR(40)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash   CHAR(64)     NOT NULL,
    user_agent    VARCHAR(300),
    ip            VARCHAR(64),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at    TIMESTAMP WITH TIME ZONE
);

CREATE INDEX browser_sessions_user_idx ON browser_sessions (user_id, id);

-- Single-use links: 'setup' (the first platform admin), 'invite' (a tenant membership), 'reset' (a password).
-- Only SHA-256 of the link's token is stored.
CREATE TABLE account_links (
    id          VARCHAR(40)  PRIMARY KEY,
    kind        VARCHAR(10)  NOT NULL,
    token_hash  CHAR(64)     NOT NULL,
    email       VARCHAR(254),
    tenant_id   VARCHAR(40)  REFERENCES tenants (id) ON DELETE CASCADE,
    role        VARCHAR(10),
    user_id     VARCHAR(40)  REFERENCES users (id) ON DELETE CASCADE,
    created_by  VARCHAR(80)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at     TIMESTAMP WITH TIME ZONE,
    revoked_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT account_links_token_uq UNIQUE (token_hash),
    CONSTRAINT account_links_kind_check CHECK (kind IN ('setup', 'invite', 'reset'))
);

CREATE INDEX account_links_tenant_idx ON account_links (tenant_id, kind, id);

CREATE TABLE teams (
    id          VARCHAR(40)  PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        VARCHAR(100) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT teams_name_uq UNIQUE (tenant_id, name)
);

CREATE TABLE team_members (
    team_id  VARCHAR(40) NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  VARCHAR(40) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT team_members_pk PRIMARY KEY (team_id, user_id)
);
