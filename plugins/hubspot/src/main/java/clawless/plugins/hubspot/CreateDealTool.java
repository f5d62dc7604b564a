package clawless.plugins.hubspot;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** {@code hubspot_create_deal}: a deal in the installation's pipeline and stage, on a contact when given. */
@Extension
public final class CreateDealTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_create_deal", "Create a deal in HubSpot, associated with a contact.", """
                {"type":"object","required":["name"],"properties":{"name":{"type":"string"},
                "amount":{"type":"string","description":"the deal's value, digits only"},
                "contact_id":{"type":"string","description":"the HubSpot contact's id"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            String name = args.path("name").asText("").strip();
            if (name.isEmpty() || name.length() > 200) {
                return ToolResult.error("name is required (at most 200 characters)");
            }
            Optional<String> amount = Optional.of(args.path("amount").asText("")).filter(a -> a.matches("\\d{1,15}(\\.\\d{1,2})?"));
            Optional<String> contact = args.hasNonNull("contact_id")
                    ? Optional.of(HubSpot.id(args.get("contact_id").asText())) : Optional.empty();
            return ToolResult.ok(deal(hubspot, hubspot.createDeal(name, amount, contact)).toString());
        });
    }

    static ObjectNode deal(HubSpot hubspot, JsonNode d) {
        String id = d.path("id").asText();
        ObjectNode out = HubSpot.JSON.createObjectNode().put("id", id);
        hubspot.url("deal", id).ifPresent(u -> out.put("url", u));
        out.putArray("crm_records").addObject().put("crm", "hubspot").put("object_type", "deal").put("id", id)
                .put("url", hubspot.url("deal", id).orElse(null));
        return out;
    }
}
