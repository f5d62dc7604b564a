package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationEvent;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/conversations*}: every channel's conversations for operators and backends — read (scope
 * {@code conversations:read}), hand to a human or back and close, and reply as an operator (scope
 * {@code conversations:write}) — and each conversation's event stream.
 */
public final class ConversationRoutes {

    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final Duration MAX_STREAM = Duration.ofMinutes(30);

    private final ConversationManagement conversations;
    private final TurnStreams turns;
    private final Bodies bodies;
    private final ChannelManagement channels;

    public ConversationRoutes(ConversationManagement conversations, TurnStreams turns, Bodies bodies,
                              ChannelManagement channels) {
        this.channels = channels;
        this.conversations = conversations;
        this.turns = turns;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/conversations", this::list)
                .get("/v1/conversations/{id}", this::get)
                .patch("/v1/conversations/{id}", this::patch)
                .get("/v1/conversations/{id}/messages", this::messages)
                .post("/v1/conversations/{id}/messages", this::reply)
                .get("/v1/conversations/{id}/events", this::events);
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Optional<ConversationStatus> status = Inputs.query(req, "status").map(s -> ConversationStatus.fromWire(s)
                .orElseThrow(() -> ClawlessException.Validation.of("status", "must be bot, human or closed")));
        var page = conversations.list(p.tenantId(), Inputs.query(req, "channel"), status,
                Inputs.query(req, "contact_id"), Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, ConversationRoutes::view));
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, view(conversation(p, req)));
    }

    private void patch(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        Conversation c = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("status"));
        Optional<ConversationStatus> status = in.choice("status", List.of("bot", "human", "closed"),
                ConversationStatus::fromWire);
        if (!in.has("status")) {
            in.error("status", "is required: bot, human or closed");
        }
        in.done();
        Json.send(res, Status.OK_200, view(conversations.setStatus(p.tenantId(), c.id(), status.orElseThrow())));
    }

    private void messages(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Conversation c = conversation(p, req);
        Json.send(res, Status.OK_200, Views.page(conversations.messages(p.tenantId(), c.id(), Inputs.page(req)),
                SessionRoutes::message));
    }

    private void reply(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        Conversation c = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("text", "role", "template"));
        Optional<JsonInput> template = in.object("template", Set.of("id", "variables"));
        String text = template.isPresent() ? in.string("text", 20_000).orElse("") : in.requiredString("text", 20_000);
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        template.ifPresent(t -> {
            metadata.put(Deliveries.TEMPLATE, t.requiredString("id", 200));
            t.node("variables").ifPresent(v -> {
                if (!v.isObject() || v.size() > 50) {
                    in.error("template.variables", "must be an object of at most 50 values");
                } else {
                    metadata.put(Deliveries.TEMPLATE_VARIABLES, v.toString());
                }
            });
        });
        in.choice("role", List.of("operator"), Optional::of);
        in.done();
        if (template.isEmpty()) {
            ChannelManagement.ReplyWindow window = channels.replyWindow(p.tenantId(), c);
            if (window.applies() && !window.open()) {
                throw new ClawlessException.Conflict("the contact's 24-hour reply window on this channel is closed"
                        + window.closesAt().map(t -> " (it closed at " + t + ")").orElse("")
                        + "; send an approved template instead: {\"template\": {\"id\": …, \"variables\": {…}}}");
            }
        }
        Message m = conversations.operatorReply(p.tenantId(), c.id(), text, metadata);
        res.header(HeaderNames.LOCATION, "/v1/conversations/" + c.id() + "/messages");
        Json.send(res, Status.CREATED_201, SessionRoutes.message(m));
    }

    /**
     * Server-sent events: first every stored event after {@code Last-Event-ID} (header, or {@code last_event_id}
     * query parameter), then new ones as they are committed, each with its id; assistant text deltas of turns run on
     * this node come as {@code delta} events without an id (they are not replayed). A comment line every 15 s keeps
     * proxies from closing the stream; after 30 minutes the hub ends it and the client resumes with its last id.
     */
    private void events(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Conversation c = conversation(p, req);
        long after = req.headers().first(HeaderNames.create("Last-Event-ID"))
                .or(() -> Inputs.query(req, "last_event_id"))
                .map(ConversationRoutes::eventId)
                .orElse(0L);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        BlockingQueue<String> deltas = new LinkedBlockingQueue<>();
        TurnStreams.Listener listener = new TurnStreams.Listener() {
            @Override
            public void delta(String messageId, String text) {
                deltas.add(Json.object().put("message_id", messageId).put("text", text).toString());
            }

            @Override
            public void completed(String messageId, Message reply) {
            }

            @Override
            public void failed(String messageId, String error) {
            }
        };
        long end = System.nanoTime() + MAX_STREAM.toNanos();
        long nextKeepAlive = System.nanoTime() + KEEP_ALIVE.toNanos();
        try (AutoCloseable subscription = turns.subscribe(c.id(), listener);
             OutputStream out = res.outputStream()) {
            write(out, ": connected\n\n");
            while (System.nanoTime() < end) {
                for (ConversationEvent e : conversations.events(p.tenantId(), c.id(), after, 100)) {
                    write(out, "id: " + e.id() + "\nevent: " + e.type() + "\ndata: " + e.data() + "\n\n");
                    after = e.id();
                }
                String delta = deltas.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                while (delta != null) {
                    write(out, "event: delta\ndata: " + delta + "\n\n");
                    delta = deltas.poll();
                }
                if (System.nanoTime() > nextKeepAlive) {
                    write(out, ": keep-alive\n\n");
                    nextKeepAlive = System.nanoTime() + KEEP_ALIVE.toNanos();
                }
            }
        } catch (UncheckedIOException | IOException disconnected) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long eventId(String value) {
        try {
            long id = Long.parseLong(value.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw ClawlessException.Validation.of("Last-Event-ID", "must be an event id this stream sent");
        }
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Conversation conversation(TenantPrincipal p, ServerRequest req) {
        return conversations.get(p.tenantId(), Inputs.pathId(req, "cnv", "conversation"));
    }

    static com.fasterxml.jackson.databind.node.ObjectNode view(Conversation c) {
        var node = SessionRoutes.session(c);
        node.put("channel", c.channelType());
        node.put("connection_id", c.connectionId());
        node.put("chat_type", c.chatType().name().toLowerCase());
        node.put("contact_id", c.contactId().orElse(null));
        return node;
    }
}
