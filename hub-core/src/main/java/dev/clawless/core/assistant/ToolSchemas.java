package dev.clawless.core.assistant;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import dev.clawless.plugin.api.ToolSpec;

/**
 * Turns a tool's JSON Schema (text, as plugin-api carries it) into langchain4j's schema objects. Covers what tool
 * parameters use: objects with properties and required names, strings (with enums), integers, numbers, booleans and
 * arrays; anything else becomes a string. A client's function keeps its schema as written: each property, and each
 * of {@code $defs}, goes to the provider as raw JSON Schema.
 */
final class ToolSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolSchemas() {
    }

    static ToolSpecification specification(ToolSpec spec) {
        JsonNode schema;
        try {
            schema = JSON.readTree(spec.parametersJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("tool " + spec.name() + " has parameters that are not JSON", e);
        }
        return ToolSpecification.builder().name(spec.name()).description(spec.description())
                .parameters(object(schema)).build();
    }

    /** A client-defined function, its parameters' schema passed through property by property. */
    static ToolSpecification specification(ClientTools.Function function) {
        JsonNode schema;
        try {
            schema = JSON.readTree(function.parametersJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("function " + function.name() + " has parameters that are not JSON", e);
        }
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (schema.hasNonNull("description")) {
            b.description(schema.get("description").asText());
        }
        schema.path("properties").properties().forEach(e -> b.addProperty(e.getKey(),
                JsonRawSchema.from(e.getValue().toString())));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        if (!required.isEmpty()) {
            b.required(required);
        }
        if (schema.path("additionalProperties").isBoolean()) {
            b.additionalProperties(schema.get("additionalProperties").booleanValue());
        }
        java.util.Map<String, JsonSchemaElement> definitions = new java.util.LinkedHashMap<>();
        schema.path("$defs").properties().forEach(e -> definitions.put(e.getKey(),
                JsonRawSchema.from(e.getValue().toString())));
        if (!definitions.isEmpty()) {
            b.definitions(definitions);
        }
        return ToolSpecification.builder().name(function.name())
                .description(function.description().isEmpty() ? null : function.description())
                .parameters(b.build()).strict(function.strict().orElse(null)).build();
    }

    static JsonObjectSchema object(JsonNode schema) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (schema.hasNonNull("description")) {
            b.description(schema.get("description").asText());
        }
        schema.path("properties").properties().forEach(e -> b.addProperty(e.getKey(), element(e.getValue())));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        if (!required.isEmpty()) {
            b.required(required);
        }
        return b.build();
    }

    private static JsonSchemaElement element(JsonNode s) {
        String description = s.path("description").asText(null);
        if (s.has("enum")) {
            List<String> values = new ArrayList<>();
            s.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().enumValues(values).description(description).build();
        }
        return switch (s.path("type").asText("string")) {
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "array" -> JsonArraySchema.builder().description(description)
                    .items(element(s.path("items").isMissingNode() ? JSON.createObjectNode() : s.get("items"))).build();
            case "object" -> object(s);
            default -> JsonStringSchema.builder().description(description).build();
        };
    }
}
