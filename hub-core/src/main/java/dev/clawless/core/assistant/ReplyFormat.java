package dev.clawless.core.assistant;

import java.util.Objects;
import java.util.Optional;

/**
 * The shape a client asked the reply to have (OpenAI's {@code response_format}): free text, any JSON object, or JSON
 * that satisfies a schema. Passed to the provider, and checked on the way back by {@link ReplyFormatCheck}.
 *
 * @param kind       text, JSON object or JSON schema
 * @param name       the schema's name ({@code json_schema.name}); empty for the other kinds
 * @param schemaJson the JSON Schema, as JSON text, for {@link Kind#JSON_SCHEMA}
 * @param strict     OpenAI's strict mode for the schema
 */
public record ReplyFormat(Kind kind, String name, Optional<String> schemaJson, boolean strict) {

    /** Free text: nothing asked, nothing checked. */
    public static final ReplyFormat TEXT = new ReplyFormat(Kind.TEXT, "", Optional.empty(), false);
    /** Any JSON object. */
    public static final ReplyFormat JSON_OBJECT = new ReplyFormat(Kind.JSON_OBJECT, "", Optional.empty(), false);

    /** OpenAI's {@code response_format.type}. */
    public enum Kind {
        TEXT, JSON_OBJECT, JSON_SCHEMA
    }

    public ReplyFormat {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (kind == Kind.JSON_SCHEMA && schemaJson.isEmpty()) {
            throw new IllegalArgumentException("a json_schema format needs its schema");
        }
    }

    /** A reply that satisfies {@code schemaJson}. */
    public static ReplyFormat schema(String name, String schemaJson, boolean strict) {
        return new ReplyFormat(Kind.JSON_SCHEMA, name, Optional.of(schemaJson), strict);
    }

    /** True when the reply must be JSON. */
    public boolean json() {
        return kind != Kind.TEXT;
    }
}
