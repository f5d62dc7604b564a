package dev.clawless.server.api;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.ReplyFormat;
import dev.clawless.core.assistant.ReplyFormatCheck;
import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * Reads {@code response_format} of a Chat Completions request: text, a JSON object, or JSON satisfying the client's
 * schema (checked against the JSON Schema meta-schema here; the reply is checked against it on the way back).
 */
final class OpenAiReplyFormat {

    private OpenAiReplyFormat() {
    }

    /** The reply's format: text unless {@code response_format} asks for a JSON object or a JSON schema. */
    static ReplyFormat format(ObjectNode body, List<FieldError> errors) {
        JsonNode f = body.get("response_format");
        if (f == null || f.isNull()) {
            return ReplyFormat.TEXT;
        }
        String type = f.path("type").asText("");
        if (!f.isObject()) {
            type = "";
        }
        switch (type) {
            case "text":
                return ReplyFormat.TEXT;
            case "json_object":
                return ReplyFormat.JSON_OBJECT;
            case "json_schema":
                JsonNode js = f.path("json_schema");
                String name = js.path("name").asText("");
                if (!js.isObject() || !js.path("name").isTextual() || !OpenAiTools.NAME.matcher(name).matches()) {
                    errors.add(new FieldError("response_format", "json_schema.name must be 1 to 64 letters, digits,"
                            + " _ or -"));
                    return ReplyFormat.TEXT;
                }
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) {
                    schema = OpenAiTools.emptySchema();
                }
                if (schema.toString().length() > OpenAiTools.MAX_SCHEMA_CHARS) {
                    errors.add(new FieldError("response_format", "json_schema.schema must be at most "
                            + OpenAiTools.MAX_SCHEMA_CHARS + " characters of JSON"));
                    return ReplyFormat.TEXT;
                }
                Optional<String> problem = ReplyFormatCheck.schemaProblem(schema);
                if (problem.isPresent()) {
                    errors.add(new FieldError("response_format", "json_schema.schema " + problem.get()));
                    return ReplyFormat.TEXT;
                }
                return ReplyFormat.schema(name, schema.toString(), js.path("strict").asBoolean(false));
            default:
                errors.add(new FieldError("response_format", "type must be text, json_object or json_schema"));
                return ReplyFormat.TEXT;
        }
    }
}
