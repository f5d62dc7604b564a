package dev.clawless.core.conversation;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.common.Texts;
import dev.clawless.core.conversation.internal.ConversationStore;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

/**
 * Conversations and their messages, and the ingest path of inbound messages. Every method takes the tenant, and ids
 * of another tenant's rows are not found. Thread-safe.
 */
public final class ConversationManagement {

    /**
     * Conversation metadata set while the contact has opted out of messages on its channel (an SMS STOP): nothing is
     * sent in it until they opt back in.
     */
    public static final String OPTED_OUT = "opted_out";


    /** SQL states of a lost race that a retry resolves: unique violation, serialization failure, deadlock, H2 lock timeout. */
    private static final Set<String> RETRYABLE = Set.of("23505", "40001", "40P01", "HYT00");
    private static final int MAX_TRIES = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final JobQueue jobs;
    private final Clock clock;
    private final Ids ids;
    private final IntentDetector intents;
    private volatile EventSink sink = EventSink.NONE;
    private static final Runnable NO_LISTENER = () -> { };
    private volatile Runnable eventsCommitted = NO_LISTENER;
    private volatile int deliveryAttempts = 10;
    private final ConversationStore store = new ConversationStore();
    private final MessageDeliveries deliveries;

    /** Without intent detection. */
    public ConversationManagement(Database database, JobQueue jobs, Clock clock, Ids ids) {
        this(database, jobs, clock, ids, IntentDetector.NONE);
    }

    public ConversationManagement(Database database, JobQueue jobs, Clock clock, Ids ids, IntentDetector intents) {
        this.database = database;
        this.jobs = jobs;
        this.clock = clock;
        this.ids = ids;
        this.intents = intents;
        this.deliveries = new MessageDeliveries(database, this, clock);
    }

    /**
     * Stores an inbound message of {@code tenantId} and, in the same transaction, the job of the assistant's turn
     * (unless a human has the conversation). Resolves the sender's identity and contact and the conversation of the
     * thread, creating them when new; a closed conversation reopens. A message the connection already has (same
     * external id) is a duplicate: nothing is stored or enqueued again, however many deliveries race. An edit updates
     * the stored text and enqueues nothing.
     */
    public Ingested ingest(String tenantId, InboundMessage raw) {
        InboundMessage in = storable(raw);
        // detected once, outside the transaction: embedding takes milliseconds and a retried transaction reuses it
        Optional<IntentDetector.DetectedIntent> intent = detectIntent(tenantId, in);
        RuntimeException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return database.inTransaction(tx -> ingestOnce(tx, tenantId, in, intent));
            } catch (RuntimeException e) {
                if (!isLostRace(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    /**
     * The intent of an inbound message (none for an edit), for {@link #ingest(DbExecute, String, InboundMessage,
     * Optional)}: detected before the transaction, since embedding the text takes milliseconds.
     */
    Optional<IntentDetector.DetectedIntent> detectIntent(String tenantId, InboundMessage in) {
        return in.edited() ? Optional.empty() : intents.detect(tenantId, Texts.clean(in.text()));
    }

    /**
     * Stores an inbound message in the caller's transaction, as {@link #ingest(String, InboundMessage)} does in its
     * own: for the {@link InboundDeriver}, which derives a batch of logged events in one transaction. A lost race (a
     * unique violation) fails the transaction; the caller retries.
     */
    Ingested ingest(DbExecute tx, String tenantId, InboundMessage raw, Optional<IntentDetector.DetectedIntent> intent) {
        return ingestOnce(tx, tenantId, storable(raw), intent);
    }

    /** The message with every string {@link Texts#clean clean}: what any database can store. */
    private static InboundMessage storable(InboundMessage m) {
        Participant p = m.sender();
        java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
        m.metadata().forEach((k, v) -> metadata.put(Texts.clean(k), Texts.clean(v)));
        return new InboundMessage(m.channelType(), m.connectionId(), Texts.clean(m.externalMessageId()),
                Texts.clean(m.externalThreadKey()), new Participant(Texts.clean(p.externalId()),
                p.displayName().map(Texts::clean), p.username().map(Texts::clean)), Texts.clean(m.text()),
                m.attachments().stream().map(a -> new dev.clawless.plugin.api.Attachment(a.kind(),
                        a.url().map(Texts::clean), a.mimeType().map(Texts::clean), a.fileName().map(Texts::clean),
                        a.sizeBytes(), a.externalId().map(Texts::clean))).toList(),
                m.timestamp(), m.chatType(), m.replyToExternalId().map(Texts::clean), m.edited(), metadata);
    }

    private Ingested ingestOnce(DbExecute tx, String tenantId, InboundMessage in,
                                Optional<IntentDetector.DetectedIntent> intent) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<Message> existing = store.findByExternalId(tx, in.connectionId(), in.externalMessageId());
        if (existing.isPresent()) {
            Message earlier = existing.get();
            Conversation conversation = store.find(tx, tenantId, earlier.conversationId()).orElseThrow();
            if (in.edited() && !earlier.text().equals(in.text())) {
                store.edit(tx, earlier.id(), in.text(), in.attachments(), now);
                return new Ingested(conversation, store.findMessage(tx, tenantId, earlier.id()).orElseThrow(),
                        Ingested.Outcome.EDITED, Optional.empty());
            }
            return new Ingested(conversation, earlier, Ingested.Outcome.DUPLICATE, Optional.empty());
        }
        ConversationStore.Identity identity = store.identity(tx, tenantId, in.channelType(), in.connectionId(),
                in.sender(), Optional.ofNullable(in.metadata().get(VERIFIED)), ids.next("ctc"), ids.next("idn"), now);
        // the conversation as it is now, its row locked before anything references it: a take-over or hand-off
        // committing meanwhile is not written over, and two messages of one conversation are stored one after the
        // other. An existing thread is found and locked in one statement.
        Optional<Conversation> locked = store.lockByThread(tx, tenantId, in.connectionId(), in.externalThreadKey());
        ConversationStore.Resolved resolved;
        Conversation conversation;
        if (locked.isPresent()) {
            conversation = locked.get();
            resolved = new ConversationStore.Resolved(conversation, false);
        } else {
            resolved = store.conversation(tx, tenantId, in.channelType(), in.connectionId(), in.externalThreadKey(),
                    identity.contactId(), in.chatType(), ids.next("cnv"), now);
            conversation = store.lock(tx, tenantId, resolved.conversation().id()).orElseThrow();
        }
        ConversationStatus was = conversation.status();
        if (resolved.created()) {
            event(tx, tenantId, conversation.id(), "conversation.created", conversationEvent(conversation), now);
        }
        java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>(in.metadata());
        intent.flatMap(IntentDetector.DetectedIntent::mode).ifPresent(mode -> metadata.put("mode", mode));
        Message message = new Message(ids.next("msg"), 0, tenantId, conversation.id(), in.connectionId(),
                Optional.of(in.externalMessageId()), true, MessageRole.USER, Optional.of(identity.id()), in.text(),
                in.attachments(), MessageStatus.RECEIVED, Optional.empty(), in.replyToExternalId(), in.edited(),
                metadata, intent.map(IntentDetector.DetectedIntent::name), now);
        if (!store.insertMessage(tx, message, intent.map(IntentDetector.DetectedIntent::score).orElse(null))) {
            // another delivery of the same message won the race and committed first
            Message earlier = store.findByExternalId(tx, in.connectionId(), in.externalMessageId()).orElseThrow();
            return new Ingested(conversation, earlier, Ingested.Outcome.DUPLICATE, Optional.empty());
        }
        ConversationStatus status = was == ConversationStatus.CLOSED ? ConversationStatus.BOT : was;
        store.touch(tx, conversation.id(), status, now);
        if (status != was) {
            statusEvent(tx, tenantId, conversation.id(), was, status, now);
        }
        event(tx, tenantId, conversation.id(), "message.created", messageEvent(message), now);
        intent.ifPresent(i -> event(tx, tenantId, conversation.id(), "intent.detected", JSON.createObjectNode()
                .put("message_id", message.id()).put("conversation_id", conversation.id()).put("intent", i.name())
                .put("score", i.score()).put("mode", i.mode().orElse(null)).toString(), now));
        // an opt-out keyword (SMS STOP) or its reversal: kept on the conversation, and never answered (the platform
        // confirms it itself)
        boolean optedOut = "true".equals(conversation.metadata().get(OPTED_OUT));
        // START (or YES) matters only to a contact who opted out; from anyone else it is an ordinary message
        Optional<String> optOut = Optional.ofNullable(in.metadata().get(ChannelExtension.OPT_OUT))
                .filter(k -> k.equals("stop") || (k.equals("start") && optedOut));
        java.util.Map<String, String> conversationMetadata = conversation.metadata();
        if (optOut.isPresent()) {
            java.util.Map<String, String> changed = new java.util.LinkedHashMap<>(conversation.metadata());
            boolean stop = optOut.get().equals("stop");
            if (stop) {
                changed.put(OPTED_OUT, "true");
            } else {
                changed.remove(OPTED_OUT);
            }
            store.setMetadata(tx, conversation.id(), changed, now);
            conversationMetadata = changed;
            event(tx, tenantId, conversation.id(), stop ? "contact.opted_out" : "contact.opted_in",
                    JSON.createObjectNode().put("conversation_id", conversation.id())
                            .put("message_id", message.id()).put("connection_id", in.connectionId()).toString(), now);
        }
        Optional<Long> job = Optional.empty();
        boolean stillOptedOut = "true".equals(conversationMetadata.get(OPTED_OUT));
        if (status == ConversationStatus.BOT && optOut.isEmpty() && !stillOptedOut) {
            ObjectNode payload = JSON.createObjectNode()
                    .put("tenant_id", tenantId)
                    .put("conversation_id", conversation.id())
                    .put("message_id", message.id());
            job = Optional.of(jobs.enqueue(tx, NewJob.of(TurnRequest.JOB_KIND, payload.toString())
                    .withTenant(tenantId)
                    .inQueue(conversation.id())
                    .once(TurnRequest.JOB_KIND + ":" + message.id())));
        }
        // the row as touch() left it (it is locked: nobody else changed it), without reading it again
        Conversation current = new Conversation(conversation.id(), conversation.tenantId(),
                conversation.channelType(), conversation.connectionId(), conversation.externalThreadKey(),
                conversation.contactId(), conversation.chatType(), status, conversation.title(),
                conversationMetadata, conversation.summary(), conversation.summaryVersion(),
                conversation.messageCursor(), Optional.of(now), conversation.createdAt(), now);
        Message stored = store.findMessage(tx, tenantId, message.id()).orElseThrow();
        return new Ingested(current, stored, Ingested.Outcome.NEW, job);
    }

    /**
     * The conversation of a thread on a channel connection, created (with the participant's contact and identity) when
     * new; for channels where a conversation starts before its first message, such as a web chat session.
     */
    public Conversation openThread(String tenantId, String channelType, String connectionId, String threadKey,
                                   dev.clawless.plugin.api.Participant participant) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return database.inTransaction(tx -> {
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                    ConversationStore.Identity identity = store.identity(tx, tenantId, channelType, connectionId,
                            participant, ids.next("ctc"), ids.next("idn"), now);
                    ConversationStore.Resolved resolved = store.conversation(tx, tenantId, channelType, connectionId,
                            threadKey, identity.contactId(), dev.clawless.plugin.api.ChatType.DIRECT, ids.next("cnv"),
                            now);
                    if (resolved.created()) {
                        event(tx, tenantId, resolved.conversation().id(), "conversation.created",
                                conversationEvent(resolved.conversation()), now);
                    }
                    return resolved.conversation();
                });
            } catch (RuntimeException e) {
                if (!isLostRace(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    public Conversation get(String tenantId, String conversationId) {
        return get(database.execute(), tenantId, conversationId);
    }

    /**
     * A conversation with its row locked until the caller's transaction ends, so its status is not changed under the
     * caller (a message arriving, another person acting).
     */
    public Conversation lock(DbExecute tx, String tenantId, String conversationId) {
        return store.lock(tx, tenantId, conversationId)
                .orElseThrow(() -> new ClawlessException.NotFound("no conversation " + conversationId));
    }

    /** A conversation as the caller's transaction sees it. */
    public Conversation get(DbExecute exec, String tenantId, String conversationId) {
        return store.find(exec, tenantId, conversationId)
                .orElseThrow(() -> new ClawlessException.NotFound("no conversation " + conversationId));
    }

    /** The tenant's conversations of these ids, by id, in one query; unknown ids are left out. */
    public Map<String, Conversation> getAll(String tenantId, List<String> conversationIds) {
        return store.findAll(database.execute(), tenantId, conversationIds);
    }

    /** Attempts of each outbound message's delivery job; set once while wiring. */
    public void deliveryAttempts(int attempts) {
        this.deliveryAttempts = attempts;
    }

    /** Where events go besides the conversation's own stream (webhooks); set once while wiring. */
    public void eventSink(EventSink eventSink) {
        this.sink = eventSink;
    }

    /**
     * Sets what runs after a transaction that wrote conversation events commits (other nodes' event pumps are told
     * to read at once); must not block.
     */
    public void onEventsCommitted(Runnable listener) {
        this.eventsCommitted = listener;
    }

    private volatile boolean transcripts;

    /** Whether every event is also queued, in its own transaction, for the transcript store (MongoDB). */
    public void transcripts(boolean on) {
        this.transcripts = on;
    }

    /** Records an event in the caller's transaction and hands it to the sink. */
    private void event(DbExecute tx, String tenantId, String conversationId, String type, String data, Instant at) {
        store.addEvent(tx, tenantId, conversationId, type, data, at, transcripts);
        sink.published(tx, tenantId, type, data, at);
        Runnable committed = eventsCommitted;
        if (committed != NO_LISTENER) {
            database.afterCommit(committed);
        }
    }

    /**
     * Message metadata key by which a channel names what the platform verified about the sender
     * ({@code phone:+4915112345678}, {@code email:grace@example.com}, {@code user:42}); identities with the same key
     * are one contact.
     */
    public static final String VERIFIED = "contact.verified";

    /**
     * Continues a conversation on another channel connection: the contact's identity there (created when new, on
     * the same contact), the conversation of {@code threadKey}, a system note carrying the summary and recent context
     * of the source conversation, and the first outbound message with its delivery job — in one transaction.
     * {@code conversation.transferred} is published on both conversations.
     */
    public Conversation transfer(String tenantId, String fromConversationId, String channelType, String connectionId,
                                 String threadKey, Participant participant, Optional<String> verifiedKey, String text,
                                 java.util.Map<String, String> metadata, int contextMessages) {
        Conversation from = get(tenantId, fromConversationId);
        java.util.List<Message> recent = store.recent(database.execute(), tenantId, from.id(), Long.MAX_VALUE,
                contextMessages);
        StringBuilder note = new StringBuilder("Continued from the ").append(from.channelType())
                .append(" conversation ").append(from.id()).append('.');
        from.summary().ifPresent(s -> note.append("\nSummary: ").append(s));
        if (!recent.isEmpty()) {
            note.append("\nRecent messages:");
            recent.forEach(m -> note.append("\n").append(m.role().wire()).append(": ")
                    .append(m.text().length() > 500 ? m.text().substring(0, 500) + "…" : m.text()));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            ConversationStore.Identity identity = store.identity(tx, tenantId, channelType, connectionId, participant,
                    verifiedKey, from.contactId().orElseGet(() -> ids.next("ctc")), ids.next("idn"), now);
            ConversationStore.Resolved resolved = store.conversation(tx, tenantId, channelType, connectionId,
                    threadKey, identity.contactId(), dev.clawless.plugin.api.ChatType.DIRECT, ids.next("cnv"), now);
            Conversation to = resolved.conversation();
            if (resolved.created()) {
                event(tx, tenantId, to.id(), "conversation.created", conversationEvent(to), now);
            }
            Message context = new Message(ids.next("msg"), 0, tenantId, to.id(), connectionId, Optional.empty(), false,
                    MessageRole.SYSTEM, Optional.empty(), note.toString(), java.util.List.of(), MessageStatus.DELIVERED,
                    Optional.empty(), Optional.empty(), false, java.util.Map.of("transferred_from", from.id()),
                    Optional.empty(), now);
            store.insertOutbound(tx, context);
            Message first = new Message(ids.next("msg"), 0, tenantId, to.id(), connectionId, Optional.empty(), false,
                    MessageRole.OPERATOR, Optional.empty(), text, java.util.List.of(), MessageStatus.PENDING,
                    Optional.empty(), Optional.empty(), false, metadata, Optional.empty(), now.plusNanos(1000));
            store.insertOutbound(tx, first);
            store.touch(tx, to.id(), to.status(), now);
            Message stored = store.findMessage(tx, tenantId, first.id()).orElseThrow();
            event(tx, tenantId, to.id(), "message.created", messageEvent(stored), now);
            enqueueDelivery(tx, stored);
            String data = JSON.createObjectNode().put("from_conversation_id", from.id())
                    .put("to_conversation_id", to.id()).put("channel", channelType).toString();
            event(tx, tenantId, from.id(), "conversation.transferred", data, now);
            event(tx, tenantId, to.id(), "conversation.transferred", data, now);
            return store.find(tx, tenantId, to.id()).orElseThrow();
        });
    }

    /** A conversation the hub started, and its first message. */
    public record Started(Conversation conversation, Message message) {
    }

    /**
     * Starts a conversation from the hub's side on a channel connection (a message to an address nobody wrote from):
     * the participant's identity and contact (created when new, found by {@code verifiedKey} when known), the
     * conversation of {@code threadKey} (the existing one when the thread has one), and an operator's message with its
     * delivery job, in one transaction.
     */
    public Started startConversation(String tenantId, String channelType, String connectionId, String threadKey,
                                     Participant participant, Optional<String> verifiedKey, String text,
                                     java.util.Map<String, String> metadata) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            ConversationStore.Identity identity = store.identity(tx, tenantId, channelType, connectionId, participant,
                    verifiedKey, ids.next("ctc"), ids.next("idn"), now);
            ConversationStore.Resolved resolved = store.conversation(tx, tenantId, channelType, connectionId,
                    threadKey, identity.contactId(), dev.clawless.plugin.api.ChatType.DIRECT, ids.next("cnv"), now);
            Conversation c = resolved.conversation();
            if (resolved.created()) {
                event(tx, tenantId, c.id(), "conversation.created", conversationEvent(c), now);
            }
            Message first = new Message(ids.next("msg"), 0, tenantId, c.id(), connectionId, Optional.empty(), false,
                    MessageRole.OPERATOR, Optional.empty(), text, java.util.List.of(), MessageStatus.PENDING,
                    Optional.empty(), Optional.empty(), false, metadata, Optional.empty(), now);
            store.insertOutbound(tx, first);
            store.touch(tx, c.id(), store.find(tx, tenantId, c.id()).map(Conversation::status).orElse(c.status()), now);
            Message stored = store.findMessage(tx, tenantId, first.id()).orElseThrow();
            event(tx, tenantId, c.id(), "message.created", messageEvent(stored), now);
            enqueueDelivery(tx, stored);
            return new Started(store.find(tx, tenantId, c.id()).orElseThrow(), stored);
        });
    }

    /** The connection id of the API channel; sessions are conversations on it. */
    public static final String API_CONNECTION = "api";

    /** Opens an API session: a conversation on the {@code api} channel that is its own thread. */
    public Conversation openSession(String tenantId, Optional<String> title, java.util.Map<String, String> metadata) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String id = ids.next("cnv");
        return database.inTransaction(tx -> {
            store.insertSession(tx, id, tenantId, API_CONNECTION, title, metadata, now);
            Conversation created = store.find(tx, tenantId, id).orElseThrow();
            event(tx, tenantId, id, "conversation.created", conversationEvent(created), now);
            return created;
        });
    }

    /** Conversations of the tenant, oldest first, optionally by channel type, status and contact. */
    public Page<Conversation> list(String tenantId, Optional<String> channelType, Optional<ConversationStatus> status,
                                   Optional<String> contactId, PageRequest page) {
        return store.list(database.execute(), tenantId, channelType, status, contactId, page);
    }

    /** Deletes a conversation and its messages. */
    public void delete(String tenantId, String conversationId) {
        database.inTransaction(tx -> {
            if (!store.delete(tx, tenantId, conversationId)) {
                throw new ClawlessException.NotFound("no conversation " + conversationId);
            }
            return null;
        });
    }

    /** Forgets a conversation's messages, keeping the conversation. */
    public void reset(String tenantId, String conversationId) {
        database.inTransaction(tx -> {
            store.find(tx, tenantId, conversationId)
                    .orElseThrow(() -> new ClawlessException.NotFound("no conversation " + conversationId));
            store.deleteMessages(tx, tenantId, conversationId);
            return null;
        });
    }

    /**
     * Stores the assistant's reply to an inbound message, once: when the message already has a reply (a re-run of
     * its turn after a crash), that reply is answered and nothing is written.
     */
    public Message recordReply(String tenantId, Message answered, String text, java.util.Map<String, String> metadata) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Message reply = new Message(ids.next("msg"), 0, tenantId, answered.conversationId(), answered.connectionId(),
                Optional.empty(), false, MessageRole.ASSISTANT, Optional.empty(), text, java.util.List.of(),
                answered.connectionId().equals(API_CONNECTION) ? MessageStatus.DELIVERED : MessageStatus.PENDING,
                Optional.empty(), answered.externalMessageId(), false, metadata, Optional.empty(), now);
        return database.inTransaction(tx -> {
            if (store.insertReply(tx, reply, answered.id())) {
                store.touch(tx, answered.conversationId(), store.find(tx, tenantId, answered.conversationId())
                        .map(Conversation::status).orElse(ConversationStatus.BOT), now);
                event(tx, tenantId, answered.conversationId(), "message.created", messageEvent(reply), now);
                enqueueDelivery(tx, reply);
                return store.findReply(tx, tenantId, answered.id()).orElseThrow();
            }
            // a turn run again finds its reply stored: it makes sure the reply still goes out (the delivery job is
            // enqueued once per message, so this adds one only where none exists)
            Message stored = store.findReply(tx, tenantId, answered.id()).orElseThrow();
            if (stored.status() == MessageStatus.PENDING) {
                enqueueDelivery(tx, stored);
            }
            return stored;
        });
    }

    /** Messages after sequence {@code afterSeq} (0 for all), oldest first, at most {@code limit}. */
    public java.util.List<Message> messagesAfter(String tenantId, String conversationId, long afterSeq, int limit) {
        return store.after(database.execute(), tenantId, conversationId, afterSeq, limit);
    }

    /** How many messages came after sequence {@code afterSeq}. */
    public long countAfter(String tenantId, String conversationId, long afterSeq) {
        return store.countAfter(database.execute(), tenantId, conversationId, afterSeq);
    }

    /**
     * Stores a new summary covering messages up to {@code cursor}, unless another run already replaced version
     * {@code expectedVersion}; true when stored.
     */
    public boolean storeSummary(String tenantId, String conversationId, int expectedVersion, String summary,
                                long cursor) {
        return database.inTransaction(tx -> store.storeSummary(tx, tenantId, conversationId, expectedVersion, summary,
                cursor, clock.instant().truncatedTo(ChronoUnit.MICROS)));
    }

    /** The reply stored for an inbound message, if its turn has run. */
    public Optional<Message> replyTo(String tenantId, String messageId) {
        return store.findReply(database.execute(), tenantId, messageId);
    }

    /** The messages leading up to and including {@code message}, oldest first, at most {@code limit}. */
    public java.util.List<Message> history(String tenantId, Message message, int limit) {
        return store.recent(database.execute(), tenantId, message.conversationId(), message.seq(), limit);
    }

    /** Hands the conversation to a human, back to the assistant, or closes it. */
    public Conversation setStatus(String tenantId, String conversationId, ConversationStatus status) {
        return database.inTransaction(tx -> setStatus(tx, tenantId, conversationId, status));
    }

    /** Sets the status within the caller's transaction (with its other changes, or none). */
    public Conversation setStatus(DbExecute tx, String tenantId, String conversationId, ConversationStatus status) {
        Conversation c = get(tx, tenantId, conversationId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (c.status() != status) {
            store.setStatus(tx, c.id(), status, now);
            statusEvent(tx, tenantId, c.id(), c.status(), status, now);
        }
        return store.find(tx, tenantId, conversationId).orElseThrow();
    }

    public Message message(String tenantId, String messageId) {
        return store.findMessage(database.execute(), tenantId, messageId)
                .orElseThrow(() -> new ClawlessException.NotFound("no message " + messageId));
    }

    /** The conversation's messages in order. */
    public Page<Message> messages(String tenantId, String conversationId, PageRequest page) {
        get(tenantId, conversationId);
        return store.messages(database.execute(), tenantId, conversationId, page);
    }

    /**
     * Stores a reply written by a human operator. The assistant stays silent while the conversation is
     * {@code human}; an operator reply to a conversation the bot holds does not change who holds it.
     */
    public Message operatorReply(String tenantId, String conversationId, String text) {
        return operatorReply(tenantId, conversationId, text, java.util.Map.of());
    }

    /**
     * Stores an operator's reply with channel hints in {@code metadata} (e.g. a WhatsApp template) and, for a
     * channel conversation, the job that delivers it, in one transaction.
     */
    public Message operatorReply(String tenantId, String conversationId, String text,
                                 java.util.Map<String, String> metadata) {
        return operatorReply(tenantId, conversationId, text, metadata, java.util.List.of());
    }

    /** An operator's reply with attachments (URLs the hub fetches and the channel uploads). */
    public Message operatorReply(String tenantId, String conversationId, String text,
                                 java.util.Map<String, String> metadata,
                                 java.util.List<dev.clawless.plugin.api.Attachment> attachments) {
        if ((text.isBlank() && metadata.isEmpty() && attachments.isEmpty()) || text.length() > 20_000) {
            throw ClawlessException.Validation.of("text", "must be 1-20000 characters");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            Conversation c = store.find(tx, tenantId, conversationId)
                    .orElseThrow(() -> new ClawlessException.NotFound("no conversation " + conversationId));
            Message m = new Message(ids.next("msg"), 0, tenantId, c.id(), c.connectionId(), Optional.empty(), false,
                    MessageRole.OPERATOR, Optional.empty(), text, attachments,
                    c.connectionId().equals(API_CONNECTION) ? MessageStatus.DELIVERED : MessageStatus.PENDING,
                    Optional.empty(), Optional.empty(), false, metadata, Optional.empty(), now);
            store.insertOutbound(tx, m);
            store.touch(tx, c.id(), c.status(), now);
            Message stored = store.findMessage(tx, tenantId, m.id()).orElseThrow();
            event(tx, tenantId, c.id(), "message.created", messageEvent(stored), now);
            enqueueDelivery(tx, stored);
            return stored;
        });
    }

    /**
     * Stores a message the assistant says on its own — not a reply to one message (e.g. that a person will take
     * over, or a rating question) — and, for a channel conversation, the job that delivers it, in one transaction.
     */
    public Message assistantNotice(String tenantId, String conversationId, String text,
                                   java.util.Map<String, String> metadata) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            Conversation c = store.find(tx, tenantId, conversationId)
                    .orElseThrow(() -> new ClawlessException.NotFound("no conversation " + conversationId));
            Message m = new Message(ids.next("msg"), 0, tenantId, c.id(), c.connectionId(), Optional.empty(), false,
                    MessageRole.ASSISTANT, Optional.empty(), text, java.util.List.of(),
                    c.connectionId().equals(API_CONNECTION) ? MessageStatus.DELIVERED : MessageStatus.PENDING,
                    Optional.empty(), Optional.empty(), false, metadata, Optional.empty(), now);
            store.insertOutbound(tx, m);
            store.touch(tx, c.id(), store.find(tx, tenantId, c.id()).map(Conversation::status).orElse(c.status()),
                    now);
            Message stored = store.findMessage(tx, tenantId, m.id()).orElseThrow();
            event(tx, tenantId, c.id(), "message.created", messageEvent(stored), now);
            enqueueDelivery(tx, stored);
            return stored;
        });
    }

    private void enqueueDelivery(DbExecute tx, Message outbound) {
        if (outbound.connectionId().equals(API_CONNECTION)) {
            return;
        }
        jobs.enqueue(tx, NewJob.of(DeliveryRequest.JOB_KIND, JSON.createObjectNode()
                        .put("tenant_id", outbound.tenantId()).put("message_id", outbound.id()).toString())
                .withTenant(outbound.tenantId())
                .inQueue(DeliveryRequest.queueKey(outbound.conversationId()))
                .once(DeliveryRequest.JOB_KIND + ":" + outbound.id())
                .attempts(deliveryAttempts));
    }

    /** The message a connection's platform id names, if stored. */
    public Optional<Message> byExternalId(String tenantId, String connectionId, String externalId) {
        return store.findByExternalId(database.execute(), connectionId, externalId)
                .filter(m -> m.tenantId().equals(tenantId));
    }

    /** The conversation of a thread on a connection, if there is one. */
    public Optional<Conversation> thread(String tenantId, String connectionId, String threadKey) {
        return store.findByThread(database.execute(), tenantId, connectionId, threadKey);
    }

    /** The latest {@code limit} messages of a conversation, oldest first. */
    public java.util.List<Message> latest(String tenantId, String conversationId, int limit) {
        return store.recent(database.execute(), tenantId, conversationId, Long.MAX_VALUE, limit);
    }

    /** The contact's latest message in a conversation, if any. */
    public Optional<Message> lastInboundMessage(String tenantId, String conversationId) {
        java.util.List<Message> recent = store.recent(database.execute(), tenantId, conversationId, Long.MAX_VALUE, 50);
        for (int i = recent.size() - 1; i >= 0; i--) {
            if (recent.get(i).inbound()) {
                return Optional.of(recent.get(i));
            }
        }
        return Optional.empty();
    }

    /** Where outbound messages' deliveries are recorded: parts sent, calls in flight, statuses. */
    public MessageDeliveries deliveries() {
        return deliveries;
    }

    /** When the contact last wrote in the conversation, if ever. */
    public Optional<Instant> lastInbound(String tenantId, String conversationId) {
        get(tenantId, conversationId);
        return store.lastInbound(database.execute(), conversationId);
    }

    /** Records an event of the conversation (e.g. {@code approval.requested}); {@code data} is JSON text. */
    public void publish(String tenantId, String conversationId, String type, String data) {
        database.inTransaction(tx -> {
            event(tx, tenantId, conversationId, type, data, clock.instant().truncatedTo(ChronoUnit.MICROS));
            return null;
        });
    }

    /** Records an event of the conversation in the caller's transaction, with the change it reports. */
    public void publish(DbExecute tx, String tenantId, String conversationId, String type, String data) {
        event(tx, tenantId, conversationId, type, data, clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    /** Events of every conversation of the tenant after {@code afterId}, oldest first, at most {@code limit}. */
    public java.util.List<ConversationEvent> tenantEvents(String tenantId, long afterId, int limit) {
        return store.tenantEvents(database.execute(), tenantId, afterId, limit);
    }

    /** The id of the tenant's newest event (0 when none): where a live stream without history starts. */
    public long latestEventId(String tenantId) {
        return store.latestEventId(database.execute(), tenantId);
    }

    /** Events of the conversation after {@code afterId} (0 for all), oldest first, at most {@code limit}. */
    public java.util.List<ConversationEvent> events(String tenantId, String conversationId, long afterId, int limit) {
        return store.events(database.execute(), tenantId, conversationId, afterId, limit);
    }

    private void statusEvent(DbExecute tx, String tenantId, String conversationId, ConversationStatus from,
                             ConversationStatus to, Instant now) {
        event(tx, tenantId, conversationId, "conversation.status_changed", JSON.createObjectNode()
                .put("conversation_id", conversationId).put("from", from.wire()).put("to", to.wire()).toString(), now);
    }

    private static String conversationEvent(Conversation c) {
        return JSON.createObjectNode().put("id", c.id()).put("channel", c.channelType())
                .put("connection_id", c.connectionId()).put("status", c.status().wire())
                .put("created_at", c.createdAt().toString()).toString();
    }

    private static String messageEvent(Message m) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", m.id());
        node.put("conversation_id", m.conversationId());
        node.put("role", m.role().wire());
        node.put("direction", m.inbound() ? "inbound" : "outbound");
        node.put("text", m.text());
        node.put("status", m.status().wire());
        if (m.metadata().containsKey("author_name")) {
            node.put("author_name", m.metadata().get("author_name"));
        }
        m.intent().ifPresent(i -> node.put("intent", i));
        if (!m.attachments().isEmpty()) {
            var list = node.putArray("attachments");
            m.attachments().forEach(a -> {
                ObjectNode n = list.addObject().put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT));
                a.url().ifPresent(u -> n.put("url", u));
                a.mimeType().ifPresent(t -> n.put("content_type", t));
                a.fileName().ifPresent(f -> n.put("file_name", f));
            });
        }
        node.put("created_at", m.createdAt().toString());
        return node.toString();
    }

    private static boolean isLostRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && RETRYABLE.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
