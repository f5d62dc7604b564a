package dev.clawless.core.account;

/**
 * One of a person's tenants.
 *
 * @param tenantId    the tenant
 * @param tenantName  its name
 * @param role        the person's role there
 * @param requireTotp true when the tenant admits only people with a second factor
 */
public record Membership(String tenantId, String tenantName, Role role, boolean requireTotp) {
}
