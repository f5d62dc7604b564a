package dev.clawless.server;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The inbox flows of {@link InboxServerTest} on PostgreSQL: row locks, insert-if-absent and the take-over race
 * behave the same on both databases.
 */
class InboxOnPostgresServerTest extends InboxServerTest {

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
