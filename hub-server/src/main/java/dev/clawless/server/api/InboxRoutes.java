package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.account.Accounts;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.ConversationEvent;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.EventPump;
import dev.clawless.core.inbox.BusinessHours;
import dev.clawless.core.inbox.CannedResponses;
import dev.clawless.core.inbox.Inbox;
import dev.clawless.core.inbox.InboxSettings;
import dev.clawless.core.inbox.Labels;
import dev.clawless.core.inbox.Notes;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.tool.Approvals;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * The operator inbox's routes: the list and its live stream, inbox settings, a conversation's labels, notes, reads,
 * typing and tool calls, the tenant's labels and canned responses, search, CSAT, and hand-off routing per connection.
 */
public final class InboxRoutes {


    private static final Duration SEEN_EVERY = Duration.ofSeconds(30);

    /** What the inbox stream sends for each event, built once for all of this hub's inbox streams. */
    private final EventStream.Frames frames = new EventStream.Frames(e -> Optional.of("event: " + e.type()
            + "\ndata: " + data(e)));

    private final Inbox inbox;
    private final Labels labels;
    private final Notes notes;
    private final CannedResponses canned;
    private final ConversationManagement conversations;
    private final ChannelManagement channels;
    private final Approvals approvals;
    private final Accounts accounts;
    private final dev.clawless.core.conversation.Contacts contacts;
    private final Bodies bodies;
    private final EventPump pump;

    public InboxRoutes(Inbox inbox, Labels labels, Notes notes, CannedResponses canned,
                       ConversationManagement conversations, ChannelManagement channels, Approvals approvals,
                       Accounts accounts, dev.clawless.core.conversation.Contacts contacts, Bodies bodies,
                       EventPump pump) {
        this.pump = pump;
        this.contacts = contacts;
        this.inbox = inbox;
        this.labels = labels;
        this.notes = notes;
        this.canned = canned;
        this.conversations = conversations;
        this.channels = channels;
        this.approvals = approvals;
        this.accounts = accounts;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/inbox", this::list)
                .get("/v1/inbox/events", this::events)
                .get("/v1/inbox/settings", this::settings)
                .patch("/v1/inbox/settings", this::updateSettings)
                .post("/v1/conversations/{id}/labels", this::setLabels)
                .get("/v1/conversations/{id}/notes", this::notes)
                .post("/v1/conversations/{id}/notes", this::addNote)
                .post("/v1/conversations/{id}/read", this::read)
                .post("/v1/conversations/{id}/typing", this::typing)
                .get("/v1/conversations/{id}/tool-calls", this::toolCalls)
                .get("/v1/labels", this::labels)
                .post("/v1/labels", this::createLabel)
                .delete("/v1/labels/{name}", this::deleteLabel)
                .get("/v1/canned-responses", this::cannedList)
                .post("/v1/canned-responses", this::cannedCreate)
                .patch("/v1/canned-responses/{id}", this::cannedUpdate)
                .delete("/v1/canned-responses/{id}", this::cannedDelete)
                .get("/v1/search", this::search)
                .get("/v1/reports/csat", this::csat)
                .get("/v1/channels/{id}/routing", this::routing)
                .put("/v1/channels/{id}/routing", this::setRouting);
    }

    // ---------------------------------------------------------------------------------------------- the list

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Optional<String> userId = RequestState.of(req).userId();
        Optional<ConversationStatus> status = Inputs.query(req, "status").map(s -> ConversationStatus.fromWire(s)
                .orElseThrow(() -> ClawlessException.Validation.of("status", "must be bot, human or closed")));
        Optional<String> assignee = Inputs.query(req, "assignee").map(a -> switch (a) {
            case "me" -> userId.orElseThrow(() -> ClawlessException.Validation.of("assignee",
                    "'me' needs a signed-in person; name a user id"));
            case "none" -> "none";
            default -> Inputs.id(a, "usr", "member");
        });
        Optional<String> unread = Inputs.query(req, "unread");
        unread.filter(u -> !u.equals("true") && !u.equals("false")).ifPresent(u -> {
            throw ClawlessException.Validation.of("unread", "must be true or false");
        });
        Inbox.Filter filter = new Inbox.Filter(status, Inputs.query(req, "channel"), assignee,
                Inputs.query(req, "team").map(t -> Inputs.id(t, "tm", "team")), Inputs.query(req, "label"),
                unread.map(Boolean::parseBoolean).orElse(false));
        Json.send(res, Status.OK_200, Views.page(inbox.list(p.tenantId(), filter, userId, Inputs.page(req)),
                InboxRoutes::item));
    }

    static ObjectNode item(Inbox.Item i) {
        ObjectNode n = Json.object();
        n.set("conversation", ConversationRoutes.view(i.conversation()));
        if (i.conversation().contactId().isPresent()) {
            n.set("contact", Json.object().put("id", i.conversation().contactId().get())
                    .put("display_name", i.contactName().orElse(null)));
        } else {
            n.putNull("contact");
        }
        if (i.lastMessage().isPresent()) {
            Inbox.LastMessage m = i.lastMessage().get();
            n.set("last_message", Json.object().put("role", m.role()).put("text", m.text().length() > 300
                    ? m.text().substring(0, 300) + "…" : m.text()).put("created_at", Json.time(m.createdAt())));
        } else {
            n.putNull("last_message");
        }
        n.put("unread", i.unread());
        if (i.assignment().assigneeId().isPresent()) {
            n.set("assignee", Json.object().put("id", i.assignment().assigneeId().get())
                    .put("display_name", i.assignment().assigneeName().orElse(null)));
        } else {
            n.putNull("assignee");
        }
        n.put("team_id", i.assignment().teamId().orElse(null));
        ArrayNode l = n.putArray("labels");
        i.labels().forEach(l::add);
        n.put("waiting_since", i.assignment().waitingSince().map(Json::time).orElse(null));
        return n;
    }

    /**
     * Every event of the tenant's conversations as server-sent events, from now on (or after {@code Last-Event-ID});
     * a signed-in person connected here counts as online.
     */
    private void events(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Optional<String> userId = RequestState.of(req).userId();
        long requested = EventStream.after(req);
        // subscribed before the newest id is read: nothing committed in between is missed
        try (EventPump.Subscription events = pump.subscribe(p.tenantId(), null)) {
            long after = requested > 0 ? requested : conversations.latestEventId(p.tenantId());
            EventStream.begin(res);
            userId.ifPresent(accounts::seen);
            long[] nextSeen = {System.nanoTime() + SEEN_EVERY.toNanos()};
            try (OutputStream out = res.outputStream()) {
                EventStream.write(out, ": connected\n\n");
                EventStream.pumped(out, events, after, (from, o) -> {
                    long last = from;
                    while (true) {
                        List<ConversationEvent> batch = conversations.tenantEvents(p.tenantId(), last, 200);
                        for (ConversationEvent e : batch) {
                            frames.of(e).ifPresent(f -> EventStream.write(o, f));
                            last = e.id();
                        }
                        if (batch.size() < 200) {
                            return last;
                        }
                    }
                }, frames, null,
                        // signed out, removed, or the key revoked: no more of the tenant's events
                        EventStream.Access.of(req, Scope.CONVERSATIONS_READ), () -> {
                            long now = System.nanoTime();
                            if (now - nextSeen[0] > 0) {
                                userId.ifPresent(accounts::seen);
                                nextSeen[0] = now + SEEN_EVERY.toNanos();
                            }
                        });
            }
        } catch (UncheckedIOException | IOException disconnected) {
            // the console went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    /** An event's data with its conversation named, whatever the event carried. */
    private static String data(ConversationEvent e) {
        try {
            JsonNode n = Json.MAPPER.readTree(e.data());
            if (n instanceof ObjectNode o && !o.has("conversation_id")) {
                o.put("conversation_id", e.conversationId());
                return o.toString();
            }
            return e.data();
        } catch (IOException malformed) {
            return Json.object().put("conversation_id", e.conversationId()).toString();
        }
    }

    // ---------------------------------------------------------------------------------------------- settings

    private void settings(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, settings(inbox.settings(p.tenantId())));
    }

    private void updateSettings(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        InboxSettings current = inbox.settings(p.tenantId());
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("business_hours", "handoff_message", "away_message",
                "csat"));
        Optional<BusinessHours> hours = current.businessHours();
        if (in.has("business_hours")) {
            if (in.isNull("business_hours")) {
                hours = Optional.empty();
            } else {
                Optional<JsonInput> h = in.object("business_hours", Set.of("timezone", "days"));
                if (h.isPresent()) {
                    String zone = h.get().requiredString("timezone", 60);
                    Map<String, List<String>> days = new LinkedHashMap<>();
                    h.get().node("days").filter(JsonNode::isObject).ifPresent(d -> d.fields().forEachRemaining(f -> {
                        List<String> list = new ArrayList<>();
                        if (f.getValue().isArray() && f.getValue().size() <= 6) {
                            f.getValue().forEach(v -> list.add(v.asText()));
                        } else {
                            in.error("business_hours.days." + Inputs.printable(f.getKey()),
                                    "must be a list of at most 6 HH:MM-HH:MM intervals");
                        }
                        days.put(f.getKey(), list);
                    }));
                    try {
                        hours = Optional.of(BusinessHours.parse(zone, days, "business_hours"));
                    } catch (ClawlessException.Validation v) {
                        v.errors().forEach(e -> in.error(e.field(), e.message()));
                    }
                }
            }
        }
        String handoff = in.string("handoff_message", 1000).orElse(current.handoffMessage());
        String away = in.string("away_message", 1000).orElse(current.awayMessage());
        boolean csatEnabled = current.csatEnabled();
        String question = current.csatQuestion();
        Optional<JsonInput> csat = in.object("csat", Set.of("enabled", "question"));
        if (csat.isPresent()) {
            csatEnabled = csat.get().bool("enabled").orElse(csatEnabled);
            question = csat.get().string("question", 1000).orElse(question);
        }
        if (handoff.isBlank()) {
            in.error("handoff_message", "must not be blank");
        }
        if (away.isBlank()) {
            in.error("away_message", "must not be blank");
        }
        if (question.isBlank()) {
            in.error("csat.question", "must not be blank");
        }
        in.done();
        Json.send(res, Status.OK_200, settings(inbox.updateSettings(RequestState.of(req).actor(), p.tenantId(),
                new InboxSettings(hours, handoff, away, csatEnabled, question))));
    }

    private static ObjectNode settings(InboxSettings s) {
        ObjectNode n = Json.object();
        if (s.businessHours().isPresent()) {
            ObjectNode h = n.putObject("business_hours").put("timezone", s.businessHours().get().zone().getId());
            h.set("days", Json.MAPPER.valueToTree(s.businessHours().get().daysWire()));
        } else {
            n.putNull("business_hours");
        }
        n.put("handoff_message", s.handoffMessage()).put("away_message", s.awayMessage());
        n.putObject("csat").put("enabled", s.csatEnabled()).put("question", s.csatQuestion());
        return n;
    }

    // ---------------------------------------------------------------------------------------------- a conversation

    private String conversation(TenantPrincipal p, ServerRequest req) {
        return conversations.get(p.tenantId(), Inputs.pathId(req, "cnv", "conversation")).id();
    }

    private void setLabels(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("labels"));
        List<String> names = in.strings("labels", 50, 50).orElse(null);
        if (names == null) {
            in.error("labels", "is required: a list of label names");
        }
        in.done();
        ObjectNode body = Json.object();
        ArrayNode l = body.putArray("labels");
        labels.set(p.tenantId(), id, names).forEach(l::add);
        Json.send(res, Status.OK_200, body);
    }

    private void notes(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Views.list(notes.list(p.tenantId(), conversation(p, req)), InboxRoutes::note));
    }

    private void addNote(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = conversation(p, req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("text"));
        String text = in.requiredString("text", 20_000);
        in.done();
        RequestState state = RequestState.of(req);
        String author = state.person().map(w -> w.user().displayName()).orElse("API key " + p.keyId());
        Json.send(res, Status.CREATED_201, note(notes.add(p.tenantId(), id, state.actor().id(), author, text)));
    }

    private static ObjectNode note(Notes.Note n) {
        return Json.object().put("id", n.id()).put("conversation_id", n.conversationId())
                .put("author_id", n.authorId()).put("author_name", n.authorName()).put("text", n.text())
                .put("created_at", Json.time(n.createdAt()));
    }

    private void read(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        String id = conversation(p, req);
        RequestState.of(req).userId().ifPresent(u -> inbox.markRead(p.tenantId(), u, id));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void typing(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = conversation(p, req);
        inbox.typing(p.tenantId(), id, RequestState.of(req).person().map(w -> w.user().displayName())
                .orElse("operator"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void toolCalls(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        approvals.toolCalls(p.tenantId(), conversation(p, req)).forEach(c -> data.addObject().put("id", c.id())
                .put("tool", c.tool()).put("arguments", c.arguments()).put("outcome", c.outcome())
                .put("duration_ms", c.durationMs()).put("created_at", Json.time(c.createdAt())));
        Json.send(res, Status.OK_200, body);
    }

    // ---------------------------------------------------------------------------------------------- labels, canned

    private void labels(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Views.list(labels.list(p.tenantId()),
                l -> Json.object().put("name", l.name()).put("color", l.color())));
    }

    private void createLabel(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("name", "color"));
        String name = in.requiredString("name", 50);
        Optional<String> color = in.string("color", 7);
        in.done();
        Labels.Label l = labels.create(RequestState.of(req).actor(), p.tenantId(), name, color);
        Json.send(res, Status.CREATED_201, Json.object().put("name", l.name()).put("color", l.color()));
    }

    private void deleteLabel(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        labels.delete(RequestState.of(req).actor(), p.tenantId(), req.path().pathParameters().get("name"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void cannedList(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Views.list(canned.list(p.tenantId(), Inputs.query(req, "q")),
                InboxRoutes::canned));
    }

    private void cannedCreate(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("shortcut", "text"));
        String shortcut = in.requiredString("shortcut", 40);
        String text = in.requiredString("text", 5000);
        in.done();
        Json.send(res, Status.CREATED_201, canned(canned.create(RequestState.of(req).actor(), p.tenantId(), shortcut,
                text)));
    }

    private void cannedUpdate(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        String id = Inputs.pathId(req, "cnd", "canned response");
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("shortcut", "text"));
        Optional<String> shortcut = in.string("shortcut", 40);
        Optional<String> text = in.string("text", 5000);
        in.done();
        Json.send(res, Status.OK_200, canned(canned.update(RequestState.of(req).actor(), p.tenantId(), id, shortcut,
                text)));
    }

    private void cannedDelete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        canned.delete(RequestState.of(req).actor(), p.tenantId(), Inputs.pathId(req, "cnd", "canned response"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static ObjectNode canned(CannedResponses.Canned c) {
        return Json.object().put("id", c.id()).put("shortcut", c.shortcut()).put("text", c.text())
                .put("created_at", Json.time(c.createdAt())).put("updated_at", Json.time(c.updatedAt()));
    }

    // ---------------------------------------------------------------------------------------------- search, CSAT

    private void search(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        String q = Inputs.query(req, "q").orElseThrow(() -> ClawlessException.Validation.of("q", "is required"));
        ObjectNode body = Json.object();
        ArrayNode messages = body.putArray("messages");
        inbox.searchMessages(p.tenantId(), q, 50).forEach(m -> messages.addObject().put("id", m.messageId())
                .put("conversation_id", m.conversationId()).put("role", m.role())
                .put("text", m.text().length() > 500 ? m.text().substring(0, 500) + "…" : m.text())
                .put("created_at", Json.time(m.createdAt())));
        ArrayNode found = body.putArray("contacts");
        contacts.list(p.tenantId(), Optional.of(q), dev.clawless.core.common.PageRequest.first(20)).data()
                .forEach(c -> found.add(ContactRoutes.contact(c)));
        Json.send(res, Status.OK_200, body);
    }

    private void csat(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Instant to = Inputs.query(req, "to").map(d -> day(d, "to").plusDays(1)).orElse(LocalDate.now(ZoneOffset.UTC)
                .plusDays(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant from = Inputs.query(req, "from").map(d -> day(d, "from")).orElse(LocalDate.now(ZoneOffset.UTC)
                .minusDays(29)).atStartOfDay(ZoneOffset.UTC).toInstant();
        Inbox.CsatReport r = inbox.csat(p.tenantId(), from, to);
        ObjectNode body = Json.object().put("from", Json.time(from)).put("to", Json.time(to))
                .put("responses", r.responses()).put("average", r.average());
        ObjectNode d = body.putObject("distribution");
        r.distribution().forEach((k, v) -> d.put(String.valueOf(k), v));
        Json.send(res, Status.OK_200, body);
    }

    private static LocalDate day(String value, String field) {
        try {
            return LocalDate.parse(value);
        } catch (RuntimeException e) {
            throw ClawlessException.Validation.of(field, "must be a date, YYYY-MM-DD");
        }
    }

    // ---------------------------------------------------------------------------------------------- routing

    private void routing(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        String id = channels.get(p.tenantId(), Inputs.pathId(req, "con", "channel connection")).id();
        Json.send(res, Status.OK_200, routing(inbox.routing(p.tenantId(), id)));
    }

    private void setRouting(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        String id = channels.get(p.tenantId(), Inputs.pathId(req, "con", "channel connection")).id();
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("auto_assign", "team_id"));
        boolean auto = in.bool("auto_assign").orElse(false);
        Optional<String> team = in.string("team_id", 60).map(t -> Inputs.id(t, "tm", "team"));
        in.done();
        Json.send(res, Status.OK_200, routing(inbox.routing(RequestState.of(req).actor(), p.tenantId(), id,
                new Inbox.Routing(auto, team))));
    }

    private static ObjectNode routing(Inbox.Routing r) {
        return Json.object().put("auto_assign", r.autoAssign()).put("team_id", r.teamId().orElse(null));
    }
}
