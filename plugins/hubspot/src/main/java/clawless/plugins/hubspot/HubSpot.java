package clawless.plugins.hubspot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolResult;

/**
 * HubSpot's CRM v3 REST API through the hub's guarded {@link ToolContext#http}, with the installation's granted
 * {@code access_token} (a private app token) as the bearer. The token goes nowhere else: not into results, errors or
 * logs. A refusal becomes {@link Refused}; 429 and 5xx (and no answer) are marked retryable, with HubSpot's
 * {@code Retry-After} when it sends one, so the hub's push job tries again later instead of the tool sleeping.
 */
final class HubSpot {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_BASE = "https://api.hubapi.com";
    private static final int CONTACT_TO_DEAL = 4;
    private static final int DEAL_TO_CONTACT = 3;
    private static final int NOTE_TO_CONTACT = 202;
    private static final int NOTE_TO_DEAL = 214;

    private final ToolContext context;
    private final String base;
    private final String token;

    /** HubSpot refused or could not be reached. */
    static final class Refused extends Exception {
        final int status;
        final boolean retryable;
        final long retryAfterSeconds;

        Refused(int status, String message, boolean retryable, long retryAfterSeconds) {
            super(message, null, false, false);
            this.status = status;
            this.retryable = retryable;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** The error result the hub reads: the reason, whether another try may help, and when. */
        ToolResult result() {
            ObjectNode n = JSON.createObjectNode().put("message", getMessage()).put("retryable", retryable);
            if (status > 0) {
                n.put("status", status);
            }
            if (retryAfterSeconds > 0) {
                n.put("retry_after_seconds", retryAfterSeconds);
            }
            return ToolResult.error(n.toString());
        }
    }

    /** One tool's work against HubSpot. */
    interface Work {
        ToolResult run(HubSpot hubspot, JsonNode args) throws Refused;
    }

    private HubSpot(ToolContext context, String base, String token) {
        this.context = context;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    /** Runs {@code work} with the call's arguments and a client, or answers why it cannot. */
    static ToolResult run(ToolCall call, ToolContext context, Work work) {
        JsonNode args;
        try {
            args = JSON.readTree(call.argumentsJson());
        } catch (JsonProcessingException e) {
            return ToolResult.error("the arguments are not JSON");
        }
        if (args == null || !args.isObject()) {
            return ToolResult.error("the arguments must be a JSON object");
        }
        Optional<String> token = context.secret("access_token").filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            return ToolResult.error("this installation was not granted the secret 'access_token' (a HubSpot private"
                    + " app token)");
        }
        try {
            return work.run(new HubSpot(context, context.config().getOrDefault("api_base_url", DEFAULT_BASE),
                    token.get()), args);
        } catch (Refused e) {
            return e.result();
        } catch (IllegalArgumentException e) {
            return ToolResult.error(e.getMessage());
        }
    }

    ToolContext context() {
        return context;
    }

    JsonNode post(String path, JsonNode body) throws Refused {
        return send("POST", path, body);
    }

    JsonNode patch(String path, JsonNode body) throws Refused {
        return send("PATCH", path, body);
    }

    /** The contact with this e-mail address, if HubSpot has one. */
    Optional<JsonNode> contactByEmail(String email) throws Refused {
        return searchOne("contacts", "email", email, "email", "firstname", "lastname", "phone", "company");
    }

    /** The deal of this name, if HubSpot has one. */
    Optional<JsonNode> dealByName(String name) throws Refused {
        return searchOne("deals", "dealname", name, "dealname", "pipeline", "dealstage");
    }

    private Optional<JsonNode> searchOne(String object, String property, String value, String... properties)
            throws Refused {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("filterGroups").addObject().putArray("filters").addObject().put("propertyName", property)
                .put("operator", "EQ").put("value", value);
        var props = body.putArray("properties");
        for (String p : properties) {
            props.add(p);
        }
        body.put("limit", 1);
        JsonNode found = post("/crm/v3/objects/" + object + "/search", body);
        JsonNode first = found.path("results").path(0);
        return first.isObject() && first.hasNonNull("id") ? Optional.of(first) : Optional.empty();
    }

    JsonNode createContact(ObjectNode properties) throws Refused {
        return post("/crm/v3/objects/contacts", JSON.createObjectNode().set("properties", properties));
    }

    JsonNode updateContact(String id, ObjectNode properties) throws Refused {
        return patch("/crm/v3/objects/contacts/" + id(id), JSON.createObjectNode().set("properties", properties));
    }

    /** A deal in the configured pipeline and stage, associated with the contact when given. */
    JsonNode createDeal(String name, Optional<String> amount, Optional<String> contactId) throws Refused {
        ObjectNode properties = JSON.createObjectNode().put("dealname", name)
                .put("pipeline", context.config().getOrDefault("deal_pipeline", "default"))
                .put("dealstage", context.config().getOrDefault("deal_stage", "appointmentscheduled"));
        amount.ifPresent(a -> properties.put("amount", a));
        ObjectNode body = JSON.createObjectNode().set("properties", properties);
        contactId.ifPresent(c -> associate(body, c, DEAL_TO_CONTACT));
        return post("/crm/v3/objects/deals", body);
    }

    /** A note on the contact (and deal), dated now. */
    JsonNode createNote(String text, String contactId, Optional<String> dealId) throws Refused {
        ObjectNode body = JSON.createObjectNode().set("properties", JSON.createObjectNode()
                .put("hs_timestamp", java.time.Instant.now().toString()).put("hs_note_body", text));
        associate(body, contactId, NOTE_TO_CONTACT);
        dealId.ifPresent(d -> associate(body, d, NOTE_TO_DEAL));
        return post("/crm/v3/objects/notes", body);
    }

    private static void associate(ObjectNode body, String id, int type) {
        var list = body.has("associations") ? (com.fasterxml.jackson.databind.node.ArrayNode) body.get("associations")
                : body.putArray("associations");
        list.addObject().<ObjectNode>set("to", JSON.createObjectNode().put("id", id)).putArray("types").addObject()
                .put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", type);
    }

    /** Where a person opens the record in HubSpot, when the installation names its portal. */
    Optional<String> url(String objectType, String id) {
        String portal = context.config().get("portal_id");
        if (portal == null || portal.isBlank()) {
            return Optional.empty();
        }
        String type = switch (objectType) {
            case "contact" -> "0-1";
            case "deal" -> "0-3";
            default -> "0-4";
        };
        return Optional.of("https://app.hubspot.com/contacts/" + portal + "/record/" + type + "/" + id);
    }

    /** A record id as HubSpot makes them (digits), checked before it goes into a path. */
    static String id(String id) {
        if (id == null || !id.matches("[0-9]{1,30}")) {
            throw new IllegalArgumentException("a HubSpot record id is a number, e.g. \"1501\"");
        }
        return id;
    }

    private JsonNode send(String method, String path, JsonNode body) throws Refused {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<byte[]> response;
        try {
            response = context.http(request);
        } catch (IOException e) {
            throw new Refused(0, "HubSpot could not be reached: " + e.getClass().getSimpleName(), true, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(0, "interrupted", true, 0);
        }
        int status = response.statusCode();
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (status >= 200 && status < 300) {
            try {
                JsonNode n = JSON.readTree(text.isBlank() ? "{}" : text);
                return n == null ? JSON.createObjectNode() : n;
            } catch (JsonProcessingException e) {
                throw new Refused(status, "HubSpot answered " + status + " with something that is not JSON", true, 0);
            }
        }
        String message = "";
        try {
            message = JSON.readTree(text).path("message").asText("");
        } catch (JsonProcessingException e) {
            // not JSON: the status says enough
        }
        message = message.replace(token, "****");
        if (message.length() > 300) {
            message = message.substring(0, 300) + "…";
        }
        long retryAfter = response.headers().firstValue("Retry-After").filter(v -> v.matches("\\d{1,5}"))
                .map(Long::parseLong).orElse(0L);
        boolean retryable = status == 429 || status >= 500;
        String why = switch (status) {
            case 401 -> "HubSpot refused the access token (401)";
            case 403 -> "the access token lacks a scope for this (403)";
            case 429 -> "HubSpot's rate limit was reached (429)";
            default -> "HubSpot answered " + status;
        };
        throw new Refused(status, why + (message.isEmpty() ? "" : ": " + message), retryable, retryAfter);
    }
}
