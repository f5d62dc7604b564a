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
 * @param clientTools tools an API client defined: the model may call them, the client runs them
 * @param format   the shape the client asked the reply to have (text, a JSON object, a JSON schema)
 * @param thinkingBudgetTokens the tenant's own thinking budget (0 off), else the provider's setting
 */
public record AssistantRequest(String tenantId, String model, List<ChatMessage> messages,
                               List<dev.clawless.plugin.api.ToolSpec> tools, Sampling sampling,
                               ClientTools clientTools, ReplyFormat format,
                               java.util.Optional<Integer> thinkingBudgetTokens) {

    public AssistantRequest(String tenantId, String model, List<ChatMessage> messages,
                            List<dev.clawless.plugin.api.ToolSpec> tools, Sampling sampling,
                            ClientTools clientTools, ReplyFormat format) {
        this(tenantId, model, messages, tools, sampling, clientTools, format, java.util.Optional.empty());
    }

    /** A request with the hub's tools only and a free-text reply. */
    public AssistantRequest(String tenantId, String model, List<ChatMessage> messages,
                            List<dev.clawless.plugin.api.ToolSpec> tools, Sampling sampling) {
        this(tenantId, model, messages, tools, sampling, ClientTools.NONE, ReplyFormat.TEXT);
    }

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
        java.util.Objects.requireNonNull(clientTools, "clientTools");
        java.util.Objects.requireNonNull(format, "format");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one message");
        }
    }

    /** The same request for another model (a fallback provider's). */
    public AssistantRequest withModel(String other) {
        return new AssistantRequest(tenantId, other, messages, tools, sampling, clientTools, format,
                thinkingBudgetTokens);
    }

    /** The same request with the tenant's thinking budget, when it set one. */
    public AssistantRequest withThinking(java.util.Optional<Integer> budget) {
        return new AssistantRequest(tenantId, model, messages, tools, sampling, clientTools, format, budget);
    }

    /** True when only an LLM can serve it: the client defined tools or asked for JSON. */
    public boolean needsLlm() {
        return !clientTools.isEmpty() || format.json();
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
