package dev.clawless.core.assistant;

import java.util.List;

/**
 * What a provider answers.
 *
 * @param tenantId the tenant (for its knowledge and settings)
 * @param model    the provider's model name ({@code default} for the provider's own choice)
 * @param messages the conversation so far, oldest first, ending with the message to answer (or tool results)
 * @param tools    tools the model may call; providers that cannot call tools ignore them
 * @param sampling how the client asked the model to write (OpenAI's temperature, max_tokens, stop…)
 */
public record AssistantRequest(String tenantId, String model, List<ChatMessage> messages,
                               List<dev.clawless.plugin.api.ToolSpec> tools, Sampling sampling) {

    /** A request without tools. */
    public AssistantRequest(String tenantId, String model, List<ChatMessage> messages) {
        this(tenantId, model, messages, List.of(), Sampling.NONE);
    }

    /** A request with the provider's own sampling. */
    public AssistantRequest(String tenantId, String model, List<ChatMessage> messages,
                            List<dev.clawless.plugin.api.ToolSpec> tools) {
        this(tenantId, model, messages, tools, Sampling.NONE);
    }

    public AssistantRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        java.util.Objects.requireNonNull(sampling, "sampling");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one message");
        }
    }

    /** The text of the last user message, which the assistant answers. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == ChatMessage.Role.USER) {
                return messages.get(i).content();
            }
        }
        return "";
    }
}
