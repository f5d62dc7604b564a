package dev.clawless.core.tenant;

import java.util.Optional;

/**
 * A partial change of a tenant; each present field replaces the stored one. Tenants may change only their name and
 * settings; plan, status and quotas are the admin's.
 */
public record TenantChange(Optional<String> name, Optional<String> plan, Optional<TenantStatus> status,
                           Optional<QuotaOverrides> quotas, SettingsPatch settings) {

    public static TenantChange bySelf(Optional<String> name, SettingsPatch settings) {
        return new TenantChange(name, Optional.empty(), Optional.empty(), Optional.empty(), settings);
    }
}
