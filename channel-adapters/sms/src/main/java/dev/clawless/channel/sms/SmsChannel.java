package dev.clawless.channel.sms;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;

import dev.clawless.channel.twilio.Forms;
import dev.clawless.channel.twilio.TwilioHttp;
import dev.clawless.channel.twilio.TwilioWebhooks;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;

/**
 * SMS (and MMS) through Twilio, with the SDK and signature check WhatsApp-through-Twilio uses
 * ({@code channel-twilio-common}): inbound messages and status callbacks on one webhook, replies through the Messages
 * API from the connection's number (or Messaging Service), STOP/START honoured ({@link SmsInbound}). The thread is the
 * contact's phone number, which also joins them to the same contact on WhatsApp.
 */
public final class SmsChannel implements ChannelExtension {

    public static final String TYPE = "sms";
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false,
             "properties": {
               "from": {"type": "string", "pattern": "^\\\\+[1-9][0-9]{6,14}$",
                        "description": "the Twilio number replies come from, E.164 (+15017122661)"},
               "messaging_service_sid": {"type": "string", "pattern": "^MG[0-9a-fA-F]{32}$",
                                         "description": "or a Messaging Service that picks the sender"},
               "api_base_url": {"type": "string", "format": "uri", "maxLength": 500,
                                "description": "default https://api.twilio.com"}
             }}""";

    private final Map<String, TwilioHttp> clients = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of("account_sid", "auth_token"), List.of());
    }

    /** Twilio's limit for one message's body (it splits it into segments itself). */
    @Override
    public int maxTextLength() {
        return 1600;
    }

    @Override
    public void connect(ChannelConnection c) {
        need(c, "account_sid");
        need(c, "auth_token");
        if (c.config("from").isEmpty() && c.config("messaging_service_sid").isEmpty()) {
            throw new ChannelException.Malformed("sms needs config.from (a Twilio number) or "
                    + "config.messaging_service_sid", null);
        }
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        TwilioWebhooks.verify(request, c);
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        return SmsInbound.parse(Forms.parse(request.body()), c);
    }

    /** Twilio expects TwiML: an empty {@code <Response/>} means no reply in the HTTP answer (it goes out by API). */
    @Override
    public HookReply acknowledgement(InboundRequest request) {
        return new HookReply(200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        if (message.metadata().containsKey("template")) {
            throw new ChannelException.SendFailed("sms has no message templates: send text", 0, false,
                    Optional.empty(), Optional.of("no_templates"), null);
        }
        TwilioHttp http = clients.computeIfAbsent(c.id() + "|" + c.config("api_base_url").orElse(""),
                k -> new TwilioHttp(c.config("api_base_url")));
        TwilioRestClient client = new TwilioRestClient.Builder(need(c, "account_sid"), need(c, "auth_token"))
                .httpClient(http).build();
        PhoneNumber to = new PhoneNumber(message.externalThreadKey());
        List<URI> media = message.attachments().stream().flatMap(a -> a.url().stream())
                .filter(u -> u.startsWith("https://")).map(URI::create).toList();
        Optional<String> service = c.config("messaging_service_sid");
        var creator = service.isPresent()
                ? (message.text().isBlank() && !media.isEmpty() ? Message.creator(to, service.get(), media)
                : Message.creator(to, service.get(), message.text()))
                : (message.text().isBlank() && !media.isEmpty()
                ? Message.creator(to, new PhoneNumber(c.config("from").orElseThrow()), media)
                : Message.creator(to, new PhoneNumber(c.config("from").orElseThrow()), message.text()));
        if (!media.isEmpty() && !message.text().isBlank()) {
            creator.setMediaUrl(media);
        }
        creator.setStatusCallback(URI.create(c.webhookUrl()));
        try {
            Message sent = creator.create(client);
            return new SendResult(List.of(sent.getSid()), DeliveryStatus.SENT);
        } catch (ApiException e) {
            int status = http.lastResponse().map(r -> r.getStatusCode()).orElse(0);
            // 21610: the number replied STOP on Twilio's side; nothing will go until it sends START
            throw new ChannelException.SendFailed("Twilio: " + TwilioWebhooks.firstLine(e.getMessage()), status,
                    status == 0 || status == 429 || status >= 500,
                    http.lastHeader("Retry-After").flatMap(TwilioWebhooks::seconds),
                    Optional.ofNullable(e.getCode()).map(String::valueOf), e);
        }
    }

    @Override
    public NewThread newThread(ChannelConnection c, String address) {
        String number = address.replaceAll("[\\s().-]", "");
        if (!number.matches("\\+[1-9][0-9]{6,14}")) {
            throw new ChannelException.Malformed("an SMS address is a phone number in E.164 form, e.g. +573001234567",
                    null);
        }
        return new NewThread(number, Participant.of(number), Map.of(), Optional.of("phone:" + number));
    }

    private static String need(ChannelConnection c, String secret) {
        return c.secret(secret).filter(s -> !s.isBlank()).orElseThrow(() -> new ChannelException.Malformed(
                "sms needs the secret " + secret, null));
    }
}
