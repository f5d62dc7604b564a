package dev.clawless.core.account;

import java.time.Instant;
import java.util.Optional;

/**
 * A person's account.
 *
 * @param id            {@code usr_…}
 * @param email         the sign-in address, lower case
 * @param displayName   the name colleagues and contacts see
 * @param locale        the console's language ({@code en}, {@code es}, {@code pt})
 * @param platformAdmin true for the hub's operators: they manage every tenant
 * @param totpEnabled   true when sign-in needs a one-time code
 * @param presence      {@code online} or {@code away}, as the person set it
 * @param lastSeenAt    when the person's console last reached the hub
 * @param createdAt     when the account was created
 */
public record User(String id, String email, String displayName, String locale, boolean platformAdmin,
                   boolean totpEnabled, String presence, Optional<Instant> lastSeenAt, Instant createdAt) {
}
