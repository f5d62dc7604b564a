package dev.clawless.server.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.plugin.api.ToolCall;

/**
 * Reads the {@code messages} of a Chat Completions request: system (and developer), user, assistant — with the
 * {@code tool_calls} it made — and {@code tool} messages answering those calls by {@code tool_call_id}, so a client
 * that ran its functions continues the turn. Content is a string or an array of parts whose text parts are joined.
 */
final class OpenAiMessages {

    static final int MAX_MESSAGES = 500;
    static final int MAX_CONTENT_CHARS = 200_000;
    private static final int MAX_ARGUMENTS_CHARS = 100_000;

    private OpenAiMessages() {
    }

    static List<ChatMessage> read(JsonNode array, List<FieldError> errors) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            errors.add(new FieldError("messages", "must be a non-empty array of messages"));
            return List.of();
        }
        if (array.size() > MAX_MESSAGES) {
            errors.add(new FieldError("messages", "must have at most " + MAX_MESSAGES + " messages"));
            return List.of();
        }
        List<ChatMessage> out = new ArrayList<>();
        // the calls made so far, by id: a tool message must answer one of them
        Map<String, ToolCall> calls = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode msg = array.get(i);
            if (!msg.isObject()) {
                errors.add(new FieldError(at, "must be an object with role and content"));
                continue;
            }
            String role = msg.path("role").asText("");
            Optional<String> content = content(msg.get("content"), at + ".content", errors);
            if (content.isEmpty()) {
                continue;
            }
            switch (role) {
                case "system", "developer" -> out.add(new ChatMessage(ChatMessage.Role.SYSTEM, content.get()));
                case "user" -> out.add(new ChatMessage(ChatMessage.Role.USER, content.get()));
                case "assistant" -> {
                    List<ToolCall> made = toolCalls(msg.get("tool_calls"), at + ".tool_calls", errors);
                    made.forEach(c -> calls.put(c.id(), c));
                    out.add(made.isEmpty() ? new ChatMessage(ChatMessage.Role.ASSISTANT, content.get())
                            : ChatMessage.toolCalls(content.get(), made));
                }
                case "tool" -> {
                    JsonNode id = msg.get("tool_call_id");
                    ToolCall call = id != null && id.isTextual() ? calls.get(id.textValue()) : null;
                    if (call == null) {
                        errors.add(new FieldError(at + ".tool_call_id", "must answer a tool call of an earlier"
                                + " assistant message (its tool_calls[].id)"));
                    } else {
                        out.add(ChatMessage.toolResult(call, content.get()));
                    }
                }
                default -> errors.add(new FieldError(at + ".role",
                        "must be system, developer, user, assistant or tool"));
            }
        }
        if (errors.isEmpty() && out.stream().noneMatch(c -> c.role() == ChatMessage.Role.USER)) {
            errors.add(new FieldError("messages", "must contain a user message"));
        }
        return out;
    }

    /** An assistant message's {@code tool_calls}: {@code [{id, type: function, function: {name, arguments}}]}. */
    private static List<ToolCall> toolCalls(JsonNode array, String at, List<FieldError> errors) {
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray() || array.size() > OpenAiTools.MAX_TOOLS) {
            errors.add(new FieldError(at, "must be an array of tool calls"));
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode c = array.get(i);
            JsonNode f = c.path("function");
            boolean ok = c.path("id").isTextual() && !c.get("id").textValue().isEmpty()
                    && c.get("id").textValue().length() <= 200 && c.path("type").asText("function").equals("function")
                    && f.path("name").isTextual() && OpenAiTools.NAME.matcher(f.get("name").textValue()).matches()
                    && f.path("arguments").isTextual()
                    && f.get("arguments").textValue().length() <= MAX_ARGUMENTS_CHARS;
            if (!ok) {
                errors.add(new FieldError(at + "[" + i + "]", "must be {\"id\", \"type\": \"function\", \"function\":"
                        + " {\"name\", \"arguments\"}} with arguments as JSON text"));
                continue;
            }
            out.add(new ToolCall(c.get("id").textValue(), f.get("name").textValue(), f.get("arguments").textValue()));
        }
        return out;
    }

    /** String content, or an array of parts of which the {@code text} parts are joined. */
    private static Optional<String> content(JsonNode content, String at, List<FieldError> errors) {
        if (content == null || content.isNull()) {
            return Optional.of("");
        }
        if (content.isTextual()) {
            if (content.textValue().length() > MAX_CONTENT_CHARS) {
                errors.add(new FieldError(at, "must be at most " + MAX_CONTENT_CHARS + " characters"));
                return Optional.empty();
            }
            return Optional.of(content.textValue());
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                if (!part.isObject() || !part.path("type").isTextual()) {
                    errors.add(new FieldError(at, "parts must be objects with a type"));
                    return Optional.empty();
                }
                if (!part.get("type").asText().equals("text") || !part.path("text").isTextual()) {
                    // images, audio and files would be dropped without a word: refused, naming the part
                    errors.add(new FieldError(at + "[" + j + "]", "only text parts are supported, not '"
                            + Inputs.printable(part.get("type").asText()) + "'"));
                    return Optional.empty();
                }
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(part.get("text").textValue());
                if (text.length() > MAX_CONTENT_CHARS) {
                    errors.add(new FieldError(at, "must be at most " + MAX_CONTENT_CHARS + " characters"));
                    return Optional.empty();
                }
            }
            return Optional.of(text.toString());
        }
        errors.add(new FieldError(at, "must be a string or an array of content parts"));
        return Optional.empty();
    }
}
