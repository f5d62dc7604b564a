package dev.clawless.plugin.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a tool is, as the model sees it.
 *
 * @param name           unique name, {@code [a-z][a-z0-9_]{0,63}}
 * @param description    what it does and when to use it, for the model
 * @param parametersJson JSON Schema of its arguments object, as JSON text
 * @param mutating       true when it changes something outside the hub; such calls wait for an operator's
 *                       approval under the default policy
 */
public record ToolSpec(String name, String description, String parametersJson, boolean mutating) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parametersJson, "parametersJson");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name must match " + NAME + ": " + name);
        }
    }
}
