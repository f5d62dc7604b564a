package dev.clawless.core.sales;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.AssistantRequest;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.assistant.ClientTools;
import dev.clawless.core.assistant.Completion;
import dev.clawless.core.assistant.ReplyFormat;
import dev.clawless.core.assistant.Sampling;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.usage.UsageMeter;

/**
 * The lead form filled by an LLM: one structured-output call (a JSON schema of the form's fields, each a string or
 * null) over the conversation's recent messages. What the model gives is checked like a contact's answer (an e-mail
 * must be one, a phone number valid) and dropped otherwise; a failed call takes nothing (the rules still apply).
 * Thread-safe.
 */
public final class LeadExtraction {

    private static final Logger LOG = Logger.getLogger(LeadExtraction.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AssistantRuntime runtime;
    private final UsageMeter usage;

    public LeadExtraction(AssistantRuntime runtime, UsageMeter usage) {
        this.runtime = runtime;
        this.usage = usage;
    }

    /** The fields the conversation states, beyond {@code known}. */
    public Map<String, String> extract(String tenantId, AssistantRuntime.Target target, LeadForm form,
                                       Map<String, String> known, List<Message> recent) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder transcript = new StringBuilder();
        for (Message m : recent) {
            if (m.role() == MessageRole.USER || m.role() == MessageRole.ASSISTANT || m.role() == MessageRole.OPERATOR) {
                String text = m.text().length() > 1000 ? m.text().substring(0, 1000) + "…" : m.text();
                transcript.append(m.role() == MessageRole.USER ? "customer" : "business").append(": ")
                        .append(text.replace('\n', ' ')).append('\n');
            }
        }
        if (transcript.isEmpty()) {
            return out;
        }
        ObjectNode schema = JSON.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        var required = schema.putArray("required");
        StringBuilder fields = new StringBuilder();
        for (LeadForm.Field f : form.fields()) {
            properties.putObject(f.name()).putArray("type").add("string").add("null");
            required.add(f.name());
            fields.append("- ").append(f.name()).append(" (").append(f.label()).append(", ").append(f.type().wire())
                    .append(")\n");
        }
        String system = "Extract what the customer stated about themselves in this sales conversation, for these"
                + " fields:\n" + fields + "Use null for anything the customer did not clearly state. Never guess."
                + " Phone numbers with their country code when given. Answer with JSON only.";
        try {
            Completion c = runtime.complete(target, new AssistantRequest(tenantId, target.model(), List.of(
                    new ChatMessage(ChatMessage.Role.SYSTEM, system),
                    new ChatMessage(ChatMessage.Role.USER, transcript.toString())), List.of(), Sampling.NONE,
                    ClientTools.NONE, ReplyFormat.schema("lead_form", schema.toString(), true)), d -> { });
            usage.record(tenantId, c.provider(), c.model(), c.tokensIn(), c.tokensOut());
            JsonNode answer = JSON.readTree(strip(c.text()));
            for (LeadForm.Field f : form.fields()) {
                JsonNode v = answer.get(f.name());
                if (v != null && v.isTextual() && !known.containsKey(f.name())) {
                    LeadAnswers.checked(f, v.asText(), form.defaultRegion()).ifPresent(x -> out.put(f.name(), x));
                }
            }
        } catch (RuntimeException | java.io.IOException e) {
            LOG.info(() -> "lead form extraction for tenant " + tenantId + " took nothing: " + e.getMessage());
        }
        return out;
    }

    /** The JSON inside a reply that wrapped it in a Markdown fence. */
    private static String strip(String text) {
        String t = text.strip();
        if (t.startsWith("```")) {
            t = t.replaceFirst("^```[a-z]*\\s*", "").replaceFirst("\\s*```$", "");
        }
        return t;
    }
}
