package dev.clawless.plugin.api;

import java.util.Objects;

/**
 * One call of a tool by the model.
 *
 * @param id            the call's id, unique within the turn
 * @param name          the tool's name
 * @param argumentsJson the arguments object, as JSON text (validated against the tool's schema before the call)
 */
public record ToolCall(String id, String name, String argumentsJson) {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
    }
}
