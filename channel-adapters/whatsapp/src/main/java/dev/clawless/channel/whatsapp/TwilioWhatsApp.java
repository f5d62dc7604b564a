package dev.clawless.channel.whatsapp;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;

import dev.clawless.channel.twilio.Forms;
import dev.clawless.channel.twilio.TwilioHttp;
import dev.clawless.channel.twilio.TwilioWebhooks;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.SentCheck;

/**
 * WhatsApp via Twilio: form-encoded webhooks signed with {@code X-Twilio-Signature} (HMAC-SHA1 of the public URL and
 * the sorted parameters under the auth token, checked with the SDK's {@code RequestValidator}); messages keyed by
 * {@code MessageSid}; status callbacks (sent, delivered, read, failed, undelivered with {@code ErrorCode}) update the
 * sent message; replies through the Messages API, templates as {@code ContentSid} + {@code ContentVariables}.
 */
final class TwilioWhatsApp implements WhatsAppChannel.Provider {

    private final Map<String, TwilioHttp> clients = new ConcurrentHashMap<>();

    @Override
    public void check(ChannelConnection c) {
        WhatsAppChannel.need(c, "account_sid", "twilio");
        WhatsAppChannel.need(c, "auth_token", "twilio");
        if (c.config("from").isEmpty()) {
            throw new ChannelException.Malformed("provider twilio needs config.from (e.g. whatsapp:+14155238886)", null);
        }
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        TwilioWebhooks.verify(request, c);
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        Map<String, String> p = Forms.parse(request.body());
        String sid = TwilioWebhooks.messageSid(p);
        if (TwilioWebhooks.isStatusCallback(p)) {
            return TwilioWebhooks.status(sid, p, c).<List<InboundEvent>>map(List::of).orElse(List.of());
        }
        String from = p.get("From");
        if (from == null || !from.startsWith("whatsapp:+") || from.length() > 40) {
            throw new ChannelException.Malformed("From must be a whatsapp:+<number> address", null);
        }
        if (from.equals(c.config("from").orElse(""))) {
            return List.of(); // our own message coming back
        }
        String body = p.getOrDefault("Body", "");
        if (body.length() > 4096) {
            throw new ChannelException.Malformed("Body is longer than WhatsApp allows", null);
        }
        List<Attachment> attachments = TwilioWebhooks.media(p);
        if (p.containsKey("Latitude") && p.containsKey("Longitude")) {
            double lat = number(p.get("Latitude"), "Latitude");
            double lon = number(p.get("Longitude"), "Longitude");
            attachments.add(new Attachment(Attachment.Kind.LOCATION, Optional.of("geo:" + lat + "," + lon),
                    Optional.empty(), Optional.ofNullable(p.get("Label")), OptionalLong.empty(), Optional.empty()));
        }
        String text = p.containsKey("ButtonText") ? p.get("ButtonText") : body;
        if (text.isEmpty() && attachments.isEmpty()) {
            return List.of();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("whatsapp.provider", "twilio");
        meta.put("contact.verified", "phone:" + from.substring("whatsapp:".length()));
        Optional.ofNullable(p.get("ButtonPayload")).ifPresent(v -> meta.put("whatsapp.button_payload", v));
        Optional.ofNullable(p.get("MessageType")).ifPresent(v -> meta.put("whatsapp.message_type", v));
        String number = from.substring("whatsapp:".length());
        return List.of(new InboundMessage(WhatsAppChannel.TYPE, c.id(), sid, from,
                new Participant(number, Optional.ofNullable(p.get("ProfileName")).filter(n -> !n.isBlank()),
                        Optional.empty()),
                text, attachments, Instant.now(), ChatType.DIRECT,
                Optional.ofNullable(p.get("OriginalRepliedMessageSid")), false, meta));
    }

    private static double number(String value, String field) {
        try {
            double d = Double.parseDouble(value);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ChannelException.Malformed(field + " is not a number", null);
        }
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        TwilioHttp http = clients.computeIfAbsent(c.id() + "|" + c.config("api_base_url").orElse(""),
                k -> new TwilioHttp(c.config("api_base_url")));
        TwilioRestClient client = new TwilioRestClient.Builder(WhatsAppChannel.need(c, "account_sid", "twilio"),
                WhatsAppChannel.need(c, "auth_token", "twilio")).httpClient(http).build();
        PhoneNumber to = new PhoneNumber(message.externalThreadKey());
        PhoneNumber from = new PhoneNumber(c.config("from").orElseThrow());
        Optional<String> template = Optional.ofNullable(message.metadata().get("template"));
        List<URI> media = message.attachments().stream().flatMap(a -> a.url().stream())
                .filter(u -> u.startsWith("https://")).map(URI::create).toList();
        var creator = template.isPresent()
                ? Message.creator(to, from, (String) null).setContentSid(template.get())
                .setContentVariables(message.metadata().getOrDefault("template_variables", "{}"))
                : message.text().isBlank() && !media.isEmpty() ? Message.creator(to, from, media)
                : Message.creator(to, from, message.text());
        if (!media.isEmpty() && template.isEmpty() && !message.text().isBlank()) {
            creator.setMediaUrl(media);
        }
        creator.setStatusCallback(URI.create(c.webhookUrl()));
        try {
            Message sent = creator.create(client);
            return new SendResult(List.of(sent.getSid()), DeliveryStatus.SENT);
        } catch (ApiException e) {
            int status = http.lastResponse().map(r -> r.getStatusCode()).orElse(0);
            Optional<String> code = Optional.ofNullable(e.getCode()).map(String::valueOf);
            Optional<Duration> after = http.lastHeader("Retry-After").flatMap(TwilioWhatsApp::seconds);
            boolean retryable = status == 0 || status == 429 || status >= 500;
            return fail("Twilio: " + firstLine(e.getMessage()), status, retryable, after, code, e);
        }
    }

    /** How far Twilio's clock (whole seconds) may be behind the hub's when matching a message to a send. */
    private static final java.time.Duration CLOCK_SLACK = java.time.Duration.ofSeconds(5);

    /**
     * Twilio keeps a log of the account's messages: the one message to the same number from the same sender with the
     * same text, created since the send started (a few seconds' slack for clock skew), is the one the hub sent. Two
     * such messages, or a template (no text of its own), cannot be told apart: unknown, so the part goes again marked
     * uncertain rather than being taken for sent when it was not.
     */
    @Override
    public SentCheck findSent(OutboundMessage message, ChannelConnection c, Instant startedAt) {
        if (message.metadata().containsKey("template") || message.text().isBlank()) {
            return SentCheck.unknown();
        }
        TwilioHttp http = clients.computeIfAbsent(c.id() + "|" + c.config("api_base_url").orElse(""),
                k -> new TwilioHttp(c.config("api_base_url")));
        TwilioRestClient client = new TwilioRestClient.Builder(WhatsAppChannel.need(c, "account_sid", "twilio"),
                WhatsAppChannel.need(c, "auth_token", "twilio")).httpClient(http).build();
        try {
            var page = Message.reader().setTo(new PhoneNumber(message.externalThreadKey()))
                    .setFrom(new PhoneNumber(c.config("from").orElseThrow())).setPageSize(50L).firstPage(client);
            List<Message> candidates = new java.util.ArrayList<>();
            for (Message m : page.getRecords()) {
                if (message.text().equals(m.getBody()) && m.getDateCreated() != null
                        && !m.getDateCreated().toInstant().isBefore(startedAt.minus(CLOCK_SLACK))) {
                    candidates.add(m);
                }
            }
            return switch (candidates.size()) {
                case 0 -> SentCheck.notSent();
                case 1 -> SentCheck.sent(new SendResult(List.of(candidates.get(0).getSid()), DeliveryStatus.SENT));
                default -> SentCheck.unknown();
            };
        } catch (ApiException e) {
            int status = http.lastResponse().map(r -> r.getStatusCode()).orElse(0);
            throw new ChannelException.SendFailed("Twilio: " + firstLine(e.getMessage()), status,
                    status == 0 || status == 429 || status >= 500,
                    http.lastHeader("Retry-After").flatMap(TwilioWhatsApp::seconds),
                    Optional.ofNullable(e.getCode()).map(String::valueOf), e);
        }
    }

    private static final java.net.http.HttpClient MEDIA = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();

    /** Twilio media needs the account's basic auth; the CDN it redirects to must not get it. */
    @Override
    public WhatsAppChannel.Media download(ChannelConnection c, Attachment attachment, long maxBytes) {
        String url = attachment.url().filter(u -> u.matches("https://api\\.twilio\\.com/2010-04-01/Accounts/"
                        + "AC[0-9a-fA-F]{32}/Messages/(MM|SM)[0-9a-fA-F]{32}/Media/ME[0-9a-fA-F]{32}"))
                .orElseThrow(() -> new ChannelException.Malformed("not a Twilio media URL", null));
        String target = c.config("api_base_url").map(b -> b.replaceAll("/+$", "") + url.substring(
                "https://api.twilio.com".length())).orElse(url);
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((WhatsAppChannel.need(c, "account_sid",
                "twilio") + ":" + WhatsAppChannel.need(c, "auth_token", "twilio")).getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        return WhatsAppChannel.fetch(MEDIA, URI.create(target), Optional.of(auth), maxBytes,
                attachment.mimeType().orElse("application/octet-stream"), c);
    }

    private static SendResult fail(String message, int status, boolean retryable, Optional<Duration> after,
                                   Optional<String> code, Exception cause) {
        throw new ChannelException.SendFailed(message, status, retryable, after, code, cause);
    }

    static Optional<Duration> seconds(String retryAfter) {
        return TwilioWebhooks.seconds(retryAfter);
    }

    static String firstLine(String s) {
        return TwilioWebhooks.firstLine(s);
    }
}
