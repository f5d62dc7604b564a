package dev.clawless.core.security;

/**
 * Who did something: the platform admin, or a tenant's API key.
 *
 * @param id        {@code admin} or the API key id ({@code key_…})
 * @param requestId the request that did it, for correlating with the access log
 */
public record Actor(String id, String requestId) {

    public static final String ADMIN = "admin";

    public static Actor admin(String requestId) {
        return new Actor(ADMIN, requestId);
    }

    public static Actor apiKey(String keyId, String requestId) {
        return new Actor(keyId, requestId);
    }
}
