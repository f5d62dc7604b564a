package dev.clawless.server.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Routes;

/**
 * {@code /hooks/{connectionId}}: platforms' webhooks. No API key: each request is authenticated by its channel
 * (signature or shared secret) over the raw bytes, and answered only once what it carries is stored.
 */
public final class HookRoutes {

    private static final int MAX_HEADERS = 200;

    private final ChannelManagement channels;
    private final Bodies bodies;
    private final java.util.function.Supplier<String> publicBaseUrl;

    public HookRoutes(ChannelManagement channels, Bodies bodies, java.util.function.Supplier<String> publicBaseUrl) {
        this.channels = channels;
        this.bodies = bodies;
        this.publicBaseUrl = publicBaseUrl;
    }

    public void register(Routes routes) {
        routes.post("/hooks/{id}", this::receive)
                .get("/hooks/{id}", this::receive);
    }

    private void receive(ServerRequest req, ServerResponse res) {
        String id = Inputs.pathId(req, "con", "channel connection");
        byte[] body = req.prologue().method().text().equals("POST") ? bodies.raw(req) : new byte[0];
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int count = 0;
        for (Header h : req.headers()) {
            if (++count > MAX_HEADERS) {
                break;
            }
            headers.put(h.name(), h.allValues());
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            query.put(name, new ArrayList<>(req.query().all(name)));
        }
        String base = publicBaseUrl.get();
        String rawQuery = req.query().rawValue();
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + req.path().rawPath()
                + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        HookReply reply = channels.receive(id, new InboundRequest(req.prologue().method().text(), url, headers, query,
                body));
        res.status(Status.create(reply.status()));
        res.header(HeaderNames.CONTENT_TYPE, reply.contentType());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(reply.body().getBytes(StandardCharsets.UTF_8));
    }
}
