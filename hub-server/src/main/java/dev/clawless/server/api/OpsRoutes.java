package dev.clawless.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.store.Database;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;
import dev.clawless.server.observe.HubMetrics;

/** The landing page, health, metrics and the OpenAPI document; no credentials needed. */
public final class OpsRoutes {

    /** Where the OpenAPI document is on the class path (copied from {@code docs/openapi.yaml} by the build). */
    public static final String OPENAPI = "/dev/clawless/server/openapi.yaml";

    private final Database database;
    private final HubMetrics metrics;
    private final byte[] openapi;
    private final String indexTemplate;
    private volatile byte[] index;
    private volatile java.util.function.Supplier<String> base = () -> "http://localhost:8080";
    private volatile java.util.Optional<java.nio.file.Path> tokenFile = java.util.Optional.empty();
    private volatile String dataDir = "./data";
    private volatile io.helidon.webserver.http.Handler home;
    private volatile java.util.Optional<java.util.function.BooleanSupplier> redis = java.util.Optional.empty();

    public OpsRoutes(Database database, HubMetrics metrics) {
        this.database = database;
        this.metrics = metrics;
        this.openapi = resource(OPENAPI);
        this.indexTemplate = new String(resource("/dev/clawless/server/index.html"), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = OpsRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(Routes routes) {
        routes.get("/", this::index)
                .get("/health/live", this::live)
                .get("/health/ready", this::ready)
                .get("/metrics", this::metrics)
                .get("/openapi.yaml", this::openapi);
    }

    /**
     * Reports Redis in readiness too. Redis down does not make the node unready: it serves with per-node limits
     * (the answer says {@code degraded}).
     */
    public void redis(java.util.function.BooleanSupplier up) {
        this.redis = java.util.Optional.of(up);
    }

    /**
     * What the landing page tells whoever runs the hub: its address (the public base URL, or localhost and the port
     * it listens on), its data folder, and where the admin token is kept when it is in a file there.
     */
    public void landing(java.util.function.Supplier<String> base, java.nio.file.Path dataDir,
                        java.util.Optional<java.nio.file.Path> tokenFile) {
        this.base = base;
        this.dataDir = dataDir.toAbsolutePath().toString();
        this.tokenFile = tokenFile;
        this.index = null;
    }

    private byte[] index() {
        byte[] page = index;
        if (page == null) {
            String address = escapeHtml(base.get());
            String where = tokenFile.map(f -> "kept in <code>" + escapeHtml(f.toString()) + "</code>")
                    .orElse("the one the hub was configured with, <code>CLAWLESS_ADMIN_TOKEN</code>");
            String expr = tokenFile.map(f -> "$(cat " + escapeHtml(shellQuoted(f.toString())) + ")")
                    .orElse("$CLAWLESS_ADMIN_TOKEN");
            page = indexTemplate.replace("{{BASE}}", address).replace("{{DATA_DIR}}", escapeHtml(dataDir))
                    .replace("{{TOKEN_WHERE}}", where)
                    .replace("{{TOKEN_EXPR}}", expr).getBytes(StandardCharsets.UTF_8);
            index = page;
        }
        return page;
    }

    /** Text for an HTML element's content. */
    private static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String shellQuoted(String path) {
        return path.matches("[A-Za-z0-9_./-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
    }

    /** Serves {@code /} with another page (the demo), instead of the hub's landing page. */
    public void home(io.helidon.webserver.http.Handler page) {
        this.home = page;
    }

    private void index(ServerRequest req, ServerResponse res) throws Exception {
        io.helidon.webserver.http.Handler page = home;
        if (page != null) {
            page.handle(req, res);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(index());
    }

    private void live(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.object().put("status", "UP");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, body);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean db = database.isReady();
        ObjectNode body = Json.object().put("status", db ? "UP" : "DOWN");
        var checks = body.putArray("checks");
        checks.addObject().put("name", "database").put("status", db ? "UP" : "DOWN");
        redis.ifPresent(up -> {
            boolean answers = up.getAsBoolean();
            checks.addObject().put("name", "redis").put("status", answers ? "UP" : "DOWN");
            if (!answers) {
                body.put("degraded", true);
            }
        });
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, db ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void openapi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(openapi);
    }
}
