package clawless.plugins.hubspot;

import java.util.Optional;

import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** {@code hubspot_log_note}: the conversation (or any text) as a note on a contact, and on a deal when given. */
@Extension
public final class LogNoteTool implements ToolExtension {

    static final int MAX_NOTE = 60_000;

    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_log_note", "Log a note (for example this conversation's summary) on a HubSpot"
                + " contact.", """
                {"type":"object","required":["contact_id","text"],"properties":{"contact_id":{"type":"string"},
                "text":{"type":"string"},"deal_id":{"type":"string"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            String contact = HubSpot.id(args.path("contact_id").asText(""));
            String text = args.path("text").asText("");
            if (text.isBlank() || text.length() > MAX_NOTE) {
                return ToolResult.error("text is required (at most " + MAX_NOTE + " characters)");
            }
            Optional<String> deal = args.hasNonNull("deal_id") ? Optional.of(HubSpot.id(args.get("deal_id").asText()))
                    : Optional.empty();
            String id = hubspot.createNote(text, contact, deal).path("id").asText();
            return ToolResult.ok(HubSpot.JSON.createObjectNode().put("id", id).toString());
        });
    }
}
