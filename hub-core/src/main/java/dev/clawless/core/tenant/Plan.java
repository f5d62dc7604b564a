package dev.clawless.core.tenant;

/**
 * A named set of default quotas (configured under {@code clawless.plans}).
 *
 * @param name   plan name, e.g. {@code free}
 * @param quotas its quotas
 */
public record Plan(String name, Quotas quotas) {
}
