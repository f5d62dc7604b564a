package dev.clawless.core.tenant;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What is given to create an API key.
 *
 * @param name      1–200 characters
 * @param scopes    at least one
 * @param expiresAt optional expiry, in the future
 */
public record NewApiKey(String name, Set<Scope> scopes, Optional<Instant> expiresAt) {
}
