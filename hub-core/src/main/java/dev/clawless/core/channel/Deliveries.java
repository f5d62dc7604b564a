package dev.clawless.core.channel;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.channel.internal.TextSplitter;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageStatus;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.jobs.RetryLater;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.SentCheck;

/**
 * The {@code deliver} job: sends one outbound message through its conversation's channel. The text is split at the
 * channel's limit and each part is recorded with its platform id as soon as it is out, so a re-run (after a crash or
 * a retry) sends only the parts still missing. A platform's 429/5xx/timeout reschedules the job — after its
 * {@code Retry-After} when it gave one, else with backoff — and the last failed attempt marks the message failed,
 * publishes {@code delivery.failed} and leaves the job dead with the reason. Refusals that retrying cannot fix (a
 * blocked bot, a closed reply window) fail the message at once. Thread-safe.
 */
public final class Deliveries implements JobHandler {

    /** Metadata key of a WhatsApp-style template (e.g. a Twilio {@code ContentSid}); allowed outside the window. */
    public static final String TEMPLATE = "template";
    /** Metadata key of the template's variables, a JSON object as text. */
    public static final String TEMPLATE_VARIABLES = "template_variables";
    /**
     * Metadata key of suggested answers, a JSON array of {@code {"title", "payload"}}: sent with the message's last
     * text part on channels that show quick replies (Messenger, Instagram, WhatsApp buttons).
     */
    public static final String QUICK_REPLIES = "quick_replies";
    /** Metadata key of the signed-in person who wrote an operator reply; absent for an API integration's. */
    public static final String AUTHOR_ID = "author_id";

    /** How long a delivery waits after a 429 that did not say how long. */
    private static final Duration RATE_LIMITED_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Deliveries.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelManagement channels;
    private final ConversationManagement conversations;
    private final dev.clawless.core.conversation.MessageDeliveries records;
    private final java.util.concurrent.atomic.AtomicLong uncertain = new java.util.concurrent.atomic.AtomicLong();

    public Deliveries(ChannelManagement channels, ConversationManagement conversations) {
        this.channels = channels;
        this.conversations = conversations;
        this.records = conversations.deliveries();
    }

    private volatile dev.clawless.core.common.Instruments instruments = dev.clawless.core.common.Instruments.NONE;

    /** The message's suggested answers ({@link #QUICK_REPLIES}); none when absent or not as stored by the API. */
    static List<dev.clawless.plugin.api.QuickReply> quickReplies(Message message) {
        String json = message.metadata().get(QUICK_REPLIES);
        if (json == null) {
            return List.of();
        }
        try {
            List<dev.clawless.plugin.api.QuickReply> out = new java.util.ArrayList<>();
            for (JsonNode q : JSON.readTree(json)) {
                out.add(new dev.clawless.plugin.api.QuickReply(q.path("title").asText(), q.path("payload").asText()));
            }
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Where platform calls and deliveries are counted, each platform call a span of the delivery's trace. */
    public void instruments(dev.clawless.core.common.Instruments instruments) {
        this.instruments = instruments;
    }

    @Override
    public void handle(Job job) throws Exception {
        JsonNode payload = JSON.readTree(job.payload());
        String tenantId = payload.path("tenant_id").asText();
        Message message;
        Conversation conversation;
        try {
            message = conversations.message(tenantId, payload.path("message_id").asText());
            conversation = conversations.get(tenantId, message.conversationId());
        } catch (ClawlessException.NotFound gone) {
            return; // deleted since: nothing to send
        }
        // the job decides from its own record (the parts it sent), not from the status: a platform's status
        // callback for part 0 may already have moved the message on while later parts are still to go
        if (message.status() == MessageStatus.FAILED) {
            return;
        }
        Map<Integer, String> sentSoFar = records.sentParts(message.id());
        if (message.status() != MessageStatus.PENDING && sentSoFar.isEmpty()) {
            return; // delivered by other means (an API message)
        }
        Optional<ChannelManagement.Connected> connected = channels.connected(tenantId, message.connectionId());
        if (connected.isEmpty()) {
            records.markFailed(message, "the channel connection " + message.connectionId()
                    + " was deleted or disabled", Optional.empty());
            instruments.meters().delivery("unknown", "failed");
            return;
        }
        ChannelManagement.Connected c = connected.get();
        if ("true".equals(conversation.metadata().get(ConversationManagement.OPTED_OUT))) {
            records.markFailed(message, "the contact opted out of messages here (STOP); nothing is sent until they"
                    + " opt back in (START)", Optional.of("opted_out"));
            instruments.meters().delivery(c.channel().type(), "failed");
            return;
        }
        boolean humanTag = false;
        if (!message.metadata().containsKey(TEMPLATE)) {
            ChannelManagement.ReplyWindow window = channels.replyWindow(tenantId, conversation);
            // a person: an operator's reply written by someone signed in (author_id), never an API integration's
            boolean person = message.role() == dev.clawless.core.conversation.MessageRole.OPERATOR
                    && message.metadata().containsKey(AUTHOR_ID);
            if (window.applies() && !window.allows(person)) {
                String reason = "the contact's reply window is closed"
                        + window.closesAt().map(t -> " (since " + t + ")").orElse("")
                        + (c.channel().humanReplyWindow().isPresent()
                        ? (person ? "; a person's reply was allowed until "
                        + window.humanClosesAt().map(Object::toString).orElse("?")
                        : "; only a person may still reply (the assistant's reply is not sent)")
                        : "; only an approved template may be sent");
                records.markFailed(message, reason, Optional.of("window_closed"));
                instruments.meters().delivery(c.channel().type(), "failed");
                return;
            }
            humanTag = window.needsHumanTag(person);
        }
        // what the reply answers: the message it was written for, else the contact's latest; its facts (sender,
        // subject) travel as reply_to.* hints, e.g. for e-mail's To, Subject and thread headers
        Optional<Message> answered = message.replyToExternalId()
                .flatMap(id -> conversations.byExternalId(tenantId, message.connectionId(), id))
                .or(() -> conversations.lastInboundMessage(tenantId, conversation.id()));
        Map<String, String> hints = new java.util.LinkedHashMap<>(message.metadata());
        // the model's thinking is for operators only: it never travels to the channel
        hints.remove(Message.THINKING);
        hints.remove(QUICK_REPLIES);
        hints.remove(ChannelExtension.HUMAN_AGENT_HINT);
        if (humanTag) {
            hints.put(ChannelExtension.HUMAN_AGENT_HINT, "true");
        }
        answered.ifPresent(a -> a.metadata().forEach((k, v) -> hints.put("reply_to." + k, v)));
        Optional<String> replyTo = message.replyToExternalId().or(() -> answered.flatMap(Message::externalMessageId));
        List<String> texts = message.text().isBlank() ? List.of()
                : TextSplitter.split(message.text(), c.channel().maxTextLength());
        List<dev.clawless.plugin.api.Attachment> attachments = message.attachments();
        if (texts.isEmpty() && attachments.isEmpty()) {
            texts = List.of(""); // a template carries no text of its own
        }
        // every platform call is its own part (each text part, then each attachment), recorded as soon as it is
        // out, so a re-run sends exactly what is still missing
        int count = texts.size() + attachments.size();
        String first = null;
        for (int i = 0; i < count; i++) {
            int part = i * 100;
            String already = sentSoFar.get(part);
            if (already != null) {
                first = first == null ? already : first;
                continue;
            }
            boolean text = i < texts.size();
            Optional<SendResult> sent;
            try {
                List<dev.clawless.plugin.api.Attachment> these = text ? List.of()
                        : List.of(attachments.get(i - texts.size()));
                List<ChannelExtension.Media> media = new java.util.ArrayList<>();
                for (dev.clawless.plugin.api.Attachment a : these) {
                    if (c.channel().uploadsMedia(c.connection())
                            && a.url().filter(u -> u.startsWith("http://") || u.startsWith("https://")).isPresent()) {
                        media.add(channels.fetchMedia(a));
                    }
                }
                OutboundMessage out = new OutboundMessage(conversation.id(),
                        i == 0 ? message.id() : message.id() + "-" + i, conversation.externalThreadKey(),
                        text ? texts.get(i) : "", these, i == texts.size() - 1 ? quickReplies(message) : List.of(),
                        i == 0 ? replyTo : Optional.empty(), hints, media);
                sent = sendOnce(message, part, out, c);
            } catch (ChannelException.Throttled throttled) {
                // the channel's own pacing delays, but not past the delivery's maximum age
                Optional<RuntimeException> tooOld = tooOld(job, message, throttled.getMessage(), Optional.empty());
                if (tooOld.isPresent()) {
                    throw tooOld.get();
                }
                throw RetryLater.postpone(throttled.getMessage(), throttled.waitFor());
            } catch (RuntimeException e) {
                ChannelException.SendFailed f = e instanceof ChannelException.SendFailed sf ? sf
                        : new ChannelException.SendFailed(c.channel().type() + " failed: " + e.getClass().getSimpleName(),
                        0, true, Optional.empty(), Optional.empty(), e);
                Optional<RuntimeException> retry = failed(job, message, f);
                if (retry.isEmpty()) {
                    instruments.meters().delivery(c.channel().type(), "failed");
                    return;
                }
                throw retry.get();
            }
            List<String> externalIds = sent.map(SendResult::externalMessageIds).orElse(List.of());
            records.recordSent(message, part, externalIds);
            if (first == null) {
                first = externalIds.isEmpty() ? null : externalIds.get(0);
            }
        }
        records.markSent(message, first);
        instruments.meters().delivery(c.channel().type(), "delivered");
    }

    /**
     * Sends one part, never blindly twice: the start of the platform call is recorded first, so a later attempt knows
     * when an earlier one may have gone out (a crash or a timeout in between). Then the channel is asked to find it on
     * the platform; when it cannot tell, the part goes again and the message is marked uncertain. A refusal the
     * platform answered (4xx, 429 included) and the channel's own throttling leave no doubt behind.
     */
    private Optional<SendResult> sendOnce(Message message, int part, OutboundMessage out,
                                          ChannelManagement.Connected c) {
        Optional<java.time.Instant> earlier = records.sendStarted(message, part);
        boolean again = false;
        if (earlier.isPresent()) {
            SentCheck check = c.channel().findSent(out, c.connection(), earlier.get());
            switch (check.outcome()) {
                case SENT -> {
                    if (records.recordedForAnother(message, check.result().orElseThrow().externalMessageIds())) {
                        again = true; // what was found is another message with the same text
                    } else {
                        LOG.info(() -> "part " + part + " of " + message.id() + " was found on " + c.channel().type()
                                + " after an interrupted send; not sent again");
                        return check.result();
                    }
                }
                case NOT_SENT -> again = false;
                case UNKNOWN -> again = true;
            }
        }
        if (records.startSend(message, part, again)) {
            uncertain.incrementAndGet();
            LOG.warning(() -> "part " + part + " of " + message.id() + " is sent again after an attempt whose outcome"
                    + " is unknown (" + c.channel().type() + " cannot tell); the message is marked uncertain");
        }
        io.opentelemetry.api.trace.Span span = instruments.tracer().spanBuilder("send " + c.channel().type())
                .setSpanKind(io.opentelemetry.api.trace.SpanKind.CLIENT)
                .setAttribute("clawless.channel", c.channel().type()).setAttribute("clawless.message.part", part)
                .startSpan();
        try (io.opentelemetry.context.Scope scope = span.makeCurrent()) {
            SendResult result = c.channel().send(out, c.connection());
            instruments.meters().channelSend(c.channel().type(), "sent");
            return Optional.of(result);
        } catch (ChannelException.Throttled throttled) {
            records.sendRefused(message, part);
            instruments.meters().channelSend(c.channel().type(), "throttled");
            span.setAttribute("clawless.send.outcome", "throttled");
            throw throttled;
        } catch (ChannelException.SendFailed f) {
            if (f.status() >= 400 && f.status() < 500) {
                records.sendRefused(message, part); // the platform answered: nothing went out
            }
            instruments.meters().channelSend(c.channel().type(), f.status() >= 400 && f.status() < 500 ? "refused" : "failed");
            span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, "HTTP " + f.status());
            throw f;
        } catch (RuntimeException e) {
            instruments.meters().channelSend(c.channel().type(), "failed");
            span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** Past {@link ChannelSettings#deliveryMaxAge()}: marks the message failed and answers the job's end. */
    private Optional<RuntimeException> tooOld(Job job, Message message, String reason, Optional<String> code) {
        Duration maxAge = channels.settings().deliveryMaxAge();
        if (!message.createdAt().plus(maxAge).isBefore(java.time.Instant.now())) {
            return Optional.empty();
        }
        records.markFailed(message, "gave up after " + maxAge + " (" + job.attempts() + " attempts): " + reason, code);
        return Optional.of(new IllegalStateException("gave up after " + maxAge + ": " + reason));
    }

    /** Parts sent again, since this node started, after an attempt whose outcome was unknown (possible duplicates). */
    public long uncertainSends() {
        return uncertain.get();
    }

    /**
     * Marks the message failed for good, or answers what makes the job run again. A platform's rate limit (429) only
     * delays the delivery — after its {@code Retry-After}, else with the backoff of an attempt — without spending an
     * attempt; past {@link ChannelSettings#deliveryMaxAge()} nothing is sent any more.
     */
    private Optional<RuntimeException> failed(Job job, Message message, ChannelException.SendFailed f) {
        String reason = (f.status() > 0 ? "HTTP " + f.status() + ": " : "") + f.getMessage();
        if (!f.retryable()) {
            records.markFailed(message, reason, f.platformCode());
            return Optional.empty();
        }
        Optional<RuntimeException> tooOld = tooOld(job, message, reason, f.platformCode());
        if (tooOld.isPresent()) {
            return tooOld;
        }
        if (f.status() == 429) {
            Duration wait = f.retryAfter().filter(d -> !d.isNegative()).orElse(RATE_LIMITED_WAIT);
            LOG.fine(() -> "delivery of " + message.id() + " waits " + wait + " for the platform's rate limit");
            return Optional.of(RetryLater.postpone(reason, wait));
        }
        if (job.attempts() >= job.maxAttempts()) {
            records.markFailed(message, "gave up after " + job.attempts() + " attempts: " + reason,
                    f.platformCode());
            return Optional.of(new IllegalStateException("gave up after " + job.attempts() + " attempts: " + reason));
        }
        Optional<Duration> after = f.retryAfter();
        LOG.fine(() -> "delivery of " + message.id() + " will be retried: " + reason);
        if (after.isPresent()) {
            return Optional.of(new RetryLater(reason, after.get().isNegative() ? Duration.ZERO : after.get()));
        }
        return Optional.of(new IllegalStateException(reason));
    }
}
