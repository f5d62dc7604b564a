package dev.clawless.plugin.api;

import java.util.List;
import java.util.Objects;

/**
 * What an extension needs configured: a JSON Schema (draft 2020-12) of its non-secret config object, and the names
 * of the secrets it needs. The hub validates a connection's or installation's config against the schema and keeps
 * the secrets encrypted.
 *
 * @param jsonSchema      the schema, as JSON text
 * @param requiredSecrets names of the secrets that must be given
 * @param optionalSecrets names of secrets that may be given
 */
public record ConfigSchema(String jsonSchema, List<String> requiredSecrets, List<String> optionalSecrets) {

    public ConfigSchema {
        Objects.requireNonNull(jsonSchema, "jsonSchema");
        requiredSecrets = List.copyOf(requiredSecrets);
        optionalSecrets = List.copyOf(optionalSecrets);
    }
}
