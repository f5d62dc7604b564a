package dev.clawless.channel.whatsapp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.channel.metagraph.GraphApi;
import dev.clawless.channel.metagraph.MetaWebhooks;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;


import static dev.clawless.channel.metagraph.GraphJson.array;
import static dev.clawless.channel.metagraph.GraphJson.text;
/**
 * WhatsApp via Meta's Cloud API: the {@code GET} subscription challenge ({@code hub.verify_token}), webhooks signed
 * {@code X-Hub-Signature-256: sha256=<hex hmac(app secret, raw body)>}, {@code messages} (text, media, location,
 * interactive and template-button replies, replies with {@code context}) and {@code statuses}, keyed by {@code wamid};
 * replies through the Graph API {@code /{phone_number_id}/messages}.
 */
final class MetaWhatsApp implements WhatsAppChannel.Provider {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** WhatsApp's own throttling codes: retrying later helps. */
    private final GraphApi graph = new GraphApi(Set.of(130429, 131056, 131048));
    private final HttpClient http = graph.http();

    @Override
    public void check(ChannelConnection c) {
        WhatsAppChannel.need(c, "access_token", "meta");
        WhatsAppChannel.need(c, "app_secret", "meta");
        WhatsAppChannel.need(c, "verify_token", "meta");
        if (c.config("phone_number_id").isEmpty()) {
            throw new ChannelException.Malformed("provider meta needs config.phone_number_id", null);
        }
    }

    @Override
    public Optional<HookReply> handshake(InboundRequest request, ChannelConnection c) {
        return MetaWebhooks.handshake(request, c);
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        MetaWebhooks.verify(request, c);
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        JsonNode root;
        try {
            root = JSON.readTree(request.body());
        } catch (IOException e) {
            throw new ChannelException.Malformed("not JSON: " + TwilioWhatsApp.firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject() || !"whatsapp_business_account".equals(root.path("object").asText())
                || !root.path("entry").isArray()) {
            throw new ChannelException.Malformed("not a whatsapp_business_account notification", null);
        }
        String phoneNumberId = c.config("phone_number_id").orElse("");
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : array(entry, "changes")) {
                JsonNode value = change.path("value");
                if (!value.isObject()) {
                    throw new ChannelException.Malformed("a change without a value object", null);
                }
                if (!phoneNumberId.equals(value.path("metadata").path("phone_number_id").asText())) {
                    continue; // another number of the same business account
                }
                Map<String, String> names = new LinkedHashMap<>();
                for (JsonNode contact : array(value, "contacts")) {
                    names.put(contact.path("wa_id").asText(), contact.path("profile").path("name").asText(""));
                }
                for (JsonNode m : array(value, "messages")) {
                    message(m, names, c).ifPresent(events::add);
                }
                for (JsonNode s : array(value, "statuses")) {
                    status(s, c).ifPresent(events::add);
                }
            }
        }
        return events;
    }


    private static Optional<InboundEvent> message(JsonNode m, Map<String, String> names, ChannelConnection c) {
        String id = text(m, "id", 300);
        String from = text(m, "from", 40);
        String type = text(m, "type", 40);
        String ts = text(m, "timestamp", 20);
        if (id == null || from == null || type == null || !from.matches("[0-9]{5,20}")
                || (ts != null && !ts.matches("[0-9]{1,12}"))) {
            throw new ChannelException.Malformed("a message needs id, from (digits), type and a numeric timestamp",
                    null);
        }
        String body = "";
        List<Attachment> attachments = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("whatsapp.provider", "meta");
        meta.put("whatsapp.message_type", type);
        meta.put("contact.verified", "phone:+" + from);
        switch (type) {
            case "text" -> body = Optional.ofNullable(text(m.path("text"), "body", 4096)).orElse("");
            case "image", "document", "audio", "video", "sticker" -> {
                JsonNode media = m.path(type);
                String mediaId = text(media, "id", 100);
                if (mediaId == null) {
                    throw new ChannelException.Malformed(type + " without an id", null);
                }
                body = Optional.ofNullable(text(media, "caption", 4096)).orElse("");
                attachments.add(new Attachment(switch (type) {
                    case "image" -> Attachment.Kind.IMAGE;
                    case "audio" -> Attachment.Kind.AUDIO;
                    case "video" -> Attachment.Kind.VIDEO;
                    case "sticker" -> Attachment.Kind.STICKER;
                    default -> Attachment.Kind.FILE;
                }, Optional.empty(), Optional.ofNullable(text(media, "mime_type", 200)),
                        Optional.ofNullable(text(media, "filename", 300)), OptionalLong.empty(),
                        Optional.of(mediaId)));
            }
            case "location" -> {
                JsonNode l = m.path("location");
                if (!l.path("latitude").isNumber() || !l.path("longitude").isNumber()) {
                    throw new ChannelException.Malformed("a location needs numeric latitude and longitude", null);
                }
                attachments.add(new Attachment(Attachment.Kind.LOCATION, Optional.of("geo:"
                        + l.path("latitude").asDouble() + "," + l.path("longitude").asDouble()), Optional.empty(),
                        Optional.ofNullable(text(l, "name", 1000)), OptionalLong.empty(), Optional.empty()));
            }
            case "interactive" -> {
                JsonNode i = m.path("interactive");
                JsonNode reply = i.has("button_reply") ? i.path("button_reply") : i.path("list_reply");
                body = Optional.ofNullable(text(reply, "title", 200)).orElse("");
                Optional.ofNullable(text(reply, "id", 300)).ifPresent(v -> meta.put("whatsapp.reply_id", v));
            }
            case "button" -> {
                body = Optional.ofNullable(text(m.path("button"), "text", 200)).orElse("");
                Optional.ofNullable(text(m.path("button"), "payload", 1000))
                        .ifPresent(v -> meta.put("whatsapp.button_payload", v));
            }
            default -> {
                return Optional.empty(); // reactions, unsupported, system, order…: nothing to answer
            }
        }
        if (body.isEmpty() && attachments.isEmpty()) {
            return Optional.empty();
        }
        JsonNode context = m.path("context");
        if (!context.isMissingNode() && !context.isObject()) {
            throw new ChannelException.Malformed("context must be an object", null);
        }
        String quotedFrom = text(context, "from", 40);
        if (quotedFrom != null && !quotedFrom.matches("[0-9]{5,20}")) {
            throw new ChannelException.Malformed("context.from must be digits", null);
        }
        Optional<String> replyTo = Optional.ofNullable(text(context, "id", 300));
        String name = names.getOrDefault(from, "");
        return Optional.of(new InboundMessage(WhatsAppChannel.TYPE, c.id(), id, from,
                new Participant("+" + from, Optional.of(name).filter(n -> !n.isBlank()), Optional.empty()), body,
                attachments, ts == null ? Instant.now() : Instant.ofEpochSecond(Long.parseLong(ts)), ChatType.DIRECT,
                replyTo, false, meta));
    }

    private static Optional<InboundEvent> status(JsonNode s, ChannelConnection c) {
        String id = text(s, "id", 300);
        String status = text(s, "status", 40);
        String ts = text(s, "timestamp", 20);
        if (id == null || status == null || (ts != null && !ts.matches("[0-9]{1,12}"))) {
            throw new ChannelException.Malformed("a status needs id, status and a numeric timestamp", null);
        }
        DeliveryStatus d = switch (status) {
            case "sent" -> DeliveryStatus.SENT;
            case "delivered" -> DeliveryStatus.DELIVERED;
            case "read" -> DeliveryStatus.READ;
            case "failed" -> DeliveryStatus.FAILED;
            default -> null;
        };
        if (d == null) {
            return Optional.empty();
        }
        Optional<String> error = Optional.empty();
        if (d == DeliveryStatus.FAILED) {
            JsonNode e = s.path("errors").path(0);
            error = Optional.of(e.path("code").asText("unknown") + ": " + e.path("title").asText("failed"));
        }
        return Optional.of(new DeliveryUpdate(c.id(), id, d,
                ts == null ? Instant.now() : Instant.ofEpochSecond(Long.parseLong(ts)), error));
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        ObjectNode body = JSON.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("recipient_type", "individual");
        body.put("to", message.externalThreadKey());
        Optional<String> template = Optional.ofNullable(message.metadata().get("template"));
        if (template.isPresent()) {
            body.put("type", "template");
            ObjectNode t = body.putObject("template");
            t.put("name", template.get());
            t.putObject("language").put("code", c.config("template_language").orElse("en_US"));
            JsonNode variables = variables(message.metadata().getOrDefault("template_variables", "{}"));
            if (variables.size() > 0) {
                ArrayNode params = t.putArray("components").addObject().put("type", "body").putArray("parameters");
                variables.fields().forEachRemaining(v -> params.addObject().put("type", "text")
                        .put("text", v.getValue().asText()));
            }
        } else if (!message.quickReplies().isEmpty() && message.quickReplies().size() <= 3) {
            body.put("type", "interactive");
            ObjectNode i = body.putObject("interactive");
            i.put("type", "button");
            i.putObject("body").put("text", message.text());
            ArrayNode buttons = i.putObject("action").putArray("buttons");
            message.quickReplies().forEach(q -> buttons.addObject().put("type", "reply").putObject("reply")
                    .put("id", q.payload()).put("title", q.title().length() > 20 ? q.title().substring(0, 20)
                            : q.title()));
        } else {
            body.put("type", "text");
            body.putObject("text").put("body", message.text()).put("preview_url", false);
        }
        message.replyToExternalId().filter(id -> id.startsWith("wamid."))
                .ifPresent(id -> body.putObject("context").put("message_id", id));
        List<String> ids = new ArrayList<>();
        if (!message.text().isBlank() || template.isPresent()) {
            ids.add(post(c, "messages", body));
        }
        // media: uploaded to the number's media store first, then sent by id (no URL Meta would have to fetch)
        for (WhatsAppChannel.Media m : message.media()) {
            String mediaId = upload(c, m);
            String kind = m.contentType().startsWith("image/") ? "image" : m.contentType().startsWith("audio/")
                    ? "audio" : m.contentType().startsWith("video/") ? "video" : "document";
            ObjectNode media = JSON.createObjectNode().put("messaging_product", "whatsapp")
                    .put("recipient_type", "individual").put("to", message.externalThreadKey()).put("type", kind);
            ObjectNode ref = media.putObject(kind).put("id", mediaId);
            if (kind.equals("document")) {
                ref.put("filename", m.fileName());
            }
            ids.add(post(c, "messages", media));
        }
        return new SendResult(ids, DeliveryStatus.SENT);
    }

    private String upload(ChannelConnection c, WhatsAppChannel.Media m) {
        String boundary = "clawless" + java.util.UUID.randomUUID().toString().replace("-", "");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n" + m.contentType()
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + m.fileName().replaceAll("[\"\\r\\n]", "_") + "\"\r\nContent-Type: " + m.contentType() + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(m.bytes());
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = call(c, "media", HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()),
                "multipart/form-data; boundary=" + boundary);
        String id = answer.path("id").asText("");
        if (id.isEmpty()) {
            throw new ChannelException.SendFailed("Graph API media upload gave no id", 502, true, Optional.empty(),
                    Optional.empty(), null);
        }
        return id;
    }

    private String post(ChannelConnection c, String edge, ObjectNode body) {
        JsonNode answer = call(c, edge, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8),
                "application/json");
        String id = answer.path("messages").path(0).path("id").asText("");
        if (id.isEmpty()) {
            throw new ChannelException.SendFailed("Graph API answered without a message id", 200, true,
                    Optional.empty(), Optional.empty(), null);
        }
        return id;
    }

    /** One Graph API call on the phone number: its JSON answer, or the platform's refusal as SendFailed. */
    private JsonNode call(ChannelConnection c, String edge, HttpRequest.BodyPublisher publisher, String type) {
        return graph.call(c, GraphApi.uri(c, c.config("phone_number_id").orElseThrow() + "/" + edge),
                WhatsAppChannel.need(c, "access_token", "meta"), publisher, type);
    }

    /** Meta media: the media id resolves to a short-lived URL, fetched with the same token. */
    @Override
    public WhatsAppChannel.Media download(ChannelConnection c, Attachment attachment, long maxBytes) {
        String id = attachment.externalId().filter(i -> i.matches("[0-9]{1,30}"))
                .orElseThrow(() -> new ChannelException.Malformed("not a Meta media id", null));
        String base = GraphApi.base(c);
        String bearer = "Bearer " + WhatsAppChannel.need(c, "access_token", "meta");
        WhatsAppChannel.Media info = WhatsAppChannel.fetch(http, GraphApi.uri(c, id), Optional.of(bearer), 64 * 1024,
                "application/json", c);
        String url = GraphApi.parseQuietly(new String(info.bytes(), StandardCharsets.UTF_8)).path("url").asText("");
        if (!url.startsWith("https://") && !url.startsWith(base)) {
            throw new ChannelException.SendFailed("Graph API gave no media URL", 502, true, Optional.empty(),
                    Optional.empty(), null);
        }
        return WhatsAppChannel.fetch(http, URI.create(url), Optional.of(bearer), maxBytes,
                attachment.mimeType().orElse("application/octet-stream"), c);
    }

    private static JsonNode variables(String json) {
        try {
            JsonNode v = JSON.readTree(json);
            return v != null && v.isObject() ? v : JSON.createObjectNode();
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

}
