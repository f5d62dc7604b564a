package dev.clawless.channel.whatsapp;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;

/**
 * WhatsApp, through one of two providers chosen by the connection's {@code provider}: Twilio ({@link TwilioWhatsApp})
 * or Meta's Cloud API ({@link MetaWhatsApp}). Both enforce WhatsApp's 24-hour customer-service window: outside it
 * the hub sends only approved templates.
 */
public final class WhatsAppChannel implements ChannelExtension {

    public static final String TYPE = "whatsapp";
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false, "required": ["provider"],
             "properties": {
               "provider": {"type": "string", "enum": ["twilio", "meta"]},
               "from": {"type": "string", "pattern": "^whatsapp:\\\\+[1-9][0-9]{6,14}$", "maxLength": 30,
                        "description": "twilio: the WhatsApp sender, e.g. whatsapp:+14155238886"},
               "phone_number_id": {"type": "string", "pattern": "^[0-9]{5,30}$",
                                   "description": "meta: the business phone number's id"},
               "graph_version": {"type": "string", "pattern": "^v[0-9]{1,3}\\\\.[0-9]$",
                                 "description": "meta: Graph API version, default v21.0"},
               "template_language": {"type": "string", "maxLength": 10,
                                     "description": "meta: language code of templates, default en_US"},
               "api_base_url": {"type": "string", "format": "uri", "maxLength": 500,
                                "description": "default https://api.twilio.com or https://graph.facebook.com"}
             }}""";

    private final TwilioWhatsApp twilio = new TwilioWhatsApp();
    private final MetaWhatsApp meta = new MetaWhatsApp();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of(),
                List.of("account_sid", "auth_token", "access_token", "app_secret", "verify_token"));
    }

    @Override
    public int maxTextLength() {
        return 4096;
    }

    @Override
    public boolean uploadsMedia(ChannelConnection c) {
        return c.config("provider").orElse("").equals("meta");
    }

    @Override
    public Optional<Duration> replyWindow() {
        return Optional.of(Duration.ofHours(24));
    }

    private Provider provider(ChannelConnection c) {
        return switch (c.config("provider").orElse("")) {
            case "twilio" -> twilio;
            case "meta" -> meta;
            default -> throw new ChannelException.Malformed("config.provider must be twilio or meta", null);
        };
    }

    @Override
    public void connect(ChannelConnection c) {
        provider(c).check(c);
    }

    @Override
    public Optional<HookReply> handshake(InboundRequest request, ChannelConnection c) {
        return provider(c).handshake(request, c);
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        provider(c).verify(request, c);
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        return provider(c).parse(request, c);
    }

    @Override
    public HookReply acknowledgement(InboundRequest request) {
        // Twilio expects TwiML; an empty <Response/> means "no synchronous reply" (the answer goes out via the API)
        return request.header("X-Twilio-Signature").isPresent()
                ? new HookReply(200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")
                : HookReply.ok();
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        return provider(c).send(message, c);
    }

    @Override
    public dev.clawless.plugin.api.SentCheck findSent(OutboundMessage message, ChannelConnection c,
                                                      java.time.Instant startedAt) {
        return provider(c).findSent(message, c, startedAt);
    }

    @Override
    public Media download(ChannelConnection c, dev.clawless.plugin.api.Attachment attachment, long maxBytes) {
        return provider(c).download(c, attachment, maxBytes);
    }

    @Override
    public NewThread newThread(ChannelConnection c, String address) {
        String number = address.replaceAll("[\\s()-]", "").replaceFirst("^whatsapp:", "");
        if (!number.matches("\\+[1-9][0-9]{6,14}")) {
            throw new ChannelException.Malformed("a WhatsApp address is a phone number in E.164 form, e.g. +4915112345678",
                    null);
        }
        String thread = provider(c) instanceof TwilioWhatsApp ? "whatsapp:" + number : number.substring(1);
        return new NewThread(thread, Participant.of(number), java.util.Map.of(), Optional.of("phone:" + number));
    }

    /** What each provider does. */
    interface Provider {
        /** Checks the connection has what this provider needs (secrets and config) before it is stored. */
        void check(ChannelConnection c);

        default Optional<HookReply> handshake(InboundRequest request, ChannelConnection c) {
            return Optional.empty();
        }

        void verify(InboundRequest request, ChannelConnection c);

        List<InboundEvent> parse(InboundRequest request, ChannelConnection c);

        SendResult send(OutboundMessage message, ChannelConnection c);

        /** See {@link ChannelExtension#findSent}; Meta's Cloud API has no way to list sent messages. */
        default dev.clawless.plugin.api.SentCheck findSent(OutboundMessage message, ChannelConnection c,
                                                           java.time.Instant startedAt) {
            return dev.clawless.plugin.api.SentCheck.unknown();
        }

        Media download(ChannelConnection c, dev.clawless.plugin.api.Attachment attachment, long maxBytes);
    }

    /** See {@link dev.clawless.channel.metagraph.PublicMedia#fetch}. */
    static Media fetch(java.net.http.HttpClient http, java.net.URI uri, Optional<String> authorization, long maxBytes,
                       String fallbackType, ChannelConnection c) {
        return dev.clawless.channel.metagraph.PublicMedia.fetch(http, uri, authorization, maxBytes, fallbackType, c);
    }

    static String need(ChannelConnection c, String secret, String provider) {
        return c.secret(secret).filter(s -> !s.isBlank()).orElseThrow(() -> new ChannelException.Malformed(
                "provider " + provider + " needs the secret " + secret, null));
    }
}
