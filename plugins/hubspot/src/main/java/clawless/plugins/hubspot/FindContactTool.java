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

/** {@code hubspot_find_contact}. */
@Extension
public final class FindContactTool implements ToolExtension {
    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_find_contact", "Find a contact in the business's HubSpot CRM by e-mail"
                + " address.", """
                {"type":"object","required":["email"],"properties":{"email":{"type":"string"}}}""", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            String email = args.path("email").asText("");
            if (!email.contains("@") || email.length() > 254) {
                return ToolResult.error("email is required (an e-mail address)");
            }
            Optional<JsonNode> found = hubspot.contactByEmail(email);
            return found.map(c -> ContactTools.contact(hubspot, c)).orElseGet(() -> ToolResult.ok("{\"found\":false}"));
        });
    }
}
