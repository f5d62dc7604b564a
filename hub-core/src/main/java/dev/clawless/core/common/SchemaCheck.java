package dev.clawless.core.common;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * Checks a config object against the JSON Schema an extension declares. The subset the hub understands — and what
 * extension schemas may use — is: {@code type} (object, string, integer, number, boolean, array), {@code properties},
 * {@code required}, {@code additionalProperties: false}, {@code enum}, {@code minLength}/{@code maxLength},
 * {@code minimum}/{@code maximum}, {@code pattern}, {@code format: uri}, {@code items}, {@code maxItems} and
 * {@code default} (ignored). Every violation is reported with its JSON path under {@code prefix}.
 */
public final class SchemaCheck {

    private SchemaCheck() {
    }

    public static List<FieldError> check(JsonNode schema, JsonNode value, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        check(schema, value, prefix, errors, 0);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<FieldError> errors, int depth) {
        if (depth > 16 || schema == null || !schema.isObject()) {
            return;
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(type, value)) {
            errors.add(new FieldError(path, "must be " + (type.equals("integer") || type.equals("object") || type.equals("array") ? "an " + type : "a " + type)));
            return;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                found |= a.equals(value);
            }
            if (!found) {
                List<String> names = new ArrayList<>();
                allowed.forEach(a -> names.add(a.isTextual() ? a.asText() : a.toString()));
                errors.add(new FieldError(path, "must be one of " + names));
                return;
            }
        }
        if (value.isTextual()) {
            String s = value.asText();
            int cps = s.codePointCount(0, s.length());
            if (schema.has("minLength") && cps < schema.get("minLength").asInt()) {
                errors.add(new FieldError(path, "must be at least " + schema.get("minLength").asInt()
                        + " characters"));
            }
            if (schema.has("maxLength") && cps > schema.get("maxLength").asInt()) {
                errors.add(new FieldError(path, "must be at most " + schema.get("maxLength").asInt()
                        + " characters"));
            }
            if (schema.has("pattern")) {
                try {
                    if (s.length() <= 2000 && !Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
                        errors.add(new FieldError(path, "must match " + schema.get("pattern").asText()));
                    }
                } catch (PatternSyntaxException e) {
                    errors.add(new FieldError(path, "cannot be checked: the channel's schema has a bad pattern"));
                }
            }
            if ("uri".equals(schema.path("format").asText()) && !isHttpUrl(s)) {
                errors.add(new FieldError(path, "must be an http(s) URL with a host"));
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                errors.add(new FieldError(path, "must be at least " + schema.get("minimum").asText()));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                errors.add(new FieldError(path, "must be at most " + schema.get("maximum").asText()));
            }
        }
        if (value.isArray()) {
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                errors.add(new FieldError(path, "must have at most " + schema.get("maxItems").asInt() + " items"));
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", errors, depth + 1);
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText()) || value.get(required.asText()).isNull()) {
                    errors.add(new FieldError(join(path, required.asText()), "is required"));
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (properties.has(f.getKey())) {
                    if (!f.getValue().isNull()) {
                        check(properties.get(f.getKey()), f.getValue(), join(path, f.getKey()), errors, depth + 1);
                    }
                } else if (schema.path("additionalProperties").isBoolean()
                        && !schema.path("additionalProperties").asBoolean()) {
                    List<String> known = new ArrayList<>();
                    properties.fieldNames().forEachRemaining(known::add);
                    errors.add(new FieldError(join(path, f.getKey()), "is not a setting of this channel (known: "
                            + known + ")"));
                }
            }
        }
    }

    private static boolean hasType(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "array" -> v.isArray();
            default -> true;
        };
    }

    /** True for an absolute http(s) URL with a host and no user info. */
    public static boolean isHttpUrl(String s) {
        try {
            URI u = new URI(s);
            return u.getScheme() != null && (u.getScheme().equals("http") || u.getScheme().equals("https"))
                    && u.getHost() != null && u.getRawUserInfo() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
