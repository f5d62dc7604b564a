package dev.clawless.core.assistant;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * Checks JSON replies against what the client asked for ({@link ReplyFormat}) with networknt's JSON Schema
 * validator (draft 2020-12 unless the schema names another): a {@code json_object} reply must parse as one JSON
 * object, a {@code json_schema} reply must also satisfy the schema. Client schemas are checked against the meta-schema
 * when a request arrives. Schemas never load anything from the network ({@code $ref} to a remote address fails).
 * Thread-safe.
 */
public final class ReplyFormatCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REPORTED = 3;
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaLoader(l -> l.fetchRemoteResources(false)));
    private static final Schema META = SCHEMAS.getSchema(SchemaLocation.of(
            SpecificationVersion.DRAFT_2020_12.getDialectId()));

    private ReplyFormatCheck() {
    }

    /** Why {@code schema} is not a JSON Schema (an object that satisfies the 2020-12 meta-schema), or empty. */
    public static Optional<String> schemaProblem(JsonNode schema) {
        if (!schema.isObject()) {
            return Optional.of("must be a JSON Schema object");
        }
        var errors = META.validate(schema);
        if (!errors.isEmpty()) {
            return Optional.of("is not a valid JSON Schema: " + describe(errors));
        }
        try {
            SCHEMAS.getSchema(schema).initializeValidators();
        } catch (RuntimeException e) {
            return Optional.of("is not a usable JSON Schema: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** What is wrong with {@code text} as a reply in {@code format}, or empty when it satisfies it. */
    public static Optional<String> problem(ReplyFormat format, String text) {
        if (!format.json()) {
            return Optional.empty();
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(text.strip());
        } catch (JsonProcessingException e) {
            return Optional.of("the reply is not JSON: " + e.getOriginalMessage());
        }
        if (reply == null || !reply.isObject()) {
            return Optional.of("the reply is not a JSON object");
        }
        if (format.kind() != ReplyFormat.Kind.JSON_SCHEMA) {
            return Optional.empty();
        }
        JsonNode schema;
        try {
            schema = JSON.readTree(format.schemaJson().orElseThrow());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the schema is not JSON", e);
        }
        List<com.networknt.schema.Error> errors;
        try {
            errors = SCHEMAS.getSchema(schema).validate(reply);
        } catch (RuntimeException e) { // a schema the validator cannot apply: the reply cannot be shown to match it
            return Optional.of("the reply could not be checked against the schema '" + format.name() + "': "
                    + e.getMessage());
        }
        return errors.isEmpty() ? Optional.empty()
                : Optional.of("the reply does not match the schema '" + format.name() + "': " + describe(errors));
    }

    private static String describe(List<com.networknt.schema.Error> errors) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(MAX_REPORTED, errors.size()); i++) {
            if (i > 0) {
                out.append("; ");
            }
            out.append(errors.get(i).toString());
        }
        if (errors.size() > MAX_REPORTED) {
            out.append(" (and ").append(errors.size() - MAX_REPORTED).append(" more)");
        }
        return out.toString();
    }
}
