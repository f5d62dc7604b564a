package dev.clawless.core.account;

/**
 * A person as a member of one tenant.
 *
 * @param user              the account
 * @param role              the role in this tenant
 * @param capacity          how many open conversations auto-assignment gives the member at most
 * @param online            true when the member set {@code online} and the console reached the hub recently
 */
public record Member(User user, Role role, int capacity, boolean online) {
}
