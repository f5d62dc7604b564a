package dev.clawless.server.api;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link ReportsServerTest} on PostgreSQL: the report's grouping by UTC day and its subqueries on both engines. */
class ReportsOnPostgresServerTest extends ReportsServerTest {

    @BeforeAll
    static void start() {
        DatabaseConfig pg = TestDatabases.postgresql();
        start(Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username()));
    }

    @Test
    void theHubRunsOnPostgresql() {
        assertEquals(DatabaseConfig.Vendor.POSTGRESQL, hub.hub().database().vendor());
    }
}
