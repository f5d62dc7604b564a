-- A tenant's installation of one approved plugin version: its validated config, the secrets it was granted (sealed
-- with AES-256-GCM under the master key) and whether it is enabled. One installation per plugin and tenant; the
-- failure is the reason the plugin could not be loaded or started (null when it runs).
CREATE TABLE plugin_installations (
    id          VARCHAR(40)  NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    plugin_id   VARCHAR(64)  NOT NULL,
    version     VARCHAR(64)  NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    config      TEXT         NOT NULL,
    secrets     TEXT         NOT NULL,
    secret_names TEXT        NOT NULL,
    failure     TEXT,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT plugin_installations_unique UNIQUE (tenant_id, plugin_id),
    CONSTRAINT plugin_installations_version_fk FOREIGN KEY (plugin_id, version)
        REFERENCES plugin_versions (plugin_id, version)
);
CREATE INDEX plugin_installations_version ON plugin_installations (plugin_id, version);
