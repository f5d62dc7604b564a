package dev.clawless.core.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.account.Member;
import dev.clawless.core.account.Memberships;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.inbox.internal.InboxStore;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/**
 * The operator inbox over a tenant's conversations: who has each one (a member, a team) and since when it waits for
 * a person; hand-off from the assistant into the queue, with round-robin auto-assignment among online members under
 * their capacity and a business-hours aware message to the contact; take over, hand back, resolve (with a CSAT
 * question) and reopen; what each member has read; the list and the search the console shows. Changes publish
 * conversation events in the same transaction, so the console's stream sees them. Thread-safe.
 */
public final class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long after the question a contact's number still counts as a rating. */
    static final Duration CSAT_WINDOW = Duration.ofDays(7);

    private final Database database;
    private final ConversationManagement conversations;
    private final Memberships memberships;
    private final AuditLog audit;
    private final Clock clock;
    private final Ids ids;
    private final InboxStore store = new InboxStore();
    private volatile TypingIndicator typing = (tenantId, conversation) -> { };

    public Inbox(Database database, ConversationManagement conversations, Memberships memberships, AuditLog audit,
                 Clock clock, Ids ids) {
        this.database = database;
        this.conversations = conversations;
        this.memberships = memberships;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
        memberships.onMemberRemoved(this::memberRemoved);
    }

    /** Shows "typing…" to a contact on the conversation's channel, where it can; set once while wiring. */
    public interface TypingIndicator {
        void typing(String tenantId, Conversation conversation);
    }

    public void typingIndicator(TypingIndicator indicator) {
        this.typing = indicator;
    }

    // ---------------------------------------------------------------------------------------------- records

    /** Who has a conversation: a member and/or a team, and since when it waits for a person. */
    public record Assignment(Optional<String> assigneeId, Optional<String> assigneeName, Optional<String> teamId,
                             Optional<Instant> waitingSince) {
    }

    /** The latest message of a conversation, as the list shows it. */
    public record LastMessage(String role, String text, Instant createdAt) {
    }

    /** One row of the inbox. */
    public record Item(Conversation conversation, Optional<String> contactName, Optional<LastMessage> lastMessage,
                       long unread, Assignment assignment, List<String> labels) {
        public Item {
            labels = List.copyOf(labels);
        }
    }

    /**
     * What the inbox lists.
     *
     * @param assignee   {@code none} for the unassigned queue, or a user id
     * @param unreadOnly only conversations with messages the caller has not read
     */
    public record Filter(Optional<ConversationStatus> status, Optional<String> channel, Optional<String> assignee,
                         Optional<String> teamId, Optional<String> label, boolean unreadOnly) {
        public static final Filter ALL = new Filter(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), false);
    }

    /** A connection's hand-off routing: auto-assign new hand-offs (to a team's members, when set). */
    public record Routing(boolean autoAssign, Optional<String> teamId) {
    }

    /** Ratings in a period. */
    public record CsatReport(long responses, double average, Map<Integer, Long> distribution) {
    }

    // ---------------------------------------------------------------------------------------------- listing

    /** The inbox, most recent activity first; {@code userId} (a person, not a key) counts what they have not read. */
    public Page<Item> list(String tenantId, Filter filter, Optional<String> userId, PageRequest page) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        filter.status().ifPresent(s -> {
            conditions.add("c.status = ?");
            params.add(s.wire());
        });
        filter.channel().ifPresent(ch -> {
            conditions.add("c.channel_type = ?");
            params.add(ch);
        });
        filter.assignee().ifPresent(a -> {
            if (a.equals("none")) {
                conditions.add("i.assignee_user_id IS NULL");
            } else {
                conditions.add("i.assignee_user_id = ?");
                params.add(a);
            }
        });
        filter.teamId().ifPresent(t -> {
            conditions.add("i.team_id = ?");
            params.add(t);
        });
        filter.label().ifPresent(l -> {
            conditions.add("EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND"
                    + " cl.label = ?)");
            params.add(l);
        });
        if (filter.unreadOnly() && userId.isPresent()) {
            conditions.add("EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction ="
                    + " 'inbound' AND m.seq > COALESCE((SELECT r.last_read_seq FROM conversation_reads r WHERE"
                    + " r.user_id = ? AND r.conversation_id = c.id), 0))");
            params.add(userId.get());
        }
        Optional<Instant> cursorActivity = Optional.empty();
        Optional<String> cursorId = Optional.empty();
        if (page.cursor().isPresent()) {
            String decoded = dev.clawless.core.common.Cursors.decode(page.cursor().get());
            int bar = decoded.indexOf('|');
            try {
                cursorActivity = Optional.of(Instant.parse(decoded.substring(0, bar)));
                cursorId = Optional.of(decoded.substring(bar + 1));
            } catch (RuntimeException e) {
                throw ClawlessException.Validation.of("cursor", "is not a cursor of this list");
            }
        }
        List<InboxStore.Row> rows = store.list(database.execute(), tenantId, conditions, params, cursorActivity,
                cursorId, page.limit() + 1);
        List<InboxStore.Row> shown = rows.size() > page.limit() ? rows.subList(0, page.limit()) : rows;
        List<String> idList = shown.stream().map(InboxStore.Row::conversationId).toList();
        Map<String, InboxStore.Last> last = store.lastMessages(database.execute(), idList);
        Map<String, Long> unread = userId.map(u -> store.unread(database.execute(), u, idList)).orElse(Map.of());
        Map<String, List<String>> labels = Labels.of(database.execute(), idList);
        List<Item> items = new ArrayList<>();
        Map<String, Conversation> found = conversations.getAll(tenantId, idList);
        for (InboxStore.Row r : shown) {
            Conversation c = found.get(r.conversationId());
            if (c == null) {
                continue; // deleted since the list was read
            }
            items.add(new Item(c, r.contactName(), Optional.ofNullable(last.get(r.conversationId()))
                    .map(l -> new LastMessage(l.role(), l.text(), l.createdAt())),
                    unread.getOrDefault(r.conversationId(), 0L), new Assignment(r.assigneeId(), r.assigneeName(),
                    r.teamId(), r.waitingSince()), labels.getOrDefault(r.conversationId(), List.of())));
        }
        Optional<String> next = rows.size() > page.limit()
                ? Optional.of(dev.clawless.core.common.Cursors.encode(shown.get(shown.size() - 1).activity() + "|"
                + shown.get(shown.size() - 1).conversationId())) : Optional.empty();
        return new Page<>(items, next);
    }

    /** Open ({@code human}) conversations assigned to each member of the tenant. */
    public Map<String, Long> openCounts(String tenantId) {
        return store.openCounts(database.execute(), tenantId);
    }

    /** One conversation as the inbox shows it. */
    public Item item(String tenantId, String conversationId, Optional<String> userId) {
        Conversation c = conversations.get(tenantId, conversationId);
        InboxStore.State s = store.state(database.execute(), c.id());
        Map<String, InboxStore.Last> last = store.lastMessages(database.execute(), List.of(c.id()));
        long unread = userId.map(u -> store.unread(database.execute(), u, List.of(c.id())).getOrDefault(c.id(), 0L))
                .orElse(0L);
        Optional<String> contactName = Optional.empty();
        if (c.contactId().isPresent()) {
            contactName = database.execute().createGet("SELECT display_name FROM contacts WHERE id = ?")
                    .params(c.contactId().get()).execute().flatMap(r -> Database.optionalString(r.column(1)));
        }
        Optional<String> assigneeName = s.assigneeId().flatMap(a -> memberName(tenantId, a));
        return new Item(c, contactName, Optional.ofNullable(last.get(c.id()))
                .map(l -> new LastMessage(l.role(), l.text(), l.createdAt())), unread,
                new Assignment(s.assigneeId(), assigneeName, s.teamId(), s.waitingSince()),
                Labels.of(database.execute(), List.of(c.id())).getOrDefault(c.id(), List.of()));
    }

    private Optional<String> memberName(String tenantId, String userId) {
        try {
            return Optional.of(memberships.member(tenantId, userId).user().displayName());
        } catch (ClawlessException.NotFound gone) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------------------------------------- working it

    /**
     * Changes who has a conversation and its status, in one transaction with the conversation's inbox row locked, so
     * two people acting at once are served one after the other. {@code human} without an assignee is a take-over by
     * the caller (a member): they get the conversation when it is the assistant's, closed, or waiting in the queue
     * unassigned; when another person has it, 409. Only an admin ({@code mayReassign}) or the holder moves a
     * conversation a person has to someone else (or to nobody). {@code bot} hands it back to the assistant;
     * {@code closed} resolves it (and asks the contact for a rating when CSAT is on). A status change ends an open
     * rating question.
     *
     * @param assignee    present to change the assignee: a member's id, or empty to unassign
     * @param team        present to change the team: a team id, or empty for none
     * @param caller      the person acting, if a person (not a key)
     * @param mayReassign the caller may take a conversation from the person who has it (a tenant admin)
     * @throws ClawlessException.Conflict when another person has the conversation and the caller may not take it
     */
    public Item update(Actor actor, String tenantId, String conversationId, Optional<ConversationStatus> status,
                       Optional<Optional<String>> assignee, Optional<Optional<String>> team,
                       Optional<String> caller, boolean mayReassign) {
        conversations.get(tenantId, conversationId);
        assignee.flatMap(a -> a).ifPresent(a -> memberships.member(tenantId, a));
        team.flatMap(t -> t).ifPresent(t -> memberships.team(tenantId, t));
        Optional<String> callerMember = caller.filter(u -> memberName(tenantId, u).isPresent());
        Instant now = now();
        Conversation before = database.inTransaction(tx -> {
            InboxStore.State was = store.lock(tx, tenantId, conversationId, now);
            Conversation c = conversations.lock(tx, tenantId, conversationId);
            ConversationStatus after = status.orElse(c.status());
            Optional<String> holder = c.status() == ConversationStatus.HUMAN ? was.assigneeId() : Optional.empty();
            boolean heldByAnother = holder.isPresent() && !holder.equals(caller);
            boolean take = status.filter(s -> s == ConversationStatus.HUMAN).isPresent() && assignee.isEmpty()
                    && callerMember.isPresent();
            Optional<String> newAssignee = take ? callerMember : assignee.orElse(was.assigneeId());
            if (heldByAnother && !newAssignee.equals(holder) && (take || !mayReassign)) {
                throw new ClawlessException.Conflict(memberName(tenantId, holder.get()).orElse("another member")
                        + " has this conversation; " + (take ? "an admin can reassign it" : "only an admin can"
                        + " give it to someone else"));
            }
            Optional<String> newTeam = team.orElse(was.teamId());
            Optional<Instant> waiting = after == ConversationStatus.HUMAN ? was.waitingSince() : Optional.empty();
            Optional<Instant> csat = after != c.status() ? Optional.empty() : was.csatRequestedAt();
            store.save(tx, tenantId, new InboxStore.State(c.id(), newAssignee, newTeam, waiting, csat), now);
            if (after != c.status()) {
                conversations.setStatus(tx, tenantId, c.id(), after);
            }
            if (!newAssignee.equals(was.assigneeId()) || !newTeam.equals(was.teamId())) {
                conversations.publish(tx, tenantId, c.id(), "conversation.assigned", JSON.createObjectNode()
                        .put("conversation_id", c.id()).put("assignee_id", newAssignee.orElse(null))
                        .put("team_id", newTeam.orElse(null)).toString());
                audit.record(tx, actor, Optional.of(tenantId), "conversation.assigned", Optional.of(c.id()),
                        Map.of("assignee", newAssignee.orElse("none"), "team", newTeam.orElse("none")));
            }
            if (after == ConversationStatus.HUMAN && c.status() != ConversationStatus.HUMAN) {
                audit.record(tx, actor, Optional.of(tenantId), "conversation.taken_over", Optional.of(c.id()),
                        Map.of("from", c.status().wire()));
            }
            return c;
        });
        if (status.filter(s -> s == ConversationStatus.CLOSED).isPresent()
                && before.status() != ConversationStatus.CLOSED) {
            askForRating(tenantId, before);
        }
        return item(tenantId, conversationId, caller);
    }

    /**
     * Hands a conversation to a person: it becomes {@code human}, waits in the queue (or goes to the next online
     * member of the connection's routing), members are told on the console ({@code conversation.handoff}). With
     * auto-assignment, hand-offs of one tenant pick their member one after another (under the tenant's assignment
     * lock), so two at once never both go to the member with one free place.
     *
     * @return what to tell the contact: someone will reply, or — outside business hours — when
     */
    public String handOff(String tenantId, String conversationId, String reason) {
        conversations.get(tenantId, conversationId);
        Instant now = now();
        database.inTransaction(tx -> {
            Conversation c = conversations.get(tx, tenantId, conversationId);
            InboxStore.Routing routing = store.routing(tx, c.connectionId());
            if (routing.autoAssign()) {
                store.lockTenant(tx, tenantId);
            }
            InboxStore.State before = store.lock(tx, tenantId, c.id(), now);
            Optional<String> team = before.teamId().or(routing::teamId);
            Optional<String> assignee = before.assigneeId();
            if (assignee.isEmpty() && routing.autoAssign()) {
                assignee = nextAgent(tx, tenantId, team);
                assignee.ifPresent(a -> store.rotated(tx, tenantId, a, now));
            }
            store.save(tx, tenantId, new InboxStore.State(c.id(), assignee, team,
                    before.waitingSince().or(() -> Optional.of(now)), Optional.empty()), now);
            conversations.setStatus(tx, tenantId, c.id(), ConversationStatus.HUMAN);
            Optional<String> contactName = c.contactId().flatMap(id -> tx.createGet("SELECT display_name FROM contacts"
                    + " WHERE id = ?").params(id).execute().flatMap(r -> Database.optionalString(r.column(1))));
            ObjectNode data = JSON.createObjectNode().put("conversation_id", c.id()).put("reason", reason)
                    .put("assignee_id", assignee.orElse(null)).put("team_id", team.orElse(null))
                    .put("contact_name", contactName.orElse(null)).put("channel", c.channelType());
            conversations.publish(tx, tenantId, c.id(), "conversation.handoff", data.toString());
            if (!assignee.equals(before.assigneeId())) {
                conversations.publish(tx, tenantId, c.id(), "conversation.assigned", JSON.createObjectNode()
                        .put("conversation_id", c.id()).put("assignee_id", assignee.orElse(null))
                        .put("team_id", team.orElse(null)).toString());
            }
            audit.record(tx, new Actor("assistant", "handoff"), Optional.of(tenantId), "conversation.handed_off",
                    Optional.of(c.id()), Map.of("reason", reason.length() > 200 ? reason.substring(0, 200) : reason,
                            "assignee", assignee.orElse("none")));
            return null;
        });
        return contactMessage(tenantId, now);
    }

    /** The online member (of {@code team}, when set) under capacity who was assigned longest ago. */
    private Optional<String> nextAgent(io.helidon.dbclient.DbExecute tx, String tenantId, Optional<String> team) {
        // read in the hand-off's transaction (the tenant locked): a member removed meanwhile is not picked, and no
        // second connection is needed while the lock is held
        List<String> teamMembers = team.map(t -> memberships.teamMemberIds(tx, tenantId, t)).orElse(null);
        Map<String, Long> open = store.openCounts(tx, tenantId);
        Map<String, Instant> rotation = store.rotation(tx, tenantId);
        return memberships.members(tx, tenantId).stream()
                .filter(Member::online)
                .filter(m -> teamMembers == null || teamMembers.contains(m.user().id()))
                .filter(m -> open.getOrDefault(m.user().id(), 0L) < m.capacity())
                .min(Comparator.comparing((Member m) -> rotation.getOrDefault(m.user().id(), Instant.EPOCH))
                        .thenComparing(m -> m.user().id()))
                .map(m -> m.user().id());
    }

    /** What the contact is told on a hand-off now: the hand-off message, or outside business hours the away one. */
    public String contactMessage(String tenantId, Instant now) {
        InboxSettings s = settings(tenantId);
        if (s.businessHours().isEmpty() || s.businessHours().get().isOpen(now)) {
            return s.handoffMessage();
        }
        String next = s.businessHours().get().nextOpening(now).map(BusinessHours::describe).orElse("soon");
        return s.awayMessage().replace("{next}", next);
    }

    /** An operator answered: the conversation no longer waits. */
    public void operatorReplied(String tenantId, String conversationId) {
        Instant now = now();
        database.inTransaction(tx -> {
            InboxStore.State s = store.lock(tx, tenantId, conversationId, now);
            if (s.waitingSince().isPresent()) {
                store.save(tx, tenantId, new InboxStore.State(conversationId, s.assigneeId(), s.teamId(),
                        Optional.empty(), s.csatRequestedAt()), now);
            }
            return null;
        });
    }

    /** Marks everything in the conversation read for a person. */
    public void markRead(String tenantId, String userId, String conversationId) {
        conversations.get(tenantId, conversationId);
        database.inTransaction(tx -> {
            store.read(tx, userId, conversationId);
            return null;
        });
    }

    /** Shows the contact that someone is typing: on the widget's stream, and on the channel where it has one. */
    public void typing(String tenantId, String conversationId, String displayName) {
        Conversation c = conversations.get(tenantId, conversationId);
        conversations.publish(tenantId, c.id(), "operator.typing", JSON.createObjectNode()
                .put("conversation_id", c.id()).put("name", displayName).toString());
        typing.typing(tenantId, c);
    }

    private void memberRemoved(String tenantId, String userId) {
        database.inTransaction(tx -> {
            store.lockTenant(tx, tenantId); // after any hand-off choosing a member right now
            store.forgetRotation(tx, tenantId, userId);
            for (String id : store.unassignAll(tx, tenantId, userId)) {
                conversations.publish(tx, tenantId, id, "conversation.assigned", JSON.createObjectNode()
                        .put("conversation_id", id).putNull("assignee_id").toString());
            }
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- CSAT

    private void askForRating(String tenantId, Conversation c) {
        InboxSettings s = settings(tenantId);
        if (!s.csatEnabled() || c.connectionId().equals(ConversationManagement.API_CONNECTION)) {
            return;
        }
        Instant now = now();
        // the question is open before it is asked: an answer arriving at once is taken as the rating
        database.inTransaction(tx -> {
            InboxStore.State st = store.lock(tx, tenantId, c.id(), now);
            store.save(tx, tenantId, new InboxStore.State(c.id(), st.assigneeId(), st.teamId(), Optional.empty(),
                    Optional.of(now)), now);
            return null;
        });
        conversations.assistantNotice(tenantId, c.id(), s.csatQuestion(), Map.of("csat", "request"));
    }

    /**
     * Takes a contact's answer to the rating question: the first message after the question, when it is a number
     * from 1 to 5 (or that many stars) within {@link #CSAT_WINDOW}, is stored, the conversation closes again, and the
     * answer is what to thank them with. Any other first message ends the question (a "3" sent later is a message,
     * not a rating) and goes to the assistant (empty).
     */
    public Optional<String> captureRating(String tenantId, Conversation conversation, Message inbound) {
        if (store.state(database.execute(), conversation.id()).csatRequestedAt().isEmpty()) {
            return Optional.empty(); // the common case: no question open, no lock taken
        }
        Instant now = now();
        Optional<Integer> rating = rating(inbound.text());
        boolean rated = database.inTransaction(tx -> {
            InboxStore.State s = store.lock(tx, tenantId, conversation.id(), now);
            if (s.csatRequestedAt().isEmpty() || inbound.createdAt().isBefore(s.csatRequestedAt().get())) {
                return false; // no question open, or the message was written before it was asked
            }
            boolean inTime = !s.csatRequestedAt().get().plus(CSAT_WINDOW).isBefore(now);
            store.save(tx, tenantId, new InboxStore.State(conversation.id(), s.assigneeId(), s.teamId(),
                    s.waitingSince(), Optional.empty()), now);
            if (!inTime || rating.isEmpty()) {
                return false;
            }
            store.csat(tx, ids.next("csat"), tenantId, conversation.id(), rating.get(), now);
            conversations.publish(tx, tenantId, conversation.id(), "csat.rated", JSON.createObjectNode()
                    .put("conversation_id", conversation.id()).put("rating", rating.get()).toString());
            conversations.setStatus(tx, tenantId, conversation.id(), ConversationStatus.CLOSED);
            return true;
        });
        return rated ? Optional.of("Thank you for your rating!") : Optional.empty();
    }

    static Optional<Integer> rating(String text) {
        String t = text.strip();
        if (t.matches("[1-5]")) {
            return Optional.of(Integer.parseInt(t));
        }
        if (t.matches("[1-5]\\s*/\\s*5")) {
            return Optional.of(t.charAt(0) - '0');
        }
        long stars = t.codePoints().filter(cp -> cp == '⭐' || cp == '★').count();
        if (stars >= 1 && stars <= 5 && t.codePoints().allMatch(cp -> cp == '⭐' || cp == '★' || cp == 0xFE0F
                || Character.isWhitespace(cp))) {
            return Optional.of((int) stars);
        }
        return Optional.empty();
    }

    public CsatReport csat(String tenantId, Instant from, Instant to) {
        Map<Integer, Long> d = store.csatDistribution(database.execute(), tenantId, from, to);
        Map<Integer, Long> full = new java.util.LinkedHashMap<>();
        long n = 0;
        long sum = 0;
        for (int i = 1; i <= 5; i++) {
            long c = d.getOrDefault(i, 0L);
            full.put(i, c);
            n += c;
            sum += c * i;
        }
        return new CsatReport(n, n == 0 ? 0 : Math.round(sum * 100.0 / n) / 100.0, full);
    }

    // ---------------------------------------------------------------------------------------------- routing, settings

    public Routing routing(String tenantId, String connectionId) {
        InboxStore.Routing r = store.routing(database.execute(), connectionId);
        return new Routing(r.autoAssign(), r.teamId());
    }

    public Routing routing(Actor actor, String tenantId, String connectionId, Routing routing) {
        routing.teamId().ifPresent(t -> memberships.team(tenantId, t));
        database.inTransaction(tx -> {
            store.routing(tx, tenantId, connectionId, new InboxStore.Routing(routing.autoAssign(), routing.teamId()));
            audit.record(tx, actor, Optional.of(tenantId), "channel.routing_changed", Optional.of(connectionId),
                    Map.of("auto_assign", String.valueOf(routing.autoAssign()), "team", routing.teamId()
                            .orElse("none")));
            return null;
        });
        return routing(tenantId, connectionId);
    }

    public InboxSettings settings(String tenantId) {
        return store.settings(database.execute(), tenantId).map(Inbox::readSettings).orElse(InboxSettings.DEFAULT);
    }

    public InboxSettings updateSettings(Actor actor, String tenantId, InboxSettings settings) {
        database.inTransaction(tx -> {
            store.settings(tx, tenantId, writeSettings(settings));
            audit.record(tx, actor, Optional.of(tenantId), "inbox.settings_changed", Optional.of(tenantId), Map.of());
            return null;
        });
        return settings(tenantId);
    }

    private static String writeSettings(InboxSettings s) {
        ObjectNode n = JSON.createObjectNode();
        s.businessHours().ifPresent(b -> {
            ObjectNode h = n.putObject("business_hours").put("timezone", b.zone().getId());
            h.set("days", JSON.valueToTree(b.daysWire()));
        });
        n.put("handoff_message", s.handoffMessage()).put("away_message", s.awayMessage());
        n.putObject("csat").put("enabled", s.csatEnabled()).put("question", s.csatQuestion());
        return n.toString();
    }

    private static InboxSettings readSettings(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            Optional<BusinessHours> hours = Optional.empty();
            if (n.hasNonNull("business_hours")) {
                Map<String, List<String>> days = new java.util.LinkedHashMap<>();
                n.path("business_hours").path("days").fields().forEachRemaining(f -> {
                    List<String> list = new ArrayList<>();
                    f.getValue().forEach(v -> list.add(v.asText()));
                    days.put(f.getKey(), list);
                });
                hours = Optional.of(BusinessHours.parse(n.path("business_hours").path("timezone").asText("UTC"),
                        days, "business_hours"));
            }
            InboxSettings d = InboxSettings.DEFAULT;
            return new InboxSettings(hours, n.path("handoff_message").asText(d.handoffMessage()),
                    n.path("away_message").asText(d.awayMessage()), n.path("csat").path("enabled").asBoolean(false),
                    n.path("csat").path("question").asText(d.csatQuestion()));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warning(() -> "unreadable inbox settings; using the defaults: " + e.getMessage());
            return InboxSettings.DEFAULT;
        }
    }

    // ---------------------------------------------------------------------------------------------- search

    /** A message found by search. */
    public record Found(String messageId, String conversationId, String role, String text, Instant createdAt) {
    }

    /** Messages of the tenant containing {@code query} (case-insensitive), newest first. */
    public List<Found> searchMessages(String tenantId, String query, int limit) {
        String q = query.strip();
        if (q.isEmpty() || q.length() > 200) {
            throw ClawlessException.Validation.of("q", "must be 1-200 characters");
        }
        String pattern = "%" + Contacts.escapeLike(q.toLowerCase(Locale.ROOT)) + "%";
        return store.searchMessages(database.execute(), tenantId, pattern, limit).stream()
                .map(r -> new Found(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class),
                        Database.instant(r.column(5)).orElseThrow()))
                .toList();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
