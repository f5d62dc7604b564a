package dev.clawless.core.channel;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.channel.internal.ChannelStore;
import dev.clawless.core.channel.internal.ConnectionCache;
import dev.clawless.core.common.Patches;
import dev.clawless.core.common.SchemaCheck;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.InboundLog;
import dev.clawless.core.conversation.MessageStatus;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.Database;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;

/**
 * Tenants' channel connections and the inbound half of every channel: a platform's webhook request is verified by
 * its channel, parsed, and each event stored (messages through the conversation ingest, statuses onto the sent
 * message) before it is acknowledged. Secrets are sealed with the vault and never leave this class except inside the
 * {@link ChannelConnection} handed to the connection's own channel. Thread-safe.
 */
public final class ChannelManagement {

    private static final Logger LOG = Logger.getLogger(ChannelManagement.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SECRET_LENGTH = 16_384;
    /** Longest inbound text stored; far above any platform's own limit (e-mail bodies included). */
    private static final int MAX_TEXT = 100_000;

    private final Database database;
    private final ChannelRegistry registry;
    private final ConversationManagement conversations;
    private final SecretVault vault;
    private final AuditLog audit;
    private final NetworkGuard guard;
    private final UsageMeter usage;
    private final ChannelSettings settings;
    private final Supplier<String> publicBaseUrl;
    private final Runnable wake;
    private final InboundLog inbound;
    private final Clock clock;
    private final Ids ids;
    private final ChannelStore store = new ChannelStore();
    /**
     * Connections as the webhook path uses them, per node (a change made on another node shows within
     * {@link #CONNECTION_TTL}); a request that fails verification with a cached entry is verified again against the
     * row read afresh, so a rotated secret works on every node at once and the old one passes elsewhere for at most
     * the TTL.
     */
    private final ConnectionCache<ChannelConnection> connections = new ConnectionCache<>(CONNECTION_TTL);
    /** How long a cached connection is used before it is read again (changes made by other nodes). */
    static final Duration CONNECTION_TTL = Duration.ofSeconds(5);
    private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<String> evicted = id -> { };

    public ChannelManagement(Database database, ChannelRegistry registry, ConversationManagement conversations,
                             SecretVault vault, AuditLog audit, NetworkGuard guard, UsageMeter usage,
                             ChannelSettings settings, Supplier<String> publicBaseUrl, Runnable wake, Clock clock,
                             Ids ids, InboundLog inbound) {
        this.inbound = inbound;
        this.database = database;
        this.registry = registry;
        this.conversations = conversations;
        this.vault = vault;
        this.audit = audit;
        this.guard = guard;
        this.usage = usage;
        this.settings = settings;
        this.publicBaseUrl = publicBaseUrl;
        this.wake = wake;
        this.clock = clock;
        this.ids = ids;
    }

    public ChannelSettings settings() {
        return settings;
    }

    public ChannelRegistry registry() {
        return registry;
    }

    /**
     * Adds a listener called after any connection of this node is created, changed or deleted (the pollers re-read
     * theirs, the widget its allowed origins).
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }

    private void evict(String id) {
        connections.evict(id);
        evicted.accept(id);
    }

    /**
     * Sets who hears of every connection this node writes (after the write): the other nodes, told through Redis,
     * forget it at once instead of after {@link #CONNECTION_TTL}. Must not block.
     */
    public void onEvicted(java.util.function.Consumer<String> listener) {
        this.evicted = listener;
    }

    /** Another node changed the connection {@code id}: this node forgets what it cached and re-reads what it keeps. */
    public void changedElsewhere(String id) {
        connections.evict(id);
        changed();
    }

    /** The connection {@code id} for the webhook path, from this node's cache unless {@code fresh}. */
    private Optional<ConnectionCache.Entry<ChannelConnection>> cachedConnection(String id, boolean fresh) {
        return connections.get(id, fresh, rowId -> store.find(database.execute(), rowId), this::connection);
    }

    // ---------------------------------------------------------------------------------------------- connections

    /**
     * Connects a platform: checks the config against the channel's schema and the secrets against the names it
     * needs, stores them sealed, then lets the channel register itself with the platform (e.g. Telegram's
     * {@code setWebhook}); if the platform refuses, nothing is kept.
     */
    public Channel create(Actor actor, String tenantId, String type, String name, ObjectNode config,
                          Map<String, String> secrets) {
        ChannelExtension channel = registry.find(tenantId, type).orElseThrow(() -> ClawlessException.Validation.of(
                "type", "must be one of " + registry.types(tenantId)));
        List<FieldError> errors = new ArrayList<>();
        checkConfig(channel, config, errors);
        checkSecrets(channel, secrets, true, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        Instant now = now();
        String id = ids.next("con");
        Map<String, String> sorted = new TreeMap<>(secrets);
        ChannelStore.Row row = new ChannelStore.Row(id, tenantId, channel.type(), name, config.toString(),
                seal(id, sorted), List.copyOf(sorted.keySet()), true, Optional.empty(), Optional.empty(), now, now);
        database.inTransaction(tx -> {
            if (store.count(tx, tenantId) >= settings.maxConnections()) {
                throw new ClawlessException.Conflict("a tenant may have at most " + settings.maxConnections()
                        + " channel connections");
            }
            store.insert(tx, row);
            return null;
        });
        try {
            channel.connect(connection(row));
        } catch (RuntimeException e) {
            database.inTransaction(tx -> store.delete(tx, tenantId, id));
            evict(id);
            throw platformRefused(channel, e);
        }
        evict(id);
        database.inTransaction(tx -> {
            audit.record(tx, actor, Optional.of(tenantId), "channel.created", Optional.of(id),
                    Map.of("type", channel.type(), "secrets", String.join(",", sorted.keySet())));
            return null;
        });
        changed();
        return view(row);
    }

    /**
     * Changes a connection: its name, config keys (merged: a {@code null} value removes an optional key), secrets
     * (a {@code null} value removes an optional one), and whether it is enabled. The channel re-registers with the
     * platform; if it refuses, the change is undone.
     */
    public Channel update(Actor actor, String tenantId, String id, Optional<String> name,
                          Optional<ObjectNode> configPatch, Map<String, Optional<String>> secretPatch,
                          Optional<Boolean> enabled) {
        ChannelStore.Row before = row(tenantId, id);
        ChannelExtension channel = channel(before);
        ObjectNode config = Patches.merge((ObjectNode) parse(before.config()), configPatch);
        Map<String, String> secrets = Patches.merge(unseal(before), secretPatch);
        List<FieldError> errors = new ArrayList<>();
        checkConfig(channel, config, errors);
        checkSecrets(channel, secrets, true, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        ChannelStore.Row after = new ChannelStore.Row(id, tenantId, before.type(), name.orElse(before.name()),
                config.toString(), seal(id, secrets), List.copyOf(secrets.keySet()), enabled.orElse(before.enabled()),
                before.pollCursor(), before.pollError(), before.createdAt(), now());
        database.inTransaction(tx -> {
            store.update(tx, after);
            return null;
        });
        evict(id);
        try {
            if (after.enabled()) {
                channel.connect(connection(after));
            } else if (before.enabled()) {
                disconnectQuietly(channel, before);
            }
        } catch (RuntimeException e) {
            database.inTransaction(tx -> {
                store.update(tx, before);
                return null;
            });
            evict(id);
            throw platformRefused(channel, e);
        }
        database.inTransaction(tx -> {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("type", before.type());
            details.put("enabled", String.valueOf(after.enabled()));
            if (!secretPatch.isEmpty()) {
                details.put("secrets_changed", String.join(",", new TreeMap<>(secretPatch).keySet()));
            }
            audit.record(tx, actor, Optional.of(tenantId), "channel.updated", Optional.of(id), details);
            return null;
        });
        changed();
        return view(after);
    }

    public Channel get(String tenantId, String id) {
        return view(row(tenantId, id));
    }

    public List<Channel> list(String tenantId) {
        return store.list(database.execute(), tenantId).stream().map(this::view).toList();
    }

    /** Deletes a connection; the channel unregisters from the platform (best effort). Its conversations stay. */
    public void delete(Actor actor, String tenantId, String id) {
        ChannelStore.Row row = row(tenantId, id);
        database.inTransaction(tx -> {
            store.delete(tx, tenantId, id);
            audit.record(tx, actor, Optional.of(tenantId), "channel.deleted", Optional.of(id),
                    Map.of("type", row.type()));
            return null;
        });
        evict(id);
        registry.find(tenantId, row.type()).ifPresent(channel -> disconnectQuietly(channel, row));
        changed();
    }

    // ---------------------------------------------------------------------------------------------- inbound

    /**
     * Handles a platform's request to {@code /hooks/{connectionId}}: a handshake is answered at once; events are
     * verified, parsed and stored before the acknowledgement is returned.
     *
     * @throws ClawlessException.NotFound        unknown or disabled connection
     * @throws ClawlessException.Unauthorized    the signature or secret does not match
     * @throws ClawlessException.Validation      the payload cannot be understood
     * @throws ClawlessException.TooManyRequests the tenant is over its inbound rate
     */
    public HookReply receive(String connectionId, InboundRequest request) {
        return database.ingest(() -> {
            long start = System.nanoTime();
            ConnectionCache.Entry<ChannelConnection> cached = cachedConnection(connectionId, false).filter(c -> c.row().enabled())
                    .orElseThrow(() -> new ClawlessException.NotFound("no channel connection " + connectionId));
            try {
                return receive(cached, request);
            } catch (ClawlessException.Unauthorized refused) {
                if (cached.loadedAt() >= start) {
                    throw refused; // read from the database for this request already
                }
                // the cached row may be older than a change made on another node (a rotated secret): ask again
                ConnectionCache.Entry<ChannelConnection> fresh = cachedConnection(connectionId, true).filter(c -> c.row().enabled())
                        .orElseThrow(() -> new ClawlessException.NotFound("no channel connection " + connectionId));
                if (fresh.row().updatedAt().equals(cached.row().updatedAt())) {
                    throw refused;
                }
                return receive(fresh, request);
            }
        });
    }

    private HookReply receive(ConnectionCache.Entry<ChannelConnection> cached, InboundRequest request) {
        ChannelStore.Row row = cached.row();
        String connectionId = row.id();
        ChannelExtension channel = registry.find(row.tenantId(), row.type())
                .orElseThrow(() -> new ClawlessException.NotFound("no channel connection " + connectionId));
        ChannelConnection connection = cached.connection();
        try {
            Optional<HookReply> handshake = channel.handshake(request, connection);
            if (handshake.isPresent()) {
                return handshake.get();
            }
        } catch (ChannelException e) {
            throw inboundProblem(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " failed a handshake; refused", e);
            throw ClawlessException.Validation.of("body", "the " + row.type() + " request could not be understood");
        }
        if (!request.method().equals("POST")) {
            throw new ClawlessException.MethodNotAllowed("platforms deliver events with POST", List.of("POST"));
        }
        try {
            channel.verify(request, connection);
        } catch (ChannelException e) {
            throw inboundProblem(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " failed verifying a request; refused", e);
            throw new ClawlessException.Unauthorized("the request could not be verified");
        }
        refuseReplays(row, channel, connection, request);
        usage.rateLimit("inbound:" + row.tenantId(), "tenant's inbound channel traffic", settings.inboundPerMinute());
        List<InboundEvent> events;
        try {
            events = channel.parse(request, connection);
        } catch (ChannelException e) {
            throw inboundProblem(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " could not parse a verified request", e);
            throw ClawlessException.Validation.of("body", "the " + row.type() + " payload could not be understood");
        }
        store(row, events);
        try {
            return channel.acknowledgement(request);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " failed to acknowledge a stored request", e);
            return HookReply.ok(); // stored already: the platform must not retry it
        }
    }

    /**
     * A value the platform sends once ({@link ChannelExtension#replayKey}) is accepted once by every node, also after a
     * restart; the platform's own retry of the same body passes (its events are stored once anyway).
     */
    private void refuseReplays(ChannelStore.Row row, ChannelExtension channel, ChannelConnection connection,
                               InboundRequest request) {
        Optional<ChannelExtension.ReplayKey> key;
        try {
            key = channel.replayKey(request, connection);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " failed reading a request's replay key; refused", e);
            throw new ClawlessException.Unauthorized("the request could not be verified");
        }
        if (key.isEmpty()) {
            return;
        }
        Instant now = now();
        String body = dev.clawless.core.security.Secrets.sha256Hex(request.body());
        boolean fresh = database.inTransaction(tx -> store.firstUseOrRetry(tx, row.id(), key.get().value(), body,
                now.plus(key.get().remember()), now));
        if (!fresh) {
            throw new ClawlessException.Unauthorized("this signed request was received before with another body"
                    + " (a replay?)");
        }
    }

    /**
     * Stores events a channel produced for a connection (from a webhook or a poll), in order, in the inbound log:
     * durable when this returns; the {@link dev.clawless.core.conversation.InboundDeriver} turns them into messages.
     */
    void store(ChannelStore.Row row, List<InboundEvent> events) {
        store(row, events, false);
    }

    /**
     * @param skipUnfit true for polled events: one unfit message is skipped (and logged) rather than refusing the
     *                  batch, which a poller would fetch again forever; a webhook's sender gets a 400 instead
     */
    void store(ChannelStore.Row row, List<InboundEvent> events, boolean skipUnfit) {
        List<InboundEvent> fit = new ArrayList<>();
        for (InboundEvent event : events) {
            if (event instanceof InboundMessage m && (m.text().length() > MAX_TEXT || m.attachments().size() > 100)) {
                if (!skipUnfit) {
                    throw ClawlessException.Validation.of("body", "a message may carry at most " + MAX_TEXT
                            + " characters and 100 attachments");
                }
                LOG.warning(() -> "skipped a polled message of " + row.id() + ": over the size limits");
                continue;
            }
            fit.add(event);
        }
        List<InboundEvent> accepted = new ArrayList<>(fit.size());
        for (InboundEvent event : fit) {
            switch (event) {
                case InboundMessage m -> {
                    if (!m.connectionId().equals(row.id()) || !m.channelType().equals(row.type())) {
                        LOG.warning(() -> "channel " + row.type() + " produced a message for another connection;"
                                + " dropped");
                        continue;
                    }
                    accepted.add(m);
                }
                case DeliveryUpdate u -> {
                    if (u.connectionId().equals(row.id())) {
                        accepted.add(u);
                    }
                }
            }
        }
        inbound.append(row.tenantId(), accepted);
    }

    // ---------------------------------------------------------------------------------------------- sending

    /**
     * Whether a free-form message may be sent in a conversation now, on a channel with a reply window.
     *
     * @param applies       the channel has a reply window
     * @param open          the assistant (and anyone) may send free-form now
     * @param closesAt      when it closes (closed), from the contact's last message
     * @param humanOpen     a person may still reply now, tagged ({@link ChannelExtension#humanReplyWindow()}), after
     *                      the window closed
     * @param humanClosesAt when that ends, on channels that have it
     */
    public record ReplyWindow(boolean applies, boolean open, Optional<Instant> closesAt, boolean humanOpen,
                              Optional<Instant> humanClosesAt) {
        public static final ReplyWindow NONE = new ReplyWindow(false, true, Optional.empty(), true, Optional.empty());

        /** True when a message by a person ({@code person}) or by the assistant may go out free-form now. */
        public boolean allows(boolean person) {
            return open || (person && humanOpen);
        }

        /** True when a person's reply goes out only under the human-agent allowance (the window proper is closed). */
        public boolean needsHumanTag(boolean person) {
            return applies && !open && person && humanOpen;
        }
    }

    /** The reply window of a conversation: open while the contact's last message is younger than the channel's. */
    public ReplyWindow replyWindow(String tenantId, Conversation conversation) {
        Optional<ChannelStore.Row> row = store.find(database.execute(), tenantId, conversation.connectionId());
        Optional<ChannelExtension> channel = row.flatMap(r -> registry.find(tenantId, r.type()));
        Optional<Duration> window = channel.flatMap(ChannelExtension::replyWindow);
        if (window.isEmpty()) {
            return ReplyWindow.NONE;
        }
        Optional<Instant> last = conversations.lastInbound(tenantId, conversation.id());
        Optional<Instant> closes = last.map(l -> l.plus(window.get()));
        Optional<Instant> humanCloses = channel.flatMap(ChannelExtension::humanReplyWindow)
                .flatMap(h -> last.map(l -> l.plus(h)));
        Instant now = clock.instant();
        boolean open = closes.map(c -> c.isAfter(now)).orElse(false);
        return new ReplyWindow(true, open, closes, open || humanCloses.map(c -> c.isAfter(now)).orElse(false),
                humanCloses);
    }

    /**
     * Continues a conversation on another of the tenant's connections (web chat → WhatsApp, say): the channel turns
     * {@code address} into a thread, the new conversation belongs to the same contact and starts with a note of the
     * summary and recent context, and {@code text} (or, on a channel with a reply window that is closed for a new
     * contact, the {@code template}) goes out as the first message.
     */
    public Conversation transfer(Actor actor, String tenantId, String conversationId, String connectionId,
                                 String address, String text, Map<String, String> template) {
        Conversation from = conversations.get(tenantId, conversationId);
        ChannelStore.Row row = row(tenantId, connectionId);
        if (!row.enabled()) {
            throw new ClawlessException.Conflict("the connection " + connectionId + " is disabled");
        }
        ChannelExtension channel = channel(row);
        ChannelExtension.NewThread thread = newThread(channel, row, address, "address");
        Map<String, String> metadata = new LinkedHashMap<>(thread.sendHints());
        metadata.putAll(template);
        refuseClosedWindow(channel, row, thread, template);
        Conversation to = conversations.transfer(tenantId, from.id(), row.type(), connectionId, thread.threadKey(),
                thread.participant(), thread.verifiedKey(), text, metadata, 10);
        database.inTransaction(tx -> {
            audit.record(tx, actor, Optional.of(tenantId), "conversation.transferred", Optional.of(from.id()),
                    Map.of("to_conversation_id", to.id(), "connection_id", connectionId));
            return null;
        });
        wake.run();
        return to;
    }

    /**
     * Sends one message through a connection to a platform address (a phone number, chat id, e-mail address…) so an
     * admin can see the connection work: a conversation with that address starts (or goes on) with an operator's
     * message, delivered by the usual delivery job. Audited ({@code channel.test_message_sent}).
     *
     * @param template a template id and variables for a channel with a reply window (WhatsApp), or empty
     * @throws ClawlessException.NotFound   for a connection that is not the tenant's
     * @throws ClawlessException.Conflict   when the connection is disabled, its channel cannot start conversations
     *                                      (a web chat: its visitors write first), or the reply window is closed
     *                                      and no template is given
     * @throws ClawlessException.Validation naming {@code to} when the channel cannot reach the address
     */
    public ConversationManagement.Started sendTest(Actor actor, String tenantId, String connectionId, String address,
                                                   String text, Map<String, String> template) {
        ChannelStore.Row row = row(tenantId, connectionId);
        if (!row.enabled()) {
            throw new ClawlessException.Conflict("the connection " + connectionId + " is disabled");
        }
        ChannelExtension channel = channel(row);
        if (!startsConversations(channel)) {
            throw new ClawlessException.Conflict(row.type().equals(WidgetSessions.TYPE)
                    ? "a web chat connection has no addresses to write to: its visitors start the conversations"
                    : "a " + row.type() + " connection cannot start conversations");
        }
        ChannelExtension.NewThread thread = newThread(channel, row, address, "to");
        Map<String, String> metadata = new LinkedHashMap<>(thread.sendHints());
        metadata.putAll(template);
        metadata.put("test_message", "true");
        refuseClosedWindow(channel, row, thread, template);
        ConversationManagement.Started started = conversations.startConversation(tenantId, row.type(), connectionId,
                thread.threadKey(), thread.participant(), thread.verifiedKey(), text, metadata);
        database.inTransaction(tx -> {
            audit.record(tx, actor, Optional.of(tenantId), "channel.test_message_sent", Optional.of(connectionId),
                    Map.of("conversation_id", started.conversation().id(), "message_id", started.message().id()));
            return null;
        });
        wake.run();
        return started;
    }

    /** True when the channel implements {@link ChannelExtension#newThread} (the default refuses every address). */
    private static boolean startsConversations(ChannelExtension channel) {
        try {
            return channel.getClass().getMethod("newThread", ChannelConnection.class, String.class)
                    .getDeclaringClass() != ChannelExtension.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private ChannelExtension.NewThread newThread(ChannelExtension channel, ChannelStore.Row row, String address,
                                                 String field) {
        try {
            return channel.newThread(connection(row), address);
        } catch (ChannelException e) {
            throw ClawlessException.Validation.of(field, e.getMessage());
        }
    }

    /** A free-form message on a channel with a reply window needs the contact to have written lately, or a template. */
    private void refuseClosedWindow(ChannelExtension channel, ChannelStore.Row row, ChannelExtension.NewThread thread,
                                    Map<String, String> template) {
        if (channel.replyWindow().isPresent() && template.isEmpty()) {
            Optional<Instant> last = lastInboundOn(row.tenantId(), row.id(), thread.threadKey());
            if (last.map(t -> t.plus(channel.replyWindow().get()).isBefore(clock.instant())).orElse(true)) {
                throw new ClawlessException.Conflict("the contact has not written on " + row.type() + " in the last "
                        + channel.replyWindow().get().toHours() + " hours: start with an approved template");
            }
        }
    }

    private Optional<Instant> lastInboundOn(String tenantId, String connectionId, String threadKey) {
        return conversations.thread(tenantId, connectionId, threadKey)
                .flatMap(c -> conversations.lastInbound(tenantId, c.id()));
    }

    private static final java.net.http.HttpClient MEDIA_HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();

    /**
     * Fetches an outbound attachment's URL for a channel to upload: only http(s) URLs the network guard allows, no
     * redirects, at most {@link #MAX_MEDIA_BYTES}.
     *
     * @throws ChannelException.SendFailed retryable for network errors and 5xx, final for refusals and 4xx
     */
    ChannelExtension.Media fetchMedia(dev.clawless.plugin.api.Attachment attachment) {
        String url = attachment.url().orElseThrow();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ChannelException.SendFailed("attachment URL is not a URL", 0, false, Optional.empty(),
                    Optional.empty(), null);
        }
        Optional<String> refused = guard.refusal(uri);
        if (refused.isPresent()) {
            throw new ChannelException.SendFailed("attachment URL refused: " + refused.get(), 0, false,
                    Optional.empty(), Optional.empty(), null);
        }
        try {
            java.net.http.HttpResponse<java.io.InputStream> r = MEDIA_HTTP.send(java.net.http.HttpRequest
                    .newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                if (r.statusCode() / 100 != 2) {
                    throw new ChannelException.SendFailed("attachment URL answered " + r.statusCode(), r.statusCode(),
                            r.statusCode() >= 500 || r.statusCode() == 429, Optional.empty(), Optional.empty(), null);
                }
                byte[] bytes = in.readNBytes((int) MAX_MEDIA_BYTES + 1);
                if (bytes.length > MAX_MEDIA_BYTES) {
                    throw new ChannelException.SendFailed("attachment is larger than " + MAX_MEDIA_BYTES + " bytes",
                            0, false, Optional.empty(), Optional.empty(), null);
                }
                String type = attachment.mimeType().or(() -> r.headers().firstValue("Content-Type"))
                        .orElse("application/octet-stream");
                String name = attachment.fileName().orElseGet(() -> {
                    String path = uri.getPath() == null ? "" : uri.getPath();
                    String last = path.substring(path.lastIndexOf('/') + 1);
                    return last.isBlank() ? "file" : last;
                });
                return new ChannelExtension.Media(type, bytes, name);
            }
        } catch (java.io.IOException e) {
            throw new ChannelException.SendFailed("attachment URL unreachable: " + e.getClass().getSimpleName(), 0,
                    true, Optional.empty(), Optional.empty(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException.SendFailed("interrupted", 0, true, Optional.empty(), Optional.empty(), null);
        }
    }

    /** Largest attachment the hub downloads from a platform on request. */
    public static final long MAX_MEDIA_BYTES = 25L * 1024 * 1024;

    /**
     * The content of attachment {@code index} of an inbound message, fetched from the platform now (media is never
     * downloaded at ingest).
     */
    public ChannelExtension.Media download(String tenantId, String conversationId, String messageId, int index) {
        dev.clawless.core.conversation.Message m = conversations.message(tenantId, messageId);
        if (!m.conversationId().equals(conversationId) || index < 0 || index >= m.attachments().size()) {
            throw new ClawlessException.NotFound("no attachment " + index + " on message " + messageId);
        }
        ChannelStore.Row row = row(tenantId, m.connectionId());
        try {
            return channel(row).download(connection(row), m.attachments().get(index), MAX_MEDIA_BYTES);
        } catch (ChannelException.Malformed e) {
            throw new ClawlessException.Conflict(e.getMessage());
        } catch (ChannelException e) {
            throw new ClawlessException.BadGateway("media-unavailable", row.type() + " did not hand out the media: "
                    + e.getMessage());
        }
    }

    /** Shows a typing indicator in a channel conversation, on a virtual thread; failures are only logged. */
    public void typing(String tenantId, Conversation conversation) {
        if (conversation.connectionId().equals(ConversationManagement.API_CONNECTION)) {
            return;
        }
        Thread.ofVirtual().name("typing-" + conversation.id()).start(() -> {
            try {
                Optional<ChannelStore.Row> row = store.find(database.execute(), tenantId, conversation.connectionId())
                        .filter(ChannelStore.Row::enabled);
                if (row.isPresent()) {
                    channel(row.get()).typing(connection(row.get()), conversation.externalThreadKey());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "typing indicator failed", e);
            }
        });
    }

    /** The connection and its channel, for the delivery job; empty when deleted, disabled or no longer installed. */
    Optional<Connected> connected(String tenantId, String connectionId) {
        return store.find(database.execute(), tenantId, connectionId).filter(ChannelStore.Row::enabled)
                .flatMap(row -> registry.find(tenantId, row.type()).map(ch -> new Connected(ch, connection(row))));
    }

    record Connected(ChannelExtension channel, ChannelConnection connection) {
    }

    // ---------------------------------------------------------------------------------------------- internals

    ChannelStore store() {
        return store;
    }

    /** Wakes the job worker (a turn was enqueued outside the webhook path). */
    void wake() {
        wake.run();
    }

    Database database() {
        return database;
    }

    ConversationManagement conversations() {
        return conversations;
    }

    ChannelConnection connection(ChannelStore.Row row) {
        JsonNode config = parse(row.config());
        Map<String, String> flat = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = config.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            flat.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
        }
        return new ChannelConnection(row.id(), row.tenantId(), row.type(), flat, unseal(row), webhookUrl(row.id()));
    }

    ChannelExtension channel(ChannelStore.Row row) {
        return registry.find(row.tenantId(), row.type()).orElseThrow(() -> new ClawlessException.Conflict(
                "channel type " + row.type() + " is no longer available"));
    }

    private ChannelStore.Row row(String tenantId, String id) {
        return store.find(database.execute(), tenantId, id)
                .orElseThrow(() -> new ClawlessException.NotFound("no channel connection " + id));
    }

    private String webhookUrl(String id) {
        String base = publicBaseUrl.get();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/hooks/" + id;
    }

    private Channel view(ChannelStore.Row row) {
        return new Channel(row.id(), row.tenantId(), row.type(), row.name(), parse(row.config()), row.secretNames(),
                row.enabled(), webhookUrl(row.id()), row.pollError(), row.createdAt(), row.updatedAt());
    }

    private void checkConfig(ChannelExtension channel, ObjectNode config, List<FieldError> errors) {
        JsonNode schema;
        try {
            schema = JSON.readTree(channel.configSchema().jsonSchema());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("channel " + channel.type() + " declares an unreadable schema", e);
        }
        errors.addAll(SchemaCheck.check(schema, config, "config"));
        // hosts the hub will connect to (IMAP, SMTP): the same private-address guard as every outbound URL
        config.fields().forEachRemaining(f -> {
            if (f.getKey().endsWith("_host") && f.getValue().isTextual()) {
                String host = f.getValue().asText();
                if (!host.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9a-fA-F:.]{2,45}\\]")) {
                    errors.add(new FieldError("config." + f.getKey(), "must be a host name or address"));
                } else {
                    guard.refusal(URI.create("http://" + host)).ifPresent(why -> errors.add(
                            new FieldError("config." + f.getKey(), why)));
                }
            }
        });
        JsonNode base = config.get("api_base_url");
        if (base != null && base.isTextual()) {
            if (!SchemaCheck.isHttpUrl(base.asText())) {
                errors.add(new FieldError("config.api_base_url", "must be an http(s) URL with a host"));
            } else {
                guard.refusal(URI.create(base.asText())).ifPresent(why -> errors.add(
                        new FieldError("config.api_base_url", why)));
            }
        }
    }

    private static void checkSecrets(ChannelExtension channel, Map<String, String> secrets, boolean requireAll,
                                     List<FieldError> errors) {
        List<String> required = channel.configSchema().requiredSecrets();
        List<String> optional = channel.configSchema().optionalSecrets();
        for (String name : required) {
            if (requireAll && (!secrets.containsKey(name) || secrets.get(name).isEmpty())) {
                errors.add(new FieldError("secrets." + name, "is required"));
            }
        }
        secrets.forEach((name, value) -> {
            if (!required.contains(name) && !optional.contains(name)) {
                List<String> known = new ArrayList<>(required);
                known.addAll(optional);
                errors.add(new FieldError("secrets." + name.substring(0, Math.min(60, name.length())),
                        "is not a secret of this channel (known: " + known + ")"));
            } else if (value.length() > MAX_SECRET_LENGTH) {
                errors.add(new FieldError("secrets." + name, "must be at most " + MAX_SECRET_LENGTH + " characters"));
            } else if (value.isBlank() || (name.contains("secret") && value.length() < 16)) {
                errors.add(new FieldError("secrets." + name, name.contains("secret")
                        ? "must be at least 16 characters: anyone who guesses it passes" : "must not be blank"));
            }
        });
    }

    private String seal(String id, Map<String, String> secrets) {
        try {
            return vault.encrypt(JSON.writeValueAsString(secrets), "channel:" + id);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> unseal(ChannelStore.Row row) {
        try {
            return JSON.readValue(vault.decrypt(row.sealedSecrets(), "channel:" + row.id()), new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the secrets of " + row.id() + " are unreadable", e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored channel config is unreadable", e);
        }
    }

    private void disconnectQuietly(ChannelExtension channel, ChannelStore.Row row) {
        try {
            channel.disconnect(connection(row));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel " + row.type() + " could not unregister " + row.id(), e);
        }
    }

    private static RuntimeException platformRefused(ChannelExtension channel, RuntimeException e) {
        if (e instanceof ClawlessException c) {
            return c;
        }
        if (e instanceof ChannelException.SendFailed f && f.status() >= 400 && f.status() < 500) {
            return ClawlessException.Validation.of("secrets", channel.type() + " refused the connection: "
                    + f.getMessage());
        }
        if (e instanceof ChannelException.Malformed m) {
            return ClawlessException.Validation.of("config", m.getMessage());
        }
        LOG.log(Level.WARNING, "channel " + channel.type() + " could not connect", e);
        return new ClawlessException.BadGateway("channel-unreachable", channel.type()
                + " could not be reached to register the connection: " + e.getMessage());
    }

    private static ClawlessException inboundProblem(ChannelException e) {
        return switch (e) {
            case ChannelException.Unverified u -> new ClawlessException.Unauthorized(u.getMessage());
            case ChannelException.Malformed m -> ClawlessException.Validation.of("body", m.getMessage());
            case ChannelException.SendFailed f -> ClawlessException.Validation.of("body", f.getMessage());
            case ChannelException.Throttled t -> ClawlessException.Validation.of("body", t.getMessage());
        };
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
