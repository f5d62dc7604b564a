package dev.clawless.core.channel;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.channel.internal.ChannelStore;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.JsonMappers;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Ingested;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.Signatures;

/**
 * Web chat sessions of the widget. A session is opened with a webchat connection's publishable key
 * ({@code pk_…}, public by design) from an allowed origin; it names one visitor's conversation and is carried by a
 * signed, expiring session token (HMAC-SHA256 under a key derived from the master key), so any hub node can check it
 * without a lookup. A site that knows its user proves it with {@code user_hash} = hex HMAC-SHA256(identity secret,
 * user id): the conversation then belongs to that user on every device. Thread-safe.
 */
public final class WidgetSessions {

    public static final String TYPE = "webchat";
    private static final ObjectMapper JSON = JsonMappers.create();
    private static final Duration LIFETIME = Duration.ofHours(24);
    private static final Duration ORIGIN_CACHE = Duration.ofSeconds(30);
    private static final Duration ORIGIN_MISS_REFRESH = Duration.ofSeconds(1);

    private final ChannelManagement channels;
    private final ConversationManagement conversations;
    private final TenantManagement tenants;
    private final UsageMeter usage;
    private final byte[] key;
    private final long messagesPerMinute;
    private final Clock clock;
    private final Ids ids;
    private volatile Map<String, Instant> allowedOrigins = new ConcurrentHashMap<>();
    private volatile Instant originsRead = Instant.EPOCH;

    public WidgetSessions(ChannelManagement channels, ConversationManagement conversations, TenantManagement tenants,
                          UsageMeter usage, byte[] signingKey, long messagesPerMinute, Clock clock, Ids ids) {
        this.channels = channels;
        this.conversations = conversations;
        this.tenants = tenants;
        this.usage = usage;
        this.key = signingKey.clone();
        this.messagesPerMinute = messagesPerMinute;
        this.clock = clock;
        this.ids = ids;
        channels.onChange(() -> originsRead = Instant.EPOCH);
    }

    /**
     * A checked session.
     *
     * @param origin the page origin the session was opened from ({@code https://shop.example}, or {@code null} for
     *               a sandboxed page a connection allows explicitly); empty when opened without one (a server)
     */
    public record Session(String tenantId, String connectionId, String conversationId, String threadKey,
                          String participant, Instant expires, Optional<String> origin) {
    }

    /** An opened session: its token, conversation, recent history and the widget's theme. */
    public record Opened(String token, Session session, List<Message> history, JsonNode theme) {
        @Override
        public String toString() {
            return "Opened[" + session + ", token=****]";
        }
    }

    /** The publishable key of a webchat connection. */
    public static String publishableKey(String connectionId) {
        return "pk_" + connectionId.substring(connectionId.indexOf('_') + 1);
    }

    /**
     * Opens (or resumes) a visitor's session.
     *
     * @param origin the request's {@code Origin}; when present it must be allowed (browsers always send it cross-site);
     *               {@code null} (sandboxed frames, {@code file:} pages) only where a connection lists it
     */
    public Opened open(String publishableKey, Optional<String> origin, Optional<String> visitorId,
                       Optional<String> userId, Optional<String> userHash) {
        return open(publishableKey, origin, visitorId, userId, userHash, Optional.empty());
    }

    /**
     * Opens (or resumes) a visitor's session.
     *
     * @param displayName what the page calls the visitor (its user's name or e-mail): shown to operators, not verified
     */
    public Opened open(String publishableKey, Optional<String> origin, Optional<String> visitorId,
                       Optional<String> userId, Optional<String> userHash, Optional<String> displayName) {
        if (!publishableKey.matches("pk_[0-9a-z]{10,40}")) {
            throw new ClawlessException.Unauthorized("publishable_key is not a widget key");
        }
        String connectionId = "con_" + publishableKey.substring(3);
        ChannelStore.Row row = channels.store().find(channels.database().execute(), connectionId)
                .filter(r -> r.enabled() && r.type().equals(TYPE))
                .orElseThrow(() -> new ClawlessException.Unauthorized("publishable_key is not a widget key"));
        var connection = channels.connection(row);
        origin.ifPresent(o -> {
            if (!allowed(row.tenantId(), connection.config("allowed_origins").orElse("[]"), o)) {
                throw new ClawlessException.Forbidden("origin-not-allowed", "the widget may not be embedded on "
                        + o.substring(0, Math.min(100, o.length())) + "; add it to the connection's allowed_origins");
            }
        });
        String participant;
        Optional<String> name = Optional.empty();
        if (userId.isPresent()) {
            String hash = userHash.orElseThrow(() -> ClawlessException.Validation.of("user_hash",
                    "is required with user_id: hex HMAC-SHA256(identity secret, user_id)"));
            boolean verified = connection.secret("identity_secret").map(secret -> Signatures.constantTimeEquals(
                    Signatures.hmacSha256Hex(secret, userId.get().getBytes(StandardCharsets.UTF_8)),
                    hash.toLowerCase(java.util.Locale.ROOT))).orElse(false);
            if (!verified) {
                throw new ClawlessException.Unauthorized("user_hash does not verify user_id");
            }
            participant = "user:" + userId.get();
            name = Optional.of(displayName.orElse(userId.get()));
        } else {
            if (Boolean.parseBoolean(connection.config("require_identity").orElse("false"))) {
                throw new ClawlessException.Unauthorized("this widget requires a verified user (user_id, user_hash)");
            }
            participant = "visitor:" + visitorId.orElseGet(() -> ids.next("vis"));
            name = displayName;
        }
        Conversation c = conversations.openThread(row.tenantId(), TYPE, connectionId, participant,
                new Participant(participant, name, Optional.empty()));
        Session session = new Session(row.tenantId(), connectionId, c.id(), participant, participant,
                clock.instant().plus(LIFETIME), origin.map(o -> o.toLowerCase(java.util.Locale.ROOT)));
        List<Message> history = conversations.latest(row.tenantId(), c.id(), 50);
        JsonNode theme = connection.config("theme").map(WidgetSessions::readTree).orElse(JSON.createObjectNode());
        return new Opened(token(session), session, history, theme);
    }

    /**
     * Checks a session token; 401 when forged or expired, 403 when a browser presents it from another origin than
     * the one it was opened from (a request without {@code Origin} is a server's or a same-origin read).
     */
    public Session verify(String token, Optional<String> requestOrigin) {
        int dot = token.indexOf('.');
        if (!token.startsWith("wst_") || dot < 0 || token.length() > 2000) {
            throw new ClawlessException.Unauthorized("send the session token as Authorization: Bearer wst_…");
        }
        String payload = token.substring(4, dot);
        if (!Signatures.constantTimeEquals(sign(payload), token.substring(dot + 1))) {
            throw new ClawlessException.Unauthorized("the session token is not valid");
        }
        JsonNode p = readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
        Session s = new Session(p.path("t").asText(), p.path("c").asText(), p.path("v").asText(), p.path("k").asText(),
                p.path("p").asText(), Instant.ofEpochSecond(p.path("e").asLong()),
                p.hasNonNull("o") ? Optional.of(p.get("o").asText()) : Optional.empty());
        if (s.expires().isBefore(clock.instant())) {
            throw new ClawlessException.Unauthorized("the session expired; open a new one");
        }
        if (requestOrigin.isPresent() && !requestOrigin.get().equalsIgnoreCase(s.origin().orElse(""))) {
            throw new ClawlessException.Forbidden("origin-not-allowed", "this session was opened on another site;"
                    + " open a new one here");
        }
        channels.store().find(channels.database().execute(), s.connectionId()).filter(ChannelStore.Row::enabled)
                .orElseThrow(() -> new ClawlessException.Unauthorized("this widget was disconnected"));
        return s;
    }

    /** Stores a visitor's message (once per {@code clientMessageId}) and starts the assistant's turn. */
    public Message send(Session s, String text, Optional<String> clientMessageId) {
        usage.rateLimit("widget:" + s.connectionId() + ":" + s.participant(), "visitor", messagesPerMinute);
        // scoped to the visitor: another visitor's client id names another message
        String externalId = "wm_" + Signatures.hmacSha256Hex(s.participant(), new byte[0]).substring(0, 16) + "_"
                + clientMessageId.orElseGet(() -> ids.next("wm"));
        InboundMessage in = new InboundMessage(TYPE, s.connectionId(), externalId, s.threadKey(),
                Participant.of(s.participant()), text, List.of(), clock.instant(), ChatType.DIRECT, Optional.empty(),
                false, s.participant().startsWith("user:")
                ? Map.of(ConversationManagement.VERIFIED, s.participant()) : Map.of());
        Ingested ingested = conversations.ingest(s.tenantId(), in);
        if (ingested.turnJobId().isPresent()) {
            channels.wake();
        }
        return ingested.message();
    }

    /**
     * Whether any webchat connection (or tenant setting) allows {@code origin}; for CORS preflights. Read from a copy
     * refreshed every 30 seconds, and at most once a second when an origin is not in it (a connection just made or
     * changed on any node).
     */
    public boolean allowedAnywhere(String origin) {
        Instant now = clock.instant();
        boolean stale = originsRead.plus(ORIGIN_CACHE).isBefore(now)
                || (!allowedOrigins.containsKey(origin) && originsRead.plus(ORIGIN_MISS_REFRESH).isBefore(now));
        if (stale) {
            Map<String, Instant> fresh = new ConcurrentHashMap<>();
            for (ChannelStore.Row row : channels.store().enabled(channels.database().execute(), List.of(TYPE))) {
                for (JsonNode o : readTree(channels.connection(row).config("allowed_origins").orElse("[]"))) {
                    fresh.put(o.asText(), now);
                }
                tenants.get(row.tenantId()).settings().allowedOrigins().forEach(o -> fresh.put(o, now));
            }
            allowedOrigins = fresh; // swapped whole: a preflight never sees a half-filled set
            originsRead = now;
        }
        return allowedOrigins.containsKey(origin);
    }

    private boolean allowed(String tenantId, String originsJson, String origin) {
        for (JsonNode o : readTree(originsJson)) {
            if (o.asText().equalsIgnoreCase(origin)) {
                return true;
            }
        }
        return tenants.get(tenantId).settings().allowedOrigins().stream().anyMatch(o -> o.equalsIgnoreCase(origin));
    }

    private String token(Session s) {
        ObjectNode p = JSON.createObjectNode().put("t", s.tenantId()).put("c", s.connectionId())
                .put("v", s.conversationId()).put("k", s.threadKey()).put("p", s.participant())
                .put("e", s.expires().getEpochSecond()).put("o", s.origin().orElse(null))
                .put("n", Secrets.randomBase62(8));
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(p.toString()
                .getBytes(StandardCharsets.UTF_8));
        return "wst_" + payload + "." + sign(payload);
    }

    private String sign(String payload) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Signatures.hmac("HmacSHA256", key,
                payload.getBytes(StandardCharsets.US_ASCII)));
    }

    private static JsonNode readTree(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n == null ? JSON.createArrayNode() : n;
        } catch (java.io.IOException e) {
            throw new ClawlessException.Unauthorized("the session token is not valid");
        }
    }
}
