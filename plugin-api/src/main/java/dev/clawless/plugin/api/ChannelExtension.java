package dev.clawless.plugin.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.pf4j.ExtensionPoint;

/**
 * A channel: how the hub talks to one platform. Built-in channels (Telegram, WhatsApp, e-mail, GitHub, WebChat) and
 * plugin channels implement the same contract. The hub never gives a channel the database, and core never sees a
 * platform's payload: everything crosses as the records of this package.
 *
 * <p>Threading: one instance serves every connection of its type and is called from many virtual threads at once;
 * implementations keep no per-request state in fields.
 */
public interface ChannelExtension extends ExtensionPoint {

    /** The channel type, lower case ({@code telegram}); unique among installed channels. */
    String type();

    /** The connection config this channel accepts and the secrets it needs. */
    ConfigSchema configSchema();

    /**
     * Checks that a webhook request really comes from the platform, over the raw bytes, in constant time. Called
     * before {@link #parse}.
     *
     * @throws ChannelException.Unverified when the signature or secret is missing, wrong or replayed
     */
    void verify(InboundRequest request, ChannelConnection connection);

    /**
     * A value of a verified request that the platform never sends twice and that the signature covers (Mailgun's
     * {@code token}), with how long to remember it: the hub accepts it once across all its nodes and restarts, and
     * refuses a second request with it as a replay (401). Empty, the default, when the signature covers no such
     * value or the events' own ids already make a redelivery harmless (the hub stores a message id once).
     */
    default Optional<ReplayKey> replayKey(InboundRequest request, ChannelConnection connection) {
        return Optional.empty();
    }

    /**
     * A value a platform sends once, for {@link #replayKey}.
     *
     * @param value    the value (at most 300 characters)
     * @param remember how long the hub refuses it again; at least the signature's own validity window
     */
    record ReplayKey(String value, Duration remember) {
        public ReplayKey {
            java.util.Objects.requireNonNull(value, "value");
            java.util.Objects.requireNonNull(remember, "remember");
            if (value.isEmpty() || value.length() > 300) {
                throw new IllegalArgumentException("a replay key has 1-300 characters");
            }
        }
    }

    /**
     * Turns a verified request into events. Events the hub should ignore (the bot's own echoes, unsupported updates)
     * are left out, so an empty list is a normal answer.
     *
     * @throws ChannelException.Malformed when the payload cannot be understood
     */
    List<InboundEvent> parse(InboundRequest request, ChannelConnection connection);

    /**
     * Sends a message through the platform. Called from the delivery job, which retries on
     * {@link ChannelException.SendFailed#retryable()} failures, honouring {@code retryAfter}; implementations never
     * sleep to wait for a rate limit.
     *
     * @throws ChannelException.SendFailed when the platform refuses or cannot be reached
     */
    SendResult send(OutboundMessage message, ChannelConnection connection);

    /**
     * Looks on the platform for a send whose outcome the hub never learned: it started {@link #send} at
     * {@code startedAt} and then crashed, or the call ended without a definite answer (no response, a 5xx) after the
     * platform may already have taken the message. The hub asks before sending the same part again, so that a
     * platform that can show its messages (a comment thread, a message log) never gets a blind duplicate.
     * {@link OutboundMessage#messageId()} is the same on every attempt of a part. By default the platform cannot tell:
     * the hub sends again and marks the message's delivery uncertain for operators.
     *
     * @throws ChannelException.SendFailed when the platform cannot be asked now; the hub tries again later
     */
    default SentCheck findSent(OutboundMessage message, ChannelConnection connection, java.time.Instant startedAt) {
        return SentCheck.unknown();
    }

    /**
     * The longest text one platform message may carry; the hub splits longer replies on paragraph, then sentence,
     * then word boundaries and sends the parts in order, each once.
     */
    default int maxTextLength() {
        return 4096;
    }

    /**
     * True when the channel uploads attachments' content ({@link OutboundMessage#media()}), so the hub fetches it
     * before sending; false when the platform fetches attachment URLs itself (or the channel sends none).
     */
    default boolean uploadsMedia(ChannelConnection connection) {
        return false;
    }

    /**
     * How long after the contact's last message a free-form reply is allowed (WhatsApp's 24-hour customer-service
     * window); empty when the platform has no such rule. Outside it the hub refuses free-form sends and only a
     * template (see {@link OutboundMessage#metadata()}) may go out.
     */
    default Optional<Duration> replyWindow() {
        return Optional.empty();
    }

    /**
     * How long after the contact's last message a person (an operator, never the assistant) may still reply once the
     * {@link #replyWindow()} has closed, where the platform allows it with a tag (Meta's {@code HUMAN_AGENT}: 7
     * days). The hub sends such a reply with the metadata {@link #HUMAN_AGENT_HINT} set to {@code true}. Empty, the
     * default, when the platform has no such rule.
     */
    default Optional<Duration> humanReplyWindow() {
        return Optional.empty();
    }

    /**
     * Metadata of an inbound message by which the contact opts out of messages on this connection ({@code stop}: an
     * SMS STOP) or back in ({@code start}). The hub stores the message, does not answer it, and sends nothing in the
     * conversation while the contact is opted out.
     */
    String OPT_OUT = "contact.opt_out";

    /** Metadata the hub sets on an operator's reply sent under {@link #humanReplyWindow()}. */
    String HUMAN_AGENT_HINT = "reply_window.human_agent";

    /**
     * Answers a request the platform makes outside the event flow — a subscription challenge such as WhatsApp's
     * {@code GET ?hub.challenge=} — or empty when {@code request} carries events. Called before {@link #verify}, so
     * implementations check the challenge's own secret themselves.
     *
     * @throws ChannelException.Unverified when the challenge's secret does not match
     */
    default Optional<HookReply> handshake(InboundRequest request, ChannelConnection connection) {
        return Optional.empty();
    }

    /** The answer to a verified and stored webhook request; by default {@code 200 {"ok":true}}. */
    default HookReply acknowledgement(InboundRequest request) {
        return HookReply.ok();
    }

    /**
     * Called when a connection is created or its settings change, e.g. to register the webhook URL with the platform.
     * A failure stops the change.
     *
     * @throws ChannelException.SendFailed when the platform refuses (bad token) or cannot be reached
     */
    default void connect(ChannelConnection connection) {
    }

    /** Called when a connection is deleted or disabled; best effort, failures are only logged. */
    default void disconnect(ChannelConnection connection) {
    }

    /** True when the hub must pull events for this connection ({@link #poll}) instead of receiving webhooks. */
    default boolean polls(ChannelConnection connection) {
        return false;
    }

    /**
     * Fetches what arrived after {@code cursor}, waiting up to {@code maxWait} for something to arrive (long polling,
     * IMAP IDLE). Called from one thread per connection, never twice at once for the same connection.
     *
     * @throws ChannelException.SendFailed when the platform cannot be reached or refuses; the hub backs off
     */
    default Poll poll(ChannelConnection connection, Optional<String> cursor, Duration maxWait) {
        throw new UnsupportedOperationException(type() + " does not poll");
    }

    /** Called after every event of {@code poll} is stored, e.g. to mark fetched mail as seen. */
    default void acknowledge(ChannelConnection connection, Poll poll) {
    }

    /**
     * A new thread to {@code address} (a phone number, an e-mail address, a chat id — whatever the platform reaches
     * people by), for continuing a conversation here that started on another channel: the thread key and, in
     * {@link NewThread#sendHints()}, what {@link #send} needs to reach the address.
     *
     * @throws ChannelException.Malformed when the address is not one this channel can reach, or the channel cannot
     *                                    start conversations
     */
    default NewThread newThread(ChannelConnection connection, String address) {
        throw new ChannelException.Malformed(type() + " cannot start conversations", null);
    }

    /**
     * A thread a channel can start.
     *
     * @param threadKey   the thread key
     * @param participant the person at the other end
     * @param sendHints   metadata for {@link #send} (e.g. the e-mail recipient)
     * @param verifiedKey what the address proves about the person ({@code phone:+…}, {@code email:…}), if anything
     */
    record NewThread(String threadKey, Participant participant, java.util.Map<String, String> sendHints,
                     Optional<String> verifiedKey) {
        public NewThread {
            sendHints = java.util.Map.copyOf(sendHints);
        }
    }

    /**
     * Fetches the content of an attachment this channel parsed, when someone asks for it (inbound media is never
     * downloaded at ingest).
     *
     * @param maxBytes refuse anything larger
     * @throws ChannelException.Malformed  when the channel cannot download it (or it is larger than {@code maxBytes})
     * @throws ChannelException.SendFailed when the platform refuses or cannot be reached
     */
    default Media download(ChannelConnection connection, Attachment attachment, long maxBytes) {
        throw new ChannelException.Malformed(type() + " cannot download attachments", null);
    }

    /**
     * The content of an attachment.
     *
     * @param contentType its media type
     * @param bytes       its content
     * @param fileName    the name to show
     */
    record Media(String contentType, byte[] bytes, String fileName) {
        public Media {
            java.util.Objects.requireNonNull(contentType, "contentType");
            java.util.Objects.requireNonNull(fileName, "fileName");
            bytes = bytes.clone();
        }

        public Media(String contentType, byte[] bytes) {
            this(contentType, bytes, "file");
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** Shows a typing indicator in the thread while the assistant works, where the platform has one; best effort. */
    default void typing(ChannelConnection connection, String externalThreadKey) {
    }
}
