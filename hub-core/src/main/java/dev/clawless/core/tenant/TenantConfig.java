package dev.clawless.core.tenant;

import java.time.Duration;
import java.util.Map;

/**
 * The tenant module's configuration.
 *
 * @param plans          plans by name
 * @param defaultPlan    plan of a tenant created without one; must be in {@code plans}
 * @param rotationGrace  how long a rotated key's old secret keeps working, unless the rotation says otherwise
 * @param maxKeysPerTenant most unrevoked keys a tenant may hold
 */
public record TenantConfig(Map<String, Plan> plans, String defaultPlan, Duration rotationGrace, int maxKeysPerTenant) {

    /** The longest grace a single rotation may ask for. */
    public static final Duration MAX_ROTATION_GRACE = Duration.ofDays(30);

    public TenantConfig {
        plans = Map.copyOf(plans);
        if (!plans.containsKey(defaultPlan)) {
            throw new IllegalArgumentException("default plan " + defaultPlan + " is not among the plans " + plans.keySet());
        }
    }
}
