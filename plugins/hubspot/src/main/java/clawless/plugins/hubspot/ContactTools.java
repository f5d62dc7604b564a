package clawless.plugins.hubspot;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.ToolResult;

/** What the contact tools share: the properties they take and how a contact is answered. */
final class ContactTools {

    /** The contact properties the tools take (HubSpot's own names). */
    static final Set<String> PROPERTIES = Set.of("email", "firstname", "lastname", "phone", "company", "website",
            "jobtitle", "city", "country", "lifecyclestage");

    private ContactTools() {
    }

    static ObjectNode properties(JsonNode args) {
        ObjectNode out = HubSpot.JSON.createObjectNode();
        JsonNode given = args.path("properties").isObject() ? args.get("properties") : args;
        given.fields().forEachRemaining(e -> {
            if (PROPERTIES.contains(e.getKey()) && e.getValue().isTextual() && e.getValue().asText().length() <= 500) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    static ToolResult contact(HubSpot hubspot, JsonNode c) {
        String id = c.path("id").asText();
        ObjectNode out = HubSpot.JSON.createObjectNode().put("id", id);
        out.set("properties", c.path("properties"));
        hubspot.url("contact", id).ifPresent(u -> out.put("url", u));
        out.putArray("crm_records").addObject().put("crm", "hubspot").put("object_type", "contact").put("id", id)
                .put("url", hubspot.url("contact", id).orElse(null));
        return ToolResult.ok(out.toString());
    }
}
