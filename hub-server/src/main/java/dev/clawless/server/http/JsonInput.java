package dev.clawless.server.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * Typed reading of a JSON request object that collects every field error (wrong type, missing, unknown field)
 * before failing, so a caller learns all its mistakes at once. Nested objects share the error list and prefix their
 * field names ({@code quotas.messages_per_month}). Not thread-safe; one per request.
 */
public final class JsonInput {

    private final ObjectNode node;
    private final String prefix;
    private final List<FieldError> errors;

    private JsonInput(ObjectNode node, String prefix, Set<String> allowed, List<FieldError> errors) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                errors.add(new FieldError(prefix + name, "unknown field; expected one of " + allowed.stream().sorted()
                        .toList()));
            }
        }
    }

    /** Reads {@code node}, whose fields must all be among {@code allowed}. */
    public static JsonInput of(ObjectNode node, Set<String> allowed) {
        return new JsonInput(node, "", allowed, new ArrayList<>());
    }

    /** An empty input, for optional bodies that were not sent. */
    public static JsonInput empty() {
        return of(Json.object(), Set.of());
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** The raw JSON of a field, for shapes the typed readers do not cover; empty when absent or null. */
    public Optional<JsonNode> node(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    /** The field name as reported in errors (with the nesting prefix). */
    public String path(String field) {
        return prefix + field;
    }

    /** True when the field is present and JSON {@code null} (for "reset to default"). */
    public boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    public String requiredString(String field, int maxLength) {
        if (!node.has(field) || node.get(field).isNull()) {
            error(field, "is required");
            return "";
        }
        return string(field, maxLength).orElse("");
    }

    public Optional<String> string(String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            error(field, "must be a string");
            return Optional.empty();
        }
        if (v.textValue().length() > maxLength) {
            error(field, "must be at most " + maxLength + " characters");
            return Optional.empty();
        }
        return Optional.of(v.textValue());
    }

    /** A string that must be one of {@code allowed}, mapped by {@code parse}. */
    public <T> Optional<T> choice(String field, List<String> allowed, Function<String, Optional<T>> parse) {
        return string(field, 100).flatMap(s -> {
            Optional<T> value = allowed.contains(s) ? parse.apply(s) : Optional.empty();
            if (value.isEmpty()) {
                error(field, "must be one of " + allowed);
            }
            return value;
        });
    }

    /** An optional boolean field. */
    public Optional<Boolean> bool(String field) {
        Optional<JsonNode> node = node(field).filter(n -> !n.isNull());
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!node.get().isBoolean()) {
            error(field, "must be true or false");
            return Optional.empty();
        }
        return Optional.of(node.get().asBoolean());
    }

    public Optional<Long> integer(String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            error(field, "must be an integer from " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(v.longValue());
    }

    public Optional<Instant> timestamp(String field) {
        return string(field, 64).flatMap(s -> {
            try {
                return Optional.of(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e) {
                error(field, "must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z");
                return Optional.empty();
            }
        });
    }

    /** A list of strings; each item checked by {@code item}, which returns an error message or empty. */
    public Optional<List<String>> strings(String field, int maxItems, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            error(field, "must be an array of strings");
            return Optional.empty();
        }
        if (v.size() > maxItems) {
            error(field, "must have at most " + maxItems + " items");
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isTextual() || item.textValue().length() > maxLength) {
                error(field + "[" + i + "]", "must be a string of at most " + maxLength + " characters");
                ok = false;
            } else {
                out.add(item.textValue());
            }
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    /** A nested object whose fields must be among {@code allowed}; empty when absent or null. */
    public Optional<JsonInput> object(String field, Set<String> allowed) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            error(field, "must be an object");
            return Optional.empty();
        }
        return Optional.of(new JsonInput((ObjectNode) v, prefix + field + ".", allowed, errors));
    }

    /** Records a field error found by the caller. */
    public void error(String field, String message) {
        errors.add(new FieldError(prefix + field, message));
    }

    /** Throws the collected errors, if any. Call once all fields are read. */
    public void done() {
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
    }
}
