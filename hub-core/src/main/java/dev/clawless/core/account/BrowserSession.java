package dev.clawless.core.account;

import java.time.Instant;
import java.util.Optional;

/**
 * A signed-in browser.
 *
 * @param id         {@code ses_…}, the part of the cookie that names the row (the secret is never stored)
 * @param userId     whose session it is
 * @param createdAt  when the person signed in
 * @param lastUsedAt when the session was last used (to the minute)
 * @param expiresAt  when it ends at the latest
 * @param userAgent  the browser, as it said at sign-in
 * @param ip         the client address at sign-in
 */
public record BrowserSession(String id, String userId, Instant createdAt, Instant lastUsedAt, Instant expiresAt,
                             Optional<String> userAgent, Optional<String> ip) {
}
