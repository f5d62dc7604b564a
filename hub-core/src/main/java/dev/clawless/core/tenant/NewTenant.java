package dev.clawless.core.tenant;

import java.util.Optional;

/**
 * What the admin gives to create a tenant.
 *
 * @param name     display name, 1–200 characters
 * @param plan     plan name; empty for the configured default plan
 * @param quotas   quota overrides
 * @param settings initial settings over the defaults
 */
public record NewTenant(String name, Optional<String> plan, QuotaOverrides quotas, SettingsPatch settings) {
}
