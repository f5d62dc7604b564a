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

/** {@code hubspot_update_contact}. */
@Extension
public final class UpdateContactTool implements ToolExtension {
    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_update_contact", "Update a HubSpot contact's properties.", """
                {"type":"object","required":["id","properties"],"properties":{"id":{"type":"string"},
                "properties":{"type":"object","description":"any of email, firstname, lastname, phone, company, website, jobtitle, city, country, lifecyclestage"}}}""",
                true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            String id = HubSpot.id(args.path("id").asText(""));
            ObjectNode properties = ContactTools.properties(args);
            if (properties.isEmpty()) {
                return ToolResult.error("properties must name at least one of " + ContactTools.PROPERTIES);
            }
            return ContactTools.contact(hubspot, hubspot.updateContact(id, properties));
        });
    }
}
