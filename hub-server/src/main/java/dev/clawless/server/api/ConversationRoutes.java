package dev.clawless.server.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.EventPump;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/conversations*}: every channel's conversations for operators and backends — read (scope
 * {@code conversations:read}), hand to a human or back and close, and reply as an operator (scope
 * {@code conversations:write}) — and each conversation's event stream.
 */
public final class ConversationRoutes {

    /** Every stored event as it is, built once for all of this hub's conversation streams. */
    private final EventStream.Frames frames = new EventStream.Frames(e -> Optional.of("event: " + e.type()
            + "\ndata: " + e.data()));

    private final ConversationManagement conversations;
    private final TurnStreams turns;
    private final Bodies bodies;
    private final ChannelManagement channels;
    private final EventPump pump;

    private volatile dev.clawless.core.inbox.Inbox inbox;

    public ConversationRoutes(ConversationManagement conversations, TurnStreams turns, EventPump pump,
                              Bodies bodies, ChannelManagement channels) {
        this.pump = pump;
        this.channels = channels;
        this.conversations = conversations;
        this.turns = turns;
        this.bodies = bodies;
    }

    /** The inbox: assignment on PATCH, and replies that end a wait; set once while wiring. */
    public ConversationRoutes inbox(dev.clawless.core.inbox.Inbox theInbox) {
        this.inbox = theInbox;
        return this;
    }

    public void register(Routes routes) {
        routes.get("/v1/conversations", this::list)
                .get("/v1/conversations/{id}", this::get)
                .patch("/v1/conversations/{id}", this::patch)
                .get("/v1/conversations/{id}/messages", this::messages)
                .post("/v1/conversations/{id}/messages", this::reply)
                .post("/v1/conversations/{id}/transfer", this::transfer)
                .get("/v1/conversations/{id}/messages/{message_id}/attachments/{index}", this::attachment)
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

    /** The conversation, and — with the inbox — who has it, its labels and its contact's name. */
    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Conversation c = conversation(p, req);
        ObjectNode body = view(c);
        window(body, channels.replyWindow(p.tenantId(), c));
        if (inbox == null) {
            Json.send(res, Status.OK_200, body);
            return;
        }
        var item = inbox.item(p.tenantId(), c.id(), RequestState.of(req).userId());
        body.put("assignee_id", item.assignment().assigneeId().orElse(null));
        if (item.assignment().assigneeId().isPresent()) {
            body.set("assignee", Json.object().put("id", item.assignment().assigneeId().get())
                    .put("display_name", item.assignment().assigneeName().orElse(null)));
        } else {
            body.putNull("assignee");
        }
        body.put("team_id", item.assignment().teamId().orElse(null));
        com.fasterxml.jackson.databind.node.ArrayNode labels = body.putArray("labels");
        item.labels().forEach(labels::add);
        body.put("contact_name", item.contactName().orElse(null));
        body.put("waiting_since", item.assignment().waitingSince().map(Json::time).orElse(null));
        body.put("unread", item.unread());
        Json.send(res, Status.OK_200, body);
    }

    /**
     * Changes a conversation's status and who has it: {@code status} ({@code human} takes it over, {@code bot} hands
     * it back, {@code closed} resolves it), {@code assignee_id} and {@code team_id} ({@code null} clears them).
     */
    private void patch(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        Conversation c = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("status", "assignee_id", "team_id"));
        Optional<ConversationStatus> status = in.choice("status", List.of("bot", "human", "closed"),
                ConversationStatus::fromWire);
        Optional<Optional<String>> assignee = in.has("assignee_id") ? Optional.of(in.isNull("assignee_id")
                ? Optional.empty() : in.string("assignee_id", 60).map(a -> Inputs.id(a, "usr", "member")))
                : Optional.empty();
        Optional<Optional<String>> team = in.has("team_id") ? Optional.of(in.isNull("team_id") ? Optional.empty()
                : in.string("team_id", 60).map(t -> Inputs.id(t, "tm", "team"))) : Optional.empty();
        if (!in.has("status") && !in.has("assignee_id") && !in.has("team_id")) {
            in.error("status", "send status (bot, human or closed), assignee_id or team_id");
        }
        in.done();
        if (inbox == null) {
            Json.send(res, Status.OK_200, view(conversations.setStatus(p.tenantId(), c.id(), status.orElseThrow())));
            return;
        }
        RequestState state = RequestState.of(req);
        var item = inbox.update(state.actor(), p.tenantId(), c.id(), status, assignee, team, state.userId(),
                p.has(Scope.TENANT_ADMIN));
        ObjectNode body = view(item.conversation());
        body.put("assignee_id", item.assignment().assigneeId().orElse(null));
        body.put("team_id", item.assignment().teamId().orElse(null));
        Json.send(res, Status.OK_200, body);
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
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("text", "role", "template", "attachments",
                "quick_replies"));
        Optional<JsonInput> template = in.object("template", Set.of("id", "variables"));
        List<dev.clawless.plugin.api.Attachment> attachments = attachments(in);
        String text = template.isPresent() || !attachments.isEmpty() ? in.string("text", 20_000).orElse("")
                : in.requiredString("text", 20_000);
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
        in.node("quick_replies").ifPresent(q -> {
            if (text.isBlank()) {
                in.error("quick_replies", "need a text to go with");
                return;
            }
            if (!q.isArray() || q.isEmpty() || q.size() > 13) {
                in.error("quick_replies", "must be an array of 1-13 {\"title\", \"payload\"} objects");
                return;
            }
            com.fasterxml.jackson.databind.node.ArrayNode kept = Json.object().arrayNode();
            for (com.fasterxml.jackson.databind.JsonNode one : q) {
                String title = one.path("title").asText("");
                String payload = one.path("payload").asText(title);
                if (!one.isObject() || !one.path("title").isTextual() || title.isBlank() || title.length() > 20
                        || payload.isEmpty() || payload.length() > 1000) {
                    in.error("quick_replies", "each needs a title of 1-20 characters and a payload of at most 1000");
                    return;
                }
                kept.addObject().put("title", title).put("payload", payload);
            }
            metadata.put(Deliveries.QUICK_REPLIES, kept.toString());
        });
        in.choice("role", List.of("operator"), Optional::of);
        in.done();
        if ("true".equals(c.metadata().get(ConversationManagement.OPTED_OUT))) {
            throw new ClawlessException.Conflict("the contact opted out of messages on this channel (STOP): nothing"
                    + " can be sent until they opt back in (START)");
        }
        if (template.isEmpty()) {
            ChannelManagement.ReplyWindow window = channels.replyWindow(p.tenantId(), c);
            boolean person = RequestState.of(req).person().isPresent();
            if (window.applies() && !window.allows(person)) {
                if (window.humanOpen()) {
                    throw new ClawlessException.Conflict("the contact's 24-hour reply window on this channel is"
                            + " closed for automated messages; a person signed in to the console may still reply"
                            + window.humanClosesAt().map(t -> " until " + t).orElse(""));
                }
                throw new ClawlessException.Conflict(window.humanClosesAt().isPresent()
                        ? "the contact has not written for too long: this channel allows no reply, not even a"
                        + " person's, until they write again (" + window.humanClosesAt().map(t -> "it closed at " + t)
                        .orElse("they never wrote") + ")"
                        : "the contact's 24-hour reply window on this channel is closed"
                        + window.closesAt().map(t -> " (it closed at " + t + ")").orElse("")
                        + "; send an approved template instead: {\"template\": {\"id\": …, \"variables\": {…}}}");
            }
        }
        RequestState.of(req).person().ifPresent(who -> {
            metadata.put(Deliveries.AUTHOR_ID, who.user().id());
            metadata.put("author_name", who.user().displayName());
        });
        Message m = conversations.operatorReply(p.tenantId(), c.id(), text, metadata, attachments);
        if (inbox != null) {
            inbox.operatorReplied(p.tenantId(), c.id());
        }
        res.header(HeaderNames.LOCATION, "/v1/conversations/" + c.id() + "/messages");
        Json.send(res, Status.CREATED_201, SessionRoutes.message(m));
    }

    /**
     * Continues the conversation on another connection of the tenant (scope conversations:write): the answer is the
     * new conversation; the first message and a note of the context are already in it.
     */
    private void transfer(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        Conversation c = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("connection_id", "address", "text", "template"));
        String connectionId = Inputs.id(in.requiredString("connection_id", 60), "con", "channel connection");
        String address = in.requiredString("address", 320);
        Optional<JsonInput> template = in.object("template", Set.of("id", "variables"));
        String text = template.isPresent() ? in.string("text", 20_000).orElse("") : in.requiredString("text", 20_000);
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        template.ifPresent(t -> {
            metadata.put(Deliveries.TEMPLATE, t.requiredString("id", 200));
            t.node("variables").filter(JsonNode -> JsonNode.isObject() && JsonNode.size() <= 50)
                    .ifPresent(v -> metadata.put(Deliveries.TEMPLATE_VARIABLES, v.toString()));
        });
        in.done();
        Conversation to = channels.transfer(RequestState.of(req).actor(), p.tenantId(), c.id(), connectionId, address,
                text, metadata);
        res.header(HeaderNames.LOCATION, "/v1/conversations/" + to.id());
        Json.send(res, Status.CREATED_201, view(to));
    }

    /** {@code attachments: [{url, file_name?, mime_type?}]}: at most 5 http(s) URLs the hub fetches at delivery. */
    private static List<dev.clawless.plugin.api.Attachment> attachments(JsonInput in) {
        List<dev.clawless.plugin.api.Attachment> out = new java.util.ArrayList<>();
        Optional<com.fasterxml.jackson.databind.JsonNode> node = in.node("attachments");
        if (node.isEmpty() || node.get().isNull()) {
            return out;
        }
        if (!node.get().isArray() || node.get().size() > 5) {
            in.error("attachments", "must be an array of at most 5 {url, file_name?, mime_type?}");
            return out;
        }
        for (int i = 0; i < node.get().size(); i++) {
            com.fasterxml.jackson.databind.JsonNode a = node.get().get(i);
            String url = a.path("url").asText("");
            String type = a.path("mime_type").asText("");
            if (!a.isObject() || !url.matches("https?://\\S{1,2000}")
                    || (!type.isEmpty() && !type.matches("[\\w.+-]+/[\\w.+-]+"))) {
                in.error("attachments[" + i + "]", "needs an http(s) url (and an optional file_name, mime_type)");
                continue;
            }
            String name = a.path("file_name").asText("");
            out.add(new dev.clawless.plugin.api.Attachment(type.startsWith("image/")
                    ? dev.clawless.plugin.api.Attachment.Kind.IMAGE : dev.clawless.plugin.api.Attachment.Kind.FILE,
                    Optional.of(url), Optional.of(type).filter(t -> !t.isEmpty()),
                    Optional.of(name).filter(n -> !n.isEmpty() && n.length() <= 200), java.util.OptionalLong.empty(),
                    Optional.empty()));
        }
        return out;
    }

    /** An inbound attachment's content, fetched from the platform on request (scope conversations:read). */
    private void attachment(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Conversation c = conversation(p, req);
        String messageId = Inputs.id(req.path().pathParameters().get("message_id"), "msg", "message");
        int index;
        try {
            index = Integer.parseInt(req.path().pathParameters().get("index"));
        } catch (NumberFormatException e) {
            throw new ClawlessException.NotFound("no attachment " + Inputs.printable(
                    req.path().pathParameters().get("index")));
        }
        var media = channels.download(p.tenantId(), c.id(), messageId, index);
        String type = media.contentType().matches("[\\w.+-]+/[\\w.+-]+(;.*)?") ? media.contentType()
                : "application/octet-stream";
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.create("Content-Disposition"), "attachment");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "private, no-store");
        res.send(media.bytes());
    }

    /** The conversation's events as server-sent events (see {@link EventStream}). */
    private void events(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Conversation c = conversation(p, req);
        EventStream.after(req); // a bad Last-Event-ID is a 400 before the stream starts
        EventStream.stream(req, res, conversations, turns, pump, p.tenantId(), c.id(),
                frames, EventStream.Access.of(req, Scope.CONVERSATIONS_READ), true);
    }

    private Conversation conversation(TenantPrincipal p, ServerRequest req) {
        return conversations.get(p.tenantId(), Inputs.pathId(req, "cnv", "conversation"));
    }

    /**
     * The channel's reply window, for operators: {@code reply_window} is null on channels without one, else whether
     * the assistant may send ({@code open}, until {@code closes_at}) and whether a person still may
     * ({@code human_open}, until {@code human_closes_at}, tagged as a human agent's reply).
     */
    private static void window(ObjectNode body, ChannelManagement.ReplyWindow w) {
        if (!w.applies()) {
            body.putNull("reply_window");
            return;
        }
        ObjectNode o = body.putObject("reply_window");
        o.put("open", w.open());
        o.put("closes_at", w.closesAt().map(Object::toString).orElse(null));
        o.put("human_open", w.humanOpen());
        o.put("human_closes_at", w.humanClosesAt().map(Object::toString).orElse(null));
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
