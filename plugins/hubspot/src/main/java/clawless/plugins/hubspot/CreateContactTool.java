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

/** {@code hubspot_create_contact}. */
@Extension
public final class CreateContactTool implements ToolExtension {
    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_create_contact", "Create a contact in HubSpot.", """
                {"type":"object","required":["email"],"properties":{"email":{"type":"string"},
                "firstname":{"type":"string"},"lastname":{"type":"string"},"phone":{"type":"string"},
                "company":{"type":"string"},"website":{"type":"string"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            ObjectNode properties = ContactTools.properties(args);
            if (!properties.path("email").asText("").contains("@")) {
                return ToolResult.error("email is required (an e-mail address)");
            }
            return ContactTools.contact(hubspot, hubspot.createContact(properties));
        });
    }
}
