package dev.clawless.core.marketplace;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One uploaded version of a plugin.
 *
 * @param pluginId     {@code Plugin-Id}
 * @param version      {@code Plugin-Version} (semver)
 * @param sha256       hex SHA-256 of the JAR, which is also its file name in the store
 * @param sizeBytes    the JAR's size
 * @param status       pending_review, approved or rejected
 * @param requires     {@code Plugin-Requires}: the plugin API versions it works with
 * @param provider     {@code Plugin-Provider}, if given
 * @param descriptor   {@code clawless-plugin.json}
 * @param extensions   the extension classes it declares
 * @param signedBy     the trusted publisher whose signature checked, if signed
 * @param reviewReason the reviewer's reason, if given
 * @param createdAt    uploaded
 * @param reviewedAt   reviewed
 */
public record PluginVersion(String pluginId, String version, String sha256, long sizeBytes, String status,
                            String requires, Optional<String> provider, JsonNode descriptor, List<String> extensions,
                            Optional<String> signedBy, Optional<String> reviewReason, Instant createdAt,
                            Optional<Instant> reviewedAt) {

    public PluginVersion {
        descriptor = descriptor.deepCopy();
        extensions = List.copyOf(extensions);
    }

    @Override
    public JsonNode descriptor() {
        return descriptor.deepCopy();
    }
}
