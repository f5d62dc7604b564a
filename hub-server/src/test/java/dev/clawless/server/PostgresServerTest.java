package dev.clawless.server;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hub configured with a jdbc:postgresql: URL runs on PostgreSQL, end to end. */
class PostgresServerTest {

    @Test
    void tenantAndKeyFlowWorksOnPostgresql() {
        DatabaseConfig pg = TestDatabases.postgresql();
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username()))) {
            assertEquals(dev.clawless.core.store.DatabaseConfig.Vendor.POSTGRESQL, hub.hub().database().vendor());
            assertEquals("UP", json(hub.call("GET", "/health/ready", null, null)).get("status").asText());
            String tenant = hub.tenant("On Postgres");
            String key = hub.key(tenant, "[\"chat\"]");
            assertEquals(tenant, json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText());
            assertEquals(1, json(hub.admin("GET", "/admin/audit?tenant_id=" + tenant + "&action=api_key.created",
                    null)).get("data").size());
        }
    }
}
