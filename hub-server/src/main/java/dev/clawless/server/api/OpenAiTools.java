package dev.clawless.server.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.ClientTools;
import dev.clawless.core.assistant.ReplyFormatCheck;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.server.http.Json;

/**
 * Reads the client-defined tools of a Chat Completions request: {@code tools}, {@code tool_choice} and
 * {@code parallel_tool_calls}. The functions' parameter schemas are checked against the JSON Schema meta-schema;
 * every malformed value is a field error naming the field, as OpenAI names it.
 */
final class OpenAiTools {

    /** The fields read here. */
    static final Set<String> FIELDS = Set.of("tools", "tool_choice", "parallel_tool_calls");
    /** OpenAI's limit on functions in one request. */
    static final int MAX_TOOLS = 128;
    /** OpenAI's rule for function and schema names. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    /** The longest schema accepted, as JSON text. */
    static final int MAX_SCHEMA_CHARS = 100_000;
    private static final int MAX_DESCRIPTION = 10_000;

    private OpenAiTools() {
    }

    /** The client's tools and how the model may use them; {@link ClientTools#NONE} when it defined none. */
    static ClientTools tools(ObjectNode body, List<FieldError> errors) {
        JsonNode tools = body.get("tools");
        List<ClientTools.Function> functions = new ArrayList<>();
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray() || tools.size() > MAX_TOOLS) {
                errors.add(new FieldError("tools", "must be an array of at most " + MAX_TOOLS + " tools"));
                return ClientTools.NONE;
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < tools.size(); i++) {
                function(tools.get(i), "tools[" + i + "]", errors).ifPresent(f -> {
                    if (!names.add(f.name())) {
                        errors.add(new FieldError("tools", "function names must be unique: " + f.name()));
                    }
                    functions.add(f);
                });
            }
        }
        ClientTools.Choice choice = ClientTools.Choice.UNSET;
        Optional<String> forced = Optional.empty();
        JsonNode c = body.get("tool_choice");
        if (c != null && !c.isNull()) {
            if (c.isTextual() && Set.of("auto", "none", "required").contains(c.textValue())) {
                choice = ClientTools.Choice.valueOf(c.textValue().toUpperCase(java.util.Locale.ROOT));
            } else if (c.isObject() && c.path("type").asText().equals("function")
                    && c.path("function").path("name").isTextual()) {
                String name = c.path("function").path("name").textValue();
                if (functions.stream().noneMatch(f -> f.name().equals(name))) {
                    errors.add(new FieldError("tool_choice", "names a function that is not among the tools: "
                            + Inputs.printable(name)));
                } else {
                    forced = Optional.of(name);
                    choice = ClientTools.Choice.REQUIRED;
                }
            } else {
                errors.add(new FieldError("tool_choice", "must be none, auto, required or"
                        + " {\"type\": \"function\", \"function\": {\"name\": …}}"));
            }
            if (functions.isEmpty() && (choice == ClientTools.Choice.REQUIRED)) {
                errors.add(new FieldError("tool_choice", "is only allowed when tools are specified"));
            }
        }
        Optional<Boolean> parallel = Optional.empty();
        JsonNode p = body.get("parallel_tool_calls");
        if (p != null && !p.isNull()) {
            if (!p.isBoolean()) {
                errors.add(new FieldError("parallel_tool_calls", "must be true or false"));
            } else {
                parallel = Optional.of(p.booleanValue());
            }
        }
        if (functions.isEmpty() || errors.stream().anyMatch(e -> e.field().startsWith("tool"))) {
            return ClientTools.NONE;
        }
        return new ClientTools(functions, choice, forced, parallel);
    }

    private static Optional<ClientTools.Function> function(JsonNode tool, String at, List<FieldError> errors) {
        if (!tool.isObject() || !tool.path("type").asText().equals("function") || !tool.path("function").isObject()) {
            errors.add(new FieldError(at, "must be {\"type\": \"function\", \"function\": {name, description,"
                    + " parameters}}"));
            return Optional.empty();
        }
        JsonNode f = tool.get("function");
        String name = f.path("name").asText("");
        if (!f.path("name").isTextual() || !NAME.matcher(name).matches()) {
            errors.add(new FieldError(at + ".function.name", "must be 1 to 64 letters, digits, _ or -"));
            return Optional.empty();
        }
        JsonNode description = f.get("description");
        if (description != null && !description.isNull()
                && (!description.isTextual() || description.textValue().length() > MAX_DESCRIPTION)) {
            errors.add(new FieldError(at + ".function.description", "must be a string of at most " + MAX_DESCRIPTION
                    + " characters"));
            return Optional.empty();
        }
        JsonNode parameters = f.get("parameters");
        if (parameters == null || parameters.isNull()) {
            parameters = emptySchema();
        }
        if (!parameters.isObject() || !parameters.path("type").asText("object").equals("object")) {
            errors.add(new FieldError(at + ".function.parameters", "must be a JSON Schema of type object"));
            return Optional.empty();
        }
        if (parameters.toString().length() > MAX_SCHEMA_CHARS) {
            errors.add(new FieldError(at + ".function.parameters", "must be at most " + MAX_SCHEMA_CHARS
                    + " characters of JSON"));
            return Optional.empty();
        }
        Optional<String> problem = ReplyFormatCheck.schemaProblem(parameters);
        if (problem.isPresent()) {
            errors.add(new FieldError(at + ".function.parameters", problem.get()));
            return Optional.empty();
        }
        JsonNode strict = f.get("strict");
        return Optional.of(new ClientTools.Function(name, description == null || description.isNull() ? ""
                : description.textValue(), parameters.toString(),
                strict != null && strict.isBoolean() ? Optional.of(strict.booleanValue()) : Optional.empty()));
    }

    /** A schema accepting any object: what OpenAI assumes when parameters are left out. */
    static ObjectNode emptySchema() {
        ObjectNode schema = Json.object().put("type", "object");
        schema.putObject("properties");
        return schema;
    }
}
