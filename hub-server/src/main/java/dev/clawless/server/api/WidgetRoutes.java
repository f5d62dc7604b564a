package dev.clawless.server.api;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.channel.WidgetSessions;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.ConversationEvent;
import dev.clawless.core.conversation.EventPump;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Problems;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;
import dev.clawless.server.http.RequestState;

/**
 * {@code /widget/v1/*}: the embeddable widget's backend, public and per-tenant CORS. Sessions are opened with a
 * publishable key from an allowed {@code Origin}; messages and the event stream carry the session token. Preflights
 * are answered for origins some webchat connection allows; every real answer to an allowed origin carries
 * {@code Access-Control-Allow-Origin} for that origin only.
 */
public final class WidgetRoutes {


    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";

    /** What the visitor's stream sends for each stored event, built once for all of this hub's widget streams. */
    private final EventStream.Frames frames = new EventStream.Frames(WidgetRoutes::render);

    private final WidgetSessions sessions;
    private final ConversationManagement conversations;
    private final TurnStreams turns;
    private final UsageMeter usage;
    private final Bodies bodies;
    private final long sessionsPerMinute;
    private final EventPump pump;

    public WidgetRoutes(WidgetSessions sessions, ConversationManagement conversations, TurnStreams turns,
                        EventPump pump, UsageMeter usage, Bodies bodies, long sessionsPerMinute) {
        this.pump = pump;
        this.sessions = sessions;
        this.conversations = conversations;
        this.turns = turns;
        this.usage = usage;
        this.bodies = bodies;
        this.sessionsPerMinute = sessionsPerMinute;
    }

    public void register(Routes routes) {
        routes.post("/widget/v1/sessions", readable(this::open))
                .post("/widget/v1/messages", readable(this::send))
                .get("/widget/v1/stream", readable(this::stream))
                .add(Method.OPTIONS, "/widget/v1/sessions", this::sessionPreflight)
                .add(Method.OPTIONS, "/widget/v1/messages", this::preflight)
                .add(Method.OPTIONS, "/widget/v1/stream", this::preflight);
    }

    /**
     * Any page may ask to open a session: the request itself checks the origin and answers a 403 the widget can read
     * (so it shows "not available on this site" instead of retrying a request the browser hides from it).
     */
    private void sessionPreflight(ServerRequest req, ServerResponse res) {
        String origin = origin(req).orElseThrow(() -> new ClawlessException.Forbidden("origin-not-allowed",
                "a preflight needs an Origin"));
        answerPreflight(res, origin);
    }

    private void preflight(ServerRequest req, ServerResponse res) {
        String origin = origin(req).orElseThrow(() -> new ClawlessException.Forbidden("origin-not-allowed",
                "a preflight needs an Origin"));
        if (!sessions.allowedAnywhere(origin)) {
            throw new ClawlessException.Forbidden("origin-not-allowed", "no widget allows this origin");
        }
        answerPreflight(res, origin);
    }

    private static void answerPreflight(ServerResponse res, String origin) {
        cors(res, origin);
        res.header(HeaderNames.create("Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
        res.header(HeaderNames.create("Access-Control-Allow-Headers"), ALLOWED_HEADERS);
        res.header(HeaderNames.create("Access-Control-Max-Age"), "600");
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Every answer of the widget API, refusals included, is readable by the asking page, so the widget can tell a
     * refused key, origin or session from a network failure instead of retrying blindly. (Helidon drops headers set
     * before a handler throws, so the problem is written here.)
     */
    private static io.helidon.webserver.http.Handler readable(io.helidon.webserver.http.Handler handler) {
        return (req, res) -> {
            origin(req).ifPresent(o -> cors(res, o));
            try {
                handler.handle(req, res);
            } catch (ClawlessException e) {
                if (res.isSent()) {
                    throw e;
                }
                Problems.send(req, res, e);
            }
        };
    }

    private void open(ServerRequest req, ServerResponse res) {
        Optional<String> origin = origin(req);
        // a page no widget allows is refused before it can spend the address's session budget
        origin.filter(o -> !sessions.allowedAnywhere(o)).ifPresent(o -> {
            throw new ClawlessException.Forbidden("origin-not-allowed", "origin " + Inputs.printable(o)
                    + " is not allowed by any widget; add it to the connection's allowed_origins");
        });
        usage.rateLimit("widget-sessions:" + RequestState.of(req).clientAddress(), "address's widget sessions", sessionsPerMinute);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("publishable_key", "visitor_id", "user_id",
                "user_hash", "name", "email"));
        String key = in.requiredString("publishable_key", 100);
        Optional<String> visitor = in.string("visitor_id", 100);
        visitor.filter(v -> !v.matches("[A-Za-z0-9_-]{8,100}")).ifPresent(v -> in.error("visitor_id",
                "must be 8-100 of A-Z a-z 0-9 _ -"));
        Optional<String> userId = in.string("user_id", 200);
        Optional<String> userHash = in.string("user_hash", 128);
        Optional<String> name = in.string("name", 200).map(String::strip).filter(n -> !n.isEmpty());
        Optional<String> email = in.string("email", 254).map(String::strip);
        email.filter(e -> !e.matches("[^@\\s]{1,64}@[^@\\s]{1,190}")).ifPresent(e -> in.error("email",
                "must be an e-mail address"));
        in.done();
        WidgetSessions.Opened opened = sessions.open(key, origin, visitor, userId, userHash,
                name.isPresent() ? name : email);
        ObjectNode body = Json.object();
        body.put("session_token", opened.token());
        body.put("conversation_id", opened.session().conversationId());
        body.put("expires_at", Json.time(opened.session().expires()));
        ArrayNode history = body.putArray("history");
        opened.history().forEach(m -> history.add(message(m)));
        body.set("theme", opened.theme());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, body);
    }

    private void send(ServerRequest req, ServerResponse res) {
        WidgetSessions.Session s = session(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("text", "client_message_id"));
        String text = in.requiredString("text", 4000);
        Optional<String> client = in.string("client_message_id", 100);
        client.filter(v -> !v.matches("[A-Za-z0-9_-]{8,100}")).ifPresent(v -> in.error("client_message_id",
                "must be 8-100 of A-Z a-z 0-9 _ -"));
        in.done();
        if (text.isBlank()) {
            throw ClawlessException.Validation.of("text", "must not be blank");
        }
        Message m = sessions.send(s, text, client);
        Json.send(res, Status.ACCEPTED_202, message(m));
    }

    /** The visitor's conversation as {@code message}, {@code status}, {@code typing} and {@code delta} events. */
    private void stream(ServerRequest req, ServerResponse res) {
        String token = req.headers().first(HeaderNames.AUTHORIZATION).map(h -> h.replaceFirst("(?i)^Bearer ", ""))
                .or(() -> Inputs.query(req, "session_token"))
                .orElseThrow(() -> new ClawlessException.Unauthorized("send the session token as Authorization: "
                        + "Bearer wst_… or ?session_token= (EventSource cannot set headers)"));
        long judgedAt = System.nanoTime();
        WidgetSessions.Session s = sessions.verify(token, origin(req));
        EventStream.after(req);
        EventStream.stream(req, res, conversations, turns, pump, s.tenantId(), s.conversationId(), frames,
                new EventStream.Access(Set.of(s.tenantId(), s.connectionId()), Optional.of(s.expires()), () -> {
                    try {
                        sessions.verify(token, origin(req));
                        return true;
                    } catch (ClawlessException ended) {
                        return false; // the session expired, or its connection was removed or changed
                    }
                }, judgedAt), false);
    }

    private static Optional<String> render(ConversationEvent e) {
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(e.data());
        } catch (java.io.IOException ex) {
            return Optional.empty();
        }
        return switch (e.type()) {
            case "message.created" -> {
                String role = data.path("role").asText();
                ObjectNode m = Json.object().put("id", data.path("id").asText()).put("role", role)
                        .put("text", data.path("text").asText()).put("status", data.path("status").asText())
                        .put("created_at", data.path("created_at").asText());
                attachments(data.path("attachments"), m);
                String frame = "event: message\ndata: " + m;
                if (role.equals("user")) {
                    frame += "\n\nevent: typing\ndata: {\"typing\":true}";
                }
                yield Optional.of(frame);
            }
            case "operator.typing" -> Optional.of("event: typing\ndata: {\"typing\":true}");
            case "message.status_changed" -> Optional.of("event: status\ndata: " + Json.object()
                    .put("message_id", data.path("message_id").asText()).put("status", data.path("status").asText()));
            default -> Optional.empty();
        };
    }

    private WidgetSessions.Session session(ServerRequest req) {
        String token = req.headers().first(HeaderNames.AUTHORIZATION).map(h -> h.replaceFirst("(?i)^Bearer ", ""))
                .orElseThrow(() -> new ClawlessException.Unauthorized("send the session token as Authorization: "
                        + "Bearer wst_…"));
        return sessions.verify(token, origin(req));
    }

    /**
     * The request's {@code Origin}. {@code null} is an origin too — a sandboxed frame's or a {@code file:} page's,
     * which any site can produce — so it is allowed only where a connection lists {@code "null"} itself.
     */
    private static Optional<String> origin(ServerRequest req) {
        return req.headers().first(HeaderNames.ORIGIN).filter(o -> !o.isBlank());
    }

    private static void cors(ServerResponse res, String origin) {
        res.header(HeaderNames.create("Access-Control-Allow-Origin"), origin);
        res.header(HeaderNames.create("Vary"), "Origin");
    }

    static ObjectNode message(Message m) {
        ObjectNode n = Json.object().put("id", m.id()).put("role", m.role().wire()).put("text", m.text())
                .put("status", m.status().wire()).put("created_at", Json.time(m.createdAt()));
        ArrayNode list = Json.MAPPER.createArrayNode();
        m.attachments().forEach(a -> {
            ObjectNode x = list.addObject();
            a.url().ifPresent(u -> x.put("url", u));
            a.mimeType().ifPresent(t -> x.put("content_type", t));
            a.fileName().ifPresent(f -> x.put("file_name", f));
        });
        attachments(list, n);
        return n;
    }

    /** Attachments the browser can show: those with an http(s) URL (others are fetched through the API only). */
    private static void attachments(JsonNode list, ObjectNode into) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        list.forEach(a -> {
            String url = a.path("url").asText("");
            if (url.startsWith("https://") || url.startsWith("http://")) {
                ObjectNode x = out.addObject().put("url", url);
                if (a.hasNonNull("content_type")) {
                    x.put("content_type", a.get("content_type").asText());
                }
                if (a.hasNonNull("file_name")) {
                    x.put("file_name", a.get("file_name").asText());
                }
            }
        });
        if (!out.isEmpty()) {
            into.set("attachments", out);
        }
    }

}
