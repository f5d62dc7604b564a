package clawless.plugins.hubspot;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * {@code hubspot_push_lead}: takes a lead from the hub's sales mode (docs/crm.md: {@code fields}, {@code labels},
 * {@code score}, {@code transcript}…) into HubSpot — the contact found by e-mail and updated, or created; a deal
 * named after the lead (found by that name first, so a push tried again after a failure makes no second deal, unless
 * {@code create_deal} is false); the conversation as a note on both. Answers the records as {@code crm_records}, which
 * the hub links to its contact.
 */
@Extension
public final class PushLeadTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("hubspot_push_lead", "Push a qualified sales lead to HubSpot: contact, deal and the"
                + " conversation as a note.", """
                {"type":"object","required":["lead_id","fields"],"properties":{"lead_id":{"type":"string"},
                "fields":{"type":"object"},"labels":{"type":"object"},"score":{"type":"integer"},
                "intents":{"type":"array","items":{"type":"string"}},"summary":{"type":"string"},
                "transcript":{"type":"string"},"channel":{"type":"string"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return HubSpot.run(call, context, (hubspot, args) -> {
            String leadId = args.path("lead_id").asText("");
            if (!leadId.matches("[A-Za-z0-9_-]{1,60}")) {
                return ToolResult.error("lead_id is required");
            }
            JsonNode fields = byType(args);
            String email = fields.path("email").asText("").strip();
            if (!email.contains("@")) {
                return ToolResult.error("{\"message\":\"the lead has no e-mail address: HubSpot contacts are found and"
                        + " created by e-mail\",\"retryable\":false}");
            }
            ObjectNode properties = properties(fields);
            Optional<JsonNode> existing = hubspot.contactByEmail(email);
            String contactId;
            boolean created = existing.isEmpty();
            if (created) {
                contactId = hubspot.createContact(properties).path("id").asText();
            } else {
                contactId = existing.get().path("id").asText();
                ObjectNode missing = HubSpot.JSON.createObjectNode();
                // only what HubSpot does not know yet: a lead never overwrites what the sales team entered
                properties.fields().forEachRemaining(e -> {
                    if (existing.get().path("properties").path(e.getKey()).asText("").isBlank()) {
                        missing.set(e.getKey(), e.getValue());
                    }
                });
                if (!missing.isEmpty()) {
                    hubspot.updateContact(contactId, missing);
                }
            }
            ObjectNode out = HubSpot.JSON.createObjectNode().put("contact_id", contactId).put("created", created);
            ArrayNode records = out.putArray("crm_records");
            records.addObject().put("crm", "hubspot").put("object_type", "contact").put("id", contactId)
                    .put("url", hubspot.url("contact", contactId).orElse(null));
            Optional<String> dealId = Optional.empty();
            if (!"false".equals(context.config().get("create_deal"))) {
                String name = dealName(fields, email, leadId);
                Optional<JsonNode> deal = hubspot.dealByName(name);
                String id = deal.isPresent() ? deal.get().path("id").asText()
                        : hubspot.createDeal(name, budget(fields), Optional.of(contactId)).path("id").asText();
                dealId = Optional.of(id);
                out.put("deal_id", id);
                records.addObject().put("crm", "hubspot").put("object_type", "deal").put("id", id)
                        .put("url", hubspot.url("deal", id).orElse(null));
            }
            out.put("note_id", hubspot.createNote(note(args), contactId, dealId).path("id").asText());
            return ToolResult.ok(out.toString());
        });
    }

    /**
     * The lead's fields with the e-mail, phone and name found by what they hold ({@code types}), whatever the form
     * calls them ({@code correo}, {@code whatsapp}, {@code nombre}).
     */
    static JsonNode byType(JsonNode args) {
        com.fasterxml.jackson.databind.node.ObjectNode out = args.path("fields").isObject()
                ? ((com.fasterxml.jackson.databind.node.ObjectNode) args.get("fields")).deepCopy()
                : HubSpot.JSON.createObjectNode();
        args.path("types").fields().forEachRemaining(e -> {
            String type = e.getValue().asText("");
            JsonNode value = args.path("fields").get(e.getKey());
            if (value != null && (type.equals("email") || type.equals("phone") || type.equals("name"))
                    && !out.hasNonNull(type)) {
                out.set(type, value);
            }
        });
        return out;
    }

    /** HubSpot's contact properties from the lead's fields: e-mail, phone, company, the name split in two. */
    static ObjectNode properties(JsonNode fields) {
        ObjectNode p = HubSpot.JSON.createObjectNode();
        for (Map.Entry<String, String> m : Map.of("email", "email", "phone", "phone", "company", "company",
                "website", "website").entrySet()) {
            String v = fields.path(m.getKey()).asText("").strip();
            if (!v.isEmpty() && v.length() <= 500) {
                p.put(m.getValue(), v);
            }
        }
        String name = fields.path("name").asText("").strip();
        if (!name.isEmpty() && name.length() <= 200) {
            int space = name.indexOf(' ');
            p.put("firstname", space < 0 ? name : name.substring(0, space));
            if (space > 0) {
                p.put("lastname", name.substring(space + 1).strip());
            }
        }
        return p;
    }

    private static String dealName(JsonNode fields, String email, String leadId) {
        String who = fields.path("company").asText("").isBlank() ? fields.path("name").asText(email)
                : fields.path("company").asText();
        String need = fields.path("need").asText("");
        String name = who + (need.isBlank() ? "" : " — " + need);
        name = name.length() > 150 ? name.substring(0, 150) + "…" : name;
        return name + " (" + leadId + ")";
    }

    private static Optional<String> budget(JsonNode fields) {
        String digits = fields.path("budget").asText("").replaceAll("[^0-9]", "");
        return digits.isEmpty() || digits.length() > 15 ? Optional.empty() : Optional.of(digits);
    }

    /** The note: the lead's answers, score and intents, then the conversation, as escaped HTML. */
    static String note(JsonNode args) {
        StringBuilder b = new StringBuilder("<p><strong>Lead from the ").append(escape(args.path("channel")
                .asText("web chat"))).append(" (score ").append(args.path("score").asInt()).append(")</strong></p><p>");
        JsonNode fields = args.path("fields");
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String label = args.path("labels").path(e.getKey()).asText(e.getKey());
            b.append(escape(label)).append(": ").append(escape(e.getValue().asText())).append("<br>");
        }
        b.append("</p>");
        if (args.path("intents").isArray() && !args.path("intents").isEmpty()) {
            StringBuilder intents = new StringBuilder();
            args.path("intents").forEach(i -> intents.append(intents.isEmpty() ? "" : ", ").append(i.asText()));
            b.append("<p>Interested in: ").append(escape(intents.toString())).append("</p>");
        }
        if (!args.path("summary").asText("").isBlank()) {
            b.append("<p>Summary: ").append(escape(args.path("summary").asText())).append("</p>");
        }
        String transcript = args.path("transcript").asText("");
        if (!transcript.isBlank()) {
            b.append("<p>").append(escape(transcript).replace("\n", "<br>")).append("</p>");
        }
        String note = b.toString();
        return note.length() > LogNoteTool.MAX_NOTE ? note.substring(0, LogNoteTool.MAX_NOTE) : note;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
