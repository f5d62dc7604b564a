package dev.clawless.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.channel.Channel;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.WidgetSessions;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.security.Actor;
import dev.clawless.core.tenant.AssistantPatch;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.server.http.Json;

/**
 * The embedded hub's demo: a "Demo" tenant answering from a small FAQ with the built-in retrieval assistant (no API
 * key), a web chat connection whose allowed origins are this hub's own addresses, and a page at {@code /} with the
 * widget on it. Provisioned once (ids kept in {@code <data-dir>/demo.json}); later starts only refresh the allowed
 * origins, since the port may change. Off with {@code clawless.demo.enabled: false}.
 */
public final class DemoSite {

    private static final Logger LOG = Logger.getLogger(DemoSite.class.getName());

    private final String page;

    private DemoSite(String page) {
        this.page = page;
    }

    /** Provisions (or finds) the demo tenant and connection for a hub reachable at {@code origins}. */
    public static DemoSite provision(Path dataDir, List<String> origins, TenantManagement tenants,
                                     KnowledgeManagement knowledge, ChannelManagement channels,
                                     Optional<String> widgetPath) {
        Path marker = dataDir.resolve("demo.json");
        Actor actor = Actor.admin("demo-provisioning");
        ObjectNode config = Json.object();
        ArrayNode allowed = config.putArray("allowed_origins");
        new LinkedHashSet<>(origins).forEach(allowed::add);
        config.putObject("theme").put("accent", "#0f766e");
        Optional<Channel> existing = read(marker).flatMap(ids -> {
            try {
                tenants.get(ids[0]);
                return Optional.of(channels.get(ids[0], ids[1]));
            } catch (ClawlessException.NotFound e) {
                return Optional.empty();
            }
        });
        Channel connection;
        if (existing.isPresent()) {
            connection = channels.update(actor, existing.get().tenantId(), existing.get().id(), Optional.empty(),
                    Optional.of(config), Map.of(), Optional.of(true));
        } else {
            // the demo shows the embedded assistant, whatever LLM the hub may have
            SettingsPatch retrieval = new SettingsPatch(Optional.empty(), Optional.empty(), Optional.of(
                    new AssistantPatch(Optional.of("retrieval"), Optional.empty(), false)), Optional.empty(),
                    Optional.empty(), Optional.empty());
            Tenant tenant = tenants.create(actor, new NewTenant("Demo", Optional.empty(), QuotaOverrides.NONE,
                    retrieval));
            knowledge.add(tenant.id(), NewDocument.faq("Clawless FAQ", faq()));
            connection = channels.create(actor, tenant.id(), WidgetSessions.TYPE, "Demo site", config, Map.of());
            try {
                Files.writeString(marker, Json.object().put("tenant_id", tenant.id())
                        .put("connection_id", connection.id()).toString());
                dev.clawless.core.common.PrivateFiles.ownerOnly(marker);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + marker, e);
            }
            LOG.info(() -> "Demo tenant " + tenant.id() + " provisioned; the demo page is at /");
        }
        String key = WidgetSessions.publishableKey(connection.id());
        String html = resource("demo/index.html")
                .replace("{{WIDGET_SRC}}", widgetPath.orElse("/widget.js"))
                .replace("{{KEY}}", key);
        return new DemoSite(html);
    }

    /** Answers {@code GET /} with the demo page. */
    public void serve(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'; style-src 'self' 'unsafe-inline';"
                + " img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'");
        res.status(Status.OK_200).send(page.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String[]> read(Path marker) {
        if (!Files.isRegularFile(marker)) {
            return Optional.empty();
        }
        try {
            JsonNode ids = Json.MAPPER.readTree(Files.readString(marker));
            return Optional.of(new String[] {ids.path("tenant_id").asText(), ids.path("connection_id").asText()});
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static List<FaqEntry> faq() {
        try {
            List<FaqEntry> entries = new ArrayList<>();
            for (JsonNode e : Json.MAPPER.readTree(resource("demo/faq.json"))) {
                entries.add(new FaqEntry(e.path("q").asText(), e.path("a").asText()));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = DemoSite.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the hub");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
