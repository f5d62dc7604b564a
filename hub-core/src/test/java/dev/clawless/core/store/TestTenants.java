package dev.clawless.core.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.clawless.core.common.Ids;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;

/** Tenants for tests that need one but are about something else. */
public final class TestTenants {

    private TestTenants() {
    }

    /** Tenant management whose default plan {@code free} has {@code quotas}. */
    public static TenantManagement management(Database database, Clock clock, Quotas quotas) {
        return new TenantManagement(database, new AuditLog(database, clock), new TenantConfig(
                Map.of("free", new Plan("free", quotas)), "free", Duration.ofHours(1), 10), clock, new Ids(clock));
    }

    /** A new tenant named {@code name} on a plan with {@code quotas}; answers its id. */
    public static String create(Database database, Clock clock, String name, Quotas quotas) {
        return management(database, clock, quotas).create(Actor.admin("test"), new NewTenant(name, Optional.empty(),
                QuotaOverrides.NONE, SettingsPatch.NONE)).id();
    }
}
