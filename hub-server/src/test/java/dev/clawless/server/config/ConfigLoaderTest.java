package dev.clawless.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @Test
    void defaultsLoadWithoutAnyEnvironment() {
        HubConfig c = ConfigLoader.load(Optional.empty(), Map.of("PATH", "/usr/bin", "HOME", "/root"));
        assertEquals(8080, c.port());
        assertEquals(Path.of("./data"), c.dataDir());
        assertTrue(c.embeddedDatabase());
        assertTrue(c.db().url().contains("MODE=PostgreSQL"), c.db().url());
        assertEquals(1024 * 1024, c.maxBodySize());
        assertEquals(Optional.empty(), c.adminToken());
        assertEquals("free", c.tenants().defaultPlan());
        assertEquals(-1, c.tenants().plans().get("enterprise").quotas().messagesPerMonth());
        assertEquals(Duration.ofHours(24), c.tenants().rotationGrace());
    }

    @Test
    void theThreeLauncherVariablesOverridePortDataFolderAndAdminToken(@TempDir Path dir) {
        HubConfig c = ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_PORT", "9191",
                "CLAWLESS_DATA_DIR", dir.toString(), "CLAWLESS_ADMIN_TOKEN", "x".repeat(30)));
        assertEquals(9191, c.port());
        assertEquals(dir, c.dataDir());
        assertTrue(c.db().url().contains(dir.toAbsolutePath().toString()));
        assertEquals(Optional.of("x".repeat(30)), c.adminToken());
        assertFalse(c.toString().contains("xxxxxxxx"), "the token is masked");
    }

    @Test
    void anyKeyCanBeOverriddenFromTheEnvironment() {
        HubConfig c = ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_DB_POOL_SIZE", "3",
                "CLAWLESS_HTTP_MAX_BODY_SIZE", "64KiB", "CLAWLESS_LOG_FORMAT", "text",
                "CLAWLESS_PLANS_FREE_REQUESTS_PER_MINUTE", "5", "CLAWLESS_DB_URL", "jdbc:postgresql://db:5432/hub",
                "CLAWLESS_API_KEYS_ROTATION_GRACE", "90m"));
        assertEquals(3, c.db().poolSize());
        assertEquals(64 * 1024, c.maxBodySize());
        assertFalse(c.logJson());
        assertEquals(5, c.tenants().plans().get("free").quotas().requestsPerMinute());
        assertFalse(c.embeddedDatabase());
        assertEquals(Duration.ofMinutes(90), c.tenants().rotationGrace());
    }

    @Test
    void invalidValuesStopStartUpNamingKeyAndVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(
                "CLAWLESS_PORT", "eighty", "CLAWLESS_HTTP_MAX_BODY_SIZE", "huge", "CLAWLESS_LOG_LEVEL", "LOUD",
                "CLAWLESS_DB_URL", "mysql://x", "CLAWLESS_ADMIN_TOKEN", "short")));
        String m = e.getMessage();
        assertTrue(m.contains("clawless.port (from CLAWLESS_PORT): expected an integer"), m);
        assertTrue(m.contains("clawless.http.max-body-size (from CLAWLESS_HTTP_MAX_BODY_SIZE)"), m);
        assertTrue(m.contains("clawless.log.level (from CLAWLESS_LOG_LEVEL)"), m);
        assertTrue(m.contains("clawless.db.url (from CLAWLESS_DB_URL)"), m);
        assertTrue(m.contains("clawless.admin.token (from CLAWLESS_ADMIN_TOKEN)"), m);
        assertFalse(m.contains("short"), "an invalid secret is not echoed");
        assertEquals(5, e.problems().size());
    }

    @Test
    void unknownVariablesAndKeysStopStartUp(@TempDir Path dir) throws IOException {
        ConfigException env = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of("CLAWLESS_PROT", "8080", "CLAWLESS_LOG_ACCESS", "maybe")));
        assertTrue(env.getMessage().contains("CLAWLESS_PROT: not a configuration variable"), env.getMessage());
        assertTrue(env.getMessage().contains("clawless.log.access (from CLAWLESS_LOG_ACCESS)"),
                "invalid values are reported together with unknown variables: " + env.getMessage());

        Path file = dir.resolve("prod.yaml");
        Files.writeString(file, "clawless:\n  db:\n    urll: jdbc:postgresql://x/y\n");
        ConfigException key = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.of(file),
                Map.of()));
        assertTrue(key.getMessage().contains("clawless.db.urll (in " + file + "): unknown configuration key"),
                key.getMessage());
    }

    @Test
    void aFileOverridesDefaultsAddsPlansAndTheEnvironmentOverridesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prod.yaml");
        Files.writeString(file, """
                clawless:
                  port: 9000
                  tenants:
                    default-plan: gold
                  plans:
                    gold:
                      messages-per-month: 7
                      tokens-per-month: 8
                      requests-per-minute: 9
                """);
        HubConfig c = ConfigLoader.load(Optional.of(file), Map.of("CLAWLESS_PORT", "9001",
                "CLAWLESS_PLANS_GOLD_TOKENS_PER_MONTH", "80"));
        assertEquals(9001, c.port());
        assertEquals("gold", c.tenants().defaultPlan());
        assertEquals(80, c.tenants().plans().get("gold").quotas().tokensPerMonth());
        assertEquals(7, c.tenants().plans().get("gold").quotas().messagesPerMonth());
    }

    @Test
    void aPlanMissingAQuotaStopsStartUpNamingTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plans.yaml");
        Files.writeString(file, "clawless:\n  plans:\n    team:\n      messages-per-month: 5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), Map.of()));
        assertTrue(e.getMessage().contains("clawless.plans.team.tokens-per-month: is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("clawless.plans.team.requests-per-minute: is missing"), e.getMessage());
    }

    @Test
    void oversizedSizesAndCredentialsInBadUrlsAreRefusedWithoutEcho() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(
                "CLAWLESS_HTTP_MAX_BODY_SIZE", "17179869185GiB", "CLAWLESS_DB_URL", "postgresql://bob:hunter2@db/x")));
        assertTrue(e.getMessage().contains("clawless.http.max-body-size"), e.getMessage());
        assertTrue(e.getMessage().contains("clawless.db.url (from CLAWLESS_DB_URL)"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void redisIsOffUntilAUrlIsGivenAndItsPasswordIsNeverShown() {
        assertEquals(Optional.empty(), ConfigLoader.load(Optional.empty(), Map.of()).redis());
        HubConfig c = ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_REDIS_URL",
                "redis://:hunter2@cache:6380/2", "CLAWLESS_REDIS_POOL_SIZE", "4"));
        assertEquals("redis://cache:6380", c.redis().orElseThrow().address());
        assertEquals(4, c.redis().orElseThrow().poolSize());
        assertEquals(Duration.ofSeconds(2), c.redis().orElseThrow().timeout());
        assertFalse(c.toString().contains("hunter2"), c.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(
                "CLAWLESS_REDIS_URL", "http://bob:hunter2@cache:6379", "CLAWLESS_REDIS_TIMEOUT", "0s")));
        assertTrue(e.getMessage().contains("clawless.redis.url (from CLAWLESS_REDIS_URL)"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(
                "CLAWLESS_REDIS_URL", "redis://cache:6379", "CLAWLESS_REDIS_TIMEOUT", "0s")));
        assertTrue(e.getMessage().contains("clawless.redis.timeout"), e.getMessage());
    }

    @Test
    void aDefaultPlanThatDoesNotExistStopsStartUp() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of("CLAWLESS_TENANTS_DEFAULT_PLAN", "platinum")));
        assertTrue(e.getMessage().contains("clawless.tenants.default-plan"), e.getMessage());
    }

    @Test
    void docsListEveryKeyWithItsVariable() throws IOException {
        String docs = Files.readString(Path.of("../docs/configuration.md"));
        Map<String, String> keys = new TreeMap<>();
        flatten("", new ObjectMapper(new YAMLFactory()).readTree(Path.of("../config/application.yaml").toFile()),
                keys);
        assertFalse(keys.isEmpty());
        List<String> missing = keys.keySet().stream()
                .filter(k -> !docs.contains("`" + k + "`") || !docs.contains("`" + ConfigLoader.envName(k) + "`"))
                .toList();
        assertEquals(List.of(), missing, "keys missing from docs/configuration.md");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject() && !node.isEmpty()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else {
            out.put(prefix, node.asText());
        }
    }

    @Test
    void envNamesFollowTheDocumentedRule() {
        assertEquals("CLAWLESS_DB_POOL_SIZE", ConfigLoader.envName("clawless.db.pool-size"));
        assertEquals("CLAWLESS_PORT", ConfigLoader.envName("clawless.port"));
        Map<String, String> env = new HashMap<>();
        env.put("NOT_OURS", "1");
        ConfigLoader.load(Optional.empty(), env);
    }
}
