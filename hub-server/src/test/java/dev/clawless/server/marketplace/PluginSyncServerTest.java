package dev.clawless.server.marketplace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.server.TestHub;
import dev.clawless.server.TestRedis;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two hub nodes on one PostgreSQL database and one shared data folder: an installation made through one node is
 * loaded by the other at its next sync, and an uninstall unloads it there too.
 */
class PluginSyncServerTest {

    @Test
    void anInstallationMadeOnOneNodeReachesTheOther() throws Exception {
        DatabaseConfig pg = TestDatabases.postgresql();
        Path shared = Files.createTempDirectory("clawless-shared-");
        Map<String, String> env = Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username(),
                "CLAWLESS_DATA_DIR", shared.toString(), "CLAWLESS_MARKETPLACE_SYNC_INTERVAL", "200ms");
        try (TestHub one = TestHub.start(env); TestHub two = TestHub.start(env)) {
            String key = one.key(one.tenant("Two nodes"), "[\"plugins:admin\"]");
            PluginKit.publish(one, key, PluginKit.built("plugin-template"));
            JsonNode installed = json(one.call("POST", "/v1/plugins/installations", key,
                    "{\"plugin_id\":\"hello-template\",\"version\":\"1.0.0\"}"));
            String id = installed.get("id").asText();
            Supplier<List<String>> toolsOnTwo = () -> {
                List<String> names = new java.util.ArrayList<>();
                json(two.call("GET", "/v1/plugins/installations/" + id, key, null)).get("tools")
                        .forEach(t -> names.add(t.get("name").asText()));
                return names;
            };
            await(() -> toolsOnTwo.get().equals(List.of("hello")));
            assertEquals(List.of("hello-template@1.0.0"), two.hub().installations().runtime().loadedVersions());

            assertEquals(204, one.call("DELETE", "/v1/plugins/installations/" + id, key, null).statusCode());
            await(() -> two.hub().installations().runtime().loadedVersions().isEmpty());
        }
    }

    @Test
    void withRedisAnInstallationReachesTheOtherNodeAtOnceNotAtItsNextSync() throws Exception {
        DatabaseConfig pg = TestDatabases.postgresql();
        Path shared = Files.createTempDirectory("clawless-shared-");
        try (TestRedis redis = TestRedis.start()) {
            // a sync interval no test waits for: only the message from the other node can bring the plugin
            Map<String, String> env = Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username(),
                    "CLAWLESS_DATA_DIR", shared.toString(), "CLAWLESS_MARKETPLACE_SYNC_INTERVAL", "1h",
                    "CLAWLESS_REDIS_URL", redis.url());
            try (TestHub one = TestHub.start(env); TestHub two = TestHub.start(env)) {
                String key = one.key(one.tenant("Two nodes, Redis"), "[\"plugins:admin\"]");
                PluginKit.publish(one, key, PluginKit.built("plugin-template"));
                String id = json(one.call("POST", "/v1/plugins/installations", key,
                        "{\"plugin_id\":\"hello-template\",\"version\":\"1.0.0\"}")).get("id").asText();
                await(() -> two.hub().installations().runtime().loadedVersions()
                        .equals(List.of("hello-template@1.0.0")));
                assertEquals(204, one.call("DELETE", "/v1/plugins/installations/" + id, key, null).statusCode());
                await(() -> two.hub().installations().runtime().loadedVersions().isEmpty());
            }
        }
    }

    private static void await(Supplier<Boolean> condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("the other node did not converge within 15 s");
            }
            Thread.sleep(100);
        }
    }
}
