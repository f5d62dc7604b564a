package dev.clawless.core.assistant;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tools an API client defined (OpenAI's {@code tools}, {@code tool_choice}, {@code parallel_tool_calls}): the model
 * sees them beside the hub's own tools, but their calls are not run by the hub — they go back to the client, which
 * answers with {@code tool} messages in its next request.
 *
 * @param functions the client's functions
 * @param choice    whether the model may, must or must not call a tool
 * @param forced    the one function the model must call ({@code tool_choice: {type: function, …}})
 * @param parallel  whether the model may ask for several calls at once (empty: the provider's default)
 */
public record ClientTools(List<Function> functions, Choice choice, Optional<String> forced,
                          Optional<Boolean> parallel) {

    /** No client tools. */
    public static final ClientTools NONE = new ClientTools(List.of(), Choice.UNSET, Optional.empty(),
            Optional.empty());

    /** OpenAI's {@code tool_choice} strings; {@code UNSET} leaves it to the provider. */
    public enum Choice {
        UNSET, AUTO, NONE, REQUIRED
    }

    /**
     * One function.
     *
     * @param name           its name, as the client spells it ({@code [a-zA-Z0-9_-]{1,64}})
     * @param description    what it does, for the model (may be empty)
     * @param parametersJson the JSON Schema of its arguments object, as JSON text
     * @param strict         OpenAI's strict mode for its arguments, when the client set it
     */
    public record Function(String name, String description, String parametersJson, Optional<Boolean> strict) {
        public Function {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(parametersJson, "parametersJson");
        }
    }

    public ClientTools {
        functions = List.copyOf(functions);
        Objects.requireNonNull(choice, "choice");
        if (forced.isPresent() && functions.stream().noneMatch(f -> f.name().equals(forced.get()))) {
            throw new IllegalArgumentException("the forced function is not among the tools: " + forced.get());
        }
    }

    /** True when the client defined no function. */
    public boolean isEmpty() {
        return functions.isEmpty();
    }

    /** True when a call of {@code name} belongs to the client (it defined a function of that name). */
    public boolean owns(String name) {
        return functions.stream().anyMatch(f -> f.name().equals(name));
    }
}
