package dev.clawless.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.conversation.InboundDeriver;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.marketplace.Marketplace;
import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.core.store.Database;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code GET /admin/system} (platform admin): this node's version and uptime, whether the database answers, the job
 * queue's backlog and dead letters, and the approved plugin versions with their installations.
 */
public final class SystemRoutes {

    /** The hub's version, written into the build ({@code version.properties}); {@code unknown} without it. */
    public static final String VERSION = version();

    private final Database database;
    private final JobQueue jobs;
    private final InboundDeriver inbound;
    private final Marketplace marketplace;
    private final Supplier<Map<String, Long>> installCounts;
    private final Instant startedAt;
    private final Clock clock;
    private volatile java.util.Optional<dev.clawless.server.cluster.Redis> redis = java.util.Optional.empty();

    /** @param installCounts installations per {@code plugin@version} */
    public SystemRoutes(Database database, JobQueue jobs, InboundDeriver inbound, Marketplace marketplace,
                        Supplier<Map<String, Long>> installCounts, Instant startedAt, Clock clock) {
        this.database = database;
        this.jobs = jobs;
        this.inbound = inbound;
        this.marketplace = marketplace;
        this.installCounts = installCounts;
        this.startedAt = startedAt;
        this.clock = clock;
    }

    /** Reports the Redis the nodes share, when one is configured. */
    public SystemRoutes redis(java.util.Optional<dev.clawless.server.cluster.Redis> configured) {
        this.redis = configured;
        return this;
    }

    public void register(Routes routes) {
        routes.get("/admin/system", this::system);
    }

    private void system(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.object();
        body.put("version", VERSION);
        body.put("started_at", Json.time(startedAt));
        body.put("uptime_seconds", Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds()));
        boolean up = database.isReady();
        body.putObject("database").put("status", up ? "UP" : "DOWN").put("product", database.product());
        redis.ifPresentOrElse(r -> body.putObject("redis").put("status", r.up() ? "UP" : "DOWN")
                .put("address", r.address()), () -> body.putNull("redis")); // none: every node alone
        ObjectNode log = body.putObject("inbound");
        if (up) {
            InboundDeriver.State state = inbound.state();
            log.put("waiting", state.waiting()).put("set_aside", state.setAside());
        } else {
            log.putNull("waiting").putNull("set_aside");
        }
        ObjectNode queue = body.putObject("jobs");
        if (up) {
            Map<String, Map<String, Long>> counts = jobs.counts();
            queue.put("queued", total(counts.get("queued")));
            queue.put("running", total(counts.get("running")));
            queue.put("dead", total(counts.get("dead")));
            ObjectNode byKind = queue.putObject("dead_by_kind");
            counts.get("dead").forEach(byKind::put);
        } else {
            queue.putNull("queued").putNull("running").putNull("dead").putNull("dead_by_kind");
        }
        ArrayNode plugins = body.putArray("plugins");
        if (up) {
            Map<String, Long> installs = installCounts.get();
            for (PluginVersion v : marketplace.list(Optional.of("approved"), Optional.empty())) {
                plugins.addObject().put("plugin_id", v.pluginId()).put("version", v.version())
                        .put("installations", installs.getOrDefault(v.pluginId() + "@" + v.version(), 0L));
            }
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, body);
    }

    private static long total(Map<String, Long> byKind) {
        return byKind.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String version() {
        try (InputStream in = SystemRoutes.class.getResourceAsStream("/dev/clawless/server/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
